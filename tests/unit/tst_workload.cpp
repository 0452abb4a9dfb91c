// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
//
// The workload's verification parts without a network: the pattern pinned
// to known bytes (computed independently of core, so any change to the
// generator fails here), checkPattern, the SectorSet of acknowledged
// writes and its file, and verifyAcknowledged against an image file in
// which one acknowledged block did not reach the disk.

#include "etherdisk/workload.h"

#include <QByteArray>
#include <QCryptographicHash>
#include <QTemporaryFile>
#include <QTest>

#include <fcntl.h>
#include <unistd.h>

using namespace Etherdisk;

namespace {

QByteArray pattern(std::uint64_t lba, std::size_t sectors)
{
    QByteArray out(qsizetype(sectors * 512), '\0');
    fillPattern(reinterpret_cast<std::uint8_t *>(out.data()), lba, sectors);
    return out;
}

std::vector<std::pair<std::uint64_t, std::uint64_t>> runs(const SectorSet &set)
{
    std::vector<std::pair<std::uint64_t, std::uint64_t>> out;
    set.forEachRun([&out](std::uint64_t lba, std::uint64_t sectors) {
        out.emplace_back(lba, sectors);
        return true;
    });
    return out;
}

using Runs = std::vector<std::pair<std::uint64_t, std::uint64_t>>;

// A SectorReader over an image file, as the target's disk.
SectorReader fileReader(int fd)
{
    return [fd](std::uint64_t lba, std::uint8_t *out, std::size_t sectors, std::string *error) {
        const ssize_t n = ::pread(fd, out, sectors * 512, off_t(lba * 512));
        if (n != ssize_t(sectors * 512)) {
            *error = "short read at sector " + std::to_string(lba);
            return false;
        }
        return true;
    };
}

} // namespace

class tst_Workload final : public QObject
{
    Q_OBJECT

private slots:
    void patternKnownVectors();
    void checkPatternFindsWrongData();
    void sectorSet();
    void sectorSetFile();
    void sectorSetFileRejectsBadInput_data();
    void sectorSetFileRejectsBadInput();
    void verifyAcknowledgedCatchesALostWrite();
    void verifyAcknowledgedReportsReadErrorsAndStop();
};

void tst_Workload::patternKnownVectors()
{
    // Values from an independent implementation (Python) of the documented
    // generator: x = (lba << 6 | word) + 0x9E3779B97F4A7C15;
    // x = (x ^ x >> 30) * 0xBF58476D1CE4E5B9; x ^ x >> 27 (mod 2^64).
    QCOMPARE(patternWord(0, 0), 0x6f682616bae3641aull);
    QCOMPARE(patternWord(0, 1), 0xad70fc770089d4ceull);
    QCOMPARE(patternWord(0, 63), 0x58ae924a2e4156ceull);
    QCOMPARE(patternWord(1, 0), 0x99564ac7346763b3ull);
    QCOMPARE(patternWord(12345, 7), 0x1d7dd7bd937df976ull);
    QCOMPARE(patternWord((std::uint64_t(1) << 40) + 3, 31), 0x24a8d764ee426746ull);

    // The bytes on disk: little-endian words.
    QCOMPARE(pattern(0, 1).left(16).toHex(), QByteArray("1a64e3ba1626686fced4890077fc70ad"));
    const QByteArray s5 = pattern(5, 1);
    QCOMPARE(s5.left(16).toHex(), QByteArray("100c2530efb79df1506493ae3d8ea62f"));
    QCOMPARE(s5.right(8).toHex(), QByteArray("75ebbbbb0d24e4da"));
    // A whole 4 KiB block, and the same sectors filled one at a time.
    const QByteArray block = pattern(1000, 8);
    QCOMPARE(QCryptographicHash::hash(block, QCryptographicHash::Sha256).toHex(),
             QByteArray("2d47f59932ddca5e13fb9722164c5f6367fea51c4781089322aff5b39f3369a7"));
    QByteArray pieces;
    for (std::uint64_t lba = 1000; lba < 1008; ++lba)
        pieces += pattern(lba, 1);
    QCOMPARE(pieces, block);
}

void tst_Workload::checkPatternFindsWrongData()
{
    QByteArray data = pattern(100, 4);
    const auto *p = reinterpret_cast<const std::uint8_t *>(data.constData());
    std::uint64_t bad = 0;
    QCOMPARE(checkPattern(p, 100, 4, &bad), 0u);
    // Data of the neighbouring LBAs, or shifted by one word within a sector.
    QCOMPARE(checkPattern(p, 101, 4, &bad), 4u);
    QCOMPARE(bad, 101u);
    const QByteArray shifted = data.mid(8) + data.left(8);
    QCOMPARE(
        checkPattern(reinterpret_cast<const std::uint8_t *>(shifted.constData()), 100, 4, &bad),
        4u);
    // One flipped bit in the last byte of sector 102.
    data[2 * 512 + 511] = char(data[2 * 512 + 511] ^ 1);
    p = reinterpret_cast<const std::uint8_t *>(data.constData());
    QCOMPARE(checkPattern(p, 100, 4, &bad), 1u);
    QCOMPARE(bad, 102u);
    // A sector of zeros is no pattern.
    const QByteArray zeros(512, '\0');
    QCOMPARE(checkPattern(reinterpret_cast<const std::uint8_t *>(zeros.constData()), 7, 1, &bad),
             1u);
    QCOMPARE(bad, 7u);
}

