// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later

#include "etherdisk/aoedriver.h"
#include "etherdisk/util.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <set>

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

namespace Etherdisk::AoeDriver {

namespace {

    constexpr std::size_t MaxLoadOutput = 4096;
    constexpr std::size_t MaxLine = 65536; // longer mountinfo/swaps lines are skipped
    constexpr std::size_t MaxProcesses = 1 << 20;
    constexpr std::size_t MaxFdsPerProcess = 1 << 20;

    Error fail(ErrorKind kind, std::string message)
    {
        return Error{ kind, std::move(message) };
    }

    std::string errnoText(int e)
    {
        return std::strerror(e);
    }

    bool isSeparator(char c)
    {
        // the driver's WHITESPACE (drivers/block/aoe/aoe.h) and the comma
        return c == ' ' || c == '\t' || c == '\v' || c == '\f' || c == '\n' || c == '\r'
            || c == ',';
    }

    // Reads at most `max` bytes of a small file (a sysfs attribute, a module
    // parameter). *tooLong says the file held more. errno is kept on failure.
    bool readSmall(const std::string &path, std::size_t max, std::string *out,
                   bool *tooLong = nullptr)
    {
        out->clear();
        const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
            return false;
        std::string buf(max + 1, '\0');
        std::size_t got = 0;
        while (got < buf.size()) {
            const ssize_t n = ::read(fd, buf.data() + got, buf.size() - got);
            if (n < 0) {
                if (errno == EINTR)
                    continue;
                const int e = errno;
                ::close(fd);
                errno = e;
                return false;
            }
            if (n == 0)
                break;
            got += std::size_t(n);
        }
        ::close(fd);
        if (tooLong)
            *tooLong = got > max;
        buf.resize(std::min(got, max));
        *out = std::move(buf);
        return true;
    }

    // Writes all of `data` with one write(2) (the driver's control files
    // act on each write). errno is kept on failure.
    bool writeControl(const std::string &path, std::string_view data)
    {
        const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
            return false;
        ssize_t n;
        do {
            n = ::write(fd, data.data(), data.size());
        } while (n < 0 && errno == EINTR);
        const int e = errno;
        ::close(fd);
        if (n < 0) {
            errno = e;
            return false;
        }
        if (std::size_t(n) != data.size()) {
            errno = EIO;
            return false;
        }
        return true;
    }

    bool pathExists(const std::string &path)
    {
        struct stat st
        {
        };
        return ::stat(path.c_str(), &st) == 0;
    }

    // Calls `line` for each line of a file of any size, holding at most
    // MaxLine bytes (longer lines are skipped). False if it cannot be read.
    template<typename F>
    bool forEachLine(const std::string &path, F line)
    {
        const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
            return false;
        std::string pending;
        bool skipping = false;
        char buf[16384];
        bool stop = false;
        while (!stop) {
            const ssize_t n = ::read(fd, buf, sizeof buf);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0)
                break;
            std::string_view chunk(buf, std::size_t(n));
            while (!chunk.empty() && !stop) {
                const std::size_t nl = chunk.find('\n');
                const std::string_view part = chunk.substr(0, nl);
                if (!skipping) {
                    if (pending.size() + part.size() > MaxLine) {
                        skipping = true;
                        pending.clear();
                    } else {
                        pending.append(part);
                    }
                }
                if (nl == std::string_view::npos)
                    break;
                if (!skipping)
                    stop = !line(std::string_view(pending));
                pending.clear();
                skipping = false;
                chunk.remove_prefix(nl + 1);
            }
        }
        if (!stop && !skipping && !pending.empty())
            line(std::string_view(pending));
        ::close(fd);
        return true;
    }

    bool parseDecimal(std::string_view text, std::uint64_t max, std::uint64_t *value)
    {
        if (text.empty() || text.size() > 20 || (text.size() > 1 && text[0] == '0'))
            return false;
        for (char c : text)
            if (c < '0' || c > '9')
                return false;
        std::uint64_t v = 0;
        const auto r = std::from_chars(text.data(), text.data() + text.size(), v);
        if (r.ec != std::errc() || r.ptr != text.data() + text.size() || v > max)
            return false;
        *value = v;
        return true;
    }

