// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
//
// TrayWatch: whether the desktop has a system tray now, and a signal when
// one appears later (at login the panel often starts after the apps of the
// XDG autostart folder).
//
// Why not simply QSystemTrayIcon::isSystemTrayAvailable() again from time
// to time: Qt 6.4's generic Unix theme remembers its first answer about
// the StatusNotifierItem tray (isDBusTrayAvailable() keeps it in a
// function-local static), so once Qt was asked while no
// StatusNotifierWatcher was there, it never uses one that appears later
// in this process. So Qt is asked only once this class has seen a tray
// itself:
//   - StatusNotifierItem (KDE, GNOME with the AppIndicator extension, most
//     Wayland panels): org.kde.StatusNotifierWatcher on the session bus
//     with IsStatusNotifierHostRegistered true (what Qt 6.4 asks for).
//     Watched without polling: a QDBusServiceWatcher for the name and the
//     watcher's StatusNotifierHostRegistered signal for a host that comes
//     after it.
//   - XEmbed (older X11 panels): an owner of the _NET_SYSTEM_TRAY_S<screen>
//     selection. Under xcb only, looked at every 5 s (one X round trip)
//     until a tray is found: Qt keeps the MANAGER broadcast that announces
//     a new owner to itself, and this is simpler than a native event filter
//     of our own.
// Once a tray is found, nothing is watched or polled any more.
#pragma once

#include <QDBusConnection>
#include <QObject>

class QDBusServiceWatcher;
class QTimer;

namespace Etherdisk::Ui {

class TrayWatch : public QObject
{
    Q_OBJECT
public:
    explicit TrayWatch(const QDBusConnection &session, QObject *parent = nullptr);

    // A tray is there now: one of the two kinds above is seen, and then Qt
    // agrees (QSystemTrayIcon can show an icon in it).
    bool isAvailable();
    // Watches until isAvailable(), then emits appeared() once and stops.
    void watch();

    // The pieces, for the curious and for tests.
    bool statusNotifierHostRegistered() const;
    static bool xembedTrayOwned();

Q_SIGNALS:
    void appeared();

private Q_SLOTS:
    void recheck();

private:
    void stop();

    QDBusConnection m_session;
    QDBusServiceWatcher *m_service = nullptr;
    QTimer *m_poll = nullptr;
    bool m_watching = false;
};

} // namespace Etherdisk::Ui
