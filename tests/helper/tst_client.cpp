// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
//
// Etherdisk::Client::Model against the real etherdisk-helper on a private
// system bus with a real polkitd (tests/helper/start-test-bus.sh), the
// helper bus-activated in namespace A of a veth pair, our Initiator
// reading from B. Every signal of the model is counted: each change must
// be reported exactly once. What would make each test fail is said at
// the test.
#include "images.h"
#include "netns.h"
#include "process.h"
#include "testutil.h"

#include "etherdisk/initiator.h"
#include "etherdiskclient/actions.h"
#include "etherdiskclient/model.h"

#include <QDBusArgument>
#include <QDBusConnection>
#include <QDBusMessage>
#include <QDBusUnixFileDescriptor>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

using namespace EtherdiskTest;
using Etherdisk::Client::Model;

namespace {

const QString Service = QStringLiteral("org.etherdisk.Etherdisk1");
const QString ManagerPath = QStringLiteral("/org/etherdisk/Etherdisk1/Manager");
const QString ManagerIface = QStringLiteral("org.etherdisk.Etherdisk1.Manager");
const QString ExportIface = QStringLiteral("org.etherdisk.Etherdisk1.Export");
constexpr qint64 ImageSectors = 2048; // 1 MiB

QString helperBinary()
{
    return QStringLiteral(ETHERDISK_BINARY_DIR "/app/etherdisk-helper/etherdisk-helper");
}
QString busScript()
{
    return QStringLiteral(ETHERDISK_SOURCE_DIR "/tests/helper/start-test-bus.sh");
}

// Every signal of one Model, in order, as text: "added PATH IFACE",
// "changed PATH IFACE P1,P2", "removed PATH IFACE", "connected",
// "disconnected", "failed NAME".
class ModelLog : public QObject
{
public:
    explicit ModelLog(Model *model)
    {
        connect(model, &Model::objectAdded, this, [this](const QString &p, const QString &i) {
            events << QStringLiteral("added %1 %2").arg(p, i);
        });
        connect(model, &Model::objectRemoved, this, [this](const QString &p, const QString &i) {
            events << QStringLiteral("removed %1 %2").arg(p, i);
        });
        connect(model, &Model::objectChanged, this,
                [this](const QString &p, const QString &i, const QStringList &names) {
                    QStringList sorted = names;
                    sorted.sort();
                    events << QStringLiteral("changed %1 %2 %3")
                                  .arg(p, i, sorted.join(QLatin1Char(',')));
                });
        connect(model, &Model::connectedChanged, this, [this](bool up) {
            events << (up ? QStringLiteral("connected") : QStringLiteral("disconnected"));
        });
        connect(model, &Model::fetchFailed, this, [this](const Etherdisk::Client::Error &e) {
            events << QStringLiteral("failed ") + e.name;
        });
    }
    QStringList events;
    // The events that start with `prefix`.
    QStringList matching(const QString &prefix) const
    {
        QStringList out;
        for (const QString &e : events)
            if (e.startsWith(prefix))
                out << e;
        return out;
    }
};

} // namespace

class tst_Client final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void cleanup();

    void initialState();
    void addedChangedRemoved();
    void fetchRacesWithChange();
    void countersChange();
    void helperRestart();
    void actionsErrors();

private:
    QDBusMessage call(const QString &path, const QString &iface, const QString &method,
                      const QVariantList &args);
    QString createImage(const QString &name, int seed, int shelf, int slot,
                        const QVariantMap &options = {});
    QDBusMessage stop(const QString &path);
    qint64 helperPid();

    std::unique_ptr<NetnsPair> m_net;
    QTemporaryDir m_tmp{ QStringLiteral("/tmp/ed-client-XXXXXX") };
    QString m_busDir;
    QString m_address;
    QDBusConnection m_bus{ QString() };
    bool m_busUp = false;
    int m_connections = 0;
    // A connection of its own for each model: as a separate client would.
    QDBusConnection newConnection();
};

