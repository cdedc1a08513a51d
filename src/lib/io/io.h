/* io.h - private to libimgrad's io/ folder and its tests: decoding (stb,
 * libjpeg-turbo, .npy), the container checks before decoding, EXIF, colour
 * to grey, and writing (PNG, deflate, files that appear whole). */
#ifndef IMGRAD_IO_H
#define IMGRAD_IO_H

#include "../lib.h"

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

/* ---- stb image decoding and encoding (stb.c, the only stb_image user) */

/* Decodes an image in memory (not .npy) as it is stored, checking o's size
 * limits first: EFORMAT, EDECODE, ETOOLARGE, EEMPTY; px->data NULL then.
 * luma nonzero: a JPEG's first component only (its luma plane when
 * imgrad__jpeg_is_ycbcr), px->channels 1. */
IMGRAD_HIDDEN imgrad_status imgrad__stb_decode(const unsigned char *data, size_t len,
                                               const imgrad_load_options *o, int luma,
                                               imgrad_pixels *px, imgrad_source_kind *kind);

/* The luma plane of a YCbCr JPEG (imgrad__jpeg_is_ycbcr) as grey in [0, 1],
 * by libjpeg-turbo (jpeg.c), with a residual when o asks for one.
 * ETOOLARGE, ENOMEM, or EDECODE for anything libjpeg errs or warns about;
 * *out empty then. */
IMGRAD_HIDDEN imgrad_status imgrad__jpeg_luma(const unsigned char *data, size_t len,
                                              const imgrad_load_options *o, imgrad_grid *out);

/* The same luma plane a band of rows at a time, for imgrad__gradient_rows:
 * open reads the header (ETOOLARGE, ENOMEM, EDECODE); read (an
 * imgrad__read_rows) gives the next n rows as imgrad__jpeg_luma's grey
 * without a residual, EDECODE for anything libjpeg errs or warns about;
 * finish reads to the end of the data, where libjpeg may still warn; close
 * frees (NULL is taken). */
typedef struct imgrad__jpeg_rows imgrad__jpeg_rows;
IMGRAD_HIDDEN imgrad_status imgrad__jpeg_rows_open(const unsigned char *data, size_t len,
                                                   const imgrad_load_options *o,
                                                   imgrad__jpeg_rows **rows, int *width,
                                                   int *height);
IMGRAD_HIDDEN imgrad_status imgrad__jpeg_rows_read(void *rows, float *dst, size_t stride, int n);
IMGRAD_HIDDEN imgrad_status imgrad__jpeg_rows_finish(imgrad__jpeg_rows *rows);
IMGRAD_HIDDEN void imgrad__jpeg_rows_close(imgrad__jpeg_rows *rows);

/* A row of 8-bit levels as the grey imgrad__u8_levels tabulates (raw: v,
 * else v / 255 rounded to float32), computed rather than looked up. */
IMGRAD_HIDDEN void imgrad__levels_row(const unsigned char *levels, int w, int raw, float *out);

/* Nonzero when o's grey of data is libjpeg's luma plane as decoded, nothing
 * turned (no EXIF orientation to apply): the grey imgrad__jpeg_rows gives
 * (without the residual, if o asks for one), so a gradient can be made as
 * it is decoded. */
IMGRAD_HIDDEN int imgrad__luma_as_decoded(const unsigned char *data, size_t len,
                                          const imgrad_load_options *o);

/* A JPEG decoded by libjpeg-turbo to 8-bit RGB (grey for a one-component
 * file), packed, with libjpeg's defaults: the pixels PIL (so skimage.io)
 * and OpenCV's IMREAD_COLOR decode.  px->data is malloc'ed (free it with
 * imgrad__pixels_free).  ETOOLARGE, ENOMEM, or EDECODE for anything libjpeg
 * errs or warns about (CMYK too); *px empty then. */
IMGRAD_HIDDEN imgrad_status imgrad__jpeg_pixels(const unsigned char *data, size_t len,
                                                const imgrad_load_options *o,
                                                imgrad_pixels *px);

/* Frees px's samples; safe after a failed decode. */
IMGRAD_HIDDEN void imgrad__pixels_free(imgrad_pixels *px);

/* stb_image's formats: the header alone (imgrad_probe_memory); EFORMAT
 * when stb does not recognise data. */
