/* glue.c - the web page's entry points into libimgrad, compiled to
 * WebAssembly with the library (include/imgrad.h) and the program's formula
 * parser and drawing primitives (src/cli/plot/: expr.c, plot.c, plot_field.c).
 *
 * JavaScript holds handles: web_field_new and web_photo_new return a struct
 * that the matching _free releases; arrays cross the boundary as pointers
 * into the wasm heap (web_alloc / web_free).  A handle never fails to exist
 * unless memory runs out (NULL): its status says whether its contents are
 * valid, so the page can show the reason.
 *
 * The numbers are the library's, computed by the same calls with the same
 * options as `imgrad field` (src/cli/field.c) and `imgrad` (src/cli/gradient.c)
 * make, and printed with the same formats; `make check-web` compares them. */
#include "imgrad.h"
#include "plot.h"

#include <emscripten/emscripten.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WEB EMSCRIPTEN_KEEPALIVE

WEB void *web_alloc(size_t bytes) { return malloc(bytes); }
WEB void web_free(void *p) { free(p); }
WEB const char *web_strerror(int st) { return imgrad_strerror((imgrad_status)st); }
WEB const char *web_version(void) { return imgrad_version(); }

/* ============================================================ functions */

typedef struct web_field {
    imgrad_status status;  /* IMGRAD_OK, or why nothing below is valid */
    expr_error err;        /* why: the syntax error or the bad argument */
    int syntax;            /* nonzero: err is a syntax error in the formula */
    expr_tree *e;
    expr_window w;
    imgrad_grid f, gx, gy; /* the grid and the kernel's gradient, gy = df/dy */
    imgrad_grid area;      /* f at every plot pixel centre (heat map, levels) */
    int area_exact;        /* area sampled from the formula, not the grid */
    double lo, hi;         /* colour range: f's finite range, widened if flat */
    double arrow_k;        /* area pixels per area-pixel unit of the arrows
                              last drawn (plot_arrow's u, v), 0 when none */
    char text[256];        /* the last line(s) web_field_at_text formatted */
} web_field;

/* f's finite range over the grid, as `imgrad field` picks its colours:
 * 0..1 when nothing is finite, widened by 0.5 each way when flat. */
static void field_range(web_field *F)
{
    size_t i, n = (size_t)F->f.width * F->f.height;

    F->lo = INFINITY;
    F->hi = -INFINITY;
    for (i = 0; i < n; i++)
        if (isfinite(F->f.data[i])) {
            F->lo = fmin(F->lo, F->f.data[i]);
            F->hi = fmax(F->hi, F->f.data[i]);
        }
    if (F->lo > F->hi) {
        F->lo = 0;
        F->hi = 1;
    } else if (!(F->lo < F->hi)) {
        F->lo -= 0.5;
        F->hi += 0.5;
    }
}

/* Samples f over the grid and takes the kernel's gradient with the grid's
 * spacing, exactly as field.c's compute(): rows run from y1 down to y0, so
 * the spacing along rows is negative and d/d(row) becomes df/dy. */
static imgrad_status field_compute(web_field *F, int grid_w, int grid_h, int edge_order)
{
    imgrad_gradient_options o;
    imgrad_status st;

    imgrad_gradient_options_default(&o);
    o.edge_order = edge_order;
    o.dx = (F->w.x1 - F->w.x0) / (grid_w - 1);
    o.dy = -(F->w.y1 - F->w.y0) / (grid_h - 1);
    if ((st = imgrad_grid_init(&F->f, grid_w, grid_h)) != IMGRAD_OK
        || (st = expr_sample(F->e, &F->w, &F->f, NULL, NULL)) != IMGRAD_OK)
        return st;
    return imgrad_gradient(&F->f, &o, &(imgrad_products){ .gx = &F->gx, .gy = &F->gy });
}

/* Parses text (NUL-terminated, UTF-8) and samples it on a grid_w x grid_h
 * grid over [x0, x1] x [y0, y1].  Returns NULL only when out of memory;
 * otherwise check web_field_status: EINVAL for a syntax error
 * (web_field_syntax_error, _error_column, _error_message) or a bad window,
 * grid or edge order (_error_message). */
