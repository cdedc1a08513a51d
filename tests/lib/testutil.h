/* testutil.h - helpers shared by the cmocka tests (include after cmocka.h). */
#ifndef IMGRAD_TESTUTIL_H
#define IMGRAD_TESTUTIL_H

#include "imgrad.h"

/* A width x height grid holding values (row-major); fails the test if it
 * cannot be allocated. */
static inline imgrad_grid make_grid(int width, int height, const double *values)
{
    imgrad_grid g;
    int i;
    assert_int_equal(imgrad_grid_init(&g, width, height), IMGRAD_OK);
    for (i = 0; i < width * height; i++)
        g.data[i] = (float)values[i];
    return g;
}

#endif
