"""Writes hostile and broken input files into a folder, for
tests/cli/test_cli_hostile.sh.  Standard library only, deterministic.

Usage: hostile_inputs.py SOURCES_DIR OUT_DIR
SOURCES_DIR holds good files to cut short: src.png, src.jpg, src.bmp,
src.tga and src.npy (written by imgrad itself), and a progressive JPEG
src.prog.jpg (tests/corpus/load/progressive.jpg); and when present src.tiff
(16-bit) and src.f.tiff (float32, both imgrad's), src.webp (cwebp) and
src.heic (heif-enc).  Every file written is bad:
imgrad must refuse each one.
"""
import os
import random
import struct
import sys
import zlib


def put(out, name, data):
    with open(os.path.join(out, name), "wb") as f:
        f.write(data)


def chunk(kind, body):
    return (struct.pack(">I", len(body)) + kind + body
            + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF))


def png(width, height, rows=b""):
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr)
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def gif(width, height):
    """A valid grey GIF: 8-bit codes, a clear code before every 254 pixels
    so the code width stays 9 bits."""
    pixels = bytes((x * 7 + y * 3) & 0xFF for y in range(height) for x in range(width))
    codes = []
    for i in range(0, len(pixels), 254):
        codes.append(256)
        codes.extend(pixels[i:i + 254])
    codes.append(257)
    acc = nbits = 0
    data = bytearray()
    for c in codes:
        acc |= c << nbits
        nbits += 9
        while nbits >= 8:
            data.append(acc & 0xFF)
            acc >>= 8
            nbits -= 8
    if nbits:
        data.append(acc)
    blocks = b"".join(bytes([len(data[i:i + 255])]) + data[i:i + 255]
                      for i in range(0, len(data), 255))
    palette = b"".join(bytes([i, i, i]) for i in range(256))
    return (b"GIF89a" + struct.pack("<HHBBB", width, height, 0xF7, 0, 0) + palette
            + b"\x2c" + struct.pack("<HHHHB", 0, 0, width, height, 0)
            + b"\x08" + blocks + b"\x00\x3b")


def gif_screen(width, height):
    return (b"GIF89a" + struct.pack("<HHBBB", width, height, 0, 0, 0)
            + b"\x2c" + struct.pack("<HHHHB", 0, 0, width, height, 0)
            + b"\x08\x02\x4c\x01\x00\x3b")


def jpeg_sof(width, height):
    """SOI, a baseline frame header of the given size, EOI: no tables."""
    sof = b"\xff\xc0" + struct.pack(">HBHHB", 11, 8, height, width, 1) + b"\x01\x11\x00"
    return b"\xff\xd8" + sof + b"\xff\xd9"


def bmp(width, height, bpp=24, pixels=b""):
    header = struct.pack("<IiiHHIIiiII", 40, width, height, 1, bpp, 0, len(pixels),
                         2835, 2835, 0, 0)
    return (b"BM" + struct.pack("<IHHI", 14 + 40 + len(pixels), 0, 0, 54)
            + header + pixels)


def npy(descr, shape, data, fortran="False"):
    head = "{'descr': '%s', 'fortran_order': %s, 'shape': %s, }" % (descr, fortran, shape)
    head = head.encode()
    pad = 64 - (10 + len(head) + 1) % 64
    head += b" " * pad + b"\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(head)) + head + data


