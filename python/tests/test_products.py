"""imgrad.load_gray, imgrad.gradients and imgrad.stats: libimgrad's 2-D
products from Python, checked against numpy and OpenCV conventions
(shared/SPEC.md) rather than against imgrad itself."""
import os

import numpy as np
import pytest

import imgrad

ASSETS = os.path.join(os.path.dirname(__file__), "..", "..", "assets")


def test_central_is_numpy_in_float32():
    rng = np.random.default_rng(1)
    img = rng.random((30, 40)).astype(np.float32)
    p = imgrad.gradients(img)
    gy, gx = np.gradient(img)
    np.testing.assert_array_equal(p["gx"], gx)
    np.testing.assert_array_equal(p["gy"], gy)
    np.testing.assert_allclose(p["magnitude"], np.hypot(gx, gy), rtol=2e-7)
    np.testing.assert_allclose(p["direction"], np.arctan2(gy, gx), atol=1e-5)


def test_sobel_ramp_and_options():
    ramp = np.tile(np.arange(12, dtype=np.float32), (9, 1))    # rises to the right
    p = imgrad.gradients(ramp, ("gx", "gy"), "sobel", border="replicate")
    assert np.all(p["gx"][:, 1:-1] == 1) and np.all(p["gy"] == 0)   # normalised to 1
    raw = imgrad.gradients(ramp, ("gx",), "sobel", raw_scale=True)["gx"]
    assert np.all(raw[:, 1:-1] == 8)                            # OpenCV's value
    d = imgrad.gradients(ramp, ("direction",), degrees=True, positive=True)["direction"]
    assert np.all(d == 0)
    with pytest.raises(ValueError, match="choose one of"):
        imgrad.gradients(ramp, ("gx",), "laplace")
    with pytest.raises(ValueError, match="2-D"):
        imgrad.gradients(np.zeros((2, 3, 4)))


def test_edges_and_stats():
    img = np.zeros((40, 40), np.float32)
    img[10:30, 10:30] = 1
    p = imgrad.gradients(img, ("edges",), "sobel", sigma=1.0)
    assert p["edges"].dtype == np.float32 and set(np.unique(p["edges"])) == {0, 1}
    assert p["edges"][20, 5:15].sum() == 1 and p["edges"][20, 9:11].sum() == 1  # one, at the step
    assert p["edges"][20, 20] == 0
    assert p["thresholds"][0] < p["thresholds"][1]
    s = imgrad.stats(img, edge_threshold=0.1)
    assert s["width"] == 40 and s["max"] == pytest.approx(np.sqrt(0.5 ** 2 * 2))
    assert 0 < s["edge_density"] < 1 and sum(s["orientation"]) == pytest.approx(1)


def test_load_gray():
    path = os.path.join(ASSETS, sorted(f for f in os.listdir(ASSETS) if f.endswith(".png"))[0])
    g, info = imgrad.load_gray(path, return_info=True)
    assert g.dtype == np.float32 and g.shape == (info["height"], info["width"])
    assert 0 <= g.min() and g.max() <= 1
    g64 = imgrad.load_gray(path, dtype=np.float64)
    assert np.abs(g64 - g).max() < 1e-7
    with pytest.raises(OSError):
        imgrad.load_gray(os.path.join(ASSETS, "no-such-file.png"))
    with pytest.raises(ValueError, match="choose one of"):
        imgrad.load_gray(path, "bogus")
