// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
//
// The engine as a long-lived privileged service needs it (the helper runs it
// for weeks as root on LANs where any host can forge any frame): bounded
// state and noise under forged floods, counters read without waiting on the
// I/O thread, settings changed under load, wire-set state written off the
// I/O thread, the wire ACL policy, link flaps seen as events, a failed loop
// that lets every caller return, and start/stop/start.
//
// Real parts: the engine in this process (or etherdisk-target) in namespace
// A of a veth pair, raw AoE frames and the project's initiator from B.

#include "etherdisk/ata.h"
#include "etherdisk/engine.h"
#include "etherdisk/initiator.h"
#include "etherdisk/packetio.h"
#include "netns.h"
#include "rawclient.h"
#include "testutil.h"
#include "wirecapture.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QScopeGuard>
#include <QThread>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <fcntl.h>
#include <poll.h>
#include <memory>
#include <thread>
#include <unistd.h>

using namespace Etherdisk;
using namespace Etherdisk::Aoe;
using EtherdiskTest::bytes;

namespace {

constexpr std::uint16_t Shelf = 12;
constexpr std::uint8_t SlotMain = 1;
constexpr std::uint64_t ImageSectors = 8192; // 4 MiB

QString targetBinary()
{
    return QStringLiteral(ETHERDISK_BINARY_DIR "/app/etherdisk-target/etherdisk-target");
}

Frame parsed(const QByteArray &f)
{
    Frame out;
    parseFrame(bytes(f), &out);
    return out;
}

std::vector<EngineEvent> eventsOf(const std::vector<EngineEvent> &all, EngineEvent::Type type)
{
    std::vector<EngineEvent> out;
    for (const EngineEvent &e : all)
        if (e.type == type)
            out.push_back(e);
    return out;
}

// Every event the engine reports until one of `type` (or the timeout).
std::vector<EngineEvent> eventsUntil(Engine &engine, EngineEvent::Type type, int timeoutMs)
{
    std::vector<EngineEvent> all;
    QElapsedTimer t;
    t.start();
    for (;;) {
        for (EngineEvent &e : engine.takeEvents())
            all.push_back(std::move(e));
        if (!eventsOf(all, type).empty() || t.elapsed() > timeoutMs)
            return all;
        QTest::qWait(20);
    }
}

// Descriptors open in this process: a start/stop cycle must not leak any.
int openFds()
{
    return int(QDir(QStringLiteral("/proc/self/fd")).entryList(QDir::Files | QDir::System).size());
}

// Anonymous resident memory: the heap, where unbounded tables would grow.
// (VmRSS also counts the receive ring's pages as a burst first touches them.)
std::uint64_t anonKiB(qint64 pid)
{
    QFile f(QStringLiteral("/proc/%1/status").arg(pid));
    if (!f.open(QIODevice::ReadOnly))
        return 0;
    for (const QByteArray &line : f.readAll().split('\n'))
        if (line.startsWith("RssAnon:"))
            return line.mid(8).trimmed().split(' ').value(0).toULongLong();
    return 0;
}

// The descriptor of this process, not in `before`, whose link names `kind`
// ("anon_inode:[eventpoll]", "anon_inode:[io_uring]"); -1 if none.
int newDescriptor(const QStringList &before, const char *kind)
{
    int found = -1;
    for (const QString &name :
         QDir(QStringLiteral("/proc/self/fd")).entryList(QDir::Files | QDir::System)) {
        char link[256] = {};
        const QByteArray path = QStringLiteral("/proc/self/fd/%1").arg(name).toLocal8Bit();
        if (!before.contains(name) && ::readlink(path.constData(), link, sizeof link - 1) > 0
            && QByteArray(link).contains(kind))
            found = name.toInt();
    }
    return found;
}

// Breaks a descriptor for real: it now refers to /dev/null.
bool pointAtDevNull(int fd)
{
    const int devnull = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    const bool ok = devnull >= 0 && ::dup2(devnull, fd) == fd;
    if (devnull >= 0)
        ::close(devnull);
    return ok;
}

// A locally administered unicast MAC per index.
MacAddress forgedMac(std::uint32_t i)
{
    return {
        0x02,           0xf0, std::uint8_t(i >> 24), std::uint8_t(i >> 16), std::uint8_t(i >> 8),
        std::uint8_t(i)
    };
}

// Load through the project's initiator on its own thread: reads (and
// optionally writes) at a full window until stopped; records every failure.
class Load
{
public:
    bool open(const QString &interface, std::uint8_t slot, QString *error)
    {
        Initiator::Options o;
        o.interface = interface.toStdString();
        o.shelf = Shelf;
        o.slot = slot;
        o.window = 16;
        o.minRtoUs = 500000; // a retransmission here means a request was really lost
        o.initialRtoUs = 500000;
        o.deadlineMs = 10000;
        std::string why;
        m_init = Initiator::open(o, &why);
        if (!m_init)
            *error = QString::fromStdString(why);
        return m_init != nullptr;
    }
    void start(bool writes)
    {
        m_thread = std::thread([this, writes] { run(writes); });
    }
    void stop()
    {
        m_stop = true;
        if (m_thread.joinable())
            m_thread.join();
    }
    ~Load() { stop(); }
    Initiator &initiator() { return *m_init; }

    std::atomic<std::uint64_t> completed{ 0 }, readsOk{ 0 }, writesOk{ 0 }, writesFailed{ 0 },
        readsFailed{ 0 }, timeouts{ 0 };
    std::atomic<bool> writesAllowed{ true };

private:
    void run(bool writes)
    {
        constexpr unsigned Depth = 16;
        std::vector<std::vector<std::uint8_t>> buffers(Depth,
                                                       std::vector<std::uint8_t>(1024, 0x5a));
        std::vector<bool> busy(Depth, false);
        Initiator::Completion done[Depth];
        std::uint64_t n = 0;
        while (!m_stop || m_init->pendingRequests() > 0) {
            for (unsigned i = 0; i < Depth && !m_stop; ++i) {
                if (busy[i])
                    continue;
                const std::uint64_t lba = (n * 7919) % (ImageSectors - 2);
                const bool write = writes && (n % 3 == 0);
                const std::uint64_t user = (std::uint64_t(write) << 32) | i;
                const bool ok = write ? m_init->submitWrite(lba, buffers[i], user)
                                      : m_init->submitRead(lba, buffers[i], user);
                if (ok)
                    busy[i] = true;
                ++n;
            }
            const int got = m_init->process(done, 100);
            for (int k = 0; k < got; ++k) {
                const Initiator::Completion &c = done[k];
                busy[c.user & 0xffffffff] = false;
                const bool write = c.user >> 32;
                ++completed;
                if (c.status == Initiator::Status::Timeout)
                    ++timeouts;
                if (write)
                    ++(c.ok() ? writesOk : writesFailed);
                else
                    ++(c.ok() ? readsOk : readsFailed);
            }
        }
    }
    std::unique_ptr<Initiator> m_init;
    std::thread m_thread;
    std::atomic<bool> m_stop{ false };
};

} // namespace

