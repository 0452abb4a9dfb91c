// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
//
// Texts the views share: sizes and rates in binary units, MAC lists.
#pragma once

#include <QString>
#include <QtGlobal>

namespace Etherdisk::Ui {

// "512 B", "1.0 MiB", "2.5 GiB" (binary units, one decimal above bytes).
QString formatBytes(quint64 bytes);
// "0 B/s", "1.2 MiB/s".
QString formatRate(double bytesPerSecond);

} // namespace Etherdisk::Ui
