// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later

#include "pcapfile.h"

#include <pcap/pcap.h>

namespace EtherdiskTest {

bool readPcap(const std::string &path, std::vector<Packet> *packets, std::string *error)
{
    char errbuf[PCAP_ERRBUF_SIZE] = {};
    pcap_t *p = pcap_open_offline(path.c_str(), errbuf);
    if (!p) {
        *error = errbuf;
        return false;
    }
    if (pcap_datalink(p) != DLT_EN10MB) {
        *error = path + ": not an Ethernet capture";
        pcap_close(p);
        return false;
    }
    pcap_pkthdr *h = nullptr;
    const u_char *data = nullptr;
    int rc;
    while ((rc = pcap_next_ex(p, &h, &data)) == 1) {
        if (h->caplen != h->len) {
            *error = path + ": truncated capture (snaplen too small)";
            pcap_close(p);
            return false;
        }
        packets->emplace_back(data, data + h->caplen);
    }
    if (rc == PCAP_ERROR) {
        *error = pcap_geterr(p);
        pcap_close(p);
        return false;
    }
    pcap_close(p);
    return true;
}

bool writePcap(const std::string &path, const std::vector<Packet> &packets, std::string *error)
{
    pcap_t *p = pcap_open_dead(DLT_EN10MB, 65535);
    if (!p) {
        *error = "pcap_open_dead failed";
        return false;
    }
    pcap_dumper_t *d = pcap_dump_open(p, path.c_str());
    if (!d) {
        *error = pcap_geterr(p);
        pcap_close(p);
        return false;
    }
    long usec = 0;
    for (const Packet &pkt : packets) {
        pcap_pkthdr h{};
        h.ts.tv_sec = 1700000000;
        h.ts.tv_usec = usec++;
        h.caplen = h.len = static_cast<bpf_u_int32>(pkt.size());
        pcap_dump(reinterpret_cast<u_char *>(d), &h, pkt.data());
    }
    pcap_dump_close(d);
    pcap_close(p);
    return true;
}

} // namespace EtherdiskTest
