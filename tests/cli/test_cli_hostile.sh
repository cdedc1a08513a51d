#!/bin/bash
# Hostile and broken inputs (tests/cli/hostile_inputs.py writes them, from good
# files imgrad itself writes).  Each bad file, given after a good photo, must
# give exit status 1, exactly one message line naming it, no output file for
# it, the photo's output written, and finish within IMGRAD_TIME_LIMIT seconds
# (10 by default; check-valgrind raises it).  Output-side failures follow.
SUITE=hostile
. "$(dirname "$0")/testlib.sh"
A=$(cd "$(dirname "$0")/../../assets" && pwd)
PY=${PYTHON:-/usr/bin/python3}
[ -x "$PY" ] || PY=python3
LIMIT=${IMGRAD_TIME_LIMIT:-10}
GOOD=$A/camera.png

# expect_one_line_for BADFILE: stderr is one line "imgrad: BADFILE: ..."
expect_one_line_for() {
    if [ "$(wc -l < "$TMP/err")" -eq 1 ] && grep -qF "imgrad: $1: " "$TMP/err"; then ok
    else bad "$1: want one line naming it, got: $(head -c 400 "$TMP/err")"; fi
}

# check_bad FILE: FILE beside the good photo, into a fresh folder.
check_bad() {
    out=$TMP/o/$(basename "$1")
    timeout "$LIMIT" "$IMGRAD" -q -o "$out" "$GOOD" "$1" >/dev/null 2>"$TMP/err"; got=$?
    if [ "$got" -eq 1 ]; then ok
    elif [ "$got" -eq 124 ]; then bad "$1: still running after ${LIMIT}s"
    else bad "$1: exit $got, want 1: $(head -c 400 "$TMP/err")"; fi
    expect_one_line_for "$1"
    expect_file "$out/camera.magnitude.png"
    extra=$(ls -A "$out" | grep -vx 'camera.magnitude.png' | grep -vx '.camera.magnitude.png.imgrad')
    if [ -z "$extra" ]; then ok; else bad "$1: unexpected files: $extra"; fi
}

# -- bad inputs
mkdir -p "$TMP/src" "$TMP/bad" "$TMP/o"
for f in png jpg bmp tga npy; do
    "$IMGRAD" -q -o "$TMP/src" --outputs gray --format $f "$A/coffee.png" \
        && mv "$TMP/src/coffee.gray.$f" "$TMP/src/src.$f"
done
cp "$(dirname "$0")/../corpus/load/progressive.jpg" "$TMP/src/src.prog.jpg"
# TIFF, WebP and HEIF sources for hostile_inputs.py to cut (issue 16)
"$IMGRAD" -q -o "$TMP/src" --outputs gray --depth 16 --format tiff "$A/coffee.png" \
    && mv "$TMP/src/coffee.gray.tiff" "$TMP/src/src.tiff"
"$IMGRAD" -q -o "$TMP/src" --outputs gx --format tiff "$A/coffee.png" \
    && mv "$TMP/src/coffee.gx.tiff" "$TMP/src/src.f.tiff"
