// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later

#include "etherdisk/discovery.h"
#include "etherdisk/util.h"

#include "etherdisk/ata.h"
#include "etherdisk/packetio.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <map>
#include <limits>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

namespace Etherdisk {

using namespace Aoe;

namespace {

    std::uint32_t addressKey(std::uint16_t shelf, std::uint8_t slot)
    {
        return (std::uint32_t(shelf) << 8) | slot;
    }

    // Tags: bit 31 (userland), bit 30 set for broadcast polls, clear for IDENTIFY.
    constexpr std::uint32_t PollTagBit = 0x40000000u;
    constexpr std::uint32_t SequenceMask = 0x3FFFFFFFu;

    // 12345 -> "12,345"
    std::string groupDigits(std::uint64_t n)
    {
        std::string digits = std::to_string(n), out;
        for (std::size_t i = 0; i < digits.size(); ++i) {
            if (i && (digits.size() - i) % 3 == 0)
                out += ',';
            out += digits[i];
        }
        return out;
    }

    std::string secondsText(std::int64_t ms)
    {
        char text[32];
        std::snprintf(text, sizeof text, "%.1f", double(ms) / 1000.0);
        return text;
    }

} // namespace

std::string DiscoveredTarget::name() const
{
    return targetName(shelf, slot);
}

const char *discoveryEventName(DiscoveryEvent::Type type)
{
    switch (type) {
    case DiscoveryEvent::Type::Added:
        return "added";
    case DiscoveryEvent::Type::Changed:
        return "changed";
    case DiscoveryEvent::Type::Lost:
        return "lost";
    case DiscoveryEvent::Type::Recovered:
        return "recovered";
    case DiscoveryEvent::Type::Removed:
        return "removed";
    case DiscoveryEvent::Type::Conflict:
        return "conflict";
    case DiscoveryEvent::Type::Malformed:
        return "malformed";
    case DiscoveryEvent::Type::Suppressed:
        return "suppressed";
    case DiscoveryEvent::Type::Overflow:
        return "overflow";
    }
    return "unknown";
}

struct Discovery::Private
{
    struct Link
    {
        std::string name;
        std::unique_ptr<PacketIo> io;
    };
    // One (interface, MAC) that answers for an address. Listed once proven.
    struct Path
    {
        TargetPath info;
        bool proven = false; // answered one of our IDENTIFYs
        bool solicited = false; // has answered one of our broadcast polls
        // What its IDENTIFY said; a target whose paths disagree is two devices.
        bool identityKnown = false;
        std::string serial;
        std::uint64_t sectors = 0;
        std::int64_t askedMono = std::numeric_limits<std::int64_t>::min() / 2;
        std::int64_t firstMono = 0;
        std::int64_t lastMono = 0;
    };
    struct Entry
    {
        DiscoveredTarget target; // `paths` left empty: see published()
        std::vector<Path> paths;
        bool proven = false;
        std::int64_t firstMono = 0;
        std::int64_t lastSeenMono = 0; // proven: from proven paths only
        bool solicited = false; // candidates: a path answered one of our polls
        std::uint64_t order = 0; // candidates: key in candidateOrder
    };
    struct PendingIdentify
    {
        std::uint32_t key;
        std::string interface;
        MacAddress mac;
        std::int64_t sentMono;
    };

