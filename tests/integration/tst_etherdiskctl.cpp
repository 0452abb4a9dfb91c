// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
//
// etherdiskctl discover / probe / bench, run as a user runs them: the
// binary in namespace B (`ip netns exec`), Debian's vblade and our
// etherdisk-target in namespace A, on a veth pair at MTU 1500 and 9000.
// Checks the human and JSON output, the --watch event stream, the exit
// codes for every kind of bad input, and that bench's data lands on disk.

#include "etherdisk/workload.h"
#include "images.h"
#include "netns.h"
#include "peers.h"
#include "process.h"
#include "silencewindow.h"
#include "testutil.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>
#include <cstring>

using EtherdiskTest::ctlBinary;
using EtherdiskTest::Run;
using EtherdiskTest::targetBinary;
using EtherdiskTest::vbladeBinary;

namespace {

std::int64_t isoMs(const QJsonValue &v)
{
    const QDateTime t = QDateTime::fromString(v.toString(), Qt::ISODateWithMs);
    return t.isValid() ? t.toMSecsSinceEpoch() : -1;
}

// Empty if `event` (a JSON event of discover --watch) came within `window`
// of the last answer and of the kill (begun at `killing`, done at `killed`,
// both ms since the epoch); else what is wrong.
QString checkWindow(const QJsonObject &event, const EtherdiskTest::SilenceWindow &window,
                    std::int64_t killing, std::int64_t killed)
{
    const std::int64_t at = isoMs(event.value(QStringLiteral("time")));
    const std::int64_t lastSeen =
        isoMs(event.value(QStringLiteral("target")).toObject().value(QStringLiteral("last_seen")));
    if (at <= 0 || lastSeen <= 0)
        return QStringLiteral("no time or last_seen in the event");
    QString measured;
    const QString wrong = window.check(event.value(QStringLiteral("event")).toString(),
                                       at - lastSeen, at - killing, at - killed, &measured);
    qInfo("%s", qPrintable(measured));
    return wrong;
}

QJsonObject findTarget(const QJsonArray &targets, const QString &name)
{
    for (const QJsonValue &v : targets)
        if (v.toObject().value(QStringLiteral("target")).toString() == name)
            return v.toObject();
    return {};
}

} // namespace

class tst_Etherdiskctl final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void cleanup();

    void usageErrors_data();
    void usageErrors();
    void missingInterface_data();
    void missingInterface();
    void withoutPrivileges();
    void noTarget();
    void discoverTable_data();
    void discoverTable();
    void discoverConflict();
    void watch();
    void watchForget();
    void probe_data();
    void probe();
    void probeNarrowPath();
    void benchVerifiesOnDisk_data();
    void benchVerifiesOnDisk();
    void benchOneFrame();
    void benchStopsOnSigint();
    void benchSecondSigintEndsIt();
    void capNetRawIsEnough();

private:
    Run ctl(const QStringList &args, int timeoutMs = 30000, const QString &ns = {});
    QProcess *startInA(const QString &program, const QStringList &args);
    QProcess *startTarget(const QString &kind, int shelf, int slot, const QString &interface,
                          const QString &image);
    bool makeImage(const QString &path, qint64 sectors);
    bool ipA(const QStringList &args);

    std::unique_ptr<EtherdiskTest::NetnsPair> m_net;
    QTemporaryDir m_dir;
    EtherdiskTest::ProcessSet m_peers; // in namespace A, stopped by cleanup()
};

void tst_Etherdiskctl::initTestCase()
{
    QVERIFY2(QFile::exists(ctlBinary()), qPrintable(ctlBinary()));
    QVERIFY2(QFile::exists(targetBinary()), qPrintable(targetBinary()));
    QString why;
    ETHERDISK_REQUIRE(EtherdiskTest::canCreateNetns(&why), why);
    ETHERDISK_REQUIRE(!vbladeBinary().isEmpty(), QStringLiteral("vblade is not installed"));
    ETHERDISK_REQUIRE(EtherdiskTest::haveProgram(QStringLiteral("setpriv")),
                      QStringLiteral("setpriv (util-linux) is not installed"));
    QVERIFY(m_dir.isValid());
    m_net = std::make_unique<EtherdiskTest::NetnsPair>(QStringLiteral("ctl"), 1500);
    QVERIFY2(m_net->isValid(), qPrintable(m_net->error()));
}

void tst_Etherdiskctl::cleanupTestCase()
{
    m_net.reset();
}

void tst_Etherdiskctl::cleanup()
{
    m_peers.clear();
    if (m_net) {
        m_net->removeExtraLinks();
        m_net->setMtu(1500);
    }
}

Run tst_Etherdiskctl::ctl(const QStringList &args, int timeoutMs, const QString &ns)
{
    return EtherdiskTest::runProgram(ctlBinary(), args, timeoutMs,
                                     ns.isEmpty() ? m_net->nsB() : ns);
}

QProcess *tst_Etherdiskctl::startInA(const QString &program, const QStringList &args)
{
    QProcess *p = m_peers.start(m_net->nsA(), program, args, EtherdiskTest::Output::Discard);
    if (p)
        QTest::qWait(300); // its packet socket is open
    return p;
}

QProcess *tst_Etherdiskctl::startTarget(const QString &kind, int shelf, int slot,
                                        const QString &interface, const QString &image)
{
    const EtherdiskTest::TargetKind k = EtherdiskTest::targetKind(kind);
    return startInA(EtherdiskTest::targetProgram(k),
                    EtherdiskTest::targetArgs(k, shelf, slot, interface, image));
}

bool tst_Etherdiskctl::makeImage(const QString &path, qint64 sectors)
{
    return EtherdiskTest::makeSparseImage(path, sectors);
}

bool tst_Etherdiskctl::ipA(const QStringList &args)
{
    QString error;
    const bool ok = EtherdiskTest::NetnsPair::ipIn(m_net->nsA(), args, &error);
    if (!ok)
        qWarning("ip %s: %s", qPrintable(args.join(QLatin1Char(' '))), qPrintable(error));
    return ok;
}

// --- the cases ---------------------------------------------------------------------------

