// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
//
// The codec against frames captured from peers no one here wrote: Debian's
// vblade 25 and aoetools 36 (tests/data/golden/, made by
// tests/data/make-golden.sh; frame-by-frame listing in its README.md).

#include "etherdisk/aoeframe.h"
#include "etherdisk/ata.h"
#include "pcapfile.h"

#include <QDir>
#include <QTest>

using namespace Etherdisk;
using namespace Etherdisk::Aoe;

namespace {

const QString GoldenDir = QStringLiteral(ETHERDISK_TEST_DATA_DIR "/golden");
const MacAddress VbladeA = { 0x02, 0xed, 0, 0, 0, 0x01 };
const MacAddress Initiator = { 0x02, 0xed, 0, 0, 0, 0x02 };
const MacAddress VbladeB = { 0x02, 0xed, 0, 0, 0, 0x03 };

std::vector<EtherdiskTest::Packet> load(const QString &name)
{
    std::vector<EtherdiskTest::Packet> packets;
    std::string error;
    if (!EtherdiskTest::readPcap((GoldenDir + QLatin1Char('/') + name).toStdString(), &packets,
                                 &error))
        qWarning("%s", error.c_str());
    return packets;
}

std::string text(std::span<const std::uint8_t> s)
{
    return std::string(s.begin(), s.end());
}

} // namespace

class tst_Golden final : public QObject
{
    Q_OBJECT

private slots:
    void everyFrameParses();
    void vbladeConfigResponseUnpadded();
    void vbladeIdentifyPage();
    void aoeCfgRequestsAndConflict();
    void jumboSectorCount();
    void bufferCount64();
    void smartAborted();
    void discoveryOfTwoTargets();
    void sancheckPaddedIdentify();
    void versionZeroAdvertisement();
};

void tst_Golden::everyFrameParses()
{
    const QStringList files = QDir(GoldenDir).entryList({ QStringLiteral("*.pcap") }, QDir::Files);
    QVERIFY2(files.size() >= 20, "golden captures missing: run tests/data/make-golden.sh");
    int frames = 0;
    for (const QString &file : files) {
        const auto packets = load(file);
        QVERIFY2(!packets.empty(), qPrintable(file));
        for (std::size_t i = 0; i < packets.size(); ++i) {
            Frame f;
            const ParseError e = parseFrame(packets[i], &f);
            ++frames;
            // vblade's startup advertisement carries version 0 (its aoead()
            // never sets the version nibble): the only frames we reject.
            if (f.header.version == 0 && f.header.isResponse() && f.header.tag == 0) {
                QCOMPARE(e, ParseError::UnsupportedVersion);
                continue;
            }
            QVERIFY2(e == ParseError::Ok,
                     qPrintable(QStringLiteral("%1 frame %2: %3")
                                    .arg(file)
                                    .arg(i + 1)
                                    .arg(QLatin1String(parseErrorText(e)))));
            QVERIFY(f.hasArg);
            const bool fromTarget = f.header.source == VbladeA || f.header.source == VbladeB;
            QCOMPARE(f.header.isResponse(), fromTarget);
            // Only the aoetools' Query Config requests set a reserved field:
            // the AoE version nibble of the Config argument is 0.
            const std::uint32_t allowed = (!fromTarget && f.kind == FrameKind::QueryConfig)
                ? std::uint32_t(AnomalyConfigVersion)
                : 0u;
            QVERIFY2((f.anomalies & ~allowed) == 0,
                     qPrintable(QStringLiteral("%1 frame %2").arg(file).arg(i + 1)));
        }
    }
    QVERIFY(frames >= 100);
}

void tst_Golden::vbladeConfigResponseUnpadded()
{
    const auto p = load(QStringLiteral("aoeping-unpadded.pcap"));
    QCOMPARE(p.size(), std::size_t(2));
    QCOMPARE(p[1].size(), std::size_t(32)); // vblade does not pad (§9)
    Frame f;
    QCOMPARE(parseFrame(p[1], &f), ParseError::Ok);
    QCOMPARE(f.header.source, VbladeA);
    QCOMPARE(f.header.destination, Initiator);
    QCOMPARE(f.header.shelf, 7);
    QCOMPARE(f.header.slot, 3);
    QCOMPARE(f.header.tag, 0x80000000u);
    QCOMPARE(f.config.bufferCount, 16);
    QCOMPARE(f.config.firmwareVersion, 0x4019);
    QCOMPARE(f.config.sectorCount, 2);
    QCOMPARE(f.config.aoeVersion, 1);
    QCOMPARE(f.config.configCommand(), ConfigCommand::Read);
    QVERIFY(f.config.configString.empty());
    // aoeping's request claims a 1024-byte string of 0xED filling its frame exactly.
    QCOMPARE(parseFrame(p[0], &f), ParseError::Ok);
    QCOMPARE(f.config.configString.size(), std::size_t(1024));
    QCOMPARE(f.config.configString[1023], 0xED);
}

