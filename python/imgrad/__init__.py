"""imgrad: numpy.gradient, bit for bit, in parallel C (libimgrad).

``imgrad.gradient`` is a drop-in for ``numpy.gradient``: same arguments, same
return types and dtypes, same values to the last bit, same errors.  It runs
libimgrad's OpenMP kernel with the GIL released, reading the input in place
whatever its strides and writing outputs laid out as numpy's are.

Memory: new outputs of 4 MiB and more come from a small cache of freed
output blocks (``set_cache``, ``release_memory``, ``cache_info``;
``IMGRAD_CACHE=0`` turns it off), so that repeated calls skip the page
faults of fresh memory.

Threads: ``threads=`` per call, else ``OMP_NUM_THREADS``, else every core.
After ``os.fork()`` in a process that has already run a parallel kernel,
GNU OpenMP (libgomp) is not fork-safe: use the ``spawn`` or ``forkserver``
start method of multiprocessing (or ``threads=1`` in forked children).
"""

import numpy as _np
from numpy.core.multiarray import normalize_axis_index as _nai  # noqa: F401
from numpy.core.numeric import normalize_axis_tuple as _normalize_axis_tuple

from . import _core
from ._edges import (sobel, sobel_h, sobel_v, scharr, scharr_h, scharr_v,  # noqa: F401
                     prewitt, prewitt_h, prewitt_v, roberts, roberts_pos_diag,
                     roberts_neg_diag)
from ._canny import canny  # noqa: F401
from ._products import load_gray, gradients, stats  # noqa: F401
from ._memory import set_cache, release_memory, cache_info  # noqa: F401

__all__ = ["gradient", "sobel", "sobel_h", "sobel_v", "scharr", "scharr_h", "scharr_v",
           "prewitt", "prewitt_h", "prewitt_v", "roberts", "roberts_pos_diag",
           "roberts_neg_diag", "canny", "load_gray", "gradients", "stats", "set_cache",
           "release_memory", "cache_info"]
__version__ = _core.LIB_VERSION

# numpy's own function, for the types imgrad does not compute (see
# _numpy_only) and for checking.
_np_gradient = _np.lib.function_base.gradient

# imgrad_dtype codes (include/imgrad.h) of the scalar spacing types
_DT_FLOAT64, _DT_FLOAT32, _DT_FLOAT16, _DT_INT64 = 0, 1, 2, 9
_DT_INTS = {"int8": 3, "uint8": 4, "int16": 5, "uint16": 6, "int32": 7, "uint32": 8,
            "int64": 9, "uint64": 10}
_FLOATS = (_np.float16, _np.float32, _np.float64)


def _numpy_only(f, edge_order):
    """True when numpy must compute the call: subclasses (masked arrays,
    matrix), dtypes other than bool, integers and float16/32/64 (datetime64,
    timedelta64, complex, longdouble, object, strings), byte-swapped data,
    0-d arrays and edge orders other than 1 and 2."""
    return (type(f) is not _np.ndarray
            or f.dtype.kind not in "biuf"
            or (f.dtype.kind == "f" and f.dtype.type not in _FLOATS)
            or f.dtype.kind == "b"           # numpy 1.24 raises TypeError
            or not f.dtype.isnative
            or f.ndim == 0
            or type(edge_order) not in (int, _np.int64, _np.int32)
            or edge_order not in (1, 2))


class _PythonZero(float):
    """A zero step given as a Python int or float: numpy's edge order 2
    divides by it in Python (ZeroDivisionError), where a numpy zero gives
    inf."""


_PYTHON_ZERO = _PythonZero(0.0)


def _step(dx):
    """(value, imgrad dtype code) of a scalar spacing as numpy 1.24's
    value-based casting sees it, or None when numpy must handle it."""
    if type(dx) in (int, float) and dx == 0:
        return _PYTHON_ZERO, _DT_FLOAT64     # numpy's -1.5 / dx raises
    if isinstance(dx, _np.ndarray):          # 0-d array: a numpy scalar
        dx = dx[()]
    if type(dx) is float or isinstance(dx, _np.float64):
        return float(dx), _DT_FLOAT64
    if isinstance(dx, _np.float32):
        return float(dx), _DT_FLOAT32
    if isinstance(dx, _np.float16):
        return float(dx), _DT_FLOAT16
    if type(dx) is int and -2**63 <= dx < 2**63:
        return float(dx), _DT_INT64          # a Python int is int64 to numpy
    if isinstance(dx, _np.integer) and dx.dtype.name in _DT_INTS:
        return float(dx), _DT_INTS[dx.dtype.name]
    return None


