// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
//
// The target as a hostile host on the LAN would try it, on real veth pairs:
// the engine runs in this process inside namespace A, the test speaks raw
// AoE frames from namespace B and watches what really comes back on the wire
// (a promiscuous packet socket, no filter of ours in between).
// - Never an amplifier: a request whose source MAC is broadcast or multicast
//   gets no answer (the answer would reach every host, 8.7 KB each).
// - Never a bystander: requests addressed to another host's MAC get no
//   answer, even when the interface is a promiscuous bridge port; the filter
//   follows the interface's MAC when it changes.
// - A full link never stalls the loop: responses wait in a bounded queue and
//   go out when the link has room, while other links are served at once.

#include "etherdisk/ata.h"
#include "etherdisk/engine.h"
#include "etherdisk/packetio.h"
#include "netns.h"
#include "rawclient.h"
#include "testutil.h"
#include "wirecapture.h"

#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QScopeGuard>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <atomic>
#include <map>
#include <memory>
#include <poll.h>
#include <sched.h>
#include <set>
#include <thread>
#include <unistd.h>

using namespace Etherdisk;
using namespace Etherdisk::Aoe;
using EtherdiskTest::bytes;
using EtherdiskTest::NetnsPair;
using EtherdiskTest::RawClient;
using EtherdiskTest::WireCapture;

namespace {

constexpr std::uint16_t Shelf = 7;
constexpr std::uint8_t Slot = 3;
constexpr int Mtu = 9000;
constexpr std::uint8_t MaxSectors = 17; // (9000 - 36) / 512
constexpr std::uint64_t ImageSectors = 8192; // 4 MiB
constexpr std::size_t ReadResponseBytes = AtaHeaderSize + MaxSectors * SectorSize; // 8740

const MacAddress ThirdHost = { 0x02, 0xed, 0x00, 0x00, 0x00, 0x33 };

QByteArray pattern(std::uint64_t sectors)
{
    QByteArray a(qsizetype(sectors * 512), '\0');
    for (qsizetype i = 0; i < a.size(); ++i)
        a[i] = char((i / 512 * 131 + i * 7 + 5) & 0xff);
    return a;
}

MacAddress macOf(const QByteArray &six)
{
    MacAddress m{};
    std::copy(six.constBegin(), six.constBegin() + 6, m.begin());
    return m;
}

void setMacs(QByteArray *frame, const MacAddress &destination, const MacAddress &source)
{
    std::copy(destination.begin(), destination.end(), frame->begin());
    std::copy(source.begin(), source.end(), frame->begin() + 6);
}

bool isResponse(const QByteArray &f)
{
    return f.size() > 14 && (std::uint8_t(f[14]) & FlagResponse);
}

std::size_t responsesIn(const std::vector<QByteArray> &frames)
{
    return std::size_t(std::count_if(frames.begin(), frames.end(), isResponse));
}

std::uint32_t tagOf(const QByteArray &f)
{
    if (f.size() < 24)
        return 0;
    const auto *p = reinterpret_cast<const std::uint8_t *>(f.constData());
    return (std::uint32_t(p[20]) << 24) | (std::uint32_t(p[21]) << 16) | (std::uint32_t(p[22]) << 8)
        | p[23];
}

bool tc(const QString &ns, const QStringList &args, QString *error)
{
    QProcess p;
    p.start(QStringLiteral("ip"),
            NetnsPair::inNamespace(ns, EtherdiskTest::programPath(QStringLiteral("tc")), args));
    if (!p.waitForFinished(10000) || p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0) {
        *error = QStringLiteral("tc ") + args.join(QLatin1Char(' ')) + QStringLiteral(": ")
            + QString::fromLocal8Bit(p.readAllStandardError()).trimmed();
        return false;
    }
    return true;
}

// Requests are sent in bursts of 100, 15 ms apart, well within what the
// engine's receive ring holds between two passes: the link, not the ring, is
// what these tests fill.
void pace(int sent)
{
    if (sent % 100 == 99)
        ::usleep(15000);
}

// Everything a client receives until nothing came for quietMs (at most
// maxMs in all); *lastMs: when the last frame came, on `clock`.
std::vector<QByteArray> collectUntilQuiet(RawClient &client, int quietMs, int maxMs,
                                          const QElapsedTimer &clock, qint64 *lastMs)
{
    std::vector<QByteArray> all;
    QElapsedTimer t;
    t.start();
    qint64 last = t.elapsed();
    while (t.elapsed() < maxMs && t.elapsed() - last < quietMs) {
        auto more = client.collect(20);
        if (more.empty())
            continue;
        last = t.elapsed();
        *lastMs = clock.elapsed();
        all.insert(all.end(), more.begin(), more.end());
    }
    return all;
}

} // namespace

// One private LAN with the engine serving e7.3 on namespace A's end.
struct Rig
{
    std::unique_ptr<NetnsPair> net;
    std::unique_ptr<Engine> engine;
    RawClient client; // on ifB
    MacAddress target{}; // the engine's MAC on ifA
    // With a second link: a2 in namespace A (also served) and b2 in B.
    RawClient second;
    ~Rig()
    {
        if (engine)
            engine->stop();
        engine.reset();
        net.reset();
    }
};

class tst_Hostile final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();

    void addressedToUsRules_data();
    void addressedToUsRules();
    void groupSourcesGetSilence_data();
    void groupSourcesGetSilence();
    void kernelFilterDropsHostileFrames();
    void ownTransmissionsNeverReachTheReceiveRing();
    void promiscuousBridgePortAnswersOnlyForUs();
    void filterFollowsMacChange();
    void txQueueWaitsForTheLink();
    void fullLinkDoesNotStallTheLoop();
    void responsesWaitForARefusingLink();
    void receiveRingFollowsALargerMtu();
    void burstOfRequestsAllAnswered();

