/* polar.c - magnitude and direction of a row of (gx, gy), vectorised.
 *
 * magnitude = sqrtf(gx*gx + gy*gy) in float32: the two products and the sum
 * are each rounded once and sqrtf is correctly rounded, so the result is
 * within 1.5 ulp of hypot (measured by tests/test_polar.c, which checks 2 ulp).
 * The sum overflows for |g| above about 1.8e19, and below about 1e-19 the
 * squares lose precision (below 1e-23 they vanish, a magnitude of 0 under a
 * nonzero direction): lanes whose sum is infinite, or under 2^-100 with a
 * nonzero gx or gy, are recomputed in double (exact_magnitude), so the
 * magnitude is within 2 ulp of hypot over the whole float range and 0
 * exactly where gx and gy are 0.
 *
 * direction = atan2(gy, gx) from the octant identity
 *
 *     t = min(|gx|, |gy|) / max(|gx|, |gy|)          in [0, 1]
 *     a = atan(t)                                     polynomial, below
 *     a = pi/2 - a    if |gy| > |gx|                  second octant
 *     a = pi - a      if gx < 0                       left half plane
 *     a = -a          if gy < 0                       lower half plane
 *
 * atan(t) = t P(t^2) with a degree-6 polynomial P fitted by imgrad's authors
 * (least squares reweighted towards minimax, on [0, 1]): its own error is
 * 2.5e-7 rad, and evaluated in float32 the whole atan2 stays below 6e-7 rad
 * (5.2e-7 measured)
 * (tests/test_polar.c measures it against double atan2 over a dense set of
 * angles and magnitudes).  The range is (-pi, pi] as in gradient.c: gy == -0
 * with gx < 0 gives +pi, so does a tiny negative gy whose angle rounds to the
 * float nearest pi, and (0, 0) gives 0.
 *
 * The loops are plain C that GCC vectorises (the Makefile's -fno-math-errno
 * and -fno-trapping-math let it: sqrtf need not set errno, and a conditional
 * subtraction or division may be computed for every lane and then selected).
 * The same C loop is compiled for the baseline instruction set and, on
 * x86-64 with GCC or Clang, for AVX2 and AVX-512, picked at run time (isa.c).
 * No fused multiply-add is used (the Makefile's -ffp-contract=off), so all
 * builds give bit-identical results.  The direction's division and the
 * magnitude's square root share one divider unit, which AVX-512 does not
 * widen, but the other operations take half the instructions (see isa.c). */
#include "kernel.h"

#include <float.h>
#include <math.h>

#define PI_F 3.14159265358979323846f
#define HALF_PI_F 1.57079632679489661923f

/* atan(t) / t as a polynomial in s = t^2, highest power last. */
static const float atan_p[7] = {
    0.9999961f, -0.3331737f, 0.19807816f, -0.13233341f,
    0.07962366f, -0.03360421f, 0.0068117897f
};

void imgrad__polar_plan(const imgrad_gradient_options *o, imgrad__polar *p)
{
    p->norm_l1 = o->norm_l1 != 0;
    p->scaled = o->magnitude_factor != 1.0;
    p->factor = (float)o->magnitude_factor;
    p->positive = o->angle_positive != 0;
    p->degrees = o->angle_degrees != 0;
    p->isa = imgrad__isa_in_use();
}

/* The octant formula above for one lane; a plain expression so that the
 * loop calling it vectorises. */
static inline float atan2_fast(float y, float x)
{
    const float ax = fabsf(x), ay = fabsf(y);
    const float hi = ax > ay ? ax : ay, lo = ax > ay ? ay : ax;
    /* equal (0/0 and inf/inf included) is the diagonal */
    const float t = hi == lo ? 1.0f : lo / hi;
    const float s = t * t;
    float a = atan_p[6];
    a = a * s + atan_p[5];
    a = a * s + atan_p[4];
    a = a * s + atan_p[3];
    a = a * s + atan_p[2];
    a = a * s + atan_p[1];
    a = a * s + atan_p[0];
    a = a * t;
    a = ay > ax ? HALF_PI_F - a : a;
    a = x < 0 ? PI_F - a : a;
    /* an angle that rounds to pi stays +pi even below the axis: the float
     * nearest -pi lies below -pi, outside the range (-pi, pi] */
    a = y < 0 && a < PI_F ? -a : a;
    return hi == 0 ? 0.0f : a;
}

