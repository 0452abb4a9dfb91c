// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
//
// When discovery (and so `etherdiskctl discover --watch`) gives up on a
// silent target, and the window a test checks that against.
//
// Discovery checks only on its poll ticks (every intervalMs, from open()): a
// target is lost at the first tick at which more than missedPolls *
// intervalMs passed since its last answer (forgotten likewise after
// removeAfterMs). A target answers only when asked, within milliseconds of
// a poll, so its last answer came just after a tick T, and the first tick
// with enough silence is T + ticks * interval, with ticks = missedPolls + 1
// (loss) or removeAfterMs / intervalMs + 1 (removal). Hence two windows,
// each checked at both ends with `slackMs` (timers fire a little late on a
// busy machine, and a kill takes a moment):
//  - after the last answer: ticks * interval, exactly;
//  - after the target died (somewhere in the interval after T): from
//    (ticks - 1) * interval to ticks * interval. With the defaults (2 s, 2
//    missed polls) a target is reported lost 4 to 6 s after it died.
// One missed poll more or less moves both by a whole interval: the first
// check always catches it, the second too when the target dies in the
// middle of an interval.
#pragma once

#include <QString>

#include <cstdint>
#include <cstdlib>

namespace EtherdiskTest {

struct SilenceWindow
{
    int intervalMs = 0;
    int ticks = 0; // poll ticks from the last answered one to the report
    int slackMs = 200;

    static SilenceWindow loss(int intervalMs, int missedPolls)
    {
        return { intervalMs, missedPolls + 1 };
    }
    static SilenceWindow removal(int intervalMs, int removeAfterMs)
    {
        return { intervalMs, removeAfterMs / intervalMs + 1 };
    }
    std::int64_t afterAnswerMs() const { return std::int64_t(ticks) * intervalMs; }
    std::int64_t afterDeathFromMs() const { return std::int64_t(ticks - 1) * intervalMs; }
    std::int64_t afterDeathToMs() const { return afterAnswerMs(); }

    // Empty if an event `what` ("lost", "removed") reported `afterAnswer` ms
    // after the last answer, and `afterKillStart` ms after the kill began,
    // `afterKillEnd` ms after the target was gone, falls in the windows;
    // else what is wrong. Either way, the measurement (to print).
    QString check(const QString &what, std::int64_t afterAnswer, std::int64_t afterKillStart,
                  std::int64_t afterKillEnd, QString *measured) const
    {
        *measured =
            QStringLiteral("%1 %2 ms after the last answer (expected %3 +- %4 ms), %5 to %6 ms "
                           "after the kill (expected %7 to %8 ms, +- %4 ms)")
                .arg(what)
                .arg(afterAnswer)
                .arg(afterAnswerMs())
                .arg(slackMs)
                .arg(afterKillEnd)
                .arg(afterKillStart)
                .arg(afterDeathFromMs())
                .arg(afterDeathToMs());
        const bool ok = std::abs(afterAnswer - afterAnswerMs()) <= slackMs
            && afterKillStart >= afterDeathFromMs() - slackMs
            && afterKillEnd <= afterDeathToMs() + slackMs;
        return ok ? QString() : *measured;
    }
};

} // namespace EtherdiskTest
