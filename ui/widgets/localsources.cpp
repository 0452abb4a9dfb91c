// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
#include "widgets/localsources.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>

#include <algorithm>
#include <cstring>
#include <net/if.h>
#include <net/if_arp.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

namespace Etherdisk::Ui {

namespace {

    // The context of these messages in translations/.
    struct LocalSources
    {
        Q_DECLARE_TR_FUNCTIONS(Etherdisk::Ui::LocalSources)
    };

    QStringList mountpoints(const QJsonObject &o)
    {
        QStringList out;
        const QJsonValue v = o.value(QStringLiteral("mountpoints"));
        for (const QJsonValue &m : v.toArray())
            if (m.isString() && !m.toString().isEmpty())
                out << m.toString();
        const QJsonValue single = o.value(QStringLiteral("mountpoint"));
        if (single.isString() && !single.toString().isEmpty() && !out.contains(single.toString()))
            out << single.toString();
        return out;
    }

    bool isSystemMount(const QString &m)
    {
        for (const char *system : { "/", "/boot", "/boot/efi", "/usr", "/var" })
            if (m == QLatin1String(system))
                return true;
        return false;
    }

    // Why `o` (and its children) cannot be exported, "" if it can.
    QString reasonFor(const QJsonObject &o)
    {
        const QStringList mounts = mountpoints(o);
        for (const QString &m : mounts)
            if (isSystemMount(m))
                return LocalSources::tr("holds the system (%1)").arg(m);
        if (o.value(QStringLiteral("fstype")).toString() == u"swap" || mounts.contains(u"[SWAP]"))
            return LocalSources::tr("swap");
        if (!mounts.isEmpty())
            return LocalSources::tr("mounted at %1").arg(mounts.constFirst());
        for (const QJsonValue &c : o.value(QStringLiteral("children")).toArray()) {
            const QString child = reasonFor(c.toObject());
            if (!child.isEmpty())
                return LocalSources::tr("a partition: %1").arg(child);
        }
        return {};
    }

    void collect(const QJsonArray &devices, int depth, QList<BlockDeviceEntry> *out)
    {
        for (const QJsonValue &v : devices) {
            const QJsonObject o = v.toObject();
            BlockDeviceEntry e;
            e.path = o.value(QStringLiteral("path")).toString();
            e.type = o.value(QStringLiteral("type")).toString();
            const QJsonValue size = o.value(QStringLiteral("size"));
            e.size = size.isString() ? size.toString().toULongLong() : quint64(size.toDouble());
            e.model = o.value(QStringLiteral("model")).toString().trimmed();
            e.label = o.value(QStringLiteral("label")).toString();
            e.unavailable = reasonFor(o);
            e.depth = depth;
            if (e.type == u"rom")
                e.unavailable = LocalSources::tr("an optical drive");
            out->append(e);
            collect(o.value(QStringLiteral("children")).toArray(), depth + 1, out);
        }
    }

} // namespace

QList<BlockDeviceEntry> parseLsblk(const QByteArray &json, QString *error)
{
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &parseError);
    if (!doc.isObject()) {
        *error = LocalSources::tr("lsblk gave no readable list: %1").arg(parseError.errorString());
        return {};
    }
    QList<BlockDeviceEntry> out;
    collect(doc.object().value(QStringLiteral("blockdevices")).toArray(), 0, &out);
    return out;
}

QList<BlockDeviceEntry> listBlockDevices(QString *error)
{
    QProcess lsblk;
    lsblk.start(QStringLiteral("lsblk"),
                { QStringLiteral("--json"), QStringLiteral("--bytes"), QStringLiteral("-o"),
                  QStringLiteral("PATH,TYPE,SIZE,MODEL,LABEL,FSTYPE,MOUNTPOINTS") });
    if (!lsblk.waitForFinished(10000) || lsblk.exitStatus() != QProcess::NormalExit
        || lsblk.exitCode() != 0) {
        *error = LocalSources::tr("lsblk failed: %1")
                     .arg(lsblk.error() == QProcess::FailedToStart
                              ? LocalSources::tr("it is not installed (package util-linux)")
                              : QString::fromLocal8Bit(lsblk.readAllStandardError()).trimmed());
        return {};
    }
    return parseLsblk(lsblk.readAllStandardOutput(), error);
}

QList<InterfaceEntry> listInterfaces()
{
    QList<InterfaceEntry> out;
    struct if_nameindex *names = if_nameindex();
    if (!names)
        return out;
    const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    for (struct if_nameindex *n = names; fd >= 0 && n->if_index != 0; ++n) {
        struct ifreq req = {};
        std::strncpy(req.ifr_name, n->if_name, IFNAMSIZ - 1);
        if (::ioctl(fd, SIOCGIFHWADDR, &req) != 0 || req.ifr_hwaddr.sa_family != ARPHRD_ETHER)
            continue;
        InterfaceEntry e;
        e.name = QString::fromLocal8Bit(n->if_name);
        if (::ioctl(fd, SIOCGIFFLAGS, &req) == 0) {
            const bool up = req.ifr_flags & IFF_UP;
            const bool running = req.ifr_flags & IFF_RUNNING;
            e.operstate = running ? QStringLiteral("up")
                                  : (up ? QStringLiteral("no carrier") : QStringLiteral("down"));
        }
        if (::ioctl(fd, SIOCGIFMTU, &req) == 0)
            e.mtu = req.ifr_mtu;
        out.append(e);
    }
    if (fd >= 0)
        ::close(fd);
    if_freenameindex(names);
    std::sort(out.begin(), out.end(),
              [](const InterfaceEntry &a, const InterfaceEntry &b) { return a.name < b.name; });
    return out;
}

quint32 firstFreeAddress(const QSet<quint32> &taken)
{
    for (quint32 shelf = 1; shelf < 0xffff; ++shelf)
        for (quint32 slot = 1; slot < 0xff; ++slot)
            if (!taken.contains((shelf << 8) | slot))
                return (shelf << 8) | slot;
    return 0;
}

} // namespace Etherdisk::Ui
