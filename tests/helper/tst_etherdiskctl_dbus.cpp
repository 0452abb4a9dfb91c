// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
//
// etherdiskctl's D-Bus commands (list, exports, export, unexport, set,
// attach, detach, monitor) run as a user runs them, against the real
// etherdisk-helper on a private system bus with a real polkitd
// (tests/helper/start-test-bus.sh; DBUS_SYSTEM_BUS_ADDRESS points
// etherdiskctl at it), the helper bus-activated in namespace A of a veth
// pair, initiators (aoeping, our Initiator) on B. Another user is a real
// process of uid nobody (setpriv); a terminal is a real pty (script(1)).
// What would make each test fail is said at the test.
#include "images.h"
#include "netns.h"
#include "peers.h"
#include "process.h"
#include "testutil.h"

#include "etherdisk/initiator.h"

#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QScopeGuard>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>
#include <sys/stat.h>

using namespace EtherdiskTest;

namespace {

constexpr qint64 ImageSectors = 2048; // 1 MiB

QString helperBinary()
{
    return QStringLiteral(ETHERDISK_BINARY_DIR "/app/etherdisk-helper/etherdisk-helper");
}
QString busScript()
{
    return QStringLiteral(ETHERDISK_SOURCE_DIR "/tests/helper/start-test-bus.sh");
}

const QString HowToStart = QStringLiteral(
    "etherdisk-helper is not running and could not be started: is the etherdisk-helper package "
    "installed? (systemctl status etherdisk-helper)");

} // namespace

class tst_EtherdiskctlDBus final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void cleanup();

    void badArguments_data();
    void badArguments();
    void helperUnreachable();
    void exportServesExactBytes();
    void exportsOutput();
    void setAndUnexport();
    void blockDevice();
    void listWithoutTargets();
    void monitorSeesChanges();
    void otherUserRefused();
    void passwordPromptInTerminal();

private:
    // etherdiskctl ARGS as root (or through setpriv as nobody), on the test bus.
    Run ctl(const QStringList &args, const QString &address = {});
    Run ctlAsNobody(const QStringList &args, const QString &path = {});
    QProcessEnvironment env(const QString &address = {}) const;
    QString makeImage(const QString &name, int seed);
    QJsonObject exportsJson();
    bool aoepingFinds(int shelf, int slot);

    std::unique_ptr<NetnsPair> m_net;
    QTemporaryDir m_tmp{ QStringLiteral("/tmp/ed-ctldbus-XXXXXX") };
    QString m_busDir;
    QString m_address;
    bool m_busUp = false;
    QStringList m_loops;
};

void tst_EtherdiskctlDBus::initTestCase()
{
    ETHERDISK_REQUIRE(isRoot(), QStringLiteral("needs root (a system bus, polkitd, namespaces)"));
    QString why;
    ETHERDISK_REQUIRE(canCreateNetns(&why), why);
    for (const QString &p :
         { QStringLiteral("dbus-daemon"), QStringLiteral("setpriv"), QStringLiteral("aoeping"),
           QStringLiteral("script"), QStringLiteral("pkttyagent"), QStringLiteral("losetup") })
        ETHERDISK_REQUIRE(haveProgram(p), QStringLiteral("%1 is not installed").arg(p));
    ETHERDISK_REQUIRE(QFile::exists(QStringLiteral("/usr/lib/polkit-1/polkitd")),
                      QStringLiteral("polkitd is not installed (Debian package polkitd)"));
    QVERIFY(m_tmp.isValid());
    QVERIFY(::chmod(QFile::encodeName(m_tmp.path()).constData(), 0755) == 0);
    m_net = std::make_unique<NetnsPair>(QStringLiteral("ctldbus"));
    QVERIFY2(m_net->isValid(), qPrintable(m_net->error()));
    m_busDir = m_tmp.filePath(QStringLiteral("bus"));
    const Run r = runProgram(busScript(),
                             { QStringLiteral("start"), m_busDir, helperBinary(), m_net->nsA() });
    QVERIFY2(r.ok(), qPrintable(r.describe()));
    m_busUp = true;
    m_address = QString::fromLocal8Bit(r.out).trimmed();
    QVERIFY2(m_net->enter(m_net->nsB()), qPrintable(m_net->error()));
}

void tst_EtherdiskctlDBus::cleanupTestCase()
{
    if (m_net)
        m_net->enterOriginal();
    if (m_busUp) {
        const Run r = runProgram(busScript(), { QStringLiteral("stop"), m_busDir });
        if (!r.ok())
            qWarning("%s", qPrintable(r.describe()));
    }
}

void tst_EtherdiskctlDBus::cleanup()
{
    if (!m_busUp)
        return;
    const QJsonObject all = exportsJson();
    for (const QJsonValue &e : all.value(QStringLiteral("exports")).toArray())
        ctl({ QStringLiteral("unexport"),
              e.toObject().value(QStringLiteral("target")).toString() });
    for (const QString &l : std::as_const(m_loops))
        runProgram(QStringLiteral("losetup"), { QStringLiteral("-d"), l });
    m_loops.clear();
}

QProcessEnvironment tst_EtherdiskctlDBus::env(const QString &address) const
{
    QProcessEnvironment e = QProcessEnvironment::systemEnvironment();
    e.insert(QStringLiteral("DBUS_SYSTEM_BUS_ADDRESS"), address.isEmpty() ? m_address : address);
    return e;
}

