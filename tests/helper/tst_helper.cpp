// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
//
// etherdisk-helper on a private system bus with a real polkitd and the
// project's own bus and polkit policies (tests/helper/start-test-bus.sh),
// bus-activated inside network namespace A of a veth pair; initiators
// (aoeping, our Initiator) on side B. What would make each test fail is
// said at the test.
#include "images.h"
#include "netns.h"
#include "process.h"
#include "testutil.h"

#include "etherdisk/initiator.h"

#include <QDBusArgument>
#include <QDBusConnection>
#include <QDBusMessage>
#include <QDBusMetaType>
#include <QDBusObjectPath>
#include <QDBusPendingCall>
#include <QDBusPendingReply>
#include <QDBusUnixFileDescriptor>
#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QScopeGuard>
#include <QFile>
#include <QTemporaryDir>
#include <QThread>
#include <QTest>

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

using namespace EtherdiskTest;

using InterfaceProperties = QMap<QString, QVariantMap>;
using ManagedObjects = QMap<QDBusObjectPath, InterfaceProperties>;

namespace {

const QString Service = QStringLiteral("org.etherdisk.Etherdisk1");
const QString Root = QStringLiteral("/org/etherdisk/Etherdisk1");
const QString ManagerPath = QStringLiteral("/org/etherdisk/Etherdisk1/Manager");
const QString ManagerIface = QStringLiteral("org.etherdisk.Etherdisk1.Manager");
const QString ExportIface = QStringLiteral("org.etherdisk.Etherdisk1.Export");
const QString ErrorPrefix = QStringLiteral("org.etherdisk.Etherdisk1.Error.");
constexpr qint64 ImageSectors = 2048; // 1 MiB

QString helperBinary()
{
    return QStringLiteral(ETHERDISK_BINARY_DIR "/app/etherdisk-helper/etherdisk-helper");
}
QString clientBinary()
{
    return QStringLiteral(ETHERDISK_BINARY_DIR "/tests/helperclient");
}
QString busScript()
{
    return QStringLiteral(ETHERDISK_SOURCE_DIR "/tests/helper/start-test-bus.sh");
}

QString exportPath(int shelf, int slot)
{
    return QStringLiteral("/org/etherdisk/Etherdisk1/exports/%1_%2").arg(shelf).arg(slot);
}

// Collects D-Bus signals.
class SignalLog : public QObject
{
    Q_OBJECT
public:
    QList<QDBusMessage> messages;
    QList<qint64> times; // ms since `clock` started
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

class tst_Helper final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void cleanup();

    void introspection();
    void exportImageServesExactBytes();
    void badArguments_data();
    void badArguments();
    void otherUserRefused();
    void permissions();
    void addressInUse();
    void mountedLoopDeviceRefused();
    void objectManagerSignals();
    void persistenceAcrossKill();
    void persistenceFailureChangesNothing();
    void interfaceDownAndUp();
    void idleWakesForNothing();
    void slowAuthorization();
    void concurrentCalls();

private:
    QDBusMessage call(const QString &path, const QString &iface, const QString &method,
                      const QVariantList &args);
    QDBusMessage createImage(const QString &file, bool readWrite, int shelf, int slot,
                             QVariantMap options = {});
    QDBusMessage stop(const QString &path);
    ManagedObjects managedObjects();
    QVariantMap exportProperties(const QString &path);
    // Everything a refused call must leave as it was: the objects with
    // their settings, and exports.conf.
    QString snapshot();
    Run asNobody(const QStringList &args);
    qint64 helperPid();
    bool aoepingFinds(int shelf, int slot);
    QString makeImage(const QString &name, int seed, mode_t mode = 0666);
    QString makeLoopDevice(const QString &image, QString *error);

    std::unique_ptr<NetnsPair> m_net;
    QTemporaryDir m_tmp{ QStringLiteral("/tmp/ed-helper-XXXXXX") };
    QString m_busDir;
    QString m_address;
    QDBusConnection m_bus{ QString() };
    bool m_busUp = false;
    QStringList m_loops; // loop devices to detach
    QStringList m_mounts; // mount points (in the helper's namespace) to unmount
};

void tst_Helper::initTestCase()
{
    ETHERDISK_REQUIRE(isRoot(), QStringLiteral("needs root (a system bus, polkitd, namespaces)"));
    QString why;
    ETHERDISK_REQUIRE(canCreateNetns(&why), why);
    for (const QString &p :
         { QStringLiteral("dbus-daemon"), QStringLiteral("dbus-send"), QStringLiteral("setpriv"),
           QStringLiteral("aoeping"), QStringLiteral("losetup"), QStringLiteral("mkfs.ext2"),
           QStringLiteral("nsenter") })
        ETHERDISK_REQUIRE(haveProgram(p), QStringLiteral("%1 is not installed").arg(p));
    ETHERDISK_REQUIRE(QFile::exists(QStringLiteral("/usr/lib/polkit-1/polkitd")),
                      QStringLiteral("polkitd is not installed (Debian package polkitd)"));
    QVERIFY(m_tmp.isValid());
    QVERIFY(QFile::setPermissions(m_tmp.path(),
                                  QFileDevice::ReadOwner | QFileDevice::WriteOwner
                                      | QFileDevice::ExeOwner | QFileDevice::ReadGroup
                                      | QFileDevice::ExeGroup | QFileDevice::ReadOther
                                      | QFileDevice::ExeOther));
    qDBusRegisterMetaType<InterfaceProperties>();
    qDBusRegisterMetaType<ManagedObjects>();
    qDBusRegisterMetaType<QMap<QString, QString>>();

    m_net = std::make_unique<NetnsPair>(QStringLiteral("helper"));
    QVERIFY2(m_net->isValid(), qPrintable(m_net->error()));
    m_busDir = m_tmp.filePath(QStringLiteral("bus"));
    // The helper never exits when idle here (tst_helper_life tests that):
    // the tests keep one process, and idleWakesForNothing measures it.
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("ETHERDISK_HELPER_ARGS"), QStringLiteral("--idle-timeout 0"));
    const Run r =
        runProgram(busScript(), { QStringLiteral("start"), m_busDir, helperBinary(), m_net->nsA() },
                   30000, {}, env);
    QVERIFY2(r.ok(), qPrintable(r.describe()));
    m_busUp = true;
    m_address = QString::fromLocal8Bit(r.out).trimmed();
    m_bus = QDBusConnection::connectToBus(m_address, QStringLiteral("tst_helper"));
    QVERIFY2(m_bus.isConnected(), qPrintable(m_bus.lastError().message()));
    // The initiators run on side B (this thread's sockets).
    QVERIFY2(m_net->enter(m_net->nsB()), qPrintable(m_net->error()));
}

void tst_Helper::cleanupTestCase()
{
    if (m_net)
        m_net->enterOriginal();
    if (m_busUp) {
        QDBusConnection::disconnectFromBus(QStringLiteral("tst_helper"));
        const Run r = runProgram(busScript(), { QStringLiteral("stop"), m_busDir });
        if (!r.ok())
            qWarning("%s", qPrintable(r.describe()));
    }
}

void tst_Helper::cleanup()
{
    if (!m_busUp)
        return;
    // Stop whatever a test left serving (as root, so authorized).
    const ManagedObjects objects = managedObjects();
    for (auto it = objects.cbegin(); it != objects.cend(); ++it) {
        if (it.key().path().startsWith(Root + QStringLiteral("/exports/")))
            stop(it.key().path());
    }
    const qint64 pid = helperPid();
    for (const QString &m : std::as_const(m_mounts)) {
        runProgram(QStringLiteral("nsenter"),
                   { QStringLiteral("-t"), QString::number(pid), QStringLiteral("-m"),
                     QStringLiteral("umount"), m });
    }
    m_mounts.clear();
    for (const QString &l : std::as_const(m_loops))
        runProgram(QStringLiteral("losetup"), { QStringLiteral("-d"), l });
    m_loops.clear();
}

