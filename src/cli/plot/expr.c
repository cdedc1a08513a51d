/* expr.c - a recursive-descent parser for formulas in x and y that emits a
 * postfix program, and an evaluator that runs it on dual numbers so every
 * value comes with its exact gradient.  See expr.h for the grammar. */
#include "expr.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef enum op {
    OP_CONST, OP_VAR, OP_NEG, OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_POW,
    /* one argument */
    OP_SIN, OP_COS, OP_TAN, OP_ASIN, OP_ACOS, OP_ATAN, OP_SINH, OP_COSH, OP_TANH,
    OP_EXP, OP_LOG, OP_LOG10, OP_SQRT, OP_ABS, OP_FLOOR, OP_CEIL,
    /* two arguments */
    OP_ATAN2, OP_HYPOT, OP_MIN, OP_MAX
} op;

typedef struct instr {
    unsigned char op; /* an op */
    double k;         /* the value of OP_CONST, the index of OP_VAR */
} instr;

struct expr_tree {
    instr *code;  /* postfix: operands before their operator */
    size_t count; /* instructions in code */
    int nvars;    /* variables, named in names[] in index order */
    char names[EXPR_MAX_VARS][EXPR_MAX_NAME + 1];
};

/* The evaluator's stack lives on the C stack; a program that would need more
 * is refused by the parser. */
#define EVAL_STACK 512

static const struct {
    const char *name;
    int arity;
    op code;
} functions[] = {
    { "sin", 1, OP_SIN },     { "cos", 1, OP_COS },     { "tan", 1, OP_TAN },
    { "asin", 1, OP_ASIN },   { "acos", 1, OP_ACOS },   { "atan", 1, OP_ATAN },
    { "sinh", 1, OP_SINH },   { "cosh", 1, OP_COSH },   { "tanh", 1, OP_TANH },
    { "exp", 1, OP_EXP },     { "log", 1, OP_LOG },     { "log10", 1, OP_LOG10 },
    { "sqrt", 1, OP_SQRT },   { "abs", 1, OP_ABS },     { "floor", 1, OP_FLOOR },
    { "ceil", 1, OP_CEIL },   { "atan2", 2, OP_ATAN2 }, { "hypot", 2, OP_HYPOT },
    { "min", 2, OP_MIN },     { "max", 2, OP_MAX },     { "pow", 2, OP_POW },
};

#define PI 3.14159265358979323846

/* ------------------------------------------------------------- parsing */

typedef struct parser {
    const char *s;   /* the text, not NUL-terminated */
    size_t len, pos; /* its length and the next unread byte */
    int depth;       /* current nesting, bounded by EXPR_MAX_DEPTH */
    int stack, peak; /* evaluation stack height after the code so far, and its peak */
    instr *code;
    size_t count, cap;
    int nvars;       /* variables met so far, in order of first appearance */
    char names[EXPR_MAX_VARS][EXPR_MAX_NAME + 1];
    const char *error; /* first error's message, NULL while all is well */
    size_t error_at;
    int nomem;
} parser;

static int sum(parser *p);

static int fail(parser *p, size_t at, const char *message)
{
    if (p->error == NULL) {
        p->error = message;
        p->error_at = at;
    }
    return 0;
}

static void skip_space(parser *p)
{
    while (p->pos < p->len && isspace((unsigned char)p->s[p->pos]))
        p->pos++;
}

/* The next non-space byte, or 0 at the end. */
static char peek(parser *p)
{
    skip_space(p);
    return p->pos < p->len ? p->s[p->pos] : '\0';
}

/* Appends an instruction that changes the stack height by effect. */
static int emit(parser *p, op code, double k, int effect)
{
    if (p->count == p->cap) {
        size_t cap = p->cap ? 2 * p->cap : 16;
        instr *grown = realloc(p->code, cap * sizeof *grown);
        if (grown == NULL) {
            p->nomem = 1;
            return fail(p, p->pos, "out of memory");
        }
        p->code = grown;
        p->cap = cap;
    }
    p->code[p->count].op = (unsigned char)code;
    p->code[p->count].k = k;
    p->count++;
    p->stack += effect;
    if (p->stack > p->peak)
        p->peak = p->stack;
    return 1;
}

