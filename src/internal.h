/* internal.h - declarations shared between libimgrad's source files.
 * Nothing here is public: names start with imgrad__ and are hidden in the
 * shared library. */
#ifndef IMGRAD_INTERNAL_H
#define IMGRAD_INTERNAL_H

#include "imgrad.h"
#include <stdio.h>

#define IMGRAD_HIDDEN __attribute__((visibility("hidden")))

/* Multiplies a * b into *out; returns 0 on size_t overflow. */
IMGRAD_HIDDEN int imgrad__mul_size(size_t a, size_t b, size_t *out);

/* Allocates a width x height grid (stride == width) whose contents are
 * undefined, for outputs that are written in full.  EINVAL, EOVERFLOW or
 * ENOMEM, *g empty. */
IMGRAD_HIDDEN imgrad_status imgrad__grid_alloc(imgrad_grid *g, int width, int height);

/* Checks width x height against o's limits before anything is allocated:
 * EEMPTY for a zero or negative dimension, ETOOLARGE above the limits. */
IMGRAD_HIDDEN imgrad_status imgrad__check_size(long width, long height,
                                               const imgrad_load_options *o);

/* Reads a whole file into a malloc'ed buffer (*data, *len).  EIO with errno
 * set when it cannot be opened or read, ETOOLARGE above max_bytes. */
IMGRAD_HIDDEN imgrad_status imgrad__read_file(const char *path, size_t max_bytes,
                                              unsigned char **data, size_t *len);

/* Allocates g->residual (uninitialised) beside g's data.  ENOMEM. */
IMGRAD_HIDDEN imgrad_status imgrad__grid_alloc_residual(imgrad_grid *g);

/* ---- deflate blocks for PNG level 1 (deflate.c) */

/* A little-endian bit writer: out[0..pos) is written; count (< 8 between
 * calls) bits wait in acc.  Every call may store 8 bytes at out + pos. */
typedef struct imgrad__bits {
    unsigned char *out;
    size_t pos;
    uint64_t acc;
    int count;
} imgrad__bits;

/* Appends the n low bits of value (n <= 24). */
IMGRAD_HIDDEN void imgrad__bits_put(imgrad__bits *b, uint32_t value, int n);
/* Pads with zero bits to a byte boundary. */
IMGRAD_HIDDEN void imgrad__bits_align(imgrad__bits *b);

/* Bytes of out that imgrad__rle_block may need beyond b->pos for n bytes. */
IMGRAD_HIDDEN size_t imgrad__rle_block_bound(size_t n);
/* Bytes of scratch it needs for n bytes. */
IMGRAD_HIDDEN size_t imgrad__rle_scratch_bytes(size_t n);
/* Appends p[0..n) as one deflate block (final or not) coded with runs at
 * distance 1 and its own Huffman codes, or stored when that is smaller.
 * Cannot fail. */
IMGRAD_HIDDEN void imgrad__rle_block(imgrad__bits *b, const unsigned char *p, size_t n,
                                     int final, void *scratch);

/* ---- stb image decoding and encoding (io_stb.c, the only stb user) */

/* Decoded pixels, as stb_image returns them. */
typedef enum { IMGRAD__U8, IMGRAD__U16, IMGRAD__F32 } imgrad__sample;

typedef struct imgrad__pixels {
    void *data;               /* interleaved samples; imgrad__pixels_free */
    imgrad__sample type;
    imgrad_source_kind kind;
    int width, height, channels;
} imgrad__pixels;

/* Decodes an image in memory (not .npy) as it is stored, checking o's size
 * limits first: EFORMAT, EDECODE, ETOOLARGE, EEMPTY; px->data NULL then.
 * luma nonzero: a JPEG's first component only (its luma plane when
 * imgrad__jpeg_is_ycbcr), px->channels 1. */
IMGRAD_HIDDEN imgrad_status imgrad__stb_decode(const unsigned char *data, size_t len,
                                               const imgrad_load_options *o, int luma,
                                               imgrad__pixels *px);

