/* gradient.c - imgrad_gradient: smoothing (smooth.c), then one parallel pass
 * over rows computing gx and gy by numpy.gradient's central differences
 * (here) or a convolution operator (convolve.c) with magnitude and direction
 * fused into the same pass, then Canny's stages (canny.c) for edges.
 *
 * numpy's arithmetic is followed operation by operation so that float32
 * results agree to the last bit (numpy 1.24 on a float32 array):
 *
 *   uniform spacing h   interior  (f[i+1] - f[i-1]) / float(2h)      float32
 *                       edge 1    (f[1] - f[0]) / float(h)            float32
 *                       edge 2    float(-1.5/h) f0 + float(2/h) f1
 *                                 + float(-0.5/h) f2                  float32
 *   coordinates         interior  a f[i-1] + b f[i] + c f[i+1]        float64,
 *                                 rounded once to float32
 *                       edges     as above with the local steps       float32
 *
 * (A float64 coefficient array promotes the sum to float64; a float64
 * scalar does not promote a float32 array.)  Coordinates that are equally
 * spaced take the uniform path, as numpy does.  Float32 coordinates
 * (coords_float32) give float32 steps and weights, each operation rounded
 * as numpy rounds it (plan_coords), and on a float32 grid a float32 sum.
 * Any coordinates are taken, decreasing or repeated too: numpy's formulas
 * then give its signed steps, infinities and NaNs.
 *
 * An input with a residual (data + residual carries a float64 value: the
 * grey of an 8/16-bit photo, a float64 grid) stands for the float64 array
 * numpy would see, and numpy computes on it in float64: so do we, with the
 * same constants in double, rounding only the result to float32.
 *
 * Each output row depends only on input rows y-1, y, y+1, so rows are
 * independent and the result does not depend on how they are split among
 * threads. */
#include "kernel.h"

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

/* The kernel pass makes and writes its products this many pixels at a time
 * (see pass_row): 4 products of 256 floats are 4 KiB, which stay in L1. */
#ifndef CHUNK
#define CHUNK 256
#endif

/* numpy's arithmetic along one axis, planned before the parallel region. */
typedef struct axis_plan {
    int n;             /* samples along the axis */
    int edge_order;    /* 1 or 2 */
    int uniform;       /* constant spacing: the scalar path */
    float two_h;       /* interior divisor, uniform */
    float h_first;     /* edge order 1 divisors */
    float h_last;
    float r_two_h;     /* their exact reciprocals (imgrad__exact_recip), or 0 */
    float r_first;
    float r_last;
    float k_first[3];  /* edge order 2 weights of f0, f1, f2 */
    float k_last[3];   /* ... of f[n-3], f[n-2], f[n-1] */
    double *a, *b, *c; /* interior weights at i, coordinates only */
    int coef32;        /* they are float32 arrays: summed in float32 */
    imgrad__isa isa;   /* the build of the difference loop to run */
    /* the same in float64, for inputs carrying a residual */
    double two_h64, h_first64, h_last64, k_first64[3], k_last64[3];
} axis_plan;

static void plan_free(axis_plan *p)
{
    free(p->a);
    p->a = p->b = p->c = NULL;
}

/* Rounds the float64 constants to the float32 ones numpy uses on float32. */
static void plan_round(axis_plan *p)
{
    int j;

    p->two_h = (float)p->two_h64;
    p->h_first = (float)p->h_first64;
    p->h_last = (float)p->h_last64;
    p->r_two_h = imgrad__exact_recip(p->two_h);
    p->r_first = imgrad__exact_recip(p->h_first);
    p->r_last = imgrad__exact_recip(p->h_last);
    for (j = 0; j < 3; j++) {
        p->k_first[j] = (float)p->k_first64[j];
        p->k_last[j] = (float)p->k_last64[j];
    }
}

static void plan_uniform(axis_plan *p, double h)
{
    p->uniform = 1;
    p->two_h64 = 2.0 * h;
    p->h_first64 = p->h_last64 = h;
    p->k_first64[0] = -1.5 / h;
    p->k_first64[1] = 2.0 / h;
    p->k_first64[2] = -0.5 / h;
    p->k_last64[0] = 0.5 / h;
    p->k_last64[1] = -2.0 / h;
    p->k_last64[2] = 1.5 / h;
    plan_round(p);
}

/* Step i of coordinates x: x[i + 1] - x[i], rounded to float32 for
 * float32 coordinates (np.diff on a float32 array). */
static double step_at(const double *x, int i, int f32)
{
    const double d = x[i + 1] - x[i];
    return f32 ? (double)(float)d : d;
}

/* numpy's interior weights from float32 steps d1, d2: every operation on
 * float32 arrays is rounded to float32. */
static void weights32(float d1, float d2, double *a, double *b, double *c)
{
    const float s = d1 + d2;
    *a = -(d2) / (d1 * s);
    *b = (d2 - d1) / (d1 * d2);
    *c = d1 / (d2 * s);
}

/* The edge order 2 weights from float32 scalar steps, as numpy 1.24 mixes
 * them: `2. * dx1` is a Python float times a float32 scalar, a float64, so
 * a term holding it is float64; the others stay float32. */
