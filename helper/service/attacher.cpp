// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
#include "attacher.h"
#include "dbustypes.h"

#include <QFileInfo>
#include <QThread>

#include <dirent.h>
#include <sys/stat.h>

namespace Etherdisk::Helper {

namespace {

    constexpr int RediscoverMs = 2000;
    constexpr int LoadTimeoutMs = 30000;
    // A node in /dev/etherd that sysfs does not show yet is looked at again
    // after 25 ms, 50 ms, ... 3.2 s (6.4 s in all), then left until the next
    // change in /dev/etherd.
    constexpr int SettleFirstMs = 25;
    constexpr int SettleTries = 8;

    QString errorNameFor(const Error &e)
    {
        switch (e.kind) {
        case ErrorKind::InvalidArgument:
        case ErrorKind::NoSuchInterface:
            return errorName("InvalidArgument");
        case ErrorKind::NotFound:
            return errorName("NotFound");
        case ErrorKind::NotSupported:
            return errorName("NotSupported");
        case ErrorKind::DeviceBusy:
            return errorName("DeviceBusy");
        case ErrorKind::None:
        case ErrorKind::AddressInUse:
        case ErrorKind::NoSuchFile:
        case ErrorKind::PermissionDenied:
        case ErrorKind::Failed:
            break;
        }
        return errorName("Failed");
    }

    QString address(quint16 shelf, quint8 slot)
    {
        return QStringLiteral("e%1.%2").arg(shelf).arg(slot);
    }

    quint32 key(quint16 shelf, quint8 slot)
    {
        return quint32(shelf) << 8 | slot;
    }