/* The luma plane of a YCbCr JPEG (imgrad__jpeg_is_ycbcr) as grey in [0, 1],
 * by libjpeg-turbo (io_jpeg.c), with a residual when o asks for one.
 * ETOOLARGE, ENOMEM, or EDECODE for anything libjpeg errs or warns about;
 * *out empty then. */
IMGRAD_HIDDEN imgrad_status imgrad__jpeg_luma(const unsigned char *data, size_t len,
                                              const imgrad_load_options *o, imgrad_grid *out);

/* Frees px's samples; safe after a failed decode. */
IMGRAD_HIDDEN void imgrad__pixels_free(imgrad__pixels *px);

/* Decodes an image in memory to grey; the same contract as
 * imgrad_load_gray_memory for non-.npy data. */
IMGRAD_HIDDEN imgrad_status imgrad__stb_decode_gray(const unsigned char *data, size_t len,
                                                    const imgrad_load_options *o,
                                                    imgrad_grid *out,
                                                    imgrad_source_info *info);

/* Encodes 8-bit pixels in fmt into the open stream fp.  EIO on a failed write. */
IMGRAD_HIDDEN imgrad_status imgrad__stb_encode(FILE *fp, imgrad_format fmt,
                                               const unsigned char *pixels,
                                               int width, int height, int channels,
                                               const imgrad_write_options *o);

/* ---- structural checks before stb decodes (preflight.c) */

/* The containers preflight.c checks, as stb_image recognises them. */
typedef enum {
    IMGRAD__UNCHECKED, /* PSD, PIC, HDR, or not an image */
    IMGRAD__PNG, IMGRAD__JPEG, IMGRAD__GIF, IMGRAD__BMP, IMGRAD__PNM, IMGRAD__TGA
} imgrad__container;

/* Walks the container of an image stb will decode as kind (PNG chunks,
 * JPEG markers and tables, GIF blocks, the pixel bytes a BMP, PNM or TGA
 * header promises) before stb reads even its header: IMGRAD_EDECODE for a
 * file cut short or a structure stb_image would mishandle, else IMGRAD_OK. */
IMGRAD_HIDDEN imgrad_status imgrad__preflight(imgrad__container kind,
                                              const unsigned char *data, size_t len);

/* Writes 8-bit pixels (channels 1 or 3, rows packed) as a PNG into fp with
 * zlib level 0..9 (libdeflate) and the imgrad_png_filter filter.  ENOMEM,
 * or EIO on a failed write. */
IMGRAD_HIDDEN imgrad_status imgrad__png_encode(FILE *fp, const unsigned char *pixels,
                                               int width, int height, int channels,
                                               int level, int filter);

/* Longest label imgrad__text_quads draws, in characters. */
#define IMGRAD__TEXT_MAX 255

/* The quads of stb_easy_font's drawing of text (ASCII, at most
 * IMGRAD__TEXT_MAX characters) with its top left at (0, 0), in font pixels:
 * each is x0, y0, x1, y1 (x0 < x1, y0 < y1) at quads[4 * i].  At most
 * max_quads are stored; returns how many, 0 for empty, too long or no memory.
 * A capital letter is about 5 x 7 font pixels and advances 6. */
IMGRAD_HIDDEN int imgrad__text_quads(const char *text, float *quads, int max_quads);

/* The width of text in font pixels as stb_easy_font lays it out. */
IMGRAD_HIDDEN int imgrad__text_width(const char *text);

/* ---- colour to grey (gray.c) */

/* Converts width*height pixels of `channels` interleaved samples into out
 * (already allocated), scaling 8-bit by 1/255, 16-bit by 1/65535, floats as
 * they are (already linear light: IMGRAD_GRAY_LINEAR skips the sRGB curve). */
IMGRAD_HIDDEN void imgrad__to_gray(const void *pixels, imgrad__sample type, int channels,
                                   imgrad_gray_weights weights, imgrad_grid *out);

/* ---- .npy (npy.c) */

