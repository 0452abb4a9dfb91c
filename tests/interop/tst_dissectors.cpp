// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
//
// Independent dissectors decode every frame kind the codec builds.
//
// One frame of every kind (ATA requests and responses, Query Config, Mac Mask
// List, Reserve/Release, AoE errors 1-6, vendor command, broadcast, jumbo) is
// built with the codec's builders, written to a pcap and read back by
// Wireshark's `aoe` dissector (tshark -T fields) and tcpdump's print-aoe.c
// (tcpdump -vv). Every field either decodes must equal what the table below
// says was set. Field names and formats: aoe-protocol.md §10 and tcpdump's
// print-aoe.c; checked against tshark 4.0.17 and tcpdump 4.99.3.
//
// Dissector limitations this suite works around (not codec bugs):
//  * tshark decodes only the common header of commands 1-3 (§10), so for them
//    only the header fields are compared; tcpdump checks their bodies.
//  * tcpdump counts Ethernet padding as part of a Reserve/Release arg and
//    reports "(invalid)" for every padded (shorter than 60 bytes before
//    padding, i.e. fewer than 6 MACs) Reserve/Release frame. Such frames are
//    also written, cut to their length before padding, to a second pcap whose
//    tcpdump decode is checked in full.
//  * tcpdump has no name for MError 0 and prints "Unknown (0x00)".

#include "etherdisk/aoeframe.h"
#include "etherdisk/ata.h"
#include "pcapfile.h"
#include "peers.h"
#include "process.h"
#include "testutil.h"

#include <QByteArray>
#include <QDir>
#include <QProcess>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <vector>

using namespace Etherdisk;
using namespace Etherdisk::Aoe;

namespace {

const MacAddress Initiator = { 0x02, 0xed, 0x00, 0x00, 0x00, 0x01 };
const MacAddress Target = { 0x02, 0xed, 0x00, 0x00, 0x00, 0x02 };
// Shelf and slot with distinct bytes, so a byte-order slip shows.
constexpr std::uint16_t Shelf = 0x1a2b;
constexpr std::uint8_t Slot = 0x3c;

MacAddress mac(std::uint8_t a, std::uint8_t b)
{
    return { 0x02, 0xae, 0x00, 0x00, a, b };
}

std::vector<std::uint8_t> pattern(std::size_t size, std::uint8_t seed)
{
    std::vector<std::uint8_t> v(size);
    for (std::size_t i = 0; i < size; ++i)
        v[i] = static_cast<std::uint8_t>(seed + i * 7 + (i >> 9));
    return v;
}

enum class Kind { Ata, Config, MacMask, Reserve, Raw };

// One frame of the table: what was built and what a dissector must show.
struct Expected
{
    QByteArray name;
    Kind kind = Kind::Raw;
    EtherdiskTest::Packet frame; // as built: padded to 60 bytes
    std::size_t logicalLength = 0; // header + arg + data, without padding
    Header header;
    // Kind::Ata
    AtaArg ata;
    std::size_t dataLength = 0;
    int requestFrame = 0; // frame number of the request a response answers (same tag)
    // Kind::Config
    std::uint16_t bufferCount = 0;
    std::uint16_t firmwareVersion = 0;
    std::uint8_t configSectors = 0;
    std::uint8_t ccmd = 0;
    QByteArray configString;
    // Kind::MacMask
    std::uint8_t mcmd = 0;
    std::uint8_t merror = 0;
    std::vector<MacMaskDirective> directives;
    // Kind::Reserve
    std::uint8_t rcmd = 0;
    std::vector<MacAddress> macs;
};

// tshark -T fields columns, in this order.
const QStringList TsharkFields = {
    QStringLiteral("frame.number"),     QStringLiteral("aoe.version"),
    QStringLiteral("aoe.response"),     QStringLiteral("aoe.flags_error"),
    QStringLiteral("aoe.error"),        QStringLiteral("aoe.major"),
    QStringLiteral("aoe.minor"),        QStringLiteral("aoe.cmd"),
    QStringLiteral("aoe.tag"),          QStringLiteral("aoe.aflags.e"),
    QStringLiteral("aoe.aflags.d"),     QStringLiteral("aoe.aflags.a"),
    QStringLiteral("aoe.aflags.w"),     QStringLiteral("aoe.err_feature"),
    QStringLiteral("aoe.sector_count"), QStringLiteral("aoe.ata.cmd"),
    QStringLiteral("aoe.ata.status"),   QStringLiteral("aoe.lba"),
    QStringLiteral("aoe.response_to"),  QStringLiteral("_ws.malformed"),
    QStringLiteral("_ws.expert"),
};
// Boolean fields: tshark 4.0 prints 1/0, later versions True/False.
const QStringList TsharkBooleans = {
    QStringLiteral("aoe.response"), QStringLiteral("aoe.flags_error"),
    QStringLiteral("aoe.aflags.e"), QStringLiteral("aoe.aflags.d"),
    QStringLiteral("aoe.aflags.a"), QStringLiteral("aoe.aflags.w"),
};

QString hexField(unsigned value, int digits)
{
    return QStringLiteral("0x%1").arg(value, digits, 16, QLatin1Char('0'));
}

QString boolField(bool value)
{
    return value ? QStringLiteral("1") : QStringLiteral("0");
}

QString macText(const MacAddress &m)
{
    return QString::fromStdString(formatMac(m));
}

// tcpdump print-aoe.c names.
QString tcpdumpCommand(std::uint8_t command)
{
    switch (command) {
    case 0:
        return QStringLiteral("Issue ATA Command");
    case 1:
        return QStringLiteral("Query Config Information");
    case 2:
        return QStringLiteral("MAC Mask List");
    case 3:
        return QStringLiteral("Reserve/Release");
    default:
        return QStringLiteral("Unknown (%1)").arg(hexField(command, 2));
    }
}

QString tcpdumpError(std::uint8_t error)
{
    switch (error) {
    case 1:
        return QStringLiteral("Unrecognized command code");
    case 2:
        return QStringLiteral("Bad argument parameter");
    case 3:
        return QStringLiteral("Device unavailable");
    case 4:
        return QStringLiteral("Config string present");
    case 5:
        return QStringLiteral("Unsupported version");
    case 6:
        return QStringLiteral("Target is reserved");
    default:
        return QStringLiteral("Invalid (%1)").arg(error);
    }
}

QString tcpdumpFlags(std::uint8_t flags)
{
    QStringList names;
    if (flags & FlagResponse)
        names << QStringLiteral("Response");
    if (flags & FlagError)
        names << QStringLiteral("Error");
    return names.isEmpty() ? QStringLiteral("none") : names.join(QStringLiteral(", "));
}

QString tcpdumpAtaFlags(std::uint8_t aflags)
{
    static const std::array<std::pair<std::uint8_t, const char *>, 8> bits = { {
        { 0x80, "MBZ-7" },
        { AtaFlagExtended, "Ext48" },
        { 0x20, "MBZ-5" },
        { AtaFlagDevice, "Device" },
        { 0x08, "MBZ-3" },
        { 0x04, "MBZ-2" },
        { AtaFlagAsync, "Async" },
        { AtaFlagWrite, "Write" },
    } };
    QStringList names;
    for (const auto &[bit, name] : bits) {
        if (aflags & bit)
            names << QLatin1String(name);
    }
    return names.isEmpty() ? QStringLiteral("none") : names.join(QStringLiteral(", "));
}

QString tcpdumpCcmd(std::uint8_t ccmd)
{
    static const std::array<const char *, 5> names = {
        "read config string", "test config string",      "test config string prefix",
        "set config string",  "force set config string",
    };
    return QLatin1String(names.at(ccmd));
}

QString tcpdumpMcmd(std::uint8_t mcmd)
{
    return mcmd == 0 ? QStringLiteral("Read Mac Mask List") : QStringLiteral("Edit Mac Mask List");
}

QString tcpdumpMerror(std::uint8_t merror)
{
    switch (merror) {
    case 1:
        return QStringLiteral("Unspecified Error");
    case 2:
        return QStringLiteral("Bad DCmd directive");
    case 3:
        return QStringLiteral("Mask list full");
    default: // tcpdump has no name for 0 (no error)
        return QStringLiteral("Unknown (%1)").arg(hexField(merror, 2));
    }
}

QString tcpdumpDcmd(std::uint8_t dcmd)
{
    static const std::array<const char *, 3> names = {
        "No Directive",
        "Add mac address to mask list",
        "Delete mac address from mask list",
    };
    return QLatin1String(names.at(dcmd));
}

QString tcpdumpRcmd(std::uint8_t rcmd)
{
    static const std::array<const char *, 3> names = {
        "Read reserve list",
        "Set reserve list",
        "Force set reserve list",
    };
    return QLatin1String(names.at(rcmd));
}

} // namespace

