/* test_api.c - the public API's newer entry points, through include/imgrad.h
 * alone: products computed into the caller's grids, pixels decoded and made
 * grey in two steps, streams and whole-or-nothing files, the Gaussian, the
 * version macros. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "imgrad.h"

/* A W x H grid of f(x, y) = x^2 + 3 x y, inside a padded buffer (stride
 * W + 5) the caller owns. */
enum { W = 37, H = 23, PAD = 5 };

static void fill(imgrad_grid *g, float *buf)
{
    int x, y;

    g->width = W;
    g->height = H;
    g->stride = W + PAD;
    g->data = buf;
    g->residual = NULL;
    for (y = 0; y < H; y++)
        for (x = 0; x < W; x++)
            buf[(size_t)y * g->stride + x] = (float)(x * x + 3 * x * y);
}

/* in_place writes the caller's padded grids with exactly what the library
 * computes into grids it allocates, leaves the padding alone, and refuses a
 * grid of the wrong size. */
static void test_in_place(void **state)
{
    static float in_buf[H * (W + PAD)], gx_buf[H * (W + PAD)], mag_buf[H * (W + PAD)];
    imgrad_grid in, gx, mag, ref_gx, ref_mag;
    imgrad_gradient_options o;
    int x, y;
    (void)state;

    fill(&in, in_buf);
    imgrad_gradient_options_default(&o);
    o.op = IMGRAD_OP_SOBEL;
    assert_int_equal(imgrad_gradient(&in, &o, &(imgrad_products){ .gx = &ref_gx,
                                                                 .magnitude = &ref_mag }),
                     IMGRAD_OK);
    for (x = 0; x < H * (W + PAD); x++)
        gx_buf[x] = mag_buf[x] = -7.0f; /* a marker in the padding */
    gx = (imgrad_grid){ .width = W, .height = H, .stride = W + PAD, .data = gx_buf };
    mag = (imgrad_grid){ .width = W, .height = H, .stride = W + PAD, .data = mag_buf };
    assert_int_equal(imgrad_gradient(&in, &o, &(imgrad_products){ .gx = &gx, .magnitude = &mag,
                                                                 .in_place = 1 }),
                     IMGRAD_OK);
    assert_ptr_equal(gx.data, gx_buf); /* the caller's memory, not a new grid */
    for (y = 0; y < H; y++) {
        for (x = 0; x < W; x++) {
            assert_true(gx_buf[(size_t)y * (W + PAD) + x] == ref_gx.data[(size_t)y * W + x]);
            assert_true(mag_buf[(size_t)y * (W + PAD) + x] == ref_mag.data[(size_t)y * W + x]);
        }
        for (x = W; x < W + PAD; x++)
            assert_true(gx_buf[(size_t)y * (W + PAD) + x] == -7.0f);
    }
    gx.width = W - 1;
    assert_int_equal(imgrad_gradient(&in, &o, &(imgrad_products){ .gx = &gx, .in_place = 1 }),
                     IMGRAD_EINVAL);
    assert_ptr_equal(gx.data, gx_buf); /* refused, not emptied */
    imgrad_grid_free(&ref_gx);
    imgrad_grid_free(&ref_mag);
}

/* Canny into a caller's edges grid, with the gradient grids it needs made
 * and freed inside. */
static void test_in_place_edges(void **state)
{
    static float in_buf[H * (W + PAD)], e_buf[H * W];
    imgrad_grid in, edges, ref;
    imgrad_gradient_options o;
    int i;
    (void)state;

    fill(&in, in_buf);
    imgrad_gradient_options_default(&o);
    assert_int_equal(imgrad_gradient(&in, &o, &(imgrad_products){ .edges = &ref }), IMGRAD_OK);
    edges = (imgrad_grid){ .width = W, .height = H, .stride = W, .data = e_buf };
    assert_int_equal(imgrad_gradient(&in, &o, &(imgrad_products){ .edges = &edges,
                                                                 .in_place = 1 }),
                     IMGRAD_OK);
    for (i = 0; i < W * H; i++)
        assert_true(e_buf[i] == ref.data[i]);
    imgrad_grid_free(&ref);
}

