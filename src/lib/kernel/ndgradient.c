/* ndgradient.c - numpy.gradient on N-D arrays, bit for bit (numpy 1.24).
 *
 * numpy computes each derivative with a few whole-array operations, e.g.
 * for the interior of a uniform axis
 *
 *     out[1:-1] = (f[2:] - f[:-2]) / (2. * dx)
 *
 * and every operation rounds to its own result type: the subtraction to
 * f's type, the division to the type numpy 1.24's value-based casting
 * picks for (array of f's type) / (Python float), which is f's type unless
 * the scalar does not fit it (a step of 1e5 divides a float16 array in
 * float32).  Here each operation of numpy's sequence is an `op`: a
 * difference divided by a scalar, or a sum of three products, each with the
 * precision numpy gives it.  Values are carried in double: a float16 or
 * float32 sum, product or quotient computed in double and rounded once to
 * its type equals the one computed in that type (double has more than
 * 2p + 2 bits for p-bit types, so the double rounding is innocuous).
 *
 * Layout.  For the derivative along axis k, when k is not the axis of the
 * smallest stride, the work is rows along the smallest-stride axis j:
 * out(.., i, .., :) combines the input rows at i - 1, i, i + 1 (or the edge
 * rows), one row per work item.  When k is that axis, the work is segments
 * of lines along k.  Items are independent, so OpenMP may split them any way
 * and the bits do not depend on the thread count.  Rows that are contiguous
 * and of the computing type are read and written in place; others are
 * gathered into, and scattered from, per-thread scratch rows.
 */
#include "kernel.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Precisions of numpy's operations, in promotion order. */
typedef enum prec { P16, P32, P64 } prec;

/* Lines along a contiguous axis are cut into segments this long, so a single
 * long vector is still shared between threads. */
#define SEG 16384
/* Arrays smaller than this run on one thread: a parallel region costs more
 * than it saves on them, and far more when the cores are busy. */
#define SERIAL_ELEMS 262144

/* One of numpy's expressions for the derivative at a position i:
 *   diff:  (f[i + t1] - f[i + t0]) / w[0], the division in precision p[0]
 *   sum:   w[0] f[i + t0] + w[1] f[i + t0 + 1] + w[2] f[i + t0 + 2], each
 *          product in p[k], summed left to right in the wider of the two.
 * Weights are already rounded to their precision. */
typedef struct op {
    int diff;
    int t0, t1;
    double w[3];
    prec p[3];
    int fast;       /* every precision is the array's: plain typed loops */
} op;

/* The plan of one derivative. */
typedef struct axis_plan {
    int k;               /* the axis */
    size_t n;            /* its length */
    op first, last;      /* positions 0 and n - 1 */
    op inner;            /* positions 1 .. n - 2 on a uniform axis */
    double *abc;         /* non-uniform: 3 weights per interior position */
    prec pabc;           /* their product precision */
    int plain;           /* f is 1-D: its edge values are numpy scalars */
} axis_plan;

/* The whole call's layout and precisions. */
typedef struct nd_job {
    const imgrad_array *in;
    imgrad_array *out;
    prec t;              /* the precision of f and of the result */
    int k32;             /* compute in float rows (float32, every op fast) */
} nd_job;

/* ---------------------------------------------------------- float16 */

/* x rounded to the nearest binary16 value (ties to even), as a double:
 * scaled by the binary16 ulp of x, the rounding is nearbyint's. */
static double round_f16(double x)
{
    double ax = fabs(x), ulp, r;
    int e;
    if (ax == 0 || ax != ax || ax == INFINITY)
        return x;
    if (ax < 0x1p-14) {
        ulp = 0x1p-24;                     /* subnormal */
    } else {
        frexp(ax, &e);                     /* ax in [2^(e-1), 2^e) */
        ulp = ldexp(1.0, e - 11);
    }
    r = nearbyint(x / ulp) * ulp;
    return fabs(r) > 65504 ? copysign(INFINITY, x) : r;
}

static double half_to_double(uint16_t h)
{
    int e = (h >> 10) & 31, m = h & 1023;
    double v;
    if (e == 0)
        v = ldexp(m, -24);
    else if (e == 31)
        v = m ? NAN : INFINITY;
    else
        v = ldexp(m + 1024, e - 25);
    return (h & 0x8000) ? -v : v;
}

/* The bits of v, which is a binary16 value (round_f16's result). */
static uint16_t half_bits(double v)
{
    uint16_t s = signbit(v) ? 0x8000 : 0;
    double a = fabs(v), m;
    int e;
    if (a != a)
        return s | 0x7e00;
    if (a == INFINITY)
        return s | 0x7c00;
    if (a < 0x1p-14)
        return s | (uint16_t)(a * 0x1p24);
    m = frexp(a, &e);                      /* a = m 2^e, m in [0.5, 1) */
    return s | (uint16_t)((e + 14) << 10) | (uint16_t)((m * 2 - 1) * 1024);
}

static double rnd(double x, prec p)
{
    return p == P64 ? x : p == P32 ? (double)(float)x : round_f16(x);
}

static prec max_prec(prec a, prec b)
{
    return a > b ? a : b;
}

