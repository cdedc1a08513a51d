/* load.c - from a file or memory to a grey float32 grid, and coordinate files. */
#include "formats.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* A compressed file larger than this is refused before it is read. */
#define MAX_FILE_BYTES ((size_t)1 << 32)
/* A coordinate file is short: one number per row or column. */
#define MAX_COORD_FILE_BYTES ((size_t)64 << 20)

void imgrad_load_options_default(imgrad_load_options *o)
{
    if (o == NULL)
        return;
    o->gray = IMGRAD_GRAY_REC601;
    o->max_pixels = IMGRAD_DEFAULT_MAX_PIXELS;
    o->max_dimension = IMGRAD_DEFAULT_MAX_DIMENSION;
    o->orient = 1;
    o->residual = 1;
    o->jpeg_luma = 0;
    o->raw_range = 0;
    o->page = 0;
}

/* A .npy 2-D array as a grid; C order, or Fortran order read transposed
 * back so that element (row, column) lands at the same place either way. */
static imgrad_status npy_to_grid(const unsigned char *data, size_t len,
                                 const imgrad_load_options *o, imgrad_grid *out,
                                 imgrad_source_info *info)
{
    imgrad__npy h;
    imgrad_status st = imgrad__npy_parse(data, len, &h);
    size_t r, c, rows, cols;

    if (st != IMGRAD_OK)
        return st;
    if (h.ndim != 2)
        return IMGRAD_EUNSUPPORTED;
    rows = h.shape[0];
    cols = h.shape[1];
    if (rows > INT32_MAX || cols > INT32_MAX)
        return IMGRAD_ETOOLARGE;
    if ((st = imgrad__check_size((long)cols, (long)rows, o)) != IMGRAD_OK
        || (st = imgrad_grid_init(out, (int)cols, (int)rows)) != IMGRAD_OK)
        return st;
    /* numpy.gradient computes every integer array in float64, and a float64
     * one: the residual (zero for narrow integers) keeps the rest float32
     * rounds and makes the central operator compute in float64 too */
    if (o->residual && !(h.kind == 'f' && h.item_size == 4)
        && (st = imgrad__grid_alloc_residual(out)) != IMGRAD_OK) {
        imgrad_grid_free(out);
        return st;
    }
    for (r = 0; r < rows; r++)
        for (c = 0; c < cols; c++) {
            size_t at = r * out->stride + c;
            double v = imgrad__npy_get(data, &h, h.fortran_order ? c * rows + r : r * cols + c);
            out->data[at] = (float)v;
            /* an infinity is its own value: inf - inf would make it NaN */
            if (out->residual != NULL)
                out->residual[at] = isinf(v) ? 0.0f : (float)(v - (double)out->data[at]);
        }
    if (info != NULL) {
        info->width = (int)cols;
        info->height = (int)rows;
        info->channels = 1;
        info->kind = IMGRAD_SOURCE_NPY;
    }
    return IMGRAD_OK;
}

/* Replaces *g by its upright version (stb returns a JPEG as stored); on
 * failure *g is freed so the caller's output is empty. */
static imgrad_status apply_orientation(int orientation, imgrad_grid *g,
                                       imgrad_source_info *info)
{
    imgrad_grid upright;
    imgrad_status st;

    if (orientation == 1)
        return IMGRAD_OK;
    st = imgrad__orient_grid(g, orientation, &upright);
    imgrad_grid_free(g);
    if (st != IMGRAD_OK)
        return st;
    *g = upright;
    if (info != NULL) {
        info->width = g->width;
        info->height = g->height;
    }
    return IMGRAD_OK;
}

/* The checks both in-memory entry points make first: data and an output,
 * options (o, or the defaults in *defaults) with a positive size limit, and
 * some bytes.  *used is the options to follow. */
static imgrad_status check_memory_call(const unsigned char *data, size_t len, const void *out,
                                       const imgrad_load_options *o,
                                       imgrad_load_options *defaults,
                                       const imgrad_load_options **used)
{
    if (data == NULL || out == NULL)
        return IMGRAD_EINVAL;
    if (o == NULL) {
        imgrad_load_options_default(defaults);
        o = defaults;
    }
    *used = o;
    if (o->max_dimension <= 0)
        return IMGRAD_EINVAL;
    return len == 0 ? IMGRAD_EEMPTY : IMGRAD_OK;
}

