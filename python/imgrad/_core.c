/* _core.c - the C extension of the imgrad Python package: numpy arrays
 * described to libimgrad in place (no copies), the GIL released around
 * every kernel.  The Python layer (__init__.py) checks arguments as numpy
 * does and calls these with well-formed values only. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#define NPY_NO_DEPRECATED_API NPY_1_7_API_VERSION
#include <numpy/arrayobject.h>

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <omp.h>

#include "imgrad.h"
#include "blockcache.h"

/* The imgrad dtype of numpy type number num, or -1. */
static int dtype_of(int num)
{
    switch (num) {
    case NPY_FLOAT64: return IMGRAD_DT_FLOAT64;
    case NPY_FLOAT32: return IMGRAD_DT_FLOAT32;
    case NPY_FLOAT16: return IMGRAD_DT_FLOAT16;
    case NPY_BOOL:    return IMGRAD_DT_BOOL;
    default: break;
    }
    if (PyTypeNum_ISINTEGER(num)) {
        int bits = 0;
        switch (num) {
        case NPY_BYTE: case NPY_UBYTE: bits = 8 * sizeof(npy_byte); break;
        case NPY_SHORT: case NPY_USHORT: bits = 8 * sizeof(npy_short); break;
        case NPY_INT: case NPY_UINT: bits = 8 * sizeof(npy_int); break;
        case NPY_LONG: case NPY_ULONG: bits = 8 * sizeof(npy_long); break;
        case NPY_LONGLONG: case NPY_ULONGLONG: bits = 8 * sizeof(npy_longlong); break;
        }
        int u = PyTypeNum_ISUNSIGNED(num);
        switch (bits) {
        case 8:  return u ? IMGRAD_DT_UINT8 : IMGRAD_DT_INT8;
        case 16: return u ? IMGRAD_DT_UINT16 : IMGRAD_DT_INT16;
        case 32: return u ? IMGRAD_DT_UINT32 : IMGRAD_DT_INT32;
        case 64: return u ? IMGRAD_DT_UINT64 : IMGRAD_DT_INT64;
        }
    }
    return -1;
}

/* Describes the numpy array a (native byte order, a dtype imgrad knows) in
 * *d without copying; 0 with a Python exception set otherwise. */
static int describe(PyObject *obj, imgrad_array *d, int writable)
{
    PyArrayObject *a;
    int k, t;
    if (!PyArray_Check(obj)) {
        PyErr_SetString(PyExc_TypeError, "imgrad: expected a numpy array");
        return 0;
    }
    a = (PyArrayObject *)obj;
    t = dtype_of(PyArray_TYPE(a));
    if (t < 0 || !PyArray_ISNOTSWAPPED(a) || PyArray_NDIM(a) < 1
        || PyArray_NDIM(a) > IMGRAD_MAX_NDIM || (writable && !PyArray_ISWRITEABLE(a))) {
        PyErr_SetString(PyExc_TypeError, "imgrad: unsupported array (dtype, byte order, "
                        "rank 1..32, writable output)");
        return 0;
    }
    d->data = PyArray_DATA(a);
    d->dtype = (imgrad_dtype)t;
    d->ndim = PyArray_NDIM(a);
    for (k = 0; k < d->ndim; k++) {
        d->shape[k] = (size_t)PyArray_DIMS(a)[k];
        d->strides[k] = (ptrdiff_t)PyArray_STRIDES(a)[k];
    }
    return 1;
}

static PyObject *raise_status(imgrad_status st)
{
    PyErr_Format(st == IMGRAD_ENOMEM ? PyExc_MemoryError : PyExc_ValueError,
                 "imgrad: %s", imgrad_strerror(st));
    return NULL;
}

/* gradient_nd(f, axes, spacing, edge_order, outs, threads): spacing is a
 * sequence of (step, step_type, coords-or-None[, keep_coords]), one per
 * axis; outs the
 * output arrays, written in place.  Returns None. */
static PyObject *gradient_nd(PyObject *self, PyObject *args)
{
    PyObject *f, *axes, *spacing, *outs;
    int edge_order, threads, k, n;
    imgrad_array in, out[IMGRAD_MAX_NDIM], coords[IMGRAD_MAX_NDIM];
    imgrad_nd_options o;
    imgrad_status st;
    (void)self;
    if (!PyArg_ParseTuple(args, "OO!O!iO!i", &f, &PyTuple_Type, &axes, &PyList_Type,
                          &spacing, &edge_order, &PyList_Type, &outs, &threads))
        return NULL;
    if (!describe(f, &in, 0))
        return NULL;
    n = (int)PyTuple_GET_SIZE(axes);
    if (n < 1 || n > in.ndim || PyList_GET_SIZE(spacing) != n || PyList_GET_SIZE(outs) != n) {
        PyErr_SetString(PyExc_ValueError, "imgrad: axes, spacing and outputs differ in length");
        return NULL;
    }
    imgrad_nd_options_default(&o);
    o.naxes = n;
    o.edge_order = edge_order;
    o.threads = threads;
    for (k = 0; k < n; k++) {
        PyObject *c = NULL;
        o.axes[k] = (int)PyLong_AsLong(PyTuple_GET_ITEM(axes, k));
        int step_type = 0;
        if (!PyArg_ParseTuple(PyList_GET_ITEM(spacing, k), "diO|i", &o.spacing[k].step,
                              &step_type, &c, &o.spacing[k].keep_coords))
            return NULL;
        o.spacing[k].step_type = (imgrad_dtype)step_type;
        if (c != Py_None) {
            if (!describe(c, &coords[k], 0))
                return NULL;
            o.spacing[k].coords = &coords[k];
        }
        if (!describe(PyList_GET_ITEM(outs, k), &out[k], 1))
            return NULL;
    }
    if (PyErr_Occurred())
        return NULL;
    Py_BEGIN_ALLOW_THREADS
    st = imgrad_gradient_nd(&in, &o, out);
    Py_END_ALLOW_THREADS
    if (st != IMGRAD_OK)
        return raise_status(st);
    Py_RETURN_NONE;
}


