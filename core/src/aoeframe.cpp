// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later

#include "etherdisk/aoeframe.h"

#include <algorithm>
#include <cstring>

namespace Etherdisk::Aoe {

namespace {

    std::uint16_t getBe16(const std::uint8_t *p)
    {
        return static_cast<std::uint16_t>((p[0] << 8) | p[1]);
    }

    std::uint32_t getBe32(const std::uint8_t *p)
    {
        return (std::uint32_t(p[0]) << 24) | (std::uint32_t(p[1]) << 16)
            | (std::uint32_t(p[2]) << 8) | std::uint32_t(p[3]);
    }

    void putBe16(std::uint8_t *p, std::uint16_t v)
    {
        p[0] = static_cast<std::uint8_t>(v >> 8);
        p[1] = static_cast<std::uint8_t>(v);
    }

    void putBe32(std::uint8_t *p, std::uint32_t v)
    {
        p[0] = static_cast<std::uint8_t>(v >> 24);
        p[1] = static_cast<std::uint8_t>(v >> 16);
        p[2] = static_cast<std::uint8_t>(v >> 8);
        p[3] = static_cast<std::uint8_t>(v);
    }

    MacAddress getMac(const std::uint8_t *p)
    {
        MacAddress mac;
        std::memcpy(mac.data(), p, MacSize);
        return mac;
    }

    void parseHeader(const std::uint8_t *p, Header *h)
    {
        h->destination = getMac(p);
        h->source = getMac(p + 6);
        h->version = p[14] >> 4;
        h->flags = p[14] & 0x0F;
        h->error = p[15];
        h->shelf = getBe16(p + 16);
        h->slot = p[18];
        h->command = p[19];
        h->tag = getBe32(p + 20);
    }

    void writeHeader(std::uint8_t *p, const Header &h)
    {
        std::memcpy(p, h.destination.data(), MacSize);
        std::memcpy(p + 6, h.source.data(), MacSize);
        putBe16(p + 12, EtherType);
        p[14] = static_cast<std::uint8_t>((h.version << 4) | (h.flags & 0x0F));
        p[15] = h.error;
        putBe16(p + 16, h.shelf);
        p[18] = h.slot;
        p[19] = h.command;
        putBe32(p + 20, h.tag);
    }

    // Zero-fills up to the Ethernet minimum and returns the final length.
    std::size_t finish(std::span<std::uint8_t> out, std::size_t length)
    {
        if (length < MinFrameSize) {
            std::memset(out.data() + length, 0, MinFrameSize - length);
            return MinFrameSize;
        }
        return length;
    }

    // Room for `length` bytes and for the padding up to the minimum.
    bool fits(std::span<std::uint8_t> out, std::size_t length)
    {
        return out.size() >= std::max(length, MinFrameSize);
    }

    ParseError parseAta(std::span<const std::uint8_t> f, Frame *out)
    {
        if (f.size() < AtaHeaderSize)
            return ParseError::AtaArgTruncated;
        AtaArg &a = out->ata;
        const std::uint8_t *p = f.data() + CommonHeaderSize;
        a.aflags = p[0];
        a.errFeature = p[1];
        a.sectorCount = p[2];
        a.cmdStatus = p[3];
        a.lba = 0;
        for (int i = 5; i >= 0; --i)
            a.lba = (a.lba << 8) | p[4 + i];
        a.reserved = getBe16(p + 10);
        if (a.aflags & AtaFlagsReservedMask)
            out->anomalies |= AnomalyAtaFlagsReserved;
        if (a.reserved)
            out->anomalies |= AnomalyAtaReserved;

        const auto rest = f.subspan(AtaHeaderSize);
        if (out->header.isResponse()) {
            out->data = rest;
        } else if (a.isWrite()) {
            const std::size_t need = std::size_t(a.sectorCount) * SectorSize;
            if (rest.size() < need)
                return ParseError::AtaWriteDataShort;
            out->data = rest.first(need);
        } else {
            out->data = {};
        }
        return ParseError::Ok;
    }

