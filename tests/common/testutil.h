// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
//
// Shared helpers for the Qt Test suites.
#pragma once

#include <QByteArray>
#include <QStandardPaths>
#include <QString>
#include <QTest>

#include <cstdint>
#include <span>
#include <unistd.h>

namespace EtherdiskTest {

// Tests that need something this machine may lack (a peer program, root,
// network namespaces) call this from initTestCase(): by default the whole
// suite is skipped with the reason printed, and ctest reports it as skipped
// (see SKIP_REGULAR_EXPRESSION in tests/CMakeLists.txt). With
// ETHERDISK_NO_SKIP=1 (CI, where everything is installed) a missing resource
// fails instead, so nothing can pass silently there.
inline bool noSkip()
{
    return qEnvironmentVariableIntValue("ETHERDISK_NO_SKIP") == 1;
}

#define ETHERDISK_REQUIRE(condition, reason) \
    do { \
        if (!(condition)) { \
            if (EtherdiskTest::noSkip()) \
                QFAIL( \
                    qPrintable(QStringLiteral("required resource missing (ETHERDISK_NO_SKIP=1): ") \
                               + QString(reason))); \
            QSKIP(qPrintable(QString(reason))); \
        } \
    } while (false)

// A feature of the running kernel that no package installs (device mapper,
// md): skipped with the reason even under ETHERDISK_NO_SKIP=1, because no
// setup can provide it; the reason says "kernel" so the summary shows why.
// Use only for kernel features; programs and packages use ETHERDISK_REQUIRE.
#define ETHERDISK_REQUIRE_KERNEL(condition, reason) \
    do { \
        if (!(condition)) \
            QSKIP(qPrintable(QStringLiteral("this kernel lacks it: ") + QString(reason))); \
    } while (false)

inline bool haveProgram(const QString &name)
{
    const QStringList extra = { QStringLiteral("/usr/sbin"), QStringLiteral("/sbin") };
    return !QStandardPaths::findExecutable(name).isEmpty()
        || !QStandardPaths::findExecutable(name, extra).isEmpty();
}

inline QString programPath(const QString &name)
{
    QString path = QStandardPaths::findExecutable(name);
    if (path.isEmpty())
        path = QStandardPaths::findExecutable(
            name, { QStringLiteral("/usr/sbin"), QStringLiteral("/sbin") });
    return path;
}

inline bool isRoot()
{
    return geteuid() == 0;
}

inline std::span<const std::uint8_t> bytes(const QByteArray &a)
{
    return { reinterpret_cast<const std::uint8_t *>(a.constData()), std::size_t(a.size()) };
}

// Hex with optional spaces and '|' separators, for readable test tables.
inline QByteArray hex(const char *text)
{
    QByteArray clean(text);
    clean.replace(' ', "").replace('|', "").replace('\n', "");
    return QByteArray::fromHex(clean);
}

} // namespace EtherdiskTest
