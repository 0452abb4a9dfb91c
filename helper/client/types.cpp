// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
#include "etherdiskclient/types.h"

#include <QDBusArgument>
#include <QDBusMetaType>
#include <QDBusObjectPath>
#include <QDBusVariant>

namespace Etherdisk::Client {

void registerTypes()
{
    static const bool done = [] {
        qDBusRegisterMetaType<StringMap>();
        qDBusRegisterMetaType<VariantMapList>();
        qDBusRegisterMetaType<InterfaceProperties>();
        qDBusRegisterMetaType<ManagedObjects>();
        qRegisterMetaType<Etherdisk::Client::Error>();
        return true;
    }();
    (void)done;
}

Error::Kind Error::kind() const
{
    if (name.isEmpty())
        return Kind::None;
    static const QString prefix = QLatin1String(ErrorPrefix);
    if (name.startsWith(prefix)) {
        const QStringView n = QStringView(name).mid(prefix.size());
        if (n == u"NotAuthorized")
            return Kind::NotAuthorized;
        if (n == u"InvalidArgument")
            return Kind::InvalidArgument;
        if (n == u"AddressInUse")
            return Kind::AddressInUse;
        if (n == u"DeviceBusy")
            return Kind::DeviceBusy;
        if (n == u"NotFound")
            return Kind::NotFound;
        if (n == u"NotSupported")
            return Kind::NotSupported;
        if (n == u"Failed")
            return Kind::Failed;
        return Kind::Other;
    }
    // The bus could not reach the helper: not installed, failed to start,
    // or no bus at all.
    if (name == QLatin1String("org.freedesktop.DBus.Error.ServiceUnknown")
        || name == QLatin1String("org.freedesktop.DBus.Error.NameHasNoOwner")
        || name == QLatin1String("org.freedesktop.DBus.Error.NoServer")
        || name == QLatin1String("org.freedesktop.DBus.Error.Disconnected")
        || name == QLatin1String("org.freedesktop.DBus.Error.FileNotFound")
        || name == QLatin1String("org.freedesktop.DBus.Error.BadAddress")
        || name.startsWith(QLatin1String("org.freedesktop.DBus.Error.Spawn.")))
        return Kind::HelperUnavailable;
    return Kind::Other;
}

Error Error::fromDBus(const QDBusError &error)
{
    if (!error.isValid())
        return {};
    return { error.name(), error.message() };
}

QString targetName(uint shelf, uint slot)
{
    return QStringLiteral("e%1.%2").arg(shelf).arg(slot);
}

QString exportPath(uint shelf, uint slot)
{
    return QStringLiteral("%1/%2_%3").arg(QLatin1String(ExportsPath)).arg(shelf).arg(slot);
}

QString targetPath(uint shelf, uint slot)
{
    return QStringLiteral("%1/%2_%3").arg(QLatin1String(TargetsPath)).arg(shelf).arg(slot);
}

QVariant demarshal(const QVariant &value)
{
    if (value.metaType() == QMetaType::fromType<QDBusVariant>())
        return demarshal(value.value<QDBusVariant>().variant());
    if (value.metaType() != QMetaType::fromType<QDBusArgument>())
        return value;
    const QDBusArgument arg = value.value<QDBusArgument>();
    const QString signature = arg.currentSignature();
    if (signature == QLatin1String("aa{sv}"))
        return QVariant::fromValue(qdbus_cast<VariantMapList>(arg));
    if (signature == QLatin1String("a{sv}"))
        return qdbus_cast<QVariantMap>(arg);
    if (signature == QLatin1String("a{ss}"))
        return QVariant::fromValue(qdbus_cast<StringMap>(arg));
    if (arg.currentType() == QDBusArgument::ArrayType) {
        QVariantList list;
        arg.beginArray();
        while (!arg.atEnd())
            list << demarshal(arg.asVariant());
        arg.endArray();
        return list;
    }
    return arg.asVariant();
}

namespace {

