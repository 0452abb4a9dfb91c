// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
//
// ObjectTree (helper/service/objecttree.h) on a private dbus-daemon: the
// ObjectManager interface and PropertiesChanged as a client on another
// connection sees them, and the coalescing promise: a property reported
// with changedLater() is signalled at most once per coalesceMs however
// often it changes, the last value always arrives, and with nothing
// pending no timer runs. Server and client live in this process, so the
// client calls with QDBus::BlockWithGui (the server answers from this
// thread's event loop).
#include "objecttree.h"
#include "process.h"
#include "testutil.h"

#include <QDBusAbstractAdaptor>
#include <QDBusConnection>
#include <QDBusMessage>
#include <QDBusMetaType>
#include <QElapsedTimer>
#include <QProcess>
#include <QTest>

using Etherdisk::Helper::ObjectTree;

namespace {

const QString Root = QStringLiteral("/org/etherdisk/Test1");
const QString Iface = QStringLiteral("org.etherdisk.Test1.Thing");

class Thing : public QObject
{
    Q_OBJECT
public:
    qulonglong count = 0;
    QString name = QStringLiteral("first");
};

class ThingAdaptor : public QDBusAbstractAdaptor
{
    Q_OBJECT
    Q_CLASSINFO("D-Bus Interface", "org.etherdisk.Test1.Thing")
    Q_PROPERTY(qulonglong Count READ count)
    Q_PROPERTY(QString Name READ name)
public:
    explicit ThingAdaptor(Thing *thing) : QDBusAbstractAdaptor(thing), m_thing(thing) { }
    qulonglong count() const { return m_thing->count; }
    QString name() const { return m_thing->name; }

private:
    Thing *m_thing;
};

class SignalLog : public QObject
{
    Q_OBJECT
public:
    QList<QDBusMessage> messages;
    QList<qint64> times;
    QElapsedTimer clock;
    SignalLog() { clock.start(); }
public Q_SLOTS:
    void onSignal(const QDBusMessage &m)
    {
        messages << m;
        times << clock.elapsed();
    }
};

} // namespace

class tst_ObjectTree final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void addListRemove();
    void changedAtOnce();
    void coalescedAtMostOncePerInterval();
    void changedCancelsPending();
    void removeDropsPending();
    void refusals();

private:
    QDBusMessage managedObjects();

    QProcess m_daemon;
    QDBusConnection m_server{ QString() };
    QDBusConnection m_client{ QString() };
    QString m_serverName;
};

void tst_ObjectTree::initTestCase()
{
    ETHERDISK_REQUIRE(EtherdiskTest::haveProgram(QStringLiteral("dbus-daemon")),
                      QStringLiteral("dbus-daemon is not installed"));
    EtherdiskTest::dieWithParent(&m_daemon);
    m_daemon.start(QStringLiteral("dbus-daemon"),
                   { QStringLiteral("--session"), QStringLiteral("--nofork"),
                     QStringLiteral("--print-address") });
    QVERIFY(m_daemon.waitForStarted(5000));
    QTRY_VERIFY_WITH_TIMEOUT(m_daemon.canReadLine(), 5000);
    const QString address = QString::fromLatin1(m_daemon.readLine()).trimmed();
    m_server = QDBusConnection::connectToBus(address, QStringLiteral("server"));
    m_client = QDBusConnection::connectToBus(address, QStringLiteral("client"));
    QVERIFY(m_server.isConnected() && m_client.isConnected());
    m_serverName = m_server.baseService();
    Etherdisk::Helper::registerDBusTypes();
}

void tst_ObjectTree::cleanupTestCase()
{
    QDBusConnection::disconnectFromBus(QStringLiteral("server"));
    QDBusConnection::disconnectFromBus(QStringLiteral("client"));
    m_daemon.kill();
    m_daemon.waitForFinished();
}

QDBusMessage tst_ObjectTree::managedObjects()
{
    return m_client.call(
        QDBusMessage::createMethodCall(m_serverName, Root,
                                       QStringLiteral("org.freedesktop.DBus.ObjectManager"),
                                       QStringLiteral("GetManagedObjects")),
        QDBus::BlockWithGui, 5000);
}

