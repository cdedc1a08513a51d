"""imgrad.canny against scikit-image 0.19's skimage.feature.canny, pixel for
pixel, and skimage's own test_canny.py with imgrad.canny substituted."""
import numpy as np
import pytest
import skimage.feature
from skimage.feature import canny as skimage_canny

from skimage.feature.tests.test_canny import TestCanny as _SkimageTestCanny

import imgrad


@pytest.fixture(autouse=True)
def imgrad_in_place_of_skimage(monkeypatch):
    monkeypatch.setattr(skimage.feature, "canny", imgrad.canny)


class TestSkimageCannyWithImgrad(_SkimageTestCanny):
    """skimage/feature/tests/test_canny.py's TestCanny, run on imgrad.canny."""

    def test_substitution_is_in_place(self):
        assert skimage.feature.canny is imgrad.canny


def images(rng):
    yy, xx = np.mgrid[:60, :70]
    disc = ((yy - 30) ** 2 + (xx - 33) ** 2 < 400).astype(float)
    yield disc + 0.2 * rng.standard_normal(disc.shape)
    yield (disc * 200 + rng.integers(0, 40, disc.shape)).astype(np.uint8)
    yield (disc + 0.1 * rng.random(disc.shape)).astype(np.float32)
    yield (disc * 30000 - 15000).astype(np.int16)
    yield rng.random((40, 50)) > 0.7


def test_same_edges_as_skimage():
    rng = np.random.default_rng(5)
    for img in images(rng):
        mask = rng.random(img.shape) > 0.05
        for kw in [{}, {"sigma": 2.0}, {"sigma": 0.5, "mask": mask},
                   {"low_threshold": 0.2, "high_threshold": 0.6, "use_quantiles": True},
                   {"mode": "reflect"}, {"mode": "nearest", "sigma": 3}]:
            want = skimage_canny(img, **kw)
            got = imgrad.canny(img, **kw)
            assert got.dtype == want.dtype and got.shape == want.shape
            np.testing.assert_array_equal(got, want, err_msg=str((img.dtype, kw)))
            assert want.any() or not got.any()


def test_threads_agree():
    img = np.random.default_rng(6).random((200, 150))
    want = skimage_canny(img, 1.5)
    for threads in (1, 2, 3):
        np.testing.assert_array_equal(imgrad.canny(img, 1.5, threads=threads), want)


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.uint8])
def test_stages_bit_for_bit(dtype):
    """The smoothing and the Sobel stages equal skimage's and scipy's to the
    last bit (not only the final edge map)."""
    from scipy import ndimage as ndi
    from skimage.filters import gaussian
    from imgrad import _canny
    rng = np.random.default_rng(7)
    img = (rng.random((33, 47)) * (255 if dtype == np.uint8 else 1)).astype(dtype)
    for sigma, mode in [(1.0, "constant"), (2.5, "reflect"), (0.7, "mirror"), (3.0, "wrap"),
                        (1.2, "nearest")]:
        want = gaussian(img, sigma, mode=mode, cval=0.3, preserve_range=False)
        got = _canny._gaussian(img, sigma, mode, 0.3, 0)
        assert got.dtype == want.dtype
        np.testing.assert_array_equal(got.view(np.uint8), want.view(np.uint8))
        for axis in (0, 1):
            np.testing.assert_array_equal(_canny._sobel(got, axis, 0).view(np.uint8),
                                          ndi.sobel(want, axis=axis).view(np.uint8))
