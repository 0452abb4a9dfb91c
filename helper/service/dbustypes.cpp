// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
#include "dbustypes.h"

#include <QDBusMetaType>

namespace Etherdisk::Helper {

void registerDBusTypes()
{
    qDBusRegisterMetaType<StringMap>();
    qDBusRegisterMetaType<VariantMapList>();
    qDBusRegisterMetaType<InterfaceProperties>();
    qDBusRegisterMetaType<ManagedObjects>();
}

} // namespace Etherdisk::Helper