void tst_Etherdiskctl::usageErrors_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("message"); // part of stderr
    const QString ifB = QStringLiteral("IFB"); // replaced by the real name
    QTest::newRow("no command") << QStringList{} << QStringLiteral("Usage: etherdiskctl COMMAND");
    QTest::newRow("unknown command")
        << QStringList{ QStringLiteral("attack") } << QStringLiteral("unknown command \"attack\"");
    QTest::newRow("unknown option")
        << QStringList{ QStringLiteral("discover"), QStringLiteral("--frobnicate") }
        << QStringLiteral("frobnicate");
    QTest::newRow("discover stray argument")
        << QStringList{ QStringLiteral("discover"), QStringLiteral("e1.1") }
        << QStringLiteral("unexpected argument \"e1.1\"");
    QTest::newRow("discover bad wait")
        << QStringList{ QStringLiteral("discover"), QStringLiteral("--wait"),
                        QStringLiteral("soon") }
        << QStringLiteral("invalid --wait \"soon\"");
    QTest::newRow("discover fractional missed")
        << QStringList{ QStringLiteral("discover"), QStringLiteral("--missed"),
                        QStringLiteral("1.5") }
        << QStringLiteral("whole number");
    QTest::newRow("probe without target")
        << QStringList{ QStringLiteral("probe"), QStringLiteral("-i"), ifB }
        << QStringLiteral("which target?");
    QTest::newRow("probe broadcast shelf")
        << QStringList{ QStringLiteral("probe"), QStringLiteral("e65535.1"), QStringLiteral("-i"),
                        ifB }
        << QStringLiteral("invalid target \"e65535.1\"");
    QTest::newRow("probe broadcast slot")
        << QStringList{ QStringLiteral("probe"), QStringLiteral("1.255"), QStringLiteral("-i"),
                        ifB }
        << QStringLiteral("invalid target \"1.255\"");
    QTest::newRow("probe garbage target")
        << QStringList{ QStringLiteral("probe"), QStringLiteral("e1.2.3"), QStringLiteral("-i"),
                        ifB }
        << QStringLiteral("invalid target");
    QTest::newRow("probe zero timeout")
        << QStringList{ QStringLiteral("probe"),     QStringLiteral("e1.1"),
                        QStringLiteral("-i"),        ifB,
                        QStringLiteral("--timeout"), QStringLiteral("0") }
        << QStringLiteral("invalid --timeout");
    QTest::newRow("bench two interfaces")
        << QStringList{ QStringLiteral("bench"), QStringLiteral("e1.1"), QStringLiteral("-i"),
                        ifB + QStringLiteral(",lo") }
        << QStringLiteral("exactly one interface");
    QTest::newRow("bench write without --destructive")
        << QStringList{ QStringLiteral("bench"),  QStringLiteral("e1.1"),
                        QStringLiteral("-i"),     ifB,
                        QStringLiteral("--mode"), QStringLiteral("seqwrite") }
        << QStringLiteral("overwrites the data on e1.1");
    QTest::newRow("bench bad mode")
        << QStringList{ QStringLiteral("bench"),  QStringLiteral("e1.1"),
                        QStringLiteral("-i"),     ifB,
                        QStringLiteral("--mode"), QStringLiteral("fastest") }
        << QStringLiteral("invalid --mode \"fastest\"");
    QTest::newRow("bench odd size")
        << QStringList{ QStringLiteral("bench"),  QStringLiteral("e1.1"), QStringLiteral("-i"), ifB,
                        QStringLiteral("--size"), QStringLiteral("1000") }
        << QStringLiteral("multiple of 512");
    QTest::newRow("bench no such target process")
        << QStringList{ QStringLiteral("bench"),        QStringLiteral("e1.1"),
                        QStringLiteral("-i"),           ifB,
                        QStringLiteral("--target-pid"), QStringLiteral("1073741000") }
        << QStringLiteral("--target-pid 1073741000: no such process");
    QTest::newRow("discover forget zero")
        << QStringList{ QStringLiteral("discover"), QStringLiteral("--watch"),
                        QStringLiteral("--forget"), QStringLiteral("0") }
        << QStringLiteral("invalid --forget \"0\"");
    QTest::newRow("bench size too small")
        << QStringList{ QStringLiteral("bench"),  QStringLiteral("e1.1"), QStringLiteral("-i"), ifB,
                        QStringLiteral("--size"), QStringLiteral("1") }
        << QStringLiteral("invalid --size \"1\": expected a number from 512 to 67108864");
    QTest::newRow("bench window too big")
        << QStringList{ QStringLiteral("bench"),    QStringLiteral("e1.1"),
                        QStringLiteral("-i"),       ifB,
                        QStringLiteral("--window"), QStringLiteral("5000") }
        << QStringLiteral("invalid --window");
    QTest::newRow("bench --acked without --verify")
        << QStringList{ QStringLiteral("bench"),
                        QStringLiteral("e1.1"),
                        QStringLiteral("-i"),
                        ifB,
                        QStringLiteral("--mode"),
                        QStringLiteral("seqwrite"),
                        QStringLiteral("--destructive"),
                        QStringLiteral("--acked"),
                        QStringLiteral("/tmp/edk-acked-unused") }
        << QStringLiteral("--acked needs --verify and a write mode");
    QTest::newRow("bench --acked when reading")
        << QStringList{ QStringLiteral("bench"),
                        QStringLiteral("e1.1"),
                        QStringLiteral("-i"),
                        ifB,
                        QStringLiteral("--verify"),
                        QStringLiteral("--acked"),
                        QStringLiteral("/tmp/edk-acked-unused") }
        << QStringLiteral("--acked needs --verify and a write mode");
    QTest::newRow("bench --acked in a missing directory")
        << QStringList{ QStringLiteral("bench"),
                        QStringLiteral("e1.1"),
                        QStringLiteral("-i"),
                        ifB,
                        QStringLiteral("--mode"),
                        QStringLiteral("randwrite"),
                        QStringLiteral("--destructive"),
                        QStringLiteral("--verify"),
                        QStringLiteral("--acked"),
                        QStringLiteral("/nonexistent-dir/acked") }
        << QStringLiteral("--acked /nonexistent-dir/acked: cannot write a file there");
}

void tst_Etherdiskctl::usageErrors()
{
    QFETCH(QStringList, args);
    QFETCH(QString, message);
    args.replaceInStrings(QStringLiteral("IFB"), m_net->ifB());
    const Run r = ctl(args);
    QVERIFY2(r.exitCode == 64, qPrintable(r.describe()));
    QVERIFY2(QString::fromUtf8(r.err).contains(message), qPrintable(r.describe()));
    QVERIFY2(r.out.isEmpty(), qPrintable(r.describe()));
}

void tst_Etherdiskctl::missingInterface_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::newRow("discover") << QStringList{ QStringLiteral("discover"), QStringLiteral("-i"),
                                              QStringLiteral("edNoSuch0") };
    QTest::newRow("discover, one of two")
        << QStringList{ QStringLiteral("discover"), QStringLiteral("-i"),
                        QStringLiteral("IFB,edNoSuch0") };
    QTest::newRow("probe") << QStringList{ QStringLiteral("probe"), QStringLiteral("e1.1"),
                                           QStringLiteral("-i"), QStringLiteral("edNoSuch0") };
    QTest::newRow("bench") << QStringList{ QStringLiteral("bench"), QStringLiteral("e1.1"),
                                           QStringLiteral("-i"), QStringLiteral("edNoSuch0") };
}

void tst_Etherdiskctl::missingInterface()
{
    QFETCH(QStringList, args);
    args.replaceInStrings(QStringLiteral("IFB"), m_net->ifB());
    const Run r = ctl(args);
    QVERIFY2(r.exitCode == 69, qPrintable(r.describe()));
    QVERIFY2(r.err.contains("no such network interface: edNoSuch0"), qPrintable(r.describe()));

    // A link that is down: refused the same way.
    QVERIFY(m_net->setLink(false));
    args.replaceInStrings(QStringLiteral("edNoSuch0"), m_net->ifB());
    const Run down = ctl(args);
    QVERIFY(m_net->setLink(true));
    QVERIFY2(down.exitCode == 69, qPrintable(down.describe()));
    QVERIFY2(down.err.contains("is down"), qPrintable(down.describe()));
}

void tst_Etherdiskctl::withoutPrivileges()
{
    // nobody, without CAP_NET_RAW: a clear message and exit 77, for each command.
    for (const QStringList &args :
         { QStringList{ QStringLiteral("discover"), QStringLiteral("-i"), m_net->ifB() },
           QStringList{ QStringLiteral("probe"), QStringLiteral("e1.1"), QStringLiteral("-i"),
                        m_net->ifB() },
           QStringList{ QStringLiteral("bench"), QStringLiteral("e1.1"), QStringLiteral("-i"),
                        m_net->ifB() } }) {
        QProcess p;
        EtherdiskTest::dieWithParent(&p);
        p.start(QStringLiteral("ip"),
                EtherdiskTest::NetnsPair::inNamespace(
                    m_net->nsB(), QStringLiteral("setpriv"),
                    QStringList{ QStringLiteral("--reuid=65534"), QStringLiteral("--regid=65534"),
                                 QStringLiteral("--clear-groups"),
                                 QStringLiteral("--inh-caps=-all"), ctlBinary() }
                        + args));
        QVERIFY(p.waitForFinished(20000));
        const QByteArray err = p.readAllStandardError();
        QVERIFY2(p.exitCode() == 77,
                 qPrintable(QStringLiteral("%1: exit %2: %3")
                                .arg(args.first())
                                .arg(p.exitCode())
                                .arg(QString::fromUtf8(err))));
        QVERIFY2(err.contains("CAP_NET_RAW"), err.constData());
    }
}