/* ------------------------------------------------ scikit-image's filters
 *
 * skimage 0.19's edge filters are scipy.ndimage.convolve with an N-D
 * kernel: for each output element scipy sums, in double and starting from
 * 0.0, input * weight over the kernel's nonzero weights in C order of the
 * flipped kernel (the caller passes it flipped), then casts the sum to the
 * output type; skimage then squares, adds, takes the square root and divides
 * in the output type.  This does the same operations in the same order,
 * reading rows of the input through the boundary mode. */

enum { MODE_REFLECT, MODE_MIRROR, MODE_NEAREST, MODE_WRAP, MODE_CONSTANT };

typedef struct tap { int row; int col; double w; } tap;

typedef struct edge_job {
    const char *data;
    int ndim, k, center, mode, type, f32, magnitude;
    npy_intp shape[NPY_MAXDIMS], strides[NPY_MAXDIMS];
    double scale;     /* integers: skimage's img_as_float factor, else 0 */
    int clamp;        /* signed integers: np.maximum(image, -1.0) */
    int nk;           /* kernels */
    tap *taps;        /* nk lists of ntap[k] taps */
    int ntap[8];
    double div;       /* magnitude divisor, already of the output type */
    size_t rows;      /* K^(ndim-1) neighbour rows */
} edge_job;

/* index i (any) of an axis of n values through the mode, or -1 for a
 * constant (0.0) value; scipy's rules for the one-element reach of these
 * kernels. */
static npy_intp map_index(npy_intp i, npy_intp n, int mode)
{
    if (i >= 0 && i < n)
        return i;
    switch (mode) {
    case MODE_MIRROR:   return n == 1 ? 0 : i < 0 ? -i : 2 * n - 2 - i;
    case MODE_WRAP:     return i < 0 ? i + n : i - n;
    case MODE_CONSTANT: return -1;
    default:            return i < 0 ? 0 : n - 1;   /* reflect, nearest */
    }
}

/* The value of IEEE binary16 bits h (exact in double). */
static double half_value(npy_half h)
{
    int e = (h >> 10) & 31, m = h & 1023;
    double v = e == 0 ? ldexp(m, -24) : e == 31 ? (m ? NAN : INFINITY) : ldexp(m + 1024, e - 25);
    return (h & 0x8000) ? -v : v;
}

/* One input element as skimage's float image holds it. */
static double load_value(const edge_job *j, const char *p)
{
    double v;
    switch (j->type) {
    case NPY_FLOAT64: return *(const double *)p;
    case NPY_FLOAT32: return *(const float *)p;
    case NPY_FLOAT16: return half_value(*(const npy_half *)p);
    case NPY_BOOL:    return *(const npy_bool *)p ? 1.0 : 0.0;
    case NPY_BYTE:    v = *(const npy_byte *)p; break;
    case NPY_UBYTE:   v = *(const npy_ubyte *)p; break;
    case NPY_SHORT:   v = *(const npy_short *)p; break;
    case NPY_USHORT:  v = *(const npy_ushort *)p; break;
    case NPY_INT:     v = *(const npy_int *)p; break;
    case NPY_UINT:    v = *(const npy_uint *)p; break;
    case NPY_LONG:    v = (double)*(const npy_long *)p; break;
    case NPY_ULONG:   v = (double)*(const npy_ulong *)p; break;
    case NPY_LONGLONG:  v = (double)*(const npy_longlong *)p; break;
    default:          v = (double)*(const npy_ulonglong *)p; break;
    }
    v *= j->scale;
    return j->clamp && v < -1.0 ? -1.0 : v;
}

/* Neighbour row r (0 .. rows) of outer index o, padded by the mode:
 * buf[x] is column x - center, x in [0, width + k - 1). */
static void load_row(const edge_job *j, npy_intp o, size_t r, double *buf)
{
    int d, last = j->ndim - 1;
    npy_intp w = j->shape[last], x;
    const char *p = j->data;
    for (d = last - 1; d >= 0; d--) {          /* outer index and row offset */
        npy_intp i = o % j->shape[d] + (npy_intp)(r % (size_t)j->k) - j->center;
        o /= j->shape[d];
        r /= (size_t)j->k;
        i = map_index(i, j->shape[d], j->mode);
        if (i < 0) {
            for (x = 0; x < w + j->k - 1; x++)
                buf[x] = 0.0;
            return;
        }
        p += i * j->strides[d];
    }
    for (x = 0; x < w + j->k - 1; x++) {
        npy_intp c = map_index(x - j->center, w, j->mode);
        buf[x] = c < 0 ? 0.0 : load_value(j, p + c * j->strides[last]);
    }
}

static double to_out(const edge_job *j, double v)
{
    return j->f32 ? (double)(float)v : v;
}

/* Output row o: every kernel's correlation, squared and summed for the
 * magnitude, into out (C-contiguous, float32 or float64). */