    ParseError parseConfig(std::span<const std::uint8_t> f, Frame *out)
    {
        if (f.size() < ConfigHeaderSize)
            return ParseError::ConfigArgTruncated;
        ConfigArg &c = out->config;
        const std::uint8_t *p = f.data() + CommonHeaderSize;
        c.bufferCount = getBe16(p);
        c.firmwareVersion = getBe16(p + 2);
        c.sectorCount = p[4];
        c.aoeVersion = p[5] >> 4;
        c.command = p[5] & 0x0F;
        const std::size_t length = getBe16(p + 6);
        if (c.aoeVersion != ProtocolVersion)
            out->anomalies |= AnomalyConfigVersion;
        if (length > MaxConfigStringLength)
            return ParseError::ConfigStringTooLong;
        if (length > f.size() - ConfigHeaderSize)
            return ParseError::ConfigStringTruncated;
        c.configString = f.subspan(ConfigHeaderSize, length);
        if (c.command > ConfigCommandMax)
            return ParseError::ConfigCommandUnknown;
        return ParseError::Ok;
    }

    ParseError parseMacMask(std::span<const std::uint8_t> f, Frame *out)
    {
        if (f.size() < MacMaskHeaderSize)
            return ParseError::MacMaskArgTruncated;
        MacMaskArg &m = out->macMask;
        const std::uint8_t *p = f.data() + CommonHeaderSize;
        m.reserved = p[0];
        m.command = p[1];
        m.error = p[2];
        m.directiveCount = p[3];
        if (m.reserved)
            out->anomalies |= AnomalyMacMaskReserved;
        const std::size_t need = std::size_t(m.directiveCount) * MacMaskDirectiveSize;
        if (need > f.size() - MacMaskHeaderSize)
            return ParseError::MacMaskDirectivesTruncated;
        m.directiveBytes = f.subspan(MacMaskHeaderSize, need);
        for (std::size_t i = 0; i < m.directiveCount; ++i) {
            if (m.directiveBytes[i * MacMaskDirectiveSize] != 0)
                out->anomalies |= AnomalyDirectiveReserved;
        }
        if (m.command > static_cast<std::uint8_t>(MacMaskCommand::Edit))
            return ParseError::MacMaskCommandUnknown;
        return ParseError::Ok;
    }

