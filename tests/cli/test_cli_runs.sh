#!/bin/bash
# CLI tests of runs you can trust (issue 11): outputs remember the options
# that made them, SIGTERM/SIGINT stop cleanly, threads follow the CPUs the
# process may use, --shard auto[/N] from job array variables, walks visit
# each folder once and stay in the tree, --summary FILE.json.
SUITE=cli_runs
. "$(dirname "$0")/testlib.sh"
A=$(cd "$(dirname "$0")/../../assets" && pwd)
HELPER=$(cd "$(dirname "$0")" && pwd)/batch_helper.py
PY=/usr/bin/python3
if ! $PY -c 'import numpy, PIL' 2>/dev/null; then
    echo "$SUITE: needs $PY with numpy and PIL (make deps-python)" >&2
    exit 1
fi
P=$TMP/photos
mkdir -p "$P"; cp "$A"/*.png "$P/"
count_files() { find "$1" -type f ! -name '.*' | wc -l; }
temporaries() { find "$1" -name '.*imgrad-tmp*' | wc -l; }
mtime() { stat -c %Y.%y "$1"; }
# json FILE EXPR: prints EXPR evaluated on the JSON object s of FILE
json() { $PY -c "import json,sys; s=json.load(open(sys.argv[1])); print($2)" "$1"; }
expect_eq() { if [ "$1" = "$2" ]; then ok; else bad "$3: got '$1', want '$2'"; fi; }

# ---- a single file: same options skip, other options recompute
O=$TMP/one
expect_status 0 "first run" "$IMGRAD" -o "$O" "$A/camera.png"
cp "$O/camera.magnitude.png" "$TMP/first.png"
m0=$(mtime "$O/camera.magnitude.png")
expect_status 0 "same options" "$IMGRAD" -v -o "$O" "$A/camera.png"
expect_grep "camera.png: up to date" "$TMP/err" "-v says up to date"
expect_grep "0 written, 1 skipped" "$TMP/err" "summary of a skipped file"
expect_eq "$(mtime "$O/camera.magnitude.png")" "$m0" "same options keep the output"
expect_status 0 "other options" "$IMGRAD" -v -o "$O" --operator sobel --sigma 3 "$A/camera.png"
expect_grep "made again: options changed: operator=central -> operator=sobel" "$TMP/err" "-v reason"
expect_grep "1 written, 0 skipped (up to date), 0 failed, in [0-9:]* (written: 1 options changed)" "$TMP/err" "summary reason"
expect_status 0 "fresh sobel" "$IMGRAD" -o "$TMP/fresh" --operator sobel --sigma 3 "$A/camera.png"
if cmp -s "$O/camera.magnitude.png" "$TMP/fresh/camera.magnitude.png"; then ok
else bad "the re-run's output is not what a fresh run with the new options writes"; fi
if ! cmp -s "$O/camera.magnitude.png" "$TMP/first.png"; then ok; else bad "output kept the first run's bytes"; fi
expect_status 0 "sobel again" "$IMGRAD" -o "$O" --operator sobel --sigma 3 "$A/camera.png"
expect_grep "0 written, 1 skipped" "$TMP/err" "same new options skip"
# the options of the later issues are remembered too (13, 16, 17)
for opt in "--gray opencv" "--compat opencv" "--color dizenzo" "--depth 16" "--canny-sigma 2"; do
    expect_status 0 "$opt first" "$IMGRAD" -o "$TMP/later" --outputs magnitude,edges $opt "$A/chelsea.png"
    expect_status 0 "$opt again" "$IMGRAD" -o "$TMP/later" --outputs magnitude,edges $opt "$A/chelsea.png"
    expect_grep "0 written, 1 skipped" "$TMP/err" "$opt: the same options skip"
done
expect_status 0 "mask 0.1" "$IMGRAD" -o "$TMP/mask" --outputs direction "$A/chelsea.png"
cp "$TMP/mask/chelsea.direction.png" "$TMP/mask01.png"
expect_status 0 "mask 0" "$IMGRAD" -v -o "$TMP/mask" --outputs direction --direction-mask 0 "$A/chelsea.png"
expect_grep "direction-mask=0.10000000000000001 -> direction-mask=0" "$TMP/err" "--direction-mask remakes the picture"
if ! cmp -s "$TMP/mask/chelsea.direction.png" "$TMP/mask01.png"; then ok; else bad "--direction-mask 0 kept the masked picture"; fi
# --stats computes the grey in float64 (its residual), which can move a picture's byte: the
# pictures of a run without it are made again, equal to a fresh run with it
expect_status 0 "no stats" "$IMGRAD" -o "$TMP/st" --outputs magnitude,direction "$A/chelsea.png"
expect_status 0 "stats" "$IMGRAD" -v -o "$TMP/st" --outputs magnitude,direction --stats "$TMP/st.csv" "$A/chelsea.png"
expect_grep "grey-residual=0 -> grey-residual=1" "$TMP/err" "--stats remakes the pictures"
expect_status 0 "stats fresh" "$IMGRAD" -o "$TMP/st2" --outputs magnitude,direction --stats "$TMP/st2.csv" "$A/chelsea.png"
if cmp -s "$TMP/st/chelsea.direction.png" "$TMP/st2/chelsea.direction.png"; then ok; else bad "the re-run with --stats differs from a fresh one"; fi
# options that change no byte (threads, limits) do not recompute
expect_status 0 "threads only" "$IMGRAD" -t 1 --max-pixels 1000000 -o "$O" --operator sobel --sigma 3 "$A/camera.png"
expect_grep "0 written, 1 skipped" "$TMP/err" "-t does not recompute"
# the other reasons: another version, a changed input, a changed output, no record
sed -i 's/^version .*/version 0.0.1/' "$O/.camera.magnitude.png.imgrad"
expect_status 0 "other version" "$IMGRAD" -v -o "$O" --operator sobel --sigma 3 "$A/camera.png"
expect_grep "was made by imgrad 0.0.1" "$TMP/err" "version reason"
cp "$A/camera.png" "$TMP/cam.png"
expect_status 0 "copy" "$IMGRAD" -o "$O" "$TMP/cam.png"
touch -d '1 hour ago' "$TMP/cam.png"
expect_status 0 "touched input" "$IMGRAD" -v -o "$O" "$TMP/cam.png"
expect_grep "the input changed" "$TMP/err" "input reason"
printf 'x' >> "$O/cam.magnitude.png"
expect_status 0 "changed output" "$IMGRAD" -v -o "$O" "$TMP/cam.png"
expect_grep "changed since imgrad wrote it" "$TMP/err" "output reason"
rm "$O/.cam.magnitude.png.imgrad"
expect_status 0 "no record" "$IMGRAD" -v -o "$O" "$TMP/cam.png"
expect_grep "no record of how" "$TMP/err" "record reason"
# errors are not hidden by existing outputs: --edge-order 2 on a 2x2 image
$PY -c "from PIL import Image; Image.new('L', (2, 2), 9).save('$TMP/tiny.png')"
expect_status 0 "tiny" "$IMGRAD" -o "$O" "$TMP/tiny.png"
expect_status 1 "tiny edge order 2" "$IMGRAD" -o "$O" --edge-order 2 "$TMP/tiny.png"
expect_grep "too small" "$TMP/err" "edge order error shown"

