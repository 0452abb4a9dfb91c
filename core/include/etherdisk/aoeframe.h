// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
//
// AoE revision 11 frame codec: parse and build every message of the protocol,
// requests and responses, Ethernet header included.
//
// Byte offsets and semantics: docs in docs/aoe-protocol.md, which
// cites AoEr11 (Hopkins, Coile; Feb 2009), vblade, ggaoed, the Linux aoe
// driver and tcpdump's print-aoe.c. Section numbers below ("§4") refer to it.
//
// Design rules:
//  * Parsing never reads outside the buffer and never trusts a length field;
//    a bad frame yields a ParseError that says what is wrong and which AoE
//    error (or none: drop) a target should answer with.
//  * Reserved (must-be-zero) fields are reported as anomalies, not silently
//    ignored and not fatal: peers in the wild set some of them.
//  * No allocation: a parsed Frame is a view into the caller's buffer and is
//    valid only as long as that buffer is.
//  * Builders write a complete Ethernet frame into a caller-provided buffer and
//    pad it with zeros to the 60-byte Ethernet minimum.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace Etherdisk::Aoe {

inline constexpr std::uint16_t EtherType = 0x88A2;
inline constexpr std::uint8_t ProtocolVersion = 1;

inline constexpr std::size_t MacSize = 6;
inline constexpr std::size_t EthernetHeaderSize = 14;
// Sizes below count from the start of the Ethernet frame.
inline constexpr std::size_t CommonHeaderSize = 24; // §2
inline constexpr std::size_t AtaHeaderSize = 36; // §4: 24 + 12-byte ATA arg
inline constexpr std::size_t ConfigHeaderSize = 32; // §5: 24 + 8 bytes before the string
inline constexpr std::size_t MacMaskHeaderSize = 28; // §6: 24 + 4
inline constexpr std::size_t MacMaskDirectiveSize = 8;
inline constexpr std::size_t ReserveHeaderSize = 26; // §7: 24 + 2
inline constexpr std::size_t MinFrameSize = 60; // Ethernet minimum without FCS
inline constexpr std::size_t SectorSize = 512;
inline constexpr std::size_t MaxConfigStringLength = 1024;

inline constexpr std::uint16_t BroadcastShelf = 0xFFFF;
inline constexpr std::uint8_t BroadcastSlot = 0xFF;
// Tags with bit 31 set belong to userland tools; the Linux driver drops
// responses carrying them (§2.1), so discovery and our initiator use them.
inline constexpr std::uint32_t UserTagBit = 0x80000000u;

using MacAddress = std::array<std::uint8_t, MacSize>;
inline constexpr MacAddress BroadcastMac = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

// "02:ae:00:00:00:01" (lowercase, colons).
std::string formatMac(const MacAddress &mac);
// "e1.2": how AoE tools name a target.
std::string targetName(std::uint16_t shelf, std::uint8_t slot);
// "0x5a": status and error bytes in messages.
std::string formatByte(std::uint8_t value);
// Accepts "02:ae:00:00:00:01", "02-ae-...", and the 12-digit "02ae00000001"
// form that vblade's -m and the Linux sysfs `mac` attribute use.
bool parseMac(std::string_view text, MacAddress *out);

enum class Command : std::uint8_t {
    Ata = 0,
    QueryConfig = 1,
    MacMaskList = 2,
    ReserveRelease = 3,
};
inline constexpr std::uint8_t VendorCommandMin = 0xF0; // 240-255 are vendor-specific

// The Error field (§3), meaningful only with the E flag.
enum class ErrorCode : std::uint8_t {
    None = 0,
    UnrecognizedCommand = 1,
    BadArgument = 2,
    DeviceUnavailable = 3,
    ConfigStringPresent = 4,
    UnsupportedVersion = 5,
    TargetReserved = 6,
};
const char *errorCodeName(ErrorCode code);

// Low nibble of the first AoE byte.
inline constexpr std::uint8_t FlagResponse = 0x08;
inline constexpr std::uint8_t FlagError = 0x04;
inline constexpr std::uint8_t FlagsReservedMask = 0x03;

// Query Config sub-commands (§5).
enum class ConfigCommand : std::uint8_t {
    Read = 0,
    Test = 1,
    TestPrefix = 2,
    Set = 3,
    ForceSet = 4,
};
inline constexpr std::uint8_t ConfigCommandMax = 4;

// Mac Mask List (§6).
enum class MacMaskCommand : std::uint8_t { Read = 0, Edit = 1 };
enum class MacMaskError : std::uint8_t {
    None = 0,
    Unspecified = 1,
    BadDirective = 2,
    ListFull = 3
};
enum class DirectiveCommand : std::uint8_t { None = 0, Add = 1, Delete = 2 };

// Reserve/Release (§7).
enum class ReserveCommand : std::uint8_t { Read = 0, Set = 1, ForceSet = 2 };
inline constexpr std::uint8_t ReserveCommandMax = 2;

