/* tiff.c - TIFF decoding by libtiff, from memory, and TIFF writing.
 *
 * Decoding reads one directory (page) through libtiff's client interface,
 * with its error and warning handlers set per file (never its global
 * ones, which print): a warning is ignored, an error fails the decode.
 * Two paths:
 *   - samples as stored: 8/16-bit unsigned or 32-bit float (and 16-bit
 *     signed, taken as float values), grey or RGB with or without extra
 *     samples, chunky (PlanarConfiguration 1), stripped or tiled, any
 *     compression libtiff decodes; a JPEG-compressed YCbCr file is asked
 *     for RGB (libtiff's JPEGCOLORMODE);
 *   - everything else libtiff's RGBA interface takes (palette, 1/2/4-bit,
 *     CMYK, planar, YCbCr without JPEG, LogLuv...): 8-bit RGB.
 * Either way the pixels come as stored; the Orientation tag is returned for
 * the caller to apply, as a JPEG's EXIF tag is.
 *
 * Writing (imgrad__tiff_encode) needs no library: an uncompressed baseline
 * TIFF is a header, the rows and one directory, all of whose offsets are
 * known before the first byte, so it is written in one pass, to a pipe too. */
#include "formats.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <tiffio.h>

/* ------------------------------------------------------------ decoding */

typedef struct source {
    const unsigned char *data;
    toff_t len, pos;
} source;

static tmsize_t source_read(thandle_t h, void *buf, tmsize_t n)
{
    source *s = h;
    toff_t left = s->pos < s->len ? s->len - s->pos : 0;

    if (n < 0)
        return -1;
    if ((toff_t)n > left)
        n = (tmsize_t)left;
    memcpy(buf, s->data + s->pos, (size_t)n);
    s->pos += (toff_t)n;
    return n;
}

static tmsize_t source_write(thandle_t h, void *buf, tmsize_t n)
{
    (void)h, (void)buf, (void)n;
    return -1;
}

static toff_t source_seek(thandle_t h, toff_t off, int whence)
{
    source *s = h;
    toff_t base = whence == SEEK_CUR ? s->pos : whence == SEEK_END ? s->len : 0;

    /* toff_t is unsigned: a negative offset arrives wrapped around */
    if (whence != SEEK_SET && off > UINT64_MAX - base)
        off = off - (UINT64_MAX - base) - 1; /* base + off modulo 2^64 */
    else
        off = base + off;
    s->pos = off;
    return off;
}

static int source_close(thandle_t h)
{
    (void)h;
    return 0;
}

static toff_t source_size(thandle_t h)
{
    return ((source *)h)->len;
}

static int no_map(thandle_t h, void **base, toff_t *size)
{
    (void)h, (void)base, (void)size;
    return 0;
}

static void no_unmap(thandle_t h, void *base, toff_t size)
{
    (void)h, (void)base, (void)size;
}

/* Counts errors rather than printing them; returning 1 keeps libtiff from
 * calling its global handler. */
static int on_error(TIFF *t, void *user, const char *module, const char *fmt, va_list ap)
{
    (void)t, (void)module, (void)fmt, (void)ap;
    ++*(int *)user;
    return 1;
}

static int on_warning(TIFF *t, void *user, const char *module, const char *fmt, va_list ap)
{
    (void)t, (void)user, (void)module, (void)fmt, (void)ap;
    return 1;
}

static TIFF *open_memory(source *s, int *errors)
{
    TIFFOpenOptions *opts = TIFFOpenOptionsAlloc();
    TIFF *t;

    if (opts == NULL)
        return NULL;
    TIFFOpenOptionsSetErrorHandlerExtR(opts, on_error, errors);
    TIFFOpenOptionsSetWarningHandlerExtR(opts, on_warning, NULL);
    /* "m": no memory mapping, every read goes through source_read */
    t = TIFFClientOpenExt("imgrad", "rm", s, source_read, source_write, source_seek,
                          source_close, source_size, no_map, no_unmap, opts);
    TIFFOpenOptionsFree(opts);
    return t;
}

/* The fields of a directory that choose the path. */
typedef struct layout {
    uint32_t width, height;
    uint16_t spp, bps, format, photometric, planar, orientation, compression;
} layout;

