#!/usr/bin/python3
"""Fixtures and independent checks for tests/cli/test_cli_formats.sh.

  formats_helper.py make DIR PHOTO   writes test images into DIR from PHOTO
  formats_helper.py check NAME ARGS  one check; exit 0 if it holds, else 1
                                     with the reason on stderr

Images are written by PIL (TIFF, WebP) and numpy; float TIFFs are read back
by a few lines of numpy below, not by imgrad or tifffile.
"""
import struct
import sys

import numpy as np
from PIL import Image


def make(out, photo):
    rgb = Image.open(photo).convert("RGB")
    rgb.save(out + "/photo.png")
    # 16-bit grey: a ramp over the whole range, values > 32767 included
    h, w = 48, 64
    a = ((np.arange(h * w).reshape(h, w) * 21.3) % 65536).astype(np.uint16)
    Image.fromarray(a, "I;16").save(out + "/gray16.tif")
    np.save(out + "/gray16.values.npy", a)
    # three RGB pages of different content, and each page as a PNG
    pages = [rgb, rgb.transpose(Image.FLIP_LEFT_RIGHT), rgb.rotate(180)]
    pages[0].save(out + "/multi.tif", save_all=True, append_images=pages[1:],
                  compression="tiff_lzw")
    for i, p in enumerate(pages):
        p.save(out + "/page%d.png" % i)
    rgb.save(out + "/photo_jpeg.tif", compression="jpeg", quality=90)
    rgb.save(out + "/photo_lossless.webp", lossless=True, exact=True)
    rgb.save(out + "/photo_lossy.webp", quality=90)
    # EXIF orientation 6 (turn a quarter clockwise) in a WebP, and upright
    exif = Image.Exif()
    exif[0x0112] = 6
    rgb.save(out + "/rot6.webp", lossless=True, exif=exif.tobytes())
    rgb.transpose(Image.ROTATE_270).save(out + "/rot6_upright.png")
    # red beside a green of the same Rec.601 luma (0.299 * 255 = 0.587 g)
    iso = np.zeros((32, 48, 3), np.uint8)
    iso[:, :24, 0] = 255
    iso[:, 24:, 1] = round(255 * 0.299 / 0.587)
    Image.fromarray(iso).save(out + "/isoluminant.png")
    # a 16-bit RGB PNG for a 10-bit HEIC
    rgb16 = (np.asarray(rgb, np.uint16) * 257)
    Image.fromarray(rgb16[..., 0], "I;16").save(out + "/red16.png")


def read_float_tiff(path):
    """An uncompressed little-endian float32 TIFF: (H, W) or (H, W, C)."""
    data = open(path, "rb").read()
    if data[:4] != b"II*\x00":
        raise ValueError("not a little-endian TIFF")
    ifd = struct.unpack_from("<I", data, 4)[0]
    n = struct.unpack_from("<H", data, ifd)[0]
    tags = {}
    for k in range(n):
        tag, typ, count, value = struct.unpack_from("<HHII", data, ifd + 2 + 12 * k)
        if typ == 3 and count == 1:
            value &= 0xFFFF
        tags[tag] = (typ, count, value)

    def array(tag):
        typ, count, value = tags[tag]
        size = 2 if typ == 3 else 4
        if count * size <= 4:
            raw = struct.pack("<I", value)[:count * size]
        else:
            raw = data[value:value + count * size]
        return list(struct.unpack("<%d%s" % (count, "H" if size == 2 else "I"), raw))

    w, h = tags[256][2], tags[257][2]
    spp = tags[277][2] if 277 in tags else 1
    assert tags[259][2] == 1, "compressed"
    assert array(258) == [32] * spp and array(339) == [3] * spp, "not float32"
    raw = b"".join(data[o:o + c] for o, c in zip(array(273), array(279)))
    a = np.frombuffer(raw, "<f4").reshape(h, w, spp)
    return a[..., 0] if spp == 1 else a


def grey(path):
    return np.load(path)


def check(name, args):
    if name == "equal":            # two .npy arrays, bit for bit
        a, b = np.load(args[0]), np.load(args[1])
        return a.shape == b.shape and a.tobytes() == b.tobytes(), "differ"
    if name == "gray16":           # grey .npy == values / 65535 in float32
        g, v = np.load(args[0]), np.load(args[1])
        want = (v / 65535.0).astype(np.float32)
        return np.array_equal(g, want), "max diff %g" % np.abs(g - want).max()
    if name == "close":            # max |a - b| <= tol, mean <= tol / 10
        a, b, tol = np.load(args[0]), np.load(args[1]), float(args[2])
        d = np.abs(a.astype(np.float64) - b)
        return d.max() <= tol and d.mean() <= tol / 10, "max %g mean %g" % (d.max(), d.mean())
    if name == "levels16":         # a 16-bit PNG with more than 256 levels
        im = Image.open(args[0])
        a = np.asarray(im)
        n = len(np.unique(a))
        return im.mode.startswith("I") and n > 256, "mode %s, %d levels" % (im.mode, n)
    if name == "tiff_is_npy":      # float TIFF == .npy bit for bit
        t, a = read_float_tiff(args[0]), np.load(args[1])
        return t.shape == a.shape and t.tobytes() == a.tobytes(), "shape %s vs %s" % (t.shape, a.shape)
    if name == "tiff_pil":         # PIL reads the grey float TIFF as the .npy
        t, a = np.asarray(Image.open(args[0])), np.load(args[1])
        return t.dtype == np.float32 and np.array_equal(t, a), "PIL read %s" % t.dtype
    if name == "channels_gx":      # gx of each channel == numpy.gradient
        rgb = np.asarray(Image.open(args[0]).convert("RGB"), np.float64) / 255
        want = np.stack([np.gradient(rgb[..., c], axis=1) for c in range(3)], -1)
        got = np.load(args[1])
        return (got.shape == want.shape and np.array_equal(got, want.astype(np.float32)),
                "shape %s, max diff %g" % (got.shape, np.abs(got - want).max()))
    if name == "max_above":        # max of .npy > threshold
        a = np.load(args[0])
        return a.max() > float(args[1]), "max %g" % a.max()
    if name == "max_below":
        a = np.load(args[0])
        return a.max() < float(args[1]), "max %g" % a.max()
    if name == "rgb_png":          # an 8-bit RGB PNG
        im = Image.open(args[0])
        return im.mode == "RGB", "mode %s" % im.mode
    raise SystemExit("unknown check " + name)


def main():
    if sys.argv[1] == "make":
        make(sys.argv[2], sys.argv[3])
        return 0
    ok, why = check(sys.argv[2], sys.argv[3:])
    if not ok:
        print(why, file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
