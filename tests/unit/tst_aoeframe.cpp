// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
//
// The AoEr11 codec, table-driven from the byte offsets of
// docs/aoe-protocol.md (section numbers in comments).

#include "etherdisk/aoeframe.h"
#include "testutil.h"

#include <QTest>

#include <vector>

using namespace Etherdisk::Aoe;
using EtherdiskTest::bytes;
using EtherdiskTest::hex;

Q_DECLARE_METATYPE(Etherdisk::Aoe::ParseError)
Q_DECLARE_METATYPE(Etherdisk::Aoe::ErrorCode)

namespace {

// Ethernet header used by the tables: to 02:ed:00:00:00:01 from 02:ed:00:00:00:02.
constexpr const char Eth[] = "02ed00000001 02ed00000002 88a2 ";

QByteArray frame(const char *aoeHex)
{
    return hex(Eth) + hex(aoeHex);
}

const MacAddress MacA = { 0x02, 0xed, 0, 0, 0, 0x01 };
const MacAddress MacB = { 0x02, 0xed, 0, 0, 0, 0x02 };

} // namespace

class tst_AoeFrame final : public QObject
{
    Q_OBJECT

private slots:
    void parseErrors_data();
    void parseErrors();
    void anomalies_data();
    void anomalies();
    void commonHeaderOffsets();
    void ataRequestLba28();
    void ataWriteExtWithPaddingAndData();
    void ataResponseKeepsTrailingBytes();
    void vbladeConfigResponse();
    void configStringBounds();
    void macMaskList();
    void reserveRelease();
    void vendorCommand();
    void errorResponseWithoutArg();
    void errorResponseEchoingRequest();
    void buildAtaOffsets();
    void buildPadsToMinimum();
    void requestBuilders_data();
    void requestBuilders();
    void buildRejectsWhatCannotBeEncoded();
    void roundTripEveryKind();
    void responseHeaderSwapsAndFillsAddress();
    void responseErrorMapping_data();
    void responseErrorMapping();
    void errorTextsAreDistinct();
    void sectorsPerMtu_data();
    void sectorsPerMtu();
    void macText();
    void truncationNeverReadsPastEnd();
};

void tst_AoeFrame::parseErrors_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<ParseError>("expected");

    QTest::newRow("empty") << QByteArray() << ParseError::FrameTooShort;
    QTest::newRow("23 bytes") << frame("10 00 0007 03 01 800000") << ParseError::FrameTooShort;
    QTest::newRow("ipv4 ethertype")
        << (hex("02ed00000001 02ed00000002 0800") + hex("10000007030180000000"))
        << ParseError::NotAoe;
    QTest::newRow("version 2") << frame("20 00 0007 03 01 80000000 0000000000000000")
                               << ParseError::UnsupportedVersion;
    QTest::newRow("version 0") << frame("00 00 0007 03 01 80000000 0000000000000000")
                               << ParseError::UnsupportedVersion;
    QTest::newRow("command 4") << frame("10 00 0007 03 04 80000000")
                               << ParseError::UnrecognizedCommand;
    QTest::newRow("command 239") << frame("10 00 0007 03 ef 80000000")
                                 << ParseError::UnrecognizedCommand;
    QTest::newRow("ata 11 of 12 arg bytes")
        << frame("10 00 0007 03 00 00000001 | 00 00 01 20 000000e0 0000 00")
        << ParseError::AtaArgTruncated;
    QTest::newRow("ata write 1 sector, 511 bytes")
        << (frame("10 00 0007 03 00 00000001 | 41 00 01 34 000000000000 0000")
            + QByteArray(511, 'x'))
        << ParseError::AtaWriteDataShort;
    QTest::newRow("config 7 of 8 arg bytes")
        << frame("10 00 ffff ff 01 00000000 | 0000 0000 00 10 00")
        << ParseError::ConfigArgTruncated;
    QTest::newRow("config string 1025")
        << (frame("10 00 ffff ff 01 00000000 | 0000 0000 00 10 0401") + QByteArray(1025, 'a'))
        << ParseError::ConfigStringTooLong;
    QTest::newRow("config string longer than frame")
        << frame("10 00 ffff ff 01 00000000 | 0000 0000 00 10 0006 6869")
        << ParseError::ConfigStringTruncated;
    QTest::newRow("config ccmd 5") << frame("10 00 ffff ff 01 00000000 | 0000 0000 00 15 0000")
                                   << ParseError::ConfigCommandUnknown;
    QTest::newRow("config ccmd 15") << frame("10 00 ffff ff 01 00000000 | 0000 0000 00 1f 0000")
                                    << ParseError::ConfigCommandUnknown;
    QTest::newRow("macmask 3 of 4 arg bytes")
        << frame("10 00 0007 03 02 00000000 | 00 00 00") << ParseError::MacMaskArgTruncated;
    QTest::newRow("macmask 2 directives, 1 present")
        << frame("10 00 0007 03 02 00000000 | 00 01 00 02 | 00 01 02ed00000009")
        << ParseError::MacMaskDirectivesTruncated;
    QTest::newRow("macmask mcmd 2")
        << frame("10 00 0007 03 02 00000000 | 00 02 00 00") << ParseError::MacMaskCommandUnknown;
    QTest::newRow("reserve 1 of 2 arg bytes")
        << frame("10 00 0007 03 03 00000000 | 01") << ParseError::ReserveArgTruncated;
    QTest::newRow("reserve 2 macs, 1 present")
        << frame("10 00 0007 03 03 00000000 | 01 02 | 02ed00000009")
        << ParseError::ReserveMacsTruncated;
    QTest::newRow("reserve rcmd 3")
        << frame("10 00 0007 03 03 00000000 | 03 00") << ParseError::ReserveCommandUnknown;
}

