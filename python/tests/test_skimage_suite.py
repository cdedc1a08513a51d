"""scikit-image 0.19's own edge-filter tests (Debian's python3-skimage
ships them) with imgrad's functions in place of every skimage.filters
function of the same name imgrad provides.  Nothing of skimage's test file is
copied here: its test functions are imported and run by pytest."""
import pytest
import skimage.filters

from skimage.filters.tests.test_edges import *  # noqa: F401,F403  (skimage's tests)
from skimage.filters.tests import test_edges as _skimage_edge_tests

import imgrad

REPLACED = ["sobel", "sobel_h", "sobel_v", "scharr", "scharr_h", "scharr_v", "prewitt",
            "prewitt_h", "prewitt_v", "roberts", "roberts_pos_diag", "roberts_neg_diag"]


@pytest.fixture(autouse=True)
def imgrad_in_place_of_skimage(monkeypatch):
    for name in REPLACED:
        monkeypatch.setattr(skimage.filters, name, getattr(imgrad, name))


def test_substitution_is_in_place():
    for name in REPLACED:
        assert getattr(_skimage_edge_tests.filters, name) is getattr(imgrad, name)


def test_skimage_tests_imported():
    names = [n for n in dir(_skimage_edge_tests) if n.startswith("test_")]
    assert len(names) >= 40, names
