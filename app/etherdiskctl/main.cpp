// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
//
// etherdiskctl: Etherdisk on the command line. See etherdiskctl(1).
//
//   etherdiskctl discover [-i IF]... [--json] [--watch] [--wait S] [--interval S]
//                         [--missed N] [--forget S]
//   etherdiskctl probe eX.Y [-i IF]... [--json] [--timeout S] [--no-payload-test]
//   etherdiskctl bench eX.Y -i IF [--mode M] [--window N] [--seconds S] [--size BYTES]
//                      [--one-frame] [--verify] [--destructive] [--deadline S]
//                      [--target-pid PID] [--json]
//
// and, through etherdisk-helper over D-Bus (dbuscommands.cpp):
//
//   etherdiskctl list | exports | monitor [--json]
//   etherdiskctl export DEVICE-OR-FILE eX.Y -i IF... [--read-only] [--allow MAC]...
//                       [--write-mode M] [--persistent] [--force]
//   etherdiskctl unexport eX.Y | set eX.Y [settings] | attach eX.Y | detach eX.Y [--force]

#include "ctl.h"
#include "dbuscommands.h"

#include "etherdiskclient/translations.h"

#include <cstdio>
#include <cstring>
#include <unistd.h>

namespace {

void usage(FILE *out)
{
    const QString text = Ctl::tr("Usage: etherdiskctl COMMAND [OPTIONS]\n"
                                 "\n"
                                 "ATA over Ethernet from the command line.\n"
                                 "\n")
        + DBusCtl::helpText()
        + Ctl::tr("\n"
                  "Speaking AoE themselves over raw Ethernet (root or CAP_NET_RAW; no kernel\n"
                  "driver, no helper):\n"
                  "  discover   list every AoE target on the LAN; --watch follows changes\n"
                  "  probe      everything about one target: its configuration, IDENTIFY\n"
                  "             fields and the largest payload each path carries\n"
                  "  bench      measure a target: MB/s, IOPS and latency percentiles\n"
                  "\n"
                  "\"etherdiskctl COMMAND --help\" describes each; etherdiskctl(1) has it all.\n"
                  "  -h, --help     this text\n"
                  "  --version      the version\n");
    std::fputs(text.toLocal8Bit().constData(), out);
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("etherdiskctl"));
    QCoreApplication::setApplicationVersion(QStringLiteral(ETHERDISK_VERSION));
    // Messages and help in the system's language where translations/ has
    // it; tables and --json output stay as they are.
    Etherdisk::Client::installTranslations();
    QStringList args = QCoreApplication::arguments().mid(1);
    if (args.isEmpty()) {
        usage(stderr);
        return Ctl::ExitUsage;
    }
    const QString command = args.takeFirst();
    if (command == QLatin1String("-h") || command == QLatin1String("--help")
        || command == QLatin1String("help")) {
        usage(stdout);
        return Ctl::ExitOk;
    }
    if (command == QLatin1String("--version")) {
        Ctl::printLine(QStringLiteral("etherdiskctl " ETHERDISK_VERSION));
        return Ctl::ExitOk;
    }
    if (command == QLatin1String("discover"))
        return Ctl::discover(args);
    if (command == QLatin1String("probe"))
        return Ctl::probe(args);
    if (command == QLatin1String("bench"))
        return Ctl::bench(args);
    if (DBusCtl::isCommand(command)) {
        // Ended here, without static destructors: Qt's D-Bus thread can
        // still be dispatching a late message (seen after an error reply
        // for an unknown object) while they run, and then warns about
        // D-Bus types that are no longer registered.
        const int code = DBusCtl::run(command, args);
        std::fflush(stdout);
        std::fflush(stderr);
        ::_exit(code);
    }
    Ctl::fail(Ctl::ExitUsage, Ctl::tr("unknown command \"%1\"").arg(command));
    usage(stderr);
    return Ctl::ExitUsage;
}