static void read_layout(TIFF *t, layout *l)
{
    uint16_t extra_count, *extra;

    TIFFGetField(t, TIFFTAG_IMAGEWIDTH, &l->width);
    TIFFGetField(t, TIFFTAG_IMAGELENGTH, &l->height);
    TIFFGetFieldDefaulted(t, TIFFTAG_SAMPLESPERPIXEL, &l->spp);
    TIFFGetFieldDefaulted(t, TIFFTAG_BITSPERSAMPLE, &l->bps);
    TIFFGetFieldDefaulted(t, TIFFTAG_SAMPLEFORMAT, &l->format);
    TIFFGetFieldDefaulted(t, TIFFTAG_PLANARCONFIG, &l->planar);
    TIFFGetFieldDefaulted(t, TIFFTAG_ORIENTATION, &l->orientation);
    TIFFGetFieldDefaulted(t, TIFFTAG_COMPRESSION, &l->compression);
    if (!TIFFGetField(t, TIFFTAG_PHOTOMETRIC, &l->photometric)) {
        /* absent (it is required, but common): guess from the samples */
        TIFFGetFieldDefaulted(t, TIFFTAG_EXTRASAMPLES, &extra_count, &extra);
        l->photometric = l->spp - extra_count >= 3 ? PHOTOMETRIC_RGB : PHOTOMETRIC_MINISBLACK;
    }
    if (l->orientation < 1 || l->orientation > 8)
        l->orientation = 1;
}

/* Samples as stored: the sample type and the channels kept (1 grey, 2 grey
 * + alpha, 3 RGB, 4 RGBA; further extra samples dropped); 0 when the
 * RGBA path must decode this directory. */
static int direct_channels(TIFF *t, layout *l, imgrad_sample *type, imgrad_source_kind *kind)
{
    const int ok16 = l->bps == 16 && (l->format == SAMPLEFORMAT_UINT || l->format == SAMPLEFORMAT_INT);
    int grey;

    if (l->photometric == PHOTOMETRIC_YCBCR && l->compression == COMPRESSION_JPEG
        && l->bps == 8 && l->spp == 3 && TIFFSetField(t, TIFFTAG_JPEGCOLORMODE, JPEGCOLORMODE_RGB))
        l->photometric = PHOTOMETRIC_RGB; /* libjpeg converts */
    grey = l->photometric == PHOTOMETRIC_MINISBLACK || l->photometric == PHOTOMETRIC_MINISWHITE;
    if ((l->planar != PLANARCONFIG_CONTIG && l->spp > 1)
        || !(grey || l->photometric == PHOTOMETRIC_RGB)
        || (l->photometric == PHOTOMETRIC_RGB && l->spp < 3) || l->spp < 1)
        return 0;
    if (l->bps == 8 && l->format == SAMPLEFORMAT_UINT) {
        *type = IMGRAD_SAMPLE_U8;
        *kind = IMGRAD_SOURCE_8BIT;
    } else if (ok16) {
        /* signed 16-bit (elevations) become float values as they are */
        *type = l->format == SAMPLEFORMAT_INT ? IMGRAD_SAMPLE_F32 : IMGRAD_SAMPLE_U16;
        *kind = l->format == SAMPLEFORMAT_INT ? IMGRAD_SOURCE_FLOAT : IMGRAD_SOURCE_16BIT;
    } else if (l->bps == 32 && l->format == SAMPLEFORMAT_IEEEFP
               && l->photometric != PHOTOMETRIC_MINISWHITE) {
        *type = IMGRAD_SAMPLE_F32;
        *kind = IMGRAD_SOURCE_FLOAT;
    } else {
        return 0;
    }
    if (grey)
        return l->spp >= 2 ? 2 : 1;
    return l->spp >= 4 ? 4 : 3;
}

/* Copies n pixels of a decoded row (spp samples of bps bits each) into
 * out (ch samples of type each), inverting a MINISWHITE grey. */
