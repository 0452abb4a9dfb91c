// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
//
// Design notes.
//
// Tags: 0x80000000 | generation << 10 | slot. A slot is one outstanding
// frame (the window has at most 1024), the generation (21 bits, random
// start per slot) changes on every transmission, first or repeated. A
// response is matched in O(1): its slot index picks the slot, and the whole
// tag must equal the slot's current tag. An answer to an older copy (or to
// a frame whose request already failed) finds another generation there: it
// is counted as "late" and ignored.
//
// Retransmission timeout: Jacobson/Karels (RFC 6298) in nanoseconds:
// srtt += (R - srtt) / 8, rttvar += (|srtt - R| - rttvar) / 4,
// RTO = srtt + 4 * rttvar, clamped to [minRtoUs, maxRtoUs]. Before the first
// sample RTO is 250 ms, as in the Linux driver. Each retransmission of a
// frame doubles that frame's timer (exponential backoff), and Karn's rule
// keeps retransmitted frames out of the estimate.
// Why a 10 ms floor: on a LAN the wire and stack take 20-200 us, so the
// floor is not about the network but about the target's service time, which
// ranges from microseconds (page cache) to tens of milliseconds (a disk
// seek, a group-commit fdatasync) plus ms-scale scheduling jitter on a busy
// host. TCP's 200 ms (or RFC 6298's 1 s) floor would make every lost frame
// stall its request for 200 ms: with 5% loss, the transfer crawls. With
// 10 ms a loss costs ~10 ms; a response slower than both 10 ms and
// srtt + 4 * rttvar causes one spurious, harmless retransmission (reads and
// writes of the same data are idempotent) and the backoff bounds repeats.
// The 2 s ceiling keeps a long outage from leaving frames idle for minutes
// after the target comes back.
//
// Hot path: no allocation. Frame buffers (one per window slot), request
// records and the completion ring are allocated in open(). Frames are built
// in their slot's buffer (kept for retransmission), queued to PacketIo and
// sent with one sendmmsg per batch; responses are taken from libpcap's ring
// in batches of 256 and read data is copied once, from the ring into the
// caller's buffer.

#include "etherdisk/initiator.h"
#include "etherdisk/util.h"

#include "etherdisk/ata.h"
#include "etherdisk/packetio.h"

#include <algorithm>
#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <limits>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <sys/timerfd.h>
#include <unistd.h>

namespace Etherdisk {

namespace {

    constexpr unsigned SlotBits = 10;
    static_assert((1u << SlotBits) == Initiator::MaxWindow);
    constexpr std::uint32_t SlotMask = (1u << SlotBits) - 1;
    constexpr std::uint32_t GenerationMask = (Aoe::UserTagBit - 1) >> SlotBits;
    constexpr int ReceiveBatch = 256;
    constexpr int MaxReceivePerPump = 4096;
    constexpr std::uint64_t ConfigRetryNs = 250'000'000;
    constexpr std::uint64_t Never = std::numeric_limits<std::uint64_t>::max();
    constexpr std::uint64_t Lba28Limit = std::uint64_t(1) << 28;
    constexpr std::uint64_t Lba48Limit = std::uint64_t(1) << 48;

    std::uint32_t randomU32()
    {
        std::uint32_t v = 0;
        if (::getrandom(&v, sizeof v, GRND_NONBLOCK) != sizeof v)
            v = std::uint32_t(std::uint64_t(monotonicNs())) ^ (std::uint32_t(::getpid()) << 16);
        return v;
    }

    std::string seconds(std::uint64_t ns)
    {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%.1f s", double(ns) / 1e9);
        return buf;
    }

    enum class Malformed : std::uint8_t { None, AtaTruncated, DataLength, WrongCommand };

} // namespace

const char *opName(Initiator::Op op)
{
    switch (op) {
    case Initiator::Op::Read:
        return "READ";
    case Initiator::Op::Write:
        return "WRITE";
    case Initiator::Op::Flush:
        return "FLUSH CACHE";
    case Initiator::Op::Identify:
        return "IDENTIFY";
    }
    return "?";
}

struct Initiator::Private
{
    struct Request
    {
        Completion result; // user, op, lba, sectors filled at submit
        bool inUse = false;
        bool internal = false; // sync helper or open(): not put in the ring
        bool finished = false;
        bool allIssued = false;
        bool queued = false; // in the pending list
        std::uint32_t issued = 0; // sectors put into frames
        std::uint32_t inFlight = 0; // frames outstanding
        std::uint8_t *readBuffer = nullptr;
        const std::uint8_t *writeData = nullptr;
        std::uint64_t submitNs = 0;
        std::uint64_t deadlineNs = 0; // per frame, from its first transmission
        std::int32_t next = -1; // pending list
        Malformed lastMalformed = Malformed::None;
        std::uint64_t malformedGot = 0, malformedWant = 0;
    };

