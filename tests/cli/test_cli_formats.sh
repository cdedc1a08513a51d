#!/bin/bash
# CLI tests of the formats of issue 16: TIFF, WebP, HEIC/AVIF inputs (written
# here by PIL, cwebp and libheif's heif-enc), pages, folders; --depth 16 and
# --format tiff outputs; pipes; --color luma, channels and dizenzo.
# Fixtures and independent checks: tests/cli/formats_helper.py (numpy, PIL).
SUITE=cli_formats
. "$(dirname "$0")/testlib.sh"
A=$(cd "$(dirname "$0")/../../assets" && pwd)
HELPER=$(cd "$(dirname "$0")" && pwd)/formats_helper.py
PY=/usr/bin/python3
if ! $PY -c 'import numpy, PIL' 2>/dev/null; then
    echo "$SUITE: needs $PY with numpy and PIL (make deps-python)" >&2
    exit 1
fi
for tool in heif-enc cwebp; do
    command -v $tool >/dev/null || { echo "$SUITE: needs $tool (make deps)" >&2; exit 1; }
done
AVIF=photo.avif
F=$TMP/f
mkdir -p "$F"
$PY "$HELPER" make "$F" "$A/chelsea.png" || bad "fixtures"
heif-enc -q 90 -o "$F/photo.heic" "$F/photo.png" >/dev/null 2>&1 || bad "heif-enc"
heif-enc -A -q 90 -o "$F/photo.avif" "$F/photo.png" >/dev/null 2>&1 || bad "heif-enc avif"
heif-enc -b 10 -q 90 -o "$F/red10.heic" "$F/red16.png" >/dev/null 2>&1 || bad "heif-enc 10-bit"
cwebp -quiet -lossless -exact -o "$F/photo_cwebp.webp" "$F/photo.png" 2>/dev/null || bad "cwebp"

# check NAME ARGS...: one helper check
check() { if $PY "$HELPER" check "$@" 2>"$TMP/why"; then ok; else bad "$1 ${*:2}: $(cat "$TMP/why")"; fi; }
# grey FILE OUT [OPTIONS]: the float32 grey of FILE into OUT/<stem>.gray.npy
grey() { local in=$1 out=$2; shift 2; run_ok "grey $in" /dev/null "$IMGRAD" -q -o "$out" --format npy --outputs gray "$@" "$in"; }

# ---- inputs
grey "$F/photo.png" "$TMP/g"
grey "$F/gray16.tif" "$TMP/g"
check gray16 "$TMP/g/gray16.gray.npy" "$F/gray16.values.npy"
for i in 0 1 2; do grey "$F/page$i.png" "$TMP/g"; done
grey "$F/multi.tif" "$TMP/g"                               # the first page
check equal "$TMP/g/multi.gray.npy" "$TMP/g/page0.gray.npy"
grey "$F/multi.tif" "$TMP/p2" --page 2
check equal "$TMP/p2/multi.gray.npy" "$TMP/g/page2.gray.npy"
expect_status 1 "page past the end" "$IMGRAD" -q -o "$TMP/p3" --page 3 "$F/multi.tif"
expect_grep "multi.tif: --page 3: no such page" "$TMP/err" "page message"
expect_status 2 "bad page" "$IMGRAD" --page x "$F/multi.tif"
expect_grep "expected a page number from 0" "$TMP/err" "bad page message"
for w in photo_lossless photo_cwebp; do
    grey "$F/$w.webp" "$TMP/g"
    check equal "$TMP/g/$w.gray.npy" "$TMP/g/photo.gray.npy"  # lossless: the same grey
done
grey "$F/rot6.webp" "$TMP/g"                                # EXIF orientation 6
grey "$F/rot6_upright.png" "$TMP/g"
check equal "$TMP/g/rot6.gray.npy" "$TMP/g/rot6_upright.gray.npy"
grey "$F/rot6.webp" "$TMP/stored" --no-orient
check equal "$TMP/stored/rot6.gray.npy" "$TMP/g/photo.gray.npy"
for f in photo_lossy.webp photo_jpeg.tif photo.heic $AVIF; do
    grey "$F/$f" "$TMP/l"
    check close "$TMP/l/${f%.*}.gray.npy" "$TMP/g/photo.gray.npy" 0.2
