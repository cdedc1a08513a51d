/* imgrad.h - image gradients and edges, the one public header of libimgrad.
 *
 * Usage (C99):
 *
 *     imgrad_load_options lo;
 *     imgrad_load_options_default(&lo);
 *     imgrad_grid gray, mag;
 *     imgrad_status st = imgrad_load_gray("cat.png", &lo, &gray, NULL);
 *     if (st != IMGRAD_OK) { fprintf(stderr, "%s\n", imgrad_strerror(st)); ... }
 *
 *     imgrad_gradient_options o;
 *     imgrad_gradient_options_default(&o);     // numpy.gradient, unit spacing
 *     st = imgrad_gradient(&gray, &o, &(imgrad_products){ .magnitude = &mag });
 *     st = imgrad_write_npy("cat.magnitude.npy", &mag);
 *     imgrad_grid_free(&mag);
 *     imgrad_grid_free(&gray);
 *
 * Memory.  Grids are freed with imgrad_grid_free; everything else the
 * library allocates for a caller (decoded pixels, coordinate arrays) with
 * imgrad_free.  The library never keeps a pointer a caller passed in.
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
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__) && !defined(IMGRAD_STATIC_ONLY)
#define IMGRAD_API __attribute__((visibility("default")))
#else
#define IMGRAD_API
#endif

/* The version of this header.  ABI rule: while the major version is 0, a
 * minor release may change the API and ABI (the shared library's soname is
 * libimgrad.so.0.MINOR then); a patch release never does.  From 1.0 on, only
 * a major release breaks either. */
#define IMGRAD_VERSION_MAJOR 0
#define IMGRAD_VERSION_MINOR 2
#define IMGRAD_VERSION_PATCH 0
#define IMGRAD_VERSION "0.2.0"

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
    IMGRAD_ETOOSMALL,   /* an axis is too short for the requested edge order,
                           or for the Gaussian's radius (sigma) */
    IMGRAD_ECOORDS,     /* coordinates: wrong length */
    IMGRAD_EEMPTY,      /* the image or grid has a zero dimension */
    IMGRAD_ENOPAGE      /* the file has no page of that number
                           (imgrad_load_options.page) */
} imgrad_status;

/* A short English description of st; never NULL, static storage. */
IMGRAD_API const char *imgrad_strerror(imgrad_status st);

/* The library's version string, IMGRAD_VERSION when it was built (compare it
 * with the header's to catch a program run against another build). */
IMGRAD_API const char *imgrad_version(void);

/* The instruction set the pixel loops run with: "avx512", "avx2" or "sse2"
 * on x86-64 ("baseline" elsewhere); never NULL, static storage.  It is the
 * CPU's best, or a lower level named by the environment variable
 * IMGRAD_ISA (sse2, avx2 or avx512), which the library reads at each call
 * that plans a kernel; a level the CPU lacks, or an unknown name, is
 * ignored (the outputs are the same bits at every level). */
IMGRAD_API const char *imgrad_isa(void);

/* Frees what the library allocated for the caller outside grids: decoded
 * pixels (imgrad_pixels.data from imgrad_decode_memory) and coordinate
 * arrays (imgrad_read_coords).  NULL is fine. */
IMGRAD_API void imgrad_free(void *p);

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
                       numpy.gradient does on uint8 or float64 arrays.
                       Contract: the value of a pixel is data + residual.
                       A caller who changes data must change residual to
                       match, or free it and set it to NULL (then data
                       alone is the value, computed in float32); a stale
                       residual silently shifts the result. */
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
    IMGRAD_GRAY_SKIMAGE, /* 0.2125 R + 0.7154 G + 0.0721 B (skimage rgb2gray) */
    IMGRAD_GRAY_OPENCV   /* cv2.imread(path, IMREAD_GRAYSCALE) exactly: whole
                            8-bit levels, a JPEG's luma plane by libjpeg-turbo,
                            a PNG's grey by libpng's rgb_to_gray as OpenCV asks
                            for it, other colour images (4899 R + 9617 G +
                            1868 B + 8192) >> 14, 16-bit samples their high
                            byte; float (HDR) samples by Rec.601 (docs/compat.md) */
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
    int raw_range;            /* nonzero: 8-bit grey kept in 0..255 and 16-bit
                                 in 0..65535 (OpenCV's units) instead of
                                 scaled to [0, 1]; default 0 */
    int page;                 /* which image of a multi-image file, from 0:
                                 a TIFF's directories in file order; every
                                 other format has page 0 only (HEIF: its
                                 primary image).  IMGRAD_ENOPAGE past the end */
} imgrad_load_options;

