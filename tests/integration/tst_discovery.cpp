// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
//
// Discovery on a veth pair: Debian's vblade and our etherdisk-target run in
// namespace A (started with `ip netns exec`), Discovery runs in this process
// in namespace B and is driven like etherdiskctl drives it: poll() on fd(),
// then process(). Covers the fields learned from Query Config and IDENTIFY,
// the poll cadence and the documented defaults, loss and recovery, two
// devices claiming one address, 250 targets at once, config string changes,
// a hostile responder whose answers do not parse, and open() errors.
// And what a LAN where anyone forges anything must not do to it: floods of
// forged advertisements and answers from many MACs for many addresses
// (bounded tables, no events for what never proved real, forgotten in
// bounded time), rate-limited and summarized malformed replies, a bounded
// event queue, a bounded batch of frames per process() call, and full
// target and path tables.
//
// Two devices on one address need two MACs, or every path would be the
// same (interface, MAC) pair: the conflict test gives each target its own
// macvlan on top of the veth end in namespace A. A macvlan receives only
// its own unicast frames (and broadcasts), as a separate NIC would.

#include "etherdisk/ata.h"
#include "etherdisk/discovery.h"
#include "etherdisk/engine.h"
#include "etherdisk/packetio.h"
#include "images.h"
#include "netns.h"
#include "peers.h"
#include "process.h"
#include "rawclient.h"
#include "silencewindow.h"
#include "testutil.h"
#include "wirecapture.h"

#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <functional>
#include <mutex>
#include <optional>
#include <poll.h>
#include <set>
#include <thread>

using namespace Etherdisk;
using namespace Etherdisk::Aoe;
using EtherdiskTest::SilenceWindow;
using EtherdiskTest::targetBinary;
using EtherdiskTest::vbladeBinary;

namespace {

constexpr int FastIntervalMs = 500;
constexpr int FastMissedPolls = 3;
// Timers fire a little late on a busy machine (ctest -j), and a kill takes
// a moment: the slack on both ends of every timing window.
constexpr int TimerSlackMs = 200;

std::int64_t nowMs()
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

QString qs(const std::string &s)
{
    return QString::fromStdString(s);
}

QString macText(const MacAddress &mac)
{
    return qs(formatMac(mac));
}

std::span<std::uint8_t> span(QByteArray &a)
{
    return { reinterpret_cast<std::uint8_t *>(a.data()), std::size_t(a.size()) };
}

// The Query Config answer the hostile responder sends: a well-formed frame
// for `shelf.slot` whose config string length field (bytes 30-31) claims 256
// bytes while only 28 follow.
QByteArray malformedConfigAnswer(const Header &request, const MacAddress &ourMac,
                                 std::uint16_t shelf, std::uint8_t slot)
{
    const Header h = responseHeader(request, ourMac, shelf, slot);
    ConfigArg c;
    c.bufferCount = 8;
    c.firmwareVersion = 0x0001;
    c.sectorCount = 2;
    static const char text[] = "0123456789abcdef";
    c.configString = { reinterpret_cast<const std::uint8_t *>(text), 16 };
    QByteArray out(128, '\0');
    out.resize(qsizetype(buildConfig(span(out), h, c)));
    if (out.size() >= 32) {
        out[30] = char(0x01);
        out[31] = char(0x00);
    }
    return out;
}

// A thread in namespace A that records every AoE request it sees (the
// discovery's polls and IDENTIFYs) and, when told to, answers Query Config
// with a frame that does not parse.
class Responder
{
public:
    struct Seen
    {
        std::int64_t ms = 0; // nowMs()
        Header header;
        FrameKind kind = FrameKind::Ata;
        std::uint8_t ataCommand = 0;
    };
    static constexpr std::uint16_t HostileShelf = 13;
    static constexpr std::uint8_t HostileSlot = 13;
    // With failIdentify: a target that answers Query Config well and every
    // IDENTIFY with ATA status ERR|DRDY (0x51), error ABRT.
    static constexpr std::uint16_t FailingShelf = 14;
    static constexpr std::uint8_t FailingSlot = 14;

    ~Responder() { stop(); }

    bool open(const QString &interface, QString *error)
    {
        PacketFilter filter;
        filter.direction = PacketFilter::Direction::Requests;
        std::string why;
        m_io = PacketIo::open(interface.toStdString(), filter, &why);
        if (!m_io)
            *error = qs(why);
        return m_io != nullptr;
    }
    MacAddress mac() const { return m_io->info().mac; }
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
    std::vector<Seen> seen() const
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        return m_seen;
    }

    std::atomic<bool> hostile{ false };
    std::atomic<bool> failIdentify{ false };
    std::atomic<int> answered{ 0 };

private:
    void run()
    {
        std::string why;
        while (!m_stop) {
            pollfd p{ m_io->fd(), POLLIN, 0 };
            ::poll(&p, 1, 20);
            m_io->receive(256, &Responder::onFrame, this, &why);
            m_io->flush(&why);
        }
    }
    static void onFrame(void *ctx, std::span<const std::uint8_t> frame)
    {
        static_cast<Responder *>(ctx)->handle(frame);
    }
    void handle(std::span<const std::uint8_t> bytes)
    {
        Frame f;
        if (parseFrame(bytes, &f) != ParseError::Ok || f.header.isResponse())
            return;
        Seen s;
        s.ms = nowMs();
        s.header = f.header;
        s.kind = f.kind;
        s.ataCommand = f.kind == FrameKind::Ata ? f.ata.cmdStatus : 0;
        {
            std::lock_guard<std::mutex> lock(m_mutex);
            m_seen.push_back(s);
        }
        const bool forUs = (f.header.shelf == HostileShelf || f.header.shelf == BroadcastShelf)
            && (f.header.slot == HostileSlot || f.header.slot == BroadcastSlot);
        if (hostile && forUs && f.kind == FrameKind::QueryConfig
            && f.config.configCommand() == ConfigCommand::Read) {
            const QByteArray out =
                malformedConfigAnswer(f.header, m_io->info().mac, HostileShelf, HostileSlot);
            m_io->queue(EtherdiskTest::bytes(out));
            ++answered;
        }
        const bool forFailing = (f.header.shelf == FailingShelf || f.header.shelf == BroadcastShelf)
            && (f.header.slot == FailingSlot || f.header.slot == BroadcastSlot);
        if (!failIdentify || !forFailing)
            return;
        const Header h = responseHeader(f.header, m_io->info().mac, FailingShelf, FailingSlot);
        std::uint8_t out[128] = {};
        std::size_t n = 0;
        if (f.kind == FrameKind::QueryConfig && f.config.configCommand() == ConfigCommand::Read) {
            ConfigArg c;
            c.bufferCount = 16;
            c.firmwareVersion = 0x0001;
            c.sectorCount = 2;
            n = buildConfig(out, h, c);
        } else if (f.kind == FrameKind::Ata && f.ata.cmdStatus == Ata::CmdIdentifyDevice) {
            AtaArg a;
            a.errFeature = Ata::ErrorAborted;
            a.cmdStatus = 0x51;
            n = buildAta(out, h, a);
        }
        if (n) {
            m_io->queue({ out, std::max<std::size_t>(n, 60) });
            ++answered;
        }
    }

    std::unique_ptr<PacketIo> m_io;
    std::thread m_thread;
    std::atomic<bool> m_stop{ false };
    mutable std::mutex m_mutex;
    std::vector<Seen> m_seen;
};

// Forged frames from namespace A, sent by the test thread itself (its
// socket stays in namespace A once opened): Query Config answers for many
// addresses, address i from its own made-up MAC, and a record of what
// discovery sends (its polls' tags, and the IDENTIFYs to forged MACs).
class Forger
{
public:
    static constexpr std::uint16_t FirstShelf = 100;
    static std::uint16_t shelfOf(int i) { return std::uint16_t(FirstShelf + i / 250); }
    static std::uint8_t slotOf(int i) { return std::uint8_t(i % 250); }
    static MacAddress macOf(int i)
    {
        return { 0x02, 0xfe, std::uint8_t(i >> 16), std::uint8_t(i >> 8), std::uint8_t(i), 0x01 };
    }
    static bool isForged(const DiscoveredTarget &t) { return t.shelf >= FirstShelf; }

    bool open(EtherdiskTest::NetnsPair &net, QString *error)
    {
        PacketFilter filter;
        filter.direction = PacketFilter::Direction::Requests;
        std::string why;
        // What discovery sends to the forged MACs never passes our own
        // packet filters (they accept frames to our MAC or broadcast only):
        // seen on the wire instead.
        bool wired = false;
        if (net.enter(net.nsA())) {
            m_io = PacketIo::open(net.ifA().toStdString(), filter, &why);
            wired = m_wire.open(net.ifA(), error);
        }
        net.enter(net.nsB());
        if (!m_io)
            *error = qs(why);
        return m_io != nullptr && wired;
    }

