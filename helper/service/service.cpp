// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
#include "service.h"

#include "devicecheck.h"

#include "etherdisk/exportconfig.h"

#include "exportadaptor.h"
#include "manageradaptor.h"

#include <QDBusConnectionInterface>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QScopeGuard>

#include <algorithm>
#include <cstdio>
#include <fcntl.h>
#include <net/if.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef ETHERDISK_VERSION
#error "ETHERDISK_VERSION must be defined by the build"
#endif

namespace Etherdisk::Helper {

namespace {

    // Core's error kinds on the D-Bus error names.
    QString errorNameFor(const Error &e)
    {
        switch (e.kind) {
        case ErrorKind::InvalidArgument:
        case ErrorKind::NoSuchFile:
        case ErrorKind::NoSuchInterface:
        case ErrorKind::PermissionDenied:
            return errorName("InvalidArgument");
        case ErrorKind::AddressInUse:
            return errorName("AddressInUse");
        case ErrorKind::NotFound:
            return errorName("NotFound");
        case ErrorKind::NotSupported:
            return errorName("NotSupported");
        case ErrorKind::DeviceBusy:
            return errorName("DeviceBusy");
        case ErrorKind::None:
        case ErrorKind::Failed:
            break;
        }
        return errorName("Failed");
    }

    QString exportPath(std::uint16_t shelf, std::uint8_t slot)
    {
        return QStringLiteral("%1/%2_%3").arg(QLatin1String(ExportsPath)).arg(shelf).arg(slot);
    }

