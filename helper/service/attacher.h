// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
//
// Attach and detach AoE targets through the Linux `aoe` driver, on the Qt
// event loop (core's AoeDriver does the kernel work). Independent of
// Service: the D-Bus Target objects call it and turn `done` into a reply.
//
// attach(): loads aoe if needed (modprobe aoe aoe_iflist=IF, run without
// a shell, its output read through a QSocketNotifier), allows the
// interface (keeping those already allowed; an empty list already allows
// every interface and is left alone), asks the driver to discover, and
// waits at most attachTimeout() for /dev/etherd/eX.Y with state "up":
// woken by inotify on /dev/etherd, and every 2 s it asks the driver to
// discover again (a lost broadcast, a target still starting) and rereads
// the state. Nothing waits longer than one write to a control file.
//
// detach(): refused with DeviceBusy while the disk or a partition is
// mounted (in any mount namespace), swap, held by dm/md or open in a
// process; `force` never overrides that, because the driver removes a
// named device under its users (their I/O then sees an empty disk) and a
// mounted file system would lose its disk. Otherwise the device is flushed
// from the driver, and only it. The driver adopts every target it hears on
// an allowed interface, so a detached target comes back at the driver's
// next discovery (every 60 s), when the target restarts and advertises
// itself, or when anyone asks the driver to discover; the reply says so.
// The flush is written from a thread of its own: the driver's flush first
// waits for its work queue, which may be adding another disk for minutes,
// and the helper must go on serving meanwhile. Until it is done, attach()
// and detach() of that target answer DeviceBusy (an attach would report a
// device the flush then removes; a second flush could remove the device
// the driver adopted again in between).
//
// attachedChanged() is emitted whenever one of the driver's devices
// appears or disappears, whoever caused it (our attach, the driver
// adopting a target it heard, an administrator's aoe-flush).
//
// `done(errorName, message, device)`: errorName is "" on success, else
// org.etherdisk.Etherdisk1.Error.{InvalidArgument,NotSupported,NotFound,
// DeviceBusy,Failed}; message is a sentence for a person (also on
// success: what happened); device is the node ("/dev/etherd/e1.2") on a
// successful attach, the node that went away on a successful detach, ""
// otherwise. `done` is called exactly once, never from inside attach() or
// detach() themselves (always from the event loop), and not at all if the
// Attacher is destroyed first.
#pragma once

#include "etherdisk/aoedriver.h"

#include <QFileSystemWatcher>
#include <QList>
#include <QMap>
#include <QObject>
#include <QSet>
#include <QSocketNotifier>
#include <QString>
#include <QTimer>

#include <functional>
#include <list>
#include <memory>

namespace Etherdisk::Helper {

class Attacher : public QObject
{
    Q_OBJECT
public:
    using Done = std::function<void(QString errorName, QString message, QString device)>;

    explicit Attacher(AoeDriver::Paths paths = {}, QObject *parent = nullptr);
    ~Attacher() override;

    void attach(quint16 shelf, quint8 slot, const QString &interface, Done done);
    void detach(quint16 shelf, quint8 slot, bool force, Done done);

    // The device node while the driver has eX.Y (in any state), else "".
    QString attachedDevice(quint16 shelf, quint8 slot) const;

    // Whether a look at the driver is scheduled because /dev/etherd shows a
    // node that sysfs does not show yet (for tests: false while they agree).
    bool rescansPending() const { return m_settle.isActive(); }
    // How long attach() waits for the device to come up (default 20 s).
    void setAttachTimeout(int ms) { m_attachTimeoutMs = ms; }
    int attachTimeout() const { return m_attachTimeoutMs; }

    const AoeDriver::Driver &driver() const { return m_driver; }

Q_SIGNALS:
    // device = the node when it appeared, "" when it went away.
    void attachedChanged(quint16 shelf, quint8 slot, const QString &device);

private:
    struct Pending
    {
        quint16 shelf = 0;
        quint8 slot = 0;
        QString interface;
        Done done;
        bool started = false; // the driver is loaded: waiting for it (or the device)
        bool asked = false; // interface allowed and discovery asked
        QTimer *deadline = nullptr; // children of the Attacher, deleted later
        QTimer *rediscover = nullptr;
    };
    using PendingList = std::list<std::unique_ptr<Pending>>;

    void startLoad(const QString &interface);
    void loadOutput();
    void loadFinished(const Error &error);
    void begin(Pending *p);
    void advance(Pending *p); // begin() until asked, then check()
    void check(Pending *p);
    bool isPending(const Pending *p) const;
    void finish(Pending *p, const QString &errorName, const QString &message,
                const QString &device);
    void rescan();
    void flushed(const AoeDriver::Device &d, const std::vector<std::string> &allowed,
                 const Error &result, const Done &done);
    void watch();
    void later(Done done, const QString &errorName, const QString &message, const QString &device);

    AoeDriver::Driver m_driver;
    int m_attachTimeoutMs = 20000;
    PendingList m_pending;
    AoeDriver::Driver::LoadProcess m_load;
    std::unique_ptr<QSocketNotifier> m_loadNotifier;
    QTimer m_loadTimeout;
    QFileSystemWatcher m_watcher;
    QList<QThread *> m_flushes; // detaches whose flush is still being written
    QSet<quint32> m_flushing; // their targets: attach and detach refused meanwhile
    QTimer m_settle; // rescan again: a node in /dev/etherd that sysfs does not show yet
    int m_settleTries = 0;
    QMap<quint32, QString> m_known; // (shelf << 8 | slot) -> node
};

} // namespace Etherdisk::Helper
