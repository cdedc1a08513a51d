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

#define TITLE_LINES 3

/* Sizes and places in pixels for a picture of a given width: every size
 * follows the text size, itself a fixed share of the width, so a picture
 * looks the same at every --size. */
typedef struct layout {
    double text, title_size; /* em sizes of tick labels and of the title */
    double cap;              /* height of a capital at the text size */
    double pad, gap, tick;   /* outer margin, text spacing, tick length */
    double line;             /* frame and tick line width */
    char *title[TITLE_LINES];
    int title_lines;
    int left, top;           /* where the plot area starts */
    int area_w, area_h;      /* the plot area */
    int bar_x, bar_w;        /* colour bar */
    int width, height;       /* whole picture */
    double tick_base;        /* baseline of the x tick labels */
    int want[3];             /* ticks asked for on x, y and the colour bar */
} layout;

double plot_text_size(int width)
{
    return fmax(10.0, 0.025 * width);
}

/* A tick step of 1, 2 or 5 times a power of ten giving about `want` ticks. */
static double nice_step(double range, int want)
{
    double raw = range / want, mag = pow(10, floor(log10(raw))), r = raw / mag;
    return (r < 1.5 ? 1 : r < 3.5 ? 2 : r < 7.5 ? 5 : 10) * mag;
}

/* "%g" of a tick value, without -0 or 1e-17 from rounding; with log, the
 * value is a power of ten's exponent. */
static void tick_label(char *buf, size_t size, double v, double step, int log)
{
    v = round(v / step) * step;
    if (fabs(v) < step * 1e-9)
        v = 0;
    if (log)
        snprintf(buf, size, "1e%.0f", v);
    else
        snprintf(buf, size, "%.4g", v);
}

/* The first tick at or above lo, the step for about want ticks, and how
 * many there are up to hi.  A flat or non-finite range (a constant field's
 * value axis) has the one tick lo: its step would be 0 or NaN, and the count
 * a NaN cast to int. */
static int ticks(double lo, double hi, int want, double *first, double *step)
{
    double n;

    *step = hi > lo && isfinite(hi - lo) ? nice_step(hi - lo, want) : 0;
    if (!(*step > 0) || !isfinite(*step)) {
        *first = lo;
        *step = 1;
        return 1;
    }
    *first = ceil(lo / *step - 1e-9) * *step;
    n = floor((hi - *first) / *step + 1e-9) + 1;
    return n < 1 ? 1 : n > 64 ? 64 : (int)n;
}

/* The widest tick label of lo..hi at the text size. */
static double widest_tick(const plot_font *f, double lo, double hi, int want, double size,
                          int log)
{
    double first, step, w = 0;
    int n = ticks(lo, hi, want, &first, &step), k;
    char buf[32];

    for (k = 0; k < n; k++) {
        tick_label(buf, sizeof buf, first + k * step, step, log);
        w = fmax(w, plot_text_width(f, buf, size));
    }
    return w;
}

/* How many ticks each axis asks for: up to 6, fewer where the labels
 * would come closer than a text size (narrow pictures, flat windows). */
static void tick_counts(const plot_field_plot *p, layout *l)
{
    double first, step;

    for (l->want[0] = 6; l->want[0] > 2; l->want[0]--) {
        double w = widest_tick(p->font, p->window.x0, p->window.x1, l->want[0], l->text, 0);
        ticks(p->window.x0, p->window.x1, l->want[0], &first, &step);
        if (step / (p->window.x1 - p->window.x0) * l->area_w >= w + l->text)
            break;
    }
    for (l->want[1] = 6; l->want[1] > 2; l->want[1]--) {
        ticks(p->window.y0, p->window.y1, l->want[1], &first, &step);
        if (step / (p->window.y1 - p->window.y0) * l->area_h >= 2 * l->text)
            break;
    }
    for (l->want[2] = 6; l->want[2] > 2; l->want[2]--) {
        ticks(p->lo, p->hi, l->want[2], &first, &step);
        if (step / (p->hi - p->lo) * l->area_h >= 2 * l->text)
            break;
    }
}

static void layout_free(layout *l)
{
    int k;
    for (k = 0; k < l->title_lines; k++)
        free(l->title[k]);
    l->title_lines = 0;
}

