/* webp.c - WebP decoding by libwebp (lossy VP8 and lossless VP8L, with or
 * without alpha), and the orientation of its EXIF chunk, for the caller to
 * apply as a JPEG's.  An animated WebP is refused (EUNSUPPORTED): libwebp's
 * simple decoder does not take one, and its first frame alone would be a
 * guess at what the user means. */
#include "formats.h"

#include <stdlib.h>
#include <string.h>
#include <webp/decode.h>

/* The orientation in an extended WebP's EXIF chunk, or 1.  The file is a
 * RIFF list of chunks: a fourcc, a little-endian size, the payload padded
 * to an even length. */
static int webp_orientation(const unsigned char *data, size_t len)
{
    size_t at = 12, size;

    while (len >= 8 && at <= len - 8) {
        size = (size_t)data[at + 4] | (size_t)data[at + 5] << 8 | (size_t)data[at + 6] << 16
               | (size_t)data[at + 7] << 24;
        if (size > len - at - 8)
            return 1;
        if (memcmp(data + at, "EXIF", 4) == 0)
            return imgrad__exif_block_orientation(data + at + 8, size);
        at += 8 + size + (size & 1);
    }
    return 1;
}

imgrad_status imgrad__webp_decode(const unsigned char *data, size_t len,
                                  const imgrad_load_options *o, imgrad__decoded *d)
{
    WebPBitstreamFeatures f;
    size_t row, total;
    int ch;
    imgrad_status st;

    memset(d, 0, sizeof *d);
    d->orientation = 1;
    if (o->page != 0)
        return o->page < 0 ? IMGRAD_EINVAL : IMGRAD_ENOPAGE;
    switch (WebPGetFeatures(data, len, &f)) {
    case VP8_STATUS_OK: break;
    case VP8_STATUS_UNSUPPORTED_FEATURE: return IMGRAD_EUNSUPPORTED;
    case VP8_STATUS_OUT_OF_MEMORY: return IMGRAD_ENOMEM;
    default: return IMGRAD_EDECODE;
    }
    if (f.has_animation)
        return IMGRAD_EUNSUPPORTED;
    if ((st = imgrad__check_size(f.width, f.height, o)) != IMGRAD_OK)
        return st;
    ch = f.has_alpha ? 4 : 3;
    if (!imgrad__mul_size((size_t)f.width, (size_t)ch, &row)
        || !imgrad__mul_size(row, (size_t)f.height, &total))
        return IMGRAD_EOVERFLOW;
    if ((d->px.data = malloc(total)) == NULL)
        return IMGRAD_ENOMEM;
    /* into our buffer, so that imgrad_free frees it */
    if ((ch == 4 ? WebPDecodeRGBAInto(data, len, d->px.data, total, (int)row)
                 : WebPDecodeRGBInto(data, len, d->px.data, total, (int)row)) == NULL) {
        free(d->px.data);
        d->px.data = NULL;
        return IMGRAD_EDECODE;
    }
    d->px.sample = IMGRAD_SAMPLE_U8;
    d->px.width = f.width;
    d->px.height = f.height;
    d->px.channels = ch;
    d->kind = IMGRAD_SOURCE_8BIT;
    d->orientation = webp_orientation(data, len);
    return IMGRAD_OK;
}

imgrad_status imgrad__webp_probe(const unsigned char *data, size_t len, imgrad_source_info *info)
{
    WebPBitstreamFeatures f;

    if (WebPGetFeatures(data, len, &f) != VP8_STATUS_OK)
        return IMGRAD_EDECODE;
    info->width = f.width;
    info->height = f.height;
    info->channels = f.has_alpha ? 4 : 3;
    info->kind = IMGRAD_SOURCE_8BIT;
    return IMGRAD_OK;
}
