// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
//
// Actions: the helper's methods, called asynchronously through the proxies
// generated from helper/dbus/*.xml, without a timeout (a polkit prompt
// waits for the user; see CallTimeoutMs). Each method returns at once;
// `done` runs later in the caller's thread with the error ({} on success)
// and the result. The first call activates the helper if it is not
// running; if it cannot be started the error's kind() is HelperUnavailable.
#pragma once

#include "etherdiskclient/types.h"

#include <QDBusConnection>
#include <QDBusPendingCall>
#include <QDBusUnixFileDescriptor>
#include <QObject>

#include <functional>

namespace Etherdisk::Client {

class Actions : public QObject
{
    Q_OBJECT
public:
    // result: the new object's path (QString) for the create calls, the
    // device node (QString) for attach, a StringMap for permissions, else
    // invalid.
    using Done = std::function<void(const Error &error, const QVariant &result)>;

    explicit Actions(const QDBusConnection &bus = QDBusConnection::systemBus(),
                     QObject *parent = nullptr);

    void createExport(const QString &source, quint16 shelf, quint8 slot,
                      const QStringList &interfaces, const QVariantMap &options, Done done);
    // The descriptor is duplicated into the message: the caller may close
    // its copy once this returns.
    void createExportFromImage(const QDBusUnixFileDescriptor &image, quint16 shelf, quint8 slot,
                               const QStringList &interfaces, const QVariantMap &options,
                               Done done);
    void stopExport(const QString &exportPath, const QVariantMap &options, Done done);
    void setExportSettings(const QString &exportPath, const QVariantMap &options, Done done);
    void attach(const QString &targetPath, const QVariantMap &options, Done done);
    void detach(const QString &targetPath, const QVariantMap &options, Done done);
    // Manager.GetPermissions: action id -> yes | auth | no, without a prompt.
    void permissions(Done done);
    // Keeps the helper's discovery running for this connection until
    // stopDiscovery() or until the connection goes (the helper tracks the
    // caller's bus name).
    void startDiscovery(const QVariantMap &options, Done done);
    void stopDiscovery(Done done);

private:
    void watch(const QDBusPendingCall &call, Done done);

    QDBusConnection m_bus;
};

} // namespace Etherdisk::Client
