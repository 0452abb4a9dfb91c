// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
//
// gui-bench: the desktop app's main window (the same Client::Model,
// Actions and Ui::MainWindow that `etherdisk` builds) against the helper on
// DBUS_SYSTEM_BUS_ADDRESS, measured from inside. Driven by gui-bench.py,
// which puts N targets on a LAN and makes them change.
//
//   gui-bench N
//
// stdout, one JSON object a line:
//   {"event":"full", ...}  once the Network disks table has N rows: ms from
//                          model.start() to the first row, to N rows, and to
//                          the first paint after that; then the ms a sort by
//                          State, a filter and clearing it take (each
//                          followed by a paint)
//   {"event":"tick", ...}  every second after that: CPU ms (user + system)
//                          this process used in that second, rows, rows
//                          online and lost, rows the model reported changed,
//                          and the longest the event loop was late (a 50 ms
//                          timer's lateness)
// It runs until SIGTERM or stdin closes.
#include "etherdiskclient/actions.h"
#include "etherdiskclient/model.h"
#include "etherdiskclient/types.h"
#include "models/targetsmodel.h"
#include "widgets/mainwindow.h"

#include <QApplication>
#include <QDBusConnection>
#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLineEdit>
#include <QSocketNotifier>
#include <QTableView>
#include <QTimer>

#include <csignal>
#include <cstdio>
#include <sys/resource.h>
#include <unistd.h>

using namespace Etherdisk;

namespace {

qint64 cpuMs()
{
    rusage u{};
    ::getrusage(RUSAGE_SELF, &u);
    return (qint64(u.ru_utime.tv_sec) + u.ru_stime.tv_sec) * 1000
        + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1000;
}

void print(const QJsonObject &o)
{
    std::printf("%s\n", QJsonDocument(o).toJson(QJsonDocument::Compact).constData());
    std::fflush(stdout);
}

// Runs `change`, then paints the table; the ms both took.
template<typename F>
qint64 timedWithPaint(QTableView *view, F change)
{
    QElapsedTimer t;
    t.start();
    change();
    view->viewport()->repaint();
    return t.elapsed();
}

} // namespace

int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    const int want = argc > 1 ? QString::fromLocal8Bit(argv[1]).toInt() : 0;
    if (want <= 0) {
        std::fprintf(stderr, "usage: gui-bench N (the number of targets on the LAN)\n");
        return 2;
    }
    std::signal(SIGTERM, [](int) { ::_exit(0); });
    // stdin closing (the driver went away) ends the run too.
    QSocketNotifier stdinClosed(STDIN_FILENO, QSocketNotifier::Read);
    QObject::connect(&stdinClosed, &QSocketNotifier::activated, &app, [] {
        char c;
        if (::read(STDIN_FILENO, &c, 1) <= 0)
            QApplication::exit(0);
    });

    const QDBusConnection system = QDBusConnection::systemBus();
    Client::Model model(system);
    Client::Actions actions(system);
    Ui::MainWindow window(&model, &actions, system);
    window.resize(1200, 800);
    window.show();
    window.showPage(Ui::MainWindow::DisksPage);
    Ui::TargetsModel *targets = window.targetsModel();
    QTableView *view = window.disksView();

    QElapsedTimer clock;
    qint64 firstRowMs = -1;
    bool full = false;
    qint64 changedRows = 0;
    QObject::connect(targets, &QAbstractItemModel::dataChanged, &app,
                     [&](const QModelIndex &from, const QModelIndex &to) {
                         changedRows += to.row() - from.row() + 1;
                     });

    qint64 maxLagMs = 0;
    QElapsedTimer lagClock;
    QTimer lag;
    lag.setTimerType(Qt::PreciseTimer);
    QObject::connect(&lag, &QTimer::timeout, &app,
                     [&] { maxLagMs = std::max(maxLagMs, lagClock.restart() - 50); });

    qint64 lastCpu = 0;
    QTimer tick;
    QObject::connect(&tick, &QTimer::timeout, &app, [&] {
        int online = 0, lost = 0;
        for (int row = 0; row < targets->rowCount(); ++row) {
            const Client::TargetInfo *t = targets->targetAt(row);
            online += t && t->state == u"online";
            lost += t && t->state == u"lost";
        }
        const qint64 cpu = cpuMs();
        print({ { QStringLiteral("event"), QStringLiteral("tick") },
                { QStringLiteral("t_ms"), clock.elapsed() },
                { QStringLiteral("cpu_ms"), cpu - lastCpu },
                { QStringLiteral("rows"), targets->rowCount() },
                { QStringLiteral("online"), online },
                { QStringLiteral("lost"), lost },
                { QStringLiteral("changed_rows"), changedRows },
                { QStringLiteral("max_lag_ms"), maxLagMs } });
        lastCpu = cpu;
        changedRows = 0;
        maxLagMs = 0;
    });

    const auto check = [&] {
        if (firstRowMs < 0 && targets->rowCount() > 0)
            firstRowMs = clock.elapsed();
        if (full || targets->rowCount() < want)
            return;
        full = true;
        const qint64 fullMs = clock.elapsed();
        view->viewport()->repaint();
        const qint64 paintedMs = clock.elapsed();
        const qint64 sortMs = timedWithPaint(
            view, [&] { view->sortByColumn(Ui::TargetsModel::State, Qt::DescendingOrder); });
        const qint64 filterMs =
            timedWithPaint(view, [&] { window.disksFilter()->setText(QStringLiteral("e17.")); });
        const int filtered = view->model()->rowCount();
        const qint64 unfilterMs = timedWithPaint(view, [&] { window.disksFilter()->clear(); });
        view->sortByColumn(Ui::TargetsModel::Address, Qt::AscendingOrder);
        print({ { QStringLiteral("event"), QStringLiteral("full") },
                { QStringLiteral("rows"), targets->rowCount() },
                { QStringLiteral("first_row_ms"), firstRowMs },
                { QStringLiteral("full_ms"), fullMs },
                { QStringLiteral("painted_ms"), paintedMs },
                { QStringLiteral("sort_ms"), sortMs },
                { QStringLiteral("filter_ms"), filterMs },
                { QStringLiteral("filtered_rows"), filtered },
                { QStringLiteral("unfilter_ms"), unfilterMs },
                { QStringLiteral("cpu_ms"), cpuMs() } });
        lastCpu = cpuMs();
        changedRows = 0;
        lagClock.start();
        lag.start(50);
        tick.start(1000);
    };
    QObject::connect(targets, &QAbstractItemModel::rowsInserted, &app, check);
    QObject::connect(targets, &QAbstractItemModel::modelReset, &app, check);

    clock.start();
    model.start();
    return app.exec();
}
