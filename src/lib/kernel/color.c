/* color.c - the colour gradient of Di Zenzo (1986), "A note on the gradient
 * of a multi-image", CVGIP 33: the direction in which the colour changes
 * fastest is the leading eigenvector of the structure tensor summed over
 * the channels, and the rate of change along it the square root of its
 * eigenvalue.  Each channel's gradient is imgrad_gradient's, so every
 * operator, spacing, border and smoothing option applies unchanged.
 *
 * The eigenvector is defined up to its sign (the tensor does not change
 * when a channel's gradient is negated); the sign taken is the one that
 * agrees with the luma gradient, so that on a grey image the colour
 * gradient is the ordinary one and directions point from dark to bright,
 * as they do everywhere else in imgrad. */
#include "kernel.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define PI 3.14159265358979323846

/* The weights of the luma the sign follows. */
static void luma_weights(int count, double w[4])
{
    int c;

    if (count == 3) {
        w[0] = 0.299;
        w[1] = 0.587;
        w[2] = 0.114;
        return;
    }
    for (c = 0; c < count; c++)
        w[c] = 1.0 / count;
}

static imgrad_status check_args(const imgrad_grid *ch, int count, const imgrad_gradient_options *o,
                                const imgrad_products *out)
{
    int c;

    if (ch == NULL || o == NULL || out == NULL || count < 1 || count > 4 || o->norm_l1
        || (out->edges != NULL && o->canny_mode != IMGRAD_CANNY_OWN)
        || !(out->gx || out->gy || out->magnitude || out->direction || out->edges))
        return IMGRAD_EINVAL;
    for (c = 0; c < count; c++)
        if (ch[c].data == NULL || ch[c].width != ch[0].width || ch[c].height != ch[0].height)
            return IMGRAD_EINVAL;
    return IMGRAD_OK;
}

/* Per-channel gx and gy: 2 * count grids, g[2c] = gx_c, g[2c + 1] = gy_c. */
static imgrad_status channel_gradients(const imgrad_grid *ch, int count,
                                       const imgrad_gradient_options *o, imgrad_grid *g)
{
    imgrad_status st = IMGRAD_OK;
    int c;

    for (c = 0; c < count && st == IMGRAD_OK; c++)
        st = imgrad_gradient(&ch[c], o, &(imgrad_products){ .gx = &g[2 * c], .gy = &g[2 * c + 1] });
    return st;
}

/* Where the results go: each a grid of w x h, allocated here. */
typedef struct colour_out {
    imgrad_grid gx, gy, mag, dir;
} colour_out;

/* Row y of the Di Zenzo gradient from the channel gradients g. */
static void tensor_row(const imgrad_grid *g, int count, const double *w,
                       const imgrad_gradient_options *o, colour_out *r, int y)
{
    const int width = g[0].width;
    const size_t at0 = (size_t)y * (size_t)width;
    int x, c;

    for (x = 0; x < width; x++) {
        double gxx = 0, gyy = 0, gxy = 0, lx = 0, ly = 0, lambda, mag, theta, ex, ey, a;
        for (c = 0; c < count; c++) {
            const double dx = g[2 * c].data[(size_t)y * g[2 * c].stride + (size_t)x];
            const double dy = g[2 * c + 1].data[(size_t)y * g[2 * c + 1].stride + (size_t)x];
            gxx += dx * dx;
            gyy += dy * dy;
            gxy += dx * dy;
            lx += w[c] * dx;
            ly += w[c] * dy;
        }
        lambda = (gxx + gyy + sqrt((gxx - gyy) * (gxx - gyy) + 4 * gxy * gxy)) / 2;
        mag = sqrt(lambda);
        theta = atan2(2 * gxy, gxx - gyy) / 2; /* in (-pi/2, pi/2] */
        ex = cos(theta);
        ey = sin(theta);
        if (ex * lx + ey * ly < 0) { /* against the luma gradient: turn */
            ex = -ex;
            ey = -ey;
            theta = theta > 0 ? theta - PI : theta + PI;
        }
        a = mag == 0 ? 0 : theta;
        if (o->angle_positive && a < 0)
            a += 2 * PI;
        r->gx.data[at0 + (size_t)x] = (float)(mag * ex);
        r->gy.data[at0 + (size_t)x] = (float)(mag * ey);
        r->mag.data[at0 + (size_t)x] = (float)(mag * o->magnitude_factor);
        r->dir.data[at0 + (size_t)x] = (float)(o->angle_degrees ? a * (180 / PI) : a);
    }
}

static void free_out(colour_out *r)
{
    imgrad_grid_free(&r->gx);
    imgrad_grid_free(&r->gy);
    imgrad_grid_free(&r->mag);
    imgrad_grid_free(&r->dir);
}

