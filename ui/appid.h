// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
//
// The desktop app's id: the name of its desktop entry without ".desktop"
// (app/etherdisk/org.etherdisk.Etherdisk.desktop) and its AppStream
// component id (org.etherdisk.Etherdisk.metainfo.xml). Qt passes it on as
// the Wayland app id and the X11 window class's desktop file, and the
// notifier sends it as the notifications' desktop-entry hint, so the
// desktop finds the entry's name and icon for both.
// app/etherdisk/check-metadata.sh (ctest etherdisk_metainfo) fails when
// the three differ.
#pragma once

#include <QString>

namespace Etherdisk::Ui {

inline QString appId()
{
    return QStringLiteral("org.etherdisk.Etherdisk");
}

} // namespace Etherdisk::Ui
