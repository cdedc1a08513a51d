#!/usr/bin/python3
"""Writes small seed inputs for the fuzzers in fuzz/ into OUTDIR/<harness>/.

Seeds are small so that libFuzzer mutates them quickly: thumbnails of the
photos in assets/ in every format imgrad decodes, .npy arrays of every dtype
and order it takes (and some it refuses), coordinate files, and formulas
for `imgrad field`.

Usage: fuzz_seeds.py ASSETS_DIR OUTDIR
"""
import io
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np
from PIL import Image


def save(folder, name, data):
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)


def image_bytes(img, fmt, **kw):
    buf = io.BytesIO()
    img.save(buf, fmt, **kw)
    return buf.getvalue()


def npy_bytes(a, fortran=False):
    buf = io.BytesIO()
    np.save(buf, np.asfortranarray(a) if fortran else a)
    return buf.getvalue()


def hdr_bytes(a):
    """A tiny Radiance HDR file, uncompressed RGBE scanlines."""
    h, w = a.shape
    head = b"#?RADIANCE\nFORMAT=32-bit_rle_rgbe\n\n-Y %d +X %d\n" % (h, w)
    m, e = np.frexp(a)
    rgbe = np.zeros((h, w, 4), np.uint8)
    rgbe[..., 0:3] = (m * 256).clip(0, 255).astype(np.uint8)[..., None]
    rgbe[..., 3] = np.where(a > 0, e + 128, 0).astype(np.uint8)
    return head + rgbe.tobytes()


def load_seeds(assets, out):
    for name in sorted(os.listdir(assets)):
        if not name.endswith(".png"):
            continue
        stem = name[:-4]
        img = Image.open(os.path.join(assets, name)).convert("RGB")
        img.thumbnail((24, 24))
        grey = img.convert("L")
        save(out, stem + ".png", image_bytes(img, "PNG"))
        save(out, stem + ".gray.png", image_bytes(grey, "PNG"))
        save(out, stem + ".rgba.png", image_bytes(img.convert("RGBA"), "PNG"))
        save(out, stem + ".jpg", image_bytes(img, "JPEG", quality=80))
        save(out, stem + ".prog.jpg", image_bytes(img, "JPEG", progressive=True))
        save(out, stem + ".gif", image_bytes(img.convert("P"), "GIF"))
        save(out, stem + ".bmp", image_bytes(img, "BMP"))
        save(out, stem + ".tga", image_bytes(img, "TGA"))
        save(out, stem + ".rle.tga", image_bytes(img, "TGA", compression="tga_rle"))
        save(out, stem + ".ppm", image_bytes(img, "PPM"))
        save(out, stem + ".pgm", image_bytes(grey, "PPM"))
        g16 = np.asarray(grey, np.uint16) * 257
        save(out, stem + ".16.png", image_bytes(Image.fromarray(g16, "I;16"), "PNG"))
        save(out, stem + ".hdr", hdr_bytes(np.asarray(grey, np.float64) / 255))
        format_seeds(out, stem, img, grey, g16)
    a = np.arange(12, dtype=np.float32).reshape(3, 4)
    save(out, "small.npy", npy_bytes(a))


