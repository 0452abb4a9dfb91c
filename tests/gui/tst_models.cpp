// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
//
// The GUI's item models (ui/models) on Etherdisk::Client::Model against
// the real etherdisk-helper on a private system bus (tests/gui/guitestbus.h):
// real exports made through the helper, real targets served by vblade and
// etherdisk-target from the other end of a veth pair. Every model and the
// proxies on them run under QAbstractItemModelTester for the whole test.
// What would make each test fail is said at the test.
#include "guitestbus.h"
#include "testutil.h"

#include "etherdisk/initiator.h"
#include "etherdiskclient/model.h"
#include "models/exportsmodel.h"
#include "models/targetsmodel.h"

#include <QAbstractItemModelTester>
#include <QElapsedTimer>
#include <QFile>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QTest>

#include <algorithm>

#include <signal.h>

using namespace EtherdiskTest;
using Etherdisk::Client::Model;
using Etherdisk::Ui::ExportsModel;
using Etherdisk::Ui::ObjectTableModel;
using Etherdisk::Ui::TargetsModel;

namespace {

const QString ManagerPath = QStringLiteral("/org/etherdisk/Etherdisk1/Manager");
const QString ManagerIface = QStringLiteral("org.etherdisk.Etherdisk1.Manager");
const QString ExportIface = QStringLiteral("org.etherdisk.Etherdisk1.Export");

// A model with testers on it and on a sorting, filtering proxy.
struct Tested
{
    explicit Tested(QAbstractItemModel *model)
        : tester(model, QAbstractItemModelTester::FailureReportingMode::QtTest)
    {
        proxy.setSourceModel(model);
        proxy.setSortRole(ObjectTableModel::SortRole);
        proxy.setFilterCaseSensitivity(Qt::CaseInsensitive);
        proxy.setFilterKeyColumn(-1);
        proxy.setDynamicSortFilter(true);
        proxyTester = std::make_unique<QAbstractItemModelTester>(
            &proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
    }
    QAbstractItemModelTester tester;
    QSortFilterProxyModel proxy;
    std::unique_ptr<QAbstractItemModelTester> proxyTester;
};

// The rows each dataChanged of `model` covered, one entry per signal
// ("first-last").
class ChangeLog : public QObject
{
public:
    explicit ChangeLog(QAbstractItemModel *model)
    {
        connect(model, &QAbstractItemModel::dataChanged, this,
                [this](const QModelIndex &a, const QModelIndex &b) {
                    rows << QStringLiteral("%1-%2").arg(a.row()).arg(b.row());
                });
    }
    QStringList rows;
};

QString cell(const QAbstractItemModel &m, int row, int column)
{
    return m.data(m.index(row, column)).toString();
}

} // namespace

class tst_Models final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void cleanup();

    void exportsRows();
    void exportsThroughput();
    void targetsRows();
    void helperRestart();

private:
    GuiTestBus m_lan;
    bool m_up = false;
};

void tst_Models::initTestCase()
{
    ETHERDISK_REQUIRE(isRoot(), QStringLiteral("needs root (a system bus, polkitd, namespaces)"));
    QString why;
    ETHERDISK_REQUIRE(canCreateNetns(&why), why);
    for (const QString &p : { QStringLiteral("dbus-daemon"), QStringLiteral("vblade") })
        ETHERDISK_REQUIRE(haveProgram(p), QStringLiteral("%1 is not installed").arg(p));
    ETHERDISK_REQUIRE(QFile::exists(QStringLiteral("/usr/lib/polkit-1/polkitd")),
                      QStringLiteral("polkitd is not installed (Debian package polkitd)"));
    why = m_lan.start(QStringLiteral("guimod"));
    QVERIFY2(why.isEmpty(), qPrintable(why));
    m_up = true;
    // Our own reads come from B.
    QVERIFY2(m_lan.net()->enter(m_lan.net()->nsB()), qPrintable(m_lan.net()->error()));
}

