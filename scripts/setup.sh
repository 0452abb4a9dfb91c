#!/bin/bash
# setup.sh — install every build and test dependency of Etherdisk (Debian 12 and newer),
# then polkit-qt6 (scripts/install-polkit-qt6.sh).
#
# Idempotent and quick when nothing is missing: one dpkg-query decides; apt-get update /
# install run only when a package is missing. Runs as root, or through sudo.
#
# Environment:
#   SKIP_APT=1   do not touch apt at all (packages are neither checked nor installed;
#                install-polkit-qt6.sh then fails instead of installing build deps)
#
# Notes:
# * apt runs under `flock /tmp/apt.lock` (shared with the other users of this machine) and
#   with --no-install-recommends: the list below names everything we need.
# * tshark: the debconf question wireshark-common/install-setuid is preseeded to false
#   (no dumpcap group setup), and apt runs with DEBIAN_FRONTEND=noninteractive.
# * linux-image-amd64 is only a file source for the qemu test peer (/boot/vmlinuz-*,
#   /lib/modules/*/kernel/drivers/block/aoe/aoe.ko); it is installed with INITRD=No, which
#   makes /etc/kernel/postinst.d/initramfs-tools skip building an initrd for it (the test
#   builds its own small initramfs). With no /boot/initrd.img-* present, later
#   `update-initramfs -u` triggers are no-ops. No bootloader is installed (Suggests only).
#   A later kernel upgrade via plain apt would build an initrd; harmless, just slower.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
T0=$EPOCHREALTIME
say() { echo "setup: $*"; }
die() { echo "setup: ERROR: $*" >&2; exit 1; }

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || die "run as root, or install sudo"
    SUDO=(sudo)
fi

# Packages (names checked on Debian 12 bookworm with apt-cache policy).
PKGS=(
    # toolchain
    build-essential cmake ninja-build pkgconf git clang clang-format
    # compiler cache for scripts/run-tests.sh (kept with the CI cache)
    ccache
    # Qt 6 (Core, DBus, Widgets, Test; Linguist tools; Qt's own translations; SVG icons)
    qt6-base-dev qt6-base-dev-tools qt6-tools-dev qt6-tools-dev-tools qt6-l10n-tools
    qt6-translations-l10n
    # the tray watch's X11 selection check (tray/traywatch.cpp)
    libxcb1-dev
    # core/: capture + async I/O
    libpcap-dev liburing-dev
    # AoE peers and network tools for interop tests
    vblade aoetools tshark tcpdump iproute2 nftables faketime
    # system bus + polkit for the helper; its tests: busctl, setpriv/losetup/nsenter, mkfs.ext2
    dbus polkitd systemd util-linux e2fsprogs
    # the helper's device-mapper and md refusals (tested in the qemu guest)
    dmsetup mdadm
    # headless GUI tests and screenshots (trayer: the tray in the notification pictures)
    xvfb xauth dunst x11-utils imagemagick trayer
    # FUSE (latencyfs: slow and vanishing storage for benchmarks and tests)
    fuse3 libfuse3-dev
    # booting Debian's kernel (with aoe.ko) under qemu as a test peer
    qemu-system-x86 linux-image-amd64 busybox-static kmod
    # scripting and benchmarks
    python3 hyperfine
    # counting system calls (tst_etherdiskctl benchOneFrame) and profiles (BENCHMARKS.md)
    strace linux-perf
    # packaging: build, lint (xmllint, rpmlint), the install test's fresh root (mmdebstrap, curl),
    # the upgrade test's systemd in that root (systemd-nspawn)
    devscripts debhelper dpkg-dev fakeroot lintian rpm rpmlint libxml2-utils mmdebstrap curl
    systemd-container
    # the desktop app's .desktop file and AppStream metainfo: desktop-file-validate,
    # appstreamcli (tests and package checks), appstream-util (the RPM spec's %check)
    desktop-file-utils appstream appstream-util
    # polkit-qt6 build (scripts/install-polkit-qt6.sh) and its private apt fetch
    libglib2.0-dev libpolkit-gobject-1-dev libpolkit-agent-1-dev libxkbcommon-dev xz-utils
    debian-archive-keyring
)
# Installed when the distribution has them (pkexec was split out of polkitd in polkit 122).
OPTIONAL=(libqt6svg6 pkexec)

