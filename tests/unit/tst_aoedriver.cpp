// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
//
// core's AoeDriver against a fake sysfs / /dev/etherd / /proc tree in a
// temporary directory: the parsers, what is written to the driver's control
// files (byte for byte), malformed attributes, modprobe failures. The real
// driver is exercised in the qemu guest (tests/kernel/tst_attacher.cpp).

#include "etherdisk/aoedriver.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace Etherdisk;
using namespace Etherdisk::AoeDriver;

class TestAoeDriver : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    Paths m_paths;

    QString path(const QString &relative) const { return m_dir.filePath(relative); }
    void write(const QString &relative, const QByteArray &content)
    {
        QDir().mkpath(QFileInfo(path(relative)).path());
        QFile f(path(relative));
        QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
        QCOMPARE(f.write(content), content.size());
    }
    QByteArray read(const QString &relative) const
    {
        QFile f(path(relative));
        return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray("<missing>");
    }
    void addDevice(const QString &name, const QByteArray &dev, const QByteArray &payload = "1024\n")
    {
        const QString d = QStringLiteral("sys/block/etherd!") + name + QLatin1Char('/');
        write(d + QStringLiteral("state"), "up\n");
        write(d + QStringLiteral("mac"), "02ae00000001\n");
        write(d + QStringLiteral("netif"), "eth0,eth1\n");
        write(d + QStringLiteral("firmware-version"), "0x4019\n");
        write(d + QStringLiteral("payload"), payload);
        write(d + QStringLiteral("size"), "16384\n");
        write(d + QStringLiteral("dev"), dev);
        QDir().mkpath(path(d + QStringLiteral("holders")));
    }
    QString script(const QString &name, const QByteArray &body)
    {
        write(name, "#!/bin/sh\n" + body);
        QFile::setPermissions(path(name), QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
        return path(name);
    }

private Q_SLOTS:
    void init()
    {
        QVERIFY(m_dir.isValid());
        QDir(m_dir.path()).removeRecursively();
        QDir().mkpath(m_dir.path());
        m_paths = Paths{};
        m_paths.sysfs = path(QStringLiteral("sys")).toStdString();
        m_paths.devDir = path(QStringLiteral("dev/etherd")).toStdString();
        m_paths.proc = path(QStringLiteral("proc")).toStdString();
        QDir().mkpath(path(QStringLiteral("sys/block")));
        QDir().mkpath(path(QStringLiteral("dev/etherd")));
        QDir().mkpath(path(QStringLiteral("proc/self")));
        write(QStringLiteral("proc/self/mountinfo"),
              "22 1 8:1 / / rw,relatime - ext4 /dev/sda1 rw\n");
    }

    void deviceNames_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<bool>("ok");
        QTest::addColumn<int>("shelf");
        QTest::addColumn<int>("slot");
        QTest::newRow("sysfs entry") << "etherd!e1.2" << true << 1 << 2;
        QTest::newRow("bare") << "e0.0" << true << 0 << 0;
        QTest::newRow("largest") << "e65535.255" << true << 65535 << 255;
        QTest::newRow("shelf too large") << "e65536.0" << false << 0 << 0;
        QTest::newRow("slot too large") << "e1.256" << false << 0 << 0;
        QTest::newRow("leading zero") << "e01.2" << false << 0 << 0;
        QTest::newRow("no slot") << "e1." << false << 0 << 0;
        QTest::newRow("no dot") << "e12" << false << 0 << 0;
        QTest::newRow("sign") << "e+1.2" << false << 0 << 0;
        QTest::newRow("trailing") << "e1.2p1" << false << 0 << 0;
        QTest::newRow("other disk") << "sda" << false << 0 << 0;
        QTest::newRow("empty") << "" << false << 0 << 0;
        QTest::newRow("huge") << "e99999999999999999999999.1" << false << 0 << 0;
    }
    void deviceNames()
    {
        QFETCH(QString, text);
        QFETCH(bool, ok);
        std::uint16_t shelf = 7;
        std::uint8_t slot = 7;
        QCOMPARE(parseDeviceName(text.toStdString(), &shelf, &slot), ok);
        if (ok) {
            QTEST(int(shelf), "shelf");
            QTEST(int(slot), "slot");
        }
    }

    void parsers()
    {
        std::vector<std::string> names;
        QVERIFY(parseInterfaceList("eth0\n", &names));
        QCOMPARE(names, (std::vector<std::string>{ "eth0" }));
        QVERIFY(parseInterfaceList(" eth0 lo,eth1\t\n", &names));
        QCOMPARE(names, (std::vector<std::string>{ "eth0", "lo", "eth1" }));
        QVERIFY(parseInterfaceList("eth0 eth0", &names));
        QCOMPARE(names.size(), std::size_t(1));
        QVERIFY(parseInterfaceList("\n", &names));
        QVERIFY(names.empty());
        QVERIFY(!parseInterfaceList("eth0 a/b", &names));
        QVERIFY(!parseInterfaceList("abcdefghijklmnop", &names)); // 16 bytes
        QVERIFY(parseInterfaceList("abcdefghijklmno", &names)); // 15
        QVERIFY(!parseInterfaceList(std::string_view("eth\0", 4), &names));

        std::uint16_t fw = 0;
        QVERIFY(parseFirmwareVersion("0x4019", &fw));
        QCOMPARE(fw, std::uint16_t(0x4019));
        QVERIFY(!parseFirmwareVersion("4019", &fw));
        QVERIFY(!parseFirmwareVersion("0x", &fw));
        QVERIFY(!parseFirmwareVersion("0x10000", &fw));
        QVERIFY(!parseFirmwareVersion("0x-1", &fw));

        std::string mac;
        QVERIFY(parseMac("02AE00000001", &mac));
        QCOMPARE(mac, std::string("02ae00000001"));
        QVERIFY(parseMac("none", &mac));
        QVERIFY(mac.empty());
        QVERIFY(!parseMac("02:ae:00:00:00:01", &mac));

        unsigned ma = 0;
        unsigned mi = 0;
        QVERIFY(parseDevNumber("152:16", &ma, &mi));
        QCOMPARE(ma, 152u);
        QCOMPARE(mi, 16u);
        QVERIFY(!parseDevNumber("152", &ma, &mi));
        QVERIFY(!parseDevNumber("4096:0", &ma, &mi));
        QVERIFY(!parseDevNumber("152:-1", &ma, &mi));

        std::string where;
        QVERIFY(parseMountinfoLine("36 35 152:0 / /mnt/my\\040disk rw - ext4 /dev/etherd/e1.2 rw",
                                   &ma, &mi, &where));
        QCOMPARE(ma, 152u);
        QCOMPARE(mi, 0u);
        QCOMPARE(where, std::string("/mnt/my disk"));
        QVERIFY(!parseMountinfoLine("36 35 152:0", &ma, &mi, &where));
        QVERIFY(!parseMountinfoLine("", &ma, &mi, &where));
        QVERIFY(!parseMountinfoLine("36 35 x:y / /mnt rw", &ma, &mi, &where));

        std::string value;
        QVERIFY(parseAttribute("up\n", &value));
        QCOMPARE(value, std::string("up"));
        QVERIFY(!parseAttribute("up\ndown\n", &value));
        QVERIFY(!parseAttribute(std::string_view("u\0p", 3), &value));
        std::uint64_t n = 0;
        QVERIFY(parseUnsigned("16384", 1 << 20, &n));
        QVERIFY(!parseUnsigned("16384", 100, &n));
        QVERIFY(!parseUnsigned("", 100, &n));
        QVERIFY(!parseUnsigned("1 ", 100, &n));
    }

    void devicesFromSysfs()
    {
        addDevice(QStringLiteral("e1.2"), "152:0\n");
        addDevice(QStringLiteral("e1.20"), "152:16\n");
        QDir().mkpath(path(QStringLiteral("sys/block/sda"))); // not the driver's
        Driver driver(m_paths);
        std::vector<Device> devices;
        const Error e = driver.devices(&devices);
        QCOMPARE(e.kind, ErrorKind::None);
        QCOMPARE(devices.size(), std::size_t(2));
        const Device &d = devices[0];
        QCOMPARE(d.name, std::string("e1.2"));
        QCOMPARE(d.node, m_paths.devDir + "/e1.2");
        QCOMPARE(d.shelf, std::uint16_t(1));
        QCOMPARE(d.slot, std::uint8_t(2));
        QVERIFY(d.up);
        QCOMPARE(d.state, std::string("up"));
        QCOMPARE(d.mac, std::string("02ae00000001"));
        QCOMPARE(d.interfaces, (std::vector<std::string>{ "eth0", "eth1" }));
        QCOMPARE(d.firmwareVersion, std::uint16_t(0x4019));
        QCOMPARE(d.payload, 1024u);
        QCOMPARE(d.sectors, std::uint64_t(16384));
        QCOMPARE(d.major, 152u);
        QCOMPARE(d.minor, 0u);
        QCOMPARE(devices[1].minor, 16u);

        Device one;
        QCOMPARE(driver.device(1, 20, &one).kind, ErrorKind::None);
        QCOMPARE(one.name, std::string("e1.20"));
        const Error missing = driver.device(1, 3, &one);
        QCOMPARE(missing.kind, ErrorKind::NotFound);
        QVERIFY(missing.message.find("e1.3") != std::string::npos);

        write(QStringLiteral("sys/block/etherd!e1.2/state"), "down,closewait\n");
        QCOMPARE(driver.device(1, 2, &one).kind, ErrorKind::None);
        QVERIFY(!one.up);
        QCOMPARE(one.state, std::string("down,closewait"));
    }

    void malformedIsAnError_data()
    {
        QTest::addColumn<QString>("attribute");
        QTest::addColumn<QByteArray>("content");
        QTest::newRow("payload not a number") << "payload" << QByteArray("abc\n");
        QTest::newRow("payload negative") << "payload" << QByteArray("-1\n");
        QTest::newRow("state unknown") << "state" << QByteArray("sideways\n");
        QTest::newRow("state empty") << "state" << QByteArray("");
        QTest::newRow("mac short") << "mac" << QByteArray("02ae\n");
        QTest::newRow("netif bad name") << "netif" << QByteArray("eth0,a/b\n");
        QTest::newRow("firmware") << "firmware-version" << QByteArray("v25\n");
        QTest::newRow("size huge") << "size" << QByteArray("99999999999999999999999\n");
        QTest::newRow("dev") << "dev" << QByteArray("152\n");
        QTest::newRow("control characters") << "state" << QByteArray("up\x01\n");
        QTest::newRow("longer than a page") << "mac" << QByteArray(5000, 'a');
    }
    void malformedIsAnError()
    {
        QFETCH(QString, attribute);
        QFETCH(QByteArray, content);
        addDevice(QStringLiteral("e1.2"), "152:0\n");
        addDevice(QStringLiteral("e2.3"), "152:16\n");
        write(QStringLiteral("sys/block/etherd!e1.2/") + attribute, content);
        Driver driver(m_paths);
        std::vector<Device> devices;
        const Error e = driver.devices(&devices);
        QCOMPARE(e.kind, ErrorKind::Failed);
        QVERIFY2(e.message.find("etherd!e1.2/" + attribute.toStdString()) != std::string::npos,
                 e.message.c_str());
        // the well-formed device is still listed
        QCOMPARE(devices.size(), std::size_t(1));
        QCOMPARE(devices[0].name, std::string("e2.3"));
        Device d;
        QCOMPARE(driver.device(1, 2, &d).kind, ErrorKind::Failed);
    }

    void interfaces()
    {
        Driver driver(m_paths);
        std::vector<std::string> names;
        // not loaded
        QCOMPARE(driver.allowedInterfaces(&names).kind, ErrorKind::NotFound);
        QVERIFY(!driver.loaded());
        const QString param = QStringLiteral("sys/module/aoe/parameters/aoe_iflist");
        write(param, "eth0\n");
        QVERIFY(driver.loaded());
        write(QStringLiteral("dev/etherd/interfaces"), "");
        QCOMPARE(driver.allowedInterfaces(&names).kind, ErrorKind::None);
        QCOMPARE(names, (std::vector<std::string>{ "eth0" }));

        // adding one keeps the others: the list is written once, as the driver takes it
        bool changed = false;
        QCOMPARE(driver.allowInterface("eth1", &changed).kind, ErrorKind::None);
        QVERIFY(changed);
        QCOMPARE(read(QStringLiteral("dev/etherd/interfaces")), QByteArray("eth0 eth1"));

        // already there: nothing written
        write(QStringLiteral("dev/etherd/interfaces"), "untouched");
        QCOMPARE(driver.allowInterface("eth0", &changed).kind, ErrorKind::None);
        QVERIFY(!changed);
        QCOMPARE(read(QStringLiteral("dev/etherd/interfaces")), QByteArray("untouched"));

        // an empty list allows every interface: left alone
        write(param, "\n");
        QCOMPARE(driver.allowInterface("eth1", &changed).kind, ErrorKind::None);
        QVERIFY(!changed);
        QCOMPARE(read(QStringLiteral("dev/etherd/interfaces")), QByteArray("untouched"));

        // bad names are refused, nothing written
        for (const char *bad : { "", "a b", "a,b", "../x", "abcdefghijklmnop" }) {
            const Error e = driver.allowInterface(bad, &changed);
            QCOMPARE(e.kind, ErrorKind::InvalidArgument);
        }
        QCOMPARE(driver.setAllowedInterfaces({ "eth0", "x:y" }).kind, ErrorKind::InvalidArgument);
        QCOMPARE(read(QStringLiteral("dev/etherd/interfaces")), QByteArray("untouched"));

        // a malformed parameter is an error, not a guess
        write(param, "eth0 a/b\n");
        QCOMPARE(driver.allowInterface("eth1", &changed).kind, ErrorKind::Failed);
        QCOMPARE(read(QStringLiteral("dev/etherd/interfaces")), QByteArray("untouched"));

        // longer than the driver takes (IFLISTSZ)
        std::vector<std::string> many;
        for (int i = 0; i < 100; ++i)
            many.push_back("interface" + std::to_string(i));
        QCOMPARE(driver.setAllowedInterfaces(many).kind, ErrorKind::InvalidArgument);
        QCOMPARE(read(QStringLiteral("dev/etherd/interfaces")), QByteArray("untouched"));
    }

    void discoverAndFlushWriteExactly()
    {
        Driver driver(m_paths);
        // missing control files are errors
        QCOMPARE(driver.discover().kind, ErrorKind::NotFound);
        QCOMPARE(driver.flush(1, 2).kind, ErrorKind::NotFound);
        QVERIFY(!driver.ready());
        write(QStringLiteral("dev/etherd/discover"), "");
        write(QStringLiteral("dev/etherd/flush"), "");
        QVERIFY(driver.ready());
        QCOMPARE(driver.discover().kind, ErrorKind::None);
        QCOMPARE(read(QStringLiteral("dev/etherd/discover")), QByteArray("\n"));
        // the name with its NUL: the driver would take "e1.2" as a prefix of e1.20
        QCOMPARE(driver.flush(1, 2).kind, ErrorKind::None);
        QCOMPARE(read(QStringLiteral("dev/etherd/flush")), QByteArray("e1.2\0", 5));
        QCOMPARE(driver.flush(65535, 255).kind, ErrorKind::None);
        QCOMPARE(read(QStringLiteral("dev/etherd/flush")), QByteArray("e65535.255\0", 11));
    }

    void busyReasons()
    {
        addDevice(QStringLiteral("e1.2"), "152:0\n");
        addDevice(QStringLiteral("e1.20"), "152:16\n");
        // a partition of e1.2
        write(QStringLiteral("sys/block/etherd!e1.2/e1.2p1/partition"), "1\n");
        write(QStringLiteral("sys/block/etherd!e1.2/e1.2p1/dev"), "152:1\n");
        QDir().mkpath(path(QStringLiteral("sys/dev/block/152:0/holders")));
        QDir().mkpath(path(QStringLiteral("sys/dev/block/152:1/holders")));
        Driver driver(m_paths);
        Device d;
        QCOMPARE(driver.device(1, 2, &d).kind, ErrorKind::None);
        std::string reason;
        QCOMPARE(driver.busyReason(d, &reason).kind, ErrorKind::None);
        QCOMPARE(reason, std::string());

        // another device's mount is not ours
        write(QStringLiteral("proc/self/mountinfo"),
              "22 1 8:1 / / rw - ext4 /dev/sda1 rw\n40 22 152:16 / /other rw - ext4 x rw\n");
        QCOMPARE(driver.busyReason(d, &reason).kind, ErrorKind::None);
        QCOMPARE(reason, std::string());

        write(QStringLiteral("proc/self/mountinfo"),
              "22 1 8:1 / / rw - ext4 /dev/sda1 rw\n40 22 152:0 / /mnt/a\\040b rw - ext4 x rw\n");
        QCOMPARE(driver.busyReason(d, &reason).kind, ErrorKind::None);
        QCOMPARE(reason, d.node + " is mounted on /mnt/a b: unmount it first");

        write(QStringLiteral("proc/self/mountinfo"),
              "22 1 8:1 / / rw - ext4 /dev/sda1 rw\n41 22 152:1 / /data rw - ext4 x rw\n");
        QCOMPARE(driver.busyReason(d, &reason).kind, ErrorKind::None);
        QCOMPARE(reason, d.node + " (partition e1.2p1) is mounted on /data: unmount it first");

        // a mount in another namespace (another process's mountinfo)
        write(QStringLiteral("proc/self/mountinfo"), "22 1 8:1 / / rw - ext4 /dev/sda1 rw\n");
        write(QStringLiteral("proc/4242/mountinfo"), "50 1 152:0 / /container rw - ext4 x rw\n");
        QVERIFY(QDir().mkpath(path(QStringLiteral("proc/4242/ns"))));
        QVERIFY(QFile::link(QStringLiteral("mnt:[4026531841]"),
                            path(QStringLiteral("proc/4242/ns/mnt"))));
        QCOMPARE(driver.busyReason(d, &reason).kind, ErrorKind::None);
        QCOMPARE(reason,
                 d.node
                     + " is mounted on /container (in another mount namespace): unmount it first");
        QDir(path(QStringLiteral("proc/4242"))).removeRecursively();

        // held by device mapper
        write(QStringLiteral("sys/dev/block/152:1/holders/dm-3"), "");
        QCOMPARE(driver.busyReason(d, &reason).kind, ErrorKind::None);
        QCOMPARE(reason,
                 d.node
                     + " (partition e1.2p1) is in use by dm-3 (LVM, encryption or RAID): stop "
                       "that first");
    }

    void modprobeFailures()
    {
        Paths paths = m_paths;
        paths.modprobe = path(QStringLiteral("no-such-modprobe")).toStdString();
        Error e = Driver(paths).load({ "eth0" });
        QCOMPARE(e.kind, ErrorKind::NotSupported);
        QVERIFY2(e.message.starts_with("the Linux aoe driver is not available on this kernel "
                                       "(modprobe aoe failed: cannot run "),
                 e.message.c_str());

        // modprobe's own words end up in the message; the arguments are as given
        paths.modprobe = script(QStringLiteral("fake-modprobe"),
                                "echo \"$*\" > \"$(dirname \"$0\")/args\"\n"
                                "echo \"modprobe: FATAL: Module $1 not found in directory "
                                "/lib/modules/x\" >&2\nexit 1\n")
                             .toStdString();
        e = Driver(paths).load({ "eth0", "eth1" });
        QCOMPARE(e.kind, ErrorKind::NotSupported);
        QCOMPARE(e.message,
                 std::string("the Linux aoe driver is not available on this kernel (modprobe aoe "
                             "failed: modprobe: FATAL: Module aoe not found in directory "
                             "/lib/modules/x)"));
        QCOMPARE(read(QStringLiteral("args")), QByteArray("aoe aoe_iflist=eth0,eth1\n"));

        // a shell would run this; posix_spawn passes it as one argument
        QCOMPARE(Driver(paths).load({ "$(touch x)" }).kind, ErrorKind::InvalidArgument);

        paths.modprobe = script(QStringLiteral("ok-modprobe"), "exit 0\n").toStdString();
        QCOMPARE(Driver(paths).load({}).kind, ErrorKind::None);

        paths.modprobe = script(QStringLiteral("killed-modprobe"), "kill -9 $$\n").toStdString();
        e = Driver(paths).load({});
        QCOMPARE(e.kind, ErrorKind::NotSupported);
        QVERIFY2(e.message.find("killed by signal 9") != std::string::npos, e.message.c_str());

        // hanging: given up at the time limit, the child killed and reaped
        paths.modprobe = script(QStringLiteral("slow-modprobe"), "exec sleep 30\n").toStdString();
        QElapsedTimer t;
        t.start();
        e = Driver(paths).load({}, 500);
        QCOMPARE(e.kind, ErrorKind::Failed);
        QVERIFY2(t.elapsed() >= 450 && t.elapsed() < 3000,
                 qPrintable(QString::number(t.elapsed())));
        QVERIFY2(e.message.find("did not finish") != std::string::npos, e.message.c_str());
    }
};

QTEST_GUILESS_MAIN(TestAoeDriver)
#include "tst_aoedriver.moc"
