/* cli_gradient.c - the main job: imgrad [OPTIONS] INPUT...
 * Each input is decoded once, its requested products computed in one pass,
 * and each written as OUTDIR/<stem>.<product>.<ext>. */
#include "cli.h"
#include "plot.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

enum product { P_GRAY, P_GX, P_GY, P_MAGNITUDE, P_DIRECTION, P_QUIVER, P_ISOLINES, P_COUNT };

static const struct {
    const char *name;
    imgrad_map map;
} products[P_COUNT] = {
    [P_GRAY]      = { "gray", IMGRAD_MAP_UNSIGNED },
    [P_GX]        = { "gx", IMGRAD_MAP_SIGNED },
    [P_GY]        = { "gy", IMGRAD_MAP_SIGNED },
    [P_MAGNITUDE] = { "magnitude", IMGRAD_MAP_UNSIGNED },
    [P_DIRECTION] = { "direction", IMGRAD_MAP_ANGLE },
    /* pictures over the photo, drawn by plot_photo.c */
    [P_QUIVER]    = { "quiver", IMGRAD_MAP_UNSIGNED },
    [P_ISOLINES]  = { "isolines", IMGRAD_MAP_UNSIGNED },
};

static const struct {
    const char *name;
    imgrad_format format;
} formats[] = {
    { "npy", IMGRAD_FORMAT_NPY }, { "png", IMGRAD_FORMAT_PNG },
    { "jpg", IMGRAD_FORMAT_JPG }, { "bmp", IMGRAD_FORMAT_BMP },
    { "tga", IMGRAD_FORMAT_TGA },
};

static const struct {
    const char *name;
    imgrad_gray_weights weights;
} grays[] = {
    { "rec601", IMGRAD_GRAY_REC601 }, { "rec709", IMGRAD_GRAY_REC709 },
    { "average", IMGRAD_GRAY_AVERAGE }, { "linear", IMGRAD_GRAY_LINEAR },
    { "skimage", IMGRAD_GRAY_SKIMAGE },
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

typedef struct job {
    imgrad_load_options load;
    imgrad_options grad;
    imgrad_write_options write;
    int want[P_COUNT];          /* products asked for */
    imgrad_format format;
    const char *outdir;
    double scale;               /* 8-bit display scale, 0 = per image */
    const char *coords_path[2]; /* --x-coords, --y-coords */
    double *coords[2];
    size_t coords_len[2];
    int verbose;                /* -1 quiet, 0 normal, 1 one line per file */
    int quiver_step;            /* pixels between arrows, 0 = width / 32 */
    int isoline_levels;
    double isoline_sigma;       /* smoothing before the level lines */
} job;

static void usage(FILE *to)
{
    fputs(
"Usage: imgrad [OPTIONS] INPUT...\n"
"Computes image gradients: the x and y derivatives of each INPUT's grey\n"
"values, their magnitude and their direction, written as images or .npy.\n"
"\n"
"Inputs: PNG, JPEG, BMP, TGA, GIF (first frame), PSD, HDR and PNM images at\n"
"8 or 16 bits (or float, HDR), and .npy 2-D arrays (float32, float64, uint8,\n"
"uint16, int16, int32, int64; C or Fortran order) used as they are.  8-bit\n"
"values are divided by 255, 16-bit by 65535.  Alpha is ignored.\n"
"\n"
"Outputs:\n"
"  -o, --output-dir DIR   write into DIR (default imgrad-out; created)\n"
"      --outputs LIST     comma-separated products (default magnitude):\n"
"                         gray, gx, gy, magnitude, direction, and the\n"
"                         pictures quiver (gradient arrows over the dimmed\n"
"                         photo) and isolines (level lines of the smoothed\n"
"                         grey values), PNG when FMT is npy\n"
"      --quiver-step N    pixels between arrows (default width / 32, >= 6)\n"
"      --isoline-levels N level lines (default 8)\n"
"      --isoline-sigma S  Gaussian smoothing in pixels (default 2, 0 none)\n"
"      --format FMT       npy, png, jpg, bmp or tga (default png)\n"
"                         files are DIR/<input stem>.<product>.<format>\n"
"      --scale S          8-bit images: the value shown as full white for\n"
"                         magnitude, and as 0/255 for -S/+S in gx and gy\n"
"                         (128 is 0); default: the 99th percentile of |value|\n"
"                         in each image.  direction maps (-pi, pi] to 0..255\n"
"      --png-level N      PNG compression 0..9 (default 6)\n"
"      --jpeg-quality N   JPEG quality 1..100 (default 95)\n"
"\n"
"Gradient (numpy.gradient's conventions):\n"
"      --gray WEIGHTS     rec601 (default: 0.299 R + 0.587 G + 0.114 B),\n"
"                         rec709 (0.2126, 0.7152, 0.0722), average,\n"
"                         linear (sRGB decoded to linear light, then rec709),\n"
"                         skimage (0.2125, 0.7154, 0.0721)\n"
"      --edge-order N     1 (default) or 2: accuracy of the one-sided\n"
"                         differences on the first and last row and column\n"
"      --dx H, --dy H     sample spacing along x (columns) and y (rows),\n"
"                         default 1; negative values are allowed, 0 is not\n"
"      --x-coords FILE    x position of each column (text or .npy; as many\n"
"                         values as the width, strictly increasing)\n"
"      --y-coords FILE    y position of each row, likewise\n"
"  -t, --threads N        threads for the kernel (default: all cores)\n"
"\n"
"  gx = d/dx along a row, gy = d/dy down the rows (y points down, numpy's\n"
"  axis 0); magnitude = hypot(gx, gy); direction = atan2(gy, gx) in radians\n"
"  in (-pi, pi], 0 where the magnitude is 0.  .npy outputs hold the float32\n"
"  values exactly as computed.\n"
"\n"
"Other:\n"
"  -q, --quiet            print only errors\n"
"  -v, --verbose          one line per input\n"
"  -h, --help             show this help and exit\n"
"  -V, --version          show the version and exit\n"
"\n"
"Exit status: 0 if every input was processed, 1 if some input failed (the\n"
"others are still written), 2 for a usage error.\n", to);
}

static int parse_outputs(job *j, char *list)
{
    char *tok, *save = NULL;
    int p;

    memset(j->want, 0, sizeof j->want);
    for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        for (p = 0; p < P_COUNT && strcmp(tok, products[p].name) != 0; p++)
            ;
        if (p == P_COUNT) {
            cli_error(NULL, "--outputs: unknown product '%s' (try --help)", tok);
            return 0;
        }
        j->want[p] = 1;
    }
    for (p = 0; p < P_COUNT; p++)
        if (j->want[p])
            return 1;
    cli_error(NULL, "--outputs: no product named");
    return 0;
}