void tst_AoeFrame::parseErrors()
{
    QFETCH(QByteArray, input);
    QFETCH(ParseError, expected);
    Frame f;
    QCOMPARE(parseFrame(bytes(input), &f), expected);
    QVERIFY(!f.hasArg);
    if (input.size() >= 24 && expected != ParseError::NotAoe) {
        // The header is still there for addressing an error response.
        QCOMPARE(f.header.source, MacB);
        QCOMPARE(f.header.tag,
                 (std::uint32_t(std::uint8_t(input[20])) << 24) | (std::uint8_t(input[21]) << 16)
                     | (std::uint8_t(input[22]) << 8) | std::uint8_t(input[23]));
    }
}

void tst_AoeFrame::anomalies_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<std::uint32_t>("expected");

    QTest::newRow("clean config") << frame("10 00 ffff ff 01 00000000 | 0000 0000 00 10 0000")
                                  << 0u;
    QTest::newRow("flag bits 1,0") << frame("13 00 ffff ff 01 00000000 | 0000 0000 00 10 0000")
                                   << std::uint32_t(AnomalyFlagsReserved);
    QTest::newRow("error without E") << frame("10 02 ffff ff 01 00000000 | 0000 0000 00 10 0000")
                                     << std::uint32_t(AnomalyErrorWithoutFlag);
    QTest::newRow("aflags reserved bits")
        << frame("10 00 0007 03 00 00000001 | 84 00 01 ec 000000000000 0000")
        << std::uint32_t(AnomalyAtaFlagsReserved);
    QTest::newRow("ata reserved bytes")
        << frame("10 00 0007 03 00 00000001 | 00 00 01 ec 000000000000 0001")
        << std::uint32_t(AnomalyAtaReserved);
    QTest::newRow("config aoe version 2")
        << frame("10 00 ffff ff 01 00000000 | 0000 0000 00 20 0000")
        << std::uint32_t(AnomalyConfigVersion);
    QTest::newRow("macmask reserved") << frame("10 00 0007 03 02 00000000 | 07 00 00 00")
                                      << std::uint32_t(AnomalyMacMaskReserved);
    QTest::newRow("directive reserved")
        << frame("10 00 0007 03 02 00000000 | 00 01 00 01 | 09 01 02ed00000009")
        << std::uint32_t(AnomalyDirectiveReserved);
}

void tst_AoeFrame::anomalies()
{
    QFETCH(QByteArray, input);
    QFETCH(std::uint32_t, expected);
    Frame f;
    QCOMPARE(parseFrame(bytes(input), &f), ParseError::Ok);
    QVERIFY(f.hasArg);
    QCOMPARE(f.anomalies, expected);
}

void tst_AoeFrame::commonHeaderOffsets()
{
    // §2: ver/flags at 14, error 15, major 16-17 BE, minor 18, command 19, tag 20-23 BE.
    const QByteArray in = frame("1c 06 1234 56 01 89abcdef | 0000 0000 00 10 0000");
    Frame f;
    QCOMPARE(parseFrame(bytes(in), &f), ParseError::Ok);
    QCOMPARE(f.header.destination, MacA);
    QCOMPARE(f.header.source, MacB);
    QCOMPARE(f.header.version, 1);
    QVERIFY(f.header.isResponse());
    QVERIFY(f.header.isError());
    QCOMPARE(f.header.errorCode(), ErrorCode::TargetReserved);
    QCOMPARE(f.header.shelf, 0x1234);
    QCOMPARE(f.header.slot, 0x56);
    QCOMPARE(f.header.command, 1);
    QCOMPARE(f.header.tag, 0x89abcdefu);
    QCOMPARE(f.kind, FrameKind::QueryConfig);
    QCOMPARE(f.arg.size(), std::size_t(in.size() - 24));
}

