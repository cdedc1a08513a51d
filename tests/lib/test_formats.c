#define _DEFAULT_SOURCE /* mkstemps */
/* test_formats.c - TIFF (written here by libtiff in several layouts), WebP
 * (encoded here by libwebp), pages, orientation, refusals of cut files; the
 * deep writers (16-bit, float32 TIFF read back by libtiff, (H, W, C) .npy);
 * the channel loader; and the Di Zenzo colour gradient against a
 * reference written out here. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tiffio.h>
#include <unistd.h>
#include <webp/encode.h>

#include "imgrad.h"
#include "io/formats.h"
#include "testutil.h"

/* ------------------------------------------------------------ helpers */

/* A fresh temporary file name (the file exists, empty). */
static void temp_path(char *path, size_t size, const char *suffix)
{
    int fd;
    snprintf(path, size, "/tmp/imgrad-test-formats-XXXXXX%s", suffix);
    fd = mkstemps(path, (int)strlen(suffix));
    assert_true(fd >= 0);
    close(fd);
}

static unsigned char *read_all(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    unsigned char *data;
    long n;
    assert_non_null(fp);
    fseek(fp, 0, SEEK_END);
    n = ftell(fp);
    rewind(fp);
    data = malloc((size_t)n + 1);
    assert_non_null(data);
    assert_int_equal(fread(data, 1, (size_t)n, fp), (size_t)n);
    fclose(fp);
    *len = (size_t)n;
    return data;
}

/* The value of a loaded pixel: data + residual. */
static double value_at(const imgrad_grid *g, int x, int y)
{
    size_t i = (size_t)y * g->stride + (size_t)x;
    return (double)g->data[i] + (g->residual ? (double)g->residual[i] : 0.0);
}

/* Equal to within what data + residual keeps (about 2^-48 relative). */
static int near(double a, double b)
{
    return fabs(a - b) <= 1e-13 * (1 + fabs(b));
}

/* A TIFF layout to write. */
typedef struct layout {
    int bits, spp, tiled, compression, orientation, sample_format;
} layout;

/* Sample s of pixel (x, y) of page `page` of the test images. */
static double sample_of(int x, int y, int s, int page)
{
    return (double)((x * 37 + y * 101 + s * 7919 + page * 1000) % 65536);
}

/* Writes one directory of w x h pixels of l's layout (values sample_of,
 * reduced to the sample's range) into t. */
static void write_directory(TIFF *t, int w, int h, const layout *l, int page)
{
    const size_t bytes = (size_t)l->bits / 8;
    unsigned char *buf = calloc((size_t)w * (size_t)h * (size_t)l->spp, bytes);
    int x, y, s;

    assert_non_null(buf);
    TIFFSetField(t, TIFFTAG_IMAGEWIDTH, w);
    TIFFSetField(t, TIFFTAG_IMAGELENGTH, h);
    TIFFSetField(t, TIFFTAG_BITSPERSAMPLE, l->bits);
    TIFFSetField(t, TIFFTAG_SAMPLESPERPIXEL, l->spp);
    TIFFSetField(t, TIFFTAG_SAMPLEFORMAT, l->sample_format);
    TIFFSetField(t, TIFFTAG_PHOTOMETRIC, l->spp >= 3 ? PHOTOMETRIC_RGB : PHOTOMETRIC_MINISBLACK);
    TIFFSetField(t, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG);
    TIFFSetField(t, TIFFTAG_COMPRESSION, l->compression);
    TIFFSetField(t, TIFFTAG_ORIENTATION, l->orientation);
    for (y = 0; y < h; y++)
        for (x = 0; x < w; x++)
            for (s = 0; s < l->spp; s++) {
                double v = sample_of(x, y, s, page);
                size_t at = ((size_t)y * (size_t)w + (size_t)x) * (size_t)l->spp + (size_t)s;
                if (l->bits == 8) {
                    buf[at] = (unsigned char)((int)v % 256);
                } else if (l->bits == 16) {
                    uint16_t u = (uint16_t)v;
                    memcpy(buf + 2 * at, &u, 2);
                } else {
                    float f = (float)(v / 3000.0 - 7.25);
                    memcpy(buf + 4 * at, &f, 4);
                }
            }
    if (l->tiled) {
        int tx, ty, r;
        const size_t row = (size_t)16 * (size_t)l->spp * bytes;
        unsigned char *tile = calloc(16 * row, 1);
        TIFFSetField(t, TIFFTAG_TILEWIDTH, 16);
        TIFFSetField(t, TIFFTAG_TILELENGTH, 16);
        for (ty = 0; ty < h; ty += 16)
            for (tx = 0; tx < w; tx += 16) {
                memset(tile, 0, 16 * row);
                for (r = 0; r < 16 && ty + r < h; r++)
                    memcpy(tile + (size_t)r * row,
                           buf + (((size_t)(ty + r) * (size_t)w + (size_t)tx) * (size_t)l->spp) * bytes,
                           (size_t)(w - tx < 16 ? w - tx : 16) * (size_t)l->spp * bytes);
                assert_true(TIFFWriteTile(t, tile, (uint32_t)tx, (uint32_t)ty, 0, 0) >= 0);
            }
        free(tile);
    } else {
        TIFFSetField(t, TIFFTAG_ROWSPERSTRIP, 7);
        for (y = 0; y < h; y++)
            assert_true(TIFFWriteScanline(t, buf + (size_t)y * (size_t)w * (size_t)l->spp * bytes,
                                          (uint32_t)y, 0) >= 0);
    }
    assert_true(TIFFWriteDirectory(t));
    free(buf);
}

