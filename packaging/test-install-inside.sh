#!/bin/bash
# SPDX-FileCopyrightText: 2026 The Etherdisk developers
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The part of packaging/test-install.sh that runs inside the test root
# (chroot, private namespaces, no network). It expects the .debs in
# /srv/etherdisk-test/debs and their package names in
# /srv/etherdisk-test/packages.
set -euo pipefail

T=/srv/etherdisk-test
mapfile -t PKGS <"$T/packages"
failures=0
step() { printf '\n--- %s\n' "$*"; }
ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
has_pkg() { printf '%s\n' "${PKGS[@]}" | grep -qxF "$1"; }

# Every path of the root except what changes by itself: dpkg's and apt's
# databases, caches, logs, the pseudo and temporary file systems, and this
# test's own directory.
snapshot() {
    find / -xdev \( -path /proc -o -path /sys -o -path /dev -o -path /run -o -path /tmp \
        -o -path /var/tmp -o -path /var/lib/dpkg -o -path /var/lib/apt -o -path /var/cache \
        -o -path /var/log -o -path "$T" \) -prune -o -print | sort
}

step "install with apt (no network)"
snapshot >"$T/before"
apt-get install -y -q --no-install-recommends "$T"/debs/*.deb >"$T/apt-install.log" 2>&1 \
    || { cat "$T/apt-install.log"; echo "FAIL: apt-get install" >&2; exit 1; }
newly=$(sed -n 's/^\([0-9]\+\) newly installed.*/\1/p; s/.* \([0-9]\+\) newly installed.*/\1/p' "$T/apt-install.log" | head -n1)
[ "$newly" = "${#PKGS[@]}" ] && ok "apt installed exactly our ${#PKGS[@]} packages" \
    || { cat "$T/apt-install.log"; bad "apt installed $newly packages, expected ${#PKGS[@]}"; }
for p in "${PKGS[@]}"; do
    dpkg-query -W -f='${db:Status-Abbrev}' "$p" | grep -q '^ii' && ok "$p installed" || bad "$p is not installed"
done

step "files in place"
# Where this release's debhelper puts units: /lib on Debian 12, /usr/lib
# later (where /lib is a link to usr/lib, so ask dpkg, not the file system).
unitdir=/lib/systemd/system
if dpkg -L etherdisk-helper 2>/dev/null | grep -qx /usr/lib/systemd/system/etherdisk-helper.service; then
    unitdir=/usr/lib/systemd/system
fi
declare -A expect=(
    [etherdisk-target]="/usr/sbin/etherdisk-target /usr/share/man/man8/etherdisk-target.8.gz"
    [etherdiskctl]="/usr/bin/etherdiskctl /usr/share/man/man1/etherdiskctl.1.gz"
    [etherdisk]="/usr/bin/etherdisk /usr/share/man/man1/etherdisk.1.gz
        /usr/share/applications/org.etherdisk.Etherdisk.desktop
        /usr/share/icons/hicolor/scalable/apps/etherdisk.svg
        /usr/share/metainfo/org.etherdisk.Etherdisk.metainfo.xml"
    [etherdisk-helper]="/usr/libexec/etherdisk/etherdisk-helper
        /usr/share/man/man8/etherdisk-helper.8.gz
        /usr/share/dbus-1/system.d/org.etherdisk.Etherdisk1.conf
        /usr/share/dbus-1/system-services/org.etherdisk.Etherdisk1.service
        /usr/share/dbus-1/interfaces/org.etherdisk.Etherdisk1.Manager.xml
        /usr/share/dbus-1/interfaces/org.etherdisk.Etherdisk1.Export.xml
        /usr/share/dbus-1/interfaces/org.etherdisk.Etherdisk1.Target.xml
        /usr/share/polkit-1/actions/org.etherdisk.etherdisk1.policy
        $unitdir/etherdisk-helper.service"
)
for p in etherdisk-target etherdiskctl etherdisk-helper etherdisk; do
    has_pkg "$p" || { bad "package $p was not built"; continue; }
    for f in ${expect[$p]}; do
        if [ -f "$f" ] && dpkg -S "$f" 2>/dev/null | grep -q "^$p: "; then ok "$f ($p)"; else bad "$f missing or not owned by $p"; fi
    done
done
for b in /usr/sbin/etherdisk-target /usr/bin/etherdiskctl /usr/libexec/etherdisk/etherdisk-helper /usr/bin/etherdisk; do
    [ "$(stat -c '%a %U' "$b" 2>/dev/null)" = "755 root" ] && ok "$b is 755 root" || bad "$b: mode/owner $(stat -c '%a %U' "$b" 2>&1)"
done
# The unit starts at boot (dh_installsystemd enabled it) and runs the installed helper.
[ -L /etc/systemd/system/multi-user.target.wants/etherdisk-helper.service ] \
    && ok "etherdisk-helper.service enabled" || bad "etherdisk-helper.service is not enabled"
