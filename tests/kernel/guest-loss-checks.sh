#!/bin/bash
# SPDX-FileCopyrightText: 2026 The Etherdisk developers
# SPDX-License-Identifier: GPL-2.0-or-later
#
# guest-loss-checks.sh — guest side of test-kernel-loss.sh, run by aoe-guest.sh
# inside the qemu guest (aoe loaded with aoe_deadsecs=EDK_DEADSECS): the
# kernel driver's loss path.
#
#  1. the device comes up; known data is written and read back;
#  2. a reader keeps O_DIRECT reads pending; the host SIGKILLs the target;
#  3. the driver gives up after aoe_deadsecs: sysfs state says "down" and the
#     pending read fails with EIO, both within [DOWN_MIN, DOWN_MAX] seconds of
#     the kill; new I/O on the down device fails at once; nothing hangs;
#  4. the host restarts the target; after a rediscovery the state is "up"
#     again within UP_MAX seconds, the data written before the loss reads
#     back, and new writes work.
#
# Parameters (environment, set with aoe-guest.sh --env):
#   EDK_ID             SHELF.SLOT, e.g. 1.2
#   EDK_WRITES_BEFORE  "SECTOR:NSECT:TAG ..." written before the loss, read back after it
#   EDK_WRITES_AFTER   "SECTOR:NSECT:TAG ..." written and read back after the restart
#   DOWN_MIN, DOWN_MAX the promised window for "down" and EIO, in seconds after
#                      the kill (default EDK_DEADSECS and EDK_DEADSECS + 20, see below)
#   UP_MAX             "up" again at most this long after the restart (default 10)
set -u
# shellcheck source-path=SCRIPTDIR source=guest-lib.sh
. "$(dirname "$0")/guest-lib.sh"

id=${EDK_ID:?}
dev=$(edk_dev "$id")
deadsecs=${EDK_DEADSECS:?}
# The driver (drivers/block/aoe/aoecmd.c, rexmit_timer) fails the device when
# a frame that times out has been unanswered for more than aoe_deadsecs whole
# seconds, so not before deadsecs + 1 s. It looks at a frame's age only when
# the frame times out, after the retransmit timeout: 2 x the mean round trip
# + 8 x its deviation, starting from 16.5 s (RTTAVG_INIT, RTTDEV_INIT in
# aoe.h). In this emulated guest that timeout was still 12-15 s when the
# target was killed: down came 12-16 s after the kill for deadsecs 6 and 10,
# 30 s for 20. So the window is [deadsecs + 1, deadsecs + 1 + 16.5] s; the
# lower end allows 1 s for the kill request travelling over 9p, the upper
# end 2.5 s for the driver's 100 ms tick, our 50 ms polling and a busy host
# scheduling the guest late.
DOWN_MIN=${DOWN_MIN:-$deadsecs}
DOWN_MAX=${DOWN_MAX:-$((deadsecs + 20))}
UP_MAX=${UP_MAX:-10}

finish() {
    echo "--- dmesg (aoe):"
    dmesg | grep -i aoe | tail -n 15
    edk_summary guest
    exit $?
}

# ---- 1. up, known data ------------------------------------------------------
t0=$(edk_now)
if edk_wait_dev "$id" 30; then
    edk_pass "device $dev appeared, state up ($(edk_elapsed "$t0") s)"
else
    edk_fail "device $dev did not appear within 30 s (state '$(edk_sysfs "$id" state)')"
    finish
fi
edk_check_writes "$id" "${EDK_WRITES_BEFORE:?}"