void tst_AoeFrame::ataRequestLba28()
{
    // What Linux sends for READ SECTORS: lba3 high nibble carries 0xE0 (§4).
    const QByteArray in =
        frame("10 00 0001 02 00 0001abcd | 00 00 02 20 | 78 56 34 e2 00 00 | 0000")
        + QByteArray(24, '\0'); // Ethernet padding
    Frame f;
    QCOMPARE(parseFrame(bytes(in), &f), ParseError::Ok);
    QCOMPARE(f.kind, FrameKind::Ata);
    QCOMPARE(f.ata.aflags, 0);
    QVERIFY(!f.ata.isExtended());
    QVERIFY(!f.ata.isWrite());
    QCOMPARE(f.ata.sectorCount, 2);
    QCOMPARE(f.ata.cmdStatus, 0x20);
    QCOMPARE(f.ata.lba, 0xe2345678ull);
    QCOMPARE(f.ata.lba28(), 0x02345678ull);
    QVERIFY(f.data.empty()); // padding of a read request is not data
    QCOMPARE(f.anomalies, 0u);
}

void tst_AoeFrame::ataWriteExtWithPaddingAndData()
{
    QByteArray payload(1024, '\0');
    for (int i = 0; i < payload.size(); ++i)
        payload[i] = char(i * 7);
    // AFlags E|D|A|W = 0x53, LBA48 0x0000123456789a little-endian.
    const QByteArray in =
        frame("10 00 0001 02 00 00000002 | 53 11 02 34 | 9a 78 56 34 12 00 | 0000") + payload
        + QByteArray(10, '\xee');
    Frame f;
    QCOMPARE(parseFrame(bytes(in), &f), ParseError::Ok);
    QVERIFY(f.ata.isExtended());
    QVERIFY(f.ata.isDevice());
    QVERIFY(f.ata.isAsync());
    QVERIFY(f.ata.isWrite());
    QCOMPARE(f.ata.errFeature, 0x11);
    QCOMPARE(f.ata.lba48(), 0x123456789aull);
    QCOMPARE(f.data.size(), std::size_t(1024)); // trailing bytes dropped
    QCOMPARE(QByteArray(reinterpret_cast<const char *>(f.data.data()), 1024), payload);
}

void tst_AoeFrame::ataResponseKeepsTrailingBytes()
{
    // A response's data is everything after the ATA header: the initiator
    // knows how much it asked for.
    const QByteArray in = frame("18 00 0001 02 00 00000002 | 00 00 00 40 | 000000000000 | 0000")
        + QByteArray(512, 'r');
    Frame f;
    QCOMPARE(parseFrame(bytes(in), &f), ParseError::Ok);
    QVERIFY(f.header.isResponse());
    QCOMPARE(f.ata.cmdStatus, 0x40);
    QCOMPARE(f.data.size(), std::size_t(512));
}

void tst_AoeFrame::vbladeConfigResponse()
{
    // §5, observed from vblade 25 at MTU 1500: unpadded 32-byte frame.
    const QByteArray in = frame("18 00 0007 03 01 80000000 | 0010 4019 02 10 0000");
    QCOMPARE(in.size(), 32);
    Frame f;
    QCOMPARE(parseFrame(bytes(in), &f), ParseError::Ok);
    QCOMPARE(f.kind, FrameKind::QueryConfig);
    QCOMPARE(f.header.shelf, 7);
    QCOMPARE(f.header.slot, 3);
    QCOMPARE(f.header.tag, 0x80000000u);
    QCOMPARE(f.config.bufferCount, 16);
    QCOMPARE(f.config.firmwareVersion, 0x4019);
    QCOMPARE(f.config.sectorCount, 2);
    QCOMPARE(f.config.maxSectors(), 2);
    QCOMPARE(f.config.aoeVersion, 1);
    QCOMPARE(f.config.configCommand(), ConfigCommand::Read);
    QVERIFY(f.config.configString.empty());
}