done
expect_status 0 "10-bit HEIC" "$IMGRAD" -v -o "$TMP/g" --format npy --outputs gray "$F/red10.heic"
expect_grep "red10.heic: 451x300, 3 channel" "$TMP/err" "10-bit HEIC decoded"
grey "$F/red16.png" "$TMP/g"
check close "$TMP/g/red10.gray.npy" "$TMP/g/red16.gray.npy" 0.2

# a folder of every new extension: one output each
D=$TMP/folder
mkdir -p "$D/sub"
cp "$F/gray16.tif" "$D/a.tif"; cp "$F/multi.tif" "$D/b.TIFF"; cp "$F/photo_lossy.webp" "$D/c.webp"
cp "$F/photo.heic" "$D/sub/d.heic"; cp "$F/photo.heic" "$D/e.heif"
[ -n "$AVIF" ] && cp "$F/photo.avif" "$D/f.avif"
expect_status 0 "folder" "$IMGRAD" -q -o "$TMP/fo" "$D"
for k in a b c sub/d e ${AVIF:+f}; do expect_file "$TMP/fo/$k.magnitude.png"; done

# ---- outputs: 16-bit pictures, float32 TIFF
expect_status 0 "depth 16" "$IMGRAD" -o "$TMP/d16" --depth 16 --outputs gray,gx,magnitude,direction,hsv "$F/photo.png"
for p in gray gx magnitude direction; do check levels16 "$TMP/d16/photo.$p.png"; done
check rgb_png "$TMP/d16/photo.hsv.png"                    # hsv stays 8-bit RGB
expect_status 0 "depth 16 tiff" "$IMGRAD" -o "$TMP/d16t" --depth 16 --format tiff --outputs magnitude "$F/photo.png"
expect_file "$TMP/d16t/photo.magnitude.tiff"
expect_status 2 "depth 16 jpg" "$IMGRAD" --depth 16 --format jpg "$F/photo.png"
expect_grep "only png and tiff" "$TMP/err" "depth message"
expect_status 2 "depth 12" "$IMGRAD" --depth 12 "$F/photo.png"
expect_status 0 "tiff" "$IMGRAD" -o "$TMP/t" --format tiff --outputs gray,gx,gy,magnitude,direction,quiver "$F/photo.png"
expect_status 0 "npy" "$IMGRAD" -o "$TMP/n" --format npy --outputs gray,gx,gy,magnitude,direction "$F/photo.png"
for p in gray gx gy magnitude direction; do
    check tiff_is_npy "$TMP/t/photo.$p.tiff" "$TMP/n/photo.$p.npy"
done
check tiff_pil "$TMP/t/photo.magnitude.tiff" "$TMP/n/photo.magnitude.npy"
expect_file "$TMP/t/photo.quiver.png"                     # pictures: PNG
if grep -aq "imgrad .*: magnitude of .*photo.png" "$TMP/t/photo.magnitude.tiff"; then ok; else bad "tiff description"; fi

