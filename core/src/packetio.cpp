// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later

#include "etherdisk/packetio.h"

#include <pcap/pcap.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <net/if.h>
#include <netpacket/packet.h>
#include <set>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <unistd.h>

namespace Etherdisk {

namespace {

    constexpr std::size_t TxBatch = 64;
    constexpr int RxBufferBytes = 16 << 20; // kernel ring: absorbs bursts of a 255-deep window
    // The receive ring's slots hold a frame of this MTU at least (jumbo
    // frames), or of the interface's MTU when larger: about 1,800 slots for
    // RxBufferBytes. libpcap would size them for 64 KiB on interfaces with
    // receive offloads (most, and veth), which leaves 256.
    constexpr unsigned MinRingMtu = 9216;
    constexpr unsigned EthernetOverhead = 18; // header and a VLAN tag
    constexpr int TxSocketBytes = 4 << 20;
    // Jumbo frames up to 64 KiB links: nothing larger is ever sent.
    constexpr std::size_t MaxFrame = 65536;
    // While the link is full, queued frames are tried again this often. No
    // event says when the interface queue (ENOBUFS) has room again, and the
    // socket's buffer (EAGAIN) holds far more than the link sends in this
    // time, so a timer costs no throughput. At 100 Mb/s a millisecond drains
    // 12 KB; at 10 Gb/s, 1.2 MB of a send buffer of 8 MiB.
    constexpr long TxRetryNs = 1'000'000;

