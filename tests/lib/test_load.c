/* test_load.c - the loader on every format in assets/formats, grey weights
 * against hand-computed values, .npy dtypes and orders, and refusals. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imgrad.h"

#define DIR "assets/formats/"

static imgrad_grid load(const char *path, imgrad_gray_weights w, imgrad_source_info *info)
{
    imgrad_load_options o;
    imgrad_grid g;
    imgrad_status st;
    imgrad_load_options_default(&o);
    o.gray = w;
    st = imgrad_load_gray(path, &o, &g, info);
    if (st != IMGRAD_OK)
        fail_msg("%s: %s", path, imgrad_strerror(st));
    return g;
}

/* Largest |a - b * factor - offset| over two same-sized grids. */
static double max_diff(const imgrad_grid *a, const imgrad_grid *b, double factor, double offset)
{
    double m = 0;
    int i;
    assert_int_equal(a->width, b->width);
    assert_int_equal(a->height, b->height);
    for (i = 0; i < a->width * a->height; i++)
        m = fmax(m, fabs(a->data[i] - (b->data[i] * factor + offset)));
    return m;
}

/* The P6 file's pixels, read here without imgrad, weighted in double. */
static void test_png_grey_matches_reference(void **state)
{
    FILE *fp = fopen(DIR "cat.ppm", "rb");
    int w, h, maxv, i;
    unsigned char *rgb;
    imgrad_grid g = load(DIR "cat.png", IMGRAD_GRAY_REC601, NULL);
    (void)state;
    assert_non_null(fp);
    assert_int_equal(fscanf(fp, "P6 %d %d %d", &w, &h, &maxv), 3);
    fgetc(fp);
    rgb = malloc((size_t)w * h * 3);
    assert_int_equal(fread(rgb, 3, (size_t)w * h, fp), (size_t)w * h);
    fclose(fp);
    assert_int_equal(w, g.width);
    for (i = 0; i < w * h; i++) {
        double want = (0.299 * rgb[3 * i] + 0.587 * rgb[3 * i + 1] + 0.114 * rgb[3 * i + 2]) / 255;
        assert_true(fabs(g.data[i] - want) <= 1e-6);
    }
    free(rgb);
    imgrad_grid_free(&g);
}

static void test_lossless_formats_agree(void **state)
{
    const char *colour[] = { "cat.bmp", "cat.ppm", "cat.tga", "cat.psd", "cat16.png", "cat16.psd" };
    const char *grey[] = { "camera.pgm", "camera.gif", "camera_alpha.png", "camera16.pgm" };
    imgrad_grid ref = load(DIR "cat.png", IMGRAD_GRAY_REC601, NULL), g;
    imgrad_source_info info;
    size_t i;
    (void)state;
    for (i = 0; i < sizeof colour / sizeof *colour; i++) {
        char path[64];
        snprintf(path, sizeof path, DIR "%s", colour[i]);
        g = load(path, IMGRAD_GRAY_REC601, &info);
        if (max_diff(&g, &ref, 1, 0) > 1e-7)
            fail_msg("%s differs from cat.png", colour[i]);
        assert_int_equal(info.kind, strstr(colour[i], "16") ? IMGRAD_SOURCE_16BIT : IMGRAD_SOURCE_8BIT);
        assert_true(info.channels >= 3); /* stb reports PSD as RGBA */
        imgrad_grid_free(&g);
    }
    imgrad_grid_free(&ref);
    ref = load(DIR "camera.png", IMGRAD_GRAY_REC601, NULL);
    for (i = 0; i < sizeof grey / sizeof *grey; i++) {
        char path[64];
        snprintf(path, sizeof path, DIR "%s", grey[i]);
        g = load(path, IMGRAD_GRAY_REC601, NULL);
        if (max_diff(&g, &ref, 1, 0) > 1e-7)
            fail_msg("%s differs from camera.png", grey[i]);
        imgrad_grid_free(&g);
    }
    imgrad_grid_free(&ref);
}

static void test_lossy_formats_close(void **state)
{
    imgrad_grid ref = load(DIR "cat.png", IMGRAD_GRAY_REC601, NULL), g;
    imgrad_source_info info;
    double sum = 0;
    int i;
    (void)state;
    g = load(DIR "cat.jpg", IMGRAD_GRAY_REC601, &info);
    for (i = 0; i < g.width * g.height; i++)
        sum += fabs(g.data[i] - ref.data[i]);
    assert_true(sum / (g.width * g.height) < 0.02);
    imgrad_grid_free(&g);
    /* Radiance HDR: the same values as floats, with an 8-bit shared exponent */
    g = load(DIR "cat.hdr", IMGRAD_GRAY_REC601, &info);
    assert_int_equal(info.kind, IMGRAD_SOURCE_HDR);
    assert_true(max_diff(&g, &ref, 1, 0) < 0.01);
    imgrad_grid_free(&g);
    imgrad_grid_free(&ref);
}

