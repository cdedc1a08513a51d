/* plot.h - private to the program (src/cli/): drawing on an RGB canvas (antialiased
 * lines, arrows, text, heat maps), level lines by marching squares, and the
 * layouts of imgrad's pictures: the field plot and the photo overlays.
 *
 * Pixel coordinates: x to the right, y downwards, pixel (i, j) covers
 * [i, i + 1) x [j, j + 1) and its centre is (i + 0.5, j + 0.5). */
#ifndef IMGRAD_PLOT_H
#define IMGRAD_PLOT_H

#include "expr.h"

#include <stdio.h>

typedef struct plot_canvas {
    int width, height;
    unsigned char *rgb; /* width * height * 3 bytes, rows packed */
} plot_canvas;

/* One straight piece of a level line, in grid coordinates (column, row). */
typedef struct plot_segment {
    double x0, y0, x1, y1;
} plot_segment;

/* Allocates a width x height canvas filled with colour (3 bytes).  EINVAL,
 * EOVERFLOW or ENOMEM, leaving c empty. */
imgrad_status plot_canvas_init(plot_canvas *c, int width, int height,
                                                const unsigned char colour[3]);
void plot_canvas_free(plot_canvas *c);

/* A line of the given width from (x0, y0) to (x1, y1), blended over c with
 * coverage antialiasing.  Parts off the canvas are clipped. */
void plot_draw_line(plot_canvas *c, double x0, double y0, double x1,
                                     double y1, double width, const unsigned char colour[3]);

/* A filled triangle (x, y of three corners in either winding), antialiased. */
void plot_fill_triangle(plot_canvas *c, const double t[6], const unsigned char colour[3]);

/* ------------------------------------------------------------ text (font.c) */

/* The font every picture uses, read at run time (Debian: fonts-dejavu-core). */
#define PLOT_FONT_DEFAULT "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
/* The families the SVG asks the viewer for: the same font, else its
 * parent Bitstream Vera (same metrics), else a close sans-serif. */
#define PLOT_FONT_FAMILY "DejaVu Sans, Bitstream Vera Sans, Verdana, sans-serif"

typedef struct plot_font plot_font;

/* $IMGRAD_FONT when set and not empty, else PLOT_FONT_DEFAULT. */
const char *plot_font_path(void);

/* Reads a TrueType font file.  EINVAL, EIO (errno says why), EFORMAT (not
 * a single TrueType font), ENOMEM; *out is NULL on failure.  A loaded font
 * is only read afterwards, so threads may share it. */
imgrad_status plot_font_load(const char *path, plot_font **out);
void plot_font_free(plot_font *f);

/* The font at plot_font_path(), or NULL after a message on stderr naming
 * the file, the reason and the remedy (the package, or IMGRAD_FONT). */
plot_font *plot_font_open(void);

/* Sizes are em sizes in pixels (CSS font-size).  The advance width of the
 * UTF-8 text (with kerning); the ascent above the baseline; the height of
 * a capital H. */
double plot_text_width(const plot_font *f, const char *text, double size);
double plot_font_ascent(const plot_font *f, double size);
double plot_font_cap_height(const plot_font *f, double size);

/* Draws the UTF-8 text with its baseline starting at (x, y), antialiased. */
void plot_canvas_text(plot_canvas *c, const plot_font *f, double x, double y,
                      double size, const char *text, const unsigned char colour[3]);

/* Splits text into at most max_lines lines no wider than width at size,
 * breaking after spaces (or, for a word longer than a line, anywhere).
 * Text that does not fit ends its last line with an ellipsis (U+2026);
 * nothing is cut silently.  Each line is malloc'ed into lines[] (free each);
 * returns the number of lines, 0 for empty text or no memory. */
int plot_wrap_text(const plot_font *f, const char *text, double size, double width,
                   int max_lines, char **lines);

/* -------------------------------------------- surfaces: PNG or SVG (plot.c) */

/* Where a picture is drawn: a raster canvas or an SVG stream, through the
 * same calls, so the PNG and the SVG show the same thing.  Coordinates are
 * pixels of the raster picture (user units of the SVG). */
typedef struct plot_surface {
    plot_canvas *canvas; /* raster target, or NULL */
    FILE *svg;           /* vector target, or NULL */
    const plot_font *font;
    int width, height;
} plot_surface;

