// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
#include "ttyagent.h"

#include <QByteArray>
#include <QCoreApplication>
#include <QFile>
#include <QStandardPaths>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

namespace DBusCtl {

namespace {

    // How long pkttyagent may take to register before the call goes on
    // without it (it normally takes a few milliseconds).
    constexpr int RegisterTimeoutMs = 10000;

} // namespace

QString TtyAgent::program()
{
    return QStandardPaths::findExecutable(QStringLiteral("pkttyagent"));
}

bool TtyAgent::start(QString *why)
{
    const QString path = program();
    if (path.isEmpty()) {
        *why = QCoreApplication::translate(
            "DBusCtl",
            "pkttyagent is not installed (Debian: package polkitd), so polkit cannot ask for a "
            "password in this terminal; a graphical polkit agent may still ask");
        return false;
    }
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) < 0) {
        *why = QStringLiteral("pipe: %1").arg(QString::fromLocal8Bit(std::strerror(errno)));
        return false;
    }
    // The write end pkttyagent inherits (F_DUPFD clears close-on-exec).
    const int notify = ::fcntl(fds[1], F_DUPFD, 3);
    ::close(fds[1]);
    if (notify < 0) {
        ::close(fds[0]);
        *why = QStringLiteral("fcntl: %1").arg(QString::fromLocal8Bit(std::strerror(errno)));
        return false;
    }
    // Everything the child needs, prepared before fork().
    const QByteArray file = QFile::encodeName(path);
    const QByteArray pid = QByteArray::number(qint64(::getpid()));
    const QByteArray fd = QByteArray::number(notify);
    const char *argv[] = { file.constData(), "--process",    pid.constData(),
                           "--notify-fd",    fd.constData(), nullptr };
    const pid_t parent = ::getpid();
    const pid_t child = ::fork();
    if (child == 0) {
        // Dies with us, even if we are killed.
        ::prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (::getppid() != parent)
            ::_exit(127);
        ::execv(argv[0], const_cast<char *const *>(argv));
        ::_exit(127);
    }
    ::close(notify);
    if (child < 0) {
        ::close(fds[0]);
        *why = QStringLiteral("fork: %1").arg(QString::fromLocal8Bit(std::strerror(errno)));
        return false;
    }
    m_pid = child;
    // Registered (or dead) once the notify descriptor is closed: EOF here.
    pollfd p{ fds[0], POLLIN, 0 };
    int n;
    do {
        n = ::poll(&p, 1, RegisterTimeoutMs);
    } while (n < 0 && errno == EINTR);
    ::close(fds[0]);
    int status = 0;
    if (::waitpid(m_pid, &status, WNOHANG) == m_pid) {
        m_pid = -1;
        *why = QCoreApplication::translate("DBusCtl",
                                           "pkttyagent did not start (see its message above)");
        return false;
    }
    if (n == 0) {
        stop();
        *why = QCoreApplication::translate("DBusCtl",
                                           "pkttyagent did not register with polkit in %1 s")
                   .arg(RegisterTimeoutMs / 1000);
        return false;
    }
    return true;
}

void TtyAgent::stop()
{
    if (m_pid <= 0)
        return;
    ::kill(m_pid, SIGTERM);
    int status = 0;
    while (::waitpid(m_pid, &status, 0) < 0 && errno == EINTR) { }
    m_pid = -1;
}

} // namespace DBusCtl
