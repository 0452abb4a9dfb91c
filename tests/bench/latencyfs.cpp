// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
//
// latencyfs: a FUSE file system with one file, /disk.img, whose every read,
// write and fsync completes after a fixed latency (default 0.5 ms) and which
// has any number of requests in flight at once, like a disk with a deep
// queue. Benchmarks use it to show what a target does with storage latency:
// one request at a time (vblade) cannot exceed 1/latency IOPS; a target
// that keeps many requests in flight can.
//
//   latencyfs MOUNTPOINT --size=BYTES [--latency-us=500] [--inode=2] [-f] [fuse options]
//
// --inode sets the inode number disk.img reports: a server restarted with
// another number looks like another file at the same path (tests use it).
//
// Low-level FUSE API: one thread reads requests and queues them with their
// due time, a second thread answers each when it is due. So the latency is
// the same whether 1 or 200 requests wait, and no thread sleeps per request.
// Data lives in memory; opens are direct_io so the page cache hides nothing.

#define FUSE_USE_VERSION 35
#include <fuse3/fuse_lowlevel.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <deque>
#include <mutex>
#include <sys/mman.h>
#include <thread>

namespace {

using Clock = std::chrono::steady_clock;

struct Options
{
    unsigned long long size = 0;
    unsigned latencyUs = 500;
    unsigned long inode = 2; // st_ino of disk.img
};

Options g_options;
unsigned char *g_data = nullptr;
constexpr fuse_ino_t RootIno = 1;
constexpr fuse_ino_t DiskIno = 2;
constexpr const char *DiskName = "disk.img";
constexpr unsigned MaxBackground = 256; // requests in flight (see initOp)

// Requests wait in arrival order; all have the same latency, so the queue is
// sorted by due time already.
struct Pending
{
    enum Kind { Read, Write, Fsync } kind;
    fuse_req_t req;
    std::size_t size;
    off_t offset;
    Clock::time_point due;
};
std::mutex g_mutex;
std::condition_variable g_cv;
std::deque<Pending> g_queue;
bool g_stop = false;

void enqueue(Pending p)
{
    p.due = Clock::now() + std::chrono::microseconds(g_options.latencyUs);
    {
        std::lock_guard lock(g_mutex);
        g_queue.push_back(p);
    }
    g_cv.notify_one();
}

void answer(const Pending &p)
{
    switch (p.kind) {
    case Pending::Read: {
        const std::size_t off = std::size_t(p.offset);
        const std::size_t n =
            off >= g_options.size ? 0 : std::min(p.size, std::size_t(g_options.size - off));
        fuse_reply_buf(p.req, reinterpret_cast<const char *>(g_data + off), n);
        break;
    }
    case Pending::Write:
        fuse_reply_write(p.req, p.size);
        break;
    case Pending::Fsync:
        fuse_reply_err(p.req, 0);
        break;
    }
}

void completer()
{
    std::unique_lock lock(g_mutex);
    while (!g_stop) {
        if (g_queue.empty()) {
            g_cv.wait(lock);
            continue;
        }
        const Clock::time_point due = g_queue.front().due;
        if (Clock::now() < due) {
            g_cv.wait_until(lock, due);
            continue;
        }
        std::deque<Pending> ready;
        const Clock::time_point now = Clock::now();
        while (!g_queue.empty() && g_queue.front().due <= now) {
            ready.push_back(g_queue.front());
            g_queue.pop_front();
        }
        lock.unlock();
        for (const Pending &p : ready)
            answer(p);
        lock.lock();
    }
}

// The kernel keeps at most max_background asynchronous requests (io_uring's
// and libaio's direct reads and writes) in flight to a FUSE server, 12 unless
// the server says otherwise: at 0.5 ms that caps the store at 24,000 IOPS
// whatever its users do (fio with io_uring at queue depth 64 measured 17,900
// here). A disk with a deep queue has no such cap.
void initOp(void *, fuse_conn_info *conn)
{
    conn->max_background = MaxBackground;
    conn->congestion_threshold = MaxBackground * 3 / 4;
}

void fillAttr(fuse_ino_t ino, struct stat *st)
{
    std::memset(st, 0, sizeof *st);
    st->st_ino = ino;
    if (ino == RootIno) {
        st->st_mode = S_IFDIR | 0755;
        st->st_nlink = 2;
    } else {
        st->st_ino = g_options.inode;
        st->st_mode = S_IFREG | 0644;
        st->st_nlink = 1;
        st->st_size = off_t(g_options.size);
    }
}

void lookupOp(fuse_req_t req, fuse_ino_t parent, const char *name)
{
    if (parent != RootIno || std::strcmp(name, DiskName) != 0) {
        fuse_reply_err(req, ENOENT);
        return;
    }
    fuse_entry_param e{};
    e.ino = DiskIno;
    e.attr_timeout = 3600;
    e.entry_timeout = 3600;
    fillAttr(DiskIno, &e.attr);
    fuse_reply_entry(req, &e);
}

void getattrOp(fuse_req_t req, fuse_ino_t ino, fuse_file_info *)
{
    if (ino != RootIno && ino != DiskIno) {
        fuse_reply_err(req, ENOENT);
        return;
    }
    struct stat st;
    fillAttr(ino, &st);
    fuse_reply_attr(req, &st, 3600);
}

void setattrOp(fuse_req_t req, fuse_ino_t ino, struct stat *, int, fuse_file_info *fi)
{
    getattrOp(req, ino, fi); // the size is fixed; truncation is a no-op
}

void openOp(fuse_req_t req, fuse_ino_t ino, fuse_file_info *fi)
{
    if (ino != DiskIno) {
        fuse_reply_err(req, EISDIR);
        return;
    }
    fi->direct_io = 1;
    fuse_reply_open(req, fi);
}

void readOp(fuse_req_t req, fuse_ino_t, size_t size, off_t off, fuse_file_info *)
{
    enqueue({ Pending::Read, req, size, off, {} });
}

void writeOp(fuse_req_t req, fuse_ino_t, const char *buf, size_t size, off_t off, fuse_file_info *)
{
    if (std::size_t(off) + size > g_options.size) {
        fuse_reply_err(req, ENOSPC);
        return;
    }
    std::memcpy(g_data + off, buf, size); // visible at once, acknowledged when due
    enqueue({ Pending::Write, req, size, off, {} });
}

void fsyncOp(fuse_req_t req, fuse_ino_t, int, fuse_file_info *)
{
    enqueue({ Pending::Fsync, req, 0, 0, {} });
}

void readdirOp(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, fuse_file_info *)
{
    if (ino != RootIno) {
        fuse_reply_err(req, ENOTDIR);
        return;
    }
    char buf[512];
    std::size_t used = 0;
    const char *names[] = { ".", "..", DiskName };
    const fuse_ino_t inos[] = { RootIno, RootIno, DiskIno };
    for (int i = int(off); i < 3; ++i) {
        struct stat st;
        fillAttr(inos[i], &st);
        const std::size_t n =
            fuse_add_direntry(req, buf + used, sizeof buf - used, names[i], &st, i + 1);
        if (used + n > std::min(size, sizeof buf))
            break;
        used += n;
    }
    fuse_reply_buf(req, buf, used);
}

#define OPT(t, p) \
    { \
        t, offsetof(Options, p), 1 \
    }
const fuse_opt optionSpec[] = {
    OPT("--size=%llu", size),
    OPT("--latency-us=%u", latencyUs),
    OPT("--inode=%lu", inode),
    FUSE_OPT_END,
};

} // namespace