typedef struct imgrad__npy {
    char kind;          /* 'f' float, 'u' unsigned, 'i' signed */
    int item_size;      /* bytes per element */
    int fortran_order;  /* nonzero: column-major */
    int ndim;           /* 1 or 2 */
    size_t shape[2];    /* shape[0] rows (or length), shape[1] columns */
    size_t data_offset; /* where the elements start */
} imgrad__npy;

/* Nonzero when data starts with the .npy magic string. */
IMGRAD_HIDDEN int imgrad__is_npy(const unsigned char *data, size_t len);

/* Parses and validates a .npy header: little-endian numeric dtype, rank 1
 * or 2, and enough bytes for the shape.  EDECODE for a broken header or short
 * data, EUNSUPPORTED for a dtype, byte order or rank imgrad does not take. */
IMGRAD_HIDDEN imgrad_status imgrad__npy_parse(const unsigned char *data, size_t len,
                                              imgrad__npy *h);

/* Element i (in storage order) of a parsed array, as a double. */
IMGRAD_HIDDEN double imgrad__npy_get(const unsigned char *data, const imgrad__npy *h,
                                     size_t i);

/* Parses a coordinate file already in memory (len bytes at data): the
 * contract of imgrad_read_coords without the file.  Lets a fuzzer and the
 * corpus replay reach the parser without temporary files. */
IMGRAD_HIDDEN imgrad_status imgrad__parse_coords(const unsigned char *data, size_t len,
                                                 double **values, size_t *count);

/* ---- files that appear whole or not at all (atomic.c) */

typedef struct imgrad__atomic {
    FILE *fp;         /* write here */
    char *tmp_path;   /* the temporary file, same folder as final_path */
    char *final_path; /* renamed onto at commit */
} imgrad__atomic;

/* Creates a new temporary file beside path.  EIO (errno) or ENOMEM. */
IMGRAD_HIDDEN imgrad_status imgrad__atomic_open(imgrad__atomic *a, const char *path);

/* Flushes, closes and renames the file onto its final path; on any failure
 * the temporary file is removed and EIO returned (errno set). */
IMGRAD_HIDDEN imgrad_status imgrad__atomic_commit(imgrad__atomic *a);

/* Closes and removes the temporary file.  Safe after a failed open. */
IMGRAD_HIDDEN void imgrad__atomic_abort(imgrad__atomic *a);

/* ---- builds of the pixel loops for the CPU's vector width (isa.c) */

#if defined(__x86_64__) && defined(__GNUC__)
#define IMGRAD__MULTI_ISA 1
/* A function built for AVX2 or AVX-512: it inlines an always_inline loop
 * written in plain C, which the compiler vectorises for that set. */
#define IMGRAD__TARGET_AVX2 __attribute__((target("avx2")))
#define IMGRAD__TARGET_AVX512 __attribute__((target("avx512f,avx512dq,avx512vl,avx512bw")))
#endif

/* The widest build the CPU runs; a plan may hold a narrower one (tests). */
typedef enum imgrad__isa {
    IMGRAD__ISA_BASELINE,
    IMGRAD__ISA_AVX2,
    IMGRAD__ISA_AVX512
} imgrad__isa;

/* The instruction set of the fastest build this CPU runs. */
IMGRAD_HIDDEN imgrad__isa imgrad__cpu_isa(void);

/* ---- streaming stores (stream.c) */

/* Outputs of a pass larger than this in total are written with streaming
 * stores: they cannot stay in cache, so reading their lines first is waste. */
#ifndef IMGRAD__STREAM_MIN_BYTES
#define IMGRAD__STREAM_MIN_BYTES ((size_t)64 << 20)
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
IMGRAD_HIDDEN void imgrad__polar_plan(const imgrad_options *o, imgrad__polar *p);

/* Magnitude and direction of n pixels of gx, gy into mag and dir (either
 * may be NULL): the fast vectorised loops described in polar.c. */
IMGRAD_HIDDEN void imgrad__polar_row(const imgrad__polar *p, const float *gx,
                                     const float *gy, float *mag, float *dir, int n);