    std::string sysError(const std::string &what)
    {
        return what + ": " + std::strerror(errno);
    }

} // namespace

struct PacketIo::Pcap
{
    pcap_t *handle = nullptr;
    ~Pcap()
    {
        if (handle)
            pcap_close(handle);
    }
};

namespace {
    const char NoSuchInterfaceText[] = "no such network interface: ";
    const char PermissionText[] = "run as root or grant CAP_NET_RAW";
} // namespace

ErrorKind packetOpenErrorKind(const std::string &message)
{
    if (message.starts_with(NoSuchInterfaceText))
        return ErrorKind::NoSuchInterface;
    if (message.find(PermissionText) != std::string::npos)
        return ErrorKind::PermissionDenied;
    return ErrorKind::Failed;
}

bool queryInterface(const std::string &name, InterfaceInfo *info, std::string *error)
{
    if (name.empty() || name.size() >= IFNAMSIZ) {
        *error = "invalid network interface name \"" + name + "\"";
        return false;
    }
    const int fd = ::socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
    const int sock = fd >= 0 ? fd : ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (sock < 0) {
        *error = sysError("socket");
        return false;
    }
    ifreq ifr{};
    std::memcpy(ifr.ifr_name, name.c_str(), name.size());
    InterfaceInfo out;
    out.name = name;
    bool ok = false;
    do {
        if (::ioctl(sock, SIOCGIFINDEX, &ifr) < 0) {
            *error = errno == ENODEV ? NoSuchInterfaceText + name
                                     : sysError("cannot query interface " + name);
            break;
        }
        out.index = ifr.ifr_ifindex;
        if (::ioctl(sock, SIOCGIFHWADDR, &ifr) < 0) {
            *error = sysError("cannot read the MAC address of " + name);
            break;
        }
        std::memcpy(out.mac.data(), ifr.ifr_hwaddr.sa_data, Aoe::MacSize);
        if (::ioctl(sock, SIOCGIFMTU, &ifr) < 0) {
            *error = sysError("cannot read the MTU of " + name);
            break;
        }
        out.mtu = static_cast<unsigned>(ifr.ifr_mtu);
        if (::ioctl(sock, SIOCGIFFLAGS, &ifr) < 0) {
            *error = sysError("cannot read the state of " + name);
            break;
        }
        out.up = (ifr.ifr_flags & IFF_UP) && (ifr.ifr_flags & IFF_RUNNING);
        ok = true;
    } while (false);
    ::close(sock);
    if (ok)
        *info = out;
    return ok;
}

bool addressedToUs(std::span<const std::uint8_t> frame, const Aoe::MacAddress &local)
{
    if (frame.size() < 2 * Aoe::MacSize + 2)
        return false;
    if (frame[Aoe::MacSize] & 0x01)
        return false; // group source: no host has it, an answer would reach many
    const auto dst = frame.first(Aoe::MacSize);
    return std::equal(dst.begin(), dst.end(), local.begin())
        || std::equal(dst.begin(), dst.end(), Aoe::BroadcastMac.begin());
}

std::string PacketFilter::expression(const Aoe::MacAddress &local) const
{
    // Unicast source (the group bit is the lowest bit of its first byte), and
    // addressed to us or to everyone: as addressedToUs().
    std::string e = "ether proto 0x88a2 and ether[6] & 0x01 == 0 and (ether dst "
        + Aoe::formatMac(local) + " or ether broadcast)";
    switch (direction) {
    case Direction::Requests:
        e += " and ether[14] & 0x08 == 0";
        break;
    case Direction::Responses:
        e += " and ether[14] & 0x08 != 0";
        break;
    case Direction::Both:
        break;
    }
    if (addresses.empty())
        return e;
    // The program is bounded: the kernel keeps a socket's classic BPF filter
    // in its option memory (net.core.optmem_max, 20 KiB by default, about
    // 2,500 instructions); beyond that libpcap filters every frame in
    // userspace, and compiling grows with every address (each export added
    // recompiles them all). Up to MaxFilterAddresses exports, one clause
    // each; more, one per shelf; more shelves than that, none: the engine's
    // own lookup by address drops what is not ours either way.
    if (addresses.size() <= MaxFilterAddresses) {
        e += " and (";
        for (std::size_t i = 0; i < addresses.size(); ++i) {
            if (i)
                e += " or ";
            const std::string shelf = std::to_string(addresses[i].shelf);
            const std::string slot = std::to_string(addresses[i].slot);
            e += "((ether[16:2] == " + shelf + " or ether[16:2] == 0xffff) and (ether[18] == "
                + slot + " or ether[18] == 0xff))";
        }
        return e + ")";
    }
    std::set<std::uint16_t> shelves;
    for (const Address &a : addresses)
        shelves.insert(a.shelf);
    if (shelves.size() > MaxFilterAddresses)
        return e;
    e += " and (ether[16:2] == 0xffff";
    for (std::uint16_t shelf : shelves)
        e += " or ether[16:2] == " + std::to_string(shelf);
    return e + ")";
}

std::unique_ptr<PacketIo> PacketIo::open(const std::string &interface, const PacketFilter &filter,
                                         std::string *error)
{
    std::unique_ptr<PacketIo> io(new PacketIo);
    if (!queryInterface(interface, &io->m_info, error))
        return nullptr;

    char errbuf[PCAP_ERRBUF_SIZE] = {};
    io->m_pcap = std::make_unique<Pcap>();
    pcap_t *p = pcap_create(interface.c_str(), errbuf);
    if (!p) {
        *error = "cannot open " + interface + ": " + errbuf;
        return nullptr;
    }
    io->m_pcap->handle = p;
    io->m_ringMtu = std::max(io->m_info.mtu, MinRingMtu);
    pcap_set_snaplen(p, int(io->m_ringMtu + EthernetOverhead));
    pcap_set_promisc(p, 0);
    pcap_set_immediate_mode(p, 1); // no block timeout: latency matters more than batching here
    pcap_set_buffer_size(p, RxBufferBytes);
    const int rc = pcap_activate(p);
    if (rc < 0) {
        const std::string why = pcap_geterr(p);
        if (rc == PCAP_ERROR_PERM_DENIED)
            *error =
                "permission denied opening " + interface + " for raw frames: " + PermissionText;
        else if (rc == PCAP_ERROR_NO_SUCH_DEVICE)
            *error = NoSuchInterfaceText + interface;
        else
            *error = "cannot capture on " + interface + ": " + why;
        return nullptr;
    }
    if (pcap_datalink(p) != DLT_EN10MB) {
        *error = interface + " is not an Ethernet interface";
        return nullptr;
    }
    // Our own transmissions are looped back to packet sockets: never see them.
    if (pcap_setdirection(p, PCAP_D_IN) < 0) {
        *error = "cannot restrict " + interface + " to inbound frames: " + pcap_geterr(p);
        return nullptr;
    }
    // pcap_setdirection drops our own transmissions in user space only: the
    // kernel still clones every frame sent on the interface (by us or by
    // another socket of ours, like the helper's discovery next to its
    // engine) into this socket, runs the filter on it and, when it passes,
    // copies it into the ring and wakes us. Since Linux 4.20 it can leave this
    // socket out of that altogether. Older kernels refuse the option; the
    // user-space check above then still applies.
    {
        const int one = 1;
        (void)::setsockopt(pcap_fileno(p), SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof one);
    }
    if (pcap_setnonblock(p, 1, errbuf) < 0) {
        *error = std::string("pcap_setnonblock: ") + errbuf;
        return nullptr;
    }
    if (!io->setFilter(filter, error))
        return nullptr;

    // protocol 0: send only. Non-blocking: a full link must never stall the caller.
    io->m_txFd = ::socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (io->m_txFd < 0) {
        *error = errno == EPERM
            ? std::string("permission denied opening a packet socket: ") + PermissionText
            : sysError("socket(AF_PACKET)");
        return nullptr;
    }
    sockaddr_ll sll{};
    sll.sll_family = AF_PACKET;
    sll.sll_ifindex = io->m_info.index;
    sll.sll_protocol = 0;
    if (::bind(io->m_txFd, reinterpret_cast<sockaddr *>(&sll), sizeof sll) < 0) {
        *error = sysError("cannot bind a packet socket to " + interface);
        return nullptr;
    }
    // Beyond net.core.wmem_max when we may (CAP_NET_ADMIN), so that how much
    // the link buffers does not depend on a system setting.
    const int sndbuf = TxSocketBytes;
    if (::setsockopt(io->m_txFd, SOL_SOCKET, SO_SNDBUFFORCE, &sndbuf, sizeof sndbuf) < 0)
        ::setsockopt(io->m_txFd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);

    io->m_retryFd = ::timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    if (io->m_retryFd < 0) {
        *error = sysError("timerfd_create");
        return nullptr;
    }
    io->m_tx.reserve(TxQueueFrames);
    io->m_txSlots.reserve(TxQueueFrames);
    io->m_freeSlots.reserve(TxQueueFrames);
    return io;
}

PacketIo::~PacketIo()
{
    for (const int fd : { m_txFd, m_retryFd })
        if (fd >= 0)
            ::close(fd);
}

bool PacketIo::refreshInfo(std::string *error)
{
    InterfaceInfo info;
    if (!queryInterface(m_info.name, &info, error))
        return false;
    const bool macChanged = info.mac != m_info.mac;
    m_info = info;
    // The filter names our MAC: follow it, or we would answer for the old
    // address and ignore requests to the new one.
    return !macChanged || setFilter(m_filter, error);
}

bool PacketIo::setFilter(const PacketFilter &filter, std::string *error)
{
    pcap_t *p = m_pcap->handle;
    bpf_program prog{};
    const std::string expr = filter.expression(m_info.mac);
    if (expr == m_filterExpression) {
        if (&filter != &m_filter)
            m_filter = filter;
        return true; // the same program: nothing to compile
    }
    if (pcap_compile(p, &prog, expr.c_str(), 1, PCAP_NETMASK_UNKNOWN) < 0) {
        *error = "cannot compile packet filter \"" + expr + "\": " + pcap_geterr(p);
        return false;
    }
    const int rc = pcap_setfilter(p, &prog);
    pcap_freecode(&prog);
    if (rc < 0) {
        *error = std::string("cannot install packet filter: ") + pcap_geterr(p);
        return false;
    }
    if (&filter != &m_filter)
        m_filter = filter;
    m_filterExpression = expr;
    return true;
}

int PacketIo::txFd() const
{
    return m_retryFd;
}

int PacketIo::fd() const
{
    return pcap_get_selectable_fd(m_pcap->handle);
}

namespace {
    struct DispatchContext
    {
        PacketIo::Handler handler;
        void *ctx;
        const Aoe::MacAddress *local;
        std::uint64_t *rejected;
    };

