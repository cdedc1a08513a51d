/* test_stream.c - streaming stores (stream.c) and the streamed kernel pass:
 * outputs too large for the cache are copied out with non-temporal stores,
 * and must hold exactly what the in-place pass writes. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "kernel/kernel.h"

/* Every head alignment and length, including the scalar tails, with the
 * stores of each instruction set the CPU has. */
static void test_stream_floats(void **state)
{
    float src[64], dst[96];
    int isa, off, n, i;
    (void)state;
    for (i = 0; i < 64; i++)
        src[i] = (float)i + 0.5f;
    for (isa = IMGRAD__ISA_BASELINE; isa <= (int)imgrad__cpu_isa(); isa++)
        for (off = 0; off < 16; off++)
            for (n = 0; n <= 64; n++) {
                for (i = 0; i < 96; i++)
                    dst[i] = -1;
                imgrad__stream_floats((imgrad__isa)isa, dst + off, src, n);
                imgrad__stream_fence();
                for (i = 0; i < 96; i++) {
                    float want = i >= off && i < off + n ? src[i - off] : -1;
                    if (dst[i] != want)
                        fail_msg("isa %d offset %d length %d: dst[%d] = %g, want %g", isa, off,
                                 n, i, dst[i], want);
                }
            }
}

/* W x H x 4 outputs exceed IMGRAD__STREAM_MIN_BYTES, one output does not. */
enum { W = 2112, H = 2048 };

static void check_operator(const imgrad_grid *in, imgrad_operator op)
{
    imgrad_grid all[4], one[4];
    imgrad_products p = { .gx = &all[0], .gy = &all[1], .magnitude = &all[2], .direction = &all[3] };
    imgrad_gradient_options o;
    int k;

    assert_true((size_t)W * H * 4 * sizeof(float) > IMGRAD__STREAM_MIN_BYTES);
    assert_true((size_t)W * H * 2 * sizeof(float) <= IMGRAD__STREAM_MIN_BYTES);
    imgrad_gradient_options_default(&o);
    o.op = op;
    o.threads = 2;
    assert_int_equal(imgrad_gradient(in, &o, &p), IMGRAD_OK);
    for (k = 0; k < 4; k++) { /* one product at a time: in place */
        imgrad_products q = { 0 };
        imgrad_grid **slot[4] = { &q.gx, &q.gy, &q.magnitude, &q.direction };
        *slot[k] = &one[k];
        assert_int_equal(imgrad_gradient(in, &o, &q), IMGRAD_OK);
        assert_memory_equal(all[k].data, one[k].data, sizeof(float) * W * H);
        imgrad_grid_free(&one[k]);
        imgrad_grid_free(&all[k]);
    }
}

static void test_streamed_pass(void **state)
{
    imgrad_grid in;
    size_t i;
    (void)state;
    assert_int_equal(imgrad_grid_init(&in, W, H), IMGRAD_OK);
    srand(9);
    for (i = 0; i < (size_t)W * H; i++)
        in.data[i] = (float)rand() / RAND_MAX;
    check_operator(&in, IMGRAD_OP_CENTRAL);
    check_operator(&in, IMGRAD_OP_SOBEL);
    imgrad_grid_free(&in);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stream_floats),
        cmocka_unit_test(test_streamed_pass),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
