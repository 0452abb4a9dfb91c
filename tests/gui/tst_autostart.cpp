// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
//
// "Start Etherdisk when I log in" (ui/tray/autostart.h) and
// `etherdisk --minimized`. XDG_CONFIG_HOME and XDG_CONFIG_DIRS point into a
// QTemporaryDir, so the user's and the machine's autostart folders are
// never read or written. Files are checked as plain text (no QSettings,
// which would read what it wrote itself). The window's action is the one
// the user clicks; the app itself runs offscreen (no tray there) and under
// Xvfb with a StatusNotifierWatcher of our own on a private session bus or
// an XEmbed tray of our own (a tray, also one that appears after the app).
// What would make each test fail is said at the test.
#include "testutil.h"

#include "etherdiskclient/actions.h"
#include "etherdiskclient/model.h"
#include "tray/autostart.h"
#include "tray/trayicon.h"
#include "widgets/mainwindow.h"

#include <QAction>
#include <QApplication>
#include <QDBusConnection>
#include <QDBusConnectionInterface>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QProcess>
#include <QScopeGuard>
#include <QTemporaryDir>
#include <QTest>

#include <xcb/xcb.h>

#include <cstdlib>
#include <functional>

using namespace EtherdiskTest;
namespace Autostart = Etherdisk::Ui::Autostart;

namespace {

// The [Desktop Entry] keys of a file, read line by line.
QMap<QString, QString> keysOf(const QString &path)
{
    QMap<QString, QString> keys;
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return keys;
    bool inEntry = false;
    for (const QByteArray &raw : f.readAll().split('\n')) {
        const QString line = QString::fromUtf8(raw);
        if (line.startsWith(QLatin1Char('[')))
            inEntry = line == u"[Desktop Entry]";
        else if (inEntry && line.contains(QLatin1Char('=')))
            keys.insert(line.section(QLatin1Char('='), 0, 0), line.section(QLatin1Char('='), 1));
    }
    return keys;
}

QByteArray readAll(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

bool writeText(const QString &path, const QByteArray &text)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile f(path);
    return f.open(QIODevice::WriteOnly | QIODevice::Truncate) && f.write(text) == text.size();
}

// The message box the window shows when a setting cannot be changed (a
// window of its own, a child of the main window only while that is shown).
QMessageBox *settingError()
{
    for (QWidget *w : QApplication::topLevelWidgets())
        if (auto *box = qobject_cast<QMessageBox *>(w);
            box && box->objectName() == u"settingError" && box->isVisible())
            return box;
    return nullptr;
}

// A stand-in for the panel's StatusNotifierWatcher: what Qt asks before it
// says a tray is available, and where the app's icon registers.
class FakeWatcher : public QObject
{
    Q_OBJECT
    Q_CLASSINFO("D-Bus Interface", "org.kde.StatusNotifierWatcher")
    Q_PROPERTY(bool IsStatusNotifierHostRegistered READ hostRegistered)
    Q_PROPERTY(int ProtocolVersion READ protocolVersion)
    Q_PROPERTY(QStringList RegisteredStatusNotifierItems READ items)
public:
    bool hostRegistered() const { return true; }
    int protocolVersion() const { return 0; }
    QStringList items() const { return m_items; }
    QStringList m_items;
public Q_SLOTS:
    void RegisterStatusNotifierItem(const QString &service) { m_items << service; }
    void RegisterStatusNotifierHost(const QString &) { }
};

// A stand-in for an XEmbed tray (system tray spec 0.3): a window of its own
// connection owns _NET_SYSTEM_TRAY_S0 (announced with the MANAGER
// broadcast) and counts the SYSTEM_TRAY_REQUEST_DOCK messages icons send
// it. Nothing is ever docked; the request is what shows an icon came.
class FakeXembedTray
{
public:
    ~FakeXembedTray()
    {
        if (m_c)
            xcb_disconnect(m_c);
    }
    // The error, or "" once the selection is ours.
    QString start(const QString &display)
    {
        int screenNumber = 0;
        m_c = xcb_connect(display.toLocal8Bit().constData(), &screenNumber);
        if (xcb_connection_has_error(m_c))
            return QStringLiteral("cannot connect to ") + display;
        if (screenNumber != 0)
            return QStringLiteral("screen %1, not 0").arg(screenNumber);
        const xcb_screen_t *screen = xcb_setup_roots_iterator(xcb_get_setup(m_c)).data;
        m_window = xcb_generate_id(m_c);
        xcb_create_window(m_c, XCB_COPY_FROM_PARENT, m_window, screen->root, 0, 0, 1, 1, 0,
                          XCB_WINDOW_CLASS_INPUT_OUTPUT, screen->root_visual, 0, nullptr);
        const xcb_atom_t selection = atom("_NET_SYSTEM_TRAY_S0");
        m_opcode = atom("_NET_SYSTEM_TRAY_OPCODE");
        xcb_set_selection_owner(m_c, m_window, selection, XCB_CURRENT_TIME);
        xcb_client_message_event_t manager = {};
        manager.response_type = XCB_CLIENT_MESSAGE;
        manager.format = 32;
        manager.window = screen->root;
        manager.type = atom("MANAGER");
        manager.data.data32[0] = XCB_CURRENT_TIME;
        manager.data.data32[1] = selection;
        manager.data.data32[2] = m_window;
        xcb_send_event(m_c, 0, screen->root, XCB_EVENT_MASK_STRUCTURE_NOTIFY,
                       reinterpret_cast<const char *>(&manager));
        xcb_get_selection_owner_reply_t *owner =
            xcb_get_selection_owner_reply(m_c, xcb_get_selection_owner(m_c, selection), nullptr);
        const bool ours = owner && owner->owner == m_window;
        std::free(owner);
        return ours ? QString() : QStringLiteral("the selection is not ours");
    }
    // Dock requests received so far.
    int dockRequests()
    {
        while (xcb_generic_event_t *e = xcb_poll_for_event(m_c)) {
            if ((e->response_type & 0x7f) == XCB_CLIENT_MESSAGE) {
                const auto *m = reinterpret_cast<const xcb_client_message_event_t *>(e);
                if (m->type == m_opcode && m->data.data32[1] == 0) // SYSTEM_TRAY_REQUEST_DOCK
                    ++m_docks;
            }
            std::free(e);
        }
        return m_docks;
    }

private:
    xcb_atom_t atom(const QByteArray &name)
    {
        xcb_intern_atom_reply_t *r = xcb_intern_atom_reply(
            m_c, xcb_intern_atom(m_c, 0, uint16_t(name.size()), name.constData()), nullptr);
        const xcb_atom_t a = r ? r->atom : xcb_atom_t(XCB_ATOM_NONE);
        std::free(r);
        return a;
    }

