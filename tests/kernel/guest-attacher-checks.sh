#!/bin/bash
# SPDX-FileCopyrightText: 2026 The Etherdisk developers
# SPDX-License-Identifier: GPL-2.0-or-later
#
# guest-attacher-checks.sh — guest side of test-kernel-attacher.sh, run by
# aoe-guest.sh --no-aoe inside the qemu guest:
#  1. tst_attacher (the helper's Attacher against the real aoe driver; see
#     tests/kernel/tst_attacher.cpp), built on the host, run here;
#  2. guest-helper-bus.sh: a private system bus with polkitd in the guest,
#     etherdisk-helper bus-activated on it, `busctl introspect` of the
#     Manager works, and the bus stops cleanly.
# Parameters (environment, aoe-guest.sh --env): ATTACH_TST (the tst_attacher
# binary), ATTACH_IMG, ATTACH_IMG2, ATTACH_MNT (see tst_attacher.cpp),
# ATTACH_HELPER (the etherdisk-helper binary).
set -u
here=$(dirname "$0")
# shellcheck source-path=SCRIPTDIR source=guest-lib.sh
. "$here/guest-lib.sh"

t0=$(edk_now)
out=$("${ATTACH_TST:?}" 2>&1)
rc=$?
printf '%s\n' "$out" | sed 's/^/  | /'
totals=$(grep '^Totals:' <<<"$out")
if [ "$rc" = 0 ] && grep -q ' 0 failed, 0 skipped' <<<"$totals"; then
    edk_pass "tst_attacher in the guest: ${totals#Totals: } ($(edk_elapsed "$t0") s)"
else
    edk_fail "tst_attacher in the guest: exit $rc, ${totals:-no totals}"
    # what the driver holds now, and any task stuck in the kernel: what a
    # failure here needs to be read
    {
        echo "/dev/etherd: $(ls /dev/etherd 2>&1 | tr '\n' ' ')"
        for s in /sys/block/etherd*/state; do [ -e "$s" ] && echo "$s: $(cat "$s")"; done
        for st in /proc/[0-9]*/stat; do
            read -r pid comm state _ <"$st" 2>/dev/null || continue
            [ "$state" = D ] || continue
            echo "task $pid $comm in D state:"
            sed 's/^/    /' "/proc/$pid/stack" 2>/dev/null
        done
        dmesg | tail -n 15
    } 2>&1 | sed 's/^/  diag: /'
fi

t0=$(edk_now)
if address=$("$here/guest-helper-bus.sh" start "${ATTACH_HELPER:?}" 2>"$TMPDIR/bus.err"); then
    edk_pass "private system bus with polkitd in the guest: $address"
    if intro=$(timeout 30 busctl --address="$address" introspect org.etherdisk.Etherdisk1 \
        /org/etherdisk/Etherdisk1/Manager 2>&1) && grep -q '^\.CreateExport ' <<<"$intro"; then
        edk_pass "busctl introspect of the bus-activated helper's Manager in the guest ($(edk_elapsed "$t0") s)"
    else
        edk_fail "busctl introspect of the Manager in the guest: $intro"
    fi
    # what stop must end is running now (else the check after it proves nothing)
    for p in dbus-daemon polkitd etherdisk-helper; do
        if pgrep -f "(^|/)$p( |\$)" >/dev/null; then
            edk_pass "$p runs in the guest before stop"
        else
            edk_fail "$p does not run in the guest before stop: $(ps -eo pid,args)"
        fi
    done
    "$here/guest-helper-bus.sh" stop || edk_fail "guest-helper-bus.sh stop failed"
    # everything in this guest is ours: no dbus-daemon, polkitd or helper may be left
    # (by command line: pgrep matches at most 15 characters of a process name)
    left=$(pgrep -a -f '(^|/)(dbus-daemon|polkitd|etherdisk-helper)( |$)')
    if [ -S /dev/shm/etherdisk-helper-bus/bus ] || [ -n "$left" ]; then
        edk_fail "after guest-helper-bus.sh stop: socket $(ls /dev/shm/etherdisk-helper-bus/bus 2>&1), processes: ${left:-none}"
    else
        edk_pass "guest-helper-bus.sh stop: bus socket, dbus-daemon, polkitd and helper gone"
    fi
else
    edk_fail "guest-helper-bus.sh start: $(cat "$TMPDIR/bus.err")"
fi
edk_summary guest