static void copy_pixels(const unsigned char *in, const layout *l, int n, int ch,
                        imgrad_sample type, unsigned char *out)
{
    const int invert = l->photometric == PHOTOMETRIC_MINISWHITE;
    const size_t in_bytes = l->bps / 8, out_bytes = type == IMGRAD_SAMPLE_U8 ? 1 : type == IMGRAD_SAMPLE_U16 ? 2 : 4;
    int x, c;

    for (x = 0; x < n; x++)
        for (c = 0; c < ch; c++) {
            const unsigned char *p = in + ((size_t)x * l->spp + (size_t)c) * in_bytes;
            unsigned char *q = out + ((size_t)x * (size_t)ch + (size_t)c) * out_bytes;
            const int inv = invert && c == 0;
            if (type == IMGRAD_SAMPLE_U8) {
                *q = inv ? (unsigned char)(255 - *p) : *p;
            } else if (type == IMGRAD_SAMPLE_U16) {
                uint16_t v;
                memcpy(&v, p, 2);
                v = inv ? (uint16_t)(65535 - v) : v;
                memcpy(q, &v, 2);
            } else if (l->bps == 16) { /* signed 16-bit to float */
                int16_t v;
                float f;
                memcpy(&v, p, 2);
                f = inv ? (float)(-1 - v) : (float)v;
                memcpy(q, &f, 4);
            } else {
                memcpy(q, p, 4);
            }
        }
}

/* Reads every row of a stripped directory into px. */
static imgrad_status read_strips(TIFF *t, const layout *l, imgrad_pixels *px, size_t row_bytes)
{
    const size_t out_row = row_bytes;
    unsigned char *buf = _TIFFmalloc(TIFFScanlineSize(t) > 0 ? TIFFScanlineSize(t) : 1);
    uint32_t y;

    if (buf == NULL)
        return IMGRAD_ENOMEM;
    if ((tmsize_t)((size_t)l->width * l->spp * (l->bps / 8)) > TIFFScanlineSize(t)) {
        _TIFFfree(buf);
        return IMGRAD_EDECODE;
    }
    for (y = 0; y < l->height; y++) {
        if (TIFFReadScanline(t, buf, y, 0) < 0) {
            _TIFFfree(buf);
            return IMGRAD_EDECODE;
        }
        copy_pixels(buf, l, (int)l->width, px->channels, px->sample,
                    (unsigned char *)px->data + y * out_row);
    }
    _TIFFfree(buf);
    return IMGRAD_OK;
}

/* Reads every tile of a tiled directory into px. */
static imgrad_status read_tiles(TIFF *t, const layout *l, imgrad_pixels *px, size_t row_bytes)
{
    uint32_t tw = 0, th = 0, x, y, r;
    const size_t px_bytes = row_bytes / l->width;
    tmsize_t size = TIFFTileSize(t);
    unsigned char *buf;

    TIFFGetField(t, TIFFTAG_TILEWIDTH, &tw);
    TIFFGetField(t, TIFFTAG_TILELENGTH, &th);
    if (tw == 0 || th == 0 || size <= 0
        || (uint64_t)tw * th * l->spp * (l->bps / 8) > (uint64_t)size)
        return IMGRAD_EDECODE;
    /* a tile need not fit the image, but one far larger is a forged
     * header asking for memory, not a file */
    if ((uint64_t)tw * th > 4 * (uint64_t)l->width * l->height + ((uint64_t)1 << 20))
        return IMGRAD_EDECODE;
    if ((buf = _TIFFmalloc(size)) == NULL)
        return IMGRAD_ENOMEM;
    for (y = 0; y < l->height; y += th)
        for (x = 0; x < l->width; x += tw) {
            const uint32_t n = l->width - x < tw ? l->width - x : tw;
            const uint32_t rows = l->height - y < th ? l->height - y : th;
            if (TIFFReadTile(t, buf, x, y, 0, 0) < 0) {
                _TIFFfree(buf);
                return IMGRAD_EDECODE;
            }
            for (r = 0; r < rows; r++)
                copy_pixels(buf + (size_t)r * tw * l->spp * (l->bps / 8), l, (int)n,
                            px->channels, px->sample,
                            (unsigned char *)px->data + (y + r) * row_bytes + x * px_bytes);
        }
    _TIFFfree(buf);
    return IMGRAD_OK;
}

/* Allocates px for l's size, ch channels of type. */
static imgrad_status alloc_pixels(const layout *l, int ch, imgrad_sample type, imgrad_pixels *px,
                                  size_t *row_bytes)
{
    const size_t bytes = type == IMGRAD_SAMPLE_U8 ? 1 : type == IMGRAD_SAMPLE_U16 ? 2 : 4;
    size_t total;

    if (!imgrad__mul_size((size_t)l->width * (size_t)ch, bytes, row_bytes)
        || !imgrad__mul_size(*row_bytes, l->height, &total))
        return IMGRAD_EOVERFLOW;
    memset(px, 0, sizeof *px);
    if ((px->data = malloc(total)) == NULL)
        return IMGRAD_ENOMEM;
    px->width = (int)l->width;
    px->height = (int)l->height;
    px->channels = ch;
    px->sample = type;
    return IMGRAD_OK;
}