class tst_Dissectors final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void tableCoversEveryKind();
    void frameLengths_data();
    void frameLengths();
    void tshark_data();
    void tshark();
    void tcpdump_data();
    void tcpdump();
    void tcpdumpUnpaddedReserve_data();
    void tcpdumpUnpaddedReserve();

private:
    // Table building; each returns the frame number (1-based) of the new frame.
    Header request(std::uint8_t command, std::uint32_t tag) const;
    Header response(int requestFrame) const;
    Header errorResponse(const Header &request, ErrorCode code) const;
    int addAta(const char *name, const Header &header, const AtaArg &ata,
               const std::vector<std::uint8_t> &data = {}, int requestFrame = 0,
               bool inPlace = false);
    int addConfig(const char *name, const Header &header, std::uint16_t bufferCount,
                  std::uint16_t firmwareVersion, std::uint8_t sectors, ConfigCommand ccmd,
                  const QByteArray &configString);
    int addMacMask(const char *name, const Header &header, MacMaskCommand mcmd, MacMaskError merror,
                   const std::vector<MacMaskDirective> &directives);
    int addReserve(const char *name, const Header &header, ReserveCommand rcmd,
                   const std::vector<MacAddress> &macs);
    int addRaw(const char *name, const Header &header, const std::vector<std::uint8_t> &arg);
    int add(Expected e, std::size_t built, const std::vector<std::uint8_t> &buffer);
    void buildTable();

    QStringList expectedTshark(const Expected &e) const;
    void checkTcpdumpPacket(const Expected &e, const QByteArray &text, bool padded);
    static void addRows(const std::vector<Expected> &table, const std::vector<int> &indexes);
    bool isPaddedReserve(const Expected &e) const
    {
        return e.kind == Kind::Reserve && e.frame.size() > e.logicalLength;
    }

    std::vector<Expected> m_table;
    QStringList m_buildProblems;
    std::optional<QTemporaryDir> m_dir;
    QList<QStringList> m_tsharkRows;
    QList<QByteArray> m_tcpdumpPackets;
    std::vector<int> m_unpaddedReserve; // table indexes in the second pcap
    QList<QByteArray> m_tcpdumpUnpaddedPackets;
    int m_checks = 0;
};