    struct Slot
    {
        bool active = false;
        std::uint32_t generation = 0;
        std::uint32_t tag = 0;
        std::int32_t request = -1;
        std::uint64_t lba = 0;
        std::uint32_t sectors = 0;
        std::size_t byteOffset = 0; // into the request's buffer
        std::uint64_t firstSentNs = 0;
        std::uint64_t retransmitAtNs = 0;
        std::uint64_t deadlineNs = 0;
        std::uint64_t rtoNs = 0;
        std::uint32_t transmissions = 0;
        std::size_t frameLength = 0;
        std::uint8_t *frame = nullptr;
    };

    Options opt;
    std::unique_ptr<PacketIo> io;
    TargetInfo target;
    bool targetKnown = false;
    std::uint32_t configTag = 0;
    std::string configError; // an E response to our Query Config
    // When each of target.otherPaths last answered (ns), parallel to it.
    std::vector<std::uint64_t> otherPathSeenNs;

    std::vector<std::uint8_t> frameStore;
    std::size_t frameCapacity = 0;
    std::vector<Slot> slots;
    std::vector<std::uint32_t> freeSlots;
    std::vector<Request> requests; // opt.maxRequests + 1 (one for the sync helpers)
    std::vector<std::int32_t> freeRequests;
    std::int32_t pendingHead = -1, pendingTail = -1;
    std::size_t activeRequests = 0; // in use, not finished
    std::size_t activeUserRequests = 0;
    std::vector<Completion> ring;
    std::size_t ringHead = 0, ringCount = 0;
    std::uint64_t nextTimerNs = Never;
    std::array<std::uint8_t, Ata::IdentifySize> identifyPage{};

    // RTT estimator (ns).
    std::uint64_t srtt = 0, rttvar = 0, rto = 0;

    Stats stats;
    std::string lastSendError;

    // Event-loop integration, made on the first fd() call.
    int epollFd = -1;
    int timerFd = -1;
    std::uint64_t armedNs = 0; // 0: disarmed

    ~Private()
    {
        if (timerFd >= 0)
            ::close(timerFd);
        if (epollFd >= 0)
            ::close(epollFd);
    }

    std::string name() const { return Aoe::targetName(opt.shelf, opt.slot); }

    // --- receive ---------------------------------------------------------------
    static void onFrame(void *ctx, std::span<const std::uint8_t> frame)
    {
        static_cast<Private *>(ctx)->handleFrame(frame);
    }

    void ignore(std::uint64_t *counter)
    {
        ++stats.ignored;
        if (counter)
            ++*counter;
    }

    void handleFrame(std::span<const std::uint8_t> bytes)
    {
        Aoe::Frame f;
        const Aoe::ParseError pe = Aoe::parseFrame(bytes, &f);
        if (pe == Aoe::ParseError::FrameTooShort || pe == Aoe::ParseError::NotAoe
            || pe == Aoe::ParseError::UnsupportedVersion
            || pe == Aoe::ParseError::UnrecognizedCommand) {
            ignore(&stats.foreign);
            return;
        }
        const Aoe::Header &h = f.header;
        // Our filter passes requests too, so that a target which forgets the
        // R flag shows up in the counters instead of as a silent timeout.
        if (!h.isResponse() || h.shelf != opt.shelf || h.slot != opt.slot) {
            ignore(&stats.foreign);
            return;
        }
        if (h.command == std::uint8_t(Aoe::Command::QueryConfig)) {
            handleConfig(f, pe);
            return;
        }
        if (h.command != std::uint8_t(Aoe::Command::Ata) || !(h.tag & Aoe::UserTagBit)
            || !targetKnown || h.source != target.mac) {
            ignore(&stats.foreign);
            return;
        }
        const std::uint32_t index = h.tag & SlotMask;
        if (index >= slots.size()) {
            ignore(&stats.foreign);
            return;
        }
        Slot &s = slots[index];
        if (!s.active || s.tag != h.tag) {
            ignore(&stats.late);
            return;
        }
        Request &r = requests[std::size_t(s.request)];
        const std::uint64_t now = std::uint64_t(monotonicNs());
        if (h.isError()) {
            r.result.aoeError = h.errorCode();
            ++stats.aoeErrors;
            fail(s.request, Status::AoeError, s.lba, now);
            return;
        }
        if (pe != Aoe::ParseError::Ok) {
            malformed(r, Malformed::AtaTruncated, bytes.size(), Aoe::AtaHeaderSize);
            return;
        }
        const std::uint8_t status = f.ata.cmdStatus;
        if (status & Ata::StatusFailureMask) {
            r.result.ataStatus = status;
            r.result.ataError = f.ata.errFeature;
            ++stats.ataErrors;
            fail(s.request, Status::AtaError, s.lba, now);
            return;
        }
        const Op op = r.result.op;
        if (op == Op::Read || op == Op::Identify) {
            // Exactly what we asked for (Linux: "runt data size" / "too-large
            // data size"): shorter or longer is never trusted.
            const std::size_t want = std::size_t(s.sectors) * Aoe::SectorSize;
            if (f.data.size() != want) {
                malformed(r, Malformed::DataLength, f.data.size(), want);
                return;
            }
            std::memcpy(r.readBuffer + s.byteOffset, f.data.data(), want);
            stats.bytesRead += op == Op::Read ? want : 0;
        } else if (op == Op::Write) {
            stats.bytesWritten += std::uint64_t(s.sectors) * Aoe::SectorSize;
        }
        if (s.transmissions == 1)
            sampleRtt(now - s.firstSentNs); // Karn: never from a retransmitted frame
        const std::int32_t ri = s.request;
        releaseSlot(s);
        --r.inFlight;
        if (r.allIssued && r.inFlight == 0)
            finish(ri, Status::Ok, now);
    }

