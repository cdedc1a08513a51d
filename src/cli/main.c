/* main.c - the imgrad program's entry point: the first argument names a
 * subcommand (commands.c), anything else is the main job. */
#include "cli.h"

int main(int argc, char **argv)
{
    const cli_command *c = argc > 1 ? cli_find_command(argv[1]) : NULL;

    return c != NULL ? c->run(argc - 1, argv + 1) : cli_gradient_main(argc, argv);
}