    std::string deviceName(std::uint16_t shelf, std::uint8_t slot)
    {
        return "e" + std::to_string(shelf) + "." + std::to_string(slot);
    }

    std::string join(const std::vector<std::string> &names, const char *separator)
    {
        std::string out;
        for (const std::string &n : names) {
            if (!out.empty())
                out += separator;
            out += n;
        }
        return out;
    }

    // The device and its partitions as (major, minor, kernel name), from
    // /sys/block/<entry>/ and its partition subdirectories.
    struct BlockDev
    {
        unsigned major, minor;
        std::string name;
    };

    std::vector<BlockDev> deviceAndPartitions(const std::string &sysfs, const Device &d)
    {
        std::vector<BlockDev> out{ { d.major, d.minor, d.name } };
        const std::string dir = sysfs + "/block/etherd!" + d.name;
        DIR *dp = ::opendir(dir.c_str());
        if (!dp)
            return out;
        while (const dirent *e = ::readdir(dp)) {
            const std::string sub = e->d_name;
            if (sub == "." || sub == ".." || !pathExists(dir + "/" + sub + "/partition"))
                continue;
            std::string text;
            std::string value;
            unsigned ma = 0;
            unsigned mi = 0;
            if (readSmall(dir + "/" + sub + "/dev", MaxAttributeBytes, &text)
                && parseAttribute(text, &value) && parseDevNumber(value, &ma, &mi))
                out.push_back({ ma, mi, sub });
            if (out.size() > 256)
                break;
        }
        ::closedir(dp);
        return out;
    }

    bool isPid(const char *name)
    {
        if (!*name)
            return false;
        for (const char *p = name; *p; ++p)
            if (*p < '0' || *p > '9')
                return false;
        return true;
    }

} // namespace

// ---- parsers --------------------------------------------------------------------

bool parseDeviceName(std::string_view text, std::uint16_t *shelf, std::uint8_t *slot)
{
    if (text.starts_with("etherd!"))
        text.remove_prefix(7);
    if (!text.starts_with('e'))
        return false;
    text.remove_prefix(1);
    const std::size_t dot = text.find('.');
    if (dot == std::string_view::npos)
        return false;
    std::uint64_t s = 0;
    std::uint64_t l = 0;
    if (!parseDecimal(text.substr(0, dot), 65535, &s)
        || !parseDecimal(text.substr(dot + 1), 255, &l))
        return false;
    *shelf = std::uint16_t(s);
    *slot = std::uint8_t(l);
    return true;
}

bool isValidInterfaceName(std::string_view name)
{
    if (name.empty() || name.size() > 15 || name == "." || name == "..")
        return false;
    for (char c : name) {
        const auto u = static_cast<unsigned char>(c);
        if (u <= ' ' || u == 0x7f || c == '/' || c == ':' || c == ',')
            return false;
    }
    return true;
}

bool parseInterfaceList(std::string_view text, std::vector<std::string> *names)
{
    names->clear();
    std::size_t i = 0;
    while (i < text.size()) {
        while (i < text.size() && isSeparator(text[i]))
            ++i;
        std::size_t j = i;
        while (j < text.size() && !isSeparator(text[j]))
            ++j;
        if (j > i) {
            const std::string_view name = text.substr(i, j - i);
            if (!isValidInterfaceName(name)) {
                names->clear();
                return false;
            }
            if (std::find(names->begin(), names->end(), name) == names->end())
                names->emplace_back(name);
            if (names->size() > MaxInterfaceListBytes / 2) {
                names->clear();
                return false;
            }
        }
        i = j;
    }
    return true;
}

