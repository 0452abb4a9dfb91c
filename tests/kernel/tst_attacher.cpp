// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
//
// The helper's Attacher against the real Linux aoe driver. Runs INSIDE the
// qemu guest that tests/kernel/test-kernel-attacher.sh boots without aoe
// loaded (aoe-guest.sh --no-aoe), with two etherdisk-target exports on the
// host side of the tap: e1.2 (an ext4 image, ATTACH_IMG) and e1.20
// (ATTACH_IMG2). The functions run in order and build on each other (one
// guest boot for all of them):
//  - bad arguments and a module modprobe cannot find: refused, the driver
//    still not loaded;
//  - attach loads aoe restricted to eth0, reports /dev/etherd/e1.2, whose
//    bytes are the image's; the driver adopts e1.20 on its own (signalled);
//  - attach keeps the interfaces already allowed, and leaves an empty list
//    (every interface) alone;
//  - an address nobody serves: NotFound at the bound, not before;
//  - detach refused while mounted (also with force) and while open in a
//    process, nothing changed; detach flushes only that device;
//  - a device the driver adopts because someone else asked it to discover
//    is signalled; a detached target comes back at the driver's own 60 s
//    discovery, as the Detach message says.

#include "attacher.h"
#include "testutil.h"

#include "etherdisk/util.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTest>

#include <optional>

#include <linux/capability.h>
#include <sys/syscall.h>
#include <unistd.h>

using namespace Etherdisk;
using namespace Etherdisk::Helper;

namespace {

const QString ErrorPrefix = QStringLiteral("org.etherdisk.Etherdisk1.Error.");

struct Result
{
    QString errorName, message, device;
};

// The done callback's arguments, once called.
struct Waiter
{
    std::shared_ptr<std::optional<Result>> result = std::make_shared<std::optional<Result>>();
    Attacher::Done done()
    {
        auto r = result;
        return [r](QString e, QString m, QString d) {
            QVERIFY2(!r->has_value(), "done called twice");
            *r = Result{ e, m, d };
        };
    }
    bool ready() const { return result->has_value(); }
    const Result &get() const { return **result; }
};

bool exists(const QString &path)
{
    return QFile::exists(path);
}

QString readTrimmed(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? QString::fromLatin1(f.readAll()).trimmed() : QString();
}

double seconds(const QElapsedTimer &t)
{
    return double(t.nsecsElapsed()) / 1e9;
}

QStringList allowed(const Attacher &a)
{
    std::vector<std::string> names;
    const Error e = a.driver().allowedInterfaces(&names);
    QStringList out;
    if (e.kind != ErrorKind::None)
        return { QStringLiteral("<error: %1>").arg(QString::fromStdString(e.message)) };
    for (const auto &n : names)
        out << QString::fromStdString(n);
    return out;
}

bool spyHas(const QSignalSpy &spy, quint16 shelf, quint8 slot, const QString &device)
{
    for (const QList<QVariant> &args : spy)
        if (args.at(0).value<quint16>() == shelf && args.at(1).value<quint8>() == slot
            && args.at(2).toString() == device)
            return true;
    return false;
}

QString mountinfoLineFor(const QString &mountPoint)
{
    QFile f(QStringLiteral("/proc/self/mountinfo"));
    if (!f.open(QIODevice::ReadOnly))
        return {};
    for (const QByteArray &line : f.readAll().split('\n'))
        if (line.split(' ').value(4) == mountPoint.toLocal8Bit())
            return QString::fromLocal8Bit(line);
    return {};
}

// Raises or drops `cap` in this thread's effective set (it stays permitted).
bool setEffective(int cap, bool on)
{
    __user_cap_header_struct header{ _LINUX_CAPABILITY_VERSION_3, 0 };
    __user_cap_data_struct data[2]{};
    if (::syscall(SYS_capget, &header, data) != 0)
        return false;
    const auto bit = 1u << (cap % 32);
    if (on)
        data[cap / 32].effective |= bit;
    else
        data[cap / 32].effective &= ~bit;
    return ::syscall(SYS_capset, &header, data) == 0;
}

} // namespace

