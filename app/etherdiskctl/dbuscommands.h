// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
//
// etherdiskctl's commands that go through etherdisk-helper over D-Bus:
// list, exports, export, unexport, set, attach, detach, monitor. Built
// from the client library alone (Qt Core + DBus; never core:
// tests/check-client-no-core.cmake). See etherdiskctl(1).
#pragma once

#include <QString>
#include <QStringList>

namespace DBusCtl {

// Exit codes of these commands (etherdiskctl(1), EXIT STATUS); sysexits.h
// values.
enum Exit : int {
    ExitOk = 0,
    ExitProblem = 1, // a listed object is in trouble (e.g. a target in conflict)
    ExitUsage = 64, // EX_USAGE: bad command line; nothing was sent to the helper
    ExitInvalidArgument = 65, // EX_DATAERR: the helper refused an argument (InvalidArgument)
    ExitNotFound = 66, // EX_NOINPUT: no such export, target, or file
    ExitUnavailable = 69, // EX_UNAVAILABLE: the helper is not running and could not be started
    ExitFailed = 70, // EX_SOFTWARE: the helper failed (Failed), or another D-Bus error
    ExitBusy = 75, // EX_TEMPFAIL: the device is busy or the address is in use
    ExitNotAuthorized = 77, // EX_NOPERM: polkit said no (NotAuthorized), or a file cannot be opened
};

bool isCommand(const QString &name);
int run(const QString &command, const QStringList &arguments);
// The lines of `etherdiskctl --help` that list these commands.
QString helpText();

} // namespace DBusCtl
