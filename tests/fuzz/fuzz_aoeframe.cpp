// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
//
// libFuzzer target for the AoE frame parser. Beyond "no crash, no
// out-of-bounds read" (ASan/UBSan), it checks a property: a frame that
// parses cleanly (no anomalies) is rebuilt byte for byte by the builders.

#include "etherdisk/aoeframe.h"

#include <cstdlib>
#include <cstring>
#include <vector>

using namespace Etherdisk::Aoe;

namespace {

void check(bool ok)
{
    if (!ok)
        std::abort();
}

void checkRebuild(const Frame &f, const std::uint8_t *data, std::size_t size)
{
    std::vector<std::uint8_t> out(size + MinFrameSize + 8);
    std::size_t n = 0;
    std::size_t compare = 0;
    switch (f.kind) {
    case FrameKind::Ata:
        if (!f.header.isResponse() && !f.ata.isWrite())
            return; // request padding is not kept
        n = buildAta(out, f.header, f.ata, f.data);
        compare = AtaHeaderSize + f.data.size();
        break;
    case FrameKind::QueryConfig:
        n = buildConfig(out, f.header, f.config);
        compare = ConfigHeaderSize + f.config.configString.size();
        break;
    case FrameKind::MacMaskList: {
        std::vector<MacMaskDirective> dirs;
        for (std::size_t i = 0; i < f.macMask.directiveCount; ++i)
            dirs.push_back(f.macMask.directive(i));
        n = buildMacMask(out, f.header, f.macMask.command, f.macMask.error, dirs);
        compare = MacMaskHeaderSize + dirs.size() * MacMaskDirectiveSize;
        break;
    }
    case FrameKind::ReserveRelease: {
        std::vector<MacAddress> macs;
        for (std::size_t i = 0; i < f.reserve.macCount; ++i)
            macs.push_back(f.reserve.mac(i));
        n = buildReserve(out, f.header, f.reserve.command, macs);
        compare = ReserveHeaderSize + macs.size() * MacSize;
        break;
    }
    case FrameKind::Vendor:
        n = buildRaw(out, f.header, f.arg);
        compare = size;
        break;
    }
    check(n >= compare && n >= MinFrameSize);
    check(compare <= size);
    check(std::memcmp(out.data(), data, compare) == 0);
    // And the rebuilt frame parses to the same thing.
    Frame again;
    check(parseFrame({ out.data(), n }, &again) == ParseError::Ok);
    check(again.kind == f.kind && again.header.tag == f.header.tag);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size);
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    // A copy of exactly `size` bytes so that ASan catches any over-read.
    std::vector<std::uint8_t> copy(data, data + size);
    Frame f;
    const ParseError e = parseFrame(copy, &f);
    check(parseErrorText(e) != nullptr);
    if (e != ParseError::Ok) {
        check(!f.hasArg);
        (void)responseErrorFor(e);
        return 0;
    }
    // Every view lies inside the input.
    auto inside = [&](std::span<const std::uint8_t> s) {
        return s.empty() || (s.data() >= copy.data() && s.data() + s.size() <= copy.data() + size);
    };
    check(inside(f.arg) && inside(f.data) && inside(f.config.configString)
          && inside(f.macMask.directiveBytes) && inside(f.reserve.macBytes));
    if (f.anomalies == 0 && f.hasArg)
        checkRebuild(f, copy.data(), size);
    return 0;
}