class TestAttacher : public QObject
{
    Q_OBJECT

private:
    QString m_img, m_img2, m_mnt;
    std::unique_ptr<Attacher> m_attacher; // from the first attach on
    std::unique_ptr<QSignalSpy> m_spy;
    double m_loadEarliest = 0; // CLOCK_MONOTONIC seconds: aoe loaded between these
    double m_loadLatest = 0;
    double m_detachedAt = 0;

    static double now() { return double(monotonicNs()) / 1e9; }

    // What the driver and the kernel hold at a failure, in the log.
    void dumpDriverState()
    {
        qInfo("%.2f s after the load: /dev/etherd holds %s; /sys/block holds %s",
              now() - m_loadEarliest,
              qPrintable(QDir(QStringLiteral("/dev/etherd")).entryList(QDir::System).join(u' ')),
              qPrintable(QDir(QStringLiteral("/sys/block"))
                             .entryList(QDir::AllEntries | QDir::NoDotAndDotDot)
                             .join(u' ')));
        for (const QString &pid : QDir(QStringLiteral("/proc")).entryList(QDir::Dirs)) {
            QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
            if (!stat.open(QIODevice::ReadOnly))
                continue;
            const QByteArray line = stat.readAll();
            const qsizetype close = line.lastIndexOf(')');
            if (close < 0 || line.mid(close + 2, 1) != "D")
                continue;
            QFile stack(QStringLiteral("/proc/%1/stack").arg(pid));
            stack.open(QIODevice::ReadOnly);
            qInfo("task %s in D state:\n%s", line.left(close + 1).constData(),
                  stack.readAll().constData());
        }
    }

    Result run(const std::function<void(Attacher::Done)> &call, int timeoutMs)
    {
        Waiter w;
        call(w.done());
        [&] { QTRY_VERIFY_WITH_TIMEOUT(w.ready(), timeoutMs); }();
        return w.ready() ? w.get() : Result{ QStringLiteral("<no answer>"), {}, {} };
    }
    Result attach(Attacher &a, quint16 shelf, quint8 slot, const QString &ifname,
                  int timeoutMs = 40000)
    {
        return run([&](Attacher::Done d) { a.attach(shelf, slot, ifname, std::move(d)); },
                   timeoutMs);
    }
    Result detach(Attacher &a, quint16 shelf, quint8 slot, bool force)
    {
        return run([&](Attacher::Done d) { a.detach(shelf, slot, force, std::move(d)); }, 10000);
    }
    static bool runCommand(const QString &program, const QStringList &args, QString *output)
    {
        QProcess p;
        p.setProcessChannelMode(QProcess::MergedChannels);
        p.start(program, args);
        const bool ok =
            p.waitForFinished(30000) && p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0;
        *output = QString::fromLocal8Bit(p.readAll());
        return ok;
    }

private Q_SLOTS:
    void initTestCase()
    {
        ETHERDISK_REQUIRE(EtherdiskTest::isRoot(), QStringLiteral("needs root"));
        m_img = qEnvironmentVariable("ATTACH_IMG");
        m_img2 = qEnvironmentVariable("ATTACH_IMG2");
        m_mnt = qEnvironmentVariable("ATTACH_MNT");
        ETHERDISK_REQUIRE(!qEnvironmentVariable("EDK_KERNEL_RELEASE").isEmpty() && !m_img.isEmpty()
                              && !m_img2.isEmpty() && !m_mnt.isEmpty(),
                          QStringLiteral("runs inside the qemu guest that "
                                         "tests/kernel/test-kernel-attacher.sh boots"));
        QVERIFY2(!exists(QStringLiteral("/sys/module/aoe")),
                 "the guest must start without aoe (aoe-guest.sh --no-aoe)");
    }

