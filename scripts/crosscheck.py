#!/usr/bin/python3
"""Compares imgrad's .npy outputs with numpy.gradient, computed here from the
source pixels (independently of imgrad's grey conversion).

  crosscheck.py --imgrad build/imgrad IMAGE...

For each image (8- or 16-bit), and for synthetic float64 grids with --dx/--dy
and with coordinate files, at edge orders 1 and 2:
  gray       within 1e-6
  gx, gy, magnitude within 1e-5 of the largest |value| of the reference
  direction  within 1e-4 rad where the magnitude is not negligible: above
             1e-3 (a quarter of one 8-bit grey level per pixel) for photos,
             above 1e-3 of its largest value for grids
and gx, gy bit-identical to numpy's float64 result rounded to float32 (imgrad
keeps the grey's float32 rounding residual and computes in float64 where numpy
does), except where numpy's value is its own float64 rounding noise.  Exits 1 on any failure.  Needs Debian's
python3-numpy and python3-opencv."""
import argparse
import os
import subprocess
import sys
import tempfile

import cv2
import numpy as np

PRODUCTS = ["gray", "gx", "gy", "magnitude", "direction"]
REC601 = np.array([0.299, 0.587, 0.114])
failures = []


def check(name, ok, detail):
    print(("ok   " if ok else "FAIL ") + name + ": " + detail)
    if not ok:
        failures.append(name)


def run_imgrad(exe, args, inputs, outdir):
    cmd = [exe, "-q", "--overwrite", "-o", outdir, "--format", "npy",
           "--outputs", ",".join(PRODUCTS)] + args + inputs
    subprocess.run(cmd, check=True)


def load_outputs(outdir, stem):
    return {p: np.load(os.path.join(outdir, "%s.%s.npy" % (stem, p))) for p in PRODUCTS}


def reference_gray(path):
    img = cv2.imread(path, cv2.IMREAD_UNCHANGED)
    scale = 65535.0 if img.dtype == np.uint16 else 255.0
    img = img.astype(np.float64) / scale
    if img.ndim == 2:
        return img
    rgb = img[..., 2::-1]  # BGR(A) to RGB, alpha dropped
    return rgb @ REC601


def compare(name, out, f, spacing, edge_order, photo):
    gy, gx = np.gradient(f, *spacing, edge_order=edge_order)
    mag = np.hypot(gx, gy)
    ref = {"gray": f, "gx": gx, "gy": gy, "magnitude": mag}
    for p, r in ref.items():
        err = np.abs(out[p].astype(np.float64) - r).max()
        tol = 1e-6 if p == "gray" else 1e-5 * max(np.abs(r).max(), 1e-30)
        check("%s %s" % (name, p), err <= tol, "max error %.3g (limit %.3g)" % (err, tol))
    strong = mag > (1e-3 if photo else 1e-3 * mag.max())
    d = np.abs(out["direction"].astype(np.float64) - np.arctan2(gy, gx))
    d = np.minimum(d, 2 * np.pi - d)[strong]
    dmax = d.max() if d.size else 0.0
    # float32(pi) is the largest float32 in (-pi, pi]: it rounds pi upwards
    in_range = out["direction"].min() > -np.pi and out["direction"].max() <= np.float32(np.pi)
    check("%s direction" % name, dmax <= 1e-4 and in_range, "max error %.3g rad" % dmax)


def exact_rounding(name, out, f, spacing, edge_order):
    """imgrad computes in float64 where numpy does (integer and float64
    sources) and rounds once: gx and gy must be numpy's float64 result
    rounded to float32, pixel for pixel, except where numpy's value is the
    rounding noise of its own float64 sums (|value| <= 1e-12; there imgrad's
    noise, from a grey carried to 48 bits, differs)."""
    gy, gx = np.gradient(f, *spacing, edge_order=edge_order)
    worst, noise = 1.0, 0
    for o, r in ((out["gx"], gx), (out["gy"], gy)):
        real = np.abs(r) > 1e-12
        worst = min(worst, np.mean(o[real] == r[real].astype(np.float32)))
        noise = max(noise, int(np.sum(o[~real] != r[~real].astype(np.float32))))
    # 1 in 100,000 may land one ulp apart: the reference grey is a dot
    # product whose last double bit can differ from imgrad's weighted sum
    check("%s gx, gy rounded" % name, worst >= 0.99999,
          "%.5f%% of pixels bit-identical to numpy's float64 result rounded to float32"
          " (%d more differ at float64 noise level)" % (100 * worst, noise))


