// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
//
// MainWindow: "Network disks" (every target the helper's discovery sees)
// and "My exports", live from Client::Model, with the actions on them.
//
// While the helper cannot be reached a banner says so and how to start it;
// it goes away by itself when the helper appears (the model follows the
// bus name), and the views refill without the user doing anything. On
// every (re)connection the window asks the helper to keep discovery
// running for it (StartDiscovery) and reads the lock badges
// (GetPermissions). Errors of the helper appear in the view's own message
// line, with the helper's message.
#pragma once

#include "etherdiskclient/types.h"

#include <QDBusConnection>
#include <QMainWindow>

class QAction;
class QLabel;
class QLineEdit;
class QSortFilterProxyModel;
class QTabWidget;
class QTableView;
class QFrame;
class QPushButton;

namespace Etherdisk::Client {
class Actions;
class Model;
} // namespace Etherdisk::Client

namespace Etherdisk::Ui {

class ExportsModel;
class TargetsModel;

class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    enum Page { DisksPage, ExportsPage };

    MainWindow(Client::Model *model, Client::Actions *actions, const QDBusConnection &bus,
               QWidget *parent = nullptr);

    // For tests and the tray.
    QTabWidget *tabs() const { return m_tabs; }
    QTableView *disksView() const { return m_disksView; }
    QTableView *exportsView() const { return m_exportsView; }
    QLineEdit *disksFilter() const { return m_disksFilter; }
    QFrame *banner() const { return m_banner; }
    QLabel *bannerText() const { return m_bannerText; }
    QLabel *disksMessage() const { return m_disksMessage; }
    QLabel *exportsMessage() const { return m_exportsMessage; }
    // By objectName: attach, detach, ..., startAtLogin (a StartAtLoginAction).
    QAction *action(const QString &name) const;
    TargetsModel *targetsModel() const { return m_targets; }
    ExportsModel *exportsModel() const { return m_exports; }
    // The permission the helper reported for a polkit action id suffix
    // ("attach" -> yes | auth | no; "" before it answered).
    QString permission(const QString &action) const { return m_permissions.value(action); }

    // The text the banner shows for a helper that cannot be reached.
    static QString unreachableText(const Client::Error &error);

public Q_SLOTS:
    void showPage(int page);
    void attachSelected();
    void detachSelected();
    void openSelected();
    void copySelectedDetails();
    void newExport();
    void stopSelected();
    void editSelected();
    // Fetches everything again (and starts the helper if it is not running).
    void refresh();

Q_SIGNALS:
    // The user asked to detach this target (the notifier stays quiet).
    void detachRequested(const QString &targetPath);
    // Permissions were read again.
    void permissionsChanged();

private:
    QWidget *makeDisksPage();
    QWidget *makeExportsPage();
    QAction *makeAction(const QString &name, const QString &text, const QKeySequence &key,
                        void (MainWindow::*slot)());
    void connectionChanged(bool connected);
    void showUnreachable(const Client::Error &error);
    void readPermissions();
    void applyBadges();
    void updateActions();
    void showMessage(QLabel *line, const QString &text, bool error);
    // A setting of the app that could not be changed: a message box.
    void showSettingError(const QString &message);
    QString selectedTarget() const;
    QString selectedExport() const;

    Client::Model *m_model;
    Client::Actions *m_actions;
    QDBusConnection m_bus;
    TargetsModel *m_targets;
    ExportsModel *m_exports;
    QSortFilterProxyModel *m_targetsProxy;
    QSortFilterProxyModel *m_exportsProxy;
    QTabWidget *m_tabs = nullptr;
    QTableView *m_disksView = nullptr;
    QTableView *m_exportsView = nullptr;
    QLineEdit *m_disksFilter = nullptr;
    QLineEdit *m_exportsFilter = nullptr;
    QLabel *m_disksMessage = nullptr;
    QLabel *m_exportsMessage = nullptr;
    QFrame *m_banner = nullptr;
    QLabel *m_bannerText = nullptr;
    QPushButton *m_retry = nullptr;
    QLabel *m_status = nullptr;
    QHash<QString, QAction *> m_actionsByName;
    QMap<QString, QString> m_permissions;
};

} // namespace Etherdisk::Ui
