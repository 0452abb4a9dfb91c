// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
//
// Authorizer: asks polkit (through polkit-qt) whether the owner of a bus
// name may perform an action, without blocking the event loop: the answer
// arrives in a callback while serving and other calls go on.
//
// Checks run concurrently, each on its own: one caller's password prompt,
// open for minutes, holds up nobody else's check. polkit-qt's asynchronous
// Authority::checkAuthorization() cannot do that (a singleton with one
// "finished" signal that does not say which check finished, and one
// cancellable shared by all), so each check goes to the PolkitAuthority
// that polkit-qt holds (Authority::polkitAuthority()) with its own
// callback and cancellable; the subject is polkit-qt's
// SystemBusNameSubject. Only Yes authorizes; No, Challenge (a password
// would be needed but interaction was not allowed or no agent answered)
// and errors (polkitd gone, an action it does not know) refuse.
#pragma once

#include <QMap>
#include <QObject>
#include <QString>

#include <functional>
#include <memory>
#include <set>

namespace Etherdisk::Helper {

class Authorizer : public QObject
{
    Q_OBJECT
public:
    enum class Result { Yes, Challenge, No, Failed };
    using Callback = std::function<void(Result result, const QString &detail)>;

    explicit Authorizer(QObject *parent = nullptr);
    // Checks still in flight are cancelled; their callbacks are not called.
    ~Authorizer() override;

    // `busName`: the caller's unique name (message().service()). `details`
    // reach polkit's rules as action.lookup(key) (e.g. "etherdisk.target"
    // = "e1.2"), so an administrator can allow one shelf and not another.
    // `done` is called from the event loop, never from within check().
    void check(const QString &action, const QString &busName, bool interactive, Callback done,
               const QMap<QString, QString> &details = {});

    // Checks sent and not yet answered.
    int inFlight() const { return int(m_inFlight.size()); }

    struct Check;

private:
    friend struct Check;
    std::set<Check *> m_inFlight;
};

} // namespace Etherdisk::Helper
