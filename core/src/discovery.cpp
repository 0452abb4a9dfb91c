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
#include <sys/epoll.h>
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
    // What one path's IDENTIFY said; a target whose paths disagree is two devices.
    struct PathIdentity
    {
        bool known = false;
        std::string serial;
        std::uint64_t sectors = 0;
        std::int64_t askedMono = 0;
    };
    struct Entry
    {
        DiscoveredTarget target;
        std::int64_t lastSeenMono = 0;
        std::vector<PathIdentity> identities; // parallel to target.paths
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
    bool started = false;
    std::uint32_t pollSeq = 0;
    std::uint32_t identifySeq = 0;
    std::map<std::uint32_t, Entry> entries;
    std::map<std::uint32_t, PendingIdentify> pendingIdentify; // by tag
    std::map<std::string, MalformedReply> malformedReplies; // by iface/mac/address
    std::vector<DiscoveryEvent> events;
    std::vector<std::uint8_t> buffer = std::vector<std::uint8_t>(2048);

    ~Private()
    {
        if (epollFd >= 0)
            ::close(epollFd);
        if (timerFd >= 0)
            ::close(timerFd);
    }

    void emit(DiscoveryEvent::Type type, const DiscoveredTarget &target, std::string message)
    {
        events.push_back({ type, target, std::move(message), realtimeMs() });
    }

    void sendConfigQuery(Link &link, const MacAddress &dst, std::uint16_t shelf, std::uint8_t slot)
    {
        Header h;
        h.destination = dst;
        h.source = link.io->info().mac;
        h.shelf = shelf;
        h.slot = slot;
        h.command = std::uint8_t(Command::QueryConfig);
        h.tag = UserTagBit | PollTagBit | (++pollSeq & 0x3FFFFFFFu);
        const std::size_t n = buildConfig(buffer, h, ConfigArg{});
        link.io->queue({ buffer.data(), n });
    }

    void sendIdentify(Link &link, std::uint32_t key, const MacAddress &mac)
    {
        Header h;
        h.destination = mac;
        h.source = link.io->info().mac;
        h.shelf = std::uint16_t(key >> 8);
        h.slot = std::uint8_t(key & 0xFF);
        h.command = std::uint8_t(Command::Ata);
        h.tag = UserTagBit | (++identifySeq & 0x3FFFFFFFu);
        AtaArg a;
        a.sectorCount = 1;
        a.cmdStatus = Ata::CmdIdentifyDevice;
        const std::size_t n = buildAta(buffer, h, a);
        link.io->queue({ buffer.data(), n });
        pendingIdentify[h.tag] = { key, link.name, mac, monotonicMs() };
        if (pendingIdentify.size() > 4096) // answers that never came
            pendingIdentify.erase(pendingIdentify.begin());
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
        for (Link &link : links)
            sendConfigQuery(link, BroadcastMac, BroadcastShelf, BroadcastSlot);
        // IDENTIFY paths that have not answered it yet.
        for (auto &[key, e] : entries) {
            for (std::size_t i = 0; i < e.target.paths.size(); ++i) {
                PathIdentity &id = e.identities[i];
                if (id.known || now - id.askedMono < options.intervalMs)
                    continue;
                if (Link *link = linkNamed(e.target.paths[i].interface)) {
                    id.askedMono = now;
                    sendIdentify(*link, key, e.target.paths[i].mac);
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

    void checkLoss()
    {
        const std::int64_t now = monotonicMs();
        const std::int64_t lostAfter = std::int64_t(options.intervalMs) * options.missedPolls;
        for (auto it = entries.begin(); it != entries.end();) {
            Entry &e = it->second;
            const std::int64_t silent = now - e.lastSeenMono;
            if (e.target.state == DiscoveredTarget::State::Online && silent > lostAfter) {
                e.target.state = DiscoveredTarget::State::Lost;
                char secs[32];
                std::snprintf(secs, sizeof secs, "%.1f", double(silent) / 1000.0);
                emit(DiscoveryEvent::Type::Lost, e.target,
                     e.target.name() + " lost: no answer for " + secs + " s");
            }
            if (e.target.state == DiscoveredTarget::State::Lost && options.removeAfterMs > 0
                && silent > options.removeAfterMs) {
                emit(DiscoveryEvent::Type::Removed, e.target, e.target.name() + " forgotten");
                it = entries.erase(it);
                continue;
            }
            ++it;
        }
    }

    void noteMalformed(const Link &link, const Header &h, const std::string &reason)
    {
        const std::string id =
            link.name + "/" + formatMac(h.source) + "/" + targetName(h.shelf, h.slot);
        MalformedReply &m = malformedReplies[id];
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
            emit(DiscoveryEvent::Type::Malformed, t,
                 "malformed reply from " + formatMac(h.source) + " on " + link.name + " claiming "
                     + targetName(h.shelf, h.slot) + ": " + reason + " (not trusted)");
        }
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
        auto [it, inserted] = entries.try_emplace(key);
        Entry &e = it->second;
        DiscoveredTarget &t = e.target;
        if (inserted) {
            t.shelf = h.shelf;
            t.slot = h.slot;
            t.firstSeenMs = real;
        }
        auto path = std::find_if(t.paths.begin(), t.paths.end(), [&](const TargetPath &p) {
            return p.interface == link.name && p.mac == h.source;
        });
        const bool newPath = path == t.paths.end();
        if (newPath) {
            t.paths.push_back({});
            e.identities.push_back({});
            path = t.paths.end() - 1;
            path->interface = link.name;
            path->mac = h.source;
        }
        const std::string config(f.config.configString.begin(), f.config.configString.end());
        const unsigned sectors =
            std::min<unsigned>(f.config.maxSectors(), maxSectorsForMtu(link.io->info().mtu));
        const bool changed = !newPath
            && (path->configString != config || path->bufferCount != f.config.bufferCount
                || path->firmwareVersion != f.config.firmwareVersion
                || path->maxSectors != f.config.maxSectors());
        path->bufferCount = f.config.bufferCount;
        path->firmwareVersion = f.config.firmwareVersion;
        path->maxSectors = f.config.maxSectors();
        path->payloadBytes = sectors * unsigned(SectorSize);
        path->configString = config;
        path->lastSeenMs = real;
        t.lastSeenMs = real;
        e.lastSeenMono = mono;

        if (inserted) {
            emit(DiscoveryEvent::Type::Added, t,
                 t.name() + " found at " + formatMac(h.source) + " on " + link.name);
        } else if (t.state == DiscoveredTarget::State::Lost) {
            t.state = DiscoveredTarget::State::Online;
            emit(DiscoveryEvent::Type::Recovered, t, t.name() + " answers again");
        } else if (newPath) {
            emit(DiscoveryEvent::Type::Changed, t,
                 t.name() + ": new path " + formatMac(h.source) + " on " + link.name);
        } else if (changed && !t.conflict) {
            // (With a conflict, two devices' answers alternate: no news.)
            emit(DiscoveryEvent::Type::Changed, t, t.name() + ": configuration changed");
        }
        PathIdentity &id = e.identities[std::size_t(path - t.paths.begin())];
        if (!id.known && mono - id.askedMono >= options.intervalMs) {
            id.askedMono = mono;
            sendIdentify(link, key, h.source);
        }
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
        auto it = entries.find(p.key);
        if (it == entries.end())
            return;
        Entry &e = it->second;
        DiscoveredTarget &t = e.target;
        auto path = std::find_if(t.paths.begin(), t.paths.end(), [&](const TargetPath &tp) {
            return tp.interface == link.name && tp.mac == f.header.source;
        });
        if (path == t.paths.end())
            return;
        const Ata::IdentifyInfo info = Ata::parseIdentify(f.data.first<Ata::IdentifySize>());
        PathIdentity &id = e.identities[std::size_t(path - t.paths.begin())];
        if (!id.known) {
            id.known = true;
            id.serial = info.serial;
            id.sectors = info.sectors;
        }
        if (!t.identified) {
            t.identified = true;
            t.sectors = info.sectors;
            t.model = info.model;
            t.serial = info.serial;
            t.firmware = info.firmware;
            t.lba48 = info.lba48;
            t.flushCache = info.flushCache;
            emit(DiscoveryEvent::Type::Changed, t,
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
            emit(DiscoveryEvent::Type::Conflict, t, t.conflictDetail);
        }
    }

    static void onFrameThunk(void *ctx, std::span<const std::uint8_t> frame);
    Link *current = nullptr;

    void onFrame(Link &link, std::span<const std::uint8_t> bytes)
    {
        Frame f;
        const ParseError e = parseFrame(bytes, &f);
        if (e == ParseError::FrameTooShort || e == ParseError::NotAoe || !f.header.isResponse())
            return;
        if (e != ParseError::Ok) {
            // vblade's startup advertisement is a version-0 Config response
            // with tag 0: ask that target properly instead of distrusting it.
            if (e == ParseError::UnsupportedVersion && f.header.tag == 0
                && f.header.command == std::uint8_t(Command::QueryConfig)) {
                sendConfigQuery(link, f.header.source, f.header.shelf, f.header.slot);
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
        if (!started) {
            started = true;
            pollNow();
        }
        std::uint64_t expirations = 0;
        if (::read(timerFd, &expirations, sizeof expirations) == sizeof expirations
            && expirations) {
            checkLoss();
            pollNow();
        }
        for (Link &link : links) {
            current = &link;
            std::string ignored;
            int n;
            while ((n = link.io->receive(256, &Private::onFrameThunk, this, &ignored)) == 256) { }
        }
        current = nullptr;
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
    std::unique_ptr<Discovery> disc(new Discovery);
    Private &p = *disc->d;
    p.options = options;
    p.epollFd = ::epoll_create1(EPOLL_CLOEXEC);
    p.timerFd = ::timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    if (p.epollFd < 0 || p.timerFd < 0) {
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
    return out;
}

std::vector<DiscoveredTarget> Discovery::targets() const
{
    std::vector<DiscoveredTarget> out;
    for (const auto &[key, e] : d->entries)
        out.push_back(e.target);
    return out; // ordered by shelf, then slot (the map's key)
}

std::vector<MalformedReply> Discovery::malformed() const
{
    std::vector<MalformedReply> out;
    for (const auto &[id, m] : d->malformedReplies)
        out.push_back(m);
    return out;
}

} // namespace Etherdisk
