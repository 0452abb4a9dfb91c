#!/bin/bash
# make-golden.sh — re-create Etherdisk's golden AoE frame captures (tests/data/golden/).
#
# Runs Debian's vblade (reference target) and aoetools (aoeping, aoecfg, aoe-sancheck) on
# veth pairs inside private network namespaces named edgold-* (created here, removed on
# exit, also on error), captures what the initiator sees with tcpdump, and writes:
#   OUT/*.pcap           one capture per scenario
#   OUT/frames.tsv       file<TAB>frame<TAB>length<TAB>hex of the whole frame, every frame
#   OUT/README.md        every file and every frame with its key field values
#   OUT/tools-output.txt each tool command, its exit code and its output
# The machine's own interfaces are never touched.
#
# Usage (as root, from the repo root):  tests/data/make-golden.sh [-o OUTDIR] [-k]
#   -o OUTDIR  where to put the results (default: tests/data/golden next to this script)
#   -k         keep the temporary work directory (logs, image) for debugging
#
# Topology (all MACs fixed):
#   edgold-i: edgold-i0 02:ed:00:00:00:02 (initiator: aoeping/aoecfg/aoe-sancheck, tcpdump)
#        |
#   edgold-h: edgold-hi / edgold-ha / edgold-hb  -- golden-helper.py hub (pads to 60 B or not)
#        |                        |
#   edgold-a: edgold-a0 02:ed:00:00:00:01 (vblade-A)   edgold-b: edgold-b0 02:ed:00:00:00:03 (vblade-B)
# Why a hub: vblade sends Config responses of 32 + cfglen bytes (no padding to the Ethernet
# minimum of 60); veth delivers them unpadded, and aoeping/aoecfg drop every frame shorter than
# 60 bytes, so on a bare veth pair they never see vblade's answer. A real NIC pads short frames
# with zeros; the hub does the same (PAD=1) except in the *-unpadded captures (PAD=0).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
HELPER=$HERE/golden-helper.py
OUT=$HERE/golden
KEEP=0
while getopts "o:kh" opt; do
    case $opt in
    o) OUT=$OPTARG ;;
    k) KEEP=1 ;;
    *) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
    esac
done

say() { printf '[make-golden] %s\n' "$*"; }
die() { printf '[make-golden] ERROR: %s\n' "$*" >&2; exit 1; }

# ------------------------------------------------------------------ preconditions
[ "$(id -u)" = 0 ] || die "must run as root (network namespaces, raw sockets)"
missing=()
for p in ip vblade aoeping aoecfg aoe-sancheck tcpdump tshark python3 unshare hostname \
         faketime setarch timeout flock; do
    command -v "$p" >/dev/null 2>&1 || missing+=("$p")