private:
    void startRig(Rig *rig, const QString &tag, bool secondLink = false);

    QTemporaryDir m_dir;
    QString m_image;
    QByteArray m_data;
    Rig m_main; // for the tests that change nothing about the LAN
};

void tst_Hostile::initTestCase()
{
    QString why;
    ETHERDISK_REQUIRE(EtherdiskTest::canCreateNetns(&why), why);
    ETHERDISK_REQUIRE(EtherdiskTest::haveProgram(QStringLiteral("tc")),
                      QStringLiteral("iproute2's tc is not installed"));
    QVERIFY(m_dir.isValid());
    m_data = pattern(ImageSectors);
    m_image = m_dir.filePath(QStringLiteral("disk.img"));
    QFile f(m_image);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(m_data);
    f.close();
    startRig(&m_main, QStringLiteral("host"));
}

void tst_Hostile::startRig(Rig *rig, const QString &tag, bool secondLink)
{
    rig->net = std::make_unique<NetnsPair>(tag, Mtu);
    NetnsPair &net = *rig->net;
    QVERIFY2(net.isValid(), qPrintable(net.error()));
    QString why;
    if (secondLink) {
        // Names inside our own namespaces cannot clash with anyone's.
        QVERIFY2(
            NetnsPair::ip({ QStringLiteral("-n"), net.nsA(), QStringLiteral("link"),
                            QStringLiteral("add"), QStringLiteral("a2"), QStringLiteral("mtu"),
                            QString::number(Mtu), QStringLiteral("type"), QStringLiteral("veth"),
                            QStringLiteral("peer"), QStringLiteral("name"), QStringLiteral("b2"),
                            QStringLiteral("mtu"), QString::number(Mtu), QStringLiteral("netns"),
                            net.nsB() },
                          &why),
            qPrintable(why));
        for (const auto &[ns, dev] : { std::pair{ net.nsA(), QStringLiteral("a2") },
                                       std::pair{ net.nsB(), QStringLiteral("b2") } })
            QVERIFY2(NetnsPair::ip({ QStringLiteral("-n"), ns, QStringLiteral("link"),
                                     QStringLiteral("set"), dev, QStringLiteral("up") },
                                   &why),
                     qPrintable(why));
    }
    QVERIFY2(net.enter(net.nsA()), qPrintable(net.error()));
    Engine::Options options;
    options.stateDir = m_dir.filePath(QStringLiteral("state-") + tag).toStdString();
    rig->engine = std::make_unique<Engine>(options);
    Error err;
    QVERIFY2(rig->engine->start(&err), err.message.c_str());
    ExportConfig c;
    c.shelf = Shelf;
    c.slot = Slot;
    c.path = m_image.toStdString();
    c.interfaces = { net.ifA().toStdString() };
    if (secondLink)
        c.interfaces.push_back("a2");
    c.bufferCount = 64;
    QVERIFY2(rig->engine->addExport(c, &err), err.message.c_str());
    QVERIFY2(net.enter(net.nsB()), qPrintable(net.error()));
    QVERIFY2(rig->client.open(net.ifB(), &why), qPrintable(why));
    if (secondLink)
        QVERIFY2(rig->second.open(QStringLiteral("b2"), &why), qPrintable(why));
    const auto rsp =
        rig->client.exchange(rig->client.configRequest(Shelf, Slot, ConfigCommand::Read));
    QCOMPARE(rsp.size(), std::size_t(1));
    rig->target = rig->client.target;
    QVERIFY(rig->target != MacAddress{});
}

void tst_Hostile::addressedToUsRules_data()
{
    // The userspace half of the filter, on frames the kernel half would have
    // dropped (or let through while being replaced).
    QTest::addColumn<QByteArray>("frame");
    QTest::addColumn<bool>("accepted");
    const QByteArray us = EtherdiskTest::hex("02 00 00 00 00 01");
    const QByteArray peer = EtherdiskTest::hex("02 00 00 00 00 02");
    const QByteArray type = EtherdiskTest::hex("88 a2 10 00");
    const QByteArray bcast = EtherdiskTest::hex("ff ff ff ff ff ff");
    QTest::newRow("to us from a unicast host") << us + peer + type << true;
    QTest::newRow("broadcast from a unicast host") << bcast + peer + type << true;
    QTest::newRow("to another host")
        << EtherdiskTest::hex("02 00 00 00 00 03") + peer + type << false;
    QTest::newRow("to our MAC with the group bit set")
        << EtherdiskTest::hex("03 00 00 00 00 01") + peer + type << false;
    QTest::newRow("to a multicast group")
        << EtherdiskTest::hex("01 00 5e 00 00 fb") + peer + type << false;
    QTest::newRow("from broadcast") << us + bcast + type << false;
    QTest::newRow("from IPv4 multicast")
        << us + EtherdiskTest::hex("01 00 5e 00 00 01") + type << false;
    QTest::newRow("from IPv6 multicast")
        << bcast + EtherdiskTest::hex("33 33 00 00 00 01") + type << false;
    QTest::newRow("from 802.1D reserved")
        << us + EtherdiskTest::hex("01 80 c2 00 00 0e") + type << false;
    QTest::newRow("from another group address")
        << us + EtherdiskTest::hex("03 00 00 00 00 02") + type << false;
    QTest::newRow("shorter than an Ethernet header") << us + peer.left(5) << false;
}

