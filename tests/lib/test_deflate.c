/* test_deflate.c - the run + Huffman deflate coder (deflate.c) and the PNG
 * level 1 that uses it.  Streams are decoded by independent decoders:
 * libdeflate's decompressor for raw blocks, stb_image (through
 * imgrad_load_gray_memory) for whole PNGs; both must give back every byte. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <libdeflate.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/io.h"

/* A small deterministic generator, so that failures repeat. */
static uint32_t next_random(uint32_t *s)
{
    *s = *s * 1664525u + 1013904223u;
    return *s >> 8;
}

/* Codes data[0..n) as blocks of at most `block` bytes, decodes the raw
 * deflate stream with libdeflate and compares.  Returns the coded size. */
static size_t block_round_trip(const unsigned char *data, size_t n, size_t block)
{
    size_t cap, done = 0, part, got = 0, coded;
    unsigned char *out, *back = malloc(n + 1);
    void *scratch = malloc(imgrad__rle_scratch_bytes(block));
    struct libdeflate_decompressor *d = libdeflate_alloc_decompressor();
    imgrad__bits b = { NULL, 0, 0, 0 };

    cap = (n / block + 1) * imgrad__rle_block_bound(block);
    out = malloc(cap);
    assert_non_null(out);
    assert_non_null(back);
    assert_non_null(d);
    b.out = out;
    do {
        part = n - done < block ? n - done : block;
        imgrad__rle_block(&b, data + done, part, done + part == n, scratch);
        done += part;
    } while (done < n);
    imgrad__bits_align(&b);
    coded = b.pos;
    assert_int_equal(libdeflate_deflate_decompress(d, out, coded, back, n + 1, &got),
                     LIBDEFLATE_SUCCESS);
    assert_int_equal(got, n);
    assert_memory_equal(back, data, n);
    libdeflate_free_decompressor(d);
    free(out);
    free(back);
    free(scratch);
    return coded;
}

static void test_blocks_of_every_kind(void **state)
{
    const size_t n = 300000;
    unsigned char *p = malloc(n);
    uint32_t s = 1;
    size_t i, k, coded;
    (void)state;
    assert_non_null(p);
    /* random bytes: incompressible, so stored blocks (more than 65535 bytes) */
    for (i = 0; i < n; i++)
        p[i] = (unsigned char)next_random(&s);
    coded = block_round_trip(p, n, 100000);
    assert_true(coded >= n && coded < n + 100);
    /* one value: a literal, then runs of 258 */
    memset(p, 7, n);
    coded = block_round_trip(p, n, n);
    assert_true(coded < n / 100);
    /* runs of every length 1..600 between random bytes */
    for (i = 0, k = 1; i < n; k = k % 600 + 1) {
        const unsigned char v = (unsigned char)next_random(&s);
        size_t j;
        for (j = 0; j < k && i < n; j++)
            p[i++] = v;
    }
    block_round_trip(p, n, 131072);
    block_round_trip(p, n, 1000);
    /* few distinct values, skewed: long and short codes */
    for (i = 0; i < n; i++) {
        uint32_t r = next_random(&s) % 1000;
        p[i] = (unsigned char)(r < 900 ? r % 3 : r < 990 ? r % 40 : r % 256);
    }
    coded = block_round_trip(p, n, 131072);
    assert_true(coded < n / 2);
    /* tiny blocks: one byte, two, an empty final block */
    block_round_trip(p, 1, 1);
    block_round_trip(p, 2, 1);
    block_round_trip(p, 0, 1);
    free(p);
}

/* A test image of kind k: 0 random, 1 flat, 2 gradient, 3 noisy gradient,
 * 4 flat areas with random edges (runs of many lengths). */
static void fill(unsigned char *px, int w, int h, int ch, int k)
{
    uint32_t s = (uint32_t)(k + 11);
    int x, y, c;

    for (y = 0; y < h; y++)
        for (x = 0; x < w; x++)
            for (c = 0; c < ch; c++) {
                unsigned char *v = &px[((size_t)y * (size_t)w + (size_t)x) * (size_t)ch + c];
                const int ramp = x + 2 * y + 50 * c;
                switch (k) {
                case 0: *v = (unsigned char)next_random(&s); break;
                case 1: *v = 200; break;
                case 2: *v = (unsigned char)ramp; break;
                case 3: *v = (unsigned char)(ramp + (int)(next_random(&s) % 9)); break;
                default: *v = (unsigned char)((x / (3 + y % 7) + y / 5) * 37 + c); break;
                }
            }
}

/* px as a PNG at level in memory (malloc'ed), its size in *len. */
static unsigned char *png_bytes(const unsigned char *px, int w, int h, int ch, int level,
                                int filter, size_t *len)
{
    char *buf = NULL;
    FILE *fp = open_memstream(&buf, len);

    assert_non_null(fp);
    assert_int_equal(imgrad__png_encode(fp, px, w, h, ch, level, filter), IMGRAD_OK);
    assert_int_equal(fclose(fp), 0);
    return (unsigned char *)buf;
}

/* stb's grey of a PNG of px must equal stb's grey of a level-6 PNG of the
 * same pixels (libdeflate's stream), and for one channel the pixels / 255. */
