/* exif.c - the EXIF orientation of a JPEG, its colour model, and turning a
 * grid upright.
 *
 * stb_image returns a JPEG's pixels as stored; a phone that was held sideways
 * stores them sideways and records in the Exif APP1 segment how to show them
 * (tag 0x0112, Orientation).  The eight values, read as "the stored picture
 * must be ... to be shown upright":
 *
 *     1 as it is          5 transposed (mirrored about the main diagonal)
 *     2 mirrored left-right  6 turned 90 degrees clockwise
 *     3 turned 180        7 transversed (mirrored about the other diagonal)
 *     4 mirrored top-bottom  8 turned 90 degrees anticlockwise
 *
 * Layout parsed here (all lengths checked against the buffer):
 *
 *     FF D8  (FF Mn len16be payload)*  ... FF DA (scan data)
 *     APP1 = FF E1 payload: "Exif\0\0" TIFF
 *     TIFF = "II" 42 off32 (little-endian) | "MM" 42 off32 (big-endian)
 *     IFD0 at TIFF + off32: count16, count x (tag16 type16 n32 value32)
 */
#include "io.h"

#include <string.h>

#define TAG_ORIENTATION 0x0112
#define TYPE_SHORT 3

static unsigned get16(const unsigned char *p, int little)
{
    return little ? (unsigned)p[0] | (unsigned)p[1] << 8 : (unsigned)p[0] << 8 | p[1];
}

static unsigned long get32(const unsigned char *p, int little)
{
    return little ? (unsigned long)get16(p, 1) | (unsigned long)get16(p + 2, 1) << 16
                  : (unsigned long)get16(p, 0) << 16 | get16(p + 2, 0);
}

/* The orientation in a TIFF block of len bytes, or 1. */
static int tiff_orientation(const unsigned char *t, size_t len)
{
    unsigned long ifd;
    unsigned count, i;
    int little;

    if (len < 8 || !((t[0] == 'I' && t[1] == 'I') || (t[0] == 'M' && t[1] == 'M')))
        return 1;
    little = t[0] == 'I';
    if (get16(t + 2, little) != 42)
        return 1;
    ifd = get32(t + 4, little);
    if (ifd > len - 2)
        return 1;
    count = get16(t + ifd, little);
    for (i = 0; i < count; i++) {
        const unsigned char *e = t + ifd + 2 + 12 * (size_t)i;
        unsigned value;
        if (ifd + 2 + 12 * (size_t)(i + 1) > len)
            return 1;
        if (get16(e, little) != TAG_ORIENTATION)
            continue;
        /* one SHORT sits in the first two bytes of the value field */
        if (get16(e + 2, little) != TYPE_SHORT || get32(e + 4, little) != 1)
            return 1;
        value = get16(e + 8, little);
        return value >= 1 && value <= 8 ? (int)value : 1;
    }
    return 1;
}

/* Steps *pos (2 after the SOI marker to start) over the next marker
 * segment before the scan: its marker into *marker, its payload (after the
 * length) into *payload and *n.  0 at the scan or the end of the image, at
 * the end of data, or on anything malformed. */
static int next_segment(const unsigned char *data, size_t len, size_t *pos,
                        unsigned *marker, const unsigned char **payload, size_t *n)
{
    size_t seg;

    while (*pos + 4 <= len) {
        if (data[*pos] != 0xFF)
            return 0;
        *marker = data[*pos + 1];
        if (*marker == 0xFF) { /* fill byte before a marker */
            (*pos)++;
            continue;
        }
        if (*marker == 0xD9 || *marker == 0xDA) /* end of image, start of scan */
            return 0;
        if ((*marker >= 0xD0 && *marker <= 0xD7) || *marker == 0x01) {
            *pos += 2; /* markers without a length */
            continue;
        }
        seg = get16(data + *pos + 2, 0); /* counts its own two bytes */
        if (seg < 2 || *pos + 2 + seg > len)
            return 0;
        *payload = data + *pos + 4;
        *n = seg - 2;
        *pos += 2 + seg;
        return 1;
    }
    return 0;
}

static int is_jpeg(const unsigned char *data, size_t len)
{
    return data != NULL && len >= 4 && data[0] == 0xFF && data[1] == 0xD8;
}

