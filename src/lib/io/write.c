/* write.c - .npy and 8-bit image outputs, and the mapping from float to 8 bits. */
#include "io.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#ifdef IMGRAD__MULTI_ISA
#include <immintrin.h>
#endif

/* An 8-bit output of a grid is clipped at this percentile of |value|. */
#define AUTO_SCALE_PERCENTILE 0.99

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

/* The 8-bit scale, imgrad_auto_scale, in two passes over the grid.  Pass 1
 * counts |value| into bins taken from the top bits of its float pattern
 * (io.h), so it needs no maximum first.  The totals then name the bins that
 * hold the values ranked k and k + 1 (k = floor(0.99 (n - 1)), n the finite
 * values) and the highest finite bin.  Pass 2 gathers the values of those
 * bins and selects the two ranks among them, and takes the largest finite
 * |value| from the highest bin.
 *
 * The bin width, 1/16 of an octave (4096 bins, shift 19), by measurement
 * on the Sobel magnitudes of the 16 3000x2000 photos: shifts 17 to 19
 * timed the same within the machine's noise (the count loop's cost is per
 * value, not per bin), 20 was 6% slower (likely more repeats of one bin
 * waiting on each other) and 16 40% slower (its 32768-bin tables take
 * long to flush).  At 19 the 4 tables of 16-bit counts take 32 KiB whatever
 * the values, so they stay in L1 (48 KiB), and the two ranks' bins of a
 * photo hold about 0.15% of its values (8585 of photo00's 6 million), which
 * a selection handles in microseconds. */

/* Values binned per vector pass before the tables are counted. */
#define SCALE_BLOCK 1024
/* Values of a row counted at once: less than a 16-bit count can hold in
 * each table, whatever the width. */
#define SCALE_SEGMENT 65536
/* Values the gather tests at once for any in its bins. */
#define SCALE_TEST_BLOCK 64

/* The float pattern of |v|: it rises with |v|, inf and NaN above every
 * finite value. */
static inline uint32_t abs_bits(float v)
{
    uint32_t u;
    memcpy(&u, &v, sizeof u);
    return u & 0x7FFFFFFFu;
}

static float float_of_bits(uint32_t u)
{
    float v;
    memcpy(&v, &u, sizeof v);
    return v;
}

int imgrad__scale_init(imgrad__scale_acc *a)
{
    a->tables = calloc(IMGRAD__SCALE_TABLES, sizeof *a->tables);
    a->total = calloc(IMGRAD__SCALE_BINS, sizeof *a->total);
    a->pending = 0;
    a->rows = a->sampled = 0;
    if (a->tables != NULL && a->total != NULL)
        return 1;
    imgrad__scale_release(a);
    return 0;
}

void imgrad__scale_release(imgrad__scale_acc *a)
{
    free(a->tables);
    free(a->total);
    a->tables = NULL;
    a->total = NULL;
}

/* Adds the tables to the totals and clears them. */
static void flush_tables(imgrad__scale_acc *a)
{
    int b, t;

    for (t = 0; t < IMGRAD__SCALE_TABLES; t++)
        for (b = 0; b < IMGRAD__SCALE_BINS; b++)
            a->total[b] += a->tables[t][b];
    memset(a->tables, 0, IMGRAD__SCALE_TABLES * sizeof *a->tables);
    a->pending = 0;
}

#if IMGRAD__SCALE_TABLES != 4
#error "count_block counts into exactly 4 tables"
#endif

/* Counts n <= SCALE_BLOCK values: the bins in one vector loop, then the
 * counts, value x into table x % IMGRAD__SCALE_TABLES. */
static void count_block(const float *row, int n, uint16_t (*tables)[IMGRAD__SCALE_BINS])
{
    uint32_t bins[SCALE_BLOCK];
    int x;

#pragma omp simd
    for (x = 0; x < n; x++)
        bins[x] = abs_bits(row[x]) >> IMGRAD__SCALE_SHIFT;
    for (x = 0; x + 4 <= n; x += 4) { /* unrolled by hand: GCC's -O2 kept the loop */
        tables[0][bins[x]]++;
        tables[1][bins[x + 1]]++;
        tables[2][bins[x + 2]]++;
        tables[3][bins[x + 3]]++;
    }
    for (; x < n; x++)
        tables[x % IMGRAD__SCALE_TABLES][bins[x]]++;
}