QDBusMessage tst_Helper::call(const QString &path, const QString &iface, const QString &method,
                              const QVariantList &args)
{
    QDBusMessage m = QDBusMessage::createMethodCall(Service, path, iface, method);
    m.setArguments(args);
    return m_bus.call(m, QDBus::Block, 30000);
}

QDBusMessage tst_Helper::createImage(const QString &file, bool readWrite, int shelf, int slot,
                                     QVariantMap options)
{
    const int fd =
        ::open(QFile::encodeName(file).constData(), (readWrite ? O_RDWR : O_RDONLY) | O_CLOEXEC);
    if (fd < 0)
        return QDBusMessage::createError(QStringLiteral("test.OpenFailed"), file);
    if (!readWrite)
        options.insert(QStringLiteral("read-only"), true);
    const QDBusMessage reply =
        call(ManagerPath, ManagerIface, QStringLiteral("CreateExportFromImage"),
             { QVariant::fromValue(QDBusUnixFileDescriptor(fd)), QVariant::fromValue(ushort(shelf)),
               QVariant::fromValue(uchar(slot)), QStringList{ m_net->ifA() }, options });
    ::close(fd);
    return reply;
}

QDBusMessage tst_Helper::stop(const QString &path)
{
    return call(path, ExportIface, QStringLiteral("Stop"), { QVariantMap() });
}

ManagedObjects tst_Helper::managedObjects()
{
    const QDBusMessage r = call(Root, QStringLiteral("org.freedesktop.DBus.ObjectManager"),
                                QStringLiteral("GetManagedObjects"), {});
    if (r.type() != QDBusMessage::ReplyMessage || r.arguments().isEmpty())
        return {};
    return qdbus_cast<ManagedObjects>(r.arguments().constFirst());
}

QVariantMap tst_Helper::exportProperties(const QString &path)
{
    return managedObjects().value(QDBusObjectPath(path)).value(ExportIface);
}

QString tst_Helper::snapshot()
{
    QString s;
    const ManagedObjects objects = managedObjects();
    for (auto it = objects.cbegin(); it != objects.cend(); ++it) {
        s += it.key().path() + QLatin1Char('\n');
        for (auto iface = it->cbegin(); iface != it->cend(); ++iface) {
            for (auto p = iface->cbegin(); p != iface->cend(); ++p) {
                if (p.key() == QLatin1String("Clients"))
                    continue;
                s += QStringLiteral("  %1.%2 = %3\n")
                         .arg(iface.key(), p.key(),
                              p.value().toString()
                                  + p.value().toStringList().join(QLatin1Char(',')));
            }
        }
    }
    QFile conf(m_busDir + QStringLiteral("/exports.conf"));
    if (conf.open(QIODevice::ReadOnly))
        s += QString::fromUtf8(conf.readAll());
    return s;
}

Run tst_Helper::asNobody(const QStringList &args)
{
    QStringList all = { QStringLiteral("--reuid=nobody"), QStringLiteral("--regid=nogroup"),
                        QStringLiteral("--clear-groups"), clientBinary(), m_address };
    all += args;
    return runProgram(QStringLiteral("setpriv"), all, 40000);
}

qint64 tst_Helper::helperPid()
{
    QDBusMessage m = QDBusMessage::createMethodCall(
        QStringLiteral("org.freedesktop.DBus"), QStringLiteral("/org/freedesktop/DBus"),
        QStringLiteral("org.freedesktop.DBus"), QStringLiteral("GetConnectionUnixProcessID"));
    m << Service;
    const QDBusMessage r = m_bus.call(m, QDBus::Block, 5000);
    return r.type() == QDBusMessage::ReplyMessage ? r.arguments().value(0).toLongLong() : -1;
}

bool tst_Helper::aoepingFinds(int shelf, int slot)
{
    const Run r = runProgram(QStringLiteral("aoeping"),
                             { QStringLiteral("-s"), QStringLiteral("2"), QString::number(shelf),
                               QString::number(slot), m_net->ifB() },
                             10000, m_net->nsB());
    return r.ok();
}

QString tst_Helper::makeImage(const QString &name, int seed, mode_t mode)
{
    const QString path = m_tmp.filePath(name);
    if (!makePatternImage(path, ImageSectors, seed))
        return {};
    ::chmod(QFile::encodeName(path).constData(), mode);
    return path;
}

QString tst_Helper::makeLoopDevice(const QString &image, QString *error)
{
    const Run r = runProgram(QStringLiteral("losetup"),
                             { QStringLiteral("-f"), QStringLiteral("--show"), image });
    if (!r.ok()) {
        *error = r.describe();
        return {};
    }
    const QString dev = QString::fromLocal8Bit(r.out).trimmed();
    m_loops << dev;
    return dev;
}

// Introspection shows the interfaces as the XML defines them; Version.
// Fails if the adaptors are not registered or the Version property is wrong.
void tst_Helper::introspection()
{
    const Run r = runProgram(QStringLiteral("busctl"),
                             { QStringLiteral("--address=") + m_address,
                               QStringLiteral("introspect"), Service, ManagerPath });
    ETHERDISK_REQUIRE(r.started, QStringLiteral("busctl is not installed"));
    QVERIFY2(r.ok(), qPrintable(r.describe()));
    for (const char *needle :
         { ".CreateExport", ".CreateExportFromImage", ".GetPermissions", ".Version" })
        QVERIFY2(r.out.contains(needle), qPrintable(r.describe()));
    const ManagedObjects objects = managedObjects();
    QVERIFY(objects.contains(QDBusObjectPath(ManagerPath)));
    QCOMPARE(objects.value(QDBusObjectPath(ManagerPath))
                 .value(ManagerIface)
                 .value(QStringLiteral("Version"))
                 .toString(),
             QStringLiteral("0.1.0"));
}

