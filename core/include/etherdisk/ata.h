// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
//
// The ATA side of AoE: opcodes, status and error bits, and the 512-byte
// IDENTIFY DEVICE page (build for targets, parse for initiators).
// Facts: docs/aoe-protocol.md §4.1 and §4.2; word numbers are
// those of ATA/ATAPI-8 ACS.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace Etherdisk::Ata {

// Opcodes a target meets (§4.1).
inline constexpr std::uint8_t CmdReadSectors = 0x20;
inline constexpr std::uint8_t CmdReadSectorsExt = 0x24;
inline constexpr std::uint8_t CmdWriteSectors = 0x30;
inline constexpr std::uint8_t CmdWriteSectorsExt = 0x34;
inline constexpr std::uint8_t CmdSmart = 0xB0;
inline constexpr std::uint8_t CmdCheckPowerMode = 0xE5;
inline constexpr std::uint8_t CmdFlushCache = 0xE7;
inline constexpr std::uint8_t CmdFlushCacheExt = 0xEA;
inline constexpr std::uint8_t CmdIdentifyDevice = 0xEC;

// Status register.
inline constexpr std::uint8_t StatusBusy = 0x80;
inline constexpr std::uint8_t StatusReady = 0x40; // DRDY
inline constexpr std::uint8_t StatusDeviceFault = 0x20;
inline constexpr std::uint8_t StatusDataRequest = 0x08;
inline constexpr std::uint8_t StatusError = 0x01;
// The Linux initiator fails a request when status & 0xA9 != 0 (§4).
inline constexpr std::uint8_t StatusFailureMask = 0xA9;

// Error register.
inline constexpr std::uint8_t ErrorInterfaceCrc = 0x80;
inline constexpr std::uint8_t ErrorUncorrectable = 0x40;
inline constexpr std::uint8_t ErrorIdNotFound = 0x10; // IDNF: LBA out of range
inline constexpr std::uint8_t ErrorAborted = 0x04; // ABRT

// CHECK POWER MODE result in the sector count: active or idle.
inline constexpr std::uint8_t PowerModeActive = 0xFF;

inline constexpr std::size_t IdentifySize = 512;
inline constexpr std::uint64_t MaxLba28Sectors = 0x0FFFFFFF;
inline constexpr std::uint64_t MaxLba48Sectors = 0xFFFFFFFFFFFFull;
inline constexpr std::size_t SerialLength = 20; // words 10-19
inline constexpr std::size_t FirmwareLength = 8; // words 23-26
inline constexpr std::size_t ModelLength = 40; // words 27-46

struct IdentifyInfo
{
    std::uint64_t sectors = 0; // capacity in 512-byte sectors
    bool lba48 = true; // words 83/86 bit 10; Linux then uses the EXT commands
    bool flushCache = true; // words 83/86 bit 12
    bool flushCacheExt = true; // words 83/86 bit 13
    std::string model; // printable ASCII; longer strings are cut
    std::string serial;
    std::string firmware;
    // Filled in by parseIdentify only.
    std::uint64_t lba28Sectors = 0; // words 60-61
    bool checksumPresent = false; // word 255 low byte 0xA5
    bool checksumValid = false;
};

// Fills a complete IDENTIFY DEVICE page: LBA28 capacity (capped at
// 0x0FFFFFFF), LBA48 capacity, the FLUSH CACHE (EXT) support and enable bits,
// legacy CHS geometry, strings space-padded and byte-swapped per word, and
// the word-255 integrity checksum.
void buildIdentify(std::span<std::uint8_t, IdentifySize> page, const IdentifyInfo &info);

// Reads back what an initiator uses: capacity (LBA48 when words 83 and 86
// say so, LBA28 otherwise, as Linux does), feature bits, and the strings
// un-swapped with trailing spaces removed.
IdentifyInfo parseIdentify(std::span<const std::uint8_t, IdentifySize> page);

// The ATA string encoding: space-padded to `length` (even), bytes swapped
// within each 16-bit word, non-printable characters replaced by '?'.
void encodeAtaString(std::span<std::uint8_t> field, std::string_view text);
std::string decodeAtaString(std::span<const std::uint8_t> field);

} // namespace Etherdisk::Ata