    void badArgumentsChangeNothing()
    {
        Attacher a;
        Result r = attach(a, 65535, 1, QStringLiteral("eth0"));
        QCOMPARE(r.errorName, ErrorPrefix + QStringLiteral("InvalidArgument"));
        QCOMPARE(r.message,
                 QStringLiteral("e65535.1 is not a target address: shelf 0-65534, slot 0-254"));
        r = attach(a, 1, 255, QStringLiteral("eth0"));
        QCOMPARE(r.errorName, ErrorPrefix + QStringLiteral("InvalidArgument"));
        r = attach(a, 1, 2, QStringLiteral("nosuch0"));
        QCOMPARE(r.errorName, ErrorPrefix + QStringLiteral("InvalidArgument"));
        QCOMPARE(r.message,
                 QStringLiteral("there is no network interface 'nosuch0': name the "
                                "interface on the target's LAN"));
        r = attach(a, 1, 2, QStringLiteral("../eth0"));
        QCOMPARE(r.errorName, ErrorPrefix + QStringLiteral("InvalidArgument"));
        r = detach(a, 1, 2, false);
        QCOMPARE(r.errorName, ErrorPrefix + QStringLiteral("NotFound"));
        QCOMPARE(r.message,
                 QStringLiteral("e1.2 is not attached (the aoe driver has no such device)"));
        QVERIFY(!exists(QStringLiteral("/sys/module/aoe")));
    }

    void notSupportedWhenModprobeFails()
    {
        AoeDriver::Paths paths;
        paths.module = "etherdisk_no_such_module";
        Attacher a(paths);
        QElapsedTimer t;
        t.start();
        const Result r = attach(a, 1, 2, QStringLiteral("eth0"));
        QCOMPARE(r.errorName, ErrorPrefix + QStringLiteral("NotSupported"));
        const QString want =
            QStringLiteral(
                "the Linux aoe driver is not available on this kernel (modprobe "
                "etherdisk_no_such_module failed: modprobe: FATAL: Module etherdisk_no_such_module "
                "not found in directory /lib/modules/%1)")
                .arg(qEnvironmentVariable("EDK_KERNEL_RELEASE"));
        QCOMPARE(r.message, want);
        QCOMPARE(r.device, QString());
        QVERIFY2(seconds(t) < 10, "the failure is reported when modprobe fails, not at the bound");
        QVERIFY(!exists(QStringLiteral("/sys/module/aoe")));
        QVERIFY(!exists(QStringLiteral("/dev/etherd")));
    }

    void attachLoadsTheDriverAndReadsTheImage()
    {
        m_attacher = std::make_unique<Attacher>();
        m_spy = std::make_unique<QSignalSpy>(m_attacher.get(), &Attacher::attachedChanged);
        // every change, timed, in the log: what a failure here needs to be read
        connect(m_attacher.get(), &Attacher::attachedChanged, this,
                [this](quint16 shelf, quint8 slot, const QString &device) {
                    qInfo("%.2f s after the load: e%u.%u attached as '%s'", now() - m_loadEarliest,
                          unsigned(shelf), unsigned(slot), qPrintable(device));
                });
        QElapsedTimer t;
        t.start();
        m_loadEarliest = now();
        bool loadedSeen = false;
        // the load is seen when /sys/module/aoe appears; sample it while waiting
        Waiter w;
        m_attacher->attach(1, 2, QStringLiteral("eth0"), w.done());
        while (!w.ready() && t.elapsed() < 40000) {
            if (!loadedSeen && exists(QStringLiteral("/sys/module/aoe"))) {
                loadedSeen = true;
                m_loadLatest = now();
            }
            QTest::qWait(20);
        }
        QVERIFY(w.ready());
        const Result r = w.get();
        QCOMPARE(r.errorName, QString());
        QCOMPARE(r.device, QStringLiteral("/dev/etherd/e1.2"));
        QCOMPARE(r.message, QStringLiteral("attached as /dev/etherd/e1.2"));
        qInfo("attach with modprobe took %.2f s", seconds(t));
        QVERIFY2(seconds(t) < 20, "within the attach bound");
        QVERIFY(loadedSeen);
        QVERIFY(exists(QStringLiteral("/sys/module/aoe")));
        QCOMPARE(allowed(*m_attacher), QStringList{ QStringLiteral("eth0") });
        QCOMPARE(readTrimmed(QStringLiteral("/sys/block/etherd!e1.2/state")), QStringLiteral("up"));
        QCOMPARE(m_attacher->attachedDevice(1, 2), QStringLiteral("/dev/etherd/e1.2"));
        QVERIFY(spyHas(*m_spy, 1, 2, QStringLiteral("/dev/etherd/e1.2")));

        // the device's bytes are the image's
        QFile image(m_img);
        QVERIFY(image.open(QIODevice::ReadOnly));
        const QByteArray expected = image.readAll();
        QFile dev(r.device);
        QVERIFY(dev.open(QIODevice::ReadOnly));
        const QByteArray got = dev.readAll();
        dev.close();
        QCOMPARE(got.size(), expected.size());
        QVERIFY(got == expected);

        // the driver adopts every target it hears on eth0: e1.20 too, signalled
        QTRY_VERIFY_WITH_TIMEOUT(spyHas(*m_spy, 1, 20, QStringLiteral("/dev/etherd/e1.20")), 10000);
        QCOMPARE(m_attacher->attachedDevice(1, 20), QStringLiteral("/dev/etherd/e1.20"));
    }

