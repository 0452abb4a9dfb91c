// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
//
// etherdiskctl discover: the table of every AoE target on the LAN, in the
// spirit of aoe-stat, or (--watch) each change as it happens.

#include "ctl.h"

#include "etherdisk/discovery.h"
#include "etherdisk/util.h"
#include "etherdisk/packetio.h"

#include <QJsonArray>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <poll.h>
#include <set>

using namespace Etherdisk;

namespace Ctl {

namespace {

    QJsonObject pathJson(const TargetPath &p)
    {
        return {
            { QStringLiteral("interface"), QString::fromStdString(p.interface) },
            { QStringLiteral("mac"), macText(p.mac) },
            { QStringLiteral("buffer_count"), int(p.bufferCount) },
            { QStringLiteral("firmware_version"), int(p.firmwareVersion) },
            { QStringLiteral("max_sectors"), int(p.maxSectors) },
            { QStringLiteral("payload"), qint64(p.payloadBytes) },
            { QStringLiteral("config_string"), bytesText(p.configString) },
            { QStringLiteral("last_seen"), isoTime(p.lastSeenMs) },
        };
    }

    QJsonObject targetJson(const DiscoveredTarget &t)
    {
        QJsonArray paths;
        for (const TargetPath &p : t.paths)
            paths.append(pathJson(p));
        QJsonObject o{
            { QStringLiteral("target"), QString::fromStdString(t.name()) },
            { QStringLiteral("shelf"), int(t.shelf) },
            { QStringLiteral("slot"), int(t.slot) },
            { QStringLiteral("state"),
              t.state == DiscoveredTarget::State::Online ? QStringLiteral("online")
                                                         : QStringLiteral("lost") },
            { QStringLiteral("identified"), t.identified },
            { QStringLiteral("conflict"), t.conflict },
            { QStringLiteral("first_seen"), isoTime(t.firstSeenMs) },
            { QStringLiteral("last_seen"), isoTime(t.lastSeenMs) },
            { QStringLiteral("paths"), paths },
        };
        if (t.identified) {
            o.insert(QStringLiteral("sectors"), qint64(t.sectors));
            o.insert(QStringLiteral("size_bytes"), qint64(t.sectors * 512));
            o.insert(QStringLiteral("model"), QString::fromStdString(t.model));
            o.insert(QStringLiteral("serial"), QString::fromStdString(t.serial));
            o.insert(QStringLiteral("firmware"), QString::fromStdString(t.firmware));
            o.insert(QStringLiteral("lba48"), t.lba48);
            o.insert(QStringLiteral("flush_cache"), t.flushCache);
        }
        if (t.conflict)
            o.insert(QStringLiteral("conflict_detail"), QString::fromStdString(t.conflictDetail));
        return o;
    }

    QJsonObject malformedJson(const MalformedReply &m)
    {
        return {
            { QStringLiteral("interface"), QString::fromStdString(m.interface) },
            { QStringLiteral("mac"), macText(m.mac) },
            { QStringLiteral("target"), QStringLiteral("e%1.%2").arg(m.shelf).arg(m.slot) },
            { QStringLiteral("reason"), QString::fromStdString(m.reason) },
            { QStringLiteral("count"), qint64(m.count) },
            { QStringLiteral("last_seen"), isoTime(m.lastSeenMs) },
        };
    }

    // Columns padded to their widest cell; `right` columns right-aligned.
    void printTable(const QList<QStringList> &rows, const std::set<int> &right)
    {
        QList<qsizetype> width;
        for (const QStringList &r : rows)
            for (qsizetype c = 0; c < r.size(); ++c) {
                if (width.size() <= c)
                    width.append(0);
                width[c] = std::max(width[c], r[c].size());
            }
        for (const QStringList &r : rows) {
            QString line;
            for (qsizetype c = 0; c < r.size(); ++c) {
                if (c)
                    line += QStringLiteral("  ");
                const bool last = c == r.size() - 1;
                line += right.count(int(c)) ? r[c].rightJustified(width[c])
                    : last                  ? r[c]
                                            : r[c].leftJustified(width[c]);
            }
            printLine(line);
        }
    }

