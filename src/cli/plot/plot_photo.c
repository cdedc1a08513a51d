/* plot_photo.c - pictures over a photo: gradient arrows (quiver) and level
 * lines of the smoothed intensity (isolines), both on a dimmed grey copy so
 * that the overlay stands out. */
#include "plot.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const unsigned char ARROW[3] = { 255, 210, 0 };
static const unsigned char INK[3] = { 0, 0, 0 };
static const unsigned char WHITE[3] = { 255, 255, 255 };

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

/* The text size of keys over a photo w pixels wide. */
static double key_text_size(int w)
{
    return fmax(11.0, 0.016 * w);
}

/* A dark translucent box for a key, so its white text reads on any photo. */
static void key_box(plot_surface *s, double x, double y, double w, double h)
{
    plot_rect(s, x, y, w, h, INK, 0.7);
}

/* The arrow scale key in the bottom right corner: an arrow of full length
 * and the magnitude it stands for, in grey levels (0..1) per pixel. */
static void quiver_key(plot_surface *s, int step, double reference, plot_arrow_length mode,
                       double shaft, double head, double outline)
{
    double ts = key_text_size(s->width), pad = 0.5 * ts, w, h = 2 * ts, x, y;
    char text[64];

    if (mode == PLOT_LENGTH_UNIT)
        snprintf(text, sizeof text, "direction only");
    else
        snprintf(text, sizeof text, "%.3g /px%s", reference,
                 mode == PLOT_LENGTH_CLIP ? " (longer: cut)" : "");
    w = pad + step + pad + plot_text_width(s->font, text, ts) + pad;
    if (w > s->width || h > s->height)
        return; /* no room: a photo smaller than its key */
    x = s->width - w;
    y = s->height - h;
    key_box(s, x, y, w, h);
    plot_draw_arrow(s, x + pad, y + h / 2, x + pad + step, y + h / 2, shaft, head, outline, ARROW,
                    INK);
    plot_text(s, x + 2 * pad + step, y + h / 2 + plot_font_cap_height(s->font, ts) / 2, ts,
              PLOT_START, text, WHITE);
}

static imgrad_status draw_quiver(plot_surface *s, const double *uv, int cols, int rows,
                                 int step, plot_arrow_length mode)
{
    /* sizes grow with the step (itself width / 32 by default), never thinner
     * than 2 pixels: a shaft that reads on a projected 2400 px photo */
    double shaft = fmax(2.0, 0.06 * step), outline = fmax(1.0, 0.4 * shaft);
    double head = fmax(6.0, 0.3 * step), reference, *m;
    size_t n = (size_t)cols * rows, i;
    int bx, by;

    if ((m = malloc(n * sizeof *m)) == NULL)
        return IMGRAD_ENOMEM;
    for (i = 0; i < n; i++)
        m[i] = hypot(uv[2 * i], uv[2 * i + 1]);
    for (i = 0; i < n; i++) /* not finite: no arrow, and no say in the scale */
        if (!isfinite(m[i]))
            m[i] = 0;
    reference = plot_arrow_reference(m, n, mode, PLOT_CLIP_PHOTO);
    free(m);
    for (by = 0; by < rows; by++)
        for (bx = 0; bx < cols; bx++) {
            double u = uv[2 * ((size_t)by * cols + bx)], v = uv[2 * ((size_t)by * cols + bx) + 1];
            double mag = hypot(u, v), len = plot_arrow_scaled(mag, reference, step, mode);
            double x = (bx + 0.5) * step, y = (by + 0.5) * step;
            if (!(len >= head) || !isfinite(mag)) /* shorter: a head alone, a blob */
                continue;
            u *= len / mag;
            v *= len / mag;
            /* centred on the block; y points down in both the image and gy */
            plot_draw_arrow(s, x - u / 2, y - v / 2, x + u / 2, y + v / 2, shaft, head, outline,
                            ARROW, INK);
        }
    quiver_key(s, step, reference, mode, shaft, head, outline);
    return IMGRAD_OK;
}

/* A raster surface over canvas c. */
static plot_surface raster(plot_canvas *c, const plot_font *font)
{
    plot_surface s;
    memset(&s, 0, sizeof s);
    s.canvas = c;
    s.font = font;
    s.width = c->width;
    s.height = c->height;
    return s;
}

