"""imgrad's scikit-image drop-ins against scikit-image 0.19 itself, bit for
bit, on random images of every dtype, 2-D and 3-D, every mode and axis."""
import numpy as np
import pytest
from skimage import filters

import imgrad

from test_gradient import assert_same

NAMES = ["sobel", "scharr", "prewitt"]
DTYPES = [np.uint8, np.int16, np.uint16, np.float16, np.float32, np.float64, bool]


def image(rng, shape, dtype):
    if dtype is bool:
        return rng.random(shape) > 0.5
    if np.dtype(dtype).kind == "f":
        return rng.random(shape).astype(dtype)
    info = np.iinfo(dtype)
    return rng.integers(info.min, info.max, size=shape, dtype=dtype, endpoint=True)


@pytest.mark.parametrize("dtype", DTYPES)
def test_2d_all_functions(dtype):
    rng = np.random.default_rng(1)
    img = image(rng, (37, 53), dtype)
    mask = rng.random((37, 53)) > 0.1
    for name in NAMES:
        for suffix in ("", "_h", "_v"):
            mine, theirs = getattr(imgrad, name + suffix), getattr(filters, name + suffix)
            assert_same(mine(img), theirs(img))
            assert_same(mine(img, mask), theirs(img, mask))
    for name in ("roberts", "roberts_pos_diag", "roberts_neg_diag"):
        mine, theirs = getattr(imgrad, name), getattr(filters, name)
        assert_same(mine(img), theirs(img))
        assert_same(mine(img, mask), theirs(img, mask))
    assert_same(imgrad.sobel(img.T), filters.sobel(img.T))          # strides
    assert_same(imgrad.sobel(img[::-1, ::2]), filters.sobel(img[::-1, ::2]))


@pytest.mark.parametrize("mode", ["reflect", "mirror", "nearest", "wrap", "constant"])
def test_3d_modes_axes(mode):
    rng = np.random.default_rng(2)
    img = rng.random((6, 7, 8))
    for name in NAMES:
        mine, theirs = getattr(imgrad, name), getattr(filters, name)
        for axis in (None, 0, 1, 2, -1, (0, 2), [1]):
            assert_same(mine(img, axis=axis, mode=mode), theirs(img, axis=axis, mode=mode))


def test_1d_and_4d():
    rng = np.random.default_rng(3)
    for shape in [(50,), (3, 4, 5, 6), (1, 9), (9, 1)]:
        img = rng.random(shape).astype(np.float32)
        assert_same(imgrad.prewitt(img), filters.prewitt(img))


def test_threads_agree():
    rng = np.random.default_rng(4)
    img = rng.random((300, 301))
    want = filters.scharr(img)
    for threads in (1, 2, 3):
        assert_same(imgrad.scharr(img, threads=threads), want)


def test_errors():
    with pytest.raises(ValueError, match="2-dimensional"):
        imgrad.sobel_h(np.zeros((3, 3, 3)))
    with pytest.raises(ValueError, match="empty"):
        imgrad.roberts(np.zeros((0, 3)))
    with pytest.raises(RuntimeError):
        imgrad.sobel(np.zeros((3, 3)), mode="bogus")
