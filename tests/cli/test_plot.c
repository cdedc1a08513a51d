/* test_plot.c - marching squares on grids whose level lines are known, and
 * the field picture's arrows against its level lines on a paraboloid: the
 * gradient must cross every level line at a right angle. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "plot.h"

/* The font every picture uses, loaded once by the group setup. */
static plot_font *font;

static int load_font(void **state)
{
    (void)state;
    return plot_font_load(plot_font_path(), &font) == IMGRAD_OK ? 0 : -1;
}

static int free_font(void **state)
{
    (void)state;
    plot_font_free(font);
    return 0;
}

/* A grid of f(col, row). */
static imgrad_grid grid_of(int w, int h, double (*f)(double, double))
{
    imgrad_grid g;
    int r, c;
    assert_int_equal(imgrad_grid_init(&g, w, h), IMGRAD_OK);
    for (r = 0; r < h; r++)
        for (c = 0; c < w; c++)
            g.data[(size_t)r * g.stride + c] = (float)f(c, r);
    return g;
}

static double ramp(double c, double r) { (void)r; return c; }
static double cone(double c, double r) { return hypot(c - 20, r - 15); }

/* f = column: the level line 2.5 is the vertical line col = 2.5. */
static void test_contour_of_ramp(void **state)
{
    imgrad_grid g = grid_of(6, 5, ramp);
    plot_segment *s;
    size_t n, i;

    (void)state;
    assert_int_equal(plot_contours(&g, 2.5, &s, &n), IMGRAD_OK);
    assert_int_equal(n, 4); /* one per row of cells */
    for (i = 0; i < n; i++) {
        assert_true(fabs(s[i].x0 - 2.5) < 1e-12 && fabs(s[i].x1 - 2.5) < 1e-12);
        assert_true(fabs(fabs(s[i].y1 - s[i].y0) - 1) < 1e-12);
    }
    free(s);
    assert_int_equal(plot_contours(&g, 99, &s, &n), IMGRAD_OK);
    assert_int_equal(n, 0);
    assert_null(s);
    imgrad_grid_free(&g);
}

/* A cone's level line is a circle: a closed chain of points near radius 8. */
static void test_contour_of_cone(void **state)
{
    imgrad_grid g = grid_of(41, 31, cone);
    plot_segment *s;
    size_t n, i;
    double length = 0;

    (void)state;
    assert_int_equal(plot_contours(&g, 8, &s, &n), IMGRAD_OK);
    for (i = 0; i < n; i++) {
        assert_true(fabs(hypot(s[i].x0 - 20, s[i].y0 - 15) - 8) < 0.05);
        assert_true(fabs(hypot(s[i].x1 - 20, s[i].y1 - 15) - 8) < 0.05);
        length += hypot(s[i].x1 - s[i].x0, s[i].y1 - s[i].y0);
    }
    assert_true(fabs(length - 2 * 3.14159265358979 * 8) < 0.5);
    free(s);
    imgrad_grid_free(&g);
}

/* A saddle cell is split by its centre value; a NaN corner skips the cell. */
static void test_contour_saddle_and_nan(void **state)
{
    imgrad_grid g;
    plot_segment *s;
    size_t n;

    (void)state;
    assert_int_equal(imgrad_grid_init(&g, 2, 2), IMGRAD_OK);
    g.data[0] = 1; g.data[1] = 0; g.data[2] = 0; g.data[3] = 1;
    /* centre 0.5 >= 0.4: the high corners join through the middle, so the
     * two segments cut off the low corners (1, 0) and (0, 1) */
    assert_int_equal(plot_contours(&g, 0.4, &s, &n), IMGRAD_OK);
    assert_int_equal(n, 2);
    assert_true((s[0].x0 + s[0].x1) / 2 > 0.5 && (s[0].y0 + s[0].y1) / 2 < 0.5);
    assert_true((s[1].x0 + s[1].x1) / 2 < 0.5 && (s[1].y0 + s[1].y1) / 2 > 0.5);
    free(s);
    g.data[3] = NAN;
    assert_int_equal(plot_contours(&g, 0.4, &s, &n), IMGRAD_OK);
    assert_int_equal(n, 0);
    imgrad_grid_free(&g);
}

static void test_grid_sample(void **state)
{
    imgrad_grid g = grid_of(4, 3, ramp);

    (void)state;
    assert_true(fabs(plot_grid_sample(&g, 1.25, 0.5) - 1.25) < 1e-12);
    assert_true(plot_grid_sample(&g, 3, 2) == 3);
    assert_true(isnan(plot_grid_sample(&g, 3.01, 0)));
    assert_true(isnan(plot_grid_sample(&g, -0.01, 0)));
    imgrad_grid_free(&g);
}

