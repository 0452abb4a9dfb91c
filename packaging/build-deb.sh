#!/bin/bash
# SPDX-FileCopyrightText: 2026 The Etherdisk developers
# SPDX-License-Identifier: GPL-2.0-or-later
#
# build-deb.sh OUTDIR — build Etherdisk's Debian packages from this tree.
#
# Copies the tracked files of the tree (git ls-files: no build trees, no
# local changes outside git's view) into a temporary directory, places
# packaging/debian there as debian/, runs `dpkg-buildpackage -us -uc -b` and
# moves the .deb, .buildinfo and .changes files into OUTDIR.
#
# Where the distribution has no libpolkit-qt6-1-dev (Debian 12), the build
# profile pkg.etherdisk.polkit-qt-local links the static polkit-qt6 that
# scripts/install-polkit-qt6.sh put in /usr/local (see debian/rules).
#
# Environment: DEB_BUILD_OPTIONS (e.g. nocheck, parallel=N; default parallel=$(nproc)),
#              KEEP_BUILD=1 keeps the temporary tree and prints where it is.
set -euo pipefail

[ $# -eq 1 ] || { echo "usage: $0 OUTDIR" >&2; exit 64; }
src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
mkdir -p "$1"
out=$(cd "$1" && pwd)

if [ -n "${CCACHE_DIR:-}" ]; then
    # Through ccache (scripts/run-tests.sh): the same folder every time, next
    # to OUTDIR, since dpkg's flags name it (-ffile-prefix-map) and a folder
    # of another name would miss the cache every time.
    work="$out.build"
    rm -rf "$work"
    mkdir -p "$work"
else
    work=$(mktemp -d /var/tmp/etherdisk-deb.XXXXXX)
fi
if [ -z "${KEEP_BUILD:-}" ]; then trap 'rm -rf "$work"' EXIT; else echo "build-deb: keeping $work"; fi
tree="$work/etherdisk-0.1.0"
mkdir "$tree"

# The files git knows (tracked, or new and not ignored) as they are in the
# work tree: no build trees, nothing ignored.
(cd "$src" && git ls-files -z --cached --others --exclude-standard \
    | tar --null -T - --ignore-failed-read -cf - 2>/dev/null) | tar -C "$tree" -xf -
rm -rf "$tree/debian"
cp -a "$tree/packaging/debian" "$tree/debian"

profiles=()
if ! dpkg-query -W -f='${db:Status-Abbrev}' libpolkit-qt6-1-dev 2>/dev/null | grep -q '^ii'; then
    profiles=(-Ppkg.etherdisk.polkit-qt-local)
    echo "build-deb: libpolkit-qt6-1-dev is not installed: linking the static polkit-qt6 in /usr/local (profile pkg.etherdisk.polkit-qt-local)"
fi

opts=${DEB_BUILD_OPTIONS:-}
[[ $opts == *parallel=* ]] || opts="$opts parallel=$(nproc)"
export DEB_BUILD_OPTIONS="${opts# }"
(cd "$tree" && nice dpkg-buildpackage -us -uc -b "${profiles[@]}")

shopt -s nullglob
files=("$work"/*.deb "$work"/*.changes "$work"/*.buildinfo)
[ ${#files[@]} -gt 0 ] || { echo "build-deb: no packages were built" >&2; exit 1; }
rm -f "$out"/etherdisk*.deb "$out"/etherdisk*.changes "$out"/etherdisk*.buildinfo
mv "${files[@]}" "$out/"
echo "build-deb: packages in $out:"
ls -1 "$out"