WEB web_field *web_field_new(const char *text, double x0, double x1, double y0, double y1,
                             int grid_w, int grid_h, int edge_order)
{
    web_field *F = calloc(1, sizeof *F);

    if (F == NULL)
        return NULL;
    F->w = (expr_window){ .x0 = x0, .x1 = x1, .y0 = y0, .y1 = y1 };
    F->status = expr_parse(text, strlen(text), &F->e, &F->err);
    F->syntax = F->status == IMGRAD_EINVAL;
    if (F->status != IMGRAD_OK)
        return F;
    if (!(x0 < x1 && y0 < y1) || grid_w < 2 || grid_h < 2 || grid_w > 16384 || grid_h > 16384
        || edge_order < 1 || edge_order > 2) {
        F->err.message = "the window needs x0 < x1 and y0 < y1, the grid 2..16384 samples a side";
        F->status = IMGRAD_EINVAL;
        return F;
    }
    if ((F->status = field_compute(F, grid_w, grid_h, edge_order)) == IMGRAD_OK)
        field_range(F);
    return F;
}

WEB void web_field_free(web_field *F)
{
    if (F == NULL)
        return;
    expr_free(F->e);
    imgrad_grid_free(&F->f);
    imgrad_grid_free(&F->gx);
    imgrad_grid_free(&F->gy);
    imgrad_grid_free(&F->area);
    free(F);
}

WEB int web_field_status(const web_field *F) { return F->status; }
WEB int web_field_syntax_error(const web_field *F) { return F->syntax; }
WEB int web_field_error_column(const web_field *F) { return (int)F->err.column; }
WEB const char *web_field_error_message(const web_field *F)
{
    return F->err.message ? F->err.message : imgrad_strerror(F->status);
}
WEB double web_field_lo(const web_field *F) { return F->lo; }
WEB double web_field_hi(const web_field *F) { return F->hi; }
WEB double web_field_arrow_k(const web_field *F) { return F->arrow_k; }

/* The field picture's colour for t in [0, 1] into rgb (3 bytes). */
WEB void web_colormap(double t, unsigned char *rgb) { plot_colormap(t, rgb); }

/* The grid's value of g at (x, y), bilinear between samples; NaN outside
 * (field.c's grid_at). */
static double grid_at(const web_field *F, const imgrad_grid *g, double x, double y)
{
    return plot_grid_sample(g, (x - F->w.x0) / (F->w.x1 - F->w.x0) * (g->width - 1),
                               (F->w.y1 - y) / (F->w.y1 - F->w.y0) * (g->height - 1));
}

/* At (x, y): out[0] = f, out[1..2] = the exact gradient, out[3..4] = the
 * grid estimate (NaN outside the grid). */
WEB void web_field_at(const web_field *F, double x, double y, double *out)
{
    expr_dual d = expr_eval(F->e, x, y);

    out[0] = d.v;
    out[1] = d.dx;
    out[2] = d.dy;
    out[3] = grid_at(F, &F->gx, x, y);
    out[4] = grid_at(F, &F->gy, x, y);
}

/* The three lines `imgrad field --at X,Y` prints, in the same formats.
 * The text lives in F until the next call. */
WEB const char *web_field_at_text(web_field *F, double x, double y)
{
    double v[5];
    int n;

    web_field_at(F, x, y, v);
    n = snprintf(F->text, sizeof F->text, "f(%.10g, %.10g) = %.10g\nexact gradient: (%.10g, %.10g)\n",
                 x, y, v[0], v[1], v[2]);
    if (isnan(v[3]) || isnan(v[4]))
        snprintf(F->text + n, sizeof F->text - n,
                 "grid gradient:  outside the grid or not finite there\n");
    else
        snprintf(F->text + n, sizeof F->text - n, "grid gradient:  (%.7g, %.7g)  error %.3g\n",
                 v[3], v[4], hypot(v[3] - v[1], v[4] - v[2]));
    return F->text;
}