/* A 3-pixel P6 image in memory, converted with each weight set. */
static void test_gray_weights(void **state)
{
    static const unsigned char ppm[] = "P6 3 1 255\n\xff\x00\x00\x00\xff\x00\x0a\xc8\x1e";
    const double px[3][3] = { { 255, 0, 0 }, { 0, 255, 0 }, { 10, 200, 30 } };
    const double w[4][3] = { { 0.299, 0.587, 0.114 }, { 0.2126, 0.7152, 0.0722 },
                             { 1 / 3.0, 1 / 3.0, 1 / 3.0 }, { 0.2125, 0.7154, 0.0721 } };
    const imgrad_gray_weights kinds[4] = { IMGRAD_GRAY_REC601, IMGRAD_GRAY_REC709,
                                           IMGRAD_GRAY_AVERAGE, IMGRAD_GRAY_SKIMAGE };
    imgrad_load_options o;
    imgrad_grid g;
    int k, i, c;
    (void)state;
    imgrad_load_options_default(&o);
    for (k = 0; k < 5; k++) {
        o.gray = k < 4 ? kinds[k] : IMGRAD_GRAY_LINEAR;
        assert_int_equal(imgrad_load_gray_memory(ppm, sizeof ppm - 1, &o, &g, NULL), IMGRAD_OK);
        for (i = 0; i < 3; i++) {
            double want = 0;
            for (c = 0; c < 3; c++) {
                double v = px[i][c] / 255;
                if (k == 4) /* sRGB to linear, then Rec.709 */
                    want += w[1][c] * (v <= 0.04045 ? v / 12.92 : pow((v + 0.055) / 1.055, 2.4));
                else
                    want += w[k][c] * v;
            }
            assert_float_equal(g.data[i], want, 1e-6);
        }
        imgrad_grid_free(&g);
    }
}

static void test_npy_grids(void **state)
{
    imgrad_grid ref = load(DIR "camera.png", IMGRAD_GRAY_REC601, NULL), g;
    imgrad_source_info info;
    (void)state;
    g = load(DIR "camera_u8.npy", IMGRAD_GRAY_REC601, &info); /* values kept: 0..255 */
    assert_int_equal(info.kind, IMGRAD_SOURCE_NPY);
    assert_true(max_diff(&g, &ref, 255, 0) < 1e-4);
    imgrad_grid_free(&g);
    g = load(DIR "camera_f64_fortran.npy", IMGRAD_GRAY_REC601, NULL);
    assert_true(max_diff(&g, &ref, 1, 0) < 1e-7);
    imgrad_grid_free(&g);
    g = load(DIR "camera_i16.npy", IMGRAD_GRAY_REC601, NULL);
    assert_true(max_diff(&g, &ref, 255, -128) < 1e-4);
    imgrad_grid_free(&g);
    imgrad_grid_free(&ref);
}

/* A .npy header with the given dict and nbytes of zero data. */
static imgrad_status load_npy_header(const char *dict, size_t nbytes)
{
    unsigned char buf[512] = "\x93NUMPY\x01\x00";
    size_t hl = strlen(dict);
    imgrad_grid g;
    imgrad_status st;
    buf[8] = (unsigned char)hl;
    buf[9] = 0;
    memcpy(buf + 10, dict, hl);
    memset(buf + 10 + hl, 0, nbytes);
    st = imgrad_load_gray_memory(buf, 10 + hl + nbytes, NULL, &g, NULL);
    if (st != IMGRAD_OK)
        assert_null(g.data);
    imgrad_grid_free(&g);
    return st;
}