    Options options;
    std::vector<Link> links;
    int epollFd = -1;
    int timerFd = -1;
    int moreFd = -1; // eventfd: frames were left over by process()
    bool started = false;
    std::uint32_t pollSeq = 0;
    std::uint32_t identifySeq = 0;
    std::uint32_t recentPollTags[2] = {}; // the last two broadcast polls' tags
    std::map<std::uint32_t, Entry> entries; // proven targets and candidates
    std::size_t provenCount = 0;
    // Candidates, least recently heard first: [0] only advertised, [1]
    // answered one of our polls. Evicted from [0] first, so that a flood of
    // forged advertisements cannot push out a target that answers polls
    // before its IDENTIFY answer is in.
    std::map<std::uint64_t, std::uint32_t> candidateOrder[2];
    std::uint64_t orderSeq = 0;
    std::map<std::uint32_t, PendingIdentify> pendingIdentify; // by tag
    std::map<std::string, MalformedReply> malformedReplies; // by iface/mac/address
    std::vector<DiscoveryEvent> events;
    std::uint64_t droppedSinceTake = 0;
    int identifyBudget = 0;
    int unsolicitedBudget = 0;
    std::int64_t noiseWindowStart = 0; // 0: no window open
    int noiseReported = 0;
    std::uint64_t noiseSuppressed = 0;
    std::size_t nextLink = 0;
    Counters counters;
    std::vector<std::uint8_t> buffer = std::vector<std::uint8_t>(2048);

    ~Private()
    {
        for (int fd : { epollFd, timerFd, moreFd })
            if (fd >= 0)
                ::close(fd);
    }

    const Options::Limits &limits() const { return options.limits; }
    std::int64_t lostAfterMs() const
    {
        return std::int64_t(options.intervalMs) * options.missedPolls;
    }
    std::int64_t unprovenMs() const
    {
        return limits().unprovenMs > 0
            ? limits().unprovenMs
            : std::int64_t(options.intervalMs) * (options.missedPolls + 1);
    }

    // What the owner sees: only proven paths.
    static DiscoveredTarget published(const Entry &e)
    {
        DiscoveredTarget t = e.target;
        t.paths.clear();
        for (const Path &p : e.paths)
            if (p.proven)
                t.paths.push_back(p.info);
        return t;
    }

    void push(DiscoveryEvent event)
    {
        if (events.size() >= limits().events) {
            ++counters.eventsDropped;
            ++droppedSinceTake;
            return;
        }
        events.push_back(std::move(event));
    }

    void emit(DiscoveryEvent::Type type, const Entry &e, std::string message)
    {
        push({ type, published(e), std::move(message), realtimeMs(), 1 });
    }

    void refillBudgets()
    {
        identifyBudget = limits().identifiesPerInterval;
        unsolicitedBudget = limits().unsolicitedPerInterval;
    }

    bool spend(bool solicited)
    {
        int &budget = solicited ? identifyBudget : unsolicitedBudget;
        if (budget <= 0) {
            ++counters.questionsDeferred;
            return false;
        }
        --budget;
        return true;
    }

    bool isOurPoll(std::uint32_t tag) const
    {
        return tag != 0 && (tag == recentPollTags[0] || tag == recentPollTags[1]);
    }

    void sendConfigQuery(Link &link, const MacAddress &dst, std::uint16_t shelf, std::uint8_t slot,
                         std::uint32_t tag)
    {
        const std::size_t n =
            buildQueryConfigRequest(buffer, link.io->info().mac, dst, shelf, slot, tag);
        link.io->queue({ buffer.data(), n });
    }

    // False when over the budget: the path is asked at a later poll.
    bool sendIdentify(Link &link, std::uint32_t key, const MacAddress &mac, bool solicited)
    {
        if (!spend(solicited))
            return false;
        const std::uint32_t tag = UserTagBit | (++identifySeq & SequenceMask);
        const std::size_t n =
            buildIdentifyRequest(buffer, link.io->info().mac, mac, std::uint16_t(key >> 8),
                                 std::uint8_t(key & 0xFF), tag);
        link.io->queue({ buffer.data(), n });
        if (pendingIdentify.size() >= limits().pendingIdentify) {
            // The oldest question: tags count up (until they wrap after 2^30).
            pendingIdentify.erase(pendingIdentify.begin());
            ++counters.identifyEvicted;
        }
        pendingIdentify[tag] = { key, link.name, mac, monotonicMs() };
        return true;
    }

