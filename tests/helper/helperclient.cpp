// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
//
// A minimal client of etherdisk-helper that tst_helper runs as another user
// (setpriv --reuid=nobody): one call per run, answer on stdout as
//   ok [value]
//   error <D-Bus error name>: <message>
// Exit status 0 for ok, 1 for an error reply, 2 for bad usage.
//
//   helperclient ADDRESS create SOURCE SHELF SLOT IF
//   helperclient ADDRESS image FILE rw|ro SHELF SLOT IF
//   helperclient ADDRESS stop OBJECT
//   helperclient ADDRESS set OBJECT        (SetSettings read-only=true)
//   helperclient ADDRESS permissions
//   helperclient ADDRESS objects           (GetManagedObjects: the paths)
//   helperclient ADDRESS set-discovery IF... (SetDiscoveryInterfaces)
//   helperclient ADDRESS start-discovery   (StartDiscovery)
//   helperclient ADDRESS stop-discovery    (StopDiscovery)
//   helperclient ADDRESS attach OBJECT     (Target.Attach)
//   helperclient ADDRESS hold-discovery    (StartDiscovery, then "ok" and
//                                           stays connected until killed)
#include <QCoreApplication>
#include <QDBusArgument>
#include <QDBusConnection>
#include <QDBusMessage>
#include <QDBusMetaType>
#include <QDBusUnixFileDescriptor>
#include <QFile>

#include <cstdio>
#include <fcntl.h>
#include <unistd.h>

