#!/usr/bin/env python3
"""Times imgrad's Python functions against numpy.gradient and scikit-image
in one run: the median of --repeat calls of each, every result checked equal
(bit for bit) before it is timed.  Prints Markdown; with --update FILE it
also rewrites the Python section of FILE (BENCHMARKS.md) between its
markers, leaving the rest as it is.

    OMP_NUM_THREADS=2 PYTHONPATH=python /usr/bin/python3 python/bench/bench_python.py
    make bench-python          # the same, --update BENCHMARKS.md

Each call is timed as a loop over frames runs it: the previous call's result
is still alive while the next call runs, and is freed after the clock stops.
imgrad.gradient is timed four ways:

- cache off: imgrad.set_cache(0), outputs from numpy's allocator, new pages
  from the kernel on every call (imgrad before its block cache);
- fresh memory: the block cache emptied (imgrad.release_memory()) before
  each call, so its outputs are new pages from the kernel, as numpy's are;
- repeated call: after two untimed calls, so the outputs reuse the blocks of
  freed ones (the steady state of a loop over frames);
- out= reused: writing into the same output arrays every call.

numpy.gradient gets new pages from the kernel on every call (glibc returns
blocks this large to the kernel when they are freed).
"""
import argparse
import os
import platform
import statistics
import time

import numpy as np

import imgrad

BEGIN = "<!-- bench-python: begin (written by make bench-python) -->"
END = "<!-- bench-python: end -->"


def median_time(fn, repeat, setup=None, warmup=0):
    """Median seconds of fn() over repeat calls; setup() runs untimed
    before each.  A result stays alive until the next call has returned."""
    times, last = [], None
    for k in range(warmup + repeat):
        if setup:
            setup()
        t0 = time.perf_counter()
        result = fn()
        t1 = time.perf_counter()
        last = result       # frees the result before, outside the clock
        if k >= warmup:
            times.append(t1 - t0)
    del last, result
    return statistics.median(times)


def same(a, b):
    if isinstance(a, list):
        return all(same(x, y) for x, y in zip(a, b)) and len(a) == len(b)
    return a.dtype == b.dtype and a.shape == b.shape and np.array_equal(
        a.view(np.uint8), b.view(np.uint8))


def cases(rng):
    yield "1-D float64, 10^7", (rng.standard_normal(10**7),), {}
    yield "4096x4096 float64", (rng.random((4096, 4096)),), {}
    yield "4096x4096 uint8", (rng.integers(0, 256, (4096, 4096), dtype=np.uint8),), {}
    yield "256^3 float32", (rng.standard_normal((256, 256, 256)).astype(np.float32),), {}
    yield ("(200, 25, 25) float64, axis=(1, 2)",
           (rng.standard_normal((200, 25, 25)),), {"axis": (1, 2)})