void tst_Golden::vbladeIdentifyPage()
{
    const auto p = load(QStringLiteral("aoeping-identify-fields.pcap"));
    QCOMPARE(p.size(), std::size_t(4));
    Frame req, rsp;
    QCOMPARE(parseFrame(p[2], &req), ParseError::Ok);
    QCOMPARE(req.ata.cmdStatus, Ata::CmdIdentifyDevice);
    QCOMPARE(req.ata.sectorCount, 1);
    QCOMPARE(req.ata.lba, 0xa0000000ull); // aoeping's device bits in lba3
    QVERIFY(req.data.empty()); // its 1024 zero bytes are padding: no W flag
    QCOMPARE(parseFrame(p[3], &rsp), ParseError::Ok);
    QCOMPARE(rsp.header.tag, req.header.tag);
    QCOMPARE(rsp.ata.cmdStatus, Ata::StatusReady);
    QCOMPARE(rsp.data.size(), std::size_t(512));
    const Ata::IdentifyInfo id = Ata::parseIdentify(rsp.data.first<Ata::IdentifySize>());
    QCOMPARE(id.model, std::string("Coraid EtherDrive vblade"));
    QCOMPARE(id.serial, std::string("7.3:edgold"));
    QCOMPARE(id.firmware, std::string("V25"));
    QCOMPARE(id.sectors, std::uint64_t(8192));
    QCOMPARE(id.lba28Sectors, std::uint64_t(8192));
    QVERIFY(id.lba48); // w83 0x5400, w86 0x1400
    QVERIFY(id.flushCache);
    QVERIFY(!id.flushCacheExt);
    QVERIFY(!id.checksumPresent);
}

void tst_Golden::aoeCfgRequestsAndConflict()
{
    const auto p = load(QStringLiteral("aoecfg-set-conflict.pcap"));
    QCOMPARE(p.size(), std::size_t(2));
    Frame f;
    QCOMPARE(parseFrame(p[0], &f), ParseError::Ok);
    QCOMPARE(p[0].size(), std::size_t(1056)); // aoecfg pads with stack garbage
    QCOMPARE(f.config.configCommand(), ConfigCommand::Set);
    QCOMPARE(text(f.config.configString), std::string("world"));
    QCOMPARE(f.config.aoeVersion, 0);
    QVERIFY(f.anomalies & AnomalyConfigVersion);
    QCOMPARE(parseFrame(p[1], &f), ParseError::Ok);
    QVERIFY(f.header.isError());
    QCOMPARE(f.header.errorCode(), ErrorCode::ConfigStringPresent);
    QCOMPARE(text(f.config.configString), std::string("hello"));

    const auto prefix = load(QStringLiteral("aoecfg-prefix.pcap"));
    QCOMPARE(prefix.size(), std::size_t(3)); // "help" got no answer
    QCOMPARE(parseFrame(prefix[0], &f), ParseError::Ok);
    QCOMPARE(f.config.configCommand(), ConfigCommand::TestPrefix);
    QCOMPARE(text(f.config.configString), std::string("hel"));
    QCOMPARE(parseFrame(prefix[1], &f), ParseError::Ok);
    QCOMPARE(text(f.config.configString), std::string("hello"));

    const auto fset = load(QStringLiteral("aoecfg-fset.pcap"));
    QCOMPARE(parseFrame(fset[1], &f), ParseError::Ok);
    QCOMPARE(f.config.configCommand(), ConfigCommand::ForceSet);
    QCOMPARE(text(f.config.configString), std::string("world"));
}

void tst_Golden::jumboSectorCount()
{
    const auto p = load(QStringLiteral("mtu9000-identify.pcap"));
    Frame f;
    QCOMPARE(parseFrame(p.at(1), &f), ParseError::Ok);
    QCOMPARE(f.config.sectorCount, 17); // §4.3: floor((9000 - 36) / 512)
    QCOMPARE(f.config.sectorCount, maxSectorsForMtu(9000));
}

