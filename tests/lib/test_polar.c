/* test_polar.c - the vectorised magnitude and direction (polar.c) against
 * double-precision hypot and atan2, their special cases, and the AVX2 and
 * AVX-512 builds against the baseline build. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "kernel/kernel.h"

#define M_PI 3.14159265358979323846
#define M_PI_2 (M_PI / 2)
#define M_PI_4 (M_PI / 4)

/* Largest error of the fast direction allowed here; polar.c documents 6e-7. */
#define DIR_TOL 6e-7
/* Magnitude: relative error in units of float epsilon / 2 (ulp at 1). */
#define MAG_ULP 2.0

enum { N = 4099 }; /* not a multiple of any vector width: tails are covered */

static imgrad__polar plan(int positive, int degrees)
{
    imgrad_gradient_options o;
    imgrad__polar p;
    imgrad_gradient_options_default(&o);
    o.angle_positive = positive;
    o.angle_degrees = degrees;
    imgrad__polar_plan(&o, &p);
    return p;
}

/* Dense angles around the circle at magnitudes from 1e-30 to 1e30. */
static void fill_circle(float *gx, float *gy, int k)
{
    const double r = pow(10.0, -30 + 60.0 * (k % 13) / 12.0);
    int i;
    for (i = 0; i < N; i++) {
        double a = -M_PI + 2 * M_PI * (i + 0.37 * k) / N;
        gx[i] = (float)(r * cos(a));
        gy[i] = (float)(r * sin(a));
    }
}

static void test_accuracy(void **state)
{
    float gx[N], gy[N], mag[N], dir[N];
    imgrad__polar p = plan(0, 0);
    double worst_dir = 0, worst_mag = 0;
    int i, k;
    (void)state;
    for (k = 0; k < 200; k++) {
        fill_circle(gx, gy, k);
        imgrad__polar_row(&p, gx, gy, mag, dir, N);
        for (i = 0; i < N; i++) {
            double want = atan2((double)gy[i], (double)gx[i]);
            double h = hypot((double)gx[i], (double)gy[i]);
            double e = fabs(dir[i] - want);
            if (want <= -M_PI + 1e-6 && dir[i] > 0) /* -pi and +pi are one angle */
                e = fabs(dir[i] - M_PI);
            worst_dir = e > worst_dir ? e : worst_dir;
            if (h > 1e-18) /* the documented loss below 1e-19 */
                worst_mag = fmax(worst_mag, fabs(mag[i] - h) / h / (FLT_EPSILON / 2));
        }
    }
    print_message("polar: worst direction error %.3g rad, magnitude %.3g ulp\n",
                  worst_dir, worst_mag);
    assert_true(worst_dir <= DIR_TOL);
    assert_true(worst_mag <= MAG_ULP);
}

static void test_special_values(void **state)
{
    const float big = 2e38f, inf = INFINITY; /* 2e38 squared overflows */
    /*                 gx     gy      direction */
    const float in[][3] = {
        { 0, 0, 0 }, { -0.0f, -0.0f, 0 }, { 1, 0, 0 }, { 0, 1, (float)M_PI_2 },
        { -1, 0, (float)M_PI }, { -1, -0.0f, (float)M_PI }, { 0, -1, (float)-M_PI_2 },
        { 2, 2, (float)M_PI_4 }, { -2, -2, (float)(-3 * M_PI_4) },
        { inf, inf, (float)M_PI_4 }, { inf, 1, 0 }, { 1, -inf, (float)-M_PI_2 },
        { big, big, (float)M_PI_4 },
    };
    enum { K = sizeof in / sizeof in[0] };
    float gx[K], gy[K], mag[K], dir[K];
    imgrad__polar p = plan(0, 0);
    int i;
    (void)state;
    for (i = 0; i < K; i++) {
        gx[i] = in[i][0];
        gy[i] = in[i][1];
    }
    imgrad__polar_row(&p, gx, gy, mag, dir, K);
    for (i = 0; i < K; i++) {
        if (fabs(dir[i] - in[i][2]) > DIR_TOL)
            fail_msg("direction of (%g, %g): got %.9g, want %.9g", gx[i], gy[i], dir[i],
                     in[i][2]);
        if (mag[i] != hypotf(gx[i], gy[i])) /* exact here: one rounding at most */
            fail_msg("magnitude of (%g, %g): got %.9g, want %.9g", gx[i], gy[i], mag[i],
                     hypotf(gx[i], gy[i]));
    }
    assert_true(isfinite(mag[K - 1]));
}

/* [0, 2pi) and degrees follow the same angles, and a tiny negative angle does
 * not become 2pi. */
static void test_positive_degrees(void **state)
{
    float gx[N], gy[N], d0[N], d1[N], d2[N];
    imgrad__polar p0 = plan(0, 0), p1 = plan(1, 0), p2 = plan(1, 1);
    int i;
    (void)state;
    fill_circle(gx, gy, 6);
    gx[0] = 1;
    gy[0] = -1e-30f;
    imgrad__polar_row(&p0, gx, gy, NULL, d0, N);
    imgrad__polar_row(&p1, gx, gy, NULL, d1, N);
    imgrad__polar_row(&p2, gx, gy, NULL, d2, N);
    for (i = 0; i < N; i++) {
        double want = d0[i] < 0 ? d0[i] + 2 * M_PI : d0[i];
        assert_true(d1[i] >= 0 && d1[i] < (float)(2 * M_PI));
        if (fabs(d1[i] - want) > 1e-6 && !(i == 0 && d1[i] == 0))
            fail_msg("positive %d: got %.9g, want %.9g", i, d1[i], want);
        assert_float_equal(d2[i], d1[i] * 180 / M_PI, 1e-4);
    }
}

