/* convolve.c - the convolution derivative operators and the border rules.
 *
 * Sobel, Scharr and Prewitt differ only by the weights in their mask table:
 * each 3x3 mask is a derivative [-1 0 1] along one axis times a smoothing
 * column [outer centre outer] along the other, so gx is
 *
 *     -outer  0  +outer          row y-1
 *     -centre 0  +centre         row y
 *     -outer  0  +outer          row y+1
 *
 * and gy its transpose, both divided by 2 (outer + outer + centre), the
 * response to a unit ramp (8, 32, 6), or by 1 for OpenCV's raw values.
 *
 * Roberts is the 2x2 cross: d1 = f(x+1,y+1) - f(x,y) (down-right) and
 * d2 = f(x,y+1) - f(x+1,y) (down-left), turned back to the axes,
 *
 *     (x,y)   (x+1,y)        gx = (d1 - d2) / 2
 *     (x,y+1) (x+1,y+1)      gy = (d1 + d2) / 2
 *
 * which is the gradient at the cell centre (x + 0.5, y + 0.5), stored at
 * pixel (x, y); the divisor is 2 (1 raw).  A unit ramp gives 1 either way.
 *
 * Every output row reads padded copies of its input rows, so rows are
 * independent and the result does not depend on the number of threads. */
#include "kernel.h"

#include <math.h>
#include <string.h>

static const struct {
    imgrad_operator op;
    float outer, centre;
} masks[] = {
    { IMGRAD_OP_SOBEL, 1, 2 },
    { IMGRAD_OP_SCHARR, 3, 10 },
    { IMGRAD_OP_PREWITT, 1, 1 },
};

int imgrad__border_index(int i, int n, imgrad_border b)
{
    if (i >= 0 && i < n)
        return i;
    switch (b) {
    case IMGRAD_BORDER_REPLICATE:
        return i < 0 ? 0 : n - 1;
    case IMGRAD_BORDER_REFLECT:
    case IMGRAD_BORDER_REFLECT101: {
        /* reflect101 mirrors about the edge sample, reflect about the edge
         * itself; long reflections bounce until they land inside */
        const int skip = b == IMGRAD_BORDER_REFLECT101;
        if (n == 1)
            return 0;
        while (i < 0 || i >= n)
            i = i < 0 ? -i - 1 + skip : 2 * n - i - 1 - skip;
        return i;
    }
    case IMGRAD_BORDER_WRAP:
        i %= n;
        return i < 0 ? i + n : i;
    case IMGRAD_BORDER_CONSTANT:
        break;
    }
    return -1;
}

void imgrad__pad_row(const imgrad_grid *in, int y, int pad, imgrad_border b, float value,
                     float *dst)
{
    const int w = in->width;
    const int sy = imgrad__border_index(y, in->height, b);
    const float *row;
    int i;

    if (sy < 0) {
        for (i = 0; i < w + 2 * pad; i++)
            dst[i] = value;
        return;
    }
    row = in->data + (size_t)sy * in->stride;
    memcpy(dst + pad, row, (size_t)w * sizeof *row);
    for (i = 1; i <= pad; i++) {
        int l = imgrad__border_index(-i, w, b), r = imgrad__border_index(w - 1 + i, w, b);
        dst[pad - i] = l < 0 ? value : row[l];
        dst[pad + w - 1 + i] = r < 0 ? value : row[r];
    }
}

imgrad_status imgrad__conv_plan(const imgrad_gradient_options *o, imgrad__conv *p)
{
    size_t i;

    memset(p, 0, sizeof *p);
    p->op = o->op;
    p->border = o->border;
    p->border_value = (float)o->border_value;
    p->isa = imgrad__isa_in_use();
    if (o->op == IMGRAD_OP_ROBERTS) {
        p->divisor = o->raw_scale ? 1.0f : 2.0f;
        return IMGRAD_OK;
    }
    for (i = 0; i < sizeof masks / sizeof masks[0]; i++)
        if (masks[i].op == o->op) {
            p->outer = masks[i].outer;
            p->centre = masks[i].centre;
            p->divisor = o->raw_scale ? 1.0f : 2 * (2 * p->outer + p->centre);
            p->recip = imgrad__exact_recip(p->divisor);
            return IMGRAD_OK;
        }
    return IMGRAD_EINVAL;
}