    ParseError parseReserve(std::span<const std::uint8_t> f, Frame *out)
    {
        if (f.size() < ReserveHeaderSize)
            return ParseError::ReserveArgTruncated;
        ReserveArg &r = out->reserve;
        const std::uint8_t *p = f.data() + CommonHeaderSize;
        r.command = p[0];
        r.macCount = p[1];
        const std::size_t need = std::size_t(r.macCount) * MacSize;
        if (need > f.size() - ReserveHeaderSize)
            return ParseError::ReserveMacsTruncated;
        r.macBytes = f.subspan(ReserveHeaderSize, need);
        if (r.command > ReserveCommandMax)
            return ParseError::ReserveCommandUnknown;
        return ParseError::Ok;
    }

} // namespace

std::string targetName(std::uint16_t shelf, std::uint8_t slot)
{
    return "e" + std::to_string(shelf) + "." + std::to_string(slot);
}

std::string formatByte(std::uint8_t value)
{
    static const char hex[] = "0123456789abcdef";
    return { '0', 'x', hex[value >> 4], hex[value & 0xF] };
}

std::string formatMac(const MacAddress &mac)
{
    static const char hex[] = "0123456789abcdef";
    std::string s;
    s.reserve(17);
    for (std::size_t i = 0; i < MacSize; ++i) {
        if (i)
            s += ':';
        s += hex[mac[i] >> 4];
        s += hex[mac[i] & 0xF];
    }
    return s;
}

bool parseMac(std::string_view text, MacAddress *out)
{
    auto nibble = [](char c) -> int {
        if (c >= '0' && c <= '9')
            return c - '0';
        if (c >= 'a' && c <= 'f')
            return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
            return c - 'A' + 10;
        return -1;
    };
    MacAddress mac{};
    std::size_t pos = 0;
    const bool separated = text.size() == 17;
    if (!separated && text.size() != 12)
        return false;
    for (std::size_t i = 0; i < MacSize; ++i) {
        if (separated && i > 0) {
            const char sep = text[pos++];
            if (sep != ':' && sep != '-')
                return false;
            if (sep != text[2])
                return false; // one separator style throughout
        }
        const int hi = nibble(text[pos]);
        const int lo = nibble(text[pos + 1]);
        if (hi < 0 || lo < 0)
            return false;
        mac[i] = static_cast<std::uint8_t>((hi << 4) | lo);
        pos += 2;
    }
    *out = mac;
    return true;
}

const char *errorCodeName(ErrorCode code)
{
    switch (code) {
    case ErrorCode::None:
        return "no error";
    case ErrorCode::UnrecognizedCommand:
        return "unrecognized command code";
    case ErrorCode::BadArgument:
        return "bad argument parameter";
    case ErrorCode::DeviceUnavailable:
        return "device unavailable";
    case ErrorCode::ConfigStringPresent:
        return "config string present";
    case ErrorCode::UnsupportedVersion:
        return "unsupported version";
    case ErrorCode::TargetReserved:
        return "target is reserved";
    }
    return "unknown error code";
}

const char *parseErrorText(ParseError error)
{
    switch (error) {
    case ParseError::Ok:
        return "ok";
    case ParseError::FrameTooShort:
        return "frame shorter than the 24-byte Ethernet + AoE header";
    case ParseError::NotAoe:
        return "EtherType is not 0x88A2 (not an AoE frame)";
    case ParseError::UnsupportedVersion:
        return "AoE version is not 1";
    case ParseError::UnrecognizedCommand:
        return "command code is not 0-3 and not vendor-specific (240-255)";
    case ParseError::AtaArgTruncated:
        return "ATA command frame shorter than its 12-byte ATA header";
    case ParseError::AtaWriteDataShort:
        return "ATA write carries fewer than sector count x 512 data bytes";
    case ParseError::ConfigArgTruncated:
        return "Query Config frame shorter than its 8-byte argument";
    case ParseError::ConfigStringTooLong:
        return "Query Config string length exceeds the 1024-byte maximum";
    case ParseError::ConfigStringTruncated:
        return "Query Config string length exceeds the bytes in the frame";
    case ParseError::ConfigCommandUnknown:
        return "Query Config sub-command (CCmd) is not 0-4";
    case ParseError::MacMaskArgTruncated:
        return "Mac Mask List frame shorter than its 4-byte argument";
    case ParseError::MacMaskDirectivesTruncated:
        return "Mac Mask List directive count exceeds the directives in the frame";
    case ParseError::MacMaskCommandUnknown:
        return "Mac Mask List command (MCmd) is not 0 (read) or 1 (edit)";
    case ParseError::ReserveArgTruncated:
        return "Reserve/Release frame shorter than its 2-byte argument";
    case ParseError::ReserveMacsTruncated:
        return "Reserve/Release MAC count exceeds the addresses in the frame";
    case ParseError::ReserveCommandUnknown:
        return "Reserve/Release command (RCmd) is not 0-2";
    }
    return "unknown parse error";
}

ErrorCode responseErrorFor(ParseError error)
{
    switch (error) {
    case ParseError::Ok:
    case ParseError::FrameTooShort:
    case ParseError::NotAoe:
        return ErrorCode::None;
    case ParseError::UnsupportedVersion:
        return ErrorCode::UnsupportedVersion;
    case ParseError::UnrecognizedCommand:
        return ErrorCode::UnrecognizedCommand;
    case ParseError::AtaArgTruncated:
    case ParseError::AtaWriteDataShort:
    case ParseError::ConfigArgTruncated:
    case ParseError::ConfigStringTooLong:
    case ParseError::ConfigStringTruncated:
    case ParseError::ConfigCommandUnknown:
    case ParseError::MacMaskArgTruncated:
    case ParseError::MacMaskDirectivesTruncated:
    case ParseError::MacMaskCommandUnknown:
    case ParseError::ReserveArgTruncated:
    case ParseError::ReserveMacsTruncated:
    case ParseError::ReserveCommandUnknown:
        return ErrorCode::BadArgument;
    }
    return ErrorCode::None;
}

MacMaskDirective MacMaskArg::directive(std::size_t index) const
{
    MacMaskDirective d;
    if (index >= directiveCount)
        return d;
    const std::uint8_t *p = directiveBytes.data() + index * MacMaskDirectiveSize;
    d.reserved = p[0];
    d.command = p[1];
    d.mac = getMac(p + 2);
    return d;
}

MacAddress ReserveArg::mac(std::size_t index) const
{
    if (index >= macCount)
        return {};
    return getMac(macBytes.data() + index * MacSize);
}

ParseError parseFrame(std::span<const std::uint8_t> frame, Frame *out)
{
    *out = Frame{};
    if (frame.size() < CommonHeaderSize)
        return ParseError::FrameTooShort;
    if (getBe16(frame.data() + 12) != EtherType)
        return ParseError::NotAoe;
    Header &h = out->header;
    parseHeader(frame.data(), &h);
    out->arg = frame.subspan(CommonHeaderSize);
    if (h.flags & FlagsReservedMask)
        out->anomalies |= AnomalyFlagsReserved;
    if (h.error && !h.isError())
        out->anomalies |= AnomalyErrorWithoutFlag;
    if (h.version != ProtocolVersion)
        return ParseError::UnsupportedVersion;

    ParseError result = ParseError::Ok;
    switch (h.command) {
    case static_cast<std::uint8_t>(Command::Ata):
        out->kind = FrameKind::Ata;
        result = parseAta(frame, out);
        break;
    case static_cast<std::uint8_t>(Command::QueryConfig):
        out->kind = FrameKind::QueryConfig;
        result = parseConfig(frame, out);
        break;
    case static_cast<std::uint8_t>(Command::MacMaskList):
        out->kind = FrameKind::MacMaskList;
        result = parseMacMask(frame, out);
        break;
    case static_cast<std::uint8_t>(Command::ReserveRelease):
        out->kind = FrameKind::ReserveRelease;
        result = parseReserve(frame, out);
        break;
    default:
        if (!h.isVendorCommand())
            return ParseError::UnrecognizedCommand;
        out->kind = FrameKind::Vendor;
        out->hasArg = true;
        return ParseError::Ok;
    }
    if (result == ParseError::Ok) {
        out->hasArg = true;
        return result;
    }
    // An error response may carry only the common header, or a partial echo
    // of the request: the header alone is the message.
    if (h.isResponse() && h.isError()) {
        out->anomalies |= AnomalyErrorResponseArgMissing;
        out->ata = {};
        out->config = {};
        out->macMask = {};
        out->reserve = {};
        out->data = {};
        return ParseError::Ok;
    }
    return result;
}

Header responseHeader(const Header &request, const MacAddress &ourMac, std::uint16_t shelf,
                      std::uint8_t slot)
{
    Header h;
    h.destination = request.source;
    h.source = ourMac;
    h.version = ProtocolVersion;
    h.flags = FlagResponse;
    h.error = 0;
    h.shelf = shelf;
    h.slot = slot;
    h.command = request.command;
    h.tag = request.tag;
    return h;
}

std::size_t buildAtaInPlace(std::span<std::uint8_t> out, const Header &header, const AtaArg &a,
                            std::size_t dataLength)
{
    const std::size_t length = AtaHeaderSize + dataLength;
    if (dataLength > out.size() || !fits(out, length))
        return 0;
    std::uint8_t *p = out.data();
    writeHeader(p, header);
    p += CommonHeaderSize;
    p[0] = a.aflags;
    p[1] = a.errFeature;
    p[2] = a.sectorCount;
    p[3] = a.cmdStatus;
    for (int i = 0; i < 6; ++i)
        p[4 + i] = static_cast<std::uint8_t>(a.lba >> (8 * i));
    putBe16(p + 10, a.reserved);
    return finish(out, length);
}

std::size_t buildAta(std::span<std::uint8_t> out, const Header &header, const AtaArg &a,
                     std::span<const std::uint8_t> data)
{
    if (data.size() > out.size() || !fits(out, AtaHeaderSize + data.size()))
        return 0;
    if (!data.empty())
        std::memmove(out.data() + AtaHeaderSize, data.data(), data.size());
    return buildAtaInPlace(out, header, a, data.size());
}

std::size_t buildConfig(std::span<std::uint8_t> out, const Header &header, const ConfigArg &c)
{
    const std::size_t n = c.configString.size();
    if (n > MaxConfigStringLength || !fits(out, ConfigHeaderSize + n))
        return 0;
    std::uint8_t *p = out.data();
    writeHeader(p, header);
    p += CommonHeaderSize;
    putBe16(p, c.bufferCount);
    putBe16(p + 2, c.firmwareVersion);
    p[4] = c.sectorCount;
    p[5] = static_cast<std::uint8_t>((c.aoeVersion << 4) | (c.command & 0x0F));
    putBe16(p + 6, static_cast<std::uint16_t>(n));
    if (n)
        std::memmove(p + 8, c.configString.data(), n);
    return finish(out, ConfigHeaderSize + n);
}

namespace {