static void test_refusals(void **state)
{
    static const unsigned char junk[] = "this is not an image at all";
    imgrad_load_options o;
    imgrad_grid g;
    unsigned char *png;
    FILE *fp;
    long n;
    (void)state;
    imgrad_load_options_default(&o);
    assert_int_equal(imgrad_load_gray_memory(junk, 0, &o, &g, NULL), IMGRAD_EEMPTY);
    assert_int_equal(imgrad_load_gray_memory(junk, sizeof junk, &o, &g, NULL), IMGRAD_EFORMAT);
    assert_int_equal(imgrad_load_gray("assets/formats/none.png", &o, &g, NULL), IMGRAD_EIO);
    assert_int_equal(imgrad_load_gray("assets/formats", &o, &g, NULL), IMGRAD_EIO);
    fp = fopen(DIR "cat.png", "rb");
    fseek(fp, 0, SEEK_END);
    n = ftell(fp);
    rewind(fp);
    png = malloc((size_t)n);
    assert_int_equal(fread(png, 1, (size_t)n, fp), (size_t)n);
    fclose(fp);
    assert_int_equal(imgrad_load_gray_memory(png, (size_t)n / 2, &o, &g, NULL), IMGRAD_EDECODE);
    assert_null(g.data);
    o.max_pixels = 96 * 64 - 1;
    assert_int_equal(imgrad_load_gray_memory(png, (size_t)n, &o, &g, NULL), IMGRAD_ETOOLARGE);
    imgrad_load_options_default(&o);
    o.max_dimension = 95;
    assert_int_equal(imgrad_load_gray_memory(png, (size_t)n, &o, &g, NULL), IMGRAD_ETOOLARGE);
    free(png);
    assert_int_equal(load_npy_header("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2, 2), }", 32), IMGRAD_EUNSUPPORTED);
    assert_int_equal(load_npy_header("{'descr': '<c8', 'fortran_order': False, 'shape': (2, 2), }", 32), IMGRAD_EUNSUPPORTED);
    assert_int_equal(load_npy_header("{'descr': '>f4', 'fortran_order': False, 'shape': (2, 2), }", 16), IMGRAD_EUNSUPPORTED);
    assert_int_equal(load_npy_header("{'descr': '<f4', 'fortran_order': False, 'shape': (20, 20), }", 16), IMGRAD_EDECODE);
    assert_int_equal(load_npy_header("{'descr': '<f4', 'fortran_order': False, 'shape': (0, 2), }", 0), IMGRAD_EEMPTY);
    assert_int_equal(load_npy_header("{'descr': '<f4', 'fortran_order': maybe, 'shape': (2, 2), }", 16), IMGRAD_EDECODE);
    assert_int_equal(load_npy_header("{'descr': '<f4', 'shape': (2, 2), }", 16), IMGRAD_EDECODE);
    assert_int_equal(load_npy_header("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }", 16), IMGRAD_OK);
}

/* 8-bit colour: data + residual is the float64 grey to 48 bits, and
 * residual = 0 in the options keeps none. */
static void test_residual(void **state)
{
    static const unsigned char ppm[] = "P6 3 1 255\n\xff\x00\x00\x00\xff\x00\x0a\xc8\x1e";
    const double px[3][3] = { { 255, 0, 0 }, { 0, 255, 0 }, { 10, 200, 30 } };
    imgrad_load_options o;
    imgrad_grid g;
    int i;
    (void)state;
    imgrad_load_options_default(&o);
    assert_int_equal(imgrad_load_gray_memory(ppm, sizeof ppm - 1, &o, &g, NULL), IMGRAD_OK);
    assert_non_null(g.residual);
    for (i = 0; i < 3; i++) {
        double want = 0.299 * (px[i][0] / 255) + 0.587 * (px[i][1] / 255) + 0.114 * (px[i][2] / 255);
        assert_true(fabs((double)g.data[i] + (double)g.residual[i] - want) < 1e-15);
    }
    imgrad_grid_free(&g);
    o.residual = 0;
    assert_int_equal(imgrad_load_gray_memory(ppm, sizeof ppm - 1, &o, &g, NULL), IMGRAD_OK);
    assert_null(g.residual);
    imgrad_grid_free(&g);
    /* exact in float32, but numpy computes integer arrays in float64: a
     * residual of zeros makes the central operator do so too */
    g = load(DIR "camera_u8.npy", IMGRAD_GRAY_REC601, NULL);
    assert_non_null(g.residual);
    for (i = 0; i < g.width * g.height; i++)
        assert_float_equal(g.residual[i], 0, 0);
    imgrad_grid_free(&g);
    g = load(DIR "camera_f64_fortran.npy", IMGRAD_GRAY_REC601, NULL);
    assert_non_null(g.residual);
    imgrad_grid_free(&g);
}

/* Reads a whole file into a malloc'ed buffer. */
static unsigned char *slurp(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    unsigned char *buf = malloc(1 << 20);
    assert_non_null(fp);
    assert_non_null(buf);
    *len = fread(buf, 1, 1 << 20, fp);
    fclose(fp);
    return buf;
}

/* IMGRAD_GRAY_OPENCV with raw_range: a grey PNG's own levels; a colour PNG
 * without gamma chunks libpng's truncated 15-bit sum (9797 R + 19234 G +
 * 3737 B) >> 15, which OpenCV's png_set_rgb_to_gray(png, 1, 0.299, 0.587)
 * makes; a BMP OpenCV's rounded 14-bit sum. */
