/* kernel.h - private to libimgrad's kernel/ folder and its tests: the pixel
 * arithmetic (streaming stores, magnitude and direction, borders, the
 * convolution operators, Gaussian smoothing, Canny). */
#ifndef IMGRAD_KERNEL_H
#define IMGRAD_KERNEL_H

#include "../lib.h"

/* ---- division by a power of two (polar.c) */

/* 1/h when h is a power of two whose reciprocal is a normal float: then 1/h
 * is exact and x * (1/h) rounds to the same float as x / h (both are the
 * correctly rounded exact quotient), so a multiply may replace numpy's or
 * OpenCV's division (Sobel's 8, Scharr's 32, spacings 0.5 or 2).  Else 0. */
IMGRAD_HIDDEN float imgrad__exact_recip(float h);

/* ---- streaming stores (stream.c) */

/* Outputs of a pass larger than this in total are written with streaming
 * stores: they cannot stay in cache, so reading their lines first is waste. */
#ifndef IMGRAD__STREAM_MIN_BYTES
#define IMGRAD__STREAM_MIN_BYTES ((size_t)64 << 20)
/* ---- N-D numpy.gradient (ndgradient.c) */

/* imgrad_gradient_nd with the typed loops of build isa (at most
 * imgrad__cpu_isa()): the tests check that every build gives the same bits. */
IMGRAD_HIDDEN imgrad_status imgrad__gradient_nd_isa(const imgrad_array *in,
                                                    const imgrad_nd_options *o,
                                                    imgrad_array *out, imgrad__isa isa);

#endif

/* Copies n floats from src to dst (float-aligned, not overlapping) with
 * non-temporal stores where the CPU has them, else memcpy; isa (at most
 * imgrad__cpu_isa()) picks the width of the stores. */
IMGRAD_HIDDEN void imgrad__stream_floats(imgrad__isa isa, float *dst, const float *src, int n);

/* Makes this thread's streaming stores visible to other threads; call it
 * before the end of the parallel region that made them. */
IMGRAD_HIDDEN void imgrad__stream_fence(void);

/* ---- magnitude and direction (polar.c) */

typedef struct imgrad__polar {
    int norm_l1;  /* |gx| + |gy| instead of the Euclidean norm */
    int scaled;   /* multiply the magnitude by factor */
    float factor;
    int positive; /* direction in [0, 2pi) */
    int degrees;  /* direction in degrees */
    imgrad__isa isa; /* the build of the loops to run */
} imgrad__polar;

/* Plans o's magnitude and direction options and picks the code for this CPU. */
IMGRAD_HIDDEN void imgrad__polar_plan(const imgrad_gradient_options *o, imgrad__polar *p);

/* Magnitude and direction of n pixels of gx, gy into mag and dir (either
 * may be NULL): the fast vectorised loops described in polar.c. */
IMGRAD_HIDDEN void imgrad__polar_row(const imgrad__polar *p, const float *gx,
                                     const float *gy, float *mag, float *dir, int n);

/* The same with hypotf and atan2f, one pixel at a time: the reference the
 * fast loops are checked against (tests and imgrad bench). */
IMGRAD_HIDDEN void imgrad__polar_row_reference(const imgrad__polar *p, const float *gx,
                                               const float *gy, float *mag, float *dir,
                                               int n);

/* ---- borders (convolve.c) */

/* The index in [0, n) that border rule b reads for position i (any int), or
 * -1 where IMGRAD_BORDER_CONSTANT supplies its value instead.  Follows
 * OpenCV's borderInterpolate, including reflections longer than n. */
IMGRAD_HIDDEN int imgrad__border_index(int i, int n, imgrad_border b);

/* Copies row y of in (any y, through the border rule) into dst[pad ..
 * pad + width) and fills pad values on each side by the same rule. */
IMGRAD_HIDDEN void imgrad__pad_row(const imgrad_grid *in, int y, int pad,
                                   imgrad_border b, float value, float *dst);

/* ---- convolution operators: sobel, scharr, prewitt, roberts (convolve.c) */

typedef struct imgrad__conv {
    imgrad_operator op;
    float outer, centre;  /* 3x3: smoothing weights across the derivative */
    float divisor;        /* the unit-ramp response, or 1 for raw scale */
    float recip;          /* 1 / divisor when that is exact, else 0 */
    imgrad_border border;
    float border_value;
    imgrad__isa isa;      /* the build of the row loops to run */
    /* A banded pass holds only a window of the input's rows: row y at
     * win + (y - win_first) * stride when win is set (not for Roberts). */
    const float *win;
    int win_first;
} imgrad__conv;

