/* test_gradient.c - the central kernel against numpy 1.24's golden values
 * (shared/SPEC.md section 1), constants, ramps and thread-count invariance. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "testutil.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "imgrad.h"


static void assert_row_near(const float *got, const double *want, int n, double tol)
{
    int i;
    for (i = 0; i < n; i++)
        if (fabs(got[i] - want[i]) > tol)
            fail_msg("element %d: got %.9g, want %.9g", i, got[i], want[i]);
}

/* gradient of a 1-D signal laid out as a 1 x n row (d/dx) and as an n x 1
 * column (d/dy); both must give want. */
static void check_1d(const double *f, int n, double h, const double *x, int order,
                     const double *want)
{
    imgrad_grid row, col;
    imgrad_grid gx, gy;
    imgrad_products px = { .gx = &gx };
    imgrad_products py = { .gy = &gy };
    imgrad_gradient_options o;

    /* the other axis is 3 wide, long enough for either edge order */
    {
        double *three = malloc(3 * (size_t)n * sizeof *three);
        int i, k;
        for (k = 0; k < 3; k++)
            for (i = 0; i < n; i++)
                three[k * n + i] = f[i];          /* 3 equal rows for d/dx */
        row = make_grid(n, 3, three);
        for (i = 0; i < n; i++)
            for (k = 0; k < 3; k++)
                three[3 * i + k] = f[i];          /* 3 equal columns for d/dy */
        col = make_grid(3, n, three);
        free(three);
    }
    imgrad_gradient_options_default(&o);
    o.edge_order = order;
    o.dx = o.dy = h;
    o.x_coords = x;
    assert_int_equal(imgrad_gradient(&row, &o, &px), IMGRAD_OK);
    assert_row_near(gx.data, want, n, 1e-6);
    assert_row_near(gx.data + 2 * n, want, n, 1e-6);
    o.x_coords = NULL;
    o.y_coords = x;
    assert_int_equal(imgrad_gradient(&col, &o, &py), IMGRAD_OK);
    {
        int i;
        for (i = 0; i < n; i++) {
            if (fabs(gy.data[3 * i] - want[i]) > 1e-6 || gy.data[3 * i] != gy.data[3 * i + 2])
                fail_msg("gy %d: got %.9g, want %.9g", i, gy.data[3 * i], want[i]);
        }
    }
    imgrad_grid_free(&gx);
    imgrad_grid_free(&gy);
    imgrad_grid_free(&row);
    imgrad_grid_free(&col);
}

static const double f6[] = { 3, 7, 14, 23, 36, 47 };

static void test_uniform(void **state)
{
    const double want[] = { 4, 5.5, 8, 11, 12, 11 };
    (void)state;
    check_1d(f6, 6, 1, NULL, 1, want);
}

static void test_spacing(void **state)
{
    const double want[] = { 2, 2.75, 4, 5.5, 6, 5.5 };
    const double f8[] = { 8, 2, 8, 3, 5, 6, 5, 15 };
    const double want8[] = { -0.857142857, 0, 0.0714285714, -0.214285714,
                             0.214285714, 0, 0.642857143, 1.42857143 };
    (void)state;
    check_1d(f6, 6, 2, NULL, 1, want);
    check_1d(f8, 8, 7, NULL, 1, want8);
}

static void test_edge_order_2(void **state)
{
    const double want[] = { 2.5, 5.5, 8, 11, 12, 10 };
    (void)state;
    check_1d(f6, 6, 1, NULL, 2, want);
}

static void test_coordinates(void **state)
{
    const double f[] = { 1, 2, 4, 7, 11, 16 };
    const double x[] = { 0, 1, 1.5, 3.5, 4, 6 };
    const double want1[] = { 1, 3, 3.5, 6.7, 6.9, 2.5 };
    const double want2[] = { -1, 3, 3.5, 6.7, 6.9, -1.9 };
    (void)state;
    check_1d(f, 6, 1, x, 1, want1);
    check_1d(f, 6, 1, x, 2, want2);
}

/* numpy takes any coordinates: negated ones negate every step and weight,
 * so the golden values above change sign (numpy 1.24 gives exactly that). */
