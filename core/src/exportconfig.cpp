// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later

#include "etherdisk/exportconfig.h"

#include "etherdisk/util.h"

#include <cerrno>
#include <charconv>
#include <cstring>
#include <fcntl.h>
#include <set>
#include <sys/stat.h>
#include <unistd.h>

namespace Etherdisk {

namespace {

    std::string_view trim(std::string_view s)
    {
        while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r'))
            s.remove_prefix(1);
        while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
            s.remove_suffix(1);
        return s;
    }

    template<typename T>
    bool parseUnsigned(std::string_view text, T *out, T max)
    {
        text = trim(text);
        unsigned long long v = 0;
        const char *end = text.data() + text.size();
        auto [ptr, ec] = std::from_chars(text.data(), end, v);
        if (ec != std::errc() || ptr != end || text.empty() || v > max)
            return false;
        *out = static_cast<T>(v);
        return true;
    }

    bool parseBool(std::string_view text, bool *out)
    {
        text = trim(text);
        if (text == "true" || text == "yes" || text == "1" || text == "on") {
            *out = true;
            return true;
        }
        if (text == "false" || text == "no" || text == "0" || text == "off") {
            *out = false;
            return true;
        }
        return false;
    }

    std::string lineError(std::size_t line, const std::string &what)
    {
        return "line " + std::to_string(line) + ": " + what;
    }

    bool printable(std::string_view s)
    {
        for (const char c : s)
            if (c < 0x20 || c > 0x7e)
                return false;
        return true;
    }

