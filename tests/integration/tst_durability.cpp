// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
//
// What survives when the power fails or the disk says no. The backing store
// is volatilefs (tests/bench/volatilefs.cpp), a FUSE file system that
// behaves like a disk with a volatile write cache: only what fsync covered
// survives its "cut" command, and it can fail fsync on command as a dying
// disk does (dropping what the failed sync covered, as Linux does).
//
// etherdisk-target (and vblade, for the record) serve an image on it from
// namespace A; the project's own initiator writes at full window from
// namespace B and records every acknowledgement; the power is cut at a
// random moment and every acknowledged block is checked against what the
// store kept. Writeback must be seen losing acknowledged writes (proof that
// the check can tell); sync and direct must lose none.
//
// Also: exports.conf and the per-export state files rewritten during a cut
// keep their old or new content; after a failed fsync every write fails
// until the store is reopened and synced; a passed O_APPEND descriptor, a
// swapped symbolic link, a replaced file and direct mode on a 4Kn device
// are refused with a reason.

#include "../../core/src/asyncio.h" // the engine's io_uring wrapper (internal)
#include "etherdisk/ata.h"
#include "etherdisk/engine.h"
#include "etherdisk/exportconfig.h"
#include "etherdisk/initiator.h"
#include "netns.h"
#include "rawclient.h"
#include "testutil.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QRandomGenerator>
#include <QScopeGuard>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <array>
#include <atomic>
#include <cstring>
#include <fcntl.h>
#include <functional>
#include <memory>
#include <thread>
#include <unistd.h>

using namespace Etherdisk;
using namespace Etherdisk::Aoe;