static void write_tiff(const char *path, int w, int h, const layout *l, int pages)
{
    TIFF *t = TIFFOpen(path, "w");
    int p;
    assert_non_null(t);
    for (p = 0; p < pages; p++)
        write_directory(t, w, h, l, p);
    TIFFClose(t);
}

/* The expected grey of (x, y) on page p for layout l, in double. */
static double expected_grey(const layout *l, int x, int y, int p)
{
    double s[3];
    int c;
    for (c = 0; c < 3; c++) {
        double v = sample_of(x, y, c < l->spp ? c : 0, p);
        s[c] = l->bits == 8 ? (double)((int)v % 256) / 255.0
               : l->bits == 16 ? v / 65535.0 : (double)(float)(v / 3000.0 - 7.25);
    }
    if (l->spp < 3)
        return s[0];
    return 0.299 * s[0] + 0.587 * s[1] + 0.114 * s[2];
}

static void check_tiff(const layout *l, int pages, int page)
{
    char path[64];
    imgrad_load_options o;
    imgrad_source_info info;
    imgrad_grid g;
    int x, y;

    temp_path(path, sizeof path, ".tif");
    write_tiff(path, 40, 23, l, pages);
    imgrad_load_options_default(&o);
    o.page = page;
    assert_int_equal(imgrad_load_gray(path, &o, &g, &info), IMGRAD_OK);
    assert_int_equal(g.width, 40);
    assert_int_equal(g.height, 23);
    assert_int_equal(info.channels, l->spp);
    assert_int_equal(info.kind, l->bits == 8 ? IMGRAD_SOURCE_8BIT
                                : l->bits == 16 ? IMGRAD_SOURCE_16BIT : IMGRAD_SOURCE_FLOAT);
    for (y = 0; y < 23; y++)
        for (x = 0; x < 40; x++)
            if (!near(value_at(&g, x, y), expected_grey(l, x, y, page)))
                fail_msg("bits %d spp %d tiled %d compression %d page %d: (%d, %d) %.17g want %.17g",
                         l->bits, l->spp, l->tiled, l->compression, page, x, y,
                         value_at(&g, x, y), expected_grey(l, x, y, page));
    imgrad_grid_free(&g);
    unlink(path);
}

/* -------------------------------------------------------------- TIFF */

static void test_tiff_layouts(void **state)
{
    static const layout layouts[] = {
        { 16, 1, 0, COMPRESSION_NONE, 1, SAMPLEFORMAT_UINT },
        { 16, 1, 1, COMPRESSION_LZW, 1, SAMPLEFORMAT_UINT },
        { 16, 3, 0, COMPRESSION_ADOBE_DEFLATE, 1, SAMPLEFORMAT_UINT },
        { 16, 4, 1, COMPRESSION_NONE, 1, SAMPLEFORMAT_UINT },
        { 8, 1, 1, COMPRESSION_ADOBE_DEFLATE, 1, SAMPLEFORMAT_UINT },
        { 8, 3, 0, COMPRESSION_LZW, 1, SAMPLEFORMAT_UINT },
        { 8, 2, 0, COMPRESSION_PACKBITS, 1, SAMPLEFORMAT_UINT },
        { 32, 1, 0, COMPRESSION_NONE, 1, SAMPLEFORMAT_IEEEFP },
        { 32, 1, 1, COMPRESSION_ADOBE_DEFLATE, 1, SAMPLEFORMAT_IEEEFP },
        { 32, 3, 0, COMPRESSION_LZW, 1, SAMPLEFORMAT_IEEEFP },
    };
    size_t i;
    (void)state;
    for (i = 0; i < sizeof layouts / sizeof layouts[0]; i++)
        check_tiff(&layouts[i], 1, 0);
}

/* A 16-bit grey TIFF is its values / 65535 exactly (with the residual). */
static void test_tiff_16bit_exact(void **state)
{
    const layout l = { 16, 1, 0, COMPRESSION_NONE, 1, SAMPLEFORMAT_UINT };
    char path[64];
    imgrad_grid g;
    (void)state;
    temp_path(path, sizeof path, ".tif");
    write_tiff(path, 40, 23, &l, 1);
    assert_int_equal(imgrad_load_gray(path, NULL, &g, NULL), IMGRAD_OK);
    assert_true(near(value_at(&g, 5, 3), sample_of(5, 3, 0, 0) / 65535.0));
    assert_true(g.data[3 * 40 + 5] == (float)(sample_of(5, 3, 0, 0) / 65535.0));
    imgrad_grid_free(&g);
    unlink(path);
}

