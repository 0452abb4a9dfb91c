#!/bin/bash
# SPDX-FileCopyrightText: 2026 The Etherdisk developers
# SPDX-License-Identifier: GPL-2.0-or-later
#
# guest-helper-bus.sh — inside a qemu guest run by aoe-guest.sh: a private
# D-Bus system bus with a real polkitd, on which etherdisk-helper is
# bus-activated, so that a guest script can drive the helper (attach,
# detach, loss) against the guest's own aoe driver.
#
#   guest-helper-bus.sh start HELPER   prints the bus address (unix:path=...)
#   guest-helper-bus.sh stop
#
# It is tests/helper/start-test-bus.sh with its directory on the guest's
# tmpfs, /dev/shm/etherdisk-helper-bus (a Unix socket cannot be bound on the
# 9p work directory, and the rest of the guest's root is the host's,
# read-only). The project's polkit policy must already be
# installed on the host (read-only in the guest): start-test-bus.sh checks
# that the copy there is identical. Use the address with
#   busctl --address=ADDRESS introspect org.etherdisk.Etherdisk1 /org/etherdisk/Etherdisk1/Manager
#   DBUS_SYSTEM_BUS_ADDRESS=ADDRESS etherdiskctl ...
# The helper's state is in /dev/shm/etherdisk-helper-bus/{exports.conf,state},
# polkitd's log in polkitd.log there.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
[ -n "${EDK_WORKDIR:-}" ] || { echo "guest-helper-bus.sh: not in an aoe-guest.sh guest (no EDK_WORKDIR)" >&2; exit 2; }
dir=/dev/shm/etherdisk-helper-bus
case "${1:-}" in
start)
    [ $# -ge 2 ] || { echo "usage: guest-helper-bus.sh start HELPER | stop" >&2; exit 2; }
    exec "$here/../helper/start-test-bus.sh" start "$dir" "$2"
    ;;
stop)
    exec "$here/../helper/start-test-bus.sh" stop "$dir"
    ;;
*)
    echo "usage: guest-helper-bus.sh start HELPER | stop" >&2
    exit 2
    ;;
esac
