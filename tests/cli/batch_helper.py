"""batch_helper.py - fixtures and independent checks for tests/cli/test_cli_batch.sh.

Run with Debian's /usr/bin/python3 (numpy, PIL, cv2).  Subcommands:
  exif SRC DIR          DIR/o<k>.jpg for k = 1..8: SRC's pixels stored so that
                        EXIF Orientation k shows them upright (PIL writes the tag)
  check-exif SRC DIR OUT  imgrad's grey .npy (or, when there is none, 8-bit .png)
                        of each DIR/o<k>.jpg (OUT/o<k>.gray.*) has SRC's upright
                        shape and content, as PIL's exif_transpose shows the JPEG
  check-luma DIR OUT    imgrad's grey .png of each DIR/o<k>.jpg is the JPEG's
                        luma plane as libjpeg decodes it (PIL's draft('L')),
                        within one level, turned upright
  stats CSV DIR         every row of CSV equals numpy's statistics of the
                        gx, gy, magnitude .npy files under DIR
  jsonl FILE N          FILE holds N JSON objects with the 8-bin orientation
  big DIR N SIZE        N smooth-plus-noise SIZE x SIZE PNGs
  decode-all DIR        every non-hidden output under DIR decodes completely
"""
import csv
import json
import os
import sys

import numpy as np
from PIL import Image, ImageOps

# PIL's transpose that shows orientation k upright, and its inverse (to store).
SHOW = {2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180,
        4: Image.Transpose.FLIP_TOP_BOTTOM, 5: Image.Transpose.TRANSPOSE,
        6: Image.Transpose.ROTATE_270, 7: Image.Transpose.TRANSVERSE,
        8: Image.Transpose.ROTATE_90}
STORE = {**SHOW, 6: Image.Transpose.ROTATE_90, 8: Image.Transpose.ROTATE_270}


def make_exif(src, out):
    upright = Image.open(src).convert("RGB")
    for k in range(1, 9):
        stored = upright.transpose(STORE[k]) if k > 1 else upright
        exif = Image.Exif()
        exif[0x0112] = k
        path = os.path.join(out, "o%d.jpg" % k)
        stored.save(path, quality=95, exif=exif.tobytes())
        # the fixture itself is right: PIL turns it back upright
        back = ImageOps.exif_transpose(Image.open(path))
        assert back.size == upright.size, (k, back.size)


def load_gray(stem):
    """imgrad's grey output STEM.npy, else STEM.png scaled to [0, 1]."""
    if os.path.exists(stem + ".npy"):
        return np.load(stem + ".npy").astype(np.float64)
    return np.asarray(Image.open(stem + ".png"), dtype=np.float64) / 255


def check_luma(jpegs, out):
    bad = 0
    for k in range(1, 9):
        pil = Image.open(os.path.join(jpegs, "o%d.jpg" % k))
        pil.draft("L", None)  # libjpeg's grey output: the Y plane, no RGB
        want = np.asarray(ImageOps.exif_transpose(pil), dtype=np.int64)
        got = np.asarray(Image.open(os.path.join(out, "o%d.gray.png" % k)), dtype=np.int64)
        # stb's and libjpeg's inverse DCTs round differently by one level at times
        if got.shape != want.shape or np.abs(got - want).max() > 1 \
                or np.mean(got != want) > 0.01:
            print("orientation %d: imgrad's grey is not the luma plane" % k)
            bad += 1
    return bad


def check_exif(src, jpegs, out):
    upright = np.asarray(Image.open(src).convert("L"), dtype=np.float64) / 255
    bad = 0
    for k in range(1, 9):
        got = load_gray(os.path.join(out, "o%d.gray" % k))
        pil = ImageOps.exif_transpose(Image.open(os.path.join(jpegs, "o%d.jpg" % k)))
        want = np.asarray(pil.convert("L"), dtype=np.float64) / 255
        if got.shape != upright.shape or got.shape != want.shape:
            print("orientation %d: shape %s, want %s" % (k, got.shape, upright.shape))
            bad += 1
            continue
        # JPEG decoders and grey rounding differ a little; a wrong turn differs a lot
        err = np.abs(got - want).mean()
        wrong = np.abs(got - np.flipud(want)).mean()
        if not (err < 0.02 and wrong > 5 * err):
            print("orientation %d: mean |imgrad - PIL| = %.4f (flipped %.4f)" % (k, err, wrong))
            bad += 1
    return bad