    // Answers for addresses [first, first + count) carrying `tag` (0: an
    // advertisement); `malformed`: the config string length field claims
    // 256 bytes while none follow.
    // PacketIo's receive ring holds about 256 frames (16 MB of 64 KB
    // slots): tests that count every frame send at most Burst at once and
    // let discovery take them in before the next burst.
    static constexpr int Burst = 200;
    void answer(int first, int count, std::uint32_t tag, bool malformed = false)
    {
        for (int i = first; i < first + count; ++i)
            answerAs(shelfOf(i), slotOf(i), macOf(i), tag, malformed);
        flush();
    }
    void answerAs(std::uint16_t shelf, std::uint8_t slot, const MacAddress &mac, std::uint32_t tag,
                  bool malformed = false)
    {
        Header h;
        h.destination = BroadcastMac;
        h.source = mac;
        h.flags = FlagResponse;
        h.shelf = shelf;
        h.slot = slot;
        h.command = std::uint8_t(Command::QueryConfig);
        h.tag = tag;
        ConfigArg c;
        c.bufferCount = 16;
        c.firmwareVersion = 0x0001;
        c.sectorCount = 2;
        std::uint8_t out[64] = {};
        const std::size_t n = buildConfig(out, h, c);
        if (malformed)
            out[30] = 0x01; // 256 bytes of config string, in a 60-byte frame
        m_io->queue({ out, n });
    }
    void flush()
    {
        std::string why;
        m_io->flush(&why);
    }

    // Takes in what discovery sent since the last call.
    void drain()
    {
        for (const QByteArray &f : m_wire.collect(0))
            onFrame(this, EtherdiskTest::bytes(f));
    }

    std::uint32_t lastPollTag = 0;
    int identifies = 0; // IDENTIFYs to forged MACs

private:
    static void onFrame(void *ctx, std::span<const std::uint8_t> bytes)
    {
        auto *self = static_cast<Forger *>(ctx);
        Frame f;
        if (parseFrame(bytes, &f) != ParseError::Ok || f.header.isResponse())
            return;
        if (f.kind == FrameKind::QueryConfig && f.header.destination == BroadcastMac)
            self->lastPollTag = f.header.tag;
        else if (f.kind == FrameKind::Ata && f.ata.cmdStatus == Ata::CmdIdentifyDevice
                 && f.header.destination[0] == 0x02 && f.header.destination[1] == 0xfe)
            ++self->identifies;
    }

    std::unique_ptr<PacketIo> m_io;
    EtherdiskTest::WireCapture m_wire;
};

bool isPoll(const Responder::Seen &s)
{
    return s.kind == FrameKind::QueryConfig && s.header.destination == BroadcastMac
        && s.header.shelf == BroadcastShelf && s.header.slot == BroadcastSlot;
}

// Owns a Discovery and drives it as an event loop would: process(), then
// poll() on fd() until it is readable again. Events are kept with the time
// (nowMs) at which they were taken.
class Driver
{
public:
    std::unique_ptr<Discovery> d;
    std::vector<DiscoveryEvent> events;
    std::vector<std::int64_t> eventMs;
    std::int64_t startMs = 0; // the first process() call

    bool open(const Discovery::Options &options, std::string *error)
    {
        d = Discovery::open(options, error);
        return d != nullptr;
    }

    // Runs until done() holds (true) or timeoutMs passed (false).
    bool run(int timeoutMs, const std::function<bool()> &done = {})
    {
        const std::int64_t deadline = nowMs() + timeoutMs;
        for (;;) {
            if (startMs == 0)
                startMs = nowMs();
            d->process();
            for (DiscoveryEvent &e : d->takeEvents()) {
                events.push_back(std::move(e));
                eventMs.push_back(nowMs());
            }
            if (done && done())
                return true;
            const std::int64_t left = deadline - nowMs();
            if (left <= 0)
                return false;
            // The whole remaining time: the fd must wake us for timers too.
            pollfd p{ d->fd(), POLLIN, 0 };
            ::poll(&p, 1, int(left));
        }
    }

    std::optional<DiscoveredTarget> target(std::uint16_t shelf, std::uint8_t slot) const
    {
        for (const DiscoveredTarget &t : d->targets())
            if (t.shelf == shelf && t.slot == slot)
                return t;
        return std::nullopt;
    }
    bool identified(std::uint16_t shelf, std::uint8_t slot) const
    {
        const auto t = target(shelf, slot);
        return t && t->identified;
    }
    // Runs until shelf.slot answers once more (true), or timeoutMs passed.
    bool waitAnswer(std::uint16_t shelf, std::uint8_t slot, int timeoutMs)
    {
        const auto before = target(shelf, slot);
        const std::int64_t seen = before ? before->lastSeenMs : 0;
        return run(timeoutMs, [&] {
            const auto t = target(shelf, slot);
            return t && t->lastSeenMs != seen;
        });
    }
    // Empty if event `i` (Lost or Removed) came within `window` of the last
    // answer it reports and of the target's death (between `killing`, just
    // before the kill, and `killed`, once it was dead); else what is wrong.
    QString checkWindow(std::size_t i, const SilenceWindow &window, std::int64_t killing,
                        std::int64_t killed) const
    {
        const DiscoveryEvent &e = events[i];
        QString measured;
        // The library's clocks (CLOCK_REALTIME at the answer and at the event).
        const QString wrong =
            window.check(QLatin1String(discoveryEventName(e.type)), e.timeMs - e.target.lastSeenMs,
                         eventMs[i] - killing, eventMs[i] - killed, &measured);
        qInfo("%s", qPrintable(measured));
        return wrong;
    }
    // Index of the first event of `type` for shelf.slot at or after `from`, or -1.
    int find(DiscoveryEvent::Type type, std::uint16_t shelf, std::uint8_t slot,
             std::size_t from = 0) const
    {
        for (std::size_t i = from; i < events.size(); ++i)
            if (events[i].type == type && events[i].target.shelf == shelf
                && events[i].target.slot == slot)
                return int(i);
        return -1;
    }
    int count(DiscoveryEvent::Type type, std::uint16_t shelf, std::uint8_t slot,
              std::size_t from = 0) const
    {
        int n = 0;
        for (std::size_t i = from; i < events.size(); ++i)
            n += events[i].type == type && events[i].target.shelf == shelf
                && events[i].target.slot == slot;
        return n;
    }
    int count(DiscoveryEvent::Type type) const
    {
        int n = 0;
        for (const DiscoveryEvent &e : events)
            n += e.type == type;
        return n;
    }
    QString describe(std::size_t from = 0) const
    {
        QString s = QStringLiteral("events:");
        for (std::size_t i = from; i < events.size(); ++i)
            s += QStringLiteral("\n  +%1 ms %2 %3: %4")
                     .arg(eventMs[i] - startMs)
                     .arg(QLatin1String(discoveryEventName(events[i].type)),
                          qs(events[i].target.name()), qs(events[i].message));
        return s;
    }
};

QString describe(const DiscoveredTarget &t)
{
    QString s = QStringLiteral("%1 %2 identified=%3 sectors=%4 model='%5' serial='%6' conflict=%7 "
                               "'%8'")
                    .arg(qs(t.name()),
                         t.state == DiscoveredTarget::State::Online ? QStringLiteral("online")
                                                                    : QStringLiteral("lost"))
                    .arg(t.identified)
                    .arg(t.sectors)
                    .arg(qs(t.model), qs(t.serial))
                    .arg(t.conflict)
                    .arg(qs(t.conflictDetail));
    for (const TargetPath &p : t.paths)
        s += QStringLiteral("\n  path %1 %2 bufcnt=%3 fw=0x%4 maxSectors=%5 payload=%6")
                 .arg(qs(p.interface), macText(p.mac))
                 .arg(p.bufferCount)
                 .arg(p.firmwareVersion, 4, 16, QLatin1Char('0'))
                 .arg(p.maxSectors)
                 .arg(p.payloadBytes);
    return s;
}

} // namespace

class tst_Discovery final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void cleanup();

    void openErrors();
    void defaultsAndPollCadence();
    void findsTargets_data();
    void findsTargets();
    void lossAndRecovery_data();
    void lossAndRecovery();
    void removeAfter();
    void conflict();
    void manyTargets();
    void configStringChange();
    void malformedReply();
    void identifyFails();
    void floodOfForgedAdvertisements();
    void unprovenForgotten();
    void malformedSummary();
    void eventQueueBounded();
    void boundedBatch();
    void fullTargetTable();

private:
    bool makeImage(const QString &path, std::uint64_t sectors);
    QProcess *startProcess(const QString &program, const QStringList &args, bool quiet = false);
    QProcess *startTarget(const QString &kind, std::uint16_t shelf, std::uint8_t slot,
                          const QString &interface, const QString &image);
    bool waitServing(std::uint16_t shelf, std::uint8_t slot, int timeoutMs);
    bool macOf(const QString &interface, MacAddress *mac);
    bool openDriver(Driver *driver, int intervalMs, int missedPolls,
                    const Discovery::Options::Limits &limits = {});
    bool killMidInterval(Driver *driver, QProcess *target, std::uint16_t shelf, std::uint8_t slot,
                         int intervalMs, std::int64_t *killing, std::int64_t *killed);

    std::unique_ptr<EtherdiskTest::NetnsPair> m_net;
    QTemporaryDir m_dir;
    EtherdiskTest::ProcessSet m_peers; // in namespace A, stopped by cleanup()
};

void tst_Discovery::initTestCase()
{
    QVERIFY2(QFile::exists(targetBinary()), qPrintable(targetBinary()));
    QString why;
    ETHERDISK_REQUIRE(EtherdiskTest::canCreateNetns(&why), why);
    ETHERDISK_REQUIRE(!vbladeBinary().isEmpty(), QStringLiteral("vblade is not installed"));
    QVERIFY(m_dir.isValid());
    m_net = std::make_unique<EtherdiskTest::NetnsPair>(QStringLiteral("dis"), 1500);
    QVERIFY2(m_net->isValid(), qPrintable(m_net->error()));
    QVERIFY2(m_net->enter(m_net->nsB()), qPrintable(m_net->error()));
}

