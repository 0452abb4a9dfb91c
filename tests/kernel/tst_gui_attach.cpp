// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
//
// tst_gui_attach: the desktop app's window (Client::Model, Actions,
// Ui::MainWindow and the loss Notifier, as `etherdisk` builds them) against
// the helper and the Linux aoe driver, inside the qemu guest of
// test-kernel-helper.sh (guest-helper-checks.sh runs it after its own
// checks, on the same private system bus). A user's session: a private
// session bus with a notification server (notificationlistener). What a
// user does, by the window's actions:
//   Attach on e1.2 -> "e1.2 is attached as /dev/etherd/e1.2", the Attached
//   as column says so, the node reads the image's bytes -> Open (no UDisks2
//   in the guest) -> "e1.2 is the device /dev/etherd/e1.2" -> the target is
//   killed on the host -> one critical notification "e1.2 is lost", the
//   row says Lost -> the target returns -> the same notification replaced
//   by "e1.2 is back", the row Online -> Detach -> "e1.2 is detached", the
//   node gone, the column empty, and no notification for it.
// Environment: DBUS_SYSTEM_BUS_ADDRESS (the guest's bus), EDK_IMG (the
// image served as e1.2), EDK_LISTENER (the notificationlistener binary),
// EDK_GUEST_LIB (guest-lib.sh: edk_target stop|start asks the host).
#include "etherdiskclient/actions.h"
#include "etherdiskclient/model.h"
#include "models/targetsmodel.h"
#include "tray/notifier.h"
#include "widgets/mainwindow.h"

#include <QAction>
#include <QApplication>
#include <QDBusConnection>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QProcess>
#include <QTableView>
#include <QTest>

using namespace Etherdisk;

class tst_GuiAttach : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void cleanupTestCase();
    void attachOpenLoseRecoverDetach();

private:
    // The Notify calls the listener printed since the last call.
    QList<QJsonObject> calls();
    bool host(const QString &what); // edk_target stop|start
    int rowOf(Ui::MainWindow &window, const QString &name);
    QString cell(Ui::MainWindow &window, const QString &name, int column);

    QProcess m_bus;
    QProcess m_listener;
    QString m_address;
    QByteArray m_buffer;
};

void tst_GuiAttach::initTestCase()
{
    for (const char *v : { "DBUS_SYSTEM_BUS_ADDRESS", "EDK_IMG", "EDK_LISTENER", "EDK_GUEST_LIB" })
        QVERIFY2(!qEnvironmentVariableIsEmpty(v), v);
    // On the guest's tmpfs: its /tmp is the host's, read-only, and a Unix
    // socket cannot be bound on the 9p work directory.
    QFile::remove(QStringLiteral("/dev/shm/etherdisk-gui-session"));
    m_bus.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    m_bus.start(QStringLiteral("dbus-daemon"),
                { QStringLiteral("--session"), QStringLiteral("--nofork"),
                  QStringLiteral("--address=unix:path=/dev/shm/etherdisk-gui-session"),
                  QStringLiteral("--print-address=1") });
    QVERIFY(m_bus.waitForStarted(10000));
    QTRY_VERIFY_WITH_TIMEOUT(m_bus.canReadLine(), 10000);
    m_address = QString::fromLocal8Bit(m_bus.readLine()).trimmed();
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("DBUS_SESSION_BUS_ADDRESS"), m_address);
    m_listener.setProcessEnvironment(env);
    m_listener.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    m_listener.start(qEnvironmentVariable("EDK_LISTENER"), {});
    QVERIFY(m_listener.waitForStarted(10000));
    QElapsedTimer t;
    t.start();
    while (t.elapsed() < 20000 && !m_buffer.contains("ready\n")) {
        m_listener.waitForReadyRead(200);
        m_buffer += m_listener.readAllStandardOutput();
    }
    QVERIFY2(m_buffer.contains("ready\n"), "the notification server did not start");
    m_buffer.remove(0, m_buffer.indexOf("ready\n") + 6);
}

void tst_GuiAttach::cleanupTestCase()
{
    for (QProcess *p : { &m_listener, &m_bus }) {
        if (p->state() != QProcess::NotRunning) {
            p->terminate();
            if (!p->waitForFinished(5000))
                p->kill();
            p->waitForFinished(5000);
        }
    }
}

QList<QJsonObject> tst_GuiAttach::calls()
{
    m_buffer += m_listener.readAllStandardOutput();
    QList<QJsonObject> out;
    for (qsizetype nl; (nl = m_buffer.indexOf('\n')) >= 0;) {
        out << QJsonDocument::fromJson(m_buffer.left(nl)).object();
        m_buffer.remove(0, nl + 1);
    }
    return out;
}

bool tst_GuiAttach::host(const QString &what)
{
    // Numbered after the guest script's own requests (see edk_target).
    static int seq = 1000;
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("EDK_TARGET_SEQ"), QString::number(seq++));
    p.setProcessEnvironment(env);
    p.start(QStringLiteral("bash"),
            { QStringLiteral("-c"),
              QStringLiteral(". \"$EDK_GUEST_LIB\" && edk_target %1").arg(what) });
    return p.waitForFinished(40000) && p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0;
}

