"""imgrad.gradient against numpy.gradient, bit for bit, on random arrays of
every dtype, rank, layout, spacing and edge order; errors and dispatch."""
import itertools

import numpy as np
import pytest

import imgrad

NP_GRADIENT = np.lib.function_base.gradient


def bits(a):
    """The array's bytes as unsigned integers (so -0.0 != 0.0 and NaNs of
    equal bits compare equal), in C order."""
    a = np.ascontiguousarray(a)
    return a.view({2: np.uint16, 4: np.uint32, 8: np.uint64}[a.dtype.itemsize])


def assert_same(got, want):
    if isinstance(want, list):
        assert isinstance(got, list) and len(got) == len(want)
        for g, w in zip(got, want):
            assert_same(g, w)
        return
    assert type(got) is type(want)
    assert got.dtype == want.dtype and got.shape == want.shape
    assert got.strides == want.strides
    np.testing.assert_array_equal(bits(got), bits(want))


def random_array(rng, shape, dtype):
    if np.dtype(dtype).kind == "f":
        a = rng.standard_normal(shape) * 10 ** rng.uniform(-3, 4)
        return a.astype(dtype)
    info = np.iinfo(dtype)
    return rng.integers(info.min, info.max, size=shape, dtype=dtype, endpoint=True)


def layouts(a):
    """The array and views of it with other strides."""
    yield a
    yield a.T
    yield a[::-1]
    if a.ndim >= 2:
        yield a[:, ::2]
        yield np.asfortranarray(a)
        yield np.swapaxes(a, 0, -1)[::-1, ...]


DTYPES = [np.float64, np.float32, np.float16, np.int8, np.uint8, np.int16,
          np.uint16, np.int32, np.uint32, np.int64, np.uint64]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("edge_order", [1, 2])
def test_random_layouts(dtype, edge_order):
    rng = np.random.default_rng(abs(hash((np.dtype(dtype).str, edge_order))) % 2**32)
    for shape in [(7,), (5, 6), (3, 4, 5), (2, 3, 4, 3), (40, 3), (3, 40000)]:
        base = random_array(rng, shape, dtype)
        for a in layouts(base):
            if min(a.shape) <= edge_order:      # numpy's ValueError: test_same_errors
                continue
            assert_same(imgrad.gradient(a, edge_order=edge_order),
                        NP_GRADIENT(a, edge_order=edge_order))


SCALARS = [1.0, 7, 0.1, 2.5, np.float32(0.3), np.float16(0.7), np.float64(3.0),
           300, 2049, 70000, 1e5, 1e-9, 7e38, -4.0, np.int8(-3), np.uint16(1000),
           np.array(0.25), np.array(3, dtype=np.int16), float("inf"), 0.0]


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64, np.int32])
@pytest.mark.parametrize("edge_order", [1, 2])
def test_scalar_spacing(dtype, edge_order):
    """numpy 1.24's value-based casting decides the precision of the
    divisions: a step of 1e5 divides a float16 array in float32."""
    rng = np.random.default_rng(3)
    a = random_array(rng, (6, 9), dtype)
    with np.errstate(all="ignore"):
        for dx in SCALARS:
            if edge_order == 2 and type(dx) is float and dx == 0:
                for g in (NP_GRADIENT, imgrad.gradient):   # -1.5 / 0.0 in Python
                    pytest.raises(ZeroDivisionError, g, a, dx, edge_order=2)
                continue
            assert_same(imgrad.gradient(a, dx, edge_order=edge_order),
                        NP_GRADIENT(a, dx, edge_order=edge_order))
            # 1-D: the edge values are numpy scalars (plain type promotion)
            assert_same(imgrad.gradient(a[1], dx, edge_order=edge_order),
                        NP_GRADIENT(a[1], dx, edge_order=edge_order))
            assert_same(imgrad.gradient(a, dx, 2 * dx, edge_order=edge_order),
                        NP_GRADIENT(a, dx, 2 * dx, edge_order=edge_order))