    void dispatchOne(u_char *user, const pcap_pkthdr *h, const u_char *bytes)
    {
        auto *d = reinterpret_cast<DispatchContext *>(user);
        const std::span<const std::uint8_t> frame{ bytes, h->caplen };
        // The kernel filter already dropped these; frames that arrived while
        // it was being replaced may still be in the ring.
        if (!addressedToUs(frame, *d->local)) {
            ++*d->rejected;
            return;
        }
        d->handler(d->ctx, frame);
    }
} // namespace

int PacketIo::receive(int max, Handler handler, void *ctx, std::string *error)
{
    if (!m_tx.empty()) {
        std::string ignored; // counted; flush() reports them to its caller
        sendQueued(&ignored);
    }
    DispatchContext d{ handler, ctx, &m_info.mac, &m_counters.rejected };
    const int n = pcap_dispatch(m_pcap->handle, max, dispatchOne, reinterpret_cast<u_char *>(&d));
    if (n < 0) {
        *error = m_info.name + ": " + pcap_geterr(m_pcap->handle);
        return -1;
    }
    m_counters.received += std::uint64_t(n);
    return n;
}

bool PacketIo::push(const TxFrame &frame, bool copy)
{
    if (frame.bytes > MaxFrame)
        return false;
    if (m_tx.size() >= TxBatch && !m_waitingForRoom) {
        std::string ignored; // counted; the next flush() reports errors
        sendQueued(&ignored);
    }
    if (m_tx.size() >= TxQueueFrames || m_txBytes + frame.bytes > TxQueueBytes) {
        ++m_counters.txDropped; // the link has not taken frames for a while
        return false;
    }
    TxFrame f = frame;
    if (copy && !copyToSlot(&f))
        return false;
    m_tx.push_back(f);
    m_txBytes += f.bytes;
    return true;
}

// Replaces the frame's pieces by one copy of them in a slot. A tail is read
// with pread() from its file, never from its mapping (see queueRef): false,
// and the slot given back, when that comes back short.
bool PacketIo::copyToSlot(TxFrame *f)
{
    if (m_freeSlots.empty()) {
        m_freeSlots.push_back(std::int32_t(m_txSlots.size()));
        m_txSlots.emplace_back();
    }
    const std::int32_t index = m_freeSlots.back();
    std::vector<std::uint8_t> &slot = m_txSlots[std::size_t(index)];
    const auto *head = static_cast<const std::uint8_t *>(f->iov[0].iov_base);
    slot.assign(head, head + f->iov[0].iov_len); // reuses the slot's capacity
    if (f->iovCount == 2) {
        const std::size_t tail = f->iov[1].iov_len;
        slot.resize(f->bytes);
        ssize_t n;
        do
            n = ::pread(f->tailFd, slot.data() + f->iov[0].iov_len, tail, off_t(f->tailOffset));
        while (n < 0 && errno == EINTR);
        if (n < 0 || std::size_t(n) != tail) {
            ++m_counters.sendErrors;
            ++m_counters.sendFaults;
            return false;
        }
    }
    m_freeSlots.pop_back();
    f->slot = index;
    f->iov[0] = { slot.data(), slot.size() };
    f->iovCount = 1;
    f->tailFd = -1;
    return true;
}

bool PacketIo::queue(std::span<const std::uint8_t> frame)
{
    TxFrame f;
    f.iov[0] = { const_cast<std::uint8_t *>(frame.data()), frame.size() };
    f.bytes = frame.size();
    return push(f, true);
}

bool PacketIo::queueRef(std::span<const std::uint8_t> frame)
{
    TxFrame f;
    f.iov[0] = { const_cast<std::uint8_t *>(frame.data()), frame.size() };
    f.bytes = frame.size();
    return push(f, false);
}

bool PacketIo::queueRef(std::span<const std::uint8_t> head, std::span<const std::uint8_t> tail,
                        int tailFd, std::uint64_t tailOffset)
{
    TxFrame f;
    f.iov[0] = { const_cast<std::uint8_t *>(head.data()), head.size() };
    f.iov[1] = { const_cast<std::uint8_t *>(tail.data()), tail.size() };
    f.iovCount = 2;
    f.bytes = head.size() + tail.size();
    f.tailFd = tailFd;
    f.tailOffset = tailOffset;
    return push(f, false);
}

bool PacketIo::sendQueued(std::string *error)
{
    if (m_retryArmed) {
        const itimerspec off{};
        ::timerfd_settime(m_retryFd, 0, &off, nullptr);
        std::uint64_t expirations;
        [[maybe_unused]] const ssize_t ignored =
            ::read(m_retryFd, &expirations, sizeof expirations);
        m_retryArmed = false;
    }
    mmsghdr msgs[TxBatch];
    std::size_t done = 0;
    bool ok = true;
    bool linkFull = false;
    while (done < m_tx.size()) {
        const std::size_t n = std::min(TxBatch, m_tx.size() - done);
        std::memset(msgs, 0, sizeof(mmsghdr) * n);
        for (std::size_t i = 0; i < n; ++i) {
            msgs[i].msg_hdr.msg_iov = m_tx[done + i].iov;
            msgs[i].msg_hdr.msg_iovlen = m_tx[done + i].iovCount;
        }
        const int rc = ::sendmmsg(m_txFd, msgs, static_cast<unsigned>(n), MSG_DONTWAIT);
        if (rc < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS) {
                // No room: this frame and the rest wait for the link.
                ++m_counters.txDeferred;
                linkFull = true;
                break;
            }
            // This frame was refused for good (the link went down, a frame
            // larger than the MTU): count it as lost on the wire, send the rest.
            // EFAULT is the frame's own data (a mapping of a truncated file,
            // see queueRef), not the link: counted apart, and no error.
            ++m_counters.sendErrors;
            if (errno == EFAULT) {
                ++m_counters.sendFaults;
            } else {
                *error = sysError("send on " + m_info.name);
                ok = false;
            }
            ++done;
            continue;
        }
        m_counters.sent += std::uint64_t(rc);
        done += std::size_t(rc);
    }
    for (std::size_t i = 0; i < done; ++i) {
        m_txBytes -= m_tx[i].bytes;
        if (m_tx[i].slot >= 0)
            m_freeSlots.push_back(m_tx[i].slot);
    }
    m_tx.erase(m_tx.begin(), m_tx.begin() + std::ptrdiff_t(done));
    if (linkFull)
        waitForRoom();
    else
        stopWaiting();
    return ok;
}