/* The fast loops against the hypotf / atan2f reference, with options. */
static void test_against_reference(void **state)
{
    float gx[N], gy[N], m1[N], d1[N], m2[N], d2[N];
    imgrad_gradient_options o;
    imgrad__polar p;
    int i, l1;
    (void)state;
    srand(11);
    for (i = 0; i < N; i++) {
        gx[i] = (float)(rand() % 2001 - 1000) / 512;
        gy[i] = (float)(rand() % 2001 - 1000) / 512;
    }
    for (l1 = 0; l1 < 2; l1++) {
        imgrad_gradient_options_default(&o);
        o.norm_l1 = l1;
        o.magnitude_factor = 2040;
        o.angle_positive = 1;
        imgrad__polar_plan(&o, &p);
        imgrad__polar_row(&p, gx, gy, m1, d1, N);
        imgrad__polar_row_reference(&p, gx, gy, m2, d2, N);
        for (i = 0; i < N; i++) {
            assert_float_equal(m1[i], m2[i], 2040 * 4 * FLT_EPSILON);
            assert_float_equal(d1[i], d2[i], DIR_TOL + 1e-6);
        }
    }
}

/* Circles, and special values in every lane position: zeros of both signs,
 * infinities, NaN, huge and tiny values, all options. */
static void fill_builds(float *gx, float *gy, int k)
{
    const float odd[] = { 0.0f, -0.0f, INFINITY, -INFINITY, NAN, 2e38f, -3e-39f, 1e-45f,
                          -1.0f, 1.0f, 3.0f };
    const int n_odd = (int)(sizeof odd / sizeof odd[0]);
    int i;

    fill_circle(gx, gy, k);
    if (k % 2 == 0)
        return;
    for (i = 0; i < N; i += 3) {
        gx[i] = odd[(i / 3) % n_odd];
        gy[i] = odd[(i / 3 / n_odd + k) % n_odd];
    }
}

/* The AVX2 and AVX-512 builds give the same bits as the baseline build. */
static void test_builds_agree(void **state)
{
    float gx[N], gy[N], m1[N], d1[N], m2[N], d2[N];
    const imgrad__isa top = imgrad__cpu_isa();
    int isa, k, opts;
    (void)state;
    if (top == IMGRAD__ISA_BASELINE) {
        print_message("polar: only the baseline build runs on this CPU\n");
        skip();
    }
    for (opts = 0; opts < 4; opts++)
        for (isa = IMGRAD__ISA_AVX2; isa <= (int)top; isa++)
            for (k = 0; k < 14; k++) {
                imgrad__polar p = plan(opts & 1, opts >> 1);
                fill_builds(gx, gy, k);
                p.isa = (imgrad__isa)isa;
                imgrad__polar_row(&p, gx, gy, m1, d1, N);
                p.isa = IMGRAD__ISA_BASELINE;
                imgrad__polar_row(&p, gx, gy, m2, d2, N);
                assert_memory_equal(m1, m2, sizeof m1);
                assert_memory_equal(d1, d2, sizeof d1);
            }
}

/* Tiny and huge gradients: within 2 ulp of hypot (computed in double, where
 * these squares are exact), and 0 only for (0, 0). */
static void test_extreme_magnitudes(void **state)
{
    const float v[] = { 3e-30f, 4e-30f, 1e-45f, 0, 1e-40f, 2e-40f, 3e30f, 4e30f, 0, 0,
                        1e-20f, 1e-20f, 2e38f, 2e38f, 0, 7e-42f };
    float gx[8], gy[8], mag[8], dir[8];
    imgrad_gradient_options o;
    imgrad__polar p;
    int i;
    (void)state;
    for (i = 0; i < 8; i++) {
        gx[i] = v[2 * i];
        gy[i] = v[2 * i + 1];
    }
    imgrad_gradient_options_default(&o);
    imgrad__polar_plan(&o, &p);
    imgrad__polar_row(&p, gx, gy, mag, dir, 8);
    for (i = 0; i < 8; i++) {
        const double want = sqrt((double)gx[i] * gx[i] + (double)gy[i] * gy[i]);
        const float w = (float)want;
        if (w > FLT_MAX)
            assert_true(isinf(mag[i]));
        else if (fabs(mag[i] - want) > 2 * (nextafterf(w, INFINITY) - w))
            fail_msg("pixel %d: %g, hypot %g", i, mag[i], want);
        assert_true((mag[i] == 0) == (gx[i] == 0 && gy[i] == 0));
        if (mag[i] == 0)
            assert_float_equal(dir[i], 0, 0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_accuracy),
        cmocka_unit_test(test_special_values),
        cmocka_unit_test(test_positive_degrees),
        cmocka_unit_test(test_against_reference),
        cmocka_unit_test(test_builds_agree),
        cmocka_unit_test(test_extreme_magnitudes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