# ---- a folder: same skip, other options recompute each file; npy stays numpy's
F=$TMP/folder
expect_status 0 "folder" "$IMGRAD" --format npy --outputs gx,magnitude -o "$F" "$P"
expect_status 0 "folder again" "$IMGRAD" --format npy --outputs gx,magnitude -o "$F" "$P"
expect_grep "0 written, 5 skipped" "$TMP/err" "folder skipped"
expect_status 0 "folder dx" "$IMGRAD" --format npy --outputs gx,magnitude --dx 2 -o "$F" "$P"
expect_grep "5 written, 0 skipped (up to date), 0 failed, in [0-9:]* (written: 5 options changed)" "$TMP/err" "folder redone"
if $PY -c "
import numpy as np, sys
from PIL import Image
g = np.asarray(Image.open('$P/camera.png').convert('L'), dtype=np.float64) / 255
want = np.gradient(g, 2, axis=1)
got = np.load('$F/camera.gx.npy')
sys.exit(0 if np.allclose(got, want, atol=1e-6) else 1)"; then ok
else bad "the folder re-run with --dx 2 did not write numpy.gradient(g, 2)"; fi
expect_status 0 "folder one more product" "$IMGRAD" --format npy --outputs gx,gy,magnitude --dx 2 -o "$F" "$P"
expect_grep "5 written, 0 skipped (up to date), 0 failed, in [0-9:]* (written: 5 new)" "$TMP/err" "a new product"
expect_status 0 "summary json" "$IMGRAD" --format npy --outputs gx,gy,magnitude --dx 2 --summary "$TMP/s.json" -o "$F" "$P"
expect_eq "$(json "$TMP/s.json" 's["written"], s["skipped"], s["failed"], s["status"]')" "0 5 0 0" "summary counts"