static void test_decreasing_coordinates(void **state)
{
    const double f[] = { 1, 2, 4, 7, 11, 16 };
    const double x[] = { 0, -1, -1.5, -3.5, -4, -6 };
    const double want1[] = { -1, -3, -3.5, -6.7, -6.9, -2.5 };
    const double want2[] = { 1, -3, -3.5, -6.7, -6.9, 1.9 };
    (void)state;
    check_1d(f, 6, 1, x, 1, want1);
    check_1d(f, 6, 1, x, 2, want2);
}

static void check_2d(const double *f, int w, int h, imgrad_gradient_options *o,
                     const double *want_gy, const double *want_gx)
{
    imgrad_grid in = make_grid(w, h, f), gx, gy;
    imgrad_products p = { .gx = &gx, .gy = &gy };
    assert_int_equal(imgrad_gradient(&in, o, &p), IMGRAD_OK);
    assert_row_near(gy.data, want_gy, w * h, 1e-6);
    assert_row_near(gx.data, want_gx, w * h, 1e-6);
    imgrad_grid_free(&in);
    imgrad_grid_free(&gx);
    imgrad_grid_free(&gy);
}

static void test_2d(void **state)
{
    const double f[] = { 1, 2, 6, 3, 4, 5 };
    const double gy[] = { 2, 2, -1, 2, 2, -1 }, gx[] = { 1, 2.5, 4, 1, 1, 1 };
    const double xs[] = { 0, 1, 3 };
    const double gy2[] = { 1, 1, -0.5, 1, 1, -0.5 };
    const double gx2[] = { 1, 1.3333333, 2, 1, 0.8333333, 0.5 };
    const double g4[] = { 0, 0, 0, 0, 0, 10, 20, 0, 0, 30, 40, 0, 0, 0, 0, 0 };
    const double gy4[] = { 0, 5, 20, 0, 0, 15, 20, 0, 0, -5, -10, 0, 0, -55, -70, 0 };
    const double gx4[] = { 0, 0, 0, 0, 10, 10, -5, -35, 40, 20, -15, -65, 0, 0, 0, 0 };
    imgrad_gradient_options o;
    (void)state;
    imgrad_gradient_options_default(&o);
    check_2d(f, 3, 2, &o, gy, gx);
    o.dy = 2;
    o.x_coords = xs;
    check_2d(f, 3, 2, &o, gy2, gx2);
    imgrad_gradient_options_default(&o);
    o.edge_order = 2;
    check_2d(g4, 4, 4, &o, gy4, gx4);
}

static void test_constant_and_ramp(void **state)
{
    enum { W = 37, H = 23 };
    double *v = malloc(W * H * sizeof *v);
    imgrad_grid in, gx, gy, mag, dir;
    imgrad_products p = { .gx = &gx, .gy = &gy, .magnitude = &mag, .direction = &dir };
    imgrad_gradient_options o;
    int i;
    (void)state;
    imgrad_gradient_options_default(&o);
    for (i = 0; i < W * H; i++)
        v[i] = 0.25;
    in = make_grid(W, H, v);
    assert_int_equal(imgrad_gradient(&in, &o, &p), IMGRAD_OK);
    for (i = 0; i < W * H; i++)
        assert_true(gx.data[i] == 0 && gy.data[i] == 0 && mag.data[i] == 0 && dir.data[i] == 0);
    imgrad_grid_free(&in);
    /* f = 3x - 2y: slope 3 along x, -2 along y everywhere, edges too */
    for (i = 0; i < W * H; i++)
        v[i] = 3.0 * (i % W) - 2.0 * (i / W);
    in = make_grid(W, H, v);
    for (o.edge_order = 1; o.edge_order <= 2; o.edge_order++) {
        imgrad_grid_free(&gx); imgrad_grid_free(&gy);
        imgrad_grid_free(&mag); imgrad_grid_free(&dir);
        assert_int_equal(imgrad_gradient(&in, &o, &p), IMGRAD_OK);
        for (i = 0; i < W * H; i++) {
            assert_float_equal(gx.data[i], 3.0, 1e-4);
            assert_float_equal(gy.data[i], -2.0, 1e-4);
            assert_float_equal(mag.data[i], sqrt(13.0), 1e-4);
            assert_float_equal(dir.data[i], atan2(-2.0, 3.0), 1e-6);
        }
    }
    imgrad_grid_free(&in);
    imgrad_grid_free(&gx); imgrad_grid_free(&gy);
    imgrad_grid_free(&mag); imgrad_grid_free(&dir);
    free(v);
}

