// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
//
// volatilefs: a FUSE file system that behaves like a disk with a volatile
// write cache when the power fails. Everything written is visible at once,
// but only what fsync/fdatasync (or a write through O_SYNC/O_DSYNC) covered
// survives a power cut:
//   - file data: a write dirties 4 KiB blocks; fsync/fdatasync of the file
//     makes its dirty blocks and its size durable;
//   - names: create, rename, unlink and mkdir change the directory; fsync of
//     the directory makes its entries durable (fsync of a file does not make
//     its name durable, as POSIX allows).
// So a program that skips an fsync loses what it wrote, the way it would on
// a real machine, which neither kill -9 nor the page cache can show.
//
//   volatilefs MOUNTPOINT [--image=NAME --size=BYTES] [-f] [fuse options]
//
// --image creates NAME (zeros, durable) before mounting. Commands are
// written to the file /.control (one per write, e.g. `echo cut >
// MNT/.control`); the write returns once the command took effect:
//   cut        power loss: everything not durable is discarded and the store
//              is off: every operation but the control file fails with EIO
//   on         power back: the store serves its durable state; descriptors
//              opened before the cut keep failing with EIO
//   fail-sync  fsync and fdatasync (and O_SYNC/O_DSYNC writes) fail with
//              EIO. As Linux does after a failed writeback, the dirty data
//              they covered is marked clean without reaching the durable
//              state: a later successful fsync does not save it
//   fail-next-sync  the next fsync or fdatasync fails so, later ones work
//   pass-sync  syncs work again
// Reading /.control tells the state: "on"/"off", syncs "pass"/"fail", how
// many syncs failed and how many times a file was opened (so a test can
// tell whether a program reopened its file).
//
// Every open is direct_io: the kernel's page cache keeps nothing, so this
// cache is the only one and O_DIRECT opens work. Single-threaded, data in
// memory.

#define FUSE_USE_VERSION 35
#include <fuse3/fuse.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace {

constexpr std::size_t BlockSize = 4096;
constexpr const char *ControlPath = "/.control";

struct Node
{
    std::uint64_t ino = 0;
    bool dir = false;
    mode_t mode = 0644;
    std::vector<char> data; // what reads see
    std::vector<char> durable; // what survives a power cut
    std::set<std::size_t> dirty; // blocks of `data` not yet in `durable`
    bool sizeDirty = false;
};

struct State
{
    std::map<std::uint64_t, std::unique_ptr<Node>> nodes;
    std::map<std::string, std::uint64_t> names; // path -> ino, what lookups see
    std::map<std::string, std::uint64_t> durableNames;
    std::uint64_t nextIno = 2;
    std::uint32_t generation = 1; // bumped by every cut: older descriptors fail
    bool off = false;
    bool failSync = false;
    bool failNextSync = false;
    unsigned failedSyncs = 0;
    unsigned opens = 0; // of files, not counting /.control
};

State g;

struct Options
{
    char *image = nullptr;
    unsigned long long size = 0;
};
Options g_options;

std::string parentOf(const std::string &path)
{
    const std::size_t slash = path.rfind('/');
    return slash == 0 ? "/" : path.substr(0, slash);
}

Node *byPath(const std::string &path)
{
    auto it = g.names.find(path);
    return it == g.names.end() ? nullptr : g.nodes[it->second].get();
}

std::uint64_t handle(const Node *n)
{
    return (std::uint64_t(g.generation) << 32) | n->ino;
}

// The node an open descriptor refers to, or null when the store is off or
// the descriptor predates a cut.
Node *byHandle(const fuse_file_info *fi)
{
    if (g.off || std::uint32_t(fi->fh >> 32) != g.generation)
        return nullptr;
    auto it = g.nodes.find(fi->fh & 0xffffffffu);
    return it == g.nodes.end() ? nullptr : it->second.get();
}

Node *newNode(bool dir, mode_t mode)
{
    auto n = std::make_unique<Node>();
    n->ino = g.nextIno++;
    n->dir = dir;
    n->mode = mode;
    Node *raw = n.get();
    g.nodes[raw->ino] = std::move(n);
    return raw;
}

void markDirty(Node *n, std::size_t offset, std::size_t size)
{
    if (size == 0)
        return;
    for (std::size_t b = offset / BlockSize; b <= (offset + size - 1) / BlockSize; ++b)
        n->dirty.insert(b);
}