    void malformed(Request &r, Malformed why, std::uint64_t got, std::uint64_t want)
    {
        ignore(&stats.malformed);
        ++r.result.malformed;
        r.lastMalformed = why;
        r.malformedGot = got;
        r.malformedWant = want;
    }

    void handleConfig(const Aoe::Frame &f, Aoe::ParseError pe)
    {
        const Aoe::Header &h = f.header;
        if (h.tag != configTag) {
            ignore(&stats.foreign); // e.g. an advertisement (tag 0)
            return;
        }
        if (h.isError()) {
            configError = std::string("AoE error ") + std::to_string(h.error) + " ("
                + Aoe::errorCodeName(h.errorCode()) + ")";
            ignore(&stats.malformed);
            return;
        }
        if (pe != Aoe::ParseError::Ok) {
            ignore(&stats.malformed);
            return;
        }
        if (!targetKnown && opt.targetMac != Aoe::MacAddress{} && h.source != opt.targetMac) {
            ignore(&stats.foreign); // asked for a particular target
            return;
        }
        if (!targetKnown) {
            targetKnown = true;
            target.mac = h.source;
            target.bufferCount = f.config.bufferCount;
            target.firmwareVersion = f.config.firmwareVersion;
            target.targetMaxSectors = f.config.maxSectors();
            target.configString.assign(f.config.configString.begin(), f.config.configString.end());
            return;
        }
        if (h.source != target.mac)
            noteOtherPath(h.source);
        else
            ignore(&stats.late); // a duplicate answer
    }

    // Anyone who sees our broadcast Query Config can answer it from any
    // MAC: the list keeps at most MaxOtherPaths, and a new MAC replaces the
    // one heard from longest ago (counted in otherPathsEvicted).
    void noteOtherPath(const Aoe::MacAddress &mac)
    {
        const std::uint64_t now = std::uint64_t(monotonicNs());
        auto known = std::find(target.otherPaths.begin(), target.otherPaths.end(), mac);
        if (known != target.otherPaths.end()) {
            otherPathSeenNs[std::size_t(known - target.otherPaths.begin())] = now;
            ignore(&stats.late); // a duplicate answer
            return;
        }
        if (target.otherPaths.size() < MaxOtherPaths) {
            target.otherPaths.push_back(mac);
            otherPathSeenNs.push_back(now);
            return;
        }
        const std::size_t oldest =
            std::size_t(std::min_element(otherPathSeenNs.begin(), otherPathSeenNs.end())
                        - otherPathSeenNs.begin());
        target.otherPaths[oldest] = mac;
        otherPathSeenNs[oldest] = now;
        ++stats.otherPathsEvicted;
    }

    void sampleRtt(std::uint64_t r)
    {
        if (stats.rttSamples++ == 0) {
            srtt = r;
            rttvar = r / 2;
        } else {
            const std::uint64_t delta = srtt > r ? srtt - r : r - srtt;
            rttvar = (3 * rttvar + delta) / 4;
            srtt = (7 * srtt + r) / 8;
        }
        rto = std::clamp<std::uint64_t>(srtt + 4 * rttvar, std::uint64_t(opt.minRtoUs) * 1000,
                                        std::uint64_t(opt.maxRtoUs) * 1000);
    }

    // --- requests and slots -------------------------------------------------------
    void releaseSlot(Slot &s)
    {
        s.active = false;
        s.request = -1;
        freeSlots.push_back(std::uint32_t(&s - slots.data()));
    }

    void unqueue(std::int32_t ri)
    {
        std::int32_t prev = -1;
        for (std::int32_t i = pendingHead; i >= 0; prev = i, i = requests[std::size_t(i)].next) {
            if (i != ri)
                continue;
            const std::int32_t next = requests[std::size_t(i)].next;
            if (prev < 0)
                pendingHead = next;
            else
                requests[std::size_t(prev)].next = next;
            if (pendingTail == i)
                pendingTail = prev;
            break;
        }
        requests[std::size_t(ri)].queued = false;
        requests[std::size_t(ri)].next = -1;
    }

    void fail(std::int32_t ri, Status status, std::uint64_t lba, std::uint64_t now)
    {
        Request &r = requests[std::size_t(ri)];
        r.result.failedLba = lba;
        // Retire its other frames: their answers will be "late" and the
        // caller's buffer is never written after the completion.
        for (Slot &s : slots)
            if (s.active && s.request == ri)
                releaseSlot(s);
        r.inFlight = 0;
        if (r.queued)
            unqueue(ri);
        finish(ri, status, now);
    }

