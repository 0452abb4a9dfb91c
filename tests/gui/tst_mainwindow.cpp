// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
//
// The main window and the export dialog against the real etherdisk-helper
// on a private system bus (tests/gui/guitestbus.h), offscreen. The test
// thread lives in namespace A (the helper's) while the window and the
// dialog run, as the app would on the helper's machine, and enters B to
// read exports over the wire. What would make each test fail is said at
// the test.
#include "guitestbus.h"
#include "images.h"
#include "testutil.h"

#include "etherdisk/initiator.h"
#include "etherdiskclient/actions.h"
#include "etherdiskclient/model.h"
#include "models/exportsmodel.h"
#include "models/targetsmodel.h"
#include "widgets/exportdialog.h"
#include "widgets/localsources.h"
#include "widgets/mainwindow.h"
#include "widgets/settingsdialog.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QCheckBox>
#include <QDialogButtonBox>
#include <QFile>
#include <QFrame>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QRadioButton>
#include <QSpinBox>
#include <QTableView>
#include <QHeaderView>
#include <QTest>

#include <signal.h>

using namespace EtherdiskTest;
using Etherdisk::Client::Model;
using Etherdisk::Ui::ExportDialog;
using Etherdisk::Ui::MainWindow;

class tst_MainWindow final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void cleanup();

    void disksAppearAndFilter();
    void exportFromDialogReachesWire();
    void dialogShowsHelperError();
    void helperRestartRecovered();
    void lsblkReasons();
    void settingsAndStop();

private:
    // Only A's veth end checked in the dialog's interface list.
    void chooseInterfaceA(ExportDialog &dialog);

    GuiTestBus m_lan;
    bool m_up = false;
};

void tst_MainWindow::initTestCase()
{
    ETHERDISK_REQUIRE(isRoot(), QStringLiteral("needs root (a system bus, polkitd, namespaces)"));
    QString why;
    ETHERDISK_REQUIRE(canCreateNetns(&why), why);
    for (const QString &p : { QStringLiteral("dbus-daemon"), QStringLiteral("vblade") })
        ETHERDISK_REQUIRE(haveProgram(p), QStringLiteral("%1 is not installed").arg(p));
    ETHERDISK_REQUIRE(QFile::exists(QStringLiteral("/usr/lib/polkit-1/polkitd")),
                      QStringLiteral("polkitd is not installed (Debian package polkitd)"));
    why = m_lan.start(QStringLiteral("guiwin"));
    QVERIFY2(why.isEmpty(), qPrintable(why));
    m_up = true;
    QVERIFY2(m_lan.net()->enter(m_lan.net()->nsA()), qPrintable(m_lan.net()->error()));
}

void tst_MainWindow::cleanupTestCase()
{
    if (m_lan.net())
        m_lan.net()->enterOriginal();
    m_lan.stop();
}

void tst_MainWindow::cleanup()
{
    if (m_up) {
        m_lan.net()->enter(m_lan.net()->nsA());
        m_lan.reset();
    }
}

void tst_MainWindow::chooseInterfaceA(ExportDialog &dialog)
{
    bool found = false;
    for (int i = 0; i < dialog.interfaces()->count(); ++i) {
        QListWidgetItem *item = dialog.interfaces()->item(i);
        const bool isA = item->data(Qt::UserRole).toString() == m_lan.net()->ifA();
        found = found || isA;
        item->setCheckState(isA ? Qt::Checked : Qt::Unchecked);
    }
    QVERIFY2(found, "A's interface is not in the dialog's list");
}

