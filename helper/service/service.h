// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
//
// The objects of etherdisk-helper on the system bus: Manager (create
// exports, permissions, version, discovery settings) and one Export per
// served shelf.slot, on top of one core Engine; the Target objects of
// discovery are in targets.h. The D-Bus adaptors are generated from
// helper/dbus/*.xml and forward to these classes; ObjectTree adds
// ObjectManager and PropertiesChanged.
//
// Every mutating call: arguments validated (a refusal changes nothing) ->
// polkit asked asynchronously with the caller's bus name (delayed reply:
// the event loop, serving and other callers go on meanwhile) -> the caller
// still connected -> state checked again (it may have changed while a
// password prompt was open) -> done, and persisted when asked.
#pragma once

#include "attacher.h"
#include "authorizer.h"
#include "dbustypes.h"
#include "objecttree.h"
#include "targets.h"

#include "etherdisk/engine.h"

#include <QDBusContext>
#include <QDBusMessage>
#include <QDBusUnixFileDescriptor>
#include <QFileSystemWatcher>
#include <QHash>
#include <QMap>
#include <QObject>
#include <QSet>
#include <QSocketNotifier>
#include <QTimer>

#include <functional>
#include <memory>
#include <optional>

namespace Etherdisk::Helper {

inline constexpr char ErrorPrefix[] = "org.etherdisk.Etherdisk1.Error.";
inline constexpr char ActionExport[] = "org.etherdisk.etherdisk1.export";
inline constexpr char ActionUnexport[] = "org.etherdisk.etherdisk1.unexport";

// Bounds on what a caller may pass.
inline constexpr int MaxInterfaces = 16;
inline constexpr int MaxPathLength = 4096;
inline constexpr int MaxOptions = 32;

class Service;

// Options of the mutating methods, parsed and type-checked.
struct CallOptions
{
    std::optional<bool> readOnly;
    std::optional<WriteMode> writeMode;
    std::optional<std::vector<Aoe::MacAddress>> allow;
    std::optional<bool> persistent;
    bool force = false;
    bool noUserInteraction = false;
};

class Manager : public QObject, protected QDBusContext
{
    Q_OBJECT
    Q_PROPERTY(QString Version READ version)
    Q_PROPERTY(QStringList DiscoveryInterfaces READ discoveryInterfaces)
    Q_PROPERTY(bool DiscoveryActive READ discoveryActive)
    Q_PROPERTY(QString ConfigError READ configError)
public:
    explicit Manager(Service *service);
    QString version() const;
    QStringList discoveryInterfaces() const;
    bool discoveryActive() const;
    QString configError() const;

public: // called by the generated adaptor
    QDBusObjectPath CreateExport(const QString &source, ushort shelf, uchar slot,
                                 const QStringList &interfaces, const QVariantMap &options);
    QDBusObjectPath CreateExportFromImage(const QDBusUnixFileDescriptor &image, ushort shelf,
                                          uchar slot, const QStringList &interfaces,
                                          const QVariantMap &options);
    StringMap GetPermissions();
    void SetDiscoveryInterfaces(const QStringList &interfaces, const QVariantMap &options);
    void StartDiscovery(const QVariantMap &options);
    void StopDiscovery(const QVariantMap &options);

private:
    Service *m_service;
};

class ExportObject : public QObject, protected QDBusContext
{
    Q_OBJECT
    Q_PROPERTY(ushort Shelf READ shelf)
    Q_PROPERTY(uchar Slot READ slot)
    Q_PROPERTY(QString Source READ source)
    Q_PROPERTY(QStringList Interfaces READ interfaces)
    Q_PROPERTY(qulonglong Size READ size)
    Q_PROPERTY(bool ReadOnly READ readOnly)
    Q_PROPERTY(QString WriteMode READ writeMode)
    Q_PROPERTY(QStringList AllowedMacs READ allowedMacs)
    Q_PROPERTY(bool Persistent READ persistent)
    Q_PROPERTY(QString State READ state)
    Q_PROPERTY(QString LastError READ lastError)
    Q_PROPERTY(VariantMapList Clients READ clients)
    Q_PROPERTY(qulonglong BytesRead READ bytesRead)
    Q_PROPERTY(qulonglong BytesWritten READ bytesWritten)
    Q_PROPERTY(qulonglong ReadRequests READ readRequests)
    Q_PROPERTY(qulonglong WriteRequests READ writeRequests)
    Q_PROPERTY(qulonglong Errors READ errors)
public:
    ExportObject(Service *service, const ExportConfig &config, const QString &source, bool writable,
                 bool persistent, std::uint64_t sectors);

