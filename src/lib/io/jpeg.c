/* io_jpeg.c - a YCbCr JPEG's luma plane, decoded by libjpeg-turbo.
 *
 * The luma plane is all that the Rec.601 grey of a JPEG needs (see
 * imgrad_load_options.jpeg_luma).  stb_image decodes every component and
 * then drops the chroma; libjpeg, asked for JCS_GRAYSCALE, skips the chroma
 * planes' inverse DCT and upsampling, and its DCT is SIMD: a 3000 x 2000
 * photo takes about 12 ms instead of 23.  The result is also exactly what
 * OpenCV's IMREAD_GRAYSCALE and PIL's draft('L') give, since they use the
 * same library.  Asked for grey, libjpeg also decodes a one-component
 * JPEG (its only plane) and an RGB one (its own Rec.601 sum), which is all
 * OpenCV's IMREAD_GRAYSCALE does for any JPEG but CMYK (IMGRAD_GRAY_OPENCV).
 *
 * libjpeg reports errors through error_exit, which must not return: it
 * jumps back here.  It also decodes truncated or corrupt data "successfully"
 * after a warning, where stb_image refuses the file; a warning therefore
 * fails too, and the caller then lets stb_image decide. */
#include "io.h"

#include <jpeglib.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

typedef struct quiet_error {
    struct jpeg_error_mgr mgr;
    jmp_buf jump;
} quiet_error;

static void jump_out(j_common_ptr c)
{
    longjmp(((quiet_error *)(void *)c->err)->jump, 1);
}

/* level -1 is a warning (corrupt data); higher levels are trace messages. */
static void on_message(j_common_ptr c, int level)
{
    if (level < 0)
        jump_out(c);
}

static void no_output(j_common_ptr c)
{
    (void)c;
}

/* Rows of 8-bit luma into out's grey (imgrad__u8_levels: v / 255 rounded
 * to float32, as imgrad__to_gray computes it, or v for raw_range) and, when
 * out keeps one, its residual. */
static void luma_rows(struct jpeg_decompress_struct *d, unsigned char *row, int raw,
                      imgrad_grid *out)
{
    float value[256], residual[256];
    JSAMPROW rows[1];

    imgrad__u8_levels(raw, value, residual);
    rows[0] = row;
    while (d->output_scanline < d->output_height) {
        const int y = (int)d->output_scanline;
        jpeg_read_scanlines(d, rows, 1);
        imgrad__levels_to_grid(row, y, value, residual, out);
    }
}

imgrad_status imgrad__jpeg_luma(const unsigned char *data, size_t len,
                                const imgrad_load_options *o, imgrad_grid *out)
{
    struct jpeg_decompress_struct d;
    quiet_error err;
    unsigned char *volatile row = NULL; /* set after setjmp, freed after a jump */
    imgrad_status st;

    memset(out, 0, sizeof *out);
    d.err = jpeg_std_error(&err.mgr);
    err.mgr.error_exit = jump_out;
    err.mgr.emit_message = on_message;
    err.mgr.output_message = no_output;
    if (setjmp(err.jump)) {
        jpeg_destroy_decompress(&d);
        free(row);
        imgrad_grid_free(out);
        return IMGRAD_EDECODE;
    }
    jpeg_create_decompress(&d);
    jpeg_mem_src(&d, data, (unsigned long)len);
    jpeg_read_header(&d, TRUE);
    st = imgrad__check_size((long)d.image_width, (long)d.image_height, o);
    if (st == IMGRAD_OK) {
        d.out_color_space = JCS_GRAYSCALE;
        jpeg_start_decompress(&d);
        st = imgrad__grid_alloc(out, (int)d.output_width, (int)d.output_height);
    }
    if (st == IMGRAD_OK && o->residual)
        st = imgrad__grid_alloc_residual(out);
    if (st == IMGRAD_OK && (row = malloc(d.output_width)) == NULL)
        st = IMGRAD_ENOMEM;
    if (st == IMGRAD_OK) {
        luma_rows(&d, row, o->raw_range, out);
        jpeg_finish_decompress(&d);
    }
    jpeg_destroy_decompress(&d);
    free(row);
    if (st != IMGRAD_OK)
        imgrad_grid_free(out);
    return st;
}

imgrad_status imgrad__jpeg_pixels(const unsigned char *data, size_t len,
                                  const imgrad_load_options *o, imgrad_pixels *px)
{
    struct jpeg_decompress_struct d;
    quiet_error err;
    unsigned char *volatile pixels = NULL; /* set after setjmp, freed after a jump */
    imgrad_status st;

    memset(px, 0, sizeof *px);
    d.err = jpeg_std_error(&err.mgr);
    err.mgr.error_exit = jump_out;
    err.mgr.emit_message = on_message;
    err.mgr.output_message = no_output;
    if (setjmp(err.jump)) {
        jpeg_destroy_decompress(&d);
        free(pixels);
        memset(px, 0, sizeof *px);
        return IMGRAD_EDECODE;
    }
    jpeg_create_decompress(&d);
    jpeg_mem_src(&d, data, (unsigned long)len);
    jpeg_read_header(&d, TRUE);
    st = imgrad__check_size((long)d.image_width, (long)d.image_height, o);
    if (st == IMGRAD_OK) {
        /* what PIL and OpenCV ask for: RGB (grey for one component) */
        d.out_color_space = d.num_components == 1 ? JCS_GRAYSCALE : JCS_RGB;
        jpeg_start_decompress(&d);
        pixels = malloc((size_t)d.output_width * d.output_height * (size_t)d.output_components);
        st = pixels == NULL ? IMGRAD_ENOMEM : IMGRAD_OK;
    }
    if (st == IMGRAD_OK) {
        const size_t row = (size_t)d.output_width * (size_t)d.output_components;
        while (d.output_scanline < d.output_height) {
            JSAMPROW r = pixels + d.output_scanline * row;
            jpeg_read_scanlines(&d, &r, 1);
        }
        jpeg_finish_decompress(&d);
        px->data = pixels;
        px->sample = IMGRAD_SAMPLE_U8;
        px->width = (int)d.output_width;
        px->height = (int)d.output_height;
        px->channels = d.output_components;
    }
    jpeg_destroy_decompress(&d);
    if (st != IMGRAD_OK)
        free(pixels);
    return st;
}

