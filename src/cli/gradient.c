/* cli_gradient.c - the main job: imgrad [OPTIONS] INPUT...
 * Each input is decoded once, its requested products computed in one pass,
 * and each written as OUTDIR/<key>.<product>.<ext> (cli_batch.c finds the inputs). */
#include "cli.h"
#include "batch.h"
#include "ndarray.h"
#include "output.h"
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
#include <unistd.h>

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
    { "tiff", IMGRAD_FORMAT_TIFF, 0 }, { "tif", IMGRAD_FORMAT_TIFF, 1 },
};

/* --color: what a colour image's gradient is (docs/formats.md) */
enum { COLOR_LUMA, COLOR_CHANNELS, COLOR_DIZENZO };
static const cli_choice colors[] = {
    { "luma", COLOR_LUMA, 0 }, { "channels", COLOR_CHANNELS, 0 },
    { "dizenzo", COLOR_DIZENZO, 0 },
};

/* An input file (or an image piped in) larger than this is refused. */
#define MAX_INPUT_BYTES ((size_t)1 << 32)

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
    double isoline_sigma;       /* smoothing before the level lines, < 0 = by size */
    enum compat compat;         /* the last --compat */
    int norm_given;             /* --norm was given */
    double component_factor;    /* gx and gy multiplied by this before writing */
    plot_arrow_length arrow_length; /* quiver */
    int hsv_legend;             /* the colour wheel in the hsv picture's corner */
    double direction_mask;      /* 8-bit direction: mid-grey below this share of
                                   the magnitude's display scale */
    plot_font *font;            /* the pictures' text, loaded once */
    cli_batch batch;            /* folders, -j, resume, --stats, --shard */
    char *recipe[P_COUNT];      /* the options that shape each product's output */
    int depth;                  /* pictures: 8 or 16 bits per sample */
    int color;                  /* COLOR_LUMA, COLOR_CHANNELS, COLOR_DIZENZO */
    int to_stdout;              /* -o -: the one product to standard output */
    cli_nd nd;                  /* .npy arrays of any rank (ndarray.c) */
    double magnitude_scale;     /* this input's imgrad_auto_scale(magnitude), as
                                   the library returned it, else 0 */
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
"Inputs: PNG, JPEG, BMP, TGA, GIF (first frame), PSD, HDR, PNM, TIFF (8/16-bit\n"
"or float32; --page), WebP, HEIC/HEIF and AVIF images, and .npy 2-D arrays\n"
"(float32, float64, uint8, uint16, int16, int32, int64; C or Fortran order)\n"
"used as they are.  8-bit values are divided by 255, 16-bit by 65535.  Alpha\n"
"is ignored.  The grey depends on the input and --gray only, never on the\n"
"output format.\n"
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
"                         is npy or tiff\n"
"      --quiver-step N    pixels between arrows (default width / 32, >= 6)\n"
"      --arrow-length M   quiver: clip (default: full length at the 95th\n"
"                         percentile of the magnitudes, longer ones cut),\n"
"                         auto (proportional to the longest) or unit (all\n"
"                         equal: direction only)\n"
"      --isoline-levels N level lines (default 8)\n"
"      --isoline-sigma S  Gaussian smoothing in pixels (default auto: 2 per\n"
"                         800 pixels of the longer side, at least 2; 0 none)\n"
"      --legend           hsv: the labelled colour wheel in the bottom right\n"
"      --direction-mask F 8-bit direction: mid-grey (128) where the magnitude\n"
"                         is below F times its display scale (--scale or the\n"
"                         99th percentile); default 0.1, 0 shows all\n"
"      --format FMT       npy, png, jpg, bmp, tga or tiff (default png);\n"
"                         tiff: float32 products exactly as computed\n"
"                         (GDAL, QGIS, ImageJ), or 16-bit with --depth 16;\n"
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
"      --depth D          8 (default) or 16: png and tiff pictures at 65535\n"
"                         levels (hsv and the pictures stay 8-bit RGB)\n"
"  -o -                   the one product of the one input to standard\n"
"                         output; INPUT - reads an image from standard input\n"
"\n", to);
    fputs(
"Gradient (numpy.gradient's conventions):\n"
"      --color MODE       luma (default: the gradient of the grey),\n"
"                         channels (each colour channel's own: .npy of\n"
"                         shape (H, W, 3), RGB pictures), dizenzo (Di\n"
"                         Zenzo's colour gradient: edges between colours\n"
"                         of equal brightness too; docs/formats.md)\n"
"      --page N           the page of a multi-page TIFF, from 0 (default 0)\n"
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
    cli_nd_usage(to);
    fputc('\n', to);
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
    OPT_COMPAT, OPT_MAX_PIXELS, OPT_MAX_DIMENSION, OPT_CANNY, OPT_CANNY_SIGMA, OPT_DEPTH,
    OPT_COLOR, OPT_PAGE, OPT_ARROW_LENGTH, OPT_LEGEND, OPT_DIRECTION_MASK
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
    { "arrow-length", required_argument, NULL, OPT_ARROW_LENGTH },
    { "legend", no_argument, NULL, OPT_LEGEND },
    { "direction-mask", required_argument, NULL, OPT_DIRECTION_MASK },
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
    { "depth", required_argument, NULL, OPT_DEPTH },
    { "color", required_argument, NULL, OPT_COLOR },
    { "page", required_argument, NULL, OPT_PAGE },
    { "quiet", no_argument, NULL, 'q' },
    { "verbose", no_argument, NULL, 'v' },
    { "help", no_argument, NULL, 'h' },
    { "version", no_argument, NULL, 'V' },
    CLI_BATCH_LONG_OPTIONS,
    CLI_ND_LONG_OPTIONS,
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

    if ((k = apply_operator_option(j, c, arg)) >= 0 || (k = cli_nd_option(&j->nd, c, arg)) >= 0)
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
        return cli_nd_option(&j->nd, c == OPT_DX ? 'x' : 'y', arg);
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
        if (strcmp(arg, "auto") == 0)
            return j->isoline_sigma = -1, 1;
        if (cli_parse_double(arg, &d) && d >= 0 && d <= 100)
            return j->isoline_sigma = d, 1;
        return cli_error(NULL, "--isoline-sigma: expected auto or 0..100, got '%s'", arg), 0;
    case OPT_DEPTH:
        if (strcmp(arg, "8") == 0 || strcmp(arg, "16") == 0)
            return j->depth = atoi(arg), 1;
        return cli_error(NULL, "--depth: expected 8 or 16, got '%s'", arg), 0;
    case OPT_COLOR:
        return cli_parse_choice("color", arg, colors, COUNT(colors), &j->color);
    case OPT_PAGE:
        return cli_parse_int(arg, 0, INT_MAX, &j->load.page)
               || (cli_error(NULL, "--page: expected a page number from 0, got '%s'", arg), 0);
    case OPT_ARROW_LENGTH:
        return plot_parse_arrow_length(arg, &j->arrow_length)
               || (cli_error(NULL, "--arrow-length: expected auto, unit or clip, got '%s'", arg), 0);
    case OPT_LEGEND: j->hsv_legend = 1; return 1;
    case OPT_DIRECTION_MASK:
        if (cli_parse_double(arg, &d) && d >= 0 && d <= 1)
            return j->direction_mask = d, 1;
        return cli_error(NULL, "--direction-mask: expected 0..1, got '%s'", arg), 0;
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
        int f32 = 0; /* left unset when the read fails */
        if (j->coords_path[axis] == NULL)
            continue;
        st = imgrad_read_coords_dtype(j->coords_path[axis], &j->coords[axis],
                                      &j->coords_len[axis], &f32);
        if (st != IMGRAD_OK) {
            cli_error(j->coords_path[axis], "cannot read coordinates: %s",
                      st == IMGRAD_EEMPTY ? "the file holds no value" : cli_reason(st));
            return 0;
        }
        j->grad.coords_float32 |= f32 << axis; /* numpy's float32 steps */
    }
    return 1;
}

