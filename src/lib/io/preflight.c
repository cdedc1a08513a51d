/* preflight.c - structural checks of an image file before stb_image decodes
 * it.
 *
 * stb_image (v2.27, Debian's libstb-dev) reads past the end of its data as
 * zero bytes, so a PNG without its end, or a GIF, BMP, PNM or TGA cut short,
 * decodes "successfully" with the missing rows made up.  Some malformed
 * headers do worse (all fixed in stb 2.28): a JPEG Huffman table of more
 * than 256 codes overruns an array, a PNM size of ten digits overflows an
 * int.  And a progressive JPEG of thousands of scans keeps any decoder busy
 * for minutes (see MAX_JPEG_SCANS).  These checks walk each container (PNG
 * chunks, JPEG markers, GIF blocks, the pixel bytes a BMP, PNM or TGA header
 * promises) without decoding a pixel, and refuse such files with
 * IMGRAD_EDECODE.  Each loop advances by at least one byte per step, so the
 * walk is linear in the file size.
 *
 * Which format a file is, stb_image's own tests say (io_stb.c asks them),
 * so that the check always matches the decoder that will run. */
#include "io.h"

#include <string.h>

/* A progressive JPEG may split its data into many scans, and each scan costs
 * a pass over the whole image: a small file of thousands of scans keeps a
 * decoder busy for minutes.  Real files have about ten; libjpeg-turbo's
 * djpeg has -maxscans for the same reason.  imgrad stops at 500. */
#define MAX_JPEG_SCANS 500

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static unsigned be16(const unsigned char *p)
{
    return (unsigned)p[0] << 8 | p[1];
}

static unsigned le16(const unsigned char *p)
{
    return (unsigned)p[1] << 8 | p[0];
}

