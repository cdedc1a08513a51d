/* stats.c - one image's gradient summarised: magnitude moments and
 * percentiles, edge density and an 8-bin orientation histogram. */
#include "kernel.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Reorders v so that v[k] is the k-th smallest, everything before it <= and
 * everything after it >= (Hoare's selection; average linear time). */
static float select_kth(float *v, size_t n, size_t k)
{
    size_t lo = 0, hi = n - 1;

    while (lo < hi) {
        float pivot = v[lo + (hi - lo) / 2], t;
        size_t i = lo, j = hi;
        while (i <= j) {
            while (v[i] < pivot)
                i++;
            while (v[j] > pivot)
                j--;
            if (i <= j) {
                t = v[i], v[i] = v[j], v[j] = t;
                i++;
                if (j == 0)
                    break;
                j--;
            }
        }
        /* now v[lo..j] <= pivot, v[i..hi] >= pivot, and between them == pivot */
        if (k <= j && j < hi)
            hi = j;
        else if (k >= i)
            lo = i;
        else
            return v[k];
    }
    return v[k];
}

/* numpy.percentile(v, q * 100) with its default linear interpolation:
 * the value at virtual index q (n - 1), between its two neighbours. */
static double percentile(float *v, size_t n, double q)
{
    double index = q * (double)(n - 1), t, a, b = 0;
    size_t k = (size_t)index, i;

    a = select_kth(v, n, k);
    t = index - (double)k;
    if (t == 0 || k + 1 >= n)
        return a;
    for (b = v[k + 1], i = k + 2; i < n; i++)
        if (v[i] < b)
            b = v[i];
    /* numpy's _lerp: from the nearer end, so t = 1 gives b exactly */
    return t >= 0.5 ? b - (b - a) * (1 - t) : a + (b - a) * t;
}

/* The 45-degree bin of atan2(gy, gx) in [0, 360), by exact comparisons:
 * fold the lower half-plane onto the upper (+4), then the second quadrant
 * onto the first (+2), then compare the two legs. */
static int direction_bin(float gx, float gy)
{
    int bin = 0;
    float t;

    if (gy < 0 || (gy == 0 && gx < 0)) { /* [180, 360): turn by 180 */
        gx = -gx, gy = -gy;
        bin = 4;
    }
    if (gx <= 0) { /* [90, 180): turn by -90 */
        t = gx, gx = gy, gy = -t;
        bin += 2;
    }
    return bin + (gy < gx ? 0 : 1);
}

static int same_size(const imgrad_grid *a, const imgrad_grid *b)
{
    return a != NULL && a->data != NULL && b != NULL && b->data != NULL
           && a->width == b->width && a->height == b->height && a->width > 0
           && a->height > 0;
}

imgrad_status imgrad_gradient_stats(const imgrad_grid *magnitude, const imgrad_grid *gx,
                                    const imgrad_grid *gy, double edge_threshold,
                                    imgrad_stats *out)
{
    size_t n, r, c, edges = 0, finite = 0, counts[IMGRAD_STATS_BINS] = { 0 };
    double sum = 0, max = -INFINITY;
    imgrad_stats s;
    float *copy, threshold;
    int b;

    if (!same_size(magnitude, gx) || !same_size(magnitude, gy) || out == NULL
        || !isfinite(edge_threshold) || edge_threshold < 0)
        return IMGRAD_EINVAL;
    /* compared in float32, as numpy compares a float32 array with a scalar:
     * a step of exactly T (0.1f) is then not above T (0.1) */
    threshold = (float)edge_threshold;
    n = (size_t)magnitude->width * (size_t)magnitude->height;
    if ((copy = malloc(n * sizeof *copy)) == NULL)
        return IMGRAD_ENOMEM;
    for (r = 0; r < (size_t)magnitude->height; r++)
        for (c = 0; c < (size_t)magnitude->width; c++) {
            float m = magnitude->data[r * magnitude->stride + c];
            if (!isfinite(m)) /* one NaN would make the mean NaN */
                continue;
            copy[finite++] = m;
            sum += m;
            max = m > max ? m : max;
            if (m > threshold) {
                edges++;
                counts[direction_bin(gx->data[r * gx->stride + c],
                                     gy->data[r * gy->stride + c])]++;
            }
        }
    memset(&s, 0, sizeof s);
    s.width = magnitude->width;
    s.height = magnitude->height;
    s.nonfinite = n - finite;
    for (b = 0; b < IMGRAD_STATS_BINS; b++)
        s.orientation[b] = edges ? (double)counts[b] / (double)edges : 0;
    if (finite > 0) {
        s.mean = sum / (double)finite;
        s.max = max;
        s.edge_density = (double)edges / (double)finite;
        s.median = percentile(copy, finite, 0.5);
        s.p95 = percentile(copy, finite, 0.95);
    }
    free(copy);
    *out = s;
    return IMGRAD_OK;
}
