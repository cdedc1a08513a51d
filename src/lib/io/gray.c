/* gray.c - colour to grey.
 *
 * Each sample is first scaled to [0, 1] (8-bit / 255, 16-bit / 65535, float
 * as it is), then the channels are weighted, in double precision, and the
 * sum is rounded once to float32.  This is what skimage.color.rgb2gray and
 * numpy's `img / 255 @ weights` compute, so grey agrees with them to within
 * one float32 rounding. */
#include "io.h"

#include <math.h>
#include <string.h>

typedef struct { double r, g, b; } weights3;

static weights3 weights_of(imgrad_gray_weights w)
{
    static const weights3 table[] = {
        [IMGRAD_GRAY_REC601]  = { 0.299, 0.587, 0.114 },
        [IMGRAD_GRAY_REC709]  = { 0.2126, 0.7152, 0.0722 },
        [IMGRAD_GRAY_AVERAGE] = { 1.0 / 3.0, 1.0 / 3.0, 1.0 / 3.0 },
        [IMGRAD_GRAY_LINEAR]  = { 0.2126, 0.7152, 0.0722 },
        [IMGRAD_GRAY_SKIMAGE] = { 0.2125, 0.7154, 0.0721 },
        [IMGRAD_GRAY_OPENCV]  = { 0.299, 0.587, 0.114 }, /* float samples only */
    };
    return table[w];
}

/* The sRGB transfer curve undone (IEC 61966-2-1). */
static double srgb_to_linear(double c)
{
    return c <= 0.04045 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4);
}

/* Where a pixel's red, green and blue samples are, counted in samples from
 * the pixel's first: grey (and grey + alpha) reads sample 0 three times. */
typedef struct { size_t r, g, b; } offsets3;

static offsets3 offsets_of(const imgrad_pixels *px)
{
    offsets3 o = { 0, 0, 0 };
    if (px->channels >= 3) {
        o.r = px->bgr ? 2 : 0;
        o.g = 1;
        o.b = px->bgr ? 0 : 2;
    }
    return o;
}

static size_t sample_bytes(imgrad_sample type)
{
    return type == IMGRAD_SAMPLE_U8 ? 1 : type == IMGRAD_SAMPLE_U16 ? 2 : 4;
}

/* Row y's first sample. */
static const unsigned char *pixel_row(const imgrad_pixels *px, int y)
{
    size_t packed = (size_t)px->width * (size_t)px->channels * sample_bytes(px->sample);
    size_t stride = px->stride != 0 ? px->stride : packed;
    return (const unsigned char *)px->data + (size_t)y * stride;
}

/* Sample i of row: scaled to [0, 1], or as stored when raw. */
static double sample_at(const unsigned char *row, imgrad_sample type, size_t i, int raw)
{
    switch (type) {
    case IMGRAD_SAMPLE_U8:  return raw ? row[i] : row[i] / 255.0;
    case IMGRAD_SAMPLE_U16: {
        unsigned short v;
        memcpy(&v, row + 2 * i, sizeof v); /* any stride: no alignment assumed */
        return raw ? v : v / 65535.0;
    }
    case IMGRAD_SAMPLE_F32: break;
    }
    {
        float v;
        memcpy(&v, row + 4 * i, sizeof v);
        return v;
    }
}

/* Stores v rounded to float32 at row[x] and, when res is not NULL, what
 * that rounding lost at res[x] (exact in double, rounded once more). */
static void put(double v, float *restrict row, float *restrict res, int x)
{
    row[x] = (float)v;
    if (res != NULL)
        res[x] = (float)(v - (double)row[x]);
}

/* Row y of g's residual, or NULL when g keeps none. */
static float *residual_row(const imgrad_grid *g, int y)
{
    return g->residual != NULL ? g->residual + (size_t)y * g->stride : NULL;
}

/* One 8-bit channel, no residual: a float table of the same roundings,
 * one load a pixel (a JPEG's luma plane takes this path). */
