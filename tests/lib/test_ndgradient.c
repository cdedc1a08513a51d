/* test_ndgradient.c - imgrad_gradient_nd against numpy 1.24's golden values
 * (shared/SPEC.md section 1, and a few more printed by numpy, with the
 * call beside them), in every layout and input dtype; thread-count
 * invariance; the vector builds agree; errors. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "imgrad.h"
#include "kernel/kernel.h"

/* A C-contiguous float64 array of the given shape over data. */
static imgrad_array array_f64(double *data, int ndim, const size_t *shape)
{
    imgrad_array a;
    ptrdiff_t s = sizeof(double);
    int d;
    memset(&a, 0, sizeof a);
    a.data = data;
    a.dtype = IMGRAD_DT_FLOAT64;
    a.ndim = ndim;
    for (d = ndim - 1; d >= 0; d--) {
        a.shape[d] = shape[d];
        a.strides[d] = s;
        s *= (ptrdiff_t)shape[d];
    }
    return a;
}

/* The float64 element at (i, j) of a 1-D (j ignored) or 2-D array. */
static double at(const imgrad_array *a, size_t i, size_t j)
{
    const char *p = (const char *)a->data + (ptrdiff_t)i * a->strides[0];
    if (a->ndim == 2)
        p += (ptrdiff_t)j * a->strides[1];
    return *(const double *)p;
}

static void assert_values(const imgrad_array *a, const double *want, double tol)
{
    size_t i, j, rows = a->ndim == 2 ? a->shape[0] : 1, cols = a->shape[a->ndim - 1];
    for (i = 0; i < rows; i++)
        for (j = 0; j < cols; j++) {
            double got = a->ndim == 2 ? at(a, i, j) : at(a, j, 0);
            if (fabs(got - want[i * cols + j]) > tol)
                fail_msg("element (%zu, %zu): got %.12g, want %.12g", i, j, got,
                         want[i * cols + j]);
        }
}

/* np.gradient(f, step, edge_order) (or with coordinates x) on a 1-D f of n
 * values, checked against want. */
static void check_1d(const double *f, size_t n, double step, const double *x, int order,
                     const double *want, double tol)
{
    double in[16], xs[16];
    imgrad_array a = array_f64(in, 1, &n), c = array_f64(xs, 1, &n), out;
    imgrad_nd_options o;
    memcpy(in, f, n * sizeof *f);
    imgrad_nd_options_default(&o);
    o.edge_order = order;
    o.spacing[0].step = step;
    if (x) {
        memcpy(xs, x, n * sizeof *x);
        o.spacing[0].coords = &c;
    }
    memset(&out, 0, sizeof out);
    assert_int_equal(imgrad_gradient_nd(&a, &o, &out), IMGRAD_OK);
    assert_int_equal(out.dtype, IMGRAD_DT_FLOAT64);
    assert_values(&out, want, tol);
    imgrad_free(out.data);
}

static void test_spec_1d(void **state)
{
    static const double f[] = { 3, 7, 14, 23, 36, 47 };
    static const double w1[] = { 4, 5.5, 8, 11, 12, 11 };
    static const double w2[] = { 2, 2.75, 4, 5.5, 6, 5.5 };
    static const double w3[] = { 2.5, 5.5, 8, 11, 12, 10 };
    static const double g[] = { 8, 2, 8, 3, 5, 6, 5, 15 };
    static const double w4[] = { -0.857142857, 0, 0.0714285714, -0.214285714,
                                 0.214285714, 0, 0.642857143, 1.42857143 };
    static const double h[] = { 1, 2, 4, 7, 11, 16 }, x[] = { 0, 1, 1.5, 3.5, 4, 6 };
    static const double w5[] = { 1, 3, 3.5, 6.7, 6.9, 2.5 };
    static const double w6[] = { -1, 3, 3.5, 6.7, 6.9, -1.9 };
    (void)state;
    check_1d(f, 6, 1, NULL, 1, w1, 0);
    check_1d(f, 6, 2, NULL, 1, w2, 0);
    check_1d(f, 6, 1, NULL, 2, w3, 0);
    check_1d(g, 8, 7, NULL, 1, w4, 5e-9);  /* SPEC rounds to 9 digits */
    check_1d(h, 6, 1, x, 1, w5, 1e-12);
    check_1d(h, 6, 1, x, 2, w6, 1e-12);
}