/* Enters one level of nesting; the limit keeps recursion bounded. */
static int enter(parser *p)
{
    if (++p->depth > EXPR_MAX_DEPTH)
        return fail(p, p->pos, "expression nested too deeply");
    return 1;
}

/* A decimal number with optional fraction and exponent, parsed from a
 * bounded copy so that strtod never reads past len. */
static int number(parser *p)
{
    size_t start = p->pos, n;
    char buf[64];

    while (p->pos < p->len && (isdigit((unsigned char)p->s[p->pos]) || p->s[p->pos] == '.'))
        p->pos++;
    if (p->pos < p->len && (p->s[p->pos] == 'e' || p->s[p->pos] == 'E')) {
        size_t e = p->pos + 1;
        if (e < p->len && (p->s[e] == '+' || p->s[e] == '-'))
            e++;
        if (e < p->len && isdigit((unsigned char)p->s[e])) {
            p->pos = e;
            while (p->pos < p->len && isdigit((unsigned char)p->s[p->pos]))
                p->pos++;
        }
    }
    n = p->pos - start;
    if (n >= sizeof buf)
        return fail(p, start, "number too long");
    memcpy(buf, p->s + start, n);
    buf[n] = '\0';
    {
        char *end;
        double v = strtod(buf, &end);
        if (end != buf + n || n == 0)
            return fail(p, start, "malformed number");
        return emit(p, OP_CONST, v, 1);
    }
}

/* NAME '(' sum (',' sum)? ')' for the function at index f. */
static int call(parser *p, size_t f, size_t name_at)
{
    int args = 0;

    if (peek(p) != '(')
        return fail(p, p->pos, "expected '(' after a function name");
    p->pos++;
    for (;;) {
        if (!sum(p))
            return 0;
        args++;
        if (peek(p) != ',')
            break;
        p->pos++;
    }
    if (peek(p) != ')')
        return fail(p, p->pos, "expected ')' or ','");
    if (args != functions[f].arity)
        return fail(p, name_at, functions[f].arity == 1 ? "this function takes one argument"
                                                        : "this function takes two arguments");
    p->pos++;
    return emit(p, functions[f].code, 0, 1 - args);
}

/* A variable: its index in order of first appearance (renumbered at the
 * end, see order_variables). */
static int variable(parser *p, size_t start, size_t n)
{
    int k;

    if (n > EXPR_MAX_NAME)
        return fail(p, start, "variable name too long");
    for (k = 0; k < p->nvars; k++)
        if (strlen(p->names[k]) == n && memcmp(p->names[k], p->s + start, n) == 0)
            return emit(p, OP_VAR, k, 1);
    if (p->nvars == EXPR_MAX_VARS)
        return fail(p, start, "too many variables");
    memcpy(p->names[p->nvars], p->s + start, n);
    p->names[p->nvars][n] = '\0';
    return emit(p, OP_VAR, p->nvars++, 1);
}

/* A variable, pi, e or a function call. */
static int name(parser *p)
{
    size_t start = p->pos, n, f;

    while (p->pos < p->len && (isalnum((unsigned char)p->s[p->pos]) || p->s[p->pos] == '_'))
        p->pos++;
    n = p->pos - start;
#define IS(word) (n == sizeof(word) - 1 && memcmp(p->s + start, word, n) == 0)
    if (IS("pi"))
        return emit(p, OP_CONST, PI, 1);
    if (IS("e"))
        return emit(p, OP_CONST, exp(1.0), 1);
#undef IS
    for (f = 0; f < sizeof functions / sizeof functions[0]; f++)
        if (strlen(functions[f].name) == n && memcmp(functions[f].name, p->s + start, n) == 0)
            return call(p, f, start);
    if (peek(p) == '(')
        return fail(p, start, "unknown function");
    return variable(p, start, n);
}

