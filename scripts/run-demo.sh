#!/usr/bin/env bash
# SPDX-FileCopyrightText: 2026 The Etherdisk developers
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The README's first command: sets the machine up, builds, and runs the demo.
#
# Today the demo is a private LAN of two network namespaces joined by a veth
# pair: etherdisk-target serves three sample shelves from one process on one
# side, and from the other side `etherdiskctl` discovers, probes and
# benchmarks them without the kernel driver, and Debian's aoetools confirm
# what it says. Then scripts/demo-gui.sh opens the desktop app on a demo LAN
# of its own (or, without a display, saves screenshots of it).
# Nothing here touches the machine's own network interfaces; everything is
# removed on exit.
#
#   SKIP_SETUP=1   do not install packages
#   DEMO_KEEP=1    keep serving until Ctrl-C (default: show, then clean up)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$here"
[ "$(id -u)" -eq 0 ] || { echo "run-demo.sh needs root (network namespaces, raw frames): sudo $0" >&2; exit 1; }
[ -n "${SKIP_SETUP:-}" ] || scripts/setup.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build --target etherdisk-target etherdiskctl
target=$here/build/app/etherdisk-target/etherdisk-target
ctl=$here/build/app/etherdiskctl/etherdiskctl

P=eddemo
work=$(mktemp -d /tmp/etherdisk-demo.XXXXXX)
cleanup() {
    for ns in $P-srv $P-cli; do
        pids=$(ip netns pids $ns 2>/dev/null || true)
        [ -z "$pids" ] || kill $pids 2>/dev/null || true
    done
    sleep 0.3
    ip netns del $P-srv 2>/dev/null || true
    ip netns del $P-cli 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
ip netns add $P-srv
ip netns add $P-cli
ip link add $P-s type veth peer name $P-c
ip link set $P-s netns $P-srv
ip link set $P-c netns $P-cli
ip -n $P-srv link set $P-s mtu 9000 up
ip -n $P-cli link set $P-c mtu 9000 up

echo "== sample shelves: three images served by one etherdisk-target process"
truncate -s 64M "$work/archive.img"
truncate -s 256M "$work/scratch.img"
truncate -s 1G "$work/backup.img"
cat > "$work/exports.conf" <<CONF
[export 1.1]
path = $work/archive.img
interfaces = $P-s
read-only = true
model = Demo archive

[export 1.2]
path = $work/scratch.img
interfaces = $P-s

[export 2.0]
path = $work/backup.img
interfaces = $P-s
write-mode = sync
CONF
cat "$work/exports.conf"
ip netns exec $P-srv "$target" --config "$work/exports.conf" --state-dir "$work/state" &
sleep 1

echo
echo "== from the other host: etherdiskctl discover (no kernel driver)"
ip netns exec $P-cli "$ctl" discover -i $P-c || echo "(etherdiskctl exited with $?)"
echo
echo "== etherdiskctl probe e1.1: configuration, IDENTIFY, the payload each path carries"
ip netns exec $P-cli "$ctl" probe e1.1 -i $P-c || echo "(etherdiskctl exited with $?)"
echo
echo "== etherdiskctl bench e1.2 (3 s of 4 KiB random reads)"
ip netns exec $P-cli "$ctl" bench e1.2 -i $P-c --mode randread --size 4096 --seconds 3 || echo "(etherdiskctl exited with $?)"
echo
echo "== aoe-sancheck (Coraid's SAN check, raw frames) agrees"
ip netns exec $P-cli timeout 20 aoe-sancheck 2>&1 | sed -n '/DEVICE SUMMARY/,$p'
echo
echo "== aoeping -I e2.0: the IDENTIFY fields"
ip netns exec $P-cli timeout 5 aoeping -I 2 0 $P-c | grep -Ei 'model|serial|firmware|lba|sectors' || true
echo
echo "== aoecfg: set a config string on e1.2 over the wire, read it back"
ip netns exec $P-cli timeout 5 aoecfg -c fset -s "demo-host" 1 2 $P-c
ip netns exec $P-cli timeout 5 aoecfg 1 2 $P-c
echo
if [ -n "${DEMO_KEEP:-}" ]; then
    echo "serving in namespace $P-srv; try: ip netns exec $P-cli $ctl discover --watch -i $P-c   (Ctrl-C ends)"
    wait
fi
echo "== the desktop app on a demo LAN of its own (scripts/demo-gui.sh)"
SKIP_SETUP=1 "$here/scripts/demo-gui.sh"
echo "demo done: namespaces removed."
