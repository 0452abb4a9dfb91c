// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
//
// What tst_helper_life and tst_helper_security share: etherdisk-helper
// bus-activated on a private system bus with a real polkitd
// (start-test-bus.sh), inside namespace A of a veth pair; the test thread
// in namespace B. Header-only; each suite owns one HelperFixture.
#pragma once

#include "images.h"
#include "netns.h"
#include "process.h"
#include "testutil.h"

#include <QDBusConnection>
#include <QDBusMessage>
#include <QDBusMetaType>
#include <QDBusObjectPath>
#include <QDBusUnixFileDescriptor>
#include <QDir>
#include <QFile>
#include <QProcessEnvironment>
#include <QTemporaryDir>
#include <QTest>

#include <fcntl.h>
#include <memory>
#include <sys/stat.h>
#include <unistd.h>

namespace EtherdiskTest::HelperTest {

using InterfaceProperties = QMap<QString, QVariantMap>;
using ManagedObjects = QMap<QDBusObjectPath, InterfaceProperties>;

inline const QString Service = QStringLiteral("org.etherdisk.Etherdisk1");
inline const QString Root = QStringLiteral("/org/etherdisk/Etherdisk1");
inline const QString ManagerPath = QStringLiteral("/org/etherdisk/Etherdisk1/Manager");
inline const QString ManagerIface = QStringLiteral("org.etherdisk.Etherdisk1.Manager");
inline const QString ExportIface = QStringLiteral("org.etherdisk.Etherdisk1.Export");
inline const QString ErrorPrefix = QStringLiteral("org.etherdisk.Etherdisk1.Error.");
inline constexpr qint64 ImageSectors = 2048; // 1 MiB

inline QString helperBinary()
{
    return QStringLiteral(ETHERDISK_BINARY_DIR "/app/etherdisk-helper/etherdisk-helper");
}
inline QString clientBinary()
{
    return QStringLiteral(ETHERDISK_BINARY_DIR "/tests/helperclient");
}
inline QString busScript()
{
    return QStringLiteral(ETHERDISK_SOURCE_DIR "/tests/helper/start-test-bus.sh");
}
inline QString exportPath(int shelf, int slot)
{
    return QStringLiteral("/org/etherdisk/Etherdisk1/exports/%1_%2").arg(shelf).arg(slot);
}

class HelperFixture
{
public:
    // Everything a suite needs before its first test: root, namespaces, the
    // programs. Returns false with *why when something is missing.
    static bool available(QString *why)
    {
        if (!isRoot()) {
            *why = QStringLiteral("needs root (a system bus, polkitd, namespaces)");
            return false;
        }
        if (!canCreateNetns(why))
            return false;
        for (const QString &p :
             { QStringLiteral("dbus-daemon"), QStringLiteral("dbus-send"),
               QStringLiteral("setpriv"), QStringLiteral("losetup"), QStringLiteral("nsenter") }) {
            if (!haveProgram(p)) {
                *why = QStringLiteral("%1 is not installed").arg(p);
                return false;
            }
        }
        if (!QFile::exists(QStringLiteral("/usr/lib/polkit-1/polkitd"))) {
            *why = QStringLiteral("polkitd is not installed (Debian package polkitd)");
            return false;
        }
        return true;
    }

    // Starts the bus (the helper is activated by the first call) with the
    // helper's extra arguments `helperArgs`; the calling thread moves to
    // namespace B.
    bool start(const QString &tag, const QString &helperArgs, QString *error)
    {
        if (!m_tmp.isValid()) {
            *error = QStringLiteral("no temporary directory");
            return false;
        }
        QFile::setPermissions(m_tmp.path(),
                              QFileDevice::ReadOwner | QFileDevice::WriteOwner
                                  | QFileDevice::ExeOwner | QFileDevice::ReadGroup
                                  | QFileDevice::ExeGroup | QFileDevice::ReadOther
                                  | QFileDevice::ExeOther);
        qDBusRegisterMetaType<InterfaceProperties>();
        qDBusRegisterMetaType<ManagedObjects>();
        qDBusRegisterMetaType<QMap<QString, QString>>();
        m_net = std::make_unique<NetnsPair>(tag);
        if (!m_net->isValid()) {
            *error = m_net->error();
            return false;
        }
        busDir = m_tmp.filePath(QStringLiteral("bus"));
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("ETHERDISK_HELPER_ARGS"), helperArgs);
        const Run r = runProgram(busScript(),
                                 { QStringLiteral("start"), busDir, helperBinary(), m_net->nsA() },
                                 30000, {}, env);
        if (!r.ok()) {
            *error = r.describe();
            return false;
        }
        m_busUp = true;
        address = QString::fromLocal8Bit(r.out).trimmed();
        bus = QDBusConnection::connectToBus(address, m_connectionName);
        if (!bus.isConnected()) {
            *error = bus.lastError().message();
            return false;
        }
        if (!m_net->enter(m_net->nsB())) {
            *error = m_net->error();
            return false;
        }
        return true;
    }

    void stop()
    {
        if (m_net)
            m_net->enterOriginal();
        if (m_busUp) {
            QDBusConnection::disconnectFromBus(m_connectionName);
            const Run r = runProgram(busScript(), { QStringLiteral("stop"), busDir });
            if (!r.ok())
                qWarning("%s", qPrintable(r.describe()));
            m_busUp = false;
        }
    }

    bool isUp() const { return m_busUp; }
    NetnsPair &net() { return *m_net; }
    QString tmpPath(const QString &name) const { return m_tmp.filePath(name); }
    QString confPath() const { return busDir + QStringLiteral("/exports.conf"); }