    xcb_connection_t *m_c = nullptr;
    xcb_window_t m_window = 0;
    xcb_atom_t m_opcode = 0;
    int m_docks = 0;
};

} // namespace

class tst_Autostart final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanupTestCase();

    void turningOnWritesTheEntry();
    void turningOffRemovesIt();
    void disabledEntriesReadAsOff_data();
    void disabledEntriesReadAsOff();
    void tryExec_data();
    void tryExec();
    void writtenTryExecReadsBack();
    void otherVersionsEntryReadsAsOn();
    void systemWideEntryIsHiddenNotRemoved();
    void unwritableFolderIsAnErrorAndStaysOff();
    void unremovableEntryStaysOn();
    void desktopFileValidate();
    void programName();
    void execQuoting();
    void minimizedDecision_data();
    void minimizedDecision();
    void minimizedWithoutTrayShowsTheWindow();
    void minimizedWithTrayStaysInTheTray();
    void trayAppearingLaterGetsTheIcon();
    void xembedTrayAppearingLaterGetsTheIcon();

private:
    // The window's action and the window (no helper: a bus that is not there).
    struct Window
    {
        QDBusConnection bus{ QStringLiteral("tst_autostart_none") };
        Etherdisk::Client::Model model{ bus };
        Etherdisk::Client::Actions actions{ bus };
        Etherdisk::Ui::MainWindow window{ &model, &actions, bus };
        QAction *startAtLogin() const { return window.action(QStringLiteral("startAtLogin")); }
    };
    // Runs the app with `args` and `env` until `until` is in its stderr and
    // `also` holds; `then` runs once as soon as `until` is there. Returns
    // the app's stderr.
    QString runApp(
        const QStringList &args, const QProcessEnvironment &env, const QString &until,
        const std::function<bool()> &also = [] { return true; },
        const std::function<void()> &then = [] {});
    // Xvfb and a private session bus (stopped when it is destroyed), and the
    // app's environment for them.
    struct XSession
    {
        QProcess xvfb;
        QProcess bus;
        QString display;
        QString address;
        QProcessEnvironment env;
        ~XSession()
        {
            for (QProcess *p : { &bus, &xvfb }) {
                p->terminate();
                p->waitForFinished(5000);
            }
        }
    };
    void startXSession(XSession &session);

    QTemporaryDir m_tmp;
    QString m_home; // XDG_CONFIG_HOME
    QString m_system; // XDG_CONFIG_DIRS
    QString m_user; // the user's entry
};

void tst_Autostart::initTestCase()
{
    QVERIFY(m_tmp.isValid());
    m_home = m_tmp.filePath(QStringLiteral("config"));
    m_system = m_tmp.filePath(QStringLiteral("xdg"));
    qputenv("XDG_CONFIG_HOME", m_home.toLocal8Bit());
    qputenv("XDG_CONFIG_DIRS", m_system.toLocal8Bit());
    qputenv("XDG_CURRENT_DESKTOP", "Test");
    m_user = m_home + QStringLiteral("/autostart/org.etherdisk.Etherdisk.desktop");
    QCOMPARE(Autostart::userFile(), m_user);
    // An "etherdisk" on the PATH, as where the app is installed: entries
    // with TryExec=etherdisk start it.
    const QString bin = m_tmp.filePath(QStringLiteral("bin"));
    QVERIFY(QDir().mkpath(bin));
    QVERIFY(writeText(bin + QStringLiteral("/etherdisk"), "#!/bin/sh\n"));
    QVERIFY(QFile::setPermissions(bin + QStringLiteral("/etherdisk"),
                                  QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner));
    qputenv("PATH", (bin + QLatin1Char(':') + qEnvironmentVariable("PATH")).toLocal8Bit());
}