Header tst_Dissectors::request(std::uint8_t command, std::uint32_t tag) const
{
    Header h;
    h.destination = Target;
    h.source = Initiator;
    h.shelf = Shelf;
    h.slot = Slot;
    h.command = command;
    h.tag = tag;
    return h;
}

Header tst_Dissectors::response(int requestFrame) const
{
    return responseHeader(m_table.at(std::size_t(requestFrame - 1)).header, Target, Shelf, Slot);
}

Header tst_Dissectors::errorResponse(const Header &req, ErrorCode code) const
{
    Header h = responseHeader(req, Target, Shelf, Slot);
    h.flags |= FlagError;
    h.error = static_cast<std::uint8_t>(code);
    return h;
}

int tst_Dissectors::add(Expected e, std::size_t built, const std::vector<std::uint8_t> &buffer)
{
    if (built == 0) {
        m_buildProblems
            << QStringLiteral("builder refused frame '%1'").arg(QString::fromLatin1(e.name));
        built = MinFrameSize; // keep the table aligned; the suite fails anyway
    }
    e.frame.assign(buffer.begin(), buffer.begin() + std::ptrdiff_t(built));
    m_table.push_back(std::move(e));
    return int(m_table.size());
}

int tst_Dissectors::addAta(const char *name, const Header &header, const AtaArg &ata,
                           const std::vector<std::uint8_t> &data, int requestFrame, bool inPlace)
{
    std::vector<std::uint8_t> buffer(16384, 0xEE);
    std::size_t n;
    if (inPlace) {
        std::copy(data.begin(), data.end(), buffer.begin() + AtaHeaderSize);
        n = buildAtaInPlace(buffer, header, ata, data.size());
    } else {
        n = buildAta(buffer, header, ata, data);
    }
    Expected e;
    e.name = name;
    e.kind = Kind::Ata;
    e.logicalLength = AtaHeaderSize + data.size();
    e.header = header;
    e.ata = ata;
    e.dataLength = data.size();
    e.requestFrame = requestFrame;
    return add(std::move(e), n, buffer);
}

int tst_Dissectors::addConfig(const char *name, const Header &header, std::uint16_t bufferCount,
                              std::uint16_t firmwareVersion, std::uint8_t sectors,
                              ConfigCommand ccmd, const QByteArray &configString)
{
    ConfigArg c;
    c.bufferCount = bufferCount;
    c.firmwareVersion = firmwareVersion;
    c.sectorCount = sectors;
    c.command = static_cast<std::uint8_t>(ccmd);
    c.configString = EtherdiskTest::bytes(configString);
    std::vector<std::uint8_t> buffer(4096, 0xEE);
    const std::size_t n = buildConfig(buffer, header, c);
    Expected e;
    e.name = name;
    e.kind = Kind::Config;
    e.logicalLength = ConfigHeaderSize + std::size_t(configString.size());
    e.header = header;
    e.bufferCount = bufferCount;
    e.firmwareVersion = firmwareVersion;
    e.configSectors = sectors;
    e.ccmd = c.command;
    e.configString = configString;
    return add(std::move(e), n, buffer);
}

int tst_Dissectors::addMacMask(const char *name, const Header &header, MacMaskCommand mcmd,
                               MacMaskError merror, const std::vector<MacMaskDirective> &directives)
{
    std::vector<std::uint8_t> buffer(4096, 0xEE);
    const std::size_t n = buildMacMask(buffer, header, static_cast<std::uint8_t>(mcmd),
                                       static_cast<std::uint8_t>(merror), directives);
    Expected e;
    e.name = name;
    e.kind = Kind::MacMask;
    e.logicalLength = MacMaskHeaderSize + directives.size() * MacMaskDirectiveSize;
    e.header = header;
    e.mcmd = static_cast<std::uint8_t>(mcmd);
    e.merror = static_cast<std::uint8_t>(merror);
    e.directives = directives;
    return add(std::move(e), n, buffer);
}

int tst_Dissectors::addReserve(const char *name, const Header &header, ReserveCommand rcmd,
                               const std::vector<MacAddress> &macs)
{
    std::vector<std::uint8_t> buffer(4096, 0xEE);
    const std::size_t n = buildReserve(buffer, header, static_cast<std::uint8_t>(rcmd), macs);
    Expected e;
    e.name = name;
    e.kind = Kind::Reserve;
    e.logicalLength = ReserveHeaderSize + macs.size() * MacSize;
    e.header = header;
    e.rcmd = static_cast<std::uint8_t>(rcmd);
    e.macs = macs;
    return add(std::move(e), n, buffer);
}

int tst_Dissectors::addRaw(const char *name, const Header &header,
                           const std::vector<std::uint8_t> &arg)
{
    std::vector<std::uint8_t> buffer(4096, 0xEE);
    const std::size_t n = buildRaw(buffer, header, arg);
    Expected e;
    e.name = name;
    e.kind = Kind::Raw;
    e.logicalLength = CommonHeaderSize + arg.size();
    e.header = header;
    return add(std::move(e), n, buffer);
}