int imgrad__exif_orientation(const unsigned char *data, size_t len)
{
    const unsigned char *p;
    size_t pos = 2, n;
    unsigned marker;

    if (!is_jpeg(data, len))
        return 1;
    while (next_segment(data, len, &pos, &marker, &p, &n))
        if (marker == 0xE1 && n >= 6 && memcmp(p, "Exif\0\0", 6) == 0)
            return tiff_orientation(p + 6, n - 6);
    return 1;
}

/* stb_image's test (stbi__process_marker, load_jpeg_image): a 3-component
 * frame is RGB when its components are named 'R', 'G', 'B', or when an
 * Adobe APP14 segment says "no transform" (byte 11 = 0) and there is no
 * JFIF APP0; otherwise it is YCbCr and stb's 1-channel decode copies Y. */
int imgrad__jpeg_is_ycbcr(const unsigned char *data, size_t len)
{
    const unsigned char *p;
    size_t pos = 2, n;
    unsigned marker;
    int jfif = 0, adobe = -1, frame = 0; /* 0 none yet, 1 YCbCr-named, -1 not */

    if (!is_jpeg(data, len))
        return 0;
    while (next_segment(data, len, &pos, &marker, &p, &n)) {
        if (marker == 0xE0 && n >= 5 && memcmp(p, "JFIF\0", 5) == 0)
            jfif = 1;
        else if (marker == 0xEE && n >= 12 && memcmp(p, "Adobe\0", 6) == 0)
            adobe = p[11];
        else if (marker >= 0xC0 && marker <= 0xC2) /* the frames stb decodes */
            /* precision, height, width, count, then (id, sampling, table) each */
            frame = n >= 6 + 3 * 3 && p[5] == 3
                            && !(p[6] == 'R' && p[9] == 'G' && p[12] == 'B') ? 1 : -1;
    }
    return frame == 1 && !(adobe == 0 && !jfif);
}

/* Where the upright pixel (x, y) comes from in the stored w x h grid. */
static void source_of(int orientation, int w, int h, int x, int y, int *sx, int *sy)
{
    switch (orientation) {
    case 2: *sx = w - 1 - x; *sy = y; break;
    case 3: *sx = w - 1 - x; *sy = h - 1 - y; break;
    case 4: *sx = x; *sy = h - 1 - y; break;
    case 5: *sx = y; *sy = x; break;
    case 6: *sx = y; *sy = h - 1 - x; break;
    case 7: *sx = w - 1 - y; *sy = h - 1 - x; break;
    case 8: *sx = w - 1 - y; *sy = x; break;
    default: *sx = x; *sy = y; break;
    }
}

imgrad_status imgrad__orient_grid(const imgrad_grid *in, int orientation, imgrad_grid *out)
{
    int swap = orientation >= 5 && orientation <= 8;
    int x, y, sx, sy;
    imgrad_status st;

    out->data = NULL;
    if (in == NULL || in->data == NULL || orientation < 1 || orientation > 8)
        return IMGRAD_EINVAL;
    st = imgrad_grid_init(out, swap ? in->height : in->width, swap ? in->width : in->height);
    if (st == IMGRAD_OK && in->residual != NULL
        && (st = imgrad__grid_alloc_residual(out)) != IMGRAD_OK)
        imgrad_grid_free(out);
    if (st != IMGRAD_OK)
        return st;
    for (y = 0; y < out->height; y++)
        for (x = 0; x < out->width; x++) {
            size_t to = (size_t)y * out->stride + (size_t)x, from;
            source_of(orientation, in->width, in->height, x, y, &sx, &sy);
            from = (size_t)sy * in->stride + (size_t)sx;
            out->data[to] = in->data[from];
            if (out->residual != NULL)
                out->residual[to] = in->residual[from];
        }
    return IMGRAD_OK;
}

/* The orientation in an Exif TIFF block outside a JPEG (a WebP's EXIF
 * chunk, formats.h), by the same reader as a JPEG's. */
int imgrad__exif_block_orientation(const unsigned char *block, size_t len)
{
    if (len >= 6 && memcmp(block, "Exif\0\0", 6) == 0) /* some writers keep the prefix */
        return tiff_orientation(block + 6, len - 6);
    return tiff_orientation(block, len);
}