void tst_Client::initTestCase()
{
    ETHERDISK_REQUIRE(isRoot(), QStringLiteral("needs root (a system bus, polkitd, namespaces)"));
    QString why;
    ETHERDISK_REQUIRE(canCreateNetns(&why), why);
    ETHERDISK_REQUIRE(haveProgram(QStringLiteral("dbus-daemon")),
                      QStringLiteral("dbus-daemon is not installed"));
    ETHERDISK_REQUIRE(QFile::exists(QStringLiteral("/usr/lib/polkit-1/polkitd")),
                      QStringLiteral("polkitd is not installed (Debian package polkitd)"));
    QVERIFY(m_tmp.isValid());
    QVERIFY(QFile::setPermissions(m_tmp.path(),
                                  QFileDevice::ReadOwner | QFileDevice::WriteOwner
                                      | QFileDevice::ExeOwner | QFileDevice::ReadOther
                                      | QFileDevice::ExeOther));
    m_net = std::make_unique<NetnsPair>(QStringLiteral("client"));
    QVERIFY2(m_net->isValid(), qPrintable(m_net->error()));
    m_busDir = m_tmp.filePath(QStringLiteral("bus"));
    const Run r = runProgram(busScript(),
                             { QStringLiteral("start"), m_busDir, helperBinary(), m_net->nsA() });
    QVERIFY2(r.ok(), qPrintable(r.describe()));
    m_busUp = true;
    m_address = QString::fromLocal8Bit(r.out).trimmed();
    m_bus = newConnection();
    QVERIFY2(m_bus.isConnected(), qPrintable(m_bus.lastError().message()));
    QVERIFY2(m_net->enter(m_net->nsB()), qPrintable(m_net->error()));
}

void tst_Client::cleanupTestCase()
{
    if (m_net)
        m_net->enterOriginal();
    if (m_busUp) {
        const Run r = runProgram(busScript(), { QStringLiteral("stop"), m_busDir });
        if (!r.ok())
            qWarning("%s", qPrintable(r.describe()));
    }
}

void tst_Client::cleanup()
{
    if (!m_busUp)
        return;
    Model model(m_bus);
    model.start();
    QTRY_VERIFY_WITH_TIMEOUT(model.isConnected(), 10000);
    for (const QString &path : model.exportPaths())
        stop(path);
}

QDBusConnection tst_Client::newConnection()
{
    return QDBusConnection::connectToBus(m_address,
                                         QStringLiteral("tst_client_%1").arg(++m_connections));
}

QDBusMessage tst_Client::call(const QString &path, const QString &iface, const QString &method,
                              const QVariantList &args)
{
    QDBusMessage m = QDBusMessage::createMethodCall(Service, path, iface, method);
    m.setArguments(args);
    return m_bus.call(m, QDBus::Block, 30000);
}

// Exports a new pattern image as shelf.slot on A; the object path, or ""
// (with a test failure recorded by the caller's QVERIFY on it).
QString tst_Client::createImage(const QString &name, int seed, int shelf, int slot,
                                const QVariantMap &options)
{
    const QString path = m_tmp.filePath(name);
    if (!makePatternImage(path, ImageSectors, seed))
        return {};
    const int fd = ::open(QFile::encodeName(path).constData(), O_RDWR | O_CLOEXEC);
    if (fd < 0)
        return {};
    const QDBusMessage reply =
        call(ManagerPath, ManagerIface, QStringLiteral("CreateExportFromImage"),
             { QVariant::fromValue(QDBusUnixFileDescriptor(fd)), QVariant::fromValue(ushort(shelf)),
               QVariant::fromValue(uchar(slot)), QStringList{ m_net->ifA() }, options });
    ::close(fd);
    if (reply.type() != QDBusMessage::ReplyMessage) {
        qWarning("CreateExportFromImage: %s", qPrintable(reply.errorMessage()));
        return {};
    }
    return qvariant_cast<QDBusObjectPath>(reply.arguments().value(0)).path();
}

