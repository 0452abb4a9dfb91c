// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
#include "devicecheck.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QList>
#include <QStringList>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

namespace Etherdisk::Helper {

namespace {

    QString devNumber(dev_t rdev)
    {
        return QStringLiteral("%1:%2").arg(major(rdev)).arg(minor(rdev));
    }

    QByteArray readSmallFile(const QString &path)
    {
        QFile f(path);
        if (!f.open(QIODevice::ReadOnly))
            return {};
        return f.read(1 << 20);
    }

    // The device and its partitions, as "major:minor" -> kernel name.
    QList<QPair<QString, QString>> deviceAndPartitions(dev_t rdev)
    {
        QList<QPair<QString, QString>> result;
        const QString sys = QStringLiteral("/sys/dev/block/") + devNumber(rdev);
        const QString name = QFileInfo(QFileInfo(sys).canonicalFilePath()).fileName();
        result.append({ devNumber(rdev), name });
        const QDir dir(sys);
        for (const QString &sub : dir.entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
            if (!QFile::exists(dir.filePath(sub + QStringLiteral("/partition"))))
                continue;
            const QString dev =
                QString::fromLatin1(readSmallFile(dir.filePath(sub + QStringLiteral("/dev"))))
                    .trimmed();
            if (!dev.isEmpty())
                result.append({ dev, sub });
        }
        return result;
    }

