/* cli_legend.c - imgrad legend -o FILE: the key to --outputs hsv.
 * A disc where the pixel at offset (dx, dy) from the centre (y down) has the
 * colour of a gradient (gx, gy) = (dx, dy) / radius at --scale 1: hue by
 * direction, brightness growing from black at the centre to full at the rim.
 * It is drawn by the same imgrad_to_hsv8 as the hsv product. */
#include "cli.h"

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void legend_usage(FILE *to)
{
    fputs("Usage: imgrad legend -o FILE [--size N]\n"
          "Writes the colour wheel of --outputs hsv to FILE (.png, .jpg, .bmp or\n"
          ".tga): the pixel at offset (dx, dy) from the centre, y down, shows a\n"
          "gradient pointing along (dx, dy) (red: right, +x; green-yellow: down,\n"
          "+y; cyan: left; violet: up) whose magnitude grows from 0 at the\n"
          "centre to the display scale at the rim.  Outside the disc is black.\n"
          "  -o, --output FILE   where to write (required)\n"
          "      --size N        width and height in pixels, 16..4096 (default 256)\n"
          "  -h, --help          show this help and exit\n", to);
}

/* The image format from FILE's extension; -1 when there is none imgrad writes. */
static int format_of_name(const char *path)
{
    static const struct { const char *ext; imgrad_format format; } exts[] = {
        { ".png", IMGRAD_FORMAT_PNG }, { ".jpg", IMGRAD_FORMAT_JPG },
        { ".jpeg", IMGRAD_FORMAT_JPG }, { ".bmp", IMGRAD_FORMAT_BMP },
        { ".tga", IMGRAD_FORMAT_TGA },
    };
    const char *dot = strrchr(path, '.');
    size_t i;

    for (i = 0; dot != NULL && i < sizeof exts / sizeof exts[0]; i++)
        if (strcmp(dot, exts[i].ext) == 0)
            return (int)exts[i].format;
    return -1;
}

/* Fills the wheel's magnitude and direction grids (size x size). */
static void draw_wheel(imgrad_grid *mag, imgrad_grid *dir)
{
    const int n = mag->width;
    const double c = (n - 1) / 2.0, radius = n / 2.0 - 1;
    int x, y;

    for (y = 0; y < n; y++)
        for (x = 0; x < n; x++) {
            const double dx = x - c, dy = y - c, r = hypot(dx, dy) / radius;
            mag->data[(size_t)y * mag->stride + x] = r <= 1 ? (float)r : 0.0f;
            dir->data[(size_t)y * dir->stride + x] = (float)atan2(dy, dx);
        }
}

static int write_legend(const char *path, int format, int size)
{
    imgrad_grid mag, dir;
    unsigned char *rgb = malloc(3 * (size_t)size * (size_t)size);
    imgrad_status st = rgb == NULL ? IMGRAD_ENOMEM : imgrad_grid_init(&mag, size, size);

    if (st == IMGRAD_OK && (st = imgrad_grid_init(&dir, size, size)) != IMGRAD_OK)
        imgrad_grid_free(&mag);
    if (st == IMGRAD_OK) {
        draw_wheel(&mag, &dir);
        st = imgrad_to_hsv8(&mag, &dir, 0, 1.0, rgb, 3 * (size_t)size * (size_t)size);
        if (st == IMGRAD_OK)
            st = imgrad_write_image8(path, (imgrad_format)format, rgb, size, size, 3, NULL);
        imgrad_grid_free(&mag);
        imgrad_grid_free(&dir);
    }
    free(rgb);
    if (st != IMGRAD_OK) {
        cli_error(path, "cannot write: %s", cli_reason(st));
        return EXIT_SOME_FAILED;
    }
    return EXIT_ALL_OK;
}

typedef struct legend_job {
    const char *path;
    int size;
} legend_job;

static int apply_legend_option(void *ctx, int c, const char *arg)
{
    legend_job *j = ctx;

    if (c == 'o') {
        j->path = arg;
        return CLI_OPTION_OK;
    }
    if (c == 's' && cli_parse_int(arg, 16, 4096, &j->size))
        return CLI_OPTION_OK;
    cli_error("legend", "--size: expected 16..4096, got '%s'", arg);
    return CLI_OPTION_BAD;
}

int cli_legend_main(int argc, char **argv)
{
    static const struct option opts[] = {
        { "output", required_argument, NULL, 'o' },
        { "size", required_argument, NULL, 's' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    static const cli_command_line cl = { "legend", "o:h", opts, legend_usage,
                                         apply_legend_option };
    legend_job j = { NULL, 256 };
    int rc = cli_options(&cl, argc, argv, &j), format;

    if (rc != -1)
        return rc;
    if (j.path == NULL || optind < argc) {
        cli_error("legend", j.path == NULL ? "-o FILE is required" : "unexpected argument");
        legend_usage(stderr);
        return EXIT_USAGE;
    }
    if ((format = format_of_name(j.path)) < 0) {
        cli_error(j.path, "the name must end in .png, .jpg, .bmp or .tga");
        return EXIT_USAGE;
    }
    return write_legend(j.path, format, j.size);
}