static void test_threads_bit_identical(void **state)
{
    enum { W = 301, H = 257 };
    double *v = malloc(W * H * sizeof *v);
    double xs[W];
    imgrad_grid in, ref[4], got[4];
    imgrad_gradient_options o;
    int i, t, k;
    (void)state;
    srand(7);
    for (i = 0; i < W * H; i++)
        v[i] = rand() / (double)RAND_MAX;
    for (i = 0; i < W; i++)
        xs[i] = i + 0.3 * sin(i);
    in = make_grid(W, H, v);
    imgrad_gradient_options_default(&o);
    o.x_coords = xs;
    o.edge_order = 2;
    o.threads = 1;
    {
        imgrad_products p = { .gx = &ref[0], .gy = &ref[1], .magnitude = &ref[2], .direction = &ref[3] };
        assert_int_equal(imgrad_gradient(&in, &o, &p), IMGRAD_OK);
    }
    for (t = 2; t <= 7; t++) {
        imgrad_products p = { .gx = &got[0], .gy = &got[1], .magnitude = &got[2], .direction = &got[3] };
        o.threads = t;
        assert_int_equal(imgrad_gradient(&in, &o, &p), IMGRAD_OK);
        for (k = 0; k < 4; k++) {
            assert_memory_equal(ref[k].data, got[k].data, sizeof(float) * W * H);
            imgrad_grid_free(&got[k]);
        }
    }
    for (k = 0; k < 4; k++)
        imgrad_grid_free(&ref[k]);
    imgrad_grid_free(&in);
    free(v);
}

static void test_errors(void **state)
{
    const double f[] = { 1, 2, 3, 4, 5, 6 };
    const double bad[] = { 0, 1, 1 };
    imgrad_grid in = make_grid(3, 2, f), gx;
    imgrad_products p = { .gx = &gx };
    imgrad_products none = { 0 };
    imgrad_gradient_options o;
    (void)state;
    imgrad_gradient_options_default(&o);
    o.edge_order = 2; /* 2 rows are too few for edge order 2 */
    assert_int_equal(imgrad_gradient(&in, &o, &p), IMGRAD_ETOOSMALL);
    assert_null(gx.data);
    o.edge_order = 1;
    /* a repeated coordinate: numpy.gradient([1, 2, 3], [0, 1, 1]) is
     * [1, nan, inf] */
    o.x_coords = bad;
    assert_int_equal(imgrad_gradient(&in, &o, &p), IMGRAD_OK);
    assert_float_equal(gx.data[0], 1.0, 0);
    assert_true(isnan(gx.data[1]));
    assert_true(isinf(gx.data[2]) && gx.data[2] > 0);
    imgrad_grid_free(&gx);
    o.x_coords = NULL;
    o.dx = 0;
    assert_int_equal(imgrad_gradient(&in, &o, &p), IMGRAD_EINVAL);
    o.dx = 1;
    assert_int_equal(imgrad_gradient(&in, &o, &none), IMGRAD_EINVAL);
    assert_int_equal(imgrad_gradient(NULL, &o, &p), IMGRAD_EINVAL);
    imgrad_grid_free(&in);
}

/* A grid carrying float64 values as data + residual: the central operator
 * must give numpy's float64 arithmetic rounded once, for every edge order,
 * spacing and thread count. */
