// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
#include "dbustypes.h"

#include <QDBusMetaType>

#include <cstdio>

namespace Etherdisk::Helper {

void registerDBusTypes()
{
    qDBusRegisterMetaType<StringMap>();
    qDBusRegisterMetaType<VariantMapList>();
    qDBusRegisterMetaType<InterfaceProperties>();
    qDBusRegisterMetaType<ManagedObjects>();
}

void logLine(const QString &line)
{
    std::fprintf(stderr, "etherdisk-helper: %s\n", qPrintable(line));
}

} // namespace Etherdisk::Helper
