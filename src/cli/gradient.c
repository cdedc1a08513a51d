/* cli_gradient.c - the main job: imgrad [OPTIONS] INPUT...
 * Each input is decoded once, its requested products computed in one pass,
 * and each written as OUTDIR/<key>.<product>.<ext> (cli_batch.c finds the inputs). */
#include "cli.h"
#include "batch.h"
#include "plot/plot.h"

#include <errno.h>
#include <float.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

enum product {
    P_GRAY, P_GX, P_GY, P_MAGNITUDE, P_DIRECTION, P_EDGES, P_HSV,
    P_QUIVER, P_ISOLINES, /* pictures: keep these last */
    P_COUNT
};

static const struct {
    const char *name;
    imgrad_map map;
} products[P_COUNT] = {
    [P_GRAY]      = { "gray", IMGRAD_MAP_UNSIGNED },
    [P_GX]        = { "gx", IMGRAD_MAP_SIGNED },
    [P_GY]        = { "gy", IMGRAD_MAP_SIGNED },
    [P_MAGNITUDE] = { "magnitude", IMGRAD_MAP_UNSIGNED },
    [P_DIRECTION] = { "direction", IMGRAD_MAP_ANGLE },
    [P_EDGES]     = { "edges", IMGRAD_MAP_UNSIGNED },  /* 0/1 shown as 0/255 */
    [P_HSV]       = { "hsv", IMGRAD_MAP_UNSIGNED },    /* colour, see write_hsv */
    /* pictures over the photo, drawn by plot_photo.c */
    [P_QUIVER]    = { "quiver", IMGRAD_MAP_UNSIGNED },
    [P_ISOLINES]  = { "isolines", IMGRAD_MAP_UNSIGNED },
};

/* Enumerated option values; the first name of a value is its file
 * extension or canonical spelling, aliases follow it. */
static const cli_choice formats[] = {
    { "npy", IMGRAD_FORMAT_NPY, 0 }, { "png", IMGRAD_FORMAT_PNG, 0 },
    { "jpg", IMGRAD_FORMAT_JPG, 0 }, { "jpeg", IMGRAD_FORMAT_JPG, 1 },
    { "bmp", IMGRAD_FORMAT_BMP, 0 }, { "tga", IMGRAD_FORMAT_TGA, 0 },
};

/* --gray: luma is rec601 except that a YCbCr JPEG's grey is its luma
 * plane (imgrad_load_options.jpeg_luma), whatever the output format.  GRAY_LUMA
 * is the CLI's own value for it, beside the library's weights. */
enum { GRAY_LUMA = -1 };
static const cli_choice grays[] = {
    { "luma", GRAY_LUMA, 0 }, { "rec601", IMGRAD_GRAY_REC601, 0 },
    { "rec709", IMGRAD_GRAY_REC709, 0 }, { "average", IMGRAD_GRAY_AVERAGE, 0 },
    { "linear", IMGRAD_GRAY_LINEAR, 0 }, { "skimage", IMGRAD_GRAY_SKIMAGE, 0 },
    { "opencv", IMGRAD_GRAY_OPENCV, 0 }, { "bt601", IMGRAD_GRAY_REC601, 1 },
    { "bt709", IMGRAD_GRAY_REC709, 1 }, { "mean", IMGRAD_GRAY_AVERAGE, 1 },
};

static const cli_choice borders[] = {
    { "reflect101", IMGRAD_BORDER_REFLECT101, 0 }, { "reflect", IMGRAD_BORDER_REFLECT, 0 },
    { "replicate", IMGRAD_BORDER_REPLICATE, 0 }, { "constant", IMGRAD_BORDER_CONSTANT, 0 },
    { "wrap", IMGRAD_BORDER_WRAP, 0 }, { "reflect_101", IMGRAD_BORDER_REFLECT101, 1 },
    { "mirror", IMGRAD_BORDER_REFLECT101, 1 }, { "symmetric", IMGRAD_BORDER_REFLECT, 1 },
    { "nearest", IMGRAD_BORDER_REPLICATE, 1 }, { "edge", IMGRAD_BORDER_REPLICATE, 1 },
};

static const cli_choice compat_names[] = {
    { "opencv", 0, 0 }, { "skimage", 1, 0 }, { "numpy", 2, 0 },
    { "cv2", 0, 1 }, { "scikit-image", 1, 1 },
};

/* --compat: what each library gives for its common call (docs/compat.md
 * names the calls).  opencv: cv2.imread's grey in 0..255 (raw_range),
 * cv2.Sobel, cartToPolar's angles, cv2.Canny.  skimage: rgb2gray, the
 * filters (scaled by compat_scale once the operator is known), and
 * feature.canny.  numpy: the RGB weighted as numpy code does. */
enum compat { COMPAT_NONE, COMPAT_OPENCV, COMPAT_SKIMAGE, COMPAT_NUMPY };

static const struct {
    const char *name;
    enum compat id;
    imgrad_operator op;
    int raw_scale;
    imgrad_border border;
    imgrad_gray_weights gray;
    int raw_range;
    int angle_positive;
    imgrad_canny_mode canny;
} compats[] = {
    { "opencv", COMPAT_OPENCV, IMGRAD_OP_SOBEL, 1, IMGRAD_BORDER_REFLECT101,
      IMGRAD_GRAY_OPENCV, 1, 1, IMGRAD_CANNY_OPENCV },
    { "skimage", COMPAT_SKIMAGE, IMGRAD_OP_SOBEL, 0, IMGRAD_BORDER_REFLECT,
      IMGRAD_GRAY_SKIMAGE, 0, 0, IMGRAD_CANNY_SKIMAGE },
    { "numpy", COMPAT_NUMPY, IMGRAD_OP_CENTRAL, 0, IMGRAD_BORDER_REFLECT101,
      IMGRAD_GRAY_REC601, 0, 0, IMGRAD_CANNY_OWN },
};

static const cli_choice cannys[] = {
    { "own", IMGRAD_CANNY_OWN, 0 }, { "opencv", IMGRAD_CANNY_OPENCV, 0 },
    { "skimage", IMGRAD_CANNY_SKIMAGE, 0 }, { "cv2", IMGRAD_CANNY_OPENCV, 1 },
};