static void edge_row(const edge_job *j, npy_intp o, double *bufs, double *acc, double *c,
                     char *out)
{
    npy_intp w = j->shape[j->ndim - 1], x;
    size_t r, stride = (size_t)(w + j->k - 1);
    const tap *t = j->taps;
    int kk, q;
    for (r = 0; r < j->rows; r++)
        load_row(j, o, r, bufs + r * stride);
    for (x = 0; x < w; x++)
        acc[x] = 0.0;
    for (kk = 0; kk < j->nk; t += j->ntap[kk], kk++) {
        for (x = 0; x < w; x++)
            c[x] = 0.0;
        for (q = 0; q < j->ntap[kk]; q++) {
            const double *b = bufs + (size_t)t[q].row * stride + t[q].col, wq = t[q].w;
            for (x = 0; x < w; x++)
                c[x] += b[x] * wq;
        }
        for (x = 0; x < w; x++) {
            double v = to_out(j, c[x]);
            acc[x] = j->magnitude ? to_out(j, acc[x] + to_out(j, v * v)) : to_out(j, acc[x] + v);
        }
    }
    for (x = 0; x < w; x++) {
        double v = j->magnitude ? to_out(j, to_out(j, sqrt(acc[x])) / j->div) : acc[x];
        if (j->f32)
            ((float *)out)[x] = (float)v;
        else
            ((double *)out)[x] = v;
    }
}

/* The taps of the flipped kernels (C order, zero weights skipped, as
 * scipy's footprint).  0 with an exception set on a bad kernel. */
static int edge_taps(edge_job *j, PyObject *kernels)
{
    Py_ssize_t nk = PyList_GET_SIZE(kernels), i, total = 1, n = 0;
    int d, kk;
    for (d = 0; d < j->ndim; d++)
        total *= j->k;
    if (nk < 1 || nk > 8) {
        PyErr_SetString(PyExc_ValueError, "imgrad: 1 to 8 kernels");
        return 0;
    }
    j->taps = PyMem_RawMalloc((size_t)(nk * total) * sizeof *j->taps);
    if (!j->taps) {
        PyErr_NoMemory();
        return 0;
    }
    j->nk = (int)nk;
    for (kk = 0; kk < nk; kk++) {
        PyArrayObject *a = (PyArrayObject *)PyList_GET_ITEM(kernels, kk);
        const double *w;
        if (!PyArray_Check(a) || PyArray_TYPE(a) != NPY_FLOAT64 || !PyArray_IS_C_CONTIGUOUS(a)
            || PyArray_SIZE(a) != total) {
            PyErr_SetString(PyExc_ValueError, "imgrad: kernels must be float64 K^ndim");
            return 0;
        }
        w = PyArray_DATA(a);
        j->ntap[kk] = 0;
        for (i = 0; i < total; i++)
            if (w[i] != 0) {
                j->taps[n].row = (int)(i / j->k);
                j->taps[n].col = (int)(i % j->k);
                j->taps[n++].w = w[i];
                j->ntap[kk]++;
            }
    }
    return 1;
}

/* edges(image, kernels, k, center, mode, magnitude, div, scale, clamp, out,
 * threads): see the section comment.  out is C-contiguous float32/64. */
static PyObject *edges(PyObject *self, PyObject *args)
{
    PyObject *image, *kernels, *outobj;
    edge_job j;
    int threads, d, failed = 0;
    npy_intp outer = 1, w;
    (void)self;
    memset(&j, 0, sizeof j);
    if (!PyArg_ParseTuple(args, "O!O!iiiiddiO!i", &PyArray_Type, &image, &PyList_Type, &kernels,
                          &j.k, &j.center, &j.mode, &j.magnitude, &j.div, &j.scale, &j.clamp,
                          &PyArray_Type, &outobj, &threads))
        return NULL;
    PyArrayObject *a = (PyArrayObject *)image, *out = (PyArrayObject *)outobj;
    j.ndim = PyArray_NDIM(a);
    j.type = PyArray_TYPE(a);
    j.f32 = PyArray_TYPE(out) == NPY_FLOAT32;
    if (j.ndim < 1 || !PyArray_ISNOTSWAPPED(a) || (j.k != 2 && j.k != 3)
        || !PyArray_IS_C_CONTIGUOUS(out) || PyArray_NDIM(out) != j.ndim
        || (!j.f32 && PyArray_TYPE(out) != NPY_FLOAT64)) {
        PyErr_SetString(PyExc_ValueError, "imgrad: bad arguments to edges");
        return NULL;
    }
    j.data = PyArray_DATA(a);
    for (d = 0; d < j.ndim; d++) {
        j.shape[d] = PyArray_DIMS(a)[d];
        j.strides[d] = PyArray_STRIDES(a)[d];
        if (PyArray_DIMS(out)[d] != j.shape[d]) {
            PyErr_SetString(PyExc_ValueError, "imgrad: output shape");
            return NULL;
        }
        if (d < j.ndim - 1)
            outer *= j.shape[d];
    }
    if (!edge_taps(&j, kernels)) {
        PyMem_RawFree(j.taps);
        return NULL;
    }
    j.rows = 1;
    for (d = 0; d < j.ndim - 1; d++)
        j.rows *= (size_t)j.k;
    w = j.shape[j.ndim - 1];
    if (PyArray_SIZE(a) > 0) {
        size_t each = (j.rows * (size_t)(w + j.k - 1) + 2 * (size_t)w) * sizeof(double);
        Py_BEGIN_ALLOW_THREADS
#pragma omp parallel num_threads(threads > 0 ? threads : omp_get_max_threads()) reduction(|| : failed)
        {
            double *buf = malloc(each);
            npy_intp o;
            if (!buf)
                failed = 1;
#pragma omp for schedule(static)
            for (o = 0; o < outer; o++)
                if (buf)
                    edge_row(&j, o, buf, buf + j.rows * (size_t)(w + j.k - 1),
                             buf + j.rows * (size_t)(w + j.k - 1) + w,
                             (char *)PyArray_DATA(out) + o * w * (j.f32 ? 4 : 8));
            free(buf);
        }
        Py_END_ALLOW_THREADS
    }
    PyMem_RawFree(j.taps);
    if (failed)
        return PyErr_NoMemory();
    Py_RETURN_NONE;
}


