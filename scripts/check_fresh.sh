#!/bin/bash
# check_fresh.sh [COMMAND...]: runs README's two commands, `make demo` then
# `make test` (or the commands given, each one argument such as
# "make fuzz FUZZ_SECONDS=5"), as root in a fresh Debian 12 (bookworm): a
# debootstrap minbase root plus build-essential and git, into which the
# committed tree (HEAD, cloned: uncommitted files cannot hide a missing step)
# is cloned.  Every package the commands need must be installed by the
# commands themselves (make deps), from the Debian mirror the host's apt uses.
#
# The bare root is built once and kept as a tarball in CHECK_FRESH_CACHE
# (/var/cache/imgrad-check-fresh); each run unpacks a pristine copy of it.
# Downloaded .deb files are kept there too (apt's own cache, bind-mounted),
# so a re-run fetches only the package lists.  Runs as root; needs debootstrap
# (installed with apt-get when missing) and the network to the mirror.
#
# Time is bounded: CHECK_FRESH_TIMEOUT seconds (default 900) for the
# commands together, 900 more for building the bare root the first time.
# Measured on 2 cores: demo and test take 1.5 to 2.5 minutes, a run with the
# cache 1.7 to 2.7 in all; building the bare root 2.3 to 5 minutes more, once.
# Fails, naming the command, when any command fails or runs out of time.
set -euo pipefail

CACHE=${CHECK_FRESH_CACHE:-/var/cache/imgrad-check-fresh}
TIMEOUT=${CHECK_FRESH_TIMEOUT:-900}
SUITE=bookworm
INCLUDE=build-essential,git
say() { echo "check-fresh: $*" >&2; }
die() { say "ERROR: $*"; exit 1; }

