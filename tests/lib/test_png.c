/* test_png.c - the libdeflate PNG writer (png.c): every filter and level,
 * grey and RGB, read back by stb_image (an independent decoder) through
 * imgrad_load_gray_memory, must give back the exact pixels. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/io.h"

enum { W = 61, H = 37 };

/* A smooth ramp with noise and a sharp edge: every filter predicts part of it. */
static void fill(unsigned char *px, int channels)
{
    int x, y, c;
    srand(5);
    for (y = 0; y < H; y++)
        for (x = 0; x < W; x++)
            for (c = 0; c < channels; c++)
                px[(y * W + x) * channels + c] =
                    (unsigned char)((x * 3 + y * 2 + c * 40 + rand() % 7 + (x > 40 ? 100 : 0)) & 255);
}

/* Encodes px to memory and decodes it back to grey; returns the grid. */
static imgrad_grid round_trip(const unsigned char *px, int channels, int level, int filter,
                              size_t *bytes)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&buf, &len);
    imgrad_load_options lo;
    imgrad_grid g;

    assert_non_null(fp);
    assert_int_equal(imgrad__png_encode(fp, px, W, H, channels, level, filter), IMGRAD_OK);
    assert_int_equal(fclose(fp), 0);
    imgrad_load_options_default(&lo);
    assert_int_equal(imgrad_load_gray_memory((unsigned char *)buf, len, &lo, &g, NULL),
                     IMGRAD_OK);
    free(buf);
    *bytes = len;
    return g;
}

static void test_grey_round_trip(void **state)
{
    unsigned char px[W * H];
    size_t bytes, stored = 0;
    int level, filter, i;
    (void)state;
    fill(px, 1);
    for (level = 0; level <= 9; level += 3)
        for (filter = IMGRAD_PNG_ADAPTIVE; filter <= IMGRAD_PNG_PAETH; filter++) {
            imgrad_grid g = round_trip(px, 1, level, filter, &bytes);
            for (i = 0; i < W * H; i++)
                if (g.data[i] != (float)(px[i] / 255.0))
                    fail_msg("level %d filter %d pixel %d: got %g, want %d", level, filter,
                             i, g.data[i] * 255, px[i]);
            if (level == 0 && filter == IMGRAD_PNG_NONE)
                stored = bytes;
            imgrad_grid_free(&g);
        }
    /* level 0 stores: at least the raw rows; level 9 compresses */
    assert_true(stored >= (size_t)(W + 1) * H);
    {
        imgrad_grid g = round_trip(px, 1, 9, IMGRAD_PNG_UP, &bytes);
        assert_true(bytes < stored);
        imgrad_grid_free(&g);
    }
}

static void test_rgb_round_trip(void **state)
{
    unsigned char px[W * H * 3];
    size_t bytes;
    int filter, i;
    imgrad_grid ref;
    (void)state;
    fill(px, 3);
    /* the reference grey: the same pixels through stb's own writer path (BMP) */
    {
        char *buf = NULL;
        size_t len = 0;
        FILE *fp = open_memstream(&buf, &len);
        imgrad_write_options wo;
        imgrad_write_options_default(&wo);
        assert_int_equal(imgrad__stb_encode(fp, IMGRAD_FORMAT_BMP, px, W, H, 3, &wo),
                         IMGRAD_OK);
        fclose(fp);
        assert_int_equal(imgrad_load_gray_memory((unsigned char *)buf, len, NULL, &ref, NULL),
                         IMGRAD_OK);
        free(buf);
    }
    for (filter = IMGRAD_PNG_ADAPTIVE; filter <= IMGRAD_PNG_PAETH; filter++) {
        imgrad_grid g = round_trip(px, 3, 6, filter, &bytes);
        for (i = 0; i < W * H; i++)
            assert_true(g.data[i] == ref.data[i]);
        imgrad_grid_free(&g);
    }
    imgrad_grid_free(&ref);
}

static void test_bad_options(void **state)
{
    unsigned char px[4] = { 0 };
    imgrad_write_options o;
    (void)state;
    imgrad_write_options_default(&o);
    assert_int_equal(o.png_filter, IMGRAD_PNG_ADAPTIVE);
    o.png_filter = 5;
    assert_int_equal(imgrad_write_image8("/nonexistent/x.png", IMGRAD_FORMAT_PNG, px, 2, 2, 1,
                                         &o), IMGRAD_EINVAL);
    o.png_filter = IMGRAD_PNG_NONE;
    o.png_level = 10;
    assert_int_equal(imgrad_write_image8("/nonexistent/x.png", IMGRAD_FORMAT_PNG, px, 2, 2, 1,
                                         &o), IMGRAD_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_grey_round_trip),
        cmocka_unit_test(test_rgb_round_trip),
        cmocka_unit_test(test_bad_options),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
