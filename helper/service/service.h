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

#include "authorizer.h"
#include "dbustypes.h"
#include "objecttree.h"
#include "targets.h"

#include "etherdisk/engine.h"

#include <QDBusContext>
#include <QDBusMessage>
#include <QDBusUnixFileDescriptor>
#include <QMap>
#include <QObject>
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
public:
    explicit Manager(Service *service);
    QString version() const;
    QStringList discoveryInterfaces() const;
    bool discoveryActive() const;

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

Q_SIGNALS:
    void discoveryActiveChanged();

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

    bool savePersistent(const std::vector<ExportConfig> &entries, QString *error);
    std::vector<ExportConfig> persistentWith(const ExportConfig &config) const;
    std::vector<ExportConfig> persistentWithout(std::uint16_t shelf, std::uint8_t slot) const;
    void restore();

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
    Manager *m_manager = nullptr;
    std::unique_ptr<QSocketNotifier> m_eventNotifier;
    QTimer m_sampler;
    QMap<QPair<std::uint16_t, std::uint8_t>, ExportObject *> m_exports;
    std::vector<ExportConfig> m_persistent; // what exports.conf holds
    QString m_loopError; // the engine's loop failed: nothing is served
    std::unique_ptr<Targets> m_targets; // discovery and the Target objects
};

} // namespace Etherdisk::Helper