static void test_residual_float64(void **state)
{
    enum { W = 53, H = 41 };
    double *f = malloc(W * H * sizeof *f), xs[W];
    imgrad_grid in, gx, gy;
    imgrad_products p = { .gx = &gx, .gy = &gy };
    imgrad_gradient_options o;
    int i, x, y, order, t;
    (void)state;
    for (i = 0; i < W * H; i++) /* values with more bits than float32 keeps */
        f[i] = (0.299 * (i % 251) + 0.587 * (i * 7 % 253) + 0.114 * (i % 13)) / 255.0;
    for (x = 0; x < W; x++)
        xs[x] = x * 0.5 + 0.01 * x * x;
    assert_int_equal(imgrad_grid_init(&in, W, H), IMGRAD_OK);
    in.residual = malloc(W * H * sizeof(float));
    for (i = 0; i < W * H; i++) {
        in.data[i] = (float)f[i];
        in.residual[i] = (float)(f[i] - in.data[i]);
    }
    imgrad_gradient_options_default(&o);
    for (order = 1; order <= 2; order++)
        for (t = 1; t <= 3; t += 2) {
            o.edge_order = order;
            o.threads = t;
            o.dy = 0.75;
            o.x_coords = xs;
            assert_int_equal(imgrad_gradient(&in, &o, &p), IMGRAD_OK);
            for (y = 1; y < H - 1; y++) /* interior rows: (f[y+1] - f[y-1]) / 1.5 */
                for (x = 0; x < W; x++)
                    assert_true(gy.data[y * W + x]
                                == (float)((f[(y + 1) * W + x] - f[(y - 1) * W + x]) / 1.5));
            for (y = 0; y < H; y++) /* interior columns, numpy's weights in double */
                for (x = 1; x < W - 1; x++) {
                    double d1 = xs[x] - xs[x - 1], d2 = xs[x + 1] - xs[x];
                    double a = -(d2) / (d1 * (d1 + d2)), b = (d2 - d1) / (d1 * d2),
                           c = d1 / (d2 * (d1 + d2));
                    const double *r = f + y * W;
                    assert_true(gx.data[y * W + x]
                                == (float)(a * r[x - 1] + b * r[x] + c * r[x + 1]));
                }
            /* edge order 2, first row: -1.5 f0 + 2 f1 - 0.5 f2 over dy */
            if (order == 2)
                for (x = 0; x < W; x++)
                    assert_true(gy.data[x] == (float)((-1.5 / 0.75) * f[x] + (2.0 / 0.75) * f[W + x]
                                                      + (-0.5 / 0.75) * f[2 * W + x]));
            imgrad_grid_free(&gx);
            imgrad_grid_free(&gy);
        }
    imgrad_grid_free(&in);
    free(f);
}

/* ---- every ISA level (IMGRAD_ISA) gives the same bits */

/* Mixed magnitudes: noise, zeros, steps, tiny and huge values (the polar
 * loop's recomputed lanes), the same for every call. */
static imgrad_grid isa_input(int w, int h)
{
    imgrad_grid g;
    int i;
    assert_int_equal(imgrad_grid_init(&g, w, h), IMGRAD_OK);
    srand(11);
    for (i = 0; i < w * h; i++) {
        const int k = rand() % 16;
        const float r = rand() / (float)RAND_MAX;
        g.data[i] = k == 0 ? 0.0f : k == 1 ? r * 1e-30f : k == 2 ? r * 3e30f
                  : k == 3 ? -r : k < 8 ? (float)((i / 97) % 5) : r;
    }
    return g;
}

/* The products of in under o, with the loops held at level isa (NULL: the
 * CPU's best), and the 8-bit mapping of each. */
static void isa_run(const imgrad_grid *in, const imgrad_gradient_options *o, const char *isa,
                    imgrad_grid g[5], unsigned char *bytes[4])
{
    static const imgrad_map maps[4] = { IMGRAD_MAP_SIGNED, IMGRAD_MAP_SIGNED,
                                        IMGRAD_MAP_UNSIGNED, IMGRAD_MAP_ANGLE };
    const size_t n = (size_t)in->width * in->height;
    imgrad_products p = { .gx = &g[0], .gy = &g[1], .magnitude = &g[2], .direction = &g[3],
                          .edges = o->op == IMGRAD_OP_SOBEL ? &g[4] : NULL };
    int k;

    if (isa != NULL)
        setenv("IMGRAD_ISA", isa, 1);
    else
        unsetenv("IMGRAD_ISA");
    if (isa != NULL && strcmp(isa, "sse2") == 0)
        assert_string_equal(imgrad_isa(), "sse2");
    assert_int_equal(imgrad_gradient(in, o, &p), IMGRAD_OK);
    for (k = 0; k < 4; k++) {
        bytes[k] = malloc(n);
        assert_non_null(bytes[k]);
        assert_int_equal(imgrad_to_8bit(&g[k], maps[k], 0.7, bytes[k], n), IMGRAD_OK);
    }
    unsetenv("IMGRAD_ISA");
}

