/* cli_bench.c - imgrad bench: times each stage of the photo-to-gradient path
 * (decode, grey, gradient, magnitude and direction, 8-bit mapping, PNG
 * encoding) and a memory-copy probe in the same run.
 *
 * Before anything is timed, the kernel's four products are checked against
 * a plain reference written here (numpy's formulas one pixel at a time, and
 * polar.c's hypotf / atan2f reference), so a fast wrong kernel fails loudly.
 * Each stage runs once to warm up, then --repeat times; the median is shown
 * with the fastest and slowest run, beside the instruction set the kernels
 * ran with (imgrad_isa: IMGRAD_ISA holds it lower) and a warning when the
 * load average was above the number of cores (the figures are then suspect).
 *
 * Memory: outputs freed by one repeat are reused by the next (the bench asks
 * glibc to serve large blocks from its heap rather than fresh mappings), as
 * in a program that processes many images; "cold_ms" is the first call, on
 * memory fresh from the kernel, which pays for zeroing every page. */
#include "cli.h"
#include "imgrad.h"

#include <getopt.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#ifdef _OPENMP
#include <omp.h>
#endif

#define MAX_REPEAT 1000

typedef struct bench {
    int width, height;       /* synthetic size, --size */
    imgrad_operator op;      /* central, sobel, scharr or prewitt */
    int threads, repeat, json, png_level;
    const char *image;       /* or NULL: a synthetic JPEG */
    unsigned char *file;     /* the encoded input */
    size_t file_len;
    imgrad_grid gray;
    imgrad_gradient_options grad;
} bench;

/* The times of a stage's timed runs in ms; med < 0 when the stage failed. */
typedef struct stage_time {
    double min, med, max;
} stage_time;

/* Results: stage times, and what they moved. */
typedef struct result {
    stage_time decode, gray, gxgy, magnitude, kernel, to8, encode, copy;
    stage_time luma;         /* a YCbCr JPEG's luma to grey, the program's path
                                for 8-bit outputs; med -1 for other inputs */
    stage_time banded;       /* the same luma and the magnitude in one banded
                                pass (imgrad_load_gradient_memory) */
    double cold;             /* the kernel's first call, on fresh memory */
    double load[2];          /* load average (1 minute) before and after */
    double copy_bytes;
    size_t png_bytes;
} result;

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec * 1e-6;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* A stage is a function of the bench and a slot for its output; timed runs
 * it warm-up + repeat times and returns its times (med -1 on failure). */
typedef int (*stage_fn)(bench *b, void *slot);

static stage_time timed(bench *b, stage_fn fn, void *slot, void (*release)(void *))
{
    double t[MAX_REPEAT + 1];
    stage_time s = { -1, -1, -1 };
    int i;

    for (i = 0; i <= b->repeat; i++) {
        double t0;
        if (release != NULL && i > 0)
            release(slot);
        t0 = now_ms();
        if (!fn(b, slot))
            return s;
        t[i] = now_ms() - t0;
    }
    s.med = median(t + 1, b->repeat); /* t[0] was the warm-up; now sorted */
    s.min = t[1];
    s.max = t[b->repeat];
    return s;
}

static void usage(FILE *to)
{
    fputs(
"Usage: imgrad bench [OPTIONS] [IMAGE]\n"
"Times decoding, grey conversion, the gradient kernel, magnitude and\n"
"direction, 8-bit mapping and PNG encoding of IMAGE (default: a synthetic\n"
"photo-like JPEG of --size), and a memory copy in the same run.\n"
"\n"
"  --size WxH        synthetic image size (default 4096x4096)\n"
"  --operator OP     central (default), sobel, scharr or prewitt\n"
"  --threads N       kernel and copy threads (default: all cores)\n"
"  --repeat N        timed runs per stage after one warm-up (default 5)\n"
"  --png-level N     PNG compression 0..9 (default 1, the program's for\n"
"                    magnitudes, with its filter)\n"
"  --json            also print one JSON object as the last line\n"
"  -h, --help        show this help\n"
"\n"
"Exits 1 if the kernel disagrees with the plain reference.\n", to);
}

static int parse_size(const char *s, int *w, int *h)
{
    char head[32];
    const char *tail;

    return cli_split_pair(s, 'x', head, sizeof head, &tail) && cli_parse_int(head, 3, 65535, w)
           && cli_parse_int(tail, 3, 65535, h);
}