static void test_tiff_pages(void **state)
{
    const layout rgb = { 8, 3, 0, COMPRESSION_LZW, 1, SAMPLEFORMAT_UINT };
    char path[64];
    imgrad_load_options o;
    imgrad_grid g;
    (void)state;
    check_tiff(&rgb, 3, 0);
    check_tiff(&rgb, 3, 2);
    temp_path(path, sizeof path, ".tif");
    write_tiff(path, 40, 23, &rgb, 3);
    imgrad_load_options_default(&o);
    o.page = 3;
    assert_int_equal(imgrad_load_gray(path, &o, &g, NULL), IMGRAD_ENOPAGE);
    assert_null(g.data);
    o.page = -1;
    assert_int_equal(imgrad_load_gray(path, &o, &g, NULL), IMGRAD_EINVAL);
    /* single-image formats have page 0 alone */
    o.page = 1;
    assert_int_equal(imgrad_load_gray("assets/formats/camera.png", &o, &g, NULL), IMGRAD_ENOPAGE);
    assert_int_equal(imgrad_load_gray("assets/formats/camera_u8.npy", &o, &g, NULL), IMGRAD_ENOPAGE);
    assert_string_equal(imgrad_strerror(IMGRAD_ENOPAGE), "no such page in the file (pages count from 0)");
    unlink(path);
}

/* Orientation 3 (bottom right): turned half a turn unless orient is 0. */
static void test_tiff_orientation(void **state)
{
    const layout l = { 16, 1, 0, COMPRESSION_NONE, ORIENTATION_BOTRIGHT, SAMPLEFORMAT_UINT };
    const layout l6 = { 16, 1, 0, COMPRESSION_NONE, ORIENTATION_RIGHTTOP, SAMPLEFORMAT_UINT };
    char path[64];
    imgrad_load_options o;
    imgrad_grid g;
    (void)state;
    temp_path(path, sizeof path, ".tif");
    write_tiff(path, 40, 23, &l, 1);
    imgrad_load_options_default(&o);
    assert_int_equal(imgrad_load_gray(path, &o, &g, NULL), IMGRAD_OK);
    assert_true(near(value_at(&g, 0, 0), sample_of(39, 22, 0, 0) / 65535.0));
    assert_true(near(value_at(&g, 39, 22), sample_of(0, 0, 0, 0) / 65535.0));
    imgrad_grid_free(&g);
    o.orient = 0;
    assert_int_equal(imgrad_load_gray(path, &o, &g, NULL), IMGRAD_OK);
    assert_true(near(value_at(&g, 0, 0), sample_of(0, 0, 0, 0) / 65535.0));
    imgrad_grid_free(&g);
    /* 6: a quarter turn clockwise, width and height swapped */
    write_tiff(path, 40, 23, &l6, 1);
    o.orient = 1;
    assert_int_equal(imgrad_load_gray(path, &o, &g, NULL), IMGRAD_OK);
    assert_int_equal(g.width, 23);
    assert_int_equal(g.height, 40);
    assert_true(near(value_at(&g, 22, 0), sample_of(0, 0, 0, 0) / 65535.0));
    imgrad_grid_free(&g);
    unlink(path);
}

/* A file cut anywhere, or with bytes flipped, is refused or decoded, never a crash;
 * a cut in the pixel data is refused. */
static void test_tiff_cut(void **state)
{
    const layout l = { 16, 3, 0, COMPRESSION_NONE, 1, SAMPLEFORMAT_UINT };
    char path[64];
    unsigned char *data;
    size_t len, n;
    imgrad_grid g;
    (void)state;
    temp_path(path, sizeof path, ".tif");
    write_tiff(path, 40, 23, &l, 1);
    data = read_all(path, &len);
    for (n = 0; n < len; n += 97) {
        imgrad_status st = imgrad_load_gray_memory(data, n, NULL, &g, NULL);
        if (st == IMGRAD_OK)
            imgrad_grid_free(&g);
        else
            assert_null(g.data);
    }
    /* libtiff writes the pixels first, the directory last: cut the pixels */
    memmove(data + 8, data + 8 + 1000, len - 8 - 1000);
    assert_int_not_equal(imgrad_load_gray_memory(data, len - 1000, NULL, &g, NULL), IMGRAD_OK);
    free(data);
    unlink(path);
}

/* -------------------------------------------------------------- WebP */

static unsigned char *test_pixels(int w, int h, int ch)
{
    unsigned char *p = malloc((size_t)w * (size_t)h * (size_t)ch);
    int i;
    assert_non_null(p);
    for (i = 0; i < w * h * ch; i++)
        p[i] = (unsigned char)((i * 7 + i / (w * ch) * 13) % 256);
    return p;
}

