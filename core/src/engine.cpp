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
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sys/socket.h>

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
    case EngineEvent::Type::ExportChanged:
        return "export-changed";
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
    case EngineEvent::Type::WireChangeRefused:
        return "wire-change-refused";
    case EngineEvent::Type::ClientAppeared:
        return "client-appeared";
    case EngineEvent::Type::ClientsSummary:
        return "clients-summary";
    case EngineEvent::Type::StateWarning:
        return "state-warning";
    case EngineEvent::Type::EventsDropped:
        return "events-dropped";
    case EngineEvent::Type::LoopFailed:
        return "loop-failed";
    }
    return "unknown";
}

Engine::Private::Private()
{
    scratch.resize(65536 + 64);
    controlFd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    eventFd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    aioReady = aio.init(1024, &aioNote);
    stateWriter = std::make_unique<StateWriter>(
        [this](const std::string &path, std::uint64_t seq, bool ok, const std::string &why) {
            // On the writer thread: handled on the loop, as everything else.
            postToLoop([this, path, seq, ok, why] { stateWritten(path, seq, ok, why); });
        });
}

Engine::Private::~Private()
{
    stateWriter.reset(); // writes what is pending
    if (aio.failure()) {
        // io_uring failed with operations still in the kernel, which may yet
        // write into their buffers: leak those rather than free them.
        // (Kept reachable from a static list, so leak checkers see why.)
        static auto *kept = new std::vector<void *>; // never destroyed
        for (auto &r : requestStore)
            kept->push_back(r.release());
        for (auto &o : opStore)
            kept->push_back(o.release());
        for (auto *list : { &exports, &retired })
            for (auto &e : *list)
                kept->push_back(e.release());
    }
    exports.clear();
    retired.clear();
    for (int fd : { controlFd, eventFd, epollFd, timerFd, netlinkFd })
        if (fd >= 0)
            ::close(fd);
}

void Engine::Private::runOnLoop(const std::function<void()> &f)
{
    if (running && std::this_thread::get_id() == loopThread.load()) {
        f();
        return;
    }
    std::mutex doneMutex;
    std::condition_variable doneCv;
    bool done = false;
    for (;;) {
        {
            std::lock_guard lock(controlMutex);
            if (running && !loopDead) {
                controlQueue.push_back([&] {
                    f();
                    std::lock_guard l(doneMutex);
                    done = true;
                    doneCv.notify_one();
                });
                break;
            }
        }
        // No loop to ask: run it here, one caller at a time. start() holds
        // directMutex while it brings the loop up, so check again under it.
        std::lock_guard direct(directMutex);
        {
            std::lock_guard lock(controlMutex);
            if (running && !loopDead)
                continue; // it came up meanwhile: queue instead
        }
        f();
        return;
    }
    const std::uint64_t one = 1;
    [[maybe_unused]] ssize_t ignored = ::write(controlFd, &one, sizeof one);
    std::unique_lock lock(doneMutex);
    doneCv.wait(lock, [&] { return done; });
}

void Engine::Private::postToLoop(std::function<void()> f)
{
    for (;;) {
        {
            std::lock_guard lock(controlMutex);
            if (running && !loopDead) {
                controlQueue.push_back(std::move(f));
                break;
            }
        }
        std::lock_guard direct(directMutex);
        {
            std::lock_guard lock(controlMutex);
            if (running && !loopDead)
                continue;
        }
        f();
        return;
    }
    const std::uint64_t one = 1;
    [[maybe_unused]] ssize_t ignored = ::write(controlFd, &one, sizeof one);
}

void Engine::Private::emit(EngineEvent::Type type, const Export *exp, std::string message,
                           const std::string &iface, const MacAddress *mac, int errorNumber,
                           std::uint64_t count)
{
    EngineEvent ev;
    ev.type = type;
    if (exp) {
        ev.shelf = exp->cfg.shelf;
        ev.slot = exp->cfg.slot;
    }
    ev.interface = iface;
    if (mac)
        ev.mac = *mac;
    ev.errorNumber = errorNumber;
    ev.count = count;
    ev.timeMs = realtimeMs();
    ev.message = std::move(message);
    if (options.onEvent)
        options.onEvent(ev);
    {
        std::lock_guard lock(eventMutex);
        if (events.size() >= MaxQueuedEvents) {
            ++eventsDropped;
            ++droppedSinceNotice;
            return; // the owner hears of it with its next takeEvents()
        }
        events.push_back(std::move(ev));
    }
    const std::uint64_t one = 1;
    [[maybe_unused]] ssize_t ignored = ::write(eventFd, &one, sizeof one);
}

void Engine::Private::failLoop(const char *what, int errorNumber)
{
    loopFailed = true;
    stopRequested = true;
    emit(EngineEvent::Type::LoopFailed, nullptr,
         std::string("the I/O loop stopped: ") + what + ": " + std::strerror(errorNumber)
             + "; nothing is served until the engine is restarted",
         {}, nullptr, errorNumber);
}

// --- housekeeping --------------------------------------------------------------------
//
// The timer runs only while something waits for it: a backing store to
// reopen, an interface to retry, a summary of suppressed events to send.
// Otherwise an idle engine wakes for nothing.