void tst_Discovery::cleanupTestCase()
{
    m_net.reset();
}

void tst_Discovery::cleanup()
{
    m_peers.clear();
    if (m_net) {
        m_net->removeExtraLinks();
        m_net->enter(m_net->nsB());
        m_net->setMtu(1500);
    }
}

bool tst_Discovery::makeImage(const QString &path, std::uint64_t sectors)
{
    return EtherdiskTest::makeSparseImage(path, qint64(sectors));
}

QProcess *tst_Discovery::startProcess(const QString &program, const QStringList &args, bool quiet)
{
    // `ip netns exec` execs the program: kill() reaches the target itself.
    return m_peers.start(m_net->nsA(), program, args,
                         quiet ? EtherdiskTest::Output::Discard : EtherdiskTest::Output::Forward);
}

QProcess *tst_Discovery::startTarget(const QString &kind, std::uint16_t shelf, std::uint8_t slot,
                                     const QString &interface, const QString &image)
{
    const EtherdiskTest::TargetKind k = EtherdiskTest::targetKind(kind);
    return startProcess(EtherdiskTest::targetProgram(k),
                        EtherdiskTest::targetArgs(k, shelf, slot, interface, image));
}

// Only while no Discovery is open on ifB: the answers would reach it too.
bool tst_Discovery::waitServing(std::uint16_t shelf, std::uint8_t slot, int timeoutMs)
{
    EtherdiskTest::RawClient client;
    QString why;
    if (!client.open(m_net->ifB(), &why)) {
        qWarning("%s", qPrintable(why));
        return false;
    }
    return client.waitServing(shelf, slot, timeoutMs);
}

// Kills `target` half an interval after one of its answers: then one missed
// poll more or less moves the report clear of both ends of its SilenceWindow.
bool tst_Discovery::killMidInterval(Driver *driver, QProcess *target, std::uint16_t shelf,
                                    std::uint8_t slot, int intervalMs, std::int64_t *killing,
                                    std::int64_t *killed)
{
    if (!driver->waitAnswer(shelf, slot, 2 * intervalMs + 1000))
        return false;
    driver->run(intervalMs / 2);
    *killing = nowMs();
    target->kill();
    const bool dead = target->waitForFinished(5000);
    *killed = nowMs();
    return dead;
}

bool tst_Discovery::macOf(const QString &interface, MacAddress *mac)
{
    InterfaceInfo info;
    std::string why;
    const bool ok =
        m_net->enter(m_net->nsA()) && queryInterface(interface.toStdString(), &info, &why);
    m_net->enter(m_net->nsB());
    if (!ok)
        qWarning("%s: %s", qPrintable(interface), why.c_str());
    *mac = info.mac;
    return ok;
}

bool tst_Discovery::openDriver(Driver *driver, int intervalMs, int missedPolls,
                               const Discovery::Options::Limits &limits)
{
    Discovery::Options o;
    o.interfaces = { m_net->ifB().toStdString() };
    o.intervalMs = intervalMs;
    o.missedPolls = missedPolls;
    o.limits = limits;
    std::string error;
    if (!driver->open(o, &error)) {
        qWarning("Discovery::open: %s", error.c_str());
        return false;
    }
    return true;
}

// --- the cases ------------------------------------------------------------------

void tst_Discovery::openErrors()
{
    Discovery::Options o;
    o.interfaces = { "edNoSuchIf0" };
    std::string error;
    QVERIFY(!Discovery::open(o, &error));
    QVERIFY2(error.find("edNoSuchIf0") != std::string::npos, error.c_str());

    o.interfaces.clear();
    error.clear();
    QVERIFY(!Discovery::open(o, &error));
    QVERIFY2(!error.empty(), "no message for an empty interface list");

    // And a good one opens.
    o.interfaces = { m_net->ifB().toStdString() };
    error.clear();
    std::unique_ptr<Discovery> d = Discovery::open(o, &error);
    QVERIFY2(d, error.c_str());
    QVERIFY(d->fd() >= 0);
    QVERIFY(d->targets().empty());
    QVERIFY(d->malformed().empty());
}

void tst_Discovery::defaultsAndPollCadence()
{
    const Discovery::Options defaults;
    QCOMPARE(defaults.intervalMs, 2000);
    QCOMPARE(defaults.missedPolls, 2);
    QCOMPARE(defaults.removeAfterMs, 0);

    // A listener in namespace A sees every request discovery sends.
    Responder sniffer;
    QString why;
    QVERIFY(m_net->enter(m_net->nsA()));
    const bool opened = sniffer.open(m_net->ifA(), &why);
    QVERIFY(m_net->enter(m_net->nsB()));
    QVERIFY2(opened, qPrintable(why));
    sniffer.start();

    Driver drv;
    Discovery::Options o;
    o.interfaces = { m_net->ifB().toStdString() };
    std::string error;
    QVERIFY2(drv.open(o, &error), error.c_str());
    drv.run(4500);
    auto polls = [&] {
        std::vector<std::int64_t> at;
        for (const Responder::Seen &s : sniffer.seen())
            if (isPoll(s))
                at.push_back(s.ms - drv.startMs);
        return at;
    };
    std::vector<std::int64_t> at = polls();
    QString times;
    for (std::int64_t t : at)
        times += QStringLiteral(" %1").arg(t);
    // First at once, then every 2 s: 0, 2000, 4000.
    QVERIFY2(at.size() == 3, qPrintable(QStringLiteral("broadcast polls at +ms:") + times));
    QVERIFY2(at[0] >= 0 && at[0] <= TimerSlackMs, qPrintable(times));
    for (std::size_t i = 1; i < at.size(); ++i)
        QVERIFY2(std::abs(at[i] - at[i - 1] - 2000) <= TimerSlackMs, qPrintable(times));
    for (const Responder::Seen &s : sniffer.seen()) {
        QVERIFY2(s.header.tag & UserTagBit,
                 qPrintable(QStringLiteral("tag 0x%1").arg(s.header.tag, 8, 16, QLatin1Char('0'))));
        QCOMPARE(int(s.header.version), int(ProtocolVersion));
    }

    // pollNow() sends one at once.
    const std::int64_t before = nowMs();
    drv.d->pollNow();
    drv.run(300);
    at = polls();
    times.clear();
    for (std::int64_t t : at)
        times += QStringLiteral(" %1").arg(t);
    QVERIFY2(at.size() == 4 && at[3] + drv.startMs - before >= 0
                 && at[3] + drv.startMs - before <= TimerSlackMs,
             qPrintable(QStringLiteral("after pollNow, polls at +ms:") + times));
    sniffer.stop();
    QVERIFY2(drv.d->targets().empty(), qPrintable(drv.describe()));

    // Lost 6 s after the last answer, 4 to 6 s after the target died (see
    // SilenceWindow).
    const SilenceWindow window = SilenceWindow::loss(defaults.intervalMs, defaults.missedPolls);
    QCOMPARE(window.afterDeathFromMs(), std::int64_t(4000));
    QCOMPARE(window.afterDeathToMs(), std::int64_t(6000));
    const QString image = m_dir.filePath(QStringLiteral("defaults.img"));
    QVERIFY(makeImage(image, 2048));
    QProcess *target = startTarget(QStringLiteral("etherdisk"), 6, 6, m_net->ifA(), image);
    QVERIFY(target);
    QVERIFY2(drv.run(8000, [&] { return drv.identified(6, 6); }), qPrintable(drv.describe()));
    const std::size_t mark = drv.events.size();
    std::int64_t killing = 0, killed = 0;
    QVERIFY(killMidInterval(&drv, target, 6, 6, defaults.intervalMs, &killing, &killed));
    QVERIFY2(drv.run(int(window.afterDeathToMs()) + 2000,
                     [&] { return drv.find(DiscoveryEvent::Type::Lost, 6, 6, mark) >= 0; }),
             qPrintable(drv.describe(mark)));
    const QString late = drv.checkWindow(
        std::size_t(drv.find(DiscoveryEvent::Type::Lost, 6, 6, mark)), window, killing, killed);
    QVERIFY2(late.isEmpty(), qPrintable(late));
}

void tst_Discovery::findsTargets_data()
{
    QTest::addColumn<int>("mtu");
    QTest::newRow("mtu1500") << 1500;
    QTest::newRow("mtu9000") << 9000;
}

