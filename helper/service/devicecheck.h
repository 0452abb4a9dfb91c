// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
//
// Checks on what a caller asks the helper to export, done on file
// descriptors, never on paths that could change between check and use.
#pragma once

#include <QString>

#include <sys/types.h>

namespace Etherdisk::Helper {

// Opens the block device node `path` as the helper (after authorization):
// O_NOFOLLOW (a symbolic link is refused, so nobody can point a link the
// helper follows at another disk), then checks on the descriptor that it
// is a block device and the very node that `path` names now (same device
// number, not a symbolic link). Returns the descriptor (O_CLOEXEC) or -1
// with *error a sentence naming what to do.
int openBlockDevice(const QString &path, bool readOnly, QString *error);

// Why the block device `rdev` is in use, or "" if it is not: mounted (or
// a partition of it mounted, "/" included), used as swap, or held by a
// device mapper / md device (LVM, LUKS, RAID members). The answer names the
// device (`name`) and what to do.
QString deviceBusyReason(dev_t rdev, const QString &name);

// True if `rdev` or one of its partitions holds the running system's root
// file system ("/" in the helper's mount namespace). force does not make
// such a device writable over the network: it may be exported read-only
// with force, never read-write.
bool holdsRootFileSystem(dev_t rdev);

// Checks an image descriptor passed by a caller: a regular file, opened
// for reading (and writing unless `readOnly`), without O_APPEND or O_PATH.
// False with *error.
bool checkImageFd(int fd, bool readOnly, QString *error);

} // namespace Etherdisk::Helper
