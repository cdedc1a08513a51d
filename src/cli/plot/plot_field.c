/* plot_field.c - the picture of a function of x and y: heat map with a
 * colour bar, level lines, gradient arrows, a descent path, and axes.
 *
 *     +-------------------------------------------+
 *     | f(x, y) = title                           |
 *     |      +-----------------------+  +--+      |
 *     |  tick|  heat map, level      |  |  | tick |
 *     | label|  lines, arrows, path  |  |  | label|
 *     |      +-----------------------+  +--+      |
 *     |       tick labels along x     colour bar  |
 *     +-------------------------------------------+
 *
 * The heat map samples the formula itself at every plot pixel (a sharper
 * picture than stretching the grid); the arrows show the grid gradient. */
#include "plot.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const unsigned char WHITE[3] = { 255, 255, 255 };
static const unsigned char INK[3] = { 20, 20, 20 };
static const unsigned char GREY[3] = { 128, 128, 128 }; /* non-finite values */
static const unsigned char LEVEL[3] = { 255, 255, 255 };
static const unsigned char PATH[3] = { 230, 30, 40 };

/* Margins and sizes in pixels for a picture of a given width. */
typedef struct layout {
    int scale;            /* font pixel size */
    int left, top;        /* where the plot area starts */
    int area_w, area_h;   /* the plot area */
    int bar_x, bar_w;     /* colour bar */
    int width, height;    /* whole picture */
} layout;

static layout make_layout(const plot_field_plot *p, int width)
{
    layout l;
    double aspect = (p->window.y1 - p->window.y0) / (p->window.x1 - p->window.x0);

    l.scale = width / 450 > 1 ? width / 450 : 1;
    l.left = 12 + 44 * l.scale;
    l.top = 12 + 22 * l.scale;
    l.bar_w = 14 * l.scale;
    l.area_w = width - l.left - 84 * l.scale;
    if (l.area_w < 16)
        l.area_w = 16;
    /* equal scales on x and y, so right angles look right, within reason */
    aspect = aspect < 0.25 ? 0.25 : aspect > 2 ? 2 : aspect;
    l.area_h = (int)lround(l.area_w * aspect);
    l.bar_x = l.left + l.area_w + 14 * l.scale;
    l.width = width;
    l.height = l.top + l.area_h + 14 + 16 * l.scale;
    return l;
}

void plot_field_area(const plot_field_plot *p, int width, int *area_w, int *area_h)
{
    layout l = make_layout(p, width);
    *area_w = l.area_w;
    *area_h = l.area_h;
}

/* Plot-area pixel position of the point (x, y). */
static void to_pixel(const expr_window *w, int area_w, int area_h, double x, double y,
                     double *px, double *py)
{
    *px = (x - w->x0) / (w->x1 - w->x0) * area_w;
    *py = (w->y1 - y) / (w->y1 - w->y0) * area_h;
}

imgrad_status plot_field_arrows(const plot_field_plot *p, int area_w, int area_h,
                                   plot_arrow **out, size_t *count)
{
    double spacing, sx, sy, sign = p->antigradient ? -1 : 1;
    int cols = p->arrows, rows, i, j;
    size_t n = 0;

    *out = NULL;
    *count = 0;
    if (cols <= 0 || area_w <= 0 || area_h <= 0 || p->gx == NULL || p->gy == NULL)
        return IMGRAD_EINVAL;
    spacing = (double)area_w / cols;
    rows = (int)(area_h / spacing) > 0 ? (int)(area_h / spacing) : 1;
    if ((*out = malloc((size_t)cols * (size_t)rows * sizeof **out)) == NULL)
        return IMGRAD_ENOMEM;
    /* pixels per unit: the gradient as a geometric vector on the picture */
    sx = area_w / (p->window.x1 - p->window.x0);
    sy = area_h / (p->window.y1 - p->window.y0);
    for (j = 0; j < rows; j++)
        for (i = 0; i < cols; i++) {
            double px = (i + 0.5) * spacing, py = (j + 0.5) * area_h / rows;
            double x = p->window.x0 + px / sx, y = p->window.y1 - py / sy;
            double col = (x - p->window.x0) / (p->window.x1 - p->window.x0) * (p->gx->width - 1);
            double row = (p->window.y1 - y) / (p->window.y1 - p->window.y0) * (p->gx->height - 1);
            double gx = plot_grid_sample(p->gx, col, row);
            double gy = plot_grid_sample(p->gy, col, row);
            if (!isfinite(gx) || !isfinite(gy))
                continue;
            (*out)[n].x = px;
            (*out)[n].y = py;
            (*out)[n].u = sign * gx * sx;
            (*out)[n].v = -sign * gy * sy; /* y grows upwards, pixel rows downwards */
            n++;
        }
    *count = n;
    return IMGRAD_OK;
}

