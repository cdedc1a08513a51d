/* plot.c - drawing primitives on an RGB canvas and level lines by marching
 * squares.  Every shape is antialiased by coverage: a pixel is blended
 * towards the colour by how much of it (roughly) the shape covers, judged
 * from the distance of the pixel centre to the shape's edge. */
#include "plot.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

imgrad_status plot_canvas_init(plot_canvas *c, int width, int height,
                                  const unsigned char colour[3])
{
    size_t n, bytes, i;

    if (c == NULL)
        return IMGRAD_EINVAL;
    memset(c, 0, sizeof *c);
    if (width <= 0 || height <= 0 || colour == NULL)
        return IMGRAD_EINVAL;
    n = (size_t)width * (size_t)height; /* two ints: no size_t overflow */
    if (n > SIZE_MAX / 3)
        return IMGRAD_EOVERFLOW;
    bytes = n * 3;
    if ((c->rgb = malloc(bytes)) == NULL)
        return IMGRAD_ENOMEM;
    for (i = 0; i < n; i++)
        memcpy(c->rgb + 3 * i, colour, 3);
    c->width = width;
    c->height = height;
    return IMGRAD_OK;
}

void plot_canvas_free(plot_canvas *c)
{
    if (c != NULL) {
        free(c->rgb);
        memset(c, 0, sizeof *c);
    }
}

/* Moves pixel (x, y) a fraction alpha of the way towards colour. */
static void blend(plot_canvas *c, int x, int y, double alpha, const unsigned char colour[3])
{
    unsigned char *px;
    int k;

    if (x < 0 || y < 0 || x >= c->width || y >= c->height || !(alpha > 0))
        return;
    if (alpha > 1)
        alpha = 1;
    px = c->rgb + 3 * ((size_t)y * (size_t)c->width + (size_t)x);
    for (k = 0; k < 3; k++)
        px[k] = (unsigned char)lround(px[k] + alpha * (colour[k] - px[k]));
}

/* Pixel rows or columns lo..hi clipped to [0, n). */
static void clip_span(double lo, double hi, int n, int *a, int *b)
{
    *a = lo < 0 ? 0 : lo > n ? n : (int)floor(lo);
    *b = hi < 0 ? -1 : hi >= n ? n - 1 : (int)floor(hi);
}

/* Distance from (px, py) to the segment (x0, y0)-(x1, y1). */
static double segment_distance(double px, double py, double x0, double y0, double x1, double y1)
{
    double dx = x1 - x0, dy = y1 - y0, l2 = dx * dx + dy * dy, t = 0;

    if (l2 > 0) {
        t = ((px - x0) * dx + (py - y0) * dy) / l2;
        t = t < 0 ? 0 : t > 1 ? 1 : t;
    }
    return hypot(px - (x0 + t * dx), py - (y0 + t * dy));
}

void plot_draw_line(plot_canvas *c, double x0, double y0, double x1, double y1,
                       double width, const unsigned char colour[3])
{
    double half = width / 2, pad = half + 1;
    int i0, i1, j0, j1, i, j;

    if (!isfinite(x0) || !isfinite(y0) || !isfinite(x1) || !isfinite(y1))
        return;
    clip_span(fmin(x0, x1) - pad, fmax(x0, x1) + pad, c->width, &i0, &i1);
    clip_span(fmin(y0, y1) - pad, fmax(y0, y1) + pad, c->height, &j0, &j1);
    for (j = j0; j <= j1; j++)
        for (i = i0; i <= i1; i++)
            blend(c, i, j, half + 0.5 - segment_distance(i + 0.5, j + 0.5, x0, y0, x1, y1),
                  colour);
}

/* Signed distance from p to the line a->b, positive on its left. */
static double side(double px, double py, double ax, double ay, double bx, double by)
{
    double dx = bx - ax, dy = by - ay, l = hypot(dx, dy);
    return l > 0 ? ((px - ax) * dy - (py - ay) * dx) / l : 0;
}

