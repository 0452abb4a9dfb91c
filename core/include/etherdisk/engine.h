// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
//
// The AoE target engine: serves many exports (block devices and image
// files) on many interfaces from one I/O thread.
//
// Flow per frame: libpcap delivers a batch of requests (kernel BPF filter:
// AoE, requests only, our addresses) -> codec -> Mac Mask / reservation
// checks -> Query Config, Mac Mask List and Reserve/Release answered at
// once; ATA reads and writes queued, adjacent ones merged into one vectored
// operation, and submitted to io_uring together -> completions turned into
// responses, sent with one sendmmsg per batch. In sync and direct write modes
// the writes that complete together share one fdatasync (group commit)
// before they are acknowledged.
//
// Threading: the engine's I/O runs on its own thread (start()) or on the
// caller's (run()). Every public method is thread-safe; methods that change
// exports run on the I/O thread and return once done. Events (export
// started, interface down, backing store failing, ...) are queued for the
// owner, who watches eventFd() in its own event loop — no Qt here.
#pragma once

#include "etherdisk/aoeframe.h"
#include "etherdisk/error.h"
#include "etherdisk/exportconfig.h"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace Etherdisk {

inline constexpr std::uint16_t FirmwareVersion = 0x0010; // 0.1.0, shown as sysfs firmware-version

// Bounds: whatever arrives from the LAN, the engine's state stays this size.
//
// Clients: each export remembers at most MaxClientsPerExport initiator MACs.
// When a new MAC arrives and the table is full, the client heard from least
// recently is forgotten (ExportCounters::clientsEvicted counts them). A flood
// of forged source MACs therefore costs a fixed table, and it can push real
// clients' statistics out of it, never their service.
inline constexpr std::size_t MaxClientsPerExport = 256;
// Events about clients (a first request from a MAC) are limited per export
// to this many per minute; the rest are counted and summarized in one
// ClientsSummary event ("... and 12,345 more new clients in the last minute").
inline constexpr unsigned ClientEventsPerMinute = 16;
// Events wait in a queue of at most this many until the owner takes them;
// beyond that the newest are dropped and counted (EngineCounters), and one
// EventsDropped event says how many when there is room again.
inline constexpr std::size_t MaxQueuedEvents = 4096;

// Per-initiator counters of one export. Read from any thread.
struct ClientStats
{
    Aoe::MacAddress mac{};
    std::uint64_t requests = 0;
    std::uint64_t bytesRead = 0;
    std::uint64_t bytesWritten = 0;
    std::uint64_t errors = 0;
    std::uint64_t inFlight = 0; // requests waiting for the disk
    std::int64_t firstSeenMs = 0; // CLOCK_REALTIME, milliseconds
    std::int64_t lastSeenMs = 0;
};

struct InterfaceState
{
    std::string name;
    bool up = false; // the link is up and frames are being received
    unsigned mtu = 0;
    unsigned maxSectors = 0; // per ATA frame on this link
    std::uint64_t received = 0; // AoE requests received (all exports on the link)
    std::uint64_t kernelDrops = 0; // dropped by the kernel: the receive ring was full
    // Dropped by us: a group source MAC or another host's destination that
    // got past the kernel filter (see PacketFilter).
    std::uint64_t rejected = 0;
    std::uint64_t txDropped = 0; // responses dropped: the link stayed full past the tx queue bound
    std::string lastError; // why it is not up, when it is not
};

// Live counters of one export, read without waiting on the I/O thread
// (Engine::counters()).
struct ExportCounters
{
    std::uint16_t shelf = 0;
    std::uint8_t slot = 0;
    std::uint64_t requests = 0; // every request accepted for this export
    std::uint64_t readRequests = 0; // ATA reads answered successfully
    std::uint64_t writeRequests = 0; // ATA writes acknowledged
    std::uint64_t bytesRead = 0;
    std::uint64_t bytesWritten = 0;
    std::uint64_t errors = 0; // requests answered with an ATA or AoE error
    std::uint64_t dropped = 0; // dropped: all buffers busy, or a MAC the mask excludes
    std::uint64_t inFlight = 0; // requests waiting for the disk now
    std::uint64_t clientsSeen =
        0; // distinct MACs ever seen (evicted ones counted once more if back)
    std::uint64_t clientsEvicted = 0; // forgotten to keep the table bounded
    std::uint64_t wireChangesRefused = 0; // Mac Mask / Reserve edits refused (WireAcl::Refuse)
    std::vector<ClientStats> clients; // the table (at most MaxClientsPerExport), by MAC
    unsigned currentClients = 0; // MACs seen in the last 60 s
    std::vector<InterfaceState> interfaces;
};

// What initiators set over the wire, and what survives a restart.
struct WireState
{
    std::string configString; // Query Config string; may hold any bytes
    std::vector<Aoe::MacAddress> macMask; // Mac Mask List; empty = everyone
    std::vector<Aoe::MacAddress> reservations; // Reserve/Release list; empty = not reserved
};

struct ExportStatus
{
    ExportConfig config;
    std::uint64_t sectors = 0; // exported size
    std::string serial; // as IDENTIFY reports it
    std::uint64_t requests = 0;
    std::uint64_t bytesRead = 0;
    std::uint64_t bytesWritten = 0;
    std::uint64_t errors = 0; // requests answered with an ATA or AoE error
    std::uint64_t dropped = 0; // requests dropped: all buffers busy, or masked MAC
    std::vector<ClientStats> clients; // the client table, by MAC
    unsigned currentClients = 0; // MACs seen in the last 60 s
    std::string configString; // may hold any bytes
    std::vector<Aoe::MacAddress> macMask;
    std::vector<Aoe::MacAddress> reservations;
    bool backingOk = true;
    std::string backingError; // last I/O error, while !backingOk
    std::vector<InterfaceState> interfaces;
};

