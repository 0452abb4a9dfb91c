// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
//
// etherdisk-bench: an AoE load generator on the userspace initiator.
//
//   etherdisk-bench -i IF -t SHELF.SLOT [--mode seqread|seqwrite|randread|randwrite]
//                   [--size BYTES] [--window N] [--seconds S] [--verify] [--json]
//                   [--pid PID] [--deadline MS]
//
// Keeps `window` frames outstanding (requests larger than one frame count
// for several), reports MB/s, IOPS, latency percentiles, retransmissions and,
// with --pid, the CPU time the target process used per GB moved.
// --verify: writes carry an LBA-dependent pattern and are read back and
// checked afterwards; reads are checked against the same pattern (a device
// written with seqwrite --verify, or null-responder --pattern).

#include "etherdisk/initiator.h"
#include "pattern.h"

#include <algorithm>
#include <cerrno>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <sys/resource.h>
#include <unistd.h>

using Etherdisk::Initiator;

namespace {

enum class Mode { SeqRead, SeqWrite, RandRead, RandWrite };

struct Args
{
    std::string interface;
    std::uint16_t shelf = 0;
    std::uint8_t slot = 0;
    bool haveTarget = false;
    Mode mode = Mode::SeqRead;
    std::uint64_t size = 0; // bytes per request; 0: one frame
    unsigned window = 0;
    double seconds = 10;
    bool verify = false;
    bool json = false;
    long pid = -1;
    int deadlineMs = 30000;
};

[[noreturn]] void usage(const char *why = nullptr)
{
    if (why)
        std::fprintf(stderr, "etherdisk-bench: %s\n", why);
    std::fprintf(stderr,
                 "usage: etherdisk-bench -i IF -t SHELF.SLOT [--mode "
                 "seqread|seqwrite|randread|randwrite]\n"
                 "                       [--size BYTES] [--window N] [--seconds S] [--verify] "
                 "[--json]\n"
                 "                       [--pid PID] [--deadline MS]\n");
    std::exit(2);
}

const char *modeName(Mode m)
{
    switch (m) {
    case Mode::SeqRead:
        return "seqread";
    case Mode::SeqWrite:
        return "seqwrite";
    case Mode::RandRead:
        return "randread";
    case Mode::RandWrite:
        return "randwrite";
    }
    return "?";
}

Args parseArgs(int argc, char **argv)
{
    Args a;
    for (int i = 1; i < argc; ++i) {
        const std::string o = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc)
                usage(("missing value for " + o).c_str());
            return argv[++i];
        };
        if (o == "-i" || o == "--interface") {
            a.interface = value();
        } else if (o == "-t" || o == "--target") {
            const std::string t = value();
            unsigned shelf = 0, slot = 0;
            char extra;
            if (std::sscanf(t.c_str(), "%u.%u%c", &shelf, &slot, &extra) != 2 || shelf >= 0xFFFF
                || slot >= 0xFF)
                usage(("invalid target \"" + t + "\", expected SHELF.SLOT").c_str());
            a.shelf = std::uint16_t(shelf);
            a.slot = std::uint8_t(slot);
            a.haveTarget = true;
        } else if (o == "--mode") {
            const std::string m = value();
            if (m == "seqread")
                a.mode = Mode::SeqRead;
            else if (m == "seqwrite")
                a.mode = Mode::SeqWrite;
            else if (m == "randread")
                a.mode = Mode::RandRead;
            else if (m == "randwrite")
                a.mode = Mode::RandWrite;
            else
                usage(("invalid mode \"" + m + "\"").c_str());
        } else if (o == "--size") {
            a.size = std::strtoull(value().c_str(), nullptr, 0);
            if (a.size == 0 || a.size % 512)
                usage("--size must be a non-zero multiple of 512");
        } else if (o == "--window") {
            a.window = unsigned(std::strtoul(value().c_str(), nullptr, 0));
        } else if (o == "--seconds") {
            a.seconds = std::strtod(value().c_str(), nullptr);
            if (!(a.seconds > 0))
                usage("--seconds must be positive");
        } else if (o == "--verify") {
            a.verify = true;
        } else if (o == "--json") {
            a.json = true;
        } else if (o == "--pid") {
            a.pid = std::strtol(value().c_str(), nullptr, 0);
        } else if (o == "--deadline") {
            a.deadlineMs = int(std::strtol(value().c_str(), nullptr, 0));
        } else if (o == "-h" || o == "--help") {
            usage();
        } else {
            usage(("unknown option " + o).c_str());
        }
    }
    if (a.interface.empty() || !a.haveTarget)
        usage("-i and -t are required");
    return a;
}