/* The 2-D cases of SPEC.md in C order, Fortran order (transposed strides)
 * and upside down (negative row stride, data at the last row). */
static void check_2d(const double *f, size_t rows, size_t cols, double dy,
                     const double *xcoords, int order, const double *gy, const double *gx,
                     double tol)
{
    size_t shape[2] = { rows, cols }, n = cols, i, j;
    double c[16], fo[16], rev[16], xs[16];
    imgrad_array layouts[3], xc = array_f64(xs, 1, &n);
    int l;
    memcpy(c, f, rows * cols * sizeof *f);
    for (i = 0; i < rows; i++)
        for (j = 0; j < cols; j++) {
            fo[j * rows + i] = f[i * cols + j];
            rev[(rows - 1 - i) * cols + j] = f[i * cols + j];
        }
    layouts[0] = array_f64(c, 2, shape);
    layouts[1] = layouts[0];
    layouts[1].data = fo;
    layouts[1].strides[0] = sizeof(double);
    layouts[1].strides[1] = (ptrdiff_t)(rows * sizeof(double));
    layouts[2] = layouts[0];
    layouts[2].data = rev + (rows - 1) * cols;
    layouts[2].strides[0] = -(ptrdiff_t)(cols * sizeof(double));
    if (xcoords)
        memcpy(xs, xcoords, cols * sizeof *xs);
    for (l = 0; l < 3; l++) {
        imgrad_array out[2];
        imgrad_nd_options o;
        imgrad_nd_options_default(&o);
        o.edge_order = order;
        o.spacing[0].step = dy;
        o.spacing[1].coords = xcoords ? &xc : NULL;
        memset(out, 0, sizeof out);
        assert_int_equal(imgrad_gradient_nd(&layouts[l], &o, out), IMGRAD_OK);
        assert_values(&out[0], gy, tol);
        assert_values(&out[1], gx, tol);
        imgrad_free(out[0].data);
        imgrad_free(out[1].data);
    }
}

static void test_spec_2d(void **state)
{
    static const double f[] = { 1, 2, 6, 3, 4, 5 };
    static const double gy[] = { 2, 2, -1, 2, 2, -1 }, gx[] = { 1, 2.5, 4, 1, 1, 1 };
    static const double x[] = { 0, 1, 3 };
    static const double gy2[] = { 1, 1, -0.5, 1, 1, -0.5 };
    static const double gx2[] = { 1, 1.3333333, 2, 1, 0.8333333, 0.5 };
    static const double e[] = { 0, 0, 0, 0, 0, 10, 20, 0, 0, 30, 40, 0, 0, 0, 0, 0 };
    static const double ey[] = { 0, 5, 20, 0, 0, 15, 20, 0, 0, -5, -10, 0, 0, -55, -70, 0 };
    static const double ex[] = { 0, 0, 0, 0, 10, 10, -5, -35, 40, 20, -15, -65, 0, 0, 0, 0 };
    (void)state;
    check_2d(f, 2, 3, 1, NULL, 1, gy, gx, 0);
    check_2d(f, 2, 3, 2, x, 1, gy2, gx2, 1e-7);
    check_2d(e, 4, 4, 1, NULL, 2, ey, ex, 0);
}

/* Integer input is computed in float64 (numpy 1.24 converts it first, so
 * unsigned differences do not wrap): uint8 [5, 4, 3, 2, 1] gives -1
 * everywhere (numpy's test_f_decreasing_unsigned_int), and int8 [-1, 127]
 * on x = [1, 3] gives 64, 64 (test_f_signed_int_big_jump). */
