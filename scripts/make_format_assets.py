#!/usr/bin/python3
"""Writes assets/formats/: small crops of the sample photos in every format
imgrad reads, so the loader tests need no Python.  Run once; the outputs are
committed.  Needs Debian's python3-opencv, python3-numpy and python3-pil.

Each file holds the same pixels as its PNG twin (lossless formats) or close
to them (JPEG, GIF palette, HDR's shared exponent), which tests/test_load.c
checks."""
import os
import struct
import sys

import cv2
import numpy as np
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
ASSETS = os.path.join(HERE, "..", "assets")
OUT = os.path.join(ASSETS, "formats")


def psd(path, img):
    """A minimal uncompressed PSD: header, empty sections, planar channels."""
    h, w = img.shape[:2]
    ch = 1 if img.ndim == 2 else img.shape[2]
    depth = img.dtype.itemsize * 8
    mode = 1 if ch == 1 else 3  # grey or RGB
    planes = img.reshape(h, w, ch).transpose(2, 0, 1)
    with open(path, "wb") as f:
        f.write(b"8BPS" + struct.pack(">H6xHIIHH", 1, ch, h, w, depth, mode))
        f.write(struct.pack(">III", 0, 0, 0))  # colour data, resources, layers
        f.write(struct.pack(">H", 0))  # raw, no compression
        f.write(planes.astype(">u%d" % img.dtype.itemsize).tobytes())


def main():
    os.makedirs(OUT, exist_ok=True)
    rgb = cv2.cvtColor(cv2.imread(os.path.join(ASSETS, "chelsea.png")), cv2.COLOR_BGR2RGB)
    rgb = np.ascontiguousarray(rgb[100:164, 180:276])  # 96x64, the cat's face
    grey = cv2.imread(os.path.join(ASSETS, "camera.png"), cv2.IMREAD_GRAYSCALE)
    grey = np.ascontiguousarray(grey[64:128, 192:288])
    bgr = cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR)

    cv2.imwrite(os.path.join(OUT, "cat.png"), bgr)
    cv2.imwrite(os.path.join(OUT, "cat16.png"), bgr.astype(np.uint16) * 257)
    cv2.imwrite(os.path.join(OUT, "cat.jpg"), bgr, [cv2.IMWRITE_JPEG_QUALITY, 95])
    cv2.imwrite(os.path.join(OUT, "cat.bmp"), bgr)
    cv2.imwrite(os.path.join(OUT, "cat.ppm"), bgr)
    Image.fromarray(rgb).save(os.path.join(OUT, "cat.tga"))
    psd(os.path.join(OUT, "cat.psd"), rgb)
    psd(os.path.join(OUT, "cat16.psd"), rgb.astype(np.uint16) * 257)
    cv2.imwrite(os.path.join(OUT, "cat.hdr"), bgr.astype(np.float32) / 255)
    cv2.imwrite(os.path.join(OUT, "camera.png"), grey)
    cv2.imwrite(os.path.join(OUT, "camera.pgm"), grey)
    cv2.imwrite(os.path.join(OUT, "camera16.pgm"), grey.astype(np.uint16) * 257)
    Image.fromarray(grey).save(os.path.join(OUT, "camera.gif"))
    # a grey + alpha PNG: alpha must be ignored
    ga = np.dstack([grey, np.full_like(grey, 7)])
    Image.fromarray(ga, "LA").save(os.path.join(OUT, "camera_alpha.png"))
    # numeric grids: the same grey values in several dtypes and orders
    np.save(os.path.join(OUT, "camera_u8.npy"), grey)
    np.save(os.path.join(OUT, "camera_f64_fortran.npy"), np.asfortranarray(grey / 255.0))
    np.save(os.path.join(OUT, "camera_i16.npy"), grey.astype(np.int16) - 128)
    return 0


if __name__ == "__main__":
    sys.exit(main())
