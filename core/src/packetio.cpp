// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later

#include "etherdisk/packetio.h"

#include <pcap/pcap.h>

#include <cerrno>
#include <cstring>
#include <net/if.h>
#include <netpacket/packet.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

namespace Etherdisk {

namespace {

    constexpr std::size_t TxBatch = 64;
    constexpr int RxBufferBytes = 16 << 20; // kernel ring: absorbs bursts of a 255-deep window
    constexpr int TxSocketBytes = 4 << 20;

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

std::string PacketFilter::expression() const
{
    std::string e = "ether proto 0x88a2";
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
    e += " and (";
    for (std::size_t i = 0; i < addresses.size(); ++i) {
        if (i)
            e += " or ";
        const std::string shelf = std::to_string(addresses[i].shelf);
        const std::string slot = std::to_string(addresses[i].slot);
        e += "((ether[16:2] == " + shelf + " or ether[16:2] == 0xffff) and (ether[18] == " + slot
            + " or ether[18] == 0xff))";
    }
    e += ")";
    return e;
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
    pcap_set_snaplen(p, 65535);
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
    if (pcap_setnonblock(p, 1, errbuf) < 0) {
        *error = std::string("pcap_setnonblock: ") + errbuf;
        return nullptr;
    }
    if (!io->setFilter(filter, error))
        return nullptr;

    io->m_txFd = ::socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0); // protocol 0: send only
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
    const int sndbuf = TxSocketBytes;
    ::setsockopt(io->m_txFd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
    // Jumbo frames up to 64 KiB links: size the batch from the largest frame we may send.
    io->m_maxFrame = 65536;
    io->m_txBuffer.resize(TxBatch * io->m_maxFrame);
    io->m_txIov.reserve(TxBatch);
    return io;
}

PacketIo::~PacketIo()
{
    if (m_txFd >= 0)
        ::close(m_txFd);
}

bool PacketIo::refreshInfo(std::string *error)
{
    InterfaceInfo info;
    if (!queryInterface(m_info.name, &info, error))
        return false;
    m_info = info;
    return true;
}

bool PacketIo::setFilter(const PacketFilter &filter, std::string *error)
{
    pcap_t *p = m_pcap->handle;
    bpf_program prog{};
    const std::string expr = filter.expression();
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
    return true;
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
    };

    void dispatchOne(u_char *user, const pcap_pkthdr *h, const u_char *bytes)
    {
        auto *d = reinterpret_cast<DispatchContext *>(user);
        d->handler(d->ctx, { bytes, h->caplen });
    }
} // namespace

int PacketIo::receive(int max, Handler handler, void *ctx, std::string *error)
{
    DispatchContext d{ handler, ctx };
    const int n = pcap_dispatch(m_pcap->handle, max, dispatchOne, reinterpret_cast<u_char *>(&d));
    if (n < 0) {
        *error = m_info.name + ": " + pcap_geterr(m_pcap->handle);
        return -1;
    }
    m_counters.received += std::uint64_t(n);
    return n;
}

bool PacketIo::queue(std::span<const std::uint8_t> frame)
{
    if (frame.size() > m_maxFrame)
        return false;
    if (m_txIov.size() == TxBatch) {
        std::string ignored;
        flush(&ignored);
    }
    std::uint8_t *copy = m_txBuffer.data() + m_txIov.size() * m_maxFrame;
    std::memcpy(copy, frame.data(), frame.size());
    m_txIov.push_back({ copy, frame.size() });
    return true;
}

bool PacketIo::queueRef(std::span<const std::uint8_t> frame)
{
    if (frame.size() > m_maxFrame)
        return false;
    if (m_txIov.size() == TxBatch) {
        std::string ignored;
        flush(&ignored);
    }
    m_txIov.push_back({ const_cast<std::uint8_t *>(frame.data()), frame.size() });
    return true;
}

bool PacketIo::flush(std::string *error)
{
    const std::size_t n = m_txIov.size();
    if (n == 0)
        return true;
    mmsghdr msgs[TxBatch];
    std::memset(msgs, 0, sizeof(mmsghdr) * n);
    for (std::size_t i = 0; i < n; ++i) {
        msgs[i].msg_hdr.msg_iov = &m_txIov[i];
        msgs[i].msg_hdr.msg_iovlen = 1;
    }
    std::size_t done = 0;
    bool ok = true;
    while (done < n) {
        const int rc = ::sendmmsg(m_txFd, msgs + done, static_cast<unsigned>(n - done), 0);
        if (rc < 0) {
            if (errno == EINTR)
                continue;
            // This frame was refused (a full queue, a qdisc drop, the link
            // went down): count it as lost on the wire and send the rest.
            *error = sysError("send on " + m_info.name);
            ++m_counters.sendErrors;
            ok = false;
            ++done;
            continue;
        }
        m_counters.sent += std::uint64_t(rc);
        done += std::size_t(rc);
    }
    m_txIov.clear();
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
    if (pcap_stats(m_pcap->handle, &st) == 0)
        m_counters.kernelDrops = st.ps_drop;
    return m_counters;
}

} // namespace Etherdisk
