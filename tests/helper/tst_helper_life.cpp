// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
//
// etherdisk-helper's lifetime and persistence, bus-activated on a private
// system bus with a real polkitd (helperfixture.h), run with
// --idle-timeout 3 and --wants-dir (start at boot as a link the test can
// see): the idle exit and what keeps the helper, the edited exports.conf
// (applied, or reported and ignored when broken), SIGHUP, and kill -9
// followed by activation restoring every persistent export, on the wire,
// within 2 s. What would make each test fail is said at the test.
#include "helperfixture.h"

#include "etherdisk/initiator.h"

#include <QDBusPendingCall>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QRegularExpression>
#include <QSaveFile>

#include <csignal>

using namespace EtherdiskTest;
using namespace EtherdiskTest::HelperTest;

namespace {

constexpr int IdleTimeoutMs = 3000;

// Collects D-Bus signals.
class SignalLog : public QObject
{
    Q_OBJECT
public:
    QList<QDBusMessage> messages;
public Q_SLOTS:
    void onSignal(const QDBusMessage &m) { messages << m; }
};

} // namespace

class tst_HelperLife final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void cleanup();

    void idleExitWithoutExports();
    void exportKeepsHelperRunning();
    void callDuringGraceRestartsIt();
    void bootLinkFollowsPersistentExports();
    void editedConfigApplied();
    void brokenConfigKeepsServing();
    void sighupReloads();
    void killRestoresWithinTwoSeconds();

private:
    // Waits (up to timeoutMs) until the helper no longer owns its name;
    // the ms it took, -1 if it still runs.
    qint64 waitForExit(int timeoutMs);
    // Waits (up to timeoutMs) until process pid has exited.
    bool waitGone(qint64 pid, int timeoutMs);
    void writeConfig(const QString &text);
    QString wantsLink() const { return m_wants + QStringLiteral("/etherdisk-helper.service"); }
    QString section(int shelf, int slot, const QString &image, const QString &extra = {});

    HelperFixture m_f;
    QString m_wants;
};

void tst_HelperLife::initTestCase()
{
    QString why;
    ETHERDISK_REQUIRE(HelperFixture::available(&why), why);
    ETHERDISK_REQUIRE(haveProgram(QStringLiteral("aoeping")),
                      QStringLiteral("aoeping is not installed"));
    m_wants = m_f.tmpPath(QStringLiteral("multi-user.target.wants"));
    QVERIFY2(m_f.start(QStringLiteral("life"),
                       QStringLiteral("--idle-timeout %1 --wants-dir %2")
                           .arg(IdleTimeoutMs / 1000)
                           .arg(m_wants),
                       &why),
             qPrintable(why));
}

void tst_HelperLife::cleanupTestCase()
{
    m_f.stop();
}

void tst_HelperLife::cleanup()
{
    if (!m_f.isUp())
        return;
    m_f.stopAll();
    QFile::remove(m_f.confPath());
    // The helper re-reads the removed file; then it goes idle and exits.
    QTest::qWait(500);
    m_f.detachLoops();
}

qint64 tst_HelperLife::waitForExit(int timeoutMs)
{
    QElapsedTimer t;
    t.start();
    while (t.elapsed() < timeoutMs) {
        if (m_f.helperPid() < 0)
            return t.elapsed();
        QTest::qWait(50);
    }
    return -1;
}

bool tst_HelperLife::waitGone(qint64 pid, int timeoutMs)
{
    QElapsedTimer t;
    t.start();
    while (t.elapsed() < timeoutMs) {
        // A zombie has exited: the bus's activation helper double-forks, so
        // the helper's parent is PID 1, which may reap late (1-2 s here).
        if (!processRuns(pid))
            return true;
        QTest::qWait(50);
    }
    return false;
}

// As an administrator's editor saves: a new file renamed over the old one.
void tst_HelperLife::writeConfig(const QString &text)
{
    QSaveFile f(m_f.confPath());
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(text.toUtf8());
    QVERIFY(f.commit());
}

QString tst_HelperLife::section(int shelf, int slot, const QString &image, const QString &extra)
{
    return QStringLiteral("[export %1.%2]\npath = %3\ninterfaces = %4\n%5\n")
        .arg(shelf)
        .arg(slot)
        .arg(image, m_f.net().ifA(), extra);
}

