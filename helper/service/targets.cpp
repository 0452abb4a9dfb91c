// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
#include "targets.h"

#include "service.h"

#include "etherdisk/exportconfig.h"

#include "targetadaptor.h"

#include <QDBusConnectionInterface>
#include <QFile>

#include <algorithm>
#include <cstdio>
#include <ifaddrs.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <net/if_arp.h>

namespace Etherdisk::Helper {

namespace {

    QString errorName(const char *suffix)
    {
        return QLatin1String(ErrorPrefix) + QLatin1String(suffix);
    }

    QString fromStd(const std::string &s)
    {
        return QString::fromStdString(s);
    }

    void log(const QString &line)
    {
        std::fprintf(stderr, "etherdisk-helper: %s\n", qPrintable(line));
    }

    QString targetPath(std::uint16_t shelf, std::uint8_t slot)
    {
        return QStringLiteral("%1/%2_%3").arg(QLatin1String(TargetsPath)).arg(shelf).arg(slot);
    }

    std::vector<std::string> sortedStd(const QStringList &list)
    {
        std::vector<std::string> out;
        for (const QString &s : list)
            out.push_back(s.toStdString());
        std::sort(out.begin(), out.end());
        out.erase(std::unique(out.begin(), out.end()), out.end());
        return out;
    }

