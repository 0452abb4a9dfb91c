// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later

#include "etherdisk/ata.h"

#include <algorithm>
#include <cstring>

namespace Etherdisk::Ata {

namespace {

    // Word indices of the IDENTIFY DEVICE page (ACS-2).
    enum Word : std::size_t {
        WordGeneral = 0,
        WordCylinders = 1,
        WordHeads = 3,
        WordSectorsPerTrack = 6,
        WordSerial = 10,
        WordFirmware = 23,
        WordModel = 27,
        WordMultiple = 47,
        WordCapabilities = 49,
        WordValidity = 53,
        WordCurrentCylinders = 54,
        WordCurrentHeads = 55,
        WordCurrentSectors = 56,
        WordCurrentCapacity = 57, // 57-58
        WordLba28Capacity = 60, // 60-61
        WordMajorVersion = 80,
        WordCommandSet1 = 82,
        WordCommandSet2 = 83,
        WordCommandSetExt = 84,
        WordEnabled1 = 85,
        WordEnabled2 = 86,
        WordEnabledExt = 87,
        WordLba48Capacity = 100, // 100-103
        WordIntegrity = 255,
    };

    constexpr std::uint16_t CapabilityLba = 1u << 9;
    constexpr std::uint16_t Set2Valid = 1u << 14; // words 83/84/87: bit 14 one, bit 15 zero
    constexpr std::uint16_t Set2Lba48 = 1u << 10;
    constexpr std::uint16_t Set2FlushCache = 1u << 12;
    constexpr std::uint16_t Set2FlushCacheExt = 1u << 13;
    constexpr std::uint8_t IntegritySignature = 0xA5;

    constexpr unsigned LegacyHeads = 16;
    constexpr unsigned LegacySectorsPerTrack = 63;
    constexpr unsigned LegacyMaxCylinders = 16383;

    void putWord(std::span<std::uint8_t, IdentifySize> page, std::size_t word, std::uint16_t value)
    {
        page[2 * word] = static_cast<std::uint8_t>(value);
        page[2 * word + 1] = static_cast<std::uint8_t>(value >> 8);
    }

