/* gray.c - colour to grey.
 *
 * Each sample is first scaled to [0, 1] (8-bit / 255, 16-bit / 65535, float
 * as it is), then the channels are weighted, in double precision, and the
 * sum is rounded once to float32.  This is what skimage.color.rgb2gray and
 * numpy's `img / 255 @ weights` compute, so grey agrees with them to within
 * one float32 rounding. */
#include "internal.h"

#include <math.h>

typedef struct { double r, g, b; } weights3;

static weights3 weights_of(imgrad_gray_weights w)
{
    static const weights3 table[] = {
        [IMGRAD_GRAY_REC601]  = { 0.299, 0.587, 0.114 },
        [IMGRAD_GRAY_REC709]  = { 0.2126, 0.7152, 0.0722 },
        [IMGRAD_GRAY_AVERAGE] = { 1.0 / 3.0, 1.0 / 3.0, 1.0 / 3.0 },
        [IMGRAD_GRAY_LINEAR]  = { 0.2126, 0.7152, 0.0722 },
        [IMGRAD_GRAY_SKIMAGE] = { 0.2125, 0.7154, 0.0721 },
    };
    return table[w];
}

/* The sRGB transfer curve undone (IEC 61966-2-1). */
static double srgb_to_linear(double c)
{
    return c <= 0.04045 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4);
}

static double sample_at(const void *pixels, imgrad__sample type, size_t i)
{
    switch (type) {
    case IMGRAD__U8:  return ((const unsigned char *)pixels)[i] / 255.0;
    case IMGRAD__U16: return ((const unsigned short *)pixels)[i] / 65535.0;
    case IMGRAD__F32: break;
    }
    return ((const float *)pixels)[i];
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
static void grey_u8(const unsigned char *px, const double *table, imgrad_grid *out)
{
    float f[256];
    int v, x, y;

    for (v = 0; v < 256; v++)
        f[v] = (float)table[v];
    for (y = 0; y < out->height; y++) {
        float *restrict row = out->data + (size_t)y * out->stride;
        const unsigned char *restrict p = px + (size_t)y * (size_t)out->width;
        for (x = 0; x < out->width; x++)
            row[x] = f[p[x]];
    }
}

/* 8-bit pixels through tables: table[c][v] holds exactly the double that the
 * general loop below computes for channel c's weight times sample v (after
 * the sRGB curve when asked), and the three are added in the same order, so
 * the result is bit-identical to it, at a few loads per pixel instead of
 * three divisions and a switch per sample. */
static void u8_to_gray(const unsigned char *px, int channels, weights3 w, int decode,
                       imgrad_grid *out)
{
    double table[3][256];
    const size_t ch = (size_t)channels;
    int v, x, y;

    for (v = 0; v < 256; v++) {
        double s = decode ? srgb_to_linear(v / 255.0) : v / 255.0;
        table[0][v] = channels < 3 ? s : w.r * s; /* grey: the sample itself */
        table[1][v] = w.g * s;
        table[2][v] = w.b * s;
    }
    if (channels == 1 && out->residual == NULL) {
        grey_u8(px, table[0], out);
        return;
    }
    for (y = 0; y < out->height; y++) {
        float *row = out->data + (size_t)y * out->stride, *res = residual_row(out, y);
        const unsigned char *p = px + (size_t)y * (size_t)out->width * ch;
        if (channels < 3) {
            for (x = 0; x < out->width; x++, p += ch)
                put(table[0][p[0]], row, res, x);
            continue;
        }
        for (x = 0; x < out->width; x++, p += ch)
            put(table[0][p[0]] + table[1][p[1]] + table[2][p[2]], row, res, x);
    }
}

void imgrad__to_gray(const void *pixels, imgrad__sample type, int channels,
                     imgrad_gray_weights weights, imgrad_grid *out)
{
    const weights3 w = weights_of(weights);
    /* Stored 8/16-bit values are gamma-encoded; HDR floats are already linear. */
    const int decode = weights == IMGRAD_GRAY_LINEAR && type != IMGRAD__F32;
    const size_t ch = (size_t)channels;
    size_t p = 0;
    int x, y;

    if (type == IMGRAD__U8) {
        u8_to_gray(pixels, channels, w, decode, out);
        return;
    }
    for (y = 0; y < out->height; y++) {
        float *row = out->data + (size_t)y * out->stride, *res = residual_row(out, y);
        for (x = 0; x < out->width; x++, p += ch) {
            double r = sample_at(pixels, type, p), g = r, b = r;
            if (channels < 3) { /* grey, or grey + alpha: stays itself */
                put(decode ? srgb_to_linear(r) : r, row, res, x);
                continue;
            }
            g = sample_at(pixels, type, p + 1); /* a 4th channel is alpha, ignored */
            b = sample_at(pixels, type, p + 2);
            if (decode) {
                r = srgb_to_linear(r);
                g = srgb_to_linear(g);
                b = srgb_to_linear(b);
            }
            put(w.r * r + w.g * g + w.b * b, row, res, x);
        }
    }
}