    constexpr const char *KnownKeys = "path, interfaces, write-mode, read-only, buffer-count, "
                                      "offset, length, allow, model, serial, wire-acl";

} // namespace

const char *writeModeName(WriteMode mode)
{
    switch (mode) {
    case WriteMode::Writeback:
        return "writeback";
    case WriteMode::Sync:
        return "sync";
    case WriteMode::Direct:
        return "direct";
    }
    return "writeback";
}

const char *wireAclName(WireAcl acl)
{
    return acl == WireAcl::Refuse ? "refuse" : "allow";
}

bool parseWireAcl(std::string_view text, WireAcl *acl)
{
    text = trim(text);
    if (text == "allow")
        *acl = WireAcl::Allow;
    else if (text == "refuse")
        *acl = WireAcl::Refuse;
    else
        return false;
    return true;
}

bool parseWriteMode(std::string_view text, WriteMode *mode)
{
    text = trim(text);
    if (text == "writeback")
        *mode = WriteMode::Writeback;
    else if (text == "sync")
        *mode = WriteMode::Sync;
    else if (text == "direct")
        *mode = WriteMode::Direct;
    else
        return false;
    return true;
}

std::string ExportConfig::name() const
{
    return Aoe::targetName(shelf, slot);
}

bool ExportConfig::operator==(const ExportConfig &o) const
{
    return shelf == o.shelf && slot == o.slot && path == o.path && interfaces == o.interfaces
        && offset == o.offset && length == o.length && readOnly == o.readOnly
        && bufferCount == o.bufferCount && writeMode == o.writeMode && allowedMacs == o.allowedMacs
        && model == o.model && serial == o.serial && wireAcl == o.wireAcl && fd == o.fd;
}

bool parseAddress(std::string_view text, std::uint16_t *shelf, std::uint8_t *slot)
{
    text = trim(text);
    if (!text.empty() && text.front() == 'e')
        text.remove_prefix(1);
    const std::size_t dot = text.find('.');
    if (dot == std::string_view::npos)
        return false;
    std::uint16_t s = 0;
    std::uint8_t t = 0;
    if (!parseUnsigned<std::uint16_t>(text.substr(0, dot), &s, 0xFFFF)
        || !parseUnsigned<std::uint8_t>(text.substr(dot + 1), &t, 0xFF))
        return false;
    *shelf = s;
    *slot = t;
    return true;
}

bool validateExport(const ExportConfig &c, std::string *error)
{
    if (c.shelf == Aoe::BroadcastShelf) {
        *error = "shelf 65535 is the broadcast address and cannot be exported (use 0-65534)";
        return false;
    }
    if (c.slot == Aoe::BroadcastSlot) {
        *error = "slot 255 is the broadcast address and cannot be exported (use 0-254)";
        return false;
    }
    if (c.bufferCount < MinBufferCount) {
        *error = "buffer count " + std::to_string(c.bufferCount)
            + " is too small: the Linux aoe driver never uses a target with fewer than 2";
        return false;
    }
    if (c.interfaces.empty()) {
        *error = c.name() + ": no network interface to serve on";
        return false;
    }
    if (c.path.empty() && c.fd < 0) {
        *error = c.name() + ": no backing file or device";
        return false;
    }
    if (c.allowedMacs.size() > MaxAllowedMacs) {
        *error = c.name() + ": more than 255 allowed MAC addresses";
        return false;
    }
    if (!printable(c.model) || !printable(c.serial)) {
        *error = c.name() + ": model and serial must be printable ASCII";
        return false;
    }
    std::set<std::string> seen;
    for (const std::string &i : c.interfaces) {
        if (i.empty() || !seen.insert(i).second) {
            *error = c.name() + ": interface \"" + i + "\" is empty or listed twice";
            return false;
        }
    }
    return true;
}

bool parseExportsFile(std::string_view text, std::vector<ExportConfig> *exports, std::string *error)
{
    std::vector<ExportConfig> out;
    std::size_t lineNo = 0;
    std::size_t sectionLine = 0;
    std::set<std::string> seenKeys;
    std::set<std::pair<std::uint16_t, std::uint8_t>> seenAddresses;

    auto finishSection = [&]() -> bool {
        if (out.empty())
            return true;
        ExportConfig &c = out.back();
        if (c.path.empty()) {
            *error = lineError(sectionLine, c.name() + " has no \"path\"");
            return false;
        }
        std::string why;
        if (!validateExport(c, &why)) {
            *error = lineError(sectionLine, why);
            return false;
        }
        return true;
    };

    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t eol = text.find('\n', pos);
        if (eol == std::string_view::npos)
            eol = text.size();
        std::string_view line = text.substr(pos, eol - pos);
        pos = eol + 1;
        ++lineNo;
        const std::size_t hash = line.find('#');
        if (hash != std::string_view::npos)
            line = line.substr(0, hash);
        line = trim(line);
        if (line.empty())
            continue;

        if (line.front() == '[') {
            if (line.back() != ']') {
                *error = lineError(lineNo, "section header must end with ']'");
                return false;
            }
            const std::string_view inner = trim(line.substr(1, line.size() - 2));
            if (inner.substr(0, 7) != "export " && inner.substr(0, 7) != "export\t") {
                *error = lineError(lineNo, "expected a section like [export 1.2]");
                return false;
            }
            if (!finishSection())
                return false;
            ExportConfig c;
            if (!parseAddress(inner.substr(7), &c.shelf, &c.slot)) {
                *error = lineError(lineNo,
                                   "\"" + std::string(trim(inner.substr(7)))
                                       + "\" is not a shelf.slot address (e.g. 1.2)");
                return false;
            }
            if (!seenAddresses.insert({ c.shelf, c.slot }).second) {
                *error = lineError(lineNo, c.name() + " is defined twice");
                return false;
            }
            c.interfaces.clear();
            out.push_back(c);
            sectionLine = lineNo;
            seenKeys.clear();
            continue;
        }

        const std::size_t eq = line.find('=');
        if (eq == std::string_view::npos) {
            *error = lineError(lineNo, "expected \"key = value\"");
            return false;
        }
        if (out.empty()) {
            *error = lineError(lineNo, "setting outside an [export shelf.slot] section");
            return false;
        }
        const std::string key(trim(line.substr(0, eq)));
        const std::string_view value = trim(line.substr(eq + 1));
        if (!seenKeys.insert(key).second) {
            *error = lineError(lineNo, "\"" + key + "\" is set twice in this section");
            return false;
        }
        ExportConfig &c = out.back();
        bool ok = true;
        std::string expected;
        if (key == "path") {
            c.path = std::string(value);
            ok = !c.path.empty();
            expected = "a file or device path";
        } else if (key == "interfaces") {
            for (std::string_view i : splitList(value))
                c.interfaces.emplace_back(i);
            ok = !c.interfaces.empty();
            expected = "a comma-separated list of network interfaces";
        } else if (key == "write-mode") {
            ok = parseWriteMode(value, &c.writeMode);
            expected = "writeback, sync or direct";
        } else if (key == "wire-acl") {
            ok = parseWireAcl(value, &c.wireAcl);
            expected = "allow or refuse";
        } else if (key == "read-only") {
            ok = parseBool(value, &c.readOnly);
            expected = "true or false";
        } else if (key == "buffer-count") {
            ok = parseUnsigned<std::uint16_t>(value, &c.bufferCount, 0xFFFF);
            expected = "a number from 2 to 65535";
        } else if (key == "offset") {
            ok = parseUnsigned<std::uint64_t>(value, &c.offset, ~0ull / 512);
            expected = "a number of 512-byte sectors";
        } else if (key == "length") {
            ok = parseUnsigned<std::uint64_t>(value, &c.length, ~0ull / 512);
            expected = "a number of 512-byte sectors (0 = to the end)";
        } else if (key == "allow") {
            for (std::string_view m : splitList(value)) {
                Aoe::MacAddress mac;
                if (!Aoe::parseMac(m, &mac)) {
                    *error = lineError(lineNo,
                                       "\"" + std::string(m)
                                           + "\" is not a MAC address (e.g. 02:ae:00:00:00:01)");
                    return false;
                }
                c.allowedMacs.push_back(mac);
            }
        } else if (key == "model") {
            c.model = std::string(value);
            ok = printable(c.model) && c.model.size() <= 40;
            expected = "up to 40 printable ASCII characters";
        } else if (key == "serial") {
            c.serial = std::string(value);
            ok = printable(c.serial) && c.serial.size() <= 20;
            expected = "up to 20 printable ASCII characters";
        } else {
            *error = lineError(lineNo, "unknown key \"" + key + "\" (known: " + KnownKeys + ")");
            return false;
        }
        if (!ok) {
            *error = lineError(
                lineNo, "invalid " + key + " \"" + std::string(value) + "\": expected " + expected);
            return false;
        }
    }
    if (!finishSection())
        return false;
    *exports = std::move(out);
    return true;
}

