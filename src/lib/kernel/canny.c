/* canny.c - Canny's edge detector after the gradient: a chain of small
 * stages, following OpenCV's cv::Canny so that the two agree pixel for pixel
 * on the same magnitudes.
 *
 *   thresholds   given, or Otsu on the magnitude (high) and high / 2 (low)
 *   suppress     keep a pixel above low that is a maximum across the edge;
 *                mark it strong above high, weak otherwise (parallel rows)
 *   hysteresis   grow edges from strong pixels through 8-connected weak
 *                ones (one stack, sequential: the result is the set of weak
 *                pixels connected to a strong one, whatever the order)
 *   output       1 on edges, 0 elsewhere
 *
 * Suppression looks at one of 4 neighbour pairs by the gradient's sector,
 * with OpenCV's fixed-point sector limits, tan(22.5) = 13573 / 2^15 and
 * tan(67.5) = tan(22.5) + 2: |gy| 2^15 < |gx| 13573 is horizontal,
 * |gy| 2^15 > |gx| (13573 + 2^16) vertical (compared in double, where both
 * products are exact, so integer Sobel values sort as in cv2.Canny):
 *
 *     sector      neighbours            test (OpenCV's, ties included)
 *     horizontal  (x-1,y) (x+1,y)       m > left  and m >= right
 *     vertical    (x,y-1) (x,y+1)       m > up    and m >= down
 *     diagonal    (x-s,y-1) (x+s,y+1)   m > both, s = +1 when gx and gy
 *                                       have the same sign, else -1
 *
 * Outside the image the magnitude counts as 0. */
#include "kernel.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { NONE = 0, WEAK = 1, STRONG = 2 };

#define OTSU_BINS 256

double imgrad__otsu(const imgrad_grid *g)
{
    double hist[OTSU_BINS] = { 0 }, top = 0, total = 0, sum = 0;
    double below = 0, sum_below = 0, best = -1;
    int x, y, b, cut = 0;

    for (y = 0; y < g->height; y++)
        for (x = 0; x < g->width; x++)
            top = fmax(top, g->data[(size_t)y * g->stride + x]); /* NaN skipped */
    if (!(top > 0) || !isfinite(top))
        return 0;
    for (y = 0; y < g->height; y++)
        for (x = 0; x < g->width; x++) {
            double v = g->data[(size_t)y * g->stride + x] / top;
            if (v >= 0 && v <= 1)
                hist[v >= 1 ? OTSU_BINS - 1 : (int)(v * OTSU_BINS)]++;
        }
    for (b = 0; b < OTSU_BINS; b++) {
        total += hist[b];
        sum += b * hist[b];
    }
    /* the cut maximising the between-class variance w0 w1 (mu0 - mu1)^2 */
    for (b = 0; b < OTSU_BINS - 1; b++) {
        double mu0, mu1, between;
        below += hist[b];
        sum_below += b * hist[b];
        if (below == 0 || below == total)
            continue;
        mu0 = sum_below / below;
        mu1 = (sum - sum_below) / (total - below);
        between = below * (total - below) * (mu0 - mu1) * (mu0 - mu1);
        if (between > best) {
            best = between;
            cut = b;
        }
    }
    return top * (cut + 1) / OTSU_BINS; /* the upper edge of the lower class */
}

/* Immerkaer's estimate of the standard deviation of white noise in g (Fast
 * Noise Variance Estimation, 1996): the mean |value| of the difference of
 * two Laplacians, [1 -2 1; -2 4 -2; 1 -2 1], which cancels edges and ramps
 * to first order, times sqrt(pi / 2) / 6.  0 below 3x3. */
static double noise_sigma(const imgrad_grid *g)
{
    static const int k[3][3] = { { 1, -2, 1 }, { -2, 4, -2 }, { 1, -2, 1 } };
    double sum = 0;
    int x, y, i, j;

    if (g->width < 3 || g->height < 3)
        return 0;
    for (y = 1; y < g->height - 1; y++)
        for (x = 1; x < g->width - 1; x++) {
            double v = 0;
            for (i = 0; i < 3; i++)
                for (j = 0; j < 3; j++)
                    v += k[i][j] * (double)g->data[(size_t)(y + i - 1) * g->stride + x + j - 1];
            sum += isfinite(v) ? fabs(v) : 0;
        }
    return sqrt(3.14159265358979323846 / 2) / 6 * sum / ((g->width - 2.0) * (g->height - 2.0));
}

/* The quantisation step of g's values: the least positive difference
 * between neighbours along a row (1/255 for an 8-bit photo scaled to
 * [0, 1], 1 in OpenCV's units, tiny for float data), 0 for a flat grid.
 * *varied is the fraction of neighbours that differ at all. */