/* ---- the luma plane a band of rows at a time (imgrad__jpeg_rows_*) */

/* Rows asked of libjpeg at once: one call per iMCU row of a 4:2:0 JPEG. */
#define LUMA_BAND 16

struct imgrad__jpeg_rows {
    struct jpeg_decompress_struct d;
    quiet_error err;
    unsigned char *band; /* LUMA_BAND rows of 8-bit luma */
    int raw;             /* raw_range: levels 0..255, else v / 255 */
};

/* One row of 8-bit levels as imgrad__u8_levels gives them: v / 255 in
 * float32 division is the float nearest the double v / 255.0 for each of
 * the 256 levels (test_load_gradient.c checks all of them), and unlike a
 * table lookup it is a vector loop. */
static void levels_row(const unsigned char *restrict levels, int w, int raw,
                       float *restrict out)
{
    int x;

    if (raw) {
#pragma omp simd
        for (x = 0; x < w; x++)
            out[x] = (float)levels[x];
        return;
    }
#pragma omp simd
    for (x = 0; x < w; x++)
        out[x] = (float)levels[x] / 255.0f;
}

void imgrad__levels_row(const unsigned char *levels, int w, int raw, float *out)
{
    levels_row(levels, w, raw, out);
}

imgrad_status imgrad__jpeg_rows_open(const unsigned char *data, size_t len,
                                     const imgrad_load_options *o, imgrad__jpeg_rows **rows,
                                     int *width, int *height)
{
    imgrad__jpeg_rows *volatile r = calloc(1, sizeof *r);
    imgrad_status st;

    *rows = NULL;
    if (r == NULL)
        return IMGRAD_ENOMEM;
    r->d.err = jpeg_std_error(&r->err.mgr);
    r->err.mgr.error_exit = jump_out;
    r->err.mgr.emit_message = on_message;
    r->err.mgr.output_message = no_output;
    r->raw = o->raw_range;
    if (setjmp(r->err.jump)) {
        imgrad__jpeg_rows_close(r);
        return IMGRAD_EDECODE;
    }
    jpeg_create_decompress(&r->d);
    jpeg_mem_src(&r->d, data, (unsigned long)len);
    jpeg_read_header(&r->d, TRUE);
    st = imgrad__check_size((long)r->d.image_width, (long)r->d.image_height, o);
    if (st == IMGRAD_OK) {
        r->d.out_color_space = JCS_GRAYSCALE;
        jpeg_start_decompress(&r->d);
        r->band = malloc((size_t)r->d.output_width * LUMA_BAND);
        st = r->band == NULL ? IMGRAD_ENOMEM : IMGRAD_OK;
    }
    if (st != IMGRAD_OK) {
        imgrad__jpeg_rows_close(r);
        return st;
    }
    *width = (int)r->d.output_width;
    *height = (int)r->d.output_height;
    *rows = r;
    return IMGRAD_OK;
}

/* The loop of imgrad__jpeg_rows_read, apart from its setjmp: libjpeg may
 * jump out of it at any call. */
static imgrad_status read_rows(imgrad__jpeg_rows *r, float *dst, size_t stride, int n)
{
    JSAMPROW ptr[LUMA_BAND];
    const int w = (int)r->d.output_width;
    int done = 0, i, got;

    while (done < n) {
        const int ask = n - done < LUMA_BAND ? n - done : LUMA_BAND;
        for (i = 0; i < ask; i++)
            ptr[i] = r->band + (size_t)i * (size_t)w;
        got = (int)jpeg_read_scanlines(&r->d, ptr, (JDIMENSION)ask);
        if (got <= 0)
            return IMGRAD_EDECODE; /* past the last row */
        for (i = 0; i < got; i++)
            levels_row(ptr[i], w, r->raw, dst + (size_t)(done + i) * stride);
        done += got;
    }
    return IMGRAD_OK;
}

imgrad_status imgrad__jpeg_rows_read(void *ctx, float *dst, size_t stride, int n)
{
    imgrad__jpeg_rows *r = ctx;

    if (setjmp(r->err.jump))
        return IMGRAD_EDECODE;
    return read_rows(r, dst, stride, n);
}

imgrad_status imgrad__jpeg_rows_finish(imgrad__jpeg_rows *r)
{
    if (setjmp(r->err.jump))
        return IMGRAD_EDECODE;
    jpeg_finish_decompress(&r->d);
    return IMGRAD_OK;
}

void imgrad__jpeg_rows_close(imgrad__jpeg_rows *r)
{
    if (r == NULL)
        return;
    jpeg_destroy_decompress(&r->d);
    free(r->band);
    free(r);
}
