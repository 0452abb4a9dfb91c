// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
#include "tray/trayicon.h"

#include "tray/autostart.h"
#include "tray/notifier.h"
#include "widgets/icons.h"
#include "widgets/mainwindow.h"

#include "etherdiskclient/model.h"

#include <QApplication>
#include <QMenu>
#include <QSystemTrayIcon>

namespace Etherdisk::Ui {

TrayIcon::TrayIcon(Client::Model *model, MainWindow *window, Notifier *notifier, QObject *parent)
    : QObject(parent), m_model(model), m_window(window), m_icon(new QSystemTrayIcon(this))
{
    m_menu = new QMenu(window);
    QAction *open = m_menu->addAction(tr("&Open Etherdisk"));
    connect(open, &QAction::triggered, this, &TrayIcon::showWindow);
    m_disks = m_menu->addMenu(tr("Attached &disks"));
    m_menu->addSeparator();
    // The window's action: one state, one error message, both menus.
    if (auto *startAtLogin =
            qobject_cast<StartAtLoginAction *>(window->action(QStringLiteral("startAtLogin")))) {
        m_menu->addAction(startAtLogin);
        connect(m_menu, &QMenu::aboutToShow, startAtLogin, &StartAtLoginAction::refresh);
        m_menu->addSeparator();
    }
    QAction *quit = m_menu->addAction(tr("&Quit"));
    connect(quit, &QAction::triggered, qApp, &QApplication::quit);
    m_icon->setContextMenu(m_menu);
    connect(m_icon, &QSystemTrayIcon::activated, this,
            [this](QSystemTrayIcon::ActivationReason reason) {
                if (reason == QSystemTrayIcon::Trigger || reason == QSystemTrayIcon::DoubleClick)
                    showWindow();
            });
    connect(m_icon, &QSystemTrayIcon::messageClicked, this, &TrayIcon::showWindow);
    if (notifier) {
        connect(notifier, &Notifier::openWindowRequested, this, &TrayIcon::showWindow);
        connect(notifier, &Notifier::fallbackMessage, this,
                [this](const QString &title, const QString &body, bool critical) {
                    m_icon->showMessage(title, body,
                                        critical ? QSystemTrayIcon::Critical
                                                 : QSystemTrayIcon::Information,
                                        critical ? 0 : 10000);
                });
    }
    connect(model, &Client::Model::objectAdded, this, &TrayIcon::update);
    connect(model, &Client::Model::objectRemoved, this, &TrayIcon::update);
    connect(model, &Client::Model::objectChanged, this,
            [this](const QString &, const QString &, const QStringList &names) {
                if (names.contains(QStringLiteral("State"))
                    || names.contains(QStringLiteral("AttachedDevice")))
                    update();
            });
    connect(model, &Client::Model::connectedChanged, this, &TrayIcon::update);
    connect(model, &Client::Model::fetchFailed, this, &TrayIcon::update);
    update();
    m_icon->show();
}

QString TrayIcon::summary(const Client::Model &model)
{
    if (!model.isConnected())
        return tr("etherdisk-helper is not running");
    int attached = 0;
    int lost = 0;
    for (const QString &p : model.targetPaths()) {
        const Client::TargetInfo *t = model.targetInfo(p);
        if (!t || t->attachedDevice.isEmpty())
            continue;
        ++attached;
        if (t->state == u"lost")
            ++lost;
    }
    QStringList parts;
    parts << tr("%n export(s) served", nullptr, int(model.exportPaths().size()))
          << tr("%n disk(s) attached", nullptr, attached);
    if (lost)
        parts << tr("%n disk(s) lost", nullptr, lost);
    return parts.join(QStringLiteral(" · "));
}

void TrayIcon::update()
{
    TrayState state = TrayState::Idle;
    if (!m_model->isConnected()) {
        state = TrayState::Disconnected;
    } else {
        bool any = !m_model->exportPaths().isEmpty();
        for (const QString &p : m_model->targetPaths()) {
            const Client::TargetInfo *t = m_model->targetInfo(p);
            if (!t || t->attachedDevice.isEmpty())
                continue;
            any = true;
            if (t->state == u"lost") {
                state = TrayState::Lost;
                break;
            }
        }
        if (state != TrayState::Lost && any)
            state = TrayState::Active;
    }
    m_icon->setIcon(appIcon(state));
    m_icon->setToolTip(tr("Etherdisk: %1").arg(summary(*m_model)));
    rebuildDisks();
}

void TrayIcon::rebuildDisks()
{
    m_disks->clear();
    for (const QString &p : m_model->targetPaths()) {
        const Client::TargetInfo *t = m_model->targetInfo(p);
        if (!t || t->attachedDevice.isEmpty())
            continue;
        QString text = tr("%1 as %2").arg(t->name(), t->attachedDevice);
        if (t->state == u"lost")
            text += tr(" (lost)");
        QAction *a = m_disks->addAction(text);
        connect(a, &QAction::triggered, this, &TrayIcon::showWindow);
    }
    if (m_disks->isEmpty())
        m_disks->addAction(tr("None"))->setEnabled(false);
}

void TrayIcon::showWindow()
{
    m_window->show();
    m_window->raise();
    m_window->activateWindow();
}

} // namespace Etherdisk::Ui
