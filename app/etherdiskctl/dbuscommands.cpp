// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
#include "dbuscommands.h"

#include "ttyagent.h"

#include "etherdiskclient/actions.h"
#include "etherdiskclient/model.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDBusConnection>
#include <QDBusUnixFileDescriptor>
#include <QDateTime>
#include <QEventLoop>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSocketNotifier>
#include <QTimer>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

using Etherdisk::Client::Actions;
using Etherdisk::Client::Error;
using Etherdisk::Client::ExportInfo;
using Etherdisk::Client::Model;
using Etherdisk::Client::TargetInfo;

namespace DBusCtl {

namespace {

    // Context "DBusCtl", the one lupdate gives tr() in this namespace.
    QString tr(const char *text, const char *disambiguation = nullptr, int n = -1)
    {
        return QCoreApplication::translate("DBusCtl", text, disambiguation, n);
    }

    int fail(int code, const QString &message)
    {
        std::fprintf(stderr, "etherdiskctl: %s\n", message.toLocal8Bit().constData());
        return code;
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

    QString isoTime(qint64 realtimeMs)
    {
        return QDateTime::fromMSecsSinceEpoch(realtimeMs, Qt::UTC).toString(Qt::ISODateWithMs);
    }

    QString isoNow()
    {
        return isoTime(QDateTime::currentMSecsSinceEpoch());
    }

    // aoe-stat's decimal gigabytes.
    QString sizeText(quint64 bytes)
    {
        return QString::number(double(bytes) / 1e9, 'f', 3) + QStringLiteral("GB");
    }

    // Columns padded to the widest cell; the last column is not padded.
    void printTable(const QList<QStringList> &rows)
    {
        QList<qsizetype> widths;
        for (const QStringList &row : rows) {
            for (qsizetype i = 0; i < row.size(); ++i) {
                if (widths.size() <= i)
                    widths << 0;
                widths[i] = std::max(widths[i], row[i].size());
            }
        }
        for (const QStringList &row : rows) {
            QString line;
            for (qsizetype i = 0; i < row.size(); ++i) {
                if (i + 1 < row.size())
                    line += row[i].leftJustified(widths[i]) + QStringLiteral("  ");
                else
                    line += row[i];
            }
            printLine(line);
        }
    }

    QString helperUnavailable()
    {
        return tr("etherdisk-helper is not running and could not be started: is the "
                  "etherdisk-helper package installed? (systemctl status etherdisk-helper)");
    }

    // "e1.2" or "1.2"; 65535 and 255 are the broadcast shelf and slot.
    bool parseTarget(const QString &text, quint16 *shelf, quint8 *slot)
    {
        static const QRegularExpression re(QStringLiteral("^e?([0-9]{1,5})\\.([0-9]{1,3})$"));
        const QRegularExpressionMatch m = re.match(text);
        if (!m.hasMatch())
            return false;
        const uint sh = m.captured(1).toUInt(), sl = m.captured(2).toUInt();
        if (sh >= 65535 || sl >= 255)
            return false;
        *shelf = quint16(sh);
        *slot = quint8(sl);
        return true;
    }

    // aa:bb:cc:dd:ee:ff, an individual (not group) address.
    bool validMac(const QString &text)
    {
        static const QRegularExpression re(QStringLiteral("^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){5}$"));
        return re.match(text).hasMatch() && (text.left(2).toUInt(nullptr, 16) & 1) == 0;
    }

    // One command's options; --help and --json for all of them.
    class Command
    {
        Q_DECLARE_TR_FUNCTIONS(DBusCtl)

    public:
        Command(const QString &name, const QString &synopsis, const QString &description,
                bool mutating)
            : m_name(name), m_synopsis(synopsis)
        {
            parser.setApplicationDescription(description);
            parser.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
            parser.addOption(
                { { QStringLiteral("h"), QStringLiteral("help") }, tr("Show this help.") });
            parser.addOption({ QStringLiteral("json"), tr("Machine-readable output (JSON).") });
            if (mutating)
                parser.addOption({ QStringLiteral("no-user-interaction"),
                                   tr("Fail instead of asking for a password.") });
        }

        QCommandLineParser parser;

        // False: an error was printed (*exitCode set) or --help was shown (0).
        bool parse(const QStringList &arguments, int *exitCode)
        {
            QStringList args = arguments;
            args.prepend(QStringLiteral("etherdiskctl ") + m_name);
            if (!parser.parse(args)) {
                *exitCode = usage(parser.errorText());
                return false;
            }
            if (parser.isSet(QStringLiteral("help"))) {
                QString text = parser.helpText();
                const qsizetype firstLine = text.indexOf(QLatin1Char('\n'));
                text = tr("Usage: etherdiskctl %1").arg(m_synopsis) + text.mid(firstLine);
                std::fputs(text.toLocal8Bit().constData(), stdout);
                *exitCode = ExitOk;
                return false;
            }
            return true;
        }

        int usage(const QString &message) const
        {
            return fail(ExitUsage,
                        message + QStringLiteral("\n")
                            + tr("usage: etherdiskctl %1").arg(m_synopsis));
        }

        bool json() const { return parser.isSet(QStringLiteral("json")); }
        bool set(const char *option) const { return parser.isSet(QLatin1String(option)); }
        // Values of a repeatable option, comma lists split.
        QStringList values(const char *option) const
        {
            QStringList out;
            for (const QString &v : parser.values(QLatin1String(option)))
                out += v.split(QLatin1Char(','), Qt::SkipEmptyParts);
            return out;
        }

        // The positional arguments, exactly `names` of them.
        bool positional(const QStringList &names, QStringList *out, int *exitCode) const
        {
            *out = parser.positionalArguments();
            if (out->size() < names.size()) {
                *exitCode = usage(tr("missing %1").arg(names.at(out->size())));
                return false;
            }
            if (out->size() > names.size()) {
                *exitCode = usage(tr("unexpected argument \"%1\"").arg(out->at(names.size())));
                return false;
            }
            return true;
        }

        bool target(const QString &text, quint16 *shelf, quint8 *slot, int *exitCode) const
        {
            if (parseTarget(text, shelf, slot))
                return true;
            *exitCode = usage(tr("invalid target \"%1\": expected eSHELF.SLOT with a shelf below "
                                 "65535 and a slot below 255, e.g. e1.2")
                                  .arg(text));
            return false;
        }

        // --allow values, each checked.
        bool macs(QStringList *out, int *exitCode) const
        {
            *out = values("allow");
            for (QString &mac : *out) {
                if (!validMac(mac)) {
                    *exitCode = usage(tr("invalid MAC address \"%1\" for --allow: expected "
                                         "aa:bb:cc:dd:ee:ff, not a group address")
                                          .arg(mac));
                    return false;
                }
                mac = mac.toLower();
            }
            return true;
        }

        bool writeMode(QString *out, int *exitCode) const
        {
            if (!set("write-mode"))
                return true;
            *out = parser.value(QStringLiteral("write-mode"));
            if (*out == QLatin1String("writeback") || *out == QLatin1String("sync")
                || *out == QLatin1String("direct"))
                return true;
            *exitCode = usage(
                tr("invalid --write-mode \"%1\": expected writeback, sync or direct").arg(*out));
            return false;
        }

        QVariantMap baseOptions() const
        {
            QVariantMap options;
            if (set("no-user-interaction"))
                options.insert(QLatin1String(Etherdisk::Client::OptionNoUserInteraction), true);
            return options;
        }

    private:
        QString m_name;
        QString m_synopsis;
    };

    // The exit code and message for an error from the helper or the bus.
    // `notKnown`: what to say when the object does not exist.
    int failWith(const Error &error, const QString &notKnown = {})
    {
        using Kind = Error::Kind;
        if (error.name == QLatin1String("org.freedesktop.DBus.Error.UnknownObject")
            || error.name == QLatin1String("org.freedesktop.DBus.Error.UnknownInterface")) {
            if (!notKnown.isEmpty())
                return fail(ExitNotFound, notKnown);
        }
        switch (error.kind()) {
        case Kind::None:
            return ExitOk;
        case Kind::HelperUnavailable:
            return fail(ExitUnavailable,
                        helperUnavailable() + QStringLiteral("\n  (") + error.name
                            + QStringLiteral(": ") + error.message + QStringLiteral(")"));
        case Kind::NotAuthorized:
            return fail(ExitNotAuthorized, error.message);
        case Kind::InvalidArgument:
            return fail(ExitInvalidArgument, error.message);
        case Kind::NotFound:
            return fail(ExitNotFound, error.message);
        case Kind::AddressInUse:
        case Kind::DeviceBusy:
            return fail(ExitBusy, error.message);
        case Kind::NotSupported:
        case Kind::Failed:
            return fail(ExitFailed, error.message);
        case Kind::Other:
            break;
        }
        return fail(ExitFailed,
                    error.message + QStringLiteral(" (") + error.name + QStringLiteral(")"));
    }

    // The system bus (DBUS_SYSTEM_BUS_ADDRESS when set, as for every
    // D-Bus program).
    bool systemBus(QDBusConnection *bus, int *exitCode)
    {
        *bus = QDBusConnection::systemBus();
        if (bus->isConnected())
            return true;
        *exitCode =
            failWith({ QStringLiteral("org.freedesktop.DBus.Error.NoServer"),
                       bus->lastError().message().isEmpty() ? tr("cannot connect to the system bus")
                                                            : bus->lastError().message() });
        return false;
    }

    using Start = std::function<void(Actions &, Actions::Done)>;

    // Runs one mutating call to the end. With a terminal on stdin and user
    // interaction allowed, polkit's password prompt comes from pkttyagent
    // in this terminal.
    Error callHelper(const QDBusConnection &bus, bool interactive, const Start &start,
                     QVariant *result)
    {
        TtyAgent agent;
        if (interactive && ::isatty(STDIN_FILENO)) {
            QString why;
            if (!agent.start(&why))
                fail(ExitOk, why);
        }
        Actions actions(bus);
        QEventLoop loop;
        Error error;
        start(actions, [&](const Error &e, const QVariant &r) {
            error = e;
            *result = r;
            loop.quit();
        });
        loop.exec();
        return error;
    }

    // Fetches every object into `model`; false with the exit code printed.
    bool fetch(Model *model, int *exitCode)
    {
        QEventLoop loop;
        Error error;
        QObject::connect(model, &Model::connectedChanged, &loop, [&](bool up) {
            if (up)
                loop.quit();
        });
        QObject::connect(model, &Model::fetchFailed, &loop, [&](const Error &e) {
            error = e;
            loop.quit();
        });
        model->start();
        loop.exec();
        if (model->isConnected())
            return true;
        *exitCode = failWith(error);
        return false;
    }

    QJsonArray jsonStrings(const QStringList &list)
    {
        return QJsonArray::fromStringList(list);
    }

    QJsonObject exportJson(const ExportInfo &e)
    {
        QJsonArray clients;
        for (const auto &c : e.clients) {
            clients.append(QJsonObject{
                { QStringLiteral("mac"), c.mac },
                { QStringLiteral("requests"), qint64(c.requests) },
                { QStringLiteral("bytes_read"), qint64(c.bytesRead) },
                { QStringLiteral("bytes_written"), qint64(c.bytesWritten) },
                { QStringLiteral("errors"), qint64(c.errors) },
                { QStringLiteral("last_seen"), isoTime(c.lastSeenMs) },
            });
        }
        return {
            { QStringLiteral("target"), e.name() },
            { QStringLiteral("shelf"), int(e.shelf) },
            { QStringLiteral("slot"), int(e.slot) },
            { QStringLiteral("object"), e.path },
            { QStringLiteral("source"), e.source },
            { QStringLiteral("interfaces"), jsonStrings(e.interfaces) },
            { QStringLiteral("size_bytes"), qint64(e.size) },
            { QStringLiteral("read_only"), e.readOnly },
            { QStringLiteral("write_mode"), e.writeMode },
            { QStringLiteral("allowed_macs"), jsonStrings(e.allowedMacs) },
            { QStringLiteral("persistent"), e.persistent },
            { QStringLiteral("state"), e.state },
            { QStringLiteral("last_error"), e.lastError },
            { QStringLiteral("clients"), clients },
            { QStringLiteral("bytes_read"), qint64(e.bytesRead) },
            { QStringLiteral("bytes_written"), qint64(e.bytesWritten) },
            { QStringLiteral("read_requests"), qint64(e.readRequests) },
            { QStringLiteral("write_requests"), qint64(e.writeRequests) },
            { QStringLiteral("errors"), qint64(e.errors) },
        };
    }

    QJsonObject targetJson(const TargetInfo &t)
    {
        QJsonArray paths;
        for (const auto &p : t.paths) {
            paths.append(QJsonObject{
                { QStringLiteral("mac"), p.mac },
                { QStringLiteral("interface"), p.interface },
                { QStringLiteral("payload"), qint64(p.payload) },
                { QStringLiteral("last_seen"), isoTime(p.lastSeenMs) },
            });
        }
        return {
            { QStringLiteral("target"), t.name() },
            { QStringLiteral("shelf"), int(t.shelf) },
            { QStringLiteral("slot"), int(t.slot) },
            { QStringLiteral("object"), t.path },
            { QStringLiteral("size_bytes"), qint64(t.size) },
            { QStringLiteral("model"), t.model },
            { QStringLiteral("serial"), t.serial },
            { QStringLiteral("firmware"), t.firmware },
            { QStringLiteral("interfaces"), jsonStrings(t.interfaces()) },
            { QStringLiteral("state"), t.state },
            { QStringLiteral("conflict_detail"), t.conflictDetail },
            { QStringLiteral("device"), t.attachedDevice },
            { QStringLiteral("paths"), paths },
        };
    }

    // The helper lists targets only while its discovery runs (someone asked
    // for it, an export or an attached disk needs it). When it does not,
    // ask for it for as long as this process is connected and give it
    // `waitMs` to find the LAN's targets (a poll every 2 s, then IDENTIFY),
    // returning early once `ready` says so. False with the exit code
    // printed when the helper refuses.
    bool ensureDiscovery(const QDBusConnection &bus, Model *model, bool interactive, int waitMs,
                         const std::function<bool()> &ready, int *exitCode)
    {
        using namespace Etherdisk::Client;
        const QVariantMap manager =
            model->properties(QLatin1String(ManagerPath), QLatin1String(ManagerInterface));
        if (manager.value(QStringLiteral("DiscoveryActive")).toBool() && !ready)
            return true;
        if (!manager.value(QStringLiteral("DiscoveryActive")).toBool()) {
            QVariantMap options;
            if (!interactive)
                options.insert(QLatin1String(OptionNoUserInteraction), true);
            QVariant ignored;
            const Error error = callHelper(
                bus, interactive,
                [&](Actions &a, Actions::Done done) { a.startDiscovery(options, std::move(done)); },
                &ignored);
            if (error.isError()) {
                *exitCode = failWith(error);
                return false;
            }
        } else if (ready && ready()) {
            return true;
        }
        QEventLoop loop;
        QTimer::singleShot(waitMs, &loop, &QEventLoop::quit);
        if (ready)
            QObject::connect(model, &Model::objectAdded, &loop, [&] {
                if (ready())
                    loop.quit();
            });
        loop.exec();
        return true;
    }

    // ---- list ---------------------------------------------------------

    constexpr int DiscoveryWaitMs = 3000; // two polls of the helper's discovery, and IDENTIFY

    int list(const QStringList &arguments)
    {
        Command cmd(QStringLiteral("list"), QStringLiteral("list [--no-user-interaction] [--json]"),
                    tr("Every AoE target etherdisk-helper sees on the LAN, like aoe-stat. When "
                       "the helper's discovery is not running, it is started for this command "
                       "and given 3 s to find the targets."),
                    true);
        int code = ExitOk;
        QStringList pos;
        if (!cmd.parse(arguments, &code) || !cmd.positional({}, &pos, &code))
            return code;
        QDBusConnection bus(QString{});
        if (!systemBus(&bus, &code))
            return code;
        Model model(bus);
        if (!fetch(&model, &code)
            || !ensureDiscovery(bus, &model, !cmd.set("no-user-interaction"), DiscoveryWaitMs, {},
                                &code))
            return code;
        bool conflict = false;
        QJsonArray targets;
        // Like aoe-stat: the header stays English in every language (scripts).
        QList<QStringList> rows{ { QStringLiteral("TARGET"), QStringLiteral("SIZE"),
                                   QStringLiteral("INTERFACES"), QStringLiteral("STATE"),
                                   QStringLiteral("DEVICE") } };
        for (const QString &path : model.targetPaths()) {
            const TargetInfo &t = *model.targetInfo(path);
            conflict = conflict || t.state == QLatin1String("conflict");
            targets.append(targetJson(t));
            rows.append({ t.name(), sizeText(t.size), t.interfaces().join(QLatin1Char(',')),
                          t.state,
                          t.attachedDevice.isEmpty() ? QStringLiteral("-") : t.attachedDevice });
        }
        if (cmd.json())
            printJson({ { QStringLiteral("targets"), targets } });
        else
            printTable(rows);
        return conflict ? ExitProblem : ExitOk;
    }

    // ---- exports ------------------------------------------------------

    int exports(const QStringList &arguments)
    {
        Command cmd(QStringLiteral("exports"), QStringLiteral("exports [--json]"),
                    tr("Every export etherdisk-helper serves."), false);
        int code = ExitOk;
        QStringList pos;
        if (!cmd.parse(arguments, &code) || !cmd.positional({}, &pos, &code))
            return code;
        QDBusConnection bus(QString{});
        if (!systemBus(&bus, &code))
            return code;
        Model model(bus);
        if (!fetch(&model, &code))
            return code;
        QJsonArray list;
        // The header stays English in every language (scripts read it).
        QList<QStringList> rows{ { QStringLiteral("TARGET"), QStringLiteral("SOURCE"),
                                   QStringLiteral("INTERFACES"), QStringLiteral("SIZE"),
                                   QStringLiteral("MODE"), QStringLiteral("ALLOW"),
                                   QStringLiteral("CLIENTS"), QStringLiteral("STATE") } };
        for (const QString &path : model.exportPaths()) {
            const ExportInfo &e = *model.exportInfo(path);
            list.append(exportJson(e));
            QString mode =
                (e.readOnly ? QStringLiteral("ro,") : QStringLiteral("rw,")) + e.writeMode;
            if (e.persistent)
                mode += QStringLiteral(",persistent");
            QString state = e.state;
            if (!e.lastError.isEmpty())
                state += QStringLiteral(": ") + e.lastError;
            rows.append({ e.name(), e.source.isEmpty() ? QStringLiteral("-") : e.source,
                          e.interfaces.join(QLatin1Char(',')), sizeText(e.size), mode,
                          e.allowedMacs.isEmpty() ? QStringLiteral("all")
                                                  : e.allowedMacs.join(QLatin1Char(',')),
                          QString::number(e.clients.size()), state });
        }
        if (cmd.json())
            printJson({ { QStringLiteral("exports"), list } });
        else
            printTable(rows);
        return ExitOk;
    }

    // ---- export -------------------------------------------------------

    int exportCommand(const QStringList &arguments)
    {
        Command cmd(QStringLiteral("export"),
                    QStringLiteral("export DEVICE-OR-FILE eSHELF.SLOT -i IF [-i IF]... "
                                   "[--read-only] [--allow MAC]... [--write-mode MODE] "
                                   "[--persistent] [--force] [--no-user-interaction] [--json]"),
                    tr("Serve a block device or an image file as AoE target eSHELF.SLOT."), true);
        cmd.parser.addOption({ { QStringLiteral("i"), QStringLiteral("interface") },
                               tr("Serve on this network interface (repeatable)."),
                               QStringLiteral("IF") });
        cmd.parser.addOption({ QStringLiteral("read-only"), tr("Refuse writes.") });
        cmd.parser.addOption({ QStringLiteral("allow"),
                               tr("Only this initiator MAC may use it (repeatable)."),
                               QStringLiteral("MAC") });
        cmd.parser.addOption({ QStringLiteral("write-mode"),
                               tr("writeback (default), sync or direct."),
                               QStringLiteral("MODE") });
        cmd.parser.addOption({ QStringLiteral("persistent"),
                               tr("Serve it again when the helper starts (exports.conf).") });
        cmd.parser.addOption({ QStringLiteral("force"),
                               tr("Export a device although it is in use (mounted, holds a "
                                  "mounted partition, swap, held by dm/md).") });
        int code = ExitOk;
        QStringList pos;
        if (!cmd.parse(arguments, &code)
            || !cmd.positional({ QStringLiteral("DEVICE-OR-FILE"), QStringLiteral("eSHELF.SLOT") },
                               &pos, &code))
            return code;
        quint16 shelf = 0;
        quint8 slot = 0;
        if (!cmd.target(pos[1], &shelf, &slot, &code))
            return code;
        const QStringList interfaces = cmd.values("interface");
        if (interfaces.isEmpty())
            return cmd.usage(tr("on which network interface? e.g. -i eth0"));
        QStringList allow;
        QString writeMode;
        if (!cmd.macs(&allow, &code) || !cmd.writeMode(&writeMode, &code))
            return code;
        const bool readOnly = cmd.set("read-only");
        QVariantMap options = cmd.baseOptions();
        if (readOnly)
            options.insert(QLatin1String(Etherdisk::Client::OptionReadOnly), true);
        if (!allow.isEmpty())
            options.insert(QLatin1String(Etherdisk::Client::OptionAllow), allow);
        if (!writeMode.isEmpty())
            options.insert(QLatin1String(Etherdisk::Client::OptionWriteMode), writeMode);
        if (cmd.set("persistent"))
            options.insert(QLatin1String(Etherdisk::Client::OptionPersistent), true);
        if (cmd.set("force"))
            options.insert(QLatin1String(Etherdisk::Client::OptionForce), true);

        // A block device is opened by the helper (by its real node: it
        // refuses symbolic links); an image file by us, with our own
        // rights, as udisksctl loop-setup does.
        const QString source = pos[0];
        const QByteArray file = QFile::encodeName(source);
        struct stat st
        {
        };
        if (::stat(file.constData(), &st) < 0) {
            const int err = errno;
            return fail(
                err == ENOENT ? ExitNotFound : ExitNotAuthorized,
                tr("cannot use %1: %2").arg(source, QString::fromLocal8Bit(std::strerror(err))));
        }
        QString device;
        int fd = -1;
        if (S_ISBLK(st.st_mode)) {
            device = QFileInfo(source).canonicalFilePath();
        } else if (S_ISREG(st.st_mode)) {
            fd = ::open(file.constData(), (readOnly ? O_RDONLY : O_RDWR) | O_CLOEXEC | O_NOCTTY);
            if (fd < 0) {
                const int err = errno;
                return fail(err == ENOENT ? ExitNotFound : ExitNotAuthorized,
                            (readOnly ? tr("cannot open %1 for reading: %2")
                                      : tr("cannot open %1 for reading and writing: %2 (export "
                                           "it with --read-only if reading is enough)"))
                                .arg(source, QString::fromLocal8Bit(std::strerror(err))));
            }
        } else {
            return fail(ExitInvalidArgument,
                        tr("%1 is neither a block device nor a regular file").arg(source));
        }
        const QDBusUnixFileDescriptor image(fd); // duplicates
        if (fd >= 0)
            ::close(fd);

        QDBusConnection bus(QString{});
        if (!systemBus(&bus, &code))
            return code;
        QVariant result;
        const Error error = callHelper(
            bus, !cmd.set("no-user-interaction"),
            [&](Actions &a, Actions::Done done) {
                if (device.isEmpty())
                    a.createExportFromImage(image, shelf, slot, interfaces, options,
                                            std::move(done));
                else
                    a.createExport(device, shelf, slot, interfaces, options, std::move(done));
            },
            &result);
        if (error.isError())
            return failWith(error);
        const QString name = Etherdisk::Client::targetName(shelf, slot);
        if (cmd.json())
            printJson({ { QStringLiteral("target"), name },
                        { QStringLiteral("object"), result.toString() } });
        else
            printLine(tr("Exported %1 as %2 on %3.")
                          .arg(device.isEmpty() ? source : device, name,
                               interfaces.join(QStringLiteral(", "))));
        return ExitOk;
    }

    // ---- unexport, set, attach, detach: one object each -------------------

    int unexport(const QStringList &arguments)
    {
        Command cmd(QStringLiteral("unexport"),
                    QStringLiteral("unexport eSHELF.SLOT [--no-user-interaction] [--json]"),
                    tr("Stop serving an export (and forget it if it was persistent)."), true);
        int code = ExitOk;
        QStringList pos;
        quint16 shelf = 0;
        quint8 slot = 0;
        if (!cmd.parse(arguments, &code)
            || !cmd.positional({ QStringLiteral("eSHELF.SLOT") }, &pos, &code)
            || !cmd.target(pos[0], &shelf, &slot, &code))
            return code;
        QDBusConnection bus(QString{});
        if (!systemBus(&bus, &code))
            return code;
        const QString name = Etherdisk::Client::targetName(shelf, slot);
        const QString path = Etherdisk::Client::exportPath(shelf, slot);
        const QVariantMap options = cmd.baseOptions();
        QVariant result;
        const Error error = callHelper(
            bus, !cmd.set("no-user-interaction"),
            [&](Actions &a, Actions::Done done) { a.stopExport(path, options, std::move(done)); },
            &result);
        if (error.isError())
            return failWith(
                error, tr("%1 is not exported by the helper (etherdiskctl exports)").arg(name));
        if (cmd.json())
            printJson({ { QStringLiteral("target"), name },
                        { QStringLiteral("object"), path },
                        { QStringLiteral("stopped"), true } });
        else
            printLine(tr("Stopped exporting %1.").arg(name));
        return ExitOk;
    }

    int setCommand(const QStringList &arguments)
    {
        Command cmd(
            QStringLiteral("set"),
            QStringLiteral("set eSHELF.SLOT [--read-only|--read-write] [--allow MAC]... "
                           "[--allow-all] [--write-mode MODE] "
                           "[--persistent|--no-persistent] [--no-user-interaction] [--json]"),
            tr("Change an export's settings while it serves (counters and requests in "
               "flight are kept)."),
            true);
        cmd.parser.addOption({ QStringLiteral("read-only"), tr("Refuse writes from now on.") });
        cmd.parser.addOption({ QStringLiteral("read-write"), tr("Accept writes again.") });
        cmd.parser.addOption({ QStringLiteral("allow"),
                               tr("Only these initiator MACs may use it (repeatable; replaces "
                                  "the list)."),
                               QStringLiteral("MAC") });
        cmd.parser.addOption({ QStringLiteral("allow-all"), tr("Every initiator may use it.") });
        cmd.parser.addOption({ QStringLiteral("write-mode"), tr("writeback, sync or direct."),
                               QStringLiteral("MODE") });
        cmd.parser.addOption(
            { QStringLiteral("persistent"), tr("Serve it again when the helper starts.") });
        cmd.parser.addOption(
            { QStringLiteral("no-persistent"), tr("Forget it when the helper stops.") });
        int code = ExitOk;
        QStringList pos;
        quint16 shelf = 0;
        quint8 slot = 0;
        if (!cmd.parse(arguments, &code)
            || !cmd.positional({ QStringLiteral("eSHELF.SLOT") }, &pos, &code)
            || !cmd.target(pos[0], &shelf, &slot, &code))
            return code;
        if (cmd.set("read-only") && cmd.set("read-write"))
            return cmd.usage(tr("--read-only and --read-write exclude each other"));
        if (cmd.set("persistent") && cmd.set("no-persistent"))
            return cmd.usage(tr("--persistent and --no-persistent exclude each other"));
        if (cmd.set("allow") && cmd.set("allow-all"))
            return cmd.usage(tr("--allow and --allow-all exclude each other"));
        QStringList allow;
        QString writeMode;
        if (!cmd.macs(&allow, &code) || !cmd.writeMode(&writeMode, &code))
            return code;
        QVariantMap options = cmd.baseOptions();
        using namespace Etherdisk::Client;
        if (cmd.set("read-only") || cmd.set("read-write"))
            options.insert(QLatin1String(OptionReadOnly), cmd.set("read-only"));
        if (cmd.set("allow"))
            options.insert(QLatin1String(OptionAllow), allow);
        if (cmd.set("allow-all"))
            options.insert(QLatin1String(OptionAllow), QStringList());
        if (!writeMode.isEmpty())
            options.insert(QLatin1String(OptionWriteMode), writeMode);
        if (cmd.set("persistent") || cmd.set("no-persistent"))
            options.insert(QLatin1String(OptionPersistent), cmd.set("persistent"));
        if (options.size() == cmd.baseOptions().size())
            return cmd.usage(tr("nothing to change: give --read-only, --read-write, --allow, "
                                "--allow-all, --write-mode, --persistent or --no-persistent"));
        QDBusConnection bus(QString{});
        if (!systemBus(&bus, &code))
            return code;
        const QString name = targetName(shelf, slot);
        const QString path = exportPath(shelf, slot);
        QVariant result;
        const Error error = callHelper(
            bus, !cmd.set("no-user-interaction"),
            [&](Actions &a, Actions::Done done) {
                a.setExportSettings(path, options, std::move(done));
            },
            &result);
        if (error.isError())
            return failWith(
                error, tr("%1 is not exported by the helper (etherdiskctl exports)").arg(name));
        if (cmd.json())
            printJson({ { QStringLiteral("target"), name },
                        { QStringLiteral("object"), path },
                        { QStringLiteral("changed"), true } });
        else
            printLine(tr("Changed the settings of %1.").arg(name));
        return ExitOk;
    }

    int attachOrDetach(const QStringList &arguments, bool attach)
    {
        const QString name = attach ? QStringLiteral("attach") : QStringLiteral("detach");
        Command cmd(name,
                    attach ? QStringLiteral("attach eSHELF.SLOT [--no-user-interaction] [--json]")
                           : QStringLiteral(
                               "detach eSHELF.SLOT [--force] [--no-user-interaction] [--json]"),
                    attach ? tr("Attach a target through the Linux aoe driver: "
                                "/dev/etherd/eSHELF.SLOT.")
                           : tr("Detach a target from the Linux aoe driver."),
                    true);
        if (!attach)
            cmd.parser.addOption(
                { QStringLiteral("force"),
                  tr("Passed on to the helper; it still never detaches a disk that is mounted, "
                     "open or held, because the driver would remove it under its users.") });
        int code = ExitOk;
        QStringList pos;
        quint16 shelf = 0;
        quint8 slot = 0;
        if (!cmd.parse(arguments, &code)
            || !cmd.positional({ QStringLiteral("eSHELF.SLOT") }, &pos, &code)
            || !cmd.target(pos[0], &shelf, &slot, &code))
            return code;
        QVariantMap options = cmd.baseOptions();
        if (!attach && cmd.set("force"))
            options.insert(QLatin1String(Etherdisk::Client::OptionForce), true);
        QDBusConnection bus(QString{});
        if (!systemBus(&bus, &code))
            return code;
        const QString target = Etherdisk::Client::targetName(shelf, slot);
        const QString path = Etherdisk::Client::targetPath(shelf, slot);
        // The helper knows a target only while its discovery runs: have it
        // run (for as long as this process is connected; an attached disk
        // keeps it running afterwards) and wait for the target to be found.
        Model model(bus);
        if (!fetch(&model, &code)
            || !ensureDiscovery(
                bus, &model, !cmd.set("no-user-interaction"), DiscoveryWaitMs + 2000,
                [&] { return model.targetInfo(path) != nullptr; }, &code))
            return code;
        QVariant result;
        const Error error = callHelper(
            bus, !cmd.set("no-user-interaction"),
            [&](Actions &a, Actions::Done done) {
                if (attach)
                    a.attach(path, options, std::move(done));
                else
                    a.detach(path, options, std::move(done));
            },
            &result);
        if (error.isError())
            return failWith(error,
                            tr("%1 is not known to the helper: is it on the LAN? (etherdiskctl "
                               "list)")
                                .arg(target));
        if (cmd.json()) {
            QJsonObject o{ { QStringLiteral("target"), target },
                           { QStringLiteral("object"), path } };
            if (attach)
                o.insert(QStringLiteral("device"), result.toString());
            else
                o.insert(QStringLiteral("detached"), true);
            printJson(o);
        } else if (attach) {
            printLine(tr("Attached %1 as %2.").arg(target, result.toString()));
        } else {
            printLine(tr("Detached %1.").arg(target));
        }
        return ExitOk;
    }

    // ---- monitor ------------------------------------------------------

    int g_stopPipe[2] = { -1, -1 };

    void onStopSignal(int)
    {
        const int saved = errno;
        const char c = 0;
        [[maybe_unused]] const ssize_t n = ::write(g_stopPipe[1], &c, 1);
        errno = saved;
    }

    // A property value as JSON: containers as arrays and objects.
    QJsonValue jsonValue(const QVariant &v)
    {
        if (v.metaType() == QMetaType::fromType<VariantMapList>()) {
            QJsonArray a;
            for (const QVariantMap &m : v.value<VariantMapList>())
                a.append(QJsonObject::fromVariantMap(m));
            return a;
        }
        if (v.metaType() == QMetaType::fromType<QByteArray>())
            return QString::fromLatin1(v.toByteArray());
        if (v.metaType() == QMetaType::fromType<uchar>()) // D-Bus y (Slot): a number, not a char
            return int(v.toUInt());
        return QJsonValue::fromVariant(v);
    }

    QString textValue(const QVariant &v)
    {
        if (v.metaType() == QMetaType::fromType<QStringList>())
            return v.toStringList().join(QLatin1Char(','));
        const QJsonValue j = jsonValue(v);
        if (j.isDouble())
            return QString::number(j.toInteger());
        if (j.isArray())
            return QString::fromUtf8(QJsonDocument(j.toArray()).toJson(QJsonDocument::Compact));
        if (j.isObject())
            return QString::fromUtf8(QJsonDocument(j.toObject()).toJson(QJsonDocument::Compact));
        return v.toString();
    }

    int monitor(const QStringList &arguments)
    {
        Command cmd(QStringLiteral("monitor"), QStringLiteral("monitor [--json]"),
                    tr("Print every change of the helper's exports and targets as it happens, "
                       "until Ctrl-C."),
                    false);
        int code = ExitOk;
        QStringList pos;
        if (!cmd.parse(arguments, &code) || !cmd.positional({}, &pos, &code))
            return code;
        QDBusConnection bus(QString{});
        if (!systemBus(&bus, &code))
            return code;
        const bool json = cmd.json();

        if (::pipe2(g_stopPipe, O_CLOEXEC | O_NONBLOCK) < 0)
            return fail(
                ExitFailed,
                QStringLiteral("pipe: %1").arg(QString::fromLocal8Bit(std::strerror(errno))));
        struct sigaction sa
        {
        };
        sa.sa_handler = onStopSignal;
        sa.sa_flags = SA_RESETHAND;
        sigemptyset(&sa.sa_mask);
        ::sigaction(SIGINT, &sa, nullptr);
        ::sigaction(SIGTERM, &sa, nullptr);
        QSocketNotifier stop(g_stopPipe[0], QSocketNotifier::Read);
        QObject::connect(&stop, &QSocketNotifier::activated, qApp, &QCoreApplication::quit);

        Model model(bus);
        // Discovery runs while this monitor is connected, so targets and
        // their losses are seen (the helper stops it when we leave).
        Actions discovery(bus);
        bool everConnected = false;
        const auto kindOf = [](const QString &interface) {
            using namespace Etherdisk::Client;
            if (interface == QLatin1String(ExportInterface))
                return QStringLiteral("export");
            if (interface == QLatin1String(TargetInterface))
                return QStringLiteral("target");
            if (interface == QLatin1String(ManagerInterface))
                return QStringLiteral("manager");
            return interface;
        };
        // .../exports/1_2 -> e1.2
        const auto nameOf = [](const QString &path) {
            static const QRegularExpression re(QStringLiteral("/([0-9]+)_([0-9]+)$"));
            const QRegularExpressionMatch m = re.match(path);
            return m.hasMatch() ? QStringLiteral("e%1.%2").arg(m.captured(1), m.captured(2))
                                : QString();
        };
        const auto report = [&](const QString &event, const QString &path, const QString &interface,
                                const QStringList &names) {
            const QVariantMap values = model.properties(path, interface);
            const QString kind = kindOf(interface);
            const QString name = nameOf(path);
            if (json) {
                QJsonObject o{ { QStringLiteral("time"), isoNow() },
                               { QStringLiteral("event"), event },
                               { QStringLiteral("kind"), kind },
                               { QStringLiteral("object"), path } };
                if (!name.isEmpty())
                    o.insert(QStringLiteral("target"), name);
                if (!names.isEmpty()) {
                    QJsonObject props;
                    for (const QString &n : names)
                        props.insert(n, jsonValue(values.value(n)));
                    o.insert(QStringLiteral("properties"), props);
                }
                printJson(o);
                return;
            }
            QString line = QStringLiteral("%1 %2 %3 %4")
                               .arg(isoNow(), kind, name.isEmpty() ? path : name, event);
            for (const QString &n : names)
                line += QStringLiteral(" %1=%2").arg(n, textValue(values.value(n)));
            printLine(line);
        };
        QObject::connect(&model, &Model::objectAdded, qApp,
                         [&](const QString &path, const QString &interface) {
                             // The first fetch is the starting point, not a change.
                             if (everConnected)
                                 report(QStringLiteral("added"), path, interface,
                                        model.properties(path, interface).keys());
                         });
        QObject::connect(
            &model, &Model::objectChanged, qApp,
            [&](const QString &path, const QString &interface, const QStringList &names) {
                report(QStringLiteral("changed"), path, interface, names);
            });
        QObject::connect(&model, &Model::objectRemoved, qApp,
                         [&](const QString &path, const QString &interface) {
                             report(QStringLiteral("removed"), path, interface, {});
                         });
        Error firstError;
        QObject::connect(&model, &Model::connectedChanged, qApp, [&](bool up) {
            everConnected = everConnected || up;
            if (json) {
                QJsonObject o{ { QStringLiteral("time"), isoNow() },
                               { QStringLiteral("event"),
                                 up ? QStringLiteral("connected")
                                    : QStringLiteral("disconnected") } };
                if (up) {
                    o.insert(QStringLiteral("version"), model.helperVersion());
                    o.insert(QStringLiteral("exports"), int(model.exportPaths().size()));
                    o.insert(QStringLiteral("targets"), int(model.targetPaths().size()));
                }
                printJson(o);
            } else if (up) {
                printLine(tr("%1 helper connected (version %2): %3, %4")
                              .arg(isoNow(), model.helperVersion(),
                                   tr("%n export(s)", nullptr, int(model.exportPaths().size())),
                                   tr("%n target(s)", nullptr, int(model.targetPaths().size()))));
            } else {
                printLine(tr("%1 helper gone: waiting for it to start again").arg(isoNow()));
            }
            if (up)
                discovery.startDiscovery(
                    { { QLatin1String(Etherdisk::Client::OptionNoUserInteraction), true } },
                    [](const Error &error, const QVariant &) {
                        if (error.isError())
                            fail(ExitOk,
                                 tr("targets are not watched (the helper refused discovery: "
                                    "%1)")
                                     .arg(error.message));
                    });
        });
        QObject::connect(&model, &Model::fetchFailed, qApp, [&](const Error &e) {
            if (!everConnected) {
                firstError = e;
                QCoreApplication::quit();
            }
        });
        model.start();
        QCoreApplication::exec();
        ::signal(SIGINT, SIG_DFL);
        ::signal(SIGTERM, SIG_DFL);
        if (!everConnected && firstError.isError())
            return failWith(firstError);
        return ExitOk;
    }

} // namespace

bool isCommand(const QString &name)
{
    static const QStringList commands = { QStringLiteral("list"),   QStringLiteral("exports"),
                                          QStringLiteral("export"), QStringLiteral("unexport"),
                                          QStringLiteral("set"),    QStringLiteral("attach"),
                                          QStringLiteral("detach"), QStringLiteral("monitor") };
    return commands.contains(name);
}

int run(const QString &command, const QStringList &arguments)
{
    if (command == QLatin1String("list"))
        return list(arguments);
    if (command == QLatin1String("exports"))
        return exports(arguments);
    if (command == QLatin1String("export"))
        return exportCommand(arguments);
    if (command == QLatin1String("unexport"))
        return unexport(arguments);
    if (command == QLatin1String("set"))
        return setCommand(arguments);
    if (command == QLatin1String("attach"))
        return attachOrDetach(arguments, true);
    if (command == QLatin1String("detach"))
        return attachOrDetach(arguments, false);
    if (command == QLatin1String("monitor"))
        return monitor(arguments);
    return fail(ExitUsage, tr("unknown command \"%1\"").arg(command));
}

QString helpText()
{
    return tr("Through etherdisk-helper (the system service; any user, each change checked by\n"
              "polkit, a password asked in this terminal when needed):\n"
              "  list       every AoE target the helper sees on the LAN, like aoe-stat\n"
              "  exports    every export the helper serves, with its clients and state\n"
              "  export     serve a block device or image file: export FILE e1.2 -i eth0\n"
              "  unexport   stop serving an export\n"
              "  set        change an export's settings while it serves\n"
              "  attach     attach a target through the Linux aoe driver\n"
              "  detach     detach it again\n"
              "  monitor    print every change as it happens, until Ctrl-C\n");
}

} // namespace DBusCtl