/* The layout; ENOMEM (title lines). */
static imgrad_status make_layout(const plot_field_plot *p, int width, layout *l)
{
    const plot_font *f = p->font;
    double aspect = (p->window.y1 - p->window.y0) / (p->window.x1 - p->window.x0), top;
    double y_ticks;

    memset(l, 0, sizeof *l);
    l->text = plot_text_size(width);
    l->title_size = 1.2 * l->text;
    l->cap = plot_font_cap_height(f, l->text);
    l->pad = 0.8 * l->text;
    l->gap = 0.4 * l->text;
    l->tick = 0.4 * l->text;
    l->line = fmax(1, 0.08 * l->text);
    l->width = width;
    if (p->title != NULL && p->title[0] != '\0'
        && (l->title_lines = plot_wrap_text(f, p->title, l->title_size, width - 2 * l->pad,
                                            TITLE_LINES, l->title)) == 0)
        return IMGRAD_ENOMEM;
    y_ticks = widest_tick(f, p->window.y0, p->window.y1, 6, l->text, 0);
    top = l->pad + l->title_lines * 1.25 * l->title_size + 0.8 * l->text;
    if (p->bar_label != NULL)
        top += 1.3 * l->text;
    l->top = (int)ceil(top);
    l->left = (int)ceil(l->pad + plot_text_width(f, "y", l->text) + 2 * l->gap + y_ticks
                        + l->tick);
    l->bar_w = (int)lround(l->text);
    l->area_w = (int)(width - l->left - 2 * l->text - l->tick - l->gap
                      - widest_tick(f, p->lo, p->hi, 6, l->text, p->log_colours) - l->pad);
    if (l->area_w < 16)
        l->area_w = 16;
    /* equal scales on x and y, so right angles look right, within reason */
    aspect = aspect < 0.25 ? 0.25 : aspect > 2 ? 2 : aspect;
    l->area_h = (int)lround(l->area_w * aspect);
    l->bar_x = l->left + l->area_w + (int)lround(l->text);
    tick_counts(p, l);
    l->tick_base = l->top + l->area_h + l->tick + l->gap + l->cap;
    /* below the tick labels: a gap, the x label, the margin */
    l->height = (int)ceil(l->tick_base + 0.3 * l->text + l->gap + l->cap + 0.3 * l->text
                          + l->pad);
    return IMGRAD_OK;
}

