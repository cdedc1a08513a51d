/* load_gradient.c - imgrad_load_gradient_memory: decoding and the kernel in
 * one pass.
 *
 * A photo's grey is a full-size float32 grid (24 MB at 3000 x 2000) that the
 * decoder writes and the kernel reads straight after: two trips to memory
 * that the photo batch's profile showed as the grey conversion's stores and
 * the kernel's loads.  Decoded a band of rows at a time (io/jpeg.c's row
 * reader) and differentiated at once (kernel/gradient.c's banded pass), the
 * rows are still in cache when the kernel reads them. */
#include "io/io.h"
#include "kernel/kernel.h"

#include <string.h>

/* The two steps, for what cannot be made as it is decoded. */
static imgrad_status two_steps(const unsigned char *data, size_t len,
                               const imgrad_load_options *lo,
                               const imgrad_gradient_options *go,
                               const imgrad_products *out, imgrad_source_info *info)
{
    imgrad_grid grey;
    imgrad_status st = imgrad_load_gray_memory(data, len, lo, &grey, info);

    if (st != IMGRAD_OK)
        return st;
    st = imgrad_gradient(&grey, go, out);
    imgrad_grid_free(&grey);
    return st;
}

/* What imgrad_load_gray_memory reports of the YCbCr JPEG it read through
 * libjpeg: its three components, as stb_image counts them. */
static void jpeg_info(int w, int h, imgrad_source_info *info)
{
    memset(info, 0, sizeof *info);
    info->width = w;
    info->height = h;
    info->channels = 3;
    info->kind = IMGRAD_SOURCE_8BIT;
}

/* Frees out's grids (never the caller's: in place is not banded). */
static void free_products(const imgrad_products *out)
{
    imgrad_grid *all[5] = { out->gx, out->gy, out->magnitude, out->direction, out->edges };
    int i;

    for (i = 0; i < 5; i++)
        if (all[i] != NULL)
            imgrad_grid_free(all[i]);
}

/* The banded pass over a JPEG's luma plane: IMGRAD_EDECODE (libjpeg found
 * fault; stb_image may still read it) and IMGRAD_EUNSUPPORTED (products that
 * need the whole grey) send the caller to the two steps. */
static imgrad_status as_decoded(const unsigned char *data, size_t len,
                                const imgrad_load_options *lo,
                                const imgrad_gradient_options *go,
                                const imgrad_products *out, imgrad_source_info *info)
{
    imgrad__jpeg_rows *rows;
    imgrad_status st;
    int w, h;

    if ((st = imgrad__preflight(IMGRAD__JPEG, data, len)) != IMGRAD_OK)
        return st;
    if ((st = imgrad__jpeg_rows_open(data, len, lo, &rows, &w, &h)) != IMGRAD_OK)
        return st;
    if (info != NULL)
        jpeg_info(w, h, info);
    st = imgrad__gradient_rows(w, h, imgrad__jpeg_rows_read, rows, go, out);
    if (st == IMGRAD_OK && (st = imgrad__jpeg_rows_finish(rows)) != IMGRAD_OK)
        free_products(out);
    imgrad__jpeg_rows_close(rows);
    /* after the pass: the scale reads one row in 8, then the grid once
     * (counting that sample as the rows were made was within noise) */
    if (st == IMGRAD_OK && out->magnitude_scale != NULL && out->magnitude != NULL)
        *out->magnitude_scale = imgrad_auto_scale(out->magnitude);
    return st;
}

imgrad_status imgrad_load_gradient_memory(const unsigned char *data, size_t len,
                                          const imgrad_load_options *lo,
                                          const imgrad_gradient_options *go,
                                          const imgrad_products *out,
                                          imgrad_source_info *info)
{
    imgrad_load_options defaults;
    imgrad_status st;

    if (data == NULL || go == NULL || out == NULL)
        return IMGRAD_EINVAL;
    if (lo == NULL) {
        imgrad_load_options_default(&defaults);
        lo = &defaults;
    }
    /* the residual of the grey changes central differences only (they are
     * then numpy's float64 arithmetic); the operators read the float32 grey */
    if (len > 0 && lo->max_dimension > 0 && !(lo->residual && go->op == IMGRAD_OP_CENTRAL)
        && imgrad__luma_as_decoded(data, len, lo)) {
        st = as_decoded(data, len, lo, go, out, info);
        if (st != IMGRAD_EDECODE && st != IMGRAD_EUNSUPPORTED)
            return st;
    }
    return two_steps(data, len, lo, go, out, info);
}
