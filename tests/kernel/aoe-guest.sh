#!/bin/bash
# SPDX-FileCopyrightText: 2026 The Etherdisk developers
# SPDX-License-Identifier: GPL-2.0-or-later
#
# aoe-guest.sh — run the Linux kernel's own AoE initiator (aoe.ko) in a qemu
# guest against any AoE target running on the host.
#
#   aoe-guest.sh [--mtu 1500|9000] [--timeout S] [--deadsecs N] [--no-aoe]
#                [--target 'CMD with @IF@'] --guest GUEST_SCRIPT [--workdir DIR]
#                [--env NAME=VALUE]... [--kernel VMLINUZ [--kver KVER]] [--mem 512M] [--smp 1]
#                [--append 'EXTRA KERNEL ARGS'] [--accel tcg,thread=multi]
#                [--tap-mac MAC] [--guest-mac MAC] [--keep] [--verbose]
#                [-- GUEST_ARGS...]
#
# What happens:
#  * a private network namespace "edk-<pid>-<rand>" is created with a tap
#    device "edk0" in it (MTU --mtu, MAC --tap-mac, default 02:ae:00:00:00:01);
#    nothing outside that namespace is touched, and it is deleted on exit;
#  * the target command is started inside the namespace with @IF@ replaced
#    by the tap name (its output goes to WORKDIR/target.log);
#  * qemu (TCG: /dev/kvm here is kvm_pvm, which cannot boot a stock kernel)
#    boots Debian's kernel inside the namespace, attached to the tap through
#    virtio-net; a tiny initramfs (busybox-static + virtio/9p modules + aoe.ko)
#    mounts the host's root file system read-only over 9p, mounts WORKDIR
#    writable at the same path, loads aoe (aoe_iflist=eth0 aoe_deadsecs=N;
#    not with --no-aoe: then the guest script finds the driver unloaded and
#    may modprobe it from the host's /lib/modules), brings eth0 up with the
#    MTU, writes /dev/etherd/discover (not with --no-aoe) and runs
#    GUEST_SCRIPT with bash in a chroot into the host root. So host paths
#    (the script, tests/kernel/guest-lib.sh, an image file) are readable in the
#    guest as they are, host programs (bash, dd, cmp, sha256sum, python3) run
#    there, and only WORKDIR is writable ($TMPDIR points into it).
#  * the guest script's stdout/stderr/status come back through WORKDIR; this
#    script prints them and exits with the guest script's status.
#  * the guest script may kill and restart the target while it runs (a target
#    lost and back): it writes "stop SEQ" or "start SEQ" to WORKDIR/target.req
#    (rename into place); this script SIGKILLs the target and waits for it to
#    exit, or starts the same command again (output appended to target.log),
#    then writes "SEQ stop ok" / "SEQ start ok" (or "SEQ WHAT error: why") to
#    WORKDIR/target.ack. guest-lib.sh's edk_target does both halves.
#
# Environment inside the guest script: EDK_MTU, EDK_DEADSECS, EDK_WORKDIR,
# EDK_TAP_MAC, EDK_GUEST_MAC, EDK_KERNEL_RELEASE, TMPDIR, plus every --env.
#
# Exit status: the guest script's status; 2 usage error; 77 a prerequisite is
# missing (not root, no qemu, no kernel/aoe.ko, no static busybox; the tests
# that run this script turn that into a failure under ETHERDISK_NO_SKIP=1);
# 125 the harness failed (boot failure, timeout, qemu died): the tail of the
# console log is printed.
#
# Files in WORKDIR: console.log (guest serial console), target.log, guest.out,
# guest.err, guest.rc, guest.dmesg, timing (boot-to-script seconds),
# target.req / target.ack (target control, above).
# WORKDIR must be on the host outside /proc, /sys and /dev (default: a new
# /tmp/edk-aoeguest.XXXXXX, removed afterwards unless --keep). The kernel is
# booted as an uncompressed vmlinux (PVH entry), extracted once into
# ${EDK_CACHE_DIR:-/var/tmp/edk-aoe-guest}: saves ~3 s of xz decompression in TCG.
set -euo pipefail

