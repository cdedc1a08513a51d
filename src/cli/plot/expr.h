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
 *     primary := number | VAR | 'pi' | 'e' | NAME '(' sum (',' sum)? ')'
 *              | '(' sum ')'
 *
 * VAR is any other name (letters, digits, '_', from a letter): the formula's
 * variables.  A formula in x and y alone (or one of them, or none) has the
 * two variables x, y in that order; any other has its own names in
 * alphabetical order (a, b; w0, w1; x, y, z): expr_var_name.
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

/* Variables: at most this many, names at most EXPR_MAX_NAME bytes. */
#define EXPR_MAX_VARS 32
#define EXPR_MAX_NAME 31

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

/* How many variables e has (2 for a formula in x and y) and the name of
 * the k-th ("" out of range). */
int expr_var_count(const expr_tree *e);
const char *expr_var_name(const expr_tree *e, int k);

/* A second-order (hyper-)dual number: f, its derivatives along two
 * directions a and b, and the mixed second derivative d2f / da db. */
typedef struct expr_jet {
    double v, a, b, ab;
} expr_jet;

/* f at the point vars[0 .. expr_var_count(e)) with a = d/d vars[i], b =
 * d/d vars[j] and ab = d2f / d vars[i] d vars[j] (i or j -1: that direction
 * unused, its parts 0).  Exact up to rounding; pure, as expr_eval. */
expr_jet expr_eval_jet(const expr_tree *e, const double *vars, int i, int j);

/* Where the gradient vanishes, by Newton's method with the exact Hessian
 * (expr_eval_jet), from a start point; at most EXPR_MAX_NEWTON steps, until
 * a step is below 1e-13 of the point's size. */
#define EXPR_MAX_NEWTON 100
typedef struct expr_stationary_point {
    double point[EXPR_MAX_VARS];
    double value;                    /* f there */
    double gradient[EXPR_MAX_VARS];  /* what remains of it */
    double eigenvalues[EXPR_MAX_VARS]; /* of the Hessian there, in no order */
    int steps;                       /* Newton steps taken */
} expr_stationary_point;
enum { EXPR_CONVERGED, EXPR_NO_CONVERGENCE, EXPR_SINGULAR, EXPR_DIVERGED };

/* Runs Newton's method on e from start (expr_var_count(e) values) into
 * *out.  Returns EXPR_CONVERGED; EXPR_NO_CONVERGENCE (out holds the last
 * point), EXPR_SINGULAR (the Hessian cannot be inverted at out->point) or
 * EXPR_DIVERGED (a step was not finite). */
int expr_stationary(const expr_tree *e, const double *start, expr_stationary_point *out);

/* f and its exact gradient at (x, y): the first two variables (a third
 * and later ones read as NaN).  Pure: e is only read, so threads may
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