void tst_AoeFrame::configStringBounds()
{
    // "Sector count 0 means 2" and a 1024-byte string, the largest allowed.
    QByteArray in =
        frame("18 00 0001 02 01 80000001 | 0040 0001 00 14 0400") + QByteArray(1024, 'z');
    Frame f;
    QCOMPARE(parseFrame(bytes(in), &f), ParseError::Ok);
    QCOMPARE(f.config.sectorCount, 0);
    QCOMPARE(f.config.maxSectors(), 2);
    QCOMPARE(f.config.configCommand(), ConfigCommand::ForceSet);
    QCOMPARE(f.config.configString.size(), std::size_t(1024));

    // Padding after the string is not part of it.
    in = frame("10 00 ffff ff 01 80000001 | 0000 0000 00 13 0005 68656c6c6f")
        + QByteArray(23, '\xed');
    QCOMPARE(parseFrame(bytes(in), &f), ParseError::Ok);
    QCOMPARE(f.config.configCommand(), ConfigCommand::Set);
    QCOMPARE(QByteArray(reinterpret_cast<const char *>(f.config.configString.data()), 5),
             QByteArray("hello"));
}

void tst_AoeFrame::macMaskList()
{
    // §6: edit with two directives (add, delete).
    const QByteArray in =
        frame("10 00 0007 03 02 80000005 | 00 01 00 02 | 00 01 02ed000000aa | 00 02 02ed000000bb");
    Frame f;
    QCOMPARE(parseFrame(bytes(in), &f), ParseError::Ok);
    QCOMPARE(f.kind, FrameKind::MacMaskList);
    QCOMPARE(f.macMask.command, std::uint8_t(MacMaskCommand::Edit));
    QCOMPARE(f.macMask.error, 0);
    QCOMPARE(f.macMask.directiveCount, 2);
    const MacMaskDirective d0 = f.macMask.directive(0);
    const MacMaskDirective d1 = f.macMask.directive(1);
    QCOMPARE(d0.command, std::uint8_t(DirectiveCommand::Add));
    QCOMPARE(d0.mac, (MacAddress{ 0x02, 0xed, 0, 0, 0, 0xaa }));
    QCOMPARE(d1.command, std::uint8_t(DirectiveCommand::Delete));
    QCOMPARE(d1.mac, (MacAddress{ 0x02, 0xed, 0, 0, 0, 0xbb }));
    // Out of range index: an empty directive, no read past the list.
    QCOMPARE(f.macMask.directive(2).mac, MacAddress{});

    // A response with MError 3 (list full) and Dir Count = failing index.
    const QByteArray rsp = frame("18 00 0007 03 02 80000005 | 00 01 03 01 | 00 00 02ed000000aa");
    QCOMPARE(parseFrame(bytes(rsp), &f), ParseError::Ok);
    QCOMPARE(f.macMask.error, std::uint8_t(MacMaskError::ListFull));
    QCOMPARE(f.macMask.directiveCount, 1);
}

void tst_AoeFrame::reserveRelease()
{
    // §7: set with two MACs, then a release (set with none).
    Frame f;
    const QByteArray set = frame("10 00 0007 03 03 80000006 | 01 02 | 02ed000000aa 02ed000000bb");
    QCOMPARE(parseFrame(bytes(set), &f), ParseError::Ok);
    QCOMPARE(f.kind, FrameKind::ReserveRelease);
    QCOMPARE(f.reserve.command, std::uint8_t(ReserveCommand::Set));
    QCOMPARE(f.reserve.macCount, 2);
    QCOMPARE(f.reserve.mac(0), (MacAddress{ 0x02, 0xed, 0, 0, 0, 0xaa }));
    QCOMPARE(f.reserve.mac(1), (MacAddress{ 0x02, 0xed, 0, 0, 0, 0xbb }));
    QCOMPARE(f.reserve.mac(2), MacAddress{});
    const QByteArray release = frame("10 00 0007 03 03 80000007 | 01 00");
    QCOMPARE(parseFrame(bytes(release), &f), ParseError::Ok);
    QCOMPARE(f.reserve.macCount, 0);
    const QByteArray force = frame("10 00 0007 03 03 80000008 | 02 01 | 02ed000000cc");
    QCOMPARE(parseFrame(bytes(force), &f), ParseError::Ok);
    QCOMPARE(f.reserve.command, std::uint8_t(ReserveCommand::ForceSet));
}

void tst_AoeFrame::vendorCommand()
{
    for (int cmd : { 0xf0, 0xf7, 0xff }) {
        QByteArray in = frame("10 00 0007 03 00 12345678 | deadbeef");
        in[19] = char(cmd);
        Frame f;
        QCOMPARE(parseFrame(bytes(in), &f), ParseError::Ok);
        QCOMPARE(f.kind, FrameKind::Vendor);
        QVERIFY(f.header.isVendorCommand());
        QVERIFY(f.hasArg);
        QCOMPARE(f.arg.size(), std::size_t(4));
        QCOMPARE(f.arg[0], 0xde);
    }
}