    QList<QVariantMap> mapList(const QVariant &value)
    {
        const QVariant v = demarshal(value);
        if (v.metaType() == QMetaType::fromType<VariantMapList>())
            return v.value<VariantMapList>();
        QList<QVariantMap> out;
        for (const QVariant &e : v.toList())
            out << e.toMap();
        return out;
    }

} // namespace

ExportInfo ExportInfo::fromProperties(const QString &path, const QVariantMap &p)
{
    ExportInfo e;
    e.path = path;
    e.shelf = quint16(p.value(QStringLiteral("Shelf")).toUInt());
    e.slot = quint8(p.value(QStringLiteral("Slot")).toUInt());
    e.source = p.value(QStringLiteral("Source")).toString();
    e.interfaces = p.value(QStringLiteral("Interfaces")).toStringList();
    e.size = p.value(QStringLiteral("Size")).toULongLong();
    e.readOnly = p.value(QStringLiteral("ReadOnly")).toBool();
    e.writeMode = p.value(QStringLiteral("WriteMode")).toString();
    e.allowedMacs = p.value(QStringLiteral("AllowedMacs")).toStringList();
    e.persistent = p.value(QStringLiteral("Persistent")).toBool();
    e.state = p.value(QStringLiteral("State")).toString();
    e.lastError = p.value(QStringLiteral("LastError")).toString();
    for (const QVariantMap &c : mapList(p.value(QStringLiteral("Clients")))) {
        ClientInfo ci;
        ci.mac = c.value(QStringLiteral("mac")).toString();
        ci.requests = c.value(QStringLiteral("requests")).toULongLong();
        ci.bytesRead = c.value(QStringLiteral("bytes-read")).toULongLong();
        ci.bytesWritten = c.value(QStringLiteral("bytes-written")).toULongLong();
        ci.errors = c.value(QStringLiteral("errors")).toULongLong();
        ci.lastSeenMs = c.value(QStringLiteral("last-seen-ms")).toLongLong();
        e.clients << ci;
    }
    e.bytesRead = p.value(QStringLiteral("BytesRead")).toULongLong();
    e.bytesWritten = p.value(QStringLiteral("BytesWritten")).toULongLong();
    e.readRequests = p.value(QStringLiteral("ReadRequests")).toULongLong();
    e.writeRequests = p.value(QStringLiteral("WriteRequests")).toULongLong();
    e.errors = p.value(QStringLiteral("Errors")).toULongLong();
    return e;
}

QStringList TargetInfo::interfaces() const
{
    QStringList out;
    for (const PathInfo &p : paths) {
        if (!out.contains(p.interface))
            out << p.interface;
    }
    return out;
}

TargetInfo TargetInfo::fromProperties(const QString &path, const QVariantMap &p)
{
    TargetInfo t;
    t.path = path;
    t.shelf = quint16(p.value(QStringLiteral("Shelf")).toUInt());
    t.slot = quint8(p.value(QStringLiteral("Slot")).toUInt());
    t.size = p.value(QStringLiteral("Size")).toULongLong();
    t.model = p.value(QStringLiteral("Model")).toString();
    t.serial = p.value(QStringLiteral("Serial")).toString();
    t.firmware = p.value(QStringLiteral("Firmware")).toString();
    for (const QVariantMap &m : mapList(p.value(QStringLiteral("Paths")))) {
        PathInfo pi;
        pi.mac = m.value(QStringLiteral("mac")).toString();
        pi.interface = m.value(QStringLiteral("interface")).toString();
        pi.payload = m.value(QStringLiteral("payload-bytes")).toUInt();
        pi.lastSeenMs = m.value(QStringLiteral("last-seen-ms")).toLongLong();
        t.paths << pi;
    }
    t.state = p.value(QStringLiteral("State")).toString();
    t.conflictDetail = p.value(QStringLiteral("ConflictDetail")).toString();
    t.attachedDevice = p.value(QStringLiteral("AttachedDevice")).toString();
    return t;
}

} // namespace Etherdisk::Client