/* Fills o with the defaults: Rec.601, IMGRAD_DEFAULT_MAX_PIXELS,
 * IMGRAD_DEFAULT_MAX_DIMENSION, orient = 1, residual = 1, jpeg_luma = 0,
 * raw_range = 0, page = 0. */
IMGRAD_API void imgrad_load_options_default(imgrad_load_options *o);

typedef enum imgrad_source_kind {
    IMGRAD_SOURCE_8BIT,   /* 8-bit image, values / 255 */
    IMGRAD_SOURCE_16BIT,  /* 16-bit PNG, PSD, PNM or TIFF, 10/12-bit HEIF
                             scaled to 16 bits; values / 65535 */
    IMGRAD_SOURCE_HDR,    /* Radiance HDR, float values as they are */
    IMGRAD_SOURCE_NPY,    /* .npy 2-D array, values as they are */
    IMGRAD_SOURCE_FLOAT   /* float32 TIFF, values as they are */
} imgrad_source_kind;

typedef struct imgrad_source_info {
    int width, height;
    int channels;             /* channels in the file (1 grey .. 4 RGBA) */
    imgrad_source_kind kind;
} imgrad_source_info;

/* Samples of pixels in memory. */
typedef enum imgrad_sample {
    IMGRAD_SAMPLE_U8,  /* 0..255, scaled by 1/255 */
    IMGRAD_SAMPLE_U16, /* 0..65535 in the machine's byte order, scaled by 1/65535 */
    IMGRAD_SAMPLE_F32  /* float, taken as it is (linear light, as HDR) */
} imgrad_sample;

/* Interleaved pixels in memory, as a decoder, a camera or OpenCV's Mat holds
 * them: channels 1 (grey), 2 (grey, alpha), 3 (colour) or 4 (colour, alpha);
 * colour in R, G, B order, or B, G, R when bgr is set (OpenCV).  Alpha is
 * ignored.  Describe a caller's buffer with designated initialisers:
 *
 *     imgrad_pixels px = { .data = mat_data, .sample = IMGRAD_SAMPLE_U8,
 *                          .width = w, .height = h, .channels = 3, .bgr = 1,
 *                          .stride = step };                               */
typedef struct imgrad_pixels {
    void *data;           /* the first sample of row 0 */
    imgrad_sample sample;
    int width, height;    /* > 0 */
    int channels;         /* 1 to 4 */
    int bgr;              /* nonzero: colour stored B, G, R */
    size_t stride;        /* bytes from one row to the next (any value that
                             holds a row, no alignment needed), 0 = packed */
} imgrad_pixels;

/* Makes a new grey grid *out from pixels in memory, without encoding a file:
 * each sample scaled to [0, 1] (floats as they are), colour weighted by
 * weights in double precision and rounded once to float32, exactly as the
 * loaders do; with residual nonzero, out->residual keeps what float32 lost
 * (see imgrad_grid).  Fails with EINVAL (NULL, a size, channel count or
 * sample type out of range, a stride shorter than a row), EOVERFLOW or
 * ENOMEM; *out is then empty. */
IMGRAD_API imgrad_status imgrad_gray_from_pixels(const imgrad_pixels *px,
                                                 imgrad_gray_weights weights,
                                                 int residual, imgrad_grid *out);

/* Decodes an image in memory (not .npy) to its pixels as stored: 8-bit,
 * 16-bit (PNG, PSD, PNM, TIFF, deep HEIF) or float (HDR, float TIFF)
 * samples, packed rows, its own channels, no EXIF or TIFF turn (HEIF comes
 * turned by libheif); o->page picks a TIFF's page.  out->data is freed with imgrad_free.  o (may be
 * NULL) gives the size limits.  Fails as imgrad_load_gray_memory does, and
 * with EUNSUPPORTED for a .npy array; *out is then empty. */
IMGRAD_API imgrad_status imgrad_decode_memory(const unsigned char *data, size_t len,
                                              const imgrad_load_options *o,
                                              imgrad_pixels *out);