Run tst_EtherdiskctlDBus::ctl(const QStringList &args, const QString &address)
{
    return runProgram(ctlBinary(), args, 40000, {}, env(address));
}

Run tst_EtherdiskctlDBus::ctlAsNobody(const QStringList &args, const QString &path)
{
    QStringList all = { QStringLiteral("--reuid=nobody"), QStringLiteral("--regid=nogroup"),
                        QStringLiteral("--clear-groups"), ctlBinary() };
    all += args;
    QProcessEnvironment e = env();
    if (!path.isEmpty())
        e.insert(QStringLiteral("PATH"), path);
    return runProgram(QStringLiteral("setpriv"), all, 40000, {}, e);
}

QString tst_EtherdiskctlDBus::makeImage(const QString &name, int seed)
{
    const QString path = m_tmp.filePath(name);
    if (!makePatternImage(path, ImageSectors, seed))
        return {};
    ::chmod(QFile::encodeName(path).constData(), 0666);
    return path;
}

QJsonObject tst_EtherdiskctlDBus::exportsJson()
{
    const Run r = ctl({ QStringLiteral("exports"), QStringLiteral("--json") });
    if (!r.ok())
        qWarning("%s", qPrintable(r.describe()));
    return r.json();
}

bool tst_EtherdiskctlDBus::aoepingFinds(int shelf, int slot)
{
    const Run r = runProgram(QStringLiteral("aoeping"),
                             { QStringLiteral("-s"), QStringLiteral("2"), QString::number(shelf),
                               QString::number(slot), m_net->ifB() },
                             10000, m_net->nsB());
    return r.ok();
}

void tst_EtherdiskctlDBus::badArguments_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("message");
    const QString img = QStringLiteral("IMG");
    const QString i = QStringLiteral("-i");
    const QString ifc = QStringLiteral("eth0");
    auto row = [](const char *name, const QStringList &args, const char *message) {
        QTest::newRow(name) << args << QString::fromLatin1(message);
    };
    row("export: target without slot",
        { QStringLiteral("export"), img, QStringLiteral("e1"), i, ifc }, "invalid target \"e1\"");
    row("export: broadcast shelf",
        { QStringLiteral("export"), img, QStringLiteral("e65535.1"), i, ifc }, "invalid target");
    row("export: broadcast slot",
        { QStringLiteral("export"), img, QStringLiteral("e1.255"), i, ifc }, "invalid target");
    row("export: letters", { QStringLiteral("export"), img, QStringLiteral("eX.Y"), i, ifc },
        "invalid target");
    row("export: no -i", { QStringLiteral("export"), img, QStringLiteral("e1.2") },
        "on which network interface");
    row("export: no target", { QStringLiteral("export"), img, i, ifc }, "missing eSHELF.SLOT");
    row("export: bad MAC",
        { QStringLiteral("export"), img, QStringLiteral("e1.2"), i, ifc, QStringLiteral("--allow"),
          QStringLiteral("02:ae:00:00:00") },
        "invalid MAC address \"02:ae:00:00:00\"");
    row("export: group MAC",
        { QStringLiteral("export"), img, QStringLiteral("e1.2"), i, ifc, QStringLiteral("--allow"),
          QStringLiteral("01:00:5e:00:00:01") },
        "not a group address");
    row("export: bad write mode",
        { QStringLiteral("export"), img, QStringLiteral("e1.2"), i, ifc,
          QStringLiteral("--write-mode"), QStringLiteral("fast") },
        "invalid --write-mode \"fast\"");
    row("export: unknown option",
        { QStringLiteral("export"), img, QStringLiteral("e1.2"), i, ifc,
          QStringLiteral("--speed") },
        "Unknown option 'speed'");
    row("unexport: no target", { QStringLiteral("unexport") }, "missing eSHELF.SLOT");
    row("unexport: bad target", { QStringLiteral("unexport"), QStringLiteral("1.2.3") },
        "invalid target");
    row("unexport: --force",
        { QStringLiteral("unexport"), QStringLiteral("e1.2"), QStringLiteral("--force") },
        "Unknown option 'force'");
    row("set: nothing to change", { QStringLiteral("set"), QStringLiteral("e1.2") },
        "nothing to change");
    row("set: read-only and read-write",
        { QStringLiteral("set"), QStringLiteral("e1.2"), QStringLiteral("--read-only"),
          QStringLiteral("--read-write") },
        "exclude each other");
    row("set: allow and allow-all",
        { QStringLiteral("set"), QStringLiteral("e1.2"), QStringLiteral("--allow"),
          QStringLiteral("02:ae:00:00:00:01"), QStringLiteral("--allow-all") },
        "exclude each other");
    row("set: bad MAC",
        { QStringLiteral("set"), QStringLiteral("e1.2"), QStringLiteral("--allow"),
          QStringLiteral("zz") },
        "invalid MAC address \"zz\"");
    row("set: bad write mode",
        { QStringLiteral("set"), QStringLiteral("e1.2"), QStringLiteral("--write-mode"),
          QStringLiteral("async") },
        "invalid --write-mode");
    row("attach: bad target", { QStringLiteral("attach"), QStringLiteral("e1.x") },
        "invalid target");
    row("attach: two targets",
        { QStringLiteral("attach"), QStringLiteral("e1.2"), QStringLiteral("e1.3") },
        "unexpected argument \"e1.3\"");
    row("detach: no target", { QStringLiteral("detach") }, "missing eSHELF.SLOT");
    row("list: argument", { QStringLiteral("list"), QStringLiteral("e1.2") },
        "unexpected argument");
    row("monitor: argument", { QStringLiteral("monitor"), QStringLiteral("now") },
        "unexpected argument");
}

