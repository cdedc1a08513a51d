"""numpy's own TestGradient (Debian's python3-numpy ships numpy's tests),
every test of it, with imgrad.gradient in place of numpy.gradient: the
test module's `gradient` and `np.gradient` both name imgrad's function while
these tests run.  Nothing of numpy's test file is copied here."""
import numpy as np
import pytest

import numpy.lib.tests.test_function_base as numpy_tests

import imgrad


@pytest.fixture(autouse=True)
def imgrad_in_place_of_numpy(monkeypatch):
    monkeypatch.setattr(numpy_tests, "gradient", imgrad.gradient)
    monkeypatch.setattr(np, "gradient", imgrad.gradient)


class TestNumpyGradientWithImgrad(numpy_tests.TestGradient):
    """numpy.lib.tests.test_function_base.TestGradient, run on imgrad."""

    def test_substitution_is_in_place(self):
        assert numpy_tests.gradient is imgrad.gradient
        assert np.gradient is imgrad.gradient


def test_the_whole_class_runs():
    """Every test of numpy's class is inherited (a numpy upgrade that drops
    or renames the class fails here rather than silently testing less)."""
    names = [n for n in dir(numpy_tests.TestGradient) if n.startswith("test_")]
    assert len(names) >= 15, names