// Targets served from B appear in "Network disks" by themselves (the
// window asks for discovery), the filter box narrows the table, the
// status line counts them, and selecting one enables Attach and Copy
// details but not Detach. Fails if the window does not start discovery,
// the filter does nothing, or the actions ignore the selection.
void tst_MainWindow::disksAppearAndFilter()
{
    QVERIFY(m_lan.startPeer(QStringLiteral("vblade"), 11, 1, 2048));
    QVERIFY(m_lan.startPeer(QStringLiteral("etherdisk"), 11, 2, 2048));
    const QDBusConnection bus = m_lan.newConnection();
    Model model(bus);
    Etherdisk::Client::Actions actions(bus);
    MainWindow window(&model, &actions, bus);
    window.show();
    model.start();
    QTRY_COMPARE_WITH_TIMEOUT(window.disksView()->model()->rowCount(), 2, 15000);
    QVERIFY(window.banner()->isHidden());
    // Both tables size their columns from the rows on screen, not from all
    // of them after every change (1000 targets lost at once blocked the
    // window for 0.86 s: tests/bench/gui-bench.py, BENCHMARKS.md).
    for (QTableView *view : { window.disksView(), window.exportsView() })
        QCOMPARE(view->horizontalHeader()->resizeContentsPrecision(), 0);
    QVERIFY(!window.action(QStringLiteral("attach"))->isEnabled());
    QTest::keyClicks(window.disksFilter(), QStringLiteral("e11.2"));
    QCOMPARE(window.disksView()->model()->rowCount(), 1);
    QCOMPARE(window.disksView()->model()->index(0, 0).data().toString(), QStringLiteral("e11.2"));
    window.disksView()->selectRow(0);
    QVERIFY(window.action(QStringLiteral("attach"))->isEnabled());
    QVERIFY(window.action(QStringLiteral("copyDetails"))->isEnabled());
    QVERIFY(!window.action(QStringLiteral("detach"))->isEnabled());
    QVERIFY(!window.action(QStringLiteral("open"))->isEnabled());
    // Copy details puts the target's facts on the clipboard.
    window.action(QStringLiteral("copyDetails"))->trigger();
    const QString details = QApplication::clipboard()->text();
    QVERIFY2(details.contains(QStringLiteral("Address: e11.2\n"))
                 && details.contains(QStringLiteral("Capacity: 1.0 MiB (1048576 bytes)")),
             qPrintable(details));
    // Attach: whatever the helper answers is shown in place (this host's
    // helper cannot attach without the aoe driver and says why).
    window.action(QStringLiteral("attach"))->trigger();
    QTRY_VERIFY_WITH_TIMEOUT(
        window.disksMessage()->text().startsWith(QStringLiteral("Could not attach e11.2: "))
            || window.disksMessage()->text().startsWith(QStringLiteral("e11.2 is attached as")),
        10000);
    QVERIFY2(window.disksMessage()->text().size() > 25, qPrintable(window.disksMessage()->text()));
    window.disksFilter()->clear();
    QCOMPARE(window.disksView()->model()->rowCount(), 2);
    // The lock badges: as root everything is "yes".
    QTRY_VERIFY_WITH_TIMEOUT(!window.permission(QStringLiteral("export")).isEmpty(), 5000);
    QCOMPARE(window.permission(QStringLiteral("export")), QStringLiteral("yes"));
}