void tst_Discovery::findsTargets()
{
    QFETCH(int, mtu);
    QVERIFY(m_net->setMtu(mtu));
    MacAddress macA{};
    QVERIFY(macOf(m_net->ifA(), &macA));
    const QString vImage = m_dir.filePath(QStringLiteral("v.img"));
    const QString eImage = m_dir.filePath(QStringLiteral("e.img"));
    constexpr std::uint64_t VSectors = 4096, ESectors = 6144;
    QVERIFY(makeImage(vImage, VSectors));
    QVERIFY(makeImage(eImage, ESectors));
    QVERIFY(startTarget(QStringLiteral("vblade"), 1, 1, m_net->ifA(), vImage));
    QVERIFY(startTarget(QStringLiteral("etherdisk"), 2, 3, m_net->ifA(), eImage));

    Driver drv;
    QVERIFY(openDriver(&drv, FastIntervalMs, FastMissedPolls));
    QVERIFY2(drv.run(8000, [&] { return drv.identified(1, 1) && drv.identified(2, 3); }),
             qPrintable(drv.describe()));
    drv.run(2 * FastIntervalMs); // a few more polls: nothing may change

    const unsigned sectorsPerFrame = mtu == 1500 ? 2 : 17;
    struct Expect
    {
        std::uint16_t shelf;
        std::uint8_t slot;
        bool vblade;
        std::uint64_t sectors;
    };
    for (const Expect &x : { Expect{ 1, 1, true, VSectors }, Expect{ 2, 3, false, ESectors } }) {
        const auto t = drv.target(x.shelf, x.slot);
        QVERIFY(t);
        const QByteArray info = describe(*t).toUtf8();
        QCOMPARE(qs(t->name()), QStringLiteral("e%1.%2").arg(x.shelf).arg(x.slot));
        QVERIFY2(t->state == DiscoveredTarget::State::Online, info.constData());
        QVERIFY2(t->paths.size() == 1, info.constData());
        const TargetPath &p = t->paths[0];
        QCOMPARE(qs(p.interface), m_net->ifB());
        QCOMPARE(macText(p.mac), macText(macA));
        QCOMPARE(int(p.bufferCount), x.vblade ? 16 : 64);
        QCOMPARE(int(p.firmwareVersion), x.vblade ? 0x4019 : int(Etherdisk::FirmwareVersion));
        QCOMPARE(unsigned(p.maxSectors), sectorsPerFrame);
        QCOMPARE(p.payloadBytes, sectorsPerFrame * 512);
        QVERIFY2(p.configString.empty(), p.configString.c_str());
        QVERIFY(p.lastSeenMs > 0);
        QVERIFY(t->identified);
        QCOMPARE(t->sectors, x.sectors);
        QVERIFY(t->lba48);
        if (x.vblade) {
            QCOMPARE(qs(t->model), QStringLiteral("Coraid EtherDrive vblade"));
            QVERIFY2(t->serial.starts_with("1.1:"), t->serial.c_str());
        } else {
            QCOMPARE(qs(t->model), QStringLiteral("Etherdisk"));
            QVERIFY2(QRegularExpression(QStringLiteral("^2\\.3-[0-9a-fA-F]{8}$"))
                         .match(qs(t->serial))
                         .hasMatch(),
                     t->serial.c_str());
        }
        QVERIFY2(!t->conflict, info.constData());
        QVERIFY(t->conflictDetail.empty());
        QVERIFY(t->firstSeenMs > 0);
        QVERIFY(t->lastSeenMs >= t->firstSeenMs);
        QVERIFY2(drv.count(DiscoveryEvent::Type::Added, x.shelf, x.slot) == 1,
                 qPrintable(drv.describe()));
        const int added = drv.find(DiscoveryEvent::Type::Added, x.shelf, x.slot);
        QVERIFY(!drv.events[std::size_t(added)].message.empty());
        QVERIFY(drv.events[std::size_t(added)].timeMs > 1600000000000); // CLOCK_REALTIME
    }
    QCOMPARE(drv.d->targets().size(), std::size_t(2));
    QVERIFY2(drv.count(DiscoveryEvent::Type::Lost) == 0, qPrintable(drv.describe()));
    QVERIFY2(drv.count(DiscoveryEvent::Type::Conflict) == 0, qPrintable(drv.describe()));
    QVERIFY2(drv.count(DiscoveryEvent::Type::Malformed) == 0, qPrintable(drv.describe()));
    // vblade's advertisement carries AoE version 0 in Query Config: a quirk, not malformed.
    const std::vector<MalformedReply> mal = drv.d->malformed();
    QVERIFY2(mal.empty(), mal.empty() ? "" : mal[0].reason.c_str());
}

void tst_Discovery::lossAndRecovery_data()
{
    QTest::addColumn<QString>("kind");
    QTest::newRow("vblade") << QStringLiteral("vblade");
    QTest::newRow("etherdisk") << QStringLiteral("etherdisk");
}

void tst_Discovery::lossAndRecovery()
{
    QFETCH(QString, kind);
    const QString image = m_dir.filePath(QStringLiteral("loss.img"));
    QVERIFY(makeImage(image, 2048));
    QProcess *target = startTarget(kind, 3, 1, m_net->ifA(), image);
    QVERIFY(target);

    Driver drv;
    QVERIFY(openDriver(&drv, FastIntervalMs, FastMissedPolls));
    QVERIFY2(drv.run(5000, [&] { return drv.identified(3, 1); }), qPrintable(drv.describe()));
    const std::int64_t firstSeen = drv.target(3, 1)->firstSeenMs;

    // Alive and answering: never lost.
    drv.run(FastIntervalMs * (FastMissedPolls + 1));
    QVERIFY2(drv.count(DiscoveryEvent::Type::Lost) == 0, qPrintable(drv.describe()));
    QCOMPARE(drv.target(3, 1)->state, DiscoveredTarget::State::Online);

    // SIGKILL: lost 2 s after the last answer, 1.5 to 2 s after the kill
    // (see SilenceWindow).
    const SilenceWindow window = SilenceWindow::loss(FastIntervalMs, FastMissedPolls);
    std::size_t mark = drv.events.size();
    std::int64_t killing = 0, killed = 0;
    QVERIFY(killMidInterval(&drv, target, 3, 1, FastIntervalMs, &killing, &killed));
    QVERIFY2(drv.run(int(window.afterDeathToMs()) + 2000,
                     [&] { return drv.find(DiscoveryEvent::Type::Lost, 3, 1, mark) >= 0; }),
             qPrintable(drv.describe(mark)));
    const std::size_t lost = std::size_t(drv.find(DiscoveryEvent::Type::Lost, 3, 1, mark));
    const QString late = drv.checkWindow(lost, window, killing, killed);
    QVERIFY2(late.isEmpty(), qPrintable(kind + QStringLiteral(": ") + late));
    QCOMPARE(drv.events[lost].target.state, DiscoveredTarget::State::Lost);
    QVERIFY2(drv.events[lost].message.find("e3.1") != std::string::npos,
             drv.events[lost].message.c_str());

    // Stays listed as lost (removeAfterMs 0), with one Lost event only.
    drv.run(FastIntervalMs * 3);
    auto t = drv.target(3, 1);
    QVERIFY2(t, qPrintable(drv.describe(mark)));
    QCOMPARE(t->state, DiscoveredTarget::State::Lost);
    QVERIFY2(drv.count(DiscoveryEvent::Type::Lost, 3, 1) == 1, qPrintable(drv.describe(mark)));
    QVERIFY2(drv.count(DiscoveryEvent::Type::Removed) == 0, qPrintable(drv.describe(mark)));

    // Back: recovered with its first answer (its start-up advertisement, or
    // the next poll's answer at most one interval after it listens), not on
    // a later tick: 0 to StartupMs + one interval after the restart, and
    // with the answer itself.
    constexpr int StartupMs = 1000; // from exec to listening, on a busy machine
    mark = drv.events.size();
    const std::int64_t restarted = nowMs();
    QVERIFY(startTarget(kind, 3, 1, m_net->ifA(), image));
    const int recoverLimit = StartupMs + FastIntervalMs + TimerSlackMs;
    QVERIFY2(drv.run(recoverLimit + 2000,
                     [&] { return drv.find(DiscoveryEvent::Type::Recovered, 3, 1, mark) >= 0; }),
             qPrintable(drv.describe(mark)));
    const std::size_t recovered =
        std::size_t(drv.find(DiscoveryEvent::Type::Recovered, 3, 1, mark));
    const std::int64_t recoveredAfter = drv.eventMs[recovered] - restarted;
    const std::int64_t afterAnswer =
        drv.events[recovered].timeMs - drv.events[recovered].target.lastSeenMs;
    qInfo("%s: recovered %lld ms after the restart, %lld ms after its answer", qPrintable(kind),
          static_cast<long long>(recoveredAfter), static_cast<long long>(afterAnswer));
    QVERIFY2(recoveredAfter >= 0 && recoveredAfter <= recoverLimit,
             qPrintable(QStringLiteral("recovered after %1 ms, expected 0 to %2 ms")
                            .arg(recoveredAfter)
                            .arg(recoverLimit)));
    QVERIFY2(afterAnswer >= 0 && afterAnswer <= TimerSlackMs,
             qPrintable(QStringLiteral("recovered %1 ms after the answer, expected 0 to %2 ms")
                            .arg(afterAnswer)
                            .arg(TimerSlackMs)));
    drv.run(FastIntervalMs * 2);
    t = drv.target(3, 1);
    QVERIFY(t);
    QCOMPARE(t->state, DiscoveredTarget::State::Online);
    QVERIFY2(!t->paths.empty(), qPrintable(describe(*t)));
    QCOMPARE(t->firstSeenMs, firstSeen);
    QVERIFY2(!t->conflict, qPrintable(describe(*t))); // same device, same serial
    QVERIFY2(drv.count(DiscoveryEvent::Type::Added, 3, 1) == 1, qPrintable(drv.describe()));
    QVERIFY2(drv.count(DiscoveryEvent::Type::Lost, 3, 1, mark) == 0, qPrintable(drv.describe()));
}

