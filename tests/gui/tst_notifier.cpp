// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
//
// The loss notifier (ui/tray/notifier.h) on a private session bus
// (dbus-daemon --session started here) with a real notification server
// process (notificationlistener, which owns org.freedesktop.Notifications
// and prints every Notify call it gets). The targets' states are fed to
// the notifier as the helper's Target objects would bring them (attaching
// needs the kernel aoe driver, which these tests do not load); what the
// notifier sends is observed on the bus. The window's unreachable-helper
// banner is checked here too, against this bus, which has no helper. What
// would make each test fail is said at the test.
#include "menucheck.h"
#include "testutil.h"

#include "etherdiskclient/model.h"
#include "tray/notifier.h"
#include "tray/trayicon.h"
#include "widgets/mainwindow.h"

#include "etherdiskclient/actions.h"

#include <QAbstractButton>
#include <QAction>
#include <QApplication>
#include <QDBusConnection>
#include <QDBusConnectionInterface>
#include <QTabBar>
#include <QTableView>
#include <QFrame>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QMenu>
#include <QMenuBar>
#include <QProcess>
#include <QSignalSpy>
#include <QTest>

using namespace EtherdiskTest;
using Etherdisk::Client::Model;
using Etherdisk::Client::TargetInfo;
using Etherdisk::Ui::Notifier;

namespace {

TargetInfo target(int shelf, int slot, const QString &state, const QString &device)
{
    TargetInfo t;
    t.path = Etherdisk::Client::targetPath(uint(shelf), uint(slot));
    t.shelf = quint16(shelf);
    t.slot = quint8(slot);
    t.state = state;
    t.attachedDevice = device;
    return t;
}

} // namespace

class tst_Notifier final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void init();
    void cleanup();

    void lossThenRecovery();
    void noNotificationWithoutNews();
    void actionOpensWindow();
    void fallbackWithoutServer();
    void helperUnreachableBanner();
    void keyboardAndNames();
    void menusForTheKeyboard();

private:
    // The Notify calls the listener printed since the last call.
    QList<QJsonObject> calls();
    bool startListener();

    QProcess m_bus;
    QProcess m_listener;
    QString m_address;
    QDBusConnection m_session{ QString() };
    QByteArray m_buffer;
    int m_connections = 0;
};

void tst_Notifier::initTestCase()
{
    ETHERDISK_REQUIRE(haveProgram(QStringLiteral("dbus-daemon")),
                      QStringLiteral("dbus-daemon is not installed"));
    m_bus.start(QStringLiteral("dbus-daemon"),
                { QStringLiteral("--session"), QStringLiteral("--nofork"),
                  QStringLiteral("--print-address=1") });
    QVERIFY(m_bus.waitForStarted(5000));
    QTRY_VERIFY_WITH_TIMEOUT(m_bus.canReadLine(), 5000);
    m_address = QString::fromLocal8Bit(m_bus.readLine()).trimmed();
    QVERIFY(!m_address.isEmpty());
    m_session = QDBusConnection::connectToBus(m_address, QStringLiteral("tst_notifier"));
    QVERIFY2(m_session.isConnected(), qPrintable(m_session.lastError().message()));
}

void tst_Notifier::cleanupTestCase()
{
    QDBusConnection::disconnectFromBus(QStringLiteral("tst_notifier"));
    if (m_bus.state() != QProcess::NotRunning) {
        m_bus.terminate();
        m_bus.waitForFinished(5000);
    }
}

bool tst_Notifier::startListener()
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("DBUS_SESSION_BUS_ADDRESS"), m_address);
    m_listener.setProcessEnvironment(env);
    m_listener.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    m_listener.start(QStringLiteral(ETHERDISK_BINARY_DIR "/tests/notificationlistener"), {});
    if (!m_listener.waitForStarted(5000))
        return false;
    QElapsedTimer t;
    t.start();
    while (t.elapsed() < 10000) {
        m_listener.waitForReadyRead(200);
        m_buffer += m_listener.readAllStandardOutput();
        if (m_buffer.contains("ready\n")) {
            m_buffer.remove(0, m_buffer.indexOf("ready\n") + 6);
            return true;
        }
    }
    return false;
}

void tst_Notifier::init()
{
    m_buffer.clear();
    QVERIFY(startListener());
}

void tst_Notifier::cleanup()
{
    if (m_listener.state() != QProcess::NotRunning) {
        m_listener.closeWriteChannel();
        if (!m_listener.waitForFinished(3000)) {
            m_listener.kill();
            m_listener.waitForFinished(3000);
        }
    }
}

