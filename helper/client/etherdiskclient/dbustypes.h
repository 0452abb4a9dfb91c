// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
//
// The D-Bus container types named in helper/dbus/*.xml (QtTypeName
// annotations), for the proxies generated from it. The helper's service
// declares the same aliases for the same types.
#pragma once

#include <QDBusObjectPath>
#include <QList>
#include <QMap>
#include <QString>
#include <QVariantMap>

using StringMap = QMap<QString, QString>; // a{ss}
using VariantMapList = QList<QVariantMap>; // aa{sv}
using InterfaceProperties = QMap<QString, QVariantMap>; // a{sa{sv}}
using ManagedObjects = QMap<QDBusObjectPath, InterfaceProperties>; // a{oa{sa{sv}}}