/* Looks name up in a table of {name, value} pairs; -1 if absent. */
#define LOOKUP(table, key, result)                                   \
    do {                                                             \
        size_t i_;                                                   \
        (result) = -1;                                               \
        for (i_ = 0; i_ < COUNT(table); i_++)                        \
            if (strcmp((key), table[i_].name) == 0)                  \
                (result) = (int)i_;                                  \
    } while (0)

enum {
    OPT_OUTPUTS = 256, OPT_FORMAT, OPT_SCALE, OPT_GRAY, OPT_EDGE_ORDER, OPT_DX, OPT_DY,
    OPT_X_COORDS, OPT_Y_COORDS, OPT_PNG_LEVEL, OPT_JPEG_QUALITY, OPT_QUIVER_STEP,
    OPT_ISOLINE_LEVELS, OPT_ISOLINE_SIGMA
};

static const struct option long_options[] = {
    { "output-dir", required_argument, NULL, 'o' },
    { "outputs", required_argument, NULL, OPT_OUTPUTS },
    { "format", required_argument, NULL, OPT_FORMAT },
    { "scale", required_argument, NULL, OPT_SCALE },
    { "png-level", required_argument, NULL, OPT_PNG_LEVEL },
    { "jpeg-quality", required_argument, NULL, OPT_JPEG_QUALITY },
    { "gray", required_argument, NULL, OPT_GRAY },
    { "edge-order", required_argument, NULL, OPT_EDGE_ORDER },
    { "dx", required_argument, NULL, OPT_DX },
    { "dy", required_argument, NULL, OPT_DY },
    { "x-coords", required_argument, NULL, OPT_X_COORDS },
    { "y-coords", required_argument, NULL, OPT_Y_COORDS },
    { "quiver-step", required_argument, NULL, OPT_QUIVER_STEP },
    { "isoline-levels", required_argument, NULL, OPT_ISOLINE_LEVELS },
    { "isoline-sigma", required_argument, NULL, OPT_ISOLINE_SIGMA },
    { "threads", required_argument, NULL, 't' },
    { "quiet", no_argument, NULL, 'q' },
    { "verbose", no_argument, NULL, 'v' },
    { "help", no_argument, NULL, 'h' },
    { "version", no_argument, NULL, 'V' },
    { NULL, 0, NULL, 0 }
};