void plot_field_area(const plot_field_plot *p, int width, int *area_w, int *area_h)
{
    layout l;
    *area_w = *area_h = 0;
    if (make_layout(p, width, &l) == IMGRAD_OK) {
        *area_w = l.area_w;
        *area_h = l.area_h;
    }
    layout_free(&l);
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

/* The function (or the grid of values) at every plot pixel centre, into f
 * (area_w x area_h). */
static imgrad_status sample_area(const plot_field_plot *p, const layout *l, imgrad_grid *f)
{
    expr_window w = p->window;
    double hx = (w.x1 - w.x0) / l->area_w / 2, hy = (w.y1 - w.y0) / l->area_h / 2;
    imgrad_status st = imgrad_grid_init(f, l->area_w, l->area_h);
    int i, j;

    if (st != IMGRAD_OK)
        return st;
    if (p->expr == NULL) {
        const imgrad_grid *v = p->values;
        for (j = 0; j < l->area_h; j++)
            for (i = 0; i < l->area_w; i++)
                f->data[(size_t)j * f->stride + i] = (float)plot_grid_sample(
                    v, (i + 0.5) / l->area_w * (v->width - 1),
                    (j + 0.5) / l->area_h * (v->height - 1));
        return IMGRAD_OK;
    }
    w.x0 += hx;
    w.x1 -= hx;
    w.y0 += hy;
    w.y1 -= hy;
    return expr_sample(p->expr, &w, f, NULL, NULL);
}

/* The heat map as an image; non-finite values grey. */
static imgrad_status draw_heatmap(plot_surface *s, const layout *l, const plot_field_plot *p,
                                  const imgrad_grid *f)
{
    unsigned char *rgb = malloc(3 * (size_t)f->width * f->height);
    imgrad_status st;
    int i, j;

    if (rgb == NULL)
        return IMGRAD_ENOMEM;
    for (j = 0; j < f->height; j++)
        for (i = 0; i < f->width; i++) {
            double v = f->data[(size_t)j * f->stride + i];
            unsigned char *px = rgb + 3 * ((size_t)j * f->width + i);
            if (p->log_colours && isfinite(v))
                v = v > 0 ? log10(v) : -INFINITY;
            if (isfinite(v) || (p->log_colours && v < 0))
                plot_colormap((v - p->lo) / (p->hi - p->lo), px);
            else
                memcpy(px, GREY, 3);
        }
    st = plot_image(s, l->left, l->top, rgb, f->width, f->height);
    free(rgb);
    return st;
}

/* Where a level's value goes: the middle of the segment farthest from the
 * area's edges and from the labels already placed (centres in placed[],
 * 2 * placed_n numbers).  0 when no segment leaves room for the label. */
static int label_place(const plot_segment *seg, size_t n, const layout *l, double half_w,
                       double half_h, const double *placed, int placed_n, double at[2])
{
    double best = 0;
    size_t i;
    int k, found = 0;

    for (i = 0; i < n; i++) {
        double x = (seg[i].x0 + seg[i].x1) / 2 + 0.5, y = (seg[i].y0 + seg[i].y1) / 2 + 0.5;
        double room = fmin(fmin(x - half_w, l->area_w - x - half_w),
                           fmin(y - half_h, l->area_h - y - half_h));
        for (k = 0; k < placed_n; k++)
            room = fmin(room, fmax(fabs(x - placed[2 * k]) - 2 * half_w,
                                   fabs(y - placed[2 * k + 1]) - 2 * half_h));
        if (room > best) {
            best = room;
            at[0] = x;
            at[1] = y;
            found = 1;
        }
    }
    return found;
}

/* A level's value on a light box at (x, y), centres in area pixels. */
static void draw_level_label(plot_surface *s, const layout *l, double x, double y,
                             const char *text, double w)
{
    double bx = l->left + x - w / 2 - l->gap / 2, by = l->top + y - 0.6 * l->text;
    plot_rect(s, bx, by, w + l->gap, 1.2 * l->text, WHITE, 0.75);
    plot_text(s, l->left + x, l->top + y + l->cap / 2, l->text, PLOT_MIDDLE, text, INK);
}

static imgrad_status draw_levels(plot_surface *s, const layout *l, const plot_field_plot *p,
                                 const imgrad_grid *f, int labels)
{
    double width = fmax(1, 0.1 * l->text), *placed = NULL;
    int k, placed_n = 0;

    if (labels && (placed = malloc(2 * (size_t)p->level_count * sizeof *placed)) == NULL)
        return IMGRAD_ENOMEM;
    for (k = 0; k < p->level_count; k++) {
        plot_segment *seg;
        size_t n;
        imgrad_status st = plot_contours(f, p->levels[k], &seg, &n);
        if (st != IMGRAD_OK) {
            free(placed);
            return st;
        }
        if (!labels) {
            /* raster sample (col, row) sits at the pixel centre (col + .5, row + .5) */
            plot_segments(s, seg, n, l->left + 0.5, l->top + 0.5, width, LEVEL);
        } else {
            char text[32];
            double w;
            snprintf(text, sizeof text, "%.3g", p->levels[k]);
            w = plot_text_width(p->font, text, l->text);
            if (label_place(seg, n, l, w / 2 + l->gap, 0.7 * l->text, placed, placed_n,
                            placed + 2 * placed_n)) {
                draw_level_label(s, l, placed[2 * placed_n], placed[2 * placed_n + 1], text, w);
                placed_n++;
            }
        }
        free(seg);
    }
    free(placed);
    return IMGRAD_OK;
}

/* Arrows centred on their lattice points, full length 90% of the spacing. */
static imgrad_status draw_arrows(plot_surface *s, const layout *l, const plot_field_plot *p)
{
    plot_arrow *a;
    size_t n, i;
    double spacing = (double)l->area_w / p->arrows, *m, ref;
    double shaft = fmax(1.2, 0.1 * l->text), outline = fmax(0.7, 0.06 * l->text);
    double head = 0.55 * l->text;
    imgrad_status st = plot_field_arrows(p, l->area_w, l->area_h, &a, &n);

    if (st != IMGRAD_OK)
        return st;
    if ((m = malloc((n ? n : 1) * sizeof *m)) == NULL) {
        free(a);
        return IMGRAD_ENOMEM;
    }
    for (i = 0; i < n; i++)
        m[i] = hypot(a[i].u, a[i].v);
    ref = plot_arrow_reference(m, n, p->arrow_length, PLOT_CLIP_FIELD);
    for (i = 0; i < n; i++) {
        double len = hypot(a[i].u, a[i].v);
        double k = len > 0 ? plot_arrow_scaled(len, ref, 0.9 * spacing, p->arrow_length) / len : 0;
        double x0 = l->left + a[i].x - 0.5 * k * a[i].u, y0 = l->top + a[i].y - 0.5 * k * a[i].v;
        double x1 = x0 + k * a[i].u, y1 = y0 + k * a[i].v;
        if (hypot(x1 - x0, y1 - y0) < 0.6 * head) /* a head alone reads as a dot */
            continue;
        /* a dark outline keeps white arrows readable on the light end of the map */
        plot_draw_arrow(s, x0, y0, x1, y1, shaft, head, outline, WHITE, INK);
    }
    free(m);
    free(a);
    return IMGRAD_OK;
}

static void draw_path(plot_surface *s, const layout *l, const plot_field_plot *p)
{
    double px[2], py[2], r = 1 + 0.15 * l->text;
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
            plot_line(s, px[0], py[0], px[1], py[1], 1 + 0.1 * l->text, PATH);
        plot_disc(s, px[1], py[1], k == 0 ? 1.5 * r : r, PATH);
        px[0] = px[1];
        py[0] = py[1];
    }
}