/* The level line's direction near (x, y): the segments with a midpoint
 * within 3 pixels, summed with a consistent orientation (single
 * marching-squares pieces are too short to trust alone).  0 if none. */
static int tangent_near(const plot_segment *s, size_t n, double x, double y, double t[2])
{
    size_t i;
    int found = 0;

    t[0] = t[1] = 0;
    for (i = 0; i < n; i++) {
        double dx = s[i].x1 - s[i].x0, dy = s[i].y1 - s[i].y0;
        if (hypot((s[i].x0 + s[i].x1) / 2 - x, (s[i].y0 + s[i].y1) / 2 - y) > 3)
            continue;
        if (found && dx * t[0] + dy * t[1] < 0) {
            dx = -dx;
            dy = -dy;
        }
        t[0] += dx;
        t[1] += dy;
        found = 1;
    }
    return found;
}

/* On f = x^2 + 3 y^2 (ellipses, so a radial arrow would fail), each arrow of
 * the picture is perpendicular to the level line through its centre. */
static void test_arrows_cross_level_lines_at_right_angles(void **state)
{
    expr_tree *e;
    plot_field_plot p;
    imgrad_grid f, gx, gy, raster;
    imgrad_products want = { .gx = &gx, .gy = &gy };
    imgrad_gradient_options o;
    plot_arrow *a;
    size_t n, i, checked = 0;
    int aw, ah;

    (void)state;
    assert_int_equal(expr_parse("x^2 + 3*y^2", 11, &e, NULL), IMGRAD_OK);
    memset(&p, 0, sizeof p);
    p.font = font;
    p.expr = e;
    p.window.x0 = -2; p.window.x1 = 2; p.window.y0 = -1.5; p.window.y1 = 1.5;
    p.arrows = 12;
    /* the grid gradient as imgrad field computes it: rows run down in y */
    assert_int_equal(imgrad_grid_init(&f, 121, 91), IMGRAD_OK);
    assert_int_equal(expr_sample(e, &p.window, &f, NULL, NULL), IMGRAD_OK);
    imgrad_gradient_options_default(&o);
    o.edge_order = 2;
    o.dx = 4.0 / 120;
    o.dy = -3.0 / 90;
    assert_int_equal(imgrad_gradient(&f, &o, &want), IMGRAD_OK);
    p.gx = &gx;
    p.gy = &gy;
    plot_field_area(&p, 800, &aw, &ah);
    assert_int_equal(plot_field_arrows(&p, aw, ah, &a, &n), IMGRAD_OK);
    assert_true(n >= 12 * 8);
    /* the level lines as the picture draws them: on the pixel-centre raster */
    {
        expr_window w = p.window;
        double hx = 4.0 / aw / 2, hy = 3.0 / ah / 2;
        w.x0 += hx; w.x1 -= hx; w.y0 += hy; w.y1 -= hy;
        assert_int_equal(imgrad_grid_init(&raster, aw, ah), IMGRAD_OK);
        assert_int_equal(expr_sample(e, &w, &raster, NULL, NULL), IMGRAD_OK);
    }
    for (i = 0; i < n; i++) {
        plot_segment *s;
        double t[2];
        size_t ns;
        double level = plot_grid_sample(&raster, a[i].x - 0.5, a[i].y - 0.5);
        double len = hypot(a[i].u, a[i].v), cosine;
        if (len < 1e-3 * aw) /* the flat middle: no direction to speak of */
            continue;
        assert_int_equal(plot_contours(&raster, level, &s, &ns), IMGRAD_OK);
        assert_true(tangent_near(s, ns, a[i].x - 0.5, a[i].y - 0.5, t));
        cosine = (t[0] * a[i].u + t[1] * a[i].v) / (hypot(t[0], t[1]) * len);
        if (fabs(cosine) > 0.05)
            fail_msg("arrow at (%g, %g): cosine with the level line %g", a[i].x, a[i].y, cosine);
        /* and it points uphill */
        assert_true(plot_grid_sample(&raster, a[i].x - 0.5 + a[i].u / len,
                                         a[i].y - 0.5 + a[i].v / len) > level);
        checked++;
        free(s);
    }
    assert_true(checked > n / 2);
    free(a);
    imgrad_grid_free(&raster);
    imgrad_grid_free(&f);
    imgrad_grid_free(&gx);
    imgrad_grid_free(&gy);
    expr_free(e);
}