static void edge_weights32(float d1, float d2, double first[3], double last[3])
{
    const float s = d1 + d2;
    first[0] = -(2. * d1 + (double)d2) / (double)(d1 * s);
    first[1] = (float)(s / (d1 * d2));
    first[2] = (float)(-d1 / (d2 * s));
    last[0] = (float)(d2 / (d1 * s));
    last[1] = (float)(-(d2 + d1) / (d1 * d2));
    last[2] = (2. * d2 + (double)d1) / (double)(d2 * s);
}

/* The weights of a second-order fit through three unequally spaced points
 * (Fornberg), in numpy's exact expressions, in float32 for float32
 * coordinates (f32). */
static imgrad_status plan_coords(axis_plan *p, const double *x, int f32)
{
    const int n = p->n;
    double d1, d2, unused[3];
    int i;

    if ((p->a = malloc(3 * (size_t)n * sizeof(double))) == NULL)
        return IMGRAD_ENOMEM;
    p->b = p->a + n;
    p->c = p->b + n;
    p->coef32 = f32;
    for (i = 1; i < n - 1; i++) {
        d1 = step_at(x, i - 1, f32);
        d2 = step_at(x, i, f32);
        if (f32) {
            weights32((float)d1, (float)d2, &p->a[i], &p->b[i], &p->c[i]);
            continue;
        }
        p->a[i] = -(d2) / (d1 * (d1 + d2));
        p->b[i] = (d2 - d1) / (d1 * d2);
        p->c[i] = d1 / (d2 * (d1 + d2));
    }
    p->h_first64 = step_at(x, 0, f32);
    p->h_last64 = step_at(x, n - 2, f32);
    if (n >= 3 && f32) {
        edge_weights32((float)step_at(x, 0, 1), (float)step_at(x, 1, 1), p->k_first64, unused);
        edge_weights32((float)step_at(x, n - 3, 1), (float)step_at(x, n - 2, 1), unused,
                       p->k_last64);
    } else if (n >= 3) {
        d1 = x[1] - x[0];
        d2 = x[2] - x[1];
        p->k_first64[0] = -(2. * d1 + d2) / (d1 * (d1 + d2));
        p->k_first64[1] = (d1 + d2) / (d1 * d2);
        p->k_first64[2] = -d1 / (d2 * (d1 + d2));
        d1 = x[n - 2] - x[n - 3];
        d2 = x[n - 1] - x[n - 2];
        p->k_last64[0] = d2 / (d1 * (d1 + d2));
        p->k_last64[1] = -(d2 + d1) / (d1 * d2);
        p->k_last64[2] = (2. * d2 + d1) / (d2 * (d1 + d2));
    }
    plan_round(p);
    return IMGRAD_OK;
}

static imgrad_status plan_axis(axis_plan *p, int n, double h, const double *x, int edge_order,
                               int f32)
{
    int i, equal = 1;

    memset(p, 0, sizeof *p);
    p->n = n;
    p->edge_order = edge_order;
    p->isa = imgrad__isa_in_use();
    if (n < edge_order + 1)
        return IMGRAD_ETOOSMALL;
    if (x == NULL) {
        plan_uniform(p, h);
        return IMGRAD_OK;
    }
    for (i = 1; i < n - 1; i++)
        equal &= step_at(x, i, f32) == step_at(x, 0, f32);
    if (equal) { /* numpy reduces equal steps to the scalar case */
        plan_uniform(p, step_at(x, 0, f32));
        return IMGRAD_OK;
    }
    return plan_coords(p, x, f32);
}

/* out = (hi - lo) / h over w samples, in float32, as numpy computes it; as
 * (hi - lo) * r when h has the exact reciprocal r (nonzero, imgrad__exact_recip).
 * Inlined into one function per instruction set (isa.c), which all give
 * the same bits. */
static inline __attribute__((always_inline)) void
diff_span(const float *restrict hi, const float *restrict lo, float h, float r,
          float *restrict out, int w)
{
    int i;

    if (r != 0) {
#pragma omp simd
        for (i = 0; i < w; i++)
            out[i] = (hi[i] - lo[i]) * r;
        return;
    }
#pragma omp simd
    for (i = 0; i < w; i++)
        out[i] = (hi[i] - lo[i]) / h;
}

static void diff_baseline(const float *hi, const float *lo, float h, float r, float *out,
                          int w)
{
    diff_span(hi, lo, h, r, out, w);
}

#ifdef IMGRAD__MULTI_ISA
IMGRAD__TARGET_AVX2
static void diff_avx2(const float *hi, const float *lo, float h, float r, float *out, int w)
{
    diff_span(hi, lo, h, r, out, w);
}

IMGRAD__TARGET_AVX512
static void diff_avx512(const float *hi, const float *lo, float h, float r, float *out,
                        int w)
{
    diff_span(hi, lo, h, r, out, w);
}
#endif