std::string formatExportsFile(const std::vector<ExportConfig> &exports)
{
    std::string s =
        "# Etherdisk exports. Edit with etherdiskctl or by hand; see etherdisk-target(8).\n";
    for (const ExportConfig &c : exports) {
        s += "\n[export " + std::to_string(c.shelf) + "." + std::to_string(c.slot) + "]\n";
        s += "path = " + c.path + "\n";
        s += "interfaces = ";
        for (std::size_t i = 0; i < c.interfaces.size(); ++i)
            s += (i ? ", " : "") + c.interfaces[i];
        s += "\n";
        s += std::string("write-mode = ") + writeModeName(c.writeMode) + "\n";
        s += std::string("read-only = ") + (c.readOnly ? "true" : "false") + "\n";
        s += "buffer-count = " + std::to_string(c.bufferCount) + "\n";
        s += "offset = " + std::to_string(c.offset) + "\n";
        s += "length = " + std::to_string(c.length) + "\n";
        if (!c.allowedMacs.empty()) {
            s += "allow = ";
            for (std::size_t i = 0; i < c.allowedMacs.size(); ++i)
                s += (i ? ", " : "") + Aoe::formatMac(c.allowedMacs[i]);
            s += "\n";
        }
        if (!c.model.empty())
            s += "model = " + c.model + "\n";
        if (!c.serial.empty())
            s += "serial = " + c.serial + "\n";
        if (c.wireAcl != WireAcl::Allow)
            s += std::string("wire-acl = ") + wireAclName(c.wireAcl) + "\n";
    }
    return s;
}

bool readTextFile(const std::string &path, std::string *content, std::string *error)
{
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        *error = "cannot read " + path + ": " + std::strerror(errno);
        return false;
    }
    std::string s;
    char buf[8192];
    for (;;) {
        const ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            *error = "cannot read " + path + ": " + std::strerror(errno);
            ::close(fd);
            return false;
        }
        if (n == 0)
            break;
        s.append(buf, std::size_t(n));
        if (s.size() > (16u << 20)) {
            *error = path + " is larger than 16 MiB: not a configuration file";
            ::close(fd);
            return false;
        }
    }
    ::close(fd);
    *content = std::move(s);
    return true;
}

bool writeFileAtomically(const std::string &path, std::string_view content, std::string *error,
                         unsigned mode)
{
    const std::size_t slash = path.rfind('/');
    const std::string dir =
        slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
    std::string tmp = path + ".tmp.XXXXXX";
    const int fd = ::mkostemp(tmp.data(), O_CLOEXEC);
    if (fd < 0) {
        *error = "cannot create a file in " + dir + ": " + std::strerror(errno);
        return false;
    }
    auto fail = [&](const char *what) {
        *error = std::string(what) + " " + tmp + ": " + std::strerror(errno);
        ::close(fd);
        ::unlink(tmp.c_str());
        return false;
    };
    if (::fchmod(fd, mode) < 0)
        return fail("cannot set permissions of");
    std::size_t done = 0;
    while (done < content.size()) {
        const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return fail("cannot write"); // ENOSPC lands here: the old file stays intact
        }
        done += std::size_t(n);
    }
    if (::fsync(fd) < 0)
        return fail("cannot flush");
    if (::close(fd) < 0) {
        *error = "cannot close " + tmp + ": " + std::strerror(errno);
        ::unlink(tmp.c_str());
        return false;
    }
    if (::rename(tmp.c_str(), path.c_str()) < 0) {
        *error = "cannot replace " + path + ": " + std::strerror(errno);
        ::unlink(tmp.c_str());
        return false;
    }
    // The rename is durable only once the directory is: until then a power
    // loss brings the old file back, so a failure here is a failure.
    const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0) {
        *error = "cannot open " + dir + " to flush it: " + std::strerror(errno);
        return false;
    }
    if (::fsync(dfd) < 0) {
        *error = "cannot flush " + dir + " (the new " + path
            + " may not survive a power loss): " + std::strerror(errno);
        ::close(dfd);
        return false;
    }
    ::close(dfd);
    return true;
}

} // namespace Etherdisk