static int primary(parser *p)
{
    char c = peek(p);

    if (isdigit((unsigned char)c) || c == '.')
        return number(p);
    if (isalpha((unsigned char)c))
        return name(p);
    if (c == '(') {
        size_t open = p->pos++;
        if (!sum(p))
            return 0;
        if (peek(p) != ')')
            return p->pos < p->len ? fail(p, p->pos, "expected ')'")
                                   : fail(p, open, "this '(' is never closed");
        p->pos++;
        return 1;
    }
    if (p->pos >= p->len)
        return fail(p, p->pos, "unexpected end of expression");
    return fail(p, p->pos, "expected a number, a variable, a function or '('");
}

static int unary(parser *p);

/* '^' or '**', consumed; 0 when the next token is neither. */
static int power_sign(parser *p)
{
    char c = peek(p);
    if (c == '^') {
        p->pos++;
        return 1;
    }
    if (c == '*' && p->pos + 1 < p->len && p->s[p->pos + 1] == '*') {
        p->pos += 2;
        return 1;
    }
    return 0;
}

static int power(parser *p)
{
    if (!primary(p))
        return 0;
    if (!power_sign(p))
        return 1;
    /* the exponent is a unary, so 2^-x and right-to-left 2^3^2 both work */
    return unary(p) && emit(p, OP_POW, 0, -1);
}

static int unary(parser *p)
{
    char c = peek(p);
    int ok;

    if (c != '-' && c != '+')
        return enter(p) && (ok = power(p), p->depth--, ok);
    p->pos++;
    if (!enter(p))
        return 0;
    ok = unary(p) && (c == '+' || emit(p, OP_NEG, 0, 0));
    p->depth--;
    return ok;
}

static int product(parser *p)
{
    if (!unary(p))
        return 0;
    for (;;) {
        char c = peek(p);
        if ((c != '*' && c != '/') || (c == '*' && p->pos + 1 < p->len && p->s[p->pos + 1] == '*'))
            return 1;
        p->pos++;
        if (!unary(p) || !emit(p, c == '*' ? OP_MUL : OP_DIV, 0, -1))
            return 0;
    }
}

static int sum(parser *p)
{
    int ok;

    if (!enter(p))
        return 0;
    ok = product(p);
    while (ok) {
        char c = peek(p);
        if (c != '+' && c != '-')
            break;
        p->pos++;
        ok = product(p) && emit(p, c == '+' ? OP_ADD : OP_SUB, 0, -1);
    }
    p->depth--;
    return ok;
}

/* The variables of e in their final order: x then y when the formula uses
 * no others (so "y^2" is still a function of x and y, for pictures), else
 * alphabetical (a, b; w0, w1; x, y, z).  The program's OP_VAR indices are
 * renumbered to match. */
static void order_variables(const parser *p, expr_tree *e)
{
    int k, m, rank[EXPR_MAX_VARS], only_xy = 1;
    size_t i;

    for (k = 0; k < p->nvars; k++)
        only_xy &= strcmp(p->names[k], "x") == 0 || strcmp(p->names[k], "y") == 0;
    if (only_xy) {
        e->nvars = 2;
        strcpy(e->names[0], "x");
        strcpy(e->names[1], "y");
        for (k = 0; k < p->nvars; k++)
            rank[k] = strcmp(p->names[k], "y") == 0;
    } else {
        e->nvars = p->nvars;
        for (k = 0; k < p->nvars; k++) {
            rank[k] = 0;
            for (m = 0; m < p->nvars; m++)
                rank[k] += strcmp(p->names[m], p->names[k]) < 0;
            strcpy(e->names[rank[k]], p->names[k]);
        }
    }
    for (i = 0; i < e->count; i++)
        if (e->code[i].op == OP_VAR)
            e->code[i].k = rank[(int)e->code[i].k];
}