static double quant_step(const imgrad_grid *g, double *varied)
{
    double q = INFINITY;
    size_t differ = 0;
    int x, y;

    for (y = 0; y < g->height; y++) {
        const float *row = g->data + (size_t)y * g->stride;
        for (x = 1; x < g->width; x++) {
            const double d = fabs((double)row[x] - (double)row[x - 1]);
            q = d > 0 && d < q ? d : q; /* NaN compares false: skipped */
            differ += d > 0;
        }
    }
    *varied = g->width > 1 ? (double)differ / ((double)(g->width - 1) * g->height) : 0;
    return isfinite(q) ? q : 0;
}

/* The magnitudes o gives a 9 x 9 grid in: a unit impulse at the centre,
 * then a unit step between columns 3 and 4: resp[0] = sqrt(sum of gx^2)
 * over the impulse's response (white noise of deviation s gives gx of
 * deviation s resp[0]), resp[1] = the largest step magnitude.  Coordinates
 * are replaced by their mean steps.  0 when out of memory. */
static int unit_responses(const imgrad_gradient_options *o, double resp[2])
{
    imgrad_gradient_options u = *o;
    imgrad_grid g, gx, mag;
    int x, y, ok;

    if (u.x_coords != NULL)
        u.dx = 1; /* the caller's mean step is not known here; see imgrad.h */
    u.x_coords = u.y_coords = NULL;
    u.canny_mode = IMGRAD_CANNY_OWN;
    u.threads = 1;
    if (imgrad_grid_init(&g, 9, 9) != IMGRAD_OK)
        return 0;
    g.data[4 * 9 + 4] = 1;
    ok = imgrad_gradient(&g, &u, &(imgrad_products){ .gx = &gx }) == IMGRAD_OK;
    resp[0] = 0;
    for (y = 0; ok && y < 9; y++)
        for (x = 0; x < 9; x++)
            resp[0] += (double)gx.data[y * 9 + x] * gx.data[y * 9 + x];
    resp[0] = sqrt(resp[0]);
    if (ok)
        imgrad_grid_free(&gx);
    for (y = 0; y < 9; y++)
        for (x = 0; x < 9; x++)
            g.data[y * 9 + x] = x >= 4 ? 1.0f : 0.0f;
    ok = ok && imgrad_gradient(&g, &u, &(imgrad_products){ .magnitude = &mag }) == IMGRAD_OK;
    resp[1] = 0;
    for (x = 0; ok && x < 9; x++)
        resp[1] = fmax(resp[1], mag.data[4 * 9 + x]);
    if (ok)
        imgrad_grid_free(&mag);
    imgrad_grid_free(&g);
    return ok;
}

double imgrad__canny_floor(const imgrad_grid *in, const imgrad_gradient_options *o)
{
    double resp[2], q, varied;

    if (!unit_responses(o, resp))
        return 0;
    /* white noise: gx and gy of deviation s, magnitude above 4 s sqrt(2)
     * about once in 3000 pixels (Rayleigh); noise a JPEG has smoothed,
     * which that estimate misses: a step of 5 quantisation levels (a blank
     * photo with +-1 level of noise, saved at JPEG quality 95: 1% edges at
     * 4 levels, 0.02% at 5) */
    q = quant_step(in, &varied);
    /* ...but only where most neighbours differ, as in a sampled photo (86%
     * of them in camera.png, 37% in that blank JPEG): in a drawing or a
     * synthetic step (a 0/1 square: 3%) the few steps are the signal,
     * however small. */
    return fmax(4 * sqrt(2.0) * noise_sigma(in) * resp[0], varied >= 0.25 ? 5 * q * resp[1] : 0);
}

/* The thresholds: as given, or derived by the rule in imgrad.h (floor from
 * imgrad__canny_floor). */
static void thresholds(const imgrad_grid *mag, const imgrad_gradient_options *o, double floor,
                       double used[2])
{
    double low = o->canny_low, high = o->canny_high;

    if (low < 0 && high < 0 && o->canny_mode == IMGRAD_CANNY_SKIMAGE) {
        low = 0.1; /* skimage's defaults for a float image */
        high = 0.2;
    }
    if (low < 0 && high < 0)
        high = fmax(imgrad__otsu(mag), floor);
    if (low < 0)
        low = high / 2;
    if (high < 0)
        high = 2 * low;
    if (low > high) { /* OpenCV swaps them too */
        double t = low;
        low = high;
        high = t;
    }
    used[0] = low;
    used[1] = high;
}