bool parseAttribute(std::string_view text, std::string *value)
{
    if (text.ends_with('\n'))
        text.remove_suffix(1);
    if (text.size() > MaxAttributeBytes)
        return false;
    for (char c : text) {
        const auto u = static_cast<unsigned char>(c);
        if (u < ' ' || u == 0x7f)
            return false;
    }
    value->assign(text);
    return true;
}

bool parseUnsigned(std::string_view text, std::uint64_t max, std::uint64_t *value)
{
    return parseDecimal(text, max, value);
}

bool parseFirmwareVersion(std::string_view text, std::uint16_t *value)
{
    if (!text.starts_with("0x") || text.size() < 3 || text.size() > 6)
        return false;
    text.remove_prefix(2);
    unsigned v = 0;
    for (char c : text) {
        if (!std::isxdigit(static_cast<unsigned char>(c)))
            return false;
    }
    const auto r = std::from_chars(text.data(), text.data() + text.size(), v, 16);
    if (r.ec != std::errc() || r.ptr != text.data() + text.size() || v > 0xffff)
        return false;
    *value = std::uint16_t(v);
    return true;
}

bool parseMac(std::string_view text, std::string *mac)
{
    if (text == "none") {
        mac->clear();
        return true;
    }
    if (text.size() != 12)
        return false;
    std::string out;
    for (char c : text) {
        if (!std::isxdigit(static_cast<unsigned char>(c)))
            return false;
        out += char(std::tolower(static_cast<unsigned char>(c)));
    }
    *mac = out;
    return true;
}

bool parseDevNumber(std::string_view text, unsigned *major, unsigned *minor)
{
    const std::size_t colon = text.find(':');
    if (colon == std::string_view::npos)
        return false;
    std::uint64_t ma = 0;
    std::uint64_t mi = 0;
    // Linux: 12-bit majors, 20-bit minors
    if (!parseDecimal(text.substr(0, colon), 4095, &ma)
        || !parseDecimal(text.substr(colon + 1), (1u << 20) - 1, &mi))
        return false;
    *major = unsigned(ma);
    *minor = unsigned(mi);
    return true;
}

bool parseMountinfoLine(std::string_view line, unsigned *major, unsigned *minor,
                        std::string *mountPoint)
{
    // "36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue"
    std::string_view fields[5];
    for (auto &f : fields) {
        while (line.starts_with(' '))
            line.remove_prefix(1);
        const std::size_t sp = line.find(' ');
        if (sp == std::string_view::npos && &f != &fields[4])
            return false;
        f = line.substr(0, sp);
        line.remove_prefix(sp == std::string_view::npos ? line.size() : sp);
        if (f.empty())
            return false;
    }
    if (!parseDevNumber(fields[2], major, minor))
        return false;
    std::string out;
    const std::string_view mp = fields[4];
    for (std::size_t i = 0; i < mp.size(); ++i) {
        if (mp[i] == '\\' && i + 3 < mp.size() + 0 && mp[i + 1] >= '0' && mp[i + 1] <= '3'
            && mp[i + 2] >= '0' && mp[i + 2] <= '7' && mp[i + 3] >= '0' && mp[i + 3] <= '7') {
            out += char((mp[i + 1] - '0') * 64 + (mp[i + 2] - '0') * 8 + (mp[i + 3] - '0'));
            i += 3;
        } else {
            out += mp[i];
        }
    }
    *mountPoint = std::move(out);
    return true;
}

// ---- the driver --------------------------------------------------------------------

Driver::Driver(Paths paths) : m_paths(std::move(paths)) { }

bool Driver::loaded() const
{
    return pathExists(m_paths.sysfs + "/module/" + m_paths.module);
}

bool Driver::ready() const
{
    return pathExists(m_paths.devDir + "/discover");
}

