// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
//
// The client side of etherdisk-helper's D-Bus API (helper/dbus/*.xml):
// names, errors, and typed views of the Export and Target objects.
#pragma once

#include "etherdiskclient/dbustypes.h"

#include <QDBusError>
#include <QList>
#include <QMetaType>
#include <QString>
#include <QStringList>
#include <QVariantMap>

#include <climits>

namespace Etherdisk::Client {

inline constexpr char ServiceName[] = "org.etherdisk.Etherdisk1";
inline constexpr char RootPath[] = "/org/etherdisk/Etherdisk1";
inline constexpr char ManagerPath[] = "/org/etherdisk/Etherdisk1/Manager";
inline constexpr char ExportsPath[] = "/org/etherdisk/Etherdisk1/exports";
inline constexpr char TargetsPath[] = "/org/etherdisk/Etherdisk1/targets";
inline constexpr char ManagerInterface[] = "org.etherdisk.Etherdisk1.Manager";
inline constexpr char ExportInterface[] = "org.etherdisk.Etherdisk1.Export";
inline constexpr char TargetInterface[] = "org.etherdisk.Etherdisk1.Target";
inline constexpr char ErrorPrefix[] = "org.etherdisk.Etherdisk1.Error.";

// Options of the mutating methods (a{sv}).
inline constexpr char OptionReadOnly[] = "read-only"; // b
inline constexpr char OptionWriteMode[] = "write-mode"; // s: writeback | sync | direct
inline constexpr char OptionAllow[] = "allow"; // as: MACs; empty: everyone
inline constexpr char OptionPersistent[] = "persistent"; // b
inline constexpr char OptionForce[] = "force"; // b
inline constexpr char OptionNoUserInteraction[] = "auth.no_user_interaction"; // b

// Mutating calls may wait for a polkit password prompt as long as the user
// takes: no D-Bus timeout (libdbus treats INT_MAX as none), as udisksctl.
inline constexpr int CallTimeoutMs = INT_MAX;

// Registers the D-Bus container types; every entry point of the library
// calls it, so users need not.
void registerTypes();

// A D-Bus error as the helper (or the bus) sent it.
struct Error
{
    enum class Kind {
        None,
        NotAuthorized,
        InvalidArgument,
        AddressInUse,
        DeviceBusy,
        NotFound,
        NotSupported,
        Failed,
        HelperUnavailable, // the helper is not running and could not be started, or no bus
        Other, // any other D-Bus error (a timeout, the helper gone during the call, ...)
    };

    QString name; // e.g. org.etherdisk.Etherdisk1.Error.DeviceBusy; empty: no error
    QString message; // exactly as sent

    bool isError() const { return !name.isEmpty(); }
    Kind kind() const;

    static Error fromDBus(const QDBusError &error);
};

// "e1.2"
QString targetName(uint shelf, uint slot);
// /org/etherdisk/Etherdisk1/exports/1_2 and .../targets/1_2
QString exportPath(uint shelf, uint slot);
QString targetPath(uint shelf, uint slot);

struct ClientInfo // one initiator an export has seen
{
    QString mac;
    quint64 requests = 0;
    quint64 bytesRead = 0;
    quint64 bytesWritten = 0;
    quint64 errors = 0;
    qint64 lastSeenMs = 0; // CLOCK_REALTIME
};

struct ExportInfo // org.etherdisk.Etherdisk1.Export
{
    QString path;
    quint16 shelf = 0;
    quint8 slot = 0;
    QString source;
    QStringList interfaces;
    quint64 size = 0; // bytes
    bool readOnly = false;
    QString writeMode;
    QStringList allowedMacs;
    bool persistent = false;
    QString state;
    QString lastError;
    QList<ClientInfo> clients;
    quint64 bytesRead = 0;
    quint64 bytesWritten = 0;
    quint64 readRequests = 0;
    quint64 writeRequests = 0;
    quint64 errors = 0;

    QString name() const { return targetName(shelf, slot); }
    static ExportInfo fromProperties(const QString &path, const QVariantMap &properties);
};

struct PathInfo // one way to reach a target
{
    QString mac;
    QString interface;
    quint32 payload = 0; // bytes one frame carries ("payload-bytes")
    qint64 lastSeenMs = 0; // the last answer, CLOCK_REALTIME ("last-seen-ms")
};

struct TargetInfo // org.etherdisk.Etherdisk1.Target
{
    QString path;
    quint16 shelf = 0;
    quint8 slot = 0;
    quint64 size = 0; // bytes
    QString model;
    QString serial;
    QString firmware;
    QList<PathInfo> paths;
    QString state; // online | lost | conflict
    QString conflictDetail; // why, when the state is conflict
    QString attachedDevice; // "" unless attached

    QString name() const { return targetName(shelf, slot); }
    QStringList interfaces() const; // of the paths, each once, in order
    static TargetInfo fromProperties(const QString &path, const QVariantMap &properties);
};

// A property value as received (QDBusArgument for containers Qt does not
// convert by itself) as a plain QVariant: aa{sv} becomes QList<QVariantMap>,
// a{sv} QVariantMap, other containers a QVariantList. Values compare with ==.
QVariant demarshal(const QVariant &value);

} // namespace Etherdisk::Client

Q_DECLARE_METATYPE(Etherdisk::Client::Error)
