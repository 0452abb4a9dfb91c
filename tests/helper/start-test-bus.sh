#!/bin/bash
# SPDX-FileCopyrightText: 2026 The Etherdisk developers
# SPDX-License-Identifier: GPL-2.0-or-later
#
# A private D-Bus *system* bus with a real polkitd, for testing
# etherdisk-helper without touching the machine's own bus.
#
#   start-test-bus.sh start DIR HELPER [NETNS]
#   start-test-bus.sh stop DIR
#
# start: DIR (created) gets bus.conf, a system-bus configuration that
# includes the project's bus policy (helper/data/org.etherdisk.Etherdisk1.conf)
# and polkit's, and services/, an activation directory whose
# org.etherdisk.Etherdisk1.service runs HELPER --config DIR/exports.conf
# --state-dir DIR/state, followed by $ETHERDISK_HELPER_ARGS if set (e.g.
# "--idle-timeout 0"; a test may rewrite that file and send the bus
# ReloadConfig to change them); its stderr is appended to DIR/helper.log.
# dbus-daemon listens on DIR/bus (a path, so clients
# in any network namespace reach it) and runs inside network namespace
# NETNS when given, so the helper it activates serves that namespace's
# interfaces. polkitd (Debian's polkitd package) runs on the private bus;
# it reads actions only from /usr/share/polkit-1/actions, so the project's
# policy is installed there unless an identical copy is present, and
# removed by stop if start installed it. Prints the bus address.
#
# stop: kills the helper (if running), polkitd and dbus-daemon that start
# started (pids recorded in DIR, each checked to still be that program),
# and removes the policy copy it installed. Needs root.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
source_dir=$(cd "$here/../.." && pwd)
policy_src="$source_dir/helper/data/org.etherdisk.etherdisk1.policy"
policy_dst=/usr/share/polkit-1/actions/org.etherdisk.etherdisk1.policy
polkitd=/usr/lib/polkit-1/polkitd

die() { echo "start-test-bus.sh: $*" >&2; exit 1; }

# kill_recorded FILE NAME: SIGTERM (then SIGKILL) the pid in FILE if it still runs NAME.
kill_recorded() {
    local file=$1 name=$2 pid
    [ -f "$file" ] || return 0
    pid=$(cat "$file")
    rm -f "$file"
    [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] || return 0
    tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q -- "$name" || return 0
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
}

call_bus() { # address method args...
    local address=$1 method=$2
    shift 2
    timeout 5 dbus-send --bus="$address" --print-reply --dest=org.freedesktop.DBus \
        /org/freedesktop/DBus "org.freedesktop.DBus.$method" "$@"
}

case "${1:-}" in
start)
    [ $# -ge 3 ] || die "usage: start DIR HELPER [NETNS]"
    [ "$(id -u)" -eq 0 ] || die "needs root"
    dir=$2 helper=$(realpath "$3") netns=${4:-}
    [ -x "$helper" ] || die "no helper program at $helper"
    [ -x "$polkitd" ] || die "no $polkitd (install Debian's polkitd)"
    command -v dbus-daemon >/dev/null || die "no dbus-daemon (install dbus-daemon)"
    mkdir -p "$dir/services" "$dir/state"
    chmod 0755 "$dir"
    address="unix:path=$dir/bus"
    cat >"$dir/bus.conf" <<CONF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path=$dir/bus</listen>
  <auth>EXTERNAL</auth>
  <servicedir>$dir/services</servicedir>
  <policy context="default">
    <allow user="*"/>
    <deny own="*"/>
    <deny send_type="method_call"/>
    <allow send_type="signal"/>
    <allow send_requested_reply="true" send_type="method_return"/>
    <allow send_requested_reply="true" send_type="error"/>
    <allow receive_type="method_call"/>
    <allow receive_type="method_return"/>
    <allow receive_type="error"/>
    <allow receive_type="signal"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus.Introspectable"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus.Properties"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus.Peer"/>
    <deny send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus"
          send_member="UpdateActivationEnvironment"/>
  </policy>
  <include ignore_missing="yes">/usr/share/dbus-1/system.d/org.freedesktop.PolicyKit1.conf</include>
  <include>$source_dir/helper/data/org.etherdisk.Etherdisk1.conf</include>
</busconfig>
CONF
    cat >"$dir/services/org.etherdisk.Etherdisk1.service" <<SERVICE
[D-BUS Service]
Name=org.etherdisk.Etherdisk1
Exec=/bin/sh -c "exec $helper --config $dir/exports.conf --state-dir $dir/state${ETHERDISK_HELPER_ARGS:+ $ETHERDISK_HELPER_ARGS} 2>>$dir/helper.log"
User=root
SERVICE
    if [ -f "$policy_dst" ]; then
        cmp -s "$policy_src" "$policy_dst" \
            || die "$policy_dst exists and differs from the project's: remove or update it first"
    else
        cp "$policy_src" "$policy_dst"
        echo "$policy_dst" >"$dir/installed-policy"
    fi
    rm -f "$dir/bus"
    run=()
    [ -n "$netns" ] && run=(ip netns exec "$netns")
    # The activated helper inherits this environment: it finds the bus here.
    DBUS_SYSTEM_BUS_ADDRESS=$address "${run[@]}" dbus-daemon --config-file="$dir/bus.conf" \
        --fork --print-pid=3 3>"$dir/dbus.pid" >/dev/null
    for _ in $(seq 50); do [ -S "$dir/bus" ] && call_bus "$address" GetId >/dev/null 2>&1 && break; sleep 0.1; done
    call_bus "$address" GetId >/dev/null || die "the private bus did not start"
    DBUS_SYSTEM_BUS_ADDRESS=$address setsid "$polkitd" --no-debug \
        </dev/null >"$dir/polkitd.log" 2>&1 &
    echo $! >"$dir/polkitd.pid"
    for _ in $(seq 100); do
        call_bus "$address" GetNameOwner string:org.freedesktop.PolicyKit1 >/dev/null 2>&1 && break
        sleep 0.1
    done
    call_bus "$address" GetNameOwner string:org.freedesktop.PolicyKit1 >/dev/null \
        || die "polkitd did not appear on the private bus (see $dir/polkitd.log)"
    echo "$address"
    ;;
stop)
    [ $# -ge 2 ] || die "usage: stop DIR"
    dir=$2
    address="unix:path=$dir/bus"
    if [ -S "$dir/bus" ]; then
        pid=$(call_bus "$address" GetConnectionUnixProcessID string:org.etherdisk.Etherdisk1 2>/dev/null \
            | awk '/uint32/ {print $2}') || true
        [ -n "${pid:-}" ] && echo "$pid" >"$dir/helper.pid" && kill_recorded "$dir/helper.pid" etherdisk-helper
    fi
    kill_recorded "$dir/polkitd.pid" polkitd
    kill_recorded "$dir/dbus.pid" dbus-daemon
    rm -f "$dir/bus"
    if [ -f "$dir/installed-policy" ]; then
        rm -f "$(cat "$dir/installed-policy")" "$dir/installed-policy"
    fi
    ;;
*)
    die "usage: start DIR HELPER [NETNS] | stop DIR"
    ;;
esac
