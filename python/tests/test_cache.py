"""The block cache behind imgrad.gradient's outputs (python/imgrad/_memory.py,
blockcache.c): results unchanged bit for bit in reused blocks, reuse, the
limits, the off switch, and that memory in use is never handed out again."""
import os
import subprocess
import sys
import threading

import numpy as np
import pytest

import imgrad

MIB = 1 << 20
HERE = os.path.dirname(os.path.abspath(__file__))
handler_name = np.core.multiarray.get_handler_name


def address(a):
    return a.__array_interface__["data"][0]


def span(a):
    """[first, last) byte addresses of a's base block."""
    base = a
    while isinstance(base.base, np.ndarray):
        base = base.base
    return address(base), address(base) + base.nbytes


def overlaps(a, b):
    (a0, a1), (b0, b1) = span(a), span(b)
    return a0 < b1 and b0 < a1


@pytest.fixture(autouse=True)
def fresh_cache():
    """Each test starts with an empty cache and a limit of 1 GiB, and leaves
    the limit as it found it."""
    old = imgrad.set_cache(1 << 30)
    imgrad.release_memory()
    yield
    imgrad.set_cache(old)
    imgrad.release_memory()


def image(shape=(1024, 1024), dtype=np.float64, seed=0):
    """8 MiB of float64 by default: above the cache's 4 MiB threshold."""
    rng = np.random.default_rng(seed)
    if np.dtype(dtype).kind == "f":
        return rng.standard_normal(shape).astype(dtype)
    return rng.integers(0, 200, shape).astype(dtype)


def bits_equal(got, want):
    got = got if isinstance(got, list) else [got]
    want = want if isinstance(want, list) else [want]
    assert len(got) == len(want)
    for g, w in zip(got, want):
        assert g.dtype == w.dtype and g.shape == w.shape and g.strides == w.strides
        assert np.array_equal(np.ascontiguousarray(g).view(np.uint8),
                              np.ascontiguousarray(w).view(np.uint8))


@pytest.mark.parametrize("shape, dtype, kw", [
    ((1024, 1024), np.float64, {}),
    ((1024, 1024), np.uint8, {}),                    # float64 outputs of a uint8 input
    ((128, 128, 128), np.float32, {}),
    ((128, 128, 128), np.float32, {"axis": (0, 2), "edge_order": 2}),
    ((2 * MIB,), np.float32, {}),
    ((1024, 1024), np.float64, {"varargs": (0.5, np.linspace(0, 3, 1024) ** 2)}),
])
def test_reused_blocks_give_numpy_bits(shape, dtype, kw):
    """Every output value is written: blocks reused full of NaN garbage give
    numpy's bits, strides included."""
    kw = dict(kw)
    varargs = kw.pop("varargs", ())
    a = image(shape, dtype)
    if dtype == np.uint8:
        a = np.asfortranarray(a)                     # empty_like keeps the layout
    want = np.gradient(a, *varargs, **kw)
    first = imgrad.gradient(a, *varargs, **kw)
    bits_equal(first, want)
    first = first if isinstance(first, list) else [first]
    assert all(handler_name(g) == "imgrad_block_cache" for g in first)
    addresses = {address(g) for g in first}
    for g in first:
        g.fill(np.nan)
    del g, first
    hits = imgrad.cache_info()["hits"]
    again = imgrad.gradient(a, *varargs, **kw)
    bits_equal(again, want)
    again = again if isinstance(again, list) else [again]
    assert {address(g) for g in again} == addresses
    assert imgrad.cache_info()["hits"] == hits + len(again)


def test_freed_block_is_reused_and_counted():
    a = image()
    gy, gx = imgrad.gradient(a)
    mine = {address(gy), address(gx)}
    info = imgrad.cache_info()
    assert info["blocks"] == 0 and info["held"] == 0
    del gy, gx
    info = imgrad.cache_info()
    assert info["blocks"] == 2 and info["held"] >= 2 * a.nbytes
    gy, gx = imgrad.gradient(a)
    assert {address(gy), address(gx)} == mine
    after = imgrad.cache_info()
    assert after["hits"] == info["hits"] + 2 and after["misses"] == info["misses"]
    assert after["blocks"] == 0 and after["held"] == 0


def test_a_block_of_another_size_is_not_reused():
    gy, gx = imgrad.gradient(image((1024, 1024)))
    del gy, gx
    misses = imgrad.cache_info()["misses"]
    gy, gx = imgrad.gradient(image((1024, 1536)))
    assert imgrad.cache_info()["misses"] == misses + 2
    assert imgrad.cache_info()["blocks"] == 2       # the other size is still kept


def test_arrays_alive_are_never_reused():
    a, b = image(seed=1), image(seed=2)
    kept = imgrad.gradient(a)
    copies = [k.copy() for k in kept]
    for _ in range(4):                              # a loop over frames
        out = imgrad.gradient(b)
        for o in out:
            for k in kept:
                assert not overlaps(o, k)
        del out
    bits_equal(kept, copies)


def test_views_keep_their_block():
    """A view (and so its base) keeps the block out of the cache."""
    a, b = image(seed=3), image(seed=4)
    gy, gx = imgrad.gradient(a)
    view = gy[::3, 5:]
    transposed = gx.T
    buffer = memoryview(gx)
    want_view, want_t = view.copy(), transposed.copy()
    del gy, gx
    assert imgrad.cache_info()["blocks"] == 0       # nothing freed yet
    results = [imgrad.gradient(b) for _ in range(3)]
    for r in results:
        for o in r:
            assert not overlaps(o, view) and not overlaps(o, transposed)
    assert np.array_equal(view, want_view) and np.array_equal(transposed, want_t)
    del results, r, o, transposed
    assert imgrad.cache_info()["blocks"] == 6       # gx is still in the memoryview
    buffer.release()
    assert imgrad.cache_info()["blocks"] == 7
    del view
    assert imgrad.cache_info()["blocks"] == 8