void tst_Models::cleanupTestCase()
{
    if (m_lan.net())
        m_lan.net()->enterOriginal();
    m_lan.stop();
}

void tst_Models::cleanup()
{
    if (m_up)
        m_lan.reset();
}

// Two exports appear as two rows with what the helper says; a SetSettings
// on one emits dataChanged for that row alone and shows the new write
// mode; the proxy sorts by size as a number and filters by text; Stop
// removes exactly that row. Fails if rows are not added or removed, if a
// change repaints other rows, or if sorting compares texts ("512.0 KiB"
// after "1.0 MiB").
void tst_Models::exportsRows()
{
    Model model(m_lan.newConnection());
    ExportsModel exports(&model);
    Tested t(&exports);
    model.start();
    QTRY_VERIFY_WITH_TIMEOUT(model.isConnected(), 10000);
    QCOMPARE(exports.rowCount(), 0);

    QString error;
    const QString big = m_lan.exportImage(7, 1, 2048, {}, &error);
    QVERIFY2(!big.isEmpty(), qPrintable(error));
    const QString small = m_lan.exportImage(
        7, 2, 1024,
        { { QStringLiteral("write-mode"), QStringLiteral("sync") },
          { QStringLiteral("allow"), QStringList{ QStringLiteral("02:ae:00:00:00:07") } } },
        &error);
    QVERIFY2(!small.isEmpty(), qPrintable(error));
    QTRY_COMPARE_WITH_TIMEOUT(exports.rowCount(), 2, 5000);

    const int b = exports.rowOf(big);
    const int s = exports.rowOf(small);
    QVERIFY(b >= 0 && s >= 0 && b != s);
    QCOMPARE(cell(exports, b, ExportsModel::Address), QStringLiteral("e7.1"));
    QCOMPARE(cell(exports, s, ExportsModel::Address), QStringLiteral("e7.2"));
    QCOMPARE(cell(exports, b, ExportsModel::Size), QStringLiteral("1.0 MiB"));
    QCOMPARE(cell(exports, s, ExportsModel::Size), QStringLiteral("512.0 KiB"));
    QCOMPARE(cell(exports, b, ExportsModel::WriteMode), QStringLiteral("Write-back"));
    QCOMPARE(cell(exports, s, ExportsModel::WriteMode), QStringLiteral("Synchronous"));
    QCOMPARE(cell(exports, b, ExportsModel::Access), QStringLiteral("Everyone"));
    QCOMPARE(cell(exports, s, ExportsModel::Access), QStringLiteral("02:ae:00:00:00:07"));
    QCOMPARE(cell(exports, b, ExportsModel::Interfaces), m_lan.net()->ifA());
    QCOMPARE(cell(exports, b, ExportsModel::Source), model.exportInfo(big)->source);
    QCOMPARE(cell(exports, b, ExportsModel::StartAtBoot), QStringLiteral("No"));
    QCOMPARE(exports.data(exports.index(s, 0), ObjectTableModel::PathRole).toString(), small);

    // Sorting by size compares numbers; filtering by text.
    t.proxy.sort(ExportsModel::Size, Qt::AscendingOrder);
    QCOMPARE(cell(t.proxy, 0, ExportsModel::Address), QStringLiteral("e7.2"));
    t.proxy.sort(ExportsModel::Size, Qt::DescendingOrder);
    QCOMPARE(cell(t.proxy, 0, ExportsModel::Address), QStringLiteral("e7.1"));
    t.proxy.setFilterFixedString(QStringLiteral("synchronous"));
    QCOMPARE(t.proxy.rowCount(), 1);
    QCOMPARE(cell(t.proxy, 0, ExportsModel::Address), QStringLiteral("e7.2"));
    t.proxy.setFilterFixedString(QString());

    // One change, one row.
    ChangeLog changes(&exports);
    const QDBusMessage set =
        m_lan.call(small, ExportIface, QStringLiteral("SetSettings"),
                   { QVariantMap{ { QStringLiteral("write-mode"), QStringLiteral("direct") } } });
    QVERIFY2(set.type() == QDBusMessage::ReplyMessage, qPrintable(set.errorMessage()));
    QTRY_COMPARE_WITH_TIMEOUT(cell(exports, s, ExportsModel::WriteMode), QStringLiteral("Direct"),
                              5000);
    QTest::qWait(300);
    QVERIFY2(!changes.rows.isEmpty(), "no dataChanged");
    for (const QString &r : changes.rows)
        QCOMPARE(r, QStringLiteral("%1-%1").arg(s));

    // Stop removes that row only.
    const QDBusMessage stop =
        m_lan.call(big, ExportIface, QStringLiteral("Stop"), { QVariantMap() });
    QVERIFY2(stop.type() == QDBusMessage::ReplyMessage, qPrintable(stop.errorMessage()));
    QTRY_COMPARE_WITH_TIMEOUT(exports.rowCount(), 1, 5000);
    QCOMPARE(exports.pathAt(0), small);
    QCOMPARE(exports.rowOf(small), 0);
    QCOMPARE(exports.rowOf(big), -1);
}