/* --------------------------------------------- scipy.ndimage for Canny
 *
 * skimage.feature.canny smooths with scipy.ndimage.gaussian_filter and
 * differentiates with scipy.ndimage.sobel: 1-D correlations along an axis
 * (scipy's correlate1d).  scipy sums a line in double as
 *     out = in[0] w[0] + sum over j = -r .. -1 of (in[j] +- in[-j]) w[j]
 * when the weights are symmetric (+) or antisymmetric (-) within DBL_EPSILON,
 * else in[r] w[r] + sum over j = -r .. r - 1 of in[j] w[j]; the line is
 * extended beyond its ends by the mode; the sum is cast to the output type. */

#include <float.h>

/* Index i of a line of n values through scipy's boundary mode (any reach),
 * or -1 for the constant value. */
static npy_intp map_far(npy_intp i, npy_intp n, int mode)
{
    npy_intp p;
    if (i >= 0 && i < n)
        return i;
    switch (mode) {
    case MODE_CONSTANT: return -1;
    case MODE_NEAREST:  return i < 0 ? 0 : n - 1;
    case MODE_WRAP:     p = i % n; return p < 0 ? p + n : p;
    case MODE_MIRROR:
        if (n == 1)
            return 0;
        p = i % (2 * n - 2);
        if (p < 0)
            p += 2 * n - 2;
        return p < n ? p : 2 * n - 2 - p;
    default:                                     /* reflect */
        p = i % (2 * n);
        if (p < 0)
            p += 2 * n;
        return p < n ? p : 2 * n - 1 - p;
    }
}

/* correlate1d(input, weights, axis, mode, cval, output, threads) on 2-D
 * C-contiguous float32/float64 arrays of one dtype, weights float64 of odd
 * length.  The input is read through rows, so axis 0 works row by row too. */
static PyObject *correlate1d(PyObject *self, PyObject *args)
{
    PyArrayObject *in, *wa, *out;
    int axis, mode, threads, sym = 0, f32;
    double cval;
    npy_intp h, w, r, k, y;
    (void)self;
    if (!PyArg_ParseTuple(args, "O!O!iidO!i", &PyArray_Type, &in, &PyArray_Type, &wa, &axis,
                          &mode, &cval, &PyArray_Type, &out, &threads))
        return NULL;
    f32 = PyArray_TYPE(in) == NPY_FLOAT32;
    if (PyArray_NDIM(in) != 2 || !PyArray_IS_C_CONTIGUOUS(in) || !PyArray_IS_C_CONTIGUOUS(out)
        || PyArray_TYPE(out) != PyArray_TYPE(in) || (!f32 && PyArray_TYPE(in) != NPY_FLOAT64)
        || PyArray_NDIM(out) != 2 || PyArray_DIMS(out)[0] != PyArray_DIMS(in)[0]
        || PyArray_DIMS(out)[1] != PyArray_DIMS(in)[1] || PyArray_TYPE(wa) != NPY_FLOAT64
        || !PyArray_IS_C_CONTIGUOUS(wa) || !(PyArray_SIZE(wa) & 1) || (axis != 0 && axis != 1)) {
        PyErr_SetString(PyExc_ValueError, "imgrad: bad arguments to correlate1d");
        return NULL;
    }
    h = PyArray_DIMS(in)[0];
    w = PyArray_DIMS(in)[1];
    r = PyArray_SIZE(wa) / 2;
    const double *fw = (const double *)PyArray_DATA(wa) + r;   /* fw[-r .. r] */
    if (r > 0) {
        sym = 1;
        for (k = 1; k <= r; k++)
            if (fabs(fw[k] - fw[-k]) > DBL_EPSILON) { sym = 0; break; }
        if (!sym) {
            sym = -1;
            for (k = 1; k <= r; k++)
                if (fabs(fw[k] + fw[-k]) > DBL_EPSILON) { sym = 0; break; }
        }
    }
    const char *src = PyArray_DATA(in);
    char *dst = PyArray_DATA(out);
    npy_intp n = axis ? w : h, lines = axis ? h : w;
    int failed = 0;
    Py_BEGIN_ALLOW_THREADS
#pragma omp parallel num_threads(threads > 0 ? threads : omp_get_max_threads()) reduction(|| : failed)
    {
        double *line = malloc((size_t)(n + 2 * r) * sizeof *line), *acc = malloc((size_t)n * sizeof *acc);
        if (!line || !acc)
            failed = 1;
#pragma omp for schedule(static)
        for (y = 0; y < lines; y++) {
            npy_intp x, j;
            if (failed || !line || !acc)
                continue;
            for (x = -r; x < n + r; x++) {           /* the extended line */
                npy_intp i = map_far(x, n, mode), e = axis ? y * w + i : i * w + y;
                line[x + r] = i < 0 ? cval : f32 ? (double)((const float *)src)[e]
                                                 : ((const double *)src)[e];
            }
            for (x = 0; x < n; x++) {
                const double *il = line + r + x;
                double t;
                if (sym > 0) {
                    t = il[0] * fw[0];
                    for (j = -r; j < 0; j++)
                        t += (il[j] + il[-j]) * fw[j];
                } else if (sym < 0) {
                    t = il[0] * fw[0];
                    for (j = -r; j < 0; j++)
                        t += (il[j] - il[-j]) * fw[j];
                } else {
                    t = il[r] * fw[r];
                    for (j = -r; j < r; j++)
                        t += il[j] * fw[j];
                }
                acc[x] = t;
            }
            for (x = 0; x < n; x++) {
                npy_intp e = axis ? y * w + x : x * w + y;
                if (f32)
                    ((float *)dst)[e] = (float)acc[x];
                else
                    ((double *)dst)[e] = acc[x];
            }
        }
        free(line);
        free(acc);
    }
    Py_END_ALLOW_THREADS
    if (failed)
        return PyErr_NoMemory();
    Py_RETURN_NONE;
}