/* One row of suppression: up, mid and down are magnitude rows y-1, y, y+1
 * (up or down NULL outside the image). */
static void suppress_row(const float *restrict gx, const float *restrict gy,
                         const float *restrict up, const float *restrict mid,
                         const float *restrict down, float low, float high,
                         unsigned char *restrict map, int w)
{
    int x;

#define M(row, i) ((row) != NULL && (i) >= 0 && (i) < w ? (row)[i] : 0.0f)
    for (x = 0; x < w; x++) {
        const float m = mid[x], ax = fabsf(gx[x]), ay = fabsf(gy[x]);
        int keep;
        map[x] = NONE;
        if (!(m > low))
            continue;
        if ((double)ay * 32768.0 < (double)ax * 13573.0)
            keep = m > M(mid, x - 1) && m >= M(mid, x + 1);
        else if ((double)ay * 32768.0 > (double)ax * (13573.0 + 65536.0))
            keep = m > M(up, x) && m >= M(down, x);
        else {
            const int s = (gx[x] < 0) == (gy[x] < 0) ? 1 : -1;
            keep = m > M(up, x - s) && m > M(down, x + s);
        }
        if (keep)
            map[x] = m > high ? STRONG : WEAK;
    }
#undef M
}

/* scikit-image's interpolated suppression (feature._canny._get_local_maxima)
 * for one row y of h, not on the outer frame: the magnitude m must be > 0
 * and at least the value interpolated between the two neighbours on each
 * side across the edge, weight w = min(|gx|, |gy|) / max(|gx|, |gy|) on
 * the diagonal one.  Of the four sectors a pixel may fall in at a tie,
 * the last in skimage's order decides, as its assignments overwrite. */
static void suppress_interp_row(const float *restrict gx, const float *restrict gy,
                                const float *restrict up, const float *restrict mid,
                                const float *restrict down, float low, float high,
                                unsigned char *restrict map, int w, int frame)
{
    int x;

    for (x = 0; x < w; x++) {
        const double m = mid[x], jx = gx[x], iy = gy[x];
        const double ax = fabs(jx), ay = fabs(iy);
        const int same = (iy >= 0 && jx >= 0) || (iy <= 0 && jx <= 0);
        const int opposite = (iy <= 0 && jx >= 0) || (iy >= 0 && jx <= 0);
        double w8, a1, a2, b1, b2;
        int sector = 0, keep;
        map[x] = NONE;
        if (frame || x == 0 || x == w - 1 || !(m > 0) || !(m >= low))
            continue;
        if (same && ay >= ax) sector = 1;
        if (same && ay <= ax) sector = 2;
        if (opposite && ay <= ax) sector = 3;
        if (opposite && ay >= ax) sector = 4;
        /* (a1, a2) on one side, (b1, b2) on the other: axial, then diagonal */
        switch (sector) {
        case 1: w8 = ax / ay; a1 = down[x]; a2 = down[x + 1]; b1 = up[x]; b2 = up[x - 1]; break;
        case 2: w8 = ay / ax; a1 = mid[x + 1]; a2 = down[x + 1]; b1 = mid[x - 1]; b2 = up[x - 1]; break;
        case 3: w8 = ay / ax; a1 = mid[x + 1]; a2 = up[x + 1]; b1 = mid[x - 1]; b2 = down[x - 1]; break;
        case 4: w8 = ax / ay; a1 = up[x]; a2 = up[x + 1]; b1 = down[x]; b2 = down[x - 1]; break;
        default: continue;
        }
        keep = a2 * w8 + a1 * (1 - w8) <= m && b2 * w8 + b1 * (1 - w8) <= m;
        if (keep)
            map[x] = m >= high ? STRONG : WEAK;
    }
}

static void suppress(const imgrad_grid *gx, const imgrad_grid *gy, const imgrad_grid *mag,
                     const double used[2], int interp, int threads, unsigned char *map)
{
    const int w = mag->width, h = mag->height;
    int y;

#pragma omp parallel for num_threads(IMGRAD__THREADS(threads)) schedule(static)
    for (y = 0; y < h; y++) {
        const float *mid = mag->data + (size_t)y * mag->stride;
        const float *ry = gx->data + (size_t)y * gx->stride, *cy = gy->data + (size_t)y * gy->stride;
        if (interp)
            suppress_interp_row(ry, cy, y > 0 ? mid - mag->stride : NULL, mid,
                                y + 1 < h ? mid + mag->stride : NULL, (float)used[0],
                                (float)used[1], map + (size_t)y * w, w, y == 0 || y == h - 1);
        else
            suppress_row(ry, cy, y > 0 ? mid - mag->stride : NULL, mid,
                         y + 1 < h ? mid + mag->stride : NULL, (float)used[0],
                         (float)used[1], map + (size_t)y * w, w);
    }
}

