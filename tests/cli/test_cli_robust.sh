#!/bin/bash
# Issue 12, the rest: folders without images, files that are not images,
# --files-from read errors, name clashes, operands that look like options,
# /dev/stdin, and the memory budget (--max-memory).  Each case: the exit
# status and the words of the message.
SUITE=robust
. "$(dirname "$0")/testlib.sh"
A=$(cd "$(dirname "$0")/../../assets" && pwd)
PY=/usr/bin/python3

# --- folders without an image; files that are not images ------------------
mkdir -p "$TMP/empty" "$TMP/notes/sub" "$TMP/flat/sub" "$TMP/mixed"
touch "$TMP/notes/a.txt" "$TMP/notes/b.txt" "$TMP/notes/sub/c.TXT" "$TMP/notes/d.xyz"
expect_err 1 "empty folder fails" "empty: no image file in this folder" "$IMGRAD" -o "$TMP/o1" "$TMP/empty"
expect_err 1 "folder of notes fails" "notes: no image file in this folder" "$IMGRAD" -o "$TMP/o1" "$TMP/notes"
expect_grep "4 files skipped, not images by their names: .txt 3, .xyz 1" "$TMP/err" "skipped files counted by extension"
cp "$A/camera.png" "$TMP/flat/sub/"
expect_err 1 "--no-recursive says why" "no image file in this folder \(its subfolders are not walked: --no-recursive\)" \
    "$IMGRAD" -o "$TMP/o1" --no-recursive "$TMP/flat"