// Every kind of bad command line is refused with exit 64 and a message
// saying what is wrong, before any bus call: the bus address points at
// nothing, so a call would end with 69 instead. Fails if a check is
// missing (the helper would be asked) or says the wrong thing.
void tst_EtherdiskctlDBus::badArguments()
{
    QFETCH(QStringList, args);
    QFETCH(QString, message);
    const QString image = makeImage(QStringLiteral("bad.img"), 1);
    for (QString &a : args) {
        if (a == QLatin1String("IMG"))
            a = image;
    }
    const Run r =
        ctl(args, QStringLiteral("unix:path=") + m_tmp.filePath(QStringLiteral("nothing")));
    QVERIFY2(r.started && r.finished && r.exitCode == 64, qPrintable(r.describe()));
    QVERIFY2(QString::fromLocal8Bit(r.err).contains(message), qPrintable(r.describe()));
    QVERIFY2(r.err.contains("usage: etherdiskctl"), qPrintable(r.describe()));
    QVERIFY2(r.out.isEmpty(), qPrintable(r.describe()));
}

// No helper: (1) the bus address names nothing (no bus), (2) a bus where
// the helper cannot start (its activation runs /bin/false). Every command
// says how to start it and exits 69. Fails if the error is shown raw, the
// exit status is 0 or the wrong code, or a command hangs.
void tst_EtherdiskctlDBus::helperUnreachable()
{
    const QString image = makeImage(QStringLiteral("unreachable.img"), 2);
    const QList<QStringList> commands = {
        { QStringLiteral("exports") },
        { QStringLiteral("list"), QStringLiteral("--json") },
        { QStringLiteral("monitor") },
        { QStringLiteral("export"), image, QStringLiteral("e1.2"), QStringLiteral("-i"),
          m_net->ifA() },
        { QStringLiteral("unexport"), QStringLiteral("e1.2") },
        { QStringLiteral("attach"), QStringLiteral("e1.2") },
    };
    const QString nothing =
        QStringLiteral("unix:path=") + m_tmp.filePath(QStringLiteral("nothing"));
    for (const QStringList &c : commands) {
        const Run r = ctl(c, nothing);
        QVERIFY2(r.started && r.finished && r.exitCode == 69, qPrintable(r.describe()));
        QVERIFY2(QString::fromLocal8Bit(r.err).contains(HowToStart), qPrintable(r.describe()));
    }

    const QString deadDir = m_tmp.filePath(QStringLiteral("deadbus"));
    const Run bus =
        runProgram(busScript(), { QStringLiteral("start"), deadDir, QStringLiteral("/bin/false") });
    QVERIFY2(bus.ok(), qPrintable(bus.describe()));
    const auto stopBus = qScopeGuard([&] {
        runProgram(busScript(), { QStringLiteral("stop"), deadDir });
    });
    const QString dead = QString::fromLocal8Bit(bus.out).trimmed();
    for (const QStringList &c : commands) {
        const Run r = ctl(c, dead);
        QVERIFY2(r.started && r.finished && r.exitCode == 69, qPrintable(r.describe()));
        QVERIFY2(QString::fromLocal8Bit(r.err).contains(HowToStart), qPrintable(r.describe()));
        // The bus's own reason follows.
        QVERIFY2(r.err.contains("org.freedesktop.DBus.Error.Spawn."), qPrintable(r.describe()));
    }
}

// export of an image file (opened by etherdiskctl, passed as a
// descriptor): --json names the target and object; aoeping and our
// Initiator on B read exactly the image's bytes. Fails if the descriptor
// is not passed or not the file named, or the output is wrong.
void tst_EtherdiskctlDBus::exportServesExactBytes()
{
    const QString image = makeImage(QStringLiteral("serve.img"), 7);
    const Run r = ctl({ QStringLiteral("export"), image, QStringLiteral("e3.4"),
                        QStringLiteral("-i"), m_net->ifA(), QStringLiteral("--json") });
    QVERIFY2(r.ok(), qPrintable(r.describe()));
    const QJsonObject o = r.json();
    QCOMPARE(o.value(QStringLiteral("target")).toString(), QStringLiteral("e3.4"));
    QCOMPARE(o.value(QStringLiteral("object")).toString(),
             QStringLiteral("/org/etherdisk/Etherdisk1/exports/3_4"));
    QCOMPARE(o.size(), 2);
    QVERIFY2(aoepingFinds(3, 4), "aoeping got no answer");

    std::string error;
    Etherdisk::Initiator::Options opt;
    opt.interface = m_net->ifB().toStdString();
    opt.shelf = 3;
    opt.slot = 4;
    auto initiator = Etherdisk::Initiator::open(opt, &error);
    QVERIFY2(initiator, error.c_str());
    QCOMPARE(initiator->target().sectors, std::uint64_t(ImageSectors));
    QByteArray data(ImageSectors * 512, 0);
    QVERIFY2(
        initiator->read(
            0, { reinterpret_cast<std::uint8_t *>(data.data()), std::size_t(data.size()) }, &error),
        error.c_str());
    QVERIFY2(data == readImage(image), "the bytes read over AoE differ from the image");

    // Text output, the same again: the address is taken (exit 75, the helper's words).
    const Run again = ctl({ QStringLiteral("export"), image, QStringLiteral("e3.4"),
                            QStringLiteral("-i"), m_net->ifA() });
    QVERIFY2(again.started && again.finished && again.exitCode == 75, qPrintable(again.describe()));
    QVERIFY2(again.err.startsWith("etherdiskctl: ") && again.err.contains("e3.4"),
             qPrintable(again.describe()));
    // A missing file: exit 66, nothing asked.
    const Run missing = ctl({ QStringLiteral("export"), m_tmp.filePath(QStringLiteral("nope.img")),
                              QStringLiteral("e3.5"), QStringLiteral("-i"), m_net->ifA() });
    QVERIFY2(missing.started && missing.finished && missing.exitCode == 66,
             qPrintable(missing.describe()));
    QVERIFY2(missing.err.contains("No such file"), qPrintable(missing.describe()));
    // The helper's InvalidArgument: exit 65 with its message.
    const Run badIf = ctl({ QStringLiteral("export"), image, QStringLiteral("e3.6"),
                            QStringLiteral("-i"), QStringLiteral("nosuch0") });
    QVERIFY2(badIf.started && badIf.finished && badIf.exitCode == 65, qPrintable(badIf.describe()));
    QVERIFY2(badIf.err.contains("no network interface"), qPrintable(badIf.describe()));
}