void tst_Dissectors::buildTable()
{
    // Linux-style tags (bit 31 clear) for ATA, userland tags (bit 31 set) for
    // the rest. Every request/response pair has its own tag: Wireshark pairs
    // ATA responses with requests by tag and shows the request's opcode.
    std::uint32_t ataTag = 0x00012345;
    std::uint32_t userTag = 0x80000100;
    const auto nextAta = [&ataTag] { return ataTag += 0x00010101; };
    const auto nextUser = [&userTag] { return ++userTag; };

    // --- ATA (§4) ---
    AtaArg a;
    a.sectorCount = 2;
    a.cmdStatus = Ata::CmdReadSectors;
    a.lba = 0xEA1B2C3D; // LBA28 0x0A1B2C3D, device bits 0xE0 in lba3
    int req = addAta("read lba28 request", request(0, nextAta()), a);
    AtaArg r = a;
    r.sectorCount = 0;
    r.cmdStatus = Ata::StatusReady;
    addAta("read lba28 response", response(req), r, pattern(1024, 1), req, true);

    a = {};
    a.aflags = AtaFlagExtended | AtaFlagDevice;
    a.sectorCount = 2;
    a.cmdStatus = Ata::CmdReadSectorsExt;
    a.lba = 0x123456789ABC;
    req = addAta("read ext request", request(0, nextAta()), a);
    r = a;
    r.sectorCount = 0;
    r.cmdStatus = Ata::StatusReady;
    addAta("read ext response", response(req), r, pattern(1024, 2), req);

    a = {};
    a.aflags = AtaFlagExtended | AtaFlagWrite;
    a.sectorCount = 2;
    a.cmdStatus = Ata::CmdWriteSectorsExt;
    a.lba = 0x000001020304;
    req = addAta("write ext request", request(0, nextAta()), a, pattern(1024, 3));
    r = a;
    r.sectorCount = 0;
    r.cmdStatus = Ata::StatusReady;
    addAta("write ext response", response(req), r, {}, req);

    a = {};
    a.sectorCount = 1;
    a.cmdStatus = Ata::CmdIdentifyDevice;
    req = addAta("identify request", request(0, nextAta()), a);
    std::array<std::uint8_t, Ata::IdentifySize> page{};
    Ata::IdentifyInfo info;
    info.sectors = 2097152;
    info.model = "Etherdisk dissector test";
    info.serial = "6699.60:dissect";
    info.firmware = "ED1";
    Ata::buildIdentify(page, info);
    r = a;
    r.sectorCount = 0;
    r.cmdStatus = Ata::StatusReady;
    addAta("identify response", response(req), r, { page.begin(), page.end() }, req);

    a = {};
    a.cmdStatus = Ata::CmdFlushCache;
    req = addAta("flush cache request", request(0, nextAta()), a);
    r = a;
    r.cmdStatus = Ata::StatusReady;
    addAta("flush cache response", response(req), r, {}, req);

    a = {};
    a.aflags = AtaFlagExtended;
    a.cmdStatus = Ata::CmdFlushCacheExt;
    req = addAta("flush cache ext request", request(0, nextAta()), a);
    r = a;
    r.cmdStatus = Ata::StatusReady | Ata::StatusError;
    r.errFeature = Ata::ErrorAborted;
    addAta("flush cache ext ABRT response", response(req), r, {}, req);

    a = {};
    a.cmdStatus = Ata::CmdCheckPowerMode;
    req = addAta("check power mode request", request(0, nextAta()), a);
    r = a;
    r.sectorCount = Ata::PowerModeActive;
    r.cmdStatus = Ata::StatusReady;
    addAta("check power mode response", response(req), r, {}, req);

    a = {};
    a.aflags = AtaFlagExtended;
    a.sectorCount = 2;
    a.cmdStatus = Ata::CmdReadSectorsExt;
    a.lba = 0x0000FFFFFFF0;
    req = addAta("read ext beyond end request", request(0, nextAta()), a);
    r = a;
    r.cmdStatus = Ata::StatusReady | Ata::StatusError;
    r.errFeature = Ata::ErrorIdNotFound;
    addAta("read ext IDNF response", response(req), r, {}, req);

    a = {};
    a.aflags = AtaFlagExtended;
    a.sectorCount = 17;
    a.cmdStatus = Ata::CmdReadSectorsExt;
    a.lba = 0x0000DEADBEEF;
    req = addAta("jumbo read ext 17 sectors request", request(0, nextAta()), a);
    r = a;
    r.sectorCount = 0;
    r.cmdStatus = Ata::StatusReady;
    addAta("jumbo read ext 17 sectors response", response(req), r, pattern(17 * 512, 4), req, true);

    a = {};
    a.aflags = AtaFlagExtended | AtaFlagAsync | AtaFlagWrite;
    a.sectorCount = 17;
    a.cmdStatus = Ata::CmdWriteSectorsExt;
    a.lba = 0x7FFF00000011;
    req = addAta("jumbo async write ext 17 sectors request", request(0, nextAta()), a,
                 pattern(17 * 512, 5));
    r = a;
    r.sectorCount = 0;
    r.cmdStatus = Ata::StatusReady;
    addAta("jumbo async write ext response", response(req), r, {}, req);

    // --- Query Config (§5) ---
    const QByteArray current("rack-3/etherdisk");
    Header discovery = request(1, 0); // Linux discovers with tag 0
    discovery.destination = BroadcastMac;
    discovery.shelf = BroadcastShelf;
    discovery.slot = BroadcastSlot;
    req = addConfig("broadcast discovery request", discovery, 0, 0, 0, ConfigCommand::Read, {});
    addConfig("discovery response", response(req), 16, 0x4019, 2, ConfigCommand::Read, current);

    req = addConfig("config read request", request(1, nextUser()), 0, 0, 0, ConfigCommand::Read,
                    "ignored by read");
    addConfig("config read response 1024-byte string", response(req), 64, 0x0100, 17,
              ConfigCommand::Read, QByteArray(1024, 'x'));
    req = addConfig("config test request", request(1, nextUser()), 0, 0, 0, ConfigCommand::Test,
                    current);
    addConfig("config test response", response(req), 64, 0x0100, 17, ConfigCommand::Test, current);
    req = addConfig("config test prefix request", request(1, nextUser()), 0, 0, 0,
                    ConfigCommand::TestPrefix, "rack-3/");
    addConfig("config test prefix response", response(req), 65535, 65535, 255,
              ConfigCommand::TestPrefix, current);
    req = addConfig("config set request", request(1, nextUser()), 0, 0, 0, ConfigCommand::Set,
                    "rack-9/other");
    addConfig("config set error 4 response",
              errorResponse(m_table.back().header, ErrorCode::ConfigStringPresent), 16, 0x4019, 2,
              ConfigCommand::Set, current);
    req = addConfig("config force set request", request(1, nextUser()), 0, 0, 0,
                    ConfigCommand::ForceSet, "rack-4/moved");
    addConfig("config force set response", response(req), 16, 0x4019, 2, ConfigCommand::ForceSet,
              "rack-4/moved");

    // --- Mac Mask List (§6) ---
    const MacAddress m1 = mac(0x00, 0x0a), m2 = mac(0x00, 0x0b), m3 = mac(0xf0, 0x0c);
    req = addMacMask("mask read request", request(2, nextUser()), MacMaskCommand::Read,
                     MacMaskError::None, {});
    addMacMask("mask read response", response(req), MacMaskCommand::Read, MacMaskError::None,
               { { 0, 0, m1 }, { 0, 0, m3 } });
    const std::vector<MacMaskDirective> edits = {
        { 0, static_cast<std::uint8_t>(DirectiveCommand::Add), m1 },
        { 0, static_cast<std::uint8_t>(DirectiveCommand::Add), m2 },
        { 0, static_cast<std::uint8_t>(DirectiveCommand::Delete), m3 },
        { 0, static_cast<std::uint8_t>(DirectiveCommand::None), mac(0x12, 0x34) },
    };
    req = addMacMask("mask edit request", request(2, nextUser()), MacMaskCommand::Edit,
                     MacMaskError::None, edits);
    addMacMask("mask edit response", response(req), MacMaskCommand::Edit, MacMaskError::None,
               { { 0, 0, m1 }, { 0, 0, m2 } });
    // Failed edits: Dir Count = index of the failing directive (§6).
    addMacMask("mask edit unspecified error response", response(req), MacMaskCommand::Edit,
               MacMaskError::Unspecified, {});
    addMacMask("mask edit bad directive response", response(req), MacMaskCommand::Edit,
               MacMaskError::BadDirective, { edits[0], edits[1] });
    addMacMask("mask edit list full response", response(req), MacMaskCommand::Edit,
               MacMaskError::ListFull, { edits[0] });

    // --- Reserve/Release (§7) ---
    const MacAddress r1 = mac(0x01, 0x01), r2 = mac(0x01, 0x02);
    req = addReserve("reserve read request", request(3, nextUser()), ReserveCommand::Read, {});
    addReserve("reserve read response", response(req), ReserveCommand::Read, { r1, r2 });
    req =
        addReserve("reserve set request", request(3, nextUser()), ReserveCommand::Set, { r1, r2 });
    addReserve("reserve set response", response(req), ReserveCommand::Set, { r1, r2 });
    req = addReserve("reserve force set request", request(3, nextUser()), ReserveCommand::ForceSet,
                     { Initiator });
    addReserve("reserve force set response", response(req), ReserveCommand::ForceSet,
               { Initiator });
    req = addReserve("release request", request(3, nextUser()), ReserveCommand::Set, {});
    addReserve("release response", response(req), ReserveCommand::Set, {});
    const std::vector<MacAddress> six = { mac(2, 1), mac(2, 2), mac(2, 3),
                                          mac(2, 4), mac(2, 5), mac(0xfe, 0xdc) };
    req =
        addReserve("reserve set 6 MACs request", request(3, nextUser()), ReserveCommand::Set, six);
    addReserve("reserve set 6 MACs response", response(req), ReserveCommand::Set, six);

    // --- AoE error responses (§3), E flag, each code ---
    const std::vector<std::uint8_t> unknownArg = { 1, 2, 3, 4, 5, 6, 7, 8 };
    addRaw("error 1 unrecognized command (request echoed)",
           errorResponse(request(5, nextUser()), ErrorCode::UnrecognizedCommand), unknownArg);
    a = {};
    a.aflags = AtaFlagExtended;
    a.sectorCount = 3;
    a.cmdStatus = Ata::CmdReadSectorsExt;
    a.lba = 0x000000000100;
    addAta("error 2 bad argument (ATA header echoed)",
           errorResponse(request(0, nextAta()), ErrorCode::BadArgument), a);
    addRaw("error 3 device unavailable (header only)",
           errorResponse(request(0, nextAta()), ErrorCode::DeviceUnavailable), {});
    // Error 4: "config set error 4 response" above.
    addRaw("error 5 unsupported version (header only)",
           errorResponse(request(1, nextUser()), ErrorCode::UnsupportedVersion), {});
    a = {};
    a.aflags = AtaFlagExtended | AtaFlagWrite;
    a.sectorCount = 1;
    a.cmdStatus = Ata::CmdWriteSectorsExt;
    a.lba = 0x000000000200;
    addAta("error 6 target reserved (ATA header echoed)",
           errorResponse(request(0, nextAta()), ErrorCode::TargetReserved), a);
    // vblade-style: the refused Reserve/Release request echoed.
    addReserve("error 6 target reserved (reserve request echoed)",
               errorResponse(request(3, nextUser()), ErrorCode::TargetReserved),
               ReserveCommand::Set, { mac(0x03, 0x01) });

    // --- Vendor command (§2) ---
    const std::vector<std::uint8_t> vendorArg = pattern(40, 0x40);
    req = addRaw("vendor 0xf0 request", request(VendorCommandMin, nextUser()), vendorArg);
    addRaw("vendor 0xf0 response", response(req), vendorArg);
}

