/* commands.c - the subcommands: their names, what each does in a line (for
 * --help and the man page), and where each starts. */
#include "cli.h"

#include <string.h>

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

void cli_print_commands(FILE *to)
{
    size_t i;

    for (i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(to, "  %-8s %s\n", commands[i].name, commands[i].summary);
    fputs("  (imgrad COMMAND --help shows a command's options)\n", to);
}
