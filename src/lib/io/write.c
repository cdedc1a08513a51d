/* write.c - .npy and 8-bit image outputs, and the mapping from float to 8 bits. */
#include "io.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* An 8-bit output of a grid is clipped at this percentile of |value|. */
#define AUTO_SCALE_PERCENTILE 0.99
/* Bins of the histogram the percentile is read from (relative error 1/BINS). */
#define AUTO_SCALE_BINS 4096
/* Pixels binned per vector pass before the histogram is updated. */
#define AUTO_SCALE_BLOCK 1024

void imgrad_write_options_default(imgrad_write_options *o)
{
    if (o == NULL)
        return;
    o->png_level = 6;
    o->jpeg_quality = 95;
    o->png_filter = IMGRAD_PNG_ADAPTIVE;
}

size_t imgrad__npy_frame(char *buf, size_t size, size_t n)
{
    const size_t total = 10 + n + 1, padded = (total + 63) / 64 * 64;

    if (padded > size || padded - 10 > 0xffff)
        return 0;
    memset(buf + 10 + n, ' ', padded - total);
    buf[padded - 1] = '\n';
    memcpy(buf, "\x93NUMPY\x01\x00", 8);
    buf[8] = (char)((padded - 10) & 0xff);
    buf[9] = (char)((padded - 10) >> 8);
    return padded;
}

/* The .npy 1.0 header for a float32 (height, width) C-order array. */
static size_t npy_header(char *buf, size_t size, int width, int height)
{
    int n = snprintf(buf + 10, size - 10,
                     "{'descr': '<f4', 'fortran_order': False, 'shape': (%d, %d), }",
                     height, width);
    return imgrad__npy_frame(buf, size, (size_t)n);
}

/* float32 rows in little-endian order. */
static int write_rows_le(FILE *fp, const imgrad_grid *g)
{
    const uint16_t probe = 1;
    int little = *(const unsigned char *)&probe == 1;
    int y, x;

    for (y = 0; y < g->height; y++) {
        const float *row = g->data + (size_t)y * g->stride;
        if (little) {
            if (fwrite(row, sizeof(float), (size_t)g->width, fp) != (size_t)g->width)
                return 0;
            continue;
        }
        for (x = 0; x < g->width; x++) {
            unsigned char b[4], t;
            memcpy(b, &row[x], 4);
            t = b[0]; b[0] = b[3]; b[3] = t;
            t = b[1]; b[1] = b[2]; b[2] = t;
            if (fwrite(b, 1, 4, fp) != 4)
                return 0;
        }
    }
    return 1;
}

imgrad_status imgrad_write_npy_fp(FILE *fp, const imgrad_grid *g)
{
    char header[256];
    size_t hlen;

    if (fp == NULL || g == NULL || g->data == NULL || g->width <= 0 || g->height <= 0)
        return IMGRAD_EINVAL;
    hlen = npy_header(header, sizeof header, g->width, g->height);
    if (fwrite(header, 1, hlen, fp) != hlen || !write_rows_le(fp, g))
        return IMGRAD_EIO;
    return IMGRAD_OK;
}

/* Every parameter check of imgrad_write_image8_fp, before anything is written. */
static imgrad_status check_image8(imgrad_format fmt, const unsigned char *pixels, int width,
                                  int height, int channels, const imgrad_write_options *o)
{
    if (pixels == NULL || width <= 0 || height <= 0 || (channels != 1 && channels != 3)
        || fmt <= IMGRAD_FORMAT_NPY || fmt > IMGRAD_FORMAT_TGA)
        return IMGRAD_EINVAL;
    if (o->png_level < 0 || o->png_level > 9 || o->jpeg_quality < 1 || o->jpeg_quality > 100
        || o->png_filter < IMGRAD_PNG_ADAPTIVE || o->png_filter > IMGRAD_PNG_PAETH)
        return IMGRAD_EINVAL;
    /* stb_image_write sizes its buffers in int: (width * channels + 1) * height
     * bytes (a PNG's filtered rows) must fit */
    if (((uint64_t)width * (uint64_t)channels + 1) * (uint64_t)height > INT_MAX)
        return IMGRAD_EOVERFLOW;
    return IMGRAD_OK;
}

imgrad_status imgrad_write_image8_fp(FILE *fp, imgrad_format fmt, const unsigned char *pixels,
                                     int width, int height, int channels,
                                     const imgrad_write_options *o)
{
    imgrad_write_options defaults;
    imgrad_status st;

    if (o == NULL) {
        imgrad_write_options_default(&defaults);
        o = &defaults;
    }
    if (fp == NULL)
        return IMGRAD_EINVAL;
    if ((st = check_image8(fmt, pixels, width, height, channels, o)) != IMGRAD_OK)
        return st;
    return imgrad__stb_encode(fp, fmt, pixels, width, height, channels, o);
}

