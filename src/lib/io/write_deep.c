/* write_deep.c - outputs deeper than 8 bits: 16-bit pictures (PNG by
 * libspng, TIFF), float32 TIFF products, and (H, W, C) .npy arrays of
 * colour channels. */
#include "formats.h"

#include <math.h>
#include <spng.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------- 16-bit maps */

static uint16_t clamp_round16(double v)
{
    v = v > 0 ? v : 0; /* NaN too goes to 0 */
    v = v < 65535 ? v + 0.5 : 65535;
    return (uint16_t)(long)v;
}

imgrad_status imgrad_to_16bit(const imgrad_grid *g, imgrad_map map, double scale,
                              uint16_t *out, size_t out_len)
{
    const double pi = 3.14159265358979323846;
    const double k = (map == IMGRAD_MAP_SIGNED ? 32767.0 : 65535.0) / scale;
    int x, y;

    if (g == NULL || g->data == NULL || out == NULL || g->width <= 0 || g->height <= 0
        || (map != IMGRAD_MAP_ANGLE && !(scale > 0))
        || (map != IMGRAD_MAP_UNSIGNED && map != IMGRAD_MAP_SIGNED && map != IMGRAD_MAP_ANGLE)
        || out_len / (size_t)g->width < (size_t)g->height)
        return IMGRAD_EINVAL;
    for (y = 0; y < g->height; y++) {
        const float *row = g->data + (size_t)y * g->stride;
        uint16_t *o = out + (size_t)y * (size_t)g->width;
        for (x = 0; x < g->width; x++)
            o[x] = clamp_round16(map == IMGRAD_MAP_UNSIGNED ? row[x] * k
                                 : map == IMGRAD_MAP_SIGNED ? 32768.0 + row[x] * k
                                 : (row[x] + pi) / (2 * pi) * 65535.0);
    }
    return IMGRAD_OK;
}

/* ------------------------------------------------------ 16-bit pictures */

static int spng_sink(spng_ctx *ctx, void *user, void *src, size_t length)
{
    (void)ctx;
    return fwrite(src, 1, length, user) == length ? 0 : SPNG_IO_ERROR;
}

/* A 16-bit PNG by libspng, which takes SPNG_FMT_PNG samples in the
 * machine's byte order and stores them big-endian, as PNG requires. */
static imgrad_status png16(FILE *fp, const uint16_t *pixels, int width, int height,
                           int channels, int level)
{
    struct spng_ihdr ihdr = { 0 };
    const size_t bytes = (size_t)width * (size_t)height * (size_t)channels * 2;
    spng_ctx *ctx = spng_ctx_new(SPNG_CTX_ENCODER);
    int rc = SPNG_EMEM;

    if (ctx != NULL) {
        ihdr.width = (uint32_t)width;
        ihdr.height = (uint32_t)height;
        ihdr.bit_depth = 16;
        ihdr.color_type = channels == 3 ? SPNG_COLOR_TYPE_TRUECOLOR : SPNG_COLOR_TYPE_GRAYSCALE;
        rc = spng_set_png_stream(ctx, spng_sink, fp);
        if (rc == 0)
            rc = spng_set_option(ctx, SPNG_IMG_COMPRESSION_LEVEL, level);
        if (rc == 0)
            rc = spng_set_ihdr(ctx, &ihdr);
        if (rc == 0)
            rc = spng_encode_image(ctx, pixels, bytes, SPNG_FMT_PNG, SPNG_ENCODE_FINALIZE);
    }
    spng_ctx_free(ctx);
    return rc == 0 ? IMGRAD_OK : rc == SPNG_EMEM ? IMGRAD_ENOMEM : IMGRAD_EIO;
}

typedef struct rows16 {
    const uint16_t *pixels;
    size_t row; /* samples */
} rows16;

static void row16_le(const void *ctx, int y, unsigned char *out)
{
    const rows16 *r = ctx;
    const uint16_t *in = r->pixels + (size_t)y * r->row;
    size_t i;

    for (i = 0; i < r->row; i++) {
        out[2 * i] = (unsigned char)(in[i] & 0xff);
        out[2 * i + 1] = (unsigned char)(in[i] >> 8);
    }
}

static imgrad_status check_image16(imgrad_format fmt, const uint16_t *pixels, int width,
                                   int height, int channels, const imgrad_write_options *o)
{
    if (pixels == NULL || width <= 0 || height <= 0 || (channels != 1 && channels != 3)
        || (fmt != IMGRAD_FORMAT_PNG && fmt != IMGRAD_FORMAT_TIFF)
        || o->png_level < 0 || o->png_level > 9)
        return IMGRAD_EINVAL;
    if ((uint64_t)width * (uint64_t)height * (uint64_t)channels > SIZE_MAX / 2)
        return IMGRAD_EOVERFLOW;
    return IMGRAD_OK;
}

imgrad_status imgrad_write_image16_fp(FILE *fp, imgrad_format fmt, const uint16_t *pixels,
                                      int width, int height, int channels,
                                      const imgrad_write_options *o)
{
    imgrad_write_options defaults;
    const rows16 rows = { pixels, (size_t)width * (size_t)channels };
    imgrad_status st;

    if (o == NULL) {
        imgrad_write_options_default(&defaults);
        o = &defaults;
    }
    if (fp == NULL)
        return IMGRAD_EINVAL;
    if ((st = check_image16(fmt, pixels, width, height, channels, o)) != IMGRAD_OK)
        return st;
    if (fmt == IMGRAD_FORMAT_PNG)
        return png16(fp, pixels, width, height, channels, o->png_level);
    return imgrad__tiff_encode(fp, width, height, channels, 16, row16_le, &rows, NULL);
}

/* ------------------------------------------------- float32 TIFF and npy */

