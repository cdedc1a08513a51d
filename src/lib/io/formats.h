/* formats.h - private to libimgrad's io/ folder and its tests: the formats
 * decoded by their own libraries (TIFF by libtiff, WebP by libwebp,
 * HEIF/HEIC/AVIF by libheif), recognised by content before stb_image is
 * asked, and the writers of 16-bit and float outputs. */
#ifndef IMGRAD_FORMATS_H
#define IMGRAD_FORMATS_H

#include "io.h"

/* What a file's first bytes say it is, among the formats of this header. */
typedef enum imgrad__format_kind {
    IMGRAD__FMT_OTHER, /* .npy, or an image for stb_image (or not an image) */
    IMGRAD__FMT_TIFF,  /* "II*\0" or "MM\0*" (BigTIFF: '+' for '*') */
    IMGRAD__FMT_WEBP,  /* "RIFF" size "WEBP" */
    IMGRAD__FMT_HEIF   /* an ISO BMFF "ftyp" box libheif takes (HEIC, AVIF) */
} imgrad__format_kind;

IMGRAD_HIDDEN imgrad__format_kind imgrad__sniff(const unsigned char *data, size_t len);

/* A decoded image: packed interleaved samples (malloc'ed, imgrad_free
 * frees them), what the file held, and the orientation (1..8, EXIF's
 * numbering) that turns it upright. */
typedef struct imgrad__decoded {
    imgrad_pixels px;
    imgrad_source_kind kind;
    int orientation;
} imgrad__decoded;

/* Each decoder: page o->page of data into *d, size limits checked from the
 * header before any pixel is allocated.  EDECODE (corrupt, cut short),
 * EUNSUPPORTED (a valid layout imgrad does not take), ETOOLARGE, EEMPTY,
 * ENOPAGE, ENOMEM; d->px.data NULL then.  They never print. */
IMGRAD_HIDDEN imgrad_status imgrad__tiff_decode(const unsigned char *data, size_t len,
                                                const imgrad_load_options *o,
                                                imgrad__decoded *d);
IMGRAD_HIDDEN imgrad_status imgrad__webp_decode(const unsigned char *data, size_t len,
                                                const imgrad_load_options *o,
                                                imgrad__decoded *d);
IMGRAD_HIDDEN imgrad_status imgrad__heif_decode(const unsigned char *data, size_t len,
                                                const imgrad_load_options *o,
                                                imgrad__decoded *d);

/* Each decoder's header alone: size as stored, channels, kind (for
 * imgrad_probe_memory); EDECODE, ENOPAGE, ENOMEM, EUNSUPPORTED. */
IMGRAD_HIDDEN imgrad_status imgrad__tiff_probe(const unsigned char *data, size_t len, int page,
                                               imgrad_source_info *info);
IMGRAD_HIDDEN imgrad_status imgrad__webp_probe(const unsigned char *data, size_t len,
                                               imgrad_source_info *info);
IMGRAD_HIDDEN imgrad_status imgrad__heif_probe(const unsigned char *data, size_t len,
                                               imgrad_source_info *info);

/* The Orientation (1..8) in an Exif TIFF block, with or without the
 * "Exif\0\0" prefix; 1 when absent or malformed (exif.c). */
IMGRAD_HIDDEN int imgrad__exif_block_orientation(const unsigned char *block, size_t len);

/* Any image (not .npy) decoded as stored, with its orientation: the
 * decoders above for their formats, stb_image for the rest (a JPEG's EXIF
 * orientation; 1 for the others).  ENOPAGE for a page other than 0 of a
 * single-image format. */
IMGRAD_HIDDEN imgrad_status imgrad__decode_any(const unsigned char *data, size_t len,
                                               const imgrad_load_options *o,
                                               imgrad__decoded *d);

/* load.c's hook: when data is a TIFF, WebP or HEIF file, or o asks for a
 * page other than 0, decodes it to grey as imgrad_load_gray_memory
 * promises, stores the status in *st and returns 1; otherwise returns 0
 * and leaves everything alone. */
IMGRAD_HIDDEN int imgrad__formats_gray(const unsigned char *data, size_t len,
                                       const imgrad_load_options *o, imgrad_grid *out,
                                       imgrad_source_info *info, imgrad_status *st);

/* The same for imgrad_decode_memory (pixels as stored, no turn). */
IMGRAD_HIDDEN int imgrad__formats_pixels(const unsigned char *data, size_t len,
                                         const imgrad_load_options *o, imgrad_pixels *px,
                                         imgrad_status *st);

/* Fills row y of a TIFF being written: width * count samples, little-endian. */
typedef void (*imgrad__tiff_row)(const void *ctx, int y, unsigned char *row);

/* Writes a little-endian baseline TIFF, uncompressed, count samples per
 * pixel of bits 16 (unsigned) or 32 (IEEE float), rows from row(ctx, y), to
 * fp in one sequential pass (no seeking: pipes are fine), with description
 * (may be NULL) as its ImageDescription.  ENOMEM, EOVERFLOW above 4 GiB,
 * EIO on a failed write. */
IMGRAD_HIDDEN imgrad_status imgrad__tiff_encode(FILE *fp, int width, int height, int count,
                                                int bits, imgrad__tiff_row row,
                                                const void *ctx, const char *description);

#endif
