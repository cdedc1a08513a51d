/* stb.c - the one file that includes stb_image and stb_image_write (from
 * Debian's libstb-dev) and compiles their implementations, so imgrad chooses
 * their options here and nowhere else. */
#include "io.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#define STBI_NO_STDIO          /* imgrad reads files itself (size limits first) */
#define STBI_FAILURE_USERMSG
#define STB_IMAGE_STATIC
#define STB_IMAGE_IMPLEMENTATION
#define STBIW_NO_STDIO
#define STB_IMAGE_WRITE_STATIC
#define STB_IMAGE_WRITE_IMPLEMENTATION
/* Static stb leaves functions imgrad does not call; GCC warns about those at
 * the end of the file, so the warning stays off for the whole file. */
#if defined(__GNUC__)
#pragma GCC diagnostic ignored "-Wunused-function"
#endif
#include <stb/stb_image.h>
#include <stb/stb_image_write.h>

/* stb 2.27's PSD 16-bit test skips the width and height with STBI_NOTUSED,
 * a sizeof that never reads them, so it misses every 16-bit PSD: read the
 * depth field (big-endian, offset 22) here instead. */
static int psd_is_16_bit(const stbi_uc *data, int len)
{
    return len >= 26 && memcmp(data, "8BPS", 4) == 0 && data[22] == 0 && data[23] == 16;
}

static void decode_pixels(const stbi_uc *data, int len, int luma, imgrad_pixels *px,
                          imgrad_source_kind *kind)
{
    int *w = &px->width, *h = &px->height, *ch = &px->channels;

    memset(px, 0, sizeof *px); /* packed rows, RGB order */
    px->sample = IMGRAD_SAMPLE_U8;
    *kind = IMGRAD_SOURCE_8BIT;
    if (stbi_is_hdr_from_memory(data, len)) {
        px->data = stbi_loadf_from_memory(data, len, w, h, ch, 0);
        px->sample = IMGRAD_SAMPLE_F32;
        *kind = IMGRAD_SOURCE_HDR;
    } else if (stbi_is_16_bit_from_memory(data, len) || psd_is_16_bit(data, len)) {
        px->data = stbi_load_16_from_memory(data, len, w, h, ch, 0);
        px->sample = IMGRAD_SAMPLE_U16;
        *kind = IMGRAD_SOURCE_16BIT;
    } else {
        px->data = stbi_load_from_memory(data, len, w, h, ch, luma ? 1 : 0);
        if (luma)
            *ch = 1;
    }
}

/* The container stb_image will decode data as: its own header tests, in
 * the order stbi__load_main tries them (each test rewinds its context). */
static imgrad__container container_of(const stbi_uc *data, int len)
{
    stbi__context s;

    stbi__start_mem(&s, data, len);
    if (stbi__png_test(&s))
        return IMGRAD__PNG;
    if (stbi__bmp_test(&s))
        return IMGRAD__BMP;
    if (stbi__gif_test(&s))
        return IMGRAD__GIF;
    if (stbi__psd_test(&s) || stbi__pic_test(&s))
        return IMGRAD__UNCHECKED;
    if (stbi__jpeg_test(&s))
        return IMGRAD__JPEG;
    if (stbi__pnm_test(&s))
        return IMGRAD__PNM;
    if (stbi__hdr_test(&s))
        return IMGRAD__UNCHECKED;
    return stbi__tga_test(&s) ? IMGRAD__TGA : IMGRAD__UNCHECKED;
}

/* Why stbi_info refused a file.  It refuses a PNG above its own limit
 * (2^30 bytes of pixels) as it refuses a non-image; the size in the IHDR
 * chunk tells the two apart, so that the message says "too large". */
static imgrad_status refusal(const unsigned char *d, size_t len,
                             const imgrad_load_options *o)
{
    uint32_t w, h;

    if (len < 24 || memcmp(d, "\x89PNG\r\n\x1a\n", 8) != 0 || memcmp(d + 12, "IHDR", 4) != 0)
        return IMGRAD_EFORMAT;
    w = (uint32_t)d[16] << 24 | (uint32_t)d[17] << 16 | (uint32_t)d[18] << 8 | d[19];
    h = (uint32_t)d[20] << 24 | (uint32_t)d[21] << 16 | (uint32_t)d[22] << 8 | d[23];
    if (w == 0 || h == 0)
        return IMGRAD_EEMPTY;
    if (w > INT32_MAX || h > INT32_MAX
        || imgrad__check_size((long)w, (long)h, o) == IMGRAD_ETOOLARGE)
        return IMGRAD_ETOOLARGE;
    return IMGRAD_EFORMAT;
}