    QString path() const;
    ushort shelf() const { return m_config.shelf; }
    uchar slot() const { return m_config.slot; }
    QString source() const { return m_source; }
    QStringList interfaces() const;
    qulonglong size() const { return m_sectors * 512; }
    bool readOnly() const { return m_config.readOnly; }
    QString writeMode() const;
    QStringList allowedMacs() const;
    bool persistent() const { return m_persistent; }
    QString state() const { return m_state; }
    QString lastError() const { return m_lastError; }
    VariantMapList clients() const;
    qulonglong bytesRead() const { return m_counters.bytesRead; }
    qulonglong bytesWritten() const { return m_counters.bytesWritten; }
    qulonglong readRequests() const { return m_counters.readRequests; }
    qulonglong writeRequests() const { return m_counters.writeRequests; }
    qulonglong errors() const { return m_counters.errors; }

public: // called by the generated adaptor
    void Stop(const QVariantMap &options);
    void SetSettings(const QVariantMap &options);

private:
    friend class Service;
    Service *m_service;
    ExportConfig m_config; // fd = -1: the engine keeps its own descriptor
    QString m_source;
    bool m_writable; // the backing descriptor allows writes
    bool m_persistent;
    std::uint64_t m_sectors;
    QString m_state = QStringLiteral("serving");
    QString m_lastError;
    QString m_backingError; // since BackingFailed, until BackingRecovered
    ExportCounters m_counters;
};

struct ServiceOptions
{
    QString configPath = QStringLiteral("/etc/etherdisk/exports.conf");
    QString stateDir = QStringLiteral("/var/lib/etherdisk/helper");
    int coalesceMs = 500; // PropertiesChanged of counters: at most once per this
    int sampleMs = 500; // counters read this often while anything is exported
    // Discovery: Target objects at most (discovery's target table), and
    // how long a lost target's object stays (unless attached).
    std::size_t maxTargets = 4096;
    int targetForgetMs = 10 * 60 * 1000;
    // Exit this long after the helper became idle (nothing exported, no
    // hold(), no call in progress); 0 = never. The bus starts it again.
    int idleTimeoutS = 30;
    // Start at boot while exports.conf lists exports. Empty (the default):
    // ask systemd (EnableUnitFiles/DisableUnitFiles over D-Bus) when it is
    // PID 1, else nothing. A directory: manage the symbolic link
    // DIR/etherdisk-helper.service -> unitPath there instead, as
    // `systemctl enable` does offline (images, containers, tests).
    QString wantsDir;
    QString unitPath; // empty: where CMake installs the unit
    // The Linux aoe driver (Target.Attach/Detach): where its files are, and
    // how long Attach waits for the device.
    AoeDriver::Paths driverPaths;
    int attachTimeoutMs = 20000;
};

class Service : public QObject
{
    Q_OBJECT
public:
    Service(const QDBusConnection &bus, const ServiceOptions &options, QObject *parent = nullptr);
    ~Service() override;

    // Starts the engine, registers the objects, restores the persistent
    // exports and finally owns the bus name. False with *error.
    bool start(QString *error);

    ObjectTree *tree() { return &m_tree; }