    Link *linkNamed(const std::string &name)
    {
        for (Link &l : links)
            if (l.name == name)
                return &l;
        return nullptr;
    }

    void pollNow()
    {
        const std::int64_t now = monotonicMs();
        // A question stays open for two intervals: every device that answers
        // it is compared (two targets behind one MAC answer the same tag).
        for (auto it = pendingIdentify.begin(); it != pendingIdentify.end();)
            it = now - it->second.sentMono > 2 * options.intervalMs ? pendingIdentify.erase(it)
                                                                    : std::next(it);
        const std::uint32_t tag = UserTagBit | PollTagBit | (++pollSeq & SequenceMask);
        recentPollTags[1] = recentPollTags[0];
        recentPollTags[0] = tag;
        for (Link &link : links)
            sendConfigQuery(link, BroadcastMac, BroadcastShelf, BroadcastSlot, tag);
        // IDENTIFY again the paths whose answer did not come or said
        // nothing: proven ones, and candidates that answered a poll (one
        // that only advertised is asked when it answers this poll).
        for (auto &[key, e] : entries) {
            for (Path &p : e.paths) {
                if (p.identityKnown || !(p.proven || p.solicited)
                    || now - p.askedMono < options.intervalMs)
                    continue;
                if (Link *link = linkNamed(p.info.interface)) {
                    if (sendIdentify(*link, key, p.info.mac, true))
                        p.askedMono = now;
                }
            }
        }
        flush();
    }

    void flush()
    {
        for (Link &link : links) {
            std::string ignored;
            link.io->flush(&ignored);
        }
    }

    std::map<std::uint32_t, Entry>::iterator erase(std::map<std::uint32_t, Entry>::iterator it)
    {
        if (it->second.proven)
            --provenCount;
        else
            forgetOrder(it->second);
        return entries.erase(it);
    }

    void forgetOrder(const Entry &e) { candidateOrder[e.solicited ? 1 : 0].erase(e.order); }

    void touchCandidate(std::uint32_t key, Entry &e, bool solicited)
    {
        forgetOrder(e);
        e.solicited = e.solicited || solicited;
        e.order = ++orderSeq;
        candidateOrder[e.solicited ? 1 : 0].emplace(e.order, key);
    }

    // Timer work, once per poll interval.
    void checkTimers()
    {
        const std::int64_t now = monotonicMs();
        const std::int64_t lostAfter = lostAfterMs();
        const std::int64_t unproven = unprovenMs();
        for (auto it = entries.begin(); it != entries.end();) {
            Entry &e = it->second;
            if (!e.proven) {
                if (now - e.firstMono > unproven) {
                    ++counters.candidatesExpired;
                    it = erase(it);
                } else {
                    ++it;
                }
                continue;
            }
            const std::size_t before = e.paths.size();
            std::erase_if(e.paths,
                          [&](const Path &p) { return !p.proven && now - p.firstMono > unproven; });
            counters.pathsExpired += before - e.paths.size();
            const std::int64_t silent = now - e.lastSeenMono;
            // Checked on poll ticks, a few milliseconds after the answer to
            // the poll of M intervals ago would have come: compared with
            // half an interval to spare, so that a tick processed a little
            // late does not declare the target lost one poll early (after
            // M - 1 unanswered polls).
            if (e.target.state == DiscoveredTarget::State::Online
                && silent > lostAfter + options.intervalMs / 2) {
                e.target.state = DiscoveredTarget::State::Lost;
                emit(DiscoveryEvent::Type::Lost, e,
                     e.target.name() + " lost: no answer for " + secondsText(silent) + " s");
            }
            if (e.target.state == DiscoveredTarget::State::Lost && options.removeAfterMs > 0
                && silent > options.removeAfterMs) {
                emit(DiscoveryEvent::Type::Removed, e, e.target.name() + " forgotten");
                it = erase(it);
                continue;
            }
            ++it;
        }
    }

