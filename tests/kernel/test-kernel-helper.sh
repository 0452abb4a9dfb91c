#!/bin/bash
# SPDX-FileCopyrightText: 2026 The Etherdisk developers
# SPDX-License-Identifier: GPL-2.0-or-later
#
# test-kernel-helper.sh — etherdisk-helper end to end against the Linux
# kernel's aoe driver: ONE qemu guest booted without aoe (aoe-guest.sh
# --no-aoe) runs a private system bus, polkitd and the bus-activated helper,
# and guest-helper-checks.sh drives Target.Attach/Detach over D-Bus while
# etherdisk-target serves e1.2 on the host side of the tap and is killed and
# restarted (loss within 6 s and recovery). See guest-helper-checks.sh for
# every check. Exit 0 pass, 1 fail, 77 skip (reason printed; a failure with
# ETHERDISK_NO_SKIP=1).
#
# Parameters (environment; CMake passes the first three):
#   TARGET_BIN     the etherdisk-target binary
#   HELPER_BIN     the etherdisk-helper binary
#   CLIENT_BIN     the tests' helperclient binary
#   GUI_TST, LISTENER_BIN  tst_gui_attach and notificationlistener (builds
#                  with the desktop app; the window's checks are left out without)
#   TIMEOUT        guest run timeout in seconds (default 480)
#   KEEP_WORKDIR=1 keep the work directory (printed)
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=guest-lib.sh
. "$HERE/guest-lib.sh"
TIMEOUT=${TIMEOUT:-480}

[ "$(id -u)" = 0 ] || edk_skip "needs root (network namespace, tap device)"
command -v qemu-system-x86_64 >/dev/null || edk_skip "qemu-system-x86_64 not installed (qemu-system-x86)"
ls /boot/vmlinuz-* >/dev/null 2>&1 || edk_skip "no kernel in /boot (linux-image-amd64)"
find /lib/modules/ -name 'aoe.ko*' 2>/dev/null | grep -q . || edk_skip "no aoe.ko under /lib/modules (linux-image-amd64)"
command -v busctl >/dev/null || edk_skip "busctl not found (systemd)"
command -v setpriv >/dev/null || edk_skip "setpriv not found (util-linux)"
for v in TARGET_BIN HELPER_BIN CLIENT_BIN; do
    [ -x "${!v:-}" ] || { echo "FAIL: $v is not an executable: '${!v:-}'"; exit 1; }
done

WORK=$(mktemp -d /tmp/edk-khelper.XXXXXX)
# shellcheck disable=SC2317  # invoked by trap
cleanup() { if [ "${KEEP_WORKDIR:-0}" = 1 ]; then echo "work directory kept: $WORK"; else rm -rf "$WORK"; fi; }
trap cleanup EXIT

mkdir -p "$WORK/guest" "$WORK/state"
head -c 4M /dev/urandom >"$WORK/e1.2.img"
TCMD="$TARGET_BIN --state-dir $WORK/state 1 2 @IF@ $WORK/e1.2.img"

gui=()
if [ -n "${GUI_TST:-}" ]; then
    [ -x "$GUI_TST" ] && [ -x "${LISTENER_BIN:-}" ] \
        || { echo "FAIL: GUI_TST and LISTENER_BIN must be executables: '$GUI_TST' '${LISTENER_BIN:-}'"; exit 1; }
    gui=(--env "EDK_GUI_TST=$GUI_TST" --env "EDK_LISTENER=$LISTENER_BIN")
fi

echo "=== etherdisk-helper attach, loss, recovery, detach over D-Bus (one guest boot)"
edk_guest_run_report helper "$WORK" --no-aoe --mtu 1500 --timeout "$TIMEOUT" \
    --target "$TCMD" --guest "$HERE/guest-helper-checks.sh" \
    --env "EDK_HELPER=$HELPER_BIN" --env "EDK_CLIENT=$CLIENT_BIN" \
    --env "EDK_IMG=$WORK/e1.2.img" --env "ETHERDISK_NO_SKIP=${ETHERDISK_NO_SKIP:-0}" "${gui[@]}"
