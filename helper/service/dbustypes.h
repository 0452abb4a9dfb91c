// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
//
// The D-Bus container types of the helper's interfaces, named so the
// adaptors generated from helper/dbus/*.xml and the ObjectManager can use
// them. registerDBusTypes() must run before the first object is registered.
#pragma once

#include <QDBusObjectPath>
#include <QList>
#include <QMap>
#include <QMetaType>
#include <QString>
#include <QVariantMap>

#include <string>

namespace Etherdisk::Helper {

inline constexpr char ServiceName[] = "org.etherdisk.Etherdisk1";
inline constexpr char RootPath[] = "/org/etherdisk/Etherdisk1";
inline constexpr char ManagerPath[] = "/org/etherdisk/Etherdisk1/Manager";
inline constexpr char ExportsPath[] = "/org/etherdisk/Etherdisk1/exports";
inline constexpr char ManagerInterface[] = "org.etherdisk.Etherdisk1.Manager";
inline constexpr char ExportInterface[] = "org.etherdisk.Etherdisk1.Export";

void registerDBusTypes();

// One line to the journal (stderr): "etherdisk-helper: LINE".
void logLine(const QString &line);

// "org.etherdisk.Etherdisk1.Error." + suffix ("NotFound", ...).
inline QString errorName(const char *suffix)
{
    return QStringLiteral("org.etherdisk.Etherdisk1.Error.") + QLatin1String(suffix);
}

inline QString fromStd(const std::string &s)
{
    return QString::fromStdString(s);
}

} // namespace Etherdisk::Helper

using StringMap = QMap<QString, QString>; // a{ss}
using VariantMapList = QList<QVariantMap>; // aa{sv}
using InterfaceProperties = QMap<QString, QVariantMap>; // a{sa{sv}}
using ManagedObjects = QMap<QDBusObjectPath, InterfaceProperties>; // a{oa{sa{sv}}}
