// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
//
// ObjectTree: what QtDBus (6.4) lacks for a service whose clients never
// poll. It provides org.freedesktop.DBus.ObjectManager at a root path
// (GetManagedObjects, InterfacesAdded, InterfacesRemoved) for the objects
// added to it, and emits org.freedesktop.DBus.Properties.PropertiesChanged
// for them.
//
// An object's interfaces and properties are those of its
// QDBusAbstractAdaptor children (the adaptors generated from the XML), read
// through the adaptors, so what a client sees in a signal is exactly what
// Properties.Get returns.
//
// Two ways to report a change:
//  - changed(): emitted at once (settings, state);
//  - changedLater(): folded into one PropertiesChanged per object and
//    interface, emitted by a single-shot timer `coalesceMs` after the first
//    change since the last emission. So an object's coalesced properties
//    are signalled at most once per coalesceMs whatever the rate of
//    changes, and with nothing pending no timer runs.
#pragma once

#include "dbustypes.h"

#include <QDBusConnection>
#include <QHash>
#include <QMap>
#include <QObject>
#include <QPointer>
#include <QSet>
#include <QStringList>
#include <QTimer>

namespace Etherdisk::Helper {

class ObjectTree : public QObject
{
    Q_OBJECT
public:
    ObjectTree(const QDBusConnection &bus, const QString &rootPath, int coalesceMs = 500,
               QObject *parent = nullptr);
    ~ObjectTree() override;

    // Registers the ObjectManager at the root path.
    bool registerRoot(QString *error);

    // Registers `object` (with its adaptors) at `path`, below the root, and
    // announces it with InterfacesAdded. The tree does not own `object`; it
    // forgets it when it is destroyed (remove() should come first, so
    // clients hear InterfacesRemoved).
    bool add(const QString &path, QObject *object, QString *error);
    // InterfacesRemoved, then unregisters; pending coalesced changes of the
    // object are dropped.
    void remove(const QString &path);
    bool contains(const QString &path) const { return m_objects.contains(path); }
    QStringList paths() const { return m_objects.keys(); }

    void changed(const QString &path, const QString &interface, const QStringList &properties);
    void changedLater(const QString &path, const QString &interface, const QStringList &properties);

    ManagedObjects managedObjects() const;
    // The interfaces and current properties of one object.
    InterfaceProperties interfacesOf(const QString &path) const;

    int coalesceMs() const { return m_timer.interval(); }
    bool timerActive() const { return m_timer.isActive(); } // for tests: idle means false

Q_SIGNALS:
    // For users in this process; the D-Bus signals are sent by the tree.
    void interfacesAdded(const QDBusObjectPath &path, const InterfaceProperties &interfaces);
    void interfacesRemoved(const QDBusObjectPath &path, const QStringList &interfaces);
    // A client called GetManagedObjects (the service counts it as activity).
    void managedObjectsRequested();

private:
    void flush();
    void emitChanged(const QString &path, const QString &interface, const QStringList &properties);

    QDBusConnection m_bus;
    QString m_root;
    QObject m_rootObject;
    QMap<QString, QPointer<QObject>> m_objects;
    QMap<QString, QHash<QString, QSet<QString>>> m_pending; // path -> interface -> properties
    QTimer m_timer;
};

} // namespace Etherdisk::Helper