#define LOOP static inline __attribute__((always_inline))

/* Nonzero for a lane exact_magnitude must redo: sum of squares m^2 = s
 * overflowed, or underflowed below the normal range of its squares. */
#define REDO(m, x, y) (((m) > FLT_MAX) | (((m) < 0x1p-50f) & (((x) != 0) | ((y) != 0))))

/* The Euclidean magnitude; nonzero when some lane must be redone (REDO). */
LOOP int magnitude_loop(const float *restrict gx, const float *restrict gy,
                        float *restrict mag, int n)
{
    int i, over = 0;

    /* an int OR: a float max reduction, GCC sets up through a stack array
     * written a lane at a time and read whole, a stall on every call (the
     * kernel calls this for every chunk of a row) */
#pragma omp simd reduction(| : over)
    for (i = 0; i < n; i++) {
        const float m = sqrtf(gx[i] * gx[i] + gy[i] * gy[i]);
        over |= REDO(m, gx[i], gy[i]);
        mag[i] = m;
    }
    return over;
}

/* The direction in radians, (-pi, pi]: atan2_fast with its -0 (a tiny
 * negative angle) made 0, which is what the general loop below gives for
 * these options, bit for bit. */
static inline float direction_plain(float y, float x)
{
    const float d = atan2_fast(y, x);
    return d == 0 ? 0.0f : d;
}

/* Magnitude and direction in one loop, for the default options: the
 * square root and the division then share the divider unit in one stream
 * of work, rather than each waiting for it in a loop of its own. */
LOOP int polar_plain_loop(const float *restrict gx, const float *restrict gy,
                          float *restrict mag, float *restrict dir, int n)
{
    int i, over = 0;

#pragma omp simd reduction(| : over)
    for (i = 0; i < n; i++) {
        const float m = sqrtf(gx[i] * gx[i] + gy[i] * gy[i]);
        over |= REDO(m, gx[i], gy[i]);
        mag[i] = m;
        dir[i] = direction_plain(gy[i], gx[i]);
    }
    return over;
}

/* The direction, any options: wrap 2pi for [0, 2pi), unit for degrees. */
LOOP void direction_loop(const float *restrict gx, const float *restrict gy,
                         float *restrict dir, int n, float wrap, float unit)
{
    int i;

#pragma omp simd
    for (i = 0; i < n; i++) {
        float d = atan2_fast(gy[i], gx[i]);
        d = d < 0 ? d + wrap : d;
        /* -tiny + 2pi rounds up to 2pi, which is 0; with wrap 0, -0 is 0 */
        d = d == wrap ? 0.0f : d;
        dir[i] = d * unit;
    }
}

/* The row; returns nonzero when some magnitude overflowed float. */
LOOP int polar_span(const imgrad__polar *p, const float *restrict gx,
                    const float *restrict gy, float *restrict mag, float *restrict dir,
                    int n)
{
    const float factor = p->factor, to_deg = (float)(180.0 / 3.14159265358979323846);
    /* the options as plain values, so that the loops stay branch-free */
    const float wrap = p->positive ? 2 * PI_F : 0.0f, unit = p->degrees ? to_deg : 1.0f;
    const int plain_dir = !p->positive && !p->degrees;
    int i, over = 0;

    if (mag != NULL && dir != NULL && !p->norm_l1 && !p->scaled && plain_dir)
        return polar_plain_loop(gx, gy, mag, dir, n);
    if (mag != NULL && p->norm_l1) {
#pragma omp simd
        for (i = 0; i < n; i++)
            mag[i] = fabsf(gx[i]) + fabsf(gy[i]);
    } else if (mag != NULL) {
        over = magnitude_loop(gx, gy, mag, n);
    }
    if (mag != NULL && p->scaled) {
#pragma omp simd
        for (i = 0; i < n; i++)
            mag[i] *= factor;
    }
    if (dir != NULL && plain_dir) {
#pragma omp simd
        for (i = 0; i < n; i++)
            dir[i] = direction_plain(gy[i], gx[i]);
    } else if (dir != NULL) {
        direction_loop(gx, gy, dir, n, wrap, unit);
    }
    return over;
}

