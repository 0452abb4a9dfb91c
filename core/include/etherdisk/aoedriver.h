// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
//
// The Linux kernel's AoE initiator (the `aoe` driver) as seen from user
// space: load it, allow interfaces, ask it to discover, list its devices
// from sysfs, tell whether one is in use, and flush one from it.
//
// What the driver offers (drivers/block/aoe, Linux 6.1, checked in a qemu
// guest by tests/kernel/tst_attacher.cpp):
//  * /sys/module/aoe/parameters/aoe_iflist (mode 0600): the allowed
//    interfaces, separated by whitespace or commas; empty = every interface.
//  * /dev/etherd/interfaces: a write replaces that list (< 1024 bytes).
//  * /dev/etherd/discover: a write broadcasts a Query Config on the allowed
//    interfaces; the driver adopts every target that answers, as it does
//    every 60 s on its own and whenever a target advertises itself.
//  * /dev/etherd/flush: a write of "eX.Y" forgets that device even while it
//    is open or mounted (the driver checks nothing for a named device and
//    frees it under its users), and the name is compared as a prefix of at
//    most the bytes written: "e1.2" also flushes e1.20..e1.29. So flush()
//    refuses nothing itself: callers check busyReason() first, and the name
//    is written with its terminating NUL so that only that device matches.
//  * /sys/block/etherd!eX.Y/{state,mac,netif,firmware-version,payload,size,dev}.
//
// Every path is injectable (Paths) so that the parsing and error paths can be
// tested against a fake tree in a temporary directory. Reads are bounded and
// malformed content is an error, never a crash (tests/fuzz/fuzz_aoesysfs.cpp).
#pragma once

#include "etherdisk/error.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <sys/types.h>

namespace Etherdisk::AoeDriver {

struct Paths
{
    std::string sysfs = "/sys";
    std::string devDir = "/dev/etherd";
    std::string proc = "/proc";
    std::string modprobe = "/sbin/modprobe";
    std::string module = "aoe"; // what modprobe loads, and /sys/module/<module>
};

// One device of the driver, from /sys/block/etherd!eX.Y.
struct Device
{
    std::uint16_t shelf = 0;
    std::uint8_t slot = 0;
    std::string name; // "e1.2"
    std::string node; // "/dev/etherd/e1.2"
    std::string state; // as the driver says it: "up", "down", "down,closewait", "up,kickme"
    bool up = false; // state begins with "up"
    std::string mac; // the first target MAC, 12 hex digits; "" when the driver says "none"
    std::vector<std::string> interfaces; // local interfaces of its paths ("netif")
    std::uint64_t sectors = 0; // 512-byte sectors ("size")
    std::uint16_t firmwareVersion = 0;
    std::uint32_t payload = 0; // data bytes per frame
    unsigned major = 0;
    unsigned minor = 0;
};

// Bounds: what the driver accepts, and what a listing holds at most.
inline constexpr std::size_t MaxInterfaceListBytes = 1023; // IFLISTSZ 1024 with the NUL
inline constexpr std::size_t MaxDevices = 4096;
inline constexpr std::size_t MaxAttributeBytes = 4096; // a sysfs attribute is at most a page

// ---- parsers (pure; fuzzed) -------------------------------------------------
// "etherd!e1.2" (a /sys/block entry) or "e1.2": shelf 0-65535, slot 0-255,
// decimal without sign, spaces or leading zeros.
bool parseDeviceName(std::string_view text, std::uint16_t *shelf, std::uint8_t *slot);
// The driver's interface list (aoe_iflist or netif): names separated by
// whitespace or commas; false if a name is not a valid interface name.
bool parseInterfaceList(std::string_view text, std::vector<std::string> *names);
// A valid Linux interface name: 1-15 bytes, none of '/', ':', ',', whitespace,
// NUL, and not "." or "..".
bool isValidInterfaceName(std::string_view name);
// One sysfs attribute's value, the trailing newline removed; false if the
// value has other control characters or NULs.
bool parseAttribute(std::string_view text, std::string *value);
bool parseUnsigned(std::string_view text, std::uint64_t max, std::uint64_t *value);
bool parseFirmwareVersion(std::string_view text, std::uint16_t *value); // "0x4019"
bool parseMac(std::string_view text, std::string *mac); // "02ae00000001" or "none" -> ""
bool parseDevNumber(std::string_view text, unsigned *major, unsigned *minor); // "152:0"
// One line of /proc/PID/mountinfo: the device number and the mount point
// (octal escapes undone). False if the line is malformed.
bool parseMountinfoLine(std::string_view line, unsigned *major, unsigned *minor,
                        std::string *mountPoint);

// ---- the driver --------------------------------------------------------------
class Driver
{
public:
    explicit Driver(Paths paths = {});
    const Paths &paths() const { return m_paths; }