    std::uint16_t getWord(std::span<const std::uint8_t, IdentifySize> page, std::size_t word)
    {
        return static_cast<std::uint16_t>(page[2 * word] | (page[2 * word + 1] << 8));
    }

} // namespace

void encodeAtaString(std::span<std::uint8_t> field, std::string_view text)
{
    for (std::size_t i = 0; i < field.size(); ++i) {
        char c = i < text.size() ? text[i] : ' ';
        if (c < 0x20 || c > 0x7E)
            c = '?';
        // Byte-swapped within each 16-bit word: the first character of a
        // word lives in its high byte.
        field[i ^ 1] = static_cast<std::uint8_t>(c);
    }
}

std::string decodeAtaString(std::span<const std::uint8_t> field)
{
    std::string s(field.size(), ' ');
    for (std::size_t i = 0; i < field.size(); ++i)
        s[i] = static_cast<char>((i ^ 1) < field.size() ? field[i ^ 1] : ' ');
    while (!s.empty() && (s.back() == ' ' || s.back() == '\0'))
        s.pop_back();
    while (!s.empty() && s.front() == ' ')
        s.erase(s.begin());
    return s;
}

void buildIdentify(std::span<std::uint8_t, IdentifySize> page, const IdentifyInfo &info)
{
    std::memset(page.data(), 0, page.size());
    const std::uint64_t sectors = std::min(info.sectors, MaxLba48Sectors);
    const std::uint64_t lba28 = std::min(sectors, MaxLba28Sectors);

    // Legacy CHS geometry, still read by some initiators (WinAoE) and BIOSes.
    const std::uint64_t cylinders = std::min<std::uint64_t>(
        LegacyMaxCylinders, sectors / (LegacyHeads * LegacySectorsPerTrack));
    const std::uint64_t chsCapacity = cylinders * LegacyHeads * LegacySectorsPerTrack;

    putWord(page, WordGeneral, 0x0040); // fixed (non-removable) device
    putWord(page, WordCylinders, static_cast<std::uint16_t>(cylinders));
    putWord(page, WordHeads, LegacyHeads);
    putWord(page, WordSectorsPerTrack, LegacySectorsPerTrack);
    encodeAtaString(page.subspan(2 * WordSerial, SerialLength), info.serial);
    encodeAtaString(page.subspan(2 * WordFirmware, FirmwareLength), info.firmware);
    encodeAtaString(page.subspan(2 * WordModel, ModelLength), info.model);
    putWord(page, WordMultiple, 0x8000); // READ/WRITE MULTIPLE not supported
    putWord(page, WordCapabilities, CapabilityLba);
    putWord(page, WordValidity, 0x0001); // words 54-58 valid
    putWord(page, WordCurrentCylinders, static_cast<std::uint16_t>(cylinders));
    putWord(page, WordCurrentHeads, LegacyHeads);
    putWord(page, WordCurrentSectors, LegacySectorsPerTrack);
    putWord(page, WordCurrentCapacity, static_cast<std::uint16_t>(chsCapacity));
    putWord(page, WordCurrentCapacity + 1, static_cast<std::uint16_t>(chsCapacity >> 16));
    putWord(page, WordLba28Capacity, static_cast<std::uint16_t>(lba28));
    putWord(page, WordLba28Capacity + 1, static_cast<std::uint16_t>(lba28 >> 16));
    putWord(page, WordMajorVersion, 0x01F0); // ATA/ATAPI-4 through ATA8-ACS

    std::uint16_t set2 = Set2Valid;
    if (info.lba48)
        set2 |= Set2Lba48;
    if (info.flushCache)
        set2 |= Set2FlushCache;
    if (info.flushCacheExt)
        set2 |= Set2FlushCacheExt;
    putWord(page, WordCommandSet2, set2);
    putWord(page, WordCommandSetExt, Set2Valid);
    putWord(page, WordEnabled2, static_cast<std::uint16_t>(set2 & ~Set2Valid));
    putWord(page, WordEnabledExt, Set2Valid);
    for (int i = 0; i < 4; ++i)
        putWord(page, WordLba48Capacity + i, static_cast<std::uint16_t>(sectors >> (16 * i)));

    // Integrity word: signature A5h in the low byte, and a high byte making
    // the sum of all 512 bytes zero modulo 256.
    page[2 * WordIntegrity] = IntegritySignature;
    unsigned sum = 0;
    for (std::size_t i = 0; i < IdentifySize - 1; ++i)
        sum += page[i];
    page[IdentifySize - 1] = static_cast<std::uint8_t>(-sum);
}

IdentifyInfo parseIdentify(std::span<const std::uint8_t, IdentifySize> page)
{
    IdentifyInfo info;
    info.serial = decodeAtaString(page.subspan(2 * WordSerial, SerialLength));
    info.firmware = decodeAtaString(page.subspan(2 * WordFirmware, FirmwareLength));
    info.model = decodeAtaString(page.subspan(2 * WordModel, ModelLength));
    info.lba28Sectors = getWord(page, WordLba28Capacity)
        | (std::uint64_t(getWord(page, WordLba28Capacity + 1)) << 16);
    const std::uint16_t supported = getWord(page, WordCommandSet2);
    const std::uint16_t enabled = getWord(page, WordEnabled2);
    info.lba48 = (supported & Set2Lba48) && (enabled & Set2Lba48);
    info.flushCache = supported & Set2FlushCache;
    info.flushCacheExt = supported & Set2FlushCacheExt;
    if (info.lba48) {
        info.sectors = 0;
        for (int i = 3; i >= 0; --i)
            info.sectors = (info.sectors << 16) | getWord(page, WordLba48Capacity + i);
        // Words 100-103 hold 64 bits, but a 48-bit LBA cannot reach past
        // 2^48 sectors: a larger claim is unusable, never trusted.
        info.sectors = std::min(info.sectors, MaxLba48Sectors);
    } else {
        info.sectors = info.lba28Sectors;
    }
    info.checksumPresent = page[2 * WordIntegrity] == IntegritySignature;
    if (info.checksumPresent) {
        unsigned sum = 0;
        for (const std::uint8_t b : page)
            sum += b;
        info.checksumValid = (sum & 0xFF) == 0;
    }
    return info;
}

} // namespace Etherdisk::Ata
