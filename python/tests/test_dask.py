"""imgrad.dask.gradient equals numpy.gradient bit for bit on chunked
arrays, on the threaded scheduler and on a dask.distributed LocalCluster."""
import numpy as np
import pytest

da = pytest.importorskip("dask.array")  # python3-dask: make deps-python-build installs it

import imgrad.dask

from test_gradient import assert_same

NP_GRADIENT = np.lib.function_base.gradient


@pytest.mark.parametrize("edge_order", [1, 2])
def test_small_chunks_all_spacings(edge_order):
    rng = np.random.default_rng(1)
    a = rng.standard_normal((37, 41, 5)).astype(np.float32)
    d = da.from_array(a, chunks=(10, 7, 5))
    x = np.cumsum(rng.uniform(0.5, 1.5, 41))
    for args, kw in [((), {}), ((0.5,), {}), ((2.0, x, 3), {}), ((x,), {"axis": 1}),
                     ((np.arange(37) * 0.25,), {"axis": 0})]:
        got = imgrad.dask.gradient(d, *args, edge_order=edge_order, **kw)
        want = NP_GRADIENT(a, *args, edge_order=edge_order, **kw)
        got = [g.compute(scheduler="threads") for g in got] if isinstance(got, list) \
            else got.compute(scheduler="threads")
        assert_same(got, want)


def test_piecewise_uniform_coordinates():
    """Coordinates uniform within some chunks but not on the whole axis keep
    numpy's non-uniform formulas everywhere."""
    a = np.random.default_rng(2).standard_normal(40)
    x = np.concatenate([np.arange(20) * 1.0, 20 + np.arange(20) * 0.5])
    got = imgrad.dask.gradient(da.from_array(a, chunks=10), x).compute(scheduler="threads")
    assert_same(got, NP_GRADIENT(a, x))


def test_errors_as_numpy():
    d = da.zeros((5, 5), chunks=2)
    with pytest.raises(TypeError):
        imgrad.dask.gradient(d, 1, 1, 1)
    with pytest.raises(ValueError):
        imgrad.dask.gradient(da.zeros(2, chunks=1), edge_order=2)


def test_local_cluster_4000x3000():
    """The issue's case: (4000, 3000) in (1000, 1000) chunks, both edge
    orders, on a two-worker LocalCluster (processes)."""
    distributed = pytest.importorskip("distributed")
    a = np.random.default_rng(3).standard_normal((4000, 3000))
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        d = da.from_array(a, chunks=(1000, 1000))
        for edge_order in (1, 2):
            got = client.compute(imgrad.dask.gradient(d, 0.1, edge_order=edge_order,
                                                      threads=1), sync=True)
            assert_same(got, NP_GRADIENT(a, 0.1, edge_order=edge_order))
