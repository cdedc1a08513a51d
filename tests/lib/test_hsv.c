/* test_hsv.c - the direction colour wheel and magnitude brightness. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>

#include "imgrad.h"

static void test_colours(void **state)
{
    /* direction (radians, any range), magnitude, expected RGB */
    static const struct {
        float dir, mag;
        unsigned char rgb[3];
    } cases[] = {
        { 0.0f, 2.0f, { 255, 0, 0 } },            /* pointing right: red */
        { 1.5707964f, 2.0f, { 128, 255, 0 } },    /* down: hue 90 degrees */
        { 3.1415927f, 2.0f, { 0, 255, 255 } },    /* left: cyan */
        { -1.5707964f, 2.0f, { 128, 0, 255 } },   /* up: hue 270 */
        { 4.712389f, 2.0f, { 128, 0, 255 } },     /* the same in [0, 2pi) */
        { 0.0f, 1.0f, { 128, 0, 0 } },            /* half the scale: half value */
        { 1.0f, 0.0f, { 0, 0, 0 } },              /* no gradient: black */
        { 0.0f, 9.0f, { 255, 0, 0 } },            /* clipped */
    };
    const int n = sizeof cases / sizeof cases[0];
    imgrad_grid mag, dir;
    unsigned char rgb[3 * 8];
    int i;
    (void)state;
    assert_int_equal(imgrad_grid_init(&mag, n, 1), IMGRAD_OK);
    assert_int_equal(imgrad_grid_init(&dir, n, 1), IMGRAD_OK);
    for (i = 0; i < n; i++) {
        mag.data[i] = cases[i].mag;
        dir.data[i] = cases[i].dir;
    }
    assert_int_equal(imgrad_to_hsv8(&mag, &dir, 0, 2.0, rgb, sizeof rgb), IMGRAD_OK);
    for (i = 0; i < n; i++)
        if (abs(rgb[3 * i] - cases[i].rgb[0]) > 1 || abs(rgb[3 * i + 1] - cases[i].rgb[1]) > 1
            || abs(rgb[3 * i + 2] - cases[i].rgb[2]) > 1) /* 127.5 may round either way */
            fail_msg("case %d: got %d %d %d", i, rgb[3 * i], rgb[3 * i + 1], rgb[3 * i + 2]);
    dir.data[0] = 180; /* degrees */
    assert_int_equal(imgrad_to_hsv8(&mag, &dir, 1, 2.0, rgb, sizeof rgb), IMGRAD_OK);
    assert_int_equal(rgb[0], 0);
    assert_int_equal(rgb[1], 255);
    assert_int_equal(rgb[2], 255);
    assert_int_equal(imgrad_to_hsv8(&mag, &dir, 0, 0, rgb, sizeof rgb), IMGRAD_EINVAL);
    assert_int_equal(imgrad_to_hsv8(&mag, &dir, 0, 2.0, rgb, 3 * (size_t)n - 1), IMGRAD_EINVAL);
    imgrad_grid_free(&mag);
    imgrad_grid_free(&dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_colours),
    };
    return cmocka_run_group_tests_name("hsv", tests, NULL, NULL);
}