void tst_Etherdiskctl::noTarget()
{
    QElapsedTimer t;
    t.start();
    Run r = ctl({ QStringLiteral("probe"), QStringLiteral("e9.9"), QStringLiteral("-i"),
                  m_net->ifB(), QStringLiteral("--timeout"), QStringLiteral("0.4") });
    QVERIFY2(r.exitCode == 68, qPrintable(r.describe()));
    QVERIFY2(r.err.contains("no answer from e9.9 on " + m_net->ifB().toUtf8()),
             qPrintable(r.describe()));
    // Two Query Configs, each waited for half the timeout: the run takes the
    // whole 0.4 s (a deadline on the monotonic clock never ends early, so no
    // slack below) plus the program's start-up (up to 1.5 s here).
    QVERIFY2(t.elapsed() >= 400 && t.elapsed() <= 400 + 1500,
             qPrintable(QStringLiteral("probe --timeout 0.4 took %1 ms, expected 400 to 1900 ms")
                            .arg(t.elapsed())));

    r = ctl({ QStringLiteral("bench"), QStringLiteral("e9.9"), QStringLiteral("-i"), m_net->ifB(),
              QStringLiteral("--seconds"), QStringLiteral("1") });
    QVERIFY2(r.exitCode == 68, qPrintable(r.describe()));
    QVERIFY2(r.err.contains("no answer from e9.9"), qPrintable(r.describe()));

    // discover with nobody there: says so, exit 0 (nothing is wrong).
    r = ctl({ QStringLiteral("discover"), QStringLiteral("-i"), m_net->ifB(),
              QStringLiteral("--wait"), QStringLiteral("0.5") });
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    QVERIFY2(r.out.contains("No AoE target answered on " + m_net->ifB().toUtf8()),
             qPrintable(r.describe()));
    r = ctl({ QStringLiteral("discover"), QStringLiteral("-i"), m_net->ifB(),
              QStringLiteral("--wait"), QStringLiteral("0.5"), QStringLiteral("--json") });
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    QCOMPARE(r.json().value(QStringLiteral("targets")).toArray().size(), 0);
}

void tst_Etherdiskctl::discoverTable_data()
{
    QTest::addColumn<int>("mtu");
    QTest::newRow("mtu1500") << 1500;
    QTest::newRow("mtu9000") << 9000;
}

void tst_Etherdiskctl::discoverTable()
{
    QFETCH(int, mtu);
    QVERIFY(m_net->setMtu(mtu));
    const QString vImage = m_dir.filePath(QStringLiteral("v.img"));
    const QString eImage = m_dir.filePath(QStringLiteral("e.img"));
    QVERIFY(makeImage(vImage, 4096));
    QVERIFY(makeImage(eImage, 6144));
    QVERIFY(startTarget(QStringLiteral("vblade"), 1, 1, m_net->ifA(), vImage));
    QVERIFY(startTarget(QStringLiteral("etherdisk"), 2, 3, m_net->ifA(), eImage));
    const int payload = mtu == 1500 ? 1024 : 8704;

    const Run table = ctl({ QStringLiteral("discover"), QStringLiteral("-i"), m_net->ifB(),
                            QStringLiteral("--wait"), QStringLiteral("1.5") });
    QVERIFY2(table.exitCode == 0, qPrintable(table.describe()));
    const QStringList lines =
        QString::fromUtf8(table.out).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    QVERIFY2(lines.size() == 3, qPrintable(table.describe()));
    QVERIFY2(QRegularExpression(
                 QStringLiteral("^TARGET +SIZE +INTERFACES +PAYLOAD +STATE +MODEL +MACS$"))
                 .match(lines[0])
                 .hasMatch(),
             qPrintable(lines[0]));
    const QString ifB = QRegularExpression::escape(m_net->ifB());
    const QString mac = QStringLiteral("([0-9a-f]{2}:){5}[0-9a-f]{2}");
    QVERIFY2(QRegularExpression(QStringLiteral("^e1\\.1 +0\\.002GB +%1 +%2 +online +Coraid "
                                               "EtherDrive vblade +%3$")
                                    .arg(ifB)
                                    .arg(payload)
                                    .arg(mac))
                 .match(lines[1])
                 .hasMatch(),
             qPrintable(table.describe()));
    QVERIFY2(QRegularExpression(QStringLiteral("^e2\\.3 +0\\.003GB +%1 +%2 +online +Etherdisk +%3$")
                                    .arg(ifB)
                                    .arg(payload)
                                    .arg(mac))
                 .match(lines[2])
                 .hasMatch(),
             qPrintable(table.describe()));

    const Run json =
        ctl({ QStringLiteral("discover"), QStringLiteral("-i"), m_net->ifB(),
              QStringLiteral("--wait"), QStringLiteral("1.5"), QStringLiteral("--json") });
    QVERIFY2(json.exitCode == 0, qPrintable(json.describe()));
    const QJsonObject doc = json.json();
    QCOMPARE(doc.value(QStringLiteral("interfaces")).toArray().first().toString(), m_net->ifB());
    QCOMPARE(doc.value(QStringLiteral("malformed")).toArray().size(), 0);
    const QJsonArray targets = doc.value(QStringLiteral("targets")).toArray();
    QCOMPARE(targets.size(), 2);
    const QJsonObject v = findTarget(targets, QStringLiteral("e1.1"));
    const QJsonObject e = findTarget(targets, QStringLiteral("e2.3"));
    QVERIFY2(!v.isEmpty() && !e.isEmpty(), json.out.constData());
    QCOMPARE(v.value(QStringLiteral("shelf")).toInt(), 1);
    QCOMPARE(v.value(QStringLiteral("slot")).toInt(), 1);
    QCOMPARE(v.value(QStringLiteral("sectors")).toInteger(), 4096);
    QCOMPARE(v.value(QStringLiteral("size_bytes")).toInteger(), 4096 * 512);
    QCOMPARE(v.value(QStringLiteral("model")).toString(),
             QStringLiteral("Coraid EtherDrive vblade"));
    QCOMPARE(v.value(QStringLiteral("state")).toString(), QStringLiteral("online"));
    QCOMPARE(v.value(QStringLiteral("conflict")).toBool(), false);
    QCOMPARE(e.value(QStringLiteral("sectors")).toInteger(), 6144);
    QCOMPARE(e.value(QStringLiteral("model")).toString(), QStringLiteral("Etherdisk"));
    QVERIFY(e.value(QStringLiteral("serial")).toString().startsWith(QStringLiteral("2.3-")));
    QVERIFY(e.value(QStringLiteral("lba48")).toBool());
    QVERIFY(e.value(QStringLiteral("flush_cache")).toBool());
    const QDateTime first =
        QDateTime::fromString(e.value(QStringLiteral("first_seen")).toString(), Qt::ISODateWithMs);
    QVERIFY(first.isValid());
    QVERIFY(qAbs(first.msecsTo(QDateTime::currentDateTimeUtc())) < 60000);
    for (const QJsonObject &t : { v, e }) {
        const QJsonArray paths = t.value(QStringLiteral("paths")).toArray();
        QCOMPARE(paths.size(), 1);
        const QJsonObject p = paths.first().toObject();
        QCOMPARE(p.value(QStringLiteral("interface")).toString(), m_net->ifB());
        QVERIFY(QRegularExpression(QStringLiteral("^") + mac + QStringLiteral("$"))
                    .match(p.value(QStringLiteral("mac")).toString())
                    .hasMatch());
        QCOMPARE(p.value(QStringLiteral("payload")).toInt(), payload);
        QCOMPARE(p.value(QStringLiteral("max_sectors")).toInt(), payload / 512);
    }
    QCOMPARE(v.value(QStringLiteral("paths"))
                 .toArray()
                 .first()
                 .toObject()
                 .value(QStringLiteral("buffer_count"))
                 .toInt(),
             16);
    QCOMPARE(e.value(QStringLiteral("paths"))
                 .toArray()
                 .first()
                 .toObject()
                 .value(QStringLiteral("buffer_count"))
                 .toInt(),
             64);
}