// Export of an image descriptor: aoeping and our Initiator on the other
// side of the wire read it; the bytes are the image's; Stop ends serving.
// Fails if the descriptor is not what the engine serves, the properties are
// wrong, or Stop leaves the target answering.
void tst_Helper::exportImageServesExactBytes()
{
    const QString image = makeImage(QStringLiteral("serve.img"), 7);
    QVERIFY(!image.isEmpty());
    const QDBusMessage reply = createImage(image, true, 3, 4);
    QVERIFY2(reply.type() == QDBusMessage::ReplyMessage, qPrintable(reply.errorMessage()));
    const QString path = qvariant_cast<QDBusObjectPath>(reply.arguments().value(0)).path();
    QCOMPARE(path, exportPath(3, 4));

    const QVariantMap p = exportProperties(path);
    QCOMPARE(p.value(QStringLiteral("Shelf")).toUInt(), 3u);
    QCOMPARE(p.value(QStringLiteral("Slot")).toUInt(), 4u);
    QCOMPARE(p.value(QStringLiteral("Source")).toString(), image);
    QCOMPARE(p.value(QStringLiteral("Interfaces")).toStringList(), QStringList{ m_net->ifA() });
    QCOMPARE(p.value(QStringLiteral("Size")).toULongLong(), qulonglong(ImageSectors * 512));
    QCOMPARE(p.value(QStringLiteral("ReadOnly")).toBool(), false);
    QCOMPARE(p.value(QStringLiteral("WriteMode")).toString(), QStringLiteral("writeback"));
    QCOMPARE(p.value(QStringLiteral("State")).toString(), QStringLiteral("serving"));
    QCOMPARE(p.value(QStringLiteral("Persistent")).toBool(), false);

    QVERIFY2(aoepingFinds(3, 4), "aoeping got no answer from the helper's export");

    std::string error;
    Etherdisk::Initiator::Options o;
    o.interface = m_net->ifB().toStdString();
    o.shelf = 3;
    o.slot = 4;
    auto initiator = Etherdisk::Initiator::open(o, &error);
    QVERIFY2(initiator, error.c_str());
    QCOMPARE(initiator->target().sectors, std::uint64_t(ImageSectors));
    QByteArray data(ImageSectors * 512, 0);
    QVERIFY2(
        initiator->read(
            0, { reinterpret_cast<std::uint8_t *>(data.data()), std::size_t(data.size()) }, &error),
        error.c_str());
    QVERIFY2(data == readImage(image), "the bytes read over AoE differ from the image");
    initiator.reset();

    // The counters reach the object (sampled at most twice a second).
    QTRY_VERIFY_WITH_TIMEOUT(exportProperties(path).value(QStringLiteral("BytesRead")).toULongLong()
                                 >= qulonglong(data.size()),
                             3000);

    // The initiator is listed as a client, with what it read.
    const QDBusMessage clients =
        call(path, QStringLiteral("org.freedesktop.DBus.Properties"), QStringLiteral("Get"),
             { ExportIface, QStringLiteral("Clients") });
    QVERIFY2(clients.type() == QDBusMessage::ReplyMessage, qPrintable(clients.errorMessage()));
    const QDBusArgument list =
        qvariant_cast<QDBusVariant>(clients.arguments().value(0)).variant().value<QDBusArgument>();
    QList<QVariantMap> entries;
    list >> entries;
    qulonglong clientBytes = 0;
    for (const QVariantMap &e : std::as_const(entries))
        clientBytes += e.value(QStringLiteral("bytes-read")).toULongLong();
    QVERIFY2(
        !entries.isEmpty() && clientBytes >= qulonglong(data.size()),
        qPrintable(QStringLiteral("%1 clients, %2 bytes").arg(entries.size()).arg(clientBytes)));

    const QDBusMessage stopped = stop(path);
    QVERIFY2(stopped.type() == QDBusMessage::ReplyMessage, qPrintable(stopped.errorMessage()));
    QVERIFY(!managedObjects().contains(QDBusObjectPath(path)));
    QVERIFY2(!aoepingFinds(3, 4), "the target still answers after Stop");
}

void tst_Helper::badArguments_data()
{
    QTest::addColumn<QString>("method"); // create | image | set | stop
    QTest::addColumn<QString>("source"); // create: path; image: descriptor kind
    QTest::addColumn<int>("shelf");
    QTest::addColumn<int>("slot");
    QTest::addColumn<QStringList>("interfaces"); // "A": the namespace's interface
    QTest::addColumn<QVariantMap>("options");
    QTest::addColumn<QString>("error");
    QTest::addColumn<QString>("message"); // a word the message must contain

    const QStringList a{ QStringLiteral("A") };
    const QString inv = QStringLiteral("InvalidArgument");
    const QString img = QStringLiteral("rw");
    auto row = [](const char *name, const QString &method, const QString &source, int shelf,
                  int slot, const QStringList &ifs, const QVariantMap &options,
                  const QString &error, const QString &message) {
        QTest::newRow(name) << method << source << shelf << slot << ifs << options << error
                            << message;
    };
    row("shelf 65535", QStringLiteral("image"), img, 65535, 1, a, {}, inv,
        QStringLiteral("broadcast"));
    row("slot 255", QStringLiteral("image"), img, 1, 255, a, {}, inv, QStringLiteral("broadcast"));
    row("no interface", QStringLiteral("image"), img, 1, 1, {}, {}, inv,
        QStringLiteral("interfaces"));
    QStringList many;
    for (int i = 0; i < 17; ++i)
        many << QStringLiteral("A");
    row("17 interfaces", QStringLiteral("image"), img, 1, 1, many, {}, inv,
        QStringLiteral("1 to 16"));
    row("unknown interface", QStringLiteral("image"), img, 1, 1, { QStringLiteral("nosuch0") }, {},
        inv, QStringLiteral("no network interface"));
    row("interface name too long", QStringLiteral("image"), img, 1, 1,
        { QStringLiteral("abcdefghijklmnopqrstuvwxyz") }, {}, inv,
        QStringLiteral("no network interface"));
    row("interface with slash", QStringLiteral("image"), img, 1, 1, { QStringLiteral("../lo") }, {},
        inv, QStringLiteral("no network interface"));
    row("interface twice", QStringLiteral("image"), img, 1, 1,
        { QStringLiteral("A"), QStringLiteral("A") }, {}, inv, QStringLiteral("twice"));
    row("relative source", QStringLiteral("create"), QStringLiteral("dev/sda"), 1, 1, a, {}, inv,
        QStringLiteral("absolute"));
    row("empty source", QStringLiteral("create"), QString(), 1, 1, a, {}, inv,
        QStringLiteral("absolute"));
    row("source too long", QStringLiteral("create"),
        QStringLiteral("/") + QString(5000, QLatin1Char('x')), 1, 1, a, {}, inv,
        QStringLiteral("absolute"));
    row("missing source", QStringLiteral("create"), QStringLiteral("/dev/etherdisk-no-such-disk"),
        1, 1, a, {}, inv, QStringLiteral("does not exist"));
    row("source a directory", QStringLiteral("create"), QStringLiteral("/tmp"), 1, 1, a, {}, inv,
        QStringLiteral("neither"));
    row("source a character device", QStringLiteral("create"), QStringLiteral("/dev/null"), 1, 1, a,
        {}, inv, QStringLiteral("neither"));
    row("source a symbolic link", QStringLiteral("create"), QStringLiteral("LINK"), 1, 1, a, {},
        inv, QStringLiteral("symbolic link"));
    row("unknown option", QStringLiteral("image"), img, 1, 1, a, { { QStringLiteral("speed"), 1 } },
        inv, QStringLiteral("unknown option"));
    row("read-only not boolean", QStringLiteral("image"), img, 1, 1, a,
        { { QStringLiteral("read-only"), QStringLiteral("yes") } }, inv, QStringLiteral("boolean"));
    row("force not boolean", QStringLiteral("image"), img, 1, 1, a,
        { { QStringLiteral("force"), 1 } }, inv, QStringLiteral("boolean"));
    row("write-mode unknown", QStringLiteral("image"), img, 1, 1, a,
        { { QStringLiteral("write-mode"), QStringLiteral("fast") } }, inv,
        QStringLiteral("writeback"));
    row("write-mode not string", QStringLiteral("image"), img, 1, 1, a,
        { { QStringLiteral("write-mode"), 2 } }, inv, QStringLiteral("writeback"));
    row("allow malformed MAC", QStringLiteral("image"), img, 1, 1, a,
        { { QStringLiteral("allow"), QStringList{ QStringLiteral("02:ae:00:00:00") } } }, inv,
        QStringLiteral("not a MAC"));
    row("allow broadcast MAC", QStringLiteral("image"), img, 1, 1, a,
        { { QStringLiteral("allow"), QStringList{ QStringLiteral("ff:ff:ff:ff:ff:ff") } } }, inv,
        QStringLiteral("group"));
    row("allow MAC twice", QStringLiteral("image"), img, 1, 1, a,
        { { QStringLiteral("allow"),
            QStringList{ QStringLiteral("02:ae:00:00:00:01"),
                         QStringLiteral("02:ae:00:00:00:01") } } },
        inv, QStringLiteral("twice"));
    QStringList macs;
    for (int i = 0; i < 256; ++i)
        macs << QStringLiteral("02:ae:00:00:%1:%2")
                    .arg(i / 256, 2, 16, QLatin1Char('0'))
                    .arg(i % 256, 2, 16, QLatin1Char('0'));
    row("allow 256 MACs", QStringLiteral("image"), img, 1, 1, a,
        { { QStringLiteral("allow"), macs } }, inv, QStringLiteral("at most"));
    row("allow not a list", QStringLiteral("image"), img, 1, 1, a,
        { { QStringLiteral("allow"), QStringLiteral("02:ae:00:00:00:01") } }, inv,
        QStringLiteral("list"));
    QVariantMap tooMany;
    for (int i = 0; i < 33; ++i)
        tooMany.insert(QStringLiteral("o%1").arg(i), true);
    row("33 options", QStringLiteral("image"), img, 1, 1, a, tooMany, inv,
        QStringLiteral("more than"));
    row("image read-only descriptor, writable export", QStringLiteral("image"),
        QStringLiteral("ro-fd"), 1, 1, a, {}, inv, QStringLiteral("read-only"));
    row("image O_APPEND", QStringLiteral("image"), QStringLiteral("append"), 1, 1, a, {}, inv,
        QStringLiteral("O_APPEND"));
    row("image write-only", QStringLiteral("image"), QStringLiteral("wronly"), 1, 1, a, {}, inv,
        QStringLiteral("write-only"));
    row("image a directory", QStringLiteral("image"), QStringLiteral("dir"), 1, 1, a,
        { { QStringLiteral("read-only"), true } }, inv, QStringLiteral("regular file"));
    row("image a pipe", QStringLiteral("image"), QStringLiteral("pipe"), 1, 1, a,
        { { QStringLiteral("read-only"), true } }, inv, QStringLiteral("regular file"));
    row("image path from root is fine, but persistent deleted image", QStringLiteral("image"),
        QStringLiteral("deleted"), 1, 1, a, { { QStringLiteral("persistent"), true } }, inv,
        QStringLiteral("persistent"));
    row("SetSettings unknown option", QStringLiteral("set"), QString(), 0, 0, {},
        { { QStringLiteral("shelf"), 2 } }, inv, QStringLiteral("unknown option"));
    row("SetSettings writable on read-only descriptor", QStringLiteral("set"), QString(), 0, 0, {},
        { { QStringLiteral("read-only"), false } }, inv, QStringLiteral("read-only"));
    row("SetSettings bad MAC", QStringLiteral("set"), QString(), 0, 0, {},
        { { QStringLiteral("allow"), QStringList{ QStringLiteral("zz") } } }, inv,
        QStringLiteral("not a MAC"));
    row("Stop with force", QStringLiteral("stop"), QString(), 0, 0, {},
        { { QStringLiteral("force"), true } }, inv, QStringLiteral("unknown option"));
}

