/* test_exif.c - the JPEG Exif orientation parser on hand-built segments
 * (both byte orders, other tags first, fill bytes, every truncation), the
 * eight turns against hand-written grids, and the loader applying them. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io/io.h"

static size_t put16(unsigned char *p, unsigned v, int little)
{
    p[little ? 0 : 1] = (unsigned char)(v & 0xFF);
    p[little ? 1 : 0] = (unsigned char)(v >> 8);
    return 2;
}

static size_t put32(unsigned char *p, unsigned long v, int little)
{
    put16(p + (little ? 0 : 2), (unsigned)(v & 0xFFFF), little);
    put16(p + (little ? 2 : 0), (unsigned)(v >> 16), little);
    return 4;
}

/* An IFD entry: tag, type, count, value (a SHORT sits in the first 2 bytes). */
static size_t put_entry(unsigned char *p, unsigned tag, unsigned type, unsigned long count,
                        unsigned value, int little)
{
    put16(p, tag, little);
    put16(p + 2, type, little);
    put32(p + 4, count, little);
    memset(p + 8, 0, 4);
    put16(p + 8, value, little);
    return 12;
}

/* SOI, an APP1 Exif segment whose IFD0 holds a Make entry and then
 * Orientation (tag 0x0112) = value of the given type, then SOS.  Returns the
 * length written into buf (at least 64 bytes). */
static size_t make_jpeg(unsigned char *buf, int little, unsigned value, unsigned type)
{
    unsigned char *t;
    size_t n = 0, seg;

    buf[n++] = 0xFF, buf[n++] = 0xD8;
    buf[n++] = 0xFF, buf[n++] = 0xFF; /* a fill byte before the marker */
    buf[n++] = 0xE1;
    n += 2; /* the length, filled in below */
    memcpy(buf + n, "Exif\0\0", 6);
    n += 6;
    t = buf + n;
    t[0] = t[1] = little ? 'I' : 'M';
    put16(t + 2, 42, little);
    put32(t + 4, 8, little);
    put16(t + 8, 2, little);
    put_entry(t + 10, 0x010F, 2, 1, 0, little);
    put_entry(t + 22, 0x0112, type, 1, value, little);
    put32(t + 34, 0, little); /* no next IFD */
    n += 38;
    seg = n - 5; /* from the length field to here */
    buf[5] = (unsigned char)(seg >> 8), buf[6] = (unsigned char)(seg & 0xFF);
    buf[n++] = 0xFF, buf[n++] = 0xDA;
    return n;
}

static void finds_orientation_in_both_byte_orders(void **state)
{
    unsigned char buf[64];
    unsigned v;
    (void)state;
    for (v = 1; v <= 8; v++) {
        assert_int_equal(imgrad__exif_orientation(buf, make_jpeg(buf, 1, v, 3)), (int)v);
        assert_int_equal(imgrad__exif_orientation(buf, make_jpeg(buf, 0, v, 3)), (int)v);
    }
}

static void bad_or_missing_tags_mean_upright(void **state)
{
    unsigned char buf[64];
    size_t n;
    (void)state;
    assert_int_equal(imgrad__exif_orientation(buf, make_jpeg(buf, 1, 9, 3)), 1);
    assert_int_equal(imgrad__exif_orientation(buf, make_jpeg(buf, 1, 0, 3)), 1);
    assert_int_equal(imgrad__exif_orientation(buf, make_jpeg(buf, 1, 6, 4)), 1); /* LONG */
    n = make_jpeg(buf, 1, 6, 3);
    buf[0] = 0x89; /* not a JPEG */
    assert_int_equal(imgrad__exif_orientation(buf, n), 1);
    n = make_jpeg(buf, 0, 6, 3);
    buf[12] = 'X'; /* "MX": no TIFF header */
    assert_int_equal(imgrad__exif_orientation(buf, n), 1);
    assert_int_equal(imgrad__exif_orientation(NULL, 10), 1);
}

/* Every prefix of the segment is read without overrun (valgrind/ASan would
 * see one) and gives 1 until the whole segment is there. */
static void truncated_segments_are_safe(void **state)
{
    unsigned char buf[64], *copy;
    size_t n = make_jpeg(buf, 1, 6, 3), k;
    (void)state;
    for (k = 0; k <= n; k++) {
        copy = malloc(k ? k : 1);
        memcpy(copy, buf, k);
        /* the segment ends 2 bytes before the end (the SOS marker follows) */
        assert_int_equal(imgrad__exif_orientation(copy, k), k >= n - 2 ? 6 : 1);
        free(copy);
    }
}