enum { OPT_SIZE = 256, OPT_OPERATOR, OPT_THREADS, OPT_REPEAT, OPT_JSON, OPT_PNG_LEVEL };

static const struct option long_options[] = {
    { "size", required_argument, NULL, OPT_SIZE },
    { "operator", required_argument, NULL, OPT_OPERATOR },
    { "threads", required_argument, NULL, OPT_THREADS },
    { "repeat", required_argument, NULL, OPT_REPEAT },
    { "png-level", required_argument, NULL, OPT_PNG_LEVEL },
    { "json", no_argument, NULL, OPT_JSON },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 }
};

static int apply_option(bench *b, int c, const char *arg)
{
    switch (c) {
    case OPT_SIZE:
        return parse_size(arg, &b->width, &b->height)
               || (cli_error(NULL, "--size: expected WxH (3..65535), got '%s'", arg), 0);
    case OPT_OPERATOR:
        /* Roberts has no 3x3 reference kernel in the bench's check */
        if (!cli_parse_operator(arg, &b->op))
            return 0;
        return b->op != IMGRAD_OP_ROBERTS
               || (cli_error(NULL, "--operator: roberts has no reference here (choose central, "
                             "sobel, scharr or prewitt)"), 0);
    case OPT_THREADS:
        return cli_parse_int(arg, 1, 1024, &b->threads)
               || (cli_error(NULL, "--threads: expected 1..1024, got '%s'", arg), 0);
    case OPT_REPEAT:
        return cli_parse_int(arg, 1, MAX_REPEAT, &b->repeat)
               || (cli_error(NULL, "--repeat: expected 1..%d, got '%s'", MAX_REPEAT, arg), 0);
    case OPT_PNG_LEVEL:
        return cli_parse_int(arg, 0, 9, &b->png_level)
               || (cli_error(NULL, "--png-level: expected 0..9, got '%s'", arg), 0);
    case OPT_JSON:
        return b->json = 1, 1;
    }
    return 0;
}

static int apply_bench_option(void *ctx, int c, const char *arg)
{
    return apply_option(ctx, c, arg) ? CLI_OPTION_OK : CLI_OPTION_BAD;
}

/* Returns -1 to go on, or an exit status. */
static int parse_args(bench *b, int argc, char **argv)
{
    static const cli_command_line cl = { "bench", "h", long_options, usage,
                                         apply_bench_option };
    int rc = cli_options(&cl, argc, argv, b);

    if (rc != -1)
        return rc;
    if (optind + 1 < argc) {
        cli_error("bench", "one IMAGE at most");
        return EXIT_USAGE;
    }
    b->image = optind < argc ? argv[optind] : NULL;
    return -1;
}

/* ------------------------------------------------------------ the input */

/* A photo-like RGB test image: smooth shading, edges and a little noise. */
static unsigned char *synthetic_rgb(int w, int h)
{
    unsigned char *px = malloc((size_t)w * (size_t)h * 3);
    uint32_t seed = 12345;
    int x, y, c;

    for (y = 0; px != NULL && y < h; y++)
        for (x = 0; x < w; x++) {
            double shade = 0.5 + 0.3 * sin(x * 0.01) * cos(y * 0.013);
            int edge = ((x / 97) + (y / 61)) % 3 == 0 ? 60 : 0;
            for (c = 0; c < 3; c++) {
                seed = seed * 1664525u + 1013904223u;
                px[((size_t)y * w + x) * 3 + c] =
                    (unsigned char)(shade * (160 + 30 * c) + edge + (seed >> 29));
            }
        }
    return px;
}

/* Reads the whole file at path into *data (malloc'ed), *len: 1, or 0 with
 * errno set. */
static int read_whole(const char *path, unsigned char **data, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    char *buf = NULL;
    size_t size = 0;
    FILE *mem;
    unsigned char chunk[1 << 16];
    size_t n;
    int ok;

    if (fp == NULL)
        return 0;
    if ((mem = open_memstream(&buf, &size)) == NULL) {
        fclose(fp);
        return 0;
    }
    while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0 && fwrite(chunk, 1, n, mem) == n)
        ;
    ok = !ferror(fp) && !ferror(mem);
    fclose(fp);
    ok = fclose(mem) == 0 && ok;
    if (!ok) {
        free(buf);
        return 0;
    }
    *data = (unsigned char *)buf;
    *len = size;
    return 1;
}

