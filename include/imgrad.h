/* imgrad.h - image gradients and edges, the one public header of libimgrad.
 *
 * Usage:
 *
 *     imgrad_load_options lo;
 *     imgrad_load_options_default(&lo);
 *     imgrad_grid gray, mag;
 *     imgrad_status st = imgrad_load_gray("cat.png", &lo, &gray, NULL);
 *     if (st != IMGRAD_OK) { fprintf(stderr, "%s\n", imgrad_strerror(st)); ... }
 *
 *     imgrad_options o;
 *     imgrad_options_default(&o);              // numpy.gradient, unit spacing
 *     imgrad_products p = { NULL, NULL, &mag, NULL, NULL, NULL };
 *     st = imgrad_gradient(&gray, &o, &p);     // allocates mag
 *     st = imgrad_write_npy("cat.magnitude.npy", &mag);
 *     imgrad_grid_free(&mag);
 *     imgrad_grid_free(&gray);
 *
 * Conventions.  A grid is row-major float32, row 0 at the top.  x runs along a
 * row (columns, numpy axis 1), y runs down the rows (numpy axis 0).  gx = d/dx,
 * gy = d/dy with y pointing down, so a value that rises to the right has gx > 0
 * and one that rises downwards has gy > 0 (the same sign as OpenCV's Sobel).
 * direction = atan2(gy, gx) in radians in (-pi, pi], 0 where both are 0.
 *
 * Errors.  Every fallible function returns an imgrad_status; IMGRAD_OK is 0.
 * On failure the output arguments are left empty (data == NULL) and nothing
 * needs freeing.  The library never prints, never exits and keeps no mutable
 * global state, so independent calls may run in parallel threads.
 */
#ifndef IMGRAD_H
#define IMGRAD_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__) && !defined(IMGRAD_STATIC_ONLY)
#define IMGRAD_API __attribute__((visibility("default")))
#else
#define IMGRAD_API
#endif

#define IMGRAD_VERSION "0.1.0"

/* Default decode limits, checked from the file header before any pixel is
 * allocated.  Override per call through imgrad_load_options. */
#define IMGRAD_DEFAULT_MAX_PIXELS 268435456u /* 256 Mpix */
#define IMGRAD_DEFAULT_MAX_DIMENSION 65535

typedef enum imgrad_status {
    IMGRAD_OK = 0,
    IMGRAD_EINVAL,      /* an argument is NULL, out of range or inconsistent */
    IMGRAD_ENOMEM,      /* an allocation failed */
    IMGRAD_EOVERFLOW,   /* a size computation would overflow */
    IMGRAD_EIO,         /* a read or write failed; errno tells why */
    IMGRAD_EFORMAT,     /* not an image format imgrad reads, nor a .npy file */
    IMGRAD_EDECODE,     /* the file is truncated or corrupt */
    IMGRAD_EUNSUPPORTED,/* a valid file imgrad does not handle (dtype, rank) */
    IMGRAD_ETOOLARGE,   /* the image exceeds the pixel or dimension limit */
    IMGRAD_ETOOSMALL,   /* an axis is too short for the requested edge order */
    IMGRAD_ECOORDS,     /* coordinates: wrong length, not finite or not increasing */
    IMGRAD_EEMPTY       /* the image or grid has a zero dimension */
} imgrad_status;

/* A short English description of st; never NULL, static storage. */
IMGRAD_API const char *imgrad_strerror(imgrad_status st);

/* The library's version string, IMGRAD_VERSION when it was built. */
IMGRAD_API const char *imgrad_version(void);

/* ---------------------------------------------------------------- grids */

typedef struct imgrad_grid {
    int width;      /* columns, > 0 */
    int height;     /* rows, > 0 */
    size_t stride;  /* floats from one row start to the next, >= width */
    float *data;    /* height * stride floats, owned by the grid */
    float *residual;/* NULL, or height * stride floats, owned by the grid:
                       value - data rounded to float32, so that data +
                       residual (added in double) carries a value that
                       float32 cannot hold to about 48 bits.  The loader
                       keeps it for sources more precise than float32 and
                       the central operator then computes in float64, as
                       numpy.gradient does on uint8 or float64 arrays */
} imgrad_grid;

