"""A drop-in for scikit-image 0.19's skimage.feature.canny, bit for bit.

The stages are scikit-image's: Gaussian smoothing of the masked image
divided by the smoothed mask (scipy.ndimage.gaussian_filter, the "bleed
over" correction), Sobel derivatives (scipy.ndimage.sobel), their hypot,
non-maximum suppression by interpolation in four direction cases, and
hysteresis over 8-connected components.  The correlations, the suppression
and the hysteresis run in the extension's C loops (imgrad._core) with
scipy's and skimage's operations in the same order; the elementwise steps
between them (the division, hypot, quantile thresholds) are numpy's own
functions, and the mask is eroded with scipy.ndimage.binary_erosion."""

import numpy as np

from . import _core
from ._edges import _MODES, _check_nD


def _dtype_max(image):
    """skimage.util.dtype_limits(image, clip_negative=False)[1]."""
    kind = image.dtype.kind
    if kind == "b":
        return True
    if kind in "ui":
        return np.iinfo(image.dtype).max
    return 1.0


def _as_float(image):
    """skimage's convert_to_float(image, preserve_range=False) followed by
    its float type: float16 -> float32, float32 and float64 kept, integers
    scaled by 1 / max in float64 (signed ones clipped at -1), bool 0 / 1."""
    kind = image.dtype.kind
    if kind == "f":
        return image.astype(np.float32 if image.dtype != np.float64 else np.float64)
    if kind in "ui":
        out = np.multiply(image, 1. / np.iinfo(image.dtype).max, dtype=np.float64)
        if kind == "i":
            np.maximum(out, -1.0, out=out)
        return out
    if kind == "b":
        return image.astype(np.float64)
    raise ValueError("imgrad.canny: images of dtype %s are not supported" % image.dtype)


def _gaussian(image, sigma, mode, cval, threads):
    """skimage.filters.gaussian(image, sigma, mode=mode, cval=cval,
    preserve_range=False) of a 2-D image: scipy's gaussian_filter, axis 0
    then axis 1, each pass stored in the float type."""
    if np.any(np.asarray(sigma) < 0.0):
        raise ValueError("Sigma values less than zero are not valid")
    if mode not in _MODES:
        raise RuntimeError("boundary mode not supported")
    img = np.ascontiguousarray(_as_float(image))
    sigmas = [float(s) for s in (sigma if np.ndim(sigma) else (sigma, sigma))]
    if len(sigmas) != 2:
        raise RuntimeError("sequence argument must have length equal to input rank")
    for axis, sd in enumerate(sigmas):
        if sd <= 1e-15:
            continue
        radius = int(4.0 * sd + 0.5)
        sigma2 = sd * sd                                 # scipy's _gaussian_kernel1d
        x = np.arange(-radius, radius + 1)
        phi_x = np.exp(-0.5 / sigma2 * x ** 2)
        phi_x = phi_x / phi_x.sum()
        out = np.empty_like(img)
        _core.correlate1d(img, np.ascontiguousarray(phi_x[::-1]), axis, _MODES[mode],
                          float(cval), out, threads)
        img = out
    return img


def _sobel(image, axis, threads):
    """scipy.ndimage.sobel(image, axis) (mode reflect): [-1, 0, 1] along
    axis, then [1, 2, 1] along the other, each pass stored in the type."""
    edge = np.empty_like(image)
    _core.correlate1d(image, np.array([-1.0, 0.0, 1.0]), axis, _MODES["reflect"], 0.0,
                      edge, threads)
    out = np.empty_like(image)
    _core.correlate1d(edge, np.array([1.0, 2.0, 1.0]), 1 - axis, _MODES["reflect"], 0.0,
                      out, threads)
    return out