std::string Engine::Private::windowText() const
{
    const std::int64_t ms = options.noiseWindowMs;
    if (ms == 60000)
        return "minute";
    return ms % 1000 == 0 ? std::to_string(ms / 1000) + " s" : std::to_string(ms) + " ms";
}

bool Engine::Private::timerWanted() const
{
    if (netlinkFd < 0) // links are only seen by looking, once a second
        for (const auto &[name, iface] : ifaces)
            if (!iface->exports.empty())
                return true;
    for (const auto &e : exports) {
        if (e->reopenWanted || e->clientEvents.suppressed || e->wireEvents.suppressed)
            return true;
    }
    for (const auto &[name, iface] : ifaces)
        if (!iface->exports.empty() && (!iface->up || !iface->io))
            return true;
    return false;
}

void Engine::Private::updateTimer()
{
    if (timerFd < 0)
        return;
    const bool want = timerWanted();
    if (want == timerArmed)
        return;
    itimerspec its{};
    if (want) {
        its.it_interval.tv_sec = 1;
        its.it_value.tv_sec = 1;
    }
    ::timerfd_settime(timerFd, 0, &its, nullptr);
    timerArmed = want;
}

void Engine::Private::housekeeping()
{
    checkInterfaces();
    reopenBacking();
    const std::int64_t now = realtimeMs();
    for (const auto &e : exports) {
        Export *exp = e.get();
        if (const std::uint64_t n = exp->clientEvents.takeSummary(now))
            emit(EngineEvent::Type::ClientsSummary, exp,
                 exp->cfg.name() + ": ... and " + std::to_string(n)
                     + " more new clients in the last " + windowText(),
                 {}, nullptr, 0, n);
        if (const std::uint64_t n = exp->wireEvents.takeSummary(now))
            emit(EngineEvent::Type::ClientsSummary, exp,
                 exp->cfg.name() + ": ... and " + std::to_string(n)
                     + " more Mac Mask, Reserve and config string changes in the last "
                     + windowText(),
                 {}, nullptr, 0, n);
    }
}

// --- clients ---------------------------------------------------------------------------

ClientEntry *Engine::Private::clientFor(Export *exp, Iface *iface, const MacAddress &mac)
{
    const std::uint64_t key = macKey(mac);
    if (exp->clientIndex)
        if (const std::uint32_t *found = exp->clientIndex->find(key))
            return &exp->clientTable[*found];
    std::uint32_t index;
    {
        std::lock_guard lock(statusMutex);
        if (!exp->clientTable) {
            exp->clientTable = std::make_unique<ClientEntry[]>(MaxClientsPerExport);
            exp->clientIndex = std::make_unique<ClientIndex>();
        }
        if (exp->clientCount < MaxClientsPerExport) {
            index = std::uint32_t(exp->clientCount++);
        } else {
            // Full: reuse the entry heard from least recently.
            index = 0;
            std::int64_t oldest = exp->clientTable[0].lastSeenMs.load(std::memory_order_relaxed);
            for (std::uint32_t i = 1; i < MaxClientsPerExport; ++i) {
                const std::int64_t t =
                    exp->clientTable[i].lastSeenMs.load(std::memory_order_relaxed);
                if (t < oldest) {
                    oldest = t;
                    index = i;
                }
            }
            exp->clientIndex->erase(macKey(exp->clientTable[index].mac));
            exp->clientsEvicted.add();
        }
        ClientEntry &c = exp->clientTable[index];
        c.mac = mac;
        ++c.generation;
        for (Counter *n : { &c.requests, &c.bytesRead, &c.bytesWritten, &c.errors, &c.inFlight })
            n->set(0);
        c.firstSeenMs.store(passMs, std::memory_order_relaxed);
        c.lastSeenMs.store(passMs, std::memory_order_relaxed);
    }
    exp->clientIndex->insert(key, index);
    exp->clientsSeen.add();
    if (exp->clientEvents.allow(passMs))
        emit(EngineEvent::Type::ClientAppeared, exp,
             exp->cfg.name() + ": first request from " + formatMac(mac), iface->name, &mac);
    else if (exp->clientEvents.suppressed == 1)
        updateTimer(); // a summary is due when the window ends (once, not per frame)
    return &exp->clientTable[index];
}

void Engine::Private::noteWireEvent(Export *exp, EngineEvent::Type type, std::string message,
                                    const MacAddress &mac)
{
    if (exp->wireEvents.allow(passMs))
        emit(type, exp, std::move(message), {}, &mac);
    else if (exp->wireEvents.suppressed == 1)
        updateTimer();
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
    std::unique_ptr<PacketIo> io = PacketIo::open(name, filter, &why);
    if (!io) {
        *error = makeError(packetOpenErrorKind(why), why);
        std::lock_guard lock(statusMutex);
        iface->lastError = why;
        return nullptr;
    }
    {
        std::lock_guard lock(statusMutex);
        iface->io = std::move(io);
        iface->info = iface->io->info();
        iface->up = iface->info.up;
        iface->maxSectors = std::max<std::uint8_t>(1, maxSectorsForMtu(iface->info.mtu));
        iface->lastError.clear();
    }
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
    closeIo(iface);
}

