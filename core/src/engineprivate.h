// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
//
// The engine's insides, shared by its three source files:
//   engine.cpp          control plane: the public API, the loop, exports and
//                       interfaces, status and events;
//   engineprotocol.cpp  frames: receive, parse, answer AoE commands, send;
//   enginediskio.cpp    the backing store and disk I/O: opening it, request
//                       buffers, merging, io_uring,
//                       group commit, backing-store failures.
// Everything here runs on the I/O thread unless a comment says otherwise.
#pragma once

#include "asyncio.h"
#include "etherdisk/aoeframe.h"
#include "etherdisk/ata.h"
#include "etherdisk/engine.h"
#include "etherdisk/packetio.h"
#include "etherdisk/util.h"
#include "exportstate.h"
#include "statewriter.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <sys/types.h>
#include <sys/uio.h>
#include <thread>
#include <unistd.h>
#include <unordered_map>
#include <vector>

namespace Etherdisk {
namespace EngineInternal {

    using namespace Aoe;

    constexpr std::size_t InitialRequests = 256;
    constexpr std::size_t MaxRequests = 8192;
    constexpr unsigned MaxMerge = 32; // requests merged into one vectored operation
    constexpr std::size_t MaxMergeBytes = 1 << 20;
    constexpr int ReceiveBatch = 256;
    constexpr int MaxFramesPerWake = 2048; // fairness between interfaces
    constexpr std::size_t DirectAlignment = 4096;
    constexpr std::int64_t CurrentClientWindowMs = 60000;
    constexpr std::size_t MaxHeldAnswers = 1024; // per export, waiting for the state file
    constexpr const char *DefaultModel = "Etherdisk";
    constexpr const char *FirmwareString = "0.1.0";

    inline std::uint64_t macKey(const Aoe::MacAddress &m)
    {
        std::uint64_t k = 0;
        for (std::uint8_t b : m)
            k = (k << 8) | b;
        return k;
    }

    inline bool contains(const std::vector<Aoe::MacAddress> &list, const Aoe::MacAddress &mac)
    {
        return std::find(list.begin(), list.end(), mac) != list.end();
    }

    inline Error makeError(ErrorKind kind, std::string message)
    {
        return { kind, std::move(message) };
    }

    // A counter the I/O thread alone changes and any thread reads: a relaxed
    // load and store (no locked instruction on the hot path).
    struct Counter
    {
        std::atomic<std::uint64_t> value{ 0 };
        void add(std::uint64_t n = 1)
        {
            value.store(value.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
        }
        void sub(std::uint64_t n = 1)
        {
            value.store(value.load(std::memory_order_relaxed) - n, std::memory_order_relaxed);
        }
        void set(std::uint64_t n) { value.store(n, std::memory_order_relaxed); }
        std::uint64_t get() const { return value.load(std::memory_order_relaxed); }
    };

    // One initiator MAC in an export's client table. Which MAC an entry
    // holds changes only under Engine::Private::statusMutex; the counters are
    // updated without it.
    struct ClientEntry
    {
        Aoe::MacAddress mac{};
        std::uint32_t generation = 0; // bumped when the entry is given to another MAC
        Counter requests, bytesRead, bytesWritten, errors, inFlight;
        std::atomic<std::int64_t> firstSeenMs{ 0 }, lastSeenMs{ 0 };
    };

    // MAC -> client table entry, for at most MaxClientsPerExport MACs: open
    // addressing in a fixed array, so a flood of new MACs allocates nothing
    // (an unordered_map would allocate and free a node per forged MAC).
    class ClientIndex
    {
    public:
        static constexpr std::uint32_t Cells = 1024; // power of two, >= 4 x the table
        static_assert(Cells >= 4 * MaxClientsPerExport && (Cells & (Cells - 1)) == 0);

