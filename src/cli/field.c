/* cli_field.c - imgrad field EXPR: a function of x and y sampled on a grid,
 * its gradient by the core kernel and exactly by automatic differentiation,
 * gradient descent on it, and a picture of it all. */
#include "cli.h"
#include "plot/plot.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum product { F_F, F_GX, F_GY, F_MAGNITUDE, F_DIRECTION, F_GX_EXACT, F_GY_EXACT, F_ERROR,
               F_PLOT, F_COUNT };

static const struct {
    const char *name;
    imgrad_map map; /* for 8-bit image output */
} products[F_COUNT] = {
    [F_F] = { "f", IMGRAD_MAP_SIGNED },
    [F_GX] = { "gx", IMGRAD_MAP_SIGNED },
    [F_GY] = { "gy", IMGRAD_MAP_SIGNED },
    [F_MAGNITUDE] = { "magnitude", IMGRAD_MAP_UNSIGNED },
    [F_DIRECTION] = { "direction", IMGRAD_MAP_ANGLE },
    [F_GX_EXACT] = { "gx_exact", IMGRAD_MAP_SIGNED },
    [F_GY_EXACT] = { "gy_exact", IMGRAD_MAP_SIGNED },
    [F_ERROR] = { "error", IMGRAD_MAP_UNSIGNED },
    [F_PLOT] = { "plot", IMGRAD_MAP_UNSIGNED },
};

#define MAX_GRID 16384
#define MAX_LEVELS 256
/* Sampling evaluates the formula's program once per grid point: at most
 * this many instructions in all (a few seconds), so that a 60,000-term
 * formula on the default grid is refused rather than run for minutes. */
#define MAX_FIELD_WORK 2000000000.0
/* Newton's method for --stationary stops after this many steps. */
#define MAX_NEWTON_STEPS 100

typedef struct field_job {
    const char *text;          /* the formula as given */
    expr_window window;
    int grid_w, grid_h;        /* samples along x and along y */
    imgrad_gradient_options grad;       /* the core kernel's options */
    const char *outdir;
    const char *plot_file;     /* -o FILE.png or FILE.svg: the picture's name */
    int want[F_COUNT];
    int outputs_given;         /* --outputs seen */
    imgrad_format format;      /* for array products */
    int svg;                   /* the pictures as SVG rather than PNG */
    int size;                  /* picture width in pixels */
    double levels[MAX_LEVELS]; /* explicit level values, or */
    int level_count;           /* their number; */
    int level_auto;            /* else this many evenly spaced */
    int label_levels;
    int arrows, antigradient;
    plot_arrow_length arrow_length;
    int have_range;
    double range[2];           /* colour range, else f's finite range */
    int have_at, n_at;         /* --at: its values, one per variable */
    double at[EXPR_MAX_VARS];
    int have_stationary, n_start; /* --stationary: Newton's start point */
    double stationary[EXPR_MAX_VARS];
    int have_descent, steps, grid_method, trace;
    double start[2], rate;
    int quiet;
} field_job;

/* The grids of one run, all grid_w x grid_h, math orientation. */
typedef struct field_grids {
    imgrad_grid g[F_PLOT];
} field_grids;

static void usage(FILE *to)
{
    fputs(
"Usage: imgrad field EXPR [OPTIONS]\n"
"Samples a function of x and y on a grid, takes its gradient with imgrad's\n"
"kernel and exactly (automatic differentiation), and draws it.\n"
"\n"
"EXPR uses x, y, numbers (1.5e-3), pi, e, + - * / ^ ** and parentheses, and\n"
"sin cos tan asin acos atan sinh cosh tanh exp log log10 sqrt abs floor ceil\n"
"atan2 hypot min max pow.  -x^2 is -(x^2).  Quote it; an EXPR that starts\n"
"with '-' goes after '--'.\n"
"\n"
"Grid (y grows upwards: row 0 of every array is y = D):\n"
"      --x A:B              x range, both ends sampled (default -2:2)\n"
"      --y C:D              y range (default -2:2)\n"
"      --grid WxH           W columns over x, H rows over y (default 201x201)\n"
"      --edge-order N       1 (default) or 2, as for the main job\n"
"  -t, --threads N          threads for the kernel\n"
"\n"
"Outputs (files OUTDIR/field.<product>.<ext>):\n"
"  -o, --output-dir DIR     default imgrad-out; or a file name ending in .png\n"
"                           or .svg for the picture alone (-o bowl.svg)\n"
"      --outputs LIST       f, gx, gy, magnitude, direction (grid gradient,\n"
"                           gy = df/dy), gx_exact, gy_exact (exact partials),\n"
"                           error (hypot of grid minus exact), plot (the\n"
"                           picture).  Default plot, or nothing when --at\n"
"                           is given\n"
"      --format FMT         npy (default) or png for the arrays (error as a\n"
"                           picture on an absolute log10 scale), or svg:\n"
"                           the pictures as SVG (arrays as npy)\n"
"      --at X,Y[,Z...]      print f, the exact gradient and the grid estimate\n"
"      --stationary X,Y[,Z...]  find where the gradient vanishes by Newton's\n"
"                           method from there (exact Hessian); print the\n"
"                           point, f, the gradient, the Hessian's eigenvalues\n"
"                           and whether it is a minimum, maximum or saddle\n"
"\n"
"Variables: a formula in x and y has those two; any other names its own\n"
"variables (a, w0, z, ...), taken in alphabetical order for --at and\n"
"--stationary ((5 - a - 2*b)^2 --at 1,1 is a = 1, b = 1).  Pictures and\n"
"arrays show two variables; with more, use --at or --stationary.\n"
"\n"
"Picture:\n"
"      --size N             width in pixels (default 1024)\n"
"      --levels N|LIST      N evenly spaced level lines (default 10), or the\n"
"                           values in LIST (write one value as '0.5,')\n"
"      --label-levels       print each level line's value on it\n"
"      --range LO:HI        colour range (default: f's finite range)\n"
"      --arrows N           gradient arrows across the width (default 16, 0 none)\n"
"      --arrow-length M     auto (default: proportional, the longest spans the\n"
"                           spacing), unit (all equal: direction only) or clip\n"
"                           (proportional, full at the 80th percentile of the\n"
"                           magnitudes, longer ones cut to full)\n"
"      --antigradient       arrows show -grad f (downhill)\n"
"      --descent X0,Y0      draw gradient descent from (X0, Y0)\n"
"      --rate R             step size (default 0.1): p <- p - R grad f(p)\n"
"      --steps N            steps (default 20)\n"
"      --method M           exact (default, automatic differentiation) or grid\n"
"                           (grid gradient, bilinear between samples)\n"
"      --trace              print the path as CSV (step,x,y,f) on stdout\n"
"\n"
"Values that are not finite (log of a negative, division by zero) are kept\n"
"as they are in .npy files, painted grey in the picture, skipped by level\n"
"lines and arrows, and counted in a warning on stderr.\n"
"  -q, --quiet              no warnings\n"
"  -h, --help               show this help\n", to);
}