/* One option into j; 0 (after a message) when its value is bad. */
static int apply_option(job *j, int c, char *arg)
{
    int k;
    double d;

    switch (c) {
    case 'o': j->outdir = arg; return 1;
    case OPT_OUTPUTS: return parse_outputs(j, arg);
    case OPT_FORMAT:
        LOOKUP(formats, arg, k);
        if (k >= 0)
            j->format = formats[k].format;
        return k >= 0 || (cli_error(NULL, "--format: unknown format '%s'", arg), 0);
    case OPT_GRAY:
        LOOKUP(grays, arg, k);
        if (k >= 0)
            j->load.gray = grays[k].weights;
        return k >= 0 || (cli_error(NULL, "--gray: unknown weights '%s'", arg), 0);
    case OPT_SCALE:
        if (cli_parse_double(arg, &d) && d > 0)
            return j->scale = d, 1;
        return cli_error(NULL, "--scale: expected a positive number, got '%s'", arg), 0;
    case OPT_EDGE_ORDER:
        return cli_parse_int(arg, 1, 2, &j->grad.edge_order)
               || (cli_error(NULL, "--edge-order: expected 1 or 2, got '%s'", arg), 0);
    case OPT_DX:
    case OPT_DY:
        if (!cli_parse_double(arg, &d) || d == 0)
            return cli_error(NULL, "--%s: expected a nonzero number, got '%s'",
                             c == OPT_DX ? "dx" : "dy", arg), 0;
        *(c == OPT_DX ? &j->grad.dx : &j->grad.dy) = d;
        return 1;
    case OPT_X_COORDS: j->coords_path[0] = arg; return 1;
    case OPT_Y_COORDS: j->coords_path[1] = arg; return 1;
    case OPT_PNG_LEVEL:
        return cli_parse_int(arg, 0, 9, &j->write.png_level)
               || (cli_error(NULL, "--png-level: expected 0..9, got '%s'", arg), 0);
    case OPT_JPEG_QUALITY:
        return cli_parse_int(arg, 1, 100, &j->write.jpeg_quality)
               || (cli_error(NULL, "--jpeg-quality: expected 1..100, got '%s'", arg), 0);
    case 't':
        return cli_parse_int(arg, 1, 1024, &j->grad.threads)
               || (cli_error(NULL, "--threads: expected 1..1024, got '%s'", arg), 0);
    case OPT_QUIVER_STEP:
        return cli_parse_int(arg, 2, 100000, &j->quiver_step)
               || (cli_error(NULL, "--quiver-step: expected 2..100000, got '%s'", arg), 0);
    case OPT_ISOLINE_LEVELS:
        return cli_parse_int(arg, 1, 256, &j->isoline_levels)
               || (cli_error(NULL, "--isoline-levels: expected 1..256, got '%s'", arg), 0);
    case OPT_ISOLINE_SIGMA:
        if (cli_parse_double(arg, &d) && d >= 0 && d <= 100)
            return j->isoline_sigma = d, 1;
        return cli_error(NULL, "--isoline-sigma: expected 0..100, got '%s'", arg), 0;
    case 'q': j->verbose = -1; return 1;
    case 'v': j->verbose = 1; return 1;
    }
    return 0;
}

/* Parses argv into j.  Returns -1 to go on, or an exit status. */
static int parse_args(job *j, int argc, char **argv)
{
    int c;

    opterr = 0;
    while ((c = getopt_long(argc, argv, "o:t:qvhV", long_options, NULL)) != -1) {
        if (c == 'h') {
            usage(stdout);
            return EXIT_ALL_OK;
        }
        if (c == 'V') {
            printf("imgrad %s\n", imgrad_version());
            return EXIT_ALL_OK;
        }
        if (c == '?' || c == ':') {
            cli_error(NULL, "%s: unknown option or missing value", argv[optind - 1]);
            fputs("Try 'imgrad --help'.\n", stderr);
            return EXIT_USAGE;
        }
        if (!apply_option(j, c, optarg))
            return EXIT_USAGE;
    }
    if (optind >= argc) {
        cli_error(NULL, "no input given");
        fputs("Usage: imgrad [OPTIONS] INPUT...   (imgrad --help for more)\n", stderr);
        return EXIT_USAGE;
    }
    return -1;
}

