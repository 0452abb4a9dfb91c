// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
//
// IDENTIFY DEVICE page: builder and parser (aoe-protocol.md §4.2).

#include "etherdisk/ata.h"

#include <QTest>

#include <array>

using namespace Etherdisk::Ata;

namespace {

std::uint16_t word(const std::array<std::uint8_t, IdentifySize> &page, int w)
{
    return std::uint16_t(page[2 * w] | (page[2 * w + 1] << 8));
}

} // namespace

class tst_Ata final : public QObject
{
    Q_OBJECT

private slots:
    void wordsForSmallDisk();
    void lba28CapAndLba48Capacity();
    void stringsSwappedAndPadded();
    void parseRoundTrip_data();
    void parseRoundTrip();
    void parseLba28OnlyDevice();
    void checksumDetectsCorruption();
    void nonPrintableStrings();
    void capacityBeyond48BitsIsCapped();
};

void tst_Ata::wordsForSmallDisk()
{
    std::array<std::uint8_t, IdentifySize> page{};
    IdentifyInfo info;
    info.sectors = 8192; // 4 MiB
    info.model = "Etherdisk";
    info.serial = "7.3:host";
    info.firmware = "0.1";
    buildIdentify(page, info);
    QCOMPARE(word(page, 49) & 0x0200, 0x0200); // LBA supported
    QCOMPARE(word(page, 60), 8192); // LBA28 capacity low
    QCOMPARE(word(page, 61), 0);
    QCOMPARE(word(page, 83), 0x4000 | 0x2000 | 0x1000 | 0x0400); // valid, FLUSH EXT, FLUSH, LBA48
    QCOMPARE(word(page, 86), 0x2000 | 0x1000 | 0x0400);
    QCOMPARE(word(page, 100), 8192);
    QCOMPARE(word(page, 101), 0);
    QCOMPARE(word(page, 3), 16); // heads
    QCOMPARE(word(page, 6), 63); // sectors per track
    QCOMPARE(word(page, 1), 8); // 8192 / (16*63)
    QCOMPARE(page[510], 0xA5); // integrity signature
}

void tst_Ata::lba28CapAndLba48Capacity()
{
    std::array<std::uint8_t, IdentifySize> page{};
    IdentifyInfo info;
    info.sectors = 0x123456789ull; // ~2.4 TiB: beyond LBA28
    buildIdentify(page, info);
    QCOMPARE(word(page, 60), 0xFFFF);
    QCOMPARE(word(page, 61), 0x0FFF); // capped at 0x0FFFFFFF
    QCOMPARE(word(page, 100), 0x6789);
    QCOMPARE(word(page, 101), 0x2345);
    QCOMPARE(word(page, 102), 0x0001);
    QCOMPARE(word(page, 103), 0);
    QCOMPARE(word(page, 1), 16383); // legacy cylinders capped
}

void tst_Ata::stringsSwappedAndPadded()
{
    std::array<std::uint8_t, IdentifySize> page{};
    IdentifyInfo info;
    info.model = "ABC";
    info.serial = "12345678901234567890XYZ"; // longer than 20: cut
    info.firmware = "V1";
    buildIdentify(page, info);
    // Model at word 27: "AB" stored as 'B','A', then 'C',' '... byte-swapped.
    QCOMPARE(page[54], 'B');
    QCOMPARE(page[55], 'A');
    QCOMPARE(page[56], ' ');
    QCOMPARE(page[57], 'C');
    QCOMPARE(page[58], ' ');
    QCOMPARE(page[93], ' '); // last model byte (word 46)
    QCOMPARE(page[20], '2'); // serial word 10
    QCOMPARE(page[21], '1');
    QCOMPARE(page[38], '0'); // serial word 19 holds "90"
    QCOMPARE(page[39], '9');
    QCOMPARE(page[46], '1'); // firmware word 23 holds "V1"
    QCOMPARE(page[47], 'V');
}