    void printTargets(const std::vector<DiscoveredTarget> &targets)
    {
        // aoe-stat's kind of table: its header and states stay English in
        // every language, since scripts read them (--json is the better way).
        QList<QStringList> rows;
        rows.append({ QStringLiteral("TARGET"), QStringLiteral("SIZE"),
                      QStringLiteral("INTERFACES"), QStringLiteral("PAYLOAD"),
                      QStringLiteral("STATE"), QStringLiteral("MODEL"), QStringLiteral("MACS") });
        QStringList notes;
        for (const DiscoveredTarget &t : targets) {
            QStringList ifs, macs;
            unsigned payload = 0;
            for (const TargetPath &p : t.paths) {
                const QString i = QString::fromStdString(p.interface), m = macText(p.mac);
                if (!ifs.contains(i))
                    ifs.append(i);
                if (!macs.contains(m))
                    macs.append(m);
                // The Linux driver uses the smallest payload of all paths.
                payload = payload ? std::min(payload, p.payloadBytes) : p.payloadBytes;
            }
            QString state = t.state == DiscoveredTarget::State::Online ? QStringLiteral("online")
                                                                       : QStringLiteral("lost");
            if (t.conflict) {
                state += QStringLiteral(",CONFLICT");
                notes.append(QStringLiteral("%1: %2").arg(
                    QString::fromStdString(t.name()), QString::fromStdString(t.conflictDetail)));
            }
            const QString na = QStringLiteral("(NA)");
            rows.append({ QString::fromStdString(t.name()), t.identified ? sizeText(t.sectors) : na,
                          ifs.join(QLatin1Char(',')), payload ? QString::number(payload) : na,
                          state, t.identified ? QString::fromStdString(t.model) : na,
                          macs.join(QLatin1Char(',')) });
        }
        printTable(rows, { 1, 3 });
        for (const QString &n : notes)
            printLine(n);
    }