/* Counts every value of row into a's histogram. */
static void count_row(imgrad__scale_acc *a, const float *row, int n)
{
    int x, b;

    for (x = 0; x < n; x += SCALE_SEGMENT) {
        const int m = n - x < SCALE_SEGMENT ? n - x : SCALE_SEGMENT;
        /* the most m values add to a table: each block deals its values
         * out to the tables in turn, starting again at table 0 */
        const size_t most = ((size_t)m + IMGRAD__SCALE_TABLES - 1) / IMGRAD__SCALE_TABLES
                            + ((size_t)m + SCALE_BLOCK - 1) / SCALE_BLOCK;
        if (a->pending + most > UINT16_MAX)
            flush_tables(a);
        for (b = 0; b < m; b += SCALE_BLOCK)
            count_block(row + x + b, m - b < SCALE_BLOCK ? m - b : SCALE_BLOCK, a->tables);
        a->pending += most;
    }
}

void imgrad__scale_add_row(imgrad__scale_acc *a, const float *row, int n)
{
    /* a sample of rows is enough to say where the percentile lies, and the
     * counting is the costly part (a table increment per value, about 1.3
     * cycles); finish counts exactly what it needs in its one pass */
    if (a->rows++ % IMGRAD__SCALE_SAMPLE != 0)
        return;
    a->sampled++;
    count_row(a, row, n);
}

/* Where the percentile lies: the finite values ranked k and k1 (0-based,
 * ascending |value|) lie in bins lo..hi, above `below` values of lower
 * bins; the largest finite |value| lies in bin top. */
typedef struct scale_bins {
    size_t finite, k, k1, below, count; /* count: values in bins lo..hi */
    double pos;                          /* numpy's rank 0.99 (finite - 1) */
    uint32_t lo, hi, top;
} scale_bins;

/* Finds the bins of ranks k and k1 in the totals.  0 when there is no
 * finite value. */
static int locate_bins(const size_t *total, scale_bins *s)
{
    size_t seen = 0;
    uint32_t b;

    s->finite = 0;
    s->top = 0;
    for (b = 0; b < IMGRAD__SCALE_NONFINITE; b++)
        if (total[b] > 0) {
            s->finite += total[b];
            s->top = b;
        }
    if (s->finite == 0)
        return 0;
    /* numpy.percentile's linear rule: rank 0.99 (n - 1), between the two
     * values around it */
    s->pos = AUTO_SCALE_PERCENTILE * (double)(s->finite - 1);
    s->k = (size_t)s->pos;
    s->k1 = s->k + 1 < s->finite ? s->k + 1 : s->k;
    for (b = 0; seen + total[b] <= s->k; b++)
        seen += total[b];
    s->lo = b;
    s->below = seen;
    for (; seen + total[b] <= s->k1; b++)
        seen += total[b];
    s->hi = b;
    s->count = seen + total[b] - s->below;
    return 1;
}

/* The gather's output: the |value| patterns of the bins lo..hi, and the
 * largest pattern of bin top.  Zeros (bin 0) are counted, not kept: a
 * mostly zero grid (edges, masks) would otherwise gather and select
 * nearly all its values (110 ms for a 3000x2000 grid 99.5% zero). */
typedef struct gathered {
    uint32_t *v;  /* the nonzero values; room for count + GATHER_SPARE */
    size_t n;     /* values in v */
    size_t zeros; /* n + zeros is at most count */
    uint32_t top;
    size_t in, below, nonfinite; /* values in bins lo..hi (kept or not), below lo,
                                    NaN and inf */
} gathered;

/* Slots of v beyond count: a vector step stores 16 lanes, whatever it keeps. */
#define GATHER_SPARE 16

/* Nonzero when some value of v[0 .. n) lies in bins lo..hi or in bin top:
 * one vector loop, as few blocks of a grid hold any.  Counts the values
 * below bin lo and the NaN and inf on the way. */