static void test_webp_lossless(void **state)
{
    const int w = 33, h = 21;
    unsigned char *rgb = test_pixels(w, h, 3), *rgba = test_pixels(w, h, 4), *out = NULL;
    size_t n;
    imgrad_pixels px = { .data = rgb, .sample = IMGRAD_SAMPLE_U8, .width = w, .height = h,
                         .channels = 3 };
    imgrad_grid want, got;
    imgrad_source_info info;
    imgrad_pixels dec;
    int i;
    (void)state;
    for (i = 3; i < w * h * 4; i += 4) /* opaque: colour under alpha 0 may be dropped */
        rgba[i] = (unsigned char)(1 + i % 255);
    n = WebPEncodeLosslessRGB(rgb, w, h, w * 3, &out);
    assert_true(n > 0);
    assert_int_equal(imgrad_gray_from_pixels(&px, IMGRAD_GRAY_REC601, 1, &want), IMGRAD_OK);
    assert_int_equal(imgrad_load_gray_memory(out, n, NULL, &got, &info), IMGRAD_OK);
    assert_int_equal(info.channels, 3);
    for (i = 0; i < w * h; i++) {
        assert_true(got.data[i] == want.data[i]);
        assert_true(got.residual[i] == want.residual[i]);
    }
    imgrad_grid_free(&got);
    /* the pixels as stored */
    assert_int_equal(imgrad_decode_memory(out, n, NULL, &dec), IMGRAD_OK);
    assert_int_equal(dec.channels, 3);
    assert_memory_equal(dec.data, rgb, (size_t)w * h * 3);
    imgrad_free(dec.data);
    /* cut short: refused */
    assert_int_equal(imgrad_load_gray_memory(out, n / 2, NULL, &got, NULL), IMGRAD_EDECODE);
    assert_null(got.data);
    WebPFree(out);
    /* with alpha: 4 channels, alpha ignored */
    n = WebPEncodeLosslessRGBA(rgba, w, h, w * 4, &out);
    px.data = rgba;
    px.channels = 4;
    imgrad_grid_free(&want);
    assert_int_equal(imgrad_gray_from_pixels(&px, IMGRAD_GRAY_REC601, 1, &want), IMGRAD_OK);
    assert_int_equal(imgrad_load_gray_memory(out, n, NULL, &got, &info), IMGRAD_OK);
    assert_int_equal(info.channels, 4);
    for (i = 0; i < w * h; i++)
        assert_true(got.data[i] == want.data[i]);
    WebPFree(out);
    imgrad_grid_free(&got);
    imgrad_grid_free(&want);
    free(rgb);
    free(rgba);
}

static void test_webp_lossy(void **state)
{
    const int w = 64, h = 48;
    unsigned char *rgb = malloc((size_t)w * h * 3), *out = NULL;
    imgrad_grid got;
    size_t n;
    int x, y;
    (void)state;
    for (y = 0; y < h; y++) /* smooth, so that lossy coding stays close */
        for (x = 0; x < w; x++) {
            rgb[(y * w + x) * 3] = (unsigned char)(x * 4);
            rgb[(y * w + x) * 3 + 1] = (unsigned char)(y * 5);
            rgb[(y * w + x) * 3 + 2] = 128;
        }
    n = WebPEncodeRGB(rgb, w, h, w * 3, 95, &out);
    assert_true(n > 0);
    assert_int_equal(imgrad_load_gray_memory(out, n, NULL, &got, NULL), IMGRAD_OK);
    for (y = 4; y < h - 4; y++)
        for (x = 4; x < w - 4; x++)
            assert_true(fabs(value_at(&got, x, y)
                             - (0.299 * x * 4 + 0.587 * y * 5 + 0.114 * 128) / 255) < 0.03);
    imgrad_grid_free(&got);
    WebPFree(out);
    free(rgb);
}

/* The Exif block reader a WebP's EXIF chunk goes through: a good block,
 * with and without the "Exif\0\0" prefix, and broken ones (1). */
static void test_exif_block(void **state)
{
    /* big-endian: header, IFD at 8 with one entry Orientation SHORT 1 = 6 */
    static const unsigned char mm[] = { 'M', 'M', 0, 42, 0, 0, 0, 8, 0, 1,
                                        0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0, 0, 0, 0, 0 };
    unsigned char prefixed[6 + sizeof mm] = "Exif";
    unsigned char bad[sizeof mm];
    (void)state;
    memcpy(prefixed + 6, mm, sizeof mm);
    assert_int_equal(imgrad__exif_block_orientation(mm, sizeof mm), 6);
    assert_int_equal(imgrad__exif_block_orientation(prefixed, sizeof prefixed), 6);
    assert_int_equal(imgrad__exif_block_orientation(mm, 12), 1);  /* entry cut */
    assert_int_equal(imgrad__exif_block_orientation(mm, 4), 1);
    memcpy(bad, mm, sizeof mm);
    bad[7] = 200; /* IFD past the end */
    assert_int_equal(imgrad__exif_block_orientation(bad, sizeof bad), 1);
    memcpy(bad, mm, sizeof mm);
    bad[19] = 9; /* not an orientation */
    assert_int_equal(imgrad__exif_block_orientation(bad, sizeof bad), 1);
}

