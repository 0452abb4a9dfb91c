// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
#include "guitestbus.h"

#include "images.h"
#include "peers.h"

#include <QDBusArgument>
#include <QDBusMetaType>
#include <QDBusObjectPath>
#include <QDBusUnixFileDescriptor>
#include <QFile>

#include <fcntl.h>
#include <unistd.h>

namespace EtherdiskTest {

namespace {

    const QString Service = QStringLiteral("org.etherdisk.Etherdisk1");
    const QString ManagerPath = QStringLiteral("/org/etherdisk/Etherdisk1/Manager");
    const QString ManagerIface = QStringLiteral("org.etherdisk.Etherdisk1.Manager");

    QString busScript()
    {
        return QStringLiteral(ETHERDISK_SOURCE_DIR "/tests/helper/start-test-bus.sh");
    }

} // namespace

QString GuiTestBus::start(const QString &tag)
{
    if (!m_tmp.isValid())
        return QStringLiteral("no temporary directory");
    QFile::setPermissions(m_tmp.path(),
                          QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner
                              | QFileDevice::ReadOther | QFileDevice::ExeOther);
    m_net = std::make_unique<NetnsPair>(tag);
    if (!m_net->isValid())
        return m_net->error();
    m_busDir = m_tmp.filePath(QStringLiteral("bus"));
    const Run r =
        runProgram(busScript(),
                   { QStringLiteral("start"), m_busDir,
                     QStringLiteral(ETHERDISK_BINARY_DIR "/app/etherdisk-helper/etherdisk-helper"),
                     m_net->nsA() });
    if (!r.ok())
        return r.describe();
    m_busUp = true;
    m_address = QString::fromLocal8Bit(r.out).trimmed();
    m_bus = newConnection();
    if (!m_bus.isConnected())
        return m_bus.lastError().message();
    return {};
}

void GuiTestBus::stop()
{
    m_processes.clear();
    if (m_busUp) {
        m_busUp = false;
        const Run r = runProgram(busScript(), { QStringLiteral("stop"), m_busDir });
        if (!r.ok())
            qWarning("%s", qPrintable(r.describe()));
    }
    m_net.reset();
}

QDBusConnection GuiTestBus::newConnection()
{
    return QDBusConnection::connectToBus(m_address,
                                         QStringLiteral("tst_gui_%1").arg(++m_connections));
}

QDBusMessage GuiTestBus::call(const QString &path, const QString &iface, const QString &method,
                              const QVariantList &args)
{
    QDBusMessage m = QDBusMessage::createMethodCall(Service, path, iface, method);
    m.setArguments(args);
    return m_bus.call(m, QDBus::Block, 30000);
}

QString GuiTestBus::exportImage(int shelf, int slot, qint64 sectors, const QVariantMap &options,
                                QString *error, int seed)
{
    const QString image = m_tmp.filePath(QStringLiteral("export%1.img").arg(++m_images));
    const bool made =
        seed < 0 ? makeSparseImage(image, sectors) : makePatternImage(image, sectors, seed);
    if (!made) {
        *error = QStringLiteral("cannot write ") + image;
        return {};
    }
    const int fd = ::open(QFile::encodeName(image).constData(), O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        *error = QStringLiteral("cannot open ") + image;
        return {};
    }
    const QDBusMessage reply =
        call(ManagerPath, ManagerIface, QStringLiteral("CreateExportFromImage"),
             { QVariant::fromValue(QDBusUnixFileDescriptor(fd)), QVariant::fromValue(ushort(shelf)),
               QVariant::fromValue(uchar(slot)), QStringList{ m_net->ifA() }, options });
    ::close(fd);
    if (reply.type() != QDBusMessage::ReplyMessage) {
        *error = reply.errorName() + QStringLiteral(": ") + reply.errorMessage();
        return {};
    }
    return reply.arguments().value(0).value<QDBusObjectPath>().path();
}

QProcess *GuiTestBus::startPeer(const QString &kind, int shelf, int slot, qint64 sectors)
{
    const QString image = m_tmp.filePath(QStringLiteral("peer%1.img").arg(++m_images));
    if (!makeSparseImage(image, sectors))
        return nullptr;
    const TargetKind k = targetKind(kind);
    return m_processes.start(m_net->nsB(), targetProgram(k),
                             targetArgs(k, shelf, slot, m_net->ifB(), image), Output::Discard);
}

void GuiTestBus::reset()
{
    m_processes.clear();
    if (!m_busUp)
        return;
    call(ManagerPath, ManagerIface, QStringLiteral("StopDiscovery"), { QVariantMap() });
    QDBusMessage m = QDBusMessage::createMethodCall(
        Service, QStringLiteral("/org/etherdisk/Etherdisk1"),
        QStringLiteral("org.freedesktop.DBus.ObjectManager"), QStringLiteral("GetManagedObjects"));
    const QDBusMessage r = m_bus.call(m, QDBus::Block, 30000);
    if (r.type() != QDBusMessage::ReplyMessage)
        return;
    const QDBusArgument arg = r.arguments().value(0).value<QDBusArgument>();
    arg.beginMap();
    while (!arg.atEnd()) {
        QDBusObjectPath path;
        arg.beginMapEntry();
        arg >> path;
        QMap<QString, QVariantMap> ifaces;
        arg >> ifaces;
        arg.endMapEntry();
        if (path.path().startsWith(QStringLiteral("/org/etherdisk/Etherdisk1/exports/")))
            call(path.path(), QStringLiteral("org.etherdisk.Etherdisk1.Export"),
                 QStringLiteral("Stop"), { QVariantMap() });
    }
    arg.endMap();
}

qint64 GuiTestBus::helperPid()
{
    QDBusMessage m = QDBusMessage::createMethodCall(
        QStringLiteral("org.freedesktop.DBus"), QStringLiteral("/org/freedesktop/DBus"),
        QStringLiteral("org.freedesktop.DBus"), QStringLiteral("GetConnectionUnixProcessID"));
    m << Service;
    const QDBusMessage r = m_bus.call(m, QDBus::Block, 5000);
    return r.type() == QDBusMessage::ReplyMessage ? r.arguments().value(0).toLongLong() : -1;
}

} // namespace EtherdiskTest