class tst_EngineService final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();

    void forgedMacFloodIsBounded();
    void clientTableAndSummaries();
    void eventQueueIsBounded();
    void countersDoNotWaitForTheLoop();
    void settingsChangeUnderLoad();
    void settingsThatCannotChange();
    void flushCountsNoBytes();
    void wireChangesWhileServing();
    void wireAclRefuse();
    void clearWireState();
    void oneExportPerAddress();
    void linkFlapIsDownThenUp();
    void startStopStart();
    void failedLoopLetsCallersReturn();
    void failedIoUringStopsTheLoop();

private:
    ExportConfig baseConfig(std::uint8_t slot) const;
    bool inA() { return m_net->enter(m_net->nsA()); }
    bool inB() { return m_net->enter(m_net->nsB()); }

    std::unique_ptr<EtherdiskTest::NetnsPair> m_net;
    std::unique_ptr<Engine> m_engine;
    EtherdiskTest::RawClient m_client;
    QTemporaryDir m_dir;
    QString m_image;
    QString m_stateDir; // on a real disk: fsync costs what it costs
};

ExportConfig tst_EngineService::baseConfig(std::uint8_t slot) const
{
    ExportConfig c;
    c.shelf = Shelf;
    c.slot = slot;
    c.path = m_image.toStdString();
    c.interfaces = { m_net->ifA().toStdString() };
    c.bufferCount = 64;
    return c;
}

void tst_EngineService::initTestCase()
{
    QString why;
    ETHERDISK_REQUIRE(EtherdiskTest::canCreateNetns(&why), why);
    QVERIFY(m_dir.isValid());
    m_net = std::make_unique<EtherdiskTest::NetnsPair>(QStringLiteral("svc"), 1500);
    QVERIFY2(m_net->isValid(), qPrintable(m_net->error()));
    m_image = m_dir.filePath(QStringLiteral("disk.img"));
    QFile f(m_image);
    QVERIFY(f.open(QIODevice::WriteOnly));
    QVERIFY(f.resize(qint64(ImageSectors * 512)));
    f.close();
    m_stateDir = QStringLiteral(ETHERDISK_BINARY_DIR "/tst_engine_service-state-%1")
                     .arg(QCoreApplication::applicationPid());
    QDir(m_stateDir).removeRecursively();

    QVERIFY(inA());
    Engine::Options options;
    options.stateDir = m_stateDir.toStdString();
    m_engine = std::make_unique<Engine>(options);
    Error err;
    QVERIFY2(m_engine->start(&err), err.message.c_str());
    QVERIFY2(m_engine->addExport(baseConfig(SlotMain), &err), err.message.c_str());
    QVERIFY(inB());
    QVERIFY2(m_client.open(m_net->ifB(), &why), qPrintable(why));
}

void tst_EngineService::cleanupTestCase()
{
    if (m_engine)
        m_engine->stop();
    m_engine.reset();
    m_net.reset();
    QDir(m_stateDir).removeRecursively();
}