// add: InterfacesAdded with every property; GetManagedObjects lists it and
// Properties.Get reads it; remove: InterfacesRemoved naming the interface,
// and the object is gone.
void tst_ObjectTree::addListRemove()
{
    ObjectTree tree(m_server, Root);
    QString error;
    QVERIFY2(tree.registerRoot(&error), qPrintable(error));
    SignalLog added, removed;
    QVERIFY(
        m_client.connect(m_serverName, Root, QStringLiteral("org.freedesktop.DBus.ObjectManager"),
                         QStringLiteral("InterfacesAdded"), &added, SLOT(onSignal(QDBusMessage))));
    QVERIFY(m_client.connect(
        m_serverName, Root, QStringLiteral("org.freedesktop.DBus.ObjectManager"),
        QStringLiteral("InterfacesRemoved"), &removed, SLOT(onSignal(QDBusMessage))));
    Thing thing;
    thing.count = 42;
    new ThingAdaptor(&thing);
    const QString path = Root + QStringLiteral("/things/1");
    QVERIFY2(tree.add(path, &thing, &error), qPrintable(error));

    QTRY_COMPARE_WITH_TIMEOUT(added.messages.size(), 1, 2000);
    QCOMPARE(qvariant_cast<QDBusObjectPath>(added.messages[0].arguments().value(0)).path(), path);
    const auto ifaces = qdbus_cast<InterfaceProperties>(added.messages[0].arguments().value(1));
    QCOMPARE(ifaces.keys(), QStringList{ Iface });
    QCOMPARE(ifaces.value(Iface).value(QStringLiteral("Count")).toULongLong(), 42ull);
    QCOMPARE(ifaces.value(Iface).value(QStringLiteral("Name")).toString(), QStringLiteral("first"));

    const QDBusMessage list = managedObjects();
    QCOMPARE(list.type(), QDBusMessage::ReplyMessage);
    const auto objects = qdbus_cast<ManagedObjects>(list.arguments().value(0));
    QCOMPARE(objects.keys(), QList<QDBusObjectPath>{ QDBusObjectPath(path) });

    QDBusMessage get = QDBusMessage::createMethodCall(
        m_serverName, path, QStringLiteral("org.freedesktop.DBus.Properties"),
        QStringLiteral("Get"));
    get << Iface << QStringLiteral("Count");
    const QDBusMessage value = m_client.call(get, QDBus::BlockWithGui, 5000);
    QCOMPARE(qvariant_cast<QDBusVariant>(value.arguments().value(0)).variant().toULongLong(),
             42ull);

    tree.remove(path);
    QTRY_COMPARE_WITH_TIMEOUT(removed.messages.size(), 1, 2000);
    QCOMPARE(qvariant_cast<QDBusObjectPath>(removed.messages[0].arguments().value(0)).path(), path);
    QCOMPARE(qdbus_cast<QStringList>(removed.messages[0].arguments().value(1)),
             QStringList{ Iface });
    QVERIFY(qdbus_cast<ManagedObjects>(managedObjects().arguments().value(0)).isEmpty());
    QCOMPARE(m_client.call(get, QDBus::BlockWithGui, 5000).type(), QDBusMessage::ErrorMessage);
}

// changed(): one PropertiesChanged at once, with the current values; no timer.
void tst_ObjectTree::changedAtOnce()
{
    ObjectTree tree(m_server, Root);
    QString error;
    QVERIFY(tree.registerRoot(&error));
    Thing thing;
    new ThingAdaptor(&thing);
    const QString path = Root + QStringLiteral("/things/2");
    QVERIFY(tree.add(path, &thing, &error));
    SignalLog changed;
    QVERIFY(m_client.connect(m_serverName, path, QStringLiteral("org.freedesktop.DBus.Properties"),
                             QStringLiteral("PropertiesChanged"), &changed,
                             SLOT(onSignal(QDBusMessage))));
    thing.name = QStringLiteral("second");
    changed.clock.restart();
    tree.changed(path, Iface, { QStringLiteral("Name") });
    QVERIFY(!tree.timerActive());
    QTRY_COMPARE_WITH_TIMEOUT(changed.messages.size(), 1, 2000);
    QVERIFY2(changed.times[0] < 200, qPrintable(QString::number(changed.times[0])));
    const QDBusMessage &m = changed.messages[0];
    QCOMPARE(m.arguments().value(0).toString(), Iface);
    const auto values = qdbus_cast<QVariantMap>(m.arguments().value(1));
    QCOMPARE(values.keys(), QStringList{ QStringLiteral("Name") });
    QCOMPARE(values.value(QStringLiteral("Name")).toString(), QStringLiteral("second"));
    QCOMPARE(qdbus_cast<QStringList>(m.arguments().value(2)), QStringList());
    tree.remove(path);
}

