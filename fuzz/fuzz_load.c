/* fuzz_load.c - libFuzzer harness: bytes -> imgrad_load_gradient_memory
 * (imgrad_load_gray_memory and imgrad_gradient, or a JPEG's luma plane
 * differentiated as it is decoded) -> every gradient product and Canny
 * edges -> 8-bit mapping, the paths every input file takes.
 *
 * The decode limits are tighter than the defaults (4 Mpix, 4096 per side) so
 * that the fuzzer spends its time in parsers, not in filling huge images; the
 * limit checks themselves are the same code either way. */
#include "fuzz.h"

#include <stdlib.h>

/* 8-bit mapping of one product, as the CLI does for image outputs. */
static void map_8bit(const imgrad_grid *g, imgrad_map map)
{
    unsigned char *px = malloc((size_t)g->width * (size_t)g->height);

    if (px != NULL)
        (void)imgrad_to_8bit(g, map, imgrad_auto_scale(g), px,
                             (size_t)g->width * (size_t)g->height);
    free(px);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    imgrad_load_options lo;
    imgrad_gradient_options o;
    imgrad_grid gx, gy, mag, dir, edges;
    imgrad_products p = { .gx = &gx, .gy = &gy, .magnitude = &mag, .direction = &dir, .edges = &edges };
    imgrad_source_info info;
    char what[160];

    /* the description of a refused file reads the same header bytes */
    (void)imgrad_describe(data, size, what, sizeof what);
    imgrad_load_options_default(&lo);
    lo.max_pixels = (uint64_t)1 << 22;
    lo.max_dimension = 4096;
    /* the length's next bits pick the loader's paths: JPEG luma (libjpeg)
     * or RGB (stb), and the float64 residual on or off */
    lo.jpeg_luma = (int)(size >> 1 & 1);
    lo.residual = (int)(size >> 2 & 1);
    /* the header probe --max-memory trusts before decoding */
    (void)imgrad_probe_memory(data, size, &lo, &info);
    if (size == 0)
        return 0;
    imgrad_gradient_options_default(&o);
    o.threads = 1;
    /* the last byte picks the operator and border, the length the edge
     * order (2 may say ETOOSMALL): every kernel meets every image */
    o.edge_order = 1 + (int)(size & 1);
    o.op = (imgrad_operator)(data[size - 1] % 5);
    o.border = (imgrad_border)(data[size - 1] / 5 % 5);
    /* decoded and differentiated in one pass, as the program does when it
     * needs no grey: a JPEG's luma plane a band at a time, with libjpeg's
     * errors jumping out mid-image; other files, and edges (asked for by
     * the length's next bit), take imgrad_load_gray_memory then
     * imgrad_gradient */
    p.edges = (size >> 3 & 1) ? &edges : NULL;
    if (imgrad_load_gradient_memory(data, size, &lo, &o, &p, &info) == IMGRAD_OK) {
        map_8bit(&gx, IMGRAD_MAP_SIGNED);
        map_8bit(&mag, IMGRAD_MAP_UNSIGNED);
        map_8bit(&dir, IMGRAD_MAP_ANGLE);
        imgrad_grid_free(&gx);
        imgrad_grid_free(&gy);
        imgrad_grid_free(&mag);
        imgrad_grid_free(&dir);
        if (p.edges != NULL)
            imgrad_grid_free(&edges);
    }
    return 0;
}
