// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
//
// PacketFilter::expression: the kernel filter of a target's interface,
// compiled by libpcap as PacketIo::setFilter compiles it and run on frames
// with pcap_offline_filter. What it lets through, and that it stays small
// however many exports share the interface (a target with 1000 exports got
// a program the kernel would not take: libpcap then filtered in userspace,
// and every export added recompiled all of them, so 1000 took minutes to
// come up and answered only in part).
#include "etherdisk/aoeframe.h"
#include "etherdisk/packetio.h"

#include <QTest>

#include <pcap/pcap.h>

using namespace Etherdisk;
using namespace Etherdisk::Aoe;

namespace {

const MacAddress Local{ 0x02, 0xed, 0, 0, 0, 0x01 };
const MacAddress Peer{ 0x02, 0xed, 0, 0, 0, 0x02 };

// A Query Config request from Peer to `dst` for shelf.slot.
std::vector<std::uint8_t> request(const MacAddress &dst, std::uint16_t shelf, std::uint8_t slot)
{
    std::vector<std::uint8_t> frame(MinFrameSize);
    const std::size_t n = buildQueryConfigRequest(frame, Peer, dst, shelf, slot, 1);
    frame.resize(std::max<std::size_t>(n, MinFrameSize));
    return frame;
}

class Program
{
public:
    explicit Program(const PacketFilter &filter) : m_pcap(pcap_open_dead(DLT_EN10MB, 65535))
    {
        const std::string expr = filter.expression(Local);
        m_ok = m_pcap && pcap_compile(m_pcap, &m_prog, expr.c_str(), 1, PCAP_NETMASK_UNKNOWN) == 0;
        if (!m_ok && m_pcap)
            m_error = pcap_geterr(m_pcap);
    }
    ~Program()
    {
        if (m_ok)
            pcap_freecode(&m_prog);
        if (m_pcap)
            pcap_close(m_pcap);
    }
    Program(const Program &) = delete;
    Program &operator=(const Program &) = delete;

    bool ok() const { return m_ok; }
    const char *error() const { return m_error.c_str(); }
    unsigned instructions() const { return m_prog.bf_len; }
    bool passes(const std::vector<std::uint8_t> &frame) const
    {
        pcap_pkthdr h{};
        h.caplen = h.len = bpf_u_int32(frame.size());
        return pcap_offline_filter(&m_prog, &h, frame.data()) != 0;
    }

private:
    pcap_t *m_pcap;
    bpf_program m_prog{};
    bool m_ok = false;
    std::string m_error;
};

PacketFilter filterFor(int count, int slotsPerShelf)
{
    PacketFilter f;
    f.direction = PacketFilter::Direction::Requests;
    for (int i = 0; i < count; ++i)
        f.addresses.push_back(
            { std::uint16_t(10 + i / slotsPerShelf), std::uint8_t(i % slotsPerShelf) });
    return f;
}

// The kernel's limit: a classic BPF program of at most this many
// instructions fits the default net.core.optmem_max (20 KiB, 8 bytes each,
// less the socket's other options); we stay far below it.
constexpr unsigned KernelBudget = 2000;

} // namespace

class tst_PacketFilter : public QObject
{
    Q_OBJECT
private slots:
    void fewAddressesEachChecked();
    void manyAddressesByShelf();
    void manyShelvesNoAddressCheck();
    void sizeBounded_data();
    void sizeBounded();
};

// Up to MaxFilterAddresses exports: exactly their addresses (and wildcards
// that match them), to us or broadcast, from a unicast source.
void tst_PacketFilter::fewAddressesEachChecked()
{
    const Program p(filterFor(3, 25)); // e10.0, e10.1, e10.2
    QVERIFY2(p.ok(), p.error());
    QVERIFY(p.passes(request(Local, 10, 1)));
    QVERIFY(p.passes(request(BroadcastMac, 10, 2)));
    QVERIFY(p.passes(request(BroadcastMac, BroadcastShelf, BroadcastSlot)));
    QVERIFY(p.passes(request(Local, 10, BroadcastSlot)));
    QVERIFY(p.passes(request(Local, BroadcastShelf, 0)));
    QVERIFY(!p.passes(request(Local, 10, 3)));
    QVERIFY(!p.passes(request(Local, 11, 0)));
    QVERIFY(!p.passes(request(Peer, 10, 1))); // for another host
}

// More: every address of the listed shelves passes (the engine's lookup
// drops the rest); other shelves do not.
void tst_PacketFilter::manyAddressesByShelf()
{
    const Program p(filterFor(1000, 250)); // shelves 10-13
    QVERIFY2(p.ok(), p.error());
    QVERIFY(p.passes(request(Local, 10, 0)));
    QVERIFY(p.passes(request(Local, 13, 249)));
    QVERIFY(p.passes(request(BroadcastMac, BroadcastShelf, BroadcastSlot)));
    QVERIFY(!p.passes(request(Local, 14, 0)));
    QVERIFY(!p.passes(request(Local, 9, 0)));
    QVERIFY(!p.passes(request(Peer, 10, 0)));
}

// More shelves than that: every request to us or to everyone.
void tst_PacketFilter::manyShelvesNoAddressCheck()
{
    const Program p(filterFor(1000, 25)); // shelves 10-49
    QVERIFY2(p.ok(), p.error());
    QVERIFY(p.passes(request(Local, 49, 24)));
    QVERIFY(p.passes(request(Local, 500, 1)));
    QVERIFY(!p.passes(request(Peer, 10, 0)));
    std::vector<std::uint8_t> response = request(Local, 10, 0);
    response[14] |= FlagResponse;
    QVERIFY(!p.passes(response));
}

void tst_PacketFilter::sizeBounded_data()
{
    QTest::addColumn<int>("count");
    QTest::addColumn<int>("slotsPerShelf");
    for (int count : { 1, 32, 33, 100, 1000, 65535 })
        for (int perShelf : { 1, 25, 255 })
            QTest::addRow("%d exports, %d a shelf", count, perShelf) << count << perShelf;
}

// Whatever the exports, the program fits the kernel with room to spare.
void tst_PacketFilter::sizeBounded()
{
    QFETCH(int, count);
    QFETCH(int, slotsPerShelf);
    const Program p(filterFor(count, slotsPerShelf));
    QVERIFY2(p.ok(), p.error());
    QVERIFY2(p.instructions() <= KernelBudget / 4,
             qPrintable(QStringLiteral("%1 instructions").arg(p.instructions())));
}

QTEST_GUILESS_MAIN(tst_PacketFilter)
#include "tst_packetfilter.moc"
