// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
//
// The Attacher's event handling against a fake driver tree (sysfs,
// /dev/etherd and /proc in a temporary directory; the device node a real
// block device node made with mknod, hence root): it acts on inotify events,
// not on its 2 s rediscovery tick; it waits for a driver whose /dev/etherd
// appears after the module; it reports a flush the driver did not honour.
// The real driver: tests/kernel/tst_attacher.cpp in the qemu guest.

#include "attacher.h"
#include "testutil.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <functional>
#include <optional>
#include <thread>

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

using namespace Etherdisk;
using namespace Etherdisk::Helper;

namespace {

struct Result
{
    QString errorName, message, device;
};

} // namespace

class TestAttacherTree : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    AoeDriver::Paths m_paths;

    QString path(const QString &relative) const { return m_dir.filePath(relative); }
    bool write(const QString &relative, const QByteArray &content)
    {
        QDir().mkpath(QFileInfo(path(relative)).path());
        QFile f(path(relative));
        return f.open(QIODevice::WriteOnly | QIODevice::Truncate)
            && f.write(content) == content.size();
    }
    QByteArray read(const QString &relative) const
    {
        QFile f(path(relative));
        return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray("<missing>");
    }
    void makeControlFiles()
    {
        QVERIFY(write(QStringLiteral("dev/etherd/discover"), ""));
        QVERIFY(write(QStringLiteral("dev/etherd/interfaces"), ""));
        QVERIFY(write(QStringLiteral("dev/etherd/flush"), ""));
    }
    // What the driver does when it adopts e1.2: sysfs, and the node.
    void addSysfsEntry()
    {
        const QString d = QStringLiteral("sys/block/etherd!e1.2/");
        QVERIFY(write(d + QStringLiteral("state"), "up\n"));
        QVERIFY(write(d + QStringLiteral("mac"), "02ae00000001\n"));
        QVERIFY(write(d + QStringLiteral("netif"), "eth0\n"));
        QVERIFY(write(d + QStringLiteral("firmware-version"), "0x0010\n"));
        QVERIFY(write(d + QStringLiteral("payload"), "1024\n"));
        QVERIFY(write(d + QStringLiteral("size"), "8192\n"));
        QVERIFY(write(d + QStringLiteral("dev"), "152:0\n"));
    }
    void addNode()
    {
        QVERIFY(::mknod(QFile::encodeName(path(QStringLiteral("dev/etherd/e1.2"))).constData(),
                        S_IFBLK | 0600, makedev(152, 0))
                == 0);
    }
    void addDevice()
    {
        addSysfsEntry();
        addNode();
    }
    static std::function<void(QString, QString, QString)> into(std::optional<Result> *r)
    {
        return [r](QString e, QString m, QString d) { *r = Result{ e, m, d }; };
    }

