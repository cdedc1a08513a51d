/* options.c - reading the command line: numbers, pairs, operator names,
 * and the one getopt loop every subcommand runs. */
#include "cli.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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

/* Edit distance between a and b ignoring case (insertions, deletions,
 * substitutions), for "did you mean"; capped at 99 for long words. */
static int distance(const char *a, const char *b)
{
    int row[64], i, j;
    const int la = (int)strlen(a), lb = (int)strlen(b);

    if (la >= 63 || lb >= 63)
        return 99;
    for (j = 0; j <= lb; j++)
        row[j] = j;
    for (i = 1; i <= la; i++) {
        int diag = row[0];
        row[0] = i;
        for (j = 1; j <= lb; j++) {
            const int up = row[j];
            const int same = tolower((unsigned char)a[i - 1]) == tolower((unsigned char)b[j - 1]);
            int best = diag + !same;
            best = up + 1 < best ? up + 1 : best;
            best = row[j - 1] + 1 < best ? row[j - 1] + 1 : best;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

const char *cli_closest(const char *word, const char *const *names, size_t n)
{
    const char *best = NULL;
    int best_d = 99;
    size_t i;

    for (i = 0; i < n; i++) {
        const int d = distance(word, names[i]);
        if (d < best_d) {
            best_d = d;
            best = names[i];
        }
    }
    /* a guess only when it is near: two edits, or one for short words */
    return best != NULL && best_d <= (strlen(word) <= 4 ? 1 : 2) ? best : NULL;
}

int cli_parse_choice(const char *opt, const char *arg, const cli_choice *choices, size_t n,
                     int *value)
{
    const char *names[64], *guess;
    char list[512] = "";
    size_t i, k = 0;

    for (i = 0; i < n; i++)
        if (strcasecmp(arg, choices[i].name) == 0) {
            *value = choices[i].value;
            return 1;
        }
    for (i = 0; i < n && k < 64; i++) {
        names[k++] = choices[i].name;
        if (!choices[i].alias) /* aliases are accepted, not advertised */
            snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s",
                     list[0] ? ", " : "", choices[i].name);
    }
    guess = cli_closest(arg, names, k);
    if (guess != NULL)
        cli_error(NULL, "--%s: unknown value '%s'; did you mean '%s'? (choose %s)", opt, arg,
                  guess, list);
    else
        cli_error(NULL, "--%s: unknown value '%s' (choose %s)", opt, arg, list);
    return 0;
}

static const cli_choice operators[] = {
    { "central", IMGRAD_OP_CENTRAL, 0 }, { "sobel", IMGRAD_OP_SOBEL, 0 },
    { "scharr", IMGRAD_OP_SCHARR, 0 }, { "prewitt", IMGRAD_OP_PREWITT, 0 },
    { "roberts", IMGRAD_OP_ROBERTS, 0 }, { "numpy", IMGRAD_OP_CENTRAL, 1 },
};

int cli_parse_operator(const char *s, imgrad_operator *op)
{
    int v;

    if (!cli_parse_choice("operator", s, operators, sizeof operators / sizeof operators[0], &v))
        return 0;
    *op = (imgrad_operator)v;
    return 1;
}

const char *cli_choice_name(const cli_choice *choices, size_t n, int value)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (choices[i].value == value && !choices[i].alias)
            return choices[i].name;
    return "unknown";
}

const char *cli_operator_name(imgrad_operator op)
{
    return cli_choice_name(operators, sizeof operators / sizeof operators[0], (int)op);
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

/* Why getopt refused the long option word ("--out", "--fromat=png"): an
 * abbreviation of several options (named), a near miss (guessed), or
 * unknown.  Prints the message. */
static void explain_long(const char *what, const char *word, const struct option *longs)
{
    const char *names[128], *guess;
    char name[64], list[512] = "";
    size_t n = strcspn(word + 2, "="), k = 0, i, matches = 0;

    snprintf(name, sizeof name, "%.*s", (int)(n < sizeof name ? n : sizeof name - 1), word + 2);
    for (i = 0; longs[i].name != NULL && k < 128; i++) {
        names[k++] = longs[i].name;
        if (strncmp(longs[i].name, name, strlen(name)) == 0) {
            matches++;
            snprintf(list + strlen(list), sizeof list - strlen(list), "%s--%s",
                     list[0] ? " or " : "", longs[i].name);
        }
    }
    if (matches > 1)
        cli_error(what, "--%s: ambiguous, could be %s", name, list);
    else if (matches == 1) /* a unique abbreviation getopt refused: its value */
        cli_error(what, "%s: missing or unexpected value", word);
    else if ((guess = cli_closest(name, names, k)) != NULL)
        cli_error(what, "--%s: unknown option; did you mean --%s?", name, guess);
    else
        cli_error(what, "--%s: unknown option", name);
}

/* The word holding the unknown short option c: getopt has moved optind past
 * it only when c was its last letter ("-x"), not within "-dash.png". */
static const char *short_word(int argc, char **argv, int c)
{
    const char *prev = optind > 0 && optind <= argc ? argv[optind - 1] : NULL;
    const size_t n = prev != NULL ? strlen(prev) : 0;

    if (n >= 2 && prev[0] == '-' && prev[n - 1] == c)
        return prev;
    if (optind < argc && argv[optind][0] == '-' && strchr(argv[optind] + 1, c) != NULL)
        return argv[optind];
    return NULL;
}

/* An unknown short option c: in a longer word such as "-dash.png", which
 * is likely a file, say how to pass that word as an operand. */
static void explain_short(const char *what, const char *word, int c)
{
    if (word == NULL || strlen(word) <= 2)
        cli_error(what, "-%c: unknown option", c);
    else if (what == NULL)
        cli_error(what, "-%c: unknown option in '%s'; if it is a file, write ./%s or put it "
                  "after -- (imgrad [OPTIONS] -- %s)", c, word, word, word);
    else
        cli_error(what, "-%c: unknown option in '%s'; an operand starting with '-' goes "
                  "after -- (imgrad %s [OPTIONS] -- %s)", c, word, what, word);
}

int cli_options(const cli_command_line *cl, int argc, char **argv, void *ctx)
{
    char shorts[64];
    int c;

    /* a leading ':' makes getopt tell a missing value (':') from an
     * unknown option ('?') */
    snprintf(shorts, sizeof shorts, ":%s", cl->shorts);
    optind = 1;
    opterr = 0; /* the messages below name the command and the option */
    while ((c = getopt_long(argc, argv, shorts, cl->longs, NULL)) != -1) {
        int r;
        if (c == 'h') {
            cl->usage(stdout);
            return EXIT_ALL_OK;
        }
        if (c == '?' || c == ':') {
            const char *word = typed(argc, argv);
            const int is_long = strncmp(word, "--", 2) == 0;
            if (c == ':' && is_long)
                cli_error(cl->name, "%s: missing value", word);
            else if (c == ':')
                cli_error(cl->name, "-%c: missing value", optopt);
            else if (is_long)
                explain_long(cl->name, word, cl->longs);
            else /* a short option, perhaps a name starting with '-' */
                explain_short(cl->name, short_word(argc, argv, optopt), optopt);
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