// Closes the interface's packet I/O, keeping what its counters said.
void Engine::Private::closeIo(Iface *iface)
{
    if (!iface->io)
        return;
    if (epollFd >= 0) {
        ::epoll_ctl(epollFd, EPOLL_CTL_DEL, iface->io->fd(), nullptr);
        ::epoll_ctl(epollFd, EPOLL_CTL_DEL, iface->io->txFd(), nullptr);
    }
    iface->dropsCheckedMs = 0;
    refreshIfaceDrops(iface);
    const PacketIo::Counters c = iface->io->counters();
    iface->base.kernelDrops += c.kernelDrops;
    iface->base.rejected += c.rejected;
    iface->base.txDropped += c.txDropped;
    iface->sendFaultsSeen = 0; // the next handle counts from 0
    std::lock_guard lock(statusMutex);
    iface->io.reset();
}

Export *Engine::Private::findExport(std::uint16_t shelf, std::uint8_t slot) const
{
    for (const auto &e : exports)
        if (e->cfg.shelf == shelf && e->cfg.slot == slot)
            return e.get();
    return nullptr;
}

void Engine::Private::rebuildIdentify(Export *exp)
{
    Ata::IdentifyInfo id;
    id.sectors = exp->sectors;
    id.model = exp->cfg.model.empty() ? DefaultModel : exp->cfg.model;
    id.serial = exp->serial;
    id.firmware = FirmwareString;
    Ata::buildIdentify(exp->identify, id);
}

bool Engine::Private::addExport(const ExportConfig &config, Error *error)
{
    std::string why;
    if (!validateExport(config, &why)) {
        *error = makeError(ErrorKind::InvalidArgument, why);
        return false;
    }
    // One export per shelf.slot in a process, whatever the interfaces: an
    // address names exactly one disk (an initiator on two LANs would
    // otherwise see two disks as one).
    if (const Export *e = findExport(config.shelf, config.slot)) {
        std::string where;
        for (const std::string &i : e->cfg.interfaces)
            where += (where.empty() ? "" : ",") + i;
        *error = makeError(ErrorKind::AddressInUse,
                           config.name() + " is already exported on " + where + " (from "
                               + (e->cfg.path.empty() ? "a passed file" : e->cfg.path) + ")");
        return false;
    }
    auto exp = std::make_unique<Export>();
    exp->cfg = config;
    exp->clientEvents.windowMs = exp->wireEvents.windowMs =
        std::max<std::int64_t>(1, options.noiseWindowMs);
    if (!openBacking(exp.get(), error))
        return false;
    mapForReads(exp.get());
    // From here on the caller's fd is no longer needed: we hold our own.
    exp->cfg.fd = -1;
    exp->writable = !config.readOnly;
    exp->serial = config.serial.empty() ? derivedSerial(config) : config.serial;
    rebuildIdentify(exp.get());

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
    {
        std::lock_guard lock(statusMutex);
        exports.push_back(std::move(exp));
    }
    for (Iface *iface : raw->ifaces)
        advertise(raw, iface);
    flushAll();
    emit(EngineEvent::Type::ExportAdded, raw,
         raw->cfg.name() + " serving " + (raw->cfg.path.empty() ? "a passed file" : raw->cfg.path)
             + " (" + std::to_string(raw->sectors) + " sectors, "
             + writeModeName(raw->cfg.writeMode) + (raw->cfg.readOnly ? ", read-only" : "") + ")");
    updateTimer();
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
    // An export that replaces this one (a reload that changed its
    // interfaces) must not see a write of this one land after its own, nor
    // load a state file with a change still on its way: wait for both, a
    // few seconds at most (control path only; serving pauses meanwhile).
    const std::int64_t until = monotonicMs() + 5000;
    while (exp->busy() && !aio.failure() && monotonicMs() < until) {
        reapCompletions();
        if (exp->busy())
            ::usleep(100);
    }
    flushAll();
    if (!options.stateDir.empty() && running && std::this_thread::get_id() == loopThread.load())
        stateWriter->flush(); // its completions queue for the loop: no deadlock here
    exp = it->get();
    const std::string name = exp->cfg.name();
    emit(EngineEvent::Type::ExportRemoved, exp, name + " no longer exported");
    {
        std::lock_guard lock(statusMutex);
        if (exp->busy())
            retired.push_back(std::move(*it));
        exports.erase(it);
    }
    updateTimer();
    return true;
}

