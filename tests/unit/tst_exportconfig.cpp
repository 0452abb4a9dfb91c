// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
//
// The exports file: parsing, errors naming the line, canonical output, and
// atomic replacement.

#include "etherdisk/exportconfig.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>

using namespace Etherdisk;

class tst_ExportConfig final : public QObject
{
    Q_OBJECT

private slots:
    void parseFullExample();
    void defaults();
    void errors_data();
    void errors();
    void roundTrip();
    void addresses();
    void atomicWrite();
    void atomicWriteFailureKeepsOldFile();
};

void tst_ExportConfig::parseFullExample()
{
    const std::string text = R"(# two exports
[export 1.2]
path = /srv/aoe/disk.img
interfaces = eth0, eth1
write-mode = sync   # durable
read-only = false
buffer-count = 128
offset = 8
length = 1000
allow = 02:ae:00:00:00:01, 02ae00000002
model = Backup disk
serial = B-1

[export e65534.254]
path=/dev/sdb
interfaces=veth0
read-only=yes
write-mode=direct
wire-acl = refuse
)";
    std::vector<ExportConfig> e;
    std::string error;
    QVERIFY2(parseExportsFile(text, &e, &error), error.c_str());
    QCOMPARE(e.size(), std::size_t(2));
    QCOMPARE(e[0].shelf, 1);
    QCOMPARE(e[0].slot, 2);
    QCOMPARE(e[0].path, std::string("/srv/aoe/disk.img"));
    QCOMPARE(e[0].interfaces, (std::vector<std::string>{ "eth0", "eth1" }));
    QCOMPARE(e[0].writeMode, WriteMode::Sync);
    QCOMPARE(e[0].readOnly, false);
    QCOMPARE(e[0].bufferCount, 128);
    QCOMPARE(e[0].offset, std::uint64_t(8));
    QCOMPARE(e[0].length, std::uint64_t(1000));
    QCOMPARE(e[0].allowedMacs.size(), std::size_t(2));
    QCOMPARE(e[0].allowedMacs[1][5], 2);
    QCOMPARE(e[0].model, std::string("Backup disk"));
    QCOMPARE(e[0].serial, std::string("B-1"));
    QCOMPARE(e[1].shelf, 65534);
    QCOMPARE(e[1].slot, 254);
    QVERIFY(e[1].readOnly);
    QCOMPARE(e[1].writeMode, WriteMode::Direct);
    QCOMPARE(e[1].wireAcl, WireAcl::Refuse);
    QCOMPARE(e[0].wireAcl, WireAcl::Allow);
    QCOMPARE(e[1].name(), std::string("e65534.254"));
}

void tst_ExportConfig::defaults()
{
    std::vector<ExportConfig> e;
    std::string error;
    QVERIFY(parseExportsFile("[export 0.0]\npath=/x\ninterfaces=a\n", &e, &error));
    QCOMPARE(e[0].bufferCount, DefaultBufferCount);
    QCOMPARE(e[0].writeMode, WriteMode::Writeback);
    QCOMPARE(e[0].offset, std::uint64_t(0));
    QVERIFY(!e[0].readOnly);
    QVERIFY(e[0].allowedMacs.empty());
    QVERIFY(parseExportsFile("# nothing\n\n", &e, &error));
    QVERIFY(e.empty());
}