imgrad_status expr_parse(const char *text, size_t len, expr_tree **out,
                                 expr_error *err)
{
    parser p;

    if (out == NULL || (text == NULL && len > 0))
        return IMGRAD_EINVAL;
    *out = NULL;
    memset(&p, 0, sizeof p);
    p.s = text;
    p.len = len;
    if (sum(&p) && peek(&p) != '\0')
        fail(&p, p.pos, p.pos < p.len && p.s[p.pos] == ')' ? "unbalanced ')'"
                                                           : "expected an operator");
    /* a NUL byte reads as the end in peek(); it is still inside the text */
    if (p.error == NULL && p.pos < p.len)
        fail(&p, p.pos, "invalid character");
    if (p.error == NULL && p.peak > EVAL_STACK)
        fail(&p, 0, "expression too complex");
    if (p.error == NULL && (*out = malloc(sizeof **out)) == NULL)
        fail(&p, 0, "out of memory"), p.nomem = 1;
    if (p.error != NULL) {
        free(p.code);
        if (err != NULL) {
            err->column = p.error_at;
            err->message = p.error;
        }
        return p.nomem ? IMGRAD_ENOMEM : IMGRAD_EINVAL;
    }
    (*out)->code = p.code;
    (*out)->count = p.count;
    order_variables(&p, *out);
    return IMGRAD_OK;
}

int expr_var_count(const expr_tree *e)
{
    return e != NULL ? e->nvars : 0;
}

const char *expr_var_name(const expr_tree *e, int k)
{
    return e != NULL && k >= 0 && k < e->nvars ? e->names[k] : "";
}

void expr_free(expr_tree *e)
{
    if (e != NULL) {
        free(e->code);
        free(e);
    }
}

size_t expr_size(const expr_tree *e)
{
    return e != NULL ? e->count : 0;
}

/* ---------------------------------------------------------- evaluation */

static expr_dual dual(double v, double dx, double dy)
{
    expr_dual d;
    d.v = v;
    d.dx = dx;
    d.dy = dy;
    return d;
}

/* g(a) by the chain rule, given g(a.v) and g'(a.v). */
static expr_dual chain(expr_dual a, double g, double dg)
{
    return dual(g, dg * a.dx, dg * a.dy);
}

/* a^b.  d(a^b) = b a^(b-1) da + a^b ln(a) db; the second term is left out
 * where db is 0, so a constant power of a negative base (x^2 at x < 0) does
 * not pick up the NaN of ln(a). */
static expr_dual dual_pow(expr_dual a, expr_dual b)
{
    double v = pow(a.v, b.v);
    double da = b.v == 0 ? 0 : b.v * pow(a.v, b.v - 1);
    double lb = log(a.v) * v;
    return dual(v, da * a.dx + (b.dx != 0 ? lb * b.dx : 0),
                da * a.dy + (b.dy != 0 ? lb * b.dy : 0));
}

static expr_dual dual_div(expr_dual a, expr_dual b)
{
    double q = a.v / b.v;
    return dual(q, (a.dx - q * b.dx) / b.v, (a.dy - q * b.dy) / b.v);
}

/* One-argument functions and their derivatives. */
static expr_dual apply1(op code, expr_dual a)
{
    double v = a.v, t;

    switch (code) {
    case OP_NEG:   return dual(-v, -a.dx, -a.dy);
    case OP_SIN:   return chain(a, sin(v), cos(v));
    case OP_COS:   return chain(a, cos(v), -sin(v));
    case OP_TAN:   t = tan(v); return chain(a, t, 1 + t * t);
    case OP_ASIN:  return chain(a, asin(v), 1 / sqrt(1 - v * v));
    case OP_ACOS:  return chain(a, acos(v), -1 / sqrt(1 - v * v));
    case OP_ATAN:  return chain(a, atan(v), 1 / (1 + v * v));
    case OP_SINH:  return chain(a, sinh(v), cosh(v));
    case OP_COSH:  return chain(a, cosh(v), sinh(v));
    case OP_TANH:  t = tanh(v); return chain(a, t, 1 - t * t);
    case OP_EXP:   t = exp(v); return chain(a, t, t);
    case OP_LOG:   return chain(a, log(v), 1 / v);
    case OP_LOG10: return chain(a, log10(v), 1 / (v * log(10.0)));
    case OP_SQRT:  t = sqrt(v); return chain(a, t, 0.5 / t);
    /* |v|, floor and ceil: the derivative where it exists; 0 at the kinks */
    case OP_ABS:   return chain(a, fabs(v), v > 0 ? 1 : v < 0 ? -1 : 0);
    case OP_FLOOR: return chain(a, floor(v), 0);
    case OP_CEIL:  return chain(a, ceil(v), 0);
    default:       return dual(NAN, NAN, NAN);
    }
}