[ "$(id -u)" -eq 0 ] || die "needs root (debootstrap, chroot and mounts)"
repo=$(git -C "$(dirname "$0")" rev-parse --show-toplevel)
head=$(git -C "$repo" rev-parse HEAD)
[ $# -gt 0 ] || set -- "make demo" "make test"
if [ -n "$(git -C "$repo" status --porcelain --untracked-files=no)" ]; then
    say "note: uncommitted changes are not tested; the chroot gets commit ${head:0:12}"
fi

# --- the host's Debian mirror: "URI SUITE" for every enabled deb source
sources() {
    local f
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
        [ -f "$f" ] || continue
        sed -e 's/#.*//' -e 's/\[[^]]*\]//' "$f" | awk '$1 == "deb" { print $2, $3 }'
    done
    for f in /etc/apt/sources.list.d/*.sources; do
        [ -f "$f" ] || continue
        awk 'function flush(  i, j) {
                 if (deb && on) for (i = 1; i <= nu; i++) for (j = 1; j <= ns; j++) print u[i], s[j]
                 deb = 0; on = 1; nu = 0; ns = 0 }
             BEGIN { on = 1 }
             /^[ \t]*#/ { next }
             /^[ \t]*$/ { flush(); next }
             { k = tolower($1) }
             k == "types:"   { for (i = 2; i <= NF; i++) if ($i == "deb") deb = 1 }
             k == "uris:"    { for (i = 2; i <= NF; i++) u[++nu] = $i }
             k == "suites:"  { for (i = 2; i <= NF; i++) s[++ns] = $i }
             k == "enabled:" { on = tolower($2) != "no" }
             END { flush() }' "$f"
    done
}
uri_for() { sources | awk -v s="$1" '$2 == s { sub("/*$", "", $1); print $1; exit }'; }
MIRROR=${CHECK_FRESH_MIRROR:-$(uri_for $SUITE)}
SECURITY=${CHECK_FRESH_SECURITY:-$(uri_for $SUITE-security)}
UPDATES=$(uri_for $SUITE-updates)
[ -n "$MIRROR" ] || die "no '$SUITE' source in /etc/apt/sources.list{,.d}: set CHECK_FRESH_MIRROR"

mkdir -p "$CACHE/logs" "$CACHE/debs/partial"
exec 9>"$CACHE/lock"
flock -n 9 || { say "another check-fresh holds $CACHE/lock; waiting"; flock 9; }

# --- the bare root, built once per mirror and recipe
key=$(printf '%s\n' "$SUITE" minbase "$INCLUDE" "$MIRROR" "$UPDATES" "$SECURITY" | sha256sum | cut -c1-12)
base=$CACHE/$SUITE-minbase-$key.tar
if [ ! -s "$base" ]; then
    if ! command -v debootstrap >/dev/null; then
        say "installing debootstrap on the host"
        "$repo/scripts/deps.sh" debootstrap
    fi
    tmp=$CACHE/base.tmp
    rm -rf --one-file-system "$tmp"
    say "building the bare $SUITE root (minbase + $INCLUDE) from $MIRROR; once"
    t0=$SECONDS
    timeout 900 debootstrap --variant=minbase --include="$INCLUDE" "$SUITE" "$tmp" "$MIRROR" \
        > "$CACHE/logs/debootstrap.log" 2>&1 \
        || { tail -n 30 "$CACHE/logs/debootstrap.log" >&2; die "debootstrap failed (log $CACHE/logs/debootstrap.log)"; }
    {
        echo "deb $MIRROR $SUITE main"
        [ -z "$UPDATES" ] || echo "deb $UPDATES $SUITE-updates main"
        [ -z "$SECURITY" ] || echo "deb $SECURITY $SUITE-security main"
    } > "$tmp/etc/apt/sources.list"
    # as a fresh machine is: no package lists, no downloaded packages
    rm -rf "$tmp"/var/lib/apt/lists/* "$tmp"/var/cache/apt/archives/*.deb
    mkdir -p "$tmp/var/lib/apt/lists/partial"
    tar -C "$tmp" -cf "$base.tmp" . && mv "$base.tmp" "$base"
    rm -rf --one-file-system "$tmp"
    say "bare root built in $((SECONDS - t0)) s: $base ($(du -h "$base" | cut -f1))"
fi

# --- a pristine copy, the committed tree, and the host's way to the mirror
root=$(realpath "$(mktemp -d "$CACHE/run.XXXXXX")")
mounted=(); runner=; rcfile=$CACHE/logs/.status.$$
cleanup() {
    local rc=$? pid m i
    trap - EXIT INT TERM
    # processes left in the chroot (a timed-out test's children): ended by id
    for pid in $(ls /proc | grep -E '^[0-9]+$'); do
        [ "$(readlink "/proc/$pid/root" 2>/dev/null)" = "$root" ] && kill -9 "$pid" 2>/dev/null
    done
    [ -z "$runner" ] || wait "$runner" 2>/dev/null || true
    rm -f "$rcfile"
    for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
        m=${mounted[i]}
        umount -R "$m" 2>/dev/null || umount -R -l "$m" 2>/dev/null || true
    done
    if grep -qF " $root/" /proc/mounts; then
        say "ERROR: still mounted under $root; not removing it:"
        grep -F " $root/" /proc/mounts >&2
        rc=1
    elif [ -z "${CHECK_FRESH_KEEP:-}" ]; then
        rm -rf --one-file-system "$root"
    else
        say "kept $root (CHECK_FRESH_KEEP)"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'say "interrupted"; exit 130' INT
trap 'say "terminated"; exit 143' TERM
tar -C "$root" -xf "$base"
cp /etc/resolv.conf "$root/etc/resolv.conf"
# apt settings of the host's that concern reaching the mirror (proxies,
# Check-Valid-Until for a snapshot mirror), so apt in the chroot gets there too
for f in /etc/apt/apt.conf /etc/apt/apt.conf.d/*; do
    if [ -f "$f" ] && grep -q '^[^#/]*Acquire::' "$f"; then cp "$f" "$root/etc/apt/apt.conf.d/"; fi
done
git clone -q --no-hardlinks --no-checkout "$repo" "$root/root/imgrad"
git -C "$root/root/imgrad" checkout -q --detach "$head"

mnt() { mount "$@"; mounted+=("${@: -1}"); }
mnt -t proc proc "$root/proc"
mnt -t sysfs sysfs "$root/sys"
mnt --rbind /dev "$root/dev"; mount --make-rslave "$root/dev"
mnt --bind "$CACHE/debs" "$root/var/cache/apt/archives"

# --- the commands, in the clone, as root, with no terminal and a bare environment
say "commit ${head:0:12} on a fresh Debian $SUITE (minbase + $INCLUDE), mirror $MIRROR"
results=(); failed=0; passed=0; start=$SECONDS
for c in "$@"; do
    log=$CACHE/logs/$(echo "$c" | tr -c 'A-Za-z0-9=\n' '_').log
    left=$((TIMEOUT - (SECONDS - start)))
    if [ "$left" -le 0 ]; then
        results+=("$c: not run (time limit ${TIMEOUT}s used up)"); failed=$((failed + 1)); continue
    fi
    say "==== $c ===="
    t0=$SECONDS
    # in the background, so that an interrupt is handled at once (by cleanup)
    rm -f "$rcfile"
    set +e
    { timeout -k 30 "$left" chroot "$root" /usr/bin/env -i HOME=/root TERM=dumb \
          PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
          /bin/sh -c "cd /root/imgrad && $c" < /dev/null 2>&1
      echo $? > "$rcfile"; } | tee "$log" &
    runner=$!
    wait "$runner"
    set -e
    runner=
    rc=$(cat "$rcfile" 2>/dev/null || echo 255)
    took=$((SECONDS - t0))
    if [ "$rc" -eq 0 ]; then
        results+=("$c: passed (${took} s)"); passed=$((passed + 1))
    elif [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
        results+=("$c: FAILED, still running at the time limit (${TIMEOUT}s for all), log $log")
        failed=$((failed + 1))
    else
        results+=("$c: FAILED with exit status $rc after ${took} s, log $log"); failed=$((failed + 1))
    fi
done

echo
echo "check-fresh summary (commit ${head:0:12}, fresh Debian $SUITE, $((SECONDS - start)) s):"
for r in "${results[@]}"; do echo "  $r"; done
echo "check-fresh: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