static inline __attribute__((always_inline)) int
any_in_bins(const float *v, int n, const scale_bins *s, gathered *o)
{
    const uint32_t span = s->hi - s->lo;
    int i, any = 0, below = 0, nonfinite = 0;

#pragma omp simd reduction(| : any) reduction(+ : below, nonfinite)
    for (i = 0; i < n; i++) {
        const uint32_t b = abs_bits(v[i]) >> IMGRAD__SCALE_SHIFT;
        any |= (b - s->lo <= span) | (b == s->top);
        below += b < s->lo;
        nonfinite += b >= IMGRAD__SCALE_NONFINITE;
    }
    o->below += (size_t)below;
    o->nonfinite += (size_t)nonfinite;
    return any;
}

/* Gathers one row: blocks without a value of interest are skipped after a
 * vector test; the rest go value by value, without branches, since where
 * the bins are dense (a flat distribution) a branch per value would be
 * mispredicted. */
static inline __attribute__((always_inline)) void
gather_row(const float *row, int w, const scale_bins *s, gathered *o)
{
    uint32_t *const v = o->v, top = o->top;
    size_t n = o->n, zeros = o->zeros; /* locals: a store to v could be o->n */
    int x, i;

    for (x = 0; x < w; x += SCALE_TEST_BLOCK) {
        const int end = w - x < SCALE_TEST_BLOCK ? w : x + SCALE_TEST_BLOCK;
        if (!any_in_bins(row + x, end - x, s, o))
            continue; /* the usual case */
        for (i = x; i < end; i++) {
            const uint32_t u = abs_bits(row[i]), b = u >> IMGRAD__SCALE_SHIFT;
            const int in_bins = b - s->lo <= s->hi - s->lo;
            const int in = in_bins & (n + zeros < s->count);
            o->in += (size_t)in_bins;
            v[n] = u; /* kept only if counted: v has spare slots */
            n += in & (u != 0);
            zeros += in & (u == 0);
            top = b == s->top && u > top ? u : top;
        }
    }
    o->n = n;
    o->zeros = zeros;
    o->top = top;
}

static void gather_row_baseline(const float *row, int w, const scale_bins *s, gathered *o)
{
    gather_row(row, w, s, o);
}

#ifdef IMGRAD__MULTI_ISA
IMGRAD__TARGET_AVX2
static void gather_row_avx2(const float *row, int w, const scale_bins *s, gathered *o)
{
    gather_row(row, w, s, o);
}

/* The same in AVX-512, 16 values a step with no test block: a compress
 * packs the candidates, so that dense bins (a flat distribution, where
 * gather_row goes value by value) cost no more than sparse ones.  Only the
 * tail uses a masked load: as the only load, it made the loop 4x slower. */