// Activated by a call with nothing to serve, the helper exits 3 s after
// that call (--idle-timeout 3): not before 2.9 s, not after 4.5 s; the
// process is gone too, and the next call brings a new one. Fails if the
// helper never exits, exits at once, or the timer starts at the wrong
// moment.
void tst_HelperLife::idleExitWithoutExports()
{
    if (m_f.helperPid() > 0)
        QVERIFY2(waitForExit(IdleTimeoutMs + 3000) >= 0, "the helper did not exit before the test");
    QVERIFY(m_f.helperPid() < 0);
    QVERIFY(m_f.managedObjects().contains(QDBusObjectPath(ManagerPath))); // activates
    const qint64 pid = m_f.helperPid();
    QVERIFY(pid > 0);
    const qint64 exited = waitForExit(IdleTimeoutMs + 4000);
    QVERIFY2(exited >= IdleTimeoutMs - 100 && exited <= IdleTimeoutMs + 1500,
             qPrintable(QStringLiteral("exited %1 ms after the call (window %2-%3 ms)")
                            .arg(exited)
                            .arg(IdleTimeoutMs - 100)
                            .arg(IdleTimeoutMs + 1500)));
    QVERIFY2(waitGone(pid, 2000), "the name is released but the process still runs");
    // Bus activation brings it back.
    QVERIFY(m_f.managedObjects().contains(QDBusObjectPath(ManagerPath)));
    const qint64 again = m_f.helperPid();
    QVERIFY(again > 0 && again != pid);
}

// While it serves an export the helper stays (checked for twice the grace
// period); once the export is stopped it exits within the window, counted
// from the Stop. Fails if an export does not keep the helper or a stopped
// one still does.
void tst_HelperLife::exportKeepsHelperRunning()
{
    const QString image = m_f.makeImage(QStringLiteral("keep.img"), 5);
    QDBusMessage r = m_f.createImage(image, true, 2, 1);
    QVERIFY2(r.type() == QDBusMessage::ReplyMessage, qPrintable(r.errorMessage()));
    const qint64 pid = m_f.helperPid();
    QVERIFY(pid > 0);
    QTest::qWait(2 * IdleTimeoutMs);
    QCOMPARE(m_f.helperPid(), pid);
    QVERIFY(m_f.aoepingFinds(2, 1));

    r = m_f.stopExport(exportPath(2, 1));
    QVERIFY2(r.type() == QDBusMessage::ReplyMessage, qPrintable(r.errorMessage()));
    const qint64 exited = waitForExit(IdleTimeoutMs + 4000);
    QVERIFY2(exited >= IdleTimeoutMs - 100 && exited <= IdleTimeoutMs + 1500,
             qPrintable(QStringLiteral("exited %1 ms after the Stop").arg(exited)));
    QVERIFY(waitGone(pid, 2000));
}

// A call 2 s into the grace period starts it over: the helper exits 3 s
// after that call (so 5 s after the first), not 3 s after the first.
// Fails if calls do not count as activity.
void tst_HelperLife::callDuringGraceRestartsIt()
{
    if (m_f.helperPid() > 0)
        QVERIFY(waitForExit(IdleTimeoutMs + 3000) >= 0);
    QElapsedTimer t;
    QVERIFY(m_f.managedObjects().contains(QDBusObjectPath(ManagerPath))); // activates
    t.start();
    const qint64 pid = m_f.helperPid();
    QVERIFY(pid > 0);
    QTest::qWait(2000);
    QCOMPARE(m_f.helperPid(), pid);
    const QDBusMessage r =
        m_f.call(ManagerPath, ManagerIface, QStringLiteral("GetPermissions"), {});
    QVERIFY2(r.type() == QDBusMessage::ReplyMessage, qPrintable(r.errorMessage()));
    const qint64 second = t.elapsed();
    const qint64 exited = waitForExit(IdleTimeoutMs + 4000);
    QVERIFY(exited >= 0);
    QVERIFY2(exited >= IdleTimeoutMs - 100 && exited <= IdleTimeoutMs + 1500,
             qPrintable(QStringLiteral("exited %1 ms after the second call, %2 ms after the "
                                       "first")
                            .arg(exited)
                            .arg(second + exited)));
}