IMGRAD_HIDDEN imgrad_status imgrad__stb_probe(const unsigned char *data, size_t len,
                                              imgrad_source_info *info);

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

/* Rows of 8-bit pixels handed to the PNG coder in order: row(ctx, y) gives
 * row y (width * channels bytes) for y = 0, 1, ...; the row given before
 * must stay valid until the next call (filters read the row above). */
typedef struct imgrad__rows8 {
    const unsigned char *(*row)(void *ctx, int y);
    void *ctx;
} imgrad__rows8;

/* imgrad__png_encode of rows asked for one at a time: at level 1 nothing
 * image-sized is held, so rows made on the way (8-bit mapping) stay in
 * cache between being made and being coded. */
IMGRAD_HIDDEN imgrad_status imgrad__png_encode_rows(FILE *fp, const imgrad__rows8 *rows,
                                                    int width, int height, int channels,
                                                    int level, int filter);

/* Writes 8-bit pixels (channels 1 or 3, rows packed) as a PNG into fp with
 * zlib level 0..9 (libdeflate) and the imgrad_png_filter filter.  ENOMEM,
 * or EIO on a failed write. */
IMGRAD_HIDDEN imgrad_status imgrad__png_encode(FILE *fp, const unsigned char *pixels,
                                               int width, int height, int channels,
                                               int level, int filter);

/* ---- colour to grey (gray.c) */

/* Converts width*height pixels of `channels` interleaved samples into out
 * (already allocated), scaling 8-bit by 1/255, 16-bit by 1/65535 (neither
 * when raw), floats as they are (already linear light: IMGRAD_GRAY_LINEAR
 * skips the sRGB curve). */
IMGRAD_HIDDEN void imgrad__to_gray(const imgrad_pixels *px, imgrad_gray_weights weights,
                                   int raw, imgrad_grid *out);

/* The grid value of each 8-bit level v, v / 255 (v itself when raw) rounded
 * to float32, and what that rounding lost. */
IMGRAD_HIDDEN void imgrad__u8_levels(int raw, float value[256], float residual[256]);

/* Row y of out (and of its residual, if any) from width 8-bit levels. */
IMGRAD_HIDDEN void imgrad__levels_to_grid(const unsigned char *levels, int y,
                                          const float value[256], const float residual[256],
                                          imgrad_grid *out);

/* ---- OpenCV's grey of a PNG (pnggray.c) */

/* Nonzero when data starts with the PNG signature. */
IMGRAD_HIDDEN int imgrad__is_png(const unsigned char *data, size_t len);

/* The grey a PNG decodes to under cv2.imread(IMREAD_GRAYSCALE): libpng with
 * the transforms OpenCV asks for (16 to 8 bits, alpha stripped, palette
 * expanded, rgb_to_gray with 0.299 and 0.587), as levels (imgrad__u8_levels,
 * o->raw_range), with a residual when o->residual.  ETOOLARGE, ENOMEM, or
 * EDECODE for anything libpng refuses; *out empty then. */
IMGRAD_HIDDEN imgrad_status imgrad__png_gray_opencv(const unsigned char *data, size_t len,
                                                    const imgrad_load_options *o,
                                                    imgrad_grid *out);

/* ---- .npy (npy.c) */

typedef struct imgrad__npy {
    char kind;          /* 'f' float, 'u' unsigned, 'i' signed, 'b' bool */
    int item_size;      /* bytes per element */
    int fortran_order;  /* nonzero: column-major */
    int ndim;           /* 1 or 2 (1 to IMGRAD_MAX_NDIM: imgrad__npy_parse_nd) */
    size_t shape[IMGRAD_MAX_NDIM]; /* shape[0] rows (or length), shape[1]
                                      columns (1 for a vector), ... */
    size_t count;       /* elements: the product of the shape */
    size_t data_offset; /* where the elements start */
} imgrad__npy;

/* Nonzero when data starts with the .npy magic string. */
IMGRAD_HIDDEN int imgrad__is_npy(const unsigned char *data, size_t len);

/* Parses and validates a .npy header: little-endian numeric dtype, rank 1
 * or 2, and enough bytes for the shape.  EDECODE for a broken header or short
 * data, EUNSUPPORTED for a dtype, byte order or rank imgrad does not take. */