/* ------------------------------------------------------------ writers */

static void test_to_16bit(void **state)
{
    const double v[6] = { 0, 0.5, 1, -1, 2, NAN };
    imgrad_grid g = make_grid(6, 1, v);
    uint16_t out[6];
    (void)state;
    assert_int_equal(imgrad_to_16bit(&g, IMGRAD_MAP_UNSIGNED, 1.0, out, 6), IMGRAD_OK);
    assert_int_equal(out[0], 0);
    assert_int_equal(out[1], 32768); /* 32767.5 rounds up */
    assert_int_equal(out[2], 65535);
    assert_int_equal(out[3], 0);
    assert_int_equal(out[4], 65535);
    assert_int_equal(out[5], 0);
    assert_int_equal(imgrad_to_16bit(&g, IMGRAD_MAP_SIGNED, 1.0, out, 6), IMGRAD_OK);
    assert_int_equal(out[0], 32768);
    assert_int_equal(out[2], 65535);
    assert_int_equal(out[3], 1);
    g.data[0] = (float)-3.14159265358979323846;
    g.data[1] = (float)3.14159265358979323846;
    assert_int_equal(imgrad_to_16bit(&g, IMGRAD_MAP_ANGLE, 1.0, out, 6), IMGRAD_OK);
    assert_int_equal(out[0], 0);
    assert_int_equal(out[1], 65535);
    assert_int_equal(imgrad_to_16bit(&g, IMGRAD_MAP_UNSIGNED, 0.0, out, 6), IMGRAD_EINVAL);
    assert_int_equal(imgrad_to_16bit(&g, IMGRAD_MAP_UNSIGNED, 1.0, out, 5), IMGRAD_EINVAL);
    imgrad_grid_free(&g);
}

/* 16-bit PNG and TIFF pictures read back as the values / 65535. */
static void test_write_image16(void **state)
{
    const int w = 37, h = 19;
    uint16_t *px = malloc((size_t)w * h * 3 * 2);
    const imgrad_format fmts[2] = { IMGRAD_FORMAT_PNG, IMGRAD_FORMAT_TIFF };
    char path[64];
    imgrad_grid g;
    imgrad_source_info info;
    int i, f, ch;
    (void)state;
    for (i = 0; i < w * h * 3; i++)
        px[i] = (uint16_t)(i * 997 % 65536);
    for (f = 0; f < 2; f++)
        for (ch = 1; ch <= 3; ch += 2) {
            temp_path(path, sizeof path, f ? ".tif" : ".png");
            assert_int_equal(imgrad_write_image16(path, fmts[f], px, w, h, ch, NULL), IMGRAD_OK);
            assert_int_equal(imgrad_load_gray(path, NULL, &g, &info), IMGRAD_OK);
            assert_int_equal(info.kind, IMGRAD_SOURCE_16BIT);
            assert_int_equal(info.channels, ch);
            for (i = 0; i < w * h; i++) {
                const uint16_t *p = px + (size_t)i * (size_t)ch;
                double want = ch == 1 ? p[0] / 65535.0
                                      : 0.299 * (p[0] / 65535.0) + 0.587 * (p[1] / 65535.0)
                                            + 0.114 * (p[2] / 65535.0);
                assert_true(near(value_at(&g, i % w, i / w), want));
            }
            imgrad_grid_free(&g);
            unlink(path);
        }
    assert_int_equal(imgrad_write_image16(path, IMGRAD_FORMAT_JPG, px, w, h, 1, NULL), IMGRAD_EINVAL);
    free(px);
}

/* A float32 TIFF read back by libtiff itself: the same bits, the sizes and
 * the description; several strips. */