/* Two-argument operators and functions. */
static expr_dual apply2(op code, expr_dual a, expr_dual b)
{
    double r;

    switch (code) {
    case OP_ADD: return dual(a.v + b.v, a.dx + b.dx, a.dy + b.dy);
    case OP_SUB: return dual(a.v - b.v, a.dx - b.dx, a.dy - b.dy);
    case OP_MUL: return dual(a.v * b.v, a.dx * b.v + a.v * b.dx, a.dy * b.v + a.v * b.dy);
    case OP_DIV: return dual_div(a, b);
    case OP_POW: return dual_pow(a, b);
    case OP_ATAN2: /* d atan2(a, b) = (b da - a db) / (a^2 + b^2) */
        r = a.v * a.v + b.v * b.v;
        return dual(atan2(a.v, b.v), (b.v * a.dx - a.v * b.dx) / r,
                    (b.v * a.dy - a.v * b.dy) / r);
    case OP_HYPOT: /* d hypot(a, b) = (a da + b db) / hypot(a, b) */
        r = hypot(a.v, b.v);
        return dual(r, (a.v * a.dx + b.v * b.dx) / r, (a.v * a.dy + b.v * b.dy) / r);
    case OP_MIN: return a.v <= b.v ? a : b;
    case OP_MAX: return a.v >= b.v ? a : b;
    default:     return dual(NAN, NAN, NAN);
    }
}

expr_dual expr_eval(const expr_tree *e, double x, double y)
{
    expr_dual stack[EVAL_STACK];
    int top = 0;
    size_t i;

    if (e == NULL || e->count == 0)
        return dual(NAN, NAN, NAN);
    /* the parser proved the program well formed: no underflow, no overflow */
    for (i = 0; i < e->count; i++) {
        const instr *in = &e->code[i];
        switch ((op)in->op) {
        case OP_CONST: stack[top++] = dual(in->k, 0, 0); break;
        case OP_VAR:
            stack[top++] = in->k == 0 ? dual(x, 1, 0) : in->k == 1 ? dual(y, 0, 1)
                                                       : dual(NAN, NAN, NAN);
            break;
        default:
            if (in->op >= OP_ATAN2 || (in->op >= OP_ADD && in->op <= OP_POW)) {
                top--;
                stack[top - 1] = apply2((op)in->op, stack[top - 1], stack[top]);
            } else {
                stack[top - 1] = apply1((op)in->op, stack[top - 1]);
            }
        }
    }
    return stack[0];
}

/* One row of samples; gx and gy rows may be NULL. */
static void sample_row(const expr_tree *e, const expr_window *w, int width, double y,
                       float *restrict f, float *restrict gx, float *restrict gy)
{
    int c;
    for (c = 0; c < width; c++) {
        expr_dual d = expr_eval(e, expr_axis_at(w->x0, w->x1, c, width), y);
        f[c] = (float)d.v;
        if (gx != NULL)
            gx[c] = (float)d.dx;
        if (gy != NULL)
            gy[c] = (float)d.dy;
    }
}

static int same_size(const imgrad_grid *a, const imgrad_grid *b)
{
    return b == NULL || (b->data != NULL && b->width == a->width && b->height == a->height);
}

