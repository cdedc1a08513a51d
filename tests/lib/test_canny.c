/* test_canny.c - non-maximum suppression, hysteresis and the automatic
 * thresholds, on cases small enough to work out by hand. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/kernel.h"

/* A step from 0 to 1 between columns 5 and 6: Sobel gives 0.5 on both
 * columns; OpenCV's tie rule (m > left, m >= right) keeps column 5 only. */
static void test_step_one_pixel_wide(void **state)
{
    const int w = 12, h = 8;
    imgrad_grid in, edges;
    double used[2];
    imgrad_products p = { .edges = &edges, .thresholds = used };
    imgrad_gradient_options o;
    int x, y;
    (void)state;
    assert_int_equal(imgrad_grid_init(&in, w, h), IMGRAD_OK);
    for (y = 0; y < h; y++)
        for (x = 6; x < w; x++)
            in.data[y * w + x] = 1;
    imgrad_gradient_options_default(&o);
    o.op = IMGRAD_OP_SOBEL;
    o.canny_low = 0.1;
    o.canny_high = 0.3;
    assert_int_equal(imgrad_gradient(&in, &o, &p), IMGRAD_OK);
    for (y = 0; y < h; y++)
        for (x = 0; x < w; x++)
            assert_float_equal(edges.data[y * w + x], x == 5 ? 1.0 : 0.0, 0);
    assert_float_equal(used[0], 0.1, 0);
    assert_float_equal(used[1], 0.3, 0);
    imgrad_grid_free(&edges);
    o.canny_low = 0.6; /* above the step's 0.5: nothing */
    o.canny_high = 0.7;
    assert_int_equal(imgrad_gradient(&in, &o, &p), IMGRAD_OK);
    for (x = 0; x < w * h; x++)
        assert_float_equal(edges.data[x], 0.0, 0);
    imgrad_grid_free(&edges);
    imgrad_grid_free(&in);
}

/* Two vertical ridges of horizontal gradient: column 2 has one strong pixel
 * and weak ones below it (all kept), column 6 only weak ones (dropped). */
static void test_hysteresis(void **state)
{
    const int w = 9, h = 5;
    static const float col2[5] = { 0.9f, 0.3f, 0.3f, 0.3f, 0.3f };
    imgrad_grid gx, gy, mag, edges;
    imgrad_gradient_options o;
    double used[2];
    int x, y;
    (void)state;
    assert_int_equal(imgrad_grid_init(&gx, w, h), IMGRAD_OK);
    assert_int_equal(imgrad_grid_init(&gy, w, h), IMGRAD_OK);
    assert_int_equal(imgrad_grid_init(&mag, w, h), IMGRAD_OK);
    assert_int_equal(imgrad_grid_init(&edges, w, h), IMGRAD_OK);
    for (y = 0; y < h; y++) {
        mag.data[y * w + 2] = gx.data[y * w + 2] = col2[y];
        mag.data[y * w + 6] = gx.data[y * w + 6] = 0.3f;
    }
    imgrad_gradient_options_default(&o);
    o.canny_low = 0.2;
    o.canny_high = 0.5;
    assert_int_equal(imgrad__canny(&gx, &gy, &mag, &o, 0, &edges, used), IMGRAD_OK);
    for (y = 0; y < h; y++)
        for (x = 0; x < w; x++)
            assert_float_equal(edges.data[y * w + x], x == 2 ? 1.0 : 0.0, 0);
    /* thresholds given the wrong way round are swapped, as OpenCV does */
    o.canny_low = 0.25;
    o.canny_high = 0.1;
    assert_int_equal(imgrad__canny(&gx, &gy, &mag, &o, 0, &edges, used), IMGRAD_OK);
    assert_float_equal(used[0], 0.1, 0);
    assert_float_equal(edges.data[6], 1.0, 0); /* column 6 now strong */
    imgrad_grid_free(&gx);
    imgrad_grid_free(&gy);
    imgrad_grid_free(&mag);
    imgrad_grid_free(&edges);
}

/* Otsu splits two clusters between them; automatic low is high / 2, and
 * one given threshold sets the other to twice or half of it. */
static void test_auto_thresholds(void **state)
{
    imgrad_grid g, gx, gy, edges;
    imgrad_gradient_options o;
    double used[2], t;
    int i;
    (void)state;
    assert_int_equal(imgrad_grid_init(&g, 10, 10), IMGRAD_OK);
    for (i = 0; i < 100; i++)
        g.data[i] = i < 70 ? 0.1f + 0.001f * (i % 5) : 0.8f + 0.01f * (i % 3);
    t = imgrad__otsu(&g);
    if (!(t > 0.104 && t <= 0.8))
        fail_msg("otsu %g not between the clusters", t);
    assert_int_equal(imgrad_grid_init(&gx, 10, 10), IMGRAD_OK);
    assert_int_equal(imgrad_grid_init(&gy, 10, 10), IMGRAD_OK);
    assert_int_equal(imgrad_grid_init(&edges, 10, 10), IMGRAD_OK);
    imgrad_gradient_options_default(&o);
    assert_int_equal(imgrad__canny(&gx, &gy, &g, &o, 0, &edges, used), IMGRAD_OK);
    assert_float_equal(used[1], t, 0);
    assert_float_equal(used[0], t / 2, 0);
    o.canny_high = 0.4;
    assert_int_equal(imgrad__canny(&gx, &gy, &g, &o, 0, &edges, used), IMGRAD_OK);
    assert_float_equal(used[0], 0.2, 0);
    o.canny_high = -1;
    o.canny_low = 0.3;
    assert_int_equal(imgrad__canny(&gx, &gy, &g, &o, 0, &edges, used), IMGRAD_OK);
    assert_float_equal(used[1], 0.6, 0);
    memset(g.data, 0, 100 * sizeof(float));
    assert_float_equal(imgrad__otsu(&g), 0.0, 0);
    imgrad_grid_free(&g);
    imgrad_grid_free(&gx);
    imgrad_grid_free(&gy);
    imgrad_grid_free(&edges);
}

