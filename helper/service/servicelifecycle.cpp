// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
//
// Service's lifetime and persistence: idle exit (hold/release), exports.conf
// watched and reloaded, start at boot while it lists exports.
#include "service.h"

#include "etherdisk/exportconfig.h"

#include <QDBusPendingCallWatcher>
#include <QDBusPendingReply>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>

#include <cstdio>
#include <sys/stat.h>

#ifndef ETHERDISK_UNIT_PATH
#error "ETHERDISK_UNIT_PATH must be defined by the build"
#endif

namespace Etherdisk::Helper {

namespace {

    constexpr char UnitName[] = "etherdisk-helper.service";

    using Key = QPair<std::uint16_t, std::uint8_t>;

    // What only a restart of the export changes (Engine::updateExport
    // refuses these).
    bool sameBacking(const ExportConfig &a, const ExportConfig &b)
    {
        return a.path == b.path && a.interfaces == b.interfaces && a.offset == b.offset
            && a.length == b.length && a.bufferCount == b.bufferCount;
    }

} // namespace

// ------------------------------------------------------------ idle exit

void Service::hold(const QString &reason)
{
    ++m_holds[reason];
    updateIdle();
}

void Service::release(const QString &reason)
{
    auto it = m_holds.find(reason);
    if (it == m_holds.end()) {
        logLine(QStringLiteral("release(\"%1\") without hold: ignored").arg(reason));
        return;
    }
    if (--*it == 0)
        m_holds.erase(it);
    updateIdle();
}

bool Service::isIdle() const
{
    return m_exports.isEmpty() && m_holds.isEmpty() && m_inFlight == 0;
}

void Service::noteActivity()
{
    if (m_idleTimer.isActive())
        m_idleTimer.start(); // the whole grace period again
}

void Service::callFinished()
{
    if (m_inFlight > 0)
        --m_inFlight;
    updateIdle();
}

void Service::updateIdle()
{
    if (m_options.idleTimeoutS <= 0 || m_leaving)
        return;
    if (!isIdle())
        m_idleTimer.stop();
    else if (!m_idleTimer.isActive())
        m_idleTimer.start();
}

void Service::idleTimeout()
{
    if (!isIdle() || m_leaving)
        return;
    m_leaving = true;
    logLine(QStringLiteral("idle for %1 s: exiting (the bus starts etherdisk-helper again at the "
                           "next call)")
                .arg(m_options.idleTimeoutS));
    // From now on the bus activates a new instance for calls to the name.
    // Calls that reached this one before are still queued: the event loop
    // answers them (mutating ones with Failed, "call again") before it quits.
    m_bus.unregisterService(QLatin1String(ServiceName));
    QTimer::singleShot(0, this, &Service::idleExpired);
}

// ------------------------------------------------------ exports.conf reload

void Service::watchConfig()
{
    // The directory catches an atomic rename (an editor's or our own save);
    // the file catches an edit in place. Both through inotify: no polling.
    const QString dir = QFileInfo(m_options.configPath).absolutePath();
    if (!QDir().mkpath(dir)) {
        logLine(QStringLiteral("cannot create %1: edits of %2 are read only at SIGHUP")
                    .arg(dir, m_options.configPath));
        return;
    }
    if (!m_configWatcher.directories().contains(dir))
        m_configWatcher.addPath(dir);
    if (QFileInfo::exists(m_options.configPath)
        && !m_configWatcher.files().contains(m_options.configPath))
        m_configWatcher.addPath(m_options.configPath); // again after each rename
}

void Service::setConfigError(const QString &error)
{
    if (error == m_configError)
        return;
    m_configError = error;
    if (!error.isEmpty())
        logLine(error);
    if (m_manager)
        m_tree.changed(QLatin1String(ManagerPath), QLatin1String(ManagerInterface),
                       { QStringLiteral("ConfigError") });
}

void Service::reloadConfig()
{
    watchConfig();
    const QString &path = m_options.configPath;
    std::vector<ExportConfig> entries;
    if (QFileInfo::exists(path)) {
        std::string text, e;
        if (!readTextFile(path.toStdString(), &text, &e)) {
            m_configParseError = fromStd(e);
            setConfigError(QStringLiteral("%1: cannot read it: %2; the exports served stay as "
                                          "they are")
                               .arg(path, fromStd(e)));
            return;
        }
        if (!parseExportsFile(text, &entries, &e)) {
            // "line 7: unknown key ..." -> "FILE:7: unknown key ..."
            QString where = path, what = fromStd(e);
            static const QRegularExpression lineRe(QStringLiteral("^line (\\d+): "));
            const QRegularExpressionMatch m = lineRe.match(what);
            if (m.hasMatch()) {
                where += QLatin1Char(':') + m.captured(1);
                what = what.mid(m.capturedLength());
            }
            m_configParseError = QStringLiteral("%1: %2").arg(where, what);
            setConfigError(QStringLiteral("%1; nothing was changed: the exports served stay as "
                                          "they are until the file is fixed")
                               .arg(m_configParseError));
            return;
        }
    }
    // A missing file means no export starts at boot.
    m_configParseError.clear();
    const QStringList problems = applyConfig(entries);
    setConfigError(problems.join(QStringLiteral("; ")));
    syncBoot();
    updateIdle();
}

void Service::removeObject(ExportObject *o)
{
    Error e;
    if (!m_engine->removeExport(o->m_config.shelf, o->m_config.slot, &e))
        logLine(QStringLiteral("%1: %2").arg(fromStd(o->m_config.name()), fromStd(e.message)));
    m_exports.remove({ o->m_config.shelf, o->m_config.slot });
    m_tree.remove(o->path());
    o->deleteLater();
    updateSampler();
}

QStringList Service::applyConfig(const std::vector<ExportConfig> &entries)
{
    QStringList problems;
    // Our own saves land here too: the same content changes nothing.
    const bool same = formatExportsFile(entries) == formatExportsFile(m_persistent);
    QMap<Key, ExportConfig> before, after;
    for (const ExportConfig &c : m_persistent)
        before.insert({ c.shelf, c.slot }, c);
    for (const ExportConfig &c : entries)
        after.insert({ c.shelf, c.slot }, c);
    // Kept as read, served or not, so that rewriting the file loses nothing.
    m_persistent = entries;
    int added = 0, removed = 0, changed = 0;

    for (auto it = before.cbegin(); it != before.cend(); ++it) {
        ExportObject *o = find(it.key().first, it.key().second);
        if (after.contains(it.key()) || !o || !o->m_persistent)
            continue;
        logLine(QStringLiteral("%1 is no longer in %2: stopped")
                    .arg(fromStd(it->name()), m_options.configPath));
        removeObject(o);
        ++removed;
    }
    for (auto it = after.cbegin(); it != after.cend(); ++it) {
        const ExportConfig &c = *it;
        const QString name = fromStd(c.name());
        ExportObject *o = find(c.shelf, c.slot);
        if (o && !o->m_persistent) {
            problems << QStringLiteral("%1 is already exported (not persistent, from %2): stop it, "
                                       "or make it persistent with SetSettings")
                            .arg(name, o->m_source);
            continue;
        }
        if (o && same)
            continue;
        if (o) {
            ExportConfig next = c;
            next.fd = -1;
            const ExportConfig &now = o->m_config;
            if (before.value(it.key()) == c && now.readOnly == c.readOnly
                && now.writeMode == c.writeMode && now.allowedMacs == c.allowedMacs)
                continue; // unchanged
            Error e;
            // Settings change in place (counters and requests in flight
            // kept); a new path or interfaces need a restart.
            if (sameBacking(now, c) && (c.readOnly || o->m_writable)
                && m_engine->updateExport(next, &e)) {
                QStringList props;
                if (now.readOnly != c.readOnly)
                    props << QStringLiteral("ReadOnly");
                if (now.writeMode != c.writeMode)
                    props << QStringLiteral("WriteMode");
                if (now.allowedMacs != c.allowedMacs)
                    props << QStringLiteral("AllowedMacs");
                o->m_config = next;
                m_tree.changed(o->path(), QLatin1String(ExportInterface), props);
                logLine(QStringLiteral("%1 changed in place as %2 says")
                            .arg(name, m_options.configPath));
                ++changed;
                continue;
            }
            logLine(QStringLiteral("%1 restarted with its new settings from %2")
                        .arg(name, m_options.configPath));
            removeObject(o);
            ++changed;
        } else {
            ++added;
        }
        CreateRequest r;
        r.config = c;
        r.source = fromStd(c.path);
        struct stat st
        {
        };
        r.kind = ::stat(c.path.c_str(), &st) == 0 && S_ISBLK(st.st_mode) ? SourceKind::Device
                                                                         : SourceKind::ImagePath;
        // persistent stays false here: the entry is in the file already.
        QString errorName, error;
        ExportObject *served = serve(r, &errorName, &error);
        if (!served) {
            problems << QStringLiteral("%1 not served: %2").arg(name, error);
            continue;
        }
        served->m_persistent = true;
        m_tree.changed(served->path(), QLatin1String(ExportInterface),
                       { QStringLiteral("Persistent") });
    }
    if (added || removed || changed)
        logLine(QStringLiteral("%1: %2 export(s) started, %3 stopped, %4 changed")
                    .arg(m_options.configPath)
                    .arg(added)
                    .arg(removed)
                    .arg(changed));
    return problems;
}

// --------------------------------------------------------- start at boot

void Service::syncBoot()
{
    // Why two ways: with systemd as PID 1, systemd itself makes the
    // multi-user.target.wants link (EnableUnitFiles), so the hardened unit
    // needs no write access to /etc/systemd/system (ProtectSystem=full:
    // /etc is read-only for it but /etc/etherdisk)
    // and systemd's own bookkeeping stays right. Without a running systemd
    // (an image being built, a container, the tests) the link is what
    // `systemctl enable` would write offline: --wants-dir names the folder.
    const int want = m_persistent.empty() ? 0 : 1;
    if (want == m_bootState)
        return;
    m_bootState = want;
    if (!m_options.wantsDir.isEmpty()) {
        const QString link = QDir(m_options.wantsDir).filePath(QLatin1String(UnitName));
        const QString unit =
            m_options.unitPath.isEmpty() ? QStringLiteral(ETHERDISK_UNIT_PATH) : m_options.unitPath;
        const QFileInfo info(link);
        if (want) {
            if (info.isSymLink() && info.symLinkTarget() == unit)
                return;
            if (!QDir().mkpath(m_options.wantsDir)
                || ((info.exists() || info.isSymLink()) && !QFile::remove(link))
                || !QFile::link(unit, link)) {
                logLine(QStringLiteral("cannot link %1 -> %2: the exports will not start at boot")
                            .arg(link, unit));
                m_bootState = -1;
                return;
            }
            logLine(QStringLiteral("enabled at boot: %1 -> %2").arg(link, unit));
        } else if (info.isSymLink()) {
            if (!QFile::remove(link)) {
                logLine(QStringLiteral("cannot remove %1").arg(link));
                m_bootState = -1;
                return;
            }
            logLine(QStringLiteral("no export starts at boot: removed %1").arg(link));
        }
        return;
    }
    if (!QFileInfo::exists(QStringLiteral("/run/systemd/system")))
        return; // no systemd: starting at boot is the init system's business
    QDBusMessage m = QDBusMessage::createMethodCall(
        QStringLiteral("org.freedesktop.systemd1"), QStringLiteral("/org/freedesktop/systemd1"),
        QStringLiteral("org.freedesktop.systemd1.Manager"),
        want ? QStringLiteral("EnableUnitFiles") : QStringLiteral("DisableUnitFiles"));
    m << QStringList{ QLatin1String(UnitName) } << false; // files, runtime
    if (want)
        m << false; // force
    auto *watcher = new QDBusPendingCallWatcher(m_bus.asyncCall(m, 30000), this);
    connect(watcher, &QDBusPendingCallWatcher::finished, this, [this, want, watcher] {
        watcher->deleteLater();
        if (watcher->isError()) {
            logLine(QStringLiteral("systemd could not %1 %2: %3")
                        .arg(want ? QStringLiteral("enable") : QStringLiteral("disable"),
                             QLatin1String(UnitName), watcher->error().message()));
            m_bootState = -1;
            return;
        }
        logLine(QStringLiteral("%1 %2 at boot")
                    .arg(want ? QStringLiteral("enabled") : QStringLiteral("disabled"),
                         QLatin1String(UnitName)));
    });
}

} // namespace Etherdisk::Helper
