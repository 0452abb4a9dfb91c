// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later

#include "etherdisk/engine.h"

#include "asyncio.h"
#include "etherdisk/ata.h"
#include "etherdisk/packetio.h"
#include "exportstate.h"

#include <algorithm>
#include <array>
#include <cerrno>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <deque>
#include <fcntl.h>
#include <linux/fs.h>
#include <map>
#include <mutex>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/timerfd.h>
#include <thread>
#include <unistd.h>
#include <unordered_map>

namespace Etherdisk {

using namespace Aoe;

namespace {

    constexpr std::size_t InitialSlots = 256;
    constexpr std::size_t MaxSlots = 8192;
    constexpr unsigned MaxMerge = 32; // requests merged into one vectored operation
    constexpr std::size_t MaxMergeBytes = 1 << 20;
    constexpr int ReceiveBatch = 256;
    constexpr int MaxFramesPerWake = 2048; // fairness between interfaces
    constexpr std::size_t DirectAlignment = 4096;
    constexpr std::int64_t CurrentClientWindowMs = 60000;
    constexpr const char *DefaultModel = "Etherdisk";
    constexpr const char *FirmwareString = "0.1.0";

    std::int64_t nowMs()
    {
        timespec ts{};
        clock_gettime(CLOCK_REALTIME, &ts);
        return std::int64_t(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
    }

    std::uint64_t macKey(const MacAddress &m)
    {
        std::uint64_t k = 0;
        for (std::uint8_t b : m)
            k = (k << 8) | b;
        return k;
    }

    bool contains(const std::vector<MacAddress> &list, const MacAddress &mac)
    {
        return std::find(list.begin(), list.end(), mac) != list.end();
    }

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

    Error makeError(ErrorKind kind, std::string message)
    {
        return { kind, std::move(message) };
    }

    ErrorKind kindForErrno(int e)
    {
        switch (e) {
        case ENOENT:
        case ENOTDIR:
            return ErrorKind::NoSuchFile;
        case EACCES:
        case EPERM:
        case EROFS:
            return ErrorKind::PermissionDenied;
        default:
            return ErrorKind::Failed;
        }
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

struct Export;
struct Iface;

// One ATA request between its arrival and its response.
struct Slot
{
    std::vector<std::uint8_t> frame; // the response frame; read data lands at AtaHeaderSize
    std::uint8_t *aligned = nullptr; // direct mode: DirectAlignment-aligned data buffer
    std::size_t alignedSize = 0;
    Export *exp = nullptr;
    Iface *iface = nullptr;
    ClientStats *client = nullptr;
    Header request;
    AtaArg ata;
    std::uint64_t offset = 0; // bytes into the backing store
    std::uint32_t length = 0; // data bytes
    bool write = false;
    bool flush = false; // FLUSH CACHE: no data, just the group commit

    std::uint8_t *data() { return aligned ? aligned : frame.data() + AtaHeaderSize; }
    ~Slot() { std::free(aligned); }
};

// One submitted file operation: several merged requests, or an fdatasync.
struct IoOp
{
    enum class Kind { Read, Write, Sync } kind = Kind::Read;
    Export *exp = nullptr;
    unsigned count = 0;
    std::array<Slot *, MaxMerge> slots{};
    std::array<iovec, MaxMerge> iov{};
    std::size_t bytes = 0;
};

struct Iface
{
    std::string name;
    std::unique_ptr<PacketIo> io;
    InterfaceInfo info;
    bool up = false;
    std::uint8_t maxSectors = 0;
    std::vector<Export *> exports;
    // shelf << 8 | slot -> export, for requests naming one target.
    std::unordered_map<std::uint32_t, Export *> byAddress;
    bool pendingTx = false;
    std::string lastError;
};

struct Export
{
    ExportConfig cfg;
    int fd = -1;
    std::uint64_t sectors = 0;
    std::uint64_t base = 0; // byte offset of sector 0 in the backing store
    std::array<std::uint8_t, Ata::IdentifySize> identify{};
    std::string serial;
    ExportState state;
    std::vector<Iface *> ifaces;

    std::uint64_t requests = 0, bytesRead = 0, bytesWritten = 0, errors = 0, dropped = 0;
    std::unordered_map<std::uint64_t, ClientStats> clients;
    bool backingOk = true;
    std::string backingError;

    // Group commit: writes done but not yet durable wait for the next sync.
    std::vector<Slot *> syncWaiting;
    std::vector<Slot *> syncInFlight;
    IoOp syncOp;
    bool syncRunning = false;
    unsigned inFlight = 0; // operations submitted and not completed
    bool removed = false;
    // Disk I/O done at once on the loop instead of through io_uring:
    // memory-backed files (tmpfs: never blocks, and io_uring would hand
    // every request to a worker thread), and reads that RWF_NOWAIT finds in
    // the page cache (ext4, xfs, btrfs); the rest goes to io_uring.
    bool memoryBacked = false;
    bool tryNowaitReads = true;
    // The backing store failed in a way a fresh open may cure (a device that
    // vanished and came back, a network or FUSE file system restarted).
    bool reopenWanted = false;

    bool needsSync() const { return cfg.writeMode != WriteMode::Writeback; }
    bool busy() const { return inFlight > 0 || syncRunning; }
    ~Export()
    {
        if (fd >= 0)
            ::close(fd);
    }
};

struct Engine::Private
{
    Options options;
    AsyncIo aio;
    std::string aioNote;
    bool aioReady = false;

    std::map<std::string, std::unique_ptr<Iface>> ifaces;
    std::vector<std::unique_ptr<Export>> exports;
    std::vector<std::unique_ptr<Export>> retired; // removed, I/O still in flight

    std::vector<std::unique_ptr<Slot>> slotStore;
    std::vector<Slot *> freeSlots;
    std::vector<std::unique_ptr<IoOp>> opStore;
    std::vector<IoOp *> freeOps;
    std::vector<Slot *> pendingIo; // staged this batch, merged on submit
    std::vector<Slot *> txHeld; // responses queued by reference: released after the flush
    std::vector<AsyncIo::Completion> completions;
    std::vector<std::uint8_t> scratch; // immediate responses are built here
    std::size_t slotFrameSize = 0;

    int epollFd = -1;
    int controlFd = -1;
    int timerFd = -1;
    std::thread thread;
    std::thread::id loopThread;
    bool running = false;
    bool stopRequested = false;

    std::mutex controlMutex;
    std::deque<std::function<void()>> controlQueue;

    mutable std::mutex eventMutex;
    std::vector<EngineEvent> events;
    int eventFd = -1;

    Private();
    ~Private();

    // control
    void runOnLoop(const std::function<void()> &f);
    void emit(EngineEvent::Type type, const Export *exp, std::string message,
              const std::string &iface = {});

    // exports and interfaces
    bool addExport(const ExportConfig &config, Error *error);
    bool removeExport(std::uint16_t shelf, std::uint8_t slot, Error *error);
    bool openBacking(Export *exp, Error *error);
    Iface *acquireIface(const std::string &name, Error *error);
    bool attach(Export *exp, Iface *iface, std::string *error);
    void detach(Export *exp, Iface *iface);
    bool updateFilter(Iface *iface, std::string *error);
    void releaseIface(Iface *iface);
    void advertise(Export *exp, Iface *iface);
    void checkInterfaces();
    void ifaceFailed(Iface *iface, const std::string &why);
    ExportStatus statusOf(const Export &exp) const;
    void persistState(Export *exp);

    // the loop
    void loop();
    void drain(Iface *iface);
    static void onFrame(void *ctx, std::span<const std::uint8_t> frame);
    void handleFrame(Iface *iface, std::span<const std::uint8_t> frame);
    void handleConfig(Iface *iface, Export *exp, const Frame &f);
    void handleMacMask(Iface *iface, Export *exp, const Frame &f);
    void handleReserve(Iface *iface, Export *exp, const Frame &f);
    void handleAta(Iface *iface, Export *exp, ClientStats *client, const Frame &f);
    void sendAoeError(Iface *iface, Export *exp, const Frame &f, ErrorCode code);
    void sendAtaStatus(Iface *iface, Export *exp, const Frame &f, std::uint8_t status,
                       std::uint8_t error, std::uint8_t sectorCount,
                       std::span<const std::uint8_t> data = {});
    void queueFrame(Iface *iface, std::span<const std::uint8_t> frame);
    void flushAll();

    // disk I/O
    Slot *takeSlot(std::size_t dataBytes, bool direct);
    void releaseSlot(Slot *slot);
    IoOp *takeOp();
    void releaseOp(IoOp *op);
    void submitPending();
    void reapCompletions();
    void completeOp(IoOp *op, int result);
    void startSync(Export *exp);
    void respondSlot(Slot *slot, bool ok, std::uint8_t error);
    void noteBacking(Export *exp, int result);
    void reopenBacking();
    void retireDone();
};

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

bool Engine::Private::openBacking(Export *exp, Error *error)
{
    const ExportConfig &c = exp->cfg;
    const bool direct = c.writeMode == WriteMode::Direct;
    int flags = (c.readOnly ? O_RDONLY : O_RDWR) | O_CLOEXEC;
    if (direct)
        flags |= O_DIRECT;
    const std::string what = c.path.empty() ? "the passed file descriptor" : c.path;
    int fd;
    if (c.fd >= 0) {
        const int mode = ::fcntl(c.fd, F_GETFL);
        if (mode < 0) {
            *error =
                makeError(ErrorKind::InvalidArgument, "the passed file descriptor is not open");
            return false;
        }
        if (!c.readOnly && (mode & O_ACCMODE) == O_RDONLY) {
            *error = makeError(ErrorKind::PermissionDenied,
                               "the backing file was opened read-only: export it read-only or open "
                               "it for writing");
            return false;
        }
        // Our own open file description, so O_DIRECT does not leak to the caller's.
        const std::string proc = "/proc/self/fd/" + std::to_string(c.fd);
        fd = direct ? ::open(proc.c_str(), flags) : ::fcntl(c.fd, F_DUPFD_CLOEXEC, 3);
    } else {
        fd = ::open(c.path.c_str(), flags);
    }
    if (fd < 0) {
        const int e = errno;
        if (e == EINVAL && direct)
            *error = makeError(ErrorKind::InvalidArgument,
                               what
                                   + ": the file system does not support O_DIRECT; use write mode "
                                     "\"sync\" instead");
        else if (e == ENOENT)
            *error = makeError(ErrorKind::NoSuchFile, "no such file or device: " + what);
        else if (e == EACCES || e == EPERM || e == EROFS)
            *error = makeError(ErrorKind::PermissionDenied,
                               "permission denied opening " + what
                                   + (c.readOnly ? "" : " for writing (export it read-only?)"));
        else if (e == EISDIR)
            *error = makeError(ErrorKind::InvalidArgument,
                               what + " is a directory, not a regular file or block device");
        else if (e == EBUSY)
            *error = makeError(ErrorKind::Failed,
                               what + " is busy (mounted or in use by another program)");
        else
            *error = makeError(kindForErrno(e), "cannot open " + what + ": " + std::strerror(e));
        return false;
    }
    exp->fd = fd;
    struct stat st
    {
    };
    if (::fstat(fd, &st) < 0) {
        *error = makeError(ErrorKind::Failed, "cannot stat " + what + ": " + std::strerror(errno));
        return false;
    }
    std::uint64_t bytes = 0;
    if (S_ISREG(st.st_mode)) {
        bytes = std::uint64_t(st.st_size);
    } else if (S_ISBLK(st.st_mode)) {
        if (::ioctl(fd, BLKGETSIZE64, &bytes) < 0) {
            *error = makeError(ErrorKind::Failed,
                               "cannot read the size of " + what + ": " + std::strerror(errno));
            return false;
        }
    } else {
        *error =
            makeError(ErrorKind::InvalidArgument, what + " is not a regular file or block device");
        return false;
    }
    struct statfs fs
    {
    };
    exp->memoryBacked =
        ::fstatfs(fd, &fs) == 0 && (fs.f_type == TMPFS_MAGIC || fs.f_type == RAMFS_MAGIC);
    exp->tryNowaitReads = !direct && !exp->memoryBacked && S_ISREG(st.st_mode);
    const std::uint64_t total = bytes / SectorSize;
    if (c.offset > total || (c.offset == total && c.length == 0)) {
        *error = makeError(ErrorKind::InvalidArgument,
                           what + " has " + std::to_string(total) + " sectors: offset "
                               + std::to_string(c.offset) + " leaves nothing to export");
        return false;
    }
    const std::uint64_t available = total - c.offset;
    if (c.length > available) {
        *error =
            makeError(ErrorKind::InvalidArgument,
                      what + " has only " + std::to_string(available) + " sectors after offset "
                          + std::to_string(c.offset) + ", not " + std::to_string(c.length));
        return false;
    }
    exp->sectors = c.length ? c.length : available;
    exp->base = c.offset * SectorSize;
    if (exp->sectors == 0) {
        *error =
            makeError(ErrorKind::InvalidArgument, what + " is smaller than one 512-byte sector");
        return false;
    }
    return true;
}

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
    auto &slot = ifaces[name];
    if (!slot) {
        slot = std::make_unique<Iface>();
        slot->name = name;
    }
    Iface *iface = slot.get();
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
        }
        if (!iface->io) {
            Error err;
            if (!acquireIface(name, &err))
                continue;
            std::string ignored;
            updateFilter(iface, &ignored);
        }
        const bool mtuChanged = info.mtu != iface->info.mtu;
        iface->info = info;
        iface->maxSectors = std::max<std::uint8_t>(1, maxSectorsForMtu(info.mtu));
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
    const std::int64_t now = nowMs();
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

// --- frames --------------------------------------------------------------------

void Engine::Private::queueFrame(Iface *iface, std::span<const std::uint8_t> frame)
{
    if (!iface->io || frame.empty())
        return;
    iface->io->queue(frame);
    iface->pendingTx = true;
}

void Engine::Private::flushAll()
{
    for (auto &[name, iface] : ifaces) {
        if (!iface->pendingTx || !iface->io)
            continue;
        iface->pendingTx = false;
        std::string why;
        if (!iface->io->flush(&why))
            iface->lastError = why; // the link went down: checkInterfaces reports it
    }
    for (Slot *slot : txHeld)
        releaseSlot(slot);
    txHeld.clear();
}

void Engine::Private::sendAoeError(Iface *iface, Export *exp, const Frame &f, ErrorCode code)
{
    Header h = responseHeader(f.header, iface->info.mac, exp->cfg.shelf, exp->cfg.slot);
    h.flags |= FlagError;
    h.error = std::uint8_t(code);
    // Echo the request's argument (not its data), as vblade does, so the
    // initiator can tell which request failed.
    std::size_t argBytes = f.arg.size();
    if (f.kind == FrameKind::Ata)
        argBytes = std::min<std::size_t>(argBytes, AtaHeaderSize - CommonHeaderSize);
    argBytes = std::min<std::size_t>(argBytes, 1024);
    const std::size_t n = buildRaw(scratch, h, f.arg.first(argBytes));
    queueFrame(iface, { scratch.data(), n });
    ++exp->errors;
}

void Engine::Private::sendAtaStatus(Iface *iface, Export *exp, const Frame &f, std::uint8_t status,
                                    std::uint8_t error, std::uint8_t sectorCount,
                                    std::span<const std::uint8_t> data)
{
    const Header h = responseHeader(f.header, iface->info.mac, exp->cfg.shelf, exp->cfg.slot);
    AtaArg a = f.ata;
    a.cmdStatus = status;
    a.errFeature = error;
    a.sectorCount = sectorCount;
    a.reserved = 0;
    const std::size_t n = buildAta(scratch, h, a, data);
    queueFrame(iface, { scratch.data(), n });
    if (status & Ata::StatusError)
        ++exp->errors;
}

void Engine::Private::onFrame(void *ctx, std::span<const std::uint8_t> frame)
{
    auto *pair = static_cast<std::pair<Private *, Iface *> *>(ctx);
    pair->first->handleFrame(pair->second, frame);
}

void Engine::Private::drain(Iface *iface)
{
    std::pair<Private *, Iface *> ctx{ this, iface };
    int total = 0;
    while (iface->io && total < MaxFramesPerWake) {
        std::string why;
        const int n = iface->io->receive(ReceiveBatch, &Private::onFrame, &ctx, &why);
        if (n < 0) {
            ifaceFailed(iface, why);
            return;
        }
        total += n;
        if (n < ReceiveBatch)
            break; // the ring is empty: asking again would cost a poll()
        if (pendingIo.size() >= 128)
            submitPending(); // keep the disk busy while we read more
    }
}

void Engine::Private::handleFrame(Iface *iface, std::span<const std::uint8_t> frame)
{
    Frame f;
    const ParseError pe = parseFrame(frame, &f);
    if (pe == ParseError::FrameTooShort || pe == ParseError::NotAoe)
        return;
    if (f.header.isResponse())
        return; // never answer a response (the kernel filter drops them already)
    const bool wildShelf = f.header.shelf == BroadcastShelf;
    const bool wildSlot = f.header.slot == BroadcastSlot;
    Export *exact = nullptr;
    std::span<Export *const> candidates = iface->exports;
    if (!wildShelf && !wildSlot) {
        auto it = iface->byAddress.find((std::uint32_t(f.header.shelf) << 8) | f.header.slot);
        if (it == iface->byAddress.end())
            return;
        exact = it->second;
        candidates = { &exact, 1 };
    }
    for (Export *exp : candidates) {
        if ((!wildShelf && f.header.shelf != exp->cfg.shelf)
            || (!wildSlot && f.header.slot != exp->cfg.slot))
            continue;
        // A non-empty Mac Mask List is an access filter: silently ignore others.
        if (!exp->state.macMask.empty() && !contains(exp->state.macMask, f.header.source)) {
            ++exp->dropped;
            continue;
        }
        ++exp->requests;
        auto [it, inserted] = exp->clients.try_emplace(macKey(f.header.source));
        ClientStats *client = &it->second;
        if (inserted) {
            client->mac = f.header.source;
            emit(EngineEvent::Type::ClientAppeared, exp,
                 exp->cfg.name() + ": first request from " + formatMac(f.header.source),
                 iface->name);
        }
        ++client->requests;
        client->lastSeenMs = nowMs();
        if (pe != ParseError::Ok) {
            const ErrorCode code = responseErrorFor(pe);
            if (code != ErrorCode::None) {
                sendAoeError(iface, exp, f, code);
                ++client->errors;
            }
            continue;
        }
        switch (f.kind) {
        case FrameKind::QueryConfig:
            handleConfig(iface, exp, f);
            break;
        case FrameKind::MacMaskList:
            handleMacMask(iface, exp, f);
            break;
        case FrameKind::ReserveRelease:
            handleReserve(iface, exp, f);
            break;
        case FrameKind::Ata:
            handleAta(iface, exp, client, f);
            break;
        case FrameKind::Vendor:
            sendAoeError(iface, exp, f, ErrorCode::UnrecognizedCommand); // we implement none
            break;
        }
    }
}

void Engine::Private::handleConfig(Iface *iface, Export *exp, const Frame &f)
{
    const std::span<const std::uint8_t> theirs = f.config.configString;
    std::vector<std::uint8_t> &ours = exp->state.configString;
    Header h = responseHeader(f.header, iface->info.mac, exp->cfg.shelf, exp->cfg.slot);
    bool changed = false;
    switch (f.config.configCommand()) {
    case ConfigCommand::Read:
        break;
    case ConfigCommand::Test: // answer only on an exact match
        if (!std::equal(theirs.begin(), theirs.end(), ours.begin(), ours.end()))
            return;
        break;
    case ConfigCommand::TestPrefix: // answer only if theirs is a prefix of ours
        if (theirs.size() > ours.size() || !std::equal(theirs.begin(), theirs.end(), ours.begin()))
            return;
        break;
    case ConfigCommand::Set:
        if (!ours.empty() && !std::equal(theirs.begin(), theirs.end(), ours.begin(), ours.end())) {
            h.flags |= FlagError;
            h.error = std::uint8_t(ErrorCode::ConfigStringPresent);
            ++exp->errors;
            break;
        }
        [[fallthrough]];
    case ConfigCommand::ForceSet:
        if (!std::equal(theirs.begin(), theirs.end(), ours.begin(), ours.end())) {
            ours.assign(theirs.begin(), theirs.end());
            changed = true;
        }
        break;
    }
    ConfigArg c;
    c.bufferCount = exp->cfg.bufferCount;
    c.firmwareVersion = FirmwareVersion;
    c.sectorCount = iface->maxSectors;
    c.command = f.config.command;
    c.configString = ours;
    const std::size_t n = buildConfig(scratch, h, c);
    queueFrame(iface, { scratch.data(), n });
    if (changed) {
        persistState(exp);
        emit(EngineEvent::Type::ConfigStringChanged, exp,
             exp->cfg.name() + ": config string set by " + formatMac(f.header.source));
    }
}

void Engine::Private::handleMacMask(Iface *iface, Export *exp, const Frame &f)
{
    Header h = responseHeader(f.header, iface->info.mac, exp->cfg.shelf, exp->cfg.slot);
    std::vector<MacAddress> &mask = exp->state.macMask;
    std::vector<MacMaskDirective> reply;
    std::uint8_t merror = 0;
    bool changed = false;
    if (f.macMask.command == std::uint8_t(MacMaskCommand::Edit)) {
        // Directives apply in order; the first failing one stops the edit and
        // the response's Dir Count says which it was (AoEr11 §3.3, vblade).
        for (std::size_t i = 0; i < f.macMask.directiveCount; ++i) {
            const MacMaskDirective dir = f.macMask.directive(i);
            if (dir.command == std::uint8_t(DirectiveCommand::None))
                continue;
            if (dir.command == std::uint8_t(DirectiveCommand::Add)) {
                if (contains(mask, dir.mac))
                    continue;
                if (mask.size() >= MaxAllowedMacs) {
                    merror = std::uint8_t(MacMaskError::ListFull);
                } else {
                    mask.push_back(dir.mac);
                    changed = true;
                    continue;
                }
            } else if (dir.command == std::uint8_t(DirectiveCommand::Delete)) {
                auto it = std::find(mask.begin(), mask.end(), dir.mac);
                if (it != mask.end()) {
                    mask.erase(it);
                    changed = true;
                }
                continue;
            } else {
                merror = std::uint8_t(MacMaskError::BadDirective);
            }
            for (std::size_t j = 0; j < i; ++j)
                reply.push_back(f.macMask.directive(j));
            break;
        }
    }
    if (merror == 0) {
        for (const MacAddress &m : mask)
            reply.push_back({ 0, std::uint8_t(DirectiveCommand::None), m });
    } else {
        ++exp->errors;
    }
    const std::size_t n = buildMacMask(scratch, h, f.macMask.command, merror, reply);
    queueFrame(iface, { scratch.data(), n });
    if (changed) {
        persistState(exp);
        emit(EngineEvent::Type::MacMaskChanged, exp,
             exp->cfg.name() + ": Mac Mask List edited by " + formatMac(f.header.source) + " ("
                 + std::to_string(mask.size()) + " entries)");
    }
}

void Engine::Private::handleReserve(Iface *iface, Export *exp, const Frame &f)
{
    Header h = responseHeader(f.header, iface->info.mac, exp->cfg.shelf, exp->cfg.slot);
    std::vector<MacAddress> &list = exp->state.reservations;
    bool changed = false;
    const auto command = static_cast<ReserveCommand>(f.reserve.command);
    if (command == ReserveCommand::Set && !list.empty() && !contains(list, f.header.source)) {
        h.flags |= FlagError;
        h.error = std::uint8_t(ErrorCode::TargetReserved);
        ++exp->errors;
    } else if (command == ReserveCommand::Set || command == ReserveCommand::ForceSet) {
        std::vector<MacAddress> next;
        for (std::size_t i = 0; i < f.reserve.macCount; ++i)
            next.push_back(f.reserve.mac(i));
        changed = next != list;
        list = std::move(next);
    }
    const std::size_t n = buildReserve(scratch, h, f.reserve.command, list);
    queueFrame(iface, { scratch.data(), n });
    if (changed) {
        persistState(exp);
        emit(EngineEvent::Type::ReservationChanged, exp,
             exp->cfg.name() + (list.empty() ? ": released by " : ": reserved by ")
                 + formatMac(f.header.source));
    }
}

void Engine::Private::handleAta(Iface *iface, Export *exp, ClientStats *client, const Frame &f)
{
    const std::uint8_t cmd = f.ata.cmdStatus;
    constexpr std::uint8_t ok = Ata::StatusReady;
    constexpr std::uint8_t failed = Ata::StatusReady | Ata::StatusError;
    // Reserved by others: every command but IDENTIFY is refused (as vblade).
    if (!exp->state.reservations.empty() && !contains(exp->state.reservations, f.header.source)
        && cmd != Ata::CmdIdentifyDevice) {
        sendAoeError(iface, exp, f, ErrorCode::TargetReserved);
        ++client->errors;
        return;
    }
    switch (cmd) {
    case Ata::CmdIdentifyDevice:
        sendAtaStatus(iface, exp, f, ok, 0, 0, exp->identify);
        return;
    case Ata::CmdCheckPowerMode:
        sendAtaStatus(iface, exp, f, ok, 0, Ata::PowerModeActive);
        return;
    case Ata::CmdFlushCache:
    case Ata::CmdFlushCacheExt: {
        Slot *slot = takeSlot(0, false);
        if (!slot) {
            ++exp->dropped; // the initiator retransmits
            return;
        }
        slot->exp = exp;
        slot->iface = iface;
        slot->client = client;
        slot->request = f.header;
        slot->ata = f.ata;
        slot->flush = true;
        exp->syncWaiting.push_back(slot);
        startSync(exp);
        return;
    }
    case Ata::CmdReadSectors:
    case Ata::CmdReadSectorsExt:
    case Ata::CmdWriteSectors:
    case Ata::CmdWriteSectorsExt:
        break;
    default:
        sendAtaStatus(iface, exp, f, failed, Ata::ErrorAborted, f.ata.sectorCount);
        ++client->errors;
        return;
    }

    const bool ext = cmd == Ata::CmdReadSectorsExt || cmd == Ata::CmdWriteSectorsExt;
    const bool write = cmd == Ata::CmdWriteSectors || cmd == Ata::CmdWriteSectorsExt;
    const std::uint64_t lba = ext ? f.ata.lba48() : f.ata.lba28();
    const unsigned count = f.ata.sectorCount;
    if (f.header.shelf == BroadcastShelf || f.header.slot == BroadcastSlot) {
        // Reads and writes must name one target: a broadcast write would hit every disk.
        sendAoeError(iface, exp, f, ErrorCode::BadArgument);
        ++client->errors;
        return;
    }
    if (count > iface->maxSectors) {
        // More than we advertised for this link (vblade answers the same).
        sendAoeError(iface, exp, f, ErrorCode::BadArgument);
        ++client->errors;
        return;
    }
    if (write != f.ata.isWrite() || (write && exp->cfg.readOnly)) {
        sendAtaStatus(iface, exp, f, failed, Ata::ErrorAborted, f.ata.sectorCount);
        ++client->errors;
        return;
    }
    if (lba + count > exp->sectors) {
        sendAtaStatus(iface, exp, f, failed, Ata::ErrorIdNotFound, f.ata.sectorCount);
        ++client->errors;
        return;
    }
    if (count == 0) {
        sendAtaStatus(iface, exp, f, ok, 0, 0);
        return;
    }
    const std::uint32_t bytes = count * std::uint32_t(SectorSize);
    const bool direct = exp->cfg.writeMode == WriteMode::Direct;
    Slot *slot = takeSlot(bytes, direct);
    if (!slot) {
        ++exp->dropped;
        return;
    }
    slot->exp = exp;
    slot->iface = iface;
    slot->client = client;
    slot->request = f.header;
    slot->ata = f.ata;
    slot->offset = exp->base + lba * SectorSize;
    slot->length = bytes;
    slot->write = write;
    slot->flush = false;
    if (write)
        std::memcpy(slot->data(), f.data.data(), bytes);
    pendingIo.push_back(slot);
}

// --- disk I/O --------------------------------------------------------------------

Slot *Engine::Private::takeSlot(std::size_t dataBytes, bool direct)
{
    if (freeSlots.empty()) {
        const std::size_t have = slotStore.size();
        if (have >= MaxSlots)
            return nullptr;
        const std::size_t grow = have == 0 ? InitialSlots : have;
        for (std::size_t i = 0; i < grow && slotStore.size() < MaxSlots; ++i) {
            slotStore.push_back(std::make_unique<Slot>());
            freeSlots.push_back(slotStore.back().get());
        }
    }
    Slot *s = freeSlots.back();
    freeSlots.pop_back();
    const std::size_t frameBytes = std::max(AtaHeaderSize + dataBytes, MinFrameSize);
    if (s->frame.size() < frameBytes)
        s->frame.resize(std::max(frameBytes, AtaHeaderSize + 2 * SectorSize)); // only as links grow
    if (direct && s->alignedSize < dataBytes) {
        std::free(s->aligned);
        s->aligned = nullptr;
        void *p = nullptr;
        if (posix_memalign(&p, DirectAlignment, dataBytes) != 0) {
            freeSlots.push_back(s);
            return nullptr;
        }
        s->aligned = static_cast<std::uint8_t *>(p);
        s->alignedSize = dataBytes;
    }
    if (!direct && s->aligned) {
        std::free(s->aligned);
        s->aligned = nullptr;
        s->alignedSize = 0;
    }
    return s;
}

void Engine::Private::releaseSlot(Slot *slot)
{
    slot->exp = nullptr;
    slot->iface = nullptr;
    slot->client = nullptr;
    freeSlots.push_back(slot);
}

IoOp *Engine::Private::takeOp()
{
    if (freeOps.empty()) {
        opStore.push_back(std::make_unique<IoOp>());
        return opStore.back().get();
    }
    IoOp *op = freeOps.back();
    freeOps.pop_back();
    return op;
}

void Engine::Private::releaseOp(IoOp *op)
{
    op->count = 0;
    op->bytes = 0;
    op->exp = nullptr;
    freeOps.push_back(op);
}

void Engine::Private::submitPending()
{
    if (pendingIo.empty()) {
        aio.submit(); // syncs queued by FLUSH CACHE (no system call when nothing is queued)
        return;
    }
    // Adjacent requests of one export and direction become one vectored
    // operation: Linux splits sequential I/O into 1 KiB (MTU 1500) frames.
    std::stable_sort(pendingIo.begin(), pendingIo.end(), [](const Slot *a, const Slot *b) {
        if (a->exp != b->exp)
            return a->exp < b->exp;
        if (a->write != b->write)
            return a->write < b->write;
        return a->offset < b->offset;
    });
    IoOp *op = nullptr;
    auto issue = [&] {
        if (!op)
            return;
        Export *exp = op->exp;
        ++exp->inFlight;
        const off_t offset = off_t(op->slots[0]->offset);
        const int iovs = int(op->count);
        IoOp *done = op;
        op = nullptr;
        if (exp->memoryBacked) {
            ssize_t n;
            do
                n = done->kind == IoOp::Kind::Write
                    ? ::pwritev(exp->fd, done->iov.data(), iovs, offset)
                    : ::preadv(exp->fd, done->iov.data(), iovs, offset);
            while (n < 0 && errno == EINTR);
            completeOp(done, n < 0 ? -errno : int(n));
            return;
        }
        if (done->kind == IoOp::Kind::Read && exp->tryNowaitReads) {
            const ssize_t n = ::preadv2(exp->fd, done->iov.data(), iovs, offset, RWF_NOWAIT);
            if (n >= 0 && std::size_t(n) == done->bytes) {
                completeOp(done, int(n));
                return;
            }
            if (n < 0 && errno == EOPNOTSUPP)
                exp->tryNowaitReads = false; // this file system cannot tell
        }
        if (done->kind == IoOp::Kind::Write)
            aio.writev(exp->fd, done->iov.data(), done->count, done->slots[0]->offset, done);
        else
            aio.readv(exp->fd, done->iov.data(), done->count, done->slots[0]->offset, done);
    };
    for (Slot *s : pendingIo) {
        if (op) {
            const Slot *last = op->slots[op->count - 1];
            const bool adjacent = last->exp == s->exp && last->write == s->write
                && last->offset + last->length == s->offset && op->count < MaxMerge
                && op->bytes + s->length <= MaxMergeBytes;
            if (!adjacent)
                issue();
        }
        if (!op) {
            op = takeOp();
            op->kind = s->write ? IoOp::Kind::Write : IoOp::Kind::Read;
            op->exp = s->exp;
        }
        op->slots[op->count] = s;
        op->iov[op->count] = { s->data(), s->length };
        ++op->count;
        op->bytes += s->length;
    }
    issue();
    pendingIo.clear();
    aio.submit();
}

void Engine::Private::noteBacking(Export *exp, int result)
{
    if (result >= 0) {
        if (!exp->backingOk) {
            exp->backingOk = true;
            exp->backingError.clear();
            emit(EngineEvent::Type::BackingRecovered, exp,
                 exp->cfg.name() + ": backing store I/O works again");
        }
        return;
    }
    const std::string why = std::strerror(-result);
    switch (-result) {
    case EIO:
    case ENXIO:
    case ENODEV:
    case ENOTCONN:
    case ESTALE:
    case EBADF:
        exp->reopenWanted = !exp->cfg.path.empty();
        break;
    default:
        break; // ENOSPC and the like: the same file works again once the cause is gone
    }
    if (exp->backingOk || exp->backingError != why) {
        exp->backingOk = false;
        exp->backingError = why;
        emit(EngineEvent::Type::BackingFailed, exp,
             exp->cfg.name() + ": I/O error on "
                 + (exp->cfg.path.empty() ? "backing store" : exp->cfg.path) + ": " + why
                 + (result == -ENOSPC ? " (the file system is full)" : ""));
    }
}

void Engine::Private::reopenBacking()
{
    for (const auto &e : exports) {
        Export *exp = e.get();
        if (!exp->reopenWanted || exp->busy())
            continue;
        // Open the path again; keep the old descriptor unless the new one
        // is usable and still large enough for what initiators were told.
        Export probe;
        probe.cfg = exp->cfg;
        probe.cfg.length = exp->sectors;
        Error ignored;
        if (!openBacking(&probe, &ignored))
            continue;
        std::swap(exp->fd, probe.fd); // the old one closes with `probe`
        exp->reopenWanted = false;
        exp->backingOk = true; // until the next I/O says otherwise
        exp->backingError.clear();
        emit(EngineEvent::Type::BackingRecovered, exp,
             exp->cfg.name() + ": reopened " + exp->cfg.path + " after I/O errors");
    }
}

void Engine::Private::respondSlot(Slot *slot, bool success, std::uint8_t error)
{
    Export *exp = slot->exp;
    Iface *iface = slot->iface;
    ClientStats *client = slot->client;
    const bool write = slot->write;
    const bool flush = slot->flush;
    const std::uint32_t length = slot->length;
    if (!exp->removed && iface->io) {
        const Header h =
            responseHeader(slot->request, iface->info.mac, exp->cfg.shelf, exp->cfg.slot);
        AtaArg a = slot->ata;
        a.reserved = 0;
        a.cmdStatus = success ? Ata::StatusReady : Ata::StatusReady | Ata::StatusError;
        a.errFeature = success ? 0 : error;
        a.sectorCount = success ? 0 : slot->ata.sectorCount;
        std::size_t dataBytes = 0;
        if (success && !slot->write && !slot->flush) {
            dataBytes = slot->length;
            if (slot->aligned)
                std::memcpy(slot->frame.data() + AtaHeaderSize, slot->aligned, dataBytes);
        }
        const std::size_t n = buildAtaInPlace(slot->frame, h, a, dataBytes);
        // Sent from the slot's own buffer, without a copy: the slot is
        // released once the batch is on the wire (flushAll).
        if (iface->io->queueRef({ slot->frame.data(), n })) {
            iface->pendingTx = true;
            txHeld.push_back(slot);
            slot = nullptr;
        }
        if (success) {
            if (write) {
                exp->bytesWritten += length;
                client->bytesWritten += length;
            } else if (!flush) {
                exp->bytesRead += length;
                client->bytesRead += length;
            }
        } else {
            ++exp->errors;
            ++client->errors;
        }
    }
    if (slot)
        releaseSlot(slot);
}

void Engine::Private::startSync(Export *exp)
{
    if (exp->syncRunning || exp->syncWaiting.empty())
        return;
    exp->syncInFlight.swap(exp->syncWaiting);
    exp->syncWaiting.clear();
    exp->syncRunning = true;
    exp->syncOp.kind = IoOp::Kind::Sync;
    exp->syncOp.exp = exp;
    aio.fdatasync(exp->fd, &exp->syncOp);
}

void Engine::Private::completeOp(IoOp *op, int result)
{
    Export *exp = op->exp;
    if (op->kind == IoOp::Kind::Sync) {
        exp->syncRunning = false;
        noteBacking(exp, result);
        for (Slot *s : exp->syncInFlight)
            respondSlot(s, result >= 0, Ata::ErrorUncorrectable);
        exp->syncInFlight.clear();
        startSync(exp); // writes that completed meanwhile
        return;
    }
    --exp->inFlight;
    const bool success = result >= 0 && std::size_t(result) == op->bytes;
    // A short transfer means the backing file shrank under us.
    noteBacking(exp, success ? 0 : (result < 0 ? result : -EIO));
    if (success && op->kind == IoOp::Kind::Write && exp->needsSync() && !exp->removed) {
        for (unsigned i = 0; i < op->count; ++i)
            exp->syncWaiting.push_back(op->slots[i]);
        startSync(exp);
    } else {
        for (unsigned i = 0; i < op->count; ++i)
            respondSlot(op->slots[i], success, Ata::ErrorUncorrectable);
    }
    releaseOp(op);
}

void Engine::Private::reapCompletions()
{
    for (;;) {
        completions.clear();
        if (aio.reap(&completions) == 0)
            break;
        for (const AsyncIo::Completion &c : completions)
            completeOp(static_cast<IoOp *>(c.user), c.result);
        aio.submit(); // syncs started by the completions
    }
    if (!retired.empty())
        retireDone();
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
    for (auto &[name, iface] : d->ifaces)
        if (iface->io)
            watch(iface->io->fd(), iface.get());
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
