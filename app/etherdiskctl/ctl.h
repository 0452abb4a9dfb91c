// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
//
// What the etherdiskctl commands share: exit codes, argument parsing,
// output, and stopping on SIGINT/SIGTERM.
#pragma once

#include "etherdisk/aoeframe.h"
#include "etherdisk/error.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

namespace Ctl {

// Exit codes (etherdiskctl(1), EXIT STATUS); sysexits.h values, as
// etherdisk-target uses.
enum Exit : int {
    ExitOk = 0,
    ExitProblem = 1, // the command ran and found a problem (conflict, failed I/O, warnings)
    ExitUsage = 64, // EX_USAGE
    ExitNoTarget = 68, // EX_NOHOST: the target does not answer
    ExitNoInterface = 69, // EX_UNAVAILABLE: no such interface, or it is down
    ExitFailed = 70, // EX_SOFTWARE
    ExitNoPermission = 77, // EX_NOPERM: no CAP_NET_RAW
};

// etherdiskctl's messages (translations/etherdisk_*.ts, context "Ctl", the
// context lupdate gives tr() in this namespace). Tables and --json stay
// untranslated: scripts read them.
inline QString tr(const char *text, const char *disambiguation = nullptr, int n = -1)
{
    return QCoreApplication::translate("Ctl", text, disambiguation, n);
}

// Prints "etherdiskctl: <message>" on stderr and returns `code`.
int fail(int code, const QString &message);
int failWith(const Etherdisk::Error &error);
int exitCodeFor(Etherdisk::ErrorKind kind);

// One sub-command: its own options, then parse(); --help and --json are
// added for every command.
class Command
{
    Q_DECLARE_TR_FUNCTIONS(Ctl)

public:
    Command(const QString &name, const QString &synopsis, const QString &description);
    QCommandLineParser parser;
    // False: an error was printed (*exitCode set) or --help was shown (0).
    bool parse(const QStringList &arguments, int *exitCode);
    bool json() const { return parser.isSet(QStringLiteral("json")); }
    std::vector<std::string> interfaces() const; // the -i values, in order

    // The single positional eX.Y argument (probe, bench): false with a usage
    // error in *exitCode when it is missing, extra or not one target.
    bool target(std::uint16_t *shelf, std::uint8_t *slot, int *exitCode) const;

    // Number options: false with a message when the text is not a number in range.
    bool number(const QString &option, double min, double max, double *out, int *exitCode) const;

private:
    QString m_name;
    QString m_synopsis;
};

// "e1.2" or "1.2".
bool parseTarget(const QString &text, std::uint16_t *shelf, std::uint8_t *slot);

// Checks that every interface exists and is up; the first problem as exit
// code and message.
int checkInterfaces(const std::vector<std::string> &interfaces, bool requireUp);
// Every Ethernet interface that is up, loopback excepted, for commands run
// without -i.
std::vector<std::string> upEthernetInterfaces();

// Prints one line (UTF-8) on stdout, flushed: --watch output must reach a
// pipe at once.
void printLine(const QString &line);
void printJson(const QJsonObject &object);

QString isoTime(std::int64_t realtimeMs); // "2026-11-24T10:15:02.125Z"
QString sizeText(std::uint64_t sectors); // aoe-stat's decimal GB: "4398.046GB"
QString bytesText(const std::string &bytes); // arbitrary bytes, one code point each
QString macText(const Etherdisk::Aoe::MacAddress &mac);

// SIGINT and SIGTERM set stopRequested() and make stopFd() readable.
void installStopHandlers();
bool stopRequested();
const std::atomic<bool> *stopFlag();
int stopFd();

int discover(const QStringList &arguments);
int probe(const QStringList &arguments);
int bench(const QStringList &arguments);

} // namespace Ctl