def _spacing(f, varargs, axes):
    """numpy.gradient's spacing arguments, checked as numpy checks them (the
    same errors), as one (step, type, coords) per axis; None when numpy must
    handle them (complex, bool, object or datetime spacing)."""
    n, len_axes = len(varargs), len(axes)
    if n == 0:
        return [(1.0, _DT_FLOAT64, None)] * len_axes
    if n == 1 and _np.ndim(varargs[0]) == 0:
        step = _step(varargs[0])
        return None if step is None else [step + (None,)] * len_axes
    if n != len_axes:
        raise TypeError("invalid number of arguments")
    out = []
    for i, distances in enumerate(varargs):
        distances = _np.asanyarray(distances)
        if distances.ndim == 0:
            step = _step(distances)
            if step is None:
                return None
            out.append(step + (None,))
            continue
        if distances.ndim != 1:
            raise ValueError("distances must be either scalars or 1d")
        if len(distances) != f.shape[axes[i]]:
            raise ValueError("when 1d, distances must match "
                             "the length of the corresponding dimension")
        if (type(distances) is not _np.ndarray or distances.dtype.kind not in "iuf"
                or (distances.dtype.kind == "f" and distances.dtype.type not in _FLOATS)
                or not distances.dtype.isnative or len(distances) < 2):
            return None
        out.append((1.0, _DT_FLOAT64, distances))
    return out


def gradient(f, *varargs, axis=None, edge_order=1, threads=0, out=None):
    """Return the gradient of an N-dimensional array, as numpy.gradient.

    Second order accurate central differences in the interior points and
    first or second order accurate one-sided differences at the boundaries,
    computed by libimgrad in parallel.  Every value equals numpy 1.24's bit
    for bit.

    Parameters
    ----------
    f : array_like
        An N-dimensional array (any strides, any rank from 1 to 32).
    varargs : list of scalar or array, optional
        Spacing between f values, as numpy.gradient: nothing (unit spacing),
        one scalar for every axis, or one scalar or 1-D coordinate array per
        axis (the coordinates of the values along that axis).
    axis : None or int or tuple of ints, optional
        The axes to differentiate; None (default) means all of them.
    edge_order : {1, 2}, optional
        Accuracy of the one-sided differences at the boundaries.
    threads : int, optional
        OpenMP threads for this call (imgrad only; 0, the default, means
        OMP_NUM_THREADS or every core).  Results do not depend on it.
    out : list of ndarray, optional
        imgrad only: arrays to write the derivatives into (one per
        differentiated axis, f's shape, the result dtype, any strides), and
        to return.  Reusing them across calls saves the page faults of new
        arrays, which cost more than the arithmetic on large inputs (without
        out=, new outputs of 4 MiB and more reuse the blocks of freed ones:
        see ``set_cache``).

    Returns
    -------
    gradient : ndarray or list of ndarray
        One array per differentiated axis (a single array for one axis), of
        f's shape; float16, float32 and float64 input keep their dtype,
        integers give float64.

    Notes
    -----
    numpy itself computes (so results and errors are numpy's): subclasses
    such as masked arrays, datetime64, timedelta64, complex, longdouble and
    object arrays, byte-swapped data, bool (numpy raises TypeError), 0-d
    arrays, complex/bool/object spacing and edge orders other than 1 or 2.

    Examples
    --------
    >>> import imgrad
    >>> imgrad.gradient([8, 2, 8, 3, 5, 6, 5, 15], 7)
    array([-0.85714286,  0.        ,  0.07142857, -0.21428571,  0.21428571,
            0.        ,  0.64285714,  1.42857143])
    >>> imgrad.gradient([[1, 2, 6], [3, 4, 5]], axis=0)
    array([[ 2.,  2., -1.],
           [ 2.,  2., -1.]])
    """
    fa = _np.asanyarray(f)
    if _numpy_only(fa, edge_order):
        if out is not None:
            raise TypeError("imgrad.gradient: out= needs an array imgrad computes "
                            "(float16/32/64 or integer ndarray, edge_order 1 or 2)")
        return _np_gradient(f, *varargs, axis=axis, edge_order=edge_order)
    axes = tuple(range(fa.ndim)) if axis is None else _normalize_axis_tuple(axis, fa.ndim)
    spacing = _spacing(fa, varargs, axes)
    if spacing is None:
        if out is not None:
            raise TypeError("imgrad.gradient: out= needs float or integer spacing")
        return _np_gradient(f, *varargs, axis=axis, edge_order=edge_order)
    for ax, (step, step_type, coords) in zip(axes, spacing):
        if fa.shape[ax] < edge_order + 1:
            raise ValueError(
                "Shape of array too small to calculate a numerical gradient, "
                "at least (edge_order + 1) elements are required.")
        if edge_order == 2 and step is _PYTHON_ZERO:
            raise ZeroDivisionError("float division by zero")  # -1.5 / dx in Python
    # numpy allocates empty_like(f) after converting integers with astype,
    # which is empty_like too: the same strides, even along length-1 axes.
    # _core.empty_like is np.empty_like, large arrays from the block cache.
    if out is not None:
        outs = list(out)
        otype = fa.dtype if fa.dtype.kind == "f" else _np.dtype(_np.float64)
        if len(outs) != len(axes) or any(
                type(o) is not _np.ndarray or o.shape != fa.shape or o.dtype != otype
                or not o.flags.writeable for o in outs):
            raise ValueError("imgrad.gradient: out must be %d writable arrays of shape %s and "
                             "dtype %s" % (len(axes), fa.shape, otype))
    else:
        like = fa if fa.dtype.kind == "f" else _np.empty_like(fa, dtype=_np.float64)
        outs = _core.empty_like(like, len(axes))
    if not axes:
        return outs
    _core.gradient_nd(fa, axes, spacing, int(edge_order), outs, int(threads))
    return outs[0] if len(axes) == 1 else outs
