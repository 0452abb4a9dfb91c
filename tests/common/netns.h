// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
//
// A private test LAN: two network namespaces joined by a veth pair, made
// with iproute2 and removed again. The machine's own interfaces are never
// touched: every link is created inside one of the pair's namespaces. Needs
// root.
//
// Namespace names carry the PID of the process that made them
// ("ed-<tag>-<pid>-<n>a"), so the leftovers of a run that died (killed by a
// ctest timeout, a crash, SIGKILL) can be told apart from the namespaces of
// runs still going: the first NetnsPair of a process removes every
// namespace of this form whose owner no longer exists, with the processes
// still inside it, and leaves the others alone.
#pragma once

#include <QString>
#include <QStringList>

namespace EtherdiskTest {

class NetnsPair
{
public:
    // Namespaces "ed-<tag>-<pid>-<n>a" and "...b"; interfaces "<prefix>va"
    // (in a) and "<prefix>vb" (in b), where the prefix is at most 12
    // characters, so a suffix of up to three more still makes a valid name.
    // `tag` (letters and digits) says which suite made it.
    explicit NetnsPair(const QString &tag, int mtu = 1500);
    ~NetnsPair(); // deletes both namespaces (and every link and process in them)
    NetnsPair(const NetnsPair &) = delete;
    NetnsPair &operator=(const NetnsPair &) = delete;

    bool isValid() const { return m_valid; }
    QString error() const { return m_error; }

    QString nsA() const { return m_nsPrefix + QStringLiteral("a"); }
    QString nsB() const { return m_nsPrefix + QStringLiteral("b"); }
    QString ifA() const { return m_prefix + QStringLiteral("va"); }
    QString ifB() const { return m_prefix + QStringLiteral("vb"); }
    // A name for an extra link, unique to this pair: prefix + suffix (<= 3
    // characters).
    QString linkName(const QString &suffix) const { return m_prefix + suffix; }

    bool setMtu(int mtu);
    bool setLink(bool up); // both ends
    // The calling thread (and threads it starts afterwards) moves into a
    // namespace; sockets keep the namespace they were made in.
    bool enter(const QString &ns);
    bool enterOriginal();

    // Extra links, each made directly inside `ns` (one of nsA(), nsB()) and
    // brought up. They go with the namespaces; removeExtraLinks() deletes
    // them earlier (tests call it from cleanup()). On failure *error says
    // which `ip` command failed and why.
    //
    // A veth pair: `name` in `ns`, `peer` in `peerNs`.
    bool addVeth(const QString &ns, const QString &name, const QString &peerNs, const QString &peer,
                 int mtu, QString *error);
    // A macvlan on `parent` in private mode: a second "NIC" with its own MAC
    // on the same wire, receiving only its own unicast frames and broadcasts.
    bool addMacvlan(const QString &ns, const QString &parent, const QString &name, QString *error);
    // A bridge with `ports` (links already in `ns`) enslaved; mtu 0: the
    // kernel's choice (the smallest of its ports').
    bool addBridge(const QString &ns, const QString &name, int mtu, const QStringList &ports,
                   QString *error);
    // Deletes the links made by the add* functions, newest first (their
    // ports leave a deleted bridge by themselves).
    void removeExtraLinks();

    // `ip -n NS ARGS`; false with *error on failure.
    static bool ipIn(const QString &ns, const QStringList &args, QString *error = nullptr);
    // "ip netns exec <ns> <program> <args>": the arguments of `ip` that run a
    // program inside a namespace (ip execs the program: same PID).
    static QStringList inNamespace(const QString &ns, const QString &program,
                                   const QStringList &args);
    // Runs `ip ARGS`, returns true on exit 0 (stderr into *error).
    static bool ip(const QStringList &args, QString *error = nullptr);

    // Removes the namespaces of runs that died: every "ed-<tag>-<pid>-<n>[ab]"
    // whose <pid> no longer runs (gone, or a zombie not yet reaped), or is
    // this process's but was not made by it (an earlier run with the same
    // PID), after SIGKILLing the processes inside it. Namespaces of live
    // processes are never touched. Returns the names removed. The first
    // NetnsPair of a process calls it.
    static QStringList sweepDeadRuns();

private:
    struct ExtraLink
    {
        QString ns, name;
    };

    QString m_nsPrefix;
    QString m_prefix;
    QString m_error;
    QList<ExtraLink> m_extraLinks;
    int m_originalNs = -1;
    bool m_valid = false;
};

// Whether this machine can make namespaces at all (root, iproute2, kernel).
bool canCreateNetns(QString *why);

} // namespace EtherdiskTest