/* Ticks along one edge: axis 0 is x (below the area), 1 is y (left of it),
 * 2 is the colour bar (right of it), lo..hi spread over its length. */
static void draw_ticks(plot_surface *s, const layout *l, int axis, double lo, double hi,
                       int log)
{
    double first, step;
    int n = ticks(lo, hi, l->want[axis], &first, &step), k;
    int len = axis == 0 ? l->area_w : l->area_h;
    char buf[32];

    for (k = 0; k < n; k++) {
        double v = first + k * step, t = (v - lo) / (hi - lo) * len;
        tick_label(buf, sizeof buf, v, step, log);
        if (axis == 0) {
            double x = l->left + t, y = l->top + l->area_h;
            plot_line(s, x, y, x, y + l->tick, l->line, INK);
            plot_text(s, x, l->tick_base, l->text, PLOT_MIDDLE, buf, INK);
        } else {
            double y = l->top + l->area_h - t;
            double x0 = axis == 1 ? l->left - l->tick : l->bar_x + l->bar_w;
            plot_line(s, x0, y, x0 + l->tick, y, l->line, INK);
            if (axis == 1)
                plot_text(s, x0 - l->gap, y + l->cap / 2, l->text, PLOT_END, buf, INK);
            else
                plot_text(s, x0 + l->tick + l->gap, y + l->cap / 2, l->text, PLOT_START, buf,
                          INK);
        }
    }
}

static void draw_colour_bar(plot_surface *s, const layout *l, const plot_field_plot *p)
{
    int k;

    plot_colour_bar(s, l->bar_x, l->top, l->bar_w, l->area_h);
    /* the level values, as on the map */
    for (k = 0; k < p->level_count; k++) {
        double y = l->top + l->area_h * (1 - (p->levels[k] - p->lo) / (p->hi - p->lo));
        if (y >= l->top && y <= l->top + l->area_h)
            plot_line(s, l->bar_x, y, l->bar_x + l->bar_w, y, 1, LEVEL);
    }
    plot_frame(s, l->bar_x, l->top, l->bar_w, l->area_h, 1, INK);
    draw_ticks(s, l, 2, p->lo, p->hi, p->log_colours);
    if (p->bar_label != NULL) /* over the bar, ending at the picture's margin */
        plot_text(s, l->width - l->pad, l->top - 0.8 * l->text, l->text, PLOT_END,
                  p->bar_label, INK);
}