static imgrad_status alloc_out(colour_out *r, int w, int h)
{
    imgrad_status st;

    if ((st = imgrad__grid_alloc(&r->gx, w, h)) != IMGRAD_OK
        || (st = imgrad__grid_alloc(&r->gy, w, h)) != IMGRAD_OK
        || (st = imgrad__grid_alloc(&r->mag, w, h)) != IMGRAD_OK
        || (st = imgrad__grid_alloc(&r->dir, w, h)) != IMGRAD_OK)
        free_out(r);
    return st;
}

/* Copies src into the caller's grid dst (in place) or hands it over. */
static imgrad_status deliver(imgrad_grid *src, imgrad_grid *dst, int in_place)
{
    int y;

    if (dst == NULL)
        return IMGRAD_OK;
    if (!in_place) {
        *dst = *src;
        memset(src, 0, sizeof *src);
        return IMGRAD_OK;
    }
    if (dst->data == NULL || dst->width != src->width || dst->height != src->height
        || dst->stride < (size_t)dst->width)
        return IMGRAD_EINVAL;
    for (y = 0; y < src->height; y++)
        memcpy(dst->data + (size_t)y * dst->stride, src->data + (size_t)y * src->stride,
               (size_t)src->width * sizeof(float));
    return IMGRAD_OK;
}

static void empty(const imgrad_products *out)
{
    imgrad_grid *const g[5] = { out->gx, out->gy, out->magnitude, out->direction, out->edges };
    int i;

    for (i = 0; i < 5 && !out->in_place; i++)
        if (g[i] != NULL)
            memset(g[i], 0, sizeof *g[i]);
}

/* Canny on the colour magnitude and direction, into out->edges; automatic
 * thresholds keep the noise floor of the noisiest of the count channels. */
static imgrad_status colour_canny(const colour_out *r, const imgrad_grid *channels, int count,
                                  const imgrad_gradient_options *o, const imgrad_products *out)
{
    imgrad_grid edges;
    double used[2], floor = 0;
    imgrad_status st = imgrad__grid_alloc(&edges, r->mag.width, r->mag.height);
    int c;

    for (c = 0; o->canny_low < 0 && o->canny_high < 0 && c < count; c++)
        floor = fmax(floor, imgrad__canny_floor(&channels[c], o));
    if (st == IMGRAD_OK)
        st = imgrad__canny(&r->gx, &r->gy, &r->mag, o, floor, &edges, used);
    if (st == IMGRAD_OK)
        st = deliver(&edges, out->edges, out->in_place);
    if (st == IMGRAD_OK && out->thresholds != NULL)
        memcpy(out->thresholds, used, sizeof used);
    imgrad_grid_free(&edges);
    return st;
}

imgrad_status imgrad_color_gradient(const imgrad_grid *channels, int count,
                                    const imgrad_gradient_options *o,
                                    const imgrad_products *out)
{
    imgrad_grid g[8];
    colour_out r;
    double w[4];
    imgrad_status st;
    int y, c;

    if (out != NULL)
        empty(out);
    if ((st = check_args(channels, count, o, out)) != IMGRAD_OK)
        return st;
    memset(g, 0, sizeof g);
    memset(&r, 0, sizeof r);
    luma_weights(count, w);
    st = channel_gradients(channels, count, o, g);
    if (st == IMGRAD_OK)
        st = alloc_out(&r, g[0].width, g[0].height);
    if (st == IMGRAD_OK) {
#pragma omp parallel for num_threads(IMGRAD__THREADS(o->threads)) schedule(static)
        for (y = 0; y < g[0].height; y++)
            tensor_row(g, count, w, o, &r, y);
    }
    for (c = 0; c < 8; c++)
        imgrad_grid_free(&g[c]);
    if (st == IMGRAD_OK && out->edges != NULL)
        st = colour_canny(&r, channels, count, o, out);
    if (st == IMGRAD_OK && (st = deliver(&r.gx, out->gx, out->in_place)) == IMGRAD_OK
        && (st = deliver(&r.gy, out->gy, out->in_place)) == IMGRAD_OK
        && (st = deliver(&r.mag, out->magnitude, out->in_place)) == IMGRAD_OK)
        st = deliver(&r.dir, out->direction, out->in_place);
    free_out(&r);
    if (st != IMGRAD_OK) {
        /* handed-over grids are the caller's now: free them back */
        imgrad_grid *const p[5] = { out->gx, out->gy, out->magnitude, out->direction, out->edges };
        for (c = 0; c < 5 && !out->in_place; c++)
            if (p[c] != NULL)
                imgrad_grid_free(p[c]);
    }
    if (st == IMGRAD_OK && out->magnitude != NULL && out->magnitude_scale != NULL)
        *out->magnitude_scale = imgrad_auto_scale(out->magnitude);
    return st;
}
