/* heif.c - HEIF/HEIC (HEVC) and AVIF (AV1) decoding by libheif: the primary
 * image, with libheif applying the file's rotation, mirroring and crop (its
 * default), so it comes out upright.  8-bit images give 8-bit RGB; 10 and
 * 12-bit ones give 16-bit RGB, each value v of b bits scaled to
 * round(v * 65535 / (2^b - 1)), so that value / 65535 is v / (2^b - 1) to
 * within 2^-17.  The alpha plane is not decoded (imgrad ignores alpha).
 *
 * Decoding is strict (libheif's strict_decoding): data libheif would
 * decode "as best it can" with warnings is refused, as a JPEG that
 * libjpeg warns about is.  AV1 goes to libaom's decoder when libheif has
 * it: libheif 1.15's dav1d plugin leaks its input buffer (40 bytes) each
 * time dav1d rejects the data (found by fuzz_load), and valgrind cannot
 * run dav1d's vector code at all ("VEX temporary storage exhausted");
 * libaom decodes a 2048 x 2048 AVIF in about the same time (0.59 s
 * against 0.48 s, measured here). */
#include "formats.h"

#include <libheif/heif.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

static imgrad_status status_of(struct heif_error e)
{
    if (e.subcode == heif_suberror_Security_limit_exceeded)
        return IMGRAD_ETOOLARGE;
    switch (e.code) {
    case heif_error_Ok: return IMGRAD_OK;
    case heif_error_Memory_allocation_error: return IMGRAD_ENOMEM;
    case heif_error_Unsupported_filetype:
    case heif_error_Unsupported_feature: return IMGRAD_EUNSUPPORTED;
    default: return IMGRAD_EDECODE;
    }
}

/* Copies the interleaved plane of img (8 bits, or up to 16 in 16-bit
 * little-endian words) into packed pixels. */
static imgrad_status copy_plane(const struct heif_image *img, int deep, imgrad__decoded *d)
{
    const int w = heif_image_get_width(img, heif_channel_interleaved);
    const int h = heif_image_get_height(img, heif_channel_interleaved);
    const int bits = heif_image_get_bits_per_pixel_range(img, heif_channel_interleaved);
    const size_t bytes = deep ? 2 : 1, row = (size_t)w * 3 * bytes;
    const double to16 = bits > 0 && bits < 16 ? 65535.0 / ((1 << bits) - 1) : 1.0;
    int stride, y;
    size_t x;
    const uint8_t *plane = heif_image_get_plane_readonly(img, heif_channel_interleaved, &stride);

    if (plane == NULL || w <= 0 || h <= 0 || (size_t)stride < row)
        return IMGRAD_EDECODE;
    if ((d->px.data = malloc(row * (size_t)h)) == NULL)
        return IMGRAD_ENOMEM;
    for (y = 0; y < h; y++) {
        const uint8_t *in = plane + (size_t)y * (size_t)stride;
        unsigned char *out = (unsigned char *)d->px.data + (size_t)y * row;
        if (!deep) {
            memcpy(out, in, row);
            continue;
        }
        for (x = 0; x < (size_t)w * 3; x++) {
            const unsigned v = in[2 * x] | (unsigned)in[2 * x + 1] << 8;
            const uint16_t s = (uint16_t)(v * to16 + 0.5 < 65535 ? v * to16 + 0.5 : 65535);
            memcpy(out + 2 * x, &s, 2);
        }
    }
    d->px.width = w;
    d->px.height = h;
    d->px.channels = 3;
    d->px.sample = deep ? IMGRAD_SAMPLE_U16 : IMGRAD_SAMPLE_U8;
    d->kind = deep ? IMGRAD_SOURCE_16BIT : IMGRAD_SOURCE_8BIT;
    return IMGRAD_OK;
}

/* "aom" when the file is AVIF and libheif has libaom's decoder, else NULL
 * (libheif's first choice). */