def gradient_table(rng, repeat):
    L = ["| numpy.gradient on | numpy (ms) | imgrad, cache off (ms) | speed-up "
         "| imgrad, fresh memory (ms) | speed-up | imgrad, repeated call (ms) | speed-up "
         "| imgrad, out= reused (ms) | speed-up |",
         "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for name, pos, kw in cases(rng):
        want, got = np.gradient(*pos, **kw), imgrad.gradient(*pos, **kw)
        assert same(got, want), name
        outs = got if isinstance(got, list) else [got]
        del want
        t_np = median_time(lambda: np.gradient(*pos, **kw), repeat)
        limit = imgrad.set_cache(0)
        t_off = median_time(lambda: imgrad.gradient(*pos, **kw), repeat)
        imgrad.set_cache(limit)
        t_fresh = median_time(lambda: imgrad.gradient(*pos, **kw), repeat,
                              setup=imgrad.release_memory)
        imgrad.release_memory()
        t_rep = median_time(lambda: imgrad.gradient(*pos, **kw), repeat, warmup=2)
        t_out = median_time(lambda: imgrad.gradient(*pos, **kw, out=outs), repeat)
        L.append("| %s | %.1f | %s |" % (name, 1e3 * t_np, " | ".join(
            "%.1f | %.1fx" % (1e3 * t, t_np / t) for t in (t_off, t_fresh, t_rep, t_out))))
        print(L[-1], flush=True)
    imgrad.release_memory()
    return L


def skimage_table(rng, repeat):
    from skimage import feature, filters
    L = ["| scikit-image function | scikit-image (ms) | imgrad (ms) | speed-up |",
         "| --- | ---: | ---: | ---: |"]
    photo = (rng.random((4096, 4096)) * 255).astype(np.uint8)
    for fname in ("sobel", "sobel_h", "scharr", "prewitt", "roberts"):
        theirs, mine = getattr(filters, fname), getattr(imgrad, fname)
        assert same(mine(photo), theirs(photo)), fname
        t_sk = median_time(lambda: theirs(photo), repeat)
        t_ig = median_time(lambda: mine(photo), repeat)
        L.append("| skimage.filters.%s, 4096x4096 uint8 | %.1f | %.1f | %.1fx |"
                 % (fname, 1e3 * t_sk, 1e3 * t_ig, t_sk / t_ig))
        print(L[-1], flush=True)
    small = photo[:2048, :2048]
    assert np.array_equal(imgrad.canny(small), feature.canny(small)), "canny"
    t_sk = median_time(lambda: feature.canny(small), repeat)
    t_ig = median_time(lambda: imgrad.canny(small), repeat)
    L.append("| skimage.feature.canny, 2048x2048 uint8 | %.1f | %.1f | %.1fx |"
             % (1e3 * t_sk, 1e3 * t_ig, t_sk / t_ig))
    print(L[-1], flush=True)
    return L


def cpu():
    info = {}
    with open("/proc/cpuinfo") as f:
        for line in f:
            key, _, value = line.partition(":")
            info.setdefault(key.strip(), value.strip())
            if not line.strip():
                break
    flags = info.get("flags", "").split()
    isa = "AVX-512" if "avx512f" in flags else "AVX2" if "avx2" in flags else "no AVX2"
    family = info.get("cpu family", "?")
    zen = {"23": "Zen 1/2, ", "25": "Zen 3/4, ", "26": "Zen 5, "}.get(family, "") \
        if info.get("vendor_id") == "AuthenticAMD" else ""
    return "%s (%sfamily %s, model %s), %s, %d cores" % (
        info.get("model name", "?"), zen, family, info.get("model", "?"), isa, os.cpu_count())


def load():
    return " ".join("%.2f" % v for v in os.getloadavg())


def section(args, load_before, gradient_rows, skimage_rows):
    import skimage
    L = [BEGIN, "## Python package", "",
         "Written by `make bench-python` (python/bench/bench_python.py); every figure",
         "comes from one run of that script: the median of %d calls each, every result" % args.repeat,
         "checked bit for bit against numpy or scikit-image before it is timed.", "",
         "- date: %s" % time.strftime("%Y-%m-%d %H:%M"),
         "- command: `OMP_NUM_THREADS=%s PYTHONPATH=python %s python/bench/bench_python.py "
         "--repeat %d`" % (os.environ.get("OMP_NUM_THREADS", "unset"), args.python, args.repeat),
         "- CPU: %s; Linux %s; transparent huge pages: %s" % (cpu(), platform.release(), thp()),
         "- Python %s, numpy %s, scikit-image %s (Debian packages)" % (
             platform.python_version(), np.__version__, skimage.__version__),
         "- load average (1, 5, 15 min) before / after: %s / %s" % (load_before, load()),
         "- cache off: `imgrad.set_cache(0)`, outputs from numpy's allocator (imgrad",
         "  before its block cache); fresh memory: the block cache emptied before each",
         "  call, so the outputs are new pages, as numpy's are on every call; repeated",
         "  call: the outputs reuse freed blocks (a loop over frames, from its third call",
         "  on); out= reused: the same output arrays every call. Each result is freed",
         "  after the next call, outside the timed region.", ""]
    L += gradient_rows + [""]
    if skimage_rows:
        L += skimage_rows + [""]
    return L + [END]


def thp():
    try:
        with open("/sys/kernel/mm/transparent_hugepage/enabled") as f:
            return next(w.strip("[]") for w in f.read().split() if w.startswith("["))
    except (OSError, StopIteration):
        return "unknown"


def update(path, lines):
    """Replaces the text between BEGIN and END in path (or appends it)."""
    with open(path) as f:
        text = f.read()
    new = "\n".join(lines)
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        text = head + new + rest.split(END, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + new + "\n"
    with open(path, "w") as f:
        f.write(text)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--gradient-only", action="store_true",
                    help="skip the scikit-image functions")
    ap.add_argument("--update", metavar="FILE",
                    help="rewrite the Python section of FILE (BENCHMARKS.md)")
    ap.add_argument("--python", default="/usr/bin/python3",
                    help="the interpreter named in the recorded command")
    args = ap.parse_args()
    load_before = load()
    rng = np.random.default_rng(0)
    print("CPU: %s; load average before: %s" % (cpu(), load_before), flush=True)
    rows = gradient_table(rng, args.repeat)
    sk = [] if args.gradient_only else skimage_table(rng, args.repeat)
    lines = section(args, load_before, rows, sk)
    print("\n".join(lines))
    if args.update:
        update(args.update, lines)


if __name__ == "__main__":
    main()
