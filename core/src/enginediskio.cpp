// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
//
// The engine's backing store and disk I/O: opening and reopening the
// store, request buffers, merging adjacent requests into
// one vectored operation, io_uring submission and completion, group commit
// (one fdatasync for the writes that complete together), and what happens
// when the backing store fails.

#include "engineprivate.h"

#include <cerrno>
#include <fcntl.h>
#include <linux/fs.h>
#include <linux/magic.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <cstring>
#include <sys/uio.h>

namespace Etherdisk {

using namespace Aoe;

namespace {

    ErrorKind kindForErrno(int e)
    {
        switch (e) {
        case ENOENT:
        case ENOTDIR:
            return ErrorKind::NoSuchFile;
        case EACCES:
        case EPERM:
        case EROFS:
            return ErrorKind::PermissionDenied;
        default:
            return ErrorKind::Failed;
        }
    }

    // Direct mode sends every AoE request (a multiple of 512 bytes at a
    // multiple of 512 bytes) straight to the device: that needs a logical
    // block size of 512 (a 4Kn disk has 4096) and, for files, a file system
    // whose direct I/O alignment is 512. Block devices say so (BLKSSZGET);
    // for files an O_DIRECT read of 512 bytes tells.
    bool directIoWorks(int fd, bool blockDevice, const std::string &what, Error *error)
    {
        auto refuse = [&](const std::string &why) {
            *error = { ErrorKind::InvalidArgument,
                       what + " " + why
                           + ": direct mode needs 512-byte direct I/O (AoE sectors are 512 "
                             "bytes); use write mode \"sync\" instead" };
            return false;
        };
        if (blockDevice) {
            int logical = 0;
            if (::ioctl(fd, BLKSSZGET, &logical) == 0 && logical > 512)
                return refuse("has " + std::to_string(logical) + "-byte logical sectors");
        }
        void *buf = nullptr;
        if (posix_memalign(&buf, 4096, 512) != 0) {
            *error = { ErrorKind::Failed, "out of memory" };
            return false;
        }
        ssize_t n;
        do
            n = ::pread(fd, buf, 512, 0);
        while (n < 0 && errno == EINTR);
        const int e = errno;
        std::free(buf);
        if (n < 0 && e == EINVAL)
            return refuse("does not allow 512-byte direct I/O (a larger block size or "
                          "alignment)");
        return true;
    }

} // namespace

bool Engine::Private::checkDirectIo(int fd, bool blockDevice, const std::string &what, Error *error)
{
    return directIoWorks(fd, blockDevice, what, error);
}

// --- the backing store ------------------------------------------------------------

bool Engine::Private::openBacking(Export *exp, Error *error, bool reopen)
{
    const ExportConfig &c = exp->cfg;
    const bool direct = c.writeMode == WriteMode::Direct;
    int flags = (c.readOnly ? O_RDONLY : O_RDWR) | O_CLOEXEC;
    if (direct)
        flags |= O_DIRECT;
    // A reopen never follows a symbolic link: whoever can change the link
    // could point the export at another file.
    if (reopen)
        flags |= O_NOFOLLOW;
    const std::string what = c.fd >= 0 ? "the passed file descriptor" : c.path;
    int fd;
    exp->fromFd = c.fd >= 0;
    if (c.fd >= 0) {
        const int mode = ::fcntl(c.fd, F_GETFL);
        if (mode < 0) {
            *error =
                makeError(ErrorKind::InvalidArgument, "the passed file descriptor is not open");
            return false;
        }
        if (!c.readOnly && (mode & O_ACCMODE) == O_RDONLY) {
            *error = makeError(ErrorKind::PermissionDenied,
                               "the backing file was opened read-only: export it read-only or open "
                               "it for writing");
            return false;
        }
        if (mode & O_APPEND) {
            // Linux ignores pwrite's offset on an O_APPEND descriptor: every
            // write would land at the end of the file, not at its sector.
            *error = makeError(ErrorKind::InvalidArgument,
                               "the passed file descriptor was opened with O_APPEND, so writes "
                               "would land at the end of the file instead of at their sector: "
                               "open it without O_APPEND");
            return false;
        }
        // Our own open file description, so O_DIRECT does not leak to the caller's.
        const std::string proc = "/proc/self/fd/" + std::to_string(c.fd);
        fd = direct ? ::open(proc.c_str(), flags) : ::fcntl(c.fd, F_DUPFD_CLOEXEC, 3);
    } else {
        fd = ::open(c.path.c_str(), flags);
    }
    if (fd < 0) {
        const int e = errno;
        if (e == EINVAL && direct)
            *error = makeError(ErrorKind::InvalidArgument,
                               what
                                   + ": the file system does not support O_DIRECT; use write mode "
                                     "\"sync\" instead");
        else if (e == ELOOP && reopen)
            *error = makeError(ErrorKind::InvalidArgument,
                               what
                                   + " is a symbolic link: not followed when reopening (it may "
                                     "point elsewhere now); remove and add the export again");
        else if (e == ENOENT)
            *error = makeError(ErrorKind::NoSuchFile, "no such file or device: " + what);
        else if (e == EACCES || e == EPERM || e == EROFS)
            *error = makeError(ErrorKind::PermissionDenied,
                               "permission denied opening " + what
                                   + (c.readOnly ? "" : " for writing (export it read-only?)"));
        else if (e == EISDIR)
            *error = makeError(ErrorKind::InvalidArgument,
                               what + " is a directory, not a regular file or block device");
        else if (e == EBUSY)
            *error = makeError(ErrorKind::Failed,
                               what + " is busy (mounted or in use by another program)");
        else
            *error = makeError(kindForErrno(e), "cannot open " + what + ": " + std::strerror(e));
        return false;
    }
    exp->fd = fd;
    struct stat st
    {
    };
    if (::fstat(fd, &st) < 0) {
        *error = makeError(ErrorKind::Failed, "cannot stat " + what + ": " + std::strerror(errno));
        return false;
    }
    exp->dev = st.st_dev;
    exp->ino = st.st_ino;
    exp->rdev = st.st_rdev;
    exp->blockDevice = S_ISBLK(st.st_mode);
    std::uint64_t bytes = 0;
    if (S_ISREG(st.st_mode)) {
        bytes = std::uint64_t(st.st_size);
    } else if (S_ISBLK(st.st_mode)) {
        if (::ioctl(fd, BLKGETSIZE64, &bytes) < 0) {
            *error = makeError(ErrorKind::Failed,
                               "cannot read the size of " + what + ": " + std::strerror(errno));
            return false;
        }
    } else {
        *error =
            makeError(ErrorKind::InvalidArgument, what + " is not a regular file or block device");
        return false;
    }
    if (direct && !directIoWorks(fd, S_ISBLK(st.st_mode), what, error))
        return false;
    struct statfs fs
    {
    };
    // Regular files only: a device node lives on devtmpfs, which says it is
    // tmpfs too, and a disk must not be read and written on the I/O thread.
    exp->memoryBacked = S_ISREG(st.st_mode) && ::fstatfs(fd, &fs) == 0
        && (fs.f_type == TMPFS_MAGIC || fs.f_type == RAMFS_MAGIC);
    exp->tryNowaitReads = !direct && !exp->memoryBacked && S_ISREG(st.st_mode);
    const std::uint64_t total = bytes / SectorSize;
    if (c.offset > total || (c.offset == total && c.length == 0)) {
        *error = makeError(ErrorKind::InvalidArgument,
                           what + " has " + std::to_string(total) + " sectors: offset "
                               + std::to_string(c.offset) + " leaves nothing to export");
        return false;
    }
    const std::uint64_t available = total - c.offset;
    if (c.length > available) {
        *error =
            makeError(ErrorKind::InvalidArgument,
                      what + " has only " + std::to_string(available) + " sectors after offset "
                          + std::to_string(c.offset) + ", not " + std::to_string(c.length));
        return false;
    }
    exp->sectors = c.length ? c.length : available;
    exp->base = c.offset * SectorSize;
    if (exp->sectors == 0) {
        *error =
            makeError(ErrorKind::InvalidArgument, what + " is smaller than one 512-byte sector");
        return false;
    }
    return true;
}

// --- disk I/O --------------------------------------------------------------------

Request *Engine::Private::takeRequest(std::size_t dataBytes, bool direct)
{
    if (freeRequests.empty()) {
        const std::size_t have = requestStore.size();
        if (have >= MaxRequests)
            return nullptr;
        const std::size_t grow = have == 0 ? InitialRequests : have;
        for (std::size_t i = 0; i < grow && requestStore.size() < MaxRequests; ++i) {
            requestStore.push_back(std::make_unique<Request>());
            freeRequests.push_back(requestStore.back().get());
        }
    }
    Request *s = freeRequests.back();
    freeRequests.pop_back();
    const std::size_t frameBytes = std::max(AtaHeaderSize + dataBytes, MinFrameSize);
    if (s->frame.size() < frameBytes)
        s->frame.resize(std::max(frameBytes, AtaHeaderSize + 2 * SectorSize)); // only as links grow
    if (direct && s->alignedSize < dataBytes) {
        std::free(s->aligned);
        s->aligned = nullptr;
        void *p = nullptr;
        if (posix_memalign(&p, DirectAlignment, dataBytes) != 0) {
            freeRequests.push_back(s);
            return nullptr;
        }
        s->aligned = static_cast<std::uint8_t *>(p);
        s->alignedSize = dataBytes;
    }
    if (!direct && s->aligned) {
        std::free(s->aligned);
        s->aligned = nullptr;
        s->alignedSize = 0;
    }
    return s;
}

EngineInternal::ReadMapping::~ReadMapping()
{
    if (base)
        ::munmap(const_cast<std::uint8_t *>(base), std::size_t(bytes));
    if (fd >= 0)
        ::close(fd);
}

void Engine::Private::mapForReads(Export *exp)
{
    exp->readMap.reset();
    struct stat st
    {
    };
    const int flags = ::fcntl(exp->fd, F_GETFL);
    if (!exp->memoryBacked || flags < 0 || (flags & O_DIRECT) || ::fstat(exp->fd, &st) != 0
        || !S_ISREG(st.st_mode) || st.st_size <= 0)
        return;
    auto m = std::make_shared<ReadMapping>();
    m->fd = ::fcntl(exp->fd, F_DUPFD_CLOEXEC, 3);
    if (m->fd < 0)
        return;
    // Only a file without holes: reading a hole of a tmpfs file through a
    // shared mapping allocates a page for it (preadv reads zeros without
    // one), so a sparse image read end to end would fill memory. A file
    // whole when mapped can never need more than its size.
    if (::lseek(m->fd, 0, SEEK_HOLE) < st.st_size)
        return;
    void *p = ::mmap(nullptr, std::size_t(st.st_size), PROT_READ, MAP_SHARED, m->fd, 0);
    if (p == MAP_FAILED)
        return; // reads take the preadv path
    m->base = static_cast<const std::uint8_t *>(p);
    m->bytes = std::uint64_t(st.st_size);
    exp->readMap = std::move(m);
}

void Engine::Private::releaseRequest(Request *req)
{
    req->mapped.reset();
    req->exp = nullptr;
    req->iface = nullptr;
    req->client = nullptr;
    freeRequests.push_back(req);
}

IoOp *Engine::Private::takeOp()
{
    if (freeOps.empty()) {
        opStore.push_back(std::make_unique<IoOp>());
        return opStore.back().get();
    }
    IoOp *op = freeOps.back();
    freeOps.pop_back();
    return op;
}

void Engine::Private::releaseOp(IoOp *op)
{
    op->count = 0;
    op->bytes = 0;
    op->exp = nullptr;
    freeOps.push_back(op);
}

void Engine::Private::submitPending()
{
    if (pendingIo.empty()) {
        aio.submit(); // syncs queued by FLUSH CACHE (no system call when nothing is queued)
        return;
    }
    // After a failed sync no write reaches the store until it is recovered
    // (see syncFailedOn): fail them here, reads go on.
    pendingIo.erase(std::remove_if(pendingIo.begin(), pendingIo.end(),
                                   [this](Request *s) {
                                       if (!s->write || !s->exp->syncFailed)
                                           return false;
                                       respond(s, false, Ata::ErrorUncorrectable);
                                       return true;
                                   }),
                    pendingIo.end());
    // Reads of a mapped store are answered from the mapping (ReadMapping).
    std::erase_if(pendingIo, [this](Request *s) {
        const std::shared_ptr<const ReadMapping> &m = s->exp->readMap;
        if (s->write || s->flush || !m || s->offset + s->length > m->bytes)
            return false;
        s->mapped = m;
        noteBacking(s->exp, 0); // as a read that works (a full tmpfs made room again)
        respond(s, true, 0);
        return true;
    });
    if (pendingIo.empty()) {
        aio.submit();
        return;
    }
    // Adjacent requests of one export and direction become one vectored
    // operation: Linux splits sequential I/O into 1 KiB (MTU 1500) frames.
    std::stable_sort(pendingIo.begin(), pendingIo.end(), [](const Request *a, const Request *b) {
        if (a->exp != b->exp)
            return a->exp < b->exp;
        if (a->write != b->write)
            return a->write < b->write;
        return a->offset < b->offset;
    });
    IoOp *op = nullptr;
    auto issue = [&] {
        if (!op)
            return;
        Export *exp = op->exp;
        ++exp->inFlight;
        if (op->kind == IoOp::Kind::Write)
            ++exp->writesInFlight;
        const off_t offset = off_t(op->requests[0]->offset);
        const int iovs = int(op->count);
        IoOp *done = op;
        op = nullptr;
        if (exp->memoryBacked) {
            ssize_t n;
            do
                n = done->kind == IoOp::Kind::Write
                    ? ::pwritev(exp->fd, done->iov.data(), iovs, offset)
                    : ::preadv(exp->fd, done->iov.data(), iovs, offset);
            while (n < 0 && errno == EINTR);
            completeOp(done, n < 0 ? -errno : int(n));
            return;
        }
        if (done->kind == IoOp::Kind::Read && exp->tryNowaitReads) {
            const ssize_t n = ::preadv2(exp->fd, done->iov.data(), iovs, offset, RWF_NOWAIT);
            if (n >= 0 && std::size_t(n) == done->bytes) {
                completeOp(done, int(n));
                return;
            }
            if (n < 0 && errno == EOPNOTSUPP)
                exp->tryNowaitReads = false; // this file system cannot tell
        }
        if (done->kind == IoOp::Kind::Write)
            aio.writev(exp->fd, done->iov.data(), done->count, done->requests[0]->offset, done);
        else
            aio.readv(exp->fd, done->iov.data(), done->count, done->requests[0]->offset, done);
    };
    for (Request *s : pendingIo) {
        if (op) {
            const Request *last = op->requests[op->count - 1];
            const bool adjacent = last->exp == s->exp && last->write == s->write
                && last->offset + last->length == s->offset && op->count < MaxMerge
                && op->bytes + s->length <= MaxMergeBytes;
            if (!adjacent)
                issue();
        }
        if (!op) {
            op = takeOp();
            op->kind = s->write ? IoOp::Kind::Write : IoOp::Kind::Read;
            op->exp = s->exp;
        }
        op->requests[op->count] = s;
        op->iov[op->count] = { s->data(), s->length };
        ++op->count;
        op->bytes += s->length;
    }
    issue();
    pendingIo.clear();
    aio.submit();
}

// A write to a memory-backed store (tmpfs) is a copy into the page cache
// that never waits for a disk: made at once, straight from the receive ring,
// it saves copying the data into the request's buffer first (8 % of the
// CPU time of 4 KiB random writes). Frames of RingWriteMinBytes or more
// only: for the 1 KiB frames of MTU 1500 the copy is cheap and merging
// adjacent ones saves a system call per kilobyte (the A/B in BENCHMARKS.md
// leans that way, within this VM's noise). It completes like any other
// write (completeOp): the same errors, the same sync in the sync write
// modes. It may land before a smaller write received earlier and still
// staged: requests in flight together have no order (as ATA's queued
// commands), and initiators do not overlap them.
void Engine::Private::writeFromRing(Request *req, const std::uint8_t *data)
{
    Export *exp = req->exp;
    IoOp *op = takeOp();
    op->kind = IoOp::Kind::Write;
    op->exp = exp;
    op->requests[0] = req;
    op->count = 1;
    op->bytes = req->length;
    ++exp->inFlight;
    ++exp->writesInFlight;
    // A short write (a file system that filled up within the frame) is
    // followed by one that says why.
    std::size_t done = 0;
    int result = 0;
    while (done < req->length) {
        const ssize_t n =
            ::pwrite(exp->fd, data + done, req->length - done, off_t(req->offset + done));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            result = n < 0 ? -errno : -EIO;
            break;
        }
        done += std::size_t(n);
    }
    completeOp(op, result < 0 ? result : int(done));
}

