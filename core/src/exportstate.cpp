// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later

#include "exportstate.h"

#include "etherdisk/util.h"

#include <cerrno>
#include <sys/stat.h>

namespace Etherdisk {

namespace {

    std::string joinMacs(const std::vector<Aoe::MacAddress> &macs)
    {
        std::string s;
        for (std::size_t i = 0; i < macs.size(); ++i)
            s += (i ? "," : "") + Aoe::formatMac(macs[i]);
        return s;
    }

    bool splitMacs(std::string_view text, std::vector<Aoe::MacAddress> *out)
    {
        out->clear();
        for (std::string_view item : splitList(text)) {
            Aoe::MacAddress mac;
            if (!Aoe::parseMac(item, &mac))
                return false;
            out->push_back(mac);
        }
        return out->size() <= MaxAllowedMacs;
    }

    int hexValue(char c)
    {
        if (c >= '0' && c <= '9')
            return c - '0';
        if (c >= 'a' && c <= 'f')
            return c - 'a' + 10;
        return -1;
    }

} // namespace

std::string ExportState::path(const std::string &stateDir, const ExportConfig &config)
{
    return stateDir + "/" + config.name() + ".state";
}

std::string ExportState::serialize() const
{
    static const char hex[] = "0123456789abcdef";
    std::string s =
        "# Etherdisk target state, set by initiators over the wire. Replaced atomically.\n";
    s += "config-string=";
    for (std::uint8_t b : configString) {
        s += hex[b >> 4];
        s += hex[b & 0xF];
    }
    s += "\nmask=" + joinMacs(macMask) + "\nmask-source=" + joinMacs(maskSource)
        + "\nreservations=" + joinMacs(reservations) + "\n";
    return s;
}

bool ExportState::parse(std::string_view text, std::string *error)
{
    ExportState next;
    std::size_t lineNo = 0;
    while (!text.empty()) {
        const std::size_t eol = text.find('\n');
        std::string_view line = text.substr(0, eol);
        text.remove_prefix(eol == std::string_view::npos ? text.size() : eol + 1);
        ++lineNo;
        if (line.empty() || line.front() == '#')
            continue;
        const std::size_t eq = line.find('=');
        const std::string_view key = line.substr(0, eq);
        const std::string_view value =
            eq == std::string_view::npos ? std::string_view() : line.substr(eq + 1);
        bool ok = eq != std::string_view::npos;
        if (ok && key == "config-string") {
            ok = value.size() % 2 == 0 && value.size() <= 2 * Aoe::MaxConfigStringLength;
            for (std::size_t i = 0; ok && i < value.size(); i += 2) {
                const int hi = hexValue(value[i]);
                const int lo = hexValue(value[i + 1]);
                ok = hi >= 0 && lo >= 0;
                next.configString.push_back(std::uint8_t((hi << 4) | lo));
            }
        } else if (ok && key == "mask") {
            ok = splitMacs(value, &next.macMask);
        } else if (ok && key == "mask-source") {
            ok = splitMacs(value, &next.maskSource);
        } else if (ok && key == "reservations") {
            ok = splitMacs(value, &next.reservations);
        } else {
            ok = false;
        }
        if (!ok) {
            *error = "line " + std::to_string(lineNo) + " is not valid state";
            return false;
        }
    }
    *this = std::move(next);
    return true;
}

bool ExportState::load(const std::string &stateDir, const ExportConfig &config, std::string *note)
{
    *this = ExportState();
    macMask = config.allowedMacs;
    maskSource = config.allowedMacs;
    if (stateDir.empty())
        return true;
    const std::string file = path(stateDir, config);
    std::string text, error;
    if (!readTextFile(file, &text, &error)) {
        if (errno == ENOENT)
            return true;
        *note = config.name() + ": saved state ignored: " + error;
        return false;
    }
    ExportState saved;
    if (!saved.parse(text, &error)) {
        *note = config.name() + ": saved state in " + file + " ignored: " + error;
        return false;
    }
    configString = saved.configString;
    reservations = saved.reservations;
    if (saved.maskSource == config.allowedMacs)
        macMask = saved.macMask; // wire edits still apply to this configuration
    return true;
}

bool ExportState::save(const std::string &stateDir, const ExportConfig &config,
                       std::string *error) const
{
    if (stateDir.empty())
        return true;
    ::mkdir(stateDir.c_str(), 0755);
    return writeFileAtomically(path(stateDir, config), serialize(), error, 0644);
}

} // namespace Etherdisk
