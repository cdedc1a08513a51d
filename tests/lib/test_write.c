/* test_write.c - .npy and image writers, the 8-bit mapping and its scale,
 * coordinate files. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "imgrad.h"
#include "io/io.h" /* the scale's row-by-row histogram */

static char dir[] = "/tmp/imgrad-test-write.XXXXXX";

static int make_dir(void **state)
{
    (void)state;
    return mkdtemp(dir) == NULL;
}

static int remove_dir(void **state)
{
    char cmd[128];
    (void)state;
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd);
}

static char *in_dir(const char *name)
{
    static char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return path;
}

/* Number of entries in the test folder (temporary files would show). */
static int entries(void)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0;
    while ((e = readdir(d)) != NULL)
        n += e->d_name[0] != '.' || (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."));
    closedir(d);
    return n;
}

static void test_npy_round_trip(void **state)
{
    imgrad_grid g, back;
    unsigned char head[10];
    FILE *fp;
    int i, hlen;
    (void)state;
    assert_int_equal(imgrad_grid_init(&g, 7, 5), IMGRAD_OK);
    for (i = 0; i < 35; i++)
        g.data[i] = (float)(i * 0.1 - 1.7) * (i % 3 ? 1e-30f : 1e30f); /* odd bit patterns */
    g.data[3] = -0.0f;
    assert_int_equal(imgrad_write_npy(in_dir("g.npy"), &g), IMGRAD_OK);
    assert_int_equal(imgrad_load_gray(in_dir("g.npy"), NULL, &back, NULL), IMGRAD_OK);
    assert_int_equal(back.width, 7);
    assert_int_equal(back.height, 5);
    assert_memory_equal(g.data, back.data, 35 * sizeof(float));
    /* the header is padded so the data starts on a 64-byte boundary */
    fp = fopen(in_dir("g.npy"), "rb");
    assert_int_equal(fread(head, 1, 10, fp), 10);
    fclose(fp);
    hlen = head[8] | head[9] << 8;
    assert_int_equal((10 + hlen) % 64, 0);
    imgrad_grid_free(&g);
    imgrad_grid_free(&back);
}

static void test_failed_write_leaves_nothing(void **state)
{
    imgrad_grid g;
    unsigned char px[4] = { 0 };
    int before = entries();
    (void)state;
    assert_int_equal(imgrad_grid_init(&g, 2, 2), IMGRAD_OK);
    assert_int_equal(imgrad_write_npy(in_dir("missing/g.npy"), &g), IMGRAD_EIO);
    assert_int_equal(imgrad_write_image8(in_dir("missing/g.png"), IMGRAD_FORMAT_PNG, px, 2, 2, 1, NULL),
                     IMGRAD_EIO);
    assert_int_equal(imgrad_write_image8(in_dir("g.png"), IMGRAD_FORMAT_NPY, px, 2, 2, 1, NULL),
                     IMGRAD_EINVAL);
    assert_int_equal(entries(), before);
    imgrad_grid_free(&g);
}

static void test_png_round_trip(void **state)
{
    unsigned char px[6 * 4];
    imgrad_grid back;
    imgrad_format f;
    int i;
    (void)state;
    for (i = 0; i < 24; i++)
        px[i] = (unsigned char)(i * 11);
    for (f = IMGRAD_FORMAT_PNG; f <= IMGRAD_FORMAT_TGA; f++) {
        if (f == IMGRAD_FORMAT_JPG)
            continue; /* lossy */
        assert_int_equal(imgrad_write_image8(in_dir("p.img"), f, px, 6, 4, 1, NULL), IMGRAD_OK);
        assert_int_equal(imgrad_load_gray(in_dir("p.img"), NULL, &back, NULL), IMGRAD_OK);
        for (i = 0; i < 24; i++)
            assert_float_equal(back.data[i], px[i] / 255.0, 1e-7);
        imgrad_grid_free(&back);
    }
}

