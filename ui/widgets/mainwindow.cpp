// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
#include "widgets/mainwindow.h"

#include "models/exportsmodel.h"
#include "models/targetsmodel.h"
#include "tray/autostart.h"
#include "widgets/exportdialog.h"
#include "widgets/icons.h"
#include "widgets/settingsdialog.h"
#include "widgets/throughputdelegate.h"

#include "etherdiskclient/actions.h"
#include "etherdiskclient/model.h"
#include "managerproxy.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QDBusConnectionInterface>
#include <QDBusObjectPath>
#include <QDBusPendingCallWatcher>
#include <QDBusReply>
#include <QFrame>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QPushButton>
#include <QRegularExpression>
#include <QSortFilterProxyModel>
#include <QStatusBar>
#include <QTabWidget>
#include <QTableView>
#include <QToolButton>
#include <QVBoxLayout>

namespace Etherdisk::Ui {

namespace {

    // The polkit action (org.etherdisk.etherdisk1.<name>) behind each of
    // the window's actions that changes something.
    QString polkitActionOf(const QString &action)
    {
        if (action == u"attach")
            return QStringLiteral("attach");
        if (action == u"detach")
            return QStringLiteral("detach");
        if (action == u"newExport" || action == u"editExport")
            return QStringLiteral("export");
        if (action == u"stopExport")
            return QStringLiteral("unexport");
        return {};
    }

    QSortFilterProxyModel *makeProxy(QAbstractItemModel *source, QObject *parent)
    {
        auto *proxy = new QSortFilterProxyModel(parent);
        proxy->setSourceModel(source);
        proxy->setSortRole(ObjectTableModel::SortRole);
        proxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
        proxy->setFilterKeyColumn(-1);
        proxy->setDynamicSortFilter(true);
        return proxy;
    }

    QTableView *makeTable(QAbstractItemModel *model, const QString &name, QWidget *parent)
    {
        auto *view = new QTableView(parent);
        view->setModel(model);
        view->setObjectName(name);
        view->setAccessibleName(name);
        view->setSortingEnabled(true);
        view->sortByColumn(0, Qt::AscendingOrder);
        view->setSelectionBehavior(QAbstractItemView::SelectRows);
        view->setSelectionMode(QAbstractItemView::SingleSelection);
        view->setEditTriggers(QAbstractItemView::NoEditTriggers);
        view->setTabKeyNavigation(false); // Tab leaves the table
        view->setAlternatingRowColors(true);
        view->verticalHeader()->hide();
        view->horizontalHeader()->setStretchLastSection(true);
        view->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
        // Columns fit the rows on screen: measuring all of them (Qt's
        // default, up to 1000) after every change costs a millisecond a
        // change at 1000 rows, and a LAN-wide loss changes them all at once
        // (tests/bench/gui-bench.py).
        view->horizontalHeader()->setResizeContentsPrecision(0);
        view->setContextMenuPolicy(Qt::ActionsContextMenu);
        return view;
    }

    // An action's text without its accelerator: "&Attach" and, in the
    // style of CJK translations, "연결(&A)" become "Attach" and "연결".
    QString withoutAccelerator(QString text)
    {
        static const QRegularExpression cjk(QStringLiteral("\\(&[^&\\s]\\)"));
        text.remove(cjk);
        text.replace(QStringLiteral("&&"), QStringLiteral("\x01"));
        text.remove(QLatin1Char('&'));
        text.replace(QLatin1Char('\x01'), QLatin1Char('&'));
        return text;
    }