void tst_Hostile::addressedToUsRules()
{
    QFETCH(QByteArray, frame);
    QFETCH(bool, accepted);
    QCOMPARE(addressedToUs(bytes(frame), { 0x02, 0, 0, 0, 0, 0x01 }), accepted);
}

void tst_Hostile::groupSourcesGetSilence_data()
{
    QTest::addColumn<QByteArray>("source");
    QTest::newRow("broadcast ff:ff:ff:ff:ff:ff") << EtherdiskTest::hex("ff ff ff ff ff ff");
    QTest::newRow("IPv4 multicast 01:00:5e:00:00:01") << EtherdiskTest::hex("01 00 5e 00 00 01");
    QTest::newRow("IPv6 multicast 33:33:00:00:00:01") << EtherdiskTest::hex("33 33 00 00 00 01");
    QTest::newRow("802.1D reserved 01:80:c2:00:00:0e") << EtherdiskTest::hex("01 80 c2 00 00 0e");
}

void tst_Hostile::groupSourcesGetSilence()
{
    // A 60-byte READ of 17 sectors "from" a group address would be answered
    // with 8,740 bytes to every host on the segment: an amplifier.
    QFETCH(QByteArray, source);
    const MacAddress spoofed = macOf(source);
    Rig &rig = m_main;
    WireCapture wire;
    QString why;
    QVERIFY2(wire.open(rig.net->ifB(), &why), qPrintable(why));
    wire.clear();

    for (const MacAddress &dst : { rig.target, BroadcastMac }) {
        QByteArray read = rig.client.ataRequest(Shelf, Slot, Ata::CmdReadSectorsExt, 0, MaxSectors);
        QCOMPARE(std::size_t(read.size()), MinFrameSize);
        setMacs(&read, dst, spoofed);
        rig.client.exchange(read, 1, 0);
    }
    QByteArray query = rig.client.configRequest(BroadcastShelf, BroadcastSlot, ConfigCommand::Read);
    setMacs(&query, BroadcastMac, spoofed);
    rig.client.exchange(query, 1, 0);
    const auto seen = wire.collect(600);
    QCOMPARE(responsesIn(seen), std::size_t(0));

    // The same READ from our own address is answered: the silence above is
    // the source's doing.
    rig.client.exchange(rig.client.ataRequest(Shelf, Slot, Ata::CmdReadSectorsExt, 0, MaxSectors),
                        1, 0);
    const auto answered = wire.collect(2000, 1);
    QCOMPARE(responsesIn(answered), std::size_t(1));
    QCOMPARE(std::size_t(answered[0].size()), ReadResponseBytes);
    QCOMPARE(answered[0].mid(AtaHeaderSize), m_data.left(MaxSectors * 512));
}

void tst_Hostile::kernelFilterDropsHostileFrames()
{
    // Hostile frames never reach userspace: the kernel filter drops them
    // (the userspace check, tested above, is the second line).
    Rig &rig = m_main;
    QVERIFY(rig.net->enter(rig.net->nsA()));
    PacketFilter filter;
    filter.addresses.push_back({ Shelf, Slot });
    std::string error;
    auto io = PacketIo::open(rig.net->ifA().toStdString(), filter, &error);
    QVERIFY(rig.net->enter(rig.net->nsB()));
    QVERIFY2(io, error.c_str());
    QCOMPARE(io->info().mac, rig.target);

    std::vector<QByteArray> hostile;
    for (const char *group :
         { "ff ff ff ff ff ff", "01 00 5e 00 00 01", "33 33 00 00 00 01", "01 80 c2 00 00 0e" })
        for (const MacAddress &dst : { rig.target, BroadcastMac }) {
            QByteArray f = rig.client.ataRequest(Shelf, Slot, Ata::CmdReadSectorsExt, 0, 1);
            setMacs(&f, dst, macOf(EtherdiskTest::hex(group)));
            hostile.push_back(f);
        }
    MacAddress nearlyUs = rig.target;
    nearlyUs[5] ^= 0x01;
    for (const MacAddress &dst :
         { ThirdHost, nearlyUs, MacAddress{ 0x01, 0x00, 0x5e, 0x00, 0x00, 0x01 } }) {
        QByteArray f = rig.client.ataRequest(Shelf, Slot, Ata::CmdReadSectorsExt, 0, 1);
        setMacs(&f, dst, rig.client.mac());
        hostile.push_back(f);
    }
    for (const QByteArray &f : hostile)
        rig.client.exchange(f, 1, 0);
    QByteArray good = rig.client.ataRequest(Shelf, Slot, Ata::CmdReadSectorsExt, 0, 1);
    rig.client.exchange(good, 1, 0);

    struct Seen
    {
        std::vector<QByteArray> frames;
    } seen;
    auto store = [](void *ctx, std::span<const std::uint8_t> frame) {
        static_cast<Seen *>(ctx)->frames.emplace_back(reinterpret_cast<const char *>(frame.data()),
                                                      qsizetype(frame.size()));
    };
    QElapsedTimer t;
    t.start();
    while (t.elapsed() < 800) {
        pollfd p{ io->fd(), POLLIN, 0 };
        ::poll(&p, 1, 100);
        QVERIFY(io->receive(64, store, &seen, &error) >= 0);
    }
    QCOMPARE(seen.frames.size(), std::size_t(1));
    QCOMPARE(seen.frames[0], good);
    const PacketIo::Counters c = io->counters();
    QCOMPARE(c.received, std::uint64_t(1));
    QCOMPARE(c.rejected, std::uint64_t(0));
}

