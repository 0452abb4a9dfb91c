// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
//
// Discovery of every AoE target on the chosen interfaces, without the
// kernel driver: broadcast Query Config every interval, learn from
// unsolicited advertisements, IDENTIFY each new target for its size and
// names, and keep per-target state. Changes come out as events.
//
// Not threaded: the owner watches fd() in its event loop (QSocketNotifier in
// the helper, poll() in etherdiskctl) and calls process() when it is
// readable or when timeoutMs() has passed.
//
// All our tags have bit 31 set (the userland tag space), so a Linux aoe
// driver on the same host ignores the answers.
#pragma once

#include "etherdisk/aoeframe.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace Etherdisk {

// One way to reach a target: a responding MAC seen on a local interface.
struct TargetPath
{
    std::string interface;
    Aoe::MacAddress mac{};
    std::uint16_t bufferCount = 0;
    std::uint16_t firmwareVersion = 0;
    std::uint8_t maxSectors = 0; // per ATA command, as advertised (0 already mapped to 2)
    unsigned payloadBytes = 0; // what one frame carries on this path: also bounded by the MTU
    std::string configString; // may hold any bytes
    std::int64_t lastSeenMs = 0;
};

struct DiscoveredTarget
{
    std::uint16_t shelf = 0;
    std::uint8_t slot = 0;
    std::vector<TargetPath> paths;

    // From ATA IDENTIFY (identified == false until a valid answer came).
    bool identified = false;
    std::uint64_t sectors = 0;
    std::string model;
    std::string serial;
    std::string firmware;
    bool lba48 = false;
    bool flushCache = false;

    std::int64_t firstSeenMs = 0;
    std::int64_t lastSeenMs = 0;
    enum class State { Online, Lost } state = State::Online;

    // Two different devices (serial or capacity) answer for this address:
    // writes through one corrupt the other's data.
    bool conflict = false;
    std::string conflictDetail;

    std::string name() const; // "e1.2"
};

// Replies that claim an address but do not parse: reported, never trusted.
struct MalformedReply
{
    std::string interface;
    Aoe::MacAddress mac{};
    std::uint16_t shelf = 0;
    std::uint8_t slot = 0;
    std::string reason;
    std::uint64_t count = 0;
    std::int64_t lastSeenMs = 0;
};

struct DiscoveryEvent
{
    enum class Type { Added, Changed, Lost, Recovered, Removed, Conflict, Malformed };
    Type type;
    DiscoveredTarget target; // the state after the change
    std::string message; // a sentence, e.g. "e1.2 lost: no answer for 6.0 s"
    std::int64_t timeMs = 0; // CLOCK_REALTIME
};
const char *discoveryEventName(DiscoveryEvent::Type type);

class Discovery
{
public:
    struct Options
    {
        std::vector<std::string> interfaces;
        int intervalMs = 2000; // between broadcast polls
        // A target is lost once this many polls went unanswered, which is
        // noticed within (missedPolls + 1) * intervalMs of its last answer:
        // 6 s with the defaults (the Linux driver takes 180 s).
        int missedPolls = 2;
        int removeAfterMs = 0; // forget lost targets after this long; 0 = keep
    };

    static std::unique_ptr<Discovery> open(const Options &options, std::string *error);
    ~Discovery();
    Discovery(const Discovery &) = delete;
    Discovery &operator=(const Discovery &) = delete;

    // Readable when frames arrived or a timer expired.
    int fd() const;
    // Handles everything pending without blocking; sends the first poll at
    // once on the first call.
    void process();
    // Sends a broadcast poll now (e.g. after an interface came up).
    void pollNow();

    std::vector<DiscoveryEvent> takeEvents();
    std::vector<DiscoveredTarget> targets() const;
    std::vector<MalformedReply> malformed() const;

private:
    Discovery();
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace Etherdisk