installed_set() {  # prints the names among "$@" that are fully installed
    # (dpkg-query exits 1 when it does not know some of the names: not an error here)
    { dpkg-query -W -f='${Package}\t${db:Status-Abbrev}\n' "$@" 2>/dev/null || true; } \
        | awk -F'\t' '$2 ~ /^ii/ {print $1}' | sort -u
}
candidates() {     # prints the names among "$@" that apt could install
    { apt-cache policy "$@" 2>/dev/null || true; } \
        | awk '/^[^ ]/ {p=$1; sub(/:.*$/, "", p)} /^ +Candidate:/ && $2 != "(none)" {print p}' | sort -u
}
apt_root() {
    "${SUDO[@]}" flock /tmp/apt.lock env DEBIAN_FRONTEND=noninteractive INITRD=No \
        apt-get -o DPkg::Lock::Timeout=600 "$@"
}
lists_empty() { ! compgen -G "/var/lib/apt/lists/*_Packages*" >/dev/null; }

n_new=0
apt_note="apt skipped (SKIP_APT=1)"
if [ -n "${SKIP_APT:-}" ]; then
    say "SKIP_APT=1: not checking or installing distribution packages"
else
    command -v apt-get >/dev/null || die "apt-get not found: this script supports Debian 12 and newer"
    updated=""
    if lists_empty; then say "apt package lists are empty: apt-get update"; apt_root update -q; updated=1; fi

    # clang's runtime libraries (sanitizers, libFuzzer) matching the default clang
    clang_dep=$(dpkg-query -W -f='${Depends}' clang 2>/dev/null || true)
    [ -n "$clang_dep" ] || clang_dep=$(apt-cache show --no-all-versions clang 2>/dev/null | sed -n 's/^Depends: //p' | head -n1)
    clang_major=$(grep -o 'clang-[0-9]\+' <<<"$clang_dep" | head -n1 | cut -d- -f2 || true)
    [ -n "$clang_major" ] || die "cannot determine the default clang version (apt-cache show clang)"
    PKGS+=("libclang-rt-${clang_major}-dev")

    have=$(installed_set "${PKGS[@]}" "${OPTIONAL[@]}")
    is_in() { grep -qxF "$1" <<<"$have"; }
    opt_missing=()
    for p in "${OPTIONAL[@]}"; do
        if is_in "$p"; then PKGS+=("$p"); else opt_missing+=("$p"); fi
    done
    if [ ${#opt_missing[@]} -gt 0 ]; then
        avail=$(candidates "${opt_missing[@]}")
        for p in "${opt_missing[@]}"; do
            if grep -qxF "$p" <<<"$avail"; then PKGS+=("$p"); else say "optional package $p not available here — skipped"; fi
        done
    fi
    missing=()
    for p in "${PKGS[@]}"; do is_in "$p" || missing+=("$p"); done

    if [ ${#missing[@]} -eq 0 ]; then
        apt_note="all ${#PKGS[@]} packages present"
    else
        say "missing ${#missing[@]} of ${#PKGS[@]} packages: ${missing[*]}"
        if printf '%s\n' "${missing[@]}" | grep -qx 'tshark'; then
            echo 'wireshark-common wireshark-common/install-setuid boolean false' \
                | "${SUDO[@]}" debconf-set-selections
        fi
        [ -n "$updated" ] || apt_root update -q
        avail=$(candidates "${missing[@]}")
        unknown=()
        for p in "${missing[@]}"; do grep -qxF "$p" <<<"$avail" || unknown+=("$p"); done
        [ ${#unknown[@]} -eq 0 ] || die "not available from the configured apt sources: ${unknown[*]}"
        apt_root install -y -q --no-install-recommends "${missing[@]}"
        have=$(installed_set "${PKGS[@]}")
        still=()
        for p in "${missing[@]}"; do grep -qxF "$p" <<<"$have" || still+=("$p"); done
        [ ${#still[@]} -eq 0 ] || die "apt-get finished but these are not installed: ${still[*]}"
        n_new=${#missing[@]}
        apt_note="installed $n_new, $(( ${#PKGS[@]} - n_new )) already present"
    fi
fi

# polkit-qt 0.200 (Qt6): Debian 13+ package, or a static build on Debian 12
# (its output goes through `tee FILE`, not `tee /dev/stderr`: when stderr is a log file,
#  re-opening it through /dev/stderr truncates that file)
pq_log=$(mktemp /tmp/etherdisk-setup.XXXXXX)
trap 'rm -f "$pq_log"' EXIT
SKIP_APT="${SKIP_APT:-}" "$HERE/install-polkit-qt6.sh" 2>&1 | tee "$pq_log" \
    || die "install-polkit-qt6.sh failed"
case "$(tail -n1 "$pq_log")" in
    *"nothing to do"*) pq_note="polkit-qt6 already present" ;;
    *) pq_note="polkit-qt6 installed" ;;
esac

say "done in $(awk -v a="$T0" -v b="$EPOCHREALTIME" 'BEGIN {printf "%.1f", b - a}')s — $apt_note; $pq_note"