cwebp -quiet -o "$TMP/src/src.webp" "$TMP/src/src.png" 2>/dev/null || bad "cwebp (make deps)"
heif-enc -q 50 -o "$TMP/src/src.heic" "$TMP/src/src.png" >/dev/null 2>&1 || bad "heif-enc (make deps)"
"$PY" "$(dirname "$0")/hostile_inputs.py" "$TMP/src" "$TMP/bad" || bad "hostile_inputs.py failed"
n=$(ls "$TMP/bad" | wc -l)
if [ "$n" -ge 80 ]; then ok; else bad "only $n hostile files written"; fi
mkfifo "$TMP/bad/fifo.png"                  # would block a plain open()
for f in "$TMP"/bad/* "$TMP/nonexistent.png" /dev/zero; do check_bad "$f"; done

# a folder where a file is expected (inputs may be folders: a coordinate
# file may not)
mkdir "$TMP/folder.txt"
expect_status 2 "folder as coordinates" "$IMGRAD" -q -o "$TMP/c" --x-coords "$TMP/folder.txt" "$GOOD"
expect_one_line_for "$TMP/folder.txt"

# the good sources themselves are fine (else the cuts above prove nothing)
for f in "$TMP"/src/src.*; do
    expect_status 0 "good source $f" "$IMGRAD" -q -o "$TMP/good/$(basename "$f")" "$f"
done
"$PY" -c "import sys; sys.path.insert(0, '$(dirname "$0")'); import hostile_inputs as h; \
open('$TMP/src/good.gif', 'wb').write(h.gif(64, 48))"
expect_status 0 "good gif" "$IMGRAD" -q -o "$TMP/good" "$TMP/src/good.gif"

# -- limits: exact boundaries on the 512 x 512 photo
# (each run in its own folder: an up-to-date output would be skipped)
expect_status 0 "max-pixels equal" "$IMGRAD" -q -o "$TMP/l1" --max-pixels 262144 "$GOOD"
expect_status 1 "max-pixels below" "$IMGRAD" -q -o "$TMP/l2" --max-pixels 262143 "$GOOD"
expect_grep "camera.png: image larger than the size limit" "$TMP/err" "limit message"
expect_status 0 "max-dimension equal" "$IMGRAD" -q -o "$TMP/l3" --max-dimension 512 "$GOOD"
expect_status 1 "max-dimension below" "$IMGRAD" -q -o "$TMP/l4" --max-dimension 511 "$GOOD"
expect_status 1 "limit applies to npy" "$IMGRAD" -q -o "$TMP/l5" --max-dimension 100 "$TMP/src/src.npy"
for v in 0 -1 abc 1e9 18446744073709551616; do
    expect_status 2 "max-pixels $v" "$IMGRAD" --max-pixels "$v" "$GOOD"
done
for v in 0 -5 2147483648; do
    expect_status 2 "max-dimension $v" "$IMGRAD" --max-dimension "$v" "$GOOD"
done

# -- outputs
touch "$TMP/plainfile"
expect_status 1 "output folder cannot be created" "$IMGRAD" -q -o "$TMP/plainfile/sub" "$GOOD"
expect_one_line_for "$TMP/plainfile/sub"

# output path equal to an input: a hard link and a symbolic link named as
# the output would be, pointing at the input
mkdir -p "$TMP/same"
cp "$GOOD" "$TMP/same/in.png"
ln "$TMP/same/in.png" "$TMP/same/in.magnitude.png"
cp "$GOOD" "$TMP/same/sym.png"
ln -s "$TMP/same/sym.png" "$TMP/same/sym.magnitude.png"
for f in in sym; do
    expect_status 1 "output is input ($f)" "$IMGRAD" -q -o "$TMP/same" "$TMP/same/$f.png"
    expect_one_line_for "$TMP/same/$f.png"
    if cmp -s "$GOOD" "$TMP/same/$f.png"; then ok; else bad "input $f.png was changed"; fi
done

# a full disk: a 64 KiB tmpfs when we may mount one, else a file-size limit
# (EFBIG) that stands in for it; the failed output leaves no file behind
full=$TMP/full
mkdir -p "$full"
if mount -t tmpfs -o size=64k tmpfs "$full" 2>/dev/null; then
    trap 'umount "$full" 2>/dev/null; rm -rf "$TMP"' EXIT
    expect_status 1 "full disk" "$IMGRAD" -q -o "$full" --format npy "$GOOD"
    umount "$full"
else
    expect_status 1 "file size limit" bash -c 'trap "" XFSZ; ulimit -f 64; exec "$@"' _ \
        "$IMGRAD" -q -o "$full" --format npy "$GOOD"
fi
expect_grep "camera.magnitude.npy: cannot write: " "$TMP/err" "full disk message"
if [ -z "$(ls -A "$full")" ]; then ok; else bad "full disk left: $(ls -A "$full")"; fi
finish