// 2 s of changes every 10 ms: signals every 500 ms (4, one more or less at
// the ends), never closer than 500 ms, the first 500 ms after the first
// change, the last carrying the final value; then no timer runs.
void tst_ObjectTree::coalescedAtMostOncePerInterval()
{
    ObjectTree tree(m_server, Root);
    QCOMPARE(tree.coalesceMs(), 500);
    QString error;
    QVERIFY(tree.registerRoot(&error));
    Thing thing;
    new ThingAdaptor(&thing);
    const QString path = Root + QStringLiteral("/things/3");
    QVERIFY(tree.add(path, &thing, &error));
    SignalLog changed;
    QVERIFY(m_client.connect(m_serverName, path, QStringLiteral("org.freedesktop.DBus.Properties"),
                             QStringLiteral("PropertiesChanged"), &changed,
                             SLOT(onSignal(QDBusMessage))));
    QVERIFY(!tree.timerActive());
    changed.clock.restart();
    QElapsedTimer t;
    t.start();
    while (t.elapsed() < 2000) {
        ++thing.count;
        tree.changedLater(path, Iface, { QStringLiteral("Count") });
        QTest::qWait(10);
    }
    const qint64 end = changed.clock.elapsed();
    QTRY_VERIFY_WITH_TIMEOUT(!tree.timerActive(), 1000);
    QTest::qWait(300); // the last signal's delivery
    QVERIFY2(changed.messages.size() >= 3 && changed.messages.size() <= 5,
             qPrintable(QString::number(changed.messages.size())));
    QVERIFY2(changed.times[0] >= 480 && changed.times[0] <= 700,
             qPrintable(QString::number(changed.times[0])));
    for (int i = 1; i < changed.times.size(); ++i)
        QVERIFY2(changed.times[i] - changed.times[i - 1] >= 480,
                 qPrintable(QString::number(changed.times[i] - changed.times[i - 1])));
    QVERIFY(changed.times.constLast() <= end + 700);
    const auto last = qdbus_cast<QVariantMap>(changed.messages.constLast().arguments().value(1));
    QCOMPARE(last.value(QStringLiteral("Count")).toULongLong(), thing.count);
    // Idle: nothing pending, no timer, no further signal.
    const int settled = changed.messages.size();
    QTest::qWait(1000);
    QCOMPARE(changed.messages.size(), settled);
    QVERIFY(!tree.timerActive());
    tree.remove(path);
}

// A property signalled at once is no longer pending: one signal, not two.
void tst_ObjectTree::changedCancelsPending()
{
    ObjectTree tree(m_server, Root);
    QString error;
    QVERIFY(tree.registerRoot(&error));
    Thing thing;
    new ThingAdaptor(&thing);
    const QString path = Root + QStringLiteral("/things/4");
    QVERIFY(tree.add(path, &thing, &error));
    SignalLog changed;
    QVERIFY(m_client.connect(m_serverName, path, QStringLiteral("org.freedesktop.DBus.Properties"),
                             QStringLiteral("PropertiesChanged"), &changed,
                             SLOT(onSignal(QDBusMessage))));
    thing.count = 7;
    tree.changedLater(path, Iface, { QStringLiteral("Count") });
    QVERIFY(tree.timerActive());
    tree.changed(path, Iface, { QStringLiteral("Count") });
    QVERIFY(!tree.timerActive());
    QTest::qWait(900);
    QCOMPARE(changed.messages.size(), 1);
    tree.remove(path);
}

// Removing an object drops its pending changes: nothing is signalled for
// an object that is gone, and the timer stops.
void tst_ObjectTree::removeDropsPending()
{
    ObjectTree tree(m_server, Root);
    QString error;
    QVERIFY(tree.registerRoot(&error));
    Thing thing;
    new ThingAdaptor(&thing);
    const QString path = Root + QStringLiteral("/things/5");
    QVERIFY(tree.add(path, &thing, &error));
    SignalLog changed;
    QVERIFY(m_client.connect(m_serverName, path, QStringLiteral("org.freedesktop.DBus.Properties"),
                             QStringLiteral("PropertiesChanged"), &changed,
                             SLOT(onSignal(QDBusMessage))));
    tree.changedLater(path, Iface, { QStringLiteral("Count") });
    tree.remove(path);
    QVERIFY(!tree.timerActive());
    QTest::qWait(900);
    QCOMPARE(changed.messages.size(), 0);
}

// Paths outside the root and a second object on one path are refused.
void tst_ObjectTree::refusals()
{
    ObjectTree tree(m_server, Root);
    QString error;
    QVERIFY(tree.registerRoot(&error));
    Thing a, b;
    new ThingAdaptor(&a);
    new ThingAdaptor(&b);
    QVERIFY(!tree.add(QStringLiteral("/elsewhere/x"), &a, &error));
    QVERIFY(error.contains(QStringLiteral("not below")));
    QVERIFY(tree.add(Root + QStringLiteral("/x"), &a, &error));
    QVERIFY(!tree.add(Root + QStringLiteral("/x"), &b, &error));
    QVERIFY(error.contains(QStringLiteral("already")));
    QCOMPARE(tree.paths(), QStringList{ Root + QStringLiteral("/x") });
    tree.remove(Root + QStringLiteral("/x"));
}

QTEST_GUILESS_MAIN(tst_ObjectTree)
#include "tst_objecttree.moc"
