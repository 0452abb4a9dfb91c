// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
//
// A close look at one target, as `aoeping -I` and `aoe-sancheck` give it,
// without the kernel driver: every path (responding MAC x local interface)
// with its Query Config answer, its ATA IDENTIFY page, and the largest
// payload the path really carries.
//
// The payload test is aoe-sancheck's, made two-way: for each size from the
// largest either end allows down in 512-byte steps, an IDENTIFY padded with
// that many bytes tests the way to the target and a READ of that many
// sectors at LBA 0 the way back. A switch or bridge with a smaller MTU in
// between drops the big frames silently; the Linux driver then hangs on
// retransmissions until someone forces a revalidation. Reads only: nothing
// is written.
//
// Blocking; takes about a round trip per question when all goes well and
// timeoutMs per unanswered one. All tags have bit 31 set.
#pragma once

#include "etherdisk/aoeframe.h"
#include "etherdisk/ata.h"
#include "etherdisk/error.h"

#include <cstdint>
#include <string>
#include <vector>

namespace Etherdisk {

struct ProbeOptions
{
    // Paths examined at most; further responders (a flood of forged MACs
    // answering the broadcast) are counted in a warning, not examined.
    static constexpr std::size_t MaxPaths = 16;
    std::vector<std::string> interfaces;
    std::uint16_t shelf = 0;
    std::uint8_t slot = 0;
    int timeoutMs = 1000; // per question (two tries each)
    bool measurePayload = true;
};

struct ProbedPath
{
    std::string interface;
    Aoe::MacAddress mac{};
    unsigned localMtu = 0;
    std::uint32_t rttUs = 0; // of the Query Config

    // Query Config
    std::uint16_t bufferCount = 0;
    std::uint16_t firmwareVersion = 0;
    unsigned maxSectors = 0; // per command (0 on the wire already mapped to 2)
    unsigned aoeVersion = 0; // the version nibble of the Query Config arg
    std::string configString; // any bytes

    // ATA IDENTIFY
    bool identified = false;
    Ata::IdentifyInfo identify;
    std::string identifyError;

    // Payloads in bytes per frame.
    unsigned advertisedPayload = 0; // maxSectors * 512: the target's side
    unsigned mtuPayload = 0; // what the local MTU carries
    unsigned usablePayload = 0; // min of the two: what an initiator would use
    unsigned largestPayload = 0; // the largest that got through (0: none, or not measured)
    bool payloadMeasured = false;
    // largestPayload was checked in both directions; false: only towards the
    // target (the target would not read sector 0).
    bool payloadBothWays = false;

    std::vector<std::string> warnings;
};

struct ProbeResult
{
    std::uint16_t shelf = 0;
    std::uint8_t slot = 0;
    std::vector<ProbedPath> paths;
    // Findings about the target as a whole (paths disagreeing).
    std::vector<std::string> warnings;
    std::string name() const; // "e1.2"
};

// False with *error: NoSuchInterface, PermissionDenied, NotFound ("no answer
// from e1.2 on eth1 within 1.0 s"), InvalidArgument or Failed.
bool probeTarget(const ProbeOptions &options, ProbeResult *result, Error *error);

} // namespace Etherdisk
