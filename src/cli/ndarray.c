/* ndarray.c - the main job on .npy arrays of any rank: numpy.gradient
 * (imgrad_gradient_nd), one output per differentiated axis.
 *
 *     imgrad --format npy --dx 7 v.npy          -> v.d0.npy (+ v.magnitude.npy)
 *     imgrad --format npy vol.npy               -> vol.d0.npy vol.d1.npy vol.d2.npy
 *     imgrad --format npy --axis 1,2 stack.npy  -> stack.d1.npy stack.d2.npy
 *
 * dK is the derivative along numpy's axis K: np.gradient(a, axis=K).  In
 * 2-D, d0 is gy and d1 is gx; in 3-D, d0, d1, d2 are gz, gy, gx.  Values are
 * numpy's, computed in the array's precision as numpy does (integers in
 * float64), written as float32 (rounded once) or, with --dtype float64, as
 * float64. */
#include "cli.h"
#include "ndarray.h"
#include "batch.h"

#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void cli_nd_default(cli_nd *nd)
{
    memset(nd, 0, sizeof *nd);
    nd->dtype = IMGRAD_DT_FLOAT32;
    nd->edge_order = 1;
}

void cli_nd_usage(FILE *to)
{
    fputs(
"N-D arrays (.npy of any rank; docs/python.md):\n"
"  A .npy input of rank 1 or 3 and more (or any .npy with the options below)\n"
"  gives numpy.gradient: OUTDIR/NAME.dK.npy, the derivative along numpy's\n"
"  axis K, for each differentiated axis (2-D: d0 = gy, d1 = gx; 3-D: d0,\n"
"  d1, d2 = gz, gy, gx), and NAME.magnitude.npy (their Euclidean norm)\n"
"  unless --outputs leaves it out.  Needs --format npy.\n"
"      --axis LIST        axes to differentiate (numpy's axis=), e.g. 1,2;\n"
"                         negative counts from the end (default: all)\n"
"      --spacing LIST     numpy's varargs: one step for every axis (7), one\n"
"                         per differentiated axis (1,0.5,0.5), or AXIS=STEP\n"
"                         (repeatable); --dx is the last axis' step, --dy\n"
"                         the one before; AXIS=STEP wins, then --dx/--dy\n"
"      --dtype float32|float64  outputs' type (default float32: numpy's\n"
"                         result rounded once; float64: numpy's own bits)\n", to);
}

/* One step: "7" is an int to numpy, "7.0", "0.5", "1e3" are floats. */
static int parse_step(const char *opt, const char *s, cli_nd_step *out)
{
    double v;

    if (!cli_parse_double(s, &v) || v == 0) {
        cli_error(NULL, "--%s: expected a nonzero finite number, got '%s'", opt, s);
        return 0;
    }
    out->given = 1;
    out->value = v;
    out->type = strpbrk(s, ".eEnN") == NULL ? IMGRAD_DT_INT64 : IMGRAD_DT_FLOAT64;
    return 1;
}

/* --axis 1,2 or --axis -1: distinct integers in -32..31 (checked against
 * each input's rank later). */
static int parse_axes(cli_nd *nd, const char *arg)
{
    char buf[512], *tok, *save = NULL;
    int n = 0, a, k;

    if (strlen(arg) >= sizeof buf || arg[0] == '\0')
        return cli_error(NULL, "--axis: expected a list of axes such as 1,2, got '%s'", arg), 0;
    strcpy(buf, arg);
    for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        if (!cli_parse_int(tok, -IMGRAD_MAX_NDIM, IMGRAD_MAX_NDIM - 1, &a) || n == IMGRAD_MAX_NDIM)
            return cli_error(NULL, "--axis: expected axes in -%d..%d, got '%s'", IMGRAD_MAX_NDIM,
                             IMGRAD_MAX_NDIM - 1, tok), 0;
        for (k = 0; k < n; k++)
            if (nd->axes[k] == a)
                return cli_error(NULL, "--axis: axis %d is repeated", a), 0;
        nd->axes[n++] = a;
    }
    nd->naxes = n;
    return 1;
}