QList<QJsonObject> tst_Notifier::calls()
{
    QTest::qWait(300); // a Notify on its way arrives
    m_buffer += m_listener.readAllStandardOutput();
    QList<QJsonObject> out;
    qsizetype nl;
    while ((nl = m_buffer.indexOf('\n')) >= 0) {
        out << QJsonDocument::fromJson(m_buffer.left(nl)).object();
        m_buffer.remove(0, nl + 1);
    }
    return out;
}

// An attached target that goes lost: exactly one Notify (replaces_id 0,
// urgency 2 = critical, no expiry, a "default" action, "e1.2 is lost",
// the desktop-entry hint naming the installed .desktop file);
// staying lost sends nothing more; coming back online sends one Notify
// that replaces the first (replaces_id = the id the server gave, "e1.2 is
// back", urgency 1). A second loss replaces it again. Fails if the loss is
// sent twice, not critical, or the recovery is a new notification.
void tst_Notifier::lossThenRecovery()
{
    Model model(
        QDBusConnection::connectToBus(m_address, QStringLiteral("n%1").arg(++m_connections)));
    Notifier notifier(&model, m_session);
    QSignalSpy notified(&notifier, &Notifier::notified);
    notifier.observe(target(1, 2, QStringLiteral("online"), QStringLiteral("/dev/etherd/e1.2")));
    QVERIFY(calls().isEmpty());

    notifier.observe(target(1, 2, QStringLiteral("lost"), QStringLiteral("/dev/etherd/e1.2")));
    QTRY_COMPARE(notified.size(), 1);
    QList<QJsonObject> c = calls();
    QCOMPARE(c.size(), 1);
    const int id = c[0].value(QStringLiteral("id")).toInt();
    QVERIFY(id > 0);
    QCOMPARE(c[0].value(QStringLiteral("replaces_id")).toInt(), 0);
    QCOMPARE(c[0].value(QStringLiteral("urgency")).toInt(), 2);
    QCOMPARE(c[0].value(QStringLiteral("expire")).toInt(), 0);
    QCOMPARE(c[0].value(QStringLiteral("app")).toString(), QStringLiteral("Etherdisk"));
    // The desktop entry the server takes the app's name and icon from.
    QCOMPARE(c[0].value(QStringLiteral("desktop_entry")).toString(),
             QStringLiteral("org.etherdisk.Etherdisk"));
    QCOMPARE(c[0].value(QStringLiteral("summary")).toString(), QStringLiteral("e1.2 is lost"));
    QVERIFY(
        c[0].value(QStringLiteral("body")).toString().contains(QStringLiteral("/dev/etherd/e1.2")));
    QCOMPARE(c[0].value(QStringLiteral("actions")).toVariant().toStringList().value(0),
             QStringLiteral("default"));
    QCOMPARE(notifier.notificationId(target(1, 2, {}, {}).path), uint(id));

    notifier.observe(target(1, 2, QStringLiteral("lost"), QStringLiteral("/dev/etherd/e1.2")));
    QVERIFY(calls().isEmpty());

    notifier.observe(target(1, 2, QStringLiteral("online"), QStringLiteral("/dev/etherd/e1.2")));
    QTRY_COMPARE(notified.size(), 2);
    c = calls();
    QCOMPARE(c.size(), 1);
    QCOMPARE(c[0].value(QStringLiteral("replaces_id")).toInt(), id);
    QCOMPARE(c[0].value(QStringLiteral("id")).toInt(), id);
    QCOMPARE(c[0].value(QStringLiteral("summary")).toString(), QStringLiteral("e1.2 is back"));
    QCOMPARE(c[0].value(QStringLiteral("urgency")).toInt(), 1);

    notifier.observe(target(1, 2, QStringLiteral("lost"), QStringLiteral("/dev/etherd/e1.2")));
    QTRY_COMPARE(notified.size(), 3);
    c = calls();
    QCOMPARE(c.size(), 1);
    QCOMPARE(c[0].value(QStringLiteral("replaces_id")).toInt(), id);
    QCOMPARE(c[0].value(QStringLiteral("urgency")).toInt(), 2);
}