        const std::uint32_t *find(std::uint64_t key) const
        {
            for (std::uint32_t i = slotOf(key);; i = (i + 1) & (Cells - 1)) {
                if (!m_cells[i].used)
                    return nullptr;
                if (m_cells[i].key == key)
                    return &m_cells[i].value;
            }
        }
        // `key` must be absent, and fewer than MaxClientsPerExport present.
        void insert(std::uint64_t key, std::uint32_t value)
        {
            std::uint32_t i = slotOf(key);
            while (m_cells[i].used)
                i = (i + 1) & (Cells - 1);
            m_cells[i] = { key, value, true };
        }
        void erase(std::uint64_t key)
        {
            std::uint32_t i = slotOf(key);
            while (m_cells[i].used && m_cells[i].key != key)
                i = (i + 1) & (Cells - 1);
            if (!m_cells[i].used)
                return;
            // Backward shift: move later cells of the run into the gap when
            // their home slot does not lie (cyclically) after it.
            for (std::uint32_t j = (i + 1) & (Cells - 1); m_cells[j].used;
                 j = (j + 1) & (Cells - 1)) {
                const std::uint32_t home = slotOf(m_cells[j].key);
                const bool movable = i <= j ? (home <= i || home > j) : (home <= i && home > j);
                if (movable) {
                    m_cells[i] = m_cells[j];
                    i = j;
                }
            }
            m_cells[i].used = false;
        }

    private:
        struct Cell
        {
            std::uint64_t key = 0;
            std::uint32_t value = 0;
            bool used = false;
        };
        static std::uint32_t slotOf(std::uint64_t k)
        {
            k ^= k >> 33;
            k *= 0xff51afd7ed558ccdULL;
            k ^= k >> 33;
            return std::uint32_t(k) & (Cells - 1);
        }
        std::array<Cell, Cells> m_cells{};
    };

    // At most `limit` events per window; the rest are counted for a summary.
    struct RateLimiter
    {
        unsigned limit = 0;
        std::int64_t windowMs = 60000;
        std::int64_t windowStartMs = 0;
        unsigned inWindow = 0;
        std::uint64_t suppressed = 0; // since the last summary
        bool allow(std::int64_t nowMs)
        {
            if (nowMs - windowStartMs >= windowMs && suppressed == 0) {
                windowStartMs = nowMs;
                inWindow = 0;
            }
            if (inWindow < limit) {
                ++inWindow;
                return true;
            }
            ++suppressed;
            return false;
        }
        // The count to summarize once the window is over (then a new one starts).
        std::uint64_t takeSummary(std::int64_t nowMs)
        {
            if (suppressed == 0 || nowMs - windowStartMs < windowMs)
                return 0;
            const std::uint64_t n = suppressed;
            suppressed = 0;
            windowStartMs = nowMs;
            inWindow = 0;
            return n;
        }
    };

    struct Export;
    struct Iface;

    // A read-only shared mapping of a memory-backed store (tmpfs, ramfs),
    // from which read responses are sent with one copy, the kernel's from the
    // page cache into the frame, instead of two (preadv into the request's
    // buffer, then from there into the frame) and without a system call per
    // read. User space never reads it: a file truncated under the mapping
    // makes the kernel refuse that one frame (EFAULT, a lost frame the
    // initiator retransmits; flushAll then maps the store again at its new
    // size, and reads beyond it take the preadv path, which reports the
    // error; bytes cut off within the new last page still read as zeros,
    // as the kernel maps that page whole). Only files without holes are
    // mapped (mapForReads). `fd` is a descriptor of its own on the same
    // file, for the copy PacketIo makes of a frame the link had no room for. Shared by the
    // export and the responses pointing into it, so it outlives both.
    struct ReadMapping
    {
        const std::uint8_t *base = nullptr;
        std::uint64_t bytes = 0; // the file's size when mapped
        int fd = -1;
        ReadMapping() = default;
        ReadMapping(const ReadMapping &) = delete;
        ReadMapping &operator=(const ReadMapping &) = delete;
        ~ReadMapping();
    };