/* Turns every weak pixel 8-connected to a strong one strong.  0 when out of
 * memory. */
static int hysteresis(unsigned char *map, int w, int h)
{
    size_t n = (size_t)w * (size_t)h, top = 0, cap = 1024, i;
    size_t *stack = malloc(cap * sizeof *stack);

    if (stack == NULL)
        return 0;
    for (i = 0; i < n; i++) {
        if (map[i] != STRONG)
            continue;
        stack[top++] = i;
        while (top > 0) {
            const size_t p = stack[--top];
            const int px = (int)(p % (size_t)w), py = (int)(p / (size_t)w);
            int dx, dy;
            for (dy = -1; dy <= 1; dy++)
                for (dx = -1; dx <= 1; dx++) {
                    const int qx = px + dx, qy = py + dy;
                    size_t q;
                    if (qx < 0 || qx >= w || qy < 0 || qy >= h)
                        continue;
                    q = (size_t)qy * (size_t)w + (size_t)qx;
                    if (map[q] != WEAK)
                        continue;
                    map[q] = STRONG;
                    if (top == cap) {
                        size_t *bigger = realloc(stack, 2 * cap * sizeof *stack);
                        if (bigger == NULL) {
                            free(stack);
                            return 0;
                        }
                        stack = bigger;
                        cap *= 2;
                    }
                    stack[top++] = q;
                }
        }
    }
    free(stack);
    return 1;
}

imgrad_status imgrad__canny(const imgrad_grid *gx, const imgrad_grid *gy,
                            const imgrad_grid *mag, const imgrad_gradient_options *o,
                            double floor, imgrad_grid *edges, double used[2])
{
    const int w = mag->width, h = mag->height;
    unsigned char *map = malloc((size_t)w * (size_t)h);
    int y;

    if (map == NULL)
        return IMGRAD_ENOMEM;
    thresholds(mag, o, floor, used);
    suppress(gx, gy, mag, used, o->canny_mode == IMGRAD_CANNY_SKIMAGE, o->threads, map);
    if (!hysteresis(map, w, h)) {
        free(map);
        return IMGRAD_ENOMEM;
    }
#pragma omp parallel for num_threads(IMGRAD__THREADS(o->threads)) schedule(static)
    for (y = 0; y < h; y++) {
        float *restrict out = edges->data + (size_t)y * edges->stride;
        const unsigned char *restrict m = map + (size_t)y * w;
        int x;
        for (x = 0; x < w; x++)
            out[x] = m[x] == STRONG ? 1.0f : 0.0f;
    }
    free(map);
    return IMGRAD_OK;
}

imgrad_status imgrad__canny_compat(const imgrad_grid *in, const imgrad_gradient_options *o,
                                   imgrad_grid *edges, double used[2])
{
    const int skimage = o->canny_mode == IMGRAD_CANNY_SKIMAGE;
    imgrad_gradient_options g;
    imgrad_grid smoothed, gx, gy, mag;
    imgrad_status st = IMGRAD_OK;

    memset(&smoothed, 0, sizeof smoothed);
    imgrad_gradient_options_default(&g);
    g.op = IMGRAD_OP_SOBEL;
    g.raw_scale = 1;
    g.threads = o->threads;
    /* cv2.Canny: Sobel with replicated borders; skimage: ndi.sobel, reflect */
    g.border = skimage ? IMGRAD_BORDER_REFLECT : IMGRAD_BORDER_REPLICATE;
    g.norm_l1 = !skimage && !o->canny_l2;
    if (skimage && o->canny_sigma > 0)
        st = imgrad__gaussian_normalised(in, o->canny_sigma, o->threads, &smoothed);
    if (st == IMGRAD_OK)
        st = imgrad_gradient(smoothed.data != NULL ? &smoothed : in, &g,
                             &(imgrad_products){ .gx = &gx, .gy = &gy, .magnitude = &mag });
    imgrad_grid_free(&smoothed);
    if (st != IMGRAD_OK)
        return st;
    st = imgrad__canny(&gx, &gy, &mag, o,
                       o->canny_low < 0 && o->canny_high < 0 && !skimage
                           ? imgrad__canny_floor(in, &g) : 0,
                       edges, used);
    imgrad_grid_free(&gx);
    imgrad_grid_free(&gy);
    imgrad_grid_free(&mag);
    return st;
}