ME=aoe-guest
MTU=1500
TIMEOUT=300
DEADSECS=15
LOAD_AOE=1
TARGET=
GUEST=
WORKDIR=
KERNEL=
KVER=
MEM=512M
SMP=1
ACCEL=tcg,thread=multi
APPEND_EXTRA=
TAP=edk0
TAP_MAC=02:ae:00:00:00:01
GUEST_MAC=52:54:00:ed:00:02
KEEP=0
VERBOSE=0
ENVS=()
GUEST_ARGS=()

usage() { sed -n '7,12p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
die() { echo "$ME: error: $*" >&2; exit 125; }
skip() { echo "$ME: SKIP: $*" >&2; exit 77; }
log() { echo "$ME: $*" >&2; }

while [ $# -gt 0 ]; do
    case "$1" in
    --mtu) MTU=${2:?}; shift 2 ;;
    --timeout) TIMEOUT=${2:?}; shift 2 ;;
    --deadsecs) DEADSECS=${2:?}; shift 2 ;;
    --no-aoe) LOAD_AOE=0; shift ;;
    --target) TARGET=${2?}; shift 2 ;;
    --guest) GUEST=${2:?}; shift 2 ;;
    --workdir) WORKDIR=${2:?}; shift 2 ;;
    --env) ENVS+=("${2:?}"); shift 2 ;;
    --kernel) KERNEL=${2:?}; shift 2 ;;
    --kver) KVER=${2:?}; shift 2 ;;
    --mem) MEM=${2:?}; shift 2 ;;
    --smp) SMP=${2:?}; shift 2 ;;
    --accel) ACCEL=${2:?}; shift 2 ;;
    --append) APPEND_EXTRA=${2?}; shift 2 ;;
    --tap-mac) TAP_MAC=${2:?}; shift 2 ;;
    --guest-mac) GUEST_MAC=${2:?}; shift 2 ;;
    --keep) KEEP=1; shift ;;
    --verbose) VERBOSE=1; shift ;;
    --) shift; GUEST_ARGS=("$@"); break ;;
    -h|--help) usage ;;
    *) echo "$ME: unknown option: $1" >&2; usage ;;
    esac
done
[ -n "$GUEST" ] || usage
for n in "$MTU" "$TIMEOUT" "$DEADSECS" "$SMP"; do
    case "$n" in ''|*[!0-9]*) echo "$ME: not a number: $n" >&2; exit 2 ;; esac
done
for e in "${ENVS[@]}"; do
    case "${e%%=*}" in ''|[0-9]*|*[!A-Za-z0-9_]*) echo "$ME: bad --env: $e" >&2; exit 2 ;; esac
    case "$e" in *=*) ;; *) echo "$ME: bad --env (need NAME=VALUE): $e" >&2; exit 2 ;; esac
done
[ -r "$GUEST" ] || { echo "$ME: guest script not readable: $GUEST" >&2; exit 2; }
GUEST=$(realpath "$GUEST")

# Trap: with --smp 2 under multi-threaded TCG (qemu 7.2) the guest's virtio-net
# RX intermittently stalls during AoE bulk I/O (host tap shows the target's
# replies, guest rx_packets stops, dd hangs in D state); thread=single is fine.
if [ "$SMP" -gt 1 ] && [ "$ACCEL" = tcg,thread=multi ]; then
    log "warning: --smp $SMP with $ACCEL: guest virtio-net RX stalls were seen; use --accel tcg,thread=single"
fi

# ---- prerequisites ---------------------------------------------------------
[ "$(id -u)" = 0 ] || skip "must run as root (network namespace, tap device)"
QEMU=$(command -v qemu-system-x86_64 || true)
[ -n "$QEMU" ] || skip "qemu-system-x86_64 not found (package qemu-system-x86)"
command -v ip >/dev/null || skip "ip (iproute2) not found"
command -v cpio >/dev/null || skip "cpio not found"
command -v modprobe >/dev/null || skip "modprobe (kmod) not found"
[ -c /dev/net/tun ] || skip "/dev/net/tun missing"
if [ -z "$KERNEL" ]; then
    KERNEL=$(find /boot -maxdepth 1 -name 'vmlinuz-*' 2>/dev/null | sort -V | tail -n 1)