/* Reads --x-coords / --y-coords once for all inputs. */
static int load_coords(job *j)
{
    int axis;

    for (axis = 0; axis < 2; axis++) {
        imgrad_status st;
        if (j->coords_path[axis] == NULL)
            continue;
        st = imgrad_read_coords(j->coords_path[axis], &j->coords[axis], &j->coords_len[axis]);
        if (st != IMGRAD_OK) {
            cli_error(j->coords_path[axis], "cannot read coordinates: %s", cli_reason(st));
            return 0;
        }
    }
    return 1;
}

/* The name part of path without its last extension, e.g. "a/cat.png" -> "cat". */
static char *stem_of(const char *path)
{
    const char *base = strrchr(path, '/');
    const char *dot;
    size_t n;
    char *stem;

    base = base ? base + 1 : path;
    dot = strrchr(base, '.');
    n = dot && dot != base ? (size_t)(dot - base) : strlen(base);
    if ((stem = malloc(n + 1)) != NULL) {
        memcpy(stem, base, n);
        stem[n] = '\0';
    }
    return stem;
}

static char *output_path(const job *j, const char *stem, int product)
{
    const char *ext = "npy";
    size_t i, size;
    char *path;

    for (i = 0; i < COUNT(formats); i++)
        if (formats[i].format == j->format && !(product >= P_QUIVER && i == 0))
            ext = formats[i].name;
    if (product >= P_QUIVER && j->format == IMGRAD_FORMAT_NPY)
        ext = "png"; /* pictures have no .npy form */
    size = strlen(j->outdir) + strlen(stem) + strlen(products[product].name) + strlen(ext) + 4;
    if ((path = malloc(size)) != NULL)
        snprintf(path, size, "%s/%s.%s.%s", j->outdir, stem, products[product].name, ext);
    return path;
}

/* Nonzero when a and b name the same existing file. */
static int same_file(const char *a, const char *b)
{
    struct stat sa, sb;
    return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev
           && sa.st_ino == sb.st_ino;
}

/* quiver or isolines over grids[P_GRAY], as an RGB image. */
static imgrad_status write_picture(const job *j, const imgrad_grid *grids, int product,
                                   const char *path)
{
    const imgrad_grid *gray = &grids[P_GRAY];
    int step = j->quiver_step ? j->quiver_step : gray->width / 32 > 6 ? gray->width / 32 : 6;
    imgrad__canvas c;
    imgrad_status st;

    st = product == P_QUIVER
             ? imgrad__render_quiver(gray, &grids[P_GX], &grids[P_GY], step, &c)
             : imgrad__render_isolines(gray, j->isoline_sigma, j->isoline_levels, &c);
    if (st != IMGRAD_OK)
        return st;
    st = imgrad_write_image8(path, j->format == IMGRAD_FORMAT_NPY ? IMGRAD_FORMAT_PNG : j->format,
                             c.rgb, c.width, c.height, 3, &j->write);
    imgrad__canvas_free(&c);
    return st;
}

/* The PNG filter for a product, fixed rather than adaptive (which tries
 * all five per row and doubles the encoding time).  Measured with libdeflate
 * on 3000x2000 photos and assets/: grey and the signed gx, gy compress best
 * predicted from the row above (up); magnitude and direction are mostly
 * fine detail that no predictor helps, and compress best unfiltered. */
static int png_filter_for(int product)
{
    return product == P_GRAY || product == P_GX || product == P_GY ? IMGRAD_PNG_UP
                                                                   : IMGRAD_PNG_NONE;
}

static imgrad_status write_product(const job *j, const imgrad_grid *g, int product,
                                   const imgrad_source_info *info, const char *path)
{
    imgrad_write_options wo = j->write;
    unsigned char *px;
    double scale = j->scale;
    imgrad_status st;

    wo.png_filter = png_filter_for(product);
    if (j->format == IMGRAD_FORMAT_NPY)
        return imgrad_write_npy(path, g);
    if ((px = malloc((size_t)g->width * (size_t)g->height)) == NULL)
        return IMGRAD_ENOMEM;
    /* grey of an 8- or 16-bit photo is already in [0, 1] */
    if (product == P_GRAY)
        scale = info->kind == IMGRAD_SOURCE_8BIT || info->kind == IMGRAD_SOURCE_16BIT
                    ? 1.0 : imgrad_auto_scale(g);
    else if (scale == 0)
        scale = imgrad_auto_scale(g);
    st = imgrad_to_8bit(g, products[product].map, scale, px);
    if (st == IMGRAD_OK)
        st = imgrad_write_image8(path, j->format, px, g->width, g->height, 1, &wo);
    free(px);
    return st;
}