// Switches O_DIRECT on our own open file description (never the caller's:
// a passed descriptor is reopened through /proc/self/fd, keeping its access
// mode, so the change cannot reach the process that passed it).
bool Engine::Private::setDirect(Export *exp, bool direct, Error *error)
{
    const int accmode = exp->writable ? O_RDWR : O_RDONLY;
    const std::string self = "/proc/self/fd/" + std::to_string(exp->fd);
    const int fd = ::open(self.c_str(), accmode | O_CLOEXEC | (direct ? O_DIRECT : 0));
    if (fd < 0) {
        const int e = errno;
        *error = makeError(
            e == EINVAL ? ErrorKind::InvalidArgument : ErrorKind::Failed,
            exp->cfg.name() + ": cannot switch to write mode "
                + (direct ? "\"direct\"" : "without O_DIRECT") + ": "
                + (e == EINVAL ? "the file system does not support O_DIRECT" : std::strerror(e)));
        return false;
    }
    if (direct && !checkDirectIo(fd, exp->blockDevice, exp->cfg.name(), error)) {
        ::close(fd);
        return false;
    }
    // Requests staged with the old mode's buffers go out on the old
    // descriptor (an O_DIRECT descriptor refuses unaligned buffers); those
    // submitted keep its file, and it closes once they are done (retireDone).
    submitPending();
    exp->oldFds.push_back(exp->fd);
    exp->fd = fd;
    struct stat st
    {
    };
    exp->tryNowaitReads =
        !direct && !exp->memoryBacked && ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
    mapForReads(exp); // none in direct mode
    oldFdsWaiting = true;
    return true;
}

bool Engine::Private::updateExport(const ExportConfig &config, Error *error)
{
    Export *exp = findExport(config.shelf, config.slot);
    if (!exp) {
        *error = makeError(ErrorKind::NotFound, config.name() + " is not exported");
        return false;
    }
    std::string why;
    if (!validateExport(config, &why)) {
        *error = makeError(ErrorKind::InvalidArgument, why);
        return false;
    }
    const ExportConfig old = exp->cfg; // a copy: exp->cfg changes below
    const char *fixed = nullptr;
    if (config.path != old.path)
        fixed = "the path";
    else if (config.interfaces != old.interfaces)
        fixed = "the interfaces";
    else if (config.offset != old.offset || config.length != old.length)
        fixed = "the offset or length";
    else if (config.bufferCount != old.bufferCount)
        fixed = "the buffer count";
    if (fixed) {
        *error = makeError(ErrorKind::InvalidArgument,
                           config.name() + ": " + fixed
                               + " cannot change while serving: stop the export and start it "
                                 "again with the new settings");
        return false;
    }
    if (!config.readOnly && !exp->writable) {
        *error = makeError(ErrorKind::PermissionDenied,
                           config.name()
                               + ": the backing store was opened read-only; stop the export and "
                                 "start it again to make it writable");
        return false;
    }
    const bool wasDirect = old.writeMode == WriteMode::Direct;
    const bool direct = config.writeMode == WriteMode::Direct;
    if (wasDirect != direct && !setDirect(exp, direct, error))
        return false;
    const bool macsChanged = config.allowedMacs != old.allowedMacs;
    std::vector<std::string> what;
    if (config.readOnly != old.readOnly)
        what.push_back(config.readOnly ? "read-only" : "writable");
    if (config.writeMode != old.writeMode)
        what.push_back(std::string("write mode ") + writeModeName(config.writeMode));
    if (macsChanged)
        what.push_back("allowed MACs");
    if (config.wireAcl != old.wireAcl)
        what.push_back(std::string("wire ACL ") + wireAclName(config.wireAcl));
    if (config.model != old.model || config.serial != old.serial)
        what.push_back("model/serial");
    {
        std::lock_guard lock(statusMutex);
        const int fd = exp->cfg.fd;
        exp->cfg = config;
        exp->cfg.fd = fd;
        if (config.serial != old.serial)
            exp->serial = config.serial.empty() ? derivedSerial(config) : config.serial;
        if (macsChanged) {
            // The configuration wins over wire edits (as at startup).
            exp->state.macMask = config.allowedMacs;
            exp->state.maskSource = config.allowedMacs;
        }
    }
    rebuildIdentify(exp);
    if (macsChanged)
        persistState(exp);
    std::string list;
    for (const std::string &w : what)
        list += (list.empty() ? "" : ", ") + w;
    emit(EngineEvent::Type::ExportChanged, exp,
         exp->cfg.name() + ": settings changed" + (list.empty() ? "" : ": " + list));
    if (macsChanged)
        for (Iface *iface : exp->ifaces)
            advertise(exp, iface);
    flushAll();
    return true;
}

bool Engine::Private::clearWireState(Export *exp, unsigned what, Error *error)
{
    if ((what & ~unsigned(Engine::AllWireItems)) || what == 0) {
        *error = makeError(ErrorKind::InvalidArgument, "nothing valid to clear");
        return false;
    }
    {
        std::lock_guard lock(statusMutex);
        if (what & Engine::ConfigString)
            exp->state.configString.clear();
        if (what & Engine::MacMask) {
            exp->state.macMask = exp->cfg.allowedMacs;
            exp->state.maskSource = exp->cfg.allowedMacs;
        }
        if (what & Engine::Reservations)
            exp->state.reservations.clear();
    }
    persistState(exp);
    if (what & Engine::ConfigString)
        emit(EngineEvent::Type::ConfigStringChanged, exp,
             exp->cfg.name() + ": config string cleared by the owner");
    if (what & Engine::MacMask)
        emit(EngineEvent::Type::MacMaskChanged, exp,
             exp->cfg.name() + ": Mac Mask List reset to the configured allowed MACs");
    if (what & Engine::Reservations)
        emit(EngineEvent::Type::ReservationChanged, exp,
             exp->cfg.name() + ": reservations cleared by the owner");
    return true;
}