    // Ends the noise window once it is over, with one summary of what it left out.
    void closeNoiseWindow(std::int64_t now)
    {
        if (noiseWindowStart == 0 || now - noiseWindowStart < limits().noiseWindowMs)
            return;
        if (noiseSuppressed > 0) {
            DiscoveryEvent e{
                DiscoveryEvent::Type::Suppressed, {}, {}, realtimeMs(), noiseSuppressed
            };
            e.message = "... and " + groupDigits(noiseSuppressed)
                + " more malformed replies in the last " + secondsText(now - noiseWindowStart)
                + " s, not reported one by one";
            push(std::move(e));
        }
        noiseWindowStart = 0;
        noiseReported = 0;
        noiseSuppressed = 0;
    }

    void reportNoise(DiscoveryEvent event)
    {
        const std::int64_t now = monotonicMs();
        closeNoiseWindow(now);
        if (noiseWindowStart == 0)
            noiseWindowStart = now;
        if (noiseReported < limits().noiseEvents) {
            ++noiseReported;
            push(std::move(event));
        } else {
            ++noiseSuppressed;
            ++counters.eventsSuppressed;
        }
    }

    void noteMalformed(const Link &link, const Header &h, const std::string &reason)
    {
        ++counters.malformedReplies;
        const std::string id =
            link.name + "/" + formatMac(h.source) + "/" + targetName(h.shelf, h.slot);
        auto it = malformedReplies.find(id);
        if (it == malformedReplies.end()) {
            if (malformedReplies.size() >= limits().malformed) {
                auto oldest = std::min_element(malformedReplies.begin(), malformedReplies.end(),
                                               [](const auto &a, const auto &b) {
                                                   return a.second.lastSeenMs < b.second.lastSeenMs;
                                               });
                malformedReplies.erase(oldest);
                ++counters.malformedEvicted;
            }
            it = malformedReplies.try_emplace(id).first;
        }
        MalformedReply &m = it->second;
        const bool first = m.count == 0 || m.reason != reason;
        m.interface = link.name;
        m.mac = h.source;
        m.shelf = h.shelf;
        m.slot = h.slot;
        m.reason = reason;
        ++m.count;
        m.lastSeenMs = realtimeMs();
        if (first) {
            DiscoveredTarget t;
            t.shelf = h.shelf;
            t.slot = h.slot;
            reportNoise({ DiscoveryEvent::Type::Malformed, t,
                          "malformed reply from " + formatMac(h.source) + " on " + link.name
                              + " claiming " + targetName(h.shelf, h.slot) + ": " + reason
                              + " (not trusted)",
                          realtimeMs(), 1 });
        }
    }

    // A full path table: makes room for a new path (true) or not (false).
    bool makeRoomForPath(Entry &e, std::int64_t now)
    {
        std::size_t proven = 0;
        for (const Path &p : e.paths)
            proven += p.proven;
        auto victim = e.paths.end();
        for (auto p = e.paths.begin(); p != e.paths.end(); ++p) {
            if (!p->proven && (victim == e.paths.end() || p->lastMono < victim->lastMono))
                victim = p;
        }
        if (victim == e.paths.end() && proven > 1) {
            for (auto p = e.paths.begin(); p != e.paths.end(); ++p)
                if (now - p->lastMono > lostAfterMs()
                    && (victim == e.paths.end() || p->lastMono < victim->lastMono))
                    victim = p;
        }
        if (victim == e.paths.end())
            return false;
        const Path gone = *victim;
        e.paths.erase(victim);
        ++counters.pathsEvicted;
        if (gone.proven)
            emit(DiscoveryEvent::Type::Changed, e,
                 e.target.name() + ": path " + formatMac(gone.info.mac) + " on "
                     + gone.info.interface + " forgotten (silent; room for a new path)");
        return true;
    }

