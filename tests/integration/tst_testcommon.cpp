// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
//
// The shared test helpers keep their promises: a suite that died leaves
// nothing behind for long (the next one's sweep removes its namespaces and
// the processes in them, and never a live run's), children die with the
// test process, and the links and images are what they claim.
//
// Run with --orphan-helper, this binary is the parent that dies: it starts
// `sleep` through dieWithParent(), prints its PID and waits to be killed.

#include "images.h"
#include "netns.h"
#include "process.h"
#include "testutil.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QProcess>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <sys/wait.h>
#include <unistd.h>

namespace {

bool exists(qint64 pid)
{
    return ::kill(pid_t(pid), 0) == 0 || errno == EPERM;
}

// A zombie counts as gone: it runs nothing.
bool running(qint64 pid)
{
    QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!stat.open(QIODevice::ReadOnly))
        return false;
    const QByteArray s = stat.readAll();
    const qsizetype close = s.lastIndexOf(')');
    return close > 0 && s.size() > close + 2 && s[close + 2] != 'Z';
}

bool namespaceExists(const QString &ns)
{
    return QFile::exists(QStringLiteral("/run/netns/") + ns);
}

// A PID that belonged to a process that has exited.
qint64 deadPid()
{
    const pid_t child = ::fork();
    if (child == 0)
        ::_exit(0);
    ::waitpid(child, nullptr, 0);
    return child;
}

int orphanHelper(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QProcess child;
    EtherdiskTest::dieWithParent(&child);
    child.start(QStringLiteral("sleep"), { QStringLiteral("60") });
    if (!child.waitForStarted(5000))
        return 1;
    std::printf("%lld\n", static_cast<long long>(child.processId()));
    std::fflush(stdout);
    ::pause();
    return 0;
}

} // namespace

class tst_TestCommon final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void sweepRemovesOnlyDeadRuns();
    void childrenDieWithTheTest();
    void processSetKillsItsProcesses();
    void extraLinks();
    void images();

private:
    QTemporaryDir m_dir;
};

void tst_TestCommon::initTestCase()
{
    QString why;
    ETHERDISK_REQUIRE(EtherdiskTest::canCreateNetns(&why), why);
    QVERIFY(m_dir.isValid());
}

void tst_TestCommon::sweepRemovesOnlyDeadRuns()
{
    // Ours, made through NetnsPair: never swept while we live.
    EtherdiskTest::NetnsPair pair(QStringLiteral("swp"));
    QVERIFY2(pair.isValid(), qPrintable(pair.error()));

    // A dead run's namespace, with a process still inside (as a target
    // left running by a suite that was SIGKILLed), and a live run's.
    const qint64 dead = deadPid();
    QVERIFY(!exists(dead));
    EtherdiskTest::ProcessSet live;
    QProcess *owner = live.start({}, QStringLiteral("sleep"), { QStringLiteral("60") });
    QVERIFY(owner);
    const QString deadNs = QStringLiteral("ed-swp-%1-0a").arg(dead);
    const QString liveNs = QStringLiteral("ed-swp-%1-0a").arg(owner->processId());
    // Our PID, but not made by us: an earlier run's whose PID we were given.
    const QString reusedNs =
        QStringLiteral("ed-swp-%1-99b").arg(QCoreApplication::applicationPid());
    // Not of the form: another tool's, never touched.
    const QString foreignNs = QStringLiteral("ed-swp-%1").arg(dead);
    // A run killed but not yet reaped by its parent: a zombie runs nothing.
    const pid_t zombie = ::fork();
    if (zombie == 0)
        ::_exit(0);
    auto reap = qScopeGuard([&] { ::waitpid(zombie, nullptr, 0); });
    QTRY_VERIFY(!running(zombie) && exists(zombie));
    const QString zombieNs = QStringLiteral("ed-swp-%1-1b").arg(zombie);
    for (const QString &ns : { deadNs, liveNs, reusedNs, foreignNs, zombieNs }) {
        QString e;
        QVERIFY2(EtherdiskTest::NetnsPair::ip(
                     { QStringLiteral("netns"), QStringLiteral("add"), ns }, &e),
                 qPrintable(e));
    }
    auto removeAll = qScopeGuard([&] {
        for (const QString &ns : { deadNs, liveNs, reusedNs, foreignNs, zombieNs })
            if (namespaceExists(ns))
                EtherdiskTest::NetnsPair::ip(
                    { QStringLiteral("netns"), QStringLiteral("del"), ns });
    });
    EtherdiskTest::ProcessSet leftovers;
    QProcess *leftover = leftovers.start(deadNs, QStringLiteral("sleep"), { QStringLiteral("60") });
    QVERIFY(leftover);
    const qint64 leftoverPid = leftover->processId();

    const QStringList removed = EtherdiskTest::NetnsPair::sweepDeadRuns();
    for (const QString &ns : { deadNs, reusedNs, zombieNs }) {
        QVERIFY2(
            removed.contains(ns),
            qPrintable(ns + QStringLiteral(" was not swept: ") + removed.join(QLatin1Char(' '))));
        QVERIFY(!namespaceExists(ns));
    }
    QVERIFY2(leftover->waitForFinished(5000) && !running(leftoverPid),
             "the process inside the dead run's namespace survived the sweep");
    for (const QString &ns : { liveNs, foreignNs, pair.nsA(), pair.nsB() }) {
        QVERIFY2(namespaceExists(ns), qPrintable(ns + QStringLiteral(" was swept")));
        QVERIFY2(!removed.contains(ns), qPrintable(ns + QStringLiteral(" was swept")));
    }
}

