// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later

#include "netns.h"

#include <QCoreApplication>
#include <QFile>
#include <QProcess>
#include <QStandardPaths>

#include <atomic>
#include <fcntl.h>
#include <csignal>
#include <sched.h>
#include <unistd.h>

namespace EtherdiskTest {

namespace {
    std::atomic<int> g_counter{ 0 };
}

bool NetnsPair::ip(const QStringList &args, QString *error)
{
    QProcess p;
    p.start(QStringLiteral("ip"), args);
    if (!p.waitForFinished(10000) || p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0) {
        if (error)
            *error = QStringLiteral("ip %1: %2")
                         .arg(args.join(QLatin1Char(' ')),
                              QString::fromLocal8Bit(p.readAllStandardError()).trimmed());
        return false;
    }
    return true;
}

QStringList NetnsPair::inNamespace(const QString &ns, const QString &program,
                                   const QStringList &args)
{
    return QStringList{ QStringLiteral("netns"), QStringLiteral("exec"), ns, program } + args;
}

bool canCreateNetns(QString *why)
{
    if (geteuid() != 0) {
        *why = QStringLiteral("needs root to create network namespaces (run the tests as root)");
        return false;
    }
    if (QStandardPaths::findExecutable(QStringLiteral("ip")).isEmpty()) {
        *why = QStringLiteral("iproute2's ip is not installed");
        return false;
    }
    if (!QFile::exists(QStringLiteral("/proc/self/ns/net"))) {
        *why = QStringLiteral("the kernel has no network namespaces");
        return false;
    }
    return true;
}

NetnsPair::NetnsPair(const QString &tag, int mtu)
{
    // Interface names are limited to 15 characters: "ed" + tag(<=4) + pid%10000 + n + "va".
    m_prefix = QStringLiteral("ed%1%2%3")
                   .arg(tag.left(4))
                   .arg(QCoreApplication::applicationPid() % 10000)
                   .arg(g_counter++);
    m_originalNs = ::open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
    QString e;
    m_valid = ip({ QStringLiteral("netns"), QStringLiteral("add"), nsA() }, &e)
        && ip({ QStringLiteral("netns"), QStringLiteral("add"), nsB() }, &e)
        && ip({ QStringLiteral("link"), QStringLiteral("add"), ifA(), QStringLiteral("type"),
                QStringLiteral("veth"), QStringLiteral("peer"), QStringLiteral("name"), ifB() },
              &e)
        && ip({ QStringLiteral("link"), QStringLiteral("set"), ifA(), QStringLiteral("netns"),
                nsA() },
              &e)
        && ip({ QStringLiteral("link"), QStringLiteral("set"), ifB(), QStringLiteral("netns"),
                nsB() },
              &e)
        && ip({ QStringLiteral("-n"), nsA(), QStringLiteral("link"), QStringLiteral("set"),
                QStringLiteral("lo"), QStringLiteral("up") },
              &e)
        && setMtu(mtu) && setLink(true);
    if (!m_valid && m_error.isEmpty())
        m_error = e;
}

NetnsPair::~NetnsPair()
{
    enterOriginal();
    for (const QString &ns : { nsA(), nsB() }) {
        // Processes left inside would keep the namespace alive: stop them.
        QProcess p;
        p.start(QStringLiteral("ip"), { QStringLiteral("netns"), QStringLiteral("pids"), ns });
        p.waitForFinished(5000);
        for (const QByteArray &pid : p.readAllStandardOutput().split('\n'))
            if (!pid.trimmed().isEmpty())
                ::kill(pid.trimmed().toInt(), SIGKILL);
        ip({ QStringLiteral("netns"), QStringLiteral("del"), ns });
    }
    if (m_originalNs >= 0)
        ::close(m_originalNs);
}

bool NetnsPair::setMtu(int mtu)
{
    const QString m = QString::number(mtu);
    return ip({ QStringLiteral("-n"), nsA(), QStringLiteral("link"), QStringLiteral("set"), ifA(),
                QStringLiteral("mtu"), m },
              &m_error)
        && ip({ QStringLiteral("-n"), nsB(), QStringLiteral("link"), QStringLiteral("set"), ifB(),
                QStringLiteral("mtu"), m },
              &m_error);
}

bool NetnsPair::setLink(bool up)
{
    const QString state = up ? QStringLiteral("up") : QStringLiteral("down");
    return ip({ QStringLiteral("-n"), nsA(), QStringLiteral("link"), QStringLiteral("set"), ifA(),
                state },
              &m_error)
        && ip({ QStringLiteral("-n"), nsB(), QStringLiteral("link"), QStringLiteral("set"), ifB(),
                state },
              &m_error);
}

bool NetnsPair::enter(const QString &ns)
{
    const QByteArray path = QStringLiteral("/run/netns/%1").arg(ns).toLocal8Bit();
    const int fd = ::open(path.constData(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        m_error = QStringLiteral("cannot open %1").arg(QString::fromLocal8Bit(path));
        return false;
    }
    const bool ok = ::setns(fd, CLONE_NEWNET) == 0;
    ::close(fd);
    if (!ok)
        m_error = QStringLiteral("setns into %1 failed").arg(ns);
    return ok;
}

bool NetnsPair::enterOriginal()
{
    return m_originalNs >= 0 && ::setns(m_originalNs, CLONE_NEWNET) == 0;
}

} // namespace EtherdiskTest
