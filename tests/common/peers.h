// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
//
// The AoE peers the suites run inside a namespace of a NetnsPair: our
// etherdisk-target, Debian's vblade, and tcpdump capturing to a file.
// Start targets with ProcessSet::start(ns, targetProgram(kind),
// targetArgs(kind, ...)); both take the same vblade command line.
#pragma once

#include <QByteArray>
#include <QList>
#include <QProcess>
#include <QString>
#include <QStringList>

#include <cstdint>
#include <functional>

namespace EtherdiskTest {

// The programs built in this tree, and vblade (empty when not installed).
QString targetBinary(); // etherdisk-target
QString ctlBinary(); // etherdiskctl
QString vbladeBinary();

enum class TargetKind { Vblade, Etherdisk };
// "vblade" or "etherdisk" (the test tables' names).
TargetKind targetKind(const QString &name);
QString targetProgram(TargetKind kind);

struct TargetOptions
{
    int bufferCount = 0; // -b; 0: the program's default (vblade 16, etherdisk-target 64)
    QStringList extraArgs; // before shelf and slot (-o, -l, -s, -m ...)
    QString stateDir; // etherdisk-target's --state-dir; empty: nothing persisted
};

// vblade's command line, for either program:
// [--state-dir=DIR] [-b N] EXTRA... shelf slot interface image.
QStringList targetArgs(TargetKind kind, int shelf, int slot, const QString &interface,
                       const QString &image, const TargetOptions &options = {});

// Frames of a classic pcap file, any byte order. A partly written last
// record is ignored, so this also reads a capture tcpdump is still writing.
QList<QByteArray> readCapture(const QString &path);

// tcpdump's text output (-v, -vv) split into packets: it prints one
// unindented line per packet and indents the rest.
QList<QByteArray> splitTcpdumpPackets(const QByteArray &text);

// tcpdump -w on an interface in a namespace: started before, stopped after
// the traffic it is to see.
class Capture
{
public:
    Capture() = default;
    ~Capture() { stop(); }
    Capture(const Capture &) = delete;
    Capture &operator=(const Capture &) = delete;

    // Returns once tcpdump says it is listening.
    bool start(const QString &ns, const QString &interface, const QString &path, QString *error);
    QList<QByteArray> frames() const { return readCapture(m_path); }
    // Waits until `done(frames so far)` holds.
    bool waitFor(const std::function<bool(const QList<QByteArray> &)> &done, int timeoutMs) const;
    // Waits until the file stops growing, then SIGINT, so the pcap is complete.
    void stop();
    QString log() const { return QString::fromLocal8Bit(m_stderr); }

private:
    QProcess m_process;
    QString m_path;
    QByteArray m_stderr;
};

} // namespace EtherdiskTest
