/* test_smooth.c - the Gaussian pre-smoothing against a naive 2-D sum. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "testutil.h"

#include <math.h>
#include <stdlib.h>

#include "kernel/kernel.h"


static void test_radius(void **state)
{
    (void)state;
    assert_int_equal(imgrad__gauss_radius(1.0), 4);
    assert_int_equal(imgrad__gauss_radius(1.4), 6);  /* 5.6 + 0.5 */
    assert_int_equal(imgrad__gauss_radius(0.1), 1);  /* never 0 */
}

/* Each output is sum over (i, j) of g(i) g(j) f(border(x+i), border(y+j))
 * with g the normalised 1-D Gaussian, computed here in double, directly.
 * The image (9x5) is shorter than the radius for sigma 2, so reflections
 * bounce more than once. */
static void test_naive(void **state)
{
    const int w = 9, h = 5;
    double f[9 * 5], g[2 * 8 + 1], sum = 0;
    imgrad_border b;
    imgrad_grid in, out;
    const double sigma = 2.0, value = 0.75;
    const int r = imgrad__gauss_radius(sigma);
    int x, y, i, j;
    (void)state;
    for (i = 0; i < w * h; i++)
        f[i] = (i * 37 % 11) / 3.0;
    for (i = -r; i <= r; i++)
        sum += g[i + r] = exp(-i * i / (2 * sigma * sigma));
    for (i = 0; i <= 2 * r; i++)
        g[i] /= sum;
    in = make_grid(w, h, f);
    for (b = IMGRAD_BORDER_REFLECT101; b <= IMGRAD_BORDER_WRAP; b++) {
        assert_int_equal(imgrad_gaussian(&in, sigma, b, value, 0, &out), IMGRAD_OK);
        for (y = 0; y < h; y++)
            for (x = 0; x < w; x++) {
                double want = 0;
                for (j = -r; j <= r; j++)
                    for (i = -r; i <= r; i++) {
                        int sx = imgrad__border_index(x + i, w, b);
                        int sy = imgrad__border_index(y + j, h, b);
                        want += g[i + r] * g[j + r]
                                * (sx < 0 || sy < 0 ? value : f[sy * w + sx]);
                    }
                if (fabs(out.data[y * w + x] - want) > 1e-5)
                    fail_msg("border %d (%d,%d): got %.7g, want %.7g", b, x, y,
                             out.data[y * w + x], want);
            }
        imgrad_grid_free(&out);
    }
    imgrad_grid_free(&in);
}

/* A constant stays constant (the weights sum to 1); a bad sigma is EINVAL. */
static void test_constant(void **state)
{
    double f[6 * 4];
    imgrad_grid in, out;
    int i;
    (void)state;
    for (i = 0; i < 24; i++)
        f[i] = 0.4;
    in = make_grid(6, 4, f);
    assert_int_equal(imgrad_gaussian(&in, 0.8, IMGRAD_BORDER_REFLECT, 0, 2, &out), IMGRAD_OK);
    for (i = 0; i < 24; i++)
        assert_float_equal(out.data[i], 0.4, 1e-6);
    imgrad_grid_free(&out);
    assert_int_equal(imgrad_gaussian(&in, 0, IMGRAD_BORDER_REFLECT, 0, 0, &out), IMGRAD_EINVAL);
    assert_null(out.data);
    imgrad_grid_free(&in);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_radius),
        cmocka_unit_test(test_naive),
        cmocka_unit_test(test_constant),
    };
    return cmocka_run_group_tests_name("smooth", tests, NULL, NULL);
}
