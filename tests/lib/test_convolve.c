/* test_convolve.c - sobel, scharr, prewitt and roberts with every border:
 * a hand-computed 5x5 case, ramps and steps, a naive full-mask reference,
 * the border rules themselves, thread-count invariance and the builds for
 * each instruction set. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "testutil.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/kernel.h"

static const double five[25] = {
    1, 2, 3, 4, 5,
    2, 4, 6, 8, 10,
    0, 0, 9, 0, 0,
    5, 4, 3, 2, 1,
    1, 1, 1, 1, 1,
};


static float at(const imgrad_grid *g, int x, int y)
{
    return g->data[(size_t)y * g->stride + x];
}

/* gx and gy of in under op and border. */
static void grad(const imgrad_grid *in, imgrad_operator op, imgrad_border b, double value,
                 imgrad_grid *gx, imgrad_grid *gy)
{
    imgrad_gradient_options o;
    imgrad_products p = { .gx = gx, .gy = gy };
    imgrad_gradient_options_default(&o);
    o.op = op;
    o.border = b;
    o.border_value = value;
    assert_int_equal(imgrad_gradient(in, &o, &p), IMGRAD_OK);
}

/* One expected (gx, gy) at pixel (x, y) of the 5x5 case, worked out by hand
 * from the masks (comments give the raw sums). */
static const struct {
    imgrad_operator op;
    imgrad_border border;
    int x, y;
    double gx, gy;
} hand[] = {
    /* rows 0..2, cols 1..3: row differences 2, 4, 0; column differences -2, 6, -4 */
    { IMGRAD_OP_SOBEL, IMGRAD_BORDER_REFLECT101, 2, 1, 10 / 8., 6 / 8. },
    { IMGRAD_OP_SCHARR, IMGRAD_BORDER_REFLECT101, 2, 1, 46 / 32., 42 / 32. },
    { IMGRAD_OP_PREWITT, IMGRAD_BORDER_REFLECT101, 2, 1, 6 / 6., 0 / 6. },
    /* the corner: each border rule supplies row -1 and column -1 */
    { IMGRAD_OP_SOBEL, IMGRAD_BORDER_REFLECT101, 0, 0, 0, 0 },
    { IMGRAD_OP_SOBEL, IMGRAD_BORDER_REFLECT, 0, 0, 5 / 8., 5 / 8. },
    { IMGRAD_OP_SOBEL, IMGRAD_BORDER_REPLICATE, 0, 0, 5 / 8., 5 / 8. },
    { IMGRAD_OP_SOBEL, IMGRAD_BORDER_CONSTANT, 0, 0, 8 / 8., 8 / 8. },
    { IMGRAD_OP_SOBEL, IMGRAD_BORDER_WRAP, 0, 0, -12 / 8., 14 / 8. },
    /* d1 = f(3,2) - f(2,1) = -6, d2 = f(2,2) - f(3,1) = 1 */
    { IMGRAD_OP_ROBERTS, IMGRAD_BORDER_REFLECT101, 2, 1, -3.5, -2.5 },
    /* the last pixel: (5, 5) is (3, 3) by reflect101, (4, 4) by replicate */
    { IMGRAD_OP_ROBERTS, IMGRAD_BORDER_REFLECT101, 4, 4, 0.5, 0.5 },
    { IMGRAD_OP_ROBERTS, IMGRAD_BORDER_REPLICATE, 4, 4, 0, 0 },
};

static void test_hand_5x5(void **state)
{
    imgrad_grid in = make_grid(5, 5, five), gx, gy;
    size_t i;
    (void)state;
    for (i = 0; i < sizeof hand / sizeof hand[0]; i++) {
        grad(&in, hand[i].op, hand[i].border, 0, &gx, &gy);
        if (fabs(at(&gx, hand[i].x, hand[i].y) - hand[i].gx) > 1e-6
            || fabs(at(&gy, hand[i].x, hand[i].y) - hand[i].gy) > 1e-6)
            fail_msg("case %zu: got (%g, %g), want (%g, %g)", i, at(&gx, hand[i].x, hand[i].y),
                     at(&gy, hand[i].x, hand[i].y), hand[i].gx, hand[i].gy);
        imgrad_grid_free(&gx);
        imgrad_grid_free(&gy);
    }
    imgrad_grid_free(&in);
}

/* A unit ramp gives 1 inside for every operator; at the border columns
 * reflect101 gives 0 (OpenCV's documented behaviour), replicate 1/2 for the
 * 3x3 masks.  gy of a horizontal ramp is 0 everywhere. */