    void finish(std::int32_t ri, Status status, std::uint64_t now)
    {
        Request &r = requests[std::size_t(ri)];
        r.result.status = status;
        r.result.latencyNs = now - r.submitNs;
        r.finished = true;
        --activeRequests;
        ++stats.completed;
        if (status != Status::Ok)
            ++stats.failed;
        if (status == Status::Timeout)
            ++stats.timeouts;
        if (r.internal)
            return; // the sync helper reads r.result and frees it
        --activeUserRequests;
        ring[(ringHead + ringCount) % ring.size()] = r.result;
        ++ringCount;
        freeRequest(ri);
    }

    void freeRequest(std::int32_t ri)
    {
        requests[std::size_t(ri)] = Request{};
        freeRequests.push_back(ri);
    }

    std::int32_t newRequest(Op op, std::uint64_t user, std::uint64_t lba, std::uint32_t sectors,
                            bool internal)
    {
        const std::int32_t ri = freeRequests.back();
        freeRequests.pop_back();
        Request &r = requests[std::size_t(ri)];
        r = Request{};
        r.inUse = true;
        r.internal = internal;
        r.result.user = user;
        r.result.op = op;
        r.result.lba = lba;
        r.result.sectors = sectors;
        r.submitNs = std::uint64_t(monotonicNs());
        r.deadlineNs = std::uint64_t(opt.deadlineMs) * 1'000'000;
        r.queued = true;
        if (pendingTail >= 0)
            requests[std::size_t(pendingTail)].next = ri;
        else
            pendingHead = ri;
        pendingTail = ri;
        ++activeRequests;
        if (!internal)
            ++activeUserRequests;
        ++stats.requests;
        return ri;
    }

    bool userSlotFree() const
    {
        return activeUserRequests + ringCount < opt.maxRequests && freeRequests.size() > 1;
    }

    bool checkRange(std::uint64_t lba, std::uint64_t sectors, std::string *error) const
    {
        const std::uint64_t limit = target.lba48 ? Lba48Limit : Lba28Limit;
        if (lba >= limit || sectors > limit - lba) {
            if (error)
                *error = name() + ": LBA " + std::to_string(lba) + " + " + std::to_string(sectors)
                    + " sectors is beyond the " + (target.lba48 ? "48" : "28")
                    + "-bit LBA range of the target";
            return false;
        }
        return true;
    }

    // Builds the frame for `s` (tag included) in its buffer.
    void build(Slot &s, const Request &r)
    {
        Aoe::Header h;
        h.destination = target.mac;
        h.source = io->info().mac;
        h.shelf = opt.shelf;
        h.slot = opt.slot;
        h.command = std::uint8_t(Aoe::Command::Ata);
        h.tag = s.tag;
        Aoe::AtaArg a;
        std::span<const std::uint8_t> data;
        const bool ext = target.lba48;
        switch (r.result.op) {
        case Op::Read:
        case Op::Write: {
            const bool write = r.result.op == Op::Write;
            a.cmdStatus = write ? (ext ? Ata::CmdWriteSectorsExt : Ata::CmdWriteSectors)
                                : (ext ? Ata::CmdReadSectorsExt : Ata::CmdReadSectors);
            a.aflags =
                std::uint8_t((ext ? Aoe::AtaFlagExtended : 0) | (write ? Aoe::AtaFlagWrite : 0));
            a.sectorCount = std::uint8_t(s.sectors);
            // LBA28: bits 24-27 in lba3's low nibble, 0xE0 (LBA mode plus the
            // obsolete bits) in its high nibble, as Linux sends.
            a.lba = ext ? s.lba : ((s.lba & 0x0FFFFFFFu) | 0xE0000000u);
            if (write)
                data = { r.writeData + s.byteOffset, std::size_t(s.sectors) * Aoe::SectorSize };
            break;
        }
        case Op::Flush: {
            const bool useExt = target.flushCacheExt && (ext || !target.flushCache);
            a.cmdStatus = useExt ? Ata::CmdFlushCacheExt : Ata::CmdFlushCache;
            a.aflags = useExt ? Aoe::AtaFlagExtended : 0;
            a.lba = useExt ? 0 : 0xE0000000u;
            break;
        }
        case Op::Identify:
            s.frameLength = Aoe::buildIdentifyRequest({ s.frame, frameCapacity }, h.source,
                                                      h.destination, h.shelf, h.slot, h.tag);
            return;
        }
        s.frameLength = Aoe::buildAta({ s.frame, frameCapacity }, h, a, data);
    }

    void setTag(Slot &s)
    {
        s.generation = (s.generation + 1) & GenerationMask;
        s.tag = Aoe::UserTagBit | (s.generation << SlotBits) | std::uint32_t(&s - slots.data());
    }

    void transmit(Slot &s, std::uint64_t now)
    {
        if (s.frameLength == 0 || !io->queue({ s.frame, s.frameLength }))
            ++stats.sendErrors; // cannot happen with our sizes; the deadline reports it
        s.retransmitAtNs = now + s.rtoNs;
        nextTimerNs = std::min({ nextTimerNs, s.retransmitAtNs, s.deadlineNs });
    }

