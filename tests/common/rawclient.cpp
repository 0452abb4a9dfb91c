// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later

#include "rawclient.h"

#include "etherdisk/ata.h"

#include <QElapsedTimer>

#include <poll.h>

using namespace Etherdisk;
using namespace Etherdisk::Aoe;

namespace EtherdiskTest {

bool RawClient::open(const QString &interface, QString *error)
{
    PacketFilter filter;
    filter.direction = PacketFilter::Direction::Responses;
    std::string why;
    m_io = PacketIo::open(interface.toStdString(), filter, &why);
    if (!m_io) {
        *error = QString::fromStdString(why);
        return false;
    }
    return true;
}

MacAddress RawClient::destination() const
{
    return target == MacAddress{} ? BroadcastMac : target;
}

Header RawClient::header(std::uint16_t shelf, std::uint8_t slot, Command command,
                         const MacAddress &dst)
{
    Header h;
    h.destination = dst;
    h.source = m_io->info().mac;
    h.shelf = shelf;
    h.slot = slot;
    h.command = std::uint8_t(command);
    h.tag = ++m_tag;
    return h;
}

namespace {
    struct Sink
    {
        std::vector<QByteArray> *out;
    };
    void store(void *ctx, std::span<const std::uint8_t> frame)
    {
        static_cast<Sink *>(ctx)->out->push_back(
            QByteArray(reinterpret_cast<const char *>(frame.data()), qsizetype(frame.size())));
    }
    std::uint32_t tagOf(const QByteArray &f)
    {
        if (f.size() < 24)
            return 0;
        const auto *p = reinterpret_cast<const std::uint8_t *>(f.constData());
        return (std::uint32_t(p[20]) << 24) | (std::uint32_t(p[21]) << 16)
            | (std::uint32_t(p[22]) << 8) | p[23];
    }
} // namespace

std::vector<QByteArray> RawClient::collect(int timeoutMs)
{
    std::vector<QByteArray> all;
    Sink sink{ &all };
    QElapsedTimer t;
    t.start();
    std::string why;
    while (t.elapsed() < timeoutMs) {
        pollfd p{ m_io->fd(), POLLIN, 0 };
        ::poll(&p, 1, int(timeoutMs - t.elapsed()) > 0 ? int(timeoutMs - t.elapsed()) : 0);
        m_io->receive(1024, store, &sink, &why);
    }
    return all;
}

bool RawClient::send(const QByteArray &frame)
{
    std::string why;
    return m_io->send(
        { reinterpret_cast<const std::uint8_t *>(frame.constData()), std::size_t(frame.size()) },
        &why);
}

std::vector<QByteArray> RawClient::exchange(const QByteArray &frame, int expected, int timeoutMs)
{
    std::string why;
    m_io->send(
        { reinterpret_cast<const std::uint8_t *>(frame.constData()), std::size_t(frame.size()) },
        &why);
    const std::uint32_t tag = tagOf(frame);
    std::vector<QByteArray> all, matching;
    Sink sink{ &all };
    QElapsedTimer t;
    t.start();
    while (int(matching.size()) < expected && t.elapsed() < timeoutMs) {
        pollfd p{ m_io->fd(), POLLIN, 0 };
        ::poll(&p, 1, int(std::max<qint64>(1, timeoutMs - t.elapsed())));
        all.clear();
        m_io->receive(1024, store, &sink, &why);
        for (const QByteArray &f : all) {
            if (tagOf(f) != tag)
                continue;
            matching.push_back(f);
            if (target == MacAddress{})
                std::copy(f.constBegin() + 6, f.constBegin() + 12, target.begin());
        }
    }
    return matching;
}

QByteArray RawClient::ataRequest(std::uint16_t shelf, std::uint8_t slot, std::uint8_t command,
                                 std::uint64_t lba, std::uint8_t count, const QByteArray &data,
                                 std::uint8_t extraFlags, const MacAddress *source)
{
    Header h = header(shelf, slot, Command::Ata, destination());
    if (source)
        h.source = *source;
    AtaArg a;
    const bool ext = command == Ata::CmdReadSectorsExt || command == Ata::CmdWriteSectorsExt
        || command == Ata::CmdFlushCacheExt;
    const bool write = command == Ata::CmdWriteSectors || command == Ata::CmdWriteSectorsExt;
    a.aflags = std::uint8_t((ext ? AtaFlagExtended : 0) | (write ? AtaFlagWrite : 0) | extraFlags);
    a.sectorCount = count;
    a.cmdStatus = command;
    a.lba = ext ? lba : (lba & 0x0FFFFFFF) | (std::uint64_t(0xE0) << 24);
    QByteArray out(65536, '\0');
    const std::size_t n = buildAta(
        { reinterpret_cast<std::uint8_t *>(out.data()), std::size_t(out.size()) }, h, a,
        { reinterpret_cast<const std::uint8_t *>(data.constData()), std::size_t(data.size()) });
    out.resize(qsizetype(n));
    return out;
}

QByteArray RawClient::configRequest(std::uint16_t shelf, std::uint8_t slot, ConfigCommand command,
                                    const QByteArray &configString)
{
    const Header h = header(shelf, slot, Command::QueryConfig, destination());
    ConfigArg c;
    c.command = std::uint8_t(command);
    c.configString = { reinterpret_cast<const std::uint8_t *>(configString.constData()),
                       std::size_t(configString.size()) };
    QByteArray out(2048, '\0');
    const std::size_t n = buildConfig(
        { reinterpret_cast<std::uint8_t *>(out.data()), std::size_t(out.size()) }, h, c);
    out.resize(qsizetype(n));
    return out;
}

bool RawClient::waitServing(std::uint16_t shelf, std::uint8_t slot, int timeoutMs,
                            const QProcess *process)
{
    QElapsedTimer t;
    t.start();
    while (t.elapsed() < timeoutMs) {
        target = {};
        if (!exchange(configRequest(shelf, slot, ConfigCommand::Read), 1, 100).empty()) {
            target = {};
            return true;
        }
        if (process && process->state() == QProcess::NotRunning)
            return false;
    }
    target = {};
    return false;
}

} // namespace EtherdiskTest
