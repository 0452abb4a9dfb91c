# SPDX-FileCopyrightText: 2026 The Etherdisk developers
# SPDX-License-Identifier: GPL-2.0-or-later
#
# guest-lib.sh — helpers for guest scripts run by aoe-guest.sh (source it from
# bash). The pattern functions (edk_pattern, edk_apply_writes) are also used on
# the host to build the expected image after the guest's writes.
#
# Devices are named by "SHELF.SLOT", e.g. "1.2" → /dev/etherd/e1.2 and
# /sys/block/etherd!e1.2. Sectors are 512 bytes. Check results are printed as
# "PASS: what" / "FAIL: what (detail)" lines and counted in EDK_PASSED/EDK_FAILED.
# shellcheck shell=bash

EDK_PASSED=${EDK_PASSED:-0}
EDK_FAILED=${EDK_FAILED:-0}

# edk_skip REASON — a prerequisite is missing: exit 77 (skipped), or, with
# ETHERDISK_NO_SKIP=1 (CI, where everything is installed), exit 1 (failed).
# The reason is printed either way.
edk_skip() {
    if [ "${ETHERDISK_NO_SKIP:-0}" = 1 ]; then
        echo "FAIL: required resource missing (ETHERDISK_NO_SKIP=1): $*"
        exit 1
    fi
    echo "SKIP: $*"
    exit 77
}

edk_pass() { echo "PASS: $*"; EDK_PASSED=$((EDK_PASSED + 1)); }
edk_fail() { echo "FAIL: $*"; EDK_FAILED=$((EDK_FAILED + 1)); }

# edk_check_eq WHAT EXPECTED ACTUAL
edk_check_eq() {
    if [ "$2" = "$3" ]; then edk_pass "$1 = $3"; else edk_fail "$1: expected '$2', got '$3'"; fi
}

# edk_summary [PREFIX] — prints a summary line; returns 0 only if nothing failed
edk_summary() {
    echo "${1:+$1 }summary: $EDK_PASSED passed, $EDK_FAILED failed"
    [ "$EDK_FAILED" = 0 ] && [ "$EDK_PASSED" -gt 0 ]
}

# edk_guest_run_report TITLE WORK AOE-GUEST-ARGS... — (host) run aoe-guest.sh
# once with --workdir WORK/guest and the given arguments (stderr kept in
# WORK/harness.err), print its output, count the guest's PASS/FAIL lines,
# and exit: 0 and "RESULT: PASS" when the guest passed, 1 otherwise (the
# work directory then kept), 77 (or 1 under ETHERDISK_NO_SKIP=1) when the
# harness skipped. The caller's trap removes WORK unless KEEP_WORKDIR=1.
edk_guest_run_report() {
    local title=$1 work=$2 out rc t0 t1
    shift 2
    t0=$(date +%s.%N)
    out=$("$(dirname "${BASH_SOURCE[0]}")/aoe-guest.sh" --workdir "$work/guest" "$@" 2>"$work/harness.err")
    rc=$?
    t1=$(date +%s.%N)
    printf '%s\n' "$out" | sed 's/^/  /'
    sed 's/^/  /' "$work/harness.err"
    if [ "$rc" = 77 ]; then edk_skip "$(sed -n 's/^aoe-guest: SKIP: //p' "$work/harness.err" | head -n 1)"; fi
    EDK_PASSED=$(grep -c '^PASS:' <<<"$out")
    EDK_FAILED=$(grep -c '^FAIL:' <<<"$out")
    [ "$rc" = 0 ] || edk_fail "guest run exited with status $rc"
    echo "  $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')s total ($(cat "$work/guest/timing" 2>/dev/null))"
    [ "$EDK_FAILED" = 0 ] || KEEP_WORKDIR=1
    if edk_summary "=== $title"; then echo "RESULT: PASS"; exit 0; fi
    echo "RESULT: FAIL"
    exit 1
}

edk_dev() { echo "/dev/etherd/e$1"; }
edk_sysdir() { echo "/sys/block/etherd!e$1"; }