    // One ATA request between its arrival and its response.
    struct Request
    {
        std::vector<std::uint8_t> frame; // the response frame; read data lands at AtaHeaderSize
        std::uint8_t *aligned = nullptr; // direct mode: DirectAlignment-aligned data buffer
        std::size_t alignedSize = 0;
        Export *exp = nullptr;
        Iface *iface = nullptr;
        ClientEntry *client = nullptr; // valid while client->generation == clientGeneration
        std::uint32_t clientGeneration = 0;
        Header request;
        AtaArg ata;
        std::uint64_t offset = 0; // bytes into the backing store
        std::uint32_t length = 0; // data bytes
        bool write = false;
        bool flush = false; // FLUSH CACHE: no data, just the group commit
        // A read answered from this mapping at `offset` (not copied into frame).
        std::shared_ptr<const ReadMapping> mapped;

        std::uint8_t *data() { return aligned ? aligned : frame.data() + AtaHeaderSize; }
        ~Request() { std::free(aligned); }
    };

    // One submitted file operation: several merged requests, or an fdatasync.
    struct IoOp
    {
        enum class Kind { Read, Write, Sync } kind = Kind::Read;
        Export *exp = nullptr;
        unsigned count = 0;
        std::array<Request *, MaxMerge> requests{};
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
        // Read by status()/counters() from any thread; since the engine first
        // opened the link (`base` holds what earlier handles had counted).
        Counter received, kernelDrops, rejected, txDropped;
        std::uint64_t sendFaultsSeen = 0; // PacketIo::sendFaults() at the last flushAll
        PacketIo::Counters base;
        std::int64_t dropsCheckedMs = 0;
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

        // Counters: written by the I/O thread, read by any (Engine::counters()).
        Counter requests, readRequests, writeRequests, bytesRead, bytesWritten, errors, dropped,
            requestsInFlight, clientsSeen, clientsEvicted, wireChangesRefused;
        // The client table: at most MaxClientsPerExport entries, allocated on
        // the first request; the least recently seen entry is reused when full.
        std::unique_ptr<ClientEntry[]> clientTable;
        std::size_t clientCount = 0;
        std::unique_ptr<ClientIndex> clientIndex; // MAC -> entry (I/O thread), with the table
        RateLimiter clientEvents{ ClientEventsPerMinute };
        RateLimiter wireEvents{ ClientEventsPerMinute };
        // Wire-set state on disk: posts to the state writer, and the last one
        // written; answers about the state wait until it is on disk.
        std::uint64_t statePosted = 0, stateDone = 0;
        struct HeldAnswer
        {
            std::uint64_t seq;
            Iface *iface;
            std::vector<std::uint8_t> frame;
        };
        std::deque<HeldAnswer> heldAnswers; // at most MaxHeldAnswers
        bool writable = false; // the backing store is open for writing
        std::vector<int> oldFds; // replaced descriptors, closed once no I/O uses them
        bool backingOk = true;
        std::string backingError;

        // Group commit: writes done but not yet durable wait for the next sync.
        std::vector<Request *> syncWaiting;
        std::vector<Request *> syncInFlight;
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
        // Memory-backed regular files: where reads are answered from (see
        // ReadMapping; mapForReads).
        std::shared_ptr<const ReadMapping> readMap;
        // The backing store failed in a way a fresh open may cure (a device that
        // vanished and came back, a network or FUSE file system restarted).
        bool reopenWanted = false;

        // --- durability (enginediskio.cpp) ---------------------------------
        // Created from ExportConfig::fd: never reopened by path, only with a
        // descriptor the owner hands over (Engine::reopenBacking).
        bool fromFd = false;
        // What was opened first; a path is reopened only if it still names
        // this file (device and inode) or this block device (st_rdev).
        dev_t dev = 0;
        ino_t ino = 0;
        dev_t rdev = 0;
        bool blockDevice = false;
        // An fdatasync failed: what it covered may be lost (Linux marks the
        // pages clean anyway), so every write and flush fails until the store
        // is reopened and a sync on the new descriptor succeeds.
        bool syncFailed = false;
        bool recoverySync = false; // that sync is running on syncOp
        unsigned writesInFlight = 0; // write operations submitted and not completed
        std::string reopenRefused; // why the last reopen was refused (one event per reason)
        // --- end durability -------------------------------------------------