/* diff_span in the build p->isa picks. */
static void vec_diff(const axis_plan *p, const float *hi, const float *lo, float h, float r,
                     float *out, int w)
{
#ifdef IMGRAD__MULTI_ISA
    if (p->isa == IMGRAD__ISA_AVX512)
        diff_avx512(hi, lo, h, r, out, w);
    else if (p->isa == IMGRAD__ISA_AVX2)
        diff_avx2(hi, lo, h, r, out, w);
    else
#endif
        diff_baseline(hi, lo, h, r, out, w);
}

/* out = k0 r0 + k1 r1 + k2 r2 in float32, left to right as numpy sums. */
static void vec_comb_f(const float *restrict r0, const float *restrict r1,
                       const float *restrict r2, const float k[3],
                       float *restrict out, int w)
{
    const float k0 = k[0], k1 = k[1], k2 = k[2];
    int i;
#pragma omp simd
    for (i = 0; i < w; i++)
        out[i] = k0 * r0[i] + k1 * r1[i] + k2 * r2[i];
}

/* out = a r0 + b r1 + c r2 in float64, rounded once to float32. */
static void vec_comb_d(const float *restrict r0, const float *restrict r1,
                       const float *restrict r2, double a, double b, double c,
                       float *restrict out, int w)
{
    int i;
#pragma omp simd
    for (i = 0; i < w; i++)
        out[i] = (float)(a * r0[i] + b * r1[i] + c * r2[i]);
}

/* The derivative at index i of an axis whose sample i is at at and sample k
 * at at + (k - i)*step, for w parallel lines (w consecutive floats each),
 * into out.  (Relative to sample i, so that a banded pass can hand in a
 * window holding only the rows around i.) */
static void derive_at(const axis_plan *p, int i, const float *at, size_t step,
                      float *out, int w)
{
    const int n = p->n;
#define S(k) (at + ((ptrdiff_t)(k) - i) * (ptrdiff_t)step)
    if (i == 0 && p->edge_order == 1)
        vec_diff(p, S(1), S(0), p->h_first, p->r_first, out, w);
    else if (i == 0)
        vec_comb_f(S(0), S(1), S(2), p->k_first, out, w);
    else if (i == n - 1 && p->edge_order == 1)
        vec_diff(p, S(n - 1), S(n - 2), p->h_last, p->r_last, out, w);
    else if (i == n - 1)
        vec_comb_f(S(n - 3), S(n - 2), S(n - 1), p->k_last, out, w);
    else if (p->uniform)
        vec_diff(p, S(i + 1), S(i - 1), p->two_h, p->r_two_h, out, w);
    else if (p->coef32) {
        const float k[3] = { (float)p->a[i], (float)p->b[i], (float)p->c[i] };
        vec_comb_f(S(i - 1), S(i), S(i + 1), k, out, w);
    } else
        vec_comb_d(S(i - 1), S(i), S(i + 1), p->a[i], p->b[i], p->c[i], out, w);
#undef S
}

/* d/dx along one row f of width p->n into g, at samples [x0, x1). */
static void derive_row(const axis_plan *p, const float *restrict f, float *restrict g,
                       int x0, int x1)
{
    const int n = p->n;
    const int lo = x0 > 1 ? x0 : 1, hi = x1 < n - 1 ? x1 : n - 1;
    int i;

    if (x0 == 0)
        derive_at(p, 0, f, 1, g, 1);
    if (x1 == n)
        derive_at(p, n - 1, f + n - 1, 1, g + n - 1, 1);
    if (lo >= hi)
        return;
    if (p->uniform) {
        vec_diff(p, f + lo + 1, f + lo - 1, p->two_h, p->r_two_h, g + lo, hi - lo);
        return;
    }
    for (i = lo; p->coef32 && i < hi; i++)
        g[i] = (float)p->a[i] * f[i - 1] + (float)p->b[i] * f[i] + (float)p->c[i] * f[i + 1];
    for (i = lo; !p->coef32 && i < hi; i++)
        g[i] = (float)(p->a[i] * f[i - 1] + p->b[i] * f[i] + p->c[i] * f[i + 1]);
}

/* ---- float64: inputs with a residual (8/16-bit photos, float64 grids).
 * numpy.gradient computes these in float64 (it converts integer arrays to
 * float64), so here every operation is numpy's in double precision and only
 * the result is rounded to float32: it equals numpy's result rounded. */

/* One numpy stencil in float64: (f[k0] - f[k1]) / div, or
 * w0 f[k0] + w1 f[k1] + w2 f[k2]. */
typedef struct stencil64 {
    int diff;
    int k[3];
    double div, w[3];
} stencil64;

