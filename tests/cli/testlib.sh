# testlib.sh - sourced by tests/cli/test_cli*.sh: tiny assertions for CLI tests.
# Each script sets SUITE, calls ok/expect_*, then `finish`.
: "${IMGRAD:=build/imgrad}"
IMGRAD=$(cd "$(dirname "$IMGRAD")" && pwd)/$(basename "$IMGRAD")
PASS=0; FAIL=0; SKIP=0
TMP=$(mktemp -d "${TMPDIR:-/tmp}/imgrad-test.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

ok()   { PASS=$((PASS + 1)); }
# skip WHY: a check that could not run here; reported, never counted as passed
skip() { SKIP=$((SKIP + 1)); echo "SKIP: $*" >&2; }
bad()  { FAIL=$((FAIL + 1)); echo "FAIL: $*" >&2; }
# expect_status WANT NAME CMD...: runs CMD, stderr to $TMP/err, checks exit status
expect_status() {
    want=$1; name=$2; shift 2
    "$@" >"$TMP/out" 2>"$TMP/err"; got=$?
    if [ "$got" -eq "$want" ]; then ok; else bad "$name: exit $got, want $want: $(head -c 300 "$TMP/err")"; fi
}
# run_ok NAME OUTFILE CMD...: CMD's stdout to OUTFILE, stderr to $TMP/err; exit 0 wanted
run_ok() {
    name=$1; outfile=$2; shift 2
    "$@" >"$outfile" 2>"$TMP/err"; got=$?
    if [ "$got" -eq 0 ]; then ok; else bad "$name: exit $got, want 0: $(head -c 300 "$TMP/err")"; fi
}
expect_file()    { if [ -s "$1" ]; then ok; else bad "missing output $1"; fi; }
expect_no_file() { if [ ! -e "$1" ]; then ok; else bad "unexpected output $1"; fi; }
# expect_grep PATTERN FILE NAME
expect_grep()    { if grep -q -- "$1" "$2"; then ok; else bad "$3: '$1' not in $(head -c 300 "$2")"; fi; }
expect_lines()   { n=$(wc -l < "$2"); if [ "$n" -eq "$1" ]; then ok; else bad "$3: $n lines, want $1"; fi; }
# expect_err STATUS NAME PATTERN CMD...: the status, and PATTERN (grep -E) in stderr
expect_err() {
    want=$1; name=$2; pattern=$3; shift 3
    expect_status "$want" "$name" "$@"
    if grep -qE -- "$pattern" "$TMP/err"; then ok; else bad "$name: '$pattern' not in: $(head -c 300 "$TMP/err")"; fi
}
finish() {
    if [ "$SKIP" -gt 0 ]; then
        echo "${SUITE:-cli}: $PASS passed, $FAIL failed, $SKIP skipped"
    else
        echo "${SUITE:-cli}: $PASS passed, $FAIL failed"
    fi
    [ "$FAIL" -eq 0 ]
}