/* Plans o's operator; EINVAL if it is central or unknown. */
IMGRAD_HIDDEN imgrad_status imgrad__conv_plan(const imgrad_gradient_options *o, imgrad__conv *p);

/* Floats of scratch space imgrad__conv_row needs for a row of width w. */
IMGRAD_HIDDEN size_t imgrad__conv_scratch(int w);

/* Columns [x0, x1) of row y of gx and gy (either may be NULL; both indexed
 * by column) of in under plan p, the same bits whatever the spans a row is
 * made in.  Roberts makes whole rows only: x0 = 0, x1 = width.  scratch
 * holds imgrad__conv_scratch(width) floats. */
IMGRAD_HIDDEN void imgrad__conv_span(const imgrad__conv *p, const imgrad_grid *in, int y,
                                     int x0, int x1, float *scratch, float *gx, float *gy);

/* ---- the gradient of rows as they arrive (gradient.c) */

/* imgrad_gradient of a w x h input that read supplies top to bottom, made a
 * band of rows at a time while those rows are in cache: the same products,
 * bit for bit, and the input is never whole in memory.  IMGRAD_EUNSUPPORTED,
 * before anything is read, for what needs the whole input at once
 * (smoothing, edges, Roberts, the wrap border, products in place, float64
 * residuals); a failure of read is returned as it is, out left empty. */
IMGRAD_HIDDEN imgrad_status imgrad__gradient_rows(int w, int h, imgrad__read_rows read,
                                                  void *ctx, const imgrad_gradient_options *o,
                                                  const imgrad_products *out);

/* ---- Gaussian smoothing (smooth.c) */

/* The largest Gaussian radius imgrad_gaussian takes (any image wider than
 * this is refused before: IMGRAD_DEFAULT_MAX_DIMENSION is 65535). */
#define IMGRAD__GAUSS_MAX_RADIUS (1 << 20)

/* The radius at which the Gaussian of sigma is cut: floor(4 sigma + 0.5),
 * scipy.ndimage's rule, at least 1, and IMGRAD__GAUSS_MAX_RADIUS + 1 for any
 * sigma beyond that. */
IMGRAD_HIDDEN int imgrad__gauss_radius(double sigma);

/* The Gaussian of sigma with a constant 0 border, divided at each pixel by
 * the kernel's weight inside the image (plus float64's epsilon): what
 * skimage.feature.canny smooths with (mode "constant", its "bleed over"
 * correction).  The contract of imgrad_gaussian otherwise. */
IMGRAD_HIDDEN imgrad_status imgrad__gaussian_normalised(const imgrad_grid *in, double sigma,
                                                        int threads, imgrad_grid *out);

/* ---- Canny (canny.c) */

/* Edges from full gx, gy and magnitude grids by o's thresholds (automatic
 * when negative: Otsu, at least floor) into the allocated grid edges (0 or 1); used receives the
 * thresholds applied.  ENOMEM on failure. */
IMGRAD_HIDDEN imgrad_status imgrad__canny(const imgrad_grid *gx, const imgrad_grid *gy,
                                          const imgrad_grid *mag, const imgrad_gradient_options *o,
                                          double floor, imgrad_grid *edges, double used[2]);

/* The least automatic high threshold for input in (unsmoothed) under o's
 * gradient: the larger of 4 sqrt(2) times the deviation of white noise in
 * in (Immerkaer's estimate) carried through o's operator, and the
 * magnitude of a step of 5 quantisation levels of in (the least positive
 * difference of neighbours).  0 when out of memory. */
IMGRAD_HIDDEN double imgrad__canny_floor(const imgrad_grid *in, const imgrad_gradient_options *o);

/* Edges of in into the allocated grid edges by o->canny_mode's own
 * gradient (IMGRAD_CANNY_OPENCV or IMGRAD_CANNY_SKIMAGE, see imgrad.h),
 * whatever o's operator; used receives the thresholds.  ENOMEM. */
IMGRAD_HIDDEN imgrad_status imgrad__canny_compat(const imgrad_grid *in,
                                                 const imgrad_gradient_options *o,
                                                 imgrad_grid *edges, double used[2]);

/* Otsu's threshold of the values of g (>= 0) over 256 bins from 0 to the
 * largest; 0 for an all-zero grid. */
IMGRAD_HIDDEN double imgrad__otsu(const imgrad_grid *g);

/* ---- N-D numpy.gradient (ndgradient.c) */

/* imgrad_gradient_nd with the typed loops of build isa (at most
 * imgrad__cpu_isa()): the tests check that every build gives the same bits. */
IMGRAD_HIDDEN imgrad_status imgrad__gradient_nd_isa(const imgrad_array *in,
                                                    const imgrad_nd_options *o,
                                                    imgrad_array *out, imgrad__isa isa);

#endif
