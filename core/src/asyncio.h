// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
//
// Asynchronous file I/O for the engine: io_uring through liburing, so many
// reads and writes are in flight at once and a whole batch costs one system
// call. Where io_uring is unavailable (kernel.io_uring_disabled, seccomp
// policies, old kernels) the same interface runs each operation synchronously
// at submission: slower, never wrong.
#pragma once

#include <cstdint>
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
    std::size_t reap(std::vector<Completion> *out);

private:
    struct Ring;
    void *nextSqe();
    std::unique_ptr<Ring> m_ring;
    int m_eventFd = -1;
    std::vector<Completion> m_syncDone; // fallback completions
};

} // namespace Etherdisk
