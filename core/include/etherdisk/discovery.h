// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
//
// Discovery of every AoE target on the chosen interfaces, without the
// kernel driver: broadcast Query Config every interval, learn from
// unsolicited advertisements, IDENTIFY each new target for its size and
// names, and keep per-target state. Changes come out as events.
//
// Not threaded: the owner watches fd() in its event loop (QSocketNotifier in
// the helper, poll() in etherdiskctl) and calls process() whenever it is
// readable; the poll timer is part of fd(), so no timeout is needed.
//
// All our tags have bit 31 set (the userland tag space), so a Linux aoe
// driver on the same host ignores the answers.
//
// Built to run for weeks on a LAN where any host can forge any frame:
//
// - A target is *proven* once one of its paths answered an IDENTIFY we sent
//   to it (our tag, from that MAC on that interface, for that shelf.slot;
//   an ATA error answer counts: the device is there). Until then it is an
//   unproven candidate: not in targets(), no events, and forgotten quietly
//   after Limits::unprovenMs (Counters::candidatesExpired). Advertisements
//   and answers to our broadcast poll only make candidates, so a flood of
//   forged advertisements for 100,000 addresses produces no Added event
//   and at most Limits::candidates entries. The same holds for a new path
//   of a proven target: it is listed (with a "new path" Changed event) once
//   it answered our IDENTIFY, and dropped quietly if it never does.
// - Every table has a bound and an eviction rule (see Limits), every drop
//   and eviction is counted (counters()), and an online proven target is
//   never evicted in favour of anything.
// - Per-frame noise (malformed replies) is rate-limited: at most
//   Limits::noiseEvents Malformed events per Limits::noiseWindowMs, then one
//   Suppressed event with the number left out (DiscoveryEvent::count).
// - The event queue holds at most Limits::events; events beyond it are
//   dropped, counted, and reported by one Overflow event at the end of the
//   next takeEvents(). targets() always has the current state.
// - process() handles at most Limits::framesPerProcess frames per call, so
//   a flood cannot starve the owner's event loop; fd() stays readable while
//   frames are left, so the owner simply gets called again.
// - Questions we send are budgeted: at most Limits::identifiesPerInterval
//   IDENTIFYs per poll interval for answers to our own polls, and at most
//   Limits::unsolicitedPerInterval IDENTIFYs or unicast Query Configs for
//   frames we did not ask for (advertisements); beyond that the question
//   waits for the next poll (Counters::questionsDeferred).
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
    enum class Type {
        Added, // proven (answered our IDENTIFY): listed from now on
        Changed,
        Lost,
        Recovered,
        Removed,
        Conflict,
        Malformed,
        // Summaries, not about one target (`target` is empty):
        Suppressed, // `count` malformed replies not reported one by one in the last noise window
        Overflow, // `count` events dropped: the queue was full (see Limits::events)
    };
    Type type;
    DiscoveredTarget target; // the state after the change
    std::string message; // a sentence, e.g. "e1.2 lost: no answer for 6.0 s"
    std::int64_t timeMs = 0; // CLOCK_REALTIME
    // How many occurrences the event stands for: 1, or for Suppressed and
    // Overflow the number of events left out.
    std::uint64_t count = 1;
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

        // Bounds on state and noise. The defaults fit a LAN of a few
        // thousand targets; every value must be at least 1.
        struct Limits
        {
            // Proven targets listed. When a newly proven target finds the
            // table full, the lost target heard from longest ago is removed
            // (Removed event, Counters::targetsEvicted); if every listed
            // target is online, the new one is not listed
            // (Counters::targetsDropped) and is asked again later.
            std::size_t targets = 4096;
            // Unproven candidates. A new one evicts the candidate heard from
            // longest ago among those that only advertised, or if there are
            // none, among those that answered our poll
            // (Counters::candidatesEvicted).
            std::size_t candidates = 1024;
            // Paths of one target (proven and unproven). A new path evicts
            // the unproven path heard from longest ago, else a proven path
            // silent for missedPolls intervals (never the target's last
            // proven one): Counters::pathsEvicted. Otherwise the new path is
            // ignored (Counters::pathsDropped).
            std::size_t pathsPerTarget = 16;
            // Entries of malformed() (one per interface, MAC, address). A new
            // one evicts the entry seen longest ago (Counters::malformedEvicted).
            std::size_t malformed = 256;
            // IDENTIFYs awaiting an answer. Each waits two poll intervals;
            // when the table is full the oldest question is forgotten
            // (Counters::identifyEvicted) and a late answer to it is ignored.
            std::size_t pendingIdentify = 2048;
            // Events queued until takeEvents() (see the top of this file).
            std::size_t events = 4096;
            // Frames handled by one process() call.
            int framesPerProcess = 256;
            // Question budgets per poll interval (see the top of this file).
            int identifiesPerInterval = 1024;
            int unsolicitedPerInterval = 256;
            // Malformed events per window; the rest are summarized.
            int noiseEvents = 10;
            int noiseWindowMs = 60000;
            // An unproven candidate (or unproven path) is forgotten this
            // long after it was first heard: 0 = (missedPolls + 1) *
            // intervalMs, the time a proven target needs to be found lost
            // (6 s with the defaults; missedPolls + 1 IDENTIFYs were sent).
            int unprovenMs = 0;
        };
        Limits limits;
    };

    // What was dropped or evicted since open(), and the current sizes.
    struct Counters
    {
        std::uint64_t frames = 0; // taken from the interfaces by process()
        std::uint64_t batchesCut = 0; // process() calls that stopped at framesPerProcess
        std::uint64_t candidatesEvicted = 0;
        std::uint64_t candidatesExpired = 0; // never proven within unprovenMs
        std::uint64_t targetsEvicted = 0;
        std::uint64_t targetsDropped = 0;
        std::uint64_t pathsEvicted = 0;
        std::uint64_t pathsDropped = 0;
        std::uint64_t pathsExpired = 0; // unproven paths of proven targets, after unprovenMs
        std::uint64_t malformedReplies = 0; // every malformed reply seen
        std::uint64_t malformedEvicted = 0;
        std::uint64_t identifyEvicted = 0;
        std::uint64_t questionsDeferred = 0; // over a per-interval budget
        std::uint64_t eventsSuppressed = 0; // Malformed events left out (rate limit)
        std::uint64_t eventsDropped = 0; // queue full
        // Now:
        std::size_t targets = 0; // proven, as in targets()
        std::size_t candidates = 0;
        std::size_t paths = 0; // of proven targets and candidates
        std::size_t pendingIdentify = 0;
        std::size_t malformed = 0;
        std::size_t queuedEvents = 0;
    };

    static std::unique_ptr<Discovery> open(const Options &options, std::string *error);
    ~Discovery();
    Discovery(const Discovery &) = delete;
    Discovery &operator=(const Discovery &) = delete;

    // Readable when frames arrived, a timer expired, or frames are left
    // over from the last process() call.
    int fd() const;
    // Handles the timers and up to Limits::framesPerProcess received frames
    // without blocking; sends the first poll at once on the first call.
    void process();
    // Sends a broadcast poll now (e.g. after an interface came up).
    void pollNow();

    std::vector<DiscoveryEvent> takeEvents();
    // Proven targets, ordered by shelf, then slot.
    std::vector<DiscoveredTarget> targets() const;
    // The proven target at shelf.slot, as targets() lists it: false if it
    // is not listed. One lookup, without copying the whole list.
    bool target(std::uint16_t shelf, std::uint8_t slot, DiscoveredTarget *out) const;
    std::vector<MalformedReply> malformed() const;
    Counters counters() const;

private:
    Discovery();
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace Etherdisk