static void test_ramps(void **state)
{
    double v[8 * 6];
    imgrad_grid in, gx, gy;
    imgrad_operator op;
    int x, y;
    (void)state;
    for (y = 0; y < 6; y++)
        for (x = 0; x < 8; x++)
            v[y * 8 + x] = 3 + x;
    in = make_grid(8, 6, v);
    for (op = IMGRAD_OP_SOBEL; op <= IMGRAD_OP_ROBERTS; op++) {
        grad(&in, op, IMGRAD_BORDER_REFLECT101, 0, &gx, &gy);
        for (y = 0; y < 6; y++)
            for (x = 1; x < 7; x++) {
                assert_float_equal(at(&gx, x, y), 1.0, 1e-6);
                assert_float_equal(at(&gy, x, y), 0.0, 0);
            }
        /* Roberts's last column reads column 8 = column 6: the ramp turns */
        assert_float_equal(at(&gx, 7, 2), op == IMGRAD_OP_ROBERTS ? -1.0 : 0.0, 0);
        if (op != IMGRAD_OP_ROBERTS)
            assert_float_equal(at(&gx, 0, 2), 0.0, 0);
        imgrad_grid_free(&gx);
        imgrad_grid_free(&gy);
        grad(&in, op, IMGRAD_BORDER_REPLICATE, 0, &gx, &gy);
        if (op != IMGRAD_OP_ROBERTS)
            assert_float_equal(at(&gx, 0, 3), 0.5, 1e-6);
        imgrad_grid_free(&gx);
        imgrad_grid_free(&gy);
    }
    imgrad_grid_free(&in);
}

/* A step down the rows: the 3x3 masks see it on the two rows beside it with
 * half the unit-ramp response each, Roberts on the one row above it. */
static void test_step(void **state)
{
    double v[5 * 6];
    imgrad_grid in, gx, gy;
    int x, y;
    (void)state;
    for (y = 0; y < 6; y++)
        for (x = 0; x < 5; x++)
            v[y * 5 + x] = y >= 3 ? 1 : 0;
    in = make_grid(5, 6, v);
    grad(&in, IMGRAD_OP_SCHARR, IMGRAD_BORDER_REFLECT101, 0, &gx, &gy);
    for (y = 0; y < 6; y++) {
        assert_float_equal(at(&gy, 2, y), y == 2 || y == 3 ? 0.5 : 0.0, 1e-6);
        assert_float_equal(at(&gx, 2, y), 0.0, 0);
    }
    imgrad_grid_free(&gx);
    imgrad_grid_free(&gy);
    grad(&in, IMGRAD_OP_ROBERTS, IMGRAD_BORDER_REFLECT101, 0, &gx, &gy);
    for (y = 0; y < 6; y++)
        assert_float_equal(at(&gy, 2, y), y == 2 ? 1.0 : 0.0, 1e-6);
    imgrad_grid_free(&gx);
    imgrad_grid_free(&gy);
    imgrad_grid_free(&in);
}

/* The test's own one-sample border rule: where index -1 and n come from. */
static double padded(const double *f, int w, int h, int x, int y, imgrad_border b, double v)
{
    int lo[2], hi[2], pos[2] = { x, y }, n[2] = { w, h }, k;
    for (k = 0; k < 2; k++) {
        switch (b) {
        case IMGRAD_BORDER_REFLECT101: lo[k] = 1; hi[k] = n[k] - 2; break;
        case IMGRAD_BORDER_REFLECT:
        case IMGRAD_BORDER_REPLICATE: lo[k] = 0; hi[k] = n[k] - 1; break;
        case IMGRAD_BORDER_WRAP: lo[k] = n[k] - 1; hi[k] = 0; break;
        case IMGRAD_BORDER_CONSTANT: lo[k] = hi[k] = -1; break;
        }
        if (pos[k] == -1 || pos[k] == n[k]) {
            pos[k] = pos[k] == -1 ? lo[k] : hi[k];
            if (pos[k] < 0)
                return v;
        }
    }
    return f[pos[1] * w + pos[0]];
}

/* Full 3x3 correlation with gx's mask and its transpose, divided as documented. */
static void naive3(const double *f, int w, int h, int x, int y, const double m[3][3],
                   double div, imgrad_border b, double v, double out[2])
{
    int i, j;
    out[0] = out[1] = 0;
    for (j = -1; j <= 1; j++)
        for (i = -1; i <= 1; i++) {
            double s = padded(f, w, h, x + i, y + j, b, v);
            out[0] += m[j + 1][i + 1] * s;
            out[1] += m[i + 1][j + 1] * s;
        }
    out[0] /= div;
    out[1] /= div;
}