static void test_integers(void **state)
{
    uint8_t u[5] = { 5, 4, 3, 2, 1 };
    int8_t s[2] = { -1, 127 };
    double x[2] = { 1, 3 }, want_u[5] = { -1, -1, -1, -1, -1 }, want_s[2] = { 64, 64 };
    size_t n2 = 2;
    imgrad_array a = { .data = u, .dtype = IMGRAD_DT_UINT8, .ndim = 1, .shape = { 5 },
                       .strides = { 1 } };
    imgrad_array b = { .data = s, .dtype = IMGRAD_DT_INT8, .ndim = 1, .shape = { 2 },
                       .strides = { 1 } };
    imgrad_array xc = array_f64(x, 1, &n2), out;
    imgrad_nd_options o;
    (void)state;
    imgrad_nd_options_default(&o);
    memset(&out, 0, sizeof out);
    assert_int_equal(imgrad_gradient_nd(&a, &o, &out), IMGRAD_OK);
    assert_values(&out, want_u, 0);
    imgrad_free(out.data);
    o.spacing[0].coords = &xc;
    memset(&out, 0, sizeof out);
    assert_int_equal(imgrad_gradient_nd(&b, &o, &out), IMGRAD_OK);
    assert_values(&out, want_s, 0);
    imgrad_free(out.data);
}

/* float16 in its own precision, bits in and out:
 * np.gradient(np.array([1, 2, 4, 7, 11, 16], np.float16)) is
 * [1, 1.5, 2.5, 3.5, 4.5, 5]; and value-based casting:
 * np.gradient(np.stack([a, a]), 1e5, axis=1) with a = float16 bits
 * [0x5052, 0x5523, 0x5021, 0xd813] is [0x0fce, 0x8080, 0x945a, 0x96b1]
 * (the division runs in float32 because 2e5 does not fit float16; in
 * float16 the second value would be -0). */
static void test_float16(void **state)
{
    uint16_t f[6] = { 0x3c00, 0x4000, 0x4400, 0x4700, 0x4980, 0x4c00 }, g[6];
    static const uint16_t want[6] = { 0x3c00, 0x3e00, 0x4100, 0x4300, 0x4480, 0x4500 };
    uint16_t h[8] = { 0x5052, 0x5523, 0x5021, 0xd813, 0x5052, 0x5523, 0x5021, 0xd813 }, d[8];
    static const uint16_t want_h[4] = { 0x0fce, 0x8080, 0x945a, 0x96b1 };
    imgrad_array a = { .data = f, .dtype = IMGRAD_DT_FLOAT16, .ndim = 1, .shape = { 6 },
                       .strides = { 2 } };
    imgrad_array out = a, b, outb;
    imgrad_nd_options o;
    int i;
    (void)state;
    out.data = g;
    imgrad_nd_options_default(&o);
    assert_int_equal(imgrad_gradient_nd(&a, &o, &out), IMGRAD_OK);
    assert_memory_equal(g, want, sizeof want);
    b = (imgrad_array){ .data = h, .dtype = IMGRAD_DT_FLOAT16, .ndim = 2, .shape = { 2, 4 },
                        .strides = { 8, 2 } };
    outb = b;
    outb.data = d;
    o.naxes = 1;
    o.axes[0] = 1;
    o.spacing[0].step = 1e5;
    assert_int_equal(imgrad_gradient_nd(&b, &o, &outb), IMGRAD_OK);
    for (i = 0; i < 2; i++)
        assert_memory_equal(d + 4 * i, want_h, sizeof want_h);
}

/* A (5, 7, 8000) array (above the one-thread size) along every axis and axes (2, 0): every thread count
 * gives the same bits, and the derivative of a plane a i + b j + c k is its
 * slope along each axis (exact in float64 for these small integers). */