Error Driver::startLoad(const std::vector<std::string> &interfaces, LoadProcess *process) const
{
    *process = {};
    for (const std::string &name : interfaces)
        if (!isValidInterfaceName(name))
            return fail(ErrorKind::InvalidArgument, "'" + name + "' is not an interface name");
    std::vector<std::string> args{ m_paths.modprobe, m_paths.module };
    if (!interfaces.empty())
        args.push_back("aoe_iflist=" + join(interfaces, ","));
    std::vector<char *> argv;
    for (std::string &a : args)
        argv.push_back(a.data());
    argv.push_back(nullptr);

    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) < 0)
        return fail(ErrorKind::Failed, "cannot run modprobe: pipe: " + errnoText(errno));
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
    posix_spawn_file_actions_adddup2(&actions, fds[1], 2);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    // The child starts with default signal dispositions and an empty mask,
    // whatever the caller (a Qt program) has set up.
    sigset_t all;
    sigset_t none;
    sigfillset(&all);
    sigemptyset(&none);
    posix_spawnattr_setsigdefault(&attr, &all);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
    pid_t pid = -1;
    const int rc =
        ::posix_spawn(&pid, m_paths.modprobe.c_str(), &actions, &attr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    ::close(fds[1]);
    if (rc != 0) {
        ::close(fds[0]);
        return fail(ErrorKind::NotSupported,
                    "the Linux aoe driver is not available on this kernel (modprobe "
                        + m_paths.module + " failed: cannot run " + m_paths.modprobe + ": "
                        + errnoText(rc) + ")");
    }
    ::fcntl(fds[0], F_SETFL, ::fcntl(fds[0], F_GETFL) | O_NONBLOCK);
    process->pid = pid;
    process->outputFd = fds[0];
    return {};
}

bool Driver::readLoadOutput(LoadProcess *process) const
{
    if (process->outputFd < 0)
        return false;
    char buf[1024];
    while (true) {
        const ssize_t n = ::read(process->outputFd, buf, sizeof buf);
        if (n > 0) {
            const std::size_t room =
                MaxLoadOutput - std::min(MaxLoadOutput, process->output.size());
            process->output.append(buf, std::min(room, std::size_t(n)));
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return true;
        return false; // EOF or error
    }
}

Error Driver::finishLoad(LoadProcess *process) const
{
    if (process->outputFd >= 0) {
        ::close(process->outputFd);
        process->outputFd = -1;
    }
    int status = 0;
    pid_t r;
    do {
        r = ::waitpid(process->pid, &status, 0);
    } while (r < 0 && errno == EINTR);
    process->pid = -1;
    std::string out = process->output;
    while (!out.empty() && (out.back() == '\n' || out.back() == ' '))
        out.pop_back();
    for (char &c : out)
        if (c == '\n')
            c = ' ';
    if (r < 0)
        return fail(ErrorKind::Failed, "modprobe " + m_paths.module + ": " + errnoText(errno));
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        const std::string how = WIFEXITED(status)
            ? "exit status " + std::to_string(WEXITSTATUS(status))
            : "killed by signal " + std::to_string(WTERMSIG(status));
        return fail(ErrorKind::NotSupported,
                    "the Linux aoe driver is not available on this kernel (modprobe "
                        + m_paths.module + " failed: " + (out.empty() ? how : out) + ")");
    }
    return {};
}

void Driver::abortLoad(LoadProcess *process) const
{
    if (process->pid > 0) {
        ::kill(process->pid, SIGKILL);
        while (::waitpid(process->pid, nullptr, 0) < 0 && errno == EINTR) { }
    }
    if (process->outputFd >= 0)
        ::close(process->outputFd);
    *process = {};
}

Error Driver::load(const std::vector<std::string> &interfaces, int timeoutMs) const
{
    LoadProcess p;
    if (Error e = startLoad(interfaces, &p); e.kind != ErrorKind::None)
        return e;
    const std::int64_t deadline = monotonicMs() + timeoutMs;
    while (readLoadOutput(&p)) {
        pollfd pfd{ p.outputFd, POLLIN, 0 };
        const int left = int(std::max<std::int64_t>(0, deadline - monotonicMs()));
        const int n = ::poll(&pfd, 1, left);
        if (n == 0) {
            abortLoad(&p);
            return fail(ErrorKind::Failed,
                        "modprobe " + m_paths.module + " did not finish within "
                            + std::to_string(timeoutMs / 1000) + " s");
        }
    }
    return finishLoad(&p);
}

