// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
//
// etherdisk-helper's discovery and Target objects, on a private system bus
// with a real polkitd (tests/helper/start-test-bus.sh): the helper is
// bus-activated inside network namespace A of a veth pair, its peers (vblade,
// etherdisk-target, forged frames) answer from namespace B. The test thread
// lives in namespace A (to ask the peers what they serve, as the helper
// sees them) and enters B only to open sockets there. What would make each
// test fail is said at the test.
#include "netns.h"
#include "images.h"
#include "peers.h"
#include "process.h"
#include "rawclient.h"
#include "testutil.h"
#include "wirecapture.h"

#include "etherdisk/aoeframe.h"
#include "etherdisk/ata.h"
#include "etherdisk/packetio.h"

#include <QDBusArgument>
#include <QDBusConnection>
#include <QDBusMessage>
#include <QDBusMetaType>
#include <QDBusObjectPath>
#include <QDBusUnixFileDescriptor>
#include <QDateTime>
#include <QElapsedTimer>
#include <QFile>
#include <QScopeGuard>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <array>
#include <atomic>
#include <fcntl.h>
#include <poll.h>
#include <thread>
#include <unistd.h>

using namespace EtherdiskTest;
using namespace Etherdisk;
using namespace Etherdisk::Aoe;

using InterfaceProperties = QMap<QString, QVariantMap>;
using ManagedObjects = QMap<QDBusObjectPath, InterfaceProperties>;
using VariantMapList = QList<QVariantMap>;

namespace {

const QString Service = QStringLiteral("org.etherdisk.Etherdisk1");
const QString Root = QStringLiteral("/org/etherdisk/Etherdisk1");
const QString ManagerPath = QStringLiteral("/org/etherdisk/Etherdisk1/Manager");
const QString ManagerIface = QStringLiteral("org.etherdisk.Etherdisk1.Manager");
const QString ExportIface = QStringLiteral("org.etherdisk.Etherdisk1.Export");
const QString TargetIface = QStringLiteral("org.etherdisk.Etherdisk1.Target");
const QString ErrorPrefix = QStringLiteral("org.etherdisk.Etherdisk1.Error.");
// The helper runs with --max-targets MaxTargets (the flood test's bound)
// and --forget-lost ForgetS (instead of 10 minutes).
constexpr int MaxTargets = 64;
constexpr int ForgetS = 12;

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
QString targetPath(int shelf, int slot)
{
    return QStringLiteral("/org/etherdisk/Etherdisk1/targets/%1_%2").arg(shelf).arg(slot);
}
QString exportPath(int shelf, int slot)
{
    return QStringLiteral("/org/etherdisk/Etherdisk1/exports/%1_%2").arg(shelf).arg(slot);
}
QString macText(const MacAddress &mac)
{
    return QString::fromStdString(formatMac(mac));
}
qint64 nowMs()
{
    static QElapsedTimer clock;
    if (!clock.isValid())
        clock.start();
    return clock.elapsed();
}

// Collects D-Bus signals with the time they arrived.
class SignalLog : public QObject
{
    Q_OBJECT
public:
    QList<QDBusMessage> messages;
    QList<qint64> times; // nowMs()
public Q_SLOTS:
    void onSignal(const QDBusMessage &m)
    {
        messages << m;
        times << nowMs();
    }
};

// PropertiesChanged of the Target interface that carried State == `state`,
// from index `from` on: its index, or -1.
int findState(const SignalLog &log, const QString &state, int from = 0)
{
    for (int i = from; i < log.messages.size(); ++i) {
        const QDBusMessage &m = log.messages[i];
        if (m.arguments().value(0).toString() != TargetIface)
            continue;
        const auto values = qdbus_cast<QVariantMap>(m.arguments().value(1));
        if (values.value(QStringLiteral("State")).toString() == state)
            return i;
    }
    return -1;
}

// Broadcast Query Config requests from `source` among `frames`.
int pollsFrom(const std::vector<QByteArray> &frames, const MacAddress &source)
{
    int n = 0;
    for (const QByteArray &f : frames) {
        Frame parsed;
        if (parseFrame(bytes(f), &parsed) != ParseError::Ok || parsed.header.isResponse())
            continue;
        if (parsed.kind == FrameKind::QueryConfig && parsed.header.destination == BroadcastMac
            && parsed.header.source == source)
            ++n;
    }
    return n;
}

// Answers from `source` about shelf.slot among `frames`.
int answersFrom(const std::vector<QByteArray> &frames, const MacAddress &source,
                std::uint16_t shelf, std::uint8_t slot)
{
    int n = 0;
    for (const QByteArray &f : frames) {
        Frame parsed;
        if (parseFrame(bytes(f), &parsed) != ParseError::Ok)
            continue;
        if (parsed.header.isResponse() && parsed.header.source == source
            && parsed.header.shelf == shelf && parsed.header.slot == slot)
            ++n;
    }
    return n;
}

// Forged targets from namespace B: one host (B's own MAC) answering every
// broadcast Query Config as `count` different shelf.slots (shelf
// FirstShelf, slots 0..count-1) and every IDENTIFY for them with a page of
// its own, so that each one is proven and listed. Runs in a thread of its
// own until destroyed.
class Forger
{
public:
    static constexpr std::uint16_t FirstShelf = 300;

    ~Forger()
    {
        m_stop = true;
        if (m_thread.joinable())
            m_thread.join();
    }

    bool open(NetnsPair &net, int count, QString *error)
    {
        m_count = count;
        PacketFilter filter;
        filter.direction = PacketFilter::Direction::Requests;
        std::string why;
        if (net.enter(net.nsB()))
            m_io = PacketIo::open(net.ifB().toStdString(), filter, &why);
        net.enter(net.nsA());
        if (!m_io) {
            *error = QString::fromStdString(why);
            return false;
        }
        m_thread = std::thread([this] { run(); });
        return true;
    }

    std::atomic<int> identifies{ 0 };

private:
    void run()
    {
        while (!m_stop) {
            pollfd p{ m_io->fd(), POLLIN, 0 };
            ::poll(&p, 1, 100);
            std::string why;
            m_io->receive(256, &Forger::onFrame, this, &why);
            m_io->flush(&why);
        }
    }

    static void onFrame(void *ctx, std::span<const std::uint8_t> bytes)
    {
        static_cast<Forger *>(ctx)->answer(bytes);
    }

