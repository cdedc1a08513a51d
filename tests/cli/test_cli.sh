#!/bin/bash
# CLI tests of the main job: exit statuses, messages and output files.
SUITE=cli
. "$(dirname "$0")/testlib.sh"
A=$(cd "$(dirname "$0")/../../assets" && pwd)

expect_status 0 "help" "$IMGRAD" --help
expect_grep "Usage: imgrad" "$TMP/out" "help text"
expect_status 0 "version" "$IMGRAD" --version
expect_grep "imgrad [0-9]" "$TMP/out" "version text"
expect_status 2 "no input" "$IMGRAD"
expect_status 2 "unknown option" "$IMGRAD" --bogus "$A/camera.png"
expect_status 2 "bad product" "$IMGRAD" --outputs gx,nope "$A/camera.png"
expect_status 2 "bad edge order" "$IMGRAD" --edge-order 3 "$A/camera.png"
expect_status 2 "zero dx" "$IMGRAD" --dx 0 "$A/camera.png"

# default: magnitude PNG in imgrad-out/ of the working folder
(cd "$TMP" && "$IMGRAD" "$A/camera.png") ; expect_file "$TMP/imgrad-out/camera.magnitude.png"

# every product, both formats; negative spacing is a valid value
expect_status 0 "all products npy" "$IMGRAD" -o "$TMP/n" --format npy --dx -2 \
    --outputs gray,gx,gy,magnitude,direction "$A/chelsea.png"
for p in gray gx gy magnitude direction; do expect_file "$TMP/n/chelsea.$p.npy"; done
for f in png jpg bmp tga; do
    expect_status 0 "format $f" "$IMGRAD" -o "$TMP/f" --format $f --outputs gx "$A/brick.png"
    expect_file "$TMP/f/brick.gx.$f"
done

# a bad input among good ones: one line naming it, status 1, the others written
printf 'not an image' > "$TMP/bad.png"
expect_status 1 "bad input" "$IMGRAD" -o "$TMP/mix" "$A/camera.png" "$TMP/bad.png" "$A/coffee.png"
expect_grep "imgrad: $TMP/bad.png: " "$TMP/err" "bad input named"
expect_lines 1 "$TMP/err" "one error line"
expect_file "$TMP/mix/camera.magnitude.png"
expect_file "$TMP/mix/coffee.magnitude.png"
expect_no_file "$TMP/mix/bad.magnitude.png"
expect_status 1 "missing input" "$IMGRAD" -o "$TMP/mix" "$TMP/nope.png"
expect_grep "nope.png: No such file" "$TMP/err" "missing file named"

# coordinate files: wrong length is an error for that input
printf '0 1 2\n' > "$TMP/x3.txt"
expect_status 1 "coords length" "$IMGRAD" -o "$TMP/c" --x-coords "$TMP/x3.txt" "$A/camera.png"
expect_grep "x3.txt has 3 values" "$TMP/err" "coords message"
expect_status 2 "coords unreadable" "$IMGRAD" --y-coords "$TMP/none.txt" "$A/camera.png"

# an axis shorter than the edge order needs: status 1 and the sizes said
printf '\x93NUMPY\x01\x00\x76\x00{'"'"'descr'"'"': '"'"'<f4'"'"', '"'"'fortran_order'"'"': False, '"'"'shape'"'"': (2, 5), }' > "$TMP/two.npy"
pad=$((128 - $(wc -c < "$TMP/two.npy") - 1)); printf "%${pad}s\n" "" >> "$TMP/two.npy"
head -c 40 /dev/zero >> "$TMP/two.npy"
expect_status 0 "2 rows, edge order 1" "$IMGRAD" -o "$TMP/small" "$TMP/two.npy"
expect_status 1 "2 rows, edge order 2" "$IMGRAD" -o "$TMP/small" --overwrite --edge-order 2 "$TMP/two.npy"
expect_grep "5x2 is too small: edge order 2 needs at least 3" "$TMP/err" "too-small message"

# no temporary files left behind
n=$(find "$TMP" -name '*.imgrad-tmp-*' | wc -l)
if [ "$n" -eq 0 ]; then ok; else bad "temporary files left: $n"; fi
finish