namespace {

const QString Service = QStringLiteral("org.etherdisk.Etherdisk1");
const QString ManagerPath = QStringLiteral("/org/etherdisk/Etherdisk1/Manager");
const QString ManagerIface = QStringLiteral("org.etherdisk.Etherdisk1.Manager");
const QString ExportIface = QStringLiteral("org.etherdisk.Etherdisk1.Export");
const QString TargetIface = QStringLiteral("org.etherdisk.Etherdisk1.Target");

QVariantMap noPrompt()
{
    return { { QStringLiteral("auth.no_user_interaction"), true } };
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const QStringList a = app.arguments();
    if (a.size() < 3)
        return 2;
    QDBusConnection bus = QDBusConnection::connectToBus(a[1], QStringLiteral("client"));
    if (!bus.isConnected()) {
        std::printf("error connect: %s\n", qPrintable(bus.lastError().message()));
        return 1;
    }
    qDBusRegisterMetaType<QMap<QString, QString>>();
    const QString command = a[2];
    QDBusMessage m;
    if (command == QLatin1String("create") && a.size() == 7) {
        m = QDBusMessage::createMethodCall(Service, ManagerPath, ManagerIface,
                                           QStringLiteral("CreateExport"));
        m << a[3] << QVariant::fromValue(ushort(a[4].toUShort()))
          << QVariant::fromValue(uchar(a[5].toUShort())) << QStringList{ a[6] } << noPrompt();
    } else if (command == QLatin1String("image") && a.size() == 8) {
        const bool rw = a[4] == QLatin1String("rw");
        const int fd =
            ::open(QFile::encodeName(a[3]).constData(), (rw ? O_RDWR : O_RDONLY) | O_CLOEXEC);
        if (fd < 0) {
            std::printf("error open: cannot open %s\n", qPrintable(a[3]));
            return 1;
        }
        QVariantMap options = noPrompt();
        if (!rw)
            options.insert(QStringLiteral("read-only"), true);
        m = QDBusMessage::createMethodCall(Service, ManagerPath, ManagerIface,
                                           QStringLiteral("CreateExportFromImage"));
        m << QVariant::fromValue(QDBusUnixFileDescriptor(fd))
          << QVariant::fromValue(ushort(a[5].toUShort()))
          << QVariant::fromValue(uchar(a[6].toUShort())) << QStringList{ a[7] } << options;
        ::close(fd);
    } else if (command == QLatin1String("stop") && a.size() == 4) {
        m = QDBusMessage::createMethodCall(Service, a[3], ExportIface, QStringLiteral("Stop"));
        m << noPrompt();
    } else if (command == QLatin1String("set") && a.size() == 4) {
        m = QDBusMessage::createMethodCall(Service, a[3], ExportIface,
                                           QStringLiteral("SetSettings"));
        QVariantMap options = noPrompt();
        options.insert(QStringLiteral("read-only"), true);
        m << options;
    } else if (command == QLatin1String("objects") && a.size() == 3) {
        m = QDBusMessage::createMethodCall(Service, QStringLiteral("/org/etherdisk/Etherdisk1"),
                                           QStringLiteral("org.freedesktop.DBus.ObjectManager"),
                                           QStringLiteral("GetManagedObjects"));
    } else if (command == QLatin1String("set-discovery") && a.size() >= 3) {
        m = QDBusMessage::createMethodCall(Service, ManagerPath, ManagerIface,
                                           QStringLiteral("SetDiscoveryInterfaces"));
        m << QStringList(a.mid(3)) << noPrompt();
    } else if ((command == QLatin1String("start-discovery")
                || command == QLatin1String("hold-discovery"))
               && a.size() == 3) {
        m = QDBusMessage::createMethodCall(Service, ManagerPath, ManagerIface,
                                           QStringLiteral("StartDiscovery"));
        m << noPrompt();
    } else if (command == QLatin1String("stop-discovery") && a.size() == 3) {
        m = QDBusMessage::createMethodCall(Service, ManagerPath, ManagerIface,
                                           QStringLiteral("StopDiscovery"));
        m << noPrompt();
    } else if (command == QLatin1String("attach") && a.size() == 4) {
        m = QDBusMessage::createMethodCall(Service, a[3], TargetIface, QStringLiteral("Attach"));
        m << noPrompt();
    } else if (command == QLatin1String("permissions") && a.size() == 3) {
        m = QDBusMessage::createMethodCall(Service, ManagerPath, ManagerIface,
                                           QStringLiteral("GetPermissions"));
    } else {
        return 2;
    }
    const QDBusMessage reply = bus.call(m, QDBus::Block, 30000);
    if (reply.type() == QDBusMessage::ErrorMessage) {
        std::printf("error %s: %s\n", qPrintable(reply.errorName()),
                    qPrintable(reply.errorMessage()));
        return 1;
    }
    QString value;
    if (!reply.arguments().isEmpty()) {
        const QVariant v = reply.arguments().constFirst();
        if (v.metaType().id() == QMetaType::QString) {
            value = v.toString();
        } else if (v.canConvert<QDBusObjectPath>()) {
            value = v.value<QDBusObjectPath>().path();
        } else if (command == QLatin1String("objects")) {
            // a{oa{sa{sv}}}: the object paths, in order.
            const QDBusArgument arg = v.value<QDBusArgument>();
            arg.beginMap();
            while (!arg.atEnd()) {
                arg.beginMapEntry();
                QDBusObjectPath path;
                arg >> path;
                arg.beginMap();
                while (!arg.atEnd()) {
                    arg.beginMapEntry();
                    QString iface;
                    QVariantMap props;
                    arg >> iface >> props;
                    arg.endMapEntry();
                }
                arg.endMap();
                arg.endMapEntry();
                value += path.path() + QLatin1Char(' ');
            }
            arg.endMap();
        } else {
            const auto map = qdbus_cast<QMap<QString, QString>>(v);
            for (auto it = map.cbegin(); it != map.cend(); ++it)
                value += it.key() + QLatin1Char('=') + it.value() + QLatin1Char(' ');
        }
    }
    std::printf("ok %s\n", qPrintable(value.trimmed()));
    if (command == QLatin1String("hold-discovery")) {
        // Stays on the bus (and so keeps discovery running) until killed.
        std::fflush(stdout);
        return app.exec();
    }
    return 0;
}