void tst_Etherdiskctl::discoverConflict()
{
    // Two "NICs" in namespace A, one target on each, both claiming e5.5.
    const QString m1 = m_net->linkName(QStringLiteral("m1"));
    const QString m2 = m_net->linkName(QStringLiteral("m2"));
    for (const QString &m : { m1, m2 }) {
        QString e;
        QVERIFY2(m_net->addMacvlan(m_net->nsA(), m_net->ifA(), m, &e), qPrintable(e));
    }
    const QString small = m_dir.filePath(QStringLiteral("c1.img"));
    const QString big = m_dir.filePath(QStringLiteral("c2.img"));
    QVERIFY(makeImage(small, 4096));
    QVERIFY(makeImage(big, 8192));
    QVERIFY(startTarget(QStringLiteral("vblade"), 5, 5, m1, small));
    QVERIFY(startTarget(QStringLiteral("etherdisk"), 5, 5, m2, big));

    const Run table = ctl({ QStringLiteral("discover"), QStringLiteral("-i"), m_net->ifB(),
                            QStringLiteral("--wait"), QStringLiteral("2") });
    QVERIFY2(table.exitCode == 1, qPrintable(table.describe()));
    QVERIFY2(table.out.contains("online,CONFLICT"), qPrintable(table.describe()));
    QVERIFY2(table.out.contains("e5.5: two devices answer as e5.5"), qPrintable(table.describe()));

    const Run json =
        ctl({ QStringLiteral("discover"), QStringLiteral("-i"), m_net->ifB(),
              QStringLiteral("--wait"), QStringLiteral("2"), QStringLiteral("--json") });
    QVERIFY2(json.exitCode == 1, qPrintable(json.describe()));
    const QJsonObject t =
        findTarget(json.json().value(QStringLiteral("targets")).toArray(), QStringLiteral("e5.5"));
    QVERIFY2(t.value(QStringLiteral("conflict")).toBool(), json.out.constData());
    QVERIFY(
        t.value(QStringLiteral("conflict_detail")).toString().contains(QStringLiteral("corrupts")));
    QCOMPARE(t.value(QStringLiteral("paths")).toArray().size(), 2);

    // probe sees both devices too, and warns.
    const Run probe = ctl({ QStringLiteral("probe"), QStringLiteral("e5.5"), QStringLiteral("-i"),
                            m_net->ifB(), QStringLiteral("--json") });
    QVERIFY2(probe.exitCode == 1, qPrintable(probe.describe()));
    const QJsonObject p = probe.json();
    QCOMPARE(p.value(QStringLiteral("paths")).toArray().size(), 2);
    QVERIFY2(p.value(QStringLiteral("warnings"))
                 .toArray()
                 .first()
                 .toString()
                 .startsWith(QStringLiteral("address conflict")),
             probe.out.constData());
}