    void attachKeepsAllowedInterfaces()
    {
        Attacher &a = *m_attacher;
        QCOMPARE(a.driver().setAllowedInterfaces({ "lo" }).kind, ErrorKind::None);
        QCOMPARE(allowed(a), QStringList{ QStringLiteral("lo") });
        Result r = attach(a, 1, 2, QStringLiteral("eth0"));
        QCOMPARE(r.errorName, QString());
        QCOMPARE(allowed(a), (QStringList{ QStringLiteral("lo"), QStringLiteral("eth0") }));
        // an empty list means every interface: attach leaves it so
        QCOMPARE(a.driver().setAllowedInterfaces({}).kind, ErrorKind::None);
        QCOMPARE(allowed(a), QStringList());
        r = attach(a, 1, 2, QStringLiteral("eth0"));
        QCOMPARE(r.errorName, QString());
        QCOMPARE(allowed(a), QStringList());
        QCOMPARE(a.driver().setAllowedInterfaces({ "eth0" }).kind, ErrorKind::None);
        QCOMPARE(allowed(a), QStringList{ QStringLiteral("eth0") });
    }

    void attachOfAnAddressNobodyServes()
    {
        Attacher &a = *m_attacher;
        a.setAttachTimeout(6000);
        QElapsedTimer t;
        t.start();
        const Result r = attach(a, 7, 7, QStringLiteral("eth0"));
        const double took = seconds(t);
        a.setAttachTimeout(20000);
        QCOMPARE(r.errorName, ErrorPrefix + QStringLiteral("NotFound"));
        QCOMPARE(r.message,
                 QStringLiteral("no AoE target e7.7 answered on eth0 within 6 s: check "
                                "that it is exported and that eth0 is the interface "
                                "on its LAN"));
        // the bound is 6 s: not sooner, and at most 2 s late on a busy emulated guest
        QVERIFY2(took >= 6.0 && took <= 8.0, qPrintable(QString::number(took)));
        QCOMPARE(a.attachedDevice(7, 7), QString());
    }

    void detachRefusedWhileMounted()
    {
        Attacher &a = *m_attacher;
        QString out;
        // the guest boots with nothing but virtio and 9p: ext4 comes from the host's modules
        QVERIFY2(runCommand(QStringLiteral("modprobe"), { QStringLiteral("ext4") }, &out),
                 qPrintable(out));
        QVERIFY2(runCommand(QStringLiteral("mount"),
                            { QStringLiteral("-o"), QStringLiteral("ro"),
                              QStringLiteral("/dev/etherd/e1.2"), m_mnt },
                            &out),
                 qPrintable(out));
        QVERIFY(!mountinfoLineFor(m_mnt).isEmpty());
        for (bool force : { false, true }) {
            const Result r = detach(a, 1, 2, force);
            QCOMPARE(r.errorName, ErrorPrefix + QStringLiteral("DeviceBusy"));
            QString want =
                QStringLiteral("/dev/etherd/e1.2 is mounted on %1: unmount it first").arg(m_mnt);
            if (force)
                want +=
                    QStringLiteral(" (force does not detach a disk in use: the aoe driver would "
                                   "remove it under its users)");
            QCOMPARE(r.message, want);
            // nothing changed
            QCOMPARE(a.attachedDevice(1, 2), QStringLiteral("/dev/etherd/e1.2"));
            QCOMPARE(readTrimmed(QStringLiteral("/sys/block/etherd!e1.2/state")),
                     QStringLiteral("up"));
            QVERIFY(!mountinfoLineFor(m_mnt).isEmpty());
            QVERIFY(QFile::exists(m_mnt + QStringLiteral("/lost+found")));
        }
        QVERIFY2(runCommand(QStringLiteral("umount"), { m_mnt }, &out), qPrintable(out));
        QVERIFY(mountinfoLineFor(m_mnt).isEmpty());
    }

