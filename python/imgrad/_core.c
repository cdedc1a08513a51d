/* _core.c - the C extension of the imgrad Python package: numpy arrays
 * described to libimgrad in place (no copies), the GIL released around
 * every kernel.  The Python layer (__init__.py) checks arguments as numpy
 * does and calls these with well-formed values only. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#define NPY_NO_DEPRECATED_API NPY_1_7_API_VERSION
#include <numpy/arrayobject.h>

#include "imgrad.h"

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
 * sequence of (step, step_type, coords-or-None), one per axis; outs the
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
        if (!PyArg_ParseTuple(PyList_GET_ITEM(spacing, k), "diO", &o.spacing[k].step,
                              (int *)&o.spacing[k].step_type, &c))
            return NULL;
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

static PyMethodDef methods[] = {
    { "gradient_nd", gradient_nd, METH_VARARGS,
      "gradient_nd(f, axes, spacing, edge_order, outs, threads): numpy.gradient's "
      "derivatives of f along axes into the arrays outs (the C library's "
      "imgrad_gradient_nd)." },
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
    m = PyModule_Create(&module);
    if (m && PyModule_AddStringConstant(m, "LIB_VERSION", imgrad_version()) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