    // Discovery held on for the helper's own needs (e.g. "attached e1.2"),
    // besides the clients' StartDiscovery and the exports; counted per
    // reason, each hold released once.
    void holdDiscovery(const QString &reason);
    void releaseDiscovery(const QString &reason);
    bool discoveryActive() const;
    // The Target object of shelf.slot, if discovery lists it.
    TargetObject *target(std::uint16_t shelf, std::uint8_t slot) const;

    // Target.Attach / Target.Detach, after their options were checked and
    // polkit said yes: the handler replies to `call` itself (Attach with the
    // device node), now or later. Unset: NotSupported.
    using TargetHandler = std::function<void(const QDBusMessage &call, TargetObject *target,
                                             const CallOptions &options)>;
    TargetHandler attachHandler;
    TargetHandler detachHandler;
    // The aoe driver's device node of shelf.slot, "" when it has none.
    QString attachedDevice(std::uint16_t shelf, std::uint8_t slot) const;

Q_SIGNALS:
    void discoveryActiveChanged();

public:
    // Lifetime. The helper runs while it serves an export, while a call is
    // being handled (polkit asked) and while anything holds it; otherwise it
    // exits idleTimeoutS after it became idle (idleExpired()), and the bus
    // activates it again at the next call. Parts that need the process to
    // stay (attached disks being watched, a discovery client tracked by its
    // bus name) call hold(reason) when that starts and release(reason) with
    // the same reason when it ends. Holds are counted per reason: two
    // hold("discovery :1.42") need two release("discovery :1.42"). Releasing
    // a reason that is not held is logged and ignored. Both are cheap and
    // may be called any number of times from the service's thread.
    void hold(const QString &reason);
    void release(const QString &reason);
    bool isHeld(const QString &reason) const { return m_holds.value(reason) > 0; }
    QStringList holds() const { return m_holds.keys(); }
    // Nothing keeps the process: no export, no hold, no call in progress.
    bool isIdle() const;
    // A client called: the grace period (if running) starts over.
    void noteActivity();

    // Re-reads exports.conf (SIGHUP, or the file or its directory changed):
    // valid changes are applied; a file with an error is reported in
    // ConfigError (and logged as file:line) and changes nothing.
    void reloadConfig();
    QString configError() const { return m_configError; }

Q_SIGNALS:
    // Idle for the whole grace period: the bus name has been released;
    // the owner quits the event loop.
    void idleExpired();

private:
    friend class Manager;
    friend class ExportObject;
    friend class Targets;

    enum class SourceKind { Device, ImagePath, ImageFd };
    struct CreateRequest
    {
        ExportConfig config;
        SourceKind kind = SourceKind::Device;
        QString source; // device node or path
        QDBusUnixFileDescriptor image; // ImageFd
        bool force = false;
        bool persistent = false;
        bool noUserInteraction = false;
    };
    // What both ways of creating an export check first: the options, the
    // address and the interfaces. False once the refusal is sent.
    bool beginCreate(const QDBusMessage &call, ushort shelf, uchar slot,
                     const QStringList &interfaces, const QVariantMap &options, CallOptions *parsed,
                     CreateRequest *request);

    // The D-Bus side of one call: reply later, or refuse now.
    void refuse(const QDBusMessage &call, const QString &error, const QString &message);
    bool parseOptions(const QVariantMap &in, const QStringList &allowed, CallOptions *out,
                      QString *error) const;
    bool validateCommon(ushort shelf, uchar slot, const QStringList &interfaces,
                        const CallOptions &options, CreateRequest *request, QString *errorName,
                        QString *error) const;
    // Authorizes `action` for the caller of `call`, then runs `work` if the
    // caller said yes and is still connected; otherwise replies
    // NotAuthorized (or nothing, to a caller that is gone). `details` go to
    // polkit (see Authorizer::check).
    void authorizeThen(const QDBusMessage &call, const QString &action, bool interactive,
                       const QMap<QString, QString> &details, std::function<void()> work);

