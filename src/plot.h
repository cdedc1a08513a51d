/* plot.h - private to libimgrad: drawing on an RGB canvas (antialiased
 * lines, arrows, text, heat maps), level lines by marching squares, and the
 * layouts of imgrad's pictures: the field plot and the photo overlays.
 *
 * Pixel coordinates: x to the right, y downwards, pixel (i, j) covers
 * [i, i + 1) x [j, j + 1) and its centre is (i + 0.5, j + 0.5). */
#ifndef IMGRAD_PLOT_H
#define IMGRAD_PLOT_H

#include "expr.h"

typedef struct imgrad__canvas {
    int width, height;
    unsigned char *rgb; /* width * height * 3 bytes, rows packed */
} imgrad__canvas;

/* Allocates a width x height canvas filled with colour (3 bytes).  EINVAL,
 * EOVERFLOW or ENOMEM, leaving c empty. */
IMGRAD_HIDDEN imgrad_status imgrad__canvas_init(imgrad__canvas *c, int width, int height,
                                                const unsigned char colour[3]);
IMGRAD_HIDDEN void imgrad__canvas_free(imgrad__canvas *c);

/* A line of the given width from (x0, y0) to (x1, y1), blended over c with
 * coverage antialiasing.  Parts off the canvas are clipped. */
IMGRAD_HIDDEN void imgrad__draw_line(imgrad__canvas *c, double x0, double y0, double x1,
                                     double y1, double width, const unsigned char colour[3]);

/* An arrow from the tail (x0, y0) to the tip (x1, y1) with a filled head
 * of the given length (shortened for short arrows). */
IMGRAD_HIDDEN void imgrad__draw_arrow(imgrad__canvas *c, double x0, double y0, double x1,
                                      double y1, double width, double head,
                                      const unsigned char colour[3]);

/* text with its top left corner at (x, y), each font pixel scale pixels. */
IMGRAD_HIDDEN void imgrad__draw_text(imgrad__canvas *c, int x, int y, const char *text,
                                     int scale, const unsigned char colour[3]);

/* The colour of t in [0, 1] on a perceptually even dark-blue-to-yellow map. */
IMGRAD_HIDDEN void imgrad__colormap(double t, unsigned char rgb[3]);

/* One straight piece of a level line, in grid coordinates (column, row). */
typedef struct imgrad__segment {
    double x0, y0, x1, y1;
} imgrad__segment;

/* The level line f = level of the grid f by marching squares: within each
 * cell of four samples the crossings are placed by linear interpolation on
 * the cell's edges and joined; saddle cells are resolved by the cell-centre
 * average.  Cells with a non-finite corner are skipped.  *segs is malloc'ed
 * (free() it; NULL when *count is 0).  EINVAL or ENOMEM. */
IMGRAD_HIDDEN imgrad_status imgrad__contours(const imgrad_grid *f, double level,
                                             imgrad__segment **segs, size_t *count);

/* g at the fractional position (col, row) by bilinear interpolation between
 * the samples; NaN outside [0, width - 1] x [0, height - 1]. */
IMGRAD_HIDDEN double imgrad__grid_sample(const imgrad_grid *g, double col, double row);

/* Everything the field picture shows. */
typedef struct imgrad__field_plot {
    const imgrad__expr *expr; /* the function, sampled once per plot pixel */
    const char *title;        /* printed above the plot, e.g. the formula */
    imgrad__window window;
    const imgrad_grid *gx, *gy; /* the grid gradient over window, math orientation */
    double lo, hi;              /* colour range, lo < hi */
    const double *levels;       /* level line values */
    int level_count;
    int arrows;                 /* arrows across the width, 0 for none */
    int antigradient;           /* nonzero: arrows show -grad f */
    const double *path;         /* descent points: x, y pairs, or NULL */
    int path_points;
} imgrad__field_plot;

/* Plot-area size in pixels for a picture width pixels wide. */
IMGRAD_HIDDEN void imgrad__field_area(const imgrad__field_plot *p, int width, int *area_w,
                                      int *area_h);

/* An arrow of the lattice: tail (x, y) and vector (u, v) in plot-area pixel
 * coordinates, before the length scaling the picture applies. */
typedef struct imgrad__arrow {
    double x, y, u, v;
} imgrad__arrow;

/* The arrow lattice for a plot area of area_w x area_h pixels: p->arrows
 * columns, as many rows as fit at the same spacing, each arrow centred in
 * its lattice cell, holding the grid gradient (or its negative) there.
 * Arrows where the gradient is not finite are left out.  *out is malloc'ed.
 * EINVAL or ENOMEM. */
IMGRAD_HIDDEN imgrad_status imgrad__field_arrows(const imgrad__field_plot *p, int area_w,
                                                 int area_h, imgrad__arrow **out,
                                                 size_t *count);

/* Renders the whole picture, width pixels wide, into a new canvas *out.
 * Non-finite values of f are painted grey.  EINVAL or ENOMEM. */
IMGRAD_HIDDEN imgrad_status imgrad__render_field(const imgrad__field_plot *p, int width,
                                                 imgrad__canvas *out);

/* A photo's gradient arrows over a dimmed copy of gray (values 0..1): one
 * per step x step block, showing the block's mean gradient, as long as step
 * times its magnitude over the 99th percentile of the blocks' magnitudes
 * (clipped at 1.2 step).  gx, gy: image orientation (y down). */
IMGRAD_HIDDEN imgrad_status imgrad__render_quiver(const imgrad_grid *gray, const imgrad_grid *gx,
                                                  const imgrad_grid *gy, int step,
                                                  imgrad__canvas *out);

/* level_count level lines of gray smoothed by a Gaussian of sigma pixels
 * (0 for none), evenly spaced between its smoothed minimum and maximum,
 * coloured by level over a dimmed copy of gray. */
IMGRAD_HIDDEN imgrad_status imgrad__render_isolines(const imgrad_grid *gray, double sigma,
                                                    int level_count, imgrad__canvas *out);

#endif
