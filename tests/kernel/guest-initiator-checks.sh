#!/bin/bash
# SPDX-FileCopyrightText: 2026 The Etherdisk developers
# SPDX-License-Identifier: GPL-2.0-or-later
#
# guest-initiator-checks.sh — guest side of test-kernel-initiator.sh, run by
# aoe-guest.sh inside the qemu guest (kernel aoe driver already loaded).
# Parameters (environment, set with aoe-guest.sh --env):
#   EDK_ID            SHELF.SLOT, e.g. 1.2
#   EDK_IMG           host path of the exported image (read-only in the guest)
#   EDK_WRITES        "SECTOR:NSECT:TAG ..." writes to do and read back
#   EXPECT_FW         expected sysfs firmware-version, e.g. 0x4019 (empty: not checked)
#   EXPECT_PAYLOAD    expected sysfs payload (bytes of data per frame)
#   EXPECT_MAC        expected sysfs mac (12 hex digits; empty: not checked)
#   EXPECT_NETIF      expected sysfs netif (default eth0)
#   EDK_WAIT          seconds to wait for the device (default 30)
set -u
# shellcheck source-path=SCRIPTDIR source=guest-lib.sh
. "$(dirname "$0")/guest-lib.sh"

id=${EDK_ID:?}
img=${EDK_IMG:?}
sectors=$(($(stat -c %s "$img") / 512))

t0=$(date +%s.%N)
if edk_wait_dev "$id" "${EDK_WAIT:-30}"; then
    edk_pass "device $(edk_dev "$id") appeared, state up ($(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f s", b - a }'))"
else
    edk_fail "device $(edk_dev "$id") did not appear within ${EDK_WAIT:-30}s (state '$(edk_sysfs "$id" state)')"
    echo "--- /dev/etherd:"; ls -l /dev/etherd
    echo "--- dmesg (aoe):"; dmesg | grep -i aoe | tail -n 20
    edk_summary guest
    exit 1
fi
edk_show_dev "$id"

edk_check_eq "state" up "$(edk_sysfs "$id" state)"
edk_check_eq "size (sectors)" "$sectors" "$(edk_sysfs "$id" size)"
[ -n "${EXPECT_FW:-}" ] && edk_check_eq "firmware-version" "$EXPECT_FW" "$(edk_sysfs "$id" firmware-version)"
edk_check_eq "netif" "${EXPECT_NETIF:-eth0}" "$(edk_sysfs "$id" netif)"
[ -n "${EXPECT_PAYLOAD:-}" ] && edk_check_eq "payload" "$EXPECT_PAYLOAD" "$(edk_sysfs "$id" payload)"
[ -n "${EXPECT_MAC:-}" ] && edk_check_eq "mac" "$EXPECT_MAC" "$(edk_sysfs "$id" mac)"
edk_check_eq "blockdev --getsize64" $((sectors * 512)) "$(blockdev --getsize64 "$(edk_dev "$id")" 2>&1)"

edk_check_full_read "$id" "$img"
edk_check_writes "$id" "${EDK_WRITES:-}"
edk_check_eq "state after I/O" up "$(edk_sysfs "$id" state)"

errs=$(dmesg | grep -E 'aoe: .*(retransmit|unexpected|timeout|fail|error)' | tail -n 5)
[ -n "$errs" ] && printf 'note: aoe kernel messages:\n%s\n' "$errs"

edk_summary guest