void Engine::Private::noteBacking(Export *exp, int result)
{
    if (result >= 0) {
        // A read that works says nothing about data a failed sync may have lost.
        if (!exp->backingOk && !exp->syncFailed) {
            setBacking(exp, true, {});
            emit(EngineEvent::Type::BackingRecovered, exp,
                 exp->cfg.name() + ": backing store I/O works again");
        }
        return;
    }
    const std::string why = std::strerror(-result);
    switch (-result) {
    case EIO:
    case ENXIO:
    case ENODEV:
    case ENOTCONN:
    case ESTALE:
    case EBADF:
        exp->reopenWanted = !exp->fromFd;
        updateTimer(); // retried once a second until it works
        break;
    default:
        break; // ENOSPC and the like: the same file works again once the cause is gone
    }
    if (exp->backingOk || exp->backingError != why) {
        setBacking(exp, false, why);
        emit(EngineEvent::Type::BackingFailed, exp,
             exp->cfg.name() + ": I/O error on " + (exp->fromFd ? "backing store" : exp->cfg.path)
                 + ": " + why + (result == -ENOSPC ? " (the file system is full)" : ""));
    }
}

// Backing-store state is read by status() on other threads.
void Engine::Private::setBacking(Export *exp, bool ok, std::string error)
{
    std::lock_guard lock(statusMutex);
    exp->backingOk = ok;
    exp->backingError = std::move(error);
}