# edk_sysfs SHELF.SLOT ATTR — one sysfs attribute (state, mac, netif,
# firmware-version, payload, size, ...); empty if it cannot be read
edk_sysfs() {
    local v=
    { read -r v <"/sys/block/etherd!e$1/$2"; } 2>/dev/null
    echo "$v"
}

edk_discover() { echo >/dev/etherd/discover 2>/dev/null || true; }

# edk_wait_dev SHELF.SLOT [TIMEOUT_S] — wait until the block device exists and
# its state is "up"; asks for a rediscovery every 2 s. Returns 1 on timeout.
edk_wait_dev() {
    local id=$1 timeout=${2:-30} dev start now last
    dev=$(edk_dev "$id")
    start=$(date +%s); last=$start
    while :; do
        if [ -b "$dev" ] && [ "$(edk_sysfs "$id" state)" = up ]; then return 0; fi
        now=$(date +%s)
        [ $((now - start)) -ge "$timeout" ] && return 1
        if [ $((now - last)) -ge 2 ]; then edk_discover; last=$now; fi
        sleep 0.1
    done
}

# edk_wait_state SHELF.SLOT STATE [TIMEOUT_S] — wait until sysfs state is STATE
edk_wait_state() {
    local id=$1 want=$2 timeout=${3:-30} start
    start=$(date +%s)
    until [ "$(edk_sysfs "$id" state)" = "$want" ]; do
        [ $(($(date +%s) - start)) -ge "$timeout" ] && return 1
        sleep 0.1
    done
}

# edk_now — seconds since the epoch with microseconds (no fork: cheap in TCG)
edk_now() { echo "$EPOCHREALTIME"; }

# edk_elapsed FROM [TO] — TO (default now) minus FROM, in seconds, "%.2f"
edk_elapsed() { awk -v a="$1" -v b="${2:-$EPOCHREALTIME}" 'BEGIN { printf "%.2f", b - a }'; }

# edk_in_window WHAT VALUE LOW [HIGH] — pass if LOW <= VALUE <= HIGH (seconds;
# no HIGH: VALUE >= LOW)
edk_in_window() {
    local want="within [$3, ${4:-}]s"
    [ -n "${4:-}" ] || want="at least $3 s"
    if awk -v v="$2" -v lo="$3" -v hi="${4:-}" 'BEGIN { exit !(v >= lo && (hi == "" || v <= hi)) }'; then
        edk_pass "$1: ${2}s, $want"
    else
        edk_fail "$1: ${2}s, not $want"
    fi
}

# edk_target stop|start [TIMEOUT_S] — (guest) have aoe-guest.sh on the host
# SIGKILL the target or start it again; returns once done (0), or 1 with the
# reason on stderr (refused, or no answer within TIMEOUT_S, default 20).
# Requests are numbered; another process asking too (a test program the
# guest script runs) passes a higher EDK_TARGET_SEQ to start from, so that
# an old acknowledgement is never taken for its own.
EDK_TARGET_SEQ=${EDK_TARGET_SEQ:-0}
edk_target() {
    local what=$1 timeout=${2:-20} seq start ack
    EDK_TARGET_SEQ=$((EDK_TARGET_SEQ + 1))
    seq=$EDK_TARGET_SEQ
    echo "$what $seq" >"$EDK_WORKDIR/target.req.tmp" &&
        mv "$EDK_WORKDIR/target.req.tmp" "$EDK_WORKDIR/target.req" || return 1
    start=$(date +%s)
    while :; do
        ack=
        { read -r ack <"$EDK_WORKDIR/target.ack"; } 2>/dev/null
        case "$ack" in
        "$seq $what ok") return 0 ;;
        "$seq $what "*) echo "target $what: ${ack#"$seq $what "}" >&2; return 1 ;;
        esac
        if [ $(($(date +%s) - start)) -ge "$timeout" ]; then
            echo "target $what: no answer from the host within ${timeout}s" >&2
            return 1
        fi
        sleep 0.05
    done
}

# edk_show_dev SHELF.SLOT — print the interesting sysfs attributes
edk_show_dev() {
    local a
    for a in state mac netif firmware-version payload size; do
        printf '  %-17s %s\n' "$a" "$(edk_sysfs "$1" "$a")"
    done
}