/* Gradient descent p <- p - rate * grad f(p) from (x, y), as field.c's
 * descend(): the exact gradient, or with grid_method the grid's bilinear
 * estimate.  path receives up to steps + 1 points (x, y pairs); returns how
 * many, fewer when the gradient stops being finite or leaves the grid. */
WEB int web_field_descend(const web_field *F, double x, double y, double rate, int steps,
                          int grid_method, double *path)
{
    int k;

    path[0] = x;
    path[1] = y;
    for (k = 0; k < steps; k++) {
        double px = path[2 * k], py = path[2 * k + 1], g[2];
        if (grid_method) {
            g[0] = grid_at(F, &F->gx, px, py);
            g[1] = grid_at(F, &F->gy, px, py);
        } else {
            expr_dual d = expr_eval(F->e, px, py);
            g[0] = d.dx;
            g[1] = d.dy;
        }
        if (!isfinite(g[0]) || !isfinite(g[1]))
            return k + 1;
        path[2 * k + 2] = px - rate * g[0];
        path[2 * k + 3] = py - rate * g[1];
    }
    return steps + 1;
}

/* The path as `imgrad field --trace` prints it (CSV step,x,y,f), in a new
 * string for web_free; NULL when out of memory. */
WEB char *web_field_trace(const web_field *F, const double *path, int points)
{
    size_t size = 16 + (size_t)points * 80, n;
    char *s = malloc(size);
    int k;

    if (s == NULL)
        return NULL;
    n = (size_t)snprintf(s, size, "step,x,y,f\n");
    for (k = 0; k < points; k++)
        n += (size_t)snprintf(s + n, size - n, "%d,%.10g,%.10g,%.10g\n", k, path[2 * k],
                              path[2 * k + 1], expr_eval(F->e, path[2 * k], path[2 * k + 1]).v);
    return s;
}

/* f at every pixel centre of an area_w x area_h plot area, kept in F->area
 * for the heat map and the level lines: with exact, sampled from the
 * formula as the field picture does (plot_field.c's sample_area); without,
 * bilinear between the grid's samples, many times faster (no formula
 * evaluations: the page's first picture while the exact one is made). */
static imgrad_status field_area(web_field *F, int area_w, int area_h, int exact)
{
    expr_window w = F->w;
    double hx = (w.x1 - w.x0) / area_w / 2, hy = (w.y1 - w.y0) / area_h / 2;
    imgrad_status st;
    int i, j;

    if (F->area.data != NULL && F->area.width == area_w && F->area.height == area_h
        && F->area_exact == exact)
        return IMGRAD_OK;
    imgrad_grid_free(&F->area);
    F->area_exact = exact;
    if ((st = imgrad_grid_init(&F->area, area_w, area_h)) != IMGRAD_OK)
        return st;
    if (!exact) {
        for (j = 0; j < area_h; j++)
            for (i = 0; i < area_w; i++)
                F->area.data[(size_t)j * area_w + i] = (float)plot_grid_sample(
                    &F->f, (i + 0.5) / area_w * (F->f.width - 1), (j + 0.5) / area_h * (F->f.height - 1));
        return IMGRAD_OK;
    }
    w.x0 += hx;
    w.x1 -= hx;
    w.y0 += hy;
    w.y1 -= hy;
    return expr_sample(F->e, &w, &F->area, NULL, NULL);
}

static const unsigned char WHITE[3] = { 255, 255, 255 };
static const unsigned char INK[3] = { 20, 20, 20 };

/* Level lines at n values evenly spaced inside (lo, hi), traced on
 * F->area when it was sampled from the formula (sample (i, j) at the pixel
 * centre (i + 0.5, j + 0.5)), else on the grid itself, 5 to 6 times fewer
 * cells (sample (i, j) at (i, j) times the area's pixels per grid step). */