/* ------------------------------------------------------------ dtypes */

static int dtype_valid(imgrad_dtype t)
{
    return (int)t >= IMGRAD_DT_FLOAT64 && (int)t <= IMGRAD_DT_BOOL;
}

static int is_float(imgrad_dtype t)
{
    return t == IMGRAD_DT_FLOAT64 || t == IMGRAD_DT_FLOAT32 || t == IMGRAD_DT_FLOAT16;
}

static prec prec_of(imgrad_dtype t)
{
    return t == IMGRAD_DT_FLOAT16 ? P16 : t == IMGRAD_DT_FLOAT32 ? P32 : P64;
}

static size_t dtype_size(imgrad_dtype t)
{
    switch (t) {
    case IMGRAD_DT_FLOAT64: case IMGRAD_DT_INT64: case IMGRAD_DT_UINT64: return 8;
    case IMGRAD_DT_FLOAT32: case IMGRAD_DT_INT32: case IMGRAD_DT_UINT32: return 4;
    case IMGRAD_DT_FLOAT16: case IMGRAD_DT_INT16: case IMGRAD_DT_UINT16: return 2;
    default: return 1;
    }
}

imgrad_dtype imgrad_gradient_nd_dtype(imgrad_dtype t)
{
    return is_float(t) ? t : IMGRAD_DT_FLOAT64;
}

/* The precision numpy 1.24 gives (float of precision t) op (scalar v of
 * type st).  With an array of f (value-based casting): numpy's
 * min_scalar_type of v, promoted with t.  When f is 1-D its edge values
 * f[0], f[-1] are numpy scalars, and scalar arithmetic promotes the types
 * alone (plain): a Python float is float64, a Python int int64. */
static prec scalar_prec(prec t, double v, imgrad_dtype st, int plain)
{
    prec m;
    if (plain && !is_float(st))      /* promote(float16, int8/uint8) = float16 */
        m = st == IMGRAD_DT_BOOL || st == IMGRAD_DT_INT8 || st == IMGRAD_DT_UINT8 ? P16
            : st == IMGRAD_DT_INT16 || st == IMGRAD_DT_UINT16 ? P32 : P64;
    else if (plain)
        m = prec_of(st);
    else if (!is_float(st))          /* int8/uint8 fit float16, 16-bit float32 */
        m = (v >= -128 && v <= 255) ? P16 : (v >= -32768 && v <= 65535) ? P32 : P64;
    else if (!isfinite(v) || (v > -65000 && v < 65000))
        m = P16;
    else if (v > -3.4e38 && v < 3.4e38)
        m = P32;
    else
        m = P64;
    if (is_float(st) && m > prec_of(st))
        m = prec_of(st);             /* a scalar is never wider than its type */
    return max_prec(t, m);
}

/* n elements from src (stride in bytes, type t) into dst as doubles. */
#define GATHER(T, CONV) \
    for (i = 0; i < n; i++) dst[i] = CONV(*(const T *)(src + (ptrdiff_t)i * stride))
#define PLAIN(x) ((double)(x))
static void gather_f64(double *dst, const char *src, ptrdiff_t stride, size_t n,
                       imgrad_dtype t)
{
    size_t i;
    switch (t) {
    case IMGRAD_DT_FLOAT64: GATHER(double, PLAIN); break;
    case IMGRAD_DT_FLOAT32: GATHER(float, PLAIN); break;
    case IMGRAD_DT_FLOAT16: GATHER(uint16_t, half_to_double); break;
    case IMGRAD_DT_INT8:    GATHER(int8_t, PLAIN); break;
    case IMGRAD_DT_UINT8:   GATHER(uint8_t, PLAIN); break;
    case IMGRAD_DT_INT16:   GATHER(int16_t, PLAIN); break;
    case IMGRAD_DT_UINT16:  GATHER(uint16_t, PLAIN); break;
    case IMGRAD_DT_INT32:   GATHER(int32_t, PLAIN); break;
    case IMGRAD_DT_UINT32:  GATHER(uint32_t, PLAIN); break;
    case IMGRAD_DT_INT64:   GATHER(int64_t, PLAIN); break;
    case IMGRAD_DT_UINT64:  GATHER(uint64_t, PLAIN); break;
    case IMGRAD_DT_BOOL:    GATHER(uint8_t, PLAIN); break;
    }
}

/* n results (values of the output's type) into dst (stride bytes, type t:
 * a float type). */
static void scatter_f64(char *dst, ptrdiff_t stride, const double *src, size_t n,
                        imgrad_dtype t)
{
    size_t i;
    for (i = 0; i < n; i++) {
        char *p = dst + (ptrdiff_t)i * stride;
        if (t == IMGRAD_DT_FLOAT64)
            *(double *)p = src[i];
        else if (t == IMGRAD_DT_FLOAT32)
            *(float *)p = (float)src[i];
        else
            *(uint16_t *)p = half_bits(src[i]);
    }
}

