/* png.c - 8-bit PNG encoding with libdeflate.
 *
 * stb_image_write's PNG writer takes its compression level and filter from
 * process-wide globals (stbi_write_png_compression_level,
 * stbi_write_force_png_filter), so two threads writing with different
 * settings would race, and its built-in deflate is slow (about 14 Mpix/s on
 * a 6 Mpix grey image).  A PNG is a short fixed container around a zlib
 * stream, so imgrad writes it here with every setting a parameter:
 *
 *     signature | IHDR | IDAT (zlib of the filtered rows) | IEND
 *
 * with each chunk's CRC from libdeflate_crc32.  Each row is preceded by its
 * filter byte (PNG spec, section 9): the filtered byte is the raw byte minus
 * a prediction from its left neighbour a, upper neighbour b and upper-left
 * c, modulo 256:
 *
 *     c b       none 0    sub a    up b    average (a + b) / 2
 *     a x       paeth: whichever of a, b, c is nearest a + b - c
 *
 * IMGRAD_PNG_ADAPTIVE picks, per row, the filter whose output has the least
 * sum of |signed byte| (the PNG spec's suggested heuristic). */
#include "io.h"

#include <libdeflate.h>
#include <stdlib.h>
#include <string.h>

/* The largest IDAT chunk written; longer streams are split. */
#define IDAT_MAX ((size_t)1 << 30)
/* Level 1 codes about this many bytes of filtered rows per deflate block
 * and IDAT chunk (at least one row). */
#define FAST_GROUP_BYTES ((size_t)1 << 17)

/* The prediction of filter f for a byte with neighbours a (left), b (up),
 * c (up-left). */