void tst_Hostile::ownTransmissionsNeverReachTheReceiveRing()
{
    // Every frame sent on an interface is offered to its packet sockets as
    // an outgoing copy. Frames we send ourselves that our own filter would
    // let through (a broadcast request, here) must not cost a clone, a
    // filter run and a wake-up each: the kernel leaves them out
    // (PACKET_IGNORE_OUTGOING), rather than userspace dropping them after
    // the copy (which the direction check would also do).
    Rig &rig = m_main;
    QVERIFY(rig.net->enter(rig.net->nsA()));
    PacketFilter filter; // both directions, every address: our queries pass it
    filter.direction = PacketFilter::Direction::Both;
    std::string error;
    auto io = PacketIo::open(rig.net->ifA().toStdString(), filter, &error);
    QVERIFY(rig.net->enter(rig.net->nsB()));
    QVERIFY2(io, error.c_str());
    WireCapture wire;
    QString why;
    QVERIFY2(wire.open(rig.net->ifB(), &why), qPrintable(why));
    wire.clear();
    // a shelf nobody serves: no answer comes back to confuse the count
    QByteArray query = rig.client.ataRequest(Shelf + 1, Slot, Ata::CmdReadSectorsExt, 0, 1);
    setMacs(&query, BroadcastMac, io->info().mac);
    constexpr int Sent = 50;
    for (int i = 0; i < Sent; ++i)
        QVERIFY2(io->send(EtherdiskTest::bytes(query), &error), error.c_str());
    // the frames did go out: the peer sees every one
    QCOMPARE(wire.collect(2000, Sent).size(), std::size_t(Sent));
    auto ignore = [](void *, std::span<const std::uint8_t>) {};
    QElapsedTimer t;
    t.start();
    while (t.elapsed() < 300) {
        pollfd p{ io->fd(), POLLIN, 0 };
        ::poll(&p, 1, 50);
        QVERIFY(io->receive(64, ignore, nullptr, &error) >= 0);
    }
    const PacketIo::Counters c = io->counters();
    QCOMPARE(c.sent, std::uint64_t(Sent));
    QCOMPARE(c.received, std::uint64_t(0));
    QCOMPARE(c.kernelPassed, std::uint64_t(0));
}

void tst_Hostile::promiscuousBridgePortAnswersOnlyForUs()
{
    // The target's interface is a port of a Linux bridge (so promiscuous,
    // and the bridge floods unknown unicast to it): frames for a third host
    // reach the engine's socket and must not be answered.
    Rig rig;
    startRig(&rig, QStringLiteral("hbr"));
    if (QTest::currentTestFailed())
        return;
    const QString nsA = rig.net->nsA();
    QString why;
    auto ipA = [&](const QStringList &args) {
        return NetnsPair::ip(QStringList{ QStringLiteral("-n"), nsA } + args, &why);
    };
    QVERIFY2(ipA({ QStringLiteral("link"), QStringLiteral("add"), QStringLiteral("br0"),
                   QStringLiteral("type"), QStringLiteral("bridge") }),
             qPrintable(why));
    QVERIFY2(ipA({ QStringLiteral("link"), QStringLiteral("add"), QStringLiteral("xa"),
                   QStringLiteral("type"), QStringLiteral("veth"), QStringLiteral("peer"),
                   QStringLiteral("name"), QStringLiteral("xb") }),
             qPrintable(why));
    for (const QString &port : { rig.net->ifA(), QStringLiteral("xa") })
        QVERIFY2(ipA({ QStringLiteral("link"), QStringLiteral("set"), port,
                       QStringLiteral("master"), QStringLiteral("br0") }),
                 qPrintable(why));
    for (const QString &dev : { QStringLiteral("br0"), QStringLiteral("xa"), QStringLiteral("xb") })
        QVERIFY2(ipA({ QStringLiteral("link"), QStringLiteral("set"), dev, QStringLiteral("up") }),
                 qPrintable(why));
    QVERIFY2(ipA({ QStringLiteral("link"), QStringLiteral("set"), rig.net->ifA(),
                   QStringLiteral("promisc"), QStringLiteral("on") }),
             qPrintable(why));
    QProcess show;
    show.start(QStringLiteral("ip"),
               { QStringLiteral("-n"), nsA, QStringLiteral("link"), QStringLiteral("show"),
                 rig.net->ifA() });
    QVERIFY(show.waitForFinished(5000));
    const QByteArray state = show.readAllStandardOutput();
    QVERIFY2(state.contains("PROMISC") && state.contains("master br0"), state.constData());
    // Still served through the change.
    QTRY_COMPARE_WITH_TIMEOUT(
        rig.client.exchange(rig.client.configRequest(Shelf, Slot, ConfigCommand::Read), 1, 200)
            .size(),
        std::size_t(1), 5000);

    WireCapture wire;
    QVERIFY2(wire.open(rig.net->ifB(), &why), qPrintable(why));
    wire.clear();
    constexpr int Frames = 40;
    for (int i = 0; i < Frames; ++i) {
        QByteArray f = i % 2
            ? rig.client.ataRequest(Shelf, Slot, Ata::CmdReadSectorsExt, std::uint64_t(i),
                                    MaxSectors)
            : rig.client.configRequest(BroadcastShelf, BroadcastSlot, ConfigCommand::Read);
        setMacs(&f, ThirdHost, rig.client.mac());
        rig.client.exchange(f, 1, 0);
    }
    QCOMPARE(responsesIn(wire.collect(800)), std::size_t(0));

    // To our MAC and to broadcast: answered, once each.
    QByteArray toUs = rig.client.ataRequest(Shelf, Slot, Ata::CmdReadSectorsExt, 3, MaxSectors);
    setMacs(&toUs, rig.target, rig.client.mac());
    rig.client.exchange(toUs, 1, 0);
    auto seen = wire.collect(2000, 1);
    QCOMPARE(responsesIn(seen), std::size_t(1));
    QCOMPARE(seen[0].mid(AtaHeaderSize), m_data.mid(3 * 512, MaxSectors * 512));
    QByteArray query = rig.client.configRequest(BroadcastShelf, BroadcastSlot, ConfigCommand::Read);
    setMacs(&query, BroadcastMac, rig.client.mac());
    rig.client.exchange(query, 1, 0);
    seen = wire.collect(2000, 1);
    QCOMPARE(responsesIn(seen), std::size_t(1));
    QCOMPARE(macOf(seen[0].mid(6, 6)), rig.target);
    QCOMPARE(responsesIn(wire.collect(300)), std::size_t(0));
}