namespace {

constexpr std::uint16_t Shelf = 9;
constexpr std::uint8_t Slot = 2;
constexpr std::size_t BlockBytes = 4096; // one write: 8 sectors
constexpr std::size_t ImageBlocks = 2048; // 8 MiB
constexpr std::uint32_t Magic = 0x45444431; // "EDD1"

QString targetBinary()
{
    return QStringLiteral(ETHERDISK_BINARY_DIR "/app/etherdisk-target/etherdisk-target");
}

QString volatilefsBinary()
{
    return QStringLiteral(ETHERDISK_BINARY_DIR "/tests/volatilefs");
}

// One version of one block: every sector names block, version and sector,
// and the rest is derived from them, so a stale, torn or misplaced sector
// is recognised.
void fillBlock(std::uint8_t *out, std::uint32_t block, std::uint32_t seq)
{
    for (std::uint32_t s = 0; s < BlockBytes / 512; ++s) {
        std::uint8_t *p = out + s * 512;
        const std::uint32_t head[4] = { Magic, block, seq, s };
        std::memcpy(p, head, sizeof head);
        for (std::size_t i = sizeof head; i < 512; ++i)
            p[i] = std::uint8_t((seq * 2654435761u + block * 40503u + s * 97u + i) >> 3);
    }
}

// The version a sector holds: 0 for never written (zeros), -1 for garbage.
qint64 sectorVersion(const std::uint8_t *p, std::uint32_t block, std::uint32_t s)
{
    std::uint32_t head[4];
    std::memcpy(head, p, sizeof head);
    if (head[0] == 0 && std::all_of(p, p + 512, [](std::uint8_t b) { return b == 0; }))
        return 0;
    if (head[0] != Magic || head[1] != block || head[3] != s)
        return -1;
    std::uint8_t expected[BlockBytes];
    fillBlock(expected, block, head[2]);
    if (std::memcmp(expected + s * 512, p, 512) != 0)
        return -1;
    return head[2];
}

QByteArray readAll(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

// volatilefs mounted on a fresh directory, with one durable zeroed image.
class VolatileFs
{
public:
    ~VolatileFs() { stop(); }
    bool start(const QString &mountpoint, qint64 imageBytes)
    {
        m_mnt = mountpoint;
        QDir().mkpath(m_mnt);
        m_fs.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        m_fs.start(volatilefsBinary(),
                   { m_mnt, QStringLiteral("--image=disk.img"),
                     QStringLiteral("--size=%1").arg(imageBytes), QStringLiteral("-f") });
        if (!m_fs.waitForStarted(5000))
            return false;
        for (int i = 0; i < 100; ++i) {
            if (QFile::exists(image()))
                return true;
            QThread::msleep(50);
        }
        return false;
    }
    void stop()
    {
        if (m_fs.state() == QProcess::NotRunning)
            return;
        QProcess::execute(QStringLiteral("fusermount3"),
                          { QStringLiteral("-u"), QStringLiteral("-z"), m_mnt });
        if (!m_fs.waitForFinished(3000)) {
            m_fs.kill();
            m_fs.waitForFinished(3000);
        }
    }
    bool control(const char *command)
    {
        QFile f(m_mnt + QStringLiteral("/.control"));
        if (!f.open(QIODevice::WriteOnly | QIODevice::Unbuffered))
            return false;
        return f.write(command) == qint64(std::strlen(command));
    }
    // How many times a file on it was opened.
    int opens()
    {
        const QByteArray t = readAll(m_mnt + QStringLiteral("/.control"));
        const qsizetype at = t.indexOf("opens=");
        return at < 0 ? -1 : t.mid(at + 6).trimmed().toInt();
    }
    QString path(const QString &name) const { return m_mnt + QLatin1Char('/') + name; }
    QString image() const { return path(QStringLiteral("disk.img")); }

private:
    QString m_mnt;
    QProcess m_fs;
};

// Writes of whole blocks at random places, never two to one block at once,
// every acknowledgement recorded.
struct Workload
{
    std::vector<std::uint32_t> lastSubmitted = std::vector<std::uint32_t>(ImageBlocks, 0);
    std::vector<std::uint32_t> acked = std::vector<std::uint32_t>(ImageBlocks, 0);
    // Highest version a completed FLUSH CACHE covers (writeback + flush).
    std::vector<std::uint32_t> flushed = std::vector<std::uint32_t>(ImageBlocks, 0);
    std::vector<bool> busy = std::vector<bool>(ImageBlocks, false);
    struct Entry
    {
        std::vector<std::uint8_t> data = std::vector<std::uint8_t>(BlockBytes);
        std::uint32_t block = 0, seq = 0;
        qint64 submittedMs = 0;
        bool flush = false;
        bool read = false;
        std::vector<std::uint32_t> coverage; // flush: acked at submission
    };
    std::vector<std::unique_ptr<Entry>> pool;
    std::vector<Entry *> freeSlots;
    std::uint32_t seq = 0;
    std::uint64_t okWrites = 0, failedWrites = 0, okFlushes = 0, failedFlushes = 0;
    int flushEvery = 0; // a FLUSH CACHE after this many writes (0: none)
    int sinceFlush = 0;
    int readEvery = 0; // a read instead of every readEvery-th write (0: none)
    std::uint64_t submitted = 0, okReads = 0, failedReads = 0;
    QRandomGenerator rng;
    QElapsedTimer clock;
    // Called for every completed write: (submitted at ms, ok).
    std::function<void(qint64, bool)> onWrite;

    explicit Workload(quint32 seed) : rng(seed) { clock.start(); }

    Entry *take()
    {
        if (freeSlots.empty()) {
            pool.push_back(std::make_unique<Entry>());
            return pool.back().get();
        }
        Entry *s = freeSlots.back();
        freeSlots.pop_back();
        return s;
    }

    bool submitOne(Initiator *ini, std::string *error)
    {
        Entry *s = take();
        s->submittedMs = clock.elapsed();
        if (flushEvery > 0 && sinceFlush >= flushEvery) {
            sinceFlush = 0;
            s->flush = true;
            s->read = false;
            s->coverage = acked;
            if (ini->submitFlush(reinterpret_cast<std::uintptr_t>(s), error))
                return true;
            freeSlots.push_back(s);
            return false;
        }
        std::uint32_t block = rng.bounded(std::uint32_t(ImageBlocks));
        if (readEvery > 0 && ++submitted % std::uint64_t(readEvery) == 0) {
            s->flush = false;
            s->read = true;
            if (ini->submitRead(std::uint64_t(block) * (BlockBytes / 512), s->data,
                                reinterpret_cast<std::uintptr_t>(s), error))
                return true;
            freeSlots.push_back(s);
            return false;
        }
        s->read = false;
        while (busy[block])
            block = (block + 1) % ImageBlocks;
        s->flush = false;
        s->block = block;
        s->seq = ++seq;
        fillBlock(s->data.data(), block, s->seq);
        if (!ini->submitWrite(std::uint64_t(block) * (BlockBytes / 512), s->data,
                              reinterpret_cast<std::uintptr_t>(s), error)) {
            freeSlots.push_back(s);
            return false;
        }
        busy[block] = true;
        lastSubmitted[block] = s->seq;
        ++sinceFlush;
        return true;
    }

    void complete(const Initiator::Completion &c)
    {
        Entry *s = reinterpret_cast<Entry *>(c.user);
        if (s->read) {
            ++(c.ok() ? okReads : failedReads);
        } else if (s->flush) {
            if (c.ok()) {
                ++okFlushes;
                for (std::size_t b = 0; b < ImageBlocks; ++b)
                    flushed[b] = std::max(flushed[b], s->coverage[b]);
            } else {
                ++failedFlushes;
            }
        } else {
            busy[s->block] = false;
            if (c.ok()) {
                ++okWrites;
                acked[s->block] = std::max(acked[s->block], s->seq);
            } else {
                ++failedWrites;
            }
            if (onWrite)
                onWrite(s->submittedMs, c.ok());
        }
        freeSlots.push_back(s);
    }

    // Keeps the window full for `ms` milliseconds (or until `until` says
    // stop); false with *error if the initiator failed.
    bool run(Initiator *ini, qint64 ms, std::string *error, const std::function<bool()> &until = {})
    {
        const qint64 end = clock.elapsed() + ms;
        Initiator::Completion done[256];
        while (clock.elapsed() < end && !(until && until())) {
            while (ini->canSubmit() && ini->pendingRequests() < ini->window())
                if (!submitOne(ini, error))
                    return false;
            const int n = ini->process(done, 10, error);
            if (n < 0)
                return false;
            for (int i = 0; i < n; ++i)
                complete(done[i]);
        }
        return true;
    }

    // Waits for every outstanding request (answered or timed out).
    bool drain(Initiator *ini, std::string *error)
    {
        Initiator::Completion done[256];
        while (ini->pendingRequests() > 0) {
            const int n = ini->process(done, 100, error);
            if (n < 0)
                return false;
            for (int i = 0; i < n; ++i)
                complete(done[i]);
        }
        return true;
    }

    // Blocks whose content on `image` is older than `floor` says it must
    // be, or is not a version of that block at all.
    std::size_t lost(const QByteArray &image, const std::vector<std::uint32_t> &floor,
                     QString *example) const
    {
        std::size_t n = 0;
        for (std::uint32_t b = 0; b < ImageBlocks; ++b) {
            for (std::uint32_t s = 0; s < BlockBytes / 512; ++s) {
                const auto *p = reinterpret_cast<const std::uint8_t *>(image.constData())
                    + b * BlockBytes + s * 512;
                const qint64 v = sectorVersion(p, b, s);
                if (v < 0 || v < qint64(floor[b]) || v > qint64(lastSubmitted[b])) {
                    if (n == 0)
                        *example = QStringLiteral("block %1 sector %2 holds version %3, "
                                                  "acknowledged %4")
                                       .arg(b)
                                       .arg(s)
                                       .arg(v)
                                       .arg(floor[b]);
                    ++n;
                    break;
                }
            }
        }
        return n;
    }
};

} // namespace

class tst_Durability final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void cleanup();

