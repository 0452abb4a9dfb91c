// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
//
// etherdiskctl probe eX.Y: what `aoeping -I` and `aoe-sancheck` tell about
// one target, path by path.

#include "ctl.h"

#include "etherdisk/probe.h"

#include <QJsonArray>

using namespace Etherdisk;

namespace Ctl {

namespace {

    QString quoted(const std::string &bytes)
    {
        QString out = QStringLiteral("\"");
        for (const char ch : bytes) {
            const auto c = std::uint8_t(ch);
            if (c >= 0x20 && c < 0x7F && c != '"' && c != '\\')
                out += QLatin1Char(char(c));
            else
                out += QStringLiteral("\\x%1").arg(c, 2, 16, QLatin1Char('0'));
        }
        return out + QLatin1Char('"');
    }

    QJsonArray strings(const std::vector<std::string> &list)
    {
        QJsonArray a;
        for (const std::string &s : list)
            a.append(QString::fromStdString(s));
        return a;
    }

    QJsonObject pathJson(const ProbedPath &p)
    {
        QJsonObject o{
            { QStringLiteral("interface"), QString::fromStdString(p.interface) },
            { QStringLiteral("mac"), macText(p.mac) },
            { QStringLiteral("local_mtu"), int(p.localMtu) },
            { QStringLiteral("rtt_us"), qint64(p.rttUs) },
            { QStringLiteral("buffer_count"), int(p.bufferCount) },
            { QStringLiteral("firmware_version"), int(p.firmwareVersion) },
            { QStringLiteral("max_sectors"), int(p.maxSectors) },
            { QStringLiteral("aoe_version"), int(p.aoeVersion) },
            { QStringLiteral("config_string"), bytesText(p.configString) },
            { QStringLiteral("advertised_payload"), int(p.advertisedPayload) },
            { QStringLiteral("mtu_payload"), int(p.mtuPayload) },
            { QStringLiteral("usable_payload"), int(p.usablePayload) },
            { QStringLiteral("identified"), p.identified },
            { QStringLiteral("warnings"), strings(p.warnings) },
        };
        if (p.payloadMeasured) {
            o.insert(QStringLiteral("largest_payload"), int(p.largestPayload));
            o.insert(QStringLiteral("payload_both_ways"), p.payloadBothWays);
        }
        if (p.identified) {
            const Ata::IdentifyInfo &i = p.identify;
            o.insert(QStringLiteral("identify"),
                     QJsonObject{
                         { QStringLiteral("model"), QString::fromStdString(i.model) },
                         { QStringLiteral("serial"), QString::fromStdString(i.serial) },
                         { QStringLiteral("firmware"), QString::fromStdString(i.firmware) },
                         { QStringLiteral("sectors"), qint64(i.sectors) },
                         { QStringLiteral("size_bytes"), qint64(i.sectors * 512) },
                         { QStringLiteral("lba28_sectors"), qint64(i.lba28Sectors) },
                         { QStringLiteral("lba48"), i.lba48 },
                         { QStringLiteral("flush_cache"), i.flushCache },
                         { QStringLiteral("flush_cache_ext"), i.flushCacheExt },
                         { QStringLiteral("checksum_valid"),
                           i.checksumPresent ? QJsonValue(i.checksumValid) : QJsonValue() },
                     });
        } else {
            o.insert(QStringLiteral("identify_error"), QString::fromStdString(p.identifyError));
        }
        return o;
    }

    QString yesNo(bool v)
    {
        return v ? tr("yes") : tr("no");
    }

