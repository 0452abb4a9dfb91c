// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
#include "etherdiskclient/actions.h"

#include "exportproxy.h"
#include "managerproxy.h"
#include "targetproxy.h"

#include <QDBusPendingCallWatcher>

namespace Etherdisk::Client {

namespace {

    // Calls `call` with a proxy for `path` that has no timeout; returns
    // its pending call (which outlives the proxy).
    template<typename Proxy, typename Call>
    QDBusPendingCall callOn(const QDBusConnection &bus, const QString &path, Call call)
    {
        Proxy p(QLatin1String(ServiceName), path, bus);
        p.setTimeout(CallTimeoutMs);
        return call(p);
    }

} // namespace

Actions::Actions(const QDBusConnection &bus, QObject *parent) : QObject(parent), m_bus(bus)
{
    registerTypes();
}

void Actions::watch(const QDBusPendingCall &call, Done done)
{
    auto *watcher = new QDBusPendingCallWatcher(call, this);
    connect(watcher, &QDBusPendingCallWatcher::finished, this,
            [done = std::move(done)](QDBusPendingCallWatcher *w) {
                w->deleteLater();
                const QDBusMessage reply = w->reply();
                if (reply.type() != QDBusMessage::ReplyMessage) {
                    done(Error::fromDBus(w->error()), {});
                    return;
                }
                QVariant result;
                if (!reply.arguments().isEmpty()) {
                    result = reply.arguments().constFirst();
                    if (result.metaType() == QMetaType::fromType<QDBusObjectPath>())
                        result = result.value<QDBusObjectPath>().path();
                    else
                        result = demarshal(result);
                }
                done({}, result);
            });
}

void Actions::createExport(const QString &source, quint16 shelf, quint8 slot,
                           const QStringList &interfaces, const QVariantMap &options, Done done)
{
    watch(callOn<ManagerProxy>(m_bus, QLatin1String(ManagerPath),
                               [&](ManagerProxy &p) {
                                   return p.CreateExport(source, shelf, slot, interfaces, options);
                               }),
          std::move(done));
}

void Actions::createExportFromImage(const QDBusUnixFileDescriptor &image, quint16 shelf,
                                    quint8 slot, const QStringList &interfaces,
                                    const QVariantMap &options, Done done)
{
    watch(callOn<ManagerProxy>(m_bus, QLatin1String(ManagerPath),
                               [&](ManagerProxy &p) {
                                   return p.CreateExportFromImage(image, shelf, slot, interfaces,
                                                                  options);
                               }),
          std::move(done));
}

void Actions::stopExport(const QString &exportPath, const QVariantMap &options, Done done)
{
    watch(callOn<ExportProxy>(m_bus, exportPath, [&](ExportProxy &p) { return p.Stop(options); }),
          std::move(done));
}

void Actions::setExportSettings(const QString &exportPath, const QVariantMap &options, Done done)
{
    watch(callOn<ExportProxy>(m_bus, exportPath,
                              [&](ExportProxy &p) { return p.SetSettings(options); }),
          std::move(done));
}

void Actions::attach(const QString &targetPath, const QVariantMap &options, Done done)
{
    watch(callOn<TargetProxy>(m_bus, targetPath, [&](TargetProxy &p) { return p.Attach(options); }),
          std::move(done));
}

void Actions::detach(const QString &targetPath, const QVariantMap &options, Done done)
{
    watch(callOn<TargetProxy>(m_bus, targetPath, [&](TargetProxy &p) { return p.Detach(options); }),
          std::move(done));
}

void Actions::permissions(Done done)
{
    watch(callOn<ManagerProxy>(m_bus, QLatin1String(ManagerPath),
                               [&](ManagerProxy &p) { return p.GetPermissions(); }),
          std::move(done));
}

void Actions::startDiscovery(const QVariantMap &options, Done done)
{
    watch(callOn<ManagerProxy>(m_bus, QLatin1String(ManagerPath),
                               [&](ManagerProxy &p) { return p.StartDiscovery(options); }),
          std::move(done));
}

void Actions::stopDiscovery(Done done)
{
    watch(callOn<ManagerProxy>(m_bus, QLatin1String(ManagerPath),
                               [&](ManagerProxy &p) { return p.StopDiscovery({}); }),
          std::move(done));
}

} // namespace Etherdisk::Client