/* The whole picture: frame, heat-map colours at both ends, grey for NaN. */
static void test_render_field(void **state)
{
    expr_tree *e;
    plot_field_plot p;
    plot_canvas c;
    double levels[3] = { 0.5, 1, 1.5 };
    int aw, ah, x, grey = 0;

    (void)state;
    assert_int_equal(expr_parse("log(x)", 6, &e, NULL), IMGRAD_OK);
    memset(&p, 0, sizeof p);
    p.font = font;
    p.expr = e;
    p.title = "log";
    p.window.x0 = -1; p.window.x1 = 3; p.window.y0 = -1; p.window.y1 = 1;
    p.lo = -1;
    p.hi = 1;
    p.levels = levels;
    p.level_count = 3;
    assert_int_equal(plot_render_field(&p, 500, &c), IMGRAD_OK);
    plot_field_area(&p, 500, &aw, &ah);
    assert_int_equal(c.width, 500);
    assert_true(c.height > ah);
    /* a row through the middle: grey where x <= 0, colours after */
    for (x = 0; x < c.width; x++) {
        const unsigned char *px = c.rgb + 3 * ((size_t)(c.height / 2) * c.width + x);
        grey += px[0] == 128 && px[1] == 128 && px[2] == 128;
    }
    assert_true(abs(grey - aw / 4) <= 2);
    plot_canvas_free(&c);
    p.hi = p.lo; /* an empty colour range is refused */
    assert_int_equal(plot_render_field(&p, 500, &c), IMGRAD_EINVAL);
    expr_free(e);
}

/* Rows and columns of canvas pixels darker than mid-grey: the ink's box. */
static void ink_box(const plot_canvas *c, int *x0, int *y0, int *x1, int *y1)
{
    int x, y;
    *x0 = *y0 = 1 << 30;
    *x1 = *y1 = -1;
    for (y = 0; y < c->height; y++)
        for (x = 0; x < c->width; x++)
            if (c->rgb[3 * ((size_t)y * c->width + x)] < 128) {
                *x0 = x < *x0 ? x : *x0;
                *x1 = x > *x1 ? x : *x1;
                *y0 = y < *y0 ? y : *y0;
                *y1 = y > *y1 ? y : *y1;
            }
}

/* The text of a --size 480 picture: its size is at least 2.2% of the width,
 * and a known string drawn at that size is as tall and wide as the font says
 * it is in an SVG of the same font-size: DejaVu Sans' capital H is 1493 of
 * 2048 units per em high, advances 1540 and has its ink from 201 to 1339
 * (read from the font file by python3-fonttools: hmtx['H'] = (1540, 201),
 * glyf['H'] yMax 1493, xMax 1339). */
static void test_text_is_as_large_as_the_svg_says(void **state)
{
    static const unsigned char white[3] = { 255, 255, 255 }, ink[3] = { 0, 0, 0 };
    double size = plot_text_size(480);
    plot_canvas c;
    int x0, y0, x1, y1;

    (void)state;
    assert_true(size >= 0.022 * 480);
    assert_true(plot_text_size(320) >= 10 && plot_text_size(4096) >= 0.022 * 4096);
    assert_int_equal(plot_canvas_init(&c, 200, 60, white), IMGRAD_OK);
    plot_canvas_text(&c, font, 10, 40, size, "HHHH", ink);
    ink_box(&c, &x0, &y0, &x1, &y1);
    /* the ink of H: cap height 1493/2048 em; from the first stem to the last,
     * 3 advances plus one H's ink width (1540 - 2 * 201 side bearings) */
    if (abs((y1 - y0 + 1) - (int)lround(size * 1493 / 2048)) > 1)
        fail_msg("H is %d pixels high at size %g, want %.2f", y1 - y0 + 1, size,
                 size * 1493 / 2048);
    if (fabs((x1 - x0 + 1) - size * (3 * 1540 + 1540 - 2 * 201) / 2048) > 1.5)
        fail_msg("HHHH is %d pixels wide, want %.2f", x1 - x0 + 1,
                 size * (3 * 1540 + 1540 - 2 * 201) / 2048);
    assert_true(fabs(plot_text_width(font, "HHHH", size) - size * 4 * 1540 / 2048) < 0.01);
    assert_int_equal(y1, 39); /* baseline at y = 40: the last ink row is 39 */
    plot_canvas_free(&c);
}