/* Decodes the image or .npy file at path into a new float32 grey grid *out.
 * The file type is found from its contents, not its name.  Images: PNG, JPEG,
 * BMP, TGA, GIF (first frame), PSD, HDR, PNM at 8 or 16 bits (or float for
 * HDR); TIFF (libtiff: 8/16-bit or float32, o->page picks the directory),
 * WebP (libwebp), HEIF/HEIC and AVIF (libheif: the primary image, 10 and
 * 12-bit scaled to 16); colour becomes grey by o->gray.  .npy: a 2-D little-endian array of
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

/* The size, channels and kind of the image or .npy array in data (len
 * bytes: the whole file, as for imgrad_load_gray_memory; o's page, or
 * the defaults when o is NULL) from its header alone, without decoding a
 * pixel: for estimating the memory a decode will take before it starts.
 * width and height are as stored (before any EXIF turn).  Returns
 * IMGRAD_OK, EINVAL (NULL data or info), EEMPTY, EFORMAT (not an image
 * imgrad can size), EDECODE (a header it cannot read) or ENOPAGE; *info is
 * then zeroed. */
IMGRAD_API imgrad_status imgrad_probe_memory(const unsigned char *data, size_t len,
                                             const imgrad_load_options *o,
                                             imgrad_source_info *info);

/* What data (its first bytes, len of them; 4 KiB is plenty) holds, as far as
 * its header tells, as a short English phrase in text (cap bytes, always
 * terminated): "a .npy array of dtype <c8 and shape (2, 3)", "a BMP (RLE8-compressed,
 * 8 bits a pixel)", "a Netpbm PAM (P7) image", "a TIFF image"...  For the message
 * that explains why a load failed with EFORMAT or EUNSUPPORTED.  Returns the
 * length of the phrase it wanted to write, or 0 (text "") when it does not
 * recognise the data.  Never fails. */
IMGRAD_API size_t imgrad_describe(const unsigned char *data, size_t len, char *text, size_t cap);

/* Decodes the image or .npy file at path, as imgrad_load_gray does, into
 * one float32 grid per colour channel instead of one grey grid: channels[0]
 * alone for grey (and .npy), channels[0..2] = R, G, B for colour; alpha is
 * dropped.  Each sample is scaled as the grey is (8-bit / 255, 16-bit /
 * 65535, float as it is), residuals kept as o->residual says, and the image
 * turned upright as for the grey.  *count receives 1 or 3; channels must
 * have room for 3 grids, each freed with imgrad_grid_free.  Fails as
 * imgrad_load_gray does; every grid is then empty and *count 0. */
IMGRAD_API imgrad_status imgrad_load_channels(const char *path, const imgrad_load_options *o,
                                              imgrad_grid channels[3], int *count,
                                              imgrad_source_info *info);

/* The same from len bytes at data (the caller keeps ownership). */
IMGRAD_API imgrad_status imgrad_load_channels_memory(const unsigned char *data, size_t len,
                                                     const imgrad_load_options *o,
                                                     imgrad_grid channels[3], int *count,
                                                     imgrad_source_info *info);

/* Reads a 1-D coordinate array: a .npy vector (any dtype imgrad_load_gray
 * takes, or int32/int64) or text with numbers separated by white space or
 * commas.  *values is allocated (imgrad_free it), *count set.  Fails with EIO,
 * EDECODE (not numbers), EUNSUPPORTED, EEMPTY or ENOMEM, leaving *values NULL. */
IMGRAD_API imgrad_status imgrad_read_coords(const char *path, double **values,
                                            size_t *count);

/* The same, and *float32 (may be NULL) set nonzero when the file is a
 * float32 .npy, whose values numpy computes with in float32. */
IMGRAD_API imgrad_status imgrad_read_coords_dtype(const char *path, double **values,
                                                  size_t *count, int *float32);

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

/* Which Canny imgrad_gradient runs for the edges product. */
typedef enum imgrad_canny_mode {
    IMGRAD_CANNY_OWN,     /* on this call's gx, gy and magnitude (its operator,
                             norm and smoothing), OpenCV's suppression */
    IMGRAD_CANNY_OPENCV,  /* cv2.Canny(img, low, high, L2gradient=canny_l2):
                             raw Sobel with replicated borders, no smoothing,
                             |gx| + |gy| unless canny_l2, OpenCV's suppression */
    IMGRAD_CANNY_SKIMAGE  /* skimage.feature.canny(img, canny_sigma): Gaussian
                             with mode "constant" normalised by the weight
                             inside, raw Sobel with reflected borders, hypot,
                             interpolated suppression, thresholds inclusive
                             (automatic: 0.1 and 0.2), never on the outer
                             one-pixel frame */
} imgrad_canny_mode;

