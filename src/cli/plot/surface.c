/* surface.c - one set of drawing calls for two targets: a raster canvas
 * (written as PNG) and an SVG stream written here by plain fprintf.  The
 * pictures are drawn once through these calls, so the PNG and the SVG hold
 * the same shapes at the same coordinates and the same text at the same
 * size: in the SVG lines, arrows and paths are vector elements, text is
 * <text> in the same font, and raster parts (the heat map, the hsv wheel)
 * are PNG images embedded as data URIs. */
#include "plot.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "#rrggbb" of colour. */
static void hex(char out[8], const unsigned char colour[3])
{
    snprintf(out, 8, "#%02x%02x%02x", colour[0], colour[1], colour[2]);
}

/* text with XML's five special characters escaped. */
static void put_escaped(FILE *fp, const char *text)
{
    for (; *text; text++)
        switch (*text) {
        case '&': fputs("&amp;", fp); break;
        case '<': fputs("&lt;", fp); break;
        case '>': fputs("&gt;", fp); break;
        case '"': fputs("&quot;", fp); break;
        case '\'': fputs("&apos;", fp); break;
        default: fputc(*text, fp);
        }
}

void plot_svg_begin(plot_surface *s)
{
    fprintf(s->svg,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<svg xmlns=\"http://www.w3.org/2000/svg\" "
            "xmlns:xlink=\"http://www.w3.org/1999/xlink\" version=\"1.1\" "
            "width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\">\n"
            "<rect x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" fill=\"#ffffff\"/>\n",
            s->width, s->height, s->width, s->height, s->width, s->height);
}

imgrad_status plot_svg_end(plot_surface *s)
{
    fputs("</svg>\n", s->svg);
    return ferror(s->svg) ? IMGRAD_EIO : IMGRAD_OK;
}

void plot_line(plot_surface *s, double x0, double y0, double x1, double y1, double width,
               const unsigned char colour[3])
{
    char c[8];

    if (s->canvas != NULL) {
        plot_draw_line(s->canvas, x0, y0, x1, y1, width, colour);
        return;
    }
    if (!isfinite(x0) || !isfinite(y0) || !isfinite(x1) || !isfinite(y1))
        return;
    hex(c, colour);
    fprintf(s->svg, "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" stroke=\"%s\" "
            "stroke-width=\"%.2f\" stroke-linecap=\"round\"/>\n", x0, y0, x1, y1, c, width);
}

void plot_segments(plot_surface *s, const plot_segment *seg, size_t n, double dx, double dy,
                   double width, const unsigned char colour[3])
{
    char c[8];
    size_t i;

    if (s->canvas != NULL) {
        for (i = 0; i < n; i++)
            plot_draw_line(s->canvas, seg[i].x0 + dx, seg[i].y0 + dy, seg[i].x1 + dx,
                           seg[i].y1 + dy, width, colour);
        return;
    }
    if (n == 0)
        return;
    hex(c, colour);
    fprintf(s->svg, "<path fill=\"none\" stroke=\"%s\" stroke-width=\"%.2f\" "
            "stroke-linecap=\"round\" d=\"", c, width);
    for (i = 0; i < n; i++)
        fprintf(s->svg, "M%.2f %.2fL%.2f %.2f", seg[i].x0 + dx, seg[i].y0 + dy,
                seg[i].x1 + dx, seg[i].y1 + dy);
    fputs("\"/>\n", s->svg);
}

/* The head triangle (tip and two corners) of an arrow, and where its
 * shaft ends; 0 for an arrow of no length. */
static int arrow_shape(double x0, double y0, double x1, double y1, double head, double t[6],
                       double shaft_end[2])
{
    double dx = x1 - x0, dy = y1 - y0, len = hypot(dx, dy), ux, uy;

    if (!(len > 0) || !isfinite(len))
        return 0;
    if (head > 0.45 * len) /* a short arrow keeps a visible shaft */
        head = 0.45 * len;
    ux = dx / len;
    uy = dy / len;
    shaft_end[0] = x1 - ux * head * 0.8;
    shaft_end[1] = y1 - uy * head * 0.8;
    /* head: tip, and two corners half a head length either side of the axis */
    t[0] = x1;
    t[1] = y1;
    t[2] = x1 - ux * head - uy * head * 0.5;
    t[3] = y1 - uy * head + ux * head * 0.5;
    t[4] = x1 - ux * head + uy * head * 0.5;
    t[5] = y1 - uy * head - ux * head * 0.5;
    return 1;
}