QDBusMessage tst_Client::stop(const QString &path)
{
    return call(path, ExportIface, QStringLiteral("Stop"), { QVariantMap() });
}

qint64 tst_Client::helperPid()
{
    QDBusMessage m = QDBusMessage::createMethodCall(
        QStringLiteral("org.freedesktop.DBus"), QStringLiteral("/org/freedesktop/DBus"),
        QStringLiteral("org.freedesktop.DBus"), QStringLiteral("GetConnectionUnixProcessID"));
    m << Service;
    const QDBusMessage r = m_bus.call(m, QDBus::Block, 5000);
    return r.type() == QDBusMessage::ReplyMessage ? r.arguments().value(0).toLongLong() : -1;
}

// A model started while an export exists: after the fetch it holds the
// Manager (Version) and the export with every property typed, each
// announced once, then connected once. Fails if the fetch is not parsed
// into the typed view, or an object is announced twice.
void tst_Client::initialState()
{
    const QString path = createImage(
        QStringLiteral("initial.img"), 1, 4, 5,
        { { QStringLiteral("write-mode"), QStringLiteral("sync") },
          { QStringLiteral("allow"), QStringList{ QStringLiteral("02:ae:00:00:00:07") } } });
    QCOMPARE(path, Etherdisk::Client::exportPath(4, 5));
    Model model(newConnection());
    ModelLog log(&model);
    QVERIFY(!model.isConnected());
    model.start();
    QVERIFY(model.isFetching());
    QTRY_VERIFY_WITH_TIMEOUT(model.isConnected(), 10000);
    QTest::qWait(300); // anything duplicated would come now
    QCOMPARE(log.events,
             QStringList({ QStringLiteral("added %1 %2").arg(ManagerPath, ManagerIface),
                           QStringLiteral("added %1 %2").arg(path, ExportIface),
                           QStringLiteral("connected") }));
    QCOMPARE(model.helperVersion(), QStringLiteral("0.1.0"));
    QCOMPARE(model.exportPaths(), QStringList{ path });
    QVERIFY(model.targetPaths().isEmpty());
    const Etherdisk::Client::ExportInfo *e = model.findExport(4, 5);
    QVERIFY(e);
    QCOMPARE(e, model.exportInfo(path));
    QCOMPARE(e->name(), QStringLiteral("e4.5"));
    QCOMPARE(e->shelf, quint16(4));
    QCOMPARE(e->slot, quint8(5));
    QCOMPARE(e->source, m_tmp.filePath(QStringLiteral("initial.img")));
    QCOMPARE(e->interfaces, QStringList{ m_net->ifA() });
    QCOMPARE(e->size, quint64(ImageSectors * 512));
    QCOMPARE(e->readOnly, false);
    QCOMPARE(e->writeMode, QStringLiteral("sync"));
    QCOMPARE(e->allowedMacs, QStringList{ QStringLiteral("02:ae:00:00:00:07") });
    QCOMPARE(e->persistent, false);
    QCOMPARE(e->state, QStringLiteral("serving"));
    QCOMPARE(e->lastError, QString());
    QVERIFY(e->clients.isEmpty());
    QCOMPARE(e->bytesRead, quint64(0));
    QVERIFY(!model.findExport(4, 6));
    QVERIFY(model.lastError().name.isEmpty());
}