void tst_Autostart::init()
{
    for (const QString &d : { m_home, m_system }) {
        QFile::setPermissions(d + QStringLiteral("/autostart"),
                              QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
        QFile::remove(d + QStringLiteral("/autostart")); // a file some tests put there
        QDir(d).removeRecursively();
    }
}

void tst_Autostart::cleanupTestCase()
{
    init();
}

// On, from the window's Settings menu: the exact entry (Exec names the
// program, --minimized; Type=Application; no Hidden, no NoDisplay), the
// check follows the file, and no temporary file is left beside it. Fails
// if the entry changes, is not written, or is written in place with a
// leftover.
void tst_Autostart::turningOnWritesTheEntry()
{
    QVERIFY(Autostart::setEnabled(true, nullptr, QStringLiteral("etherdisk")));
    QCOMPARE(readAll(m_user),
             QByteArray("# Written by Etherdisk (\"Start Etherdisk when I log in\").\n"
                        "# Turn it off there or in the desktop's autostart settings.\n"
                        "[Desktop Entry]\n"
                        "Type=Application\n"
                        "Name=Etherdisk\n"
                        "Comment=Network disks in the tray: tells you when an attached disk is "
                        "lost\n"
                        "Exec=etherdisk --minimized\n"
                        "TryExec=etherdisk\n"
                        "Icon=etherdisk\n"
                        "Terminal=false\n"
                        "X-GNOME-Autostart-enabled=true\n"));
    QVERIFY(Autostart::isEnabled());
    QVERIFY(QFile::remove(m_user));

    Window w;
    QAction *a = w.startAtLogin();
    QVERIFY(a);
    QVERIFY(a->isCheckable());
    QVERIFY(!a->isChecked());
    QVERIFY(!a->text().isEmpty());
    QVERIFY(w.window.menuBar()->actions().size() >= 1);
    QMenu *settings = w.window.menuBar()->actions().constFirst()->menu();
    QVERIFY(settings && settings->actions().contains(a));
    Etherdisk::Ui::TrayIcon tray(&w.model, &w.window, nullptr);
    QVERIFY(tray.menu()->actions().contains(a)); // the same action in the tray's menu
    a->trigger();
    QVERIFY(a->isChecked());
    const QMap<QString, QString> keys = keysOf(m_user);
    QCOMPARE(keys.value(QStringLiteral("Type")), QStringLiteral("Application"));
    QCOMPARE(keys.value(QStringLiteral("Exec")),
             Autostart::execArgument(Autostart::currentProgram()) + QStringLiteral(" --minimized"));
    QCOMPARE(keys.value(QStringLiteral("X-GNOME-Autostart-enabled")), QStringLiteral("true"));
    QVERIFY(!keys.contains(QStringLiteral("Hidden")));
    QVERIFY(!keys.contains(QStringLiteral("NoDisplay")));
    QCOMPARE(QDir(m_home + QStringLiteral("/autostart")).entryList(QDir::Files | QDir::Hidden),
             QStringList{ QStringLiteral("org.etherdisk.Etherdisk.desktop") });
}

// Off removes the user's entry (none system-wide); the check follows.
// Fails if the file stays or is emptied instead.
void tst_Autostart::turningOffRemovesIt()
{
    QVERIFY(Autostart::setEnabled(true, nullptr, QStringLiteral("etherdisk")));
    Window w;
    QAction *a = w.startAtLogin();
    QVERIFY(a->isChecked());
    a->trigger();
    QVERIFY(!a->isChecked());
    QVERIFY(!QFileInfo::exists(m_user));
    QVERIFY(!Autostart::isEnabled());
    QString error;
    QVERIFY(Autostart::setEnabled(false, &error)); // already off: nothing to do, no error
    QVERIFY(error.isEmpty());
}

void tst_Autostart::disabledEntriesReadAsOff_data()
{
    QTest::addColumn<QByteArray>("text");
    const QByteArray head = "[Desktop Entry]\nType=Application\nName=Etherdisk\n"
                            "Exec=etherdisk --minimized\n";
    QTest::newRow("Hidden=true") << head + "Hidden=true\n";
    QTest::newRow("Hidden = true") << head + "Hidden = true\n";
    QTest::newRow("X-GNOME-Autostart-enabled=false") << head + "X-GNOME-Autostart-enabled=false\n";
    QTest::newRow("OnlyShowIn another desktop") << head + "OnlyShowIn=KDE;\n";
    QTest::newRow("NotShowIn this desktop") << head + "NotShowIn=GNOME;Test;\n";
    QTest::newRow("no [Desktop Entry]") << QByteArray("[Other]\nExec=etherdisk\n");
    QTest::newRow("empty") << QByteArray();
}

// An entry the user or the desktop disabled reads as off (the check is
// clear), and turning it on replaces it with ours. Fails if only the
// file's existence is looked at.
void tst_Autostart::disabledEntriesReadAsOff()
{
    QFETCH(QByteArray, text);
    QVERIFY(writeText(m_user, text));
    QVERIFY(!Autostart::isEnabled());
    Window w;
    QAction *a = w.startAtLogin();
    QVERIFY(!a->isChecked());
    a->trigger();
    QVERIFY(a->isChecked());
    QVERIFY(!keysOf(m_user).contains(QStringLiteral("Hidden")));
    QVERIFY(Autostart::isEnabled());
}

void tst_Autostart::tryExec_data()
{
    QTest::addColumn<QByteArray>("tryExec"); // @TMP@ is the test's folder
    QTest::addColumn<bool>("starts");
    QTest::newRow("a name on the PATH") << QByteArray("etherdisk") << true;
    QTest::newRow("an executable path, escaped space")
        << QByteArray("@TMP@/a\\sb/etherdisk") << true;
    QTest::newRow("an executable path, backslash") << QByteArray("@TMP@/c\\\\d/etherdisk") << true;
    QTest::newRow("empty (no TryExec)") << QByteArray("") << true;
    QTest::newRow("a name not on the PATH") << QByteArray("etherdisk-not-installed") << false;
    QTest::newRow("a missing path") << QByteArray("@TMP@/uninstalled/etherdisk") << false;
    QTest::newRow("a path that is not executable") << QByteArray("@TMP@/plain/etherdisk") << false;
    QTest::newRow("a folder") << QByteArray("@TMP@/a b") << false;
}

// TryExec (desktop entry spec): where its program is not installed the
// session skips the entry, so it reads as off; turning it on then writes
// our entry, whose TryExec names this program, and reads as on. Fails if
// TryExec is ignored (every row reads as on) or read without unescaping
// (the escaped rows read as off).
void tst_Autostart::tryExec()
{
    QFETCH(QByteArray, tryExec);
    QFETCH(bool, starts);
    const QString tmp = m_tmp.path();
    for (const QString &program :
         { QStringLiteral("/a b/etherdisk"), QStringLiteral("/c\\d/etherdisk") }) {
        QVERIFY(writeText(tmp + program, "#!/bin/sh\n"));
        QVERIFY(QFile::setPermissions(tmp + program,
                                      QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner));
    }
    QVERIFY(writeText(tmp + QStringLiteral("/plain/etherdisk"), "#!/bin/sh\n"));
    QVERIFY(QFile::setPermissions(tmp + QStringLiteral("/plain/etherdisk"),
                                  QFile::ReadOwner | QFile::WriteOwner));
    tryExec.replace("@TMP@", tmp.toUtf8());
    QVERIFY(writeText(m_user,
                      "[Desktop Entry]\nType=Application\nName=Etherdisk\n"
                      "Exec=etherdisk --minimized\nTryExec="
                          + tryExec + "\n"));
    QCOMPARE(Autostart::entryStarts(m_user), starts);
    QCOMPARE(Autostart::isEnabled(), starts);
    Window w;
    QAction *a = w.startAtLogin();
    QCOMPARE(a->isChecked(), starts);
    if (starts)
        return;
    a->trigger();
    QVERIFY(a->isChecked());
    QVERIFY(Autostart::isEnabled());
    QCOMPARE(keysOf(m_user).value(QStringLiteral("TryExec")), Autostart::currentProgram());

    // A system-wide entry whose program is gone starts nothing either: off
    // removes the user's entry, no Hidden=true entry is needed over it.
    const QString system = m_system + QStringLiteral("/autostart/org.etherdisk.Etherdisk.desktop");
    QVERIFY(writeText(system,
                      "[Desktop Entry]\nType=Application\nName=Etherdisk\n"
                      "Exec=etherdisk\nTryExec="
                          + tryExec + "\n"));
    a->trigger();
    QVERIFY(!a->isChecked());
    QVERIFY(!QFileInfo::exists(m_user));
    QVERIFY(!Autostart::isEnabled());
}

// What "on" writes reads back as on for a program whose path needs
// escaping in TryExec (a space, a backslash, a %), and as off once that
// program is gone. Fails if TryExec is written and read with different
// escaping.
void tst_Autostart::writtenTryExecReadsBack()
{
    const QString tmp = m_tmp.path();
    for (const QString &name :
         { QStringLiteral("/w x/etherdisk"), QStringLiteral("/y\\z/etherdisk"),
           QStringLiteral("/100%/etherdisk") }) {
        const QString program = tmp + name;
        QVERIFY(writeText(program, "#!/bin/sh\n"));
        QVERIFY(
            QFile::setPermissions(program, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner));
        QVERIFY(Autostart::setEnabled(true, nullptr, program));
        QVERIFY2(Autostart::isEnabled(), qPrintable(QString::fromUtf8(readAll(m_user))));
        QVERIFY(QFile::remove(program));
        QVERIFY2(!Autostart::isEnabled(), qPrintable(QString::fromUtf8(readAll(m_user))));
    }
}

// An entry written by another version (another Exec, keys we do not
// write) reads as on, is not rewritten by reading it, and a change made
// while the app runs shows when the menu opens. Fails if the state is
// compared with our own Exec.
void tst_Autostart::otherVersionsEntryReadsAsOn()
{
    const QByteArray other = "[Desktop Entry]\nType=Application\nName=Etherdisk (old)\n"
                             "Exec=/opt/etherdisk-0.0.9/bin/etherdisk --tray\n"
                             "X-KDE-autostart-after=panel\nHidden=false\n";
    QVERIFY(writeText(m_user, other));
    QVERIFY(Autostart::isEnabled());
    Window w;
    QVERIFY(w.startAtLogin()->isChecked());
    QCOMPARE(readAll(m_user), other);

    // The desktop's panel disables it while the app runs.
    QVERIFY(writeText(m_user, other + "X-GNOME-Autostart-enabled=false\n"));
    QMenu *settings = w.window.menuBar()->actions().constFirst()->menu();
    QMetaObject::invokeMethod(settings, "aboutToShow");
    QVERIFY(!w.startAtLogin()->isChecked());
}

// A system-wide entry ($XDG_CONFIG_DIRS/autostart) starts the app too;
// turning it off writes a user entry with Hidden=true over it (the spec's
// way: removing nothing would leave it on), and on again writes ours.
// Fails if off only removes the user's file.
void tst_Autostart::systemWideEntryIsHiddenNotRemoved()
{
    const QString system = m_system + QStringLiteral("/autostart/org.etherdisk.Etherdisk.desktop");
    QVERIFY(
        writeText(system, "[Desktop Entry]\nType=Application\nName=Etherdisk\nExec=etherdisk\n"));
    QVERIFY(Autostart::isEnabled());
    QCOMPARE(Autostart::effectiveFile(), system);
    Window w;
    QAction *a = w.startAtLogin();
    QVERIFY(a->isChecked());
    a->trigger();
    QVERIFY(!a->isChecked());
    QCOMPARE(keysOf(m_user).value(QStringLiteral("Hidden")), QStringLiteral("true"));
    QVERIFY(QFileInfo::exists(system));
    QVERIFY(!Autostart::isEnabled());
    a->trigger();
    QVERIFY(a->isChecked());
    QVERIFY(!keysOf(m_user).contains(QStringLiteral("Hidden")));
}

// The autostart folder cannot be made (a file has its name; for a user
// that is not root also a folder without write permission): the user is
// told what and where in a message box, the check stays off, nothing is
// left behind. Fails if the check shows on, the error is silent or vague,
// or a partial file remains.
void tst_Autostart::unwritableFolderIsAnErrorAndStaysOff()
{
    const QString dir = m_home + QStringLiteral("/autostart");
    QVERIFY(writeText(dir, "not a folder\n"));
    Window w;
    w.window.show();
    QAction *a = w.startAtLogin();
    QVERIFY(!a->isChecked());
    a->trigger();
    QVERIFY(!a->isChecked());
    QVERIFY(!Autostart::isEnabled());
    QMessageBox *box = nullptr;
    QTRY_VERIFY((box = settingError()));
    QCOMPARE(box->parentWidget(), &w.window);
    QVERIFY2(box->text().contains(dir) && box->text().contains(QStringLiteral("not a folder")),
             qPrintable(box->text()));
    QVERIFY2(box->text().contains(QStringLiteral("cannot start when you log in")),
             qPrintable(box->text()));
    QCOMPARE(readAll(dir), QByteArray("not a folder\n"));
    box->close();
    QVERIFY(QFile::remove(dir));

    if (isRoot()) {
        qInfo("running as root: a folder without write permission does not stop root, "
              "only the file in the folder's place was tried");
        return;
    }
    QVERIFY(QDir().mkpath(dir));
    QVERIFY(QFile::setPermissions(dir, QFile::ReadOwner | QFile::ExeOwner));
    QString error;
    QVERIFY(!Autostart::setEnabled(true, &error, QStringLiteral("etherdisk")));
    QVERIFY2(error.contains(m_user), qPrintable(error));
    a->trigger();
    QVERIFY(!a->isChecked());
    QTRY_VERIFY((box = settingError()));
    QVERIFY2(box->text().contains(m_user), qPrintable(box->text()));
    box->close();
    QVERIFY(QDir(dir).entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot).isEmpty());
}

