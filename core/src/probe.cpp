// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later

#include "etherdisk/probe.h"
#include "etherdisk/util.h"

#include "etherdisk/packetio.h"

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <memory>
#include <poll.h>
#include <sys/random.h>

namespace Etherdisk {

using namespace Aoe;

std::string ProbeResult::name() const
{
    return targetName(shelf, slot);
}

namespace {

    std::string secondsText(int ms)
    {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%.1f s", double(ms) / 1000.0);
        return buf;
    }

    struct Link
    {
        std::string name;
        std::unique_ptr<PacketIo> io;
    };

    // A response we asked for, copied out of the receive ring.
    struct Answer
    {
        std::size_t link = 0;
        std::vector<std::uint8_t> bytes;
        Frame frame; // spans point into `bytes`
        ParseError parse = ParseError::Ok;
        std::int64_t atUs = 0;
    };

    class Prober
    {
    public:
        Prober(const ProbeOptions &o, ProbeResult *r) : options(o), result(r)
        {
            if (::getrandom(&nextTag, sizeof nextTag, GRND_NONBLOCK) != sizeof nextTag)
                nextTag = std::uint32_t(monotonicUs());
        }

        bool run(Error *error)
        {
            result->shelf = options.shelf;
            result->slot = options.slot;
            result->paths.clear();
            result->warnings.clear();
            if (options.interfaces.empty())
                return fail(error, ErrorKind::InvalidArgument, "no network interface given");
            if (options.shelf >= BroadcastShelf || options.slot >= BroadcastSlot)
                return fail(error, ErrorKind::InvalidArgument,
                            "probe needs one target, not the broadcast address " + result->name());
            if (options.timeoutMs <= 0)
                return fail(error, ErrorKind::InvalidArgument, "the timeout must be positive");
            for (const std::string &name : options.interfaces) {
                PacketFilter filter;
                filter.direction = PacketFilter::Direction::Responses;
                std::string why;
                auto io = PacketIo::open(name, filter, &why);
                if (!io)
                    return fail(error, packetOpenErrorKind(why), why);
                links.push_back({ name, std::move(io) });
            }
            if (!queryConfig(error))
                return false;
            for (ProbedPath &p : result->paths) {
                identify(p);
                if (options.measurePayload && p.identified)
                    measurePayload(p);
                checkPath(p);
            }
            if (extraPaths > 0)
                result->warnings.push_back(std::to_string(extraPaths) + " more devices answered as "
                                           + result->name() + "; only the first "
                                           + std::to_string(ProbeOptions::MaxPaths)
                                           + " were examined");
            if (!malformed.empty())
                result->warnings.push_back("unusable Query Config answer from " + malformed);
            comparePaths();
            return true;
        }

    private:
        static bool fail(Error *error, ErrorKind kind, std::string message)
        {
            error->kind = kind;
            error->message = std::move(message);
            return false;
        }

        std::uint32_t tag() { return UserTagBit | (nextTag++ & ~UserTagBit); }

        std::size_t linkOf(const ProbedPath &p) const
        {
            for (std::size_t i = 0; i < links.size(); ++i)
                if (links[i].name == p.interface)
                    return i;
            return 0;
        }

        Header request(std::size_t link, const MacAddress &to, Command command, std::uint32_t t)
        {
            Header h;
            h.destination = to;
            h.source = links[link].io->info().mac;
            h.shelf = options.shelf;
            h.slot = options.slot;
            h.command = std::uint8_t(command);
            h.tag = t;
            return h;
        }

        bool send(std::size_t link, std::span<const std::uint8_t> frame)
        {
            std::string why;
            return links[link].io->send(frame, &why);
        }

        // Receives until accept() returns true for an answer or the time is up.
        // `deadlineUs` is re-read on every round: accept() may move it.
        template<typename Accept>
        bool wait(const std::int64_t &deadlineUs, Accept accept)
        {
            std::vector<pollfd> fds(links.size());
            for (;;) {
                for (std::size_t i = 0; i < links.size(); ++i) {
                    current = i;
                    std::string why;
                    pending.clear();
                    links[i].io->receive(64, &Prober::onFrame, this, &why);
                    for (Answer &a : pending)
                        if (accept(a))
                            return true;
                }
                const std::int64_t left = deadlineUs - monotonicUs();
                if (left <= 0)
                    return false;
                for (std::size_t i = 0; i < links.size(); ++i)
                    fds[i] = { links[i].io->fd(), POLLIN, 0 };
                ::poll(fds.data(), fds.size(), int((left + 999) / 1000));
            }
        }