/* Allocates a zero-filled width x height grid into *g (stride == width).
 * Returns IMGRAD_EEMPTY for a zero dimension, IMGRAD_EINVAL for a negative one
 * or NULL g, IMGRAD_EOVERFLOW or IMGRAD_ENOMEM; *g is then empty. */
IMGRAD_API imgrad_status imgrad_grid_init(imgrad_grid *g, int width, int height);

/* Frees g's data (and residual) and empties it.  NULL and already-empty
 * grids are fine. */
IMGRAD_API void imgrad_grid_free(imgrad_grid *g);

/* -------------------------------------------------------------- loading */

typedef enum imgrad_gray_weights {
    IMGRAD_GRAY_REC601,  /* 0.299 R + 0.587 G + 0.114 B (OpenCV, PIL) */
    IMGRAD_GRAY_REC709,  /* 0.2126 R + 0.7152 G + 0.0722 B */
    IMGRAD_GRAY_AVERAGE, /* (R + G + B) / 3 */
    IMGRAD_GRAY_LINEAR,  /* sRGB decoded to linear light, then Rec.709 */
    IMGRAD_GRAY_SKIMAGE  /* 0.2125 R + 0.7154 G + 0.0721 B (skimage rgb2gray) */
} imgrad_gray_weights;

typedef struct imgrad_load_options {
    imgrad_gray_weights gray; /* how colour becomes grey; alpha is ignored */
    uint64_t max_pixels;      /* refuse width * height above this */
    int max_dimension;        /* refuse a width or height above this */
    int orient;               /* nonzero: turn a JPEG upright by its EXIF
                                 Orientation tag (stb returns it as stored) */
    int residual;             /* nonzero: keep out->residual where float32
                                 rounds the grey (8/16-bit images scaled to
                                 [0, 1], colour HDR, float64 or 32/64-bit
                                 integer .npy); zero saves its 4 bytes per
                                 pixel when float32 precision is enough */
    int jpeg_luma;            /* nonzero: with IMGRAD_GRAY_REC601, the grey of a
                                 YCbCr JPEG is its luma plane Y / 255 as
                                 libjpeg-turbo decodes it (what OpenCV's
                                 IMREAD_GRAYSCALE gives; about twice as fast)
                                 rather than the Rec.601 sum of the RGB that
                                 stb_image decodes; they differ by the colour
                                 planes' rounding, a few 1/255 at most */
} imgrad_load_options;

/* Fills o with the defaults: Rec.601, IMGRAD_DEFAULT_MAX_PIXELS,
 * IMGRAD_DEFAULT_MAX_DIMENSION, orient = 1, residual = 1, jpeg_luma = 0. */
IMGRAD_API void imgrad_load_options_default(imgrad_load_options *o);

typedef enum imgrad_source_kind {
    IMGRAD_SOURCE_8BIT,   /* 8-bit image, values / 255 */
    IMGRAD_SOURCE_16BIT,  /* 16-bit PNG, PSD or PNM, values / 65535 */
    IMGRAD_SOURCE_HDR,    /* Radiance HDR, float values as they are */
    IMGRAD_SOURCE_NPY     /* .npy 2-D array, values as they are */
} imgrad_source_kind;

typedef struct imgrad_source_info {
    int width, height;
    int channels;             /* channels in the file (1 grey .. 4 RGBA) */
    imgrad_source_kind kind;
} imgrad_source_info;

/* Decodes the image or .npy file at path into a new float32 grey grid *out.
 * The file type is found from its contents, not its name.  Images: PNG, JPEG,
 * BMP, TGA, GIF (first frame), PSD, HDR, PNM at 8 or 16 bits (or float for
 * HDR); colour becomes grey by o->gray.  .npy: a 2-D little-endian array of
 * float32, float64, uint8, uint16 or int16, C or Fortran order, values kept.
 * info (may be NULL) receives what the file held, except that width and
 * height are those of the grid, after any EXIF turn.  o may be NULL for defaults.
 * Fails with IMGRAD_EIO (errno set) if the file cannot be read, EFORMAT,
 * EDECODE, EUNSUPPORTED, ETOOLARGE, EEMPTY or ENOMEM; *out is then empty. */