static imgrad_status draw_levels(plot_canvas *c, const web_field *F, double lo, double hi, int n)
{
    const imgrad_grid *g = F->area_exact ? &F->area : &F->f;
    const double sx = F->area_exact ? 1 : (double)c->width / (g->width - 1);
    const double sy = F->area_exact ? 1 : (double)c->height / (g->height - 1);
    const double d = F->area_exact ? 0.5 : 0;
    int k;

    for (k = 0; k < n; k++) {
        plot_segment *s;
        size_t count, i;
        imgrad_status st = plot_contours(g, lo + (hi - lo) * (k + 1) / (n + 1), &s, &count);
        if (st != IMGRAD_OK)
            return st;
        for (i = 0; i < count; i++)
            plot_draw_line(c, s[i].x0 * sx + d, s[i].y0 * sy + d, s[i].x1 * sx + d,
                           s[i].y1 * sy + d, 1.3, WHITE);
        free(s);
    }
    return IMGRAD_OK;
}

/* The arrow lattice of the field picture (plot_field_arrows), the longest
 * arrow 90% of the spacing, drawn white on a dark outline. */
static imgrad_status draw_arrows(plot_canvas *c, web_field *F, int arrows, int anti)
{
    plot_surface s = { .canvas = c, .width = c->width, .height = c->height };
    plot_field_plot p = { .window = F->w, .gx = &F->gx, .gy = &F->gy, .arrows = arrows,
                          .antigradient = anti };
    plot_arrow *a;
    size_t n, i;
    double longest = 0, k;
    imgrad_status st = plot_field_arrows(&p, c->width, c->height, &a, &n);

    if (st != IMGRAD_OK)
        return st;
    for (i = 0; i < n; i++)
        longest = fmax(longest, hypot(a[i].u, a[i].v));
    k = longest > 0 ? 0.9 * c->width / arrows / longest : 0;
    F->arrow_k = k;
    for (i = 0; i < n; i++) {
        double x0 = a[i].x - 0.5 * k * a[i].u, y0 = a[i].y - 0.5 * k * a[i].v;
        double x1 = x0 + k * a[i].u, y1 = y0 + k * a[i].v;
        if (hypot(x1 - x0, y1 - y0) < 1.5)
            continue;
        /* white on an ink outline 0.7 px wide: reads on any colour */
        plot_draw_arrow(&s, x0, y0, x1, y1, 1.0, 7.0, 0.7, WHITE, INK);
    }
    free(a);
    return IMGRAD_OK;
}

/* Copies an RGB canvas into RGBA (opaque) for a canvas ImageData. */
static void rgb_to_rgba(const unsigned char *rgb, size_t n, unsigned char *rgba)
{
    size_t i;
    for (i = 0; i < n; i++) {
        memcpy(rgba + 4 * i, rgb + 3 * i, 3);
        rgba[4 * i + 3] = 255;
    }
}

/* The plot area of the field picture, area_w x area_h pixels, into rgba
 * (4 bytes a pixel): heat map of f over lo..hi (grey where not finite),
 * `levels` level lines, `arrows` gradient arrows across (0: none; anti:
 * -grad f); f at each pixel from the formula when exact is nonzero, else
 * from the grid (see field_area).  Returns an imgrad_status. */
WEB int web_field_draw(web_field *F, int area_w, int area_h, double lo, double hi, int levels,
                       int arrows, int anti, int exact, unsigned char *rgba)
{
    static const unsigned char GREY[3] = { 128, 128, 128 };
    plot_canvas c;
    imgrad_status st;
    size_t i, n = (size_t)area_w * area_h;

    if (F->status != IMGRAD_OK || !(lo < hi) || levels < 0 || arrows < 0)
        return IMGRAD_EINVAL;
    F->arrow_k = 0;
    if ((st = field_area(F, area_w, area_h, exact)) != IMGRAD_OK
        || (st = plot_canvas_init(&c, area_w, area_h, GREY)) != IMGRAD_OK)
        return st;
    for (i = 0; i < n; i++)
        if (isfinite(F->area.data[i]))
            plot_colormap((F->area.data[i] - lo) / (hi - lo), c.rgb + 3 * i);
    st = draw_levels(&c, F, lo, hi, levels);
    if (st == IMGRAD_OK && arrows > 0)
        st = draw_arrows(&c, F, arrows, anti);
    if (st == IMGRAD_OK)
        rgb_to_rgba(c.rgb, n, rgba);
    plot_canvas_free(&c);
    return st;
}