static unsigned predict(int f, unsigned a, unsigned b, unsigned c)
{
    int p, pa, pb, pc;

    switch (f) {
    case IMGRAD_PNG_SUB: return a;
    case IMGRAD_PNG_UP: return b;
    case IMGRAD_PNG_AVERAGE: return (a + b) / 2;
    case IMGRAD_PNG_PAETH:
        p = (int)(a + b) - (int)c;
        pa = abs(p - (int)a);
        pb = abs(p - (int)b);
        pc = abs(p - (int)c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }
    return 0;
}

/* Filters one row of n bytes (bpp bytes per pixel) into out; up is the row
 * above or NULL on the first row. */
static void filter_row(int f, const unsigned char *restrict row,
                       const unsigned char *restrict up, int n, int bpp,
                       unsigned char *restrict out)
{
    int i;

    if (f == IMGRAD_PNG_NONE || (f == IMGRAD_PNG_UP && up == NULL)) {
        memcpy(out, row, (size_t)n);
    } else if (f == IMGRAD_PNG_SUB || (f == IMGRAD_PNG_PAETH && up == NULL)) {
        /* paeth with no row above is sub: b = c = 0 predicts a; the first
         * pixel apart, so that the rest is one vector loop */
        for (i = 0; i < bpp && i < n; i++)
            out[i] = row[i];
#pragma omp simd
        for (i = bpp; i < n; i++)
            out[i] = (unsigned char)(row[i] - row[i - bpp]);
    } else if (f == IMGRAD_PNG_UP) {
#pragma omp simd
        for (i = 0; i < n; i++)
            out[i] = (unsigned char)(row[i] - up[i]);
    } else if (f == IMGRAD_PNG_PAETH) {
        /* up != NULL here: the first pixel apart (a = c = 0), the rest one
         * vector loop (predict's choice, with & for its &&).  In int16_t:
         * every difference fits (|a + b - 2c|, the sum of the other two, is
         * at most 510), and GCC then packs 8 lanes a vector where int gave it
         * 4 (checked equal to predict for all 2^24 a, b, c) */
        for (i = 0; i < bpp && i < n; i++)
            out[i] = (unsigned char)(row[i] - predict(f, 0, up[i], 0));
#pragma omp simd
        for (i = bpp; i < n; i++) {
            const int16_t a = row[i - bpp], b = up[i], c = up[i - bpp];
            const int16_t da = (int16_t)(b - c), db = (int16_t)(a - c);
            const int16_t dc = (int16_t)(da + db);
            const int16_t pa = da < 0 ? (int16_t)-da : da, pb = db < 0 ? (int16_t)-db : db;
            const int16_t pc = dc < 0 ? (int16_t)-dc : dc;
            out[i] = (unsigned char)(row[i] - (((pa <= pb) & (pa <= pc)) ? a : pb <= pc ? b : c));
        }
    } else {
        for (i = 0; i < n; i++) {
            unsigned a = i >= bpp ? row[i - bpp] : 0, b = up ? up[i] : 0;
            unsigned c = i >= bpp && up ? up[i - bpp] : 0;
            out[i] = (unsigned char)(row[i] - predict(f, a, b, c));
        }
    }
}

/* The adaptive heuristic's cost of a filtered row: the sum of |signed byte|. */
static unsigned long row_cost(const unsigned char *out, int n)
{
    unsigned long cost = 0;
    int i;

    for (i = 0; i < n; i++)
        cost += (unsigned long)abs((signed char)out[i]);
    return cost;
}

/* One row with its filter byte into out (n + 1 bytes); adaptive tries all
 * five into scratch (n bytes) and keeps the cheapest. */
static void encode_row(int f, const unsigned char *row, const unsigned char *up, int n,
                       int bpp, unsigned char *out, unsigned char *scratch)
{
    unsigned long best, cost;
    int k;

    if (f != IMGRAD_PNG_ADAPTIVE) {
        out[0] = (unsigned char)f;
        filter_row(f, row, up, n, bpp, out + 1);
        return;
    }
    out[0] = IMGRAD_PNG_NONE;
    filter_row(IMGRAD_PNG_NONE, row, up, n, bpp, out + 1);
    best = row_cost(out + 1, n);
    for (k = IMGRAD_PNG_SUB; k <= IMGRAD_PNG_PAETH; k++) {
        filter_row(k, row, up, n, bpp, scratch);
        cost = row_cost(scratch, n);
        if (cost < best) {
            best = cost;
            out[0] = (unsigned char)k;
            memcpy(out + 1, scratch, (size_t)n);
        }
    }
}

static void put_u32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

/* Writes one chunk: length, type, data, CRC of type and data. */
static int put_chunk(FILE *fp, const char type[4], const unsigned char *data, size_t len)
{
    unsigned char head[8], tail[4];
    uint32_t crc = libdeflate_crc32(0, type, 4);

    put_u32(head, (uint32_t)len);
    memcpy(head + 4, type, 4);
    if (len > 0) /* libdeflate_crc32 with a NULL buffer starts over */
        crc = libdeflate_crc32(crc, data, len);
    put_u32(tail, crc);
    /* fwrite's buffer must not be NULL even for 0 bytes (IEND has none) */
    return fwrite(head, 1, 8, fp) == 8 && (len == 0 || fwrite(data, 1, len, fp) == len)
           && fwrite(tail, 1, 4, fp) == 4;
}

/* The filtered rows, each with its filter byte: height * (width * ch + 1). */
static unsigned char *filter_image(const imgrad__rows8 *rows, int w, int h, int ch, int f,
                                   size_t *len)
{
    const size_t n = (size_t)w * (size_t)ch;
    unsigned char *out = malloc((n + 1) * (size_t)h), *scratch = malloc(n);
    const unsigned char *row, *up = NULL;
    int y;

    if (out == NULL || scratch == NULL) {
        free(out);
        free(scratch);
        return NULL;
    }
    for (y = 0; y < h; y++, up = row) {
        row = rows->row(rows->ctx, y);
        encode_row(f, row, up, (int)n, ch, out + (n + 1) * (size_t)y, scratch);
    }
    free(scratch);
    *len = (n + 1) * (size_t)h;
    return out;
}

/* IDAT at levels 0 and 2..9: the whole filtered image through libdeflate. */
static imgrad_status idat_libdeflate(FILE *fp, const imgrad__rows8 *rows, int width,
                                     int height, int channels, int level, int filter)
{
    unsigned char *filtered, *zlib = NULL;
    struct libdeflate_compressor *z;
    size_t raw_len, bound, zlen = 0, done, part;
    int ok = 1;

    if ((filtered = filter_image(rows, width, height, channels, filter, &raw_len)) == NULL)
        return IMGRAD_ENOMEM;
    z = libdeflate_alloc_compressor(level);
    bound = z != NULL ? libdeflate_zlib_compress_bound(z, raw_len) : 0;
    if (z != NULL && (zlib = malloc(bound)) != NULL)
        zlen = libdeflate_zlib_compress(z, filtered, raw_len, zlib, bound);
    libdeflate_free_compressor(z);
    free(filtered);
    if (zlen == 0) { /* cannot happen with the bound, except out of memory */
        free(zlib);
        return IMGRAD_ENOMEM;
    }
    for (done = 0; ok && done < zlen; done += part) { /* a chunk holds < 2^31 bytes */
        part = zlen - done < IDAT_MAX ? zlen - done : IDAT_MAX;
        ok = put_chunk(fp, "IDAT", zlib + done, part);
    }
    free(zlib);
    return ok ? IMGRAD_OK : IMGRAD_EIO;
}

/* A group of rows filtered into `rows`, coded and written as an IDAT chunk
 * of its own at level 1, so that nothing image-sized is allocated and each
 * group is coded while it is in cache. */
typedef struct fast_state {
    unsigned char *rows, *scratch, *out;
    const unsigned char *up; /* the row before the group's first, or NULL */
    void *runs;
    imgrad__bits bits;
    uint32_t adler;
} fast_state;

/* Filters, codes and writes rows y0 .. y0 + count - 1.  0 on a write error. */
static int fast_group(FILE *fp, fast_state *s, const imgrad__rows8 *px, int w, int h,
                      int ch, int f, int y0, int count)
{
    const size_t n = (size_t)w * (size_t)ch, len = (n + 1) * (size_t)count;
    const int final = y0 + count == h;
    const unsigned char *row;
    int y;

    for (y = y0; y < y0 + count; y++, s->up = row) {
        row = px->row(px->ctx, y);
        encode_row(f, row, s->up, (int)n, ch, s->rows + (n + 1) * (size_t)(y - y0),
                   s->scratch);
    }
    s->adler = libdeflate_adler32(s->adler, s->rows, len);
    imgrad__rle_block(&s->bits, s->rows, len, final, s->runs);
    if (final) { /* the zlib trailer: Adler-32 of the data, big-endian */
        imgrad__bits_align(&s->bits);
        imgrad__bits_put(&s->bits, s->adler >> 24, 8);
        imgrad__bits_put(&s->bits, (s->adler >> 16) & 0xff, 8);
        imgrad__bits_put(&s->bits, (s->adler >> 8) & 0xff, 8);
        imgrad__bits_put(&s->bits, s->adler & 0xff, 8);
    }
    /* the whole bytes go out; a partial byte stays in the accumulator */
    if (!put_chunk(fp, "IDAT", s->out, s->bits.pos))
        return 0;
    s->bits.pos = 0;
    return 1;
}

static imgrad_status idat_fast(FILE *fp, const imgrad__rows8 *px, int w, int h, int ch,
                               int f)
{
    const size_t n = (size_t)w * (size_t)ch;
    const int group = n + 1 >= FAST_GROUP_BYTES ? 1 : (int)(FAST_GROUP_BYTES / (n + 1));
    const size_t cap = (n + 1) * (size_t)group;
    fast_state s;
    int y0, ok = 1;

    s.rows = malloc(cap);
    s.scratch = malloc(n);
    s.out = malloc(imgrad__rle_block_bound(cap) + 16); /* + the zlib header, trailer */
    s.runs = malloc(imgrad__rle_scratch_bytes(cap));
    if (s.rows != NULL && s.scratch != NULL && s.out != NULL && s.runs != NULL) {
        s.bits.out = s.out;
        s.bits.pos = 0;
        s.bits.acc = 0;
        s.bits.count = 0;
        s.adler = 1;
        s.up = NULL;
        /* zlib header: deflate with a 32 KiB window, "fastest"; 0x7801 % 31 == 0 */
        imgrad__bits_put(&s.bits, 0x78, 8);
        imgrad__bits_put(&s.bits, 0x01, 8);
        for (y0 = 0; ok && y0 < h; y0 += group)
            ok = fast_group(fp, &s, px, w, h, ch, f, y0, h - y0 < group ? h - y0 : group);
    }
    free(s.rows);
    free(s.scratch);
    free(s.out);
    free(s.runs);
    if (s.rows == NULL || s.scratch == NULL || s.out == NULL || s.runs == NULL)
        return IMGRAD_ENOMEM;
    return ok ? IMGRAD_OK : IMGRAD_EIO;
}

imgrad_status imgrad__png_encode_rows(FILE *fp, const imgrad__rows8 *rows, int width,
                                      int height, int channels, int level, int filter)
{
    static const unsigned char signature[8] = { 137, 'P', 'N', 'G', '\r', '\n', 26, '\n' };
    unsigned char ihdr[13];
    imgrad_status st;

    put_u32(ihdr, (uint32_t)width);
    put_u32(ihdr + 4, (uint32_t)height);
    ihdr[8] = 8;                         /* bit depth */
    ihdr[9] = channels == 1 ? 0 : 2;     /* colour type: grey or RGB */
    ihdr[10] = ihdr[11] = ihdr[12] = 0;  /* deflate, adaptive filtering, no interlace */
    if (fwrite(signature, 1, 8, fp) != 8 || !put_chunk(fp, "IHDR", ihdr, 13))
        return IMGRAD_EIO;
    st = level == 1 ? idat_fast(fp, rows, width, height, channels, filter)
                    : idat_libdeflate(fp, rows, width, height, channels, level, filter);
    if (st == IMGRAD_OK && !put_chunk(fp, "IEND", NULL, 0))
        st = IMGRAD_EIO;
    return st;
}

/* Rows of packed pixels in memory. */
typedef struct packed {
    const unsigned char *px;
    size_t row_bytes;
} packed;

static const unsigned char *packed_row(void *ctx, int y)
{
    const packed *p = ctx;
    return p->px + p->row_bytes * (size_t)y;
}

imgrad_status imgrad__png_encode(FILE *fp, const unsigned char *pixels, int width,
                                 int height, int channels, int level, int filter)
{
    packed p = { pixels, (size_t)width * (size_t)channels };
    const imgrad__rows8 rows = { packed_row, &p };

    return imgrad__png_encode_rows(fp, &rows, width, height, channels, level, filter);
}