void tst_Dissectors::initTestCase()
{
    ETHERDISK_REQUIRE(EtherdiskTest::haveProgram(QStringLiteral("tshark")),
                      QStringLiteral("tshark is not installed (apt install tshark)"));
    ETHERDISK_REQUIRE(EtherdiskTest::haveProgram(QStringLiteral("tcpdump")),
                      QStringLiteral("tcpdump is not installed (apt install tcpdump)"));

    buildTable();
    QVERIFY2(m_buildProblems.isEmpty(), qPrintable(m_buildProblems.join(QLatin1Char('\n'))));

    m_dir.emplace();
    QVERIFY2(m_dir->isValid(), qPrintable(m_dir->errorString()));
    const QString pcap = m_dir->filePath(QStringLiteral("frames.pcap"));
    const QString unpaddedPcap = m_dir->filePath(QStringLiteral("reserve-unpadded.pcap"));

    std::vector<EtherdiskTest::Packet> packets;
    std::vector<EtherdiskTest::Packet> unpadded;
    for (std::size_t i = 0; i < m_table.size(); ++i) {
        const Expected &e = m_table[i];
        packets.push_back(e.frame);
        if (isPaddedReserve(e)) {
            m_unpaddedReserve.push_back(int(i));
            unpadded.emplace_back(e.frame.begin(),
                                  e.frame.begin() + std::ptrdiff_t(e.logicalLength));
        }
    }
    std::string error;
    QVERIFY2(EtherdiskTest::writePcap(pcap.toStdString(), packets, &error), error.c_str());
    QVERIFY2(EtherdiskTest::writePcap(unpaddedPcap.toStdString(), unpadded, &error), error.c_str());

    // tshark reads preferences from $HOME (and complains when run as root).
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("HOME"), m_dir->path());
    env.insert(QStringLiteral("XDG_CONFIG_HOME"), m_dir->path());
    env.insert(QStringLiteral("LC_ALL"), QStringLiteral("C"));

    QStringList args = {
        QStringLiteral("-n"),           QStringLiteral("-r"),     pcap,
        QStringLiteral("-T"),           QStringLiteral("fields"), QStringLiteral("-E"),
        QStringLiteral("separator=/t"), QStringLiteral("-E"),     QStringLiteral("occurrence=f")
    };
    for (const QString &field : TsharkFields)
        args << QStringLiteral("-e") << field;
    // Only stdout counts: both tools print harmless warnings on stderr when
    // run as root.
    EtherdiskTest::Run r = EtherdiskTest::runProgram(
        EtherdiskTest::programPath(QStringLiteral("tshark")), args, 60000, {}, env);
    QVERIFY2(r.ok(), qPrintable(r.describe()));
    for (const QByteArray &line : r.out.split('\n')) {
        if (!line.isEmpty())
            m_tsharkRows << QString::fromUtf8(line).split(QLatin1Char('\t'));
    }
    QCOMPARE(m_tsharkRows.size(), qsizetype(m_table.size()));

    const QString tcpdump = EtherdiskTest::programPath(QStringLiteral("tcpdump"));
    r = EtherdiskTest::runProgram(
        tcpdump, { QStringLiteral("-vv"), QStringLiteral("-n"), QStringLiteral("-r"), pcap }, 60000,
        {}, env);
    QVERIFY2(r.ok(), qPrintable(r.describe()));
    m_tcpdumpPackets = EtherdiskTest::splitTcpdumpPackets(r.out);
    QCOMPARE(m_tcpdumpPackets.size(), qsizetype(m_table.size()));

    r = EtherdiskTest::runProgram(
        tcpdump,
        { QStringLiteral("-vv"), QStringLiteral("-n"), QStringLiteral("-r"), unpaddedPcap }, 60000,
        {}, env);
    QVERIFY2(r.ok(), qPrintable(r.describe()));
    m_tcpdumpUnpaddedPackets = EtherdiskTest::splitTcpdumpPackets(r.out);
    QCOMPARE(m_tcpdumpUnpaddedPackets.size(), qsizetype(m_unpaddedReserve.size()));
}