Error Driver::allowedInterfaces(std::vector<std::string> *names) const
{
    names->clear();
    const std::string path = m_paths.sysfs + "/module/" + m_paths.module + "/parameters/aoe_iflist";
    std::string text;
    bool tooLong = false;
    if (!readSmall(path, MaxInterfaceListBytes + 1, &text, &tooLong)) {
        const int e = errno;
        if (e == ENOENT)
            return fail(ErrorKind::NotFound,
                        "the aoe driver is not loaded (" + path + " does not exist)");
        return fail(e == EACCES || e == EPERM ? ErrorKind::PermissionDenied : ErrorKind::Failed,
                    "cannot read the aoe driver's interfaces from " + path + ": " + errnoText(e));
    }
    if (tooLong || !parseInterfaceList(text, names))
        return fail(ErrorKind::Failed,
                    "the aoe driver's interface list in " + path + " is malformed");
    return {};
}

Error Driver::setAllowedInterfaces(const std::vector<std::string> &names) const
{
    for (const std::string &name : names)
        if (!isValidInterfaceName(name))
            return fail(ErrorKind::InvalidArgument, "'" + name + "' is not an interface name");
    const std::string list = join(names, " ");
    if (list.size() > MaxInterfaceListBytes)
        return fail(ErrorKind::InvalidArgument,
                    "the aoe driver takes at most " + std::to_string(MaxInterfaceListBytes)
                        + " bytes of interface names");
    const std::string path = m_paths.devDir + "/interfaces";
    if (!writeControl(path, list)) {
        const int e = errno;
        return fail(e == EACCES || e == EPERM ? ErrorKind::PermissionDenied : ErrorKind::Failed,
                    "cannot set the aoe driver's interfaces through " + path + ": " + errnoText(e));
    }
    return {};
}

Error Driver::allowInterface(const std::string &name, bool *changed) const
{
    if (changed)
        *changed = false;
    if (!isValidInterfaceName(name))
        return fail(ErrorKind::InvalidArgument, "'" + name + "' is not an interface name");
    std::vector<std::string> names;
    if (Error e = allowedInterfaces(&names); e.kind != ErrorKind::None)
        return e;
    if (names.empty() || std::find(names.begin(), names.end(), name) != names.end())
        return {};
    names.push_back(name);
    if (Error e = setAllowedInterfaces(names); e.kind != ErrorKind::None)
        return e;
    if (changed)
        *changed = true;
    return {};
}

Error Driver::discover() const
{
    const std::string path = m_paths.devDir + "/discover";
    if (!writeControl(path, "\n")) {
        const int e = errno;
        return fail(e == ENOENT ? ErrorKind::NotFound
                                : (e == EACCES || e == EPERM ? ErrorKind::PermissionDenied
                                                             : ErrorKind::Failed),
                    "cannot ask the aoe driver to discover through " + path + ": " + errnoText(e));
    }
    return {};
}

std::string Driver::nodePath(std::uint16_t shelf, std::uint8_t slot) const
{
    return m_paths.devDir + "/" + deviceName(shelf, slot);
}