void Engine::Private::retireDone()
{
    oldFdsWaiting = false;
    for (const auto &e : exports) {
        if (e->oldFds.empty())
            continue;
        if (e->busy()) {
            oldFdsWaiting = true;
            continue;
        }
        for (int fd : e->oldFds)
            ::close(fd);
        e->oldFds.clear();
    }
    if (retired.empty())
        return;
    std::lock_guard lock(statusMutex);
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

// --- interfaces ----------------------------------------------------------------------
//
// A netlink socket (RTMGRP_LINK) reports every link change as it happens, in
// order: an interface that goes down and up again between two loop passes
// still produces InterfaceDown and then InterfaceUp. The housekeeping timer
// retries what netlink cannot fix (an interface that could not be reopened).

void Engine::Private::ifaceFailed(Iface *iface, const std::string &why)
{
    closeIo(iface);
    bool wasUp;
    {
        std::lock_guard lock(statusMutex);
        wasUp = iface->up;
        iface->up = false;
        iface->lastError = why;
    }
    if (wasUp)
        for (Export *e : iface->exports)
            emit(EngineEvent::Type::InterfaceDown, e,
                 e->cfg.name() + ": stopped serving on " + iface->name + ": " + why, iface->name);
    updateTimer();
}

void Engine::Private::checkInterface(Iface *iface, bool exists, bool up, const InterfaceInfo &info,
                                     const std::string &why)
{
    if (iface->exports.empty())
        return;
    if (!exists || !up) {
        const std::string reason = exists ? "link is down" : why;
        if (iface->up) {
            ifaceFailed(iface, reason);
        } else if (iface->io) { // opened while down: just drop the handle
            closeIo(iface);
            std::lock_guard lock(statusMutex);
            iface->lastError = reason;
        }
        return;
    }
    // Up. Reopen when the handle was lost (interface removed and re-created,
    // or a receive error), or when the MTU grew past what the receive ring
    // was opened for; follow index, MAC and MTU changes.
    if (iface->io && info.index != iface->info.index)
        ifaceFailed(iface, "interface was re-created");
    else if (iface->io && !iface->io->receivesMtu(info.mtu))
        ifaceFailed(iface, "MTU raised to " + std::to_string(info.mtu) + ", reopening");
    const bool wasUp = iface->up; // before acquireIface, which sets it
    if (!iface->io) {
        Error err;
        if (!acquireIface(iface->name, &err)) {
            updateTimer();
            return;
        }
        std::string ignored;
        updateFilter(iface, &ignored);
    }
    const bool mtuChanged = info.mtu != iface->info.mtu;
    // A new MAC: the kernel filter accepts frames to our own MAC only, so it
    // must follow, and initiators learn the new one from an advertisement.
    const bool macChanged = info.mac != iface->info.mac;
    std::string refreshError;
    if (macChanged && !iface->io->refreshInfo(&refreshError)) {
        ifaceFailed(iface, refreshError);
        return;
    }
    {
        std::lock_guard lock(statusMutex);
        iface->info = info;
        iface->maxSectors = std::max<std::uint8_t>(1, maxSectorsForMtu(info.mtu));
        iface->up = true;
        iface->lastError.clear();
    }
    if (macChanged && wasUp && !mtuChanged) // else advertised below
        for (Export *e : iface->exports)
            advertise(e, iface);
    if (!wasUp || mtuChanged) {
        for (Export *e : iface->exports) {
            emit(EngineEvent::Type::InterfaceUp, e,
                 e->cfg.name() + ": serving on " + iface->name + " (MTU " + std::to_string(info.mtu)
                     + ")",
                 iface->name);
            advertise(e, iface);
        }
    }
    updateTimer();
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
        checkInterface(iface, exists, exists && info.up, info, why);
    }
}

void Engine::Private::linkChanged(const std::string &name, bool exists, bool up)
{
    auto it = ifaces.find(name);
    if (it == ifaces.end() || it->second->exports.empty())
        return;
    // Up or down as the message says (later messages bring later states);
    // index, MAC and MTU as the interface has them now.
    InterfaceInfo info;
    std::string why = "no such network interface: " + name;
    if (exists && !queryInterface(name, &info, &why))
        exists = false;
    checkInterface(it->second.get(), exists, exists && up, info, why);
}

bool Engine::Private::openNetlink(Error *error)
{
    netlinkFd = ::socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, NETLINK_ROUTE);
    if (netlinkFd < 0) {
        *error = makeError(ErrorKind::Failed,
                           std::string("cannot watch network links: ") + std::strerror(errno));
        return false;
    }
    sockaddr_nl addr{};
    addr.nl_family = AF_NETLINK;
    addr.nl_groups = RTMGRP_LINK;
    if (::bind(netlinkFd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) < 0) {
        *error = makeError(ErrorKind::Failed,
                           std::string("cannot watch network links: ") + std::strerror(errno));
        ::close(netlinkFd);
        netlinkFd = -1;
        return false;
    }
    return true;
}