void tst_Golden::bufferCount64()
{
    const auto p = load(QStringLiteral("bufcnt-64.pcap"));
    Frame f;
    QCOMPARE(parseFrame(p.at(1), &f), ParseError::Ok);
    QCOMPARE(f.config.bufferCount, 64);
}

void tst_Golden::smartAborted()
{
    const auto p = load(QStringLiteral("ata-smart-crafted.pcap"));
    Frame f;
    QCOMPARE(parseFrame(p.at(0), &f), ParseError::Ok);
    QCOMPARE(f.ata.cmdStatus, Ata::CmdSmart);
    QCOMPARE(f.ata.errFeature, 0xda); // SMART RETURN STATUS
    QCOMPARE(parseFrame(p.at(1), &f), ParseError::Ok);
    QCOMPARE(f.ata.cmdStatus, std::uint8_t(Ata::StatusReady | Ata::StatusError));
    QCOMPARE(f.ata.errFeature, Ata::ErrorAborted);
}

void tst_Golden::discoveryOfTwoTargets()
{
    const auto p = load(QStringLiteral("discovery-two-targets.pcap"));
    QCOMPARE(p.size(), std::size_t(3));
    Frame f;
    QCOMPARE(parseFrame(p[0], &f), ParseError::Ok);
    QCOMPARE(f.header.shelf, BroadcastShelf);
    QCOMPARE(f.header.slot, BroadcastSlot);
    QCOMPARE(f.header.destination, BroadcastMac);
    // Each target answers a wildcard with its own address.
    QSet<QString> answered;
    for (int i = 1; i < 3; ++i) {
        QCOMPARE(parseFrame(p[std::size_t(i)], &f), ParseError::Ok);
        answered.insert(QStringLiteral("%1.%2@%3")
                            .arg(f.header.shelf)
                            .arg(f.header.slot)
                            .arg(QString::fromStdString(formatMac(f.header.source))));
    }
    QCOMPARE(answered,
             (QSet<QString>{ QStringLiteral("7.3@02:ed:00:00:00:01"),
                             QStringLiteral("1.2@02:ed:00:00:00:03") }));
}

void tst_Golden::sancheckPaddedIdentify()
{
    // aoe-sancheck probes the path MTU with IDENTIFY requests padded from
    // 8740 bytes down: padding is not data, and every answer is 512 bytes.
    const auto p = load(QStringLiteral("mtu9000-sancheck.pcap"));
    QVERIFY(p.size() >= 30);
    int requests = 0, responses = 0;
    std::size_t largest = 0;
    for (const auto &packet : p) {
        Frame f;
        QCOMPARE(parseFrame(packet, &f), ParseError::Ok);
        if (f.kind != FrameKind::Ata)
            continue;
        QCOMPARE(f.ata.cmdStatus,
                 f.header.isResponse() ? Ata::StatusReady : Ata::CmdIdentifyDevice);
        if (f.header.isResponse()) {
            ++responses;
            QCOMPARE(f.data.size(), std::size_t(512));
        } else {
            ++requests;
            QVERIFY(f.data.empty());
            QVERIFY((f.header.tag & UserTagBit) != 0);
            largest = std::max(largest, packet.size());
        }
    }
    QVERIFY(requests >= 15);
    QCOMPARE(responses, requests);
    QCOMPARE(largest, std::size_t(8740)); // 36 + 17 * 512
}

void tst_Golden::versionZeroAdvertisement()
{
    const auto p = load(QStringLiteral("advert-unpadded.pcap"));
    QCOMPARE(p.size(), std::size_t(1));
    Frame f;
    QCOMPARE(parseFrame(p[0], &f), ParseError::UnsupportedVersion);
    // The header is still decoded, so discovery can report who sent it.
    QCOMPARE(f.header.version, 0);
    QVERIFY(f.header.isResponse());
    QCOMPARE(f.header.shelf, 7);
    QCOMPARE(f.header.slot, 3);
    QCOMPARE(f.header.tag, 0u);
    QCOMPARE(f.header.destination, BroadcastMac);
}

QTEST_APPLESS_MAIN(tst_Golden)
#include "tst_golden.moc"