/* The input file's bytes: IMAGE, or a synthetic JPEG encoded in memory. */
static int load_input(bench *b)
{
    imgrad_write_options wo;
    unsigned char *px;
    char *buf = NULL;
    size_t len = 0;
    FILE *fp;
    imgrad_status st;

    if (b->image != NULL) {
        if (!read_whole(b->image, &b->file, &b->file_len))
            return cli_error(b->image, "%s", strerror(errno)), 0;
        return 1;
    }
    if ((px = synthetic_rgb(b->width, b->height)) == NULL
        || (fp = open_memstream(&buf, &len)) == NULL) {
        free(px);
        return cli_error("bench", "out of memory"), 0;
    }
    imgrad_write_options_default(&wo);
    wo.jpeg_quality = 90;
    st = imgrad_write_image8_fp(fp, IMGRAD_FORMAT_JPG, px, b->width, b->height, 3, &wo);
    fclose(fp);
    free(px);
    b->file = (unsigned char *)buf;
    b->file_len = len;
    if (st != IMGRAD_OK)
        cli_error("bench", "cannot make the synthetic image: %s", imgrad_strerror(st));
    return st == IMGRAD_OK;
}

/* -------------------------------------------------------------- stages */

static int run_decode(bench *b, void *slot)
{
    imgrad_load_options lo;
    imgrad_load_options_default(&lo);
    return imgrad_decode_memory(b->file, b->file_len, &lo, slot) == IMGRAD_OK;
}

/* The loader's options for a JPEG as the program reads it for 8-bit
 * outputs: its luma plane, no float64 residual, no EXIF turn. */
static imgrad_load_options luma_options(void)
{
    imgrad_load_options lo;
    imgrad_load_options_default(&lo);
    lo.residual = 0;
    lo.jpeg_luma = 1;
    lo.orient = 0;
    return lo;
}

/* slot: the grey grid; what the program does for a JPEG and 8-bit outputs */
static int run_luma(bench *b, void *slot)
{
    const imgrad_load_options lo = luma_options();
    return imgrad_load_gray_memory(b->file, b->file_len, &lo, slot, NULL) == IMGRAD_OK;
}

/* slot: the magnitude; the program's path for a JPEG when it needs no grey */
static int run_banded(bench *b, void *slot)
{
    const imgrad_load_options lo = luma_options();
    return imgrad_load_gradient_memory(b->file, b->file_len, &lo, &b->grad,
                                       &(imgrad_products){ .magnitude = slot }, NULL)
           == IMGRAD_OK;
}

static void release_grid(void *slot)
{
    imgrad_grid_free(slot);
}

static void release_pixels(void *slot)
{
    imgrad_pixels *px = slot;
    imgrad_free(px->data);
    px->data = NULL;
}

/* slot: the decoded pixels; what the loader does after decoding */
static int run_gray(bench *b, void *slot)
{
    imgrad_grid_free(&b->gray);
    return imgrad_gray_from_pixels(slot, IMGRAD_GRAY_REC601, 0, &b->gray) == IMGRAD_OK;
}

/* slot: the imgrad_products to fill */
static int run_kernel(bench *b, void *slot)
{
    return imgrad_gradient(&b->gray, &b->grad, slot) == IMGRAD_OK;
}

static void release_products(void *slot)
{
    const imgrad_products *p = slot;
    imgrad_grid_free(p->gx);
    imgrad_grid_free(p->gy);
    imgrad_grid_free(p->magnitude);
    imgrad_grid_free(p->direction);
}

/* slot: a to8 job, the magnitude and its 8-bit pixels */
typedef struct to8 {
    const imgrad_grid *g;
    unsigned char *px;
    size_t png_bytes;
} to8;

static int run_to8(bench *b, void *slot)
{
    to8 *t = slot;
    (void)b;
    return imgrad_to_8bit(t->g, IMGRAD_MAP_UNSIGNED, imgrad_auto_scale(t->g), t->px,
                          (size_t)t->g->width * (size_t)t->g->height) == IMGRAD_OK;
}