/* The stored 3 x 2 grid   1 2 3
 *                         4 5 6   shown upright by each orientation. */
static void turns_match_hand_written_grids(void **state)
{
    static const float want[9][6] = {
        { 0 },
        { 1, 2, 3, 4, 5, 6 }, /* 1 as stored */
        { 3, 2, 1, 6, 5, 4 }, /* 2 mirrored left-right */
        { 6, 5, 4, 3, 2, 1 }, /* 3 turned 180 */
        { 4, 5, 6, 1, 2, 3 }, /* 4 mirrored top-bottom */
        { 1, 4, 2, 5, 3, 6 }, /* 5 transposed, 2 wide 3 high */
        { 4, 1, 5, 2, 6, 3 }, /* 6 turned clockwise */
        { 6, 3, 5, 2, 4, 1 }, /* 7 transversed */
        { 3, 6, 2, 5, 1, 4 }, /* 8 turned anticlockwise */
    };
    imgrad_grid in, out;
    int o, i;
    (void)state;
    assert_int_equal(imgrad_grid_init(&in, 3, 2), IMGRAD_OK);
    for (i = 0; i < 6; i++)
        in.data[i] = (float)(i + 1);
    for (o = 1; o <= 8; o++) {
        assert_int_equal(imgrad__orient_grid(&in, o, &out), IMGRAD_OK);
        assert_int_equal(out.width, o >= 5 ? 2 : 3);
        assert_int_equal(out.height, o >= 5 ? 3 : 2);
        for (i = 0; i < 6; i++)
            if (out.data[i] != want[o][i])
                fail_msg("orientation %d, element %d: got %g, want %g", o, i,
                         out.data[i], want[o][i]);
        imgrad_grid_free(&out);
    }
    assert_int_equal(imgrad__orient_grid(&in, 9, &out), IMGRAD_EINVAL);
    assert_null(out.data);
    imgrad_grid_free(&in);
}

/* A real JPEG (written by the library) with an Orientation 6 segment spliced
 * in after SOI: loading turns it, --no-orient (orient = 0) does not. */
static void loader_applies_orientation(void **state)
{
    unsigned char px[4 * 3], seg[64], *file, *spliced;
    char path[] = "/tmp/imgrad-exif-XXXXXX";
    imgrad_load_options lo;
    imgrad_grid stored, upright;
    imgrad_source_info info;
    size_t len, n = make_jpeg(seg, 0, 6, 3) - 2 - 2; /* drop SOI and SOS */
    FILE *fp;
    int i, fd = mkstemp(path);
    (void)state;
    for (i = 0; i < 12; i++)
        px[i] = (unsigned char)(i * 20);
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(imgrad_write_image8(path, IMGRAD_FORMAT_JPG, px, 4, 3, 1, NULL), IMGRAD_OK);
    fp = fopen(path, "rb");
    file = malloc(1 << 16);
    len = fread(file, 1, 1 << 16, fp);
    fclose(fp);
    unlink(path);
    spliced = malloc(len + n);
    memcpy(spliced, file, 2);
    memcpy(spliced + 2, seg + 2, n);
    memcpy(spliced + 2 + n, file + 2, len - 2);
    imgrad_load_options_default(&lo);
    lo.orient = 0;
    assert_int_equal(imgrad_load_gray_memory(spliced, len + n, &lo, &stored, NULL), IMGRAD_OK);
    lo.orient = 1;
    assert_int_equal(imgrad_load_gray_memory(spliced, len + n, &lo, &upright, &info),
                     IMGRAD_OK);
    assert_int_equal(stored.width, 4);
    assert_int_equal(upright.width, 3);
    assert_int_equal(upright.height, 4);
    assert_int_equal(info.width, 3);
    /* clockwise: upright (x, y) is stored (y, h - 1 - x) */
    for (i = 0; i < 12; i++)
        assert_true(upright.data[i] == stored.data[(2 - i % 3) * 4 + i / 3]);
    imgrad_grid_free(&stored);
    imgrad_grid_free(&upright);
    free(file);
    free(spliced);
}

/* SOI, then APP0 JFIF if jfif, APP14 Adobe with transform adobe if >= 0,
 * and a frame (marker sof) of n components with the given ids; SOS. */