static void copy_f32(float *dst, ptrdiff_t dstride, const float *src, ptrdiff_t sstride,
                     size_t n)
{
    size_t i;
    for (i = 0; i < n; i++)
        *(float *)((char *)dst + (ptrdiff_t)i * dstride) =
            *(const float *)((const char *)src + (ptrdiff_t)i * sstride);
}

/* ---------------------------------------------------------------- ops */

/* numpy's expression of o on the tap values v (of precision t), in t. */
static double eval_op(const op *o, prec t, const double v[3])
{
    double x, y, s;
    prec ps;
    if (o->diff)
        return rnd(rnd(rnd(v[1] - v[0], t) / o->w[0], o->p[0]), t);
    x = rnd(o->w[0] * v[0], o->p[0]);
    y = rnd(o->w[1] * v[1], o->p[1]);
    ps = max_prec(o->p[0], o->p[1]);
    s = rnd(x + y, ps);
    y = rnd(o->w[2] * v[2], o->p[2]);
    ps = max_prec(ps, o->p[2]);
    return rnd(rnd(s + y, ps), t);
}

/* (f[i+t1] - f[i+t0]) / div, with div of type st (value-based casting). */
static op make_diff(prec t, int t0, int t1, double div, imgrad_dtype st, int plain)
{
    op o;
    memset(&o, 0, sizeof o);
    o.diff = 1;
    o.t0 = t0;
    o.t1 = t1;
    o.p[0] = scalar_prec(t, div, st, plain);
    o.w[0] = rnd(div, o.p[0]);
    o.fast = o.p[0] == t;
    return o;
}

/* w[0] f[i+t0] + w[1] f[i+t0+1] + w[2] f[i+t0+2], weight k of type st[k]. */
static op make_sum(prec t, int t0, const double w[3], const imgrad_dtype st[3], int plain)
{
    op o;
    int k;
    memset(&o, 0, sizeof o);
    o.t0 = t0;
    o.fast = 1;
    for (k = 0; k < 3; k++) {
        o.p[k] = scalar_prec(t, w[k], st[k], plain);
        o.w[k] = rnd(w[k], o.p[k]);
        o.fast &= o.p[k] == t;
    }
    return o;
}

/* ------------------------------------------------------------ planning */

/* numpy's uniform-spacing branch, with the step s seen as type st:
 * 2. * dx for the interior, dx at order-1 edges, -1.5/dx, 2./dx, -0.5/dx
 * (and 0.5/dx, -2./dx, 1.5/dx) at order-2 edges (Python floats). */
static void plan_uniform(axis_plan *a, prec t, int order, double s, imgrad_dtype st)
{
    static const imgrad_dtype f64[3] = { IMGRAD_DT_FLOAT64, IMGRAD_DT_FLOAT64,
                                         IMGRAD_DT_FLOAT64 };
    a->inner = make_diff(t, -1, 1, 2. * s, IMGRAD_DT_FLOAT64, 0);
    if (order == 1) {
        a->first = make_diff(t, 0, 1, s, st, a->plain);
        a->last = make_diff(t, -1, 0, s, st, a->plain);
    } else {
        double w0[3] = { -1.5 / s, 2. / s, -0.5 / s };
        double w1[3] = { 0.5 / s, -2. / s, 1.5 / s };
        a->first = make_sum(t, 0, w0, f64, a->plain);
        a->last = make_sum(t, -2, w1, f64, a->plain);
    }
}

/* numpy's order-2 edge weights from the steps d1, d2 (numpy scalars of type
 * at, precision pa): the terms with the Python float 2. are float64. */
static void plan_coord_edges(axis_plan *a, prec t, const double *dx, size_t n,
                             prec pa, imgrad_dtype at)
{
    imgrad_dtype types[3] = { IMGRAD_DT_FLOAT64, at, at };
    double d1 = dx[0], d2 = dx[1], w[3];
    w[0] = -(2. * d1 + d2) / rnd(d1 * rnd(d1 + d2, pa), pa);
    w[1] = rnd(rnd(d1 + d2, pa) / rnd(d1 * d2, pa), pa);
    w[2] = rnd(-d1 / rnd(d2 * rnd(d1 + d2, pa), pa), pa);
    a->first = make_sum(t, 0, w, types, a->plain);
    d1 = dx[n - 3];
    d2 = dx[n - 2];
    w[0] = rnd(d2 / rnd(d1 * rnd(d1 + d2, pa), pa), pa);
    w[1] = rnd(-rnd(d2 + d1, pa) / rnd(d1 * d2, pa), pa);
    w[2] = (2. * d2 + d1) / rnd(d2 * rnd(d1 + d2, pa), pa);
    types[0] = types[1] = at;
    types[2] = IMGRAD_DT_FLOAT64;
    a->last = make_sum(t, -2, w, types, a->plain);
}

/* numpy's coordinate branch: dx = np.diff(x) in x's float type (float64 for
 * integers); constant dx falls back to the uniform branch with dx[0]
 * (unless keep). */
