// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
//
// Reading and writing classic .pcap files (Ethernet link type) with libpcap,
// for golden-frame tests and for feeding frames to tshark/tcpdump.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace EtherdiskTest {

using Packet = std::vector<std::uint8_t>;

// Returns false and sets *error when the file cannot be read.
bool readPcap(const std::string &path, std::vector<Packet> *packets, std::string *error);
bool writePcap(const std::string &path, const std::vector<Packet> &packets, std::string *error);

} // namespace EtherdiskTest
