#!/usr/bin/env bash
# SPDX-FileCopyrightText: 2026 The Etherdisk developers
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Sets the machine up and runs the whole test suite: the README's second
# command, and what CI (.ci/run) calls.
#
#   scripts/run-tests.sh            everything (setup, format check, -Werror build and
#                                   all tests, the Debian packages and their install
#                                   test, ASan+UBSan build of core's tests, fuzzing)
#   SKIP_SETUP=1                    do not install packages
#   ETHERDISK_FUZZ_SECONDS=N        fuzz time per target (default 30; two targets
#                                   run at a time, one per core)
#   ETHERDISK_NO_SKIP=1             a missing test resource fails instead of skipping
#                                   (.ci/run sets it; so does CI=true)
#   BUILD_ROOT=DIR                  where the build trees go (default: build-tests/)
#
# Tests that need root (network namespaces, raw sockets) run only as root;
# run this as root (CI does) or they are reported as skipped.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$here"
BUILD_ROOT=${BUILD_ROOT:-$here/build-tests}
FUZZ_SECONDS=${ETHERDISK_FUZZ_SECONDS:-30}
JOBS=$(nproc)
if [ "${CI:-}" = "true" ]; then
    export ETHERDISK_NO_SKIP=1
fi

# Each step's wall time goes into the summary (the budget is 30 minutes on CI).
declare -a timings=()
step_name=""
step_start=$(date +%s)
end_step() {
    [ -n "$step_name" ] && timings+=("$(printf '%5d s  %s' $(( $(date +%s) - step_start )) "$step_name")")
    step_name=""
}
step() {
    end_step
    step_name=$1
    step_start=$(date +%s)
    printf '\n=== %s ===\n' "$*"
}
start=$(date +%s)

if [ -z "${SKIP_SETUP:-}" ]; then
    step "setup (scripts/setup.sh)"
    if [ "$(id -u)" -eq 0 ]; then
        scripts/setup.sh
    else
        sudo scripts/setup.sh
    fi
fi

# Compiles go through ccache when it is installed and the cache folder the package
# tests keep their Debian roots in (ETHERDISK_CI_CACHE) is writable: a CI machine
# that keeps that folder between runs rebuilds only what changed. CMake reads the
# launcher from the environment, so the .deb build (dpkg-buildpackage) uses it too.
ci_cache=${ETHERDISK_CI_CACHE:-/var/cache/etherdisk-ci}
if command -v ccache >/dev/null && mkdir -p "$ci_cache/ccache" 2>/dev/null \
    && [ -w "$ci_cache/ccache" ]; then
    export CCACHE_DIR=$ci_cache/ccache CCACHE_BASEDIR=$here CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-3G}
    export CMAKE_CXX_COMPILER_LAUNCHER=ccache CMAKE_C_COMPILER_LAUNCHER=ccache
    ccache --zero-stats >/dev/null
fi

step "format check (.clang-format)"
scripts/check-format.sh

declare -a summaries=()
failed=0
total_pass=0
total_fail=0
total_skip=0

# Runs ctest and counts its tests three ways: passed, failed, skipped. ctest
# itself counts a skipped test as passed ("100% tests passed" with skips), so
# the skipped ones (listed as "(Skipped)" at the end) are taken out of its
# passed count.
# Tests run one at a time (many measure time windows) unless CTEST_JOBS says
# otherwise for that call.
run_ctest() { # name builddir ctest-args...
    local name=$1 dir=$2
    shift 2
    local log
    log="$dir/ctest-$(echo "$name" | tr -c 'a-zA-Z0-9+\n' '_').log"
    set +e
    (cd "$dir" && ctest --output-on-failure --timeout 900 -j"${CTEST_JOBS:-1}" "$@") 2>&1 | tee "$log"
    local rc=${PIPESTATUS[0]}
    set -e
    [ "$rc" -eq 0 ] || failed=1
    local line
    line=$(grep -E '^[0-9]+% tests passed' "$log" | tail -n 1 || true)
    if [[ ! $line =~ ([0-9]+)\ tests?\ failed\ out\ of\ ([0-9]+) ]]; then
        summaries+=("$name: no ctest summary (see $log)")
        failed=1
        return
    fi
    local fail=${BASH_REMATCH[1]} total=${BASH_REMATCH[2]} skip
    skip=$(grep -cE '\(Skipped\)$' "$log" || true)
    local pass=$(( total - fail - skip ))
    summaries+=("$name: $pass passed, $fail failed, $skip skipped (of $total)")
    total_pass=$(( total_pass + pass ))
    total_fail=$(( total_fail + fail ))
    total_skip=$(( total_skip + skip ))
}

step "build 1: g++, warnings as errors, everything"
cmake -S . -B "$BUILD_ROOT/gcc" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_COMPILER=g++ -DETHERDISK_WERROR=ON >/dev/null
cmake --build "$BUILD_ROOT/gcc" -j"$JOBS"
step "tests (build 1)"
run_ctest "g++ -Werror" "$BUILD_ROOT/gcc" -LE 'fuzz|package'

step "packages: build the .debs, lintian and friends, install test in a fresh Debian root"
run_ctest "packages" "$BUILD_ROOT/gcc" -L package

step "build 2: clang, ASan+UBSan, core's tests and libFuzzer targets"
cmake -S . -B "$BUILD_ROOT/asan" -G Ninja -DCMAKE_BUILD_TYPE=Debug \
    -DCMAKE_CXX_COMPILER=clang++ -DETHERDISK_WERROR=ON -DETHERDISK_SANITIZE=ON \
    -DETHERDISK_FUZZ=ON -DETHERDISK_FUZZ_SECONDS="$FUZZ_SECONDS" -DETHERDISK_GUI=OFF >/dev/null
cmake --build "$BUILD_ROOT/asan" -j"$JOBS"
step "tests (build 2: core's unit and integration tests and the helper's labelled asan, under ASan+UBSan)"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
run_ctest "clang ASan+UBSan" "$BUILD_ROOT/asan" -L '^(unit|integration|asan)$' -LE fuzz
# The fuzzers measure no time: two at once, one per core.
step "fuzzing (build 2): ${FUZZ_SECONDS}s per target, $JOBS at a time"
CTEST_JOBS=$JOBS run_ctest "libFuzzer" "$BUILD_ROOT/asan" -L fuzz

step "summary ($(( $(date +%s) - start )) s)"
for t in "${timings[@]}"; do echo "  $t"; done
for s in "${summaries[@]}"; do echo "  $s"; done
[ -n "${CCACHE_DIR:-}" ] && echo "  ccache: $(ccache --print-stats 2>/dev/null | awk -F'\t' '$1 ~ /^(direct|preprocessed)_cache_hit$/ {h += $2} $1 == "cache_miss" {m = $2} END {printf "%d hits, %d misses", h, m}')"
echo "etherdisk: $total_pass passed, $total_fail failed, $total_skip skipped"
exit $failed