imgrad_status imgrad_load_gray_memory(const unsigned char *data, size_t len,
                                      const imgrad_load_options *o,
                                      imgrad_grid *out, imgrad_source_info *info)
{
    imgrad_load_options defaults;
    imgrad_status st;

    if (out != NULL)
        memset(out, 0, sizeof *out);
    if ((st = check_memory_call(data, len, out, o, &defaults, &o)) != IMGRAD_OK)
        return st;
    if (o->gray < IMGRAD_GRAY_REC601 || o->gray > IMGRAD_GRAY_OPENCV)
        return IMGRAD_EINVAL;
    /* TIFF, WebP, HEIF by content (and pages), before .npy and stb */
    if (imgrad__formats_gray(data, len, o, out, info, &st))
        return st;
    if (imgrad__is_npy(data, len))
        return npy_to_grid(data, len, o, out, info);
    st = imgrad__stb_decode_gray(data, len, o, out, info);
    if (st == IMGRAD_OK && o->orient)
        st = apply_orientation(imgrad__exif_orientation(data, len), out, info);
    return st;
}

imgrad_status imgrad_decode_memory(const unsigned char *data, size_t len,
                                   const imgrad_load_options *o, imgrad_pixels *out)
{
    imgrad_load_options defaults;
    imgrad_source_kind kind;
    imgrad_status st;

    if (out != NULL)
        memset(out, 0, sizeof *out);
    if ((st = check_memory_call(data, len, out, o, &defaults, &o)) != IMGRAD_OK)
        return st;
    /* TIFF, WebP, HEIF by content (and pages), before .npy and stb */
    if (imgrad__formats_pixels(data, len, o, out, &st))
        return st;
    if (imgrad__is_npy(data, len))
        return IMGRAD_EUNSUPPORTED; /* a grid of numbers, not pixels */
    return imgrad__stb_decode(data, len, o, 0, out, &kind);
}

imgrad_status imgrad_probe_memory(const unsigned char *data, size_t len,
                                  const imgrad_load_options *o, imgrad_source_info *info)
{
    const int page = o != NULL ? o->page : 0;
    imgrad__npy h;
    imgrad_status st;

    if (info != NULL)
        memset(info, 0, sizeof *info);
    if (data == NULL || info == NULL)
        return IMGRAD_EINVAL;
    if (len == 0)
        return IMGRAD_EEMPTY;
    switch (imgrad__sniff(data, len)) {
    case IMGRAD__FMT_TIFF: st = imgrad__tiff_probe(data, len, page, info); break;
    case IMGRAD__FMT_WEBP: st = imgrad__webp_probe(data, len, info); break;
    case IMGRAD__FMT_HEIF: st = imgrad__heif_probe(data, len, info); break;
    default:
        if (!imgrad__is_npy(data, len)) {
            st = imgrad__stb_probe(data, len, info);
            /* stb reads a header cut short as zeros: no size is no answer */
            if (st == IMGRAD_OK && (info->width <= 0 || info->height <= 0))
                st = IMGRAD_EDECODE;
        } else if ((st = imgrad__npy_parse(data, len, &h)) == IMGRAD_OK) {
            info->height = h.shape[0] > INT32_MAX ? INT32_MAX : (int)h.shape[0];
            info->width = h.ndim < 2 ? 1 : h.shape[1] > INT32_MAX ? INT32_MAX : (int)h.shape[1];
            info->channels = 1;
            info->kind = IMGRAD_SOURCE_NPY;
        }
    }
    if (st != IMGRAD_OK)
        memset(info, 0, sizeof *info);
    return st;
}

imgrad_status imgrad_load_gray(const char *path, const imgrad_load_options *o,
                               imgrad_grid *out, imgrad_source_info *info)
{
    unsigned char *data;
    size_t len;
    imgrad_status st;

    if (out != NULL)
        memset(out, 0, sizeof *out);
    if (path == NULL || out == NULL)
        return IMGRAD_EINVAL;
    if ((st = imgrad__read_file(path, MAX_FILE_BYTES, &data, &len)) != IMGRAD_OK)
        return st;
    st = imgrad_load_gray_memory(data, len, o, out, info);
    free(data);
    return st;
}