static imgrad_status npy_writer(FILE *fp, const void *ctx)
{
    return imgrad_write_npy_fp(fp, ctx);
}

imgrad_status imgrad_write_npy(const char *path, const imgrad_grid *g)
{
    if (path == NULL || g == NULL || g->data == NULL || g->width <= 0 || g->height <= 0)
        return IMGRAD_EINVAL;
    return imgrad__write_whole(path, npy_writer, g);
}

typedef struct image8_job {
    imgrad_format fmt;
    const unsigned char *pixels;
    int width, height, channels;
    const imgrad_write_options *o;
} image8_job;

static imgrad_status image8_writer(FILE *fp, const void *ctx)
{
    const image8_job *j = ctx;
    return imgrad_write_image8_fp(fp, j->fmt, j->pixels, j->width, j->height, j->channels,
                                  j->o);
}

imgrad_status imgrad_write_image8(const char *path, imgrad_format fmt,
                                  const unsigned char *pixels, int width, int height,
                                  int channels, const imgrad_write_options *o)
{
    const image8_job job = { fmt, pixels, width, height, channels, o };
    imgrad_write_options defaults;
    imgrad_status st;

    if (o == NULL) {
        imgrad_write_options_default(&defaults);
        o = &defaults;
    }
    if (path == NULL)
        return IMGRAD_EINVAL;
    /* refuse bad arguments before a file is created */
    if ((st = check_image8(fmt, pixels, width, height, channels, o)) != IMGRAD_OK)
        return st;
    return imgrad__write_whole(path, image8_writer, &job);
}

/* Lanes of the maximum and histogram loops: independent accumulators, so
 * that no iteration waits on the one before (with one accumulator the max
 * is a chain through memory, and the counts of a repeated bin are a chain
 * of read-modify-writes). */
#define LANES 8
#define HISTS 4 /* bin_row's unrolled loop counts into exactly 4 */
/* Values of a row binned at once: less than a 16-bit count can hold in each
 * table, whatever the width. */
#define AUTO_SCALE_SEGMENT 65536

/* The largest finite |value| of g, 0 if none. */
static double largest_abs(const imgrad_grid *g)
{
    float lane[LANES] = { 0 }, m = 0;
    int x, y, k;

    for (y = 0; y < g->height; y++) {
        const float *row = g->data + (size_t)y * g->stride;
        for (x = 0; x + LANES <= g->width; x += LANES)
            for (k = 0; k < LANES; k++) {
                const float v = fabsf(row[x + k]);
                lane[k] = v > lane[k] ? v : lane[k]; /* NaN compares false: skipped */
            }
        for (; x < g->width; x++)
            m = fabsf(row[x]) > m ? fabsf(row[x]) : m;
    }
    for (k = 0; k < LANES; k++)
        m = lane[k] > m ? lane[k] : m;
    return isfinite(m) ? m : 0;
}

/* Counts |value| * to_bin of one row into hist[HISTS][AUTO_SCALE_BINS + 1],
 * NaN and inf in the extra bin AUTO_SCALE_BINS.  Bins are found by a float
 * multiplication rather than a double division per pixel: a value on a bin
 * edge may move by one, within the histogram's resolution. */
static void bin_row(const float *row, int w, float to_bin, uint16_t (*hist)[AUTO_SCALE_BINS + 1])
{
    int bins[AUTO_SCALE_BLOCK];
    int x, x0, n;

    for (x0 = 0; x0 < w; x0 += AUTO_SCALE_BLOCK) {
        n = w - x0 < AUTO_SCALE_BLOCK ? w - x0 : AUTO_SCALE_BLOCK;
#pragma omp simd
        for (x = 0; x < n; x++) {
            const float v = fabsf(row[x0 + x]) * to_bin;
            bins[x] = v < AUTO_SCALE_BINS ? (int)v : AUTO_SCALE_BINS; /* top: 4095 + rounding */
        }
        for (x = 0; x + HISTS <= n; x += HISTS) { /* unrolled: table k counts x % HISTS == k */
            hist[0][bins[x]]++;
            hist[1][bins[x + 1]]++;
            hist[2][bins[x + 2]]++;
            hist[3][bins[x + 3]]++;
        }
        for (; x < n; x++)
            hist[x % HISTS][bins[x]]++;
    }
}

/* Adds the HISTS tables of counts to total and clears them. */
static void flush_counts(uint16_t (*hist)[AUTO_SCALE_BINS + 1], size_t *total)
{
    int b, k;

    for (k = 0; k < HISTS; k++)
        for (b = 0; b <= AUTO_SCALE_BINS; b++)
            total[b] += hist[k][b];
    memset(hist, 0, HISTS * sizeof *hist);
}

