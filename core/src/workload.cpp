// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later

#include "etherdisk/workload.h"
#include "etherdisk/util.h"

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <ctime>
#include <fstream>
#include <sstream>
#include <vector>

#include <sys/resource.h>
#include <unistd.h>

namespace Etherdisk {

namespace {

    using Mode = WorkloadOptions::Mode;

    double selfCpuSeconds()
    {
        rusage ru{};
        ::getrusage(RUSAGE_SELF, &ru);
        return double(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec)
            + double(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
    }

    // Latencies in microseconds, in constant memory however long the run:
    // exact below 65.536 ms, in 65.536 ms steps above (percentiles there
    // report the step's lower bound); the maximum is kept exactly.
    class LatencyHistogram
    {
    public:
        LatencyHistogram() : m_fine(Buckets, 0), m_coarse(Buckets, 0) { }
        void add(std::uint64_t us)
        {
            if (us < Buckets)
                ++m_fine[us];
            else
                ++m_coarse[std::min<std::uint64_t>(us >> 16, Buckets - 1)];
            ++m_count;
            m_max = std::max(m_max, us);
        }
        std::uint64_t max() const { return m_max; }
        std::uint64_t percentile(double p) const
        {
            if (m_count == 0)
                return 0;
            const std::uint64_t rank = std::clamp<std::uint64_t>(
                std::uint64_t(std::ceil(p / 100.0 * double(m_count))), 1, m_count);
            std::uint64_t seen = 0;
            for (std::size_t i = 0; i < Buckets; ++i)
                if ((seen += m_fine[i]) >= rank)
                    return i;
            for (std::size_t i = 0; i < Buckets; ++i)
                if ((seen += m_coarse[i]) >= rank)
                    return std::min<std::uint64_t>(std::uint64_t(i) << 16, m_max);
            return m_max;
        }

    private:
        static constexpr std::size_t Buckets = 1 << 16;
        std::vector<std::uint64_t> m_fine, m_coarse;
        std::uint64_t m_count = 0;
        std::uint64_t m_max = 0;
    };

    // xorshift64*: a fixed, fast sequence of random LBAs (runs are repeatable).
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

    // Reads back every sector whose write was acknowledged and compares it
    // with the pattern.
    void verifyWritten(Initiator &ini, const std::atomic<bool> *stop, WorkloadResult *r)
    {
        std::string error;
        if (!ini.flush(&error)) {
            r->verifyError = error;
            return;
        }
        const VerifyReport v = verifyAcknowledged(
            r->acknowledged,
            [&ini](std::uint64_t lba, std::uint8_t *out, std::size_t sectors, std::string *why) {
                return ini.read(lba, { out, sectors * 512 }, why);
            },
            stop);
        r->verifiedBytes = v.checkedSectors * 512;
        r->verifyMismatches = v.mismatches;
        if (v.mismatches)
            r->firstBadLba = v.firstBadLba;
        r->verifyError = v.error;
    }

} // namespace

bool parseWorkloadMode(const std::string &text, WorkloadOptions::Mode *mode)
{
    for (Mode m : { Mode::SeqRead, Mode::SeqWrite, Mode::RandRead, Mode::RandWrite })
        if (text == workloadModeName(m)) {
            *mode = m;
            return true;
        }
    return false;
}

const char *workloadModeName(WorkloadOptions::Mode mode)
{
    switch (mode) {
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

bool runWorkload(Initiator &ini, const WorkloadOptions &options, WorkloadResult *result,
                 std::string *error)
{
    *result = WorkloadResult();
    WorkloadResult &r = *result;
    const Initiator::TargetInfo &t = ini.target();
    const std::uint64_t size = options.requestBytes ? options.requestBytes : t.payloadBytes;
    if (size == 0 || size % 512) {
        *error = "the request size must be a non-zero multiple of 512 bytes";
        return false;
    }
    const std::uint64_t reqSectors = size / 512;
    if (reqSectors > t.sectors) {
        *error = "a request of " + std::to_string(size) + " bytes does not fit on " + ini.name()
            + " (" + std::to_string(t.sectors) + " sectors)";
        return false;
    }
    if (!(options.seconds > 0)) {
        *error = "the run time must be positive";
        return false;
    }
    const bool write = options.mode == Mode::SeqWrite || options.mode == Mode::RandWrite;
    const bool random = options.mode == Mode::RandRead || options.mode == Mode::RandWrite;
    const std::uint64_t framesPerReq = (reqSectors + t.sectorsPerFrame - 1) / t.sectorsPerFrame;
    const unsigned depth = unsigned(std::clamp<std::uint64_t>(
        (ini.window() + framesPerReq - 1) / framesPerReq, 1, Initiator::MaxWindow));
    // Verified writes stay where the bitmap of acknowledged sectors reaches.
    const std::uint64_t span =
        write && options.verify ? std::min(t.sectors, MaxVerifySectors) : t.sectors;
    const std::uint64_t randomSlots = (span - reqSectors) / 8 + 1;
    r.requestBytes = size;
    r.depth = depth;
    if (write) {
        r.testedSectors = span;
        if (options.verify)
            r.acknowledged = SectorSet(span);
    }

    std::vector<std::uint8_t> buffers(std::size_t(depth) * size);
    if (write && !options.verify)
        for (unsigned i = 0; i < depth; ++i)
            fillPattern(buffers.data() + std::size_t(i) * size, i, reqSectors);
    LatencyHistogram latencies;
    Random rng;
    std::uint64_t cursor = 0;
    auto nextLba = [&]() {
        if (random)
            return (rng.next() % randomSlots) * 8;
        if (cursor + reqSectors > span)
            cursor = 0;
        const std::uint64_t lba = cursor;
        cursor += reqSectors;
        return lba;
    };
    auto submit = [&](unsigned i) {
        const std::uint64_t lba = nextLba();
        std::uint8_t *buf = buffers.data() + std::size_t(i) * size;
        if (write) {
            if (options.verify)
                fillPattern(buf, lba, reqSectors);
            return ini.submitWrite(lba, { buf, size }, i, error);
        }
        return ini.submitRead(lba, { buf, size }, i, error);
    };

    const double targetCpu0 = options.targetPid > 0 ? processCpuSeconds(options.targetPid) : -1;
    const double selfCpu0 = selfCpuSeconds();
    const Initiator::Stats s0 = ini.stats();
    const std::uint64_t start = std::uint64_t(monotonicNs());
    const std::uint64_t end = start + std::uint64_t(options.seconds * 1e9);
    std::uint64_t nextProgress = start + 1'000'000'000u;
    for (unsigned i = 0; i < depth; ++i)
        if (!submit(i))
            return false;
    std::vector<Initiator::Completion> done(depth);
    // One frame at a time: one completion per call, never waiting (see oneFrame).
    const std::span<Initiator::Completion> take =
        options.oneFrame ? std::span(done).first(1) : std::span(done);
    const int waitMs = options.oneFrame ? 0 : 100;
    bool stopping = false;
    while (ini.pendingRequests() > 0) {
        const int n = ini.process(take, waitMs, error);
        if (n < 0)
            return false;
        const std::uint64_t now = std::uint64_t(monotonicNs());
        if (!stopping && (now >= end || (options.stop && options.stop->load()))) {
            stopping = true;
            r.stopped = now < end;
        }
        if (options.progress && now >= nextProgress) {
            nextProgress += 1'000'000'000u;
            options.progress(double(now - start) / 1e9, r.bytes, r.ios);
        }
        for (int k = 0; k < n; ++k) {
            const Initiator::Completion &c = done[std::size_t(k)];
            const unsigned i = unsigned(c.user);
            if (!c.ok()) {
                if (r.errors++ == 0)
                    r.firstError = ini.describe(c);
            } else {
                ++r.ios;
                r.bytes += size;
                latencies.add(c.latencyNs / 1000);
                if (write && options.verify)
                    r.acknowledged.add(c.lba, reqSectors);
                std::uint64_t bad = 0;
                if (!write && options.verify
                    && checkPattern(buffers.data() + std::size_t(i) * size, c.lba, reqSectors, &bad)
                    && r.readMismatches++ == 0)
                    r.firstBadLba = bad;
            }
            if (!stopping && r.errors == 0 && !submit(i))
                return false;
        }
    }
    const std::uint64_t elapsedNs = std::uint64_t(monotonicNs()) - start;
    r.selfCpuSeconds = selfCpuSeconds() - selfCpu0;
    const double targetCpu1 = options.targetPid > 0 ? processCpuSeconds(options.targetPid) : -1;
    if (targetCpu0 >= 0 && targetCpu1 >= 0)
        r.targetCpuSeconds = targetCpu1 - targetCpu0;
    const Initiator::Stats s1 = ini.stats();

    if (write && options.verify && r.errors == 0)
        verifyWritten(ini, options.stop, &r);

    r.seconds = double(elapsedNs) / 1e9;
    r.mbPerSecond = double(r.bytes) / 1e6 / r.seconds;
    r.iops = double(r.ios) / r.seconds;
    r.p50Us = latencies.percentile(50);
    r.p90Us = latencies.percentile(90);
    r.p99Us = latencies.percentile(99);
    r.maxUs = latencies.max();
    r.retransmits = s1.retransmits - s0.retransmits;
    r.ignored = s1.ignored - s0.ignored;
    r.srttUs = s1.srttUs;
    r.rtoUs = s1.rtoUs;
    return true;
}

std::uint64_t patternWord(std::uint64_t lba, std::size_t word)
{
    std::uint64_t x = (lba << 6 | word) + 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    return x ^ (x >> 27);
}

void fillPattern(std::uint8_t *out, std::uint64_t lba, std::size_t sectors)
{
    for (std::size_t s = 0; s < sectors; ++s)
        for (std::size_t w = 0; w < 64; ++w) {
            const std::uint64_t v = patternWord(lba + s, w);
            for (std::size_t b = 0; b < 8; ++b)
                out[s * 512 + w * 8 + b] = std::uint8_t(v >> (8 * b));
        }
}

std::size_t checkPattern(const std::uint8_t *data, std::uint64_t lba, std::size_t sectors,
                         std::uint64_t *firstBad)
{
    std::size_t bad = 0;
    for (std::size_t s = 0; s < sectors; ++s)
        for (std::size_t w = 0; w < 64; ++w) {
            std::uint64_t v = 0;
            for (std::size_t b = 0; b < 8; ++b)
                v |= std::uint64_t(data[s * 512 + w * 8 + b]) << (8 * b);
            if (v != patternWord(lba + s, w)) {
                if (bad++ == 0 && firstBad)
                    *firstBad = lba + s;
                break;
            }
        }
    return bad;
}

SectorSet::SectorSet(std::uint64_t range) : m_bits((range + 63) / 64, 0), m_range(range) { }

bool SectorSet::add(std::uint64_t lba, std::uint64_t sectors)
{
    if (lba > m_range || sectors > m_range - lba)
        return false;
    const std::uint64_t end = lba + sectors;
    while (lba < end) {
        const std::uint64_t bit = lba % 64;
        const std::uint64_t n = std::min<std::uint64_t>(64 - bit, end - lba);
        const std::uint64_t mask = (n == 64 ? ~std::uint64_t(0) : ((std::uint64_t(1) << n) - 1))
            << bit;
        std::uint64_t &word = m_bits[lba / 64];
        m_count += std::uint64_t(std::popcount(mask & ~word));
        word |= mask;
        lba += n;
    }
    return true;
}

bool SectorSet::contains(std::uint64_t lba) const
{
    return lba < m_range && (m_bits[lba / 64] >> (lba % 64) & 1);
}

void SectorSet::forEachRun(const std::function<bool(std::uint64_t, std::uint64_t)> &f) const
{
    std::uint64_t lba = 0;
    while (lba < m_range) {
        // skip to the next set bit
        std::uint64_t word = m_bits[lba / 64] >> (lba % 64);
        if (word == 0) {
            lba = (lba / 64 + 1) * 64;
            continue;
        }
        lba += std::uint64_t(std::countr_zero(word));
        // and on to the next clear one (bits past the range are never set)
        const std::uint64_t start = lba;
        for (;;) {
            word = ~m_bits[lba / 64] >> (lba % 64);
            if (word != 0) {
                lba += std::uint64_t(std::countr_zero(word));
                break;
            }
            lba = (lba / 64 + 1) * 64;
            if (lba >= m_range)
                break;
        }
        lba = std::min(lba, m_range);
        if (!f(start, lba - start))
            return;
    }
}

bool writeSectorSet(const SectorSet &set, const std::string &path, std::string *error)
{
    std::ofstream out(path, std::ios::trunc);
    if (!out) {
        *error = "cannot create " + path + ": " + std::strerror(errno);
        return false;
    }
    out << "# acknowledged writes: LBA SECTORS, " << set.count() << " of " << set.range()
        << " sectors\n";
    set.forEachRun([&out](std::uint64_t lba, std::uint64_t sectors) {
        out << lba << ' ' << sectors << '\n';
        return bool(out);
    });
    out.close();
    if (!out) {
        *error = "cannot write " + path + ": " + std::strerror(errno);
        return false;
    }
    return true;
}

bool readSectorSet(const std::string &path, SectorSet *set, std::string *error)
{
    std::ifstream in(path);
    if (!in) {
        *error = "cannot open " + path + ": " + std::strerror(errno);
        return false;
    }
    std::string line;
    for (int n = 1; std::getline(in, line); ++n) {
        if (line.empty() || line[0] == '#')
            continue;
        std::istringstream fields(line);
        std::uint64_t lba = 0, sectors = 0;
        std::string rest;
        if (line.find_first_not_of("0123456789 \t") != std::string::npos
            || !(fields >> lba >> sectors) || (fields >> rest) || sectors == 0) {
            *error =
                path + ":" + std::to_string(n) + ": expected \"LBA SECTORS\", got \"" + line + "\"";
            return false;
        }
        if (!set->add(lba, sectors)) {
            *error = path + ":" + std::to_string(n) + ": sectors " + std::to_string(lba) + "+"
                + std::to_string(sectors) + " are beyond the " + std::to_string(set->range())
                + "-sector range";
            return false;
        }
    }
    return true;
}

VerifyReport verifyAcknowledged(const SectorSet &acknowledged, const SectorReader &read,
                                const std::atomic<bool> *stop)
{
    VerifyReport r;
    constexpr std::uint64_t ChunkSectors = 2048; // 1 MiB
    std::vector<std::uint8_t> chunk(ChunkSectors * 512);
    acknowledged.forEachRun([&](std::uint64_t lba, std::uint64_t sectors) {
        for (std::uint64_t off = 0; off < sectors;) {
            if (stop && stop->load()) {
                r.error = "verification interrupted after " + std::to_string(r.checkedSectors)
                    + " of " + std::to_string(acknowledged.count()) + " sectors";
                return false;
            }
            const std::uint64_t n = std::min(sectors - off, ChunkSectors);
            std::string why;
            if (!read(lba + off, chunk.data(), std::size_t(n), &why)) {
                r.error =
                    why.empty() ? "read of sector " + std::to_string(lba + off) + " failed" : why;
                return false;
            }
            std::uint64_t bad = 0;
            if (const std::size_t b = checkPattern(chunk.data(), lba + off, std::size_t(n), &bad)) {
                if (r.mismatches == 0)
                    r.firstBadLba = bad;
                r.mismatches += b;
            }
            r.checkedSectors += n;
            off += n;
        }
        return true;
    });
    return r;
}

double processCpuSeconds(long pid)
{
    std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    if (!std::getline(f, line))
        return -1;
    const std::size_t close = line.rfind(')');
    if (close == std::string::npos || close + 2 > line.size())
        return -1;
    std::istringstream rest(line.substr(close + 2));
    std::string field;
    unsigned long long utime = 0, stime = 0;
    for (int i = 0; rest >> field; ++i) { // i = 0 is field 3 (state)
        if (i == 11)
            utime = std::strtoull(field.c_str(), nullptr, 10);
        if (i == 12) {
            stime = std::strtoull(field.c_str(), nullptr, 10);
            return double(utime + stime) / double(::sysconf(_SC_CLK_TCK));
        }
    }
    return -1;
}

} // namespace Etherdisk
