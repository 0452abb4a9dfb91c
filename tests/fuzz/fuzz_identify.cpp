// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
//
// libFuzzer target for the IDENTIFY DEVICE parser (what our initiator and
// discovery read from targets they do not control). Property: what parses
// is rebuilt to a page that parses to the same capacity and feature bits.

#include "etherdisk/ata.h"

#include <array>
#include <cstdlib>
#include <cstring>

using namespace Etherdisk::Ata;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size);
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    std::array<std::uint8_t, IdentifySize> page{};
    std::memcpy(page.data(), data, size < IdentifySize ? size : IdentifySize);
    const IdentifyInfo info = parseIdentify(page);
    if (info.model.size() > ModelLength || info.serial.size() > SerialLength
        || info.firmware.size() > FirmwareLength)
        std::abort();
    std::array<std::uint8_t, IdentifySize> rebuilt{};
    buildIdentify(rebuilt, info);
    const IdentifyInfo again = parseIdentify(rebuilt);
    const std::uint64_t expected =
        info.lba48 ? info.sectors : std::min(info.sectors, MaxLba28Sectors);
    if (again.sectors != expected || again.lba48 != info.lba48
        || again.flushCache != info.flushCache || again.flushCacheExt != info.flushCacheExt
        || !again.checksumValid)
        std::abort();
    return 0;
}
