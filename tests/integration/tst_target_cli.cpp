// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
//
// etherdisk-target as users run it: vblade's command line, exit codes,
// --config with SIGHUP reload, SIGTERM and persistence across restarts.
// (What survives a power loss is tst_durability's: kill -9 cannot tell, the
// page cache outlives the process.)

#include "etherdisk/ata.h"
#include "images.h"
#include "netns.h"
#include "peers.h"
#include "process.h"
#include "rawclient.h"
#include "testutil.h"

#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>
#include <sysexits.h>

using namespace Etherdisk;
using namespace Etherdisk::Aoe;
using EtherdiskTest::bytes;
using EtherdiskTest::targetBinary;

namespace {

Frame parsed(const QByteArray &f)
{
    Frame out;
    parseFrame(bytes(f), &out);
    return out;
}

} // namespace

class tst_TargetCli final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void cleanup();

    void help();
    void exitCodes_data();
    void exitCodes();
    void permissionDenied();
    void servesLikeVblade();
    void configStringPersistsAcrossRestart();
    void sighupReloadKeepsUnchangedExports();
    void sigtermStopsCleanly();

private:
    bool startTarget(const QStringList &args);
    int runTarget(const QStringList &args, QString *stderrText);
    QByteArray makeImage(const QString &name, int sectors, char fill);

    std::unique_ptr<EtherdiskTest::NetnsPair> m_net;
    EtherdiskTest::RawClient m_client;
    QTemporaryDir m_dir;
    EtherdiskTest::ProcessSet m_peers; // in namespace A, stopped by cleanup()
    QProcess *m_target = nullptr; // in m_peers
};

void tst_TargetCli::initTestCase()
{
    QVERIFY2(QFile::exists(targetBinary()), qPrintable(targetBinary()));
    QString why;
    ETHERDISK_REQUIRE(EtherdiskTest::canCreateNetns(&why), why);
    m_net = std::make_unique<EtherdiskTest::NetnsPair>(QStringLiteral("cli"), 1500);
    QVERIFY2(m_net->isValid(), qPrintable(m_net->error()));
    QVERIFY(m_net->enter(m_net->nsB()));
    QVERIFY2(m_client.open(m_net->ifB(), &why), qPrintable(why));
}

void tst_TargetCli::cleanupTestCase()
{
    m_net.reset();
}

void tst_TargetCli::cleanup()
{
    m_peers.clear();
    m_target = nullptr;
    m_client.target = {};
}

QByteArray tst_TargetCli::makeImage(const QString &name, int sectors, char fill)
{
    const QByteArray data(sectors * 512, fill);
    return EtherdiskTest::writeImage(m_dir.filePath(name), data) ? data : QByteArray();
}

bool tst_TargetCli::startTarget(const QStringList &args)
{
    m_target = m_peers.start(m_net->nsA(), targetBinary(), args);
    // Serving once it answers a Query Config.
    return m_target && m_client.waitServing(BroadcastShelf, BroadcastSlot, 5000, m_target);
}

int tst_TargetCli::runTarget(const QStringList &args, QString *stderrText)
{
    const EtherdiskTest::Run r = EtherdiskTest::runProgram(targetBinary(), args, 10000);
    *stderrText = QString::fromLocal8Bit(r.err);
    return r.exitCode;
}

void tst_TargetCli::help()
{
    EtherdiskTest::Run r = EtherdiskTest::runProgram(targetBinary(), { QStringLiteral("--help") });
    QVERIFY2(r.ok(), qPrintable(r.describe()));
    const QString out = QString::fromLocal8Bit(r.out);
    QVERIFY(out.contains(QStringLiteral("shelf slot netif")));
    QVERIFY(out.contains(QStringLiteral("--write-mode")));
    r = EtherdiskTest::runProgram(targetBinary(), { QStringLiteral("--version") });
    QVERIFY2(r.ok() && r.out.startsWith("etherdisk-target "), qPrintable(r.describe()));
}