/* --spacing 7, --spacing 1,0.5,0.5 or --spacing 2=0.5 */
static int parse_spacing(cli_nd *nd, const char *arg)
{
    char buf[512], *tok, *save = NULL, *eq;
    int axis;

    if (strlen(arg) >= sizeof buf)
        return cli_error(NULL, "--spacing: too long"), 0;
    strcpy(buf, arg);
    if ((eq = strchr(buf, '=')) != NULL) {
        *eq = '\0';
        if (!cli_parse_int(buf, 0, IMGRAD_MAX_NDIM - 1, &axis))
            return cli_error(NULL, "--spacing AXIS=STEP: expected an axis in 0..%d, got '%s'",
                             IMGRAD_MAX_NDIM - 1, buf), 0;
        return parse_step("spacing", eq + 1, &nd->per_axis[axis]);
    }
    nd->nlist = 0;
    for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        if (nd->nlist == IMGRAD_MAX_NDIM)
            return cli_error(NULL, "--spacing: at most %d steps", IMGRAD_MAX_NDIM), 0;
        if (!parse_step("spacing", tok, &nd->list[nd->nlist++]))
            return 0;
    }
    if (nd->nlist == 0)
        return cli_error(NULL, "--spacing: expected a step or a list of steps"), 0;
    return 1;
}

int cli_nd_option(cli_nd *nd, int c, const char *arg)
{
    switch (c) {
    case 'x': return parse_step("dx", arg, &nd->dx);
    case 'y': return parse_step("dy", arg, &nd->dy);
    case CLI_OPT_ND_AXIS: nd->active = 1; return parse_axes(nd, arg);
    case CLI_OPT_ND_SPACING: nd->active = 1; return parse_spacing(nd, arg);
    case CLI_OPT_ND_DTYPE:
        nd->active = 1;
        if (strcmp(arg, "float32") == 0 || strcmp(arg, "f4") == 0)
            return nd->dtype = IMGRAD_DT_FLOAT32, 1;
        if (strcmp(arg, "float64") == 0 || strcmp(arg, "f8") == 0)
            return nd->dtype = IMGRAD_DT_FLOAT64, 1;
        return cli_error(NULL, "--dtype: unknown value '%s' (choose float32, float64)", arg), 0;
    }
    return -1;
}

/* " NAME=VALUE:TYPE" of a given step at the end of buf. */
static void add_step(char *buf, size_t cap, const char *name, const cli_nd_step *s)
{
    const size_t n = strlen(buf);

    if (s->given && n < cap)
        snprintf(buf + n, cap - n, " %s=%.17g:%s", name, s->value,
                 s->type == IMGRAD_DT_INT64 ? "int" : "float");
}

void cli_nd_recipe(const cli_nd *nd, char *buf, size_t cap)
{
    char name[32];
    int k;

    snprintf(buf, cap, "dtype=%s axis=", nd->dtype == IMGRAD_DT_FLOAT64 ? "float64" : "float32");
    for (k = 0; k < nd->naxes && strlen(buf) < cap; k++)
        snprintf(buf + strlen(buf), cap - strlen(buf), "%s%d", k ? "," : "", nd->axes[k]);
    for (k = 0; k < nd->nlist; k++) {
        snprintf(name, sizeof name, "spacing%d", k);
        add_step(buf, cap, name, &nd->list[k]);
    }
    for (k = 0; k < IMGRAD_MAX_NDIM; k++) {
        snprintf(name, sizeof name, "spacing-axis%d", k);
        add_step(buf, cap, name, &nd->per_axis[k]);
    }
    add_step(buf, cap, "nd-dx", &nd->dx);
    add_step(buf, cap, "nd-dy", &nd->dy);
}

/* The options of imgrad_gradient_nd for an array of rank ndim: the axes
 * (made non-negative) and each one's step.  0 after a message. */