// fsync of a file: its dirty blocks and size become durable, or, while syncs
// fail, are dropped as Linux drops a failed writeback.
bool syncFails()
{
    const bool fail = g.failSync || g.failNextSync;
    g.failNextSync = false;
    if (fail)
        ++g.failedSyncs;
    return fail;
}

int syncNode(Node *n)
{
    if (syncFails()) {
        n->dirty.clear();
        n->sizeDirty = false;
        return -EIO;
    }
    if (n->sizeDirty || n->durable.size() < n->data.size())
        n->durable.resize(n->data.size());
    for (std::size_t b : n->dirty) {
        const std::size_t from = b * BlockSize;
        if (from >= n->data.size())
            continue;
        const std::size_t len = std::min(BlockSize, n->data.size() - from);
        std::memcpy(n->durable.data() + from, n->data.data() + from, len);
    }
    n->dirty.clear();
    n->sizeDirty = false;
    return 0;
}

void powerCut()
{
    g.names = g.durableNames;
    for (auto &[ino, n] : g.nodes) {
        n->data = n->durable;
        n->dirty.clear();
        n->sizeDirty = false;
    }
    ++g.generation;
    g.off = true;
}

std::string controlText()
{
    return std::string(g.off ? "off" : "on") + " sync=" + (g.failSync ? "fail" : "pass")
        + " failed-syncs=" + std::to_string(g.failedSyncs) + " opens=" + std::to_string(g.opens)
        + "\n";
}

void fillStat(const Node *n, struct stat *st)
{
    std::memset(st, 0, sizeof *st);
    st->st_ino = n->ino;
    st->st_mode = (n->dir ? S_IFDIR : S_IFREG) | n->mode;
    st->st_nlink = n->dir ? 2 : 1;
    st->st_size = off_t(n->data.size());
    st->st_blksize = BlockSize;
    st->st_blocks = off_t((n->data.size() + 511) / 512);
}

void *initOp(fuse_conn_info *, fuse_config *cfg)
{
    cfg->use_ino = 1; // st_ino is ours: the engine compares it on reopen
    cfg->entry_timeout = 0; // a cut changes names and sizes behind the kernel's back
    cfg->attr_timeout = 0;
    cfg->negative_timeout = 0;
    cfg->direct_io = 1;
    cfg->hard_remove = 1;
    return nullptr;
}

int getattrOp(const char *path, struct stat *st, fuse_file_info *fi)
{
    if (std::strcmp(path, ControlPath) == 0) {
        std::memset(st, 0, sizeof *st);
        st->st_ino = 1u << 30;
        st->st_mode = S_IFREG | 0600;
        st->st_nlink = 1;
        return 0;
    }
    if (g.off)
        return -EIO;
    Node *n = fi ? byHandle(fi) : byPath(path);
    if (!n)
        return fi ? -EIO : -ENOENT;
    fillStat(n, st);
    return 0;
}

int readdirOp(const char *path, void *buf, fuse_fill_dir_t fill, off_t, fuse_file_info *,
              fuse_readdir_flags)
{
    if (g.off)
        return -EIO;
    Node *dir = byPath(path);
    if (!dir || !dir->dir)
        return -ENOTDIR;
    fill(buf, ".", nullptr, 0, fuse_fill_dir_flags(0));
    fill(buf, "..", nullptr, 0, fuse_fill_dir_flags(0));
    const std::string self = path;
    for (const auto &[name, ino] : g.names) {
        if (name == "/" || parentOf(name) != self)
            continue;
        struct stat st;
        fillStat(g.nodes[ino].get(), &st);
        fill(buf, name.substr(name.rfind('/') + 1).c_str(), &st, 0, fuse_fill_dir_flags(0));
    }
    return 0;
}

int makeEntry(const char *path, bool dir, mode_t mode, Node **out)
{
    if (g.off)
        return -EIO;
    if (std::strcmp(path, ControlPath) == 0 || byPath(path))
        return -EEXIST;
    Node *parent = byPath(parentOf(path));
    if (!parent || !parent->dir)
        return -ENOENT;
    Node *n = newNode(dir, mode & 07777);
    g.names[path] = n->ino;
    *out = n;
    return 0;
}

int mkdirOp(const char *path, mode_t mode)
{
    Node *n;
    return makeEntry(path, true, mode, &n);
}