    void powerCut_data();
    void powerCut();
    void powerCutVblade();
    void exportsConfSurvivesPowerCut();
    void stateFileSurvivesPowerCut();
    void failedSyncFailsWritesUntilRecovered_data();
    void failedSyncFailsWritesUntilRecovered();
    void reopenRefusesAnotherFile_data();
    void reopenRefusesAnotherFile();
    void passedDescriptor();
    void directRefusedOn4KnDevice();
    void ioUringCompletionsNeverOverflow();

private:
    bool startTarget(const QStringList &args, bool captureStderr = false);
    std::unique_ptr<Initiator> openInitiator();
    bool writeOne(Initiator *ini, std::uint32_t block, std::uint32_t seq);
    QString targetLog();

    std::unique_ptr<EtherdiskTest::NetnsPair> m_net;
    QTemporaryDir m_dir;
    QProcess *m_target = nullptr;
    QByteArray m_targetLog;
    std::unique_ptr<VolatileFs> m_fs;
    quint32 m_seed = 0;
};

void tst_Durability::initTestCase()
{
    QVERIFY2(QFile::exists(targetBinary()), qPrintable(targetBinary()));
    QString why;
    ETHERDISK_REQUIRE(EtherdiskTest::canCreateNetns(&why), why);
    ETHERDISK_REQUIRE(QFile::exists(volatilefsBinary())
                          && QFile::exists(QStringLiteral("/dev/fuse"))
                          && EtherdiskTest::haveProgram(QStringLiteral("fusermount3")),
                      QStringLiteral("needs FUSE (/dev/fuse, fusermount3, libfuse3-dev at build "
                                     "time)"));
    QVERIFY(m_dir.isValid());
    m_net = std::make_unique<EtherdiskTest::NetnsPair>(QStringLiteral("dur"), 1500);
    QVERIFY2(m_net->isValid(), qPrintable(m_net->error()));
    QVERIFY(m_net->enter(m_net->nsB()));
    m_seed = QRandomGenerator::global()->generate();
    if (qEnvironmentVariableIsSet("ETHERDISK_SEED"))
        m_seed = quint32(qEnvironmentVariableIntValue("ETHERDISK_SEED"));
    qInfo("random seed %u (set ETHERDISK_SEED to repeat)", m_seed);
}

void tst_Durability::cleanupTestCase()
{
    m_net.reset();
}

void tst_Durability::cleanup()
{
    if (m_target) {
        m_target->kill();
        m_target->waitForFinished(5000);
        delete m_target;
        m_target = nullptr;
    }
    m_fs.reset();
}

bool tst_Durability::startTarget(const QStringList &args, bool captureStderr)
{
    m_targetLog.clear();
    m_target = new QProcess;
    if (captureStderr) {
        m_target->setStandardOutputFile(QProcess::nullDevice());
    } else {
        m_target->setProcessChannelMode(QProcess::ForwardedErrorChannel);
        m_target->setStandardOutputFile(QProcess::nullDevice());
    }
    m_target->start(QStringLiteral("ip"),
                    EtherdiskTest::NetnsPair::inNamespace(m_net->nsA(), args.front(), args.mid(1)));
    return m_target->waitForStarted(5000);
}

QString tst_Durability::targetLog()
{
    if (m_target)
        m_targetLog += m_target->readAllStandardError();
    return QString::fromLocal8Bit(m_targetLog);
}

std::unique_ptr<Initiator> tst_Durability::openInitiator()
{
    Initiator::Options o;
    o.interface = m_net->ifB().toStdString();
    o.shelf = Shelf;
    o.slot = Slot;
    o.openTimeoutMs = 8000;
    o.deadlineMs = 5000;
    std::string error;
    std::unique_ptr<Initiator> ini = Initiator::open(o, &error);
    if (!ini)
        qWarning("open: %s", error.c_str());
    return ini;
}

bool tst_Durability::writeOne(Initiator *ini, std::uint32_t block, std::uint32_t seq)
{
    std::vector<std::uint8_t> data(BlockBytes);
    fillBlock(data.data(), block, seq);
    std::string error;
    return ini->write(std::uint64_t(block) * (BlockBytes / 512), data, &error);
}

void tst_Durability::powerCut_data()
{
    QTest::addColumn<QString>("mode");
    QTest::addColumn<int>("flushEvery");
    QTest::addColumn<bool>("mayLose");
    // The control row: acknowledged from the cache, so the cut must be seen
    // taking acknowledged writes away, or the check below cannot tell.
    QTest::newRow("writeback (control: loses)") << QStringLiteral("writeback") << 0 << true;
    // With FLUSH CACHE in the stream, what a completed FLUSH covered survives.
    QTest::newRow("writeback + FLUSH CACHE") << QStringLiteral("writeback") << 64 << false;
    QTest::newRow("sync") << QStringLiteral("sync") << 0 << false;
    QTest::newRow("sync + FLUSH CACHE") << QStringLiteral("sync") << 64 << false;
    QTest::newRow("direct") << QStringLiteral("direct") << 0 << false;
    QTest::newRow("direct + FLUSH CACHE") << QStringLiteral("direct") << 64 << false;
}

