/* font.c - the pictures' text: a TrueType font (Debian's fonts-dejavu-core,
 * read at run time) measured and rasterised by stb_truetype (libstb-dev).
 * The only file of the program that includes stb_truetype, and the one that
 * compiles its implementation.
 *
 * Sizes are em sizes in pixels, as CSS's font-size: the SVG's
 * font-size="12" and the PNG's 12 draw the same glyphs the same size. */
#include "plot.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wsign-compare"
#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wpedantic"
#endif
#define STBTT_STATIC
#define STB_TRUETYPE_IMPLEMENTATION
#include <stb/stb_truetype.h>
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif

/* A font file larger than this is not a font we asked for. */
#define FONT_MAX_BYTES (64L << 20)

struct plot_font {
    unsigned char *data; /* the whole file: stb reads glyphs from it */
    stbtt_fontinfo info;
};

const char *plot_font_path(void)
{
    const char *env = getenv("IMGRAD_FONT");
    return env != NULL && env[0] != '\0' ? env : PLOT_FONT_DEFAULT;
}

/* The whole file into *data.  EIO (errno set), EFORMAT when empty or huge,
 * ENOMEM. */
static imgrad_status read_file(const char *path, unsigned char **data)
{
    FILE *fp = fopen(path, "rb");
    long size;
    imgrad_status st = IMGRAD_OK;

    *data = NULL;
    if (fp == NULL)
        return IMGRAD_EIO;
    if (fseek(fp, 0, SEEK_END) != 0 || (size = ftell(fp)) < 0 || fseek(fp, 0, SEEK_SET) != 0)
        st = IMGRAD_EIO;
    else if (size < 12 || size > FONT_MAX_BYTES)
        st = IMGRAD_EFORMAT;
    else if ((*data = malloc((size_t)size)) == NULL)
        st = IMGRAD_ENOMEM;
    else if (fread(*data, 1, (size_t)size, fp) != (size_t)size) {
        st = IMGRAD_EIO;
        if (!ferror(fp))
            errno = EIO; /* the file shrank while we read it */
    }
    fclose(fp);
    if (st != IMGRAD_OK) {
        free(*data);
        *data = NULL;
    }
    return st;
}

imgrad_status plot_font_load(const char *path, plot_font **out)
{
    plot_font *f;
    imgrad_status st;

    if (out == NULL || path == NULL)
        return IMGRAD_EINVAL;
    *out = NULL;
    if ((f = calloc(1, sizeof *f)) == NULL)
        return IMGRAD_ENOMEM;
    if ((st = read_file(path, &f->data)) == IMGRAD_OK
        && (stbtt_GetFontOffsetForIndex(f->data, 0) != 0
            || !stbtt_InitFont(&f->info, f->data, 0)))
        st = IMGRAD_EFORMAT;
    if (st != IMGRAD_OK) {
        plot_font_free(f);
        return st;
    }
    *out = f;
    return IMGRAD_OK;
}

void plot_font_free(plot_font *f)
{
    if (f != NULL) {
        free(f->data);
        free(f);
    }
}

/* The next code point of UTF-8 text at *s (advancing *s); U+FFFD for a
 * malformed sequence, 0 at the end. */
static int next_codepoint(const char **s)
{
    const unsigned char *p = (const unsigned char *)*s;
    int cp, extra, k;

    if (*p == 0)
        return 0;
    if (*p < 0x80) {
        (*s)++;
        return *p;
    }
    extra = *p >= 0xF0 ? 3 : *p >= 0xE0 ? 2 : *p >= 0xC0 ? 1 : -1;
    if (extra < 0) {
        (*s)++;
        return 0xFFFD;
    }
    cp = *p & (0x3F >> extra);
    for (k = 1; k <= extra; k++) {
        if ((p[k] & 0xC0) != 0x80) {
            *s += k;
            return 0xFFFD;
        }
        cp = cp << 6 | (p[k] & 0x3F);
    }
    *s += extra + 1;
    return cp;
}

double plot_text_width(const plot_font *f, const char *text, double size)
{
    float scale = stbtt_ScaleForMappingEmToPixels(&f->info, (float)size);
    const char *s = text;
    int cp, prev = 0;
    double units = 0;

    while ((cp = next_codepoint(&s)) != 0) {
        int advance, bearing;
        stbtt_GetCodepointHMetrics(&f->info, cp, &advance, &bearing);
        if (prev)
            units += stbtt_GetCodepointKernAdvance(&f->info, prev, cp);
        units += advance;
        prev = cp;
    }
    return units * scale;
}

double plot_font_ascent(const plot_font *f, double size)
{
    int ascent, descent, gap;
    stbtt_GetFontVMetrics(&f->info, &ascent, &descent, &gap);
    return ascent * stbtt_ScaleForMappingEmToPixels(&f->info, (float)size);
}

double plot_font_cap_height(const plot_font *f, double size)
{
    int x0, y0, x1, y1;
    if (!stbtt_GetCodepointBox(&f->info, 'H', &x0, &y0, &x1, &y1))
        return 0.7 * size;
    return y1 * stbtt_ScaleForMappingEmToPixels(&f->info, (float)size);
}

