// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
//
// etherdisk: the desktop app. Talks to etherdisk-helper on the system bus
// (DBUS_SYSTEM_BUS_ADDRESS chooses another one) and to the notification
// server on the session bus; never needs root.
#include "appid.h"
#include "etherdiskclient/actions.h"
#include "etherdiskclient/model.h"
#include "etherdiskclient/translations.h"
#include "tray/autostart.h"
#include "tray/notifier.h"
#include "tray/trayicon.h"
#include "tray/traywatch.h"
#include "widgets/icons.h"
#include "widgets/mainwindow.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QElapsedTimer>
#include <QIcon>
#include <QLoggingCategory>
#include <QTabWidget>
#include <QTimer>

#include <cstdio>

using namespace Etherdisk;

namespace {

// What the app did at start (window shown or tray only); off unless
// QT_LOGGING_RULES="etherdisk.start.info=true" (tst_autostart reads it).
Q_LOGGING_CATEGORY(lcStart, "etherdisk.start", QtWarningMsg)

// Saves a picture of each main view into `dir` once `ready` holds (or after
// `timeoutMs` anyway), prints the files, and quits.
void screenshotsWhenReady(Ui::MainWindow *window, Client::Model *model, const QString &dir,
                          int minTargets, int minExports, int timeoutMs)
{
    auto *poll = new QTimer(window);
    auto *elapsed = new QElapsedTimer;
    elapsed->start();
    QObject::connect(poll, &QTimer::timeout, window, [=] {
        const bool ready = model->isConnected() && model->targetPaths().size() >= minTargets
            && model->exportPaths().size() >= minExports;
        if (!ready && elapsed->elapsed() < timeoutMs)
            return;
        poll->stop();
        delete elapsed;
        // A few more seconds: counters and states settle, the throughput
        // graphs get some history, the tables repaint.
        QTimer::singleShot(5000, window, [=] {
            QDir().mkpath(dir);
            const struct
            {
                int page;
                const char *file;
            } shots[] = { { Ui::MainWindow::DisksPage, "network-disks.png" },
                          { Ui::MainWindow::ExportsPage, "my-exports.png" } };
            int status = ready ? 0 : 3;
            for (const auto &s : shots) {
                window->showPage(s.page);
                window->repaint();
                QApplication::processEvents();
                const QString path = QDir(dir).filePath(QLatin1String(s.file));
                if (!window->grab().save(path))
                    status = 2;
                std::printf("%s\n", qPrintable(path));
            }
            std::fflush(stdout);
            if (!ready)
                std::fprintf(stderr, "etherdisk: %s\n",
                             qPrintable(QApplication::translate(
                                 "main", "the views were not ready in time")));
            QApplication::exit(status);
        });
    });
    poll->start(200);
}

} // namespace

int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("etherdisk"));
    QApplication::setApplicationDisplayName(QStringLiteral("Etherdisk"));
    QApplication::setApplicationVersion(QStringLiteral(ETHERDISK_VERSION));
    QApplication::setDesktopFileName(Ui::appId());
    // The installed hicolor icon where there is one, else the same shape drawn.
    QApplication::setWindowIcon(QIcon::fromTheme(QStringLiteral("etherdisk"), Ui::appIcon()));

    // The system's language where translations/ has it (and Qt's own).
    Client::installTranslations();

    QCommandLineParser parser;
    parser.setApplicationDescription(QApplication::translate(
        "main", "ATA over Ethernet disks: the LAN's shelves, your exports."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption minimized(
        QStringLiteral("minimized"),
        QApplication::translate("main",
                                "Start in the tray, without the window (where there is a tray; "
                                "used when starting at login)."));
    const QCommandLineOption screenshots(
        QStringLiteral("screenshots"),
        QApplication::translate("main", "Save a picture of each main view into DIR, then quit."),
        QStringLiteral("DIR"));
    const QCommandLineOption waitTargets(
        QStringLiteral("wait-targets"),
        QApplication::translate("main", "With --screenshots: wait for N network disks."),
        QStringLiteral("N"), QStringLiteral("0"));
    const QCommandLineOption waitExports(
        QStringLiteral("wait-exports"),
        QApplication::translate("main", "With --screenshots: wait for N exports."),
        QStringLiteral("N"), QStringLiteral("0"));
    parser.addOptions({ minimized, screenshots, waitTargets, waitExports });
    parser.process(app);

    const QDBusConnection system = QDBusConnection::systemBus();
    Client::Model model(system);
    Client::Actions actions(system);
    Ui::MainWindow window(&model, &actions, system);
    Ui::Notifier notifier(&model, QDBusConnection::sessionBus());
    QObject::connect(&window, &Ui::MainWindow::detachRequested, &notifier,
                     &Ui::Notifier::detachRequested);
    std::unique_ptr<Ui::TrayIcon> tray;
    const auto createTray = [&] {
        tray = std::make_unique<Ui::TrayIcon>(&model, &window, &notifier);
        QApplication::setQuitOnLastWindowClosed(false);
    };
    // Not QSystemTrayIcon::isSystemTrayAvailable() alone: see TrayWatch.
    Ui::TrayWatch trayWatch(QDBusConnection::sessionBus());
    if (trayWatch.isAvailable()) {
        createTray();
    } else {
        // Until a tray appears (the panel may start after us at login), a
        // notification's "open" shows the window; then the tray icon does,
        // and the window, already shown, stays as it is.
        const QMetaObject::Connection openWindow =
            QObject::connect(&notifier, &Ui::Notifier::openWindowRequested, &window, [&window] {
                window.show();
                window.raise();
            });
        QObject::connect(&trayWatch, &Ui::TrayWatch::appeared, &window, [&, openWindow] {
            QObject::disconnect(openWindow);
            createTray();
            qCInfo(lcStart, "a tray appeared: tray icon shown, window %s",
                   window.isVisible() ? "shown" : "hidden");
        });
        trayWatch.watch();
    }
    model.start();
    if (parser.isSet(screenshots)) {
        window.show();
        screenshotsWhenReady(&window, &model, parser.value(screenshots),
                             parser.value(waitTargets).toInt(), parser.value(waitExports).toInt(),
                             60000);
    } else {
        QString notice;
        if (Ui::Autostart::showWindowAtStart(parser.isSet(minimized), tray != nullptr, &notice))
            window.show();
        if (!notice.isEmpty())
            std::fprintf(stderr, "%s\n", qPrintable(notice));
    }
    QTimer::singleShot(0, &window, [&window, &tray] {
        qCInfo(lcStart, "window %s, tray icon %s", window.isVisible() ? "shown" : "hidden",
               tray ? "shown" : "unavailable");
    });
    return app.exec();
}