# the summary counts what was not an image; -v names each; the summary file has them
cp "$A/camera.png" "$TMP/mixed/"
touch "$TMP/mixed/readme.txt" "$TMP/mixed/data.csv" "$TMP/mixed/Makefile"
expect_status 0 "images beside other files" "$IMGRAD" -o "$TMP/o2" --summary "$TMP/s.json" "$TMP/mixed"
expect_grep "3 files skipped, not images by their names: .csv 1, .txt 1, other 1" "$TMP/err" "summary of skipped files"
if "$PY" -c "import json,sys; assert json.load(open(sys.argv[1]))['not_images'] == 3" "$TMP/s.json"; then ok; else bad "summary file lacks not_images"; fi
expect_status 0 "-v lists them" "$IMGRAD" -v --overwrite -o "$TMP/o2" "$TMP/mixed"
expect_grep "mixed/readme.txt: skipped: not an image by its name" "$TMP/err" "-v names a skipped file"
# an empty shard of a tree with images is fine: two images, three shards
cp "$A/camera.png" "$TMP/flat/x.png"
expect_status 0 "empty shard" "$IMGRAD" -o "$TMP/o3" --shard 3/3 "$TMP/flat"
expect_grep "0 written, 0 skipped (up to date), 0 failed" "$TMP/err" "empty shard summary"
# TIFF, WebP, HEIC, AVIF are images now: found in folders
mkdir -p "$TMP/tif"
cp "$A"/formats/*.tif "$TMP/tif/" 2>/dev/null || "$PY" -c "from PIL import Image; Image.new('L', (8, 8)).save('$TMP/tif/a.tif')"
expect_status 0 "a TIFF in a folder" "$IMGRAD" -o "$TMP/o4" "$TMP/tif"
if ls "$TMP/o4" | grep -q "magnitude.png"; then ok; else bad "no output of the TIFF in a folder"; fi

# --- a dangling link named like a note is not an image ---------------------
mkdir -p "$TMP/dl"
cp "$A/camera.png" "$TMP/dl/"
ln -s "$TMP/nowhere" "$TMP/dl/notes.txt"
expect_status 0 "dangling notes.txt ignored" "$IMGRAD" -o "$TMP/o5" "$TMP/dl"
expect_grep "1 file skipped, not images by their names: .txt 1" "$TMP/err" "dangling link counted as a note"
ln -s "$TMP/nowhere" "$TMP/dl/photo.png"
expect_err 1 "dangling photo.png fails" "dl/photo.png: No such file or directory" "$IMGRAD" -o "$TMP/o5" "$TMP/dl"

# --- --files-from: a folder or a read error is an error --------------------
expect_err 1 "--files-from a folder" "empty: --files-from: cannot read the list: it is a folder" \
    "$IMGRAD" -o "$TMP/o6" --files-from "$TMP/empty"
expect_err 1 "--files-from missing" "nolist: --files-from: cannot read the list: No such file" \
    "$IMGRAD" -o "$TMP/o6" --files-from "$TMP/nolist"
if [ -r /proc/self/mem ]; then # a file whose read fails (EIO at offset 0)
    expect_err 1 "--files-from read error" "--files-from: cannot read the list: " \
        "$IMGRAD" -o "$TMP/o6" --files-from /proc/self/mem
else
    skip "--files-from read error: no /proc/self/mem"
fi

# --- name clashes: the message says failed, as the summary counts them -----
mkdir -p "$TMP/cl"
cp "$A/camera.png" "$TMP/cl/x.png"
cp "$A/camera.png" "$TMP/cl/x.bmp" # named .bmp: the clash is by name, not content
expect_err 1 "clash" "cl/x.png: its outputs would overwrite those of .*cl/x.bmp; failed" "$IMGRAD" -o "$TMP/o7" "$TMP/cl"
if grep -q "skipped;\|; skipped" "$TMP/err"; then bad "clash still called skipped"; else ok; fi
expect_grep "1 written, 0 skipped (up to date), 1 failed" "$TMP/err" "clash counted as failed"

# --- operands that look like options; -- ; /dev/stdin ----------------------
cp "$A/camera.png" "$TMP/-dash.png"
expect_err 2 "-dash.png blames -d in it" "^imgrad: -d: unknown option in '-dash.png'; if it is a file, write ./-dash.png or put it after --" \
    env -C "$TMP" "$IMGRAD" -o dash -dash.png
if grep -q "imgrad: dash" "$TMP/err"; then bad "-dash.png: the message blames the -o value"; else ok; fi
expect_err 2 "a plain unknown short option" "^imgrad: -x: unknown option$" "$IMGRAD" -x "$A/camera.png"
expect_status 0 "./-dash.png" env -C "$TMP" "$IMGRAD" -o dash ./-dash.png
expect_status 0 "-- then -dash.png" env -C "$TMP" "$IMGRAD" -o dash2 -- -dash.png
expect_file "$TMP/dash2/-dash.magnitude.png"
expect_status 0 "/dev/stdin from a pipe" bash -c 'cat "$1" | "$0" -o "$2" /dev/stdin' "$IMGRAD" "$A/camera.png" "$TMP/o8"
expect_file "$TMP/o8/stdin.magnitude.png"
expect_status 0 "/dev/stdin from a file" bash -c '"$0" -o "$2" --overwrite /dev/stdin < "$1"' "$IMGRAD" "$A/camera.png" "$TMP/o8"
expect_err 1 "/dev/stdin empty" "/dev/stdin: empty" bash -c ': | "$0" -o "$1" /dev/stdin' "$IMGRAD" "$TMP/o8"

# --- memory: --max-memory ---------------------------------------------------
expect_err 2 "--max-memory bad" "--max-memory: expected a size such as 4G, 512M" "$IMGRAD" --max-memory 4X "$A/camera.png"
expect_err 2 "--max-memory zero" "--max-memory: expected" "$IMGRAD" --max-memory 0 "$A/camera.png"
expect_err 2 "--max-memory with a space" "--max-memory: expected" "$IMGRAD" --max-memory "4 " "$A/camera.png"
expect_err 1 "a file that cannot fit" \
    "camera.png: needs about [0-9.]+ MiB of memory \(512x512, 1 channel of 8 bits\) with the products asked, more than the 1.0 MiB --max-memory allows" \
    "$IMGRAD" -o "$TMP/o9" --max-memory 1M "$A/camera.png"
expect_no_file "$TMP/o9/camera.magnitude.png"
expect_err 0 "-v says the budget and the estimate" "memory: at most 64.0 MiB for the files in progress \(--max-memory\)" \
    "$IMGRAD" -v -o "$TMP/o9" --max-memory 64M "$A/camera.png"
expect_grep "camera.png: needs about [0-9.]* MiB of memory at its peak" "$TMP/err" "-v estimate"
# two files that fit one at a time (about 20 MiB each): the second waits, both written
mkdir -p "$TMP/two"
cp "$A/camera.png" "$TMP/two/a.png"; cp "$A/camera.png" "$TMP/two/b.png"
expect_status 0 "files wait for memory" "$IMGRAD" -j 2 -o "$TMP/o10" --max-memory 30M "$TMP/two"
expect_file "$TMP/o10/a.magnitude.png"
expect_file "$TMP/o10/b.magnitude.png"
expect_err 1 "-o - is capped too" "needs about" \
    bash -c '"$0" -o - --max-memory 1M "$1" > "$2"' "$IMGRAD" "$A/camera.png" "$TMP/stdout.png"

# four 65535x4096 16-bit RGB PNGs of zeros (1.5 MB each, 1.6 GB decoded)
# beside good photos, default -j, under a 4 GiB address-space limit: the
# large ones fail at once, named with their estimate and the cap, and every
# photo is written.  (ASan and valgrind reserve more address space than
# the limit: skipped there.)
if ! grep -q valgrind "$IMGRAD" 2>/dev/null \
   && bash -c 'ulimit -v 4194304; exec "$0" --version' "$IMGRAD" >/dev/null 2>&1; then
    mkdir -p "$TMP/huge"
    "$PY" - "$TMP/huge/big1.png" <<'PYEOF' || bad "could not write the large PNG"
import struct, sys, zlib
w, h = 65535, 4096
def chunk(t, d): return struct.pack('>I', len(d)) + t + d + struct.pack('>I', zlib.crc32(t + d))
z = zlib.compressobj(9)
row = b'\0' * (1 + w * 6)
data = b''.join(z.compress(row) for _ in range(h)) + z.flush()
open(sys.argv[1], 'wb').write(b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', w, h, 16, 2, 0, 0, 0))
                              + chunk(b'IDAT', data) + chunk(b'IEND', b''))
PYEOF
    for k in 2 3 4; do cp "$TMP/huge/big1.png" "$TMP/huge/big$k.png"; done
    cp "$A"/*.png "$TMP/huge/"
    photos=$(cd "$A" && ls *.png | wc -l)
    expect_status 1 "huge batch under ulimit -v 4 GiB" \
        bash -c 'ulimit -v 4194304; exec "$0" -o "$1" "$2"' "$IMGRAD" "$TMP/o11" "$TMP/huge"
    n=$(grep -c "big[1-4].png: needs about 4.0 GiB of memory (65535x4096, 3 channels of 16 bits) with the products asked, more than the 2.0 GiB --max-memory allows" "$TMP/err")
    if [ "$n" -eq 4 ]; then ok; else bad "huge batch: $n of 4 large files refused with the estimate: $(head -c 400 "$TMP/err")"; fi
    expect_grep "$photos written, 0 skipped (up to date), 4 failed" "$TMP/err" "huge batch: every photo written"
    n=$(ls "$TMP/o11" | grep -vc "^big")
    if [ "$n" -eq "$photos" ]; then ok; else bad "huge batch: $n of $photos photos written"; fi
else
    skip "huge batch under ulimit -v: this build cannot run under ulimit -v (sanitizer or valgrind)"
fi
finish
