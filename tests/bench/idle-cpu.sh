#!/bin/bash
# SPDX-FileCopyrightText: 2026 The Etherdisk developers
# SPDX-License-Identifier: GPL-2.0-or-later
#
# What an idle etherdisk-helper costs: bus-activated on a private system bus
# with polkitd (tests/helper/start-test-bus.sh), --idle-timeout 0 so it stays,
# nothing exported, nobody calling. Measures, over SECONDS (default 60), the
# CPU time (utime + stime from /proc/PID/stat, in clock ticks) and the context
# switches of every thread (voluntary + involuntary, /proc/PID/task/*/status):
# each wakeup is one. Prints one line per thread and a summary; exit 1 if
# anything woke up.
#
#   sudo tests/bench/idle-cpu.sh [BUILD-DIR] [SECONDS]
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-$here/../../build}" && pwd)
seconds=${2:-60}
helper=$build/app/etherdisk-helper/etherdisk-helper
[ "$(id -u)" -eq 0 ] || { echo "idle-cpu.sh: needs root (a system bus for the helper)" >&2; exit 64; }
[ -x "$helper" ] || { echo "idle-cpu.sh: no $helper: build etherdisk-helper first" >&2; exit 66; }

dir=$(mktemp -d /tmp/etherdisk-idle-XXXXXX)
chmod 755 "$dir"
cleanup() { "$here/../helper/start-test-bus.sh" stop "$dir/bus" || true; rm -rf "$dir"; }
trap cleanup EXIT
address=$(ETHERDISK_HELPER_ARGS="--idle-timeout 0" "$here/../helper/start-test-bus.sh" start "$dir/bus" "$helper")
busctl --address="$address" call org.etherdisk.Etherdisk1 /org/etherdisk/Etherdisk1 \
    org.freedesktop.DBus.ObjectManager GetManagedObjects >/dev/null
pid=$(busctl --address="$address" call org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus \
    GetConnectionUnixProcessID s org.etherdisk.Etherdisk1 | awk '{print $2}')
sleep 2 # the activation's own replies and signals settle

cpu() { awk '{ sub(/.*\) /, ""); print $12 + $13 }' "/proc/$pid/stat"; }
switches() { # "tid name count" per thread
    for t in /proc/"$pid"/task/*; do
        awk -v tid="${t##*/}" '/^Name:/ {n=$2} /ctxt_switches:/ {c+=$2} END {print tid, n, c}' "$t/status"
    done
}
cpu0=$(cpu)
before=$(switches)
sleep "$seconds"
cpu1=$(cpu)
after=$(switches)

echo "etherdisk-helper (pid $pid), idle, nothing exported, over $seconds s:"
woken=0
while read -r tid name count; do
    was=$(awk -v tid="$tid" '$1 == tid {print $3}' <<<"$before")
    delta=$((count - ${was:-0}))
    woken=$((woken + delta))
    printf '  thread %-8s %-16s %d context switches\n' "$tid" "$name" "$delta"
done <<<"$after"
echo "  CPU time: $((cpu1 - cpu0)) clock ticks ($(getconf CLK_TCK) per second); wakeups: $woken"
[ "$woken" -eq 0 ]