static void test_threads_and_plane(void **state)
{
    size_t shape[3] = { 5, 7, 8000 }, n = 5 * 7 * 8000, i;
    double *f = malloc(n * sizeof *f);
    imgrad_array a, r1[3], r3[3];
    imgrad_nd_options o;
    static const double slope[3] = { 3, -2, 5 };
    int k;
    (void)state;
    assert_non_null(f);
    for (i = 0; i < n; i++)
        f[i] = 3.0 * (double)(i / 56000) - 2.0 * (double)(i / 8000 % 7) + 5.0 * (double)(i % 8000);
    a = array_f64(f, 3, shape);
    imgrad_nd_options_default(&o);
    o.edge_order = 2;
    memset(r1, 0, sizeof r1);
    memset(r3, 0, sizeof r3);
    o.threads = 1;
    assert_int_equal(imgrad_gradient_nd(&a, &o, r1), IMGRAD_OK);
    o.threads = 3;
    assert_int_equal(imgrad_gradient_nd(&a, &o, r3), IMGRAD_OK);
    for (k = 0; k < 3; k++) {
        assert_memory_equal(r1[k].data, r3[k].data, n * sizeof(double));
        for (i = 0; i < n; i++)
            assert_true(((double *)r1[k].data)[i] == slope[k]);
        imgrad_free(r1[k].data);
        imgrad_free(r3[k].data);
    }
    free(f);
}

/* Rank 32: a (2, 1, ..., 1, 3) array along its first and last axes. */
static void test_rank_32(void **state)
{
    size_t shape[IMGRAD_MAX_NDIM];
    double f[6] = { 1, 2, 6, 3, 4, 5 };
    static const double gy[] = { 2, 2, -1, 2, 2, -1 }, gx[] = { 1, 2.5, 4, 1, 1, 1 };
    imgrad_array a, out[2];
    imgrad_nd_options o;
    int d;
    (void)state;
    for (d = 0; d < IMGRAD_MAX_NDIM; d++)
        shape[d] = 1;
    shape[0] = 2;
    shape[IMGRAD_MAX_NDIM - 1] = 3;
    a = array_f64(f, IMGRAD_MAX_NDIM, shape);
    imgrad_nd_options_default(&o);
    o.naxes = 2;
    o.axes[0] = 0;
    o.axes[1] = -1;
    memset(out, 0, sizeof out);
    assert_int_equal(imgrad_gradient_nd(&a, &o, out), IMGRAD_OK);
    for (d = 0; d < 6; d++) {
        assert_true(((double *)out[0].data)[d] == gy[d]);
        assert_true(((double *)out[1].data)[d] == gx[d]);
    }
    imgrad_free(out[0].data);
    imgrad_free(out[1].data);
}

static void test_errors(void **state)
{
    double f[6] = { 0 }, g[6], x[2] = { 0, 1 };
    size_t shape[2] = { 2, 3 }, n2 = 2;
    imgrad_array a = array_f64(f, 2, shape), out[2], xc = array_f64(x, 1, &n2), mine;
    imgrad_nd_options o;
    (void)state;
    imgrad_nd_options_default(&o);
    memset(out, 0, sizeof out);
    assert_int_equal(imgrad_gradient_nd(NULL, &o, out), IMGRAD_EINVAL);
    assert_int_equal(imgrad_gradient_nd(&a, NULL, out), IMGRAD_EINVAL);
    o.edge_order = 3;
    assert_int_equal(imgrad_gradient_nd(&a, &o, out), IMGRAD_EINVAL);
    o.edge_order = 2;                       /* axis 0 has 2 values: too short */
    assert_int_equal(imgrad_gradient_nd(&a, &o, out), IMGRAD_ETOOSMALL);
    assert_null(out[0].data);               /* allocated outputs are freed */
    assert_null(out[1].data);
    o.edge_order = 1;
    o.naxes = 2;
    o.axes[0] = 1;
    o.axes[1] = -1;                         /* the same axis twice */
    assert_int_equal(imgrad_gradient_nd(&a, &o, out), IMGRAD_EINVAL);
    o.axes[1] = 2;                          /* out of range */
    assert_int_equal(imgrad_gradient_nd(&a, &o, out), IMGRAD_EINVAL);
    o.naxes = 1;
    o.axes[0] = 1;
    o.spacing[0].coords = &xc;              /* 2 coordinates for 3 values */
    assert_int_equal(imgrad_gradient_nd(&a, &o, out), IMGRAD_ECOORDS);
    o.spacing[0].coords = NULL;
    mine = a;                               /* a caller's output of float32 */
    mine.data = g;
    mine.dtype = IMGRAD_DT_FLOAT32;
    assert_int_equal(imgrad_gradient_nd(&a, &o, &mine), IMGRAD_EINVAL);
    a.ndim = 0;
    assert_int_equal(imgrad_gradient_nd(&a, &o, out), IMGRAD_EINVAL);
}