/* Titles wrap at spaces and are never cut: whole, or ending in an ellipsis. */
static void test_wrap_text(void **state)
{
    static const char hills[] = "f(x, y) = exp(-((x-0.8)^2 + (y-0.5)^2)) + "
                                "0.7*exp(-((x+0.9)^2 + (y+0.6)^2)/0.5)";
    char *lines[5], joined[256] = "";
    double size = 1.2 * plot_text_size(480);
    int n, k;

    (void)state;
    n = plot_wrap_text(font, hills, size, 480 - 2 * 0.8 * plot_text_size(480), 3, lines);
    assert_true(n == 2);
    for (k = 0; k < n; k++) {
        assert_true(plot_text_width(font, lines[k], size) <= 480 - 1.6 * plot_text_size(480));
        if (k > 0)
            strcat(joined, " ");
        strcat(joined, lines[k]);
        free(lines[k]);
    }
    assert_string_equal(joined, hills);
    /* one short line: what does not fit ends in U+2026 */
    n = plot_wrap_text(font, hills, size, 150, 1, lines);
    assert_int_equal(n, 1);
    assert_true(plot_text_width(font, lines[0], size) <= 150);
    assert_true(strlen(lines[0]) > 5
                && strcmp(lines[0] + strlen(lines[0]) - 3, "\xE2\x80\xA6") == 0);
    assert_true(strncmp(lines[0], hills, strlen(lines[0]) - 3) == 0);
    free(lines[0]);
    /* a word longer than a line is broken, not lost */
    n = plot_wrap_text(font, "abcdefghijklmnopqrstuvwxyz", 20, 100, 5, lines);
    assert_true(n >= 3);
    joined[0] = '\0';
    for (k = 0; k < n; k++) {
        strcat(joined, lines[k]);
        free(lines[k]);
    }
    assert_string_equal(joined, "abcdefghijklmnopqrstuvwxyz");
    assert_int_equal(plot_wrap_text(font, "   ", 20, 100, 5, lines), 0);
}

/* auto: proportional to the largest; unit: all full; clip: full at the
 * percentile, longer ones cut. */
static void test_arrow_lengths(void **state)
{
    double m[10] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 100 };

    (void)state;
    assert_true(plot_arrow_reference(m, 10, PLOT_LENGTH_AUTO, 80) == 100);
    assert_true(plot_arrow_scaled(50, 100, 20, PLOT_LENGTH_AUTO) == 10);
    assert_true(plot_arrow_reference(m, 10, PLOT_LENGTH_UNIT, 80) == 0);
    assert_true(plot_arrow_scaled(0.001, 0, 20, PLOT_LENGTH_UNIT) == 20);
    assert_true(plot_arrow_scaled(0, 0, 20, PLOT_LENGTH_UNIT) == 0);
    /* nearest rank: the 8th of 10 sorted values */
    assert_true(plot_arrow_reference(m, 10, PLOT_LENGTH_CLIP, 80) == 8);
    assert_true(plot_arrow_scaled(4, 8, 20, PLOT_LENGTH_CLIP) == 10);
    assert_true(plot_arrow_scaled(100, 8, 20, PLOT_LENGTH_CLIP) == 20);
    {
        double zeros[3] = { 0, 0, 0 };
        assert_true(plot_arrow_reference(zeros, 3, PLOT_LENGTH_CLIP, 80) == 0);
        assert_true(plot_arrow_scaled(1, 0, 20, PLOT_LENGTH_AUTO) == 0);
    }
}

/* A 2400 x 1600 photo's quiver: shafts at least 2 pixels wide, a scale key,
 * and isolines smoothed in proportion to the size. */