fi
{ [ -n "$KERNEL" ] && [ -r "$KERNEL" ]; } || skip "no kernel image in /boot (package linux-image-amd64)"
[ -n "$KVER" ] || KVER=${KERNEL##*/vmlinuz-}
[ -d "/lib/modules/$KVER" ] || skip "no /lib/modules/$KVER for $KERNEL"
BUSYBOX=
for b in /bin/busybox /usr/bin/busybox; do
    [ -x "$b" ] || continue
    case "$(LC_ALL=C ldd "$b" 2>&1 || true)" in *'not a dynamic executable'*) BUSYBOX=$b; break ;; esac
done
[ -n "$BUSYBOX" ] || skip "no statically linked busybox (package busybox-static)"

# modules in load order, deduplicated (modprobe takes one module per call)
MODS=()
for m in virtio_pci virtio_net 9pnet_virtio 9p aoe; do
    deps=$(modprobe -S "$KVER" --show-depends "$m" 2>/dev/null) || skip "module $m missing for $KVER"
    while read -r kind path _; do
        [ "$kind" = insmod ] || continue
        case " ${MODS[*]} " in *" $path "*) ;; *) MODS+=("$path") ;; esac
    done <<<"$deps"
done
case " ${MODS[*]} " in *"/aoe.ko "*) ;; *) skip "aoe.ko not found for $KVER" ;; esac

# ---- work directory --------------------------------------------------------
OWN_WORKDIR=0
if [ -z "$WORKDIR" ]; then
    WORKDIR=$(mktemp -d /tmp/edk-aoeguest.XXXXXX); OWN_WORKDIR=1
fi
mkdir -p "$WORKDIR"
WORKDIR=$(realpath "$WORKDIR")
case "$WORKDIR" in *[!A-Za-z0-9_./+-]*) echo "$ME: workdir path must be plain: $WORKDIR" >&2; exit 2 ;; esac
rm -rf "$WORKDIR/initramfs.d" "$WORKDIR/tmp"
rm -f "$WORKDIR"/{console.log,target.log,guest.out,guest.err,guest.rc,guest.rc.tmp,guest.started,guest.dmesg,timing,initramfs.cpio}
rm -f "$WORKDIR"/{target.req,target.req.tmp,target.ack,target.ack.tmp}
mkdir -p "$WORKDIR/tmp"