# ---- 2. reads pending, target killed ----------------------------------------
# The reader loops over 256 KiB O_DIRECT reads until one fails; it leaves the
# failing dd's status, message and end time in files.
rd=$TMPDIR/reader
mkdir -p "$rd"
(
    n=0
    while dd if="$dev" of=/dev/null bs=64k count=4 skip=$((n % 64 * 4)) iflag=direct \
        status=none 2>"$rd/err"; do
        n=$((n + 1))
        echo "$n" >"$rd/count"
    done
    echo "$EPOCHREALTIME" >"$rd/end"
) &
reader=$!
count=0
for _ in $(seq 300); do
    { read -r count <"$rd/count"; } 2>/dev/null
    [ "${count:-0}" -ge 3 ] && break
    sleep 0.1
done
if [ "${count:-0}" -ge 3 ]; then
    edk_pass "reader running ($count reads done) before the target is killed"
else
    edk_fail "reader made no progress before the kill ($count reads; $(cat "$rd/err" 2>/dev/null))"
fi

# the driver's diagnostics (retransmits), time-stamped, for the report
# (cat: the device hands out whole messages, bash's read asks for one byte)
cat /dev/etherd/err 2>/dev/null > >(while read -r line; do echo "$EPOCHREALTIME $line"; done >"$rd/aoe-err") &
errlog=$!
echo "note: aoe_deadsecs=$(cat /sys/module/aoe/parameters/aoe_deadsecs)"


t_req=$(edk_now)
count_at_kill=0
{ read -r count_at_kill <"$rd/count"; } 2>/dev/null
if edk_target stop; then
    t_ack=$(edk_now)
    edk_pass "host killed the target ($(edk_elapsed "$t_req" "$t_ack") s from request to acknowledgement)"
else
    edk_fail "host did not kill the target"
    kill "$reader" 2>/dev/null
    finish
fi

# ---- 3. down and EIO within the window; nothing hangs -------------------------
t_down=
t_end=
deadline=$(awk -v a="$t_ack" -v d="$deadsecs" 'BEGIN { printf "%d", a + d + 30 }')
state_before_down=
while :; do
    st=$(edk_sysfs "$id" state)
    if [ -z "$t_down" ]; then
        case "$st" in
        *down*) t_down=$(edk_now) ;;
        *) state_before_down=$st ;;
        esac
    fi
    [ -z "$t_end" ] && [ -e "$rd/end" ] && read -r t_end <"$rd/end"
    [ -n "$t_down" ] && [ -n "$t_end" ] && break
    [ "${EPOCHREALTIME%.*}" -ge "$deadline" ] && break
    sleep 0.05
done
edk_check_eq "state before the driver gave up" up "$state_before_down"
if [ -n "$t_down" ]; then
    edk_pass "state went '$(edk_sysfs "$id" state)' after the target was killed"
    # from the request (before the kill) for the lower end, from the
    # acknowledgement (after the kill) for the upper end
    edk_in_window "down, seconds after the kill request (lower end)" "$(edk_elapsed "$t_req" "$t_down")" "$DOWN_MIN"
    edk_in_window "down, seconds after the kill (upper end)" "$(edk_elapsed "$t_ack" "$t_down")" 0 "$DOWN_MAX"
else
    edk_fail "state still '$(edk_sysfs "$id" state)' $((deadsecs + 30)) s after the kill"
fi
if [ -n "$t_end" ]; then
    msg=$(cat "$rd/err" 2>/dev/null)
    case "$msg" in
    *"Input/output error"*) edk_pass "the pending read failed with EIO ($msg)" ;;
    *) edk_fail "the pending read failed, but not with EIO: '$msg'" ;;
    esac
    edk_in_window "EIO, seconds after the kill request (lower end)" "$(edk_elapsed "$t_req" "$t_end")" "$DOWN_MIN"
    edk_in_window "EIO, seconds after the kill (upper end)" "$(edk_elapsed "$t_ack" "$t_end")" 0 "$DOWN_MAX"
    if [ -n "$t_down" ]; then
        edk_in_window "EIO and down at the same time (difference)" \
            "$(awk -v a="$t_down" -v b="$t_end" 'BEGIN { d = b - a; printf "%.2f", d < 0 ? -d : d }')" 0 1
    fi
    wait "$reader"