void tst_Ata::parseRoundTrip_data()
{
    QTest::addColumn<quint64>("sectors");
    QTest::addColumn<bool>("lba48");
    QTest::newRow("1 sector") << quint64(1) << true;
    QTest::newRow("exactly lba28 max") << quint64(MaxLba28Sectors) << true;
    QTest::newRow("lba48 max") << quint64(MaxLba48Sectors) << true;
    QTest::newRow("lba28 only") << quint64(1000000) << false;
}

void tst_Ata::parseRoundTrip()
{
    QFETCH(quint64, sectors);
    QFETCH(bool, lba48);
    std::array<std::uint8_t, IdentifySize> page{};
    IdentifyInfo in;
    in.sectors = sectors;
    in.lba48 = lba48;
    in.flushCache = true;
    in.flushCacheExt = lba48;
    in.model = "Etherdisk export 1.2";
    in.serial = "ED0001000200ABCDEF01";
    in.firmware = "0.1.0";
    buildIdentify(page, in);
    const IdentifyInfo out = parseIdentify(page);
    QCOMPARE(out.sectors, lba48 ? sectors : std::min<quint64>(sectors, MaxLba28Sectors));
    QCOMPARE(out.lba48, lba48);
    QCOMPARE(out.flushCache, true);
    QCOMPARE(out.flushCacheExt, lba48);
    QCOMPARE(out.model, in.model);
    QCOMPARE(out.serial, in.serial);
    QCOMPARE(out.firmware, in.firmware);
    QVERIFY(out.checksumPresent);
    QVERIFY(out.checksumValid);
}

void tst_Ata::parseLba28OnlyDevice()
{
    // A device that supports LBA48 but has it disabled (word 86 bit 10
    // clear) is read as LBA28, as Linux does.
    std::array<std::uint8_t, IdentifySize> page{};
    IdentifyInfo in;
    in.sectors = 5000;
    buildIdentify(page, in);
    page[2 * 86 + 1] &= ~0x04; // clear bit 10 of word 86
    page[2 * 100] = 0x99; // a stale LBA48 value must not be used
    const IdentifyInfo out = parseIdentify(page);
    QVERIFY(!out.lba48);
    QCOMPARE(out.sectors, quint64(5000));
    QVERIFY(!out.checksumValid); // we edited the page
}

void tst_Ata::checksumDetectsCorruption()
{
    std::array<std::uint8_t, IdentifySize> page{};
    IdentifyInfo in;
    in.sectors = 42;
    buildIdentify(page, in);
    QVERIFY(parseIdentify(page).checksumValid);
    page[100] ^= 0x01;
    QVERIFY(parseIdentify(page).checksumPresent);
    QVERIFY(!parseIdentify(page).checksumValid);
    page[510] = 0; // no signature: checksum not claimed
    QVERIFY(!parseIdentify(page).checksumPresent);
}

void tst_Ata::nonPrintableStrings()
{
    std::array<std::uint8_t, 8> field{};
    encodeAtaString(field,
                    std::string("a\x01\xff"
                                "b",
                                4));
    QCOMPARE(decodeAtaString(field), std::string("a??b"));
    std::array<std::uint8_t, 8> spaces{};
    encodeAtaString(spaces, "");
    QCOMPARE(decodeAtaString(spaces), std::string());
}

void tst_Ata::capacityBeyond48BitsIsCapped()
{
    // Found by fuzz_identify (regressions/identify/all-ones): words 100-103
    // are 64 bits wide, but nothing past 2^48 sectors is addressable.
    std::array<std::uint8_t, IdentifySize> page;
    page.fill(0xff);
    const IdentifyInfo info = parseIdentify(page);
    QVERIFY(info.lba48);
    QCOMPARE(info.sectors, MaxLba48Sectors);
}

QTEST_APPLESS_MAIN(tst_Ata)
#include "tst_ata.moc"