enum plot_anchor { PLOT_START, PLOT_MIDDLE, PLOT_END };

/* Writes the SVG header (width x height, white background) to s->svg. */
void plot_svg_begin(plot_surface *s);
/* Closes the SVG; IMGRAD_EIO when any write to it failed. */
imgrad_status plot_svg_end(plot_surface *s);

void plot_line(plot_surface *s, double x0, double y0, double x1, double y1,
               double width, const unsigned char colour[3]);
/* Many segments (x0, y0, x1, y1 each), shifted by (dx, dy): one SVG path. */
void plot_segments(plot_surface *s, const plot_segment *seg, size_t n, double dx,
                   double dy, double width, const unsigned char colour[3]);
/* An arrow from the tail to the tip, head of length head (shorter on short
 * arrows).  outline > 0 first draws it outline pixels wider all round in
 * the colour edge, so it reads on any background. */
void plot_draw_arrow(plot_surface *s, double x0, double y0, double x1, double y1,
                double width, double head, double outline,
                const unsigned char colour[3], const unsigned char edge[3]);
/* A filled rectangle, blended with opacity 0..1. */
void plot_rect(plot_surface *s, double x, double y, double w, double h,
               const unsigned char colour[3], double opacity);
/* A rectangle's outline of the given line width. */
void plot_frame(plot_surface *s, double x, double y, double w, double h, double width,
                const unsigned char colour[3]);
void plot_disc(plot_surface *s, double cx, double cy, double r,
               const unsigned char colour[3]);
/* Text whose baseline is at y, starting, centred or ending at x. */
void plot_text(plot_surface *s, double x, double y, double size, int anchor,
               const char *text, const unsigned char colour[3]);
/* An RGB image (w x h, rows packed) with its top left at integer (x, y): copied
 * into the canvas, embedded as a PNG data URI in the SVG.  ENOMEM or EIO. */
imgrad_status plot_image(plot_surface *s, int x, int y, const unsigned char *rgb, int w,
                         int h);
/* A vertical colour bar of the colour map, t = 1 at the top. */
void plot_colour_bar(plot_surface *s, double x, double y, double w, double h);

/* ------------------------------------------------------------- arrow length */

/* How arrow lengths follow the gradient's magnitude. */
typedef enum plot_arrow_length {
    PLOT_LENGTH_AUTO, /* proportional: the longest arrow is full length */
    PLOT_LENGTH_UNIT, /* all full length: direction only */
    PLOT_LENGTH_CLIP  /* proportional, full at a percentile of the
                         magnitudes, longer ones cut to full */
} plot_arrow_length;
/* CLIP's percentile: the field's few arrows (16 across) near a singularity
 * are a large share of them; a photo's many blocks are mostly flat. */
#define PLOT_CLIP_FIELD 80
#define PLOT_CLIP_PHOTO 95

/* "auto", "unit" or "clip" into *out; 0 for anything else. */
int plot_parse_arrow_length(const char *s, plot_arrow_length *out);

/* The magnitude an arrow of full length stands for, from the n magnitudes
 * (finite, >= 0; reordered): the largest, or for CLIP the given percentile
 * (nearest rank) unless that is 0; 0 when all are 0, and for UNIT. */
double plot_arrow_reference(double *magnitudes, size_t n, plot_arrow_length mode,
                            int percentile);

/* The drawn length of an arrow of magnitude m: full * m / reference, or full
 * for UNIT (and for CLIP beyond the reference); 0 when reference is 0 (and
 * not UNIT) or m is 0. */
double plot_arrow_scaled(double m, double reference, double full, plot_arrow_length mode);

/* The colour of t in [0, 1] on a perceptually even dark-blue-to-yellow map. */
void plot_colormap(double t, unsigned char rgb[3]);

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

/* -------------------------------------------- the field picture (plot_field.c) */

