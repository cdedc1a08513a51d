/* cli.h - shared by the command-line program's files (not the library). */
#ifndef IMGRAD_CLI_H
#define IMGRAD_CLI_H

#include "imgrad.h"

#include <getopt.h>
#include <stdio.h>

/* Exit statuses of the program. */
enum { EXIT_ALL_OK = 0, EXIT_SOME_FAILED = 1, EXIT_USAGE = 2 };

/* Prints "imgrad: what: message" to stderr. */
void cli_error(const char *what, const char *fmt, ...);

/* Prints "imgrad: message" to stderr (for -v lines). */
void cli_note(const char *fmt, ...);

/* The message of this thread's last cli_error or cli_note (without the
 * "imgrad: what: " part), "" after cli_forget_last_error. */
const char *cli_last_error(void);
void cli_forget_last_error(void);

/* While on, messages first erase the progress line on the terminal. */
void cli_clear_line_before_messages(int on);

/* 1 when IMGRAD_ISA is unset or names a level this CPU runs; else prints
 * why (the library would quietly run its best level instead) and returns 0. */
int cli_check_isa(void);

/* The reason behind st for a message; uses errno for IMGRAD_EIO. */
const char *cli_reason(imgrad_status st);

/* The message for a file that imgrad_load_gray refused with st: the reason,
 * and for a format or content imgrad does not read, what the file is. */
void cli_load_error(const char *path, imgrad_status st);

/* Number parsing for option values: 1 on success (the whole string is a
 * finite number, within [lo, hi] for integers), 0 otherwise. */
int cli_parse_double(const char *s, double *out);
int cli_parse_int(const char *s, long lo, long hi, int *out);

/* "A<sep>B": the part before sep into head (cap bytes), *tail after it; 1
 * on success, 0 without sep or when the head does not fit. */
int cli_split_pair(const char *s, char sep, char *head, size_t cap, const char **tail);

/* "A<sep>B" as two numbers (cli_parse_double each); 1 on success. */
int cli_parse_pair(const char *s, char sep, double v[2]);

/* One subcommand's command line: getopt_long's tables, its --help, and what
 * each option does.  apply returns CLI_OPTION_OK, CLI_OPTION_BAD (having
 * said why) or CLI_OPTION_DONE (it answered, e.g. --version: exit 0). */
enum { CLI_OPTION_BAD = 0, CLI_OPTION_OK = 1, CLI_OPTION_DONE = 2 };
typedef struct cli_command_line {
    const char *name;             /* "field", or NULL for the main job */
    const char *shorts;           /* getopt's short options; 'h' is --help */
    const struct option *longs;
    void (*usage)(FILE *to);
    int (*apply)(void *ctx, int c, const char *arg);
} cli_command_line;

/* Runs getopt_long over argv with cl (from argv[1]): -1 when the operands
 * at argv[optind..] are to be read next, or the exit status when it is all
 * done (--help: 0; a bad option or value: EXIT_USAGE, with the message
 * printed). */
int cli_options(const cli_command_line *cl, int argc, char **argv, void *ctx);

/* One accepted value of an enumerated option; an alias is accepted but not
 * listed in messages ("jpeg" beside "jpg"). */
typedef struct cli_choice {
    const char *name;
    int value;
    int alias;
} cli_choice;

/* Finds arg among the n choices, ignoring case: 1 and *value, or 0 after a
 * message naming --opt, the value, a guess when one is near, and the
 * choices. */
int cli_parse_choice(const char *opt, const char *arg, const cli_choice *choices, size_t n,
                     int *value);

/* The name (not an alias) of value among the n choices, or "unknown":
 * never NULL. */
const char *cli_choice_name(const cli_choice *choices, size_t n, int value);

/* The name among names[0..n) nearest to word (case ignored), or NULL when
 * none is within an edit or two: for "did you mean". */
const char *cli_closest(const char *word, const char *const *names, size_t n);

/* Operator names as the options spell them: "central", "sobel", "scharr",
 * "prewitt", "roberts".  cli_parse_operator returns 1 and sets *op when s is
 * one of them; cli_operator_name never returns NULL. */
int cli_parse_operator(const char *s, imgrad_operator *op);
const char *cli_operator_name(imgrad_operator op);

/* Creates dir and its parents (mkdir -p).  0 on success, -1 with errno. */
int cli_mkdir_p(const char *dir);

/* Before a batch of images: glibc keeps freed large buffers for reuse. */
void cli_keep_freed_memory(void);

/* A subcommand: imgrad NAME ... runs run(argc, argv) with argv[0] NAME. */
typedef struct cli_command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary; /* one line for --help */
} cli_command;

/* The subcommand called name, or NULL (commands.c). */
const cli_command *cli_find_command(const char *name);

/* imgrad help [COMMAND]: that command's --help, or the main one. */
int cli_help(int argc, char **argv);

/* Nonzero, after a message, when word is no file but a near miss of a
 * command's name ("feild"): the caller exits with EXIT_USAGE. */
int cli_mistyped_command(const char *word);

/* One line per subcommand, for --help. */
void cli_print_commands(FILE *to);

/* imgrad legend -o FILE: the colour wheel of --outputs hsv. */
int cli_legend_main(int argc, char **argv);

/* The main job: imgrad [OPTIONS] INPUT... */
int cli_gradient_main(int argc, char **argv);

/* imgrad bench [OPTIONS] [IMAGE] (cli_bench.c): argv[0] is "bench". */
int cli_bench_main(int argc, char **argv);

/* imgrad field EXPR [OPTIONS] (cli_field.c) */
int cli_field_main(int argc, char **argv);

#endif
