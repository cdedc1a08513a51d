"""Drop-ins for scikit-image 0.19's edge filters (skimage.filters.sobel,
scharr, prewitt with _h/_v, roberts with its diagonals): same arguments,
dtypes and values, computed by the extension's C loops (imgrad._core.edges)
with the operations of scipy.ndimage.convolve and skimage in the same order.

skimage builds each kernel with numpy (below, the same expressions); the C
code then correlates with the flipped kernel, as scipy's convolve does.  The
mask is eroded with scipy.ndimage.binary_erosion, exactly as skimage does
(scipy comes with Debian's python3-skimage)."""

import numpy as np

from . import _core

__all__ = ["sobel", "sobel_h", "sobel_v", "scharr", "scharr_h", "scharr_v",
           "prewitt", "prewitt_h", "prewitt_v", "roberts", "roberts_pos_diag",
           "roberts_neg_diag"]

SOBEL_SMOOTH = np.array([1, 2, 1]) / 4
SCHARR_SMOOTH = np.array([3, 10, 3]) / 16
PREWITT_SMOOTH = np.full((3,), 1 / 3)
ROBERTS_PD_WEIGHTS = np.array([[1, 0], [0, -1]], dtype=np.double)
ROBERTS_ND_WEIGHTS = np.array([[0, 1], [-1, 0]], dtype=np.double)

# scipy.ndimage's boundary modes (grid-* are the same for these kernels)
_MODES = {"reflect": 0, "grid-mirror": 0, "mirror": 1, "nearest": 2, "wrap": 3,
          "grid-wrap": 3, "constant": 4, "grid-constant": 4}


def _check_nD(array, ndim, arg_name="image"):
    """skimage._shared.utils.check_nD: the same errors."""
    array = np.asanyarray(array)
    if array.size == 0:
        raise ValueError("The parameter `%s` cannot be an empty array" % arg_name)
    if array.ndim not in [ndim]:
        raise ValueError("The parameter `%s` must be a %s-dimensional array"
                         % (arg_name, ndim))


def _float_view(image):
    """skimage's input conversion, as (array to read, output dtype, scale,
    clamp): floats keep float32/float64 (float16 computes in float32);
    integers are scaled by 1 / max (signed ones clipped at -1) in float64 as
    img_as_float does, bool becomes 0.0 / 1.0."""
    image = np.asarray(image)
    kind = image.dtype.kind
    if kind == "f":
        if image.dtype.itemsize > 8:
            raise TypeError("imgrad: float128 images are not supported")
        out = np.float64 if image.dtype == np.float64 else np.float32
        return image, np.dtype(out), 0.0, 0
    if kind in "ui":
        info = np.iinfo(image.dtype)
        return image, np.dtype(np.float64), 1.0 / info.max, int(kind == "i")
    if kind == "b":
        return image, np.dtype(np.float64), 0.0, 0
    raise ValueError("imgrad: images of dtype %s are not supported" % image.dtype)


def _native(image):
    return image if image.dtype.isnative else image.astype(image.dtype.newbyteorder("="))


def _run(image, kernels, k, center, mode, magnitude, div, threads):
    """The C filter: the kernels flipped (scipy's convolve), one output of
    skimage's float type."""
    if mode not in _MODES:
        raise RuntimeError("boundary mode not supported")
    img, otype, scale, clamp = _float_view(image)
    img = _native(img)
    if img.ndim == 0:
        raise RuntimeError("filter weights array has incorrect shape.")
    flipped = [np.ascontiguousarray(kk[(slice(None, None, -1),) * kk.ndim], dtype=np.float64)
               for kk in kernels]
    out = np.empty(img.shape, dtype=otype)
    divisor = float(otype.type(div)) if magnitude else 1.0
    # scale 0.0 means "no scaling" to the C loop (floats and bool)
    _core.edges(img, flipped, k, center, _MODES[mode], int(magnitude), divisor,
                scale if scale else 1.0, clamp, out, int(threads))
    return out


def _mask_filter_result(result, mask):
    """skimage.filters.edges._mask_filter_result: zero the result where the
    eroded mask is False."""
    if mask is not None:
        from scipy import ndimage as ndi
        erosion_footprint = ndi.generate_binary_structure(mask.ndim, mask.ndim)
        mask = ndi.binary_erosion(mask, erosion_footprint, border_value=0)
        result *= mask
    return result


def _generic_edge_filter(image, smooth_weights, axis, mode, threads):
    """skimage's _generic_edge_filter: the kernel of each axis (edge weights
    along it, smoothing along the others, built with skimage's numpy
    expressions), then the magnitude sqrt(sum of squares) / sqrt(ndim) when
    more than one axis."""
    image = np.asanyarray(image)
    ndim = image.ndim
    if axis is None:
        axes = list(range(ndim))
    elif np.isscalar(axis):
        axes = [axis]
    else:
        axes = axis
    kernels = []
    for edge_dim in axes:
        shape = [1] * ndim
        shape[edge_dim] = -1
        kernel = np.reshape(np.array([1, 0, -1]), shape)
        for smooth_dim in list(set(range(ndim)) - {edge_dim}):
            shape = [1] * ndim
            shape[smooth_dim] = -1
            kernel = kernel * np.reshape(smooth_weights, shape)
        kernels.append(np.asarray(kernel, dtype=np.float64))
    if not kernels:
        img, otype, _, _ = _float_view(image)
        return np.zeros(img.shape, dtype=otype)
    return _run(image, kernels, 3, 1, mode, len(axes) > 1, np.sqrt(ndim), threads)