// exports: --json field by field for an export with every setting, and
// the text table (header and row). Fails if a field is missing, misnamed
// or wrong, or the table loses a column.
void tst_EtherdiskctlDBus::exportsOutput()
{
    const QString image = makeImage(QStringLiteral("settings.img"), 8);
    const Run r =
        ctl({ QStringLiteral("export"), image, QStringLiteral("e3.7"), QStringLiteral("-i"),
              m_net->ifA(), QStringLiteral("--read-only"), QStringLiteral("--allow"),
              QStringLiteral("02:AE:00:00:00:01"), QStringLiteral("--allow"),
              QStringLiteral("02:ae:00:00:00:02"), QStringLiteral("--write-mode"),
              QStringLiteral("sync"), QStringLiteral("--persistent") });
    QVERIFY2(r.ok(), qPrintable(r.describe()));
    QCOMPARE(QString::fromLocal8Bit(r.out).trimmed(),
             QStringLiteral("Exported %1 as e3.7 on %2.").arg(image, m_net->ifA()));

    const QJsonArray list = exportsJson().value(QStringLiteral("exports")).toArray();
    QCOMPARE(list.size(), 1);
    const QJsonObject e = list.at(0).toObject();
    QCOMPARE(e.value(QStringLiteral("target")).toString(), QStringLiteral("e3.7"));
    QCOMPARE(e.value(QStringLiteral("shelf")).toInt(), 3);
    QCOMPARE(e.value(QStringLiteral("slot")).toInt(), 7);
    QCOMPARE(e.value(QStringLiteral("object")).toString(),
             QStringLiteral("/org/etherdisk/Etherdisk1/exports/3_7"));
    QCOMPARE(e.value(QStringLiteral("source")).toString(), image);
    QCOMPARE(e.value(QStringLiteral("interfaces")).toArray(), QJsonArray{ m_net->ifA() });
    QCOMPARE(e.value(QStringLiteral("size_bytes")).toInteger(), ImageSectors * 512);
    QCOMPARE(e.value(QStringLiteral("read_only")).toBool(false), true);
    QCOMPARE(e.value(QStringLiteral("write_mode")).toString(), QStringLiteral("sync"));
    QCOMPARE(
        e.value(QStringLiteral("allowed_macs")).toArray(),
        QJsonArray({ QStringLiteral("02:ae:00:00:00:01"), QStringLiteral("02:ae:00:00:00:02") }));
    QCOMPARE(e.value(QStringLiteral("persistent")).toBool(false), true);
    QCOMPARE(e.value(QStringLiteral("state")).toString(), QStringLiteral("serving"));
    QCOMPARE(e.value(QStringLiteral("last_error")).toString(QStringLiteral("x")), QString());
    QCOMPARE(e.value(QStringLiteral("clients")).toArray(), QJsonArray());
    for (const char *counter :
         { "bytes_read", "bytes_written", "read_requests", "write_requests", "errors" })
        QVERIFY2(e.value(QLatin1String(counter)).isDouble()
                     && e.value(QLatin1String(counter)).toInteger() == 0,
                 counter);
    QCOMPARE(e.size(), 19);

    const Run text = ctl({ QStringLiteral("exports") });
    QVERIFY2(text.ok(), qPrintable(text.describe()));
    const QStringList lines =
        QString::fromLocal8Bit(text.out).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 2);
    QCOMPARE(lines[0].simplified(),
             QStringLiteral("TARGET SOURCE INTERFACES SIZE MODE ALLOW CLIENTS STATE"));
    QCOMPARE(
        lines[1].simplified(),
        QStringLiteral(
            "e3.7 %1 %2 0.001GB ro,sync,persistent 02:ae:00:00:00:01,02:ae:00:00:00:02 0 serving")
            .arg(image, m_net->ifA()));
}