    // Fills the window from the pending requests.
    void issue(std::uint64_t now)
    {
        while (pendingHead >= 0 && !freeSlots.empty()) {
            const std::int32_t ri = pendingHead;
            Request &r = requests[std::size_t(ri)];
            std::uint32_t n = 0;
            if (r.result.op == Op::Read || r.result.op == Op::Write)
                n = std::min<std::uint32_t>(target.sectorsPerFrame, r.result.sectors - r.issued);
            else if (r.result.op == Op::Identify)
                n = 1;
            Slot &s = slots[freeSlots.back()];
            freeSlots.pop_back();
            s.active = true;
            s.request = ri;
            s.lba = r.result.lba + r.issued;
            s.sectors = n;
            s.byteOffset = std::size_t(r.issued) * Aoe::SectorSize;
            s.transmissions = 1;
            s.firstSentNs = now;
            s.deadlineNs = now + r.deadlineNs;
            s.rtoNs = rto;
            setTag(s);
            build(s, r);
            transmit(s, now);
            ++stats.frames;
            ++r.inFlight;
            r.issued += n;
            if (r.result.op != Op::Read && r.result.op != Op::Write)
                r.allIssued = true;
            else
                r.allIssued = r.issued == r.result.sectors;
            if (r.allIssued) {
                pendingHead = r.next;
                if (pendingHead < 0)
                    pendingTail = -1;
                r.next = -1;
                r.queued = false;
            }
        }
    }

    void checkTimers(std::uint64_t now)
    {
        if (now < nextTimerNs)
            return;
        std::uint64_t next = Never;
        for (Slot &s : slots) {
            if (!s.active)
                continue;
            if (now >= s.deadlineNs) {
                fail(s.request, Status::Timeout, s.lba, now);
                continue;
            }
            if (now >= s.retransmitAtNs) {
                // A new tag: an answer to the old copy will be "late".
                setTag(s);
                s.frame[20] = std::uint8_t(s.tag >> 24);
                s.frame[21] = std::uint8_t(s.tag >> 16);
                s.frame[22] = std::uint8_t(s.tag >> 8);
                s.frame[23] = std::uint8_t(s.tag);
                ++s.transmissions;
                s.rtoNs = std::min<std::uint64_t>(s.rtoNs * 2, std::uint64_t(opt.maxRtoUs) * 1000);
                transmit(s, now);
                ++stats.retransmits;
                ++requests[std::size_t(s.request)].result.retransmits;
            }
            next = std::min({ next, s.retransmitAtNs, s.deadlineNs });
        }
        nextTimerNs = next;
    }

    // One round of I/O without waiting.
    bool pump(std::string *error)
    {
        for (int total = 0; total < MaxReceivePerPump;) {
            std::string why;
            const int n = io->receive(ReceiveBatch, &Private::onFrame, this, &why);
            if (n < 0) {
                if (error)
                    *error = why;
                return false;
            }
            total += n;
            if (n < ReceiveBatch)
                break;
        }
        const std::uint64_t now = std::uint64_t(monotonicNs());
        checkTimers(now);
        issue(now);
        std::string why;
        if (!io->flush(&why))
            lastSendError = why; // counted by PacketIo; a lost frame, retransmitted
        return true;
    }

    // Sleeps until a frame arrives, the next timer, or `untilNs`.
    void wait(std::uint64_t untilNs)
    {
        const std::uint64_t now = std::uint64_t(monotonicNs());
        const std::uint64_t until = std::min(untilNs, nextTimerNs);
        if (until <= now)
            return;
        const std::uint64_t ns = until == Never ? 1'000'000'000 : until - now;
        timespec ts{ time_t(ns / 1'000'000'000), long(ns % 1'000'000'000) };
        pollfd p{ io->fd(), POLLIN, 0 };
        ::ppoll(&p, 1, &ts, nullptr);
    }

    bool runUntilFinished(std::int32_t ri, std::string *error)
    {
        Request &r = requests[std::size_t(ri)];
        while (!r.finished) {
            if (!pump(error))
                return false;
            if (!r.finished)
                wait(Never);
        }
        return true;
    }

    bool runSync(Op op, std::uint64_t lba, std::uint8_t *readBuffer, const std::uint8_t *writeData,
                 std::size_t bytes, std::string *error, Completion *result = nullptr,
                 std::uint64_t deadlineNs = 0)
    {
        const std::uint64_t sectors = bytes / Aoe::SectorSize;
        if (freeRequests.empty()) {
            if (error)
                *error = name() + ": a synchronous request is already running";
            return false;
        }
        const std::int32_t ri = newRequest(op, 0, lba, std::uint32_t(sectors), true);
        Request &r = requests[std::size_t(ri)];
        r.readBuffer = readBuffer;
        r.writeData = writeData;
        if (deadlineNs)
            r.deadlineNs = deadlineNs;
        if (!runUntilFinished(ri, error)) {
            // The interface failed: withdraw the request so that nothing
            // writes into the caller's buffer later.
            if (!r.finished)
                fail(ri, Status::Timeout, lba, std::uint64_t(monotonicNs()));
            freeRequest(ri);
            return false;
        }
        const Completion c = r.result;
        freeRequest(ri);
        if (result)
            *result = c;
        if (!c.ok() && error)
            *error = describe(c);
        rearm();
        return c.ok();
    }

