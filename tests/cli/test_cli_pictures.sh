#!/bin/bash
# CLI tests of the pictures as a reader sees them: the field picture's SVG
# (XML, <text> elements large enough, vector shapes, the title whole or
# ellipsised, axis names apart from the tick labels), the same picture as
# PNG rendered by a browser (headless Chromium) and compared with imgrad's
# PNG, -o FILE, the error picture, the legend, and the photo pictures' keys.
SUITE=cli_pictures
. "$(dirname "$0")/testlib.sh"
A=$(cd "$(dirname "$0")/../../assets" && pwd)
PY=/usr/bin/python3   # the standard library only: xml.etree, struct
HILLS="exp(-((x-0.8)^2 + (y-0.5)^2)) + 0.7*exp(-((x+0.9)^2 + (y+0.6)^2)/0.5)"

# README's two-hills picture, as SVG and as PNG, named by -o
expect_status 0 "two hills svg" "$IMGRAD" field "$HILLS" --size 480 --arrows 14 \
    --label-levels -o "$TMP/hills.svg"
expect_file "$TMP/hills.svg"
expect_status 0 "two hills png" "$IMGRAD" field "$HILLS" --size 480 --arrows 14 \
    --label-levels -o "$TMP/hills.png"
expect_file "$TMP/hills.png"
expect_no_file "$TMP/imgrad-out"
# the descent path as SVG via --format svg into a folder
expect_status 0 "bowl svg" "$IMGRAD" field "x^2 + y^2" --descent 1.5,1 --steps 20 \
    --antigradient --size 480 --format svg -o "$TMP/bowl"
expect_file "$TMP/bowl/field.plot.svg"

# svg_check FILE TITLE: prints problems, one a line; nothing when all is well
svg_check() {
    "$PY" - "$1" "$2" <<'EOF'
import sys, xml.etree.ElementTree as ET
NS = "{http://www.w3.org/2000/svg}"
root = ET.parse(sys.argv[1]).getroot()          # raises on bad XML
width = float(root.get("width"))
texts = [(float(t.get("x")), float(t.get("y")), float(t.get("font-size")), t.text or "",
          t.get("text-anchor")) for t in root.iter(NS + "text")]
if not texts:
    print("no <text> elements")
small = min(t[2] for t in texts)
if small < 0.022 * width:
    print("smallest text %.2f px is below 2.2%% of %g" % (small, width))
for tag, least in (("path", 1), ("polygon", 10), ("image", 1)):
    if len(list(root.iter(NS + tag))) < least:
        print("fewer than %d <%s>" % (least, tag))
# the title: the largest text, its lines joined by spaces, whole or ellipsised
big = max(t[2] for t in texts)
title = " ".join(t[3] for t in texts if t[2] == big)
want = sys.argv[2]
if title != want and not (title.endswith("\u2026") and want.startswith(title[:-1].rstrip())):
    print("title %r is neither %r nor its start with an ellipsis" % (title, want))
# axis names: "x" a line below the x tick labels, "y" left of the y tick labels
ticks = [t for t in texts if t[2] == small and t[3] not in ("x", "y")]
xname = [t for t in texts if t[3] == "x"][0]
yname = [t for t in texts if t[3] == "y"][0]
xticks = [t for t in ticks if t[4] == "middle"]
yticks = [t for t in ticks if t[4] == "end"]
if not xticks or xname[1] - max(t[1] for t in xticks) < small:
    print("x label at y=%g is within a line of the x tick labels" % xname[1])
# advance widths in em of DejaVu Sans (python3-fonttools: hmtx / unitsPerEm)
EM = {".": 0.318, "-": 0.361, "e": 0.615, "y": 0.592}
def width(text, size):
    return size * sum(EM.get(c, 0.636) for c in text)   # digits: 0.636
gap = min(t[0] - width(t[3], small) for t in yticks) - (yname[0] + width("y", small)) \
      if yticks else -1
if gap < 0.2 * small:
    print("y label at x=%g is %.1f px from the y tick labels" % (yname[0], gap))
EOF
}
for f in "$TMP/hills.svg" "$TMP/bowl/field.plot.svg"; do
    title="f(x, y) = $HILLS"
    [ "$f" = "$TMP/bowl/field.plot.svg" ] && title="f(x, y) = x^2 + y^2"
    if "$PY" -c 1 2>/dev/null && svg_check "$f" "$title" >"$TMP/svgcheck" 2>&1 \
       && [ ! -s "$TMP/svgcheck" ]; then ok; else bad "$f: $(head -c 400 "$TMP/svgcheck")"; fi