static void test_write_tiff(void **state)
{
    const int w = 300, h = 100;
    imgrad_grid g[3];
    char path[64], *desc = NULL;
    TIFF *t;
    uint32_t tw, th;
    uint16_t spp, bps, fmt;
    float *row = malloc((size_t)w * 3 * sizeof *row);
    int c, x, y;
    (void)state;
    for (c = 0; c < 3; c++) {
        assert_int_equal(imgrad_grid_init(&g[c], w, h), IMGRAD_OK);
        for (x = 0; x < w * h; x++)
            g[c].data[x] = (float)((x * (c + 3)) % 1001) / 7.0f - 50.0f;
    }
    g[1].data[5] = -0.0f;
    g[2].data[7] = INFINITY;
    for (c = 1; c <= 3; c += 2) {
        temp_path(path, sizeof path, ".tif");
        assert_int_equal(imgrad_write_tiff(path, g, c, "imgrad test: gx"), IMGRAD_OK);
        t = TIFFOpen(path, "r");
        assert_non_null(t);
        TIFFGetField(t, TIFFTAG_IMAGEWIDTH, &tw);
        TIFFGetField(t, TIFFTAG_IMAGELENGTH, &th);
        TIFFGetField(t, TIFFTAG_SAMPLESPERPIXEL, &spp);
        TIFFGetField(t, TIFFTAG_BITSPERSAMPLE, &bps);
        TIFFGetField(t, TIFFTAG_SAMPLEFORMAT, &fmt);
        assert_true(TIFFGetField(t, TIFFTAG_IMAGEDESCRIPTION, &desc));
        assert_string_equal(desc, "imgrad test: gx");
        assert_int_equal(tw, w);
        assert_int_equal(th, h);
        assert_int_equal(spp, c);
        assert_int_equal(bps, 32);
        assert_int_equal(fmt, SAMPLEFORMAT_IEEEFP);
        assert_true(TIFFNumberOfStrips(t) > 1);
        for (y = 0; y < h; y++) {
            assert_true(TIFFReadScanline(t, row, (uint32_t)y, 0) > 0);
            for (x = 0; x < w * c; x++)
                assert_memory_equal(&row[x], &g[x % c].data[(size_t)y * w + (size_t)(x / c)], 4);
        }
        TIFFClose(t);
        unlink(path);
    }
    assert_int_equal(imgrad_write_tiff(path, g, 2, NULL), IMGRAD_EINVAL);
    for (c = 0; c < 3; c++)
        imgrad_grid_free(&g[c]);
    free(row);
}

static void test_write_npy_channels(void **state)
{
    const double a[6] = { 1, 2, 3, 4, 5, 6 }, b[6] = { -1, -2, -3, -4, -5, -6 };
    imgrad_grid g[2] = { make_grid(3, 2, a), make_grid(3, 2, b) };
    char path[64];
    unsigned char *data;
    size_t len;
    float v;
    (void)state;
    temp_path(path, sizeof path, ".npy");
    assert_int_equal(imgrad_write_npy_channels(path, g, 2), IMGRAD_OK);
    data = read_all(path, &len);
    assert_int_equal(len, 128 + 12 * 4);
    assert_non_null(strstr((char *)data + 10, "'shape': (2, 3, 2)"));
    memcpy(&v, data + 128 + 4 * 5, 4); /* element [0, 2, 1] */
    assert_true(v == -3.0f);
    memcpy(&v, data + 128 + 4 * 6, 4); /* element [1, 0, 0] */
    assert_true(v == 4.0f);
    free(data);
    unlink(path);
    imgrad_grid_free(&g[0]);
    imgrad_grid_free(&g[1]);
}

/* ------------------------------------------------- channels and colour */

static void test_load_channels(void **state)
{
    imgrad_grid ch[3];
    imgrad_source_info info;
    imgrad_pixels px;
    unsigned char *data;
    size_t len;
    int count, i, c;
    (void)state;
    data = read_all("assets/formats/cat.png", &len);
    assert_int_equal(imgrad_decode_memory(data, len, NULL, &px), IMGRAD_OK);
    assert_int_equal(imgrad_load_channels_memory(data, len, NULL, ch, &count, &info), IMGRAD_OK);
    assert_int_equal(count, 3);
    for (c = 0; c < 3; c++)
        for (i = 0; i < px.width * px.height; i++)
            assert_true(near(value_at(&ch[c], i % px.width, i / px.width),
                             ((unsigned char *)px.data)[i * 3 + c] / 255.0));
    for (c = 0; c < 3; c++)
        imgrad_grid_free(&ch[c]);
    imgrad_free(px.data);
    free(data);
    assert_int_equal(imgrad_load_channels("assets/formats/camera_alpha.png", NULL, ch, &count, &info),
                     IMGRAD_OK);
    assert_int_equal(count, 1); /* grey + alpha: the grey */
    imgrad_grid_free(&ch[0]);
    assert_int_equal(imgrad_load_channels("assets/formats/nope.png", NULL, ch, &count, NULL),
                     IMGRAD_EIO);
    assert_int_equal(count, 0);
    assert_null(ch[0].data);
}

/* The reference: per pixel, the tensor's leading eigenvector found as the
 * longer of the two null-space candidates (b, l - a) and (l - c, b) of
 * [[a, b], [b, c]] - l I, scaled to sqrt(l), signed by the luma gradient. */
