// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
//
// The userspace initiator against real targets on a veth pair: Debian's
// vblade and our etherdisk-target run in namespace A (started with
// `ip netns exec`), the initiator runs in this process in namespace B.
// Also: frame loss injected with nftables, errors, and a hostile target
// (a thread in this process, answering from namespace A) that must neither
// crash nor mislead the initiator.
//
// Loss injection: libpcap (etherdisk-target) receives frames through an
// ETH_P_ALL tap, which the kernel serves *before* the netdev ingress hook,
// so an nft drop rule on the interface the target listens on never reaches
// it (vblade's ETH_P_AOE socket is served after the hook and is affected).
// The lossy test therefore puts the target on a bridge in namespace A and
// drops on the veth port underneath, where the hook runs before any tap:
// silent loss like on a wire, for both targets, in both directions.

#include "etherdisk/ata.h"
#include "etherdisk/engine.h"
#include "etherdisk/initiator.h"
#include "etherdisk/packetio.h"
#include "images.h"
#include "netns.h"
#include "peers.h"
#include "process.h"
#include "testutil.h"

#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <atomic>
#include <mutex>
#include <set>
#include <poll.h>
#include <thread>

using namespace Etherdisk;
using namespace Etherdisk::Aoe;

namespace {

constexpr std::uint16_t Shelf = 3;
constexpr std::uint8_t Slot = 7;
constexpr std::uint64_t ImageSectors = 16384; // 8 MiB
constexpr qsizetype ImageBytes = qsizetype(ImageSectors * 512);

using EtherdiskTest::targetBinary;
using EtherdiskTest::vbladeBinary;

QByteArray pattern(qsizetype bytes, int seed)
{
    return EtherdiskTest::patternData(bytes, seed);
}

std::span<std::uint8_t> span(QByteArray &a, qsizetype offset = 0, qsizetype length = -1)
{
    return { reinterpret_cast<std::uint8_t *>(a.data()) + offset,
             std::size_t(length < 0 ? a.size() - offset : length) };
}

std::span<const std::uint8_t> cspan(const QByteArray &a)
{
    return { reinterpret_cast<const std::uint8_t *>(a.constData()), std::size_t(a.size()) };
}

// --- a hostile target ------------------------------------------------------------

class HostileTarget
{
public:
    enum Scenario {
        Garbage, // every read answered only with invalid frames
        GarbageThenGood, // invalid frames, then the right answer
        AoeError, // E flag, error 3
        Abort, // ATA status ERR, ABRT
    };
    static constexpr int CountedPerRound = 14; // invalid frames that reach the initiator
    static constexpr std::uint64_t Sectors = 16384;

    ~HostileTarget() { stop(); }

    bool open(const QString &interface, QString *error)
    {
        PacketFilter filter;
        filter.direction = PacketFilter::Direction::Requests;
        filter.addresses.push_back({ Shelf, Slot });
        std::string why;
        m_io = PacketIo::open(interface.toStdString(), filter, &why);
        if (!m_io)
            *error = QString::fromStdString(why);
        return m_io != nullptr;
    }
    void start()
    {
        m_stop = false;
        m_thread = std::thread([this] { run(); });
    }
    void stop()
    {
        m_stop = true;
        if (m_thread.joinable())
            m_thread.join();
    }

    std::atomic<int> scenario{ GarbageThenGood };
    std::atomic<int> readsSeen{ 0 };
    std::atomic<bool> replay{ false }; // answer every tag seen so far, correctly
    std::atomic<int> replayed{ 0 };

private:
    void run()
    {
        std::string why;
        while (!m_stop) {
            pollfd p{ m_io->fd(), POLLIN, 0 };
            ::poll(&p, 1, 20);
            m_io->receive(256, &HostileTarget::onFrame, this, &why);
            if (replay.exchange(false)) {
                for (const Frame &f : m_seen) {
                    send(goodRead(f));
                    ++replayed;
                }
            }
            m_io->flush(&why);
        }
    }
    static void onFrame(void *ctx, std::span<const std::uint8_t> frame)
    {
        static_cast<HostileTarget *>(ctx)->handle(frame);
    }
    void send(const QByteArray &f) { m_io->queue(cspan(f)); }

