// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
//
// store-write-cost: what one write into a memory-backed image costs, by the
// three ways a target could make it, so that BENCHMARKS.md can say how much
// of a write's CPU time is the store's and what a different way would save.
// A file of 1 GiB (or --size) in /dev/shm, fully allocated and mapped with
// its page tables filled (MAP_POPULATE: no way pays first-touch faults that
// another has already paid); random writes of
// --bytes each at aligned offsets, in batches of --batch:
//   pwrite       one pwrite() per write (etherdisk-target, null-responder --store)
//   vm_writev    one process_vm_writev() per batch into a shared writable
//                mapping of the file (the kernel copies; a truncated file is
//                an EFAULT, not a crash)
//   memcpy       memcpy() into that mapping (no system call at all; a file
//                truncated or a tmpfs full under it raises SIGBUS in the
//                process, which is why the engine does not do this)
// Prints writes per second and CPU microseconds per write for each.
//
//   store-write-cost [--bytes 4096] [--batch 64] [--count 2000000] [--size BYTES]

#include <algorithm>
#include <chrono>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <random>
#include <string>
#include <vector>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    std::size_t bytes = 4096, batch = 64, count = 2000000, size = std::size_t(1) << 30;
    for (int i = 1; i < argc; i += 2) {
        const std::string a = argv[i];
        if (i + 1 == argc) {
            std::fprintf(stderr, "store-write-cost: %s needs a value\n", argv[i]);
            return 2;
        }
        const std::size_t v = std::strtoull(argv[i + 1], nullptr, 0);
        if (a == "--bytes")
            bytes = v;
        else if (a == "--batch")
            batch = v;
        else if (a == "--count")
            count = v;
        else if (a == "--size")
            size = v;
        else {
            std::fprintf(stderr,
                         "usage: store-write-cost [--bytes N] [--batch N] [--count N] "
                         "[--size BYTES]\n");
            return 2;
        }
    }
    if (bytes == 0 || bytes > size || batch == 0 || batch > IOV_MAX || count < batch) {
        std::fprintf(stderr, "store-write-cost: --bytes 1..size, --batch 1..%d, --count >= batch\n",
                     IOV_MAX);
        return 2;
    }
    count -= count % batch;
    char path[] = "/dev/shm/store-write-cost-XXXXXX";
    const int fd = ::mkstemp(path);
    if (fd < 0) {
        std::perror("store-write-cost: /dev/shm");
        return 1;
    }
    ::unlink(path);
    std::vector<char> fill(std::size_t(1) << 20, 1);
    for (std::size_t o = 0; o < size; o += fill.size())
        if (::pwrite(fd, fill.data(), std::min(fill.size(), size - o), off_t(o)) < 0) {
            std::perror("store-write-cost: filling the file");
            return 1;
        }
    auto *map = static_cast<char *>(
        ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, 0));
    if (map == MAP_FAILED) {
        std::perror("store-write-cost: mmap");
        return 1;
    }
    std::mt19937_64 rng(1);
    std::vector<std::size_t> offsets(count);
    for (std::size_t &o : offsets)
        o = (rng() % (size / bytes)) * bytes;
    std::vector<char> data(batch * bytes, 7);
    std::vector<iovec> local(batch), remote(batch);
    std::printf("%zu random writes of %zu bytes into a %zu MiB tmpfs file, batches of %zu\n", count,
                bytes, size >> 20, batch);
    for (const char *way : { "pwrite", "vm_writev", "memcpy" }) {
        const auto t0 = std::chrono::steady_clock::now();
        timespec c0{}, c1{};
        ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c0);
        for (std::size_t i = 0; i < count; i += batch) {
            if (!std::strcmp(way, "pwrite")) {
                for (std::size_t j = 0; j < batch; ++j)
                    if (::pwrite(fd, &data[j * bytes], bytes, off_t(offsets[i + j]))
                        != ssize_t(bytes)) {
                        std::perror("store-write-cost: pwrite");
                        return 1;
                    }
            } else if (!std::strcmp(way, "vm_writev")) {
                for (std::size_t j = 0; j < batch; ++j) {
                    local[j] = { &data[j * bytes], bytes };
                    remote[j] = { map + offsets[i + j], bytes };
                }
                if (::process_vm_writev(::getpid(), local.data(), batch, remote.data(), batch, 0)
                    != ssize_t(batch * bytes)) {
                    std::perror("store-write-cost: process_vm_writev");
                    return 1;
                }
            } else {
                for (std::size_t j = 0; j < batch; ++j)
                    std::memcpy(map + offsets[i + j], &data[j * bytes], bytes);
            }
        }
        ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c1);
        const double s =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        const double cpuUs = ((c1.tv_sec - c0.tv_sec) * 1e6 + (c1.tv_nsec - c0.tv_nsec) / 1e3);
        std::printf("  %-10s %10.0f writes/s  %5.2f CPU us per write\n", way, double(count) / s,
                    cpuUs / double(count));
    }
    return 0;
}