static void grey_u8(const imgrad_pixels *px, const double *table, imgrad_grid *out)
{
    const size_t ch = (size_t)px->channels;
    float f[256];
    int v, x, y;

    for (v = 0; v < 256; v++)
        f[v] = (float)table[v];
    for (y = 0; y < out->height; y++) {
        float *restrict row = out->data + (size_t)y * out->stride;
        const unsigned char *restrict p = pixel_row(px, y);
        for (x = 0; x < out->width; x++)
            row[x] = f[p[(size_t)x * ch]];
    }
}

/* 8-bit pixels through tables: table[c][v] holds exactly the double that the
 * general loop below computes for channel c's weight times sample v (after
 * the sRGB curve when asked), and the three are added in the same order, so
 * the result is bit-identical to it, at a few loads per pixel instead of
 * three divisions and a switch per sample. */
static void u8_to_gray(const imgrad_pixels *px, weights3 w, int decode, int raw,
                       imgrad_grid *out)
{
    const size_t ch = (size_t)px->channels;
    const offsets3 at = offsets_of(px);
    double table[3][256];
    int v, x, y;

    for (v = 0; v < 256; v++) {
        double s = decode ? srgb_to_linear(v / 255.0) : v / 255.0;
        if (raw)
            s *= 255; /* exact for whole levels; a decoded level stays a fraction */
        table[0][v] = ch < 3 ? s : w.r * s; /* grey: the sample itself */
        table[1][v] = w.g * s;
        table[2][v] = w.b * s;
    }
    if (ch < 3 && out->residual == NULL) {
        grey_u8(px, table[0], out);
        return;
    }
    for (y = 0; y < out->height; y++) {
        float *row = out->data + (size_t)y * out->stride, *res = residual_row(out, y);
        const unsigned char *p = pixel_row(px, y);
        if (ch < 3) {
            for (x = 0; x < out->width; x++, p += ch)
                put(table[0][p[0]], row, res, x);
            continue;
        }
        for (x = 0; x < out->width; x++, p += ch)
            put(table[0][p[at.r]] + table[1][p[at.g]] + table[2][p[at.b]], row, res, x);
    }
}

void imgrad__u8_levels(int raw, float value[256], float residual[256])
{
    int v;

    for (v = 0; v < 256; v++) {
        const double exact = raw ? v : v / 255.0;
        value[v] = (float)exact;
        residual[v] = (float)(exact - (double)value[v]);
    }
}

void imgrad__levels_to_grid(const unsigned char *levels, int y, const float value[256],
                            const float residual[256], imgrad_grid *out)
{
    float *restrict row = out->data + (size_t)y * out->stride;
    int x;

    for (x = 0; x < out->width; x++)
        row[x] = value[levels[x]];
    if (out->residual != NULL) {
        float *restrict res = out->residual + (size_t)y * out->stride;
        for (x = 0; x < out->width; x++)
            res[x] = residual[levels[x]];
    }
}

/* OpenCV's grey level of 8-bit colour (icvCvt_BGR2Gray_8u and cvtColor's
 * RGB2GRAY): Rec.601 in 14-bit fixed point, rounded to nearest. */
static unsigned char opencv_level(unsigned r, unsigned g, unsigned b)
{
    return (unsigned char)((4899 * r + 9617 * g + 1868 * b + 8192) >> 14);
}

/* IMGRAD_GRAY_OPENCV for 8- and 16-bit samples: whole 8-bit levels (the
 * high byte of 16-bit samples, as OpenCV's decoders keep it), then each
 * level as imgrad__u8_levels gives it. */
static void opencv_to_gray(const imgrad_pixels *px, int raw, imgrad_grid *out)
{
    const size_t ch = (size_t)px->channels;
    const offsets3 at = offsets_of(px);
    const size_t pos[3] = { at.r, at.g, at.b };
    const int wide = px->sample == IMGRAD_SAMPLE_U16;
    float value[256], residual[256];
    int x, y, k;

    imgrad__u8_levels(raw, value, residual);
    for (y = 0; y < out->height; y++) {
        const unsigned char *line = pixel_row(px, y);
        float *row = out->data + (size_t)y * out->stride, *res = residual_row(out, y);
        for (x = 0; x < out->width; x++) {
            unsigned s[3];
            unsigned char level;
            for (k = 0; k < 3; k++) {
                const size_t i = (size_t)x * ch + pos[k];
                unsigned short v16;
                if (wide)
                    memcpy(&v16, line + 2 * i, sizeof v16); /* no alignment assumed */
                s[k] = wide ? (unsigned)(v16 >> 8) : line[i];
            }
            level = ch < 3 ? (unsigned char)s[0] : opencv_level(s[0], s[1], s[2]);
            row[x] = value[level];
                if (res != NULL)
                res[x] = residual[level];
        }
    }
}

