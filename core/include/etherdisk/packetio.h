// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
//
// Raw Ethernet frame I/O on one interface, for the target engine, discovery
// and the userspace initiator.
//
// Receive: libpcap (on Linux a TPACKET mmap ring, drained in batches without
// a system call per frame) with a kernel BPF filter so that only the AoE
// frames this user wants ever reach userspace, inbound direction only.
// Frames from a group (multicast or broadcast) source MAC, and frames
// addressed to another host's MAC, are dropped by that filter and again in
// userspace: answering them would make us an amplifier or a bystander that
// answers for others (see etherdisk-target(8), SECURITY).
// Send: libpcap's pcap_sendpacket costs one system call per frame; on Linux
// frames are instead queued and sent with one sendmmsg() per batch on a
// non-blocking AF_PACKET socket bound to the interface (measured in
// tests/bench/). When the link cannot take more, the unsent frames stay
// queued, up to TxQueueFrames frames or TxQueueBytes bytes, and are tried
// again every millisecond (txFd()) until it does; nothing ever waits for the
// link.
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

// Which AoE frames reach userspace (compiled into a BPF program). Whatever
// the settings, only frames from a unicast source MAC and addressed to the
// interface's own MAC or to broadcast pass.
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
    // Up to this many addresses the kernel checks each; more, only their
    // shelves (as many), else none (see expression()).
    static constexpr std::size_t MaxFilterAddresses = 32;

    // The pcap filter expression for an interface whose MAC is `local`, e.g.
    // "ether proto 0x88a2 and ether[6] & 1 == 0 and (ether dst 02:00:00:00:00:01
    // or ether broadcast) and ether[14] & 8 == 0 and (...)".
    std::string expression(const Aoe::MacAddress &local) const;
};

// The userspace half of the filter above: whether `frame` comes from a
// unicast source MAC and is addressed to `local` or to broadcast. Frames too
// short for an Ethernet header fail.
bool addressedToUs(std::span<const std::uint8_t> frame, const Aoe::MacAddress &local);