    void answer(std::span<const std::uint8_t> bytes)
    {
        Frame f;
        if (parseFrame(bytes, &f) != ParseError::Ok || f.header.isResponse())
            return;
        const MacAddress mac = m_io->info().mac;
        std::uint8_t out[1500] = {};
        std::string why;
        if (f.kind == FrameKind::QueryConfig && f.header.shelf == BroadcastShelf) {
            for (int i = 0; i < m_count; ++i) {
                const Header h = responseHeader(f.header, mac, FirstShelf, std::uint8_t(i));
                ConfigArg c;
                c.bufferCount = 16;
                c.sectorCount = 2;
                const std::size_t n = buildConfig(out, h, c);
                m_io->queue({ out, n });
                if (i % 64 == 63)
                    m_io->flush(&why);
            }
        } else if (f.kind == FrameKind::Ata && f.ata.cmdStatus == Ata::CmdIdentifyDevice
                   && f.header.shelf == FirstShelf && f.header.slot < m_count) {
            ++identifies;
            std::array<std::uint8_t, Ata::IdentifySize> page{};
            Ata::IdentifyInfo info;
            info.sectors = 2048 + f.header.slot;
            info.model = "forged";
            info.serial = "F" + std::to_string(f.header.slot);
            info.firmware = "1";
            Ata::buildIdentify(page, info);
            const Header h = responseHeader(f.header, mac, f.header.shelf, f.header.slot);
            AtaArg a = f.ata;
            a.cmdStatus = Ata::StatusReady;
            a.errFeature = 0;
            const std::size_t n = buildAta(out, h, a, page);
            m_io->queue({ out, n });
        }
    }

    std::unique_ptr<PacketIo> m_io;
    std::thread m_thread;
    std::atomic<bool> m_stop{ false };
    int m_count = 0;
};

} // namespace

class tst_HelperTargets final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void cleanup();

    void targetsAppear_data();
    void targetsAppear();
    void lossAndRecovery();
    void lostTargetForgotten();
    void conflict();
    void discoveryFollowsClients();
    void clientsBounded();
    void exportOfAnAddressInUse_data();
    void exportOfAnAddressInUse();
    void ownExportIsNoTarget();
    void setDiscoveryInterfacesBadArguments_data();
    void setDiscoveryInterfacesBadArguments();
    void setDiscoveryInterfaces();
    void otherUserRefused();
    void attachWithoutDriverSupport();
    void forgedFlood();

private:
    QDBusMessage call(const QString &path, const QString &iface, const QString &method,
                      const QVariantList &args);
    QDBusMessage startDiscovery();
    ManagedObjects managedObjects();
    QVariantMap targetProperties(int shelf, int slot);
    QVariant managerProperty(const QString &name);
    QStringList targetObjects();
    Run asNobody(const QStringList &args);
    QProcess *startPeer(TargetKind kind, int shelf, int slot, const QString &interface,
                        qint64 sectors, const QString &ns = {});
    bool macOf(const QString &ns, const QString &interface, MacAddress *mac);
    QDBusMessage createImage(int shelf, int slot, const QStringList &interfaces,
                             const QVariantMap &options = {});
    // What the peer at shelf.slot answers, asked from namespace A.
    bool askPeer(int shelf, int slot, Frame *config, Ata::IdentifyInfo *identify,
                 QByteArray *configFrame, QString *error);

    std::unique_ptr<NetnsPair> m_net;
    QTemporaryDir m_tmp{ QStringLiteral("/tmp/ed-targets-XXXXXX") };
    QString m_busDir;
    QString m_address;
    QDBusConnection m_bus{ QString() };
    bool m_busUp = false;
    ProcessSet m_processes;
    MacAddress m_macA{}, m_macB{};
    int m_images = 0;
};

void tst_HelperTargets::initTestCase()
{
    ETHERDISK_REQUIRE(isRoot(), QStringLiteral("needs root (a system bus, polkitd, namespaces)"));
    QString why;
    ETHERDISK_REQUIRE(canCreateNetns(&why), why);
    for (const QString &p : { QStringLiteral("dbus-daemon"), QStringLiteral("dbus-send"),
                              QStringLiteral("setpriv"), QStringLiteral("vblade") })
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
    qDBusRegisterMetaType<VariantMapList>();

    m_net = std::make_unique<NetnsPair>(QStringLiteral("htgt"));
    QVERIFY2(m_net->isValid(), qPrintable(m_net->error()));
    QVERIFY(macOf(m_net->nsA(), m_net->ifA(), &m_macA));
    QVERIFY(macOf(m_net->nsB(), m_net->ifB(), &m_macB));

    // The helper with a small target bound, through a wrapper the bus runs
    // (the wrapper execs: the helper keeps its PID and name for stop).
    const QString wrapper = m_tmp.filePath(QStringLiteral("helper.sh"));
    QFile w(wrapper);
    QVERIFY(w.open(QIODevice::WriteOnly));
    w.write(QStringLiteral("#!/bin/sh\nexec %1 --max-targets %2 --forget-lost %3 \"$@\"\n")
                .arg(helperBinary())
                .arg(MaxTargets)
                .arg(ForgetS)
                .toUtf8());
    w.close();
    QVERIFY(QFile::setPermissions(
        wrapper, QFileDevice::ReadOwner | QFileDevice::ExeOwner | QFileDevice::WriteOwner));
    m_busDir = m_tmp.filePath(QStringLiteral("bus"));
    const Run r =
        runProgram(busScript(), { QStringLiteral("start"), m_busDir, wrapper, m_net->nsA() });
    QVERIFY2(r.ok(), qPrintable(r.describe()));
    m_busUp = true;
    m_address = QString::fromLocal8Bit(r.out).trimmed();
    m_bus = QDBusConnection::connectToBus(m_address, QStringLiteral("tst_helper_targets"));
    QVERIFY2(m_bus.isConnected(), qPrintable(m_bus.lastError().message()));
    QVERIFY2(m_net->enter(m_net->nsA()), qPrintable(m_net->error()));
}

void tst_HelperTargets::cleanupTestCase()
{
    if (m_net)
        m_net->enterOriginal();
    if (m_busUp) {
        QDBusConnection::disconnectFromBus(QStringLiteral("tst_helper_targets"));
        const Run r = runProgram(busScript(), { QStringLiteral("stop"), m_busDir });
        if (!r.ok())
            qWarning("%s", qPrintable(r.describe()));
    }
}

void tst_HelperTargets::cleanup()
{
    m_processes.clear();
    if (!m_busUp)
        return;
    // Nothing left that keeps discovery running: no export, no request of
    // ours, the default interfaces.
    call(ManagerPath, ManagerIface, QStringLiteral("StopDiscovery"), { QVariantMap() });
    const ManagedObjects objects = managedObjects();
    for (auto it = objects.cbegin(); it != objects.cend(); ++it) {
        if (it.key().path().startsWith(Root + QStringLiteral("/exports/")))
            call(it.key().path(), ExportIface, QStringLiteral("Stop"), { QVariantMap() });
    }
    if (!managerProperty(QStringLiteral("DiscoveryInterfaces")).toStringList().isEmpty())
        call(ManagerPath, ManagerIface, QStringLiteral("SetDiscoveryInterfaces"),
             { QStringList(), QVariantMap() });
    m_net->removeExtraLinks();
    QTRY_VERIFY_WITH_TIMEOUT(!managerProperty(QStringLiteral("DiscoveryActive")).toBool(), 3000);
    QVERIFY(targetObjects().isEmpty());
}