done
expect_grep "<circle" "$TMP/bowl/field.plot.svg" "descent points as circles"

# the title at a width too small for it: ellipsised in the SVG, never cut
expect_status 0 "narrow" "$IMGRAD" field "$HILLS" --size 200 -o "$TMP/narrow.svg"
if grep -q "…</text>" "$TMP/narrow.svg"; then ok; else bad "narrow title has no ellipsis"; fi

# bad values and names: clear errors, nothing written
expect_status 2 "bad format" "$IMGRAD" field x --format pdf -o "$TMP/bad"
expect_grep "npy, png or svg" "$TMP/err" "format choices named"
expect_status 2 "bad arrow length" "$IMGRAD" field x --arrow-length long -o "$TMP/bad"
expect_grep "auto, unit or clip" "$TMP/err" "arrow length choices named"
expect_status 2 "file name with arrays" "$IMGRAD" field x --outputs f,plot -o "$TMP/f.svg"
expect_grep "file name" "$TMP/err" "file name message"
expect_no_file "$TMP/bad"
expect_no_file "$TMP/f.svg"
expect_status 1 "missing folder" "$IMGRAD" field x -o "$TMP/no/such/dir/p.png"
expect_grep "no/such/dir/p.png" "$TMP/err" "the file named"
IMGRAD_FONT=$TMP/none.ttf "$IMGRAD" field x -o "$TMP/nofont.png" >"$TMP/out" 2>"$TMP/err"
if [ $? -eq 1 ]; then ok; else bad "missing font: exit status"; fi
expect_grep "none.ttf: cannot load the font.*fonts-dejavu-core" "$TMP/err" "missing font message"
expect_no_file "$TMP/nofont.png"

# the error picture: a colour picture on an absolute log10 scale
expect_status 0 "error picture" "$IMGRAD" field "x^2 + y^2" --outputs error --format png \
    --size 320 -o "$TMP/e"
expect_file "$TMP/e/field.error.png"
expect_status 0 "error svg-less" "$IMGRAD" field "x^2 + y^2" --outputs error --format npy \
    -o "$TMP/e"
expect_file "$TMP/e/field.error.npy"

# the legend: PNG and SVG with its labels as text
expect_status 0 "legend svg" "$IMGRAD" legend -o "$TMP/key.svg" --scale 0.25
expect_grep ">+x</text>" "$TMP/key.svg" "legend +x label"
expect_grep ">+y (down)</text>" "$TMP/key.svg" "legend +y label"
expect_grep ">rim: 0.25 /px</text>" "$TMP/key.svg" "legend rim label"
expect_status 0 "legend png" "$IMGRAD" legend -o "$TMP/key.png"
expect_status 2 "legend bad name" "$IMGRAD" legend -o "$TMP/key.gif"
expect_grep ".svg" "$TMP/err" "legend names the choices"

# photo pictures with their options
expect_status 0 "photo pictures" "$IMGRAD" -o "$TMP/p" --outputs quiver,isolines,hsv,direction \
    --legend --arrow-length unit --isoline-sigma auto "$A/chelsea.png"
for p in quiver isolines hsv direction; do expect_file "$TMP/p/chelsea.$p.png"; done
expect_status 2 "bad sigma" "$IMGRAD" --isoline-sigma much --outputs isolines "$A/chelsea.png"
expect_grep "auto or 0..100" "$TMP/err" "sigma choices named"
expect_status 2 "bad mask" "$IMGRAD" --direction-mask 2 --outputs direction "$A/chelsea.png"

# gray_of PNG NPY: the grey values of PNG (0..1) into NPY, by imgrad itself
gray_of() {
    rm -rf "$TMP/g"
    "$IMGRAD" -q --format npy --outputs gray -o "$TMP/g" "$1" \
        && mv "$TMP/g/$(basename "${1%.*}").gray.npy" "$2"
}
# .npy files (float32, C order) read with struct
npy_py='
import sys, struct
def load(path):
    b = open(path, "rb").read()
    n = struct.unpack("<H", b[8:10])[0]
    head = b[10:10 + n].decode()
    shape = eval(head[head.index("(") : head.index(")") + 1])
    return shape, struct.unpack("<%df" % (shape[0] * shape[1]), b[10 + n:])
