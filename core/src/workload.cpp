// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later

#include "etherdisk/workload.h"
#include "etherdisk/util.h"

#include <algorithm>
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

    struct Extent
    {
        std::uint64_t lba, sectors;
    };

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

    // Sorts and merges overlapping or touching extents in place.
    void mergeExtents(std::vector<Extent> *extents)
    {
        std::vector<Extent> &v = *extents;
        std::sort(v.begin(), v.end(),
                  [](const Extent &a, const Extent &b) { return a.lba < b.lba; });
        std::size_t out = 0;
        for (std::size_t i = 0; i < v.size(); ++i) {
            if (out > 0 && v[i].lba <= v[out - 1].lba + v[out - 1].sectors)
                v[out - 1].sectors =
                    std::max(v[out - 1].sectors, v[i].lba + v[i].sectors - v[out - 1].lba);
            else
                v[out++] = v[i];
        }
        v.resize(out);
    }

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

    // Reads back every extent written and compares it with the pattern.
    void verifyWritten(Initiator &ini, std::vector<Extent> written, const std::atomic<bool> *stop,
                       WorkloadResult *r)
    {
        std::string error;
        if (!ini.flush(&error)) {
            r->verifyError = error;
            return;
        }
        mergeExtents(&written);
        std::vector<std::uint8_t> chunk(1 << 20);
        for (const Extent &e : written) {
            for (std::uint64_t off = 0; off < e.sectors;) {
                if (stop && stop->load()) {
                    r->verifyError = "verification interrupted after "
                        + std::to_string(r->verifiedBytes) + " bytes";
                    return;
                }
                const std::uint64_t n =
                    std::min<std::uint64_t>(e.sectors - off, chunk.size() / 512);
                if (!ini.read(e.lba + off, { chunk.data(), n * 512 }, &error)) {
                    r->verifyError = error;
                    return;
                }
                std::uint64_t bad = 0;
                if (const std::size_t b = checkPattern(chunk.data(), e.lba + off, n, &bad)) {
                    if (r->verifyMismatches == 0)
                        r->firstBadLba = bad;
                    r->verifyMismatches += b;
                }
                r->verifiedBytes += n * 512;
                off += n;
            }
        }
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
    const std::uint64_t randomSlots = (t.sectors - reqSectors) / 8 + 1;
    r.requestBytes = size;
    r.depth = depth;

    std::vector<std::uint8_t> buffers(std::size_t(depth) * size);
    if (write && !options.verify)
        for (unsigned i = 0; i < depth; ++i)
            fillPattern(buffers.data() + std::size_t(i) * size, i, reqSectors);
    LatencyHistogram latencies;
    std::vector<Extent> written; // merged whenever it grows large: memory stays bounded
    std::size_t compactAt = 1 << 16;
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
    bool stopping = false;
    while (ini.pendingRequests() > 0) {
        const int n = ini.process(done, 100, error);
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
                if (write && options.verify) {
                    written.push_back({ c.lba, reqSectors });
                    if (written.size() >= compactAt) {
                        mergeExtents(&written);
                        compactAt = std::max<std::size_t>(written.size() * 2, 1 << 16);
                    }
                }
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
        verifyWritten(ini, std::move(written), options.stop, &r);

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
            std::memcpy(out + s * 512 + w * 8, &v, 8);
        }
}

std::size_t checkPattern(const std::uint8_t *data, std::uint64_t lba, std::size_t sectors,
                         std::uint64_t *firstBad)
{
    std::size_t bad = 0;
    for (std::size_t s = 0; s < sectors; ++s)
        for (std::size_t w = 0; w < 64; ++w) {
            std::uint64_t v;
            std::memcpy(&v, data + s * 512 + w * 8, 8);
            if (v != patternWord(lba + s, w)) {
                if (bad++ == 0 && firstBad)
                    *firstBad = lba + s;
                break;
            }
        }
    return bad;
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