void Engine::Private::syncFailedOn(Export *exp, int result)
{
    // Linux marks the pages of a failed writeback clean and reports the error
    // once: a later fdatasync on the same file may return 0 although the data
    // never reached the disk. So nothing is acknowledged as written from here
    // on, in any write mode, until the store is reopened and a sync succeeds.
    const std::string why = std::strerror(-result);
    const bool first = !exp->syncFailed;
    exp->syncFailed = true;
    exp->reopenWanted = !exp->fromFd;
    setBacking(exp, false, "fdatasync failed: " + why);
    updateTimer(); // retried once a second
    if (first)
        emit(EngineEvent::Type::BackingFailed, exp,
             exp->cfg.name() + ": fdatasync of "
                 + (exp->fromFd ? "the backing store" : exp->cfg.path) + " failed (" + why
                 + "): writes since the last good sync may be lost; every write fails until "
                 + (exp->fromFd ? "the owner hands over a fresh descriptor"
                                : "the store is reopened")
                 + " and a sync succeeds");
}

bool Engine::Private::canReopen(const Export *exp)
{
    // Reads may still be in flight (a busy export always has some): the new
    // description takes the old one's descriptor number (adoptBacking), so
    // they finish on the old file or, not yet in the kernel, on the same file
    // reopened. Writes and syncs must have finished: one completing after
    // the recovery would count as covered by it.
    return !exp->syncRunning && exp->writesInFlight == 0;
}