int main(int argc, char **argv)
{
    fuse_args args = FUSE_ARGS_INIT(argc, argv);
    if (fuse_opt_parse(&args, &g_options, optionSpec, nullptr) != 0)
        return 1;
    fuse_cmdline_opts opts{};
    if (fuse_parse_cmdline(&args, &opts) != 0 || !opts.mountpoint) {
        std::fprintf(
            stderr,
            "usage: latencyfs MOUNTPOINT --size=BYTES [--latency-us=500] [--inode=2] [-f]\n");
        return 1;
    }
    if (g_options.size == 0 || g_options.size % 512) {
        std::fprintf(stderr, "latencyfs: --size=BYTES (a multiple of 512) is required\n");
        return 1;
    }
    void *mem =
        mmap(nullptr, g_options.size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (mem == MAP_FAILED) {
        std::perror("latencyfs: mmap");
        return 1;
    }
    g_data = static_cast<unsigned char *>(mem);
    fuse_lowlevel_ops ops{};
    ops.init = initOp;
    ops.lookup = lookupOp;
    ops.getattr = getattrOp;
    ops.setattr = setattrOp;
    ops.open = openOp;
    ops.read = readOp;
    ops.write = writeOp;
    ops.fsync = fsyncOp;
    ops.readdir = readdirOp;
    fuse_session *se = fuse_session_new(&args, &ops, sizeof ops, nullptr);
    if (!se || fuse_set_signal_handlers(se) != 0 || fuse_session_mount(se, opts.mountpoint) != 0)
        return 1;
    fuse_daemonize(opts.foreground);
    std::thread done(completer);
    const int rc = fuse_session_loop(se);
    {
        std::lock_guard lock(g_mutex);
        g_stop = true;
    }
    g_cv.notify_one();
    done.join();
    fuse_session_unmount(se);
    fuse_remove_signal_handlers(se);
    fuse_session_destroy(se);
    return rc;
}