static int run_encode(bench *b, void *slot)
{
    to8 *t = slot;
    char *buf = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&buf, &len);
    imgrad_status st;

    if (fp == NULL)
        return 0;
    st = imgrad_write_image8_fp(fp, IMGRAD_FORMAT_PNG, t->px, t->g->width, t->g->height, 1,
                                &(imgrad_write_options){ .png_level = b->png_level,
                                                         .jpeg_quality = 95,
                                                         .png_filter = b->op == IMGRAD_OP_CENTRAL
                                                                           ? IMGRAD_PNG_NONE
                                                                           : IMGRAD_PNG_SUB });
    fclose(fp);
    free(buf);
    t->png_bytes = len;
    return st == IMGRAD_OK;
}

/* slot: two float arrays of b->width * b->height * 2 each (a STREAM copy) */
static int run_copy(bench *b, void *slot)
{
    float **ab = slot;
    const long n = 2L * b->gray.width * b->gray.height;
    const float *restrict src = ab[0];
    float *restrict dst = ab[1];
    long i;

#pragma omp parallel for simd num_threads(b->threads) schedule(static)
    for (i = 0; i < n; i++)
        dst[i] = src[i];
    return 1;
}

/* --------------------------------------------------- the reference check */

/* numpy.gradient along one axis (unit spacing, edge order 1) at index i of n
 * samples spaced step floats apart, with numpy's float32 operations. */
static float ref_central(const float *f, int i, int n, size_t step)
{
    if (i == 0)
        return (f[step] - f[0]) / 1.0f;
    if (i == n - 1)
        return (f[(size_t)(n - 1) * step] - f[(size_t)(n - 2) * step]) / 1.0f;
    return (f[(size_t)(i + 1) * step] - f[(size_t)(i - 1) * step]) / 2.0f;
}

/* OpenCV's BORDER_REFLECT_101 index. */
static int reflect101(int i, int n)
{
    return i < 0 ? -i : i >= n ? 2 * n - 2 - i : i;
}

/* A 3x3 derivative mask [-1 0 1] times the smoothing column [s c s],
 * divided by its unit-ramp response 2 (2s + c): Sobel 1 2, Scharr 3 10,
 * Prewitt 1 1.  transpose: d/dy. */
static float ref_mask(const imgrad_grid *g, int x, int y, float s, float c, int transpose)
{
    const float wt[3] = { s, c, s };
    double sum = 0;
    int k;

    for (k = -1; k <= 1; k++) {
        int ax = transpose ? reflect101(x + k, g->width) : 0;
        int ay = transpose ? 0 : reflect101(y + k, g->height);
        const float *p0, *p1;
        if (transpose) {
            p0 = g->data + (size_t)reflect101(y - 1, g->height) * g->stride + ax;
            p1 = g->data + (size_t)reflect101(y + 1, g->height) * g->stride + ax;
        } else {
            p0 = g->data + (size_t)ay * g->stride + reflect101(x - 1, g->width);
            p1 = g->data + (size_t)ay * g->stride + reflect101(x + 1, g->width);
        }
        sum += wt[k + 1] * ((double)*p1 - *p0);
    }
    return (float)(sum / (2.0 * (2.0 * s + c)));
}

/* Reference gx and gy of row y. */
static void ref_row(const bench *b, int y, float *gx, float *gy)
{
    const imgrad_grid *g = &b->gray;
    const float *row = g->data + (size_t)y * g->stride;
    const imgrad_operator op = b->op;
    const float s = op == IMGRAD_OP_SCHARR ? 3 : 1;
    const float c = op == IMGRAD_OP_SCHARR ? 10 : op == IMGRAD_OP_SOBEL ? 2 : 1;
    int x;

    for (x = 0; x < g->width; x++) {
        if (op == IMGRAD_OP_CENTRAL) {
            gx[x] = ref_central(row, x, g->width, 1);
            gy[x] = ref_central(g->data + x, y, g->height, g->stride);
        } else {
            gx[x] = ref_mask(g, x, y, s, c, 0);
            gy[x] = ref_mask(g, x, y, s, c, 1);
        }
    }
}

/* Reference magnitude and direction of n pixels: hypotf and atan2f, one
 * pixel at a time, with the library's conventions for the default options
 * (direction in (-pi, pi], 0 where gx = gy = 0). */
