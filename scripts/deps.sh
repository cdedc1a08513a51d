#!/bin/sh
# Installs the Debian packages named as arguments when any is missing.
# As root it runs apt-get, noninteractively; otherwise it prints the exact
# command and fails.  Each name must be a real package (not a virtual one),
# since dpkg-query checks that name itself: libjpeg-dev, not "libjpeg".
# The package lists are fetched only when needed: when apt has none (a fresh
# machine or a container image), or when the install fails without fetching
# them (a package apt does not know yet, or lists old enough that a file is gone).
missing=""
for p in "$@"; do
    dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q "install ok installed" \
        || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
cmd="apt-get install -y --no-install-recommends$missing"
# another apt-get running (a second make, a concurrent job) is waited for
wait="-o DPkg::Lock::Timeout=600"
if [ "$(id -u)" -ne 0 ]; then
    echo "imgrad: missing Debian packages:$missing" >&2
    echo "run: sudo apt-get update && sudo $cmd" >&2
    exit 1
fi
echo "installing:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
update() { apt-get $wait update -qq || { echo "imgrad: apt-get update failed" >&2; exit 1; }; }
if ! ls /var/lib/apt/lists/ 2>/dev/null | grep -q '_Packages'; then
    update
elif $cmd $wait -qq; then
    exit 0
else
    echo "imgrad: apt-get install failed; fetching the package lists and trying again" >&2
    update
fi
$cmd $wait -qq || { echo "imgrad: could not install:$missing" >&2; exit 1; }
