/* pnggray.c - a PNG's grey exactly as cv2.imread(path, IMREAD_GRAYSCALE)
 * returns it (IMGRAD_GRAY_OPENCV).
 *
 * OpenCV does not weight a PNG's RGB itself: it asks libpng for grey with
 * png_set_rgb_to_gray(png, 1, 0.299, 0.587), and libpng turns that into
 * 15-bit weights (9797, 19234, 3737) summed and truncated, or, when the
 * file declares a gamma (gAMA, sRGB, or an ICC profile libpng knows as
 * sRGB), sums in 8-bit linear light through its gamma tables.  On
 * python3-skimage's astronaut.png the two differ by up to 35 levels, so
 * nothing but libpng itself with OpenCV's list of transforms (16 bits
 * stripped to 8, alpha stripped, palette and low-bit grey expanded) gives
 * OpenCV's levels; this file is that list.  Warnings are silenced (the
 * library never prints); an error jumps back here and fails the load. */
#include "io.h"

#include <png.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

int imgrad__is_png(const unsigned char *data, size_t len)
{
    return len >= 8 && memcmp(data, "\x89PNG\r\n\x1a\n", 8) == 0;
}

typedef struct source {
    const unsigned char *data;
    size_t len, pos;
} source;

static void read_bytes(png_structp png, png_bytep dst, png_size_t n)
{
    source *s = png_get_io_ptr(png);
    if (n > s->len - s->pos)
        png_error(png, "truncated");
    memcpy(dst, s->data + s->pos, n);
    s->pos += n;
}

static void on_error(png_structp png, png_const_charp msg)
{
    (void)msg;
    png_longjmp(png, 1);
}

static void on_warning(png_structp png, png_const_charp msg)
{
    (void)png;
    (void)msg;
}

/* OpenCV's transforms for an 8-bit one-channel Mat (grfmt_png.cpp). */
static void opencv_transforms(png_structp png, png_infop info)
{
    const int type = png_get_color_type(png, info), depth = png_get_bit_depth(png, info);

    if (depth == 16)
        png_set_strip_16(png);
    png_set_strip_alpha(png);
    if (type == PNG_COLOR_TYPE_PALETTE)
        png_set_palette_to_rgb(png);
    if ((type & PNG_COLOR_MASK_COLOR) == 0 && depth < 8)
        png_set_expand_gray_1_2_4_to_8(png);
    png_set_rgb_to_gray(png, 1, 0.299, 0.587);
    png_set_interlace_handling(png);
    png_read_update_info(png, info);
}

/* The decode proper; *pixels and *rows are the caller's to free even after
 * a jump (volatile: set between setjmp and a longjmp). */
static imgrad_status decode(png_structp png, png_infop info, const imgrad_load_options *o,
                            unsigned char *volatile *pixels, png_bytep *volatile *rows,
                            imgrad_grid *out)
{
    float value[256], residual[256];
    png_uint_32 w, h, y;
    imgrad_status st;

    if (setjmp(png_jmpbuf(png)))
        return IMGRAD_EDECODE;
    png_read_info(png, info);
    w = png_get_image_width(png, info);
    h = png_get_image_height(png, info);
    if (w > INT32_MAX || h > INT32_MAX)
        return IMGRAD_ETOOLARGE;
    if ((st = imgrad__check_size((long)w, (long)h, o)) != IMGRAD_OK)
        return st;
    opencv_transforms(png, info);
    if (png_get_channels(png, info) != 1 || png_get_bit_depth(png, info) != 8
        || png_get_rowbytes(png, info) != w)
        return IMGRAD_EDECODE;
    if ((*pixels = malloc((size_t)w * h)) == NULL || (*rows = malloc(h * sizeof **rows)) == NULL)
        return IMGRAD_ENOMEM;
    for (y = 0; y < h; y++)
        (*rows)[y] = *pixels + (size_t)y * w;
    png_read_image(png, *rows);
    png_read_end(png, NULL);
    if ((st = imgrad__grid_alloc(out, (int)w, (int)h)) == IMGRAD_OK && o->residual)
        st = imgrad__grid_alloc_residual(out);
    if (st != IMGRAD_OK)
        return st;
    imgrad__u8_levels(o->raw_range, value, residual);
    for (y = 0; y < h; y++)
        imgrad__levels_to_grid((*rows)[y], (int)y, value, residual, out);
    return IMGRAD_OK;
}

imgrad_status imgrad__png_gray_opencv(const unsigned char *data, size_t len,
                                      const imgrad_load_options *o, imgrad_grid *out)
{
    source src = { data, len, 0 };
    unsigned char *volatile pixels = NULL;
    png_bytep *volatile rows = NULL;
    png_structp png;
    png_infop info;
    imgrad_status st;

    memset(out, 0, sizeof *out);
    png = png_create_read_struct(PNG_LIBPNG_VER_STRING, NULL, on_error, on_warning);
    if (png == NULL)
        return IMGRAD_ENOMEM;
    if ((info = png_create_info_struct(png)) == NULL) {
        png_destroy_read_struct(&png, NULL, NULL);
        return IMGRAD_ENOMEM;
    }
    png_set_read_fn(png, &src, read_bytes);
    st = decode(png, info, o, &pixels, &rows, out);
    png_destroy_read_struct(&png, &info, NULL);
    free(pixels);
    free(rows);
    if (st != IMGRAD_OK)
        imgrad_grid_free(out);
    return st;
}