static void test_quiver_on_a_large_photo(void **state)
{
    imgrad_grid gray, gx, gy;
    plot_canvas c;
    int step = 2400 / 32, x, y, thick = 0, key_white = 0;

    (void)state;
    assert_int_equal(imgrad_grid_init(&gray, 2400, 1600), IMGRAD_OK);
    assert_int_equal(imgrad_grid_init(&gx, 2400, 1600), IMGRAD_OK);
    assert_int_equal(imgrad_grid_init(&gy, 2400, 1600), IMGRAD_OK);
    for (y = 0; y < 1600; y++)
        for (x = 0; x < 2400; x++) {
            gray.data[(size_t)y * gray.stride + x] = x / 2400.0f;
            gx.data[(size_t)y * gx.stride + x] = 1 / 2400.0f; /* all arrows point right */
            gy.data[(size_t)y * gy.stride + x] = 0;
        }
    assert_int_equal(plot_render_quiver(&gray, &gx, &gy, step, PLOT_LENGTH_CLIP, font, &c),
                     IMGRAD_OK);
    /* a column through the shaft of the arrow of block (3, 3): its yellow run */
    x = 3 * step + step / 2 - step / 4;
    for (y = 3 * step; y < 4 * step; y++) {
        const unsigned char *px = c.rgb + 3 * ((size_t)y * c.width + x);
        thick += px[0] > 200 && px[1] > 150 && px[2] < 100;
    }
    if (thick < 2)
        fail_msg("the shaft is %d pixels wide", thick);
    /* the key: white text in the bottom right corner, where the photo is grey */
    for (y = 1600 - 100; y < 1600; y++)
        for (x = 2400 - 400; x < 2400; x++)
            key_white += c.rgb[3 * ((size_t)y * c.width + x) + 2] > 240;
    assert_true(key_white > 50);
    plot_canvas_free(&c);
    assert_true(plot_isoline_sigma(2400, 1600) == 6);
    assert_true(plot_isoline_sigma(451, 300) == 2);
    imgrad_grid_free(&gray);
    imgrad_grid_free(&gx);
    imgrad_grid_free(&gy);
}

/* The SVG of a picture: text as <text> in the font, shapes as vector
 * elements, the heat map as an embedded PNG. */
static void test_field_svg(void **state)
{
    expr_tree *e;
    plot_field_plot p;
    double levels[2] = { 1, 2 }, path[4] = { 1, 1, 0.5, 0.5 };
    imgrad_grid gx, gy;
    char *text = NULL;
    size_t size = 0;
    FILE *fp = open_memstream(&text, &size);

    (void)state;
    assert_non_null(fp);
    assert_int_equal(expr_parse("x^2+y^2", 7, &e, NULL), IMGRAD_OK);
    assert_int_equal(imgrad_grid_init(&gx, 11, 11), IMGRAD_OK);
    assert_int_equal(imgrad_grid_init(&gy, 11, 11), IMGRAD_OK);
    for (size_t i = 0; i < 11 * 11; i++) {
        gx.data[i / 11 * gx.stride + i % 11] = 1;
        gy.data[i / 11 * gy.stride + i % 11] = 1;
    }
    memset(&p, 0, sizeof p);
    p.font = font;
    p.expr = e;
    p.title = "a < b & c";
    p.window.x0 = -2; p.window.x1 = 2; p.window.y0 = -2; p.window.y1 = 2;
    p.lo = 0;
    p.hi = 8;
    p.levels = levels;
    p.level_count = 2;
    p.label_levels = 1;
    p.arrows = 4;
    p.gx = &gx;
    p.gy = &gy;
    p.path = path;
    p.path_points = 2;
    assert_int_equal(plot_write_field_svg(&p, 480, fp), IMGRAD_OK);
    fclose(fp);
    assert_non_null(strstr(text, "<svg xmlns=\"http://www.w3.org/2000/svg\""));
    assert_non_null(strstr(text, ">a &lt; b &amp; c</text>"));
    assert_non_null(strstr(text, "font-family=\"DejaVu Sans, "));
    assert_non_null(strstr(text, "<image x="));
    assert_non_null(strstr(text, "data:image/png;base64,iVBORw0KGgo")); /* PNG signature */
    assert_non_null(strstr(text, "<polygon")); /* arrow heads */
    assert_non_null(strstr(text, "<circle"));  /* the path's points */
    assert_non_null(strstr(text, ">1</text>")); /* a level's value */
    assert_non_null(strstr(text, "</svg>\n"));
    free(text);
    imgrad_grid_free(&gx);
    imgrad_grid_free(&gy);
    expr_free(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_contour_of_ramp),
        cmocka_unit_test(test_contour_of_cone),
        cmocka_unit_test(test_contour_saddle_and_nan),
        cmocka_unit_test(test_grid_sample),
        cmocka_unit_test(test_arrows_cross_level_lines_at_right_angles),
        cmocka_unit_test(test_render_field),
        cmocka_unit_test(test_text_is_as_large_as_the_svg_says),
        cmocka_unit_test(test_wrap_text),
        cmocka_unit_test(test_arrow_lengths),
        cmocka_unit_test(test_quiver_on_a_large_photo),
        cmocka_unit_test(test_field_svg),
    };
    return cmocka_run_group_tests_name("plot", tests, load_font, free_font);
}