static stencil64 stencil_at(const axis_plan *p, int i)
{
    const int n = p->n;
    stencil64 s;

    memset(&s, 0, sizeof s);
    s.diff = 1;
    if (i == 0 && p->edge_order == 1) {
        s.k[0] = 1, s.k[1] = s.k[2] = 0, s.div = p->h_first64;
    } else if (i == n - 1 && p->edge_order == 1) {
        s.k[0] = n - 1, s.k[1] = s.k[2] = n - 2, s.div = p->h_last64;
    } else if (i == 0 || i == n - 1) {
        const int first = i == 0 ? 0 : n - 3;
        s.diff = 0;
        s.k[0] = first, s.k[1] = first + 1, s.k[2] = first + 2;
        memcpy(s.w, i == 0 ? p->k_first64 : p->k_last64, sizeof s.w);
    } else if (p->uniform) {
        s.k[0] = i + 1, s.k[1] = s.k[2] = i - 1, s.div = p->two_h64;
    } else {
        s.diff = 0;
        s.k[0] = i - 1, s.k[1] = i, s.k[2] = i + 1;
        s.w[0] = p->a[i], s.w[1] = p->b[i], s.w[2] = p->c[i];
    }
    return s;
}

/* out = (hi - lo) / h, in float64, rounded once.  A power-of-two h has an
 * exact reciprocal, and the multiply then rounds as the division does. */
static void vec_diff64(const double *restrict hi, const double *restrict lo, double h,
                       float *restrict out, int w)
{
    int e, i;

    if (fabs(frexp(h, &e)) == 0.5 && e > DBL_MIN_EXP + 1 && e < DBL_MAX_EXP - 1) {
        const double r = 1.0 / h;
#pragma omp simd
        for (i = 0; i < w; i++)
            out[i] = (float)((hi[i] - lo[i]) * r);
        return;
    }
#pragma omp simd
    for (i = 0; i < w; i++)
        out[i] = (float)((hi[i] - lo[i]) / h);
}

/* out = a r0 + b r1 + c r2, in float64, rounded once. */
static void vec_comb64(const double *restrict r0, const double *restrict r1,
                       const double *restrict r2, const double k[3],
                       float *restrict out, int w)
{
    const double a = k[0], b = k[1], c = k[2];
    int i;
#pragma omp simd
    for (i = 0; i < w; i++)
        out[i] = (float)(a * r0[i] + b * r1[i] + c * r2[i]);
}

static void apply64(const stencil64 *s, const double *f0, const double *f1,
                    const double *f2, float *out, int w)
{
    if (s->diff)
        vec_diff64(f0, f1, s->div, out, w);
    else
        vec_comb64(f0, f1, f2, s->w, out, w);
}

/* Row y of g as float64: data + residual. */
static void widen_row(const imgrad_grid *g, int y, double *restrict out)
{
    const float *restrict d = g->data + (size_t)y * g->stride;
    const float *restrict r = g->residual + (size_t)y * g->stride;
    int x;
#pragma omp simd
    for (x = 0; x < g->width; x++)
        out[x] = (double)d[x] + (double)r[x];
}

/* d/dx along one float64 row f of width p->n into g. */
static void derive_row64(const axis_plan *p, const double *restrict f, float *restrict g)
{
    const int n = p->n;
    const int ends[2] = { 0, n - 1 };
    int i, j;

    for (j = 0; j < 2; j++) {
        stencil64 s = stencil_at(p, ends[j]);
        apply64(&s, f + s.k[0], f + s.k[1], f + s.k[2], g + ends[j], 1);
    }
    if (n < 3)
        return;
    if (p->uniform) {
        vec_diff64(f + 2, f, p->two_h64, g + 1, n - 2);
        return;
    }
    for (i = 1; i < n - 1; i++)
        g[i] = (float)(p->a[i] * f[i - 1] + p->b[i] * f[i] + p->c[i] * f[i + 1]);
}

/* d/dy at row y of in, through three float64 rows of scratch. */
static void derive_col64(const axis_plan *p, const imgrad_grid *in, int y,
                         double *scratch, float *gy)
{
    const size_t w = (size_t)in->width;
    stencil64 s = stencil_at(p, y);
    int j;

    for (j = 0; j < (s.diff ? 2 : 3); j++)
        widen_row(in, s.k[j], scratch + j * w);
    apply64(&s, scratch, scratch + w, scratch + 2 * w, gy, in->width);
}

void imgrad_gradient_options_default(imgrad_gradient_options *o)
{
    if (o == NULL)
        return;
    memset(o, 0, sizeof *o);
    o->op = IMGRAD_OP_CENTRAL;
    o->edge_order = 1;
    o->dx = o->dy = 1.0;
    o->border = IMGRAD_BORDER_REFLECT101;
    o->magnitude_factor = 1.0;
    o->canny_low = o->canny_high = -1; /* automatic */
    o->canny_sigma = 1;
}

static int any_product(const imgrad_products *out)
{
    return out->gx || out->gy || out->magnitude || out->direction || out->edges;
}

/* The options and the products asked for, whatever the input. */
static imgrad_status check_settings(const imgrad_gradient_options *o, const imgrad_products *out)
{
    if (o == NULL || out == NULL || !any_product(out))
        return IMGRAD_EINVAL;
    if ((unsigned)o->op > IMGRAD_OP_ROBERTS || (unsigned)o->border > IMGRAD_BORDER_WRAP
        || (o->edge_order != 1 && o->edge_order != 2) || o->threads < 0
        || !isfinite(o->dx) || !isfinite(o->dy) || o->dx == 0 || o->dy == 0
        || !(o->sigma >= 0) || !isfinite(o->sigma) || !isfinite(o->border_value)
        || !isfinite(o->magnitude_factor) || isnan(o->canny_low) || isnan(o->canny_high)
        || o->canny_mode < IMGRAD_CANNY_OWN || o->canny_mode > IMGRAD_CANNY_SKIMAGE
        || !(o->canny_sigma >= 0) || !isfinite(o->canny_sigma))
        return IMGRAD_EINVAL;
    return IMGRAD_OK;
}