void tst_Durability::powerCut()
{
    QFETCH(QString, mode);
    QFETCH(int, flushEvery);
    QFETCH(bool, mayLose);
    m_fs = std::make_unique<VolatileFs>();
    QVERIFY(m_fs->start(m_dir.filePath(QStringLiteral("cut-%1-%2").arg(mode).arg(flushEvery)),
                        qint64(ImageBlocks * BlockBytes)));
    QVERIFY(
        startTarget({ targetBinary(), QStringLiteral("--write-mode=") + mode, QStringLiteral("-b"),
                      QStringLiteral("64"), QStringLiteral("--state-dir="), QString::number(Shelf),
                      QString::number(Slot), m_net->ifA(), m_fs->image() }));
    std::unique_ptr<Initiator> ini = openInitiator();
    QVERIFY(ini);
    QCOMPARE(ini->window(), 64u); // full window: the target's buffer count

    Workload w(m_seed ^ qHash(mode) ^ quint32(flushEvery));
    w.flushEvery = flushEvery;
    const qint64 cutAfter = 400 + w.rng.bounded(800);
    std::string error;
    QVERIFY2(w.run(ini.get(), cutAfter, &error), error.c_str());
    QVERIFY(m_fs->control("cut"));
    QVERIFY2(w.drain(ini.get(), &error), error.c_str());
    m_target->kill();
    QVERIFY(m_target->waitForFinished(5000));
    QVERIFY(m_fs->control("on"));
    const QByteArray image = readAll(m_fs->image());
    QCOMPARE(image.size(), qsizetype(ImageBlocks * BlockBytes));

    QString example;
    const bool writeback = mode == QLatin1String("writeback");
    const std::size_t lostAcked = w.lost(image, w.acked, &example);
    qInfo("%s: cut after %lld ms; %llu writes acknowledged, %llu failed, %llu flushes; "
          "%zu acknowledged blocks lost",
          qPrintable(mode), cutAfter, qulonglong(w.okWrites), qulonglong(w.failedWrites),
          qulonglong(w.okFlushes), lostAcked);
    QVERIFY2(w.okWrites >= 500, "too few writes to tell anything");
    if (flushEvery)
        QVERIFY(w.okFlushes > 0);
    if (mayLose) {
        QVERIFY2(lostAcked > 0,
                 "writeback lost nothing at a power cut: the store or the check is broken");
    } else if (writeback) {
        // Acknowledged from the cache: only what a completed FLUSH covered
        // must be there.
        QString flushExample;
        const std::size_t lostFlushed = w.lost(image, w.flushed, &flushExample);
        QVERIFY2(lostFlushed == 0, qPrintable(flushExample));
    } else {
        QVERIFY2(lostAcked == 0, qPrintable(example));
    }
}

void tst_Durability::powerCutVblade()
{
    // For the record, not a requirement: vblade -s opens the image O_SYNC.
    const QString vblade = EtherdiskTest::programPath(QStringLiteral("vblade"));
    ETHERDISK_REQUIRE(!vblade.isEmpty(), QStringLiteral("vblade is not installed"));
    m_fs = std::make_unique<VolatileFs>();
    QVERIFY(m_fs->start(m_dir.filePath(QStringLiteral("cut-vblade")),
                        qint64(ImageBlocks * BlockBytes)));
    QVERIFY(startTarget({ vblade, QStringLiteral("-s"), QString::number(Shelf),
                          QString::number(Slot), m_net->ifA(), m_fs->image() }));
    std::unique_ptr<Initiator> ini = openInitiator();
    QVERIFY(ini);
    Workload w(m_seed ^ 0x7b1ade);
    std::string error;
    QVERIFY2(w.run(ini.get(), 400 + w.rng.bounded(800), &error), error.c_str());
    QVERIFY(m_fs->control("cut"));
    QVERIFY2(w.drain(ini.get(), &error), error.c_str());
    m_target->kill();
    QVERIFY(m_target->waitForFinished(5000));
    QVERIFY(m_fs->control("on"));
    QString example;
    const std::size_t lost = w.lost(readAll(m_fs->image()), w.acked, &example);
    qInfo("vblade -s (window %u): %llu writes acknowledged, %llu failed; %zu acknowledged "
          "blocks lost %s",
          ini->window(), qulonglong(w.okWrites), qulonglong(w.failedWrites), lost,
          qPrintable(example));
}

void tst_Durability::exportsConfSurvivesPowerCut()
{
    // writeFileAtomically (exports.conf, state files) rewritten over and
    // over; the power fails at a random moment: the file holds a whole
    // version, at least the last one whose rewrite returned success.
    m_fs = std::make_unique<VolatileFs>();
    QVERIFY(m_fs->start(m_dir.filePath(QStringLiteral("conf")), 4096));
    const std::string path = m_fs->path(QStringLiteral("exports.conf")).toStdString();
    auto version = [](int n) {
        std::string s = "# version " + std::to_string(n) + "\n";
        for (int i = 0; s.size() < 9000; ++i)
            s += "[e" + std::to_string(n % 65000) + "." + std::to_string(i % 255)
                + "]\npath = /srv/aoe/disk-" + std::to_string(n) + "-" + std::to_string(i)
                + ".img\ninterfaces = eth0\n\n";
        return s;
    };
    std::string error;
    QVERIFY2(writeFileAtomically(path, version(0), &error, 0644), error.c_str());
    std::atomic<bool> stop{ false };
    std::atomic<int> lastOk{ 0 };
    std::atomic<int> failures{ 0 };
    std::thread writer([&] {
        for (int n = 1; !stop; ++n) {
            std::string why;
            if (writeFileAtomically(path, version(n), &why, 0644))
                lastOk = n;
            else
                ++failures;
        }
    });
    QRandomGenerator rng(m_seed ^ 0xc0f);
    QThread::msleep(100 + rng.bounded(400));
    const bool cut = m_fs->control("cut");
    QThread::msleep(50);
    stop = true;
    writer.join();
    QVERIFY(cut);
    QVERIFY(m_fs->control("on"));
    const QByteArray after = readAll(QString::fromStdString(path));
    QVERIFY2(!after.isEmpty(), "exports.conf is empty after the power cut");
    const int floor = lastOk;
    QVERIFY2(floor > 0, "no rewrite completed before the cut");
    bool whole = false;
    int found = -1;
    for (int n = floor; n <= floor + 1 && !whole; ++n) {
        whole = after == QByteArray::fromStdString(version(n));
        found = n;
    }
    if (!whole && after.startsWith("# version "))
        found = after.mid(10, after.indexOf('\n') - 10).toInt();
    QVERIFY2(whole,
             qPrintable(QStringLiteral("after %1 rewrites the file is not version %1 or %2 whole "
                                       "(it names version %3, %4 bytes)")
                            .arg(floor)
                            .arg(floor + 1)
                            .arg(found)
                            .arg(after.size())));
    qInfo("cut after %d rewrites (%d failed after the cut): version %d survived", floor,
          failures.load(), found);
}

