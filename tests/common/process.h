// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
//
// Child processes of the test suites. Every child a test starts dies with
// the test process: a suite killed by a ctest timeout or crashing leaves no
// vblade, etherdisk-target or tcpdump behind (PR_SET_PDEATHSIG; the
// setting survives `ip netns exec`, which execs the program, but not a
// change of credentials, so children run through setpriv lose it).
#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QProcess>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>

#include <memory>
#include <vector>

namespace EtherdiskTest {

// Makes `process`, once started, get SIGKILL when the thread that started
// it ends (tests start children from the main thread: when the test process
// ends).
void dieWithParent(QProcess *process);

// How a long-running child's output is handled.
enum class Output {
    Forward, // stderr to the test's stderr (shown on failure), stdout discarded
    Discard, // both discarded (chatty programs)
    Keep, // both merged and kept: read them with readAll()
};

// The processes one test function starts; clear() (from cleanup()) and the
// destructor SIGKILL what is still running and wait for it.
class ProcessSet
{
public:
    ProcessSet() = default;
    ~ProcessSet() { clear(); }
    ProcessSet(const ProcessSet &) = delete;
    ProcessSet &operator=(const ProcessSet &) = delete;

    // `program args`, inside network namespace `ns` unless it is empty.
    // Owned by the set; nullptr (with the reason printed) if it did not start.
    QProcess *start(const QString &ns, const QString &program, const QStringList &args,
                    Output output = Output::Forward);
    void clear();

private:
    std::vector<std::unique_ptr<QProcess>> m_processes;
};

// One run of a program to completion.
struct Run
{
    bool started = false;
    bool finished = false; // within the time limit
    bool crashed = false; // killed by a signal
    int exitCode = -1; // -1 unless it exited normally
    QByteArray out, err;
    QString command;

    bool ok() const { return started && finished && !crashed && exitCode == 0; }
    QJsonObject json() const; // stdout as one JSON object
    QString describe() const; // the command, how it ended, stdout and stderr
};

// Runs `program args` (inside `ns` unless it is empty) with stdin closed,
// killing it after timeoutMs.
Run runProgram(const QString &program, const QStringList &args, int timeoutMs = 30000,
               const QString &ns = {},
               const QProcessEnvironment &env = QProcessEnvironment::systemEnvironment());

// Whether process `pid` still runs: one that has exited but is not yet
// reaped (a zombie) does not.
bool processRuns(qint64 pid);

} // namespace EtherdiskTest
