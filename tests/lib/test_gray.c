/* test_gray.c - 8-bit colour to grey (gray.c) against the double-precision
 * formulas, for every weight set, grey, grey + alpha, RGB and RGBA. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>
#include <stdlib.h>

#include "io/io.h"

enum { W = 97, H = 31 };

static double srgb(double c)
{
    return c <= 0.04045 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4);
}

/* Every channel value appears: pixel i, channel c holds (i * 7 + c * 85) % 256. */
static void fill(unsigned char *px, int channels)
{
    int i, c;
    for (i = 0; i < W * H; i++)
        for (c = 0; c < channels; c++)
            px[i * channels + c] = (unsigned char)((i * 7 + c * 85 + i / 256) % 256);
}

static void check(int channels, imgrad_gray_weights which, const double w[3], int decode)
{
    unsigned char *px = malloc((size_t)W * H * channels);
    imgrad_grid g;
    int i;

    fill(px, channels);
    assert_int_equal(imgrad_gray_from_pixels(&(imgrad_pixels){ .data = px,
                                                              .sample = IMGRAD_SAMPLE_U8,
                                                              .width = W, .height = H,
                                                              .channels = channels },
                                             which, 0, &g),
                     IMGRAD_OK);
    for (i = 0; i < W * H; i++) {
        const unsigned char *p = px + (size_t)i * channels;
        double r = p[0] / 255.0, gg = channels >= 3 ? p[1] / 255.0 : r;
        double b = channels >= 3 ? p[2] / 255.0 : r, want;
        if (decode) {
            r = srgb(r); gg = srgb(gg); b = srgb(b);
        }
        /* the formula as numpy / skimage evaluate it, one float rounding */
        want = channels < 3 ? r : w[0] * r + w[1] * gg + w[2] * b;
        if (g.data[i] != (float)want)
            fail_msg("%d channels, weights %d, pixel %d: got %.9g, want %.9g",
                     channels, which, i, g.data[i], want);
        /* and within 1e-6 of the integer form (0.299 R + 0.587 G + 0.114 B) / 255 */
        if (!decode && channels >= 3
            && fabs(g.data[i] - (w[0] * p[0] + w[1] * p[1] + w[2] * p[2]) / 255) > 1e-6)
            fail_msg("pixel %d off the integer formula", i);
    }
    imgrad_grid_free(&g);
    free(px);
}

static void test_u8(void **state)
{
    const double rec601[3] = { 0.299, 0.587, 0.114 }, rec709[3] = { 0.2126, 0.7152, 0.0722 };
    const double avg[3] = { 1.0 / 3, 1.0 / 3, 1.0 / 3 }, sk[3] = { 0.2125, 0.7154, 0.0721 };
    int ch;
    (void)state;
    for (ch = 1; ch <= 4; ch++) {
        check(ch, IMGRAD_GRAY_REC601, rec601, 0);
        check(ch, IMGRAD_GRAY_REC709, rec709, 0);
        check(ch, IMGRAD_GRAY_AVERAGE, avg, 0);
        check(ch, IMGRAD_GRAY_SKIMAGE, sk, 0);
        check(ch, IMGRAD_GRAY_LINEAR, rec709, 1);
    }
}

/* The grey of px described by d, as the independent formula for one pixel:
 * Rec.601 of the sample at (x, y), channels in RGB or BGR order, 16-bit or
 * 8-bit. */
static double want_601(const void *base, const imgrad_pixels *d, int x, int y)
{
    const unsigned char *row = (const unsigned char *)base + (size_t)y * d->stride;
    double v[3];
    int c;

    for (c = 0; c < 3; c++) {
        const int at = x * d->channels + (d->bgr ? 2 - c : c);
        if (d->sample == IMGRAD_SAMPLE_U16) {
            unsigned short s;
            memcpy(&s, row + 2 * at, 2);
            v[c] = s / 65535.0;
        } else {
            v[c] = row[at] / 255.0;
        }
    }
    return 0.299 * v[0] + 0.587 * v[1] + 0.114 * v[2];
}

/* Pixels in memory: BGRA with padded rows (OpenCV's layout), 16-bit RGB
 * with an odd stride (unaligned samples), and the refusals. */
static void test_layouts(void **state)
{
    enum { PW = 13, PH = 7, STRIDE = PW * 4 * 2 + 3 };
    unsigned char buf[STRIDE * PH];
    imgrad_pixels d = { .data = buf, .sample = IMGRAD_SAMPLE_U8, .width = PW, .height = PH,
                        .channels = 4, .bgr = 1, .stride = STRIDE };
    imgrad_grid g;
    int x, y, k;
    (void)state;
    for (k = 0; k < (int)sizeof buf; k++)
        buf[k] = (unsigned char)(k * 37 + k / 5);
    for (k = 0; k < 2; k++) {
        assert_int_equal(imgrad_gray_from_pixels(&d, IMGRAD_GRAY_REC601, 1, &g), IMGRAD_OK);
        for (y = 0; y < PH; y++)
            for (x = 0; x < PW; x++) {
                const size_t i = (size_t)y * g.stride + (size_t)x;
                assert_true((double)g.data[i] + g.residual[i] - want_601(buf, &d, x, y) < 1e-12);
                assert_true(want_601(buf, &d, x, y) - ((double)g.data[i] + g.residual[i]) < 1e-12);
                assert_true(g.data[i] == (float)want_601(buf, &d, x, y));
            }
        imgrad_grid_free(&g);
        /* second round: 16-bit RGB, 3 channels, the same odd stride */
        d.sample = IMGRAD_SAMPLE_U16;
        d.channels = 3;
        d.bgr = 0;
    }
    d.stride = PW * 3 * 2 - 1; /* shorter than a row */
    assert_int_equal(imgrad_gray_from_pixels(&d, IMGRAD_GRAY_REC601, 0, &g), IMGRAD_EINVAL);
    assert_null(g.data);
    d.stride = 0;
    d.channels = 5;
    assert_int_equal(imgrad_gray_from_pixels(&d, IMGRAD_GRAY_REC601, 0, &g), IMGRAD_EINVAL);
    assert_int_equal(imgrad_gray_from_pixels(NULL, IMGRAD_GRAY_REC601, 0, &g), IMGRAD_EINVAL);
}

/* IMGRAD_GRAY_OPENCV on 8-bit colour: cvtColor's levels (pure red 76,
 * green 150, blue 29, white 255), kept 0..255 with raw and / 255 without. */
static void test_opencv_levels(void **state)
{
    unsigned char rgb[5 * 3] = { 255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255, 10, 20, 30 };
    imgrad_pixels px = { .data = rgb, .sample = IMGRAD_SAMPLE_U8, .width = 5, .height = 1,
                         .channels = 3 };
    const double want[5] = { 76, 150, 29, 255, 18 }; /* 0.299*10+0.587*20+0.114*30 = 18.16 */
    imgrad_grid g;
    int i;
    (void)state;
    assert_int_equal(imgrad_grid_init(&g, 5, 1), IMGRAD_OK);
    imgrad__to_gray(&px, IMGRAD_GRAY_OPENCV, 1, &g);
    for (i = 0; i < 5; i++)
        assert_float_equal(g.data[i], want[i], 0);
    imgrad__to_gray(&px, IMGRAD_GRAY_OPENCV, 0, &g);
    for (i = 0; i < 5; i++)
        assert_float_equal(g.data[i], (float)(want[i] / 255.0), 0);
    imgrad_grid_free(&g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_u8),
        cmocka_unit_test(test_layouts),
        cmocka_unit_test(test_opencv_levels),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
