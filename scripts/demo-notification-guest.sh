#!/bin/bash
# SPDX-FileCopyrightText: 2026 The Etherdisk developers
# SPDX-License-Identifier: GPL-2.0-or-later
#
# demo-notification-guest.sh — the guest half of demo-notification.sh, run by
# tests/kernel/aoe-guest.sh inside a qemu guest (its own kernel, so its own
# aoe driver). "This computer" with a desktop: a private system bus with
# polkitd and etherdisk-helper, an X server (Xvfb), a session bus, a
# notification daemon (dunst), a tray (trayer) and the desktop app. The app
# attaches e2.1, the host stops the target, and the pictures are taken:
#
#   attached.png   the window, e2.1 attached as /dev/etherd/e2.1
#   lost.png       the target stopped: the critical "e2.1 is lost" notification
#   back.png       the target back: the same notification, now "e2.1 is back"
#
# They are written to $EDK_WORKDIR (the host copies them out). Environment
# (aoe-guest.sh --env): EDK_HELPER, EDK_APP, EDK_CTL (the programs), EDK_LIB
# (tests/kernel of the source tree).
set -euo pipefail
: "${EDK_HELPER:?}" "${EDK_APP:?}" "${EDK_CTL:?}" "${EDK_LIB:?}" "${EDK_WORKDIR:?}"
# shellcheck source-path=SCRIPTDIR source=../tests/kernel/guest-lib.sh
. "$EDK_LIB/guest-lib.sh"

say() { echo "demo guest: $*"; }
die() { echo "demo guest: $*" >&2; exit 1; }
pids=()
# shellcheck disable=SC2317  # invoked by trap
cleanup() {
    set +e
    [ -z "${DBUS_SYSTEM_BUS_ADDRESS:-}" ] || timeout 20 "$EDK_CTL" detach e2.1 >/dev/null 2>&1
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
    "$EDK_LIB/guest-helper-bus.sh" stop >/dev/null 2>&1
}
trap cleanup EXIT

# wait_for SECONDS COMMAND...: until COMMAND succeeds, polling every 0.2 s.
wait_for() {
    local limit=$(($(date +%s) + $1))
    shift
    until "$@" >/dev/null 2>&1; do
        [ "$(date +%s)" -lt "$limit" ] || return 1
        sleep 0.2
    done
}

# The guest's root is the host's, read-only: /tmp (the X server's socket and
# keymap) and every program's home and runtime folder go on tmpfs. The work
# folder is not under /tmp (demo-notification.sh puts it in /var/tmp).
mount -t tmpfs -o mode=1777 tmp /tmp || die "cannot mount a tmpfs on /tmp"
export HOME=$TMPDIR/home XDG_RUNTIME_DIR=/dev/shm/runtime
mkdir -p "$HOME" "$XDG_RUNTIME_DIR"
chmod 0700 "$XDG_RUNTIME_DIR"
export XDG_CONFIG_HOME=$HOME/.config XDG_CACHE_HOME=$HOME/.cache XDG_DATA_HOME=$HOME/.local/share
export LC_ALL=C.UTF-8 LANGUAGE=

address=$("$EDK_LIB/guest-helper-bus.sh" start "$EDK_HELPER") || die "the helper's bus did not start"
export DBUS_SYSTEM_BUS_ADDRESS=$address

export DISPLAY=:5
Xvfb "$DISPLAY" -nolock -nolisten tcp -screen 0 1280x720x24 >"$TMPDIR/xvfb.log" 2>&1 &
pids+=($!)
wait_for 30 xdpyinfo || die "Xvfb did not start: $(cat "$TMPDIR/xvfb.log")"

session=$(dbus-daemon --session --fork --print-address=1 --print-pid=3 \
    --address=unix:path="$XDG_RUNTIME_DIR/bus" 3>"$TMPDIR/session.pid")
pids+=("$(cat "$TMPDIR/session.pid")")
export DBUS_SESSION_BUS_ADDRESS=$session
has_name() { busctl --user --address="$session" status "$1"; }
dunst >"$TMPDIR/dunst.log" 2>&1 &
pids+=($!)
wait_for 20 dunstctl count displayed || die "dunst did not start: $(cat "$TMPDIR/dunst.log" "$TMPDIR/xvfb.log")"
# An XEmbed tray along the bottom edge, where a panel would be.
trayer --edge bottom --align right --widthtype request --height 32 --tint 0x3c3c3c \
    --transparent true --alpha 0 >"$TMPDIR/trayer.log" 2>&1 &
pids+=($!)
sleep 1

QT_QPA_PLATFORM=xcb "$EDK_APP" >"$TMPDIR/app.log" 2>&1 &
pids+=($!)
listed() { "$EDK_CTL" list 2>/dev/null | grep -q "^e2\.1 .*online"; }
wait_for 60 listed || die "the helper does not see e2.1: $("$EDK_CTL" list 2>&1)"

say "attach e2.1"
"$EDK_CTL" attach e2.1 --no-user-interaction || die "attach failed"
attached() { "$EDK_CTL" list | grep -q "^e2\.1 .*/dev/etherd/e2\.1"; }
wait_for 20 attached || die "e2.1 not shown as attached: $("$EDK_CTL" list 2>&1)"
sleep 2
import -window root "$EDK_WORKDIR/attached.png"

say "the target stops"
edk_target stop || die "the host did not stop the target"
shown() { [ "$(dunstctl count displayed)" -ge 1 ]; }
wait_for 30 shown || die "no notification within 30 s: $(cat "$TMPDIR/app.log")"
sleep 1
import -window root "$EDK_WORKDIR/lost.png"

say "the target comes back"
edk_target start || die "the host did not restart the target"
back() { "$EDK_CTL" list | grep -q "^e2\.1 .*online"; }
wait_for 30 back || die "e2.1 did not come back: $("$EDK_CTL" list 2>&1)"
sleep 2
import -window root "$EDK_WORKDIR/back.png"
say "pictures taken"