size_t imgrad__conv_scratch(int w)
{
    return 5 * ((size_t)w + 2); /* three padded rows, smoothed, differenced */
}

/* The row loops below are inlined into each build of mask3_row (isa.c):
 * baseline, AVX2, AVX-512, all giving the same bits. */
#define ROW_LOOP static inline __attribute__((always_inline)) void

/* gx = (sm[i + 1] - sm[i - 1]) / div, the derivative along the row; r is
 * imgrad__exact_recip(div). */
ROW_LOOP row_diff(const float *restrict sm, float div, float r, float *restrict gx, int w)
{
    int i;

    if (r != 0) {
#pragma omp simd
        for (i = 0; i < w; i++)
            gx[i] = (sm[i + 1] - sm[i - 1]) * r;
        return;
    }
#pragma omp simd
    for (i = 0; i < w; i++)
        gx[i] = (sm[i + 1] - sm[i - 1]) / div;
}

/* gy = (a df[i - 1] + c df[i] + a df[i + 1]) / div, the smoothing along it. */
ROW_LOOP row_smooth(const float *restrict df, float a, float c, float div, float r,
                       float *restrict gy, int w)
{
    int i;

    if (r != 0) {
#pragma omp simd
        for (i = 0; i < w; i++)
            gy[i] = (a * df[i - 1] + c * df[i] + a * df[i + 1]) * r;
        return;
    }
#pragma omp simd
    for (i = 0; i < w; i++)
        gy[i] = (a * df[i - 1] + c * df[i] + a * df[i + 1]) / div;
}

/* The smoothing down column i of rows r0, r1, r2 (y-1, y, y+1). */
static inline float col_smooth(const float *r0, const float *r1, const float *r2, int i,
                               float a, float c)
{
    return a * r0[i] + c * r1[i] + a * r2[i];
}

/* The 3x3 masks, separably, for columns [x0, x1) of a row of width w: rows
 * r0, r1, r2 (y-1, y, y+1, already through the border rule) are smoothed
 * down each column into sm and differenced into df, for the columns the
 * span and its two neighbours cover; columns -1 and w are the border rule's
 * columns of those (a smoothed border column is the smoothed column it
 * copies), then gx = d/dx of sm and gy = the smoothing of df along the row.
 * sm, df, gx and gy are indexed by column (sm and df from -1 to w).  The
 * arithmetic is the same as on padded 3x3 neighbourhoods, operation for
 * operation, so a row made in spans equals the row made at once. */
ROW_LOOP mask3_span(const imgrad__conv *p, const float *restrict r0,
                    const float *restrict r1, const float *restrict r2,
                    float *restrict sm, float *restrict df, float *restrict gx,
                    float *restrict gy, int w, int x0, int x1)
{
    const float a = p->outer, c = p->centre, v = p->border_value;
    const int lo = x0 > 0 ? x0 - 1 : 0, hi = x1 < w ? x1 + 1 : w;
    int i;

#pragma omp simd
    for (i = lo; i < hi; i++) {
        sm[i] = a * r0[i] + c * r1[i] + a * r2[i]; /* smoothed down the column */
        df[i] = r2[i] - r0[i];                     /* differenced down it */
    }
    /* a constant border column holds v in all three rows */
    if (x0 == 0) {
        const int left = imgrad__border_index(-1, w, p->border);
        sm[-1] = left < 0 ? a * v + c * v + a * v : col_smooth(r0, r1, r2, left, a, c);
        df[-1] = left < 0 ? v - v : r2[left] - r0[left];
    }
    if (x1 == w) {
        const int right = imgrad__border_index(w, w, p->border);
        sm[w] = right < 0 ? a * v + c * v + a * v : col_smooth(r0, r1, r2, right, a, c);
        df[w] = right < 0 ? v - v : r2[right] - r0[right];
    }
    if (gx != NULL)
        row_diff(sm + x0, p->divisor, p->recip, gx + x0, x1 - x0);
    if (gy != NULL)
        row_smooth(df + x0, a, c, p->divisor, p->recip, gy + x0, x1 - x0);
}