// At least twenty kinds of bad argument: each gets the right error name and a
// message that says what is wrong, and changes nothing (objects, settings,
// exports.conf). Fails if any check is missing (the call succeeds or
// another error comes back) or a refused call leaves a trace.
void tst_Helper::badArguments()
{
    QFETCH(QString, method);
    QFETCH(QString, source);
    QFETCH(int, shelf);
    QFETCH(int, slot);
    QFETCH(QStringList, interfaces);
    QFETCH(QVariantMap, options);
    QFETCH(QString, error);
    QFETCH(QString, message);

    // An export to aim SetSettings and Stop at: read-only descriptor, persistent.
    const QString baseImage = makeImage(QStringLiteral("base.img"), 3);
    QDBusMessage r =
        createImage(baseImage, false, 9, 9, { { QStringLiteral("persistent"), true } });
    QVERIFY2(r.type() == QDBusMessage::ReplyMessage, qPrintable(r.errorMessage()));
    const QString before = snapshot();
    QVERIFY(before.contains(QStringLiteral("[export 9.9]")));

    for (QString &i : interfaces) {
        if (i == QLatin1String("A"))
            i = m_net->ifA();
    }
    if (method == QLatin1String("create")) {
        if (source == QLatin1String("LINK")) {
            source = m_tmp.filePath(QStringLiteral("link-to-loop"));
            QFile::remove(source);
            QVERIFY(QFile::link(QStringLiteral("/dev/loop0"), source));
        }
        r = call(ManagerPath, ManagerIface, QStringLiteral("CreateExport"),
                 { source, QVariant::fromValue(ushort(shelf)), QVariant::fromValue(uchar(slot)),
                   interfaces, options });
    } else if (method == QLatin1String("image")) {
        const QString file = makeImage(QStringLiteral("bad.img"), 5);
        int fd = -1;
        int pipeFds[2] = { -1, -1 };
        if (source == QLatin1String("rw"))
            fd = ::open(QFile::encodeName(file).constData(), O_RDWR | O_CLOEXEC);
        else if (source == QLatin1String("ro-fd"))
            fd = ::open(QFile::encodeName(file).constData(), O_RDONLY | O_CLOEXEC);
        else if (source == QLatin1String("append"))
            fd = ::open(QFile::encodeName(file).constData(), O_RDWR | O_APPEND | O_CLOEXEC);
        else if (source == QLatin1String("wronly"))
            fd = ::open(QFile::encodeName(file).constData(), O_WRONLY | O_CLOEXEC);
        else if (source == QLatin1String("dir"))
            fd = ::open(QFile::encodeName(m_tmp.path()).constData(), O_RDONLY | O_CLOEXEC);
        else if (source == QLatin1String("pipe")) {
            QVERIFY(::pipe2(pipeFds, O_CLOEXEC) == 0);
            fd = pipeFds[0];
        } else if (source == QLatin1String("deleted")) {
            fd = ::open(QFile::encodeName(file).constData(), O_RDWR | O_CLOEXEC);
            QVERIFY(QFile::remove(file));
        }
        QVERIFY(fd >= 0);
        r = call(ManagerPath, ManagerIface, QStringLiteral("CreateExportFromImage"),
                 { QVariant::fromValue(QDBusUnixFileDescriptor(fd)),
                   QVariant::fromValue(ushort(shelf)), QVariant::fromValue(uchar(slot)), interfaces,
                   options });
        ::close(fd);
        if (pipeFds[1] >= 0)
            ::close(pipeFds[1]);
    } else if (method == QLatin1String("set")) {
        r = call(exportPath(9, 9), ExportIface, QStringLiteral("SetSettings"), { options });
    } else {
        r = call(exportPath(9, 9), ExportIface, QStringLiteral("Stop"), { options });
    }
    QVERIFY2(r.type() == QDBusMessage::ErrorMessage,
             qPrintable(QStringLiteral("accepted: %1").arg(method)));
    QCOMPARE(r.errorName(), ErrorPrefix + error);
    QVERIFY2(r.errorMessage().contains(message, Qt::CaseInsensitive), qPrintable(r.errorMessage()));
    QCOMPARE(snapshot(), before);
}