static void png_round_trip(const unsigned char *px, int w, int h, int ch, int filter)
{
    size_t len1, len6, i;
    unsigned char *png1 = png_bytes(px, w, h, ch, 1, filter, &len1);
    unsigned char *png6 = png_bytes(px, w, h, ch, 6, filter, &len6);
    imgrad_grid g1, g6;

    assert_int_equal(imgrad_load_gray_memory(png1, len1, NULL, &g1, NULL), IMGRAD_OK);
    assert_int_equal(imgrad_load_gray_memory(png6, len6, NULL, &g6, NULL), IMGRAD_OK);
    assert_int_equal(g1.width, w);
    assert_int_equal(g1.height, h);
    for (i = 0; i < (size_t)w * (size_t)h; i++) {
        if (g1.data[i] != g6.data[i])
            fail_msg("%dx%dx%d filter %d pixel %zu: %g != %g", w, h, ch, filter, i,
                     g1.data[i], g6.data[i]);
        if (ch == 1 && g1.data[i] != (float)(px[i] / 255.0))
            fail_msg("%dx%d filter %d pixel %zu: %g, want %d", w, h, filter, i,
                     g1.data[i] * 255, px[i]);
    }
    imgrad_grid_free(&g1);
    imgrad_grid_free(&g6);
    free(png1);
    free(png6);
}

static void test_png_level1_round_trips(void **state)
{
    /* odd sizes; 701 x 433 spans several 128 KiB groups, 45000 x 3 RGB
     * rows are longer than a group */
    static const int sizes[][3] = {
        { 1, 1, 1 }, { 3, 2, 3 }, { 61, 37, 1 }, { 701, 433, 1 }, { 257, 129, 3 },
        { 45000, 3, 3 },
    };
    unsigned char *px;
    size_t s;
    int k, f;
    (void)state;
    for (s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        const int w = sizes[s][0], h = sizes[s][1], ch = sizes[s][2];
        px = malloc((size_t)w * (size_t)h * (size_t)ch);
        assert_non_null(px);
        for (k = 0; k < 5; k++) {
            fill(px, w, h, ch, k);
            for (f = IMGRAD_PNG_ADAPTIVE; f <= IMGRAD_PNG_PAETH; f++)
                png_round_trip(px, w, h, ch, f);
        }
        free(px);
    }
}

/* Level 1 compresses what is compressible and stays near the raw size on
 * noise. */
static void test_png_level1_sizes(void **state)
{
    enum { W = 701, H = 433 };
    unsigned char *px = malloc(W * H);
    size_t len;
    unsigned char *png;
    (void)state;
    assert_non_null(px);
    fill(px, W, H, 1, 1);
    png = png_bytes(px, W, H, 1, 1, IMGRAD_PNG_NONE, &len);
    assert_true(len < 2000);
    free(png);
    fill(px, W, H, 1, 0);
    png = png_bytes(px, W, H, 1, 1, IMGRAD_PNG_NONE, &len);
    assert_true(len > (size_t)W * H && len < (size_t)(W + 1) * H + 1000);
    free(png);
    free(px);
}

/* The exact bytes of level 1, pinned: CRC-32s of PNGs of the five fill()
 * kinds (gray 701 x 433, three groups, with filters sub, up and paeth; RGB
 * 257 x 129 adaptive; RGB rows longer than a group) as the coder of commit
 * e1cc2eb wrote them.  deflate.c is
 * tuned for speed; a change there must not move a block boundary or a
 * Huffman code, which a round trip alone would not notice.  A deliberate
 * change of format updates these numbers in its own commit. */
static void test_png_level1_bytes_pinned(void **state)
{
    static const struct {
        int w, h, ch, filter;
    } cases[] = {
        { 701, 433, 1, IMGRAD_PNG_SUB }, { 701, 433, 1, IMGRAD_PNG_UP },
        { 701, 433, 1, IMGRAD_PNG_PAETH }, { 257, 129, 3, IMGRAD_PNG_ADAPTIVE },
        { 45000, 3, 3, IMGRAD_PNG_SUB },
    };
    static const uint32_t want[5][5] = {
        { 0xfe44d650, 0x2c14eefe, 0x76b430b6, 0x57e30f05, 0xa3df06c2 },
        { 0xcf28fbda, 0xec0e5609, 0x94675d22, 0xac1f60c3, 0x0caccb27 },
        { 0x3238eb7f, 0x4510594b, 0x2929439c, 0x6df760f7, 0xedab1766 },
        { 0x7437b591, 0xad38f94d, 0x39eb8b6a, 0x385c2bbf, 0x4169cbdf },
        { 0xd1196f5a, 0xa1efdd31, 0x92faee21, 0x635d41d6, 0x40bcecf0 },
    };
    unsigned char *px = malloc(45000 * 3 * 3), *png; /* the largest case */
    size_t c, len;
    int k;
    (void)state;
    assert_non_null(px);
    for (c = 0; c < sizeof cases / sizeof cases[0]; c++)
        for (k = 0; k < 5; k++) {
            fill(px, cases[c].w, cases[c].h, cases[c].ch, k);
            png = png_bytes(px, cases[c].w, cases[c].h, cases[c].ch, 1, cases[c].filter, &len);
            if (libdeflate_crc32(0, png, len) != want[c][k])
                fail_msg("case %zu kind %d: CRC-32 0x%08x, want 0x%08x", c, k,
                         (unsigned)libdeflate_crc32(0, png, len), (unsigned)want[c][k]);
            free(png);
        }
    free(px);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_blocks_of_every_kind),
        cmocka_unit_test(test_png_level1_round_trips),
        cmocka_unit_test(test_png_level1_sizes),
        cmocka_unit_test(test_png_level1_bytes_pinned),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
