/* hsv.c - a colour picture of the gradient field: the direction is the hue
 * (the colour wheel of `imgrad legend`), the magnitude the brightness. */
#include "kernel.h"

#include <math.h>

/* HSV with full saturation to 8-bit RGB; hue in turns [0, 1), v in [0, 1].
 * The six 60-degree sectors each ramp one channel up or down. */
static void hue_value_rgb(double hue, double v, unsigned char rgb[3])
{
    const double h6 = hue * 6;
    const int sector = (int)h6 % 6;
    const double f = h6 - floor(h6);
    const double up = v * f, down = v * (1 - f);
    double r, g, b;

    switch (sector) {
    case 0: r = v; g = up; b = 0; break;      /* red to yellow */
    case 1: r = down; g = v; b = 0; break;    /* yellow to green */
    case 2: r = 0; g = v; b = up; break;      /* green to cyan */
    case 3: r = 0; g = down; b = v; break;    /* cyan to blue */
    case 4: r = up; g = 0; b = v; break;      /* blue to magenta */
    default: r = v; g = 0; b = down; break;   /* magenta to red */
    }
    rgb[0] = (unsigned char)(255 * r + 0.5);
    rgb[1] = (unsigned char)(255 * g + 0.5);
    rgb[2] = (unsigned char)(255 * b + 0.5);
}

static void hsv_row(const float *restrict mag, const float *restrict dir, double turn,
                    double scale, unsigned char *restrict rgb, int w)
{
    int x;

    for (x = 0; x < w; x++) {
        double v = mag[x] / scale, hue = dir[x] / turn;
        if (!(v > 0)) /* NaN too */
            v = 0;
        if (v > 1)
            v = 1;
        hue -= floor(hue); /* any angle range folds into one turn */
        if (!(hue >= 0 && hue < 1))
            hue = 0;
        hue_value_rgb(hue, v, rgb + 3 * (size_t)x);
    }
}

imgrad_status imgrad_to_hsv8(const imgrad_grid *magnitude, const imgrad_grid *direction,
                             int angle_degrees, double scale, unsigned char *rgb,
                             size_t rgb_len)
{
    const double turn = angle_degrees ? 360.0 : 2 * 3.14159265358979323846;
    int y;

    if (magnitude == NULL || direction == NULL || rgb == NULL || magnitude->data == NULL
        || direction->data == NULL || magnitude->width <= 0 || magnitude->height <= 0
        || magnitude->width != direction->width || magnitude->height != direction->height
        || !(scale > 0)
        || rgb_len / 3 / (size_t)magnitude->width < (size_t)magnitude->height)
        return IMGRAD_EINVAL;
#pragma omp parallel for schedule(static)
    for (y = 0; y < magnitude->height; y++)
        hsv_row(magnitude->data + (size_t)y * magnitude->stride,
                direction->data + (size_t)y * direction->stride, turn, scale,
                rgb + (size_t)y * 3 * (size_t)magnitude->width, magnitude->width);
    return IMGRAD_OK;
}