# ---- --summary: failed inputs with their reasons, so they can be retried
mkdir -p "$TMP/mixed/sub"; cp "$A/coffee.png" "$TMP/mixed/"; printf 'junk' > "$TMP/mixed/sub/bad.png"
: > "$TMP/mixed/empty.jpg"
expect_status 1 "mixed" "$IMGRAD" --summary "$TMP/m.json" -o "$TMP/mo" "$TMP/mixed"
expect_eq "$(json "$TMP/m.json" 's["inputs"], s["written"], s["failed"], s["status"], len(s["failures"])')" "3 1 2 1 2" "summary of failures"
expect_eq "$(json "$TMP/m.json" '" ".join(sorted(f["path"] for f in s["failures"]))')" "$TMP/mixed/empty.jpg $TMP/mixed/sub/bad.png" "failed paths"
if json "$TMP/m.json" 'all(f["reason"] for f in s["failures"])' | grep -qx True; then ok; else bad "a failure without a reason"; fi
cp "$A/brick.png" "$TMP/mixed/sub/bad.png"
expect_status 1 "retry" "$IMGRAD" --summary "$TMP/m.json" -o "$TMP/mo" "$TMP/mixed"
expect_eq "$(json "$TMP/m.json" 's["written"], s["skipped"], s["failed"]')" "1 1 1" "retry redoes the fixed input only"

# ---- walks: a 14-level diamond of links gives each image once, fast
# (l0/a and l0/b lead to l1, whose a and b lead to l2 ... : 2^14 paths to l14)
D=$TMP/diamond
mkdir -p "$D/l14"; cp "$A/camera.png" "$D/l14/img.png"
for i in $(seq 0 13); do mkdir -p "$D/l$i"; ln -s "../l$((i + 1))" "$D/l$i/a"; ln -s "../l$((i + 1))" "$D/l$i/b"; done
# the same image in a plain folder, for the time a run takes here (valgrind...)
mkdir -p "$TMP/plain"; cp "$A/camera.png" "$TMP/plain/img.png"
start=$(date +%s%N)
expect_status 0 "plain" "$IMGRAD" --outputs gray -o "$TMP/po" "$TMP/plain"
base=$((($(date +%s%N) - start) / 1000000))
start=$(date +%s%N)
expect_status 0 "diamond" "$IMGRAD" --outputs gray -o "$TMP/do" "$D"
ms=$((($(date +%s%N) - start) / 1000000))
expect_eq "$(count_files "$TMP/do")" 1 "diamond outputs"
expect_file "$TMP/do/l14/img.gray.png" # named by its real path, not a link path
if [ "$ms" -lt $((base + 500)) ]; then ok; else bad "the diamond took $ms ms, a plain folder $base ms"; fi
# a link out of the tree is not followed unless --follow-links
mkdir -p "$TMP/outer/root"; cp "$A/brick.png" "$TMP/outer/"; cp "$A/coffee.png" "$TMP/outer/root/"
ln -s .. "$TMP/outer/root/up"
expect_status 0 "link up" "$IMGRAD" -o "$TMP/uo" "$TMP/outer/root"
expect_eq "$(count_files "$TMP/uo")" 1 "a link out of the tree is not followed"
expect_status 0 "follow links" "$IMGRAD" --follow-links -o "$TMP/uf" "$TMP/outer/root"
expect_file "$TMP/uf/up/brick.magnitude.png"
expect_eq "$(count_files "$TMP/uf")" 2 "--follow-links: the outer image, the tree itself once"

