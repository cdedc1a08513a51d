/* fuzz_expr.c - libFuzzer harness for the formula parser of `imgrad field`:
 * parse the bytes as they are (not NUL-terminated, as the parser promises to
 * handle), and evaluate a parsed formula at a few points, including ones
 * where functions leave their domain, and over a small grid. */
#include "fuzz.h"
#include "expr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const double points[][2] = { { 0, 0 }, { 1, -2 }, { -1e300, 1e-300 }, { 3.5, 0.5 } };
    expr_tree *e;
    expr_error err;
    expr_window w = { -1, 1, -1, 1 };
    imgrad_grid f = { 0 }, gx = { 0 }, gy = { 0 };
    volatile double sink = 0;
    size_t i;

    if (expr_parse((const char *)data, size, &e, &err) != IMGRAD_OK)
        return 0;
    for (i = 0; i < sizeof points / sizeof points[0]; i++) {
        expr_dual d = expr_eval(e, points[i][0], points[i][1]);
        sink += d.v + d.dx + d.dy;
    }
    if (imgrad_grid_init(&f, 4, 3) == IMGRAD_OK && imgrad_grid_init(&gx, 4, 3) == IMGRAD_OK
        && imgrad_grid_init(&gy, 4, 3) == IMGRAD_OK)
        (void)expr_sample(e, &w, &f, &gx, &gy);
    imgrad_grid_free(&f);
    imgrad_grid_free(&gx);
    imgrad_grid_free(&gy);
    expr_free(e);
    (void)sink;
    return 0;
}
