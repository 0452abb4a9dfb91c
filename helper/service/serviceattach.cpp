// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
//
// Target.Attach and Target.Detach on the Attacher (the Linux aoe driver),
// and what an attached disk costs while it stays: discovery keeps running
// (the helper notices a lost target within 6 s, which the driver does only
// with I/O pending and after aoe_deadsecs) and the process does not exit
// idle. Whoever attached the device (this helper, the driver adopting a
// target it heard, an administrator), the Target object shows its node.
#include "service.h"
#include "targets.h"

namespace Etherdisk::Helper {

namespace {

    QString holdReason(quint16 shelf, quint8 slot)
    {
        return QStringLiteral("attached e%1.%2").arg(shelf).arg(slot);
    }

    // The interface the target answered on most recently: where the driver is
    // allowed to look for it.
    QString interfaceOf(const TargetObject *target)
    {
        const DiscoveredTarget &t = target->target();
        const TargetPath *best = nullptr;
        for (const TargetPath &p : t.paths)
            if (!best || p.lastSeenMs > best->lastSeenMs)
                best = &p;
        return best ? QString::fromStdString(best->interface) : QString();
    }

} // namespace

void Service::setUpAttach()
{
    m_attacher = std::make_unique<Attacher>(m_options.driverPaths);
    m_attacher->setAttachTimeout(m_options.attachTimeoutMs);
    connect(m_attacher.get(), &Attacher::attachedChanged, this, &Service::attachedChanged);
    connect(this, &Service::discoveryActiveChanged, this, &Service::discoveryHoldChanged);
    // Disks the driver has already (attached before this helper started,
    // e.g. after a restart) are watched like those attached now.
    std::vector<AoeDriver::Device> devices;
    m_attacher->driver().devices(&devices);
    for (const AoeDriver::Device &d : devices)
        if (!m_attacher->attachedDevice(d.shelf, d.slot).isEmpty())
            attachedChanged(d.shelf, d.slot, QString::fromStdString(d.node));

    attachHandler = [this](const QDBusMessage &call, TargetObject *target, const CallOptions &) {
        const quint16 shelf = target->shelf();
        const quint8 slot = target->slot();
        const QString iface = interfaceOf(target);
        if (iface.isEmpty()) {
            refuse(call, errorName("NotFound"),
                   QStringLiteral("e%1.%2 has no path on any interface now: is it still on the "
                                  "LAN?")
                       .arg(shelf)
                       .arg(slot));
            return;
        }
        // Attaching takes up to attachTimeoutMs: the process stays meanwhile.
        const QString busy =
            QStringLiteral("attaching e%1.%2 for %3").arg(shelf).arg(slot).arg(call.service());
        hold(busy);
        m_attacher->attach(shelf, slot, iface,
                           [this, call, busy](const QString &error, const QString &message,
                                              const QString &device) {
                               if (error.isEmpty())
                                   m_bus.send(call.createReply(QVariant(device)));
                               else
                                   refuse(call, error, message);
                               release(busy);
                           });
    };
    detachHandler = [this](const QDBusMessage &call, TargetObject *target,
                           const CallOptions &options) {
        const quint16 shelf = target->shelf();
        const quint8 slot = target->slot();
        const QString busy =
            QStringLiteral("detaching e%1.%2 for %3").arg(shelf).arg(slot).arg(call.service());
        hold(busy);
        m_attacher->detach(
            shelf, slot, options.force,
            [this, call, busy](const QString &error, const QString &message, const QString &) {
                if (error.isEmpty())
                    m_bus.send(call.createReply());
                else
                    refuse(call, error, message);
                if (error.isEmpty())
                    logLine(message); // what the driver will do next
                release(busy);
            });
    };
}

QString Service::attachedDevice(std::uint16_t shelf, std::uint8_t slot) const
{
    return m_attacher ? m_attacher->attachedDevice(shelf, slot) : QString();
}

void Service::attachedChanged(quint16 shelf, quint8 slot, const QString &device)
{
    if (TargetObject *t = target(shelf, slot))
        t->setAttachedDevice(device);
    const QString reason = holdReason(shelf, slot);
    if (!device.isEmpty() && !m_attachedHolds.contains(reason)) {
        m_attachedHolds.insert(reason);
        holdDiscovery(reason);
        hold(reason);
    } else if (device.isEmpty() && m_attachedHolds.remove(reason)) {
        releaseDiscovery(reason);
        release(reason);
    }
}

void Service::discoveryHoldChanged()
{
    // A client's StartDiscovery keeps the helper running: it is tracked by
    // bus name, so a client that leaves stops costing anything.
    const bool active = discoveryActive();
    if (active == m_discoveryHeld)
        return;
    m_discoveryHeld = active;
    if (active)
        hold(QStringLiteral("discovery"));
    else
        release(QStringLiteral("discovery"));
}

} // namespace Etherdisk::Helper
