#!/bin/bash
# SPDX-FileCopyrightText: 2026 The Etherdisk developers
# SPDX-License-Identifier: GPL-2.0-or-later
#
# test-upgrade.sh DEBDIR ETHERDISKCTL — upgrade Etherdisk's packages under a
# real systemd while an initiator reads from an export the helper serves.
#
# 1. The root of test-install.sh (the same cached tarball: a fresh Debian
#    root with what our packages depend on, systemd among it), booted with
#    `systemd-nspawn --boot` in a network namespace made here; a veth pair
#    joins it to a second namespace for the initiator. Nothing of the
#    host's network is touched; both namespaces are deleted at the end.
# 2. Inside, as an administrator would: `apt-get install` of the .debs
#    (version V); a persistent export of an image through the helper's
#    CreateExport (busctl, as root: polkit lets root), which writes
#    /etc/etherdisk/exports.conf.
# 3. From the other namespace, ETHERDISKCTL bench reads the export without
#    pause (seqread, one request at a time, each frame waiting up to 30 s)
#    while the same packages, one version later (V+upgradetest1: the .debs
#    repacked with only the version changed), are installed over them:
#    dpkg runs the maintainer scripts debhelper wrote, and systemd restarts
#    the helper (dh_installsystemd's restart after upgrade).
# 4. Checks: the new version is installed; the helper runs with a new PID;
#    exports.conf is byte for byte the same (it belongs to the helper, no
#    package ships it) and the export is served again from it (its object
#    is back); the initiator ended without a single failed request and
#    waited out the restart (requests resent, the slowest taking 50 ms or
#    more: the gap fell inside the run, not outside it).
#
# Exit: 0 passed, 1 failed, 77 skipped (not root, systemd-nspawn or
# mmdebstrap missing, no cached root and no archive); with
# ETHERDISK_NO_SKIP=1 a skip is a failure.
set -euo pipefail

T0=$EPOCHREALTIME
say() { echo "test-upgrade: $*"; }
fail() { echo "test-upgrade: FAIL: $*" >&2; exit 1; }
skip() {
    if [ -n "${ETHERDISK_NO_SKIP:-}" ] && [ "${ETHERDISK_NO_SKIP}" != 0 ]; then
        fail "would skip (ETHERDISK_NO_SKIP=1): $*"
    fi
    echo "test-upgrade: SKIP: $*"
    exit 77
}
elapsed() { awk -v a="$T0" -v b="$EPOCHREALTIME" 'BEGIN {printf "%.1f", b - a}'; }

