/* main.c - the imgrad program's entry point: the first argument names a
 * subcommand (commands.c), anything else is the main job. */
#include "cli.h"

#include <string.h>

int main(int argc, char **argv)
{
    const cli_command *c = argc > 1 ? cli_find_command(argv[1]) : NULL;

    if (!cli_check_isa())
        return EXIT_USAGE;
    if (c != NULL)
        return c->run(argc - 1, argv + 1);
    if (argc > 1 && strcmp(argv[1], "help") == 0)
        return cli_help(argc - 1, argv + 1);
    if (argc > 1 && cli_mistyped_command(argv[1]))
        return EXIT_USAGE;
    return cli_gradient_main(argc, argv);
}
