#!/bin/bash
# CLI tests of imgrad bench: it runs, checks its kernel, and prints JSON.
SUITE=cli_bench
. "$(dirname "$0")/testlib.sh"
A=$(cd "$(dirname "$0")/../../assets" && pwd)

expect_status 0 "help" "$IMGRAD" bench --help
expect_grep "Usage: imgrad bench" "$TMP/out" "help text"
expect_status 2 "bad size" "$IMGRAD" bench --size 12
expect_status 2 "bad operator" "$IMGRAD" bench --operator nope
expect_status 2 "two images" "$IMGRAD" bench a.png b.png
for op in central sobel scharr prewitt; do
    expect_status 0 "synthetic $op" "$IMGRAD" bench --size 97x61 --repeat 1 --threads 2 \
        --operator $op --json
    tail -n 1 "$TMP/out" > "$TMP/json"
    for key in operator width height threads kernel_ms kernel_mpix_s kernel_gb_s copy_gb_s \
               decode_ms gray_ms encode_ms; do
        expect_grep "\"$key\": " "$TMP/json" "$op json has $key"
    done
    expect_grep "\"operator\": \"$op\", \"width\": 97, \"height\": 61" "$TMP/json" "$op json values"
done
expect_status 0 "an image" "$IMGRAD" bench --repeat 1 "$A/camera.png"
expect_grep "camera.png, 512x512" "$TMP/out" "image named with its size"
expect_status 1 "not an image" "$IMGRAD" bench --repeat 1 "$0"
# the JSON line parses (make test installs /usr/bin/python3: its absence is a failure)
if ! [ -x /usr/bin/python3 ]; then bad "JSON not checked: no /usr/bin/python3 (make deps-test)"
elif /usr/bin/python3 -c 'import json,sys; json.loads(open(sys.argv[1]).read())' "$TMP/json" 2>/dev/null
then ok; else bad "JSON does not parse: $(cat "$TMP/json")"; fi
finish
