// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
//
// The app's icons: from the desktop's icon theme where it has them, else
// drawn here (so the app looks whole on a bare X server too).
#pragma once

#include <QIcon>

namespace Etherdisk::Ui {

enum class TrayState { Idle, Active, Lost, Disconnected };

// A padlock: the action will ask for a password (polkit "auth").
QIcon lockIcon();
// The application icon: a disk with a network link; `state` tints it.
QIcon appIcon(TrayState state = TrayState::Active);

} // namespace Etherdisk::Ui
