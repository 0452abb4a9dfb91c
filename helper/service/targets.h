// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
//
// The helper's discovery and its Target objects
// (/org/etherdisk/Etherdisk1/targets/<shelf>_<slot>).
//
// Targets runs one core Discovery while anyone needs it: clients that
// called Manager.StartDiscovery (tracked by bus name, at most
// MaxDiscoveryClients; a client that leaves the bus is forgotten), any
// export (the address check of CreateExport), and holds taken inside the
// helper (Service::holdDiscovery, e.g. while disks are attached). The
// Discovery's one descriptor is watched with a QSocketNotifier; its poll
// timer is part of that descriptor, so nothing wakes while it is closed.
//
// Every target the Discovery lists (proven: it answered our IDENTIFY) is a
// TargetObject, created and updated from the Discovery's events only. The
// object count is bounded by the Discovery's target table
// (ServiceOptions::maxTargets), plus attached targets it has forgotten.
//
// The address check of a new export (checkAddress) uses the running
// Discovery when it has polled all the interfaces for at least probeMs,
// and otherwise a short probe: a Discovery of its own on those
// interfaces, closed after probeMs. Both leave out this machine's own MACs.
#pragma once

#include "etherdisk/discovery.h"

#include <QDBusContext>
#include <QDBusMessage>
#include <QDBusServiceWatcher>
#include <QElapsedTimer>
#include <QHash>
#include <QMap>
#include <QObject>
#include <QSet>
#include <QSocketNotifier>
#include <QStringList>
#include <QTimer>

#include "dbustypes.h"

#include <functional>
#include <memory>
#include <set>
#include <vector>

namespace Etherdisk::Helper {

inline constexpr char TargetsPath[] = "/org/etherdisk/Etherdisk1/targets";
inline constexpr char TargetInterface[] = "org.etherdisk.Etherdisk1.Target";
inline constexpr char ActionDiscover[] = "org.etherdisk.etherdisk1.discover";
inline constexpr char ActionAttach[] = "org.etherdisk.etherdisk1.attach";
inline constexpr char ActionDetach[] = "org.etherdisk.etherdisk1.detach";

// Distinct bus names that may hold discovery on at once (StartDiscovery).
inline constexpr int MaxDiscoveryClients = 64;
// Concurrent address probes (distinct interface sets) of CreateExport.
inline constexpr int MaxProbes = 8;

class Service;
class Targets;

class TargetObject : public QObject, protected QDBusContext
{
    Q_OBJECT
    Q_PROPERTY(ushort Shelf READ shelf)
    Q_PROPERTY(uchar Slot READ slot)
    Q_PROPERTY(qulonglong Size READ size)
    Q_PROPERTY(QString Model READ model)
    Q_PROPERTY(QString Serial READ serial)
    Q_PROPERTY(QString Firmware READ firmware)
    Q_PROPERTY(VariantMapList Paths READ paths)
    Q_PROPERTY(QString State READ state)
    Q_PROPERTY(QString ConflictDetail READ conflictDetail)
    Q_PROPERTY(QString AttachedDevice READ attachedDevice)
public:
    TargetObject(Targets *owner, const DiscoveredTarget &target);

    QString path() const;
    ushort shelf() const { return m_target.shelf; }
    uchar slot() const { return m_target.slot; }
    qulonglong size() const { return m_target.sectors * 512; }
    QString model() const { return QString::fromStdString(m_target.model); }
    QString serial() const { return QString::fromStdString(m_target.serial); }
    QString firmware() const { return QString::fromStdString(m_target.firmware); }
    VariantMapList paths() const;
    QString state() const { return m_state; }
    QString conflictDetail() const;
    QString attachedDevice() const { return m_attachedDevice; }
    // What discovery knows now (the last event's view).
    const DiscoveredTarget &target() const { return m_target; }

    // Set by the attach work ("" when detached); PropertiesChanged at once.
    // An attached target's object stays while discovery does not list it
    // (forgotten after a long loss, or discovery stopped), State lost;
    // detached then, the object goes (InterfacesRemoved, deleted later).
    void setAttachedDevice(const QString &device);

public: // called by the generated adaptor
    QString Attach(const QVariantMap &options);
    void Detach(const QVariantMap &options);

private:
    friend class Targets;
    Targets *m_owner;
    DiscoveredTarget m_target; // paths without this machine's own MACs
    QString m_state; // online | lost | conflict
    QString m_attachedDevice;
    quint64 m_generation = 0; // the Discovery run that last listed it
};

class Targets : public QObject
{
    Q_OBJECT
public:
    struct Settings
    {
        QString stateFile; // where DiscoveryInterfaces persist; "" = not persisted
        int intervalMs = 2000; // polls: a target is lost 6 s after its last answer
        int missedPolls = 2;
        int forgetMs = 10 * 60 * 1000; // a lost target's object goes after this
        std::size_t maxTargets = 4096; // objects (discovery's target table)
        int probeMs = 1000; // CreateExport's address probe
    };
    // Answer of checkAddress: errorName empty = the address is free.
    using CheckDone = std::function<void(const QString &errorName, const QString &message)>;