QDBusMessage tst_HelperTargets::call(const QString &path, const QString &iface,
                                     const QString &method, const QVariantList &args)
{
    QDBusMessage m = QDBusMessage::createMethodCall(Service, path, iface, method);
    m.setArguments(args);
    return m_bus.call(m, QDBus::Block, 30000);
}

QDBusMessage tst_HelperTargets::startDiscovery()
{
    return call(ManagerPath, ManagerIface, QStringLiteral("StartDiscovery"), { QVariantMap() });
}

ManagedObjects tst_HelperTargets::managedObjects()
{
    const QDBusMessage r = call(Root, QStringLiteral("org.freedesktop.DBus.ObjectManager"),
                                QStringLiteral("GetManagedObjects"), {});
    if (r.type() != QDBusMessage::ReplyMessage || r.arguments().isEmpty())
        return {};
    return qdbus_cast<ManagedObjects>(r.arguments().constFirst());
}

QVariantMap tst_HelperTargets::targetProperties(int shelf, int slot)
{
    return managedObjects().value(QDBusObjectPath(targetPath(shelf, slot))).value(TargetIface);
}

QVariant tst_HelperTargets::managerProperty(const QString &name)
{
    const QDBusMessage r = call(ManagerPath, QStringLiteral("org.freedesktop.DBus.Properties"),
                                QStringLiteral("Get"), { ManagerIface, name });
    if (r.type() != QDBusMessage::ReplyMessage)
        return {};
    const QVariant v = r.arguments().value(0).value<QDBusVariant>().variant();
    if (v.userType() == qMetaTypeId<QDBusArgument>())
        return qdbus_cast<QStringList>(v);
    return v;
}

QStringList tst_HelperTargets::targetObjects()
{
    QStringList list;
    const ManagedObjects objects = managedObjects();
    for (auto it = objects.cbegin(); it != objects.cend(); ++it) {
        if (it->contains(TargetIface))
            list << it.key().path();
    }
    return list;
}

Run tst_HelperTargets::asNobody(const QStringList &args)
{
    QStringList all = { QStringLiteral("--reuid=nobody"), QStringLiteral("--regid=nogroup"),
                        QStringLiteral("--clear-groups"), clientBinary(), m_address };
    all += args;
    return runProgram(QStringLiteral("setpriv"), all, 40000);
}

bool tst_HelperTargets::macOf(const QString &ns, const QString &interface, MacAddress *mac)
{
    if (!m_net->enter(ns))
        return false;
    InterfaceInfo info;
    std::string why;
    const bool ok = queryInterface(interface.toStdString(), &info, &why);
    m_net->enter(m_net->nsA());
    if (!ok)
        qWarning("%s", why.c_str());
    *mac = info.mac;
    return ok;
}

QProcess *tst_HelperTargets::startPeer(TargetKind kind, int shelf, int slot,
                                       const QString &interface, qint64 sectors, const QString &ns)
{
    const QString image = m_tmp.filePath(QStringLiteral("peer%1.img").arg(++m_images));
    if (!makeSparseImage(image, sectors))
        return nullptr;
    return m_processes.start(ns.isEmpty() ? m_net->nsB() : ns, targetProgram(kind),
                             targetArgs(kind, shelf, slot, interface, image), Output::Discard);
}

QDBusMessage tst_HelperTargets::createImage(int shelf, int slot, const QStringList &interfaces,
                                            const QVariantMap &options)
{
    const QString image = m_tmp.filePath(QStringLiteral("export%1.img").arg(++m_images));
    if (!makeSparseImage(image, 2048))
        return QDBusMessage::createError(QStringLiteral("test.ImageFailed"), image);
    const int fd = ::open(QFile::encodeName(image).constData(), O_RDWR | O_CLOEXEC);
    if (fd < 0)
        return QDBusMessage::createError(QStringLiteral("test.OpenFailed"), image);
    const QDBusMessage reply =
        call(ManagerPath, ManagerIface, QStringLiteral("CreateExportFromImage"),
             { QVariant::fromValue(QDBusUnixFileDescriptor(fd)), QVariant::fromValue(ushort(shelf)),
               QVariant::fromValue(uchar(slot)), interfaces, options });
    ::close(fd);
    return reply;
}

bool tst_HelperTargets::askPeer(int shelf, int slot, Frame *config, Ata::IdentifyInfo *identify,
                                QByteArray *configFrame, QString *error)
{
    RawClient c;
    if (!c.open(m_net->ifA(), error))
        return false;
    if (!c.waitServing(std::uint16_t(shelf), std::uint8_t(slot), 5000)) {
        *error = QStringLiteral("e%1.%2 does not answer").arg(shelf).arg(slot);
        return false;
    }
    const auto answers = c.exchange(
        c.configRequest(std::uint16_t(shelf), std::uint8_t(slot), ConfigCommand::Read), 1, 2000);
    if (answers.empty()) {
        *error = QStringLiteral("no Query Config answer");
        return false;
    }
    *configFrame = answers.front();
    if (parseFrame(bytes(*configFrame), config) != ParseError::Ok) {
        *error = QStringLiteral("unparsable Query Config answer");
        return false;
    }
    c.target = config->header.source;
    const auto ids = c.exchange(
        c.ataRequest(std::uint16_t(shelf), std::uint8_t(slot), Ata::CmdIdentifyDevice, 0, 1), 1,
        2000);
    Frame id;
    if (ids.empty() || parseFrame(bytes(ids.front()), &id) != ParseError::Ok
        || id.data.size() < Ata::IdentifySize) {
        *error = QStringLiteral("no IDENTIFY answer");
        return false;
    }
    *identify = Ata::parseIdentify(id.data.first<Ata::IdentifySize>());
    return true;
}

void tst_HelperTargets::targetsAppear_data()
{
    QTest::addColumn<QString>("peer");
    QTest::newRow("vblade") << QStringLiteral("vblade");
    QTest::newRow("etherdisk-target") << QStringLiteral("etherdisk");
}