/* Blends one glyph's coverage bitmap (w x h at (x0, y0)) onto c. */
static void blend_bitmap(plot_canvas *c, const unsigned char *bitmap, int w, int h, int x0,
                         int y0, const unsigned char colour[3])
{
    int i, j, k;

    for (j = 0; j < h; j++) {
        int y = y0 + j;
        if (y < 0 || y >= c->height)
            continue;
        for (i = 0; i < w; i++) {
            int x = x0 + i, a = bitmap[(size_t)j * w + i];
            unsigned char *px;
            if (x < 0 || x >= c->width || a == 0)
                continue;
            px = c->rgb + 3 * ((size_t)y * c->width + x);
            for (k = 0; k < 3; k++)
                px[k] = (unsigned char)((px[k] * (255 - a) + colour[k] * a + 127) / 255);
        }
    }
}

void plot_canvas_text(plot_canvas *c, const plot_font *f, double x, double y, double size,
                      const char *text, const unsigned char colour[3])
{
    float scale = stbtt_ScaleForMappingEmToPixels(&f->info, (float)size);
    const char *s = text;
    double pen = x;
    int cp, prev = 0;

    while ((cp = next_codepoint(&s)) != 0) {
        int advance, bearing, w, h, x0, y0;
        /* the pen's fraction of a pixel shifts the glyph, as a browser does */
        float fx = (float)(pen - floor(pen)), fy = (float)(y - floor(y));
        unsigned char *bitmap;
        if (prev)
            pen += stbtt_GetCodepointKernAdvance(&f->info, prev, cp) * scale;
        fx = (float)(pen - floor(pen));
        bitmap = stbtt_GetCodepointBitmapSubpixel(&f->info, scale, scale, fx, fy, cp, &w, &h,
                                                  &x0, &y0);
        if (bitmap != NULL) {
            blend_bitmap(c, bitmap, w, h, (int)floor(pen) + x0, (int)floor(y) + y0, colour);
            stbtt_FreeBitmap(bitmap, NULL);
        }
        stbtt_GetCodepointHMetrics(&f->info, cp, &advance, &bearing);
        pen += advance * scale;
        prev = cp;
    }
}

/* The first n bytes of s as a new string, with suffix appended. */
static char *copy_prefix(const char *s, size_t n, const char *suffix)
{
    size_t extra = strlen(suffix);
    char *out = malloc(n + extra + 1);

    if (out != NULL) {
        memcpy(out, s, n);
        memcpy(out + n, suffix, extra + 1);
    }
    return out;
}

/* The width of s's first n bytes (trailing spaces not counted) plus suffix. */
static double prefix_width(const plot_font *f, const char *s, size_t n, const char *suffix,
                           double size)
{
    char *t;
    double w;

    while (n > 0 && s[n - 1] == ' ')
        n--;
    if ((t = copy_prefix(s, n, suffix)) == NULL)
        return INFINITY;
    w = plot_text_width(f, t, size);
    free(t);
    return w;
}

/* The longest prefix of s (in bytes, whole UTF-8 characters, at least one
 * character) whose width with suffix is at most width; with at_space, one
 * that ends after a space, 0 when there is none. */
static size_t fitting_prefix(const plot_font *f, const char *s, double size, double width,
                             const char *suffix, int at_space)
{
    size_t best = 0, n;

    for (n = 1; s[n - 1] != '\0'; n++) {
        if ((s[n] & 0xC0) == 0x80) /* inside a character */
            continue;
        if (at_space && s[n - 1] != ' ')
            continue;
        if (prefix_width(f, s, n, suffix, size) > width)
            break;
        best = n;
    }
    if (best == 0 && !at_space) /* one character, even if too wide */
        for (best = 1; (s[best] & 0xC0) == 0x80; best++)
            ;
    return best;
}

int plot_wrap_text(const plot_font *f, const char *text, double size, double width,
                   int max_lines, char **lines)
{
    static const char ellipsis[] = "\xE2\x80\xA6"; /* U+2026 */
    const char *p = text;
    int n = 0;

    while (*p == ' ')
        p++;
    while (*p != '\0' && n < max_lines) {
        const char *suffix = "";
        size_t len, keep;
        if (prefix_width(f, p, strlen(p), "", size) <= width) {
            len = keep = strlen(p);
        } else if (n == max_lines - 1) {
            keep = fitting_prefix(f, p, size, width, ellipsis, 0);
            len = strlen(p);
            suffix = ellipsis;
        } else {
            len = keep = fitting_prefix(f, p, size, width, "", 1);
            if (len == 0)
                len = keep = fitting_prefix(f, p, size, width, "", 0);
        }
        while (keep > 0 && p[keep - 1] == ' ')
            keep--;
        lines[n] = copy_prefix(p, keep, suffix);
        if (lines[n] == NULL) {
            while (n > 0)
                free(lines[--n]);
            return 0;
        }
        n++;
        p += len;
        while (*p == ' ')
            p++;
    }
    return n;
}

plot_font *plot_font_open(void)
{
    const char *path = plot_font_path();
    plot_font *f;
    imgrad_status st = plot_font_load(path, &f);

    if (st == IMGRAD_OK)
        return f;
    /* the program's message format (cli_error), here so unit tests link */
    fprintf(stderr, "imgrad: %s: cannot load the font for the pictures' text: %s (install "
            "Debian's fonts-dejavu-core, or set IMGRAD_FONT to a TrueType .ttf file)\n", path,
            st == IMGRAD_EFORMAT ? "not a TrueType font"
            : st == IMGRAD_EIO ? strerror(errno) : imgrad_strerror(st));
    return NULL;
}