// Reading the export from B makes its read rate positive, at most what was
// read per the time it took (plus one coalescing period), and the write
// rate stays 0; once the counters stop changing the rate falls to 0 no
// sooner than IdleMs and no later than IdleMs + 1.5 s after their last
// change. Fails if the rate is not computed, never decays, or decays early.
void tst_Models::exportsThroughput()
{
    constexpr qint64 Sectors = 8192; // 4 MiB
    QString error;
    const QString path = m_lan.exportImage(7, 3, Sectors, {}, &error, 5);
    QVERIFY2(!path.isEmpty(), qPrintable(error));
    Model model(m_lan.newConnection());
    ExportsModel exports(&model);
    Tested t(&exports);
    model.start();
    QTRY_COMPARE_WITH_TIMEOUT(exports.rowCount(), 1, 10000);
    QCOMPARE(exports.readRate(path), 0.0);

    QElapsedTimer lastChange;
    connect(&model, &Model::objectChanged, this,
            [&](const QString &p, const QString &, const QStringList &names) {
                if (p == path && names.contains(QStringLiteral("BytesRead")))
                    lastChange.start();
            });

    std::string err;
    Etherdisk::Initiator::Options o;
    o.interface = m_lan.net()->ifB().toStdString();
    o.shelf = 7;
    o.slot = 3;
    auto initiator = Etherdisk::Initiator::open(o, &err);
    QVERIFY2(initiator, err.c_str());
    std::vector<std::uint8_t> buf(Sectors * 512);
    QVERIFY2(initiator->read(0, buf, &err), err.c_str());
    initiator.reset();

    QTRY_VERIFY_WITH_TIMEOUT(exports.readRate(path) > 0, 3000);
    QVERIFY(exports.readRate(path) <= double(buf.size()) * 1000.0); // not divided by ~0
    QCOMPARE(exports.writeRate(path), 0.0);
    QVERIFY(cell(exports, 0, ExportsModel::ReadRate) != QStringLiteral("0 B/s"));
    QCOMPARE(cell(exports, 0, ExportsModel::WriteRate), QStringLiteral("0 B/s"));
    // The graph's history holds the rate (the next tick at the latest).
    auto history = [&](int column) {
        return exports.data(exports.index(0, column), ExportsModel::HistoryRole).toList();
    };
    QTRY_VERIFY_WITH_TIMEOUT(!history(ExportsModel::ReadRate).isEmpty()
                                 && history(ExportsModel::ReadRate).constLast().toDouble() > 0,
                             ExportsModel::TickMs + 500);
    for (const QVariant &v : history(ExportsModel::WriteRate))
        QCOMPARE(v.toDouble(), 0.0);

    QTRY_VERIFY_WITH_TIMEOUT(exports.readRate(path) == 0, ExportsModel::IdleMs + 3000);
    const qint64 quiet = lastChange.elapsed();
    QVERIFY2(quiet >= ExportsModel::IdleMs, qPrintable(QString::number(quiet)));
    QVERIFY2(quiet <= ExportsModel::IdleMs + 1500, qPrintable(QString::number(quiet)));
    QCOMPARE(cell(exports, 0, ExportsModel::ReadRate), QStringLiteral("0 B/s"));
    // The history is bounded and moves on: the newest entry is the quiet 0,
    // the read is still in it.
    QTRY_COMPARE_WITH_TIMEOUT(history(ExportsModel::ReadRate).constLast().toDouble(), 0.0,
                              ExportsModel::TickMs + 500);
    const QVariantList h = history(ExportsModel::ReadRate);
    QVERIFY(h.size() <= ExportsModel::HistoryLength);
    QVERIFY(std::any_of(h.cbegin(), h.cend(), [](const QVariant &v) { return v.toDouble() > 0; }));
    QCOMPARE(history(ExportsModel::Address), QVariantList());
}

