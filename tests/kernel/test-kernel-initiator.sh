#!/bin/bash
# SPDX-FileCopyrightText: 2026 The Etherdisk developers
# SPDX-License-Identifier: GPL-2.0-or-later
#
# test-kernel-initiator.sh — the Linux kernel's AoE initiator (aoe.ko in a
# qemu guest, see aoe-guest.sh) against an AoE target on the host, at MTU 1500
# and 9000. Exit 0 pass, 1 fail, 77 skip (reason printed; a failure with
# ETHERDISK_NO_SKIP=1).
#
# Parameters (environment):
#   TARGET_CMD   target command line; @IF@ = interface, @IMG@ = image path
#                (default: "vblade 1 2 @IF@ @IMG@", Debian's vblade)
#   SHELF, SLOT  the target's address (default 1, 2)
#   EXPECT_FW    expected firmware-version (default 0x4019, vblade 25; empty: not checked)
#   EXPECT_PAYLOAD_1500 / EXPECT_PAYLOAD_9000   expected payload (1024 / 8704)
#   EXPECT_MAC   expected target MAC in sysfs (default: the tap's, 02ae00000001; empty: not checked)
#   MTUS         MTUs to test (default "1500 9000")
#   IMG_MIB      image size in MiB (default 64)
#   TIMEOUT      per-boot timeout in seconds (default 240)
#   KEEP_WORKDIR=1  keep the work directory (printed)
# Example for our own target:
#   TARGET_CMD="$BUILD/app/etherdisk-target/etherdisk-target 1 2 @IF@ @IMG@" EXPECT_FW=0x... \
#       tests/kernel/test-kernel-initiator.sh
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=guest-lib.sh
. "$HERE/guest-lib.sh"

SHELF=${SHELF:-1}
SLOT=${SLOT:-2}
TARGET_CMD=${TARGET_CMD:-"vblade $SHELF $SLOT @IF@ @IMG@"}
EXPECT_FW=${EXPECT_FW-0x4019}
TAP_MAC=02:ae:00:00:00:01
EXPECT_MAC=${EXPECT_MAC-${TAP_MAC//:/}}
MTUS=${MTUS:-1500 9000}
IMG_MIB=${IMG_MIB:-64}
TIMEOUT=${TIMEOUT:-240}

[ "$(id -u)" = 0 ] || edk_skip "needs root (network namespace, tap device)"
command -v qemu-system-x86_64 >/dev/null || edk_skip "qemu-system-x86_64 not installed (qemu-system-x86)"
ls /boot/vmlinuz-* >/dev/null 2>&1 || edk_skip "no kernel in /boot (linux-image-amd64)"
find /lib/modules/ -name 'aoe.ko*' 2>/dev/null | grep -q . || edk_skip "no aoe.ko under /lib/modules (linux-image-amd64)"
tbin=${TARGET_CMD%% *}
command -v "$tbin" >/dev/null || edk_skip "target program not found: $tbin"
case "$TARGET_CMD" in *@IF@*) ;; *) echo "FAIL: TARGET_CMD lacks @IF@: $TARGET_CMD"; exit 1 ;; esac
command -v perl >/dev/null || edk_skip "perl not found"

WORK=$(mktemp -d /tmp/edk-kinit.XXXXXX)
# shellcheck disable=SC2317  # invoked by trap
cleanup() { if [ "${KEEP_WORKDIR:-0}" = 1 ]; then echo "work directory kept: $WORK"; else rm -rf "$WORK"; fi; }
trap cleanup EXIT

# deterministic image: every 512-byte sector says which sector it is
perl -e 'my $n = shift; for my $s (0 .. $n - 1) {
    my $l = sprintf("EDK-IMG sector %010d\n", $s); print substr($l x 20, 0, 512) }' \
    $((IMG_MIB * 2048)) >"$WORK/pristine.img" || { echo "FAIL: cannot create image"; exit 1; }