    std::string describe(const Completion &c) const
    {
        std::string s = name() + ": " + opName(c.op);
        if (c.op == Op::Read || c.op == Op::Write)
            s += " of " + std::to_string(c.sectors) + " sectors at LBA " + std::to_string(c.lba);
        s += ": ";
        const bool multiFrame = c.sectors > target.sectorsPerFrame && target.sectorsPerFrame;
        switch (c.status) {
        case Status::Ok:
            return s + "ok";
        case Status::AtaError:
            if (c.ataError & Ata::ErrorIdNotFound)
                s += "LBA out of range";
            else if (c.ataError & Ata::ErrorAborted)
                s += "aborted by the target";
            else if (c.ataError & Ata::ErrorUncorrectable)
                s += "uncorrectable media error";
            else if (c.ataStatus & Ata::StatusDeviceFault)
                s += "device fault";
            else
                s += "ATA error";
            if (multiFrame)
                s += " in the frame at LBA " + std::to_string(c.failedLba);
            s += " (ATA status " + Aoe::formatByte(c.ataStatus) + ", error "
                + Aoe::formatByte(c.ataError) + ")";
            return s;
        case Status::AoeError:
            s += "the target answered with AoE error " + std::to_string(unsigned(c.aoeError)) + " ("
                + Aoe::errorCodeName(c.aoeError) + ")";
            if (multiFrame)
                s += " in the frame at LBA " + std::to_string(c.failedLba);
            return s;
        case Status::Timeout:
            break;
        }
        s += "timed out: no valid answer from " + Aoe::formatMac(target.mac) + " on "
            + opt.interface;
        if (multiFrame)
            s += " for the frame at LBA " + std::to_string(c.failedLba);
        s += " within " + seconds(std::uint64_t(opt.deadlineMs) * 1'000'000) + " ("
            + std::to_string(c.retransmits) + " retransmissions)";
        if (c.malformed)
            s += "; " + std::to_string(c.malformed) + " invalid answers ignored";
        if (!lastSendError.empty())
            s += "; last send error: " + lastSendError;
        return s;
    }