static void test_naive_reference(void **state)
{
    static const double masks[3][3][3] = {
        { { -1, 0, 1 }, { -2, 0, 2 }, { -1, 0, 1 } },
        { { -3, 0, 3 }, { -10, 0, 10 }, { -3, 0, 3 } },
        { { -1, 0, 1 }, { -1, 0, 1 }, { -1, 0, 1 } },
    };
    static const double divs[3] = { 8, 32, 6 };
    const int w = 7, h = 6;
    double f[7 * 6], want[2];
    imgrad_grid in, gx, gy;
    int k, b, x, y;
    (void)state;
    srand(3);
    for (k = 0; k < w * h; k++)
        f[k] = rand() % 100 / 10.0;
    in = make_grid(w, h, f);
    for (k = 0; k < 3; k++)
        for (b = IMGRAD_BORDER_REFLECT101; b <= IMGRAD_BORDER_WRAP; b++) {
            grad(&in, (imgrad_operator)(IMGRAD_OP_SOBEL + k), (imgrad_border)b, 2.5, &gx, &gy);
            for (y = 0; y < h; y++)
                for (x = 0; x < w; x++) {
                    naive3(f, w, h, x, y, masks[k], divs[k], (imgrad_border)b, 2.5, want);
                    if (fabs(at(&gx, x, y) - want[0]) > 1e-5
                        || fabs(at(&gy, x, y) - want[1]) > 1e-5)
                        fail_msg("op %d border %d (%d,%d): got (%g, %g), want (%g, %g)", k, b,
                                 x, y, at(&gx, x, y), at(&gy, x, y), want[0], want[1]);
                }
            imgrad_grid_free(&gx);
            imgrad_grid_free(&gy);
        }
    imgrad_grid_free(&in);
}

/* OpenCV's border pictures, including reflections longer than the row. */
static void test_border_index(void **state)
{
    /* n = 3 (abc), positions -7 .. 9 */
    static const int r101[] = { 1, 2, 1, 0, 1, 2, 1, 0, 1, 2, 1, 0, 1, 2, 1, 0, 1 };
    static const int refl[] = { 0, 0, 1, 2, 2, 1, 0, 0, 1, 2, 2, 1, 0, 0, 1, 2, 2 };
    static const int wrap[] = { 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0 };
    int i;
    (void)state;
    for (i = -7; i <= 9; i++) {
        assert_int_equal(imgrad__border_index(i, 3, IMGRAD_BORDER_REFLECT101), r101[i + 7]);
        assert_int_equal(imgrad__border_index(i, 3, IMGRAD_BORDER_REFLECT), refl[i + 7]);
        assert_int_equal(imgrad__border_index(i, 3, IMGRAD_BORDER_WRAP), wrap[i + 7]);
        assert_int_equal(imgrad__border_index(i, 3, IMGRAD_BORDER_REPLICATE),
                         i < 0 ? 0 : i > 2 ? 2 : i);
        assert_int_equal(imgrad__border_index(i, 3, IMGRAD_BORDER_CONSTANT),
                         i < 0 || i > 2 ? -1 : i);
    }
    assert_int_equal(imgrad__border_index(-5, 1, IMGRAD_BORDER_REFLECT101), 0);
}

/* raw_scale multiplies by the divisor exactly; every operator and product,
 * smoothing and edges included, is bit-identical for 1, 2 and 3 threads. */
static void test_raw_and_threads(void **state)
{
    const int w = 37, h = 29;
    double f[37 * 29];
    imgrad_grid in, base[5], again[5];
    imgrad_gradient_options o;
    int k, op, t, p;
    (void)state;
    for (k = 0; k < w * h; k++)
        f[k] = sin(k * 0.37) + (k % 7) * 0.1;
    in = make_grid(w, h, f);
    for (op = IMGRAD_OP_CENTRAL; op <= IMGRAD_OP_ROBERTS; op++) {
        imgrad_products pb = { .gx = &base[0], .gy = &base[1], .magnitude = &base[2], .direction = &base[3], .edges = &base[4] };
        imgrad_products pa = { .gx = &again[0], .gy = &again[1], .magnitude = &again[2], .direction = &again[3], .edges = &again[4] };
        imgrad_gradient_options_default(&o);
        o.op = (imgrad_operator)op;
        o.sigma = 1.3;
        o.threads = 1;
        assert_int_equal(imgrad_gradient(&in, &o, &pb), IMGRAD_OK);
        for (t = 2; t <= 3; t++) {
            o.threads = t;
            assert_int_equal(imgrad_gradient(&in, &o, &pa), IMGRAD_OK);
            for (p = 0; p < 5; p++) {
                assert_memory_equal(base[p].data, again[p].data, sizeof(float) * w * h);
                imgrad_grid_free(&again[p]);
            }
        }
        if (op != IMGRAD_OP_CENTRAL) {
            static const float div[] = { 0, 8, 32, 6, 2 };
            imgrad_products raw = { .gx = &again[0] };
            o.raw_scale = 1;
            assert_int_equal(imgrad_gradient(&in, &o, &raw), IMGRAD_OK);
            for (k = 0; k < w * h; k++)
                assert_float_equal(again[0].data[k], base[0].data[k] * div[op],
                                   1e-5 * (1 + fabs(again[0].data[k])));
            imgrad_grid_free(&again[0]);
        }
        for (p = 0; p < 5; p++)
            imgrad_grid_free(&base[p]);
    }
    imgrad_grid_free(&in);
}