/* The RGBA path: 8-bit RGB (grey when the file is grey), as stored. */
static imgrad_status read_rgba(TIFF *t, const layout *l, imgrad__decoded *d)
{
    const int ch = l->photometric == PHOTOMETRIC_MINISBLACK
                   || l->photometric == PHOTOMETRIC_MINISWHITE ? 1 : 3;
    char msg[1024];
    uint32_t *raster;
    size_t row_bytes, i, n = (size_t)l->width * l->height;
    imgrad_status st;
    unsigned char *out;

    if (!TIFFRGBAImageOK(t, msg))
        return IMGRAD_EUNSUPPORTED;
    if ((raster = _TIFFmalloc((tmsize_t)(n * sizeof *raster))) == NULL)
        return IMGRAD_ENOMEM;
    /* asked in the file's own orientation: no flip, rows as stored */
    if (!TIFFReadRGBAImageOriented(t, l->width, l->height, raster, l->orientation, 0)) {
        _TIFFfree(raster);
        return IMGRAD_EDECODE;
    }
    if ((st = alloc_pixels(l, ch, IMGRAD_SAMPLE_U8, &d->px, &row_bytes)) == IMGRAD_OK) {
        out = d->px.data;
        for (i = 0; i < n; i++) {
            out[i * (size_t)ch] = (unsigned char)TIFFGetR(raster[i]);
            if (ch == 3) {
                out[i * 3 + 1] = (unsigned char)TIFFGetG(raster[i]);
                out[i * 3 + 2] = (unsigned char)TIFFGetB(raster[i]);
            }
        }
        d->kind = IMGRAD_SOURCE_8BIT;
    }
    _TIFFfree(raster);
    return st;
}

/* Decodes the current directory of t into d. */
static imgrad_status decode_directory(TIFF *t, const imgrad_load_options *o, imgrad__decoded *d)
{
    layout l;
    imgrad_sample type;
    size_t row_bytes;
    imgrad_status st;
    int ch;

    memset(&l, 0, sizeof l);
    read_layout(t, &l);
    if (l.width > INT_MAX || l.height > INT_MAX)
        return IMGRAD_ETOOLARGE;
    if ((st = imgrad__check_size((long)l.width, (long)l.height, o)) != IMGRAD_OK)
        return st;
    d->orientation = l.orientation;
    if ((ch = direct_channels(t, &l, &type, &d->kind)) == 0)
        return read_rgba(t, &l, d);
    if ((st = alloc_pixels(&l, ch, type, &d->px, &row_bytes)) != IMGRAD_OK)
        return st;
    st = TIFFIsTiled(t) ? read_tiles(t, &l, &d->px, row_bytes)
                        : read_strips(t, &l, &d->px, row_bytes);
    if (st != IMGRAD_OK) {
        free(d->px.data);
        d->px.data = NULL;
    }
    return st;
}

imgrad_status imgrad__tiff_decode(const unsigned char *data, size_t len,
                                  const imgrad_load_options *o, imgrad__decoded *d)
{
    source s = { data, len, 0 };
    int errors = 0;
    TIFF *t;
    imgrad_status st;

    memset(d, 0, sizeof *d);
    d->orientation = 1;
    if (o->page < 0)
        return IMGRAD_EINVAL;
    if ((t = open_memory(&s, &errors)) == NULL)
        return IMGRAD_EDECODE;
    if (o->page > 0 && !TIFFSetDirectory(t, (tdir_t)o->page)) {
        /* past the last directory, or a broken chain before it */
        st = o->page >= (int)TIFFNumberOfDirectories(t) ? IMGRAD_ENOPAGE : IMGRAD_EDECODE;
        TIFFClose(t);
        return st;
    }
    st = decode_directory(t, o, d);
    if (st == IMGRAD_OK && errors > 0) { /* an error libtiff recovered from */
        free(d->px.data);
        d->px.data = NULL;
        st = IMGRAD_EDECODE;
    }
    TIFFClose(t);
    return st;
}