// The unit is enabled for boot (here: the link in --wants-dir, as systemctl
// enable writes it) exactly while exports.conf lists an export: none at
// first, the link after a persistent export, none after it stopped, and the
// link again when an administrator adds an entry by hand. Fails if the link
// does not follow the set of persistent exports.
void tst_HelperLife::bootLinkFollowsPersistentExports()
{
    const QString image = m_f.makeImage(QStringLiteral("boot.img"), 6);
    QDBusMessage r = m_f.createImage(image, true, 2, 2);
    QVERIFY2(r.type() == QDBusMessage::ReplyMessage, qPrintable(r.errorMessage()));
    QVERIFY2(!QFileInfo(wantsLink()).isSymLink(), "a non-persistent export enabled the unit");
    QVERIFY(m_f.stopExport(exportPath(2, 2)).type() == QDBusMessage::ReplyMessage);

    r = m_f.createImage(image, true, 2, 3, { { QStringLiteral("persistent"), true } });
    QVERIFY2(r.type() == QDBusMessage::ReplyMessage, qPrintable(r.errorMessage()));
    const QFileInfo link(wantsLink());
    QVERIFY2(link.isSymLink(), qPrintable(wantsLink()));
    QVERIFY2(link.symLinkTarget().endsWith(QStringLiteral("/etherdisk-helper.service")),
             qPrintable(link.symLinkTarget()));

    QVERIFY(m_f.stopExport(exportPath(2, 3)).type() == QDBusMessage::ReplyMessage);
    QVERIFY2(!QFileInfo(wantsLink()).isSymLink(), "the link stayed after the last export went");

    // By hand: the helper notices the file and enables the unit again.
    writeConfig(section(2, 4, image));
    QTRY_VERIFY_WITH_TIMEOUT(QFileInfo(wantsLink()).isSymLink(), 3000);
    QTRY_VERIFY_WITH_TIMEOUT(m_f.managedObjects().contains(QDBusObjectPath(exportPath(2, 4))),
                             3000);
    writeConfig(QStringLiteral("# nothing at boot\n"));
    QTRY_VERIFY_WITH_TIMEOUT(!QFileInfo(wantsLink()).isSymLink(), 3000);
    QTRY_VERIFY_WITH_TIMEOUT(!m_f.managedObjects().contains(QDBusObjectPath(exportPath(2, 4))),
                             3000);
}

// An administrator edits exports.conf (a new file renamed over it): a
// changed setting is applied in place (same object, counters kept,
// PropertiesChanged), a new entry is served, a removed one stopped;
// ConfigError stays empty. Fails if the file is not watched, an entry is
// restarted instead of updated, or a removed one keeps serving.
void tst_HelperLife::editedConfigApplied()
{
    const QString one = m_f.makeImage(QStringLiteral("edit-one.img"), 7);
    const QString two = m_f.makeImage(QStringLiteral("edit-two.img"), 8);
    QDBusMessage r = m_f.createImage(one, true, 3, 1, { { QStringLiteral("persistent"), true } });
    QVERIFY2(r.type() == QDBusMessage::ReplyMessage, qPrintable(r.errorMessage()));
    {
        // A read the counters show: they must survive the change in place.
        std::string error;
        Etherdisk::Initiator::Options o;
        o.interface = m_f.net().ifB().toStdString();
        o.shelf = 3;
        o.slot = 1;
        auto initiator = Etherdisk::Initiator::open(o, &error);
        QVERIFY2(initiator, error.c_str());
        std::vector<std::uint8_t> buf(4096);
        QVERIFY2(initiator->read(0, buf, &error), error.c_str());
    }
    const QString path = exportPath(3, 1);
    QTRY_VERIFY_WITH_TIMEOUT(
        m_f.properties(path).value(QStringLiteral("ReadRequests")).toULongLong() > 0, 3000);
    const qulonglong requests =
        m_f.properties(path).value(QStringLiteral("ReadRequests")).toULongLong();
    SignalLog changed;
    QVERIFY(m_f.bus.connect(Service, path, QStringLiteral("org.freedesktop.DBus.Properties"),
                            QStringLiteral("PropertiesChanged"), &changed,
                            SLOT(onSignal(QDBusMessage))));

    writeConfig(section(3, 1, one, QStringLiteral("write-mode = sync\nallow = 02:ae:00:00:00:07\n"))
                + section(3, 2, two));
    QTRY_COMPARE_WITH_TIMEOUT(m_f.properties(path).value(QStringLiteral("WriteMode")).toString(),
                              QStringLiteral("sync"), 3000);
    const QVariantMap p = m_f.properties(path);
    QCOMPARE(p.value(QStringLiteral("AllowedMacs")).toStringList(),
             QStringList{ QStringLiteral("02:ae:00:00:00:07") });
    // In place: the counters go on from where they were.
    QVERIFY2(p.value(QStringLiteral("ReadRequests")).toULongLong() >= requests,
             "the export was restarted, not updated");
    const auto writeModeSignalled = [&] {
        for (const QDBusMessage &m : std::as_const(changed.messages)) {
            if (qdbus_cast<QVariantMap>(m.arguments().value(1)).value(QStringLiteral("WriteMode"))
                == QStringLiteral("sync"))
                return true;
        }
        return false;
    };
    QTRY_VERIFY_WITH_TIMEOUT(writeModeSignalled(), 2000);
    QTRY_VERIFY_WITH_TIMEOUT(m_f.managedObjects().contains(QDBusObjectPath(exportPath(3, 2))),
                             3000);
    QCOMPARE(m_f.properties(exportPath(3, 2)).value(QStringLiteral("Persistent")).toBool(), true);
    QVERIFY(m_f.aoepingFinds(3, 2));
    QCOMPARE(
        m_f.properties(ManagerPath, ManagerIface).value(QStringLiteral("ConfigError")).toString(),
        QString());

    writeConfig(section(3, 2, two));
    QTRY_VERIFY_WITH_TIMEOUT(!m_f.managedObjects().contains(QDBusObjectPath(path)), 3000);
    QVERIFY2(!m_f.aoepingFinds(3, 1), "an export removed from the file still answers");
    QVERIFY(m_f.aoepingFinds(3, 2));
}