void tst_Dissectors::cleanupTestCase()
{
    qInfo("%zu frames, %d field and text checks", m_table.size(), m_checks);
}

// The table must hold what the suite promises: every command, sub-command,
// error code and the special frames. Guards against the table shrinking.
void tst_Dissectors::tableCoversEveryKind()
{
    std::array<bool, 5> ccmdRequest{}, ccmdResponse{};
    std::array<bool, 7> errors{};
    std::array<bool, 4> merrors{};
    std::array<bool, 3> rcmds{}, dcmds{};
    std::array<bool, 2> mcmdRequest{}, mcmdResponse{};
    bool vendor = false, broadcast = false, jumbo = false;
    for (const Expected &e : m_table) {
        const bool isResponse = e.header.isResponse();
        if (e.header.isError())
            errors.at(e.header.error) = true;
        if (e.kind == Kind::Config)
            (isResponse ? ccmdResponse : ccmdRequest).at(e.ccmd) = true;
        if (e.kind == Kind::MacMask) {
            (isResponse ? mcmdResponse : mcmdRequest).at(e.mcmd) = true;
            merrors.at(e.merror) = true;
            for (const MacMaskDirective &d : e.directives)
                dcmds.at(d.command) = true;
        }
        if (e.kind == Kind::Reserve)
            rcmds.at(e.rcmd) = true;
        vendor |= e.header.command == VendorCommandMin;
        broadcast |= e.header.shelf == BroadcastShelf && e.header.slot == BroadcastSlot
            && e.header.destination == BroadcastMac;
        jumbo |= e.kind == Kind::Ata && e.dataLength == 17 * 512 && e.frame.size() == 8740;
    }
    const auto all = [](const auto &flags, std::size_t from) {
        return std::all_of(flags.begin() + std::ptrdiff_t(from), flags.end(),
                           [](bool b) { return b; });
    };
    QVERIFY(all(ccmdRequest, 0));
    QVERIFY(all(ccmdResponse, 0));
    QVERIFY(all(errors, 1));
    QVERIFY(all(merrors, 0));
    QVERIFY(all(rcmds, 0));
    QVERIFY(all(dcmds, 0));
    QVERIFY(all(mcmdRequest, 0));
    QVERIFY(all(mcmdResponse, 0));
    QVERIFY(vendor);
    QVERIFY(broadcast);
    QVERIFY(jumbo);
    m_checks += 11;
}

