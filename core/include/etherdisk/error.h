// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
//
// Why a core call failed: the kinds map onto the D-Bus API's errors and the
// command-line tools' exit codes.
#pragma once

#include <string>

namespace Etherdisk {

enum class ErrorKind {
    None,
    InvalidArgument, // the request itself is wrong
    AddressInUse, // shelf.slot already served on that interface
    NoSuchFile, // backing file or device missing
    NoSuchInterface,
    PermissionDenied, // file access, or CAP_NET_RAW for the interface
    NotFound, // no such export (or device)
    NotSupported, // the kernel lacks what is needed (e.g. the Linux aoe driver)
    DeviceBusy, // a device is mounted, open or held
    Failed, // anything else (I/O error, resources)
};

struct Error
{
    ErrorKind kind = ErrorKind::None;
    std::string message; // a sentence a person can act on
};

} // namespace Etherdisk