/* Runs o on in at sse2 and at every level up to the CPU's, and compares. */
static void isa_compare(const imgrad_grid *in, const imgrad_gradient_options *o)
{
    static const char *const levels[] = { "avx2", "avx512" };
    const size_t n = (size_t)in->width * in->height;
    const int products = o->op == IMGRAD_OP_SOBEL ? 5 : 4;
    imgrad_grid ref[5], got[5];
    unsigned char *rb[4], *gb[4];
    int l, k;

    isa_run(in, o, "sse2", ref, rb);
    for (l = 0; l < 3; l++) { /* avx2, avx512 (clamped to the CPU's), the default */
        isa_run(in, o, l < 2 ? levels[l] : NULL, got, gb);
        for (k = 0; k < products; k++) {
            assert_memory_equal(ref[k].data, got[k].data, n * sizeof(float));
            imgrad_grid_free(&got[k]);
        }
        for (k = 0; k < 4; k++) {
            assert_memory_equal(rb[k], gb[k], n);
            free(gb[k]);
        }
    }
    for (k = 0; k < products; k++)
        imgrad_grid_free(&ref[k]);
    for (k = 0; k < 4; k++)
        free(rb[k]);
}

static void test_isa_levels_bit_identical(void **state)
{
    static const imgrad_operator ops[] = { IMGRAD_OP_CENTRAL, IMGRAD_OP_SOBEL,
                                           IMGRAD_OP_SCHARR, IMGRAD_OP_PREWITT,
                                           IMGRAD_OP_ROBERTS };
    enum { W = 301, H = 97 };
    imgrad_grid in = isa_input(W, H), big;
    imgrad_gradient_options o;
    double xs[W];
    size_t i;
    int v;
    (void)state;
    for (i = 0; i < W; i++)
        xs[i] = i + 0.3 * sin((double)i);
    for (i = 0; i < sizeof ops / sizeof ops[0]; i++)
        for (v = 0; v < 5; v++) { /* defaults, then options the loops branch on */
            imgrad_gradient_options_default(&o);
            o.op = ops[i];
            o.threads = 2;
            o.norm_l1 = v == 1;
            o.angle_positive = v == 2;
            o.angle_degrees = v == 2 || v == 3;
            o.magnitude_factor = v == 3 ? 0.25 : 1;
            o.raw_scale = v == 4;
            o.border = v == 4 ? IMGRAD_BORDER_CONSTANT : o.border;
            o.border_value = 0.5;
            if (ops[i] == IMGRAD_OP_CENTRAL && v == 4) {
                o.edge_order = 2;
                o.x_coords = xs;
                o.dy = 0.5;
            }
            isa_compare(&in, &o);
        }
    /* outputs above IMGRAD__STREAM_MIN_BYTES: the streaming stores */
    big = isa_input(2111, 2053);
    imgrad_gradient_options_default(&o);
    isa_compare(&big, &o);
    o.op = IMGRAD_OP_SOBEL;
    isa_compare(&big, &o);
    imgrad_grid_free(&big);
    imgrad_grid_free(&in);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_uniform),
        cmocka_unit_test(test_spacing),
        cmocka_unit_test(test_edge_order_2),
        cmocka_unit_test(test_coordinates),
        cmocka_unit_test(test_decreasing_coordinates),
        cmocka_unit_test(test_2d),
        cmocka_unit_test(test_constant_and_ramp),
        cmocka_unit_test(test_threads_bit_identical),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_residual_float64),
        cmocka_unit_test(test_isa_levels_bit_identical),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