[ $# -eq 2 ] || { echo "usage: $0 DEBDIR ETHERDISKCTL" >&2; exit 64; }
debdir=$(cd "$1" && pwd)
ctl=$2
[ -x "$ctl" ] || fail "$ctl is not an executable"
[ "$(id -u)" -eq 0 ] || skip "needs root (network namespaces, systemd-nspawn)"
command -v systemd-nspawn >/dev/null || skip "systemd-nspawn is not installed (systemd-container; scripts/setup.sh installs it)"
command -v mmdebstrap >/dev/null || skip "mmdebstrap is not installed (scripts/setup.sh installs it)"
command -v nsenter >/dev/null || skip "nsenter (util-linux) is not installed"

# shellcheck source=packaging/root-lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/root-lib.sh"
root_debs "$debdir"
debs=("${DEBS[@]}")
pkgs=("${PKGS[@]}")
version=$(dpkg-deb -f "${debs[0]}" Version)
next="$version+upgradetest1"

# ---- 1. the root, the next version, the network, the boot ------------------------------
. /etc/os-release
SUITE=${ETHERDISK_TEST_SUITE:-${VERSION_CODENAME:?}}
root_tarball test-root "$SUITE" apt "$(root_deps "${pkgs[@]}" -- "${debs[@]}")"

work=$(mktemp -d /var/tmp/etherdisk-test-upgrade.XXXXXX)
ns_t=edk-upg-t-$$
ns_i=edk-upg-i-$$
nspawn_pid=
bench_pid=
leader=
cleanup() {
    set +e
    [ -z "$bench_pid" ] || kill "$bench_pid" 2>/dev/null
    if [ -n "$nspawn_pid" ] && kill -0 "$nspawn_pid" 2>/dev/null; then
        kill -TERM "$nspawn_pid" # nspawn asks the container's systemd to shut down
        for _ in $(seq 100); do kill -0 "$nspawn_pid" 2>/dev/null || break; sleep 0.1; done
        if kill -0 "$nspawn_pid" 2>/dev/null; then
            # Still there: the container's PID 1 first (that ends all in it).
            [ -z "$leader" ] || kill -KILL "$leader" 2>/dev/null
            kill -KILL "$nspawn_pid" 2>/dev/null
        fi
        wait "$nspawn_pid" 2>/dev/null
    fi
    ip netns del "$ns_t" 2>/dev/null
    ip netns del "$ns_i" 2>/dev/null
    if [ "${KEEP_WORKDIR:-0}" = 1 ]; then echo "work directory kept: $work"; else rm -rf --one-file-system "$work"; fi
}
trap cleanup EXIT
root="$work/root"
root_unpack "$ROOT_TARBALL" "$root"
[ -x "$root/usr/lib/systemd/systemd" ] || fail "the $SUITE root has no systemd to boot (its package list: test-install.sh's)"

mkdir -p "$root/srv/etherdisk-test/v1" "$root/srv/etherdisk-test/v2"
cp "${debs[@]}" "$root/srv/etherdisk-test/v1/"
for f in "${debs[@]}"; do
    x="$work/repack"
    rm -rf "$x"
    dpkg-deb -R "$f" "$x"
    sed -i -e "s/^Version: $version\$/Version: $next/" -e "s/(= $version)/(= $next)/g" "$x/DEBIAN/control"
    dpkg-deb --build "$x" "$root/srv/etherdisk-test/v2/" >/dev/null
done
rm -rf "$work/repack"
head -c 16M /dev/urandom >"$root/srv/etherdisk-test/disk.img"

ip netns add "$ns_t"
ip netns add "$ns_i"
# Made inside the namespaces: nothing appears in the host's, even briefly.
ip -n "$ns_t" link add edk-upg-t type veth peer name edk-upg-i netns "$ns_i"
ip -n "$ns_t" link set edk-upg-t up
ip -n "$ns_i" link set edk-upg-i up

systemd-nspawn --quiet --directory="$root" --boot --register=no --keep-unit \
    --network-namespace-path="/run/netns/$ns_t" --machine=edk-upgrade \
    >"$work/console.log" 2>&1 </dev/null &
nspawn_pid=$!
# The container's systemd: nspawn's child.
leader=
for _ in $(seq 100); do
    leader=$(pgrep -x -P "$nspawn_pid" systemd || true)
    [ -n "$leader" ] && break
    kill -0 "$nspawn_pid" 2>/dev/null || { cat "$work/console.log" >&2; fail "systemd-nspawn exited"; }
    sleep 0.1
done
[ -n "$leader" ] || fail "no systemd in the container after 10 s"
inside() {
    nsenter --target "$leader" --mount --uts --ipc --net --pid --root --wd=/ -- \
        /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"
}
state=
for _ in $(seq 120); do # until systemd answers on its bus, then until it settled
    state=$(inside timeout 60 systemctl is-system-running --wait 2>&1) || true
    case "$state" in *"Failed to connect to"*) sleep 0.5 ;; *) break ;; esac
done
case "$state" in
    running | degraded) say "booted ($state) after $(elapsed) s" ;;
    *) cat "$work/console.log" >&2; fail "the container did not boot: '$state'" ;;
esac