/* A floor above Otsu's threshold sets the automatic high threshold. */
static void test_floor(void **state)
{
    imgrad_grid g, gx, gy, edges;
    imgrad_gradient_options o;
    double used[2];
    int i;
    (void)state;
    assert_int_equal(imgrad_grid_init(&g, 10, 10), IMGRAD_OK);
    for (i = 0; i < 100; i++)
        g.data[i] = 0.01f * (float)(i % 7);
    assert_int_equal(imgrad_grid_init(&gx, 10, 10), IMGRAD_OK);
    assert_int_equal(imgrad_grid_init(&gy, 10, 10), IMGRAD_OK);
    assert_int_equal(imgrad_grid_init(&edges, 10, 10), IMGRAD_OK);
    imgrad_gradient_options_default(&o);
    assert_int_equal(imgrad__canny(&gx, &gy, &g, &o, 0.9, &edges, used), IMGRAD_OK);
    assert_float_equal(used[1], 0.9, 0);
    assert_float_equal(used[0], 0.45, 0);
    imgrad_grid_free(&g);
    imgrad_grid_free(&gx);
    imgrad_grid_free(&gy);
    imgrad_grid_free(&edges);
}

/* Automatic thresholds on a blank grid with +-1 level of noise (levels
 * 127..129 / 255 from a fixed linear congruential sequence): under 1% of
 * the pixels are edges, for the central and Sobel operators (Otsu alone
 * made about 30% edges of such noise). */
static void test_noise_has_no_edges(void **state)
{
    const int w = 200, h = 150;
    imgrad_grid in, edges;
    imgrad_gradient_options o;
    unsigned long seed = 12345;
    double count;
    int i, op;
    (void)state;
    assert_int_equal(imgrad_grid_init(&in, w, h), IMGRAD_OK);
    for (i = 0; i < w * h; i++) {
        seed = seed * 1103515245ul + 12345ul;
        in.data[i] = (float)((127 + (int)((seed >> 16) % 3)) / 255.0);
    }
    for (op = 0; op < 2; op++) {
        imgrad_gradient_options_default(&o);
        o.op = op ? IMGRAD_OP_SOBEL : IMGRAD_OP_CENTRAL;
        assert_int_equal(imgrad_gradient(&in, &o, &(imgrad_products){ .edges = &edges }),
                         IMGRAD_OK);
        for (i = 0, count = 0; i < w * h; i++)
            count += edges.data[i];
        if (count >= 0.01 * w * h)
            fail_msg("operator %d: %.0f edge pixels of %d", op, count, w * h);
        imgrad_grid_free(&edges);
    }
    imgrad_grid_free(&in);
}

/* Automatic thresholds on a drawing: a 0/1 square on a 40 x 40 grid, its
 * steps being one quantisation level, still gives edges: the square's
 * outline and nothing far from it (the quantisation floor is for photos,
 * where most neighbours differ). */
static void test_drawing_keeps_its_edges(void **state)
{
    imgrad_grid in, edges;
    imgrad_gradient_options o;
    double near = 0, far = 0;
    int x, y;
    (void)state;
    assert_int_equal(imgrad_grid_init(&in, 40, 40), IMGRAD_OK);
    for (y = 10; y < 30; y++)
        for (x = 10; x < 30; x++)
            in.data[y * 40 + x] = 1;
    imgrad_gradient_options_default(&o);
    o.op = IMGRAD_OP_SOBEL;
    o.sigma = 1;
    assert_int_equal(imgrad_gradient(&in, &o, &(imgrad_products){ .edges = &edges }), IMGRAD_OK);
    for (y = 0; y < 40; y++)
        for (x = 0; x < 40; x++) {
            const int d = abs(x - 19) > abs(y - 19) ? abs(x - 19) : abs(y - 19);
            if (d >= 8 && d <= 12)
                near += edges.data[y * 40 + x];
            else
                far += edges.data[y * 40 + x];
        }
    if (near < 60 || far != 0)
        fail_msg("%.0f edge pixels along the outline, %.0f elsewhere", near, far);
    imgrad_grid_free(&edges);
    imgrad_grid_free(&in);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_step_one_pixel_wide),
        cmocka_unit_test(test_hysteresis),
        cmocka_unit_test(test_auto_thresholds),
        cmocka_unit_test(test_floor),
        cmocka_unit_test(test_noise_has_no_edges),
        cmocka_unit_test(test_drawing_keeps_its_edges),
    };
    return cmocka_run_group_tests_name("canny", tests, NULL, NULL);
}
