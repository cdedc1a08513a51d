#!/usr/bin/python3
"""Same-run comparison of imgrad with OpenCV and numpy; writes BENCHMARKS.md.

Run by `make bench`.  Needs Debian's python3-numpy and python3-opencv (use
/usr/bin/python3: the python3 on PATH may lack them).  Steps, all in one run:

1. `imgrad bench --json` for the central and Sobel kernels on a 4096x4096
   grid (stage medians, kernel and memory-copy bandwidth from one process),
   with the CPU's best instruction set and again held at AVX2 (IMGRAD_ISA);
2. the peers on a 4096x4096 float32 grid in this process: numpy.gradient,
   numpy.gradient + hypot + arctan2, cv2.Sobel dx and dy, and cv2.Sobel +
   cv2.cartToPolar, each the median of --repeat runs after a warm-up;
3. a photo batch: sixteen 3000x2000 JPEGs (made once from the bundled
   assets, upscaled with noise added) to magnitude PNGs, by imgrad with two
   workers at its default settings and by an OpenCV script with two threads,
   and once by imgrad at --png-level 6 to compare the sizes;
4. peak resident memory of imgrad on one 4096x4096 image (/usr/bin/time -v).
"""
import argparse
import concurrent.futures
import datetime
import glob
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time

import cv2
import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def median_ms(fn, repeat):
    fn()  # warm-up
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(times)


def test_grid(n):
    """A smooth, photo-like float32 grid in [0, 1] with a little noise."""
    rng = np.random.default_rng(1)
    y, x = np.mgrid[0:n, 0:n].astype(np.float32)
    g = 0.5 + 0.3 * np.sin(x * 0.01) * np.cos(y * 0.013)
    g += rng.random((n, n), dtype=np.float32) * 0.03
    return np.ascontiguousarray(g, dtype=np.float32)


def peers(n, threads, repeat):
    f = test_grid(n)
    cv2.setNumThreads(threads)

    def np_full():
        gy, gx = np.gradient(f)
        return np.hypot(gx, gy), np.arctan2(gy, gx)

    def cv_sobel():
        return cv2.Sobel(f, cv2.CV_32F, 1, 0, ksize=3), cv2.Sobel(f, cv2.CV_32F, 0, 1, ksize=3)

    def cv_full():
        gx, gy = cv_sobel()
        return cv2.cartToPolar(gx, gy)

    return {
        "numpy_gradient_ms": median_ms(lambda: np.gradient(f), repeat),
        "numpy_full_ms": median_ms(np_full, repeat),
        "cv_sobel_ms": median_ms(cv_sobel, repeat),
        "cv_full_ms": median_ms(cv_full, repeat),
        "cv_threads": cv2.getNumThreads(),
    }


def imgrad_bench(imgrad, op, threads, repeat, isa=None):
    """imgrad bench's JSON; isa holds the kernels at that level (IMGRAD_ISA)."""
    cmd = [imgrad, "bench", "--operator", op, "--threads", str(threads),
           "--repeat", str(repeat), "--json"]
    env = dict(os.environ)
    env.pop("IMGRAD_ISA", None)
    if isa:
        env["IMGRAD_ISA"] = isa
    p = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if p.returncode != 0:
        return {"error": (p.stderr or p.stdout).strip(), "command": " ".join(cmd)}
    r = json.loads(p.stdout.strip().splitlines()[-1])
    r["text"] = p.stdout.strip()
    r["command"] = ("IMGRAD_ISA=%s " % isa if isa else "") + " ".join(cmd[:1] + ["bench"] + cmd[2:])
    return r