    QString interfaceList(const std::vector<std::string> &interfaces)
    {
        QStringList l;
        for (const std::string &i : interfaces)
            l.append(QString::fromStdString(i));
        return l.join(QStringLiteral(", "));
    }

} // namespace

int discover(const QStringList &arguments)
{
    Command cmd(QStringLiteral("discover"),
                QStringLiteral("discover [-i IF]... [--json] [--watch] [--wait S] [--interval S] "
                               "[--missed N] [--forget S]"),
                tr("Lists every AoE target that answers on the interfaces (default: every "
                   "Ethernet interface that is up) by broadcasting Query Config, as aoe-stat "
                   "would after a discover, but without the kernel driver."));
    cmd.parser.addOption({ { QStringLiteral("i"), QStringLiteral("interface") },
                           tr("Listen and ask on IF (repeat, or separate with commas)."),
                           QStringLiteral("IF") });
    cmd.parser.addOption(
        { QStringLiteral("watch"),
          tr("Keep running and print each change (added, changed, lost, recovered, conflict, "
             "malformed, removed; suppressed and overflow summarize what was left out) with a "
             "timestamp; with --json one object per line.") });
    cmd.parser.addOption({ { QStringLiteral("w"), QStringLiteral("wait") },
                           tr("Without --watch: listen this long before printing (default 2)."),
                           QStringLiteral("S") });
    cmd.parser.addOption({ QStringLiteral("interval"),
                           tr("Seconds between broadcast polls (default 2)."),
                           QStringLiteral("S") });
    cmd.parser.addOption({ QStringLiteral("forget"),
                           tr("With --watch: forget a lost target once it has been silent this "
                              "many seconds, and report it removed (default: keep it listed as "
                              "lost)."),
                           QStringLiteral("S") });
    cmd.parser.addOption({ QStringLiteral("missed"),
                           tr("A target is lost after this many unanswered polls (default 2)."),
                           QStringLiteral("N") });
    int code = ExitOk;
    if (!cmd.parse(arguments, &code))
        return code;
    if (!cmd.parser.positionalArguments().isEmpty())
        return fail(ExitUsage,
                    tr("unexpected argument \"%1\"").arg(cmd.parser.positionalArguments().first()));
    double waitS = 2, intervalS = 2, missed = 2, forgetS = 0;
    if (!cmd.number(QStringLiteral("wait"), 0.1, 3600, &waitS, &code)
        || !cmd.number(QStringLiteral("interval"), 0.1, 3600, &intervalS, &code)
        || !cmd.number(QStringLiteral("missed"), 1, 1000, &missed, &code)
        || !cmd.number(QStringLiteral("forget"), 0.1, 7 * 86400, &forgetS, &code))
        return code;
    if (missed != double(int(missed)))
        return fail(ExitUsage,
                    tr("invalid --missed \"%1\": expected a whole number")
                        .arg(cmd.parser.value(QStringLiteral("missed"))));
    const bool watch = cmd.parser.isSet(QStringLiteral("watch"));
    const bool json = cmd.json();

    Discovery::Options o;
    o.interfaces = cmd.interfaces();
    if (o.interfaces.empty()) {
        o.interfaces = upEthernetInterfaces();
        if (o.interfaces.empty())
            return fail(ExitNoInterface, tr("no Ethernet interface is up; name one with -i"));
    }
    if ((code = checkInterfaces(o.interfaces, true)) != ExitOk)
        return code;
    o.intervalMs = int(intervalS * 1000);
    o.missedPolls = int(missed);
    o.removeAfterMs = int(forgetS * 1000);
    std::string why;
    std::unique_ptr<Discovery> d = Discovery::open(o, &why);
    if (!d)
        return fail(exitCodeFor(packetOpenErrorKind(why)), QString::fromStdString(why));

    installStopHandlers();
    const std::int64_t start = Etherdisk::monotonicMs();
    const std::int64_t end = start + std::int64_t(waitS * 1000);
    for (;;) {
        d->process();
        for (const DiscoveryEvent &e : d->takeEvents()) {
            if (!watch)
                continue;
            const QString name = QString::fromLatin1(discoveryEventName(e.type));
            // Summaries (suppressed, overflow) are about no target: their
            // JSON carries the number of events they stand for instead.
            const bool summary = e.type == DiscoveryEvent::Type::Suppressed
                || e.type == DiscoveryEvent::Type::Overflow;
            if (json && summary)
                printJson({ { QStringLiteral("time"), isoTime(e.timeMs) },
                            { QStringLiteral("event"), name },
                            { QStringLiteral("message"), QString::fromStdString(e.message) },
                            { QStringLiteral("count"), qint64(e.count) } });
            else if (json)
                // A malformed reply is not a target: only its claimed address.
                printJson({ { QStringLiteral("time"), isoTime(e.timeMs) },
                            { QStringLiteral("event"), name },
                            { QStringLiteral("message"), QString::fromStdString(e.message) },
                            { QStringLiteral("target"),
                              e.type == DiscoveryEvent::Type::Malformed
                                  ? QJsonObject{ { QStringLiteral("target"),
                                                   QString::fromStdString(e.target.name()) },
                                                 { QStringLiteral("shelf"), int(e.target.shelf) },
                                                 { QStringLiteral("slot"), int(e.target.slot) } }
                                  : targetJson(e.target) } });
            else
                printLine(QStringLiteral("%1 %2 %3")
                              .arg(isoTime(e.timeMs), name.leftJustified(9),
                                   QString::fromStdString(e.message)));
        }
        if (stopRequested())
            break;
        int timeout = -1;
        if (!watch) {
            const std::int64_t now = Etherdisk::monotonicMs();
            if (now >= end)
                break;
            timeout = int(end - now);
        }
        pollfd fds[2] = { { d->fd(), POLLIN, 0 }, { stopFd(), POLLIN, 0 } };
        if (::poll(fds, stopFd() >= 0 ? 2 : 1, timeout) < 0 && errno != EINTR)
            return fail(ExitFailed,
                        tr("poll: %1").arg(QString::fromLocal8Bit(std::strerror(errno))));
    }
    if (watch)
        return ExitOk;

    const std::vector<DiscoveredTarget> targets = d->targets();
    const std::vector<MalformedReply> malformed = d->malformed();
    bool problem = !malformed.empty();
    for (const DiscoveredTarget &t : targets)
        problem = problem || t.conflict;
    if (json) {
        QJsonArray list, bad, ifs;
        for (const DiscoveredTarget &t : targets)
            list.append(targetJson(t));
        for (const MalformedReply &m : malformed)
            bad.append(malformedJson(m));
        for (const std::string &i : o.interfaces)
            ifs.append(QString::fromStdString(i));
        printJson({ { QStringLiteral("interfaces"), ifs },
                    { QStringLiteral("targets"), list },
                    { QStringLiteral("malformed"), bad } });
        return problem ? ExitProblem : ExitOk;
    }
    if (targets.empty())
        printLine(tr("No AoE target answered on %1 within %2 s.")
                      .arg(interfaceList(o.interfaces))
                      .arg(waitS));
    else
        printTargets(targets);
    if (!malformed.empty()) {
        printLine(tr("Malformed replies (not trusted):"));
        for (const MalformedReply &m : malformed)
            printLine(tr("  e%1.%2 from %3 on %4: %5 (%6 times)")
                          .arg(m.shelf)
                          .arg(m.slot)
                          .arg(macText(m.mac), QString::fromStdString(m.interface),
                               QString::fromStdString(m.reason))
                          .arg(m.count));
    }
    return problem ? ExitProblem : ExitOk;
}

} // namespace Ctl