Error Driver::readDevice(const std::string &entry, Device *d) const
{
    *d = {};
    if (!parseDeviceName(entry, &d->shelf, &d->slot))
        return fail(ErrorKind::Failed, "'" + entry + "' is not an aoe device name");
    d->name = deviceName(d->shelf, d->slot);
    d->node = m_paths.devDir + "/" + d->name;
    const std::string dir = m_paths.sysfs + "/block/" + entry;
    std::string values[6];
    const char *const attrs[6] = { "state", "mac", "netif", "firmware-version", "payload", "size" };
    for (int i = 0; i < 6; ++i) {
        std::string text;
        bool tooLong = false;
        const std::string path = dir + "/" + attrs[i];
        if (!readSmall(path, MaxAttributeBytes, &text, &tooLong)) {
            const int e = errno;
            if (e == ENOENT || e == ENODEV)
                return fail(ErrorKind::NotFound, d->name + " is gone");
            return fail(ErrorKind::Failed, "cannot read " + path + ": " + errnoText(e));
        }
        if (tooLong || !parseAttribute(text, &values[i]))
            return fail(ErrorKind::Failed, path + " is malformed");
    }
    std::string dev;
    {
        std::string text;
        bool tooLong = false;
        if (!readSmall(dir + "/dev", MaxAttributeBytes, &text, &tooLong)) {
            const int e = errno;
            if (e == ENOENT || e == ENODEV)
                return fail(ErrorKind::NotFound, d->name + " is gone");
            return fail(ErrorKind::Failed, "cannot read " + dir + "/dev: " + errnoText(e));
        }
        if (tooLong || !parseAttribute(text, &dev))
            return fail(ErrorKind::Failed, dir + "/dev is malformed");
    }
    d->state = values[0];
    if (d->state.empty() || (!d->state.starts_with("up") && !d->state.starts_with("down")))
        return fail(ErrorKind::Failed, dir + "/state is malformed: '" + d->state + "'");
    d->up = d->state == "up" || d->state.starts_with("up,");
    std::uint64_t n = 0;
    if (!parseMac(values[1], &d->mac))
        return fail(ErrorKind::Failed, dir + "/mac is malformed");
    if (values[2] != "none" && !parseInterfaceList(values[2], &d->interfaces))
        return fail(ErrorKind::Failed, dir + "/netif is malformed");
    if (!parseFirmwareVersion(values[3], &d->firmwareVersion))
        return fail(ErrorKind::Failed, dir + "/firmware-version is malformed");
    if (!parseUnsigned(values[4], 0xffffffffu, &n))
        return fail(ErrorKind::Failed, dir + "/payload is malformed");
    d->payload = std::uint32_t(n);
    if (!parseUnsigned(values[5], std::uint64_t(1) << 48, &d->sectors))
        return fail(ErrorKind::Failed, dir + "/size is malformed");
    if (!parseDevNumber(dev, &d->major, &d->minor))
        return fail(ErrorKind::Failed, dir + "/dev is malformed");
    return {};
}

Error Driver::devices(std::vector<Device> *out) const
{
    out->clear();
    const std::string dir = m_paths.sysfs + "/block";
    DIR *dp = ::opendir(dir.c_str());
    if (!dp)
        return fail(ErrorKind::Failed, "cannot list " + dir + ": " + errnoText(errno));
    std::vector<std::string> entries;
    bool tooMany = false;
    while (const dirent *e = ::readdir(dp)) {
        const std::string_view name = e->d_name;
        if (!name.starts_with("etherd!"))
            continue;
        if (entries.size() >= MaxDevices) {
            tooMany = true;
            break;
        }
        entries.emplace_back(name);
    }
    ::closedir(dp);
    std::sort(entries.begin(), entries.end());
    Error first;
    for (const std::string &entry : entries) {
        Device d;
        const Error e = readDevice(entry, &d);
        if (e.kind == ErrorKind::None)
            out->push_back(std::move(d));
        else if (e.kind != ErrorKind::NotFound && first.kind == ErrorKind::None)
            first = e;
    }
    if (first.kind == ErrorKind::None && tooMany)
        return fail(ErrorKind::Failed,
                    "the aoe driver has more than " + std::to_string(MaxDevices)
                        + " devices: only the first are listed");
    return first;
}

Error Driver::device(std::uint16_t shelf, std::uint8_t slot, Device *d) const
{
    const std::string entry = "etherd!" + deviceName(shelf, slot);
    if (!pathExists(m_paths.sysfs + "/block/" + entry)) {
        *d = {};
        return fail(ErrorKind::NotFound, "the aoe driver has no device " + deviceName(shelf, slot));
    }
    return readDevice(entry, d);
}