void tst_TargetCli::exitCodes_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<int>("code");
    QTest::addColumn<QString>("message");
    const QString img = m_dir.filePath(QStringLiteral("exit.img"));
    makeImage(QStringLiteral("exit.img"), 64, 'e');
    const QString badConf = m_dir.filePath(QStringLiteral("bad.conf"));
    QFile bc(badConf);
    QVERIFY(bc.open(QIODevice::WriteOnly));
    bc.write("[export 1.2]\npath = /x\ninterfaces = eth0\nbufcount = 4\n");
    bc.close();

    QTest::newRow("no arguments") << QStringList() << EX_USAGE << QStringLiteral("usage:");
    QTest::newRow("three arguments")
        << QStringList{ QStringLiteral("1"), QStringLiteral("2"), QStringLiteral("x") } << EX_USAGE
        << QStringLiteral("usage:");
    QTest::newRow("unknown option") << QStringList{ QStringLiteral("-z") } << EX_USAGE
                                    << QStringLiteral("unknown or incomplete option");
    QTest::newRow("shelf not a number")
        << QStringList{ QStringLiteral("one"), QStringLiteral("2"), QStringLiteral("lo"), img }
        << EX_USAGE << QStringLiteral("invalid shelf \"one\"");
    QTest::newRow("slot 256") << QStringList{ QStringLiteral("1"), QStringLiteral("256"),
                                              QStringLiteral("lo"), img }
                              << EX_USAGE << QStringLiteral("invalid slot");
    QTest::newRow("broadcast shelf")
        << QStringList{ QStringLiteral("65535"), QStringLiteral("1"), QStringLiteral("lo"), img }
        << EX_USAGE << QStringLiteral("broadcast");
    QTest::newRow("buffer count 1")
        << QStringList{ QStringLiteral("-b"), QStringLiteral("1"),  QStringLiteral("1"),
                        QStringLiteral("2"),  QStringLiteral("lo"), img }
        << EX_USAGE << QStringLiteral("too small");
    QTest::newRow("bad mac") << QStringList{ QStringLiteral("-m"), QStringLiteral("zz"),
                                             QStringLiteral("1"),  QStringLiteral("2"),
                                             QStringLiteral("lo"), img }
                             << EX_USAGE << QStringLiteral("invalid MAC address \"zz\"");
    QTest::newRow("bad write mode") << QStringList{ QStringLiteral("--write-mode"),
                                                    QStringLiteral("fast"),
                                                    QStringLiteral("1"),
                                                    QStringLiteral("2"),
                                                    QStringLiteral("lo"),
                                                    img }
                                    << EX_USAGE << QStringLiteral("invalid write mode");
    QTest::newRow("missing file") << QStringList{
        QStringLiteral("1"), QStringLiteral("2"), QStringLiteral("lo"),
        QStringLiteral("/nonexistent/disk.img")
    } << EX_NOINPUT << QStringLiteral("no such file or device: /nonexistent/disk.img");
    QTest::newRow("missing interface")
        << QStringList{ QStringLiteral("--state-dir="), QStringLiteral("1"), QStringLiteral("2"),
                        QStringLiteral("nosuchif0"), img }
        << EX_UNAVAILABLE << QStringLiteral("no such network interface: nosuchif0");
    QTest::newRow("offset beyond the file")
        << QStringList{ QStringLiteral("-o"), QStringLiteral("64"), QStringLiteral("1"),
                        QStringLiteral("2"),  QStringLiteral("lo"), img }
        << EX_USAGE << QStringLiteral("leaves nothing to export");
    QTest::newRow("config with error")
        << QStringList{ QStringLiteral("--config"), badConf } << EX_CONFIG
        << QStringLiteral("line 4: unknown key \"bufcount\"");
    QTest::newRow("missing config")
        << QStringList{ QStringLiteral("--config"), QStringLiteral("/nonexistent.conf") }
        << EX_NOINPUT << QStringLiteral("/nonexistent.conf");
}

void tst_TargetCli::exitCodes()
{
    QFETCH(QStringList, args);
    QFETCH(int, code);
    QFETCH(QString, message);
    QString err;
    QCOMPARE(runTarget(args, &err), code);
    QVERIFY2(err.contains(message), qPrintable(err));
}