void tst_Durability::stateFileSurvivesPowerCut()
{
    // The target persists the config string set over the wire; a cut during
    // the rewrites leaves a state file that loads and holds a value at least
    // as new as the last acknowledged before the cut.
    m_fs = std::make_unique<VolatileFs>();
    const QString mnt = m_dir.filePath(QStringLiteral("state"));
    QVERIFY(m_fs->start(mnt, 512 * 64));
    {
        // The state directory itself exists durably (the engine's mkdir of
        // it is not what this test is about).
        QVERIFY(QDir().mkdir(m_fs->path(QStringLiteral("st"))));
        const int d = ::open(qPrintable(mnt), O_RDONLY | O_DIRECTORY);
        QVERIFY(d >= 0);
        QCOMPARE(::fsync(d), 0);
        ::close(d);
    }
    const QStringList args = {
        targetBinary(),         QStringLiteral("--state-dir=") + m_fs->path(QStringLiteral("st")),
        QString::number(Shelf), QString::number(Slot),
        m_net->ifA(),           m_fs->image()
    };
    QVERIFY(startTarget(args));
    EtherdiskTest::RawClient client;
    QString why;
    QVERIFY2(client.open(m_net->ifB(), &why), qPrintable(why));
    auto set = [&](int n) {
        const auto rsp =
            client.exchange(client.configRequest(Shelf, Slot, ConfigCommand::ForceSet,
                                                 QByteArrayLiteral("cfg-") + QByteArray::number(n)),
                            1, 2000);
        if (rsp.size() != 1)
            return false;
        Frame f;
        return parseFrame(EtherdiskTest::bytes(rsp[0]), &f) == ParseError::Ok
            && !f.header.isError();
    };
    QTRY_VERIFY_WITH_TIMEOUT(set(0), 8000); // serving
    QRandomGenerator rng(m_seed ^ 0x57a7e);
    QElapsedTimer t;
    t.start();
    const qint64 cutAt = 200 + rng.bounded(400);
    int lastAcked = 0;
    for (int n = 1; t.elapsed() < cutAt; ++n)
        if (set(n))
            lastAcked = n;
    QVERIFY(m_fs->control("cut"));
    m_target->kill();
    QVERIFY(m_target->waitForFinished(5000));
    delete m_target;
    m_target = nullptr;
    QVERIFY(m_fs->control("on"));
    const QByteArray file =
        readAll(m_fs->path(QStringLiteral("st/e%1.%2.state").arg(Shelf).arg(Slot)));
    QVERIFY2(!file.isEmpty(), "the state file is empty or missing after the power cut");

    // Restarted on the same state, the target answers with what it kept.
    QVERIFY(startTarget(args));
    QByteArray kept;
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            const auto rsp =
                client.exchange(client.configRequest(Shelf, Slot, ConfigCommand::Read), 1, 500);
            Frame f;
            if (rsp.size() != 1 || parseFrame(EtherdiskTest::bytes(rsp[0]), &f) != ParseError::Ok)
                return false;
            kept = QByteArray(reinterpret_cast<const char *>(f.config.configString.data()),
                              qsizetype(f.config.configString.size()));
            return true;
        }(),
        8000);
    QVERIFY2(kept.startsWith("cfg-"), kept.constData());
    const int keptN = kept.mid(4).toInt();
    qInfo("cut after %d acknowledged rewrites: the state file kept cfg-%d", lastAcked, keptN);
    QVERIFY(lastAcked > 0);
    QVERIFY2(keptN >= lastAcked, kept.constData());
}

void tst_Durability::failedSyncFailsWritesUntilRecovered_data()
{
    QTest::addColumn<bool>("persistent");
    QTest::newRow("fsync fails for 1.5 s") << true;
    QTest::newRow("one fsync fails") << false;
}