imgrad_status imgrad__tiff_probe(const unsigned char *data, size_t len, int page,
                                 imgrad_source_info *info)
{
    source s = { data, len, 0 };
    int errors = 0;
    layout l;
    TIFF *t;

    if ((t = open_memory(&s, &errors)) == NULL)
        return IMGRAD_EDECODE;
    if (page > 0 && !TIFFSetDirectory(t, (tdir_t)page)) {
        TIFFClose(t);
        return IMGRAD_ENOPAGE;
    }
    memset(&l, 0, sizeof l);
    read_layout(t, &l);
    TIFFClose(t);
    if (l.width > INT_MAX || l.height > INT_MAX)
        return IMGRAD_EDECODE;
    info->width = (int)l.width;
    info->height = (int)l.height;
    info->channels = l.spp < 1 ? 1 : l.spp > 4 ? 4 : l.spp;
    info->kind = l.bps <= 8 ? IMGRAD_SOURCE_8BIT : l.bps == 16 && l.format == SAMPLEFORMAT_UINT
                 ? IMGRAD_SOURCE_16BIT : IMGRAD_SOURCE_FLOAT;
    return IMGRAD_OK;
}

/* ------------------------------------------------------------ encoding */

/* TIFF field types */
enum { T_ASCII = 2, T_SHORT = 3, T_LONG = 4 };

/* Rows per strip: about 64 KiB a strip, as libtiff's default aims for. */
#define STRIP_BYTES ((uint64_t)1 << 16)

static void put16(unsigned char *p, unsigned v)
{
    p[0] = (unsigned char)(v & 0xff);
    p[1] = (unsigned char)(v >> 8);
}

static void put32(unsigned char *p, uint32_t v)
{
    put16(p, v & 0xffff);
    put16(p + 2, v >> 16);
}

/* One 12-byte directory entry; value is the value itself when it fits in
 * 4 bytes, else the offset of the values. */
static unsigned char *entry(unsigned char *p, unsigned tag, unsigned type, uint32_t count,
                            uint32_t value)
{
    put16(p, tag);
    put16(p + 2, type);
    put32(p + 4, count);
    if (type == T_SHORT && count == 1) {
        put16(p + 8, value);
        put16(p + 10, 0);
    } else {
        put32(p + 8, value);
    }
    return p + 12;
}

/* The plan of a file: where each part starts. */
typedef struct plan {
    uint32_t row_bytes, rows_per_strip, strips;
    uint32_t data_at, ifd_at, bits_at, format_at, offsets_at, counts_at, text_at, end;
    uint32_t text_len; /* with its terminating NUL */
} plan;

/* Lays the file out: header, rows, directory, then the arrays the
 * directory points to, each at an even offset.  0 above 4 GiB. */
static int make_plan(int width, int height, int count, int bits, const char *description,
                     plan *p)
{
    const uint64_t row = (uint64_t)width * (uint64_t)count * (uint64_t)(bits / 8);
    uint64_t at, rps = STRIP_BYTES / row > 0 ? STRIP_BYTES / row : 1;
    const int entries = description != NULL ? 12 : 11;

    if (rps > (uint64_t)height)
        rps = (uint64_t)height;
    memset(p, 0, sizeof *p);
    p->row_bytes = row > UINT32_MAX ? 0 : (uint32_t)row;
    p->rows_per_strip = (uint32_t)rps;
    p->strips = (uint32_t)(((uint64_t)height + rps - 1) / rps);
    p->text_len = description != NULL ? (uint32_t)strlen(description) + 1 : 0;
    p->data_at = 8;
    at = 8 + row * (uint64_t)height;
    at += at & 1;
    p->ifd_at = (uint32_t)at;
    at += 2 + 12 * (uint64_t)entries + 4;
    p->bits_at = (uint32_t)at;                 /* used when count > 2 */
    at += count > 2 ? 2 * (uint64_t)count : 0;
    p->format_at = (uint32_t)at;
    at += count > 2 ? 2 * (uint64_t)count : 0;
    p->offsets_at = (uint32_t)at;              /* used when strips > 1 */
    at += p->strips > 1 ? 4 * (uint64_t)p->strips : 0;
    p->counts_at = (uint32_t)at;
    at += p->strips > 1 ? 4 * (uint64_t)p->strips : 0;
    p->text_at = (uint32_t)at;
    at += p->text_len + (p->text_len & 1);
    p->end = (uint32_t)at;
    return row <= UINT32_MAX && at <= UINT32_MAX && p->text_len < UINT32_MAX / 2;
}