    void onConfig(Link &link, const Frame &f)
    {
        const Header &h = f.header;
        if (h.shelf == BroadcastShelf || h.slot == BroadcastSlot) {
            noteMalformed(link, h, "a reply must carry the target's own address, not a wildcard");
            return;
        }
        const std::uint32_t key = addressKey(h.shelf, h.slot);
        const std::int64_t mono = monotonicMs();
        const std::int64_t real = realtimeMs();
        const bool solicited = isOurPoll(h.tag);
        auto it = entries.find(key);
        if (it == entries.end()) {
            if (entries.size() - provenCount >= limits().candidates) {
                const auto &order = candidateOrder[candidateOrder[0].empty() ? 1 : 0];
                erase(entries.find(order.begin()->second));
                ++counters.candidatesEvicted;
            }
            it = entries.try_emplace(key).first;
            Entry &fresh = it->second;
            fresh.target.shelf = h.shelf;
            fresh.target.slot = h.slot;
            fresh.target.firstSeenMs = real;
            fresh.firstMono = mono;
        }
        Entry &e = it->second;
        DiscoveredTarget &t = e.target;
        if (!e.proven) {
            touchCandidate(key, e, solicited);
            e.lastSeenMono = mono;
            t.lastSeenMs = real;
        }
        auto path = std::find_if(e.paths.begin(), e.paths.end(), [&](const Path &p) {
            return p.info.interface == link.name && p.info.mac == h.source;
        });
        const bool newPath = path == e.paths.end();
        if (newPath) {
            if (e.paths.size() >= limits().pathsPerTarget && !makeRoomForPath(e, mono)) {
                ++counters.pathsDropped;
                return;
            }
            e.paths.emplace_back();
            path = e.paths.end() - 1;
            path->info.interface = link.name;
            path->info.mac = h.source;
            path->firstMono = mono;
        }
        TargetPath &info = path->info;
        const std::string config(f.config.configString.begin(), f.config.configString.end());
        const unsigned sectors =
            std::min<unsigned>(f.config.maxSectors(), maxSectorsForMtu(link.io->info().mtu));
        const bool changed = !newPath
            && (info.configString != config || info.bufferCount != f.config.bufferCount
                || info.firmwareVersion != f.config.firmwareVersion
                || info.maxSectors != f.config.maxSectors());
        info.bufferCount = f.config.bufferCount;
        info.firmwareVersion = f.config.firmwareVersion;
        info.maxSectors = f.config.maxSectors();
        info.payloadBytes = sectors * unsigned(SectorSize);
        info.configString = config;
        info.lastSeenMs = real;
        path->lastMono = mono;
        path->solicited = path->solicited || solicited;

        if (path->proven) {
            // Only a proven path keeps a proven target online.
            t.lastSeenMs = real;
            e.lastSeenMono = mono;
            if (t.state == DiscoveredTarget::State::Lost) {
                t.state = DiscoveredTarget::State::Online;
                emit(DiscoveryEvent::Type::Recovered, e, t.name() + " answers again");
            } else if (changed && !t.conflict) {
                // (With a conflict, two devices' answers alternate: no news.)
                emit(DiscoveryEvent::Type::Changed, e, t.name() + ": configuration changed");
            }
        }
        if (!path->identityKnown && mono - path->askedMono >= options.intervalMs
            && sendIdentify(link, key, h.source, solicited || path->proven))
            path->askedMono = mono;
    }