imgrad_status expr_sample(const expr_tree *e, const expr_window *w,
                                  imgrad_grid *f, imgrad_grid *gx, imgrad_grid *gy)
{
    int r;

    if (e == NULL || w == NULL || f == NULL || f->data == NULL || f->width < 2
        || f->height < 2 || !same_size(f, gx) || !same_size(f, gy)
        || !(w->x0 < w->x1) || !(w->y0 < w->y1))
        return IMGRAD_EINVAL;
#pragma omp parallel for schedule(dynamic, 4)
    for (r = 0; r < f->height; r++) {
        /* row 0 is the top of the picture: y = y1 */
        double y = expr_axis_at(w->y1, w->y0, r, f->height);
        sample_row(e, w, f->width, y, f->data + (size_t)r * f->stride,
                   gx ? gx->data + (size_t)r * gx->stride : NULL,
                   gy ? gy->data + (size_t)r * gy->stride : NULL);
    }
    return IMGRAD_OK;
}

/* ------------------------------------------- second order: hyper-duals */

static expr_jet jet(double v, double a, double b, double ab)
{
    expr_jet r;
    r.v = v;
    r.a = a;
    r.b = b;
    r.ab = ab;
    return r;
}

/* g(u) given g, g' and g'' at u.v: (g o u)_ab = g'' u_a u_b + g' u_ab. */
static expr_jet jet_chain(expr_jet u, double g, double g1, double g2)
{
    return jet(g, g1 * u.a, g1 * u.b, g2 * u.a * u.b + g1 * u.ab);
}

static expr_jet jet_mul(expr_jet u, expr_jet w)
{
    return jet(u.v * w.v, u.a * w.v + u.v * w.a, u.b * w.v + u.v * w.b,
               u.ab * w.v + u.a * w.b + u.b * w.a + u.v * w.ab);
}

static expr_jet jet_div(expr_jet u, expr_jet w)
{
    const double r = 1 / w.v;
    return jet_mul(u, jet_chain(w, r, -r * r, 2 * r * r * r));
}

/* u^w: a constant exponent as the power rule (a negative base stays
 * finite), else exp(w log u). */
static expr_jet jet_pow(expr_jet u, expr_jet w)
{
    const double c = w.v;

    if (w.a == 0 && w.b == 0 && w.ab == 0)
        return jet_chain(u, pow(u.v, c), c == 0 ? 0 : c * pow(u.v, c - 1),
                         c == 0 || c == 1 ? 0 : c * (c - 1) * pow(u.v, c - 2));
    {
        const double l = log(u.v), p = pow(u.v, c);
        expr_jet e = jet_mul(w, jet_chain(u, l, 1 / u.v, -1 / (u.v * u.v)));
        return jet_chain(e, p, p, p);
    }
}

static expr_jet jet_apply1(op code, expr_jet u)
{
    const double v = u.v, q = 1 - v * v, s = 1 + v * v, ln10 = log(10.0);
    double t;

    switch (code) {
    case OP_NEG:   return jet(-v, -u.a, -u.b, -u.ab);
    case OP_SIN:   return jet_chain(u, sin(v), cos(v), -sin(v));
    case OP_COS:   return jet_chain(u, cos(v), -sin(v), -cos(v));
    case OP_TAN:   t = tan(v); return jet_chain(u, t, 1 + t * t, 2 * t * (1 + t * t));
    case OP_ASIN:  return jet_chain(u, asin(v), 1 / sqrt(q), v / (q * sqrt(q)));
    case OP_ACOS:  return jet_chain(u, acos(v), -1 / sqrt(q), -v / (q * sqrt(q)));
    case OP_ATAN:  return jet_chain(u, atan(v), 1 / s, -2 * v / (s * s));
    case OP_SINH:  return jet_chain(u, sinh(v), cosh(v), sinh(v));
    case OP_COSH:  return jet_chain(u, cosh(v), sinh(v), cosh(v));
    case OP_TANH:  t = tanh(v); return jet_chain(u, t, 1 - t * t, -2 * t * (1 - t * t));
    case OP_EXP:   t = exp(v); return jet_chain(u, t, t, t);
    case OP_LOG:   return jet_chain(u, log(v), 1 / v, -1 / (v * v));
    case OP_LOG10: return jet_chain(u, log10(v), 1 / (v * ln10), -1 / (v * v * ln10));
    case OP_SQRT:  t = sqrt(v); return jet_chain(u, t, 0.5 / t, -0.25 / (t * v));
    case OP_ABS:   return jet_chain(u, fabs(v), v > 0 ? 1 : v < 0 ? -1 : 0, 0);
    case OP_FLOOR: return jet_chain(u, floor(v), 0, 0);
    case OP_CEIL:  return jet_chain(u, ceil(v), 0, 0);
    default:       return jet(NAN, NAN, NAN, NAN);
    }
}