# ---- --shard auto and auto/N from job array variables set by hand
S=$TMP/sh; mkdir -p "$S"
for i in $(seq 1 10); do cp "$A/camera.png" "$S/p$i.png"; done
# shard_files VAR=VALUE... -- SHARD: the inputs that shard processes, one a line
shard_files() {
    local envs=()
    while [ "$1" != "--" ]; do envs+=("$1"); shift; done
    env -u SLURM_ARRAY_TASK_ID "${envs[@]}" "$IMGRAD" -v --overwrite --outputs gray --shard "$2" \
        -o "$TMP/sho" "$S" 2>&1 >/dev/null | sed -n 's|^imgrad: wrote .*/\(p[0-9]*\)\.gray\.png$|\1|p' | sort
}
# cover NAME SHARD INDEX... with EXTRA_ENV: every file exactly once
cover() {
    local name=$1 shard=$2; shift 2
    : > "$TMP/cov"
    for idx in "$@"; do shard_files $EXTRA "$IDXVAR=$idx" -- "$shard" >> "$TMP/cov"; done
    n=$(wc -l < "$TMP/cov"); d=$(sort -u "$TMP/cov" | wc -l)
    if [ "$n" -eq 10 ] && [ "$d" -eq 10 ]; then ok; else bad "$name: $n outputs, $d distinct, want 10"; fi
}
IDXVAR=SLURM_ARRAY_TASK_ID
EXTRA="SLURM_ARRAY_TASK_MIN=1 SLURM_ARRAY_TASK_MAX=4 SLURM_ARRAY_TASK_STEP=1 SLURM_ARRAY_TASK_COUNT=4"
cover "slurm 1-4 auto" auto 1 2 3 4
cover "slurm 1-4 auto/4" auto/4 1 2 3 4
EXTRA="SLURM_ARRAY_TASK_MIN=0 SLURM_ARRAY_TASK_MAX=3 SLURM_ARRAY_TASK_STEP=1 SLURM_ARRAY_TASK_COUNT=4"
cover "slurm 0-3 auto" auto 0 1 2 3
cover "slurm 0-3 auto/4" auto/4 0 1 2 3
EXTRA="SLURM_ARRAY_TASK_MIN=1 SLURM_ARRAY_TASK_MAX=7 SLURM_ARRAY_TASK_STEP=2 SLURM_ARRAY_TASK_COUNT=4"
cover "slurm 1-7:2 auto" auto 1 3 5 7
EXTRA="SGE_TASK_FIRST=1 SGE_TASK_LAST=4 SGE_TASK_STEPSIZE=1"; IDXVAR=SGE_TASK_ID
cover "sge auto" auto 1 2 3 4
EXTRA="AWS_BATCH_JOB_ARRAY_SIZE=4"; IDXVAR=AWS_BATCH_JOB_ARRAY_INDEX
cover "aws auto" auto 0 1 2 3
EXTRA="X=1"; IDXVAR=JOB_COMPLETION_INDEX
cover "kubernetes auto/4" auto/4 0 1 2 3
IDXVAR=PBS_ARRAY_INDEX; cover "pbs auto/4" auto/4 1 2 3 4
IDXVAR=LSB_JOBINDEX; cover "lsf auto/4" auto/4 1 2 3 4
# a single resubmitted task (--array=2: an array of one) with auto/4 takes its old share
shard_files SLURM_ARRAY_TASK_ID=2 SLURM_ARRAY_TASK_MIN=1 SLURM_ARRAY_TASK_MAX=4 SLURM_ARRAY_TASK_COUNT=4 -- auto/4 > "$TMP/orig"
shard_files SLURM_ARRAY_TASK_ID=2 SLURM_ARRAY_TASK_MIN=2 SLURM_ARRAY_TASK_MAX=2 SLURM_ARRAY_TASK_COUNT=1 -- auto/4 > "$TMP/resub"
if [ -s "$TMP/orig" ] && cmp -s "$TMP/orig" "$TMP/resub"; then ok; else bad "a resubmitted task's share differs"; fi
expect_status 2 "pbs auto without N" env PBS_ARRAY_INDEX=1 "$IMGRAD" --shard auto -o "$TMP/sho" "$S"
expect_grep "use --shard auto/N" "$TMP/err" "auto without a size says what to do"
expect_status 0 "no array: every input" env -u SLURM_ARRAY_TASK_ID "$IMGRAD" -v --shard auto --overwrite -o "$TMP/sho" "$S"
expect_grep "no job array variable set" "$TMP/err" "-v names the shard's origin"
expect_status 0 "-v shard" env SLURM_ARRAY_TASK_ID=3 "$IMGRAD" -v --shard auto/4 -o "$TMP/sho" "$S"
expect_grep "shard 4 of 4 from SLURM_ARRAY_TASK_ID=3" "$TMP/err" "-v prints the shard chosen"
expect_status 0 "empty shard" env SLURM_ARRAY_TASK_ID=7 "$IMGRAD" --shard auto/12 -o "$TMP/sho" "$A/camera.png"
expect_status 2 "bad auto" "$IMGRAD" --shard auto/0 "$S"