// set changes each setting (seen in exports --json and exports.conf);
// unexport stops serving; unexport and set of what is not exported say
// so (exit 66). Fails if an option is not passed or mis-mapped.
void tst_EtherdiskctlDBus::setAndUnexport()
{
    const QString image = makeImage(QStringLiteral("set.img"), 9);
    // Opened read-only (--read-only): it cannot become writable; the
    // helper says so (exit 65) and nothing changes.
    QVERIFY(ctl({ QStringLiteral("export"), image, QStringLiteral("e3.8"), QStringLiteral("-i"),
                  m_net->ifA(), QStringLiteral("--read-only") })
                .ok());
    Run r = ctl({ QStringLiteral("set"), QStringLiteral("e3.8"), QStringLiteral("--read-write") });
    QVERIFY2(r.started && r.finished && r.exitCode == 65, qPrintable(r.describe()));
    QVERIFY2(r.err.contains("was opened read-only"), qPrintable(r.describe()));
    QCOMPARE(exportsJson()
                 .value(QStringLiteral("exports"))
                 .toArray()
                 .at(0)
                 .toObject()
                 .value(QStringLiteral("read_only"))
                 .toBool(false),
             true);
    QVERIFY(ctl({ QStringLiteral("unexport"), QStringLiteral("e3.8") }).ok());

    QVERIFY(ctl({ QStringLiteral("export"), image, QStringLiteral("e3.8"), QStringLiteral("-i"),
                  m_net->ifA(), QStringLiteral("--persistent"), QStringLiteral("--allow"),
                  QStringLiteral("02:ae:00:00:00:01") })
                .ok());
    r = ctl({ QStringLiteral("set"), QStringLiteral("e3.8"), QStringLiteral("--read-only") });
    QVERIFY2(r.ok(), qPrintable(r.describe()));
    r = ctl({ QStringLiteral("set"), QStringLiteral("e3.8"), QStringLiteral("--read-write"),
              QStringLiteral("--allow-all"), QStringLiteral("--write-mode"),
              QStringLiteral("direct"), QStringLiteral("--no-persistent"),
              QStringLiteral("--json") });
    QVERIFY2(r.ok(), qPrintable(r.describe()));
    QCOMPARE(r.json().value(QStringLiteral("target")).toString(), QStringLiteral("e3.8"));
    QJsonObject e = exportsJson().value(QStringLiteral("exports")).toArray().at(0).toObject();
    QCOMPARE(e.value(QStringLiteral("read_only")).toBool(true), false);
    QCOMPARE(e.value(QStringLiteral("allowed_macs")).toArray(), QJsonArray());
    QCOMPARE(e.value(QStringLiteral("write_mode")).toString(), QStringLiteral("direct"));
    QCOMPARE(e.value(QStringLiteral("persistent")).toBool(true), false);
    QFile conf(m_busDir + QStringLiteral("/exports.conf"));
    QVERIFY(conf.open(QIODevice::ReadOnly));
    QVERIFY(!conf.readAll().contains("[export 3.8]"));
    conf.close();

    r = ctl({ QStringLiteral("set"), QStringLiteral("e3.8"), QStringLiteral("--read-only"),
              QStringLiteral("--allow"), QStringLiteral("02:ae:00:00:00:09"),
              QStringLiteral("--persistent") });
    QVERIFY2(r.ok(), qPrintable(r.describe()));
    QCOMPARE(QString::fromLocal8Bit(r.out).trimmed(),
             QStringLiteral("Changed the settings of e3.8."));
    e = exportsJson().value(QStringLiteral("exports")).toArray().at(0).toObject();
    QCOMPARE(e.value(QStringLiteral("read_only")).toBool(false), true);
    QCOMPARE(e.value(QStringLiteral("allowed_macs")).toArray(),
             QJsonArray{ QStringLiteral("02:ae:00:00:00:09") });
    QCOMPARE(e.value(QStringLiteral("write_mode")).toString(), QStringLiteral("direct"));
    QCOMPARE(e.value(QStringLiteral("persistent")).toBool(false), true);
    QVERIFY(conf.open(QIODevice::ReadOnly));
    QVERIFY(conf.readAll().contains("[export 3.8]"));
    conf.close();

    r = ctl({ QStringLiteral("unexport"), QStringLiteral("e3.8") });
    QVERIFY2(r.ok(), qPrintable(r.describe()));
    QCOMPARE(QString::fromLocal8Bit(r.out).trimmed(), QStringLiteral("Stopped exporting e3.8."));
    QCOMPARE(exportsJson().value(QStringLiteral("exports")).toArray(), QJsonArray());
    QVERIFY2(!aoepingFinds(3, 8), "still answering after unexport");

    for (const QStringList &c : { QStringList{ QStringLiteral("unexport"), QStringLiteral("e3.8") },
                                  QStringList{ QStringLiteral("set"), QStringLiteral("e3.8"),
                                               QStringLiteral("--read-only") } }) {
        r = ctl(c);
        QVERIFY2(r.started && r.finished && r.exitCode == 66, qPrintable(r.describe()));
        QCOMPARE(QString::fromLocal8Bit(r.err).trimmed(),
                 QStringLiteral(
                     "etherdiskctl: e3.8 is not exported by the helper (etherdiskctl exports)"));
    }
}