// Off fails when the entry cannot be removed: the check stays on and the
// user is told. Needs a user that is not root (root removes anyway).
// Fails if the check goes off while the file stays.
void tst_Autostart::unremovableEntryStaysOn()
{
    if (isRoot())
        QSKIP("running as root: a folder without write permission does not stop root");
    QVERIFY(Autostart::setEnabled(true, nullptr, QStringLiteral("etherdisk")));
    const QString dir = m_home + QStringLiteral("/autostart");
    QVERIFY(QFile::setPermissions(dir, QFile::ReadOwner | QFile::ExeOwner));
    Window w;
    QAction *a = w.startAtLogin();
    QVERIFY(a->isChecked());
    a->trigger();
    QVERIFY(a->isChecked());
    QVERIFY(Autostart::isEnabled());
    // From the tray's menu with the window hidden: a box of its own.
    QMessageBox *box = nullptr;
    QTRY_VERIFY((box = settingError()));
    QCOMPARE(box->parentWidget(), nullptr);
    QVERIFY2(box->text().contains(m_user) && box->text().contains(QStringLiteral("still start")),
             qPrintable(box->text()));
    box->close();
}

// desktop-file-validate accepts what we write, for the installed name
// and for a build tree's path that needs quoting. Fails on any complaint.
void tst_Autostart::desktopFileValidate()
{
    ETHERDISK_REQUIRE(haveProgram(QStringLiteral("desktop-file-validate")),
                      QStringLiteral("desktop-file-validate is not installed (Debian package "
                                     "desktop-file-utils)"));
    for (const QString &program :
         { QStringLiteral("etherdisk"), QStringLiteral("/home/a user/build 100%/etherdisk") }) {
        QVERIFY(Autostart::setEnabled(true, nullptr, program));
        QProcess v;
        v.setProcessChannelMode(QProcess::MergedChannels);
        v.start(QStringLiteral("desktop-file-validate"), { m_user });
        QVERIFY(v.waitForFinished(10000));
        const QByteArray out = v.readAll();
        QVERIFY2(v.exitCode() == 0 && out.trimmed().isEmpty(),
                 qPrintable(program + QStringLiteral(": ") + QString::fromUtf8(out)));
    }
}

