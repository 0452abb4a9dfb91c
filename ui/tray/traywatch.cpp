// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
#include "tray/traywatch.h"

#include <QDBusConnectionInterface>
#include <QDBusMessage>
#include <QDBusServiceWatcher>
#include <QDBusVariant>
#include <QGuiApplication>
#include <QSystemTrayIcon>
#include <QTimer>

#if QT_CONFIG(xcb)
#include <xcb/xcb.h>

#include <cstdlib>
#endif

namespace Etherdisk::Ui {

namespace {

    const QLatin1String WatcherService("org.kde.StatusNotifierWatcher");
    const QLatin1String WatcherPath("/StatusNotifierWatcher");
    const QLatin1String WatcherInterface("org.kde.StatusNotifierWatcher");

    // Seldom enough for an idle app, soon enough after the panel started.
    constexpr int XembedPollMs = 5000;

    bool onXcb()
    {
        return QGuiApplication::platformName() == u"xcb";
    }

} // namespace

TrayWatch::TrayWatch(const QDBusConnection &session, QObject *parent)
    : QObject(parent), m_session(session)
{
}

bool TrayWatch::statusNotifierHostRegistered() const
{
    QDBusConnectionInterface *bus = m_session.isConnected() ? m_session.interface() : nullptr;
    if (!bus || !bus->isServiceRegistered(WatcherService))
        return false;
    QDBusMessage get = QDBusMessage::createMethodCall(
        WatcherService, WatcherPath, QStringLiteral("org.freedesktop.DBus.Properties"),
        QStringLiteral("Get"));
    get << QString(WatcherInterface) << QStringLiteral("IsStatusNotifierHostRegistered");
    // Rare (at start and when the watcher or a host appears) and short: a
    // watcher that does not answer within 2 s is not a usable tray.
    const QDBusMessage reply = m_session.call(get, QDBus::Block, 2000);
    if (reply.type() != QDBusMessage::ReplyMessage || reply.arguments().isEmpty())
        return false;
    return reply.arguments().constFirst().value<QDBusVariant>().variant().toBool();
}

bool TrayWatch::xembedTrayOwned()
{
#if QT_CONFIG(xcb)
    if (!onXcb())
        return false;
    auto *x11 = qApp ? qApp->nativeInterface<QNativeInterface::QX11Application>() : nullptr;
    xcb_connection_t *c = x11 ? x11->connection() : nullptr;
    if (!c)
        return false;
    // The screen number of DISPLAY (":0.1" -> 1), as the XEmbed system tray
    // spec names the selection after it.
    int screen = 0;
    const QByteArray display = qgetenv("DISPLAY");
    const qsizetype colon = display.lastIndexOf(':');
    const qsizetype dot = display.indexOf('.', colon < 0 ? 0 : colon);
    if (colon >= 0 && dot > colon)
        screen = std::atoi(display.constData() + dot + 1);
    const QByteArray name = "_NET_SYSTEM_TRAY_S" + QByteArray::number(screen);
    xcb_intern_atom_reply_t *atom = xcb_intern_atom_reply(
        c, xcb_intern_atom(c, 1, uint16_t(name.size()), name.constData()), nullptr);
    if (!atom)
        return false;
    const xcb_atom_t selection = atom->atom;
    std::free(atom);
    if (selection == XCB_ATOM_NONE) // only_if_exists: no tray ever claimed it
        return false;
    xcb_get_selection_owner_reply_t *owner =
        xcb_get_selection_owner_reply(c, xcb_get_selection_owner(c, selection), nullptr);
    const bool owned = owner && owner->owner != XCB_WINDOW_NONE;
    std::free(owner);
    return owned;
#else
    return false;
#endif
}

bool TrayWatch::isAvailable()
{
    if (!statusNotifierHostRegistered() && !xembedTrayOwned())
        return false;
    // Only now: Qt's first answer about the D-Bus tray is its last.
    return QSystemTrayIcon::isSystemTrayAvailable();
}

void TrayWatch::watch()
{
    if (m_watching)
        return;
    m_watching = true;
    if (m_session.isConnected()) {
        m_service = new QDBusServiceWatcher(WatcherService, m_session,
                                            QDBusServiceWatcher::WatchForRegistration, this);
        connect(m_service, &QDBusServiceWatcher::serviceRegistered, this, &TrayWatch::recheck);
        // A panel may register its host after the watcher is there.
        m_session.connect(WatcherService, WatcherPath, WatcherInterface,
                          QStringLiteral("StatusNotifierHostRegistered"), this, SLOT(recheck()));
    }
    if (onXcb()) {
        m_poll = new QTimer(this);
        // Only the X server is asked here; the D-Bus tray announces itself.
        connect(m_poll, &QTimer::timeout, this, [this] {
            if (xembedTrayOwned())
                recheck();
        });
        m_poll->start(XembedPollMs);
    }
    // A tray that came between the caller's isAvailable() and the
    // subscriptions above would announce itself to nobody: look once more.
    QTimer::singleShot(0, this, &TrayWatch::recheck);
}

void TrayWatch::recheck()
{
    if (!m_watching || !isAvailable())
        return;
    stop();
    Q_EMIT appeared();
}

void TrayWatch::stop()
{
    m_watching = false;
    // Possibly from inside their own signals: later.
    if (m_service)
        m_service->deleteLater();
    m_service = nullptr;
    if (m_poll) {
        m_poll->stop();
        m_poll->deleteLater();
    }
    m_poll = nullptr;
    if (m_session.isConnected())
        m_session.disconnect(WatcherService, WatcherPath, WatcherInterface,
                             QStringLiteral("StatusNotifierHostRegistered"), this, SLOT(recheck()));
}

} // namespace Etherdisk::Ui
