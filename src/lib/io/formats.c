/* formats.c - which decoder a file goes to, by its first bytes: TIFF, WebP
 * and HEIF/AVIF to their own libraries (tiff.c, webp.c, heif.c), the rest
 * to stb_image (stb.c); then grey and the upright turn, as for any image. */
#include "formats.h"

#include <libheif/heif.h>
#include <limits.h>
#include <string.h>

imgrad__format_kind imgrad__sniff(const unsigned char *data, size_t len)
{
    if (len >= 4 && (memcmp(data, "II*\0", 4) == 0 || memcmp(data, "MM\0*", 4) == 0
                     || memcmp(data, "II+\0", 4) == 0 || memcmp(data, "MM\0+", 4) == 0))
        return IMGRAD__FMT_TIFF;
    if (len >= 12 && memcmp(data, "RIFF", 4) == 0 && memcmp(data + 8, "WEBP", 4) == 0)
        return IMGRAD__FMT_WEBP;
    /* libheif's own test reads the brands of the ftyp box */
    if (len >= 12 && memcmp(data + 4, "ftyp", 4) == 0
        && heif_check_filetype(data, len > INT_MAX ? INT_MAX : (int)len)
               == heif_filetype_yes_supported)
        return IMGRAD__FMT_HEIF;
    return IMGRAD__FMT_OTHER;
}

imgrad_status imgrad__decode_any(const unsigned char *data, size_t len,
                                 const imgrad_load_options *o, imgrad__decoded *d)
{
    imgrad_status st;

    memset(d, 0, sizeof *d);
    d->orientation = 1;
    switch (imgrad__sniff(data, len)) {
    case IMGRAD__FMT_TIFF: return imgrad__tiff_decode(data, len, o, d);
    case IMGRAD__FMT_WEBP: return imgrad__webp_decode(data, len, o, d);
    case IMGRAD__FMT_HEIF: return imgrad__heif_decode(data, len, o, d);
    case IMGRAD__FMT_OTHER: break;
    }
    if (o->page != 0)
        return IMGRAD_ENOPAGE; /* stb's formats: one image each */
    st = imgrad__stb_decode(data, len, o, 0, &d->px, &d->kind);
    if (st == IMGRAD_OK)
        d->orientation = imgrad__exif_orientation(data, len);
    return st;
}

/* info from a decoded image whose grey grid g may be turned. */
static void fill_info(imgrad_source_info *info, const imgrad__decoded *d, const imgrad_grid *g)
{
    if (info == NULL)
        return;
    info->width = g->width;
    info->height = g->height;
    info->channels = d->px.channels;
    info->kind = d->kind;
}

int imgrad__formats_gray(const unsigned char *data, size_t len, const imgrad_load_options *o,
                         imgrad_grid *out, imgrad_source_info *info, imgrad_status *st)
{
    imgrad__decoded d;
    imgrad_grid g, upright;

    if (imgrad__sniff(data, len) == IMGRAD__FMT_OTHER) {
        if (o->page == 0)
            return 0;
        *st = o->page < 0 ? IMGRAD_EINVAL : IMGRAD_ENOPAGE;
        return 1;
    }
    if ((*st = imgrad__decode_any(data, len, o, &d)) != IMGRAD_OK)
        return 1;
    *st = imgrad_gray_from_pixels(&d.px, o->gray, o->residual, &g);
    imgrad_free(d.px.data);
    if (*st == IMGRAD_OK && o->orient && d.orientation != 1) {
        *st = imgrad__orient_grid(&g, d.orientation, &upright);
        imgrad_grid_free(&g);
        g = upright;
    }
    if (*st == IMGRAD_OK) {
        *out = g;
        fill_info(info, &d, out);
    }
    return 1;
}

int imgrad__formats_pixels(const unsigned char *data, size_t len, const imgrad_load_options *o,
                           imgrad_pixels *px, imgrad_status *st)
{
    imgrad__decoded d;

    if (imgrad__sniff(data, len) == IMGRAD__FMT_OTHER) {
        if (o->page == 0)
            return 0;
        *st = o->page < 0 ? IMGRAD_EINVAL : IMGRAD_ENOPAGE;
        return 1;
    }
    if ((*st = imgrad__decode_any(data, len, o, &d)) == IMGRAD_OK)
        *px = d.px;
    return 1;
}