typedef struct imgrad_gradient_options {
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
    int canny_mode;          /* an imgrad_canny_mode, default IMGRAD_CANNY_OWN */
    int canny_l2;            /* IMGRAD_CANNY_OPENCV: L2gradient */
    double canny_sigma;      /* IMGRAD_CANNY_SKIMAGE: its sigma (default 1) */
    int coords_float32;      /* bit 0 (1): x_coords, bit 1 (2): y_coords
                                hold float32 values (a float32 .npy, see
                                imgrad_read_coords_dtype): their steps and
                                weights are then computed in float32, as
                                numpy does */
} imgrad_gradient_options;

/* Fills o with numpy.gradient's defaults (central, edge order 1, unit spacing,
 * no smoothing, L2 magnitude, radians in (-pi, pi], border reflect101,
 * automatic Canny thresholds, default threads). */
IMGRAD_API void imgrad_gradient_options_default(imgrad_gradient_options *o);

/* Which products to compute; NULL products are not computed.  By default
 * each non-NULL pointer names a grid that imgrad_gradient allocates and
 * fills (whatever it held is overwritten, not freed).  With in_place set,
 * each names the caller's own grid of in's width and height (any stride >=
 * width, its residual ignored), written in place and never freed: the way
 * to reuse buffers across calls or compute into memory the caller owns. */