def truncations(out, sources):
    """Each good source cut short at several points."""
    with open(os.path.join(sources, "src.prog.jpg"), "rb") as f:
        put(out, "many_scans.jpg", many_scans(f.read()))
    for ext in ["png", "jpg", "bmp", "tga", "npy", "gif"]:
        path = os.path.join(sources, "src." + ext)
        if ext == "gif":
            data = gif(64, 48)
        else:
            with open(path, "rb") as f:
                data = f.read()
        n = len(data)
        for cut in sorted({1, 4, 12, 40, 100, n // 3, n // 2, n - 20, n - 1}):
            if 0 < cut < n:
                put(out, "cut%d.%s" % (cut, ext), data[:cut])


def format_truncations(out, sources):
    """TIFF, WebP and HEIF sources cut short, up to half their length (a TIFF
    written by imgrad keeps its directory at the end, a HEIF its boxes
    first: a cut past the middle may lose only what a decoder may skip)."""
    for name in ["src.tiff", "src.f.tiff", "src.webp", "src.heic"]:
        path = os.path.join(sources, name)
        if not os.path.exists(path):
            continue
        with open(path, "rb") as f:
            data = f.read()
        n = len(data)
        stem, _, ext = name[4:].rpartition(".")
        for cut in sorted({1, 4, 12, 40, 100, n // 3, n // 2}):
            if 0 < cut < n:
                put(out, "cut%d%s.%s" % (cut, "." + stem if stem else "", ext), data[:cut])
        if ext == "webp":  # the RIFF size and the VP8L header bytes flipped
            put(out, "flipped.webp", data[:20] + bytes(b ^ 0xFF for b in data[20:40]) + data[40:])
        if ext == "heic":  # the ftyp box kept, everything after it noise
            size = int.from_bytes(data[:4], "big")
            rng = random.Random(16)
            put(out, "noise_after_ftyp.heic",
                data[:size] + bytes(rng.randrange(256) for _ in range(600)))


def tiff(width, height, bits=8, strip_at=None, strip_bytes=None):
    """A little-endian grey TIFF header and directory; the pixels (zeros)
    follow unless strip_at points elsewhere."""
    entries = [(256, 4, 1, width), (257, 4, 1, height), (258, 3, 1, bits),
               (259, 3, 1, 1), (262, 3, 1, 1), (273, 4, 1, 0), (277, 3, 1, 1),
               (278, 4, 1, height), (279, 4, 1, 0)]
    ifd_size = 2 + 12 * len(entries) + 4
    pixels = width * height * bits // 8 if strip_bytes is None else strip_bytes
    at = 8 + ifd_size if strip_at is None else strip_at
    body = b""
    for tag, typ, count, value in entries:
        value = at if tag == 273 else min(pixels, 0xFFFFFFFF) if tag == 279 else value
        packed = struct.pack("<H", value) + b"\0\0" if typ == 3 else struct.pack("<I", value)
        body += struct.pack("<HHI", tag, typ, count) + packed
    data = b"II*\0" + struct.pack("<I", 8) + struct.pack("<H", len(entries)) + body + b"\0" * 4
    return data + (bytes(min(pixels, 1 << 16)) if strip_at is None else b"")


def tiled_tiff(width, height, tile):
    """A grey 8-bit TIFF of one tile of tile x tile pixels (data: 64 zeros)."""
    entries = [(256, 4, 1, width), (257, 4, 1, height), (258, 3, 1, 8), (259, 3, 1, 1),
               (262, 3, 1, 1), (277, 3, 1, 1), (322, 4, 1, tile), (323, 4, 1, tile),
               (324, 4, 1, 0), (325, 4, 1, 64)]
    data_at = 8 + 2 + 12 * len(entries) + 4
    body = b""
    for tag, typ, count, value in entries:
        value = data_at if tag == 324 else value
        packed = struct.pack("<H", value) + b"\0\0" if typ == 3 else struct.pack("<I", value)
        body += struct.pack("<HHI", tag, typ, count) + packed
    return (b"II*\0" + struct.pack("<I", 8) + struct.pack("<H", len(entries)) + body
            + b"\0" * 4 + bytes(64))


def format_headers(out):
    put(out, "huge.tif", tiff(100000, 100000))
    put(out, "zero.tif", tiff(0, 16))
    put(out, "bits3.tif", tiff(16, 16, bits=3))
    put(out, "strip_past_end.tif", tiff(16, 16, strip_at=1 << 30, strip_bytes=256))
    put(out, "short_strip.tif", tiff(64, 64, strip_bytes=64 * 64 - 100)[:-100])
    put(out, "magic_only.tif", b"II*\0")
    # a 16 x 16 image in one tile of 2^20 x 2^20 pixels (4 TiB of memory)
    put(out, "huge_tile.tif", tiled_tiff(16, 16, 1 << 20))
    put(out, "ifd_past_end.tif", b"MM\0*" + struct.pack(">I", 1 << 20))
    put(out, "riff_only.webp", b"RIFF\x04\0\0\0WEBP")
    put(out, "vp8l_header.webp", b"RIFF\x16\0\0\0WEBPVP8L\x0a\0\0\0\x2f\xff\xff\xff\x0f" + bytes(5))
    put(out, "ftyp_only.heic", struct.pack(">I", 24) + b"ftypheic\0\0\0\0mif1heic")
    put(out, "ftyp_only.avif", struct.pack(">I", 24) + b"ftypavif\0\0\0\0mif1avif")


def many_scans(jpeg):
    """A progressive JPEG with its last scan repeated until there are more
    than 500 scans: each is valid, together they would take minutes."""
    sos = jpeg.rfind(b"\xff\xda")
    if sos < 0:
        return None
    return jpeg[:sos] + jpeg[sos:-2] * 600 + b"\xff\xd9"


def headers(out):
    """Sizes: huge, zero, negative; broken .npy headers."""
    put(out, "huge.png", png(100000, 100000))
    put(out, "zero.png", png(0, 16))
    put(out, "over_int.png", png(0x80000000, 1))
    put(out, "huge.gif", gif_screen(65535, 65535))
    put(out, "zero.gif", gif_screen(0, 0))
    put(out, "huge.jpg", jpeg_sof(65500, 65500))
    put(out, "zero.jpg", jpeg_sof(16, 0))
    put(out, "huge.bmp", bmp(100000, 100000))
    put(out, "zero.bmp", bmp(0, 10))
    put(out, "negwidth.bmp", bmp(-16, 16, 24, bytes(16 * 16 * 3)))
    put(out, "minheight.bmp", bmp(16, -2 ** 31, 24, bytes(16 * 3)))
    put(out, "bigbpp.bmp", bmp(16, 16, 65535, bytes(64)))
    f4 = struct.pack("<4f", 1, 2, 3, 4)
    put(out, "rank3.npy", npy("<f4", "(1, 2, 2)", f4))
    put(out, "complex.npy", npy("<c8", "(2, 2)", f4 * 2))
    put(out, "shape_long.npy", npy("<f4", "(1000, 1000)", f4))
    put(out, "shape_huge.npy", npy("<f8", "(4294967296, 4294967296)", f4))
    put(out, "shape_zero.npy", npy("<f4", "(0, 4)", b""))
    put(out, "shape_neg.npy", npy("<f4", "(-2, 2)", f4))
    put(out, "scalar.npy", npy("<f4", "()", f4))
    put(out, "bigendian.npy", npy(">f4", "(2, 2)", f4))
    put(out, "object.npy", npy("|O", "(2, 2)", f4 * 2))
    put(out, "nodescr.npy", npy("<f4", "(2, 2)", f4).replace(b"descr", b"dexcr"))
    put(out, "badorder.npy", npy("<f4", "(2, 2)", f4, fortran="Maybe"))
    put(out, "unterminated.npy", b"\x93NUMPY\x01\x00\x10\x00{'descr': '")
    put(out, "hlen_past_end.npy", b"\x93NUMPY\x01\x00\xff\xff{'descr': '<f4'}")
    put(out, "version9.npy", b"\x93NUMPY\x09\x00" + npy("<f4", "(2, 2)", f4)[8:])
    put(out, "magic_only.npy", b"\x93NUMPY")


def noise(out):
    rng = random.Random(7)
    put(out, "empty.png", b"")
    put(out, "random.jpg", bytes(rng.randrange(256) for _ in range(4096)))
    put(out, "random_png_sig.png",
        b"\x89PNG\r\n\x1a\n" + bytes(rng.randrange(256) for _ in range(2048)))
    put(out, "random_jpeg_sig.jpg",
        b"\xff\xd8\xff" + bytes(rng.randrange(256) for _ in range(2048)))
    put(out, "text.png", b"this is not an image\n" * 10)


def main():
    sources, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    truncations(out, sources)
    format_truncations(out, sources)
    headers(out)
    format_headers(out)
    noise(out)


if __name__ == "__main__":
    main()