        static void onFrame(void *ctx, std::span<const std::uint8_t> bytes)
        {
            auto *self = static_cast<Prober *>(ctx);
            Answer a;
            a.link = self->current;
            a.atUs = monotonicUs();
            a.bytes.assign(bytes.begin(), bytes.end());
            a.parse = parseFrame(a.bytes, &a.frame);
            const Header &h = a.frame.header;
            if (a.parse == ParseError::FrameTooShort || a.parse == ParseError::NotAoe
                || !h.isResponse() || h.shelf != self->options.shelf
                || h.slot != self->options.slot)
                return;
            self->pending.push_back(std::move(a));
        }

        // Broadcast Query Config on every link; every distinct (link, MAC)
        // that answers is a path. Once the first answer is in, the others
        // get a little longer, then we stop listening.
        bool queryConfig(Error *error)
        {
            for (int attempt = 0; attempt < 2 && result->paths.empty(); ++attempt) {
                const std::uint32_t t = tag();
                const std::int64_t sentUs = monotonicUs();
                for (std::size_t i = 0; i < links.size(); ++i) {
                    std::uint8_t frame[MinFrameSize + 16] = {};
                    const std::size_t n =
                        buildQueryConfigRequest(frame, links[i].io->info().mac, BroadcastMac,
                                                options.shelf, options.slot, t);
                    send(i, { frame, n });
                }
                std::int64_t deadline = sentUs + std::int64_t(options.timeoutMs) * 500;
                wait(deadline, [&](Answer &a) {
                    if (a.frame.header.tag != t)
                        return false;
                    if (a.parse != ParseError::Ok || a.frame.header.isError()
                        || a.frame.kind != FrameKind::QueryConfig) {
                        malformedAnswer(a);
                        return false;
                    }
                    addPath(a, sentUs);
                    deadline = std::min(deadline, a.atUs + 200000);
                    return false;
                });
            }
            if (result->paths.empty()) {
                std::string where;
                for (const Link &l : links)
                    where += (where.empty() ? "" : ", ") + l.name;
                if (!malformed.empty())
                    return fail(error, ErrorKind::Failed,
                                result->name() + " answers on " + where
                                    + ", but not with a usable Query Config: " + malformed);
                return fail(error, ErrorKind::NotFound,
                            "no answer from " + result->name() + " on " + where + " within "
                                + secondsText(options.timeoutMs));
            }
            return true;
        }

        void malformedAnswer(const Answer &a)
        {
            std::string why = a.parse != ParseError::Ok ? parseErrorText(a.parse)
                : a.frame.header.isError()
                ? std::string("AoE error ") + errorCodeName(a.frame.header.errorCode())
                : "not a Query Config answer";
            if (malformed.empty())
                malformed = formatMac(a.frame.header.source) + ": " + why;
        }

        void addPath(const Answer &a, std::int64_t sentUs)
        {
            const std::string &ifName = links[a.link].name;
            for (const ProbedPath &p : result->paths)
                if (p.interface == ifName && p.mac == a.frame.header.source)
                    return; // a duplicate
            if (result->paths.size() >= ProbeOptions::MaxPaths) {
                ++extraPaths;
                return;
            }
            ProbedPath p;
            p.interface = ifName;
            p.mac = a.frame.header.source;
            p.localMtu = links[a.link].io->info().mtu;
            p.rttUs = std::uint32_t(std::max<std::int64_t>(1, a.atUs - sentUs));
            const ConfigArg &c = a.frame.config;
            p.bufferCount = c.bufferCount;
            p.firmwareVersion = c.firmwareVersion;
            p.maxSectors = c.maxSectors();
            p.aoeVersion = c.aoeVersion;
            p.configString.assign(c.configString.begin(), c.configString.end());
            p.advertisedPayload = p.maxSectors * unsigned(SectorSize);
            p.mtuPayload = unsigned(maxSectorsForMtu(p.localMtu)) * unsigned(SectorSize);
            p.usablePayload = std::min(p.advertisedPayload, p.mtuPayload);
            result->paths.push_back(std::move(p));
        }

        int tryTimeoutMs(const ProbedPath &p) const
        {
            // Eight round trips, at least 50 ms, at most the per-question timeout.
            return std::min(std::max(int(p.rttUs / 1000) * 8 + 50, 50), options.timeoutMs);
        }