def photos(exe, images, tmp):
    for path in images:
        stem = os.path.splitext(os.path.basename(path))[0]
        f = reference_gray(path)
        for order in (1, 2):
            outdir = os.path.join(tmp, "photo%d" % order)
            run_imgrad(exe, ["--edge-order", str(order)], [path], outdir)
            out = load_outputs(outdir, stem)
            compare("%s edge%d" % (stem, order), out, f, (), order, True)
            exact_rounding("%s edge%d" % (stem, order), out, f, (), order)


def grids(exe, tmp):
    rng = np.random.default_rng(2024)
    h, w = 97, 131
    yy, xx = np.mgrid[0:h, 0:w]
    smooth = np.sin(xx / 7.0) * np.cos(yy / 5.0) + 0.01 * xx
    for kind, f in (("random", rng.random((h, w))), ("smooth", smooth)):
        path = os.path.join(tmp, "%s.npy" % kind)
        np.save(path, f)
        for order in (1, 2):
            outdir = os.path.join(tmp, "g%s%d" % (kind, order))
            run_imgrad(exe, ["--edge-order", str(order), "--dx", "0.25", "--dy", "-3"],
                       [path], outdir)
            compare("%s dx/dy edge%d" % (kind, order), load_outputs(outdir, kind),
                    f, (-3.0, 0.25), order, False)
        x = np.cumsum(rng.uniform(0.2, 2.0, w))
        y = np.cumsum(rng.uniform(0.5, 1.5, h))
        np.savetxt(os.path.join(tmp, "x.txt"), x)
        np.save(os.path.join(tmp, "y.npy"), y)
        for order in (1, 2):
            outdir = os.path.join(tmp, "c%s%d" % (kind, order))
            run_imgrad(exe, ["--edge-order", str(order), "--x-coords", os.path.join(tmp, "x.txt"),
                             "--y-coords", os.path.join(tmp, "y.npy")], [path], outdir)
            out = load_outputs(outdir, kind)
            xs = np.loadtxt(os.path.join(tmp, "x.txt"))
            compare("%s coords edge%d" % (kind, order), out, f, (y, xs), order, False)
            exact_rounding("%s coords edge%d" % (kind, order), out, f, (y, xs), order)


SKIMAGE_DATA = "/usr/lib/python3/dist-packages/skimage/data"
HELD_OUT = ["coins.png", "moon.png", "motorcycle_left.png", "ihc.png", "hubble_deep_field.jpg"]


def held_out(tmp):
    """Photos that are not in assets/ (scikit-image's sample data, from
    Debian's python3-skimage), as 8-bit PNGs and 16-bit PNGs with noise in
    the low byte so that all 16 bits matter."""
    rng = np.random.default_rng(7)
    paths = []
    for name in HELD_OUT:
        img = cv2.imread(os.path.join(SKIMAGE_DATA, name), cv2.IMREAD_UNCHANGED)
        if img is None:
            continue
        stem = "held_" + os.path.splitext(name)[0]
        paths.append(os.path.join(tmp, stem + ".png"))
        cv2.imwrite(paths[-1], img)
        wide = img.astype(np.uint16) * 256 + rng.integers(0, 256, img.shape, dtype=np.uint16)
        paths.append(os.path.join(tmp, stem + "16.png"))
        cv2.imwrite(paths[-1], wide)
    return paths


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--imgrad", default="build/imgrad")
    ap.add_argument("--held-out", action="store_true",
                    help="also check photos from scikit-image's data that are not in assets/")
    ap.add_argument("images", nargs="*")
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        images = a.images + (held_out(tmp) if a.held_out else [])
        photos(os.path.abspath(a.imgrad), images, tmp)
        grids(os.path.abspath(a.imgrad), tmp)
    print("crosscheck: %d failed" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