void tst_AoeFrame::errorResponseWithoutArg()
{
    // ggaoed answers errors with the 24-byte header only (§3).
    const QByteArray in = frame("1c 02 0007 03 00 00000009") + QByteArray(36, '\0');
    Frame f;
    QCOMPARE(parseFrame(bytes(in), &f), ParseError::Ok);
    QCOMPARE(f.header.errorCode(), ErrorCode::BadArgument);
    QVERIFY(f.hasArg); // the padding decodes as an (empty) ATA header
    const QByteArray bare = frame("1c 02 0007 03 01 00000009");
    QCOMPARE(parseFrame(bytes(bare), &f), ParseError::Ok);
    QVERIFY(!f.hasArg);
    QVERIFY(f.anomalies & AnomalyErrorResponseArgMissing);
    // The same bare header as a request is a truncated frame.
    const QByteArray request = frame("10 00 0007 03 01 00000009");
    QCOMPARE(parseFrame(bytes(request), &f), ParseError::ConfigArgTruncated);
}

void tst_AoeFrame::errorResponseEchoingRequest()
{
    // vblade echoes the request with E set: "Command 5 → Error 1" (§9).
    const QByteArray in = frame("1c 01 0007 03 05 80000000 | 0000000000000000");
    Frame f;
    // An unrecognised command stays unrecognised in a response.
    QCOMPARE(parseFrame(bytes(in), &f), ParseError::UnrecognizedCommand);
    QCOMPARE(f.header.errorCode(), ErrorCode::UnrecognizedCommand);
}

void tst_AoeFrame::buildAtaOffsets()
{
    std::vector<std::uint8_t> buf(2048, 0xcc);
    Header h;
    h.destination = MacA;
    h.source = MacB;
    h.shelf = 0x0102;
    h.slot = 3;
    h.command = 0;
    h.tag = 0x0a0b0c0d;
    AtaArg a;
    a.aflags = AtaFlagExtended | AtaFlagWrite;
    a.errFeature = 0;
    a.sectorCount = 1;
    a.cmdStatus = 0x34;
    a.lba = 0x0000aabbccddeeffull;
    const QByteArray data(512, 'd');
    const std::size_t n = buildAta(buf, h, a, bytes(data));
    QCOMPARE(n, std::size_t(36 + 512));
    const QByteArray got(reinterpret_cast<const char *>(buf.data()), 36);
    QCOMPARE(got.toHex(' '),
             frame("10 00 0102 03 00 0a0b0c0d | 41 00 01 34 | ffeeddccbbaa | 0000").toHex(' '));
    QCOMPARE(buf[36], 'd');
    QCOMPARE(buf[36 + 511], 'd');
    QCOMPARE(buf[36 + 512], 0xcc); // nothing written past the frame
}

void tst_AoeFrame::requestBuilders_data()
{
    // The questions discovery, probe and the initiator ask, byte for byte:
    // Ethernet header, §2 common header, then the §5 / §4 argument, zero
    // padded to the 60-byte Ethernet minimum.
    QTest::addColumn<QByteArray>("built");
    QTest::addColumn<QByteArray>("expected");
    const auto pad = [](QByteArray a, int to) {
        a.append(QByteArray(to - a.size(), '\0'));
        return a;
    };
    std::vector<std::uint8_t> buf(1600, 0xcc);
    auto take = [&](std::size_t n) {
        return QByteArray(reinterpret_cast<const char *>(buf.data()), qsizetype(n));
    };

    std::size_t n = buildQueryConfigRequest(buf, MacB, BroadcastMac, BroadcastShelf, BroadcastSlot,
                                            0xc0000001u);
    QTest::newRow("query config broadcast")
        << take(n)
        << pad(hex("ffffffffffff 02ed00000002 88a2 | 10 00 ffff ff 01 c0000001 | 0000 0000 00 10 "
                   "0000"),
               60);
    n = buildQueryConfigRequest(buf, MacB, MacA, 0x1234, 0x56, 0x80abcdefu);
    QTest::newRow("query config unicast")
        << take(n)
        << pad(hex("02ed00000001 02ed00000002 88a2 | 10 00 1234 56 01 80abcdef | 0000 0000 00 10 "
                   "0000"),
               60);
    n = buildIdentifyRequest(buf, MacB, MacA, 7, 3, 0x80000005u);
    // AFlags 0, feature 0, count 1, 0xEC; lba0..5 = 00 00 00 a0 00 00 (as Linux).
    QTest::newRow("identify")
        << take(n)
        << pad(hex("02ed00000001 02ed00000002 88a2 | 10 00 0007 03 00 80000005 | 00 00 01 ec | "
                   "000000a00000 | 0000"),
               60);
    const std::vector<std::uint8_t> padding(100, 0x5a);
    n = buildIdentifyRequest(buf, MacB, MacA, 0xfffe, 0xfe, 0xffffffffu, padding);
    QTest::newRow("identify padded")
        << take(n)
        << (hex("02ed00000001 02ed00000002 88a2 | 10 00 fffe fe 00 ffffffff | 00 00 01 ec | "
                "000000a00000 | 0000")
            + QByteArray(100, '\x5a'));
}

