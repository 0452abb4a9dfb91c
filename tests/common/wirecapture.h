// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
//
// What really arrives on an interface: every AoE frame, whatever its
// destination MAC (the interface is put in promiscuous mode while open),
// read from a packet socket with no filter of ours in between. Tests use it
// to show that a peer sent nothing, or sent to a MAC that is not ours.
#pragma once

#include <QByteArray>
#include <QString>

#include <cstdint>
#include <vector>

namespace EtherdiskTest {

class WireCapture
{
public:
    WireCapture() = default;
    ~WireCapture();
    WireCapture(const WireCapture &) = delete;
    WireCapture &operator=(const WireCapture &) = delete;

    // Opens `interface` in the calling thread's network namespace.
    bool open(const QString &interface, QString *error);
    // Inbound AoE frames received within timeoutMs, or until `stopAfter`
    // of them arrived.
    std::vector<QByteArray> collect(int timeoutMs, std::size_t stopAfter = SIZE_MAX);
    // Discards what arrived so far.
    void clear();

private:
    int m_fd = -1;
};

} // namespace EtherdiskTest