/* --sigma's upper end: a radius of 4000 pixels, wider than most photos;
 * the library refuses a kernel wider than the image anyway. */
#define MAX_SIGMA 1000

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

typedef struct job {
    imgrad_load_options load;
    imgrad_gradient_options grad;
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
    enum compat compat;         /* the last --compat */
    int norm_given;             /* --norm was given */
    double component_factor;    /* gx and gy multiplied by this before writing */
    cli_batch batch;            /* folders, -j, resume, --stats, --shard */
    char *recipe[P_COUNT];      /* the options that shape each product's output */
} job;

static void usage(FILE *to)
{
    fputs(
"Usage: imgrad [OPTIONS] INPUT...\n"
"       imgrad COMMAND [OPTIONS] ...\n"
"Computes image gradients: the x and y derivatives of each INPUT's grey\n"
"values, their magnitude and their direction, written as images or .npy.\n"
"INPUT is a file or a folder (walked for images).\n"
"\n"
"Commands:\n", to);
    cli_print_commands(to);
    fputs(
"\n"
"Inputs: PNG, JPEG, BMP, TGA, GIF (first frame), PSD, HDR and PNM images at\n"
"8 or 16 bits (or float, HDR), and .npy 2-D arrays (float32, float64, uint8,\n"
"uint16, int16, int32, int64; C or Fortran order) used as they are.  8-bit\n"
"values are divided by 255, 16-bit by 65535.  Alpha is ignored.  The grey\n"
"depends on the input and --gray only, never on the output format.\n"
"\n"
"Outputs:\n"
"  -o, --output-dir DIR   write into DIR (default imgrad-out; created)\n"
"      --outputs LIST     comma-separated products (default magnitude):\n"
"                         gray, gx, gy, magnitude, direction,\n"
"                         edges (Canny: 0/255 in images, 0/1 in .npy),\n"
"                         hsv (colour: hue = direction, brightness =\n"
"                         magnitude; key: imgrad legend -o FILE), and the\n"
"                         pictures quiver (gradient arrows over the dimmed\n"
"                         photo) and isolines (level lines of the smoothed\n"
"                         grey values); hsv and pictures are PNG when FMT\n"
"                         is npy\n"
"      --quiver-step N    pixels between arrows (default width / 32, >= 6)\n"
"      --isoline-levels N level lines (default 8)\n"
"      --isoline-sigma S  Gaussian smoothing in pixels (default 2, 0 none)\n"
"      --format FMT       npy, png, jpg, bmp or tga (default png)\n"
"                         files are DIR/<input stem>.<product>.<format>\n"
"      --scale S          8-bit images: the value shown as full white for\n"
"                         magnitude, and as 0/255 for -S/+S in gx and gy\n"
"                         (128 is 0); default: the 99th percentile of |value|\n"
"                         in each image.  direction maps (-pi, pi] to 0..255\n"
"      --png-level N      PNG compression 0..9 (default 1; 6 for hsv, quiver\n"
"                         and isolines): 1 is imgrad's fast coder (byte runs\n"
"                         and Huffman codes, like zlib's Z_RLE), 0 and 2..9\n"
"                         are libdeflate's levels\n"
"      --jpeg-quality N   JPEG quality 1..100 (default 95)\n"
"\n"
"Gradient (numpy.gradient's conventions):\n"
"      --gray WEIGHTS     luma (default: a colour JPEG's luma plane, as\n"
"                         OpenCV and PIL read grey, else rec601),\n"
"                         rec601 (0.299 R + 0.587 G + 0.114 B of the RGB),\n"
"                         rec709 (0.2126, 0.7152, 0.0722), average,\n"
"                         linear (sRGB decoded to linear light, then rec709),\n"
"                         skimage (0.2125, 0.7154, 0.0721), opencv (exactly\n"
"                         cv2.imread(IMREAD_GRAYSCALE)'s whole levels)\n"
"      --edge-order N     1 (default) or 2: accuracy of the one-sided\n"
"                         differences on the first and last row and column\n"
"      --dx H, --dy H     sample spacing along x (columns) and y (rows),\n"
"                         default 1; negative values are allowed, 0 is not\n"
"      --x-coords FILE    x position of each column (text or .npy; as many\n"
"                         values as the width; any order, as numpy: steps\n"
"                         are signed, a repeated value gives inf or nan;\n"
"                         a float32 .npy is computed in float32 as numpy)\n"
"      --y-coords FILE    y position of each row, likewise\n"
"  -t, --threads N        threads for the kernel (default: OMP_NUM_THREADS,\n"
"                         else the CPUs this process may use, shared among\n"
"                         the -j files at once; -v says what it chose)\n"
"\n", to);
    /* in pieces: C99 promises string literals of only 4095 characters */
    fputs(
"Operators (3x3 masks as OpenCV's, divided by a unit ramp's response):\n"
"      --operator OP      central (default: numpy.gradient),\n"
"                         sobel   [-1 0 1; -2 0 2; -1 0 1] / 8,\n"
"                         scharr  [-3 0 3; -10 0 10; -3 0 3] / 32,\n"
"                         prewitt [-1 0 1; -1 0 1; -1 0 1] / 6,\n"
"                         roberts [-1 1; -1 1] / 2 (the 2x2 Roberts cross\n"
"                         turned to x and y), its value at pixel (x, y) is\n"
"                         the gradient at (x + 0.5, y + 0.5);\n"
"                         gy uses the transposed masks\n"
"      --kernel-scale S   unit (default: a unit ramp gives 1) or raw\n"
"                         (OpenCV's values: no divisor)\n"
"      --border B         reflect101 (default, gfedcb|abcdefgh|gfedcba),\n"
"                         reflect (fedcba|abcdefgh|hgfedcb), replicate,\n"
"                         constant, wrap: for the 3x3/2x2 operators and the\n"
"                         smoothing; central keeps numpy's one-sided edges\n"
"      --border-value V   the value outside the image for constant (0)\n"
"      --sigma S          Gaussian smoothing first, cut at radius\n"
"                         floor(4 S + 0.5); 0 = none (default)\n"
"      --norm N           magnitude l2 (default, hypot) or l1 (|gx| + |gy|)\n"
"      --angle U          direction in rad (default) or deg\n"
"      --angle-range R    signed (default, (-pi, pi]) or positive\n"
"                         ([0, 2pi), OpenCV's cartToPolar)\n"
"      --low T, --high T  Canny hysteresis thresholds in magnitude units;\n"
"                         default: high = Otsu's threshold of the magnitude\n"
"                         histogram but at least a noise floor, low =\n"
"                         high / 2 (one given: the other is half or twice\n"
"                         it); -v prints them\n"
"      --canny C          own (default: on this run's gradient, OpenCV's\n"
"                         suppression), opencv (cv2.Canny: raw Sobel, L1\n"
"                         unless --norm l2), skimage (skimage.feature.canny:\n"
"                         --canny-sigma smoothing, interpolated suppression)\n"
"      --canny-sigma S    the Gaussian of --canny skimage (default 1)\n"
"      --compat LIB       opencv, skimage or numpy: grey, units, operator,\n"
"                         border, angle range and Canny of that library\n"
"                         (docs/compat.md names the calls each product\n"
"                         equals); later options override\n"
"\n"
"Limits (checked from the file header, before any pixel is decoded):\n"
"      --max-pixels N     refuse an input of more than N pixels\n"
"                         (default 268435456, 256 Mpix)\n"
"      --max-dimension N  refuse an input wider or higher than N pixels\n"
"                         (default 65535)\n"
"\n"
"  gx = d/dx along a row, gy = d/dy down the rows (y points down, numpy's\n"
"  axis 0); magnitude = hypot(gx, gy); direction = atan2(gy, gx) in radians\n"
"  in (-pi, pi], 0 where the magnitude is 0.  .npy outputs hold the float32\n"
"  values exactly as computed.\n"
"\n", to);
    cli_batch_usage(to);
    fputs(
"Other:\n"
"  -q, --quiet            print only errors\n"
"  -v, --verbose          one line per input\n"
"  -h, --help             show this help and exit\n"
"  -V, --version          show the version and exit\n"
"\n"
"Exit status: 0 if every input was processed, 1 if some input failed (the\n"
"others are still written), 2 for a usage error.\n"
"\n"
"Examples:\n"
"  imgrad photo.jpg                       magnitude picture in imgrad-out/\n"
"  imgrad --outputs gx,gy --format npy -o out photo.png   float32 arrays\n"
"  imgrad -j 2 -o out photos/              a folder, two files at a time\n"
"  imgrad --compat opencv --format npy photo.png          OpenCV's conventions\n"
"  imgrad --outputs edges --sigma 1.4 photo.png           Canny edges\n"
"  imgrad field \"x^2 + 3*y^2\" -o out     the gradient of a formula, pictured\n", to);
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

/* The enumerated option opt from table into *out (an enum). */
#define CHOICE(opt, table, arg, out)                                           \
    (cli_parse_choice((opt), (arg), (table), COUNT(table), &k) ? ((out) = k, 1) : 0)

enum {
    OPT_OUTPUTS = 256, OPT_FORMAT, OPT_SCALE, OPT_GRAY, OPT_EDGE_ORDER, OPT_DX, OPT_DY,
    OPT_X_COORDS, OPT_Y_COORDS, OPT_PNG_LEVEL, OPT_JPEG_QUALITY, OPT_QUIVER_STEP,
    OPT_ISOLINE_LEVELS, OPT_ISOLINE_SIGMA, OPT_OPERATOR, OPT_KERNEL_SCALE, OPT_BORDER,
    OPT_BORDER_VALUE, OPT_SIGMA, OPT_NORM, OPT_ANGLE, OPT_ANGLE_RANGE, OPT_LOW, OPT_HIGH,
    OPT_COMPAT, OPT_MAX_PIXELS, OPT_MAX_DIMENSION, OPT_CANNY, OPT_CANNY_SIGMA
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
    { "operator", required_argument, NULL, OPT_OPERATOR },
    { "kernel-scale", required_argument, NULL, OPT_KERNEL_SCALE },
    { "border", required_argument, NULL, OPT_BORDER },
    { "border-value", required_argument, NULL, OPT_BORDER_VALUE },
    { "sigma", required_argument, NULL, OPT_SIGMA },
    { "norm", required_argument, NULL, OPT_NORM },
    { "angle", required_argument, NULL, OPT_ANGLE },
    { "angle-range", required_argument, NULL, OPT_ANGLE_RANGE },
    { "low", required_argument, NULL, OPT_LOW },
    { "high", required_argument, NULL, OPT_HIGH },
    { "compat", required_argument, NULL, OPT_COMPAT },
    { "canny", required_argument, NULL, OPT_CANNY },
    { "canny-sigma", required_argument, NULL, OPT_CANNY_SIGMA },
    { "threads", required_argument, NULL, 't' },
    { "max-pixels", required_argument, NULL, OPT_MAX_PIXELS },
    { "max-dimension", required_argument, NULL, OPT_MAX_DIMENSION },
    { "quiet", no_argument, NULL, 'q' },
    { "verbose", no_argument, NULL, 'v' },
    { "help", no_argument, NULL, 'h' },
    { "version", no_argument, NULL, 'V' },
    CLI_BATCH_LONG_OPTIONS,
    { NULL, 0, NULL, 0 }
};

/* A positive decimal count up to UINT64_MAX; 1 on success. */
static int parse_count(const char *s, uint64_t *out)
{
    char *end;
    unsigned long long v;

    errno = 0;
    if (*s < '0' || *s > '9') /* strtoull would take "-1" as a huge value */
        return 0;
    v = strtoull(s, &end, 10);
    if (*end != '\0' || errno == ERANGE || v == 0)
        return 0;
    *out = (uint64_t)v;
    return 1;
}

/* Sets j to the --compat preset k. */
static void apply_compat(job *j, int k)
{
    j->compat = compats[k].id;
    j->grad.op = compats[k].op;
    j->grad.raw_scale = compats[k].raw_scale;
    j->grad.border = compats[k].border;
    j->load.gray = compats[k].gray;
    j->load.jpeg_luma = 0;
    j->load.raw_range = compats[k].raw_range;
    j->grad.angle_positive = compats[k].angle_positive;
    j->grad.canny_mode = compats[k].canny;
    j->grad.canny_sigma = 1;
}

/* What depends on the final operator and norm, once all options are read.
 * skimage.filters.sobel_v and sobel_h (scharr, prewitt too) are twice
 * imgrad's unit components and its magnitude is sqrt((v^2 + h^2) / 2), so
 * hypot times sqrt(2); its roberts is sqrt((d1^2 + d2^2) / 2), imgrad's own
 * hypot.  cv2.Canny's L2gradient is false unless --norm l2 says so. */
static void finish_compat(job *j)
{
    const int roberts = j->grad.op == IMGRAD_OP_ROBERTS;

    j->component_factor = 1;
    if (j->compat == COMPAT_SKIMAGE && !j->grad.raw_scale) {
        j->grad.magnitude_factor = roberts ? 1.0 : 1.41421356237309504880;
        j->component_factor = roberts ? 1.0 : 2.0;
    }
    if (j->compat == COMPAT_OPENCV || j->grad.canny_mode == IMGRAD_CANNY_OPENCV)
        j->grad.canny_l2 = j->norm_given && !j->grad.norm_l1;
}

/* A word option: one of two names (flag set to 0 or 1); 0 after a message. */
static int word_option(const char *opt, const char *arg, const char *off, const char *on,
                       int *flag)
{
    const cli_choice two[] = { { off, 0, 0 }, { on, 1, 0 } };
    return cli_parse_choice(opt, arg, two, 2, flag);
}

/* The operator, border, smoothing, angle and Canny options; -1 when c is
 * not one of them, 0 (after a message) when its value is bad. */
static int apply_operator_option(job *j, int c, const char *arg)
{
    int k;
    double d;

    switch (c) {
    case OPT_OPERATOR:
        return cli_parse_operator(arg, &j->grad.op);
    case OPT_BORDER: return CHOICE("border", borders, arg, j->grad.border);
    case OPT_COMPAT:
        if (!cli_parse_choice("compat", arg, compat_names, COUNT(compat_names), &k))
            return 0;
        apply_compat(j, k);
        return 1;
    case OPT_KERNEL_SCALE:
        return word_option("kernel-scale", arg, "unit", "raw", &j->grad.raw_scale);
    case OPT_CANNY:
        return CHOICE("canny", cannys, arg, j->grad.canny_mode);
    case OPT_CANNY_SIGMA:
        if (cli_parse_double(arg, &d) && d >= 0 && d <= 100)
            return j->grad.canny_sigma = d, 1;
        return cli_error(NULL, "--canny-sigma: expected 0..100, got '%s'", arg), 0;
    case OPT_NORM:
        j->norm_given = 1;
        return word_option("norm", arg, "l2", "l1", &j->grad.norm_l1);
    case OPT_ANGLE: return word_option("angle", arg, "rad", "deg", &j->grad.angle_degrees);
    case OPT_ANGLE_RANGE:
        return word_option("angle-range", arg, "signed", "positive", &j->grad.angle_positive);
    case OPT_BORDER_VALUE:
        return cli_parse_double(arg, &j->grad.border_value)
               || (cli_error(NULL, "--border-value: expected a number, got '%s'", arg), 0);
    case OPT_SIGMA:
        if (!cli_parse_double(arg, &d) || d < 0 || d > MAX_SIGMA)
            return cli_error(NULL, "--sigma: expected 0..%d, got '%s'", MAX_SIGMA, arg), 0;
        j->grad.sigma = d;
        return 1;
    case OPT_LOW:
    case OPT_HIGH:
        if (!cli_parse_double(arg, &d) || d < 0)
            return cli_error(NULL, "--%s: expected a number >= 0, got '%s'",
                             c == OPT_SIGMA ? "sigma" : c == OPT_LOW ? "low" : "high", arg), 0;
        *(c == OPT_SIGMA ? &j->grad.sigma : c == OPT_LOW ? &j->grad.canny_low
                                                          : &j->grad.canny_high) = d;
        return 1;
    }
    return -1;
}

/* One option into j; 0 (after a message) when its value is bad. */
static int apply_option(job *j, int c, char *arg)
{
    int k;
    double d;

    if ((k = apply_operator_option(j, c, arg)) >= 0)
        return k;
    switch (c) {
    case 'o': j->outdir = arg; return 1;
    case OPT_OUTPUTS: return parse_outputs(j, arg);
    case OPT_FORMAT: return CHOICE("format", formats, arg, j->format);
    case OPT_GRAY:
        if (!cli_parse_choice("gray", arg, grays, COUNT(grays), &k))
            return 0;
        j->load.jpeg_luma = k == GRAY_LUMA;
        j->load.gray = k == GRAY_LUMA ? IMGRAD_GRAY_REC601 : (imgrad_gray_weights)k;
        return 1;
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
    case OPT_MAX_PIXELS:
        return parse_count(arg, &j->load.max_pixels)
               || (cli_error(NULL, "--max-pixels: expected a positive integer, got '%s'", arg), 0);
    case OPT_MAX_DIMENSION:
        return cli_parse_int(arg, 1, INT_MAX, &j->load.max_dimension)
               || (cli_error(NULL, "--max-dimension: expected 1..%d, got '%s'", INT_MAX, arg), 0);
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
    case 'q':
    case 'v':
        if (j->verbose == (c == 'q' ? 1 : -1))
            return cli_error(NULL, "-q and -v contradict each other: give one"), 0;
        j->verbose = c == 'q' ? -1 : 1;
        return 1;
    }
    return cli_batch_option(&j->batch, c, arg);
}

static int apply_main_option(void *ctx, int c, const char *arg)
{
    if (c == 'V') {
        printf("imgrad %s\n", imgrad_version());
        return CLI_OPTION_DONE;
    }
    return apply_option(ctx, c, (char *)arg) ? CLI_OPTION_OK : CLI_OPTION_BAD;
}

/* Parses argv into j.  Returns -1 to go on, or an exit status. */
static int parse_args(job *j, int argc, char **argv)
{
    static const cli_command_line cl = { NULL, "o:t:j:qvhV", long_options, usage,
                                         apply_main_option };
    int rc = cli_options(&cl, argc, argv, j);

    if (rc != -1)
        return rc;
    if (j->grad.canny_low >= 0 && j->grad.canny_high >= 0 && j->grad.canny_low > j->grad.canny_high) {
        cli_error(NULL, "--low %g is above --high %g: the low threshold must not exceed the high "
                  "one", j->grad.canny_low, j->grad.canny_high);
        return EXIT_USAGE;
    }
    finish_compat(j);
    if (optind >= argc && j->batch.files_from == NULL) {
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
        int f32;
        if (j->coords_path[axis] == NULL)
            continue;
        st = imgrad_read_coords_dtype(j->coords_path[axis], &j->coords[axis],
                                      &j->coords_len[axis], &f32);
        j->grad.coords_float32 |= f32 << axis; /* numpy's float32 steps */
        if (st != IMGRAD_OK) {
            cli_error(j->coords_path[axis], "cannot read coordinates: %s",
                      st == IMGRAD_EEMPTY ? "the file holds no value" : cli_reason(st));
            return 0;
        }
    }
    return 1;
}

/* The format product is written in: hsv and the pictures are colour, so
 * never .npy. */
static imgrad_format format_of(const job *j, int product)
{
    const int colour = product == P_HSV || product >= P_QUIVER;
    return colour && j->format == IMGRAD_FORMAT_NPY ? IMGRAD_FORMAT_PNG : j->format;
}

/* DIR/<key>.<product>.<ext>; key is the input's name below its folder
 * without extension ("sub/cat"), or its stem for a file given directly. */
static char *output_path(const job *j, const char *key, int product)
{
    const char *ext = cli_choice_name(formats, COUNT(formats), (int)format_of(j, product));
    size_t size;
    char *path;

    size = strlen(j->outdir) + strlen(key) + strlen(products[product].name) + strlen(ext) + 4;
    if ((path = malloc(size)) != NULL)
        snprintf(path, size, "%s/%s.%s.%s", j->outdir, key, products[product].name, ext);
    return path;
}

/* The batch's view of the outputs: the k-th wanted product's path. */
static char *nth_output_path(void *ctx, const char *key, int k)
{
    const job *j = ctx;
    int p;

    for (p = 0; p < P_COUNT; p++)
        if (j->want[p] && k-- == 0)
            return output_path(j, key, p);
    return NULL;
}

/* The batch's view of the records: the k-th wanted product's options. */
static const char *nth_output_options(void *ctx, int k)
{
    const job *j = ctx;
    int p;

    for (p = 0; p < P_COUNT; p++)
        if (j->want[p] && k-- == 0)
            return j->recipe[p];
    return NULL;
}

/* Appends " name=value" (printf) to the string at *s of *size bytes
 * (NULL stays NULL after a failed allocation). */
static void add_token(char **s, const char *fmt, ...)
{
    char token[4200];
    size_t n, m;
    char *bigger;
    va_list ap;

    if (*s == NULL)
        return;
    va_start(ap, fmt);
    vsnprintf(token, sizeof token, fmt, ap);
    va_end(ap);
    n = strlen(*s);
    m = strlen(token);
    if ((bigger = realloc(*s, n + m + 2)) == NULL) {
        free(*s);
        *s = NULL;
        return;
    }
    *s = bigger;
    snprintf(*s + n, m + 2, "%s%s", n ? " " : "", token);
}

/* "PATH:SIZE:MTIME" of a coordinates file: its content may change. */
static void add_coords_token(char **s, const char *name, const char *path)
{
    struct stat st;

    if (path == NULL)
        return;
    if (stat(path, &st) != 0)
        memset(&st, 0, sizeof st);
    add_token(s, "%s=%s:%lld:%lld.%09ld", name, path, (long long)st.st_size,
              (long long)st.st_mtim.tv_sec, (long)st.st_mtim.tv_nsec);
}

/* The gradient's options, in every product but the grey. */
static void add_gradient_tokens(const job *j, char **s)
{
    const imgrad_gradient_options *g = &j->grad;

    add_token(s, "operator=%s", cli_operator_name(g->op));
    add_token(s, "kernel-scale=%s", g->raw_scale ? "raw" : "unit");
    add_token(s, "border=%s", cli_choice_name(borders, COUNT(borders), (int)g->border));
    if (g->border == IMGRAD_BORDER_CONSTANT)
        add_token(s, "border-value=%.17g", g->border_value);
    add_token(s, "sigma=%.17g", g->sigma);
    add_token(s, "edge-order=%d", g->edge_order);
    add_token(s, "dx=%.17g", g->dx);
    add_token(s, "dy=%.17g", g->dy);
    add_coords_token(s, "x-coords", j->coords_path[0]);
    add_coords_token(s, "y-coords", j->coords_path[1]);
    add_token(s, "norm=%s", g->norm_l1 ? "l1" : "l2");
    add_token(s, "magnitude-factor=%.17g", g->magnitude_factor);
    add_token(s, "angle=%s", g->angle_degrees ? "deg" : "rad");
    add_token(s, "angle-range=%s", g->angle_positive ? "positive" : "signed");
    add_token(s, "component-factor=%.17g", j->component_factor);
    add_token(s, "coords-float32=%d", g->coords_float32);
}

/* The PNG level (unless --png-level) and filter of each product: the least
 * time for a size no larger than level 6's, measured on the bench photos and
 * assets/ (docs/performance.md#png-levels-and-filters).  Level 1, imgrad's
 * run-length coder, wins on every 8-bit product; the RGB pictures, whose
 * flat backgrounds libdeflate's matches code far better, keep level 6. */
static const struct {
    int level, filter;
} png_defaults[P_COUNT] = {
    [P_GRAY] = { 1, IMGRAD_PNG_PAETH },     [P_GX] = { 1, IMGRAD_PNG_UP },
    [P_GY] = { 1, IMGRAD_PNG_SUB },         [P_MAGNITUDE] = { 1, IMGRAD_PNG_NONE },
    [P_DIRECTION] = { 1, IMGRAD_PNG_NONE }, [P_EDGES] = { 1, IMGRAD_PNG_NONE },
    [P_HSV] = { 6, IMGRAD_PNG_ADAPTIVE },   [P_QUIVER] = { 6, IMGRAD_PNG_ADAPTIVE },
    [P_ISOLINES] = { 6, IMGRAD_PNG_ADAPTIVE },
};

/* j's write options for product: its PNG filter, and its level unless
 * --png-level gave one (j->write.png_level is -1 without).  The magnitude
 * of a smoothing mask (Sobel, Scharr, Prewitt) is predicted from the left. */
static imgrad_write_options write_options_for(const job *j, int product)
{
    const imgrad_operator op = j->grad.op;
    imgrad_write_options wo = j->write;

    wo.png_level = wo.png_level < 0 ? png_defaults[product].level : wo.png_level;
    wo.png_filter = png_defaults[product].filter;
    if (product == P_MAGNITUDE && op != IMGRAD_OP_CENTRAL && op != IMGRAD_OP_ROBERTS)
        wo.png_filter = IMGRAD_PNG_SUB;
    return wo;
}

/* The canonical "name=value ..." of what shapes product p's file: a record
 * (manifest.c) keeps it, and an output made with other options is made
 * again.  Threads, -j and the limits change no byte and are left out. */
static char *make_recipe(const job *j, int p)
{
    const imgrad_format fmt = format_of(j, p);
    char *s = calloc(1, 1);

    add_token(&s, "product=%s", products[p].name);
    add_token(&s, "format=%s", cli_choice_name(formats, COUNT(formats), (int)fmt));
    add_token(&s, "gray=%s", j->load.jpeg_luma ? "luma"
                             : cli_choice_name(grays, COUNT(grays), (int)j->load.gray));
    add_token(&s, "orient=%d raw-range=%d", j->load.orient, j->load.raw_range);
    if (p != P_GRAY && p != P_ISOLINES)
        add_gradient_tokens(j, &s);
    if (p == P_EDGES)
        add_token(&s, "low=%.17g high=%.17g canny=%s canny-l2=%d canny-sigma=%.17g",
                  j->grad.canny_low, j->grad.canny_high,
                  cli_choice_name(cannys, COUNT(cannys), (int)j->grad.canny_mode),
                  j->grad.canny_l2, j->grad.canny_sigma);
    if (fmt != IMGRAD_FORMAT_NPY && p != P_GRAY && p != P_EDGES && p != P_DIRECTION)
        add_token(&s, "scale=%.17g", j->scale);
    if (fmt == IMGRAD_FORMAT_PNG)
        add_token(&s, "png-level=%d", write_options_for(j, p).png_level);
    if (fmt == IMGRAD_FORMAT_JPG)
        add_token(&s, "jpeg-quality=%d", j->write.jpeg_quality);
    if (p == P_QUIVER)
        add_token(&s, "quiver-step=%d", j->quiver_step);
    if (p == P_ISOLINES)
        add_token(&s, "isoline-levels=%d isoline-sigma=%.17g", j->isoline_levels,
                  j->isoline_sigma);
    return s;
}

/* Every wanted product's recipe; 0 when out of memory. */
static int make_recipes(job *j)
{
    int p;

    for (p = 0; p < P_COUNT; p++)
        if (j->want[p] && (j->recipe[p] = make_recipe(j, p)) == NULL)
            return 0;
    return 1;
}

/* Nonzero when a and b name the same existing file. */
static int same_file(const char *a, const char *b)
{
    struct stat sa, sb;
    return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev
           && sa.st_ino == sb.st_ino;
}

/* A file written through cli_out (a signal removes its temporary): a .npy
 * of g when pixels is NULL, else an 8-bit image. */
static imgrad_status write_file(const char *path, imgrad_format fmt, const imgrad_grid *g,
                                const unsigned char *pixels, int width, int height,
                                int channels, const imgrad_write_options *o)
{
    imgrad_file f;
    imgrad_status st = cli_out_open(&f, path);

    if (st != IMGRAD_OK)
        return st;
    st = pixels == NULL ? imgrad_write_npy_fp(f.fp, g)
                        : imgrad_write_image8_fp(f.fp, fmt, pixels, width, height, channels, o);
    if (st != IMGRAD_OK) {
        cli_out_abort(&f);
        return st;
    }
    return cli_out_commit(&f);
}

/* quiver or isolines over grids[P_GRAY], as an RGB image. */
static imgrad_status write_picture(const job *j, const imgrad_grid *grids, int product,
                                   const char *path)
{
    const imgrad_grid *gray = &grids[P_GRAY];
    const imgrad_write_options wo = write_options_for(j, product);
    int step = j->quiver_step ? j->quiver_step : gray->width / 32 > 6 ? gray->width / 32 : 6;
    plot_canvas c;
    imgrad_status st;

    st = product == P_QUIVER
             ? plot_render_quiver(gray, &grids[P_GX], &grids[P_GY], step, &c)
             : plot_render_isolines(gray, j->isoline_sigma, j->isoline_levels, &c);
    if (st != IMGRAD_OK)
        return st;
    st = write_file(path, j->format == IMGRAD_FORMAT_NPY ? IMGRAD_FORMAT_PNG : j->format, NULL,
                    c.rgb, c.width, c.height, 3, &wo);
    plot_canvas_free(&c);
    return st;
}

/* The hsv picture from the magnitude and direction grids, as 8-bit RGB. */
static imgrad_status write_hsv(const job *j, const imgrad_grid *grids, const char *path)
{
    const imgrad_grid *mag = &grids[P_MAGNITUDE];
    const double scale = j->scale > 0 ? j->scale : imgrad_auto_scale(mag);
    const imgrad_write_options wo = write_options_for(j, P_HSV);
    unsigned char *rgb = malloc(3 * (size_t)mag->width * (size_t)mag->height);
    imgrad_status st;

    if (rgb == NULL)
        return IMGRAD_ENOMEM;
    st = imgrad_to_hsv8(mag, &grids[P_DIRECTION], j->grad.angle_degrees, scale, rgb,
                        3 * (size_t)mag->width * (size_t)mag->height);
    if (st == IMGRAD_OK)
        st = write_file(path, format_of(j, P_HSV), NULL, rgb, mag->width, mag->height, 3, &wo);
    free(rgb);
    return st;
}

/* direction in 8 bits: the angle range, one full turn, spans 0..255. */
static imgrad_status direction_to_8bit(const job *j, const imgrad_grid *g, unsigned char *px,
                                       size_t len)
{
    const double turn = j->grad.angle_degrees ? 360.0 : 2 * 3.14159265358979323846;

    if (j->grad.angle_positive)
        return imgrad_to_8bit(g, IMGRAD_MAP_UNSIGNED, turn, px, len);
    if (j->grad.angle_degrees)
        return imgrad_to_8bit(g, IMGRAD_MAP_SIGNED, turn / 2, px, len);
    return imgrad_to_8bit(g, IMGRAD_MAP_ANGLE, 1, px, len);
}

static imgrad_status write_product(const job *j, const imgrad_grid *grids, int product,
                                   const imgrad_source_info *info, const char *path)
{
    const imgrad_grid *g = &grids[product];
    const imgrad_write_options wo = write_options_for(j, product);
    const size_t len = (size_t)g->width * (size_t)g->height;
    unsigned char *px;
    double scale = j->scale;
    imgrad_status st;

    if (product == P_HSV)
        return write_hsv(j, grids, path);
    if (j->format == IMGRAD_FORMAT_NPY)
        return write_file(path, IMGRAD_FORMAT_NPY, g, NULL, 0, 0, 0, NULL);
    if ((px = malloc(len)) == NULL)
        return IMGRAD_ENOMEM;
    /* grey of an 8- or 16-bit photo is already in [0, 1] (OpenCV's whole
     * levels in 0..255 with raw_range); edges are 0 or 1 */
    if (product == P_GRAY)
        scale = info->kind != IMGRAD_SOURCE_8BIT && info->kind != IMGRAD_SOURCE_16BIT
                    ? imgrad_auto_scale(g)
                : !j->load.raw_range ? 1.0
                : info->kind == IMGRAD_SOURCE_8BIT || j->load.gray == IMGRAD_GRAY_OPENCV
                    ? 255.0 : 65535.0;
    else if (product == P_EDGES)
        scale = 1.0;
    else if (scale == 0)
        scale = imgrad_auto_scale(g);
    st = product == P_DIRECTION ? direction_to_8bit(j, g, px, len)
                                : imgrad_to_8bit(g, products[product].map, scale, px, len);
    if (st == IMGRAD_OK)
        st = write_file(path, j->format, NULL, px, g->width, g->height, 1, &wo);
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

/* How many values of g are NaN or infinite (|v| <= FLT_MAX is false for
 * them: a comparison the loop vectorises, where isfinite was a branch). */
static size_t count_nonfinite(const imgrad_grid *g)
{
    size_t n = 0;
    int x, y;

    for (y = 0; y < g->height; y++) {
        const float *row = g->data + (size_t)y * g->stride;
        int bad = 0;
#pragma omp simd reduction(+ : bad)
        for (x = 0; x < g->width; x++)
            bad += !(fabsf(row[x]) <= FLT_MAX);
        n += (size_t)bad;
    }
    return n;
}

/* Warns about each computed product that holds values that are not finite
 * when its input had none: an overflow of float32 (values or gradients
 * beyond 3.4e38, spacings near 0), never silent.  grids[P_GRAY] is the
 * input as computed on. */
static void warn_nonfinite(const job *j, const char *input, const imgrad_grid *grids)
{
    size_t in;
    int p;

    if (j->verbose < 0)
        return;
    in = count_nonfinite(&grids[P_GRAY]);
    if (in > 0) {
        cli_error(input, "warning: %zu input values are not finite in float32 (NaN, inf, or "
                  "beyond +-3.4e38)", in);
        return;
    }
    for (p = P_GX; p <= P_DIRECTION; p++) {
        size_t n = grids[p].data != NULL ? count_nonfinite(&grids[p]) : 0;
        if (n > 0)
            cli_error(input, "warning: %s holds %zu values that are not finite (beyond "
                      "float32's range), though the input has none", products[p].name, n);
    }
}

/* g multiplied by f (exactly, for the powers of two finish_compat uses). */
static void scale_grid(imgrad_grid *g, double f)
{
    int x, y;

    for (y = 0; f != 1 && g->data != NULL && y < g->height; y++)
        for (x = 0; x < g->width; x++)
            g->data[(size_t)y * g->stride + x] *= (float)f;
}

/* Computes the requested products of gray (and gx, gy, magnitude for
 * --stats), writes each requested one unless w->write is 0 (gray
 * included), then measures. */
static int compute_and_write(const job *j, const cli_input *in, imgrad_grid *grids,
                             const imgrad_source_info *info, const cli_work *w)
{
    double used[2];
    imgrad_products want = { .thresholds = used };
    imgrad_grid **slot[P_COUNT] = { NULL, &want.gx, &want.gy, &want.magnitude,
                                    &want.direction, &want.edges, NULL };
    const char *input = in->path;
    int p, ok = 1;
    imgrad_status st;

    for (p = P_GX; p <= P_EDGES; p++)
        if (j->want[p] || (j->want[P_QUIVER] && p <= P_GY) /* quiver draws gx, gy */
            || (w->stats && p <= P_MAGNITUDE))             /* --stats: gx, gy, magnitude */
            *slot[p] = &grids[p];
    if (j->want[P_HSV]) { /* drawn from these two, written or not */
        want.magnitude = &grids[P_MAGNITUDE];
        want.direction = &grids[P_DIRECTION];
    }
    if (ok && (want.gx || want.gy || want.magnitude || want.direction || want.edges)
        && (st = imgrad_gradient(&grids[P_GRAY], &j->grad, &want)) != IMGRAD_OK) {
        if (st == IMGRAD_ETOOSMALL && j->grad.sigma > 0
            && floor(4 * j->grad.sigma + 0.5) > fmax(grids[P_GRAY].width, grids[P_GRAY].height))
            cli_error(input, "%dx%d is too small for --sigma %g: its kernel reaches %.0f pixels "
                      "from the centre (4 sigma); use --sigma %g or less",
                      grids[P_GRAY].width, grids[P_GRAY].height, j->grad.sigma,
                      floor(4 * j->grad.sigma + 0.5),
                      floor((fmax(grids[P_GRAY].width, grids[P_GRAY].height) - 0.5) / 4 * 100) / 100);
        else if (st == IMGRAD_ETOOSMALL) /* say what was too short, as numpy does */
            cli_error(input, "%dx%d is too small: edge order %d needs at least %d samples "
                      "along each axis", grids[P_GRAY].width, grids[P_GRAY].height,
                      j->grad.edge_order, j->grad.edge_order + 1);
        else
            cli_error(input, "%s", cli_reason(st));
        ok = 0;
    }
    if (ok) {
        scale_grid(&grids[P_GX], j->component_factor);
        scale_grid(&grids[P_GY], j->component_factor);
        warn_nonfinite(j, input, grids);
    }
    if (ok && want.edges && j->verbose > 0)
        cli_note("%s: canny thresholds low %.9g high %.9g%s", input, used[0], used[1],
                 j->grad.canny_low < 0 && j->grad.canny_high < 0 ? " (automatic)" : "");
    for (p = 0; ok && w->write && p < P_COUNT; p++) {
        char *path;
        if (!j->want[p])
            continue;
        path = output_path(j, in->key, p);
        if (path == NULL) {
            ok = 0;
        } else if (same_file(path, input)) {
            cli_error(input, "refusing to overwrite the input with %s", path);
            ok = 0;
        } else if ((st = p >= P_QUIVER ? write_picture(j, grids, p, path)
                                       : write_product(j, grids, p, info, path)) != IMGRAD_OK) {
            cli_error(path, "cannot write: %s", cli_reason(st));
            ok = 0;
        } else if (j->verbose > 0) {
            cli_note("wrote %s", path);
        }
        free(path);
    }
    if (ok && w->stats
        && (st = imgrad_gradient_stats(&grids[P_MAGNITUDE], &grids[P_GX], &grids[P_GY],
                                       w->edge_threshold, w->stats)) != IMGRAD_OK) {
        cli_error(input, "statistics: %s", cli_reason(st));
        ok = 0;
    }
    return ok;
}

/* One input: decode once, compute, write.  1 on success, 0 after a message.
 * Called from the batch's worker threads: reads the job, changes nothing. */
static int process_input(void *ctx, const cli_input *in, const cli_work *w)
{
    const job *j = ctx;
    const char *input = in->path;
    imgrad_grid grids[P_COUNT];
    imgrad_source_info info;
    imgrad_gradient_options grad = j->grad;
    job local = *j;
    imgrad_status st;
    int p, ok;

    memset(grids, 0, sizeof grids);
    st = imgrad_load_gray(input, &j->load, &grids[P_GRAY], &info);
    if (st != IMGRAD_OK) {
        cli_load_error(input, st);
        return 0;
    }
    if (j->verbose > 0)
        cli_note("%s: %dx%d, %d channel(s)", input, info.width, info.height, info.channels);
    ok = coords_fit(j, input, &grids[P_GRAY]);
    grad.x_coords = j->coords[0];
    grad.y_coords = j->coords[1];
    grad.threads = w->threads;
    local.grad = grad;
    ok = ok && compute_and_write(&local, in, grids, &info, w);
    for (p = 0; p < P_COUNT; p++)
        imgrad_grid_free(&grids[p]);
    return ok;
}

int cli_gradient_main(int argc, char **argv)
{
    job j;
    int rc, p;

    memset(&j, 0, sizeof j);
    cli_batch_default(&j.batch);
    imgrad_load_options_default(&j.load);
    imgrad_gradient_options_default(&j.grad);
    imgrad_write_options_default(&j.write);
    j.write.png_level = -1; /* each product's own, png_defaults */
    j.want[P_MAGNITUDE] = 1;
    j.format = IMGRAD_FORMAT_PNG;
    j.outdir = "imgrad-out";
    j.isoline_levels = 8;
    j.isoline_sigma = 2;
    j.load.jpeg_luma = 1; /* --gray luma, for every output format */
    if ((rc = parse_args(&j, argc, argv)) >= 0)
        return rc;
    j.load.orient = !j.batch.no_orient;
    if (!load_coords(&j))
        rc = EXIT_USAGE;
    else if (!make_recipes(&j)) {
        cli_error(NULL, "out of memory");
        rc = EXIT_SOME_FAILED;
    }
    else if (cli_mkdir_p(j.outdir) != 0) {
        cli_error(j.outdir, "cannot create the output folder: %s", strerror(errno));
        rc = EXIT_SOME_FAILED;
    } else {
        /* float64 arithmetic changes only digits that 8-bit pictures cannot
         * show: keep the grey's residual (4 bytes a pixel) for .npy and for
         * --stats, whose figures must not depend on the picture format */
        j.load.residual = j.format == IMGRAD_FORMAT_NPY || j.batch.stats_path != NULL;
        j.batch.verbose = j.verbose;
        j.batch.threads = j.grad.threads;
        j.batch.outdir = j.outdir;
        j.batch.ctx = &j;
        j.batch.output_path = nth_output_path;
        j.batch.output_options = nth_output_options;
        j.batch.process = process_input;
        rc = cli_batch_run(&j.batch, argv + optind, argc - optind);
    }
    free(j.coords[0]);
    free(j.coords[1]);
    for (p = 0; p < P_COUNT; p++)
        free(j.recipe[p]);
    return rc;
}
