// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later

#include "ctl.h"

#include "etherdisk/packetio.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QRegularExpression>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <fcntl.h>
#include <unistd.h>

namespace Ctl {

int fail(int code, const QString &message)
{
    std::fprintf(stderr, "etherdiskctl: %s\n", message.toLocal8Bit().constData());
    return code;
}

int exitCodeFor(Etherdisk::ErrorKind kind)
{
    using Etherdisk::ErrorKind;
    switch (kind) {
    case ErrorKind::InvalidArgument:
        return ExitUsage;
    case ErrorKind::NoSuchInterface:
        return ExitNoInterface;
    case ErrorKind::PermissionDenied:
        return ExitNoPermission;
    case ErrorKind::NotFound:
        return ExitNoTarget;
    case ErrorKind::None:
    case ErrorKind::AddressInUse:
    case ErrorKind::NoSuchFile:
    case ErrorKind::NotSupported:
    case ErrorKind::DeviceBusy:
    case ErrorKind::Failed:
        break;
    }
    return ExitFailed;
}

int failWith(const Etherdisk::Error &error)
{
    return fail(exitCodeFor(error.kind), QString::fromStdString(error.message));
}

Command::Command(const QString &name, const QString &synopsis, const QString &description)
    : m_name(name), m_synopsis(synopsis)
{
    parser.setApplicationDescription(description);
    parser.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
    parser.addOption({ { QStringLiteral("h"), QStringLiteral("help") }, tr("Show this help.") });
    parser.addOption({ QStringLiteral("json"), tr("Machine-readable output (JSON).") });
}

bool Command::parse(const QStringList &arguments, int *exitCode)
{
    QStringList args = arguments;
    args.prepend(QStringLiteral("etherdiskctl ") + m_name);
    if (!parser.parse(args)) {
        *exitCode = fail(ExitUsage,
                         parser.errorText() + QStringLiteral("\n")
                             + tr("usage: etherdiskctl %1").arg(m_synopsis));
        return false;
    }
    if (parser.isSet(QStringLiteral("help"))) {
        QString text = parser.helpText();
        // Qt's first line names the program and "[options]"; ours is better.
        const qsizetype firstLine = text.indexOf(QLatin1Char('\n'));
        text = tr("Usage: etherdiskctl %1").arg(m_synopsis) + text.mid(firstLine);
        std::fputs(text.toLocal8Bit().constData(), stdout);
        *exitCode = ExitOk;
        return false;
    }
    return true;
}

std::vector<std::string> Command::interfaces() const
{
    std::vector<std::string> out;
    for (const QString &value : parser.values(QStringLiteral("interface")))
        for (const QString &name : value.split(QLatin1Char(','), Qt::SkipEmptyParts))
            out.push_back(name.toStdString());
    return out;
}

bool Command::target(std::uint16_t *shelf, std::uint8_t *slot, int *exitCode) const
{
    const QStringList pos = parser.positionalArguments();
    if (pos.size() != 1) {
        *exitCode =
            fail(ExitUsage,
                 pos.isEmpty() ? tr("which target? e.g. etherdiskctl %1 e1.2 -i eth1").arg(m_name)
                               : tr("unexpected argument \"%1\"").arg(pos.at(1)));
        return false;
    }
    if (!parseTarget(pos.first(), shelf, slot)) {
        *exitCode = fail(ExitUsage,
                         tr("invalid target \"%1\": expected eSHELF.SLOT with a shelf below 65535 "
                            "and a slot below 255, e.g. e1.2")
                             .arg(pos.first()));
        return false;
    }
    return true;
}

bool Command::number(const QString &option, double min, double max, double *out,
                     int *exitCode) const
{
    if (!parser.isSet(option))
        return true;
    bool ok = false;
    const QString text = parser.value(option);
    const double v = text.toDouble(&ok);
    if (!ok || !(v >= min && v <= max)) {
        *exitCode = fail(
            ExitUsage,
            tr("invalid --%1 \"%2\": expected a number from %3 to %4")
                .arg(option, text, QString::number(min, 'g', 15), QString::number(max, 'g', 15)));
        return false;
    }
    *out = v;
    return true;
}

bool parseTarget(const QString &text, std::uint16_t *shelf, std::uint8_t *slot)
{
    static const QRegularExpression re(QStringLiteral("^e?([0-9]{1,5})\\.([0-9]{1,3})$"));
    const QRegularExpressionMatch m = re.match(text);
    if (!m.hasMatch())
        return false;
    const unsigned sh = m.captured(1).toUInt(), sl = m.captured(2).toUInt();
    // 65535 and 255 are the broadcast shelf and slot: not one target.
    if (sh >= Etherdisk::Aoe::BroadcastShelf || sl >= Etherdisk::Aoe::BroadcastSlot)
        return false;
    *shelf = std::uint16_t(sh);
    *slot = std::uint8_t(sl);
    return true;
}

int checkInterfaces(const std::vector<std::string> &interfaces, bool requireUp)
{
    for (const std::string &name : interfaces) {
        Etherdisk::InterfaceInfo info;
        std::string why;
        if (!Etherdisk::queryInterface(name, &info, &why))
            return fail(Etherdisk::packetOpenErrorKind(why) == Etherdisk::ErrorKind::NoSuchInterface
                            ? ExitNoInterface
                            : ExitFailed,
                        QString::fromStdString(why));
        if (requireUp && !info.up)
            return fail(ExitNoInterface,
                        tr("network interface %1 is down").arg(QString::fromStdString(name)));
    }
    return ExitOk;
}

std::vector<std::string> upEthernetInterfaces()
{
    std::vector<std::string> out;
    const QDir net(QStringLiteral("/sys/class/net"));
    for (const QString &name : net.entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name)) {
        QFile type(net.filePath(name + QStringLiteral("/type")));
        if (!type.open(QIODevice::ReadOnly) || type.readAll().trimmed() != "1") // ARPHRD_ETHER
            continue;
        Etherdisk::InterfaceInfo info;
        std::string why;
        if (Etherdisk::queryInterface(name.toStdString(), &info, &why) && info.up)
            out.push_back(name.toStdString());
    }
    return out;
}