    void create(const QDBusMessage &call, CreateRequest request);
    // Opens, checks and serves; on success returns the new object. Used by
    // CreateExport after authorization and by restore().
    ExportObject *serve(CreateRequest &request, QString *errorName, QString *error);
    void stop(ExportObject *object, const QDBusMessage &call, const CallOptions &options);
    void setSettings(ExportObject *object, const QDBusMessage &call, const CallOptions &options);
    void permissions(const QDBusMessage &call);
    // The calls of one user (the caller's uid, whatever its connections)
    // waiting for polkit at once are bounded: checks run concurrently (one
    // caller's password prompt holds up nobody else), so without a bound a
    // user with an agent that never answers could keep any number of
    // checks and pending replies alive in this root process. A call over
    // the bound is refused at once with org.freedesktop.DBus.Error.
    // LimitsExceeded; other users are not affected. Returns the uid to
    // hand to authorizationDone(), or nothing when the call was refused.
    static constexpr int MaxAuthorizationsPerUser = 64;
    std::optional<uint> admitAuthorization(const QDBusMessage &call);
    void authorizationDone(uint uid);

    bool savePersistent(const std::vector<ExportConfig> &entries, QString *error);
    std::vector<ExportConfig> persistentWith(const ExportConfig &config) const;
    std::vector<ExportConfig> persistentWithout(std::uint16_t shelf, std::uint8_t slot) const;
    void restore();
    // Lifecycle (servicelifecycle.cpp).
    void updateIdle();
    void idleTimeout();
    void callStarted() { ++m_inFlight; }
    void callFinished();
    void watchConfig();
    // Brings what is served as persistent in line with `entries` (the file's
    // new content); returns a sentence per entry that could not be applied.
    QStringList applyConfig(const std::vector<ExportConfig> &entries);
    void removeObject(ExportObject *object);
    void setConfigError(const QString &error);
    // Start at boot iff exports.conf lists exports (see ServiceOptions::wantsDir).
    void syncBoot();

    void engineEvents();
    // State and LastError from the engine's view: the loop, the backing
    // store, the interfaces; PropertiesChanged when they differ.
    void refreshState(ExportObject *object);
    void sample();
    void updateSampler();
    ExportObject *find(std::uint16_t shelf, std::uint8_t slot) const;

    QDBusConnection m_bus;
    ServiceOptions m_options;
    std::unique_ptr<Engine> m_engine;
    ObjectTree m_tree;
    Authorizer m_authorizer;
    QHash<uint, int> m_authorizing; // caller's uid -> its calls waiting for polkit
    Manager *m_manager = nullptr;
    std::unique_ptr<QSocketNotifier> m_eventNotifier;
    QTimer m_sampler;
    QMap<QPair<std::uint16_t, std::uint8_t>, ExportObject *> m_exports;
    std::vector<ExportConfig> m_persistent; // what exports.conf holds
    QString m_loopError; // the engine's loop failed: nothing is served
    std::unique_ptr<Targets> m_targets; // discovery and the Target objects

    // Attach and detach (serviceattach.cpp).
    void setUpAttach();
    void attachedChanged(quint16 shelf, quint8 slot, const QString &device);
    void discoveryHoldChanged();
    std::unique_ptr<Attacher> m_attacher;
    QSet<QString> m_attachedHolds; // "attached e1.2": discovery and the process held
    bool m_discoveryHeld = false; // hold("discovery") while discovery runs

    // Lifecycle (servicelifecycle.cpp).
    QMap<QString, int> m_holds;
    int m_inFlight = 0; // calls waiting for polkit
    bool m_leaving = false; // idle: the name is released, the loop quits
    QTimer m_idleTimer;
    QFileSystemWatcher m_configWatcher;
    QTimer m_reloadTimer; // runs only after a change was seen
    QString m_configError; // Manager.ConfigError
    QString m_configParseError; // exports.conf cannot be parsed: not rewritten
    int m_bootState = -1; // -1 unknown, 0 disabled, 1 enabled at boot
};

} // namespace Etherdisk::Helper