// A real process of another user (setpriv --reuid=nobody) is refused by
// polkit for every mutating method, and nothing changes; it may still read
// every object. Fails if any method skips authorization or acts before
// polkit answered.
void tst_Helper::otherUserRefused()
{
    const QString baseImage = makeImage(QStringLiteral("nobody-base.img"), 11);
    QDBusMessage r = createImage(baseImage, true, 8, 8);
    QVERIFY2(r.type() == QDBusMessage::ReplyMessage, qPrintable(r.errorMessage()));
    QString error;
    const QString loop = makeLoopDevice(makeImage(QStringLiteral("nobody-loop.img"), 12), &error);
    QVERIFY2(!loop.isEmpty(), qPrintable(error));
    const QString image = makeImage(QStringLiteral("nobody.img"), 13);
    const QString before = snapshot();

    const QList<QStringList> calls = {
        { QStringLiteral("create"), loop, QStringLiteral("5"), QStringLiteral("1"), m_net->ifA() },
        { QStringLiteral("image"), image, QStringLiteral("rw"), QStringLiteral("5"),
          QStringLiteral("2"), m_net->ifA() },
        { QStringLiteral("image"), image, QStringLiteral("ro"), QStringLiteral("5"),
          QStringLiteral("3"), m_net->ifA() },
        { QStringLiteral("stop"), exportPath(8, 8) },
        { QStringLiteral("set"), exportPath(8, 8) },
        // An image by path: root only, whatever polkit says.
        { QStringLiteral("create"), image, QStringLiteral("5"), QStringLiteral("4"), m_net->ifA() },
    };
    for (const QStringList &c : calls) {
        const Run run = asNobody(c);
        QVERIFY2(run.started && run.finished && run.exitCode == 1, qPrintable(run.describe()));
        QVERIFY2(run.out.startsWith("error org.etherdisk.Etherdisk1.Error.NotAuthorized:"),
                 qPrintable(run.describe()));
        // An image path is refused for its uid before polkit is asked;
        // everything else by polkit.
        const bool byPath = c.value(0) == QLatin1String("create") && c.value(1) == image;
        QVERIFY2(run.out.contains(byPath ? "only root may export an image by its path"
                                         : "authentication is required"),
                 qPrintable(run.describe()));
        QCOMPARE(snapshot(), before);
    }
    QVERIFY(aoepingFinds(8, 8));
    QVERIFY(!aoepingFinds(5, 1));

    // Reading needs no authorization.
    const Run objects = asNobody({ QStringLiteral("objects") });
    QVERIFY2(objects.ok(), qPrintable(objects.describe()));
    QCOMPARE(QString::fromLocal8Bit(objects.out).trimmed(),
             QStringLiteral("ok %1 %2").arg(ManagerPath, exportPath(8, 8)));
}

// GetPermissions needs no authorization and tells root "yes" and nobody
// "auth" (the policy's auth_admin*) for every action. Fails if the map is
// incomplete or the caller is not the subject.
void tst_Helper::permissions()
{
    const QDBusMessage r = call(ManagerPath, ManagerIface, QStringLiteral("GetPermissions"), {});
    QVERIFY2(r.type() == QDBusMessage::ReplyMessage, qPrintable(r.errorMessage()));
    const auto map = qdbus_cast<QMap<QString, QString>>(r.arguments().value(0));
    const QStringList actions = { QStringLiteral("attach"), QStringLiteral("detach"),
                                  QStringLiteral("discover"), QStringLiteral("export"),
                                  QStringLiteral("unexport") };
    QCOMPARE(map.size(), actions.size());
    QString expectNobody;
    for (const QString &a : actions) {
        const QString id = QStringLiteral("org.etherdisk.etherdisk1.") + a;
        QCOMPARE(map.value(id), QStringLiteral("yes"));
        expectNobody += id + QStringLiteral("=auth ");
    }
    const Run n = asNobody({ QStringLiteral("permissions") });
    QVERIFY2(n.ok(), qPrintable(n.describe()));
    QCOMPARE(QString::fromLocal8Bit(n.out).trimmed(),
             QStringLiteral("ok ") + expectNobody.trimmed());
}

// A shelf.slot served already is refused with AddressInUse, and the first
// export keeps serving unchanged.
void tst_Helper::addressInUse()
{
    const QString one = makeImage(QStringLiteral("one.img"), 21);
    const QString two = makeImage(QStringLiteral("two.img"), 22);
    QDBusMessage r = createImage(one, true, 6, 6);
    QVERIFY2(r.type() == QDBusMessage::ReplyMessage, qPrintable(r.errorMessage()));
    const QString before = snapshot();
    r = createImage(two, true, 6, 6);
    QCOMPARE(r.errorName(), ErrorPrefix + QStringLiteral("AddressInUse"));
    QVERIFY2(r.errorMessage().contains(QStringLiteral("e6.6")), qPrintable(r.errorMessage()));
    QCOMPARE(snapshot(), before);
    QCOMPARE(exportProperties(exportPath(6, 6)).value(QStringLiteral("Source")).toString(), one);
}

// A loop device with a mounted file system is refused (DeviceBusy, the
// message names the mount point and force); with force it is served
// read-only. Fails if the helper checks the wrong device or ignores mounts.
void tst_Helper::mountedLoopDeviceRefused()
{
    const QString image = m_tmp.filePath(QStringLiteral("fs.img"));
    QVERIFY(makeSparseImage(image, 16384));
    Run mk = runProgram(QStringLiteral("mkfs.ext2"),
                        { QStringLiteral("-q"), QStringLiteral("-F"), image });
    QVERIFY2(mk.ok(), qPrintable(mk.describe()));
    QString error;
    const QString loop = makeLoopDevice(image, &error);
    QVERIFY2(!loop.isEmpty(), qPrintable(error));

    // Unmounted: accepted (then stopped).
    QDBusMessage r = call(ManagerPath, ManagerIface, QStringLiteral("CreateExport"),
                          { loop, QVariant::fromValue(ushort(4)), QVariant::fromValue(uchar(1)),
                            QStringList{ m_net->ifA() }, QVariantMap() });
    QVERIFY2(r.type() == QDBusMessage::ReplyMessage, qPrintable(r.errorMessage()));
    QCOMPARE(exportProperties(exportPath(4, 1)).value(QStringLiteral("Size")).toULongLong(),
             qulonglong(16384) * 512);
    QVERIFY(stop(exportPath(4, 1)).type() == QDBusMessage::ReplyMessage);

    // Mounted in the helper's mount namespace.
    const QString mnt = m_tmp.filePath(QStringLiteral("mnt"));
    QVERIFY(QDir().mkpath(mnt));
    const qint64 pid = helperPid();
    QVERIFY(pid > 0);
    const Run mount = runProgram(QStringLiteral("nsenter"),
                                 { QStringLiteral("-t"), QString::number(pid), QStringLiteral("-m"),
                                   QStringLiteral("mount"), QStringLiteral("-t"),
                                   QStringLiteral("ext2"), loop, mnt });
    ETHERDISK_REQUIRE(mount.ok(),
                      QStringLiteral("cannot mount an ext2 loop device here: ") + mount.describe());
    m_mounts << mnt;
    const QString before = snapshot();
    r = call(ManagerPath, ManagerIface, QStringLiteral("CreateExport"),
             { loop, QVariant::fromValue(ushort(4)), QVariant::fromValue(uchar(1)),
               QStringList{ m_net->ifA() }, QVariantMap() });
    QCOMPARE(r.errorName(), ErrorPrefix + QStringLiteral("DeviceBusy"));
    QVERIFY2(r.errorMessage().contains(QStringLiteral("mounted on ") + mnt)
                 && r.errorMessage().contains(QStringLiteral("force")),
             qPrintable(r.errorMessage()));
    QCOMPARE(snapshot(), before);
    QVERIFY(!aoepingFinds(4, 1));

    r = call(ManagerPath, ManagerIface, QStringLiteral("CreateExport"),
             { loop, QVariant::fromValue(ushort(4)), QVariant::fromValue(uchar(1)),
               QStringList{ m_net->ifA() },
               QVariantMap{ { QStringLiteral("force"), true },
                            { QStringLiteral("read-only"), true } } });
    QVERIFY2(r.type() == QDBusMessage::ReplyMessage, qPrintable(r.errorMessage()));
    QVERIFY(aoepingFinds(4, 1));
}