else
    count=0
    { read -r count <"$rd/count"; } 2>/dev/null
    if [ "${count:-0}" -gt $((${count_at_kill:-0} + 1)) ]; then
        edk_fail "reads still succeed $((deadsecs + 30)) s after the kill ($((count - count_at_kill)) since; is the target gone?)"
    else
        edk_fail "the pending read still blocked $((deadsecs + 30)) s after the kill (hangs)"
    fi
    kill "$reader" 2>/dev/null
    finish
fi

kill "$errlog" 2>/dev/null
if [ -s "$rd/aoe-err" ]; then
    echo "note: /dev/etherd/err during the loss ($(wc -l <"$rd/aoe-err") lines, at most 6 shown; seconds after the kill):"
    awk -v k="$t_ack" '{ $1 = sprintf("%+.2f", $1 - k); line[NR] = "  " $0 }
        END { for (i = 1; i <= NR; i++) if (i <= 3 || i > NR - 3) print line[i]; else if (i == 4) print "  ..." }' \
        "$rd/aoe-err"
fi

# New I/O on the down device fails at once: opening it is refused (ENODEV)
# or the read fails (EIO); it is not queued until the target returns.
t0=$(edk_now)
out=$(timeout 10 dd if="$dev" of=/dev/null bs=512 count=1 iflag=direct status=none 2>&1)
rc=$?
took=$(edk_elapsed "$t0")
if [ "$rc" = 124 ]; then
    edk_fail "a read of the down device hangs (killed after 10 s)"
elif [ "$rc" = 0 ]; then
    edk_fail "a read of the down device succeeded"
else
    case "$out" in
    *"Input/output error"* | *"No such device"*)
        edk_in_window "a read of the down device fails at once (${out##*: })" "$took" 0 2 ;;
    *) edk_fail "a read of the down device failed, but not with EIO or ENODEV: '$out'" ;;
    esac
fi

# ---- 4. target back: up, old data, new writes ---------------------------------
case "$(edk_sysfs "$id" state)" in
*down*) edk_pass "still down just before the restart ($(edk_sysfs "$id" state))" ;;
*) edk_fail "state '$(edk_sysfs "$id" state)' before the target was restarted" ;;
esac
t_start=$(edk_now)
if ! edk_target start; then
    edk_fail "host did not restart the target"
    finish
fi
t_started=$(edk_now)
# as a user would after a target returns: aoe-discover, again each second
t_up=
last=0
while [ "$(awk -v a="$t_started" -v b="$EPOCHREALTIME" 'BEGIN { print (b - a < 40) }')" = 1 ]; do
    if [ "$(edk_sysfs "$id" state)" = up ] && [ -b "$dev" ]; then
        t_up=$(edk_now)
        break
    fi
    if [ "${EPOCHREALTIME%.*}" -gt "$last" ]; then
        edk_discover
        last=${EPOCHREALTIME%.*}
    fi
    sleep 0.05
done
if [ -n "$t_up" ]; then
    edk_in_window "up again, seconds after the restart request" "$(edk_elapsed "$t_start" "$t_up")" 0 "$UP_MAX"
else
    edk_fail "state '$(edk_sysfs "$id" state)' 40 s after the target was restarted"
    finish
fi
for w in $EDK_WRITES_BEFORE; do
    IFS=: read -r s n t <<<"$w"
    if timeout 30 bash -c ". '$(dirname "$0")/guest-lib.sh'; edk_range_has_pattern '$dev' $s $n $t direct"; then
        edk_pass "after the restart: $n sector(s) at sector $s still read back as '$t'"
    else
        edk_fail "after the restart: $n sector(s) at sector $s do not read back as '$t'"
    fi
done
edk_check_writes "$id" "${EDK_WRITES_AFTER:?}"
edk_check_eq "state at the end" up "$(edk_sysfs "$id" state)"
finish