int tst_GuiAttach::rowOf(Ui::MainWindow &window, const QString &name)
{
    QAbstractItemModel *m = window.disksView()->model();
    for (int row = 0; row < m->rowCount(); ++row)
        if (m->index(row, Ui::TargetsModel::Address).data().toString() == name)
            return row;
    return -1;
}

QString tst_GuiAttach::cell(Ui::MainWindow &window, const QString &name, int column)
{
    const int row = rowOf(window, name);
    return row < 0 ? QString() : window.disksView()->model()->index(row, column).data().toString();
}

void tst_GuiAttach::attachOpenLoseRecoverDetach()
{
    const QDBusConnection system = QDBusConnection::systemBus();
    QVERIFY2(system.isConnected(), qPrintable(system.lastError().message()));
    const QDBusConnection session = QDBusConnection::connectToBus(m_address, QStringLiteral("s"));
    QVERIFY(session.isConnected());
    Client::Model model(system);
    Client::Actions actions(system);
    Ui::MainWindow window(&model, &actions, system);
    Ui::Notifier notifier(&model, session);
    connect(&window, &Ui::MainWindow::detachRequested, &notifier, &Ui::Notifier::detachRequested);
    window.show();
    model.start();
    const QString name = QStringLiteral("e1.2");
    const QString node = QStringLiteral("/dev/etherd/e1.2");
    QTRY_COMPARE_WITH_TIMEOUT(cell(window, name, Ui::TargetsModel::State), QStringLiteral("Online"),
                              30000);
    QVERIFY(cell(window, name, Ui::TargetsModel::Device).isEmpty());

    // Attach
    window.disksView()->selectRow(rowOf(window, name));
    QAction *attach = window.action(QStringLiteral("attach"));
    QVERIFY(attach->isEnabled());
    attach->trigger();
    QTRY_COMPARE_WITH_TIMEOUT(window.disksMessage()->text(),
                              QStringLiteral("e1.2 is attached as /dev/etherd/e1.2"), 60000);
    QTRY_COMPARE_WITH_TIMEOUT(cell(window, name, Ui::TargetsModel::Device), node, 10000);
    {
        QFile disk(node), image(qEnvironmentVariable("EDK_IMG"));
        QVERIFY2(disk.open(QIODevice::ReadOnly), qPrintable(disk.errorString()));
        QVERIFY(image.open(QIODevice::ReadOnly));
        QCOMPARE(disk.read(1 << 20), image.read(1 << 20));
    }

    // Open: no UDisks2 here, so the window names the device node.
    window.disksView()->selectRow(rowOf(window, name));
    QAction *open = window.action(QStringLiteral("open"));
    QVERIFY(open->isEnabled());
    open->trigger();
    QCOMPARE(window.disksMessage()->text(), QStringLiteral("e1.2 is the device /dev/etherd/e1.2"));

    // Lost: one critical notification, the row says so.
    QVERIFY(calls().isEmpty());
    QVERIFY2(host(QStringLiteral("stop")), "the host did not stop the target");
    QList<QJsonObject> c;
    QTRY_VERIFY_WITH_TIMEOUT(!(c += calls()).isEmpty(), 15000);
    QCOMPARE(c.size(), 1);
    QCOMPARE(c[0].value(QStringLiteral("summary")).toString(), QStringLiteral("e1.2 is lost"));
    QCOMPARE(c[0].value(QStringLiteral("urgency")).toInt(), 2);
    QCOMPARE(c[0].value(QStringLiteral("replaces_id")).toInt(), 0);
    const int id = c[0].value(QStringLiteral("id")).toInt();
    QTRY_COMPARE_WITH_TIMEOUT(cell(window, name, Ui::TargetsModel::State), QStringLiteral("Lost"),
                              5000);
    QCOMPARE(cell(window, name, Ui::TargetsModel::Device), node);

    // Back: the same notification, replaced.
    QVERIFY2(host(QStringLiteral("start")), "the host did not start the target again");
    c.clear();
    QTRY_VERIFY_WITH_TIMEOUT(!(c += calls()).isEmpty(), 15000);
    QCOMPARE(c.size(), 1);
    QCOMPARE(c[0].value(QStringLiteral("summary")).toString(), QStringLiteral("e1.2 is back"));
    QCOMPARE(c[0].value(QStringLiteral("replaces_id")).toInt(), id);
    QTRY_COMPARE_WITH_TIMEOUT(cell(window, name, Ui::TargetsModel::State), QStringLiteral("Online"),
                              5000);

    // Detach: asked for, so no notification.
    window.disksView()->selectRow(rowOf(window, name));
    QAction *detach = window.action(QStringLiteral("detach"));
    QVERIFY(detach->isEnabled());
    detach->trigger();
    QTRY_COMPARE_WITH_TIMEOUT(window.disksMessage()->text(), QStringLiteral("e1.2 is detached"),
                              60000);
    QTRY_VERIFY_WITH_TIMEOUT(!QFile::exists(node), 10000);
    QTRY_VERIFY_WITH_TIMEOUT(cell(window, name, Ui::TargetsModel::Device).isEmpty(), 10000);
    QTest::qWait(3000);
    QVERIFY(calls().isEmpty());
    QDBusConnection::disconnectFromBus(QStringLiteral("s"));
}

QTEST_MAIN(tst_GuiAttach)
#include "tst_gui_attach.moc"