static imgrad_status check_options(const imgrad_grid *in, const imgrad_gradient_options *o,
                                   const imgrad_products *out)
{
    if (in == NULL || in->data == NULL || in->width <= 0 || in->height <= 0
        || in->stride < (size_t)in->width)
        return IMGRAD_EINVAL;
    return check_settings(o, out);
}

/* Nonzero when g is a grid of the caller's that imgrad_gradient writes in
 * place (imgrad_products.in_place): never allocated, emptied or freed here. */
static int callers_grid(const imgrad_products *out, const imgrad_grid *g)
{
    return out->in_place && g != NULL
           && (g == out->gx || g == out->gy || g == out->magnitude || g == out->direction
               || g == out->edges);
}

/* In place: every product must be a w x h grid with room for its rows. */
static imgrad_status check_in_place(const imgrad_products *out, int w, int h)
{
    const imgrad_grid *all[5] = { out->gx, out->gy, out->magnitude, out->direction, out->edges };
    int i;

    for (i = 0; out->in_place && i < 5; i++)
        if (all[i] != NULL
            && (all[i]->data == NULL || all[i]->width != w || all[i]->height != h
                || all[i]->stride < (size_t)w))
            return IMGRAD_EINVAL;
    return IMGRAD_OK;
}

/* Frees the grids of work that the library allocated and, unless keep_asked,
 * leaves the caller's asked-for products alone: work holds out's products
 * and, for Canny, scratch gx, gy and magnitude grids of its own. */
static void release(const imgrad_products *work, const imgrad_products *out, int keep_asked)
{
    imgrad_grid *all[5] = { work->gx, work->gy, work->magnitude, work->direction, work->edges };
    int i;

    for (i = 0; i < 5; i++) {
        const int asked = all[i] == out->gx || all[i] == out->gy || all[i] == out->magnitude
                          || all[i] == out->direction || all[i] == out->edges;
        if (all[i] != NULL && !callers_grid(out, all[i]) && !(keep_asked && asked))
            imgrad_grid_free(all[i]);
    }
}

/* Marks every requested product empty, so that failure leaves nothing to
 * free (the caller's own grids stay as they are). */
static void empty_products(const imgrad_products *out)
{
    imgrad_grid *all[5] = { out->gx, out->gy, out->magnitude, out->direction, out->edges };
    int i;

    for (i = 0; i < 5 && !out->in_place; i++)
        if (all[i] != NULL)
            memset(all[i], 0, sizeof *all[i]);
}

/* Allocates the grids of work that are not the caller's. */
static imgrad_status alloc_products(const imgrad_products *work, const imgrad_products *out,
                                    int w, int h)
{
    imgrad_grid *all[5] = { work->gx, work->gy, work->magnitude, work->direction, work->edges };
    imgrad_status st = IMGRAD_OK;
    int i;

    for (i = 0; i < 5 && st == IMGRAD_OK; i++)
        if (all[i] != NULL && !callers_grid(out, all[i]))
            st = imgrad__grid_alloc(all[i], w, h); /* every pixel is written */
    if (st != IMGRAD_OK)
        release(work, out, 0);
    return st;
}

/* What computes gx and gy: numpy's central differences or a convolution. */
typedef struct kernel {
    const imgrad_grid *in; /* the (smoothed) input */
    imgrad_operator op;
    axis_plan px, py;      /* central */
    imgrad__conv conv;     /* the others */
    imgrad__polar polar;   /* magnitude and direction */
    /* A banded pass (imgrad__gradient_rows) holds only a window of the
     * input's rows: row y at win + (y - win_first) * in->stride. */
    const float *win;
    int win_first;
} kernel;

/* Row y of the input: of the whole grid, or of the banded pass's window. */
static const float *in_row(const kernel *k, int y)
{
    return k->win != NULL ? k->win + (size_t)(y - k->win_first) * k->in->stride
                          : k->in->data + (size_t)y * k->in->stride;
}

/* Nonzero when kernel_span makes rows in any spans, not whole rows only. */
static int kernel_spans(const kernel *k)
{
    return k->op == IMGRAD_OP_CENTRAL ? k->in->residual == NULL : k->op != IMGRAD_OP_ROBERTS;
}

/* Columns [x0, x1) of row y of gx and gy (either may be NULL; indexed by
 * column); whole rows unless kernel_spans. */
