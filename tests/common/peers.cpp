// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later

#include "peers.h"

#include "netns.h"
#include "process.h"
#include "testutil.h"

#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QThread>

#include <csignal>

namespace EtherdiskTest {

QString targetBinary()
{
    return QStringLiteral(ETHERDISK_BINARY_DIR "/app/etherdisk-target/etherdisk-target");
}

QString ctlBinary()
{
    return QStringLiteral(ETHERDISK_BINARY_DIR "/app/etherdiskctl/etherdiskctl");
}

QString vbladeBinary()
{
    return programPath(QStringLiteral("vblade"));
}

TargetKind targetKind(const QString &name)
{
    return name == QLatin1String("vblade") ? TargetKind::Vblade : TargetKind::Etherdisk;
}

QString targetProgram(TargetKind kind)
{
    return kind == TargetKind::Vblade ? vbladeBinary() : targetBinary();
}

QStringList targetArgs(TargetKind kind, int shelf, int slot, const QString &interface,
                       const QString &image, const TargetOptions &options)
{
    QStringList args;
    if (kind == TargetKind::Etherdisk)
        args << QStringLiteral("--state-dir=") + options.stateDir;
    if (options.bufferCount > 0)
        args << QStringLiteral("-b") << QString::number(options.bufferCount);
    return args << options.extraArgs << QString::number(shelf) << QString::number(slot)
                << interface << image;
}

QList<QByteArray> readCapture(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    const QByteArray d = file.readAll();
    if (d.size() < 24)
        return {};
    const auto le32 = [&](qsizetype o) {
        return std::uint32_t(std::uint8_t(d[o])) | std::uint32_t(std::uint8_t(d[o + 1])) << 8
            | std::uint32_t(std::uint8_t(d[o + 2])) << 16
            | std::uint32_t(std::uint8_t(d[o + 3])) << 24;
    };
    const std::uint32_t magic = le32(0);
    bool swapped;
    if (magic == 0xa1b2c3d4u || magic == 0xa1b23c4du)
        swapped = false;
    else if (magic == 0xd4c3b2a1u || magic == 0x4d3cb2a1u)
        swapped = true;
    else
        return {};
    const auto read32 = [&](qsizetype o) {
        const std::uint32_t v = le32(o);
        return swapped ? ((v >> 24) | ((v >> 8) & 0xff00) | ((v << 8) & 0xff0000) | (v << 24)) : v;
    };
    QList<QByteArray> frames;
    qsizetype at = 24;
    while (at + 16 <= d.size()) {
        const qsizetype length = read32(at + 8);
        if (at + 16 + length > d.size())
            break;
        frames << d.mid(at + 16, length);
        at += 16 + length;
    }
    return frames;
}

QList<QByteArray> splitTcpdumpPackets(const QByteArray &text)
{
    QList<QByteArray> packets;
    for (const QByteArray &line : text.split('\n')) {
        if (line.isEmpty())
            continue;
        if (line.startsWith('\t') || line.startsWith(' ')) {
            if (!packets.isEmpty())
                packets.last() += '\n' + line;
        } else {
            packets << line;
        }
    }
    return packets;
}

bool Capture::start(const QString &ns, const QString &interface, const QString &path,
                    QString *error)
{
    m_path = path;
    dieWithParent(&m_process);
    // -U --immediate-mode: every frame reaches the file at once (without
    // immediate mode TPACKET_V3 hands frames over in blocks, up to 1 s late,
    // and frames still queued when tcpdump stops are lost).
    m_process.start(
        QStringLiteral("ip"),
        NetnsPair::inNamespace(ns, programPath(QStringLiteral("tcpdump")),
                               { QStringLiteral("-U"), QStringLiteral("--immediate-mode"),
                                 QStringLiteral("-Z"), QStringLiteral("root"), QStringLiteral("-n"),
                                 QStringLiteral("-i"), interface, QStringLiteral("-w"), path }));
    if (!m_process.waitForStarted(10000)) {
        *error = QStringLiteral("tcpdump: ") + m_process.errorString();
        return false;
    }
    QElapsedTimer t;
    t.start();
    while (!m_stderr.contains("listening on") && t.elapsed() < 10000) {
        if (m_process.state() != QProcess::Running)
            break;
        m_process.waitForReadyRead(200);
        m_stderr += m_process.readAllStandardError();
    }
    if (!m_stderr.contains("listening on")) {
        *error =
            QStringLiteral("tcpdump did not start capturing: ") + QString::fromLocal8Bit(m_stderr);
        stop();
        return false;
    }
    return true;
}

bool Capture::waitFor(const std::function<bool(const QList<QByteArray> &)> &done,
                      int timeoutMs) const
{
    QElapsedTimer t;
    t.start();
    for (;;) {
        if (done(frames()))
            return true;
        if (t.elapsed() > timeoutMs)
            return false;
        QThread::msleep(20);
    }
}

void Capture::stop()
{
    if (m_process.state() == QProcess::NotRunning)
        return;
    QElapsedTimer t;
    t.start();
    qint64 last = -1;
    int stable = 0;
    while (stable < 4 && t.elapsed() < 3000) {
        QThread::msleep(50);
        const qint64 size = QFileInfo(m_path).size();
        stable = size == last ? stable + 1 : 0;
        last = size;
    }
    ::kill(pid_t(m_process.processId()), SIGINT);
    if (!m_process.waitForFinished(5000)) {
        m_process.kill();
        m_process.waitForFinished(5000);
    }
    m_stderr += m_process.readAllStandardError();
}

} // namespace EtherdiskTest