// A block device is passed by its path (the helper opens it): a loop
// device named through a symbolic link is exported as the real node, and
// a mounted one is refused as busy (75, the helper's words) until --force.
void tst_EtherdiskctlDBus::blockDevice()
{
    const QString image = makeImage(QStringLiteral("loop.img"), 10);
    const Run lo = runProgram(QStringLiteral("losetup"),
                              { QStringLiteral("-f"), QStringLiteral("--show"), image });
    QVERIFY2(lo.ok(), qPrintable(lo.describe()));
    const QString dev = QString::fromLocal8Bit(lo.out).trimmed();
    m_loops << dev;
    const QString link = m_tmp.filePath(QStringLiteral("disk-link"));
    QVERIFY(QFile::link(dev, link));
    const Run r = ctl({ QStringLiteral("export"), link, QStringLiteral("e3.9"),
                        QStringLiteral("-i"), m_net->ifA() });
    QVERIFY2(r.ok(), qPrintable(r.describe()));
    QCOMPARE(QString::fromLocal8Bit(r.out).trimmed(),
             QStringLiteral("Exported %1 as e3.9 on %2.").arg(dev, m_net->ifA()));
    const QJsonObject e = exportsJson().value(QStringLiteral("exports")).toArray().at(0).toObject();
    QCOMPARE(e.value(QStringLiteral("source")).toString(), dev);
    QVERIFY(aoepingFinds(3, 9));
}

// list without any Target object: the header alone, and {"targets":[]}.
// attach/detach of a target the helper does not know: the sentence that
// points at list, exit 66. Fails if the header or JSON shape changes, or
// the unknown object is reported as a raw D-Bus error.
void tst_EtherdiskctlDBus::listWithoutTargets()
{
    Run r = ctl({ QStringLiteral("list") });
    QVERIFY2(r.ok(), qPrintable(r.describe()));
    QCOMPARE(QString::fromLocal8Bit(r.out).simplified(),
             QStringLiteral("TARGET SIZE INTERFACES STATE DEVICE"));
    r = ctl({ QStringLiteral("list"), QStringLiteral("--json") });
    QVERIFY2(r.ok(), qPrintable(r.describe()));
    QCOMPARE(r.out.trimmed(), QByteArray("{\"targets\":[]}"));
    for (const QString &command : { QStringLiteral("attach"), QStringLiteral("detach") }) {
        r = ctl({ command, QStringLiteral("e1.2"), QStringLiteral("--no-user-interaction") });
        QVERIFY2(r.started && r.finished && r.exitCode == 66, qPrintable(r.describe()));
        QCOMPARE(QString::fromLocal8Bit(r.err).trimmed(),
                 QStringLiteral("etherdiskctl: e1.2 is not known to the helper: is it on the LAN? "
                                "(etherdiskctl list)"));
    }
}