static imgrad_status plan_coords(axis_plan *a, prec t, int order, const imgrad_array *x,
                                 int keep)
{
    size_t n = a->n, i;
    imgrad_dtype at = is_float(x->dtype) ? x->dtype : IMGRAD_DT_FLOAT64;
    prec pa = prec_of(at);
    double *v = malloc(n * sizeof *v);
    int uniform = 1;
    if (!v)
        return IMGRAD_ENOMEM;
    gather_f64(v, x->data, x->strides[0], n, x->dtype);
    for (i = 0; i + 1 < n; i++) {
        v[i] = rnd(v[i + 1] - v[i], pa);           /* np.diff, in place */
        uniform &= v[i] == v[0];
    }
    if (uniform && !keep) {
        plan_uniform(a, t, order, v[0], at);
        free(v);
        return IMGRAD_OK;
    }
    a->abc = malloc(3 * (n - 2) * sizeof *a->abc);
    if (!a->abc) {
        free(v);
        return IMGRAD_ENOMEM;
    }
    for (i = 0; i + 2 < n; i++) {                  /* a, b, c of the interior */
        double d1 = v[i], d2 = v[i + 1], *w = a->abc + 3 * i;
        w[0] = rnd(-d2 / rnd(d1 * rnd(d1 + d2, pa), pa), pa);
        w[1] = rnd(rnd(d2 - d1, pa) / rnd(d1 * d2, pa), pa);
        w[2] = rnd(d1 / rnd(d2 * rnd(d1 + d2, pa), pa), pa);
    }
    a->pabc = max_prec(pa, t);                      /* array times array */
    if (order == 1) {
        a->first = make_diff(t, 0, 1, v[0], at, a->plain);
        a->last = make_diff(t, -1, 0, v[n - 2], at, a->plain);
    } else {
        plan_coord_edges(a, t, v, n, pa, at);
    }
    free(v);
    return IMGRAD_OK;
}

/* The op at position i of a (an interior one of a non-uniform axis is built
 * into *tmp). */
static const op *op_at(const axis_plan *a, prec t, size_t i, op *tmp)
{
    if (i == 0)
        return &a->first;
    if (i == a->n - 1)
        return &a->last;
    if (!a->abc)
        return &a->inner;
    memset(tmp, 0, sizeof *tmp);
    tmp->t0 = -1;
    memcpy(tmp->w, a->abc + 3 * (i - 1), sizeof tmp->w);
    tmp->p[0] = tmp->p[1] = tmp->p[2] = a->pabc;
    tmp->fast = a->pabc == t;
    return tmp;
}

/* ------------------------------------------------------------- kernels */

/* The typed loops below are compiled three times (baseline, AVX2, AVX-512,
 * as polar.c's) and vectorised by `omp simd`; vector subtraction, product
 * and quotient round as the scalar ones do, so every build gives the same
 * bits. */
#define LOOP static inline __attribute__((always_inline))

/* One output row from the tap rows r[0..2] (for a difference r[0] and r[1]
 * are f[i + t0] and f[i + t1]), n elements of the computing type: float
 * when k32, else double. */
LOOP void row_body(const op *o, prec t, int k32, const void *const r[3], void *out, size_t n)
{
    size_t x;
    if (k32 && o->diff) {
        const float *restrict a = r[0], *restrict b = r[1];
        float *restrict y = out, d = (float)o->w[0];
#pragma omp simd
        for (x = 0; x < n; x++)
            y[x] = (b[x] - a[x]) / d;
    } else if (k32) {
        const float *restrict a = r[0], *restrict b = r[1], *restrict c = r[2];
        float *restrict y = out, w0 = (float)o->w[0], w1 = (float)o->w[1], w2 = (float)o->w[2];
#pragma omp simd
        for (x = 0; x < n; x++)
            y[x] = w0 * a[x] + w1 * b[x] + w2 * c[x];
    } else if (o->fast && t == P64 && o->diff) {
        const double *restrict a = r[0], *restrict b = r[1];
        double *restrict y = out, d = o->w[0];
#pragma omp simd
        for (x = 0; x < n; x++)
            y[x] = (b[x] - a[x]) / d;
    } else if (o->fast && t == P64) {
        const double *restrict a = r[0], *restrict b = r[1], *restrict c = r[2];
        double *restrict y = out, w0 = o->w[0], w1 = o->w[1], w2 = o->w[2];
#pragma omp simd
        for (x = 0; x < n; x++)
            y[x] = w0 * a[x] + w1 * b[x] + w2 * c[x];
    } else {
        const double *a = r[0], *b = r[1], *c = o->diff ? r[1] : r[2];
        double *y = out;
        for (x = 0; x < n; x++) {
            double v[3] = { a[x], b[x], c[x] };
            y[x] = eval_op(o, t, v);
        }
    }
}

/* The value of tap k of o at position x of a line whose element j is at
 * f[j - f0] (computing type). */
static double tap(const op *o, int k32, const void *f, size_t f0, size_t x, int k)
{
    ptrdiff_t j = (ptrdiff_t)x - (ptrdiff_t)f0 + (o->diff ? (k ? o->t1 : o->t0) : o->t0 + k);
    return k32 ? ((const float *)f)[j] : ((const double *)f)[j];
}