void tst_Durability::failedSyncFailsWritesUntilRecovered()
{
    // fsync fails (volatilefs drops what it covered, as Linux does): every
    // write that waited on it and every later write fails, reads go on; once
    // fsync works the target reopens the path, syncs and accepts writes
    // again; and nothing it acknowledged is lost at a power cut.
    QFETCH(bool, persistent);
    m_fs = std::make_unique<VolatileFs>();
    QVERIFY(m_fs->start(m_dir.filePath(QStringLiteral("eio-%1").arg(persistent)),
                        qint64(ImageBlocks * BlockBytes)));
    QVERIFY(
        startTarget({ targetBinary(), QStringLiteral("-s"), QStringLiteral("-b"),
                      QStringLiteral("64"), QStringLiteral("--state-dir="), QString::number(Shelf),
                      QString::number(Slot), m_net->ifA(), m_fs->image() },
                    true));
    std::unique_ptr<Initiator> ini = openInitiator();
    QVERIFY(ini);
    Workload w(m_seed ^ 0xe10 ^ quint32(persistent));
    // Reads keep going throughout (and keep I/O in flight while the target
    // wants to reopen).
    w.readEvery = 3;
    std::string error;
    QVERIFY2(w.run(ini.get(), 300, &error), error.c_str());
    QVERIFY(w.okWrites > 0 && w.failedWrites == 0);
    const int opensBefore = m_fs->opens();
    QVERIFY(opensBefore > 0);

    qint64 firstFailure = -1;
    qint64 passAt = -1;
    qint64 firstOkAfterFailure = -1;
    int opensAtFirstOk = -1;
    std::uint64_t okBetween = 0, failedBetween = 0;
    w.onWrite = [&](qint64 submitted, bool ok) {
        if (!ok && firstFailure < 0)
            firstFailure = w.clock.elapsed();
        if (firstFailure < 0 || submitted <= firstFailure)
            return;
        if (passAt < 0)
            ++(ok ? okBetween : failedBetween);
        if (ok && firstOkAfterFailure < 0) {
            firstOkAfterFailure = w.clock.elapsed();
            opensAtFirstOk = m_fs->opens();
        }
    };
    QVERIFY(m_fs->control(persistent ? "fail-sync" : "fail-next-sync"));
    const qint64 failAt = w.clock.elapsed();
    QVERIFY2(w.run(ini.get(), 2000, &error, [&] { return firstFailure >= 0; }), error.c_str());
    QVERIFY2(firstFailure >= 0, "no write failed within 2 s of fsync failing");
    qInfo("first failed write %lld ms after fsync failed", firstFailure - failAt);
    if (persistent) {
        // Writes keep failing while fsync does, however long; reads go on.
        const std::uint64_t readsBefore = w.okReads;
        QVERIFY2(w.run(ini.get(), 1500, &error), error.c_str());
        QVERIFY(w.okReads > readsBefore);
        QCOMPARE(w.failedReads, std::uint64_t(0));
        QVERIFY(m_fs->control("pass-sync"));
        QVERIFY(failedBetween > 0);
        QCOMPARE(okBetween, std::uint64_t(0));
    }
    passAt = w.clock.elapsed();
    // The target reopens the path (the same file) on its 1 s timer, syncs,
    // and only then acknowledges writes again.
    QVERIFY2(w.run(ini.get(), 4000, &error, [&] { return firstOkAfterFailure >= 0; }),
             error.c_str());
    QVERIFY2(firstOkAfterFailure >= 0, "writes did not work again within 4 s of fsync working");
    qInfo("writes accepted again %lld ms after fsync works; %llu failed meanwhile",
          firstOkAfterFailure - passAt, qulonglong(w.failedWrites));
    QVERIFY2(opensAtFirstOk > opensBefore,
             "a write was acknowledged after the failed sync without the image being reopened");
    // The reopen timer fires every second; 1 s of slack for the sync and load.
    QVERIFY2(firstOkAfterFailure - passAt <= 2000, "recovery took longer than the 1 s timer + 1 s");
    QVERIFY2(w.run(ini.get(), 300, &error), error.c_str());

    // Power cut: every acknowledged write, before and after, is there.
    QVERIFY(m_fs->control("cut"));
    QVERIFY2(w.drain(ini.get(), &error), error.c_str());
    m_target->kill();
    QVERIFY(m_target->waitForFinished(5000));
    QVERIFY(m_fs->control("on"));
    QString example;
    QVERIFY2(w.lost(readAll(m_fs->image()), w.acked, &example) == 0, qPrintable(example));
    const QString log = targetLog();
    QVERIFY2(log.contains(QLatin1String("fdatasync of")) && log.contains(QLatin1String("failed")),
             qPrintable(log));
    QVERIFY2(log.contains(QLatin1String("reopened and synced")), qPrintable(log));
}

void tst_Durability::reopenRefusesAnotherFile_data()
{
    QTest::addColumn<bool>("symlink");
    QTest::newRow("symbolic link swapped") << true;
    QTest::newRow("file replaced") << false;
}

void tst_Durability::reopenRefusesAnotherFile()
{
    // After a failed sync the target reopens its path, but only the same
    // file: not through a symbolic link (which may point elsewhere now) and
    // not a file that replaced the original. The export stays failed and
    // says why; the other file is never written.
    QFETCH(bool, symlink);
    m_fs = std::make_unique<VolatileFs>();
    QVERIFY(m_fs->start(m_dir.filePath(symlink ? QStringLiteral("ln") : QStringLiteral("repl")),
                        1 << 20));
    const QString other = m_fs->path(QStringLiteral("other.img"));
    {
        QFile f(other);
        QVERIFY(f.open(QIODevice::WriteOnly));
        QCOMPARE(f.write(QByteArray(1 << 20, 'o')), qint64(1 << 20));
    }
    QString exported = m_fs->image();
    const QString link = m_dir.filePath(QStringLiteral("link.img"));
    if (symlink) {
        QFile::remove(link);
        QVERIFY(QFile::link(m_fs->image(), link));
        exported = link;
    }
    QVERIFY(startTarget({ targetBinary(), QStringLiteral("-s"), QStringLiteral("--state-dir="),
                          QString::number(Shelf), QString::number(Slot), m_net->ifA(), exported },
                        true));
    std::unique_ptr<Initiator> ini = openInitiator();
    QVERIFY(ini);
    QVERIFY(writeOne(ini.get(), 1, 1));
    QVERIFY(m_fs->control("fail-sync"));
    QVERIFY(!writeOne(ini.get(), 2, 2));
    if (symlink) {
        QVERIFY(QFile::remove(link));
        QVERIFY(QFile::link(other, link));
    } else {
        QVERIFY(::rename(qPrintable(other), qPrintable(m_fs->image())) == 0);
    }
    QVERIFY(m_fs->control("pass-sync"));
    QThread::msleep(2500); // two reopen attempts
    QVERIFY(!writeOne(ini.get(), 3, 3));
    const QString expect = symlink ? QStringLiteral("symbolic link") : QStringLiteral("replaced");
    QTRY_VERIFY2_WITH_TIMEOUT(targetLog().contains(expect), qPrintable(targetLog()), 3000);
    QVERIFY2(!targetLog().contains(QLatin1String("writes accepted again")),
             qPrintable(targetLog()));
    const QByteArray otherNow =
        readAll(symlink ? other : m_fs->image()); // the file the path names now
    QCOMPARE(otherNow, QByteArray(1 << 20, 'o'));
}

