/* font.c - the plot's text: stb_easy_font (Debian's libstb-dev) turned into
 * quads the canvas fills.  The only file of the program that includes stb. */
#include "plot.h"

#include <stdlib.h>
#include <string.h>

#if defined(__GNUC__)
#pragma GCC diagnostic ignored "-Wunused-function"
#endif
#include <stb/stb_easy_font.h>

/* stb_easy_font writes four 16-byte vertices (x, y, z floats, RGBA) per quad
 * and uses about 270 bytes per character; this is room for any label. */
#define TEXT_BYTES_PER_CHAR 400

int plot_text_quads(const char *text, float *quads, int max_quads)
{
    size_t n = strlen(text), size;
    char *copy, *vertices;
    int count, i;

    if (n == 0 || n > PLOT_TEXT_MAX)
        return 0;
    size = (n + 1) * TEXT_BYTES_PER_CHAR;
    copy = malloc(n + 1);
    vertices = malloc(size);
    if (copy == NULL || vertices == NULL) {
        free(copy);
        free(vertices);
        return 0;
    }
    memcpy(copy, text, n + 1); /* stb takes a non-const string */
    count = stb_easy_font_print(0, 0, copy, NULL, vertices, (int)size);
    if (count > max_quads)
        count = max_quads;
    for (i = 0; i < count; i++) {
        float v0[2], v2[2];
        /* corners 0 and 2 of each axis-aligned quad */
        memcpy(v0, vertices + (size_t)i * 64, sizeof v0);
        memcpy(v2, vertices + (size_t)i * 64 + 32, sizeof v2);
        quads[4 * i + 0] = v0[0];
        quads[4 * i + 1] = v0[1];
        quads[4 * i + 2] = v2[0];
        quads[4 * i + 3] = v2[1];
    }
    free(copy);
    free(vertices);
    return count;
}

int plot_text_width(const char *text)
{
    char copy[PLOT_TEXT_MAX + 1];
    size_t n = strlen(text);

    if (n > PLOT_TEXT_MAX)
        n = PLOT_TEXT_MAX;
    memcpy(copy, text, n);
    copy[n] = '\0';
    return stb_easy_font_width(copy);
}
