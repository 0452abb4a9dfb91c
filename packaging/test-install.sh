#!/bin/bash
# SPDX-FileCopyrightText: 2026 The Etherdisk developers
# SPDX-License-Identifier: GPL-2.0-or-later
#
# test-install.sh DEBDIR — install Etherdisk's .debs in a fresh, minimal
# Debian root with apt and check that they work and leave nothing behind.
#
# 1. The root: `mmdebstrap --variant=apt` of $ETHERDISK_TEST_SUITE (default:
#    this machine's release) from the archive apt uses here, with the
#    packages our .debs depend on and recommend already in it (names read from
#    the .debs). It is cached as a tarball in $ETHERDISK_CI_CACHE (default
#    /var/cache/etherdisk-ci), keyed by suite, ISO week and the dependency
#    list, so it is rebuilt at most once a week or when the dependencies
#    change; older tarballs of this suite are deleted. Building it is the
#    only step that uses the network.
# 2. The checks run in a copy of that root, chrooted inside new mount, PID,
#    network, IPC and UTS namespaces (unshare): no network at all, nothing
#    of the host mounted but /dev/{null,zero,full,random,urandom}
#    (and a private devpts), every
#    process ended with the namespace. The host's network configuration is
#    never touched.
# 3. Inside: `apt-get install ./*.deb` (nothing to download); every file in place;
#    `etherdisk-target --help`, `etherdiskctl --help` and the helper's
#    --version run; etherdisk-target links no Qt; a system dbus-daemon picks
#    up the bus policy and activation file (the helper is started by bus
#    activation and introspected) and polkitd the actions (pkaction, and
#    the helper's GetPermissions answered through polkit for root); then
#    `apt-get remove` leaves only /etc/etherdisk/exports.conf (and state under
#    /var/lib/etherdisk), and `apt-get purge` leaves the root exactly as it
#    was before the install.
#
# Exit: 0 passed, 1 failed, 77 skipped (not root, mmdebstrap missing, or no
# cached root and the archive cannot be reached); with ETHERDISK_NO_SKIP=1 a
# skip is a failure.
set -euo pipefail

T0=$EPOCHREALTIME
say() { echo "test-install: $*"; }
fail() { echo "test-install: FAIL: $*" >&2; exit 1; }
skip() {
    if [ -n "${ETHERDISK_NO_SKIP:-}" ] && [ "${ETHERDISK_NO_SKIP}" != 0 ]; then
        fail "would skip (ETHERDISK_NO_SKIP=1): $*"
    fi
    echo "test-install: SKIP: $*"
    exit 77
}
elapsed() { awk -v a="$T0" -v b="$EPOCHREALTIME" 'BEGIN {printf "%.1f", b - a}'; }

[ $# -eq 1 ] || { echo "usage: $0 DEBDIR" >&2; exit 64; }
debdir=$(cd "$1" && pwd)
[ "$(id -u)" -eq 0 ] || skip "needs root (chroot, namespaces, dpkg in the test root)"
command -v mmdebstrap >/dev/null || skip "mmdebstrap is not installed (scripts/setup.sh installs it)"
command -v unshare >/dev/null || skip "unshare (util-linux) is not installed"

shopt -s nullglob
debs=()
for f in "$debdir"/*.deb; do
    [[ $f == *-dbgsym_* ]] || debs+=("$f")
done
[ ${#debs[@]} -gt 0 ] || fail "no .deb in $debdir (packaging/build-deb.sh $debdir builds them)"
pkgs=()
for f in "${debs[@]}"; do pkgs+=("$(dpkg-deb -f "$f" Package)"); done
say "packages: ${pkgs[*]}"

# ---- 1. the cached root -------------------------------------------------------------
. /etc/os-release
SUITE=${ETHERDISK_TEST_SUITE:-${VERSION_CODENAME:?}}
ARCH=$(dpkg --print-architecture)
# The archive apt uses here for that suite's main component (for another
# suite than this machine's: the archive of this machine's suite).
mirror_of() {
    apt-cache policy 2>/dev/null \
        | awk -v s="$1/main" -v a="$ARCH" '$3 == s && $4 == a && $2 ~ /^https?:/ {print $2; exit}'
}
MIRROR=${ETHERDISK_TEST_MIRROR:-$(mirror_of "$SUITE")}
MIRROR=${MIRROR:-$(mirror_of "$VERSION_CODENAME")}
[ -n "$MIRROR" ] || skip "apt here has no source for $SUITE/main $ARCH (set ETHERDISK_TEST_MIRROR)"

# Names (first alternative, no versions) of what our packages depend on and
# recommend, minus our own packages.
deps=$(for f in "${debs[@]}"; do
           dpkg-deb -f "$f" Depends Recommends | sed -n 's/^[A-Za-z-]*: //p'
       done | tr ',' '\n' | sed 's/|.*//; s/(.*)//; s/:any//; s/[[:space:]]//g' \
            | grep -v '^$' | grep -vxF -f <(printf '%s\n' "${pkgs[@]}") | sort -u | paste -sd, -)
