// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later

#include "wirecapture.h"

#include <QElapsedTimer>

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <net/if.h>
#include <netpacket/packet.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace EtherdiskTest {

namespace {
    constexpr std::uint16_t AoeEtherType = 0x88a2;
}

WireCapture::~WireCapture()
{
    if (m_fd >= 0)
        ::close(m_fd);
}

bool WireCapture::open(const QString &interface, QString *error)
{
    const unsigned index = if_nametoindex(interface.toLocal8Bit().constData());
    if (index == 0) {
        *error = QStringLiteral("no such interface: ") + interface;
        return false;
    }
    m_fd = ::socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, htons(AoeEtherType));
    if (m_fd < 0) {
        *error = QStringLiteral("packet socket: ") + QString::fromLocal8Bit(std::strerror(errno));
        return false;
    }
    sockaddr_ll sll{};
    sll.sll_family = AF_PACKET;
    sll.sll_protocol = htons(AoeEtherType);
    sll.sll_ifindex = int(index);
    packet_mreq mr{};
    mr.mr_ifindex = int(index);
    mr.mr_type = PACKET_MR_PROMISC;
    const int rcvbuf = 64 << 20; // bursts at link speed while the test does other things
    ::setsockopt(m_fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf);
    if (::bind(m_fd, reinterpret_cast<sockaddr *>(&sll), sizeof sll) < 0
        || ::setsockopt(m_fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mr, sizeof mr) < 0) {
        *error = QStringLiteral("cannot capture on ") + interface + QStringLiteral(": ")
            + QString::fromLocal8Bit(std::strerror(errno));
        ::close(m_fd);
        m_fd = -1;
        return false;
    }
    return true;
}

std::vector<QByteArray> WireCapture::collect(int timeoutMs, std::size_t stopAfter)
{
    std::vector<QByteArray> out;
    QElapsedTimer t;
    t.start();
    QByteArray buf(65536, '\0');
    while (out.size() < stopAfter) {
        sockaddr_ll from{};
        socklen_t fromLen = sizeof from;
        const ssize_t n = ::recvfrom(m_fd, buf.data(), std::size_t(buf.size()), 0,
                                     reinterpret_cast<sockaddr *>(&from), &fromLen);
        if (n >= 0) {
            if (from.sll_pkttype != PACKET_OUTGOING)
                out.push_back(buf.left(qsizetype(n)));
            continue;
        }
        const qint64 left = timeoutMs - t.elapsed();
        if (left <= 0)
            break;
        pollfd p{ m_fd, POLLIN, 0 };
        ::poll(&p, 1, int(left));
    }
    return out;
}

void WireCapture::clear()
{
    collect(0);
}

} // namespace EtherdiskTest
