// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
//
// null-responder: the smallest AoE target that answers Query Config,
// IDENTIFY, READ/WRITE (EXT), FLUSH CACHE (EXT) and CHECK POWER MODE at
// once, with no storage at all: reads return zeros (or, with --pattern, the
// LBA pattern `etherdiskctl bench --verify` checks), writes are acknowledged and
// dropped. It uses PacketIo the way the engine does (a batch received from
// the ring, responses queued, one flush per batch), so etherdiskctl bench
// against it measures the ceiling of "link plus system calls".
//
// With --store FILE it serves FILE instead, doing only the work no target
// can avoid: a read is sent straight from a shared mapping of the file (the
// kernel copies the page-cache pages into the frame: one copy, of data that
// is not in the CPU's cache), a write is one pwrite() per request straight
// from the receive ring into the file. No request waits for another, no
// request is merged, nothing is checked beyond the bounds. That is the
// ceiling of "link plus system calls plus the data" (the file's size is the
// disk's: -s does not apply). The null responder resends one buffer that
// stays in the CPU's cache and writes nothing, which no target serving real
// data can match.
//
//   null-responder [-b bufcnt] [-s sectors] [--pattern] [--store FILE] shelf slot netif

#include "etherdisk/aoeframe.h"
#include "etherdisk/ata.h"
#include "etherdisk/packetio.h"
#include "etherdisk/workload.h"

#include <array>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include <fcntl.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace Etherdisk;
using namespace Etherdisk::Aoe;

namespace {

volatile std::sig_atomic_t g_stop = 0;
constexpr int ReceiveBatch = 256; // frames taken from the ring per receive()

void onSignal(int)
{
    g_stop = 1;
}

struct Responder
{
    std::unique_ptr<PacketIo> io;
    std::uint16_t shelf = 0;
    std::uint8_t slot = 0;
    std::uint16_t bufferCount = 64;
    std::uint64_t sectors = std::uint64_t(1) << 31; // 1 TiB
    bool pattern = false;
    std::uint8_t maxSectors = 2;
    std::array<std::uint8_t, Ata::IdentifySize> identify{};
    std::vector<std::uint8_t> readFrame; // data area stays zero unless --pattern
    std::vector<std::uint8_t> scratch;
    std::uint64_t requests = 0, reads = 0, writes = 0, errors = 0;
    // --store: the file, its read-only mapping, and the headers of the reads
    // queued since the last flush (queueRef keeps pointers to them).
    int storeFd = -1;
    const std::uint8_t *storeMap = nullptr;
    std::vector<std::vector<std::uint8_t>> heads;
    std::size_t headsUsed = 0;