void tst_Hostile::filterFollowsMacChange()
{
    // The filter names our MAC: when the interface gets a new one, requests
    // to the new MAC are answered (from it) within the engine's interface
    // check (every second), and requests to the old one no longer are.
    Rig rig;
    startRig(&rig, QStringLiteral("hmac"));
    if (QTest::currentTestFailed())
        return;
    const MacAddress oldMac = rig.target;
    const MacAddress newMac = { 0x02, 0xed, 0x00, 0x00, 0xaa, 0x01 };
    WireCapture wire;
    QString why;
    QVERIFY2(wire.open(rig.net->ifB(), &why), qPrintable(why));
    wire.clear();
    QElapsedTimer t;
    t.start();
    QVERIFY2(NetnsPair::ip({ QStringLiteral("-n"), rig.net->nsA(), QStringLiteral("link"),
                             QStringLiteral("set"), rig.net->ifA(), QStringLiteral("address"),
                             QString::fromStdString(formatMac(newMac)) },
                           &why),
             qPrintable(why));
    // The engine advertises itself from the new MAC.
    bool advertised = false;
    while (!advertised && t.elapsed() < 2500) {
        for (const QByteArray &f : wire.collect(100)) {
            Frame parsed;
            if (parseFrame(bytes(f), &parsed) == ParseError::Ok && parsed.header.isResponse()
                && parsed.header.tag == 0 && parsed.header.source == newMac)
                advertised = true;
        }
    }
    QVERIFY2(advertised, "no advertisement from the new MAC within 2.5 s");
    QByteArray toNew = rig.client.ataRequest(Shelf, Slot, Ata::CmdReadSectorsExt, 0, 1);
    setMacs(&toNew, newMac, rig.client.mac());
    const auto rsp = rig.client.exchange(toNew, 1, 1000);
    QCOMPARE(rsp.size(), std::size_t(1));
    QCOMPARE(macOf(rsp[0].mid(6, 6)), newMac);
    wire.clear();
    QByteArray toOld = rig.client.ataRequest(Shelf, Slot, Ata::CmdReadSectorsExt, 0, 1);
    setMacs(&toOld, oldMac, rig.client.mac());
    rig.client.exchange(toOld, 1, 0);
    QCOMPARE(responsesIn(wire.collect(600)), std::size_t(0));
}

