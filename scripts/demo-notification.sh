#!/usr/bin/env bash
# SPDX-FileCopyrightText: 2026 The Etherdisk developers
# SPDX-License-Identifier: GPL-2.0-or-later
#
# demo-notification.sh — the desktop app's loss notification, for real, in
# pictures. demo-gui.sh runs it after its screenshots; it also runs alone:
#
#   sudo scripts/demo-notification.sh [OUTDIR]    (default build/demo-screenshots)
#
# Attaching needs the Linux aoe driver, and the host's driver serves only the
# machine's own network namespace, which the demos never touch. So "this
# computer" is a qemu guest with its own kernel (tests/kernel/aoe-guest.sh,
# joined to a private namespace by a tap device): etherdisk-helper on a
# private system bus, Xvfb, dunst, trayer and the app
# (scripts/demo-notification-guest.sh). On the host side of the tap
# etherdisk-target serves e2.1 and e2.2; the app attaches e2.1, the target
# is stopped and started again, and attached.png, lost.png and back.png are
# saved into OUTDIR. Takes a minute or two (qemu without KVM).
#
#   SKIP_BUILD=1   use the binaries already in build/
# Exit status: 0 pictures saved, 1 failed, 77 a prerequisite is missing (said why).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$here"
out=${1:-$here/build/demo-screenshots}
missing() { echo "no notification pictures: $*" >&2; exit 77; }
[ "$(id -u)" -eq 0 ] || missing "needs root (a network namespace and a tap device): sudo $0"
command -v qemu-system-x86_64 >/dev/null || missing "qemu-system-x86_64 is not installed (scripts/setup.sh)"
ls /boot/vmlinuz-* >/dev/null 2>&1 || missing "no kernel in /boot for the guest (scripts/setup.sh installs linux-image-amd64)"
for p in Xvfb dunst dunstctl trayer import busctl; do
    command -v $p >/dev/null || missing "$p is not installed (scripts/setup.sh)"
done
# shellcheck source-path=SCRIPTDIR source=demo-programs.sh
. "$here/scripts/demo-programs.sh"

# Not under /tmp: the guest mounts a tmpfs of its own there.
work=$(mktemp -d /var/tmp/etherdisk-notify-demo.XXXXXX)
chmod 0755 "$work"
policy_src=$here/helper/data/org.etherdisk.etherdisk1.policy
policy_dst=/usr/share/polkit-1/actions/org.etherdisk.etherdisk1.policy
installed_policy=
# shellcheck disable=SC2317  # invoked by trap
cleanup() {
    [ -z "$installed_policy" ] || rm -f "$policy_dst"
    rm -rf "$work"
}
trap cleanup EXIT
# The guest sees the host's root read-only: polkitd there reads the project's
# policy from the host's folder (as start-test-bus.sh installs it).
if [ ! -f "$policy_dst" ]; then
    cp "$policy_src" "$policy_dst"
    installed_policy=1
elif ! cmp -s "$policy_src" "$policy_dst"; then
    echo "$policy_dst differs from the project's: remove or update it first" >&2
    exit 1
fi

truncate -s 256M "$work/media.img"
truncate -s 1G "$work/backup.img"
# aoe-guest.sh names the tap edk0.
cat >"$work/lan.conf" <<CONF
[export 2.1]
path = $work/media.img
interfaces = edk0
model = Media library

[export 2.2]
path = $work/backup.img
interfaces = edk0
write-mode = sync
model = Nightly backup
CONF

echo "== the loss notification: a qemu guest attaches e2.1, the target stops and comes back"
mkdir -p "$work/guest"
set +e
tests/kernel/aoe-guest.sh --no-aoe --mem 1G --timeout 300 --workdir "$work/guest" \
    --target "$target --config $work/lan.conf --state-dir $work/state" \
    --guest "$here/scripts/demo-notification-guest.sh" \
    --env "EDK_HELPER=$helper" --env "EDK_APP=$app" --env "EDK_CTL=$ctl" \
    --env "EDK_LIB=$here/tests/kernel"
rc=$?
set -e
[ "$rc" -eq 0 ] || { echo "the guest failed (status $rc)" >&2; exit 1; }
mkdir -p "$out"
for p in attached lost back; do
    cp "$work/guest/$p.png" "$out/notification-$p.png"
done
echo "pictures of the loss notification:"
ls -1 "$out"/notification-*.png