/* The magnitude m at (y, x) beats the interpolation between its neighbours
 * a and b at weight w: b w + a (1 - w) <= m, in the arrays' type. */
#define BEATS(T, a, b, wt, m) ((T)((T)((b) * (wt)) + (T)((a) * (T)(1 - (wt)))) <= (m))

/* skimage's non-maximum suppression at one pixel: the four direction cases
 * in skimage's order, a later case overriding an earlier one. */
#define NMS_PIXEL(T)                                                              \
    do {                                                                          \
        T I = gi[p], J = gj[p], aI = I < 0 ? -I : I, aJ = J < 0 ? -J : J, m = M[p]; \
        int hor = aI >= aJ, ver = aI <= aJ, up = I >= 0, down = I <= 0;            \
        int right = J >= 0, left = J <= 0, res = 0;                               \
        if (((up && right) || (down && left)) && hor) {                           \
            T wt = aJ / aI;                                                       \
            res = BEATS(T, M[p + w], M[p + w + 1], wt, m)                         \
                  && BEATS(T, M[p - w], M[p - w - 1], wt, m);                     \
        }                                                                         \
        if (((up && right) || (down && left)) && ver) {                           \
            T wt = aI / aJ;                                                       \
            res = BEATS(T, M[p + 1], M[p + w + 1], wt, m)                         \
                  && BEATS(T, M[p - 1], M[p - w - 1], wt, m);                     \
        }                                                                         \
        if (((down && right) || (up && left)) && ver) {                           \
            T wt = aI / aJ;                                                       \
            res = BEATS(T, M[p + 1], M[p - w + 1], wt, m)                         \
                  && BEATS(T, M[p - 1], M[p + w - 1], wt, m);                     \
        }                                                                         \
        if (((down && right) || (up && left)) && hor) {                           \
            T wt = aJ / aI;                                                       \
            res = BEATS(T, M[p - w], M[p - w + 1], wt, m)                         \
                  && BEATS(T, M[p + w], M[p + w - 1], wt, m);                     \
        }                                                                         \
        keep[p] = (npy_bool)res;                                                  \
    } while (0)

static void nms_f64(const double *gi, const double *gj, const double *M, const npy_bool *mask,
                    npy_bool *keep, npy_intp h, npy_intp w, int nt)
{
    npy_intp y;
#pragma omp parallel for num_threads(nt) schedule(static)
    for (y = 0; y < h; y++) {
        npy_intp x;
        for (x = 0; x < w; x++) {
            npy_intp p = y * w + x;
            if (!mask[p] || !(M[p] > 0) || y == 0 || x == 0 || y == h - 1 || x == w - 1)
                keep[p] = 0;
            else
                NMS_PIXEL(double);
        }
    }
}

static void nms_f32(const float *gi, const float *gj, const float *M, const npy_bool *mask,
                    npy_bool *keep, npy_intp h, npy_intp w, int nt)
{
    npy_intp y;
#pragma omp parallel for num_threads(nt) schedule(static)
    for (y = 0; y < h; y++) {
        npy_intp x;
        for (x = 0; x < w; x++) {
            npy_intp p = y * w + x;
            if (!mask[p] || !(M[p] > 0) || y == 0 || x == 0 || y == h - 1 || x == w - 1)
                keep[p] = 0;
            else
                NMS_PIXEL(float);
        }
    }
}

/* Hysteresis: out = pixels of keep with magnitude >= low whose 8-connected
 * component (of such pixels) holds one with magnitude >= high; a flood fill
 * from those seeds, which selects the components skimage's labels do. */
static int hysteresis(const char *M, int f32, const npy_bool *keep, double low, double high,
                      npy_bool *out, npy_intp h, npy_intp w)
{
    npy_intp n = h * w, p, top = 0, *stack = malloc((size_t)(n ? n : 1) * sizeof *stack);
    if (!stack)
        return 0;
#define MAG(q) (f32 ? (double)((const float *)M)[q] : ((const double *)M)[q])
    for (p = 0; p < n; p++)
        out[p] = 0;
    for (p = 0; p < n; p++)
        if (keep[p] && MAG(p) >= high && MAG(p) >= low && !out[p]) {
            out[p] = 1;
            stack[top++] = p;
            while (top) {
                npy_intp q = stack[--top], qy = q / w, qx = q % w, dy, dx;
                for (dy = -1; dy <= 1; dy++)
                    for (dx = -1; dx <= 1; dx++) {
                        npy_intp ny = qy + dy, nx = qx + dx, nq = ny * w + nx;
                        if (ny < 0 || nx < 0 || ny >= h || nx >= w || out[nq] || !keep[nq]
                            || !(MAG(nq) >= low))
                            continue;
                        out[nq] = 1;
                        stack[top++] = nq;
                    }
            }
        }
#undef MAG
    free(stack);
    return 1;
}

/* canny_edges(isobel, jsobel, magnitude, eroded_mask, low, high, out,
 * threads): skimage's local maxima and hysteresis into the bool array out.
 * All 2-D C-contiguous of one shape; the three float arrays one dtype. */
