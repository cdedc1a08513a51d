/* test_gray.c - 8-bit colour to grey (gray.c) against the double-precision
 * formulas, for every weight set, grey, grey + alpha, RGB and RGBA. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>

#include "internal.h"

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
    assert_int_equal(imgrad_grid_init(&g, W, H), IMGRAD_OK);
    imgrad__to_gray(px, IMGRAD__U8, channels, which, &g);
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_u8),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
