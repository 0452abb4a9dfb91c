// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later

#include "images.h"

#include <QFile>

#include <cstdint>

namespace EtherdiskTest {

bool makeSparseImage(const QString &path, qint64 sectors)
{
    QFile f(path);
    return f.open(QIODevice::WriteOnly | QIODevice::Truncate) && f.resize(sectors * 512);
}

bool writeImage(const QString &path, const QByteArray &content)
{
    QFile f(path);
    return f.open(QIODevice::WriteOnly | QIODevice::Truncate) && f.write(content) == content.size();
}

QByteArray patternData(qsizetype bytes, int seed)
{
    // xorshift32: a period of 2^32 - 1, far longer than any image here.
    QByteArray a(bytes, Qt::Uninitialized);
    std::uint32_t x = 0x9E3779B9u * std::uint32_t(seed + 1);
    for (qsizetype i = 0; i < a.size(); ++i) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        a[i] = char(x >> 24);
    }
    return a;
}

bool makePatternImage(const QString &path, qint64 sectors, int seed)
{
    return writeImage(path, patternData(qsizetype(sectors * 512), seed));
}

QByteArray readImage(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

} // namespace EtherdiskTest