static void test_opencv_grey(void **state)
{
    static const char *files[] = { DIR "camera.png", DIR "cat.png", DIR "cat.bmp" };
    imgrad_load_options o;
    imgrad_pixels px;
    imgrad_grid g;
    size_t len, i;
    int f;
    (void)state;
    imgrad_load_options_default(&o);
    o.gray = IMGRAD_GRAY_OPENCV;
    o.raw_range = 1;
    for (f = 0; f < 3; f++) {
        unsigned char *data = slurp(files[f], &len);
        const unsigned char *p;
        assert_int_equal(imgrad_load_gray_memory(data, len, &o, &g, NULL), IMGRAD_OK);
        assert_int_equal(imgrad_decode_memory(data, len, NULL, &px), IMGRAD_OK);
        p = px.data;
        for (i = 0; i < (size_t)px.width * (size_t)px.height; i++, p += px.channels) {
            const unsigned r = p[0], gr = p[px.channels >= 3], b = p[px.channels >= 3 ? 2 : 0];
            const unsigned want = px.channels < 3 ? r
                                  : f == 1 ? (9797 * r + 19234 * gr + 3737 * b) >> 15
                                           : (4899 * r + 9617 * gr + 1868 * b + 8192) >> 14;
            if (g.data[i] != (float)want)
                fail_msg("%s pixel %zu: %g, want %u", files[f], i, g.data[i], want);
        }
        imgrad_free(px.data);
        imgrad_grid_free(&g);
        free(data);
    }
}

/* imgrad_probe_memory tells, from the header alone, the size, channels and
 * kind the full decode reports, for every format of assets/formats; and
 * refuses what is no image, or a header cut short, with *info zeroed. */
static void test_probe_memory(void **state)
{
    static const char *files[] = {
        DIR "camera.gif", DIR "camera.pgm", DIR "camera.png", DIR "camera16.pgm",
        DIR "camera_alpha.png", DIR "camera_f64_fortran.npy", DIR "camera_i16.npy",
        DIR "camera_u8.npy", DIR "cat.bmp", DIR "cat.hdr", DIR "cat.jpg", DIR "cat.png",
        DIR "cat.ppm", DIR "cat.psd", DIR "cat.tga", DIR "cat16.png", DIR "cat16.psd",
    };
    static const unsigned char text[] = "width,height\n3,4\n";
    imgrad_load_options o;
    imgrad_source_info probed, loaded;
    imgrad_grid g;
    size_t len, f;
    (void)state;
    imgrad_load_options_default(&o);
    o.orient = 0; /* the probe gives the size as stored */
    for (f = 0; f < sizeof files / sizeof *files; f++) {
        unsigned char *data = slurp(files[f], &len);
        assert_int_equal(imgrad_probe_memory(data, len, &o, &probed), IMGRAD_OK);
        assert_int_equal(imgrad_load_gray_memory(data, len, &o, &g, &loaded), IMGRAD_OK);
        if (probed.width != loaded.width || probed.height != loaded.height
            || probed.channels != loaded.channels || probed.kind != loaded.kind)
            fail_msg("%s: probed %dx%d, %d channels, kind %d; decoded %dx%d, %d, %d", files[f],
                     probed.width, probed.height, probed.channels, (int)probed.kind,
                     loaded.width, loaded.height, loaded.channels, (int)loaded.kind);
        /* a header cut short before its size is an error, not a guess */
        assert_int_not_equal(imgrad_probe_memory(data, 5, &o, &probed), IMGRAD_OK);
        assert_int_equal(probed.width, 0);
        imgrad_grid_free(&g);
        free(data);
    }
    assert_int_equal(imgrad_probe_memory(text, sizeof text - 1, NULL, &probed), IMGRAD_EFORMAT);
    assert_int_equal(probed.width + probed.height + probed.channels, 0);
    assert_int_equal(imgrad_probe_memory(text, 0, NULL, &probed), IMGRAD_EEMPTY);
    assert_int_equal(imgrad_probe_memory(NULL, 4, NULL, &probed), IMGRAD_EINVAL);
    assert_int_equal(imgrad_probe_memory(text, 4, NULL, NULL), IMGRAD_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_png_grey_matches_reference),
        cmocka_unit_test(test_lossless_formats_agree),
        cmocka_unit_test(test_lossy_formats_close),
        cmocka_unit_test(test_gray_weights),
        cmocka_unit_test(test_npy_grids),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_residual),
        cmocka_unit_test(test_opencv_grey),
        cmocka_unit_test(test_probe_memory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