void tst_EngineService::forgedMacFloodIsBounded()
{
    // etherdisk-target as users run it, flooded with READs from 200,000
    // forged unicast source MACs: memory and log lines stay bounded, and
    // the real client is still served.
    QVERIFY(inB());
    QTemporaryDir logDir;
    const QString log = logDir.filePath(QStringLiteral("target.log"));
    QProcess target;
    target.setStandardErrorFile(log);
    // Under AddressSanitizer, freed memory waits in a quarantine (up to
    // 256 MB) before reuse, which would read as growth here: measure the
    // heap itself.
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    if (env.contains(QStringLiteral("ASAN_OPTIONS")))
        env.insert(QStringLiteral("ASAN_OPTIONS"),
                   env.value(QStringLiteral("ASAN_OPTIONS"))
                       + QStringLiteral(":quarantine_size_mb=0:thread_local_quarantine_size_kb=0"));
    target.setProcessEnvironment(env);
    target.start(QStringLiteral("ip"),
                 EtherdiskTest::NetnsPair::inNamespace(m_net->nsA(), targetBinary(),
                                                       { QStringLiteral("--state-dir"), QString(),
                                                         QStringLiteral("13"), QStringLiteral("2"),
                                                         m_net->ifA(), m_image }));
    QVERIFY(target.waitForStarted(5000));
    auto stopTarget = qScopeGuard([&] {
        target.terminate();
        target.waitForFinished(5000);
    });
    QTRY_VERIFY_WITH_TIMEOUT(
        !m_client.exchange(m_client.configRequest(13, 2, ConfigCommand::Read), 1, 100).empty(),
        5000);
    const MacAddress targetMac =
        parsed(m_client.exchange(m_client.configRequest(13, 2, ConfigCommand::Read)).at(0))
            .header.source;
    // The target process itself (ip netns exec execs it: same pid).
    const qint64 pid = target.processId();

    PacketFilter filter;
    filter.direction = PacketFilter::Direction::Responses;
    std::string why;
    auto flood = PacketIo::open(m_net->ifB().toStdString(), filter, &why);
    QVERIFY2(flood, why.c_str());
    // Paced by the answers (captured on the veth whatever their destination:
    // our own packet filters drop frames for other MACs), so the target
    // processes every request instead of its receive ring dropping them:
    // each forged MAC really reaches the engine.
    EtherdiskTest::WireCapture wire;
    QString captureError;
    QVERIFY2(wire.open(m_net->ifB(), &captureError), qPrintable(captureError));
    std::uint64_t answered = 0;
    auto countAnswers = [&](int timeoutMs, std::uint64_t atMost) {
        answered += wire.collect(timeoutMs, std::size_t(atMost)).size();
    };
    auto send = [&](std::uint32_t first, std::uint32_t count) {
        std::array<std::uint8_t, 60> frame{};
        const std::uint64_t answeredBefore = answered;
        for (std::uint32_t i = first; i < first + count; ++i) {
            Header h;
            h.destination = targetMac;
            h.source = forgedMac(i);
            h.shelf = 13;
            h.slot = 2;
            h.command = std::uint8_t(Command::Ata);
            h.tag = i;
            AtaArg a;
            a.aflags = AtaFlagExtended;
            a.sectorCount = 1;
            a.cmdStatus = Ata::CmdReadSectorsExt;
            a.lba = i % ImageSectors;
            const std::size_t n = buildAta(frame, h, a, {});
            flood->queue({ frame.data(), n });
            if (i % 128 != 127)
                continue;
            flood->flush(&why);
            QElapsedTimer waited;
            waited.start();
            while (i + 1 - first > answered - answeredBefore + 512 && waited.elapsed() < 200)
                countAnswers(10, i + 1 - first - (answered - answeredBefore));
        }
        flood->flush(&why);
        QElapsedTimer waited;
        waited.start();
        while (answered - answeredBefore < count && waited.elapsed() < 1000)
            countAnswers(10, count - (answered - answeredBefore));
        qInfo("%u requests from forged MACs, %llu answered", count,
              qulonglong(answered - answeredBefore));
        // They all reached the engine: otherwise the bound proves nothing.
        QVERIFY(answered - answeredBefore >= std::uint64_t(count) * 99 / 100);
    };
    // Bounded means: a second flood of as many new MACs costs nothing more.
    // (The first one may still grow what is bounded anyway, such as the
    // request buffer pool; an unbounded client table grew by 13-14 MB per
    // 200,000 MACs, on each flood.)
    send(0, 200000);
    const std::uint64_t before = anonKiB(pid);
    QVERIFY(before > 0);
    send(200000, 200000);
    const std::uint64_t after = anonKiB(pid);
    qInfo("etherdisk-target anonymous RSS %llu KiB after 200,000 forged MACs, %llu KiB after "
          "200,000 more",
          qulonglong(before), qulonglong(after));
    QVERIFY2(after < before + 1024,
             qPrintable(QStringLiteral("grew by %1 KiB").arg(qint64(after) - qint64(before))));
    // Still serving the real client (once our own receive ring has been
    // emptied of the 200,000 answers to the forged MACs).
    m_client.collect(300);
    QTRY_COMPARE_WITH_TIMEOUT(
        m_client.exchange(m_client.ataRequest(13, 2, Ata::CmdReadSectorsExt, 0, 1), 1, 200).size(),
        std::size_t(1), 3000);
    QFile f(log);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QList<QByteArray> lines = f.readAll().split('\n');
    qsizetype clientLines = 0;
    for (const QByteArray &l : lines)
        clientLines += l.contains("first request from") ? 1 : 0;
    qInfo("%lld log lines in all, %lld about new clients", qlonglong(lines.size()),
          qlonglong(clientLines));
    // ClientEventsPerMinute, plus the real client's line (the test takes well under a minute).
    QVERIFY2(clientLines <= qsizetype(ClientEventsPerMinute) + 1,
             qPrintable(QString::number(clientLines)));
    QVERIFY2(lines.size() < 50, qPrintable(QString::number(lines.size())));
}

void tst_EngineService::clientTableAndSummaries()
{
    // A separate engine with a one-second noise window, so the summary comes soon.
    QVERIFY(inA());
    Engine::Options options;
    options.noiseWindowMs = 1000;
    Engine engine(options);
    Error err;
    QVERIFY2(engine.start(&err), err.message.c_str());
    ExportConfig c = baseConfig(20);
    QVERIFY2(engine.addExport(c, &err), err.message.c_str());
    QVERIFY(inB());
    m_client.collect(300); // answers of earlier tests
    engine.takeEvents();
    // The answers go to the forged MACs: seen on the wire, not by our client.
    EtherdiskTest::WireCapture wire;
    QString why;
    QVERIFY2(wire.open(m_net->ifB(), &why), qPrintable(why));
    const unsigned Macs = unsigned(MaxClientsPerExport) + 44;
    for (std::uint32_t i = 0; i < Macs; ++i) {
        const MacAddress src = forgedMac(0x100000 + i);
        // One at a time: the engine sees every one.
        m_client.exchange(m_client.ataRequest(Shelf, 20, Ata::CmdReadSectorsExt, i, 1, {}, 0, &src),
                          0, 0);
        QCOMPARE(wire.collect(500, 1).size(), std::size_t(1));
    }
    ExportCounters counters;
    QVERIFY(engine.counters(Shelf, 20, &counters));
    QCOMPARE(counters.requests, std::uint64_t(Macs));
    QCOMPARE(counters.clients.size(), MaxClientsPerExport);
    QCOMPARE(counters.clientsSeen, std::uint64_t(Macs));
    QCOMPARE(counters.interfaces.size(), std::size_t(1));
    QVERIFY(counters.interfaces[0].received >= Macs); // counted per link
    QCOMPARE(counters.interfaces[0].kernelDrops, std::uint64_t(0));
    QCOMPARE(counters.clientsEvicted, std::uint64_t(Macs - MaxClientsPerExport));
    // The oldest were evicted: the last MAC is in the table, the first is not.
    auto has = [&](const MacAddress &m) {
        for (const ClientStats &s : counters.clients)
            if (s.mac == m)
                return true;
        return false;
    };
    QVERIFY(has(forgedMac(0x100000 + Macs - 1)));
    QVERIFY(!has(forgedMac(0x100000)));
    for (const ClientStats &s : counters.clients) {
        QCOMPARE(s.requests, std::uint64_t(1));
        QCOMPARE(s.bytesRead, std::uint64_t(512));
        QCOMPARE(s.inFlight, std::uint64_t(0));
        QVERIFY(s.firstSeenMs > 0 && s.lastSeenMs >= s.firstSeenMs);
    }

    const std::vector<EngineEvent> all =
        eventsUntil(engine, EngineEvent::Type::ClientsSummary, 5000);
    QVERIFY(!eventsOf(all, EngineEvent::Type::ClientsSummary).empty());
    const auto appeared = eventsOf(all, EngineEvent::Type::ClientAppeared);
    // At most one window's worth per window; the flood took well under 2 s.
    QVERIFY2(appeared.size() <= 2 * ClientEventsPerMinute,
             qPrintable(QString::number(appeared.size())));
    QVERIFY(appeared.front().mac == forgedMac(0x100000));
    QCOMPARE(appeared.front().shelf, Shelf);
    QCOMPARE(appeared.front().slot, std::uint8_t(20));
    std::uint64_t summarized = 0;
    for (const EngineEvent &e : eventsOf(all, EngineEvent::Type::ClientsSummary)) {
        summarized += e.count;
        QVERIFY2(QString::fromStdString(e.message).contains(QLatin1String("more new clients")),
                 e.message.c_str());
    }
    // Every new client is either reported or counted in a summary.
    QCOMPARE(appeared.size() + summarized, std::uint64_t(Macs));
    engine.stop();
}