void tst_Durability::passedDescriptor()
{
    // An export created from a descriptor (the helper passes one): O_APPEND
    // is refused; after a failed sync it is never reopened by path, only
    // with a fresh descriptor from the owner, and then only once synced.
    m_fs = std::make_unique<VolatileFs>();
    QVERIFY(m_fs->start(m_dir.filePath(QStringLiteral("fd")), 1 << 20));
    const QByteArray image = m_fs->image().toLocal8Bit();
    QVERIFY(m_net->enter(m_net->nsA())); // the engine's thread lives in namespace A
    Engine engine;
    Error err;
    const bool started = engine.start(&err);
    QVERIFY(m_net->enter(m_net->nsB()));
    QVERIFY2(started, err.message.c_str());

    ExportConfig c;
    c.shelf = Shelf;
    c.slot = Slot;
    c.path = image.toStdString(); // a label: never opened by the engine
    c.interfaces = { m_net->ifA().toStdString() };
    c.writeMode = WriteMode::Sync;
    const int appendFd = ::open(image.constData(), O_RDWR | O_APPEND | O_CLOEXEC);
    QVERIFY(appendFd >= 0);
    auto closeAppend = qScopeGuard([&] { ::close(appendFd); });
    c.fd = appendFd;
    QVERIFY(!engine.addExport(c, &err));
    QCOMPARE(err.kind, ErrorKind::InvalidArgument);
    QVERIFY2(QString::fromStdString(err.message).contains(QLatin1String("O_APPEND")),
             err.message.c_str());
    QVERIFY(engine.status().empty()); // nothing changed

    const int fd = ::open(image.constData(), O_RDWR | O_CLOEXEC);
    QVERIFY(fd >= 0);
    auto closeFd = qScopeGuard([&] { ::close(fd); });
    c.fd = fd;
    QVERIFY2(engine.addExport(c, &err), err.message.c_str());
    std::unique_ptr<Initiator> ini = openInitiator();
    QVERIFY(ini);
    QVERIFY(writeOne(ini.get(), 1, 1));
    engine.takeEvents();
    QVERIFY(m_fs->control("fail-sync"));
    QVERIFY(!writeOne(ini.get(), 2, 2));
    QVERIFY(m_fs->control("pass-sync"));
    QThread::msleep(2500); // a path export would have been reopened by now
    QVERIFY(!writeOne(ini.get(), 3, 3));
    QString failure;
    for (const EngineEvent &e : engine.takeEvents()) {
        QVERIFY2(e.type != EngineEvent::Type::BackingRecovered, e.message.c_str());
        if (e.type == EngineEvent::Type::BackingFailed)
            failure = QString::fromStdString(e.message);
    }
    QVERIFY2(failure.contains(QLatin1String("fresh descriptor")), qPrintable(failure));

    QVERIFY(!engine.reopenBacking(Shelf, Slot, appendFd, &err));
    QVERIFY2(QString::fromStdString(err.message).contains(QLatin1String("O_APPEND")),
             err.message.c_str());
    QVERIFY(!engine.reopenBacking(Shelf, 77, fd, &err));
    QCOMPARE(err.kind, ErrorKind::NotFound);
    QVERIFY2(engine.reopenBacking(Shelf, Slot, fd, &err), err.message.c_str());
    QTRY_VERIFY_WITH_TIMEOUT(engine.status().at(0).backingOk, 3000);
    QVERIFY(writeOne(ini.get(), 4, 4));
    bool recovered = false;
    for (const EngineEvent &e : engine.takeEvents())
        recovered = recovered || e.type == EngineEvent::Type::BackingRecovered;
    QVERIFY(recovered);
    QVERIFY(engine.removeExport(Shelf, Slot, &err));

    // A path export is the engine's to reopen.
    ExportConfig p = c;
    p.fd = -1;
    QVERIFY2(engine.addExport(p, &err), err.message.c_str());
    QVERIFY(!engine.reopenBacking(Shelf, Slot, fd, &err));
    QVERIFY2(QString::fromStdString(err.message).contains(QLatin1String("not a file descriptor")),
             err.message.c_str());
}