// The dialog pre-fills an address that neither a target on the LAN (e1.1
// from B) nor an export (e1.2) uses, creates a sparse image of the chosen
// size, and exports it; the export's row appears in "My exports" and B
// reads the image's size and zeros from it over the wire. Fails if the
// pre-filled address collides, the image is not created or not passed, or
// the export does not serve.
void tst_MainWindow::exportFromDialogReachesWire()
{
    QVERIFY(m_lan.startPeer(QStringLiteral("etherdisk"), 1, 1, 2048));
    QString error;
    QVERIFY2(!m_lan.exportImage(1, 2, 2048, {}, &error).isEmpty(), qPrintable(error));
    const QDBusConnection bus = m_lan.newConnection();
    Model model(bus);
    Etherdisk::Client::Actions actions(bus);
    MainWindow window(&model, &actions, bus);
    window.show();
    model.start();
    QTRY_VERIFY_WITH_TIMEOUT(model.findTarget(1, 1) != nullptr, 15000);
    QTRY_VERIFY_WITH_TIMEOUT(model.findExport(1, 2) != nullptr, 5000);

    ExportDialog dialog(&model, &actions, &window);
    QCOMPARE(dialog.shelf()->value(), 1);
    QCOMPARE(dialog.slot()->value(), 3);
    chooseInterfaceA(dialog);
    const QString image = m_lan.tmpPath(QStringLiteral("dialog.img"));
    dialog.imagePath()->setText(image);
    dialog.createImage()->setChecked(true);
    dialog.imageSizeMiB()->setValue(2);
    dialog.setWriteMode(QStringLiteral("sync"));
    dialog.show();
    dialog.buttons()->button(QDialogButtonBox::Ok)->click();
    QTRY_COMPARE_WITH_TIMEOUT(dialog.result(), int(QDialog::Accepted), 10000);
    QCOMPARE(dialog.createdName(), QStringLiteral("e1.3"));
    QCOMPARE(QFileInfo(image).size(), qint64(2) * 1024 * 1024);
    QTRY_COMPARE_WITH_TIMEOUT(window.exportsView()->model()->rowCount(), 2, 5000);
    QCOMPARE(model.findExport(1, 3)->writeMode, QStringLiteral("sync"));

    QVERIFY(m_lan.net()->enter(m_lan.net()->nsB()));
    std::string err;
    Etherdisk::Initiator::Options o;
    o.interface = m_lan.net()->ifB().toStdString();
    o.shelf = 1;
    o.slot = 3;
    auto initiator = Etherdisk::Initiator::open(o, &err);
    QVERIFY(m_lan.net()->enter(m_lan.net()->nsA()));
    QVERIFY2(initiator, err.c_str());
    QCOMPARE(initiator->target().sectors, std::uint64_t(4096));
    std::vector<std::uint8_t> buf(64 * 1024, 0xff);
    QVERIFY2(initiator->read(0, buf, &err), err.c_str());
    QVERIFY(std::all_of(buf.begin(), buf.end(), [](std::uint8_t b) { return b == 0; }));
}

// An address an export already uses: the helper refuses (AddressInUse),
// the dialog stays open with the helper's message in place, and the image
// file the dialog created for it is gone again; nothing is exported. Bad
// input caught before the call (a wrong MAC) is shown the same way. Fails
// if the error is swallowed, the dialog closes, or the file is left.
void tst_MainWindow::dialogShowsHelperError()
{
    QString error;
    QVERIFY2(!m_lan.exportImage(1, 2, 2048, {}, &error).isEmpty(), qPrintable(error));
    const QDBusConnection bus = m_lan.newConnection();
    Model model(bus);
    Etherdisk::Client::Actions actions(bus);
    model.start();
    QTRY_VERIFY_WITH_TIMEOUT(model.findExport(1, 2) != nullptr, 10000);

    ExportDialog dialog(&model, &actions);
    chooseInterfaceA(dialog);
    const QString image = m_lan.tmpPath(QStringLiteral("refused.img"));
    dialog.imagePath()->setText(image);
    dialog.createImage()->setChecked(true);
    dialog.imageSizeMiB()->setValue(1);
    dialog.shelf()->setValue(1);
    dialog.slot()->setValue(2);
    dialog.accessList()->setText(QStringLiteral("02:ae:00:00:00:zz"));
    dialog.show();
    dialog.buttons()->button(QDialogButtonBox::Ok)->click();
    QVERIFY(dialog.errorLine()->isVisible());
    QVERIFY2(dialog.errorLine()->text().contains(QStringLiteral("02:ae:00:00:00:zz")),
             qPrintable(dialog.errorLine()->text()));
    QVERIFY(!QFile::exists(image));

    dialog.accessList()->clear();
    dialog.buttons()->button(QDialogButtonBox::Ok)->click();
    QTRY_VERIFY_WITH_TIMEOUT(dialog.buttons()->isEnabled(), 10000);
    QVERIFY(dialog.isVisible());
    QCOMPARE(dialog.result(), 0);
    const QString shown = dialog.errorLine()->text();
    QVERIFY2(dialog.errorLine()->isVisible() && shown.contains(QStringLiteral("e1.2")),
             qPrintable(shown));
    QVERIFY2(!QFile::exists(image), "the refused export's image was left behind");
    QCOMPARE(model.exportPaths().size(), 1);
}