/* The arguments of mask3_span, in one place for its builds. */
#define MASK3_PARAMS                                                                      \
    const imgrad__conv *p, const float *r0, const float *r1, const float *r2, float *sm, \
        float *df, float *gx, float *gy, int w, int x0, int x1
#define MASK3_ARGS p, r0, r1, r2, sm, df, gx, gy, w, x0, x1

static void mask3_baseline(MASK3_PARAMS)
{
    mask3_span(MASK3_ARGS);
}

#ifdef IMGRAD__MULTI_ISA
IMGRAD__TARGET_AVX2
static void mask3_avx2(MASK3_PARAMS)
{
    mask3_span(MASK3_ARGS);
}

IMGRAD__TARGET_AVX512
static void mask3_avx512(MASK3_PARAMS)
{
    mask3_span(MASK3_ARGS);
}
#endif

static void mask3_row(MASK3_PARAMS)
{
#ifdef IMGRAD__MULTI_ISA
    if (p->isa == IMGRAD__ISA_AVX512)
        mask3_avx512(MASK3_ARGS);
    else if (p->isa == IMGRAD__ISA_AVX2)
        mask3_avx2(MASK3_ARGS);
    else
#endif
        mask3_baseline(MASK3_ARGS);
}

/* The Roberts cross on padded rows r0 (row y) and r1 (row y+1). */
static void roberts_row(const imgrad__conv *p, const float *restrict r0,
                        const float *restrict r1, float *restrict gx, float *restrict gy,
                        int w)
{
    const float div = p->divisor;
    int i;

    for (i = 0; i < w; i++) {
        float d1 = r1[i + 1] - r0[i]; /* down-right diagonal */
        float d2 = r1[i] - r0[i + 1]; /* down-left diagonal */
        if (gx != NULL)
            gx[i] = (d1 - d2) / div;
        if (gy != NULL)
            gy[i] = (d1 + d2) / div;
    }
}

/* Row y of in through the border rule, or const_row filled with the border
 * value when the rule supplies a constant. */
static const float *source_row(const imgrad__conv *p, const imgrad_grid *in, int y,
                               float *const_row)
{
    const int sy = imgrad__border_index(y, in->height, p->border);
    int i;

    if (sy >= 0)
        return p->win != NULL ? p->win + (size_t)(sy - p->win_first) * in->stride
                              : in->data + (size_t)sy * in->stride;
    for (i = 0; i < in->width; i++)
        const_row[i] = p->border_value;
    return const_row;
}

void imgrad__conv_span(const imgrad__conv *p, const imgrad_grid *in, int y, int x0, int x1,
                       float *scratch, float *gx, float *gy)
{
    const int w = in->width;
    const size_t n = (size_t)w + 2;
    /* each padded row has one extra sample on both sides: index -1 is at +0 */
    float *r0 = scratch + 1, *r1 = r0 + n, *r2 = r1 + n;

    if (p->op == IMGRAD_OP_ROBERTS) { /* the padded copies: whole rows only */
        imgrad__pad_row(in, y, 1, p->border, p->border_value, r0 - 1);
        imgrad__pad_row(in, y + 1, 1, p->border, p->border_value, r1 - 1);
        roberts_row(p, r0, r1, gx, gy, w);
        return;
    }
    /* the rows themselves, no copies; a row outside under the constant
     * border is a row of the value */
    mask3_row(p, source_row(p, in, y - 1, r0), source_row(p, in, y, r0),
              source_row(p, in, y + 1, r0), r2 + n, r2 + 2 * n, gx, gy, w, x0, x1);
}