/* Positions [x0, x1) (all interior) of a line as above into y[x - x0]. */
LOOP void line_body(const axis_plan *a, prec t, int k32, const void *f, size_t f0, void *y,
                    size_t x0, size_t x1)
{
    size_t x, m = x1 - x0;
    if (k32 && !a->abc) {
        const float *restrict p = (const float *)f + (x0 - f0);
        float *restrict q = y, d = (float)a->inner.w[0];
#pragma omp simd
        for (x = 0; x < m; x++)
            q[x] = (p[x + 1] - p[x - 1]) / d;
    } else if (!a->abc && a->inner.fast && t == P64) {
        const double *restrict p = (const double *)f + (x0 - f0);
        double *restrict q = y, d = a->inner.w[0];
#pragma omp simd
        for (x = 0; x < m; x++)
            q[x] = (p[x + 1] - p[x - 1]) / d;
    } else if (a->abc && a->pabc == t && t == P64) {
        const double *restrict p = (const double *)f + (x0 - f0), *restrict w = a->abc + 3 * (x0 - 1);
        double *restrict q = y;
#pragma omp simd
        for (x = 0; x < m; x++)
            q[x] = w[3 * x] * p[x - 1] + w[3 * x + 1] * p[x] + w[3 * x + 2] * p[x + 1];
    } else if (a->abc && k32) {
        const float *restrict p = (const float *)f + (x0 - f0);
        const double *restrict w = a->abc + 3 * (x0 - 1);
        float *restrict q = y;
#pragma omp simd
        for (x = 0; x < m; x++)
            q[x] = (float)w[3 * x] * p[x - 1] + (float)w[3 * x + 1] * p[x]
                   + (float)w[3 * x + 2] * p[x + 1];
    } else {
        op tmp;
        for (x = x0; x < x1; x++) {
            const op *o = op_at(a, t, x, &tmp);
            double v[3];
            int k;
            for (k = 0; k < 3; k++)
                v[k] = tap(o, 0, f, f0, x, o->diff && k == 2 ? 1 : k);
            ((double *)y)[x - x0] = eval_op(o, t, v);
        }
    }
}

static void row_base(const op *o, prec t, int k32, const void *const r[3], void *out, size_t n)
{
    row_body(o, t, k32, r, out, n);
}

static void line_base(const axis_plan *a, prec t, int k32, const void *f, size_t f0, void *y,
                      size_t x0, size_t x1)
{
    line_body(a, t, k32, f, f0, y, x0, x1);
}

#ifdef IMGRAD__MULTI_ISA
IMGRAD__TARGET_AVX2
static void row_avx2(const op *o, prec t, int k32, const void *const r[3], void *out, size_t n)
{
    row_body(o, t, k32, r, out, n);
}

IMGRAD__TARGET_AVX2
static void line_avx2(const axis_plan *a, prec t, int k32, const void *f, size_t f0, void *y,
                      size_t x0, size_t x1)
{
    line_body(a, t, k32, f, f0, y, x0, x1);
}

IMGRAD__TARGET_AVX512
static void row_avx512(const op *o, prec t, int k32, const void *const r[3], void *out,
                       size_t n)
{
    row_body(o, t, k32, r, out, n);
}

IMGRAD__TARGET_AVX512
static void line_avx512(const axis_plan *a, prec t, int k32, const void *f, size_t f0,
                        void *y, size_t x0, size_t x1)
{
    line_body(a, t, k32, f, f0, y, x0, x1);
}
#endif

/* row_body in the build of isa. */
static void row_kernel(imgrad__isa isa, const op *o, prec t, int k32, const void *const r[3],
                       void *out, size_t n)
{
#ifdef IMGRAD__MULTI_ISA
    if (isa == IMGRAD__ISA_AVX512)
        row_avx512(o, t, k32, r, out, n);
    else if (isa == IMGRAD__ISA_AVX2)
        row_avx2(o, t, k32, r, out, n);
    else
#endif
        row_base(o, t, k32, r, out, n);
    (void)isa;
}

/* line_body in the build of isa. */
static void line_interior(imgrad__isa isa, const axis_plan *a, prec t, int k32, const void *f,
                          size_t f0, void *y, size_t x0, size_t x1)
{
#ifdef IMGRAD__MULTI_ISA
    if (isa == IMGRAD__ISA_AVX512)
        line_avx512(a, t, k32, f, f0, y, x0, x1);
    else if (isa == IMGRAD__ISA_AVX2)
        line_avx2(a, t, k32, f, f0, y, x0, x1);
    else
#endif
        line_base(a, t, k32, f, f0, y, x0, x1);
    (void)isa;
}

/* Positions [x0, x1) of a line (see tap) into y[x - x0]. */
static void line_kernel(imgrad__isa isa, const axis_plan *a, prec t, int k32, const void *f,
                        size_t f0, void *y, size_t x0, size_t x1)
{
    size_t lo = x0 > 1 ? x0 : 1, hi = x1 < a->n - 1 ? x1 : a->n - 1, e[2];
    int k, m = 0;
    if (x0 == 0)
        e[m++] = 0;
    if (x1 == a->n)
        e[m++] = a->n - 1;
    for (k = 0; k < m; k++) {           /* the two edges, one at a time */
        op tmp;
        const op *o = op_at(a, t, e[k], &tmp);
        double v[3];
        int j;
        for (j = 0; j < 3; j++)
            v[j] = tap(o, k32, f, f0, e[k], o->diff && j == 2 ? 1 : j);
        if (k32)
            ((float *)y)[e[k] - x0] = (float)eval_op(o, t, v);
        else
            ((double *)y)[e[k] - x0] = eval_op(o, t, v);
    }
    if (lo < hi)
        line_interior(isa, a, t, k32, f, f0, (char *)y + (lo - x0) * (k32 ? 4 : 8), lo, hi);
}