IMGRAD__TARGET_AVX512
static void gather_row_avx512(const float *row, int w, const scale_bins *s, gathered *o)
{
    const __m512i abs_mask = _mm512_set1_epi32(0x7FFFFFFF), lo = _mm512_set1_epi32((int)s->lo);
    const __m512i span = _mm512_set1_epi32((int)(s->hi - s->lo));
    const __m512i top_bin = _mm512_set1_epi32((int)s->top);
    const __m512i nonfinite_bin = _mm512_set1_epi32(IMGRAD__SCALE_NONFINITE);
    __m512i top = _mm512_setzero_si512();
    uint32_t *const v = o->v, row_top;
    size_t n = o->n, zeros = o->zeros; /* locals: a store to v could be o->n */
    size_t below = 0, nonfinite = 0;
    int x;

    for (x = 0; x < w; x += 16) {
        const __mmask16 live = w - x >= 16 ? 0xFFFF : (__mmask16)((1u << (w - x)) - 1);
        const __m512 f = w - x >= 16 ? _mm512_loadu_ps(row + x)
                                     : _mm512_maskz_loadu_ps(live, row + x);
        const __m512i u = _mm512_and_si512(_mm512_castps_si512(f), abs_mask);
        const __m512i b = _mm512_srli_epi32(u, IMGRAD__SCALE_SHIFT);
        const __mmask16 in = _mm512_mask_cmple_epu32_mask(live, _mm512_sub_epi32(b, lo), span);
        __mmask16 zero;
        top = _mm512_mask_max_epu32(top, _mm512_mask_cmpeq_epu32_mask(live, b, top_bin), top, u);
        below += (size_t)__builtin_popcount(_mm512_mask_cmplt_epu32_mask(live, b, lo));
        nonfinite += (size_t)__builtin_popcount(_mm512_mask_cmpge_epu32_mask(live, b, nonfinite_bin));
        if (in == 0)
            continue; /* the usual case */
        o->in += (size_t)__builtin_popcount(in);
        zero = _mm512_mask_cmpeq_epu32_mask(in, u, _mm512_setzero_si512());
        _mm512_storeu_si512(v + n, _mm512_maskz_compress_epi32(in & ~zero, u));
        n += (size_t)__builtin_popcount(in & ~zero);
        zeros += (size_t)__builtin_popcount(zero);
        if (n + zeros > s->count) /* only if g changed after it was counted */
            n = s->count - (zeros < s->count ? zeros : s->count);
    }
    o->n = n;
    o->zeros = zeros;
    o->below += below;
    o->nonfinite += nonfinite;
    row_top = (uint32_t)_mm512_reduce_max_epu32(top);
    o->top = row_top > o->top ? row_top : o->top;
}
#endif

/* Gathers the values of bins lo..hi of g and the largest in bin top. */
static void gather_bins(const imgrad_grid *g, const scale_bins *s, gathered *o)
{
    void (*row_gather)(const float *, int, const scale_bins *, gathered *) =
        gather_row_baseline;
    int y;

#ifdef IMGRAD__MULTI_ISA
    if (imgrad__isa_in_use() == IMGRAD__ISA_AVX512)
        row_gather = gather_row_avx512;
    else if (imgrad__isa_in_use() == IMGRAD__ISA_AVX2)
        row_gather = gather_row_avx2;
#endif
    o->n = o->zeros = o->in = o->below = o->nonfinite = 0;
    o->top = 0;
    for (y = 0; y < g->height; y++)
        row_gather(g->data + (size_t)y * g->stride, g->width, s, o);
}

static void swap_u32(uint32_t *a, uint32_t *b)
{
    const uint32_t t = *a;
    *a = *b;
    *b = t;
}

/* Reorders v[0 .. n) so that v[k] holds what a sort would put there, with
 * nothing larger before it and nothing smaller after it: Hoare's
 * selection, linear on average, where a sort of the gathered values would
 * be n log n.  Equal values stop both scans, so ties split evenly. */
static void select_nth(uint32_t *v, ptrdiff_t n, ptrdiff_t k)
{
    ptrdiff_t lo = 0, hi = n - 1;

    while (lo < hi) {
        const ptrdiff_t mid = lo + (hi - lo) / 2;
        ptrdiff_t i = lo, j = hi;
        uint32_t pivot;
        /* the median of three as the pivot: sorted input stays linear */
        if (v[mid] < v[lo])
            swap_u32(&v[mid], &v[lo]);
        if (v[hi] < v[lo])
            swap_u32(&v[hi], &v[lo]);
        if (v[hi] < v[mid])
            swap_u32(&v[hi], &v[mid]);
        pivot = v[mid];
        while (i <= j) {
            while (v[i] < pivot)
                i++;
            while (pivot < v[j])
                j--;
            if (i <= j)
                swap_u32(&v[i++], &v[j--]);
        }
        if (j < k)
            lo = i;
        if (k < i)
            hi = j;
    }
}

/* The smallest of v[0 .. n), n > 0. */
static uint32_t smallest(const uint32_t *v, size_t n)
{
    uint32_t m = v[0];
    size_t i;

    for (i = 1; i < n; i++)
        m = v[i] < m ? v[i] : m;
    return m;
}

/* The largest finite |value| of g, or 1 if that is 0: the scale when there
 * is no memory for the percentile. */
