/* plot_photo.c - pictures over a photo: gradient arrows (quiver) and level
 * lines of the smoothed intensity (isolines), both on a dimmed grey copy so
 * that the overlay stands out. */
#include "plot.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const unsigned char ARROW[3] = { 255, 210, 0 };
static const unsigned char INK[3] = { 0, 0, 0 };

/* grey 0..1 shown at 15% to 65% brightness */
static imgrad_status dimmed(const imgrad_grid *gray, plot_canvas *out)
{
    static const unsigned char black[3] = { 0, 0, 0 };
    imgrad_status st = plot_canvas_init(out, gray->width, gray->height, black);
    int x, y;

    if (st != IMGRAD_OK)
        return st;
    for (y = 0; y < gray->height; y++)
        for (x = 0; x < gray->width; x++) {
            double v = gray->data[(size_t)y * gray->stride + x];
            double d = 38 + 128 * (v < 0 ? 0 : v > 1 ? 1 : isnan(v) ? 0 : v);
            memset(out->rgb + 3 * ((size_t)y * out->width + x), (int)d, 3);
        }
    return IMGRAD_OK;
}

static int valid(const imgrad_grid *g)
{
    return g != NULL && g->data != NULL && g->width > 0 && g->height > 0;
}

/* The mean gradient over each step x step block of the photo (cols x rows
 * blocks, the last ones cut short): one arrow per block, steadier than a
 * single pixel's gradient.  (u, v) interleaved in out. */
static void block_means(const imgrad_grid *gx, const imgrad_grid *gy, int step, int cols,
                        int rows, double *out)
{
    int bx, by, x, y;

    for (by = 0; by < rows; by++)
        for (bx = 0; bx < cols; bx++) {
            double su = 0, sv = 0;
            int n = 0;
            for (y = by * step; y < (by + 1) * step && y < gx->height; y++)
                for (x = bx * step; x < (bx + 1) * step && x < gx->width; x++, n++) {
                    su += gx->data[(size_t)y * gx->stride + x];
                    sv += gy->data[(size_t)y * gy->stride + x];
                }
            out[2 * ((size_t)by * cols + bx)] = su / n;
            out[2 * ((size_t)by * cols + bx) + 1] = sv / n;
        }
}

/* The 99th percentile of the block magnitudes: the length of a full arrow. */
static double magnitude_scale(const double *uv, int cols, int rows)
{
    imgrad_grid m;
    double s;
    size_t i;

    if (imgrad_grid_init(&m, cols, rows) != IMGRAD_OK)
        return 1;
    for (i = 0; i < (size_t)cols * rows; i++)
        m.data[i] = (float)hypot(uv[2 * i], uv[2 * i + 1]);
    s = imgrad_auto_scale(&m);
    imgrad_grid_free(&m);
    return s;
}

static void draw_quiver(plot_canvas *c, const double *uv, int cols, int rows, int step)
{
    double scale = step / magnitude_scale(uv, cols, rows), head = 2 + step / 4.0;
    int bx, by;

    for (by = 0; by < rows; by++)
        for (bx = 0; bx < cols; bx++) {
            double u = uv[2 * ((size_t)by * cols + bx)] * scale;
            double v = uv[2 * ((size_t)by * cols + bx) + 1] * scale;
            double len = hypot(u, v), x = (bx + 0.5) * step, y = (by + 0.5) * step;
            if (!(len >= 1.5) || !isfinite(len))
                continue;
            if (len > 1.2 * step) { /* beyond the 99th percentile: clipped */
                u *= 1.2 * step / len;
                v *= 1.2 * step / len;
            }
            /* centred on the block; y points down in both the image and gy */
            plot_draw_arrow(c, x - u / 2, y - v / 2, x + u / 2, y + v / 2, 2.6, head + 1.5, INK);
            plot_draw_arrow(c, x - u / 2, y - v / 2, x + u / 2, y + v / 2, 1.2, head, ARROW);
        }
}

