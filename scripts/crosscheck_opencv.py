#!/usr/bin/python3
"""Cross-checks imgrad's convolution operators, --compat skimage and Canny
edges against OpenCV and scikit-image (Debian's python3-opencv 4.6 and
python3-skimage 0.19; run with /usr/bin/python3).

For every photo given:
  1. sobel / scharr gx and gy (.npy) against cv2.Sobel(ksize=3) / 8 and
     cv2.Scharr / 32 for the borders reflect101, reflect, replicate and
     constant (0): max |difference| <= 1e-5 * max |reference|.  Both sides
     read the same grey array (imgrad's own gray.npy), so grey conversion is
     not in question.
  2. colour photos: --compat skimage --outputs magnitude against
     skimage.filters.sobel(rgb2gray(photo)): max |difference| <= 1e-4
     (a JPEG is first decoded by skimage and stored as PNG for both).
  3. Canny: the photo made grey by OpenCV (Rec.601, uint8), given to both:
     imgrad --operator sobel --border replicate --outputs edges --low L
     --high H against cv2.Canny(u8, 2040 L, 2040 H, L2gradient=True):
     F1 >= 0.9 pixel for pixel, for a few threshold pairs and for the pair
     imgrad chooses automatically (read from -v).

--derive DIR also writes and checks crops and rescales of each photo (held-out
variants: other sizes, odd widths, resampled texture).
Exit status 0 when every check holds, 1 otherwise.
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile

import cv2
import numpy as np
from skimage import io as skio
from skimage.color import rgb2gray
from skimage.filters import sobel as sk_sobel

BORDERS = {
    "reflect101": cv2.BORDER_REFLECT_101,
    "reflect": cv2.BORDER_REFLECT,
    "replicate": cv2.BORDER_REPLICATE,
    "constant": cv2.BORDER_CONSTANT,
}
CANNY_PAIRS = [(0.05, 0.1), (0.1, 0.2), (0.02, 0.08)]
FAILED = []


def run(imgrad, *args):
    """Runs imgrad; --overwrite because runs with other settings reuse
    output folders, which a resumed run would otherwise leave as they were."""
    res = subprocess.run([imgrad, "--overwrite", *args], capture_output=True, text=True)
    if res.returncode != 0:
        raise RuntimeError(f"imgrad {' '.join(args)}: {res.stderr.strip()}")
    return res.stderr


def check(ok, what):
    print(("ok    " if ok else "FAIL  ") + what)
    if not ok:
        FAILED.append(what)


def stem(path):
    return os.path.splitext(os.path.basename(path))[0]


def cv_reference(gray, op, border):
    if op == "sobel":
        gx = cv2.Sobel(gray, cv2.CV_32F, 1, 0, ksize=3, borderType=border) / 8
        gy = cv2.Sobel(gray, cv2.CV_32F, 0, 1, ksize=3, borderType=border) / 8
    else:
        gx = cv2.Scharr(gray, cv2.CV_32F, 1, 0, borderType=border) / 32
        gy = cv2.Scharr(gray, cv2.CV_32F, 0, 1, borderType=border) / 32
    return gx, gy


def check_opencv_parity(imgrad, photo, tmp):
    out = os.path.join(tmp, "parity")
    for op in ("sobel", "scharr"):
        for name, border in BORDERS.items():
            run(imgrad, "-q", "-o", out, "--format", "npy", "--operator", op,
                "--border", name, "--border-value", "0",
                "--outputs", "gray,gx,gy", photo)
            s = stem(photo)
            gray = np.load(os.path.join(out, s + ".gray.npy"))
            want = cv_reference(gray, op, border)
            for axis, ref in zip(("gx", "gy"), want):
                got = np.load(os.path.join(out, f"{s}.{axis}.npy"))
                err = np.abs(got - ref).max() / max(np.abs(ref).max(), 1e-30)
                check(got.shape == ref.shape and err <= 1e-5,
                      f"{s}: {op} {name} {axis}: max err {err:.2e} of max |value|")


def check_skimage(imgrad, photo, tmp):
    img = skio.imread(photo)
    if img.ndim != 3:
        return
    out = os.path.join(tmp, "skimage")
    src = photo
    if not photo.lower().endswith(".png"):
        # JPEG decoders differ (stb_image vs libjpeg: up to 4e-3 here), so
        # both sides read the pixels skimage decoded, stored losslessly
        src = os.path.join(tmp, stem(photo) + "-decoded.png")
        skio.imsave(src, img, check_contrast=False)
    run(imgrad, "-q", "-o", out, "--format", "npy", "--compat", "skimage",
        "--outputs", "magnitude", src)
    got = np.load(os.path.join(out, stem(src) + ".magnitude.npy"))
    ref = sk_sobel(rgb2gray(img[..., :3]))
    err = np.abs(got - ref).max()
    check(err <= 1e-4, f"{stem(photo)}: --compat skimage magnitude: max |diff| {err:.2e}")


def f1(a, b):
    tp = np.count_nonzero(a & b)
    fp = np.count_nonzero(a & ~b)
    fn = np.count_nonzero(~a & b)
    return 1.0 if tp + fp + fn == 0 else 2 * tp / (2 * tp + fp + fn)


def check_canny(imgrad, photo, tmp):
    u8 = cv2.imread(photo, cv2.IMREAD_GRAYSCALE)
    grey = os.path.join(tmp, stem(photo) + "-grey.png")
    cv2.imwrite(grey, u8)
    out = os.path.join(tmp, "canny")
    args = ["-o", out, "--format", "npy", "--operator", "sobel", "--border",
            "replicate", "--sigma", "0", "--outputs", "edges"]
    log = run(imgrad, "-v", *args, grey)
    m = re.search(r"low ([0-9.eE+-]+) high ([0-9.eE+-]+)", log)
    pairs = CANNY_PAIRS + [(float(m.group(1)), float(m.group(2)))]
    for i, (low, high) in enumerate(pairs):
        run(imgrad, "-q", *args, "--low", repr(low), "--high", repr(high), grey)
        got = np.load(os.path.join(out, stem(grey) + ".edges.npy")) > 0
        ref = cv2.Canny(u8, 2040 * low, 2040 * high, L2gradient=True) > 0
        score = f1(got, ref)
        tag = " (automatic)" if i == len(pairs) - 1 else ""
        check(score >= 0.9, f"{stem(photo)}: canny low {low:.4g} high {high:.4g}{tag}: "
              f"F1 {score:.4f} ({np.count_nonzero(ref)} OpenCV edge pixels)")


def derive(photo, folder):
    """Held-out variants: a 0.7x area rescale and an odd-sized off-centre crop."""
    img = cv2.imread(photo, cv2.IMREAD_UNCHANGED)
    h, w = img.shape[:2]
    small = cv2.resize(img, (int(w * 0.7), int(h * 0.7)), interpolation=cv2.INTER_AREA)
    crop = img[h // 7: h // 7 + (2 * h) // 3 | 1, w // 5: w // 5 + (3 * w) // 5 | 1]
    paths = []
    for tag, im in (("x0.7", small), ("crop", crop)):
        p = os.path.join(folder, f"{stem(photo)}-{tag}.png")
        cv2.imwrite(p, im)
        paths.append(p)
    return paths


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--imgrad", default="build/imgrad")
    ap.add_argument("--derive", action="store_true",
                    help="also check a rescale and a crop of each photo")
    ap.add_argument("photos", nargs="+")
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        photos = list(a.photos)
        if a.derive:
            for p in a.photos:
                photos += derive(p, tmp)
        for p in photos:
            check_opencv_parity(a.imgrad, p, tmp)
            check_skimage(a.imgrad, p, tmp)
            check_canny(a.imgrad, p, tmp)
    print(f"crosscheck-opencv: {len(FAILED)} failed")
    return 1 if FAILED else 0


if __name__ == "__main__":
    sys.exit(main())