// No Notify for: a target that is not attached going lost; a target the
// user asked to detach (detachRequested, then lost while the detach is on
// its way, then AttachedDevice empty); a target first seen already lost (lost before the app knew
// it); another target's recovery after a loss that was never notified. Fails if any of these
// notifies.
void tst_Notifier::noNotificationWithoutNews()
{
    Model model(
        QDBusConnection::connectToBus(m_address, QStringLiteral("n%1").arg(++m_connections)));
    Notifier notifier(&model, m_session);
    notifier.observe(target(2, 1, QStringLiteral("online"), QString()));
    notifier.observe(target(2, 1, QStringLiteral("lost"), QString()));
    notifier.observe(target(2, 1, QStringLiteral("online"), QString()));

    // The detach is on its way (still attached) when the target goes.
    notifier.observe(target(2, 2, QStringLiteral("online"), QStringLiteral("/dev/etherd/e2.2")));
    notifier.detachRequested(target(2, 2, {}, {}).path);
    notifier.observe(target(2, 2, QStringLiteral("lost"), QStringLiteral("/dev/etherd/e2.2")));
    notifier.observe(target(2, 2, QStringLiteral("lost"), QString()));
    notifier.observe(target(2, 2, QStringLiteral("online"), QString()));

    notifier.observe(target(2, 3, QStringLiteral("lost"), QStringLiteral("/dev/etherd/e2.3")));
    notifier.observe(target(2, 3, QStringLiteral("online"), QStringLiteral("/dev/etherd/e2.3")));
    QVERIFY(calls().isEmpty());
    QCOMPARE(notifier.notificationId(target(2, 3, {}, {}).path), 0u);

    // A detach the user asked for, then attached again: losses count again.
    notifier.observe(target(2, 2, QStringLiteral("online"), QStringLiteral("/dev/etherd/e2.2")));
    notifier.observe(target(2, 2, QStringLiteral("lost"), QStringLiteral("/dev/etherd/e2.2")));
    const QList<QJsonObject> c = calls();
    QCOMPARE(c.size(), 1);
    QCOMPARE(c[0].value(QStringLiteral("summary")).toString(), QStringLiteral("e2.2 is lost"));
}

// The server's ActionInvoked(id, "default") for our notification asks to
// open the window; the same for an id that is not ours does not. Fails if
// the action is not followed or any notification opens the window.
void tst_Notifier::actionOpensWindow()
{
    Model model(
        QDBusConnection::connectToBus(m_address, QStringLiteral("n%1").arg(++m_connections)));
    Notifier notifier(&model, m_session);
    QSignalSpy open(&notifier, &Notifier::openWindowRequested);
    QSignalSpy notified(&notifier, &Notifier::notified);
    notifier.observe(target(3, 1, QStringLiteral("online"), QStringLiteral("/dev/etherd/e3.1")));
    notifier.observe(target(3, 1, QStringLiteral("lost"), QStringLiteral("/dev/etherd/e3.1")));
    QTRY_COMPARE(notified.size(), 1);
    const uint id = notified.at(0).at(1).toUInt();
    m_listener.write(QStringLiteral("invoke %1 default\n").arg(id + 100).toUtf8());
    QTest::qWait(500);
    QCOMPARE(open.size(), 0);
    m_listener.write(QStringLiteral("invoke %1 default\n").arg(id).toUtf8());
    QTRY_COMPARE(open.size(), 1);
}

// Without a notification server the texts go to fallbackMessage (the
// tray's balloon), critical for the loss. Fails if the loss is dropped
// silently.
void tst_Notifier::fallbackWithoutServer()
{
    cleanup(); // no listener
    Model model(
        QDBusConnection::connectToBus(m_address, QStringLiteral("n%1").arg(++m_connections)));
    Notifier notifier(&model, m_session);
    QSignalSpy fallback(&notifier, &Notifier::fallbackMessage);
    notifier.observe(target(4, 1, QStringLiteral("online"), QStringLiteral("/dev/etherd/e4.1")));
    notifier.observe(target(4, 1, QStringLiteral("lost"), QStringLiteral("/dev/etherd/e4.1")));
    QTRY_COMPARE_WITH_TIMEOUT(fallback.size(), 1, 12000);
    QCOMPARE(fallback.at(0).at(0).toString(), QStringLiteral("e4.1 is lost"));
    QCOMPARE(fallback.at(0).at(2).toBool(), true);
}

// A bus where etherdisk-helper cannot be started: the window shows the
// banner saying it is not running and how to start it, with the bus's
// reason; the tray's tooltip says the same; Refresh asks again. Fails if
// the window stays silent, shows the banner while connected, or Refresh
// does nothing.
void tst_Notifier::helperUnreachableBanner()
{
    const QDBusConnection bus =
        QDBusConnection::connectToBus(m_address, QStringLiteral("n%1").arg(++m_connections));
    Model model(bus);
    Etherdisk::Client::Actions actions(bus);
    Etherdisk::Ui::MainWindow window(&model, &actions, bus);
    window.show();
    QVERIFY(window.banner()->isHidden());
    QSignalSpy failed(&model, &Model::fetchFailed);
    model.start();
    QTRY_COMPARE_WITH_TIMEOUT(failed.size(), 1, 10000);
    QVERIFY(window.banner()->isVisible());
    const QString text = window.bannerText()->text();
    QVERIFY2(text.contains(QStringLiteral("etherdisk-helper is not running")), qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("systemctl start etherdisk-helper")), qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("org.etherdisk.Etherdisk1")), qPrintable(text));
    QCOMPARE(Etherdisk::Ui::TrayIcon::summary(model),
             QStringLiteral("etherdisk-helper is not running"));
    // Refresh (F5) asks again, and the banner stays.
    window.action(QStringLiteral("refresh"))->trigger();
    QTRY_COMPARE_WITH_TIMEOUT(failed.size(), 2, 10000);
    QVERIFY(window.banner()->isVisible());
}

