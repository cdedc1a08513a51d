/* cli.c - the imgrad program's entry point and helpers shared by its
 * subcommands.  Only the program prints and exits; the library does neither. */
#include "cli.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

/* Set while a progress line is on the terminal: messages first erase it.
 * Written only while no worker thread runs. */
static int clear_line;

void cli_clear_line_before_messages(int on)
{
    clear_line = on;
}

/* "imgrad: [what: ]message\n" as one locked write, so lines from worker
 * threads never interleave. */
static void message(const char *what, const char *fmt, va_list ap)
{
    flockfile(stderr);
    fputs(clear_line ? "\r\033[Kimgrad: " : "imgrad: ", stderr);
    if (what != NULL)
        fprintf(stderr, "%s: ", what);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    funlockfile(stderr);
}

void cli_error(const char *what, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    message(what, fmt, ap);
    va_end(ap);
}

void cli_note(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    message(NULL, fmt, ap);
    va_end(ap);
}

const char *cli_reason(imgrad_status st)
{
    return st == IMGRAD_EIO ? strerror(errno) : imgrad_strerror(st);
}

int cli_parse_double(const char *s, double *out)
{
    char *end;
    double v;

    errno = 0;
    v = strtod(s, &end);
    if (end == s || *end != '\0' || errno == ERANGE || !isfinite(v))
        return 0;
    *out = v;
    return 1;
}

int cli_parse_int(const char *s, long lo, long hi, int *out)
{
    char *end;
    long v;

    errno = 0;
    v = strtol(s, &end, 10);
    if (end == s || *end != '\0' || errno == ERANGE || v < lo || v > hi)
        return 0;
    *out = (int)v;
    return 1;
}

static const struct {
    const char *name;
    imgrad_operator op;
} operators[] = {
    { "central", IMGRAD_OP_CENTRAL }, { "sobel", IMGRAD_OP_SOBEL },
    { "scharr", IMGRAD_OP_SCHARR }, { "prewitt", IMGRAD_OP_PREWITT },
    { "roberts", IMGRAD_OP_ROBERTS },
};

int cli_parse_operator(const char *s, imgrad_operator *op)
{
    size_t i;

    for (i = 0; i < sizeof operators / sizeof operators[0]; i++)
        if (strcmp(s, operators[i].name) == 0) {
            *op = operators[i].op;
            return 1;
        }
    return 0;
}

const char *cli_operator_name(imgrad_operator op)
{
    size_t i;

    for (i = 0; i < sizeof operators / sizeof operators[0]; i++)
        if (operators[i].op == op)
            return operators[i].name;
    return "unknown";
}

int cli_mkdir_p(const char *dir)
{
    char *path = malloc(strlen(dir) + 1), *p;
    int rc = 0;

    if (path == NULL)
        return -1;
    strcpy(path, dir);
    /* make each prefix that ends before a '/', then the whole path */
    for (p = path + 1; rc == 0; p++) {
        if (*p != '/' && *p != '\0')
            continue;
        {
            char saved = *p;
            *p = '\0';
            if (mkdir(path, 0777) != 0 && errno != EEXIST)
                rc = -1;
            *p = saved;
        }
        if (*p == '\0')
            break;
    }
    if (rc == 0) {
        struct stat st;
        if (stat(dir, &st) != 0)
            rc = -1;
        else if (!S_ISDIR(st.st_mode)) {
            errno = ENOTDIR;
            rc = -1;
        }
    }
    free(path);
    return rc;
}

/* Subcommands are the first argument; anything else is the main job. */
typedef struct subcommand {
    const char *name;
    int (*run)(int argc, char **argv);
} subcommand;

static const subcommand subcommands[] = {
    { "bench", cli_bench_main },
    { "field", cli_field_main },
    { "legend", cli_legend_main },
    { NULL, NULL }
};

/* A batch allocates the same large buffers for every image (a 3000 x 2000
 * photo: 24 MB grids).  glibc serves such sizes with fresh mmap()s, or
 * returns the freed heap top to the system, so every image would pay the
 * kernel for mapping and zeroing them again (about 9000 page faults a
 * photo).  Up to 32 MiB (glibc's largest heap allocation) they come from
 * the heap and stay there when freed, for the next image.  Only for
 * batches: a single image gains nothing and would keep its decoder's freed
 * buffers (+38 MiB at 4096 x 4096). */
void cli_keep_freed_memory(void)
{
#if defined(M_MMAP_THRESHOLD) && defined(M_TRIM_THRESHOLD)
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    mallopt(M_TRIM_THRESHOLD, 256 << 20);
#endif
}

int main(int argc, char **argv)
{
    const subcommand *s;

    for (s = subcommands; argc > 1 && s->name != NULL; s++)
        if (strcmp(argv[1], s->name) == 0)
            return s->run(argc - 1, argv + 1);
    return cli_gradient_main(argc, argv);
}