void tst_Workload::sectorSet()
{
    SectorSet s(200); // not a multiple of 64: the last word is partly outside
    QCOMPARE(s.range(), 200u);
    QCOMPARE(s.count(), 0u);
    QVERIFY(runs(s).empty());

    QVERIFY(s.add(60, 8)); // across a word boundary
    QVERIFY(s.add(0, 1));
    QVERIFY(s.add(64, 64)); // a whole word, overlapping the first run
    QVERIFY(s.add(196, 4)); // up to the end of the range
    QVERIFY(s.add(10, 0)); // nothing
    QCOMPARE(s.count(), 1u + 4 + 64 + 4);
    QCOMPARE(runs(s), (Runs{ { 0, 1 }, { 60, 68 }, { 196, 4 } }));
    QVERIFY(s.contains(0) && !s.contains(1) && !s.contains(59) && s.contains(60));
    QVERIFY(s.contains(127) && !s.contains(128) && s.contains(199) && !s.contains(200));

    // Adding what is there changes nothing; beyond the range is refused whole.
    QVERIFY(s.add(61, 3));
    QCOMPARE(s.count(), 73u);
    QVERIFY(!s.add(199, 2));
    QVERIFY(!s.add(201, 1));
    QVERIFY(!s.add(1, ~std::uint64_t(0)));
    QCOMPARE(s.count(), 73u);
    QVERIFY(!s.contains(198 + 2));

    // forEachRun stops when told to.
    int calls = 0;
    s.forEachRun([&calls](std::uint64_t, std::uint64_t) { return ++calls < 2; });
    QCOMPARE(calls, 2);

    // Everything: one run.
    SectorSet all(128);
    QVERIFY(all.add(0, 128));
    QCOMPARE(runs(all), (Runs{ { 0, 128 } }));
    SectorSet none;
    QVERIFY(runs(none).empty());
    QVERIFY(!none.add(0, 1));
}

void tst_Workload::sectorSetFile()
{
    SectorSet s(1 << 20);
    QVERIFY(s.add(8, 8));
    QVERIFY(s.add(16, 8));
    QVERIFY(s.add(1000000, 3));
    QTemporaryFile f;
    QVERIFY(f.open());
    std::string error;
    QVERIFY2(writeSectorSet(s, f.fileName().toStdString(), &error), error.c_str());
    QCOMPARE(f.readAll(),
             QByteArray("# acknowledged writes: LBA SECTORS, 19 of 1048576 sectors\n"
                        "8 16\n"
                        "1000000 3\n"));
    SectorSet back(1 << 20);
    QVERIFY2(readSectorSet(f.fileName().toStdString(), &back, &error), error.c_str());
    QCOMPARE(back.count(), s.count());
    QCOMPARE(runs(back), runs(s));

    QVERIFY(!writeSectorSet(s, "/nonexistent-dir/acked", &error));
    QVERIFY2(error.find("/nonexistent-dir/acked") != std::string::npos, error.c_str());
}

void tst_Workload::sectorSetFileRejectsBadInput_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QString>("message");
    QTest::newRow("one field") << QByteArray("8 8\n16\n") << QStringLiteral(":2: expected");
    QTest::newRow("three fields") << QByteArray("8 8 8\n") << QStringLiteral(":1: expected");
    QTest::newRow("negative") << QByteArray("-8 8\n") << QStringLiteral(":1: expected");
    QTest::newRow("zero sectors") << QByteArray("# c\n8 0\n") << QStringLiteral(":2: expected");
    QTest::newRow("not a number") << QByteArray("8 x\n") << QStringLiteral(":1: expected");
    QTest::newRow("too large") << QByteArray("99999999999999999999 1\n")
                               << QStringLiteral(":1: expected");
    QTest::newRow("beyond the range")
        << QByteArray("0 8\n1020 8\n") << QStringLiteral(":2: sectors 1020+8 are beyond the 1024");
}

void tst_Workload::sectorSetFileRejectsBadInput()
{
    QFETCH(QByteArray, text);
    QFETCH(QString, message);
    QTemporaryFile f;
    QVERIFY(f.open());
    QCOMPARE(f.write(text), text.size());
    QVERIFY(f.flush());
    SectorSet s(1024);
    std::string error;
    QVERIFY(!readSectorSet(f.fileName().toStdString(), &s, &error));
    QVERIFY2(QString::fromStdString(error).contains(message), error.c_str());
    QVERIFY(!readSectorSet("/nonexistent-file", &s, &error));
}