// Exec names "etherdisk" only when the running program is the one the
// PATH finds (also through a symbolic link); otherwise its own absolute
// path. Fails if a build tree's binary writes the bare name, or the
// installed one writes a path.
void tst_Autostart::programName()
{
    const QString app = QStringLiteral(ETHERDISK_BINARY_DIR "/app/etherdisk/etherdisk");
    QVERIFY2(QFileInfo::exists(app), qPrintable(app));
    const QString canonical = QFileInfo(app).canonicalFilePath();
    QCOMPARE(Autostart::programFor(app, app), QStringLiteral("etherdisk"));
    const QString link = m_tmp.filePath(QStringLiteral("bin/etherdisk"));
    QVERIFY(QDir().mkpath(m_tmp.filePath(QStringLiteral("bin"))));
    QFile::remove(link);
    QVERIFY(QFile::link(app, link));
    QCOMPARE(Autostart::programFor(app, link), QStringLiteral("etherdisk"));
    QCOMPARE(Autostart::programFor(link, app), QStringLiteral("etherdisk"));
    QCOMPARE(Autostart::programFor(app, QString()), canonical);
    QCOMPARE(Autostart::programFor(app, QStringLiteral("/usr/bin/true")), canonical);
    QCOMPARE(Autostart::programFor(QString(), QString()), QStringLiteral("etherdisk"));
    // This test is not the installed etherdisk: its own path.
    QCOMPARE(Autostart::currentProgram(),
             QFileInfo(QCoreApplication::applicationFilePath()).canonicalFilePath());
}