    // The path answered our IDENTIFY: list it (and its target). False when
    // the target cannot be listed (the table is full of online targets);
    // it is then forgotten.
    bool prove(std::map<std::uint32_t, Entry>::iterator it, Path &path, const Link &link)
    {
        Entry &e = it->second;
        DiscoveredTarget &t = e.target;
        const std::int64_t mono = monotonicMs();
        path.proven = true;
        path.lastMono = mono;
        t.lastSeenMs = path.info.lastSeenMs = realtimeMs();
        e.lastSeenMono = mono;
        const std::string where = formatMac(path.info.mac) + " on " + link.name;
        if (e.proven) {
            if (t.state == DiscoveredTarget::State::Lost) {
                t.state = DiscoveredTarget::State::Online;
                emit(DiscoveryEvent::Type::Recovered, e, t.name() + " answers again");
            } else {
                emit(DiscoveryEvent::Type::Changed, e, t.name() + ": new path " + where);
            }
            return true;
        }
        if (provenCount >= limits().targets) {
            auto victim = entries.end();
            for (auto v = entries.begin(); v != entries.end(); ++v)
                if (v->second.proven && v->second.target.state == DiscoveredTarget::State::Lost
                    && (victim == entries.end()
                        || v->second.lastSeenMono < victim->second.lastSeenMono))
                    victim = v;
            if (victim == entries.end()) {
                ++counters.targetsDropped;
                erase(it);
                return false;
            }
            emit(DiscoveryEvent::Type::Removed, victim->second,
                 victim->second.target.name() + " forgotten: lost, and room was needed for "
                     + t.name());
            erase(victim);
            ++counters.targetsEvicted;
        }
        forgetOrder(e);
        e.proven = true;
        ++provenCount;
        t.state = DiscoveredTarget::State::Online;
        emit(DiscoveryEvent::Type::Added, e, t.name() + " found at " + where);
        return true;
    }

    void onIdentify(Link &link, const Frame &f)
    {
        auto pending = pendingIdentify.find(f.header.tag);
        if (pending == pendingIdentify.end())
            return; // someone else's, or a late duplicate
        const PendingIdentify p = pending->second;
        if (p.mac != f.header.source || p.interface != link.name
            || addressKey(f.header.shelf, f.header.slot) != p.key)
            return; // not the answer to our question
        auto it = entries.find(p.key);
        if (it == entries.end())
            return; // forgotten meanwhile
        Entry &e = it->second;
        DiscoveredTarget &t = e.target;
        auto path = std::find_if(e.paths.begin(), e.paths.end(), [&](const Path &tp) {
            return tp.info.interface == link.name && tp.info.mac == f.header.source;
        });
        if (path == e.paths.end())
            return;
        // Any answer to our question proves the device is there, a failed
        // command included.
        if (!path->proven && !prove(it, *path, link))
            return;
        if (f.header.isError() || (f.ata.cmdStatus & Ata::StatusFailureMask)) {
            noteMalformed(link, f.header,
                          "IDENTIFY failed (ATA status " + formatByte(f.ata.cmdStatus) + ")");
            return;
        }
        if (f.data.size() < Ata::IdentifySize) {
            noteMalformed(link, f.header,
                          "IDENTIFY answer carries " + std::to_string(f.data.size())
                              + " bytes, not 512");
            return;
        }
        const Ata::IdentifyInfo info = Ata::parseIdentify(f.data.first<Ata::IdentifySize>());
        if (!path->identityKnown) {
            path->identityKnown = true;
            path->serial = info.serial;
            path->sectors = info.sectors;
        }
        if (!t.identified) {
            t.identified = true;
            t.sectors = info.sectors;
            t.model = info.model;
            t.serial = info.serial;
            t.firmware = info.firmware;
            t.lba48 = info.lba48;
            t.flushCache = info.flushCache;
            emit(DiscoveryEvent::Type::Changed, e,
                 t.name() + ": " + t.model + ", " + std::to_string(t.sectors) + " sectors, serial "
                     + t.serial);
            return;
        }
        if (!t.conflict && (info.serial != t.serial || info.sectors != t.sectors)) {
            t.conflict = true;
            t.conflictDetail = "two devices answer as " + t.name() + ": serial \"" + t.serial
                + "\" (" + std::to_string(t.sectors) + " sectors) and serial \"" + info.serial
                + "\" (" + std::to_string(info.sectors) + " sectors) at "
                + formatMac(f.header.source) + " on " + link.name
                + "; writing to either corrupts the other";
            emit(DiscoveryEvent::Type::Conflict, e, t.conflictDetail);
        }
    }