Error Driver::busyReason(const Device &d, std::string *reason) const
{
    reason->clear();
    const std::vector<BlockDev> devs = deviceAndPartitions(m_paths.sysfs, d);
    auto find = [&](unsigned ma, unsigned mi) -> const BlockDev * {
        for (const BlockDev &b : devs)
            if (b.major == ma && b.minor == mi)
                return &b;
        return nullptr;
    };
    auto what = [&](const BlockDev &b) {
        return &b == &devs.front() ? d.node : d.node + " (partition " + b.name + ")";
    };

    // Processes we may not look into (another user's, without
    // CAP_SYS_PTRACE): then we cannot tell, and say so rather than guess.
    std::string deniedPid;
    auto noteDenied = [&](const char *pid) {
        if (deniedPid.empty())
            deniedPid = pid;
    };
    auto deniedError = [&] {
        std::string comm;
        std::string value;
        if (readSmall(m_paths.proc + "/" + deniedPid + "/comm", 64, &comm)
            && parseAttribute(comm, &value))
            comm = " (" + value + ")";
        else
            comm.clear();
        return fail(ErrorKind::Failed,
                    "cannot tell whether " + d.node + " is in use: process " + deniedPid + comm
                        + " may not be inspected (" + m_paths.proc + "/" + deniedPid
                        + "/fd: permission denied); the helper needs CAP_SYS_PTRACE to see "
                          "other users' processes");
    };

    // Mounted, in any mount namespace: one mountinfo per namespace.
    std::vector<std::string> mountinfos{ m_paths.proc + "/self/mountinfo" };
    {
        std::set<std::string> seen;
        char self[64] = {};
        const std::string selfNs = m_paths.proc + "/self/ns/mnt";
        const ssize_t sn = ::readlink(selfNs.c_str(), self, sizeof self - 1);
        if (sn > 0)
            seen.insert(std::string(self, std::size_t(sn)));
        if (DIR *dp = ::opendir(m_paths.proc.c_str())) {
            std::size_t count = 0;
            while (const dirent *e = ::readdir(dp)) {
                if (!isPid(e->d_name) || ++count > MaxProcesses)
                    continue;
                char ns[64] = {};
                const std::string link = m_paths.proc + "/" + e->d_name + "/ns/mnt";
                const ssize_t n = ::readlink(link.c_str(), ns, sizeof ns - 1);
                if (n < 0 && (errno == EACCES || errno == EPERM))
                    noteDenied(e->d_name);
                if (n <= 0 || !seen.insert(std::string(ns, std::size_t(n))).second)
                    continue;
                mountinfos.push_back(m_paths.proc + "/" + e->d_name + "/mountinfo");
            }
            ::closedir(dp);
        }
    }
    for (std::size_t i = 0; i < mountinfos.size() && reason->empty(); ++i) {
        const bool ok = forEachLine(mountinfos[i], [&](std::string_view line) {
            unsigned ma = 0;
            unsigned mi = 0;
            std::string where;
            if (!parseMountinfoLine(line, &ma, &mi, &where))
                return true;
            if (const BlockDev *b = find(ma, mi)) {
                *reason = what(*b) + " is mounted on " + where
                    + (i == 0 ? std::string() : std::string(" (in another mount namespace)"))
                    + ": unmount it first";
                return false;
            }
            return true;
        });
        if (!ok && i == 0)
            return fail(ErrorKind::Failed,
                        "cannot read " + mountinfos[0] + ": " + errnoText(errno));
    }
    if (!reason->empty())
        return {};

    // Swap?
    forEachLine(m_paths.proc + "/swaps", [&](std::string_view line) {
        const std::size_t sp = line.find_first_of(" \t");
        const std::string path(line.substr(0, sp));
        struct stat st
        {
        };
        if (path.empty() || path[0] != '/' || ::stat(path.c_str(), &st) < 0 || !S_ISBLK(st.st_mode))
            return true;
        if (const BlockDev *b = find(::major(st.st_rdev), ::minor(st.st_rdev))) {
            *reason = what(*b) + " is in use as swap: swapoff it first";
            return false;
        }
        return true;
    });
    if (!reason->empty())
        return {};

    // Held by device mapper or md (LVM, encryption, RAID)?
    for (const BlockDev &b : devs) {
        const std::string dir = m_paths.sysfs + "/dev/block/" + std::to_string(b.major) + ":"
            + std::to_string(b.minor) + "/holders";
        DIR *dp = ::opendir(dir.c_str());
        if (!dp)
            continue;
        std::string holders;
        while (const dirent *e = ::readdir(dp)) {
            const std::string n = e->d_name;
            if (n == "." || n == "..")
                continue;
            holders += (holders.empty() ? "" : ", ") + n;
            if (holders.size() > 200)
                break;
        }
        ::closedir(dp);
        if (!holders.empty()) {
            *reason = what(b) + " is in use by " + holders
                + " (LVM, encryption or RAID): stop that first";
            return {};
        }
    }

    // Open in a process?
    DIR *procDir = ::opendir(m_paths.proc.c_str());
    if (!procDir)
        return fail(ErrorKind::Failed, "cannot list " + m_paths.proc + ": " + errnoText(errno));
    const pid_t me = ::getpid();
    std::size_t count = 0;
    while (const dirent *e = ::readdir(procDir)) {
        if (!isPid(e->d_name) || ++count > MaxProcesses)
            continue;
        const std::string fdDir = m_paths.proc + "/" + e->d_name + "/fd";
        DIR *fds = ::opendir(fdDir.c_str());
        if (!fds) {
            if (errno == EACCES || errno == EPERM)
                noteDenied(e->d_name);
            continue; // or the process is gone
        }
        std::size_t nfds = 0;
        while (const dirent *f = ::readdir(fds)) {
            if (!isPid(f->d_name) || ++nfds > MaxFdsPerProcess)
                continue;
            struct stat st
            {
            };
            if (::stat((fdDir + "/" + f->d_name).c_str(), &st) < 0 || !S_ISBLK(st.st_mode))
                continue;
            const BlockDev *b = find(::major(st.st_rdev), ::minor(st.st_rdev));
            if (!b)
                continue;
            const long pid = std::strtol(e->d_name, nullptr, 10);
            std::string comm;
            std::string value;
            if (readSmall(m_paths.proc + "/" + e->d_name + "/comm", 64, &comm)
                && parseAttribute(comm, &value))
                comm = value;
            else
                comm.clear();
            *reason = what(*b) + " is open in process " + std::to_string(pid)
                + (comm.empty() ? std::string() : " (" + comm + ")")
                + (pid == me ? std::string(", this one") : std::string()) + ": close it first";
            break;
        }
        ::closedir(fds);
        if (!reason->empty())
            break;
    }
    ::closedir(procDir);
    if (reason->empty() && !deniedPid.empty())
        return deniedError();
    return {};
}

Error Driver::flush(std::uint16_t shelf, std::uint8_t slot) const
{
    // The driver compares min(bytes written, name size) bytes: with the NUL
    // "e1.2" cannot match e1.20 (drivers/block/aoe/aoedev.c, user_req()).
    const std::string name = deviceName(shelf, slot);
    const std::string path = m_paths.devDir + "/flush";
    if (!writeControl(path, std::string_view(name.c_str(), name.size() + 1))) {
        const int e = errno;
        return fail(
            e == ENOENT
                ? ErrorKind::NotFound
                : (e == EACCES || e == EPERM ? ErrorKind::PermissionDenied : ErrorKind::Failed),
            "cannot flush " + name + " from the aoe driver through " + path + ": " + errnoText(e));
    }
    return {};
}

} // namespace Etherdisk::AoeDriver
