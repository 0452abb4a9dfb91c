// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
//
// A load generator on the userspace initiator: sequential or random reads
// or writes, a fixed number of requests in flight, for a fixed time. It is
// `etherdiskctl bench` and the load side of tests/bench/run-bench.py.
//
// Requests larger than one frame count for several frames of the window,
// so the number of requests in flight is ceil(window / frames per request).
// Random LBAs are 4 KiB aligned and keep the whole request on the device.
//
// verify: writes carry an LBA-dependent pattern; every sector whose write
// was acknowledged is recorded (SectorSet, one bit per sector) and, after
// the timed part, read back and compared with the pattern, sectors that
// read back as zeros included. Reads are compared with the same pattern (a
// device written with a verified write run, or null-responder --pattern).
// Every 8-byte word depends on its sector's LBA and position, so data
// landing at the wrong LBA, or shifted within a sector, is caught. The
// acknowledged sectors can be saved (writeSectorSet) and checked against the
// target's disk itself with verifyAcknowledged.
#pragma once

#include "etherdisk/initiator.h"

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace Etherdisk {

// A set of sectors of [0, range()), one bit each: range / 8 bytes however
// many writes are recorded.
class SectorSet
{
public:
    explicit SectorSet(std::uint64_t range = 0);
    std::uint64_t range() const { return m_range; }
    // Sectors in the set.
    std::uint64_t count() const { return m_count; }
    // Adds [lba, lba + sectors); false (and nothing added) if that leaves the range.
    bool add(std::uint64_t lba, std::uint64_t sectors);
    bool contains(std::uint64_t lba) const;
    // Calls f(lba, sectors) for each maximal run of sectors in the set, in
    // LBA order, until f returns false.
    void forEachRun(const std::function<bool(std::uint64_t, std::uint64_t)> &f) const;

private:
    std::vector<std::uint64_t> m_bits;
    std::uint64_t m_range = 0;
    std::uint64_t m_count = 0;
};

// The file behind `etherdiskctl bench --acked FILE`: a comment line, then
// one "LBA SECTORS" line per run of the set. readSectorSet adds a file's
// runs to *set (whose range must hold them): false with *error naming the
// line for anything else.
bool writeSectorSet(const SectorSet &set, const std::string &path, std::string *error);
bool readSectorSet(const std::string &path, SectorSet *set, std::string *error);

struct WorkloadOptions
{
    enum class Mode { SeqRead, SeqWrite, RandRead, RandWrite };
    Mode mode = Mode::SeqRead;
    std::uint64_t requestBytes = 0; // per request, a multiple of 512; 0: one frame
    double seconds = 10;
    bool verify = false; // verified write runs stay within the first MaxVerifySectors sectors
    long targetPid = -1; // > 0: also measure this process's CPU time (a local target)
    // How the initiator behaves (run-bench.py measures the target under both):
    // false: as the Linux driver under load and our own tools: completions
    //   are taken in batches and the frames that replace them leave together
    //   (one sendmmsg), the thread sleeps in ppoll while nothing arrives;
    // true: one frame at a time, as simple initiators (iPXE, most
    //   single-threaded tools) do: one completion taken, its replacement
    //   sent at once with a system call of its own, and the socket
    //   busy-polled instead of slept on. Uses a whole core.
    bool oneFrame = false;
    // Checked between completions: stops the run early (SIGINT), results kept.
    const std::atomic<bool> *stop = nullptr;
    // Called about once a second with the bytes moved so far.
    std::function<void(double elapsedSeconds, std::uint64_t bytes, std::uint64_t ios)> progress;
};

// Verified write runs record each acknowledged sector in a bitmap; this caps
// it at 32 MiB (the first 128 GiB of a device).
constexpr std::uint64_t MaxVerifySectors = std::uint64_t(1) << 28;

bool parseWorkloadMode(const std::string &text, WorkloadOptions::Mode *mode);
const char *workloadModeName(WorkloadOptions::Mode mode);

struct WorkloadResult
{
    std::uint64_t requestBytes = 0;
    unsigned depth = 0; // requests in flight
    double seconds = 0;
    std::uint64_t bytes = 0;
    std::uint64_t ios = 0;
    double mbPerSecond = 0; // 10^6 bytes
    double iops = 0;
    std::uint64_t p50Us = 0, p90Us = 0, p99Us = 0, maxUs = 0;
    std::uint64_t retransmits = 0;
    std::uint64_t ignored = 0; // responses not used
    std::uint64_t errors = 0; // failed requests (the run stops at the first)
    std::uint64_t srttUs = 0, rtoUs = 0;
    double selfCpuSeconds = 0; // this process
    double targetCpuSeconds = -1; // targetPid's, or -1
    bool stopped = false; // ended early by options.stop
    // verify
    std::uint64_t readMismatches = 0; // read requests whose data differ from the pattern
    std::uint64_t firstBadLba = 0;
    std::uint64_t verifiedBytes = 0; // written and read back
    std::uint64_t verifyMismatches = 0; // sectors read back that differ
    std::uint64_t testedSectors = 0; // write runs: the LBAs written were below this
    SectorSet acknowledged; // verified write runs: every sector whose write was acknowledged
    std::string firstError; // Initiator::describe() of the first failure
    std::string verifyError;

    bool ok() const
    {
        return errors == 0 && readMismatches == 0 && verifyMismatches == 0 && verifyError.empty();
    }
};

// Runs the workload. False with *error when it cannot start (a request
// larger than the device) or the interface fails; failures of requests and
// verification are in the result. After false the initiator may still hold
// requests whose buffers are gone: destroy it, do not use it further.
bool runWorkload(Initiator &initiator, const WorkloadOptions &options, WorkloadResult *result,
                 std::string *error);

// The verification pattern (also used by tests/bench/null-responder):
// word w (0..63) of sector lba is patternWord(lba, w), stored little-endian,
// so the bytes on disk are the same on every host. tst_workload pins them.
std::uint64_t patternWord(std::uint64_t lba, std::size_t word);
void fillPattern(std::uint8_t *out, std::uint64_t lba, std::size_t sectors);
// Number of sectors that differ from the pattern; *firstBad the first one's LBA.
std::size_t checkPattern(const std::uint8_t *data, std::uint64_t lba, std::size_t sectors,
                         std::uint64_t *firstBad);

// Reads `sectors` sectors at `lba` into out; false with *error on failure.
using SectorReader = std::function<bool(std::uint64_t lba, std::uint8_t *out, std::size_t sectors,
                                        std::string *error)>;

struct VerifyReport
{
    std::uint64_t checkedSectors = 0; // read and compared
    std::uint64_t mismatches = 0; // sectors that differ from the pattern
    std::uint64_t firstBadLba = 0; // the first of them
    std::string error; // a read failed, or *stop ended the check early

    bool ok() const { return mismatches == 0 && error.empty(); }
};

// Reads every sector of `acknowledged` through `read` (at most 1 MiB per
// call) and compares it with the pattern; a sector of zeros is a mismatch
// like any other. *stop (if given) becoming true ends it early, with an error.
VerifyReport verifyAcknowledged(const SectorSet &acknowledged, const SectorReader &read,
                                const std::atomic<bool> *stop = nullptr);

// utime + stime of a process in seconds (from /proc), or -1.
double processCpuSeconds(long pid);

} // namespace Etherdisk
