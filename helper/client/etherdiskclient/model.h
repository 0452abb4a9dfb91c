// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
//
// Model: every object etherdisk-helper publishes (Manager, Exports,
// Targets) with its properties, kept current without polling.
//
// start() subscribes to org.freedesktop.DBus.ObjectManager's
// InterfacesAdded/InterfacesRemoved at /org/etherdisk/Etherdisk1 and to
// PropertiesChanged of every object, then fetches everything once with
// GetManagedObjects (which starts the helper if it is not running). From
// then on only the signals update it. Signals that arrive while a fetch is
// on its way are covered by the fetch's answer (the bus keeps the helper's
// messages in order), so each change is reported exactly once.
//
// The helper going away (exit, crash, kill -9) empties the model: one
// objectRemoved per object and interface, then connectedChanged(false).
// When the name has an owner again (bus activation by anyone, a restart; a
// new unique name replacing the old one counts as a restart) the model
// fetches again by itself: objectAdded for each object, then
// connectedChanged(true). refresh() fetches at once (and activates the
// helper), e.g. for a "retry" after fetchFailed.
//
// For item models: lookups by path are hash lookups returning a pointer to
// a typed view (valid until the next signal of this model); objectChanged
// names the properties that really changed (a PropertiesChanged that
// changes no value emits nothing), so a view updates one row's cells.
#pragma once

#include "etherdiskclient/types.h"

#include <QDBusConnection>
#include <QDBusMessage>
#include <QHash>
#include <QMap>
#include <QObject>

class QDBusServiceWatcher;

namespace Etherdisk::Client {

class Model : public QObject
{
    Q_OBJECT
public:
    explicit Model(const QDBusConnection &bus = QDBusConnection::systemBus(),
                   QObject *parent = nullptr);
    ~Model() override;

    // Subscribes and fetches (asynchronously). Call once.
    void start();
    // Fetches everything again now; the differences are signalled.
    void refresh();

    // The helper answered the last fetch and has not gone away since.
    bool isConnected() const { return m_connected; }
    // A fetch is on its way.
    bool isFetching() const { return m_fetching; }
    // Why the last fetch failed ({} after a successful one).
    Error lastError() const { return m_lastError; }
    // The helper's Manager.Version ("" while not connected).
    QString helperVersion() const;

    // Every object path, sorted.
    QStringList paths() const { return m_objects.keys(); }
    // Export and Target objects, in shelf.slot order.
    QStringList exportPaths() const;
    QStringList targetPaths() const;
    // nullptr when there is no such object.
    const ExportInfo *exportInfo(const QString &path) const;
    const TargetInfo *targetInfo(const QString &path) const;
    const ExportInfo *findExport(quint16 shelf, quint8 slot) const;
    const TargetInfo *findTarget(quint16 shelf, quint8 slot) const;
    // The raw view: the interfaces of an object and their properties
    // (containers demarshalled, see demarshal()).
    QStringList interfaces(const QString &path) const;
    QVariantMap properties(const QString &path, const QString &interface) const;

Q_SIGNALS:
    // An object got an interface (for the helper's objects: appeared).
    void objectAdded(const QString &path, const QString &interface);
    // Properties of one object and interface changed value; `properties`
    // names each of them once.
    void objectChanged(const QString &path, const QString &interface,
                       const QStringList &properties);
    // An object lost an interface (for the helper's objects: went away).
    void objectRemoved(const QString &path, const QString &interface);
    void connectedChanged(bool connected);
    // A fetch failed (e.g. kind() HelperUnavailable: not installed, cannot
    // start); the model stays empty until the helper appears or refresh().
    void fetchFailed(const Etherdisk::Client::Error &error);

private Q_SLOTS:
    void onInterfacesAdded(const QDBusMessage &message);
    void onInterfacesRemoved(const QDBusMessage &message);
    void onPropertiesChanged(const QDBusMessage &message);

private:
    using Interfaces = QMap<QString, QVariantMap>;

    void fetch();
    void fetched(const ManagedObjects &objects, const QString &owner);
    void ownerChanged(const QString &oldOwner, const QString &newOwner);
    void clear();
    // Sets one object's interface to `properties` (adding it if new),
    // emitting objectAdded or objectChanged as it differs.
    void apply(const QString &path, const QString &interface, const QVariantMap &properties,
               bool replaceAll);
    void removeInterface(const QString &path, const QString &interface);
    void updateTyped(const QString &path, const QString &interface);
    void fetchInvalidated(const QString &path, const QString &interface);

    QDBusConnection m_bus;
    QDBusServiceWatcher *m_watcher = nullptr;
    bool m_connected = false;
    bool m_fetching = false; // signals are ignored meanwhile: the answer covers them
    quint64 m_generation = 0; // answers of older fetches are dropped
    QString m_owner; // the unique name that answered the fetch
    Error m_lastError;
    QMap<QString, Interfaces> m_objects;
    QHash<QString, ExportInfo> m_exports;
    QHash<QString, TargetInfo> m_targets;
};

} // namespace Etherdisk::Client
