// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
//
// The engine's control plane: the public API, the I/O loop, adding and
// removing exports, interfaces coming and going, status and events. Frames
// are handled in engineprotocol.cpp, disk I/O in enginediskio.cpp.

#include "etherdisk/engine.h"

#include "engineprivate.h"

#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <fcntl.h>
#include <linux/fs.h>
#include <linux/magic.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/timerfd.h>

namespace Etherdisk {

using namespace Aoe;

namespace {

    std::string hostName()
    {
        char buf[256] = {};
        if (gethostname(buf, sizeof buf - 1) != 0)
            return "localhost";
        return buf;
    }

    // A serial unique per export and host: "<shelf>.<slot>-<hash of host+path>".
    std::string derivedSerial(const ExportConfig &c)
    {
        std::uint32_t h = 2166136261u; // FNV-1a
        for (const char ch : hostName() + "\n" + c.path) {
            h ^= std::uint8_t(ch);
            h *= 16777619u;
        }
        char hex[9];
        std::snprintf(hex, sizeof hex, "%08x", h);
        std::string s = std::to_string(c.shelf) + "." + std::to_string(c.slot) + "-" + hex;
        return s.substr(0, Ata::SerialLength);
    }

} // namespace

const char *eventTypeName(EngineEvent::Type type)
{
    switch (type) {
    case EngineEvent::Type::ExportAdded:
        return "export-added";
    case EngineEvent::Type::ExportRemoved:
        return "export-removed";
    case EngineEvent::Type::InterfaceDown:
        return "interface-down";
    case EngineEvent::Type::InterfaceUp:
        return "interface-up";
    case EngineEvent::Type::BackingFailed:
        return "backing-failed";
    case EngineEvent::Type::BackingRecovered:
        return "backing-recovered";
    case EngineEvent::Type::ConfigStringChanged:
        return "config-string-changed";
    case EngineEvent::Type::MacMaskChanged:
        return "mac-mask-changed";
    case EngineEvent::Type::ReservationChanged:
        return "reservation-changed";
    case EngineEvent::Type::ClientAppeared:
        return "client-appeared";
    case EngineEvent::Type::StateWarning:
        return "state-warning";
    }
    return "unknown";
}

Engine::Private::Private()
{
    scratch.resize(65536 + 64);
    controlFd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    eventFd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    aioReady = aio.init(1024, &aioNote);
}

Engine::Private::~Private()
{
    exports.clear();
    retired.clear();
    if (controlFd >= 0)
        ::close(controlFd);
    if (eventFd >= 0)
        ::close(eventFd);
    if (epollFd >= 0)
        ::close(epollFd);
    if (timerFd >= 0)
        ::close(timerFd);
}

void Engine::Private::runOnLoop(const std::function<void()> &f)
{
    if (!running || std::this_thread::get_id() == loopThread) {
        f();
        return;
    }
    std::mutex doneMutex;
    std::condition_variable doneCv;
    bool done = false;
    {
        std::lock_guard lock(controlMutex);
        controlQueue.push_back([&] {
            f();
            std::lock_guard l(doneMutex);
            done = true;
            doneCv.notify_one();
        });
    }
    const std::uint64_t one = 1;
    [[maybe_unused]] ssize_t ignored = ::write(controlFd, &one, sizeof one);
    std::unique_lock lock(doneMutex);
    doneCv.wait(lock, [&] { return done; });
}

void Engine::Private::emit(EngineEvent::Type type, const Export *exp, std::string message,
                           const std::string &iface)
{
    EngineEvent ev;
    ev.type = type;
    if (exp) {
        ev.shelf = exp->cfg.shelf;
        ev.slot = exp->cfg.slot;
    }
    ev.interface = iface;
    ev.message = std::move(message);
    if (options.onEvent)
        options.onEvent(ev);
    {
        std::lock_guard lock(eventMutex);
        events.push_back(std::move(ev));
    }
    const std::uint64_t one = 1;
    [[maybe_unused]] ssize_t ignored = ::write(eventFd, &one, sizeof one);
}

// --- exports and interfaces --------------------------------------------------

bool Engine::Private::updateFilter(Iface *iface, std::string *error)
{
    PacketFilter filter;
    filter.direction = PacketFilter::Direction::Requests;
    for (const Export *e : iface->exports)
        filter.addresses.push_back({ e->cfg.shelf, e->cfg.slot });
    return iface->io->setFilter(filter, error);
}

Iface *Engine::Private::acquireIface(const std::string &name, Error *error)
{
    auto &entry = ifaces[name];
    if (!entry) {
        entry = std::make_unique<Iface>();
        entry->name = name;
    }
    Iface *iface = entry.get();
    if (iface->io)
        return iface;
    std::string why;
    PacketFilter filter; // tightened by updateFilter once the export is attached
    filter.addresses.push_back({ BroadcastShelf, BroadcastSlot });
    iface->io = PacketIo::open(name, filter, &why);
    if (!iface->io) {
        *error = makeError(packetOpenErrorKind(why), why);
        return nullptr;
    }
    iface->info = iface->io->info();
    iface->up = iface->info.up;
    iface->maxSectors = maxSectorsForMtu(iface->info.mtu);
    if (iface->maxSectors == 0)
        iface->maxSectors = 1;
    if (epollFd >= 0) {
        epoll_event ev{};
        ev.events = EPOLLIN;
        ev.data.ptr = iface;
        ::epoll_ctl(epollFd, EPOLL_CTL_ADD, iface->io->fd(), &ev);
        // Responses waiting for a full link: drain() sends them (closing the
        // handle removes it from the epoll set).
        ::epoll_ctl(epollFd, EPOLL_CTL_ADD, iface->io->txFd(), &ev);
    }
    return iface;
}

bool Engine::Private::attach(Export *exp, Iface *iface, std::string *error)
{
    iface->exports.push_back(exp);
    iface->byAddress[(std::uint32_t(exp->cfg.shelf) << 8) | exp->cfg.slot] = exp;
    if (updateFilter(iface, error))
        return true;
    detach(exp, iface);
    return false;
}

void Engine::Private::detach(Export *exp, Iface *iface)
{
    auto it = std::find(iface->exports.begin(), iface->exports.end(), exp);
    if (it != iface->exports.end())
        iface->exports.erase(it);
    iface->byAddress.erase((std::uint32_t(exp->cfg.shelf) << 8) | exp->cfg.slot);
    std::string ignored;
    if (iface->io && !iface->exports.empty())
        updateFilter(iface, &ignored);
    releaseIface(iface);
}

void Engine::Private::releaseIface(Iface *iface)
{
    if (!iface->exports.empty() || !iface->io)
        return;
    flushAll();
    if (epollFd >= 0)
        ::epoll_ctl(epollFd, EPOLL_CTL_DEL, iface->io->fd(), nullptr);
    iface->io.reset();
}

bool Engine::Private::addExport(const ExportConfig &config, Error *error)
{
    std::string why;
    if (!validateExport(config, &why)) {
        *error = makeError(ErrorKind::InvalidArgument, why);
        return false;
    }
    for (const auto &e : exports) {
        if (e->cfg.shelf != config.shelf || e->cfg.slot != config.slot)
            continue;
        for (const std::string &i : config.interfaces) {
            if (std::find(e->cfg.interfaces.begin(), e->cfg.interfaces.end(), i)
                != e->cfg.interfaces.end()) {
                *error = makeError(ErrorKind::AddressInUse,
                                   config.name() + " is already exported on " + i + " (from "
                                       + e->cfg.path + ")");
                return false;
            }
        }
    }
    auto exp = std::make_unique<Export>();
    exp->cfg = config;
    exp->cfg.fd = -1;
    if (!openBacking(exp.get(), error))
        return false;
    // From here on the caller's fd is no longer needed: we hold our own.
    exp->serial = config.serial.empty() ? derivedSerial(config) : config.serial;
    Ata::IdentifyInfo id;
    id.sectors = exp->sectors;
    id.model = config.model.empty() ? DefaultModel : config.model;
    id.serial = exp->serial;
    id.firmware = FirmwareString;
    Ata::buildIdentify(exp->identify, id);

    std::string stateNote;
    if (!exp->state.load(options.stateDir, config, &stateNote))
        emit(EngineEvent::Type::StateWarning, exp.get(), stateNote);

    std::vector<Iface *> attached;
    for (const std::string &name : config.interfaces) {
        Iface *iface = acquireIface(name, error);
        if (iface && !attach(exp.get(), iface, &why)) {
            *error = makeError(ErrorKind::Failed, why);
            iface = nullptr;
        }
        if (!iface) {
            for (Iface *a : attached)
                detach(exp.get(), a);
            return false;
        }
        attached.push_back(iface);
    }
    exp->ifaces = attached;
    Export *raw = exp.get();
    exports.push_back(std::move(exp));
    for (Iface *iface : raw->ifaces)
        advertise(raw, iface);
    flushAll();
    emit(EngineEvent::Type::ExportAdded, raw,
         raw->cfg.name() + " serving " + (raw->cfg.path.empty() ? "a passed file" : raw->cfg.path)
             + " (" + std::to_string(raw->sectors) + " sectors, "
             + writeModeName(raw->cfg.writeMode) + (raw->cfg.readOnly ? ", read-only" : "") + ")");
    return true;
}

bool Engine::Private::removeExport(std::uint16_t shelf, std::uint8_t slot, Error *error)
{
    auto it = std::find_if(exports.begin(), exports.end(), [&](const auto &e) {
        return e->cfg.shelf == shelf && e->cfg.slot == slot;
    });
    if (it == exports.end()) {
        *error = makeError(ErrorKind::NotFound, targetName(shelf, slot) + " is not exported");
        return false;
    }
    Export *exp = it->get();
    submitPending(); // requests staged in this pass count as in flight
    for (Iface *iface : exp->ifaces)
        detach(exp, iface);
    exp->removed = true;
    const std::string name = exp->cfg.name();
    emit(EngineEvent::Type::ExportRemoved, exp, name + " no longer exported");
    if (exp->busy())
        retired.push_back(std::move(*it));
    exports.erase(it);
    return true;
}

void Engine::Private::retireDone()
{
    retired.erase(
        std::remove_if(retired.begin(), retired.end(), [](const auto &e) { return !e->busy(); }),
        retired.end());
}

void Engine::Private::advertise(Export *exp, Iface *iface)
{
    if (!iface->io || !iface->up)
        return;
    // An unsolicited Query Config response (tag 0) lets initiators find us
    // without polling; unicast to each allowed MAC when a mask is set, as
    // vblade does, so masked-out hosts do not even see us.
    Header h;
    h.source = iface->info.mac;
    h.flags = FlagResponse;
    h.shelf = exp->cfg.shelf;
    h.slot = exp->cfg.slot;
    h.command = std::uint8_t(Command::QueryConfig);
    h.tag = 0;
    ConfigArg c;
    c.bufferCount = exp->cfg.bufferCount;
    c.firmwareVersion = FirmwareVersion;
    c.sectorCount = iface->maxSectors;
    c.configString = exp->state.configString;
    std::vector<MacAddress> targets = exp->state.macMask;
    if (targets.empty())
        targets.push_back(BroadcastMac);
    for (const MacAddress &dst : targets) {
        h.destination = dst;
        const std::size_t n = buildConfig(scratch, h, c);
        queueFrame(iface, { scratch.data(), n });
    }
}

void Engine::Private::ifaceFailed(Iface *iface, const std::string &why)
{
    if (epollFd >= 0 && iface->io)
        ::epoll_ctl(epollFd, EPOLL_CTL_DEL, iface->io->fd(), nullptr);
    iface->io.reset();
    const bool wasUp = iface->up;
    iface->up = false;
    iface->lastError = why;
    if (wasUp)
        for (Export *e : iface->exports)
            emit(EngineEvent::Type::InterfaceDown, e,
                 e->cfg.name() + ": stopped serving on " + iface->name + ": " + why, iface->name);
}

void Engine::Private::checkInterfaces()
{
    for (auto &[name, ifacePtr] : ifaces) {
        Iface *iface = ifacePtr.get();
        if (iface->exports.empty())
            continue;
        InterfaceInfo info;
        std::string why;
        const bool exists = queryInterface(name, &info, &why);
        if (!exists || !info.up) {
            if (iface->up || iface->io) {
                const std::string reason = exists ? "link is down" : why;
                if (!iface->up) { // opened while down: just drop the handle
                    if (epollFd >= 0 && iface->io)
                        ::epoll_ctl(epollFd, EPOLL_CTL_DEL, iface->io->fd(), nullptr);
                    iface->io.reset();
                } else {
                    ifaceFailed(iface, reason);
                }
            }
            continue;
        }
        // Up. Reopen when the handle was lost (interface removed and re-created,
        // or a receive error), and follow index and MTU changes.
        const bool recreated = iface->io && info.index != iface->info.index;
        if (recreated) {
            ifaceFailed(iface, "interface was re-created");
        } else if (iface->io && !iface->io->receivesMtu(info.mtu)) {
            ifaceFailed(iface, "MTU raised to " + std::to_string(info.mtu) + ", reopening");
        }
        if (!iface->io) {
            Error err;
            if (!acquireIface(name, &err))
                continue;
            std::string ignored;
            updateFilter(iface, &ignored);
        }
        const bool mtuChanged = info.mtu != iface->info.mtu;
        // A new MAC: the kernel filter accepts frames to our own MAC only, so
        // it must follow, and initiators learn the new one from an advertisement.
        const bool macChanged = info.mac != iface->info.mac;
        if (macChanged && !iface->io->refreshInfo(&why)) {
            ifaceFailed(iface, why);
            continue;
        }
        iface->info = info;
        iface->maxSectors = std::max<std::uint8_t>(1, maxSectorsForMtu(info.mtu));
        if (macChanged && iface->up && !mtuChanged) // else advertised below
            for (Export *e : iface->exports)
                advertise(e, iface);
        if (!iface->up || mtuChanged) {
            iface->up = true;
            for (Export *e : iface->exports) {
                emit(EngineEvent::Type::InterfaceUp, e,
                     e->cfg.name() + ": serving on " + name + " (MTU " + std::to_string(info.mtu)
                         + ")",
                     name);
                advertise(e, iface);
            }
        }
    }
}

void Engine::Private::persistState(Export *exp)
{
    std::string why;
    if (!exp->state.save(options.stateDir, exp->cfg, &why))
        emit(EngineEvent::Type::StateWarning, exp,
             exp->cfg.name() + ": state not saved (kept in memory): " + why);
}

ExportStatus Engine::Private::statusOf(const Export &e) const
{
    ExportStatus s;
    s.config = e.cfg;
    s.sectors = e.sectors;
    s.serial = e.serial;
    s.requests = e.requests;
    s.bytesRead = e.bytesRead;
    s.bytesWritten = e.bytesWritten;
    s.errors = e.errors;
    s.dropped = e.dropped;
    const std::int64_t now = realtimeMs();
    for (const auto &[key, c] : e.clients) {
        s.clients.push_back(c);
        if (now - c.lastSeenMs < CurrentClientWindowMs)
            ++s.currentClients;
    }
    std::sort(s.clients.begin(), s.clients.end(),
              [](const ClientStats &a, const ClientStats &b) { return a.mac < b.mac; });
    s.configString.assign(e.state.configString.begin(), e.state.configString.end());
    s.macMask = e.state.macMask;
    s.reservations = e.state.reservations;
    s.backingOk = e.backingOk;
    s.backingError = e.backingError;
    for (const Iface *i : e.ifaces)
        s.interfaces.push_back({ i->name, i->up && i->io != nullptr, i->info.mtu, i->maxSectors });
    return s;
}

void Engine::Private::loop()
{
    epoll_event ready[64];
    while (!stopRequested) {
        const int n = ::epoll_wait(epollFd, ready, 64, -1);
        if (n < 0 && errno != EINTR)
            break;
        for (int i = 0; i < n; ++i) {
            void *tag = ready[i].data.ptr;
            if (tag == &controlFd) {
                std::uint64_t v;
                [[maybe_unused]] ssize_t ignored = ::read(controlFd, &v, sizeof v);
                std::deque<std::function<void()>> work;
                {
                    std::lock_guard lock(controlMutex);
                    work.swap(controlQueue);
                }
                for (auto &f : work)
                    f();
            } else if (tag == &timerFd) {
                std::uint64_t v;
                [[maybe_unused]] ssize_t ignored = ::read(timerFd, &v, sizeof v);
                checkInterfaces();
                reopenBacking();
            } else if (tag != &aio) {
                drain(static_cast<Iface *>(tag));
            }
        }
        submitPending();
        reapCompletions();
        flushAll();
    }
}

// --- Engine ------------------------------------------------------------------------

Engine::Engine(Options options) : d(std::make_unique<Private>())
{
    d->options = std::move(options);
}

Engine::~Engine()
{
    stop();
}

bool Engine::addExport(const ExportConfig &config, Error *error)
{
    bool ok = false;
    d->runOnLoop([&] { ok = d->addExport(config, error); });
    return ok;
}

bool Engine::removeExport(std::uint16_t shelf, std::uint8_t slot, Error *error)
{
    bool ok = false;
    d->runOnLoop([&] { ok = d->removeExport(shelf, slot, error); });
    return ok;
}

std::vector<ExportStatus> Engine::status()
{
    std::vector<ExportStatus> out;
    d->runOnLoop([&] {
        for (const auto &e : d->exports)
            out.push_back(d->statusOf(*e));
    });
    return out;
}

bool Engine::start(Error *error)
{
    if (d->running)
        return true;
    if (!d->aioReady || d->controlFd < 0 || d->eventFd < 0) {
        *error = makeError(ErrorKind::Failed, "cannot set up the engine: " + d->aioNote);
        return false;
    }
    d->epollFd = ::epoll_create1(EPOLL_CLOEXEC);
    d->timerFd = ::timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    if (d->epollFd < 0 || d->timerFd < 0) {
        *error = makeError(ErrorKind::Failed,
                           std::string("cannot set up the engine: ") + std::strerror(errno));
        return false;
    }
    itimerspec its{};
    its.it_interval.tv_sec = 1;
    its.it_value.tv_sec = 1;
    ::timerfd_settime(d->timerFd, 0, &its, nullptr);
    auto watch = [&](int fd, void *tag) {
        epoll_event ev{};
        ev.events = EPOLLIN;
        ev.data.ptr = tag;
        ::epoll_ctl(d->epollFd, EPOLL_CTL_ADD, fd, &ev);
    };
    watch(d->controlFd, &d->controlFd);
    watch(d->timerFd, &d->timerFd);
    {
        epoll_event ev{};
        ev.events = EPOLLIN | EPOLLET;
        ev.data.ptr = &d->aio;
        ::epoll_ctl(d->epollFd, EPOLL_CTL_ADD, d->aio.fd(), &ev);
    }
    for (auto &[name, iface] : d->ifaces) {
        if (iface->io) {
            watch(iface->io->fd(), iface.get());
            watch(iface->io->txFd(), iface.get());
        }
    }
    d->stopRequested = false;
    d->running = true;
    d->thread = std::thread([this] {
        d->loopThread = std::this_thread::get_id();
        d->aio.prepareThread(256);
        d->loop();
    });
    return true;
}

void Engine::stop()
{
    if (!d->running)
        return;
    d->runOnLoop([this] { d->stopRequested = true; });
    d->thread.join();
    d->running = false;
    // Let in-flight I/O finish so that no acknowledged state is left behind.
    while (!d->retired.empty()
           || std::any_of(d->exports.begin(), d->exports.end(),
                          [](const auto &e) { return e->busy(); })) {
        d->reapCompletions();
        d->flushAll();
        if (d->retired.empty()
            && std::none_of(d->exports.begin(), d->exports.end(),
                            [](const auto &e) { return e->busy(); }))
            break;
        ::usleep(1000);
    }
}

int Engine::eventFd() const
{
    return d->eventFd;
}

std::vector<EngineEvent> Engine::takeEvents()
{
    std::uint64_t v;
    [[maybe_unused]] ssize_t ignored = ::read(d->eventFd, &v, sizeof v);
    std::lock_guard lock(d->eventMutex);
    std::vector<EngineEvent> out;
    out.swap(d->events);
    return out;
}

bool Engine::usingIoUring() const
{
    return d->aio.usingIoUring();
}

} // namespace Etherdisk
