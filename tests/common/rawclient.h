// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
//
// A test initiator that speaks raw AoE frames: it sends exactly the bytes a
// test builds (well-formed or hostile) and collects the responses.
#pragma once

#include "etherdisk/aoeframe.h"
#include "etherdisk/packetio.h"

#include <QByteArray>
#include <QProcess>
#include <QString>

#include <memory>
#include <vector>

namespace EtherdiskTest {

class RawClient
{
public:
    bool open(const QString &interface, QString *error);
    Etherdisk::Aoe::MacAddress mac() const { return m_io->info().mac; }
    unsigned mtu() const { return m_io->info().mtu; }

    // A request header from us (or `source`) to `destination`, fresh tag.
    Etherdisk::Aoe::Header
    header(std::uint16_t shelf, std::uint8_t slot, Etherdisk::Aoe::Command command,
           const Etherdisk::Aoe::MacAddress &destination = Etherdisk::Aoe::BroadcastMac);
    std::uint32_t lastTag() const { return m_tag; }

    // Sends `frame` and returns every response whose tag equals the
    // frame's, collected until `expected` arrived or `timeoutMs` passed.
    std::vector<QByteArray> exchange(const QByteArray &frame, int expected = 1,
                                     int timeoutMs = 1000);
    // Asks shelf.slot (broadcast values allowed) for its configuration until
    // an answer comes (true), timeoutMs passed or `process`, the target
    // being waited for, exited (false). Forgets the learned target MAC.
    bool waitServing(std::uint16_t shelf, std::uint8_t slot, int timeoutMs,
                     const QProcess *process = nullptr);
    // Sends `frame` without waiting for anything (collect() takes the answers).
    bool send(const QByteArray &frame);
    // Every response received (any tag) within timeoutMs.
    std::vector<QByteArray> collect(int timeoutMs);

    // Frame builders for the common requests.
    QByteArray ataRequest(std::uint16_t shelf, std::uint8_t slot, std::uint8_t command,
                          std::uint64_t lba, std::uint8_t count, const QByteArray &data = {},
                          std::uint8_t extraFlags = 0,
                          const Etherdisk::Aoe::MacAddress *source = nullptr);
    QByteArray configRequest(std::uint16_t shelf, std::uint8_t slot,
                             Etherdisk::Aoe::ConfigCommand command,
                             const QByteArray &configString = {});

    Etherdisk::Aoe::MacAddress target{}; // learned from the first response, for unicast
    Etherdisk::Aoe::MacAddress destination() const;

private:
    std::unique_ptr<Etherdisk::PacketIo> m_io;
    std::uint32_t m_tag = 0x80000000u;
};

} // namespace EtherdiskTest