static void reference_dizenzo(const imgrad_grid *gx, const imgrad_grid *gy, const double *w,
                              int count, size_t i, double out[3])
{
    double a = 0, b = 0, c = 0, lx = 0, ly = 0, l, vx, vy, ux, uy, n;
    int k;
    for (k = 0; k < count; k++) {
        a += (double)gx[k].data[i] * gx[k].data[i];
        b += (double)gx[k].data[i] * gy[k].data[i];
        c += (double)gy[k].data[i] * gy[k].data[i];
        lx += w[k] * gx[k].data[i];
        ly += w[k] * gy[k].data[i];
    }
    l = (a + c) / 2 + sqrt((a - c) * (a - c) / 4 + b * b);
    vx = b, vy = l - a, ux = l - c, uy = b;
    if (ux * ux + uy * uy > vx * vx + vy * vy)
        vx = ux, vy = uy;
    n = hypot(vx, vy);
    if (n == 0) { /* isotropic or zero: any direction; take x */
        vx = 1, vy = 0, n = 1;
    }
    vx /= n, vy /= n;
    if (vx * lx + vy * ly < 0)
        vx = -vx, vy = -vy;
    out[0] = sqrt(l);
    out[1] = sqrt(l) * vx;
    out[2] = sqrt(l) * vy;
}

static void test_dizenzo_reference(void **state)
{
    const int w = 23, h = 17;
    const double weights[3] = { 0.299, 0.587, 0.114 };
    imgrad_grid ch[3], gx[3], gy[3], mag, dgx, dgy, dir;
    imgrad_gradient_options o;
    size_t i;
    int c;
    unsigned seed = 12345;
    (void)state;
    imgrad_gradient_options_default(&o);
    o.op = IMGRAD_OP_SOBEL;
    for (c = 0; c < 3; c++) {
        assert_int_equal(imgrad_grid_init(&ch[c], w, h), IMGRAD_OK);
        for (i = 0; i < (size_t)w * h; i++) {
            seed = seed * 1103515245u + 12345u;
            ch[c].data[i] = (float)((seed >> 16) % 256) / 255.0f;
        }
        assert_int_equal(imgrad_gradient(&ch[c], &o, &(imgrad_products){ .gx = &gx[c], .gy = &gy[c] }),
                         IMGRAD_OK);
    }
    assert_int_equal(imgrad_color_gradient(ch, 3, &o,
                                           &(imgrad_products){ .gx = &dgx, .gy = &dgy,
                                                               .magnitude = &mag, .direction = &dir }),
                     IMGRAD_OK);
    for (i = 0; i < (size_t)w * h; i++) {
        double r[3];
        reference_dizenzo(gx, gy, weights, 3, i, r);
        assert_true(fabs(mag.data[i] - r[0]) <= 1e-6 * (1 + r[0]));
        if (r[0] > 1e-3) { /* the direction is defined */
            assert_true(fabs(dgx.data[i] - r[1]) <= 1e-5);
            assert_true(fabs(dgy.data[i] - r[2]) <= 1e-5);
            /* the same angle, (-pi, pi] either way: compare on the circle */
            assert_true(fabs(remainder(dir.data[i] - atan2(r[2], r[1]), 2 * M_PI)) <= 1e-5);
        }
    }
    for (c = 0; c < 3; c++) {
        imgrad_grid_free(&ch[c]);
        imgrad_grid_free(&gx[c]);
        imgrad_grid_free(&gy[c]);
    }
    imgrad_grid_free(&mag);
    imgrad_grid_free(&dgx);
    imgrad_grid_free(&dgy);
    imgrad_grid_free(&dir);
}

/* One channel: the ordinary gradient. */
static void test_dizenzo_one_channel(void **state)
{
    const double v[20] = { 0, 1, 4, 9, 16, 3, 3, 3, 3, 3, 9, 4, 1, 0, 1, 2, 7, 1, 8, 2 };
    imgrad_grid g = make_grid(5, 4, v), gx, gy, mag, dx, dy, dm, dd;
    imgrad_gradient_options o;
    int i;
    (void)state;
    imgrad_gradient_options_default(&o);
    assert_int_equal(imgrad_gradient(&g, &o, &(imgrad_products){ .gx = &gx, .gy = &gy, .magnitude = &mag }),
                     IMGRAD_OK);
    assert_int_equal(imgrad_color_gradient(&g, 1, &o, &(imgrad_products){ .gx = &dx, .gy = &dy,
                                                                          .magnitude = &dm, .direction = &dd }),
                     IMGRAD_OK);
    for (i = 0; i < 20; i++) {
        assert_true(fabs(dm.data[i] - mag.data[i]) <= 1e-6 * (1 + mag.data[i]));
        assert_true(fabs(dx.data[i] - gx.data[i]) <= 1e-5);
        assert_true(fabs(dy.data[i] - gy.data[i]) <= 1e-5);
        if (mag.data[i] == 0)
            assert_true(dd.data[i] == 0);
    }
    imgrad_grid_free(&g); imgrad_grid_free(&gx); imgrad_grid_free(&gy); imgrad_grid_free(&mag);
    imgrad_grid_free(&dx); imgrad_grid_free(&dy); imgrad_grid_free(&dm); imgrad_grid_free(&dd);
}