// Frames waiting for the link, beyond which queue() and queueRef() drop (and
// count) instead of queuing: enough for a burst of responses to a deep
// initiator window, small enough that a link that stays full costs little
// memory and initiators retransmit instead of waiting on stale answers.
inline constexpr std::size_t TxQueueFrames = 1024;
inline constexpr std::size_t TxQueueBytes = 4 << 20;

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
    // Re-reads MTU, MAC and up/down state (after a netlink notification, or
    // periodically). When the MAC changed, the filter is recompiled for the
    // new one; false with *error when either step fails.
    bool refreshInfo(std::string *error);

    // Whether the receive ring takes whole frames of this MTU (it is sized
    // when opened, for the interface's MTU then or a jumbo frame, whichever
    // is larger): when false, reopen to receive larger frames whole.
    bool receivesMtu(unsigned mtu) const { return mtu <= m_ringMtu; }

    // Replaces the kernel filter (exports added or removed).
    bool setFilter(const PacketFilter &filter, std::string *error);

    // Readable when frames are waiting. Watch it with poll/epoll.
    int fd() const;
    // Readable when frames queued for a full link are due for another try
    // (a millisecond after the link refused them): call receive() or flush().
    // Callers that sleep on fd() alone send them with their next receive()
    // or flush() instead.
    int txFd() const;

    // Sends frames left queued by an earlier flush() if the link has room
    // now, then calls handler(ctx, frame) for up to `max` frames already
    // received, without blocking. The span is valid only during the call.
    // Returns the number of frames taken from the receive ring (those
    // addressedToUs() rejects included: they reach no handler), or -1 with
    // *error set.
    using Handler = void (*)(void *ctx, std::span<const std::uint8_t> frame);
    int receive(int max, Handler handler, void *ctx, std::string *error);

    // Queues a copy of `frame` for transmission; flush() sends the queue.
    // Queuing more than the batch size sends on its own. False when the
    // frame is larger than any link, or when the queue is full (counted in
    // txDropped: the link has not taken frames for a while).
    bool queue(std::span<const std::uint8_t> frame);
    // Queues `frame` without copying it: the caller keeps the bytes
    // unchanged until the next flush() returns (the engine's response
    // buffers, which it releases only after flushing). Frames flush() could
    // not send are copied before it returns.
    bool queueRef(std::span<const std::uint8_t> frame);
    // The same for a frame in two pieces, the second of which only the kernel
    // reads: `tail` may lie in a shared mapping of a file that another
    // process can truncate, so that reading it would fault. Such a frame is
    // refused by the send with EFAULT and dropped like a lost frame (counted
    // in sendFaults, and not an error of flush()); user space never touches
    // `tail`. A frame flush() could not send is copied before it returns by
    // reading the tail with pread() from `tailFd` at `tailOffset` (the file
    // the mapping shows), and dropped if that read comes back short. tailFd
    // must stay open until flush() returns.
    bool queueRef(std::span<const std::uint8_t> head, std::span<const std::uint8_t> tail,
                  int tailFd, std::uint64_t tailOffset);
    // Sends queued frames (one sendmmsg per batch on Linux) until the queue
    // is empty or the link is full. Never blocks: frames the link refuses
    // for lack of room (EAGAIN: the socket's send buffer is full; ENOBUFS:
    // the interface queue dropped it) stay queued and are sent again by the
    // next flush() or receive() (txFd() says when to call one). Returns
    // false with *error when the interface refused frames for another reason
    // (e.g. it went down); those are dropped, as a lost frame on the wire
    // would be.
    bool flush(std::string *error);
    // Convenience: queue + flush.
    bool send(std::span<const std::uint8_t> frame, std::string *error);
    // Frames queued and not yet accepted by the link.
    std::size_t queuedFrames() const { return m_tx.size(); }

    struct Counters
    {
        std::uint64_t received = 0;
        std::uint64_t sent = 0;
        std::uint64_t sendErrors = 0; // frames refused by the interface and dropped
        std::uint64_t kernelDrops = 0; // pcap_stats ps_drop: receive ring overflowed
        // pcap_stats ps_recv: frames the kernel handed to the receive socket
        // (they passed the filter), counted before any userspace check.
        std::uint64_t kernelPassed = 0;
        // Frames the kernel filter let through although they come from a
        // group source MAC or are addressed to another host (frames received
        // while a filter was being replaced): dropped in userspace.
        std::uint64_t rejected = 0;
        std::uint64_t txDeferred = 0; // sends that found the link full: frames kept queued
        std::uint64_t txDropped = 0; // frames not queued: the queue was at its bound
        // Of sendErrors: frames the kernel could not read (EFAULT: a two-piece
        // frame whose file was truncated under its mapping), and such frames
        // that could not be copied for a later send either.
        std::uint64_t sendFaults = 0;
    };
    Counters counters();
    // counters().sendFaults without asking the kernel for pcap's statistics.
    std::uint64_t sendFaults() const { return m_counters.sendFaults; }

private:
    PacketIo() = default;
    bool sendQueued(std::string *error);
    struct TxFrame;
    bool push(const TxFrame &frame, bool copy);
    void waitForRoom();
    void stopWaiting();
    bool copyToSlot(TxFrame *frame);

    struct TxFrame
    {
        iovec iov[2]; // the frame: iov[0], then iov[1] when iovCount is 2
        std::size_t iovCount = 1;
        std::size_t bytes = 0; // of both
        std::int32_t slot = -1; // index into m_txSlots holding a copy, -1: the caller's bytes
        int tailFd = -1; // where a copy reads iov[1] from (queueRef with a tail)
        std::uint64_t tailOffset = 0;
    };
    struct Pcap;
    std::unique_ptr<Pcap> m_pcap;
    InterfaceInfo m_info;
    PacketFilter m_filter;
    std::string m_filterExpression; // the one installed
    unsigned m_ringMtu = 0;
    int m_txFd = -1;
    int m_retryFd = -1; // timerfd: try queued frames again
    bool m_waitingForRoom = false; // the link was full at the last send
    bool m_retryArmed = false; // m_retryFd runs
    std::vector<TxFrame> m_tx; // queued, oldest first
    std::size_t m_txBytes = 0;
    std::vector<std::vector<std::uint8_t>> m_txSlots; // copies; their capacity is reused
    std::vector<std::int32_t> m_freeSlots;
    Counters m_counters;
};

} // namespace Etherdisk
