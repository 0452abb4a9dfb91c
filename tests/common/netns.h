// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
//
// A private test LAN: two network namespaces joined by a veth pair, made
// with iproute2 and removed again. The machine's own interfaces are never
// touched. Needs root.
#pragma once

#include <QString>
#include <QStringList>

namespace EtherdiskTest {

class NetnsPair
{
public:
    // Namespaces "<prefix>a" and "<prefix>b", interfaces "<prefix>va" (in a)
    // and "<prefix>vb" (in b). The prefix is made unique per process.
    explicit NetnsPair(const QString &tag, int mtu = 1500);
    ~NetnsPair(); // deletes both namespaces (and so the veth pair)
    NetnsPair(const NetnsPair &) = delete;
    NetnsPair &operator=(const NetnsPair &) = delete;

    bool isValid() const { return m_valid; }
    QString error() const { return m_error; }

    QString nsA() const { return m_prefix + QStringLiteral("a"); }
    QString nsB() const { return m_prefix + QStringLiteral("b"); }
    QString ifA() const { return m_prefix + QStringLiteral("va"); }
    QString ifB() const { return m_prefix + QStringLiteral("vb"); }

    bool setMtu(int mtu);
    bool setLink(bool up); // both ends
    // The calling thread (and threads it starts afterwards) moves into a
    // namespace; sockets keep the namespace they were made in.
    bool enter(const QString &ns);
    bool enterOriginal();

    // "ip netns exec <ns> <program> <args>": for starting peers.
    static QStringList inNamespace(const QString &ns, const QString &program,
                                   const QStringList &args);
    // Runs `ip ARGS`, returns true on exit 0 (stderr into *error).
    static bool ip(const QStringList &args, QString *error = nullptr);

private:
    QString m_prefix;
    QString m_error;
    int m_originalNs = -1;
    bool m_valid = false;
};

// Whether this machine can make namespaces at all (root, iproute2, kernel).
bool canCreateNetns(QString *why);

} // namespace EtherdiskTest
