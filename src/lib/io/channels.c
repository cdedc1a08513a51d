/* channels.c - an image as one float32 grid per colour channel, for the
 * colour gradients (--color channels, dizenzo): the grey loader's scaling
 * and turn, without the weighting. */
#include "formats.h"

#include <stdlib.h>
#include <string.h>

/* A file is read whole before decoding; larger ones are refused. */
#define MAX_FILE_BYTES ((size_t)1 << 32)

static double sample(const unsigned char *p, imgrad_sample type)
{
    uint16_t u;
    float f;

    switch (type) {
    case IMGRAD_SAMPLE_U8: return *p / 255.0;
    case IMGRAD_SAMPLE_U16: memcpy(&u, p, 2); return u / 65535.0;
    case IMGRAD_SAMPLE_F32: break;
    }
    memcpy(&f, p, 4);
    return f;
}

/* Channel c of packed pixels px into a new grid *g, with a residual where
 * float32 rounds the scaled value and residual is asked for. */
static imgrad_status split(const imgrad_pixels *px, int c, int residual, imgrad_grid *g)
{
    const size_t bytes = px->sample == IMGRAD_SAMPLE_U8 ? 1 : px->sample == IMGRAD_SAMPLE_U16 ? 2 : 4;
    const size_t pitch = bytes * (size_t)px->channels;
    const unsigned char *base = px->data;
    imgrad_status st = imgrad__grid_alloc(g, px->width, px->height);
    size_t i, n = (size_t)px->width * (size_t)px->height;

    if (st == IMGRAD_OK && residual && px->sample != IMGRAD_SAMPLE_F32
        && (st = imgrad__grid_alloc_residual(g)) != IMGRAD_OK)
        imgrad_grid_free(g);
    if (st != IMGRAD_OK)
        return st;
    for (i = 0; i < n; i++) { /* stride == width: pixel i is element i */
        const double v = sample(base + i * pitch + (size_t)c * bytes, px->sample);
        g->data[i] = (float)v;
        if (g->residual != NULL)
            g->residual[i] = (float)(v - (double)g->data[i]);
    }
    return IMGRAD_OK;
}

static void free_all(imgrad_grid channels[3])
{
    int c;

    for (c = 0; c < 3; c++)
        imgrad_grid_free(&channels[c]);
}

/* Splits d's pixels into channels[0..*count) and turns each upright. */
static imgrad_status to_channels(const imgrad__decoded *d, const imgrad_load_options *o,
                                 imgrad_grid channels[3], int *count)
{
    const int n = d->px.channels >= 3 ? 3 : 1; /* alpha dropped */
    imgrad_grid upright;
    imgrad_status st = IMGRAD_OK;
    int c;

    for (c = 0; c < n && st == IMGRAD_OK; c++)
        st = split(&d->px, c, o->residual, &channels[c]);
    for (c = 0; c < n && st == IMGRAD_OK && o->orient && d->orientation != 1; c++) {
        st = imgrad__orient_grid(&channels[c], d->orientation, &upright);
        imgrad_grid_free(&channels[c]);
        if (st == IMGRAD_OK)
            channels[c] = upright;
    }
    if (st != IMGRAD_OK) {
        free_all(channels);
        return st;
    }
    *count = n;
    return IMGRAD_OK;
}

imgrad_status imgrad_load_channels_memory(const unsigned char *data, size_t len,
                                          const imgrad_load_options *o,
                                          imgrad_grid channels[3], int *count,
                                          imgrad_source_info *info)
{
    imgrad_load_options defaults;
    imgrad__decoded d;
    imgrad_status st;

    if (channels != NULL)
        memset(channels, 0, 3 * sizeof *channels);
    if (count != NULL)
        *count = 0;
    if (data == NULL || channels == NULL || count == NULL)
        return IMGRAD_EINVAL;
    if (o == NULL) {
        imgrad_load_options_default(&defaults);
        o = &defaults;
    }
    if (o->page < 0)
        return IMGRAD_EINVAL;
    /* a .npy array is one channel: the grey loader reads it as it is */
    if (imgrad__is_npy(data, len) && imgrad__sniff(data, len) == IMGRAD__FMT_OTHER) {
        st = o->page != 0 ? IMGRAD_ENOPAGE : imgrad_load_gray_memory(data, len, o, &channels[0], info);
        *count = st == IMGRAD_OK;
        return st;
    }
    if (len == 0)
        return IMGRAD_EEMPTY;
    if (o->max_dimension <= 0)
        return IMGRAD_EINVAL;
    if ((st = imgrad__decode_any(data, len, o, &d)) != IMGRAD_OK)
        return st;
    st = to_channels(&d, o, channels, count);
    if (st == IMGRAD_OK && info != NULL) {
        info->width = channels[0].width;
        info->height = channels[0].height;
        info->channels = d.px.channels;
        info->kind = d.kind;
    }
    imgrad_free(d.px.data);
    return st;
}

imgrad_status imgrad_load_channels(const char *path, const imgrad_load_options *o,
                                   imgrad_grid channels[3], int *count,
                                   imgrad_source_info *info)
{
    unsigned char *data;
    size_t len;
    imgrad_status st;

    if (channels != NULL)
        memset(channels, 0, 3 * sizeof *channels);
    if (count != NULL)
        *count = 0;
    if (path == NULL || channels == NULL || count == NULL)
        return IMGRAD_EINVAL;
    if ((st = imgrad__read_file(path, MAX_FILE_BYTES, &data, &len)) != IMGRAD_OK)
        return st;
    st = imgrad_load_channels_memory(data, len, o, channels, count, info);
    free(data);
    return st;
}