// A connected model follows an export being created, changed twice and
// stopped: one added, one changed per call naming exactly the property
// that changed, one removed; a refresh() in between (nothing changed)
// reports nothing. Fails if the model misses a signal, reports one twice,
// or reports a property whose value did not change.
void tst_Client::addedChangedRemoved()
{
    Model model(newConnection());
    ModelLog log(&model);
    model.start();
    QTRY_VERIFY_WITH_TIMEOUT(model.isConnected(), 10000);
    log.events.clear();

    const QString path = createImage(QStringLiteral("acr.img"), 2, 6, 1);
    QVERIFY(!path.isEmpty());
    QTRY_VERIFY_WITH_TIMEOUT(model.exportInfo(path), 3000);
    QCOMPARE(model.exportInfo(path)->writeMode, QStringLiteral("writeback"));

    QDBusMessage r =
        call(path, ExportIface, QStringLiteral("SetSettings"),
             { QVariantMap{ { QStringLiteral("write-mode"), QStringLiteral("direct") } } });
    QVERIFY2(r.type() == QDBusMessage::ReplyMessage, qPrintable(r.errorMessage()));
    QTRY_COMPARE_WITH_TIMEOUT(model.exportInfo(path)->writeMode, QStringLiteral("direct"), 3000);
    r = call(path, ExportIface, QStringLiteral("SetSettings"),
             { QVariantMap{ { QStringLiteral("read-only"), true } } });
    QVERIFY2(r.type() == QDBusMessage::ReplyMessage, qPrintable(r.errorMessage()));
    QTRY_VERIFY_WITH_TIMEOUT(model.exportInfo(path)->readOnly, 3000);
    // A fetch that finds nothing new reports nothing (values compared).
    model.refresh();
    QVERIFY(model.isFetching());
    QTRY_VERIFY_WITH_TIMEOUT(!model.isFetching(), 3000);
    QVERIFY(model.isConnected());

    QVERIFY(stop(path).type() == QDBusMessage::ReplyMessage);
    QTRY_VERIFY_WITH_TIMEOUT(!model.exportInfo(path), 3000);
    QTest::qWait(500);
    // The export's own events (an export also keeps the helper's discovery
    // running: the Manager's DiscoveryActive changes with it).
    QStringList exportEvents;
    for (const QString &e : log.events)
        if (!e.startsWith(QStringLiteral("changed ") + ManagerPath + QLatin1Char(' ')))
            exportEvents << e;
    QCOMPARE(exportEvents,
             QStringList({ QStringLiteral("added %1 %2").arg(path, ExportIface),
                           QStringLiteral("changed %1 %2 WriteMode").arg(path, ExportIface),
                           QStringLiteral("changed %1 %2 ReadOnly").arg(path, ExportIface),
                           QStringLiteral("removed %1 %2").arg(path, ExportIface) }));
    QVERIFY(model.exportPaths().isEmpty());
    QVERIFY(model.isConnected());
}

// Exports are created while a model's first fetch is on its way (started
// in the same turn of the event loop): whichever side of the fetch each
// lands on, each is announced exactly once. Fails if signals that arrive
// before the fetch's answer are applied on top of it (twice) or dropped
// when the answer does not cover them.
void tst_Client::fetchRacesWithChange()
{
    for (int round = 0; round < 5; ++round) {
        QDBusConnection other = newConnection();
        Model model(newConnection());
        ModelLog log(&model);
        // Three asynchronous creations from another connection, then the fetch.
        QList<int> fds;
        for (int i = 0; i < 3; ++i) {
            const QString image = m_tmp.filePath(QStringLiteral("race%1.img").arg(i));
            QVERIFY(makePatternImage(image, ImageSectors, 60 + i));
            const int fd = ::open(QFile::encodeName(image).constData(), O_RDWR | O_CLOEXEC);
            QVERIFY(fd >= 0);
            QDBusMessage m = QDBusMessage::createMethodCall(
                Service, ManagerPath, ManagerIface, QStringLiteral("CreateExportFromImage"));
            m << QVariant::fromValue(QDBusUnixFileDescriptor(fd)) << QVariant::fromValue(ushort(7))
              << QVariant::fromValue(uchar(i)) << QStringList{ m_net->ifA() } << QVariantMap();
            other.asyncCall(m);
            ::close(fd);
            if (i == 0)
                model.start();
        }
        QTRY_COMPARE_WITH_TIMEOUT(model.exportPaths().size(), 3, 5000);
        QTest::qWait(500);
        for (int i = 0; i < 3; ++i) {
            const QString path = Etherdisk::Client::exportPath(7, uint(i));
            QCOMPARE(log.matching(QStringLiteral("added %1 ").arg(path)).size(), 1);
        }
        QCOMPARE(log.matching(QStringLiteral("connected")).size(), 1);
        QCOMPARE(log.matching(QStringLiteral("removed")).size(), 0);
        cleanup();
    }
}