void Engine::Private::adoptBacking(Export *exp, Export *fresh, const std::string &how)
{
    // Same descriptor number, new open file description: operations queued
    // with the old number use the new one.
    if (::dup3(fresh->fd, exp->fd, O_CLOEXEC) < 0) {
        // Operations queued with the old number may still use it: it closes
        // once the export is idle (retireDone), never under them.
        exp->oldFds.push_back(exp->fd);
        exp->fd = fresh->fd;
        fresh->fd = -1;
        oldFdsWaiting = true;
    }
    exp->reopenWanted = false;
    exp->reopenRefused.clear();
    mapForReads(exp); // the new file, or the same one at its size now
    if (!exp->syncFailed) {
        setBacking(exp, true, {}); // until the next I/O says otherwise
        emit(EngineEvent::Type::BackingRecovered, exp,
             exp->cfg.name() + ": " + how + " after I/O errors");
        return;
    }
    // Writes stay refused until this sync on the new descriptor succeeds.
    exp->recoverySync = true;
    exp->syncRunning = true;
    exp->syncOp.kind = IoOp::Kind::Sync;
    exp->syncOp.exp = exp;
    aio.fdatasync(exp->fd, &exp->syncOp);
    aio.submit();
}

void Engine::Private::reopenBacking()
{
    for (const auto &e : exports) {
        Export *exp = e.get();
        if (!exp->reopenWanted || !canReopen(exp) || exp->fromFd)
            continue;
        // Open the path again (never through a symbolic link); keep the old
        // descriptor unless the path still names the same file or device and
        // it still holds what initiators were told.
        Export probe;
        probe.cfg = exp->cfg;
        probe.cfg.fd = -1;
        probe.cfg.length = exp->sectors;
        Error err;
        std::string refused;
        if (!openBacking(&probe, &err, true))
            refused = err.message;
        else if (exp->blockDevice
                     ? !probe.blockDevice || probe.rdev != exp->rdev
                     : probe.blockDevice || probe.dev != exp->dev || probe.ino != exp->ino)
            refused = exp->cfg.path
                + (exp->blockDevice
                       ? " is now another device (device number differs)"
                       : " is now another file (device or inode differs): it was replaced")
                + "; not reopened, remove and add the export again";
        if (!refused.empty()) {
            if (refused != exp->reopenRefused) {
                exp->reopenRefused = refused;
                emit(EngineEvent::Type::BackingFailed, exp,
                     exp->cfg.name() + ": not reopening the backing store: " + refused);
            }
            continue;
        }
        adoptBacking(exp, &probe, "reopened " + exp->cfg.path);
    }
}

