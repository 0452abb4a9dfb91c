// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
#include "tray/notifier.h"

#include "appid.h"
#include "etherdiskclient/model.h"

#include <QDBusMessage>
#include <QDBusPendingCallWatcher>
#include <QDBusPendingReply>

namespace Etherdisk::Ui {

namespace {

    const QString NotifyService = QStringLiteral("org.freedesktop.Notifications");
    const QString NotifyPath = QStringLiteral("/org/freedesktop/Notifications");
    const QString NotifyInterface = QStringLiteral("org.freedesktop.Notifications");

} // namespace

Notifier::Notifier(Client::Model *model, const QDBusConnection &session, QObject *parent)
    : QObject(parent), m_model(model), m_session(session)
{
    // What is already there when the app starts is the baseline, not news.
    for (const QString &path : model->targetPaths())
        if (const Client::TargetInfo *t = model->targetInfo(path))
            m_seen.insert(path, { t->state, !t->attachedDevice.isEmpty() });
    auto follow = [this](const QString &path, const QString &iface) {
        if (iface != QLatin1String(Client::TargetInterface))
            return;
        if (const Client::TargetInfo *t = m_model->targetInfo(path))
            observe(*t);
    };
    connect(model, &Client::Model::objectAdded, this, follow);
    connect(model, &Client::Model::objectChanged, this,
            [follow](const QString &path, const QString &iface, const QStringList &) {
                follow(path, iface);
            });
    m_session.connect(NotifyService, NotifyPath, NotifyInterface, QStringLiteral("ActionInvoked"),
                      this, SLOT(onActionInvoked(uint, QString)));
}

void Notifier::detachRequested(const QString &targetPath)
{
    m_userDetached.insert(targetPath);
}

void Notifier::observe(const Client::TargetInfo &t)
{
    const bool attached = !t.attachedDevice.isEmpty();
    // A target seen for the first time already lost was lost before we
    // knew it: that is not news either.
    const bool known = m_seen.contains(t.path);
    const Seen before = m_seen.value(t.path);
    m_seen.insert(t.path, { t.state, attached });
    if (attached && known && !before.attached)
        m_userDetached.remove(t.path); // attached again: losses count again
    if (known && t.state == u"lost" && before.state != u"lost" && (attached || before.attached)
        && !m_userDetached.contains(t.path)) {
        m_lostNotified.insert(t.path);
        notify(t.path, tr("%1 is lost").arg(t.name()),
               tr("The network disk %1 (%2) stopped answering. Programs using it wait until it "
                  "comes back.")
                   .arg(t.name(), attached ? t.attachedDevice : tr("attached")),
               true);
    } else if (t.state == u"online" && m_lostNotified.contains(t.path)) {
        m_lostNotified.remove(t.path);
        notify(t.path, tr("%1 is back").arg(t.name()),
               tr("The network disk %1 answers again.").arg(t.name()), false);
    }
}

void Notifier::notify(const QString &targetPath, const QString &summary, const QString &body,
                      bool critical)
{
    QDBusMessage m = QDBusMessage::createMethodCall(NotifyService, NotifyPath, NotifyInterface,
                                                    QStringLiteral("Notify"));
    const QVariantMap hints{ { QStringLiteral("urgency"),
                               QVariant::fromValue(uchar(critical ? 2 : 1)) },
                             { QStringLiteral("desktop-entry"), appId() } };
    m << QStringLiteral("Etherdisk") << m_ids.value(targetPath) << QStringLiteral("etherdisk")
      << summary << body << QStringList{ QStringLiteral("default"), tr("Open Etherdisk") } << hints
      << (critical ? 0 : -1);
    auto *watcher = new QDBusPendingCallWatcher(m_session.asyncCall(m, 10000), this);
    connect(watcher, &QDBusPendingCallWatcher::finished, this,
            [this, targetPath, summary, body, critical](QDBusPendingCallWatcher *w) {
                w->deleteLater();
                const QDBusPendingReply<uint> reply = *w;
                if (reply.isError()) {
                    Q_EMIT fallbackMessage(summary, body, critical);
                    return;
                }
                m_ids.insert(targetPath, reply.value());
                Q_EMIT notified(targetPath, reply.value());
            });
}

void Notifier::onActionInvoked(uint id, const QString &action)
{
    if (action == u"default" && !m_ids.key(id).isEmpty())
        Q_EMIT openWindowRequested();
}

} // namespace Etherdisk::Ui
