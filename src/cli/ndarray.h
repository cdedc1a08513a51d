/* ndarray.h - the main job on .npy arrays of any rank (ndarray.c):
 * numpy.gradient through imgrad_gradient_nd, one .npy per differentiated
 * axis.  gradient.c parses the options into a cli_nd and hands each input
 * to cli_nd_process first. */
#ifndef IMGRAD_CLI_NDARRAY_H
#define IMGRAD_CLI_NDARRAY_H

#include "imgrad.h"

#include <stdio.h>

/* Option codes of the N-D options, after the batch's (1000..). */
enum { CLI_OPT_ND_AXIS = 1100, CLI_OPT_ND_SPACING, CLI_OPT_ND_DTYPE };

#define CLI_ND_LONG_OPTIONS                                        \
    { "axis", required_argument, NULL, CLI_OPT_ND_AXIS },          \
    { "spacing", required_argument, NULL, CLI_OPT_ND_SPACING },    \
    { "dtype", required_argument, NULL, CLI_OPT_ND_DTYPE }

/* A step as the command line gave it: its value and the type numpy would
 * see ("7" an int, "7.0" or "0.5" a float: numpy 1.24's value-based casting
 * tells them apart on float16 arrays). */
typedef struct cli_nd_step {
    int given;
    double value;
    imgrad_dtype type;
} cli_nd_step;

typedef struct cli_nd {
    int active;                  /* --axis, --spacing or --dtype given: 2-D
                                    .npy inputs take this path too */
    int naxes;                   /* --axis: how many, 0 = every axis */
    int axes[IMGRAD_MAX_NDIM];
    int nlist;                   /* --spacing V[,V...]: how many values */
    cli_nd_step list[IMGRAD_MAX_NDIM];
    cli_nd_step per_axis[IMGRAD_MAX_NDIM]; /* --spacing AXIS=V */
    cli_nd_step dx, dy;          /* --dx: the last axis, --dy: the one before */
    imgrad_dtype dtype;          /* outputs: FLOAT32 (default) or FLOAT64 */
    /* filled by the job before the batch runs */
    int edge_order;
    int want_magnitude;          /* also write NAME.magnitude.npy */
    const char *other_product;   /* a wanted product N-D arrays do not have */
    int format_npy;              /* --format npy */
    int coords_given;            /* --x-coords or --y-coords */
    int to_stdout;               /* -o - */
    int verbose;
    const char *outdir;
} cli_nd;

/* Defaults: every axis, unit steps, float32 outputs. */
void cli_nd_default(cli_nd *nd);

/* Applies an N-D option (CLI_OPT_ND_*) or notes --dx / --dy's text (c is
 * 'x' or 'y'): 1 if taken, 0 after a message, -1 when c is none of them. */
int cli_nd_option(cli_nd *nd, int c, const char *arg);

/* The N-D options as "axis=... spacing=... dtype=..." into buf (cap bytes,
 * cut if longer), for the records that tell when outputs are up to date. */
void cli_nd_recipe(const cli_nd *nd, char *buf, size_t cap);

/* The N-D part of --help. */
void cli_nd_usage(FILE *to);

/* Processes the input at path (outputs OUTDIR/key.dK.npy) when it belongs
 * to this path: a .npy of rank other than 2, or any .npy while nd->active.
 * Returns 1 (written), 0 (failed, after a message) or -1 (not an N-D input:
 * the picture path takes it). */
int cli_nd_process(const cli_nd *nd, const char *path, const char *key, int threads);

#endif
