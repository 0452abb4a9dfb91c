#!/bin/bash
# SPDX-FileCopyrightText: 2026 The Etherdisk developers
# SPDX-License-Identifier: GPL-2.0-or-later
#
# test-kernel-loss.sh — the Linux kernel's AoE initiator (aoe.ko in a qemu
# guest, see aoe-guest.sh) loses its target and gets it back: with reads
# pending, the target on the host is SIGKILLed; the guest's sysfs state goes
# "down" and the reads fail with EIO after aoe_deadsecs (not sooner, not much
# later, nothing hangs); the target is restarted, the state comes back "up"
# and the data written before the loss reads back (guest-loss-checks.sh).
# Afterwards the host image must be the pristine image plus exactly the
# guest's writes. Exit 0 pass, 1 fail, 77 skip (reason printed; a failure
# with ETHERDISK_NO_SKIP=1).
#
# Parameters (environment):
#   TARGET_CMD   target command line; @IF@ = interface, @IMG@ = image path
#                (default: "vblade 1 2 @IF@ @IMG@", Debian's vblade)
#   SHELF, SLOT  the target's address (default 1, 2)
#   DEADSECS     aoe_deadsecs in the guest (default 10)
#   IMG_MIB      image size in MiB (default 16)
#   TIMEOUT      guest run timeout in seconds (default 240)
#   KEEP_WORKDIR=1  keep the work directory (printed)
#   DOWN_MIN, DOWN_MAX, UP_MAX  override the windows (guest-loss-checks.sh)
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=guest-lib.sh
. "$HERE/guest-lib.sh"

SHELF=${SHELF:-1}
SLOT=${SLOT:-2}
TARGET_CMD=${TARGET_CMD:-"vblade $SHELF $SLOT @IF@ @IMG@"}
DEADSECS=${DEADSECS:-10}
IMG_MIB=${IMG_MIB:-16}
TIMEOUT=${TIMEOUT:-240}

[ "$(id -u)" = 0 ] || edk_skip "needs root (network namespace, tap device)"
command -v qemu-system-x86_64 >/dev/null || edk_skip "qemu-system-x86_64 not installed (qemu-system-x86)"
ls /boot/vmlinuz-* >/dev/null 2>&1 || edk_skip "no kernel in /boot (linux-image-amd64)"
find /lib/modules/ -name 'aoe.ko*' 2>/dev/null | grep -q . || edk_skip "no aoe.ko under /lib/modules (linux-image-amd64)"
tbin=${TARGET_CMD%% *}
command -v "$tbin" >/dev/null || edk_skip "target program not found: $tbin"
case "$TARGET_CMD" in *@IF@*) ;; *) echo "FAIL: TARGET_CMD lacks @IF@: $TARGET_CMD"; exit 1 ;; esac
command -v perl >/dev/null || edk_skip "perl not found"

WORK=$(mktemp -d /tmp/edk-kloss.XXXXXX)
# shellcheck disable=SC2317  # invoked by trap
cleanup() { if [ "${KEEP_WORKDIR:-0}" = 1 ]; then echo "work directory kept: $WORK"; else rm -rf "$WORK"; fi; }
trap cleanup EXIT

SECTORS=$((IMG_MIB * 2048))
# every 512-byte sector says which sector it is
perl -e 'my $n = shift; for my $s (0 .. $n - 1) {
    my $l = sprintf("EDK-IMG sector %010d\n", $s); print substr($l x 20, 0, 512) }' \
    "$SECTORS" >"$WORK/pristine.img" || { echo "FAIL: cannot create image"; exit 1; }
img=$WORK/disk.img
cp "$WORK/pristine.img" "$img"
# written before the loss (read back after it) and after the restart; the
# reader pending during the loss reads the first 16 MiB only
BEFORE="8:16:befor $((SECTORS - 3)):3:lastb"
AFTER="64:8:after $((SECTORS / 2 + 1)):5:oddaf"

echo "=== target lost and back (aoe_deadsecs=$DEADSECS): $TARGET_CMD"
t0=$(date +%s.%N)
pass_env=()
for v in DOWN_MIN DOWN_MAX UP_MAX; do
    [ -n "${!v:-}" ] && pass_env+=(--env "$v=${!v}")
done
out=$("$HERE/aoe-guest.sh" --mtu 1500 --timeout "$TIMEOUT" --deadsecs "$DEADSECS" \
    --workdir "$WORK/guest" --target "${TARGET_CMD//@IMG@/$img}" \
    --guest "$HERE/guest-loss-checks.sh" \
    --env "EDK_ID=$SHELF.$SLOT" --env "EDK_WRITES_BEFORE=$BEFORE" --env "EDK_WRITES_AFTER=$AFTER" \
    "${pass_env[@]}" 2>"$WORK/harness.err")
rc=$?
t1=$(date +%s.%N)
printf '%s\n' "$out" | sed 's/^/  /'
sed 's/^/  /' "$WORK/harness.err"
if [ "$rc" = 77 ]; then edk_skip "$(sed -n 's/^aoe-guest: SKIP: //p' "$WORK/harness.err" | head -n 1)"; fi
EDK_PASSED=$(grep -c '^PASS:' <<<"$out")
EDK_FAILED=$(grep -c '^FAIL:' <<<"$out")
[ "$rc" = 0 ] || edk_fail "guest run exited with status $rc"
grep -q 'target killed on the guest.s request' "$WORK/harness.err" ||
    edk_fail "the harness never killed the target"

# host side: the image is the pristine image plus exactly the guest's writes
cp "$WORK/pristine.img" "$WORK/expected.img"
edk_apply_writes "$WORK/expected.img" "$BEFORE $AFTER"
if d=$(cmp "$WORK/expected.img" "$img" 2>&1); then
    edk_pass "host image = pristine image + the guest's writes before and after the loss"
else
    edk_fail "host image differs from the expected image: $d"
fi
echo "  $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')s total ($(cat "$WORK/guest/timing" 2>/dev/null))"
[ "$EDK_FAILED" = 0 ] || KEEP_WORKDIR=1
if edk_summary "=== $TARGET_CMD"; then echo "RESULT: PASS"; exit 0; fi
echo "RESULT: FAIL"
exit 1