// ObjectManager and PropertiesChanged as a client sees them: InterfacesAdded
// with the properties, settings changes at once, counters under load at
// most twice a second (and not at all once the load stops), InterfacesRemoved.
void tst_Helper::objectManagerSignals()
{
    SignalLog added, removed, changed;
    QVERIFY(m_bus.connect(Service, Root, QStringLiteral("org.freedesktop.DBus.ObjectManager"),
                          QStringLiteral("InterfacesAdded"), &added, SLOT(onSignal(QDBusMessage))));
    QVERIFY(m_bus.connect(Service, Root, QStringLiteral("org.freedesktop.DBus.ObjectManager"),
                          QStringLiteral("InterfacesRemoved"), &removed,
                          SLOT(onSignal(QDBusMessage))));
    const QString path = exportPath(2, 7);
    QVERIFY(m_bus.connect(Service, path, QStringLiteral("org.freedesktop.DBus.Properties"),
                          QStringLiteral("PropertiesChanged"), &changed,
                          SLOT(onSignal(QDBusMessage))));

    const QString image = makeImage(QStringLiteral("signals.img"), 31);
    QDBusMessage r = createImage(image, true, 2, 7);
    QVERIFY2(r.type() == QDBusMessage::ReplyMessage, qPrintable(r.errorMessage()));
    QTRY_COMPARE_WITH_TIMEOUT(added.messages.size(), 1, 2000);
    const QDBusMessage a = added.messages.constFirst();
    QCOMPARE(qvariant_cast<QDBusObjectPath>(a.arguments().value(0)).path(), path);
    const auto ifaces = qdbus_cast<InterfaceProperties>(a.arguments().value(1));
    QCOMPARE(ifaces.value(ExportIface).value(QStringLiteral("Source")).toString(), image);

    // A setting: signalled at once, with the new value.
    changed.messages.clear();
    r = call(path, ExportIface, QStringLiteral("SetSettings"),
             { QVariantMap{ { QStringLiteral("write-mode"), QStringLiteral("sync") } } });
    QVERIFY2(r.type() == QDBusMessage::ReplyMessage, qPrintable(r.errorMessage()));
    QTRY_VERIFY_WITH_TIMEOUT(!changed.messages.isEmpty(), 1000);
    {
        const QDBusMessage c = changed.messages.constFirst();
        QCOMPARE(c.arguments().value(0).toString(), ExportIface);
        const auto values = qdbus_cast<QVariantMap>(c.arguments().value(1));
        QCOMPARE(values.value(QStringLiteral("WriteMode")).toString(), QStringLiteral("sync"));
    }
    QCOMPARE(exportProperties(path).value(QStringLiteral("WriteMode")).toString(),
             QStringLiteral("sync"));

    // Load for 3 s from another thread (in namespace B).
    changed.messages.clear();
    changed.times.clear();
    changed.clock.restart();
    std::atomic<bool> done{ false };
    std::atomic<int> reads{ 0 };
    std::string loadError;
    const QString ifB = m_net->ifB();
    std::thread load([&] {
        // Threads started after initTestCase's enter() are in namespace B.
        Etherdisk::Initiator::Options o;
        o.interface = ifB.toStdString();
        o.shelf = 2;
        o.slot = 7;
        auto ini = Etherdisk::Initiator::open(o, &loadError);
        if (!ini) {
            done = true;
            return;
        }
        std::vector<std::uint8_t> buf(64 * 1024);
        QElapsedTimer t;
        t.start();
        while (t.elapsed() < 3000) {
            if (!ini->read(std::uint64_t(reads % 16) * 128, buf, &loadError))
                break;
            ++reads;
        }
        done = true;
    });
    QTRY_VERIFY_WITH_TIMEOUT(done.load(), 10000);
    load.join();
    QVERIFY2(loadError.empty(), loadError.c_str());
    QVERIFY(reads > 10);
    const qint64 loadEnd = changed.clock.elapsed();
    QTest::qWait(2000); // the last coalesced change comes within 1 s
    QList<qint64> counterTimes;
    qulonglong lastBytes = 0;
    for (int i = 0; i < changed.messages.size(); ++i) {
        const auto values = qdbus_cast<QVariantMap>(changed.messages[i].arguments().value(1));
        if (!values.contains(QStringLiteral("BytesRead")))
            continue;
        counterTimes << changed.times[i];
        lastBytes = values.value(QStringLiteral("BytesRead")).toULongLong();
        QVERIFY2(changed.times[i] <= loadEnd + 1200,
                 qPrintable(QStringLiteral("a counter change %1 ms after the load stopped")
                                .arg(changed.times[i] - loadEnd)));
    }
    // 3 s of load: every 500 ms, so 5-7 signals; never two closer than the
    // coalescing interval (500 ms, 60 ms of slack for the event loop).
    QVERIFY2(counterTimes.size() >= 4 && counterTimes.size() <= 8,
             qPrintable(QStringLiteral("%1 counter signals in 3 s").arg(counterTimes.size())));
    for (int i = 1; i < counterTimes.size(); ++i)
        QVERIFY2(counterTimes[i] - counterTimes[i - 1] >= 440,
                 qPrintable(QStringLiteral("two counter signals %1 ms apart")
                                .arg(counterTimes[i] - counterTimes[i - 1])));
    QCOMPARE(lastBytes, exportProperties(path).value(QStringLiteral("BytesRead")).toULongLong());
    // Everything read is counted; a frame the initiator retransmitted is
    // served (and counted) twice, so more is possible.
    QVERIFY2(lastBytes >= qulonglong(reads) * 64 * 1024,
             qPrintable(QStringLiteral("%1 bytes counted, %2 read")
                            .arg(lastBytes)
                            .arg(qulonglong(reads) * 64 * 1024)));

    // Idle: nothing more is signalled.
    const int settled = changed.messages.size();
    QTest::qWait(1500);
    QCOMPARE(changed.messages.size(), settled);

    QVERIFY(stop(path).type() == QDBusMessage::ReplyMessage);
    // (Signals of the previous test's cleanup may still arrive: only this path counts.)
    const auto removedHere = [&] {
        QList<QDBusMessage> list;
        for (const QDBusMessage &m : std::as_const(removed.messages)) {
            if (qvariant_cast<QDBusObjectPath>(m.arguments().value(0)).path() == path)
                list << m;
        }
        return list;
    };
    QTRY_COMPARE_WITH_TIMEOUT(removedHere().size(), 1, 2000);
    QCOMPARE(qdbus_cast<QStringList>(removedHere().constFirst().arguments().value(1)),
             QStringList{ ExportIface });
}

// A persistent export is written to exports.conf; after kill -9 of the
// helper, the next call activates it again and it serves the export again
// within 2 s; Stop removes the entry. Fails if nothing is written, the file
// is not read at start, or restoring takes longer.
void tst_Helper::persistenceAcrossKill()
{
    const QString image = makeImage(QStringLiteral("persist.img"), 41);
    QDBusMessage r = createImage(
        image, true, 1, 9,
        { { QStringLiteral("persistent"), true },
          { QStringLiteral("allow"), QStringList{ QStringLiteral("02:ae:00:00:00:01") } } });
    QVERIFY2(r.type() == QDBusMessage::ReplyMessage, qPrintable(r.errorMessage()));
    QFile conf(m_busDir + QStringLiteral("/exports.conf"));
    QVERIFY(conf.open(QIODevice::ReadOnly));
    const QString text = QString::fromUtf8(conf.readAll());
    conf.close();
    QVERIFY2(text.contains(QStringLiteral("[export 1.9]")) && text.contains(image)
                 && text.contains(QStringLiteral("02:ae:00:00:00:01")),
             qPrintable(text));

    const qint64 pid = helperPid();
    QVERIFY(pid > 0);
    QVERIFY(::kill(pid_t(pid), SIGKILL) == 0);
    QTRY_VERIFY_WITH_TIMEOUT(helperPid() < 0, 5000);

    QElapsedTimer t;
    t.start();
    // Any call activates the helper again.
    QTRY_VERIFY_WITH_TIMEOUT(managedObjects().contains(QDBusObjectPath(exportPath(1, 9))), 5000);
    const qint64 restored = t.elapsed();
    QVERIFY2(restored <= 2000, qPrintable(QStringLiteral("restored after %1 ms").arg(restored)));
    QVERIFY(helperPid() != pid);
    const QVariantMap p = exportProperties(exportPath(1, 9));
    QCOMPARE(p.value(QStringLiteral("Persistent")).toBool(), true);
    QCOMPARE(p.value(QStringLiteral("AllowedMacs")).toStringList(),
             QStringList{ QStringLiteral("02:ae:00:00:00:01") });
    QCOMPARE(p.value(QStringLiteral("Source")).toString(), image);

    QVERIFY(stop(exportPath(1, 9)).type() == QDBusMessage::ReplyMessage);
    QVERIFY(conf.open(QIODevice::ReadOnly));
    QVERIFY(!QString::fromUtf8(conf.readAll()).contains(QStringLiteral("[export 1.9]")));
}

