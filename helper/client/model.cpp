// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
#include "etherdiskclient/model.h"

#include <QDBusArgument>
#include <QDBusMetaType>
#include <QDBusObjectPath>
#include <QDBusPendingCallWatcher>
#include <QDBusPendingReply>
#include <QDBusServiceWatcher>

#include <algorithm>

namespace Etherdisk::Client {

namespace {

    const QString ObjectManagerInterface = QStringLiteral("org.freedesktop.DBus.ObjectManager");
    const QString PropertiesInterface = QStringLiteral("org.freedesktop.DBus.Properties");

    // GetManagedObjects and GetAll need no authorization; this only bounds
    // a helper that hangs (activation included).
    constexpr int FetchTimeoutMs = 30000;

    QVariantMap demarshalAll(const QVariantMap &in)
    {
        QVariantMap out;
        for (auto it = in.cbegin(); it != in.cend(); ++it)
            out.insert(it.key(), demarshal(it.value()));
        return out;
    }

    template<typename Info>
    QStringList sortedPaths(const QHash<QString, Info> &objects)
    {
        QList<const Info *> list;
        for (const Info &i : objects)
            list << &i;
        std::sort(list.begin(), list.end(), [](const Info *a, const Info *b) {
            return std::tie(a->shelf, a->slot, a->path) < std::tie(b->shelf, b->slot, b->path);
        });
        QStringList out;
        for (const Info *i : list)
            out << i->path;
        return out;
    }

} // namespace

Model::Model(const QDBusConnection &bus, QObject *parent) : QObject(parent), m_bus(bus)
{
    registerTypes();
}

Model::~Model() = default;

void Model::start()
{
    if (m_watcher)
        return;
    const QString service = QLatin1String(ServiceName);
    m_watcher =
        new QDBusServiceWatcher(service, m_bus, QDBusServiceWatcher::WatchForOwnerChange, this);
    connect(m_watcher, &QDBusServiceWatcher::serviceOwnerChanged, this,
            [this](const QString &, const QString &oldOwner, const QString &newOwner) {
                ownerChanged(oldOwner, newOwner);
            });
    const QString root = QLatin1String(RootPath);
    m_bus.connect(service, root, ObjectManagerInterface, QStringLiteral("InterfacesAdded"), this,
                  SLOT(onInterfacesAdded(QDBusMessage)));
    m_bus.connect(service, root, ObjectManagerInterface, QStringLiteral("InterfacesRemoved"), this,
                  SLOT(onInterfacesRemoved(QDBusMessage)));
    // Every object's PropertiesChanged (any path; only the helper's are kept).
    m_bus.connect(service, QString(), PropertiesInterface, QStringLiteral("PropertiesChanged"),
                  this, SLOT(onPropertiesChanged(QDBusMessage)));
    fetch();
}

void Model::refresh()
{
    fetch();
}

QString Model::helperVersion() const
{
    return properties(QLatin1String(ManagerPath), QLatin1String(ManagerInterface))
        .value(QStringLiteral("Version"))
        .toString();
}

QStringList Model::exportPaths() const
{
    return sortedPaths(m_exports);
}

QStringList Model::targetPaths() const
{
    return sortedPaths(m_targets);
}

const ExportInfo *Model::exportInfo(const QString &path) const
{
    const auto it = m_exports.constFind(path);
    return it == m_exports.cend() ? nullptr : &*it;
}

const TargetInfo *Model::targetInfo(const QString &path) const
{
    const auto it = m_targets.constFind(path);
    return it == m_targets.cend() ? nullptr : &*it;
}

const ExportInfo *Model::findExport(quint16 shelf, quint8 slot) const
{
    return exportInfo(exportPath(shelf, slot));
}

const TargetInfo *Model::findTarget(quint16 shelf, quint8 slot) const
{
    return targetInfo(targetPath(shelf, slot));
}

QStringList Model::interfaces(const QString &path) const
{
    return m_objects.value(path).keys();
}

QVariantMap Model::properties(const QString &path, const QString &interface) const
{
    return m_objects.value(path).value(interface);
}

void Model::fetch()
{
    m_fetching = true;
    const quint64 generation = ++m_generation;
    QDBusMessage call =
        QDBusMessage::createMethodCall(QLatin1String(ServiceName), QLatin1String(RootPath),
                                       ObjectManagerInterface, QStringLiteral("GetManagedObjects"));
    auto *watcher = new QDBusPendingCallWatcher(m_bus.asyncCall(call, FetchTimeoutMs), this);
    connect(
        watcher, &QDBusPendingCallWatcher::finished, this,
        [this, generation](QDBusPendingCallWatcher *w) {
            w->deleteLater();
            if (generation != m_generation)
                return; // the helper changed since: a newer fetch is on its way or due
            const QDBusMessage reply = w->reply();
            if (reply.type() != QDBusMessage::ReplyMessage || reply.arguments().isEmpty()) {
                m_lastError = Error::fromDBus(w->error());
                if (!m_lastError.isError())
                    m_lastError = { QStringLiteral("org.freedesktop.DBus.Error.InvalidSignature"),
                                    tr("GetManagedObjects returned nothing") };
                // Whatever the model showed is not known to be current.
                clear();
                Q_EMIT fetchFailed(m_lastError);
                return;
            }
            fetched(qdbus_cast<ManagedObjects>(reply.arguments().constFirst()), reply.service());
        });
}

void Model::fetched(const ManagedObjects &objects, const QString &owner)
{
    const bool wasConnected = m_connected;
    m_owner = owner;
    m_lastError = {};
    // Objects or interfaces not in the answer are gone.
    QList<QPair<QString, QString>> gone;
    for (auto o = m_objects.cbegin(); o != m_objects.cend(); ++o) {
        const InterfaceProperties now = objects.value(QDBusObjectPath(o.key()));
        for (auto i = o->cbegin(); i != o->cend(); ++i) {
            if (!now.contains(i.key()))
                gone.append({ o.key(), i.key() });
        }
    }
    for (const auto &[path, interface] : std::as_const(gone))
        removeInterface(path, interface);
    for (auto o = objects.cbegin(); o != objects.cend(); ++o) {
        for (auto i = o->cbegin(); i != o->cend(); ++i)
            apply(o.key().path(), i.key(), demarshalAll(i.value()), true);
    }
    m_fetching = false;
    m_connected = true;
    if (!wasConnected)
        Q_EMIT connectedChanged(true);
}

void Model::ownerChanged(const QString &oldOwner, const QString &newOwner)
{
    if (!oldOwner.isEmpty()) {
        // The helper went away (or another process took its name): what we
        // know is void, and an answer still on its way is the old one's.
        ++m_generation;
        clear();
    }
    if (newOwner.isEmpty())
        return;
    // A fetch already on its way (it may be what activated the helper) is
    // answered by the new owner.
    if (!m_fetching)
        fetch();
}

void Model::clear()
{
    const bool wasConnected = m_connected;
    m_connected = false;
    m_fetching = false;
    m_owner.clear();
    QList<QPair<QString, QString>> all;
    for (auto o = m_objects.cbegin(); o != m_objects.cend(); ++o) {
        for (auto i = o->cbegin(); i != o->cend(); ++i)
            all.append({ o.key(), i.key() });
    }
    for (const auto &[path, interface] : std::as_const(all))
        removeInterface(path, interface);
    if (wasConnected)
        Q_EMIT connectedChanged(false);
}

void Model::apply(const QString &path, const QString &interface, const QVariantMap &properties,
                  bool replaceAll)
{
    auto object = m_objects.find(path);
    if (object == m_objects.end() || !object->contains(interface)) {
        m_objects[path].insert(interface, properties);
        updateTyped(path, interface);
        Q_EMIT objectAdded(path, interface);
        return;
    }
    QVariantMap &current = (*object)[interface];
    QStringList changed;
    for (auto it = properties.cbegin(); it != properties.cend(); ++it) {
        const auto old = current.constFind(it.key());
        if (old == current.cend() || *old != it.value()) {
            current.insert(it.key(), it.value());
            changed << it.key();
        }
    }
    if (replaceAll) {
        const QStringList keys = current.keys();
        for (const QString &key : keys) {
            if (!properties.contains(key)) {
                current.remove(key);
                changed << key;
            }
        }
    }
    if (changed.isEmpty())
        return;
    updateTyped(path, interface);
    Q_EMIT objectChanged(path, interface, changed);
}

void Model::removeInterface(const QString &path, const QString &interface)
{
    auto object = m_objects.find(path);
    if (object == m_objects.end() || !object->remove(interface))
        return;
    if (object->isEmpty())
        m_objects.erase(object);
    updateTyped(path, interface);
    Q_EMIT objectRemoved(path, interface);
}

void Model::updateTyped(const QString &path, const QString &interface)
{
    const auto object = m_objects.constFind(path);
    const bool present = object != m_objects.cend() && object->contains(interface);
    if (interface == QLatin1String(ExportInterface)) {
        if (present)
            m_exports.insert(path, ExportInfo::fromProperties(path, object->value(interface)));
        else
            m_exports.remove(path);
    } else if (interface == QLatin1String(TargetInterface)) {
        if (present)
            m_targets.insert(path, TargetInfo::fromProperties(path, object->value(interface)));
        else
            m_targets.remove(path);
    }
}

void Model::onInterfacesAdded(const QDBusMessage &message)
{
    if (!m_connected || m_fetching || message.arguments().size() < 2)
        return;
    const QString path = message.arguments().at(0).value<QDBusObjectPath>().path();
    const InterfaceProperties added = qdbus_cast<InterfaceProperties>(message.arguments().at(1));
    for (auto i = added.cbegin(); i != added.cend(); ++i)
        apply(path, i.key(), demarshalAll(i.value()), true);
}

void Model::onInterfacesRemoved(const QDBusMessage &message)
{
    if (!m_connected || m_fetching || message.arguments().size() < 2)
        return;
    const QString path = message.arguments().at(0).value<QDBusObjectPath>().path();
    for (const QString &interface : qdbus_cast<QStringList>(message.arguments().at(1)))
        removeInterface(path, interface);
}

void Model::onPropertiesChanged(const QDBusMessage &message)
{
    // Only objects the model knows (from the fetch or InterfacesAdded): a
    // signal before the fetch's answer is covered by it.
    const QString path = message.path();
    if (!m_connected || m_fetching || message.arguments().size() < 3)
        return;
    const QString interface = message.arguments().at(0).toString();
    if (!m_objects.value(path).contains(interface))
        return;
    apply(path, interface, demarshalAll(qdbus_cast<QVariantMap>(message.arguments().at(1))), false);
    if (!qdbus_cast<QStringList>(message.arguments().at(2)).isEmpty())
        fetchInvalidated(path, interface);
}

void Model::fetchInvalidated(const QString &path, const QString &interface)
{
    // Invalidated properties come without values: read them all again.
    QDBusMessage call = QDBusMessage::createMethodCall(
        QLatin1String(ServiceName), path, PropertiesInterface, QStringLiteral("GetAll"));
    call << interface;
    const quint64 generation = m_generation;
    auto *watcher = new QDBusPendingCallWatcher(m_bus.asyncCall(call, FetchTimeoutMs), this);
    connect(watcher, &QDBusPendingCallWatcher::finished, this,
            [this, generation, path, interface](QDBusPendingCallWatcher *w) {
                w->deleteLater();
                const QDBusMessage reply = w->reply();
                if (generation != m_generation || !m_connected || m_fetching
                    || reply.type() != QDBusMessage::ReplyMessage || reply.arguments().isEmpty()
                    || !m_objects.value(path).contains(interface))
                    return;
                apply(path, interface,
                      demarshalAll(qdbus_cast<QVariantMap>(reply.arguments().constFirst())), true);
            });
}

} // namespace Etherdisk::Client
