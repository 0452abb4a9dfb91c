// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
//
// Notifier: one desktop notification (org.freedesktop.Notifications on the
// session bus) when an attached target is lost, updated in place when it
// comes back.
//
// A target counts when it is attached (AttachedDevice not empty) and its
// State changes from anything else to "lost" while this app runs: a target
// already lost when the app starts, one that is not attached, and one the
// user asked to detach (detachRequested) get no notification. The loss is
// sent with urgency critical, no expiry and a "default" action that opens
// the window; the id the server returns is kept per target, so "e1.2 is
// back" replaces that same notification (replaces_id) when the State
// returns to online. Where no notification server runs, the same texts go
// to fallbackMessage() (the tray shows them as its own balloon).
#pragma once

#include <QDBusConnection>
#include <QHash>
#include <QObject>
#include <QSet>

namespace Etherdisk::Client {
class Model;
struct TargetInfo;
} // namespace Etherdisk::Client

namespace Etherdisk::Ui {

class Notifier : public QObject
{
    Q_OBJECT
public:
    Notifier(Client::Model *model, const QDBusConnection &session, QObject *parent = nullptr);

    // The notification id kept for a target (0: none).
    uint notificationId(const QString &targetPath) const { return m_ids.value(targetPath); }

public Q_SLOTS:
    // Follows one target's new state (what the model's signals call).
    void observe(const Etherdisk::Client::TargetInfo &target);
    // The user asked to detach this target: its loss is not news.
    void detachRequested(const QString &targetPath);

Q_SIGNALS:
    // The user clicked the notification (its default action).
    void openWindowRequested();
    // No notification server: show this yourself.
    void fallbackMessage(const QString &title, const QString &body, bool critical);
    // A Notify call was answered with `id`.
    void notified(const QString &targetPath, uint id);

private Q_SLOTS:
    void onActionInvoked(uint id, const QString &action);

private:
    struct Seen
    {
        QString state;
        bool attached = false;
    };
    void notify(const QString &targetPath, const QString &summary, const QString &body,
                bool critical);

    Client::Model *m_model;
    QDBusConnection m_session;
    QHash<QString, Seen> m_seen;
    QHash<QString, uint> m_ids; // target path -> notification id
    QSet<QString> m_lostNotified; // a loss notification is showing
    QSet<QString> m_userDetached;
};

} // namespace Etherdisk::Ui