    QDBusMessage call(const QString &path, const QString &iface, const QString &method,
                      const QVariantList &args, int timeoutMs = 30000)
    {
        QDBusMessage m = QDBusMessage::createMethodCall(Service, path, iface, method);
        m.setArguments(args);
        return bus.call(m, QDBus::Block, timeoutMs);
    }

    QDBusMessage createImage(const QString &file, bool readWrite, int shelf, int slot,
                             QVariantMap options = {})
    {
        const int fd = ::open(QFile::encodeName(file).constData(),
                              (readWrite ? O_RDWR : O_RDONLY) | O_CLOEXEC);
        if (fd < 0)
            return QDBusMessage::createError(QStringLiteral("test.OpenFailed"), file);
        if (!readWrite)
            options.insert(QStringLiteral("read-only"), true);
        const QDBusMessage reply = call(
            ManagerPath, ManagerIface, QStringLiteral("CreateExportFromImage"),
            { QVariant::fromValue(QDBusUnixFileDescriptor(fd)), QVariant::fromValue(ushort(shelf)),
              QVariant::fromValue(uchar(slot)), QStringList{ m_net->ifA() }, options });
        ::close(fd);
        return reply;
    }

    QDBusMessage createDevice(const QString &device, int shelf, int slot,
                              const QVariantMap &options = {})
    {
        return call(ManagerPath, ManagerIface, QStringLiteral("CreateExport"),
                    { device, QVariant::fromValue(ushort(shelf)), QVariant::fromValue(uchar(slot)),
                      QStringList{ m_net->ifA() }, options });
    }

    QDBusMessage stopExport(const QString &path)
    {
        return call(path, ExportIface, QStringLiteral("Stop"), { QVariantMap() });
    }

    ManagedObjects managedObjects()
    {
        const QDBusMessage r = call(Root, QStringLiteral("org.freedesktop.DBus.ObjectManager"),
                                    QStringLiteral("GetManagedObjects"), {});
        if (r.type() != QDBusMessage::ReplyMessage || r.arguments().isEmpty())
            return {};
        return qdbus_cast<ManagedObjects>(r.arguments().constFirst());
    }

    QVariantMap properties(const QString &path, const QString &iface = ExportIface)
    {
        return managedObjects().value(QDBusObjectPath(path)).value(iface);
    }

    // The objects with their settings, and exports.conf: what a refused call
    // must leave as it was.
    QString snapshot()
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
        QFile conf(confPath());
        if (conf.open(QIODevice::ReadOnly))
            s += QString::fromUtf8(conf.readAll());
        return s;
    }

    // The helper's pid from the bus daemon (which does not wake the
    // helper), -1 while it is not running.
    qint64 helperPid()
    {
        QDBusMessage m = QDBusMessage::createMethodCall(
            QStringLiteral("org.freedesktop.DBus"), QStringLiteral("/org/freedesktop/DBus"),
            QStringLiteral("org.freedesktop.DBus"), QStringLiteral("GetConnectionUnixProcessID"));
        m << Service;
        const QDBusMessage r = bus.call(m, QDBus::Block, 5000);
        return r.type() == QDBusMessage::ReplyMessage ? r.arguments().value(0).toLongLong() : -1;
    }

    // Stops every export (as root) and ends the helper, so the next test
    // starts from an activation.
    void stopAll()
    {
        const ManagedObjects objects = managedObjects();
        for (auto it = objects.cbegin(); it != objects.cend(); ++it) {
            if (it.key().path().startsWith(Root + QStringLiteral("/exports/")))
                stopExport(it.key().path());
        }
    }

    bool aoepingFinds(int shelf, int slot)
    {
        const Run r = runProgram(QStringLiteral("aoeping"),
                                 { QStringLiteral("-s"), QStringLiteral("2"),
                                   QString::number(shelf), QString::number(slot), m_net->ifB() },
                                 10000, m_net->nsB());
        return r.ok();
    }

    QString makeImage(const QString &name, int seed, mode_t mode = 0666)
    {
        const QString path = m_tmp.filePath(name);
        if (!makePatternImage(path, ImageSectors, seed))
            return {};
        ::chmod(QFile::encodeName(path).constData(), mode);
        return path;
    }

    // A loop device over `image` (losetup -P when `partitions`), detached by
    // detachLoops().
    QString makeLoopDevice(const QString &image, QString *error, bool partitions = false)
    {
        QStringList args = { QStringLiteral("-f"), QStringLiteral("--show") };
        if (partitions)
            args << QStringLiteral("-P");
        args << image;
        const Run r = runProgram(QStringLiteral("losetup"), args);
        if (!r.ok()) {
            *error = r.describe();
            return {};
        }
        const QString dev = QString::fromLocal8Bit(r.out).trimmed();
        m_loops << dev;
        return dev;
    }
    void detachLoops()
    {
        for (const QString &l : std::as_const(m_loops))
            runProgram(QStringLiteral("losetup"), { QStringLiteral("-d"), l });
        m_loops.clear();
    }

    // Runs helperclient as user nobody (tests/helper/helperclient.cpp).
    Run asNobody(const QStringList &args)
    {
        QStringList all = { QStringLiteral("--reuid=nobody"), QStringLiteral("--regid=nogroup"),
                            QStringLiteral("--clear-groups"), clientBinary(), address };
        all += args;
        return runProgram(QStringLiteral("setpriv"), all, 40000);
    }

    QString busDir;
    QString address;
    QDBusConnection bus{ QString() };

private:
    std::unique_ptr<NetnsPair> m_net;
    QTemporaryDir m_tmp{ QStringLiteral("/tmp/ed-helper-XXXXXX") };
    QString m_connectionName = QStringLiteral("fixture");
    bool m_busUp = false;
    QStringList m_loops;
};

} // namespace EtherdiskTest::HelperTest