def test_limit_is_respected():
    block = imgrad.gradient(image())[0].nbytes      # 8 MiB (+ a header page)
    imgrad.set_cache(2 * block + 2 * 4096 + 100)    # room for two blocks
    outs = [imgrad.gradient(image(seed=s)) for s in range(3)]   # six blocks
    del outs
    info = imgrad.cache_info()
    assert info["blocks"] == 2 and info["held"] <= info["limit"]
    imgrad.set_cache(block)                         # less than one block
    assert imgrad.cache_info()["blocks"] == 0
    gy, gx = imgrad.gradient(image())
    del gy, gx
    assert imgrad.cache_info()["held"] == 0


def test_block_count_is_bounded():
    imgrad.set_cache(1 << 40)
    outs = [imgrad.gradient(image((128, 128, 128), np.float32, seed=s)) for s in range(5)]
    del outs                                        # 15 blocks of 8 MiB
    info = imgrad.cache_info()
    assert info["blocks"] == info["max_blocks"] == 8


def test_off_switch():
    a = image()
    imgrad.gradient(a)                              # fills the cache
    assert imgrad.cache_info()["blocks"] == 2
    assert imgrad.set_cache(0) > 0
    assert imgrad.cache_info()["held"] == 0         # released at once
    gy, gx = imgrad.gradient(a)
    assert handler_name(gy) == handler_name(gx) == "default_allocator"
    bits_equal([gy, gx], np.gradient(a))
    del gy, gx
    assert imgrad.cache_info()["blocks"] == 0


def test_blocks_made_while_on_are_released_when_off():
    gy, gx = imgrad.gradient(image())
    imgrad.set_cache(0)
    del gy, gx                                      # freed through the handler
    assert imgrad.cache_info()["blocks"] == 0


def test_small_outputs_use_numpy_allocator():
    g = imgrad.gradient(image((100, 100)))
    assert handler_name(g[0]) == "default_allocator"
    assert handler_name(np.empty(10 * MIB)) == "default_allocator"   # others: numpy's


def test_release_memory():
    gy, gx = imgrad.gradient(image())
    del gy, gx
    held = imgrad.cache_info()["held"]
    assert held > 0 and imgrad.release_memory() == held
    assert imgrad.cache_info()["held"] == 0 and imgrad.release_memory() == 0


def test_set_cache_arguments():
    assert imgrad.set_cache(123 * MIB) == 1 << 30
    assert imgrad.cache_info()["limit"] == 123 * MIB
    assert imgrad.set_cache(5 * MIB) == 123 * MIB
    assert imgrad.set_cache(None) == 5 * MIB
    assert 0 < imgrad.cache_info()["limit"] <= 1 << 30
    for bad in (-1, 1.5, "1G", True):
        with pytest.raises(ValueError):
            imgrad.set_cache(bad)


def test_resize_and_copy_through_the_handler():
    """ndarray.resize reallocates through the array's handler."""
    g = imgrad.gradient(image(), axis=0)
    want = g.copy()
    g.resize((2048, 1024), refcheck=False)           # grows: a new block
    assert np.array_equal(g[:1024], want) and handler_name(g) == "imgrad_block_cache"
    g.resize((16, 16), refcheck=False)               # shrinks below the threshold
    assert np.array_equal(g.ravel(), want.ravel()[:256])
    g.resize((0,), refcheck=False)
    del g


def test_threads_share_the_cache():
    a = image()
    want = np.gradient(a)
    errors = []

    def work():
        try:
            for _ in range(10):
                bits_equal(imgrad.gradient(a, threads=1), want)
        except AssertionError as e:                  # pragma: no cover
            errors.append(e)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    info = imgrad.cache_info()
    assert info["held"] <= info["limit"] and info["blocks"] <= info["max_blocks"]


@pytest.mark.parametrize("value, limit", [("0", 0), ("off", 0), ("64M", 64 * MIB),
                                          ("268435456", 256 * MIB), ("1.5G", 3 << 29)])
def test_environment_variable(value, limit):
    code = ("import imgrad, numpy as np; i = imgrad.cache_info(); g = imgrad.gradient("
            "np.zeros((1024, 1024))); print(i['limit'], "
            "np.core.multiarray.get_handler_name(g[0]))")
    env = dict(os.environ, IMGRAD_CACHE=value,
               PYTHONPATH=os.path.join(HERE, "..") + os.pathsep + os.environ.get("PYTHONPATH", ""))
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                         text=True, check=True).stdout.split()
    assert out == [str(limit), "default_allocator" if limit == 0 else "imgrad_block_cache"]


def test_environment_variable_not_a_size():
    env = dict(os.environ, IMGRAD_CACHE="lots",
               PYTHONPATH=os.path.join(HERE, "..") + os.pathsep + os.environ.get("PYTHONPATH", ""))
    p = subprocess.run([sys.executable, "-c", "import imgrad; print(imgrad.cache_info()['limit'])"],
                       env=env, capture_output=True, text=True, check=True)
    assert "IMGRAD_CACHE='lots' is not a size" in p.stderr
    assert int(p.stdout) > 0