static double scale_without_memory(const imgrad_grid *g)
{
    uint32_t m = 0;
    int x, y;

    for (y = 0; y < g->height; y++) {
        const float *row = g->data + (size_t)y * g->stride;
        for (x = 0; x < g->width; x++) {
            const uint32_t u = abs_bits(row[x]);
            m = u < 0x7F800000u && u > m ? u : m;
        }
    }
    return m > 0 ? float_of_bits(m) : 1;
}

/* Gathered values above which the selection narrows them by their next 8
 * bits first: a flat distribution puts 6% of a grid in one bin (375k of 6
 * million), and the quickselect's mispredicted comparisons took 4 ms. */
#define NARROW_ABOVE 8192
#define NARROW_SHIFT (IMGRAD__SCALE_SHIFT - 8)

/* A radix step before the selection, for values of v[0 .. *n) that share
 * one bin (so their next 8 bits rise with them): keeps at the front of v
 * those whose 8 bits are those of the values ranked *r and *r + 1, and
 * renumbers *r among them.  *r + 1 < *n. */
static void narrow(uint32_t *v, size_t *n, size_t *r)
{
    size_t count[256] = { 0 }, below = 0, seen, kept = 0, j;
    unsigned d0, d1;

    for (j = 0; j < *n; j++)
        count[v[j] >> NARROW_SHIFT & 255]++;
    for (d0 = 0; below + count[d0] <= *r; d0++)
        below += count[d0];
    for (d1 = d0, seen = below; seen + count[d1] <= *r + 1; d1++)
        seen += count[d1];
    for (j = 0; j < *n; j++) { /* in place, without branches */
        const unsigned d = v[j] >> NARROW_SHIFT & 255;
        v[kept] = v[j];
        kept += d - d0 <= d1 - d0;
    }
    *n = kept;
    *r -= below;
}

/* The percentile from the gathered values of bins lo..hi (ranked from
 * below: the zeros, then v), or the largest |value| top as
 * imgrad_auto_scale says. */
static double percentile_of(gathered *o, const scale_bins *s, double top)
{
    const size_t i = s->k - s->below, i1 = s->k1 - s->below, z = o->zeros;
    uint32_t a = 0, b = 0; /* the patterns ranked i and i1 */
    size_t r = i - z;      /* rank i among v, when i >= z */
    double lower, p;

    if (top == 0)
        return 1; /* all zero */
    if (o->n + z <= i1)
        return top; /* the grid changed after it was counted */
    if (i >= z) {
        if (s->lo == s->hi && o->n > NARROW_ABOVE && i1 > i)
            narrow(o->v, &o->n, &r);
        select_nth(o->v, (ptrdiff_t)o->n, (ptrdiff_t)r);
        a = o->v[r];
    }
    if (i1 == i)
        b = a;
    else if (i1 >= z) /* the smallest value above rank i */
        b = i >= z ? smallest(o->v + r + 1, o->n - r - 1) : smallest(o->v, o->n);
    /* in double, as numpy computes it (float arithmetic would round b - a) */
    lower = float_of_bits(a);
    p = lower + (float_of_bits(b) - lower) * (s->pos - (double)s->k);
    return p > 0 && p < top ? p : top;
}

/* The percentile from a's counts of every value of g: the bins of ranks k
 * and k1, gathered. */
static double percentile_from_counts(const imgrad__scale_acc *a, const imgrad_grid *g)
{
    scale_bins s;
    gathered o;
    double p;

    if (!locate_bins(a->total, &s))
        return 1;
    if ((o.v = malloc((s.count + GATHER_SPARE) * sizeof *o.v)) == NULL)
        return scale_without_memory(g);
    gather_bins(g, &s, &o);
    p = percentile_of(&o, &s, float_of_bits(o.top));
    free(o.v);
    return p;
}

/* Every row of g counted, then its percentile: what a sample cannot give. */
static double percentile_counting_all(const imgrad_grid *g)
{
    imgrad__scale_acc a;
    double p;
    int y;

    if (!imgrad__scale_init(&a))
        return scale_without_memory(g);
    for (y = 0; y < g->height; y++)
        count_row(&a, g->data + (size_t)y * g->stride, g->width);
    flush_tables(&a);
    p = percentile_from_counts(&a, g);
    imgrad__scale_release(&a);
    return p;
}