/* One pass of an arrow: shaft and head in one colour. */
static void arrow_pass(plot_surface *s, double x0, double y0, double x1, double y1,
                       double width, double head, const unsigned char colour[3])
{
    double t[6], end[2];
    char c[8];

    if (!arrow_shape(x0, y0, x1, y1, head, t, end))
        return;
    if (s->canvas != NULL) {
        plot_draw_line(s->canvas, x0, y0, end[0], end[1], width, colour);
        plot_fill_triangle(s->canvas, t, colour);
        return;
    }
    hex(c, colour);
    fprintf(s->svg, "<path fill=\"none\" stroke=\"%s\" stroke-width=\"%.2f\" "
            "stroke-linecap=\"round\" d=\"M%.2f %.2fL%.2f %.2f\"/>"
            "<polygon fill=\"%s\" points=\"%.2f,%.2f %.2f,%.2f %.2f,%.2f\"/>\n",
            c, width, x0, y0, end[0], end[1], c, t[0], t[1], t[2], t[3], t[4], t[5]);
}

void plot_draw_arrow(plot_surface *s, double x0, double y0, double x1, double y1, double width,
                double head, double outline, const unsigned char colour[3],
                const unsigned char edge[3])
{
    double len = hypot(x1 - x0, y1 - y0);

    if (!(len > 0) || !isfinite(len))
        return;
    if (outline > 0 && edge != NULL) {
        /* the same arrow grown by outline: longer at both ends, wider, a
         * larger head whose sides lie outline further out */
        double ux = (x1 - x0) / len, uy = (y1 - y0) / len, grow = outline * 2.2;
        arrow_pass(s, x0 - ux * outline, y0 - uy * outline, x1 + ux * grow, y1 + uy * grow,
                   width + 2 * outline, head + 2 * grow, edge);
    }
    arrow_pass(s, x0, y0, x1, y1, width, head, colour);
}

void plot_rect(plot_surface *s, double x, double y, double w, double h,
               const unsigned char colour[3], double opacity)
{
    char c[8];

    if (s->canvas != NULL) {
        int i0 = (int)lround(x), j0 = (int)lround(y), i1 = (int)lround(x + w),
            j1 = (int)lround(y + h), i, j, k;
        for (j = j0 < 0 ? 0 : j0; j < j1 && j < s->canvas->height; j++)
            for (i = i0 < 0 ? 0 : i0; i < i1 && i < s->canvas->width; i++) {
                unsigned char *px = s->canvas->rgb + 3 * ((size_t)j * s->canvas->width + i);
                for (k = 0; k < 3; k++)
                    px[k] = (unsigned char)lround(px[k] + opacity * (colour[k] - px[k]));
            }
        return;
    }
    hex(c, colour);
    fprintf(s->svg, "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" fill=\"%s\"",
            x, y, w, h, c);
    if (opacity < 1)
        fprintf(s->svg, " fill-opacity=\"%.3f\"", opacity);
    fputs("/>\n", s->svg);
}

void plot_frame(plot_surface *s, double x, double y, double w, double h, double width,
                const unsigned char colour[3])
{
    char c[8];

    if (s->canvas != NULL) {
        plot_draw_line(s->canvas, x, y, x + w, y, width, colour);
        plot_draw_line(s->canvas, x + w, y, x + w, y + h, width, colour);
        plot_draw_line(s->canvas, x + w, y + h, x, y + h, width, colour);
        plot_draw_line(s->canvas, x, y + h, x, y, width, colour);
        return;
    }
    hex(c, colour);
    fprintf(s->svg, "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" fill=\"none\" "
            "stroke=\"%s\" stroke-width=\"%.2f\" stroke-linejoin=\"round\"/>\n",
            x, y, w, h, c, width);
}

void plot_disc(plot_surface *s, double cx, double cy, double r, const unsigned char colour[3])
{
    char c[8];

    if (s->canvas != NULL) {
        plot_draw_line(s->canvas, cx, cy, cx, cy, 2 * r, colour); /* a dot of width 2r */
        return;
    }
    hex(c, colour);
    fprintf(s->svg, "<circle cx=\"%.2f\" cy=\"%.2f\" r=\"%.2f\" fill=\"%s\"/>\n", cx, cy, r, c);
}