static void kernel_span(const kernel *k, int y, int x0, int x1, float *scratch, float *gx,
                        float *gy)
{
    if (k->op != IMGRAD_OP_CENTRAL) {
        imgrad__conv_span(&k->conv, k->in, y, x0, x1, scratch, gx, gy);
        return;
    }
    if (k->in->residual != NULL) { /* scratch holds 3 rows of doubles */
        double *rows = (double *)(void *)scratch;
        if (gx != NULL) {
            widen_row(k->in, y, rows);
            derive_row64(&k->px, rows, gx);
        }
        if (gy != NULL)
            derive_col64(&k->py, k->in, y, rows, gy);
        return;
    }
    if (gx != NULL)
        derive_row(&k->px, in_row(k, y), gx, x0, x1);
    if (gy != NULL)
        derive_at(&k->py, y, in_row(k, y) + x0, k->in->stride, gy + x0, x1 - x0);
}

/* Where row y of product g is computed: in place, or in the thread's
 * scratch row when g was not asked for or is streamed out afterwards. */
static float *work_row(const imgrad_grid *g, int y, int stream, float *scratch)
{
    return g != NULL && !stream ? g->data + (size_t)y * g->stride : scratch;
}

/* Nonzero when the requested outputs together are too large for any cache. */
static int streamed(const imgrad_products *out, int w, int h)
{
    const size_t grids = (out->gx != NULL) + (out->gy != NULL) + (out->magnitude != NULL)
                         + (out->direction != NULL);
    return (double)w * h * sizeof(float) * grids > (double)IMGRAD__STREAM_MIN_BYTES;
}

/* The index in row dst of the last 64-byte line boundary at or before x. */
static int line_start(const float *dst, int x)
{
    const uintptr_t line = 64;
    return (int)(((uintptr_t)(dst + x) / line * line - (uintptr_t)dst) / sizeof *dst);
}

/* Writes row y of the streamed products from their scratch rows to memory
 * up to pixel end (the whole row when end is w), or rather up to the last
 * line boundary before end in each: a line left half-written would cost a
 * partial write now and another later.  done[k] is how far product k was
 * written. */
static void stream_out(imgrad__isa isa, const imgrad_products *out, int y, int end, int w,
                       float *const rows[4], int done[4])
{
    imgrad_grid *all[4] = { out->gx, out->gy, out->magnitude, out->direction };
    int k;

    for (k = 0; k < 4; k++)
        if (all[k] != NULL) {
            float *dst = all[k]->data + (size_t)y * all[k]->stride;
            const int to = end == w ? w : line_start(dst, end);
            if (to > done[k]) {
                imgrad__stream_floats(isa, dst + done[k], rows[k] + done[k], to - done[k]);
                done[k] = to;
            }
        }
}

/* One output row, CHUNK pixels at a time: gx and gy, then magnitude and
 * direction from them while they are in cache, then (streamed outputs)
 * the chunk is written out, while the matching part of input row y + 2,
 * the one the next output row adds, is asked for.  So the arithmetic of one
 * chunk overlaps the memory traffic of the one before, where whole rows
 * would leave memory idle while the loops run and the cores idle while a
 * row drains or the next one arrives. */
static void pass_row(const kernel *k, const imgrad_products *out, int y, int stream,
                     float *scratch)
{
    const int w = k->in->width, spans = kernel_spans(k);
    const int want_polar = out->magnitude != NULL || out->direction != NULL;
    /* (a banded pass's window is in cache already) */
    const float *next = y + 2 < k->in->height && k->win == NULL ? in_row(k, y + 2) : NULL;
    float *rows[4], *gx, *gy;
    int done[4] = { 0, 0, 0, 0 };
    int x, end, i;

    rows[0] = work_row(out->gx, y, stream, scratch);
    rows[1] = work_row(out->gy, y, stream, scratch + w);
    rows[2] = out->magnitude ? work_row(out->magnitude, y, stream, scratch + 2 * (size_t)w) : NULL;
    rows[3] = out->direction ? work_row(out->direction, y, stream, scratch + 3 * (size_t)w) : NULL;
    gx = out->gx != NULL || want_polar ? rows[0] : NULL;
    gy = out->gy != NULL || want_polar ? rows[1] : NULL;
    if (!spans)
        kernel_span(k, y, 0, w, scratch + 4 * (size_t)w, gx, gy);
    for (x = 0; x < w; x = end) {
        end = w - x > CHUNK ? x + CHUNK : w;
        /* (a function of its own would be dropped: GCC takes a function
         * that only prefetches for one without effects) */
        for (i = x; next != NULL && i < end; i += 64 / sizeof(float))
            __builtin_prefetch(next + i, 0, 2);
        if (spans)
            kernel_span(k, y, x, end, scratch + 4 * (size_t)w, gx, gy);
        if (want_polar)
            imgrad__polar_row(&k->polar, rows[0] + x, rows[1] + x,
                              rows[2] ? rows[2] + x : NULL, rows[3] ? rows[3] + x : NULL,
                              end - x);
        if (stream)
            stream_out(k->polar.isa, out, y, end, w, rows, done);
    }
}

