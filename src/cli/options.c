/* options.c - reading the command line: numbers, pairs, operator names,
 * and the one getopt loop every subcommand runs. */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

int cli_split_pair(const char *s, char sep, char *head, size_t cap, const char **tail)
{
    const char *mid = strchr(s, sep);
    size_t n = mid != NULL ? (size_t)(mid - s) : 0;

    if (mid == NULL || n >= cap)
        return 0;
    memcpy(head, s, n);
    head[n] = '\0';
    *tail = mid + 1;
    return 1;
}

int cli_parse_pair(const char *s, char sep, double v[2])
{
    char head[64];
    const char *tail;

    return cli_split_pair(s, sep, head, sizeof head, &tail) && cli_parse_double(head, &v[0])
           && cli_parse_double(tail, &v[1]);
}

/* The option as the user typed it, for messages: the argument getopt just
 * looked at ("--fromat" or "-x"). */
static const char *typed(int argc, char **argv)
{
    return optind > 0 && optind <= argc ? argv[optind - 1] : "?";
}

int cli_options(const cli_command_line *cl, int argc, char **argv, void *ctx)
{
    int c;

    optind = 1;
    opterr = 0; /* the messages below name the command and the option */
    while ((c = getopt_long(argc, argv, cl->shorts, cl->longs, NULL)) != -1) {
        int r;
        if (c == 'h') {
            cl->usage(stdout);
            return EXIT_ALL_OK;
        }
        if (c == '?' || c == ':') {
            cli_error(cl->name, "%s: %s", typed(argc, argv),
                      c == ':' ? "missing value" : "unknown option");
            fprintf(stderr, "Try 'imgrad%s%s --help'.\n", cl->name ? " " : "",
                    cl->name ? cl->name : "");
            return EXIT_USAGE;
        }
        if ((r = cl->apply(ctx, c, optarg)) == CLI_OPTION_BAD)
            return EXIT_USAGE;
        if (r == CLI_OPTION_DONE)
            return EXIT_ALL_OK;
    }
    return -1;
}