void tst_Discovery::removeAfter()
{
    const QString image = m_dir.filePath(QStringLiteral("remove.img"));
    QVERIFY(makeImage(image, 2048));
    QProcess *target = startTarget(QStringLiteral("etherdisk"), 3, 2, m_net->ifA(), image);
    QVERIFY(target);
    Driver drv;
    Discovery::Options o;
    o.interfaces = { m_net->ifB().toStdString() };
    o.intervalMs = FastIntervalMs;
    o.missedPolls = 2;
    // Not a whole number of intervals: at 5 intervals the silence would sit
    // on the limit, and which tick forgets the target would be a race.
    o.removeAfterMs = 2300;
    std::string error;
    QVERIFY2(drv.open(o, &error), error.c_str());
    QVERIFY2(drv.run(5000, [&] { return drv.identified(3, 2); }), qPrintable(drv.describe()));

    // Lost 1.5 s after the last answer (1 to 1.5 s after the kill), removed
    // at the first tick after 2.3 s of silence: 2.5 s after the last answer,
    // 2 to 2.5 s after the kill (see SilenceWindow).
    const SilenceWindow lossWindow = SilenceWindow::loss(o.intervalMs, o.missedPolls);
    const SilenceWindow removalWindow = SilenceWindow::removal(o.intervalMs, o.removeAfterMs);
    QCOMPARE(removalWindow.afterAnswerMs(), std::int64_t(2500));
    const std::size_t mark = drv.events.size();
    std::int64_t killing = 0, killed = 0;
    QVERIFY(killMidInterval(&drv, target, 3, 2, o.intervalMs, &killing, &killed));
    QVERIFY2(drv.run(int(removalWindow.afterDeathToMs()) + 2000,
                     [&] { return drv.find(DiscoveryEvent::Type::Removed, 3, 2, mark) >= 0; }),
             qPrintable(drv.describe(mark)));
    const int lost = drv.find(DiscoveryEvent::Type::Lost, 3, 2, mark);
    const int removed = drv.find(DiscoveryEvent::Type::Removed, 3, 2, mark);
    QVERIFY2(lost >= 0 && lost < removed, qPrintable(drv.describe(mark)));
    QString late = drv.checkWindow(std::size_t(lost), lossWindow, killing, killed);
    QVERIFY2(late.isEmpty(), qPrintable(late));
    late = drv.checkWindow(std::size_t(removed), removalWindow, killing, killed);
    QVERIFY2(late.isEmpty(), qPrintable(late));
    QVERIFY2(!drv.target(3, 2), qPrintable(drv.describe(mark)));
    QVERIFY(!drv.events[std::size_t(removed)].message.empty());

    // Back again: a new target, so Added, not Recovered.
    QVERIFY(startTarget(QStringLiteral("etherdisk"), 3, 2, m_net->ifA(), image));
    QVERIFY2(drv.run(3000, [&] { return drv.identified(3, 2); }), qPrintable(drv.describe(mark)));
    QVERIFY2(drv.find(DiscoveryEvent::Type::Added, 3, 2, std::size_t(removed)) > removed,
             qPrintable(drv.describe(mark)));
    QCOMPARE(drv.count(DiscoveryEvent::Type::Recovered, 3, 2), 0);
}

void tst_Discovery::conflict()
{
    // Two "NICs" in namespace A: one macvlan per target.
    const QString m1 = m_net->linkName(QStringLiteral("m1"));
    const QString m2 = m_net->linkName(QStringLiteral("m2"));
    for (const QString &m : { m1, m2 }) {
        QString e;
        QVERIFY2(m_net->addMacvlan(m_net->nsA(), m_net->ifA(), m, &e), qPrintable(e));
    }
    MacAddress mac1{}, mac2{};
    QVERIFY(macOf(m1, &mac1));
    QVERIFY(macOf(m2, &mac2));
    QVERIFY(mac1 != mac2);

    const QString small = m_dir.filePath(QStringLiteral("c1.img"));
    const QString big = m_dir.filePath(QStringLiteral("c2.img"));
    QVERIFY(makeImage(small, 4096));
    QVERIFY(makeImage(big, 8192));
    QVERIFY(startTarget(QStringLiteral("vblade"), 5, 5, m1, small));
    QVERIFY(startTarget(QStringLiteral("etherdisk"), 5, 5, m2, big));

    Driver drv;
    QVERIFY(openDriver(&drv, FastIntervalMs, FastMissedPolls));
    QVERIFY2(drv.run(8000,
                     [&] {
                         const auto t = drv.target(5, 5);
                         return t && t->conflict && t->paths.size() == 2
                             && drv.find(DiscoveryEvent::Type::Conflict, 5, 5) >= 0;
                     }),
             qPrintable(drv.describe()
                        + (drv.target(5, 5) ? QStringLiteral("\n") + describe(*drv.target(5, 5))
                                            : QString())));
    drv.run(2 * FastIntervalMs);
    const auto t = drv.target(5, 5);
    QVERIFY(t);
    const QByteArray info = describe(*t).toUtf8();
    qInfo("conflict detail: %s", t->conflictDetail.c_str());
    QVERIFY2(t->conflict, info.constData()); // stays flagged
    QVERIFY2(!t->conflictDetail.empty(), info.constData());
    QVERIFY2(t->paths.size() == 2, info.constData());
    std::set<QString> macs;
    for (const TargetPath &p : t->paths) {
        QCOMPARE(qs(p.interface), m_net->ifB());
        macs.insert(macText(p.mac));
    }
    QVERIFY2(macs == (std::set<QString>{ macText(mac1), macText(mac2) }), info.constData());
    const int ev = drv.find(DiscoveryEvent::Type::Conflict, 5, 5);
    QVERIFY(drv.events[std::size_t(ev)].target.conflict);
    QVERIFY(!drv.events[std::size_t(ev)].message.empty());
    QCOMPARE(drv.d->targets().size(), std::size_t(1));
}

void tst_Discovery::manyTargets()
{
    constexpr int Count = 250;
    constexpr std::uint16_t Shelf = 10;
    constexpr std::uint64_t Sectors = 64;
    const QString image = m_dir.filePath(QStringLiteral("many.img"));
    QVERIFY(makeImage(image, Sectors));
    const QString conf = m_dir.filePath(QStringLiteral("many.conf"));
    {
        QFile f(conf);
        QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
        for (int slot = 0; slot < Count; ++slot)
            f.write(
                QStringLiteral("[export %1.%2]\npath = %3\ninterfaces = %4\nread-only = true\n\n")
                    .arg(Shelf)
                    .arg(slot)
                    .arg(image, m_net->ifA())
                    .toUtf8());
    }
    QVERIFY(startProcess(targetBinary(),
                         { QStringLiteral("--config"), conf, QStringLiteral("--state-dir=") },
                         true)); // a log line per export and client
    // Starting 250 exports takes seconds in a sanitizer build: wait for all
    // of them before the clock of the 2 s bound starts.
    QVERIFY(waitServing(Shelf, 0, 30000));
    QVERIFY(waitServing(Shelf, Count - 1, 30000));

    Driver drv;
    QVERIFY(openDriver(&drv, 2000, 3)); // one broadcast within the 2 s
    auto all = [&] {
        int n = 0;
        for (const DiscoveredTarget &t : drv.d->targets())
            n += t.shelf == Shelf && t.identified;
        return n == Count;
    };
    const bool done = drv.run(2000, all);
    const std::vector<DiscoveredTarget> targets = drv.d->targets();
    int identified = 0;
    std::set<int> seenSlots;
    for (const DiscoveredTarget &t : targets) {
        if (t.shelf != Shelf)
            continue;
        seenSlots.insert(t.slot);
        identified += t.identified;
        if (t.identified)
            QVERIFY2(t.sectors == Sectors, qPrintable(describe(t)));
    }
    qInfo("%d listed, %d identified after %lld ms", int(seenSlots.size()), identified,
          static_cast<long long>(nowMs() - drv.startMs));
    QVERIFY2(done,
             qPrintable(QStringLiteral("within 2 s: %1 listed, %2 identified")
                            .arg(seenSlots.size())
                            .arg(identified)));
    QCOMPARE(int(seenSlots.size()), Count);
    QCOMPARE(*seenSlots.begin(), 0);
    QCOMPARE(*seenSlots.rbegin(), Count - 1);
    QCOMPARE(int(targets.size()), Count);
    QCOMPARE(drv.count(DiscoveryEvent::Type::Added), Count);
}

