// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
//
// Writes small state files on a thread of its own, so that the engine's I/O
// thread never waits for a disk (an atomic replacement costs two fsyncs).
// Writes to one path are coalesced: while one is being written, later
// contents for the same path replace each other, and only the newest is
// written next. A burst of a thousand Mac Mask edits from the LAN becomes a
// handful of file replacements, and serving never stalls on them.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>

namespace Etherdisk {

class StateWriter
{
public:
    // Called on the writer thread after each attempt to write `path`: every
    // post up to `seq` (for that path) is on disk when `ok`, or failed with
    // `error` (the content stays only in memory).
    using Done = std::function<void(const std::string &path, std::uint64_t seq, bool ok,
                                    const std::string &error)>;
    explicit StateWriter(Done onDone);
    ~StateWriter(); // writes what is pending, then stops
    StateWriter(const StateWriter &) = delete;
    StateWriter &operator=(const StateWriter &) = delete;

    // Queues `content` for `path` (replacing a queued, unwritten content)
    // and returns at once with the post's sequence number (increasing).
    // `directory` is created first when missing.
    std::uint64_t post(const std::string &directory, const std::string &path, std::string content);
    // Returns once everything posted before the call is on disk (or failed).
    void flush();

    std::uint64_t written() const;
    std::uint64_t coalesced() const;

private:
    void run();

    struct Pending
    {
        std::string directory;
        std::string content;
        std::uint64_t seq = 0;
    };
    Done m_onDone;
    std::uint64_t m_seq = 0;
    mutable std::mutex m_mutex;
    std::condition_variable m_wake, m_idle;
    std::map<std::string, Pending> m_pending;
    bool m_busy = false;
    bool m_stop = false;
    std::uint64_t m_written = 0, m_coalesced = 0;
    std::thread m_thread;
};

} // namespace Etherdisk