/* The format product is written in: hsv and the pictures are 8-bit colour,
 * so never .npy nor float TIFF (PNG then). */
static imgrad_format format_of(const job *j, int product)
{
    const int colour = product == P_HSV || product >= P_QUIVER;
    return colour && (j->format == IMGRAD_FORMAT_NPY || j->format == IMGRAD_FORMAT_TIFF)
               ? IMGRAD_FORMAT_PNG : j->format;
}

/* DIR/<key>.<product>.<ext>; key is the input's name below its folder
 * without extension ("sub/cat"), or its stem for a file given directly
 * ("stdin" for -). */
static char *output_path(const job *j, const char *key, int product)
{
    const char *ext = cli_choice_name(formats, COUNT(formats), (int)format_of(j, product));
    size_t size;
    char *path;

    if (strcmp(key, "-") == 0)
        key = "stdin";
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
    /* --stats keeps the grey's float64 residual, which can move a picture's
     * byte by one: a picture made without it is made again with it */
    add_token(s, "grey-residual=%d", j->load.residual);
    if (j->nd.active) {
        char nd[1024];
        cli_nd_recipe(&j->nd, nd, sizeof nd);
        add_token(s, "%s", nd);
    }
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
    add_token(&s, "orient=%d raw-range=%d page=%d depth=%d", j->load.orient,
              j->load.raw_range, j->load.page, j->depth);
    add_token(&s, "color=%s", cli_choice_name(colors, COUNT(colors), j->color));
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
        add_token(&s, "quiver-step=%d arrow-length=%d", j->quiver_step, (int)j->arrow_length);
    if (p == P_HSV)
        add_token(&s, "legend=%d", j->hsv_legend);
    if (p == P_DIRECTION && fmt != IMGRAD_FORMAT_NPY && fmt != IMGRAD_FORMAT_TIFF)
        add_token(&s, "direction-mask=%.17g", j->direction_mask);
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

/* quiver or isolines over grids[P_GRAY], as an RGB image. */
static imgrad_status write_picture(const job *j, const imgrad_grid *grids, int product,
                                   cli_sink sink)
{
    const imgrad_grid *gray = &grids[P_GRAY];
    const imgrad_write_options wo = write_options_for(j, product);
    int step = j->quiver_step ? j->quiver_step : gray->width / 32 > 6 ? gray->width / 32 : 6;
    plot_canvas c;
    imgrad_status st;

    double sigma = j->isoline_sigma >= 0 ? j->isoline_sigma
                                         : plot_isoline_sigma(gray->width, gray->height);
    st = product == P_QUIVER
             ? plot_render_quiver(gray, &grids[P_GX], &grids[P_GY], step, j->arrow_length,
                                  j->font, &c)
             : plot_render_isolines(gray, sigma, j->isoline_levels, j->font, &c);
    if (st != IMGRAD_OK)
        return st;
    st = cli_put_picture(sink, format_of(j, product), 8, c.rgb, c.width, c.height, 3, &wo);
    plot_canvas_free(&c);
    return st;
}

/* The magnitude's display scale: --scale, or its 99th percentile (the
 * library's, returned with the products, so that the magnitude picture, the
 * direction mask and hsv count it once). */
static double magnitude_display_scale(const job *j, const imgrad_grid *mag)
{
    return j->scale > 0 ? j->scale
           : j->magnitude_scale > 0 ? j->magnitude_scale : imgrad_auto_scale(mag);
}

/* The hsv picture from the magnitude and direction grids, as 8-bit RGB. */
static imgrad_status write_hsv(const job *j, const imgrad_grid *grids, cli_sink sink)
{
    const imgrad_grid *mag = &grids[P_MAGNITUDE];
    const double scale = magnitude_display_scale(j, mag);
    const imgrad_write_options wo = write_options_for(j, P_HSV);
    unsigned char *rgb = malloc(3 * (size_t)mag->width * (size_t)mag->height);
    imgrad_status st;

    if (rgb == NULL)
        return IMGRAD_ENOMEM;
    st = imgrad_to_hsv8(mag, &grids[P_DIRECTION], j->grad.angle_degrees, scale, rgb,
                        3 * (size_t)mag->width * (size_t)mag->height);
    if (st == IMGRAD_OK && j->hsv_legend)
        st = plot_hsv_legend(rgb, mag->width, mag->height, scale, j->font);
    if (st == IMGRAD_OK)
        st = cli_put_picture(sink, format_of(j, P_HSV), 8, rgb, mag->width, mag->height, 3,
                             &wo);
    free(rgb);
    return st;
}

/* g mapped to j->depth bits (len samples at out). */
static imgrad_status map_to(const job *j, const imgrad_grid *g, imgrad_map map, double scale,
                            void *out, size_t len)
{
    return j->depth == 16 ? imgrad_to_16bit(g, map, scale, out, len)
                          : imgrad_to_8bit(g, map, scale, out, len);
}

/* direction in pixels: the angle range, one full turn, spans all levels. */
static imgrad_status direction_to_pixels(const job *j, const imgrad_grid *g, void *px,
                                         size_t len)
{
    const double turn = j->grad.angle_degrees ? 360.0 : 2 * 3.14159265358979323846;

    if (j->grad.angle_positive)
        return map_to(j, g, IMGRAD_MAP_UNSIGNED, turn, px, len);
    if (j->grad.angle_degrees)
        return map_to(j, g, IMGRAD_MAP_SIGNED, turn / 2, px, len);
    return map_to(j, g, IMGRAD_MAP_ANGLE, 1, px, len);
}

/* The display scale of a product's count channels: one for all, so that
 * the channels of a picture compare. */
static double display_scale(const job *j, const imgrad_grid *g, int count, int product,
                            const imgrad_source_info *info)
{
    double scale = 0, s;
    int c;

    /* grey of an 8- or 16-bit photo is already in [0, 1] (OpenCV's whole
     * levels in 0..255 with raw_range); edges are 0 or 1 */
    if (product == P_GRAY
        && (info->kind == IMGRAD_SOURCE_8BIT || info->kind == IMGRAD_SOURCE_16BIT))
        return !j->load.raw_range ? 1.0
               : info->kind == IMGRAD_SOURCE_8BIT || j->load.gray == IMGRAD_GRAY_OPENCV
                   ? 255.0 : 65535.0;
    if (product == P_EDGES)
        return 1.0;
    if (product != P_GRAY && j->scale > 0)
        return j->scale;
    if (product == P_MAGNITUDE && count == 1)
        return magnitude_display_scale(j, g);
    for (c = 0; c < count; c++)
        if ((s = imgrad_auto_scale(&g[c])) > scale)
            scale = s;
    return scale;
}

/* The 8-bit direction plane px turned mid-grey where mag is below
 * --direction-mask times the magnitude's display scale. */
static void mask_direction(const job *j, unsigned char *px, const imgrad_grid *mag)
{
    plot_mask_direction(px, mag, j->direction_mask * magnitude_display_scale(j, mag));
}

/* "imgrad VERSION: PRODUCT of INPUT ..." for a TIFF's ImageDescription. */
static void describe(const job *j, const char *input, int product, char *out, size_t size)
{
    size_t k;
    const char *color = "luma";

    for (k = 0; k < COUNT(colors); k++)
        if (colors[k].value == j->color)
            color = colors[k].name;
    snprintf(out, size, "imgrad %s: %s of %s; operator %s, --color %s; float32 values as "
             "computed", imgrad_version(), products[product].name, input,
             cli_operator_name(j->grad.op), color);
}

/* Product p of count channel sets (sets[c][p]) in j's format and depth:
 * one grid, or count interleaved channels. */
static imgrad_status write_product(const job *j, imgrad_grid (*sets)[P_COUNT], int count,
                                   int product, const imgrad_source_info *info,
                                   const char *input, cli_sink sink)
{
    imgrad_grid g[3];
    const imgrad_write_options wo = write_options_for(j, product);
    const size_t len = (size_t)sets[0][product].width * (size_t)sets[0][product].height;
    const size_t bytes = j->depth == 16 ? 2 : 1;
    unsigned char *px, *plane;
    char desc[1024];
    double scale;
    imgrad_status st = IMGRAD_OK;
    size_t i;
    int c;

    for (c = 0; c < count; c++)
        g[c] = sets[c][product];
    if (product == P_HSV)
        return write_hsv(j, sets[0], sink);
    if (j->format == IMGRAD_FORMAT_NPY)
        return cli_put_npy(sink, g, count);
    if (j->format == IMGRAD_FORMAT_TIFF && j->depth != 16) {
        describe(j, input, product, desc, sizeof desc);
        return cli_put_tiff(sink, g, count, desc);
    }
    scale = display_scale(j, g, count, product, info);
    if (count == 1 && j->depth == 8 && product != P_DIRECTION) /* mapped as it is coded */
        return cli_put_mapped8(sink, j->format, &g[0], products[product].map, scale, &wo);
    px = malloc(len * bytes * (size_t)count);
    plane = count > 1 ? malloc(len * bytes) : px;
    for (c = 0; px != NULL && plane != NULL && c < count && st == IMGRAD_OK; c++) {
        st = product == P_DIRECTION ? direction_to_pixels(j, &g[c], plane, len)
                                    : map_to(j, &g[c], products[product].map, scale, plane, len);
        if (st == IMGRAD_OK && product == P_DIRECTION && j->depth == 8 && j->direction_mask > 0)
            mask_direction(j, plane, &sets[c][P_MAGNITUDE]);
        for (i = 0; count > 1 && i < len; i++) /* channel c of each pixel */
            memcpy(px + (i * (size_t)count + (size_t)c) * bytes, plane + i * bytes, bytes);
    }
    if (px == NULL || plane == NULL)
        st = IMGRAD_ENOMEM;
    if (st == IMGRAD_OK)
        st = cli_put_picture(sink, j->format, j->depth, px, g[0].width, g[0].height, count, &wo);
    if (plane != px)
        free(plane);
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
    /* (no grey when a JPEG was differentiated as decoded: 8-bit, finite) */
    in = grids[P_GRAY].data != NULL ? count_nonfinite(&grids[P_GRAY]) : 0;
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

/* The products to compute into grids: the requested ones, gx and gy for
 * quiver, gx, gy and magnitude for --stats, the magnitude for the direction
 * mask, magnitude and direction for hsv.  0 when none is needed. */
static int products_to_compute(const job *j, imgrad_grid *grids, const cli_work *w,
                               imgrad_products *want)
{
    imgrad_grid **slot[P_COUNT] = { NULL, &want->gx, &want->gy, &want->magnitude,
                                    &want->direction, &want->edges, NULL };
    int p;

    for (p = P_GX; p <= P_EDGES; p++)
        if (j->want[p] || (j->want[P_QUIVER] && p <= P_GY) /* quiver draws gx, gy */
            || (w->stats && p <= P_MAGNITUDE))             /* --stats: gx, gy, magnitude */
            *slot[p] = &grids[p];
    if (j->want[P_DIRECTION] && j->direction_mask > 0 && j->depth == 8
        && j->format != IMGRAD_FORMAT_NPY && j->format != IMGRAD_FORMAT_TIFF)
        want->magnitude = &grids[P_MAGNITUDE]; /* the mask */
    if (j->want[P_HSV]) { /* drawn from these two, written or not */
        want->magnitude = &grids[P_MAGNITUDE];
        want->direction = &grids[P_DIRECTION];
    }
    return want->gx || want->gy || want->magnitude || want->direction || want->edges;
}

/* Says why the gradient of a width x height input failed with st. */
static void compute_error(const job *j, const char *input, int width, int height,
                          imgrad_status st)
{
    if (st == IMGRAD_ETOOSMALL && j->grad.sigma > 0
        && floor(4 * j->grad.sigma + 0.5) > fmax(width, height))
        cli_error(input, "%dx%d is too small for --sigma %g: its kernel reaches %.0f pixels "
                  "from the centre (4 sigma); use --sigma %g or less",
                  width, height, j->grad.sigma, floor(4 * j->grad.sigma + 0.5),
                  floor((fmax(width, height) - 0.5) / 4 * 100) / 100);
    else if (st == IMGRAD_ETOOSMALL) /* say what was too short, as numpy does */
        cli_error(input, "%dx%d is too small: edge order %d needs at least %d samples "
                  "along each axis", width, height, j->grad.edge_order,
                  j->grad.edge_order + 1);
    else
        cli_error(input, "%s", cli_reason(st));
}

/* After the products are made: --compat's factor, the warning about values
 * that are not finite (against grids[P_GRAY] when there is one), Canny's
 * thresholds under -v. */
static void after_compute(const job *j, const char *input, imgrad_grid *grids, int channels,
                          const imgrad_products *want)
{
    scale_grid(&grids[P_GX], j->component_factor);
    scale_grid(&grids[P_GY], j->component_factor);
    if (channels == 0)
        warn_nonfinite(j, input, grids);
    if (want->edges && j->verbose > 0)
        cli_note("%s: canny thresholds low %.9g high %.9g%s", input, want->thresholds[0],
                 want->thresholds[1],
                 j->grad.canny_low < 0 && j->grad.canny_high < 0 ? " (automatic)" : "");
}

/* Computes the requested products (and gx, gy, magnitude for --stats)
 * into grids: of grids[P_GRAY], or with count channels, their colour
 * gradient (--color dizenzo). */
static int compute(const job *j, const char *input, imgrad_grid *grids,
                   const imgrad_grid *channels, int count, const cli_work *w,
                   double *magnitude_scale)
{
    double used[2];
    imgrad_products want = { .thresholds = used, .magnitude_scale = magnitude_scale };
    const imgrad_grid *shape = count > 0 ? &channels[0] : &grids[P_GRAY];
    imgrad_status st;

    if (!products_to_compute(j, grids, w, &want))
        return 1;
    st = count > 0 ? imgrad_color_gradient(channels, count, &j->grad, &want)
                   : imgrad_gradient(&grids[P_GRAY], &j->grad, &want);
    if (st != IMGRAD_OK) {
        compute_error(j, input, shape->width, shape->height, st);
        return 0;
    }
    after_compute(j, input, grids, count, &want);
    return 1;
}

/* Writes each requested product of the count channel sets unless w->write
 * is 0, then measures sets[0] for --stats. */
static int write_all(const job *j, const cli_input *in, imgrad_grid (*sets)[P_COUNT], int count,
                     const imgrad_source_info *info, const cli_work *w)
{
    const char *input = in->path;
    int p, ok = 1;
    imgrad_status st;

    for (p = 0; ok && w->write && p < P_COUNT; p++) {
        char *path;
        const cli_sink sink = { NULL, j->to_stdout ? stdout : NULL };
        if (!j->want[p])
            continue;
        path = output_path(j, in->key, p);
        if (path == NULL) {
            ok = 0;
        } else if (!j->to_stdout && same_file(path, input)) {
            cli_error(input, "refusing to overwrite the input with %s", path);
            ok = 0;
        } else if ((st = p >= P_QUIVER
                             ? write_picture(j, sets[0], p, (cli_sink){ path, sink.fp })
                             : write_product(j, sets, count, p, info, input,
                                             (cli_sink){ path, sink.fp })) != IMGRAD_OK) {
            cli_error(j->to_stdout ? "standard output" : path, "cannot write: %s",
                      cli_reason(st));
            ok = 0;
        } else if (j->verbose > 0) {
            cli_note("wrote %s", j->to_stdout ? "standard output" : path);
        }
        free(path);
    }
    if (ok && w->stats
        && (st = imgrad_gradient_stats(&sets[0][P_MAGNITUDE], &sets[0][P_GX], &sets[0][P_GY],
                                       w->edge_threshold, w->stats)) != IMGRAD_OK) {
        cli_error(input, "statistics: %s", cli_reason(st));
        ok = 0;
    }
    return ok;
}

/* Decodes one input's bytes as j's colour mode needs it: the grey into
 * *gray, the channels into channels[0..*count). */
static imgrad_status load_input(const job *j, const unsigned char *data, size_t len,
                                imgrad_grid *gray, imgrad_grid channels[3], int *count,
                                imgrad_source_info *info)
{
    const int need_gray = j->color == COLOR_LUMA
                          || j->want[P_GRAY] || j->want[P_QUIVER] || j->want[P_ISOLINES];
    imgrad_status st = IMGRAD_OK;

    *count = 0;
    if (need_gray && j->color != COLOR_CHANNELS)
        st = imgrad_load_gray_memory(data, len, &j->load, gray, info);
    if (st == IMGRAD_OK && j->color != COLOR_LUMA)
        st = imgrad_load_channels_memory(data, len, &j->load, channels, count, info);
    if (st != IMGRAD_OK)
        imgrad_grid_free(gray);
    return st;
}

/* float32 grids that each product keeps or needs on the way (Canny's
 * gradient, suppression and hysteresis; hsv's magnitude and direction and
 * its RGB; a picture's gradient, smoothed grey and RGB). */
static const int product_grids[P_COUNT] = {
    [P_GX] = 1, [P_GY] = 1, [P_MAGNITUDE] = 1, [P_DIRECTION] = 1, [P_EDGES] = 4,
    [P_HSV] = 3, [P_QUIVER] = 4, [P_ISOLINES] = 4,
};

/* The peak memory of one input, from its header and what j asks: the
 * file's bytes, a fixed allowance, and per pixel the larger of decoding
 * (the samples twice, as decoders keep a raw buffer beside the pixels, and
 * the grey grids being filled) and computing (the grey grids, the products'
 * float32 grids, at least gx and gy, and a grid's worth for the 8-bit
 * picture and its encoder).  docs/batches.md has the measurements. */
static uint64_t estimate_memory(const job *j, const imgrad_source_info *info, size_t len,
                                int stats)
{
    const uint64_t px = (uint64_t)info->width * (uint64_t)info->height;
    const int sample = info->kind == IMGRAD_SOURCE_8BIT ? 1
                       : info->kind == IMGRAD_SOURCE_16BIT ? 2 : 4;
    const int planes = j->color == COLOR_LUMA ? 1 : j->color == COLOR_CHANNELS ? 3 : 4;
    const int grey = planes * (j->load.residual ? 8 : 4);
    int p, grids = stats ? 3 : 0;
    uint64_t decode, compute;

    for (p = P_GX; p < P_COUNT; p++)
        grids += j->want[p] ? product_grids[p] : 0;
    grids = (grids < 2 ? 2 : grids) * (j->color == COLOR_CHANNELS ? 3 : 1);
    decode = 2 * (uint64_t)info->channels * (uint64_t)sample + (uint64_t)grey;
    compute = (uint64_t)grey + 4 * (uint64_t)grids + 4;
    return (uint64_t)len + ((uint64_t)16 << 20) + px * (decode > compute ? decode : compute);
}

/* Reads input whole and takes its estimated peak from w's memory budget
 * (*taken): 1, or 0 after a message (or stopped by a signal: no message). */
static int read_input(const job *j, const char *input, const cli_work *w, unsigned char **data,
                      size_t *len, uint64_t *taken)
{
    imgrad_source_info info;
    char need[32], cap[32];
    imgrad_status st;
    int got;

    *taken = 0;
    if ((st = cli_read_input(input, MAX_INPUT_BYTES, data, len)) != IMGRAD_OK) {
        cli_error(strcmp(input, "-") == 0 ? "standard input" : input, "%s", cli_reason(st));
        return 0;
    }
    if (w->memory == NULL || imgrad_probe_memory(*data, *len, &j->load, &info) != IMGRAD_OK)
        return 1; /* not an image it can size: decoding says why */
    *taken = estimate_memory(j, &info, *len, w->stats != NULL);
    cli_format_size(*taken, need, sizeof need);
    if (j->verbose > 0)
        cli_note("%s: needs about %s of memory at its peak (estimated)", input, need);
    if ((got = cli_memory_take(w->memory, *taken)) > 0)
        return 1;
    if (got == 0) {
        cli_format_size(w->memory->limit, cap, sizeof cap);
        cli_error(input, "needs about %s of memory (%dx%d, %d channel%s of %s) with the "
                  "products asked, more than the %s --max-memory allows; raise it or ask for "
                  "fewer products", need, info.width, info.height, info.channels,
                  info.channels == 1 ? "" : "s",
                  info.kind == IMGRAD_SOURCE_8BIT ? "8 bits" : info.kind == IMGRAD_SOURCE_16BIT
                  ? "16 bits" : "float", cap);
    }
    free(*data);
    *data = NULL;
    *taken = 0;
    return 0;
}

/* The products of a loaded input (its grey in sets[0][P_GRAY], or count
 * colour channels), written.  Frees the channels.  1, or 0 after a message. */
static int load_and_compute_rest(job *local, const cli_input *in, const cli_work *w,
                                 imgrad_grid (*sets)[P_COUNT], imgrad_grid *channels,
                                 int count, const imgrad_source_info *info)
{
    const char *input = in->path;
    int c, ok;

    if (local->verbose > 0)
        cli_note("%s: %dx%d, %d channel(s)", input, info->width, info->height, info->channels);
    ok = coords_fit(local, input, count > 0 ? &channels[0] : &sets[0][P_GRAY]);
    if (local->color == COLOR_CHANNELS) { /* each channel a grey image of its own */
        for (c = 0; c < count; c++) {
            sets[c][P_GRAY] = channels[c];
            ok = ok && compute(local, input, sets[c], NULL, 0, w, NULL);
        }
        return ok && write_all(local, in, sets, count, info, w);
    }
    ok = ok && compute(local, input, sets[0], channels, count, w, &local->magnitude_scale);
    ok = ok && write_all(local, in, sets, 1, info, w);
    for (c = 0; c < count; c++)
        imgrad_grid_free(&channels[c]);
    return ok;
}

/* Says why input could not be loaded. */
static void load_error(const job *j, const char *input, imgrad_status st)
{
    if (st == IMGRAD_ENOPAGE)
        cli_error(input, "--page %d: %s", j->load.page, cli_reason(st));
    else if (strcmp(input, "-") == 0)
        cli_error("standard input", "%s", cli_reason(st));
    else
        cli_load_error(input, st);
}

/* Nonzero when the input is a JPEG and nothing j asks needs its whole grey,
 * so that its products can be made as it is decoded
 * (imgrad_load_gradient_memory): no grey output or picture drawn over the
 * grey, no colour channels, no coordinates to check against the image's
 * size first.  A JPEG's grey is 8-bit, so never the cause of values that
 * are not finite: the warning about them needs no grey to compare with. */
static int made_as_decoded(const job *j, const unsigned char *data, size_t len)
{
    return len >= 3 && data[0] == 0xFF && data[1] == 0xD8 && data[2] == 0xFF
           && j->color == COLOR_LUMA && !j->want[P_GRAY] && !j->want[P_QUIVER]
           && !j->want[P_ISOLINES] && j->coords[0] == NULL && j->coords[1] == NULL;
}

/* One grey input decoded and differentiated in one pass, then written
 * (data is freed here).  1 on success, 0 after a message. */
static int process_as_decoded(job *local, const cli_input *in, const cli_work *w,
                              unsigned char *data, size_t len, imgrad_grid (*sets)[P_COUNT],
                              imgrad_source_info *info)
{
    double used[2];
    imgrad_products want = { .thresholds = used, .magnitude_scale = &local->magnitude_scale };
    imgrad_grid *grids = sets[0];
    imgrad_status st;

    memset(info, 0, sizeof *info);
    products_to_compute(local, grids, w, &want);
    st = imgrad_load_gradient_memory(data, len, &local->load, &local->grad, &want, info);
    free(data);
    if (st == IMGRAD_ETOOSMALL) {
        compute_error(local, in->path, info->width, info->height, st);
        return 0;
    }
    if (st != IMGRAD_OK) {
        load_error(local, in->path, st);
        return 0;
    }
    if (local->verbose > 0)
        cli_note("%s: %dx%d, %d channel(s)", in->path, info->width, info->height,
                 info->channels);
    after_compute(local, in->path, grids, 0, &want);
    return write_all(local, in, sets, 1, info, w);
}

/* One input: decode once, compute, write.  1 on success, 0 after a message.
 * Called from the batch's worker threads: reads the job, changes nothing. */
static int process_input(void *ctx, const cli_input *in, const cli_work *w)
{
    const job *j = ctx;
    const char *input = in->path;
    imgrad_grid sets[3][P_COUNT], channels[3];
    imgrad_source_info info;
    imgrad_products none = { 0 };
    job local = *j;
    unsigned char *data;
    size_t len;
    uint64_t taken;
    imgrad_status st;
    int c, p, count, ok;

    if ((ok = cli_nd_process(&j->nd, input, in->key, w->threads)) >= 0)
        return ok;
    memset(sets, 0, sizeof sets);
    if (!read_input(j, input, w, &data, &len, &taken))
        return 0;
    local.grad.x_coords = j->coords[0];
    local.grad.y_coords = j->coords[1];
    local.grad.threads = w->threads;
    if (made_as_decoded(j, data, len) && products_to_compute(j, sets[0], w, &none)) {
        ok = process_as_decoded(&local, in, w, data, len, sets, &info);
    } else {
        st = load_input(j, data, len, &sets[0][P_GRAY], channels, &count, &info);
        free(data);
        if (st != IMGRAD_OK) {
            load_error(j, input, st);
            ok = 0;
        } else {
            ok = load_and_compute_rest(&local, in, w, sets, channels, count, &info);
        }
    }
    for (c = 0; c < 3; c++)
        for (p = 0; p < P_COUNT; p++)
            imgrad_grid_free(&sets[c][p]);
    if (taken > 0)
        cli_memory_give(w->memory, taken);
    return ok;
}

/* What the N-D path (ndarray.c) needs to know of the job. */
static void setup_nd(job *j)
{
    int p;

    for (p = 0; p < P_COUNT; p++)
        if (j->want[p] && p != P_MAGNITUDE && j->nd.other_product == NULL)
            j->nd.other_product = products[p].name;
    j->nd.want_magnitude = j->want[P_MAGNITUDE];
    j->nd.edge_order = j->grad.edge_order;
    j->nd.format_npy = j->format == IMGRAD_FORMAT_NPY;
    j->nd.coords_given = j->coords_path[0] != NULL || j->coords_path[1] != NULL;
    j->nd.to_stdout = strcmp(j->outdir, "-") == 0;
    j->nd.verbose = j->verbose;
    j->nd.outdir = j->outdir;
}

/* Option combinations that cannot work, refused before any input is read;
 * also turns -o - on.  0 after a message. */
static int check_combination(job *j, char **args, int count)
{
    struct stat st;
    int p, wanted = 0;

    for (p = 0; p < P_COUNT; p++)
        wanted += j->want[p];
    if (j->depth == 16 && j->format != IMGRAD_FORMAT_PNG && j->format != IMGRAD_FORMAT_TIFF)
        return cli_error(NULL, "--depth 16: only png and tiff pictures have 16 bits"), 0;
    if (j->color == COLOR_CHANNELS && (j->want[P_HSV] || j->want[P_QUIVER] || j->want[P_ISOLINES]))
        return cli_error(NULL, "--color channels: hsv, quiver and isolines draw one gradient; "
                         "use --color luma or dizenzo for them"), 0;
    if (j->color == COLOR_CHANNELS && j->batch.stats_path != NULL)
        return cli_error(NULL, "--stats measures one gradient per image: not with "
                         "--color channels"), 0;
    if (j->color == COLOR_DIZENZO && j->grad.canny_mode != IMGRAD_CANNY_OWN && j->want[P_EDGES])
        return cli_error(NULL, "--canny %s: the --color dizenzo edges are imgrad's own Canny; "
                         "use --canny own (or --color luma for that library's Canny)",
                         cli_choice_name(cannys, COUNT(cannys), (int)j->grad.canny_mode)), 0;
    if (j->color == COLOR_DIZENZO && j->grad.norm_l1)
        return cli_error(NULL, "--norm l1: the --color dizenzo magnitude is the root of an "
                         "eigenvalue, it has no l1 form"), 0;
    if (strcmp(j->outdir, "-") != 0)
        return 1;
    if (count != 1 || j->batch.files_from != NULL
        || (stat(args[0], &st) == 0 && S_ISDIR(st.st_mode)))
        return cli_error(NULL, "-o -: writes the product of one input file to standard "
                         "output; give one file (or -), not %s",
                         count != 1 || j->batch.files_from ? "several" : "a folder"), 0;
    if (wanted != 1)
        return cli_error(NULL, "-o -: writes one product to standard output, --outputs "
                         "names %d", wanted), 0;
    if (isatty(STDOUT_FILENO))
        return cli_error(NULL, "-o -: standard output is a terminal; redirect it to a file "
                         "or a pipe"), 0;
    j->to_stdout = 1;
    return 1;
}

int cli_gradient_main(int argc, char **argv)
{
    job j;
    int rc, p;

    memset(&j, 0, sizeof j);
    cli_batch_default(&j.batch);
    cli_nd_default(&j.nd);
    imgrad_load_options_default(&j.load);
    imgrad_gradient_options_default(&j.grad);
    imgrad_write_options_default(&j.write);
    j.write.png_level = -1; /* each product's own, png_defaults */
    j.want[P_MAGNITUDE] = 1;
    j.format = IMGRAD_FORMAT_PNG;
    j.outdir = "imgrad-out";
    j.isoline_levels = 8;
    j.isoline_sigma = -1;
    j.arrow_length = PLOT_LENGTH_CLIP;
    j.direction_mask = 0.1;
    j.depth = 8;
    j.load.jpeg_luma = 1; /* --gray luma, for every output format */
    if ((rc = parse_args(&j, argc, argv)) >= 0)
        return rc;
    j.load.orient = !j.batch.no_orient;
    setup_nd(&j);
    /* float64 arithmetic changes only digits that pictures cannot show:
     * keep the grey's residual (4 bytes a pixel) for the float outputs
     * (.npy, float TIFF) and for --stats, whose figures must not depend on
     * the picture format */
    j.load.residual = j.format == IMGRAD_FORMAT_NPY
                      || (j.format == IMGRAD_FORMAT_TIFF && j.depth != 16)
                      || j.batch.stats_path != NULL;
    if ((j.want[P_QUIVER] || j.want[P_ISOLINES] || (j.want[P_HSV] && j.hsv_legend))
        && (j.font = plot_font_open()) == NULL) {
        rc = EXIT_SOME_FAILED;
    } else if (!check_combination(&j, argv + optind, argc - optind) || !load_coords(&j)) {
        rc = EXIT_USAGE;
    } else if (!make_recipes(&j)) {
        cli_error(NULL, "out of memory");
        rc = EXIT_SOME_FAILED;
    } else if (j.to_stdout) { /* one file, no batch: nothing to walk or resume */
        const cli_input in = { argv[optind], argv[optind], NULL };
        char why[160];
        cli_memory m;
        const cli_work w = { j.grad.threads, 1, NULL, 0, &m };
        cli_memory_init(&m, j.batch.max_memory ? j.batch.max_memory
                                               : cli_default_max_memory(why, sizeof why));
        rc = process_input(&j, &in, &w) ? EXIT_ALL_OK : EXIT_SOME_FAILED;
        cli_memory_destroy(&m);
    } else if (cli_mkdir_p(j.outdir) != 0) {
        cli_error(j.outdir, "cannot create the output folder: %s", strerror(errno));
        rc = EXIT_SOME_FAILED;
    } else {
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
    plot_font_free(j.font);
    return rc;
}