'
# compare A B BAND: same size; mean |difference|; rows of ink above BAND
compare_py="$npy_py"'
(h, w), a = load(sys.argv[1])
(h2, w2), b = load(sys.argv[2])
if (h, w) != (h2, w2):
    sys.exit("sizes differ: %dx%d and %dx%d" % (w, h, w2, h2))
mean = sum(abs(x - y) for x, y in zip(a, b)) / len(a)
def ink_rows(d, top):
    return sum(1 for r in range(top) if min(d[r * w:(r + 1) * w]) < 0.5)
band = int(sys.argv[3])
ra, rb = ink_rows(a, band), ink_rows(b, band)
print("mean |difference| %.4f, title rows %d and %d" % (mean, ra, rb))
if mean > 0.03 or abs(ra - rb) > 1:
    sys.exit("the browser shows another picture")
'

# the hsv picture with --legend differs from the plain one in the bottom
# right corner only (the wheel's box); direction is mid-grey where flat
"$IMGRAD" -q -o "$TMP/h0" --outputs hsv "$A/chelsea.png" \
    && gray_of "$TMP/h0/chelsea.hsv.png" "$TMP/hsv0.npy" \
    && gray_of "$TMP/p/chelsea.hsv.png" "$TMP/hsv1.npy"
if "$PY" -c "$npy_py"'
(h, w), a = load(sys.argv[1]); _, b = load(sys.argv[2])
diff = [(i % w, i // w) for i in range(h * w) if a[i] != b[i]]
x0 = min(x for x, y in diff); y0 = min(y for x, y in diff)
print("changed: %d pixels from (%d, %d) to the corner" % (len(diff), x0, y0))
sys.exit(not (diff and x0 > w / 2 and y0 > h / 2 and len(diff) > 0.02 * w * h))
' "$TMP/hsv0.npy" "$TMP/hsv1.npy" >"$TMP/cmp" 2>&1; then ok
else bad "hsv --legend: $(cat "$TMP/cmp")"; fi
"$IMGRAD" -q -o "$TMP/d0" --outputs direction --direction-mask 0 "$A/chelsea.png" \
    && gray_of "$TMP/d0/chelsea.direction.png" "$TMP/dir0.npy" \
    && gray_of "$TMP/p/chelsea.direction.png" "$TMP/dir1.npy"
if "$PY" -c "$npy_py"'
(h, w), a = load(sys.argv[1]); _, b = load(sys.argv[2])
grey = lambda d: sum(1 for v in d if abs(v * 255 - 128) < 0.01) / len(d)
print("mid-grey: %.3f unmasked, %.3f masked" % (grey(a), grey(b)))
sys.exit(not (grey(b) > grey(a) + 0.2))
' "$TMP/dir0.npy" "$TMP/dir1.npy" >"$TMP/cmp" 2>&1; then ok
else bad "direction mask: $(cat "$TMP/cmp")"; fi

# A browser renders the SVG like imgrad's PNG: headless Chromium's screenshot
# at the SVG's size against the PNG (grey levels).  Chromium comes from
# Debian (mk/pictures.mk installs it); without it this part is skipped.
if command -v chromium >/dev/null 2>&1; then
    size=$(sed -n 's/.*<svg [^>]* width="\([0-9]*\)" height="\([0-9]*\)".*/\1,\2/p' "$TMP/hills.svg")
    top=$(grep -o '<image x="[0-9]*" y="[0-9]*"' "$TMP/hills.svg" | head -1 | sed 's/.*y="//; s/"//')
    timeout 120 chromium --headless --no-sandbox --disable-gpu --hide-scrollbars \
        --user-data-dir="$TMP/chromium" --window-size="$size" \
        --screenshot="$TMP/shot.png" "file://$TMP/hills.svg" >"$TMP/chromium.log" 2>&1
    if [ -s "$TMP/shot.png" ] && gray_of "$TMP/shot.png" "$TMP/shot.npy" \
       && gray_of "$TMP/hills.png" "$TMP/hills.npy" \
       && "$PY" -c "$compare_py" "$TMP/shot.npy" "$TMP/hills.npy" "$top" >"$TMP/cmp" 2>&1
    then ok; echo "cli_pictures: browser vs PNG: $(cat "$TMP/cmp")"
    else bad "browser rendering: $(tail -c 300 "$TMP/cmp" "$TMP/chromium.log" 2>/dev/null)"; fi
else
    echo "cli_pictures: skipped: the headless browser comparison (chromium is not installed)"
fi

finish