/* Everything the field picture shows. */
typedef struct plot_field_plot {
    const plot_font *font;
    const expr_tree *expr;      /* the function, sampled once per plot pixel, or */
    const imgrad_grid *values;  /* with expr NULL: a grid over window (math
                                   orientation), bilinear between samples */
    int log_colours;            /* colours by log10 of the value; lo, hi are
                                   log10 too, values <= 0 take the bottom */
    const char *title;          /* printed above the plot, e.g. the formula */
    const char *bar_label;      /* printed over the colour bar, or NULL */
    expr_window window;
    const imgrad_grid *gx, *gy; /* the grid gradient over window, math orientation */
    double lo, hi;              /* colour range, lo < hi */
    const double *levels;       /* level line values */
    int level_count;
    int label_levels;           /* nonzero: each level line carries its value */
    int arrows;                 /* arrows across the width, 0 for none */
    plot_arrow_length arrow_length;
    int antigradient;           /* nonzero: arrows show -grad f */
    const double *path;         /* descent points: x, y pairs, or NULL */
    int path_points;
} plot_field_plot;

/* The text size (em, pixels) of tick labels for a picture width pixels wide:
 * 2.5% of the width, at least 10.  Titles are 1.2 times as large. */
double plot_text_size(int width);

/* Plot-area size in pixels for a picture width pixels wide. */
void plot_field_area(const plot_field_plot *p, int width, int *area_w, int *area_h);

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
imgrad_status plot_field_arrows(const plot_field_plot *p, int area_w, int area_h,
                                plot_arrow **out, size_t *count);

/* Draws the whole picture, width pixels wide, into a new canvas *out (PNG)
 * or as SVG to fp; both show the same thing.  Non-finite values are painted
 * grey.  EINVAL, ENOMEM, or EIO from the stream. */
imgrad_status plot_render_field(const plot_field_plot *p, int width, plot_canvas *out);
imgrad_status plot_write_field_svg(const plot_field_plot *p, int width, FILE *fp);

/* ------------------------------------------- pictures over photos (plot_photo.c) */

/* A photo's gradient arrows over a dimmed copy of gray (values 0..1): one
 * per step x step block, showing the block's mean gradient, full length
 * (the step) at the reference magnitude of mode.  Shafts and heads grow with
 * the picture and have a dark outline; a key in the bottom right corner
 * shows the reference magnitude.  gx, gy: image orientation (y down). */
imgrad_status plot_render_quiver(const imgrad_grid *gray, const imgrad_grid *gx,
                                 const imgrad_grid *gy, int step, plot_arrow_length mode,
                                 const plot_font *font, plot_canvas *out);

/* The default smoothing of isolines for a width x height picture: 2 pixels
 * at 800 pixels on the long side, in proportion above (never below 2). */
double plot_isoline_sigma(int width, int height);

/* level_count level lines of gray smoothed by a Gaussian of sigma pixels
 * (0 for none), evenly spaced between its smoothed minimum and maximum,
 * coloured by level over a dimmed copy of gray, with a key of the levels. */
imgrad_status plot_render_isolines(const imgrad_grid *gray, double sigma, int level_count,
                                   const plot_font *font, plot_canvas *out);

/* The hsv colour wheel, labelled, on a black box with its top left at
 * (x, y): the wheel (size x size pixels, coloured by imgrad_to_hsv8 as the
 * hsv product is: the pixel at (dx, dy) from the centre, y down, is a
 * gradient pointing along (dx, dy) whose magnitude grows from 0 at the
 * centre to the display scale at the rim), "+x" on its right, "+y (down)"
 * under it, then scale_text (e.g. "rim: 0.25 /px") unless NULL, in text of
 * size ts.  plot_wheel_box gives the box's size.  ENOMEM or EIO. */
imgrad_status plot_wheel(plot_surface *s, int x, int y, int size, double ts,
                         const char *scale_text);
void plot_wheel_box(const plot_font *f, int size, double ts, const char *scale_text, int *w,
                    int *h);

/* The labelled wheel in the bottom right corner of an hsv picture (RGB,
 * width x height, rows packed) whose display scale is scale; a picture
 * too small for it is left as it is.  ENOMEM. */
imgrad_status plot_hsv_legend(unsigned char *rgb, int width, int height, double scale,
                              const plot_font *font);

/* Sets the 8-bit direction picture px (magnitude's size, rows packed) to
 * mid-grey 128 where the magnitude is below threshold (or not a number):
 * there the direction is noise. */
void plot_mask_direction(unsigned char *px, const imgrad_grid *magnitude, double threshold);

#endif
