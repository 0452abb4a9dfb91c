// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
//
// Disk images for the targets the suites start.
#pragma once

#include <QByteArray>
#include <QString>

namespace EtherdiskTest {

// A sparse file of `sectors` 512-byte sectors, all zeros (replaces `path`).
bool makeSparseImage(const QString &path, qint64 sectors);
// A file holding exactly `content` (replaces `path`).
bool writeImage(const QString &path, const QByteArray &content);
// `bytes` of a deterministic pseudo-random pattern; every sector differs
// from every other, and different seeds give different data.
QByteArray patternData(qsizetype bytes, int seed);
// An image of `sectors` sectors of patternData(sectors * 512, seed).
bool makePatternImage(const QString &path, qint64 sectors, int seed);
// What `path` holds now (empty if it cannot be read).
QByteArray readImage(const QString &path);

} // namespace EtherdiskTest