/* ------------------------------------------------------------- driver */

/* The dimensions a work item index runs over (all but the axis k and, for
 * rows, the row axis j), with their input and output strides. */
typedef struct outer {
    int m;
    size_t dim[IMGRAD_MAX_NDIM];
    ptrdiff_t is[IMGRAD_MAX_NDIM], os[IMGRAD_MAX_NDIM];
    size_t count;
} outer;

static void outer_init(outer *u, const imgrad_array *in, const imgrad_array *out,
                       int k, int j)
{
    int d;
    u->m = 0;
    u->count = 1;
    for (d = 0; d < in->ndim; d++) {
        if (d == k || d == j)
            continue;
        u->dim[u->m] = in->shape[d];
        u->is[u->m] = in->strides[d];
        u->os[u->m] = out->strides[d];
        u->count *= in->shape[d];
        u->m++;
    }
}

/* Byte offsets in the input and output of outer index o (last dim fastest). */
static void outer_offsets(const outer *u, size_t o, ptrdiff_t *ioff, ptrdiff_t *ooff)
{
    int d;
    *ioff = *ooff = 0;
    for (d = u->m - 1; d >= 0; d--) {
        size_t q = o % u->dim[d];
        o /= u->dim[d];
        *ioff += (ptrdiff_t)q * u->is[d];
        *ooff += (ptrdiff_t)q * u->os[d];
    }
}

/* The geometry shared by the items of one derivative. */
typedef struct pass {
    const axis_plan *a;
    const imgrad_array *in, *out;
    prec t;
    int k32;            /* computing type float (else double) */
    size_t es;          /* its size */
    int j;              /* the row axis, or -1 for lines along k */
    size_t rn;          /* row length, or segment length */
    ptrdiff_t ris, ros; /* row strides (rows) or line strides (lines) */
    int in_direct, out_direct; /* rows read / written in place */
    imgrad__isa isa;    /* the build of the typed loops */
    outer u;
    size_t items, per;  /* items, and items per outer index */
} pass;

/* A row or line of the input at p, n elements with stride s, as a pointer
 * to the computing type: itself when in place, else copied into buf. */
static const void *load_row(const pass *ps, const char *p, ptrdiff_t s, size_t n, void *buf)
{
    if (ps->in_direct)
        return p;
    if (ps->k32)
        copy_f32(buf, 4, (const float *)p, s, n);
    else
        gather_f64(buf, p, s, n, ps->in->dtype);
    return buf;
}

static void store_row(const pass *ps, char *p, ptrdiff_t s, size_t n, const void *buf)
{
    if (ps->out_direct)
        return;
    if (ps->k32)
        copy_f32((float *)p, s, buf, 4, n);
    else
        scatter_f64(p, s, buf, n, ps->out->dtype);
}

/* Row item w: output row at position i along k of outer index w / n. */
static void do_row(const pass *ps, size_t w, char *scratch)
{
    const axis_plan *a = ps->a;
    size_t i = w % a->n, n = ps->rn;
    ptrdiff_t io, oo, sk = ps->in->strides[a->k];
    const void *r[3];
    op tmp;
    const op *o = op_at(a, ps->t, i, &tmp);
    char *y;
    int k;
    outer_offsets(&ps->u, w / a->n, &io, &oo);
    for (k = 0; k < 3; k++) {
        ptrdiff_t pos = (ptrdiff_t)i + (o->diff ? (k == 1 ? o->t1 : o->t0) : o->t0 + k);
        if (o->diff && k == 2) {
            r[2] = r[1];
            break;
        }
        r[k] = load_row(ps, (const char *)ps->in->data + io + pos * sk, ps->ris, n,
                        scratch + k * n * ps->es);
    }
    y = (char *)ps->out->data + oo + (ptrdiff_t)i * ps->out->strides[a->k];
    row_kernel(ps->isa, o, ps->t, ps->k32, r, ps->out_direct ? (void *)y : scratch + 3 * n * ps->es,
               n);
    store_row(ps, y, ps->ros, n, scratch + 3 * n * ps->es);
}