def _preprocess(image, mask, sigma, mode, cval, threads):
    """The smoothed image divided by the smoothed mask, and the mask eroded
    by one pixel (the image border when there is no mask)."""
    if mask is None:
        mask = np.ones(image.shape)
        masked_image = image.copy()
        eroded_mask = np.ones(image.shape, dtype=bool)
        eroded_mask[:1, :] = 0
        eroded_mask[-1:, :] = 0
        eroded_mask[:, :1] = 0
        eroded_mask[:, -1:] = 0
    else:
        from scipy import ndimage as ndi
        mask = mask.astype(bool, copy=False)
        masked_image = np.zeros_like(image)
        masked_image[mask] = image[mask]
        s = ndi.generate_binary_structure(2, 2)
        eroded_mask = ndi.binary_erosion(mask, s, border_value=0)
    bleed_over = _gaussian(mask.astype(float, copy=False), sigma, mode, cval, threads) \
        + np.finfo(float).eps
    smoothed_image = _gaussian(masked_image, sigma, mode, cval, threads)
    smoothed_image /= bleed_over
    return smoothed_image, eroded_mask


def canny(image, sigma=1., low_threshold=None, high_threshold=None, mask=None,
          use_quantiles=False, *, mode="constant", cval=0.0, threads=0):
    """Edge filter an image using the Canny algorithm (skimage.feature.canny).

    Parameters
    ----------
    image : 2-D array
        Grayscale input image (integers are scaled to [0, 1] as skimage does).
    sigma : float, optional
        Standard deviation of the Gaussian filter.
    low_threshold : float, optional
        Lower bound for hysteresis thresholding (linking edges), in the
        image's dtype range (or a quantile with use_quantiles); default 10%
        of the dtype's maximum.
    high_threshold : float, optional
        Upper bound for hysteresis thresholding (seeding edges); default 20%.
    mask : array of bool, optional
        Where to compute edges.
    use_quantiles : bool, optional
        Take the thresholds as quantiles of the edge magnitude (in [0, 1]).
    mode : str, optional
        scipy.ndimage's boundary mode of the Gaussian ('constant' default).
    cval : float, optional
        The value outside the image in mode 'constant'.
    threads : int, optional
        OpenMP threads (imgrad only; 0: OMP_NUM_THREADS or every core).

    Returns
    -------
    output : 2-D array of bool
        The edge map: scikit-image 0.19's, pixel for pixel.
    """
    _check_nD(image, 2)
    image = np.asanyarray(image)
    dtype_max = _dtype_max(image)
    if low_threshold is None:
        low_threshold = 0.1
    elif use_quantiles:
        if not (0.0 <= low_threshold <= 1.0):
            raise ValueError("Quantile thresholds must be between 0 and 1.")
    else:
        low_threshold /= dtype_max
    if high_threshold is None:
        high_threshold = 0.2
    elif use_quantiles:
        if not (0.0 <= high_threshold <= 1.0):
            raise ValueError("Quantile thresholds must be between 0 and 1.")
    else:
        high_threshold /= dtype_max
    if high_threshold < low_threshold:
        raise ValueError("low_threshold should be lower then high_threshold")
    smoothed, eroded_mask = _preprocess(image, mask, sigma, mode, cval, threads)
    smoothed = np.ascontiguousarray(smoothed)
    jsobel = _sobel(smoothed, 1, threads)
    isobel = _sobel(smoothed, 0, threads)
    magnitude = np.hypot(isobel, jsobel)
    if use_quantiles:
        low_threshold, high_threshold = np.percentile(magnitude, [100.0 * low_threshold,
                                                                  100.0 * high_threshold])
    out = np.empty(image.shape, dtype=bool)
    # thresholds compare as numpy compares a float array with a Python float
    low = float(magnitude.dtype.type(low_threshold)) if magnitude.dtype == np.float32 \
        and abs(float(low_threshold)) < 3.4e38 else float(low_threshold)
    high = float(magnitude.dtype.type(high_threshold)) if magnitude.dtype == np.float32 \
        and abs(float(high_threshold)) < 3.4e38 else float(high_threshold)
    _core.canny_edges(isobel, jsobel, np.ascontiguousarray(magnitude),
                      np.ascontiguousarray(eroded_mask, dtype=bool), low, high, out, threads)
    return out