/* decode then grey equals the one-step loader on the same bytes. */
static void test_decode_then_gray(void **state)
{
    unsigned char rgb[3 * 6 * 4];
    char *buf = NULL;
    size_t len = 0, i;
    FILE *fp = open_memstream(&buf, &len);
    imgrad_pixels px;
    imgrad_grid a, b;
    imgrad_load_options lo;
    (void)state;

    for (i = 0; i < sizeof rgb; i++)
        rgb[i] = (unsigned char)(i * 29 + 3);
    assert_non_null(fp);
    assert_int_equal(imgrad_write_image8_fp(fp, IMGRAD_FORMAT_PNG, rgb, 6, 4, 3, NULL),
                     IMGRAD_OK);
    fclose(fp);
    assert_int_equal(imgrad_decode_memory((unsigned char *)buf, len, NULL, &px), IMGRAD_OK);
    assert_int_equal(px.width, 6);
    assert_int_equal(px.height, 4);
    assert_int_equal(px.channels, 3);
    assert_int_equal(px.sample, IMGRAD_SAMPLE_U8);
    assert_memory_equal(px.data, rgb, sizeof rgb); /* PNG is lossless */
    imgrad_load_options_default(&lo);
    assert_int_equal(imgrad_gray_from_pixels(&px, lo.gray, 1, &a), IMGRAD_OK);
    assert_int_equal(imgrad_load_gray_memory((unsigned char *)buf, len, &lo, &b, NULL),
                     IMGRAD_OK);
    for (i = 0; i < 24; i++) {
        assert_true(a.data[i] == b.data[i]);
        assert_true(a.residual[i] == b.residual[i]);
    }
    imgrad_free(px.data);
    imgrad_grid_free(&a);
    imgrad_grid_free(&b);
    assert_int_equal(imgrad_decode_memory((const unsigned char *)"\x93NUMPY", 6, NULL, &px),
                     IMGRAD_EUNSUPPORTED);
    assert_null(px.data);
    free(buf);
}

/* The number of entries in dir, so that a test sees a temporary left over. */
static int entries(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0;

    assert_non_null(d);
    while ((e = readdir(d)) != NULL)
        n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(d);
    return n;
}

/* imgrad_file: nothing under the name until commit; abort leaves nothing. */
static void test_file(void **state)
{
    char dir[] = "/tmp/imgrad-api-XXXXXX", path[64], line[16];
    imgrad_file f;
    FILE *in;
    (void)state;

    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/t.txt", dir);
    assert_int_equal(imgrad_file_open(&f, path), IMGRAD_OK);
    fputs("whole\n", f.fp);
    assert_null(fopen(path, "r")); /* not there before commit */
    assert_int_equal(entries(dir), 1);
    assert_int_equal(imgrad_file_commit(&f), IMGRAD_OK);
    assert_non_null(in = fopen(path, "r"));
    assert_non_null(fgets(line, sizeof line, in));
    assert_string_equal(line, "whole\n");
    fclose(in);
    assert_int_equal(imgrad_file_open(&f, path), IMGRAD_OK);
    fputs("half", f.fp);
    imgrad_file_abort(&f);
    assert_int_equal(entries(dir), 1); /* the temporary is gone, t.txt kept */
    assert_int_equal(remove(path), 0);
    assert_int_equal(rmdir(dir), 0);
}

/* imgrad_gaussian is the smoothing imgrad_gradient applies for sigma. */
static void test_gaussian(void **state)
{
    static float in_buf[H * (W + PAD)];
    imgrad_grid in, s, a, b;
    imgrad_gradient_options o;
    int i;
    (void)state;

    fill(&in, in_buf);
    imgrad_gradient_options_default(&o);
    o.sigma = 1.5;
    o.border = IMGRAD_BORDER_REPLICATE;
    assert_int_equal(imgrad_gradient(&in, &o, &(imgrad_products){ .gx = &a }), IMGRAD_OK);
    assert_int_equal(imgrad_gaussian(&in, 1.5, IMGRAD_BORDER_REPLICATE, 0, 0, &s), IMGRAD_OK);
    o.sigma = 0;
    assert_int_equal(imgrad_gradient(&s, &o, &(imgrad_products){ .gx = &b }), IMGRAD_OK);
    for (i = 0; i < W * H; i++)
        assert_true(a.data[i] == b.data[i]);
    imgrad_grid_free(&s);
    assert_int_equal(imgrad_gaussian(&in, 0, IMGRAD_BORDER_REPLICATE, 0, 0, &s), IMGRAD_EINVAL);
    assert_null(s.data);
    imgrad_grid_free(&a);
    imgrad_grid_free(&b);
}

static void test_version(void **state)
{
    char want[32];
    (void)state;
    snprintf(want, sizeof want, "%d.%d.%d", IMGRAD_VERSION_MAJOR, IMGRAD_VERSION_MINOR,
             IMGRAD_VERSION_PATCH);
    assert_string_equal(want, IMGRAD_VERSION);
    assert_string_equal(imgrad_version(), IMGRAD_VERSION);
    imgrad_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_in_place),
        cmocka_unit_test(test_in_place_edges),
        cmocka_unit_test(test_decode_then_gray),
        cmocka_unit_test(test_file),
        cmocka_unit_test(test_gaussian),
        cmocka_unit_test(test_version),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
