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
// verify: writes carry an LBA-dependent pattern and are read back and
// compared after the timed part; reads are compared with the same pattern
// (a device written with a verified write run, or null-responder
// --pattern). Every 8-byte word depends on its sector's LBA and position,
// so data landing at the wrong LBA, or shifted within a sector, is caught.
#pragma once

#include "etherdisk/initiator.h"

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

namespace Etherdisk {

struct WorkloadOptions
{
    enum class Mode { SeqRead, SeqWrite, RandRead, RandWrite };
    Mode mode = Mode::SeqRead;
    std::uint64_t requestBytes = 0; // per request, a multiple of 512; 0: one frame
    double seconds = 10;
    bool verify = false;
    long targetPid = -1; // > 0: also measure this process's CPU time (a local target)
    // Checked between completions: stops the run early (SIGINT), results kept.
    const std::atomic<bool> *stop = nullptr;
    // Called about once a second with the bytes moved so far.
    std::function<void(double elapsedSeconds, std::uint64_t bytes, std::uint64_t ios)> progress;
};

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

// The verification pattern (also used by tests/bench/null-responder).
std::uint64_t patternWord(std::uint64_t lba, std::size_t word);
void fillPattern(std::uint8_t *out, std::uint64_t lba, std::size_t sectors);
// Number of sectors that differ from the pattern; *firstBad the first one's LBA.
std::size_t checkPattern(const std::uint8_t *data, std::uint64_t lba, std::size_t sectors,
                         std::uint64_t *firstBad);

// utime + stime of a process in seconds (from /proc), or -1.
double processCpuSeconds(long pid);

} // namespace Etherdisk
