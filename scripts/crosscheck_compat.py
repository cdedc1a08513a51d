#!/usr/bin/python3
"""Checks --compat opencv, --compat skimage, numpy's dtype and coordinate
rules, extreme values, --stats per format and automatic Canny on noise
(issue 13's Done-when list; docs/compat.md).  Debian's python3-opencv 4.6,
python3-skimage 0.19 and python3-numpy 1.24; run with /usr/bin/python3.

  crosscheck_compat.py --imgrad build/imgrad PHOTO...

For each photo cv2 reads, and for colour and greyscale JPEGs and PNGs made
from the first ones here:
  opencv   --compat opencv --format npy: gx, gy == cv2.Sobel(cv2.imread(p,
           IMREAD_GRAYSCALE), CV_32F, ksize=3) exactly; magnitude within
           1e-6 of cv2.magnitude (relative to its largest value); direction
           within 1e-5 rad of atan2 in [0, 2pi); edges --low 100 --high 200
           against cv2.Canny(g, 100, 200) F1 >= 0.995 (L1), and with
           --norm l2 against L2gradient=True
  skimage  --compat skimage --operator OP magnitude within 1e-6 of
           skimage.filters.OP(rgb2gray(img)) for sobel, scharr, prewitt,
           roberts (gx, gy against OP_v, OP_h for the first three);
           --outputs edges against skimage.feature.canny F1 >= 0.99
  stats    --stats rows equal for --format png and --format npy; each preset
           bit-identical on 1, 2 and 3 threads
Then numpy.gradient on int16 / uint8 / uint16 grids (spacings and
coordinates), float32 grids with float32 coordinates, decreasing,
non-monotonic and repeated coordinates: >= 99.999% of gx, gy bit-identical
to numpy's result rounded to float32; float64 grids with +-inf; magnitudes
of scaled grids within 2 ulp of hypot and direction 0 exactly where the
magnitude is; automatic Canny under 1% edges on a blank photo with +-1
level of noise.  Exit status 1 on any failure."""
import argparse
import csv
import os
import subprocess
import sys
import tempfile

import cv2
import numpy as np
from skimage import feature, filters
from skimage import io as skio
from skimage.color import rgb2gray
from skimage.util import img_as_float

FAILED = []


def check(ok, what):
    print(("ok    " if ok else "FAIL  ") + what)
    if not ok:
        FAILED.append(what)


def run(imgrad, *args):
    res = subprocess.run([imgrad, "-q", "--overwrite", *args], capture_output=True, text=True)
    if res.returncode != 0:
        raise RuntimeError(f"imgrad {' '.join(args)}: {res.stderr.strip()}")


def stem(p):
    return os.path.splitext(os.path.basename(p))[0]


def outputs(imgrad, tmp, photo, args, products):
    out = os.path.join(tmp, "o")
    run(imgrad, "-o", out, "--format", "npy", "--outputs", ",".join(products), *args, photo)
    return {k: np.load(os.path.join(out, f"{stem(photo)}.{k}.npy")) for k in products}


def f1(a, b):
    tp = np.count_nonzero(a & b)
    fp = np.count_nonzero(a & ~b)
    fn = np.count_nonzero(~a & b)
    return 1.0 if tp + fp + fn == 0 else 2 * tp / (2 * tp + fp + fn)