    QByteArray ata(const Frame &req, const QByteArray &data, std::uint8_t status = 0x40,
                   std::uint8_t err = 0)
    {
        const Header h = responseHeader(req.header, m_io->info().mac, Shelf, Slot);
        AtaArg a = req.ata;
        a.cmdStatus = status;
        a.errFeature = err;
        a.sectorCount = 0;
        QByteArray out(qsizetype(AtaHeaderSize) + data.size() + 64, '\0');
        out.resize(qsizetype(buildAta(span(out), h, a, cspan(data))));
        return out;
    }
    QByteArray goodRead(const Frame &req)
    {
        const bool ext = req.ata.cmdStatus == Ata::CmdReadSectorsExt;
        const std::uint64_t lba = ext ? req.ata.lba48() : req.ata.lba28();
        QByteArray data;
        for (unsigned i = 0; i < req.ata.sectorCount; ++i)
            data += pattern(512, int(lba + i));
        return ata(req, data);
    }

    void handle(std::span<const std::uint8_t> bytes)
    {
        Frame f;
        if (parseFrame(bytes, &f) != ParseError::Ok || f.header.isResponse())
            return;
        const Header h = responseHeader(f.header, m_io->info().mac, Shelf, Slot);
        if (f.kind == FrameKind::QueryConfig) {
            ConfigArg c;
            c.bufferCount = 4;
            c.firmwareVersion = 0x0777;
            c.sectorCount = 2;
            QByteArray out(64, '\0');
            out.resize(qsizetype(buildConfig(span(out), h, c)));
            send(out);
            return;
        }
        if (f.kind != FrameKind::Ata)
            return;
        if (f.ata.cmdStatus == Ata::CmdIdentifyDevice) {
            QByteArray page(512, '\0');
            Ata::IdentifyInfo info;
            info.sectors = Sectors;
            info.model = "hostile";
            Ata::buildIdentify(std::span<std::uint8_t, 512>(span(page).data(), 512), info);
            send(ata(f, page.left(500))); // short: must be ignored
            send(ata(f, page + QByteArray(2, '\xEE'))); // long: must be ignored
            send(ata(f, page));
            return;
        }
        if (f.ata.cmdStatus != Ata::CmdReadSectorsExt && f.ata.cmdStatus != Ata::CmdReadSectors)
            return;
        ++readsSeen;
        m_seen.push_back(f);
        // The frame's data view points into the ring: keep only what we use.
        m_seen.back().data = {};
        m_seen.back().arg = {};
        switch (scenario.load()) {
        case AoeError: {
            Header e = h;
            e.flags |= FlagError;
            e.error = std::uint8_t(ErrorCode::DeviceUnavailable);
            QByteArray out(64, '\0');
            out.resize(qsizetype(buildAtaInPlace(span(out), e, f.ata, 0)));
            send(out);
            return;
        }
        case Abort:
            send(ata(f, {}, Ata::StatusReady | Ata::StatusError, Ata::ErrorAborted));
            return;
        default:
            break;
        }
        const qsizetype n = qsizetype(f.ata.sectorCount) * 512;
        const QByteArray poison(n + 512, '\xEE');
        const QByteArray good = ata(f, poison.left(n));
        auto setTag = [](QByteArray &x, std::uint32_t tag) {
            for (int i = 0; i < 4; ++i)
                x[20 + i] = char(tag >> (24 - 8 * i));
        };
        const std::uint32_t tag = f.header.tag;
        QByteArray x;
        x = good, setTag(x, tag ^ 1), send(x); // another slot's tag
        x = good, setTag(x, tag ^ (1u << 12)), send(x); // same slot, older generation
        x = good, setTag(x, tag & 0x7FFFFFFF), send(x); // not our tag space
        send(ata(f, poison.left(n - 512))); // a sector short
        send(ata(f, poison.left(n - 1))); // a byte short
        send(ata(f, poison.left(n + 512))); // a sector too long
        send(ata(f, poison.left(n + 1))); // a byte too long
        x = good, x[16] = char(0xFF), x[17] = char(0xFF), send(x); // broadcast shelf
        x = good, x[18] = char(0xFF), send(x); // broadcast slot
        x = good, x[17] = char(Shelf + 1), send(x); // other shelf: the kernel filter drops it
        x = good, x[14] = char(0x10), send(x); // R flag missing
        x = good, x[6] = char(0x02), x[11] = char(0x99), send(x); // another source MAC
        x = good, x[19] = char(Command::QueryConfig), send(x); // another command, our tag
        x = good.left(24), send(x); // the common header alone
        x = good, x[14] = char(0x28), send(x); // version 2
        if (scenario.load() == GarbageThenGood)
            send(goodRead(f));
    }

    std::unique_ptr<PacketIo> m_io;
    std::thread m_thread;
    std::atomic<bool> m_stop{ false };
    std::vector<Frame> m_seen; // thread only
};

} // namespace

