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

# shellcheck source=packaging/root-lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/root-lib.sh"
root_debs "$debdir"
debs=("${DEBS[@]}")
pkgs=("${PKGS[@]}")
say "packages: ${pkgs[*]}"

# ---- 1. the cached root -------------------------------------------------------------
. /etc/os-release
SUITE=${ETHERDISK_TEST_SUITE:-${VERSION_CODENAME:?}}
root_tarball test-root "$SUITE" apt "$(root_deps "${pkgs[@]}" -- "${debs[@]}")"

work=$(mktemp -d /var/tmp/etherdisk-test-install.XXXXXX)
trap 'rm -rf --one-file-system "$work"' EXIT
root="$work/root"
root_unpack "$ROOT_TARBALL" "$root"
mkdir -p "$root/srv/etherdisk-test/debs"
cp "${debs[@]}" "$root/srv/etherdisk-test/debs/"
printf '%s\n' "${pkgs[@]}" >"$root/srv/etherdisk-test/packages"
cp "$(dirname "${BASH_SOURCE[0]}")/test-install-inside.sh" "$root/srv/etherdisk-test/inside.sh"
say "root ready after $(elapsed) s"

# ---- 2. the checks, in private namespaces ---------------------------------------------
set +e
root_run "$root" /bin/bash /srv/etherdisk-test/inside.sh
rc=$?
set -e
[ $rc -eq 0 ] || fail "the checks in the $SUITE root failed (exit $rc) after $(elapsed) s"
say "PASS in $(elapsed) s ($SUITE root, ${#pkgs[@]} packages)"
