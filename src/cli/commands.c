/* commands.c - the subcommands: their names, what each does in a line (for
 * --help and the man page), and where each starts. */
#include "cli.h"

#include <string.h>
#include <unistd.h>

static const cli_command commands[] = {
    { "field", cli_field_main, "pictures and exact gradients of a formula f(x, y)" },
    { "legend", cli_legend_main, "the colour wheel that explains --outputs hsv" },
    { "bench", cli_bench_main, "times each stage here, checked against a reference" },
};

const cli_command *cli_find_command(const char *name)
{
    size_t i;

    for (i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(name, commands[i].name) == 0)
            return &commands[i];
    return NULL;
}

int cli_help(int argc, char **argv)
{
    const cli_command *c = argc > 1 ? cli_find_command(argv[1]) : NULL;
    char help[] = "--help", *args[3] = { argc > 1 ? argv[1] : argv[0], help, NULL };

    if (argc > 1 && c == NULL) {
        cli_error("help", "no command '%s' (commands: field, legend, bench)", argv[1]);
        return EXIT_USAGE;
    }
    return c != NULL ? c->run(2, args) : cli_gradient_main(2, args);
}

int cli_mistyped_command(const char *word)
{
    const char *names[sizeof commands / sizeof commands[0] + 1], *guess;
    size_t i;

    if (word[0] == '-' || access(word, F_OK) == 0)
        return 0; /* an option, or a real input that happens to look alike */
    for (i = 0; i < sizeof commands / sizeof commands[0]; i++)
        names[i] = commands[i].name;
    names[i] = "help";
    if ((guess = cli_closest(word, names, i + 1)) == NULL)
        return 0;
    cli_error(NULL, "'%s' is neither a command nor a file; did you mean 'imgrad %s'?", word,
              guess);
    return 1;
}

void cli_print_commands(FILE *to)
{
    size_t i;

    for (i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(to, "  %-8s %s\n", commands[i].name, commands[i].summary);
    fputs("  (imgrad COMMAND --help shows a command's options)\n", to);
}