    // Event-loop fd: keeps the timerfd armed for what process() must do next.
    void rearm()
    {
        if (timerFd < 0)
            return;
        std::uint64_t want = 0;
        if (ringCount > 0 || (pendingHead >= 0 && !freeSlots.empty()))
            want = 1; // at once
        else if (nextTimerNs != Never)
            want = nextTimerNs;
        if (want == armedNs)
            return;
        itimerspec its{};
        if (want) {
            its.it_value.tv_sec = time_t(want / 1'000'000'000);
            its.it_value.tv_nsec = long(want % 1'000'000'000);
        }
        ::timerfd_settime(timerFd, TFD_TIMER_ABSTIME, &its, nullptr);
        armedNs = want;
    }
};

Initiator::Initiator() : d(std::make_unique<Private>()) { }

Initiator::~Initiator() = default;

std::unique_ptr<Initiator> Initiator::open(const Options &options, std::string *error)
{
    std::string ignored;
    if (!error)
        error = &ignored;
    std::unique_ptr<Initiator> self(new Initiator);
    Private *d = self->d.get();
    d->opt = options;
    Options &opt = d->opt;
    if (opt.shelf == Aoe::BroadcastShelf || opt.slot == Aoe::BroadcastSlot) {
        *error = "shelf 65535 and slot 255 are broadcast addresses, not a target";
        return nullptr;
    }
    opt.maxRequests = std::clamp(opt.maxRequests, 1u, 1u << 20);
    opt.minRtoUs = std::max(opt.minRtoUs, 100);
    opt.maxRtoUs = std::max(opt.maxRtoUs, opt.minRtoUs);
    opt.initialRtoUs = std::clamp(opt.initialRtoUs, opt.minRtoUs, opt.maxRtoUs);
    opt.deadlineMs = std::max(opt.deadlineMs, 1);
    d->rto = std::uint64_t(opt.initialRtoUs) * 1000;

    PacketFilter filter;
    filter.direction = PacketFilter::Direction::Both;
    filter.addresses.push_back({ opt.shelf, opt.slot });
    d->io = PacketIo::open(opt.interface, filter, error);
    if (!d->io)
        return nullptr;
    const unsigned mtu = d->io->info().mtu;

    // Query Config until someone answers.
    d->configTag = Aoe::UserTagBit | (randomU32() & ~Aoe::UserTagBit);
    const std::uint64_t start = std::uint64_t(monotonicNs());
    const std::uint64_t openDeadline =
        start + std::uint64_t(std::max(opt.openTimeoutMs, 1)) * 1'000'000;
    std::array<std::uint8_t, Aoe::MinFrameSize> query{};
    const std::size_t queryLength = Aoe::buildQueryConfigRequest(
        query, d->io->info().mac,
        opt.targetMac == Aoe::MacAddress{} ? Aoe::BroadcastMac : opt.targetMac, opt.shelf, opt.slot,
        d->configTag);
    std::uint64_t nextQuery = 0;
    while (!d->targetKnown) {
        std::uint64_t now = std::uint64_t(monotonicNs());
        if (now >= openDeadline) {
            *error = "no answer from " + d->name() + " on " + opt.interface + " within "
                + seconds(openDeadline - start);
            if (!d->configError.empty())
                *error += " (it answered with " + d->configError + ")";
            else
                *error += ": is the target running, and on this network?";
            return nullptr;
        }
        if (now >= nextQuery) {
            std::string why;
            if (!d->io->send({ query.data(), queryLength }, &why))
                d->lastSendError = why;
            nextQuery = now + ConfigRetryNs;
        }
        if (!d->pump(error))
            return nullptr;
        if (!d->targetKnown)
            d->wait(std::min(nextQuery, openDeadline));
    }

    TargetInfo &t = d->target;
    t.localMtu = mtu;
    const unsigned mtuSectors = Aoe::maxSectorsForMtu(mtu);
    t.sectorsPerFrame = std::min(t.targetMaxSectors, mtuSectors);
    if (opt.maxSectorsPerFrame)
        t.sectorsPerFrame = std::min(t.sectorsPerFrame, opt.maxSectorsPerFrame);
    if (t.sectorsPerFrame == 0) {
        *error = "the MTU of " + opt.interface + " (" + std::to_string(mtu)
            + ") is too small for one 512-byte sector per frame";
        return nullptr;
    }
    t.payloadBytes = t.sectorsPerFrame * unsigned(Aoe::SectorSize);
    unsigned window = t.bufferCount ? t.bufferCount : 1u;
    if (opt.window)
        window = std::min(window, opt.window);
    t.window = std::clamp(window, 1u, MaxWindow);

    // Everything the hot path needs, once.
    d->frameCapacity =
        std::max<std::size_t>(Aoe::AtaHeaderSize + t.payloadBytes, Aoe::MinFrameSize);
    d->frameStore.assign(d->frameCapacity * t.window, 0);
    d->slots.resize(t.window);
    d->freeSlots.reserve(t.window);
    for (unsigned i = 0; i < t.window; ++i) {
        Private::Slot &s = d->slots[i];
        s.frame = d->frameStore.data() + std::size_t(i) * d->frameCapacity;
        s.generation = randomU32() & GenerationMask;
        d->freeSlots.push_back(t.window - 1 - i);
    }
    d->requests.resize(std::size_t(opt.maxRequests) + 1);
    d->freeRequests.reserve(d->requests.size());
    for (std::size_t i = d->requests.size(); i-- > 0;)
        d->freeRequests.push_back(std::int32_t(i));
    d->ring.resize(opt.maxRequests);

    // IDENTIFY, through the same machinery (retransmissions included).
    Completion c;
    const std::uint64_t now = std::uint64_t(monotonicNs());
    const std::uint64_t left = openDeadline > now ? openDeadline - now : 0;
    std::string why;
    if (!d->runSync(Op::Identify, 0, d->identifyPage.data(), nullptr, Ata::IdentifySize, &why, &c,
                    std::max<std::uint64_t>(left, 1'000'000'000))) {
        if (c.status == Status::Timeout)
            *error = d->name() + " at " + Aoe::formatMac(t.mac)
                + " answered Query Config but not IDENTIFY (" + std::to_string(c.retransmits)
                + " retransmissions, " + std::to_string(c.malformed) + " invalid answers)";
        else
            *error = why;
        return nullptr;
    }
    const Ata::IdentifyInfo id = Ata::parseIdentify(d->identifyPage);
    t.sectors = id.sectors;
    t.lba48 = id.lba48;
    t.flushCache = id.flushCache;
    t.flushCacheExt = id.flushCacheExt;
    t.model = id.model;
    t.serial = id.serial;
    t.firmware = id.firmware;
    return self;
}

const Initiator::TargetInfo &Initiator::target() const
{
    return d->target;
}

unsigned Initiator::window() const
{
    return d->target.window;
}

std::string Initiator::name() const
{
    return d->name();
}

namespace {
    bool checkBuffer(std::size_t size, const std::string &name, std::string *error)
    {
        if (size == 0 || size % Aoe::SectorSize != 0
            || size / Aoe::SectorSize > std::numeric_limits<std::uint32_t>::max()) {
            if (error)
                *error = name + ": transfer size " + std::to_string(size)
                    + " is not a non-zero multiple of 512 bytes (at most 2^32 - 1 sectors)";
            return false;
        }
        return true;
    }
} // namespace

bool Initiator::submitRead(std::uint64_t lba, std::span<std::uint8_t> buffer, std::uint64_t user,
                           std::string *error)
{
    if (!checkBuffer(buffer.size(), d->name(), error)
        || !d->checkRange(lba, buffer.size() / Aoe::SectorSize, error))
        return false;
    if (!d->userSlotFree()) {
        if (error)
            *error = d->name() + ": too many requests pending";
        return false;
    }
    const std::int32_t ri =
        d->newRequest(Op::Read, user, lba, std::uint32_t(buffer.size() / Aoe::SectorSize), false);
    d->requests[std::size_t(ri)].readBuffer = buffer.data();
    d->rearm();
    return true;
}

bool Initiator::submitWrite(std::uint64_t lba, std::span<const std::uint8_t> data,
                            std::uint64_t user, std::string *error)
{
    if (!checkBuffer(data.size(), d->name(), error)
        || !d->checkRange(lba, data.size() / Aoe::SectorSize, error))
        return false;
    if (!d->userSlotFree()) {
        if (error)
            *error = d->name() + ": too many requests pending";
        return false;
    }
    const std::int32_t ri =
        d->newRequest(Op::Write, user, lba, std::uint32_t(data.size() / Aoe::SectorSize), false);
    d->requests[std::size_t(ri)].writeData = data.data();
    d->rearm();
    return true;
}

bool Initiator::submitFlush(std::uint64_t user, std::string *error)
{
    if (!d->userSlotFree()) {
        if (error)
            *error = d->name() + ": too many requests pending";
        return false;
    }
    const std::int32_t ri = d->newRequest(Op::Flush, user, 0, 0, false);
    if (!d->target.flushCache && !d->target.flushCacheExt) {
        // Nothing to flush (as Linux, which never sends FLUSH CACHE).
        d->unqueue(ri);
        d->finish(ri, Status::Ok, std::uint64_t(monotonicNs()));
    }
    d->rearm();
    return true;
}

int Initiator::process(std::span<Completion> out, int timeoutMs, std::string *error)
{
    const std::uint64_t start = std::uint64_t(monotonicNs());
    const std::uint64_t end = timeoutMs < 0 ? Never : start + std::uint64_t(timeoutMs) * 1'000'000;
    if (d->timerFd >= 0) {
        std::uint64_t expirations;
        [[maybe_unused]] ssize_t n = ::read(d->timerFd, &expirations, sizeof expirations);
        d->armedNs = 0;
    }
    for (;;) {
        if (!d->pump(error))
            return -1;
        if (d->ringCount > 0 || d->activeRequests == 0)
            break;
        if (std::uint64_t(monotonicNs()) >= end)
            break;
        d->wait(end);
    }
    int n = 0;
    while (d->ringCount > 0 && std::size_t(n) < out.size()) {
        out[std::size_t(n++)] = d->ring[d->ringHead];
        d->ringHead = (d->ringHead + 1) % d->ring.size();
        --d->ringCount;
    }
    d->rearm();
    return n;
}

int Initiator::fd()
{
    if (d->epollFd >= 0)
        return d->epollFd;
    d->epollFd = ::epoll_create1(EPOLL_CLOEXEC);
    d->timerFd = ::timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
    epoll_event ev{};
    ev.events = EPOLLIN;
    ::epoll_ctl(d->epollFd, EPOLL_CTL_ADD, d->io->fd(), &ev);
    ::epoll_ctl(d->epollFd, EPOLL_CTL_ADD, d->timerFd, &ev);
    d->armedNs = 0;
    d->rearm();
    return d->epollFd;
}

std::size_t Initiator::pendingRequests() const
{
    return d->activeUserRequests + d->ringCount;
}

bool Initiator::canSubmit() const
{
    return d->userSlotFree();
}

std::string Initiator::describe(const Completion &completion) const
{
    return d->describe(completion);
}

bool Initiator::read(std::uint64_t lba, std::span<std::uint8_t> buffer, std::string *error)
{
    if (!checkBuffer(buffer.size(), d->name(), error)
        || !d->checkRange(lba, buffer.size() / Aoe::SectorSize, error))
        return false;
    return d->runSync(Op::Read, lba, buffer.data(), nullptr, buffer.size(), error);
}

bool Initiator::write(std::uint64_t lba, std::span<const std::uint8_t> data, std::string *error)
{
    if (!checkBuffer(data.size(), d->name(), error)
        || !d->checkRange(lba, data.size() / Aoe::SectorSize, error))
        return false;
    return d->runSync(Op::Write, lba, nullptr, data.data(), data.size(), error);
}

bool Initiator::flush(std::string *error)
{
    if (!d->target.flushCache && !d->target.flushCacheExt)
        return true;
    return d->runSync(Op::Flush, 0, nullptr, nullptr, 0, error);
}

Initiator::Stats Initiator::stats() const
{
    Stats s = d->stats;
    const PacketIo::Counters c = d->io->counters();
    s.sendErrors += c.sendErrors;
    s.kernelDrops = c.kernelDrops;
    s.srttUs = d->srtt / 1000;
    s.rttvarUs = d->rttvar / 1000;
    s.rtoUs = d->rto / 1000;
    return s;
}

} // namespace Etherdisk