// monitor --json: one JSON object per line with a time; it sees the
// export appear (with its properties), its counters change while B reads,
// and the export go; Ctrl-C ends it with 0. Fails if a change is missed,
// printed twice, or a line is not JSON.
void tst_EtherdiskctlDBus::monitorSeesChanges()
{
    QProcess monitor;
    monitor.setProcessEnvironment(env());
    monitor.start(ctlBinary(), { QStringLiteral("monitor"), QStringLiteral("--json") });
    QVERIFY(monitor.waitForStarted());
    // The same in text, one line per change.
    QProcess text;
    text.setProcessEnvironment(env());
    text.start(ctlBinary(), { QStringLiteral("monitor") });
    QVERIFY(text.waitForStarted());
    QList<QJsonObject> events;
    const auto readEvents = [&] {
        while (monitor.canReadLine()) {
            const QByteArray line = monitor.readLine();
            QJsonParseError pe;
            const QJsonDocument d = QJsonDocument::fromJson(line, &pe);
            QVERIFY2(d.isObject(), line.constData());
            events << d.object();
        }
    };
    const auto count = [&](const QString &event) {
        int n = 0;
        for (const QJsonObject &o : std::as_const(events))
            n += o.value(QStringLiteral("event")).toString() == event
                && (event == QLatin1String("connected")
                    || o.value(QStringLiteral("target")).toString() == QLatin1String("e2.1"));
        return n;
    };
    QTRY_VERIFY_WITH_TIMEOUT((readEvents(), count(QStringLiteral("connected")) == 1), 10000);
    QTRY_VERIFY_WITH_TIMEOUT(text.canReadLine(), 10000);
    QCOMPARE(events.constFirst().value(QStringLiteral("version")).toString(),
             QStringLiteral("0.1.0"));

    const QString image = makeImage(QStringLiteral("monitor.img"), 11);
    QVERIFY(ctl({ QStringLiteral("export"), image, QStringLiteral("e2.1"), QStringLiteral("-i"),
                  m_net->ifA() })
                .ok());
    QTRY_VERIFY_WITH_TIMEOUT((readEvents(), count(QStringLiteral("added")) == 1), 5000);
    for (const QJsonObject &o : std::as_const(events)) {
        if (o.value(QStringLiteral("event")).toString() != QLatin1String("added"))
            continue;
        QCOMPARE(o.value(QStringLiteral("kind")).toString(), QStringLiteral("export"));
        QCOMPARE(o.value(QStringLiteral("object")).toString(),
                 QStringLiteral("/org/etherdisk/Etherdisk1/exports/2_1"));
        const QJsonObject p = o.value(QStringLiteral("properties")).toObject();
        QCOMPARE(p.value(QStringLiteral("Source")).toString(), image);
        QCOMPARE(p.value(QStringLiteral("State")).toString(), QStringLiteral("serving"));
        QCOMPARE(p.value(QStringLiteral("Shelf")).toInt(-1), 2);
        QCOMPARE(p.value(QStringLiteral("Slot")).toInt(-1), 1);
        QCOMPARE(p.value(QStringLiteral("Size")).toInteger(), ImageSectors * 512);
        QCOMPARE(p.value(QStringLiteral("Interfaces")).toArray(), QJsonArray{ m_net->ifA() });
        QVERIFY(QDateTime::fromString(o.value(QStringLiteral("time")).toString(), Qt::ISODateWithMs)
                    .isValid());
    }

    std::string error;
    Etherdisk::Initiator::Options opt;
    opt.interface = m_net->ifB().toStdString();
    opt.shelf = 2;
    opt.slot = 1;
    auto initiator = Etherdisk::Initiator::open(opt, &error);
    QVERIFY2(initiator, error.c_str());
    std::vector<std::uint8_t> buf(64 * 1024);
    QVERIFY2(initiator->read(0, buf, &error), error.c_str());
    initiator.reset();
    qint64 bytesRead = 0;
    QTRY_VERIFY_WITH_TIMEOUT(
        (readEvents(),
         [&] {
             for (const QJsonObject &o : std::as_const(events)) {
                 const QJsonObject p = o.value(QStringLiteral("properties")).toObject();
                 if (o.value(QStringLiteral("event")).toString() == QLatin1String("changed")
                     && p.contains(QStringLiteral("BytesRead")))
                     bytesRead = p.value(QStringLiteral("BytesRead")).toInteger();
             }
             return bytesRead >= qint64(buf.size());
         }()),
        3000);

    QVERIFY(ctl({ QStringLiteral("unexport"), QStringLiteral("e2.1") }).ok());
    QTRY_VERIFY_WITH_TIMEOUT((readEvents(), count(QStringLiteral("removed")) == 1), 5000);
    QTest::qWait(500);
    readEvents();
    QCOMPARE(count(QStringLiteral("added")), 1);
    QCOMPARE(count(QStringLiteral("removed")), 1);
    QCOMPARE(count(QStringLiteral("connected")), 1);
    ::kill(pid_t(monitor.processId()), SIGINT);
    QVERIFY(monitor.waitForFinished(5000));
    QCOMPARE(monitor.exitStatus(), QProcess::NormalExit);
    QCOMPARE(monitor.exitCode(), 0);

    ::kill(pid_t(text.processId()), SIGINT);
    QVERIFY(text.waitForFinished(5000));
    QCOMPARE(text.exitCode(), 0);
    const QStringList lines = QString::fromLocal8Bit(text.readAllStandardOutput())
                                  .split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    const QRegularExpression stamp(QStringLiteral("^20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9:.]{12}Z "));
    for (const QString &line : lines)
        QVERIFY2(stamp.match(line).hasMatch(), qPrintable(line));
    QVERIFY2(lines.value(0).contains(
                 QStringLiteral(" helper connected (version 0.1.0): 0 exports, 0 targets")),
             qPrintable(lines.join(QLatin1Char('\n'))));
    QCOMPARE(lines.filter(QStringLiteral(" export e2.1 added ")).size(), 1);
    QVERIFY2(lines.filter(QStringLiteral(" export e2.1 added "))
                 .constFirst()
                 .contains(QStringLiteral(" Shelf=2 Size=1048576 Slot=1 Source=") + image),
             qPrintable(lines.join(QLatin1Char('\n'))));
    QVERIFY(!lines.filter(QStringLiteral(" export e2.1 changed BytesRead=")).isEmpty());
    QCOMPARE(lines.filter(QRegularExpression(QStringLiteral(" export e2.1 removed$"))).size(), 1);
}

// Another user (nobody, no terminal): every mutating command is refused
// by polkit with exit 77 and the helper's message, with and without
// --no-user-interaction, and nothing changes; reading works. Fails if the
// exit code or message is wrong, or a refused command changed anything.
void tst_EtherdiskctlDBus::otherUserRefused()
{
    const QString image = makeImage(QStringLiteral("root.img"), 12);
    QVERIFY(ctl({ QStringLiteral("export"), image, QStringLiteral("e4.1"), QStringLiteral("-i"),
                  m_net->ifA() })
                .ok());
    const QByteArray before = ctl({ QStringLiteral("exports"), QStringLiteral("--json") }).out;
    const QString mine = makeImage(QStringLiteral("nobody.img"), 13);
    const QList<QStringList> commands = {
        { QStringLiteral("export"), mine, QStringLiteral("e4.2"), QStringLiteral("-i"),
          m_net->ifA() },
        { QStringLiteral("export"), mine, QStringLiteral("e4.2"), QStringLiteral("-i"),
          m_net->ifA(), QStringLiteral("--read-only") },
        { QStringLiteral("unexport"), QStringLiteral("e4.1") },
        { QStringLiteral("set"), QStringLiteral("e4.1"), QStringLiteral("--read-only") },
    };
    for (const QStringList &c : commands) {
        for (const bool noInteraction : { true, false }) {
            QStringList args = c;
            if (noInteraction)
                args << QStringLiteral("--no-user-interaction");
            const Run r = ctlAsNobody(args);
            QVERIFY2(r.started && r.finished && r.exitCode == 77, qPrintable(r.describe()));
            QVERIFY2(r.err.startsWith("etherdiskctl: ")
                         && r.err.contains("authentication is required"),
                     qPrintable(r.describe()));
            QCOMPARE(ctl({ QStringLiteral("exports"), QStringLiteral("--json") }).out, before);
        }
    }
    const Run read = ctlAsNobody({ QStringLiteral("exports"), QStringLiteral("--json") });
    QVERIFY2(read.ok(), qPrintable(read.describe()));
    QCOMPARE(read.out, before);
}