class tst_Initiator final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void cleanup();

    void openAndRoundTrip_data();
    void openAndRoundTrip();
    void asyncApi();
    void lossyTransfer_data();
    void lossyTransfer();
    void lbaOutOfRange_data();
    void lbaOutOfRange();
    void noTarget();
    void hostileTarget();
    void otherPathsBounded();

private:
    void addTargetRows(bool withMtu);
    bool startTarget(const QString &kind, const QString &interface);
    std::unique_ptr<Initiator> openInitiator(int deadlineMs = 30000);
    bool makeImage(const QByteArray &content);
    QByteArray imageOnDisk();

    std::unique_ptr<EtherdiskTest::NetnsPair> m_net;
    QTemporaryDir m_dir;
    QString m_image;
    EtherdiskTest::ProcessSet m_peers; // in namespace A, stopped by cleanup()
    QProcess *m_target = nullptr; // in m_peers
    QString m_bridge; // lossy test only
    bool m_nft = false;
};

void tst_Initiator::initTestCase()
{
    QVERIFY2(QFile::exists(targetBinary()), qPrintable(targetBinary()));
    QString why;
    ETHERDISK_REQUIRE(EtherdiskTest::canCreateNetns(&why), why);
    ETHERDISK_REQUIRE(!vbladeBinary().isEmpty(), QStringLiteral("vblade is not installed"));
    ETHERDISK_REQUIRE(EtherdiskTest::haveProgram(QStringLiteral("nft")),
                      QStringLiteral("nftables (nft) is not installed"));
    QVERIFY(m_dir.isValid());
    m_image = m_dir.filePath(QStringLiteral("disk.img"));
    m_net = std::make_unique<EtherdiskTest::NetnsPair>(QStringLiteral("ini"), 1500);
    QVERIFY2(m_net->isValid(), qPrintable(m_net->error()));
    QVERIFY2(m_net->enter(m_net->nsB()), qPrintable(m_net->error()));
}

void tst_Initiator::cleanupTestCase()
{
    m_net.reset();
}

void tst_Initiator::cleanup()
{
    m_peers.clear();
    m_target = nullptr;
    if (m_nft) {
        EtherdiskTest::runProgram(QStringLiteral("nft"),
                                  { QStringLiteral("delete"), QStringLiteral("table"),
                                    QStringLiteral("netdev"), QStringLiteral("lossy") },
                                  10000, m_net->nsA());
        m_nft = false;
    }
    m_bridge.clear();
    if (m_net) {
        m_net->removeExtraLinks();
        m_net->setMtu(1500);
    }
}

void tst_Initiator::addTargetRows(bool withMtu)
{
    QTest::addColumn<QString>("kind");
    QTest::addColumn<int>("mtu");
    for (const char *kind : { "vblade", "etherdisk" }) {
        QTest::addRow("%s-1500", kind) << QString::fromLatin1(kind) << 1500;
        if (withMtu)
            QTest::addRow("%s-9000", kind) << QString::fromLatin1(kind) << 9000;
    }
}

bool tst_Initiator::makeImage(const QByteArray &content)
{
    return EtherdiskTest::writeImage(m_image, content);
}

QByteArray tst_Initiator::imageOnDisk()
{
    return EtherdiskTest::readImage(m_image);
}

bool tst_Initiator::startTarget(const QString &kind, const QString &interface)
{
    const EtherdiskTest::TargetKind k = EtherdiskTest::targetKind(kind);
    EtherdiskTest::TargetOptions o;
    if (k == EtherdiskTest::TargetKind::Etherdisk)
        o.bufferCount = 32; // not the default, so the test sees it is ours (vblade: 16)
    m_target = m_peers.start(m_net->nsA(), EtherdiskTest::targetProgram(k),
                             EtherdiskTest::targetArgs(k, Shelf, Slot, interface, m_image, o));
    return m_target != nullptr;
}

std::unique_ptr<Initiator> tst_Initiator::openInitiator(int deadlineMs)
{
    Initiator::Options o;
    o.interface = m_net->ifB().toStdString();
    o.shelf = Shelf;
    o.slot = Slot;
    o.openTimeoutMs = 8000; // the target is starting up
    o.deadlineMs = deadlineMs;
    std::string error;
    std::unique_ptr<Initiator> ini = Initiator::open(o, &error);
    if (!ini)
        qWarning("open: %s", error.c_str());
    return ini;
}

void tst_Initiator::openAndRoundTrip_data()
{
    addTargetRows(true);
}