static PyObject *canny_edges(PyObject *self, PyObject *args)
{
    PyArrayObject *gi, *gj, *mag, *mask, *out;
    double low, high;
    int threads, ok = 1;
    npy_bool *keep;
    (void)self;
    if (!PyArg_ParseTuple(args, "O!O!O!O!ddO!i", &PyArray_Type, &gi, &PyArray_Type, &gj,
                          &PyArray_Type, &mag, &PyArray_Type, &mask, &low, &high,
                          &PyArray_Type, &out, &threads))
        return NULL;
    PyArrayObject *all[5] = { gi, gj, mag, mask, out };
    int t = PyArray_TYPE(mag), k;
    for (k = 0; k < 5; k++)
        if (PyArray_NDIM(all[k]) != 2 || !PyArray_IS_C_CONTIGUOUS(all[k])
            || PyArray_DIMS(all[k])[0] != PyArray_DIMS(mag)[0]
            || PyArray_DIMS(all[k])[1] != PyArray_DIMS(mag)[1]
            || PyArray_TYPE(all[k]) != (k < 3 ? t : NPY_BOOL)
            || (t != NPY_FLOAT32 && t != NPY_FLOAT64)) {
            PyErr_SetString(PyExc_ValueError, "imgrad: bad arguments to canny_edges");
            return NULL;
        }
    npy_intp h = PyArray_DIMS(mag)[0], w = PyArray_DIMS(mag)[1];
    keep = malloc((size_t)(h * w > 0 ? h * w : 1));
    if (!keep)
        return PyErr_NoMemory();
    Py_BEGIN_ALLOW_THREADS
    int nt = threads > 0 ? threads : omp_get_max_threads();
    if (t == NPY_FLOAT64)
        nms_f64(PyArray_DATA(gi), PyArray_DATA(gj), PyArray_DATA(mag), PyArray_DATA(mask), keep,
                h, w, nt);
    else
        nms_f32(PyArray_DATA(gi), PyArray_DATA(gj), PyArray_DATA(mag), PyArray_DATA(mask), keep,
                h, w, nt);
    ok = hysteresis(PyArray_DATA(mag), t == NPY_FLOAT32, keep, low, high, PyArray_DATA(out), h, w);
    Py_END_ALLOW_THREADS
    free(keep);
    if (!ok)
        return PyErr_NoMemory();
    Py_RETURN_NONE;
}


/* ------------------------------------------- libimgrad's 2-D products */

/* A float32 2-D numpy array as an imgrad_grid that borrows its memory (rows
 * contiguous, row stride a whole number of floats); 0 with an exception. */
static int borrow_grid(PyObject *obj, imgrad_grid *g, int writable)
{
    PyArrayObject *a = (PyArrayObject *)obj;
    if (!PyArray_Check(obj) || PyArray_TYPE(a) != NPY_FLOAT32 || PyArray_NDIM(a) != 2
        || !PyArray_ISNOTSWAPPED(a) || PyArray_STRIDES(a)[1] != 4 || PyArray_STRIDES(a)[0] < 0
        || PyArray_STRIDES(a)[0] % 4 || (writable && !PyArray_ISWRITEABLE(a))
        || PyArray_DIMS(a)[0] < 1 || PyArray_DIMS(a)[1] < 1
        || PyArray_DIMS(a)[0] > INT_MAX || PyArray_DIMS(a)[1] > INT_MAX) {
        PyErr_SetString(PyExc_ValueError, "imgrad: expected a non-empty 2-D float32 array "
                        "with contiguous rows");
        return 0;
    }
    g->width = (int)PyArray_DIMS(a)[1];
    g->height = (int)PyArray_DIMS(a)[0];
    g->stride = (size_t)(PyArray_STRIDES(a)[0] / 4);
    if (g->stride < (size_t)g->width)
        g->stride = (size_t)g->width;      /* a single row */
    g->data = PyArray_DATA(a);
    g->residual = NULL;
    return 1;
}

/* gradients_2d(image, outs, thresholds, op, edge_order, dx, dy, xc, yc,
 * raw_scale, border, border_value, sigma, norm_l1, factor, degrees,
 * positive, canny_low, canny_high, threads): imgrad_gradient into the
 * caller's float32 arrays outs = [gx, gy, magnitude, direction, edges]
 * (None: not computed); thresholds a float64 array of 2 or None. */
static PyObject *gradients_2d(PyObject *self, PyObject *args)
{
    PyObject *img, *outs, *thr, *xc, *yc;
    imgrad_gradient_options o;
    imgrad_grid in, g[5];
    imgrad_grid *slots[5] = { NULL };
    imgrad_products p;
    imgrad_status st;
    int op, border, k;
    (void)self;
    imgrad_gradient_options_default(&o);
    if (!PyArg_ParseTuple(args, "OO!OiiddOOiiddidiiddi", &img, &PyList_Type, &outs, &thr, &op,
                          &o.edge_order, &o.dx, &o.dy, &xc, &yc, &o.raw_scale, &border,
                          &o.border_value, &o.sigma, &o.norm_l1, &o.magnitude_factor,
                          &o.angle_degrees, &o.angle_positive, &o.canny_low, &o.canny_high,
                          &o.threads))
        return NULL;
    o.op = (imgrad_operator)op;
    o.border = (imgrad_border)border;
    if (!borrow_grid(img, &in, 0) || PyList_GET_SIZE(outs) != 5)
        return NULL;
    if (xc != Py_None) {
        if (!PyArray_Check(xc) || PyArray_TYPE((PyArrayObject *)xc) != NPY_FLOAT64
            || !PyArray_IS_C_CONTIGUOUS((PyArrayObject *)xc)
            || PyArray_SIZE((PyArrayObject *)xc) != in.width)
            return PyErr_Format(PyExc_ValueError, "imgrad: x_coords must have %d values",
                                in.width);
        o.x_coords = PyArray_DATA((PyArrayObject *)xc);
    }
    if (yc != Py_None) {
        if (!PyArray_Check(yc) || PyArray_TYPE((PyArrayObject *)yc) != NPY_FLOAT64
            || !PyArray_IS_C_CONTIGUOUS((PyArrayObject *)yc)
            || PyArray_SIZE((PyArrayObject *)yc) != in.height)
            return PyErr_Format(PyExc_ValueError, "imgrad: y_coords must have %d values",
                                in.height);
        o.y_coords = PyArray_DATA((PyArrayObject *)yc);
    }
    for (k = 0; k < 5; k++) {
        PyObject *a = PyList_GET_ITEM(outs, k);
        if (a == Py_None)
            continue;
        if (!borrow_grid(a, &g[k], 1))
            return NULL;
        slots[k] = &g[k];
    }
    memset(&p, 0, sizeof p);
    p.gx = slots[0];
    p.gy = slots[1];
    p.magnitude = slots[2];
    p.direction = slots[3];
    p.edges = slots[4];
    p.in_place = 1;
    if (thr != Py_None) {
        if (!PyArray_Check(thr) || PyArray_TYPE((PyArrayObject *)thr) != NPY_FLOAT64
            || PyArray_SIZE((PyArrayObject *)thr) != 2
            || !PyArray_IS_C_CONTIGUOUS((PyArrayObject *)thr))
            return PyErr_Format(PyExc_ValueError, "imgrad: thresholds: 2 float64");
        p.thresholds = PyArray_DATA((PyArrayObject *)thr);
    }
    Py_BEGIN_ALLOW_THREADS
    st = imgrad_gradient(&in, &o, &p);
    Py_END_ALLOW_THREADS
    if (st != IMGRAD_OK)
        return raise_status(st);
    Py_RETURN_NONE;
}