IMGRAD_API imgrad_status imgrad_load_gray(const char *path,
                                          const imgrad_load_options *o,
                                          imgrad_grid *out,
                                          imgrad_source_info *info);

/* The same from len bytes at data (the caller keeps ownership). */
IMGRAD_API imgrad_status imgrad_load_gray_memory(const unsigned char *data,
                                                 size_t len,
                                                 const imgrad_load_options *o,
                                                 imgrad_grid *out,
                                                 imgrad_source_info *info);

/* Reads a 1-D coordinate array: a .npy vector (any dtype imgrad_load_gray
 * takes, or int32/int64) or text with numbers separated by white space or
 * commas.  *values is malloc'ed (free() it), *count set.  Fails with EIO,
 * EDECODE (not numbers), EUNSUPPORTED, EEMPTY or ENOMEM, leaving *values NULL. */
IMGRAD_API imgrad_status imgrad_read_coords(const char *path, double **values,
                                            size_t *count);

/* ------------------------------------------------------------ gradients */

/* The derivative operators.  The 3x3 ones are correlations with OpenCV's
 * sign (positive where intensity rises to the right or downwards), divided
 * by the response to a unit ramp unless raw_scale is set:
 *
 *   sobel    [-1 0 1; -2 0 2; -1 0 1]   / 8   (gy: the transpose)
 *   scharr   [-3 0 3; -10 0 10; -3 0 3] / 32
 *   prewitt  [-1 0 1; -1 0 1; -1 0 1]   / 6
 *   roberts  d1 = f(x+1,y+1) - f(x,y), d2 = f(x,y+1) - f(x+1,y) (the Roberts
 *            cross), turned back to the axes: gx = (d1 - d2) / 2,
 *            gy = (d1 + d2) / 2.  This is the gradient at the centre of the
 *            2x2 cell, (x + 0.5, y + 0.5), stored at pixel (x, y); the last
 *            column and row take x + 1 and y + 1 from the border rule. */
typedef enum imgrad_operator {
    IMGRAD_OP_CENTRAL, /* numpy.gradient: central differences, one-sided edges */
    IMGRAD_OP_SOBEL,
    IMGRAD_OP_SCHARR,
    IMGRAD_OP_PREWITT,
    IMGRAD_OP_ROBERTS
} imgrad_operator;

typedef enum imgrad_border {
    IMGRAD_BORDER_REFLECT101, /* gfedcb|abcdefgh|gfedcba, OpenCV's default */
    IMGRAD_BORDER_REFLECT,    /* fedcba|abcdefgh|hgfedcb */
    IMGRAD_BORDER_REPLICATE,  /* aaaaaa|abcdefgh|hhhhhhh */
    IMGRAD_BORDER_CONSTANT,   /* vvvvvv|abcdefgh|vvvvvvv */
    IMGRAD_BORDER_WRAP        /* cdefgh|abcdefgh|abcdefg */
} imgrad_border;

typedef struct imgrad_options {
    imgrad_operator op;      /* default IMGRAD_OP_CENTRAL */
    int edge_order;          /* central only: 1 or 2, default 1 */
    double dx, dy;           /* central: uniform spacing, default 1 */
    const double *x_coords;  /* central: width x positions, or NULL */
    const double *y_coords;  /* central: height y positions, or NULL */
    int raw_scale;           /* nonzero: OpenCV's unnormalised kernels */
    imgrad_border border;    /* border rule of the convolution operators and
                                of the Gaussian smoothing (every operator) */
    double border_value;     /* for IMGRAD_BORDER_CONSTANT */
    double sigma;            /* Gaussian pre-smoothing, 0 = none; the kernel
                                is cut at radius floor(4 sigma + 0.5) */
    int norm_l1;             /* magnitude |gx| + |gy| instead of hypot */
    double magnitude_factor; /* magnitude multiplied by this, default 1 */
    int angle_degrees;       /* direction in degrees instead of radians */
    int angle_positive;      /* direction in [0, 2pi) instead of (-pi, pi] */
    double canny_low;        /* edges: hysteresis thresholds in magnitude */
    double canny_high;       /* units; both < 0 (default): automatic */
    int threads;             /* OpenMP threads, 0 = OpenMP's default */
} imgrad_options;

