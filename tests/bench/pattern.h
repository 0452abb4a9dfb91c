// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
//
// The deterministic, LBA-dependent data pattern shared by etherdisk-bench
// (--verify) and null-responder (--pattern): every 8-byte word depends on
// its sector's LBA and its position, so data landing at the wrong LBA, or
// shifted within a sector, is detected.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace EtherdiskBench {

inline std::uint64_t patternWord(std::uint64_t lba, std::size_t word)
{
    std::uint64_t x = (lba << 6 | word) + 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    return x ^ (x >> 27);
}

inline void fillPattern(std::uint8_t *out, std::uint64_t lba, std::size_t sectors)
{
    for (std::size_t s = 0; s < sectors; ++s)
        for (std::size_t w = 0; w < 64; ++w) {
            const std::uint64_t v = patternWord(lba + s, w);
            std::memcpy(out + s * 512 + w * 8, &v, 8);
        }
}

// Number of sectors that differ from the pattern; *firstBad their first LBA.
inline std::size_t checkPattern(const std::uint8_t *data, std::uint64_t lba, std::size_t sectors,
                                std::uint64_t *firstBad)
{
    std::size_t bad = 0;
    for (std::size_t s = 0; s < sectors; ++s)
        for (std::size_t w = 0; w < 64; ++w) {
            std::uint64_t v;
            std::memcpy(&v, data + s * 512 + w * 8, 8);
            if (v != patternWord(lba + s, w)) {
                if (bad++ == 0 && firstBad)
                    *firstBad = lba + s;
                break;
            }
        }
    return bad;
}

} // namespace EtherdiskBench