void plot_fill_triangle(plot_canvas *c, const double t[6], const unsigned char colour[3])
{
    double sign = side(t[4], t[5], t[0], t[1], t[2], t[3]) > 0 ? 1 : -1;
    int i0, i1, j0, j1, i, j;

    clip_span(fmin(t[0], fmin(t[2], t[4])) - 1, fmax(t[0], fmax(t[2], t[4])) + 1, c->width,
              &i0, &i1);
    clip_span(fmin(t[1], fmin(t[3], t[5])) - 1, fmax(t[1], fmax(t[3], t[5])) + 1, c->height,
              &j0, &j1);
    for (j = j0; j <= j1; j++)
        for (i = i0; i <= i1; i++) {
            double px = i + 0.5, py = j + 0.5;
            double d = fmin(sign * side(px, py, t[0], t[1], t[2], t[3]),
                            fmin(sign * side(px, py, t[2], t[3], t[4], t[5]),
                                 sign * side(px, py, t[4], t[5], t[0], t[1])));
            blend(c, i, j, d + 0.5, colour);
        }
}

void plot_colormap(double t, unsigned char rgb[3])
{
    /* nine stops sampled from matplotlib's viridis, linearly interpolated */
    static const unsigned char stops[9][3] = {
        { 68, 1, 84 },    { 71, 44, 122 },  { 59, 81, 139 },
        { 44, 113, 142 }, { 33, 144, 141 }, { 39, 173, 129 },
        { 92, 200, 99 },  { 170, 220, 50 }, { 253, 231, 37 },
    };
    double s;
    int i, k;

    if (!(t > 0)) /* NaN too */
        t = 0;
    if (t > 1)
        t = 1;
    s = t * 8;
    i = s >= 8 ? 7 : (int)s;
    s -= i;
    for (k = 0; k < 3; k++)
        rgb[k] = (unsigned char)(stops[i][k] + s * (stops[i + 1][k] - stops[i][k]) + 0.5);
}

double plot_grid_sample(const imgrad_grid *g, double col, double row)
{
    int c0, r0, c1, r1;
    double fc, fr;
    const float *a, *b;

    if (!(col >= 0 && row >= 0 && col <= g->width - 1 && row <= g->height - 1))
        return NAN;
    c0 = (int)col;
    r0 = (int)row;
    c1 = c0 + 1 < g->width ? c0 + 1 : c0;
    r1 = r0 + 1 < g->height ? r0 + 1 : r0;
    fc = col - c0;
    fr = row - r0;
    a = g->data + (size_t)r0 * g->stride;
    b = g->data + (size_t)r1 * g->stride;
    return (1 - fr) * ((1 - fc) * a[c0] + fc * a[c1]) + fr * ((1 - fc) * b[c0] + fc * b[c1]);
}

/* ------------------------------------------------------ marching squares */

typedef struct seglist {
    plot_segment *s;
    size_t n, cap;
} seglist;

static int push(seglist *l, const double p[2], const double q[2])
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 256;
        plot_segment *grown = realloc(l->s, cap * sizeof *grown);
        if (grown == NULL)
            return 0;
        l->s = grown;
        l->cap = cap;
    }
    l->s[l->n].x0 = p[0];
    l->s[l->n].y0 = p[1];
    l->s[l->n].x1 = q[0];
    l->s[l->n].y1 = q[1];
    l->n++;
    return 1;
}

/* The segments of one cell.  Corners v[] and positions go around the cell
 *
 *     0 ---- 1        edge k joins corner k and corner (k + 1) % 4:
 *     |      |        0 top, 1 right, 2 bottom, 3 left
 *     3 ---- 2
 */