static void ref_polar(const float *gx, const float *gy, float *mag, float *dir, int n)
{
    const float pi = 3.14159265f;
    int i;

    for (i = 0; i < n; i++) {
        mag[i] = hypotf(gx[i], gy[i]);
        dir[i] = gx[i] != 0 || gy[i] != 0 ? atan2f(gy[i], gx[i]) : 0;
        if (dir[i] <= -pi) /* atan2(-0, x < 0) is -pi */
            dir[i] = pi;
    }
}

/* Largest difference of one row from its reference; angles modulo 2pi. */
static double row_error(const float *got, const float *want, int n, int angle)
{
    const double two_pi = 6.283185307179586;
    double worst = 0;
    int i;

    for (i = 0; i < n; i++) {
        double d = fabs((double)got[i] - want[i]);
        if (angle && d > two_pi / 2)
            d = two_pi - d;
        if (!(d <= worst)) /* NaN counts as the worst */
            worst = isnan(d) ? INFINITY : d;
    }
    return worst;
}

/* The fast kernel's four products against the reference: gx and gy exact
 * for central (numpy's float32 arithmetic), within 1e-5 of the largest
 * value for the masks, magnitude within 1e-5 of its largest value,
 * direction within 1e-4 rad. */
static int check_kernel(bench *b)
{
    const int w = b->gray.width, h = b->gray.height;
    imgrad_grid g[4];
    imgrad_products p = { .gx = &g[0], .gy = &g[1], .magnitude = &g[2], .direction = &g[3] };
    float *ref = malloc(4 * (size_t)w * sizeof *ref);
    double err[4] = { 0, 0, 0, 0 }, top = 0, topm = 0;
    int y, k, ok;

    if (ref == NULL || imgrad_gradient(&b->gray, &b->grad, &p) != IMGRAD_OK) {
        free(ref);
        return cli_error("bench", "the kernel failed"), 0;
    }
    for (y = 0; y < h; y++) {
        ref_row(b, y, ref, ref + w);
        /* polar from the kernel's own gx, gy: where gx or gy is near 0, a
         * last-bit difference in it would flip the angle by pi */
        ref_polar(g[0].data + (size_t)y * g[0].stride, g[1].data + (size_t)y * g[1].stride,
                  ref + 2 * w, ref + 3 * w, w);
        for (k = 0; k < 4; k++) {
            double e = row_error(g[k].data + (size_t)y * g[k].stride, ref + (size_t)k * w, w,
                                 k == 3);
            err[k] = e > err[k] ? e : err[k];
        }
        for (k = 0; k < w; k++) {
            top = fmax(top, fmax(fabs(ref[k]), fabs(ref[w + k])));
            topm = fmax(topm, ref[2 * w + k]);
        }
    }
    ok = (b->op == IMGRAD_OP_CENTRAL ? err[0] == 0 && err[1] == 0
                                                   : fmax(err[0], err[1]) <= 1e-5 * top)
         && err[2] <= 1e-5 * topm && err[3] <= 1e-4;
    if (!ok)
        cli_error("bench", "kernel differs from the reference: gx %.3g gy %.3g magnitude "
                  "%.3g direction %.3g (largest |g| %.3g, magnitude %.3g)",
                  err[0], err[1], err[2], err[3], top, topm);
    release_products(&p);
    free(ref);
    return ok;
}

/* ------------------------------------------------------------ the run */

/* decode and grey; leaves b->gray filled. */
static int bench_input(bench *b, result *r)
{
    imgrad_pixels px;

    if ((r->decode = timed(b, run_decode, &px, release_pixels)).med < 0)
        return cli_error("bench", "cannot decode the input"), 0;
    r->gray = timed(b, run_gray, &px, NULL);
    release_pixels(&px);
    if (r->gray.med < 0)
        return cli_error("bench", "out of memory"), 0;
    r->luma.med = r->banded.med = -1;
    /* a JPEG (SOI marker): the loader's luma path, which falls back to the
     * RGB decode for a JPEG that is not YCbCr */
    if (b->file_len > 2 && b->file[0] == 0xFF && b->file[1] == 0xD8) {
        imgrad_grid luma;
        if ((r->luma = timed(b, run_luma, &luma, release_grid)).med < 0)
            return cli_error("bench", "cannot decode the input's luma"), 0;
        imgrad_grid_free(&luma);
        if ((r->banded = timed(b, run_banded, &luma, release_grid)).med < 0)
            return cli_error("bench", "cannot decode the input's luma with the kernel"), 0;
        imgrad_grid_free(&luma);
    }
    return 1;
}

