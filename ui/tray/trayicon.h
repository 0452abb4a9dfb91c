// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
//
// TrayIcon: the app in the desktop's tray (StatusNotifierItem or XEmbed,
// whichever Qt finds). Its icon and tooltip summarize the state (exports
// served, disks attached, anything lost, helper unreachable); its menu
// opens the window, lists the attached disks, has the window's "Start
// Etherdisk when I log in" and quits. It also shows the
// notifier's fallback messages where no notification server runs.
#pragma once

#include <QObject>
#include <QString>

class QMenu;
class QSystemTrayIcon;

namespace Etherdisk::Client {
class Model;
}

namespace Etherdisk::Ui {

class MainWindow;
class Notifier;

class TrayIcon : public QObject
{
    Q_OBJECT
public:
    TrayIcon(Client::Model *model, MainWindow *window, Notifier *notifier,
             QObject *parent = nullptr);

    // "2 exports served · 1 disk attached · 1 disk lost" (or why there is
    // nothing to say).
    static QString summary(const Client::Model &model);
    QSystemTrayIcon *icon() const { return m_icon; }
    QMenu *menu() const { return m_menu; }

public Q_SLOTS:
    void showWindow();
    void update();

private:
    void rebuildDisks();

    Client::Model *m_model;
    MainWindow *m_window;
    QSystemTrayIcon *m_icon;
    QMenu *m_menu;
    QMenu *m_disks;
};

} // namespace Etherdisk::Ui
