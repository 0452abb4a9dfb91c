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

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace Etherdisk {

inline constexpr std::uint16_t FirmwareVersion = 0x0010; // 0.1.0, shown as sysfs firmware-version

struct ClientStats
{
    Aoe::MacAddress mac{};
    std::uint64_t requests = 0;
    std::uint64_t bytesRead = 0;
    std::uint64_t bytesWritten = 0;
    std::uint64_t errors = 0;
    std::int64_t lastSeenMs = 0; // CLOCK_REALTIME, milliseconds
};

struct InterfaceState
{
    std::string name;
    bool up = false; // the link is up and frames are being received
    unsigned mtu = 0;
    unsigned maxSectors = 0; // per ATA frame on this link
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
    std::vector<ClientStats> clients; // every MAC seen
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
        InterfaceDown, // link down, removed, or receive failed
        InterfaceUp, // serving again
        BackingFailed, // an I/O error on the backing store
        BackingRecovered, // the next I/O succeeded
        ConfigStringChanged, // set over the wire
        MacMaskChanged,
        ReservationChanged,
        ClientAppeared, // a MAC sent its first request to this export
        StateWarning, // saved state unreadable, or state could not be saved (kept in memory)
    };
    Type type;
    std::uint16_t shelf = 0;
    std::uint8_t slot = 0;
    std::string interface; // for interface events
    std::string message; // a sentence for logs and notifications
};
const char *eventTypeName(EngineEvent::Type type);

class Engine
{
public:
    struct Options
    {
        // Where per-export state set over the wire (config string, Mac Mask
        // List, reservations) persists; empty: kept in memory only.
        std::string stateDir;
        // Called on the I/O thread for every event, in addition to the
        // queue behind eventFd(). Must not block or call back into Engine.
        std::function<void(const EngineEvent &)> onEvent;
    };

    explicit Engine(Options options = {});
    ~Engine(); // stops the I/O thread
    Engine(const Engine &) = delete;
    Engine &operator=(const Engine &) = delete;

    // Opens the backing store and the interfaces and starts serving (with an
    // advertisement). False with *error set, and nothing changed, when the
    // address is taken, a file or interface is missing, permissions lack...
    bool addExport(const ExportConfig &config, Error *error);
    bool removeExport(std::uint16_t shelf, std::uint8_t slot, Error *error);
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
    std::vector<ExportStatus> status();

    // Runs the I/O loop on its own thread until stop() or destruction.
    // Exports may be added before or after.
    bool start(Error *error);
    void stop();

    // Readable when takeEvents() has something.
    int eventFd() const;
    std::vector<EngineEvent> takeEvents();

    bool usingIoUring() const;

private:
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace Etherdisk