void tst_ExportConfig::errors_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("message");
    const QString ok = QStringLiteral("path=/x\ninterfaces=eth0\n");
    QTest::newRow("unknown key") << QStringLiteral("[export 1.2]\n") + ok
            + QStringLiteral("bufcount = 4\n")
                                 << QStringLiteral("line 4: unknown key \"bufcount\"");
    QTest::newRow("setting before section")
        << QStringLiteral("path = /x\n") << QStringLiteral("line 1: setting outside");
    QTest::newRow("bad address") << QStringLiteral("[export 1]\n") + ok
                                 << QStringLiteral("line 1: \"1\" is not");
    QTest::newRow("broadcast shelf") << QStringLiteral("[export 65535.1]\n") + ok
                                     << QStringLiteral("line 1: shelf 65535 is the broadcast");
    QTest::newRow("broadcast slot") << QStringLiteral("[export 1.255]\n") + ok
                                    << QStringLiteral("line 1: slot 255 is the broadcast");
    QTest::newRow("slot too big") << QStringLiteral("[export 1.256]\n") + ok
                                  << QStringLiteral("line 1:");
    QTest::newRow("duplicate export")
        << QStringLiteral("[export 1.2]\n") + ok + QStringLiteral("[export 1.2]\n") + ok
        << QStringLiteral("line 4: e1.2 is defined twice");
    QTest::newRow("duplicate key")
        << QStringLiteral("[export 1.2]\n") + ok + QStringLiteral("path=/y\n")
        << QStringLiteral("line 4: \"path\" is set twice");
    QTest::newRow("missing path") << QStringLiteral("[export 1.2]\ninterfaces=eth0\n")
                                  << QStringLiteral("line 1: e1.2 has no \"path\"");
    QTest::newRow("missing interfaces") << QStringLiteral("[export 1.2]\npath=/x\n")
                                        << QStringLiteral("line 1: e1.2: no network interface");
    QTest::newRow("buffer count 1")
        << QStringLiteral("[export 1.2]\n") + ok + QStringLiteral("buffer-count=1\n")
        << QStringLiteral("line 1: buffer count 1 is too small");
    QTest::newRow("buffer count text")
        << QStringLiteral("[export 1.2]\n") + ok + QStringLiteral("buffer-count=lots\n")
        << QStringLiteral("line 4: invalid buffer-count \"lots\"");
    QTest::newRow("write mode")
        << QStringLiteral("[export 1.2]\n") + ok + QStringLiteral("write-mode=fast\n")
        << QStringLiteral(
               "line 4: invalid write-mode \"fast\": expected writeback, sync or direct");
    QTest::newRow("wire acl") << QStringLiteral("[export 1.2]\n") + ok
            + QStringLiteral("wire-acl=deny\n")
                              << QStringLiteral(
                                     "line 4: invalid wire-acl \"deny\": expected allow or refuse");
    QTest::newRow("bool") << QStringLiteral("[export 1.2]\n") + ok
            + QStringLiteral("read-only=maybe\n")
                          << QStringLiteral("line 4: invalid read-only");
    QTest::newRow("mac") << QStringLiteral("[export 1.2]\n") + ok
            + QStringLiteral("allow=02:ae:00\n")
                         << QStringLiteral("line 4: \"02:ae:00\" is not a MAC address");
    QTest::newRow("negative offset")
        << QStringLiteral("[export 1.2]\n") + ok + QStringLiteral("offset=-1\n")
        << QStringLiteral("line 4: invalid offset");
    QTest::newRow("no equals") << QStringLiteral("[export 1.2]\npath\n")
                               << QStringLiteral("line 2: expected \"key = value\"");
    QTest::newRow("unterminated section")
        << QStringLiteral("[export 1.2\n") << QStringLiteral("line 1: section header");
    QTest::newRow("other section")
        << QStringLiteral("[target 1.2]\n") << QStringLiteral("line 1: expected a section");
    QTest::newRow("serial too long")
        << QStringLiteral("[export 1.2]\n") + ok + QStringLiteral("serial=123456789012345678901\n")
        << QStringLiteral("line 4: invalid serial");
    QTest::newRow("interface twice")
        << QStringLiteral("[export 1.2]\npath=/x\ninterfaces=eth0,eth0\n")
        << QStringLiteral("listed twice");
}

void tst_ExportConfig::errors()
{
    QFETCH(QString, text);
    QFETCH(QString, message);
    std::vector<ExportConfig> e = { ExportConfig{} };
    e[0].path = "unchanged";
    std::string error;
    QVERIFY(!parseExportsFile(text.toStdString(), &e, &error));
    QVERIFY2(QString::fromStdString(error).contains(message), error.c_str());
    QCOMPARE(e.size(), std::size_t(1)); // output untouched on error
    QCOMPARE(e[0].path, std::string("unchanged"));
}