bool Engine::Private::reopenBackingFd(std::uint16_t shelf, std::uint8_t slot, int fd, Error *error)
{
    auto it = std::find_if(exports.begin(), exports.end(), [&](const auto &e) {
        return e->cfg.shelf == shelf && e->cfg.slot == slot;
    });
    if (it == exports.end()) {
        *error = makeError(ErrorKind::NotFound, targetName(shelf, slot) + " is not exported");
        return false;
    }
    Export *exp = it->get();
    if (!exp->fromFd) {
        *error = makeError(ErrorKind::InvalidArgument,
                           exp->cfg.name() + " was exported from " + exp->cfg.path
                               + ", not a file descriptor: the engine reopens the path itself");
        return false;
    }
    if (fd < 0) {
        *error = makeError(ErrorKind::InvalidArgument, "the passed file descriptor is not open");
        return false;
    }
    if (!canReopen(exp)) {
        *error = makeError(ErrorKind::Failed,
                           exp->cfg.name()
                               + " still has writes in flight on the old descriptor: "
                                 "try again once they have completed or failed");
        return false;
    }
    Export probe;
    probe.cfg = exp->cfg;
    probe.cfg.fd = fd;
    probe.cfg.length = exp->sectors;
    if (!openBacking(&probe, error))
        return false;
    adoptBacking(exp, &probe, "took a fresh descriptor");
    return true;
}