void tst_AoeFrame::requestBuilders()
{
    QFETCH(QByteArray, built);
    QFETCH(QByteArray, expected);
    QCOMPARE(built.toHex(' '), expected.toHex(' '));
    // And they parse back as the requests they are.
    Frame f;
    QCOMPARE(parseFrame(bytes(built), &f), ParseError::Ok);
    QVERIFY(!f.header.isResponse());
    QCOMPARE(f.anomalies, 0u);
    // Too small a buffer: nothing written.
    std::vector<std::uint8_t> small(40);
    QCOMPARE(buildQueryConfigRequest(small, MacA, MacB, 1, 1, 1), std::size_t(0));
    QCOMPARE(buildIdentifyRequest(small, MacA, MacB, 1, 1, 1), std::size_t(0));
}

void tst_AoeFrame::buildPadsToMinimum()
{
    std::vector<std::uint8_t> buf(128, 0xcc);
    Header h;
    h.flags = FlagResponse;
    h.command = 1;
    ConfigArg c;
    c.bufferCount = 64;
    const std::size_t n = buildConfig(buf, h, c);
    QCOMPARE(n, MinFrameSize);
    for (std::size_t i = ConfigHeaderSize; i < MinFrameSize; ++i)
        QCOMPARE(buf[i], 0);
    QCOMPARE(buf[MinFrameSize], 0xcc);
    // And a frame is never built into a buffer that cannot hold the padding.
    std::vector<std::uint8_t> small(40);
    QCOMPARE(buildConfig(small, h, c), std::size_t(0));
}

void tst_AoeFrame::buildRejectsWhatCannotBeEncoded()
{
    std::vector<std::uint8_t> buf(4096);
    Header h;
    ConfigArg c;
    const std::vector<std::uint8_t> tooLong(1025, 'x');
    c.configString = tooLong;
    QCOMPARE(buildConfig(buf, h, c), std::size_t(0));
    const std::vector<MacMaskDirective> dirs(256);
    QCOMPARE(buildMacMask(buf, h, 1, 0, dirs), std::size_t(0));
    const std::vector<MacAddress> macs(256);
    QCOMPARE(buildReserve(buf, h, 1, macs), std::size_t(0));
    AtaArg a;
    const std::vector<std::uint8_t> data(4096);
    QCOMPARE(buildAta(buf, h, a, data), std::size_t(0)); // 36 + 4096 > 4096
    QCOMPARE(buildAtaInPlace(buf, h, a, 5000), std::size_t(0));
}