    bool isBlockDevice(const std::string &path)
    {
        struct stat st
        {
        };
        return ::stat(path.c_str(), &st) == 0 && S_ISBLK(st.st_mode);
    }

} // namespace

Attacher::Attacher(AoeDriver::Paths paths, QObject *parent)
    : QObject(parent), m_driver(std::move(paths))
{
    m_loadTimeout.setSingleShot(true);
    connect(&m_loadTimeout, &QTimer::timeout, this, [this] {
        m_driver.abortLoad(&m_load);
        m_loadNotifier.reset();
        loadFinished(Error{ ErrorKind::Failed,
                            "modprobe " + m_driver.paths().module + " did not finish within "
                                + std::to_string(LoadTimeoutMs / 1000) + " s" });
    });
    connect(&m_watcher, &QFileSystemWatcher::directoryChanged, this, [this] {
        // each change may need its own settling, from the shortest step
        m_settle.stop();
        m_settleTries = 0;
        watch();
        rescan();
    });
    m_settle.setSingleShot(true);
    connect(&m_settle, &QTimer::timeout, this, &Attacher::rescan);
    watch();
    // What the driver has now is the starting point: no signal for it.
    std::vector<AoeDriver::Device> devices;
    m_driver.devices(&devices);
    for (const AoeDriver::Device &d : devices)
        if (isBlockDevice(d.node))
            m_known.insert(key(d.shelf, d.slot), fromStd(d.node));
}

Attacher::~Attacher()
{
    // A flush still blocked in the kernel: its thread must not outlive us.
    for (QThread *t : std::as_const(m_flushes)) {
        t->disconnect(this);
        t->wait();
        delete t;
    }
    if (m_load.pid > 0)
        m_driver.abortLoad(&m_load);
}

void Attacher::watch()
{
    // /dev/etherd when it exists (inotify there sees each device node come
    // and go), and its parent, to notice /dev/etherd itself appear when the
    // driver is loaded (by us or anyone) or vanish when it is unloaded.
    const QString dir = fromStd(m_driver.paths().devDir);
    const QString parent = QFileInfo(dir).path();
    const QStringList watched = m_watcher.directories();
    if (!watched.contains(parent) && QFileInfo(parent).isDir())
        m_watcher.addPath(parent);
    if (!watched.contains(dir) && QFileInfo(dir).isDir())
        m_watcher.addPath(dir);
}

void Attacher::rescan()
{
    std::vector<AoeDriver::Device> devices;
    m_driver.devices(&devices); // a malformed entry is left out; the rest counts
    QMap<quint32, QString> now;
    for (const AoeDriver::Device &d : devices)
        if (isBlockDevice(d.node))
            now.insert(key(d.shelf, d.slot), fromStd(d.node));
    const QMap<quint32, QString> before = m_known;
    m_known = now;
    for (auto it = before.cbegin(); it != before.cend(); ++it)
        if (!now.contains(it.key()))
            Q_EMIT attachedChanged(quint16(it.key() >> 8), quint8(it.key() & 0xff), QString());
    for (auto it = now.cbegin(); it != now.cend(); ++it)
        if (before.value(it.key()) != it.value())
            Q_EMIT attachedChanged(quint16(it.key() >> 8), quint8(it.key() & 0xff), it.value());
    // The kernel makes /dev/etherd/eX.Y inside device_add() and links
    // /sys/block/etherd!eX.Y only after it returns (block/genhd.c,
    // device_add_disk(); older kernels added the aoe attributes later still):
    // the node's event can come before sysfs shows the disk, and no other
    // event follows. So while /dev/etherd holds a node that sysfs does not
    // show, look again shortly, with a bounded backoff; while they agree no
    // timer runs.
    bool unsettled = false;
    const std::string devDir = m_driver.paths().devDir;
    if (DIR *dp = ::opendir(devDir.c_str())) {
        while (const dirent *e = ::readdir(dp)) {
            quint16 shelf = 0;
            quint8 slot = 0;
            if (AoeDriver::parseDeviceName(e->d_name, &shelf, &slot)
                && !now.contains(key(shelf, slot)) && isBlockDevice(devDir + "/" + e->d_name)) {
                unsettled = true;
                break;
            }
        }
        ::closedir(dp);
    }
    if (!unsettled) {
        m_settle.stop();
        m_settleTries = 0;
    } else if (!m_settle.isActive() && m_settleTries < SettleTries) {
        m_settle.start(SettleFirstMs << m_settleTries);
        ++m_settleTries;
    }
    // Pending attaches may be done now. check() may remove from the list.
    for (auto it = m_pending.begin(); it != m_pending.end();) {
        Pending *p = (it++)->get();
        if (p->started)
            advance(p);
    }
}

QString Attacher::attachedDevice(quint16 shelf, quint8 slot) const
{
    AoeDriver::Device d;
    if (m_driver.device(shelf, slot, &d).kind != ErrorKind::None || !isBlockDevice(d.node))
        return {};
    return fromStd(d.node);
}

void Attacher::later(Done done, const QString &errorName, const QString &message,
                     const QString &device)
{
    QMetaObject::invokeMethod(
        this,
        [done = std::move(done), errorName, message, device] { done(errorName, message, device); },
        Qt::QueuedConnection);
}

void Attacher::attach(quint16 shelf, quint8 slot, const QString &interface, Done done)
{
    if (shelf > 65534 || slot > 254) {
        later(std::move(done), errorName("InvalidArgument"),
              QStringLiteral("%1 is not a target address: shelf 0-65534, slot 0-254")
                  .arg(address(shelf, slot)),
              {});
        return;
    }
    const std::string ifname = interface.toStdString();
    if (!AoeDriver::isValidInterfaceName(ifname)
        || !QFileInfo::exists(fromStd(m_driver.paths().sysfs) + QStringLiteral("/class/net/")
                              + interface)) {
        later(std::move(done), errorName("InvalidArgument"),
              QStringLiteral("there is no network interface '%1': name the interface on the "
                             "target's LAN")
                  .arg(interface.left(64)),
              {});
        return;
    }
    if (m_flushing.contains(key(shelf, slot))) {
        later(std::move(done), errorName("DeviceBusy"),
              QStringLiteral("%1 is being detached: the aoe driver has not finished its flush; "
                             "try again when the detach has answered")
                  .arg(address(shelf, slot)),
              {});
        return;
    }
    auto owned = std::make_unique<Pending>();
    Pending *p = owned.get();
    p->shelf = shelf;
    p->slot = slot;
    p->interface = interface;
    p->done = std::move(done);
    p->deadline = new QTimer(this);
    p->deadline->setSingleShot(true);
    p->deadline->setTimerType(Qt::PreciseTimer); // a coarse timer may fire 5% early
    connect(p->deadline, &QTimer::timeout, this, [this, p] {
        AoeDriver::Device d;
        const Error e = m_driver.device(p->shelf, p->slot, &d);
        const QString secs = QString::number(m_attachTimeoutMs / 1000.0);
        if (e.kind == ErrorKind::None)
            finish(p, errorName("NotFound"),
                   QStringLiteral("%1 is known to the aoe driver but its state is '%2' after %3 s: "
                                  "its target does not answer; check that it is still exported "
                                  "and reachable on %4")
                       .arg(fromStd(d.node), fromStd(d.state), secs, p->interface),
                   {});
        else
            finish(p, errorName("NotFound"),
                   QStringLiteral("no AoE target %1 answered on %2 within %3 s: check that it is "
                                  "exported and that %2 is the interface on its LAN")
                       .arg(address(p->shelf, p->slot), p->interface, secs),
                   {});
    });
    p->rediscover = new QTimer(this);
    p->rediscover->setInterval(RediscoverMs);
    connect(p->rediscover, &QTimer::timeout, this, [this, p] {
        if (p->asked)
            m_driver.discover();
        advance(p);
    });
    m_pending.push_back(std::move(owned));
    p->deadline->start(m_attachTimeoutMs);

    if (m_driver.loaded()) {
        // Started from the event loop, so that done() never runs inside attach().
        QMetaObject::invokeMethod(
            this,
            [this, p] {
                if (isPending(p))
                    begin(p);
            },
            Qt::QueuedConnection);
        return;
    }
    if (m_load.pid <= 0)
        startLoad(interface);
}

void Attacher::startLoad(const QString &interface)
{
    const Error e = m_driver.startLoad({ interface.toStdString() }, &m_load);
    if (e.kind != ErrorKind::None) {
        QMetaObject::invokeMethod(
            this, [this, e] { loadFinished(e); }, Qt::QueuedConnection);
        return;
    }
    m_loadNotifier = std::make_unique<QSocketNotifier>(m_load.outputFd, QSocketNotifier::Read);
    connect(m_loadNotifier.get(), &QSocketNotifier::activated, this, &Attacher::loadOutput);
    m_loadTimeout.start(LoadTimeoutMs);
}

void Attacher::loadOutput()
{
    if (m_driver.readLoadOutput(&m_load))
        return;
    // EOF: modprobe has exited (or is exiting); reaping it is quick.
    m_loadNotifier.reset();
    m_loadTimeout.stop();
    loadFinished(m_driver.finishLoad(&m_load));
}

void Attacher::loadFinished(const Error &error)
{
    watch();
    for (auto it = m_pending.begin(); it != m_pending.end();) {
        Pending *p = (it++)->get();
        if (p->started)
            continue;
        if (error.kind != ErrorKind::None)
            finish(p, errorNameFor(error), fromStd(error.message), {});
        else
            begin(p);
    }
}

void Attacher::begin(Pending *p)
{
    p->started = true;
    if (!p->rediscover->isActive())
        p->rediscover->start();
    if (!m_driver.ready()) {
        // Loaded, but /dev/etherd/discover not there yet (udev still creating
        // the nodes): the watcher, the next tick or the deadline ends the wait.
        return;
    }
    bool changed = false;
    if (Error e = m_driver.allowInterface(p->interface.toStdString(), &changed);
        e.kind != ErrorKind::None) {
        // NotFound here means the module parameter is missing: not the target's fault
        finish(p, e.kind == ErrorKind::NotFound ? errorName("Failed") : errorNameFor(e),
               fromStd(e.message), {});
        return;
    }
    if (Error e = m_driver.discover(); e.kind != ErrorKind::None) {
        finish(p, errorNameFor(e), fromStd(e.message), {});
        return;
    }
    p->asked = true;
    check(p);
}

void Attacher::advance(Pending *p)
{
    if (!p->asked)
        begin(p);
    else
        check(p);
}

void Attacher::check(Pending *p)
{
    AoeDriver::Device d;
    if (m_driver.device(p->shelf, p->slot, &d).kind != ErrorKind::None || !d.up
        || !isBlockDevice(d.node))
        return;
    // Known from here on, so that the signal for it is not emitted later as news.
    if (m_known.value(key(d.shelf, d.slot)) != fromStd(d.node)) {
        m_known.insert(key(d.shelf, d.slot), fromStd(d.node));
        Q_EMIT attachedChanged(d.shelf, d.slot, fromStd(d.node));
    }
    finish(p, {}, QStringLiteral("attached as %1").arg(fromStd(d.node)), fromStd(d.node));
}

bool Attacher::isPending(const Pending *p) const
{
    for (const auto &owned : m_pending)
        if (owned.get() == p)
            return true;
    return false;
}

void Attacher::finish(Pending *p, const QString &errorName, const QString &message,
                      const QString &device)
{
    for (auto it = m_pending.begin(); it != m_pending.end(); ++it) {
        if (it->get() != p)
            continue;
        const std::unique_ptr<Pending> owned = std::move(*it);
        m_pending.erase(it);
        // A timer may be what called this: stop both now, delete them later.
        owned->deadline->stop();
        owned->rediscover->stop();
        owned->deadline->deleteLater();
        owned->rediscover->deleteLater();
        owned->done(errorName, message, device);
        return;
    }
}

void Attacher::detach(quint16 shelf, quint8 slot, bool force, Done done)
{
    if (shelf > 65534 || slot > 254) {
        later(std::move(done), errorName("InvalidArgument"),
              QStringLiteral("%1 is not a target address: shelf 0-65534, slot 0-254")
                  .arg(address(shelf, slot)),
              {});
        return;
    }
    if (m_flushing.contains(key(shelf, slot))) {
        later(std::move(done), errorName("DeviceBusy"),
              QStringLiteral("%1 is already being detached: the aoe driver has not finished its "
                             "flush")
                  .arg(address(shelf, slot)),
              {});
        return;
    }
    AoeDriver::Device d;
    if (Error e = m_driver.device(shelf, slot, &d); e.kind != ErrorKind::None) {
        later(std::move(done), errorNameFor(e),
              e.kind == ErrorKind::NotFound
                  ? QStringLiteral("%1 is not attached (the aoe driver has no such device)")
                        .arg(address(shelf, slot))
                  : fromStd(e.message),
              {});
        return;
    }
    std::string reason;
    if (Error e = m_driver.busyReason(d, &reason); e.kind != ErrorKind::None) {
        later(std::move(done), errorNameFor(e), fromStd(e.message), {});
        return;
    }
    if (!reason.empty()) {
        QString message = fromStd(reason);
        if (force)
            message += QStringLiteral(" (force does not detach a disk in use: the aoe driver "
                                      "would remove it under its users)");
        later(std::move(done), errorName("DeviceBusy"), message, {});
        return;
    }
    std::vector<std::string> allowed;
    m_driver.allowedInterfaces(&allowed);
    // The driver's flush first waits for its work queue, where it adds the
    // disks it adopted (the partition scan reads from the target): behind
    // a slow add the write blocks, for 124 s once in the qemu guest. The
    // helper goes on serving meanwhile: the write runs in a thread of its
    // own and the reply waits for it.
    auto result = std::make_shared<Error>();
    QThread *thread = QThread::create(
        [driver = m_driver, shelf, slot, result] { *result = driver.flush(shelf, slot); });
    m_flushes.append(thread);
    m_flushing.insert(key(shelf, slot));
    connect(thread, &QThread::finished, this, [this, thread, result, d, allowed, done] {
        m_flushes.removeOne(thread);
        m_flushing.remove(key(d.shelf, d.slot));
        thread->deleteLater();
        flushed(d, allowed, *result, done);
    });
    thread->start();
}

void Attacher::flushed(const AoeDriver::Device &d, const std::vector<std::string> &allowed,
                       const Error &result, const Done &done)
{
    if (result.kind != ErrorKind::None) {
        done(errorNameFor(result), fromStd(result.message), {});
        return;
    }
    AoeDriver::Device after;
    if (m_driver.device(d.shelf, d.slot, &after).kind == ErrorKind::None) {
        done(errorName("Failed"),
             QStringLiteral("the aoe driver kept %1 after the flush").arg(fromStd(d.node)), {});
        return;
    }
    rescan();
    QStringList ifs;
    for (const std::string &i : d.interfaces)
        ifs << fromStd(i);
    const QString where = allowed.empty()
        ? QStringLiteral("unless you restrict the driver to other interfaces (it listens on "
                         "all of them now)")
        : QStringLiteral("unless you remove %1 from its interfaces")
              .arg(ifs.isEmpty() ? QStringLiteral("this interface")
                                 : ifs.join(QStringLiteral(", ")));
    done({},
         QStringLiteral("detached %1; the aoe driver attaches it again when its target next "
                        "answers: at the driver's own discovery (every 60 s), when the target "
                        "restarts and advertises itself, or when anyone asks the driver to "
                        "discover, %2")
             .arg(fromStd(d.node), where),
         fromStd(d.node));
}

} // namespace Etherdisk::Helper