    // /proc/self/mountinfo escapes spaces and the like as \ooo.
    QString unescapeMountPath(const QByteArray &field)
    {
        QByteArray out;
        for (int i = 0; i < field.size(); ++i) {
            if (field[i] == '\\' && i + 3 < field.size()) {
                bool ok = false;
                const int c = field.mid(i + 1, 3).toInt(&ok, 8);
                if (ok) {
                    out.append(char(c));
                    i += 3;
                    continue;
                }
            }
            out.append(field[i]);
        }
        return QString::fromLocal8Bit(out);
    }

} // namespace

int openBlockDevice(const QString &path, bool readOnly, QString *error)
{
    const QByteArray p = QFile::encodeName(path);
    const int fd = ::open(p.constData(), (readOnly ? O_RDONLY : O_RDWR) | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
        const int e = errno;
        if (e == ELOOP)
            *error = QStringLiteral("%1 is a symbolic link: name the device node itself "
                                    "(e.g. the target of the link, %2)")
                         .arg(path, QFileInfo(path).canonicalFilePath());
        else if (e == ENOENT)
            *error = QStringLiteral("%1 does not exist: name an existing block device").arg(path);
        else if (e == EPERM && !readOnly)
            *error = QStringLiteral("the kernel refuses writes to %1 (it is in use, e.g. by a "
                                    "mounted file system): export it read-only, or stop using it "
                                    "first")
                         .arg(path);
        else if (e == EBUSY)
            *error = QStringLiteral("%1 is busy (opened exclusively by another program)").arg(path);
        else
            *error = QStringLiteral("cannot open %1: %2")
                         .arg(path, QString::fromLocal8Bit(std::strerror(e)));
        return -1;
    }
    struct stat st
    {
    };
    struct stat named
    {
    };
    if (::fstat(fd, &st) < 0 || !S_ISBLK(st.st_mode)) {
        ::close(fd);
        *error = QStringLiteral("%1 is not a block device: pass an image file as a file "
                                "descriptor (CreateExportFromImage)")
                     .arg(path);
        return -1;
    }
    // The node that `path` names now must be the device we opened.
    if (::lstat(p.constData(), &named) < 0 || !S_ISBLK(named.st_mode)
        || named.st_rdev != st.st_rdev) {
        ::close(fd);
        *error = QStringLiteral("%1 changed while it was being opened: try again").arg(path);
        return -1;
    }
    return fd;
}

QString deviceBusyReason(dev_t rdev, const QString &name)
{
    const auto devices = deviceAndPartitions(rdev);
    // Mounted (the device itself or one of its partitions)?
    const QByteArray mountinfo = readSmallFile(QStringLiteral("/proc/self/mountinfo"));
    for (const QByteArray &line : mountinfo.split('\n')) {
        const QList<QByteArray> f = line.split(' ');
        if (f.size() < 5)
            continue;
        for (const auto &d : devices) {
            if (QString::fromLatin1(f[2]) != d.first)
                continue;
            const QString where = unescapeMountPath(f[4]);
            if (where == QLatin1String("/"))
                return QStringLiteral("%1 holds the running system's root file system (/%2): "
                                      "export another device (with force it can only be "
                                      "exported read-only)")
                    .arg(name,
                         d.first == devNumber(rdev) ? QString()
                                                    : QStringLiteral(", on partition ") + d.second);
            if (d.first == devNumber(rdev))
                return QStringLiteral("%1 is mounted on %2: unmount it first, or pass force")
                    .arg(name, where);
            return QStringLiteral("%1 holds partition %2, mounted on %3: unmount it first, or "
                                  "pass force")
                .arg(name, d.second, where);
        }
    }
    // Swap?
    const QByteArray swaps = readSmallFile(QStringLiteral("/proc/swaps"));
    const QList<QByteArray> swapLines = swaps.split('\n');
    for (int i = 1; i < swapLines.size(); ++i) {
        const QByteArray path = swapLines[i].split(' ').value(0);
        struct stat st
        {
        };
        if (path.isEmpty() || ::stat(path.constData(), &st) < 0 || !S_ISBLK(st.st_mode))
            continue;
        for (const auto &d : devices) {
            if (devNumber(st.st_rdev) == d.first)
                return QStringLiteral("%1 is in use as swap (%2): swapoff it first, or pass force")
                    .arg(name, QString::fromLocal8Bit(path));
        }
    }
    // Held by device mapper or md (LVM, LUKS, RAID)?
    for (const auto &d : devices) {
        const QDir holders(QStringLiteral("/sys/dev/block/") + d.first
                           + QStringLiteral("/holders"));
        const QStringList h = holders.entryList(QDir::AllEntries | QDir::NoDotAndDotDot);
        if (h.isEmpty())
            continue;
        // Name the holders as the admin knows them: dm-3 (vg0-home), md0.
        QStringList named;
        bool dm = false;
        for (const QString &holder : h) {
            const QString dmName =
                QString::fromLatin1(
                    readSmallFile(QStringLiteral("/sys/block/%1/dm/name").arg(holder)))
                    .trimmed();
            dm = dm || holder.startsWith(QLatin1String("dm-"));
            named << (dmName.isEmpty() ? holder : QStringLiteral("%1 (%2)").arg(holder, dmName));
        }
        const QString what = d.first == devNumber(rdev)
            ? name
            : QStringLiteral("%1 (partition %2 of it)").arg(name, d.second);
        return dm ? QStringLiteral("%1 is in use by device mapper %2 (LVM, encryption or "
                                   "dmsetup): deactivate it first (vgchange -an, cryptsetup close "
                                   "or dmsetup remove), or pass force")
                        .arg(what, named.join(QStringLiteral(", ")))
                  : QStringLiteral("%1 is a member of %2 (RAID): stop the array first (mdadm "
                                   "--stop), or pass force")
                        .arg(what, named.join(QStringLiteral(", ")));
    }
    return {};
}

bool holdsRootFileSystem(dev_t rdev)
{
    const auto devices = deviceAndPartitions(rdev);
    const QByteArray mountinfo = readSmallFile(QStringLiteral("/proc/self/mountinfo"));
    for (const QByteArray &line : mountinfo.split('\n')) {
        const QList<QByteArray> f = line.split(' ');
        if (f.size() < 5 || f[4] != "/")
            continue;
        for (const auto &d : devices) {
            if (QString::fromLatin1(f[2]) == d.first)
                return true;
        }
    }
    return false;
}

bool checkImageFd(int fd, bool readOnly, QString *error)
{
    const int flags = ::fcntl(fd, F_GETFL);
    struct stat st
    {
    };
    if (flags < 0 || ::fstat(fd, &st) < 0) {
        *error = QStringLiteral("the image file descriptor is not usable: %1")
                     .arg(QString::fromLocal8Bit(std::strerror(errno)));
        return false;
    }
#ifdef O_PATH
    if (flags & O_PATH) {
        *error = QStringLiteral("the image was opened with O_PATH: open it for reading%1")
                     .arg(readOnly ? QString() : QStringLiteral(" and writing"));
        return false;
    }
#endif
    if (!S_ISREG(st.st_mode)) {
        *error = QStringLiteral("the image file descriptor is not a regular file: pass a block "
                                "device by its device node (CreateExport)");
        return false;
    }
    const int mode = flags & O_ACCMODE;
    if (mode == O_WRONLY) {
        *error = QStringLiteral("the image was opened write-only: open it for reading%1")
                     .arg(readOnly ? QString() : QStringLiteral(" and writing"));
        return false;
    }
    if (!readOnly && mode != O_RDWR) {
        *error = QStringLiteral("the image was opened read-only: open it for reading and "
                                "writing, or pass read-only");
        return false;
    }
    if (flags & O_APPEND) {
        *error = QStringLiteral("the image was opened with O_APPEND, so writes would land at the "
                                "end of the file: open it without O_APPEND");
        return false;
    }
    return true;
}

} // namespace Etherdisk::Helper