# ---- pipes
expect_status 0 "file" "$IMGRAD" -q -o "$TMP/pf" "$F/photo.png"
"$IMGRAD" -o - - < "$F/photo.png" > "$TMP/piped.png" 2>"$TMP/err"; rc=$?
if [ $rc -eq 0 ] && cmp -s "$TMP/piped.png" "$TMP/pf/photo.magnitude.png"; then ok
else bad "stdin to stdout: exit $rc, bytes differ: $(head -c 300 "$TMP/err")"; fi
"$IMGRAD" -o - --format npy --outputs gx - < "$F/multi.tif" > "$TMP/piped.npy" 2>"$TMP/err"
"$IMGRAD" -q -o "$TMP/pn" --format npy --outputs gx "$F/multi.tif"
check equal "$TMP/piped.npy" "$TMP/pn/multi.gx.npy"
expect_status 0 "stdin to a folder" "$IMGRAD" -q -o "$TMP/ps" - < "$F/photo.heic"
expect_file "$TMP/ps/stdin.magnitude.png"
expect_status 2 "-o - two inputs" "$IMGRAD" -o - "$F/photo.png" "$F/page1.png"
expect_grep "one input file" "$TMP/err" "two inputs message"
expect_status 2 "-o - two products" "$IMGRAD" -o - --outputs gx,gy "$F/photo.png"
expect_grep "one product" "$TMP/err" "two products message"
expect_status 2 "-o - folder" "$IMGRAD" -o - "$D"
expect_no_file "./-"
if command -v script >/dev/null; then    # standard output on a terminal
    script -qec "'$IMGRAD' -o - '$F/photo.png'" /dev/null > "$TMP/tty.out" 2>&1; rc=$?
    if [ $rc -eq 2 ] && grep -q "standard output is a terminal" "$TMP/tty.out"; then ok
    else bad "-o - on a terminal: exit $rc, $(head -c 300 "$TMP/tty.out")"; fi
else
    skip "-o - on a terminal: no script(1)"
fi
printf 'junk' | "$IMGRAD" -o - - > "$TMP/junk.out" 2>"$TMP/err"; rc=$?
if [ $rc -eq 1 ] && [ ! -s "$TMP/junk.out" ] && grep -q "imgrad: standard input: " "$TMP/err"; then ok
else bad "junk on stdin: exit $rc, $(head -c 300 "$TMP/err")"; fi

# ---- colour
expect_status 0 "channels" "$IMGRAD" -o "$TMP/c" --format npy --color channels --outputs gx,magnitude "$F/photo.png"
check channels_gx "$F/photo.png" "$TMP/c/photo.gx.npy"
expect_status 0 "channels png" "$IMGRAD" -o "$TMP/cp" --color channels --outputs gx,gray "$F/photo.png"
check rgb_png "$TMP/cp/photo.gx.png"
expect_status 0 "channels tiff" "$IMGRAD" -o "$TMP/ct" --format tiff --color channels --outputs gx "$F/photo.png"
check tiff_is_npy "$TMP/ct/photo.gx.tiff" "$TMP/c/photo.gx.npy"
expect_status 2 "channels hsv" "$IMGRAD" --color channels --outputs hsv "$F/photo.png"
expect_grep "use --color luma or dizenzo" "$TMP/err" "channels hsv message"
expect_status 2 "bad colour" "$IMGRAD" --color rgb "$F/photo.png"
expect_grep "unknown value 'rgb' (choose luma, channels, dizenzo)" "$TMP/err" "colour message"
expect_status 2 "dizenzo l1" "$IMGRAD" --color dizenzo --norm l1 "$F/photo.png"
for mode in luma dizenzo; do
    expect_status 0 "isoluminant $mode" "$IMGRAD" -o "$TMP/iso_$mode" --format npy --color $mode \
        --operator sobel --outputs magnitude,edges --low 0.05 --high 0.1 "$F/isoluminant.png"
done
check max_below "$TMP/iso_luma/isoluminant.magnitude.npy" 0.002
check max_above "$TMP/iso_dizenzo/isoluminant.magnitude.npy" 0.4
check max_below "$TMP/iso_luma/isoluminant.edges.npy" 0.5     # luma Canny: no edge
check max_above "$TMP/iso_dizenzo/isoluminant.edges.npy" 0.5  # colour Canny: the edge
expect_status 0 "dizenzo pictures" "$IMGRAD" -o "$TMP/dz" --color dizenzo --outputs gray,hsv,quiver,edges "$F/photo.png"
for p in gray.png hsv.png quiver.png edges.png; do expect_file "$TMP/dz/photo.$p"; done

n=$(find "$TMP" -name '*.imgrad-tmp-*' | wc -l)
if [ "$n" -eq 0 ]; then ok; else bad "temporary files left: $n"; fi
finish