// ATA AFlags (§4).
inline constexpr std::uint8_t AtaFlagExtended = 0x40;
inline constexpr std::uint8_t AtaFlagDevice = 0x10;
inline constexpr std::uint8_t AtaFlagAsync = 0x02;
inline constexpr std::uint8_t AtaFlagWrite = 0x01;
inline constexpr std::uint8_t AtaFlagsReservedMask = 0xAC;

struct Header
{
    MacAddress destination{};
    MacAddress source{};
    std::uint8_t version = ProtocolVersion;
    std::uint8_t flags = 0; // R, E and two must-be-zero bits
    std::uint8_t error = 0;
    std::uint16_t shelf = 0;
    std::uint8_t slot = 0;
    std::uint8_t command = 0;
    std::uint32_t tag = 0;

    bool isResponse() const { return flags & FlagResponse; }
    bool isError() const { return flags & FlagError; }
    ErrorCode errorCode() const { return static_cast<ErrorCode>(error); }
    bool isVendorCommand() const { return command >= VendorCommandMin; }
};

struct AtaArg
{
    std::uint8_t aflags = 0;
    std::uint8_t errFeature = 0; // request: Features; response: ATA Error register
    std::uint8_t sectorCount = 0;
    std::uint8_t cmdStatus = 0; // request: opcode; response: ATA Status register
    std::uint64_t lba = 0; // the six lba bytes as sent (little-endian, 48 bits)
    std::uint16_t reserved = 0; // must be zero

    bool isExtended() const { return aflags & AtaFlagExtended; }
    bool isWrite() const { return aflags & AtaFlagWrite; }
    bool isAsync() const { return aflags & AtaFlagAsync; }
    bool isDevice() const { return aflags & AtaFlagDevice; }
    // LBA28 commands carry device/head bits in the high nibble of lba3 (§4).
    std::uint64_t lba28() const { return lba & 0x0FFFFFFFu; }
    std::uint64_t lba48() const { return lba & 0xFFFFFFFFFFFFull; }
};

struct ConfigArg
{
    std::uint16_t bufferCount = 0;
    std::uint16_t firmwareVersion = 0;
    std::uint8_t sectorCount = 0; // as sent; 0 means 2 (§5)
    std::uint8_t aoeVersion = ProtocolVersion; // high nibble of byte 15
    std::uint8_t command = 0; // ConfigCommand, low nibble of byte 15
    std::span<const std::uint8_t> configString;

    std::uint8_t maxSectors() const { return sectorCount == 0 ? 2 : sectorCount; }
    ConfigCommand configCommand() const { return static_cast<ConfigCommand>(command); }
};

struct MacMaskDirective
{
    std::uint8_t reserved = 0;
    std::uint8_t command = 0; // DirectiveCommand
    MacAddress mac{};
};

struct MacMaskArg
{
    std::uint8_t reserved = 0;
    std::uint8_t command = 0; // MacMaskCommand
    std::uint8_t error = 0; // MacMaskError
    std::uint8_t directiveCount = 0;
    std::span<const std::uint8_t> directiveBytes; // directiveCount * 8 bytes, checked

    MacMaskDirective directive(std::size_t index) const;
};

struct ReserveArg
{
    std::uint8_t command = 0; // ReserveCommand
    std::uint8_t macCount = 0;
    std::span<const std::uint8_t> macBytes; // macCount * 6 bytes, checked

    MacAddress mac(std::size_t index) const;
};

// Reserved fields found set to non-zero. Reported, never fatal.
enum Anomaly : std::uint32_t {
    AnomalyFlagsReserved = 1u << 0, // flag bits 1,0
    AnomalyErrorWithoutFlag = 1u << 1, // Error field non-zero, E clear
    AnomalyAtaFlagsReserved = 1u << 2, // AFlags bits 7,5,3,2
    AnomalyAtaReserved = 1u << 3, // ATA bytes 34-35
    AnomalyConfigVersion = 1u << 4, // Query Config AoE nibble is not 1
    AnomalyMacMaskReserved = 1u << 5,
    AnomalyDirectiveReserved = 1u << 6,
    AnomalyErrorResponseArgMissing = 1u << 7, // E response too short to decode its arg
};

enum class FrameKind : std::uint8_t {
    Ata,
    QueryConfig,
    MacMaskList,
    ReserveRelease,
    Vendor, // command 240-255: arg left raw
};

struct Frame
{
    Header header;
    FrameKind kind = FrameKind::Ata;
    // True when the command-specific arg below was decoded. Always true for a
    // successfully parsed frame, except error responses whose peers send only
    // the common header (ggaoed does, §3).
    bool hasArg = false;
    AtaArg ata; // kind == Ata
    ConfigArg config; // kind == QueryConfig
    MacMaskArg macMask; // kind == MacMaskList
    ReserveArg reserve; // kind == ReserveRelease
    // Every byte after the common header (padding included).
    std::span<const std::uint8_t> arg;
    // ATA only. A write request: exactly sectorCount * 512 bytes (padding cut
    // off). Other requests: empty. Responses: every byte after the ATA header,
    // which for short responses is Ethernet padding: the initiator, which
    // knows how much it asked for, decides.
    std::span<const std::uint8_t> data;
    std::uint32_t anomalies = 0;
};

