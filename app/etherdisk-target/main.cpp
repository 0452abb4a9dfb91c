// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
//
// etherdisk-target: serve block devices and image files over AoE.
// Command line compatible with vblade:
//   etherdisk-target [-b bufcnt] [-o offset] [-l length] [-d] [-s] [-r]
//                    [-m mac[,mac...]] shelf slot netif filename
// and for many exports:
//   etherdisk-target --config FILE
// See etherdisk-target(8).

#include "etherdisk/engine.h"
#include "etherdisk/util.h"
#include "etherdisk/exportconfig.h"

#include <cerrno>
#include <charconv>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <getopt.h>
#include <poll.h>
#include <string>
#include <sys/signalfd.h>
#include <sysexits.h>
#include <unistd.h>
#include <vector>

using namespace Etherdisk;

namespace {

constexpr const char *DefaultStateDir = "/var/lib/etherdisk/target";

void usage(FILE *out)
{
    std::fprintf(
        out,
        "usage: etherdisk-target [-b bufcnt] [-o offset] [-l length] [-d] [-s] [-r]\n"
        "                        [-m mac[,mac...]] [--write-mode MODE] [--wire-acl allow|refuse]\n"
        "                        [--state-dir DIR]\n"
        "                        shelf slot netif[,netif...] filename\n"
        "       etherdisk-target --config FILE [--state-dir DIR]\n"
        "\n"
        "Serves a file or block device as AoE target e<shelf>.<slot>.\n"
        "  -b N             advertised buffer count (default 64, at least 2)\n"
        "  -o N             skip N 512-byte sectors at the start of the file\n"
        "  -l N             export only N sectors\n"
        "  -d               write mode \"direct\" (O_DIRECT, durable acknowledgements)\n"
        "  -s               write mode \"sync\" (durable acknowledgements, group commit)\n"
        "  -r               read-only\n"
        "  -m MACS          only these initiator MACs may use the target\n"
        "  --write-mode M   writeback (default), sync or direct\n"
        "  --wire-acl P     allow (default) or refuse Mac Mask and Reserve edits\n"
        "                   from the LAN\n"
        "  --config FILE    serve every export listed in FILE; SIGHUP reloads it\n"
        "  --state-dir DIR  where config strings, Mac Mask and reservations set over\n"
        "                   the wire persist (default %s as root, \"\" = memory)\n"
        "  -h, --help       this text;  --version  the version\n",
        DefaultStateDir);
}

void log(const std::string &line)
{
    char stamp[32];
    const std::time_t t = std::time(nullptr);
    std::strftime(stamp, sizeof stamp, "%Y-%m-%d %H:%M:%S", std::localtime(&t));
    std::fprintf(stderr, "%s etherdisk-target: %s\n", stamp, line.c_str());
    std::fflush(stderr);
}

[[noreturn]] void die(int code, const std::string &message)
{
    std::fprintf(stderr, "etherdisk-target: %s\n", message.c_str());
    std::exit(code);
}

int exitCodeFor(ErrorKind kind)
{
    switch (kind) {
    case ErrorKind::InvalidArgument:
    case ErrorKind::AddressInUse:
        return EX_USAGE;
    case ErrorKind::NoSuchFile:
        return EX_NOINPUT;
    case ErrorKind::NoSuchInterface:
        return EX_UNAVAILABLE;
    case ErrorKind::PermissionDenied:
        return EX_NOPERM;
    case ErrorKind::None:
    case ErrorKind::NotFound:
    case ErrorKind::NotSupported:
    case ErrorKind::DeviceBusy:
    case ErrorKind::Failed:
        break;
    }
    return EX_SOFTWARE;
}

template<typename T>
T number(const char *text, const char *what, T max)
{
    unsigned long long v = 0;
    const char *end = text + std::strlen(text);
    auto [ptr, ec] = std::from_chars(text, end, v);
    if (ec != std::errc() || ptr != end || *text == '\0' || v > max)
        die(EX_USAGE,
            std::string("invalid ") + what + " \"" + text + "\": expected a number from 0 to "
                + std::to_string(max));
    return static_cast<T>(v);
}

std::vector<std::string> splitComma(const std::string &s)
{
    std::vector<std::string> out;
    for (std::string_view item : Etherdisk::splitList(s))
        out.emplace_back(item);
    return out;
}

bool loadConfig(const std::string &file, std::vector<ExportConfig> *exports, std::string *error)
{
    std::string text;
    if (!readTextFile(file, &text, error))
        return false;
    if (!parseExportsFile(text, exports, error)) {
        *error = file + ": " + *error;
        return false;
    }
    if (exports->empty()) {
        *error = file + ": no [export shelf.slot] section";
        return false;
    }
    return true;
}

// SIGHUP: apply the file's exports, keeping unchanged ones serving.
void reload(Engine &engine, const std::string &file, std::vector<ExportConfig> *current)
{
    std::vector<ExportConfig> next;
    std::string why;
    if (!loadConfig(file, &next, &why)) {
        log("reload failed, still serving the previous configuration: " + why);
        return;
    }
    auto find = [](const std::vector<ExportConfig> &list,
                   const ExportConfig &c) -> const ExportConfig * {
        for (const ExportConfig &e : list)
            if (e.shelf == c.shelf && e.slot == c.slot)
                return &e;
        return nullptr;
    };
    std::vector<ExportConfig> kept;
    for (const ExportConfig &c : *current) {
        const ExportConfig *n = find(next, c);
        if (n && *n == c) {
            kept.push_back(c);
            continue;
        }
        // Settings that can change while serving (read-only, allowed MACs,
        // write mode, wire ACL, model, serial) change in place: counters and
        // requests in flight are kept. Anything else restarts the export.
        Error err;
        if (n && engine.updateExport(*n, &err)) {
            kept.push_back(*n);
            continue;
        }
        if (!engine.removeExport(c.shelf, c.slot, &err))
            log("cannot stop " + c.name() + ": " + err.message);
    }
    for (const ExportConfig &c : next) {
        const ExportConfig *k = find(kept, c);
        if (k)
            continue;
        Error err;
        if (engine.addExport(c, &err))
            kept.push_back(c);
        else
            log("cannot serve " + c.name() + ": " + err.message);
    }
    *current = kept;
    log("configuration reloaded: " + std::to_string(kept.size()) + " export(s)");
}

} // namespace