def coordinate_sets(rng, n):
    x = np.cumsum(rng.uniform(0.1, 2.0, n))
    yield x
    yield x.astype(np.float32)
    yield x.astype(np.float16)
    yield np.arange(n) * 3                     # integer, uniform
    yield np.arange(n, dtype=np.float32) * np.float32(0.1)
    yield np.cumsum(rng.integers(1, 5, n)).astype(np.uint8)
    yield np.linspace(0, 1, n)
    yield x[::-1].copy()                        # decreasing: numpy accepts it
    yield np.cumsum(rng.uniform(0.1, 2.0, 2 * n))[::2]   # strided


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64, np.int16, np.uint8])
@pytest.mark.parametrize("edge_order", [1, 2])
def test_coordinates(dtype, edge_order):
    rng = np.random.default_rng(5)
    a = random_array(rng, (9, 11), dtype)
    with np.errstate(all="ignore"):
        for x in coordinate_sets(rng, 11):
            for y in coordinate_sets(rng, 9):
                assert_same(imgrad.gradient(a, y, x, edge_order=edge_order),
                            NP_GRADIENT(a, y, x, edge_order=edge_order))
            assert_same(imgrad.gradient(a[2], x, edge_order=edge_order),
                        NP_GRADIENT(a[2], x, edge_order=edge_order))
            assert_same(imgrad.gradient(a.T, x, 2.0, edge_order=edge_order),
                        NP_GRADIENT(a.T, x, 2.0, edge_order=edge_order))


def test_axes_subsets():
    rng = np.random.default_rng(7)
    a = rng.standard_normal((4, 5, 6, 3))
    for r in range(1, 5):
        for axes in itertools.permutations(range(4), r):
            assert_same(imgrad.gradient(a, axis=axes), NP_GRADIENT(a, axis=axes))
    assert_same(imgrad.gradient(a, axis=-1), NP_GRADIENT(a, axis=-1))
    assert_same(imgrad.gradient(a, 2.0, axis=(1, 2)), NP_GRADIENT(a, 2.0, axis=(1, 2)))


def test_long_vector_threads():
    """A vector longer than a segment is split between threads; every thread
    count gives the same bits."""
    rng = np.random.default_rng(9)
    v = rng.standard_normal(100003)
    want = NP_GRADIENT(v, 0.3, edge_order=2)
    for threads in (1, 2, 3, 5):
        assert_same(imgrad.gradient(v, 0.3, edge_order=2, threads=threads), want)
    x = np.cumsum(rng.uniform(0.5, 1.5, v.size))
    assert_same(imgrad.gradient(v, x, threads=3), NP_GRADIENT(v, x))


def test_stack_axes_1_2():
    rng = np.random.default_rng(11)
    s = rng.standard_normal((200, 25, 25)).astype(np.float32)
    assert_same(imgrad.gradient(s, axis=(1, 2)), NP_GRADIENT(s, axis=(1, 2)))


def test_empty_other_axis():
    a = np.zeros((0, 3))
    assert_same(imgrad.gradient(a, axis=1), NP_GRADIENT(a, axis=1))


def test_rank_32():
    a = np.arange(2.0 ** 5).reshape((2,) * 5 + (1,) * 27)
    axes = tuple(range(5))
    assert_same(imgrad.gradient(a, axis=axes), NP_GRADIENT(a, axis=axes))


def test_tutorial_values():
    """shared/SPEC.md's golden values (numpy 1.24 output)."""
    np.testing.assert_allclose(imgrad.gradient([8, 2, 8, 3, 5, 6, 5, 15], 7),
                               [-0.857142857, 0, 0.0714285714, -0.214285714,
                                0.214285714, 0, 0.642857143, 1.42857143], rtol=1e-8)
    np.testing.assert_allclose(imgrad.gradient([1, 2, 4, 7, 11, 16], [0, 1, 1.5, 3.5, 4, 6],
                                               edge_order=2), [-1, 3, 3.5, 6.7, 6.9, -1.9],
                               rtol=1e-13)


@pytest.mark.parametrize("call", [
    lambda g: g(np.arange(25).reshape(5, 5), np.ones(3)),
    lambda g: g(np.arange(25).reshape(5, 5), 1, 1, 1),
    lambda g: g(np.arange(25).reshape(5, 5), np.ones((5, 2)), 1),
    lambda g: g(np.arange(4), axis=1),
    lambda g: g(np.arange(2), edge_order=2),
    lambda g: g(np.arange(5), edge_order=3),
    lambda g: g(np.array([True, False, True])),
])
def test_same_errors(call):
    with pytest.raises(Exception) as want:
        call(NP_GRADIENT)
    with pytest.raises(want.type) as got:
        call(imgrad.gradient)
    assert str(got.value) == str(want.value)