static size_t make_frame(unsigned char *p, int jfif, int adobe, unsigned sof, int n,
                         const char *ids)
{
    static const unsigned char app0[] = { 0xFF, 0xE0, 0, 16, 'J', 'F', 'I', 'F', 0,
                                          1, 1, 0, 0, 1, 0, 1, 0, 0 };
    static const unsigned char app14[] = { 0xFF, 0xEE, 0, 14, 'A', 'd', 'o', 'b', 'e',
                                           0, 100, 0, 0, 0, 0 };
    size_t k = 0;
    int i;

    p[k++] = 0xFF;
    p[k++] = 0xD8;
    if (jfif) {
        memcpy(p + k, app0, sizeof app0);
        k += sizeof app0;
    }
    if (adobe >= 0) {
        memcpy(p + k, app14, sizeof app14);
        k += sizeof app14;
        p[k++] = (unsigned char)adobe;
    }
    p[k++] = 0xFF;
    p[k++] = (unsigned char)sof;
    k += put16(p + k, (unsigned)(8 + 3 * n), 0);
    p[k++] = 8;                       /* precision */
    k += put16(p + k, 16, 0);         /* height */
    k += put16(p + k, 16, 0);         /* width */
    p[k++] = (unsigned char)n;
    for (i = 0; i < n; i++) {
        p[k++] = (unsigned char)ids[i];
        p[k++] = 0x11;
        p[k++] = 0;
    }
    p[k++] = 0xFF;
    p[k++] = 0xDA;
    return k;
}

static void tells_ycbcr_from_rgb_as_stb_does(void **state)
{
    unsigned char p[128];
    size_t n, cut;
    (void)state;
    assert_true(imgrad__jpeg_is_ycbcr(p, make_frame(p, 1, -1, 0xC0, 3, "\1\2\3")));
    assert_true(imgrad__jpeg_is_ycbcr(p, make_frame(p, 0, -1, 0xC0, 3, "\1\2\3")));
    assert_true(imgrad__jpeg_is_ycbcr(p, make_frame(p, 0, -1, 0xC2, 3, "\1\2\3")));
    assert_true(imgrad__jpeg_is_ycbcr(p, make_frame(p, 0, 1, 0xC0, 3, "\1\2\3")));
    assert_true(imgrad__jpeg_is_ycbcr(p, make_frame(p, 1, 0, 0xC0, 3, "\1\2\3")));
    assert_true(imgrad__jpeg_is_ycbcr(p, make_frame(p, 0, -1, 0xC0, 3, "RGC")));
    /* stb decodes these as RGB, grey or CMYK: not YCbCr */
    assert_false(imgrad__jpeg_is_ycbcr(p, make_frame(p, 1, -1, 0xC0, 3, "RGB")));
    assert_false(imgrad__jpeg_is_ycbcr(p, make_frame(p, 0, 0, 0xC0, 3, "\1\2\3")));
    assert_false(imgrad__jpeg_is_ycbcr(p, make_frame(p, 1, -1, 0xC0, 1, "\1")));
    assert_false(imgrad__jpeg_is_ycbcr(p, make_frame(p, 1, 2, 0xC0, 4, "\1\2\3\4")));
    assert_false(imgrad__jpeg_is_ycbcr(p, make_frame(p, 1, -1, 0xC3, 3, "\1\2\3")));
    assert_false(imgrad__jpeg_is_ycbcr(NULL, 10));
    assert_false(imgrad__jpeg_is_ycbcr((const unsigned char *)"\x89PNG\r\n\x1a\n", 8));
    /* a frame cut anywhere is not read past its end */
    n = make_frame(p, 1, -1, 0xC0, 3, "\1\2\3");
    for (cut = 0; cut < n - 2; cut++)
        assert_false(imgrad__jpeg_is_ycbcr(p, cut));
}

/* jpeg_luma: a colour JPEG's grey is its 8-bit luma plane (whole levels),
 * near the weighted RGB but not equal; other weights ignore it. */
