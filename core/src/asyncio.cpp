// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later

#include "asyncio.h"

#include <liburing.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <sys/eventfd.h>
#include <unistd.h>

namespace Etherdisk {

struct AsyncIo::Ring
{
    io_uring ring{};
    bool initialised = false;
    ~Ring()
    {
        if (initialised)
            io_uring_queue_exit(&ring);
    }
};

AsyncIo::AsyncIo() = default;

AsyncIo::~AsyncIo()
{
    m_ring.reset();
    if (m_eventFd >= 0)
        ::close(m_eventFd);
}

bool AsyncIo::init(unsigned entries, std::string *note)
{
    m_eventFd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (m_eventFd < 0) {
        *note = std::string("eventfd: ") + std::strerror(errno);
        return false;
    }
    auto ring = std::make_unique<Ring>();
    // The completion queue's size is explicit, and it bounds what is in the
    // kernel at once (see the header).
    io_uring_params params{};
    params.flags = IORING_SETUP_CQSIZE;
    params.cq_entries = entries * 2;
    const int rc = io_uring_queue_init_params(entries, &ring->ring, &params);
    if (rc < 0) {
        *note = std::string("io_uring unavailable (") + std::strerror(-rc)
            + "): disk I/O runs synchronously";
        return true;
    }
    ring->initialised = true;
    if (io_uring_register_eventfd(&ring->ring, m_eventFd) < 0) {
        *note = "io_uring eventfd registration failed: disk I/O runs synchronously";
        return true;
    }
    m_limit = ring->ring.cq.ring_entries;
    m_ring = std::move(ring);
    return true;
}

void AsyncIo::prepareThread(unsigned maxWorkers)
{
    if (!m_ring)
        return;
    // Reads and writes that cannot complete inline run on io_uring's
    // "bound" worker threads, by default at most 4 per CPU: 8 requests in
    // flight on a 2-core machine, whatever the initiators' windows. A disk
    // with latency, or a network or FUSE file system, needs as many as the
    // initiators keep outstanding. The limit belongs to the submitting
    // thread, hence a call from the I/O loop's own thread.
    unsigned workers[2] = { maxWorkers, 0 }; // bound, unbound (0: unchanged)
    io_uring_register_iowq_max_workers(&m_ring->ring, workers);
}

bool AsyncIo::checkSubmit(int rc)
{
    // EINTR, EAGAIN and EBUSY are passing shortages; anything else (the ring
    // descriptor gone, EFAULT, ...) means the ring cannot be used any more.
    if (rc >= 0 || rc == -EINTR || rc == -EAGAIN || rc == -EBUSY)
        return true;
    if (!m_failure)
        m_failure = -rc;
    return false;
}

void *AsyncIo::nextSqe()
{
    io_uring_sqe *sqe = io_uring_get_sqe(&m_ring->ring);
    for (int tries = 0; !sqe; ++tries) {
        // Submission queue full: hand what is queued to the kernel.
        const int rc = io_uring_submit(&m_ring->ring);
        if (!checkSubmit(rc))
            return nullptr;
        if (tries > 1000) { // a shortage that does not pass
            m_failure = rc < 0 ? -rc : EBUSY;
            return nullptr;
        }
        sqe = io_uring_get_sqe(&m_ring->ring);
    }
    return sqe;
}

void AsyncIo::readv(int fd, const iovec *iov, unsigned count, std::uint64_t offset, void *user)
{
    if (!m_ring) {
        ssize_t n;
        do
            n = ::preadv(fd, iov, int(count), off_t(offset));
        while (n < 0 && errno == EINTR);
        m_syncDone.push_back({ user, n < 0 ? -errno : int(n) });
        return;
    }
    queue({ Deferred::Kind::Read, fd, iov, count, offset, user });
}

void AsyncIo::writev(int fd, const iovec *iov, unsigned count, std::uint64_t offset, void *user)
{
    if (!m_ring) {
        ssize_t n;
        do
            n = ::pwritev(fd, iov, int(count), off_t(offset));
        while (n < 0 && errno == EINTR);
        m_syncDone.push_back({ user, n < 0 ? -errno : int(n) });
        return;
    }
    queue({ Deferred::Kind::Write, fd, iov, count, offset, user });
}

void AsyncIo::fdatasync(int fd, void *user)
{
    if (!m_ring) {
        const int rc = ::fdatasync(fd);
        m_syncDone.push_back({ user, rc < 0 ? -errno : 0 });
        return;
    }
    queue({ Deferred::Kind::Sync, fd, nullptr, 0, 0, user });
}

void AsyncIo::queue(const Deferred &op)
{
    // In order: once something waits, everything after it waits too.
    if (m_inKernel >= m_limit || !m_deferred.empty()) {
        m_deferred.push_back(op);
        return;
    }
    prepare(op);
}

void AsyncIo::prepare(const Deferred &op)
{
    auto *sqe = m_failure ? nullptr : static_cast<io_uring_sqe *>(nextSqe());
    if (!sqe) { // the ring failed: the operation fails, and the owner learns why (failure())
        m_syncDone.push_back({ op.user, -EIO });
        return;
    }
    switch (op.kind) {
    case Deferred::Kind::Read:
        io_uring_prep_readv(sqe, op.fd, op.iov, op.count, op.offset);
        break;
    case Deferred::Kind::Write:
        io_uring_prep_writev(sqe, op.fd, op.iov, op.count, op.offset);
        break;
    case Deferred::Kind::Sync:
        io_uring_prep_fsync(sqe, op.fd, IORING_FSYNC_DATASYNC);
        break;
    }
    io_uring_sqe_set_data(sqe, op.user);
    ++m_inKernel;
}

void AsyncIo::issueDeferred()
{
    while (!m_deferred.empty() && m_inKernel < m_limit) {
        prepare(m_deferred.front());
        m_deferred.pop_front();
    }
}

void AsyncIo::submit()
{
    if (m_ring) {
        if (!m_failure)
            checkSubmit(io_uring_submit(&m_ring->ring));
    } else if (!m_syncDone.empty()) {
        const std::uint64_t one = 1;
        [[maybe_unused]] ssize_t ignored = ::write(m_eventFd, &one, sizeof one);
    }
}

std::size_t AsyncIo::reap(std::vector<Completion> *out)
{
    if (!m_ring) {
        std::uint64_t counter;
        [[maybe_unused]] ssize_t ignored = ::read(m_eventFd, &counter, sizeof counter);
        const std::size_t n = m_syncDone.size();
        out->insert(out->end(), m_syncDone.begin(), m_syncDone.end());
        m_syncDone.clear();
        return n;
    }
    std::size_t n = m_syncDone.size(); // operations failed by a broken ring
    out->insert(out->end(), m_syncDone.begin(), m_syncDone.end());
    m_syncDone.clear();
    io_uring_cqe *cqe = nullptr;
    while (!m_failure && io_uring_peek_cqe(&m_ring->ring, &cqe) == 0 && cqe) {
        out->push_back({ io_uring_cqe_get_data(cqe), cqe->res });
        io_uring_cqe_seen(&m_ring->ring, cqe);
        --m_inKernel;
        ++n;
    }
    if (!m_failure)
        issueDeferred();
    return n;
}

} // namespace Etherdisk
