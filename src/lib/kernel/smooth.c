/* smooth.c - separable Gaussian smoothing before differentiation.
 *
 * The kernel exp(-k^2 / (2 sigma^2)) for k = -r .. r, normalised to sum 1,
 * is cut at r = floor(4 sigma + 0.5) (scipy.ndimage.gaussian_filter's
 * default truncate = 4), which keeps all but about 6e-5 of the weight.
 * Rows are smoothed first into a temporary grid, then columns; both passes
 * are parallel over rows, and each output value is a fixed sum in a fixed
 * order, so the result does not depend on the number of threads. */
#include "kernel.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int imgrad__gauss_radius(double sigma)
{
    const double r = floor(4.0 * sigma + 0.5);
    /* compared as a double first: a huge sigma must not overflow the cast */
    return r < 1 ? 1 : r > IMGRAD__GAUSS_MAX_RADIUS ? IMGRAD__GAUSS_MAX_RADIUS + 1 : (int)r;
}

/* The 2r + 1 weights, centre at k[r]; malloc'ed, NULL when out of memory. */
static float *gauss_kernel(double sigma, int r)
{
    float *k = malloc((2 * (size_t)r + 1) * sizeof *k);
    double sum = 0;
    int i;

    if (k == NULL)
        return NULL;
    for (i = -r; i <= r; i++)
        sum += exp(-0.5 * (double)i * i / (sigma * sigma));
    for (i = -r; i <= r; i++)
        k[i + r] = (float)(exp(-0.5 * (double)i * i / (sigma * sigma)) / sum);
    return k;
}

/* out[x] = sum_j k[j] src[x + j - r] over a padded row src (pad r). */
static void smooth_row(const float *restrict src, const float *restrict k, int r,
                       float *restrict out, int w)
{
    int x, j;

    for (x = 0; x < w; x++) {
        float s = 0;
        for (j = 0; j <= 2 * r; j++)
            s += k[j] * src[x + j];
        out[x] = s;
    }
}

/* Row y of the column pass: a weighted sum of rows y - r .. y + r of tmp,
 * taken through the border rule. */
static void smooth_column(const imgrad_grid *tmp, int y, const float *restrict k, int r,
                          imgrad_border b, float value, float *restrict out)
{
    const int w = tmp->width;
    int x, j;

    for (x = 0; x < w; x++)
        out[x] = 0;
    for (j = 0; j <= 2 * r; j++) {
        const int sy = imgrad__border_index(y + j - r, tmp->height, b);
        const float *restrict src = sy < 0 ? NULL : tmp->data + (size_t)sy * tmp->stride;
        const float kj = k[j];
        for (x = 0; x < w; x++)
            out[x] += kj * (src != NULL ? src[x] : value);
    }
}

/* Both passes; 0 when a thread's scratch row could not be allocated. */
static int smooth_passes(const imgrad_grid *in, const float *k, int r, imgrad_border b,
                         float value, int threads, imgrad_grid *tmp, imgrad_grid *out)
{
    const int w = in->width, h = in->height;
    int failed = 0;

#pragma omp parallel num_threads(IMGRAD__THREADS(threads)) reduction(|| : failed)
    {
        float *pad = malloc(((size_t)w + 2 * (size_t)r) * sizeof *pad);
        int y;
        failed = pad == NULL;
#pragma omp for schedule(static)
        for (y = 0; y < h; y++) {
            if (failed)
                continue;
            imgrad__pad_row(in, y, r, b, value, pad);
            smooth_row(pad, k, r, tmp->data + (size_t)y * tmp->stride, w);
        }
        free(pad);
    }
    if (failed)
        return 0;
    {
        int y;
#pragma omp parallel for num_threads(IMGRAD__THREADS(threads)) schedule(static)
        for (y = 0; y < h; y++)
            smooth_column(tmp, y, k, r, b, value, out->data + (size_t)y * out->stride);
    }
    return 1;
}

imgrad_status imgrad_gaussian(const imgrad_grid *in, double sigma, imgrad_border b,
                               double value, int threads, imgrad_grid *out)
{
    const int r = imgrad__gauss_radius(sigma);
    imgrad_grid tmp;
    imgrad_status st;
    float *k;

    if (out == NULL)
        return IMGRAD_EINVAL;
    memset(out, 0, sizeof *out);
    if (in == NULL || in->data == NULL || in->width <= 0 || in->height <= 0
        || (unsigned)b > IMGRAD_BORDER_WRAP || !(sigma > 0) || !isfinite(sigma))
        return IMGRAD_EINVAL;
    /* a kernel wider than the image reads every pixel many times over: a
     * clear refusal rather than minutes of work (and the radius bound keeps
     * its size arithmetic in int) */
    if (r > IMGRAD__GAUSS_MAX_RADIUS || r > (in->width > in->height ? in->width : in->height))
        return IMGRAD_ETOOSMALL;
    if ((k = gauss_kernel(sigma, r)) == NULL)
        return IMGRAD_ENOMEM;
    if ((st = imgrad_grid_init(&tmp, in->width, in->height)) == IMGRAD_OK
        && (st = imgrad_grid_init(out, in->width, in->height)) == IMGRAD_OK
        && !smooth_passes(in, k, r, b, (float)value, threads, &tmp, out)) {
        imgrad_grid_free(out);
        st = IMGRAD_ENOMEM;
    }
    imgrad_grid_free(&tmp);
    free(k);
    return st;
}

/* The weight of kernel k (radius r) that lands inside [0, n) around each
 * position, in double: k's sum over the taps a constant 0 border leaves. */
static double *inside_weights(const float *k, int r, int n)
{
    double *s = malloc((size_t)n * sizeof *s);
    int i, j;

    for (i = 0; s != NULL && i < n; i++) {
        s[i] = 0;
        for (j = -r; j <= r; j++)
            if (i + j >= 0 && i + j < n)
                s[i] += k[j + r];
    }
    return s;
}

imgrad_status imgrad__gaussian_normalised(const imgrad_grid *in, double sigma, int threads,
                                          imgrad_grid *out)
{
    const int r = imgrad__gauss_radius(sigma);
    double *sx = NULL, *sy = NULL;
    float *k;
    imgrad_status st;
    int y;

    if ((st = imgrad_gaussian(in, sigma, IMGRAD_BORDER_CONSTANT, 0, threads, out)) != IMGRAD_OK)
        return st;
    k = gauss_kernel(sigma, r);
    if (k != NULL) {
        sx = inside_weights(k, r, in->width);
        sy = inside_weights(k, r, in->height);
    }
    if (sx == NULL || sy == NULL) {
        imgrad_grid_free(out);
        st = IMGRAD_ENOMEM;
    } else {
#pragma omp parallel for num_threads(IMGRAD__THREADS(threads)) schedule(static)
        for (y = 0; y < out->height; y++) {
            float *row = out->data + (size_t)y * out->stride;
            int x;
            for (x = 0; x < out->width; x++) /* skimage adds float64's epsilon */
                row[x] = (float)(row[x] / (sx[x] * sy[y] + 2.220446049250313e-16));
        }
    }
    free(k);
    free(sx);
    free(sy);
    return st;
}