static int parse_grid(field_job *j, const char *s)
{
    char w[32];
    const char *h;

    return cli_split_pair(s, 'x', w, sizeof w, &h) && cli_parse_int(w, 2, MAX_GRID, &j->grid_w)
           && cli_parse_int(h, 2, MAX_GRID, &j->grid_h);
}

static int parse_outputs(field_job *j, char *list)
{
    char *tok, *save = NULL;
    int p, any = 0;

    memset(j->want, 0, sizeof j->want);
    j->outputs_given = 1;
    for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        for (p = 0; p < F_COUNT && strcmp(tok, products[p].name) != 0; p++)
            ;
        if (p == F_COUNT) {
            cli_error("field", "--outputs: unknown product '%s' (try --help)", tok);
            return 0;
        }
        j->want[p] = any = 1;
    }
    return any || (cli_error("field", "--outputs: no product named"), 0);
}

/* An integer N, or a comma-separated list of level values. */
static int parse_levels(field_job *j, char *s)
{
    char *tok, *save = NULL;

    if (strchr(s, ',') == NULL)
        return cli_parse_int(s, 0, MAX_LEVELS, &j->level_auto);
    j->level_auto = 0;
    j->level_count = 0;
    for (tok = strtok_r(s, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
        if (j->level_count == MAX_LEVELS || !cli_parse_double(tok, &j->levels[j->level_count++]))
            return 0;
    return 1;
}

enum {
    OPT_X = 256, OPT_Y, OPT_GRID, OPT_OUTPUTS, OPT_FORMAT, OPT_EDGE_ORDER, OPT_AT, OPT_SIZE,
    OPT_LEVELS, OPT_RANGE, OPT_ARROWS, OPT_ANTI, OPT_DESCENT, OPT_RATE, OPT_STEPS, OPT_METHOD,
    OPT_TRACE, OPT_LABEL_LEVELS, OPT_ARROW_LENGTH, OPT_STATIONARY
};

static const struct option long_options[] = {
    { "x", required_argument, NULL, OPT_X },
    { "y", required_argument, NULL, OPT_Y },
    { "grid", required_argument, NULL, OPT_GRID },
    { "output-dir", required_argument, NULL, 'o' },
    { "outputs", required_argument, NULL, OPT_OUTPUTS },
    { "format", required_argument, NULL, OPT_FORMAT },
    { "edge-order", required_argument, NULL, OPT_EDGE_ORDER },
    { "threads", required_argument, NULL, 't' },
    { "at", required_argument, NULL, OPT_AT },
    { "stationary", required_argument, NULL, OPT_STATIONARY },
    { "size", required_argument, NULL, OPT_SIZE },
    { "levels", required_argument, NULL, OPT_LEVELS },
    { "range", required_argument, NULL, OPT_RANGE },
    { "arrows", required_argument, NULL, OPT_ARROWS },
    { "antigradient", no_argument, NULL, OPT_ANTI },
    { "descent", required_argument, NULL, OPT_DESCENT },
    { "rate", required_argument, NULL, OPT_RATE },
    { "steps", required_argument, NULL, OPT_STEPS },
    { "method", required_argument, NULL, OPT_METHOD },
    { "trace", no_argument, NULL, OPT_TRACE },
    { "label-levels", no_argument, NULL, OPT_LABEL_LEVELS },
    { "arrow-length", required_argument, NULL, OPT_ARROW_LENGTH },
    { "quiet", no_argument, NULL, 'q' },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 }
};

/* A point "X,Y[,Z...]": 1 to EXPR_MAX_VARS finite numbers into v, *n. */
static int parse_point(const char *s, double *v, int *n)
{
    char buf[1024], *tok, *save = NULL;

    if (strlen(s) >= sizeof buf)
        return 0;
    strcpy(buf, s);
    for (*n = 0, tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
        if (*n == EXPR_MAX_VARS || !cli_parse_double(tok, &v[(*n)++]))
            return 0;
    return *n > 0;
}

/* Options that take a range or a point. */
static int apply_pair(field_job *j, int c, const char *arg)
{
    double v[2];

    if (c == OPT_AT)
        return j->have_at = parse_point(arg, j->at, &j->n_at);
    if (c == OPT_STATIONARY)
        return j->have_stationary = parse_point(arg, j->stationary, &j->n_start);
    if (!cli_parse_pair(arg, c == OPT_AT || c == OPT_DESCENT ? ',' : ':', v))
        return 0;
    switch (c) {
    case OPT_X: j->window.x0 = v[0]; j->window.x1 = v[1]; return v[0] < v[1];
    case OPT_Y: j->window.y0 = v[0]; j->window.y1 = v[1]; return v[0] < v[1];
    case OPT_RANGE: j->range[0] = v[0]; j->range[1] = v[1]; j->have_range = 1; return v[0] < v[1];
    default: j->start[0] = v[0]; j->start[1] = v[1]; j->have_descent = 1; return 1;
    }
}

/* One option into j; 0 when its value is bad. */
static int apply_option(field_job *j, int c, char *arg)
{
    switch (c) {
    case OPT_X: case OPT_Y: case OPT_RANGE: case OPT_AT: case OPT_DESCENT: case OPT_STATIONARY:
        return apply_pair(j, c, arg);
    case OPT_GRID: return parse_grid(j, arg);
    case 'o': j->outdir = arg; return 1;
    case OPT_OUTPUTS: return parse_outputs(j, arg);
    case OPT_FORMAT:
        j->format = strcmp(arg, "png") == 0 ? IMGRAD_FORMAT_PNG : IMGRAD_FORMAT_NPY;
        j->svg = strcmp(arg, "svg") == 0;
        return j->svg || strcmp(arg, "png") == 0 || strcmp(arg, "npy") == 0
               || (cli_error("field", "--format: '%s' is not npy, png or svg", arg), 0);
    case OPT_LABEL_LEVELS: j->label_levels = 1; return 1;
    case OPT_ARROW_LENGTH:
        return plot_parse_arrow_length(arg, &j->arrow_length)
               || (cli_error("field", "--arrow-length: '%s' is not auto, unit or clip", arg), 0);
    case OPT_EDGE_ORDER: return cli_parse_int(arg, 1, 2, &j->grad.edge_order);
    case 't': return cli_parse_int(arg, 1, 1024, &j->grad.threads);
    case OPT_SIZE: return cli_parse_int(arg, 64, 16384, &j->size);
    case OPT_LEVELS: return parse_levels(j, arg);
    case OPT_ARROWS: return cli_parse_int(arg, 0, 1000, &j->arrows);
    case OPT_ANTI: j->antigradient = 1; return 1;
    case OPT_RATE: return cli_parse_double(arg, &j->rate);
    case OPT_STEPS: return cli_parse_int(arg, 0, 1000000, &j->steps);
    case OPT_METHOD:
        j->grid_method = strcmp(arg, "grid") == 0;
        return j->grid_method || strcmp(arg, "exact") == 0;
    case OPT_TRACE: j->trace = 1; return 1;
    case 'q': j->quiet = 1; return 1;
    }
    return 0;
}

/* The long name of option c, for messages. */
static const char *option_name(int c)
{
    size_t i;

    for (i = 0; long_options[i].name != NULL; i++)
        if (long_options[i].val == c)
            return long_options[i].name;
    return "?";
}

/* What option c takes, for the message about a bad value. */
static const char *expected(int c)
{
    switch (c) {
    case OPT_X: case OPT_Y: case OPT_RANGE: return "LO:HI, two finite numbers with LO < HI";
    case OPT_AT: case OPT_STATIONARY: case OPT_DESCENT:
        return "a point X,Y (one finite number per variable)";
    case OPT_GRID: return "WxH with W and H in 2..16384";
    case OPT_EDGE_ORDER: return "1 or 2";
    case 't': return "1..1024";
    case OPT_SIZE: return "64..16384";
    case OPT_LEVELS: return "a count in 0..256 or a list of up to 256 values";
    case OPT_ARROWS: return "0..1000";
    case OPT_RATE: return "a finite number";
    case OPT_STEPS: return "0..1000000";
    case OPT_METHOD: return "exact or grid";
    default: return "a valid value (see imgrad field --help)";
    }
}

static int apply_field_option(void *ctx, int c, const char *arg)
{
    if (apply_option(ctx, c, (char *)arg))
        return CLI_OPTION_OK;
    if (c != OPT_OUTPUTS && c != OPT_FORMAT && c != OPT_ARROW_LENGTH) /* those said why */
        cli_error("field", "--%s: expected %s, got '%s'", option_name(c), expected(c),
                  arg ? arg : "");
    return CLI_OPTION_BAD;
}

/* Nonzero when name ends in ext, ignoring case. */
static int ends_with(const char *name, const char *ext)
{
    size_t n = strlen(name), e = strlen(ext);
    return n > e && strcasecmp(name + n - e, ext) == 0;
}

/* -o FILE.png or FILE.svg names the picture itself (its folder must
 * exist); any other -o is a folder.  0 after a message when the file
 * name cannot hold what was asked for. */
static int picture_name(field_job *j)
{
    int p;

    if (!ends_with(j->outdir, ".png") && !ends_with(j->outdir, ".svg"))
        return 1;
    for (p = 0; p < F_PLOT; p++)
        if (j->want[p]) {
            cli_error("field", "-o %s is a file name, which holds the picture alone; give a "
                      "folder for --outputs %s", j->outdir, products[p].name);
            return 0;
        }
    j->plot_file = j->outdir;
    j->svg = ends_with(j->outdir, ".svg");
    j->want[F_PLOT] = j->want[F_PLOT] || !j->have_at;
    return 1;
}

/* Nonzero when word, given where an option was expected, reads as a
 * formula that starts with a minus ("-x^2", "-2*x", "-(x+y)"): it holds
 * something no option name has. */
static int looks_like_formula(const char *word)
{
    return word[0] == '-' && word[1] != '-' && word[1] != '\0'
           && strpbrk(word + 1, "^*/+()., 0123456789") != NULL;
}

/* Before getopt: a formula starting with '-' placed before '--' would be
 * taken for options; say where it goes.  Values of options (--at -1,2) are
 * skipped.  0 after the message. */
static int check_leading_minus(int argc, char **argv)
{
    int i, k;

    for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
        const char *w = argv[i];
        if (strncmp(w, "--", 2) == 0) {
            for (k = 0; long_options[k].name != NULL; k++)
                if (strncmp(w + 2, long_options[k].name, strlen(w + 2)) == 0)
                    break;
            i += long_options[k].name != NULL && strchr(w, '=') == NULL
                 && long_options[k].has_arg == required_argument;
        } else if (strcmp(w, "-o") == 0 || strcmp(w, "-t") == 0) {
            i++;
        } else if (looks_like_formula(w)) {
            cli_error("field", "'%s' starts with '-' and would be read as options: put the "
                      "expression after '--', as in imgrad field [OPTIONS] -- '%s'", w, w);
            return 0;
        }
    }
    return 1;
}

/* Parses argv into j.  Returns -1 to go on, or an exit status.  Options
 * may come after the expression even when '--' precedes it
 * (imgrad field -- "-x^2" --at 1,1): the words after it are parsed again. */
static int parse_args(field_job *j, int argc, char **argv)
{
    static const cli_command_line cl = { "field", "o:t:qh", long_options, usage,
                                         apply_field_option };
    char *sub[256];
    int rc, n, k;

    if (!check_leading_minus(argc, argv))
        return EXIT_USAGE;
    if ((rc = cli_options(&cl, argc, argv, j)) != -1)
        return rc;
    n = argc - optind; /* operands: the expression, then perhaps options */
    if (n > 1 && n <= (int)(sizeof sub / sizeof sub[0])) {
        sub[0] = argv[0];
        for (k = 1; k < n; k++)
            sub[k] = argv[optind + k];
        j->text = argv[optind];
        if ((rc = cli_options(&cl, n, sub, j)) != -1)
            return rc;
        n = optind < n ? 2 : 1; /* an operand left over: a second expression */
    } else if (n == 1) {
        j->text = argv[optind];
    }
    if (n != 1) {
        cli_error("field", n == 0 ? "no expression given" : "give one expression");
        fputs("Usage: imgrad field EXPR [OPTIONS]   (imgrad field --help for more;\n"
              "an EXPR starting with '-' goes after '--')\n", stderr);
        return EXIT_USAGE;
    }
    if (!j->outputs_given && !j->have_at && !j->have_stationary)
        j->want[F_PLOT] = 1;
    return picture_name(j) ? -1 : EXIT_USAGE;
}

static void job_default(field_job *j)
{
    memset(j, 0, sizeof *j);
    j->window.x0 = j->window.y0 = -2;
    j->window.x1 = j->window.y1 = 2;
    j->grid_w = j->grid_h = 201;
    imgrad_gradient_options_default(&j->grad);
    j->outdir = "imgrad-out";
    j->format = IMGRAD_FORMAT_NPY;
    j->size = 1024;
    j->level_auto = 10;
    j->arrows = 16;
    j->rate = 0.1;
    j->steps = 20;
}

/* Parses the formula; a syntax error shows it with a caret under the column. */
static expr_tree *parse_expr(const char *text)
{
    expr_tree *e;
    expr_error err;
    imgrad_status st = expr_parse(text, strlen(text), &e, &err);

    if (st == IMGRAD_EINVAL) {
        cli_error("field", "syntax error in the expression: %s", err.message);
        fprintf(stderr, "  %s\n  %*s^\n", text, (int)err.column, "");
        return NULL;
    }
    if (st != IMGRAD_OK) {
        cli_error("field", "%s", cli_reason(st));
        return NULL;
    }
    return e;
}

/* f and the exact partials by sampling, the rest from the core kernel with
 * the grid's spacing.  Rows run from y = D down to y = C, so the spacing
 * along rows is negative: the kernel's d/d(row) becomes d f / d y. */
static imgrad_status compute(const field_job *j, const expr_tree *e, field_grids *g)
{
    imgrad_gradient_options o = j->grad;
    imgrad_products want = { .gx = &g->g[F_GX], .gy = &g->g[F_GY], .magnitude = &g->g[F_MAGNITUDE], .direction = &g->g[F_DIRECTION] };
    imgrad_status st;
    int k, r, c;

    memset(g, 0, sizeof *g);
    for (k = 0; k < F_PLOT; k++)
        if (k != F_GX && k != F_GY && k != F_MAGNITUDE && k != F_DIRECTION
            && (st = imgrad_grid_init(&g->g[k], j->grid_w, j->grid_h)) != IMGRAD_OK)
            return st;
    st = expr_sample(e, &j->window, &g->g[F_F], &g->g[F_GX_EXACT], &g->g[F_GY_EXACT]);
    if (st != IMGRAD_OK)
        return st;
    o.dx = (j->window.x1 - j->window.x0) / (j->grid_w - 1);
    o.dy = -(j->window.y1 - j->window.y0) / (j->grid_h - 1);
    if ((st = imgrad_gradient(&g->g[F_F], &o, &want)) != IMGRAD_OK)
        return st;
    for (r = 0; r < j->grid_h; r++)
        for (c = 0; c < j->grid_w; c++) {
#define AT(k) g->g[k].data[(size_t)r * g->g[k].stride + c]
            AT(F_ERROR) = (float)hypot(AT(F_GX) - AT(F_GX_EXACT), AT(F_GY) - AT(F_GY_EXACT));
#undef AT
        }
    return IMGRAD_OK;
}

static void grids_free(field_grids *g)
{
    int k;
    for (k = 0; k < F_PLOT; k++)
        imgrad_grid_free(&g->g[k]);
}

/* Counts non-finite samples of f, and the finite range into lo, hi. */
static size_t scan_f(const imgrad_grid *f, double *lo, double *hi)
{
    size_t bad = 0, i, n = (size_t)f->width * f->height;

    *lo = INFINITY;
    *hi = -INFINITY;
    for (i = 0; i < n; i++) {
        double v = f->data[i / f->width * f->stride + i % f->width];
        if (!isfinite(v))
            bad++;
        else {
            *lo = fmin(*lo, v);
            *hi = fmax(*hi, v);
        }
    }
    return bad;
}

static char *output_path(const field_job *j, int product, const char *ext)
{
    size_t size = strlen(j->outdir) + strlen(products[product].name) + strlen(ext) + 10;
    char *path = malloc(size);
    if (path != NULL)
        snprintf(path, size, "%s/field.%s.%s", j->outdir, products[product].name, ext);
    return path;
}

/* Writes the field picture p to path as PNG or SVG; path appears whole
 * or not at all. */
static imgrad_status save_picture(const plot_field_plot *p, int size, int svg, const char *path)
{
    plot_canvas c;
    imgrad_status st;

    if (svg) {
        imgrad_file f;
        if ((st = imgrad_file_open(&f, path)) != IMGRAD_OK)
            return st;
        if ((st = plot_write_field_svg(p, size, f.fp)) == IMGRAD_OK)
            return imgrad_file_commit(&f);
        imgrad_file_abort(&f);
        return st;
    }
    if ((st = plot_render_field(p, size, &c)) != IMGRAD_OK)
        return st;
    st = imgrad_write_image8(path, IMGRAD_FORMAT_PNG, c.rgb, c.width, c.height, 3, NULL);
    plot_canvas_free(&c);
    return st;
}

/* The error as a picture on an absolute scale: colours by log10 from 1e-8
 * (float32 rounding of values near 1 is about 1e-7) up to the next power of
 * ten above the largest error (at least 1), so float noise looks dark and a
 * real error bright, whatever the largest error is. */
static imgrad_status write_error_picture(const field_job *j, const plot_font *font,
                                         const imgrad_grid *err, const char *path)
{
    char title[512];
    double top = 0;
    plot_field_plot p;
    size_t i, n = (size_t)err->width * err->height;

    for (i = 0; i < n; i++)
        if (isfinite(err->data[i / err->width * err->stride + i % err->width]))
            top = fmax(top, err->data[i / err->width * err->stride + i % err->width]);
    memset(&p, 0, sizeof p);
    snprintf(title, sizeof title, "|grid - exact gradient| of f(x, y) = %s", j->text);
    p.font = font;
    p.values = err;
    p.log_colours = 1;
    p.title = title;
    p.bar_label = "error, log10 scale";
    p.window = j->window;
    p.lo = -8;
    p.hi = top > 1 ? ceil(log10(top)) : 0;
    return save_picture(&p, j->size, 0, path);
}

static imgrad_status write_array(const field_job *j, const plot_font *font,
                                 const imgrad_grid *g, int product, const char *path)
{
    unsigned char *px;
    imgrad_status st;

    if (j->format == IMGRAD_FORMAT_NPY)
        return imgrad_write_npy(path, g);
    if (product == F_ERROR)
        return write_error_picture(j, font, g, path);
    if ((px = malloc((size_t)g->width * g->height)) == NULL)
        return IMGRAD_ENOMEM;
    st = imgrad_to_8bit(g, products[product].map, imgrad_auto_scale(g), px,
                        (size_t)g->width * g->height);
    if (st == IMGRAD_OK)
        st = imgrad_write_image8(path, IMGRAD_FORMAT_PNG, px, g->width, g->height, 1, NULL);
    free(px);
    return st;
}

/* Writes every requested array; 0 after a message if one failed. */
static int write_arrays(const field_job *j, const plot_font *font, const field_grids *g)
{
    int p, ok = 1;

    for (p = 0; p < F_PLOT; p++) {
        char *path;
        imgrad_status st;
        if (!j->want[p])
            continue;
        path = output_path(j, p, j->format == IMGRAD_FORMAT_NPY ? "npy" : "png");
        st = path ? write_array(j, font, &g->g[p], p, path) : IMGRAD_ENOMEM;
        if (st != IMGRAD_OK) {
            cli_error(path ? path : "field", "cannot write: %s", cli_reason(st));
            ok = 0;
        }
        free(path);
    }
    return ok;
}

/* The grid's value of g at (x, y), bilinear between samples; NaN outside. */
static double grid_at(const field_job *j, const imgrad_grid *g, double x, double y)
{
    const expr_window *w = &j->window;
    return plot_grid_sample(g, (x - w->x0) / (w->x1 - w->x0) * (j->grid_w - 1),
                               (w->y1 - y) / (w->y1 - w->y0) * (j->grid_h - 1));
}

/* v for printing: -0 as 0 (a zero gradient is not negative). */
static double unsigned_zero(double v)
{
    return v == 0 ? 0.0 : v;
}

/* "(v0, v1, ...)" of the n values, %.10g each, on stdout. */
static void print_tuple(const double *v, int n)
{
    int k;

    putchar('(');
    for (k = 0; k < n; k++)
        printf("%s%.10g", k ? ", " : "", unsigned_zero(v[k]));
    putchar(')');
}

/* "variables: a, b" when they are not x and y, so that the order of the
 * printed tuples is plain. */
static void print_variables(const expr_tree *e)
{
    int k, n = expr_var_count(e);

    if (n == 2 && strcmp(expr_var_name(e, 0), "x") == 0 && strcmp(expr_var_name(e, 1), "y") == 0)
        return;
    printf("variables: ");
    for (k = 0; k < n; k++)
        printf("%s%s", k ? ", " : "", expr_var_name(e, k));
    putchar('\n');
}

/* The exact gradient of e at p into g (n values); returns f(p). */
static double exact_gradient(const expr_tree *e, const double *p, int n, double *g)
{
    double f = expr_eval_jet(e, p, -1, -1).v;
    int k;

    for (k = 0; k < n; k++)
        g[k] = expr_eval_jet(e, p, k, -1).a;
    return f;
}

/* --at: f, the exact gradient, and the grid estimate when there is a grid. */
static void print_at(const field_job *j, const expr_tree *e, const field_grids *g)
{
    const int n = expr_var_count(e);
    double grad[EXPR_MAX_VARS], f = exact_gradient(e, j->at, n, grad);

    print_variables(e);
    printf("f");
    print_tuple(j->at, n);
    printf(" = %.10g\nexact gradient: ", unsigned_zero(f));
    print_tuple(grad, n);
    putchar('\n');
    if (g == NULL)
        return;
    {
        double gx = grid_at(j, &g->g[F_GX], j->at[0], j->at[1]);
        double gy = grid_at(j, &g->g[F_GY], j->at[0], j->at[1]);
        if (isnan(gx) || isnan(gy))
            printf("grid gradient:  outside the grid or not finite there\n");
        else
            printf("grid gradient:  (%.7g, %.7g)  error %.3g\n", unsigned_zero(gx),
                   unsigned_zero(gy), hypot(gx - grad[0], gy - grad[1]));
    }
}

/* The gradient at (x, y) for descent: exact, or the grid's estimate. */
static int descent_gradient(const field_job *j, const expr_tree *e, const field_grids *g,
                            double x, double y, double grad[2])
{
    if (j->grid_method) {
        grad[0] = grid_at(j, &g->g[F_GX], x, y);
        grad[1] = grid_at(j, &g->g[F_GY], x, y);
    } else {
        expr_dual d = expr_eval(e, x, y);
        grad[0] = d.dx;
        grad[1] = d.dy;
    }
    return isfinite(grad[0]) && isfinite(grad[1]);
}

/* Gradient descent p <- p - rate * grad f(p) from the start point; path gets
 * up to steps + 1 points (x, y pairs).  Returns the number of points; it is
 * short when the gradient stops being finite (or, by the grid method, the
 * path leaves the grid). */
static int descend(const field_job *j, const expr_tree *e, const field_grids *g,
                   double *path)
{
    int k;

    path[0] = j->start[0];
    path[1] = j->start[1];
    for (k = 0; k < j->steps; k++) {
        double grad[2];
        if (!descent_gradient(j, e, g, path[2 * k], path[2 * k + 1], grad)) {
            if (!j->quiet)
                cli_error("field", "descent stopped after %d steps: the gradient at "
                          "(%g, %g) is %s", k, path[2 * k], path[2 * k + 1],
                          j->grid_method ? "outside the grid or not finite" : "not finite");
            return k + 1;
        }
        path[2 * k + 2] = path[2 * k] - j->rate * grad[0];
        path[2 * k + 3] = path[2 * k + 1] - j->rate * grad[1];
    }
    return j->steps + 1;
}

static void print_trace(const expr_tree *e, const double *path, int points)
{
    int k;

    printf("step,x,y,f\n");
    for (k = 0; k < points; k++)
        printf("%d,%.10g,%.10g,%.10g\n", k, path[2 * k], path[2 * k + 1],
               expr_eval(e, path[2 * k], path[2 * k + 1]).v);
}

/* Fills levels from the options and the colour range. */
static int make_levels(const field_job *j, double lo, double hi, double *levels)
{
    int k;

    if (j->level_auto == 0) {
        memcpy(levels, j->levels, (size_t)j->level_count * sizeof *levels);
        return j->level_count;
    }
    for (k = 0; k < j->level_auto; k++)
        levels[k] = lo + (hi - lo) * (k + 1) / (j->level_auto + 1);
    return j->level_auto;
}

static int write_plot(const field_job *j, const plot_font *font, const expr_tree *e,
                      const field_grids *g, double lo, double hi, const double *path,
                      int points)
{
    double levels[MAX_LEVELS];
    plot_field_plot p;
    char *title = malloc(strlen(j->text) + 16);
    char *file = j->plot_file ? NULL : output_path(j, F_PLOT, j->svg ? "svg" : "png");
    const char *name = j->plot_file ? j->plot_file : file;
    imgrad_status st = title && name ? IMGRAD_OK : IMGRAD_ENOMEM;

    memset(&p, 0, sizeof p);
    if (title != NULL)
        sprintf(title, "f(x, y) = %s", j->text);
    p.font = font;
    p.expr = e;
    p.title = title;
    p.window = j->window;
    p.gx = &g->g[F_GX];
    p.gy = &g->g[F_GY];
    p.lo = lo;
    p.hi = hi;
    p.levels = levels;
    p.level_count = make_levels(j, lo, hi, levels);
    p.label_levels = j->label_levels;
    p.arrows = j->arrows;
    p.arrow_length = j->arrow_length;
    p.antigradient = j->antigradient;
    p.path = path;
    p.path_points = points;
    if (st == IMGRAD_OK)
        st = save_picture(&p, j->size, j->svg, name);
    if (st != IMGRAD_OK)
        cli_error(name ? name : "field", "cannot draw the picture: %s", cli_reason(st));
    free(title);
    free(file);
    return st == IMGRAD_OK;
}

/* The colour range: --range, else f's finite range (widened if flat). */
static void colour_range(const field_job *j, const field_grids *g, double *lo, double *hi)
{
    size_t bad = scan_f(&g->g[F_F], lo, hi), n = (size_t)j->grid_w * j->grid_h;

    if (bad > 0 && !j->quiet)
        cli_error("field", "%zu of %zu grid values of f are not finite (kept in .npy "
                  "files, grey in the picture)", bad, n);
    if (j->have_range) {
        *lo = j->range[0];
        *hi = j->range[1];
    } else if (bad == n) {
        *lo = 0;
        *hi = 1;
    } else if (!(*lo < *hi)) {
        *lo -= 0.5;
        *hi += 0.5;
    }
}

/* The requested files; 0 after a message if any failed. */
static int write_outputs(const field_job *j, const expr_tree *e, const field_grids *g,
                         double lo, double hi, const double *path, int points)
{
    int p, any = 0, ok;
    plot_font *font = NULL;

    for (p = 0; p < F_COUNT; p++)
        any |= j->want[p];
    if (!any)
        return 1;
    /* the text of the pictures: before any file is written */
    if ((j->want[F_PLOT] || (j->want[F_ERROR] && j->format == IMGRAD_FORMAT_PNG))
        && (font = plot_font_open()) == NULL)
        return 0;
    if (j->plot_file == NULL && cli_mkdir_p(j->outdir) != 0) {
        cli_error(j->outdir, "cannot create the output folder: %s", strerror(errno));
        plot_font_free(font);
        return 0;
    }
    ok = write_arrays(j, font, g);
    if (j->want[F_PLOT])
        ok &= write_plot(j, font, e, g, lo, hi, path, points);
    plot_font_free(font);
    return ok;
}

/* --stationary: Newton's method from the start point, then what it found. */
static int print_stationary(const field_job *j, const expr_tree *e)
{
    const int n = expr_var_count(e);
    expr_stationary_point s;
    int rc = expr_stationary(e, j->stationary, &s), k, pos = 0, neg = 0;
    double top = 0;

    if (rc == EXPR_SINGULAR || rc == EXPR_DIVERGED) {
        cli_error("field", "--stationary: Newton's method stopped at step %d: %s", s.steps + 1,
                  rc == EXPR_SINGULAR ? "the Hessian is singular there (try another start)"
                                      : "the step was not finite");
        return 0;
    }
    print_variables(e);
    printf("stationary point: ");
    print_tuple(s.point, n);
    printf("\nf = %.10g\ngradient: ", unsigned_zero(s.value));
    print_tuple(s.gradient, n);
    printf("\nHessian eigenvalues: ");
    print_tuple(s.eigenvalues, n);
    for (k = 0; k < n; k++)
        top = fmax(top, fabs(s.eigenvalues[k]));
    for (k = 0; k < n; k++) {
        pos += s.eigenvalues[k] > 1e-9 * top;
        neg += s.eigenvalues[k] < -1e-9 * top;
    }
    printf("\n%s (Newton's method, %d steps%s)\n",
           pos == n ? "minimum" : neg == n ? "maximum" : pos && neg && pos + neg == n
           ? "saddle point" : "degenerate: a zero eigenvalue, the second-derivative test "
           "cannot tell", s.steps, rc == EXPR_NO_CONVERGENCE ? ", not converged" : "");
    return 1;
}

/* The checks of the formula against the options: the number of values of
 * --at and --stationary, pictures of two variables only, and the work of
 * sampling it.  0 after a message. */
static int check_formula(const field_job *j, const expr_tree *e, int *grid)
{
    const int n = expr_var_count(e);
    double work;
    int p, want_grid = 0;

    for (p = 0; p < F_COUNT; p++)
        want_grid |= j->want[p];
    if ((j->have_at && j->n_at != n) || (j->have_stationary && j->n_start != n)) {
        cli_error("field", "--%s gives %d values; the formula has %d variables (%s%s%s%s)",
                  j->have_at && j->n_at != n ? "at" : "stationary",
                  j->have_at && j->n_at != n ? j->n_at : j->n_start, n, expr_var_name(e, 0),
                  n > 1 ? ", " : "", n > 1 ? expr_var_name(e, 1) : "", n > 2 ? ", ..." : "");
        return 0;
    }
    if (n != 2 && (want_grid || j->have_descent)) {
        cli_error("field", "pictures, arrays and --descent show two variables; this formula "
                  "has %d: use --at or --stationary", n);
        return 0;
    }
    *grid = n == 2 && (want_grid || j->have_descent || j->have_at);
    work = (double)expr_size(e) * j->grid_w * j->grid_h;
    if (*grid && work > MAX_FIELD_WORK && !want_grid && !j->have_descent) {
        *grid = 0; /* --at alone: the exact values, without the grid's estimate */
        return 1;
    }
    if (*grid && work > MAX_FIELD_WORK) {
        cli_error("field", "the expression (%zu operations) on a %dx%d grid is %.3g "
                  "evaluations, above the limit of %.3g: use a smaller --grid or a shorter "
                  "expression", expr_size(e), j->grid_w, j->grid_h, work, MAX_FIELD_WORK);
        return 0;
    }
    return 1;
}

/* Everything after parsing: compute, print, write. */
static int run(const field_job *j, const expr_tree *e)
{
    field_grids g;
    double lo, hi, *path = NULL;
    int points = 0, ok = 1, grid = 0;
    imgrad_status st;

    if (!check_formula(j, e, &grid))
        return EXIT_USAGE;
    if (!grid) {
        if (j->have_at)
            print_at(j, e, NULL);
        return !j->have_stationary || print_stationary(j, e) ? EXIT_ALL_OK : EXIT_SOME_FAILED;
    }
    st = compute(j, e, &g);

    if (st != IMGRAD_OK) {
        cli_error("field", "%s", cli_reason(st));
        grids_free(&g);
        return EXIT_SOME_FAILED;
    }
    colour_range(j, &g, &lo, &hi);
    if (j->have_at)
        print_at(j, e, &g);
    if (j->have_stationary)
        ok = print_stationary(j, e);
    if (ok && j->have_descent) {
        if ((path = malloc(2 * ((size_t)j->steps + 1) * sizeof *path)) == NULL)
            ok = 0;
        else
            points = descend(j, e, &g, path);
        if (ok && j->trace)
            print_trace(e, path, points);
    }
    if (ok)
        ok = write_outputs(j, e, &g, lo, hi, path, points);
    grids_free(&g);
    free(path);
    return ok ? EXIT_ALL_OK : EXIT_SOME_FAILED;
}

int cli_field_main(int argc, char **argv)
{
    field_job j;
    expr_tree *e;
    int rc;

    job_default(&j);
    if ((rc = parse_args(&j, argc, argv)) >= 0)
        return rc;
    if ((e = parse_expr(j.text)) == NULL)
        return EXIT_USAGE;
    rc = run(&j, e);
    expr_free(e);
    return rc;
}