/* Line item w: segment w % per of the line of outer index w / per. */
static void do_line(const pass *ps, size_t w, char *scratch)
{
    const axis_plan *a = ps->a;
    size_t x0 = (w % ps->per) * ps->rn, x1 = x0 + ps->rn < a->n ? x0 + ps->rn : a->n;
    size_t g0 = x0 >= 2 ? x0 - 2 : 0, g1 = x1 + 2 < a->n ? x1 + 2 : a->n;
    ptrdiff_t io, oo;
    const void *f;
    char *y, *ybuf = scratch + (ps->rn + 4) * ps->es;
    outer_offsets(&ps->u, w / ps->per, &io, &oo);
    f = load_row(ps, (const char *)ps->in->data + io + (ptrdiff_t)g0 * ps->ris, ps->ris,
                 g1 - g0, scratch);
    y = (char *)ps->out->data + oo + (ptrdiff_t)x0 * ps->ros;
    line_kernel(ps->isa, a, ps->t, ps->k32, f, g0, ps->out_direct ? (void *)y : ybuf, x0, x1);
    store_row(ps, y, ps->ros, x1 - x0, ybuf);
}

/* Sets up the pass of the derivative a of in into out. */
static void pass_init(pass *ps, const axis_plan *a, const imgrad_array *in,
                      const imgrad_array *out, prec t, imgrad__isa isa)
{
    int d, k = a->k;
    imgrad_dtype kt;
    ps->a = a;
    ps->isa = isa;
    ps->in = in;
    ps->out = out;
    ps->t = t;
    ps->k32 = t == P32 && a->first.fast && a->last.fast
              && (a->abc ? a->pabc == P32 : a->inner.fast);
    ps->es = ps->k32 ? 4 : 8;
    kt = ps->k32 ? IMGRAD_DT_FLOAT32 : IMGRAD_DT_FLOAT64;
    ps->j = -1;                         /* rows along the smallest stride */
    for (d = 0; d < in->ndim; d++)
        if (d != k && in->shape[d] > 1
            && (ps->j < 0 || labs((long)in->strides[d]) < labs((long)in->strides[ps->j])))
            ps->j = d;
    if (ps->j >= 0 && labs((long)in->strides[k]) < labs((long)in->strides[ps->j]))
        ps->j = -1;                     /* k has it: lines along k */
    outer_init(&ps->u, in, out, k, ps->j);
    if (ps->j >= 0) {
        ps->rn = in->shape[ps->j];
        ps->ris = in->strides[ps->j];
        ps->ros = out->strides[ps->j];
        ps->per = a->n;
    } else {
        ps->rn = a->n < SEG ? a->n : SEG;
        ps->ris = in->strides[k];
        ps->ros = out->strides[k];
        ps->per = (a->n + SEG - 1) / SEG;
    }
    ps->items = ps->rn ? ps->u.count * ps->per : 0;
    ps->in_direct = in->dtype == kt && ps->ris == (ptrdiff_t)ps->es;
    ps->out_direct = out->dtype == kt && ps->ros == (ptrdiff_t)ps->es;
}

/* Runs every item of ps on threads (0: OpenMP's default) threads, each with
 * its own scratch rows.  ENOMEM. */
static imgrad_status run_pass(const pass *ps, size_t elems, int threads)
{
    int nt = elems < SERIAL_ELEMS ? 1 : IMGRAD__THREADS(threads);
    size_t each = (ps->j >= 0 ? 4 * ps->rn : 2 * ps->rn + 4) * ps->es, total;
    long long w, items = (long long)ps->items;
    char *scratch;
    if (!items)
        return IMGRAD_OK;
    if (!imgrad__mul_size(each, (size_t)nt, &total))
        return IMGRAD_EOVERFLOW;
    scratch = malloc(total);
    if (!scratch)
        return IMGRAD_ENOMEM;
#pragma omp parallel num_threads(nt)
    {
#ifdef _OPENMP
        char *mine = scratch + (size_t)omp_get_thread_num() * each;
#else
        char *mine = scratch;
#endif
#pragma omp for schedule(static)
        for (w = 0; w < items; w++) {
            if (ps->j >= 0)
                do_row(ps, (size_t)w, mine);
            else
                do_line(ps, (size_t)w, mine);
        }
    }
    free(scratch);
    return IMGRAD_OK;
}

void imgrad_nd_options_default(imgrad_nd_options *o)
{
    int k;
    if (!o)
        return;
    memset(o, 0, sizeof *o);
    for (k = 0; k < IMGRAD_MAX_NDIM; k++) {
        o->spacing[k].step = 1.0;
        o->spacing[k].step_type = IMGRAD_DT_FLOAT64;
    }
    o->edge_order = 1;
}

/* The axes to differentiate, normalised (numpy's normalize_axis_tuple):
 * EINVAL when out of range or repeated. */
static imgrad_status list_axes(const imgrad_array *in, const imgrad_nd_options *o,
                               int axes[IMGRAD_MAX_NDIM], int *count)
{
    int k, m, seen[IMGRAD_MAX_NDIM] = { 0 };
    *count = o->naxes ? o->naxes : in->ndim;
    if (*count < 0 || *count > in->ndim)
        return IMGRAD_EINVAL;
    for (k = 0; k < *count; k++) {
        m = o->naxes ? o->axes[k] : k;
        if (m < -in->ndim || m >= in->ndim)
            return IMGRAD_EINVAL;
        axes[k] = m < 0 ? m + in->ndim : m;
        if (seen[axes[k]]++)
            return IMGRAD_EINVAL;
    }
    return IMGRAD_OK;
}