/* Checks the coordinate files against this input's size. */
static int coords_fit(const job *j, const char *input, const imgrad_grid *g)
{
    const size_t size[2] = { (size_t)g->width, (size_t)g->height };
    int axis;

    for (axis = 0; axis < 2; axis++)
        if (j->coords[axis] != NULL && j->coords_len[axis] != size[axis]) {
            cli_error(input, "%s has %zu values but the image is %zu %s",
                      j->coords_path[axis], j->coords_len[axis], size[axis],
                      axis == 0 ? "columns wide" : "rows high");
            return 0;
        }
    return 1;
}

/* Computes the requested products of gray and writes each (gray included). */
static int compute_and_write(const job *j, const char *input, imgrad_grid *grids,
                             const imgrad_source_info *info)
{
    imgrad_products want = { NULL, NULL, NULL, NULL };
    imgrad_grid **slot[P_COUNT] = { NULL, &want.gx, &want.gy, &want.magnitude, &want.direction };
    char *stem = stem_of(input);
    int p, ok = stem != NULL;
    imgrad_status st;

    for (p = P_GX; p <= P_DIRECTION; p++)
        if (j->want[p] || (j->want[P_QUIVER] && p <= P_GY)) /* quiver draws gx, gy */
            *slot[p] = &grids[p];
    if (ok && (want.gx || want.gy || want.magnitude || want.direction)
        && (st = imgrad_gradient(&grids[P_GRAY], &j->grad, &want)) != IMGRAD_OK) {
        cli_error(input, "%s", cli_reason(st));
        ok = 0;
    }
    for (p = 0; ok && p < P_COUNT; p++) {
        char *path;
        if (!j->want[p])
            continue;
        path = output_path(j, stem, p);
        if (path == NULL) {
            ok = 0;
        } else if (same_file(path, input)) {
            cli_error(input, "refusing to overwrite the input with %s", path);
            ok = 0;
        } else if ((st = p >= P_QUIVER ? write_picture(j, grids, p, path)
                                       : write_product(j, &grids[p], p, info, path)) != IMGRAD_OK) {
            cli_error(path, "cannot write: %s", cli_reason(st));
            ok = 0;
        } else if (j->verbose > 0) {
            fprintf(stderr, "imgrad: wrote %s\n", path);
        }
        free(path);
    }
    free(stem);
    return ok;
}

/* One input: decode once, compute, write.  1 on success, 0 after a message. */
static int process_input(const job *j, const char *input)
{
    imgrad_grid grids[P_COUNT];
    imgrad_source_info info;
    imgrad_options grad = j->grad;
    job local = *j;
    imgrad_status st;
    int p, ok;

    memset(grids, 0, sizeof grids);
    st = imgrad_load_gray(input, &j->load, &grids[P_GRAY], &info);
    if (st != IMGRAD_OK) {
        cli_error(input, "%s", cli_reason(st));
        return 0;
    }
    if (j->verbose > 0)
        fprintf(stderr, "imgrad: %s: %dx%d, %d channel(s)\n", input, info.width,
                info.height, info.channels);
    ok = coords_fit(j, input, &grids[P_GRAY]);
    grad.x_coords = j->coords[0];
    grad.y_coords = j->coords[1];
    local.grad = grad;
    ok = ok && compute_and_write(&local, input, grids, &info);
    for (p = 0; p < P_COUNT; p++)
        imgrad_grid_free(&grids[p]);
    return ok;
}

int cli_gradient_main(int argc, char **argv)
{
    job j;
    int rc, i, failed = 0;

    memset(&j, 0, sizeof j);
    imgrad_load_options_default(&j.load);
    imgrad_options_default(&j.grad);
    imgrad_write_options_default(&j.write);
    j.want[P_MAGNITUDE] = 1;
    j.format = IMGRAD_FORMAT_PNG;
    j.outdir = "imgrad-out";
    j.isoline_levels = 8;
    j.isoline_sigma = 2;
    if ((rc = parse_args(&j, argc, argv)) >= 0)
        return rc;
    if (!load_coords(&j))
        rc = EXIT_USAGE;
    else if (cli_mkdir_p(j.outdir) != 0) {
        cli_error(j.outdir, "cannot create the output folder: %s", strerror(errno));
        rc = EXIT_SOME_FAILED;
    } else {
        for (i = optind; i < argc; i++)
            failed += !process_input(&j, argv[i]);
        rc = failed ? EXIT_SOME_FAILED : EXIT_ALL_OK;
    }
    free(j.coords[0]);
    free(j.coords[1]);
    return rc;
}