// A peer's target appears as an object with exactly what the peer serves
// (size, IDENTIFY strings, its MAC on our interface, payload, buffer count,
// max sectors), announced by InterfacesAdded with those properties. Fails if
// an object is missing, a property is wrong or not signalled.
void tst_HelperTargets::targetsAppear()
{
    QFETCH(QString, peer);
    constexpr int Shelf = 7, Slot = 3;
    constexpr qint64 Sectors = 4096 + 8;
    QVERIFY(startPeer(targetKind(peer), Shelf, Slot, m_net->ifB(), Sectors));
    Frame config;
    Ata::IdentifyInfo identify;
    QByteArray configFrame;
    QString why;
    QVERIFY2(askPeer(Shelf, Slot, &config, &identify, &configFrame, &why), qPrintable(why));
    QCOMPARE(config.header.source, m_macB);
    QCOMPARE(identify.sectors, std::uint64_t(Sectors));

    SignalLog added;
    QVERIFY(m_bus.connect(Service, Root, QStringLiteral("org.freedesktop.DBus.ObjectManager"),
                          QStringLiteral("InterfacesAdded"), &added, SLOT(onSignal(QDBusMessage))));
    QVERIFY(!managerProperty(QStringLiteral("DiscoveryActive")).toBool());
    const QDBusMessage r = startDiscovery();
    QVERIFY2(r.type() == QDBusMessage::ReplyMessage, qPrintable(r.errorMessage()));
    QVERIFY(managerProperty(QStringLiteral("DiscoveryActive")).toBool());
    QTRY_VERIFY_WITH_TIMEOUT(!added.messages.isEmpty(), 5000);
    const QDBusMessage a = added.messages.constFirst();
    QCOMPARE(qvariant_cast<QDBusObjectPath>(a.arguments().value(0)).path(),
             targetPath(Shelf, Slot));
    const QVariantMap signalled =
        qdbus_cast<InterfaceProperties>(a.arguments().value(1)).value(TargetIface);
    const QVariantMap p = targetProperties(Shelf, Slot);
    for (const QVariantMap &props : { signalled, p }) {
        QCOMPARE(props.value(QStringLiteral("Shelf")).toUInt(), uint(Shelf));
        QCOMPARE(props.value(QStringLiteral("Slot")).toUInt(), uint(Slot));
        QCOMPARE(props.value(QStringLiteral("Size")).toULongLong(), qulonglong(Sectors * 512));
        QCOMPARE(props.value(QStringLiteral("Model")).toString(),
                 QString::fromStdString(identify.model));
        QCOMPARE(props.value(QStringLiteral("Serial")).toString(),
                 QString::fromStdString(identify.serial));
        QCOMPARE(props.value(QStringLiteral("Firmware")).toString(),
                 QString::fromStdString(identify.firmware));
        QCOMPARE(props.value(QStringLiteral("State")).toString(), QStringLiteral("online"));
        QCOMPARE(props.value(QStringLiteral("AttachedDevice")).toString(), QString());
        QCOMPARE(props.value(QStringLiteral("ConflictDetail")).toString(), QString());
        const auto paths = qdbus_cast<VariantMapList>(props.value(QStringLiteral("Paths")));
        QCOMPARE(paths.size(), 1);
        const QVariantMap path = paths.constFirst();
        QCOMPARE(path.value(QStringLiteral("mac")).toString(), macText(m_macB));
        QCOMPARE(path.value(QStringLiteral("interface")).toString(), m_net->ifA());
        const unsigned sectors =
            std::min<unsigned>(config.config.maxSectors(), maxSectorsForMtu(1500));
        QCOMPARE(path.value(QStringLiteral("payload-bytes")).toUInt(), sectors * 512);
        QCOMPARE(path.value(QStringLiteral("buffer-count")).toUInt(),
                 uint(config.config.bufferCount));
        QCOMPARE(path.value(QStringLiteral("max-sectors")).toUInt(),
                 uint(config.config.maxSectors()));
        QCOMPARE(path.value(QStringLiteral("firmware-version")).toUInt(),
                 uint(config.config.firmwareVersion));
        const qint64 seen = path.value(QStringLiteral("last-seen-ms")).toLongLong();
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        QVERIFY2(seen <= now && seen > now - 10000, qPrintable(QString::number(now - seen)));
    }
    QCOMPARE(targetObjects(), QStringList{ targetPath(Shelf, Slot) });
}

// A target killed just after it answered a poll is lost within the
// design's window: discovery polls every 2 s and calls a target lost after
// two unanswered polls, 6 s after its last answer. Checked from the poll
// it answered last (seen on the wire): not before 4.5 s (that would be
// after one missed poll, or a shorter interval), by 6 s + 0.7 s slack,
// signalled with PropertiesChanged. Started again, it is online at the
// next poll (within 2 s + 1 s slack). Fails if loss is noticed too early,
// too late, or not signalled.
void tst_HelperTargets::lossAndRecovery()
{
    constexpr int Shelf = 7, Slot = 4;
    QProcess *peer = startPeer(TargetKind::Etherdisk, Shelf, Slot, m_net->ifB(), 2048);
    QVERIFY(peer);
    WireCapture wire;
    QString why;
    QVERIFY(m_net->enter(m_net->nsB()));
    const bool opened = wire.open(m_net->ifB(), &why);
    QVERIFY(m_net->enter(m_net->nsA()));
    QVERIFY2(opened, qPrintable(why));
    SignalLog changed;
    QVERIFY(m_bus.connect(
        Service, targetPath(Shelf, Slot), QStringLiteral("org.freedesktop.DBus.Properties"),
        QStringLiteral("PropertiesChanged"), &changed, SLOT(onSignal(QDBusMessage))));
    const QDBusMessage r = startDiscovery();
    QVERIFY2(r.type() == QDBusMessage::ReplyMessage, qPrintable(r.errorMessage()));
    QTRY_COMPARE_WITH_TIMEOUT(targetProperties(Shelf, Slot).value(QStringLiteral("State")),
                              QVariant(QStringLiteral("online")), 5000);

    // The next poll of the helper's, answered, then the kill.
    wire.clear();
    qint64 polled = -1;
    for (int i = 0; i < 10 && polled < 0; ++i) {
        if (pollsFrom(wire.collect(1000, 1), m_macA) > 0)
            polled = nowMs();
    }
    QVERIFY2(polled >= 0, "no poll of the helper's on the wire");
    QThread::msleep(100); // the answer goes out within microseconds
    peer->kill();
    QVERIFY(peer->waitForFinished(5000));
    QTRY_VERIFY_WITH_TIMEOUT(findState(changed, QStringLiteral("lost")) >= 0, 10000);
    const qint64 lost = changed.times[findState(changed, QStringLiteral("lost"))];
    qInfo("lost %lld ms after the last poll answered", lost - polled);
    QVERIFY2(lost - polled >= 4500, qPrintable(QString::number(lost - polled)));
    QVERIFY2(lost - polled <= 6700, qPrintable(QString::number(lost - polled)));
    QCOMPARE(targetProperties(Shelf, Slot).value(QStringLiteral("State")).toString(),
             QStringLiteral("lost"));

    const int mark = changed.messages.size();
    QVERIFY(startPeer(TargetKind::Etherdisk, Shelf, Slot, m_net->ifB(), 2048));
    const qint64 restarted = nowMs();
    QTRY_VERIFY_WITH_TIMEOUT(findState(changed, QStringLiteral("online"), mark) >= 0, 5000);
    const qint64 online = changed.times[findState(changed, QStringLiteral("online"), mark)];
    QVERIFY2(online - restarted <= 3000, qPrintable(QString::number(online - restarted)));
    QCOMPARE(targetProperties(Shelf, Slot).value(QStringLiteral("State")).toString(),
             QStringLiteral("online"));
}