/* Every build of the vectorised loops (baseline, AVX2, AVX-512, as far as
 * this CPU goes) gives the same bits: float64 and float32 (float rows), a
 * (37, 300) array along both axes (rows and lines), uniform steps and
 * coordinates, both edge orders. */
static void test_builds_agree(void **state)
{
    enum { H = 37, W = 300 };
    static double f64[H * W], xs[W];
    static float f32[H * W], xs32[W];
    size_t shape[2] = { H, W }, nw = W, i;
    imgrad_array in[2], xc[2];
    int isa, t, order, coords, k;
    uint32_t seed = 12345;
    (void)state;
    for (i = 0; i < H * W; i++) {
        seed = seed * 1664525u + 1013904223u;
        f64[i] = (double)(seed >> 8) / 16777216.0 - 0.5;
        f32[i] = (float)f64[i];
    }
    for (i = 0; i < W; i++) {
        xs[i] = (double)i + 0.25 * (double)(i % 7);
        xs32[i] = (float)xs[i];
    }
    in[0] = array_f64(f64, 2, shape);
    in[1] = in[0];
    in[1].data = f32;
    in[1].dtype = IMGRAD_DT_FLOAT32;
    in[1].strides[0] = W * sizeof(float);
    in[1].strides[1] = sizeof(float);
    xc[0] = array_f64(xs, 1, &nw);
    xc[1] = xc[0];
    xc[1].data = xs32;
    xc[1].dtype = IMGRAD_DT_FLOAT32;
    xc[1].strides[0] = sizeof(float);
    for (t = 0; t < 2; t++)
        for (order = 1; order <= 2; order++)
            for (coords = 0; coords < 2; coords++) {
                imgrad_array base[2];
                imgrad_nd_options o;
                imgrad_nd_options_default(&o);
                o.edge_order = order;
                o.spacing[0].step = 0.3;
                o.spacing[1].coords = coords ? &xc[t] : NULL;
                memset(base, 0, sizeof base);
                assert_int_equal(imgrad__gradient_nd_isa(&in[t], &o, base, IMGRAD__ISA_BASELINE),
                                 IMGRAD_OK);
                for (isa = IMGRAD__ISA_AVX2; isa <= (int)imgrad__cpu_isa(); isa++) {
                    imgrad_array got[2];
                    memset(got, 0, sizeof got);
                    assert_int_equal(imgrad__gradient_nd_isa(&in[t], &o, got, (imgrad__isa)isa),
                                     IMGRAD_OK);
                    for (k = 0; k < 2; k++) {
                        assert_memory_equal(got[k].data, base[k].data,
                                            H * W * (t ? sizeof(float) : sizeof(double)));
                        imgrad_free(got[k].data);
                    }
                }
                imgrad_free(base[0].data);
                imgrad_free(base[1].data);
            }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_spec_1d),
        cmocka_unit_test(test_spec_2d),
        cmocka_unit_test(test_integers),
        cmocka_unit_test(test_float16),
        cmocka_unit_test(test_threads_and_plane),
        cmocka_unit_test(test_rank_32),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_builds_agree),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