NS="edk-$$-$RANDOM"
QEMU_PID=
TARGET_PID=
# shellcheck disable=SC2317  # invoked by trap
cleanup() {
    local rc=$?
    trap - EXIT INT TERM HUP
    set +e
    for pid in $QEMU_PID $TARGET_PID; do kill "$pid" 2>/dev/null; done
    for pid in $QEMU_PID $TARGET_PID; do
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
    done
    if ip netns list 2>/dev/null | grep -qw "^$NS"; then
        # anything still left inside our private namespace was started by us
        for pid in $(ip netns pids "$NS" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null; done
        ip netns del "$NS" 2>/dev/null
    fi
    rm -rf "$WORKDIR/initramfs.d"
    if [ "$OWN_WORKDIR" = 1 ] && [ "$KEEP" = 0 ]; then rm -rf "$WORKDIR"; fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# ---- initramfs -------------------------------------------------------------
IR=$WORKDIR/initramfs.d
mkdir -p "$IR"/{bin,dev,proc,sys,host,w,mod}
cp "$BUSYBOX" "$IR/bin/busybox"
mknod "$IR/dev/console" c 5 1
: >"$IR/modules"
for p in "${MODS[@]}"; do
    cp "$p" "$IR/mod/"
    echo "${p##*/}" >>"$IR/modules"
done
cat >"$IR/init" <<'EOF'
#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
# what udev would add: bash process substitution needs /dev/fd
ln -sf /proc/self/fd /dev/fd
ln -sf /proc/self/fd/0 /dev/stdin
ln -sf /proc/self/fd/1 /dev/stdout
ln -sf /proc/self/fd/2 /dev/stderr
mkdir -p /dev/shm /dev/pts
fail() { echo "EDK-GUEST-FAIL: $*"; dmesg | tail -n 30; sync; reboot -f; sleep 10; }
while read -r m; do
    case "$m" in aoe.ko) continue ;; esac
    insmod "/mod/$m" || fail "insmod $m"
done </modules
mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144,cache=none work /w || fail "mount work share"
. /w/edk-config.sh || fail "no /w/edk-config.sh"
mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144,cache=loose,ro hostroot /host || fail "mount host root"
mount --move /w "/host$EDK_WORKDIR" || fail "mount work at $EDK_WORKDIR"
mount -t proc proc /host/proc
mount -t sysfs sysfs /host/sys
mount -t devtmpfs devtmpfs /host/dev
mount -t tmpfs -o mode=1777 shm /host/dev/shm
mount -t devpts devpts /host/dev/pts
ip link set lo up
n=0
while ! ip link show eth0 >/dev/null 2>&1; do
    n=$((n + 1)); [ $n -gt 100 ] && fail "no eth0"; sleep 0.1
done
ip link set eth0 mtu "$EDK_MTU" || fail "mtu $EDK_MTU on eth0"
ip link set eth0 up
if [ "$EDK_LOAD_AOE" = 1 ]; then
    insmod /mod/aoe.ko aoe_iflist=eth0 "aoe_deadsecs=$EDK_DEADSECS" || fail "insmod aoe"
    n=0
    while [ ! -e /dev/etherd/discover ]; do
        n=$((n + 1)); [ $n -gt 100 ] && fail "no /dev/etherd/discover"; sleep 0.1
    done
    echo > /dev/etherd/discover
fi
echo "EDK-GUEST-START"
chroot /host /bin/bash "$EDK_WORKDIR/edk-run.sh"
rc=$?
dmesg >"/host$EDK_WORKDIR/guest.dmesg" 2>&1
echo "EDK-GUEST-RC=$rc"
sync
umount "/host$EDK_WORKDIR"
reboot -f
sleep 10
EOF
chmod 755 "$IR/init"
(cd "$IR" && find . -print0 | cpio --null -o -H newc --quiet) >"$WORKDIR/initramfs.cpio"
rm -rf "$IR"

# ---- guest-side configuration ----------------------------------------------
{
    printf 'EDK_MTU=%s\nEDK_DEADSECS=%s\nEDK_WORKDIR=%s\nEDK_LOAD_AOE=%s\n' "$MTU" "$DEADSECS" "$WORKDIR" "$LOAD_AOE"
} >"$WORKDIR/edk-config.sh"
{
    echo "export EDK_MTU=$MTU EDK_DEADSECS=$DEADSECS EDK_KERNEL_RELEASE=$KVER"
    printf 'export EDK_WORKDIR=%q EDK_TAP_MAC=%q EDK_GUEST_MAC=%q TMPDIR=%q\n' \
        "$WORKDIR" "$TAP_MAC" "$GUEST_MAC" "$WORKDIR/tmp"
    for e in "${ENVS[@]}"; do printf 'export %s=%q\n' "${e%%=*}" "${e#*=}"; done
    printf 'EDK_GUEST_SCRIPT=%q\n' "$GUEST"
    printf 'EDK_GUEST_ARGS=('; printf '%q ' "${GUEST_ARGS[@]}"; printf ')\n'
} >"$WORKDIR/edk-env.sh"
cat >"$WORKDIR/edk-run.sh" <<'EOF'
# runs in the guest, chrooted into the host root (bash)
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8
. "$(dirname "$0")/edk-config.sh"
. "$EDK_WORKDIR/edk-env.sh"
cd "$EDK_WORKDIR" || exit 125
read -r up _ </proc/uptime
echo "$up" >guest.started
bash "$EDK_GUEST_SCRIPT" "${EDK_GUEST_ARGS[@]}" >guest.out 2>guest.err </dev/null
rc=$?
echo "$rc" >guest.rc.tmp && mv guest.rc.tmp guest.rc
exit "$rc"
EOF

# ---- network namespace, tap, target -----------------------------------------
# qemu and the target get SIGKILL if this script is killed (e.g. SIGKILL by a
# test driver's timeout), so nothing of ours keeps running; namespaces left
# behind that way ("edk-<pid>-<n>" of a dead pid, no processes) are removed here.
PDEATH=()
if setpriv --help 2>/dev/null | grep -q -- --pdeathsig; then PDEATH=(setpriv --pdeathsig KILL --); fi
for ns in $(ip netns list 2>/dev/null | awk '$1 ~ /^edk-[0-9]+-[0-9]+$/ { print $1 }'); do
    pid=${ns#edk-}; pid=${pid%-*}
    if ! kill -0 "$pid" 2>/dev/null && [ -z "$(ip netns pids "$ns" 2>/dev/null)" ]; then
        ip netns del "$ns" 2>/dev/null && log "removed stale namespace $ns"
    fi
done
ip netns add "$NS"
ip -n "$NS" link set lo up
ip -n "$NS" tuntap add dev "$TAP" mode tap
ip -n "$NS" link set "$TAP" address "$TAP_MAC" mtu "$MTU" up

TCMD=${TARGET//@IF@/$TAP}
TARGET_STOPPED=0 # the guest had the target killed and not restarted
start_target() {
    log "target: $TCMD"
    ip netns exec "$NS" "${PDEATH[@]}" bash -c "exec $TCMD" >>"$WORKDIR/target.log" 2>&1 </dev/null &
    TARGET_PID=$!
}
# target_request: serve WORKDIR/target.req (see the header)
target_request() {
    local what="" seq="" result=ok
    read -r what seq <"$WORKDIR/target.req" || true
    rm -f "$WORKDIR/target.req"
    case "$seq" in ''|*[!0-9]*) log "ignoring malformed target request '$what $seq'"; return ;; esac
    if [ -z "$TARGET" ]; then
        result="error: no --target"
    elif [ "$what" = stop ]; then
        if [ -n "$TARGET_PID" ]; then
            kill -KILL "$TARGET_PID" 2>/dev/null || true
            wait "$TARGET_PID" 2>/dev/null || true
            TARGET_PID=
            TARGET_STOPPED=1
            echo "---- target killed (SIGKILL) on the guest's request $seq ----" >>"$WORKDIR/target.log"
            log "target killed on the guest's request $seq"
        else
            result="error: the target is not running"
        fi
    elif [ "$what" = start ]; then
        if [ -n "$TARGET_PID" ] && kill -0 "$TARGET_PID" 2>/dev/null; then
            result="error: the target is already running"
        else
            echo "---- target restarted on the guest's request $seq ----" >>"$WORKDIR/target.log"
            start_target
            TARGET_STOPPED=0
        fi
    else
        result="error: unknown request '$what'"
    fi
    echo "$seq $what $result" >"$WORKDIR/target.ack.tmp"
    mv "$WORKDIR/target.ack.tmp" "$WORKDIR/target.ack"
}
[ -z "$TARGET" ] || start_target

# ---- boot --------------------------------------------------------------------
# Decompressing the xz bzImage under TCG takes ~3 s before the kernel even
# starts; Debian's kernel has CONFIG_PVH, so qemu can boot the uncompressed
# ELF vmlinux directly. Extract it once into a cache (falls back to bzImage).
BOOT_KERNEL=$KERNEL
CACHE=${EDK_CACHE_DIR:-/var/tmp/edk-aoe-guest}
VMLINUX=$CACHE/vmlinux-$KVER-$(stat -c %s-%Y "$KERNEL")
if [ ! -s "$VMLINUX" ] && mkdir -p "$CACHE" 2>/dev/null; then
    off=$(LC_ALL=C grep -obUaP '\xfd7zXZ\x00' "$KERNEL" 2>/dev/null | head -n 1 | cut -d: -f1 || true)
    if [ -n "$off" ] && command -v xz >/dev/null; then
        tail -c +"$((off + 1))" "$KERNEL" | xz -dcq >"$VMLINUX.$$" 2>/dev/null || true
        if [ "$(head -c 4 "$VMLINUX.$$" 2>/dev/null | od -An -tx1 | tr -d ' ')" = 7f454c46 ]; then
            mv "$VMLINUX.$$" "$VMLINUX"
        fi
    fi
    rm -f "$VMLINUX.$$"
fi
[ -s "$VMLINUX" ] && BOOT_KERNEL=$VMLINUX

APPEND="console=ttyS0,115200 quiet loglevel=4 panic=-1 rdinit=/init mitigations=off $APPEND_EXTRA"
# shellcheck disable=SC2054  # commas are qemu's
QARGS=(-accel "$ACCEL" -cpu max -m "$MEM" -smp "$SMP"
    -nodefaults -no-user-config -display none -no-reboot
    -serial "file:$WORKDIR/console.log"
    -kernel "$BOOT_KERNEL" -initrd "$WORKDIR/initramfs.cpio" -append "$APPEND"
    -netdev "tap,id=n0,ifname=$TAP,script=no,downscript=no"
    -device "virtio-net-pci,netdev=n0,mac=$GUEST_MAC,host_mtu=$MTU"
    -virtfs "local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap,id=hostroot"
    -virtfs "local,path=$WORKDIR,mount_tag=work,security_model=none,id=work")

T0=$(date +%s.%N)
ip netns exec "$NS" "${PDEATH[@]}" "$QEMU" "${QARGS[@]}" >"$WORKDIR/qemu.log" 2>&1 </dev/null &
QEMU_PID=$!

secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
console_tail() {
    echo "---- last lines of the guest console ($WORKDIR/console.log) ----" >&2
    tail -n "$1" "$WORKDIR/console.log" >&2 2>/dev/null || true
    if [ -s "$WORKDIR/qemu.log" ]; then echo "---- qemu ----" >&2; tail -n 10 "$WORKDIR/qemu.log" >&2; fi
    if [ -s "$WORKDIR/target.log" ]; then echo "---- target ----" >&2; tail -n 10 "$WORKDIR/target.log" >&2; fi
}

STARTED=
deadline=$(( $(date +%s) + TIMEOUT ))
while :; do
    if [ -z "$STARTED" ] && [ -e "$WORKDIR/guest.started" ]; then
        STARTED=$(date +%s.%N)
        log "guest script started $(secs "$T0" "$STARTED")s after qemu start (guest uptime $(cat "$WORKDIR/guest.started")s)"
    fi
    [ -e "$WORKDIR/guest.rc" ] && break
    [ -e "$WORKDIR/target.req" ] && target_request
    if ! kill -0 "$QEMU_PID" 2>/dev/null; then
        wait "$QEMU_PID" 2>/dev/null || true; QEMU_PID=
        [ -e "$WORKDIR/guest.rc" ] && break
        console_tail 40
        die "guest ended without a result (boot failure?)"
    fi
    if [ "$(date +%s)" -ge "$deadline" ]; then
        console_tail 40
        [ -s "$WORKDIR/guest.out" ] && { echo "---- guest script output so far ----" >&2; tail -n 30 "$WORKDIR/guest.out" >&2; }
        die "timeout after ${TIMEOUT}s ($( [ -n "$STARTED" ] && echo 'guest script was running' || echo 'guest script never started'))"
    fi
    sleep 0.1
done
T1=$(date +%s.%N)
# give the guest a moment to save dmesg and power off
for _ in $(seq 100); do
    if [ -z "$QEMU_PID" ] || ! kill -0 "$QEMU_PID" 2>/dev/null; then break; fi
    sleep 0.1
done

if [ -n "$TARGET" ] && [ "$TARGET_STOPPED" = 0 ] && ! kill -0 "$TARGET_PID" 2>/dev/null; then
    log "warning: the target exited during the run; target.log:"
    tail -n 20 "$WORKDIR/target.log" >&2 || true
fi
RC=$(cat "$WORKDIR/guest.rc")
BOOT=$(secs "$T0" "${STARTED:-$T1}")
TOTAL=$(secs "$T0" "$T1")
printf 'boot_to_script=%s total=%s guest_uptime_at_start=%s\n' "$BOOT" "$TOTAL" \
    "$(cat "$WORKDIR/guest.started" 2>/dev/null)" >"$WORKDIR/timing"
cat "$WORKDIR/guest.out"
cat "$WORKDIR/guest.err" >&2
[ "$VERBOSE" = 1 ] && { echo "---- guest console ----" >&2; cat "$WORKDIR/console.log" >&2; }
log "boot-to-script ${BOOT}s, total ${TOTAL}s, guest script exit status $RC"
exit "$RC"