def test_numpy_computes_the_rest():
    """Types imgrad leaves to numpy still give numpy's results."""
    m = np.ma.array([[1.0, 2.0], [3.0, 5.0]], mask=[[0, 1], [0, 0]])
    assert type(imgrad.gradient(m)[0]) is np.ma.MaskedArray
    c = np.array([1 + 1j, 2, 4j])
    np.testing.assert_array_equal(imgrad.gradient(c), NP_GRADIENT(c))
    t = np.array([1, 5, 2], dtype="timedelta64[s]")
    np.testing.assert_array_equal(imgrad.gradient(t), NP_GRADIENT(t))


def test_gil_released_threads_agree():
    """Calls from several Python threads at once give the same bits."""
    from concurrent.futures import ThreadPoolExecutor
    rng = np.random.default_rng(13)
    arrs = [rng.standard_normal((300, 200)) for _ in range(4)]
    with ThreadPoolExecutor(4) as ex:
        got = list(ex.map(lambda a: imgrad.gradient(a, threads=2), arrs))
    for g, a in zip(got, arrs):
        assert_same(g, NP_GRADIENT(a))


def test_random_calls():
    """Random ranks, dtypes, transposes, reversed and strided views, axis
    subsets, spacing kinds and edge orders: numpy's bits, strides and errors."""
    rng = np.random.default_rng(42)
    checked = 0
    for _ in range(600):
        nd = int(rng.integers(1, 6))
        shape = tuple(int(s) for s in rng.integers(1, 7, nd))
        dt = str(rng.choice(["f2", "f4", "f8", "i1", "u1", "i8", "u8", "u2"]))
        if dt[0] == "f":
            a = (rng.standard_normal(shape) * rng.choice([1, 100, 1e4])).astype(dt)
        else:
            a = rng.integers(0, 100, shape).astype(dt)
        a = np.transpose(a, rng.permutation(nd))
        a = a[tuple(slice(None, None, int(rng.choice([1, -1, 2, -2]))) for _ in range(nd))]
        eo = int(rng.integers(1, 3))
        axes = tuple(int(x) for x in rng.permutation(nd)[:rng.integers(1, nd + 1)])
        args = []
        for k in axes:
            c = rng.integers(0, 5)
            if c == 0:
                args.append(float(rng.choice([0.5, 3.0, 1e5, 7e4, 1e-3])))
            elif c == 1:
                args.append(int(rng.choice([1, 3, 300, 70000])))
            elif c == 2:
                args.append(np.float32(rng.random() + 0.1))
            elif c == 3:
                args.append(np.cumsum(rng.random(a.shape[k]) + 0.1).astype(
                    str(rng.choice(["f2", "f4", "f8"]))))
            else:
                args.append(np.arange(a.shape[k]) * int(rng.integers(1, 4)))
        if rng.random() < 0.3 and np.ndim(args[0]) == 0:
            args = [args[0]]
        with np.errstate(all="ignore"):
            try:
                want = NP_GRADIENT(a, *args, axis=axes, edge_order=eo)
            except Exception as e:          # numpy's error, raised by imgrad too
                with pytest.raises(type(e)):
                    imgrad.gradient(a, *args, axis=axes, edge_order=eo)
                continue
            assert_same(imgrad.gradient(a, *args, axis=axes, edge_order=eo), want)
            checked += 1
    assert checked > 200


def test_out_buffers():
    """out= writes into the caller's arrays (any strides) and returns them."""
    rng = np.random.default_rng(17)
    a = rng.standard_normal((30, 20)).astype(np.float32)
    outs = [np.empty((20, 30), np.float32).T, np.empty_like(a)]
    got = imgrad.gradient(a, 0.5, out=outs)
    assert got[0] is outs[0] and got[1] is outs[1]
    for g, w in zip(got, NP_GRADIENT(a, 0.5)):
        np.testing.assert_array_equal(bits(g), bits(w))
    with pytest.raises(ValueError, match="out must be"):
        imgrad.gradient(a, out=[np.empty_like(a, dtype=np.float64)] * 2)