static expr_jet jet_apply2(op code, expr_jet u, expr_jet w)
{
    expr_jet r;

    switch (code) {
    case OP_ADD: return jet(u.v + w.v, u.a + w.a, u.b + w.b, u.ab + w.ab);
    case OP_SUB: return jet(u.v - w.v, u.a - w.a, u.b - w.b, u.ab - w.ab);
    case OP_MUL: return jet_mul(u, w);
    case OP_DIV: return jet_div(u, w);
    case OP_POW: return jet_pow(u, w);
    case OP_ATAN2: /* the derivatives of atan(u / w), the value of atan2 */
        r = jet_apply1(OP_ATAN, jet_div(u, w));
        r.v = atan2(u.v, w.v);
        return r;
    case OP_HYPOT:
        return jet_apply1(OP_SQRT, jet_apply2(OP_ADD, jet_mul(u, u), jet_mul(w, w)));
    case OP_MIN: return u.v <= w.v ? u : w;
    case OP_MAX: return u.v >= w.v ? u : w;
    default:     return jet(NAN, NAN, NAN, NAN);
    }
}

expr_jet expr_eval_jet(const expr_tree *e, const double *vars, int i, int j)
{
    expr_jet stack[EVAL_STACK];
    int top = 0, k;
    size_t n;

    if (e == NULL || e->count == 0 || (vars == NULL && e->nvars > 0))
        return jet(NAN, NAN, NAN, NAN);
    for (n = 0; n < e->count; n++) {
        const instr *in = &e->code[n];
        switch ((op)in->op) {
        case OP_CONST: stack[top++] = jet(in->k, 0, 0, 0); break;
        case OP_VAR:
            k = (int)in->k;
            stack[top++] = jet(vars[k], k == i, k == j, 0);
            break;
        default:
            if (in->op >= OP_ATAN2 || (in->op >= OP_ADD && in->op <= OP_POW)) {
                top--;
                stack[top - 1] = jet_apply2((op)in->op, stack[top - 1], stack[top]);
            } else {
                stack[top - 1] = jet_apply1((op)in->op, stack[top - 1]);
            }
        }
    }
    return stack[0];
}

/* ------------------------------------- stationary points (Newton) */

/* Solves the n x n system h s = g in place by Gaussian elimination with
 * partial pivoting (h and g are overwritten; s in g).  0 when h is
 * singular to working precision. */
static int solve(double h[EXPR_MAX_VARS][EXPR_MAX_VARS], double *g, int n)
{
    double scale = 0;
    int r, c, k;

    for (r = 0; r < n; r++)
        for (c = 0; c < n; c++)
            scale = fmax(scale, fabs(h[r][c]));
    for (k = 0; k < n; k++) {
        int best = k;
        for (r = k + 1; r < n; r++)
            if (fabs(h[r][k]) > fabs(h[best][k]))
                best = r;
        if (!(fabs(h[best][k]) > 1e-13 * scale))
            return 0;
        for (c = 0; c < n; c++) {
            double t = h[k][c];
            h[k][c] = h[best][c];
            h[best][c] = t;
        }
        { double t = g[k]; g[k] = g[best]; g[best] = t; }
        for (r = k + 1; r < n; r++) {
            const double m = h[r][k] / h[k][k];
            for (c = k; c < n; c++)
                h[r][c] -= m * h[k][c];
            g[r] -= m * g[k];
        }
    }
    for (k = n - 1; k >= 0; k--) {
        for (c = k + 1; c < n; c++)
            g[k] -= h[k][c] * g[c];
        g[k] /= h[k][k];
    }
    return 1;
}