void tst_EngineService::eventQueueIsBounded()
{
    QVERIFY(inA());
    Engine engine;
    Error err;
    QVERIFY2(engine.start(&err), err.message.c_str());
    QVERIFY2(engine.addExport(baseConfig(21), &err), err.message.c_str()); // holds the link
    const int Cycles = int(MaxQueuedEvents / 2) + 100; // two events each
    for (int i = 0; i < Cycles; ++i) {
        ExportConfig c = baseConfig(22);
        c.readOnly = true;
        QVERIFY2(engine.addExport(c, &err), err.message.c_str());
        QVERIFY2(engine.removeExport(Shelf, 22, &err), err.message.c_str());
    }
    const std::uint64_t produced = 1 + 2 * std::uint64_t(Cycles);
    const std::vector<EngineEvent> events = engine.takeEvents();
    QCOMPARE(events.size(), MaxQueuedEvents + 1);
    QCOMPARE(events.back().type, EngineEvent::Type::EventsDropped);
    QCOMPARE(events.back().count, produced - MaxQueuedEvents);
    QCOMPARE(engine.engineCounters().eventsDropped, produced - MaxQueuedEvents);
    // Room again: nothing more is dropped, and no second notice.
    QVERIFY(engine.removeExport(Shelf, 21, &err));
    const auto next = engine.takeEvents();
    QCOMPARE(next.size(), std::size_t(1));
    QCOMPARE(next[0].type, EngineEvent::Type::ExportRemoved);
    engine.stop();
}

void tst_EngineService::countersDoNotWaitForTheLoop()
{
    // The I/O thread is held up (an event callback that takes 1.5 s while
    // an export is being added); status and counters answer at once anyway.
    QVERIFY(inA());
    std::atomic<bool> blocking{ false };
    Engine::Options options;
    options.onEvent = [&](const EngineEvent &e) {
        if (e.type == EngineEvent::Type::ExportAdded && e.slot == 24) {
            blocking = true;
            std::this_thread::sleep_for(std::chrono::milliseconds(1500));
            blocking = false;
        }
    };
    Engine engine(options);
    Error err;
    QVERIFY2(engine.start(&err), err.message.c_str());
    QVERIFY2(engine.addExport(baseConfig(23), &err), err.message.c_str());
    bool added = false;
    std::thread adder([&] {
        Error e;
        added = engine.addExport(baseConfig(24), &e);
    });
    QTRY_VERIFY_WITH_TIMEOUT(blocking.load(), 2000);
    QElapsedTimer t;
    t.start();
    ExportCounters c;
    QVERIFY(engine.counters(Shelf, 23, &c));
    const auto status = engine.status();
    const auto all = engine.counters();
    const qint64 took = t.elapsed();
    QVERIFY(blocking.load()); // the loop was still busy while we read
    QVERIFY2(took < 200, qPrintable(QStringLiteral("%1 ms").arg(took)));
    QCOMPARE(status.size(), std::size_t(2));
    QCOMPARE(all.size(), std::size_t(2));
    adder.join();
    QVERIFY(added);
    engine.stop();
}

void tst_EngineService::settingsChangeUnderLoad()
{
    QVERIFY(inB());
    Load load;
    QString why;
    QVERIFY2(load.open(m_net->ifB(), SlotMain, &why), qPrintable(why));
    ExportCounters before;
    QVERIFY(m_engine->counters(Shelf, SlotMain, &before));
    load.start(true);
    auto waitMore = [&](std::uint64_t n) {
        const std::uint64_t target = load.completed + n;
        QTRY_VERIFY_WITH_TIMEOUT(load.completed >= target, 10000);
    };
    waitMore(2000);
    Error err;
    ExportConfig c = baseConfig(SlotMain);
    std::uint64_t lastRequests = 0;
    auto countersGrow = [&] {
        ExportCounters now;
        QVERIFY(m_engine->counters(Shelf, SlotMain, &now));
        QVERIFY2(now.requests >= lastRequests, "counters went back");
        QVERIFY(now.requests >= before.requests);
        lastRequests = now.requests;
    };
    for (WriteMode mode : { WriteMode::Sync, WriteMode::Direct, WriteMode::Writeback,
                            WriteMode::Direct, WriteMode::Sync, WriteMode::Writeback }) {
        c.writeMode = mode;
        QVERIFY2(m_engine->updateExport(c, &err), err.message.c_str());
        countersGrow();
        waitMore(1000);
    }
    // Read-only: writes fail from now on (ATA abort), reads go on.
    const std::uint64_t failedBefore = load.writesFailed;
    c.readOnly = true;
    QVERIFY2(m_engine->updateExport(c, &err), err.message.c_str());
    waitMore(1500);
    QVERIFY(load.writesFailed > failedBefore);
    const std::uint64_t readsAtRo = load.readsOk;
    waitMore(500);
    QVERIFY(load.readsOk > readsAtRo);
    c.readOnly = false;
    QVERIFY2(m_engine->updateExport(c, &err), err.message.c_str());
    const std::uint64_t writesBack = load.writesOk;
    waitMore(1500);
    QVERIFY(load.writesOk > writesBack);
    // The model is what IDENTIFY reports from now on.
    c.model = "Changed Model";
    QVERIFY2(m_engine->updateExport(c, &err), err.message.c_str());
    countersGrow();
    load.stop();
    // Not one request was lost or failed by the changes (but the writes
    // refused while read-only), and nothing needed a retransmission.
    QCOMPARE(load.timeouts.load(), std::uint64_t(0));
    QCOMPARE(load.readsFailed.load(), std::uint64_t(0));
    QCOMPARE(load.initiator().stats().retransmits, std::uint64_t(0));
    ExportCounters after;
    QVERIFY(m_engine->counters(Shelf, SlotMain, &after));
    QVERIFY(after.requests >= before.requests + load.completed);
    QCOMPARE(after.inFlight, std::uint64_t(0));

    Initiator::Options o;
    o.interface = m_net->ifB().toStdString();
    o.shelf = Shelf;
    o.slot = SlotMain;
    std::string w;
    auto fresh = Initiator::open(o, &w);
    QVERIFY2(fresh, w.c_str());
    QCOMPARE(QString::fromStdString(fresh->target().model), QStringLiteral("Changed Model"));
    fresh.reset();

    // The allow list: our MAC left out, our requests are dropped at once.
    c.allowedMacs = { forgedMac(7) };
    QVERIFY2(m_engine->updateExport(c, &err), err.message.c_str());
    QVERIFY(
        m_client
            .exchange(m_client.ataRequest(Shelf, SlotMain, Ata::CmdReadSectorsExt, 0, 1), 1, 300)
            .empty());
    c.allowedMacs = {};
    QVERIFY2(m_engine->updateExport(c, &err), err.message.c_str());
    QCOMPARE(m_client.exchange(m_client.ataRequest(Shelf, SlotMain, Ata::CmdReadSectorsExt, 0, 1))
                 .size(),
             std::size_t(1));
    c.model.clear();
    QVERIFY(m_engine->updateExport(c, &err));
}