done
[ -x /usr/bin/python3 ] || missing+=(/usr/bin/python3)
[ -r "$HELPER" ] || missing+=("$HELPER")
if [ ${#missing[@]} -gt 0 ]; then
    die "required program(s) missing: ${missing[*]}
  Debian packages: iproute2 vblade aoetools tcpdump tshark python3 util-linux hostname faketime coreutils
  e.g.  apt-get install -y vblade aoetools tcpdump tshark faketime"
fi
PY=/usr/bin/python3
ARCH=$(uname -m)

NS_I=edgold-i NS_H=edgold-h NS_A=edgold-a NS_B=edgold-b
ALL_NS="$NS_I $NS_H $NS_A $NS_B"
MAC_A=02:ed:00:00:00:01 MAC_I=02:ed:00:00:00:02 MAC_B=02:ed:00:00:00:03
IF_I=edgold-i0

WORK=$(mktemp -d /tmp/edgold.XXXXXX)
CAPS=$WORK/golden
mkdir -p "$CAPS"
TOOLS_OUT=$CAPS/tools-output.txt
: >"$TOOLS_OUT"
MYPIDS=()      # background processes started by this script
VBLADES=()     # vblade pids of the current scenario
HUB=""         # hub pid
CAP=""         # tcpdump pid
CAPNAME=""

teardown_ns() {
    local ns pids
    for ns in $ALL_NS; do
        if ip netns list | awk '{print $1}' | grep -qx "$ns"; then
            pids=$(ip netns pids "$ns" 2>/dev/null || true)
            # shellcheck disable=SC2086
            if [ -n "$pids" ]; then kill $pids 2>/dev/null || true; fi
            sleep 0.1
            ip netns del "$ns" 2>/dev/null || true
        fi
    done
}
cleanup() {
    local rc=$?
    set +e
    for p in ${MYPIDS[@]+"${MYPIDS[@]}"}; do kill "$p" 2>/dev/null; done
    for p in ${MYPIDS[@]+"${MYPIDS[@]}"}; do wait "$p" 2>/dev/null; done
    teardown_ns
    if [ "$KEEP" = 1 ] || [ $rc -ne 0 ]; then
        say "work directory kept: $WORK"
    else
        rm -rf "$WORK"
    fi
    [ $rc -ne 0 ] && say "FAILED (exit $rc); namespaces removed"
    exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

wait_for() {  # wait_for FILE REGEX SECONDS
    local i
    for ((i = 0; i < $3 * 20; i++)); do
        grep -qE "$2" "$1" 2>/dev/null && return 0
        sleep 0.05
    done
    return 1
}

# ------------------------------------------------------------------ network
setup_net() {
    say "removing leftovers of an earlier run (namespaces edgold-*), if any"
    teardown_ns
    say "creating namespaces $ALL_NS and veth pairs (fixed MACs)"
    local ns
    for ns in $ALL_NS; do
        ip netns add "$ns"
        ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
        ip -n "$ns" link set lo up
    done
    ip link add edgold-i0 address $MAC_I netns $NS_I type veth peer name edgold-hi address 02:ed:00:00:01:00 netns $NS_H
    ip link add edgold-a0 address $MAC_A netns $NS_A type veth peer name edgold-ha address 02:ed:00:00:01:01 netns $NS_H
    ip link add edgold-b0 address $MAC_B netns $NS_B type veth peer name edgold-hb address 02:ed:00:00:01:02 netns $NS_H
    set_mtu 1500
}
LINKS="$NS_I:edgold-i0 $NS_H:edgold-hi $NS_H:edgold-ha $NS_H:edgold-hb $NS_A:edgold-a0 $NS_B:edgold-b0"
set_mtu() {
    local l
    for l in $LINKS; do ip -n "${l%%:*}" link set "${l#*:}" mtu "$1" up; done
}

# ------------------------------------------------------------------ image
IMG=$WORK/disk.img
make_image() {
    say "creating deterministic 4 MiB image (sector n = 64 x uint64-LE n)"
    $PY "$HELPER" mkimage "$IMG" 8192
}

# ------------------------------------------------------------------ pieces of a scenario
# ip netns exec execs its command, so $! below is the real pid of the program.
hub_start() {  # hub_start PAD PORT...
    local pad=$1; shift
    ip netns exec $NS_H $PY -u "$HELPER" hub "$pad" edgold-hi "$@" >"$WORK/hub.log" 2>&1 &
    HUB=$!; MYPIDS+=("$HUB")
    wait_for "$WORK/hub.log" 'hub ready' 5 || die "hub did not start: $(cat "$WORK/hub.log")"
}
forget() {  # drop a reaped pid from MYPIDS, so cleanup never signals a re-used pid
    local p keep=()
    for p in "${MYPIDS[@]}"; do [ "$p" = "$1" ] || keep+=("$p"); done
    MYPIDS=("${keep[@]}")
}
stop_pid() { kill "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; forget "$1"; }

vblade_start() {  # vblade_start a|b SHELF SLOT [vblade options...]
    local t=$1 shelf=$2 slot=$3; shift 3
    local ns=edgold-$t ifname=edgold-${t}0 log=$WORK/vblade-$t.log
    say "  vblade $* $shelf $slot $ifname (ns $ns, hostname edgold)"
    # own UTS namespace with a fixed hostname: vblade puts it into the IDENTIFY serial
    ip netns exec "$ns" unshare --uts sh -c 'hostname edgold && exec "$@"' sh \
        vblade "$@" "$shelf" "$slot" "$ifname" "$IMG" >"$log" 2>&1 &
    local pid=$!
    MYPIDS+=("$pid"); VBLADES+=("$pid")
    wait_for "$log" '^pid [0-9]+: e' 5 || die "vblade did not start: $(cat "$log")"
    sleep 0.3   # its startup advertisement is sent right after that line
}

cap_start() {  # cap_start NAME
    CAPNAME=$1
    rm -f "$CAPS/$1.pcap"
    ip netns exec $NS_I tcpdump -i $IF_I --immediate-mode -U -Z root -w "$CAPS/$1.pcap" 'ether proto 0x88a2' \
        >"$WORK/tcpdump-$1.log" 2>&1 &
    CAP=$!; MYPIDS+=("$CAP")
    wait_for "$WORK/tcpdump-$1.log" 'listening on' 5 || die "tcpdump did not start: $(cat "$WORK/tcpdump-$1.log")"
    sleep 0.3
}
cap_stop() {
    sleep 0.5                       # let late answers arrive
    kill -INT "$CAP"; wait "$CAP" || true; forget "$CAP"
    say "  -> $CAPNAME.pcap: $(grep -Eo '^[0-9]+ packets? captured' "$WORK/tcpdump-$CAPNAME.log" || echo '?')"
    CAP=""
}

scenario_begin() {  # scenario_begin MTU PAD PORT...
    set_mtu "$1"
    hub_start "$2" "${@:3}"
}
scenario_end() {
    local p
    for p in "${VBLADES[@]}"; do stop_pid "$p"; done
    VBLADES=()
    stop_pid "$HUB"; HUB=""
}

# run an initiator tool in edgold-i with a clean environment, ASLR off (aoecfg pads its request
# with uninitialised stack memory; without ASLR fewer bytes of it vary), log command/rc/output.
# aoecfg takes its tag from gettimeofday()'s microseconds: faketime freezes the clock, so the tag
# is always 0x80000000.
tool() {  # tool [--faketime] CMD ARGS...
    local pre=() rc
    if [ "$1" = --faketime ]; then pre=(faketime -f '2024-01-01 00:00:00'); shift; fi
    say "  \$ $*"
    {
        printf '### [%s] $ %s\n' "$CAPNAME" "$*"
        set +e
        # (the outer 2>/dev/null only hides bash's "Alarm clock" job notice)
        { ip netns exec $NS_I env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C \
            "${pre[@]}" setarch "$ARCH" -R timeout 30 "$@" 2>&1; } 2>/dev/null
        rc=$?
        set -e
        printf '### exit code %d\n\n' "$rc"
    } >>"$TOOLS_OUT"
}

# ------------------------------------------------------------------ scenarios
run_scenarios() {
    local S=(7 3 "$IF_I")   # target A's address, initiator interface

    say "scenario advert-unpadded: vblade's startup advertisement as sent (no padding)"
    scenario_begin 1500 0 edgold-ha
    cap_start advert-unpadded
    vblade_start a 7 3
    cap_stop; scenario_end

    say "scenario aoeping-unpadded: aoeping vs. vblade without padding (aoeping drops the 32-byte answer)"
    scenario_begin 1500 0 edgold-ha
    vblade_start a 7 3
    cap_start aoeping-unpadded; tool aoeping -s 2 "${S[@]}"; cap_stop
    scenario_end

    say "scenarios aoeping-*: one vblade, frames padded to 60 bytes"
    scenario_begin 1500 1 edgold-ha
    vblade_start a 7 3
    cap_start aoeping-ping;            tool aoeping -s 3 "${S[@]}";                   cap_stop
    cap_start aoeping-verbose;         tool aoeping -v -s 3 "${S[@]}";                cap_stop
    cap_start aoeping-identify-hex;    tool aoeping -i -s 3 "${S[@]}";                cap_stop
    cap_start aoeping-identify-fields; tool aoeping -I -s 3 "${S[@]}";                cap_stop
    cap_start aoeping-smart;           tool aoeping -S return_status -s 3 "${S[@]}"; cap_stop
    # aoeping refuses -S when IDENTIFY word 82 bit 0 is clear (vblade: w82 = 0), so send the
    # SMART RETURN STATUS request exactly as aoeping would build it (1060 B, tag 0x80000002,
    # feature 0xda, lba1 0x4f, lba2 0xc2, cmd 0xb0) to record vblade's answer
    cap_start ata-smart-crafted
    tool $PY "$HELPER" ata $IF_I $MAC_A 7 3 0x80000002 0xb0 0xda 0 0xc24f00 1024; cap_stop
    scenario_end

    say "scenarios aoecfg-*: config strings (one vblade, state kept across the captures)"
    scenario_begin 1500 1 edgold-ha
    vblade_start a 7 3
    cap_start aoecfg-read-empty
    tool --faketime aoecfg -t 2 -c read "${S[@]}"; cap_stop
    cap_start aoecfg-set
    tool --faketime aoecfg -t 2 -c set -s hello "${S[@]}"
    tool --faketime aoecfg -t 2 -c set -s hello "${S[@]}"; cap_stop
    cap_start aoecfg-read
    tool --faketime aoecfg -t 2 "${S[@]}"; cap_stop
    cap_start aoecfg-test
    tool --faketime aoecfg -t 2 -c test -s hello "${S[@]}"
    tool --faketime aoecfg -t 2 -c test -s hell "${S[@]}"; cap_stop
    cap_start aoecfg-prefix
    tool --faketime aoecfg -t 2 -c prefix -s hel "${S[@]}"
    tool --faketime aoecfg -t 2 -c prefix -s help "${S[@]}"; cap_stop
    cap_start aoecfg-set-conflict
    tool --faketime aoecfg -t 2 -c set -s world "${S[@]}"; cap_stop
    cap_start aoecfg-fset
    tool --faketime aoecfg -t 2 -c fset -s world "${S[@]}"
    tool --faketime aoecfg -t 2 -c read "${S[@]}"; cap_stop
    scenario_end

    say "scenario sancheck: aoe-sancheck (broadcast discovery + padded IDENTIFY probes)"
    scenario_begin 1500 1 edgold-ha
    vblade_start a 7 3
    cap_start sancheck; tool aoe-sancheck -v; cap_stop
    scenario_end

    say "scenarios with two targets: vblade-A 7.3 and vblade-B 1.2"
    scenario_begin 1500 1 edgold-ha edgold-hb
    vblade_start a 7 3
    vblade_start b 1 2
    cap_start discovery-two-targets
    tool --faketime aoecfg -t 2 $IF_I; cap_stop
    cap_start sancheck-two-targets; tool aoe-sancheck -v; cap_stop
    scenario_end

    say "scenario bufcnt: vblade -b 64"
    scenario_begin 1500 1 edgold-ha
    vblade_start a 7 3 -b 64
    cap_start bufcnt-64; tool aoeping -s 3 "${S[@]}"; cap_stop
    scenario_end

    say "scenario mask-allowed: vblade -m <initiator MAC> (capture includes its startup advertisement)"
    scenario_begin 1500 1 edgold-ha
    cap_start mask-allowed
    vblade_start a 7 3 -m $MAC_I
    tool aoeping -s 3 "${S[@]}"; cap_stop
    scenario_end

    say "scenario mask-denied: vblade -m 02:ed:00:00:00:99 (initiator not on the list)"
    scenario_begin 1500 1 edgold-ha
    cap_start mask-denied
    vblade_start a 7 3 -m 02:ed:00:00:00:99
    tool aoeping -s 2 "${S[@]}"; cap_stop
    scenario_end

    say "scenarios mtu9000-*: all links at MTU 9000"
    scenario_begin 9000 1 edgold-ha
    vblade_start a 7 3
    cap_start mtu9000-identify; tool aoeping -v -i -s 3 "${S[@]}"; cap_stop
    cap_start mtu9000-sancheck; tool aoe-sancheck -v;         cap_stop
    scenario_end
    set_mtu 1500
}

# ------------------------------------------------------------------ outputs
write_outputs() {
    local f pcaps=()
    for f in "$CAPS"/*.pcap; do pcaps+=("$f"); done
    say "checking our pcap reader against tshark's raw frame bytes"
    $PY "$HELPER" crosscheck "${pcaps[@]}" >"$WORK/crosscheck.txt" || die "crosscheck failed: $(cat "$WORK/crosscheck.txt")"
    say "writing frames.tsv"
    $PY "$HELPER" frames "${pcaps[@]}" >"$CAPS/frames.tsv"
    say "validating every capture with tshark and tcpdump -vv"
    : >"$WORK/validation.md"
    for f in "${pcaps[@]}"; do
        local b n mal trunc tinfo
        b=$(basename "$f")
        n=$(tshark -r "$f" 2>/dev/null | wc -l)
        mal=$(tshark -r "$f" -Y '_ws.malformed || _ws.expert.severity >= 6291456' 2>/dev/null | wc -l)
        tinfo=$(tshark -r "$f" -T fields -e _ws.col.Info 2>/dev/null | sed 's/^$/(no info)/' | sort | uniq -c |
            awk '{c=$1; $1=""; sub(/^ /,""); printf "%s%s x%d", (NR>1?"; ":""), $0, c}')
        trunc=$(tcpdump -vv -r "$f" 2>/dev/null | grep -c '\[|aoe\]\|invalid\|\[|' || true)
        printf -- '- `%s`: %d frames; tshark: %s; malformed/error-expert: %d; tcpdump -vv truncation/invalid markers: %d\n' \
            "$b" "$n" "$tinfo" "$mal" "$trunc" >>"$WORK/validation.md"
    done
    say "writing README.md"
    write_readme "${pcaps[@]}" >"$CAPS/README.md"

    say "installing results into $OUT"
    mkdir -p "$OUT"
    rm -f "$OUT"/*.pcap "$OUT/frames.tsv" "$OUT/README.md" "$OUT/tools-output.txt"
    cp "$CAPS"/*.pcap "$CAPS/frames.tsv" "$CAPS/README.md" "$CAPS/tools-output.txt" "$OUT/"
}

declare -A DESC=(
 [advert-unpadded]="vblade 7 3 started while capturing, no padding: its startup advertisement (unsolicited broadcast Config response)."
 [aoeping-unpadded]="\`aoeping -s 2 7 3 edgold-i0\` with no padding: vblade answers with a 32-byte frame, aoeping ignores frames < 60 bytes and exits on SIGALRM (exit 142)."
 [aoeping-ping]="\`aoeping -s 3 7 3 edgold-i0\` (padding hub): Config query + response, exit 0."
 [aoeping-verbose]="\`aoeping -v -s 3 7 3 edgold-i0\`: same frames as aoeping-ping; prints the response hex."
 [aoeping-identify-hex]="\`aoeping -i -s 3 7 3 edgold-i0\`: Config query/response, then ATA IDENTIFY DEVICE (0xEC) and its 512-byte page."
 [aoeping-identify-fields]="\`aoeping -I -s 3 7 3 edgold-i0\`: same frames as -i; prints serial/firmware/model."
 [aoeping-smart]="\`aoeping -S return_status -s 3 7 3 edgold-i0\`: Config + IDENTIFY; aoeping checks IDENTIFY word 82 bit 0 (SMART supported) before sending SMART."
 [ata-smart-crafted]="SMART RETURN STATUS (0xB0, feature 0xDA) built by \`golden-helper.py ata\` exactly as \`aoeping -S return_status\` would (aoeping itself refuses because vblade's IDENTIFY word 82 is 0): vblade answers ABRT."
 [aoecfg-read-empty]="\`aoecfg -t 2 -c read 7 3 edgold-i0\` on a fresh vblade: empty config string."
 [aoecfg-set]="\`aoecfg -c set -s hello\` twice: first sets it, second (same string) also succeeds."
 [aoecfg-read]="\`aoecfg -t 2 7 3 edgold-i0\` (default command read): returns \"hello\"."
 [aoecfg-test]="\`aoecfg -c test -s hello\` (match: answered) then \`-c test -s hell\` (no match: no answer, aoecfg exits 0 after -t 2)."
 [aoecfg-prefix]="\`aoecfg -c prefix -s hel\` (prefix of \"hello\": answered) then \`-s help\` (no answer)."
 [aoecfg-set-conflict]="\`aoecfg -c set -s world\` while \"hello\" is set: error response, E flag, error 4, current string \"hello\" returned."
 [aoecfg-fset]="\`aoecfg -c fset -s world\` (force set, answered with \"world\") then \`-c read\`."
 [sancheck]="\`aoe-sancheck -v\` against vblade 7.3 at MTU 1500: broadcast discovery, then IDENTIFY probes padded to 1060 and 548 bytes."
 [discovery-two-targets]="\`aoecfg -t 2 edgold-i0\` (broadcast shelf 0xffff slot 0xff, read) with vblade-A 7.3 and vblade-B 1.2 answering (the hub hands the broadcast to A, forwards A's answer, then to B)."
 [sancheck-two-targets]="\`aoe-sancheck -v\` with vblade-A 7.3 and vblade-B 1.2."
 [bufcnt-64]="vblade started with \`-b 64\`; \`aoeping -s 3 7 3 edgold-i0\`: bufcnt 64 in the response."
 [mask-allowed]="vblade started with \`-m 02:ed:00:00:00:02\` while capturing: startup advertisement is unicast to the listed MAC; aoeping is answered."
 [mask-denied]="vblade started with \`-m 02:ed:00:00:00:99\` while capturing: advertisement unicast to :99 (the hub forwards it anyway); aoeping gets no answer (exit 142)."
 [mtu9000-identify]="MTU 9000 on all links, \`aoeping -v -i -s 3 7 3 edgold-i0\`: scnt 17 in the Config response, IDENTIFY."
 [mtu9000-sancheck]="MTU 9000, \`aoe-sancheck -v\`: 17 IDENTIFY probes from 8740 down to 548 bytes, 17 answers."
)

write_readme() {
    cat <<'EOF'
# Golden AoE captures

Generated by `tests/data/make-golden.sh` (run as root from the repo root; `-o DIR` for another
output directory). Do not edit by hand: re-run the script. Peers: Debian 12 `vblade` 25-1,
`aoetools` 36-5 (aoeping, aoecfg, aoe-sancheck), captured with `tcpdump` 4.99 on the initiator's
veth end inside private network namespaces.

Setup (fixed, so frames are reproducible):

| role | MAC | where |
|---|---|---|
| vblade-A, shelf 7 slot 3 | 02:ed:00:00:00:01 | netns edgold-a, edgold-a0 |
| initiator (aoetools, tcpdump) | 02:ed:00:00:00:02 | netns edgold-i, edgold-i0 |
| vblade-B, shelf 1 slot 2 (two-target captures only) | 02:ed:00:00:00:03 | netns edgold-b, edgold-b0 |

* Image: 4 MiB = 8192 sectors, sector n filled with 64 copies of n as uint64 little-endian.
* vblade runs in its own UTS namespace with hostname `edgold`, so the IDENTIFY serial is `7.3:edgold`.
* Between initiator and targets sits a small hub (`golden-helper.py hub`) in netns edgold-h.
  It pads frames shorter than 60 bytes with zeros, like a real NIC, because vblade sends
  Config responses of only 32 + cfglen bytes and aoeping/aoecfg drop frames shorter than 60
  bytes (on a bare veth pair they never see vblade's answer). The `*-unpadded` captures have
  the padding switched off and show vblade's frames exactly as sent.
  The hub also fixes the frame order: it takes a burst of initiator frames (until 50 ms of
  silence), then hands them to the targets one by one (broadcasts: vblade-A first, then
  vblade-B) and forwards each target's answers until 50 ms of silence. So a capture shows a
  burst of requests followed by the answers in request order, whatever the timing (as long
  as each target answers within 50 ms).
* aoecfg runs under `faketime -f '2024-01-01 00:00:00'` (its tag is `0x80000000 | tv_usec`, so
  with a frozen clock it is always 0x80000000) and `setarch -R` (ASLR off).
* All frames are Ethernet II without FCS; lengths below are frame lengths incl. the 14-byte header.
* `frames.tsv`: `file<TAB>frame_number<TAB>length<TAB>hex of the whole frame`, no header line.
  It was checked byte for byte against `tshark -T json -x` (frame_raw).
* `tools-output.txt`: every tool command with its exit code and output.
* Sources: `tests/data/make-golden.sh` (orchestration), `tests/data/golden-helper.py` (hub,
  image, decoder used for the lines below, frames.tsv), `tests/data/golden-notes.md` (the
  hand-written sections at the end of this file).

Frame lines: `N. source -> destination: command, header fields; body fields; frame size`.
"R" = response flag, "E error N" = error flag with error code. ATA request regs are
aflags/feature/scnt/cmd/lba, response regs aflags/err/scnt/status/lba.

## Captures

EOF
    local f b n
    for f in "$@"; do
        b=$(basename "$f" .pcap)
        n=$(tshark -r "$f" 2>/dev/null | wc -l)
        printf '### `%s.pcap` (%d frame%s)\n\n%s\n\n' "$b" "$n" "$([ "$n" = 1 ] || echo s)" "${DESC[$b]:-}"
        $PY "$HELPER" describe "$f" | sed 's/^/    /'
        printf '\n'
    done
    printf '## Validation with tshark 4.0 and tcpdump 4.99\n\n'
    cat "$WORK/validation.md"
    printf '\n'
    if [ -r "$HERE/golden-notes.md" ]; then cat "$HERE/golden-notes.md"; fi
}

# ------------------------------------------------------------------ main
say "work directory $WORK, output $OUT"
setup_net
make_image
run_scenarios
write_outputs
say "done: $(find "$OUT" -maxdepth 1 -name '*.pcap' | wc -l) captures, $(wc -l <"$OUT/frames.tsv") frames in $OUT"