// Two devices (different sizes, different MACs) answering as one
// shelf.slot: the object's State is conflict, with both paths and a
// ConflictDetail. Fails if the conflict is not flagged or a path is missing.
// A target that stays lost keeps its object (State lost) until it has been
// silent for --forget-lost (12 s here, 10 minutes by default), and is then
// removed with InterfacesRemoved on the next poll: after 12 s, by 14 s +
// 0.7 s slack from the last poll it answered. Fails if lost objects are
// kept for ever or dropped as soon as they are lost.
void tst_HelperTargets::lostTargetForgotten()
{
    constexpr int Shelf = 7, Slot = 5;
    QProcess *peer = startPeer(TargetKind::Etherdisk, Shelf, Slot, m_net->ifB(), 2048);
    QVERIFY(peer);
    WireCapture wire;
    QString why;
    QVERIFY(m_net->enter(m_net->nsB()));
    const bool opened = wire.open(m_net->ifB(), &why);
    QVERIFY(m_net->enter(m_net->nsA()));
    QVERIFY2(opened, qPrintable(why));
    SignalLog removed;
    QVERIFY(m_bus.connect(Service, Root, QStringLiteral("org.freedesktop.DBus.ObjectManager"),
                          QStringLiteral("InterfacesRemoved"), &removed,
                          SLOT(onSignal(QDBusMessage))));
    const QDBusMessage r = startDiscovery();
    QVERIFY2(r.type() == QDBusMessage::ReplyMessage, qPrintable(r.errorMessage()));
    QTRY_COMPARE_WITH_TIMEOUT(targetProperties(Shelf, Slot).value(QStringLiteral("State")),
                              QVariant(QStringLiteral("online")), 5000);
    wire.clear();
    qint64 polled = -1;
    for (int i = 0; i < 10 && polled < 0; ++i) {
        if (pollsFrom(wire.collect(1000, 1), m_macA) > 0)
            polled = nowMs();
    }
    QVERIFY2(polled >= 0, "no poll of the helper's on the wire");
    QThread::msleep(100);
    peer->kill();
    QVERIFY(peer->waitForFinished(5000));
    QTRY_COMPARE_WITH_TIMEOUT(targetProperties(Shelf, Slot).value(QStringLiteral("State")),
                              QVariant(QStringLiteral("lost")), 8000);
    QTRY_VERIFY_WITH_TIMEOUT(!removed.messages.isEmpty(), (ForgetS + 4) * 1000);
    const qint64 gone = removed.times.constFirst();
    qInfo("removed %lld ms after the last poll answered", gone - polled);
    QCOMPARE(
        qvariant_cast<QDBusObjectPath>(removed.messages.constFirst().arguments().value(0)).path(),
        targetPath(Shelf, Slot));
    QVERIFY2(gone - polled >= ForgetS * 1000, qPrintable(QString::number(gone - polled)));
    QVERIFY2(gone - polled <= ForgetS * 1000 + 2700, qPrintable(QString::number(gone - polled)));
    QVERIFY(targetObjects().isEmpty());
}

void tst_HelperTargets::conflict()
{
    constexpr int Shelf = 8, Slot = 1;
    const QString m1 = m_net->linkName(QStringLiteral("m1"));
    const QString m2 = m_net->linkName(QStringLiteral("m2"));
    for (const QString &m : { m1, m2 }) {
        QString e;
        QVERIFY2(m_net->addMacvlan(m_net->nsB(), m_net->ifB(), m, &e), qPrintable(e));
    }
    MacAddress mac1{}, mac2{};
    QVERIFY(macOf(m_net->nsB(), m1, &mac1));
    QVERIFY(macOf(m_net->nsB(), m2, &mac2));
    QVERIFY(startPeer(TargetKind::Vblade, Shelf, Slot, m1, 4096));
    QVERIFY(startPeer(TargetKind::Etherdisk, Shelf, Slot, m2, 8192));
    const QDBusMessage r = startDiscovery();
    QVERIFY2(r.type() == QDBusMessage::ReplyMessage, qPrintable(r.errorMessage()));
    QTRY_COMPARE_WITH_TIMEOUT(targetProperties(Shelf, Slot).value(QStringLiteral("State")),
                              QVariant(QStringLiteral("conflict")), 8000);
    const QVariantMap p = targetProperties(Shelf, Slot);
    QVERIFY(!p.value(QStringLiteral("ConflictDetail")).toString().isEmpty());
    QSet<QString> macs;
    for (const QVariantMap &path : qdbus_cast<VariantMapList>(p.value(QStringLiteral("Paths"))))
        macs.insert(path.value(QStringLiteral("mac")).toString());
    QCOMPARE(macs, (QSet<QString>{ macText(mac1), macText(mac2) }));
}