/* The same with hypotf and atan2f, one pixel at a time: the reference the
 * fast loops are checked against (tests and imgrad bench). */
IMGRAD_HIDDEN void imgrad__polar_row_reference(const imgrad__polar *p, const float *gx,
                                               const float *gy, float *mag, float *dir,
                                               int n);

/* ---- JPEG headers: EXIF orientation, colour model (exif.c) */

/* Nonzero when data is a JPEG that stb_image decodes as YCbCr: three
 * components, not named R, G, B, and no Adobe "no transform" marker without
 * JFIF (stb's own rule, from the segments before the first scan). */
IMGRAD_HIDDEN int imgrad__jpeg_is_ycbcr(const unsigned char *data, size_t len);

/* The Exif Orientation (1..8) of the JPEG in data, or 1 when data is not a
 * JPEG, has no Exif segment or orientation tag, or the tag is malformed. */
IMGRAD_HIDDEN int imgrad__exif_orientation(const unsigned char *data, size_t len);

/* A new grid *out holding in turned upright as EXIF orientation 1..8 says
 * (5..8 swap width and height).  EINVAL for a bad orientation, or ENOMEM. */
IMGRAD_HIDDEN imgrad_status imgrad__orient_grid(const imgrad_grid *in, int orientation,
                                                imgrad_grid *out);

/* ---- OpenMP thread count of a parallel region: o->threads, or OpenMP's
 * default when 0.  Every kernel splits work by rows only, so results do not
 * depend on it. */
#ifdef _OPENMP
#include <omp.h>
#define IMGRAD__THREADS(n) ((n) > 0 ? (n) : omp_get_max_threads())
#else
#define IMGRAD__THREADS(n) 1
#endif

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
} imgrad__conv;

/* Plans o's operator; EINVAL if it is central or unknown. */
IMGRAD_HIDDEN imgrad_status imgrad__conv_plan(const imgrad_options *o, imgrad__conv *p);

/* Floats of scratch space imgrad__conv_row needs for a row of width w. */
IMGRAD_HIDDEN size_t imgrad__conv_scratch(int w);

/* Columns [x0, x1) of row y of gx and gy (either may be NULL; both indexed
 * by column) of in under plan p, the same bits whatever the spans a row is
 * made in.  Roberts makes whole rows only: x0 = 0, x1 = width.  scratch
 * holds imgrad__conv_scratch(width) floats. */
IMGRAD_HIDDEN void imgrad__conv_span(const imgrad__conv *p, const imgrad_grid *in, int y,
                                     int x0, int x1, float *scratch, float *gx, float *gy);

/* ---- Gaussian smoothing (smooth.c) */

/* The radius at which the Gaussian of sigma is cut: floor(4 sigma + 0.5),
 * scipy.ndimage's rule, at least 1. */
IMGRAD_HIDDEN int imgrad__gauss_radius(double sigma);

/* Smooths in by a separable Gaussian of sigma > 0 into a new grid *out,
 * with border rule b (value for constant).  EINVAL, EOVERFLOW or ENOMEM,
 * *out then empty. */
IMGRAD_HIDDEN imgrad_status imgrad__gaussian(const imgrad_grid *in, double sigma,
                                             imgrad_border b, double value,
                                             int threads, imgrad_grid *out);

/* ---- Canny (canny.c) */

/* Edges from full gx, gy and magnitude grids by o's thresholds (automatic
 * when negative) into the allocated grid edges (0 or 1); used receives the
 * thresholds applied.  ENOMEM on failure. */
IMGRAD_HIDDEN imgrad_status imgrad__canny(const imgrad_grid *gx, const imgrad_grid *gy,
                                          const imgrad_grid *mag, const imgrad_options *o,
                                          imgrad_grid *edges, double used[2]);

/* Otsu's threshold of the values of g (>= 0) over 256 bins from 0 to the
 * largest; 0 for an all-zero grid. */
IMGRAD_HIDDEN double imgrad__otsu(const imgrad_grid *g);

#endif