/* Checks in, the options and the caller's outputs (see imgrad.h), in
 * numpy's order: the spacing of every axis, then each axis' length. */
static imgrad_status check_call(const imgrad_array *in, const imgrad_nd_options *o,
                                const imgrad_array *out, int axes[IMGRAD_MAX_NDIM],
                                int *count)
{
    int k, d;
    imgrad_status st;
    if (!in || !o || !out || in->ndim < 1 || in->ndim > IMGRAD_MAX_NDIM
        || !dtype_valid(in->dtype) || (o->edge_order != 1 && o->edge_order != 2))
        return IMGRAD_EINVAL;
    if ((st = list_axes(in, o, axes, count)) != IMGRAD_OK)
        return st;
    for (k = 0; k < *count; k++) {
        const imgrad_array *x = o->spacing[k].coords;
        if (!dtype_valid(o->spacing[k].step_type))
            return IMGRAD_EINVAL;
        if (x && (x->ndim != 1 || x->shape[0] != in->shape[axes[k]] || !x->data
                  || !dtype_valid(x->dtype) || x->dtype == IMGRAD_DT_BOOL))
            return IMGRAD_ECOORDS;
    }
    for (k = 0; k < *count; k++) {
        if (in->shape[axes[k]] < (size_t)o->edge_order + 1)
            return IMGRAD_ETOOSMALL;
        if (!out[k].data)
            continue;
        if (out[k].ndim != in->ndim || out[k].dtype != imgrad_gradient_nd_dtype(in->dtype))
            return IMGRAD_EINVAL;
        for (d = 0; d < in->ndim; d++)
            if (out[k].shape[d] != in->shape[d])
                return IMGRAD_EINVAL;
    }
    return IMGRAD_OK;
}

/* Allocates out as a C-contiguous array of in's shape; *elems receives the
 * element count.  EOVERFLOW or ENOMEM. */
static imgrad_status alloc_out(const imgrad_array *in, imgrad_array *out, size_t *elems)
{
    imgrad_dtype t = imgrad_gradient_nd_dtype(in->dtype);
    size_t es = dtype_size(t), n = 1, bytes;
    int d;
    for (d = 0; d < in->ndim; d++)
        if (!imgrad__mul_size(n, in->shape[d], &n))
            return IMGRAD_EOVERFLOW;
    if (!imgrad__mul_size(n, es, &bytes) || bytes > PTRDIFF_MAX)
        return IMGRAD_EOVERFLOW;
    *elems = n;
    if (!out->data) {
        out->data = malloc(bytes ? bytes : 1);
        if (!out->data)
            return IMGRAD_ENOMEM;
        out->dtype = t;
        out->ndim = in->ndim;
        for (d = in->ndim - 1; d >= 0; d--) {
            out->shape[d] = in->shape[d];
            out->strides[d] = (ptrdiff_t)es;
            es *= in->shape[d] ? in->shape[d] : 1;
        }
    }
    return IMGRAD_OK;
}

/* One derivative: plans axis k with spacing sp and runs its pass. */
static imgrad_status one_axis(const imgrad_array *in, int k, const imgrad_spacing *sp,
                              int order, int threads, imgrad__isa isa, imgrad_array *out,
                              size_t elems)
{
    prec t = prec_of(imgrad_gradient_nd_dtype(in->dtype));
    axis_plan a;
    pass ps;
    imgrad_status st = IMGRAD_OK;
    memset(&a, 0, sizeof a);
    a.k = k;
    a.n = in->shape[k];
    a.plain = in->ndim == 1;
    if (sp->coords)
        st = plan_coords(&a, t, order, sp->coords, sp->keep_coords);
    else
        plan_uniform(&a, t, order, sp->step, sp->step_type);
    if (st == IMGRAD_OK) {
        pass_init(&ps, &a, in, out, t, isa);
        st = run_pass(&ps, elems, threads);
    }
    free(a.abc);
    return st;
}

imgrad_status imgrad__gradient_nd_isa(const imgrad_array *in, const imgrad_nd_options *o,
                                      imgrad_array *out, imgrad__isa isa)
{
    int axes[IMGRAD_MAX_NDIM], count = 0, k, mine[IMGRAD_MAX_NDIM] = { 0 };
    size_t elems = 0;
    imgrad_status st = check_call(in, o, out, axes, &count);
    for (k = 0; k < count && st == IMGRAD_OK; k++) {
        mine[k] = !out[k].data;
        st = alloc_out(in, &out[k], &elems);
    }
    for (k = 0; k < count && st == IMGRAD_OK; k++)
        st = one_axis(in, axes[k], &o->spacing[k], o->edge_order, o->threads, isa, &out[k],
                      elems);
    if (st != IMGRAD_OK)
        for (k = 0; k < count; k++)
            if (mine[k]) {
                free(out[k].data);
                out[k].data = NULL;
            }
    return st;
}

imgrad_status imgrad_gradient_nd(const imgrad_array *in, const imgrad_nd_options *o,
                                 imgrad_array *out)
{
    return imgrad__gradient_nd_isa(in, o, out, imgrad__isa_in_use());
}