/* A SHORT array of count values v, or the value itself for 1 or 2. */
static unsigned char *short_entry(unsigned char *e, unsigned tag, int count, unsigned v,
                                  uint32_t at, unsigned char *arrays, uint32_t arrays_at)
{
    int c;

    if (count > 2) {
        for (c = 0; c < count; c++)
            put16(arrays + (at - arrays_at) + 2 * c, v);
        return entry(e, tag, T_SHORT, (uint32_t)count, at);
    }
    e = entry(e, tag, T_SHORT, (uint32_t)count, v);
    if (count == 2)
        put16(e - 2, v);
    return e;
}

/* The directory and the arrays after it, into buf (p.end - p.ifd_at bytes). */
static void build_directory(const plan *p, int width, int height, int count, int bits,
                            const char *description, unsigned char *buf)
{
    unsigned char *arrays = buf + (p->bits_at - p->ifd_at), *e = buf + 2;
    const unsigned photometric = count >= 3 ? 2 : 1; /* RGB, or black is zero */
    uint32_t s;

    put16(buf, description != NULL ? 12 : 11);
    /* entries in increasing tag order, as TIFF requires */
    e = entry(e, 256, T_LONG, 1, (uint32_t)width);
    e = entry(e, 257, T_LONG, 1, (uint32_t)height);
    e = short_entry(e, 258, count, (unsigned)bits, p->bits_at, arrays, p->bits_at);
    e = entry(e, 259, T_SHORT, 1, 1); /* no compression */
    e = entry(e, 262, T_SHORT, 1, photometric);
    if (description != NULL) {
        memcpy(arrays + (p->text_at - p->bits_at), description, p->text_len);
        e = entry(e, 270, T_ASCII, p->text_len,
                  p->text_len <= 4 ? 0 : p->text_at);
        if (p->text_len <= 4) /* short enough to sit in the entry */
            memcpy(e - 4, description, p->text_len);
    }
    e = entry(e, 273, T_LONG, p->strips, p->strips > 1 ? p->offsets_at : p->data_at);
    e = entry(e, 277, T_SHORT, 1, (unsigned)count);
    e = entry(e, 278, T_LONG, 1, p->rows_per_strip);
    e = entry(e, 279, T_LONG, p->strips,
              p->strips > 1 ? p->counts_at : p->row_bytes * (uint32_t)height);
    e = entry(e, 284, T_SHORT, 1, 1); /* chunky */
    e = short_entry(e, 339, count, bits == 32 ? 3u : 1u, p->format_at, arrays, p->bits_at);
    put32(e, 0); /* no next directory */
    for (s = 0; p->strips > 1 && s < p->strips; s++) {
        const uint32_t rows = s + 1 < p->strips ? p->rows_per_strip
                                                : (uint32_t)height - s * p->rows_per_strip;
        put32(arrays + (p->offsets_at - p->bits_at) + 4 * s,
              p->data_at + s * p->rows_per_strip * p->row_bytes);
        put32(arrays + (p->counts_at - p->bits_at) + 4 * s, rows * p->row_bytes);
    }
}

imgrad_status imgrad__tiff_encode(FILE *fp, int width, int height, int count, int bits,
                                  imgrad__tiff_row row, const void *ctx,
                                  const char *description)
{
    unsigned char header[8] = { 'I', 'I', 42, 0 }, *dir, *line, pad = 0;
    plan p;
    int y, ok;

    if (!make_plan(width, height, count, bits, description, &p))
        return IMGRAD_EOVERFLOW;
    put32(header + 4, p.ifd_at);
    dir = calloc(p.end - p.ifd_at, 1);
    line = malloc(p.row_bytes);
    if (dir == NULL || line == NULL) {
        free(dir);
        free(line);
        return IMGRAD_ENOMEM;
    }
    build_directory(&p, width, height, count, bits, description, dir);
    ok = fwrite(header, 1, 8, fp) == 8;
    for (y = 0; ok && y < height; y++) {
        row(ctx, y, line);
        ok = fwrite(line, 1, p.row_bytes, fp) == p.row_bytes;
    }
    if (ok && (8 + (uint64_t)p.row_bytes * (uint64_t)height) % 2 != 0)
        ok = fwrite(&pad, 1, 1, fp) == 1;
    ok = ok && fwrite(dir, 1, p.end - p.ifd_at, fp) == p.end - p.ifd_at;
    free(dir);
    free(line);
    return ok ? IMGRAD_OK : IMGRAD_EIO;
}
