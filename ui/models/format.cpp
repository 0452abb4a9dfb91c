// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
#include "models/format.h"

#include <QCoreApplication>
#include <QLocale>

namespace Etherdisk::Ui {

QString formatBytes(quint64 bytes)
{
    static const char *const units[] = { QT_TRANSLATE_NOOP("Etherdisk::Ui", "KiB"),
                                         QT_TRANSLATE_NOOP("Etherdisk::Ui", "MiB"),
                                         QT_TRANSLATE_NOOP("Etherdisk::Ui", "GiB"),
                                         QT_TRANSLATE_NOOP("Etherdisk::Ui", "TiB"),
                                         QT_TRANSLATE_NOOP("Etherdisk::Ui", "PiB") };
    if (bytes < 1024)
        return QCoreApplication::translate("Etherdisk::Ui", "%1 B").arg(bytes);
    double value = double(bytes) / 1024.0;
    int unit = 0;
    while (value >= 1024.0 && unit < 4) {
        value /= 1024.0;
        ++unit;
    }
    QLocale locale; // the decimal sign of the user's language, no thousands separator
    locale.setNumberOptions(QLocale::OmitGroupSeparator);
    return QStringLiteral("%1 %2")
        .arg(locale.toString(value, 'f', 1))
        .arg(QCoreApplication::translate("Etherdisk::Ui", units[unit]));
}

QString formatRate(double bytesPerSecond)
{
    return QCoreApplication::translate("Etherdisk::Ui", "%1/s")
        .arg(formatBytes(quint64(bytesPerSecond < 0 ? 0 : bytesPerSecond)));
}

} // namespace Etherdisk::Ui