private Q_SLOTS:
    void initTestCase()
    {
        ETHERDISK_REQUIRE(EtherdiskTest::isRoot(),
                          QStringLiteral("needs root (mknod of a block device node)"));
    }

    void init()
    {
        QVERIFY(m_dir.isValid());
        QDir(m_dir.path()).removeRecursively();
        QDir().mkpath(m_dir.path());
        m_paths = AoeDriver::Paths{};
        m_paths.sysfs = path(QStringLiteral("sys")).toStdString();
        m_paths.devDir = path(QStringLiteral("dev/etherd")).toStdString();
        m_paths.proc = path(QStringLiteral("proc")).toStdString();
        QDir().mkpath(path(QStringLiteral("sys/block")));
        QDir().mkpath(path(QStringLiteral("sys/class/net/eth0")));
        QDir().mkpath(path(QStringLiteral("dev")));
        QDir().mkpath(path(QStringLiteral("proc/self")));
        QVERIFY(
            write(QStringLiteral("proc/self/mountinfo"), "22 1 8:1 / / rw - ext4 /dev/sda1 rw\n"));
        // the module is loaded (so no modprobe), allowed on lo only
        QVERIFY(write(QStringLiteral("sys/module/aoe/parameters/aoe_iflist"), "lo\n"));
    }

    void attachActsOnTheNodeEvent()
    {
        QDir().mkpath(path(QStringLiteral("dev/etherd")));
        makeControlFiles();
        Attacher a(m_paths);
        QSignalSpy spy(&a, &Attacher::attachedChanged);
        std::optional<Result> r;
        a.attach(1, 2, QStringLiteral("eth0"), into(&r));
        QVERIFY(!r); // never from inside attach()
        QTest::qWait(300);
        QVERIFY(!r);
        // asked: eth0 added to lo, one discovery broadcast
        QCOMPARE(read(QStringLiteral("dev/etherd/interfaces")), QByteArray("lo eth0"));
        QCOMPARE(read(QStringLiteral("dev/etherd/discover")), QByteArray("\n"));
        QElapsedTimer t;
        t.start();
        addDevice();
        // inotify on /dev/etherd, not the 2 s tick
        QTRY_VERIFY_WITH_TIMEOUT(r.has_value(), 1500);
        QVERIFY2(t.elapsed() < 1000, qPrintable(QString::number(t.elapsed())));
        QCOMPARE(r->errorName, QString());
        QCOMPARE(r->device, path(QStringLiteral("dev/etherd/e1.2")));
        QCOMPARE(spy.size(), 1);
        QCOMPARE(spy.at(0).at(2).toString(), r->device);
        QCOMPARE(a.attachedDevice(1, 2), r->device);

        // an administrator's aoe-flush: the node goes, the signal says so
        QVERIFY(QFile::remove(path(QStringLiteral("dev/etherd/e1.2"))));
        QDir(path(QStringLiteral("sys/block/etherd!e1.2"))).removeRecursively();
        QTRY_COMPARE_WITH_TIMEOUT(spy.size(), 2, 1000);
        QCOMPARE(spy.at(1).at(2).toString(), QString());
        QCOMPARE(a.attachedDevice(1, 2), QString());
    }

    void nodeSeenBeforeItsSysfsEntry()
    {
        // The kernel makes the device node inside device_add() and the
        // /sys/block/etherd!eX.Y link only after it returns (block/genhd.c,
        // device_add_disk(); older kernels added the aoe attributes later
        // still), so the node's inotify event can find sysfs without the
        // disk. Seen in the qemu guest under load: the disk then went
        // unnoticed until the next change in /dev/etherd. It must be picked
        // up once sysfs catches up, with no further event in /dev/etherd.
        QDir().mkpath(path(QStringLiteral("dev/etherd")));
        makeControlFiles();
        Attacher a(m_paths);
        QSignalSpy spy(&a, &Attacher::attachedChanged);
        addNode();
        QTest::qWait(150); // the node's event, read while sysfs has nothing
        QCOMPARE(spy.size(), 0);
        addSysfsEntry();
        QTRY_COMPARE_WITH_TIMEOUT(spy.size(), 1, 3000);
        QCOMPARE(spy.at(0).at(2).toString(), path(QStringLiteral("dev/etherd/e1.2")));
        QCOMPARE(a.attachedDevice(1, 2), path(QStringLiteral("dev/etherd/e1.2")));
    }

    void nodeWithoutSysfsStopsBeingLookedAt()
    {
        // A node sysfs never shows (made by hand, or left behind): looked at
        // again a bounded number of times after its event, then no timer
        // runs (an idle helper wakes for nothing).
        QDir().mkpath(path(QStringLiteral("dev/etherd")));
        makeControlFiles();
        Attacher a(m_paths);
        QVERIFY(::mknod(QFile::encodeName(path(QStringLiteral("dev/etherd/e3.4"))).constData(),
                        S_IFBLK | 0600, makedev(152, 16))
                == 0);
        QTRY_VERIFY_WITH_TIMEOUT(a.rescansPending(), 1000);
        QTRY_VERIFY_WITH_TIMEOUT(!a.rescansPending(), 15000);
        QTest::qWait(300);
        QVERIFY(!a.rescansPending());
    }

    void attachWaitsForTheControlFiles()
    {
        // loaded, but /dev/etherd comes later
        Attacher a(m_paths);
        std::optional<Result> r;
        a.attach(1, 2, QStringLiteral("eth0"), into(&r));
        QTest::qWait(300);
        QVERIFY(!r);
        QDir().mkpath(path(QStringLiteral("dev/etherd")));
        makeControlFiles();
        // picked up (watch on the parent, then the next event or tick), then asked
        QTRY_COMPARE_WITH_TIMEOUT(read(QStringLiteral("dev/etherd/discover")), QByteArray("\n"),
                                  3000);
        QCOMPARE(read(QStringLiteral("dev/etherd/interfaces")), QByteArray("lo eth0"));
        addDevice();
        QTRY_VERIFY_WITH_TIMEOUT(r.has_value(), 3000);
        QCOMPARE(r->errorName, QString());
    }

    void attachTimesOutWithNotFound()
    {
        QDir().mkpath(path(QStringLiteral("dev/etherd")));
        makeControlFiles();
        Attacher a(m_paths);
        a.setAttachTimeout(2500);
        std::optional<Result> r;
        QElapsedTimer t;
        t.start();
        a.attach(3, 4, QStringLiteral("eth0"), into(&r));
        QTRY_COMPARE(read(QStringLiteral("dev/etherd/discover")), QByteArray("\n"));
        QVERIFY(write(QStringLiteral("dev/etherd/discover"), ""));
        QTRY_VERIFY_WITH_TIMEOUT(r.has_value(), 5000);
        QVERIFY2(t.elapsed() >= 2500 && t.elapsed() < 3500,
                 qPrintable(QString::number(t.elapsed())));
        QCOMPARE(r->errorName, QStringLiteral("org.etherdisk.Etherdisk1.Error.NotFound"));
        // the 2 s tick asked the driver again meanwhile
        QCOMPARE(read(QStringLiteral("dev/etherd/discover")), QByteArray("\n"));
    }

    void detachThatTheDriverIgnores()
    {
        QDir().mkpath(path(QStringLiteral("dev/etherd")));
        makeControlFiles();
        addDevice();
        Attacher a(m_paths);
        std::optional<Result> r;
        a.detach(1, 2, false, into(&r));
        QVERIFY(!r);
        QTRY_VERIFY(r.has_value());
        // the fake driver keeps the device: reported, not claimed as done
        QCOMPARE(r->errorName, QStringLiteral("org.etherdisk.Etherdisk1.Error.Failed"));
        QCOMPARE(r->message,
                 QStringLiteral("the aoe driver kept %1 after the flush")
                     .arg(path(QStringLiteral("dev/etherd/e1.2"))));
        QCOMPARE(read(QStringLiteral("dev/etherd/flush")), QByteArray("e1.2\0", 5));

        // mounted (fake mountinfo): refused before anything is written
        QVERIFY(write(QStringLiteral("dev/etherd/flush"), ""));
        QVERIFY(write(QStringLiteral("proc/self/mountinfo"), "40 1 152:0 / /srv rw - ext4 x rw\n"));
        r.reset();
        a.detach(1, 2, true, into(&r));
        QTRY_VERIFY(r.has_value());
        QCOMPARE(r->errorName, QStringLiteral("org.etherdisk.Etherdisk1.Error.DeviceBusy"));
        QCOMPARE(read(QStringLiteral("dev/etherd/flush")), QByteArray());
    }

    void slowFlushDoesNotStopTheEventLoop()
    {
        // The kernel's flush can block for minutes (it waits for the
        // driver's work queue). A FIFO as the flush file blocks the writer
        // until the test reads it: meanwhile the event loop runs, other
        // calls are answered (the same target's refused as busy), and the
        // detach answers once the write is done.
        QDir().mkpath(path(QStringLiteral("dev/etherd")));
        makeControlFiles();
        QVERIFY(QFile::remove(path(QStringLiteral("dev/etherd/flush"))));
        const QByteArray fifo = QFile::encodeName(path(QStringLiteral("dev/etherd/flush")));
        QVERIFY(::mkfifo(fifo.constData(), 0600) == 0);
        // Reads what was written to the FIFO (waiting up to `ms` for it).
        auto drain = [fifo](int ms) {
            QByteArray got;
            const int fd = ::open(fifo.constData(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
            if (fd < 0)
                return got;
            QElapsedTimer t;
            t.start();
            while (t.elapsed() < ms) {
                pollfd p{ fd, POLLIN, 0 };
                if (::poll(&p, 1, 20) > 0) {
                    char buf[16];
                    const ssize_t n = ::read(fd, buf, sizeof buf);
                    if (n > 0) {
                        got.append(buf, int(n));
                        break;
                    }
                }
            }
            ::close(fd);
            return got;
        };
        addDevice();
        std::optional<Result> r;
        {
            Attacher a(m_paths);
            // a check failing below leaves the write blocked: unblock it
            // before ~Attacher waits for it (the guard goes first)
            struct Unblock
            {
                std::function<QByteArray(int)> drain;
                ~Unblock() { drain(1000); }
            } unblock{ drain };
            a.detach(1, 2, false, into(&r));
            QTimer tick;
            int ticks = 0;
            connect(&tick, &QTimer::timeout, this, [&ticks] { ++ticks; });
            tick.start(50);
            QTest::qWait(500);
            QVERIFY(!r); // still writing
            QVERIFY2(ticks >= 5, qPrintable(QString::number(ticks))); // the loop ran meanwhile
            std::optional<Result> other, again, reattach;
            a.detach(9, 9, false, into(&other)); // answered while the flush waits
            a.detach(1, 2, false, into(&again));
            a.attach(1, 2, QStringLiteral("eth0"), into(&reattach));
            QTRY_VERIFY_WITH_TIMEOUT(other && again && reattach, 1000);
            QCOMPARE(other->errorName, QStringLiteral("org.etherdisk.Etherdisk1.Error.NotFound"));
            QCOMPARE(again->errorName, QStringLiteral("org.etherdisk.Etherdisk1.Error.DeviceBusy"));
            QCOMPARE(again->message,
                     QStringLiteral("e1.2 is already being detached: the aoe driver has not "
                                    "finished its flush"));
            QCOMPARE(reattach->errorName,
                     QStringLiteral("org.etherdisk.Etherdisk1.Error.DeviceBusy"));
            QVERIFY(!r);
            // the driver forgets the device, then the write completes
            QVERIFY(QFile::remove(path(QStringLiteral("dev/etherd/e1.2"))));
            QDir(path(QStringLiteral("sys/block/etherd!e1.2"))).removeRecursively();
            QCOMPARE(drain(2000), QByteArray("e1.2\0", 5));
            QTRY_VERIFY_WITH_TIMEOUT(r.has_value(), 2000);
            QCOMPARE(r->errorName, QString());
            QCOMPARE(r->device, path(QStringLiteral("dev/etherd/e1.2")));
        }
        // destroyed with a flush still blocked: the destructor waits for the
        // write (the reader opens the FIFO 300 ms after the detach), and
        // `done` is not called
        addDevice();
        r.reset();
        std::thread reader;
        QElapsedTimer leaving;
        {
            Attacher a(m_paths);
            a.detach(1, 2, false, into(&r));
            reader = std::thread([drain] {
                ::usleep(300000);
                drain(2000);
            });
            leaving.start();
        }
        const qint64 waited = leaving.elapsed();
        reader.join();
        QVERIFY2(waited >= 250, qPrintable(QString::number(waited)));
        QTest::qWait(100);
        QVERIFY(!r);
    }
};

QTEST_GUILESS_MAIN(TestAttacherTree)
#include "tst_attacher_tree.moc"