// A broken edit (here in place, appending an unknown key) is reported:
// ConfigError names the file and line and is signalled; the exports keep
// serving exactly as before; a persistent change over D-Bus is refused
// rather than overwriting the administrator's file. Fixing the file clears
// ConfigError. Fails if a broken file stops, changes or drops exports.
void tst_HelperLife::brokenConfigKeepsServing()
{
    const QString image = m_f.makeImage(QStringLiteral("broken.img"), 9);
    QDBusMessage r = m_f.createImage(image, true, 4, 1, { { QStringLiteral("persistent"), true } });
    QVERIFY2(r.type() == QDBusMessage::ReplyMessage, qPrintable(r.errorMessage()));
    const QString before = m_f.snapshot();
    SignalLog changed;
    QVERIFY(m_f.bus.connect(Service, ManagerPath, QStringLiteral("org.freedesktop.DBus.Properties"),
                            QStringLiteral("PropertiesChanged"), &changed,
                            SLOT(onSignal(QDBusMessage))));
    QFile conf(m_f.confPath());
    QVERIFY(conf.open(QIODevice::ReadOnly));
    const QByteArray good = conf.readAll();
    conf.close();
    const int badLine = good.count('\n') + 1;
    QVERIFY(conf.open(QIODevice::Append));
    conf.write("bufcount = 4\n");
    conf.close();

    QTRY_VERIFY_WITH_TIMEOUT(!changed.messages.isEmpty(), 3000);
    const QString error =
        qdbus_cast<QVariantMap>(changed.messages.constFirst().arguments().value(1))
            .value(QStringLiteral("ConfigError"))
            .toString();
    QVERIFY2(error.startsWith(m_f.confPath() + QStringLiteral(":%1:").arg(badLine))
                 && error.contains(QStringLiteral("bufcount")),
             qPrintable(error));
    QCOMPARE(
        m_f.properties(ManagerPath, ManagerIface).value(QStringLiteral("ConfigError")).toString(),
        error);
    QVERIFY(m_f.aoepingFinds(4, 1));
    // Unchanged, apart from ConfigError and the file being edited.
    const auto objectsOnly = [](QString s) {
        s.truncate(s.indexOf(QStringLiteral("# Written")));
        static const QRegularExpression configError(
            QStringLiteral("  \\S+\\.ConfigError = [^\\n]*\\n"));
        return s.remove(configError);
    };
    QCOMPARE(objectsOnly(m_f.snapshot()), objectsOnly(before));
    r = m_f.createImage(image, false, 4, 2, { { QStringLiteral("persistent"), true } });
    QCOMPARE(r.errorName(), ErrorPrefix + QStringLiteral("Failed"));
    QVERIFY2(r.errorMessage().contains(QStringLiteral("fix the file first")),
             qPrintable(r.errorMessage()));
    QVERIFY(!m_f.managedObjects().contains(QDBusObjectPath(exportPath(4, 2))));

    writeConfig(QString::fromUtf8(good));
    QTRY_COMPARE_WITH_TIMEOUT(
        m_f.properties(ManagerPath, ManagerIface).value(QStringLiteral("ConfigError")).toString(),
        QString(), 3000);
    QCOMPARE(m_f.snapshot(), before);
}

