#!/usr/bin/env bash
# SPDX-FileCopyrightText: 2026 The Etherdisk developers
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The desktop app on a demo LAN (run-demo.sh ends with it; it also runs on
# its own). Builds etherdisk-helper, etherdisk-target and etherdisk, then:
#
#   namespace edgui-me   "this computer": a private system bus with a real
#                        polkitd and etherdisk-helper (tests/helper/start-test-bus.sh),
#                        which exports e3.1 (an image) and discovers the LAN;
#   namespace edgui-lan  the rest of the LAN, one veth away: Debian's vblade
#                        serves e1.1, etherdisk-target serves e2.1 and e2.2,
#                        and etherdiskctl reads e3.1 now and then (a client
#                        with traffic for the exports view).
#
# With a display (DISPLAY set, DEMO_SCREENSHOTS unset) the window opens on
# it; close it to end the demo. Without one the app runs under Xvfb, saves
# a picture of each main view and prints where they are
# (build/demo-screenshots/); then demo-notification.sh adds pictures of the
# tray and the loss notification, taken in a qemu guest that attaches a disk
# (the host's aoe driver cannot attach inside a network namespace). Nothing touches the machine's own interfaces
# or its system bus; everything is removed on exit.
#
#   SKIP_SETUP=1        do not install packages
#   SKIP_BUILD=1        use the binaries already in build/
#   DEMO_SCREENSHOTS=1  screenshots even when a display is there
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$here"
[ "$(id -u)" -eq 0 ] || { echo "demo-gui.sh needs root (network namespaces, a private system bus): sudo $0" >&2; exit 1; }
[ -n "${SKIP_SETUP:-}" ] || scripts/setup.sh
# shellcheck source-path=SCRIPTDIR source=demo-programs.sh
. "$here/scripts/demo-programs.sh"
shots=$here/build/demo-screenshots

P=edgui
work=$(mktemp -d /tmp/etherdisk-gui-demo.XXXXXX)
chmod 0755 "$work"
xvfb_pid=
reader_pid=
cleanup() {
    set +e
    [ -z "$reader_pid" ] || kill "$reader_pid" 2>/dev/null
    [ -z "$xvfb_pid" ] || kill "$xvfb_pid" 2>/dev/null
    "$here/tests/helper/start-test-bus.sh" stop "$work/bus" 2>/dev/null
    for ns in $P-lan $P-me; do
        pids=$(ip netns pids $ns 2>/dev/null)
        [ -z "$pids" ] || kill $pids 2>/dev/null
    done
    sleep 0.3
    ip netns del $P-lan 2>/dev/null
    ip netns del $P-me 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT
for ns in $P-me $P-lan; do
    if ip netns list | grep -qw "$ns"; then
        echo "namespace $ns exists: another demo is running (or remove it: ip netns del $ns)" >&2
        trap - EXIT
        rm -rf "$work"
        exit 1
    fi
done
ip netns add $P-me
ip netns add $P-lan
ip link add $P-m type veth peer name $P-l
ip link set $P-m netns $P-me
ip link set $P-l netns $P-lan
ip -n $P-me link set lo up
ip -n $P-lan link set lo up
ip -n $P-me link set $P-m up
ip -n $P-lan link set $P-l up

echo "== the LAN: vblade serves e1.1, etherdisk-target e2.1 and e2.2 (namespace $P-lan)"
truncate -s 64M "$work/vblade.img"
truncate -s 256M "$work/media.img"
truncate -s 1G "$work/backup.img"
ip netns exec $P-lan vblade 1 1 $P-l "$work/vblade.img" >"$work/vblade.log" 2>&1 &
cat >"$work/lan.conf" <<CONF
[export 2.1]
path = $work/media.img
interfaces = $P-l
model = Media library

[export 2.2]
path = $work/backup.img
interfaces = $P-l
write-mode = sync
model = Nightly backup
CONF
ip netns exec $P-lan "$target" --config "$work/lan.conf" --state-dir "$work/lan-state" \
    >"$work/target.log" 2>&1 &

echo "== this computer: a private system bus, polkitd and etherdisk-helper (namespace $P-me)"
address=$("$here/tests/helper/start-test-bus.sh" start "$work/bus" "$helper" $P-me)
export DBUS_SYSTEM_BUS_ADDRESS=$address
truncate -s 128M "$work/shared.img"
ip netns exec $P-me "$ctl" export "$work/shared.img" e3.1 -i $P-m
# A client on the LAN reading e3.1 now and then: traffic and a client for the view.
(
    while sleep 1; do
        ip netns exec $P-lan "$ctl" bench e3.1 -i $P-l --mode randread --size 4096 --seconds 2 \
            >/dev/null 2>&1 || true
    done
) >/dev/null 2>&1 &
reader_pid=$!

if [ -n "${DISPLAY:-}" ] && [ -z "${DEMO_SCREENSHOTS:-}" ]; then
    echo "== the window (close it to end the demo)"
    ip netns exec $P-me dbus-run-session -- "$app" || true
    exit 0
fi

echo "== no display: the window under Xvfb, one picture per main view"
command -v Xvfb >/dev/null || { echo "Xvfb is not installed (package xvfb)" >&2; exit 1; }
display=
for n in $(seq 90 140); do
    if [ ! -e /tmp/.X$n-lock ] && [ ! -e /tmp/.X11-unix/X$n ]; then display=:$n; break; fi
done
[ -n "$display" ] || { echo "no free X display number" >&2; exit 1; }
Xvfb "$display" -screen 0 1280x800x24 -nolisten tcp >"$work/xvfb.log" 2>&1 &
xvfb_pid=$!
for _ in $(seq 50); do [ -e "/tmp/.X11-unix/X${display#:}" ] && break; sleep 0.1; done
rm -rf "$shots"
DISPLAY=$display QT_QPA_PLATFORM=xcb ip netns exec $P-me dbus-run-session -- \
    "$app" --screenshots "$shots" --wait-targets 3 --wait-exports 1
echo
echo "screenshots of the demo LAN:"
ls -1 "$shots"/*.png
echo
# The loss notification needs an attached disk, so a kernel of its own.
rc=0
SKIP_BUILD=1 scripts/demo-notification.sh "$shots" || rc=$?
case $rc in
0 | 77) ;; # pictures taken, or what is missing was said
*) echo "warning: the notification pictures were not taken (status $rc, above); the views' pictures are" >&2 ;;
esac
