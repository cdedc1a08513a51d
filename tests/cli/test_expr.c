/* test_expr.c - the formula parser and its dual-number derivatives, against
 * the same formulas written in C with hand-derived partials, and against
 * central differences of the values for every function. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "expr.h"

static expr_tree *parse_ok(const char *text)
{
    expr_tree *e = NULL;
    expr_error err = { 0, NULL };
    if (expr_parse(text, strlen(text), &e, &err) != IMGRAD_OK)
        fail_msg("'%s' did not parse: %s at %zu", text, err.message, err.column);
    return e;
}

static void assert_near(double got, double want, double tol, const char *what)
{
    if (!(fabs(got - want) <= tol * fmax(1, fabs(want))))
        fail_msg("%s: got %.17g, want %.17g", what, got, want);
}

/* Values and exact partials of formulas against C written by hand. */
static void test_values_and_partials(void **state)
{
    const double x = 0.3, y = -0.7;
    const struct {
        const char *text;
        double v, dx, dy;
    } cases[] = {
        { "(5 - x - 2*y)^2", pow(5 - x - 2 * y, 2), -2 * (5 - x - 2 * y), -4 * (5 - x - 2 * y) },
        { "x^2 + y^2", x * x + y * y, 2 * x, 2 * y },
        { "x**3 * y", x * x * x * y, 3 * x * x * y, x * x * x },
        { "sin(x)*cos(y)", sin(x) * cos(y), cos(x) * cos(y), -sin(x) * sin(y) },
        { "exp(-(x^2+y^2))", exp(-(x * x + y * y)), -2 * x * exp(-(x * x + y * y)),
          -2 * y * exp(-(x * x + y * y)) },
        { "x / y", x / y, 1 / y, -x / (y * y) },
        { "atan2(y, x)", atan2(y, x), -y / (x * x + y * y), x / (x * x + y * y) },
        { "hypot(x, y)", hypot(x, y), x / hypot(x, y), y / hypot(x, y) },
        { "2^x", pow(2, x), log(2) * pow(2, x), 0 },
        { "x^y", pow(x, y), y * pow(x, y - 1), log(x) * pow(x, y) },
        { "log(x) + log10(-y)", log(x) + log10(-y), 1 / x, 1 / (y * log(10)) },
        { "sqrt(x) - abs(y)", sqrt(x) - fabs(y), 0.5 / sqrt(x), 1 },
        { "min(x, y) + 2*max(x, y)", y + 2 * x, 2, 1 },
        { "-x^2", -x * x, -2 * x, 0 },
        { "pi * e", 3.14159265358979323846 * 2.71828182845904523536, 0, 0 },
        { "1.5e-1 * 2E1 + .5", 3.5, 0, 0 },
        { "2^3^2", 512, 0, 0 },
        { "2 ** -1", 0.5, 0, 0 },
        { "10 - 4 - 3", 3, 0, 0 },
        { "12 / 3 / 2", 2, 0, 0 },
        { " ( x ) * -(-y)", x * y, y, x },
        { "floor(x + 2.5) + ceil(y)", 2 + 0, 0, 0 },
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        expr_tree *e = parse_ok(cases[i].text);
        expr_dual d = expr_eval(e, x, y);
        assert_near(d.v, cases[i].v, 1e-14, cases[i].text);
        assert_near(d.dx, cases[i].dx, 1e-13, cases[i].text);
        assert_near(d.dy, cases[i].dy, 1e-13, cases[i].text);
        expr_free(e);
    }
}

/* Every function's derivative against a central difference of its value. */
static void test_partials_match_differences(void **state)
{
    static const char *names[] = { "sin", "cos", "tan", "asin", "acos", "atan", "sinh",
                                   "cosh", "tanh", "exp", "log", "log10", "sqrt", "abs" };
    const double x = 0.41, y = 0.23, h = 1e-6;
    char text[64];
    size_t i;

    (void)state;
    for (i = 0; i < sizeof names / sizeof names[0]; i++) {
        expr_tree *e;
        expr_dual d;
        snprintf(text, sizeof text, "%s(x * y + 0.5 * x)", names[i]);
        e = parse_ok(text);
        d = expr_eval(e, x, y);
        assert_near(d.dx, (expr_eval(e, x + h, y).v - expr_eval(e, x - h, y).v)
                    / (2 * h), 1e-6, text);
        assert_near(d.dy, (expr_eval(e, x, y + h).v - expr_eval(e, x, y - h).v)
                    / (2 * h), 1e-6, text);
        expr_free(e);
    }
}

/* Syntax errors name the right column. */
static void test_errors(void **state)
{
    const struct {
        const char *text;
        size_t column;
    } cases[] = {
        { "x^2 + * y", 6 }, { "(x", 0 }, { "x +", 3 }, { "foo(x)", 0 }, { "sin x", 4 },
        { "atan2(x)", 0 }, { "sin(x, y)", 0 }, { "x y", 2 }, { "1..2", 0 }, { "", 0 },
        { "x)", 1 }, { "2e", 1 }, { "x # 1", 2 }, { "(x))", 3 }, { "max(x,)", 6 },
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        expr_tree *e = (expr_tree *)&e; /* must come back NULL */
        expr_error err = { 999, NULL };
        assert_int_equal(expr_parse(cases[i].text, strlen(cases[i].text), &e, &err),
                         IMGRAD_EINVAL);
        assert_null(e);
        assert_non_null(err.message);
        if (err.column != cases[i].column)
            fail_msg("'%s': column %zu, want %zu (%s)", cases[i].text, err.column,
                     cases[i].column, err.message);
    }
}