/* Text coordinates: numbers separated by white space or commas, '#' comments. */
static imgrad_status parse_text_coords(char *text, double **values, size_t *count)
{
    size_t n = 0, cap = 64;
    double *v = malloc(cap * sizeof *v);
    char *p = text;

    if (v == NULL)
        return IMGRAD_ENOMEM;
    for (;;) {
        char *end;
        while (isspace((unsigned char)*p) || *p == ',')
            p++;
        if (*p == '#') {
            while (*p != '\0' && *p != '\n')
                p++;
            continue;
        }
        if (*p == '\0')
            break;
        if (n == cap) {
            double *bigger = realloc(v, 2 * cap * sizeof *v);
            if (bigger == NULL) {
                free(v);
                return IMGRAD_ENOMEM;
            }
            v = bigger;
            cap *= 2;
        }
        errno = 0;
        v[n] = strtod(p, &end);
        if (end == p || errno == ERANGE) {
            free(v);
            return IMGRAD_EDECODE;
        }
        n++;
        p = end;
    }
    if (n == 0) {
        free(v);
        return IMGRAD_EEMPTY;
    }
    *values = v;
    *count = n;
    return IMGRAD_OK;
}

static imgrad_status npy_coords(const unsigned char *data, size_t len,
                                double **values, size_t *count, int *float32)
{
    imgrad__npy h;
    imgrad_status st = imgrad__npy_parse(data, len, &h);
    size_t i, n;
    double *v;

    if (st != IMGRAD_OK)
        return st;
    /* a 1-D vector, or a (1, n) / (n, 1) matrix */
    if (h.ndim == 2 && h.shape[0] != 1 && h.shape[1] != 1)
        return IMGRAD_EUNSUPPORTED;
    n = h.shape[0] * h.shape[1];
    v = malloc(n * sizeof *v);
    if (v == NULL)
        return IMGRAD_ENOMEM;
    for (i = 0; i < n; i++)
        v[i] = imgrad__npy_get(data, &h, i);
    *float32 = h.kind == 'f' && h.item_size == 4;
    *values = v;
    *count = n;
    return IMGRAD_OK;
}

/* imgrad__parse_coords, and whether the values are float32 (*float32). */
static imgrad_status parse_coords(const unsigned char *data, size_t len,
                                  double **values, size_t *count, int *float32)
{
    char *text;
    imgrad_status st;

    *values = NULL;
    *count = 0;
    *float32 = 0;
    if (imgrad__is_npy(data, len))
        return npy_coords(data, len, values, count, float32);
    if (memchr(data, '\0', len) != NULL)
        return IMGRAD_EDECODE; /* binary, not text */
    if ((text = malloc(len + 1)) == NULL) /* room for the terminator strtod needs */
        return IMGRAD_ENOMEM;
    memcpy(text, data, len);
    text[len] = '\0';
    st = parse_text_coords(text, values, count);
    free(text);
    return st;
}

imgrad_status imgrad__parse_coords(const unsigned char *data, size_t len,
                                  double **values, size_t *count)
{
    int float32;
    return parse_coords(data, len, values, count, &float32);
}

imgrad_status imgrad_read_coords(const char *path, double **values, size_t *count)
{
    return imgrad_read_coords_dtype(path, values, count, NULL);
}

imgrad_status imgrad_read_coords_dtype(const char *path, double **values, size_t *count,
                                       int *float32)
{
    unsigned char *data;
    size_t len;
    int f32;
    imgrad_status st;

    if (values != NULL)
        *values = NULL;
    if (path == NULL || values == NULL || count == NULL)
        return IMGRAD_EINVAL;
    *count = 0;
    if ((st = imgrad__read_file(path, MAX_COORD_FILE_BYTES, &data, &len)) != IMGRAD_OK)
        return st;
    st = parse_coords(data, len, values, count, &f32);
    if (float32 != NULL)
        *float32 = st == IMGRAD_OK && f32;
    free(data);
    return st;
}
