/* test_load_gradient.c - imgrad_load_gradient_memory against its definition:
 * imgrad_load_gray_memory then imgrad_gradient, bit for bit, status for
 * status.  JPEGs of many sizes (around the banded pass's band edges, tiny
 * ones, odd widths) are made here with libjpeg; the options cover every
 * operator and border it bands and those it hands to the two steps. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h> /* before jpeglib.h, which uses FILE */
#include <stdlib.h>
#include <jpeglib.h>
#include <string.h>

#include "io/io.h"

/* A w x h YCbCr JPEG (4:2:0, quality 90) of a pattern with edges, ramps and
 * noise, in memory: *len bytes, free()d by the caller. */
static unsigned char *make_jpeg(int w, int h, unsigned seed, unsigned long *len)
{
    struct jpeg_compress_struct c;
    struct jpeg_error_mgr err;
    unsigned char *out = NULL, *row = malloc((size_t)w * 3);
    int x, y, k;

    c.err = jpeg_std_error(&err);
    jpeg_create_compress(&c);
    jpeg_mem_dest(&c, &out, len);
    c.image_width = (JDIMENSION)w;
    c.image_height = (JDIMENSION)h;
    c.input_components = 3;
    c.in_color_space = JCS_RGB;
    jpeg_set_defaults(&c);
    jpeg_set_quality(&c, 90, TRUE);
    jpeg_start_compress(&c, TRUE);
    for (y = 0; y < h; y++) {
        for (x = 0; x < w; x++)
            for (k = 0; k < 3; k++) {
                seed = seed * 1103515245u + 12345u;
                row[3 * x + k] = (unsigned char)(((x * 7 + y * 3) % 256 + (x / 13 + y / 11) % 2 * 90
                                                  + (seed >> 24) % 23 + k * 40) % 256);
            }
        jpeg_write_scanlines(&c, &row, 1);
    }
    jpeg_finish_compress(&c);
    jpeg_destroy_compress(&c);
    free(row);
    return out;
}

/* jpg with an APP1 Exif segment after SOI whose orientation is turn: *out_len
 * bytes, free()d by the caller. */
static unsigned char *with_orientation(const unsigned char *jpg, size_t len, int turn,
                                       size_t *out_len)
{
    static const unsigned char app1[] = {
        0xFF, 0xE1, 0x00, 0x22, 'E', 'x', 'i', 'f', 0, 0,   /* length 34 */
        'I', 'I', 42, 0, 8, 0, 0, 0,                         /* TIFF header, IFD at 8 */
        1, 0,                                                /* one entry */
        0x12, 0x01, 3, 0, 1, 0, 0, 0, 0, 0, 0, 0,            /* 0x0112 SHORT 1: value */
        0, 0, 0, 0                                           /* no next IFD */
    };
    unsigned char *out = malloc(len + sizeof app1);

    memcpy(out, jpg, 2);
    memcpy(out + 2, app1, sizeof app1);
    out[2 + 10 + 8 + 2 + 8] = (unsigned char)turn;
    memcpy(out + 2 + sizeof app1, jpg + 2, len - 2);
    *out_len = len + sizeof app1;
    return out;
}

static void assert_same_grid(const imgrad_grid *a, const imgrad_grid *b)
{
    int y;

    assert_int_equal(a->data == NULL, b->data == NULL);
    if (a->data == NULL)
        return;
    assert_int_equal(a->width, b->width);
    assert_int_equal(a->height, b->height);
    for (y = 0; y < a->height; y++)
        assert_memory_equal(a->data + (size_t)y * a->stride, b->data + (size_t)y * b->stride,
                            (size_t)a->width * sizeof(float));
}