void tst_Etherdiskctl::watch()
{
    const QString image = m_dir.filePath(QStringLiteral("watch.img"));
    QVERIFY(makeImage(image, 2048));
    QProcess *target = startTarget(QStringLiteral("vblade"), 3, 1, m_net->ifA(), image);
    QVERIFY(target);

    QProcess w;

    EtherdiskTest::dieWithParent(&w);
    w.start(QStringLiteral("ip"),
            EtherdiskTest::NetnsPair::inNamespace(
                m_net->nsB(), ctlBinary(),
                { QStringLiteral("discover"), QStringLiteral("-i"), m_net->ifB(),
                  QStringLiteral("--watch"), QStringLiteral("--json"), QStringLiteral("--interval"),
                  QStringLiteral("0.5"), QStringLiteral("--missed"), QStringLiteral("2") }));
    QVERIFY(w.waitForStarted(5000));
    QList<QJsonObject> events;
    QByteArray partial;
    auto pump = [&](int ms, const QString &until) {
        QElapsedTimer t;
        t.start();
        while (t.elapsed() < ms) {
            w.waitForReadyRead(100);
            partial += w.readAllStandardOutput();
            qsizetype nl;
            while ((nl = partial.indexOf('\n')) >= 0) {
                const QByteArray line = partial.left(nl);
                partial.remove(0, nl + 1);
                QJsonParseError pe;
                const QJsonDocument d = QJsonDocument::fromJson(line, &pe);
                if (pe.error != QJsonParseError::NoError || !d.isObject()) {
                    qWarning("not one JSON object per line: %s", line.constData());
                    events.append(
                        QJsonObject{ { QStringLiteral("event"), QStringLiteral("BAD") } });
                    continue;
                }
                events.append(d.object());
            }
            for (const QJsonObject &e : events)
                if (e.value(QStringLiteral("event")).toString() == until)
                    return true;
        }
        return false;
    };
    auto describe = [&] {
        QString s;
        for (const QJsonObject &e : events)
            s += QString::fromUtf8(QJsonDocument(e).toJson(QJsonDocument::Compact))
                + QLatin1Char('\n');
        return s + QStringLiteral("stderr: ") + QString::fromUtf8(w.readAllStandardError());
    };
    QVERIFY2(pump(5000, QStringLiteral("changed")), qPrintable(describe()));
    // vblade's start-up advertisement made discovery ask it at once, off the
    // poll ticks: let one and a half intervals pass, so that its last answer
    // before the kill is one to a poll.
    QVERIFY(!pump(750, QStringLiteral("lost")));
    const std::int64_t killing = QDateTime::currentMSecsSinceEpoch();
    target->kill();
    QVERIFY(target->waitForFinished(5000));
    const std::int64_t killed = QDateTime::currentMSecsSinceEpoch();
    QVERIFY2(pump(5000, QStringLiteral("lost")), qPrintable(describe()));
    {
        // --interval 0.5 --missed 2: lost 1.5 s after the last answer, 1 to
        // 1.5 s after the kill (see SilenceWindow).
        QJsonObject lost;
        for (const QJsonObject &e : events)
            if (e.value(QStringLiteral("event")).toString() == QLatin1String("lost"))
                lost = e;
        const QString late =
            checkWindow(lost, EtherdiskTest::SilenceWindow::loss(500, 2), killing, killed);
        QVERIFY2(late.isEmpty(), qPrintable(late));
    }
    QVERIFY(startTarget(QStringLiteral("vblade"), 3, 1, m_net->ifA(), image));
    QVERIFY2(pump(5000, QStringLiteral("recovered")), qPrintable(describe()));

    // SIGTERM ends it cleanly.
    ::kill(pid_t(w.processId()), SIGTERM);
    QVERIFY(w.waitForFinished(5000));
    QCOMPARE(w.exitStatus(), QProcess::NormalExit);
    QCOMPARE(w.exitCode(), 0);

    QStringList names;
    QDateTime previous;
    for (const QJsonObject &e : events) {
        names << e.value(QStringLiteral("event")).toString();
        const QDateTime at =
            QDateTime::fromString(e.value(QStringLiteral("time")).toString(), Qt::ISODateWithMs);
        QVERIFY2(at.isValid(), qPrintable(describe()));
        QVERIFY2(!previous.isValid() || at >= previous, qPrintable(describe()));
        previous = at;
        QCOMPARE(
            e.value(QStringLiteral("target")).toObject().value(QStringLiteral("target")).toString(),
            QStringLiteral("e3.1"));
        QVERIFY(!e.value(QStringLiteral("message")).toString().isEmpty());
    }
    QCOMPARE(names,
             (QStringList{ QStringLiteral("added"), QStringLiteral("changed"),
                           QStringLiteral("lost"), QStringLiteral("recovered") }));
    QCOMPARE(events[2]
                 .value(QStringLiteral("target"))
                 .toObject()
                 .value(QStringLiteral("state"))
                 .toString(),
             QStringLiteral("lost"));
    QCOMPARE(events[1]
                 .value(QStringLiteral("target"))
                 .toObject()
                 .value(QStringLiteral("model"))
                 .toString(),
             QStringLiteral("Coraid EtherDrive vblade"));

    // The human form: one line per event, timestamp first.
    QProcess h;
    EtherdiskTest::dieWithParent(&h);
    h.start(
        QStringLiteral("ip"),
        EtherdiskTest::NetnsPair::inNamespace(
            m_net->nsB(), ctlBinary(),
            { QStringLiteral("discover"), QStringLiteral("-i"), m_net->ifB(),
              QStringLiteral("--watch"), QStringLiteral("--interval"), QStringLiteral("0.5") }));
    QVERIFY(h.waitForStarted(5000));
    QTest::qWait(1500);
    ::kill(pid_t(h.processId()), SIGINT);
    QVERIFY(h.waitForFinished(5000));
    QCOMPARE(h.exitCode(), 0);
    const QStringList lines =
        QString::fromUtf8(h.readAllStandardOutput()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    QVERIFY2(lines.size() == 2, qPrintable(lines.join(QLatin1Char('\n'))));
    QVERIFY2(
        QRegularExpression(QStringLiteral("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z "
                                          "added +e3\\.1 found at "))
            .match(lines[0])
            .hasMatch(),
        qPrintable(lines[0]));
    QVERIFY2(lines[1].contains(
                 QStringLiteral(" changed   e3.1: Coraid EtherDrive vblade, 2048 sectors")),
             qPrintable(lines[1]));
}

void tst_Etherdiskctl::watchForget()
{
    // --forget: lost, then removed after the given time; back again is "added".
    const QString image = m_dir.filePath(QStringLiteral("forget.img"));
    QVERIFY(makeImage(image, 2048));
    QProcess *target = startTarget(QStringLiteral("etherdisk"), 3, 2, m_net->ifA(), image);
    QVERIFY(target);
    QProcess w;
    EtherdiskTest::dieWithParent(&w);
    w.start(QStringLiteral("ip"),
            EtherdiskTest::NetnsPair::inNamespace(
                m_net->nsB(), ctlBinary(),
                { QStringLiteral("discover"), QStringLiteral("-i"), m_net->ifB(),
                  QStringLiteral("--watch"), QStringLiteral("--json"), QStringLiteral("--interval"),
                  QStringLiteral("0.3"), QStringLiteral("--forget"), QStringLiteral("1") }));
    QVERIFY(w.waitForStarted(5000));
    QByteArray out;
    auto tagOf = [](const char *event) { return QByteArray("\"event\":\"") + event + '"'; };
    // Whether event `what` appears in the output after byte `from`, within ms.
    auto waitFor = [&](const char *what, int ms, qsizetype from = 0) {
        QElapsedTimer t;
        t.start();
        while (out.indexOf(tagOf(what), from) < 0 && t.elapsed() < ms) {
            w.waitForReadyRead(100);
            out += w.readAllStandardOutput();
        }
        return out.indexOf(tagOf(what), from) >= 0;
    };
    // The JSON line of the first event `what`.
    auto eventAt = [&](qsizetype at) {
        const qsizetype lineStart = out.lastIndexOf('\n', at) + 1;
        const qsizetype lineEnd = out.indexOf('\n', at);
        return QJsonDocument::fromJson(out.mid(lineStart, lineEnd - lineStart)).object();
    };
    QVERIFY2(waitFor("changed", 5000), out.constData());
    // The target's start-up advertisement was an answer off the poll ticks:
    // let one and a half intervals pass, so that its last answer before the
    // kill is one to a poll.
    QVERIFY2(!waitFor("lost", 450), out.constData());
    const std::int64_t killing = QDateTime::currentMSecsSinceEpoch();
    target->kill();
    QVERIFY(target->waitForFinished(5000));
    const std::int64_t killed = QDateTime::currentMSecsSinceEpoch();
    QVERIFY2(waitFor("removed", 5000), out.constData());
    const qsizetype removedAt = out.indexOf(tagOf("removed"));
    const QJsonObject removed = eventAt(removedAt);
    QCOMPARE(removed.value(QStringLiteral("message")).toString(), QStringLiteral("e3.2 forgotten"));
    // Forgotten on the first tick (every 0.3 s) after 1 s of silence: the
    // fourth after the last answer (1.2 s), 0.9 to 1.2 s after the kill (see
    // SilenceWindow).
    const QString late =
        checkWindow(removed, EtherdiskTest::SilenceWindow::removal(300, 1000), killing, killed);
    QVERIFY2(late.isEmpty(), qPrintable(late));
    const qsizetype lostAt = out.indexOf(tagOf("lost"));
    QVERIFY2(lostAt >= 0 && lostAt < removedAt, out.constData());
    QVERIFY(startTarget(QStringLiteral("etherdisk"), 3, 2, m_net->ifA(), image));
    QVERIFY2(waitFor("added", 5000, removedAt), out.constData());
    QVERIFY2(eventAt(out.indexOf(tagOf("added"), removedAt))
                 .value(QStringLiteral("message"))
                 .toString()
                 .startsWith(QStringLiteral("e3.2 found at")),
             out.constData());
    QVERIFY2(!out.contains(tagOf("recovered")), out.constData());
    ::kill(pid_t(w.processId()), SIGTERM);
    QVERIFY(w.waitForFinished(5000));
    QCOMPARE(w.exitCode(), 0);
}

void tst_Etherdiskctl::probe_data()
{
    QTest::addColumn<QString>("kind");
    QTest::addColumn<int>("mtu");
    QTest::newRow("vblade mtu1500") << QStringLiteral("vblade") << 1500;
    QTest::newRow("vblade mtu9000") << QStringLiteral("vblade") << 9000;
    QTest::newRow("etherdisk mtu1500") << QStringLiteral("etherdisk") << 1500;
    QTest::newRow("etherdisk mtu9000") << QStringLiteral("etherdisk") << 9000;
}

void tst_Etherdiskctl::probe()
{
    QFETCH(QString, kind);
    QFETCH(int, mtu);
    QVERIFY(m_net->setMtu(mtu));
    const QString image = m_dir.filePath(QStringLiteral("probe.img"));
    QVERIFY(makeImage(image, 10000));
    QVERIFY(startTarget(kind, 7, 2, m_net->ifA(), image));
    const bool vblade = kind == QLatin1String("vblade");
    const int payload = mtu == 1500 ? 1024 : 8704;

    const Run r = ctl({ QStringLiteral("probe"), QStringLiteral("e7.2"), QStringLiteral("-i"),
                        m_net->ifB(), QStringLiteral("--json") });
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    const QJsonObject o = r.json();
    QCOMPARE(o.value(QStringLiteral("target")).toString(), QStringLiteral("e7.2"));
    QCOMPARE(o.value(QStringLiteral("warnings")).toArray().size(), 0);
    const QJsonArray paths = o.value(QStringLiteral("paths")).toArray();
    QCOMPARE(paths.size(), 1);
    const QJsonObject p = paths.first().toObject();
    QCOMPARE(p.value(QStringLiteral("interface")).toString(), m_net->ifB());
    QCOMPARE(p.value(QStringLiteral("local_mtu")).toInt(), mtu);
    QCOMPARE(p.value(QStringLiteral("buffer_count")).toInt(), vblade ? 16 : 64);
    QCOMPARE(p.value(QStringLiteral("firmware_version")).toInt(), vblade ? 0x4019 : 0x0010);
    QCOMPARE(p.value(QStringLiteral("aoe_version")).toInt(), 1);
    QCOMPARE(p.value(QStringLiteral("max_sectors")).toInt(), payload / 512);
    QCOMPARE(p.value(QStringLiteral("advertised_payload")).toInt(), payload);
    QCOMPARE(p.value(QStringLiteral("mtu_payload")).toInt(), payload);
    QCOMPARE(p.value(QStringLiteral("largest_payload")).toInt(), payload);
    QVERIFY(p.value(QStringLiteral("rtt_us")).toInt() > 0);
    QCOMPARE(p.value(QStringLiteral("warnings")).toArray().size(), 0);
    const QJsonObject id = p.value(QStringLiteral("identify")).toObject();
    QCOMPARE(id.value(QStringLiteral("sectors")).toInteger(), 10000);
    QCOMPARE(id.value(QStringLiteral("lba28_sectors")).toInteger(), 10000);
    QCOMPARE(id.value(QStringLiteral("model")).toString(),
             vblade ? QStringLiteral("Coraid EtherDrive vblade") : QStringLiteral("Etherdisk"));
    QVERIFY(id.value(QStringLiteral("lba48")).toBool());
    QVERIFY(id.value(QStringLiteral("flush_cache")).toBool());
    QCOMPARE(id.value(QStringLiteral("flush_cache_ext")).toBool(), !vblade);
    if (!vblade)
        QCOMPARE(id.value(QStringLiteral("checksum_valid")).toBool(), true);

    // The human form carries the same facts.
    const Run h = ctl(
        { QStringLiteral("probe"), QStringLiteral("e7.2"), QStringLiteral("-i"), m_net->ifB() });
    QVERIFY2(h.exitCode == 0, qPrintable(h.describe()));
    const QString text = QString::fromUtf8(h.out);
    QVERIFY2(text.startsWith(QStringLiteral("e7.2: one path\n")), qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("%1 bytes get through both ways").arg(payload)),
             qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("capacity: 10000 sectors (0.005GB)")), qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("buffer count %1,").arg(vblade ? 16 : 64)),
             qPrintable(text));

    // Nothing was written: the image is still all zeros.
    QFile f(image);
    QVERIFY(f.open(QIODevice::ReadOnly));
    QCOMPARE(f.readAll(), QByteArray(10000 * 512, '\0'));
}