/* The length is honoured: no terminator needed, a NUL inside is an error. */
static void test_length_bounds(void **state)
{
    const char unterminated[3] = { 'x', '+', '1' };
    expr_tree *e;
    expr_error err;

    (void)state;
    assert_int_equal(expr_parse(unterminated, 3, &e, &err), IMGRAD_OK);
    assert_true(expr_eval(e, 2, 0).v == 3);
    expr_free(e);
    assert_int_equal(expr_parse("x\0+1", 4, &e, &err), IMGRAD_EINVAL);
    assert_int_equal(err.column, 1);
    assert_int_equal(expr_parse("x+1y", 3, &e, &err), IMGRAD_OK); /* 'y' unseen */
    expr_free(e);
    assert_int_equal(expr_parse(NULL, 0, &e, &err), IMGRAD_EINVAL);
    expr_free(NULL);
}

/* Deep nesting is refused, not a stack overflow. */
static void test_deep_nesting(void **state)
{
    size_t n = 100000, i;
    char *s = malloc(2 * n + 1);
    expr_tree *e;
    expr_error err;

    (void)state;
    for (i = 0; i < n; i++) {
        s[i] = i % 2 ? '(' : '-';
        s[2 * n - 1 - i] = i % 2 ? ')' : ' ';
    }
    s[n] = 'x';
    assert_int_equal(expr_parse(s, 2 * n, &e, &err), IMGRAD_EINVAL);
    assert_string_equal(err.message, "expression nested too deeply");
    for (i = 0; i < n; i++)
        s[i] = '(', s[2 * n - 1 - i] = ')';
    assert_int_equal(expr_parse(s, 2 * n, &e, &err), IMGRAD_EINVAL);
    /* a long flat sum is fine: the evaluation stack stays small */
    for (i = 0; i < 2 * n - 1; i++)
        s[i] = i % 2 ? '+' : 'x';
    s[2 * n - 2] = 'y';
    assert_int_equal(expr_parse(s, 2 * n - 1, &e, &err), IMGRAD_OK);
    assert_true(expr_eval(e, 1, 5).v == (double)(n - 1) + 5);
    expr_free(e);
    free(s);
}

/* Random strings of the grammar's tokens (and some junk): parse or fail,
 * never crash; ASan or valgrind make this a real check of the bounds. */
static void test_random_input(void **state)
{
    static const char *tokens[] = { "x", "y", "1", "2.5", "+", "-", "*", "/", "^", "(", ")",
                                    "sin(", "atan2(", ",", "e", "pi", " ", "**", "1e3", ".",
                                    "\x01", "max(", "log(", "z" };
    const size_t ntok = sizeof tokens / sizeof tokens[0];
    char s[128];
    unsigned seed = 12345;
    int i, parsed = 0;

    (void)state;
    for (i = 0; i < 100000; i++) {
        size_t n = 0;
        int k, count = 1 + (int)(seed >> 3) % 12;
        expr_tree *e;
        for (k = 0; k < count; k++) {
            const char *t;
            seed = seed * 1103515245u + 12345u;
            t = tokens[(seed >> 16) % ntok];
            memcpy(s + n, t, strlen(t));
            n += strlen(t);
        }
        seed = seed * 1103515245u + 12345u;
        if (expr_parse(s, n, &e, NULL) == IMGRAD_OK) {
            parsed++;
            (void)expr_eval(e, 0.5, -0.5);
            assert_true(expr_size(e) > 0);
            expr_free(e);
        } else {
            assert_null(e);
        }
    }
    assert_true(parsed > 100); /* real formulas come up too */
}

/* Domain errors give NaN or infinity, and constant powers of negatives stay finite. */
static void test_non_finite(void **state)
{
    expr_tree *e = parse_ok("log(x)");
    expr_dual d;

    (void)state;
    assert_true(isnan(expr_eval(e, -1, 0).v));
    expr_free(e);
    e = parse_ok("1/x");
    assert_true(isinf(expr_eval(e, 0, 0).v));
    expr_free(e);
    e = parse_ok("x^2 + y^3");
    d = expr_eval(e, -2, -1);
    assert_true(d.v == 3 && d.dx == -4 && d.dy == 3);
    expr_free(e);
}

/* Sampling puts y = max on row 0 and both ends of each range on the grid. */
static void test_sample_orientation(void **state)
{
    expr_tree *e = parse_ok("10*x + y");
    expr_window w = { -1, 2, 3, 5 };
    imgrad_grid f, gy;

    (void)state;
    assert_int_equal(imgrad_grid_init(&f, 4, 3), IMGRAD_OK);
    assert_int_equal(imgrad_grid_init(&gy, 4, 3), IMGRAD_OK);
    assert_int_equal(expr_sample(e, &w, &f, NULL, &gy), IMGRAD_OK);
    assert_true(f.data[0] == -10 + 5);      /* top left: x = -1, y = 5 */
    assert_true(f.data[3] == 20 + 5);       /* top right: x = 2 */
    assert_true(f.data[2 * 4 + 0] == -10 + 3); /* bottom left: y = 3 */
    assert_true(f.data[1 * 4 + 1] == 0 + 4);
    assert_true(gy.data[5] == 1);
    imgrad_grid_free(&f);
    imgrad_grid_free(&gy);
    expr_free(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_values_and_partials),
        cmocka_unit_test(test_partials_match_differences),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_length_bounds),
        cmocka_unit_test(test_deep_nesting),
        cmocka_unit_test(test_random_input),
        cmocka_unit_test(test_non_finite),
        cmocka_unit_test(test_sample_orientation),
    };
    return cmocka_run_group_tests_name("expr", tests, NULL, NULL);
}
