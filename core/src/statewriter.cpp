// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later

#include "statewriter.h"

#include "etherdisk/exportconfig.h"

#include <sys/stat.h>

namespace Etherdisk {

StateWriter::StateWriter(Done onDone) : m_onDone(std::move(onDone)), m_thread([this] { run(); }) { }

StateWriter::~StateWriter()
{
    {
        std::lock_guard lock(m_mutex);
        m_stop = true;
    }
    m_wake.notify_one();
    m_thread.join();
}

std::uint64_t StateWriter::post(const std::string &directory, const std::string &path,
                                std::string content)
{
    std::uint64_t seq;
    {
        std::lock_guard lock(m_mutex);
        auto [it, inserted] = m_pending.try_emplace(path);
        if (!inserted)
            ++m_coalesced;
        it->second.directory = directory;
        it->second.content = std::move(content);
        it->second.seq = seq = ++m_seq;
    }
    m_wake.notify_one();
    return seq;
}

void StateWriter::flush()
{
    std::unique_lock lock(m_mutex);
    m_idle.wait(lock, [this] { return m_pending.empty() && !m_busy; });
}

std::uint64_t StateWriter::written() const
{
    std::lock_guard lock(m_mutex);
    return m_written;
}

std::uint64_t StateWriter::coalesced() const
{
    std::lock_guard lock(m_mutex);
    return m_coalesced;
}

void StateWriter::run()
{
    std::unique_lock lock(m_mutex);
    for (;;) {
        m_wake.wait(lock, [this] { return m_stop || !m_pending.empty(); });
        if (m_pending.empty()) { // and stopping: everything is written
            m_idle.notify_all();
            return;
        }
        auto node = m_pending.extract(m_pending.begin());
        m_busy = true;
        lock.unlock();
        ::mkdir(node.mapped().directory.c_str(), 0755); // EEXIST is fine; other errors show below
        std::string error;
        const bool ok = writeFileAtomically(node.key(), node.mapped().content, &error, 0644);
        if (m_onDone)
            m_onDone(node.key(), node.mapped().seq, ok, error);
        lock.lock();
        m_busy = false;
        if (ok)
            ++m_written;
        if (m_pending.empty())
            m_idle.notify_all();
    }
}

} // namespace Etherdisk
