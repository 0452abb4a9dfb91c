// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
//
// What initiators set over the wire and what must survive a restart: the
// Query Config string, the Mac Mask List and the reservations. One small
// text file per export in the state directory, replaced atomically.
#pragma once

#include "etherdisk/aoeframe.h"
#include "etherdisk/exportconfig.h"

#include <cstdint>
#include <string>
#include <vector>

namespace Etherdisk {

struct ExportState
{
    std::vector<std::uint8_t> configString;
    std::vector<Aoe::MacAddress> macMask;
    // The configured allow list the mask was started from: when the
    // configuration changes it, the configuration wins over wire edits.
    std::vector<Aoe::MacAddress> maskSource;
    std::vector<Aoe::MacAddress> reservations;

    static std::string path(const std::string &stateDir, const ExportConfig &config);
    // Loads saved state, or starts from the configuration. False with
    // *note when a saved file exists but is unreadable (defaults are used).
    bool load(const std::string &stateDir, const ExportConfig &config, std::string *note);
    bool save(const std::string &stateDir, const ExportConfig &config, std::string *error) const;

    std::string serialize() const;
    bool parse(std::string_view text, std::string *error);
};

} // namespace Etherdisk
