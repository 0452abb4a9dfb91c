// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
//
// Runs a fuzz target's LLVMFuzzerTestOneInput over files without libFuzzer,
// so seeds and crash regressions are checked by every build (gcc too):
//   replay_X [--write-corpus DIR] PATH...
// PATH is a file or a directory; *.pcap files contribute each frame they
// hold. With --write-corpus, frames are also written to DIR as seed files.

#include <pcap/pcap.h>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size);

namespace fs = std::filesystem;

namespace {

std::string g_corpusDir;
std::size_t g_count = 0;

void feed(const std::vector<std::uint8_t> &input, const std::string &name)
{
    LLVMFuzzerTestOneInput(input.data(), input.size());
    ++g_count;
    if (!g_corpusDir.empty()) {
        std::ofstream out(g_corpusDir + "/" + name, std::ios::binary);
        out.write(reinterpret_cast<const char *>(input.data()), std::streamsize(input.size()));
    }
}

bool replayPcap(const fs::path &path)
{
    char errbuf[PCAP_ERRBUF_SIZE] = {};
    pcap_t *p = pcap_open_offline(path.c_str(), errbuf);
    if (!p) {
        std::fprintf(stderr, "%s: %s\n", path.c_str(), errbuf);
        return false;
    }
    pcap_pkthdr *h = nullptr;
    const u_char *d = nullptr;
    int n = 0;
    while (pcap_next_ex(p, &h, &d) == 1)
        feed({ d, d + h->caplen }, path.stem().string() + "-" + std::to_string(++n));
    pcap_close(p);
    return true;
}

bool replay(const fs::path &path)
{
    if (fs::is_directory(path)) {
        bool ok = true;
        for (const auto &entry : fs::directory_iterator(path))
            if (entry.is_regular_file() && entry.path().filename().string()[0] != '.')
                ok = replay(entry.path()) && ok;
        return ok;
    }
    if (path.extension() == ".pcap")
        return replayPcap(path);
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        std::fprintf(stderr, "cannot read %s\n", path.c_str());
        return false;
    }
    feed({ std::istreambuf_iterator<char>(in), {} }, path.filename().string());
    return true;
}

} // namespace

int main(int argc, char **argv)
{
    bool ok = true;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--write-corpus" && i + 1 < argc) {
            g_corpusDir = argv[++i];
            fs::create_directories(g_corpusDir);
            continue;
        }
        ok = replay(arg) && ok;
    }
    std::printf("replayed %zu inputs\n", g_count);
    if (g_count == 0) {
        std::fprintf(stderr, "no input found: nothing was checked\n");
        return 1;
    }
    return ok ? 0 : 1;
}