    const QStringList &allActions()
    {
        static const QStringList actions = {
            QStringLiteral("org.etherdisk.etherdisk1.export"),
            QStringLiteral("org.etherdisk.etherdisk1.unexport"),
            QStringLiteral("org.etherdisk.etherdisk1.attach"),
            QStringLiteral("org.etherdisk.etherdisk1.detach"),
            QStringLiteral("org.etherdisk.etherdisk1.discover"),
        };
        return actions;
    }

} // namespace

// ---------------------------------------------------------------- Manager

Manager::Manager(Service *service) : QObject(service), m_service(service)
{
    new ManagerAdaptor(this);
}

QString Manager::version() const
{
    m_service->noteActivity();
    return QStringLiteral(ETHERDISK_VERSION);
}

QString Manager::configError() const
{
    m_service->noteActivity();
    return m_service->configError();
}

bool Service::beginCreate(const QDBusMessage &call, ushort shelf, uchar slot,
                          const QStringList &interfaces, const QVariantMap &options,
                          CallOptions *parsed, CreateRequest *request)
{
    QString name, error;
    if (!parseOptions(options,
                      { QStringLiteral("read-only"), QStringLiteral("write-mode"),
                        QStringLiteral("allow"), QStringLiteral("persistent"),
                        QStringLiteral("force") },
                      parsed, &error)) {
        refuse(call, errorName("InvalidArgument"), error);
        return false;
    }
    if (!validateCommon(shelf, slot, interfaces, *parsed, request, &name, &error)) {
        refuse(call, name, error);
        return false;
    }
    return true;
}

QDBusObjectPath Manager::CreateExport(const QString &source, ushort shelf, uchar slot,
                                      const QStringList &interfaces, const QVariantMap &options)
{
    // Every answer is sent by hand, now (refusals) or after polkit.
    setDelayedReply(true);
    m_service->noteActivity();
    const QDBusMessage call = message();
    CallOptions parsed;
    Service::CreateRequest request;
    QString error;
    if (!m_service->beginCreate(call, shelf, slot, interfaces, options, &parsed, &request))
        return {};
    if (source.isEmpty() || source.size() > MaxPathLength || !source.startsWith(QLatin1Char('/'))
        || source.contains(QChar(0))) {
        m_service->refuse(call, errorName("InvalidArgument"),
                          QStringLiteral("the source must be an absolute path of at most %1 "
                                         "characters, such as /dev/sdb1")
                              .arg(MaxPathLength));
        return {};
    }
    struct stat st
    {
    };
    if (::lstat(QFile::encodeName(source).constData(), &st) < 0) {
        m_service->refuse(
            call, errorName("InvalidArgument"),
            QStringLiteral("%1 does not exist: name an existing block device").arg(source));
        return {};
    }
    request.source = source;
    request.config.path = source.toStdString();
    if (S_ISBLK(st.st_mode)) {
        request.kind = Service::SourceKind::Device;
    } else if (S_ISREG(st.st_mode)) {
        // Only root may have the helper open a file by its path; everyone
        // else passes a descriptor they opened, so their own permissions
        // decide what they can export.
        const uint uid = connection().interface()->serviceUid(call.service()).value();
        if (uid != 0) {
            m_service->refuse(call, errorName("NotAuthorized"),
                              QStringLiteral("%1 is a file: only root may export an image by "
                                             "its path; open it and pass the descriptor to "
                                             "CreateExportFromImage instead")
                                  .arg(source));
            return {};
        }
        request.kind = Service::SourceKind::ImagePath;
    } else if (S_ISLNK(st.st_mode)) {
        m_service->refuse(call, errorName("InvalidArgument"),
                          QStringLiteral("%1 is a symbolic link: name the device node itself "
                                         "(%2)")
                              .arg(source, QFileInfo(source).canonicalFilePath()));
        return {};
    } else {
        m_service->refuse(
            call, errorName("InvalidArgument"),
            QStringLiteral("%1 is neither a block device nor an image file").arg(source));
        return {};
    }
    m_service->create(call, std::move(request));
    return {};
}

QDBusObjectPath Manager::CreateExportFromImage(const QDBusUnixFileDescriptor &image, ushort shelf,
                                               uchar slot, const QStringList &interfaces,
                                               const QVariantMap &options)
{
    // Every answer is sent by hand, now (refusals) or after polkit.
    setDelayedReply(true);
    m_service->noteActivity();
    const QDBusMessage call = message();
    CallOptions parsed;
    Service::CreateRequest request;
    QString error;
    if (!m_service->beginCreate(call, shelf, slot, interfaces, options, &parsed, &request))
        return {};
    if (!image.isValid()) {
        m_service->refuse(call, errorName("InvalidArgument"),
                          QStringLiteral("no image file descriptor was passed"));
        return {};
    }
    if (!checkImageFd(image.fileDescriptor(), request.config.readOnly, &error)) {
        m_service->refuse(call, errorName("InvalidArgument"), error);
        return {};
    }
    request.kind = Service::SourceKind::ImageFd;
    request.image = image;
    // Where the file is now, for the Source property and for persistence.
    const QString link =
        QFile::symLinkTarget(QStringLiteral("/proc/self/fd/%1").arg(image.fileDescriptor()));
    struct stat byFd
    {
    };
    struct stat byPath
    {
    };
    if (!link.isEmpty() && ::fstat(image.fileDescriptor(), &byFd) == 0
        && ::stat(QFile::encodeName(link).constData(), &byPath) == 0 && byFd.st_dev == byPath.st_dev
        && byFd.st_ino == byPath.st_ino)
        request.source = link;
    if (request.persistent && request.source.isEmpty()) {
        m_service->refuse(call, errorName("InvalidArgument"),
                          QStringLiteral("the image has no path the helper could open at its "
                                         "next start (deleted or not reachable): export it "
                                         "without persistent"));
        return {};
    }
    request.config.path = request.source.toStdString();
    m_service->create(call, std::move(request));
    return {};
}

StringMap Manager::GetPermissions()
{
    setDelayedReply(true);
    m_service->noteActivity();
    m_service->permissions(message());
    return {};
}

QStringList Manager::discoveryInterfaces() const
{
    return m_service->m_targets->configuredInterfaces();
}

bool Manager::discoveryActive() const
{
    return m_service->discoveryActive();
}

void Manager::SetDiscoveryInterfaces(const QStringList &interfaces, const QVariantMap &options)
{
    setDelayedReply(true);
    m_service->m_targets->setInterfaces(message(), interfaces, options);
}

void Manager::StartDiscovery(const QVariantMap &options)
{
    setDelayedReply(true);
    m_service->m_targets->startFor(message(), options);
}

void Manager::StopDiscovery(const QVariantMap &options)
{
    setDelayedReply(true);
    m_service->m_targets->stopFor(message(), options);
}

// ----------------------------------------------------------- ExportObject

ExportObject::ExportObject(Service *service, const ExportConfig &config, const QString &source,
                           bool writable, bool persistent, std::uint64_t sectors)
    : QObject(service), m_service(service), m_config(config), m_source(source),
      m_writable(writable), m_persistent(persistent), m_sectors(sectors)
{
    m_config.fd = -1;
    new ExportAdaptor(this);
}

QString ExportObject::path() const
{
    return exportPath(m_config.shelf, m_config.slot);
}

QStringList ExportObject::interfaces() const
{
    QStringList list;
    for (const std::string &i : m_config.interfaces)
        list << fromStd(i);
    return list;
}

QString ExportObject::writeMode() const
{
    return QString::fromLatin1(writeModeName(m_config.writeMode));
}

QStringList ExportObject::allowedMacs() const
{
    QStringList list;
    for (const Aoe::MacAddress &m : m_config.allowedMacs)
        list << fromStd(Aoe::formatMac(m));
    return list;
}

VariantMapList ExportObject::clients() const
{
    VariantMapList list;
    for (const ClientStats &c : m_counters.clients) {
        list << QVariantMap{
            { QStringLiteral("mac"), fromStd(Aoe::formatMac(c.mac)) },
            { QStringLiteral("requests"), qulonglong(c.requests) },
            { QStringLiteral("bytes-read"), qulonglong(c.bytesRead) },
            { QStringLiteral("bytes-written"), qulonglong(c.bytesWritten) },
            { QStringLiteral("errors"), qulonglong(c.errors) },
            { QStringLiteral("last-seen-ms"), qlonglong(c.lastSeenMs) },
        };
    }
    return list;
}

void ExportObject::Stop(const QVariantMap &options)
{
    setDelayedReply(true);
    CallOptions parsed;
    QString error;
    if (!m_service->parseOptions(options, {}, &parsed, &error)) {
        m_service->refuse(message(), errorName("InvalidArgument"), error);
        return;
    }
    m_service->stop(this, message(), parsed);
}

void ExportObject::SetSettings(const QVariantMap &options)
{
    setDelayedReply(true);
    CallOptions parsed;
    QString error;
    if (!m_service->parseOptions(options,
                                 { QStringLiteral("read-only"), QStringLiteral("write-mode"),
                                   QStringLiteral("allow"), QStringLiteral("persistent") },
                                 &parsed, &error)) {
        m_service->refuse(message(), errorName("InvalidArgument"), error);
        return;
    }
    if (parsed.readOnly == false && !m_writable) {
        m_service->refuse(message(), errorName("InvalidArgument"),
                          QStringLiteral("%1 was opened read-only: stop the export and create "
                                         "it again without read-only")
                              .arg(m_source.isEmpty() ? QStringLiteral("the image") : m_source));
        return;
    }
    if (parsed.persistent == true && m_source.isEmpty()) {
        m_service->refuse(message(), errorName("InvalidArgument"),
                          QStringLiteral("the image has no path the helper could open at its "
                                         "next start: it cannot be made persistent"));
        return;
    }
    m_service->setSettings(this, message(), parsed);
}

// ---------------------------------------------------------------- Service

Service::Service(const QDBusConnection &bus, const ServiceOptions &options, QObject *parent)
    : QObject(parent), m_bus(bus), m_options(options),
      m_tree(bus, QLatin1String(RootPath), options.coalesceMs)
{
    registerDBusTypes();
    m_sampler.setInterval(options.sampleMs);
    connect(&m_sampler, &QTimer::timeout, this, &Service::sample);
    Targets::Settings targets;
    if (!options.stateDir.isEmpty())
        targets.stateFile = options.stateDir + QStringLiteral("/discovery-interfaces");
    targets.maxTargets = options.maxTargets;
    targets.forgetMs = options.targetForgetMs;
    m_targets = std::make_unique<Targets>(this, targets);
    connect(m_targets.get(), &Targets::activeChanged, this, &Service::discoveryActiveChanged);
    setUpAttach();
    m_idleTimer.setSingleShot(true);
    m_idleTimer.setTimerType(Qt::PreciseTimer); // a coarse timer may fire 5 % early
    m_idleTimer.setInterval(std::max(0, options.idleTimeoutS) * 1000);
    connect(&m_idleTimer, &QTimer::timeout, this, &Service::idleTimeout);
    m_reloadTimer.setSingleShot(true);
    m_reloadTimer.setInterval(200); // an editor's save: several events, one reload
    connect(&m_reloadTimer, &QTimer::timeout, this, &Service::reloadConfig);
    connect(&m_configWatcher, &QFileSystemWatcher::directoryChanged, this,
            [this] { m_reloadTimer.start(); });
    connect(&m_configWatcher, &QFileSystemWatcher::fileChanged, this,
            [this] { m_reloadTimer.start(); });
    connect(&m_tree, &ObjectTree::managedObjectsRequested, this, &Service::noteActivity);
}

Service::~Service()
{
    m_targets.reset(); // its objects leave the tree first
    // Objects go before the engine; the engine stops its thread.
    for (ExportObject *o : std::as_const(m_exports))
        m_tree.remove(o->path());
    m_eventNotifier.reset();
    m_engine.reset();
}

bool Service::start(QString *error)
{
    Engine::Options engineOptions;
    engineOptions.stateDir = m_options.stateDir.toStdString();
    if (!m_options.stateDir.isEmpty() && !QDir().mkpath(m_options.stateDir)) {
        *error = QStringLiteral("cannot create the state directory %1").arg(m_options.stateDir);
        return false;
    }
    m_engine = std::make_unique<Engine>(engineOptions);
    Error e;
    if (!m_engine->start(&e)) {
        *error = QStringLiteral("cannot start the engine: %1").arg(fromStd(e.message));
        return false;
    }
    m_eventNotifier = std::make_unique<QSocketNotifier>(m_engine->eventFd(), QSocketNotifier::Read);
    connect(m_eventNotifier.get(), &QSocketNotifier::activated, this, &Service::engineEvents);
    m_targets->load();

    if (!m_tree.registerRoot(error))
        return false;
    m_manager = new Manager(this);
    if (!m_tree.add(QLatin1String(ManagerPath), m_manager, error))
        return false;
    restore();
    watchConfig();
    syncBoot();
    if (!m_bus.registerService(QLatin1String(ServiceName))) {
        *error = QStringLiteral("cannot own %1 on the system bus: %2 (only root may own it; is "
                                "another etherdisk-helper running?)")
                     .arg(QLatin1String(ServiceName), m_bus.lastError().message());
        return false;
    }
    updateIdle();
    return true;
}

void Service::refuse(const QDBusMessage &call, const QString &error, const QString &message)
{
    m_bus.send(call.createErrorReply(error, message));
}

bool Service::parseOptions(const QVariantMap &in, const QStringList &allowed, CallOptions *out,
                           QString *error) const
{
    if (in.size() > MaxOptions) {
        *error = QStringLiteral("more than %1 options").arg(MaxOptions);
        return false;
    }
    QStringList known = allowed;
    known << QStringLiteral("auth.no_user_interaction");
    for (auto it = in.cbegin(); it != in.cend(); ++it) {
        const QString &key = it.key();
        const QVariant &v = it.value();
        if (!known.contains(key)) {
            *error = QStringLiteral("unknown option \"%1\" (known here: %2)")
                         .arg(key.left(64), known.join(QStringLiteral(", ")));
            return false;
        }
        const auto wantBool = [&](bool *target) {
            if (v.metaType().id() != QMetaType::Bool) {
                *error = QStringLiteral("option %1 must be a boolean (b), not %2")
                             .arg(key, QString::fromLatin1(v.typeName()));
                return false;
            }
            *target = v.toBool();
            return true;
        };
        bool b = false;
        if (key == QLatin1String("read-only")) {
            if (!wantBool(&b))
                return false;
            out->readOnly = b;
        } else if (key == QLatin1String("persistent")) {
            if (!wantBool(&b))
                return false;
            out->persistent = b;
        } else if (key == QLatin1String("force")) {
            if (!wantBool(&out->force))
                return false;
        } else if (key == QLatin1String("auth.no_user_interaction")) {
            if (!wantBool(&out->noUserInteraction))
                return false;
        } else if (key == QLatin1String("write-mode")) {
            WriteMode mode;
            if (v.metaType().id() != QMetaType::QString
                || !parseWriteMode(v.toString().toStdString(), &mode)) {
                *error = QStringLiteral("option write-mode must be the string writeback, sync or "
                                        "direct");
                return false;
            }
            out->writeMode = mode;
        } else if (key == QLatin1String("allow")) {
            if (v.metaType().id() != QMetaType::QStringList) {
                *error = QStringLiteral("option allow must be a list of MAC addresses (as)");
                return false;
            }
            const QStringList macs = v.toStringList();
            if (std::size_t(macs.size()) > MaxAllowedMacs) {
                *error = QStringLiteral("option allow lists %1 MAC addresses; at most %2 are "
                                        "possible")
                             .arg(macs.size())
                             .arg(MaxAllowedMacs);
                return false;
            }
            std::vector<Aoe::MacAddress> list;
            for (const QString &m : macs) {
                Aoe::MacAddress mac;
                if (m.size() > 17 || !Aoe::parseMac(m.toStdString(), &mac)) {
                    *error = QStringLiteral("\"%1\" in option allow is not a MAC address (write "
                                            "it as 02:ae:00:00:00:01)")
                                 .arg(m.left(32));
                    return false;
                }
                if (mac[0] & 1) {
                    *error = QStringLiteral("%1 in option allow is a group (multicast or "
                                            "broadcast) address, never an initiator's")
                                 .arg(m);
                    return false;
                }
                if (std::find(list.begin(), list.end(), mac) != list.end()) {
                    *error = QStringLiteral("%1 is listed twice in option allow").arg(m);
                    return false;
                }
                list.push_back(mac);
            }
            out->allow = std::move(list);
        }
    }
    return true;
}

bool Service::validateCommon(ushort shelf, uchar slot, const QStringList &interfaces,
                             const CallOptions &options, CreateRequest *request, QString *name,
                             QString *error) const
{
    *name = errorName("InvalidArgument");
    if (shelf == Aoe::BroadcastShelf) {
        *error = QStringLiteral("shelf 65535 is the broadcast address: use 0-65534");
        return false;
    }
    if (slot == Aoe::BroadcastSlot) {
        *error = QStringLiteral("slot 255 is the broadcast address: use 0-254");
        return false;
    }
    if (interfaces.isEmpty() || interfaces.size() > MaxInterfaces) {
        *error = QStringLiteral("name 1 to %1 network interfaces to serve on").arg(MaxInterfaces);
        return false;
    }
    for (const QString &i : interfaces) {
        const QByteArray n = i.toLocal8Bit();
        if (i.isEmpty() || n.size() >= IFNAMSIZ || i.contains(QLatin1Char('/'))
            || if_nametoindex(n.constData()) == 0) {
            *error = QStringLiteral("there is no network interface \"%1\" on this machine")
                         .arg(i.left(IFNAMSIZ * 2));
            return false;
        }
        if (interfaces.count(i) > 1) {
            *error = QStringLiteral("interface %1 is listed twice").arg(i);
            return false;
        }
    }
    if (find(shelf, slot)) {
        *name = errorName("AddressInUse");
        *error = QStringLiteral("e%1.%2 is already exported by this machine: stop that export "
                                "first, or choose another shelf.slot")
                     .arg(shelf)
                     .arg(slot);
        return false;
    }
    ExportConfig &c = request->config;
    c.shelf = shelf;
    c.slot = slot;
    for (const QString &i : interfaces)
        c.interfaces.push_back(i.toStdString());
    c.readOnly = options.readOnly.value_or(false);
    c.writeMode = options.writeMode.value_or(WriteMode::Writeback);
    if (options.allow)
        c.allowedMacs = *options.allow;
    request->force = options.force;
    request->persistent = options.persistent.value_or(false);
    request->noUserInteraction = options.noUserInteraction;
    return true;
}

void Service::authorizeThen(const QDBusMessage &call, const QString &action, bool interactive,
                            const QMap<QString, QString> &details, std::function<void()> work)
{
    if (m_leaving) {
        // The name is released already; a new instance answers the next call.
        refuse(call, errorName("Failed"),
               QStringLiteral("etherdisk-helper is exiting after being idle: call again (the "
                              "bus starts it anew)"));
        return;
    }
    const std::optional<uint> uid = admitAuthorization(call);
    if (!uid)
        return;
    callStarted();
    m_authorizer.check(
        action, call.service(), interactive,
        [this, call, action, uid = *uid, work = std::move(work)](Authorizer::Result r,
                                                                 const QString &detail) {
            // However it ends, this call no longer keeps the helper running.
            const auto finished = qScopeGuard([this] { callFinished(); });
            authorizationDone(uid);
            if (!m_bus.interface()->isServiceRegistered(call.service()).value()) {
                // The caller left while polkit was asked:
                // nothing is done for nobody.
                logLine(QStringLiteral("%1 disconnected during authorization of %2: "
                                       "nothing done")
                            .arg(call.service(), action));
                return;
            }
            if (r != Authorizer::Result::Yes) {
                QString why;
                if (r == Authorizer::Result::Challenge)
                    why = QStringLiteral("authentication is required for %1 and "
                                         "was not given (no polkit agent, "
                                         "dismissed, or "
                                         "auth.no_user_interaction set)")
                              .arg(action);
                else if (r == Authorizer::Result::Failed)
                    why = QStringLiteral("polkit could not be asked about %1: %2")
                              .arg(action, detail);
                else
                    why = QStringLiteral("not authorized for %1: ask an "
                                         "administrator")
                              .arg(action);
                refuse(call, errorName("NotAuthorized"), why);
                return;
            }
            work();
        },
        details);
}

void Service::create(const QDBusMessage &call, CreateRequest request)
{
    const bool interactive = !request.noUserInteraction;
    const QMap<QString, QString> details = {
        { QStringLiteral("etherdisk.target"), QString::fromStdString(request.config.name()) },
        { QStringLiteral("etherdisk.source"),
          request.source.isEmpty() ? QStringLiteral("an image descriptor") : request.source },
    };
    authorizeThen(call, QLatin1String(ActionExport), interactive, details, [this, call, request]() {
        const auto serveNow = [this, call](CreateRequest r) {
            QString name, error;
            ExportObject *o = serve(r, &name, &error);
            if (!o) {
                refuse(call, name, error);
                return;
            }
            m_bus.send(call.createReply(QVariant::fromValue(QDBusObjectPath(o->path()))));
        };
        if (request.force) {
            serveNow(request);
            return;
        }
        // Another device answering as this shelf.slot on these LANs: refused
        // unless force (the LAN may be asked first, for about a second).
        QStringList interfaces;
        for (const std::string &i : request.config.interfaces)
            interfaces << fromStd(i);
        m_targets->checkAddress(
            request.config.shelf, request.config.slot, interfaces,
            [this, call, request, serveNow](const QString &name, const QString &error) {
                if (!name.isEmpty()) {
                    refuse(call, name, error);
                    return;
                }
                if (!m_bus.interface()->isServiceRegistered(call.service()).value()) {
                    logLine(QStringLiteral("%1 left while the LAN was asked about %2: nothing "
                                           "done")
                                .arg(call.service(), fromStd(request.config.name())));
                    return;
                }
                serveNow(request);
            });
    });
}

void Service::holdDiscovery(const QString &reason)
{
    m_targets->hold(reason);
}

void Service::releaseDiscovery(const QString &reason)
{
    m_targets->release(reason);
}

bool Service::discoveryActive() const
{
    return m_targets->active();
}

TargetObject *Service::target(std::uint16_t shelf, std::uint8_t slot) const
{
    return m_targets->find(shelf, slot);
}

ExportObject *Service::serve(CreateRequest &request, QString *name, QString *error)
{
    ExportConfig &c = request.config;
    // The state may have changed while polkit asked.
    if (find(c.shelf, c.slot)) {
        *name = errorName("AddressInUse");
        *error = QStringLiteral("e%1.%2 is already exported by this machine: stop that export "
                                "first, or choose another shelf.slot")
                     .arg(c.shelf)
                     .arg(c.slot);
        return nullptr;
    }
    int ownFd = -1;
    bool writable = !c.readOnly;
    if (request.kind == SourceKind::Device) {
        // The running system's disk is refused before it is even opened
        // (some machines do not let root open it at all, and the caller
        // should still hear why). A check on the path can only refuse
        // more; the decisive checks below are on the descriptor.
        struct stat named
        {
        };
        if (::lstat(QFile::encodeName(request.source).constData(), &named) == 0
            && S_ISBLK(named.st_mode) && holdsRootFileSystem(named.st_rdev)
            && !(request.force && c.readOnly)) {
            *name = errorName("DeviceBusy");
            *error = request.force
                ? QStringLiteral("%1 holds the running system's root file system (/): force "
                                 "exports it read-only at most; pass read-only too, or export "
                                 "another device")
                      .arg(request.source)
                : deviceBusyReason(named.st_rdev, request.source);
            return nullptr;
        }
        // Checked on a read-only descriptor first: the kernel may refuse a
        // writable open of a device in use (a mounted file system), and
        // the caller should hear why (DeviceBusy), not "not permitted".
        ownFd = openBlockDevice(request.source, true, error);
        if (ownFd < 0) {
            *name = errorName("InvalidArgument");
            return nullptr;
        }
        struct stat st
        {
        };
        ::fstat(ownFd, &st);
        if (request.force && !c.readOnly && holdsRootFileSystem(st.st_rdev)) {
            ::close(ownFd);
            *name = errorName("DeviceBusy");
            *error = QStringLiteral("%1 holds the running system's root file system (/): force "
                                    "exports it read-only at most; pass read-only too, or export "
                                    "another device")
                         .arg(request.source);
            return nullptr;
        }
        if (!request.force) {
            const QString busy = deviceBusyReason(st.st_rdev, request.source);
            if (!busy.isEmpty()) {
                ::close(ownFd);
                *name = errorName("DeviceBusy");
                *error = busy;
                return nullptr;
            }
        }
        if (!c.readOnly) {
            const int rw = openBlockDevice(request.source, false, error);
            struct stat again
            {
            };
            if (rw < 0 || ::fstat(rw, &again) < 0 || again.st_rdev != st.st_rdev) {
                if (rw >= 0) {
                    ::close(rw);
                    *error = QStringLiteral("%1 changed while it was being opened: try again")
                                 .arg(request.source);
                }
                ::close(ownFd);
                *name = errorName("InvalidArgument");
                return nullptr;
            }
            ::close(ownFd);
            ownFd = rw;
        }
        c.fd = ownFd;
    } else if (request.kind == SourceKind::ImageFd) {
        c.fd = request.image.fileDescriptor();
        writable = (::fcntl(c.fd, F_GETFL) & O_ACCMODE) == O_RDWR;
    } else {
        c.fd = -1; // root's image path: the engine opens it
    }
    if (c.path.empty())
        c.path = "(descriptor)";
    if (request.persistent) {
        ExportConfig saved = c;
        saved.fd = -1;
        saved.path = request.source.toStdString();
        if (!savePersistent(persistentWith(saved), error)) {
            if (ownFd >= 0)
                ::close(ownFd);
            *name = errorName("Failed");
            return nullptr;
        }
    }
    Error e;
    const bool added = m_engine->addExport(c, &e);
    if (ownFd >= 0)
        ::close(ownFd); // the engine keeps its own duplicate
    if (!added) {
        if (request.persistent) {
            QString ignored;
            savePersistent(persistentWithout(c.shelf, c.slot), &ignored);
        }
        *name = errorNameFor(e);
        *error = fromStd(e.message);
        return nullptr;
    }
    std::uint64_t sectors = 0;
    for (const ExportStatus &s : m_engine->status()) {
        if (s.config.shelf == c.shelf && s.config.slot == c.slot)
            sectors = s.sectors;
    }
    auto *o = new ExportObject(this, c, request.source, writable, request.persistent, sectors);
    QString treeError;
    if (!m_tree.add(o->path(), o, &treeError)) {
        Error ignored;
        m_engine->removeExport(c.shelf, c.slot, &ignored);
        delete o;
        *name = errorName("Failed");
        *error = treeError;
        return nullptr;
    }
    m_exports.insert({ c.shelf, c.slot }, o);
    refreshState(o); // an interface may be down already
    logLine(QStringLiteral("serving e%1.%2 from %3 on %4")
                .arg(c.shelf)
                .arg(c.slot)
                .arg(request.source.isEmpty() ? QStringLiteral("a descriptor") : request.source,
                     o->interfaces().join(QStringLiteral(","))));
    updateSampler();
    m_targets->update(); // discovery runs while anything is exported
    return o;
}

void Service::stop(ExportObject *object, const QDBusMessage &call, const CallOptions &options)
{
    const std::uint16_t shelf = object->m_config.shelf;
    const std::uint8_t slot = object->m_config.slot;
    authorizeThen(
        call, QLatin1String(ActionUnexport), !options.noUserInteraction,
        { { QStringLiteral("etherdisk.target"), QString::fromStdString(object->m_config.name()) } },
        [this, call, shelf, slot]() {
            ExportObject *o = find(shelf, slot);
            if (!o) {
                refuse(call, errorName("NotFound"),
                       QStringLiteral("e%1.%2 is no longer exported").arg(shelf).arg(slot));
                return;
            }
            QString error;
            if (o->m_persistent && !savePersistent(persistentWithout(shelf, slot), &error)) {
                refuse(call, errorName("Failed"), error);
                return;
            }
            Error e;
            if (!m_engine->removeExport(shelf, slot, &e))
                logLine(QStringLiteral("e%1.%2: %3").arg(shelf).arg(slot).arg(fromStd(e.message)));
            m_exports.remove({ shelf, slot });
            m_tree.remove(o->path());
            o->deleteLater();
            logLine(QStringLiteral("stopped e%1.%2").arg(shelf).arg(slot));
            updateSampler();
            m_targets->update();
            m_bus.send(call.createReply());
        });
}

void Service::setSettings(ExportObject *object, const QDBusMessage &call,
                          const CallOptions &options)
{
    const std::uint16_t shelf = object->m_config.shelf;
    const std::uint8_t slot = object->m_config.slot;
    authorizeThen(
        call, QLatin1String(ActionExport), !options.noUserInteraction,
        { { QStringLiteral("etherdisk.target"), QString::fromStdString(object->m_config.name()) } },
        [this, call, shelf, slot, options]() {
            ExportObject *o = find(shelf, slot);
            if (!o) {
                refuse(call, errorName("NotFound"),
                       QStringLiteral("e%1.%2 is no longer exported").arg(shelf).arg(slot));
                return;
            }
            const ExportConfig old = o->m_config;
            ExportConfig c = old;
            c.readOnly = options.readOnly.value_or(old.readOnly);
            c.writeMode = options.writeMode.value_or(old.writeMode);
            if (options.allow)
                c.allowedMacs = *options.allow;
            const bool persistent = options.persistent.value_or(o->m_persistent);
            Error e;
            if (!(c == old) && !m_engine->updateExport(c, &e)) {
                refuse(call, errorNameFor(e), fromStd(e.message));
                return;
            }
            QString error;
            const bool fileChanges = persistent || o->m_persistent;
            if (fileChanges) {
                ExportConfig saved = c;
                saved.path = o->m_source.toStdString();
                if (!savePersistent(persistent ? persistentWith(saved)
                                               : persistentWithout(shelf, slot),
                                    &error)) {
                    if (!(c == old))
                        m_engine->updateExport(old, &e);
                    refuse(call, errorName("Failed"), error);
                    return;
                }
            }
            QStringList changed;
            if (c.readOnly != old.readOnly)
                changed << QStringLiteral("ReadOnly");
            if (c.writeMode != old.writeMode)
                changed << QStringLiteral("WriteMode");
            if (c.allowedMacs != old.allowedMacs)
                changed << QStringLiteral("AllowedMacs");
            if (persistent != o->m_persistent)
                changed << QStringLiteral("Persistent");
            o->m_config = c;
            o->m_persistent = persistent;
            m_tree.changed(o->path(), QLatin1String(ExportInterface), changed);
            m_bus.send(call.createReply());
        });
}

std::optional<uint> Service::admitAuthorization(const QDBusMessage &call)
{
    const QDBusReply<uint> uid = m_bus.interface()->serviceUid(call.service());
    if (!uid.isValid()) {
        // Gone already: polkit could not be asked about it either.
        refuse(call, errorName("NotAuthorized"),
               QStringLiteral("the caller's user cannot be determined: %1")
                   .arg(uid.error().message()));
        return std::nullopt;
    }
    int &waiting = m_authorizing[uid.value()];
    if (waiting >= MaxAuthorizationsPerUser) {
        refuse(call, QStringLiteral("org.freedesktop.DBus.Error.LimitsExceeded"),
               QStringLiteral("%1 calls of your user are already waiting for authorization (a "
                              "password prompt, or polkit being slow): wait for their answers, "
                              "then call again")
                   .arg(waiting));
        return std::nullopt;
    }
    ++waiting;
    return uid.value();
}

void Service::authorizationDone(uint uid)
{
    const auto i = m_authorizing.find(uid);
    if (i != m_authorizing.end() && --*i <= 0)
        m_authorizing.erase(i);
}

void Service::permissions(const QDBusMessage &call)
{
    auto result = std::make_shared<StringMap>();
    const QStringList &actions = allActions();
    // One GetPermissions counts as one call waiting for polkit.
    const std::optional<uint> uid = admitAuthorization(call);
    if (!uid)
        return;
    callStarted();
    for (const QString &action : actions) {
        m_authorizer.check(action, call.service(), false,
                           [this, call, result, action, uid = *uid,
                            total = actions.size()](Authorizer::Result r, const QString &) {
                               result->insert(action,
                                              r == Authorizer::Result::Yes ? QStringLiteral("yes")
                                                  : r == Authorizer::Result::Challenge
                                                  ? QStringLiteral("auth")
                                                  : QStringLiteral("no"));
                               if (result->size() == total) {
                                   m_bus.send(call.createReply(QVariant::fromValue(*result)));
                                   authorizationDone(uid);
                                   callFinished();
                               }
                           });
    }
}

bool Service::savePersistent(const std::vector<ExportConfig> &entries, QString *error)
{
    if (!m_configParseError.isEmpty()) {
        // Rewriting would throw away what the administrator wrote.
        *error = QStringLiteral("%1 has an error (%2): fix the file first; nothing was changed")
                     .arg(m_options.configPath, m_configParseError);
        return false;
    }
    const QString dir = QFileInfo(m_options.configPath).absolutePath();
    if (!QDir().mkpath(dir)) {
        *error = QStringLiteral("cannot create %1 for exports.conf").arg(dir);
        return false;
    }
    std::string text = "# Written by etherdisk-helper: the exports that start at boot.\n"
                       "# Editable by hand (the etherdisk-target --config format); the helper\n"
                       "# reads it when it starts.\n";
    text += formatExportsFile(entries);
    std::string e;
    if (!writeFileAtomically(m_options.configPath.toStdString(), text, &e)) {
        *error = QStringLiteral("cannot save the exports that start at boot: %1").arg(fromStd(e));
        return false;
    }
    m_persistent = entries;
    syncBoot();
    return true;
}

std::vector<ExportConfig> Service::persistentWith(const ExportConfig &config) const
{
    std::vector<ExportConfig> list = persistentWithout(config.shelf, config.slot);
    list.push_back(config);
    std::sort(list.begin(), list.end(), [](const ExportConfig &a, const ExportConfig &b) {
        return std::pair(a.shelf, a.slot) < std::pair(b.shelf, b.slot);
    });
    return list;
}

std::vector<ExportConfig> Service::persistentWithout(std::uint16_t shelf, std::uint8_t slot) const
{
    std::vector<ExportConfig> list;
    for (const ExportConfig &c : m_persistent) {
        if (c.shelf != shelf || c.slot != slot)
            list.push_back(c);
    }
    return list;
}

void Service::restore()
{
    // The same as a reload, starting from nothing served.
    reloadConfig();
}

ExportObject *Service::find(std::uint16_t shelf, std::uint8_t slot) const
{
    return m_exports.value({ shelf, slot }, nullptr);
}

void Service::engineEvents()
{
    for (const EngineEvent &ev : m_engine->takeEvents()) {
        ExportObject *o = find(ev.shelf, ev.slot);
        const QString message = fromStd(ev.message);
        if (ev.type != EngineEvent::Type::ClientAppeared)
            logLine(message);
        switch (ev.type) {
        case EngineEvent::Type::BackingFailed:
            if (o)
                o->m_backingError = message;
            break;
        case EngineEvent::Type::BackingRecovered:
            if (o)
                o->m_backingError.clear();
            break;
        case EngineEvent::Type::InterfaceDown:
        case EngineEvent::Type::InterfaceUp:
            break;
        case EngineEvent::Type::LoopFailed:
            m_loopError = message;
            for (ExportObject *each : std::as_const(m_exports))
                refreshState(each);
            continue;
        case EngineEvent::Type::ClientAppeared:
        case EngineEvent::Type::ClientsSummary:
            if (o)
                m_tree.changedLater(o->path(), QLatin1String(ExportInterface),
                                    { QStringLiteral("Clients") });
            continue;
        default:
            continue;
        }
        if (o)
            refreshState(o);
    }
}

void Service::refreshState(ExportObject *o)
{
    // The worst first: nothing served at all, the disk failing, a link down.
    QString state = QStringLiteral("serving");
    QString lastError;
    ExportCounters now;
    QStringList down;
    if (m_engine->counters(o->m_config.shelf, o->m_config.slot, &now)) {
        for (const InterfaceState &i : now.interfaces) {
            if (!i.up)
                down << QStringLiteral("%1: %2").arg(fromStd(i.name), fromStd(i.lastError));
        }
    }
    if (!m_loopError.isEmpty()) {
        state = QStringLiteral("stopped");
        lastError = m_loopError;
    } else if (!o->m_backingError.isEmpty()) {
        state = QStringLiteral("backing-failed");
        lastError = o->m_backingError;
    } else if (!down.isEmpty()) {
        state = QStringLiteral("interface-down");
        lastError = QStringLiteral("not serving on ") + down.join(QStringLiteral("; "));
    }
    if (o->m_state == state && o->m_lastError == lastError)
        return;
    o->m_state = state;
    o->m_lastError = lastError;
    m_tree.changed(o->path(), QLatin1String(ExportInterface),
                   { QStringLiteral("State"), QStringLiteral("LastError") });
}

void Service::updateSampler()
{
    if (m_exports.isEmpty())
        m_sampler.stop();
    else if (!m_sampler.isActive())
        m_sampler.start();
}

void Service::sample()
{
    for (ExportCounters &now : m_engine->counters()) {
        ExportObject *o = find(now.shelf, now.slot);
        if (!o)
            continue;
        const ExportCounters &was = o->m_counters;
        QStringList changed;
        if (now.bytesRead != was.bytesRead)
            changed << QStringLiteral("BytesRead");
        if (now.bytesWritten != was.bytesWritten)
            changed << QStringLiteral("BytesWritten");
        if (now.readRequests != was.readRequests)
            changed << QStringLiteral("ReadRequests");
        if (now.writeRequests != was.writeRequests)
            changed << QStringLiteral("WriteRequests");
        if (now.errors != was.errors)
            changed << QStringLiteral("Errors");
        bool clientsChanged = now.clients.size() != was.clients.size();
        for (std::size_t i = 0; !clientsChanged && i < now.clients.size(); ++i)
            clientsChanged = now.clients[i].mac != was.clients[i].mac
                || now.clients[i].requests != was.clients[i].requests
                || now.clients[i].errors != was.clients[i].errors;
        if (clientsChanged)
            changed << QStringLiteral("Clients");
        o->m_counters = std::move(now);
        m_tree.changedLater(o->path(), QLatin1String(ExportInterface), changed);
    }
}

} // namespace Etherdisk::Helper