def bin_of(gx, gy):
    """The 45-degree bin of atan2(gy, gx) in [0, 360), by exact comparisons."""
    a = np.arctan2(gy.astype(np.float64), gx.astype(np.float64))
    a = np.where(a < 0, a + 2 * np.pi, a)
    bins = np.floor(a / (np.pi / 4)).astype(int) % 8
    # on an edge (|gx| == |gy| or an axis) the rounded angle may fall either side;
    # decide those exactly as the definition says: the edge belongs to the bin above
    diag = np.abs(gx) == np.abs(gy)
    bins = np.where(diag & (gx > 0) & (gy > 0), 1, bins)
    bins = np.where(diag & (gx < 0) & (gy > 0), 3, bins)
    bins = np.where(diag & (gx < 0) & (gy < 0), 5, bins)
    bins = np.where(diag & (gx > 0) & (gy < 0), 7, bins)
    bins = np.where((gy == 0) & (gx > 0), 0, bins)
    bins = np.where((gx == 0) & (gy > 0), 2, bins)
    bins = np.where((gy == 0) & (gx < 0), 4, bins)
    bins = np.where((gx == 0) & (gy < 0), 6, bins)
    return bins


def check_stats(table, out, threshold=0.1):
    bad = 0
    rows = list(csv.DictReader(open(table)))
    for row in rows:
        stem = os.path.splitext(os.path.basename(row["path"]))[0]
        m, gx, gy = (np.load(os.path.join(out, "%s.%s.npy" % (stem, p)))
                     for p in ("magnitude", "gx", "gy"))
        edge = m > np.float32(threshold)
        hist = np.bincount(bin_of(gx[edge], gy[edge]), minlength=8) / max(edge.sum(), 1)
        want = [m.shape[1], m.shape[0], m.astype(np.float64).mean(), np.median(m),
                np.percentile(m, 95), m.max(), edge.mean()] + list(hist)
        names = ["width", "height", "mean", "median", "p95", "max", "edge_density"] + \
            ["dir_%d" % (45 * b) for b in range(8)]
        for name, w in zip(names, want):
            g = float(row[name])
            if not np.isclose(g, float(w), rtol=1e-6, atol=1e-9):
                print("%s %s: imgrad %r, numpy %r" % (row["path"], name, g, float(w)))
                bad += 1
    return bad if rows else 1


def check_jsonl(path, n):
    rows = [json.loads(line) for line in open(path)]
    ok = len(rows) == n and all(len(r["orientation"]) == 8 and r["width"] > 0 for r in rows)
    return 0 if ok else 1


def make_big(out, n, size):
    rng = np.random.default_rng(5)
    y, x = np.mgrid[0:size, 0:size]
    for i in range(n):
        img = 128 + 100 * np.sin(x / (20.0 + i)) * np.cos(y / 31.0) + rng.normal(0, 8, (size, size))
        Image.fromarray(np.clip(img, 0, 255).astype(np.uint8)).save(
            os.path.join(out, "big%02d.png" % i), compress_level=1)


def decode_all(out):
    bad = count = 0
    for root, dirs, files in os.walk(out):
        for f in files:
            if f.startswith("."):
                continue
            count += 1
            path = os.path.join(root, f)
            try:
                if f.endswith(".npy"):
                    np.load(path)
                else:
                    Image.open(path).load()  # raises on truncated data
            except Exception as e:  # noqa: BLE001 - any failure is a finding
                print("%s: %s" % (path, e))
                bad += 1
    print("decoded %d outputs, %d bad" % (count, bad))
    return bad


def main(argv):
    cmd = argv[1]
    if cmd == "exif":
        make_exif(argv[2], argv[3])
        return 0
    if cmd == "check-exif":
        return check_exif(argv[2], argv[3], argv[4])
    if cmd == "check-luma":
        return check_luma(argv[2], argv[3])
    if cmd == "stats":
        return check_stats(argv[2], argv[3])
    if cmd == "jsonl":
        return check_jsonl(argv[2], int(argv[3]))
    if cmd == "big":
        make_big(argv[2], int(argv[3]), int(argv[4]))
        return 0
    if cmd == "decode-all":
        return decode_all(argv[2])
    return 2


if __name__ == "__main__":
    sys.exit(1 if main(sys.argv) else 0)