/* The kernel with three product sets, then 8-bit mapping and encoding. */
static int bench_kernel(bench *b, result *r)
{
    imgrad_grid g[4];
    imgrad_products all = { .gx = &g[0], .gy = &g[1], .magnitude = &g[2], .direction = &g[3] };
    imgrad_products gxgy = { .gx = &g[0], .gy = &g[1] };
    imgrad_products mag = { .magnitude = &g[2] };
    to8 t;
    double t0;

    memset(g, 0, sizeof g);
    t0 = now_ms(); /* the first call: fresh pages from the kernel */
    if (!run_kernel(b, &all))
        return cli_error("bench", "the kernel failed"), 0;
    r->cold = now_ms() - t0;
    release_products(&all);
#ifdef __GLIBC__
    /* from here on, freed outputs are reused rather than unmapped */
    mallopt(M_MMAP_MAX, 0);
    mallopt(M_TRIM_THRESHOLD, -1);
#endif
    if (!check_kernel(b))
        return 0;
    r->gxgy = timed(b, run_kernel, &gxgy, release_products);
    release_products(&gxgy);
    r->kernel = timed(b, run_kernel, &all, release_products);
    release_products(&all);
    r->magnitude = timed(b, run_kernel, &mag, release_products);
    t.g = &g[2];
    if ((t.px = malloc((size_t)g[2].width * (size_t)g[2].height)) == NULL)
        return cli_error("bench", "out of memory"), 0;
    r->to8 = timed(b, run_to8, &t, NULL);
    r->encode = timed(b, run_encode, &t, NULL);
    r->png_bytes = t.png_bytes;
    free(t.px);
    release_products(&mag);
    return r->gxgy.med >= 0 && r->kernel.med >= 0 && r->magnitude.med >= 0
           && r->to8.med >= 0 && r->encode.med >= 0;
}

static int bench_copy(bench *b, result *r)
{
    const size_t n = 2 * (size_t)b->gray.width * (size_t)b->gray.height;
    float *ab[2];

    ab[0] = malloc(n * sizeof(float));
    ab[1] = malloc(n * sizeof(float));
    if (ab[0] == NULL || ab[1] == NULL) {
        free(ab[0]);
        free(ab[1]);
        return cli_error("bench", "out of memory"), 0;
    }
    memset(ab[0], 1, n * sizeof(float)); /* touch every page before timing */
    memset(ab[1], 0, n * sizeof(float));
    r->copy = timed(b, run_copy, ab, NULL);
    r->copy_bytes = 2.0 * (double)n * sizeof(float);
    free(ab[0]);
    free(ab[1]);
    return 1;
}

/* One line of the report: the stage's median, fastest and slowest run,
 * then extra (what it moved). */
static void report_line(const char *what, stage_time t, double mpix, const char *extra)
{
    printf("  %-28s %9.2f ms %9.1f Mpix/s  (%.2f .. %.2f)%s\n", what, t.med,
           mpix * 1e3 / t.med, t.min, t.max, extra);
}

/* The 1-minute load average (Linux's /proc/loadavg), or -1. */
static double load_average(void)
{
    FILE *f = fopen("/proc/loadavg", "r");
    double l = -1;

    if (f != NULL) {
        if (fscanf(f, "%lf", &l) != 1)
            l = -1;
        fclose(f);
    }
    return l;
}