        bool needsSync() const { return cfg.writeMode != WriteMode::Writeback; }
        bool busy() const { return inFlight > 0 || syncRunning; }
        ~Export()
        {
            if (fd >= 0)
                ::close(fd);
            for (int old : oldFds)
                ::close(old);
        }
    };

} // namespace EngineInternal

using namespace Aoe;
using namespace EngineInternal;

struct Engine::Private
{
    Options options;
    AsyncIo aio;
    std::string aioNote;
    bool aioReady = false;

    std::map<std::string, std::unique_ptr<Iface>> ifaces;
    std::vector<std::unique_ptr<Export>> exports;
    std::vector<std::unique_ptr<Export>> retired; // removed, I/O still in flight

    std::vector<std::unique_ptr<Request>> requestStore;
    std::vector<Request *> freeRequests;
    std::vector<std::unique_ptr<IoOp>> opStore;
    std::vector<IoOp *> freeOps;
    std::vector<Request *> pendingIo; // staged this batch, merged on submit
    std::vector<Request *> txHeld; // responses queued by reference: released after the flush
    std::vector<AsyncIo::Completion> completions;
    bool oldFdsWaiting = false; // some export has replaced descriptors to close
    std::vector<std::uint8_t> scratch; // immediate responses are built here

    int epollFd = -1;
    int controlFd = -1;
    int timerFd = -1; // housekeeping; armed only while there is something to retry or report
    bool timerArmed = false;
    int netlinkFd = -1; // link changes (RTMGRP_LINK), so a flap is seen as down and up
    std::thread thread;
    std::atomic<std::thread::id> loopThread{};
    std::mutex lifecycleMutex; // start() and stop(), one at a time
    std::atomic<bool> running{ false };
    bool stopRequested = false;
    std::int64_t passMs = 0; // CLOCK_REALTIME at the start of this loop pass

    // Control: callers on other threads queue work for the loop and wait.
    // Once the loop has failed (loopDead), they run it themselves, one at a
    // time under directMutex: no loop thread touches the state any more.
    std::mutex controlMutex;
    std::deque<std::function<void()>> controlQueue;
    bool loopDead = false; // under controlMutex
    std::mutex directMutex;
    std::atomic<bool> loopFailed{ false };

    // What other threads read without waiting on the loop: the export list,
    // settings, wire-set state, backing-store state, interface state and
    // which MAC each client entry holds. The I/O thread changes these only
    // while holding it; counters are atomics and need no lock.
    mutable std::mutex statusMutex;

    mutable std::mutex eventMutex;
    std::vector<EngineEvent> events; // at most MaxQueuedEvents
    std::uint64_t eventsDropped = 0; // under eventMutex
    std::uint64_t droppedSinceNotice = 0; // reported with the next takeEvents()
    int eventFd = -1;

    std::unique_ptr<StateWriter> stateWriter;

    Private();
    ~Private();

    // control
    void runOnLoop(const std::function<void()> &f);
    void postToLoop(std::function<void()> f); // queues and returns at once
    void emit(EngineEvent::Type type, const Export *exp, std::string message,
              const std::string &iface = {}, const Aoe::MacAddress *mac = nullptr,
              int errorNumber = 0, std::uint64_t count = 0);
    void failLoop(const char *what, int errorNumber);
    void updateTimer();
    bool timerWanted() const;
    std::string windowText() const;
    void housekeeping();
    bool updateExport(const ExportConfig &config, Error *error);
    bool setDirect(Export *exp, bool direct, Error *error);
    static bool checkDirectIo(int fd, bool blockDevice, const std::string &what, Error *error);
    bool clearWireState(Export *exp, unsigned what, Error *error);
    Export *findExport(std::uint16_t shelf, std::uint8_t slot) const;
    ExportCounters countersOf(const Export &exp) const;
    void rebuildIdentify(Export *exp);