void imgrad__to_gray(const imgrad_pixels *px, imgrad_gray_weights weights, int raw,
                     imgrad_grid *out)
{
    const weights3 w = weights_of(weights);
    /* Stored 8/16-bit values are gamma-encoded; HDR floats are already linear. */
    const int decode = weights == IMGRAD_GRAY_LINEAR && px->sample != IMGRAD_SAMPLE_F32;
    const size_t ch = (size_t)px->channels;
    const offsets3 at = offsets_of(px);
    int x, y;

    if (weights == IMGRAD_GRAY_OPENCV && px->sample != IMGRAD_SAMPLE_F32) {
        opencv_to_gray(px, raw, out);
        return;
    }
    if (px->sample == IMGRAD_SAMPLE_U8) {
        u8_to_gray(px, w, decode, raw, out);
        return;
    }
    for (y = 0; y < out->height; y++) {
        float *row = out->data + (size_t)y * out->stride, *res = residual_row(out, y);
        const unsigned char *line = pixel_row(px, y);
        for (x = 0; x < out->width; x++) {
            const size_t p = (size_t)x * ch;
            double r = sample_at(line, px->sample, p + at.r, raw), g, b;
            if (ch < 3) { /* grey, or grey + alpha: stays itself */
                put(decode ? srgb_to_linear(r) : r, row, res, x);
                continue;
            }
            g = sample_at(line, px->sample, p + at.g, raw); /* a 4th channel: alpha */
            b = sample_at(line, px->sample, p + at.b, raw);
            if (decode) {
                r = srgb_to_linear(r);
                g = srgb_to_linear(g);
                b = srgb_to_linear(b);
            }
            put(w.r * r + w.g * g + w.b * b, row, res, x);
        }
    }
}

/* Checks a caller's pixel description: sizes, a known sample type, 1 to 4
 * channels, and a stride that holds a row. */
static imgrad_status check_pixels(const imgrad_pixels *px)
{
    size_t packed;

    if (px == NULL || px->data == NULL || px->width <= 0 || px->height <= 0
        || px->channels < 1 || px->channels > 4
        || (px->sample != IMGRAD_SAMPLE_U8 && px->sample != IMGRAD_SAMPLE_U16
            && px->sample != IMGRAD_SAMPLE_F32))
        return IMGRAD_EINVAL;
    if (!imgrad__mul_size((size_t)px->width, (size_t)px->channels * sample_bytes(px->sample),
                          &packed))
        return IMGRAD_EOVERFLOW;
    return px->stride == 0 || px->stride >= packed ? IMGRAD_OK : IMGRAD_EINVAL;
}

imgrad_status imgrad_gray_from_pixels(const imgrad_pixels *px, imgrad_gray_weights weights,
                                      int residual, imgrad_grid *out)
{
    imgrad_status st;

    if (out == NULL)
        return IMGRAD_EINVAL;
    memset(out, 0, sizeof *out);
    if ((st = check_pixels(px)) != IMGRAD_OK)
        return st;
    if ((unsigned)weights > IMGRAD_GRAY_OPENCV)
        return IMGRAD_EINVAL;
    st = imgrad__grid_alloc(out, px->width, px->height); /* every pixel is written */
    /* 8/16-bit samples scaled to [0, 1] and weighted colour are not float32
     * values; a grey float sample is */
    if (st == IMGRAD_OK && residual
        && (px->sample != IMGRAD_SAMPLE_F32 || px->channels >= 3))
        st = imgrad__grid_alloc_residual(out);
    if (st != IMGRAD_OK) {
        imgrad_grid_free(out);
        return st;
    }
    imgrad__to_gray(px, weights, 0, out);
    return IMGRAD_OK;
}
