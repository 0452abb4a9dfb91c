#!/bin/bash
# SPDX-FileCopyrightText: 2026 The Etherdisk developers
# SPDX-License-Identifier: GPL-2.0-or-later
#
# check-packages.sh DEBDIR — static checks of the built Debian packages:
#   * lintian on the .changes (every .deb in it): no error, no warning
#     (overrides only in packaging/debian/*.lintian-overrides, each with its
#     reason); info and pedantic tags are printed, not fatal;
#   * the payload of the .debs unpacked into a scratch root, then:
#     - systemd-analyze verify of every unit, against that root;
#     - systemd-analyze security --offline of every service: exposure at
#       most ETHERDISK_MAX_EXPOSURE (default 3.5; the README states 3.5);
#     - xmllint --valid (DTDs from the local XML catalog, no network) of the
#       D-Bus bus policy and polkit actions, and of the D-Bus interface
#       descriptions against introspect.dtd;
#     - desktop-file-validate of every .desktop file and appstreamcli
#       validate-tree --no-net of the AppStream metainfo (at least one
#       each: the desktop app's), which also finds the launchable's
#       .desktop file in the payload.
# Exit 0 when every check passed, 1 otherwise (each failure is listed).
set -uo pipefail

[ $# -eq 1 ] || { echo "usage: $0 DEBDIR" >&2; exit 64; }
debdir=$(cd "$1" && pwd) || exit 64
fails=0
ok() { echo "check-packages: ok: $*"; }
bad() { echo "check-packages: FAIL: $*" >&2; fails=$((fails + 1)); }
need() { command -v "$1" >/dev/null || { bad "$1 is not installed (scripts/setup.sh installs it)"; return 1; }; }

shopt -s nullglob
changes=("$debdir"/*.changes)
debs=("$debdir"/*.deb)
[ ${#changes[@]} -eq 1 ] || { bad "expected one .changes in $debdir, found ${#changes[@]}"; exit 1; }
[ ${#debs[@]} -gt 0 ] || { bad "no .deb in $debdir"; exit 1; }

# ---- lintian ------------------------------------------------------------------------
if need lintian; then
    # --fail-on error,warning: an error or warning tag (not overridden) fails.
    if lintian --allow-root --fail-on error,warning --display-level '>=pedantic' -E \
            --show-overrides "${changes[0]}"; then
        ok "lintian: no errors, no warnings ($(basename "${changes[0]}"))"
    else
        bad "lintian reported errors or warnings"
    fi
fi

# ---- the payload --------------------------------------------------------------------
root=$(mktemp -d /tmp/etherdisk-check.XXXXXX)
trap 'rm -rf "$root"' EXIT
for d in "${debs[@]}"; do dpkg-deb -x "$d" "$root"; done
units=("$root"/lib/systemd/system/*.service "$root"/usr/lib/systemd/system/*.service)
[ ${#units[@]} -gt 0 ] || bad "no systemd unit in the packages"
# This machine's units, for those ours refer to (never over ours).
for dir in /lib/systemd/system /usr/lib/systemd/system; do
    [ -d "$dir" ] && [ ! -L "$dir" ] && mkdir -p "$root$dir" && cp -rn "$dir/." "$root$dir/"
done

if need systemd-analyze; then
    for u in "${units[@]}"; do
        rel=${u#"$root"}
        # --root: ExecStart= and the other paths are looked up in the payload;
        # the units it names (dbus.socket, ...) come from this machine.
        # Documentation= man pages are checked against the payload below.
        if out=$(systemd-analyze verify --man=no --root="$root" "$rel" 2>&1) && [ -z "$out" ]; then
            ok "systemd-analyze verify $rel"
        else
            bad "systemd-analyze verify $rel:"$'\n'"$out"
        fi
        man_re='^man:([^(]+)[(]([0-9a-z]+)[)]$'
        for m in $(sed -n 's/^Documentation=//p' "$u"); do
            [[ $m =~ $man_re ]] || continue
            page="$root/usr/share/man/man${BASH_REMATCH[2]:0:1}/${BASH_REMATCH[1]}.${BASH_REMATCH[2]}.gz"
            [ -f "$page" ] && ok "$rel: Documentation=$m is in the packages" || bad "$rel: Documentation=$m is not in the packages"
        done
        max=${ETHERDISK_MAX_EXPOSURE:-3.5}
        exposure=$(systemd-analyze security --offline=true --root="$root" "$rel" 2>/dev/null \
            | sed -n 's/.*Overall exposure level for .*: \([0-9.]*\).*/\1/p')
        if [ -n "$exposure" ] && awk -v e="$exposure" -v m="$max" 'BEGIN {exit !(e <= m)}'; then
            ok "systemd-analyze security $rel: exposure $exposure (at most $max)"
        else
            bad "systemd-analyze security $rel: exposure '${exposure:-unknown}' (at most $max)"
        fi
    done
fi

if need xmllint; then
    policies=("$root"/usr/share/polkit-1/actions/*.policy)
    [ ${#policies[@]} -gt 0 ] || bad "no polkit policy in the packages"
    for f in "${policies[@]}"; do
        if out=$(xmllint --noout --valid --nonet "$f" 2>&1); then ok "xmllint --valid ${f#"$root"}"; else bad "xmllint ${f#"$root"}:"$'\n'"$out"; fi
    done
    # Bus policies: the busconfig.dtd Debian ships (libdbus-1-dev) predates
    # send_destination and friends, so validity is checked by the parser
    # that matters: a dbus-daemon started on a private socket with the file
    # included refuses any unknown element or attribute.
    busconfs=("$root"/usr/share/dbus-1/system.d/*.conf)
    [ ${#busconfs[@]} -gt 0 ] || bad "no D-Bus bus policy in the packages"
    for f in "${busconfs[@]}"; do
        if ! out=$(xmllint --noout --nonet "$f" 2>&1); then bad "xmllint ${f#"$root"}:"$'\n'"$out"; continue; fi
        printf '%s\n' '<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"' \
            ' "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">' \
            "<busconfig><type>system</type><listen>unix:path=$root/bus-test.sock</listen>" \
            "<auth>EXTERNAL</auth><include>$f</include></busconfig>" >"$root/bus-test.conf"
        if pid=$(timeout 10 dbus-daemon --config-file="$root/bus-test.conf" --fork --print-pid 2>&1); then
            kill "$pid"
            ok "xmllint and dbus-daemon accept ${f#"$root"}"
        else
            bad "dbus-daemon refuses ${f#"$root"}: $pid"
        fi
    done
    dtd=/usr/share/xml/dbus-1/introspect.dtd
    ifaces=("$root"/usr/share/dbus-1/interfaces/*.xml)
    [ ${#ifaces[@]} -gt 0 ] || bad "no D-Bus interface description in the packages"
    for f in "${ifaces[@]}"; do
        if [ -f "$dtd" ]; then
            out=$(xmllint --noout --nonet --dtdvalid "$dtd" "$f" 2>&1)
        else
            out=$(xmllint --noout --nonet "$f" 2>&1)
        fi
        if [ $? -eq 0 ]; then ok "xmllint ${f#"$root"}${dtd:+ (introspect.dtd)}"; else bad "xmllint ${f#"$root"}:"$'\n'"$out"; fi
    done
    for f in "$root"/usr/share/dbus-1/system-services/*.service; do
        # The activation file must name the installed helper and its unit.
        exe=$(sed -n 's/^Exec=//p' "$f")
        [ -x "$root$exe" ] && ok "${f#"$root"}: Exec=$exe is in the packages" || bad "${f#"$root"}: Exec=$exe is not in the packages"
        su=$(sed -n 's/^SystemdService=//p' "$f")
        [ -z "$su" ] || [ -f "$root/lib/systemd/system/$su" ] || [ -f "$root/usr/lib/systemd/system/$su" ] \
            && ok "${f#"$root"}: SystemdService=$su is in the packages" || bad "${f#"$root"}: SystemdService=$su is not in the packages"
    done
fi

desktops=("$root"/usr/share/applications/*.desktop)
[ ${#desktops[@]} -gt 0 ] || bad "no .desktop file in the packages"
for f in "${desktops[@]}"; do
    need desktop-file-validate && { desktop-file-validate "$f" && ok "desktop-file-validate ${f#"$root"}" || bad "desktop-file-validate ${f#"$root"}"; }
done
metainfos=("$root"/usr/share/metainfo/*.xml)
if [ ${#metainfos[@]} -eq 0 ]; then
    bad "no AppStream metainfo in the packages"
elif need appstreamcli; then
    # validate-tree: each metainfo file as validate does, plus what it refers
    # to in the payload (the launchable's .desktop file). Errors and warnings
    # fail; info and pedantic hints are printed.
    if appstreamcli validate-tree --no-net --pedantic "$root"; then
        ok "appstreamcli validate-tree --no-net: ${metainfos[*]#"$root"}"
    else
        bad "appstreamcli validate-tree --no-net: ${metainfos[*]#"$root"}"
    fi
fi

if [ $fails -gt 0 ]; then
    echo "check-packages: $fails check(s) failed" >&2
    exit 1
fi
echo "check-packages: all checks passed"