// The NLMSG_ and RTA_ macros walk the buffer through char pointers; the
// buffer is aligned for nlmsghdr and the kernel aligns every message and
// attribute (NLMSG_ALIGN, RTA_ALIGN), so their casts are safe.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wcast-align"
void Engine::Private::readNetlink()
{
    alignas(nlmsghdr) char buf[16384];
    for (int batch = 0; batch < 64; ++batch) { // bounded: a flapping link cannot starve serving
        const ssize_t n = ::recv(netlinkFd, buf, sizeof buf, 0);
        if (n < 0) {
            if (errno == ENOBUFS) // messages were lost: look at every interface
                checkInterfaces();
            return;
        }
        unsigned left = unsigned(n);
        for (auto *h = reinterpret_cast<nlmsghdr *>(buf); NLMSG_OK(h, left);
             h = NLMSG_NEXT(h, left)) {
            if (h->nlmsg_type != RTM_NEWLINK && h->nlmsg_type != RTM_DELLINK)
                continue;
            const auto *ifi = static_cast<const ifinfomsg *>(NLMSG_DATA(h));
            std::string name;
            int len = int(IFLA_PAYLOAD(h));
            for (auto *rta = IFLA_RTA(ifi); RTA_OK(rta, len); rta = RTA_NEXT(rta, len)) {
                if (rta->rta_type == IFLA_IFNAME)
                    name.assign(
                        static_cast<const char *>(RTA_DATA(rta)),
                        strnlen(static_cast<const char *>(RTA_DATA(rta)), RTA_PAYLOAD(rta)));
            }
            if (name.empty())
                continue;
            const bool up = (ifi->ifi_flags & IFF_UP) && (ifi->ifi_flags & IFF_RUNNING);
            linkChanged(name, h->nlmsg_type == RTM_NEWLINK, up);
        }
    }
}
#pragma GCC diagnostic pop

void Engine::Private::refreshIfaceDrops(Iface *iface)
{
    // pcap_stats is a system call: at most four times a second per link.
    if (!iface->io || (iface->dropsCheckedMs && passMs - iface->dropsCheckedMs < 250))
        return;
    iface->dropsCheckedMs = passMs;
    const PacketIo::Counters c = iface->io->counters(); // since this handle was opened
    iface->kernelDrops.set(iface->base.kernelDrops + c.kernelDrops);
    iface->rejected.set(iface->base.rejected + c.rejected);
    iface->txDropped.set(iface->base.txDropped + c.txDropped);
}

void Engine::Private::persistState(Export *exp)
{
    if (options.stateDir.empty())
        return;
    exp->statePosted = stateWriter->post(
        options.stateDir, ExportState::path(options.stateDir, exp->cfg), exp->state.serialize());
}

// Answers about wire-set state (Query Config, Mac Mask List, Reserve) leave
// only once the state they report is on disk: an initiator told "set" finds
// it set after a power cut too. They wait here, never on the I/O thread.
void Engine::Private::answerWireState(Iface *iface, Export *exp,
                                      std::span<const std::uint8_t> frame)
{
    if (exp->stateDone >= exp->statePosted) {
        queueFrame(iface, frame);
        return;
    }
    if (exp->heldAnswers.size() >= MaxHeldAnswers) {
        exp->dropped.add(); // the initiator retransmits
        return;
    }
    exp->heldAnswers.push_back({ exp->statePosted, iface, { frame.begin(), frame.end() } });
}

void Engine::Private::stateWritten(const std::string &path, std::uint64_t seq, bool ok,
                                   const std::string &why)
{
    Export *exp = nullptr;
    for (const auto &e : exports)
        if (ExportState::path(options.stateDir, e->cfg) == path)
            exp = e.get();
    if (!ok)
        emit(EngineEvent::Type::StateWarning, exp,
             (exp ? exp->cfg.name() + ": " : std::string())
                 + "state not saved (kept in memory): " + path + ": " + why);
    if (!exp)
        return;
    // Written or not, the attempt is over: what it covered is answered (a
    // state that cannot be saved is kept in memory, and said so above).
    exp->stateDone = std::max(exp->stateDone, seq);
    while (!exp->heldAnswers.empty() && exp->heldAnswers.front().seq <= exp->stateDone) {
        const Export::HeldAnswer &h = exp->heldAnswers.front();
        queueFrame(h.iface, h.frame);
        exp->heldAnswers.pop_front();
    }
    flushAll();
}