    // What identifies a path apart from when it last answered.
    bool samePaths(const std::vector<TargetPath> &a, const std::vector<TargetPath> &b)
    {
        if (a.size() != b.size())
            return false;
        for (std::size_t i = 0; i < a.size(); ++i) {
            const TargetPath &x = a[i];
            const TargetPath &y = b[i];
            if (x.interface != y.interface || x.mac != y.mac || x.payloadBytes != y.payloadBytes
                || x.bufferCount != y.bufferCount || x.maxSectors != y.maxSectors
                || x.firmwareVersion != y.firmwareVersion || x.configString != y.configString)
                return false;
        }
        return true;
    }

} // namespace

std::set<std::string> localMacs()
{
    std::set<std::string> macs;
    ifaddrs *list = nullptr;
    if (::getifaddrs(&list) != 0)
        return macs;
    for (ifaddrs *i = list; i; i = i->ifa_next) {
        if (!i->ifa_addr || i->ifa_addr->sa_family != AF_PACKET)
            continue;
        const auto *ll = reinterpret_cast<const sockaddr_ll *>(i->ifa_addr);
        if (ll->sll_halen != 6)
            continue;
        Aoe::MacAddress mac{};
        std::copy(ll->sll_addr, ll->sll_addr + 6, mac.begin());
        macs.insert(Aoe::formatMac(mac));
    }
    ::freeifaddrs(list);
    return macs;
}

std::vector<std::string> upEthernetInterfaces()
{
    std::vector<std::string> names;
    ifaddrs *list = nullptr;
    if (::getifaddrs(&list) != 0)
        return names;
    for (ifaddrs *i = list; i; i = i->ifa_next) {
        if (!i->ifa_addr || i->ifa_addr->sa_family != AF_PACKET)
            continue;
        const auto *ll = reinterpret_cast<const sockaddr_ll *>(i->ifa_addr);
        if ((i->ifa_flags & IFF_UP) && !(i->ifa_flags & IFF_LOOPBACK)
            && ll->sll_hatype == ARPHRD_ETHER)
            names.emplace_back(i->ifa_name);
    }
    ::freeifaddrs(list);
    std::sort(names.begin(), names.end());
    names.erase(std::unique(names.begin(), names.end()), names.end());
    return names;
}

// ----------------------------------------------------------- TargetObject

TargetObject::TargetObject(Targets *owner, const DiscoveredTarget &target)
    : QObject(owner), m_owner(owner), m_target(target)
{
    new TargetAdaptor(this);
}

QString TargetObject::path() const
{
    return targetPath(m_target.shelf, m_target.slot);
}

VariantMapList TargetObject::paths() const
{
    // The set of paths is what was signalled; when each last answered is
    // read from discovery now.
    DiscoveredTarget now;
    const bool live =
        m_owner->m_discovery && m_owner->m_discovery->target(m_target.shelf, m_target.slot, &now);
    VariantMapList list;
    for (const TargetPath &p : m_target.paths) {
        std::int64_t lastSeen = p.lastSeenMs;
        if (live) {
            for (const TargetPath &q : now.paths) {
                if (q.interface == p.interface && q.mac == p.mac)
                    lastSeen = q.lastSeenMs;
            }
        }
        list << QVariantMap{
            { QStringLiteral("mac"), fromStd(Aoe::formatMac(p.mac)) },
            { QStringLiteral("interface"), fromStd(p.interface) },
            { QStringLiteral("payload-bytes"), uint(p.payloadBytes) },
            { QStringLiteral("last-seen-ms"), qlonglong(lastSeen) },
            { QStringLiteral("buffer-count"), QVariant::fromValue(ushort(p.bufferCount)) },
            { QStringLiteral("max-sectors"), QVariant::fromValue(uchar(p.maxSectors)) },
            { QStringLiteral("firmware-version"), QVariant::fromValue(ushort(p.firmwareVersion)) },
            { QStringLiteral("config-string"), QByteArray::fromStdString(p.configString) },
        };
    }
    return list;
}

QString TargetObject::conflictDetail() const
{
    return m_target.conflict ? fromStd(m_target.conflictDetail) : QString();
}

void TargetObject::setAttachedDevice(const QString &device)
{
    if (device == m_attachedDevice)
        return;
    m_attachedDevice = device;
    m_owner->service()->tree()->changed(path(), QLatin1String(TargetInterface),
                                        { QStringLiteral("AttachedDevice") });
    if (device.isEmpty())
        m_owner->detached(this);
}

QString TargetObject::Attach(const QVariantMap &options)
{
    setDelayedReply(true);
    m_owner->targetCall(this, message(), options, true);
    return {};
}

void TargetObject::Detach(const QVariantMap &options)
{
    setDelayedReply(true);
    m_owner->targetCall(this, message(), options, false);
}

// ---------------------------------------------------------------- Targets

Targets::Targets(Service *service, const Settings &settings)
    : QObject(service), m_service(service), m_settings(settings)
{
    m_staleTimer.setSingleShot(true);
    connect(&m_staleTimer, &QTimer::timeout, this, &Targets::removeStale);
    m_watcher.setConnection(service->m_bus);
    m_watcher.setWatchMode(QDBusServiceWatcher::WatchForUnregistration);
    connect(&m_watcher, &QDBusServiceWatcher::serviceUnregistered, this, &Targets::clientGone);
}

Targets::~Targets()
{
    m_probes.clear();
    m_notifier.reset();
    m_discovery.reset();
    for (TargetObject *o : std::as_const(m_objects))
        m_service->tree()->remove(o->path());
}

void Targets::load()
{
    if (m_settings.stateFile.isEmpty() || !QFile::exists(m_settings.stateFile))
        return;
    std::string text, e;
    if (!readTextFile(m_settings.stateFile.toStdString(), &text, &e)) {
        log(QStringLiteral("cannot read %1: %2").arg(m_settings.stateFile, fromStd(e)));
        return;
    }
    QStringList names;
    for (const QString &line : QString::fromStdString(text).split(QLatin1Char('\n'))) {
        const QString name = line.trimmed();
        if (name.isEmpty() || name.startsWith(QLatin1Char('#')))
            continue;
        if (name.toLocal8Bit().size() >= IFNAMSIZ || name.contains(QLatin1Char('/'))
            || names.contains(name) || names.size() >= MaxInterfaces) {
            log(QStringLiteral("%1: ignoring \"%2\" (not an interface name, listed twice, or "
                               "more than %3 names)")
                    .arg(m_settings.stateFile, name.left(32))
                    .arg(MaxInterfaces));
            continue;
        }
        names << name;
    }
    m_configured = names;
}

bool Targets::savePersisted(const QStringList &interfaces, QString *error)
{
    if (m_settings.stateFile.isEmpty())
        return true;
    std::string text = "# Written by etherdisk-helper: the interfaces discovery polls, one a\n"
                       "# line (none: every Ethernet interface that is up).\n";
    for (const QString &i : interfaces)
        text += i.toStdString() + "\n";
    std::string e;
    if (!writeFileAtomically(m_settings.stateFile.toStdString(), text, &e)) {
        *error = QStringLiteral("cannot save the discovery interfaces: %1").arg(fromStd(e));
        return false;
    }
    return true;
}

TargetObject *Targets::find(std::uint16_t shelf, std::uint8_t slot) const
{
    return m_objects.value({ shelf, slot }, nullptr);
}

// ------------------------------------------------------ who wants discovery

bool Targets::wanted() const
{
    return !m_clients.isEmpty() || !m_holds.isEmpty() || !m_service->m_exports.isEmpty();
}

std::vector<std::string> Targets::wantedInterfaces() const
{
    std::vector<std::string> ifs;
    if (m_configured.isEmpty()) {
        ifs = upEthernetInterfaces();
    } else {
        for (const QString &i : m_configured) {
            if (::if_nametoindex(i.toLocal8Bit().constData()) != 0)
                ifs.push_back(i.toStdString());
        }
    }
    for (const ExportObject *e : std::as_const(m_service->m_exports)) {
        for (const QString &i : e->interfaces())
            ifs.push_back(i.toStdString());
    }
    std::sort(ifs.begin(), ifs.end());
    ifs.erase(std::unique(ifs.begin(), ifs.end()), ifs.end());
    return ifs;
}

void Targets::update()
{
    if (!wanted()) {
        if (m_discovery)
            stop();
        return;
    }
    const std::vector<std::string> ifs = wantedInterfaces();
    if (m_discovery && ifs == m_running)
        return;
    start(ifs);
}

void Targets::hold(const QString &reason)
{
    ++m_holds[reason];
    update();
}

void Targets::release(const QString &reason)
{
    auto it = m_holds.find(reason);
    if (it == m_holds.end())
        return;
    if (--it.value() <= 0)
        m_holds.erase(it);
    update();
}

void Targets::start(const std::vector<std::string> &interfaces)
{
    const bool wasActive = m_discovery != nullptr;
    Discovery::Options o;
    o.interfaces = interfaces;
    o.intervalMs = m_settings.intervalMs;
    o.missedPolls = m_settings.missedPolls;
    o.removeAfterMs = m_settings.forgetMs;
    o.limits.targets = m_settings.maxTargets;
    std::string e;
    std::unique_ptr<Discovery> d = interfaces.empty() ? nullptr : Discovery::open(o, &e);
    if (!d) {
        if (!interfaces.empty())
            m_lastError = QStringLiteral("cannot discover: %1").arg(fromStd(e));
        else if (m_configured.isEmpty())
            m_lastError = QStringLiteral("no Ethernet interface is up to discover on");
        else
            m_lastError = QStringLiteral("none of the discovery interfaces (%1) exists: set "
                                         "others with SetDiscoveryInterfaces")
                              .arg(m_configured.join(QStringLiteral(", ")));
        log(m_lastError);
        if (wasActive)
            stop();
        return;
    }
    m_lastError.clear();
    m_notifier.reset();
    m_discovery = std::move(d);
    m_running = interfaces;
    m_localMacs = localMacs();
    m_since.start();
    ++m_generation;
    if (wasActive) {
        // Objects the new run does not list again within the time a target
        // needs to be found lost go then.
        m_staleTimer.start(m_settings.intervalMs * (m_settings.missedPolls + 2));
    }
    m_notifier = std::make_unique<QSocketNotifier>(m_discovery->fd(), QSocketNotifier::Read);
    connect(m_notifier.get(), &QSocketNotifier::activated, this, &Targets::discoveryReady);
    QStringList names;
    for (const std::string &i : interfaces)
        names << fromStd(i);
    log(QStringLiteral("discovery on %1").arg(names.join(QLatin1Char(','))));
    discoveryReady(); // the first poll goes out now
    if (!wasActive) {
        m_service->tree()->changed(QLatin1String(ManagerPath), QLatin1String(ManagerInterface),
                                   { QStringLiteral("DiscoveryActive") });
        Q_EMIT activeChanged();
    }
}

void Targets::stop()
{
    m_staleTimer.stop();
    m_notifier.reset();
    m_discovery.reset();
    m_running.clear();
    log(QStringLiteral("discovery stopped"));
    // Without discovery nothing is known about the targets: their objects
    // go, except attached ones (lost: nobody watches them any more).
    for (TargetObject *o : m_objects.values()) {
        if (o->m_attachedDevice.isEmpty()) {
            removeObject(o->shelf(), o->slot());
        } else if (o->m_state != QLatin1String("lost")) {
            o->m_state = QStringLiteral("lost");
            m_service->tree()->changed(o->path(), QLatin1String(TargetInterface),
                                       { QStringLiteral("State") });
        }
    }
    m_service->tree()->changed(QLatin1String(ManagerPath), QLatin1String(ManagerInterface),
                               { QStringLiteral("DiscoveryActive") });
    Q_EMIT activeChanged();
}

void Targets::discoveryReady()
{
    if (!m_discovery)
        return;
    m_discovery->process();
    for (const DiscoveryEvent &ev : m_discovery->takeEvents())
        handle(ev);
}

void Targets::handle(const DiscoveryEvent &ev)
{
    // The events of one process() call come together: the object takes
    // the target's state now (e.g. Added is followed by the Changed that
    // brings the IDENTIFY fields; InterfacesAdded carries them already).
    const auto applyNow = [this, &ev] {
        DiscoveredTarget now;
        if (m_discovery->target(ev.target.shelf, ev.target.slot, &now))
            apply(std::move(now));
    };
    switch (ev.type) {
    case DiscoveryEvent::Type::Added:
    case DiscoveryEvent::Type::Changed:
        applyNow();
        break;
    case DiscoveryEvent::Type::Lost:
    case DiscoveryEvent::Type::Recovered:
    case DiscoveryEvent::Type::Conflict:
        log(fromStd(ev.message));
        applyNow();
        break;
    case DiscoveryEvent::Type::Removed: {
        TargetObject *o = find(ev.target.shelf, ev.target.slot);
        if (o && !o->m_attachedDevice.isEmpty()) {
            if (o->m_state != QLatin1String("lost")) {
                o->m_state = QStringLiteral("lost");
                m_service->tree()->changed(o->path(), QLatin1String(TargetInterface),
                                           { QStringLiteral("State") });
            }
        } else if (o) {
            removeObject(ev.target.shelf, ev.target.slot);
        }
        break;
    }
    case DiscoveryEvent::Type::Overflow:
        log(fromStd(ev.message));
        resync();
        break;
    case DiscoveryEvent::Type::Malformed:
    case DiscoveryEvent::Type::Suppressed:
        log(fromStd(ev.message)); // rate-limited by discovery
        break;
    }
}

void Targets::resync()
{
    if (!m_discovery)
        return;
    QSet<QPair<std::uint16_t, std::uint8_t>> listed;
    for (const DiscoveredTarget &t : m_discovery->targets()) {
        listed.insert({ t.shelf, t.slot });
        apply(t);
    }
    for (TargetObject *o : m_objects.values()) {
        if (!listed.contains({ o->shelf(), o->slot() }) && o->m_attachedDevice.isEmpty())
            removeObject(o->shelf(), o->slot());
    }
}

void Targets::apply(DiscoveredTarget t)
{
    std::erase_if(
        t.paths, [&](const TargetPath &p) { return m_localMacs.count(Aoe::formatMac(p.mac)) > 0; });
    TargetObject *o = find(t.shelf, t.slot);
    if (t.paths.empty()) {
        // Only this machine answers: one of our own exports.
        if (o && o->m_attachedDevice.isEmpty())
            removeObject(t.shelf, t.slot);
        return;
    }
    std::set<Aoe::MacAddress> macs;
    for (const TargetPath &p : t.paths)
        macs.insert(p.mac);
    if (macs.size() < 2)
        t.conflict = false; // the other device was this machine
    const QString state = t.state == DiscoveredTarget::State::Lost ? QStringLiteral("lost")
        : t.conflict                                               ? QStringLiteral("conflict")
                                                                   : QStringLiteral("online");
    if (!o) {
        if (std::size_t(m_objects.size()) >= m_settings.maxTargets)
            return; // as many as discovery may list: attached ones it forgot hold places
        o = new TargetObject(this, t);
        o->m_state = state;
        o->m_generation = m_generation;
        QString error;
        m_objects.insert({ t.shelf, t.slot }, o);
        if (!m_service->tree()->add(o->path(), o, &error)) {
            log(QStringLiteral("cannot publish %1: %2").arg(fromStd(t.name()), error));
            m_objects.remove({ t.shelf, t.slot });
            delete o;
        }
        return;
    }
    const DiscoveredTarget &was = o->m_target;
    QStringList changed;
    if (t.sectors != was.sectors)
        changed << QStringLiteral("Size");
    if (t.model != was.model)
        changed << QStringLiteral("Model");
    if (t.serial != was.serial)
        changed << QStringLiteral("Serial");
    if (t.firmware != was.firmware)
        changed << QStringLiteral("Firmware");
    if (!samePaths(t.paths, was.paths))
        changed << QStringLiteral("Paths");
    if (state != o->m_state)
        changed << QStringLiteral("State");
    if (t.conflict != was.conflict || (t.conflict && t.conflictDetail != was.conflictDetail))
        changed << QStringLiteral("ConflictDetail");
    o->m_target = std::move(t);
    o->m_state = state;
    o->m_generation = m_generation;
    if (!changed.isEmpty())
        m_service->tree()->changed(o->path(), QLatin1String(TargetInterface), changed);
}

void Targets::removeObject(std::uint16_t shelf, std::uint8_t slot)
{
    TargetObject *o = m_objects.take({ shelf, slot });
    if (!o)
        return;
    m_service->tree()->remove(o->path());
    o->deleteLater();
}

void Targets::detached(TargetObject *target)
{
    // Kept only because it was attached: discovery no longer lists it.
    DiscoveredTarget t;
    if (!m_discovery || !m_discovery->target(target->shelf(), target->slot(), &t))
        removeObject(target->shelf(), target->slot());
}

void Targets::removeStale()
{
    for (TargetObject *o : m_objects.values()) {
        if (o->m_generation == m_generation)
            continue;
        if (o->m_attachedDevice.isEmpty()) {
            removeObject(o->shelf(), o->slot());
        } else if (o->m_state != QLatin1String("lost")) {
            o->m_state = QStringLiteral("lost");
            m_service->tree()->changed(o->path(), QLatin1String(TargetInterface),
                                       { QStringLiteral("State") });
        }
    }
    resync(); // anything that found no room while the stale objects were there
}

// ------------------------------------------------------------ the methods

void Targets::setInterfaces(const QDBusMessage &call, const QStringList &interfaces,
                            const QVariantMap &options)
{
    CallOptions parsed;
    QString error;
    if (!m_service->parseOptions(options, {}, &parsed, &error)) {
        m_service->refuse(call, errorName("InvalidArgument"), error);
        return;
    }
    if (interfaces.size() > MaxInterfaces) {
        m_service->refuse(call, errorName("InvalidArgument"),
                          QStringLiteral("%1 interfaces named: at most %2 (none: every Ethernet "
                                         "interface that is up)")
                              .arg(interfaces.size())
                              .arg(MaxInterfaces));
        return;
    }
    for (const QString &i : interfaces) {
        const QByteArray n = i.toLocal8Bit();
        if (i.isEmpty() || n.size() >= IFNAMSIZ || i.contains(QLatin1Char('/'))
            || ::if_nametoindex(n.constData()) == 0) {
            m_service->refuse(call, errorName("InvalidArgument"),
                              QStringLiteral("there is no network interface \"%1\" on this "
                                             "machine")
                                  .arg(i.left(IFNAMSIZ * 2)));
            return;
        }
        if (interfaces.count(i) > 1) {
            m_service->refuse(call, errorName("InvalidArgument"),
                              QStringLiteral("interface %1 is listed twice").arg(i));
            return;
        }
    }
    m_service->authorizeThen(call, QLatin1String(ActionDiscover), !parsed.noUserInteraction, {},
                             [this, call, interfaces]() {
                                 QString why;
                                 if (!savePersisted(interfaces, &why)) {
                                     m_service->refuse(call, errorName("Failed"), why);
                                     return;
                                 }
                                 const bool changed = interfaces != m_configured;
                                 m_configured = interfaces;
                                 if (changed) {
                                     m_service->tree()->changed(
                                         QLatin1String(ManagerPath),
                                         QLatin1String(ManagerInterface),
                                         { QStringLiteral("DiscoveryInterfaces") });
                                     update();
                                 }
                                 m_service->m_bus.send(call.createReply());
                             });
}

void Targets::startFor(const QDBusMessage &call, const QVariantMap &options)
{
    CallOptions parsed;
    QString error;
    if (!m_service->parseOptions(options, {}, &parsed, &error)) {
        m_service->refuse(call, errorName("InvalidArgument"), error);
        return;
    }
    const QString name = call.service();
    const QString full = QStringLiteral("%1 clients already keep discovery running, the most "
                                        "there may be: wait for one to call StopDiscovery")
                             .arg(MaxDiscoveryClients);
    if (!m_clients.contains(name) && m_clients.size() >= MaxDiscoveryClients) {
        m_service->refuse(call, errorName("Failed"), full);
        return;
    }
    m_service->authorizeThen(
        call, QLatin1String(ActionDiscover), !parsed.noUserInteraction, {},
        [this, call, name, full]() {
            if (!m_clients.contains(name)) {
                if (m_clients.size() >= MaxDiscoveryClients) {
                    m_service->refuse(call, errorName("Failed"), full);
                    return;
                }
                m_clients.insert(name);
                m_watcher.addWatchedService(name);
                // Gone between polkit's answer and the
                // watch: no signal would tell.
                if (!m_service->m_bus.interface()->isServiceRegistered(name).value()) {
                    clientGone(name);
                    return;
                }
            }
            update();
            if (!m_discovery) {
                m_clients.remove(name);
                m_watcher.removeWatchedService(name);
                m_service->refuse(call, errorName("Failed"), m_lastError);
                return;
            }
            m_service->m_bus.send(call.createReply());
        });
}

void Targets::stopFor(const QDBusMessage &call, const QVariantMap &options)
{
    CallOptions parsed;
    QString error;
    if (!m_service->parseOptions(options, {}, &parsed, &error)) {
        m_service->refuse(call, errorName("InvalidArgument"), error);
        return;
    }
    clientGone(call.service());
    m_service->m_bus.send(call.createReply());
}

void Targets::clientGone(const QString &name)
{
    if (!m_clients.remove(name))
        return;
    m_watcher.removeWatchedService(name);
    update();
}

void Targets::targetCall(TargetObject *target, const QDBusMessage &call, const QVariantMap &options,
                         bool attach)
{
    CallOptions parsed;
    QString error;
    const QStringList allowed = attach ? QStringList() : QStringList{ QStringLiteral("force") };
    if (!m_service->parseOptions(options, allowed, &parsed, &error)) {
        m_service->refuse(call, errorName("InvalidArgument"), error);
        return;
    }
    const std::uint16_t shelf = target->shelf();
    const std::uint8_t slot = target->slot();
    const QString name = fromStd(target->m_target.name());
    m_service->authorizeThen(
        call, QLatin1String(attach ? ActionAttach : ActionDetach), !parsed.noUserInteraction,
        { { QStringLiteral("etherdisk.target"), name } },
        [this, call, shelf, slot, name, parsed, attach]() {
            TargetObject *o = find(shelf, slot);
            if (!o) {
                m_service->refuse(call, errorName("NotFound"),
                                  QStringLiteral("%1 is no longer seen on the LAN").arg(name));
                return;
            }
            const Service::TargetHandler &handler =
                attach ? m_service->attachHandler : m_service->detachHandler;
            if (!handler) {
                m_service->refuse(call, errorName("NotSupported"),
                                  QStringLiteral("this helper was built without support for "
                                                 "the Linux aoe driver"));
                return;
            }
            handler(call, o, parsed);
        });
}

// -------------------------------------------------------- address checks

QString Targets::conflictIn(const Discovery &d, const std::set<std::string> &own,
                            std::uint16_t shelf, std::uint8_t slot,
                            const std::vector<std::string> &interfaces)
{
    DiscoveredTarget t;
    if (!d.target(shelf, slot, &t) || t.state == DiscoveredTarget::State::Lost)
        return {};
    QStringList who;
    for (const TargetPath &p : t.paths) {
        const std::string mac = Aoe::formatMac(p.mac);
        if (own.count(mac) > 0
            || std::find(interfaces.begin(), interfaces.end(), p.interface) == interfaces.end())
            continue;
        who << QStringLiteral("%1 on %2").arg(fromStd(mac), fromStd(p.interface));
    }
    if (who.isEmpty())
        return {};
    who.removeDuplicates();
    return QStringLiteral("%1 is already served on this LAN by %2%3: choose another shelf.slot, "
                          "or pass force to export anyway")
        .arg(fromStd(t.name()), who.join(QStringLiteral(" and ")),
             t.model.empty() ? QString() : QStringLiteral(" (model \"%1\")").arg(fromStd(t.model)));
}

void Targets::checkAddress(std::uint16_t shelf, std::uint8_t slot, const QStringList &interfaces,
                           CheckDone done)
{
    const std::vector<std::string> ifs = sortedStd(interfaces);
    const auto verdict = [done](const QString &message) {
        if (message.isEmpty())
            done({}, {});
        else
            done(errorName("AddressInUse"), message);
    };
    if (m_discovery && m_since.elapsed() >= m_settings.probeMs
        && std::includes(m_running.begin(), m_running.end(), ifs.begin(), ifs.end())) {
        verdict(conflictIn(*m_discovery, m_localMacs, shelf, slot, ifs));
        return;
    }
    Probe *probe = nullptr;
    for (const auto &p : m_probes) {
        if (p->interfaces == ifs)
            probe = p.get();
    }
    if (!probe) {
        if (int(m_probes.size()) >= MaxProbes) {
            done(errorName("Failed"),
                 QStringLiteral("%1 other exports are being checked against the LAN right now: "
                                "try again in a second")
                     .arg(MaxProbes));
            return;
        }
        Discovery::Options o;
        o.interfaces = ifs;
        o.intervalMs = std::max(m_settings.probeMs, 100);
        o.limits.targets = m_settings.maxTargets;
        std::string e;
        std::unique_ptr<Discovery> d = Discovery::open(o, &e);
        if (!d) {
            // The engine will say what is wrong with the interfaces.
            log(QStringLiteral("e%1.%2: the LAN could not be asked whether the address is in use "
                               "(%3)")
                    .arg(shelf)
                    .arg(slot)
                    .arg(fromStd(e)));
            done({}, {});
            return;
        }
        auto owned = std::make_unique<Probe>();
        probe = owned.get();
        probe->interfaces = ifs;
        probe->discovery = std::move(d);
        probe->localMacs = localMacs();
        probe->notifier =
            std::make_unique<QSocketNotifier>(probe->discovery->fd(), QSocketNotifier::Read);
        connect(probe->notifier.get(), &QSocketNotifier::activated, this, [probe]() {
            probe->discovery->process();
            probe->discovery->takeEvents();
        });
        m_probes.push_back(std::move(owned));
        probe->discovery->process(); // the broadcast Query Config goes out now
        probe->discovery->takeEvents();
        QTimer::singleShot(m_settings.probeMs, this, [this, probe]() { finishProbe(probe); });
    }
    probe->waiters.push_back([shelf, slot, ifs, verdict](const Probe &p) {
        verdict(conflictIn(*p.discovery, p.localMacs, shelf, slot, ifs));
    });
}

void Targets::finishProbe(Probe *probe)
{
    const auto it = std::find_if(m_probes.begin(), m_probes.end(),
                                 [probe](const auto &p) { return p.get() == probe; });
    if (it == m_probes.end())
        return;
    std::unique_ptr<Probe> owned = std::move(*it);
    m_probes.erase(it);
    owned->notifier.reset();
    owned->discovery->process(); // answers that came in since the last wakeup
    for (const auto &waiter : owned->waiters)
        waiter(*owned);
}

} // namespace Etherdisk::Helper