// In a terminal (a pty from script(1)), a non-root caller gets polkit's
// password prompt from pkttyagent there (the policy says auth_admin_keep);
// with --no-user-interaction, or without a terminal, pkttyagent is not
// started (a wrapper first in PATH records each start); without pkttyagent
// the command says so once and goes on. Fails if the agent is not started,
// started too late (no prompt), or started where it must not be.
void tst_EtherdiskctlDBus::passwordPromptInTerminal()
{
    const QString bin = m_tmp.filePath(QStringLiteral("bin"));
    QVERIFY(QDir().mkpath(bin));
    const QString log = m_tmp.filePath(QStringLiteral("agent.log"));
    QVERIFY(writeImage(log, QByteArray()));
    QVERIFY(::chmod(QFile::encodeName(log).constData(), 0666) == 0);
    const QString wrapper = bin + QStringLiteral("/pkttyagent");
    QVERIFY(writeImage(wrapper,
                       QStringLiteral("#!/bin/sh\necho \"$@\" >>%1\nexec %2 \"$@\"\n")
                           .arg(log, programPath(QStringLiteral("pkttyagent")))
                           .toLocal8Bit()));
    QVERIFY(::chmod(QFile::encodeName(wrapper).constData(), 0755) == 0);
    QVERIFY(::chmod(QFile::encodeName(bin).constData(), 0755) == 0);
    const QString path = bin + QStringLiteral(":/usr/bin:/bin");
    const QString image = makeImage(QStringLiteral("prompt.img"), 14);
    const auto agentLog = [&] {
        QFile f(log);
        return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray("unreadable");
    };
    const QStringList exportArgs = { QStringLiteral("export"), image, QStringLiteral("e4.3"),
                                     QStringLiteral("-i"), m_net->ifA() };

    // No terminal: no agent.
    Run r = ctlAsNobody(exportArgs, path);
    QVERIFY2(r.started && r.finished && r.exitCode == 77, qPrintable(r.describe()));
    QCOMPARE(agentLog(), QByteArray());

    // A terminal: script(1) runs the command on a pty as nobody.
    const auto inTerminal = [&](const QStringList &args, QByteArray *output, bool waitForPrompt,
                                const QString &searchPath) {
        QProcess p;
        QProcessEnvironment e = env();
        e.insert(QStringLiteral("PATH"), searchPath);
        p.setProcessEnvironment(e);
        p.setProcessChannelMode(QProcess::MergedChannels);
        QStringList quoted;
        for (const QString &a : args)
            quoted << QLatin1Char('\'') + a + QLatin1Char('\'');
        p.start(programPath(QStringLiteral("setpriv")),
                { QStringLiteral("--reuid=nobody"), QStringLiteral("--regid=nogroup"),
                  QStringLiteral("--clear-groups"), programPath(QStringLiteral("script")),
                  QStringLiteral("-qfec"),
                  ctlBinary() + QLatin1Char(' ') + quoted.join(QLatin1Char(' ')),
                  QStringLiteral("/dev/null") });
        if (!p.waitForStarted())
            return -2;
        QElapsedTimer t;
        t.start();
        while (t.elapsed() < 15000 && p.state() == QProcess::Running
               && !(waitForPrompt && output->contains("Password:"))) {
            p.waitForReadyRead(200);
            *output += p.readAll();
        }
        *output += p.readAll();
        if (p.state() == QProcess::Running) {
            // The prompt is open: leave it like a user pressing Ctrl-C.
            p.write("\x03");
            if (!p.waitForFinished(5000)) {
                p.kill();
                p.waitForFinished(5000);
            }
            *output += p.readAll();
            return -1;
        }
        return p.exitCode();
    };
    QByteArray out;
    inTerminal(exportArgs, &out, true, path);
    QVERIFY2(out.contains("AUTHENTICATING FOR org.etherdisk.etherdisk1.export"), out.constData());
    QVERIFY2(out.contains("Password:"), out.constData());
    const QByteArray started = agentLog();
    QVERIFY2(started.startsWith("--process ") && started.contains("--notify-fd")
                 && started.count('\n') == 1,
             started.constData());
    QCOMPARE(exportsJson().value(QStringLiteral("exports")).toArray(), QJsonArray());

    // A terminal, but --no-user-interaction: no agent, no prompt, refused.
    QVERIFY(writeImage(log, QByteArray()));
    out.clear();
    const int code = inTerminal(exportArgs + QStringList{ QStringLiteral("--no-user-interaction") },
                                &out, false, path);
    QVERIFY2(!out.contains("Password:") && out.contains("authentication is required"),
             out.constData());
    QCOMPARE(code, 77);
    QCOMPARE(agentLog(), QByteArray());

    // A terminal, but no pkttyagent on PATH: said once, and the call goes
    // on (refused: nobody may not export without a password).
    const QString empty = m_tmp.filePath(QStringLiteral("emptybin"));
    QVERIFY(QDir().mkpath(empty));
    out.clear();
    QCOMPARE(inTerminal(exportArgs, &out, false, empty), 77);
    QCOMPARE(out.count("pkttyagent is not installed"), 1);
    QVERIFY2(out.contains("etherdiskctl: pkttyagent is not installed")
                 && out.contains("authentication is required") && !out.contains("Password:"),
             out.constData());
}

QTEST_GUILESS_MAIN(tst_EtherdiskctlDBus)
#include "tst_etherdiskctl_dbus.moc"
