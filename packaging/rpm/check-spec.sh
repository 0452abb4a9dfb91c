#!/bin/bash
# SPDX-FileCopyrightText: 2026 The Etherdisk developers
# SPDX-License-Identifier: GPL-2.0-or-later
#
# check-spec.sh — check packaging/rpm/etherdisk.spec on this machine:
#   * rpmspec -P expands it (every macro known, no error);
#   * rpmlint on the spec: no error, no warning (filters, each with its
#     reason, in etherdisk.rpmlintrc);
#   * with ETHERDISK_RPMBUILD=1 (about as long as a Debian build): rpmbuild
#     -bb from a `git archive` tarball, %check included, then the built
#     packages' file lists and requirements, and rpmlint on them (its errors
#     fail on Fedora; with the stand-in macros it is printed only, as those
#     packages lack what Fedora's build scripts add: stripping, compressed
#     man pages, Packager, signature).
# Where Fedora's macro packages are not installed (Debian: rpm has no
# %cmake, %ctest, %systemd_*), stand-in-macros supplies them. rpmbuild runs
# with --nodeps there: BuildRequires name Fedora packages this machine's rpm
# database does not know (Debian's dpkg provides them).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
src=$(cd "$here/../.." && pwd)
spec="$here/etherdisk.spec"
fails=0
ok() { echo "check-spec: ok: $*"; }
bad() { echo "check-spec: FAIL: $*" >&2; fails=$((fails + 1)); }
for c in rpmspec rpmlint; do
    command -v "$c" >/dev/null || { echo "check-spec: FAIL: $c is not installed (scripts/setup.sh installs rpm and rpmlint)" >&2; exit 1; }
done

load=()
nodeps=()
if [ -z "$(rpm --eval '%{?cmake:yes}')" ]; then
    load=(--load "$here/stand-in-macros")
    nodeps=(--nodeps)
    echo "check-spec: Fedora's macros are not installed: using $here/stand-in-macros"
fi

if out=$(rpmspec -P "${load[@]}" "$spec" 2>&1); then
    left=$(grep -nE '%\{?(cmake|ctest|systemd_|_unitdir|_metainfodir)' <<<"$out" || true)
    [ -z "$left" ] && ok "rpmspec -P expands every macro" || bad "rpmspec -P left macros unexpanded:"$'\n'"$left"
else
    bad "rpmspec -P:"$'\n'"$out"
fi

if rpmlint -r "$here/etherdisk.rpmlintrc" "$spec"; then
    out=$(rpmlint -r "$here/etherdisk.rpmlintrc" "$spec" 2>&1 | tail -n1)
    [[ $out == *" 0 errors, 0 warnings"* ]] && ok "rpmlint on the spec: $out" || bad "rpmlint on the spec: $out"
else
    bad "rpmlint on the spec failed"
fi

if [ -n "${ETHERDISK_RPMBUILD:-}" ]; then
    top=$(mktemp -d /var/tmp/etherdisk-rpm.XXXXXX)
    trap 'rm -rf "$top"' EXIT
    mkdir -p "$top/SOURCES"
    git -C "$src" archive --format=tar.gz --prefix=etherdisk-0.1.0/ -o "$top/SOURCES/etherdisk-0.1.0.tar.gz" HEAD
    if nice rpmbuild -bb "${nodeps[@]}" "${load[@]}" --define "_topdir $top" "$spec" >"$top/rpmbuild.log" 2>&1; then
        ok "rpmbuild -bb ($(grep -c '^Wrote: ' "$top/rpmbuild.log") packages; %check: $(grep -E 'tests passed' "$top/rpmbuild.log" | tail -n1))"
        rpms=("$top"/RPMS/*/*.rpm)
        for r in "${rpms[@]}"; do echo "== $(basename "$r")"; rpm -qlp "$r"; rpm -qp --requires "$r" | grep -v '^rpmlib' | sed 's/^/   requires: /'; done
        if [ ${#load[@]} -eq 0 ]; then
            if rpmlint -r "$here/etherdisk.rpmlintrc" "${rpms[@]}"; then ok "rpmlint on the built packages: no errors"; else bad "rpmlint on the built packages reported errors"; fi
        else
            # Built outside Fedora: no brp-strip or brp-compress, no Packager,
            # no signature, and Debian's rpmlint knows no SPDX license names,
            # so what rpmlint says about these packages is not about the spec.
            echo "check-spec: rpmlint on packages built with the stand-in macros (for information only):"
            rpmlint -r "$here/etherdisk.rpmlintrc" "${rpms[@]}" || true
        fi
        [ -z "${ETHERDISK_RPM_OUT:-}" ] || { mkdir -p "$ETHERDISK_RPM_OUT"; cp "${rpms[@]}" "$ETHERDISK_RPM_OUT/"; }
    else
        tail -n 40 "$top/rpmbuild.log"
        bad "rpmbuild -bb failed"
    fi
fi

[ $fails -eq 0 ] || { echo "check-spec: $fails check(s) failed" >&2; exit 1; }
echo "check-spec: all checks passed"