// Exec quoting (desktop entry spec, "The Exec key"). Fails if a path with
// a space splits into two arguments or a % is taken as a field code.
void tst_Autostart::execQuoting()
{
    QCOMPARE(Autostart::execArgument(QStringLiteral("etherdisk")), QStringLiteral("etherdisk"));
    QCOMPARE(Autostart::execArgument(QStringLiteral("/usr/local/bin/etherdisk")),
             QStringLiteral("/usr/local/bin/etherdisk"));
    QCOMPARE(Autostart::execArgument(QStringLiteral("/a b/etherdisk")),
             QStringLiteral("\"/a b/etherdisk\""));
    QCOMPARE(Autostart::execArgument(QStringLiteral("/x/100%/etherdisk")),
             QStringLiteral("/x/100%%/etherdisk"));
    // Inside quotes \" \$ \` \\, then each backslash escaped again as a string.
    QCOMPARE(Autostart::execArgument(QStringLiteral("/a\"b$c\\d")),
             QStringLiteral("\"/a\\\\\"b\\\\$c\\\\\\\\d\""));
}

void tst_Autostart::minimizedDecision_data()
{
    QTest::addColumn<bool>("minimized");
    QTest::addColumn<bool>("tray");
    QTest::addColumn<bool>("window");
    QTest::addColumn<bool>("notice");
    QTest::newRow("plain, tray") << false << true << true << false;
    QTest::newRow("plain, no tray") << false << false << true << false;
    QTest::newRow("--minimized, tray") << true << true << false << false;
    QTest::newRow("--minimized, no tray") << true << false << true << true;
}

// --minimized hides the window only where the tray can bring it back;
// without a tray it shows it and says why. Fails if the window is hidden
// without a tray, or shown with one.
void tst_Autostart::minimizedDecision()
{
    QFETCH(bool, minimized);
    QFETCH(bool, tray);
    QFETCH(bool, window);
    QFETCH(bool, notice);
    QString text = QStringLiteral("stale");
    QCOMPARE(Autostart::showWindowAtStart(minimized, tray, &text), window);
    QCOMPARE(!text.isEmpty(), notice);
    if (notice)
        QVERIFY2(text.contains(QStringLiteral("no system tray")), qPrintable(text));
}

QString tst_Autostart::runApp(const QStringList &args, const QProcessEnvironment &env,
                              const QString &until, const std::function<bool()> &also,
                              const std::function<void()> &then)
{
    QProcess app;
    app.setProcessEnvironment(env);
    app.start(QStringLiteral(ETHERDISK_BINARY_DIR "/app/etherdisk/etherdisk"), args);
    if (!app.waitForStarted(5000))
        return QStringLiteral("did not start: ") + app.errorString();
    QString err;
    QElapsedTimer t;
    t.start();
    bool thenDone = false;
    // The event loop runs meanwhile (FakeWatcher answers from this process).
    while (!(err.contains(until) && also()) && t.elapsed() < 30000
           && app.state() == QProcess::Running) {
        QTest::qWait(50);
        err += QString::fromLocal8Bit(app.readAllStandardError());
        if (!thenDone && err.contains(until)) {
            thenDone = true;
            then();
        }
    }
    if (app.state() == QProcess::Running) {
        app.terminate();
        if (!app.waitForFinished(5000)) {
            app.kill();
            app.waitForFinished(5000);
        }
    }
    err += QString::fromLocal8Bit(app.readAllStandardError());
    return err;
}

