#!/bin/bash
# SPDX-FileCopyrightText: 2026 The Etherdisk developers
# SPDX-License-Identifier: GPL-2.0-or-later
#
# test-kernel-attacher.sh — the helper's attach/detach (helper/service/
# attacher.cpp) against the Linux kernel's aoe driver in ONE qemu guest
# booted without aoe (aoe-guest.sh --no-aoe): tst_attacher runs inside it
# (see tests/kernel/tst_attacher.cpp for what it checks), then
# guest-helper-bus.sh starts a private system bus with polkitd and the
# bus-activated etherdisk-helper in the guest and busctl introspects it.
# On the host side of the tap, etherdisk-target serves e1.2 (a fresh ext4
# image, so the guest can mount it) and e1.20 (random bytes).
# Exit 0 pass, 1 fail, 77 skip (reason printed; a failure with
# ETHERDISK_NO_SKIP=1).
#
# Parameters (environment; CMake passes the first three):
#   ATTACH_TST     the tst_attacher binary
#   TARGET_BIN     the etherdisk-target binary
#   HELPER_BIN     the etherdisk-helper binary
#   TIMEOUT        guest run timeout in seconds (default 300)
#   KEEP_WORKDIR=1 keep the work directory (printed)
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=guest-lib.sh
. "$HERE/guest-lib.sh"
TIMEOUT=${TIMEOUT:-300}

[ "$(id -u)" = 0 ] || edk_skip "needs root (network namespace, tap device)"
command -v qemu-system-x86_64 >/dev/null || edk_skip "qemu-system-x86_64 not installed (qemu-system-x86)"
ls /boot/vmlinuz-* >/dev/null 2>&1 || edk_skip "no kernel in /boot (linux-image-amd64)"
find /lib/modules/ -name 'aoe.ko*' 2>/dev/null | grep -q . || edk_skip "no aoe.ko under /lib/modules (linux-image-amd64)"
command -v mkfs.ext4 >/dev/null || edk_skip "mkfs.ext4 not found (e2fsprogs)"
command -v busctl >/dev/null || edk_skip "busctl not found (systemd)"
for v in ATTACH_TST TARGET_BIN HELPER_BIN; do
    [ -x "${!v:-}" ] || { echo "FAIL: $v is not an executable: '${!v:-}'"; exit 1; }
done

WORK=$(mktemp -d /tmp/edk-kattach.XXXXXX)
# shellcheck disable=SC2317  # invoked by trap
cleanup() { if [ "${KEEP_WORKDIR:-0}" = 1 ]; then echo "work directory kept: $WORK"; else rm -rf "$WORK"; fi; }
trap cleanup EXIT

mkdir -p "$WORK/guest/mnt" "$WORK/state1" "$WORK/state2"
if ! truncate -s 4M "$WORK/e1.2.img" || ! mkfs.ext4 -q -F "$WORK/e1.2.img"; then
    echo "FAIL: cannot create the ext4 image"
    exit 1
fi
head -c 4M /dev/urandom >"$WORK/e1.20.img"
TCMD="sh -c '$TARGET_BIN --state-dir $WORK/state1 1 2 @IF@ $WORK/e1.2.img & exec $TARGET_BIN --state-dir $WORK/state2 1 20 @IF@ $WORK/e1.20.img'"

echo "=== attach/detach through the aoe driver (one guest boot)"
edk_guest_run_report attacher "$WORK" --no-aoe --mtu 1500 --timeout "$TIMEOUT" \
    --target "$TCMD" --guest "$HERE/guest-attacher-checks.sh" \
    --env "ATTACH_TST=$ATTACH_TST" --env "ATTACH_HELPER=$HELPER_BIN" \
    --env "ATTACH_IMG=$WORK/e1.2.img" --env "ATTACH_IMG2=$WORK/e1.20.img" \
    --env "ATTACH_MNT=$WORK/guest/mnt"