SECTORS=$((IMG_MIB * 2048))
MID=$((SECTORS / 2))
# SECTOR:NSECT:TAG — first sector, a multi-frame run in the middle (40 KiB),
# an odd unaligned run, and the last sector
WRITES="0:1:first $((MID - 37)):80:mid 12345:3:odd $((SECTORS - 1)):1:last"

total_fail=0
results=()
for mtu in $MTUS; do
    echo "=== MTU $mtu: $TARGET_CMD"
    payload_var=EXPECT_PAYLOAD_$mtu
    case $mtu in 1500) def=1024 ;; 9000) def=8704 ;; *) def= ;; esac
    payload=${!payload_var:-$def}
    wd=$WORK/mtu$mtu
    mkdir -p "$wd"
    img=$WORK/disk-$mtu.img
    cp "$WORK/pristine.img" "$img"
    t0=$(date +%s.%N)
    out=$("$HERE/aoe-guest.sh" --mtu "$mtu" --timeout "$TIMEOUT" --deadsecs 20 \
        --tap-mac "$TAP_MAC" --workdir "$wd" \
        --target "${TARGET_CMD//@IMG@/$img}" \
        --guest "$HERE/guest-initiator-checks.sh" \
        --env "EDK_ID=$SHELF.$SLOT" --env "EDK_IMG=$img" --env "EDK_WRITES=$WRITES" \
        --env "EXPECT_FW=$EXPECT_FW" --env "EXPECT_PAYLOAD=$payload" \
        --env "EXPECT_MAC=$EXPECT_MAC" --env "EXPECT_NETIF=eth0" 2>"$wd/harness.err")
    rc=$?
    t1=$(date +%s.%N)
    printf '%s\n' "$out" | sed 's/^/  /'
    sed 's/^/  /' "$wd/harness.err"
    if [ "$rc" = 77 ]; then edk_skip "$(sed -n 's/^aoe-guest: SKIP: //p' "$wd/harness.err" | head -n 1)"; fi
    EDK_PASSED=$(grep -c '^PASS:' <<<"$out")
    EDK_FAILED=$(grep -c '^FAIL:' <<<"$out")
    if [ "$rc" != 0 ]; then edk_fail "MTU $mtu: guest run exited with status $rc"; fi

    # host side: the image must now be the pristine image plus exactly our writes
    cp "$WORK/pristine.img" "$WORK/expected.img"
    edk_apply_writes "$WORK/expected.img" "$WRITES"
    for w in $WRITES; do
        IFS=: read -r s n t <<<"$w"
        if edk_range_has_pattern "$img" "$s" "$n" "$t"; then
            edk_pass "host image has $n sector(s) of '$t' at sector $s"
        else
            edk_fail "host image lacks $n sector(s) of '$t' at sector $s"
        fi
    done
    if d=$(cmp "$WORK/expected.img" "$img" 2>&1); then
        edk_pass "host image = pristine image + the guest's writes, nothing else changed"
    else
        edk_fail "host image differs from the expected image: $d"
    fi
    secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
    timing=$(cat "$wd/timing" 2>/dev/null)
    echo "  MTU $mtu: $EDK_PASSED passed, $EDK_FAILED failed, ${secs}s total ($timing)"
    results+=("MTU $mtu: $EDK_PASSED passed, $EDK_FAILED failed, ${secs}s")
    [ "$EDK_FAILED" = 0 ] && [ "$EDK_PASSED" -gt 0 ] || total_fail=$((total_fail + 1))
    [ "$EDK_FAILED" = 0 ] || KEEP_WORKDIR=1
    [ "$EDK_FAILED" = 0 ] && rm -f "$img" "$WORK/expected.img"
done

echo "=== summary (${TARGET_CMD})"
printf '  %s\n' "${results[@]}"
if [ "$total_fail" = 0 ]; then echo "RESULT: PASS"; exit 0; fi
echo "RESULT: FAIL ($total_fail of $(wc -w <<<"$MTUS") MTU runs failed)"
exit 1