void tst_Discovery::configStringChange()
{
    const QString image = m_dir.filePath(QStringLiteral("cfg.img"));
    QVERIFY(makeImage(image, 2048));
    QVERIFY(startTarget(QStringLiteral("etherdisk"), 4, 4, m_net->ifA(), image));
    QVERIFY(waitServing(4, 4, 5000));

    Driver drv;
    QVERIFY(openDriver(&drv, FastIntervalMs, FastMissedPolls));
    QVERIFY2(drv.run(5000, [&] { return drv.identified(4, 4); }), qPrintable(drv.describe()));
    QVERIFY(drv.target(4, 4)->paths.at(0).configString.empty());

    // Any bytes, a NUL and 0xFF included.
    const QByteArray value("cluster\0\xff-7", 11);
    const std::string expected(value.constData(), std::size_t(value.size()));
    EtherdiskTest::RawClient client;
    QString why;
    QVERIFY2(client.open(m_net->ifB(), &why), qPrintable(why));
    const std::size_t mark = drv.events.size();
    const auto rsp = client.exchange(client.configRequest(4, 4, ConfigCommand::ForceSet, value));
    QCOMPARE(rsp.size(), std::size_t(1));
    const std::int64_t set = nowMs();
    // Reported with the first answer that carries the new string: the
    // reply to the set itself (discovery hears it on the same link) or, at
    // the latest, the next poll's answer one interval later.
    const int limit = FastIntervalMs + TimerSlackMs;
    auto changed = [&] {
        const int i = drv.find(DiscoveryEvent::Type::Changed, 4, 4, mark);
        return i >= 0 && !drv.events[std::size_t(i)].target.paths.empty()
            && drv.events[std::size_t(i)].target.paths[0].configString == expected;
    };
    QVERIFY2(drv.run(limit + 1500, changed), qPrintable(drv.describe(mark)));
    const std::int64_t after =
        drv.eventMs[std::size_t(drv.find(DiscoveryEvent::Type::Changed, 4, 4, mark))] - set;
    QVERIFY2(after >= 0 && after <= limit,
             qPrintable(
                 QStringLiteral("changed after %1 ms, expected 0 to %2 ms").arg(after).arg(limit)));
    const auto t = drv.target(4, 4);
    QVERIFY(t);
    QCOMPARE(t->paths.size(), std::size_t(1));
    QVERIFY2(t->paths[0].configString == expected,
             qPrintable(QString::fromLatin1(
                 QByteArray::fromStdString(t->paths[0].configString).toHex(' '))));

    // Unchanged afterwards: no more events.
    const std::size_t mark2 = drv.events.size();
    drv.run(3 * FastIntervalMs);
    QVERIFY2(drv.events.size() == mark2, qPrintable(drv.describe(mark2)));
    QCOMPARE(drv.target(4, 4)->state, DiscoveredTarget::State::Online);
}

void tst_Discovery::malformedReply()
{
    // The hostile frame really does not parse.
    Header request;
    request.destination = BroadcastMac;
    request.shelf = BroadcastShelf;
    request.slot = BroadcastSlot;
    request.command = std::uint8_t(Command::QueryConfig);
    request.tag = UserTagBit | 1;
    const QByteArray sample = malformedConfigAnswer(
        request, MacAddress{ 2, 0, 0, 0, 0, 1 }, Responder::HostileShelf, Responder::HostileSlot);
    Frame parsed;
    QCOMPARE(parseFrame(EtherdiskTest::bytes(sample), &parsed), ParseError::ConfigStringTruncated);

    // A well-behaved neighbour, and the hostile responder, both behind ifA.
    const QString image = m_dir.filePath(QStringLiteral("good.img"));
    QVERIFY(makeImage(image, 2048));
    QVERIFY(startTarget(QStringLiteral("etherdisk"), 2, 2, m_net->ifA(), image));
    QVERIFY(waitServing(2, 2, 5000));
    MacAddress macA{};
    QVERIFY(macOf(m_net->ifA(), &macA));
    Responder hostile;
    QString why;
    QVERIFY(m_net->enter(m_net->nsA()));
    const bool opened = hostile.open(m_net->ifA(), &why);
    QVERIFY(m_net->enter(m_net->nsB()));
    QVERIFY2(opened, qPrintable(why));
    hostile.hostile = true;
    hostile.start();

    Driver drv;
    QVERIFY(openDriver(&drv, FastIntervalMs, FastMissedPolls));
    QVERIFY2(drv.run(4000,
                     [&] {
                         return !drv.d->malformed().empty()
                             && drv.count(DiscoveryEvent::Type::Malformed) > 0
                             && drv.identified(2, 2);
                     }),
             qPrintable(drv.describe()));
    drv.run(3 * FastIntervalMs); // more polls, more bad answers
    hostile.stop();

    const std::vector<MalformedReply> bad = drv.d->malformed();
    QCOMPARE(bad.size(), std::size_t(1));
    const MalformedReply &m = bad[0];
    qInfo("malformed: %s (%llu times)", m.reason.c_str(), static_cast<unsigned long long>(m.count));
    QCOMPARE(qs(m.interface), m_net->ifB());
    QCOMPARE(macText(m.mac), macText(macA));
    QCOMPARE(int(m.shelf), int(Responder::HostileShelf));
    QCOMPARE(int(m.slot), int(Responder::HostileSlot));
    QVERIFY(!m.reason.empty());
    QVERIFY2(m.count >= 2,
             qPrintable(QStringLiteral("count %1, %2 bad answers sent")
                            .arg(m.count)
                            .arg(hostile.answered.load())));
    QVERIFY(m.count <= std::uint64_t(hostile.answered.load()));
    QVERIFY(m.lastSeenMs > 0);
    const int ev =
        drv.find(DiscoveryEvent::Type::Malformed, Responder::HostileShelf, Responder::HostileSlot);
    QVERIFY2(ev >= 0, qPrintable(drv.describe()));
    QVERIFY(!drv.events[std::size_t(ev)].message.empty());

    // Never trusted: not listed, not added, never sent an IDENTIFY.
    const auto listed = drv.target(Responder::HostileShelf, Responder::HostileSlot);
    QVERIFY2(!listed, listed ? qPrintable(describe(*listed)) : "");
    QCOMPARE(
        drv.count(DiscoveryEvent::Type::Added, Responder::HostileShelf, Responder::HostileSlot), 0);
    int ataToHostile = 0;
    for (const Responder::Seen &s : hostile.seen())
        ataToHostile += s.kind == FrameKind::Ata && s.header.shelf == Responder::HostileShelf
            && s.header.slot == Responder::HostileSlot;
    QCOMPARE(ataToHostile, 0);
    // The good neighbour is unaffected.
    const auto good = drv.target(2, 2);
    QVERIFY(good && good->identified && good->state == DiscoveredTarget::State::Online);
    QCOMPARE(drv.d->targets().size(), std::size_t(1));
}

void tst_Discovery::identifyFails()
{
    // A target that answers Query Config but fails every IDENTIFY is listed
    // (it does answer for its address) but never identified, and the failure
    // is reported with the status the target sent.
    Responder failing;
    QString why;
    QVERIFY(m_net->enter(m_net->nsA()));
    const bool opened = failing.open(m_net->ifA(), &why);
    QVERIFY(m_net->enter(m_net->nsB()));
    QVERIFY2(opened, qPrintable(why));
    failing.failIdentify = true;
    failing.start();

    Driver drv;
    QVERIFY(openDriver(&drv, FastIntervalMs, FastMissedPolls));
    QVERIFY2(drv.run(4000, [&] { return !drv.d->malformed().empty(); }),
             qPrintable(drv.describe()));
    failing.stop();
    const std::vector<MalformedReply> bad = drv.d->malformed();
    QCOMPARE(bad.size(), std::size_t(1));
    QCOMPARE(int(bad[0].shelf), int(Responder::FailingShelf));
    QCOMPARE(int(bad[0].slot), int(Responder::FailingSlot));
    QCOMPARE(qs(bad[0].reason), QStringLiteral("IDENTIFY failed (ATA status 0x51)"));
    const auto t = drv.target(Responder::FailingShelf, Responder::FailingSlot);
    QVERIFY(t);
    QVERIFY2(!t->identified, qPrintable(describe(*t)));
    QCOMPARE(t->sectors, std::uint64_t(0));
}

