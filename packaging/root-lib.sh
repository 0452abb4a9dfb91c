# shellcheck shell=bash
# SPDX-FileCopyrightText: 2026 The Etherdisk developers
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Sourced by test-install.sh, test-upgrade.sh and build-in-root.sh: fresh Debian roots made
# by mmdebstrap, cached as tarballs, and commands run inside them in private
# namespaces. Callers define say(), fail() and skip().
#
#   root_mirror SUITE            the archive apt uses here for SUITE/main (for
#                                a suite apt here does not know: the archive
#                                of this machine's own suite); ETHERDISK_TEST_MIRROR wins
#   root_tarball NAME SUITE VARIANT PACKAGES
#                                sets ROOT_TARBALL to the cached tarball of a root of SUITE
#                                (mmdebstrap --variant=VARIANT --include=PACKAGES),
#                                making it first if needed: $ETHERDISK_CI_CACHE
#                                (default /var/cache/etherdisk-ci)/NAME-SUITE-ARCH-WEEK-KEY.tar,
#                                KEY a hash of the mirror and PACKAGES, WEEK the ISO
#                                week, so it is remade at most weekly; older ones
#                                of the same NAME and SUITE are deleted. Skips when
#                                it must be made and the archive cannot be reached.
#   root_debs DEBDIR             sets DEBS to the .debs in DEBDIR (no -dbgsym) and
#                                PKGS to their package names; fails if there is none
#   root_deps PACKAGE... -- DEB...
#                                the names (first alternative, no versions) of
#                                what the .debs depend on and recommend, minus
#                                PACKAGEs (our own), comma-separated
#   root_unpack TARBALL DIR      unpacks it (under the cache's lock)
#   root_run DIR COMMAND...      runs COMMAND chrooted in DIR inside new mount,
#                                PID, network, IPC and UTS namespaces: no network,
#                                nothing of the host but /dev/{null,zero,full,random,urandom},
#                                a private /dev/pts, fresh /run and /tmp; every
#                                process in it ends with it

ROOT_ARCH=$(dpkg --print-architecture)
ROOT_CACHE=${ETHERDISK_CI_CACHE:-/var/cache/etherdisk-ci}

root_mirror() {
    local suite=$1 m
    _mirror_of() {
        apt-cache policy 2>/dev/null \
            | awk -v s="$1/main" -v a="$ROOT_ARCH" '$3 == s && $4 == a && $2 ~ /^https?:/ {print $2; exit}'
    }
    m=${ETHERDISK_TEST_MIRROR:-$(_mirror_of "$suite")}
    # shellcheck disable=SC1091
    [ -n "$m" ] || m=$(. /etc/os-release && _mirror_of "$VERSION_CODENAME")
    echo "$m"
}

root_tarball() {
    local name=$1 suite=$2 variant=$3 packages=$4 mirror week key tarball tmp old rc=0
    mirror=$(root_mirror "$suite")
    [ -n "$mirror" ] || skip "apt here has no source for $suite/main $ROOT_ARCH (set ETHERDISK_TEST_MIRROR)"
    week=$(date -u +%G-W%V)
    key=$(printf '%s\n' "$suite" "$ROOT_ARCH" "$variant" "$mirror" "$packages" | sha256sum | cut -c1-12)
    tarball="$ROOT_CACHE/$name-$suite-$ROOT_ARCH-$week-$key.tar"
    mkdir -p "$ROOT_CACHE"
    (
        flock 9
        if [ -f "$tarball" ]; then
            say "cached root $tarball"
            exit 0
        fi
        if ! curl -fsS -o /dev/null --max-time 20 "$mirror/dists/$suite/Release"; then
            exit 77
        fi
        say "creating the $suite root from $mirror (variant $variant, with: $packages)"
        tmp=$(mktemp "$ROOT_CACHE/.$name.XXXXXX.tar")
        if ! mmdebstrap --quiet --mode=root --variant="$variant" --include="$packages" \
                "$suite" "$tmp" "deb $mirror $suite main"; then
            rm -f "$tmp"
            exit 1
        fi
        mv "$tmp" "$tarball"
        for old in "$ROOT_CACHE/$name-$suite-$ROOT_ARCH"-*.tar; do
            [ "$old" = "$tarball" ] || { say "deleting the outdated root $old"; rm -f "$old"; }
        done
        say "root cached ($(du -h "$tarball" | cut -f1))"
    ) 9>"$ROOT_CACHE/roots.lock" || rc=$?
    # shellcheck disable=SC2034 # ROOT_TARBALL is read by the caller
    case $rc in
        0) ROOT_TARBALL=$tarball ;;
        77) skip "no cached $suite root and the archive $mirror cannot be reached" ;;
        *) fail "mmdebstrap could not create the $suite root" ;;
    esac
}

root_debs() {
    local f
    DEBS=()
    PKGS=()
    for f in "$1"/*.deb; do
        [ -e "$f" ] || continue
        [[ $f == *-dbgsym_* ]] || DEBS+=("$f")
    done
    [ ${#DEBS[@]} -gt 0 ] || fail "no .deb in $1 (packaging/build-deb.sh $1 builds them)"
    for f in "${DEBS[@]}"; do PKGS+=("$(dpkg-deb -f "$f" Package)"); done
}

root_deps() {
    local own=()
    while [ $# -gt 0 ] && [ "$1" != -- ]; do own+=("$1"); shift; done
    shift
    for f in "$@"; do
        dpkg-deb -f "$f" Depends Recommends | sed -n 's/^[A-Za-z-]*: //p'
    done | tr ',' '\n' | sed 's/|.*//; s/(.*)//; s/:any//; s/[[:space:]]//g' \
        | grep -v '^$' | grep -vxF -f <(printf '%s\n' "${own[@]}") | sort -u | paste -sd, -
}

root_unpack() {
    mkdir -p "$2"
    flock "$ROOT_CACHE/roots.lock" tar -C "$2" -xpf "$1"
}

root_run() {
    local dir=$1
    shift
    unshare --mount --pid --net --ipc --uts --fork --kill-child --propagation private -- \
        /bin/bash -euc '
            r=$1; shift
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
            exec chroot "$r" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 "$@"' \
        _ "$dir" "$@"
}