std::uint64_t nowNs()
{
    timespec ts{};
    ::clock_gettime(CLOCK_MONOTONIC, &ts);
    return std::uint64_t(ts.tv_sec) * 1'000'000'000u + std::uint64_t(ts.tv_nsec);
}

// utime + stime of a process in seconds, or -1.
double processCpuSeconds(long pid)
{
    std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    if (!std::getline(f, line))
        return -1;
    const std::size_t close = line.rfind(')');
    if (close == std::string::npos)
        return -1;
    std::istringstream rest(line.substr(close + 2));
    std::string field;
    unsigned long long utime = 0, stime = 0;
    for (int i = 0; rest >> field; ++i) { // i = 0 is field 3 (state)
        if (i == 11)
            utime = std::strtoull(field.c_str(), nullptr, 10);
        if (i == 12) {
            stime = std::strtoull(field.c_str(), nullptr, 10);
            break;
        }
    }
    return double(utime + stime) / double(::sysconf(_SC_CLK_TCK));
}

double selfCpuSeconds()
{
    rusage ru{};
    ::getrusage(RUSAGE_SELF, &ru);
    return double(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec)
        + double(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

struct Extent
{
    std::uint64_t lba, sectors;
};

std::uint64_t percentile(std::vector<std::uint32_t> &sorted, double p)
{
    if (sorted.empty())
        return 0;
    std::size_t i = std::size_t(std::ceil(p / 100.0 * double(sorted.size())));
    i = std::clamp<std::size_t>(i, 1, sorted.size());
    return sorted[i - 1];
}

// xorshift64*: a fixed, fast sequence of random LBAs.
struct Random
{
    std::uint64_t s = 0x2545F4914F6CDD1Dull;
    std::uint64_t next()
    {
        s ^= s >> 12;
        s ^= s << 25;
        s ^= s >> 27;
        return s * 0x2545F4914F6CDD1Dull;
    }
};

} // namespace

int main(int argc, char **argv)
{
    const Args args = parseArgs(argc, argv);
    Initiator::Options o;
    o.interface = args.interface;
    o.shelf = args.shelf;
    o.slot = args.slot;
    o.window = args.window;
    o.deadlineMs = args.deadlineMs;
    std::string error;
    std::unique_ptr<Initiator> ini = Initiator::open(o, &error);
    if (!ini) {
        std::fprintf(stderr, "etherdisk-bench: %s\n", error.c_str());
        return 1;
    }
    const Initiator::TargetInfo &t = ini->target();
    const std::uint64_t size = args.size ? args.size : t.payloadBytes;
    const std::uint64_t reqSectors = size / 512;
    if (reqSectors > t.sectors) {
        std::fprintf(stderr,
                     "etherdisk-bench: --size %" PRIu64 " exceeds the device (%" PRIu64
                     " sectors)\n",
                     size, t.sectors);
        return 2;
    }
    const bool write = args.mode == Mode::SeqWrite || args.mode == Mode::RandWrite;
    const bool random = args.mode == Mode::RandRead || args.mode == Mode::RandWrite;
    const std::uint64_t framesPerReq = (reqSectors + t.sectorsPerFrame - 1) / t.sectorsPerFrame;
    const unsigned depth =
        unsigned(std::max<std::uint64_t>(1, (ini->window() + framesPerReq - 1) / framesPerReq));
    // Random LBAs: 4 KiB aligned, the whole request inside the device.
    const std::uint64_t randomSlots = (t.sectors - reqSectors) / 8 + 1;

    std::vector<std::uint8_t> buffers(std::size_t(depth) * size);
    if (write && !args.verify)
        for (unsigned i = 0; i < depth; ++i)
            EtherdiskBench::fillPattern(buffers.data() + i * size, i, reqSectors);
    std::vector<std::uint64_t> bufferLba(depth);
    std::vector<std::uint32_t> latencies;
    latencies.reserve(1 << 20);
    std::vector<Extent> written;
    Random rng;
    std::uint64_t cursor = 0;
    auto nextLba = [&]() {
        if (random)
            return (rng.next() % randomSlots) * 8;
        if (cursor + reqSectors > t.sectors)
            cursor = 0;
        const std::uint64_t lba = cursor;
        cursor += reqSectors;
        return lba;
    };
    std::uint64_t ios = 0, bytes = 0, errors = 0, readMismatches = 0, firstBad = 0;
    std::string firstError;
    auto submit = [&](unsigned i) {
        const std::uint64_t lba = nextLba();
        bufferLba[i] = lba;
        std::uint8_t *buf = buffers.data() + std::size_t(i) * size;
        bool ok;
        if (write) {
            if (args.verify)
                EtherdiskBench::fillPattern(buf, lba, reqSectors);
            ok = ini->submitWrite(lba, { buf, size }, i, &error);
        } else {
            ok = ini->submitRead(lba, { buf, size }, i, &error);
        }
        if (!ok) {
            std::fprintf(stderr, "etherdisk-bench: %s\n", error.c_str());
            std::exit(1);
        }
    };

    const double targetCpu0 = args.pid > 0 ? processCpuSeconds(args.pid) : -1;
    const double selfCpu0 = selfCpuSeconds();
    const Initiator::Stats s0 = ini->stats();
    const std::uint64_t start = nowNs();
    const std::uint64_t end = start + std::uint64_t(args.seconds * 1e9);
    for (unsigned i = 0; i < depth; ++i)
        submit(i);
    std::vector<Initiator::Completion> done(depth);
    bool stopping = false;
    while (ini->pendingRequests() > 0) {
        const int n = ini->process(done, 100, &error);
        if (n < 0) {
            std::fprintf(stderr, "etherdisk-bench: %s\n", error.c_str());
            return 1;
        }
        if (!stopping && nowNs() >= end)
            stopping = true;
        for (int k = 0; k < n; ++k) {
            const Initiator::Completion &c = done[std::size_t(k)];
            const unsigned i = unsigned(c.user);
            if (!c.ok()) {
                if (errors++ == 0)
                    firstError = ini->describe(c);
            } else {
                ++ios;
                bytes += size;
                latencies.push_back(
                    std::uint32_t(std::min<std::uint64_t>(c.latencyNs / 1000, UINT32_MAX)));
                if (write && args.verify)
                    written.push_back({ c.lba, reqSectors });
                if (!write && args.verify) {
                    std::uint64_t bad = 0;
                    if (EtherdiskBench::checkPattern(buffers.data() + std::size_t(i) * size, c.lba,
                                                     reqSectors, &bad)
                        && readMismatches++ == 0)
                        firstBad = bad;
                }
            }
            if (!stopping && errors == 0)
                submit(i);
        }
    }
    const std::uint64_t elapsedNs = nowNs() - start;
    const double selfCpu = selfCpuSeconds() - selfCpu0;
    const double targetCpu1 = args.pid > 0 ? processCpuSeconds(args.pid) : -1;
    const double targetCpu = targetCpu0 >= 0 && targetCpu1 >= 0 ? targetCpu1 - targetCpu0 : -1;
    const Initiator::Stats s1 = ini->stats();

    // Read back what was written.
    std::uint64_t verifiedBytes = 0, verifyMismatches = 0, verifyFirstBad = 0;
    std::string verifyError;
    if (write && args.verify && errors == 0) {
        if (!ini->flush(&error))
            verifyError = error;
        std::sort(written.begin(), written.end(),
                  [](const Extent &a, const Extent &b) { return a.lba < b.lba; });
        std::vector<Extent> merged;
        for (const Extent &e : written) {
            if (!merged.empty() && e.lba <= merged.back().lba + merged.back().sectors)
                merged.back().sectors =
                    std::max(merged.back().sectors, e.lba + e.sectors - merged.back().lba);
            else
                merged.push_back(e);
        }
        std::vector<std::uint8_t> chunk(1 << 20);
        for (const Extent &e : merged) {
            for (std::uint64_t off = 0; off < e.sectors && verifyError.empty();) {
                const std::uint64_t n =
                    std::min<std::uint64_t>(e.sectors - off, chunk.size() / 512);
                if (!ini->read(e.lba + off, { chunk.data(), n * 512 }, &error)) {
                    verifyError = error;
                    break;
                }
                std::uint64_t bad = 0;
                if (const std::size_t b =
                        EtherdiskBench::checkPattern(chunk.data(), e.lba + off, n, &bad)) {
                    if (verifyMismatches == 0)
                        verifyFirstBad = bad;
                    verifyMismatches += b;
                }
                verifiedBytes += n * 512;
                off += n;
            }
        }
    }

    std::sort(latencies.begin(), latencies.end());
    const double secs = double(elapsedNs) / 1e9;
    const double mbps = double(bytes) / 1e6 / secs;
    const double iops = double(ios) / secs;
    const double gb = double(bytes) / 1e9;
    const std::uint64_t p50 = percentile(latencies, 50), p90 = percentile(latencies, 90),
                        p99 = percentile(latencies, 99),
                        pmax = latencies.empty() ? 0 : latencies.back();
    const std::uint64_t retransmits = s1.retransmits - s0.retransmits;
    const std::uint64_t ignored = s1.ignored - s0.ignored;
    const bool failed = errors || readMismatches || verifyMismatches || !verifyError.empty();

    if (args.json) {
        std::printf("{\"target\":\"%s\",\"interface\":\"%s\",\"mac\":\"%s\",\"mode\":\"%s\","
                    "\"request_bytes\":%" PRIu64 ",\"payload_bytes\":%u,\"window\":%u,"
                    "\"depth\":%u,\"buffer_count\":%u,\"seconds\":%.3f,\"bytes\":%" PRIu64
                    ",\"ios\":%" PRIu64 ",\"mb_per_s\":%.1f,\"iops\":%.0f,"
                    "\"latency_us\":{\"p50\":%" PRIu64 ",\"p90\":%" PRIu64 ",\"p99\":%" PRIu64
                    ",\"max\":%" PRIu64 "},\"retransmits\":%" PRIu64 ",\"ignored\":%" PRIu64
                    ",\"errors\":%" PRIu64 ",\"srtt_us\":%" PRIu64 ",\"rto_us\":%" PRIu64
                    ",\"bench_cpu_s\":%.3f",
                    ini->name().c_str(), args.interface.c_str(),
                    Etherdisk::Aoe::formatMac(t.mac).c_str(), modeName(args.mode), size,
                    t.payloadBytes, ini->window(), depth, unsigned(t.bufferCount), secs, bytes, ios,
                    mbps, iops, p50, p90, p99, pmax, retransmits, ignored, errors, s1.srttUs,
                    s1.rtoUs, selfCpu);
        if (targetCpu >= 0)
            std::printf(",\"target_pid\":%ld,\"target_cpu_s\":%.3f,\"target_cpu_s_per_gb\":%.3f",
                        args.pid, targetCpu, gb > 0 ? targetCpu / gb : 0.0);
        if (args.verify)
            std::printf(",\"verify\":{\"read_mismatches\":%" PRIu64 ",\"verified_bytes\":%" PRIu64
                        ",\"verify_mismatches\":%" PRIu64 "}",
                        readMismatches, verifiedBytes, verifyMismatches);
        if (!firstError.empty() || !verifyError.empty()) {
            std::string e = firstError.empty() ? verifyError : firstError;
            std::string escaped;
            for (char ch : e) {
                if (ch == '"' || ch == '\\')
                    escaped += '\\';
                if (std::uint8_t(ch) >= 0x20)
                    escaped += ch;
            }
            std::printf(",\"error\":\"%s\"", escaped.c_str());
        }
        std::printf(",\"ok\":%s}\n", failed ? "false" : "true");
    } else {
        std::printf("%s %s on %s (%s): %" PRIu64 " bytes per request, %u-byte frames, window %u "
                    "(target buffer count %u), %u requests in flight\n",
                    modeName(args.mode), ini->name().c_str(), args.interface.c_str(),
                    Etherdisk::Aoe::formatMac(t.mac).c_str(), size, t.payloadBytes, ini->window(),
                    unsigned(t.bufferCount), depth);
        std::printf("  %.1f MB/s, %.0f IOPS over %.2f s (%" PRIu64 " requests, %" PRIu64
                    " bytes)\n",
                    mbps, iops, secs, ios, bytes);
        std::printf("  latency us: p50 %" PRIu64 ", p90 %" PRIu64 ", p99 %" PRIu64 ", max %" PRIu64
                    "\n",
                    p50, p90, p99, pmax);
        std::printf("  retransmits %" PRIu64 ", ignored responses %" PRIu64 ", errors %" PRIu64
                    ", srtt %" PRIu64 " us, rto %" PRIu64 " us\n",
                    retransmits, ignored, errors, s1.srttUs, s1.rtoUs);
        std::printf("  bench CPU %.2f s (%.2f s/GB)\n", selfCpu, gb > 0 ? selfCpu / gb : 0.0);
        if (targetCpu >= 0)
            std::printf("  target pid %ld CPU %.2f s (%.3f s/GB)\n", args.pid, targetCpu,
                        gb > 0 ? targetCpu / gb : 0.0);
        if (args.verify && !write)
            std::printf(
                "  verify: %" PRIu64 " requests with data not matching the pattern%s\n",
                readMismatches,
                readMismatches ? (" (first at LBA " + std::to_string(firstBad) + ")").c_str() : "");
        if (args.verify && write)
            std::printf("  verify: %" PRIu64 " bytes read back, %" PRIu64 " sectors differ%s\n",
                        verifiedBytes, verifyMismatches,
                        verifyMismatches
                            ? (" (first at LBA " + std::to_string(verifyFirstBad) + ")").c_str()
                            : "");
        if (!firstError.empty())
            std::printf("  first error: %s\n", firstError.c_str());
        if (!verifyError.empty())
            std::printf("  verify error: %s\n", verifyError.c_str());
    }
    return failed ? 1 : 0;
}