week=$(date -u +%G-W%V)
key=$(printf '%s\n' "$SUITE" "$ARCH" "$MIRROR" "$deps" | sha256sum | cut -c1-12)
CACHE=${ETHERDISK_CI_CACHE:-/var/cache/etherdisk-ci}
tarball="$CACHE/test-root-$SUITE-$ARCH-$week-$key.tar"
mkdir -p "$CACHE"

exec 9>"$CACHE/test-root.lock"
flock 9
if [ -f "$tarball" ]; then
    say "cached root $tarball"
else
    if ! curl -fsS -o /dev/null --max-time 20 "$MIRROR/dists/$SUITE/Release"; then
        skip "no cached root and the archive $MIRROR cannot be reached"
    fi
    say "creating the root ($SUITE from $MIRROR, with: $deps)"
    tmp=$(mktemp "$CACHE/.test-root.XXXXXX.tar")
    if ! mmdebstrap --quiet --mode=root --variant=apt --include="$deps" \
            "$SUITE" "$tmp" "deb $MIRROR $SUITE main"; then
        rm -f "$tmp"
        fail "mmdebstrap could not create the root"
    fi
    mv "$tmp" "$tarball"
    for old in "$CACHE"/test-root-"$SUITE-$ARCH"-*.tar; do
        [ "$old" = "$tarball" ] || { say "deleting the outdated root $old"; rm -f "$old"; }
    done
    say "root cached ($(du -h "$tarball" | cut -f1)) after $(elapsed) s"
fi

work=$(mktemp -d /var/tmp/etherdisk-test-install.XXXXXX)
trap 'rm -rf --one-file-system "$work"' EXIT
root="$work/root"
mkdir "$root"
tar -C "$root" -xpf "$tarball"
flock -u 9
mkdir -p "$root/srv/etherdisk-test/debs"
cp "${debs[@]}" "$root/srv/etherdisk-test/debs/"
printf '%s\n' "${pkgs[@]}" >"$root/srv/etherdisk-test/packages"
cp "$(dirname "${BASH_SOURCE[0]}")/test-install-inside.sh" "$root/srv/etherdisk-test/inside.sh"
say "root ready after $(elapsed) s"

# ---- 2. the checks, in private namespaces ---------------------------------------------
set +e
unshare --mount --pid --net --ipc --uts --fork --kill-child --propagation private -- \
    /bin/bash -euc '
        r=$1
        mount -t proc proc "$r/proc"
        mount -t tmpfs -o mode=0755,nosuid tmpfs "$r/dev"
        for n in null zero full random urandom; do
            touch "$r/dev/$n"; mount --bind "/dev/$n" "$r/dev/$n"
        done
        ln -s /proc/self/fd "$r/dev/fd"
        mkdir "$r/dev/pts"
        mount -t devpts -o newinstance,ptmxmode=0666,mode=0620 devpts "$r/dev/pts"
        ln -s pts/ptmx "$r/dev/ptmx"
        mount -t tmpfs -o mode=0755,nosuid,nodev tmpfs "$r/run"
        mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs "$r/tmp"
        exec chroot "$r" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 \
            /bin/bash /srv/etherdisk-test/inside.sh' _ "$root"
rc=$?
set -e
[ $rc -eq 0 ] || fail "the checks in the $SUITE root failed (exit $rc) after $(elapsed) s"
say "PASS in $(elapsed) s ($SUITE root, ${#pkgs[@]} packages)"
