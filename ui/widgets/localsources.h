// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
//
// What this machine could export and where: block devices (lsblk --json)
// with the reason one cannot be exported, and network interfaces with
// their link state and MTU. Read as the user; no root.
#pragma once

#include <QByteArray>
#include <QList>
#include <QSet>
#include <QString>

namespace Etherdisk::Ui {

struct BlockDeviceEntry
{
    QString path; // /dev/sdb1
    QString type; // disk, part, loop, ...
    quint64 size = 0;
    QString model;
    QString label;
    QString unavailable; // why it cannot be exported; "" if it can
    int depth = 0; // 0 for disks, 1 for their partitions
};

// Parses `lsblk --json --bytes -o PATH,TYPE,SIZE,MODEL,LABEL,FSTYPE,MOUNTPOINTS`
// output. A device is unavailable when it or a partition of it is mounted
// ("mounted at /home"), holds the system (mounted at / or /boot, /usr, /var),
// or is swap in use or formatted as swap.
QList<BlockDeviceEntry> parseLsblk(const QByteArray &json, QString *error);
// Runs lsblk and parses it.
QList<BlockDeviceEntry> listBlockDevices(QString *error);

struct InterfaceEntry
{
    QString name;
    QString operstate; // up, down, unknown, ...
    int mtu = 0;
};

// The Ethernet interfaces of this process's network namespace, with link
// state and MTU. Asked of the kernel (if_nameindex, SIOCGIF*) rather than
// read from /sys/class/net, which shows the namespace sysfs was mounted in:
// the same values, also right for a process that entered another namespace.
QList<InterfaceEntry> listInterfaces();

// The first shelf.slot (shelf from 1, slot from 1) not in `taken`
// (each entry (shelf << 8) | slot).
quint32 firstFreeAddress(const QSet<quint32> &taken);

} // namespace Etherdisk::Ui