grep -qx 'ExecStart=/usr/libexec/etherdisk/etherdisk-helper' $unitdir/etherdisk-helper.service \
    && grep -qx 'Exec=/usr/libexec/etherdisk/etherdisk-helper' /usr/share/dbus-1/system-services/org.etherdisk.Etherdisk1.service \
    && ok "unit and activation file run /usr/libexec/etherdisk/etherdisk-helper" \
    || bad "unit or activation file names another helper path"

step "commands run"
out=$(etherdisk-target --help 2>&1) && grep -q 'etherdisk-target' <<<"$out" \
    && ok "etherdisk-target --help" || bad "etherdisk-target --help: $out"
out=$(etherdiskctl --help 2>&1) && grep -q 'discover' <<<"$out" \
    && ok "etherdiskctl --help" || bad "etherdiskctl --help: $out"
# The desktop app starts without a display (Qt's offscreen platform).
out=$(QT_QPA_PLATFORM=offscreen timeout 20 etherdisk --version 2>&1) && grep -q '0\.' <<<"$out" \
    && ok "etherdisk starts offscreen: $out" || bad "etherdisk --version offscreen: $out"
out=$(/usr/libexec/etherdisk/etherdisk-helper --version 2>&1) && grep -q '0\.1\.0' <<<"$out" \
    && ok "etherdisk-helper --version: $out" || bad "etherdisk-helper --version: $out"
# A headless server: etherdisk-target loads no Qt library and pulls in no Qt
# package. (It does load libdbus-1, through Debian's libpcap.)
if ldd /usr/sbin/etherdisk-target | grep -Ei 'libqt|not found'; then
    bad "etherdisk-target loads a Qt library, or misses one"
else
    ok "etherdisk-target loads no Qt library"
fi
closure=$(apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts --no-breaks \
    --no-replaces --no-enhances etherdisk-target 2>/dev/null | grep -v '^ ' | sort -u)
if grep -Ei 'qt' <<<"$closure"; then
    bad "etherdisk-target's dependencies include Qt packages (above)"
elif [ "$(wc -l <<<"$closure")" -lt 3 ]; then
    bad "apt-cache depends found no dependency closure for etherdisk-target: $closure"
else
    ok "etherdisk-target's $(wc -l <<<"$closure") recursive dependencies contain no Qt package"
fi
for b in /usr/bin/etherdiskctl /usr/libexec/etherdisk/etherdisk-helper; do
    ! ldd "$b" | grep 'not found' && ok "$b: every library found" || bad "$b misses a library"
done

step "system bus: policy, activation, polkit"
mkdir -p /run/dbus
dbus-daemon --system --fork --print-pid=3 3>"$T/dbus.pid"
for _ in $(seq 50); do [ -S /run/dbus/system_bus_socket ] && break; sleep 0.1; done
introspect() { # dest path
    dbus-send --system --print-reply --reply-timeout=20000 --dest="$1" "$2" \
        org.freedesktop.DBus.Introspectable.Introspect
}
if xml=$(introspect org.etherdisk.Etherdisk1 /org/etherdisk/Etherdisk1/Manager 2>&1) \
        && grep -q 'interface name="org.etherdisk.Etherdisk1.Manager"' <<<"$xml" \
        && grep -q 'method name="CreateExport"' <<<"$xml"; then
    ok "helper started by bus activation, Manager introspected"
else
    bad "introspecting org.etherdisk.Etherdisk1 failed: $xml"
fi
if xml=$(introspect org.etherdisk.Etherdisk1 /org/etherdisk/Etherdisk1 2>&1) \
        && grep -q 'org.freedesktop.DBus.ObjectManager' <<<"$xml"; then
    ok "ObjectManager on /org/etherdisk/Etherdisk1"
else
    bad "no ObjectManager on /org/etherdisk/Etherdisk1: $xml"
fi
owner=$(dbus-send --system --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
    org.freedesktop.DBus.GetConnectionUnixUser string:org.etherdisk.Etherdisk1 2>&1 | awk '/uint32/ {print $2}' || true)
[ "$owner" = 0 ] && ok "the name is owned by root" || bad "org.etherdisk.Etherdisk1 owned by uid '$owner'"
# The bus policy: anyone may call the helper (the system bus's default
# policy refuses method calls that no file allows)...
if out=$(setpriv --reuid=nobody --regid=nogroup --clear-groups \
        dbus-send --system --print-reply --dest=org.etherdisk.Etherdisk1 /org/etherdisk/Etherdisk1/Manager \
        org.freedesktop.DBus.Introspectable.Introspect 2>&1) && grep -q 'CreateExport' <<<"$out"; then
    ok "nobody may call the helper"
else
    bad "nobody cannot call the helper: $out"
fi
# ...and only root may own the name.
if out=$(setpriv --reuid=nobody --regid=nogroup --clear-groups \
        dbus-send --system --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
        org.freedesktop.DBus.RequestName string:org.etherdisk.Etherdisk1 uint32:0 2>&1); then
    bad "nobody could ask for org.etherdisk.Etherdisk1: $out"
else
    grep -q 'AccessDenied' <<<"$out" && ok "nobody may not own the name (AccessDenied)" || bad "unexpected: $out"