    void answerAta(const Frame &f)
    {
        const Header h = responseHeader(f.header, io->info().mac, shelf, slot);
        AtaArg a = f.ata;
        a.reserved = 0;
        a.errFeature = 0;
        a.cmdStatus = Ata::StatusReady;
        const std::uint8_t cmd = f.ata.cmdStatus;
        const bool ext = cmd == Ata::CmdReadSectorsExt || cmd == Ata::CmdWriteSectorsExt;
        const std::uint64_t lba = ext ? f.ata.lba48() : f.ata.lba28();
        const unsigned count = f.ata.sectorCount;
        std::size_t n = 0;
        switch (cmd) {
        case Ata::CmdIdentifyDevice:
            a.sectorCount = 0;
            n = buildAta(scratch, h, a, identify);
            break;
        case Ata::CmdReadSectors:
        case Ata::CmdReadSectorsExt:
        case Ata::CmdWriteSectors:
        case Ata::CmdWriteSectorsExt: {
            const bool write = cmd == Ata::CmdWriteSectors || cmd == Ata::CmdWriteSectorsExt;
            if (count > maxSectors) {
                Header e = h;
                e.flags |= FlagError;
                e.error = std::uint8_t(ErrorCode::BadArgument);
                n = buildAtaInPlace(scratch, e, f.ata, 0);
                ++errors;
                break;
            }
            if (lba + count > sectors || write != f.ata.isWrite()) {
                a.cmdStatus = Ata::StatusReady | Ata::StatusError;
                a.errFeature = write != f.ata.isWrite() ? Ata::ErrorAborted : Ata::ErrorIdNotFound;
                n = buildAtaInPlace(scratch, h, a, 0);
                ++errors;
                break;
            }
            a.sectorCount = 0;
            const std::size_t bytes = std::size_t(count) * SectorSize;
            if (write) {
                ++writes;
                if (storeFd >= 0
                    && ::pwrite(storeFd, f.data.data(), bytes, off_t(lba * SectorSize))
                        != ssize_t(bytes)) {
                    a.cmdStatus = Ata::StatusReady | Ata::StatusError;
                    a.errFeature = Ata::ErrorUncorrectable;
                    ++errors;
                }
                n = buildAtaInPlace(scratch, h, a, 0);
                break;
            }
            ++reads;
            if (storeMap && count > 0) {
                std::vector<std::uint8_t> &head = heads[headsUsed++];
                buildAtaInPlace(head, h, a, bytes); // the header; the data comes from the mapping
                io->queueRef({ head.data(), AtaHeaderSize }, { storeMap + lba * SectorSize, bytes },
                             storeFd, lba * SectorSize);
                return;
            }
            if (pattern)
                Etherdisk::fillPattern(readFrame.data() + AtaHeaderSize, lba, count);
            n = buildAtaInPlace(readFrame, h, a, std::size_t(count) * SectorSize);
            io->queue({ readFrame.data(), n });
            return;
        }
        case Ata::CmdFlushCache:
        case Ata::CmdFlushCacheExt:
            a.sectorCount = 0;
            n = buildAtaInPlace(scratch, h, a, 0);
            break;
        case Ata::CmdCheckPowerMode:
            a.sectorCount = Ata::PowerModeActive;
            n = buildAtaInPlace(scratch, h, a, 0);
            break;
        default:
            a.cmdStatus = Ata::StatusReady | Ata::StatusError;
            a.errFeature = Ata::ErrorAborted;
            n = buildAtaInPlace(scratch, h, a, 0);
            ++errors;
            break;
        }
        if (n)
            io->queue({ scratch.data(), n });
    }

    void handle(std::span<const std::uint8_t> bytes)
    {
        Frame f;
        const ParseError pe = parseFrame(bytes, &f);
        if (pe != ParseError::Ok || f.header.isResponse())
            return;
        if ((f.header.shelf != shelf && f.header.shelf != BroadcastShelf)
            || (f.header.slot != slot && f.header.slot != BroadcastSlot))
            return;
        ++requests;
        if (f.kind == FrameKind::QueryConfig) {
            if (f.config.configCommand() != ConfigCommand::Read)
                return; // minimal: no config string
            ConfigArg c;
            c.bufferCount = bufferCount;
            c.firmwareVersion = 0x0001;
            c.sectorCount = maxSectors;
            const Header h = responseHeader(f.header, io->info().mac, shelf, slot);
            const std::size_t n = buildConfig(scratch, h, c);
            io->queue({ scratch.data(), n });
        } else if (f.kind == FrameKind::Ata) {
            answerAta(f);
        }
    }

    static void onFrame(void *ctx, std::span<const std::uint8_t> frame)
    {
        static_cast<Responder *>(ctx)->handle(frame);
    }
};

[[noreturn]] void usage()
{
    std::fprintf(stderr,
                 "usage: null-responder [-b bufcnt] [-s sectors] [--pattern] [--store FILE] "
                 "shelf slot netif\n");
    std::exit(2);
}

} // namespace

