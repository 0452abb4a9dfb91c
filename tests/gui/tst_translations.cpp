// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
//
// The desktop app in the system's language: this process runs under
// LANG=de_DE.UTF-8 (set before QApplication, as a German desktop would),
// installs the translators exactly as app/etherdisk's main() does
// (Client::installTranslations), and the real main window, settings and
// export dialogs and tray summary come out in German, Qt's own buttons too
// where Qt's translations are installed. French and Korean are loaded
// explicitly; English stays English. Accelerators are unique within each
// window and dialog, and within each menu of the menu bar and the tray
// icon's menu, in every language. No helper and no bus are needed:
// the window is built on a bus connection that is not connected.
#include "etherdiskclient/actions.h"
#include "etherdiskclient/model.h"
#include "etherdiskclient/translations.h"
#include "menucheck.h"
#include "models/format.h"
#include "models/targetsmodel.h"
#include "tray/trayicon.h"
#include "widgets/exportdialog.h"
#include "widgets/mainwindow.h"
#include "widgets/settingsdialog.h"

#include <QAbstractButton>
#include <QAction>
#include <QApplication>
#include <QDialogButtonBox>
#include <QFileInfo>
#include <QGroupBox>
#include <QLabel>
#include <QLibraryInfo>
#include <QLineEdit>
#include <QMenu>
#include <QMenuBar>
#include <QPushButton>
#include <QRadioButton>
#include <QTableView>
#include <QTabWidget>
#include <QTest>
#include <QTranslator>

using namespace Etherdisk;

namespace {

// Every translator installed so far removed, so another language can load.
void removeTranslations()
{
    for (QTranslator *t : qApp->findChildren<QTranslator *>(Qt::FindDirectChildrenOnly)) {
        QCoreApplication::removeTranslator(t);
        delete t;
    }
}

// Fails when two of `texts` share an accelerator.
bool uniqueAccelerators(const QStringList &texts, QString *clash)
{
    QHash<QChar, QString> seen;
    for (const QString &text : texts) {
        const QChar a = EtherdiskTest::mnemonicOf(text);
        if (a.isNull())
            continue;
        if (seen.contains(a)) {
            *clash = QStringLiteral("\"%1\" and \"%2\"").arg(seen.value(a), text);
            return false;
        }
        seen.insert(a, text);
    }
    return true;
}

QStringList acceleratedTexts(const QWidget *w)
{
    QStringList out;
    for (const QAbstractButton *b : w->findChildren<QAbstractButton *>())
        out << b->text();
    for (const QLabel *l : w->findChildren<QLabel *>())
        if (l->buddy())
            out << l->text();
    return out;
}

} // namespace

class TestTranslations : public QObject
{
    Q_OBJECT
public:
    TestTranslations() : m_bus(QStringLiteral("tst_translations: not connected")) { }

private Q_SLOTS:
    void initTestCase();
    void mainWindowInGerman();
    void dialogsInGerman();
    void qtOwnInGerman();
    void acceleratorsUnique_data();
    void acceleratorsUnique();
    void englishStaysEnglish();

private:
    QDBusConnection m_bus;
};

void TestTranslations::initTestCase()
{
    QCOMPARE(QLocale::system().language(), QLocale::German);
    QVERIFY2(!m_bus.isConnected(), "the window is to be built without a bus");
    // What app/etherdisk's main() calls.
    QVERIFY2(Client::installTranslations(), "no German catalogue under :/i18n");
}

void TestTranslations::mainWindowInGerman()
{
    Client::Model model(m_bus);
    Client::Actions actions(m_bus);
    Ui::MainWindow window(&model, &actions, m_bus);
    QCOMPARE(window.tabs()->tabText(Ui::MainWindow::DisksPage),
             QStringLiteral("Netzwerkdatenträger"));
    QCOMPARE(window.tabs()->tabText(Ui::MainWindow::ExportsPage), QStringLiteral("Meine Exporte"));
    QCOMPARE(window.action(QStringLiteral("attach"))->text(), QStringLiteral("&Verbinden"));
    QCOMPARE(window.action(QStringLiteral("newExport"))->text(), QStringLiteral("&Neuer Export…"));
    QCOMPARE(window.disksFilter()->placeholderText(),
             QStringLiteral("Netzwerkdatenträger filtern"));
    QCOMPARE(window.targetsModel()->headerData(Ui::TargetsModel::Address, Qt::Horizontal),
             QVariant(QStringLiteral("Adresse")));
    QCOMPARE(Ui::TargetsModel::stateText(QStringLiteral("lost")), QStringLiteral("Verloren"));
    QVERIFY2(Ui::MainWindow::unreachableText({}).contains(QStringLiteral("läuft nicht")),
             qPrintable(Ui::MainWindow::unreachableText({})));
    QCOMPARE(Ui::TrayIcon::summary(model), QStringLiteral("etherdisk-helper läuft nicht"));
    // German numbers: a decimal comma.
    QCOMPARE(Ui::formatBytes(1536), QStringLiteral("1,5 KiB"));
}

