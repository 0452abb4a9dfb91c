// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
//
// A userspace AoE initiator: reads and writes one target (shelf.slot) over
// raw Ethernet on one interface. For tools, tests and the benchmark; the
// Linux aoe driver remains the way to get a block device.
//
// open() asks the target for its configuration (Query Config: MAC, buffer
// count, firmware, sectors per command) and identity (ATA IDENTIFY:
// capacity, LBA48, model, serial). Reads and writes are then split into
// frames of min(target's max sectors, what the local MTU carries) sectors and
// pipelined: up to window() frames are outstanding at once (at most the
// target's buffer count), sent in batches (one sendmmsg) and received in
// batches (libpcap ring).
//
// Reliability (docs/aoe-protocol.md §8): every frame has a
// retransmission timer, RTO = srtt + 4 * rttvar (Jacobson/Karels) from
// measured round trips, Karn's rule (no samples from retransmitted frames),
// exponential backoff per frame, and a NEW tag on every retransmission so a
// late answer to an old copy is recognised and ignored. A frame unanswered
// for Options::deadlineMs fails its request with a timeout.
//
// Trust: a response is used only if its tag is one we have outstanding, it
// comes from the target's MAC with the target's shelf.slot, has the R flag,
// is an ATA response, and (reads) carries exactly the requested number of
// bytes (IDENTIFY: 512). Anything else is counted and ignored; data is only
// ever copied to the byte range the request owns, computed from our own
// state, never from the response.
//
// All tags have bit 31 set (userland tag space, §2.1): the Linux driver on
// the same host ignores our responses and we ignore its.
//
// Threading: one thread at a time. No Qt.
#pragma once