static uint32_t le32(const unsigned char *p)
{
    return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

/* PNG: chunks of length, type, data, CRC, up to and including IEND. */
static imgrad_status check_png(const unsigned char *d, size_t len)
{
    size_t pos = 8;

    while (len - pos >= 12) {
        uint32_t n = be32(d + pos);
        if (n > len - pos - 12)
            return IMGRAD_EDECODE; /* a chunk cut short */
        if (memcmp(d + pos + 4, "IEND", 4) == 0)
            return IMGRAD_OK;
        pos += 12 + (size_t)n;
    }
    return IMGRAD_EDECODE; /* no IEND */
}

/* What a JPEG has defined so far: stb_image 2.27 decodes with whatever a
 * table slot holds, so a scan that names a Huffman or quantisation table
 * the file never defined reads uninitialised memory.  (Bit i of a mask is
 * table i, 0..3.) */
typedef struct jpeg_state {
    unsigned dc, ac, quant; /* tables defined */
    int progressive;        /* SOF2 */
    int scans;              /* SOS markers so far */
    int ncomp;              /* components in the frame, 0 before SOF */
    unsigned char id[4];    /* component ids */
    unsigned char tq[4];    /* their quantisation tables */
} jpeg_state;

/* DHT body: tables of class/slot, 16 code counts, symbols.  More than 256
 * codes is corrupt (and overruns stb 2.27). */
static imgrad_status jpeg_dht(const unsigned char *p, size_t n, jpeg_state *js)
{
    while (n > 0) {
        size_t codes = 0;
        int i;
        if (n < 17 || p[0] >> 4 > 1 || (p[0] & 15) > 3)
            return IMGRAD_EDECODE;
        for (i = 1; i <= 16; i++)
            codes += p[i];
        if (codes > 256 || codes > n - 17)
            return IMGRAD_EDECODE;
        *(p[0] >> 4 ? &js->ac : &js->dc) |= 1u << (p[0] & 15);
        p += 17 + codes;
        n -= 17 + codes;
    }
    return IMGRAD_OK;
}

/* DQT body: tables of precision/slot and 64 values of 1 or 2 bytes. */
static imgrad_status jpeg_dqt(const unsigned char *p, size_t n, jpeg_state *js)
{
    while (n > 0) {
        size_t size = p[0] >> 4 ? 129 : 65;
        if (p[0] >> 4 > 1 || (p[0] & 15) > 3 || n < size)
            return IMGRAD_EDECODE;
        js->quant |= 1u << (p[0] & 15);
        p += size;
        n -= size;
    }
    return IMGRAD_OK;
}

/* SOF body: precision, height, width, components of id, sampling, table. */
static imgrad_status jpeg_sof(const unsigned char *p, size_t n, int marker, jpeg_state *js)
{
    int i;

    if (js->ncomp != 0 || n < 6 || p[5] < 1 || p[5] > 4 || n < 6 + 3 * (size_t)p[5])
        return IMGRAD_EDECODE;
    js->ncomp = p[5];
    js->progressive = marker == 0xC2;
    for (i = 0; i < js->ncomp; i++) {
        js->id[i] = p[6 + 3 * i];
        js->tq[i] = p[8 + 3 * i] & 15;
    }
    return IMGRAD_OK;
}

/* SOS body: components with their DC/AC tables, then the spectral range
 * and approximation bits.  Each table the scan decodes with must exist. */
static imgrad_status jpeg_sos(const unsigned char *p, size_t n, jpeg_state *js)
{
    size_t ns = n > 0 ? p[0] : 0;
    size_t i;

    if (js->ncomp == 0 || ns == 0 || n < 1 + 2 * ns + 3 || js->scans >= MAX_JPEG_SCANS)
        return IMGRAD_EDECODE;
    for (i = 0; i < ns; i++) {
        const unsigned char *c = p + 1 + 2 * i;
        unsigned ss = p[1 + 2 * ns], ah = p[3 + 2 * ns] >> 4;
        int k = 0, uses_dc, uses_ac;
        while (k < js->ncomp && js->id[k] != c[0])
            k++;
        if (k == js->ncomp || !(js->quant >> js->tq[k] & 1) || c[1] >> 4 > 3 || (c[1] & 15) > 3)
            return IMGRAD_EDECODE;
        /* baseline: both; progressive: a first DC scan, or any AC scan */
        uses_dc = !js->progressive || (ss == 0 && ah == 0);
        uses_ac = !js->progressive || ss > 0;
        if ((uses_dc && !(js->dc >> (c[1] >> 4) & 1)) || (uses_ac && !(js->ac >> (c[1] & 15) & 1)))
            return IMGRAD_EDECODE;
    }
    js->scans++;
    return IMGRAD_OK;
}

/* One marker segment's body (n bytes at p) into js. */
static imgrad_status jpeg_segment(int m, const unsigned char *p, size_t n, jpeg_state *js)
{
    switch (m) {
    case 0xC4: return jpeg_dht(p, n, js);
    case 0xDB: return jpeg_dqt(p, n, js);
    case 0xC0: case 0xC1: case 0xC2: return jpeg_sof(p, n, m, js);
    case 0xDA: return jpeg_sos(p, n, js);
    }
    return IMGRAD_OK;
}

/* The position of the marker that ends entropy-coded data starting at pos:
 * FF 00 is a stuffed byte and FF D0..D7 a restart, both part of the data;
 * len if the data runs to the end of the file. */
static size_t skip_entropy(const unsigned char *d, size_t len, size_t pos)
{
    while (pos + 1 < len) {
        /* memchr finds the next FF many bytes at a time: a byte-by-byte
         * walk over a photo's megabytes of data cost 1.6 ms */
        const unsigned char *ff = memchr(d + pos, 0xFF, len - 1 - pos);
        if (ff == NULL)
            return len;
        pos = (size_t)(ff - d);
        if (d[pos + 1] == 0x00 || (d[pos + 1] >= 0xD0 && d[pos + 1] <= 0xD7))
            pos += 2;
        else if (d[pos + 1] != 0xFF) /* FF FF: fill before a marker */
            return pos;
        else
            pos++;
    }
    return len;
}

/* JPEG: markers from SOI to EOI; segment lengths must fit, tables must be
 * valid and defined before a scan uses them, and EOI must be reached (else
 * the file was cut short).  Stray bytes between segments are skipped, as
 * stb_image skips them. */
static imgrad_status check_jpeg(const unsigned char *d, size_t len)
{
    jpeg_state js;
    size_t pos = 0;

    memset(&js, 0, sizeof js);
    while (pos < len && d[pos] == 0xFF) /* stb takes fill bytes before SOI */
        pos++;
    if (pos == 0 || pos >= len || d[pos++] != 0xD8)
        return IMGRAD_EDECODE;
    for (;;) {
        unsigned m;
        size_t seg;
        while (pos < len && d[pos] != 0xFF)
            pos++;
        while (pos < len && d[pos] == 0xFF)
            pos++;
        if (pos >= len)
            return IMGRAD_EDECODE;
        m = d[pos++];
        if (m == 0xD9) /* EOI */
            return IMGRAD_OK;
        if (m == 0xD8 || m == 0x01 || (m >= 0xD0 && m <= 0xD7))
            continue; /* markers without a length */
        if (len - pos < 2 || (seg = be16(d + pos)) < 2 || seg > len - pos
            || jpeg_segment((int)m, d + pos + 2, seg - 2, &js) != IMGRAD_OK)
            return IMGRAD_EDECODE;
        pos += seg;
        if (m == 0xDA) /* SOS: the scan's data follows */
            pos = skip_entropy(d, len, pos);
    }
}

/* Nonzero when n rows of row_bytes, after offset, fit in len bytes. */
static int rows_fit(uint64_t offset, uint64_t row_bytes, uint64_t n, size_t len)
{
    if (offset > len)
        return 0;
    return row_bytes == 0 || n <= ((uint64_t)len - offset) / row_bytes;
}

/* BMP: uncompressed or bit-field pixels need offset + padded rows bytes. */
static imgrad_status check_bmp(const unsigned char *d, size_t len)
{
    uint32_t offset, header;
    int64_t w, h;
    unsigned bpp;
    uint32_t compression = 0;

    if (len < 26)
        return IMGRAD_EDECODE;
    offset = le32(d + 10);
    header = le32(d + 14);
    if (header == 12) { /* OS/2: 16-bit sizes */
        w = le16(d + 18);
        h = le16(d + 20);
        bpp = le16(d + 24);
    } else {
        if (len < 34)
            return IMGRAD_EDECODE;
        w = (int32_t)le32(d + 18);
        h = (int32_t)le32(d + 22); /* negative: rows stored top-down */
        bpp = le16(d + 28);
        compression = le32(d + 30);
    }
    if (compression != 0 && compression != 3)
        return IMGRAD_OK; /* stb refuses RLE itself */
    if (w <= 0 || h == 0 || h == INT32_MIN)
        return IMGRAD_EDECODE;
    if (h < 0)
        h = -h;
    /* rows padded to 4 bytes */
    if (!rows_fit(offset, ((uint64_t)w * bpp + 31) / 32 * 4, (uint64_t)h, len))
        return IMGRAD_EDECODE;
    return IMGRAD_OK;
}

/* TGA: the pixels after the header, id and colour map, raw or run-length
 * packets, must cover width x height. */
static imgrad_status check_tga(const unsigned char *d, size_t len)
{
    uint64_t pos, pixels, done = 0, px;
    unsigned type;

    if (len < 18)
        return IMGRAD_EDECODE;
    type = d[2];
    px = ((uint64_t)d[16] + 7) / 8;
    pixels = (uint64_t)le16(d + 12) * le16(d + 14);
    pos = 18 + (uint64_t)d[0] + (d[1] ? (uint64_t)le16(d + 5) * ((d[7] + 7u) / 8) : 0);
    if (pos > len)
        return IMGRAD_EDECODE;
    if (type < 8)
        return rows_fit(pos, px, pixels, len) ? IMGRAD_OK : IMGRAD_EDECODE;
    while (done < pixels) { /* RLE: a count byte, then one pixel or count pixels */
        uint64_t count, bytes;
        if (pos >= len)
            return IMGRAD_EDECODE;
        count = (d[pos] & 0x7Fu) + 1;
        bytes = d[pos] & 0x80 ? px : count * px;
        pos++;
        if (bytes > len - pos)
            return IMGRAD_EDECODE;
        pos += bytes;
        done += count;
    }
    return IMGRAD_OK;
}

/* GIF sub-blocks from pos: size byte, that many bytes, until a size of 0.
 * The position after the terminator, or 0 if the data ends first. */
static size_t skip_sub_blocks(const unsigned char *d, size_t len, size_t pos)
{
    while (pos < len) {
        size_t n = d[pos++];
        if (n == 0)
            return pos;
        if (n > len - pos)
            return 0;
        pos += n;
    }
    return 0;
}

/* GIF: header, screen descriptor and colour table, then extensions and
 * images (descriptor, local colour table, LZW data) up to the trailer. */
static imgrad_status check_gif(const unsigned char *d, size_t len)
{
    size_t pos = 13;

    if (len < 13)
        return IMGRAD_EDECODE;
    if (d[10] & 0x80) /* global colour table of 2^(n+1) RGB entries */
        pos += 3 * ((size_t)2 << (d[10] & 7));
    while (pos < len) {
        unsigned char b = d[pos++];
        if (b == 0x3B) /* trailer */
            return IMGRAD_OK;
        if (b == 0x21) { /* extension: a label, then sub-blocks */
            pos = pos < len ? skip_sub_blocks(d, len, pos + 1) : 0;
        } else if (b == 0x2C && len - pos >= 10) { /* image: 9 bytes, table, code size */
            size_t table = d[pos + 8] & 0x80 ? 3 * ((size_t)2 << (d[pos + 8] & 7)) : 0;
            pos += 9 + table + 1;
            pos = pos <= len ? skip_sub_blocks(d, len, pos) : 0;
        } else {
            return IMGRAD_EDECODE;
        }
        if (pos == 0)
            return IMGRAD_EDECODE;
    }
    return IMGRAD_EDECODE; /* no trailer */
}

/* The next decimal field of a PNM header at *pos, skipping white space and
 * '#' comments; -1 if there is none. */
static long pnm_field(const unsigned char *d, size_t len, size_t *pos)
{
    long v = 0;
    int digits = 0;

    while (*pos < len && (d[*pos] == '#' || strchr(" \t\r\n\v\f", d[*pos]) != NULL)) {
        if (d[*pos] == '#')
            while (*pos < len && d[*pos] != '\n' && d[*pos] != '\r')
                ++*pos;
        else
            ++*pos;
    }
    for (; *pos < len && d[*pos] >= '0' && d[*pos] <= '9'; ++*pos, digits++)
        if (digits < 9)
            v = v * 10 + (d[*pos] - '0');
    /* more than 9 digits overflows stb 2.27's int parser: refuse it here */
    return digits > 0 && digits <= 9 ? v : -1;
}

/* Binary PNM (P5 grey, P6 RGB): width, height, maxval, one white-space
 * byte, then the samples (two bytes each above maxval 255). */
static imgrad_status check_pnm(const unsigned char *d, size_t len)
{
    size_t pos = 2;
    long w = pnm_field(d, len, &pos), h = pnm_field(d, len, &pos);
    long maxval = pnm_field(d, len, &pos);
    uint64_t sample = maxval > 255 ? 2 : 1, channels = d[1] == '6' ? 3 : 1;

    if (w <= 0 || h <= 0 || maxval <= 0 || pos >= len)
        return IMGRAD_EDECODE;
    return rows_fit(pos + 1, (uint64_t)w * channels * sample, (uint64_t)h, len)
               ? IMGRAD_OK : IMGRAD_EDECODE;
}

imgrad_status imgrad__preflight(imgrad__container kind, const unsigned char *d, size_t len)
{
    switch (kind) {
    case IMGRAD__PNG:  return check_png(d, len);
    case IMGRAD__JPEG: return check_jpeg(d, len);
    case IMGRAD__GIF:  return check_gif(d, len);
    case IMGRAD__BMP:  return check_bmp(d, len);
    case IMGRAD__PNM:  return check_pnm(d, len);
    case IMGRAD__TGA:  return check_tga(d, len);
    case IMGRAD__UNCHECKED: break;
    }
    return IMGRAD_OK;
}