/* load_gray(path, weights, orient, jpeg_luma, float64) -> (array, width,
 * height, channels, kind): imgrad_load_gray, the grey as float32 (or, with
 * float64, data + residual in double). */
static PyObject *load_gray(PyObject *self, PyObject *args)
{
    const char *path;
    imgrad_load_options lo;
    imgrad_grid g;
    imgrad_source_info info;
    imgrad_status st;
    int weights, f64, y, x;
    PyObject *arr;
    (void)self;
    imgrad_load_options_default(&lo);
    if (!PyArg_ParseTuple(args, "siiii", &path, &weights, &lo.orient, &lo.jpeg_luma, &f64))
        return NULL;
    lo.gray = (imgrad_gray_weights)weights;
    lo.residual = f64;
    Py_BEGIN_ALLOW_THREADS
    st = imgrad_load_gray(path, &lo, &g, &info);
    Py_END_ALLOW_THREADS
    if (st != IMGRAD_OK) {
        if (st == IMGRAD_EIO)
            return PyErr_SetFromErrnoWithFilename(PyExc_OSError, path);
        return PyErr_Format(PyExc_ValueError, "imgrad: %s: %s", path, imgrad_strerror(st));
    }
    npy_intp dims[2] = { g.height, g.width };
    arr = PyArray_SimpleNew(2, dims, f64 ? NPY_FLOAT64 : NPY_FLOAT32);
    if (arr) {
        for (y = 0; y < g.height; y++)
            for (x = 0; x < g.width; x++) {
                size_t i = (size_t)y * g.stride + (size_t)x;
                if (f64)
                    ((double *)PyArray_DATA((PyArrayObject *)arr))[(size_t)y * g.width + x] =
                        (double)g.data[i] + (g.residual ? (double)g.residual[i] : 0.0);
                else
                    ((float *)PyArray_DATA((PyArrayObject *)arr))[(size_t)y * g.width + x] =
                        g.data[i];
            }
    }
    imgrad_grid_free(&g);
    if (!arr)
        return NULL;
    return Py_BuildValue("(Niiii)", arr, info.width, info.height, info.channels, (int)info.kind);
}

/* gradient_stats(magnitude, gx, gy, threshold) -> tuple of imgrad_stats. */
static PyObject *gradient_stats(PyObject *self, PyObject *args)
{
    PyObject *m, *x, *y, *orient;
    imgrad_grid gm, gx, gy;
    imgrad_stats s;
    imgrad_status st;
    double thr;
    int k;
    (void)self;
    if (!PyArg_ParseTuple(args, "OOOd", &m, &x, &y, &thr))
        return NULL;
    if (!borrow_grid(m, &gm, 0) || !borrow_grid(x, &gx, 0) || !borrow_grid(y, &gy, 0))
        return NULL;
    Py_BEGIN_ALLOW_THREADS
    st = imgrad_gradient_stats(&gm, &gx, &gy, thr, &s);
    Py_END_ALLOW_THREADS
    if (st != IMGRAD_OK)
        return raise_status(st);
    orient = PyTuple_New(IMGRAD_STATS_BINS);
    if (!orient)
        return NULL;
    for (k = 0; k < IMGRAD_STATS_BINS; k++)
        PyTuple_SET_ITEM(orient, k, PyFloat_FromDouble(s.orientation[k]));
    return Py_BuildValue("{s:i,s:i,s:d,s:d,s:d,s:d,s:d,s:N}", "width", s.width, "height",
                         s.height, "mean", s.mean, "median", s.median, "p95", s.p95, "max",
                         s.max, "edge_density", s.edge_density, "orientation", orient);
}

/* ------------------------------------- the output arrays' memory handler
 *
 * imgrad.gradient's new output arrays come from a numpy memory handler
 * (NEP 49) over blockcache.c, set only while empty_like makes them and
 * restored at once: numpy stores the handler in each array, which then
 * frees through it, and every other array in the process keeps numpy's. */

static void *handler_malloc(void *ctx, size_t size)
{
    (void)ctx;
    return blockcache_malloc(size);
}

static void *handler_calloc(void *ctx, size_t count, size_t size)
{
    (void)ctx;
    return blockcache_calloc(count, size);
}