/* The level line f = level on the plot area last drawn, as segments
 * x0, y0, x1, y1 in area pixels (floats, 4 per segment) in a new array for
 * web_free; *count segments (0 and NULL when there are none). */
WEB float *web_field_contour(const web_field *F, double level, int *count)
{
    plot_segment *s;
    size_t n, i;
    float *out = NULL;

    *count = 0;
    if (F->area.data == NULL || plot_contours(&F->area, level, &s, &n) != IMGRAD_OK || n == 0)
        return NULL;
    if ((out = malloc(n * 4 * sizeof *out)) != NULL) {
        for (i = 0; i < n; i++) {
            out[4 * i] = (float)(s[i].x0 + 0.5);
            out[4 * i + 1] = (float)(s[i].y0 + 0.5);
            out[4 * i + 2] = (float)(s[i].x1 + 0.5);
            out[4 * i + 3] = (float)(s[i].y1 + 0.5);
        }
        *count = (int)n;
    }
    free(s);
    return out;
}

/* =============================================================== photos */

enum { P_GRAY, P_GX, P_GY, P_MAGNITUDE, P_DIRECTION, P_EDGES, P_HSV, P_COUNT = P_HSV };

typedef struct web_photo {
    imgrad_status status;
    imgrad_grid g[P_COUNT]; /* grey, then the products of the last gradient */
    double thresholds[2];   /* the Canny thresholds used */
} web_photo;

/* The grey of width x height pixels of channels 8-bit samples (4: RGBA as
 * a canvas holds them), Rec.601, with the residual the loader keeps for 8-bit
 * images (imgrad_load_options_default), so the central operator computes as
 * it does on the same file.  NULL only when out of memory. */
WEB web_photo *web_photo_new(const unsigned char *pixels, int width, int height, int channels)
{
    web_photo *P = calloc(1, sizeof *P);
    imgrad_pixels px = { .data = (void *)pixels, .sample = IMGRAD_SAMPLE_U8, .width = width,
                         .height = height, .channels = channels };

    if (P != NULL)
        P->status = imgrad_gray_from_pixels(&px, IMGRAD_GRAY_REC601, 1, &P->g[P_GRAY]);
    return P;
}

static void photo_clear(web_photo *P)
{
    int k;
    for (k = P_GX; k < P_COUNT; k++)
        imgrad_grid_free(&P->g[k]);
}

WEB void web_photo_free(web_photo *P)
{
    if (P == NULL)
        return;
    photo_clear(P);
    imgrad_grid_free(&P->g[P_GRAY]);
    free(P);
}

/* gx, gy, magnitude, direction and Canny edges of the grey, with the main
 * job's defaults except op (imgrad_operator), sigma, border
 * (imgrad_border) and the thresholds (both < 0: automatic).  Returns an
 * imgrad_status; the products are empty after a failure. */
WEB int web_photo_gradient(web_photo *P, int op, double sigma, int border, double low,
                           double high)
{
    imgrad_gradient_options o;
    imgrad_products out = { .gx = &P->g[P_GX], .gy = &P->g[P_GY],
                            .magnitude = &P->g[P_MAGNITUDE], .direction = &P->g[P_DIRECTION],
                            .edges = &P->g[P_EDGES], .thresholds = P->thresholds };

    photo_clear(P);
    if (P->status != IMGRAD_OK)
        return P->status;
    imgrad_gradient_options_default(&o);
    o.op = (imgrad_operator)op;
    o.sigma = sigma;
    o.border = (imgrad_border)border;
    o.canny_low = low;
    o.canny_high = high;
    return imgrad_gradient(&P->g[P_GRAY], &o, &out);
}

WEB int web_photo_status(const web_photo *P) { return P->status; }
WEB int web_photo_width(const web_photo *P) { return P->g[P_GRAY].width; }
WEB int web_photo_height(const web_photo *P) { return P->g[P_GRAY].height; }
WEB double web_photo_threshold(const web_photo *P, int i) { return P->thresholds[i & 1]; }