int createOp(const char *path, mode_t mode, fuse_file_info *fi)
{
    Node *n;
    const int rc = makeEntry(path, false, mode, &n);
    if (rc != 0)
        return rc;
    fi->fh = handle(n);
    fi->direct_io = 1;
    ++g.opens;
    return 0;
}

int openOp(const char *path, fuse_file_info *fi)
{
    if (std::strcmp(path, ControlPath) == 0) {
        fi->fh = 0;
        fi->direct_io = 1;
        return 0;
    }
    if (g.off)
        return -EIO;
    Node *n = byPath(path);
    if (!n)
        return -ENOENT;
    if (n->dir)
        return -EISDIR;
    fi->fh = handle(n);
    fi->direct_io = 1;
    ++g.opens;
    return 0;
}

int readOp(const char *path, char *buf, size_t size, off_t off, fuse_file_info *fi)
{
    if (std::strcmp(path, ControlPath) == 0) {
        const std::string t = controlText();
        if (std::size_t(off) >= t.size())
            return 0;
        const std::size_t n = std::min(size, t.size() - std::size_t(off));
        std::memcpy(buf, t.data() + off, n);
        return int(n);
    }
    Node *n = byHandle(fi);
    if (!n)
        return -EIO;
    if (std::size_t(off) >= n->data.size())
        return 0;
    const std::size_t len = std::min(size, n->data.size() - std::size_t(off));
    std::memcpy(buf, n->data.data() + off, len);
    return int(len);
}

int control(const char *buf, size_t size)
{
    std::string cmd(buf, size);
    while (!cmd.empty() && (cmd.back() == '\n' || cmd.back() == ' '))
        cmd.pop_back();
    if (cmd == "cut")
        powerCut();
    else if (cmd == "on")
        g.off = false;
    else if (cmd == "fail-sync")
        g.failSync = true;
    else if (cmd == "fail-next-sync")
        g.failNextSync = true;
    else if (cmd == "pass-sync")
        g.failSync = g.failNextSync = false;
    else
        return -EINVAL;
    std::fprintf(stderr, "volatilefs: %s\n", cmd.c_str());
    return int(size);
}

int writeOp(const char *path, const char *buf, size_t size, off_t off, fuse_file_info *fi)
{
    if (std::strcmp(path, ControlPath) == 0)
        return control(buf, size);
    Node *n = byHandle(fi);
    if (!n)
        return -EIO;
    const std::size_t end = std::size_t(off) + size;
    if (end > n->data.size()) {
        n->data.resize(end);
        n->sizeDirty = true;
    }
    std::memcpy(n->data.data() + off, buf, size);
    markDirty(n, std::size_t(off), size);
    if (fi->flags & O_DSYNC) { // O_SYNC includes O_DSYNC
        const int rc = syncNode(n);
        if (rc != 0)
            return rc;
    }
    return int(size);
}

int truncateOp(const char *path, off_t size, fuse_file_info *fi)
{
    if (std::strcmp(path, ControlPath) == 0)
        return 0;
    Node *n = fi ? byHandle(fi) : (g.off ? nullptr : byPath(path));
    if (!n)
        return g.off || fi ? -EIO : -ENOENT;
    const std::size_t old = n->data.size();
    n->data.resize(std::size_t(size));
    n->sizeDirty = true;
    if (std::size_t(size) > old)
        markDirty(n, old, std::size_t(size) - old);
    return 0;
}

int chmodOp(const char *path, mode_t mode, fuse_file_info *fi)
{
    if (std::strcmp(path, ControlPath) == 0)
        return 0;
    Node *n = fi ? byHandle(fi) : (g.off ? nullptr : byPath(path));
    if (!n)
        return -EIO;
    n->mode = mode & 07777;
    return 0;
}

int utimensOp(const char *path, const struct timespec *, fuse_file_info *fi)
{
    if (std::strcmp(path, ControlPath) == 0)
        return 0;
    Node *n = fi ? byHandle(fi) : (g.off ? nullptr : byPath(path));
    return n ? 0 : -EIO;
}

int unlinkOp(const char *path)
{
    if (g.off)
        return -EIO;
    Node *n = byPath(path);
    if (!n)
        return -ENOENT;
    if (n->dir)
        return -EISDIR;
    g.names.erase(path);
    return 0;
}