// exports.conf cannot be read or written (a directory is in its way): the
// helper reports it in ConfigError, and a persistent export is refused
// with Failed and is not served; nothing else changes. Fails if the helper
// serves first and saves afterwards without undoing, or ignores the broken
// file.
void tst_Helper::persistenceFailureChangesNothing()
{
    const QString confPath = m_busDir + QStringLiteral("/exports.conf");
    QFile::remove(confPath);
    QVERIFY(QDir().mkdir(confPath));
    const auto restore = qScopeGuard([&] { QDir().rmdir(confPath); });
    const QString image = makeImage(QStringLiteral("unsaved.img"), 51);
    // The helper watches the file: it sees the directory and says so in
    // ConfigError within its reload delay (200 ms). Wait for that, so the
    // snapshot below is the settled state the refusal must keep.
    QTRY_VERIFY_WITH_TIMEOUT(snapshot().contains(QStringLiteral("Is a directory")), 5000);
    const QString before = snapshot();
    const QDBusMessage r =
        createImage(image, true, 1, 8, { { QStringLiteral("persistent"), true } });
    QCOMPARE(r.errorName(), ErrorPrefix + QStringLiteral("Failed"));
    // The broken file refuses every persistent change until it is fixed.
    QVERIFY2(r.errorMessage().contains(QStringLiteral("nothing was changed")),
             qPrintable(r.errorMessage()));
    QCOMPARE(snapshot(), before);
    QVERIFY(!aoepingFinds(1, 8));
    QVERIFY(QFileInfo(confPath).isDir());
}

// The engine's events reach the object through its event descriptor: the
// link goes down -> State interface-down with a LastError naming the
// interface, signalled; up again -> serving, and aoeping is answered.
// Fails if engine events are not read (no polling hides it: nothing else
// updates State).
void tst_Helper::interfaceDownAndUp()
{
    const QString image = makeImage(QStringLiteral("link.img"), 61);
    QDBusMessage r = createImage(image, true, 2, 2);
    QVERIFY2(r.type() == QDBusMessage::ReplyMessage, qPrintable(r.errorMessage()));
    const QString path = exportPath(2, 2);
    SignalLog changed;
    QVERIFY(m_bus.connect(Service, path, QStringLiteral("org.freedesktop.DBus.Properties"),
                          QStringLiteral("PropertiesChanged"), &changed,
                          SLOT(onSignal(QDBusMessage))));
    const auto stateSignals = [&] {
        QStringList states;
        for (const QDBusMessage &m : std::as_const(changed.messages)) {
            const auto values = qdbus_cast<QVariantMap>(m.arguments().value(1));
            if (values.contains(QStringLiteral("State")))
                states << values.value(QStringLiteral("State")).toString();
        }
        return states;
    };
    QVERIFY(m_net->setLink(false));
    QTRY_COMPARE_WITH_TIMEOUT(stateSignals(), QStringList{ QStringLiteral("interface-down") },
                              3000);
    const QVariantMap p = exportProperties(path);
    QCOMPARE(p.value(QStringLiteral("State")).toString(), QStringLiteral("interface-down"));
    QVERIFY2(p.value(QStringLiteral("LastError")).toString().contains(m_net->ifA()),
             qPrintable(p.value(QStringLiteral("LastError")).toString()));
    QVERIFY(m_net->setLink(true));
    QTRY_COMPARE_WITH_TIMEOUT(
        stateSignals(),
        (QStringList{ QStringLiteral("interface-down"), QStringLiteral("serving") }), 5000);
    QCOMPARE(exportProperties(path).value(QStringLiteral("LastError")).toString(), QString());
    QVERIFY(aoepingFinds(2, 2));
}

// Per thread of a process: "tid (name)" -> context switches (voluntary +
// involuntary: every wakeup is one), and "cpu" -> utime + stime of the
// process in clock ticks.
static QMap<QString, qint64> wakeups(qint64 pid)
{
    QMap<QString, qint64> result;
    const QDir tasks(QStringLiteral("/proc/%1/task").arg(pid));
    for (const QString &t : tasks.entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
        QFile f(tasks.filePath(t + QStringLiteral("/status")));
        if (!f.open(QIODevice::ReadOnly))
            continue;
        QString name = t;
        qint64 total = 0;
        for (const QByteArray &line : f.readAll().split('\n')) {
            if (line.startsWith("Name:"))
                name = QStringLiteral("%1 (%2)").arg(t, QString::fromLatin1(line.mid(5).trimmed()));
            if (line.startsWith("voluntary_ctxt_switches:")
                || line.startsWith("nonvoluntary_ctxt_switches:"))
                total += line.mid(line.indexOf(':') + 1).trimmed().toLongLong();
        }
        result.insert(name, total);
    }
    QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
    if (stat.open(QIODevice::ReadOnly)) {
        // After "(comm)": state is field 3, utime 14, stime 15.
        const QByteArray s = stat.readAll();
        const QList<QByteArray> f = s.mid(s.lastIndexOf(')') + 2).split(' ');
        result.insert(QStringLiteral("cpu"), f.value(11).toLongLong() + f.value(12).toLongLong());
    }
    return result;
}

// Idle (nothing exported, no calls; --idle-timeout 0 so no exit timer
// either) the helper wakes for nothing: not one context switch in any of
// its threads (Qt's main and D-Bus threads, the engine's I/O and state
// threads, polkit-qt's) over 10 s, and no CPU time, also after an export
// came and went (the counter sampler and the coalescing timer stop). A
// 1 s timer anywhere fails it.
void tst_Helper::idleWakesForNothing()
{
    const QString image = makeImage(QStringLiteral("idle.img"), 71);
    QDBusMessage r = createImage(image, true, 3, 3);
    QVERIFY2(r.type() == QDBusMessage::ReplyMessage, qPrintable(r.errorMessage()));
    QVERIFY(stop(exportPath(3, 3)).type() == QDBusMessage::ReplyMessage);
    const qint64 pid = helperPid();
    QVERIFY(pid > 0);
    QTest::qWait(1500); // a coalesced signal still due, the last reply's wakeups
    const QMap<QString, qint64> before = wakeups(pid);
    QThread::sleep(10);
    const QMap<QString, qint64> after = wakeups(pid);
    QStringList woken;
    for (auto it = after.cbegin(); it != after.cend(); ++it) {
        if (it.value() != before.value(it.key(), -1))
            woken << QStringLiteral("%1: %2 -> %3")
                         .arg(it.key())
                         .arg(before.value(it.key(), -1))
                         .arg(it.value());
    }
    QVERIFY2(woken.isEmpty(),
             qPrintable(QStringLiteral("woken while idle for 10 s: ")
                        + woken.join(QStringLiteral("; "))));
}