void tst_Initiator::openAndRoundTrip()
{
    QFETCH(QString, kind);
    QFETCH(int, mtu);
    QVERIFY(m_net->setMtu(mtu));
    QVERIFY(makeImage(QByteArray(ImageBytes, '\0')));
    QVERIFY(startTarget(kind, m_net->ifA()));
    std::unique_ptr<Initiator> ini = openInitiator();
    QVERIFY(ini);

    const Initiator::TargetInfo &t = ini->target();
    const bool vblade = kind == QLatin1String("vblade");
    QCOMPARE(int(t.bufferCount), vblade ? 16 : 32);
    QCOMPARE(int(t.firmwareVersion), vblade ? 0x4019 : int(Etherdisk::FirmwareVersion));
    QCOMPARE(t.payloadBytes, mtu == 1500 ? 1024u : 8704u);
    QCOMPARE(t.sectorsPerFrame, mtu == 1500 ? 2u : 17u);
    QCOMPARE(t.window, unsigned(t.bufferCount));
    QCOMPARE(t.localMtu, unsigned(mtu));
    QCOMPARE(t.sectors, ImageSectors);
    QVERIFY(t.lba48);
    QVERIFY(t.otherPaths.empty());
    QVERIFY2(QString::fromStdString(t.model).contains(vblade ? QLatin1String("vblade")
                                                             : QLatin1String("Etherdisk")),
             t.model.c_str());
    QVERIFY(!t.serial.empty());
    QVERIFY(ini->name() == "e3.7");

    // The whole image, pipelined both ways, byte-exact, and on disk too.
    const QByteArray data = pattern(ImageBytes, mtu);
    std::string error;
    QVERIFY2(ini->write(0, cspan(data), &error), error.c_str());
    QVERIFY2(ini->flush(&error), error.c_str());
    QByteArray back(ImageBytes, '\0');
    QVERIFY2(ini->read(0, span(back), &error), error.c_str());
    QVERIFY(back == data);
    QVERIFY(imageOnDisk() == data);

    // Odd sizes and offsets: a request that ends mid-frame.
    const QByteArray small = pattern(3 * 512, 99);
    QVERIFY2(ini->write(ImageSectors - 5, cspan(small), &error), error.c_str());
    QByteArray smallBack(5 * 512, '\0');
    QVERIFY2(ini->read(ImageSectors - 5, span(smallBack), &error), error.c_str());
    QVERIFY(smallBack.left(3 * 512) == small);
    QVERIFY(smallBack.mid(3 * 512) == data.right(2 * 512));

    const Initiator::Stats s = ini->stats();
    QCOMPARE(s.failed, std::uint64_t(0));
    QVERIFY(s.rttSamples > 0);
    QVERIFY(s.srttUs > 0 && s.srttUs < 1000000);
    QCOMPARE(s.bytesWritten, std::uint64_t(ImageBytes + 3 * 512));
    QCOMPARE(s.bytesRead, std::uint64_t(ImageBytes + 5 * 512));
    qInfo("%s: %llu frames, %llu retransmits, srtt %llu us, rto %llu us", qPrintable(kind),
          static_cast<unsigned long long>(s.frames), static_cast<unsigned long long>(s.retransmits),
          static_cast<unsigned long long>(s.srttUs), static_cast<unsigned long long>(s.rtoUs));
}