// vblade and etherdisk-target on B appear as rows with their capacity,
// model, the helper's interface with the peer's MAC, a payload, Online;
// the proxy sorts them by address and filters by state. Killing vblade
// turns its row Lost (within discovery's 6 s, plus slack) with dataChanged
// on that row only. Fails if targets do not become rows, if the state is
// not followed, or if a change repaints other rows.
void tst_Models::targetsRows()
{
    QVERIFY(m_lan.startPeer(QStringLiteral("etherdisk"), 8, 2, 4096));
    QProcess *vblade = m_lan.startPeer(QStringLiteral("vblade"), 8, 1, 2048);
    QVERIFY(vblade);
    Model model(m_lan.newConnection());
    TargetsModel targets(&model);
    Tested t(&targets);
    model.start();
    QTRY_VERIFY_WITH_TIMEOUT(model.isConnected(), 10000);
    const QDBusMessage start =
        m_lan.call(ManagerPath, ManagerIface, QStringLiteral("StartDiscovery"), { QVariantMap() });
    QVERIFY2(start.type() == QDBusMessage::ReplyMessage, qPrintable(start.errorMessage()));
    QTRY_COMPARE_WITH_TIMEOUT(targets.rowCount(), 2, 15000);
    const QString vPath = Etherdisk::Client::targetPath(8, 1);
    const QString ePath = Etherdisk::Client::targetPath(8, 2);
    const int v = targets.rowOf(vPath);
    const int e = targets.rowOf(ePath);
    QVERIFY(v >= 0 && e >= 0);
    QTRY_COMPARE_WITH_TIMEOUT(cell(targets, v, TargetsModel::Capacity), QStringLiteral("1.0 MiB"),
                              5000);
    QTRY_COMPARE_WITH_TIMEOUT(cell(targets, e, TargetsModel::Capacity), QStringLiteral("2.0 MiB"),
                              5000);
    QCOMPARE(cell(targets, v, TargetsModel::State), QStringLiteral("Online"));
    QCOMPARE(cell(targets, e, TargetsModel::Address), QStringLiteral("e8.2"));
    QVERIFY(!cell(targets, e, TargetsModel::ModelName).isEmpty());
    QCOMPARE(cell(targets, e, TargetsModel::ModelName), model.targetInfo(ePath)->model);
    const QString ifaces = cell(targets, e, TargetsModel::Interfaces);
    QVERIFY2(ifaces.startsWith(m_lan.net()->ifA() + QStringLiteral(" (")), qPrintable(ifaces));
    QCOMPARE(ifaces.size(), m_lan.net()->ifA().size() + 20); // "ifA (aa:bb:cc:dd:ee:ff)"
    QVERIFY(cell(targets, e, TargetsModel::Payload).endsWith(QStringLiteral(" B")));
    QCOMPARE(cell(targets, e, TargetsModel::Device), QString());

    t.proxy.sort(TargetsModel::Address, Qt::DescendingOrder);
    QCOMPARE(cell(t.proxy, 0, TargetsModel::Address), QStringLiteral("e8.2"));
    t.proxy.sort(TargetsModel::Capacity, Qt::AscendingOrder);
    QCOMPARE(cell(t.proxy, 0, TargetsModel::Address), QStringLiteral("e8.1"));

    ChangeLog changes(&targets);
    QElapsedTimer sinceKill;
    sinceKill.start();
    vblade->kill();
    vblade->waitForFinished(3000);
    QTRY_COMPARE_WITH_TIMEOUT(cell(targets, v, TargetsModel::State), QStringLiteral("Lost"), 10000);
    QVERIFY2(sinceKill.elapsed() <= 6000 + 2000, qPrintable(QString::number(sinceKill.elapsed())));
    QVERIFY(!changes.rows.isEmpty());
    for (const QString &r : changes.rows)
        QCOMPARE(r, QStringLiteral("%1-%1").arg(v));
    QCOMPARE(cell(targets, e, TargetsModel::State), QStringLiteral("Online"));

    t.proxy.setFilterKeyColumn(TargetsModel::State);
    t.proxy.setFilterFixedString(QStringLiteral("lost"));
    QCOMPARE(t.proxy.rowCount(), 1);
    QCOMPARE(cell(t.proxy, 0, TargetsModel::Address), QStringLiteral("e8.1"));
}