ExportCounters Engine::Private::countersOf(const Export &e) const
{
    ExportCounters c;
    c.shelf = e.cfg.shelf;
    c.slot = e.cfg.slot;
    c.requests = e.requests.get();
    c.readRequests = e.readRequests.get();
    c.writeRequests = e.writeRequests.get();
    c.bytesRead = e.bytesRead.get();
    c.bytesWritten = e.bytesWritten.get();
    c.errors = e.errors.get();
    c.dropped = e.dropped.get();
    c.inFlight = e.requestsInFlight.get();
    c.clientsSeen = e.clientsSeen.get();
    c.clientsEvicted = e.clientsEvicted.get();
    c.wireChangesRefused = e.wireChangesRefused.get();
    const std::int64_t now = realtimeMs();
    for (std::size_t i = 0; i < e.clientCount; ++i) {
        const ClientEntry &ce = e.clientTable[i];
        ClientStats s;
        s.mac = ce.mac;
        s.requests = ce.requests.get();
        s.bytesRead = ce.bytesRead.get();
        s.bytesWritten = ce.bytesWritten.get();
        s.errors = ce.errors.get();
        s.inFlight = ce.inFlight.get();
        s.firstSeenMs = ce.firstSeenMs.load(std::memory_order_relaxed);
        s.lastSeenMs = ce.lastSeenMs.load(std::memory_order_relaxed);
        if (now - s.lastSeenMs < CurrentClientWindowMs)
            ++c.currentClients;
        c.clients.push_back(s);
    }
    std::sort(c.clients.begin(), c.clients.end(),
              [](const ClientStats &a, const ClientStats &b) { return a.mac < b.mac; });
    for (const Iface *i : e.ifaces)
        c.interfaces.push_back({ i->name, i->up && i->io != nullptr, i->info.mtu, i->maxSectors,
                                 i->received.get(), i->kernelDrops.get(), i->rejected.get(),
                                 i->txDropped.get(), i->lastError });
    return c;
}

ExportStatus Engine::Private::statusOf(const Export &e) const
{
    ExportCounters c = countersOf(e);
    ExportStatus s;
    s.config = e.cfg;
    s.sectors = e.sectors;
    s.serial = e.serial;
    s.requests = c.requests;
    s.bytesRead = c.bytesRead;
    s.bytesWritten = c.bytesWritten;
    s.errors = c.errors;
    s.dropped = c.dropped;
    s.clients = std::move(c.clients);
    s.currentClients = c.currentClients;
    s.configString.assign(e.state.configString.begin(), e.state.configString.end());
    s.macMask = e.state.macMask;
    s.reservations = e.state.reservations;
    s.backingOk = e.backingOk;
    s.backingError = e.backingError;
    s.interfaces = std::move(c.interfaces);
    return s;
}

void Engine::Private::loop()
{
    epoll_event ready[64];
    while (!stopRequested) {
        const int n = ::epoll_wait(epollFd, ready, 64, -1);
        if (n < 0 && errno != EINTR) {
            failLoop("epoll_wait", errno);
            break;
        }
        passMs = realtimeMs();
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
                housekeeping();
                updateTimer();
            } else if (tag == &netlinkFd) {
                readNetlink();
            } else if (tag != &aio) {
                drain(static_cast<Iface *>(tag));
            }
        }
        submitPending();
        reapCompletions();
        flushAll();
        if (aio.failure()) {
            failLoop("io_uring", aio.failure());
            break;
        }
    }
}

// --- Engine ------------------------------------------------------------------------

Engine::Engine() : Engine(Options()) { }

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

bool Engine::updateExport(const ExportConfig &config, Error *error)
{
    bool ok = false;
    d->runOnLoop([&] { ok = d->updateExport(config, error); });
    return ok;
}

std::vector<ExportStatus> Engine::status() const
{
    std::vector<ExportStatus> out;
    std::lock_guard lock(d->statusMutex);
    for (const auto &e : d->exports)
        out.push_back(d->statusOf(*e));
    return out;
}

std::vector<ExportCounters> Engine::counters() const
{
    std::vector<ExportCounters> out;
    std::lock_guard lock(d->statusMutex);
    for (const auto &e : d->exports)
        out.push_back(d->countersOf(*e));
    return out;
}

bool Engine::counters(std::uint16_t shelf, std::uint8_t slot, ExportCounters *out) const
{
    std::lock_guard lock(d->statusMutex);
    const Export *e = d->findExport(shelf, slot);
    if (!e)
        return false;
    *out = d->countersOf(*e);
    return true;
}

EngineCounters Engine::engineCounters() const
{
    EngineCounters c;
    {
        std::lock_guard lock(d->eventMutex);
        c.eventsDropped = d->eventsDropped;
    }
    c.stateWrites = d->stateWriter->written();
    c.stateWritesCoalesced = d->stateWriter->coalesced();
    return c;
}

bool Engine::wireState(std::uint16_t shelf, std::uint8_t slot, WireState *out, Error *error) const
{
    std::lock_guard lock(d->statusMutex);
    const Export *e = d->findExport(shelf, slot);
    if (!e) {
        *error = makeError(ErrorKind::NotFound, targetName(shelf, slot) + " is not exported");
        return false;
    }
    out->configString.assign(e->state.configString.begin(), e->state.configString.end());
    out->macMask = e->state.macMask;
    out->reservations = e->state.reservations;
    return true;
}

bool Engine::clearWireState(std::uint16_t shelf, std::uint8_t slot, unsigned what, Error *error)
{
    bool ok = false;
    d->runOnLoop([&] {
        Export *exp = d->findExport(shelf, slot);
        if (!exp)
            *error = makeError(ErrorKind::NotFound, targetName(shelf, slot) + " is not exported");
        else
            ok = d->clearWireState(exp, what, error);
    });
    return ok;
}