// The app itself, offscreen (no tray on that platform), with no helper
// and no session bus: --minimized shows the window and prints the notice;
// without --minimized the window shows with no notice. Fails if the window
// stays hidden (the app would be unreachable) or the notice is missing.
void tst_Autostart::minimizedWithoutTrayShowsTheWindow()
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    const QString nobus = QStringLiteral("unix:path=") + m_tmp.filePath(QStringLiteral("nobus"));
    env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    env.insert(QStringLiteral("DBUS_SYSTEM_BUS_ADDRESS"), nobus);
    env.insert(QStringLiteral("DBUS_SESSION_BUS_ADDRESS"), nobus);
    env.insert(QStringLiteral("QT_LOGGING_RULES"), QStringLiteral("etherdisk.start.info=true"));
    const QString started = QStringLiteral("etherdisk.start: window ");
    QString err = runApp({ QStringLiteral("--minimized") }, env, started);
    QVERIFY2(err.contains(QStringLiteral("etherdisk.start: window shown, tray icon unavailable")),
             qPrintable(err));
    QVERIFY2(err.contains(QStringLiteral("etherdisk: no system tray is available, so --minimized "
                                         "shows the window anyway")),
             qPrintable(err));
    err = runApp({}, env, started);
    QVERIFY2(err.contains(QStringLiteral("etherdisk.start: window shown")), qPrintable(err));
    QVERIFY2(!err.contains(QStringLiteral("no system tray")), qPrintable(err));
}

// The app under Xvfb with a tray (a StatusNotifierWatcher of this test on
// a private session bus): --minimized leaves the window hidden, shows the
// tray icon (it registers with the watcher), prints no notice. Fails if
// the window shows anyway or the notice is printed with a tray.
void tst_Autostart::startXSession(XSession &session)
{
    QString display;
    for (int n = 250; n < 350 && display.isEmpty(); ++n)
        if (!QFile::exists(QStringLiteral("/tmp/.X%1-lock").arg(n))
            && !QFile::exists(QStringLiteral("/tmp/.X11-unix/X%1").arg(n)))
            display = QStringLiteral(":%1").arg(n);
    QVERIFY2(!display.isEmpty(), "no free X display number");
    session.xvfb.start(QStringLiteral("Xvfb"),
                       { display, QStringLiteral("-screen"), QStringLiteral("0"),
                         QStringLiteral("1024x768x24"), QStringLiteral("-nolisten"),
                         QStringLiteral("tcp") });
    QVERIFY(session.xvfb.waitForStarted(5000));
    session.bus.start(QStringLiteral("dbus-daemon"),
                      { QStringLiteral("--session"), QStringLiteral("--nofork"),
                        QStringLiteral("--print-address=1") });
    QVERIFY(session.bus.waitForStarted(5000));
    QTRY_VERIFY_WITH_TIMEOUT(session.bus.canReadLine(), 5000);
    session.address = QString::fromLocal8Bit(session.bus.readLine()).trimmed();
    QTRY_VERIFY_WITH_TIMEOUT(
        QFile::exists(QStringLiteral("/tmp/.X11-unix/X%1").arg(display.mid(1))), 10000);

    session.display = display;
    QProcessEnvironment &env = session.env;
    env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("xcb"));
    env.insert(QStringLiteral("DISPLAY"), display);
    env.remove(QStringLiteral("WAYLAND_DISPLAY"));
    env.insert(QStringLiteral("DBUS_SYSTEM_BUS_ADDRESS"),
               QStringLiteral("unix:path=") + m_tmp.filePath(QStringLiteral("nobus")));
    env.insert(QStringLiteral("DBUS_SESSION_BUS_ADDRESS"), session.address);
    env.insert(QStringLiteral("QT_LOGGING_RULES"), QStringLiteral("etherdisk.start.info=true"));
}

// The app under Xvfb with a tray (a StatusNotifierWatcher of this test on
// a private session bus): --minimized leaves the window hidden, shows the
// tray icon (it registers with the watcher), prints no notice. Fails if
// the window shows anyway or the notice is printed with a tray.
void tst_Autostart::minimizedWithTrayStaysInTheTray()
{
    for (const QString &p : { QStringLiteral("dbus-daemon"), QStringLiteral("Xvfb") })
        ETHERDISK_REQUIRE(haveProgram(p), QStringLiteral("%1 is not installed").arg(p));
    XSession x;
    startXSession(x);
    if (QTest::currentTestFailed())
        return;
    const QProcessEnvironment &env = x.env;
    const QString &address = x.address;
    const QString started = QStringLiteral("etherdisk.start: window ");

    {
        QDBusConnection session =
            QDBusConnection::connectToBus(address, QStringLiteral("tst_autostart_session"));
        QVERIFY2(session.isConnected(), qPrintable(session.lastError().message()));
        FakeWatcher watcher;
        QVERIFY(session.registerObject(QStringLiteral("/StatusNotifierWatcher"), &watcher,
                                       QDBusConnection::ExportAllSlots
                                           | QDBusConnection::ExportAllProperties));
        QVERIFY(session.registerService(QStringLiteral("org.kde.StatusNotifierWatcher")));
        const QString err = runApp({ QStringLiteral("--minimized") }, env, started,
                                   [&watcher] { return !watcher.m_items.isEmpty(); });
        QVERIFY2(err.contains(QStringLiteral("etherdisk.start: window hidden, tray icon shown")),
                 qPrintable(err));
        QVERIFY2(!err.contains(QStringLiteral("no system tray")), qPrintable(err));
        QVERIFY2(!watcher.m_items.isEmpty(), "the tray icon did not register");
        session.unregisterService(QStringLiteral("org.kde.StatusNotifierWatcher"));
        session.unregisterObject(QStringLiteral("/StatusNotifierWatcher"));
    }
    QDBusConnection::disconnectFromBus(QStringLiteral("tst_autostart_session"));

    // The same bus and display without the watcher: no tray, the window.
    const QString err = runApp({ QStringLiteral("--minimized") }, env, started);
    QVERIFY2(err.contains(QStringLiteral("etherdisk.start: window shown, tray icon unavailable")),
             qPrintable(err));
    QVERIFY2(err.contains(QStringLiteral("no system tray")), qPrintable(err));
}