imgrad_status plot_render_quiver(const imgrad_grid *gray, const imgrad_grid *gx,
                                 const imgrad_grid *gy, int step, plot_arrow_length mode,
                                 const plot_font *font, plot_canvas *out)
{
    imgrad_status st;
    plot_surface s;
    double *uv;
    int cols, rows;

    if (!valid(gray) || !valid(gx) || !valid(gy) || out == NULL || step < 2 || font == NULL
        || gx->width != gray->width || gy->width != gray->width
        || gx->height != gray->height || gy->height != gray->height)
        return IMGRAD_EINVAL;
    cols = (gray->width + step - 1) / step;
    rows = (gray->height + step - 1) / step;
    if ((uv = malloc(2 * (size_t)cols * rows * sizeof *uv)) == NULL)
        return IMGRAD_ENOMEM;
    if ((st = dimmed(gray, out)) == IMGRAD_OK) {
        block_means(gx, gy, step, cols, rows, uv);
        s = raster(out, font);
        if ((st = draw_quiver(&s, uv, cols, rows, step, mode)) != IMGRAD_OK)
            plot_canvas_free(out);
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

double plot_isoline_sigma(int width, int height)
{
    int longest = width > height ? width : height;
    return fmax(2.0, 2.0 * longest / 800);
}

/* The colour of level k of level_count: the bright part of the colour map,
 * which stays visible on a dimmed photo. */
static void level_colour(int k, int level_count, unsigned char colour[3])
{
    plot_colormap(0.35 + 0.65 * k / level_count, colour);
}

/* The key of the levels in the top right corner: a short line of each
 * level's colour and its grey value (0 black .. 1 white), brightest on top;
 * on a short photo only every other (third...) level is listed. */
static void isoline_key(plot_surface *s, double lo, double hi, int level_count, double width)
{
    double ts = key_text_size(s->width), pad = 0.5 * ts, row = 1.3 * ts, swatch = 1.5 * ts;
    double text_w = plot_text_width(s->font, "grey level", ts), w, h, x;
    int every = 1, rows, k, r;
    char text[32];

    while ((level_count + every - 1) / every * row + 2 * row + 2 * pad > s->height
           && every < level_count)
        every++;
    rows = (level_count + every - 1) / every;
    for (k = 1; k <= level_count; k++) {
        snprintf(text, sizeof text, "%.3g", lo + (hi - lo) * k / (level_count + 1));
        text_w = fmax(text_w, swatch + pad + plot_text_width(s->font, text, ts));
    }
    w = text_w + 2 * pad;
    h = (rows + 1) * row + 2 * pad;
    if (w > s->width || h > s->height)
        return;
    x = s->width - w;
    key_box(s, x, 0, w, h);
    plot_text(s, x + pad, pad + row - 0.3 * ts, ts, PLOT_START, "grey level", WHITE);
    for (r = 0, k = level_count; k >= 1; k -= every, r++) {
        unsigned char colour[3];
        double y = pad + (r + 2) * row - 0.3 * ts, cap = plot_font_cap_height(s->font, ts);
        level_colour(k, level_count, colour);
        plot_line(s, x + pad, y - cap / 2, x + pad + swatch, y - cap / 2, fmax(width, 2), colour);
        snprintf(text, sizeof text, "%.3g", lo + (hi - lo) * k / (level_count + 1));
        plot_text(s, x + 2 * pad + swatch, y, ts, PLOT_START, text, WHITE);
    }
}

static imgrad_status draw_isolines(plot_surface *s, const imgrad_grid *g, int level_count)
{
    double lo, hi, width = fmax(1.1, (s->width > s->height ? s->width : s->height) / 800.0);
    int k;

    finite_range(g, &lo, &hi);
    for (k = 1; k <= level_count && lo < hi; k++) {
        double level = lo + (hi - lo) * k / (level_count + 1);
        unsigned char colour[3];
        plot_segment *seg;
        size_t n;
        imgrad_status st = plot_contours(g, level, &seg, &n);
        if (st != IMGRAD_OK)
            return st;
        level_colour(k, level_count, colour);
        plot_segments(s, seg, n, 0.5, 0.5, width, colour);
        free(seg);
    }
    if (lo < hi)
        isoline_key(s, lo, hi, level_count, width);
    return IMGRAD_OK;
}

imgrad_status plot_render_isolines(const imgrad_grid *gray, double sigma, int level_count,
                                   const plot_font *font, plot_canvas *out)
{
    imgrad_grid g;
    imgrad_status st;
    plot_surface s;

    if (!valid(gray) || out == NULL || font == NULL || !(sigma >= 0 && sigma <= 100)
        || level_count < 1 || gray->width < 2 || gray->height < 2)
        return IMGRAD_EINVAL;
    if ((st = smooth(gray, sigma, &g)) != IMGRAD_OK)
        return st;
    if ((st = dimmed(gray, out)) == IMGRAD_OK) {
        s = raster(out, font);
        if ((st = draw_isolines(&s, &g, level_count)) != IMGRAD_OK)
            plot_canvas_free(out);
    }
    imgrad_grid_free(&g);
    return st;
}

/* ---------------------------------------------------------- the hsv wheel */

/* The wheel's text and the margins around it, for one text size. */
typedef struct wheel_layout {
    double pad, gap, cap, x_label_w;
    int w, h;
} wheel_layout;

static const char WHEEL_X[] = "+x", WHEEL_Y[] = "+y (down)";

static wheel_layout wheel_layout_of(const plot_font *f, int size, double ts,
                                    const char *scale_text)
{
    wheel_layout l;
    double below = plot_text_width(f, WHEEL_Y, ts);

    l.pad = 0.5 * ts;
    l.gap = 0.4 * ts;
    l.cap = plot_font_cap_height(f, ts);
    l.x_label_w = plot_text_width(f, WHEEL_X, ts);
    if (scale_text != NULL)
        below = fmax(below, plot_text_width(f, scale_text, ts));
    l.w = (int)ceil(2 * l.pad + fmax(size + l.gap + l.x_label_w, below));
    l.h = (int)ceil(2 * l.pad + size + l.gap + l.cap + 0.3 * ts
                    + (scale_text != NULL ? 1.3 * ts : 0));
    return l;
}

void plot_wheel_box(const plot_font *f, int size, double ts, const char *scale_text, int *w,
                    int *h)
{
    wheel_layout l = wheel_layout_of(f, size, ts, scale_text);
    *w = l.w;
    *h = l.h;
}

/* The wheel's pixels (size x size RGB): the pixel at offset (dx, dy) from the
 * centre, y down, coloured by imgrad_to_hsv8 as a gradient (dx, dy) / radius
 * at display scale 1, the very function that colours the hsv product.
 * Black outside the disc. */
static imgrad_status wheel_pixels(int size, unsigned char *rgb)
{
    const double c = (size - 1) / 2.0, radius = size / 2.0 - 1;
    imgrad_grid mag, dir;
    imgrad_status st = imgrad_grid_init(&mag, size, size);
    int x, y;

    if (st == IMGRAD_OK && (st = imgrad_grid_init(&dir, size, size)) != IMGRAD_OK)
        imgrad_grid_free(&mag);
    if (st != IMGRAD_OK)
        return st;
    for (y = 0; y < size; y++)
        for (x = 0; x < size; x++) {
            const double dx = x - c, dy = y - c, r = hypot(dx, dy) / radius;
            mag.data[(size_t)y * mag.stride + x] = r <= 1 ? (float)r : 0.0f;
            dir.data[(size_t)y * dir.stride + x] = (float)atan2(dy, dx);
        }
    st = imgrad_to_hsv8(&mag, &dir, 0, 1.0, rgb, 3 * (size_t)size * size);
    imgrad_grid_free(&mag);
    imgrad_grid_free(&dir);
    return st;
}

imgrad_status plot_wheel(plot_surface *s, int x, int y, int size, double ts,
                         const char *scale_text)
{
    wheel_layout l = wheel_layout_of(s->font, size, ts, scale_text);
    unsigned char *rgb = malloc(3 * (size_t)size * size);
    double wx = x + l.pad, wy = y + l.pad, c = size / 2.0, base;
    imgrad_status st;

    if (rgb == NULL)
        return IMGRAD_ENOMEM;
    plot_rect(s, x, y, l.w, l.h, INK, 1);
    if ((st = wheel_pixels(size, rgb)) == IMGRAD_OK)
        st = plot_image(s, (int)lround(wx), (int)lround(wy), rgb, size, size);
    free(rgb);
    if (st != IMGRAD_OK)
        return st;
    wx = lround(wx);
    wy = lround(wy);
    /* thin axes from the centre to the rim: +x right, +y down */
    plot_line(s, wx + c, wy + c, wx + size, wy + c, 1, WHITE);
    plot_line(s, wx + c, wy + c, wx + c, wy + size, 1, WHITE);
    plot_text(s, wx + size + l.gap, wy + c + l.cap / 2, ts, PLOT_START, WHEEL_X, WHITE);
    base = wy + size + l.gap + l.cap;
    plot_text(s, wx + c, base, ts, PLOT_MIDDLE, WHEEL_Y, WHITE);
    if (scale_text != NULL)
        plot_text(s, wx + c, base + 1.3 * ts, ts, PLOT_MIDDLE, scale_text, WHITE);
    return IMGRAD_OK;
}

imgrad_status plot_hsv_legend(unsigned char *rgb, int width, int height, double scale,
                              const plot_font *font)
{
    plot_canvas c;
    plot_surface s;
    int short_side = width < height ? width : height, size, w, h;
    double ts = key_text_size(width);
    char text[48];

    c.width = width;
    c.height = height;
    c.rgb = rgb;
    s = raster(&c, font);
    size = short_side / 5 > 48 ? short_side / 5 : 48;
    snprintf(text, sizeof text, "rim: %.3g /px", scale);
    plot_wheel_box(font, size, ts, text, &w, &h);
    if (w > width || h > height)
        return IMGRAD_OK; /* a picture smaller than the key keeps its pixels */
    return plot_wheel(&s, width - w, height - h, size, ts, text);
}

void plot_mask_direction(unsigned char *px, const imgrad_grid *magnitude, double threshold)
{
    int x, y;

    for (y = 0; y < magnitude->height; y++)
        for (x = 0; x < magnitude->width; x++)
            if (!(magnitude->data[(size_t)y * magnitude->stride + x] >= threshold))
                px[(size_t)y * magnitude->width + x] = 128;
}
