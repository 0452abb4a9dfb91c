// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
//
// What one export is, and the human-editable file that lists exports
// (/etc/etherdisk/exports.conf for the helper, `etherdisk-target --config`).
//
// File format, one section per export:
//
//     # comment
//     [export 1.2]
//     path = /srv/aoe/disk.img
//     interfaces = eth0, eth1
//     write-mode = sync            # writeback | sync | direct
//     read-only = false
//     buffer-count = 64
//     offset = 0                   # sectors skipped at the start of path
//     length = 0                   # sectors exported, 0 = up to the end
//     allow = 02:ae:00:00:00:01, 02:ae:00:00:00:02
//     model = Etherdisk
//     serial = 1.2-backup
//     wire-acl = allow             # allow | refuse: Mac Mask and Reserve edits from the LAN
//
// Errors name the line and say what was expected.
#pragma once

#include "etherdisk/aoeframe.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace Etherdisk {

// When a write is acknowledged. The Linux initiator never sends FLUSH CACHE,
// so this alone decides what a power loss can take away:
//  Writeback: once in the page cache (vblade's default). Fast; a crash of
//             the machine (not of the target process) loses recent writes.
//  Sync:      once on stable storage (fdatasync); concurrent writes share one
//             fdatasync (group commit).
//  Direct:    O_DIRECT (no page cache: no double caching of big devices),
//             plus the same group-committed fdatasync for the device cache.
enum class WriteMode { Writeback, Sync, Direct };
const char *writeModeName(WriteMode mode);
bool parseWriteMode(std::string_view text, WriteMode *mode);

// Whether initiators may change access over the wire. AoEr11 lets any host
// edit the Mac Mask List (which MACs the target answers) and reserve the
// target for a set of MACs; vblade accepts both from anyone. On a LAN with
// untrusted hosts that means any host can lock everyone else out.
//  Allow:  as the spec and vblade (the default).
//  Refuse: Mac Mask edits are answered with MError 1 (unspecified error)
//          and Reserve/Release set commands with AoE error 6 (target is
//          reserved); the lists stay as configured. Reading them still works.
enum class WireAcl { Allow, Refuse };
const char *wireAclName(WireAcl acl);
bool parseWireAcl(std::string_view text, WireAcl *acl);

inline constexpr std::uint16_t DefaultBufferCount = 64;
// The Linux driver silently never uses a target advertising fewer than 2.
inline constexpr std::uint16_t MinBufferCount = 2;
inline constexpr std::size_t MaxAllowedMacs = 255;

struct ExportConfig
{
    std::uint16_t shelf = 0;
    std::uint8_t slot = 0;
    std::string path; // backing file or block device
    std::vector<std::string> interfaces;
    std::uint64_t offset = 0; // in 512-byte sectors
    std::uint64_t length = 0; // in sectors; 0 = to the end of the backing store
    bool readOnly = false;
    std::uint16_t bufferCount = DefaultBufferCount;
    WriteMode writeMode = WriteMode::Writeback;
    std::vector<Aoe::MacAddress> allowedMacs; // initial Mac Mask List; empty = everyone
    std::string model; // IDENTIFY model; empty = "Etherdisk"
    std::string serial; // IDENTIFY serial; empty = derived, unique per export
    WireAcl wireAcl = WireAcl::Allow;
    int fd = -1; // an already-open backing store (not persisted); -1 = open path

    // "e1.2", as the Linux driver names the device.
    std::string name() const;
    bool operator==(const ExportConfig &other) const;
};

// Checks what can be checked without touching the system: address not a
// wildcard, buffer count >= 2, an interface and a path, MAC list size.
bool validateExport(const ExportConfig &config, std::string *error);

// "1.2" or "e1.2" -> shelf 1, slot 2.
bool parseAddress(std::string_view text, std::uint16_t *shelf, std::uint8_t *slot);

// Parses the file format above. On error returns false, *error reads
// "line 7: unknown key \"bufcount\" (known: path, interfaces, ...)".
bool parseExportsFile(std::string_view text, std::vector<ExportConfig> *exports,
                      std::string *error);
// The canonical text for `exports` (what parseExportsFile reads back).
std::string formatExportsFile(const std::vector<ExportConfig> &exports);

// File helpers shared by config and state persistence.
bool readTextFile(const std::string &path, std::string *content, std::string *error);
// Replaces `path` atomically: a reader sees the old or the new content,
// never a mix, and after a crash the file is one of the two (temporary file
// in the same directory, fsync, rename, fsync of the directory).
bool writeFileAtomically(const std::string &path, std::string_view content, std::string *error,
                         unsigned mode = 0644);

} // namespace Etherdisk