void tst_Dissectors::addRows(const std::vector<Expected> &table, const std::vector<int> &indexes)
{
    QTest::addColumn<int>("index");
    for (int i : indexes) {
        const QByteArray row = QByteArray::number(i + 1) + ' ' + table.at(std::size_t(i)).name;
        QTest::newRow(row.constData()) << i;
    }
}

void tst_Dissectors::frameLengths_data()
{
    std::vector<int> all(m_table.size());
    for (std::size_t i = 0; i < all.size(); ++i)
        all[i] = int(i);
    addRows(m_table, all);
}

// Builders pad to the Ethernet minimum and add nothing else (§1).
void tst_Dissectors::frameLengths()
{
    QFETCH(int, index);
    const Expected &e = m_table.at(std::size_t(index));
    QCOMPARE(e.frame.size(), std::max(MinFrameSize, e.logicalLength));
    QVERIFY(std::all_of(e.frame.begin() + std::ptrdiff_t(e.logicalLength), e.frame.end(),
                        [](std::uint8_t b) { return b == 0; }));
    m_checks += 2;
}

QStringList tst_Dissectors::expectedTshark(const Expected &e) const
{
    const Header &h = e.header;
    const int frameNumber = int(&e - m_table.data()) + 1;
    QStringList v;
    v << QString::number(frameNumber) << QString::number(h.version) << boolField(h.isResponse())
      << boolField(h.isError()) << (h.isError() ? QString::number(h.error) : QString())
      << hexField(h.shelf, 4) << hexField(h.slot, 2) << QString::number(h.command)
      << hexField(h.tag, 8);
    if (h.command == 0) {
        const AtaArg &a = e.ata;
        QString ataCmd;
        if (!h.isResponse())
            ataCmd = hexField(a.cmdStatus, 2);
        else if (e.requestFrame)
            ataCmd = hexField(m_table.at(std::size_t(e.requestFrame - 1)).ata.cmdStatus, 2);
        v << boolField(a.isExtended()) << (a.isExtended() ? boolField(a.isDevice()) : QString())
          << (a.isWrite() ? boolField(a.isAsync()) : QString()) << boolField(a.isWrite())
          << hexField(a.errFeature, 2) << QString::number(a.sectorCount) << ataCmd
          << (h.isResponse() ? hexField(a.cmdStatus, 2) : QString())
          << QStringLiteral("0x%1").arg(a.lba, 16, 16, QLatin1Char('0'))
          << (e.requestFrame ? QString::number(e.requestFrame) : QString());
    } else {
        // Wireshark decodes no arg of commands other than 0 (§10).
        for (int i = 0; i < 10; ++i)
            v << QString();
    }
    v << QString() << QString(); // no malformed packet, no expert info
    return v;
}

void tst_Dissectors::tshark_data()
{
    frameLengths_data();
}

void tst_Dissectors::tshark()
{
    QFETCH(int, index);
    const Expected &e = m_table.at(std::size_t(index));
    QStringList got = m_tsharkRows.at(index);
    const QStringList want = expectedTshark(e);
    QCOMPARE(want.size(), TsharkFields.size());
    while (got.size() < want.size())
        got << QString(); // tshark may drop trailing empty columns
    QStringList mismatches;
    for (int i = 0; i < want.size(); ++i) {
        QString value = got.at(i);
        if (TsharkBooleans.contains(TsharkFields.at(i))) {
            if (value == QLatin1String("True"))
                value = QStringLiteral("1");
            else if (value == QLatin1String("False"))
                value = QStringLiteral("0");
        }
        ++m_checks;
        if (value != want.at(i))
            mismatches << QStringLiteral("%1: expected '%2', got '%3'")
                              .arg(TsharkFields.at(i), want.at(i), got.at(i));
    }
    QVERIFY2(mismatches.isEmpty(),
             qPrintable(QStringLiteral("frame %1 (%2):\n  %3\n  tshark line: %4")
                            .arg(index + 1)
                            .arg(QString::fromLatin1(e.name))
                            .arg(mismatches.join(QStringLiteral("\n  ")))
                            .arg(got.join(QLatin1Char('|')))));
}

