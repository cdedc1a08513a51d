/* cli_legend.c - imgrad legend -o FILE: the key to --outputs hsv.
 * A disc where the pixel at offset (dx, dy) from the centre (y down) has the
 * colour of a gradient (gx, gy) = (dx, dy) / radius at --scale 1: hue by
 * direction, brightness growing from black at the centre to full at the rim.
 * It is drawn by the same imgrad_to_hsv8 as the hsv product. */
#include "cli.h"
#include "plot/plot.h"

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void legend_usage(FILE *to)
{
    fputs("Usage: imgrad legend -o FILE [--size N] [--scale S]\n"
          "Writes the colour wheel of --outputs hsv to FILE (.png, .jpg, .bmp,\n"
          ".tga or .svg): the pixel at offset (dx, dy) from the centre, y down,\n"
          "shows a gradient pointing along (dx, dy) (red: right, +x; green-yellow:\n"
          "down, +y; cyan: left; violet: up) whose magnitude grows from 0 at the\n"
          "centre to the display scale at the rim.  Labelled +x, +y (down) and\n"
          "the rim's magnitude, on black.\n"
          "  -o, --output FILE   where to write (required)\n"
          "      --size N        the wheel's width in pixels, 16..4096 (default 256)\n"
          "      --scale S       the rim's magnitude to print (--scale of the hsv\n"
          "                      picture); default: the words 'the display scale'\n"
          "  -h, --help          show this help and exit\n", to);
}

/* Beside imgrad_format's values: the legend as SVG. */
#define FORMAT_SVG 100

/* The image format from FILE's extension; -1 when there is none imgrad writes. */
static int format_of_name(const char *path)
{
    static const struct { const char *ext; int format; } exts[] = {
        { ".png", IMGRAD_FORMAT_PNG }, { ".jpg", IMGRAD_FORMAT_JPG },
        { ".jpeg", IMGRAD_FORMAT_JPG }, { ".bmp", IMGRAD_FORMAT_BMP },
        { ".tga", IMGRAD_FORMAT_TGA }, { ".svg", FORMAT_SVG },
    };
    const char *dot = strrchr(path, '.');
    size_t i;

    for (i = 0; dot != NULL && i < sizeof exts / sizeof exts[0]; i++)
        if (strcmp(dot, exts[i].ext) == 0)
            return (int)exts[i].format;
    return -1;
}

/* The legend's text size for a wheel of size pixels. */
static double legend_text_size(int size)
{
    return size * 0.07 > 11 ? size * 0.07 : 11;
}

/* The labelled wheel as SVG at path, atomically. */
static imgrad_status write_svg(const char *path, plot_surface *s, int size, double ts,
                               const char *rim)
{
    imgrad_file f;
    imgrad_status st = imgrad_file_open(&f, path);

    if (st != IMGRAD_OK)
        return st;
    s->svg = f.fp;
    plot_svg_begin(s);
    st = plot_wheel(s, 0, 0, size, ts, rim);
    if (plot_svg_end(s) != IMGRAD_OK && st == IMGRAD_OK)
        st = IMGRAD_EIO;
    if (st == IMGRAD_OK)
        return imgrad_file_commit(&f);
    imgrad_file_abort(&f);
    return st;
}

/* The labelled wheel as an image at path. */
static imgrad_status write_image(const char *path, int format, plot_surface *s, int size,
                                 double ts, const char *rim)
{
    static const unsigned char black[3] = { 0, 0, 0 };
    plot_canvas c;
    imgrad_status st = plot_canvas_init(&c, s->width, s->height, black);

    if (st != IMGRAD_OK)
        return st;
    s->canvas = &c;
    if ((st = plot_wheel(s, 0, 0, size, ts, rim)) == IMGRAD_OK)
        st = imgrad_write_image8(path, (imgrad_format)format, c.rgb, c.width, c.height, 3, NULL);
    plot_canvas_free(&c);
    return st;
}

static int write_legend(const char *path, int format, int size, double scale)
{
    char rim[64];
    double ts = legend_text_size(size);
    plot_surface s;
    plot_font *font = plot_font_open();
    imgrad_status st;

    if (font == NULL)
        return EXIT_SOME_FAILED;
    if (scale > 0)
        snprintf(rim, sizeof rim, "rim: %.4g /px", scale);
    else
        snprintf(rim, sizeof rim, "rim: the display scale");
    memset(&s, 0, sizeof s);
    s.font = font;
    plot_wheel_box(font, size, ts, rim, &s.width, &s.height);
    st = format == FORMAT_SVG ? write_svg(path, &s, size, ts, rim)
                              : write_image(path, format, &s, size, ts, rim);
    plot_font_free(font);
    if (st != IMGRAD_OK) {
        cli_error(path, "cannot write: %s", cli_reason(st));
        return EXIT_SOME_FAILED;
    }
    return EXIT_ALL_OK;
}

typedef struct legend_job {
    const char *path;
    int size;
    double scale; /* --scale: the rim's magnitude; 0 = none given */
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
    if (c == 'S' && cli_parse_double(arg, &j->scale) && j->scale > 0)
        return CLI_OPTION_OK;
    if (c == 'S')
        cli_error("legend", "--scale: expected a number above 0, got '%s'", arg);
    else
        cli_error("legend", "--size: expected 16..4096, got '%s'", arg);
    return CLI_OPTION_BAD;
}

int cli_legend_main(int argc, char **argv)
{
    static const struct option opts[] = {
        { "output", required_argument, NULL, 'o' },
        { "size", required_argument, NULL, 's' },
        { "scale", required_argument, NULL, 'S' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    static const cli_command_line cl = { "legend", "o:h", opts, legend_usage,
                                         apply_legend_option };
    legend_job j = { NULL, 256, 0 };
    int rc = cli_options(&cl, argc, argv, &j), format;

    if (rc != -1)
        return rc;
    if (j.path == NULL || optind < argc) {
        cli_error("legend", j.path == NULL ? "-o FILE is required" : "unexpected argument");
        legend_usage(stderr);
        return EXIT_USAGE;
    }
    if ((format = format_of_name(j.path)) < 0) {
        cli_error(j.path, "the name must end in .png, .jpg, .bmp, .tga or .svg");
        return EXIT_USAGE;
    }
    return write_legend(j.path, format, j.size, j.scale);
}