    Targets(Service *service, const Settings &settings);
    ~Targets() override;

    // Reads the persisted interfaces; call before the objects are used.
    void load();

    bool active() const { return m_discovery != nullptr; }
    QStringList configuredInterfaces() const { return m_configured; }
    TargetObject *find(std::uint16_t shelf, std::uint8_t slot) const;

    // Manager's methods (the call's reply is sent here, now or later).
    void setInterfaces(const QDBusMessage &call, const QStringList &interfaces,
                       const QVariantMap &options);
    void startFor(const QDBusMessage &call, const QVariantMap &options);
    void stopFor(const QDBusMessage &call, const QVariantMap &options);

    void hold(const QString &reason);
    void release(const QString &reason);
    // Starts, restarts (the interface set changed) or stops the Discovery
    // to match who needs it; Service calls it when exports come and go.
    void update();

    // Whether another device answers as shelf.slot on any of `interfaces`,
    // asking the LAN first if needed; `done` runs once, now or later.
    void checkAddress(std::uint16_t shelf, std::uint8_t slot, const QStringList &interfaces,
                      CheckDone done);

    // For the Target methods.
    Service *service() const { return m_service; }

Q_SIGNALS:
    void activeChanged();

private:
    friend class TargetObject;
    // A short Discovery of its own for checkAddress; closed after probeMs.
    struct Probe
    {
        std::vector<std::string> interfaces; // sorted
        std::unique_ptr<Discovery> discovery;
        std::unique_ptr<QSocketNotifier> notifier;
        std::set<std::string> localMacs;
        std::vector<std::function<void(const Probe &)>> waiters;
    };

    std::vector<std::string> wantedInterfaces() const;
    bool wanted() const;
    void start(const std::vector<std::string> &interfaces);
    void stop();
    void discoveryReady();
    void handle(const DiscoveryEvent &event);
    void resync();
    // Creates or updates the object of `t` (own MACs taken out); none for a
    // target that is only this machine.
    void apply(DiscoveredTarget t);
    void removeObject(std::uint16_t shelf, std::uint8_t slot);
    void removeStale();
    // AttachedDevice became "": the object goes if only that kept it.
    void detached(TargetObject *target);
    void clientGone(const QString &name);
    bool savePersisted(const QStringList &interfaces, QString *error);
    void finishProbe(Probe *probe);
    // The AddressInUse message when a device other than this machine answers
    // as shelf.slot on one of `interfaces` and is not lost; "" otherwise.
    static QString conflictIn(const Discovery &discovery, const std::set<std::string> &own,
                              std::uint16_t shelf, std::uint8_t slot,
                              const std::vector<std::string> &interfaces);
    // Attach and Detach: options, polkit, then Service's handler.
    void targetCall(TargetObject *target, const QDBusMessage &call, const QVariantMap &options,
                    bool attach);

    Service *m_service;
    Settings m_settings;
    QStringList m_configured; // SetDiscoveryInterfaces; empty = every Ethernet interface up
    std::unique_ptr<Discovery> m_discovery;
    std::unique_ptr<QSocketNotifier> m_notifier;
    std::vector<std::string> m_running; // interfaces of m_discovery, sorted
    std::set<std::string> m_localMacs;
    QString m_lastError; // why discovery could not start
    QElapsedTimer m_since; // since m_discovery was opened
    quint64 m_generation = 0;
    QTimer m_staleTimer; // after a restart: objects the new run did not list go
    QMap<QPair<std::uint16_t, std::uint8_t>, TargetObject *> m_objects;
    QDBusServiceWatcher m_watcher;
    QSet<QString> m_clients; // bus names that called StartDiscovery
    QHash<QString, int> m_holds; // reason -> count
    std::vector<std::unique_ptr<Probe>> m_probes;
};

// This machine's interface MACs ("aa:bb:..."), in the current namespace.
std::set<std::string> localMacs();
// Every Ethernet interface that is up, loopback excluded, sorted.
std::vector<std::string> upEthernetInterfaces();

} // namespace Etherdisk::Helper
