// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
//
// etherdisk-helper: the privileged D-Bus system service. Started by the
// bus (activation) or systemd as root; everything is in helper/service.
#include "service.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDBusConnection>
#include <QSocketNotifier>

#include <csignal>
#include <cstdio>
#include <sys/socket.h>
#include <unistd.h>

namespace {

int quitPipe[2] = { -1, -1 };

void onSignal(int)
{
    const char c = 'q';
    [[maybe_unused]] const ssize_t n = ::write(quitPipe[1], &c, 1);
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    app.setApplicationName(QStringLiteral("etherdisk-helper"));
    app.setApplicationVersion(QStringLiteral(ETHERDISK_VERSION));

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("The privileged Etherdisk service on the D-Bus system bus "
                       "(org.etherdisk.Etherdisk1). Normally started by the bus or systemd."));
    parser.addHelpOption();
    parser.addVersionOption();
    Etherdisk::Helper::ServiceOptions options;
    const QCommandLineOption config(
        QStringLiteral("config"),
        QStringLiteral("Exports that start at boot (default %1).").arg(options.configPath),
        QStringLiteral("file"), options.configPath);
    const QCommandLineOption stateDir(
        QStringLiteral("state-dir"),
        QStringLiteral("State set over the wire (default %1).").arg(options.stateDir),
        QStringLiteral("dir"), options.stateDir);
    const QCommandLineOption maxTargets(
        QStringLiteral("max-targets"),
        QStringLiteral("Target objects at most: the targets discovery lists (default %1).")
            .arg(options.maxTargets),
        QStringLiteral("n"), QString::number(options.maxTargets));
    const QCommandLineOption forgetLost(
        QStringLiteral("forget-lost"),
        QStringLiteral("Seconds a lost target's object stays before it is removed, unless "
                       "attached (default %1).")
            .arg(options.targetForgetMs / 1000),
        QStringLiteral("s"), QString::number(options.targetForgetMs / 1000));
    parser.addOption(config);
    parser.addOption(stateDir);
    parser.addOption(maxTargets);
    parser.addOption(forgetLost);
    parser.process(app);
    options.configPath = parser.value(config);
    options.stateDir = parser.value(stateDir);
    bool numeric = false;
    const qulonglong targets = parser.value(maxTargets).toULongLong(&numeric);
    if (!numeric || targets < 1 || targets > 65535 * 255) {
        std::fprintf(stderr, "etherdisk-helper: --max-targets wants a number from 1 to %d\n",
                     65535 * 255);
        return 64; // EX_USAGE
    }
    options.maxTargets = targets;
    const int forget = parser.value(forgetLost).toInt(&numeric);
    if (!numeric || forget < 10 || forget > 7 * 24 * 3600) {
        std::fprintf(stderr,
                     "etherdisk-helper: --forget-lost wants seconds from 10 (longer than a "
                     "target takes to be found lost) to 604800\n");
        return 64; // EX_USAGE
    }
    options.targetForgetMs = forget * 1000;

    if (geteuid() != 0)
        std::fprintf(stderr,
                     "etherdisk-helper: not running as root: the bus will not let it "
                     "own its name, and exports need CAP_NET_RAW\n");

    // SIGTERM/SIGINT end the event loop, so the engine stops cleanly.
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, quitPipe) == 0) {
        std::signal(SIGTERM, onSignal);
        std::signal(SIGINT, onSignal);
    }
    QSocketNotifier quitNotifier(quitPipe[0], QSocketNotifier::Read);
    QObject::connect(&quitNotifier, &QSocketNotifier::activated, &app, &QCoreApplication::quit);

    QDBusConnection bus = QDBusConnection::systemBus();
    if (!bus.isConnected()) {
        std::fprintf(stderr, "etherdisk-helper: cannot connect to the system bus: %s\n",
                     qPrintable(bus.lastError().message()));
        return 69; // EX_UNAVAILABLE
    }
    Etherdisk::Helper::Service service(bus, options);
    QString error;
    if (!service.start(&error)) {
        std::fprintf(stderr, "etherdisk-helper: %s\n", qPrintable(error));
        return 1;
    }
    return app.exec();
}
