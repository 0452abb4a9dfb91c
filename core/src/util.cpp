// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later

#include "etherdisk/util.h"

namespace Etherdisk {

std::vector<std::string_view> splitList(std::string_view text, char separator)
{
    auto isSpace = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
    std::vector<std::string_view> items;
    while (true) {
        const std::size_t end = text.find(separator);
        std::string_view item = text.substr(0, end);
        while (!item.empty() && isSpace(item.front()))
            item.remove_prefix(1);
        while (!item.empty() && isSpace(item.back()))
            item.remove_suffix(1);
        if (!item.empty())
            items.push_back(item);
        if (end == std::string_view::npos)
            break;
        text.remove_prefix(end + 1);
    }
    return items;
}

} // namespace Etherdisk