void tst_Initiator::asyncApi()
{
    QVERIFY(makeImage(pattern(ImageBytes, 5)));
    const QByteArray image = imageOnDisk();
    QVERIFY(startTarget(QStringLiteral("etherdisk"), m_net->ifA()));
    std::unique_ptr<Initiator> ini = openInitiator();
    QVERIFY(ini);
    std::string error;

    QVERIFY(!ini->submitRead(0, {}, 1, &error));
    QVERIFY2(error.find("multiple of 512") != std::string::npos, error.c_str());
    QByteArray odd(100, '\0');
    QVERIFY(!ini->submitRead(0, span(odd), 1, &error));
    QByteArray one(512, '\0');
    QVERIFY(!ini->submitRead(std::uint64_t(1) << 48, span(one), 1, &error));
    QVERIFY2(error.find("beyond the 48-bit LBA range") != std::string::npos, error.c_str());

    // Reads of 1..40 sectors (up to 20 frames each) at scattered LBAs, a
    // write and a flush, all in flight at once; completions via fd().
    constexpr int Reads = 40;
    std::vector<QByteArray> buffers(Reads);
    std::vector<std::uint64_t> lbas(Reads);
    for (int i = 0; i < Reads; ++i) {
        buffers[std::size_t(i)] = QByteArray((i + 1) * 512, '\0');
        lbas[std::size_t(i)] = std::uint64_t(i) * 397 % (ImageSectors - 64);
        QVERIFY2(ini->submitRead(lbas[std::size_t(i)], span(buffers[std::size_t(i)]),
                                 std::uint64_t(i), &error),
                 error.c_str());
    }
    const QByteArray newData = pattern(7 * 512, 77);
    QVERIFY(ini->submitWrite(10000, cspan(newData), 1000, &error));
    QVERIFY(ini->submitFlush(1001, &error));
    QCOMPARE(ini->pendingRequests(), std::size_t(Reads + 2));

    const int fd = ini->fd();
    QVERIFY(fd >= 0);
    std::vector<bool> seen(Reads + 2, false);
    int completed = 0;
    QElapsedTimer timer;
    timer.start();
    std::array<Initiator::Completion, 8> out;
    while (completed < Reads + 2 && timer.elapsed() < 10000) {
        pollfd p{ fd, POLLIN, 0 };
        QVERIFY(::poll(&p, 1, 2000) >= 0);
        const int n = ini->process(out, 0, &error);
        QVERIFY2(n >= 0, error.c_str());
        for (int k = 0; k < n; ++k) {
            const Initiator::Completion &c = out[std::size_t(k)];
            QVERIFY2(c.ok(), ini->describe(c).c_str());
            const int index = c.user >= 1000 ? Reads + int(c.user - 1000) : int(c.user);
            QVERIFY(!seen[std::size_t(index)]);
            seen[std::size_t(index)] = true;
            ++completed;
            if (c.user < 1000) {
                QVERIFY(c.op == Initiator::Op::Read);
                QCOMPARE(c.lba, lbas[c.user]);
                QCOMPARE(c.sectors, std::uint32_t(c.user + 1));
                QVERIFY(buffers[c.user]
                        == image.mid(qsizetype(c.lba * 512), buffers[c.user].size()));
            }
        }
    }
    QCOMPARE(completed, Reads + 2);
    QCOMPARE(ini->pendingRequests(), std::size_t(0));
    QCOMPARE(ini->process(out, 0, &error), 0); // nothing pending: returns at once
    QVERIFY(imageOnDisk().mid(10000 * 512, newData.size()) == newData);

    // The request limit.
    Initiator::Options o;
    o.interface = m_net->ifB().toStdString();
    o.shelf = Shelf;
    o.slot = Slot;
    o.maxRequests = 3;
    o.window = 2;
    std::unique_ptr<Initiator> small = Initiator::open(o, &error);
    QVERIFY2(small, error.c_str());
    QCOMPARE(small->window(), 2u);
    QByteArray b(4 * 512, '\0');
    for (int i = 0; i < 3; ++i)
        QVERIFY(small->submitRead(0, span(b, i * 512, 512), std::uint64_t(i), &error));
    QVERIFY(!small->canSubmit());
    QVERIFY(!small->submitRead(0, span(b, 3 * 512, 512), 3, &error));
    QVERIFY2(error.find("too many requests") != std::string::npos, error.c_str());
    int got = 0;
    while (got < 3) {
        const int n = small->process(out, 2000, &error);
        QVERIFY(n > 0);
        got += n;
    }
    QVERIFY(small->canSubmit());
}

void tst_Initiator::lossyTransfer_data()
{
    addTargetRows(true);
}