    static void onFrameThunk(void *ctx, std::span<const std::uint8_t> frame);
    Link *current = nullptr;

    void onFrame(Link &link, std::span<const std::uint8_t> bytes)
    {
        ++counters.frames;
        Frame f;
        const ParseError e = parseFrame(bytes, &f);
        if (e == ParseError::FrameTooShort || e == ParseError::NotAoe || !f.header.isResponse())
            return;
        if (e != ParseError::Ok) {
            // vblade's startup advertisement is a version-0 Config response
            // with tag 0: ask that target properly instead of distrusting it
            // (with the current poll's tag, so that the answer counts as one
            // to our poll).
            if (e == ParseError::UnsupportedVersion && f.header.tag == 0
                && f.header.command == std::uint8_t(Command::QueryConfig)) {
                if (spend(false))
                    sendConfigQuery(link, f.header.source, f.header.shelf, f.header.slot,
                                    recentPollTags[0]);
                return;
            }
            noteMalformed(link, f.header, parseErrorText(e));
            return;
        }
        if (f.header.isError())
            return; // an error answer tells nothing about the target's identity
        if (f.kind == FrameKind::QueryConfig)
            onConfig(link, f);
        else if (f.kind == FrameKind::Ata && f.ata.cmdStatus != 0)
            onIdentify(link, f);
    }

