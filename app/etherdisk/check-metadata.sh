#!/bin/bash
# SPDX-FileCopyrightText: 2026 The Etherdisk developers
# SPDX-License-Identifier: GPL-2.0-or-later
#
# check-metadata.sh — the desktop app's desktop entry and AppStream
# metainfo as they are in the tree (ctest etherdisk_desktop_file and
# etherdisk_metainfo, label unit; packaging/check-packages.sh validates
# the installed copies in the built packages):
#
#   check-metadata.sh desktop DESKTOP
#     desktop-file-validate DESKTOP (errors fail, hints are printed);
#   check-metadata.sh metainfo METAINFO DESKTOP APPID_HEADER VERSION
#     * the metainfo's <id> is the desktop entry's name (DESKTOP without
#       .desktop) and Ui::appId() in APPID_HEADER, and its launchable
#       names DESKTOP;
#     * its newest (first) release is VERSION, project(VERSION) of the tree;
#     * appstreamcli validate --no-net: no error, no warning (info and
#       pedantic hints are printed, not fatal), but for AppStream 1.0's
#       url-homepage-missing (the project has no homepage yet).
#
# Exit 0 when all passed, 1 when one failed, 77 (skipped, the reason
# printed) when the validator is not installed and the rest passed; with
# ETHERDISK_NO_SKIP=1 (CI, where everything is installed) that is a failure.
set -uo pipefail

fails=0
ok() { echo "check-metadata: ok: $*"; }
bad() { echo "check-metadata: FAIL: $*" >&2; fails=$((fails + 1)); }
# require TOOL PACKAGE: exit 77 (or 1 under ETHERDISK_NO_SKIP=1) without TOOL.
require() {
    command -v "$1" >/dev/null && return 0
    if [ "${ETHERDISK_NO_SKIP:-0}" = 1 ]; then
        echo "check-metadata: FAIL: $1 is not installed (Debian: $2; scripts/setup.sh installs it)" >&2
        exit 1
    fi
    echo "check-metadata: SKIP: $1 is not installed (Debian: $2; scripts/setup.sh installs it)"
    exit 77
}
usage() {
    echo "usage: $0 desktop DESKTOP | $0 metainfo METAINFO DESKTOP APPID_HEADER VERSION" >&2
    exit 64
}

case "${1:-}" in
desktop)
    [ $# -eq 2 ] || usage
    require desktop-file-validate desktop-file-utils
    if desktop-file-validate "$2"; then ok "desktop-file-validate $2"; else bad "desktop-file-validate $2"; fi
    ;;
metainfo)
    [ $# -eq 5 ] || usage
    metainfo=$2 desktop=$3 header=$4 version=$5
    entry=$(basename "$desktop")
    want=${entry%.desktop}
    [ -f "$desktop" ] || bad "$desktop does not exist"
    id=$(sed -n 's|^ *<id>\(.*\)</id> *$|\1|p' "$metainfo")
    [ "$id" = "$want" ] && ok "<id> $id is the desktop entry's name" \
        || bad "<id> '$id' is not the desktop entry's name '$want'"
    launchable=$(sed -n 's|^ *<launchable type="desktop-id">\(.*\)</launchable> *$|\1|p' "$metainfo")
    [ "$launchable" = "$entry" ] && ok "the launchable is $entry" \
        || bad "the launchable '$launchable' is not $entry"
    grep -qF "QStringLiteral(\"$want\")" "$header" && ok "Ui::appId() is $want" \
        || bad "Ui::appId() in $header is not $want"
    release=$(sed -n 's|^ *<release .*version="\([^"]*\)".*|\1|p' "$metainfo" | head -n1)
    [ "$release" = "$version" ] && ok "the newest release is $version" \
        || bad "the newest release is '$release', not the project's version $version"
    if [ $fails -eq 0 ]; then
        require appstreamcli appstream
        out=$(appstreamcli validate --no-net --pedantic "$metainfo" 2>&1)
        rc=$?
        echo "$out"
        # AppStream 1.0 (Debian 13) warns that there is no homepage URL: the
        # project publishes none yet (add <url type="homepage"> when it
        # does). That warning alone is let through; any other fails.
        others=$(echo "$out" | grep -E '^[EW]: ' | grep -v ' url-homepage-missing$')
        if [ $rc -eq 0 ]; then
            ok "appstreamcli validate --no-net $metainfo"
        elif [ -z "$others" ] && echo "$out" | grep -q '^W: .* url-homepage-missing$'; then
            ok "appstreamcli validate --no-net $metainfo (only url-homepage-missing: no homepage yet)"
        else
            bad "appstreamcli validate --no-net $metainfo"
        fi
    fi
    ;;
*) usage ;;
esac

if [ $fails -gt 0 ]; then
    echo "check-metadata: $fails check(s) failed" >&2
    exit 1
fi