void tst_AoeFrame::roundTripEveryKind()
{
    std::vector<std::uint8_t> buf(9000);
    Frame f;
    Header h;
    h.destination = BroadcastMac;
    h.source = MacB;
    h.shelf = BroadcastShelf;
    h.slot = BroadcastSlot;
    h.tag = UserTagBit | 77;

    // Query Config, every sub-command.
    const std::string cfg = "etherdisk-test";
    for (std::uint8_t ccmd = 0; ccmd <= ConfigCommandMax; ++ccmd) {
        h.command = std::uint8_t(Command::QueryConfig);
        ConfigArg c;
        c.bufferCount = 128;
        c.firmwareVersion = 0x0102;
        c.sectorCount = 17;
        c.command = ccmd;
        c.configString = { reinterpret_cast<const std::uint8_t *>(cfg.data()), cfg.size() };
        const std::size_t n = buildConfig(buf, h, c);
        QVERIFY(n > 0);
        QCOMPARE(parseFrame({ buf.data(), n }, &f), ParseError::Ok);
        QCOMPARE(f.config.bufferCount, 128);
        QCOMPARE(f.config.firmwareVersion, 0x0102);
        QCOMPARE(f.config.sectorCount, 17);
        QCOMPARE(f.config.command, ccmd);
        QCOMPARE(std::string(f.config.configString.begin(), f.config.configString.end()), cfg);
        QCOMPARE(f.header.tag, UserTagBit | 77);
        QCOMPARE(f.header.shelf, BroadcastShelf);
    }

    // Mac Mask.
    h.command = std::uint8_t(Command::MacMaskList);
    const std::vector<MacMaskDirective> dirs = { { 0, 1, MacA }, { 0, 2, MacB } };
    std::size_t n = buildMacMask(buf, h, 1, 0, dirs);
    QCOMPARE(n, MinFrameSize); // 28 + 16 = 44, padded
    QCOMPARE(parseFrame({ buf.data(), n }, &f), ParseError::Ok);
    QCOMPARE(f.macMask.directiveCount, 2);
    QCOMPARE(f.macMask.directive(1).mac, MacB);
    QCOMPARE(f.anomalies, 0u);

    // Reserve.
    h.command = std::uint8_t(Command::ReserveRelease);
    const std::vector<MacAddress> macs = { MacA, MacB, BroadcastMac };
    n = buildReserve(buf, h, 2, macs);
    QCOMPARE(parseFrame({ buf.data(), n }, &f), ParseError::Ok);
    QCOMPARE(f.reserve.macCount, 3);
    QCOMPARE(f.reserve.mac(2), BroadcastMac);

    // ATA, jumbo: 17 sectors.
    h.command = std::uint8_t(Command::Ata);
    AtaArg a;
    a.aflags = AtaFlagExtended | AtaFlagWrite;
    a.sectorCount = 17;
    a.cmdStatus = 0x34;
    a.lba = 0xffffffffffffull;
    const std::vector<std::uint8_t> data(17 * 512, 0x5a);
    n = buildAta(buf, h, a, data);
    QCOMPARE(n, std::size_t(8740)); // §4.3 table
    QCOMPARE(parseFrame({ buf.data(), n }, &f), ParseError::Ok);
    QCOMPARE(f.ata.lba48(), 0xffffffffffffull);
    QCOMPARE(f.data.size(), data.size());

    // Error response echoing an arg, and vendor.
    h.flags = FlagResponse | FlagError;
    h.error = std::uint8_t(ErrorCode::ConfigStringPresent);
    h.command = std::uint8_t(Command::QueryConfig);
    const std::vector<std::uint8_t> echo = { 0, 0, 0, 0, 0, 0x13, 0, 0 };
    n = buildRaw(buf, h, echo);
    QCOMPARE(parseFrame({ buf.data(), n }, &f), ParseError::Ok);
    QCOMPARE(f.header.errorCode(), ErrorCode::ConfigStringPresent);
    QCOMPARE(f.config.configCommand(), ConfigCommand::Set);
}

void tst_AoeFrame::responseHeaderSwapsAndFillsAddress()
{
    Header req;
    req.destination = BroadcastMac;
    req.source = MacB;
    req.flags = 0;
    req.shelf = BroadcastShelf;
    req.slot = BroadcastSlot;
    req.command = 1;
    req.tag = 0x80001234;
    const Header rsp = responseHeader(req, MacA, 7, 3);
    QCOMPARE(rsp.destination, MacB);
    QCOMPARE(rsp.source, MacA);
    QVERIFY(rsp.isResponse());
    QVERIFY(!rsp.isError());
    QCOMPARE(rsp.shelf, 7);
    QCOMPARE(rsp.slot, 3);
    QCOMPARE(rsp.command, 1);
    QCOMPARE(rsp.tag, 0x80001234u);
    QCOMPARE(rsp.version, 1);
}

void tst_AoeFrame::responseErrorMapping_data()
{
    QTest::addColumn<ParseError>("error");
    QTest::addColumn<ErrorCode>("answer");
    QTest::newRow("too short: drop") << ParseError::FrameTooShort << ErrorCode::None;
    QTest::newRow("not aoe: drop") << ParseError::NotAoe << ErrorCode::None;
    QTest::newRow("version: 5") << ParseError::UnsupportedVersion << ErrorCode::UnsupportedVersion;
    QTest::newRow("command: 1") << ParseError::UnrecognizedCommand
                                << ErrorCode::UnrecognizedCommand;
    for (ParseError e : { ParseError::AtaArgTruncated, ParseError::AtaWriteDataShort,
                          ParseError::ConfigArgTruncated, ParseError::ConfigStringTooLong,
                          ParseError::ConfigStringTruncated, ParseError::ConfigCommandUnknown,
                          ParseError::MacMaskArgTruncated, ParseError::MacMaskDirectivesTruncated,
                          ParseError::MacMaskCommandUnknown, ParseError::ReserveArgTruncated,
                          ParseError::ReserveMacsTruncated, ParseError::ReserveCommandUnknown })
        QTest::newRow(parseErrorText(e)) << e << ErrorCode::BadArgument;
}