// Discovery runs while a client wants it and not after: two clients hold it
// (helperclient hold-discovery); the first killed, the helper still polls
// (Query Config on the wire); the second killed, within 2 s DiscoveryActive
// is false and for 5 s (two and a half poll intervals) no poll of the
// helper's is on the wire. Fails if a client's death is not noticed (the
// bus name not watched) or one client's departure stops the other's
// discovery.
void tst_HelperTargets::discoveryFollowsClients()
{
    WireCapture wire;
    QString why;
    QVERIFY(m_net->enter(m_net->nsB()));
    const bool opened = wire.open(m_net->ifB(), &why);
    QVERIFY(m_net->enter(m_net->nsA()));
    QVERIFY2(opened, qPrintable(why));
    QVERIFY(!managerProperty(QStringLiteral("DiscoveryActive")).toBool());

    QList<QProcess *> clients;
    for (int i = 0; i < 2; ++i) {
        QProcess *c = m_processes.start(
            {}, clientBinary(), { m_address, QStringLiteral("hold-discovery") }, Output::Keep);
        QVERIFY(c);
        QTRY_VERIFY_WITH_TIMEOUT(c->canReadLine() || c->state() != QProcess::Running, 10000);
        const QByteArray line = c->readLine();
        QVERIFY2(line.startsWith("ok"), line.constData());
        clients << c;
    }
    QVERIFY(managerProperty(QStringLiteral("DiscoveryActive")).toBool());
    QVERIFY(pollsFrom(wire.collect(2500), m_macA) >= 1);

    clients[0]->kill();
    QVERIFY(clients[0]->waitForFinished(5000));
    QTest::qWait(1000);
    wire.clear();
    const int stillPolling = pollsFrom(wire.collect(4500), m_macA);
    QVERIFY2(stillPolling >= 2, qPrintable(QString::number(stillPolling)));
    QVERIFY(managerProperty(QStringLiteral("DiscoveryActive")).toBool());

    clients[1]->kill();
    QVERIFY(clients[1]->waitForFinished(5000));
    const qint64 killed = nowMs();
    QTRY_VERIFY_WITH_TIMEOUT(!managerProperty(QStringLiteral("DiscoveryActive")).toBool(), 5000);
    const qint64 stopped = nowMs();
    QVERIFY2(stopped - killed <= 2000, qPrintable(QString::number(stopped - killed)));
    wire.clear();
    const int after = pollsFrom(wire.collect(5000), m_macA);
    QCOMPARE(after, 0);

    // StopDiscovery from a client: the same, without dying.
    QDBusMessage r = startDiscovery();
    QVERIFY2(r.type() == QDBusMessage::ReplyMessage, qPrintable(r.errorMessage()));
    QVERIFY(managerProperty(QStringLiteral("DiscoveryActive")).toBool());
    r = call(ManagerPath, ManagerIface, QStringLiteral("StopDiscovery"), { QVariantMap() });
    QVERIFY2(r.type() == QDBusMessage::ReplyMessage, qPrintable(r.errorMessage()));
    QVERIFY(!managerProperty(QStringLiteral("DiscoveryActive")).toBool());
}

// At most 64 bus names keep discovery running: the 65th gets Failed with a
// sentence saying so, and once the 64 leave the bus discovery stops. Fails
// if the watchers are not bounded or leaving is not noticed.
void tst_HelperTargets::clientsBounded()
{
    constexpr int Bound = 64;
    QStringList names;
    const auto cleanupNames = qScopeGuard([&names] {
        for (const QString &n : std::as_const(names))
            QDBusConnection::disconnectFromBus(n);
    });
    for (int i = 0; i <= Bound; ++i) {
        const QString n = QStringLiteral("bounded%1").arg(i);
        QDBusConnection c = QDBusConnection::connectToBus(m_address, n);
        QVERIFY(c.isConnected());
        names << n;
        QDBusMessage m = QDBusMessage::createMethodCall(Service, ManagerPath, ManagerIface,
                                                        QStringLiteral("StartDiscovery"));
        m << QVariantMap();
        const QDBusMessage r = c.call(m, QDBus::Block, 30000);
        if (i < Bound) {
            QVERIFY2(r.type() == QDBusMessage::ReplyMessage, qPrintable(r.errorMessage()));
        } else {
            QCOMPARE(r.errorName(), ErrorPrefix + QStringLiteral("Failed"));
            QVERIFY2(r.errorMessage().contains(QStringLiteral("64 clients")),
                     qPrintable(r.errorMessage()));
        }
    }
    QVERIFY(managerProperty(QStringLiteral("DiscoveryActive")).toBool());
    for (const QString &n : std::as_const(names))
        QDBusConnection::disconnectFromBus(n);
    names.clear();
    QTRY_VERIFY_WITH_TIMEOUT(!managerProperty(QStringLiteral("DiscoveryActive")).toBool(), 5000);
}

void tst_HelperTargets::exportOfAnAddressInUse_data()
{
    QTest::addColumn<bool>("discoveryRunning");
    QTest::newRow("probe (discovery not running)") << false;
    QTest::newRow("discovery running") << true;
}

// A shelf.slot a peer already serves on the LAN: CreateExportFromImage is
// refused with AddressInUse naming the peer's MAC and interface, no export
// object appears and nothing answers for that address from the helper's
// MAC; with force it is served. Whether the helper first asks the LAN (no
// discovery running) or knows from its running discovery. Fails if the
// check is missing, names the wrong device, or serves anyway.
void tst_HelperTargets::exportOfAnAddressInUse()
{
    QFETCH(bool, discoveryRunning);
    constexpr int Shelf = 9, Slot = 1;
    QVERIFY(startPeer(TargetKind::Vblade, Shelf, Slot, m_net->ifB(), 2048));
    {
        RawClient c;
        QString why;
        QVERIFY2(c.open(m_net->ifA(), &why), qPrintable(why));
        QVERIFY(c.waitServing(Shelf, Slot, 5000));
    }
    if (discoveryRunning) {
        const QDBusMessage r = startDiscovery();
        QVERIFY2(r.type() == QDBusMessage::ReplyMessage, qPrintable(r.errorMessage()));
        QTRY_VERIFY_WITH_TIMEOUT(!targetProperties(Shelf, Slot).isEmpty(), 5000);
        QTest::qWait(1500); // running long enough to know: no probe needed
    }
    RawClient fromB;
    QString why;
    QVERIFY(m_net->enter(m_net->nsB()));
    const bool opened = fromB.open(m_net->ifB(), &why);
    QVERIFY(m_net->enter(m_net->nsA()));
    QVERIFY2(opened, qPrintable(why));

    QElapsedTimer t;
    t.start();
    QDBusMessage r = createImage(Shelf, Slot, { m_net->ifA() });
    const qint64 took = t.elapsed();
    qInfo("refused after %lld ms", took);
    // The probe asks the LAN for about a second; a discovery that knows
    // answers at once.
    if (discoveryRunning)
        QVERIFY2(took < 500, qPrintable(QString::number(took)));
    else
        QVERIFY2(took >= 900 && took < 3000, qPrintable(QString::number(took)));
    QCOMPARE(r.errorName(), ErrorPrefix + QStringLiteral("AddressInUse"));
    QVERIFY2(r.errorMessage().contains(macText(m_macB)), qPrintable(r.errorMessage()));
    QVERIFY2(r.errorMessage().contains(m_net->ifA()), qPrintable(r.errorMessage()));
    QVERIFY2(r.errorMessage().contains(QStringLiteral("pass force")), qPrintable(r.errorMessage()));
    QVERIFY(!managedObjects().contains(QDBusObjectPath(exportPath(Shelf, Slot))));
    auto answers = fromB.exchange(fromB.configRequest(Shelf, Slot, ConfigCommand::Read), 8, 1000);
    QCOMPARE(answersFrom(answers, m_macA, Shelf, Slot), 0);

    r = createImage(Shelf, Slot, { m_net->ifA() }, { { QStringLiteral("force"), true } });
    QVERIFY2(r.type() == QDBusMessage::ReplyMessage, qPrintable(r.errorMessage()));
    QVERIFY(managedObjects().contains(QDBusObjectPath(exportPath(Shelf, Slot))));
    answers = fromB.exchange(fromB.configRequest(Shelf, Slot, ConfigCommand::Read), 8, 1000);
    QCOMPARE(answersFrom(answers, m_macA, Shelf, Slot), 1);

    // A free address next to it is served without force.
    r = createImage(Shelf, Slot + 1, { m_net->ifA() });
    QVERIFY2(r.type() == QDBusMessage::ReplyMessage, qPrintable(r.errorMessage()));
}