void tst_Etherdiskctl::probeNarrowPath()
{
    // Both ends at MTU 9000, a bridge between them whose port towards the
    // target has MTU 1500: jumbo frames vanish in the middle, in both
    // directions, as behind a switch without jumbo frames.
    QVERIFY(m_net->setMtu(9000));
    const QString br = m_net->linkName(QStringLiteral("br")),
                  x = m_net->linkName(QStringLiteral("px")),
                  y = m_net->linkName(QStringLiteral("py"));
    QString e;
    QVERIFY2(m_net->addVeth(m_net->nsA(), x, m_net->nsA(), y, 9000, &e), qPrintable(e));
    QVERIFY(ipA({ QStringLiteral("link"), QStringLiteral("set"), x, QStringLiteral("mtu"),
                  QStringLiteral("1500") }));
    QVERIFY2(m_net->addBridge(m_net->nsA(), br, 0, { m_net->ifA(), x }, &e), qPrintable(e));
    const QString image = m_dir.filePath(QStringLiteral("narrow.img"));
    QVERIFY(makeImage(image, 4096));
    QVERIFY(startTarget(QStringLiteral("etherdisk"), 8, 1, y, image));

    const Run r =
        ctl({ QStringLiteral("probe"), QStringLiteral("e8.1"), QStringLiteral("-i"), m_net->ifB(),
              QStringLiteral("--json"), QStringLiteral("--timeout"), QStringLiteral("0.5") },
            60000);
    QVERIFY2(r.exitCode == 1, qPrintable(r.describe()));
    const QJsonObject p = r.json().value(QStringLiteral("paths")).toArray().first().toObject();
    QCOMPARE(p.value(QStringLiteral("advertised_payload")).toInt(), 8704);
    QCOMPARE(p.value(QStringLiteral("usable_payload")).toInt(), 8704);
    // 1500 - 22 bytes of AoE and ATA headers: two sectors.
    QCOMPARE(p.value(QStringLiteral("largest_payload")).toInt(), 1024);
    const QJsonArray warnings = p.value(QStringLiteral("warnings")).toArray();
    QVERIFY2(warnings.size() == 1
                 && warnings.first().toString().startsWith(QStringLiteral(
                     "only 1024-byte payloads get through, though both ends allow 8704")),
             r.out.constData());
    QCOMPARE(ipA({ QStringLiteral("link"), QStringLiteral("set"), m_net->ifA(),
                   QStringLiteral("nomaster") }),
             true);
}

void tst_Etherdiskctl::benchVerifiesOnDisk_data()
{
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QString>("mode");
    QTest::newRow("etherdisk seqwrite")
        << QStringLiteral("etherdisk") << QStringLiteral("seqwrite");
    QTest::newRow("etherdisk randwrite")
        << QStringLiteral("etherdisk") << QStringLiteral("randwrite");
    QTest::newRow("vblade seqwrite") << QStringLiteral("vblade") << QStringLiteral("seqwrite");
}