bool Engine::reopenBacking(std::uint16_t shelf, std::uint8_t slot, int fd, Error *error)
{
    bool ok = false;
    d->runOnLoop([&] { ok = d->reopenBackingFd(shelf, slot, fd, error); });
    return ok;
}

void Engine::Private::respond(Request *req, bool success, std::uint8_t error)
{
    Export *exp = req->exp;
    Iface *iface = req->iface;
    // The client entry may have been given to another MAC meanwhile.
    ClientEntry *client =
        req->client && req->client->generation == req->clientGeneration ? req->client : nullptr;
    const bool write = req->write;
    const bool flush = req->flush;
    const std::uint32_t length = req->length;
    exp->requestsInFlight.sub();
    if (client)
        client->inFlight.sub();
    if (!exp->removed && iface->io) {
        const Header h =
            responseHeader(req->request, iface->info.mac, exp->cfg.shelf, exp->cfg.slot);
        AtaArg a = req->ata;
        a.reserved = 0;
        a.cmdStatus = success ? Ata::StatusReady : Ata::StatusReady | Ata::StatusError;
        a.errFeature = success ? 0 : error;
        a.sectorCount = success ? 0 : req->ata.sectorCount;
        std::size_t dataBytes = 0;
        if (success && !req->write && !req->flush) {
            dataBytes = req->length;
            if (req->aligned)
                std::memcpy(req->frame.data() + AtaHeaderSize, req->aligned, dataBytes);
        }
        const std::size_t n = buildAtaInPlace(req->frame, h, a, dataBytes);
        // Sent from the request's own buffer, without a copy: the request is
        // released once the batch is on the wire (flushAll). A mapped read's
        // data goes from the mapping (the request holds it until then).
        const ReadMapping *m = success ? req->mapped.get() : nullptr;
        const bool queued = m && n
            ? iface->io->queueRef({ req->frame.data(), AtaHeaderSize },
                                  { m->base + req->offset, dataBytes }, m->fd, req->offset)
            : iface->io->queueRef({ req->frame.data(), n });
        if (queued) {
            iface->pendingTx = true;
            txHeld.push_back(req);
            req = nullptr;
        }
        if (success) {
            if (write) {
                exp->writeRequests.add();
                exp->bytesWritten.add(length);
                if (client)
                    client->bytesWritten.add(length);
            } else if (!flush) {
                exp->readRequests.add();
                exp->bytesRead.add(length);
                if (client)
                    client->bytesRead.add(length);
            }
        } else {
            exp->errors.add();
            if (client)
                client->errors.add();
        }
    }
    if (req)
        releaseRequest(req);
}