void TestTranslations::dialogsInGerman()
{
    Client::Actions actions(m_bus);
    Client::ExportInfo info;
    info.shelf = 1;
    info.slot = 2;
    info.writeMode = QStringLiteral("sync");
    Ui::SettingsDialog dialog(info, &actions);
    QCOMPARE(dialog.windowTitle(), QStringLiteral("Einstellungen von e1.2"));
    auto *writeback = dialog.findChild<QRadioButton *>(QStringLiteral("writeback"));
    QVERIFY(writeback);
    QCOMPARE(writeback->text(), QStringLiteral("Write-back (am schnellsten)"));
    QStringList groups;
    for (const QGroupBox *g : dialog.findChildren<QGroupBox *>())
        groups << g->title();
    QVERIFY2(groups.contains(QStringLiteral("Schreibmodus")), qPrintable(groups.join(u',')));
    QString error;
    Ui::parseMacList(QStringLiteral("nonsense"), &error);
    QVERIFY2(error.contains(QStringLiteral("ist keine MAC-Adresse")), qPrintable(error));
}

void TestTranslations::qtOwnInGerman()
{
    const QString dir = QLibraryInfo::path(QLibraryInfo::TranslationsPath);
    if (!QFileInfo::exists(dir + QStringLiteral("/qtbase_de.qm")))
        QSKIP(qPrintable(QStringLiteral("Qt's own translations are not installed in %1 "
                                        "(Debian: qt6-translations-l10n)")
                             .arg(dir)));
    QDialogButtonBox box(QDialogButtonBox::Cancel);
    QCOMPARE(box.button(QDialogButtonBox::Cancel)->text(), QStringLiteral("Abbrechen"));
}

void TestTranslations::acceleratorsUnique_data()
{
    QTest::addColumn<QLocale>("locale");
    QTest::newRow("en") << QLocale(QLocale::English, QLocale::UnitedStates);
    QTest::newRow("de") << QLocale(QLocale::German, QLocale::Germany);
    QTest::newRow("fr") << QLocale(QLocale::French, QLocale::France);
    QTest::newRow("ko") << QLocale(QLocale::Korean, QLocale::SouthKorea);
}

void TestTranslations::acceleratorsUnique()
{
    QFETCH(QLocale, locale);
    removeTranslations();
    QCOMPARE(Client::installTranslations(locale), locale.language() != QLocale::English);
    Client::Model model(m_bus);
    Client::Actions actions(m_bus);
    QString clash;

    Ui::MainWindow window(&model, &actions, m_bus);
    QStringList texts = acceleratedTexts(&window);
    for (const char *name : { "attach", "detach", "open", "copyDetails", "newExport", "stopExport",
                              "editExport", "refresh" })
        texts << window.action(QLatin1String(name))->text();
    texts.removeDuplicates(); // a tool button shows its action's text
    QVERIFY2(uniqueAccelerators(texts, &clash), qPrintable(clash));
    QVERIFY(!EtherdiskTest::mnemonicOf(window.action(QStringLiteral("attach"))->text()).isNull());
    // The menu bar's menus and the tray icon's menu (menucheck.h): titles
    // with a mnemonic, none used twice in one menu, no empty entry.
    Ui::TrayIcon tray(&model, &window, nullptr);
    QStringList menus = EtherdiskTest::menuProblems(window.menuBar(), { tray.menu() });
    menus << EtherdiskTest::contextMenuProblems(window.disksView(), QStringLiteral("disks"))
          << EtherdiskTest::contextMenuProblems(window.exportsView(), QStringLiteral("exports"));
    QVERIFY2(menus.isEmpty(), qPrintable(menus.join(QStringLiteral("; "))));

    Ui::ExportDialog exportDialog(&model, &actions);
    QVERIFY2(uniqueAccelerators(acceleratedTexts(&exportDialog), &clash), qPrintable(clash));
    Ui::SettingsDialog settings(Client::ExportInfo{}, &actions);
    QVERIFY2(uniqueAccelerators(acceleratedTexts(&settings), &clash), qPrintable(clash));

    if (locale.language() == QLocale::French)
        QCOMPARE(window.action(QStringLiteral("attach"))->text(), QStringLiteral("&Attacher"));
    if (locale.language() == QLocale::Korean)
        QCOMPARE(window.action(QStringLiteral("attach"))->text(), QStringLiteral("연결(&A)"));
}

void TestTranslations::englishStaysEnglish()
{
    removeTranslations();
    QVERIFY(!Client::installTranslations(QLocale(QLocale::English, QLocale::UnitedKingdom)));
    QVERIFY(!Client::installTranslations(QLocale::c()));
    Client::Model model(m_bus);
    Client::Actions actions(m_bus);
    Ui::MainWindow window(&model, &actions, m_bus);
    QCOMPARE(window.tabs()->tabText(Ui::MainWindow::DisksPage), QStringLiteral("Network disks"));
    QCOMPARE(window.action(QStringLiteral("attach"))->text(), QStringLiteral("&Attach"));
}

int main(int argc, char **argv)
{
    // A German desktop: QLocale::system() reads these when it is first used.
    qunsetenv("LANGUAGE");
    qunsetenv("LC_ALL");
    qunsetenv("LC_MESSAGES");
    qputenv("LANG", "de_DE.UTF-8");
    QApplication app(argc, argv);
    TestTranslations test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_translations.moc"