void tst_Etherdiskctl::benchVerifiesOnDisk()
{
    QFETCH(QString, kind);
    QFETCH(QString, mode);
    QVERIFY(m_net->setMtu(9000));
    constexpr qint64 Sectors = 8192;
    const QString image = m_dir.filePath(QStringLiteral("bench.img"));
    QVERIFY(makeImage(image, Sectors));
    QVERIFY(startTarget(kind, 4, 4, m_net->ifA(), image));

    // Verifying reads of a device without the pattern fail: exit 1, and where.
    const Run zero = ctl({ QStringLiteral("bench"), QStringLiteral("e4.4"), QStringLiteral("-i"),
                           m_net->ifB(), QStringLiteral("--seconds"), QStringLiteral("0.3"),
                           QStringLiteral("--verify"), QStringLiteral("--json") });
    QVERIFY2(zero.exitCode == 1, qPrintable(zero.describe()));
    QCOMPARE(zero.json().value(QStringLiteral("ok")).toBool(), false);
    QVERIFY(zero.json()
                .value(QStringLiteral("verify"))
                .toObject()
                .value(QStringLiteral("read_mismatches"))
                .toInteger()
            > 0);

    const QString ackedFile = m_dir.filePath(QStringLiteral("acked-%1-%2").arg(kind, mode));
    const Run w = ctl(
        { QStringLiteral("bench"), QStringLiteral("e4.4"), QStringLiteral("-i"), m_net->ifB(),
          QStringLiteral("--mode"), mode, QStringLiteral("--seconds"), QStringLiteral("1"),
          QStringLiteral("--verify"), QStringLiteral("--destructive"), QStringLiteral("--json"),
          QStringLiteral("--size"), QStringLiteral("4096"), QStringLiteral("--acked"), ackedFile });
    QVERIFY2(w.exitCode == 0, qPrintable(w.describe()));
    const QJsonObject o = w.json();
    QCOMPARE(o.value(QStringLiteral("ok")).toBool(), true);
    QCOMPARE(o.value(QStringLiteral("mode")).toString(), mode);
    QCOMPARE(o.value(QStringLiteral("target")).toString(), QStringLiteral("e4.4"));
    QCOMPARE(o.value(QStringLiteral("request_bytes")).toInt(), 4096);
    QCOMPARE(o.value(QStringLiteral("payload_bytes")).toInt(), 8704);
    QCOMPARE(o.value(QStringLiteral("errors")).toInt(), 0);
    QVERIFY(o.value(QStringLiteral("ios")).toInteger() > 100);
    QVERIFY(o.value(QStringLiteral("mb_per_s")).toDouble() > 0);
    const QJsonObject lat = o.value(QStringLiteral("latency_us")).toObject();
    QVERIFY(lat.value(QStringLiteral("p50")).toInteger() > 0);
    QVERIFY(lat.value(QStringLiteral("p50")).toInteger()
            <= lat.value(QStringLiteral("p99")).toInteger());
    QVERIFY(lat.value(QStringLiteral("p99")).toInteger()
            <= lat.value(QStringLiteral("max")).toInteger());
    const QJsonObject v = o.value(QStringLiteral("verify")).toObject();
    QCOMPARE(v.value(QStringLiteral("verify_mismatches")).toInt(), 0);
    QVERIFY(v.value(QStringLiteral("verified_bytes")).toInteger() > 0);

    QCOMPARE(v.value(QStringLiteral("tested_sectors")).toInteger(), Sectors);

    // On the target's disk, independently of what the target answers: every
    // sector bench saw acknowledged carries the pattern of exactly its own
    // LBA (one that is still zeros is a lost write), every other sector is
    // untouched (zeros).
    Etherdisk::SectorSet acked(Sectors);
    std::string error;
    QVERIFY2(Etherdisk::readSectorSet(ackedFile.toStdString(), &acked, &error), error.c_str());
    QVERIFY(acked.count() > 0);
    QCOMPARE(qint64(acked.count()), v.value(QStringLiteral("acknowledged_sectors")).toInteger());
    QCOMPARE(qint64(acked.count()) * 512, v.value(QStringLiteral("verified_bytes")).toInteger());
    QFile f(image);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QByteArray disk = f.readAll();
    QCOMPARE(disk.size(), Sectors * 512);
    auto readFrom = [](const QByteArray &data) {
        return [&data](std::uint64_t lba, std::uint8_t *out, std::size_t sectors, std::string *) {
            std::memcpy(out, data.constData() + lba * 512, sectors * 512);
            return true;
        };
    };
    Etherdisk::VerifyReport onDisk = Etherdisk::verifyAcknowledged(acked, readFrom(disk));
    QVERIFY2(
        onDisk.ok(),
        qPrintable(QStringLiteral("%1 acknowledged sectors differ on disk, the first at LBA %2")
                       .arg(onDisk.mismatches)
                       .arg(onDisk.firstBadLba)));
    QCOMPARE(onDisk.checkedSectors, acked.count());
    const QByteArray zeroSector(512, '\0');
    for (qint64 lba = 0; lba < Sectors; ++lba)
        if (!acked.contains(std::uint64_t(lba)) && disk.mid(lba * 512, 512) != zeroSector)
            QFAIL(qPrintable(QStringLiteral("LBA %1 was written, but no write of it was "
                                            "acknowledged")
                                 .arg(lba)));
    if (mode == QLatin1String("seqwrite")) {
        // from LBA 0 on, wrapping at the end of the device
        std::uint64_t first = Sectors;
        acked.forEachRun([&first](std::uint64_t lba, std::uint64_t) {
            first = lba;
            return false;
        });
        QCOMPARE(first, 0u);
        QCOMPARE(qint64(acked.count()),
                 std::min<qint64>(o.value(QStringLiteral("ios")).toInteger() * 8, Sectors));
    }

    // The same check sees an acknowledged write that did not reach the
    // disk: one acknowledged 4 KiB block zeroed in a copy of the image.
    std::uint64_t lostLba = 0, seen = 0;
    acked.forEachRun([&](std::uint64_t lba, std::uint64_t sectors) {
        lostLba = lba + sectors / 8 / 2 * 8;
        seen += sectors;
        return seen < acked.count() / 2;
    });
    QByteArray lost = disk;
    lost.replace(qsizetype(lostLba * 512), 4096, QByteArray(4096, '\0'));
    onDisk = Etherdisk::verifyAcknowledged(acked, readFrom(lost));
    QCOMPARE(onDisk.mismatches, 8u);
    QCOMPARE(onDisk.firstBadLba, lostLba);
    QCOMPARE(onDisk.checkedSectors, acked.count());
    const qint64 written = qint64(acked.count()) * 512;

    // And a verified read of what is there now passes for sequential writes
    // that covered the whole device.
    if (mode == QLatin1String("seqwrite") && written == Sectors * 512) {
        const Run r = ctl({ QStringLiteral("bench"), QStringLiteral("e4.4"), QStringLiteral("-i"),
                            m_net->ifB(), QStringLiteral("--seconds"), QStringLiteral("0.5"),
                            QStringLiteral("--verify"), QStringLiteral("--json") });
        QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
        QCOMPARE(r.json()
                     .value(QStringLiteral("verify"))
                     .toObject()
                     .value(QStringLiteral("read_mismatches"))
                     .toInt(),
                 0);
    }
}

// --one-frame behaves as a simple initiator: every frame leaves with a
// system call of its own, and the socket is polled, never slept on. Without
// it, frames leave in batches (fewer send calls than frames) and the program
// sleeps in ppoll. Counted with strace -c.
void tst_Etherdiskctl::benchOneFrame()
{
    ETHERDISK_REQUIRE(EtherdiskTest::haveProgram(QStringLiteral("strace")),
                      QStringLiteral("strace is not installed (it counts the system calls)"));
    const QString image = m_dir.filePath(QStringLiteral("oneframe.img"));
    QVERIFY(makeImage(image, 8192));
    QVERIFY(startTarget(QStringLiteral("etherdisk"), 6, 3, m_net->ifA(), image));
    struct Calls
    {
        qint64 sends = 0, sleeps = 0, ios = 0;
        int window = 0;
        bool oneFrame = false;
    };
    const auto run = [&](bool oneFrame, Calls *c) {
        const QString counts = m_dir.filePath(QStringLiteral("strace-%1").arg(oneFrame));
        // Under ASan, LeakSanitizer stops the process with ptrace at exit,
        // which strace already does: it must stay off for the traced run.
        const QString asan = qEnvironmentVariable("ASAN_OPTIONS");
        QStringList args{ QStringLiteral("-E"),
                          QStringLiteral("ASAN_OPTIONS=%1detect_leaks=0")
                              .arg(asan.isEmpty() ? QString() : asan + QLatin1Char(':')),
                          QStringLiteral("-f"), QStringLiteral("-c"), QStringLiteral("-o"), counts,
                          QStringLiteral("-e"),
                          // ppoll: where the initiator sleeps (libpcap's own
                          // poll() with a zero timeout does not sleep)
                          QStringLiteral("trace=sendmmsg,sendmsg,sendto,ppoll"), ctlBinary(),
                          QStringLiteral("bench"), QStringLiteral("e6.3"), QStringLiteral("-i"),
                          m_net->ifB(), QStringLiteral("--seconds"), QStringLiteral("1"),
                          QStringLiteral("--json") };
        if (oneFrame)
            args << QStringLiteral("--one-frame");
        const Run r =
            EtherdiskTest::runProgram(QStringLiteral("strace"), args, 30000, m_net->nsB());
        QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
        // strace's own summary goes to the file; the JSON is bench's stdout.
        const QJsonObject o = r.json();
        QCOMPARE(o.value(QStringLiteral("ok")).toBool(), true);
        // Window = the target's buffer count.
        QCOMPARE(o.value(QStringLiteral("window")).toInt(),
                 o.value(QStringLiteral("buffer_count")).toInt());
        c->window = o.value(QStringLiteral("window")).toInt();
        c->ios = o.value(QStringLiteral("ios")).toInteger();
        c->oneFrame = o.value(QStringLiteral("one_frame")).toBool();
        QFile f(counts);
        QVERIFY(f.open(QIODevice::ReadOnly));
        // "% time seconds usecs/call calls [errors] syscall"
        for (const QByteArray &line : f.readAll().split('\n')) {
            const QList<QByteArray> w = line.simplified().split(' ');
            if (w.size() < 5 || w.first().startsWith('%') || w.first().startsWith('-'))
                continue;
            const QByteArray name = w.last();
            bool ok = false;
            const qint64 calls = w[3].toLongLong(&ok);
            if (!ok)
                continue;
            if (name.startsWith("send"))
                c->sends += calls;
            else if (name != "total")
                c->sleeps += calls;
        }
    };
    Calls batched, single;
    run(false, &batched);
    if (QTest::currentTestFailed())
        return;
    run(true, &single);
    if (QTest::currentTestFailed())
        return;
    const QString seen = QStringLiteral("batched: %1 requests, %2 send calls, %3 waits; "
                                        "one frame: %4 requests, %5 send calls, %6 waits")
                             .arg(batched.ios)
                             .arg(batched.sends)
                             .arg(batched.sleeps)
                             .arg(single.ios)
                             .arg(single.sends)
                             .arg(single.sleeps);
    qInfo("%s", qPrintable(seen));
    QVERIFY(!batched.oneFrame);
    QVERIFY(single.oneFrame);
    QVERIFY2(batched.ios > 1000 && single.ios > 1000, qPrintable(seen));
    // Each request is one frame (default size): a send per request, except
    // the window's first frames, which leave together, plus open()'s Query
    // Config and IDENTIFY.
    QVERIFY2(single.sends >= single.ios - single.window && single.sends <= single.ios + 10,
             qPrintable(seen));
    // open() waits for the target's answers; the run itself never sleeps.
    QVERIFY2(single.sleeps <= 5, qPrintable(seen));
    // Batched: many frames per send.
    QVERIFY2(batched.sends * 2 < batched.ios, qPrintable(seen));
}

