#!/bin/bash
# check_shared.sh BINARY - the program linked against libimgrad.so (make
# check-shared): it must load the shared library, not carry a copy, and
# compute what the statically linked program computes.
set -u
bin=$1
fail() { echo "check-shared: $*" >&2; echo "check-shared: 0 passed, 1 failed"; exit 1; }
ldd "$bin" | grep -q 'libimgrad\.so' || fail "$bin does not load libimgrad.so"
nm -D --defined-only "$bin" | grep -q ' T imgrad_' && fail "$bin defines library functions itself"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
top=$(cd "$(dirname "$0")/.." && pwd)
"$bin" -q -o "$tmp/s" --outputs gx,magnitude --format npy "$top/assets/camera.png" \
    || fail "the shared build failed on assets/camera.png"
"$(dirname "$bin")/../imgrad" -q -o "$tmp/a" --outputs gx,magnitude --format npy "$top/assets/camera.png" \
    || fail "the static build failed on assets/camera.png"
for f in "$tmp"/a/*; do
    cmp -s "$f" "$tmp/s/$(basename "$f")" || fail "$(basename "$f") differs between the builds"
done
echo "check-shared: 3 passed, 0 failed"