imgrad_status plot_render_quiver(const imgrad_grid *gray, const imgrad_grid *gx,
                                    const imgrad_grid *gy, int step, plot_canvas *out)
{
    imgrad_status st;
    double *uv;
    int cols, rows;

    if (!valid(gray) || !valid(gx) || !valid(gy) || out == NULL || step < 2
        || gx->width != gray->width || gy->width != gray->width
        || gx->height != gray->height || gy->height != gray->height)
        return IMGRAD_EINVAL;
    cols = (gray->width + step - 1) / step;
    rows = (gray->height + step - 1) / step;
    if ((uv = malloc(2 * (size_t)cols * rows * sizeof *uv)) == NULL)
        return IMGRAD_ENOMEM;
    if ((st = dimmed(gray, out)) == IMGRAD_OK) {
        block_means(gx, gy, step, cols, rows, uv);
        draw_quiver(out, uv, cols, rows, step);
    }
    free(uv);
    return st;
}

/* The grey smoothed for level lines: the library's Gaussian (replicated
 * edges, so no level line follows a false border), or a copy for sigma 0. */
static imgrad_status smooth(const imgrad_grid *in, double sigma, imgrad_grid *out)
{
    imgrad_status st;
    int y;

    if (sigma > 0)
        return imgrad_gaussian(in, sigma, IMGRAD_BORDER_REPLICATE, 0, 0, out);
    if ((st = imgrad_grid_init(out, in->width, in->height)) != IMGRAD_OK)
        return st;
    for (y = 0; y < in->height; y++)
        memcpy(out->data + (size_t)y * out->stride, in->data + (size_t)y * in->stride,
               (size_t)in->width * sizeof *out->data);
    return IMGRAD_OK;
}

static void finite_range(const imgrad_grid *g, double *lo, double *hi)
{
    int x, y;
    *lo = INFINITY;
    *hi = -INFINITY;
    for (y = 0; y < g->height; y++)
        for (x = 0; x < g->width; x++) {
            double v = g->data[(size_t)y * g->stride + x];
            if (isfinite(v)) {
                *lo = fmin(*lo, v);
                *hi = fmax(*hi, v);
            }
        }
}

static imgrad_status draw_isolines(plot_canvas *c, const imgrad_grid *s, int level_count)
{
    double lo, hi;
    int k;

    finite_range(s, &lo, &hi);
    for (k = 1; k <= level_count && lo < hi; k++) {
        double level = lo + (hi - lo) * k / (level_count + 1);
        unsigned char colour[3];
        plot_segment *seg;
        size_t n, i;
        imgrad_status st = plot_contours(s, level, &seg, &n);
        if (st != IMGRAD_OK)
            return st;
        /* the bright part of the colour map stays visible on a dimmed photo */
        plot_colormap(0.35 + 0.65 * k / level_count, colour);
        for (i = 0; i < n; i++)
            plot_draw_line(c, seg[i].x0 + 0.5, seg[i].y0 + 0.5, seg[i].x1 + 0.5,
                              seg[i].y1 + 0.5, 1.1, colour);
        free(seg);
    }
    return IMGRAD_OK;
}

imgrad_status plot_render_isolines(const imgrad_grid *gray, double sigma, int level_count,
                                      plot_canvas *out)
{
    imgrad_grid s;
    imgrad_status st;

    if (!valid(gray) || out == NULL || !(sigma >= 0 && sigma <= 100) || level_count < 1
        || gray->width < 2 || gray->height < 2)
        return IMGRAD_EINVAL;
    if ((st = smooth(gray, sigma, &s)) != IMGRAD_OK)
        return st;
    if ((st = dimmed(gray, out)) == IMGRAD_OK && (st = draw_isolines(out, &s, level_count)) != IMGRAD_OK)
        plot_canvas_free(out);
    imgrad_grid_free(&s);
    return st;
}