/* The parallel pass: every output row from a few input rows around it. */
static int gradient_pass(const kernel *k, const imgrad_gradient_options *o, const imgrad_products *out)
{
    const int w = k->in->width, h = k->in->height;
    const int stream = streamed(out, w, h);
    /* convolution rows, or three float64 rows (6 floats a pixel) */
    const size_t extra = k->op != IMGRAD_OP_CENTRAL ? imgrad__conv_scratch(w)
                         : k->in->residual != NULL ? 6 * (size_t)w : 0;
    int failed = 0;

#pragma omp parallel num_threads(IMGRAD__THREADS(o->threads)) reduction(|| : failed)
    {
        float *scratch = malloc((4 * (size_t)w + extra) * sizeof(float));
        int y;
        failed = scratch == NULL;
#pragma omp for schedule(static)
        for (y = 0; y < h; y++)
            if (!failed)
                pass_row(k, out, y, stream, scratch);
        if (stream)
            imgrad__stream_fence();
        free(scratch);
    }
    return !failed;
}

/* Plans the kernel for in (already smoothed). */
static imgrad_status plan_kernel(kernel *k, const imgrad_grid *in, const imgrad_gradient_options *o)
{
    imgrad_status st;

    memset(k, 0, sizeof *k);
    k->in = in;
    k->op = o->op;
    imgrad__polar_plan(o, &k->polar);
    if (o->op != IMGRAD_OP_CENTRAL)
        return imgrad__conv_plan(o, &k->conv);
    if ((st = plan_axis(&k->px, in->width, o->dx, o->x_coords, o->edge_order,
                        (o->coords_float32 & 1) != 0)) != IMGRAD_OK)
        return st;
    return plan_axis(&k->py, in->height, o->dy, o->y_coords, o->edge_order,
                     (o->coords_float32 & 2) != 0);
}

/* ---- banded: the input read a band of rows at a time (imgrad__gradient_rows) */

/* The rows of the input a banded pass holds: first .. first + count, the
 * next to be read being first + count. */
typedef struct window {
    float *rows;
    int first, count;
    imgrad__read_rows read;
    void *ctx;
} window;

/* Output rows made per band: the band's input rows (and the 2 on each side
 * that central differences at an edge reach) fill about 256 KiB, so they are
 * still in L2 when the kernel reads them. */
static int band_rows(int w)
{
    const int rows = (int)((256u << 10) / (sizeof(float) * (unsigned)w)) - 4;
    return rows < 8 ? 8 : rows;
}

/* Moves the window onto input rows [max(0, y0 - 2), min(h, y1 + 2)), all
 * that output rows [y0, y1) read: drops the rows above it, keeps those it
 * still needs and reads the new ones after them. */
static imgrad_status slide_window(window *win, kernel *k, int y0, int y1)
{
    const size_t stride = k->in->stride;
    const int lo = y0 > 2 ? y0 - 2 : 0, hi = y1 + 2 < k->in->height ? y1 + 2 : k->in->height;
    const int drop = lo - win->first;
    imgrad_status st;

    if (drop > 0) {
        memmove(win->rows, win->rows + (size_t)drop * stride,
                (size_t)(win->count - drop) * stride * sizeof(float));
        win->first = lo;
        win->count -= drop;
    }
    if (hi > win->first + win->count) {
        st = win->read(win->ctx, win->rows + (size_t)win->count * stride, stride,
                       hi - win->first - win->count);
        if (st != IMGRAD_OK)
            return st;
        win->count = hi - win->first;
    }
    k->win = k->conv.win = win->rows;
    k->win_first = k->conv.win_first = win->first;
    return IMGRAD_OK;
}

/* The pass, band by band: the band's rows are read, then its output rows
 * made.  One thread: the reader (a JPEG's decoder) is sequential and takes
 * most of the time, and other threads would only wait for it (spinning, in
 * libgomp's barriers: measured, it doubled the CPU time of a batch). */
static imgrad_status banded_pass(kernel *k, window *win, const imgrad_products *out)
{
    const int w = k->in->width, h = k->in->height, band = band_rows(w);
    const int stream = streamed(out, w, h);
    const size_t extra = k->op != IMGRAD_OP_CENTRAL ? imgrad__conv_scratch(w) : 0;
    float *scratch = malloc((4 * (size_t)w + extra) * sizeof(float));
    imgrad_status st = scratch == NULL ? IMGRAD_ENOMEM : IMGRAD_OK;
    int y0, y;

    for (y0 = 0; y0 < h && st == IMGRAD_OK; y0 += band) {
        const int y1 = h - y0 > band ? y0 + band : h;
        if ((st = slide_window(win, k, y0, y1)) != IMGRAD_OK)
            break;
        for (y = y0; y < y1; y++)
            pass_row(k, out, y, stream, scratch);
    }
    if (stream)
        imgrad__stream_fence();
    free(scratch);
    return st;
}

/* Whether imgrad__gradient_rows can make out by o a band at a time. */
static int bandable(const imgrad_gradient_options *o, const imgrad_products *out)
{
    return o->sigma == 0 && out->edges == NULL && !out->in_place && o->op != IMGRAD_OP_ROBERTS
           && (o->op == IMGRAD_OP_CENTRAL || o->border != IMGRAD_BORDER_WRAP);
}