    void printPath(const ProbedPath &p)
    {
        printLine(tr("  path %1 via %2 (MTU %3, round trip %4 ms)")
                      .arg(macText(p.mac), QString::fromStdString(p.interface))
                      .arg(p.localMtu)
                      .arg(double(p.rttUs) / 1000.0, 0, 'f', 2));
        printLine(tr("    config: buffer count %1, firmware 0x%2, %3 sectors per command, AoE "
                     "version %4")
                      .arg(p.bufferCount)
                      .arg(p.firmwareVersion, 4, 16, QLatin1Char('0'))
                      .arg(p.maxSectors)
                      .arg(p.aoeVersion));
        printLine(tr("    config string: %1")
                      .arg(p.configString.empty() ? tr("(none)") : quoted(p.configString)));
        QString payload = tr("    payload: target takes %1, local MTU carries %2 bytes per frame")
                              .arg(p.advertisedPayload)
                              .arg(p.mtuPayload);
        if (p.payloadMeasured && p.largestPayload == 0)
            payload += tr("; no test frame got through");
        else if (p.payloadMeasured && p.payloadBothWays)
            payload += tr("; %1 bytes get through both ways").arg(p.largestPayload);
        else if (p.payloadMeasured)
            payload += tr("; %1 bytes get through to the target").arg(p.largestPayload);
        printLine(payload);
        if (p.identified) {
            const Ata::IdentifyInfo &i = p.identify;
            printLine(tr("    model: %1").arg(QString::fromStdString(i.model)));
            printLine(tr("    serial: %1").arg(QString::fromStdString(i.serial)));
            printLine(tr("    firmware: %1").arg(QString::fromStdString(i.firmware)));
            printLine(tr("    capacity: %1 sectors (%2), LBA28 capacity %3 sectors")
                          .arg(i.sectors)
                          .arg(sizeText(i.sectors))
                          .arg(i.lba28Sectors));
            printLine(tr("    LBA48: %1, FLUSH CACHE: %2, FLUSH CACHE EXT: %3, checksum: %4")
                          .arg(yesNo(i.lba48), yesNo(i.flushCache), yesNo(i.flushCacheExt),
                               !i.checksumPresent    ? tr("none")
                                   : i.checksumValid ? tr("valid")
                                                     : tr("INVALID")));
        } else {
            printLine(tr("    IDENTIFY: %1").arg(QString::fromStdString(p.identifyError)));
        }
        for (const std::string &w : p.warnings)
            printLine(tr("    warning: %1").arg(QString::fromStdString(w)));
    }

} // namespace

int probe(const QStringList &arguments)
{
    Command cmd(QStringLiteral("probe"),
                QStringLiteral("probe eX.Y [-i IF]... [--json] [--timeout S] [--no-payload-test]"),
                tr("Asks one target for its configuration and ATA IDENTIFY page on every path "
                   "(responding MAC x local interface), and measures the largest payload each "
                   "path carries in both directions, as aoeping -I and aoe-sancheck do. Nothing "
                   "is written."));
    cmd.parser.addOption({ { QStringLiteral("i"), QStringLiteral("interface") },
                           tr("Ask on IF (repeat, or separate with commas; default: every "
                              "Ethernet interface that is up)."),
                           QStringLiteral("IF") });
    cmd.parser.addOption({ { QStringLiteral("t"), QStringLiteral("timeout") },
                           tr("Seconds to wait for each answer (default 1)."),
                           QStringLiteral("S") });
    cmd.parser.addOption(
        { QStringLiteral("no-payload-test"), tr("Do not measure the payload each path carries.") });
    cmd.parser.addPositionalArgument(QStringLiteral("eX.Y"), tr("The target, e.g. e1.2."));
    int code = ExitOk;
    if (!cmd.parse(arguments, &code))
        return code;
    ProbeOptions o;
    if (!cmd.target(&o.shelf, &o.slot, &code))
        return code;
    double timeoutS = 1;
    if (!cmd.number(QStringLiteral("timeout"), 0.01, 600, &timeoutS, &code))
        return code;
    o.timeoutMs = int(timeoutS * 1000);
    o.measurePayload = !cmd.parser.isSet(QStringLiteral("no-payload-test"));
    o.interfaces = cmd.interfaces();
    if (o.interfaces.empty()) {
        o.interfaces = upEthernetInterfaces();
        if (o.interfaces.empty())
            return fail(ExitNoInterface, tr("no Ethernet interface is up; name one with -i"));
    }
    if ((code = checkInterfaces(o.interfaces, true)) != ExitOk)
        return code;

    ProbeResult r;
    Error error;
    if (!probeTarget(o, &r, &error))
        return failWith(error);
    bool problem = !r.warnings.empty();
    for (const ProbedPath &p : r.paths)
        problem = problem || !p.warnings.empty() || !p.identified;
    if (cmd.json()) {
        QJsonArray paths;
        for (const ProbedPath &p : r.paths)
            paths.append(pathJson(p));
        printJson({ { QStringLiteral("target"), QString::fromStdString(r.name()) },
                    { QStringLiteral("shelf"), int(r.shelf) },
                    { QStringLiteral("slot"), int(r.slot) },
                    { QStringLiteral("paths"), paths },
                    { QStringLiteral("warnings"), strings(r.warnings) } });
    } else {
        const QString name = QString::fromStdString(r.name());
        printLine(tr("%1: %n path(s)", nullptr, int(r.paths.size())).arg(name));
        for (const ProbedPath &p : r.paths)
            printPath(p);
        for (const std::string &w : r.warnings)
            printLine(tr("  warning: %1").arg(QString::fromStdString(w)));
    }
    return problem ? ExitProblem : ExitOk;
}

} // namespace Ctl