def _edge_doc(name, smooth, weights):
    return """Find edges in an image using the %s filter (skimage.filters.%s).

    Parameters
    ----------
    image : array
        The input image (any rank; integers scaled to [0, 1] as
        img_as_float does, float16 computed in float32).
    mask : array of bool, optional
        Clip the output image to this mask (eroded by one pixel, as skimage
        does).  Values where mask == 0 are set to 0.
    axis : int or sequence of int, optional
        Compute the edge filter along this axis.  If not provided, the edge
        magnitude sqrt(sum of squares over the axes / image.ndim) is
        computed; also when axis is a sequence.
    mode : str, optional
        scipy.ndimage's boundary mode: 'reflect' (default), 'mirror',
        'nearest', 'wrap' or 'constant' (0; like skimage 0.19, cval is
        accepted and not used).
    cval : float, optional
        Accepted for compatibility.
    threads : int, optional
        OpenMP threads (0: OMP_NUM_THREADS or every core).

    Returns
    -------
    output : array of float
        The %s edge map: the same values as scikit-image 0.19, bit for bit.
        Its kernel along an axis is [1, 0, -1] there and %s across.

    Notes
    -----
    The 2-D kernel for the horizontal edges (axis 0) is %s.
    """ % (name, name.lower(), name, smooth, weights)


def sobel(image, mask=None, *, axis=None, mode="reflect", cval=0.0, threads=0):
    output = _generic_edge_filter(image, SOBEL_SMOOTH, axis, mode, threads)
    return _mask_filter_result(output, mask)


def scharr(image, mask=None, *, axis=None, mode="reflect", cval=0.0, threads=0):
    output = _generic_edge_filter(image, SCHARR_SMOOTH, axis, mode, threads)
    return _mask_filter_result(output, mask)


def prewitt(image, mask=None, *, axis=None, mode="reflect", cval=0.0, threads=0):
    output = _generic_edge_filter(image, PREWITT_SMOOTH, axis, mode, threads)
    return _mask_filter_result(output, mask)


sobel.__doc__ = _edge_doc("Sobel", "[1, 2, 1] / 4", "[[1, 2, 1], [0, 0, 0], [-1, -2, -1]] / 4")
scharr.__doc__ = _edge_doc("Scharr", "[3, 10, 3] / 16",
                           "[[3, 10, 3], [0, 0, 0], [-3, -10, -3]] / 16")
prewitt.__doc__ = _edge_doc("Prewitt", "[1, 1, 1] / 3",
                            "[[1, 1, 1], [0, 0, 0], [-1, -1, -1]] / 3")


def _axis_filter(full, axis, what):
    def f(image, mask=None):
        _check_nD(image, 2)
        return full(image, mask=mask, axis=axis)
    f.__name__ = full.__name__ + ("_h" if axis == 0 else "_v")
    f.__qualname__ = f.__name__
    f.__doc__ = """Find the %s edges of a 2-D image with the %s transform
    (skimage.filters.%s): %s(image, mask, axis=%d).

    Parameters
    ----------
    image : 2-D array
    mask : 2-D array of bool, optional

    Returns
    -------
    output : 2-D array of float
    """ % (what, full.__name__.capitalize(), f.__name__, full.__name__, axis)
    return f


sobel_h = _axis_filter(sobel, 0, "horizontal")
sobel_v = _axis_filter(sobel, 1, "vertical")
scharr_h = _axis_filter(scharr, 0, "horizontal")
scharr_v = _axis_filter(scharr, 1, "vertical")
prewitt_h = _axis_filter(prewitt, 0, "horizontal")
prewitt_v = _axis_filter(prewitt, 1, "vertical")


def roberts_pos_diag(image, mask=None, *, threads=0):
    """Find the cross edges of a 2-D image with the Roberts' cross operator
    (skimage.filters.roberts_pos_diag): the kernel [[1, 0], [0, -1]],
    positive along the diagonal from top left to bottom right.

    Parameters
    ----------
    image : 2-D array
    mask : 2-D array of bool, optional

    Returns
    -------
    output : 2-D array of float (skimage's values, bit for bit)
    """
    _check_nD(image, 2)
    result = _run(np.asanyarray(image), [ROBERTS_PD_WEIGHTS], 2, 0, "reflect", 0, 1.0, threads)
    return _mask_filter_result(result, mask)


def roberts_neg_diag(image, mask=None, *, threads=0):
    """Find the cross edges of a 2-D image with the Roberts' cross operator
    (skimage.filters.roberts_neg_diag): the kernel [[0, 1], [-1, 0]].

    Parameters
    ----------
    image : 2-D array
    mask : 2-D array of bool, optional

    Returns
    -------
    output : 2-D array of float (skimage's values, bit for bit)
    """
    _check_nD(image, 2)
    result = _run(np.asanyarray(image), [ROBERTS_ND_WEIGHTS], 2, 0, "reflect", 0, 1.0, threads)
    return _mask_filter_result(result, mask)


def roberts(image, mask=None, *, threads=0):
    """Find the edge magnitude using Roberts' cross operator
    (skimage.filters.roberts): sqrt(pos_diag^2 + neg_diag^2) / sqrt(2).

    Parameters
    ----------
    image : 2-D array
    mask : 2-D array of bool, optional

    Returns
    -------
    output : 2-D array of float (skimage's values, bit for bit)
    """
    _check_nD(image, 2)
    if mask is not None:    # skimage masks each diagonal before squaring
        out = np.sqrt(roberts_pos_diag(image, mask) ** 2 + roberts_neg_diag(image, mask) ** 2)
        out /= np.sqrt(2)
        return out
    return _run(np.asanyarray(image), [ROBERTS_PD_WEIGHTS, ROBERTS_ND_WEIGHTS], 2, 0,
                "reflect", 1, np.sqrt(2), threads)