    void detachRefusedWhileOpen()
    {
        Attacher &a = *m_attacher;
        QProcess holder;
        holder.setProcessChannelMode(QProcess::MergedChannels);
        holder.start(QStringLiteral("sh"),
                     { QStringLiteral("-c"),
                       QStringLiteral("exec 3</dev/etherd/e1.2 && echo ready && exec sleep 600") });
        QVERIFY(holder.waitForStarted());
        QByteArray said;
        QTRY_VERIFY_WITH_TIMEOUT((said += holder.readAll()).contains("ready"), 10000);
        const Result r = detach(a, 1, 2, true);
        QCOMPARE(r.errorName, ErrorPrefix + QStringLiteral("DeviceBusy"));
        QCOMPARE(r.message,
                 QStringLiteral("/dev/etherd/e1.2 is open in process %1 (sleep): close it first "
                                "(force does not detach a disk in use: the aoe driver would remove "
                                "it under its users)")
                     .arg(holder.processId()));
        QCOMPARE(a.attachedDevice(1, 2), QStringLiteral("/dev/etherd/e1.2"));
        holder.kill();
        QVERIFY(holder.waitForFinished());
    }

    void detachRefusedWhenOpenersCannotBeSeen()
    {
        // The device open in another user's process, and the helper without
        // CAP_SYS_PTRACE (as a hardened unit may leave it): /proc/PID/fd of
        // that process cannot be read, so detach cannot tell and must refuse.
        Attacher &a = *m_attacher;
        QProcess holder;
        holder.setProcessChannelMode(QProcess::MergedChannels);
        holder.start(QStringLiteral("sh"),
                     { QStringLiteral("-c"),
                       QStringLiteral("exec 3</dev/etherd/e1.2 && exec setpriv --reuid=65534 "
                                      "--regid=65534 --clear-groups sh -c 'echo ready; exec sleep "
                                      "600'") });
        QVERIFY(holder.waitForStarted());
        QByteArray said;
        QTRY_VERIFY_WITH_TIMEOUT((said += holder.readAll()).contains("ready"), 10000);
        QVERIFY(setEffective(CAP_SYS_PTRACE, false));
        const Result r = detach(a, 1, 2, false);
        QVERIFY(setEffective(CAP_SYS_PTRACE, true));
        QCOMPARE(r.errorName, ErrorPrefix + QStringLiteral("Failed"));
        // The first process it could not look into is named: the holder, or
        // one before it in /proc (in this guest, init was not inspectable
        // without CAP_SYS_PTRACE either).
        const QRegularExpression want(QStringLiteral(
            "^cannot tell whether /dev/etherd/e1\\.2 is in use: process ([0-9]+) \\([^)]+\\) "
            "may not be inspected \\(/proc/\\1/fd: permission denied\\); the helper needs "
            "CAP_SYS_PTRACE to see other users' processes$"));
        QVERIFY2(want.match(r.message).hasMatch(), qPrintable(r.message));
        QCOMPARE(a.attachedDevice(1, 2), QStringLiteral("/dev/etherd/e1.2"));
        // with the capability: seen, and refused as open
        const Result busy = detach(a, 1, 2, false);
        QCOMPARE(busy.errorName, ErrorPrefix + QStringLiteral("DeviceBusy"));
        QVERIFY2(busy.message.contains(
                     QStringLiteral("is open in process %1 (sleep)").arg(holder.processId())),
                 qPrintable(busy.message));
        holder.kill();
        QVERIFY(holder.waitForFinished());
        QCOMPARE(a.attachedDevice(1, 2), QStringLiteral("/dev/etherd/e1.2"));
    }

