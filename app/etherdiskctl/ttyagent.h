// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
//
// TtyAgent: polkit's text authentication agent for this process, so a
// password prompt for a call to the helper appears in the terminal (as
// udisksctl does). start() runs
//   pkttyagent --process <our pid> --notify-fd N
// and returns once it has registered with polkit (it closes N then), so
// the call that follows finds it; the destructor ends it.
//
// Not --fallback (which systemctl passes): polkit (122) ignores a fallback
// agent when the caller has no login session (a container, a service, a
// shell without pam_systemd), so no prompt would come at all. Without it,
// as udisksctl's own agent, the prompt comes to this terminal even where
// a graphical agent runs.
#pragma once

#include <QString>

#include <sys/types.h>

namespace DBusCtl {

class TtyAgent
{
public:
    TtyAgent() = default;
    ~TtyAgent() { stop(); }
    TtyAgent(const TtyAgent &) = delete;
    TtyAgent &operator=(const TtyAgent &) = delete;

    // False, with a sentence in *why, if pkttyagent is missing or could not
    // start or register (it then says why on stderr itself).
    bool start(QString *why);
    void stop();
    bool running() const { return m_pid > 0; }

    // Where it is looked for: $PATH ("" when it is not there).
    static QString program();

private:
    pid_t m_pid = -1;
};

} // namespace DBusCtl