// kill -9 of the helper empties both models (rows removed, testers
// satisfied); once the helper is back (activated by someone else) the
// persistent export and the target come back as rows by themselves.
// Fails if rows outlive the helper or do not come back.
void tst_Models::helperRestart()
{
    QVERIFY(m_lan.startPeer(QStringLiteral("etherdisk"), 9, 1, 2048));
    QString error;
    const QString path =
        m_lan.exportImage(9, 2, 2048, { { QStringLiteral("persistent"), true } }, &error);
    QVERIFY2(!path.isEmpty(), qPrintable(error));
    Model model(m_lan.newConnection());
    ExportsModel exports(&model);
    TargetsModel targets(&model);
    Tested te(&exports);
    Tested tt(&targets);
    model.start();
    QDBusMessage start =
        m_lan.call(ManagerPath, ManagerIface, QStringLiteral("StartDiscovery"), { QVariantMap() });
    QVERIFY2(start.type() == QDBusMessage::ReplyMessage, qPrintable(start.errorMessage()));
    QTRY_COMPARE_WITH_TIMEOUT(exports.rowCount(), 1, 10000);
    QTRY_VERIFY_WITH_TIMEOUT(targets.rowOf(Etherdisk::Client::targetPath(9, 1)) >= 0, 15000);

    const qint64 pid = m_lan.helperPid();
    QVERIFY(pid > 0);
    QCOMPARE(::kill(pid_t(pid), SIGKILL), 0);
    QTRY_COMPARE_WITH_TIMEOUT(exports.rowCount(), 0, 10000);
    QTRY_COMPARE_WITH_TIMEOUT(targets.rowCount(), 0, 10000);

    start =
        m_lan.call(ManagerPath, ManagerIface, QStringLiteral("StartDiscovery"), { QVariantMap() });
    QVERIFY2(start.type() == QDBusMessage::ReplyMessage, qPrintable(start.errorMessage()));
    QTRY_COMPARE_WITH_TIMEOUT(exports.rowCount(), 1, 10000);
    QCOMPARE(exports.pathAt(0), path);
    QTRY_VERIFY_WITH_TIMEOUT(targets.rowOf(Etherdisk::Client::targetPath(9, 1)) >= 0, 15000);
    QCOMPARE(cell(exports, 0, ExportsModel::StartAtBoot), QStringLiteral("Yes"));
}

QTEST_MAIN(tst_Models)
#include "tst_models.moc"
