// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
//
// The helper's internal discovery API, which the attach work and the idle
// logic use (Service::holdDiscovery/releaseDiscovery, discoveryActive(),
// discoveryActiveChanged(), TargetObject::setAttachedDevice()), on a
// Service in this process, on a private dbus-daemon, with its sockets in
// namespace A of a veth pair and etherdisk-target answering from B. A
// client connection in this process sees the signals (calls use
// QDBus::BlockWithGui: the service answers from this thread's loop).
#include "images.h"
#include "netns.h"
#include "peers.h"
#include "process.h"
#include "testutil.h"

#include "service.h"

#include <QDBusArgument>
#include <QDBusConnection>
#include <QDBusMessage>
#include <QDBusVariant>
#include <QElapsedTimer>
#include <QPointer>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace EtherdiskTest;
using Etherdisk::Helper::Service;
using Etherdisk::Helper::ServiceOptions;
using Etherdisk::Helper::TargetObject;

namespace {

const QString TargetIface = QStringLiteral("org.etherdisk.Etherdisk1.Target");
constexpr int Shelf = 7, Slot = 1;
constexpr int ForgetMs = 10000;

class SignalLog : public QObject
{
    Q_OBJECT
public:
    QList<QDBusMessage> messages;
public Q_SLOTS:
    void onSignal(const QDBusMessage &m) { messages << m; }
};

} // namespace

class tst_TargetsService final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void cleanup();

    void holdAndRelease();
    void attachedTargetKept();

private:
    QProcess *startPeer();
    QVariant property(const QString &name);

    QProcess m_daemon;
    QDBusConnection m_server{ QString() };
    QDBusConnection m_client{ QString() };
    std::unique_ptr<NetnsPair> m_net;
    QTemporaryDir m_tmp{ QStringLiteral("/tmp/ed-tsvc-XXXXXX") };
    std::unique_ptr<Service> m_service;
    ProcessSet m_processes;
};

void tst_TargetsService::initTestCase()
{
    ETHERDISK_REQUIRE(isRoot(), QStringLiteral("needs root (namespaces, raw sockets)"));
    QString why;
    ETHERDISK_REQUIRE(canCreateNetns(&why), why);
    ETHERDISK_REQUIRE(haveProgram(QStringLiteral("dbus-daemon")),
                      QStringLiteral("dbus-daemon is not installed"));
    QVERIFY(m_tmp.isValid());
    dieWithParent(&m_daemon);
    m_daemon.start(QStringLiteral("dbus-daemon"),
                   { QStringLiteral("--session"), QStringLiteral("--nofork"),
                     QStringLiteral("--print-address") });
    QVERIFY(m_daemon.waitForStarted(5000));
    QTRY_VERIFY_WITH_TIMEOUT(m_daemon.canReadLine(), 5000);
    const QString address = QString::fromLatin1(m_daemon.readLine()).trimmed();
    m_server = QDBusConnection::connectToBus(address, QStringLiteral("server"));
    m_client = QDBusConnection::connectToBus(address, QStringLiteral("client"));
    QVERIFY(m_server.isConnected() && m_client.isConnected());

    m_net = std::make_unique<NetnsPair>(QStringLiteral("tsvc"));
    QVERIFY2(m_net->isValid(), qPrintable(m_net->error()));
    // The service's sockets (discovery) are made in namespace A.
    QVERIFY2(m_net->enter(m_net->nsA()), qPrintable(m_net->error()));
    ServiceOptions options;
    options.configPath = m_tmp.filePath(QStringLiteral("exports.conf"));
    options.stateDir = m_tmp.filePath(QStringLiteral("state"));
    options.targetForgetMs = ForgetMs;
    m_service = std::make_unique<Service>(m_server, options);
    QString error;
    QVERIFY2(m_service->start(&error), qPrintable(error));
}

void tst_TargetsService::cleanupTestCase()
{
    m_service.reset();
    if (m_net)
        m_net->enterOriginal();
    QDBusConnection::disconnectFromBus(QStringLiteral("server"));
    QDBusConnection::disconnectFromBus(QStringLiteral("client"));
    m_daemon.kill();
    m_daemon.waitForFinished();
}

void tst_TargetsService::cleanup()
{
    m_processes.clear();
}

QProcess *tst_TargetsService::startPeer()
{
    const QString image = m_tmp.filePath(QStringLiteral("peer.img"));
    if (!QFile::exists(image) && !makeSparseImage(image, 2048))
        return nullptr;
    return m_processes.start(m_net->nsB(), targetProgram(TargetKind::Etherdisk),
                             targetArgs(TargetKind::Etherdisk, Shelf, Slot, m_net->ifB(), image),
                             Output::Discard);
}