        // Sends `frame` (tag at bytes 20-23 already set to t) up to twice and
        // waits for the ATA answer from the path. Null when none came.
        std::unique_ptr<Answer> ask(const ProbedPath &p, std::span<const std::uint8_t> frame,
                                    std::uint32_t t, int timeoutMs)
        {
            const std::size_t link = linkOf(p);
            std::unique_ptr<Answer> got;
            for (int attempt = 0; attempt < 2 && !got; ++attempt) {
                if (!send(link, frame))
                    return nullptr;
                const std::int64_t deadline = monotonicUs() + std::int64_t(timeoutMs) * 1000;
                wait(deadline, [&](Answer &a) {
                    if (a.link != link || a.frame.header.tag != t || a.frame.header.source != p.mac)
                        return false;
                    // Moving the vector keeps its buffer: the frame's spans stay valid.
                    got = std::make_unique<Answer>(std::move(a));
                    return true;
                });
            }
            return got;
        }

        void identify(ProbedPath &p)
        {
            const std::uint32_t t = tag();
            std::uint8_t frame[MinFrameSize + 16] = {};
            const std::size_t n = buildIdentifyRequest(frame, links[linkOf(p)].io->info().mac,
                                                       p.mac, options.shelf, options.slot, t);
            const auto a = ask(p, { frame, n }, t, options.timeoutMs);
            if (!a) {
                p.identifyError = "no answer to IDENTIFY within " + secondsText(options.timeoutMs);
                return;
            }
            if (a->parse != ParseError::Ok) {
                p.identifyError =
                    std::string("malformed IDENTIFY answer: ") + parseErrorText(a->parse);
                return;
            }
            if (a->frame.header.isError()) {
                p.identifyError = std::string("IDENTIFY answered with AoE error: ")
                    + errorCodeName(a->frame.header.errorCode());
                return;
            }
            if (a->frame.kind != FrameKind::Ata) {
                p.identifyError = "IDENTIFY answered with another command";
                return;
            }
            if (a->frame.ata.cmdStatus & Ata::StatusFailureMask) {
                p.identifyError = "IDENTIFY failed (ATA status "
                    + formatByte(a->frame.ata.cmdStatus) + ", error "
                    + formatByte(a->frame.ata.errFeature) + ")";
                return;
            }
            if (a->frame.data.size() < Ata::IdentifySize) {
                p.identifyError = "IDENTIFY answer carries " + std::to_string(a->frame.data.size())
                    + " bytes, not 512";
                return;
            }
            p.identify = Ata::parseIdentify(a->frame.data.first<Ata::IdentifySize>());
            p.identified = true;
        }

        // Does a frame carrying `payload` bytes reach the target?
        bool toTarget(const ProbedPath &p, unsigned payload)
        {
            const std::uint32_t t = tag();
            std::vector<std::uint8_t> padding(payload, 0);
            std::vector<std::uint8_t> frame(AtaHeaderSize + payload + MinFrameSize);
            const std::size_t n =
                buildIdentifyRequest(frame, links[linkOf(p)].io->info().mac, p.mac, options.shelf,
                                     options.slot, t, padding);
            return n && ask(p, { frame.data(), n }, t, tryTimeoutMs(p)) != nullptr;
        }

        // Does a response carrying `payload` bytes come back? (READ at LBA 0)
        // -1: cannot tell (the device is smaller, or refuses to read).
        int fromTarget(const ProbedPath &p, unsigned payload)
        {
            const unsigned sectors = payload / unsigned(SectorSize);
            if (!p.identified || p.identify.sectors < sectors)
                return -1;
            const std::uint32_t t = tag();
            AtaArg ata;
            ata.sectorCount = std::uint8_t(sectors);
            if (p.identify.lba48) {
                ata.aflags = AtaFlagExtended;
                ata.cmdStatus = Ata::CmdReadSectorsExt;
            } else {
                ata.cmdStatus = Ata::CmdReadSectors;
                ata.lba = 0xE0ull << 24; // LBA mode, device 0
            }
            std::uint8_t frame[MinFrameSize + 16] = {};
            const std::size_t n = buildAta(frame, request(linkOf(p), p.mac, Command::Ata, t), ata);
            const auto a = ask(p, { frame, n }, t, tryTimeoutMs(p));
            if (!a)
                return 0;
            if (a->parse != ParseError::Ok || a->frame.header.isError()
                || (a->frame.ata.cmdStatus & Ata::StatusFailureMask))
                return -1;
            return a->frame.data.size() >= payload ? 1 : 0;
        }