IMGRAD_HIDDEN imgrad_status imgrad__npy_parse(const unsigned char *data, size_t len,
                                              imgrad__npy *h);

/* The same for an array of any rank up to IMGRAD_MAX_NDIM, with float16,
 * uint32, uint64 and bool beside the dtypes above (the N-D reader,
 * npyarray.c); imgrad__npy_get does not take those four. */
IMGRAD_HIDDEN imgrad_status imgrad__npy_parse_nd(const unsigned char *data, size_t len,
                                                 imgrad__npy *h);

/* Writes a new file at path through write(fp, ctx), whole or not at all
 * (imgrad_file_open, then commit, or abort when write fails) (atomic.c). */
typedef imgrad_status (*imgrad__stream_writer)(FILE *fp, const void *ctx);
IMGRAD_HIDDEN imgrad_status imgrad__write_whole(const char *path, imgrad__stream_writer write,
                                                const void *ctx);

/* Completes a .npy 1.0 header whose dictionary (n bytes) is at buf + 10:
 * the magic, version and length before it, spaces and a newline after it
 * so that the data starts on a 64-byte boundary (write.c).  Returns the
 * header's length, or 0 when it does not fit in size bytes. */
IMGRAD_HIDDEN size_t imgrad__npy_frame(char *buf, size_t size, size_t n);

/* Element i (in storage order) of a parsed array, as a double. */
IMGRAD_HIDDEN double imgrad__npy_get(const unsigned char *data, const imgrad__npy *h,
                                     size_t i);

/* Parses a coordinate file already in memory (len bytes at data): the
 * contract of imgrad_read_coords without the file.  Lets a fuzzer and the
 * corpus replay reach the parser without temporary files. */
IMGRAD_HIDDEN imgrad_status imgrad__parse_coords(const unsigned char *data, size_t len,
                                                 double **values, size_t *count);

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

/* ---- the 8-bit display scale: the 99th percentile of |value| (write.c) */

/* |value| is binned by the top bits of its float pattern, which for
 * non-negative floats rises with the value: no maximum is needed first, so
 * the histogram is one pass and the gather of the percentile's bins a
 * second.  A bin spans 1/16 of an octave (relative width 3 to 6%; why, in
 * write.c); NaN and inf fall in the bins from IMGRAD__SCALE_NONFINITE up. */
#define IMGRAD__SCALE_SHIFT 19
#define IMGRAD__SCALE_BINS (1 << (31 - IMGRAD__SCALE_SHIFT))
#define IMGRAD__SCALE_NONFINITE (0x7F800000 >> IMGRAD__SCALE_SHIFT)
/* Tables counted in turn, so that repeats of one bin do not wait on each
 * other's read-modify-write. */
#define IMGRAD__SCALE_TABLES 4

/* The histogram of a grid's |values|, added row by row. */
typedef struct imgrad__scale_acc {
    uint16_t (*tables)[IMGRAD__SCALE_BINS]; /* counts since the last flush: small, in L1 */
    size_t *total;                          /* IMGRAD__SCALE_BINS counts */
    size_t pending;                         /* at least the largest count in tables */
    size_t rows, sampled;                   /* rows added, and of them counted */
} imgrad__scale_acc;

/* An empty histogram.  0 when out of memory (a is empty then, and
 * imgrad__scale_release on it is harmless). */
IMGRAD_HIDDEN int imgrad__scale_init(imgrad__scale_acc *a);
/* Adds a row of n values: one row in IMGRAD__SCALE_SAMPLE is counted, the
 * others are not read. */
IMGRAD_HIDDEN void imgrad__scale_add_row(imgrad__scale_acc *a, const float *row, int n);
#define IMGRAD__SCALE_SAMPLE 8
/* imgrad_auto_scale's result for g, whose rows must be exactly those added
 * (in any order): the sample gives a range of bins that should hold the
 * percentile, one pass over g counts the values below it exactly and
 * gathers those in it; if the percentile is not among them after all, every
 * row is counted and the percentile's own bins gathered.  Releases a. */
IMGRAD_HIDDEN double imgrad__scale_finish(imgrad__scale_acc *a, const imgrad_grid *g);
/* Frees a's tables, for an accumulation given up. */
IMGRAD_HIDDEN void imgrad__scale_release(imgrad__scale_acc *a);

#endif