/* Fills o with numpy.gradient's defaults (central, edge order 1, unit spacing,
 * no smoothing, L2 magnitude, radians in (-pi, pi], border reflect101,
 * automatic Canny thresholds, default threads). */
IMGRAD_API void imgrad_options_default(imgrad_options *o);

/* Which products to compute: each non-NULL pointer names an empty grid that
 * imgrad_gradient allocates and fills; NULL products are not computed. */
typedef struct imgrad_products {
    imgrad_grid *gx;
    imgrad_grid *gy;
    imgrad_grid *magnitude;
    imgrad_grid *direction;
    imgrad_grid *edges;  /* Canny: 1 on edge pixels, 0 elsewhere */
    double *thresholds;  /* if non-NULL with edges: receives the low and
                            high thresholds used (2 doubles) */
} imgrad_products;

/* Computes the requested products of in: optional Gaussian smoothing, then
 * one parallel pass over rows for gx, gy, magnitude and direction, then for
 * edges Canny's non-maximum suppression (parallel over rows) and hysteresis.
 * Results are bit-identical for every thread count.
 *
 * Canny follows OpenCV: a pixel survives suppression when its magnitude
 * exceeds the low threshold and its two neighbours across the edge (one of
 * 4 direction sectors of 45 degrees); pixels above the high threshold seed
 * edges that grow through 8-connected survivors.  Automatic thresholds
 * (canny_low and canny_high both < 0): high = Otsu's threshold on the
 * magnitude histogram (256 bins from 0 to the largest magnitude), low =
 * high / 2; only one given: the other is twice or half of it.
 *
 * Fails with EINVAL (bad options, all products NULL), ETOOSMALL (an axis
 * shorter than edge_order + 1 for central), ECOORDS (coordinates not finite
 * or not strictly increasing) or ENOMEM; every product is then empty. */
IMGRAD_API imgrad_status imgrad_gradient(const imgrad_grid *in,
                                         const imgrad_options *o,
                                         const imgrad_products *out);

/* ----------------------------------------------------------- statistics */

#define IMGRAD_STATS_BINS 8

/* Summary of one image's gradient, for dataset quality checks. */
typedef struct imgrad_stats {
    int width, height;
    double mean, median, p95, max; /* of the magnitude; median and p95 are
                                      numpy.percentile's (linear) */
    double edge_density;           /* share of pixels with magnitude > threshold
                                      (compared in float32, as numpy does) */
    /* share of those edge pixels whose direction atan2(gy, gx) lies in
     * [45 k, 45 (k + 1)) degrees, measured from +x towards +y (down), for
     * bin k = 0..7; all 0 when there is no edge pixel */
    double orientation[IMGRAD_STATS_BINS];
} imgrad_stats;

/* Fills *out from the magnitude, gx and gy grids of one image (all the same
 * size).  Bins are decided by exact comparisons of gx and gy, never by a
 * rounded angle.  Fails with EINVAL (NULL, empty or mismatched grids, a
 * threshold that is negative or not finite) or ENOMEM (it sorts a copy of
 * the magnitude); *out is then unchanged. */
IMGRAD_API imgrad_status imgrad_gradient_stats(const imgrad_grid *magnitude,
                                               const imgrad_grid *gx,
                                               const imgrad_grid *gy,
                                               double edge_threshold,
                                               imgrad_stats *out);

/* Colours a gradient field: hue from direction (0 = red for a gradient
 * pointing right (+x), then yellow, green, cyan (pointing left), blue,
 * magenta, with y down as everywhere in imgrad), full saturation, and value
 * magnitude / scale clipped to 1.  direction may use any range; it is in
 * degrees when angle_degrees is nonzero, else radians.  Writes 3 bytes (RGB)
 * per pixel, rows packed, to rgb (width * height * 3 bytes).  Fails with
 * EINVAL on a NULL or empty argument, grids of different sizes, or a
 * scale <= 0. */