void tst_Workload::verifyAcknowledgedCatchesALostWrite()
{
    // An image as a random write run of 4 KiB requests leaves it: the
    // acknowledged blocks carry the pattern, the rest is zeros.
    constexpr std::uint64_t Sectors = 4096;
    QByteArray disk(qsizetype(Sectors * 512), '\0');
    SectorSet acked(Sectors);
    std::uint64_t x = 12345;
    for (int i = 0; i < 200; ++i) {
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        const std::uint64_t lba = (x >> 33) % (Sectors / 8) * 8;
        QVERIFY(acked.add(lba, 8));
        fillPattern(reinterpret_cast<std::uint8_t *>(disk.data()) + lba * 512, lba, 8);
    }
    QVERIFY(acked.count() > 8 * 100 && acked.count() < Sectors);
    std::uint64_t untouched = Sectors; // the first block no write reached
    for (std::uint64_t lba = 0; lba < Sectors && untouched == Sectors; lba += 8)
        if (!acked.contains(lba))
            untouched = lba;
    QVERIFY(untouched < Sectors);
    std::uint64_t lost = 0; // an acknowledged block in the middle of the run list
    std::uint64_t seen = 0;
    acked.forEachRun([&](std::uint64_t lba, std::uint64_t sectors) {
        seen += sectors;
        lost = lba + (sectors / 8 / 2) * 8;
        return seen < acked.count() / 2;
    });

    QTemporaryFile image;
    QVERIFY(image.open());
    QCOMPARE(image.write(disk), disk.size());
    QVERIFY(image.flush());
    const int fd = image.handle();

    VerifyReport r = verifyAcknowledged(acked, fileReader(fd));
    QVERIFY2(r.ok(), r.error.c_str());
    QCOMPARE(r.checkedSectors, acked.count());
    QCOMPARE(r.mismatches, 0u);

    // Exactly the acknowledged sectors are checked: a block no write
    // reached may hold anything.
    const QByteArray junk(4096, 'J');
    QCOMPARE(::pwrite(fd, junk.constData(), 4096, off_t(untouched * 512)), ssize_t(4096));
    r = verifyAcknowledged(acked, fileReader(fd));
    QVERIFY2(r.ok(), r.error.c_str());

    // One acknowledged block that never reached the disk (still zeros) is
    // reported, and only it.
    const QByteArray zeros(4096, '\0');
    QCOMPARE(::pwrite(fd, zeros.constData(), 4096, off_t(lost * 512)), ssize_t(4096));
    r = verifyAcknowledged(acked, fileReader(fd));
    QVERIFY(!r.ok());
    QVERIFY(r.error.empty());
    QCOMPARE(r.mismatches, 8u);
    QCOMPARE(r.firstBadLba, lost);
    QCOMPARE(r.checkedSectors, acked.count());

    // So is an older write of the same LBA (the pattern of another sector).
    QCOMPARE(::pwrite(fd, disk.constData() + lost * 512, 4096, off_t(lost * 512)), ssize_t(4096));
    QVERIFY(verifyAcknowledged(acked, fileReader(fd)).ok());
    const QByteArray other = pattern(lost + 8, 8);
    QCOMPARE(::pwrite(fd, other.constData(), 4096, off_t(lost * 512)), ssize_t(4096));
    r = verifyAcknowledged(acked, fileReader(fd));
    QCOMPARE(r.mismatches, 8u);
    QCOMPARE(r.firstBadLba, lost);
}

void tst_Workload::verifyAcknowledgedReportsReadErrorsAndStop()
{
    SectorSet acked(1 << 16);
    QVERIFY(acked.add(0, 5000)); // three 1 MiB reads
    QVERIFY(acked.add(60000, 8));
    std::vector<std::pair<std::uint64_t, std::size_t>> calls;
    VerifyReport r = verifyAcknowledged(
        acked, [&calls](std::uint64_t lba, std::uint8_t *out, std::size_t sectors, std::string *) {
            calls.emplace_back(lba, sectors);
            fillPattern(out, lba, sectors);
            return true;
        });
    QVERIFY(r.ok());
    QCOMPARE(r.checkedSectors, 5008u);
    QCOMPARE(calls,
             (std::vector<std::pair<std::uint64_t, std::size_t>>{
                 { 0, 2048 }, { 2048, 2048 }, { 4096, 904 }, { 60000, 8 } }));

    r = verifyAcknowledged(acked,
                           [](std::uint64_t lba, std::uint8_t *, std::size_t, std::string *error) {
                               *error = "no answer for sector " + std::to_string(lba);
                               return lba < 2048;
                           });
    QCOMPARE(r.error, std::string("no answer for sector 2048"));
    QVERIFY(!r.ok());

    std::atomic<bool> stop{ false };
    r = verifyAcknowledged(
        acked,
        [&stop](std::uint64_t lba, std::uint8_t *out, std::size_t sectors, std::string *) {
            fillPattern(out, lba, sectors);
            stop = true;
            return true;
        },
        &stop);
    QCOMPARE(r.checkedSectors, 2048u);
    QCOMPARE(r.error, std::string("verification interrupted after 2048 of 5008 sectors"));
}

QTEST_GUILESS_MAIN(tst_Workload)
#include "tst_workload.moc"