void tst_Initiator::lossyTransfer()
{
    QFETCH(QString, kind);
    QFETCH(int, mtu);
    QVERIFY(m_net->setMtu(mtu));
    QVERIFY(makeImage(QByteArray(ImageBytes, '\0')));

    // nsA: the target listens on a bridge; 5% of AoE frames are dropped on
    // the veth port both ways, before any packet socket sees them.
    const QString ifA = m_net->ifA();
    m_bridge = m_net->linkName(QStringLiteral("br"));
    const QString nsA = m_net->nsA();
    QString e;
    QVERIFY2(m_net->addBridge(nsA, m_bridge, mtu, { ifA }, &e), qPrintable(e));
    auto nft = [&](const QStringList &args) {
        const EtherdiskTest::Run r =
            EtherdiskTest::runProgram(QStringLiteral("nft"), args, 10000, nsA);
        if (!r.ok())
            qWarning("%s", qPrintable(r.describe()));
        return r.ok();
    };
    m_nft = true;
    const QString dev = QStringLiteral("\"%1\"").arg(ifA);
    QVERIFY(nft({ QStringLiteral("add"), QStringLiteral("table"), QStringLiteral("netdev"),
                  QStringLiteral("lossy") }));
    QVERIFY(nft({ QStringLiteral("add"), QStringLiteral("chain"), QStringLiteral("netdev"),
                  QStringLiteral("lossy"), QStringLiteral("in"),
                  QStringLiteral("{ type filter hook ingress device %1 priority 0; }").arg(dev) }));
    QVERIFY(nft({ QStringLiteral("add"), QStringLiteral("chain"), QStringLiteral("netdev"),
                  QStringLiteral("lossy"), QStringLiteral("out"),
                  QStringLiteral("{ type filter hook egress device %1 priority 0; }").arg(dev) }));
    for (const char *chain : { "in", "out" })
        QVERIFY(nft({ QStringLiteral("add"), QStringLiteral("rule"), QStringLiteral("netdev"),
                      QStringLiteral("lossy"), QString::fromLatin1(chain), QStringLiteral("ether"),
                      QStringLiteral("type"), QStringLiteral("0x88a2"), QStringLiteral("numgen"),
                      QStringLiteral("random"), QStringLiteral("mod"), QStringLiteral("100"),
                      QStringLiteral("<"), QStringLiteral("5"), QStringLiteral("drop") }));

    QVERIFY(startTarget(kind, m_bridge));
    std::unique_ptr<Initiator> ini = openInitiator();
    QVERIFY(ini);
    QCOMPARE(ini->target().payloadBytes, mtu == 1500 ? 1024u : 8704u);
    const QByteArray data = pattern(ImageBytes, mtu + 1);
    std::string error;
    QVERIFY2(ini->write(0, cspan(data), &error), error.c_str());
    QByteArray back(ImageBytes, '\0');
    QVERIFY2(ini->read(0, span(back), &error), error.c_str());
    QVERIFY(back == data);
    QVERIFY(imageOnDisk() == data);
    const Initiator::Stats s = ini->stats();
    qInfo("%s at MTU %d with 5%% loss each way: %llu frames, %llu retransmits, %llu late answers "
          "ignored, rto %llu us",
          qPrintable(kind), mtu, static_cast<unsigned long long>(s.frames),
          static_cast<unsigned long long>(s.retransmits), static_cast<unsigned long long>(s.late),
          static_cast<unsigned long long>(s.rtoUs));
    QVERIFY(s.retransmits > 0);
    // Roughly 10% of the frames need a second try; far fewer would mean the
    // loss was not applied, far more that retransmission misbehaves.
    QVERIFY(s.retransmits > s.frames / 40);
    QVERIFY(s.retransmits < s.frames / 2);
    QCOMPARE(s.failed, std::uint64_t(0));
}

void tst_Initiator::lbaOutOfRange_data()
{
    addTargetRows(false);
}

void tst_Initiator::lbaOutOfRange()
{
    QFETCH(QString, kind);
    QVERIFY(makeImage(QByteArray(ImageBytes, '\0')));
    QVERIFY(startTarget(kind, m_net->ifA()));
    std::unique_ptr<Initiator> ini = openInitiator();
    QVERIFY(ini);
    std::string error;
    QByteArray buf(2 * 512, 'x');
    QVERIFY(!ini->read(ImageSectors - 1, span(buf), &error));
    QVERIFY2(error.find("LBA out of range") != std::string::npos, error.c_str());
    QVERIFY2(error.find("e3.7: READ of 2 sectors at LBA 16383") == 0, error.c_str());
    QVERIFY2(error.find("error 0x10") != std::string::npos, error.c_str());
    QVERIFY(!ini->write(ImageSectors, cspan(buf), &error));
    QVERIFY2(error.find("LBA out of range") != std::string::npos, error.c_str());
    // A long request that runs off the end fails as a whole and names the frame.
    QByteArray big(64 * 512, '\0');
    QVERIFY(!ini->read(ImageSectors - 32, span(big), &error));
    QVERIFY2(error.find("LBA out of range in the frame at LBA") != std::string::npos,
             error.c_str());
    QCOMPARE(ini->stats().ataErrors, std::uint64_t(3));
    // Still usable afterwards.
    QVERIFY2(ini->read(ImageSectors - 2, span(buf), &error), error.c_str());
}