void plot_text(plot_surface *s, double x, double y, double size, int anchor, const char *text,
               const unsigned char colour[3])
{
    static const char *anchors[] = { "start", "middle", "end" };
    char c[8];

    if (text == NULL || text[0] == '\0')
        return;
    if (s->canvas != NULL) {
        double w = anchor == PLOT_START ? 0 : plot_text_width(s->font, text, size);
        plot_canvas_text(s->canvas, s->font, anchor == PLOT_MIDDLE ? x - w / 2 : x - w, y,
                         size, text, colour);
        return;
    }
    hex(c, colour);
    fprintf(s->svg, "<text x=\"%.2f\" y=\"%.2f\" font-family=\"%s\" font-size=\"%.2f\" "
            "fill=\"%s\" text-anchor=\"%s\" xml:space=\"preserve\">", x, y, PLOT_FONT_FAMILY,
            size, c, anchors[anchor < 0 || anchor > 2 ? 0 : anchor]);
    put_escaped(s->svg, text);
    fputs("</text>\n", s->svg);
}

/* bytes as base64 (RFC 4648, padded) to fp. */
static void put_base64(FILE *fp, const unsigned char *b, size_t n)
{
    static const char digits[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t i;

    for (i = 0; i + 2 < n; i += 3) {
        unsigned long v = (unsigned long)b[i] << 16 | (unsigned long)b[i + 1] << 8 | b[i + 2];
        fputc(digits[v >> 18 & 63], fp);
        fputc(digits[v >> 12 & 63], fp);
        fputc(digits[v >> 6 & 63], fp);
        fputc(digits[v & 63], fp);
    }
    if (n - i == 1) {
        fputc(digits[b[i] >> 2], fp);
        fputc(digits[(b[i] & 3) << 4], fp);
        fputs("==", fp);
    } else if (n - i == 2) {
        fputc(digits[b[i] >> 2], fp);
        fputc(digits[(b[i] & 3) << 4 | b[i + 1] >> 4], fp);
        fputc(digits[(b[i + 1] & 15) << 2], fp);
        fputc('=', fp);
    }
}

imgrad_status plot_image(plot_surface *s, int x, int y, const unsigned char *rgb, int w, int h)
{
    char *png = NULL;
    size_t size = 0;
    FILE *mem;
    imgrad_status st;
    int j;

    if (s->canvas != NULL) {
        for (j = 0; j < h; j++) {
            int i0 = x < 0 ? -x : 0, i1 = x + w > s->canvas->width ? s->canvas->width - x : w;
            if (y + j < 0 || y + j >= s->canvas->height || i1 <= i0)
                continue;
            memcpy(s->canvas->rgb + 3 * ((size_t)(y + j) * s->canvas->width + x + i0),
                   rgb + 3 * ((size_t)j * w + i0), 3 * (size_t)(i1 - i0));
        }
        return IMGRAD_OK;
    }
    /* the library's PNG writer, into memory */
    if ((mem = open_memstream(&png, &size)) == NULL)
        return IMGRAD_ENOMEM;
    st = imgrad_write_image8_fp(mem, IMGRAD_FORMAT_PNG, rgb, w, h, 3, NULL);
    if (fclose(mem) != 0 && st == IMGRAD_OK)
        st = IMGRAD_ENOMEM;
    if (st == IMGRAD_OK) {
        fprintf(s->svg, "<image x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" "
                "preserveAspectRatio=\"none\" image-rendering=\"pixelated\" "
                "xlink:href=\"data:image/png;base64,", x, y, w, h);
        put_base64(s->svg, (const unsigned char *)png, size);
        fputs("\"/>\n", s->svg);
    }
    free(png);
    return st;
}

void plot_colour_bar(plot_surface *s, double x, double y, double w, double h)
{
    int j, k;

    if (s->canvas != NULL) {
        for (j = (int)lround(y); j < (int)lround(y + h); j++) {
            unsigned char rgb[3];
            plot_colormap(1 - (j + 0.5 - y) / h, rgb);
            plot_rect(s, x, j, w, 1, rgb, 1);
        }
        return;
    }
    /* the colour map's stops, linearly interpolated as plot_colormap does */
    fputs("<defs><linearGradient id=\"imgrad-colour-map\" x1=\"0\" y1=\"1\" x2=\"0\" "
          "y2=\"0\">", s->svg);
    for (k = 0; k <= 8; k++) {
        unsigned char rgb[3];
        char c[8];
        plot_colormap(k / 8.0, rgb);
        hex(c, rgb);
        fprintf(s->svg, "<stop offset=\"%.3f\" stop-color=\"%s\"/>", k / 8.0, c);
    }
    fprintf(s->svg, "</linearGradient></defs>\n<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" "
            "height=\"%.2f\" fill=\"url(#imgrad-colour-map)\"/>\n", x, y, w, h);
}
