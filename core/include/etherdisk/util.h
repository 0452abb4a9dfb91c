// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
//
// Small helpers every part of Etherdisk shares: the clocks and the
// comma-separated list splitter. One copy each, so that a fix reaches
// every caller.
#pragma once

#include <cstdint>
#include <ctime>
#include <string_view>
#include <vector>

namespace Etherdisk {

// Nanoseconds on `clock`.
inline std::int64_t clockNs(clockid_t clock)
{
    timespec ts{};
    ::clock_gettime(clock, &ts);
    return std::int64_t(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}
// CLOCK_MONOTONIC: for intervals and timeouts (never jumps).
inline std::int64_t monotonicNs()
{
    return clockNs(CLOCK_MONOTONIC);
}
inline std::int64_t monotonicUs()
{
    return monotonicNs() / 1000;
}
inline std::int64_t monotonicMs()
{
    return monotonicNs() / 1'000'000;
}
// CLOCK_REALTIME in milliseconds since the epoch: for timestamps shown to people.
inline std::int64_t realtimeMs()
{
    return clockNs(CLOCK_REALTIME) / 1'000'000;
}

// "eth0, eth1,,eth2 " -> {"eth0", "eth1", "eth2"}: items between `separator`s,
// with surrounding spaces and tabs removed; empty items are skipped. The
// views point into `text`.
std::vector<std::string_view> splitList(std::string_view text, char separator = ',');

} // namespace Etherdisk