void tst_Hostile::txQueueWaitsForTheLink()
{
    // PacketIo on a link slowed to 100 Mbit/s by a token bucket with a deep
    // queue: the socket's send buffer fills (EAGAIN). flush() returns at once,
    // the rest waits in PacketIo's queue up to its bound (beyond it frames
    // are refused and counted), and every accepted frame goes out, in order,
    // as the link drains, woken by txFd() without spinning.
    NetnsPair net(QStringLiteral("htxq"), Mtu);
    QVERIFY2(net.isValid(), qPrintable(net.error()));
    // A veth hands each frame to the backlog of the CPU that sent it (here:
    // that dequeued it from the token bucket), and two CPUs' backlogs
    // deliver in any order: the order on the wire is what PacketIo sent
    // only while everything sending runs on one CPU. This thread stays on
    // the one it is on (the bucket's timer is pinned to where it was armed).
    cpu_set_t before;
    QCOMPARE(::sched_getaffinity(0, sizeof before, &before), 0);
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(::sched_getcpu(), &one);
    QCOMPARE(::sched_setaffinity(0, sizeof one, &one), 0);
    auto restoreAffinity = qScopeGuard([&] { ::sched_setaffinity(0, sizeof before, &before); });
    QString why;
    QVERIFY2(tc(net.nsA(),
                { QStringLiteral("qdisc"), QStringLiteral("add"), QStringLiteral("dev"), net.ifA(),
                  QStringLiteral("root"), QStringLiteral("tbf"), QStringLiteral("rate"),
                  QStringLiteral("100mbit"), QStringLiteral("burst"), QStringLiteral("64kb"),
                  QStringLiteral("limit"), QStringLiteral("64mb") },
                &why),
             qPrintable(why));
    constexpr double BytesPerSecond = 100e6 / 8;
    QVERIFY(net.enter(net.nsA()));
    std::string error;
    PacketFilter filter;
    filter.direction = PacketFilter::Direction::Responses;
    auto io = PacketIo::open(net.ifA().toStdString(), filter, &error);
    QVERIFY(net.enter(net.nsB()));
    QVERIFY2(io, error.c_str());
    InterfaceInfo peer;
    QVERIFY2(queryInterface(net.ifB().toStdString(), &peer, &error), error.c_str());
    WireCapture wire;
    QVERIFY2(wire.open(net.ifB(), &why), qPrintable(why));

    // 2000 frames of 9014 bytes: 18 MB, more than the socket (8 MiB) and the
    // queue (4 MiB) hold together.
    constexpr std::uint32_t Count = 2000;
    constexpr std::size_t FrameBytes = Mtu + EthernetHeaderSize;
    std::vector<std::uint8_t> frame(FrameBytes, 0);
    std::copy(peer.mac.begin(), peer.mac.end(), frame.begin());
    std::copy(io->info().mac.begin(), io->info().mac.end(), frame.begin() + 6);
    frame[12] = 0x88;
    frame[13] = 0xa2;
    frame[14] = 0x18; // version 1, response: nobody answers it
    std::vector<std::uint32_t> accepted;
    std::vector<QByteArray> captured;
    std::atomic<std::size_t> expected{ Count };
    std::atomic<qint64> lastMs{ 0 };
    QElapsedTimer t;
    t.start();
    std::jthread capture([&] {
        while (captured.size() < expected && t.elapsed() < 20000) {
            const auto more = wire.collect(20);
            if (!more.empty())
                lastMs = t.elapsed();
            captured.insert(captured.end(), more.begin(), more.end());
        }
    });
    for (std::uint32_t i = 1; i <= Count; ++i) {
        frame[20] = std::uint8_t(i >> 24);
        frame[21] = std::uint8_t(i >> 16);
        frame[22] = std::uint8_t(i >> 8);
        frame[23] = std::uint8_t(i);
        if (io->queue(frame))
            accepted.push_back(i);
    }
    expected = accepted.size();
    QVERIFY2(io->flush(&error), error.c_str());
    const qint64 queuedMs = t.elapsed();
    PacketIo::Counters c = io->counters();
    const std::size_t waiting = io->queuedFrames();
    qInfo("queued %u frames in %lld ms: %zu accepted, %zu waiting, %llu deferred sends", Count,
          queuedMs, accepted.size(), waiting, (unsigned long long)c.txDeferred);
    QVERIFY2(queuedMs < 300, "queue() and flush() waited for the link");
    QVERIFY(c.txDeferred >= 1);
    QVERIFY(waiting > 0);
    QVERIFY(waiting <= TxQueueFrames);
    QVERIFY(waiting * FrameBytes <= TxQueueBytes);
    QCOMPARE(c.txDropped, std::uint64_t(Count - accepted.size()));
    QVERIFY(c.txDropped > 0);

    int wakes = 0;
    auto ignore = [](void *, std::span<const std::uint8_t>) {};
    while (io->queuedFrames() > 0 && t.elapsed() < 15000) {
        pollfd p[2] = { { io->fd(), POLLIN, 0 }, { io->txFd(), POLLIN, 0 } };
        if (::poll(p, 2, 500) > 0)
            ++wakes;
        QVERIFY(io->receive(64, ignore, nullptr, &error) >= 0);
    }
    const qint64 drainedMs = t.elapsed();
    capture.join();
    c = io->counters();
    qInfo("drained after %lld ms with %d wakes; %zu frames on the wire", drainedMs, wakes,
          captured.size());
    QCOMPARE(io->queuedFrames(), std::size_t(0));
    QCOMPARE(c.sent, std::uint64_t(accepted.size()));
    QCOMPARE(c.sendErrors, std::uint64_t(0));
    std::vector<std::uint32_t> tags;
    for (const QByteArray &f : captured)
        tags.push_back(tagOf(f));
    if (tags != accepted) {
        std::vector<std::uint32_t> sorted = tags, sortedAccepted = accepted;
        std::sort(sorted.begin(), sorted.end());
        std::sort(sortedAccepted.begin(), sortedAccepted.end());
        const auto at = std::mismatch(tags.begin(), tags.end(), accepted.begin(), accepted.end());
        qWarning("%zu frames on the wire, %zu accepted; %s; first difference at %td", tags.size(),
                 accepted.size(),
                 sorted == sortedAccepted ? "the same frames in another order"
                                          : "not the same frames",
                 at.first - tags.begin());
    }
    QCOMPARE(tags, accepted); // every accepted frame, once, in order
    // The link really was the limit: the accepted bytes took their time at
    // 100 Mbit/s (less one token bucket burst), and not much longer.
    const double expectedMs = double(accepted.size() * FrameBytes) / BytesPerSecond * 1000;
    QVERIFY2(double(lastMs) >= 0.8 * expectedMs - 50,
             qPrintable(QStringLiteral("all out after %1 ms, the link needs %2 ms")
                            .arg(qint64(lastMs))
                            .arg(expectedMs)));
    QVERIFY2(double(lastMs) <= 1.5 * expectedMs + 3000,
             qPrintable(QStringLiteral("last frame after %1 ms, the link needs %2 ms")
                            .arg(qint64(lastMs))
                            .arg(expectedMs)));
    // Woken by the retry timer, about once a millisecond, not in a loop.
    QVERIFY(wakes >= 1);
    QVERIFY2(wakes <= drainedMs + 100,
             qPrintable(QStringLiteral("%1 wakes in %2 ms").arg(wakes).arg(drainedMs)));
}