def format_seeds(out, stem, img, grey, g16):
    """TIFF (libtiff), WebP (libwebp) and HEIF (libheif) seeds: the layouts
    and codecs each decoder has paths for."""
    save(out, stem + ".tif", image_bytes(img, "TIFF"))
    save(out, stem + ".lzw.tif", image_bytes(img, "TIFF", compression="tiff_lzw"))
    save(out, stem + ".zip.gray.tif", image_bytes(grey, "TIFF", compression="tiff_adobe_deflate"))
    save(out, stem + ".jpeg.tif", image_bytes(img, "TIFF", compression="jpeg"))
    save(out, stem + ".pages.tif", image_bytes(img, "TIFF", save_all=True, append_images=[grey]))
    save(out, stem + ".16.tif", image_bytes(Image.fromarray(g16, "I;16"), "TIFF"))
    f32 = np.asarray(grey, np.float32) / 255 - 0.5
    save(out, stem + ".f32.tif", image_bytes(Image.fromarray(f32, "F"), "TIFF"))
    save(out, stem + ".palette.tif", image_bytes(img.convert("P"), "TIFF"))
    save(out, stem + ".lossless.webp", image_bytes(img, "WEBP", lossless=True))
    save(out, stem + ".lossy.webp", image_bytes(img.convert("RGBA"), "WEBP", quality=70))
    exif = Image.Exif()
    exif[0x0112] = 6  # an EXIF chunk (VP8X container) with an orientation
    save(out, stem + ".exif.webp", image_bytes(img, "WEBP", quality=50, exif=exif.tobytes()))
    heif_enc = shutil.which("heif-enc")
    if heif_enc is None:
        print("fuzz_seeds.py: no heif-enc (libheif-examples): no HEIF seeds", file=sys.stderr)
        return
    with tempfile.TemporaryDirectory() as tmp:
        img.save(os.path.join(tmp, "in.png"))
        for name, args in [(".heic", []), (".avif", ["-A"])]:
            dst = os.path.join(tmp, "out" + name)
            if subprocess.run([heif_enc, "-q", "50"] + args + ["-o", dst, os.path.join(tmp, "in.png")],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode == 0:
                with open(dst, "rb") as f:
                    save(out, stem + name, f.read())


def npy_seeds(out):
    a = (np.arange(20).reshape(4, 5) * 3 - 7)
    for dt in ["<f4", "<f8", "u1", "<u2", "<i2", "i1", "<i4", "<i8"]:
        save(out, "a_%s.npy" % dt.strip("<"), npy_bytes(a.astype(dt)))
    save(out, "fortran.npy", npy_bytes(a.astype("<f4"), fortran=True))
    save(out, "vector.npy", npy_bytes(np.linspace(0, 1, 7)))
    save(out, "rank3.npy", npy_bytes(np.zeros((2, 2, 2), np.float32)))
    save(out, "complex.npy", npy_bytes(np.zeros((2, 2), np.complex64)))
    save(out, "bigendian.npy", npy_bytes(np.zeros((2, 2), ">f4")))
    v2 = bytearray(npy_bytes(a.astype("<f4")))
    # the same array as version 2.0: a 4-byte header length
    hlen = int.from_bytes(v2[8:10], "little")
    save(out, "v2.npy", b"\x93NUMPY\x02\x00" + (hlen + 2).to_bytes(4, "little")
         + bytes(v2[10:10 + hlen]) + b"  " + bytes(v2[10 + hlen:]))


def coords_seeds(out):
    save(out, "spaces.txt", b"0 1 2.5 4 8\n")
    save(out, "commas.txt", b"# x positions\n0, 0.5, 1e-3,\n-2, 3\n")
    save(out, "special.txt", b"nan inf -inf 0x1p3 1e400\n")
    save(out, "vector.npy", npy_bytes(np.linspace(0, 1, 5)))
    save(out, "column.npy", npy_bytes(np.arange(4, dtype="<i4").reshape(4, 1)))


def expr_seeds(out):
    formulas = ["x", "x^2 + y^2", "sin(x) * cos(y)", "-x^2", "2^-1", "x ** y",
                "atan2(y, x) + hypot(x, y)", "exp(-(x*x + y*y) / 2)", "log(abs(x) + 1e-3)",
                "min(x, y) - max(x, pow(y, 3))", "sqrt(x) / (y - 1)", "((((x))))",
                "floor(x) + ceil(y) + pi * e", "tanh(x) + asin(y / 2) + log10(1.5e3)"]
    for i, f in enumerate(formulas):
        save(out, "f%02d.txt" % i, f.encode())


def main():
    assets, outdir = sys.argv[1], sys.argv[2]
    load_seeds(assets, os.path.join(outdir, "load"))
    npy_seeds(os.path.join(outdir, "npy"))
    coords_seeds(os.path.join(outdir, "coords"))
    expr_seeds(os.path.join(outdir, "expr"))


if __name__ == "__main__":
    main()