/* The histogram of |value| / top in AUTO_SCALE_BINS - 1 steps into total
 * (AUTO_SCALE_BINS + 1 entries).  0 when out of memory.  The counts are
 * 16-bit, so that the HISTS tables (32 KiB) stay in L1 (as 32-bit counts,
 * 64 KiB did not, and each increment waited on L2: 10.6 -> 6.3 ms for
 * imgrad_auto_scale on a 3000x2000 magnitude, with the gather below); they
 * are moved to the totals before any of them can overflow. */
static int histogram(const imgrad_grid *g, double top, size_t *total)
{
    uint16_t (*hist)[AUTO_SCALE_BINS + 1] = calloc(HISTS, sizeof *hist);
    const float to_bin = (float)((AUTO_SCALE_BINS - 1) / top);
    size_t pending = 0; /* at least the largest count in any table */
    int x, y;

    if (hist == NULL)
        return 0;
    for (y = 0; y < g->height; y++)
        for (x = 0; x < g->width; x += AUTO_SCALE_SEGMENT) {
            const int n = g->width - x < AUTO_SCALE_SEGMENT ? g->width - x : AUTO_SCALE_SEGMENT;
            /* the most n values add to a table: bin_row deals each block
             * of AUTO_SCALE_BLOCK values out to the tables in turn */
            const size_t most = ((size_t)n + HISTS - 1) / HISTS
                                + ((size_t)n + AUTO_SCALE_BLOCK - 1) / AUTO_SCALE_BLOCK;
            if (pending + most > UINT16_MAX) {
                flush_counts(hist, total);
                pending = 0;
            }
            bin_row(g->data + (size_t)y * g->stride + (size_t)x, n, to_bin, hist);
            pending += most;
        }
    flush_counts(hist, total);
    free(hist);
    return 1;
}

static int cmp_float(const void *a, const void *b)
{
    const float x = *(const float *)a, y = *(const float *)b;
    return (x > y) - (x < y);
}

/* The bin bin_row gives |v|, or -1 for NaN and inf. */
static int bin_of(float v, float to_bin)
{
    const float s = fabsf(v) * to_bin;
    return !isfinite(v) ? -1 : s < AUTO_SCALE_BINS ? (int)s : AUTO_SCALE_BINS;
}

/* Values ranked_pair tests at once for any in its bins. */
#define RANK_BLOCK 64

/* Nonzero when bin_of gives some value of v[0 .. n) a bin in b0..b1 (b1 below
 * AUTO_SCALE_BINS): for a finite v that is b0 <= |v| to_bin < b1 + 1, and
 * NaN and inf fail the second test, so the test is one vector loop. */
static int any_in_bins(const float *v, int n, float to_bin, int b0, int b1)
{
    const float lo = (float)b0, hi = (float)(b1 + 1);
    int i, any = 0;

#pragma omp simd reduction(| : any)
    for (i = 0; i < n; i++) {
        const float s = fabsf(v[i]) * to_bin;
        any |= s >= lo && s < hi;
    }
    return any;
}

/* The finite values ranked k and k + 1 (0-based, ascending |value|; k + 1
 * capped at total - 1) from the histogram: the bins that hold them are
 * known, so only their values are gathered and sorted.  0 when out of
 * memory. */
static int ranked_pair(const imgrad_grid *g, const size_t *hist, float to_bin, size_t k,
                       size_t total, double out[2])
{
    const size_t k1 = k + 1 < total ? k + 1 : k;
    size_t below = 0, seen = 0, n = 0, cap;
    int b, b0 = -1, b1 = -1, x, y;
    float *v;

    for (b = 0; b < AUTO_SCALE_BINS && b1 < 0; b++) {
        if (b0 < 0 && seen + hist[b] > k) {
            b0 = b;
            below = seen;
        }
        if (seen + hist[b] > k1)
            b1 = b;
        seen += hist[b];
    }
    cap = seen - below; /* at most the values of bins b0..b1 */
    if (b0 < 0 || b1 < 0 || (v = malloc((cap ? cap : 1) * sizeof *v)) == NULL)
        return 0;
    for (y = 0; y < g->height; y++) {
        const float *row = g->data + (size_t)y * g->stride;
        for (x = 0; x < g->width; x += RANK_BLOCK) {
            const int end = g->width - x < RANK_BLOCK ? g->width : x + RANK_BLOCK;
            int i;
            if (!any_in_bins(row + x, end - x, to_bin, b0, b1))
                continue; /* the usual case: few values lie in bins b0..b1 */
            for (i = x; i < end; i++) {
                const int bin = bin_of(row[i], to_bin);
                if (bin >= b0 && bin <= b1 && n < cap)
                    v[n++] = fabsf(row[i]);
            }
        }
    }
    qsort(v, n, sizeof *v, cmp_float);
    out[0] = v[k - below];
    out[1] = v[k1 - below];
    free(v);
    return 1;
}