static int make_options(const cli_nd *nd, const char *path, int ndim, int threads,
                        imgrad_nd_options *o)
{
    int k, n;

    imgrad_nd_options_default(o);
    o->edge_order = nd->edge_order;
    o->threads = threads;
    n = nd->naxes ? nd->naxes : ndim;
    for (k = 0; k < n; k++) {
        const int a = nd->naxes ? nd->axes[k] : k;
        if (a >= ndim || a < -ndim)
            return cli_error(path, "--axis %d: the array has %d axes (0..%d)", a, ndim,
                             ndim - 1), 0;
        o->axes[k] = a < 0 ? a + ndim : a;
    }
    o->naxes = n;
    if (nd->nlist > 1 && nd->nlist != n)
        return cli_error(path, "--spacing gives %d steps for %d differentiated axes: give "
                         "one, or one per axis", nd->nlist, n), 0;
    for (k = 0; k < n; k++) {
        const int a = o->axes[k];
        const cli_nd_step *s = nd->per_axis[a].given ? &nd->per_axis[a]
                               : a == ndim - 1 && nd->dx.given ? &nd->dx
                               : a == ndim - 2 && nd->dy.given ? &nd->dy
                               : nd->nlist ? &nd->list[nd->nlist == 1 ? 0 : k] : NULL;
        if (s != NULL) {
            o->spacing[k].step = s->value;
            o->spacing[k].step_type = s->type;
        }
    }
    return 1;
}

/* Nonzero when path is a regular file that starts with the .npy magic
 * string.  Opened without blocking: a FIFO with no writer must not hang
 * (the picture path then names what it is). */
static int is_npy_file(const char *path)
{
    unsigned char head[6];
    struct stat st;
    int fd = open(path, O_RDONLY | O_NONBLOCK), yes;

    if (fd < 0)
        return 0;
    yes = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && read(fd, head, sizeof head) == 6
          && memcmp(head, "\x93NUMPY", 6) == 0;
    close(fd);
    return yes;
}

/* The problems of the job as a whole for an N-D input; 0 after a message. */
static int check_job(const cli_nd *nd, const char *path, int ndim)
{
    if (!nd->format_npy)
        return cli_error(path, "a %d-D array has no picture: add --format npy (writes one "
                         "NAME.dK.npy per axis)", ndim), 0;
    if (nd->other_product != NULL)
        return cli_error(path, "--outputs %s: a %d-D array gives dK (the derivative along "
                         "axis K, always written) and magnitude only%s", nd->other_product,
                         ndim, ndim == 2 ? " (in 2-D, gx is d1 and gy is d0)" : ""), 0;
    if (nd->coords_given)
        return cli_error(path, "--x-coords and --y-coords apply to 2-D pictures; on an "
                         "N-D array give steps with --spacing"), 0;
    if (nd->to_stdout)
        return cli_error(path, "-o -: an N-D array gives one output per axis; write them "
                         "to a folder"), 0;
    return 1;
}

/* Writes OUTDIR/key.NAME.npy from a, atomically; 0 after a message. */
static int put(const cli_nd *nd, const char *key, const char *name, const imgrad_array *a)
{
    const size_t size = strlen(nd->outdir) + strlen(key) + strlen(name) + 8;
    char *out = malloc(size);
    imgrad_file f;
    imgrad_status st = IMGRAD_ENOMEM;

    if (out != NULL) {
        snprintf(out, size, "%s/%s.%s.npy", nd->outdir, key, name);
        if ((st = cli_out_open(&f, out)) == IMGRAD_OK) {
            st = imgrad_write_npy_array_fp(f.fp, a, nd->dtype);
            if (st == IMGRAD_OK)
                st = cli_out_commit(&f);
            else
                cli_out_abort(&f);
        }
    }
    if (st != IMGRAD_OK)
        cli_error(out ? out : key, "cannot write: %s", cli_reason(st));
    else if (nd->verbose > 0)
        cli_note("wrote %s", out);
    free(out);
    return st == IMGRAD_OK;
}