// With a polkit rule that makes the answer for nobody's export of e7.7
// take 3 s (polkit.spawn sleep, then yes; the helper passes the address as
// detail etherdisk.target): while polkit thinks, the helper keeps serving
// and answers reads at once; the call then succeeds. A caller that
// disconnects while polkit thinks gets nothing done. Fails if the helper
// waits for polkit synchronously (reads stall) or acts for a caller that
// is gone.
void tst_Helper::slowAuthorization()
{
    const QString rules = QStringLiteral("/etc/polkit-1/rules.d/49-etherdisk-test-%1.rules")
                              .arg(QCoreApplication::applicationPid());
    ETHERDISK_REQUIRE(QFileInfo(QStringLiteral("/etc/polkit-1/rules.d")).isDir(),
                      QStringLiteral("no /etc/polkit-1/rules.d"));
    {
        QFile f(rules);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("// tst_helper: user nobody may export e7.7, after 3 s\n"
                "polkit.addRule(function(action, subject) {\n"
                "    if (action.id == \"org.etherdisk.etherdisk1.export\" && subject.user == "
                "\"nobody\"\n"
                "        && action.lookup(\"etherdisk.target\") == \"e7.7\") {\n"
                "        polkit.spawn([\"/bin/sleep\", \"3\"]);\n"
                "        return polkit.Result.YES;\n"
                "    }\n"
                "});\n");
    }
    const auto removeRules = qScopeGuard([&] { QFile::remove(rules); });
    QTest::qWait(2000); // polkitd reloads its rules when the directory changes

    const QString served = makeImage(QStringLiteral("served.img"), 81);
    QDBusMessage r = createImage(served, true, 7, 1);
    QVERIFY2(r.type() == QDBusMessage::ReplyMessage, qPrintable(r.errorMessage()));
    const QString image = makeImage(QStringLiteral("slow.img"), 82);
    const QStringList args = { QStringLiteral("--reuid=nobody"),
                               QStringLiteral("--regid=nogroup"),
                               QStringLiteral("--clear-groups"),
                               clientBinary(),
                               m_address,
                               QStringLiteral("image"),
                               image,
                               QStringLiteral("rw"),
                               QStringLiteral("7"),
                               QStringLiteral("7"),
                               m_net->ifA() };

    // 1. Authorized after 3 s; meanwhile reads are answered and e7.1 serves.
    QProcess client;
    dieWithParent(&client);
    QElapsedTimer t;
    t.start();
    client.start(QStringLiteral("setpriv"), args);
    QVERIFY(client.waitForStarted(5000));
    QTest::qWait(700);
    QElapsedTimer read;
    read.start();
    const ManagedObjects during = managedObjects();
    QVERIFY2(read.elapsed() < 500,
             qPrintable(QStringLiteral("GetManagedObjects took %1 ms while polkit was asked")
                            .arg(read.elapsed())));
    QVERIFY(during.contains(QDBusObjectPath(exportPath(7, 1))));
    QVERIFY(!during.contains(QDBusObjectPath(exportPath(7, 7))));
    QVERIFY(aoepingFinds(7, 1));
    QVERIFY2(client.state() == QProcess::Running && t.elapsed() < 2900,
             "the authorization did not take the 3 s the rule asks for: the test proves nothing");
    QVERIFY(client.waitForFinished(15000));
    QVERIFY2(t.elapsed() >= 2900, qPrintable(QString::number(t.elapsed())));
    const QByteArray out = client.readAllStandardOutput();
    QVERIFY2(out.startsWith("ok " + exportPath(7, 7).toLatin1()), out.constData());
    QVERIFY(stop(exportPath(7, 7)).type() == QDBusMessage::ReplyMessage);

    // 2. The caller leaves while polkit thinks: nothing is done.
    const QString before = snapshot();
    QProcess leaver;
    dieWithParent(&leaver);
    leaver.start(QStringLiteral("setpriv"), args);
    QVERIFY(leaver.waitForStarted(5000));
    QTest::qWait(1000);
    QCOMPARE(leaver.state(), QProcess::Running);
    leaver.kill();
    QVERIFY(leaver.waitForFinished(5000));
    QTest::qWait(3500); // polkit's answer has come by now
    QCOMPARE(snapshot(), before);
    QVERIFY(!aoepingFinds(7, 7));
}

// 50 calls in flight at once from two connections (40 exports, 10
// GetPermissions), then 40 Stops at once: every call is answered, rightly.
// Fails if queued authorizations get lost or mixed up.
void tst_Helper::concurrentCalls()
{
    const QString image = makeImage(QStringLiteral("many.img"), 91);
    const int fd = ::open(QFile::encodeName(image).constData(), O_RDONLY | O_CLOEXEC);
    QVERIFY(fd >= 0);
    const auto closeFd = qScopeGuard([fd] { ::close(fd); });
    QDBusConnection second = QDBusConnection::connectToBus(m_address, QStringLiteral("second"));
    const auto disconnect =
        qScopeGuard([] { QDBusConnection::disconnectFromBus(QStringLiteral("second")); });
    QVERIFY(second.isConnected());

    QList<QDBusPendingCall> creates, permissions;
    for (int i = 0; i < 50; ++i) {
        QDBusConnection &bus = i % 2 ? second : m_bus;
        if (i % 5 == 4) {
            permissions << bus.asyncCall(QDBusMessage::createMethodCall(
                Service, ManagerPath, ManagerIface, QStringLiteral("GetPermissions")));
            continue;
        }
        QDBusMessage m = QDBusMessage::createMethodCall(Service, ManagerPath, ManagerIface,
                                                        QStringLiteral("CreateExportFromImage"));
        m.setArguments({ QVariant::fromValue(QDBusUnixFileDescriptor(fd)),
                         QVariant::fromValue(ushort(20)), QVariant::fromValue(uchar(i)),
                         QStringList{ m_net->ifA() },
                         QVariantMap{ { QStringLiteral("read-only"), true } } });
        creates << bus.asyncCall(m, 60000);
    }
    QCOMPARE(creates.size(), 40);
    const auto allDone = [](const QList<QDBusPendingCall> &calls) {
        for (const QDBusPendingCall &c : calls) {
            if (!c.isFinished())
                return false;
        }
        return true;
    };
    QTRY_VERIFY_WITH_TIMEOUT(allDone(creates) && allDone(permissions), 30000);
    QStringList paths;
    for (const QDBusPendingCall &c : std::as_const(creates)) {
        QVERIFY2(!c.isError(), qPrintable(c.error().message()));
        paths << qvariant_cast<QDBusObjectPath>(c.reply().arguments().value(0)).path();
    }
    for (const QDBusPendingCall &c : std::as_const(permissions)) {
        QVERIFY2(!c.isError(), qPrintable(c.error().message()));
        using StringMap = QMap<QString, QString>;
        QCOMPARE(qdbus_cast<StringMap>(c.reply().arguments().value(0)).size(), 5);
    }
    paths.removeDuplicates();
    QCOMPARE(paths.size(), 40);
    const ManagedObjects objects = managedObjects();
    for (const QString &p : std::as_const(paths))
        QVERIFY2(objects.contains(QDBusObjectPath(p)), qPrintable(p));

    QList<QDBusPendingCall> stops;
    for (int i = 0; i < paths.size(); ++i) {
        QDBusMessage m =
            QDBusMessage::createMethodCall(Service, paths[i], ExportIface, QStringLiteral("Stop"));
        m.setArguments({ QVariantMap() });
        stops << (i % 2 ? second : m_bus).asyncCall(m, 60000);
    }
    QTRY_VERIFY_WITH_TIMEOUT(allDone(stops), 30000);
    for (const QDBusPendingCall &c : std::as_const(stops))
        QVERIFY2(!c.isError(), qPrintable(c.error().message()));
    QCOMPARE(managedObjects().size(), 1); // the Manager
}

QTEST_GUILESS_MAIN(tst_Helper)
#include "tst_helper.moc"