int main(int argc, char **argv)
{
    ExportConfig cli;
    std::string configFile;
    std::string stateDir = geteuid() == 0 ? DefaultStateDir : "";
    bool writeModeSet = false;

    enum { OptWriteMode = 1000, OptConfig, OptStateDir, OptVersion, OptWireAcl };
    static const option longOptions[] = {
        { "write-mode", required_argument, nullptr, OptWriteMode },
        { "wire-acl", required_argument, nullptr, OptWireAcl },
        { "config", required_argument, nullptr, OptConfig },
        { "state-dir", required_argument, nullptr, OptStateDir },
        { "help", no_argument, nullptr, 'h' },
        { "version", no_argument, nullptr, OptVersion },
        { nullptr, 0, nullptr, 0 },
    };
    int opt;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, "+b:o:l:dsrm:h", longOptions, nullptr)) != -1) {
        switch (opt) {
        case 'b':
            cli.bufferCount = number<std::uint16_t>(optarg, "buffer count", 0xFFFF);
            break;
        case 'o':
            cli.offset = number<std::uint64_t>(optarg, "offset", ~0ull / 512);
            break;
        case 'l':
            cli.length = number<std::uint64_t>(optarg, "length", ~0ull / 512);
            break;
        case 'd':
            if (!writeModeSet)
                cli.writeMode = WriteMode::Direct;
            break;
        case 's':
            if (!writeModeSet && cli.writeMode != WriteMode::Direct)
                cli.writeMode = WriteMode::Sync;
            break;
        case 'r':
            cli.readOnly = true;
            break;
        case 'm':
            for (const std::string &m : splitComma(optarg)) {
                Aoe::MacAddress mac;
                if (!Aoe::parseMac(m, &mac))
                    die(EX_USAGE,
                        "invalid MAC address \"" + m
                            + "\" (e.g. 02:ae:00:00:00:01 or 02ae00000001)");
                cli.allowedMacs.push_back(mac);
            }
            break;
        case OptWriteMode:
            if (!parseWriteMode(optarg, &cli.writeMode))
                die(EX_USAGE,
                    std::string("invalid write mode \"") + optarg
                        + "\": use writeback, sync or direct");
            writeModeSet = true;
            break;
        case OptWireAcl:
            if (!parseWireAcl(optarg, &cli.wireAcl))
                die(EX_USAGE,
                    std::string("invalid wire ACL policy \"") + optarg + "\": use allow or refuse");
            break;
        case OptConfig:
            configFile = optarg;
            break;
        case OptStateDir:
            stateDir = optarg;
            break;
        case 'h':
            usage(stdout);
            return 0;
        case OptVersion:
            std::printf("etherdisk-target %s\n", ETHERDISK_VERSION);
            return 0;
        default:
            std::fprintf(stderr, "etherdisk-target: unknown or incomplete option \"%s\"\n",
                         argv[optind - 1]);
            usage(stderr);
            return EX_USAGE;
        }
    }

    std::vector<ExportConfig> exports;
    const int rest = argc - optind;
    if (!configFile.empty()) {
        if (rest != 0)
            die(EX_USAGE, "--config takes no shelf/slot/netif/filename arguments");
        std::string why;
        if (!loadConfig(configFile, &exports, &why))
            die(errno == ENOENT ? EX_NOINPUT : EX_CONFIG, why);
    } else {
        if (rest != 4) {
            usage(stderr);
            return EX_USAGE;
        }
        cli.shelf = number<std::uint16_t>(argv[optind], "shelf", 0xFFFF);
        cli.slot = number<std::uint8_t>(argv[optind + 1], "slot", 0xFF);
        cli.interfaces = splitComma(argv[optind + 2]);
        cli.path = argv[optind + 3];
        std::string why;
        if (!validateExport(cli, &why))
            die(EX_USAGE, why);
        exports.push_back(cli);
    }

    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr); // before the engine thread exists
    std::signal(SIGPIPE, SIG_IGN);
    const int sigFd = signalfd(-1, &signals, SFD_CLOEXEC);
    if (sigFd < 0)
        die(EX_OSERR, std::string("signalfd: ") + std::strerror(errno));

    Engine::Options options;
    options.stateDir = stateDir;
    Engine engine(options);
    Error err;
    if (!engine.start(&err))
        die(EX_OSERR, err.message);
    if (!engine.usingIoUring())
        log("io_uring is not available: disk I/O runs synchronously (slower)");
    for (const ExportConfig &c : exports) {
        if (!engine.addExport(c, &err)) {
            engine.stop();
            die(exitCodeFor(err.kind), c.name() + ": " + err.message);
        }
    }

    pollfd fds[2] = { { sigFd, POLLIN, 0 }, { engine.eventFd(), POLLIN, 0 } };
    for (;;) {
        for (const EngineEvent &ev : engine.takeEvents())
            log(ev.message);
        if (::poll(fds, 2, -1) < 0 && errno != EINTR)
            die(EX_OSERR, std::string("poll: ") + std::strerror(errno));
        if (!(fds[0].revents & POLLIN))
            continue;
        signalfd_siginfo si{};
        if (::read(sigFd, &si, sizeof si) != sizeof si)
            continue;
        if (si.ssi_signo == SIGHUP) {
            if (configFile.empty())
                log("SIGHUP: no --config file to reload");
            else
                reload(engine, configFile, &exports);
            continue;
        }
        log(std::string("stopping on ") + strsignal(int(si.ssi_signo)));
        engine.stop();
        for (const EngineEvent &ev : engine.takeEvents())
            log(ev.message);
        return 0;
    }
}