/* Both ways on data with lo and go; the four products (or edges) compared. */
static void compare(const unsigned char *data, size_t len, const imgrad_load_options *lo,
                    const imgrad_gradient_options *go, int edges)
{
    imgrad_grid a[5], b[5], grey;
    double scale_a = -1, scale_b = -1;
    imgrad_products pa = { &a[0], &a[1], &a[2], &a[3], NULL, NULL, 0, &scale_a };
    imgrad_products pb = { &b[0], &b[1], &b[2], &b[3], NULL, NULL, 0, &scale_b };
    imgrad_source_info ia, ib;
    imgrad_status sa, sb;
    int i;

    if (edges) {
        pa.edges = &a[4];
        pb.edges = &b[4];
    }
    memset(a, 0, sizeof a);
    memset(b, 0, sizeof b);
    memset(&ia, 0, sizeof ia);
    memset(&ib, 0, sizeof ib);
    sa = imgrad_load_gray_memory(data, len, lo, &grey, &ia);
    if (sa == IMGRAD_OK) {
        sa = imgrad_gradient(&grey, go, &pa);
        imgrad_grid_free(&grey);
    }
    sb = imgrad_load_gradient_memory(data, len, lo, go, &pb, &ib);
    assert_int_equal(sb, sa);
    if (sa == IMGRAD_OK) { /* the display scale, counted on the way or after */
        const double want = imgrad_auto_scale(&a[2]);
        assert_memory_equal(&scale_a, &want, sizeof want);
        assert_memory_equal(&scale_b, &want, sizeof want);
    }
    if (sa == IMGRAD_OK || sa == IMGRAD_ETOOSMALL) {
        assert_int_equal(ib.width, ia.width);
        assert_int_equal(ib.height, ia.height);
        assert_int_equal(ib.channels, ia.channels);
        assert_int_equal(ib.kind, ia.kind);
    }
    for (i = 0; i < 5; i++) {
        if (sa != IMGRAD_OK)
            assert_null(b[i].data); /* failure leaves every product empty */
        assert_same_grid(&a[i], &b[i]);
        imgrad_grid_free(&a[i]);
        imgrad_grid_free(&b[i]);
    }
}

static void defaults(imgrad_load_options *lo, imgrad_gradient_options *go)
{
    imgrad_load_options_default(lo);
    lo->jpeg_luma = 1;
    lo->residual = 0; /* central differences of a grey with one: the two steps */
    imgrad_gradient_options_default(go);
}

/* Every height from 1 to 3 bands and more for a few widths: a band of a
 * w-wide input is about 256 KiB / (4 w) - 4 rows, so the narrow widths
 * cross many band edges, the wide one a few. */
static void test_sizes(void **state)
{
    static const int widths[] = { 1, 2, 3, 17, 1000, 3000 };
    static const int heights[] = { 1, 2, 3, 4, 5, 8, 16, 17, 18, 21, 22, 23, 33, 60, 75, 77, 200 };
    imgrad_load_options lo;
    imgrad_gradient_options go;
    size_t i, j;
    (void)state;

    defaults(&lo, &go);
    for (i = 0; i < sizeof widths / sizeof *widths; i++)
        for (j = 0; j < sizeof heights / sizeof *heights; j++) {
            unsigned long len;
            unsigned char *jpg = make_jpeg(widths[i], heights[j], (unsigned)(i * 31 + j), &len);
            go.op = IMGRAD_OP_CENTRAL;
            go.edge_order = 1;
            compare(jpg, len, &lo, &go, 0);
            go.edge_order = 2; /* ETOOSMALL below 3 rows or columns */
            compare(jpg, len, &lo, &go, 0);
            go.edge_order = 1;
            go.op = IMGRAD_OP_SOBEL;
            compare(jpg, len, &lo, &go, 0);
            free(jpg);
        }
}

/* Every operator, border, spacing and angle option on one photo-sized
 * JPEG, with 1 and 2 threads; the options it cannot band (Roberts, wrap,
 * sigma, edges) go the two steps and must agree as well. */
