// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
//
// A notification server for tests: owns org.freedesktop.Notifications on
// the session bus (DBUS_SESSION_BUS_ADDRESS), answers Notify with a new id
// (or the replaced one), and prints each call as one JSON line on stdout:
//   {"id":N,"app":..,"replaces_id":N,"icon":..,"summary":..,"body":..,
//    "actions":[..],"urgency":N,"desktop_entry":..,"expire":N}
// and "ready" once it owns the name. A line "invoke ID ACTION" on stdin
// emits ActionInvoked(ID, ACTION).
#include <QCoreApplication>
#include <QDBusConnection>
#include <QDBusConnectionInterface>
#include <QDBusMessage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSocketNotifier>
#include <QStringList>
#include <QVariantMap>

#include <cstdio>
#include <unistd.h>

class Server : public QObject
{
    Q_OBJECT
    Q_CLASSINFO("D-Bus Interface", "org.freedesktop.Notifications")
public:
    using QObject::QObject;

public Q_SLOTS:
    uint Notify(const QString &app, uint replacesId, const QString &icon, const QString &summary,
                const QString &body, const QStringList &actions, const QVariantMap &hints,
                int expire)
    {
        const uint id = replacesId ? replacesId : ++m_next;
        QJsonObject o{ { QStringLiteral("id"), int(id) },
                       { QStringLiteral("app"), app },
                       { QStringLiteral("replaces_id"), int(replacesId) },
                       { QStringLiteral("icon"), icon },
                       { QStringLiteral("summary"), summary },
                       { QStringLiteral("body"), body },
                       { QStringLiteral("actions"), QJsonArray::fromStringList(actions) },
                       { QStringLiteral("urgency"),
                         hints.value(QStringLiteral("urgency")).toInt() },
                       { QStringLiteral("desktop_entry"),
                         hints.value(QStringLiteral("desktop-entry")).toString() },
                       { QStringLiteral("expire"), expire } };
        std::printf("%s\n", QJsonDocument(o).toJson(QJsonDocument::Compact).constData());
        std::fflush(stdout);
        return id;
    }
    QStringList GetCapabilities() { return { QStringLiteral("actions"), QStringLiteral("body") }; }
    void CloseNotification(uint) { }
    QString GetServerInformation(QString &vendor, QString &version, QString &spec)
    {
        vendor = QStringLiteral("Etherdisk tests");
        version = QStringLiteral("1");
        spec = QStringLiteral("1.2");
        return QStringLiteral("notificationlistener");
    }

private:
    uint m_next = 0;
};

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QDBusConnection bus = QDBusConnection::sessionBus();
    Server server;
    if (!bus.registerObject(QStringLiteral("/org/freedesktop/Notifications"), &server,
                            QDBusConnection::ExportAllSlots)
        || !bus.registerService(QStringLiteral("org.freedesktop.Notifications"))) {
        std::fprintf(stderr, "cannot own org.freedesktop.Notifications: %s\n",
                     qPrintable(bus.lastError().message()));
        return 1;
    }
    std::printf("ready\n");
    std::fflush(stdout);
    QSocketNotifier input(STDIN_FILENO, QSocketNotifier::Read);
    QByteArray pending;
    QObject::connect(&input, &QSocketNotifier::activated, &app, [&] {
        char buf[256];
        const ssize_t n = ::read(STDIN_FILENO, buf, sizeof buf);
        if (n <= 0) {
            QCoreApplication::quit();
            return;
        }
        pending.append(buf, n);
        qsizetype nl;
        while ((nl = pending.indexOf('\n')) >= 0) {
            const QStringList words = QString::fromUtf8(pending.left(nl)).split(QLatin1Char(' '));
            pending.remove(0, nl + 1);
            if (words.size() == 3 && words[0] == QLatin1String("invoke")) {
                QDBusMessage signal =
                    QDBusMessage::createSignal(QStringLiteral("/org/freedesktop/Notifications"),
                                               QStringLiteral("org.freedesktop.Notifications"),
                                               QStringLiteral("ActionInvoked"));
                signal << words[1].toUInt() << words[2];
                bus.send(signal);
            }
        }
    });
    return app.exec();
}

#include "notificationlistener.moc"