        void measurePayload(ProbedPath &p)
        {
            p.payloadMeasured = true;
            bool replyUnknown = false;
            for (unsigned size = p.usablePayload; size >= SectorSize;
                 size -= unsigned(SectorSize)) {
                if (!toTarget(p, size))
                    continue;
                const int back = fromTarget(p, size);
                if (back == 0)
                    continue;
                replyUnknown = back < 0;
                p.largestPayload = size;
                break;
            }
            if (p.usablePayload < SectorSize) {
                p.warnings.push_back("the MTU of " + p.interface + " (" + std::to_string(p.localMtu)
                                     + ") is too small for one 512-byte sector per frame");
                return;
            }
            if (p.largestPayload == 0) {
                p.warnings.push_back("no test frame got through, not even with 512 bytes, "
                                     "though the target answered IDENTIFY");
                return;
            }
            p.payloadBothWays = !replyUnknown;
            if (replyUnknown)
                p.warnings.push_back(
                    p.identify.sectors * SectorSize < p.largestPayload
                        ? "only the way to the target was measured: the device is smaller than "
                          "one test frame"
                        : "only the way to the target was measured: the target would not read "
                          "sector 0");
            if (p.largestPayload < p.usablePayload)
                p.warnings.push_back(
                    "only " + std::to_string(p.largestPayload) + "-byte payloads get through, "
                    + "though both ends allow " + std::to_string(p.usablePayload)
                    + ": something in between (a switch, a bridge, the target's interface) has a "
                      "smaller MTU, and the Linux driver would stall on retransmissions");
        }

        void checkPath(ProbedPath &p)
        {
            if (p.bufferCount < 2)
                p.warnings.push_back("buffer count " + std::to_string(p.bufferCount)
                                     + ": the Linux aoe driver refuses targets with fewer than 2");
            if (p.aoeVersion != ProtocolVersion)
                p.warnings.push_back("the Query Config answer carries AoE version "
                                     + std::to_string(p.aoeVersion) + ", not 1");
            if (p.mtuPayload < p.advertisedPayload)
                p.warnings.push_back("the MTU of " + p.interface + " (" + std::to_string(p.localMtu)
                                     + ") carries " + std::to_string(p.mtuPayload) + " of the "
                                     + std::to_string(p.advertisedPayload)
                                     + " bytes per frame the target takes: raise it for jumbo "
                                       "frames");
        }

        void comparePaths()
        {
            const ProbedPath *first = nullptr;
            for (const ProbedPath &p : result->paths) {
                if (!p.identified)
                    continue;
                if (!first) {
                    first = &p;
                    continue;
                }
                if (p.identify.serial != first->identify.serial
                    || p.identify.sectors != first->identify.sectors)
                    result->warnings.push_back(
                        "address conflict: two devices answer as " + result->name() + ": serial \""
                        + first->identify.serial + "\" (" + std::to_string(first->identify.sectors)
                        + " sectors) at " + formatMac(first->mac) + " on "
                        + first->interface + " and serial \"" + p.identify.serial + "\" ("
                        + std::to_string(p.identify.sectors) + " sectors) at " + formatMac(p.mac)
                        + " on " + p.interface + "; writing to either corrupts the other");
            }
            unsigned lo = ~0u, hi = 0;
            for (const ProbedPath &p : result->paths) {
                const unsigned v = p.largestPayload ? p.largestPayload : p.usablePayload;
                lo = std::min(lo, v);
                hi = std::max(hi, v);
            }
            if (result->paths.size() > 1 && lo != hi)
                result->warnings.push_back("the paths carry different payloads ("
                                           + std::to_string(lo) + " to " + std::to_string(hi)
                                           + " bytes): the Linux driver uses the smallest");
        }

        const ProbeOptions &options;
        ProbeResult *result;
        std::vector<Link> links;
        std::size_t current = 0;
        std::vector<Answer> pending;
        std::uint32_t nextTag = 0;
        std::string malformed;
        std::size_t extraPaths = 0;
    };

} // namespace

bool probeTarget(const ProbeOptions &options, ProbeResult *result, Error *error)
{
    Prober prober(options, result);
    return prober.run(error);
}

} // namespace Etherdisk
