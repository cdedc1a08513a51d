#!/bin/sh
# run_fuzzers.sh BUILD SECONDS NAME...: runs each fuzzer BUILD/fuzz_NAME for
# SECONDS seconds, one after another, on its working corpus, its seeds and
# tests/corpus/NAME.  Memory (2 GB) and time per input (10 s) are bounded, so
# a hang or a runaway allocation is a finding too.  On a finding it stops
# with the reproducer's path; copy it to tests/corpus/NAME/ once fixed.
build=$1; seconds=$2; shift 2
for name in "$@"; do
    mkdir -p "$build/corpus/$name" "$build/seeds/$name" "$build/artifacts" "tests/corpus/$name"
    log="$build/fuzz_$name.log"
    echo "fuzz: $name for ${seconds}s (log $log)"
    if ! "$build/fuzz_$name" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
            -max_len=65536 -print_final_stats=1 -artifact_prefix="$build/artifacts/$name-" \
            "$build/corpus/$name" "$build/seeds/$name" "tests/corpus/$name" >"$log" 2>&1; then
        tail -n 40 "$log" >&2
        echo "fuzz: $name found a problem; reproducer in $build/artifacts/" >&2
        exit 1
    fi
    grep -E '^#[0-9]+[[:space:]]+DONE' "$log" || tail -n 1 "$log"
    grep -E 'stat::number_of_executed_units|stat::peak_rss_mb' "$log"
done
