// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
//
// Raw Ethernet frame I/O on one interface, for the target engine, discovery
// and the userspace initiator.
//
// Receive: libpcap (on Linux a TPACKET mmap ring, drained in batches without
// a system call per frame) with a kernel BPF filter so that only the AoE
// frames this user wants ever reach userspace, inbound direction only.
// Send: libpcap's pcap_sendpacket costs one system call per frame; on Linux
// frames are instead queued and sent with one sendmmsg() per batch on an
// AF_PACKET socket bound to the interface (measured in tests/bench/).
#pragma once

#include "etherdisk/aoeframe.h"
#include "etherdisk/error.h"

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <sys/uio.h>
#include <vector>

namespace Etherdisk {

struct InterfaceInfo
{
    std::string name;
    int index = 0;
    Aoe::MacAddress mac{};
    unsigned mtu = 0;
    bool up = false; // IFF_UP and IFF_RUNNING
};

// Reads the interface's index, MAC, MTU and state; false with *error set
// ("no such network interface: eth7") when it cannot.
bool queryInterface(const std::string &name, InterfaceInfo *info, std::string *error);

// The kind of a failure reported by queryInterface() or PacketIo::open()
// (and passed on verbatim by Discovery::open and Initiator::open):
// NoSuchInterface, PermissionDenied (no CAP_NET_RAW) or Failed.
ErrorKind packetOpenErrorKind(const std::string &message);

// Which AoE frames reach userspace (compiled into a BPF program).
struct PacketFilter
{
    enum class Direction { Requests, Responses, Both };
    Direction direction = Direction::Requests;
    // Requests: only frames addressed to one of these shelf.slot pairs or to
    // a wildcard matching them. Empty: every AoE frame of the direction.
    struct Address
    {
        std::uint16_t shelf;
        std::uint8_t slot;
    };
    std::vector<Address> addresses;

    // The pcap filter expression, e.g. "ether proto 0x88a2 and ether[14] & 8 == 0 and (...)".
    std::string expression() const;
};

class PacketIo
{
public:
    // Opens `interface` for AoE frames matching `filter`. Needs CAP_NET_RAW.
    static std::unique_ptr<PacketIo> open(const std::string &interface, const PacketFilter &filter,
                                          std::string *error);
    ~PacketIo();
    PacketIo(const PacketIo &) = delete;
    PacketIo &operator=(const PacketIo &) = delete;

    const InterfaceInfo &info() const { return m_info; }
    // Re-reads MTU, MAC and up/down state (after a netlink notification).
    bool refreshInfo(std::string *error);

    // Replaces the kernel filter (exports added or removed).
    bool setFilter(const PacketFilter &filter, std::string *error);

    // Readable when frames are waiting. Watch it with poll/epoll.
    int fd() const;

    // Calls handler(ctx, frame) for up to `max` frames already received,
    // without blocking. The span is valid only during the call. Returns the
    // number of frames handled, or -1 with *error set.
    using Handler = void (*)(void *ctx, std::span<const std::uint8_t> frame);
    int receive(int max, Handler handler, void *ctx, std::string *error);

    // Queues a copy of `frame` for transmission; flush() sends the queue.
    // Queuing more than the batch size flushes on its own.
    bool queue(std::span<const std::uint8_t> frame);
    // Queues `frame` without copying it: the caller keeps the bytes
    // unchanged until the next flush() returns (the engine's response
    // buffers, which it releases only after flushing).
    bool queueRef(std::span<const std::uint8_t> frame);
    // Sends every queued frame (one sendmmsg per batch on Linux). Returns
    // false with *error when the interface refused them (e.g. it went down);
    // the frames are dropped then, as a lost frame on the wire would be.
    bool flush(std::string *error);
    // Convenience: queue + flush.
    bool send(std::span<const std::uint8_t> frame, std::string *error);

    struct Counters
    {
        std::uint64_t received = 0;
        std::uint64_t sent = 0;
        std::uint64_t sendErrors = 0;
        std::uint64_t kernelDrops = 0; // pcap_stats ps_drop: receive ring overflowed
    };
    Counters counters();

private:
    PacketIo() = default;
    struct Pcap;
    std::unique_ptr<Pcap> m_pcap;
    InterfaceInfo m_info;
    int m_txFd = -1;
    std::size_t m_maxFrame = 0;
    std::vector<std::uint8_t> m_txBuffer; // copies of queued frames, one max frame each
    std::vector<iovec> m_txIov; // what the next sendmmsg sends, copies or references
    Counters m_counters;
};

} // namespace Etherdisk