void tst_Discovery::floodOfForgedAdvertisements()
{
    // One real target, and forged advertisements for 100,000 different
    // addresses, each from its own MAC: the tables stay within their
    // bounds, the forged addresses produce no event and are never listed,
    // the IDENTIFYs sent to them stay within the budget, and the real target
    // is found as usual.
    const QString image = m_dir.filePath(QStringLiteral("flood.img"));
    QVERIFY(makeImage(image, 2048));
    QVERIFY(startTarget(QStringLiteral("etherdisk"), 2, 2, m_net->ifA(), image));
    QVERIFY(waitServing(2, 2, 5000));
    Forger forger;
    QString why;
    QVERIFY2(forger.open(*m_net, &why), qPrintable(why));

    const Discovery::Options::Limits limits; // the defaults
    Driver drv;
    QVERIFY(openDriver(&drv, FastIntervalMs, FastMissedPolls));
    constexpr int Count = 100000, Chunk = Forger::Burst;
    std::size_t maxCandidates = 0, maxPaths = 0, maxPending = 0, maxMalformed = 0;
    auto sample = [&] {
        const Discovery::Counters c = drv.d->counters();
        maxCandidates = std::max(maxCandidates, c.candidates);
        maxPaths = std::max(maxPaths, c.paths);
        maxPending = std::max(maxPending, c.pendingIdentify);
        maxMalformed = std::max(maxMalformed, c.malformed);
        return c;
    };
    drv.run(100);
    const std::int64_t start = nowMs();
    for (int first = 0; first < Count; first += Chunk) {
        forger.answer(first, Chunk, 0);
        const std::uint64_t want = std::uint64_t(first + Chunk);
        QVERIFY2(
            drv.run(5000, [&] { return sample().frames >= want; }),
            qPrintable(
                QStringLiteral("%1 of %2 frames handled").arg(drv.d->counters().frames).arg(want)));
        forger.drain();
    }
    drv.run(FastIntervalMs, [&] { return sample(), false; });
    forger.drain();
    const std::int64_t floodMs = nowMs() - start;
    const Discovery::Counters c = sample();
    qInfo("%d forged advertisements in %lld ms: %llu frames, at most %zu candidates, %zu paths, "
          "%zu pending IDENTIFYs; %llu evicted, %llu expired, %llu questions deferred, %d "
          "IDENTIFYs to forged MACs",
          Count, static_cast<long long>(floodMs), static_cast<unsigned long long>(c.frames),
          maxCandidates, maxPaths, maxPending, static_cast<unsigned long long>(c.candidatesEvicted),
          static_cast<unsigned long long>(c.candidatesExpired),
          static_cast<unsigned long long>(c.questionsDeferred), forger.identifies);

    // Nothing forged is listed or announced; the real target is.
    QVERIFY2(drv.run(3000, [&] { return drv.identified(2, 2); }), qPrintable(drv.describe()));
    const std::vector<DiscoveredTarget> listed = drv.d->targets();
    QVERIFY2(listed.size() == 1 && listed[0].name() == "e2.2",
             qPrintable(QStringLiteral("%1 targets listed").arg(listed.size())));
    QCOMPARE(listed[0].paths.size(), std::size_t(1));
    QCOMPARE(drv.count(DiscoveryEvent::Type::Added), 1);
    QCOMPARE(drv.count(DiscoveryEvent::Type::Added, 2, 2), 1);
    QVERIFY2(drv.events.size() <= 3, qPrintable(drv.describe())); // added, changed (identity)
    for (const DiscoveryEvent &e : drv.events)
        QVERIFY2(!Forger::isForged(e.target), qPrintable(drv.describe()));

    // Memory: every table within its bound, all the time.
    QVERIFY2(maxCandidates <= limits.candidates, qPrintable(QString::number(maxCandidates)));
    QVERIFY2(maxPaths <= limits.candidates + limits.pathsPerTarget,
             qPrintable(QString::number(maxPaths)));
    QVERIFY2(maxPending <= limits.pendingIdentify, qPrintable(QString::number(maxPending)));
    QCOMPARE(maxMalformed, std::size_t(0));
    QVERIFY2(maxCandidates == limits.candidates, "the flood should have filled the candidates");
    // Every forged address is accounted for: evicted, expired or still a
    // candidate (the real target may have been a candidate once or twice).
    const std::uint64_t accounted = c.candidatesEvicted + c.candidatesExpired + c.candidates;
    QVERIFY2(accounted >= std::uint64_t(Count) && accounted <= std::uint64_t(Count) + 3,
             qPrintable(QString::number(accounted)));
    // IDENTIFYs to what only advertised: within the per-interval budget.
    const std::int64_t intervals = floodMs / FastIntervalMs + 2;
    QVERIFY2(forger.identifies > 0, "the advertised addresses were never asked");
    QVERIFY2(
        forger.identifies <= limits.unsolicitedPerInterval * intervals,
        qPrintable(
            QStringLiteral("%1 IDENTIFYs in %2 intervals").arg(forger.identifies).arg(intervals)));
    QVERIFY(c.questionsDeferred > 0);

    // And once the flood is over, what never proved real is forgotten.
    const int unprovenMs = FastIntervalMs * (FastMissedPolls + 1);
    QVERIFY2(drv.run(unprovenMs + FastIntervalMs + TimerSlackMs,
                     [&] { return drv.d->counters().candidates == 0; }),
             qPrintable(QStringLiteral("%1 candidates left").arg(drv.d->counters().candidates)));
    QCOMPARE(drv.d->targets().size(), std::size_t(1));
}

void tst_Discovery::unprovenForgotten()
{
    // The rule: an address is listed only once a path answered our IDENTIFY.
    // 200 forged addresses that answer every broadcast poll (with its tag)
    // but never an IDENTIFY, and a forged second path to a real target, are
    // never listed, and each is forgotten (unprovenMs = (missedPolls + 1) *
    // intervalMs = 2 s) after it was first heard, however often it answers.
    const QString image = m_dir.filePath(QStringLiteral("unproven.img"));
    QVERIFY(makeImage(image, 2048));
    QVERIFY(startTarget(QStringLiteral("etherdisk"), 2, 2, m_net->ifA(), image));
    QVERIFY(waitServing(2, 2, 5000));
    Forger forger;
    QString why;
    QVERIFY2(forger.open(*m_net, &why), qPrintable(why));
    Discovery::Options::Limits limits;
    limits.pathsPerTarget = 4;
    Driver drv;
    QVERIFY(openDriver(&drv, FastIntervalMs, FastMissedPolls, limits));
    QVERIFY2(drv.run(3000, [&] { return drv.identified(2, 2); }), qPrintable(drv.describe()));
    const std::size_t mark = drv.events.size();

    constexpr int Count = 200, ForgedPaths = 20;
    const int unprovenMs = FastIntervalMs * (FastMissedPolls + 1);
    std::int64_t filledAt = 0, firstExpiredAt = 0;
    const std::int64_t start = nowMs();
    while (nowMs() - start < unprovenMs + 3 * FastIntervalMs) {
        forger.drain();
        forger.answer(0, Count, forger.lastPollTag);
        for (int i = 0; i < ForgedPaths; ++i)
            forger.answerAs(2, 2, Forger::macOf(500000 + i), forger.lastPollTag);
        forger.flush();
        drv.run(100);
        const Discovery::Counters c = drv.d->counters();
        if (!filledAt && c.candidates >= std::size_t(Count))
            filledAt = nowMs();
        if (!firstExpiredAt && c.candidatesExpired > 0)
            firstExpiredAt = nowMs();
        const auto real = drv.target(2, 2);
        QVERIFY(real);
        QVERIFY2(real->paths.size() == 1, qPrintable(describe(*real)));
        QVERIFY2(c.candidates <= std::size_t(Count), qPrintable(QString::number(c.candidates)));
        QVERIFY2(c.paths <= std::size_t(Count) + limits.pathsPerTarget,
                 qPrintable(QString::number(c.paths)));
        QCOMPARE(drv.d->targets().size(), std::size_t(1));
    }
    const Discovery::Counters c = drv.d->counters();
    qInfo("filled after %lld ms, first expired %lld ms later; %llu expired, %llu paths evicted, "
          "%llu paths expired, %d IDENTIFYs to forged MACs",
          static_cast<long long>(filledAt - start),
          static_cast<long long>(firstExpiredAt - filledAt),
          static_cast<unsigned long long>(c.candidatesExpired),
          static_cast<unsigned long long>(c.pathsEvicted),
          static_cast<unsigned long long>(c.pathsExpired), forger.identifies);
    QVERIFY(filledAt > 0);
    QVERIFY2(firstExpiredAt > 0, "no candidate expired");
    // Forgotten unprovenMs after first heard, noticed at the next poll tick.
    QVERIFY2(firstExpiredAt - filledAt >= unprovenMs - FastIntervalMs - TimerSlackMs
                 && firstExpiredAt - filledAt <= unprovenMs + FastIntervalMs + TimerSlackMs,
             qPrintable(QString::number(firstExpiredAt - filledAt)));
    QVERIFY2(c.candidatesExpired >= std::uint64_t(Count),
             qPrintable(QString::number(c.candidatesExpired)));
    QVERIFY(forger.identifies >= Count); // they were asked, and never answered
    // The forged paths of e2.2 evicted each other (never the real one).
    QVERIFY2(c.pathsEvicted >= std::uint64_t(ForgedPaths - 3),
             qPrintable(QString::number(c.pathsEvicted)));
    QCOMPARE(c.pathsDropped, std::uint64_t(0));
    // No event about any of it.
    QVERIFY2(drv.events.size() == mark, qPrintable(drv.describe(mark)));

    // Silence: all of it gone within unprovenMs plus a tick.
    QVERIFY2(drv.run(unprovenMs + FastIntervalMs + TimerSlackMs,
                     [&] {
                         const Discovery::Counters n = drv.d->counters();
                         return n.candidates == 0 && n.paths == 1;
                     }),
             qPrintable(QStringLiteral("%1 candidates, %2 paths left")
                            .arg(drv.d->counters().candidates)
                            .arg(drv.d->counters().paths)));
    QVERIFY(drv.d->counters().pathsExpired > 0);
    const auto real = drv.target(2, 2);
    QVERIFY(real && real->state == DiscoveredTarget::State::Online && real->identified);
    QCOMPARE(drv.count(DiscoveryEvent::Type::Added), 1);
}

