/* describe.c - what a file holds, as far as its first bytes tell, for the
 * message that explains a refusal: "unsupported content" alone does not say
 * whether the .npy was complex or 3-D, or the BMP run-length coded. */
#include "io.h"

#include <stdarg.h>
#include <string.h>

/* snprintf into text that never fails: the length it wanted, 0 for cap 0. */
static size_t say(char *text, size_t cap, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = cap > 0 ? vsnprintf(text, cap, fmt, ap) : 0;
    va_end(ap);
    return n > 0 ? (size_t)n : 0;
}

/* The value of 'key': in a .npy header's dict, up to the next ", '" or
 * "}" at the same bracket depth, into out (cap bytes); "" if absent. */
static void npy_field(const char *dict, size_t len, const char *key, char *out, size_t cap)
{
    const char *p = NULL, *end = dict + len;
    size_t k = strlen(key), n = 0;
    int depth = 0;

    for (p = dict; p + k < end && strncmp(p, key, k) != 0; p++)
        ;
    out[0] = '\0';
    if (p + k >= end)
        return;
    for (p += k; p < end && (*p == ':' || *p == ' '); p++)
        ;
    for (; p < end && n + 1 < cap; p++) {
        depth += *p == '(' || *p == '[';
        depth -= *p == ')' || *p == ']';
        if (depth < 0 || (depth == 0 && (*p == ',' || *p == '}')))
            break;
        if (*p != '\'')
            out[n++] = *p;
    }
    out[n] = '\0';
}

static size_t describe_npy(const unsigned char *d, size_t len, char *text, size_t cap)
{
    /* magic (6), version (2), header length (2 or 4 bytes), then the dict */
    const size_t start = d[6] >= 2 ? 12 : 10;
    char descr[32], shape[64];

    if (len <= start)
        return say(text, cap, "a truncated .npy file");
    npy_field((const char *)d + start, len - start, "'descr'", descr, sizeof descr);
    npy_field((const char *)d + start, len - start, "'shape'", shape, sizeof shape);
    return say(text, cap, "a .npy array of dtype %s and shape %s", descr[0] ? descr : "?",
               shape[0] ? shape : "?");
}

static size_t describe_bmp(const unsigned char *d, size_t len, char *text, size_t cap)
{
    static const char *const kinds[] = { "uncompressed", "RLE8-compressed", "RLE4-compressed",
                                         "bit-field", "JPEG-compressed", "PNG-compressed" };
    unsigned compression, bits;

    if (len < 34)
        return say(text, cap, "a truncated BMP");
    bits = (unsigned)d[28] | (unsigned)d[29] << 8;
    compression = (unsigned)d[30] | (unsigned)d[31] << 8 | (unsigned)d[32] << 16
                  | (unsigned)d[33] << 24;
    if (compression < sizeof kinds / sizeof kinds[0])
        return say(text, cap, "a BMP (%s, %u bits a pixel)", kinds[compression], bits);
    return say(text, cap, "a BMP with compression type %u", compression);
}

static size_t describe_pnm(const unsigned char *d, char *text, size_t cap)
{
    static const char *const kinds[] = { "ASCII PBM (P1)", "ASCII PGM (P2)", "ASCII PPM (P3)",
                                         "binary PBM (P4)", "binary PGM (P5)", "binary PPM (P6)",
                                         "PAM (P7)" };
    return say(text, cap, "a Netpbm %s image", kinds[d[1] - '1']);
}

size_t imgrad_describe(const unsigned char *data, size_t len, char *text, size_t cap)
{
    if (text != NULL && cap > 0)
        text[0] = '\0';
    if (data == NULL || text == NULL || cap == 0 || len < 4)
        return 0;
    if (len >= 10 && imgrad__is_npy(data, len))
        return describe_npy(data, len, text, cap);
    if (data[0] == 'B' && data[1] == 'M')
        return describe_bmp(data, len, text, cap);
    if (data[0] == 'P' && data[1] >= '1' && data[1] <= '7'
        && (data[2] == '\n' || data[2] == ' ' || data[2] == '\r' || data[2] == '\t'))
        return describe_pnm(data, text, cap);
    if (memcmp(data, "II*\0", 4) == 0 || memcmp(data, "MM\0*", 4) == 0)
        return say(text, cap, "a TIFF image");
    if (len >= 12 && memcmp(data, "RIFF", 4) == 0 && memcmp(data + 8, "WEBP", 4) == 0)
        return say(text, cap, "a WebP image");
    if (len >= 12 && memcmp(data + 4, "ftyp", 4) == 0)
        return say(text, cap, "an ISO media file of brand '%.4s' (HEIF, AVIF or video)",
                   (const char *)data + 8);
    return 0;
}
