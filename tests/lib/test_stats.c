/* test_stats.c - imgrad_gradient_stats against a naive reference (a full
 * sort for the percentiles, atan2 for the bins away from their edges) and
 * against hand-placed directions on the bin edges. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "imgrad.h"

static int by_value(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;
    return (x > y) - (x < y);
}

/* numpy.percentile(v, 100 q), method 'linear', by sorting everything. */
static double naive_percentile(const float *v, size_t n, double q)
{
    float *s = malloc(n * sizeof *s);
    double index = q * (double)(n - 1), t, a, b;
    size_t k = (size_t)floor(index);

    memcpy(s, v, n * sizeof *s);
    qsort(s, n, sizeof *s, by_value);
    a = s[k];
    b = s[k + 1 < n ? k + 1 : k];
    t = index - (double)k;
    free(s);
    return t >= 0.5 ? b - (b - a) * (1 - t) : a + (b - a) * t;
}

static imgrad_grid grid_of(int w, int h)
{
    imgrad_grid g;
    assert_int_equal(imgrad_grid_init(&g, w, h), IMGRAD_OK);
    return g;
}

/* Random small integers (many ties) as gx, gy; magnitude = hypot. */
static void matches_naive_reference(void **state)
{
    static const int sizes[][2] = { { 1, 1 }, { 2, 1 }, { 7, 3 }, { 20, 20 }, { 101, 13 } };
    size_t s;
    (void)state;
    srand(5);
    for (s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        int w = sizes[s][0], h = sizes[s][1], i, n = w * h, edges = 0, bins[8] = { 0 };
        imgrad_grid m = grid_of(w, h), gx = grid_of(w, h), gy = grid_of(w, h);
        double sum = 0, max = 0;
        imgrad_stats st;
        for (i = 0; i < n; i++) {
            gx.data[i] = (float)(rand() % 9 - 4) + 0.25f;
            gy.data[i] = (float)(rand() % 9 - 4) + 0.5f; /* never on a bin edge */
            m.data[i] = hypotf(gx.data[i], gy.data[i]);
            sum += m.data[i];
            max = fmax(max, m.data[i]);
            if (m.data[i] > 2.0) {
                double a = atan2(gy.data[i], gx.data[i]);
                edges++;
                bins[(int)floor((a < 0 ? a + 2 * acos(-1) : a) / (acos(-1) / 4))]++;
            }
        }
        assert_int_equal(imgrad_gradient_stats(&m, &gx, &gy, 2.0, &st), IMGRAD_OK);
        assert_int_equal(st.width, w);
        assert_int_equal(st.height, h);
        assert_true(fabs(st.mean - sum / n) < 1e-12 * fmax(1, sum));
        assert_true(st.max == max);
        assert_true(st.median == naive_percentile(m.data, (size_t)n, 0.5));
        assert_true(st.p95 == naive_percentile(m.data, (size_t)n, 0.95));
        assert_true(st.edge_density == (double)edges / n);
        for (i = 0; i < 8; i++)
            assert_true(st.orientation[i] == (edges ? (double)bins[i] / edges : 0));
        imgrad_grid_free(&m), imgrad_grid_free(&gx), imgrad_grid_free(&gy);
    }
}

/* Each direction exactly on a bin's lower edge lands in that bin. */
static void bin_edges_belong_to_the_bin_above(void **state)
{
    static const float dirs[8][2] = { /* (gx, gy) at 0, 45, ..., 315 degrees */
        { 1, 0 }, { 1, 1 }, { 0, 1 }, { -1, 1 }, { -1, 0 }, { -1, -1 }, { 0, -1 }, { 1, -1 },
    };
    imgrad_grid m = grid_of(8, 1), gx = grid_of(8, 1), gy = grid_of(8, 1);
    imgrad_stats st;
    int k, i;
    (void)state;
    for (k = 0; k < 8; k++) {
        for (i = 0; i < 8; i++) {
            gx.data[i] = dirs[k][0];
            gy.data[i] = dirs[k][1];
            m.data[i] = i < 2 ? 1.0f : 0.0f; /* two edge pixels of 8 */
        }
        assert_int_equal(imgrad_gradient_stats(&m, &gx, &gy, 0.5, &st), IMGRAD_OK);
        assert_true(st.edge_density == 0.25);
        for (i = 0; i < 8; i++)
            if (st.orientation[i] != (i == k ? 1.0 : 0.0))
                fail_msg("direction %d: bin %d holds %g", k * 45, i, st.orientation[i]);
    }
    imgrad_grid_free(&m), imgrad_grid_free(&gx), imgrad_grid_free(&gy);
}

static void rejects_bad_arguments(void **state)
{
    imgrad_grid m = grid_of(3, 2), gx = grid_of(3, 2), gy = grid_of(2, 3), empty = { 0, 0, 0, NULL, NULL };
    imgrad_stats st;
    (void)state;
    assert_int_equal(imgrad_gradient_stats(&m, &gx, &gy, 0.1, &st), IMGRAD_EINVAL);
    assert_int_equal(imgrad_gradient_stats(&m, &gx, &empty, 0.1, &st), IMGRAD_EINVAL);
    assert_int_equal(imgrad_gradient_stats(&m, &gx, &gx, -1, &st), IMGRAD_EINVAL);
    assert_int_equal(imgrad_gradient_stats(&m, &gx, &gx, NAN, &st), IMGRAD_EINVAL);
    assert_int_equal(imgrad_gradient_stats(&m, &gx, &gx, 0.1, NULL), IMGRAD_EINVAL);
    /* all zero: no edges, an all-zero histogram */
    assert_int_equal(imgrad_gradient_stats(&m, &gx, &gx, 0, &st), IMGRAD_OK);
    assert_true(st.edge_density == 0 && st.orientation[0] == 0 && st.max == 0);
    imgrad_grid_free(&m), imgrad_grid_free(&gx), imgrad_grid_free(&gy);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(matches_naive_reference),
        cmocka_unit_test(bin_edges_belong_to_the_bin_above),
        cmocka_unit_test(rejects_bad_arguments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