void tst_Discovery::malformedSummary()
{
    // 500 malformed replies, each from another MAC for another address,
    // within one noise window: 5 Malformed events, then one Suppressed
    // event for the other 495 at the end of the window.
    Forger forger;
    QString why;
    QVERIFY2(forger.open(*m_net, &why), qPrintable(why));
    Discovery::Options::Limits limits;
    limits.noiseEvents = 5;
    limits.noiseWindowMs = 1500;
    limits.malformed = 64;
    Driver drv;
    QVERIFY(openDriver(&drv, FastIntervalMs, FastMissedPolls, limits));
    drv.run(100);
    constexpr int Count = 500;
    for (int sent = 0; sent < Count; sent += Forger::Burst) {
        const int n = std::min(Forger::Burst, Count - sent);
        forger.answer(sent, n, 0, true);
        QVERIFY2(drv.run(3000, [&] { return drv.d->counters().frames >= std::uint64_t(sent + n); }),
                 qPrintable(QString::number(drv.d->counters().frames)));
    }
    const int first =
        drv.find(DiscoveryEvent::Type::Malformed, Forger::shelfOf(0), Forger::slotOf(0));
    QVERIFY2(first >= 0, qPrintable(drv.describe()));
    const std::int64_t windowStart = drv.eventMs[std::size_t(first)];
    auto summaryIndex = [&] {
        for (std::size_t i = 0; i < drv.events.size(); ++i)
            if (drv.events[i].type == DiscoveryEvent::Type::Suppressed)
                return int(i);
        return -1;
    };
    QVERIFY2(
        drv.run(limits.noiseWindowMs + FastIntervalMs + 1000, [&] { return summaryIndex() >= 0; }),
        qPrintable(drv.describe()));
    const std::size_t si = std::size_t(summaryIndex());
    const DiscoveryEvent &summary = drv.events[si];
    qInfo("%s", summary.message.c_str());
    const std::int64_t after = drv.eventMs[si] - windowStart;
    QVERIFY2(after >= limits.noiseWindowMs - TimerSlackMs
                 && after <= limits.noiseWindowMs + FastIntervalMs + TimerSlackMs,
             qPrintable(QStringLiteral("summary %1 ms after the first event").arg(after)));
    QCOMPARE(drv.count(DiscoveryEvent::Type::Malformed), limits.noiseEvents);
    QCOMPARE(summary.count, std::uint64_t(Count - limits.noiseEvents));
    QVERIFY2(summary.message.find("and 495 more malformed replies in the last")
                 != std::string::npos,
             summary.message.c_str());
    QCOMPARE(drv.count(DiscoveryEvent::Type::Suppressed), 1);
    // The list keeps the 64 most recent; the rest were evicted, and counted.
    const Discovery::Counters c = drv.d->counters();
    QCOMPARE(drv.d->malformed().size(), limits.malformed);
    QCOMPARE(c.malformed, limits.malformed);
    QCOMPARE(c.malformedReplies, std::uint64_t(Count));
    QCOMPARE(c.malformedEvicted, std::uint64_t(Count) - limits.malformed);
    QCOMPARE(c.eventsSuppressed, std::uint64_t(Count - limits.noiseEvents));
    for (const MalformedReply &m : drv.d->malformed())
        QVERIFY2(m.shelf >= Forger::shelfOf(Count - int(limits.malformed)),
                 qPrintable(drv.describe()));
    QVERIFY(drv.d->targets().empty());

    // A new window: reported again at once, and nothing to summarize.
    const std::size_t mark = drv.events.size();
    forger.answer(Count, 3, 0, true);
    QVERIFY2(drv.run(1000,
                     [&] {
                         return drv.count(DiscoveryEvent::Type::Malformed)
                             == limits.noiseEvents + 3;
                     }),
             qPrintable(drv.describe(mark)));
    drv.run(limits.noiseWindowMs + FastIntervalMs + TimerSlackMs);
    QCOMPARE(drv.count(DiscoveryEvent::Type::Suppressed), 1);
}

void tst_Discovery::eventQueueBounded()
{
    // An owner that does not take its events: at most `events` wait, the
    // rest are dropped, counted, and summarized by one Overflow event.
    Forger forger;
    QString why;
    QVERIFY2(forger.open(*m_net, &why), qPrintable(why));
    Discovery::Options::Limits limits;
    limits.events = 10;
    limits.noiseEvents = 1000;
    Discovery::Options o;
    o.interfaces = { m_net->ifB().toStdString() };
    o.intervalMs = FastIntervalMs;
    o.limits = limits;
    std::string error;
    std::unique_ptr<Discovery> d = Discovery::open(o, &error);
    QVERIFY2(d, error.c_str());
    d->process();
    constexpr int Count = 100;
    forger.answer(0, Count, 0, true);
    const std::int64_t deadline = nowMs() + 3000;
    while (d->counters().frames < std::uint64_t(Count) && nowMs() < deadline) {
        pollfd p{ d->fd(), POLLIN, 0 };
        ::poll(&p, 1, 100);
        d->process();
    }
    const Discovery::Counters c = d->counters();
    QCOMPARE(c.frames, std::uint64_t(Count));
    QCOMPARE(c.queuedEvents, limits.events);
    QCOMPARE(c.eventsDropped, std::uint64_t(Count) - limits.events);
    const std::vector<DiscoveryEvent> events = d->takeEvents();
    QCOMPARE(events.size(), limits.events + 1);
    for (std::size_t i = 0; i < limits.events; ++i)
        QCOMPARE(events[i].type, DiscoveryEvent::Type::Malformed);
    QCOMPARE(events.back().type, DiscoveryEvent::Type::Overflow);
    QCOMPARE(events.back().count, std::uint64_t(Count) - limits.events);
    qInfo("%s", events.back().message.c_str());
    QVERIFY2(events.back().message.find("90 events dropped") == 0, events.back().message.c_str());
    QVERIFY(d->takeEvents().empty());
    QCOMPARE(d->counters().queuedEvents, std::size_t(0));
}

void tst_Discovery::boundedBatch()
{
    // 200 frames waiting, 40 per process() call: each call handles 40 and
    // leaves fd() readable; the sixth finds none and fd() goes quiet.
    Forger forger;
    QString why;
    QVERIFY2(forger.open(*m_net, &why), qPrintable(why));
    Discovery::Options::Limits limits;
    limits.framesPerProcess = 40;
    Discovery::Options o;
    o.interfaces = { m_net->ifB().toStdString() };
    o.intervalMs = 60000; // no timer tick during the test
    o.limits = limits;
    std::string error;
    std::unique_ptr<Discovery> d = Discovery::open(o, &error);
    QVERIFY2(d, error.c_str());
    d->process(); // the first poll
    QCOMPARE(d->counters().frames, std::uint64_t(0));
    auto readable = [&] {
        pollfd p{ d->fd(), POLLIN, 0 };
        return ::poll(&p, 1, 0) == 1;
    };
    QVERIFY(!readable());
    constexpr int Count = Forger::Burst;
    forger.answer(0, Count, 0);
    std::this_thread::sleep_for(std::chrono::milliseconds(200)); // all of them in the ring
    QVERIFY(readable());
    for (int call = 1; call <= Count / limits.framesPerProcess; ++call) {
        d->process();
        QCOMPARE(d->counters().frames, std::uint64_t(call * limits.framesPerProcess));
        QVERIFY2(readable(), qPrintable(QStringLiteral("not readable after call %1").arg(call)));
    }
    d->process();
    QCOMPARE(d->counters().frames, std::uint64_t(Count));
    QCOMPARE(d->counters().batchesCut, std::uint64_t(Count / limits.framesPerProcess));
    QCOMPARE(d->counters().candidates, std::size_t(Count));
    QVERIFY(!readable());
}

void tst_Discovery::fullTargetTable()
{
    // Room for two targets: a third one is not listed while both are
    // online (an online target is never evicted), and takes the place of
    // the first once that one is lost.
    Discovery::Options::Limits limits;
    limits.targets = 2;
    std::vector<QProcess *> targets;
    for (int slot = 1; slot <= 3; ++slot) {
        const QString image = m_dir.filePath(QStringLiteral("full%1.img").arg(slot));
        QVERIFY(makeImage(image, 2048));
        if (slot < 3) {
            targets.push_back(startTarget(QStringLiteral("etherdisk"), 20, std::uint8_t(slot),
                                          m_net->ifA(), image));
            QVERIFY(targets.back());
            QVERIFY(waitServing(20, std::uint8_t(slot), 5000));
        }
    }
    Driver drv;
    QVERIFY(openDriver(&drv, FastIntervalMs, FastMissedPolls, limits));
    QVERIFY2(drv.run(3000, [&] { return drv.identified(20, 1) && drv.identified(20, 2); }),
             qPrintable(drv.describe()));
    QVERIFY(startTarget(QStringLiteral("etherdisk"), 20, 3, m_net->ifA(),
                        m_dir.filePath(QStringLiteral("full3.img"))));
    QVERIFY2(drv.run(3000, [&] { return drv.d->counters().targetsDropped >= 2; }),
             qPrintable(QString::number(drv.d->counters().targetsDropped)));
    QVERIFY(!drv.target(20, 3));
    QCOMPARE(drv.d->targets().size(), std::size_t(2));
    QCOMPARE(drv.count(DiscoveryEvent::Type::Added, 20, 3), 0);
    QCOMPARE(drv.d->counters().targetsEvicted, std::uint64_t(0));

    const std::size_t mark = drv.events.size();
    targets[0]->kill();
    targets[0]->waitForFinished(5000);
    QVERIFY2(drv.run(FastIntervalMs * (FastMissedPolls + 3), [&] { return drv.identified(20, 3); }),
             qPrintable(drv.describe(mark)));
    const int lost = drv.find(DiscoveryEvent::Type::Lost, 20, 1, mark);
    const int removed = drv.find(DiscoveryEvent::Type::Removed, 20, 1, mark);
    const int added = drv.find(DiscoveryEvent::Type::Added, 20, 3, mark);
    QVERIFY2(lost >= 0 && lost < removed && removed < added, qPrintable(drv.describe(mark)));
    QVERIFY2(drv.events[std::size_t(removed)].message.find("e20.3") != std::string::npos,
             drv.events[std::size_t(removed)].message.c_str());
    QVERIFY(!drv.target(20, 1));
    QVERIFY(drv.target(20, 2));
    QCOMPARE(drv.d->counters().targetsEvicted, std::uint64_t(1));
    QCOMPARE(drv.d->targets().size(), std::size_t(2));
}

QTEST_GUILESS_MAIN(tst_Discovery)
#include "tst_discovery.moc"