static void loader_takes_luma_plane(void **state)
{
    enum { W = 40, H = 24 };
    unsigned char px[W * H * 3];
    char path[] = "/tmp/imgrad-luma-XXXXXX";
    imgrad_load_options lo;
    imgrad_grid luma, rgb, g709, g709l;
    imgrad_source_info info;
    int i, differ = 0, fd = mkstemp(path);
    (void)state;
    for (i = 0; i < W * H * 3; i++) /* strong colour: chroma rounding shows */
        px[i] = (unsigned char)((i % 3 == 0 ? i / 3 % W * 6 : i % 3 == 1 ? i / (3 * W) * 10
                                                                         : 255 - i / 3 % W * 6));
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(imgrad_write_image8(path, IMGRAD_FORMAT_JPG, px, W, H, 3, NULL), IMGRAD_OK);
    imgrad_load_options_default(&lo);
    assert_int_equal(lo.jpeg_luma, 0);
    lo.residual = 0;
    assert_int_equal(imgrad_load_gray(path, &lo, &rgb, NULL), IMGRAD_OK);
    lo.jpeg_luma = 1;
    assert_int_equal(imgrad_load_gray(path, &lo, &luma, &info), IMGRAD_OK);
    assert_int_equal(info.channels, 3);
    lo.gray = IMGRAD_GRAY_REC709;
    assert_int_equal(imgrad_load_gray(path, &lo, &g709l, NULL), IMGRAD_OK);
    lo.jpeg_luma = 0;
    assert_int_equal(imgrad_load_gray(path, &lo, &g709, NULL), IMGRAD_OK);
    unlink(path);
    for (i = 0; i < W * H; i++) {
        const double level = luma.data[i] * 255.0;
        assert_true(luma.data[i] == (float)(floor(level + 0.5) / 255.0));
        assert_true(fabs(luma.data[i] - rgb.data[i]) < 8 / 255.0);
        differ += luma.data[i] != rgb.data[i];
        assert_true(g709l.data[i] == g709.data[i]);
    }
    assert_true(differ > 0);
    imgrad_grid_free(&luma);
    imgrad_grid_free(&rgb);
    imgrad_grid_free(&g709);
    imgrad_grid_free(&g709l);
}

/* The luma plane by libjpeg (imgrad__jpeg_luma) and by stb_image's
 * 1-channel decode agree within a level (their inverse DCTs round
 * differently); a residual completes v / 255; a truncated file is refused
 * with or without jpeg_luma. */
static void luma_decoders_agree(void **state)
{
    enum { W = 67, H = 45 };
    unsigned char px[W * H * 3], *file;
    char *buf = NULL;
    size_t len = 0, i;
    FILE *fp = open_memstream(&buf, &len);
    imgrad_load_options lo;
    imgrad_write_options wo;
    imgrad_grid lj, rgb;
    imgrad_source_kind kind;
    imgrad_pixels stb;
    (void)state;
    for (i = 0; i < sizeof px; i++)
        px[i] = (unsigned char)((i * 7 + i / (3 * W) * 13 + (i % 3) * 90) % 256);
    assert_non_null(fp);
    imgrad_write_options_default(&wo);
    assert_int_equal(imgrad__stb_encode(fp, IMGRAD_FORMAT_JPG, px, W, H, 3, &wo), IMGRAD_OK);
    fclose(fp);
    file = (unsigned char *)buf;
    imgrad_load_options_default(&lo);
    lo.jpeg_luma = 1;
    assert_true(imgrad__jpeg_is_ycbcr(file, len));
    assert_int_equal(imgrad_load_gray_memory(file, len, &lo, &lj, NULL), IMGRAD_OK);
    assert_non_null(lj.residual); /* residual = 1 by default */
    assert_int_equal(imgrad__stb_decode(file, len, &lo, 1, &stb, &kind), IMGRAD_OK);
    assert_int_equal(stb.channels, 1);
    for (i = 0; i < (size_t)W * H; i++) {
        const double v = (double)lj.data[i] + (double)lj.residual[i];
        assert_true(fabs(v * 255 - floor(v * 255 + 0.5)) < 1e-9);
        assert_true(fabs(v * 255 - ((unsigned char *)stb.data)[i]) <= 1.0 + 1e-9);
    }
    imgrad__pixels_free(&stb);
    imgrad_grid_free(&lj);
    for (i = len / 4; i < len; i += len / 4) {
        assert_int_equal(imgrad_load_gray_memory(file, i, &lo, &lj, NULL), IMGRAD_EDECODE);
        lo.jpeg_luma = 0;
        assert_int_equal(imgrad_load_gray_memory(file, i, &lo, &rgb, NULL), IMGRAD_EDECODE);
        lo.jpeg_luma = 1;
    }
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(finds_orientation_in_both_byte_orders),
        cmocka_unit_test(bad_or_missing_tags_mean_upright),
        cmocka_unit_test(truncated_segments_are_safe),
        cmocka_unit_test(turns_match_hand_written_grids),
        cmocka_unit_test(loader_applies_orientation),
        cmocka_unit_test(tells_ycbcr_from_rgb_as_stb_does),
        cmocka_unit_test(loader_takes_luma_plane),
        cmocka_unit_test(luma_decoders_agree),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
