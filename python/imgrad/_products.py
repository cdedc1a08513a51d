"""OpenCV-style helpers over libimgrad's 2-D API: load an image as grey,
compute the gradient products the CLI writes (gx, gy, magnitude,
direction, edges) with every option of imgrad_gradient, and summarise them."""

import numpy as np

from . import _core

__all__ = ["load_gray", "gradients", "stats"]

_OPERATORS = {"central": 0, "sobel": 1, "scharr": 2, "prewitt": 3, "roberts": 4}
_BORDERS = {"reflect101": 0, "reflect": 1, "replicate": 2, "constant": 3, "wrap": 4}
_WEIGHTS = {"rec601": 0, "rec709": 1, "average": 2, "linear": 3, "skimage": 4}
_KINDS = ("8bit", "16bit", "hdr", "npy")
_OUTPUTS = ("gx", "gy", "magnitude", "direction", "edges")


def _choice(name, value, table):
    if value not in table:
        raise ValueError("imgrad: %s %r: choose one of %s" % (name, value, ", ".join(table)))
    return table[value]


def load_gray(path, weights="rec601", *, orient=True, jpeg_luma=False, dtype=np.float32,
              return_info=False):
    """Load an image (PNG, JPEG, BMP, TGA, GIF, PSD, HDR, PNM) or a 2-D .npy
    file as a grey array, as the imgrad CLI does.

    Parameters
    ----------
    path : str or os.PathLike
    weights : {'rec601', 'rec709', 'average', 'linear', 'skimage'}
        How colour becomes grey ('rec601' is OpenCV's IMREAD_GRAYSCALE).
    orient : bool
        Turn a JPEG upright by its EXIF Orientation tag.
    jpeg_luma : bool
        With 'rec601', the luma plane of a YCbCr JPEG (OpenCV's values).
    dtype : numpy.float32 or numpy.float64
        float64 keeps what float32 rounds away (8/16-bit sources scaled to
        [0, 1], float64 .npy files).
    return_info : bool
        Also return a dict: width, height, channels, kind.

    Returns
    -------
    gray : ndarray (H, W) of dtype, intensities in [0, 1] for 8/16-bit images.
    info : dict, if return_info.

    Raises OSError when the file cannot be read, ValueError when it is not an
    image imgrad reads (with the reason).
    """
    f64 = np.dtype(dtype) == np.float64
    if not f64 and np.dtype(dtype) != np.float32:
        raise ValueError("imgrad: dtype must be float32 or float64")
    arr, w, h, channels, kind = _core.load_gray(str(path), _choice("weights", weights, _WEIGHTS),
                                                int(orient), int(jpeg_luma), int(f64))
    if return_info:
        return arr, {"width": w, "height": h, "channels": channels, "kind": _KINDS[kind]}
    return arr


def gradients(image, outputs=("gx", "gy", "magnitude", "direction"), operator="central", *,
              edge_order=1, dx=1.0, dy=1.0, x_coords=None, y_coords=None, raw_scale=False,
              border="reflect101", border_value=0.0, sigma=0.0, norm="l2",
              magnitude_factor=1.0, degrees=False, positive=False, canny_low=None,
              canny_high=None, threads=0):
    """The gradient products of a 2-D image in one parallel pass (libimgrad's
    imgrad_gradient, the CLI's main job), as float32 arrays.

    Parameters
    ----------
    image : 2-D array_like
        Converted to float32 (the central operator then computes in float32;
        use imgrad.gradient for numpy's float64 arithmetic).
    outputs : sequence of {'gx', 'gy', 'magnitude', 'direction', 'edges'}
    operator : {'central', 'sobel', 'scharr', 'prewitt', 'roberts'}
        'central' is numpy.gradient; the 3x3 ones are OpenCV's kernels divided
        by their unit-ramp response unless raw_scale.
    edge_order, dx, dy, x_coords, y_coords
        The central operator's edge order, spacing or coordinates.
    border : {'reflect101', 'reflect', 'replicate', 'constant', 'wrap'}
        Border rule of the 3x3 operators and of the smoothing.
    border_value : float
        The value outside the image for 'constant'.
    sigma : float
        Gaussian pre-smoothing (0: none).
    norm : {'l2', 'l1'}
        Magnitude sqrt(gx^2 + gy^2) or |gx| + |gy|, times magnitude_factor.
    degrees, positive : bool
        Direction atan2(gy, gx) in degrees, and in [0, 360) or [0, 2pi).
    canny_low, canny_high : float or None
        Canny hysteresis thresholds for 'edges' (None: automatic, Otsu).
    threads : int
        OpenMP threads (0: OMP_NUM_THREADS or every core).

    Returns
    -------
    dict
        One float32 (H, W) array per requested output (edges: 0 or 1), and
        'thresholds' (low, high) when 'edges' is requested.
    """
    img = np.ascontiguousarray(image, dtype=np.float32)
    if img.ndim != 2:
        raise ValueError("imgrad.gradients: a 2-D image, got %d-D (use imgrad.gradient "
                         "for N-D arrays)" % img.ndim)
    for name in outputs:
        _choice("output", name, dict.fromkeys(_OUTPUTS))
    if norm not in ("l1", "l2"):
        raise ValueError("imgrad: norm %r: choose one of l2, l1" % (norm,))
    res = {name: np.empty(img.shape, np.float32) for name in _OUTPUTS if name in outputs}
    thr = np.zeros(2) if "edges" in res else None
    xc = None if x_coords is None else np.ascontiguousarray(x_coords, dtype=np.float64)
    yc = None if y_coords is None else np.ascontiguousarray(y_coords, dtype=np.float64)
    _core.gradients_2d(img, [res.get(name) for name in _OUTPUTS], thr,
                       _choice("operator", operator, _OPERATORS), int(edge_order), float(dx),
                       float(dy), xc, yc, int(bool(raw_scale)),
                       _choice("border", border, _BORDERS), float(border_value), float(sigma),
                       int(norm == "l1"), float(magnitude_factor), int(bool(degrees)),
                       int(bool(positive)), -1.0 if canny_low is None else float(canny_low),
                       -1.0 if canny_high is None else float(canny_high), int(threads))
    if thr is not None:
        res["thresholds"] = (float(thr[0]), float(thr[1]))
    return res


def stats(image=None, *, magnitude=None, gx=None, gy=None, edge_threshold=0.1, **options):
    """Summary of an image's gradient (imgrad_gradient_stats): mean, median,
    95th percentile and max of the magnitude, the share of pixels above
    edge_threshold and the orientation histogram of those (8 bins of 45
    degrees from +x towards +y, down).

    Pass an image (its products are computed with gradients(**options)) or
    the three float32 arrays magnitude, gx and gy.

    Returns
    -------
    dict : width, height, mean, median, p95, max, edge_density, orientation
    """
    if image is not None:
        p = gradients(image, ("gx", "gy", "magnitude"), **options)
        magnitude, gx, gy = p["magnitude"], p["gx"], p["gy"]
    if magnitude is None or gx is None or gy is None:
        raise ValueError("imgrad.stats: pass an image, or magnitude, gx and gy")
    arrs = [np.ascontiguousarray(a, dtype=np.float32) for a in (magnitude, gx, gy)]
    return _core.gradient_stats(arrs[0], arrs[1], arrs[2], float(edge_threshold))
