// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later

#include "netns.h"

#include "process.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QSet>
#include <QStandardPaths>
#include <QThread>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <fcntl.h>
#include <mutex>
#include <sched.h>
#include <unistd.h>

namespace EtherdiskTest {

namespace {
    std::atomic<int> g_counter{ 0 };
    std::once_flag g_swept;
    std::mutex g_oursMutex;
    QSet<QString> g_ours; // namespaces this process made (and may still use)

    bool isOurs(const QString &ns)
    {
        std::lock_guard<std::mutex> lock(g_oursMutex);
        return g_ours.contains(ns);
    }

    // "ed-<tag>-<pid>-<n>a" / "...b"; the PID is the owner's.
    const QRegularExpression &ownedName()
    {
        static const QRegularExpression re(QStringLiteral("^ed-[A-Za-z0-9]+-([0-9]+)-[0-9]+[ab]$"));
        return re;
    }

    QList<qint64> pidsIn(const QString &ns)
    {
        QProcess p;
        dieWithParent(&p);
        p.start(QStringLiteral("ip"), { QStringLiteral("netns"), QStringLiteral("pids"), ns });
        p.waitForFinished(5000);
        QList<qint64> pids;
        for (const QByteArray &line : p.readAllStandardOutput().split('\n'))
            if (bool ok = false; !line.trimmed().isEmpty()) {
                const qint64 pid = line.trimmed().toLongLong(&ok);
                if (ok)
                    pids << pid;
            }
        return pids;
    }