bool Engine::start(Error *error)
{
    std::lock_guard lifecycle(d->lifecycleMutex);
    if (d->running && d->loopFailed) {
        *error = makeError(ErrorKind::Failed,
                           "the I/O loop has failed (see the LoopFailed event): stop() first");
        return false;
    }
    if (d->running)
        return true;
    // Nobody runs loop work directly while the loop comes up.
    std::lock_guard noDirectWork(d->directMutex);
    if (!d->aioReady || d->controlFd < 0 || d->eventFd < 0) {
        *error = makeError(ErrorKind::Failed, "cannot set up the engine: " + d->aioNote);
        return false;
    }
    if (d->aio.failure()) {
        *error = makeError(ErrorKind::Failed,
                           std::string("io_uring failed (") + std::strerror(d->aio.failure())
                               + "): this engine cannot serve again; create a new one");
        return false;
    }
    d->epollFd = ::epoll_create1(EPOLL_CLOEXEC);
    d->timerFd = ::timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    if (d->epollFd < 0 || d->timerFd < 0) {
        *error = makeError(ErrorKind::Failed,
                           std::string("cannot set up the engine: ") + std::strerror(errno));
        for (int *fd : { &d->epollFd, &d->timerFd })
            if (*fd >= 0) {
                ::close(*fd);
                *fd = -1;
            }
        return false;
    }
    // Without netlink, link changes are still found by polling (the timer).
    Error netlinkError;
    const bool haveNetlink = d->openNetlink(&netlinkError);
    d->timerArmed = false;
    auto watch = [&](int fd, void *tag) {
        epoll_event ev{};
        ev.events = EPOLLIN;
        ev.data.ptr = tag;
        ::epoll_ctl(d->epollFd, EPOLL_CTL_ADD, fd, &ev);
    };
    watch(d->controlFd, &d->controlFd);
    watch(d->timerFd, &d->timerFd);
    if (haveNetlink)
        watch(d->netlinkFd, &d->netlinkFd);
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
    if (!haveNetlink) {
        itimerspec its{};
        its.it_interval.tv_sec = 1;
        its.it_value.tv_sec = 1;
        ::timerfd_settime(d->timerFd, 0, &its, nullptr);
        d->timerArmed = true;
        d->emit(EngineEvent::Type::StateWarning, nullptr,
                netlinkError.message + ": checking links once a second instead");
    }
    d->stopRequested = false;
    d->loopFailed = false;
    {
        std::lock_guard lock(d->controlMutex);
        d->loopDead = false;
        d->running = true;
    }
    d->thread = std::thread([this] {
        d->loopThread = std::this_thread::get_id();
        d->aio.prepareThread(256);
        d->passMs = realtimeMs();
        if (d->netlinkFd >= 0)
            d->checkInterfaces(); // what changed while stopped
        d->updateTimer();
        d->loop();
        // After a failure, callers waiting on the loop must not wait forever:
        // run what they queued, and let later calls run directly.
        std::deque<std::function<void()>> work;
        {
            std::lock_guard lock(d->controlMutex);
            d->loopDead = true;
            work.swap(d->controlQueue);
        }
        std::lock_guard direct(d->directMutex);
        for (auto &f : work)
            f();
    });
    return true;
}

void Engine::stop()
{
    std::lock_guard lifecycle(d->lifecycleMutex);
    if (!d->running)
        return;
    d->runOnLoop([this] { d->stopRequested = true; });
    d->thread.join();
    {
        std::lock_guard lock(d->controlMutex);
        d->running = false;
    }
    d->loopThread = std::thread::id();
    {
        // The state writer may run loop work directly now (postToLoop): one
        // at a time. (Not held across the writer's flush below, whose
        // completions take this lock.)
        std::lock_guard direct(d->directMutex);
        // Let in-flight I/O finish so that no acknowledged state is left
        // behind (unless io_uring itself failed: then nothing more completes).
        while (!d->aio.failure()
               && (!d->retired.empty()
                   || std::any_of(d->exports.begin(), d->exports.end(),
                                  [](const auto &e) { return e->busy(); }))) {
            d->reapCompletions();
            d->flushAll();
            if (d->retired.empty()
                && std::none_of(d->exports.begin(), d->exports.end(),
                                [](const auto &e) { return e->busy(); }))
                break;
            ::usleep(1000);
        }
    }
    d->stateWriter->flush();
    for (int *fd : { &d->epollFd, &d->timerFd, &d->netlinkFd })
        if (*fd >= 0) {
            ::close(*fd);
            *fd = -1;
        }
}

bool Engine::healthy() const
{
    return !d->loopFailed;
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
    if (d->droppedSinceNotice) {
        EngineEvent ev;
        ev.type = EngineEvent::Type::EventsDropped;
        ev.count = d->droppedSinceNotice;
        ev.timeMs = realtimeMs();
        ev.message = std::to_string(ev.count)
            + " events were dropped: they came faster than they were read (at most "
            + std::to_string(MaxQueuedEvents) + " wait)";
        out.push_back(std::move(ev));
        d->droppedSinceNotice = 0;
    }
    return out;
}

bool Engine::usingIoUring() const
{
    return d->aio.usingIoUring();
}

} // namespace Etherdisk