IMGRAD_API imgrad_status imgrad_to_hsv8(const imgrad_grid *magnitude,
                                        const imgrad_grid *direction,
                                        int angle_degrees, double scale,
                                        unsigned char *rgb);

/* ------------------------------------------------------------- writing */

typedef enum imgrad_format {
    IMGRAD_FORMAT_NPY,
    IMGRAD_FORMAT_PNG,
    IMGRAD_FORMAT_JPG,
    IMGRAD_FORMAT_BMP,
    IMGRAD_FORMAT_TGA
} imgrad_format;

/* Writes g to path as a float32 (H, W) .npy file that numpy.load reads.
 * The file appears atomically: it is written under a temporary name in the
 * same folder and renamed, so path never holds a partial file.  Fails with
 * EINVAL or EIO (errno set); a failed write leaves no file behind. */
IMGRAD_API imgrad_status imgrad_write_npy(const char *path, const imgrad_grid *g);

/* How PNG rows are predicted before compression (the PNG filter types). */
typedef enum imgrad_png_filter {
    IMGRAD_PNG_ADAPTIVE = -1, /* per row, the filter with the least sum of |byte| */
    IMGRAD_PNG_NONE = 0,
    IMGRAD_PNG_SUB,           /* from the left neighbour */
    IMGRAD_PNG_UP,            /* from the pixel above */
    IMGRAD_PNG_AVERAGE,       /* from the mean of those two */
    IMGRAD_PNG_PAETH          /* from whichever of left, above, upper-left fits */
} imgrad_png_filter;

typedef struct imgrad_write_options {
    int png_level;    /* PNG compression 0..9 (libdeflate's), default 6 */
    int jpeg_quality; /* 1..100, default 95 */
    int png_filter;   /* an imgrad_png_filter, default IMGRAD_PNG_ADAPTIVE */
} imgrad_write_options;

/* Fills o with the defaults above. */
IMGRAD_API void imgrad_write_options_default(imgrad_write_options *o);

/* Writes 8-bit pixels (width x height x channels, channels 1 or 3, rows
 * packed) to path in fmt (PNG, JPG, BMP or TGA), atomically as above.
 * o may be NULL for defaults.  Fails with EINVAL, ENOMEM, EIO, or EOVERFLOW
 * when (width * channels + 1) * height exceeds INT_MAX (stb's int sizes). */
IMGRAD_API imgrad_status imgrad_write_image8(const char *path, imgrad_format fmt,
                                             const unsigned char *pixels,
                                             int width, int height, int channels,
                                             const imgrad_write_options *o);

typedef enum imgrad_map {
    IMGRAD_MAP_UNSIGNED, /* 0 -> 0, scale -> 255 (magnitude, grey) */
    IMGRAD_MAP_SIGNED,   /* -scale -> 1, 0 -> 128, +scale -> 255 (gx, gy) */
    IMGRAD_MAP_ANGLE     /* -pi -> 0 .. pi -> 255, linear (direction) */
} imgrad_map;

/* The display scale of g for map: the 99th percentile of |value| over the
 * grid (so a few outliers do not darken the rest), or the largest |value| if
 * that percentile is 0, or 1 if the grid is all zero.  Never fails on a valid
 * grid; returns 1 for an empty one. */
IMGRAD_API double imgrad_auto_scale(const imgrad_grid *g);

/* Maps g to 8-bit pixels (width * height bytes at out) by map, clipping, and
 * rounding to nearest.  scale (> 0) is ignored for IMGRAD_MAP_ANGLE.
 * Fails with EINVAL on a NULL or empty argument or a scale <= 0. */
IMGRAD_API imgrad_status imgrad_to_8bit(const imgrad_grid *g, imgrad_map map,
                                        double scale, unsigned char *out);

#ifdef __cplusplus
}
#endif
#endif /* IMGRAD_H */