/* Frame, ticks, axis names apart from the tick labels, and the title. */
static void draw_axes(plot_surface *s, const layout *l, const plot_field_plot *p)
{
    int k;

    plot_frame(s, l->left, l->top, l->area_w, l->area_h, l->line, INK);
    draw_ticks(s, l, 0, p->window.x0, p->window.x1, 0);
    draw_ticks(s, l, 1, p->window.y0, p->window.y1, 0);
    /* x centred under the tick labels, y left of them at mid-height */
    plot_text(s, l->left + l->area_w / 2.0, l->tick_base + 0.3 * l->text + l->gap + l->cap,
              l->text, PLOT_MIDDLE, "x", INK);
    plot_text(s, l->pad, l->top + l->area_h / 2.0 + l->cap / 2, l->text, PLOT_START, "y", INK);
    for (k = 0; k < l->title_lines; k++)
        plot_text(s, l->pad, l->pad + plot_font_cap_height(p->font, l->title_size)
                                 + k * 1.25 * l->title_size,
                  l->title_size, PLOT_START, l->title[k], INK);
}

static int plot_valid(const plot_field_plot *p, int width)
{
    return p != NULL && p->font != NULL && (p->expr != NULL || p->values != NULL)
           && width >= 64 && width <= 16384
           && p->window.x0 < p->window.x1 && p->window.y0 < p->window.y1
           && isfinite(p->lo) && isfinite(p->hi) && p->lo < p->hi
           && (p->level_count == 0 || p->levels != NULL)
           && (p->arrows == 0 || (p->gx != NULL && p->gy != NULL))
           && (p->path_points == 0 || p->path != NULL);
}

/* Everything, in drawing order, onto s. */
static imgrad_status draw_field(plot_surface *s, const layout *l, const plot_field_plot *p)
{
    imgrad_grid f = { 0, 0, 0, NULL, NULL };
    imgrad_status st = sample_area(p, l, &f);

    if (st == IMGRAD_OK && (st = draw_heatmap(s, l, p, &f)) == IMGRAD_OK)
        st = draw_levels(s, l, p, &f, 0);
    if (st == IMGRAD_OK && p->arrows > 0)
        st = draw_arrows(s, l, p);
    if (st == IMGRAD_OK) {
        draw_path(s, l, p);
        draw_colour_bar(s, l, p);
        draw_axes(s, l, p);
        if (p->label_levels)
            st = draw_levels(s, l, p, &f, 1);
    }
    imgrad_grid_free(&f);
    return st;
}

imgrad_status plot_render_field(const plot_field_plot *p, int width, plot_canvas *out)
{
    plot_surface s;
    imgrad_status st;
    layout l;

    if (out == NULL || !plot_valid(p, width))
        return IMGRAD_EINVAL;
    if ((st = make_layout(p, width, &l)) == IMGRAD_OK
        && (st = plot_canvas_init(out, l.width, l.height, WHITE)) == IMGRAD_OK) {
        memset(&s, 0, sizeof s);
        s.canvas = out;
        s.font = p->font;
        s.width = l.width;
        s.height = l.height;
        if ((st = draw_field(&s, &l, p)) != IMGRAD_OK)
            plot_canvas_free(out);
    }
    layout_free(&l);
    return st;
}

imgrad_status plot_write_field_svg(const plot_field_plot *p, int width, FILE *fp)
{
    plot_surface s;
    imgrad_status st;
    layout l;

    if (fp == NULL || !plot_valid(p, width))
        return IMGRAD_EINVAL;
    if ((st = make_layout(p, width, &l)) == IMGRAD_OK) {
        memset(&s, 0, sizeof s);
        s.svg = fp;
        s.font = p->font;
        s.width = l.width;
        s.height = l.height;
        plot_svg_begin(&s);
        st = draw_field(&s, &l, p);
        if (plot_svg_end(&s) != IMGRAD_OK && st == IMGRAD_OK)
            st = IMGRAD_EIO;
    }
    layout_free(&l);
    return st;
}