    QLabel *makeMessageLine(const QString &name, QWidget *parent)
    {
        auto *line = new QLabel(parent);
        line->setObjectName(name);
        line->setAccessibleName(name);
        line->setWordWrap(true);
        line->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
        line->hide();
        return line;
    }

} // namespace

MainWindow::MainWindow(Client::Model *model, Client::Actions *actions, const QDBusConnection &bus,
                       QWidget *parent)
    : QMainWindow(parent), m_model(model), m_actions(actions), m_bus(bus),
      m_targets(new TargetsModel(model, this)), m_exports(new ExportsModel(model, this)),
      m_targetsProxy(makeProxy(m_targets, this)), m_exportsProxy(makeProxy(m_exports, this))
{
    setWindowTitle(tr("Etherdisk"));
    setWindowIcon(appIcon());

    makeAction(QStringLiteral("attach"), tr("&Attach"), QKeySequence(tr("Ctrl+T")),
               &MainWindow::attachSelected);
    makeAction(QStringLiteral("detach"), tr("&Detach"), QKeySequence(tr("Ctrl+D")),
               &MainWindow::detachSelected);
    makeAction(QStringLiteral("open"), tr("&Open"), QKeySequence::Open, &MainWindow::openSelected);
    makeAction(QStringLiteral("copyDetails"), tr("&Copy details"), QKeySequence::Copy,
               &MainWindow::copySelectedDetails);
    makeAction(QStringLiteral("newExport"), tr("&New export…"), QKeySequence::New,
               &MainWindow::newExport);
    makeAction(QStringLiteral("stopExport"), tr("&Stop"), QKeySequence(tr("Ctrl+Shift+S")),
               &MainWindow::stopSelected);
    makeAction(QStringLiteral("editExport"), tr("&Edit settings…"), QKeySequence(tr("Ctrl+E")),
               &MainWindow::editSelected);
    // Never needed (the views follow the helper's signals), but asked for.
    makeAction(QStringLiteral("refresh"), tr("&Refresh"), QKeySequence::Refresh,
               &MainWindow::refresh);

    // The app's own settings (not an export's): the Settings menu, and
    // the tray's menu shows the same action.
    auto *startAtLogin = new StartAtLoginAction(this);
    m_actionsByName.insert(startAtLogin->objectName(), startAtLogin);
    connect(startAtLogin, &StartAtLoginAction::failed, this, &MainWindow::showSettingError);
    QMenu *settings = menuBar()->addMenu(tr("&Settings"));
    settings->addAction(startAtLogin);
    connect(settings, &QMenu::aboutToShow, startAtLogin, &StartAtLoginAction::refresh);

    addActions(m_actionsByName.values());
    auto *central = new QWidget(this);
    auto *layout = new QVBoxLayout(central);

    m_banner = new QFrame(central);
    m_banner->setObjectName(QStringLiteral("helperBanner"));
    m_banner->setAccessibleName(tr("Helper status"));
    m_banner->setFrameShape(QFrame::StyledPanel);
    m_banner->setStyleSheet(QStringLiteral(
        "#helperBanner { background: #fdf0d5; border: 1px solid #e5a50a; border-radius: 4px; }"));
    auto *bannerLayout = new QHBoxLayout(m_banner);
    m_bannerText = new QLabel(m_banner);
    m_bannerText->setObjectName(QStringLiteral("helperBannerText"));
    m_bannerText->setWordWrap(true);
    m_bannerText->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    m_retry = new QPushButton(tr("Re&try"), m_banner);
    m_retry->setAccessibleName(tr("Retry connecting to etherdisk-helper"));
    connect(m_retry, &QPushButton::clicked, m_model, &Client::Model::refresh);
    bannerLayout->addWidget(m_bannerText, 1);
    bannerLayout->addWidget(m_retry);
    m_banner->hide();
    layout->addWidget(m_banner);

    m_tabs = new QTabWidget(central);
    m_tabs->setAccessibleName(tr("Views"));
    m_tabs->addTab(makeDisksPage(), tr("Network disks"));
    m_tabs->addTab(makeExportsPage(), tr("My exports"));
    layout->addWidget(m_tabs, 1);
    setCentralWidget(central);

    m_status = new QLabel(this);
    statusBar()->addWidget(m_status, 1);

    connect(m_model, &Client::Model::connectedChanged, this, &MainWindow::connectionChanged);
    connect(m_model, &Client::Model::fetchFailed, this, &MainWindow::showUnreachable);
    for (QAbstractItemModel *m : { static_cast<QAbstractItemModel *>(m_targets),
                                   static_cast<QAbstractItemModel *>(m_exports) }) {
        connect(m, &QAbstractItemModel::rowsInserted, this, &MainWindow::updateActions);
        connect(m, &QAbstractItemModel::rowsRemoved, this, &MainWindow::updateActions);
        connect(m, &QAbstractItemModel::dataChanged, this, &MainWindow::updateActions);
    }
    connect(m_disksView->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &MainWindow::updateActions);
    connect(m_exportsView->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &MainWindow::updateActions);
    if (m_model->isConnected())
        connectionChanged(true);
    else if (m_model->lastError().isError())
        showUnreachable(m_model->lastError());
    updateActions();
    resize(1180, 600);
}

QAction *MainWindow::makeAction(const QString &name, const QString &text, const QKeySequence &key,
                                void (MainWindow::*slot)())
{
    auto *a = new QAction(text, this);
    a->setObjectName(name);
    a->setShortcut(key);
    a->setShortcutContext(Qt::WindowShortcut);
    connect(a, &QAction::triggered, this, slot);
    m_actionsByName.insert(name, a);
    return a;
}

QAction *MainWindow::action(const QString &name) const
{
    return m_actionsByName.value(name);
}

QWidget *MainWindow::makeDisksPage()
{
    auto *page = new QWidget(this);
    auto *layout = new QVBoxLayout(page);
    auto *bar = new QHBoxLayout;
    m_disksFilter = new QLineEdit(page);
    m_disksFilter->setObjectName(QStringLiteral("disksFilter"));
    m_disksFilter->setPlaceholderText(tr("Filter network disks"));
    m_disksFilter->setAccessibleName(tr("Filter network disks"));
    m_disksFilter->setClearButtonEnabled(true);
    connect(m_disksFilter, &QLineEdit::textChanged, m_targetsProxy,
            &QSortFilterProxyModel::setFilterFixedString);
    bar->addWidget(m_disksFilter, 1);
    for (const char *name : { "attach", "detach", "open", "copyDetails" }) {
        auto *button = new QToolButton(page);
        button->setDefaultAction(action(QLatin1String(name)));
        button->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
        button->setFocusPolicy(Qt::StrongFocus);
        bar->addWidget(button);
    }
    layout->addLayout(bar);
    m_disksView = makeTable(m_targetsProxy, tr("Network disks"), page);
    m_disksView->setObjectName(QStringLiteral("disksView"));
    for (const char *name : { "attach", "detach", "open", "copyDetails", "refresh" })
        m_disksView->addAction(action(QLatin1String(name)));
    connect(m_disksView, &QTableView::activated, this, &MainWindow::openSelected);
    layout->addWidget(m_disksView, 1);
    m_disksMessage = makeMessageLine(QStringLiteral("disksMessage"), page);
    layout->addWidget(m_disksMessage);
    return page;
}

QWidget *MainWindow::makeExportsPage()
{
    auto *page = new QWidget(this);
    auto *layout = new QVBoxLayout(page);
    auto *bar = new QHBoxLayout;
    m_exportsFilter = new QLineEdit(page);
    m_exportsFilter->setObjectName(QStringLiteral("exportsFilter"));
    m_exportsFilter->setPlaceholderText(tr("Filter my exports"));
    m_exportsFilter->setAccessibleName(tr("Filter my exports"));
    m_exportsFilter->setClearButtonEnabled(true);
    connect(m_exportsFilter, &QLineEdit::textChanged, m_exportsProxy,
            &QSortFilterProxyModel::setFilterFixedString);
    bar->addWidget(m_exportsFilter, 1);
    for (const char *name : { "newExport", "stopExport", "editExport" }) {
        auto *button = new QToolButton(page);
        button->setDefaultAction(action(QLatin1String(name)));
        button->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
        button->setFocusPolicy(Qt::StrongFocus);
        bar->addWidget(button);
    }
    layout->addLayout(bar);
    m_exportsView = makeTable(m_exportsProxy, tr("My exports"), page);
    m_exportsView->setObjectName(QStringLiteral("exportsView"));
    auto *graph = new ThroughputDelegate(m_exportsView);
    m_exportsView->setItemDelegateForColumn(ExportsModel::ReadRate, graph);
    m_exportsView->setItemDelegateForColumn(ExportsModel::WriteRate, graph);
    for (const char *name : { "newExport", "stopExport", "editExport", "refresh" })
        m_exportsView->addAction(action(QLatin1String(name)));
    connect(m_exportsView, &QTableView::activated, this, &MainWindow::editSelected);
    layout->addWidget(m_exportsView, 1);
    m_exportsMessage = makeMessageLine(QStringLiteral("exportsMessage"), page);
    layout->addWidget(m_exportsMessage);
    return page;
}

void MainWindow::refresh()
{
    m_model->refresh();
}

void MainWindow::showPage(int page)
{
    m_tabs->setCurrentIndex(page);
}

QString MainWindow::unreachableText(const Client::Error &error)
{
    QString text = tr("<b>etherdisk-helper is not running</b>: %1")
                       .arg(error.message.isEmpty() ? error.name.toHtmlEscaped()
                                                    : error.message.toHtmlEscaped());
    text += QStringLiteral("<br>")
        + tr("Start it with <tt>sudo systemctl start etherdisk-helper</tt> (or install the "
             "etherdisk package, which lets the system bus start it when needed). This window "
             "reconnects by itself as soon as it runs.");
    return text;
}

void MainWindow::showUnreachable(const Client::Error &error)
{
    m_bannerText->setText(unreachableText(error));
    m_banner->show();
    m_status->setText(tr("Not connected"));
    updateActions();
}

void MainWindow::connectionChanged(bool connected)
{
    if (!connected) {
        Client::Error gone;
        gone.name = QStringLiteral("org.freedesktop.DBus.Error.NameHasNoOwner");
        gone.message = tr("it stopped or was restarted; waiting for it to come back");
        showUnreachable(gone);
        m_permissions.clear();
        applyBadges();
        return;
    }
    m_banner->hide();
    m_status->setText(tr("Connected to etherdisk-helper %1").arg(m_model->helperVersion()));
    // A restarted helper forgot our discovery request: ask again.
    ManagerProxy manager(QLatin1String(Client::ServiceName), QLatin1String(Client::ManagerPath),
                         m_bus);
    manager.setTimeout(Client::CallTimeoutMs);
    auto *watcher = new QDBusPendingCallWatcher(manager.StartDiscovery({}), this);
    connect(watcher, &QDBusPendingCallWatcher::finished, this, [this](QDBusPendingCallWatcher *w) {
        w->deleteLater();
        if (w->isError())
            showMessage(m_disksMessage,
                        tr("Discovery could not start: %1").arg(w->error().message()), true);
    });
    readPermissions();
    updateActions();
}

void MainWindow::readPermissions()
{
    m_actions->permissions([this](const Client::Error &error, const QVariant &result) {
        if (error.isError())
            return;
        m_permissions.clear();
        const StringMap map = result.value<StringMap>();
        const QVariantMap vmap = result.toMap();
        const QString prefix = QStringLiteral("org.etherdisk.etherdisk1.");
        for (auto it = map.cbegin(); it != map.cend(); ++it)
            m_permissions.insert(QString(it.key()).remove(prefix), it.value());
        for (auto it = vmap.cbegin(); it != vmap.cend(); ++it)
            m_permissions.insert(QString(it.key()).remove(prefix), it.value().toString());
        applyBadges();
        Q_EMIT permissionsChanged();
    });
}

void MainWindow::applyBadges()
{
    for (auto it = m_actionsByName.cbegin(); it != m_actionsByName.cend(); ++it) {
        const QString polkit = polkitActionOf(it.key());
        if (polkit.isEmpty())
            continue;
        const QString p = m_permissions.value(polkit);
        QAction *a = it.value();
        a->setIcon(p == u"auth" ? lockIcon() : QIcon());
        const QString text = withoutAccelerator(a->text());
        if (p == u"auth")
            a->setToolTip(tr("%1 (asks for a password)").arg(text));
        else if (p == u"no")
            a->setToolTip(tr("%1 (not allowed for your account)").arg(text));
        else
            a->setToolTip(text);
    }
    updateActions();
}

QString MainWindow::selectedTarget() const
{
    const QModelIndex i = m_disksView->selectionModel()->currentIndex();
    if (!i.isValid() || !m_disksView->selectionModel()->isRowSelected(i.row(), {}))
        return {};
    return i.siblingAtColumn(0).data(ObjectTableModel::PathRole).toString();
}

QString MainWindow::selectedExport() const
{
    const QModelIndex i = m_exportsView->selectionModel()->currentIndex();
    if (!i.isValid() || !m_exportsView->selectionModel()->isRowSelected(i.row(), {}))
        return {};
    return i.siblingAtColumn(0).data(ObjectTableModel::PathRole).toString();
}

void MainWindow::updateActions()
{
    const bool up = m_model->isConnected();
    const Client::TargetInfo *t = m_model->targetInfo(selectedTarget());
    const bool attached = t && !t->attachedDevice.isEmpty();
    auto allowed = [this](const QString &name) {
        return m_permissions.value(polkitActionOf(name)) != u"no";
    };
    action(QStringLiteral("attach"))
        ->setEnabled(up && t && !attached && allowed(QStringLiteral("attach")));
    action(QStringLiteral("detach"))
        ->setEnabled(up && attached && allowed(QStringLiteral("detach")));
    action(QStringLiteral("open"))->setEnabled(attached);
    action(QStringLiteral("copyDetails"))->setEnabled(t != nullptr);
    const bool e = m_model->exportInfo(selectedExport()) != nullptr;
    action(QStringLiteral("newExport"))->setEnabled(up && allowed(QStringLiteral("newExport")));
    action(QStringLiteral("stopExport"))
        ->setEnabled(up && e && allowed(QStringLiteral("stopExport")));
    action(QStringLiteral("editExport"))
        ->setEnabled(up && e && allowed(QStringLiteral("editExport")));
    if (up)
        m_status->setText(tr("Connected to etherdisk-helper %1 · %n network disk(s)", nullptr,
                             m_targets->rowCount())
                              .arg(m_model->helperVersion())
                          + tr(" · %n export(s)", nullptr, m_exports->rowCount()));
}

void MainWindow::showSettingError(const QString &message)
{
    // Not modal: the tray's menu can trigger this while the window is hidden.
    auto *box = new QMessageBox(QMessageBox::Warning, tr("Etherdisk"), message, QMessageBox::Ok,
                                isVisible() ? this : nullptr);
    box->setObjectName(QStringLiteral("settingError"));
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setWindowModality(Qt::NonModal);
    box->show();
}

void MainWindow::showMessage(QLabel *line, const QString &text, bool error)
{
    line->setStyleSheet(error ? QStringLiteral("color: #c01c28;") : QString());
    line->setText(text);
    line->setVisible(!text.isEmpty());
}

void MainWindow::attachSelected()
{
    const Client::TargetInfo *t = m_model->targetInfo(selectedTarget());
    if (!t)
        return;
    const QString name = t->name();
    showMessage(m_disksMessage, tr("Attaching %1…").arg(name), false);
    m_actions->attach(t->path, {}, [this, name](const Client::Error &error, const QVariant &r) {
        if (error.isError())
            showMessage(m_disksMessage, tr("Could not attach %1: %2").arg(name, error.message),
                        true);
        else
            showMessage(m_disksMessage, tr("%1 is attached as %2").arg(name, r.toString()), false);
    });
}

void MainWindow::detachSelected()
{
    const Client::TargetInfo *t = m_model->targetInfo(selectedTarget());
    if (!t)
        return;
    const QString name = t->name();
    Q_EMIT detachRequested(t->path);
    m_actions->detach(t->path, {}, [this, name](const Client::Error &error, const QVariant &) {
        if (error.isError())
            showMessage(m_disksMessage, tr("Could not detach %1: %2").arg(name, error.message),
                        true);
        else
            showMessage(m_disksMessage, tr("%1 is detached").arg(name), false);
    });
}

void MainWindow::openSelected()
{
    const Client::TargetInfo *t = m_model->targetInfo(selectedTarget());
    if (!t || t->attachedDevice.isEmpty())
        return;
    const QString device = t->attachedDevice;
    // UDisks2 mounts it as the user (its own polkit rules) where it runs;
    // elsewhere the device node is all there is to show.
    QDBusConnection system = QDBusConnection::systemBus();
    const bool udisks = system.isConnected() && system.interface()
        && (system.interface()->isServiceRegistered(QStringLiteral("org.freedesktop.UDisks2"))
            || system.interface()->activatableServiceNames().value().contains(
                QStringLiteral("org.freedesktop.UDisks2")));
    if (!udisks) {
        showMessage(m_disksMessage, tr("%1 is the device %2").arg(t->name(), device), false);
        return;
    }
    QDBusMessage resolve = QDBusMessage::createMethodCall(
        QStringLiteral("org.freedesktop.UDisks2"),
        QStringLiteral("/org/freedesktop/UDisks2/Manager"),
        QStringLiteral("org.freedesktop.UDisks2.Manager"), QStringLiteral("ResolveDevice"));
    resolve << QVariantMap{ { QStringLiteral("path"), device } } << QVariantMap();
    const QDBusReply<QList<QDBusObjectPath>> blocks = system.call(resolve, QDBus::Block, 10000);
    if (!blocks.isValid() || blocks.value().isEmpty()) {
        showMessage(m_disksMessage, tr("%1 is the device %2").arg(t->name(), device), false);
        return;
    }
    QDBusMessage mount = QDBusMessage::createMethodCall(
        QStringLiteral("org.freedesktop.UDisks2"), blocks.value().constFirst().path(),
        QStringLiteral("org.freedesktop.UDisks2.Filesystem"), QStringLiteral("Mount"));
    mount << QVariantMap();
    mount.setInteractiveAuthorizationAllowed(true);
    auto *watcher =
        new QDBusPendingCallWatcher(system.asyncCall(mount, Client::CallTimeoutMs), this);
    const QString name = t->name();
    connect(watcher, &QDBusPendingCallWatcher::finished, this,
            [this, name, device](QDBusPendingCallWatcher *w) {
                w->deleteLater();
                const QDBusPendingReply<QString> reply = *w;
                if (reply.isError())
                    showMessage(m_disksMessage,
                                tr("%1 is the device %2; mounting it failed: %3")
                                    .arg(name, device, reply.error().message()),
                                true);
                else
                    showMessage(m_disksMessage, tr("%1 is mounted at %2").arg(name, reply.value()),
                                false);
            });
}

void MainWindow::copySelectedDetails()
{
    const Client::TargetInfo *t = m_model->targetInfo(selectedTarget());
    if (!t)
        return;
    QApplication::clipboard()->setText(TargetsModel::details(*t));
    showMessage(m_disksMessage, tr("The details of %1 are on the clipboard").arg(t->name()), false);
}

void MainWindow::newExport()
{
    ExportDialog dialog(m_model, m_actions, this);
    if (dialog.exec() == QDialog::Accepted)
        showMessage(m_exportsMessage, tr("%1 is exported").arg(dialog.createdName()), false);
}

void MainWindow::stopSelected()
{
    const Client::ExportInfo *e = m_model->exportInfo(selectedExport());
    if (!e)
        return;
    const QString name = e->name();
    m_actions->stopExport(e->path, {}, [this, name](const Client::Error &error, const QVariant &) {
        if (error.isError())
            showMessage(m_exportsMessage, tr("Could not stop %1: %2").arg(name, error.message),
                        true);
        else
            showMessage(m_exportsMessage, tr("%1 is no longer exported").arg(name), false);
    });
}

void MainWindow::editSelected()
{
    const Client::ExportInfo *e = m_model->exportInfo(selectedExport());
    if (!e)
        return;
    SettingsDialog dialog(*e, m_actions, this);
    if (dialog.exec() == QDialog::Accepted)
        showMessage(m_exportsMessage, tr("The settings of %1 are changed").arg(e->name()), false);
}

} // namespace Etherdisk::Ui