static void test_options(void **state)
{
    static const imgrad_operator ops[] = { IMGRAD_OP_CENTRAL, IMGRAD_OP_SOBEL, IMGRAD_OP_SCHARR,
                                           IMGRAD_OP_PREWITT, IMGRAD_OP_ROBERTS };
    static const imgrad_border borders[] = { IMGRAD_BORDER_REFLECT101, IMGRAD_BORDER_REFLECT,
                                             IMGRAD_BORDER_REPLICATE, IMGRAD_BORDER_CONSTANT,
                                             IMGRAD_BORDER_WRAP };
    imgrad_load_options lo;
    imgrad_gradient_options go;
    unsigned long len;
    unsigned char *jpg = make_jpeg(301, 157, 7, &len);
    size_t i, j;
    (void)state;

    for (i = 0; i < sizeof ops / sizeof *ops; i++)
        for (j = 0; j < sizeof borders / sizeof *borders; j++) {
            defaults(&lo, &go);
            go.op = ops[i];
            go.border = borders[j];
            go.border_value = 0.25;
            go.threads = (int)(i + j) % 2 + 1;
            compare(jpg, len, &lo, &go, 0);
        }
    defaults(&lo, &go);
    go.dx = 0.3;
    go.dy = -2;
    go.edge_order = 2;
    go.angle_degrees = 1;
    go.norm_l1 = 1;
    compare(jpg, len, &lo, &go, 0);
    lo.raw_range = 1;
    compare(jpg, len, &lo, &go, 0);
    defaults(&lo, &go);
    go.sigma = 1.5;
    compare(jpg, len, &lo, &go, 0);
    defaults(&lo, &go);
    compare(jpg, len, &lo, &go, 1);
    lo.residual = 1; /* float64 grey: the two steps for central, banded for Sobel */
    compare(jpg, len, &lo, &go, 0);
    go.op = IMGRAD_OP_SOBEL;
    compare(jpg, len, &lo, &go, 0);
    go.op = IMGRAD_OP_CENTRAL;
    lo.residual = 0;
    lo.jpeg_luma = 0; /* stb_image's RGB and the weighted grey */
    compare(jpg, len, &lo, &go, 0);
    defaults(&lo, &go);
    lo.gray = IMGRAD_GRAY_OPENCV;
    compare(jpg, len, &lo, &go, 0);
    free(jpg);
}

/* Files that are not clean JPEGs: cut short (libjpeg warns mid-image, the
 * banded pass stops and stb_image decides), cut in the header, a PNG, a
 * JPEG with an EXIF turn (assets' cat.jpg has none, so a crafted APP1),
 * empty data. */
static void test_other_inputs(void **state)
{
    imgrad_load_options lo;
    imgrad_gradient_options go;
    unsigned long len;
    unsigned char *jpg = make_jpeg(640, 480, 3, &len), *data;
    size_t n;
    (void)state;

    defaults(&lo, &go);
    data = with_orientation(jpg, len, 6, &n);
    compare(data, n, &lo, &go, 0); /* turned: the two steps */
    lo.orient = 0;                 /* not turned: banded, the same as the plain file */
    compare(data, n, &lo, &go, 0);
    lo.orient = 1;
    free(data);
    compare(jpg, len / 2, &lo, &go, 0);
    compare(jpg, len - 2, &lo, &go, 0); /* no EOI: libjpeg warns at the end */
    compare(jpg, 300, &lo, &go, 0);
    compare(jpg, 1, &lo, &go, 0);
    assert_int_equal(imgrad__read_file("assets/formats/cat.png", 1 << 26, &data, &n), IMGRAD_OK);
    compare(data, n, &lo, &go, 0);
    free(data);
    assert_int_equal(imgrad__read_file("assets/formats/cat.jpg", 1 << 26, &data, &n), IMGRAD_OK);
    compare(data, n, &lo, &go, 0);
    lo.max_dimension = 100; /* ETOOLARGE from the header */
    compare(data, n, &lo, &go, 0);
    free(data);
    free(jpg);
}

/* The grey of a level computed (imgrad__levels_row) is the tabulated one
 * (imgrad__u8_levels) for every level, scaled and raw. */
static void test_levels_row(void **state)
{
    unsigned char levels[256];
    float value[256], residual[256], row[256];
    int v, raw;
    (void)state;

    for (v = 0; v < 256; v++)
        levels[v] = (unsigned char)v;
    for (raw = 0; raw <= 1; raw++) {
        imgrad__u8_levels(raw, value, residual);
        imgrad__levels_row(levels, 256, raw, row);
        assert_memory_equal(row, value, sizeof value);
    }
}

/* test_options with every loop held at each instruction set (the banded
 * pass runs the kernel's own builds of its loops). */
static void test_options_each_isa(void **state)
{
    static const char *const isas[] = { "sse2", "avx2", "avx512" };
    size_t i;

    for (i = 0; i < sizeof isas / sizeof *isas; i++) {
        setenv("IMGRAD_ISA", isas[i], 1);
        test_options(state);
    }
    unsetenv("IMGRAD_ISA");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_levels_row),
        cmocka_unit_test(test_sizes),
        cmocka_unit_test(test_options_each_isa),
        cmocka_unit_test(test_other_inputs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