struct EngineEvent
{
    enum class Type {
        ExportAdded,
        ExportRemoved,
        ExportChanged, // settings changed at runtime (updateExport)
        InterfaceDown, // link down, removed, or receive failed
        InterfaceUp, // serving again
        BackingFailed, // an I/O error on the backing store
        BackingRecovered, // the next I/O succeeded
        ConfigStringChanged, // set over the wire
        MacMaskChanged, // edited over the wire, or cleared by the owner
        ReservationChanged,
        WireChangeRefused, // a Mac Mask or Reserve edit refused (WireAcl::Refuse)
        ClientAppeared, // a MAC sent its first request to this export (rate-limited)
        ClientsSummary, // `count` more new clients than were reported in the last minute
        StateWarning, // saved state unreadable, or state could not be saved (kept in memory)
        EventsDropped, // `count` events were dropped: the owner did not take them in time
        LoopFailed, // the I/O loop stopped on an error (errorNumber): nothing is served
    };
    Type type;
    std::uint16_t shelf = 0; // with `slot`: the export concerned (not for engine-wide events)
    std::uint8_t slot = 0;
    std::string interface; // for interface and client events
    Aoe::MacAddress mac{}; // for client and wire events: the initiator
    int errorNumber = 0; // errno for failures
    std::uint64_t count = 0; // for summaries: how many
    std::int64_t timeMs = 0; // CLOCK_REALTIME
    std::string message; // a sentence for logs and notifications
};
const char *eventTypeName(EngineEvent::Type type);

// Engine-wide counters.
struct EngineCounters
{
    std::uint64_t eventsDropped = 0; // the event queue was full
    std::uint64_t stateWrites = 0; // wire-set state files written
    std::uint64_t stateWritesCoalesced = 0; // changes folded into a later write
};

class Engine
{
public:
    struct Options
    {
        // Where per-export state set over the wire (config string, Mac Mask
        // List, reservations) persists; empty: kept in memory only. Written
        // by a thread of its own, never on the I/O thread: a burst of edits
        // costs one atomic file replacement, not one per frame.
        std::string stateDir;
        // Called on the I/O thread for every event, in addition to the
        // queue behind eventFd(). Must not block or call back into Engine.
        std::function<void(const EngineEvent &)> onEvent;
        // The window of the per-export event rate limits (ClientEventsPerMinute);
        // a minute unless a test wants to see the summaries sooner.
        std::int64_t noiseWindowMs = 60000;
    };

    Engine();
    explicit Engine(Options options);
    ~Engine(); // stops the I/O thread
    Engine(const Engine &) = delete;
    Engine &operator=(const Engine &) = delete;

    // Opens the backing store and the interfaces and starts serving (with an
    // advertisement). False with *error set, and nothing changed, when the
    // address is taken (one export per shelf.slot, whatever the interfaces),
    // a file or interface is missing, permissions lack...
    bool addExport(const ExportConfig &config, Error *error);
    bool removeExport(std::uint16_t shelf, std::uint8_t slot, Error *error);
    // Changes the settings of the export config.shelf.slot while it serves:
    // read-only, allowed MACs, write mode, wire ACL policy, model, serial.
    // Counters and requests in flight are kept. Any other difference (path,
    // interfaces, offset, length, buffer count) is refused with
    // InvalidArgument: remove and add the export for those.
    bool updateExport(const ExportConfig &config, Error *error);

    // Status and counters: read from any thread without waiting on the I/O
    // thread (a short lock at most).
    std::vector<ExportStatus> status() const;
    std::vector<ExportCounters> counters() const;
    bool counters(std::uint16_t shelf, std::uint8_t slot, ExportCounters *out) const;
    EngineCounters engineCounters() const;

    // The state initiators set over the wire.
    bool wireState(std::uint16_t shelf, std::uint8_t slot, WireState *out, Error *error) const;
    // Clears what `what` names: the config string, the Mac Mask List (back to
    // the configured allowed MACs) and/or the reservations; persisted.
    enum WireItem : unsigned { ConfigString = 1, MacMask = 2, Reservations = 4, AllWireItems = 7 };
    bool clearWireState(std::uint16_t shelf, std::uint8_t slot, unsigned what, Error *error);

    // For an export created from a file descriptor (ExportConfig::fd), which
    // the engine never reopens by path: hands it a fresh descriptor after the
    // backing store failed (the engine keeps its own duplicate; the caller
    // keeps `fd`). Checked like the first one (writable, no O_APPEND, still
    // holding the exported sectors). After a failed fdatasync, writes are
    // accepted again only once a sync on the new descriptor succeeds
    // (BackingRecovered, or BackingFailed if it does not). False with *error,
    // and nothing changed, when the export is unknown, was created from a
    // path, still has writes in flight, or `fd` is unusable.
    bool reopenBacking(std::uint16_t shelf, std::uint8_t slot, int fd, Error *error);

    // Runs the I/O loop on its own thread until stop() or destruction.
    // Exports may be added before or after; start() after stop() resumes.
    bool start(Error *error);
    void stop();
    // False once the loop stopped on an error (a LoopFailed event says why);
    // calls then act on the engine's state directly and serve nothing.
    bool healthy() const;

    // Readable when takeEvents() has something.
    int eventFd() const;
    std::vector<EngineEvent> takeEvents();

    bool usingIoUring() const;

private:
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace Etherdisk
