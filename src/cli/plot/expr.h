/* expr.h - private to libimgrad: formulas in x and y, parsed once into a
 * compact postfix program and evaluated with exact first derivatives.
 *
 *     expr_tree *e;
 *     expr_error err;
 *     if (expr_parse(text, strlen(text), &e, &err) != IMGRAD_OK)
 *         ... err.column is the byte under which to put a caret ...
 *     expr_dual d = expr_eval(e, 1.0, 2.0);  // d.v, d.dx, d.dy
 *     expr_free(e);
 *
 * Grammar (lowest precedence first; ^ and ** bind right to left and tighter
 * than unary minus, so -x^2 is -(x^2) and 2^-1 is 0.5):
 *
 *     sum     := product (('+' | '-') product)*
 *     product := unary (('*' | '/') unary)*
 *     unary   := ('-' | '+') unary | power
 *     power   := primary (('^' | '**') unary)?
 *     primary := number | 'x' | 'y' | 'pi' | 'e' | NAME '(' sum (',' sum)? ')'
 *              | '(' sum ')'
 *
 * Numbers are decimal with an optional exponent (1.5e-3).  NAME is one of
 * sin cos tan asin acos atan sinh cosh tanh exp log log10 sqrt abs floor ceil
 * (one argument) or atan2 hypot min max pow (two). */
#ifndef IMGRAD_EXPR_H
#define IMGRAD_EXPR_H

#include "imgrad.h"

/* Parentheses, unary signs and powers may nest this deep; deeper input is a
 * syntax error, which keeps the parser's recursion and the evaluator's fixed
 * stack bounded for any input. */
#define EXPR_MAX_DEPTH 200

typedef struct expr_tree expr_tree;

/* Where and why parsing failed. */
typedef struct expr_error {
    size_t column;       /* byte offset into the text of the failing token */
    const char *message; /* static English text, never NULL after a failure */
} expr_error;

/* A value with its two partial derivatives (forward-mode automatic
 * differentiation: every operation applies the chain rule to dx and dy). */
typedef struct expr_dual {
    double v;  /* f(x, y) */
    double dx; /* d f / d x */
    double dy; /* d f / d y */
} expr_dual;

/* Parses len bytes at text (need not be NUL-terminated; a NUL byte inside is
 * an invalid character).  On success *out is a new program for
 * expr_free and IMGRAD_OK is returned.  A syntax error returns
 * IMGRAD_EINVAL with err (may be NULL) filled; ENOMEM when out of memory.
 * On failure *out is NULL.  Never reads outside text[0..len-1], whatever the
 * input: this is the entry point for fuzzing.  text may be NULL when len is 0. */
imgrad_status expr_parse(const char *text, size_t len,
                                               expr_tree **out,
                                               expr_error *err);

/* Frees e; NULL is fine. */
void expr_free(expr_tree *e);

/* Instructions in e's postfix program (for tests and curiosity). */
size_t expr_size(const expr_tree *e);

/* f and its exact gradient at (x, y).  Pure: e is only read, so threads may
 * share it.  Domain errors give NaN or infinities, never a trap. */
expr_dual expr_eval(const expr_tree *e, double x, double y);

/* The window a grid samples: columns from x0 to x1 (both included), rows
 * from y1 at row 0 down to y0 at the last row (math orientation). */
typedef struct expr_window {
    double x0, x1; /* x of the first and last column, x0 < x1 */
    double y0, y1; /* y of the last and first row, y0 < y1 */
} expr_window;

/* Position i of n >= 2 evenly spaced points from lo to hi, hitting hi exactly. */
static inline double expr_axis_at(double lo, double hi, int i, int n)
{
    return i == n - 1 ? hi : lo + (hi - lo) * i / (n - 1);
}

/* Samples e over w into f, and its exact partials into gx and gy when those
 * are not NULL.  All given grids must be allocated with the same size, at
 * least 2 x 2.  Rows are evaluated in parallel.  EINVAL on a bad argument. */
imgrad_status expr_sample(const expr_tree *e, const expr_window *w,
                                                imgrad_grid *f, imgrad_grid *gx,
                                                imgrad_grid *gy);

#endif
