// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
//
// etherdiskctl bench eX.Y -i IF: the userspace initiator as a load
// generator (core's workload), for users and for tests/bench/run-bench.py.

#include "ctl.h"

#include "etherdisk/initiator.h"
#include "etherdisk/packetio.h"
#include "etherdisk/workload.h"

#include <QFileInfo>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <unistd.h>

using namespace Etherdisk;

namespace Ctl {

int bench(const QStringList &arguments)
{
    Command cmd(QStringLiteral("bench"),
                QStringLiteral("bench eX.Y -i IF [--mode M] [--window N] [--seconds S] [--size "
                               "BYTES] [--one-frame] [--verify [--acked FILE]] [--destructive] "
                               "[--deadline S] [--target-pid PID] [--json]"),
                tr("Reads or writes one target over raw Ethernet for a while and reports MB/s, "
                   "IOPS, latency percentiles and retransmissions. Write modes overwrite the "
                   "target's data and need --destructive."));
    cmd.parser.addOption({ { QStringLiteral("i"), QStringLiteral("interface") },
                           tr("The interface that reaches the target."),
                           QStringLiteral("IF") });
    cmd.parser.addOption({ QStringLiteral("mode"),
                           tr("seqread (default), seqwrite, randread or randwrite."),
                           QStringLiteral("M") });
    cmd.parser.addOption({ QStringLiteral("window"),
                           tr("Frames in flight (default: the target's buffer count, which also "
                              "caps it)."),
                           QStringLiteral("N") });
    cmd.parser.addOption(
        { QStringLiteral("seconds"), tr("How long to run (default 10)."), QStringLiteral("S") });
    cmd.parser.addOption({ QStringLiteral("size"),
                           tr("Bytes per request, a multiple of 512 (default: one frame)."),
                           QStringLiteral("BYTES") });
    cmd.parser.addOption(
        { QStringLiteral("one-frame"),
          tr("Behave like a simple initiator: take one answer at a time, send the next frame "
             "at once on its own, and busy-poll instead of sleeping (uses a whole core).") });
    cmd.parser.addOption(
        { QStringLiteral("verify"),
          tr("Writes carry a pattern that is read back and checked afterwards; reads are "
             "checked against it.") });
    cmd.parser.addOption(
        { QStringLiteral("acked"),
          tr("With --verify and a write mode: save every sector whose write was acknowledged "
             "to FILE, one \"LBA SECTORS\" line per run, to check the target's disk "
             "independently."),
          QStringLiteral("FILE") });
    cmd.parser.addOption(
        { QStringLiteral("destructive"), tr("Allow the write modes to overwrite the target.") });
    cmd.parser.addOption({ QStringLiteral("target-pid"),
                           tr("Also report the CPU time this local process (the target) used "
                              "per GB moved."),
                           QStringLiteral("PID") });
    cmd.parser.addOption({ QStringLiteral("deadline"),
                           tr("Fail a request unanswered this many seconds (default 30)."),
                           QStringLiteral("S") });
    cmd.parser.addPositionalArgument(QStringLiteral("eX.Y"), tr("The target, e.g. e1.2."));
    int code = ExitOk;
    if (!cmd.parse(arguments, &code))
        return code;
    Initiator::Options io;
    if (!cmd.target(&io.shelf, &io.slot, &code))
        return code;
    const QString targetText = cmd.parser.positionalArguments().first();
    const std::vector<std::string> ifs = cmd.interfaces();
    if (ifs.size() != 1)
        return fail(ExitUsage, tr("bench needs exactly one interface: -i IF"));
    io.interface = ifs.front();

    WorkloadOptions w;
    if (cmd.parser.isSet(QStringLiteral("mode"))
        && !parseWorkloadMode(cmd.parser.value(QStringLiteral("mode")).toStdString(), &w.mode))
        return fail(ExitUsage,
                    tr("invalid --mode \"%1\": expected seqread, seqwrite, randread or randwrite")
                        .arg(cmd.parser.value(QStringLiteral("mode"))));
    const bool writes =
        w.mode == WorkloadOptions::Mode::SeqWrite || w.mode == WorkloadOptions::Mode::RandWrite;
    if (writes && !cmd.parser.isSet(QStringLiteral("destructive")))
        return fail(ExitUsage,
                    tr("%1 overwrites the data on %2: add --destructive if that is what you want")
                        .arg(QString::fromLatin1(workloadModeName(w.mode)), targetText));
    double window = 0, size = 0, pid = -1, deadline = 30;
    if (!cmd.number(QStringLiteral("window"), 1, Initiator::MaxWindow, &window, &code)
        || !cmd.number(QStringLiteral("seconds"), 0.1, 86400, &w.seconds, &code)
        || !cmd.number(QStringLiteral("size"), 512, 64 << 20, &size, &code)
        || !cmd.number(QStringLiteral("target-pid"), 1, 1 << 30, &pid, &code)
        || !cmd.number(QStringLiteral("deadline"), 0.1, 3600, &deadline, &code))
        return code;
    if (window != double(unsigned(window)))
        return fail(ExitUsage, tr("--window must be a whole number"));
    if (pid != -1 && (pid != double(long(pid)) || (::kill(pid_t(pid), 0) != 0 && errno == ESRCH)))
        return fail(ExitUsage,
                    tr("--target-pid %1: no such process")
                        .arg(cmd.parser.value(QStringLiteral("target-pid"))));
    if (size != double(std::uint64_t(size)) || std::uint64_t(size) % 512)
        return fail(ExitUsage, tr("--size must be a multiple of 512 bytes"));
    io.window = unsigned(window);
    io.deadlineMs = int(deadline * 1000);
    w.requestBytes = std::uint64_t(size);
    w.targetPid = long(pid);
    w.verify = cmd.parser.isSet(QStringLiteral("verify"));
    w.oneFrame = cmd.parser.isSet(QStringLiteral("one-frame"));
    const QString acked = cmd.parser.value(QStringLiteral("acked"));
    if (cmd.parser.isSet(QStringLiteral("acked"))) {
        if (!w.verify || !writes)
            return fail(ExitUsage, tr("--acked needs --verify and a write mode"));
        const QFileInfo file(acked);
        const QFileInfo dir(file.absolutePath());
        if (acked.isEmpty() || file.isDir() || !dir.isDir() || !dir.isWritable()
            || (file.exists() && !file.isWritable()))
            return fail(ExitUsage,
                        tr("--acked %1: cannot write a file there")
                            .arg(acked.isEmpty() ? QStringLiteral("\"\"") : acked));
    }
    const bool json = cmd.json();
    if ((code = checkInterfaces(ifs, true)) != ExitOk)
        return code;

    Error error;
    std::string why;
    std::unique_ptr<Initiator> ini = Initiator::open(io, &why);
    if (!ini) {
        const ErrorKind kind = packetOpenErrorKind(why);
        // Initiator::open's other failure is a target that does not answer.
        return fail(exitCodeFor(kind == ErrorKind::Failed && why.starts_with("no answer from")
                                    ? ErrorKind::NotFound
                                    : kind),
                    QString::fromStdString(why));
    }
    const Initiator::TargetInfo &t = ini->target();
    installStopHandlers();
    w.stop = stopFlag();
    if (!json && ::isatty(STDERR_FILENO))
        w.progress = [](double s, std::uint64_t bytes, std::uint64_t ios) {
            std::fprintf(stderr, "\r  %4.0f s: %9.1f MB/s %9.0f IOPS", s, double(bytes) / 1e6 / s,
                         double(ios) / s);
            std::fflush(stderr);
        };
    WorkloadResult r;
    if (!runWorkload(*ini, w, &r, &why))
        return fail(ExitFailed, QString::fromStdString(why));
    if (w.progress)
        std::fputs("\r\033[K", stderr);
    if (!acked.isEmpty() && !writeSectorSet(r.acknowledged, acked.toStdString(), &why))
        return fail(ExitFailed, QString::fromStdString(why));

    const double gb = double(r.bytes) / 1e9;
    const QString name = QString::fromStdString(ini->name());
    const QString mode = QString::fromLatin1(workloadModeName(w.mode));
    if (json) {
        QJsonObject o{
            { QStringLiteral("target"), name },
            { QStringLiteral("interface"), QString::fromStdString(io.interface) },
            { QStringLiteral("mac"), macText(t.mac) },
            { QStringLiteral("mode"), mode },
            { QStringLiteral("request_bytes"), qint64(r.requestBytes) },
            { QStringLiteral("payload_bytes"), int(t.payloadBytes) },
            { QStringLiteral("window"), int(ini->window()) },
            { QStringLiteral("depth"), int(r.depth) },
            { QStringLiteral("one_frame"), w.oneFrame },
            { QStringLiteral("buffer_count"), int(t.bufferCount) },
            { QStringLiteral("seconds"), r.seconds },
            { QStringLiteral("stopped_early"), r.stopped },
            { QStringLiteral("bytes"), qint64(r.bytes) },
            { QStringLiteral("ios"), qint64(r.ios) },
            { QStringLiteral("mb_per_s"), r.mbPerSecond },
            { QStringLiteral("iops"), r.iops },
            { QStringLiteral("latency_us"),
              QJsonObject{ { QStringLiteral("p50"), qint64(r.p50Us) },
                           { QStringLiteral("p90"), qint64(r.p90Us) },
                           { QStringLiteral("p99"), qint64(r.p99Us) },
                           { QStringLiteral("max"), qint64(r.maxUs) } } },
            { QStringLiteral("retransmits"), qint64(r.retransmits) },
            { QStringLiteral("ignored"), qint64(r.ignored) },
            { QStringLiteral("errors"), qint64(r.errors) },
            { QStringLiteral("srtt_us"), qint64(r.srttUs) },
            { QStringLiteral("rto_us"), qint64(r.rtoUs) },
            { QStringLiteral("bench_cpu_s"), r.selfCpuSeconds },
            { QStringLiteral("ok"), r.ok() },
        };
        if (r.targetCpuSeconds >= 0) {
            o.insert(QStringLiteral("target_pid"), qint64(w.targetPid));
            o.insert(QStringLiteral("target_cpu_s"), r.targetCpuSeconds);
            o.insert(QStringLiteral("target_cpu_s_per_gb"), gb > 0 ? r.targetCpuSeconds / gb : 0);
        }
        if (w.verify)
            o.insert(QStringLiteral("verify"),
                     QJsonObject{
                         { QStringLiteral("read_mismatches"), qint64(r.readMismatches) },
                         { QStringLiteral("verified_bytes"), qint64(r.verifiedBytes) },
                         { QStringLiteral("verify_mismatches"), qint64(r.verifyMismatches) },
                         { QStringLiteral("acknowledged_sectors"), qint64(r.acknowledged.count()) },
                         { QStringLiteral("tested_sectors"), qint64(r.testedSectors) },
                         { QStringLiteral("first_bad_lba"), qint64(r.firstBadLba) } });
        if (!r.firstError.empty() || !r.verifyError.empty())
            o.insert(QStringLiteral("error"),
                     QString::fromStdString(r.firstError.empty() ? r.verifyError : r.firstError));
        printJson(o);
        return r.ok() ? ExitOk : ExitProblem;
    }
    printLine(tr("%1 %2 on %3 (%4): %5 bytes per request, %6-byte frames, window %7 (target "
                 "buffer count %8), %9 requests in flight")
                  .arg(mode, name, QString::fromStdString(io.interface), macText(t.mac))
                  .arg(r.requestBytes)
                  .arg(t.payloadBytes)
                  .arg(ini->window())
                  .arg(t.bufferCount)
                  .arg(r.depth));
    printLine(tr("  %1 MB/s, %2 IOPS over %3 s (%4 requests, %5 bytes)%6")
                  .arg(r.mbPerSecond, 0, 'f', 1)
                  .arg(r.iops, 0, 'f', 0)
                  .arg(r.seconds, 0, 'f', 2)
                  .arg(r.ios)
                  .arg(r.bytes)
                  .arg(r.stopped ? tr(", stopped early") : QString()));
    printLine(tr("  latency us: p50 %1, p90 %2, p99 %3, max %4")
                  .arg(r.p50Us)
                  .arg(r.p90Us)
                  .arg(r.p99Us)
                  .arg(r.maxUs));
    printLine(tr("  retransmits %1, ignored responses %2, errors %3, srtt %4 us, rto %5 us")
                  .arg(r.retransmits)
                  .arg(r.ignored)
                  .arg(r.errors)
                  .arg(r.srttUs)
                  .arg(r.rtoUs));
    printLine(tr("  bench CPU %1 s (%2 s/GB)")
                  .arg(r.selfCpuSeconds, 0, 'f', 2)
                  .arg(gb > 0 ? r.selfCpuSeconds / gb : 0.0, 0, 'f', 2));
    if (r.targetCpuSeconds >= 0)
        printLine(tr("  target pid %1 CPU %2 s (%3 s/GB)")
                      .arg(w.targetPid)
                      .arg(r.targetCpuSeconds, 0, 'f', 2)
                      .arg(gb > 0 ? r.targetCpuSeconds / gb : 0.0, 0, 'f', 3));
    if (w.verify && !writes)
        printLine(
            tr("  verify: %1 requests with data not matching the pattern%2")
                .arg(r.readMismatches)
                .arg(r.readMismatches ? tr(" (first at LBA %1)").arg(r.firstBadLba) : QString()));
    if (w.verify && writes)
        printLine(
            tr("  verify: %1 bytes read back (%2 acknowledged sectors of the first %3), %4 "
               "sectors differ%5")
                .arg(r.verifiedBytes)
                .arg(r.acknowledged.count())
                .arg(r.testedSectors)
                .arg(r.verifyMismatches)
                .arg(r.verifyMismatches ? tr(" (first at LBA %1)").arg(r.firstBadLba) : QString()));
    if (!r.firstError.empty())
        printLine(tr("  first error: %1").arg(QString::fromStdString(r.firstError)));
    if (!r.verifyError.empty())
        printLine(tr("  verify error: %1").arg(QString::fromStdString(r.verifyError)));
    return r.ok() ? ExitOk : ExitProblem;
}

} // namespace Ctl