int main(int argc, char **argv)
{
    Responder r;
    std::vector<std::string> pos;
    std::string store;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "-b" && i + 1 < argc)
            r.bufferCount = std::uint16_t(std::strtoul(argv[++i], nullptr, 0));
        else if (a == "-s" && i + 1 < argc)
            r.sectors = std::strtoull(argv[++i], nullptr, 0);
        else if (a == "--pattern")
            r.pattern = true;
        else if (a == "--store" && i + 1 < argc)
            store = argv[++i];
        else if (a == "-h" || a == "--help")
            usage();
        else if (!a.empty() && a[0] == '-')
            usage();
        else
            pos.push_back(a);
    }
    if (pos.size() != 3)
        usage();
    r.shelf = std::uint16_t(std::strtoul(pos[0].c_str(), nullptr, 0));
    r.slot = std::uint8_t(std::strtoul(pos[1].c_str(), nullptr, 0));

    if (!store.empty()) {
        r.storeFd = ::open(store.c_str(), O_RDWR | O_CLOEXEC);
        struct stat st;
        if (r.storeFd < 0 || ::fstat(r.storeFd, &st) != 0 || st.st_size < off_t(SectorSize)) {
            std::fprintf(stderr, "null-responder: %s: %s\n", store.c_str(),
                         r.storeFd < 0 ? std::strerror(errno) : "not a file of one sector or more");
            return 1;
        }
        r.sectors = std::uint64_t(st.st_size) / SectorSize;
        void *map = ::mmap(nullptr, std::size_t(st.st_size), PROT_READ, MAP_SHARED, r.storeFd, 0);
        if (map == MAP_FAILED) {
            std::fprintf(stderr, "null-responder: mmap %s: %s\n", store.c_str(),
                         std::strerror(errno));
            return 1;
        }
        r.storeMap = static_cast<const std::uint8_t *>(map);
    }
    PacketFilter filter;
    filter.direction = PacketFilter::Direction::Requests;
    filter.addresses.push_back({ r.shelf, r.slot });
    std::string error;
    r.io = PacketIo::open(pos[2], filter, &error);
    if (!r.io) {
        std::fprintf(stderr, "null-responder: %s\n", error.c_str());
        return 1;
    }
    r.maxSectors = std::max<std::uint8_t>(1, maxSectorsForMtu(r.io->info().mtu));
    Ata::IdentifyInfo info;
    info.sectors = r.sectors;
    info.model = "Etherdisk null responder";
    info.serial = "null-" + pos[0] + "." + pos[1];
    info.firmware = "0.1.0";
    Ata::buildIdentify(r.identify, info);
    r.readFrame.assign(AtaHeaderSize + 255 * SectorSize, 0);
    if (r.storeMap) // buildAtaInPlace wants room for the data it does not write
        r.heads.assign(ReceiveBatch,
                       std::vector<std::uint8_t>(AtaHeaderSize + r.maxSectors * SectorSize));
    r.scratch.assign(AtaHeaderSize + 255 * SectorSize, 0);

    struct sigaction sa
    {
    };
    sa.sa_handler = onSignal;
    ::sigaction(SIGINT, &sa, nullptr);
    ::sigaction(SIGTERM, &sa, nullptr);
    std::fprintf(stderr, "null-responder: e%u.%u on %s, %llu sectors, %u sectors per frame%s%s\n",
                 unsigned(r.shelf), unsigned(r.slot), pos[2].c_str(),
                 static_cast<unsigned long long>(r.sectors), unsigned(r.maxSectors),
                 r.pattern ? ", pattern data" : "",
                 store.empty() ? "" : (", store " + store).c_str());

    while (!g_stop) {
        pollfd p{ r.io->fd(), POLLIN, 0 };
        if (::poll(&p, 1, -1) < 0)
            continue; // EINTR: look at g_stop
        for (;;) {
            const int n = r.io->receive(ReceiveBatch, &Responder::onFrame, &r, &error);
            if (n < 0) {
                std::fprintf(stderr, "null-responder: %s\n", error.c_str());
                return 1;
            }
            if (r.storeMap) {
                // The queued reads point into heads: send them before reusing it.
                if (!r.io->flush(&error))
                    std::fprintf(stderr, "null-responder: %s\n", error.c_str());
                r.headsUsed = 0;
            }
            if (n < ReceiveBatch)
                break;
        }
        if (!r.io->flush(&error))
            std::fprintf(stderr, "null-responder: %s\n", error.c_str());
    }
    const PacketIo::Counters c = r.io->counters();
    std::fprintf(
        stderr,
        "null-responder: %llu requests (%llu reads, %llu writes, %llu errors), "
        "%llu frames sent, %llu kernel drops\n",
        static_cast<unsigned long long>(r.requests), static_cast<unsigned long long>(r.reads),
        static_cast<unsigned long long>(r.writes), static_cast<unsigned long long>(r.errors),
        static_cast<unsigned long long>(c.sent), static_cast<unsigned long long>(c.kernelDrops));
    return 0;
}