static void test_to_8bit(void **state)
{
    const float v[] = { 0, 0.5f, 1, 2, -1, -0.5f, 3.14159265f, -3.14159f };
    unsigned char out[8];
    imgrad_grid g;
    (void)state;
    assert_int_equal(imgrad_grid_init(&g, 8, 1), IMGRAD_OK);
    memcpy(g.data, v, sizeof v);
    assert_int_equal(imgrad_to_8bit(&g, IMGRAD_MAP_UNSIGNED, 1.0, out, sizeof out), IMGRAD_OK);
    assert_int_equal(out[0], 0);
    assert_int_equal(out[1], 128); /* 127.5 rounds up */
    assert_int_equal(out[2], 255);
    assert_int_equal(out[3], 255); /* clipped */
    assert_int_equal(out[4], 0);
    assert_int_equal(imgrad_to_8bit(&g, IMGRAD_MAP_SIGNED, 1.0, out, sizeof out), IMGRAD_OK);
    assert_int_equal(out[0], 128);
    assert_int_equal(out[2], 255);
    assert_int_equal(out[4], 1);
    assert_int_equal(out[5], 65); /* 128 - 63.5 */
    assert_int_equal(imgrad_to_8bit(&g, IMGRAD_MAP_ANGLE, 0, out, sizeof out), IMGRAD_OK);
    assert_int_equal(out[0], 128);
    assert_int_equal(out[6], 255);
    assert_int_equal(out[7], 0);
    assert_int_equal(imgrad_to_8bit(&g, IMGRAD_MAP_UNSIGNED, 0, out, sizeof out), IMGRAD_EINVAL);
    /* an output one byte short is refused, not overrun */
    assert_int_equal(imgrad_to_8bit(&g, IMGRAD_MAP_UNSIGNED, 1.0, out, sizeof out - 1),
                     IMGRAD_EINVAL);
    imgrad_grid_free(&g);
}

static void test_auto_scale(void **state)
{
    imgrad_grid g;
    int i;
    double s;
    (void)state;
    assert_int_equal(imgrad_grid_init(&g, 1000, 1), IMGRAD_OK);
    assert_float_equal(imgrad_auto_scale(&g), 1.0, 0); /* all zero */
    for (i = 0; i < 1000; i++)
        g.data[i] = (float)(i + 1);
    g.data[999] = 1e6f; /* one outlier must not set the scale */
    s = imgrad_auto_scale(&g);
    /* numpy.percentile(np.r_[1:1000, 1e6], 99) = 990.01: rank 989.01
     * between 990 and 991 */
    assert_float_equal(s, 990.01, 1e-9);
    imgrad_grid_free(&g);
}

/* The exact percentile on values the histogram cannot tell apart: many
 * values within one bin, negative ones, and NaN left out. */
static void test_auto_scale_exact(void **state)
{
    imgrad_grid g;
    int i;
    (void)state;
    assert_int_equal(imgrad_grid_init(&g, 201, 1), IMGRAD_OK);
    for (i = 0; i < 200; i++) /* |value| 1 + i * 1e-7: all in one bin of 4096 */
        g.data[i] = (float)((i % 2 ? -1 : 1) * (1 + i * 1e-7));
    g.data[200] = NAN;
    /* 200 finite values: rank 0.99 * 199 = 197.01, between the values
     * ranked 197 and 198 (i = 197 and 198) */
    assert_float_equal(imgrad_auto_scale(&g),
                       (double)(float)(1 + 197e-7)
                           + ((double)(float)(1 + 198e-7) - (double)(float)(1 + 197e-7)) * 0.01,
                       1e-12);
    imgrad_grid_free(&g);
}

/* Counts that 16-bit tables could not hold: rows far wider than 4 x 65535
 * values, most of them in one bin, and many rows of them. */
static void test_auto_scale_wide(void **state)
{
    enum { W = 400000, H = 3 };
    imgrad_grid g;
    int i;
    (void)state;
    assert_int_equal(imgrad_grid_init(&g, W, H), IMGRAD_OK);
    for (i = 0; i < W * H; i++) /* 98% are 1, then 2 .. 3 in equal steps */
        g.data[i] = i < W * H / 50 * 49 ? 1.0f : (float)(2 + (double)(i - W * H / 50 * 49)
                                                          / (W * H / 50));
    /* rank 0.99 (n - 1) = 1187999.01 is 11999.01 into the 24000 values
     * from 2 to 3: the histogram must count the 98% exactly to find it */
    assert_float_equal(imgrad_auto_scale(&g), 2 + 11999.01 / 24000, 1e-6);
    imgrad_grid_free(&g);
}