void Engine::Private::startSync(Export *exp)
{
    if (exp->syncRunning || exp->syncWaiting.empty())
        return;
    if (exp->syncFailed) {
        // Nothing can be made durable now: fail writes and flushes at once.
        std::vector<Request *> failed;
        failed.swap(exp->syncWaiting);
        for (Request *s : failed)
            respond(s, false, Ata::ErrorUncorrectable);
        return;
    }
    exp->syncInFlight.swap(exp->syncWaiting);
    exp->syncWaiting.clear();
    exp->syncRunning = true;
    exp->syncOp.kind = IoOp::Kind::Sync;
    exp->syncOp.exp = exp;
    aio.fdatasync(exp->fd, &exp->syncOp);
}

void Engine::Private::completeOp(IoOp *op, int result)
{
    Export *exp = op->exp;
    if (op->kind == IoOp::Kind::Sync) {
        exp->syncRunning = false;
        if (exp->recoverySync) {
            // The sync on a reopened store: only its success lifts syncFailed.
            exp->recoverySync = false;
            if (result >= 0) {
                exp->syncFailed = false;
                setBacking(exp, true, {});
                emit(EngineEvent::Type::BackingRecovered, exp,
                     exp->cfg.name()
                         + ": backing store reopened and synced: writes accepted again");
            } else {
                // Tried again every second: one event per new reason.
                exp->reopenWanted = !exp->fromFd;
                updateTimer();
                const std::string why = std::string("fdatasync failed: ") + std::strerror(-result);
                if (why != exp->backingError)
                    emit(EngineEvent::Type::BackingFailed, exp,
                         exp->cfg.name() + ": the sync after reopening failed too ("
                             + std::strerror(-result) + "): writes still fail");
                setBacking(exp, false, why);
            }
        } else if (result < 0) {
            syncFailedOn(exp, result);
        } else {
            noteBacking(exp, result);
        }
        for (Request *s : exp->syncInFlight)
            respond(s, result >= 0, Ata::ErrorUncorrectable);
        exp->syncInFlight.clear();
        startSync(exp); // writes that completed meanwhile, or fail them
        return;
    }
    --exp->inFlight;
    if (op->kind == IoOp::Kind::Write)
        --exp->writesInFlight;
    bool success = result >= 0 && std::size_t(result) == op->bytes;
    // A short transfer means the backing file shrank under us.
    noteBacking(exp, success ? 0 : (result < 0 ? result : -EIO));
    // A write issued before a sync failed is not acknowledged after it.
    if (op->kind == IoOp::Kind::Write && exp->syncFailed)
        success = false;
    if (success && op->kind == IoOp::Kind::Write && exp->needsSync() && !exp->removed) {
        for (unsigned i = 0; i < op->count; ++i)
            exp->syncWaiting.push_back(op->requests[i]);
        startSync(exp);
    } else {
        for (unsigned i = 0; i < op->count; ++i)
            respond(op->requests[i], success, Ata::ErrorUncorrectable);
    }
    releaseOp(op);
}

void Engine::Private::reapCompletions()
{
    for (;;) {
        completions.clear();
        if (aio.reap(&completions) == 0)
            break;
        for (const AsyncIo::Completion &c : completions)
            completeOp(static_cast<IoOp *>(c.user), c.result);
        aio.submit(); // syncs started by the completions
    }
    if (!retired.empty() || oldFdsWaiting)
        retireDone();
}

} // namespace Etherdisk