// kill -9 of the helper: the banner appears and the tables empty; when the
// helper is back (activated by another client) the banner goes away and
// the persistent export and the target return without any action in the
// window. Fails if the window stays stale, keeps the banner, or needs
// Retry.
void tst_MainWindow::helperRestartRecovered()
{
    QVERIFY(m_lan.startPeer(QStringLiteral("etherdisk"), 12, 1, 2048));
    QString error;
    QVERIFY2(!m_lan.exportImage(12, 2, 2048, { { QStringLiteral("persistent"), true } }, &error)
                  .isEmpty(),
             qPrintable(error));
    const QDBusConnection bus = m_lan.newConnection();
    Model model(bus);
    Etherdisk::Client::Actions actions(bus);
    MainWindow window(&model, &actions, bus);
    window.show();
    model.start();
    QTRY_COMPARE_WITH_TIMEOUT(window.exportsView()->model()->rowCount(), 1, 10000);
    // Earlier tests' peers may still be listed (lost): wait for this one.
    QTRY_VERIFY_WITH_TIMEOUT(model.findTarget(12, 1) != nullptr, 15000);

    const qint64 pid = m_lan.helperPid();
    QVERIFY(pid > 0);
    QCOMPARE(::kill(pid_t(pid), SIGKILL), 0);
    QTRY_VERIFY_WITH_TIMEOUT(window.banner()->isVisible(), 5000);
    QVERIFY2(
        window.bannerText()->text().contains(QStringLiteral("etherdisk-helper is not running")),
        qPrintable(window.bannerText()->text()));
    QCOMPARE(window.exportsView()->model()->rowCount(), 0);
    QCOMPARE(window.disksView()->model()->rowCount(), 0);

    // Another client starts the helper; the window follows by itself (its
    // own discovery request included: the target comes back too).
    QDBusMessage ping =
        m_lan.call(QStringLiteral("/org/etherdisk/Etherdisk1/Manager"),
                   QStringLiteral("org.freedesktop.DBus.Peer"), QStringLiteral("Ping"), {});
    QVERIFY2(ping.type() == QDBusMessage::ReplyMessage, qPrintable(ping.errorMessage()));
    QTRY_VERIFY_WITH_TIMEOUT(window.banner()->isHidden(), 10000);
    QTRY_COMPARE_WITH_TIMEOUT(window.exportsView()->model()->rowCount(), 1, 10000);
    // Only what answers the new helper's discovery: this test's peer.
    QTRY_COMPARE_WITH_TIMEOUT(window.disksView()->model()->rowCount(), 1, 15000);
    QCOMPARE(window.disksView()->model()->index(0, 0).data().toString(), QStringLiteral("e12.1"));
}

// lsblk's JSON: a disk holding / and its partitions, swap, a mounted
// partition and a free disk get the right reasons; only the free disk and
// its unmounted partition can be exported. Fails if a system, swap or
// mounted device is offered.
void tst_MainWindow::lsblkReasons()
{
    const QByteArray json = R"({"blockdevices":[
      {"path":"/dev/sda","type":"disk","size":500107862016,"model":"Samsung SSD 860","label":null,"fstype":null,"mountpoints":[null],
       "children":[{"path":"/dev/sda1","type":"part","size":536870912,"model":null,"label":null,"fstype":"vfat","mountpoints":["/boot/efi"]},
                   {"path":"/dev/sda2","type":"part","size":499570991104,"model":null,"label":"root","fstype":"ext4","mountpoints":["/"]}]},
      {"path":"/dev/sdb","type":"disk","size":"1000204886016","model":"WDC WD10","label":null,"fstype":null,"mountpoints":[null],
       "children":[{"path":"/dev/sdb1","type":"part","size":8589934592,"model":null,"label":null,"fstype":"swap","mountpoints":["[SWAP]"]},
                   {"path":"/dev/sdb2","type":"part","size":100000000,"model":null,"label":"data","fstype":"ext4","mountpoints":["/srv/data"]}]},
      {"path":"/dev/sdc","type":"disk","size":2000000000,"model":"USB stick","label":null,"fstype":null,"mountpoints":[null],
       "children":[{"path":"/dev/sdc1","type":"part","size":1999000000,"model":null,"label":"STICK","fstype":"vfat","mountpoints":[null]}]}
    ]})";
    QString error;
    const QList<Etherdisk::Ui::BlockDeviceEntry> e = Etherdisk::Ui::parseLsblk(json, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(e.size(), 8);
    QCOMPARE(e[0].path, QStringLiteral("/dev/sda"));
    QCOMPARE(e[0].unavailable, QStringLiteral("a partition: holds the system (/boot/efi)"));
    QCOMPARE(e[1].unavailable, QStringLiteral("holds the system (/boot/efi)"));
    QCOMPARE(e[2].unavailable, QStringLiteral("holds the system (/)"));
    QCOMPARE(e[2].label, QStringLiteral("root"));
    QCOMPARE(e[3].size, quint64(1000204886016));
    QCOMPARE(e[3].unavailable, QStringLiteral("a partition: swap"));
    QCOMPARE(e[4].unavailable, QStringLiteral("swap"));
    QCOMPARE(e[5].unavailable, QStringLiteral("mounted at /srv/data"));
    QCOMPARE(e[6].unavailable, QString());
    QCOMPARE(e[6].model, QStringLiteral("USB stick"));
    QCOMPARE(e[7].unavailable, QString());
    QCOMPARE(e[7].depth, 1);
}