/* Sample ranks on either side of the sample's percentile that the range of
 * bins must cover: 6 standard deviations of a binomial count at 0.99 (the
 * percentile of the whole grid lies this close to the sample's unless the
 * rows sampled differ from the others), and a few more. */
static size_t sample_margin(size_t m)
{
    return (size_t)(6 * sqrt((double)m * AUTO_SCALE_PERCENTILE * (1 - AUTO_SCALE_PERCENTILE)))
           + 8;
}

/* From the sample's counts: bins lo..hi around its percentile, and how many
 * values of the whole grid they should hold (twice the sample's share, as
 * room for the gather).  0 when the sample holds no finite value. */
static int sample_range(const imgrad__scale_acc *a, size_t values, scale_bins *s)
{
    size_t m = 0, seen = 0, ks, lo_rank, hi_rank, margin, in = 0;
    uint32_t b;

    for (b = 0; b < IMGRAD__SCALE_NONFINITE; b++)
        m += a->total[b];
    if (m == 0)
        return 0;
    ks = (size_t)(AUTO_SCALE_PERCENTILE * (double)(m - 1));
    margin = sample_margin(m);
    lo_rank = ks > margin ? ks - margin : 0;
    hi_rank = ks + 1 + margin < m ? ks + 1 + margin : m - 1;
    for (b = 0; seen + a->total[b] <= lo_rank; b++)
        seen += a->total[b];
    s->lo = b;
    for (; seen + a->total[b] <= hi_rank; b++)
        seen += a->total[b];
    s->hi = b;
    for (b = s->lo; b <= s->hi; b++)
        in += a->total[b];
    s->top = IMGRAD__SCALE_BINS; /* no bin: the largest value is not tracked */
    s->count = in * 2 * ((a->rows + a->sampled - 1) / a->sampled) + 4096;
    s->count = s->count < values ? s->count : values;
    return 1;
}

/* The percentile from the sample's range of bins: one pass over g counts
 * the finite values and those below the range and gathers those in it.  0
 * (and *p unset) when ranks k and k1 are not in the range after all, or
 * the range held more than was room for. */
static int percentile_in_range(const imgrad__scale_acc *a, const imgrad_grid *g, double *p)
{
    const size_t values = (size_t)g->width * (size_t)g->height;
    scale_bins s;
    gathered o;
    size_t finite;
    int ok;

    if (!sample_range(a, values, &s) || (o.v = malloc((s.count + GATHER_SPARE) * sizeof *o.v))
                                            == NULL)
        return 0;
    gather_bins(g, &s, &o);
    finite = values - o.nonfinite;
    if (finite == 0) { /* all NaN or inf */
        free(o.v);
        *p = 1;
        return 1;
    }
    s.pos = AUTO_SCALE_PERCENTILE * (double)(finite - 1);
    s.k = (size_t)s.pos;
    s.k1 = s.k + 1 < finite ? s.k + 1 : s.k;
    s.below = o.below;
    ok = o.in == o.n + o.zeros && s.k >= o.below && s.k1 < o.below + o.in;
    if (ok) {
        /* the largest value is needed only when the percentile is 0 */
        *p = percentile_of(&o, &s, INFINITY);
        if (!(*p < INFINITY))
            *p = scale_without_memory(g);
    }
    free(o.v);
    return ok;
}

double imgrad__scale_finish(imgrad__scale_acc *a, const imgrad_grid *g)
{
    double p;
    int ok;

    flush_tables(a);
    ok = a->sampled > 0 && percentile_in_range(a, g, &p);
    imgrad__scale_release(a);
    return ok ? p : percentile_counting_all(g);
}