void tst_TestCommon::childrenDieWithTheTest()
{
    // A parent that starts `sleep` through dieWithParent() and is then
    // SIGKILLed, as ctest does on a timeout: the sleep dies with it.
    EtherdiskTest::ProcessSet set;
    QProcess *parent =
        set.start({}, QCoreApplication::applicationFilePath(),
                  { QStringLiteral("--orphan-helper") }, EtherdiskTest::Output::Keep);
    QVERIFY(parent);
    QTRY_VERIFY_WITH_TIMEOUT(parent->canReadLine(), 10000);
    bool ok = false;
    const qint64 child = parent->readLine().trimmed().toLongLong(&ok);
    QVERIFY(ok && child > 0);
    QVERIFY(running(child));
    ::kill(pid_t(parent->processId()), SIGKILL);
    QVERIFY(parent->waitForFinished(5000));
    // The orphan is reparented to init (or a subreaper), which reaps it.
    QTRY_VERIFY2_WITH_TIMEOUT(!running(child), "the child outlived its parent", 5000);
}

void tst_TestCommon::processSetKillsItsProcesses()
{
    qint64 pid = 0;
    {
        EtherdiskTest::ProcessSet set;
        QProcess *p = set.start({}, QStringLiteral("sleep"), { QStringLiteral("60") });
        QVERIFY(p);
        pid = p->processId();
        QVERIFY(running(pid));
        QVERIFY(!set.start({}, QStringLiteral("/nonexistent/program"), {}));
    }
    QVERIFY(!running(pid));
}

void tst_TestCommon::extraLinks()
{
    EtherdiskTest::NetnsPair net(QStringLiteral("lnk"));
    QVERIFY2(net.isValid(), qPrintable(net.error()));
    // Interface names fit the kernel's 15 characters, with a suffix.
    QVERIFY(net.linkName(QStringLiteral("abc")).size() <= 15);
    QVERIFY(net.ifA().size() <= 15 && net.ifB().size() <= 15);

    const QString mv = net.linkName(QStringLiteral("m1"));
    const QString br = net.linkName(QStringLiteral("br"));
    const QString x = net.linkName(QStringLiteral("px")), y = net.linkName(QStringLiteral("py"));
    QString e;
    QVERIFY2(net.addMacvlan(net.nsA(), net.ifA(), mv, &e), qPrintable(e));
    QVERIFY2(net.addVeth(net.nsA(), x, net.nsB(), y, 9000, &e), qPrintable(e));
    QVERIFY2(net.addBridge(net.nsA(), br, 9000, { x }, &e), qPrintable(e));
    auto show = [](const QString &ns, const QString &link) {
        return EtherdiskTest::runProgram(QStringLiteral("ip"),
                                         { QStringLiteral("-n"), ns, QStringLiteral("-d"),
                                           QStringLiteral("link"), QStringLiteral("show"),
                                           QStringLiteral("dev"), link });
    };
    EtherdiskTest::Run r = show(net.nsA(), mv);
    QVERIFY2(r.ok() && r.out.contains("macvlan mode private") && r.out.contains("UP"),
             qPrintable(r.describe()));
    r = show(net.nsB(), y);
    QVERIFY2(r.ok() && r.out.contains("mtu 9000") && r.out.contains("veth"),
             qPrintable(r.describe()));
    r = show(net.nsA(), x);
    QVERIFY2(r.ok() && r.out.contains("master " + br.toUtf8()), qPrintable(r.describe()));
    // Nothing of it in the machine's own namespace.
    for (const QString &link : { mv, br, x, y }) {
        r = EtherdiskTest::runProgram(
            QStringLiteral("ip"),
            { QStringLiteral("link"), QStringLiteral("show"), QStringLiteral("dev"), link });
        QVERIFY2(!r.ok(), qPrintable(r.describe()));
    }

    net.removeExtraLinks();
    for (const auto &[ns, link] : { std::pair{ net.nsA(), mv }, std::pair{ net.nsA(), br },
                                    std::pair{ net.nsA(), x }, std::pair{ net.nsB(), y } })
        QVERIFY2(!show(ns, link).ok(), qPrintable(link + QStringLiteral(" is still there")));
    // The pair itself stays.
    QVERIFY(show(net.nsA(), net.ifA()).ok());
    QVERIFY(show(net.nsB(), net.ifB()).ok());
}

void tst_TestCommon::images()
{
    const QString sparse = m_dir.filePath(QStringLiteral("sparse.img"));
    QVERIFY(EtherdiskTest::makeSparseImage(sparse, 2048));
    QCOMPARE(EtherdiskTest::readImage(sparse), QByteArray(2048 * 512, '\0'));

    const QByteArray a = EtherdiskTest::patternData(64 * 512, 1);
    QCOMPARE(a, EtherdiskTest::patternData(64 * 512, 1)); // deterministic
    QVERIFY(a != EtherdiskTest::patternData(64 * 512, 2));
    QSet<QByteArray> sectors;
    for (int s = 0; s < 64; ++s)
        sectors.insert(a.mid(s * 512, 512));
    QCOMPARE(sectors.size(), 64); // every sector differs

    const QString patterned = m_dir.filePath(QStringLiteral("pattern.img"));
    QVERIFY(EtherdiskTest::makePatternImage(patterned, 64, 1));
    QCOMPARE(EtherdiskTest::readImage(patterned), a);
    QVERIFY(!EtherdiskTest::writeImage(QStringLiteral("/nonexistent/x.img"), a));
}

int main(int argc, char **argv)
{
    if (argc == 2 && std::strcmp(argv[1], "--orphan-helper") == 0)
        return orphanHelper(argc, argv);
    QCoreApplication app(argc, argv);
    tst_TestCommon test;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&test, argc, argv);
}

#include "tst_testcommon.moc"
