/* test_write.c - .npy and image writers, the 8-bit mapping and its scale,
 * coordinate files. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "imgrad.h"

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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_npy_round_trip),
        cmocka_unit_test(test_failed_write_leaves_nothing),
        cmocka_unit_test(test_png_round_trip),
        cmocka_unit_test(test_to_8bit),
        cmocka_unit_test(test_auto_scale),
        cmocka_unit_test(test_auto_scale_exact),
        cmocka_unit_test(test_auto_scale_wide),
        cmocka_unit_test(test_coords),
    };
    return cmocka_run_group_tests(tests, make_dir, remove_dir);
}