typedef struct imgrad_products {
    imgrad_grid *gx;
    imgrad_grid *gy;
    imgrad_grid *magnitude;
    imgrad_grid *direction;
    imgrad_grid *edges;  /* Canny: 1 on edge pixels, 0 elsewhere */
    double *thresholds;  /* if non-NULL with edges: receives the low and
                            high thresholds used (2 doubles) */
    int in_place;        /* nonzero: the grids are the caller's, see above */
    double *magnitude_scale; /* if non-NULL with magnitude: receives
                                imgrad_auto_scale(magnitude), for callers
                                that would ask for it more than once */
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
 * magnitude histogram (256 bins from 0 to the largest magnitude), but at
 * least a floor that keeps noise out: 4 sqrt(2) times the deviation of
 * white noise in `in` (Immerkaer's estimate) carried through the operator,
 * or, when at least a quarter of neighbours along rows differ (a sampled
 * photo, not a drawing), the magnitude of a step of 5 quantisation levels
 * of in (its least positive difference between neighbours), whichever is
 * larger
 * (docs/compat.md has figures); low = high / 2; only one given: the
 * other is twice or half of it.  canny_mode picks another library's whole
 * Canny instead (IMGRAD_CANNY_SKIMAGE's automatic pair is 0.1, 0.2).
 *
 * Fails with EINVAL (bad options, all products NULL), ETOOSMALL (an axis
 * shorter than edge_order + 1 for central) or ENOMEM; every product is
 * then empty (coordinates may be anything numpy takes: decreasing or
 * repeated ones give its inf and nan) (in
 * place: EINVAL also for a product of another size; the caller's grids then
 * hold unspecified values). */
IMGRAD_API imgrad_status imgrad_gradient(const imgrad_grid *in,
                                         const imgrad_gradient_options *o,
                                         const imgrad_products *out);

/* Decodes the image in data and computes its products: exactly
 * imgrad_load_gray_memory(data, len, lo, &grey, info) then
 * imgrad_gradient(&grey, go, out), the same bits, without the grey.  A JPEG
 * read through its luma plane (lo->jpeg_luma, nothing to turn; for central
 * differences, no residual) is differentiated as it is decoded, a band of rows at a time while they
 * are in cache, so its grey is never whole in memory: for a photo that is
 * one full-size float32 grid written and read less (imgrad_gradient's
 * operators but Roberts; not with sigma, edges, the wrap border or products
 * in place, which take the two steps).  Fails as those two do: the loader's
 * statuses, or imgrad_gradient's (EINVAL, ETOOSMALL, ENOMEM); every product
 * is then empty.  info (may be NULL) is filled as the loader fills it once
 * the image's header is read, so it also sizes an image too small for
 * go. */
IMGRAD_API imgrad_status imgrad_load_gradient_memory(const unsigned char *data, size_t len,
                                                     const imgrad_load_options *lo,
                                                     const imgrad_gradient_options *go,
                                                     const imgrad_products *out,
                                                     imgrad_source_info *info);

/* Smooths in by a separable Gaussian of sigma > 0 (the kernel cut at radius
 * floor(4 sigma + 0.5), normalised to sum 1, borders by b with value for
 * IMGRAD_BORDER_CONSTANT) into a new grid *out of the same size, on threads
 * OpenMP threads (0: OpenMP's default).  This is the smoothing
 * imgrad_gradient applies for options.sigma.  Fails with EINVAL (NULL or
 * empty in, sigma not > 0 and finite, an unknown border) or ENOMEM; *out is
 * then empty. */
IMGRAD_API imgrad_status imgrad_gaussian(const imgrad_grid *in, double sigma,
                                         imgrad_border b, double value, int threads,
                                         imgrad_grid *out);

/* The colour gradient of Di Zenzo (1986) of count channel grids (1 to 4,
 * all the same size, e.g. from imgrad_load_channels).  Each channel's gx_c
 * and gy_c are computed by imgrad_gradient with o; then per pixel the 2x2
 * structure tensor summed over the channels,
 *
 *     gxx = sum gx_c^2,  gyy = sum gy_c^2,  gxy = sum gx_c gy_c,
 *
 * gives magnitude = sqrt(lambda) * o->magnitude_factor, lambda its largest
 * eigenvalue ((gxx + gyy + sqrt((gxx - gyy)^2 + 4 gxy^2)) / 2), and the
 * direction theta of its eigenvector, theta = atan2(2 gxy, gxx - gyy) / 2,
 * turned by pi when that points against the luma gradient sum w_c (gx_c,
 * gy_c), w the weights of luma (Rec.601 for 3 channels R, G, B, equal
 * weights for any other count; every channel counts in the tensor, so
 * leave alpha out).  gx = magnitude cos
 * theta, gy = magnitude sin theta; direction as o says (degrees, range).
 * Canny runs on this magnitude and direction (colour Canny; automatic
 * thresholds take the largest noise floor of the channels).  For one
 * channel this is that channel's own gradient.  o->norm_l1 has no meaning
 * here, nor edges by another library's Canny (canny_mode not OWN):
 * EINVAL.  Fails as imgrad_gradient does, and with EINVAL for a
 * count out of range or grids of different sizes; every product is then
 * empty. */
IMGRAD_API imgrad_status imgrad_color_gradient(const imgrad_grid *channels, int count,
                                               const imgrad_gradient_options *o,
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
    size_t nonfinite;              /* magnitudes that are NaN or infinite: left
                                      out of every figure above, which are
                                      over the finite ones (all 0 when none
                                      is finite) */
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
 * per pixel, rows packed, to rgb, which holds rgb_len bytes.  Fails with
 * EINVAL on a NULL or empty argument, grids of different sizes, a
 * scale <= 0, or rgb_len < width * height * 3. */
IMGRAD_API imgrad_status imgrad_to_hsv8(const imgrad_grid *magnitude,
                                        const imgrad_grid *direction,
                                        int angle_degrees, double scale,
                                        unsigned char *rgb, size_t rgb_len);

/* ------------------------------------------------------------- writing */

typedef enum imgrad_format {
    IMGRAD_FORMAT_NPY,
    IMGRAD_FORMAT_PNG,
    IMGRAD_FORMAT_JPG,
    IMGRAD_FORMAT_BMP,
    IMGRAD_FORMAT_TGA,
    IMGRAD_FORMAT_TIFF  /* imgrad_write_tiff (float32), imgrad_write_image16 */
} imgrad_format;

/* A file that appears whole or not at all: imgrad_file_open creates a new
 * temporary file beside path (".NAME.imgrad-tmp-PID-N"); write to fp;
 * imgrad_file_commit flushes, syncs and renames it onto path, and
 * imgrad_file_abort removes it.  Every imgrad_write_* call uses one.  A
 * program that handles signals can unlink tmp_path to leave nothing behind. */
typedef struct imgrad_file {
    FILE *fp;         /* write here */
    char *tmp_path;   /* the temporary file, in path's folder */
    char *final_path; /* a copy of path */
} imgrad_file;

/* Opens f for path.  Fails with EINVAL (NULL), EIO (errno set) or ENOMEM,
 * leaving f empty (abort is still safe). */
IMGRAD_API imgrad_status imgrad_file_open(imgrad_file *f, const char *path);

/* Flushes, closes and renames f onto its path.  On any failure the
 * temporary is removed and EIO returned (errno set); f is empty after. */
IMGRAD_API imgrad_status imgrad_file_commit(imgrad_file *f);

/* Closes and removes f's temporary file; safe on an empty or failed f. */
IMGRAD_API void imgrad_file_abort(imgrad_file *f);

/* Writes g as a float32 (H, W) .npy stream that numpy.load reads.  Fails
 * with EINVAL or EIO (errno set). */
IMGRAD_API imgrad_status imgrad_write_npy_fp(FILE *fp, const imgrad_grid *g);

/* The same into a file at path, atomically (imgrad_file): path never holds a
 * partial file, and a failed write leaves no file behind. */
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
 * packed) as an image in fmt (PNG, JPG, BMP or TGA) to the stream fp.
 * o may be NULL for defaults.  Fails with EINVAL, ENOMEM, EIO, or EOVERFLOW
 * when (width * channels + 1) * height exceeds INT_MAX (stb's int sizes). */
IMGRAD_API imgrad_status imgrad_write_image8_fp(FILE *fp, imgrad_format fmt,
                                                const unsigned char *pixels,
                                                int width, int height, int channels,
                                                const imgrad_write_options *o);

/* The same into a file at path, atomically (imgrad_file). */
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
 * grid's finite values, exactly numpy.percentile(|g|, 99) (linear rule), so
 * a few outliers do not darken the rest; or the largest |value| if that
 * percentile is 0, or 1 if the grid is all zero.  Never fails on a valid
 * grid; returns 1 for an empty one. */
IMGRAD_API double imgrad_auto_scale(const imgrad_grid *g);

/* Maps g to 8-bit pixels (width * height bytes, rows packed, at out, which
 * holds out_len bytes) by map, clipping, and rounding to nearest.  scale
 * (> 0) is ignored for IMGRAD_MAP_ANGLE.  Fails with EINVAL on a NULL or
 * empty argument, an unknown map, a scale <= 0 or out_len < width * height. */
IMGRAD_API imgrad_status imgrad_to_8bit(const imgrad_grid *g, imgrad_map map,
                                        double scale, unsigned char *out, size_t out_len);

/* imgrad_to_8bit then imgrad_write_image8_fp (one channel): the same file,
 * but a PNG is mapped a row at a time as it is coded, so no image-sized
 * 8-bit copy is made and each row is coded while it is in cache.  Fails as
 * those two do. */
IMGRAD_API imgrad_status imgrad_write_mapped8_fp(FILE *fp, imgrad_format fmt,
                                                 const imgrad_grid *g, imgrad_map map,
                                                 double scale, const imgrad_write_options *o);

/* ------------------------------------------------- N-D numpy.gradient */

/* numpy.gradient on an array of any rank, bit for bit (numpy 1.24):
 *
 *     double v[8] = { 8, 2, 8, 3, 5, 6, 5, 15 }, g[8];
 *     imgrad_array f = { .data = v, .dtype = IMGRAD_DT_FLOAT64, .ndim = 1,
 *                        .shape = { 8 }, .strides = { sizeof(double) } };
 *     imgrad_array d = f;                 // caller's buffer, same layout
 *     d.data = g;
 *     imgrad_nd_options o;
 *     imgrad_nd_options_default(&o);
 *     o.spacing[0].step = 7;              // np.gradient(v, 7)
 *     imgrad_status st = imgrad_gradient_nd(&f, &o, &d);
 */

#define IMGRAD_MAX_NDIM 32 /* numpy's NPY_MAXDIMS */

/* Element types.  FLOAT64 is 0 so that a zeroed imgrad_spacing means a
 * C double step. */
typedef enum imgrad_dtype {
    IMGRAD_DT_FLOAT64 = 0,
    IMGRAD_DT_FLOAT32,
    IMGRAD_DT_FLOAT16,   /* IEEE binary16 bits in a uint16_t */
    IMGRAD_DT_INT8, IMGRAD_DT_UINT8, IMGRAD_DT_INT16, IMGRAD_DT_UINT16,
    IMGRAD_DT_INT32, IMGRAD_DT_UINT32, IMGRAD_DT_INT64, IMGRAD_DT_UINT64,
    IMGRAD_DT_BOOL       /* one byte, 0 or 1 */
} imgrad_dtype;

/* An N-D array in the caller's memory, as numpy describes one. */
typedef struct imgrad_array {
    void *data;                          /* the element at index (0, ..., 0) */
    imgrad_dtype dtype;                  /* native byte order */
    int ndim;                            /* 1 .. IMGRAD_MAX_NDIM */
    size_t shape[IMGRAD_MAX_NDIM];       /* any may be 0 (nothing to do) */
    ptrdiff_t strides[IMGRAD_MAX_NDIM];  /* bytes between neighbours along
                                            each axis: any sign, any value */
} imgrad_array;

/* The spacing along one differentiated axis: numpy's varargs entry. */
typedef struct imgrad_spacing {
    double step;              /* uniform spacing, when coords is NULL */
    imgrad_dtype step_type;   /* the type numpy would see the step as:
                                 FLOAT64 (a C double, a Python float),
                                 FLOAT32 or FLOAT16 (numpy scalars of those
                                 types), an integer type (a Python or numpy
                                 int).  numpy 1.24's value-based casting makes
                                 it decide the precision of a few divisions
                                 on float16 and float32 arrays. */
    const imgrad_array *coords; /* NULL, or 1-D coordinates (float or integer,
                                   any stride) of length shape[axis]; numpy
                                   checks no order, nor does imgrad */
    int keep_coords;          /* nonzero: the coordinate formulas even when
                                 the steps are all equal (numpy then uses the
                                 uniform ones, with a different rounding); for
                                 a piece of a larger non-uniform axis */
} imgrad_spacing;

typedef struct imgrad_nd_options {
    int naxes;                     /* 0: every axis in order (numpy's
                                      axis=None); else how many of axes[] */
    int axes[IMGRAD_MAX_NDIM];     /* axes to differentiate, negative counts
                                      from the end, no repeats */
    imgrad_spacing spacing[IMGRAD_MAX_NDIM]; /* one per differentiated axis,
                                      in the order of the outputs */
    int edge_order;                /* 1 or 2 */
    int threads;                   /* OpenMP threads, 0 = OpenMP's default */
} imgrad_nd_options;

/* Fills o with numpy.gradient's defaults: every axis, unit double steps, no
 * coordinates, edge order 1, default threads. */
IMGRAD_API void imgrad_nd_options_default(imgrad_nd_options *o);

/* The dtype of the derivatives of an array of type t: t itself for float16,
 * float32 and float64, float64 for integers and bool (numpy computes those
 * in float64; numpy 1.24 itself raises TypeError for bool). */
IMGRAD_API imgrad_dtype imgrad_gradient_nd_dtype(imgrad_dtype t);

/* numpy.gradient(in, *spacing, axis=axes, edge_order=...) into out[0 ..
 * count), one derivative per differentiated axis, in order.  Each value is
 * the one numpy 1.24 computes, bit for bit: the same operations in the same
 * precision (float16 and float32 in their own, integers and bool in float64
 * after conversion, value-based casting of the spacing included), for any
 * strides, on any number of threads (parallel over outer dimensions).
 *
 * Outputs: an out[k] whose data is NULL is allocated here, C-contiguous
 * (ndim, shape, strides and dtype filled in; free data with imgrad_free).
 * Otherwise out[k] is the caller's buffer: same ndim and shape as in, dtype
 * imgrad_gradient_nd_dtype(in->dtype), any strides; it must not overlap in
 * nor another output.
 *
 * Fails with EINVAL (NULL, ndim out of range, a bad dtype, an axis out of
 * range or repeated, edge_order not 1 or 2, an output of another shape or
 * dtype), ECOORDS (coordinates not 1-D of the axis' length, or bool),
 * ETOOSMALL (an axis shorter than edge_order + 1), EOVERFLOW or ENOMEM.
 * Then the outputs allocated here are freed (data NULL again) and the
 * caller's hold unspecified values. */
IMGRAD_API imgrad_status imgrad_gradient_nd(const imgrad_array *in,
                                            const imgrad_nd_options *o,
                                            imgrad_array *out);

/* Reads the .npy file at path, of any rank from 1 to IMGRAD_MAX_NDIM, into
 * *out as stored: dtype float16, float32, float64, int8 to int64, uint8 to
 * uint64 or bool (little-endian or one byte), C or Fortran order (out's
 * strides say which), every size > 0.  out->data is allocated here; free it
 * with imgrad_free.  Fails with EINVAL (NULL), EIO (errno set), EFORMAT (not
 * a .npy file), EDECODE (a broken header or short data), EUNSUPPORTED (another
 * dtype, big-endian, a 0-d array), EEMPTY (an empty file or a zero size),
 * ETOOLARGE or ENOMEM; *out is then empty (data NULL). */
IMGRAD_API imgrad_status imgrad_read_npy_array(const char *path, imgrad_array *out);

/* Writes a (float16, float32 or float64, any strides) as a C-order .npy of
 * dtype as, IMGRAD_DT_FLOAT32 (each value rounded to nearest, as numpy's
 * astype) or IMGRAD_DT_FLOAT64 (exact), to fp.  Fails with EINVAL (NULL, a
 * dtype other than those), EOVERFLOW (a shape whose header does not fit) or
 * EIO (errno set). */
IMGRAD_API imgrad_status imgrad_write_npy_array_fp(FILE *fp, const imgrad_array *a,
                                                   imgrad_dtype as);

/* The same into a file at path, atomically (imgrad_file). */
IMGRAD_API imgrad_status imgrad_write_npy_array(const char *path, const imgrad_array *a,
                                                imgrad_dtype as);

/* ------------------------------------------------- 16-bit, TIFF and channels */

/* The 16-bit counterpart of imgrad_to_8bit: the same maps and clipping at
 * 65535 levels (unsigned: 0 -> 0, scale -> 65535; signed: -scale -> 1,
 * 0 -> 32768, +scale -> 65535; angle: -pi -> 0 .. pi -> 65535), rounded to
 * nearest, width * height values in out (out_len of them). */
IMGRAD_API imgrad_status imgrad_to_16bit(const imgrad_grid *g, imgrad_map map,
                                         double scale, uint16_t *out, size_t out_len);

/* Writes 16-bit pixels (width x height x channels, channels 1 or 3, rows
 * packed, native byte order) as a 16-bit PNG (libspng) or an uncompressed
 * 16-bit TIFF (fmt IMGRAD_FORMAT_PNG or IMGRAD_FORMAT_TIFF) to fp, which
 * need not be seekable.  o (may be NULL) gives png_level.  Fails with
 * EINVAL, ENOMEM, EOVERFLOW (a TIFF above 4 GiB) or EIO. */
IMGRAD_API imgrad_status imgrad_write_image16_fp(FILE *fp, imgrad_format fmt,
                                                 const uint16_t *pixels, int width,
                                                 int height, int channels,
                                                 const imgrad_write_options *o);

/* The same into a file at path, atomically (imgrad_file). */
IMGRAD_API imgrad_status imgrad_write_image16(const char *path, imgrad_format fmt,
                                              const uint16_t *pixels, int width,
                                              int height, int channels,
                                              const imgrad_write_options *o);

/* Writes count grids (1, or 3 taken as R, G, B; the same size) as one
 * uncompressed float32 TIFF with count samples per pixel, values exactly as stored (what GDAL,
 * QGIS and ImageJ read), and description (may be NULL) as its
 * ImageDescription tag, to fp, which need not be seekable.  Fails with
 * EINVAL, ENOMEM, EOVERFLOW (above 4 GiB) or EIO. */
IMGRAD_API imgrad_status imgrad_write_tiff_fp(FILE *fp, const imgrad_grid *grids, int count,
                                              const char *description);

/* The same into a file at path, atomically (imgrad_file). */
IMGRAD_API imgrad_status imgrad_write_tiff(const char *path, const imgrad_grid *grids,
                                           int count, const char *description);

/* Writes count grids (1 to 4, the same size) as one float32 .npy array of
 * shape (height, width, count), channel last (numpy's and OpenCV's image
 * layout); count 1 still writes three axes.  Fails with EINVAL, ENOMEM or
 * EIO. */
IMGRAD_API imgrad_status imgrad_write_npy_channels_fp(FILE *fp, const imgrad_grid *grids,
                                                      int count);

/* The same into a file at path, atomically (imgrad_file). */
IMGRAD_API imgrad_status imgrad_write_npy_channels(const char *path, const imgrad_grid *grids,
                                                   int count);

#ifdef __cplusplus
}
#endif
#endif /* IMGRAD_H */