void tst_Initiator::noTarget()
{
    Initiator::Options o;
    o.interface = m_net->ifB().toStdString();
    o.shelf = 9;
    o.slot = 9;
    o.openTimeoutMs = 600;
    std::string error;
    QElapsedTimer t;
    t.start();
    QVERIFY(!Initiator::open(o, &error));
    // It gives up at the open timeout, counted once the interface is open: a
    // deadline on the monotonic clock never ends early (no slack below);
    // opening the interface (its capture ring) and a busy machine take up
    // to 400 ms more.
    qInfo("open gave up after %lld ms", static_cast<long long>(t.elapsed()));
    QVERIFY2(
        t.elapsed() >= o.openTimeoutMs && t.elapsed() <= o.openTimeoutMs + 400,
        qPrintable(
            QStringLiteral("open gave up after %1 ms, expected 600 to 1000 ms").arg(t.elapsed())));
    QVERIFY2(error.find("no answer from e9.9 on " + o.interface + " within 0.6 s") == 0,
             error.c_str());
    o.interface = "edNoSuchIf0";
    QVERIFY(!Initiator::open(o, &error));
    QVERIFY2(error.find("edNoSuchIf0") != std::string::npos, error.c_str());
    o.shelf = 0xFFFF;
    QVERIFY(!Initiator::open(o, &error));
    QVERIFY2(error.find("broadcast") != std::string::npos, error.c_str());
}

void tst_Initiator::hostileTarget()
{
    QVERIFY(m_net->setMtu(9000)); // room for the oversized answers
    HostileTarget hostile;
    QString why;
    QVERIFY(m_net->enter(m_net->nsA()));
    const bool opened = hostile.open(m_net->ifA(), &why);
    QVERIFY(m_net->enter(m_net->nsB()));
    QVERIFY2(opened, qPrintable(why));
    hostile.start();

    Initiator::Options o;
    o.interface = m_net->ifB().toStdString();
    o.shelf = Shelf;
    o.slot = Slot;
    o.deadlineMs = 1500;
    std::string error;
    std::unique_ptr<Initiator> ini = Initiator::open(o, &error);
    QVERIFY2(ini, error.c_str()); // the short and long IDENTIFY answers were ignored
    QCOMPARE(ini->target().sectors, HostileTarget::Sectors);
    QCOMPARE(ini->target().payloadBytes, 1024u); // the target's 2 sectors, not the MTU's 17
    QCOMPARE(ini->target().window, 4u);
    QVERIFY(ini->stats().malformed >= 2);

    constexpr qsizetype Guard = 256;
    constexpr qsizetype Len = 4 * 512; // two frames
    auto fresh = [] { return QByteArray(Guard + Len + Guard, '\x5A'); };
    QByteArray expected;
    for (int i = 0; i < 4; ++i)
        expected += pattern(512, 100 + i);

    // 1. Invalid answers first, then the right one: correct data, nothing else touched.
    hostile.scenario = HostileTarget::GarbageThenGood;
    Initiator::Stats before = ini->stats();
    QByteArray buf = fresh();
    QVERIFY2(ini->read(100, span(buf, Guard, Len), &error), error.c_str());
    QVERIFY(buf.mid(Guard, Len) == expected);
    QVERIFY(buf.left(Guard) == QByteArray(Guard, '\x5A'));
    QVERIFY(buf.right(Guard) == QByteArray(Guard, '\x5A'));
    Initiator::Stats after = ini->stats();
    QVERIFY2(after.ignored - before.ignored >= 2 * HostileTarget::CountedPerRound,
             qPrintable(QString::number(after.ignored - before.ignored)));
    QVERIFY(after.malformed - before.malformed >= 2 * 5); // 4 lengths + header alone
    QVERIFY(after.late - before.late >= 2); // same slot, older generation
    QVERIFY(after.foreign - before.foreign >= 2 * 7);

    // 2. Only invalid answers: a timeout that says so; the buffer is untouched.
    hostile.scenario = HostileTarget::Garbage;
    const int readsBefore = hostile.readsSeen;
    buf = fresh();
    QVERIFY(!ini->read(200, span(buf, Guard, Len), &error));
    QVERIFY2(error.find("e3.7: READ of 4 sectors at LBA 200: timed out") == 0, error.c_str());
    QVERIFY2(error.find("invalid answers ignored") != std::string::npos, error.c_str());
    QVERIFY(buf == fresh());
    QVERIFY(ini->stats().retransmits > before.retransmits);
    QCOMPARE(ini->stats().timeouts, std::uint64_t(1));
    QVERIFY(hostile.readsSeen - readsBefore > 2); // retransmitted with new tags

    // 3. Valid answers to the abandoned tags arrive late: ignored, buffer untouched.
    before = ini->stats();
    hostile.replay = true;
    QTRY_VERIFY(hostile.replayed >= hostile.readsSeen);
    QTest::qWait(100);
    std::array<Initiator::Completion, 4> out;
    QCOMPARE(ini->process(out, 0, &error), 0);
    after = ini->stats();
    QVERIFY(after.late - before.late >= std::uint64_t(hostile.readsSeen - readsBefore));
    QVERIFY(buf == fresh());

    // 4. AoE and ATA errors are reported, not retried.
    hostile.scenario = HostileTarget::AoeError;
    QVERIFY(!ini->read(300, span(buf, Guard, Len), &error));
    QVERIFY2(error.find("AoE error 3 (device unavailable)") != std::string::npos, error.c_str());
    hostile.scenario = HostileTarget::Abort;
    QVERIFY(!ini->read(300, span(buf, Guard, Len), &error));
    QVERIFY2(error.find("aborted by the target") != std::string::npos, error.c_str());
    QVERIFY2(error.find("(ATA status 0x41, error 0x04)") != std::string::npos, error.c_str());
    QVERIFY(buf == fresh());

    // 5. Still correct afterwards.
    hostile.scenario = HostileTarget::GarbageThenGood;
    QVERIFY2(ini->read(100, span(buf, Guard, Len), &error), error.c_str());
    QVERIFY(buf.mid(Guard, Len) == expected);
    hostile.stop();
}