    // clients
    ClientEntry *clientFor(Export *exp, Iface *iface, const Aoe::MacAddress &mac);
    void noteWireEvent(Export *exp, EngineEvent::Type type, std::string message,
                       const Aoe::MacAddress &mac);

    // interfaces
    bool openNetlink(Error *error);
    void readNetlink();
    void linkChanged(const std::string &name, bool exists, bool up);
    void refreshIfaceDrops(Iface *iface);
    void closeIo(Iface *iface);

    // exports and interfaces
    bool addExport(const ExportConfig &config, Error *error);
    bool removeExport(std::uint16_t shelf, std::uint8_t slot, Error *error);
    bool openBacking(Export *exp, Error *error, bool reopen = false);
    Iface *acquireIface(const std::string &name, Error *error);
    bool attach(Export *exp, Iface *iface, std::string *error);
    void detach(Export *exp, Iface *iface);
    bool updateFilter(Iface *iface, std::string *error);
    void releaseIface(Iface *iface);
    void advertise(Export *exp, Iface *iface);
    void checkInterfaces();
    void checkInterface(Iface *iface, bool exists, bool up, const InterfaceInfo &info,
                        const std::string &why);
    void ifaceFailed(Iface *iface, const std::string &why);
    ExportStatus statusOf(const Export &exp) const;
    void persistState(Export *exp);
    void answerWireState(Iface *iface, Export *exp, std::span<const std::uint8_t> frame);
    void stateWritten(const std::string &path, std::uint64_t seq, bool ok, const std::string &why);

    // the loop
    void loop();
    void drain(Iface *iface);
    static void onFrame(void *ctx, std::span<const std::uint8_t> frame);
    void handleFrame(Iface *iface, std::span<const std::uint8_t> frame);
    void handleConfig(Iface *iface, Export *exp, const Frame &f);
    void handleMacMask(Iface *iface, Export *exp, const Frame &f);
    void handleReserve(Iface *iface, Export *exp, const Frame &f);
    void refuseWireChange(Export *exp, const Frame &f, const char *what);
    void handleAta(Iface *iface, Export *exp, ClientEntry *client, const Frame &f);
    Request *startRequest(Iface *iface, Export *exp, ClientEntry *client, const Frame &f,
                          std::size_t dataBytes, bool direct);
    void sendAoeError(Iface *iface, Export *exp, const Frame &f, ErrorCode code);
    void sendAtaStatus(Iface *iface, Export *exp, const Frame &f, std::uint8_t status,
                       std::uint8_t error, std::uint8_t sectorCount,
                       std::span<const std::uint8_t> data = {});
    void queueFrame(Iface *iface, std::span<const std::uint8_t> frame);
    void flushAll();

    // disk I/O
    Request *takeRequest(std::size_t dataBytes, bool direct);
    void releaseRequest(Request *req);
    IoOp *takeOp();
    void releaseOp(IoOp *op);
    void submitPending();
    // Writes a request to a memory-backed store at once from the receive
    // ring (`data`), and completes it: requests of RingWriteMinBytes or more.
    static constexpr std::uint32_t RingWriteMinBytes = 4096;
    void writeFromRing(Request *req, const std::uint8_t *data);
    // (Re)maps a memory-backed store for reads at its current size, or
    // drops the mapping where there is none to make (see ReadMapping).
    void mapForReads(Export *exp);
    void reapCompletions();
    void completeOp(IoOp *op, int result);
    void startSync(Export *exp);
    void respond(Request *req, bool ok, std::uint8_t error);
    void noteBacking(Export *exp, int result);
    void setBacking(Export *exp, bool ok, std::string error);
    void reopenBacking();
    bool reopenBackingFd(std::uint16_t shelf, std::uint8_t slot, int fd, Error *error);
    bool canReopen(const Export *exp);
    void adoptBacking(Export *exp, Export *fresh, const std::string &how);
    void syncFailedOn(Export *exp, int result);
    void retireDone();
};

} // namespace Etherdisk