void PacketIo::waitForRoom()
{
    m_waitingForRoom = true;
    itimerspec once{};
    once.it_value.tv_nsec = TxRetryNs;
    m_retryArmed = ::timerfd_settime(m_retryFd, 0, &once, nullptr) == 0;
}

void PacketIo::stopWaiting()
{
    m_waitingForRoom = false;
    if (m_freeSlots.size() == m_txSlots.size() && m_txSlots.size() > TxBatch) {
        // A backlog has drained: keep the copies' memory of one batch only.
        m_txSlots.resize(TxBatch);
        m_freeSlots.clear();
        for (std::size_t i = TxBatch; i-- > 0;)
            m_freeSlots.push_back(std::int32_t(i));
    }
}

bool PacketIo::flush(std::string *error)
{
    const bool ok = sendQueued(error);
    // The caller reuses the bytes of queueRef() frames once we return: copy
    // those still waiting for the link.
    // Frames whose tail cannot be read any more are dropped (a lost frame).
    std::erase_if(m_tx, [this](TxFrame &f) {
        if (f.slot >= 0 || copyToSlot(&f))
            return false;
        m_txBytes -= f.bytes;
        return true;
    });
    return ok;
}

bool PacketIo::send(std::span<const std::uint8_t> frame, std::string *error)
{
    if (!queue(frame)) {
        *error = "frame of " + std::to_string(frame.size()) + " bytes is too large to send";
        return false;
    }
    return flush(error);
}

PacketIo::Counters PacketIo::counters()
{
    pcap_stat st{};
    if (pcap_stats(m_pcap->handle, &st) == 0) {
        m_counters.kernelDrops = st.ps_drop;
        m_counters.kernelPassed = st.ps_recv;
    }
    return m_counters;
}

} // namespace Etherdisk