/* The formula at every plot pixel centre, into f (area_w x area_h). */
static imgrad_status sample_area(const plot_field_plot *p, const layout *l, imgrad_grid *f)
{
    expr_window w = p->window;
    double hx = (w.x1 - w.x0) / l->area_w / 2, hy = (w.y1 - w.y0) / l->area_h / 2;
    imgrad_status st = imgrad_grid_init(f, l->area_w, l->area_h);

    if (st != IMGRAD_OK)
        return st;
    w.x0 += hx;
    w.x1 -= hx;
    w.y0 += hy;
    w.y1 -= hy;
    return expr_sample(p->expr, &w, f, NULL, NULL);
}

static void draw_heatmap(plot_canvas *c, const layout *l, const imgrad_grid *f,
                         double lo, double hi)
{
    int i, j;
    for (j = 0; j < f->height; j++)
        for (i = 0; i < f->width; i++) {
            double v = f->data[(size_t)j * f->stride + i];
            unsigned char *px = c->rgb + 3 * ((size_t)(l->top + j) * c->width + l->left + i);
            if (isfinite(v))
                plot_colormap((v - lo) / (hi - lo), px);
            else
                memcpy(px, GREY, 3);
        }
}

static imgrad_status draw_levels(plot_canvas *c, const layout *l, const plot_field_plot *p,
                                 const imgrad_grid *f)
{
    double width = 0.8 + 0.5 * l->scale;
    int k;

    for (k = 0; k < p->level_count; k++) {
        plot_segment *s;
        size_t n, i;
        imgrad_status st = plot_contours(f, p->levels[k], &s, &n);
        if (st != IMGRAD_OK)
            return st;
        /* raster sample (col, row) sits at the pixel centre (col + .5, row + .5) */
        for (i = 0; i < n; i++)
            plot_draw_line(c, l->left + s[i].x0 + 0.5, l->top + s[i].y0 + 0.5,
                              l->left + s[i].x1 + 0.5, l->top + s[i].y1 + 0.5, width, LEVEL);
        free(s);
    }
    return IMGRAD_OK;
}

/* Arrows scaled so that the longest spans 90% of the lattice spacing. */
static imgrad_status draw_arrows(plot_canvas *c, const layout *l, const plot_field_plot *p)
{
    plot_arrow *a;
    size_t n, i;
    double longest = 0, spacing = (double)l->area_w / p->arrows, k;
    imgrad_status st = plot_field_arrows(p, l->area_w, l->area_h, &a, &n);

    if (st != IMGRAD_OK)
        return st;
    for (i = 0; i < n; i++)
        longest = fmax(longest, hypot(a[i].u, a[i].v));
    k = longest > 0 ? 0.9 * spacing / longest : 0;
    for (i = 0; i < n; i++) {
        double x0 = l->left + a[i].x - 0.5 * k * a[i].u, y0 = l->top + a[i].y - 0.5 * k * a[i].v;
        double x1 = x0 + k * a[i].u, y1 = y0 + k * a[i].v;
        if (hypot(x1 - x0, y1 - y0) < 1.5)
            continue;
        /* a dark outline keeps white arrows readable on the light end of the map */
        plot_draw_arrow(c, x0, y0, x1, y1, 1.0 + 1.4 * l->scale, 5 + 4.5 * l->scale, INK);
        plot_draw_arrow(c, x0, y0, x1, y1, 0.4 + 0.6 * l->scale, 3.5 + 3.5 * l->scale, WHITE);
    }
    free(a);
    return IMGRAD_OK;
}

static void draw_path(plot_canvas *c, const layout *l, const plot_field_plot *p)
{
    double px[2], py[2], r = 1.5 + 1.5 * l->scale;
    int k;

    for (k = 0; k < p->path_points; k++) {
        to_pixel(&p->window, l->area_w, l->area_h, p->path[2 * k], p->path[2 * k + 1], &px[1],
                 &py[1]);
        px[1] += l->left;
        py[1] += l->top;
        if (!(px[1] >= l->left && px[1] <= l->left + l->area_w && py[1] >= l->top
              && py[1] <= l->top + l->area_h))
            break; /* the path left the picture */
        if (k > 0)
            plot_draw_line(c, px[0], py[0], px[1], py[1], 1 + l->scale, PATH);
        plot_draw_line(c, px[1], py[1], px[1], py[1], k == 0 ? 3 * r : 2 * r, PATH);
        px[0] = px[1];
        py[0] = py[1];
    }
}

/* A tick step of 1, 2 or 5 times a power of ten giving about `want` ticks. */
static double nice_step(double range, int want)
{
    double raw = range / want, mag = pow(10, floor(log10(raw))), r = raw / mag;
    return (r < 1.5 ? 1 : r < 3.5 ? 2 : r < 7.5 ? 5 : 10) * mag;
}

/* "%g" of a tick value, without -0 or 1e-17 from rounding. */
static void tick_label(char *buf, size_t size, double v, double step)
{
    v = round(v / step) * step;
    if (fabs(v) < step * 1e-9)
        v = 0;
    snprintf(buf, size, "%.4g", v);
}

/* Ticks along one edge: axis 0 is x (below the area), 1 is y (left of it),
 * 2 is the colour bar (right of it), lo..hi spread over length pixels. */
