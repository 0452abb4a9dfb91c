// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
//
// libFuzzer target for the exports file parser (a file root reads at boot,
// which people edit by hand). Property: whatever parses is valid, and its
// canonical form parses back to the same exports.

#include "etherdisk/exportconfig.h"

#include <cstdlib>
#include <string_view>

using namespace Etherdisk;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size);
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const std::string_view text(reinterpret_cast<const char *>(data), size);
    std::vector<ExportConfig> exports;
    std::string error;
    if (!parseExportsFile(text, &exports, &error)) {
        if (error.empty())
            std::abort();
        return 0;
    }
    for (const ExportConfig &e : exports)
        if (!validateExport(e, &error))
            std::abort();
    std::vector<ExportConfig> again;
    const std::string canonical = formatExportsFile(exports);
    if (!parseExportsFile(canonical, &again, &error) || again.size() != exports.size())
        std::abort();
    for (std::size_t i = 0; i < exports.size(); ++i)
        if (!(again[i] == exports[i]))
            std::abort();
    return 0;
}