void tst_EngineService::settingsThatCannotChange()
{
    const auto statusBefore = m_engine->status();
    Error err;
    ExportConfig c = baseConfig(SlotMain);
    c.path = m_dir.filePath(QStringLiteral("other.img")).toStdString();
    QVERIFY(!m_engine->updateExport(c, &err));
    QCOMPARE(err.kind, ErrorKind::InvalidArgument);
    QVERIFY2(err.message.find("path") != std::string::npos, err.message.c_str());
    c = baseConfig(SlotMain);
    c.length = 16;
    QVERIFY(!m_engine->updateExport(c, &err));
    QCOMPARE(err.kind, ErrorKind::InvalidArgument);
    c = baseConfig(SlotMain);
    c.interfaces = { "lo" };
    QVERIFY(!m_engine->updateExport(c, &err));
    QCOMPARE(err.kind, ErrorKind::InvalidArgument);
    c = baseConfig(99);
    QVERIFY(!m_engine->updateExport(c, &err));
    QCOMPARE(err.kind, ErrorKind::NotFound);
    c = baseConfig(SlotMain);
    c.bufferCount = 1; // invalid
    QVERIFY(!m_engine->updateExport(c, &err));
    QCOMPARE(err.kind, ErrorKind::InvalidArgument);
    // A read-only export cannot become writable in place.
    QVERIFY(inA());
    ExportConfig ro = baseConfig(25);
    ro.readOnly = true;
    QVERIFY2(m_engine->addExport(ro, &err), err.message.c_str());
    ro.readOnly = false;
    QVERIFY(!m_engine->updateExport(ro, &err));
    QCOMPARE(err.kind, ErrorKind::PermissionDenied);
    QVERIFY(m_engine->removeExport(Shelf, 25, &err));
    QVERIFY(inB());
    // Nothing changed.
    const auto statusAfter = m_engine->status();
    QCOMPARE(statusAfter.size(), statusBefore.size());
    QVERIFY(statusAfter[0].config == statusBefore[0].config);
}

void tst_EngineService::flushCountsNoBytes()
{
    // Request buffers are reused: a FLUSH CACHE that gets the buffer of the
    // write before it must not count that write's bytes again.
    QVERIFY(inB());
    ExportCounters before;
    QVERIFY(m_engine->counters(Shelf, SlotMain, &before));
    auto rsp = m_client.exchange(
        m_client.ataRequest(Shelf, SlotMain, Ata::CmdWriteSectorsExt, 8, 2, QByteArray(1024, 'f')));
    QCOMPARE(rsp.size(), std::size_t(1));
    for (int i = 0; i < 3; ++i) {
        rsp = m_client.exchange(m_client.ataRequest(Shelf, SlotMain, Ata::CmdFlushCacheExt, 0, 0));
        QCOMPARE(rsp.size(), std::size_t(1));
        QCOMPARE(parsed(rsp[0]).ata.cmdStatus, Ata::StatusReady);
    }
    ExportCounters after;
    QVERIFY(m_engine->counters(Shelf, SlotMain, &after));
    QCOMPARE(after.bytesWritten - before.bytesWritten, std::uint64_t(1024));
    QCOMPARE(after.writeRequests - before.writeRequests, std::uint64_t(1));
    QCOMPARE(after.inFlight, std::uint64_t(0));
}