static void draw_ticks(plot_canvas *c, const layout *l, int axis, double lo, double hi)
{
    double step = nice_step(hi - lo, 6), v;
    int s = l->scale, len = axis == 0 ? l->area_w : l->area_h;
    char buf[32];

    for (v = ceil(lo / step - 1e-9) * step; v <= hi + step * 1e-9; v += step) {
        double t = (v - lo) / (hi - lo) * len;
        int w;
        tick_label(buf, sizeof buf, v, step);
        w = plot_text_width(buf) * s;
        if (axis == 0) {
            double x = l->left + t;
            plot_draw_line(c, x, l->top + l->area_h, x, l->top + l->area_h + 4 * s, s, INK);
            plot_draw_text(c, (int)x - w / 2, l->top + l->area_h + 6 * s, buf, s, INK);
        } else {
            double y = l->top + l->area_h - t;
            int x0 = axis == 1 ? l->left - 4 * s : l->bar_x + l->bar_w;
            plot_draw_line(c, x0, y, x0 + 4 * s, y, s, INK);
            plot_draw_text(c, axis == 1 ? x0 - 2 * s - w : x0 + 6 * s, (int)y - 3 * s, buf, s,
                              INK);
        }
    }
}

static void draw_frame(plot_canvas *c, double x0, double y0, double x1, double y1, int s)
{
    plot_draw_line(c, x0, y0, x1, y0, s, INK);
    plot_draw_line(c, x1, y0, x1, y1, s, INK);
    plot_draw_line(c, x1, y1, x0, y1, s, INK);
    plot_draw_line(c, x0, y1, x0, y0, s, INK);
}

static void draw_colour_bar(plot_canvas *c, const layout *l, const plot_field_plot *p)
{
    int i, j, k;

    for (j = 0; j < l->area_h; j++) {
        unsigned char rgb[3];
        plot_colormap(1 - (j + 0.5) / l->area_h, rgb);
        for (i = 0; i < l->bar_w; i++)
            memcpy(c->rgb + 3 * ((size_t)(l->top + j) * c->width + l->bar_x + i), rgb, 3);
    }
    /* the level values, as on the map */
    for (k = 0; k < p->level_count; k++) {
        double y = l->top + l->area_h * (1 - (p->levels[k] - p->lo) / (p->hi - p->lo));
        if (y >= l->top && y <= l->top + l->area_h)
            plot_draw_line(c, l->bar_x, y, l->bar_x + l->bar_w, y, 1, LEVEL);
    }
    draw_frame(c, l->bar_x, l->top, l->bar_x + l->bar_w, l->top + l->area_h, 1);
    draw_ticks(c, l, 2, p->lo, p->hi);
}

static void draw_axes(plot_canvas *c, const layout *l, const plot_field_plot *p)
{
    char title[PLOT_TEXT_MAX + 1];
    int s = l->scale, chars = (l->width - 16) / (6 * s);

    draw_frame(c, l->left, l->top, l->left + l->area_w, l->top + l->area_h, s);
    draw_ticks(c, l, 0, p->window.x0, p->window.x1);
    draw_ticks(c, l, 1, p->window.y0, p->window.y1);
    plot_draw_text(c, l->left + l->area_w + 7 * s, l->top + l->area_h + 6 * s, "x", s, INK);
    plot_draw_text(c, l->left - 3 * s, l->top - 14 * s, "y", s, INK);
    if (chars > PLOT_TEXT_MAX)
        chars = PLOT_TEXT_MAX;
    snprintf(title, (size_t)chars + 1, "%s", p->title ? p->title : "");
    plot_draw_text(c, 8, 6, title, s, INK);
}

static int plot_valid(const plot_field_plot *p, int width)
{
    return p != NULL && p->expr != NULL && width >= 64 && width <= 16384
           && p->window.x0 < p->window.x1 && p->window.y0 < p->window.y1
           && isfinite(p->lo) && isfinite(p->hi) && p->lo < p->hi
           && (p->level_count == 0 || p->levels != NULL)
           && (p->arrows == 0 || (p->gx != NULL && p->gy != NULL))
           && (p->path_points == 0 || p->path != NULL);
}

imgrad_status plot_render_field(const plot_field_plot *p, int width, plot_canvas *out)
{
    imgrad_grid f = { 0, 0, 0, NULL, NULL };
    imgrad_status st;
    layout l;

    if (out == NULL || !plot_valid(p, width))
        return IMGRAD_EINVAL;
    l = make_layout(p, width);
    if ((st = plot_canvas_init(out, l.width, l.height, WHITE)) != IMGRAD_OK)
        return st;
    st = sample_area(p, &l, &f);
    if (st == IMGRAD_OK) {
        draw_heatmap(out, &l, &f, p->lo, p->hi);
        st = draw_levels(out, &l, p, &f);
    }
    if (st == IMGRAD_OK && p->arrows > 0)
        st = draw_arrows(out, &l, p);
    if (st == IMGRAD_OK) {
        draw_path(out, &l, p);
        draw_colour_bar(out, &l, p);
        draw_axes(out, &l, p);
    }
    imgrad_grid_free(&f);
    if (st != IMGRAD_OK)
        plot_canvas_free(out);
    return st;
}