static void report(const bench *b, const result *r)
{
    const double mpix = (double)b->gray.width * b->gray.height / 1e6;
    const double kernel_gb_s = mpix * 20 / r->kernel.med; /* 4 bytes in, 16 out */
    const double copy_gb_s = r->copy_bytes / 1e6 / r->copy.med;
    const long cores = sysconf(_SC_NPROCESSORS_ONLN);
    char extra[64];

    printf("imgrad bench: %s, %dx%d, %s, %d threads, %s, median (min .. max) of %d\n",
           b->image ? b->image : "synthetic JPEG", b->gray.width, b->gray.height,
           cli_operator_name(b->op), b->threads, imgrad_isa(), b->repeat);
    report_line("decode (stb_image)", r->decode, mpix, "");
    report_line("grey", r->gray, mpix, "");
    if (r->luma.med >= 0)
        report_line("JPEG luma to grey (libjpeg)", r->luma, mpix, "");
    if (r->banded.med >= 0)
        report_line("luma + magnitude, banded", r->banded, mpix, "");
    report_line("gx, gy", r->gxgy, mpix, "");
    report_line("magnitude only", r->magnitude, mpix, "");
    snprintf(extra, sizeof extra, "  %.2f GB/s", kernel_gb_s);
    report_line("kernel: all four", r->kernel, mpix, extra);
    printf("  %-28s %9.2f ms\n", "  first call (fresh memory)", r->cold);
    report_line("8-bit mapping", r->to8, mpix, "");
    snprintf(extra, sizeof extra, "  %zu bytes", r->png_bytes);
    report_line("PNG encode", r->encode, mpix, extra);
    printf("  %-28s %9.2f ms %15s (%.2f .. %.2f) %6.2f GB/s\n", "memory copy", r->copy.med, "",
           r->copy.min, r->copy.max, copy_gb_s);
    printf("  kernel / copy bandwidth: %.2f\n", kernel_gb_s / copy_gb_s);
    printf("  load average before / after: %.2f / %.2f (%ld cores)\n", r->load[0], r->load[1],
           cores);
    if (cores > 0 && (r->load[0] > cores || r->load[1] > cores))
        fprintf(stderr, "imgrad: bench: warning: load average above %ld (the number of cores):"
                " other work shared the machine, the times are suspect\n", cores);
    if (!b->json)
        return;
    printf("{\"operator\": \"%s\", \"width\": %d, \"height\": %d, \"threads\": %d, "
           "\"repeat\": %d, \"isa\": \"%s\", \"kernel_ms\": %.3f, \"kernel_min_ms\": %.3f, "
           "\"kernel_max_ms\": %.3f, \"kernel_mpix_s\": %.1f, "
           "\"kernel_gb_s\": %.3f, \"copy_gb_s\": %.3f, \"copy_ms\": %.3f, "
           "\"copy_min_ms\": %.3f, \"copy_max_ms\": %.3f, \"kernel_cold_ms\": %.3f, "
           "\"decode_ms\": %.3f, \"gray_ms\": %.3f, \"gxgy_ms\": %.3f, "
           "\"magnitude_ms\": %.3f, \"to8_ms\": %.3f, \"encode_ms\": %.3f, "
           "\"png_level\": %d, \"png_bytes\": %zu, \"load_before\": %.2f, "
           "\"load_after\": %.2f, \"luma_ms\": ",
           cli_operator_name(b->op), b->gray.width, b->gray.height, b->threads, b->repeat,
           imgrad_isa(), r->kernel.med, r->kernel.min, r->kernel.max,
           mpix * 1e3 / r->kernel.med, kernel_gb_s, copy_gb_s, r->copy.med, r->copy.min,
           r->copy.max, r->cold, r->decode.med, r->gray.med, r->gxgy.med, r->magnitude.med,
           r->to8.med, r->encode.med, b->png_level, r->png_bytes, r->load[0], r->load[1]);
    if (r->luma.med >= 0)
        printf("%.3f, \"banded_ms\": %.3f}\n", r->luma.med, r->banded.med);
    else
        printf("null, \"banded_ms\": null}\n");
}

int cli_bench_main(int argc, char **argv)
{
    bench b;
    result r;
    int rc;

    memset(&b, 0, sizeof b);
    memset(&r, 0, sizeof r);
    b.width = b.height = 4096;
    b.repeat = 5;
    b.png_level = 1;
    if ((rc = parse_args(&b, argc, argv)) >= 0)
        return rc;
#ifdef _OPENMP
    if (b.threads == 0)
        b.threads = omp_get_max_threads();
#endif
    if (b.threads == 0)
        b.threads = 1;
    imgrad_gradient_options_default(&b.grad);
    b.grad.op = b.op;
    b.grad.threads = b.threads;
    r.load[0] = load_average();
    rc = load_input(&b) && bench_input(&b, &r) && bench_kernel(&b, &r) && bench_copy(&b, &r)
             ? EXIT_ALL_OK : EXIT_SOME_FAILED;
    r.load[1] = load_average();
    if (rc == EXIT_ALL_OK)
        report(&b, &r);
    free(b.file);
    imgrad_grid_free(&b.gray);
    return rc;
}
