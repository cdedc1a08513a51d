#!/usr/bin/python3
"""Puts the same crop of several imgrad pictures side by side, each labelled
with its product name (DIR/<stem>.<product>.png), for README's strip:

    /usr/bin/python3 docs/strip.py OUT.png X,Y,W,H PICTURE...
"""
import sys
from PIL import Image, ImageDraw

out, box, paths = sys.argv[1], [int(v) for v in sys.argv[2].split(",")], sys.argv[3:]
x0, y0, w, h = box
GAP, LABEL = 4, 14
strip = Image.new("RGB", (len(paths) * (w + GAP) - GAP, h + LABEL), "white")
draw = ImageDraw.Draw(strip)
for i, p in enumerate(paths):
    im = Image.open(p).convert("RGB").crop((x0, y0, x0 + w, y0 + h))
    strip.paste(im, (i * (w + GAP), 0))
    draw.text((i * (w + GAP) + 2, h + 1), p.rsplit(".", 2)[-2], fill="black")
# 256 colours keep the file small; the strip is for the eye only
strip.quantize(256, dither=Image.Dither.NONE).save(out, optimize=True)