/* The eigenvalues of the symmetric n x n matrix a (destroyed) into ev, by
 * cyclic Jacobi rotations (n is small). */
static void symmetric_eigenvalues(double a[EXPR_MAX_VARS][EXPR_MAX_VARS], int n, double *ev)
{
    int sweep, p, q, k;

    for (sweep = 0; sweep < 100; sweep++) {
        double off = 0;
        for (p = 0; p < n; p++)
            for (q = p + 1; q < n; q++)
                off += a[p][q] * a[p][q];
        if (off < 1e-300)
            break;
        for (p = 0; p < n; p++)
            for (q = p + 1; q < n; q++) {
                double theta, t, c, s;
                if (a[p][q] == 0)
                    continue;
                theta = (a[q][q] - a[p][p]) / (2 * a[p][q]);
                t = (theta >= 0 ? 1 : -1) / (fabs(theta) + sqrt(theta * theta + 1));
                c = 1 / sqrt(t * t + 1);
                s = t * c;
                for (k = 0; k < n; k++) { /* columns p and q */
                    const double kp = a[k][p], kq = a[k][q];
                    a[k][p] = c * kp - s * kq;
                    a[k][q] = s * kp + c * kq;
                }
                for (k = 0; k < n; k++) { /* rows p and q */
                    const double pk = a[p][k], qk = a[q][k];
                    a[p][k] = c * pk - s * qk;
                    a[q][k] = s * pk + c * qk;
                }
            }
    }
    for (k = 0; k < n; k++)
        ev[k] = a[k][k];
}

/* The gradient and Hessian of e at p (n variables). */
static void derivatives(const expr_tree *e, const double *p, int n, double *g,
                        double h[EXPR_MAX_VARS][EXPR_MAX_VARS])
{
    int r, c;

    for (r = 0; r < n; r++)
        for (c = r; c < n; c++) {
            const expr_jet d = expr_eval_jet(e, p, r, c);
            h[r][c] = h[c][r] = d.ab;
            if (c == r)
                g[r] = d.a;
        }
}

int expr_stationary(const expr_tree *e, const double *start, expr_stationary_point *out)
{
    const int n = expr_var_count(e);
    double h[EXPR_MAX_VARS][EXPR_MAX_VARS], s[EXPR_MAX_VARS];
    int k, step;

    memset(out, 0, sizeof *out);
    memcpy(out->point, start, (size_t)n * sizeof *start);
    for (step = 0; step <= EXPR_MAX_NEWTON; step++) {
        double size = 0, norm = 0;
        derivatives(e, out->point, n, out->gradient, h);
        memcpy(s, out->gradient, (size_t)n * sizeof *s);
        if (!solve(h, s, n))
            return EXPR_SINGULAR;
        for (k = 0; k < n; k++) {
            out->point[k] -= s[k];
            size = fmax(size, fabs(s[k]));
            norm = fmax(norm, fabs(out->point[k]));
            if (!isfinite(out->point[k]))
                return EXPR_DIVERGED;
        }
        out->steps = step + 1;
        if (size <= 1e-13 * (1 + norm))
            break;
    }
    derivatives(e, out->point, n, out->gradient, h);
    out->value = expr_eval_jet(e, out->point, -1, -1).v;
    symmetric_eigenvalues(h, n, out->eigenvalues);
    return out->steps > EXPR_MAX_NEWTON ? EXPR_NO_CONVERGENCE : EXPR_CONVERGED;
}
