// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
//
// libFuzzer target for the parsers of what the Linux aoe driver and the
// kernel show in sysfs and /proc (core/src/aoedriver.cpp). The first byte
// picks the parser, the rest is its input. Properties: no crash, and what
// is accepted is within bounds and reads back the same (device names and
// interface lists re-parse to the same values).

#include "etherdisk/aoedriver.h"

#include <cstdlib>
#include <string>
#include <string_view>

using namespace Etherdisk::AoeDriver;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size);
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    if (size == 0)
        return 0;
    const std::string_view text(reinterpret_cast<const char *>(data + 1), size - 1);
    switch (data[0] % 8) {
    case 0: {
        std::uint16_t shelf = 0;
        std::uint8_t slot = 0;
        if (parseDeviceName(text, &shelf, &slot)) {
            const std::string again = "e" + std::to_string(shelf) + "." + std::to_string(slot);
            if (text != again && text != "etherd!" + again)
                std::abort();
        }
        break;
    }
    case 1: {
        std::vector<std::string> names;
        if (parseInterfaceList(text, &names)) {
            std::string joined;
            for (const std::string &n : names) {
                if (!isValidInterfaceName(n))
                    std::abort();
                joined += n + " ";
            }
            std::vector<std::string> again;
            if (!parseInterfaceList(joined, &again) || again != names)
                std::abort();
        } else if (!names.empty()) {
            std::abort();
        }
        break;
    }
    case 2: {
        std::string value;
        if (parseAttribute(text, &value)) {
            for (char c : value)
                if (static_cast<unsigned char>(c) < ' ')
                    std::abort();
            if (value.size() > MaxAttributeBytes)
                std::abort();
        }
        break;
    }
    case 3: {
        std::uint64_t v = 0;
        if (parseUnsigned(text, 1'000'000, &v) && (v > 1'000'000 || std::to_string(v) != text))
            std::abort();
        break;
    }
    case 4: {
        std::uint16_t v = 0;
        parseFirmwareVersion(text, &v);
        break;
    }
    case 5: {
        std::string mac;
        if (parseMac(text, &mac) && !(mac.empty() || mac.size() == 12))
            std::abort();
        break;
    }
    case 6: {
        unsigned ma = 0;
        unsigned mi = 0;
        if (parseDevNumber(text, &ma, &mi) && (ma > 4095 || mi >= (1u << 20)))
            std::abort();
        break;
    }
    default: {
        unsigned ma = 0;
        unsigned mi = 0;
        std::string where;
        if (parseMountinfoLine(text, &ma, &mi, &where) && where.size() > text.size())
            std::abort();
        break;
    }
    }
    return 0;
}