/* ---- imgrad_auto_scale against its definition, on many kinds of grid */

static uint32_t rng_state;

/* 24 random bits (a linear congruential generator: the cases repeat). */
static uint32_t rng(void)
{
    rng_state = rng_state * 1664525u + 1013904223u;
    return rng_state >> 8;
}

static double unit(void)
{
    return rng() / 16777216.0;
}

static float float_of_bits(uint32_t u)
{
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

enum {
    KIND_UNIFORM,   /* magnitudes in [0, 1000) */
    KIND_QUANTISED, /* 8 levels: heavy ties */
    KIND_ZERO,      /* all zero */
    KIND_SINGLE,    /* one nonzero value */
    KIND_NONFINITE, /* NaN and +-inf among signed values */
    KIND_ALL_NAN,
    KIND_SIGNED,    /* negative values too */
    KIND_DENORMAL,  /* subnormal patterns, signed, and zeros */
    KIND_HUGE,      /* near FLT_MAX, FLT_MAX itself */
    KIND_SPARSE,    /* 99.5% zero: the percentile is 0 */
    KIND_PATTERNS,  /* any finite bit pattern: every exponent */
    KIND_EDGES,     /* patterns on multiples of 2^19 and one below */
    KIND_SPIKE,     /* ties at one value with a few larger */
    KINDS
};

static float value_of_kind(int kind, size_t i, size_t n, size_t single)
{
    const uint32_t r = rng();
    switch (kind) {
    case KIND_UNIFORM: return (float)(1000 * unit());
    case KIND_QUANTISED: return (float)(r % 8) / 7.0f;
    case KIND_ZERO: return 0;
    case KIND_SINGLE: return i == single ? -3.5f : 0;
    case KIND_NONFINITE:
        return r % 10 == 0 ? NAN : r % 20 == 1 ? INFINITY : r % 20 == 3 ? -INFINITY
                                                           : (float)(unit() - 0.5);
    case KIND_ALL_NAN: return NAN;
    case KIND_SIGNED: return (float)(200 * unit() - 100);
    case KIND_DENORMAL:
        return r % 7 == 0 ? 0 : float_of_bits((r << 8 ^ rng()) % 0x800000u | (r & 1) << 31);
    case KIND_HUGE: return r % 5 == 0 ? -FLT_MAX : (float)(FLT_MAX * unit());
    case KIND_SPARSE: return r % 200 == 0 ? (float)(1 + unit()) : 0;
    case KIND_PATTERNS: return float_of_bits((r << 8 ^ rng()) % 0x7F800000u);
    case KIND_EDGES: return float_of_bits(((r % 64 + 0x7E0) << 19) - (rng() % 2));
    case KIND_SPIKE: return i % 97 == 0 ? (float)(2 + i % 5) : (float)n;
    }
    return 0;
}

static int cmp_double(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The scale by its definition, by a sort of every finite |value| in
 * double: numpy.percentile's linear rule at rank 0.99 (n - 1), or the
 * largest |value| if that is 0, or 1 if the grid has none but 0. */
static double reference_scale(const imgrad_grid *g)
{
    double *v = malloc((size_t)g->width * (size_t)g->height * sizeof *v), pos, p, top;
    size_t n = 0, k, k1;
    int x, y;

    for (y = 0; y < g->height; y++)
        for (x = 0; x < g->width; x++)
            if (isfinite(g->data[(size_t)y * g->stride + (size_t)x]))
                v[n++] = fabs(g->data[(size_t)y * g->stride + (size_t)x]);
    qsort(v, n, sizeof *v, cmp_double);
    top = n > 0 ? v[n - 1] : 0;
    if (top == 0) {
        free(v);
        return 1;
    }
    pos = 0.99 * (double)(n - 1);
    k = (size_t)pos;
    k1 = k + 1 < n ? k + 1 : k;
    p = v[k] + (v[k1] - v[k]) * (pos - (double)k);
    free(v);
    return p > 0 && p < top ? p : top;
}

/* A grid of one kind, its rows stride apart with finite padding between
 * them that the scale must not see. */
static void make_kind(imgrad_grid *g, int kind, int width, int height, size_t stride)
{
    const size_t n = (size_t)width * (size_t)height, single = rng() % n;
    size_t i;
    int x, y;

    memset(g, 0, sizeof *g);
    g->width = width;
    g->height = height;
    g->stride = stride;
    g->data = malloc(stride * (size_t)height * sizeof *g->data);
    for (i = 0; i < stride * (size_t)height; i++)
        g->data[i] = 3e38f; /* padding */
    for (y = 0, i = 0; y < height; y++)
        for (x = 0; x < width; x++, i++)
            g->data[(size_t)y * stride + (size_t)x] = value_of_kind(kind, i, n, single);
}

/* Every kind at sizes around the vector widths and the 65536-value
 * segments, with and without padding, at every ISA level: the same double
 * as the sort. */
static void test_auto_scale_reference(void **state)
{
    static const int sizes[][2] = { { 1, 1 }, { 1, 300 }, { 300, 1 }, { 7, 5 }, { 13, 17 },
                                    { 100, 3 }, { 129, 37 }, { 1000, 41 }, { 70001, 2 } };
    static const char *const isas[] = { "sse2", "avx2", "avx512" };
    int kind, s, pad, l;
    (void)state;
    rng_state = 12345;
    for (l = 0; l < 3; l++) {
        setenv("IMGRAD_ISA", isas[l], 1);
        for (kind = 0; kind < KINDS; kind++)
            for (s = 0; s < (int)(sizeof sizes / sizeof sizes[0]); s++)
                for (pad = 0; pad <= 5; pad += 5) {
                    imgrad_grid g;
                    double got, want;
                    make_kind(&g, kind, sizes[s][0], sizes[s][1], (size_t)sizes[s][0] + pad);
                    got = imgrad_auto_scale(&g);
                    want = reference_scale(&g);
                    free(g.data);
                    if (memcmp(&got, &want, sizeof got) != 0)
                        fail_msg("%s kind %d, %dx%d + %d: %.17g, the sort gives %.17g",
                                 isas[l], kind, sizes[s][0], sizes[s][1], pad, got, want);
                }
    }
    unsetenv("IMGRAD_ISA");
}

/* Rank k among the zeros, which the gather counts rather than keeps, and
 * rank k + 1 the smallest nonzero value, in bin 0 and above it: 51 values,
 * rank 0.99 * 50 = 49.5. */
static void test_auto_scale_zero_ranks(void **state)
{
    imgrad_grid g;
    int i;
    (void)state;
    assert_int_equal(imgrad_grid_init(&g, 51, 1), IMGRAD_OK);
    g.data[50] = -2;
    assert_true(imgrad_auto_scale(&g) == 1.0);
    g.data[50] = float_of_bits(5); /* a subnormal: the zeros' bin */
    for (i = 0; i < 50; i += 7)
        g.data[i] = -0.0f;
    assert_true(imgrad_auto_scale(&g) == 2.5 * (double)float_of_bits(1));
    assert_true(imgrad_auto_scale(&g) == reference_scale(&g));
    imgrad_grid_free(&g);
}

/* Grids whose sampled rows (one in IMGRAD__SCALE_SAMPLE) are unlike the
 * rest, so that the sample's range of bins misses the percentile or holds
 * too many values to gather: the scale must still be the sort's, through
 * counting every row.  And the ordinary case beside them. */
static void test_auto_scale_unlike_sample(void **state)
{
    static const char *const isas[] = { "sse2", "avx2", "avx512" };
    enum { W = 301, H = 203 };
    int l, c, x, y;
    (void)state;
    rng_state = 777;
    for (l = 0; l < 3; l++) {
        setenv("IMGRAD_ISA", isas[l], 1);
        for (c = 0; c < 4; c++) {
            imgrad_grid g;
            double got, want;
            assert_int_equal(imgrad_grid_init(&g, W, H), IMGRAD_OK);
            for (y = 0; y < H; y++)
                for (x = 0; x < W; x++) {
                    const int sampled = y % IMGRAD__SCALE_SAMPLE == 0;
                    const float u = (float)unit();
                    g.data[(size_t)y * W + x] =
                        c == 0 ? (sampled ? 0 : 1000 * u)           /* sample all zero */
                        : c == 1 ? (sampled ? 1000 + 1000 * u : u)  /* sample too high */
                        : c == 2 ? (sampled ? 1000 * u : 990.0f)    /* range overflows */
                                 : 1000 * u;                        /* like the rest */
                }
            got = imgrad_auto_scale(&g);
            want = reference_scale(&g);
            imgrad_grid_free(&g);
            if (memcmp(&got, &want, sizeof got) != 0)
                fail_msg("%s case %d: %.17g, the sort gives %.17g", isas[l], c, got, want);
        }
    }
    unsetenv("IMGRAD_ISA");
}

/* Rows added in any order, as a caller that computes rows itself would:
 * the histogram does not depend on the order. */
static void test_scale_rows_any_order(void **state)
{
    imgrad__scale_acc a;
    imgrad_grid g;
    int y;
    (void)state;
    rng_state = 99;
    make_kind(&g, KIND_SIGNED, 301, 40, 301);
    assert_true(imgrad__scale_init(&a));
    for (y = g.height - 1; y >= 0; y--)
        imgrad__scale_add_row(&a, g.data + (size_t)y * g.stride, g.width);
    assert_true(imgrad__scale_finish(&a, &g) == reference_scale(&g));
    free(g.data);
}

static void test_coords(void **state)
{
    FILE *fp = fopen(in_dir("x.txt"), "w");
    double *v;
    size_t n;
    (void)state;
    fputs("# positions\n0, 1.5 2\n3.25e0\n", fp);
    fclose(fp);
    assert_int_equal(imgrad_read_coords(in_dir("x.txt"), &v, &n), IMGRAD_OK);
    assert_int_equal(n, 4);
    assert_float_equal(v[1], 1.5, 0);
    assert_float_equal(v[3], 3.25, 0);
    free(v);
    fp = fopen(in_dir("bad.txt"), "w");
    fputs("1 2 three\n", fp);
    fclose(fp);
    assert_int_equal(imgrad_read_coords(in_dir("bad.txt"), &v, &n), IMGRAD_EDECODE);
    assert_null(v);
    {
        imgrad_grid g;
        assert_int_equal(imgrad_grid_init(&g, 3, 1), IMGRAD_OK);
        g.data[0] = 0; g.data[1] = 2; g.data[2] = 5;
        assert_int_equal(imgrad_write_npy(in_dir("x.npy"), &g), IMGRAD_OK);
        imgrad_grid_free(&g);
    }
    assert_int_equal(imgrad_read_coords(in_dir("x.npy"), &v, &n), IMGRAD_OK);
    assert_int_equal(n, 3);
    assert_float_equal(v[2], 5, 0);
    free(v);
    assert_int_equal(imgrad_read_coords(in_dir("none"), &v, &n), IMGRAD_EIO);
}

/* The bytes fn wrote to a memory stream, *len of them (free()d by the caller). */
static char *stream_bytes(imgrad_status (*fn)(FILE *, const void *), const void *ctx,
                          imgrad_status *st, size_t *len)
{
    char *buf = NULL;
    FILE *fp = open_memstream(&buf, len);

    assert_non_null(fp);
    *st = fn(fp, ctx);
    fclose(fp);
    return buf;
}

typedef struct mapped_case {
    const imgrad_grid *g;
    imgrad_format fmt;
    imgrad_map map;
    double scale;
    const imgrad_write_options *o;
} mapped_case;

static imgrad_status write_mapped(FILE *fp, const void *ctx)
{
    const mapped_case *c = ctx;
    return imgrad_write_mapped8_fp(fp, c->fmt, c->g, c->map, c->scale, c->o);
}

/* What imgrad_write_mapped8_fp stands for: imgrad_to_8bit, then the pixels written. */
static imgrad_status write_two_steps(FILE *fp, const void *ctx)
{
    const mapped_case *c = ctx;
    const size_t n = (size_t)c->g->width * (size_t)c->g->height;
    unsigned char *px = malloc(n);
    imgrad_status st = imgrad_to_8bit(c->g, c->map, c->scale, px, n);

    if (st == IMGRAD_OK)
        st = imgrad_write_image8_fp(fp, c->fmt, px, c->g->width, c->g->height, 1, c->o);
    free(px);
    return st;
}

/* imgrad_write_mapped8_fp writes the bytes of its two steps: every map, PNG
 * at levels 0, 1 and 6 with every filter, JPEG, BMP and TGA, odd sizes and a
 * stride wider than a row, clipped and NaN values; and the same refusals. */
static void test_write_mapped8(void **state)
{
    static const int sizes[][2] = { { 1, 1 }, { 3, 1 }, { 1, 5 }, { 37, 19 }, { 300, 211 } };
    static const imgrad_format fmts[] = { IMGRAD_FORMAT_PNG, IMGRAD_FORMAT_JPG,
                                          IMGRAD_FORMAT_BMP, IMGRAD_FORMAT_TGA };
    imgrad_write_options o;
    size_t i, f, len_a, len_b;
    int x, y, map, level, filter;
    (void)state;

    for (i = 0; i < sizeof sizes / sizeof *sizes; i++) {
        /* rows 3 floats apart beyond the width: a stride wider than a row */
        imgrad_grid g = { .width = sizes[i][0], .height = sizes[i][1],
                          .stride = (size_t)sizes[i][0] + 3 };
        g.data = malloc(g.stride * (size_t)g.height * sizeof *g.data);
        for (y = 0; y < g.height; y++)
            for (x = 0; x < (int)g.stride; x++)
                g.data[(size_t)y * g.stride + x] =
                    x >= g.width ? 1e30f /* never read */
                    : x == 1 && y == 0 ? NAN : (float)sin(x * 0.37 + y * 0.11) * (1 + y % 3);
        for (map = IMGRAD_MAP_UNSIGNED; map <= IMGRAD_MAP_ANGLE; map++)
            for (f = 0; f < sizeof fmts / sizeof *fmts; f++)
                for (level = 0; level <= 6; level += level == 1 ? 5 : 1)
                    for (filter = IMGRAD_PNG_ADAPTIVE; filter <= IMGRAD_PNG_PAETH; filter++) {
                        const mapped_case c = { &g, fmts[f], (imgrad_map)map, 1.5, &o };
                        imgrad_status sa, sb;
                        char *a, *b;
                        if (fmts[f] != IMGRAD_FORMAT_PNG && (level > 0 || filter > 0))
                            continue;
                        imgrad_write_options_default(&o);
                        o.png_level = level;
                        o.png_filter = filter;
                        a = stream_bytes(write_two_steps, &c, &sa, &len_a);
                        b = stream_bytes(write_mapped, &c, &sb, &len_b);
                        assert_int_equal(sb, IMGRAD_OK);
                        assert_int_equal(sa, IMGRAD_OK);
                        assert_int_equal(len_b, len_a);
                        assert_memory_equal(b, a, len_a);
                        free(a);
                        free(b);
                    }
        imgrad_write_options_default(&o);
        assert_int_equal(imgrad_write_mapped8_fp(stdout, IMGRAD_FORMAT_PNG, &g,
                                                 IMGRAD_MAP_UNSIGNED, 0, &o), IMGRAD_EINVAL);
        assert_int_equal(imgrad_write_mapped8_fp(stdout, IMGRAD_FORMAT_NPY, &g,
                                                 IMGRAD_MAP_UNSIGNED, 1, &o), IMGRAD_EINVAL);
        assert_int_equal(imgrad_write_mapped8_fp(stdout, IMGRAD_FORMAT_PNG, &g,
                                                 (imgrad_map)7, 1, &o), IMGRAD_EINVAL);
        assert_int_equal(imgrad_write_mapped8_fp(NULL, IMGRAD_FORMAT_PNG, &g,
                                                 IMGRAD_MAP_UNSIGNED, 1, &o), IMGRAD_EINVAL);
        free(g.data);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_npy_round_trip),
        cmocka_unit_test(test_failed_write_leaves_nothing),
        cmocka_unit_test(test_png_round_trip),
        cmocka_unit_test(test_to_8bit),
        cmocka_unit_test(test_write_mapped8),
        cmocka_unit_test(test_auto_scale),
        cmocka_unit_test(test_auto_scale_exact),
        cmocka_unit_test(test_auto_scale_wide),
        cmocka_unit_test(test_auto_scale_reference),
        cmocka_unit_test(test_auto_scale_zero_ranks),
        cmocka_unit_test(test_scale_rows_any_order),
        cmocka_unit_test(test_auto_scale_unlike_sample),
        cmocka_unit_test(test_coords),
    };
    return cmocka_run_group_tests(tests, make_dir, remove_dir);
}