/* Checks count grids of the same size; 0 if not. */
static int same_size(const imgrad_grid *grids, int count)
{
    int c;

    if (grids == NULL || count < 1 || count > 4)
        return 0;
    for (c = 0; c < count; c++)
        if (grids[c].data == NULL || grids[c].width <= 0 || grids[c].height <= 0
            || grids[c].width != grids[0].width || grids[c].height != grids[0].height)
            return 0;
    return 1;
}

typedef struct planes {
    const imgrad_grid *grids;
    int count;
} planes;

/* Row y of the channels, interleaved, as little-endian float32. */
static void row_f32_le(const void *ctx, int y, unsigned char *out)
{
    const planes *p = ctx;
    int x, c;

    for (x = 0; x < p->grids[0].width; x++)
        for (c = 0; c < p->count; c++) {
            uint32_t bits;
            unsigned char *q = out + 4 * ((size_t)x * (size_t)p->count + (size_t)c);
            memcpy(&bits, &p->grids[c].data[(size_t)y * p->grids[c].stride + (size_t)x], 4);
            q[0] = (unsigned char)(bits & 0xff);
            q[1] = (unsigned char)(bits >> 8 & 0xff);
            q[2] = (unsigned char)(bits >> 16 & 0xff);
            q[3] = (unsigned char)(bits >> 24);
        }
}

imgrad_status imgrad_write_tiff_fp(FILE *fp, const imgrad_grid *grids, int count,
                                   const char *description)
{
    const planes p = { grids, count };

    if (fp == NULL || !same_size(grids, count) || (count != 1 && count != 3))
        return IMGRAD_EINVAL;
    return imgrad__tiff_encode(fp, grids[0].width, grids[0].height, count, 32, row_f32_le,
                               &p, description);
}

imgrad_status imgrad_write_npy_channels_fp(FILE *fp, const imgrad_grid *grids, int count)
{
    const planes p = { grids, count };
    char header[128];
    unsigned char *row;
    size_t hlen, pad, row_bytes;
    int n, y, ok;

    if (fp == NULL || !same_size(grids, count))
        return IMGRAD_EINVAL;
    n = snprintf(header + 10, sizeof header - 10,
                 "{'descr': '<f4', 'fortran_order': False, 'shape': (%d, %d, %d), }",
                 grids[0].height, grids[0].width, count);
    /* .npy 1.0: magic, version, header length, the dict padded with spaces
     * and a newline so that the data starts at a multiple of 64 */
    hlen = (10 + (size_t)n + 1 + 63) / 64 * 64;
    pad = hlen - 10 - (size_t)n - 1;
    memcpy(header, "\x93NUMPY\x01\x00", 8);
    header[8] = (char)((hlen - 10) & 0xff);
    header[9] = (char)((hlen - 10) >> 8);
    memset(header + 10 + n, ' ', pad);
    header[hlen - 1] = '\n';
    row_bytes = (size_t)grids[0].width * (size_t)count * 4;
    if ((row = malloc(row_bytes)) == NULL)
        return IMGRAD_ENOMEM;
    ok = fwrite(header, 1, hlen, fp) == hlen;
    for (y = 0; ok && y < grids[0].height; y++) {
        row_f32_le(&p, y, row);
        ok = fwrite(row, 1, row_bytes, fp) == row_bytes;
    }
    free(row);
    return ok ? IMGRAD_OK : IMGRAD_EIO;
}

/* ------------------------------------------------ atomic file versions */

typedef struct image16_job {
    imgrad_format fmt;
    const uint16_t *pixels;
    int width, height, channels;
    const imgrad_write_options *o;
} image16_job;

static imgrad_status image16_stream(FILE *fp, const void *ctx)
{
    const image16_job *j = ctx;
    return imgrad_write_image16_fp(fp, j->fmt, j->pixels, j->width, j->height, j->channels,
                                   j->o);
}

imgrad_status imgrad_write_image16(const char *path, imgrad_format fmt, const uint16_t *pixels,
                                   int width, int height, int channels,
                                   const imgrad_write_options *o)
{
    const image16_job job = { fmt, pixels, width, height, channels, o };
    imgrad_write_options defaults;
    imgrad_status st;

    if (o == NULL) {
        imgrad_write_options_default(&defaults);
        o = &defaults;
    }
    if (path == NULL)
        return IMGRAD_EINVAL;
    if ((st = check_image16(fmt, pixels, width, height, channels, o)) != IMGRAD_OK)
        return st; /* before a file is created */
    return imgrad__write_whole(path, image16_stream, &job);
}

typedef struct tiff_job {
    const imgrad_grid *grids;
    int count;
    const char *description;
} tiff_job;

static imgrad_status tiff_stream(FILE *fp, const void *ctx)
{
    const tiff_job *j = ctx;
    return imgrad_write_tiff_fp(fp, j->grids, j->count, j->description);
}

imgrad_status imgrad_write_tiff(const char *path, const imgrad_grid *grids, int count,
                                const char *description)
{
    const tiff_job job = { grids, count, description };

    if (path == NULL || !same_size(grids, count) || (count != 1 && count != 3))
        return IMGRAD_EINVAL;
    return imgrad__write_whole(path, tiff_stream, &job);
}

static imgrad_status npy_stream(FILE *fp, const void *ctx)
{
    const tiff_job *j = ctx;
    return imgrad_write_npy_channels_fp(fp, j->grids, j->count);
}

imgrad_status imgrad_write_npy_channels(const char *path, const imgrad_grid *grids, int count)
{
    const tiff_job job = { grids, count, NULL };

    if (path == NULL || !same_size(grids, count))
        return IMGRAD_EINVAL;
    return imgrad__write_whole(path, npy_stream, &job);
}