    // Stops what runs inside `ns` and deletes it.
    void removeNamespace(const QString &ns)
    {
        // Processes left inside would keep the namespace alive.
        for (qint64 pid : pidsIn(ns))
            ::kill(pid_t(pid), SIGKILL);
        NetnsPair::ip({ QStringLiteral("netns"), QStringLiteral("del"), ns });
    }
} // namespace

bool NetnsPair::ip(const QStringList &args, QString *error)
{
    QProcess p;
    dieWithParent(&p);
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

bool NetnsPair::ipIn(const QString &ns, const QStringList &args, QString *error)
{
    return ip(QStringList{ QStringLiteral("-n"), ns } + args, error);
}

QStringList NetnsPair::inNamespace(const QString &ns, const QString &program,
                                   const QStringList &args)
{
    return QStringList{ QStringLiteral("netns"), QStringLiteral("exec"), ns, program } + args;
}

QStringList NetnsPair::sweepDeadRuns()
{
    const qint64 self = QCoreApplication::applicationPid();
    QStringList removed;
    // /run/netns holds a file per named namespace (what `ip netns list` reads).
    const QStringList names = QDir(QStringLiteral("/run/netns")).entryList(QDir::Files);
    for (const QString &ns : names) {
        const QRegularExpressionMatch m = ownedName().match(ns);
        if (!m.hasMatch())
            continue;
        const qint64 owner = m.captured(1).toLongLong();
        // Our own PID on a namespace we did not make: an earlier run's, reused.
        if (owner == self ? isOurs(ns) : processRuns(owner))
            continue;
        removeNamespace(ns);
        removed << ns;
    }
    if (!removed.isEmpty())
        qInfo("removed the namespaces of test runs that died: %s",
              qPrintable(removed.join(QLatin1Char(' '))));
    return removed;
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
    std::call_once(g_swept, [] { sweepDeadRuns(); });
    const qint64 pid = QCoreApplication::applicationPid();
    const int n = g_counter++;
    m_nsPrefix = QStringLiteral("ed-%1-%2-%3").arg(tag).arg(pid).arg(n);
    // Interface names are limited to 15 characters: "ed" + tag(<=4) +
    // pid%10000 + n, plus a suffix of up to 3. They live only inside the
    // namespaces, so they need not be unique on the machine.
    m_prefix = QStringLiteral("ed%1%2%3").arg(tag.left(4)).arg(pid % 10000).arg(n % 100);
    {
        std::lock_guard<std::mutex> lock(g_oursMutex);
        g_ours << nsA() << nsB();
    }
    m_originalNs = ::open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
    QString e;
    // The veth pair is made inside namespace A with its peer in B: nothing
    // ever exists in the machine's own namespace, even if we die midway.
    m_valid = ip({ QStringLiteral("netns"), QStringLiteral("add"), nsA() }, &e)
        && ip({ QStringLiteral("netns"), QStringLiteral("add"), nsB() }, &e)
        && ipIn(nsA(),
                { QStringLiteral("link"), QStringLiteral("add"), ifA(), QStringLiteral("type"),
                  QStringLiteral("veth"), QStringLiteral("peer"), QStringLiteral("name"), ifB(),
                  QStringLiteral("netns"), nsB() },
                &e)
        && ipIn(nsA(),
                { QStringLiteral("link"), QStringLiteral("set"), QStringLiteral("lo"),
                  QStringLiteral("up") },
                &e)
        && setMtu(mtu) && setLink(true);
    if (!m_valid && m_error.isEmpty())
        m_error = e;
}

NetnsPair::~NetnsPair()
{
    enterOriginal();
    removeNamespace(nsA());
    removeNamespace(nsB());
    if (m_originalNs >= 0)
        ::close(m_originalNs);
}

bool NetnsPair::setMtu(int mtu)
{
    const QString m = QString::number(mtu);
    return ipIn(nsA(),
                { QStringLiteral("link"), QStringLiteral("set"), ifA(), QStringLiteral("mtu"), m },
                &m_error)
        && ipIn(nsB(),
                { QStringLiteral("link"), QStringLiteral("set"), ifB(), QStringLiteral("mtu"), m },
                &m_error);
}

bool NetnsPair::setLink(bool up)
{
    const QString state = up ? QStringLiteral("up") : QStringLiteral("down");
    if (!ipIn(nsA(), { QStringLiteral("link"), QStringLiteral("set"), ifA(), state }, &m_error)
        || !ipIn(nsB(), { QStringLiteral("link"), QStringLiteral("set"), ifB(), state }, &m_error))
        return false;
    if (!up)
        return true;
    // The carrier follows a moment later: wait for it, or a program started
    // at once finds the link down.
    for (int i = 0; i < 500; ++i) {
        bool both = true;
        for (const auto &[ns, link] : { std::pair{ nsA(), ifA() }, std::pair{ nsB(), ifB() } }) {
            QProcess p;
            dieWithParent(&p);
            p.start(QStringLiteral("ip"),
                    { QStringLiteral("-n"), ns, QStringLiteral("-o"), QStringLiteral("link"),
                      QStringLiteral("show"), QStringLiteral("dev"), link });
            p.waitForFinished(5000);
            both = both && p.readAllStandardOutput().contains("LOWER_UP");
        }
        if (both)
            return true;
        QThread::msleep(10);
    }
    m_error = QStringLiteral("%1 and %2 have no carrier 5 s after going up").arg(ifA(), ifB());
    return false;
}

bool NetnsPair::addVeth(const QString &ns, const QString &name, const QString &peerNs,
                        const QString &peer, int mtu, QString *error)
{
    const QString m = QString::number(mtu);
    if (!ipIn(ns,
              { QStringLiteral("link"), QStringLiteral("add"), name, QStringLiteral("mtu"), m,
                QStringLiteral("type"), QStringLiteral("veth"), QStringLiteral("peer"),
                QStringLiteral("name"), peer, QStringLiteral("mtu"), m, QStringLiteral("netns"),
                peerNs },
              error))
        return false;
    m_extraLinks.append({ ns, name });
    return ipIn(ns, { QStringLiteral("link"), QStringLiteral("set"), name, QStringLiteral("up") },
                error)
        && ipIn(peerNs,
                { QStringLiteral("link"), QStringLiteral("set"), peer, QStringLiteral("up") },
                error);
}

bool NetnsPair::addMacvlan(const QString &ns, const QString &parent, const QString &name,
                           QString *error)
{
    if (!ipIn(ns,
              { QStringLiteral("link"), QStringLiteral("add"), QStringLiteral("link"), parent,
                QStringLiteral("name"), name, QStringLiteral("type"), QStringLiteral("macvlan"),
                QStringLiteral("mode"), QStringLiteral("private") },
              error))
        return false;
    m_extraLinks.append({ ns, name });
    return ipIn(ns, { QStringLiteral("link"), QStringLiteral("set"), name, QStringLiteral("up") },
                error);
}

bool NetnsPair::addBridge(const QString &ns, const QString &name, int mtu, const QStringList &ports,
                          QString *error)
{
    QStringList add = { QStringLiteral("link"), QStringLiteral("add"), name };
    if (mtu > 0)
        add << QStringLiteral("mtu") << QString::number(mtu);
    if (!ipIn(ns, add << QStringLiteral("type") << QStringLiteral("bridge"), error))
        return false;
    m_extraLinks.append({ ns, name });
    for (const QString &port : ports)
        if (!ipIn(ns,
                  { QStringLiteral("link"), QStringLiteral("set"), port, QStringLiteral("master"),
                    name },
                  error))
            return false;
    return ipIn(ns, { QStringLiteral("link"), QStringLiteral("set"), name, QStringLiteral("up") },
                error);
}

void NetnsPair::removeExtraLinks()
{
    while (!m_extraLinks.isEmpty()) {
        const ExtraLink l = m_extraLinks.takeLast();
        ipIn(l.ns, { QStringLiteral("link"), QStringLiteral("del"), l.name });
    }
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