# ---- 2. install, export ------------------------------------------------------------------
in_root() { for f in "$@"; do echo "${f#"$root"}"; done; } # host paths as the container sees them
mapfile -t v1 < <(in_root "$root"/srv/etherdisk-test/v1/*.deb)
mapfile -t v2 < <(in_root "$root"/srv/etherdisk-test/v2/*.deb)
inside apt-get install -y -q "${v1[@]}" >"$work/apt-v1.log" 2>&1 \
    || { cat "$work/apt-v1.log" >&2; fail "apt-get install of $version failed"; }
say "$version installed after $(elapsed) s"
H=org.etherdisk.Etherdisk1
out=$(inside timeout 60 busctl call "$H" /org/etherdisk/Etherdisk1/Manager "$H.Manager" CreateExport \
    'sqyasa{sv}' /srv/etherdisk-test/disk.img 7 1 1 edk-upg-t 1 persistent b true 2>&1) \
    || fail "CreateExport: $out"
grep -qx '\[export 7\.1\]' "$root/etc/etherdisk/exports.conf" \
    || fail "exports.conf does not list e7.1: $(cat "$root/etc/etherdisk/exports.conf" 2>&1)"
conf_before=$(sha256sum <"$root/etc/etherdisk/exports.conf")
pid_before=$(inside systemctl show --property=MainPID --value etherdisk-helper.service)
[ "${pid_before:-0}" -gt 0 ] || fail "etherdisk-helper.service has no main process after CreateExport"
say "e7.1 exported, helper PID $pid_before"

# ---- 3. read across the upgrade ------------------------------------------------------------
# Until stopped below (SIGINT: it reports what it did), however long apt takes.
ip netns exec "$ns_i" "$ctl" bench e7.1 -i edk-upg-i --mode seqread --window 1 --seconds 600 \
    --deadline 30 --json >"$work/bench.json" 2>"$work/bench.err" &
bench_pid=$!
sleep 5
kill -0 "$bench_pid" 2>/dev/null || fail "the initiator ended early: $(cat "$work/bench.err")"
t_apt=$EPOCHREALTIME
inside apt-get install -y -q "${v2[@]}" >"$work/apt-v2.log" 2>&1 \
    || { cat "$work/apt-v2.log" >&2; fail "apt-get install of $next over $version failed"; }
say "upgraded to $next after $(elapsed) s ($(awk -v a="$t_apt" -v b="$EPOCHREALTIME" 'BEGIN {printf "%.1f", b - a}') s in apt-get)"

# ---- 4. checks -----------------------------------------------------------------------------
for p in "${pkgs[@]}"; do
    # shellcheck disable=SC2016 # dpkg-query's format, not the shell's
    v=$(inside dpkg-query -W -f '${Version}' "$p")
    [ "$v" = "$next" ] || fail "$p is at '$v' after the upgrade, not $next"
done
pid_after=$(inside systemctl show --property=MainPID --value etherdisk-helper.service)
[ "${pid_after:-0}" -gt 0 ] || fail "etherdisk-helper.service does not run after the upgrade"
[ "$pid_after" != "$pid_before" ] || fail "the helper was not restarted by the upgrade (PID $pid_before)"
say "helper restarted: PID $pid_before -> $pid_after"
[ "$(sha256sum <"$root/etc/etherdisk/exports.conf")" = "$conf_before" ] \
    || fail "exports.conf changed in the upgrade"
inside dpkg -S /etc/etherdisk/exports.conf >/dev/null 2>&1 && fail "a package owns /etc/etherdisk/exports.conf"
ok=
for _ in $(seq 50); do
    inside busctl introspect "$H" /org/etherdisk/Etherdisk1/exports/7_1 "$H.Export" >/dev/null 2>&1 && { ok=1; break; }
    sleep 0.2
done
[ -n "$ok" ] || fail "the export e7.1 was not restored from exports.conf"
sleep 5 # reading from the restored export
kill -0 "$bench_pid" 2>/dev/null || fail "the initiator ended during the upgrade: $(cat "$work/bench.err")"
kill -INT "$bench_pid"
wait "$bench_pid" || true
bench_pid=
python3 - "$work/bench.json" "$work/bench.err" <<'EOF' || fail "the initiator's reads across the upgrade (above)"
import json, sys
try:
    r = json.loads(open(sys.argv[1]).read().strip().splitlines()[-1])
except (IndexError, ValueError):
    sys.exit("no result from the initiator: " + open(sys.argv[2]).read()[-500:])
lat = r["latency_us"]
print(f"test-upgrade: initiator: {r['bytes'] / 2**20:.0f} MiB in {r['seconds']:.1f} s, "
      f"{r['errors']} errors, {r['retransmits']} retransmits, latency p50 {lat['p50']} us, "
      f"max {lat['max'] / 1e6:.2f} s")
bad = []
if not r["ok"] or r["errors"]:
    bad.append(f"{r['errors']} failed requests")
if r["bytes"] < 4 * 2**20:
    bad.append("read less than 4 MiB")
# Unanswered while the helper restarted: resent, and slow (the gap was
# 0.15 s here, against a median of 13 us).
if r["retransmits"] < 1 or lat["max"] < 50_000:
    bad.append("no request waited out the restart: it happened outside the run")
if bad:
    sys.exit("; ".join(bad))
EOF
say "PASS in $(elapsed) s ($SUITE root under systemd, $version -> $next)"