static void *handler_realloc(void *ctx, void *p, size_t size)
{
    (void)ctx;
    return blockcache_realloc(p, size);
}

static void handler_free(void *ctx, void *p, size_t size)
{
    (void)ctx;
    (void)size;       /* blockcache knows each block's size */
    blockcache_free(p);
}

static PyDataMem_Handler cache_handler = {
    "imgrad_block_cache", 1,
    { NULL, handler_malloc, handler_calloc, handler_realloc, handler_free }
};

static PyObject *cache_capsule;   /* "mem_handler" capsule of cache_handler */

/* empty_like(prototype, n) -> list of n np.empty_like(prototype); arrays of
 * at least BLOCKCACHE_MIN_BYTES from the block cache while it is on. */
static PyObject *empty_like(PyObject *self, PyObject *args)
{
    PyArrayObject *proto;
    PyObject *list, *old = NULL, *type, *value, *tb;
    blockcache_info info;
    int n, k;
    (void)self;
    if (!PyArg_ParseTuple(args, "O!i", &PyArray_Type, &proto, &n))
        return NULL;
    blockcache_get_info(&info);
    if (info.limit > 0 && (size_t)PyArray_NBYTES(proto) >= BLOCKCACHE_MIN_BYTES
        && (old = PyDataMem_SetHandler(cache_capsule)) == NULL)
        return NULL;
    list = PyList_New(n > 0 ? n : 0);
    for (k = 0; list && k < n; k++) {
        PyObject *a = PyArray_NewLikeArray(proto, NPY_KEEPORDER, NULL, 0);
        if (!a)
            Py_CLEAR(list);
        else
            PyList_SET_ITEM(list, k, a);
    }
    if (old) {
        PyErr_Fetch(&type, &value, &tb);
        PyObject *mine = PyDataMem_SetHandler(old);
        Py_DECREF(old);
        if (!mine)
            Py_CLEAR(list);
        Py_XDECREF(mine);
        if (type)
            PyErr_Restore(type, value, tb);
    }
    return list;
}

/* cache_limit(limit) -> the previous limit in bytes; limit < 0 only reads. */
static PyObject *cache_limit(PyObject *self, PyObject *args)
{
    long long limit;
    blockcache_info info;
    (void)self;
    if (!PyArg_ParseTuple(args, "L", &limit))
        return NULL;
    if (limit < 0) {
        blockcache_get_info(&info);
        return PyLong_FromSize_t(info.limit);
    }
    return PyLong_FromSize_t(blockcache_set_limit((size_t)limit));
}

static PyObject *cache_release(PyObject *self, PyObject *noargs)
{
    (void)self;
    (void)noargs;
    return PyLong_FromSize_t(blockcache_release());
}

static PyObject *cache_info(PyObject *self, PyObject *noargs)
{
    blockcache_info i;
    (void)self;
    (void)noargs;
    blockcache_get_info(&i);
    return Py_BuildValue("{s:n,s:n,s:i,s:K,s:K,s:n,s:i,s:s}", "limit", (Py_ssize_t)i.limit,
                         "held", (Py_ssize_t)i.held, "blocks", i.blocks, "hits", i.hits,
                         "misses", i.misses, "min_block", (Py_ssize_t)BLOCKCACHE_MIN_BYTES,
                         "max_blocks", BLOCKCACHE_MAX_BLOCKS, "handler", cache_handler.name);
}

static PyMethodDef methods[] = {
    { "gradient_nd", gradient_nd, METH_VARARGS,
      "gradient_nd(f, axes, spacing, edge_order, outs, threads): numpy.gradient's "
      "derivatives of f along axes into the arrays outs (the C library's "
      "imgrad_gradient_nd)." },
    { "edges", edges, METH_VARARGS,
      "edges(image, kernels, k, center, mode, magnitude, div, scale, clamp, out, threads): "
      "scikit-image's convolution edge filters (see imgrad.skimage)." },
    { "correlate1d", correlate1d, METH_VARARGS,
      "correlate1d(input, weights, axis, mode, cval, output, threads): "
      "scipy.ndimage.correlate1d on 2-D float arrays, bit for bit." },
    { "canny_edges", canny_edges, METH_VARARGS,
      "canny_edges(isobel, jsobel, magnitude, mask, low, high, out, threads): "
      "scikit-image's Canny non-maximum suppression and hysteresis." },
    { "gradients_2d", gradients_2d, METH_VARARGS, "imgrad_gradient into float32 arrays." },
    { "load_gray", load_gray, METH_VARARGS, "imgrad_load_gray." },
    { "gradient_stats", gradient_stats, METH_VARARGS, "imgrad_gradient_stats." },
    { "empty_like", empty_like, METH_VARARGS,
      "empty_like(prototype, n): n arrays as np.empty_like(prototype), large ones from "
      "imgrad's block cache." },
    { "cache_limit", cache_limit, METH_VARARGS,
      "cache_limit(limit): sets the block cache's limit in bytes (0: off; < 0: unchanged); "
      "returns the previous one." },
    { "cache_release", cache_release, METH_NOARGS,
      "cache_release(): returns every kept block to the kernel; the bytes released." },
    { "cache_info", cache_info, METH_NOARGS, "cache_info(): the block cache's state." },
    { NULL, NULL, 0, NULL }
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "imgrad._core", "libimgrad's kernels for numpy arrays.", -1,
    methods, NULL, NULL, NULL, NULL
};

PyMODINIT_FUNC PyInit__core(void)
{
    PyObject *m;
    import_array();
    cache_capsule = PyCapsule_New(&cache_handler, "mem_handler", NULL);
    if (!cache_capsule)
        return NULL;
    m = PyModule_Create(&module);
    if (m && PyModule_AddStringConstant(m, "LIB_VERSION", imgrad_version()) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