/* sqrt(d0^2 + d1^2 + ...) over the n derivatives (C order, one dtype),
 * summed in that order in double, into a new array like d[0]. */
static int magnitude(const imgrad_array *d, int n, imgrad_array *m)
{
    size_t count = 1, i;
    double *v;
    int k;

    for (k = 0; k < d[0].ndim; k++)
        count *= d[0].shape[k];
    if ((v = malloc((count ? count : 1) * sizeof *v)) == NULL)
        return 0;
    for (i = 0; i < count; i++) {
        double s = 0;
        for (k = 0; k < n; k++) {
            const double g = d[k].dtype == IMGRAD_DT_FLOAT64 ? ((const double *)d[k].data)[i]
                                                             : ((const float *)d[k].data)[i];
            s += g * g;
        }
        v[i] = sqrt(s);
    }
    *m = d[0];
    m->dtype = IMGRAD_DT_FLOAT64;
    m->data = v;
    for (k = d[0].ndim - 1, i = sizeof(double); k >= 0; i *= d[0].shape[k], k--)
        m->strides[k] = (ptrdiff_t)i;
    return 1;
}

/* Computes and writes the derivatives of a; 0 after a message. */
static int run(const cli_nd *nd, const char *path, const char *key, const imgrad_array *a,
               int threads)
{
    imgrad_array d[IMGRAD_MAX_NDIM], m;
    imgrad_nd_options o;
    imgrad_status st;
    char name[16];
    int k, ok;

    if (!make_options(nd, path, a->ndim, threads, &o))
        return 0;
    memset(d, 0, sizeof d);
    if ((st = imgrad_gradient_nd(a, &o, d)) != IMGRAD_OK)
        return cli_error(path, "%s", st == IMGRAD_ETOOSMALL
                         ? "an axis is too short for --edge-order (needs edge order + 1 values)"
                         : cli_reason(st)), 0;
    for (ok = 1, k = 0; ok && k < o.naxes; k++) {
        snprintf(name, sizeof name, "d%d", o.axes[k]);
        ok = put(nd, key, name, &d[k]);
    }
    if (ok && nd->want_magnitude) {
        ok = magnitude(d, o.naxes, &m) ? put(nd, key, "magnitude", &m)
                                       : (cli_error(path, "out of memory"), 0);
        imgrad_free(m.data);
    }
    for (k = 0; k < o.naxes; k++)
        imgrad_free(d[k].data);
    return ok;
}

int cli_nd_process(const cli_nd *nd, const char *path, const char *key, int threads)
{
    imgrad_array a;
    imgrad_status st;
    int ok;

    if (strcmp(path, "-") == 0 || !is_npy_file(path)) {
        if (nd->active)
            return cli_error(path, "--axis, --spacing and --dtype apply to .npy arrays, not "
                             "to pictures"), 0;
        return -1;
    }
    if ((st = imgrad_read_npy_array(path, &a)) != IMGRAD_OK) {
        if (st == IMGRAD_EUNSUPPORTED || st == IMGRAD_EFORMAT)
            return -1; /* the picture path names what it found */
        return cli_load_error(path, st), 0;
    }
    if (a.ndim == 2 && !nd->active) {
        imgrad_free(a.data);
        return -1;
    }
    if (a.dtype == IMGRAD_DT_BOOL || a.dtype == IMGRAD_DT_FLOAT16) {
        imgrad_free(a.data);
        return cli_error(path, "a %s array: %s", a.dtype == IMGRAD_DT_BOOL ? "bool" : "float16",
                         a.dtype == IMGRAD_DT_BOOL ? "numpy.gradient refuses it too; convert "
                         "it to an integer type" : "not taken by the program (the Python "
                         "package computes it); convert it to float32"), 0;
    }
    ok = check_job(nd, path, a.ndim) && run(nd, path, key, &a, threads);
    if (ok && nd->verbose > 0)
        cli_note("%s: a %d-D array", path, a.ndim);
    imgrad_free(a.data);
    return ok;
}