void tst_Initiator::otherPathsBounded()
{
    // Anyone who sees our broadcast Query Config can answer it from any MAC:
    // 200 forged answers with the right tag from 200 MACs leave at most
    // MaxOtherPaths in otherPaths (the 16 heard last), count the rest as
    // evicted, and change nothing about the target we use.
    QVERIFY(makeImage(pattern(ImageBytes, 8)));
    QVERIFY(startTarget(QStringLiteral("etherdisk"), m_net->ifA()));
    PacketFilter filter;
    filter.direction = PacketFilter::Direction::Requests;
    filter.addresses.push_back({ Shelf, Slot });
    std::string error;
    QVERIFY(m_net->enter(m_net->nsA()));
    std::unique_ptr<PacketIo> forger = PacketIo::open(m_net->ifA().toStdString(), filter, &error);
    QVERIFY(m_net->enter(m_net->nsB()));
    QVERIFY2(forger, error.c_str());
    std::unique_ptr<Initiator> ini = openInitiator();
    QVERIFY(ini);
    const MacAddress real = ini->target().mac;
    QVERIFY(ini->target().otherPaths.empty());

    // The question the initiator broadcast, as everyone on the LAN saw it.
    std::vector<Header> queries;
    forger->receive(
        256,
        [](void *ctx, std::span<const std::uint8_t> bytes) {
            Frame f;
            if (parseFrame(bytes, &f) == ParseError::Ok && f.kind == FrameKind::QueryConfig)
                static_cast<std::vector<Header> *>(ctx)->push_back(f.header);
        },
        &queries, &error);
    QVERIFY(!queries.empty());
    const Header query = queries.front();

    constexpr int Count = 200;
    auto forgedMac = [](int i) {
        return MacAddress{ 0x02, 0xfe, 0, 0, std::uint8_t(i >> 8), std::uint8_t(i) };
    };
    for (int i = 0; i < Count; ++i) {
        ConfigArg c;
        c.bufferCount = 1;
        c.sectorCount = 1;
        std::uint8_t out[64] = {};
        const std::size_t n = buildConfig(out, responseHeader(query, forgedMac(i), Shelf, Slot), c);
        forger->queue({ out, n });
        if (i % 50 == 49) {
            forger->flush(&error); // well within the initiator's receive ring
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
            QByteArray sector(512, '\0');
            QVERIFY2(ini->read(0, span(sector), &error), error.c_str()); // takes them in
        }
    }
    const Initiator::TargetInfo &t = ini->target();
    QCOMPARE(t.otherPaths.size(), Initiator::MaxOtherPaths);
    QCOMPARE(ini->stats().otherPathsEvicted, std::uint64_t(Count) - Initiator::MaxOtherPaths);
    std::set<MacAddress> kept(t.otherPaths.begin(), t.otherPaths.end());
    for (int i = Count - int(Initiator::MaxOtherPaths); i < Count; ++i)
        QVERIFY2(kept.count(forgedMac(i)),
                 qPrintable(QString::fromStdString(formatMac(forgedMac(i)))));
    // Still talking to the real target, with its settings.
    QCOMPARE(t.mac, real);
    QCOMPARE(int(t.bufferCount), 32);
    QByteArray back(4 * 512, '\0');
    QVERIFY2(ini->read(8, span(back), &error), error.c_str());
    QVERIFY(back == pattern(ImageBytes, 8).mid(8 * 512, 4 * 512));
}

QTEST_GUILESS_MAIN(tst_Initiator)
#include "tst_initiator.moc"
