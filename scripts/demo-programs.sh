# SPDX-FileCopyrightText: 2026 The Etherdisk developers
# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
#
# Sourced by demo-gui.sh and demo-notification.sh (with $here the source
# tree): builds the programs the demos run into build/ unless SKIP_BUILD is
# set, and names them: $helper, $target, $ctl, $app.
# shellcheck disable=SC2034  # used by the scripts that source this
: "${here:?demo-programs.sh is sourced with \$here set to the source tree}"
if [ -z "${SKIP_BUILD:-}" ]; then
    cmake -S "$here" -B "$here/build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
    cmake --build "$here/build" --target etherdisk-helper etherdisk-target etherdiskctl etherdisk
fi
helper=$here/build/app/etherdisk-helper/etherdisk-helper
target=$here/build/app/etherdisk-target/etherdisk-target
ctl=$here/build/app/etherdiskctl/etherdiskctl
app=$here/build/app/etherdisk/etherdisk
