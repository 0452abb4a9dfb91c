// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later

#include "process.h"

#include "netns.h"

#include <QFile>
#include <QJsonDocument>

#include <cerrno>
#include <csignal>
#include <sys/prctl.h>
#include <unistd.h>

namespace EtherdiskTest {

void dieWithParent(QProcess *process)
{
    const pid_t parent = ::getpid();
    process->setChildProcessModifier([parent] {
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        // The parent may have died between fork() and prctl().
        if (::getppid() != parent)
            ::_exit(127);
    });
}

QProcess *ProcessSet::start(const QString &ns, const QString &program, const QStringList &args,
                            Output output)
{
    auto p = std::make_unique<QProcess>();
    dieWithParent(p.get());
    switch (output) {
    case Output::Forward:
        p->setProcessChannelMode(QProcess::ForwardedErrorChannel);
        p->setStandardOutputFile(QProcess::nullDevice());
        break;
    case Output::Discard:
        p->setStandardOutputFile(QProcess::nullDevice());
        p->setStandardErrorFile(QProcess::nullDevice());
        break;
    case Output::Keep:
        p->setProcessChannelMode(QProcess::MergedChannels);
        break;
    }
    if (ns.isEmpty())
        p->start(program, args);
    else
        p->start(QStringLiteral("ip"), NetnsPair::inNamespace(ns, program, args));
    if (!p->waitForStarted(10000)) {
        qWarning("cannot start %s: %s", qPrintable(program), qPrintable(p->errorString()));
        return nullptr;
    }
    m_processes.push_back(std::move(p));
    return m_processes.back().get();
}

void ProcessSet::clear()
{
    for (const auto &p : m_processes) {
        if (p->state() != QProcess::NotRunning) {
            p->kill();
            p->waitForFinished(5000);
        }
    }
    m_processes.clear();
}

QJsonObject Run::json() const
{
    return QJsonDocument::fromJson(out).object();
}

QString Run::describe() const
{
    const QString how = !started ? QStringLiteral("did not start")
        : !finished              ? QStringLiteral("timed out (killed by the test)")
        : crashed                ? QStringLiteral("killed by a signal")
                                 : QStringLiteral("exit %1").arg(exitCode);
    return QStringLiteral("`%1`: %2\n--- stdout:\n%3\n--- stderr:\n%4")
        .arg(command, how, QString::fromLocal8Bit(out), QString::fromLocal8Bit(err));
}

Run runProgram(const QString &program, const QStringList &args, int timeoutMs, const QString &ns,
               const QProcessEnvironment &env)
{
    Run r;
    r.command = (ns.isEmpty() ? QString() : QStringLiteral("ip netns exec %1 ").arg(ns)) + program
        + QLatin1Char(' ') + args.join(QLatin1Char(' '));
    QProcess p;
    dieWithParent(&p);
    p.setProcessEnvironment(env);
    if (ns.isEmpty())
        p.start(program, args);
    else
        p.start(QStringLiteral("ip"), NetnsPair::inNamespace(ns, program, args));
    r.started = p.waitForStarted(10000);
    if (!r.started)
        return r;
    p.closeWriteChannel();
    r.finished = p.waitForFinished(timeoutMs);
    if (!r.finished) {
        p.kill();
        p.waitForFinished(5000);
    }
    r.crashed = p.exitStatus() != QProcess::NormalExit;
    r.exitCode = r.finished && !r.crashed ? p.exitCode() : -1;
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    return r;
}

// Whether `pid` still runs: a zombie (exited, not yet reaped) does not.
bool processRuns(qint64 pid)
{
    if (pid <= 0 || (::kill(pid_t(pid), 0) != 0 && errno != EPERM))
        return false;
    QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!stat.open(QIODevice::ReadOnly))
        return true; // exists, state unknown: count it as live
    const QByteArray s = stat.readAll();
    const qsizetype close = s.lastIndexOf(')'); // "pid (comm) S ..."
    return close < 0 || s.size() <= close + 2 || (s[close + 2] != 'Z' && s[close + 2] != 'X');
}

} // namespace EtherdiskTest