QVariant tst_TargetsService::property(const QString &name)
{
    QDBusMessage m = QDBusMessage::createMethodCall(
        m_server.baseService(),
        QStringLiteral("/org/etherdisk/Etherdisk1/targets/%1_%2").arg(Shelf).arg(Slot),
        QStringLiteral("org.freedesktop.DBus.Properties"), QStringLiteral("Get"));
    m << TargetIface << name;
    const QDBusMessage r = m_client.call(m, QDBus::BlockWithGui, 5000);
    if (r.type() != QDBusMessage::ReplyMessage)
        return {};
    return r.arguments().value(0).value<QDBusVariant>().variant();
}

// Holds are counted per reason: discovery runs from the first hold to the
// last release, discoveryActiveChanged() fires exactly at those two
// moments, a release of a reason never held changes nothing, and the
// Target objects exist only meanwhile. Fails if a hold is not counted or
// the signal is missing or repeated.
void tst_TargetsService::holdAndRelease()
{
    QVERIFY(startPeer());
    QSignalSpy spy(m_service.get(), &Service::discoveryActiveChanged);
    QVERIFY(!m_service->discoveryActive());
    m_service->releaseDiscovery(QStringLiteral("never held"));
    QVERIFY(!m_service->discoveryActive());
    m_service->holdDiscovery(QStringLiteral("a"));
    QVERIFY(m_service->discoveryActive());
    QCOMPARE(spy.size(), 1);
    m_service->holdDiscovery(QStringLiteral("a"));
    m_service->holdDiscovery(QStringLiteral("b"));
    QTRY_VERIFY_WITH_TIMEOUT(m_service->target(Shelf, Slot) != nullptr, 5000);
    m_service->releaseDiscovery(QStringLiteral("a"));
    m_service->releaseDiscovery(QStringLiteral("b"));
    QVERIFY(m_service->discoveryActive()); // "a" was held twice
    m_service->releaseDiscovery(QStringLiteral("a"));
    QVERIFY(!m_service->discoveryActive());
    QCOMPARE(spy.size(), 2);
    QVERIFY(m_service->target(Shelf, Slot) == nullptr);
}

// An attached target: AttachedDevice is signalled; lost for longer than
// the forget time (10 s here) its object stays, State lost, device kept;
// back, it is online again in the same object; with discovery stopped it
// still stays, and goes once detached. Fails if attached objects are
// dropped with the others or a detached one lingers.
void tst_TargetsService::attachedTargetKept()
{
    QProcess *peer = startPeer();
    QVERIFY(peer);
    const QString reason = QStringLiteral("attached e7.1");
    m_service->holdDiscovery(reason);
    QTRY_VERIFY_WITH_TIMEOUT(m_service->target(Shelf, Slot) != nullptr, 5000);
    // Watched: a wrong removal shows as a failure, not a crash.
    const QPointer<TargetObject> t = m_service->target(Shelf, Slot);
    SignalLog changed;
    QVERIFY(m_client.connect(
        m_server.baseService(), t->path(), QStringLiteral("org.freedesktop.DBus.Properties"),
        QStringLiteral("PropertiesChanged"), &changed, SLOT(onSignal(QDBusMessage))));
    const QString device = QStringLiteral("/dev/etherd/e7.1");
    t->setAttachedDevice(device);
    QTRY_VERIFY_WITH_TIMEOUT(!changed.messages.isEmpty(), 2000);
    QCOMPARE(qdbus_cast<QVariantMap>(changed.messages.constFirst().arguments().value(1))
                 .value(QStringLiteral("AttachedDevice"))
                 .toString(),
             device);
    QCOMPARE(property(QStringLiteral("AttachedDevice")).toString(), device);

    peer->kill();
    QVERIFY(peer->waitForFinished(5000));
    QElapsedTimer since;
    since.start();
    QTRY_COMPARE_WITH_TIMEOUT(property(QStringLiteral("State")).toString(), QStringLiteral("lost"),
                              8000);
    // Past the forget time and the poll that acts on it.
    while (since.elapsed() < ForgetMs + 4000)
        QTest::qWait(200);
    QVERIFY(t && m_service->target(Shelf, Slot) == t.data());
    QCOMPARE(property(QStringLiteral("State")).toString(), QStringLiteral("lost"));
    QCOMPARE(property(QStringLiteral("AttachedDevice")).toString(), device);

    QVERIFY(startPeer());
    QTRY_COMPARE_WITH_TIMEOUT(property(QStringLiteral("State")).toString(),
                              QStringLiteral("online"), 6000);
    QVERIFY(t && m_service->target(Shelf, Slot) == t.data());

    m_service->releaseDiscovery(reason);
    QVERIFY(!m_service->discoveryActive());
    QVERIFY(t && m_service->target(Shelf, Slot) == t.data());
    QCOMPARE(property(QStringLiteral("State")).toString(), QStringLiteral("lost"));
    t->setAttachedDevice(QString());
    QVERIFY(m_service->target(Shelf, Slot) == nullptr);
}

QTEST_GUILESS_MAIN(tst_TargetsService)
#include "tst_targets_service.moc"