static void test_bad_options(void **state)
{
    imgrad_grid in = make_grid(5, 5, five), gx;
    imgrad_products p = { .gx = &gx };
    imgrad_gradient_options o;
    (void)state;
    imgrad_gradient_options_default(&o);
    o.op = (imgrad_operator)99;
    assert_int_equal(imgrad_gradient(&in, &o, &p), IMGRAD_EINVAL);
    assert_null(gx.data);
    imgrad_gradient_options_default(&o);
    o.border = (imgrad_border)99;
    assert_int_equal(imgrad_gradient(&in, &o, &p), IMGRAD_EINVAL);
    o.border = IMGRAD_BORDER_CONSTANT;
    o.border_value = NAN;
    assert_int_equal(imgrad_gradient(&in, &o, &p), IMGRAD_EINVAL);
    imgrad_gradient_options_default(&o);
    o.sigma = -1;
    assert_int_equal(imgrad_gradient(&in, &o, &p), IMGRAD_EINVAL);
    imgrad_grid_free(&in);
}

/* The AVX2 and AVX-512 builds of the row loops give the baseline's bits,
 * and so do rows made in spans: every 3x3 operator and raw scale (the
 * divisors 8, 32, 6 and 1), every border, widths around the vector
 * lengths, random values. */
static void test_builds_agree(void **state)
{
    enum { W = 77, H = 5 };
    const imgrad_operator ops[3] = { IMGRAD_OP_SOBEL, IMGRAD_OP_SCHARR, IMGRAD_OP_PREWITT };
    const imgrad__isa top = imgrad__cpu_isa();
    static float scratch[5 * (W + 2)], got[2][W], want[2][W];
    imgrad_grid g;
    imgrad_gradient_options o;
    imgrad__conv p;
    int i, k, b, w, x, isa;
    (void)state;
    if (top == IMGRAD__ISA_BASELINE) {
        print_message("convolve: only the baseline build runs on this CPU\n");
        skip();
    }
    assert_int_equal(imgrad_grid_init(&g, W, H), IMGRAD_OK);
    srand(5);
    for (i = 0; i < W * H; i++)
        g.data[i] = (float)rand() / RAND_MAX * 200 - 100;
    for (k = 0; k < 6; k++)
        for (b = IMGRAD_BORDER_REFLECT101; b <= IMGRAD_BORDER_WRAP; b++)
            for (w = 1; w <= W; w += 4)
                for (isa = IMGRAD__ISA_AVX2; isa <= (int)top; isa++) {
                    imgrad_gradient_options_default(&o);
                    o.op = ops[k % 3];
                    o.raw_scale = k >= 3;
                    o.border = (imgrad_border)b;
                    o.border_value = 0.7;
                    assert_int_equal(imgrad__conv_plan(&o, &p), IMGRAD_OK);
                    g.width = w; /* the first w columns, stride W */
                    p.isa = (imgrad__isa)isa;
                    imgrad__conv_span(&p, &g, 2, 0, w, scratch, got[0], got[1]);
                    p.isa = IMGRAD__ISA_BASELINE;
                    imgrad__conv_span(&p, &g, 2, 0, w, scratch, want[0], want[1]);
                    assert_memory_equal(got[0], want[0], (size_t)w * sizeof(float));
                    assert_memory_equal(got[1], want[1], (size_t)w * sizeof(float));
                    /* the same row in spans of 5 columns (the kernel pass
                     * makes rows a chunk at a time) */
                    p.isa = (imgrad__isa)isa;
                    for (x = 0; x < w; x += 5)
                        imgrad__conv_span(&p, &g, 2, x, x + 5 < w ? x + 5 : w, scratch, got[0],
                                          got[1]);
                    assert_memory_equal(got[0], want[0], (size_t)w * sizeof(float));
                    assert_memory_equal(got[1], want[1], (size_t)w * sizeof(float));
                }
    g.width = W;
    imgrad_grid_free(&g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hand_5x5),
        cmocka_unit_test(test_ramps),
        cmocka_unit_test(test_step),
        cmocka_unit_test(test_naive_reference),
        cmocka_unit_test(test_border_index),
        cmocka_unit_test(test_raw_and_threads),
        cmocka_unit_test(test_bad_options),
        cmocka_unit_test(test_builds_agree),
    };
    return cmocka_run_group_tests_name("convolve", tests, NULL, NULL);
}