/* Red beside a green of the same Rec.601 luma: luma sees no edge, Di Zenzo
 * a strong one, and colour Canny finds it. */
static void test_dizenzo_isoluminant(void **state)
{
    const int w = 16, h = 12;
    const double green = 0.299 / 0.587; /* 0.587 g = 0.299 r */
    imgrad_grid ch[3], gray, lmag, dmag, edges, ledges;
    imgrad_gradient_options o;
    int x, y, c, found = 0, lfound = 0;
    (void)state;
    imgrad_gradient_options_default(&o);
    o.op = IMGRAD_OP_SOBEL;
    o.canny_low = 0.05;
    o.canny_high = 0.1;
    for (c = 0; c < 3; c++)
        assert_int_equal(imgrad_grid_init(&ch[c], w, h), IMGRAD_OK);
    assert_int_equal(imgrad_grid_init(&gray, w, h), IMGRAD_OK);
    for (y = 0; y < h; y++)
        for (x = 0; x < w; x++) {
            const int i = y * w + x, red = x < w / 2;
            ch[0].data[i] = red ? 1.0f : 0.0f;
            ch[1].data[i] = red ? 0.0f : (float)green;
            gray.data[i] = (float)(0.299 * ch[0].data[i] + 0.587 * ch[1].data[i]);
        }
    assert_int_equal(imgrad_gradient(&gray, &o, &(imgrad_products){ .magnitude = &lmag, .edges = &ledges }),
                     IMGRAD_OK);
    assert_int_equal(imgrad_color_gradient(ch, 3, &o, &(imgrad_products){ .magnitude = &dmag, .edges = &edges }),
                     IMGRAD_OK);
    for (y = 0; y < h; y++) {
        /* at the edge (columns 7 and 8): |d red / dx| = 1/2 across two pixels */
        assert_true(lmag.data[y * w + 7] < 1e-6);
        assert_true(dmag.data[y * w + 7] > 0.5);
        for (x = 0; x < w; x++) {
            found += edges.data[y * w + x] != 0;
            lfound += ledges.data[y * w + x] != 0;
            if (x < 6 || x > 9)
                assert_true(dmag.data[y * w + x] == 0);
        }
    }
    assert_true(found >= h);
    assert_int_equal(lfound, 0);
    for (c = 0; c < 3; c++)
        imgrad_grid_free(&ch[c]);
    imgrad_grid_free(&gray); imgrad_grid_free(&lmag); imgrad_grid_free(&dmag);
    imgrad_grid_free(&edges); imgrad_grid_free(&ledges);
}

static void test_dizenzo_refusals(void **state)
{
    const double v[6] = { 0, 1, 2, 3, 4, 5 };
    imgrad_grid g[2] = { make_grid(3, 2, v), make_grid(2, 3, v) }, mag;
    imgrad_gradient_options o;
    (void)state;
    imgrad_gradient_options_default(&o);
    assert_int_equal(imgrad_color_gradient(g, 2, &o, &(imgrad_products){ .magnitude = &mag }), IMGRAD_EINVAL);
    assert_null(mag.data);
    assert_int_equal(imgrad_color_gradient(g, 0, &o, &(imgrad_products){ .magnitude = &mag }), IMGRAD_EINVAL);
    o.norm_l1 = 1;
    assert_int_equal(imgrad_color_gradient(g, 1, &o, &(imgrad_products){ .magnitude = &mag }), IMGRAD_EINVAL);
    o.norm_l1 = 0;
    assert_int_equal(imgrad_color_gradient(g, 1, &o, &(imgrad_products){ 0 }), IMGRAD_EINVAL);
    assert_int_equal(imgrad_color_gradient(g, 1, &o, &(imgrad_products){ .magnitude = &mag }), IMGRAD_OK);
    imgrad_grid_free(&mag);
    imgrad_grid_free(&g[0]);
    imgrad_grid_free(&g[1]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tiff_layouts),
        cmocka_unit_test(test_tiff_16bit_exact),
        cmocka_unit_test(test_tiff_pages),
        cmocka_unit_test(test_tiff_orientation),
        cmocka_unit_test(test_tiff_cut),
        cmocka_unit_test(test_webp_lossless),
        cmocka_unit_test(test_webp_lossy),
        cmocka_unit_test(test_exif_block),
        cmocka_unit_test(test_to_16bit),
        cmocka_unit_test(test_write_image16),
        cmocka_unit_test(test_write_tiff),
        cmocka_unit_test(test_write_npy_channels),
        cmocka_unit_test(test_load_channels),
        cmocka_unit_test(test_dizenzo_reference),
        cmocka_unit_test(test_dizenzo_one_channel),
        cmocka_unit_test(test_dizenzo_isoluminant),
        cmocka_unit_test(test_dizenzo_refusals),
    };
    /* libtiff's writer would print its warnings here */
    TIFFSetWarningHandler(NULL);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