void printLine(const QString &line)
{
    std::fputs(line.toLocal8Bit().constData(), stdout);
    std::fputc('\n', stdout);
    std::fflush(stdout);
}

void printJson(const QJsonObject &object)
{
    const QByteArray text = QJsonDocument(object).toJson(QJsonDocument::Compact);
    std::fwrite(text.constData(), 1, std::size_t(text.size()), stdout);
    std::fputc('\n', stdout);
    std::fflush(stdout);
}

QString isoTime(std::int64_t realtimeMs)
{
    return QDateTime::fromMSecsSinceEpoch(realtimeMs, Qt::UTC).toString(Qt::ISODateWithMs);
}

QString sizeText(std::uint64_t sectors)
{
    return QString::number(double(sectors) * 512.0 / 1e9, 'f', 3) + QStringLiteral("GB");
}

QString bytesText(const std::string &bytes)
{
    return QString::fromLatin1(bytes.data(), qsizetype(bytes.size()));
}

QString macText(const Etherdisk::Aoe::MacAddress &mac)
{
    return QString::fromStdString(Etherdisk::Aoe::formatMac(mac));
}

namespace {
    std::atomic<bool> g_stop{ false };
    int g_pipe[2] = { -1, -1 };

    // Async-signal-safe: an atomic store and write(2), errno preserved. The
    // handler is reset after the first signal (SA_RESETHAND), so a second
    // Ctrl-C ends the program at once if the first cannot.
    void onStopSignal(int)
    {
        const int saved = errno;
        g_stop = true;
        if (g_pipe[1] >= 0) {
            const char c = 0;
            [[maybe_unused]] const ssize_t n = ::write(g_pipe[1], &c, 1);
        }
        errno = saved;
    }
} // namespace

void installStopHandlers()
{
    if (g_pipe[0] < 0 && ::pipe2(g_pipe, O_CLOEXEC | O_NONBLOCK) < 0)
        g_pipe[0] = g_pipe[1] = -1;
    struct sigaction sa
    {
    };
    sa.sa_handler = onStopSignal;
    sa.sa_flags = SA_RESETHAND;
    sigemptyset(&sa.sa_mask);
    ::sigaction(SIGINT, &sa, nullptr);
    ::sigaction(SIGTERM, &sa, nullptr);
}

bool stopRequested()
{
    return g_stop.load();
}

const std::atomic<bool> *stopFlag()
{
    return &g_stop;
}

int stopFd()
{
    return g_pipe[0];
}

} // namespace Ctl