// Reads from B move the counters: the model reports them (BytesRead and
// ReadRequests change, the client appears) in coalesced changes and ends
// with the helper's own values. Fails if PropertiesChanged of counters is
// not applied, or Clients (aa{sv}) is not demarshalled into ClientInfo.
void tst_Client::countersChange()
{
    const QString path = createImage(QStringLiteral("counters.img"), 3, 6, 2);
    QVERIFY(!path.isEmpty());
    Model model(newConnection());
    ModelLog log(&model);
    model.start();
    QTRY_VERIFY_WITH_TIMEOUT(model.isConnected(), 10000);
    log.events.clear();

    std::string error;
    Etherdisk::Initiator::Options o;
    o.interface = m_net->ifB().toStdString();
    o.shelf = 6;
    o.slot = 2;
    auto initiator = Etherdisk::Initiator::open(o, &error);
    QVERIFY2(initiator, error.c_str());
    std::vector<std::uint8_t> buf(ImageSectors * 512);
    QVERIFY2(initiator->read(0, buf, &error), error.c_str());
    initiator.reset();

    QTRY_VERIFY_WITH_TIMEOUT(model.exportInfo(path)->bytesRead >= quint64(buf.size()), 3000);
    QTest::qWait(1200); // the last coalesced change
    const QStringList changes = log.matching(QStringLiteral("changed %1").arg(path));
    QVERIFY2(!changes.isEmpty() && changes.size() <= 4,
             qPrintable(log.events.join(QLatin1Char('\n'))));
    QVERIFY2(changes.constFirst().contains(QStringLiteral("BytesRead"))
                 && changes.constFirst().contains(QStringLiteral("ReadRequests"))
                 && !changes.constFirst().contains(QStringLiteral("WriteMode")),
             qPrintable(changes.constFirst()));
    QCOMPARE(log.events.size(), changes.size());
    const Etherdisk::Client::ExportInfo *e = model.exportInfo(path);
    const QDBusMessage props = call(path, QStringLiteral("org.freedesktop.DBus.Properties"),
                                    QStringLiteral("GetAll"), { ExportIface });
    const QVariantMap helper = qdbus_cast<QVariantMap>(props.arguments().value(0));
    QCOMPARE(e->bytesRead, helper.value(QStringLiteral("BytesRead")).toULongLong());
    QCOMPARE(e->readRequests, helper.value(QStringLiteral("ReadRequests")).toULongLong());
    QVERIFY(e->readRequests > 0);
    QCOMPARE(e->clients.size(), 1);
    QVERIFY(e->clients.constFirst().bytesRead >= quint64(buf.size()));
    QCOMPARE(e->clients.constFirst().mac.size(), 17);
    QVERIFY(e->clients.constFirst().lastSeenMs > 0);
}

