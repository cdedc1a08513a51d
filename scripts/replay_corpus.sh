#!/bin/sh
# replay_corpus.sh DIR NAME...: runs DIR/replay_NAME on every file under
# tests/corpus/NAME/ (inputs that once crashed the fuzz harness NAME).
# A crash, a sanitizer report or a timeout fails the run.
dir=$1; shift
total=0; failed=0
for name in "$@"; do
    files=$(find "tests/corpus/$name" -type f 2>/dev/null | sort)
    [ -z "$files" ] && continue
    n=$(printf '%s\n' "$files" | wc -l)
    # shellcheck disable=SC2086 # file names in tests/corpus have no spaces
    if ! timeout 120 "$dir/replay_$name" $files >/dev/null; then
        echo "FAIL: replay of tests/corpus/$name" >&2
        failed=$((failed + 1))
    fi
    total=$((total + n))
done
echo "corpus: $total inputs replayed, $failed harness(es) failed"
[ "$failed" -eq 0 ]