double imgrad_auto_scale(const imgrad_grid *g)
{
    imgrad__scale_acc a;
    int y;

    if (g == NULL || g->data == NULL || g->width <= 0 || g->height <= 0)
        return 1;
    if (!imgrad__scale_init(&a))
        return scale_without_memory(g);
    for (y = 0; y < g->height; y++)
        imgrad__scale_add_row(&a, g->data + (size_t)y * g->stride, g->width);
    return imgrad__scale_finish(&a, g);
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

typedef void (*row_to_8bit_fn)(const float *, int, imgrad_map, double, unsigned char *);

/* The build of the 8-bit mapping for the instruction set in use. */
static row_to_8bit_fn row_to_8bit_for_isa(void)
{
#ifdef IMGRAD__MULTI_ISA
    if (imgrad__isa_in_use() == IMGRAD__ISA_AVX512)
        return map_row_avx512;
    if (imgrad__isa_in_use() == IMGRAD__ISA_AVX2)
        return map_row_avx2;
#endif
    return map_row_baseline;
}

static int map_args_ok(const imgrad_grid *g, imgrad_map map, double scale)
{
    return g != NULL && g->data != NULL && g->width > 0 && g->height > 0
           && (unsigned)map <= IMGRAD_MAP_ANGLE && (map == IMGRAD_MAP_ANGLE || scale > 0);
}

imgrad_status imgrad_to_8bit(const imgrad_grid *g, imgrad_map map, double scale,
                             unsigned char *out, size_t out_len)
{
    const row_to_8bit_fn row_to_8bit = row_to_8bit_for_isa();
    int y;

    if (!map_args_ok(g, map, scale) || out == NULL
        || out_len / (size_t)g->width < (size_t)g->height)
        return IMGRAD_EINVAL;
    for (y = 0; y < g->height; y++)
        row_to_8bit(g->data + (size_t)y * g->stride, g->width, map, scale,
                    out + (size_t)y * (size_t)g->width);
    return IMGRAD_OK;
}

/* Rows of a grid mapped to 8 bits as the PNG coder asks for them, into a
 * ring of two rows (the row asked for and the one above it). */
typedef struct mapped_rows {
    const imgrad_grid *g;
    imgrad_map map;
    double scale;
    row_to_8bit_fn row_to_8bit;
    unsigned char *ring;
} mapped_rows;

static const unsigned char *mapped_row(void *ctx, int y)
{
    const mapped_rows *m = ctx;
    unsigned char *out = m->ring + (size_t)(y & 1) * (size_t)m->g->width;

    m->row_to_8bit(m->g->data + (size_t)y * m->g->stride, m->g->width, m->map, m->scale, out);
    return out;
}

imgrad_status imgrad_write_mapped8_fp(FILE *fp, imgrad_format fmt, const imgrad_grid *g,
                                      imgrad_map map, double scale,
                                      const imgrad_write_options *o)
{
    imgrad_write_options defaults;
    mapped_rows m = { g, map, scale, row_to_8bit_for_isa(), NULL };
    const imgrad__rows8 rows = { mapped_row, &m };
    unsigned char *px;
    size_t n;
    imgrad_status st;

    if (o == NULL) {
        imgrad_write_options_default(&defaults);
        o = &defaults;
    }
    if (fp == NULL || !map_args_ok(g, map, scale))
        return IMGRAD_EINVAL;
    /* the same checks as for the 8-bit pixels it stands for (any non-NULL
     * pointer: none is read) */
    if ((st = check_image8(fmt, (const unsigned char *)g->data, g->width, g->height, 1, o))
        != IMGRAD_OK)
        return st;
    n = (size_t)g->width * (size_t)g->height;
    if (fmt == IMGRAD_FORMAT_PNG) { /* rows mapped as they are coded */
        if ((m.ring = malloc(2 * (size_t)g->width)) == NULL)
            return IMGRAD_ENOMEM;
        st = imgrad__png_encode_rows(fp, &rows, g->width, g->height, 1, o->png_level,
                                     o->png_filter);
        free(m.ring);
        return st;
    }
    if ((px = malloc(n)) == NULL)
        return IMGRAD_ENOMEM;
    if ((st = imgrad_to_8bit(g, map, scale, px, n)) == IMGRAD_OK)
        st = imgrad__stb_encode(fp, fmt, px, g->width, g->height, 1, o);
    free(px);
    return st;
}