def make_photos(folder, count=16, size=(3000, 2000)):
    """Photo-like JPEGs: the bundled pictures upscaled, shifted, with noise."""
    os.makedirs(folder, exist_ok=True)
    sources = sorted(glob.glob(os.path.join(ROOT, "assets", "*.png")))
    rng = np.random.default_rng(7)
    paths = []
    for i in range(count):
        path = os.path.join(folder, "photo%02d.jpg" % i)
        paths.append(path)
        if os.path.exists(path):
            continue
        img = cv2.imread(sources[i % len(sources)], cv2.IMREAD_COLOR)
        img = cv2.resize(img, size, interpolation=cv2.INTER_CUBIC)
        if i // len(sources) % 2:
            img = img[:, ::-1]
        noise = rng.normal(0, 3, img.shape)
        img = np.clip(img + noise, 0, 255).astype(np.uint8)
        cv2.imwrite(path, img, [cv2.IMWRITE_JPEG_QUALITY, 92])
    return paths


def opencv_photo(path, out):
    """The OpenCV script's work for one photo: grey, Sobel, magnitude, PNG."""
    g = cv2.imread(path, cv2.IMREAD_GRAYSCALE)
    gx = cv2.Sobel(g, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(g, cv2.CV_32F, 0, 1, ksize=3)
    m = cv2.magnitude(gx, gy)
    u8 = cv2.normalize(m, None, 0, 255, cv2.NORM_MINMAX, cv2.CV_8U)
    cv2.imwrite(os.path.join(out, os.path.basename(path)[:-4] + ".png"), u8)


def opencv_batch(paths, out, threads):
    cv2.setNumThreads(1)  # the two Python threads are the two threads
    os.makedirs(out, exist_ok=True)
    t0 = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(threads) as ex:
        list(ex.map(lambda p: opencv_photo(p, out), paths))
    return time.perf_counter() - t0


def imgrad_help(imgrad):
    return subprocess.run([imgrad, "--help"], capture_output=True, text=True).stdout


def imgrad_batch_cmd(imgrad, paths, out, threads, op, extra=()):
    """imgrad -j N if it has it, else N processes on N shares of the photos."""
    # default settings (PNG level 1 for magnitudes, as OpenCV's imwrite
    # defaults to zlib level 1 with the RLE strategy)
    base = [imgrad, "-q", "-o", out, "--outputs", "magnitude"] + list(extra)
    if op != "central":
        base += ["--operator", op]
    if re.search(r"^\s*-j", imgrad_help(imgrad), re.M):
        return [base + ["-j", str(threads)] + paths], "imgrad -j %d" % threads
    shares = [paths[i::threads] for i in range(threads)]
    return [base + s for s in shares], "%d imgrad processes (no -j yet)" % threads


def imgrad_batch(cmds, out):
    shutil.rmtree(out, ignore_errors=True)
    t0 = time.perf_counter()
    procs = [subprocess.Popen(c) for c in cmds]
    rcs = [p.wait() for p in procs]
    if any(rcs):
        raise SystemExit("imgrad batch failed: %s" % rcs)
    return time.perf_counter() - t0


def folder_bytes(folder):
    return sum(os.path.getsize(p) for p in glob.glob(os.path.join(folder, "*")))


def photo_batch(imgrad, photos, work, threads, runs, op):
    cmds, how = imgrad_batch_cmd(imgrad, photos, os.path.join(work, "imgrad-out"), threads, op)
    ours, theirs = [], []
    for _ in range(runs):  # interleaved, so that both see the same load
        ours.append(imgrad_batch(cmds, os.path.join(work, "imgrad-out")))
        shutil.rmtree(os.path.join(work, "cv-out"), ignore_errors=True)
        theirs.append(opencv_batch(photos, os.path.join(work, "cv-out"), threads))
    n = len(photos)
    level6, _ = imgrad_batch_cmd(imgrad, photos, os.path.join(work, "imgrad-out6"), threads, op,
                                 ["--png-level", "6"])
    level6_s = imgrad_batch(level6, os.path.join(work, "imgrad-out6"))
    return {
        "level6_s": level6_s,
        "level6_png_bytes": folder_bytes(os.path.join(work, "imgrad-out6")),
        "how": how, "command": " ".join(a for a in cmds[0] if a not in photos) + " PHOTOS",
        "imgrad_s": statistics.median(ours), "opencv_s": statistics.median(theirs),
        "imgrad_photos_s": n / statistics.median(ours),
        "opencv_photos_s": n / statistics.median(theirs),
        "imgrad_png_bytes": folder_bytes(os.path.join(work, "imgrad-out")),
        "opencv_png_bytes": folder_bytes(os.path.join(work, "cv-out")),
        "runs": runs,
    }


def peak_memory(imgrad, work, n):
    """Max RSS of imgrad on one n x n RGB image, all four products as .npy."""
    path = os.path.join(work, "big.png")
    if not os.path.exists(path):
        img = (test_grid(n) * 255).astype(np.uint8)
        cv2.imwrite(path, cv2.merge([img, img[:, ::-1], img[::-1]]))
    cmd = ["/usr/bin/time", "-v", imgrad, "-q", "-o", os.path.join(work, "mem-out"),
           "--format", "npy", "--outputs", "gx,gy,magnitude,direction", path]
    p = subprocess.run(cmd, capture_output=True, text=True)
    kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", p.stderr).group(1))
    pix = n * n
    bound = 3 * pix + 4 * 4 * pix + 2 * 4 * pix + 16 * 2**20
    shutil.rmtree(os.path.join(work, "mem-out"), ignore_errors=True)
    return {"max_rss_mib": kb / 1024, "bound_mib": bound / 2**20,
            "command": "/usr/bin/time -v imgrad -o OUT --format npy "
                       "--outputs gx,gy,magnitude,direction big.png (%dx%d RGB)" % (n, n)}


def machine():
    model = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as f:
        mem = int(f.readline().split()[1]) // 1024
    return "%s, %d cores, %d MiB RAM, %s %s" % (model, os.cpu_count(), mem,
                                                platform.system(), platform.release())


def busy_processes():
    """Other processes using the CPU as the run starts (ps's lifetime average)."""
    p = subprocess.run(["ps", "-eo", "pcpu,comm", "--sort=-pcpu", "--no-headers"],
                       capture_output=True, text=True)
    rows = [l.split(None, 1) for l in p.stdout.splitlines()[:8]]
    busy = ["%s (%s%%)" % (r[1].strip(), r[0]) for r in rows
            if len(r) == 2 and float(r[0]) >= 20 and "python" not in r[1]]
    return ", ".join(busy) or "none above 20% CPU"


def verdict(ok):
    return "holds" if ok else "does NOT hold"


def kernel_section(name, b):
    if "error" in b:
        return ["### %s kernel" % name, "", "`%s` failed: %s" % (b["command"], b["error"]), ""]
    return ["### %s kernel" % name, "", "```", "$ " + b["command"], b["text"], "```", ""]


def bound_lines(r):
    """Table rows after the Done-when table: each kernel's bytes against the
    memory bandwidth the copy probe measured in the same run."""
    p = r["peers"]
    L = []
    for name, peer in (("central", p["numpy_full_ms"]), ("sobel", p["cv_full_ms"])):
        b = r[name]
        if "error" in b:
            continue
        mb = 20 * r["n"] * r["n"] / 1e6
        # the probe counts 8 bytes per float copied; its ordinary stores
        # read each line before writing it, so memory moved 12
        real = b["copy_gb_s"] * 12 / 8
        L.append("| (%s: %.0f MB at the copy's real %.1f GB/s take >= %.1f ms; 4x the peer "
                 "needs <= %.1f ms; measured %.1f ms = %.0f%% of that bandwidth) | | |" % (
                     name, mb, real, mb / real, peer / 4, b["kernel_ms"],
                     100 * b["kernel_gb_s"] / real))
    return L


# The Python section, written by make bench-python
# (python/bench/bench_python.py), which this report keeps as it finds it.
PYTHON_BEGIN = "<!-- bench-python: begin"
PYTHON_END = "<!-- bench-python: end -->"


def python_section(path):
    """The Python section of the report at path, as lines ([] if none)."""
    try:
        with open(path) as f:
            text = f.read()
    except OSError:
        return []
    b = text.find(PYTHON_BEGIN)
    e = text.find(PYTHON_END, b)
    return [] if b < 0 or e < 0 else text[b:e + len(PYTHON_END)].split("\n") + [""]


def write_report(path, r):
    c, s, p, m = r["central"], r["sobel"], r["peers"], r["memory"]
    L = ["# imgrad benchmarks", "",
         "Written by `make bench` (scripts/bench_peers.py); every figure below comes",
         "from one run of that script, imgrad and the peers measured side by side,",
         "except the Python section at the end, written by `make bench-python`.", "",
         "- date: %s" % r["date"], "- machine: %s" % r["machine"],
         "- load average before / after: %s / %s" % (r["load_before"], r["load_after"]),
         "- peers: OpenCV %s, numpy %s (Debian packages), Python %s" % (
             cv2.__version__, np.__version__, platform.python_version()),
         "- other busy processes at the start: %s" % r["busy"],
         "- conditions: %s" % r["note"], ""]
    L += ["## Kernels on a %dx%d float32 grid, %d threads" % (r["n"], r["n"], r["threads"]), "",
          "imgrad's kernel time is `imgrad_gradient` producing gx, gy, magnitude and",
          "direction into a warm heap; `first call` is the same on fresh memory.", ""]
    L += kernel_section("Central (numpy.gradient)", c) + kernel_section("Sobel", s)
    L += kernel_section("Central, held at AVX2", r["central_avx2"])
    L += kernel_section("Sobel, held at AVX2", r["sobel_avx2"])
    L += ["### Peers (median of %d, same run)" % r["repeat"], "",
          "| what | ms |", "| --- | ---: |",
          "| numpy.gradient | %.1f |" % p["numpy_gradient_ms"],
          "| numpy.gradient + hypot + arctan2 | %.1f |" % p["numpy_full_ms"],
          "| cv2.Sobel dx + dy (%d threads) | %.1f |" % (p["cv_threads"], p["cv_sobel_ms"]),
          "| cv2.Sobel + cv2.cartToPolar (%d threads) | %.1f |" % (p["cv_threads"], p["cv_full_ms"]),
          ""]
    L += ["## Done-when ratios", "", "| criterion | measured | |", "| --- | --- | --- |"]
    for name, b, peer, peer_name, goal in (
            ("central", c, p["numpy_full_ms"], "numpy.gradient+hypot+arctan2", 10),
            ("sobel", s, p["cv_full_ms"], "cv2.Sobel+cartToPolar", 4),
            ("central (AVX2)", r["central_avx2"], p["numpy_full_ms"], "numpy.gradient+hypot+arctan2", 10),
            ("sobel (AVX2)", r["sobel_avx2"], p["cv_full_ms"], "cv2.Sobel+cartToPolar", 4)):
        if "error" in b:
            L.append("| %s kernel | not measured: %s | |" % (name, b["error"][:80]))
            continue
        ratio = b["kernel_gb_s"] / b["copy_gb_s"]
        L.append("| %s all four, %s: kernel_gb_s / copy_gb_s >= 0.8 | %.2f / %.2f = %.2f | %s |" % (
            name, b.get("isa", "?"), b["kernel_gb_s"], b["copy_gb_s"], ratio, verdict(ratio >= 0.8)))
        speed = peer / b["kernel_ms"]
        L.append("| %s all four >= %dx faster than %s | %.1f ms vs %.1f ms = %.1fx | %s |" % (
            name, goal, peer_name, b["kernel_ms"], peer, speed, verdict(speed >= goal)))
        cold = peer / b["kernel_cold_ms"]
        L.append("| (same, imgrad's first call on fresh memory) | %.1f ms: %.1fx | |" % (
            b["kernel_cold_ms"], cold))
    L += bound_lines(r)
    ph = r["photos"]
    ratio = ph["imgrad_photos_s"] / ph["opencv_photos_s"]
    L.append("| 16 photos 3000x2000 to magnitude PNG, default settings, >= 3x OpenCV | %.2f vs %.2f photos/s = %.2fx | %s |" % (
        ph["imgrad_photos_s"], ph["opencv_photos_s"], ratio, verdict(ratio >= 3)))
    L.append("| same, PNGs no larger than at --png-level 6 | %.1f MB vs %.1f MB | %s |" % (
        ph["imgrad_png_bytes"] / 1e6, ph["level6_png_bytes"] / 1e6,
        verdict(ph["imgrad_png_bytes"] <= ph["level6_png_bytes"])))
    L.append("| peak memory <= input + 4 B/px per output + 2 grids + 16 MiB | %.0f MiB <= %.0f MiB | %s |" % (
        m["max_rss_mib"], m["bound_mib"], verdict(m["max_rss_mib"] <= m["bound_mib"])))
    L += ["", "## Photo batch", "",
          "Sixteen 3000x2000 JPEGs (scripts/bench_peers.py makes them from assets/), grey,",
          "gradient, magnitude, 8-bit PNG; median of %d interleaved runs." % ph["runs"], "",
          "- imgrad (%s): `%s` %.2f s, %.2f photos/s, PNGs %.1f MB" % (
              ph["how"], ph["command"], ph["imgrad_s"], ph["imgrad_photos_s"], ph["imgrad_png_bytes"] / 1e6),
          "- the same with `--png-level 6` (one run, after the others): %.2f s, PNGs %.1f MB" % (
              ph["level6_s"], ph["level6_png_bytes"] / 1e6),
          "- OpenCV script (2 Python threads, cv2.setNumThreads(1); imread grayscale, Sobel dx/dy,",
          "  magnitude, normalize to 8 bits, imwrite PNG with OpenCV's defaults): %.2f s, %.2f photos/s, PNGs %.1f MB" % (
              ph["opencv_s"], ph["opencv_photos_s"], ph["opencv_png_bytes"] / 1e6), "",
          "## Peak memory", "", "`%s`: maximum resident set %.0f MiB; the bound" % (m["command"], m["max_rss_mib"]),
          "3 B/px decoded RGB + 4 outputs x 4 B/px + 2 grids x 4 B/px + 16 MiB is %.0f MiB." % m["bound_mib"], ""]
    L += python_section(path)
    with open(path, "w") as f:
        f.write("\n".join(L))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--imgrad", default=os.path.join(ROOT, "build", "imgrad"))
    ap.add_argument("--size", type=int, default=4096)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--photo-runs", type=int, default=3)
    ap.add_argument("--work", default=os.path.join(ROOT, "build", "bench"))
    ap.add_argument("--out", default=os.path.join(ROOT, "BENCHMARKS.md"))
    ap.add_argument("--note", default="other jobs may share the machine; see load average")
    a = ap.parse_args()
    os.makedirs(a.work, exist_ok=True)
    r = {"date": datetime.datetime.now().strftime("%Y-%m-%d %H:%M %Z").strip(),
         "machine": machine(), "load_before": "%.2f" % os.getloadavg()[0],
         "n": a.size, "threads": a.threads, "repeat": a.repeat, "note": a.note,
         "busy": busy_processes()}
    r["central"] = imgrad_bench(a.imgrad, "central", a.threads, a.repeat)
    r["sobel"] = imgrad_bench(a.imgrad, "sobel", a.threads, a.repeat)
    r["central_avx2"] = imgrad_bench(a.imgrad, "central", a.threads, a.repeat, "avx2")
    r["sobel_avx2"] = imgrad_bench(a.imgrad, "sobel", a.threads, a.repeat, "avx2")
    r["peers"] = peers(a.size, a.threads, a.repeat)
    photos = make_photos(os.path.join(a.work, "photos"))
    r["photos"] = photo_batch(a.imgrad, photos, a.work, a.threads, a.photo_runs, "sobel"
                              if "error" not in r["sobel"] else "central")
    r["memory"] = peak_memory(a.imgrad, a.work, a.size)
    r["load_after"] = "%.2f" % os.getloadavg()[0]
    write_report(a.out, r)
    json.dump({k: v for k, v in r.items()}, open(os.path.join(a.work, "bench.json"), "w"),
              indent=1, default=str)
    print(open(a.out).read())


if __name__ == "__main__":
    sys.exit(main())
