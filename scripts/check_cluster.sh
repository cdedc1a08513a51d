#!/bin/bash
# check_cluster.sh IMGRAD - make check-cluster: docs/clusters.md's recipes on
# real job systems, on this machine.
#
# 1. Slurm: munged, slurmctld and slurmd started here (a one-node cluster on
#    localhost, config and state in a temporary folder, each daemon stopped
#    by its PID at the end), the Slurm recipe run verbatim as a job array
#    over a tree of photos: every output written exactly once, the per-task
#    stats merged into one table with every photo once; then a task cancelled
#    before it ran and resubmitted alone, and the same checks again.
# 2. GNU parallel: the local recipe with --joblog, one shard failing on a
#    broken photo, then --resume-failed after the photo is fixed.
# Bounded: 16 small photos, every wait has a deadline (the whole check takes
# well under a minute on a quiet machine; the deadline is 4 minutes).
set -u
IMGRAD=$(cd "$(dirname "${1:-build/imgrad}")" && pwd)/$(basename "${1:-build/imgrad}")
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DOC=$ROOT/docs/clusters.md
W=$(mktemp -d /tmp/imgrad-cluster.XXXXXX)
chmod 700 "$W"
PIDS=()
PASS=0; FAIL=0
ok()  { PASS=$((PASS + 1)); }
bad() { FAIL=$((FAIL + 1)); echo "FAIL: $*" >&2; }
stop_daemons() {
    local p
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
    for p in "${PIDS[@]}"; do
        for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$p" 2>/dev/null
    done
    PIDS=()
}
cleanup() { stop_daemons; rm -rf "$W"; }
trap cleanup EXIT
trap 'exit 1' INT TERM
die() { echo "check-cluster: $*" >&2; for f in "$W"/*.log; do echo "--- $f"; tail -20 "$f"; done >&2; exit 1; }
# wait_for SECONDS CMD...: until CMD succeeds, or fail
wait_for() {
    local limit=$1; shift
    for _ in $(seq $((limit * 10))); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done
    return 1
}
# recipe NAME: the code block after <!-- recipe: NAME --> in docs/clusters.md,
# with /shared/ turned into this check's folder
recipe() {
    awk -v name="$1" '$0 == "<!-- recipe: " name " -->" { on = 1; next }
        on && /^```/ { if (started) exit; started = 1; next } on && started' "$DOC" \
        | sed "s|/shared/|$W/shared/|g"
}
for cmd in munged slurmctld slurmd sbatch parallel; do
    command -v $cmd >/dev/null || die "$cmd missing (make check-cluster installs slurm-wlm, munge, parallel)"
done
[ -x "$IMGRAD" ] || die "no $IMGRAD"

# ---- the photos: 16 small images from assets/ under several names, in folders
P=$W/shared/photos
mkdir -p "$P/a" "$P/b/c"
i=0
for d in "" a b/c a; do
    for f in "$ROOT"/assets/*.png; do
        [ $i -lt 16 ] && cp "$f" "$P/$d/p$i.png"; i=$((i + 1))
    done
done
NPHOTOS=$(find "$P" -name '*.png' | wc -l)

# ---- munge and a one-node Slurm on localhost
mkdir -p "$W/state" "$W/spool" "$W/bin"
ln -s "$IMGRAD" "$W/bin/imgrad"
export PATH=$W/bin:$PATH
dd if=/dev/urandom of="$W/munge.key" bs=1024 count=1 status=none
chmod 400 "$W/munge.key"
munged -F -f --key-file="$W/munge.key" --socket="$W/munge.sock" --pid-file="$W/munged.pid" \
    --log-file="$W/munged.log" --seed-file="$W/munged.seed" 2>>"$W/munged.log" &
PIDS+=($!)
wait_for 10 test -S "$W/munge.sock" || die "munged did not start"
CPUS=$(nproc)
MEM=$(awk '/MemTotal/ { print int($2 / 1024 / 2) }' /proc/meminfo)
BASE=$((20000 + $$ % 20000))
cat > "$W/slurm.conf" <<EOF
ClusterName=imgradcheck
SlurmctldHost=localhost(127.0.0.1)
SlurmctldPort=$BASE
SlurmdPort=$((BASE + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$W/munge.sock
CredType=cred/munge
StateSaveLocation=$W/state
SlurmdSpoolDir=$W/spool
SlurmctldPidFile=$W/slurmctld.pid
SlurmdPidFile=$W/slurmd.pid
SlurmctldLogFile=$W/slurmctld.log
SlurmdLogFile=$W/slurmd.log
PlugStackConfig=$W/plugstack.conf
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
ReturnToService=2
SlurmdTimeout=30
KillWait=10
NodeName=localhost NodeAddr=127.0.0.1 CPUs=$CPUS RealMemory=$MEM State=UNKNOWN
PartitionName=check Nodes=localhost Default=YES MaxTime=10 State=UP
EOF
: > "$W/plugstack.conf"
export SLURM_CONF=$W/slurm.conf
slurmctld -D -i -f "$SLURM_CONF" >>"$W/slurmctld.log" 2>&1 &
PIDS+=($!)
slurmd -D -N localhost -f "$SLURM_CONF" >>"$W/slurmd.log" 2>&1 &
PIDS+=($!)
idle() { sinfo -h -N -o '%T' | grep -qx idle; }
wait_for 60 idle || die "the node did not come up: $(sinfo -N 2>&1)"
echo "check-cluster: Slurm $(sinfo -V | cut -d' ' -f2) up on localhost, $CPUS CPUs" >&2

# ---- the Slurm recipe as a job array
recipe slurm > "$W/job.sh"
grep -q 'imgrad ' "$W/job.sh" || die "no Slurm recipe in $DOC"
OUT=$W/shared/edges
# finished JOBID: no task of the job left in the queue
finished() { [ -z "$(squeue -h -j "$1" 2>/dev/null)" ]; }
# check_outputs WHAT: each photo's output once, no temporaries, stats merged
check_outputs() {
    local what=$1 n written
    n=$(find "$OUT" -name '*.magnitude.png' | wc -l)
    if [ "$n" -eq "$NPHOTOS" ]; then ok; else bad "$what: $n outputs, want $NPHOTOS"; fi
    n=$(find "$OUT" -name '.*imgrad-tmp*' | wc -l)
    if [ "$n" -eq 0 ]; then ok; else bad "$what: $n temporaries left"; fi
    # the stats merge of docs/clusters.md: one header, one row per photo
    (cd "$OUT" && recipe merge-stats | sh) || bad "$what: merging the stats failed"
    n=$(tail -n +2 "$OUT/stats.csv" | cut -d, -f1 | sort -u | wc -l)
    local rows=$(($(wc -l < "$OUT/stats.csv") - 1))
    if [ "$n" -eq "$NPHOTOS" ] && [ "$rows" -eq "$NPHOTOS" ]; then ok
    else bad "$what: merged stats have $rows rows for $n photos, want $NPHOTOS"; fi
}
# written_total: outputs the tasks' --summary files say they wrote
written_total() {
    python3 -c 'import json, sys; print(sum(json.load(open(f))["written"] for f in sys.argv[1:]))' "$OUT"/summary-*.json
}
(cd "$W" && sbatch --parsable -o "$W/slurm-%A_%a.out" job.sh) > "$W/jobid" 2>"$W/sbatch.err" \
    || die "sbatch: $(cat "$W/sbatch.err")"
JOB=$(cat "$W/jobid")
wait_for 120 finished "$JOB" || die "job $JOB still queued after 120 s: $(squeue 2>&1)"
check_outputs "job array"
w=$(written_total)
if [ "$w" -eq "$NPHOTOS" ]; then ok; else bad "the tasks wrote $w outputs in all, want $NPHOTOS (each once)"; fi
n=$(grep -l . "$W"/slurm-"$JOB"_*.out 2>/dev/null | wc -l)
if [ "$n" -eq 0 ]; then ok; else bad "tasks printed: $(cat "$W"/slurm-"$JOB"_*.out | head -5)"; fi

# ---- a task cancelled before it ran, then resubmitted alone
rm -rf "$OUT"
(cd "$W" && sbatch --parsable --hold -o "$W/slurm-%A_%a.out" job.sh) > "$W/jobid" || die "sbatch --hold"
JOB=$(cat "$W/jobid")
wait_for 20 sh -c "squeue -h -r -j $JOB | grep -q ${JOB}_3" || die "no task 3 in job $JOB"
scancel "${JOB}_3" || bad "scancel ${JOB}_3"
scontrol release "$JOB" || bad "scontrol release $JOB"
wait_for 120 finished "$JOB" || die "job $JOB still queued"
n=$(find "$OUT" -name '*.magnitude.png' | wc -l)
if [ "$n" -lt "$NPHOTOS" ] && [ "$n" -gt 0 ]; then ok; else bad "after cancelling task 3: $n outputs"; fi
(cd "$W" && sbatch --parsable --array=3 -o "$W/slurm-%A_%a.out" job.sh) > "$W/jobid" || die "resubmit"
JOB=$(cat "$W/jobid")
wait_for 120 finished "$JOB" || die "job $JOB still queued"
check_outputs "after resubmitting task 3"
w=$(written_total)
if [ "$w" -eq "$NPHOTOS" ]; then ok; else bad "with the resubmitted task: $w outputs written, want $NPHOTOS"; fi
stop_daemons

# ---- GNU parallel with --joblog and --resume-failed
OUT=$W/shared/edges
rm -rf "$OUT"
cp "$P/a/p5.png" "$W/good.png"
printf 'not a png' > "$P/a/p5.png"
recipe parallel > "$W/parallel.sh"
grep -q 'parallel' "$W/parallel.sh" || die "no GNU parallel recipe in $DOC"
(cd "$W" && bash parallel.sh) >/dev/null 2>"$W/parallel.err"
failed=$(awk 'NR > 1 && $7 != 0' "$W/shared/imgrad.joblog" | wc -l)
if [ "$failed" -eq 1 ]; then ok; else bad "parallel: $failed failed shards, want 1 (the broken photo's)"; fi
cp "$W/good.png" "$P/a/p5.png"
recipe parallel-retry > "$W/retry.sh"
(cd "$W" && bash retry.sh) >/dev/null 2>"$W/retry.err"
rc=$?
if [ "$rc" -eq 0 ]; then ok; else bad "parallel --resume-failed: exit $rc: $(head -3 "$W/retry.err")"; fi
runs=$(awk 'NR > 1' "$W/shared/imgrad.joblog" | wc -l)
if [ "$runs" -eq 5 ]; then ok; else bad "joblog: $runs runs, want 4 and the one retried"; fi
check_outputs "GNU parallel"
echo "check-cluster: $PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
