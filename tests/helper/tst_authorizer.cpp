// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
//
// The helper's Authorizer against a real polkitd on a private system bus:
// a check polkitd answers with an error (an action it does not know, as
// when the policy file is missing) ends with Failed and the reason, and the
// other checks still get their answers (before a fix the error was never
// reported: polkit-qt emits no checkAuthorizationFinished for it, and every
// later authorization of the helper waited forever); many checks in flight
// at once each get their own answer; an Authorizer destroyed with checks
// in flight calls none of their callbacks. That one caller's open password
// prompt holds up no other caller is checked end to end in
// tst_helper_security's noUserInteraction.
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
    void unknownActionFailsAndOthersGoOn();
    void manyChecksAtOnceEachGetTheirOwnAnswer();
    void destroyedWithChecksInFlight();

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

void tst_Authorizer::unknownActionFailsAndOthersGoOn()
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
    QCOMPARE(authorizer.inFlight(), 0);
}

// 60 checks sent at once, in a mix that polkitd answers three ways: root
// asking for a known action (Yes), an action polkitd does not know
// (Failed, naming it), a bus name nobody owns (Failed). Every callback is
// called exactly once with the answer for its own check. Fails if answers
// are matched to checks by arrival (a Yes would go to a Failed check).
void tst_Authorizer::manyChecksAtOnceEachGetTheirOwnAnswer()
{
    QDBusConnection bus = QDBusConnection::systemBus();
    QVERIFY2(bus.isConnected(), qPrintable(bus.lastError().message()));
    const QString me = bus.baseService();
    Authorizer authorizer;
    constexpr int Checks = 60;
    std::vector<int> calls(Checks, 0);
    std::vector<Authorizer::Result> results(Checks, Authorizer::Result::No);
    std::vector<QString> details(Checks);
    for (int i = 0; i < Checks; ++i) {
        QString action = QStringLiteral("org.etherdisk.etherdisk1.export");
        QString subject = me;
        if (i % 3 == 1)
            action = QStringLiteral("org.etherdisk.etherdisk1.no-such-action-%1").arg(i);
        else if (i % 3 == 2)
            subject = QStringLiteral(":1.%1").arg(900000 + i); // never connected
        authorizer.check(
            action, subject, false,
            [&, i](Authorizer::Result r, const QString &d) {
                ++calls[i];
                results[i] = r;
                details[i] = d;
            },
            { { QStringLiteral("etherdisk.target"), QStringLiteral("e1.%1").arg(i) } });
    }
    QCOMPARE(authorizer.inFlight(), Checks);
    QTRY_COMPARE_WITH_TIMEOUT(authorizer.inFlight(), 0, 15000);
    for (int i = 0; i < Checks; ++i) {
        QCOMPARE(calls[i], 1);
        switch (i % 3) {
        case 0:
            QVERIFY2(results[i] == Authorizer::Result::Yes, qPrintable(details[i]));
            break;
        case 1:
            QVERIFY2(results[i] == Authorizer::Result::Failed, qPrintable(details[i]));
            QVERIFY2(details[i].contains(QStringLiteral("no-such-action-%1").arg(i)),
                     qPrintable(details[i]));
            break;
        default:
            QVERIFY2(results[i] == Authorizer::Result::Failed, qPrintable(details[i]));
            QVERIFY2(!details[i].contains(QStringLiteral("no-such-action")),
                     qPrintable(details[i]));
        }
    }
}

// Checks in flight when the Authorizer goes away: none of their callbacks
// runs (they would use a caller's state that is gone), nothing crashes
// when polkit's answers (or the cancellations) arrive later (the ASan
// build would see a use after free).
void tst_Authorizer::destroyedWithChecksInFlight()
{
    QDBusConnection bus = QDBusConnection::systemBus();
    QVERIFY2(bus.isConnected(), qPrintable(bus.lastError().message()));
    int called = 0;
    {
        Authorizer authorizer;
        for (int i = 0; i < 10; ++i)
            authorizer.check(QStringLiteral("org.etherdisk.etherdisk1.export"), bus.baseService(),
                             false, [&](Authorizer::Result, const QString &) { ++called; });
        QCOMPARE(authorizer.inFlight(), 10);
    }
    // Long enough for polkitd to have answered all ten (the test above
    // gets 60 answers well within this).
    QTest::qWait(1500);
    QCOMPARE(called, 0);
    // A new Authorizer still works.
    Authorizer again;
    bool yes = false;
    again.check(QStringLiteral("org.etherdisk.etherdisk1.export"), bus.baseService(), false,
                [&](Authorizer::Result r, const QString &) { yes = r == Authorizer::Result::Yes; });
    QTRY_VERIFY_WITH_TIMEOUT(yes, 5000);
}

QTEST_GUILESS_MAIN(tst_Authorizer)
#include "tst_authorizer.moc"