def check_opencv(imgrad, tmp, photo):
    g = cv2.imread(photo, cv2.IMREAD_GRAYSCALE)
    if g is None or g.dtype != np.uint8 or g.ndim != 2:
        return
    s = stem(photo)
    o = outputs(imgrad, tmp, photo, ["--compat", "opencv"], ["gx", "gy", "magnitude", "direction"])
    gx = cv2.Sobel(g, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(g, cv2.CV_32F, 0, 1, ksize=3)
    mag = cv2.magnitude(gx, gy)
    ang = np.arctan2(gy.astype(np.float64), gx.astype(np.float64)) % (2 * np.pi)
    d = np.abs(o["direction"].astype(np.float64) - ang)
    d = np.minimum(d, 2 * np.pi - d)
    merr = np.abs(o["magnitude"] - mag).max() / max(float(mag.max()), 1e-30)
    inrange = o["direction"].min() >= 0 and o["direction"].max() < 2 * np.pi
    check(np.array_equal(o["gx"], gx) and np.array_equal(o["gy"], gy),
          f"{s}: opencv gx, gy == cv2.Sobel (max diff "
          f"{max(np.abs(o['gx'] - gx).max(), np.abs(o['gy'] - gy).max()):g})")
    check(merr <= 1e-6, f"{s}: opencv magnitude vs cv2.magnitude: {merr:.1e} of max")
    check(d.max() <= 1e-5 and inrange,
          f"{s}: opencv direction vs atan2 in [0, 2pi): {d.max():.1e} rad")
    for extra, l2 in (([], False), (["--norm", "l2"], True)):
        e = outputs(imgrad, tmp, photo, ["--compat", "opencv", "--low", "100", "--high", "200",
                                         *extra], ["edges"])["edges"] > 0
        score = f1(e, cv2.Canny(g, 100, 200, L2gradient=l2) > 0)
        check(score >= 0.995, f"{s}: opencv edges vs cv2.Canny(100, 200, L2gradient={l2}): "
              f"F1 {score:.4f}")


def check_skimage(imgrad, tmp, photo):
    try:
        img = skio.imread(photo)
    except Exception:  # noqa: BLE001 - a file skimage cannot read is skipped
        return
    if img.ndim == 3 and img.shape[2] in (3, 4):
        grey = rgb2gray(img[..., :3])
    elif img.ndim == 2:
        grey = img_as_float(img)
    else:
        return
    s = stem(photo)
    for op in ("sobel", "scharr", "prewitt", "roberts"):
        o = outputs(imgrad, tmp, photo, ["--compat", "skimage", "--operator", op],
                    ["gx", "gy", "magnitude"])
        err = np.abs(o["magnitude"] - getattr(filters, op)(grey)).max()
        if op != "roberts":
            err = max(err, np.abs(o["gx"] - getattr(filters, op + "_v")(grey)).max(),
                      np.abs(o["gy"] - getattr(filters, op + "_h")(grey)).max())
        check(err <= 1e-6, f"{s}: skimage {op} (magnitude{'' if op == 'roberts' else ', _v, _h'})"
              f": max |diff| {err:.1e}")
    e = outputs(imgrad, tmp, photo, ["--compat", "skimage"], ["edges"])["edges"] > 0
    score = f1(e, feature.canny(grey))
    check(score >= 0.99, f"{s}: skimage edges vs feature.canny: F1 {score:.4f}")


def check_stats(imgrad, tmp, photo):
    rows = []
    for fmt in ("png", "npy"):
        path = os.path.join(tmp, f"stats-{fmt}.csv")
        run(imgrad, "-o", os.path.join(tmp, "s" + fmt), "--format", fmt, "--dx", "0.5",
            "--stats", path, photo)
        with open(path, newline="") as f:
            rows.append([r for r in csv.reader(f)])
    check(rows[0] == rows[1], f"{stem(photo)}: --stats rows equal for png and npy")


def check_threads(imgrad, tmp, photo):
    products = ["gx", "gy", "magnitude", "direction", "edges"]
    for preset in ("opencv", "skimage", "numpy"):
        runs = [outputs(imgrad, tmp, photo, ["--compat", preset, "-t", t], products)
                for t in ("1", "2", "3")]
        same = all(np.array_equal(r[k], runs[0][k], equal_nan=True) for r in runs for k in products)
        check(same, f"{stem(photo)}: --compat {preset} bit-identical on 1, 2 and 3 threads")


def made_photos(photos, tmp):
    """Colour and greyscale JPEGs (4:2:0 and progressive) and PNGs."""
    colour = next(p for p in photos if (cv2.imread(p, cv2.IMREAD_UNCHANGED) is not None
                                        and cv2.imread(p, cv2.IMREAD_UNCHANGED).ndim == 3))
    img = cv2.imread(colour, cv2.IMREAD_COLOR)
    grey = cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)
    made = []
    for name, im, params in (("made-colour.jpg", img, [cv2.IMWRITE_JPEG_QUALITY, 90]),
                             ("made-colour-prog.jpg", img, [cv2.IMWRITE_JPEG_PROGRESSIVE, 1]),
                             ("made-grey.jpg", grey, [cv2.IMWRITE_JPEG_QUALITY, 85]),
                             ("made-grey.png", grey, []),
                             ("made-colour16.png", img.astype(np.uint16) * 257, [])):
        p = os.path.join(tmp, name)
        cv2.imwrite(p, im, params)
        made.append(p)
    return made


def bits(got, ref):
    same = (got == ref) | (np.isnan(got) & np.isnan(ref))
    return 100.0 * same.mean()


def numpy_case(imgrad, tmp, name, grid, args, spacing, edge_order=1):
    p = os.path.join(tmp, name + ".npy")
    np.save(p, grid)
    o = outputs(imgrad, tmp, p, ["--edge-order", str(edge_order), *args], ["gx", "gy"])
    with np.errstate(all="ignore"):
        ry, rx = np.gradient(grid, *spacing, edge_order=edge_order)
    share = min(bits(o["gx"], rx.astype(np.float32)), bits(o["gy"], ry.astype(np.float32)))
    check(share >= 99.999, f"numpy {name} ({grid.dtype}): {share:.4f}% bit-identical")


def save(tmp, name, a):
    p = os.path.join(tmp, name)
    np.save(p, a)
    return p