#include "etherdisk/aoeframe.h"

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace Etherdisk {

class Initiator
{
public:
    struct Options
    {
        std::string interface;
        std::uint16_t shelf = 0;
        std::uint8_t slot = 0;
        // Unicast the Query Config here instead of broadcasting it.
        Aoe::MacAddress targetMac{};
        // Outstanding frames: 0 = the target's buffer count; otherwise
        // min(this, buffer count). At most MaxWindow.
        unsigned window = 0;
        // Sectors per frame: 0 = min(target's max, local MTU); otherwise lower.
        unsigned maxSectorsPerFrame = 0;
        // Requests accepted but not yet completed (queue depth of the async API).
        unsigned maxRequests = 1024;
        // How long open() keeps asking before it gives up.
        int openTimeoutMs = 5000;
        // A frame unanswered this long fails its request ("timed out").
        // Linux waits aoe_deadsecs = 180 s; interactive tools want less.
        int deadlineMs = 30000;
        // RTO bounds, see initiator.cpp for the reasoning.
        int minRtoUs = 10000;
        int maxRtoUs = 2000000;
        int initialRtoUs = 250000; // as Linux, before the first sample
    };
    static constexpr unsigned MaxWindow = 1024;
    // Bound of TargetInfo::otherPaths (see there).
    static constexpr std::size_t MaxOtherPaths = 16;

    struct TargetInfo
    {
        Aoe::MacAddress mac{}; // the first responder: every frame goes here
        // Further MACs that answered our Query Config (not used for I/O), in
        // the order first heard. At most MaxOtherPaths: a new one replaces
        // the one heard from longest ago (Stats::otherPathsEvicted counts
        // them), so that forged answers from many MACs cannot grow it.
        std::vector<Aoe::MacAddress> otherPaths;
        std::uint16_t bufferCount = 0;
        std::uint16_t firmwareVersion = 0;
        unsigned targetMaxSectors = 0; // Query Config sector count (0 on the wire = 2)
        unsigned sectorsPerFrame = 0; // what we use
        unsigned payloadBytes = 0; // sectorsPerFrame * 512
        unsigned window = 0; // outstanding frames we allow
        unsigned localMtu = 0;
        std::uint64_t sectors = 0; // capacity
        bool lba48 = false;
        bool flushCache = false;
        bool flushCacheExt = false;
        std::string model, serial, firmware;
        std::string configString; // any bytes
    };

    enum class Op : std::uint8_t { Read, Write, Flush, Identify };

    enum class Status : std::uint8_t {
        Ok,
        AtaError, // status & 0xA9: see ataStatus/ataError
        AoeError, // E flag: see aoeError
        Timeout, // no valid answer within the deadline
    };

    struct Completion
    {
        std::uint64_t user = 0; // the caller's cookie from submit*()
        Op op = Op::Read;
        Status status = Status::Ok;
        std::uint64_t lba = 0; // of the request
        std::uint32_t sectors = 0;
        std::uint64_t failedLba = 0; // first LBA of the frame that failed
        std::uint8_t ataStatus = 0;
        std::uint8_t ataError = 0;
        Aoe::ErrorCode aoeError = Aoe::ErrorCode::None;
        std::uint32_t retransmits = 0;
        std::uint32_t malformed = 0; // responses to this request that were ignored
        std::uint64_t latencyNs = 0; // submit to completion

        bool ok() const { return status == Status::Ok; }
    };

    struct Stats
    {
        std::uint64_t requests = 0; // submitted (sync helpers included)
        std::uint64_t completed = 0;
        std::uint64_t failed = 0;
        std::uint64_t frames = 0; // first transmissions
        std::uint64_t retransmits = 0;
        std::uint64_t timeouts = 0; // requests failed by the deadline
        std::uint64_t ataErrors = 0;
        std::uint64_t aoeErrors = 0;
        // Every response not used, and three reasons among them:
        std::uint64_t ignored = 0;
        std::uint64_t late = 0; // our tag space, not outstanding (answer to an old copy)
        std::uint64_t malformed = 0; // right tag, wrong content (length, command)
        std::uint64_t foreign = 0; // not from our target / not a response / not our tag
        std::uint64_t sendErrors = 0; // frames the interface refused (treated as lost)
        std::uint64_t kernelDrops = 0; // receive ring overflows
        std::uint64_t otherPathsEvicted = 0; // see TargetInfo::otherPaths
        std::uint64_t rttSamples = 0;
        std::uint64_t srttUs = 0;
        std::uint64_t rttvarUs = 0;
        std::uint64_t rtoUs = 0;
        std::uint64_t bytesRead = 0;
        std::uint64_t bytesWritten = 0;
    };

    // Opens the interface (needs CAP_NET_RAW) and learns the target. Null
    // with *error set ("no answer from e7.3 on eth1 within 5.0 s") on failure.
    static std::unique_ptr<Initiator> open(const Options &options, std::string *error);
    ~Initiator();
    Initiator(const Initiator &) = delete;
    Initiator &operator=(const Initiator &) = delete;

    const TargetInfo &target() const;
    unsigned window() const;
    // "e7.3"
    std::string name() const;

    // --- asynchronous API --------------------------------------------------
    // Queues a request; frames go out on the next process() (or sync call).
    // The buffer must stay valid, and untouched by the caller for reads,
    // until the completion is returned. Sizes are non-zero multiples of 512;
    // requests larger than a frame are split. False with *error when the
    // arguments are wrong or maxRequests are already pending.
    bool submitRead(std::uint64_t lba, std::span<std::uint8_t> buffer, std::uint64_t user,
                    std::string *error = nullptr);
    bool submitWrite(std::uint64_t lba, std::span<const std::uint8_t> data, std::uint64_t user,
                     std::string *error = nullptr);
    // FLUSH CACHE (EXT): completes at once with Ok if the target advertises neither.
    bool submitFlush(std::uint64_t user, std::string *error = nullptr);

    // Sends what is queued, takes in responses, retransmits, and waits up to
    // timeoutMs (0: not at all, -1: until something completes) for at least
    // one completion. Returns the number of completions stored in `out`
    // (more may be waiting: call again), or -1 with *error if the interface
    // failed. Returns early with 0 when nothing is pending.
    int process(std::span<Completion> out, int timeoutMs, std::string *error = nullptr);

    // For event loops: readable when process(…, 0) has work to do (frames
    // arrived, a timer expired, or completions wait).
    int fd();

    std::size_t pendingRequests() const; // submitted and not yet returned by process()
    bool canSubmit() const; // a request slot is free

    // A sentence for a failed completion: "e7.3: READ of 2 sectors at LBA
    // 16384: LBA out of range (ATA status 0x41, error 0x10)".
    std::string describe(const Completion &completion) const;

    // --- synchronous helpers (pipeline the whole span) ---------------------
    bool read(std::uint64_t lba, std::span<std::uint8_t> buffer, std::string *error);
    bool write(std::uint64_t lba, std::span<const std::uint8_t> data, std::string *error);
    bool flush(std::string *error);

    Stats stats() const;

private:
    Initiator();
    struct Private;
    std::unique_ptr<Private> d;
};

const char *opName(Initiator::Op op);

} // namespace Etherdisk