static const char *decoder_for(const unsigned char *data, size_t len)
{
    const struct heif_decoder_descriptor *dec[8];
    const enum heif_brand brand = heif_main_brand(data, len > 64 ? 64 : (int)len);
    int i, n;

    if (brand != heif_avif && brand != heif_avis)
        return NULL;
    n = heif_get_decoder_descriptors(heif_compression_AV1, dec, 8);
    for (i = 0; i < n; i++)
        if (strcmp(heif_decoder_descriptor_get_id_name(dec[i]), "aom") == 0)
            return "aom";
    return NULL;
}

/* Decodes the primary image of an opened context. */
static imgrad_status decode_primary(struct heif_context *ctx, const char *decoder,
                                    const imgrad_load_options *o, imgrad__decoded *d)
{
    struct heif_decoding_options *options = heif_decoding_options_alloc();
    struct heif_image_handle *handle = NULL;
    struct heif_image *img = NULL;
    imgrad_status st;
    int deep;

    if (options == NULL)
        return IMGRAD_ENOMEM;
    options->strict_decoding = 1;
    options->decoder_id = decoder;
    if ((st = status_of(heif_context_get_primary_image_handle(ctx, &handle))) != IMGRAD_OK) {
        heif_decoding_options_free(options);
        return st;
    }
    st = imgrad__check_size(heif_image_handle_get_width(handle),
                            heif_image_handle_get_height(handle), o);
    deep = heif_image_handle_get_luma_bits_per_pixel(handle) > 8;
    if (st == IMGRAD_OK)
        st = status_of(heif_decode_image(handle, &img, heif_colorspace_RGB,
                                         deep ? heif_chroma_interleaved_RRGGBB_LE
                                              : heif_chroma_interleaved_RGB, options));
    /* the turned size, checked again */
    if (st == IMGRAD_OK)
        st = imgrad__check_size(heif_image_get_width(img, heif_channel_interleaved),
                                heif_image_get_height(img, heif_channel_interleaved), o);
    if (st == IMGRAD_OK)
        st = copy_plane(img, deep, d);
    heif_image_release(img);
    heif_image_handle_release(handle);
    heif_decoding_options_free(options);
    return st;
}

imgrad_status imgrad__heif_decode(const unsigned char *data, size_t len,
                                  const imgrad_load_options *o, imgrad__decoded *d)
{
    struct heif_context *ctx;
    imgrad_status st;

    memset(d, 0, sizeof *d);
    d->orientation = 1; /* libheif turns the image itself */
    if (o->page != 0)
        return o->page < 0 ? IMGRAD_EINVAL : IMGRAD_ENOPAGE;
    if ((ctx = heif_context_alloc()) == NULL)
        return IMGRAD_ENOMEM;
    /* libheif's own limit on each side, before it allocates */
    heif_context_set_maximum_image_size_limit(ctx, o->max_dimension);
    /* no threads of libheif's own: the caller decides parallelism */
    heif_context_set_max_decoding_threads(ctx, 0);
    st = status_of(heif_context_read_from_memory_without_copy(ctx, data, len, NULL));
    if (st == IMGRAD_OK)
        st = decode_primary(ctx, decoder_for(data, len), o, d);
    heif_context_free(ctx);
    return st;
}

imgrad_status imgrad__heif_probe(const unsigned char *data, size_t len, imgrad_source_info *info)
{
    struct heif_context *ctx = heif_context_alloc();
    struct heif_image_handle *handle = NULL;
    imgrad_status st;

    if (ctx == NULL)
        return IMGRAD_ENOMEM;
    st = status_of(heif_context_read_from_memory_without_copy(ctx, data, len, NULL));
    if (st == IMGRAD_OK)
        st = status_of(heif_context_get_primary_image_handle(ctx, &handle));
    if (st == IMGRAD_OK) {
        info->width = heif_image_handle_get_width(handle);
        info->height = heif_image_handle_get_height(handle);
        info->channels = heif_image_handle_has_alpha_channel(handle) ? 4 : 3;
        info->kind = heif_image_handle_get_luma_bits_per_pixel(handle) > 8
                         ? IMGRAD_SOURCE_16BIT : IMGRAD_SOURCE_8BIT;
        heif_image_handle_release(handle);
    }
    heif_context_free(ctx);
    return st;
}
