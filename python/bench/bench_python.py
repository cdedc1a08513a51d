#!/usr/bin/env python3
"""Times imgrad's Python functions against numpy.gradient and scikit-image
in one run: the median of --repeat runs of each, every result checked equal
(bit for bit) before it is timed.  Prints a Markdown table.

    OMP_NUM_THREADS=2 PYTHONPATH=python /usr/bin/python3 python/bench/bench_python.py
"""
import argparse
import os
import statistics
import time

import numpy as np

import imgrad


def median_time(fn, repeat):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def same(a, b):
    if isinstance(a, list):
        return all(same(x, y) for x, y in zip(a, b)) and len(a) == len(b)
    return a.dtype == b.dtype and a.shape == b.shape and np.array_equal(
        a.view(np.uint8), b.view(np.uint8))


def cases(rng):
    photo = rng.random((4096, 4096))
    yield "gradient, 1-D float64, 10^7", (rng.standard_normal(10**7),), {}
    yield "gradient, 4096x4096 float64", (photo,), {}
    yield "gradient, 4096x4096 uint8", (rng.integers(0, 256, (4096, 4096), dtype=np.uint8),), {}
    yield "gradient, 256^3 float32", (rng.standard_normal((256, 256, 256)).astype(np.float32),), {}
    yield ("gradient, (200, 25, 25) float64, axis=(1, 2)",
           (rng.standard_normal((200, 25, 25)),), {"axis": (1, 2)})


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    rng = np.random.default_rng(0)
    print("| case | numpy / skimage (ms) | imgrad (ms) | speed-up |")
    print("| --- | ---: | ---: | ---: |")
    for name, pos, kw in cases(rng):
        want, got = np.gradient(*pos, **kw), imgrad.gradient(*pos, **kw)
        assert same(got, want), name
        t_np = median_time(lambda: np.gradient(*pos, **kw), args.repeat)
        t_ig = median_time(lambda: imgrad.gradient(*pos, **kw), args.repeat)
        print("| %s | %.1f | %.1f | %.1fx |" % (name, 1e3 * t_np, 1e3 * t_ig, t_np / t_ig))
        outs = got if isinstance(got, list) else [got]   # reused: no page faults
        t_out = median_time(lambda: imgrad.gradient(*pos, **kw, out=outs), args.repeat)
        print("| %s, out= reused | %.1f | %.1f | %.1fx |" % (name, 1e3 * t_np, 1e3 * t_out,
                                                            t_np / t_out))
    from skimage import filters
    photo = (rng.random((4096, 4096)) * 255).astype(np.uint8)
    for fname in ("sobel", "sobel_h", "scharr", "prewitt", "roberts"):
        theirs, mine = getattr(filters, fname), getattr(imgrad, fname)
        assert same(mine(photo), theirs(photo)), fname
        t_sk = median_time(lambda: theirs(photo), args.repeat)
        t_ig = median_time(lambda: mine(photo), args.repeat)
        print("| skimage.filters.%s, 4096x4096 uint8 | %.1f | %.1f | %.1fx |"
              % (fname, 1e3 * t_sk, 1e3 * t_ig, t_sk / t_ig))
    from skimage import feature
    small = photo[:2048, :2048]
    assert np.array_equal(imgrad.canny(small), feature.canny(small)), "canny"
    t_sk = median_time(lambda: feature.canny(small), args.repeat)
    t_ig = median_time(lambda: imgrad.canny(small), args.repeat)
    print("| skimage.feature.canny, 2048x2048 uint8 | %.1f | %.1f | %.1fx |"
          % (1e3 * t_sk, 1e3 * t_ig, t_sk / t_ig))
    print()
    print("load average (1, 5, 15 min) at the end of the run: %s" % " ".join("%.2f" % v for v in os.getloadavg()))
    print("OMP_NUM_THREADS=%s, numpy %s, %d runs each (median)"
          % (os.environ.get("OMP_NUM_THREADS", "unset"), np.__version__, args.repeat))


if __name__ == "__main__":
    main()