void tst_EngineService::wireChangesWhileServing()
{
    // Thousands of config string changes, sent in bursts, while a reader
    // runs at full speed: the state file is written off the I/O thread and
    // coalesced, so serving does not stall on fsync (a disk READ probe sent
    // after each burst is answered as fast as without the bursts), each
    // change is answered once it is on disk, and the file ends up with the
    // last value.
    QVERIFY(inB());
    Load load;
    QString why;
    QVERIFY2(load.open(m_net->ifB(), SlotMain, &why), qPrintable(why));
    load.start(false);
    QTest::qWait(300);
    auto probe = [&] {
        QElapsedTimer t;
        t.start();
        const auto rsp = m_client.exchange(
            m_client.ataRequest(Shelf, SlotMain, Ata::CmdReadSectorsExt, 0, 1), 1, 2000);
        return rsp.size() == 1 ? t.nsecsElapsed() : qint64(2'000'000'000);
    };
    auto median = [](std::vector<qint64> v) {
        std::sort(v.begin(), v.end());
        return double(v[v.size() / 2]) / 1000.0;
    };
    std::vector<qint64> quiet, busy;
    for (int i = 0; i < 100; ++i)
        quiet.push_back(probe());
    const EngineCounters before = m_engine->engineCounters();
    constexpr int Bursts = 100, PerBurst = 20, Changes = Bursts * PerBurst;
    const std::uint64_t during0 = load.completed;
    int n = 0;
    for (int b = 0; b < Bursts; ++b) {
        for (int i = 0; i < PerBurst; ++i, ++n)
            m_client.exchange(m_client.configRequest(Shelf, SlotMain, ConfigCommand::ForceSet,
                                                     "cfg-" + QByteArray::number(n)),
                              0, 0);
        busy.push_back(probe());
    }
    const std::uint64_t readsDuring = load.completed - during0;
    load.stop();
    qInfo("disk READ answered in %.0f us (median) between bursts of %d config changes, %.0f us "
          "without; %llu reads of the disk meanwhile",
          median(busy), PerBurst, median(quiet), qulonglong(readsDuring));
#ifndef ETHERDISK_SANITIZED
    QVERIFY2(median(busy) < 3 * median(quiet) + 500,
             qPrintable(QStringLiteral("%1 us vs %2 us").arg(median(busy)).arg(median(quiet))));
#else
    qInfo("(timing not asserted in a sanitizer build: the g++ build asserts it)");
#endif
    QVERIFY(readsDuring > std::uint64_t(Bursts));
    const QString file = m_stateDir + QStringLiteral("/e12.1.state");
    auto content = [&] {
        QFile f(file);
        return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
    };
    const QByteArray last =
        "config-string=" + QByteArray("cfg-" + QByteArray::number(Changes - 1)).toHex() + "\n";
    QTRY_VERIFY_WITH_TIMEOUT(content().contains(last), 5000);
    const EngineCounters after = m_engine->engineCounters();
    const std::uint64_t writes = after.stateWrites - before.stateWrites;
    qInfo("%d changes, %llu state file writes, %llu coalesced", Changes, qulonglong(writes),
          qulonglong(after.stateWritesCoalesced - before.stateWritesCoalesced));
    QVERIFY(writes >= 1);
    QVERIFY2(writes < Changes / 4, "the changes were not coalesced");
    WireState ws;
    Error err;
    QVERIFY(m_engine->wireState(Shelf, SlotMain, &ws, &err));
    QCOMPARE(QByteArray::fromStdString(ws.configString), "cfg-" + QByteArray::number(Changes - 1));
}

void tst_EngineService::wireAclRefuse()
{
    QVERIFY(inA());
    ExportConfig c = baseConfig(26);
    c.wireAcl = WireAcl::Refuse;
    Error err;
    QVERIFY2(m_engine->addExport(c, &err), err.message.c_str());
    auto cleanup = qScopeGuard([&] { m_engine->removeExport(Shelf, 26, &err); });
    QVERIFY(inB());
    m_engine->takeEvents();

    auto macMaskFrame = [&](std::uint8_t command, std::vector<MacMaskDirective> dirs) {
        Header h = m_client.header(Shelf, 26, Command::MacMaskList, m_client.destination());
        QByteArray out(2048, '\0');
        const std::size_t n =
            buildMacMask({ reinterpret_cast<std::uint8_t *>(out.data()), std::size_t(out.size()) },
                         h, command, 0, dirs);
        out.resize(qsizetype(n));
        return out;
    };
    auto reserveFrame = [&](ReserveCommand command, std::vector<MacAddress> macs) {
        Header h = m_client.header(Shelf, 26, Command::ReserveRelease, m_client.destination());
        QByteArray out(2048, '\0');
        const std::size_t n =
            buildReserve({ reinterpret_cast<std::uint8_t *>(out.data()), std::size_t(out.size()) },
                         h, std::uint8_t(command), macs);
        out.resize(qsizetype(n));
        return out;
    };
    // A Mac Mask edit: MError 1, the list stays empty.
    auto rsp = m_client.exchange(
        macMaskFrame(std::uint8_t(MacMaskCommand::Edit),
                     { { 0, std::uint8_t(DirectiveCommand::Add), forgedMac(1) } }));
    QCOMPARE(rsp.size(), std::size_t(1));
    Frame f = parsed(rsp[0]);
    QCOMPARE(f.macMask.error, std::uint8_t(MacMaskError::Unspecified));
    // Reserve set: AoE error 6; the target is not reserved.
    rsp = m_client.exchange(reserveFrame(ReserveCommand::Set, { forgedMac(2) }));
    QCOMPARE(rsp.size(), std::size_t(1));
    f = parsed(rsp[0]);
    QVERIFY(f.header.isError());
    QCOMPARE(f.header.error, std::uint8_t(ErrorCode::TargetReserved));
    rsp = m_client.exchange(reserveFrame(ReserveCommand::ForceSet, { forgedMac(2) }));
    QVERIFY(parsed(rsp.at(0)).header.isError());
    // Reading works.
    rsp = m_client.exchange(macMaskFrame(std::uint8_t(MacMaskCommand::Read), {}));
    QCOMPARE(parsed(rsp.at(0)).macMask.error, std::uint8_t(0));
    rsp = m_client.exchange(reserveFrame(ReserveCommand::Read, {}));
    QVERIFY(!parsed(rsp.at(0)).header.isError());
    // Still serving everyone.
    rsp = m_client.exchange(m_client.ataRequest(Shelf, 26, Ata::CmdReadSectorsExt, 0, 1));
    QCOMPARE(parsed(rsp.at(0)).ata.cmdStatus, Ata::StatusReady);

    WireState ws;
    QVERIFY(m_engine->wireState(Shelf, 26, &ws, &err));
    QVERIFY(ws.macMask.empty());
    QVERIFY(ws.reservations.empty());
    ExportCounters counters;
    QVERIFY(m_engine->counters(Shelf, 26, &counters));
    QCOMPARE(counters.wireChangesRefused, std::uint64_t(3));
    const auto refused = eventsOf(m_engine->takeEvents(), EngineEvent::Type::WireChangeRefused);
    QCOMPARE(refused.size(), std::size_t(3));
    QVERIFY(refused[0].mac == m_client.mac());

    // Allowed again at runtime: the same edit now applies.
    c.wireAcl = WireAcl::Allow;
    QVERIFY2(m_engine->updateExport(c, &err), err.message.c_str());
    rsp = m_client.exchange(
        macMaskFrame(std::uint8_t(MacMaskCommand::Edit),
                     { { 0, std::uint8_t(DirectiveCommand::Add), m_client.mac() } }));
    QCOMPARE(parsed(rsp.at(0)).macMask.error, std::uint8_t(0));
    QVERIFY(m_engine->wireState(Shelf, 26, &ws, &err));
    QCOMPARE(ws.macMask.size(), std::size_t(1));
}

void tst_EngineService::clearWireState()
{
    QVERIFY(inA());
    ExportConfig c = baseConfig(27);
    c.allowedMacs = { m_client.mac() };
    Error err;
    QVERIFY2(m_engine->addExport(c, &err), err.message.c_str());
    auto cleanup = qScopeGuard([&] { m_engine->removeExport(Shelf, 27, &err); });
    QVERIFY(inB());
    // The LAN sets a config string, adds a MAC to the mask and reserves.
    QVERIFY(!m_client.exchange(m_client.configRequest(Shelf, 27, ConfigCommand::ForceSet, "lan"))
                 .empty());
    Header h = m_client.header(Shelf, 27, Command::MacMaskList, m_client.destination());
    QByteArray mm(2048, '\0');
    const std::vector<MacMaskDirective> add9 = { { 0, std::uint8_t(DirectiveCommand::Add),
                                                   forgedMac(9) } };
    mm.resize(qsizetype(buildMacMask({ reinterpret_cast<std::uint8_t *>(mm.data()), 2048 }, h,
                                     std::uint8_t(MacMaskCommand::Edit), 0, add9)));
    QVERIFY(!m_client.exchange(mm).empty());
    Header r = m_client.header(Shelf, 27, Command::ReserveRelease, m_client.destination());
    QByteArray rs(2048, '\0');
    const std::vector<MacAddress> us = { m_client.mac() };
    rs.resize(qsizetype(buildReserve({ reinterpret_cast<std::uint8_t *>(rs.data()), 2048 }, r,
                                     std::uint8_t(ReserveCommand::Set), us)));
    QVERIFY(!m_client.exchange(rs).empty());
    WireState ws;
    QVERIFY(m_engine->wireState(Shelf, 27, &ws, &err));
    QCOMPARE(QByteArray::fromStdString(ws.configString), QByteArray("lan"));
    QCOMPARE(ws.macMask.size(), std::size_t(2));
    QCOMPARE(ws.reservations.size(), std::size_t(1));

    QVERIFY(!m_engine->clearWireState(Shelf, 27, 0, &err));
    QCOMPARE(err.kind, ErrorKind::InvalidArgument);
    QVERIFY(!m_engine->clearWireState(Shelf, 99, Engine::AllWireItems, &err));
    QCOMPARE(err.kind, ErrorKind::NotFound);
    QVERIFY(m_engine->clearWireState(Shelf, 27, Engine::MacMask | Engine::Reservations, &err));
    QVERIFY(m_engine->wireState(Shelf, 27, &ws, &err));
    QCOMPARE(QByteArray::fromStdString(ws.configString), QByteArray("lan")); // not asked for
    QCOMPARE(ws.macMask, std::vector<MacAddress>{ m_client.mac() }); // back to the configuration
    QVERIFY(ws.reservations.empty());
    QVERIFY(m_engine->clearWireState(Shelf, 27, Engine::ConfigString, &err));
    QVERIFY(m_engine->wireState(Shelf, 27, &ws, &err));
    QVERIFY(ws.configString.empty());
    // And the state file says so.
    const QString file = m_stateDir + QStringLiteral("/e12.27.state");
    auto content = [&] {
        QFile f(file);
        return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
    };
    QTRY_VERIFY_WITH_TIMEOUT(
        content().contains(
            "config-string=\nmask=" + QByteArray::fromStdString(formatMac(m_client.mac())) + "\n"),
        3000);
    QVERIFY(content().contains("reservations=\n"));
}

void tst_EngineService::oneExportPerAddress()
{
    // e12.1 is served on the veth; the same address on any other interface
    // of the process is refused: an address names exactly one export.
    QVERIFY(EtherdiskTest::NetnsPair::ip(
        { QStringLiteral("-n"), m_net->nsA(), QStringLiteral("link"), QStringLiteral("add"),
          QStringLiteral("svcdummy0"), QStringLiteral("type"), QStringLiteral("veth"),
          QStringLiteral("peer"), QStringLiteral("name"), QStringLiteral("svcdummy1") }));
    QVERIFY(EtherdiskTest::NetnsPair::ip({ QStringLiteral("-n"), m_net->nsA(),
                                           QStringLiteral("link"), QStringLiteral("set"),
                                           QStringLiteral("svcdummy0"), QStringLiteral("up") }));
    QVERIFY(inA());
    ExportConfig c = baseConfig(SlotMain);
    c.interfaces = { "svcdummy0" };
    Error err;
    QVERIFY(!m_engine->addExport(c, &err));
    QCOMPARE(err.kind, ErrorKind::AddressInUse);
    QVERIFY2(err.message.find(m_net->ifA().toStdString()) != std::string::npos,
             err.message.c_str());
    c.slot = 28; // another address on that interface is fine
    QVERIFY2(m_engine->addExport(c, &err), err.message.c_str());
    QVERIFY(m_engine->removeExport(Shelf, 28, &err));
    QVERIFY(inB());
    QCOMPARE(m_engine->status().size(), std::size_t(1));
}

void tst_EngineService::linkFlapIsDownThenUp()
{
    // Down and up again within milliseconds: both are reported, in order.
    m_engine->takeEvents();
    QProcess ip;
    ip.start(QStringLiteral("ip"),
             { QStringLiteral("-n"), m_net->nsA(), QStringLiteral("-batch"), QStringLiteral("-") });
    QVERIFY(ip.waitForStarted());
    ip.write(QStringLiteral("link set %1 down\nlink set %1 up\n").arg(m_net->ifA()).toUtf8());
    ip.closeWriteChannel();
    QVERIFY(ip.waitForFinished(5000));
    QCOMPARE(ip.exitCode(), 0);
    const std::vector<EngineEvent> all =
        eventsUntil(*m_engine, EngineEvent::Type::InterfaceUp, 5000);
    QVERIFY(!eventsOf(all, EngineEvent::Type::InterfaceUp).empty());
    int down = -1, up = -1;
    for (int i = 0; i < int(all.size()); ++i) {
        if (all[i].type == EngineEvent::Type::InterfaceDown && down < 0)
            down = i;
        if (all[i].type == EngineEvent::Type::InterfaceUp)
            up = i;
    }
    QVERIFY2(down >= 0, "no InterfaceDown event for the flap");
    QVERIFY(up > down);
    QCOMPARE(QString::fromStdString(all[down].interface), m_net->ifA());
    // Serving again.
    QTRY_COMPARE_WITH_TIMEOUT(
        m_client
            .exchange(m_client.ataRequest(Shelf, SlotMain, Ata::CmdReadSectorsExt, 0, 1), 1, 200)
            .size(),
        std::size_t(1), 5000);
}

void tst_EngineService::startStopStart()
{
    auto answered = [&] {
        return m_client
                   .exchange(m_client.ataRequest(Shelf, SlotMain, Ata::CmdReadSectorsExt, 0, 1), 1,
                             300)
                   .size()
            == 1;
    };
    QVERIFY(answered());
    const int fds = openFds();
    for (int i = 0; i < 3; ++i) {
        m_engine->stop();
        QVERIFY(!answered());
        QVERIFY(inA());
        Error err;
        QVERIFY2(m_engine->start(&err), err.message.c_str());
        QVERIFY(inB());
        QTRY_VERIFY_WITH_TIMEOUT(answered(), 3000);
    }
    QCOMPARE(openFds(), fds); // nothing leaked per cycle
    QVERIFY(m_engine->healthy());
}

void tst_EngineService::failedLoopLetsCallersReturn()
{
    QVERIFY(inA());
    const QStringList before =
        QDir(QStringLiteral("/proc/self/fd")).entryList(QDir::Files | QDir::System);
    Engine engine;
    Error err;
    QVERIFY2(engine.start(&err), err.message.c_str());
    QVERIFY2(engine.addExport(baseConfig(29), &err), err.message.c_str());
    // The loop's epoll descriptor: the one eventpoll that appeared.
    const int epollFd = newDescriptor(before, "eventpoll");
    QVERIFY(epollFd >= 0);
    // Break it for real: the descriptor now refers to /dev/null, so the
    // loop's next epoll_wait fails (EINVAL). A frame wakes the loop.
    QVERIFY(pointAtDevNull(epollFd));
    QVERIFY(inB());
    m_client.exchange(m_client.ataRequest(Shelf, 29, Ata::CmdReadSectorsExt, 0, 1), 1, 200);
    const std::vector<EngineEvent> all = eventsUntil(engine, EngineEvent::Type::LoopFailed, 5000);
    QVERIFY(!eventsOf(all, EngineEvent::Type::LoopFailed).empty());
    QVERIFY(!engine.healthy());
    const EngineEvent failed = eventsOf(all, EngineEvent::Type::LoopFailed).front();
    QVERIFY(failed.errorNumber != 0);
    // Every call returns (none waits for a loop that is gone).
    QElapsedTimer t;
    t.start();
    QVERIFY(inA());
    QVERIFY(engine.removeExport(Shelf, 29, &err));
    QVERIFY(!engine.removeExport(Shelf, 29, &err));
    QCOMPARE(err.kind, ErrorKind::NotFound);
    QVERIFY(engine.status().empty());
    engine.stop();
    QVERIFY(t.elapsed() < 3000);
    // And it can be started again.
    QVERIFY2(engine.start(&err), err.message.c_str());
    QVERIFY(engine.healthy());
    QVERIFY2(engine.addExport(baseConfig(29), &err), err.message.c_str());
    QVERIFY(inB());
    QTRY_COMPARE_WITH_TIMEOUT(
        m_client.exchange(m_client.ataRequest(Shelf, 29, Ata::CmdReadSectorsExt, 0, 1), 1, 200)
            .size(),
        std::size_t(1), 3000);
    engine.stop();
}

void tst_EngineService::failedIoUringStopsTheLoop()
{
    QVERIFY(inA());
    const QStringList before =
        QDir(QStringLiteral("/proc/self/fd")).entryList(QDir::Files | QDir::System);
    Engine engine;
    ETHERDISK_REQUIRE(engine.usingIoUring(), QStringLiteral("io_uring is not available here"));
    Error err;
    QVERIFY2(engine.start(&err), err.message.c_str());
    QVERIFY2(engine.addExport(baseConfig(30), &err), err.message.c_str());
    const int ringFd = newDescriptor(before, "io_uring");
    QVERIFY(ringFd >= 0);
    // The ring's descriptor now refers to /dev/null: the next submission
    // (a write: writes always go through io_uring) fails for good.
    QVERIFY(pointAtDevNull(ringFd));
    QVERIFY(inB());
    m_client.exchange(
        m_client.ataRequest(Shelf, 30, Ata::CmdWriteSectorsExt, 0, 1, QByteArray(512, 'w')), 1,
        300);
    const std::vector<EngineEvent> all = eventsUntil(engine, EngineEvent::Type::LoopFailed, 5000);
    QVERIFY(!eventsOf(all, EngineEvent::Type::LoopFailed).empty());
    const EngineEvent failed = eventsOf(all, EngineEvent::Type::LoopFailed).front();
    QVERIFY2(QString::fromStdString(failed.message).contains(QLatin1String("io_uring")),
             failed.message.c_str());
    QVERIFY(failed.errorNumber != 0);
    QVERIFY(!engine.healthy());
    QElapsedTimer t;
    t.start();
    QVERIFY(inA());
    QVERIFY(engine.removeExport(Shelf, 30, &err));
    engine.stop(); // does not wait for completions that can never come
    QVERIFY2(t.elapsed() < 3000, qPrintable(QString::number(t.elapsed())));
    QVERIFY(!engine.start(&err));
    QVERIFY2(err.message.find("io_uring failed") != std::string::npos, err.message.c_str());
    QVERIFY(inB());
}

QTEST_GUILESS_MAIN(tst_EngineService)
#include "tst_engine_service.moc"