    void process()
    {
        std::uint64_t value = 0;
        const ssize_t cleared = ::read(moreFd, &value, sizeof value); // empty is fine
        (void)cleared;
        if (!started) {
            started = true;
            pollNow();
        }
        std::uint64_t expirations = 0;
        if (::read(timerFd, &expirations, sizeof expirations) == sizeof expirations
            && expirations) {
            refillBudgets();
            checkTimers();
            pollNow();
        }
        closeNoiseWindow(monotonicMs());
        // At most framesPerProcess frames, the interfaces taking turns at
        // going first.
        int budget = limits().framesPerProcess;
        for (std::size_t i = 0; i < links.size() && budget > 0; ++i) {
            Link &link = links[(nextLink + i) % links.size()];
            current = &link;
            std::string ignored;
            const int n = link.io->receive(budget, &Private::onFrameThunk, this, &ignored);
            if (n > 0)
                budget -= n;
        }
        current = nullptr;
        nextLink = (nextLink + 1) % links.size();
        if (budget == 0) {
            // Frames may be left: stay readable so that the owner calls again.
            ++counters.batchesCut;
            value = 1;
            const ssize_t written = ::write(moreFd, &value, sizeof value);
            (void)written; // fails only when it is readable already
        }
        flush(); // IDENTIFY and unicast queries sent while receiving
    }
};

void Discovery::Private::onFrameThunk(void *ctx, std::span<const std::uint8_t> frame)
{
    auto *self = static_cast<Private *>(ctx);
    self->onFrame(*self->current, frame);
}

Discovery::Discovery() : d(std::make_unique<Private>()) { }

Discovery::~Discovery() = default;

std::unique_ptr<Discovery> Discovery::open(const Options &options, std::string *error)
{
    if (options.interfaces.empty()) {
        *error = "no network interface to discover on";
        return nullptr;
    }
    if (options.intervalMs < 100 || options.missedPolls < 1) {
        *error = "the poll interval must be at least 100 ms and at least one missed poll must mark "
                 "a target lost";
        return nullptr;
    }
    const Options::Limits &l = options.limits;
    if (l.targets < 1 || l.candidates < 1 || l.pathsPerTarget < 1 || l.malformed < 1
        || l.pendingIdentify < 1 || l.events < 1 || l.framesPerProcess < 1
        || l.identifiesPerInterval < 1 || l.unsolicitedPerInterval < 1 || l.noiseEvents < 1
        || l.noiseWindowMs < 1 || l.unprovenMs < 0) {
        *error = "every discovery limit must be at least 1 (unprovenMs: 0 for the default)";
        return nullptr;
    }
    std::unique_ptr<Discovery> disc(new Discovery);
    Private &p = *disc->d;
    p.options = options;
    p.epollFd = ::epoll_create1(EPOLL_CLOEXEC);
    p.timerFd = ::timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    p.moreFd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (p.epollFd < 0 || p.timerFd < 0 || p.moreFd < 0) {
        *error = std::string("cannot set up discovery: ") + std::strerror(errno);
        return nullptr;
    }
    itimerspec its{};
    its.it_interval.tv_sec = options.intervalMs / 1000;
    its.it_interval.tv_nsec = long(options.intervalMs % 1000) * 1000000;
    its.it_value = its.it_interval;
    ::timerfd_settime(p.timerFd, 0, &its, nullptr);
    epoll_event ev{};
    ev.events = EPOLLIN;
    ::epoll_ctl(p.epollFd, EPOLL_CTL_ADD, p.timerFd, &ev);
    ::epoll_ctl(p.epollFd, EPOLL_CTL_ADD, p.moreFd, &ev);
    p.refillBudgets();
    PacketFilter filter;
    filter.direction = PacketFilter::Direction::Responses;
    for (const std::string &name : options.interfaces) {
        std::string why;
        auto io = PacketIo::open(name, filter, &why);
        if (!io) {
            *error = why;
            return nullptr;
        }
        ::epoll_ctl(p.epollFd, EPOLL_CTL_ADD, io->fd(), &ev);
        p.links.push_back({ name, std::move(io) });
    }
    return disc;
}

int Discovery::fd() const
{
    return d->epollFd;
}

void Discovery::process()
{
    d->process();
}

void Discovery::pollNow()
{
    d->started = true;
    d->pollNow();
}

std::vector<DiscoveryEvent> Discovery::takeEvents()
{
    std::vector<DiscoveryEvent> out;
    out.swap(d->events);
    if (d->droppedSinceTake > 0) {
        DiscoveryEvent e{
            DiscoveryEvent::Type::Overflow, {}, {}, realtimeMs(), d->droppedSinceTake
        };
        e.message = groupDigits(d->droppedSinceTake) + " events dropped: more than "
            + groupDigits(d->options.limits.events)
            + " waited to be taken; the target list has the current state";
        out.push_back(std::move(e));
        d->droppedSinceTake = 0;
    }
    return out;
}

std::vector<DiscoveredTarget> Discovery::targets() const
{
    std::vector<DiscoveredTarget> out;
    for (const auto &[key, e] : d->entries)
        if (e.proven)
            out.push_back(Private::published(e));
    return out; // ordered by shelf, then slot (the map's key)
}

bool Discovery::target(std::uint16_t shelf, std::uint8_t slot, DiscoveredTarget *out) const
{
    const auto it = d->entries.find(addressKey(shelf, slot));
    if (it == d->entries.end() || !it->second.proven)
        return false;
    *out = Private::published(it->second);
    return true;
}

Discovery::Counters Discovery::counters() const
{
    Counters c = d->counters;
    c.targets = d->provenCount;
    c.candidates = d->entries.size() - d->provenCount;
    for (const auto &[key, e] : d->entries)
        c.paths += e.paths.size();
    c.pendingIdentify = d->pendingIdentify.size();
    c.malformed = d->malformedReplies.size();
    c.queuedEvents = d->events.size();
    return c;
}

std::vector<MalformedReply> Discovery::malformed() const
{
    std::vector<MalformedReply> out;
    for (const auto &[id, m] : d->malformedReplies)
        out.push_back(m);
    return out;
}

} // namespace Etherdisk