void tst_Hostile::fullLinkDoesNotStallTheLoop()
{
    // Link 1 slowed to 50 Mbit/s with a deep queue; 1500 READs of 17 sectors
    // (13 MB of answers) fill the socket's send buffer. Link 2, served by
    // the same loop, still answers at once, and link 1's answers all go out
    // (those beyond the queue's bound after a retransmission, as an
    // initiator would).
    Rig rig;
    startRig(&rig, QStringLiteral("hloop"), true);
    if (QTest::currentTestFailed())
        return;
    QString why;
    QVERIFY2(tc(rig.net->nsA(),
                { QStringLiteral("qdisc"), QStringLiteral("add"), QStringLiteral("dev"),
                  rig.net->ifA(), QStringLiteral("root"), QStringLiteral("tbf"),
                  QStringLiteral("rate"), QStringLiteral("50mbit"), QStringLiteral("burst"),
                  QStringLiteral("64kb"), QStringLiteral("limit"), QStringLiteral("64mb") },
                &why),
             qPrintable(why));
    constexpr double BytesPerSecond = 50e6 / 8;
    const auto second =
        rig.second.exchange(rig.second.configRequest(Shelf, Slot, ConfigCommand::Read), 1, 2000);
    QCOMPARE(second.size(), std::size_t(1));

    constexpr int Count = 1500;
    std::map<std::uint32_t, std::uint64_t> lbaOf;
    auto fire = [&](std::uint32_t tagWanted, std::uint64_t lba) {
        QByteArray f = rig.client.ataRequest(Shelf, Slot, Ata::CmdReadSectorsExt, lba, MaxSectors);
        if (tagWanted) {
            f[20] = char(tagWanted >> 24);
            f[21] = char(tagWanted >> 16);
            f[22] = char(tagWanted >> 8);
            f[23] = char(tagWanted);
        }
        lbaOf[tagOf(f)] = lba;
        rig.client.exchange(f, 1, 0);
    };
    QElapsedTimer t;
    t.start();
    for (int i = 0; i < Count; ++i) {
        fire(0, std::uint64_t(i % 400) * MaxSectors);
        pace(i);
    }

    // Link 2 meanwhile: an IDENTIFY and a READ, each answered promptly.
    for (const std::uint8_t command : { Ata::CmdIdentifyDevice, Ata::CmdReadSectorsExt }) {
        QElapsedTimer rtt;
        rtt.start();
        const auto rsp =
            rig.second.exchange(rig.second.ataRequest(Shelf, Slot, command, 0, 1), 1, 3000);
        const qint64 ms = rtt.elapsed();
        qInfo("link 2 answered in %lld ms, %lld ms after link 1's burst began", ms, t.elapsed());
        QCOMPARE(rsp.size(), std::size_t(1));
        QVERIFY2(ms < 250, qPrintable(QStringLiteral("link 2 waited %1 ms").arg(ms)));
    }
    const qint64 secondDoneMs = t.elapsed();

    std::set<std::uint32_t> answered;
    std::size_t firstRound = 0;
    qint64 lastMs = 0;
    for (int round = 0; round < 3 && answered.size() < std::size_t(Count); ++round) {
        int resent = 0;
        if (round > 0)
            for (const auto &[tag, lba] : std::map(lbaOf))
                if (!answered.count(tag)) {
                    fire(tag, lba);
                    pace(resent++);
                }
        qint64 roundLastMs = 0;
        for (const QByteArray &f : collectUntilQuiet(rig.client, 1500, 20000, t, &roundLastMs)) {
            Frame parsed;
            QCOMPARE(parseFrame(bytes(f), &parsed), ParseError::Ok);
            const auto it = lbaOf.find(parsed.header.tag);
            if (it == lbaOf.end())
                continue;
            QCOMPARE(parsed.ata.cmdStatus, Ata::StatusReady);
            QCOMPARE(
                QByteArray(reinterpret_cast<const char *>(parsed.data.data()), MaxSectors * 512),
                m_data.mid(qsizetype(it->second * 512), MaxSectors * 512));
            answered.insert(parsed.header.tag);
        }
        if (round == 0) {
            firstRound = answered.size();
            lastMs = roundLastMs;
        }
    }
    const double expectedMs = double(firstRound * (ReadResponseBytes + 14)) / BytesPerSecond * 1000;
    qInfo("first round: %zu of %d answered, the last after %lld ms (the link needs %.0f "
          "ms); link 2 was served within %lld ms",
          firstRound, Count, lastMs, expectedMs, secondDoneMs);
    QCOMPARE(answered.size(), std::size_t(Count));
    // Frames the socket did not take waited in the queue instead of being
    // lost: at least the queue's bound worth went out in the first round.
    QVERIFY(firstRound >= std::min<std::size_t>(Count, TxQueueBytes / ReadResponseBytes));
    // Link 1 really was full while link 2 was served.
    QVERIFY2(double(secondDoneMs) < 0.5 * expectedMs,
             qPrintable(QStringLiteral("link 1 drained in about %1 ms only").arg(expectedMs)));
}