double imgrad_auto_scale(const imgrad_grid *g)
{
    size_t *hist, total, k;
    double top, p = 0, pos, pair[2];

    if (g == NULL || g->data == NULL || g->width <= 0 || g->height <= 0)
        return 1;
    top = largest_abs(g);
    if (top == 0)
        return 1;
    hist = calloc(AUTO_SCALE_BINS + 1, sizeof *hist);
    if (hist == NULL || !histogram(g, top, hist)) {
        free(hist);
        return top;
    }
    total = (size_t)g->width * (size_t)g->height - hist[AUTO_SCALE_BINS];
    /* numpy.percentile's linear rule: rank 0.99 (n - 1), between the two
     * values around it */
    pos = AUTO_SCALE_PERCENTILE * (double)(total - 1);
    k = (size_t)pos;
    if (ranked_pair(g, hist, (float)((AUTO_SCALE_BINS - 1) / top), k, total, pair))
        p = pair[0] + (pair[1] - pair[0]) * (pos - (double)k);
    free(hist);
    return p > 0 && p < top ? p : top;
}

static unsigned char clamp_round(double v)
{
    /* NaN too goes to 0; written as selections so that the loops vectorise */
    v = v > 0 ? v : 0;
    v = v < 255 ? v + 0.5 : 255;
    return (unsigned char)(int)v;
}

/* One row by one map, each a loop of its own so that it vectorises. */
static inline __attribute__((always_inline)) void
map_row(const float *restrict row, int w, imgrad_map map, double scale,
        unsigned char *restrict o)
{
    const double pi = 3.14159265358979323846;
    /* one multiplication per pixel rather than a division by scale: within
     * an ulp of dividing, which moves a pixel only if it lies within 1e-13
     * of a rounding boundary (angles keep the division by the constant 2 pi,
     * under which the angle 0 is exactly 127.5 and rounds up) */
    const double k = (map == IMGRAD_MAP_SIGNED ? 127.0 : 255.0) / scale;
    int x;

    switch (map) {
    case IMGRAD_MAP_UNSIGNED:
#pragma omp simd
        for (x = 0; x < w; x++)
            o[x] = clamp_round(row[x] * k);
        break;
    case IMGRAD_MAP_SIGNED:
#pragma omp simd
        for (x = 0; x < w; x++)
            o[x] = clamp_round(128.0 + row[x] * k);
        break;
    case IMGRAD_MAP_ANGLE:
#pragma omp simd
        for (x = 0; x < w; x++)
            o[x] = clamp_round((row[x] + pi) / (2 * pi) * 255.0);
        break;
    }
}

static void map_row_baseline(const float *row, int w, imgrad_map map, double scale,
                             unsigned char *o)
{
    map_row(row, w, map, scale, o);
}

/* The same loops built for AVX2 and AVX-512 (4 and 8 doubles a vector
 * instead of 2), chosen at run time; the arithmetic is the same, so are the
 * bytes. */
#ifdef IMGRAD__MULTI_ISA
IMGRAD__TARGET_AVX2
static void map_row_avx2(const float *row, int w, imgrad_map map, double scale,
                         unsigned char *o)
{
    map_row(row, w, map, scale, o);
}

IMGRAD__TARGET_AVX512
static void map_row_avx512(const float *row, int w, imgrad_map map, double scale,
                           unsigned char *o)
{
    map_row(row, w, map, scale, o);
}
#endif

imgrad_status imgrad_to_8bit(const imgrad_grid *g, imgrad_map map, double scale,
                             unsigned char *out, size_t out_len)
{
    void (*row_to_8bit)(const float *, int, imgrad_map, double, unsigned char *) =
        map_row_baseline;
    int y;

    if (g == NULL || g->data == NULL || out == NULL || g->width <= 0 || g->height <= 0
        || (map != IMGRAD_MAP_ANGLE && !(scale > 0))
        || out_len / (size_t)g->width < (size_t)g->height)
        return IMGRAD_EINVAL;
#ifdef IMGRAD__MULTI_ISA
    if (imgrad__isa_in_use() == IMGRAD__ISA_AVX512)
        row_to_8bit = map_row_avx512;
    else if (imgrad__isa_in_use() == IMGRAD__ISA_AVX2)
        row_to_8bit = map_row_avx2;
#endif
    for (y = 0; y < g->height; y++)
        row_to_8bit(g->data + (size_t)y * g->stride, g->width, map, scale,
                    out + (size_t)y * (size_t)g->width);
    return IMGRAD_OK;
}