void tst_TargetCli::permissionDenied()
{
    ETHERDISK_REQUIRE(EtherdiskTest::haveProgram(QStringLiteral("setpriv")),
                      QStringLiteral("setpriv missing"));
    // An unprivileged user can neither open a root-only image for writing
    // nor capture frames: distinct exit code and a message saying what to do.
    QFile::setPermissions(m_dir.path(),
                          QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner
                              | QFileDevice::ReadOther | QFileDevice::ExeOther);
    makeImage(QStringLiteral("private.img"), 64, 'p');
    QFile::setPermissions(m_dir.filePath(QStringLiteral("private.img")),
                          QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    QProcess p;
    EtherdiskTest::dieWithParent(&p);
    p.start(QStringLiteral("setpriv"),
            { QStringLiteral("--reuid=nobody"), QStringLiteral("--regid=nogroup"),
              QStringLiteral("--clear-groups"), targetBinary(), QStringLiteral("1"),
              QStringLiteral("2"), QStringLiteral("lo"),
              m_dir.filePath(QStringLiteral("private.img")) });
    QVERIFY(p.waitForFinished(10000));
    const QString err = QString::fromLocal8Bit(p.readAllStandardError());
    QCOMPARE(p.exitCode(), EX_NOPERM);
    QVERIFY2(err.contains(QStringLiteral("permission denied")), qPrintable(err));
    // Readable image, but no CAP_NET_RAW.
    makeImage(QStringLiteral("public.img"), 64, 'q');
    p.start(QStringLiteral("setpriv"),
            { QStringLiteral("--reuid=nobody"), QStringLiteral("--regid=nogroup"),
              QStringLiteral("--clear-groups"), targetBinary(), QStringLiteral("-r"),
              QStringLiteral("1"), QStringLiteral("2"), QStringLiteral("lo"),
              m_dir.filePath(QStringLiteral("public.img")) });
    QVERIFY(p.waitForFinished(10000));
    const QString err2 = QString::fromLocal8Bit(p.readAllStandardError());
    QCOMPARE(p.exitCode(), EX_NOPERM);
    QVERIFY2(err2.contains(QStringLiteral("CAP_NET_RAW")), qPrintable(err2));
}

void tst_TargetCli::servesLikeVblade()
{
    const QByteArray data = makeImage(QStringLiteral("vb.img"), 2048, 'v');
    QVERIFY(startTarget({ QStringLiteral("-b"), QStringLiteral("24"), QStringLiteral("-o"),
                          QStringLiteral("8"), QStringLiteral("-l"), QStringLiteral("1024"),
                          QStringLiteral("--state-dir="), QStringLiteral("2"), QStringLiteral("7"),
                          m_net->ifA(), m_dir.filePath(QStringLiteral("vb.img")) }));
    auto rsp = m_client.exchange(m_client.configRequest(2, 7, ConfigCommand::Read));
    QCOMPARE(rsp.size(), std::size_t(1));
    QCOMPARE(parsed(rsp[0]).config.bufferCount, 24);
    rsp = m_client.exchange(m_client.ataRequest(2, 7, Ata::CmdIdentifyDevice, 0, 1));
    QCOMPARE(rsp.size(), std::size_t(1));
    const Ata::IdentifyInfo id = Ata::parseIdentify(parsed(rsp[0]).data.first<Ata::IdentifySize>());
    QCOMPARE(id.sectors, std::uint64_t(1024)); // -l
}

void tst_TargetCli::configStringPersistsAcrossRestart()
{
    makeImage(QStringLiteral("persist.img"), 64, 'c');
    const QString state = m_dir.filePath(QStringLiteral("state"));
    const QStringList args = {
        QStringLiteral("--state-dir"), state,        QStringLiteral("4"),
        QStringLiteral("4"),           m_net->ifA(), m_dir.filePath(QStringLiteral("persist.img"))
    };
    QVERIFY(startTarget(args));
    auto rsp = m_client.exchange(m_client.configRequest(4, 4, ConfigCommand::Set, "cluster-7"));
    QCOMPARE(rsp.size(), std::size_t(1));
    QVERIFY(!parsed(rsp[0]).header.isError());
    m_target->terminate();
    QVERIFY(m_target->waitForFinished(5000));
    cleanup();
    QVERIFY(startTarget(args));
    rsp = m_client.exchange(m_client.configRequest(4, 4, ConfigCommand::Read));
    QCOMPARE(rsp.size(), std::size_t(1));
    const Frame f = parsed(rsp[0]);
    QCOMPARE(QByteArray(reinterpret_cast<const char *>(f.config.configString.data()),
                        qsizetype(f.config.configString.size())),
             QByteArray("cluster-7"));
}

void tst_TargetCli::sighupReloadKeepsUnchangedExports()
{
    makeImage(QStringLiteral("r1.img"), 64, '1');
    makeImage(QStringLiteral("r2.img"), 64, '2');
    makeImage(QStringLiteral("r3.img"), 64, '3');
    const QString conf = m_dir.filePath(QStringLiteral("exports.conf"));
    auto writeConf = [&](const QStringList &sections) {
        QFile f(conf);
        QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
        for (const QString &s : sections)
            f.write(s.toUtf8());
    };
    const QString e1 = QStringLiteral("[export 5.1]\npath = %1\ninterfaces = %2\n")
                           .arg(m_dir.filePath(QStringLiteral("r1.img")), m_net->ifA());
    const QString e2 = QStringLiteral("[export 5.2]\npath = %1\ninterfaces = %2\n")
                           .arg(m_dir.filePath(QStringLiteral("r2.img")), m_net->ifA());
    const QString e3 =
        QStringLiteral("[export 5.3]\npath = %1\ninterfaces = %2\nread-only = true\n")
            .arg(m_dir.filePath(QStringLiteral("r3.img")), m_net->ifA());
    writeConf({ e1, e2 });
    m_target = m_peers.start(m_net->nsA(), targetBinary(),
                             { QStringLiteral("--config"), conf, QStringLiteral("--state-dir=") },
                             EtherdiskTest::Output::Keep);
    QVERIFY(m_target);
    QTRY_VERIFY_WITH_TIMEOUT(
        m_client.exchange(m_client.configRequest(5, 1, ConfigCommand::Read), 1, 100).size() == 1,
        5000);
    // Give e5.1 a config string: it must survive the reload (not restarted).
    QCOMPARE(m_client.exchange(m_client.configRequest(5, 1, ConfigCommand::Set, "keep")).size(),
             std::size_t(1));
    writeConf({ e1, e3 }); // e5.2 goes, e5.3 comes
    ::kill(qint64(m_target->processId()), SIGHUP);
    QTRY_VERIFY_WITH_TIMEOUT(
        m_client.exchange(m_client.configRequest(5, 3, ConfigCommand::Read), 1, 100).size() == 1,
        5000);
    QCOMPARE(m_client.exchange(m_client.configRequest(5, 2, ConfigCommand::Read), 1, 300).size(),
             std::size_t(0));
    const auto rsp = m_client.exchange(m_client.configRequest(5, 1, ConfigCommand::Read));
    QCOMPARE(rsp.size(), std::size_t(1));
    QCOMPARE(parsed(rsp[0]).config.configString.size(), std::size_t(4));
    // A broken file is refused and everything keeps serving.
    writeConf({ QStringLiteral("[export 5.9]\nnonsense\n") });
    ::kill(qint64(m_target->processId()), SIGHUP);
    QTest::qWait(300);
    QCOMPARE(m_client.exchange(m_client.configRequest(5, 3, ConfigCommand::Read)).size(),
             std::size_t(1));
    QCOMPARE(m_client.exchange(m_client.configRequest(5, 1, ConfigCommand::Read)).size(),
             std::size_t(1));
    m_target->terminate();
    QVERIFY(m_target->waitForFinished(5000));
    const QString log = QString::fromLocal8Bit(m_target->readAll());
    QVERIFY2(
        log.contains(QStringLiteral("reload failed, still serving the previous configuration")),
        qPrintable(log));
    QVERIFY2(log.contains(QStringLiteral("line 2: expected \"key = value\"")), qPrintable(log));
    QCOMPARE(log.count(QStringLiteral("e5.1 serving")), 1); // never restarted
}

void tst_TargetCli::sigtermStopsCleanly()
{
    makeImage(QStringLiteral("term.img"), 64, 't');
    QVERIFY(startTarget({ QStringLiteral("--state-dir="), QStringLiteral("6"), QStringLiteral("1"),
                          m_net->ifA(), m_dir.filePath(QStringLiteral("term.img")) }));
    m_target->terminate();
    QVERIFY(m_target->waitForFinished(5000));
    QCOMPARE(m_target->exitStatus(), QProcess::NormalExit);
    QCOMPARE(m_target->exitCode(), 0);
    QCOMPARE(m_client.exchange(m_client.configRequest(6, 1, ConfigCommand::Read), 1, 300).size(),
             std::size_t(0));
}

QTEST_GUILESS_MAIN(tst_TargetCli)
#include "tst_target_cli.moc"
