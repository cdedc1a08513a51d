/* cli.h - shared by the command-line program's files (not the library). */
#ifndef IMGRAD_CLI_H
#define IMGRAD_CLI_H

#include "imgrad.h"

/* Exit statuses of the program. */
enum { EXIT_ALL_OK = 0, EXIT_SOME_FAILED = 1, EXIT_USAGE = 2 };

/* Prints "imgrad: what: message" to stderr. */
void cli_error(const char *what, const char *fmt, ...);

/* Prints "imgrad: message" to stderr (for -v lines). */
void cli_note(const char *fmt, ...);

/* While on, messages first erase the progress line on the terminal. */
void cli_clear_line_before_messages(int on);

/* The reason behind st for a message; uses errno for IMGRAD_EIO. */
const char *cli_reason(imgrad_status st);

/* Number parsing for option values: 1 on success (the whole string is a
 * finite number, within [lo, hi] for integers), 0 otherwise. */
int cli_parse_double(const char *s, double *out);
int cli_parse_int(const char *s, long lo, long hi, int *out);

/* Operator names as the options spell them: "central", "sobel", "scharr",
 * "prewitt", "roberts".  cli_parse_operator returns 1 and sets *op when s is
 * one of them; cli_operator_name never returns NULL. */
int cli_parse_operator(const char *s, imgrad_operator *op);
const char *cli_operator_name(imgrad_operator op);

/* Creates dir and its parents (mkdir -p).  0 on success, -1 with errno. */
int cli_mkdir_p(const char *dir);

/* Before a batch of images: glibc keeps freed large buffers for reuse. */
void cli_keep_freed_memory(void);

/* imgrad legend -o FILE: the colour wheel of --outputs hsv. */
int cli_legend_main(int argc, char **argv);

/* The main job: imgrad [OPTIONS] INPUT... */
int cli_gradient_main(int argc, char **argv);

/* imgrad bench [OPTIONS] [IMAGE] (cli_bench.c): argv[0] is "bench". */
int cli_bench_main(int argc, char **argv);

/* imgrad field EXPR [OPTIONS] (cli_field.c) */
int cli_field_main(int argc, char **argv);

#endif