// The helper's own export, seen by its discovery through another local
// interface on the same wire (a veth pair inside namespace A), is not a
// target, while a peer's target on the LAN is. Fails if this machine's own
// MACs are not left out.
void tst_HelperTargets::ownExportIsNoTarget()
{
    const QString x1 = m_net->linkName(QStringLiteral("x1"));
    const QString x2 = m_net->linkName(QStringLiteral("x2"));
    QString e;
    QVERIFY2(m_net->addVeth(m_net->nsA(), x1, m_net->nsA(), x2, 1500, &e), qPrintable(e));
    QVERIFY(startPeer(TargetKind::Vblade, 9, 5, m_net->ifB(), 2048));
    QDBusMessage r = createImage(9, 3, { x1 });
    QVERIFY2(r.type() == QDBusMessage::ReplyMessage, qPrintable(r.errorMessage()));
    // Discovery runs because of the export, on every Ethernet interface up.
    QVERIFY(managerProperty(QStringLiteral("DiscoveryActive")).toBool());
    {
        // Our export does answer on x2.
        RawClient c;
        QVERIFY2(c.open(x2, &e), qPrintable(e));
        QVERIFY(c.waitServing(9, 3, 3000));
    }
    QTRY_VERIFY_WITH_TIMEOUT(!targetProperties(9, 5).isEmpty(), 6000);
    QTest::qWait(4000); // two more polls
    QCOMPARE(targetObjects(), QStringList{ targetPath(9, 5) });
}

void tst_HelperTargets::setDiscoveryInterfacesBadArguments_data()
{
    QTest::addColumn<QVariantList>("args");
    QTest::addColumn<QString>("error");
    QTest::addColumn<QString>("message");
    const QString inv = ErrorPrefix + QStringLiteral("InvalidArgument");
    QTest::newRow("unknown interface")
        << QVariantList{ QStringList{ QStringLiteral("nosuch0") }, QVariantMap() } << inv
        << QStringLiteral("no network interface");
    QStringList many;
    for (int i = 0; i < 17; ++i)
        many << QStringLiteral("lo");
    QTest::newRow("17 interfaces")
        << QVariantList{ many, QVariantMap() } << inv << QStringLiteral("at most 16");
    QTest::newRow("interface twice")
        << QVariantList{ QStringList{ QStringLiteral("lo"), QStringLiteral("lo") }, QVariantMap() }
        << inv << QStringLiteral("twice");
    QTest::newRow("interface with slash")
        << QVariantList{ QStringList{ QStringLiteral("../lo") }, QVariantMap() } << inv
        << QStringLiteral("no network interface");
    QTest::newRow("unknown option")
        << QVariantList{ QStringList(), QVariantMap{ { QStringLiteral("force"), true } } } << inv
        << QStringLiteral("unknown option");
    QTest::newRow("option of the wrong type") << QVariantList{
        QStringList(),
        QVariantMap{ { QStringLiteral("auth.no_user_interaction"), QStringLiteral("yes") } }
    } << inv << QStringLiteral("boolean");
    // A wrong D-Bus signature never reaches the helper's code: the binding
    // refuses it.
    QTest::newRow("a string, not a list")
        << QVariantList{ QStringLiteral("lo"), QVariantMap() }
        << QStringLiteral("org.freedesktop.DBus.Error.UnknownMethod")
        << QStringLiteral("signature");
}

// Each bad argument gets its error and changes nothing (the property, the
// persisted file, whether discovery runs). Fails if a check is missing.
void tst_HelperTargets::setDiscoveryInterfacesBadArguments()
{
    QFETCH(QVariantList, args);
    QFETCH(QString, error);
    QFETCH(QString, message);
    const QString file = m_busDir + QStringLiteral("/state/discovery-interfaces");
    const bool existed = QFile::exists(file);
    const QDBusMessage r =
        call(ManagerPath, ManagerIface, QStringLiteral("SetDiscoveryInterfaces"), args);
    QCOMPARE(r.type(), QDBusMessage::ErrorMessage);
    QCOMPARE(r.errorName(), error);
    QVERIFY2(r.errorMessage().contains(message), qPrintable(r.errorMessage()));
    QCOMPARE(managerProperty(QStringLiteral("DiscoveryInterfaces")).toStringList(), QStringList());
    QCOMPARE(QFile::exists(file), existed);
    QVERIFY(!managerProperty(QStringLiteral("DiscoveryActive")).toBool());
}

// SetDiscoveryInterfaces: the property changes (signalled), the file in the
// state directory holds it, a running discovery switches to it (a target
// on the other interface only then), and the empty list restores every
// interface. Fails if the setting is not applied or not persisted.
void tst_HelperTargets::setDiscoveryInterfaces()
{
    // A second LAN from A to B: a veth pair with a peer on it.
    const QString y1 = m_net->linkName(QStringLiteral("y1"));
    const QString y2 = m_net->linkName(QStringLiteral("y2"));
    QString e;
    QVERIFY2(m_net->addVeth(m_net->nsA(), y1, m_net->nsB(), y2, 1500, &e), qPrintable(e));
    QVERIFY(startPeer(TargetKind::Etherdisk, 10, 1, y2, 2048));
    QVERIFY(startPeer(TargetKind::Etherdisk, 10, 2, m_net->ifB(), 2048));
    SignalLog changed;
    QVERIFY(m_bus.connect(Service, ManagerPath, QStringLiteral("org.freedesktop.DBus.Properties"),
                          QStringLiteral("PropertiesChanged"), &changed,
                          SLOT(onSignal(QDBusMessage))));
    QDBusMessage r = call(ManagerPath, ManagerIface, QStringLiteral("SetDiscoveryInterfaces"),
                          { QStringList{ m_net->ifA() }, QVariantMap() });
    QVERIFY2(r.type() == QDBusMessage::ReplyMessage, qPrintable(r.errorMessage()));
    QCOMPARE(managerProperty(QStringLiteral("DiscoveryInterfaces")).toStringList(),
             QStringList{ m_net->ifA() });
    QTRY_VERIFY_WITH_TIMEOUT(!changed.messages.isEmpty(), 2000);
    QFile file(m_busDir + QStringLiteral("/state/discovery-interfaces"));
    QVERIFY(file.open(QIODevice::ReadOnly));
    QVERIFY(file.readAll().split('\n').contains(m_net->ifA().toUtf8()));
    file.close();

    r = startDiscovery();
    QVERIFY2(r.type() == QDBusMessage::ReplyMessage, qPrintable(r.errorMessage()));
    QTRY_VERIFY_WITH_TIMEOUT(!targetProperties(10, 2).isEmpty(), 5000);
    QTest::qWait(2500);
    QVERIFY(targetProperties(10, 1).isEmpty()); // y1 is not polled

    r = call(ManagerPath, ManagerIface, QStringLiteral("SetDiscoveryInterfaces"),
             { QStringList(), QVariantMap() });
    QVERIFY2(r.type() == QDBusMessage::ReplyMessage, qPrintable(r.errorMessage()));
    QTRY_VERIFY_WITH_TIMEOUT(!targetProperties(10, 1).isEmpty(), 5000);
    QCOMPARE(
        targetProperties(10, 1).value(QStringLiteral("Paths")).value<QDBusArgument>().currentType(),
        QDBusArgument::ArrayType);
    QVERIFY(!targetProperties(10, 2).isEmpty()); // kept across the switch
    QVERIFY(file.open(QIODevice::ReadOnly));
    QVERIFY(!file.readAll().split('\n').contains(m_net->ifA().toUtf8()));
}

