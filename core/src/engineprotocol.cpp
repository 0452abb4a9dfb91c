// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
//
// The engine's protocol handling: draining the receive rings, parsing each
// frame, answering Query Config, Mac Mask List, Reserve/Release and ATA
// commands that need no disk I/O, staging reads and writes for
// enginediskio.cpp, and sending responses in batches.

#include "engineprivate.h"

#include <cstring>
#include <sys/stat.h>

namespace Etherdisk {

using namespace Aoe;

// --- frames --------------------------------------------------------------------

void Engine::Private::queueFrame(Iface *iface, std::span<const std::uint8_t> frame)
{
    if (!iface->io || frame.empty())
        return;
    iface->io->queue(frame);
    iface->pendingTx = true;
}

void Engine::Private::flushAll()
{
    bool faulted = false;
    for (auto &[name, iface] : ifaces) {
        if (!iface->pendingTx || !iface->io)
            continue;
        iface->pendingTx = false;
        std::string why;
        if (!iface->io->flush(&why)) {
            std::lock_guard lock(statusMutex); // status() reads it on other threads
            iface->lastError = why; // the link went down: checkInterfaces reports it
        }
        if (iface->io->sendFaults() != iface->sendFaultsSeen) {
            iface->sendFaultsSeen = iface->io->sendFaults();
            faulted = true;
        }
    }
    for (Request *req : txHeld)
        releaseRequest(req);
    txHeld.clear();
    // The kernel could not read a mapped store's data: one truncated under
    // its mapping is mapped again at its size now, so that reads beyond it
    // take the path that reports the error; one that did not shrink (a hole
    // punched into it meanwhile that tmpfs had no room to fill) is not
    // mapped any more: its reads take preadv, which reads holes as zeros.
    if (faulted)
        for (auto &exp : exports)
            if (exp->readMap) {
                struct stat st
                {
                };
                if (::fstat(exp->fd, &st) == 0 && std::uint64_t(st.st_size) < exp->readMap->bytes)
                    mapForReads(exp.get());
                else
                    exp->readMap.reset();
            }
}

void Engine::Private::sendAoeError(Iface *iface, Export *exp, const Frame &f, ErrorCode code)
{
    Header h = responseHeader(f.header, iface->info.mac, exp->cfg.shelf, exp->cfg.slot);
    h.flags |= FlagError;
    h.error = std::uint8_t(code);
    // Echo the request's argument (not its data), as vblade does, so the
    // initiator can tell which request failed.
    std::size_t argBytes = f.arg.size();
    if (f.kind == FrameKind::Ata)
        argBytes = std::min<std::size_t>(argBytes, AtaHeaderSize - CommonHeaderSize);
    argBytes = std::min<std::size_t>(argBytes, 1024);
    const std::size_t n = buildRaw(scratch, h, f.arg.first(argBytes));
    queueFrame(iface, { scratch.data(), n });
    exp->errors.add();
}

void Engine::Private::sendAtaStatus(Iface *iface, Export *exp, const Frame &f, std::uint8_t status,
                                    std::uint8_t error, std::uint8_t sectorCount,
                                    std::span<const std::uint8_t> data)
{
    const Header h = responseHeader(f.header, iface->info.mac, exp->cfg.shelf, exp->cfg.slot);
    AtaArg a = f.ata;
    a.cmdStatus = status;
    a.errFeature = error;
    a.sectorCount = sectorCount;
    a.reserved = 0;
    const std::size_t n = buildAta(scratch, h, a, data);
    queueFrame(iface, { scratch.data(), n });
    if (status & Ata::StatusError)
        exp->errors.add();
}

void Engine::Private::onFrame(void *ctx, std::span<const std::uint8_t> frame)
{
    auto *pair = static_cast<std::pair<Private *, Iface *> *>(ctx);
    pair->first->handleFrame(pair->second, frame);
}

void Engine::Private::drain(Iface *iface)
{
    std::pair<Private *, Iface *> ctx{ this, iface };
    int total = 0;
    refreshIfaceDrops(iface);
    while (iface->io && total < MaxFramesPerWake) {
        std::string why;
        const int n = iface->io->receive(ReceiveBatch, &Private::onFrame, &ctx, &why);
        if (n < 0) {
            ifaceFailed(iface, why);
            return;
        }
        total += n;
        iface->received.add(std::uint64_t(n));
        if (n < ReceiveBatch)
            break; // the ring is empty: asking again would cost a poll()
        if (pendingIo.size() >= 128)
            submitPending(); // keep the disk busy while we read more
    }
}

void Engine::Private::handleFrame(Iface *iface, std::span<const std::uint8_t> frame)
{
    Frame f;
    const ParseError pe = parseFrame(frame, &f);
    if (pe == ParseError::FrameTooShort || pe == ParseError::NotAoe)
        return;
    if (f.header.isResponse())
        return; // never answer a response (the kernel filter drops them already)
    const bool wildShelf = f.header.shelf == BroadcastShelf;
    const bool wildSlot = f.header.slot == BroadcastSlot;
    Export *exact = nullptr;
    std::span<Export *const> candidates = iface->exports;
    if (!wildShelf && !wildSlot) {
        auto it = iface->byAddress.find((std::uint32_t(f.header.shelf) << 8) | f.header.slot);
        if (it == iface->byAddress.end())
            return;
        exact = it->second;
        candidates = { &exact, 1 };
    }
    for (Export *exp : candidates) {
        if ((!wildShelf && f.header.shelf != exp->cfg.shelf)
            || (!wildSlot && f.header.slot != exp->cfg.slot))
            continue;
        // A non-empty Mac Mask List is an access filter: silently ignore others.
        if (!exp->state.macMask.empty() && !contains(exp->state.macMask, f.header.source)) {
            exp->dropped.add();
            continue;
        }
        exp->requests.add();
        ClientEntry *client = clientFor(exp, iface, f.header.source);
        client->requests.add();
        client->lastSeenMs.store(passMs, std::memory_order_relaxed);
        if (pe != ParseError::Ok) {
            const ErrorCode code = responseErrorFor(pe);
            if (code != ErrorCode::None) {
                sendAoeError(iface, exp, f, code);
                client->errors.add();
            }
            continue;
        }
        switch (f.kind) {
        case FrameKind::QueryConfig:
            handleConfig(iface, exp, f);
            break;
        case FrameKind::MacMaskList:
            handleMacMask(iface, exp, f);
            break;
        case FrameKind::ReserveRelease:
            handleReserve(iface, exp, f);
            break;
        case FrameKind::Ata:
            handleAta(iface, exp, client, f);
            break;
        case FrameKind::Vendor:
            sendAoeError(iface, exp, f, ErrorCode::UnrecognizedCommand); // we implement none
            break;
        }
    }
}

void Engine::Private::handleConfig(Iface *iface, Export *exp, const Frame &f)
{
    const std::span<const std::uint8_t> theirs = f.config.configString;
    const std::vector<std::uint8_t> &ours = exp->state.configString;
    Header h = responseHeader(f.header, iface->info.mac, exp->cfg.shelf, exp->cfg.slot);
    bool set = false;
    switch (f.config.configCommand()) {
    case ConfigCommand::Read:
        break;
    case ConfigCommand::Test: // answer only on an exact match
        if (!std::equal(theirs.begin(), theirs.end(), ours.begin(), ours.end()))
            return;
        break;
    case ConfigCommand::TestPrefix: // answer only if theirs is a prefix of ours
        if (theirs.size() > ours.size() || !std::equal(theirs.begin(), theirs.end(), ours.begin()))
            return;
        break;
    case ConfigCommand::Set:
        if (!ours.empty() && !std::equal(theirs.begin(), theirs.end(), ours.begin(), ours.end())) {
            h.flags |= FlagError;
            h.error = std::uint8_t(ErrorCode::ConfigStringPresent);
            exp->errors.add();
            break;
        }
        set = true;
        break;
    case ConfigCommand::ForceSet:
        set = true;
        break;
    }
    const bool changed = set && !std::equal(theirs.begin(), theirs.end(), ours.begin(), ours.end());
    if (changed) {
        std::lock_guard lock(statusMutex);
        exp->state.configString.assign(theirs.begin(), theirs.end());
    }
    ConfigArg c;
    c.bufferCount = exp->cfg.bufferCount;
    c.firmwareVersion = FirmwareVersion;
    c.sectorCount = iface->maxSectors;
    c.command = f.config.command;
    c.configString = exp->state.configString;
    const std::size_t n = buildConfig(scratch, h, c);
    if (changed)
        persistState(exp);
    answerWireState(iface, exp, { scratch.data(), n });
    if (changed) {
        noteWireEvent(exp, EngineEvent::Type::ConfigStringChanged,
                      exp->cfg.name() + ": config string set by " + formatMac(f.header.source),
                      f.header.source);
    }
}

// Under WireAcl::Refuse, edits from the LAN are answered as refused and
// counted; the first few per minute are reported.
void Engine::Private::refuseWireChange(Export *exp, const Frame &f, const char *what)
{
    exp->wireChangesRefused.add();
    exp->errors.add();
    noteWireEvent(exp, EngineEvent::Type::WireChangeRefused,
                  exp->cfg.name() + ": " + what + " from " + formatMac(f.header.source)
                      + " refused (wire-acl = refuse)",
                  f.header.source);
}

void Engine::Private::handleMacMask(Iface *iface, Export *exp, const Frame &f)
{
    Header h = responseHeader(f.header, iface->info.mac, exp->cfg.shelf, exp->cfg.slot);
    std::vector<MacAddress> mask = exp->state.macMask;
    std::vector<MacMaskDirective> reply;
    std::uint8_t merror = 0;
    bool changed = false;
    bool edits = false;
    for (std::size_t i = 0; i < f.macMask.directiveCount; ++i)
        edits = edits || f.macMask.directive(i).command != std::uint8_t(DirectiveCommand::None);
    if (f.macMask.command == std::uint8_t(MacMaskCommand::Edit) && edits
        && exp->cfg.wireAcl == WireAcl::Refuse) {
        const std::size_t n = buildMacMask(scratch, h, f.macMask.command,
                                           std::uint8_t(MacMaskError::Unspecified), {});
        queueFrame(iface, { scratch.data(), n });
        refuseWireChange(exp, f, "Mac Mask List edit");
        return;
    }
    if (f.macMask.command == std::uint8_t(MacMaskCommand::Edit)) {
        // Directives apply in order; the first failing one stops the edit and
        // the response's Dir Count says which it was (AoEr11 §3.3, vblade).
        for (std::size_t i = 0; i < f.macMask.directiveCount; ++i) {
            const MacMaskDirective dir = f.macMask.directive(i);
            if (dir.command == std::uint8_t(DirectiveCommand::None))
                continue;
            if (dir.command == std::uint8_t(DirectiveCommand::Add)) {
                if (contains(mask, dir.mac))
                    continue;
                if (mask.size() >= MaxAllowedMacs) {
                    merror = std::uint8_t(MacMaskError::ListFull);
                } else {
                    mask.push_back(dir.mac);
                    changed = true;
                    continue;
                }
            } else if (dir.command == std::uint8_t(DirectiveCommand::Delete)) {
                auto it = std::find(mask.begin(), mask.end(), dir.mac);
                if (it != mask.end()) {
                    mask.erase(it);
                    changed = true;
                }
                continue;
            } else {
                merror = std::uint8_t(MacMaskError::BadDirective);
            }
            for (std::size_t j = 0; j < i; ++j)
                reply.push_back(f.macMask.directive(j));
            break;
        }
    }
    if (merror == 0) {
        for (const MacAddress &m : mask)
            reply.push_back({ 0, std::uint8_t(DirectiveCommand::None), m });
    } else {
        exp->errors.add();
    }
    const std::size_t n = buildMacMask(scratch, h, f.macMask.command, merror, reply);
    const std::size_t entries = mask.size();
    if (changed) {
        {
            std::lock_guard lock(statusMutex);
            exp->state.macMask = std::move(mask);
        }
        persistState(exp);
    }
    answerWireState(iface, exp, { scratch.data(), n });
    if (changed) {
        noteWireEvent(exp, EngineEvent::Type::MacMaskChanged,
                      exp->cfg.name() + ": Mac Mask List edited by " + formatMac(f.header.source)
                          + " (" + std::to_string(entries) + " entries)",
                      f.header.source);
    }
}

void Engine::Private::handleReserve(Iface *iface, Export *exp, const Frame &f)
{
    Header h = responseHeader(f.header, iface->info.mac, exp->cfg.shelf, exp->cfg.slot);
    const std::vector<MacAddress> &list = exp->state.reservations;
    bool changed = false;
    const auto command = static_cast<ReserveCommand>(f.reserve.command);
    const bool edit = command == ReserveCommand::Set || command == ReserveCommand::ForceSet;
    if (edit && exp->cfg.wireAcl == WireAcl::Refuse) {
        h.flags |= FlagError;
        h.error = std::uint8_t(ErrorCode::TargetReserved);
        refuseWireChange(exp, f, "Reserve/Release");
    } else if (command == ReserveCommand::Set && !list.empty()
               && !contains(list, f.header.source)) {
        h.flags |= FlagError;
        h.error = std::uint8_t(ErrorCode::TargetReserved);
        exp->errors.add();
    } else if (edit) {
        std::vector<MacAddress> next;
        for (std::size_t i = 0; i < f.reserve.macCount; ++i)
            next.push_back(f.reserve.mac(i));
        changed = next != list;
        if (changed) {
            std::lock_guard lock(statusMutex);
            exp->state.reservations = std::move(next);
        }
    }
    const std::size_t n = buildReserve(scratch, h, f.reserve.command, list);
    if (changed)
        persistState(exp);
    answerWireState(iface, exp, { scratch.data(), n });
    if (changed) {
        noteWireEvent(exp, EngineEvent::Type::ReservationChanged,
                      exp->cfg.name() + (list.empty() ? ": released by " : ": reserved by ")
                          + formatMac(f.header.source),
                      f.header.source);
    }
}

// A request buffer for an ATA command that goes to the disk, counted in
// flight for the export and the client; null (and counted as dropped) when
// every buffer is busy: the initiator retransmits.
Request *Engine::Private::startRequest(Iface *iface, Export *exp, ClientEntry *client,
                                       const Frame &f, std::size_t dataBytes, bool direct)
{
    Request *req = takeRequest(dataBytes, direct);
    if (!req) {
        exp->dropped.add();
        return nullptr;
    }
    req->exp = exp;
    req->iface = iface;
    req->client = client;
    req->clientGeneration = client->generation;
    exp->requestsInFlight.add();
    client->inFlight.add();
    req->request = f.header;
    req->ata = f.ata;
    req->offset = 0;
    req->length = 0;
    req->write = false; // buffers are reused: nothing left from the last request
    req->flush = false;
    return req;
}

void Engine::Private::handleAta(Iface *iface, Export *exp, ClientEntry *client, const Frame &f)
{
    const std::uint8_t cmd = f.ata.cmdStatus;
    constexpr std::uint8_t ok = Ata::StatusReady;
    constexpr std::uint8_t failed = Ata::StatusReady | Ata::StatusError;
    // Reserved by others: every command but IDENTIFY is refused (as vblade).
    if (!exp->state.reservations.empty() && !contains(exp->state.reservations, f.header.source)
        && cmd != Ata::CmdIdentifyDevice) {
        sendAoeError(iface, exp, f, ErrorCode::TargetReserved);
        client->errors.add();
        return;
    }
    switch (cmd) {
    case Ata::CmdIdentifyDevice:
        sendAtaStatus(iface, exp, f, ok, 0, 0, exp->identify);
        return;
    case Ata::CmdCheckPowerMode:
        sendAtaStatus(iface, exp, f, ok, 0, Ata::PowerModeActive);
        return;
    case Ata::CmdFlushCache:
    case Ata::CmdFlushCacheExt: {
        Request *req = startRequest(iface, exp, client, f, 0, false);
        if (!req)
            return;
        req->flush = true;
        exp->syncWaiting.push_back(req);
        startSync(exp);
        return;
    }
    case Ata::CmdReadSectors:
    case Ata::CmdReadSectorsExt:
    case Ata::CmdWriteSectors:
    case Ata::CmdWriteSectorsExt:
        break;
    default:
        sendAtaStatus(iface, exp, f, failed, Ata::ErrorAborted, f.ata.sectorCount);
        client->errors.add();
        return;
    }

    const bool ext = cmd == Ata::CmdReadSectorsExt || cmd == Ata::CmdWriteSectorsExt;
    const bool write = cmd == Ata::CmdWriteSectors || cmd == Ata::CmdWriteSectorsExt;
    const std::uint64_t lba = ext ? f.ata.lba48() : f.ata.lba28();
    const unsigned count = f.ata.sectorCount;
    if (f.header.shelf == BroadcastShelf || f.header.slot == BroadcastSlot) {
        // Reads and writes must name one target: a broadcast write would hit every disk.
        sendAoeError(iface, exp, f, ErrorCode::BadArgument);
        client->errors.add();
        return;
    }
    if (count > iface->maxSectors) {
        // More than we advertised for this link (vblade answers the same).
        sendAoeError(iface, exp, f, ErrorCode::BadArgument);
        client->errors.add();
        return;
    }
    if (write != f.ata.isWrite() || (write && exp->cfg.readOnly)) {
        sendAtaStatus(iface, exp, f, failed, Ata::ErrorAborted, f.ata.sectorCount);
        client->errors.add();
        return;
    }
    if (lba + count > exp->sectors) {
        sendAtaStatus(iface, exp, f, failed, Ata::ErrorIdNotFound, f.ata.sectorCount);
        client->errors.add();
        return;
    }
    if (count == 0) {
        sendAtaStatus(iface, exp, f, ok, 0, 0);
        return;
    }
    const std::uint32_t bytes = count * std::uint32_t(SectorSize);
    const bool direct = exp->cfg.writeMode == WriteMode::Direct;
    Request *req = startRequest(iface, exp, client, f, bytes, direct);
    if (!req)
        return;
    req->offset = exp->base + lba * SectorSize;
    req->length = bytes;
    req->write = write;
    req->flush = false;
    if (write && exp->memoryBacked && !direct && !exp->syncFailed && bytes >= RingWriteMinBytes) {
        writeFromRing(req, f.data.data());
        return;
    }
    if (write)
        std::memcpy(req->data(), f.data.data(), bytes);
    pendingIo.push_back(req);
}

} // namespace Etherdisk