// At login the panel often starts after the apps of the autostart folder:
// the app starts --minimized with no tray (the window shows, the notice is
// printed), then a StatusNotifierWatcher with a host appears on the
// session bus, and the app's tray icon registers with it; the window,
// already shown, stays shown. Fails if the app never looks again (its
// icon never registers within 30 s) or hides the window when the tray
// comes.
void tst_Autostart::trayAppearingLaterGetsTheIcon()
{
    for (const QString &p : { QStringLiteral("dbus-daemon"), QStringLiteral("Xvfb") })
        ETHERDISK_REQUIRE(haveProgram(p), QStringLiteral("%1 is not installed").arg(p));
    XSession x;
    startXSession(x);
    if (QTest::currentTestFailed())
        return;
    QDBusConnection session =
        QDBusConnection::connectToBus(x.address, QStringLiteral("tst_autostart_later"));
    auto disconnect = qScopeGuard(
        [] { QDBusConnection::disconnectFromBus(QStringLiteral("tst_autostart_later")); });
    QVERIFY2(session.isConnected(), qPrintable(session.lastError().message()));
    FakeWatcher watcher;
    bool registered = false;
    QElapsedTimer sinceTray;
    const QString err = runApp(
        { QStringLiteral("--minimized") }, x.env,
        QStringLiteral("etherdisk.start: window shown, tray icon unavailable"),
        [&watcher] { return !watcher.m_items.isEmpty(); },
        [&] {
            // The panel comes up a moment after the app.
            QTest::qWait(500);
            registered = session.registerObject(QStringLiteral("/StatusNotifierWatcher"), &watcher,
                                                QDBusConnection::ExportAllSlots
                                                    | QDBusConnection::ExportAllProperties)
                && session.registerService(QStringLiteral("org.kde.StatusNotifierWatcher"));
            sinceTray.start();
        });
    QVERIFY(registered);
    QVERIFY2(err.contains(QStringLiteral("no system tray")), qPrintable(err));
    QVERIFY2(!watcher.m_items.isEmpty(),
             qPrintable(QStringLiteral("the tray icon did not register "
                                       "after the tray appeared: ")
                        + err));
    qInfo("the icon registered %lld ms after the tray appeared", qint64(sinceTray.elapsed()));
    QVERIFY2(err.contains(QStringLiteral("etherdisk.start: a tray appeared: tray icon shown, "
                                         "window shown")),
             qPrintable(err));
    session.unregisterService(QStringLiteral("org.kde.StatusNotifierWatcher"));
    session.unregisterObject(QStringLiteral("/StatusNotifierWatcher"));
}

// The same with an XEmbed tray (an X11 panel without StatusNotifierItem):
// the app, started --minimized with no tray, sees the new owner of
// _NET_SYSTEM_TRAY_S0 at its next look (every 5 s) and its icon asks the
// tray to dock it; the window stays shown. Fails if the app never looks
// again, or only at the D-Bus tray (no dock request within 30 s).
void tst_Autostart::xembedTrayAppearingLaterGetsTheIcon()
{
    for (const QString &p : { QStringLiteral("dbus-daemon"), QStringLiteral("Xvfb") })
        ETHERDISK_REQUIRE(haveProgram(p), QStringLiteral("%1 is not installed").arg(p));
    XSession x;
    startXSession(x);
    if (QTest::currentTestFailed())
        return;
    FakeXembedTray tray;
    QString error = QStringLiteral("not started");
    QElapsedTimer sinceTray;
    const QString err = runApp(
        { QStringLiteral("--minimized") }, x.env,
        QStringLiteral("etherdisk.start: window shown, tray icon unavailable"),
        [&tray, &error] { return error.isEmpty() && tray.dockRequests() > 0; },
        [&] {
            QTest::qWait(500);
            error = tray.start(x.display);
            sinceTray.start();
        });
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QVERIFY2(tray.dockRequests() > 0,
             qPrintable(QStringLiteral("no dock request after the tray appeared: ") + err));
    const qint64 ms = sinceTray.elapsed();
    qInfo("the icon asked to dock %lld ms after the tray appeared", ms);
    QVERIFY2(ms < 10000, qPrintable(QString::number(ms)));
    QVERIFY2(err.contains(QStringLiteral("etherdisk.start: a tray appeared: tray icon shown, "
                                         "window shown")),
             qPrintable(err));
}

QTEST_MAIN(tst_Autostart)
#include "tst_autostart.moc"
