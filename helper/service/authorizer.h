// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
//
// Authorizer: asks polkit (through polkit-qt) whether the owner of a bus
// name may perform an action, without blocking the event loop: the answer
// arrives in a callback while serving and other calls go on.
//
// polkit-qt's Authority is a singleton with a single "finished" signal, so
// two checks in flight could not be told apart: checks are queued and run
// one at a time. Only Yes authorizes; No, Challenge (a password would be
// needed but interaction was not allowed or no agent answered) and errors
// refuse.
#pragma once

#include <QMap>
#include <QObject>
#include <QTimer>
#include <QString>

#include <deque>
#include <functional>

namespace Etherdisk::Helper {

class Authorizer : public QObject
{
    Q_OBJECT
public:
    enum class Result { Yes, Challenge, No, Failed };
    using Callback = std::function<void(Result result, const QString &detail)>;

    explicit Authorizer(QObject *parent = nullptr);

    // `busName`: the caller's unique name (message().service()). `details`
    // reach polkit's rules as action.lookup(key) (e.g. "etherdisk.target"
    // = "e1.2"), so an administrator can allow one shelf and not another.
    void check(const QString &action, const QString &busName, bool interactive, Callback done,
               const QMap<QString, QString> &details = {});

private:
    struct Request
    {
        QString action;
        QString busName;
        bool interactive = false;
        Callback done;
        QMap<QString, QString> details;
    };
    void startNext();
    void finished(int result);
    void watchForError();

    std::deque<Request> m_queue;
    bool m_busy = false;
    // polkit-qt reports a check that polkitd answered with an error (an
    // action it does not know: the policy file missing; polkitd gone
    // mid-check) only through hasError(), never with
    // checkAuthorizationFinished, so the queue would wait forever. While a
    // check is in flight (and only then) this timer looks at hasError().
    QTimer m_errorWatch;
};

} // namespace Etherdisk::Helper