    Header requestHeader(const MacAddress &source, const MacAddress &destination,
                         std::uint16_t shelf, std::uint8_t slot, Command command, std::uint32_t tag)
    {
        Header h;
        h.destination = destination;
        h.source = source;
        h.shelf = shelf;
        h.slot = slot;
        h.command = std::uint8_t(command);
        h.tag = tag;
        return h;
    }

} // namespace

std::size_t buildQueryConfigRequest(std::span<std::uint8_t> out, const MacAddress &source,
                                    const MacAddress &destination, std::uint16_t shelf,
                                    std::uint8_t slot, std::uint32_t tag)
{
    return buildConfig(out,
                       requestHeader(source, destination, shelf, slot, Command::QueryConfig, tag),
                       ConfigArg{});
}

std::size_t buildIdentifyRequest(std::span<std::uint8_t> out, const MacAddress &source,
                                 const MacAddress &destination, std::uint16_t shelf,
                                 std::uint8_t slot, std::uint32_t tag,
                                 std::span<const std::uint8_t> padding)
{
    AtaArg a;
    a.sectorCount = 1;
    a.cmdStatus = 0xEC; // IDENTIFY DEVICE
    a.lba = 0xA0000000u; // lba3 = 0xA0
    return buildAta(out, requestHeader(source, destination, shelf, slot, Command::Ata, tag), a,
                    padding);
}

std::size_t buildMacMask(std::span<std::uint8_t> out, const Header &header, std::uint8_t command,
                         std::uint8_t error, std::span<const MacMaskDirective> directives)
{
    if (directives.size() > 255)
        return 0;
    const std::size_t length = MacMaskHeaderSize + directives.size() * MacMaskDirectiveSize;
    if (!fits(out, length))
        return 0;
    std::uint8_t *p = out.data();
    writeHeader(p, header);
    p += CommonHeaderSize;
    p[0] = 0;
    p[1] = command;
    p[2] = error;
    p[3] = static_cast<std::uint8_t>(directives.size());
    p += 4;
    for (const MacMaskDirective &d : directives) {
        p[0] = d.reserved;
        p[1] = d.command;
        std::memcpy(p + 2, d.mac.data(), MacSize);
        p += MacMaskDirectiveSize;
    }
    return finish(out, length);
}

std::size_t buildReserve(std::span<std::uint8_t> out, const Header &header, std::uint8_t command,
                         std::span<const MacAddress> macs)
{
    if (macs.size() > 255)
        return 0;
    const std::size_t length = ReserveHeaderSize + macs.size() * MacSize;
    if (!fits(out, length))
        return 0;
    std::uint8_t *p = out.data();
    writeHeader(p, header);
    p += CommonHeaderSize;
    p[0] = command;
    p[1] = static_cast<std::uint8_t>(macs.size());
    p += 2;
    for (const MacAddress &mac : macs) {
        std::memcpy(p, mac.data(), MacSize);
        p += MacSize;
    }
    return finish(out, length);
}

std::size_t buildRaw(std::span<std::uint8_t> out, const Header &header,
                     std::span<const std::uint8_t> arg)
{
    const std::size_t length = CommonHeaderSize + arg.size();
    if (!fits(out, length))
        return 0;
    if (!arg.empty())
        std::memmove(out.data() + CommonHeaderSize, arg.data(), arg.size());
    writeHeader(out.data(), header);
    return finish(out, length);
}

std::uint8_t maxSectorsForMtu(unsigned mtu)
{
    if (mtu < AtaHeaderSize + SectorSize)
        return 0;
    return static_cast<std::uint8_t>(std::min<unsigned>(255, (mtu - AtaHeaderSize) / SectorSize));
}

} // namespace Etherdisk::Aoe