void tst_Hostile::responsesWaitForARefusingLink()
{
    // Link slowed to 50 Mbit/s with a short interface queue (200 KB): the
    // kernel drops what does not fit (ENOBUFS) instead of filling the socket.
    // 400 READs of 17 sectors (3.5 MB, within the queue's bound): every
    // answer still goes out, once, the queue retrying as the link drains.
    Rig rig;
    startRig(&rig, QStringLiteral("hnob"));
    if (QTest::currentTestFailed())
        return;
    QString why;
    QVERIFY2(tc(rig.net->nsA(),
                { QStringLiteral("qdisc"), QStringLiteral("add"), QStringLiteral("dev"),
                  rig.net->ifA(), QStringLiteral("root"), QStringLiteral("tbf"),
                  QStringLiteral("rate"), QStringLiteral("50mbit"), QStringLiteral("burst"),
                  QStringLiteral("64kb"), QStringLiteral("limit"), QStringLiteral("200kb") },
                &why),
             qPrintable(why));
    constexpr double BytesPerSecond = 50e6 / 8;
    constexpr int Count = 400;
    static_assert(Count * (ReadResponseBytes + 14) < TxQueueBytes);
    std::map<std::uint32_t, std::uint64_t> lbaOf;
    QElapsedTimer t;
    t.start();
    for (int i = 0; i < Count; ++i) {
        const std::uint64_t lba = std::uint64_t(i) * MaxSectors % (ImageSectors - MaxSectors);
        const QByteArray f =
            rig.client.ataRequest(Shelf, Slot, Ata::CmdReadSectorsExt, lba, MaxSectors);
        lbaOf[tagOf(f)] = lba;
        rig.client.exchange(f, 1, 0);
        pace(i);
    }
    std::map<std::uint32_t, int> answers;
    qint64 lastMs = 0;
    for (const QByteArray &f : collectUntilQuiet(rig.client, 1500, 20000, t, &lastMs)) {
        Frame parsed;
        QCOMPARE(parseFrame(bytes(f), &parsed), ParseError::Ok);
        const auto it = lbaOf.find(parsed.header.tag);
        if (it == lbaOf.end())
            continue;
        QCOMPARE(QByteArray(reinterpret_cast<const char *>(parsed.data.data()), MaxSectors * 512),
                 m_data.mid(qsizetype(it->second * 512), MaxSectors * 512));
        ++answers[parsed.header.tag];
    }
    const double expectedMs = double(Count * (ReadResponseBytes + 14)) / BytesPerSecond * 1000;
    qInfo("%zu of %d answered, the last after %lld ms (the link needs %.0f ms)", answers.size(),
          Count, lastMs, expectedMs);
    QCOMPARE(answers.size(), std::size_t(Count));
    QVERIFY(
        std::all_of(answers.begin(), answers.end(), [](const auto &a) { return a.second == 1; }));
    QVERIFY2(
        double(lastMs) >= 0.8 * expectedMs - 100,
        qPrintable(QStringLiteral("all out after %1 ms: the link was not the limit").arg(lastMs)));
    QVERIFY2(double(lastMs) <= 2 * expectedMs + 1500,
             qPrintable(QStringLiteral("all out after %1 ms").arg(lastMs)));
}

void tst_Hostile::receiveRingFollowsALargerMtu()
{
    // The receive ring is sized for the MTU (or a jumbo frame) when opened;
    // raised beyond it, the engine reopens the interface so that frames of
    // the new MTU arrive whole: a 31-sector write at MTU 16000 lands intact.
    Rig rig;
    startRig(&rig, QStringLiteral("hmtu"));
    if (QTest::currentTestFailed())
        return;
    constexpr std::uint8_t Sectors = 31; // (16000 - 36) / 512
    QVERIFY(rig.net->setMtu(16000));
    QString why;
    QVERIFY2(rig.client.open(rig.net->ifB(), &why), qPrintable(why)); // a ring for 16000 too
    QTRY_COMPARE_WITH_TIMEOUT(
        [&] {
            const auto rsp =
                rig.client.exchange(rig.client.configRequest(Shelf, Slot, ConfigCommand::Read));
            Frame f;
            if (rsp.size() != 1 || parseFrame(bytes(rsp[0]), &f) != ParseError::Ok)
                return 0;
            return int(f.config.sectorCount);
        }(),
        int(Sectors), 5000);
    QByteArray data = pattern(Sectors).right(Sectors * 512);
    std::reverse(data.begin(), data.end());
    const std::uint64_t lba = 1000;
    auto rsp = rig.client.exchange(
        rig.client.ataRequest(Shelf, Slot, Ata::CmdWriteSectorsExt, lba, Sectors, data), 1, 2000);
    QCOMPARE(rsp.size(), std::size_t(1));
    Frame f;
    QCOMPARE(parseFrame(bytes(rsp[0]), &f), ParseError::Ok);
    QCOMPARE(f.header.isError(), false);
    QCOMPARE(f.ata.cmdStatus, Ata::StatusReady);
    rsp = rig.client.exchange(
        rig.client.ataRequest(Shelf, Slot, Ata::CmdReadSectorsExt, lba, Sectors), 1, 2000);
    QCOMPARE(rsp.size(), std::size_t(1));
    QCOMPARE(parseFrame(bytes(rsp[0]), &f), ParseError::Ok);
    QCOMPARE(QByteArray(reinterpret_cast<const char *>(f.data.data()), Sectors * 512), data);
    // Put the image back for the other tests.
    rsp = rig.client.exchange(rig.client.ataRequest(Shelf, Slot, Ata::CmdWriteSectorsExt, lba,
                                                    Sectors, m_data.mid(lba * 512, Sectors * 512)),
                              1, 2000);
    QCOMPARE(rsp.size(), std::size_t(1));
}

void tst_Hostile::burstOfRequestsAllAnswered()
{
    // 1000 READs sent back to back, faster than one pass of the engine's
    // loop: its receive ring holds them all (libpcap's default slots of 64
    // KiB on veth would hold 256), so every one is answered, once.
    Rig &rig = m_main;
    constexpr int Count = 1000;
    std::map<std::uint32_t, int> answers;
    for (int i = 0; i < Count; ++i) {
        const QByteArray f =
            rig.client.ataRequest(Shelf, Slot, Ata::CmdReadSectorsExt, std::uint64_t(i), 1);
        answers[tagOf(f)] = 0;
        rig.client.exchange(f, 1, 0);
    }
    QElapsedTimer t;
    t.start();
    qint64 lastMs = 0;
    for (const QByteArray &f : collectUntilQuiet(rig.client, 1000, 10000, t, &lastMs)) {
        const auto it = answers.find(tagOf(f));
        if (it != answers.end())
            ++it->second;
    }
    const auto answered =
        std::count_if(answers.begin(), answers.end(), [](const auto &a) { return a.second == 1; });
    QCOMPARE(int(answered), Count);
}

QTEST_GUILESS_MAIN(tst_Hostile)
#include "tst_hostile.moc"