// Edit settings: a bad MAC is refused in place before any call; a new
// write mode and access list reach the helper and the table's row. Stop
// from the window removes the row and says so. Fails if the settings are
// not sent, a bad list is sent, or Stop leaves the export.
void tst_MainWindow::settingsAndStop()
{
    QString error;
    const QString path = m_lan.exportImage(13, 1, 2048, {}, &error);
    QVERIFY2(!path.isEmpty(), qPrintable(error));
    const QDBusConnection bus = m_lan.newConnection();
    Model model(bus);
    Etherdisk::Client::Actions actions(bus);
    MainWindow window(&model, &actions, bus);
    window.show();
    model.start();
    QTRY_COMPARE_WITH_TIMEOUT(window.exportsView()->model()->rowCount(), 1, 10000);

    Etherdisk::Ui::SettingsDialog dialog(*model.exportInfo(path), &actions);
    dialog.show();
    auto *allow = dialog.findChild<QLineEdit *>();
    QVERIFY(allow);
    allow->setText(QStringLiteral("nonsense"));
    dialog.findChild<QRadioButton *>(QStringLiteral("direct"))->setChecked(true);
    dialog.findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok)->click();
    QVERIFY(dialog.errorLine()->isVisible());
    QVERIFY(dialog.errorLine()->text().contains(QStringLiteral("nonsense")));
    QCOMPARE(model.exportInfo(path)->writeMode, QStringLiteral("writeback"));
    allow->setText(QStringLiteral("02:AE:00:00:00:09"));
    dialog.findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok)->click();
    QTRY_COMPARE_WITH_TIMEOUT(dialog.result(), int(QDialog::Accepted), 10000);
    QTRY_COMPARE_WITH_TIMEOUT(model.exportInfo(path)->writeMode, QStringLiteral("direct"), 5000);
    QCOMPARE(model.exportInfo(path)->allowedMacs,
             QStringList{ QStringLiteral("02:ae:00:00:00:09") });
    const QModelIndex row = window.exportsView()->model()->index(0, 0);
    QCOMPARE(row.siblingAtColumn(Etherdisk::Ui::ExportsModel::WriteMode).data().toString(),
             QStringLiteral("Direct"));

    window.showPage(MainWindow::ExportsPage);
    window.exportsView()->selectRow(0);
    QVERIFY(window.action(QStringLiteral("stopExport"))->isEnabled());
    window.action(QStringLiteral("stopExport"))->trigger();
    QTRY_COMPARE_WITH_TIMEOUT(window.exportsView()->model()->rowCount(), 0, 10000);
    QTRY_COMPARE_WITH_TIMEOUT(window.exportsMessage()->text(),
                              QStringLiteral("e13.1 is no longer exported"), 5000);
    QVERIFY(model.exportInfo(path) == nullptr);
}

QTEST_MAIN(tst_MainWindow)
#include "tst_mainwindow.moc"