void tst_Etherdiskctl::benchStopsOnSigint()
{
    const QString image = m_dir.filePath(QStringLiteral("sigint.img"));
    QVERIFY(makeImage(image, 4096));
    QVERIFY(startTarget(QStringLiteral("etherdisk"), 6, 1, m_net->ifA(), image));
    QProcess b;
    EtherdiskTest::dieWithParent(&b);
    b.start(
        QStringLiteral("ip"),
        EtherdiskTest::NetnsPair::inNamespace(
            m_net->nsB(), ctlBinary(),
            { QStringLiteral("bench"), QStringLiteral("e6.1"), QStringLiteral("-i"), m_net->ifB(),
              QStringLiteral("--seconds"), QStringLiteral("60"), QStringLiteral("--json") }));
    QVERIFY(b.waitForStarted(5000));
    QTest::qWait(1500);
    QElapsedTimer t;
    t.start();
    ::kill(pid_t(b.processId()), SIGINT);
    QVERIFY(b.waitForFinished(10000));
    QVERIFY2(t.elapsed() < 3000, qPrintable(QString::number(t.elapsed())));
    QCOMPARE(b.exitCode(), 0);
    const QJsonObject o = QJsonDocument::fromJson(b.readAllStandardOutput()).object();
    QCOMPARE(o.value(QStringLiteral("stopped_early")).toBool(), true);
    QVERIFY(o.value(QStringLiteral("seconds")).toDouble() < 10);
    QVERIFY(o.value(QStringLiteral("ios")).toInteger() > 0);
    QCOMPARE(o.value(QStringLiteral("ok")).toBool(), true);
}

void tst_Etherdiskctl::benchSecondSigintEndsIt()
{
    // The target dies mid-run: after the first SIGINT bench waits for the
    // requests in flight (here up to a 60 s deadline); a second SIGINT must
    // end it at once instead of being swallowed by the handler.
    const QString image = m_dir.filePath(QStringLiteral("sigint2.img"));
    QVERIFY(makeImage(image, 4096));
    QProcess *target = startTarget(QStringLiteral("etherdisk"), 6, 2, m_net->ifA(), image);
    QVERIFY(target);
    QProcess b;
    EtherdiskTest::dieWithParent(&b);
    b.start(QStringLiteral("ip"),
            EtherdiskTest::NetnsPair::inNamespace(
                m_net->nsB(), ctlBinary(),
                { QStringLiteral("bench"), QStringLiteral("e6.2"), QStringLiteral("-i"),
                  m_net->ifB(), QStringLiteral("--seconds"), QStringLiteral("60"),
                  QStringLiteral("--deadline"), QStringLiteral("60"), QStringLiteral("--json") }));
    QVERIFY(b.waitForStarted(5000));
    QTest::qWait(1000);
    target->kill();
    target->waitForFinished(5000);
    QTest::qWait(300);
    ::kill(pid_t(b.processId()), SIGINT);
    QVERIFY2(!b.waitForFinished(1500), "bench ended although requests were still in flight");
    QElapsedTimer t;
    t.start();
    ::kill(pid_t(b.processId()), SIGINT);
    QVERIFY(b.waitForFinished(5000));
    QVERIFY2(t.elapsed() < 2000, qPrintable(QString::number(t.elapsed())));
    QCOMPARE(b.exitStatus(), QProcess::CrashExit); // killed by the second SIGINT
}

void tst_Etherdiskctl::capNetRawIsEnough()
{
    // Not root, only CAP_NET_RAW (as a setcap'd binary would have): the
    // commands work, and --target-pid accepts a root-owned process whose
    // /proc/PID/stat is readable even though kill(pid, 0) says EPERM.
    const QString image = m_dir.filePath(QStringLiteral("netraw.img"));
    QVERIFY(makeImage(image, 4096));
    QVERIFY(startTarget(QStringLiteral("etherdisk"), 6, 3, m_net->ifA(), image));
    const QStringList asNobody{
        QStringLiteral("--reuid=65534"),           QStringLiteral("--regid=65534"),
        QStringLiteral("--clear-groups"),          QStringLiteral("--inh-caps=+net_raw"),
        QStringLiteral("--ambient-caps=+net_raw"), ctlBinary()
    };
    auto run = [&](const QStringList &args) {
        QProcess p;
        EtherdiskTest::dieWithParent(&p);
        p.start(QStringLiteral("ip"),
                EtherdiskTest::NetnsPair::inNamespace(m_net->nsB(), QStringLiteral("setpriv"),
                                                      asNobody + args));
        p.waitForFinished(30000);
        Run r;
        r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
        r.out = p.readAllStandardOutput();
        r.err = p.readAllStandardError();
        return r;
    };
    Run r = run({ QStringLiteral("discover"), QStringLiteral("-i"), m_net->ifB(),
                  QStringLiteral("--wait"), QStringLiteral("1"), QStringLiteral("--json") });
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    QVERIFY2(
        !findTarget(r.json().value(QStringLiteral("targets")).toArray(), QStringLiteral("e6.3"))
             .isEmpty(),
        qPrintable(r.describe()));
    r = run({ QStringLiteral("bench"), QStringLiteral("e6.3"), QStringLiteral("-i"), m_net->ifB(),
              QStringLiteral("--seconds"), QStringLiteral("0.3"), QStringLiteral("--target-pid"),
              QStringLiteral("1"), QStringLiteral("--json") });
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    QCOMPARE(r.json().value(QStringLiteral("target_pid")).toInt(), 1);
}

QTEST_GUILESS_MAIN(tst_Etherdiskctl)
#include "tst_etherdiskctl.moc"
