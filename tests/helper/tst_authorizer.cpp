// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
//
// The helper's Authorizer against a real polkitd on a private system bus:
// a check polkitd answers with an error (an action it does not know, as
// when the policy file is missing) ends with Failed and the reason, and the
// checks queued behind it still get their answers. Before the fix the
// error was never reported (polkit-qt emits no checkAuthorizationFinished
// for it) and every later authorization of the helper waited forever.
#include "authorizer.h"
#include "testutil.h"

#include <QDBusConnection>
#include <QDBusError>
#include <QElapsedTimer>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using Etherdisk::Helper::Authorizer;
using namespace EtherdiskTest;

class tst_Authorizer : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void unknownActionFailsAndQueueGoesOn();

private:
    QTemporaryDir m_tmp{ QStringLiteral("/tmp/ed-authorizer-XXXXXX") };
    QString m_busDir;
    bool m_busUp = false;
};

namespace {
QString busScript()
{
    return QStringLiteral(ETHERDISK_SOURCE_DIR "/tests/helper/start-test-bus.sh");
}
} // namespace

void tst_Authorizer::initTestCase()
{
    ETHERDISK_REQUIRE(::geteuid() == 0, QStringLiteral("needs root (a system bus, polkitd)"));
    ETHERDISK_REQUIRE(QFile::exists(QStringLiteral("/usr/lib/polkit-1/polkitd")),
                      QStringLiteral("polkitd is not installed (Debian package polkitd)"));
    ETHERDISK_REQUIRE(haveProgram(QStringLiteral("dbus-daemon")),
                      QStringLiteral("dbus-daemon is not installed"));
    QVERIFY(m_tmp.isValid());
    // polkitd drops to its own user: it must reach the bus socket in here.
    QVERIFY(QFile::setPermissions(m_tmp.path(),
                                  QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner
                                      | QFile::ReadGroup | QFile::ExeGroup | QFile::ReadOther
                                      | QFile::ExeOther));
    m_busDir = m_tmp.filePath(QStringLiteral("bus"));
    QProcess start;
    // No helper is activated here: /bin/true stands in for its program.
    start.start(busScript(), { QStringLiteral("start"), m_busDir, QStringLiteral("/bin/true") });
    QVERIFY(start.waitForFinished(30000));
    QVERIFY2(start.exitCode() == 0, start.readAllStandardError().constData());
    m_busUp = true;
    const QString address = QString::fromLocal8Bit(start.readAllStandardOutput()).trimmed();
    // polkit-qt (GDBus underneath) and QDBus both read it at first use.
    qputenv("DBUS_SYSTEM_BUS_ADDRESS", address.toLocal8Bit());
}

void tst_Authorizer::cleanupTestCase()
{
    if (m_busUp)
        QProcess::execute(busScript(), { QStringLiteral("stop"), m_busDir });
}

void tst_Authorizer::unknownActionFailsAndQueueGoesOn()
{
    QDBusConnection bus = QDBusConnection::systemBus();
    QVERIFY2(bus.isConnected(), qPrintable(bus.lastError().message()));
    const QString me = bus.baseService(); // the subject: this process, uid 0
    Authorizer authorizer;
    struct Answer
    {
        bool done = false;
        Authorizer::Result result = Authorizer::Result::No;
        QString detail;
        qint64 ms = 0;
    };
    Answer unknown, known;
    QElapsedTimer t;
    t.start();
    authorizer.check(QStringLiteral("org.etherdisk.etherdisk1.no-such-action"), me, false,
                     [&](Authorizer::Result r, const QString &d) {
                         unknown = { true, r, d, t.elapsed() };
                     });
    authorizer.check(QStringLiteral("org.etherdisk.etherdisk1.export"), me, false,
                     [&](Authorizer::Result r, const QString &d) {
                         known = { true, r, d, t.elapsed() };
                     });
    QTRY_VERIFY_WITH_TIMEOUT(unknown.done, 5000);
    QVERIFY2(unknown.result == Authorizer::Result::Failed, qPrintable(unknown.detail));
    QVERIFY2(unknown.detail.contains(QStringLiteral("no-such-action")), qPrintable(unknown.detail));
    QTRY_VERIFY_WITH_TIMEOUT(known.done, 5000);
    QVERIFY2(known.result == Authorizer::Result::Yes, qPrintable(known.detail)); // root
    QVERIFY(known.ms >= unknown.ms);
}

QTEST_GUILESS_MAIN(tst_Authorizer)
#include "tst_authorizer.moc"
