// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
//
// Service's hold()/release() API, in process, on a private bus (a
// dbus-daemon this test starts; polkit is never asked): what other parts
// of the helper (attached disks, discovery clients) use to keep it
// running. The idle timeout is 1 s here. What would make each test fail is
// said at the test.
#include "service.h"

#include "process.h"
#include "testutil.h"

#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using Etherdisk::Helper::Service;
using Etherdisk::Helper::ServiceOptions;

class tst_ServiceIdle final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void init();
    void cleanup();

    void idleExpiresAfterTimeout();
    void holdKeepsAndReleaseLets();
    void holdsAreCountedPerReason();
    void zeroNeverExpires();

private:
    // Waits for idleExpired; the ms it took, or -1.
    qint64 waitExpired(int timeoutMs);

    QProcess m_daemon;
    QString m_address;
    QTemporaryDir m_tmp;
    std::unique_ptr<Service> m_service;
    std::unique_ptr<QSignalSpy> m_expired;
    int m_round = 0;
};

void tst_ServiceIdle::initTestCase()
{
    ETHERDISK_REQUIRE(EtherdiskTest::haveProgram(QStringLiteral("dbus-daemon")),
                      QStringLiteral("dbus-daemon is not installed"));
    EtherdiskTest::dieWithParent(&m_daemon);
    m_daemon.start(QStringLiteral("dbus-daemon"),
                   { QStringLiteral("--session"), QStringLiteral("--nofork"),
                     QStringLiteral("--print-address") });
    QVERIFY(m_daemon.waitForStarted(5000));
    QTRY_VERIFY_WITH_TIMEOUT(m_daemon.canReadLine(), 5000);
    m_address = QString::fromLatin1(m_daemon.readLine()).trimmed();
    // polkit-qt connects to "the system bus": this one (nothing asks it).
    qputenv("DBUS_SYSTEM_BUS_ADDRESS", m_address.toLatin1());
    QVERIFY(m_tmp.isValid());
}

void tst_ServiceIdle::cleanupTestCase()
{
    m_daemon.kill();
    m_daemon.waitForFinished(3000);
}

void tst_ServiceIdle::init()
{
    const QString name = QStringLiteral("service%1").arg(++m_round);
    QDBusConnection bus = QDBusConnection::connectToBus(m_address, name);
    QVERIFY(bus.isConnected());
    ServiceOptions options;
    options.configPath = m_tmp.filePath(name + QStringLiteral("/exports.conf"));
    options.stateDir = m_tmp.filePath(name + QStringLiteral("/state"));
    options.wantsDir = m_tmp.filePath(name + QStringLiteral("/wants"));
    options.idleTimeoutS = QByteArray(QTest::currentTestFunction()) == "zeroNeverExpires" ? 0 : 1;
    m_service = std::make_unique<Service>(bus, options);
    m_expired = std::make_unique<QSignalSpy>(m_service.get(), &Service::idleExpired);
    QString error;
    QVERIFY2(m_service->start(&error), qPrintable(error));
    QVERIFY(m_service->isIdle());
}

void tst_ServiceIdle::cleanup()
{
    m_expired.reset();
    m_service.reset();
    QDBusConnection::disconnectFromBus(QStringLiteral("service%1").arg(m_round));
}

qint64 tst_ServiceIdle::waitExpired(int timeoutMs)
{
    QElapsedTimer t;
    t.start();
    while (t.elapsed() < timeoutMs) {
        if (!m_expired->isEmpty())
            return t.elapsed();
        QTest::qWait(20);
    }
    return -1;
}

// Nothing held, nothing served: idleExpired 1 s after start (900-1400 ms,
// counted from this function's start, which comes up to a few tens of ms
// after start() armed the timer: more under the sanitizers). Fails if the
// timer is not started when the service becomes idle.
void tst_ServiceIdle::idleExpiresAfterTimeout()
{
    const qint64 ms = waitExpired(3000);
    QVERIFY2(ms >= 900 && ms <= 1400, qPrintable(QString::number(ms)));
}

// hold() keeps the service for as long as it is held (3 s checked); after
// release() it expires within the window counted from the release. Fails
// if a hold does not stop the timer or a release does not restart it.
void tst_ServiceIdle::holdKeepsAndReleaseLets()
{
    m_service->hold(QStringLiteral("attached e1.2"));
    QVERIFY(!m_service->isIdle());
    QVERIFY(m_service->isHeld(QStringLiteral("attached e1.2")));
    QCOMPARE(waitExpired(3000), -1);
    m_service->release(QStringLiteral("attached e1.2"));
    QVERIFY(m_service->isIdle());
    const qint64 ms = waitExpired(3000);
    QVERIFY2(ms >= 950 && ms <= 1400, qPrintable(QString::number(ms)));
}

// Two holds of one reason need two releases; releasing a reason never
// held changes nothing; two reasons are independent. Fails if holds are
// a set instead of counts, or an unknown release frees another's hold.
void tst_ServiceIdle::holdsAreCountedPerReason()
{
    const QString a = QStringLiteral("discovery :1.42");
    const QString b = QStringLiteral("discovery :1.43");
    m_service->hold(a);
    m_service->hold(a);
    m_service->hold(b);
    m_service->release(QStringLiteral("never held"));
    m_service->release(a);
    m_service->release(b);
    QVERIFY(m_service->isHeld(a));
    QCOMPARE(m_service->holds(), QStringList{ a });
    QCOMPARE(waitExpired(1500), -1);
    m_service->release(a);
    QVERIFY(m_service->holds().isEmpty());
    QVERIFY(waitExpired(2000) >= 0);
}

// --idle-timeout 0: never expires. Fails if 0 is taken as "at once".
void tst_ServiceIdle::zeroNeverExpires()
{
    QCOMPARE(waitExpired(2000), -1);
}

QTEST_GUILESS_MAIN(tst_ServiceIdle)
#include "tst_service_idle.moc"