    void detachFlushesOnlyThatDevice()
    {
        Attacher &a = *m_attacher;
        QCOMPARE(a.attachedDevice(1, 20), QStringLiteral("/dev/etherd/e1.20"));
        m_spy->clear();
        const Result r = detach(a, 1, 2, false);
        m_detachedAt = now();
        QCOMPARE(r.errorName, QString());
        QCOMPARE(r.device, QStringLiteral("/dev/etherd/e1.2"));
        QCOMPARE(r.message,
                 QStringLiteral("detached /dev/etherd/e1.2; the aoe driver attaches it again when "
                                "its target next answers: at the driver's own discovery (every 60 "
                                "s), when the target restarts and advertises itself, or when "
                                "anyone asks the driver to discover, unless you remove eth0 from "
                                "its interfaces"));
        QVERIFY(!exists(QStringLiteral("/dev/etherd/e1.2")));
        QVERIFY(!exists(QStringLiteral("/sys/block/etherd!e1.2")));
        QCOMPARE(a.attachedDevice(1, 2), QString());
        QVERIFY(spyHas(*m_spy, 1, 2, QString()));
        // "e1.2" is a prefix of "e1.20", which the driver would flush as well
        // if the name were written without its NUL: it stays
        QCOMPARE(a.attachedDevice(1, 20), QStringLiteral("/dev/etherd/e1.20"));
        QCOMPARE(readTrimmed(QStringLiteral("/sys/block/etherd!e1.20/state")),
                 QStringLiteral("up"));
        QVERIFY(!spyHas(*m_spy, 1, 20, QString()));
    }

    void detachedTargetComesBackAtTheDriversDiscovery()
    {
        // Nobody asks the driver anything now. Its discovery timer fires every
        // 60 s from the module load (drivers/block/aoe/aoemain.c); the kernel's
        // timer wheel rounds a 60 s timer up by at most 512 jiffies (2.05 s at
        // Debian's HZ=250). So e1.2 is back at load + 60 k s, k the first tick
        // after the detach, within [load + 60 k, load + 60 k + 2.05] plus 2 s
        // for the answer, the IDENTIFY and the new disk in this emulated guest.
        const int k = int((m_detachedAt - m_loadEarliest) / 60.0) + 1;
        const double earliest = m_loadEarliest + 60.0 * k - 0.5;
        const double latest = m_loadLatest + 60.0 * k + 2.05 + 2.0;
        qInfo("detached %.2f s after the load: expecting e1.2 back at tick %d, within [%.2f, %.2f] "
              "s after the load (now %.2f)",
              m_detachedAt - m_loadEarliest, k, earliest - m_loadEarliest, latest - m_loadEarliest,
              now() - m_loadEarliest);
        if (!QTest::qWaitFor(
                [&] { return spyHas(*m_spy, 1, 2, QStringLiteral("/dev/etherd/e1.2")); },
                int((latest - now()) * 1000) + 5000)) {
            dumpDriverState();
            QFAIL("e1.2 was not seen back");
        }
        const double back = now();
        qInfo("back %.2f s after the detach, %.2f s after the load (window [%.2f, %.2f])",
              back - m_detachedAt, back - m_loadEarliest, earliest - m_loadEarliest,
              latest - m_loadEarliest);
        QVERIFY2(back >= earliest && back <= latest,
                 qPrintable(QStringLiteral("e1.2 came back %1 s after the load, outside [%2, %3]")
                                .arg(back - m_loadEarliest)
                                .arg(earliest - m_loadEarliest)
                                .arg(latest - m_loadEarliest)));
        QCOMPARE(m_attacher->attachedDevice(1, 2), QStringLiteral("/dev/etherd/e1.2"));
    }

    void attachedChangedForAnAttachFromOutside()
    {
        Attacher &a = *m_attacher;
        Result r = detach(a, 1, 20, false);
        QCOMPARE(r.errorName, QString());
        QCOMPARE(a.attachedDevice(1, 20), QString());
        QCOMPARE(a.attachedDevice(1, 2), QStringLiteral("/dev/etherd/e1.2"));
        // as an administrator's aoe-discover would: not through the Attacher
        m_spy->clear();
        QString out;
        QVERIFY(runCommand(QStringLiteral("sh"),
                           { QStringLiteral("-c"), QStringLiteral("echo > /dev/etherd/discover") },
                           &out));
        QTRY_VERIFY_WITH_TIMEOUT(spyHas(*m_spy, 1, 20, QStringLiteral("/dev/etherd/e1.20")), 5000);
        QCOMPARE(a.attachedDevice(1, 20), QStringLiteral("/dev/etherd/e1.20"));
    }
};

QTEST_GUILESS_MAIN(TestAttacher)
#include "tst_attacher.moc"