# edk_pattern TAG BYTES — deterministic data: 16-byte lines "TAG <line no>\n"
# (TAG is cut/padded to 5 characters), so shifted or swapped sectors show up.
edk_pattern() {
    awk -v tag="$1" -v n="$2" 'BEGIN {
        tag = substr(tag "_____", 1, 5)
        for (i = 0; i * 16 < n; i++) printf "%s %09d\n", tag, i
    }' | head -c "$2"
}

# edk_write_pattern DEV SECTOR NSECT TAG — one O_DIRECT write of the pattern
edk_write_pattern() {
    edk_pattern "$4" $(($3 * 512)) |
        dd of="$1" bs=$(($3 * 512)) count=1 seek=$(($2 * 512)) \
            iflag=fullblock oflag=direct,seek_bytes conv=notrunc status=none
}

# edk_read_range DEV_OR_FILE SECTOR NSECT [direct] — copy a range to stdout
edk_read_range() {
    local fl=skip_bytes
    [ "${4:-}" = direct ] && fl=direct,skip_bytes
    dd if="$1" bs=$(($3 * 512)) count=1 skip=$(($2 * 512)) iflag="$fl" status=none
}

# edk_range_has_pattern DEV_OR_FILE SECTOR NSECT TAG [direct]
edk_range_has_pattern() {
    cmp -s <(edk_read_range "$1" "$2" "$3" "${5:-}") <(edk_pattern "$4" $(($3 * 512)))
}

# edk_apply_writes FILE "SECTOR:NSECT:TAG ..." — write the patterns into a
# (host) file, e.g. to build the expected image after the guest's writes
edk_apply_writes() {
    local w s n t
    for w in $2; do
        IFS=: read -r s n t <<<"$w"
        edk_pattern "$t" $((n * 512)) |
            dd of="$1" bs=$((n * 512)) count=1 seek=$((s * 512)) \
                iflag=fullblock oflag=seek_bytes conv=notrunc status=none || return 1
    done
}

# edk_check_writes SHELF.SLOT "SECTOR:NSECT:TAG ..." — write each pattern with
# O_DIRECT, then read all of them back with O_DIRECT (after all writes, so a
# write landing on the wrong sectors is caught too)
edk_check_writes() {
    local dev w s n t
    dev=$(edk_dev "$1")
    for w in $2; do
        IFS=: read -r s n t <<<"$w"
        if edk_write_pattern "$dev" "$s" "$n" "$t"; then
            edk_pass "write $n sector(s) at sector $s ($t)"
        else
            edk_fail "write $n sector(s) at sector $s ($t): dd failed"
        fi
    done
    for w in $2; do
        IFS=: read -r s n t <<<"$w"
        if edk_range_has_pattern "$dev" "$s" "$n" "$t" direct; then
            edk_pass "read back $n sector(s) at sector $s ($t)"
        else
            edk_fail "read back $n sector(s) at sector $s ($t): data differs"
        fi
    done
}

# edk_check_full_read SHELF.SLOT FILE — whole device (O_DIRECT, 1 MiB reads)
# equals FILE (a host file, visible read-only in the guest at the same path)
edk_check_full_read() {
    local dev t0 t1 out
    dev=$(edk_dev "$1")
    t0=$(date +%s.%N)
    if out=$(cmp <(dd if="$dev" bs=1M iflag=direct status=none) "$2" 2>&1); then
        t1=$(date +%s.%N)
        edk_pass "full-device read equals $(basename "$2") ($(awk -v a="$t0" -v b="$t1" -v f="$(stat -c %s "$2")" \
            'BEGIN { printf "%.1f s, %.1f MB/s", b - a, f / (b - a) / 1e6 }'))"
    else
        edk_fail "full-device read differs from $2: ${out:-cmp failed}"
    fi
}

# edk_check_sha256 SHELF.SLOT SHA256 — whole device hashes to SHA256
edk_check_sha256() {
    local sum
    sum=$(dd if="$(edk_dev "$1")" bs=1M iflag=direct status=none | sha256sum | cut -d' ' -f1)
    edk_check_eq "sha256 of the device" "$2" "$sum"
}