# ---- threads: the CPUs this process may use, counted in /proc while it works
B=$TMP/big; mkdir -p "$B"
$PY "$HELPER" big "$B" 1 1600
# max_threads CMD...: runs CMD, prints the most threads it had at once
max_threads() {
    "$@" >/dev/null 2>&1 &
    local pid=$! most=0 n
    while kill -0 $pid 2>/dev/null; do
        n=$(sed -n 's/^Threads:[[:space:]]*//p' /proc/$pid/status 2>/dev/null)
        [ -n "$n" ] && [ "$n" -gt "$most" ] && most=$n
        sleep 0.01
    done
    wait $pid
    echo "$most"
}
RUN="--overwrite --outputs gx,gy,magnitude,direction --format npy -o $TMP/to $B/big00.png"
if [ "$(nproc)" -ge 2 ]; then
    n=$(max_threads "$IMGRAD" -j 1 $RUN)
    if [ "$n" -ge 2 ]; then ok; else bad "the counter saw $n thread(s) of a free run on $(nproc) CPUs"; fi
    n=$(max_threads taskset -c 0 "$IMGRAD" -j 1 $RUN)
    expect_eq "$n" 1 "taskset -c 0 imgrad -j 1: threads"
    n=$(OMP_NUM_THREADS=1 max_threads "$IMGRAD" -j 1 $RUN)
    expect_eq "$n" 1 "OMP_NUM_THREADS=1 imgrad -j 1: threads"
    n=$(max_threads taskset -c 0 "$IMGRAD" $RUN)
    expect_eq "$n" 1 "taskset -c 0 imgrad: default threads"
else
    skip "thread counts need 2 CPUs"
fi
OMP_NUM_THREADS=1 "$IMGRAD" -v $RUN 2>"$TMP/err"
expect_grep "1 kernel thread each (OMP_NUM_THREADS)" "$TMP/err" "-v says why"
taskset -c 0 "$IMGRAD" -v $RUN 2>"$TMP/err"
expect_grep "1 CPU (.*1 in the affinity mask" "$TMP/err" "-v names the affinity mask"

# ---- signals: SIGTERM and SIGINT during a -j 2 batch of large images
$PY "$HELPER" big "$B" 8 1600
set -m # background jobs keep SIGINT (a script's would ignore it)
# stop_run SIG NAME [second]: starts a batch, signals it once an output exists
stop_run() {
    local sig=$1 name=$2 out=$TMP/sig-$2
    rm -rf "$out"
    "$IMGRAD" -j 2 --outputs gx,magnitude,direction --stats "$out.csv" -o "$out" "$B" 2>"$TMP/err-$name" &
    local pid=$!
    for _ in $(seq 400); do
        [ -d "$out" ] && [ "$(count_files "$out")" -gt 0 ] && break
        sleep 0.02
    done
    kill -"$sig" $pid
    [ "$3" = second ] && { sleep 0.05; kill -"$sig" $pid 2>/dev/null; }
    wait $pid; echo $? > "$TMP/rc-$name"
}
for pair in TERM:143 INT:130 HUP:129; do
    sig=${pair%:*}; want=${pair#*:}
    stop_run "$sig" "$sig"
    out=$TMP/sig-$sig
    expect_eq "$(cat "$TMP/rc-$sig")" "$want" "SIG$sig exit status"
    expect_eq "$(temporaries "$out")" 0 "SIG$sig: temporaries left"
    if $PY "$HELPER" decode-all "$out" > "$TMP/check"; then ok; else bad "SIG$sig: $(head -3 "$TMP/check")"; fi
    done_inputs=$(ls "$out" | grep -c '\.direction\.png$')
    # whole inputs only: each finished input has its three outputs
    expect_eq "$(count_files "$out")" "$((3 * done_inputs))" "SIG$sig: outputs of whole inputs only"
    if [ "$done_inputs" -ge 1 ] && [ "$done_inputs" -lt 8 ]; then ok
    else bad "SIG$sig: $done_inputs inputs done, want some but not all: nothing tested"; fi
    expect_lines "$((done_inputs + 1))" "$out.csv" "SIG$sig: the stats rows of the completed inputs"
    expect_grep "stopped by SIG$sig, [0-9]* not done" "$TMP/err-$sig" "SIG$sig: summary"
done
stop_run TERM twice second
expect_eq "$(cat "$TMP/rc-twice")" 143 "two SIGTERMs: exit status"
expect_eq "$(temporaries "$TMP/sig-twice")" 0 "two SIGTERMs: temporaries left"
if $PY "$HELPER" decode-all "$TMP/sig-twice" > "$TMP/check"; then ok; else bad "two SIGTERMs: $(head -3 "$TMP/check")"; fi
set +m
# the next run finishes the rest and skips what was done
expect_status 0 "after SIGTERM" "$IMGRAD" -j 2 --outputs gx,magnitude,direction --stats "$TMP/sig-TERM.again.csv" -o "$TMP/sig-TERM" "$B"
expect_grep "[1-9][0-9]* skipped" "$TMP/err" "completed inputs kept"
expect_eq "$(count_files "$TMP/sig-TERM")" 24 "every output after the re-run"
finish