int rmdirOp(const char *path)
{
    if (g.off)
        return -EIO;
    Node *n = byPath(path);
    if (!n)
        return -ENOENT;
    if (!n->dir)
        return -ENOTDIR;
    for (const auto &[name, ino] : g.names)
        if (name != "/" && parentOf(name) == path)
            return -ENOTEMPTY;
    g.names.erase(path);
    return 0;
}

int renameOp(const char *from, const char *to, unsigned int flags)
{
    if (g.off)
        return -EIO;
    if (flags != 0)
        return -EINVAL;
    Node *n = byPath(from);
    if (!n)
        return -ENOENT;
    if (n->dir)
        return -EXDEV; // not needed by the tests: refuse rather than half-do it
    Node *target = byPath(to);
    if (target && target->dir)
        return -EISDIR;
    Node *parent = byPath(parentOf(to));
    if (!parent || !parent->dir)
        return -ENOENT;
    g.names[to] = n->ino;
    g.names.erase(from);
    return 0;
}

int fsyncOp(const char *path, int, fuse_file_info *fi)
{
    if (std::strcmp(path, ControlPath) == 0)
        return 0;
    Node *n = byHandle(fi);
    if (!n)
        return -EIO;
    return syncNode(n);
}

// fsync of a directory: its entries as they are now become durable.
int fsyncdirOp(const char *path, int, fuse_file_info *)
{
    if (g.off)
        return -EIO;
    if (syncFails())
        return -EIO;
    const std::string dir = path;
    for (auto it = g.durableNames.begin(); it != g.durableNames.end();) {
        if (it->first != "/" && parentOf(it->first) == dir)
            it = g.durableNames.erase(it);
        else
            ++it;
    }
    for (const auto &[name, ino] : g.names)
        if (name != "/" && parentOf(name) == dir)
            g.durableNames[name] = ino;
    return 0;
}

int statfsOp(const char *, struct statvfs *st)
{
    std::memset(st, 0, sizeof *st);
    st->f_bsize = BlockSize;
    st->f_frsize = BlockSize;
    st->f_blocks = 1u << 20;
    st->f_bfree = 1u << 19;
    st->f_bavail = 1u << 19;
    st->f_files = 1u << 20;
    st->f_ffree = 1u << 19;
    st->f_namemax = 255;
    return 0;
}

#define OPT(t, p) \
    { \
        t, offsetof(Options, p), 1 \
    }
const fuse_opt optionSpec[] = {
    OPT("--image=%s", image),
    OPT("--size=%llu", size),
    FUSE_OPT_END,
};

} // namespace

int main(int argc, char **argv)
{
    fuse_args args = FUSE_ARGS_INIT(argc, argv);
    if (fuse_opt_parse(&args, &g_options, optionSpec, nullptr) != 0)
        return 1;
    if (g_options.image && (g_options.size == 0 || std::strchr(g_options.image, '/'))) {
        std::fprintf(stderr,
                     "usage: volatilefs MOUNTPOINT [--image=NAME --size=BYTES] [-f] [fuse "
                     "options]\n(NAME without '/', BYTES > 0)\n");
        return 1;
    }
    Node *root = newNode(true, 0755);
    g.names["/"] = root->ino;
    if (g_options.image) {
        Node *img = newNode(false, 0644);
        img->data.assign(g_options.size, '\0');
        img->durable = img->data;
        g.names[std::string("/") + g_options.image] = img->ino;
    }
    g.durableNames = g.names;
    fuse_operations ops{};
    ops.init = initOp;
    ops.getattr = getattrOp;
    ops.readdir = readdirOp;
    ops.mkdir = mkdirOp;
    ops.create = createOp;
    ops.open = openOp;
    ops.read = readOp;
    ops.write = writeOp;
    ops.truncate = truncateOp;
    ops.chmod = chmodOp;
    ops.utimens = utimensOp;
    ops.unlink = unlinkOp;
    ops.rmdir = rmdirOp;
    ops.rename = renameOp;
    ops.fsync = fsyncOp;
    ops.fsyncdir = fsyncdirOp;
    ops.statfs = statfsOp;
    fuse_opt_add_arg(&args, "-s"); // single-threaded: no locking needed
    const int rc = fuse_main(args.argc, args.argv, &ops, nullptr);
    fuse_opt_free_args(&args);
    return rc;
}
