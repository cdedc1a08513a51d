#!/bin/bash
# CLI tests of batch processing, on trees of files built here: folders walked
# and mirrored, failures reported and survived, resume, shards, -j, progress,
# --files-from, EXIF orientation, --stats, stale temporaries and kill -9.
# Fixtures and independent checks use Debian's python (tests/cli/batch_helper.py).
SUITE=cli_batch
. "$(dirname "$0")/testlib.sh"
A=$(cd "$(dirname "$0")/../../assets" && pwd)
HELPER=$(cd "$(dirname "$0")" && pwd)/batch_helper.py
PY=/usr/bin/python3
if ! $PY -c 'import numpy, PIL' 2>/dev/null; then
    echo "$SUITE: needs $PY with numpy and PIL (make deps-test)" >&2
    exit 1
fi

# a folder of the five photos (assets/ itself holds more, in subfolders)
P=$TMP/photos
mkdir -p "$P"; cp "$A"/*.png "$P/"

# "path mtime" of every file below $1, for "nothing was rewritten"
snapshot() { (cd "$1" && find . -type f -printf '%p %T@\n' | sort); }
count_files() { find "$1" -type f ! -name '.*' | wc -l; }
expect_count() { n=$(count_files "$2"); if [ "$n" -eq "$1" ]; then ok; else bad "$3: $n files in $2, want $1"; fi; }
# expect_once TEXT FILE: TEXT occurs on exactly one line
expect_once() { n=$(grep -cF -- "$1" "$2"); if [ "$n" -eq 1 ]; then ok; else bad "'$1' on $n lines of $2"; fi; }

# ---- the tree: nested folders, mixed-case extensions, an EXIF-turned phone
# photo, three broken files, hidden files, a non-image and a link loop
IN=$TMP/in
mkdir -p "$IN/trip/day1" "$IN/trip/day2/deep" "$IN/.cache" "$TMP/exif"
$PY "$HELPER" exif "$A/chelsea.png" "$TMP/exif"
$PY -c "
from PIL import Image
Image.open('$A/astronaut.png').convert('RGB').save('$IN/trip/day2/Astronaut.JPG', quality=90)
Image.open('$A/brick.png').save('$IN/trip/day2/deep/brick.bmp')"
cp "$A/camera.png" "$IN/trip/day1/Camera.PNG"
cp "$A/coffee.png" "$IN/trip/day1/coffee.Png"
cp "$TMP/exif/o6.jpg" "$IN/trip/phone.JpG"
printf 'just text\n' > "$IN/trip/notes.png"
: > "$IN/trip/day1/empty.jpg"
head -c 3000 "$A/camera.png" > "$IN/trip/day2/cut.png"
# a JPEG cut in half: libjpeg only warns about it, imgrad must still refuse it
head -c $(($(wc -c < "$TMP/exif/o1.jpg") / 2)) "$TMP/exif/o1.jpg" > "$IN/trip/day2/half.jpg"
cp "$A/camera.png" "$IN/.cache/hidden.png"
cp "$A/camera.png" "$IN/trip/.hidden.png"
printf 'not an image\n' > "$IN/trip/readme.txt"
ln -s ../.. "$IN/trip/day2/deep/up"

O=$TMP/o
GOOD="trip/day1/Camera trip/day1/coffee trip/day2/Astronaut trip/day2/deep/brick trip/phone"
expect_status 1 "tree" "$IMGRAD" -o "$O" "$IN"
for k in $GOOD; do expect_file "$O/$k.magnitude.png"; done
expect_count 5 "$O" "tree outputs (no hidden, broken or looped ones)"
for f in trip/notes.png trip/day1/empty.jpg trip/day2/cut.png trip/day2/half.jpg; do
    expect_once "imgrad: $IN/$f: " "$TMP/err"
done
expect_grep "5 written, 0 skipped (up to date), 4 failed" "$TMP/err" "summary"
expect_grep "1 file skipped, not images by their names: .txt 1" "$TMP/err" "readme.txt counted"
expect_lines 6 "$TMP/err" "four errors, the summary and the files skipped"
# the phone photo is stored 300 x 451 with Orientation 6: upright it is 451 wide
size=$($PY -c "from PIL import Image; print(Image.open('$O/trip/phone.magnitude.png').size)")
if [ "$size" = "(451, 300)" ]; then ok; else bad "phone photo output is $size, want (451, 300)"; fi

# ---- resume: a second run rewrites nothing; a touched input is redone
snapshot "$O" > "$TMP/before"
expect_status 1 "rerun" "$IMGRAD" -o "$O" "$IN"
snapshot "$O" > "$TMP/after"
if cmp -s "$TMP/before" "$TMP/after"; then ok; else bad "rerun rewrote: $(diff "$TMP/before" "$TMP/after" | head -3)"; fi
expect_grep "0 written, 5 skipped (up to date), 4 failed" "$TMP/err" "rerun summary"
touch "$IN/trip/day1/Camera.PNG"
expect_status 1 "touched input" "$IMGRAD" -o "$O" "$IN"
expect_grep "1 written, 4 skipped" "$TMP/err" "only the touched input redone"
snapshot "$O" > "$TMP/before"
expect_status 1 "overwrite" "$IMGRAD" --overwrite -o "$O" "$IN"
snapshot "$O" > "$TMP/after"
n=$(diff "$TMP/before" "$TMP/after" | grep '^>' | grep -vc '/\.[^/]*\.imgrad ')
if [ "$n" -eq 5 ]; then ok; else bad "--overwrite rewrote $n outputs, want 5"; fi

# ---- shards 1/3, 2/3, 3/3 write every output exactly once, and the same again
for k in 1 2 3; do
    expect_status 1 "shard $k/3" "$IMGRAD" -v --shard $k/3 -o "$TMP/sh" "$IN"
    grep 'imgrad: wrote ' "$TMP/err" | sort > "$TMP/wrote$k"
done
cat "$TMP/wrote1" "$TMP/wrote2" "$TMP/wrote3" | sort > "$TMP/wrote"
if [ "$(wc -l < "$TMP/wrote")" -eq 5 ] && [ -z "$(uniq -d "$TMP/wrote")" ]; then ok
else bad "shards wrote $(wc -l < "$TMP/wrote") outputs, want 5 distinct"; fi
(cd "$O" && find . -type f | sort) > "$TMP/all"; (cd "$TMP/sh" && find . -type f | sort) > "$TMP/sharded"
if cmp -s "$TMP/all" "$TMP/sharded"; then ok; else bad "shards' outputs differ from a whole run's"; fi
expect_status 1 "shard 2/3 again" "$IMGRAD" -v --shard 2/3 -o "$TMP/sh2" "$IN"
grep 'imgrad: wrote ' "$TMP/err" | sed "s|$TMP/sh2|$TMP/sh|" | sort > "$TMP/again"
if cmp -s "$TMP/wrote2" "$TMP/again"; then ok; else bad "shard 2/3 is not the same twice"; fi
expect_status 2 "bad shard" "$IMGRAD" --shard 4/3 "$IN"
expect_status 2 "bad shard form" "$IMGRAD" --shard 2 "$IN"

# ---- --no-recursive, --files-from (a file and stdin)
expect_status 1 "no recursion" "$IMGRAD" --no-recursive -o "$TMP/nr" "$IN/trip"
expect_file "$TMP/nr/phone.magnitude.png"
expect_count 1 "$TMP/nr" "only the top folder's image"
mkdir -p "$TMP/fl"; cp "$A/brick.png" "$TMP/fl/"
printf '%s\n\n%s\n' "$A/camera.png" "$TMP/fl" > "$TMP/list"
expect_status 0 "files-from" "$IMGRAD" --files-from "$TMP/list" -o "$TMP/ff"
expect_file "$TMP/ff/camera.magnitude.png"
expect_file "$TMP/ff/brick.magnitude.png"
printf '%s\n' "$A/coffee.png" | "$IMGRAD" --files-from - -o "$TMP/ff" 2>/dev/null
expect_file "$TMP/ff/coffee.magnitude.png"

# ---- -j: the same bytes whatever the number of files at once
expect_status 0 "-j 1" "$IMGRAD" -j 1 --format npy --outputs gx,direction -o "$TMP/j1" "$P"
expect_status 0 "-j 3" "$IMGRAD" -j 3 -t 1 --format npy --outputs gx,direction -o "$TMP/j3" "$P"
if diff -r -x '.*.imgrad' "$TMP/j1" "$TMP/j3" >/dev/null && [ "$(count_files "$TMP/j3")" -eq 10 ]; then ok
else bad "-j 1 and -j 3 outputs differ"; fi
expect_status 2 "bad -j" "$IMGRAD" -j 0 "$P"

# ---- progress and verbosity
expect_status 0 "quiet log" "$IMGRAD" -o "$TMP/p" "$P"
expect_lines 1 "$TMP/err" "no progress into a log, only the summary"
expect_status 0 "forced progress" "$IMGRAD" --progress --overwrite -o "$TMP/p" "$P"
expect_grep "imgrad: 5/5 files, [0-9.]* images/s" "$TMP/err" "progress line"
expect_status 0 "-q" "$IMGRAD" -q --progress --overwrite -o "$TMP/p" "$P"
expect_lines 0 "$TMP/err" "-q prints nothing"
expect_status 0 "-v" "$IMGRAD" -v --overwrite -o "$TMP/p" "$P"
expect_grep "imgrad: wrote $TMP/p/camera.magnitude.png" "$TMP/err" "-v names outputs"
if command -v script >/dev/null; then
    script -qec "'$IMGRAD' --overwrite -o '$TMP/p' '$P'" /dev/null > "$TMP/tty" 2>&1
    if grep -q $'\r.*images/s' "$TMP/tty"; then ok; else bad "no redrawn progress on a terminal"; fi
fi

# ---- clashes, an output that is the input, the output folder inside the input
mkdir -p "$TMP/cl"; cp "$A/camera.png" "$TMP/cl/x.png"; cp "$TMP/exif/o1.jpg" "$TMP/cl/x.jpg"
expect_status 1 "clash" "$IMGRAD" -o "$TMP/clo" "$TMP/cl"
expect_grep "cl/x.png: its outputs would overwrite those of $TMP/cl/x.jpg" "$TMP/err" "clash named"
mkdir -p "$TMP/same" "$TMP/same_out"; cp "$A/camera.png" "$TMP/same/cam.png"
ln "$TMP/same/cam.png" "$TMP/same_out/cam.magnitude.png"
expect_status 1 "output is input" "$IMGRAD" -o "$TMP/same_out" "$TMP/same/cam.png"
expect_grep "refusing to overwrite the input" "$TMP/err" "refusal"
if cmp -s "$A/camera.png" "$TMP/same/cam.png"; then ok; else bad "the input was overwritten"; fi
mkdir -p "$TMP/self"; cp "$A/camera.png" "$TMP/self/"
expect_status 0 "outdir inside input" "$IMGRAD" -o "$TMP/self/out" "$TMP/self"
expect_status 0 "outdir inside input again" "$IMGRAD" -o "$TMP/self/out" "$TMP/self"
expect_count 2 "$TMP/self" "outputs never read back as inputs"
expect_status 1 "outdir is input" "$IMGRAD" -o "$TMP/self" "$TMP/self"
expect_grep "is the output folder" "$TMP/err" "outdir refusal"

# ---- stale temporaries: an old one is removed, a fresh one (a live writer's) kept
old="$O/trip/day1/.Camera.magnitude.png.imgrad-tmp-4242-7"
fresh="$O/trip/day1/.coffee.magnitude.png.imgrad-tmp-4243-1"
printf 'half' > "$old"; printf 'half' > "$fresh"; touch -d '2 hours ago' "$old"
expect_status 1 "stale temporaries" "$IMGRAD" -o "$O" "$IN"
expect_no_file "$old"
expect_file "$fresh"
expect_grep "0 written, 5 skipped" "$TMP/err" "temporaries are not outputs"

# ---- EXIF: all eight orientations upright, as PIL shows them; not with --no-orient
expect_status 0 "exif" "$IMGRAD" --outputs gray --format npy -o "$TMP/eo" "$TMP/exif"
if $PY "$HELPER" check-exif "$A/chelsea.png" "$TMP/exif" "$TMP/eo" > "$TMP/check"; then ok
else bad "EXIF orientation: $(head -3 "$TMP/check")"; fi
# 8-bit pictures take a JPEG's luma plane as its grey: still turned upright
expect_status 0 "exif luma" "$IMGRAD" --outputs gray -o "$TMP/el" "$TMP/exif"
if $PY "$HELPER" check-exif "$A/chelsea.png" "$TMP/exif" "$TMP/el" > "$TMP/check"; then ok
else bad "EXIF orientation (luma): $(head -3 "$TMP/check")"; fi
if $PY "$HELPER" check-luma "$TMP/exif" "$TMP/el" > "$TMP/check"; then ok
else bad "JPEG luma: $(head -3 "$TMP/check")"; fi
# other weights keep the weighted sum of the decoded RGB, which is not the luma plane
expect_status 0 "rec709" "$IMGRAD" --gray rec709 --outputs gray -o "$TMP/e7" "$TMP/exif"
if ! $PY "$HELPER" check-luma "$TMP/exif" "$TMP/e7" > /dev/null; then ok
else bad "--gray rec709 gave the luma plane"; fi
expect_status 0 "no-orient" "$IMGRAD" --no-orient --outputs gray --format npy -o "$TMP/en" "$TMP/exif"
if ! $PY "$HELPER" check-exif "$A/chelsea.png" "$TMP/exif" "$TMP/en" > /dev/null; then ok
else bad "--no-orient still turned the photos"; fi

# ---- --stats against numpy; JSON lines cover up-to-date inputs too
expect_status 0 "stats" "$IMGRAD" --format npy --outputs gx,gy,magnitude --stats "$TMP/s.csv" -o "$TMP/st" "$P"
if $PY "$HELPER" stats "$TMP/s.csv" "$TMP/st" > "$TMP/check"; then ok
else bad "stats differ from numpy: $(head -3 "$TMP/check")"; fi
expect_lines 6 "$TMP/s.csv" "a header and 5 rows"
expect_status 0 "stats jsonl" "$IMGRAD" --format npy --outputs gx,gy,magnitude --stats "$TMP/s.jsonl" -o "$TMP/st" "$P"
expect_grep "0 written, 5 skipped" "$TMP/err" "stats of up-to-date inputs"
if $PY "$HELPER" jsonl "$TMP/s.jsonl" 5; then ok; else bad "JSON lines"; fi
expect_status 2 "stats extension" "$IMGRAD" --stats "$TMP/s.txt" "$P"

# ---- kill -9 in the middle leaves no truncated output; the next run finishes
# (eight images, so that the run is still going 50 ms after its first output:
# with four, a fast machine sometimes finished first)
mkdir -p "$TMP/big"
$PY "$HELPER" big "$TMP/big" 8 1600
"$IMGRAD" -q -j 2 --outputs gx,magnitude,direction -o "$TMP/k" "$TMP/big" &
pid=$!
for _ in $(seq 100); do
    [ -d "$TMP/k" ] && [ "$(count_files "$TMP/k")" -gt 0 ] && break
    sleep 0.05
done
kill -9 $pid 2>/dev/null; wait $pid 2>/dev/null
n=$(count_files "$TMP/k")
if [ "$n" -lt 24 ]; then ok; else bad "the run ended before kill -9 ($n outputs): nothing tested"; fi
if $PY "$HELPER" decode-all "$TMP/k" > "$TMP/check"; then ok; else bad "after kill -9: $(head -3 "$TMP/check")"; fi
expect_status 0 "run after kill" "$IMGRAD" -j 2 --outputs gx,magnitude,direction -o "$TMP/k" "$TMP/big"
expect_count 24 "$TMP/k" "every output after the second run"
if $PY "$HELPER" decode-all "$TMP/k" > "$TMP/check"; then ok; else bad "after rerun: $(head -3 "$TMP/check")"; fi
finish