// Another user (setpriv nobody, no active session): SetDiscoveryInterfaces
// and StartDiscovery are refused with NotAuthorized and change nothing;
// StopDiscovery needs nothing (it only withdraws the caller's own request).
// Fails if polkit is not asked.
void tst_HelperTargets::otherUserRefused()
{
    const auto fileText = [this] {
        QFile f(m_busDir + QStringLiteral("/state/discovery-interfaces"));
        return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray("(none)");
    };
    const QByteArray before = fileText();
    Run r = asNobody({ QStringLiteral("set-discovery"), m_net->ifA() });
    QVERIFY2(r.out.startsWith("error " + (ErrorPrefix + QStringLiteral("NotAuthorized")).toUtf8()),
             qPrintable(r.describe()));
    QCOMPARE(managerProperty(QStringLiteral("DiscoveryInterfaces")).toStringList(), QStringList());
    QCOMPARE(fileText(), before);
    r = asNobody({ QStringLiteral("start-discovery") });
    QVERIFY2(r.out.startsWith("error " + (ErrorPrefix + QStringLiteral("NotAuthorized")).toUtf8()),
             qPrintable(r.describe()));
    QVERIFY(!managerProperty(QStringLiteral("DiscoveryActive")).toBool());
    r = asNobody({ QStringLiteral("stop-discovery") });
    QVERIFY2(r.ok(), qPrintable(r.describe()));
}

// Attach and Detach: bad options are refused, another user is refused by
// polkit, and root, authorized, is told that this helper has no aoe driver
// support (no attach handler is installed). Fails if options are not
// checked, polkit is not asked or the error is not NotSupported.
void tst_HelperTargets::attachWithoutDriverSupport()
{
    QVERIFY(startPeer(TargetKind::Vblade, 11, 1, m_net->ifB(), 2048));
    const QDBusMessage s = startDiscovery();
    QVERIFY2(s.type() == QDBusMessage::ReplyMessage, qPrintable(s.errorMessage()));
    QTRY_VERIFY_WITH_TIMEOUT(!targetProperties(11, 1).isEmpty(), 5000);
    const QString path = targetPath(11, 1);
    const QString inv = ErrorPrefix + QStringLiteral("InvalidArgument");

    QDBusMessage r = call(path, TargetIface, QStringLiteral("Attach"),
                          { QVariantMap{ { QStringLiteral("force"), true } } });
    QCOMPARE(r.errorName(), inv);
    r = call(path, TargetIface, QStringLiteral("Detach"),
             { QVariantMap{ { QStringLiteral("speed"), 1 } } });
    QCOMPARE(r.errorName(), inv);
    r = call(path, TargetIface, QStringLiteral("Detach"),
             { QVariantMap{ { QStringLiteral("force"), QStringLiteral("yes") } } });
    QCOMPARE(r.errorName(), inv);

    const Run nobody = asNobody({ QStringLiteral("attach"), path });
    QVERIFY2(
        nobody.out.startsWith("error " + (ErrorPrefix + QStringLiteral("NotAuthorized")).toUtf8()),
        qPrintable(nobody.describe()));

    r = call(path, TargetIface, QStringLiteral("Attach"), { QVariantMap() });
    QCOMPARE(r.errorName(), ErrorPrefix + QStringLiteral("NotSupported"));
    QVERIFY2(r.errorMessage().contains(QStringLiteral("Linux aoe driver")),
             qPrintable(r.errorMessage()));
    r = call(path, TargetIface, QStringLiteral("Detach"),
             { QVariantMap{ { QStringLiteral("force"), true } } });
    QCOMPARE(r.errorName(), ErrorPrefix + QStringLiteral("NotSupported"));
    QCOMPARE(targetProperties(11, 1).value(QStringLiteral("AttachedDevice")).toString(), QString());
}

// A host on the LAN answering as 200 different targets, each proven (it
// answers the IDENTIFYs too): the helper (started with --max-targets 64)
// publishes exactly 64 objects, announces exactly 64, and stays there over
// further polls. Fails if the Target objects are not bounded.
void tst_HelperTargets::forgedFlood()
{
    constexpr int Count = 200;
    SignalLog added;
    QVERIFY(m_bus.connect(Service, Root, QStringLiteral("org.freedesktop.DBus.ObjectManager"),
                          QStringLiteral("InterfacesAdded"), &added, SLOT(onSignal(QDBusMessage))));
    Forger forger;
    QString why;
    QVERIFY2(forger.open(*m_net, Count, &why), qPrintable(why));
    const QDBusMessage r = startDiscovery();
    QVERIFY2(r.type() == QDBusMessage::ReplyMessage, qPrintable(r.errorMessage()));
    QTRY_COMPARE_WITH_TIMEOUT(targetObjects().size(), MaxTargets, 10000);
    QTest::qWait(4500); // two more polls: nothing beyond the bound
    QCOMPARE(targetObjects().size(), MaxTargets);
    int targetsAdded = 0;
    for (const QDBusMessage &m : std::as_const(added.messages)) {
        if (qvariant_cast<QDBusObjectPath>(m.arguments().value(0))
                .path()
                .startsWith(Root + QStringLiteral("/targets/")))
            ++targetsAdded;
    }
    QCOMPARE(targetsAdded, MaxTargets);
    QVERIFY2(forger.identifies > MaxTargets, qPrintable(QString::number(forger.identifies)));
}

QTEST_GUILESS_MAIN(tst_HelperTargets)
#include "tst_helper_targets.moc"