void tst_AoeFrame::responseErrorMapping()
{
    QFETCH(ParseError, error);
    QFETCH(ErrorCode, answer);
    QCOMPARE(responseErrorFor(error), answer);
}

void tst_AoeFrame::errorTextsAreDistinct()
{
    QSet<QString> seen;
    for (int e = 0; e <= int(ParseError::ReserveCommandUnknown); ++e) {
        const QString text = QString::fromLatin1(parseErrorText(ParseError(e)));
        QVERIFY2(!text.startsWith(QLatin1String("unknown")), qPrintable(text));
        QVERIFY2(!seen.contains(text), qPrintable(text));
        seen.insert(text);
    }
    QCOMPARE(QString::fromLatin1(errorCodeName(ErrorCode::TargetReserved)),
             QStringLiteral("target is reserved"));
    QCOMPARE(QString::fromLatin1(errorCodeName(ErrorCode::ConfigStringPresent)),
             QStringLiteral("config string present"));
}

void tst_AoeFrame::sectorsPerMtu_data()
{
    QTest::addColumn<unsigned>("mtu");
    QTest::addColumn<int>("sectors");
    // §4.3 table.
    QTest::newRow("1500") << 1500u << 2;
    QTest::newRow("4200") << 4200u << 8;
    QTest::newRow("9000") << 9000u << 17;
    QTest::newRow("9216") << 9216u << 17;
    QTest::newRow("547: none fits") << 547u << 0;
    QTest::newRow("548: one") << 548u << 1;
    QTest::newRow("65535: capped") << 65535u << 127;
    QTest::newRow("200000: 8-bit cap") << 200000u << 255;
}

void tst_AoeFrame::sectorsPerMtu()
{
    QFETCH(unsigned, mtu);
    QFETCH(int, sectors);
    QCOMPARE(int(maxSectorsForMtu(mtu)), sectors);
}

void tst_AoeFrame::macText()
{
    MacAddress m;
    QVERIFY(parseMac("02:AE:00:00:00:01", &m));
    QCOMPARE(m, (MacAddress{ 0x02, 0xae, 0, 0, 0, 1 }));
    QCOMPARE(formatMac(m), std::string("02:ae:00:00:00:01"));
    QCOMPARE(formatByte(0x51), std::string("0x51"));
    QCOMPARE(formatByte(0x0a), std::string("0x0a"));
    QCOMPARE(formatByte(0xff), std::string("0xff"));
    QVERIFY(parseMac("02ae00000001", &m));
    QVERIFY(parseMac("02-ae-00-00-00-02", &m));
    QCOMPARE(m[5], 2);
    const MacAddress before = m;
    QVERIFY(!parseMac("02:ae:00:00:00", &m));
    QVERIFY(!parseMac("02:ae:00-00:00:01", &m));
    QVERIFY(!parseMac("02:ae:00:00:00:0g", &m));
    QVERIFY(!parseMac("", &m));
    QCOMPARE(m, before); // unchanged on failure
}

void tst_AoeFrame::truncationNeverReadsPastEnd()
{
    // Every prefix of valid frames of each kind parses without reading past
    // the end (ASan checks the reads) and fails cleanly where it must.
    const QByteArray frames[] = {
        frame("10 00 0001 02 00 00000002 | 41 00 01 34 | 000000000000 | 0000")
            + QByteArray(512, 'w'),
        frame("18 00 0007 03 01 80000000 | 0010 4019 02 10 0005 68656c6c6f"),
        frame("10 00 0007 03 02 80000005 | 00 01 00 02 | 00 01 02ed000000aa | 00 02 02ed000000bb"),
        frame("10 00 0007 03 03 80000006 | 01 02 | 02ed000000aa 02ed000000bb"),
    };
    for (const QByteArray &full : frames) {
        Frame f;
        QCOMPARE(parseFrame(bytes(full), &f), ParseError::Ok);
        for (qsizetype len = 0; len < full.size(); ++len) {
            // A heap copy of exactly len bytes, so ASan sees any over-read.
            std::vector<std::uint8_t> copy(full.begin(), full.begin() + len);
            const ParseError e = parseFrame(copy, &f);
            QVERIFY2(
                e != ParseError::Ok,
                qPrintable(QStringLiteral("prefix %1 of %2 accepted").arg(len).arg(full.size())));
        }
    }
}

QTEST_APPLESS_MAIN(tst_AoeFrame)
#include "tst_aoeframe.moc"