imgrad_status imgrad__gradient_rows(int w, int h, imgrad__read_rows read, void *ctx,
                                    const imgrad_gradient_options *o,
                                    const imgrad_products *out)
{
    /* the input's shape only: its rows are the window's */
    const imgrad_grid shape = { .width = w, .height = h, .stride = ((size_t)w + 15) / 16 * 16 };
    window win = { NULL, 0, 0, read, ctx };
    kernel k;
    imgrad_status st;

    if ((st = check_settings(o, out)) != IMGRAD_OK)
        return st;
    if (w <= 0 || h <= 0 || read == NULL)
        return IMGRAD_EINVAL;
    if (!bandable(o, out))
        return IMGRAD_EUNSUPPORTED;
    empty_products(out);
    if ((st = plan_kernel(&k, &shape, o)) == IMGRAD_OK
        && (st = alloc_products(out, out, w, h)) == IMGRAD_OK) {
        win.rows = malloc(((size_t)band_rows(w) + 4) * shape.stride * sizeof(float));
        st = win.rows == NULL ? IMGRAD_ENOMEM : banded_pass(&k, &win, out);
        if (st != IMGRAD_OK) {
            release(out, out, 0);
            empty_products(out);
        }
        free(win.rows);
    }
    plan_free(&k.px);
    plan_free(&k.py);
    return st;
}

/* The products from the planned kernel, then edges.  Canny needs whole gx, gy
 * and magnitude grids, so work holds them (the caller's or temporary ones). */
static imgrad_status run(const kernel *k, const imgrad_gradient_options *o,
                         const imgrad_products *out, double floor)
{
    imgrad_grid tmp[3];
    imgrad_products work = *out;
    double used[2];
    imgrad_status st;

    memset(tmp, 0, sizeof tmp);
    if (out->edges != NULL) {
        work.gx = out->gx ? out->gx : &tmp[0];
        work.gy = out->gy ? out->gy : &tmp[1];
        work.magnitude = out->magnitude ? out->magnitude : &tmp[2];
    }
    if ((st = alloc_products(&work, out, k->in->width, k->in->height)) != IMGRAD_OK)
        return st;
    if (!gradient_pass(k, o, &work))
        st = IMGRAD_ENOMEM;
    else if (out->edges != NULL)
        st = imgrad__canny(work.gx, work.gy, work.magnitude, o, floor, out->edges, used);
    release(&work, out, st == IMGRAD_OK);
    if (st == IMGRAD_OK && out->edges != NULL && out->thresholds != NULL)
        memcpy(out->thresholds, used, sizeof used);
    return st;
}

/* The edges of a library's own Canny (o->canny_mode), after the other
 * products by o: two gradients of the same input. */
static imgrad_status gradient_and_compat_canny(const imgrad_grid *in,
                                               const imgrad_gradient_options *o,
                                               const imgrad_products *out)
{
    imgrad_products rest = *out;
    double used[2];
    imgrad_status st = IMGRAD_OK;

    rest.edges = NULL;
    rest.thresholds = NULL;
    if (any_product(&rest) && (st = imgrad_gradient(in, o, &rest)) != IMGRAD_OK)
        return st;
    if (!out->in_place)
        st = imgrad__grid_alloc(out->edges, in->width, in->height);
    if (st == IMGRAD_OK)
        st = imgrad__canny_compat(in, o, out->edges, used);
    if (st != IMGRAD_OK) {
        release(out, out, 0);
        empty_products(out);
        return st;
    }
    if (out->thresholds != NULL)
        memcpy(out->thresholds, used, sizeof used);
    return IMGRAD_OK;
}

imgrad_status imgrad_gradient(const imgrad_grid *in, const imgrad_gradient_options *o,
                              const imgrad_products *out)
{
    imgrad_grid smoothed;
    kernel k;
    imgrad_status st;

    if (out != NULL)
        empty_products(out);
    if ((st = check_options(in, o, out)) != IMGRAD_OK
        || (st = check_in_place(out, in->width, in->height)) != IMGRAD_OK)
        return st;
    if (out->edges != NULL && o->canny_mode != IMGRAD_CANNY_OWN)
        return gradient_and_compat_canny(in, o, out);
    memset(&smoothed, 0, sizeof smoothed);
    if (o->sigma > 0
        && (st = imgrad_gaussian(in, o->sigma, o->border, o->border_value, o->threads,
                                  &smoothed)) != IMGRAD_OK)
        return st;
    if ((st = plan_kernel(&k, o->sigma > 0 ? &smoothed : in, o)) == IMGRAD_OK)
        st = run(&k, o, out,
                 out->edges != NULL && o->canny_low < 0 && o->canny_high < 0
                     ? imgrad__canny_floor(in, o) : 0);
    plan_free(&k.px);
    plan_free(&k.py);
    imgrad_grid_free(&smoothed);
    if (st == IMGRAD_OK && out->magnitude != NULL && out->magnitude_scale != NULL)
        *out->magnitude_scale = imgrad_auto_scale(out->magnitude);
    return st;
}