def check_numpy(imgrad, tmp, base):
    rng = np.random.default_rng(13)
    h, w = base.shape
    xs = np.cumsum(rng.uniform(0.5, 1.5, w))
    ys = np.cumsum(rng.uniform(0.5, 1.5, h))
    px, py = save(tmp, "xs.npy", xs), save(tmp, "ys.npy", ys)
    coords = ["--x-coords", px, "--y-coords", py]
    grids = {"int16": (base * 37 - 3000).astype(np.int16), "uint8": base.astype(np.uint8),
             "uint16": (base * 257).astype(np.uint16)}
    for name, g in grids.items():
        numpy_case(imgrad, tmp, f"{name}-dx", g, ["--dx", "0.3", "--dy", "0.7"], (0.7, 0.3))
        numpy_case(imgrad, tmp, f"{name}-coords", g, coords, (ys, xs))
        numpy_case(imgrad, tmp, f"{name}-coords-eo2", g, coords, (ys, xs), 2)
    f32 = (base / 255).astype(np.float32)
    xs32, ys32 = xs.astype(np.float32), ys.astype(np.float32)
    c32 = ["--x-coords", save(tmp, "xs32.npy", xs32), "--y-coords", save(tmp, "ys32.npy", ys32)]
    numpy_case(imgrad, tmp, "float32-coords32", f32, c32, (ys32, xs32))
    numpy_case(imgrad, tmp, "float32-coords32-eo2", f32, c32, (ys32, xs32), 2)
    dec, nonmono, rep = xs[::-1].copy(), xs.copy(), xs.copy()
    nonmono[10:20] = nonmono[10:20][::-1]
    rep[50] = rep[49]
    for name, x in (("decreasing", dec), ("non-monotonic", nonmono), ("repeated", rep)):
        numpy_case(imgrad, tmp, f"float32-{name}", f32, ["--x-coords", save(tmp, name + ".npy", x)],
                   (1.0, x))
        numpy_case(imgrad, tmp, f"int16-{name}", grids["int16"],
                   ["--x-coords", save(tmp, name + ".npy", x)], (1.0, x))
    inf = base.astype(np.float64) * 10.0
    inf[h // 3, w // 3] = np.inf
    inf[h // 2, w // 4] = -np.inf
    inf[h // 4, w // 2: w // 2 + 2] = np.inf
    numpy_case(imgrad, tmp, "float64-inf", inf, [], (1.0, 1.0))


def check_extremes(imgrad, tmp, base):
    for scale in (1e-20, 1e-25, 1e-30, 1e-38, 1e18, 1e30, 1e37):
        g = (base.astype(np.float64) / 255 * scale).astype(np.float32)
        p = save(tmp, "extreme.npy", g)
        o = outputs(imgrad, tmp, p, [], ["gx", "gy", "magnitude", "direction"])
        ref = np.hypot(o["gx"].astype(np.float64), o["gy"].astype(np.float64))
        fits = ref < np.finfo(np.float32).max
        ulp = np.abs(o["magnitude"][fits] - ref[fits]) / np.spacing(
            ref[fits].astype(np.float32)).astype(np.float64)
        zero = o["magnitude"] == 0
        check(ulp.max() <= 2 and not np.any(zero & (o["direction"] != 0))
              and not np.any(zero & ((o["gx"] != 0) | (o["gy"] != 0))),
              f"extreme x{scale:g}: magnitude within {ulp.max():.2f} ulp of hypot, "
              f"direction 0 exactly where the magnitude is")


def check_noise(imgrad, tmp):
    rng = np.random.default_rng(7)
    blank = (128 + rng.integers(-1, 2, (480, 640))).astype(np.uint8)
    for name, params in (("blank-noise.png", []),
                         ("blank-noise.jpg", [cv2.IMWRITE_JPEG_QUALITY, 95])):
        p = os.path.join(tmp, name)
        cv2.imwrite(p, blank, params)
        for args in ([], ["--compat", "opencv"], ["--operator", "sobel"]):
            e = outputs(imgrad, tmp, p, args, ["edges"])["edges"]
            check(e.mean() < 0.01, f"automatic Canny {' '.join(args) or '(default)'} on {name}"
                  f" (+-1 level of noise): {100 * e.mean():.2f}% edges")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--imgrad", default="build/imgrad")
    ap.add_argument("photos", nargs="+")
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        photos = list(a.photos) + made_photos(a.photos, tmp)
        for p in photos:
            check_opencv(a.imgrad, tmp, p)
            check_skimage(a.imgrad, tmp, p)
        for p in photos[:3] + photos[-5:]:
            check_stats(a.imgrad, tmp, p)
        check_threads(a.imgrad, tmp, photos[0])
        base = cv2.imread(photos[0], cv2.IMREAD_GRAYSCALE).astype(np.float64)
        check_numpy(a.imgrad, tmp, base)
        check_extremes(a.imgrad, tmp, base)
        check_noise(a.imgrad, tmp)
    print(f"crosscheck-compat: {len(FAILED)} failed")
    return 1 if FAILED else 0


if __name__ == "__main__":
    sys.exit(main())