// SIGHUP re-reads the file (and does not end the helper, as SIGHUP's
// default would). Fails if the signal kills the helper or is ignored.
void tst_HelperLife::sighupReloads()
{
    const QString image = m_f.makeImage(QStringLiteral("hup.img"), 10);
    QDBusMessage r = m_f.createImage(image, true, 5, 1, { { QStringLiteral("persistent"), true } });
    QVERIFY2(r.type() == QDBusMessage::ReplyMessage, qPrintable(r.errorMessage()));
    const qint64 pid = m_f.helperPid();
    QVERIFY(pid > 0);
    QVERIFY(::kill(pid_t(pid), SIGHUP) == 0);
    QTest::qWait(500);
    QCOMPARE(m_f.helperPid(), pid);
    QVERIFY(m_f.managedObjects().contains(QDBusObjectPath(exportPath(5, 1))));
    // A change followed at once by SIGHUP is applied once.
    writeConfig(section(5, 1, image, QStringLiteral("read-only = true\n")));
    QVERIFY(::kill(pid_t(pid), SIGHUP) == 0);
    QTRY_COMPARE_WITH_TIMEOUT(
        m_f.properties(exportPath(5, 1)).value(QStringLiteral("ReadOnly")).toBool(), true, 3000);
    QCOMPARE(m_f.helperPid(), pid);
}

// kill -9 of a helper serving two persistent exports, then one call
// activates it: within 2 s of that call both objects are there again AND
// both answer on the wire (our initiator reads sector 0 of each, the
// image's bytes). Fails if restoring is slow, partial, or the objects
// appear before the engine serves.
void tst_HelperLife::killRestoresWithinTwoSeconds()
{
    const QString one = m_f.makeImage(QStringLiteral("kill-one.img"), 11);
    const QString two = m_f.makeImage(QStringLiteral("kill-two.img"), 12);
    QDBusMessage r = m_f.createImage(one, true, 6, 1, { { QStringLiteral("persistent"), true } });
    QVERIFY2(r.type() == QDBusMessage::ReplyMessage, qPrintable(r.errorMessage()));
    r = m_f.createImage(two, false, 6, 2, { { QStringLiteral("persistent"), true } });
    QVERIFY2(r.type() == QDBusMessage::ReplyMessage, qPrintable(r.errorMessage()));
    const qint64 pid = m_f.helperPid();
    QVERIFY(pid > 0);
    QVERIFY(::kill(pid_t(pid), SIGKILL) == 0);
    QVERIFY(waitGone(pid, 5000));
    QTRY_VERIFY_WITH_TIMEOUT(m_f.helperPid() < 0, 5000);

    QElapsedTimer t;
    t.start();
    const ManagedObjects objects = m_f.managedObjects(); // activates
    const qint64 objectsAt = t.elapsed();
    QVERIFY(objects.contains(QDBusObjectPath(exportPath(6, 1))));
    QVERIFY(objects.contains(QDBusObjectPath(exportPath(6, 2))));
    qint64 wireAt[2] = { -1, -1 };
    for (int i = 0; i < 2; ++i) {
        std::string error;
        Etherdisk::Initiator::Options o;
        o.interface = m_f.net().ifB().toStdString();
        o.shelf = 6;
        o.slot = std::uint8_t(i + 1);
        o.openTimeoutMs = 2500;
        auto initiator = Etherdisk::Initiator::open(o, &error);
        QVERIFY2(initiator, error.c_str());
        QByteArray sector(512, 0);
        QVERIFY2(initiator->read(0,
                                 { reinterpret_cast<std::uint8_t *>(sector.data()),
                                   std::size_t(sector.size()) },
                                 &error),
                 error.c_str());
        wireAt[i] = t.elapsed();
        QCOMPARE(sector, readImage(i == 0 ? one : two).left(512));
    }
    QVERIFY2(objectsAt <= 2000 && wireAt[0] <= 2000 && wireAt[1] <= 2000,
             qPrintable(QStringLiteral("objects after %1 ms, e6.1 answered after %2 ms, e6.2 "
                                       "after %3 ms")
                            .arg(objectsAt)
                            .arg(wireAt[0])
                            .arg(wireAt[1])));
    qInfo("restored: objects after %lld ms, on the wire after %lld and %lld ms", objectsAt,
          wireAt[0], wireAt[1]);
    QVERIFY(m_f.helperPid() != pid);
}

QTEST_GUILESS_MAIN(tst_HelperLife)
#include "tst_helper_life.moc"