/* Why stb's decoder failed: out of memory (stb says so in its failure
 * reason), or the data. */
static imgrad_status decode_failure(void)
{
    const char *why = stbi_failure_reason();
    return why != NULL && (strcmp(why, "outofmem") == 0 || strcmp(why, "Out of memory") == 0)
               ? IMGRAD_ENOMEM : IMGRAD_EDECODE;
}

imgrad_status imgrad__stb_decode(const unsigned char *data, size_t len,
                                 const imgrad_load_options *o, int luma, imgrad_pixels *px,
                                 imgrad_source_kind *kind)
{
    int w, h, ch;
    imgrad_status st;

    memset(px, 0, sizeof *px);
    if (len > INT_MAX)
        return IMGRAD_ETOOLARGE;
    /* the container first: stbi_info itself parses a JPEG's tables */
    if ((st = imgrad__preflight(container_of(data, (int)len), data, len)) != IMGRAD_OK)
        return st;
    /* the header alone: refuse absurd sizes before stb allocates anything */
    if (!stbi_info_from_memory(data, (int)len, &w, &h, &ch))
        return refusal(data, len, o);
    /* a top-down BMP stores a negative height, and stb's info call passes
     * it on (its decoder flips such files itself) */
    if ((st = imgrad__check_size(w, h < 0 && h != INT_MIN ? -h : h, o)) != IMGRAD_OK)
        return st;
    decode_pixels(data, (int)len, luma, px, kind);
    if (px->data == NULL)
        return decode_failure();
    /* GIF and PSD report their size only once decoded: check again */
    if ((st = imgrad__check_size(px->width, px->height, o)) != IMGRAD_OK)
        imgrad__pixels_free(px);
    return st;
}

imgrad_status imgrad__stb_probe(const unsigned char *data, size_t len, imgrad_source_info *info)
{
    int w, h, ch;
    imgrad_status st;

    if (len > INT_MAX)
        return IMGRAD_EFORMAT;
    /* as for a decode: stbi_info builds a JPEG's Huffman tables, which
     * preflight must have checked (fuzz_load found the probe without it) */
    if ((st = imgrad__preflight(container_of(data, (int)len), data, len)) != IMGRAD_OK)
        return st;
    if (!stbi_info_from_memory(data, (int)len, &w, &h, &ch))
        return IMGRAD_EFORMAT;
    info->width = w;
    info->height = h < 0 && h != INT_MIN ? -h : h; /* a top-down BMP */
    info->channels = ch;
    info->kind = stbi_is_hdr_from_memory(data, (int)len) ? IMGRAD_SOURCE_HDR
                 : stbi_is_16_bit_from_memory(data, (int)len) || psd_is_16_bit(data, (int)len)
                     ? IMGRAD_SOURCE_16BIT : IMGRAD_SOURCE_8BIT;
    return IMGRAD_OK;
}

/* stb_image allocates with malloc (STBI_MALLOC's default), so imgrad_free
 * frees its pixels too. */
void imgrad__pixels_free(imgrad_pixels *px)
{
    stbi_image_free(px->data);
    px->data = NULL;
}

/* Which decoder gives o's grey of data: 1 libjpeg's grey plane, 2 libpng
 * as OpenCV asks it, 0 stb_image's samples weighted by imgrad__to_gray. */
static int grey_decoder(const unsigned char *data, size_t len, const imgrad_load_options *o)
{
    const int jpeg = container_of(data, len > INT_MAX ? INT_MAX : (int)len) == IMGRAD__JPEG;

    if (o->gray == IMGRAD_GRAY_OPENCV)
        return jpeg ? 1 : imgrad__is_png(data, len) ? 2 : 0;
    /* the luma plane is the Rec.601 grey as the JPEG encoder computed it,
     * before chroma was subsampled and quantised */
    return o->jpeg_luma && o->gray == IMGRAD_GRAY_REC601 && jpeg
           && imgrad__jpeg_is_ycbcr(data, len);
}

int imgrad__luma_as_decoded(const unsigned char *data, size_t len,
                            const imgrad_load_options *o)
{
    return grey_decoder(data, len, o) == 1
           && (!o->orient || imgrad__exif_orientation(data, len) == 1);
}

/* The samples of data: a JPEG by libjpeg-turbo when try_libjpeg (the
 * pixels numpy users read through PIL, skimage or OpenCV), else or when
 * libjpeg refuses it by stb_image (luma: a JPEG's first component). */