// kill -9 of the helper: the model empties by itself (one removed per
// object, then disconnected); the next activation (by another client)
// refills it without any call on the model (the persistent export is back,
// then connected). Twice: the model recovers more than once. Fails if the
// model polls, keeps stale objects, or needs refresh() to come back.
void tst_Client::helperRestart()
{
    const QString path = createImage(QStringLiteral("restart.img"), 4, 6, 3,
                                     { { QStringLiteral("persistent"), true } });
    QVERIFY(!path.isEmpty());
    Model model(newConnection());
    ModelLog log(&model);
    model.start();
    QTRY_VERIFY_WITH_TIMEOUT(model.isConnected(), 10000);
    log.events.clear();

    for (int round = 0; round < 2; ++round) {
        const qint64 pid = helperPid();
        QVERIFY(pid > 0);
        QVERIFY(::kill(pid_t(pid), SIGKILL) == 0);
        QTRY_VERIFY_WITH_TIMEOUT(!model.isConnected(), 5000);
        QVERIFY(model.paths().isEmpty());
        QVERIFY(!model.exportInfo(path));
        QCOMPARE(model.helperVersion(), QString());
        QTest::qWait(500);
        QStringList removed = log.matching(QStringLiteral("removed"));
        removed.sort();
        QCOMPARE(removed,
                 QStringList({ QStringLiteral("removed %1 %2").arg(ManagerPath, ManagerIface),
                               QStringLiteral("removed %1 %2").arg(path, ExportIface) }));
        QCOMPARE(log.events.last(), QStringLiteral("disconnected"));
        QCOMPARE(log.events.size(), 3);
        log.events.clear();

        // Someone else activates the helper again.
        QVERIFY(helperPid() < 0);
        const QDBusMessage r = call(ManagerPath, QStringLiteral("org.freedesktop.DBus.Peer"),
                                    QStringLiteral("Ping"), {});
        QVERIFY2(r.type() == QDBusMessage::ReplyMessage, qPrintable(r.errorMessage()));
        QTRY_VERIFY_WITH_TIMEOUT(model.isConnected(), 5000);
        QVERIFY(model.exportInfo(path));
        QCOMPARE(model.exportInfo(path)->persistent, true);
        QCOMPARE(model.helperVersion(), QStringLiteral("0.1.0"));
        QTest::qWait(500);
        QCOMPARE(log.events.size(), 3);
        QCOMPARE(log.events.last(), QStringLiteral("connected"));
        QCOMPARE(log.matching(QStringLiteral("added %1 ").arg(path)).size(), 1);
        QCOMPARE(log.matching(QStringLiteral("added %1 ").arg(ManagerPath)).size(), 1);
        log.events.clear();
    }
}

// Actions: a refusal comes back as {name, message} with its kind; a call
// to an object that does not exist names the bus's error. Fails if errors
// are lost or mis-kinded.
void tst_Client::actionsErrors()
{
    Etherdisk::Client::Actions actions(newConnection());
    Etherdisk::Client::Error error;
    QVariant result;
    bool done = false;
    const auto collect = [&](const Etherdisk::Client::Error &e, const QVariant &r) {
        error = e;
        result = r;
        done = true;
    };
    actions.createExport(QStringLiteral("relative/path"), 1, 1, { m_net->ifA() }, {}, collect);
    QTRY_VERIFY_WITH_TIMEOUT(done, 5000);
    QCOMPARE(error.name, QStringLiteral("org.etherdisk.Etherdisk1.Error.InvalidArgument"));
    QCOMPARE(error.kind(), Etherdisk::Client::Error::Kind::InvalidArgument);
    QVERIFY2(error.message.contains(QStringLiteral("absolute")), qPrintable(error.message));

    done = false;
    actions.stopExport(Etherdisk::Client::exportPath(9, 1), {}, collect);
    QTRY_VERIFY_WITH_TIMEOUT(done, 5000);
    QVERIFY(error.isError());
    QCOMPARE(error.kind(), Etherdisk::Client::Error::Kind::Other);

    done = false;
    actions.permissions(collect);
    QTRY_VERIFY_WITH_TIMEOUT(done, 5000);
    QVERIFY2(!error.isError(), qPrintable(error.message));
    QCOMPARE(result.value<StringMap>().value(QStringLiteral("org.etherdisk.etherdisk1.export")),
             QStringLiteral("yes"));
}

QTEST_GUILESS_MAIN(tst_Client)
#include "tst_client.moc"