static int polar_baseline(const imgrad__polar *p, const float *gx, const float *gy,
                          float *mag, float *dir, int n)
{
    return polar_span(p, gx, gy, mag, dir, n);
}

#ifdef IMGRAD__MULTI_ISA
IMGRAD__TARGET_AVX2
static int polar_avx2(const imgrad__polar *p, const float *gx, const float *gy,
                      float *mag, float *dir, int n)
{
    return polar_span(p, gx, gy, mag, dir, n);
}

IMGRAD__TARGET_AVX512
static int polar_avx512(const imgrad__polar *p, const float *gx, const float *gy,
                        float *mag, float *dir, int n)
{
    return polar_span(p, gx, gy, mag, dir, n);
}
#endif

/* hypot in double: the squares of floats are exact there and far from
 * its overflow and underflow, the sum and the root are rounded once each,
 * then to float: within 1 ulp of the exact hypot. */
static float exact_magnitude(float x, float y)
{
    return (float)sqrt((double)x * x + (double)y * y);
}

void imgrad__polar_row(const imgrad__polar *p, const float *gx, const float *gy,
                       float *mag, float *dir, int n)
{
    int over, i;

#ifdef IMGRAD__MULTI_ISA
    if (p->isa == IMGRAD__ISA_AVX512)
        over = polar_avx512(p, gx, gy, mag, dir, n);
    else if (p->isa == IMGRAD__ISA_AVX2)
        over = polar_avx2(p, gx, gy, mag, dir, n);
    else
#endif
        over = polar_baseline(p, gx, gy, mag, dir, n);
    if (!over)
        return;
    for (i = 0; i < n; i++) { /* the rare lanes out of float's comfortable range */
        const float m = sqrtf(gx[i] * gx[i] + gy[i] * gy[i]); /* as the loop had it */
        if (isfinite(gx[i]) && isfinite(gy[i]) && REDO(m, gx[i], gy[i]))
            mag[i] = p->scaled ? exact_magnitude(gx[i], gy[i]) * p->factor
                               : exact_magnitude(gx[i], gy[i]);
    }
}

void imgrad__polar_row_reference(const imgrad__polar *p, const float *gx, const float *gy,
                                 float *mag, float *dir, int n)
{
    const float to_deg = (float)(180.0 / 3.14159265358979323846);
    int i;

    for (i = 0; mag != NULL && i < n; i++) {
        float m = p->norm_l1 ? fabsf(gx[i]) + fabsf(gy[i]) : hypotf(gx[i], gy[i]);
        mag[i] = p->scaled ? m * p->factor : m;
    }
    for (i = 0; dir != NULL && i < n; i++) {
        float d = 0; /* no gradient, no direction: 0, as OpenCV gives */
        if (gx[i] != 0 || gy[i] != 0) {
            d = atan2f(gy[i], gx[i]);
            if (d <= -PI_F) /* atan2(-0, x<0) is -pi; the range is (-pi, pi] */
                d = PI_F;
            if (p->positive && d < 0) {
                d += 2 * PI_F;
                if (d >= 2 * PI_F) /* a tiny negative angle rounds up to 2pi */
                    d = 0;
            }
        }
        dir[i] = p->degrees ? d * to_deg : d;
    }
}

float imgrad__exact_recip(float h)
{
    int e;
    return fabsf(frexpf(h, &e)) == 0.5f && e > FLT_MIN_EXP + 1 && e < FLT_MAX_EXP - 1
               ? 1.0f / h : 0.0f;
}