static imgrad_status decode_samples(const unsigned char *data, size_t len,
                                    const imgrad_load_options *o, int try_libjpeg, int luma,
                                    imgrad_pixels *px, imgrad_source_kind *kind)
{
    imgrad_status st = IMGRAD_EDECODE;

    *kind = IMGRAD_SOURCE_8BIT;
    if (try_libjpeg && container_of(data, len > INT_MAX ? INT_MAX : (int)len) == IMGRAD__JPEG
        && (st = imgrad__preflight(IMGRAD__JPEG, data, len)) == IMGRAD_OK)
        st = imgrad__jpeg_pixels(data, len, o, px);
    return st == IMGRAD_EDECODE ? imgrad__stb_decode(data, len, o, luma, px, kind) : st;
}

imgrad_status imgrad__stb_decode_gray(const unsigned char *data, size_t len,
                                      const imgrad_load_options *o,
                                      imgrad_grid *out, imgrad_source_info *info)
{
    const int decoder = grey_decoder(data, len, o);
    const int luma = decoder == 1 && o->gray != IMGRAD_GRAY_OPENCV;
    imgrad_source_kind kind;
    imgrad_pixels px;
    imgrad_status st = IMGRAD_EDECODE;
    int w, h, ch;

    /* libjpeg or libpng first; stb_image judges the files they find fault
     * with.  The container check comes first either way (it bounds the
     * number of scans libjpeg would do). */
    if (decoder != 0 && (st = imgrad__preflight(decoder == 1 ? IMGRAD__JPEG : IMGRAD__PNG,
                                                data, len)) != IMGRAD_OK)
        return st;
    if (decoder == 1)
        st = imgrad__jpeg_luma(data, len, o, out);
    else if (decoder == 2)
        st = imgrad__png_gray_opencv(data, len, o, out);
    if (decoder != 0 && st != IMGRAD_EDECODE) {
        if (st == IMGRAD_OK && info != NULL) {
            info->width = out->width;
            info->height = out->height;
            info->channels = len <= INT_MAX && stbi_info_from_memory(data, (int)len, &w, &h, &ch)
                                 ? ch : 3;
            info->kind = IMGRAD_SOURCE_8BIT;
        }
        return st;
    }
    if ((st = decode_samples(data, len, o, decoder == 0, luma, &px, &kind)) != IMGRAD_OK)
        return st;
    st = imgrad__grid_alloc(out, px.width, px.height); /* every pixel is written */
    /* 8/16-bit samples scaled to [0, 1] and weighted colour are not float32
     * values; a grey float sample is */
    if (st == IMGRAD_OK && o->residual && (px.sample != IMGRAD_SAMPLE_F32 || px.channels >= 3))
        st = imgrad__grid_alloc_residual(out);
    if (st == IMGRAD_OK)
        imgrad__to_gray(&px, o->gray, o->raw_range, out);
    else
        imgrad_grid_free(out);
    if (st == IMGRAD_OK && info != NULL) {
        info->width = px.width;
        info->height = px.height;
        info->channels = luma ? 3 : px.channels;
        info->kind = kind;
    }
    imgrad__pixels_free(&px);
    return st;
}

/* stb_image_write hands us the encoded bytes in pieces. */
typedef struct sink {
    FILE *fp;
    int failed;
} sink;

static void sink_write(void *context, void *data, int size)
{
    sink *s = context;
    if (!s->failed && fwrite(data, 1, (size_t)size, s->fp) != (size_t)size)
        s->failed = 1;
}

imgrad_status imgrad__stb_encode(FILE *fp, imgrad_format fmt, const unsigned char *pixels,
                                 int width, int height, int channels,
                                 const imgrad_write_options *o)
{
    sink s = { fp, 0 };
    int ok = 0;

    switch (fmt) {
    case IMGRAD_FORMAT_PNG:
        /* not stb's writer: see png.c */
        return imgrad__png_encode(fp, pixels, width, height, channels, o->png_level,
                                  o->png_filter);
    case IMGRAD_FORMAT_JPG:
        ok = stbi_write_jpg_to_func(sink_write, &s, width, height, channels, pixels,
                                    o->jpeg_quality);
        break;
    case IMGRAD_FORMAT_BMP:
        ok = stbi_write_bmp_to_func(sink_write, &s, width, height, channels, pixels);
        break;
    case IMGRAD_FORMAT_TGA:
        ok = stbi_write_tga_to_func(sink_write, &s, width, height, channels, pixels);
        break;
    case IMGRAD_FORMAT_NPY:
    case IMGRAD_FORMAT_TIFF: /* not 8-bit pictures: write_deep.c */
        return IMGRAD_EINVAL;
    }
    if (!ok)
        return IMGRAD_ENOMEM; /* stb fails only when an allocation does */
    return s.failed ? IMGRAD_EIO : IMGRAD_OK;
}
