/* plot.h - private to the program (src/cli/): drawing on an RGB canvas (antialiased
 * lines, arrows, text, heat maps), level lines by marching squares, and the
 * layouts of imgrad's pictures: the field plot and the photo overlays.
 *
 * Pixel coordinates: x to the right, y downwards, pixel (i, j) covers
 * [i, i + 1) x [j, j + 1) and its centre is (i + 0.5, j + 0.5). */
#ifndef IMGRAD_PLOT_H
#define IMGRAD_PLOT_H

#include "expr.h"

/* Longest label plot_text_quads draws, in characters. */
#define PLOT_TEXT_MAX 255

/* The quads of stb_easy_font's drawing of text (ASCII, at most
 * PLOT_TEXT_MAX characters) with its top left at (0, 0), in font pixels:
 * each is x0, y0, x1, y1 (x0 < x1, y0 < y1) at quads[4 * i].  At most
 * max_quads are stored; returns how many, 0 for empty, too long or no memory.
 * A capital letter is about 5 x 7 font pixels and advances 6. */
int plot_text_quads(const char *text, float *quads, int max_quads);

/* The width of text in font pixels as stb_easy_font lays it out. */
int plot_text_width(const char *text);

typedef struct plot_canvas {
    int width, height;
    unsigned char *rgb; /* width * height * 3 bytes, rows packed */
} plot_canvas;

/* Allocates a width x height canvas filled with colour (3 bytes).  EINVAL,
 * EOVERFLOW or ENOMEM, leaving c empty. */
imgrad_status plot_canvas_init(plot_canvas *c, int width, int height,
                                                const unsigned char colour[3]);
void plot_canvas_free(plot_canvas *c);

/* A line of the given width from (x0, y0) to (x1, y1), blended over c with
 * coverage antialiasing.  Parts off the canvas are clipped. */
void plot_draw_line(plot_canvas *c, double x0, double y0, double x1,
                                     double y1, double width, const unsigned char colour[3]);

/* An arrow from the tail (x0, y0) to the tip (x1, y1) with a filled head
 * of the given length (shortened for short arrows). */
void plot_draw_arrow(plot_canvas *c, double x0, double y0, double x1,
                                      double y1, double width, double head,
                                      const unsigned char colour[3]);

/* text with its top left corner at (x, y), each font pixel scale pixels. */
void plot_draw_text(plot_canvas *c, int x, int y, const char *text,
                                     int scale, const unsigned char colour[3]);

/* The colour of t in [0, 1] on a perceptually even dark-blue-to-yellow map. */
void plot_colormap(double t, unsigned char rgb[3]);

/* One straight piece of a level line, in grid coordinates (column, row). */
typedef struct plot_segment {
    double x0, y0, x1, y1;
} plot_segment;

/* The level line f = level of the grid f by marching squares: within each
 * cell of four samples the crossings are placed by linear interpolation on
 * the cell's edges and joined; saddle cells are resolved by the cell-centre
 * average.  Cells with a non-finite corner are skipped.  *segs is malloc'ed
 * (free() it; NULL when *count is 0).  EINVAL or ENOMEM. */
imgrad_status plot_contours(const imgrad_grid *f, double level,
                                             plot_segment **segs, size_t *count);

/* g at the fractional position (col, row) by bilinear interpolation between
 * the samples; NaN outside [0, width - 1] x [0, height - 1]. */
double plot_grid_sample(const imgrad_grid *g, double col, double row);

/* Everything the field picture shows. */
typedef struct plot_field_plot {
    const expr_tree *expr; /* the function, sampled once per plot pixel */
    const char *title;        /* printed above the plot, e.g. the formula */
    expr_window window;
    const imgrad_grid *gx, *gy; /* the grid gradient over window, math orientation */
    double lo, hi;              /* colour range, lo < hi */
    const double *levels;       /* level line values */
    int level_count;
    int arrows;                 /* arrows across the width, 0 for none */
    int antigradient;           /* nonzero: arrows show -grad f */
    const double *path;         /* descent points: x, y pairs, or NULL */
    int path_points;
} plot_field_plot;

/* Plot-area size in pixels for a picture width pixels wide. */
void plot_field_area(const plot_field_plot *p, int width, int *area_w,
                                      int *area_h);

/* An arrow of the lattice: tail (x, y) and vector (u, v) in plot-area pixel
 * coordinates, before the length scaling the picture applies. */
typedef struct plot_arrow {
    double x, y, u, v;
} plot_arrow;

/* The arrow lattice for a plot area of area_w x area_h pixels: p->arrows
 * columns, as many rows as fit at the same spacing, each arrow centred in
 * its lattice cell, holding the grid gradient (or its negative) there.
 * Arrows where the gradient is not finite are left out.  *out is malloc'ed.
 * EINVAL or ENOMEM. */
imgrad_status plot_field_arrows(const plot_field_plot *p, int area_w,
                                                 int area_h, plot_arrow **out,
                                                 size_t *count);

/* Renders the whole picture, width pixels wide, into a new canvas *out.
 * Non-finite values of f are painted grey.  EINVAL or ENOMEM. */
imgrad_status plot_render_field(const plot_field_plot *p, int width,
                                                 plot_canvas *out);

/* A photo's gradient arrows over a dimmed copy of gray (values 0..1): one
 * per step x step block, showing the block's mean gradient, as long as step
 * times its magnitude over the 99th percentile of the blocks' magnitudes
 * (clipped at 1.2 step).  gx, gy: image orientation (y down). */
imgrad_status plot_render_quiver(const imgrad_grid *gray, const imgrad_grid *gx,
                                                  const imgrad_grid *gy, int step,
                                                  plot_canvas *out);

/* level_count level lines of gray smoothed by a Gaussian of sigma pixels
 * (0 for none), evenly spaced between its smoothed minimum and maximum,
 * coloured by level over a dimmed copy of gray. */
imgrad_status plot_render_isolines(const imgrad_grid *gray, double sigma,
                                                    int level_count, plot_canvas *out);

#endif