static int cell(seglist *l, const double v[4], double col, double row, double level)
{
    static const double cx[4] = { 0, 1, 1, 0 }, cy[4] = { 0, 0, 1, 1 };
    double cross[4][2];
    int above[4], hit[4], k, n = 0;

    for (k = 0; k < 4; k++)
        above[k] = v[k] >= level;
    for (k = 0; k < 4; k++) {
        int m = (k + 1) % 4;
        hit[k] = above[k] != above[m];
        if (hit[k]) {
            double t = (level - v[k]) / (v[m] - v[k]);
            cross[k][0] = col + cx[k] + t * (cx[m] - cx[k]);
            cross[k][1] = row + cy[k] + t * (cy[m] - cy[k]);
            n++;
        }
    }
    if (n == 2) {
        int a = -1, b = -1;
        for (k = 0; k < 4; k++)
            if (hit[k]) {
                if (a < 0)
                    a = k;
                else
                    b = k;
            }
        return push(l, cross[a], cross[b]);
    }
    if (n == 4) {
        /* a saddle: cut off the two corners on the other side from the centre */
        int centre = (v[0] + v[1] + v[2] + v[3]) / 4 >= level;
        if (above[1] != centre)
            return push(l, cross[0], cross[1]) && push(l, cross[2], cross[3]);
        return push(l, cross[3], cross[0]) && push(l, cross[1], cross[2]);
    }
    return 1;
}

imgrad_status plot_contours(const imgrad_grid *f, double level, plot_segment **segs,
                               size_t *count)
{
    seglist l = { NULL, 0, 0 };
    int r, c, k;

    if (segs == NULL || count == NULL)
        return IMGRAD_EINVAL;
    *segs = NULL;
    *count = 0;
    if (f == NULL || f->data == NULL || f->width < 2 || f->height < 2 || !isfinite(level))
        return IMGRAD_EINVAL;
    for (r = 0; r + 1 < f->height; r++) {
        const float *a = f->data + (size_t)r * f->stride, *b = a + f->stride;
        for (c = 0; c + 1 < f->width; c++) {
            double v[4] = { a[c], a[c + 1], b[c + 1], b[c] };
            int finite = 1;
            for (k = 0; k < 4; k++)
                finite &= isfinite(v[k]) != 0;
            if (finite && !cell(&l, v, c, r, level)) {
                free(l.s);
                return IMGRAD_ENOMEM;
            }
        }
    }
    *segs = l.s;
    *count = l.n;
    return IMGRAD_OK;
}

/* ------------------------------------------------------------ arrow length */

static int compare_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double plot_arrow_reference(double *magnitudes, size_t n, plot_arrow_length mode,
                            int percentile)
{
    double top = 0;
    size_t i;

    if (n == 0 || mode == PLOT_LENGTH_UNIT)
        return 0;
    if (mode == PLOT_LENGTH_CLIP) {
        /* the nearest-rank percentile: a few huge arrows (a singularity)
         * no longer shrink all the others to dots */
        size_t rank = (size_t)ceil(percentile / 100.0 * n);
        qsort(magnitudes, n, sizeof *magnitudes, compare_double);
        top = magnitudes[rank > 0 ? rank - 1 : 0];
        if (top > 0)
            return top;
    }
    for (i = 0; i < n; i++)
        top = fmax(top, magnitudes[i]);
    return top;
}

double plot_arrow_scaled(double m, double reference, double full, plot_arrow_length mode)
{
    double len;

    if (!(m > 0) || !isfinite(m))
        return 0;
    if (mode == PLOT_LENGTH_UNIT)
        return full;
    if (!(reference > 0))
        return 0;
    len = full * m / reference;
    return len > full ? full : len;
}

int plot_parse_arrow_length(const char *s, plot_arrow_length *out)
{
    static const char *names[] = { "auto", "unit", "clip" };
    int k;

    for (k = 0; k < 3; k++)
        if (strcmp(s, names[k]) == 0) {
            *out = (plot_arrow_length)k;
            return 1;
        }
    return 0;
}