void tst_ExportConfig::roundTrip()
{
    ExportConfig a;
    a.shelf = 3;
    a.slot = 9;
    a.path = "/srv/a b.img"; // spaces survive
    a.interfaces = { "eth0", "eth1" };
    a.writeMode = WriteMode::Direct;
    a.readOnly = true;
    a.bufferCount = 200;
    a.offset = 1;
    a.length = 2;
    a.allowedMacs = { { 2, 0xae, 0, 0, 0, 1 } };
    a.model = "M";
    a.serial = "S";
    a.wireAcl = WireAcl::Refuse;
    ExportConfig b;
    b.shelf = 4;
    b.slot = 0;
    b.path = "/dev/sdz";
    b.interfaces = { "veth0" };
    const std::string text = formatExportsFile({ a, b });
    std::vector<ExportConfig> back;
    std::string error;
    QVERIFY2(parseExportsFile(text, &back, &error), error.c_str());
    QCOMPARE(back.size(), std::size_t(2));
    QVERIFY(back[0] == a);
    QVERIFY(back[1] == b);
    QCOMPARE(formatExportsFile(back), text);
}

void tst_ExportConfig::addresses()
{
    std::uint16_t shelf = 0;
    std::uint8_t slot = 0;
    QVERIFY(parseAddress("e1.2", &shelf, &slot));
    QCOMPARE(shelf, 1);
    QCOMPARE(slot, 2);
    QVERIFY(parseAddress(" 65535.255 ", &shelf, &slot));
    QVERIFY(!parseAddress("65536.1", &shelf, &slot));
    QVERIFY(!parseAddress("1.256", &shelf, &slot));
    QVERIFY(!parseAddress("1.", &shelf, &slot));
    QVERIFY(!parseAddress("x1.2", &shelf, &slot));
    QVERIFY(!parseAddress("1.2.3", &shelf, &slot));
}

void tst_ExportConfig::atomicWrite()
{
    QTemporaryDir dir;
    const std::string path = dir.filePath(QStringLiteral("exports.conf")).toStdString();
    std::string error;
    QVERIFY2(writeFileAtomically(path, "first\n", &error), error.c_str());
    QVERIFY(writeFileAtomically(path, "second\n", &error, 0600));
    std::string content;
    QVERIFY(readTextFile(path, &content, &error));
    QCOMPARE(content, std::string("second\n"));
    struct stat st
    {
    };
    QCOMPARE(::stat(path.c_str(), &st), 0);
    QCOMPARE(st.st_mode & 0777, 0600u);
    // No temporary file is left behind.
    QCOMPARE(QDir(dir.path()).entryList(QDir::Files),
             QStringList{ QStringLiteral("exports.conf") });
}

void tst_ExportConfig::atomicWriteFailureKeepsOldFile()
{
    QTemporaryDir dir;
    const std::string path = dir.filePath(QStringLiteral("exports.conf")).toStdString();
    std::string error;
    QVERIFY(writeFileAtomically(path, "keep me\n", &error));
    // A directory where the file should go cannot be replaced...
    const std::string blocked = dir.filePath(QStringLiteral("sub")).toStdString();
    QVERIFY(QDir(dir.path()).mkpath(QStringLiteral("sub/inner")));
    QVERIFY(!writeFileAtomically(blocked, "x", &error));
    QVERIFY2(!error.empty(), "an error message is given");
    // ...and a missing directory gives a message naming it.
    QVERIFY(!writeFileAtomically(dir.filePath(QStringLiteral("missing/exports.conf")).toStdString(),
                                 "x", &error));
    QVERIFY2(QString::fromStdString(error).contains(QStringLiteral("missing")), error.c_str());
    std::string content;
    QVERIFY(readTextFile(path, &content, &error));
    QCOMPARE(content, std::string("keep me\n"));
    QCOMPARE(QDir(dir.path()).entryList(QDir::Files),
             QStringList{ QStringLiteral("exports.conf") });
}

QTEST_APPLESS_MAIN(tst_ExportConfig)
#include "tst_exportconfig.moc"