// Every control of the window that takes focus has a name a screen reader
// can say (its accessible name, or its text for buttons and the tab bar),
// and Tab leaves a table instead of walking its cells. Fails if a control
// is added without a name or a table keeps Tab.
void tst_Notifier::keyboardAndNames()
{
    const QDBusConnection bus =
        QDBusConnection::connectToBus(m_address, QStringLiteral("n%1").arg(++m_connections));
    Model model(bus);
    Etherdisk::Client::Actions actions(bus);
    Etherdisk::Ui::MainWindow window(&model, &actions, bus);
    window.show();
    QApplication::setActiveWindow(&window);
    QVERIFY(QTest::qWaitForWindowActive(&window));
    int checked = 0;
    for (QWidget *w : window.findChildren<QWidget *>()) {
        if (!w->isVisibleTo(&window) || !(w->focusPolicy() & Qt::TabFocus))
            continue;
        QString name = w->accessibleName();
        if (name.isEmpty())
            if (auto *b = qobject_cast<QAbstractButton *>(w))
                name = b->text();
        if (auto *tabs = qobject_cast<QTabBar *>(w))
            for (int i = 0; i < tabs->count(); ++i)
                QVERIFY(!tabs->tabText(i).isEmpty());
        else
            QVERIFY2(
                !name.isEmpty(),
                qPrintable(QStringLiteral("%1 %2 has no name")
                               .arg(QLatin1String(w->metaObject()->className()), w->objectName())));
        ++checked;
    }
    QVERIFY2(checked >= 5, qPrintable(QString::number(checked)));
    QTableView *table = window.disksView();
    QVERIFY(!table->tabKeyNavigation());
    table->setFocus();
    QTRY_VERIFY(table->hasFocus());
    QTest::keyClick(table, Qt::Key_Tab);
    QVERIFY(!table->hasFocus());
}

// The window's menu bar and the tray icon's menu (its "Attached disks"
// submenu says "None" here) as menucheck.h describes: every entry has a text, every menu title a
// mnemonic, and no mnemonic is used twice within one menu or the menu
// bar. Fails if an entry or submenu is added without that.
void tst_Notifier::menusForTheKeyboard()
{
    const QDBusConnection bus =
        QDBusConnection::connectToBus(m_address, QStringLiteral("n%1").arg(++m_connections));
    Model model(bus);
    Etherdisk::Client::Actions actions(bus);
    Etherdisk::Ui::MainWindow window(&model, &actions, bus);
    Etherdisk::Ui::TrayIcon tray(&model, &window, nullptr);
    QVERIFY(!window.menuBar()->actions().isEmpty());
    QVERIFY(!tray.menu()->actions().isEmpty());
    QStringList problems = EtherdiskTest::menuProblems(window.menuBar(), { tray.menu() });
    // The tables' context menus (their actions).
    problems << EtherdiskTest::contextMenuProblems(window.disksView(),
                                                   QStringLiteral("the disks' context menu"))
             << EtherdiskTest::contextMenuProblems(window.exportsView(),
                                                   QStringLiteral("the exports' context menu"));
    QVERIFY2(problems.isEmpty(), qPrintable(problems.join(QStringLiteral("; "))));
    // The checker itself: it finds what it is for.
    QMenuBar bar;
    QMenu *untitled = bar.addMenu(QStringLiteral("Untitled"));
    untitled->addAction(QStringLiteral("&One"));
    untitled->addAction(QStringLiteral("&Other"));
    untitled->addAction(QString());
    const QStringList found = EtherdiskTest::menuProblems(&bar);
    QCOMPARE(found.size(), 3);
    QVERIFY2(found.join(u'\n').contains(QStringLiteral("\"Untitled\" has no mnemonic")),
             qPrintable(found.join(u'\n')));
    QVERIFY2(found.join(u'\n').contains(QStringLiteral("share the mnemonic o")),
             qPrintable(found.join(u'\n')));
    QVERIFY2(found.join(u'\n').contains(QStringLiteral("has no text")),
             qPrintable(found.join(u'\n')));
}

QTEST_MAIN(tst_Notifier)
#include "tst_notifier.moc"