    // /sys/module/<module> exists: the driver is loaded (or built in).
    bool loaded() const;
    // The driver's control files exist (/dev/etherd/discover): it can be used.
    bool ready() const;

    // Loading it: modprobe MODULE [aoe_iflist="IF ..."] run with posix_spawn
    // (no shell), its stderr collected (bounded). An asynchronous caller
    // starts it, reads outputFd until EOF (readLoadOutput() returns false),
    // then calls finishLoad(); load() does all three, waiting at most
    // `timeoutMs`. A failure is ErrorKind::NotSupported: "the Linux aoe
    // driver is not available on this kernel (modprobe aoe failed: ...)".
    struct LoadProcess
    {
        pid_t pid = -1;
        int outputFd = -1; // non-blocking, close-on-exec
        std::string output; // stdout and stderr, at most 4 KiB kept
    };
    Error startLoad(const std::vector<std::string> &interfaces, LoadProcess *process) const;
    bool readLoadOutput(LoadProcess *process) const; // false at EOF or error
    Error finishLoad(LoadProcess *process) const; // reaps it (waits for its exit)
    void abortLoad(LoadProcess *process) const; // SIGKILL and reap
    Error load(const std::vector<std::string> &interfaces, int timeoutMs = 30000) const;

    // The allowed interfaces; empty means the driver accepts every interface.
    Error allowedInterfaces(std::vector<std::string> *names) const;
    // Adds `name` to the allowed interfaces, keeping those already allowed.
    // Nothing is written when the list is empty (every interface allowed) or
    // already has it; *changed says whether the list was written.
    Error allowInterface(const std::string &name, bool *changed = nullptr) const;
    // Sets the list as given (names validated, at most MaxInterfaceListBytes).
    Error setAllowedInterfaces(const std::vector<std::string> &names) const;

    // Asks the driver to broadcast a Query Config on the allowed interfaces.
    Error discover() const;

    // Every device of the driver (at most MaxDevices). A device that vanishes
    // while it is read is left out; one with a malformed attribute makes the
    // result an error naming it, the others still listed.
    Error devices(std::vector<Device> *devices) const;
    // One device; ErrorKind::NotFound if the driver has no eX.Y.
    Error device(std::uint16_t shelf, std::uint8_t slot, Device *device) const;
    std::string nodePath(std::uint16_t shelf, std::uint8_t slot) const;

    // Why the device must not be flushed, or "" (in *reason) if it may be:
    // it or a partition is mounted (in any mount namespace), is swap, is
    // held by device mapper / md, or is open in a process (pid and name
    // given). It never opens the device itself, so no O_EXCL open test: the
    // driver answers a device's last close with a Query Config to its target,
    // and that answer, arriving right after a flush, adopts the device again
    // (seen in the guest). Mounts in other namespaces are found through each
    // namespace's mountinfo instead. A process it may not look into
    // (another user's, when the caller lacks CAP_SYS_PTRACE) makes the
    // answer an error: it cannot tell, so nothing may be flushed.
    Error busyReason(const Device &device, std::string *reason) const;
    // Forgets exactly this device (writes "eX.Y" and its NUL to
    // /dev/etherd/flush). Refuses nothing: check busyReason() first.
    Error flush(std::uint16_t shelf, std::uint8_t slot) const;

private:
    Error readDevice(const std::string &entry, Device *device) const;
    Paths m_paths;
};

} // namespace Etherdisk::AoeDriver