fi
# polkitd (bus-activated too) knows our actions with their defaults...
if out=$(pkaction --verbose --action-id org.etherdisk.etherdisk1.export 2>&1) \
        && grep -q 'implicit active: *auth_admin_keep' <<<"$out"; then
    ok "polkit knows org.etherdisk.etherdisk1.export (implicit active: auth_admin_keep)"
else
    bad "pkaction does not know org.etherdisk.etherdisk1.export: $out"
fi
n=$(pkaction 2>/dev/null | grep -c '^org\.etherdisk\.etherdisk1\.' || true)
[ "$n" = 5 ] && ok "5 etherdisk polkit actions" || bad "$n etherdisk polkit actions, expected 5"
# ...and the helper asks polkit through the bus: for root every action is yes.
out=$(dbus-send --system --print-reply --reply-timeout=20000 --dest=org.etherdisk.Etherdisk1 \
    /org/etherdisk/Etherdisk1/Manager org.etherdisk.Etherdisk1.Manager.GetPermissions 2>&1) || true
yes=$(grep -c 'string "yes"' <<<"$out" || true)
[ "$yes" = 5 ] && ok "GetPermissions for root: 5 actions yes (answered by polkitd)" \
    || bad "GetPermissions for root: $out"
# The helper ends on SIGTERM; the bus daemon goes with the namespace's end, but
# is stopped here so the snapshots below see nothing running.
hpid=$(dbus-send --system --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
    org.freedesktop.DBus.GetConnectionUnixProcessID string:org.etherdisk.Etherdisk1 2>/dev/null | awk '/uint32/ {print $2}' || true)
# (A generous 15 s: this machine may be busy building; the time is printed.)
if [ -n "$hpid" ]; then
    t0=$EPOCHREALTIME
    kill -TERM "$hpid"
    for _ in $(seq 150); do kill -0 "$hpid" 2>/dev/null || break; sleep 0.1; done
    took=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN {printf "%.1f", b - a}')
    kill -0 "$hpid" 2>/dev/null && bad "the helper did not end within 15 s of SIGTERM" || ok "the helper ended on SIGTERM (${took} s)"
else
    ok "the helper had already exited (no owner of org.etherdisk.Etherdisk1)"
fi
kill -TERM "$(cat "$T/dbus.pid")" 2>/dev/null || true
sleep 0.3

step "remove keeps the user's exports, purge removes everything"
# What the helper persists when an export is made persistent (it writes the
# file itself; here it is written as an administrator would).
mkdir -p /etc/etherdisk
printf '# persistent exports\n' >/etc/etherdisk/exports.conf
apt-get remove -y -q "${PKGS[@]}" >"$T/apt-remove.log" 2>&1 || { cat "$T/apt-remove.log"; bad "apt-get remove"; }
snapshot >"$T/after-remove"
# Besides the user's configuration, state under /var/lib/etherdisk stays,
# and so does debhelper's record of the unit's enablement (the symlink in
# /etc/systemd/system and deb-systemd-helper's state), so that a reinstall
# keeps the administrator's choice; purge removes all of them.
kept_re='^/var/lib/etherdisk(/|$)|^/etc/systemd/system/multi-user\.target\.wants/etherdisk-helper\.service$|^/var/lib/systemd/deb-systemd-helper-enabled/(etherdisk-helper\.service\.dsh-also|multi-user\.target\.wants(/etherdisk-helper\.service)?)$'
added=$(comm -13 "$T/before" "$T/after-remove" | grep -vE "$kept_re" || true)
gone=$(comm -23 "$T/before" "$T/after-remove" || true)
[ "$added" = $'/etc/etherdisk\n/etc/etherdisk/exports.conf' ] \
    && ok "after remove only /etc/etherdisk/exports.conf is left (besides $(comm -13 "$T/before" "$T/after-remove" | grep -cE "$kept_re" || true) paths of state and unit enablement)" \
    || bad "after remove, new paths other than /etc/etherdisk/exports.conf:"$'\n'"$added"
[ -z "$gone" ] && ok "remove deleted nothing that was there before" || bad "remove deleted: $gone"
# Packages without configuration files left are gone already; purge the rest.
mapfile -t rc < <(dpkg-query -W -f='${db:Status-Abbrev} ${Package}\n' "${PKGS[@]}" 2>/dev/null | awk '$1 == "rc" {print $2}')
echo "left in state rc after remove: ${rc[*]:-none}"
if [ ${#rc[@]} -gt 0 ]; then
    apt-get purge -y -q "${rc[@]}" >"$T/apt-purge.log" 2>&1 || { cat "$T/apt-purge.log"; bad "apt-get purge"; }
fi
snapshot >"$T/after-purge"
if diff -u "$T/before" "$T/after-purge"; then
    ok "after purge the root is as before the install"
else
    bad "purge left the root different from before the install (diff above)"
fi
left=$(dpkg -l "${PKGS[@]}" 2>/dev/null | awk '/^[a-z][a-z] / && $1 != "un" {print $1, $2}' || true)
[ -z "$left" ] && ok "dpkg knows none of our packages any more" || bad "dpkg still lists: $left"

echo
if [ $failures -gt 0 ]; then
    echo "$failures check(s) failed" >&2
    exit 1
fi
echo "all checks passed"
