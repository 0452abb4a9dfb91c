// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
//
// Asynchronous file I/O for the engine: io_uring through liburing, so many
// reads and writes are in flight at once and a whole batch costs one system
// call. Where io_uring is unavailable (kernel.io_uring_disabled, seccomp
// policies, old kernels) the same interface runs each operation synchronously
// at submission: slower, never wrong.
//
// Completions never overflow: the completion queue is sized explicitly (twice
// the submission queue) and at most that many operations are in the kernel
// at once. Operations beyond it wait here, in order, and are handed to the
// kernel as completions are reaped (reap() queues them; the next submit()
// sends them). So a caller may queue any number of operations without
// reaping in between, and a completion is never dropped or left in the
// kernel's overflow list.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <sys/uio.h>
#include <vector>

namespace Etherdisk {

class AsyncIo
{
public:
    AsyncIo();
    ~AsyncIo();
    AsyncIo(const AsyncIo &) = delete;
    AsyncIo &operator=(const AsyncIo &) = delete;

    // `entries`: submission queue depth. Falls back to synchronous I/O when
    // io_uring cannot be set up (reason in *note).
    bool init(unsigned entries, std::string *note);
    bool usingIoUring() const { return m_ring != nullptr; }
    // Operations in the kernel at once, at most (the completion queue's size);
    // 0 for synchronous I/O.
    unsigned inFlightLimit() const { return m_limit; }
    // Non-zero (an errno) once io_uring refused a submission for good: every
    // operation queued since then completes with -EIO, and the owner should
    // stop using this object.
    int failure() const { return m_failure; }
    // Queued operations waiting for room in the completion queue.
    std::size_t deferred() const { return m_deferred.size(); }
    // Call on the thread that submits: lets up to `maxWorkers` blocking
    // operations run at once.
    void prepareThread(unsigned maxWorkers);

    // An eventfd signalled for every completion. Watch it edge-triggered
    // (EPOLLET): reap() looks at the completion ring directly, without
    // reading the eventfd, to save a system call per loop pass.
    int fd() const { return m_eventFd; }

    // Queue operations; `user` comes back with the completion. The iovec
    // array must stay valid until the completion is reaped.
    void readv(int fd, const iovec *iov, unsigned count, std::uint64_t offset, void *user);
    void writev(int fd, const iovec *iov, unsigned count, std::uint64_t offset, void *user);
    void fdatasync(int fd, void *user);
    // Submits everything queued: one system call.
    void submit();

    struct Completion
    {
        void *user;
        int result; // bytes transferred, or -errno
    };
    // Appends every completion available now to *out; returns how many.
    // Deferred operations take the room the completions leave: call
    // submit() afterwards.
    std::size_t reap(std::vector<Completion> *out);

private:
    struct Ring;
    struct Deferred
    {
        enum class Kind : std::uint8_t { Read, Write, Sync } kind;
        int fd;
        const iovec *iov;
        unsigned count;
        std::uint64_t offset;
        void *user;
    };
    void *nextSqe();
    bool checkSubmit(int rc);
    void queue(const Deferred &op);
    void prepare(const Deferred &op);
    void issueDeferred();
    std::unique_ptr<Ring> m_ring;
    int m_eventFd = -1;
    std::vector<Completion> m_syncDone; // fallback completions
    unsigned m_limit = 0; // completion queue entries
    int m_failure = 0;
    unsigned m_inKernel = 0; // prepared and not yet reaped
    std::deque<Deferred> m_deferred; // beyond m_limit, in submission order
};

} // namespace Etherdisk