enum class ParseError : std::uint8_t {
    Ok = 0,
    FrameTooShort, // less than the 24-byte common header
    NotAoe, // EtherType is not 0x88A2
    UnsupportedVersion, // Ver != 1
    UnrecognizedCommand, // command 4-239
    AtaArgTruncated, // < 36 bytes
    AtaWriteDataShort, // W set and less than sectorCount * 512 bytes of data
    ConfigArgTruncated, // < 32 bytes
    ConfigStringTooLong, // length field > 1024
    ConfigStringTruncated, // length field > bytes present
    ConfigCommandUnknown, // CCmd > 4
    MacMaskArgTruncated, // < 28 bytes
    MacMaskDirectivesTruncated, // Dir Count * 8 > bytes present
    MacMaskCommandUnknown, // MCmd > 1
    ReserveArgTruncated, // < 26 bytes
    ReserveMacsTruncated, // NMacs * 6 > bytes present
    ReserveCommandUnknown, // RCmd > 2
};

// A sentence a person can act on, e.g. "Query Config string length 1100 exceeds the 1024-byte
// maximum".
const char *parseErrorText(ParseError error);
// The AoE error a target answers a request failing with `error` with;
// ErrorCode::None means the frame must be dropped without an answer.
ErrorCode responseErrorFor(ParseError error);

// Parses one Ethernet frame. On failure `out->header` is still filled in
// whenever at least the common header was present (so a target can address an
// error response), and the return value says what is wrong.
ParseError parseFrame(std::span<const std::uint8_t> frame, Frame *out);

// --- building ---------------------------------------------------------------
// Every builder returns the frame length written (>= MinFrameSize, zero
// padded), or 0 when `out` is too small or an argument cannot be encoded
// (config string over 1024 bytes, more than 255 directives or MACs).

// The header of a response to `request`: addresses swapped with `ourMac` as
// source, R set, E cleared, our own shelf/slot (requests may be wildcards),
// same command and tag.
Header responseHeader(const Header &request, const MacAddress &ourMac, std::uint16_t shelf,
                      std::uint8_t slot);

std::size_t buildAta(std::span<std::uint8_t> out, const Header &header, const AtaArg &ata,
                     std::span<const std::uint8_t> data = {});
// Same, for data the caller already placed at out[AtaHeaderSize...] (reads
// straight from disk into the transmit buffer).
std::size_t buildAtaInPlace(std::span<std::uint8_t> out, const Header &header, const AtaArg &ata,
                            std::size_t dataLength);
std::size_t buildConfig(std::span<std::uint8_t> out, const Header &header, const ConfigArg &config);
std::size_t buildMacMask(std::span<std::uint8_t> out, const Header &header, std::uint8_t command,
                         std::uint8_t error, std::span<const MacMaskDirective> directives);
std::size_t buildReserve(std::span<std::uint8_t> out, const Header &header, std::uint8_t command,
                         std::span<const MacAddress> macs);
// A header followed by an opaque arg: vendor commands, and AoE error
// responses that echo the request's arg.
std::size_t buildRaw(std::span<std::uint8_t> out, const Header &header,
                     std::span<const std::uint8_t> arg);

// The two questions every initiator side of Etherdisk asks (discovery, probe
// and the userspace initiator build them here and nowhere else), from
// `source` to `destination` (BroadcastMac, or one target's MAC) about
// shelf.slot (wildcards allowed for Query Config) with `tag`:
// - Query Config read (§5): every config field zero, no config string.
// - ATA IDENTIFY DEVICE (§4): no AFlags, sector count 1, command 0xEC, LBA
//   bytes zero except lba3 = 0xA0 (device/head register: the obsolete bits
//   set), exactly as the Linux driver's aoecmd_ata_id sends it. `padding`
//   bytes follow the ATA header (probe measures how large a frame reaches
//   the target); a target ignores data on a non-write command.
std::size_t buildQueryConfigRequest(std::span<std::uint8_t> out, const MacAddress &source,
                                    const MacAddress &destination, std::uint16_t shelf,
                                    std::uint8_t slot, std::uint32_t tag);
std::size_t buildIdentifyRequest(std::span<std::uint8_t> out, const MacAddress &source,
                                 const MacAddress &destination, std::uint16_t shelf,
                                 std::uint8_t slot, std::uint32_t tag,
                                 std::span<const std::uint8_t> padding = {});

// Largest number of data sectors one ATA frame carries on a link of `mtu`
// bytes: floor((mtu - 36) / 512), capped at 255 (the Sector Count is 8 bits).
// 36 is what vblade, ggaoed and Linux subtract (§4.3): interoperable, if 14
// bytes conservative. 0 when not even one sector fits.
std::uint8_t maxSectorsForMtu(unsigned mtu);

} // namespace Etherdisk::Aoe