// `text` is tcpdump's decode of e.frame (padded) or of its first
// e.logicalLength bytes (!padded).
void tst_Dissectors::checkTcpdumpPacket(const Expected &e, const QByteArray &text, bool padded)
{
    const Header &h = e.header;
    const std::size_t length = padded ? e.frame.size() : e.logicalLength;
    const QString decoded = QString::fromUtf8(text);
    // Substrings that must appear, in this order.
    QStringList want;
    want << QStringLiteral("AoE length %1, Ver %2, Flags: [%3]")
                .arg(length - EthernetHeaderSize)
                .arg(h.version)
                .arg(tcpdumpFlags(h.flags));
    if (h.isError())
        want << QStringLiteral("\n\tError: ") + tcpdumpError(h.error);
    want << QStringLiteral("\n\tMajor: %1, Minor: %2, Command: %3, Tag: %4")
                .arg(hexField(h.shelf, 4), hexField(h.slot, 2), tcpdumpCommand(h.command),
                     hexField(h.tag, 8));
    QStringList absent = { QStringLiteral("invalid"), QStringLiteral("[|") };
    if (!h.isError())
        absent << QStringLiteral("\n\tError: ");

    // tcpdump counts padding as Reserve/Release arg; see the file comment.
    const bool knownPaddingLimit =
        padded && isPaddedReserve(e) && decoded.contains(QLatin1String("(invalid)"));
    if (knownPaddingLimit)
        absent.clear();

    switch (knownPaddingLimit ? Kind::Raw : e.kind) {
    case Kind::Ata: {
        const AtaArg &a = e.ata;
        want << QStringLiteral("\n\tAFlags: [%1], Err/Feature: %2, Sector Count: %3, "
                               "Cmd/Status: %4")
                    .arg(tcpdumpAtaFlags(a.aflags))
                    .arg(a.errFeature)
                    .arg(a.sectorCount)
                    .arg(a.cmdStatus);
        QStringList lba;
        for (int i = 0; i < 6; ++i)
            lba << QStringLiteral("lba%1: %2").arg(i).arg((a.lba >> (8 * i)) & 0xff);
        want << QStringLiteral("\n\t") + lba.join(QStringLiteral(", "));
        const std::size_t data = length - AtaHeaderSize;
        if (data)
            want << QStringLiteral("\n\tData: %1 bytes").arg(data);
        else
            absent << QStringLiteral("Data:");
        break;
    }
    case Kind::Config:
        want << QStringLiteral("\n\tBuffer Count: %1, Firmware Version: %2, Sector Count: %3, "
                               "AoE: %4, CCmd: %5")
                    .arg(e.bufferCount)
                    .arg(e.firmwareVersion)
                    .arg(e.configSectors)
                    .arg(ProtocolVersion)
                    .arg(tcpdumpCcmd(e.ccmd));
        if (e.configString.isEmpty())
            absent << QStringLiteral("Config String");
        else
            want << QStringLiteral("\n\tConfig String (length %1): %2\n")
                        .arg(e.configString.size())
                        .arg(QString::fromLatin1(e.configString));
        break;
    case Kind::MacMask:
        want << QStringLiteral("\n\tMCmd: %1, MError: %2, Dir Count: %3")
                    .arg(tcpdumpMcmd(e.mcmd), tcpdumpMerror(e.merror))
                    .arg(e.directives.size());
        for (const MacMaskDirective &d : e.directives)
            want << QStringLiteral("\n\t DCmd: %1, Ethernet Address: %2")
                        .arg(tcpdumpDcmd(d.command), macText(d.mac));
        if (e.directives.empty())
            absent << QStringLiteral("DCmd");
        break;
    case Kind::Reserve:
        want << QStringLiteral("\n\tRCmd: %1, NMacs: %2")
                    .arg(tcpdumpRcmd(e.rcmd))
                    .arg(e.macs.size());
        for (std::size_t i = 0; i < e.macs.size(); ++i)
            want << QStringLiteral("\n\tEthernet Address %1: %2").arg(i).arg(macText(e.macs[i]));
        if (e.macs.empty())
            absent << QStringLiteral("Ethernet Address");
        break;
    case Kind::Raw:
        break;
    }

    // Terminate the text so a last-field check ("...: 2\n") cannot match a prefix.
    const QString haystack = decoded + QLatin1Char('\n');
    QStringList problems;
    qsizetype from = 0;
    for (const QString &w : want) {
        ++m_checks;
        const qsizetype at = haystack.indexOf(w, from);
        if (at < 0)
            problems << QStringLiteral("missing (in order): '%1'").arg(w);
        else
            from = at + w.size();
    }
    for (const QString &a : absent) {
        ++m_checks;
        if (haystack.contains(a))
            problems << QStringLiteral("unexpected: '%1'").arg(a);
    }
    QVERIFY2(problems.isEmpty(),
             qPrintable(QStringLiteral("%1 (%2 frame):\n  %3\n  tcpdump said:\n%4")
                            .arg(QString::fromLatin1(e.name),
                                 padded ? QStringLiteral("padded") : QStringLiteral("unpadded"),
                                 problems.join(QStringLiteral("\n  ")), decoded)));
}

void tst_Dissectors::tcpdump_data()
{
    frameLengths_data();
}

void tst_Dissectors::tcpdump()
{
    QFETCH(int, index);
    checkTcpdumpPacket(m_table.at(std::size_t(index)), m_tcpdumpPackets.at(index), true);
}

void tst_Dissectors::tcpdumpUnpaddedReserve_data()
{
    addRows(m_table, m_unpaddedReserve);
}

void tst_Dissectors::tcpdumpUnpaddedReserve()
{
    QFETCH(int, index);
    const auto position = std::find(m_unpaddedReserve.begin(), m_unpaddedReserve.end(), index)
        - m_unpaddedReserve.begin();
    checkTcpdumpPacket(m_table.at(std::size_t(index)), m_tcpdumpUnpaddedPackets.at(position),
                       false);
}

QTEST_GUILESS_MAIN(tst_Dissectors)
#include "tst_dissectors.moc"