/* The float32 data of product k (P_GRAY .. P_EDGES), width floats a row,
 * or NULL when not computed. */
WEB const float *web_photo_data(const web_photo *P, int k)
{
    return k >= 0 && k < P_COUNT ? P->g[k].data : NULL;
}

/* Product k (P_GRAY .. P_HSV) as the CLI's 8-bit image shows it, into rgba
 * (4 bytes a pixel): grey and edges at scale 1, direction's full turn over
 * 0..255 (mid-grey where the magnitude is below a tenth of its scale), gx, gy and magnitude at the 99th percentile of |value|
 * (imgrad_auto_scale), hsv by imgrad_to_hsv8 at the magnitude's scale. */
WEB int web_photo_render(const web_photo *P, int k, unsigned char *rgba)
{
    static const imgrad_map map[P_COUNT] = { IMGRAD_MAP_UNSIGNED, IMGRAD_MAP_SIGNED,
        IMGRAD_MAP_SIGNED, IMGRAD_MAP_UNSIGNED, IMGRAD_MAP_ANGLE, IMGRAD_MAP_UNSIGNED };
    const imgrad_grid *g;
    size_t i, n;
    unsigned char *px;
    imgrad_status st;

    if (k < 0 || k > P_HSV || P->g[k == P_HSV ? P_MAGNITUDE : k].data == NULL)
        return IMGRAD_EINVAL;
    g = &P->g[k == P_HSV ? P_MAGNITUDE : k];
    n = (size_t)g->width * g->height;
    if ((px = malloc(3 * n)) == NULL)
        return IMGRAD_ENOMEM;
    if (k == P_HSV)
        st = imgrad_to_hsv8(g, &P->g[P_DIRECTION], 0, imgrad_auto_scale(g), px, 3 * n);
    else
        st = imgrad_to_8bit(g, map[k], k == P_GRAY || k == P_EDGES ? 1.0 : imgrad_auto_scale(g),
                            px, n);
    /* the CLI's default --direction-mask 0.1: mid-grey where the gradient
     * is weaker than a tenth of the magnitude's display scale */
    if (st == IMGRAD_OK && k == P_DIRECTION)
        plot_mask_direction(px, &P->g[P_MAGNITUDE],
                            0.1 * imgrad_auto_scale(&P->g[P_MAGNITUDE]));
    if (st == IMGRAD_OK && k == P_HSV)
        rgb_to_rgba(px, n, rgba);
    else if (st == IMGRAD_OK)
        for (i = 0; i < n; i++) {
            memset(rgba + 4 * i, px[i], 3);
            rgba[4 * i + 3] = 255;
        }
    free(px);
    return st;
}

/* The key to hsv, as `imgrad legend` draws it: at offset (dx, dy) from the
 * centre (y down) the colour of the gradient (dx, dy) / radius at scale 1,
 * black outside the disc; size x size pixels into rgba. */
WEB int web_wheel(int size, unsigned char *rgba)
{
    imgrad_grid mag = { 0 }, dir = { 0 };
    const double c = (size - 1) / 2.0, radius = size / 2.0 - 1;
    size_t n = (size_t)size * size;
    unsigned char *rgb = malloc(3 * n);
    imgrad_status st = rgb ? imgrad_grid_init(&mag, size, size) : IMGRAD_ENOMEM;
    int x, y;

    if (st == IMGRAD_OK && (st = imgrad_grid_init(&dir, size, size)) == IMGRAD_OK) {
        for (y = 0; y < size; y++)
            for (x = 0; x < size; x++) {
                double r = hypot(x - c, y - c) / radius;
                mag.data[(size_t)y * size + x] = r <= 1 ? (float)r : 0.0f;
                dir.data[(size_t)y * size + x] = (float)atan2(y - c, x - c);
            }
        if ((st = imgrad_to_hsv8(&mag, &dir, 0, 1.0, rgb, 3 * n)) == IMGRAD_OK)
            rgb_to_rgba(rgb, n, rgba);
    }
    imgrad_grid_free(&mag);
    imgrad_grid_free(&dir);
    free(rgb);
    return st;
}