void tst_Durability::directRefusedOn4KnDevice()
{
    // A loop device with 4096-byte logical sectors is a real 4Kn device:
    // 512-byte O_DIRECT requests fail there, so direct mode is refused with
    // a reason; sync mode serves it, and a 512-byte device takes direct.
    ETHERDISK_REQUIRE(EtherdiskTest::haveProgram(QStringLiteral("losetup"))
                          && QFile::exists(QStringLiteral("/dev/loop-control")),
                      QStringLiteral("needs loop devices (losetup, /dev/loop-control)"));
    const QString backing = m_dir.filePath(QStringLiteral("4kn.img"));
    {
        QFile f(backing);
        QVERIFY(f.open(QIODevice::WriteOnly));
        QVERIFY(f.resize(1 << 20));
    }
    auto attach = [&](int sector) {
        QProcess p;
        p.start(QStringLiteral("losetup"),
                { QStringLiteral("--find"), QStringLiteral("--show"),
                  QStringLiteral("--sector-size"), QString::number(sector), backing });
        p.waitForFinished(10000);
        return QString::fromLocal8Bit(p.readAllStandardOutput()).trimmed();
    };
    const QString dev4k = attach(4096);
    QVERIFY2(dev4k.startsWith(QLatin1String("/dev/loop")), "losetup --sector-size 4096 failed");
    auto detach4k = qScopeGuard([&] {
        QProcess::execute(QStringLiteral("losetup"), { QStringLiteral("-d"), dev4k });
    });
    const QString dev512 = attach(512);
    QVERIFY(dev512.startsWith(QLatin1String("/dev/loop")));
    auto detach512 = qScopeGuard([&] {
        QProcess::execute(QStringLiteral("losetup"), { QStringLiteral("-d"), dev512 });
    });

    QVERIFY(m_net->enter(m_net->nsA()));
    Engine engine;
    Error err;
    const bool started = engine.start(&err);
    QVERIFY(m_net->enter(m_net->nsB()));
    QVERIFY2(started, err.message.c_str());
    ExportConfig c;
    c.shelf = Shelf;
    c.slot = Slot;
    c.path = dev4k.toStdString();
    c.interfaces = { m_net->ifA().toStdString() };
    c.writeMode = WriteMode::Direct;
    QVERIFY(!engine.addExport(c, &err));
    QCOMPARE(err.kind, ErrorKind::InvalidArgument);
    QVERIFY2(
        QString::fromStdString(err.message).contains(QLatin1String("4096-byte logical sectors")),
        err.message.c_str());
    QVERIFY(engine.status().empty());
    c.writeMode = WriteMode::Sync;
    QVERIFY2(engine.addExport(c, &err), err.message.c_str());
    QVERIFY(engine.removeExport(Shelf, Slot, &err));
    c.path = dev512.toStdString();
    c.writeMode = WriteMode::Direct;
    QVERIFY2(engine.addExport(c, &err), err.message.c_str());
    QVERIFY(engine.removeExport(Shelf, Slot, &err));
}

void tst_Durability::ioUringCompletionsNeverOverflow()
{
    // The engine may queue far more operations than the completion queue
    // holds (thousands of requests in flight, one sync per export). AsyncIo
    // keeps at most the completion queue's size in the kernel and defers the
    // rest in order, so every completion comes back, with its own result.
    // Kernels with IORING_FEAT_NODROP park overflowing completions in a list
    // instead of dropping them (while memory lasts), so the bound itself is
    // checked too: deferred() must hold what did not fit.
    AsyncIo aio;
    std::string note;
    QVERIFY(aio.init(4, &note));
    ETHERDISK_REQUIRE(aio.usingIoUring(),
                      QStringLiteral("io_uring unavailable here: ") + QString::fromStdString(note));
    QCOMPARE(aio.inFlightLimit(), 8u); // sized explicitly: twice the submission queue
    const QString path = m_dir.filePath(QStringLiteral("aio.img"));
    constexpr int Ops = 300;
    {
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        for (int i = 0; i < Ops; ++i)
            f.write(QByteArray(512, char(i)));
    }
    const int fd = ::open(qPrintable(path), O_RDWR | O_CLOEXEC);
    QVERIFY(fd >= 0);
    auto closeFd = qScopeGuard([&] { ::close(fd); });
    std::vector<std::array<std::uint8_t, 512>> bufs(Ops);
    std::vector<iovec> iov(Ops);
    for (int i = 0; i < Ops; ++i) {
        bufs[i].fill(0xee);
        iov[i] = { bufs[i].data(), 512 };
        aio.readv(fd, &iov[i], 1, std::uint64_t(i) * 512,
                  reinterpret_cast<void *>(std::uintptr_t(i + 1)));
        if (i % 16 == 15)
            aio.submit(); // without reaping
    }
    aio.fdatasync(fd, reinterpret_cast<void *>(std::uintptr_t(Ops + 1)));
    aio.submit();
    QVERIFY(aio.deferred() >= std::size_t(Ops + 1 - 8));
    std::vector<int> result(Ops + 2, 1);
    std::vector<AsyncIo::Completion> done;
    int got = 0;
    QElapsedTimer t;
    t.start();
    while (got < Ops + 1 && t.elapsed() < 10000) {
        done.clear();
        aio.reap(&done);
        aio.submit();
        for (const AsyncIo::Completion &c : done) {
            const auto i = std::uintptr_t(c.user);
            QVERIFY(i >= 1 && i <= std::uintptr_t(Ops + 1));
            QCOMPARE(result[i], 1); // exactly once
            result[i] = c.result;
            ++got;
        }
        if (done.empty())
            QThread::usleep(200);
    }
    QCOMPARE(got, Ops + 1);
    QCOMPARE(aio.deferred(), std::size_t(0));
    for (int i = 0; i < Ops; ++i) {
        QCOMPARE(result[i + 1], 512);
        QVERIFY(std::all_of(bufs[i].begin(), bufs[i].end(),
                            [&](std::uint8_t b) { return b == std::uint8_t(i); }));
    }
    QCOMPARE(result[Ops + 1], 0);
}

QTEST_GUILESS_MAIN(tst_Durability)
#include "tst_durability.moc"
