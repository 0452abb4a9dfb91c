#!/bin/bash
# install-polkit-qt6.sh — provide polkit-qt 0.200.0, Qt6 flavour (CMake package PolkitQt6-1,
# targets PolkitQt6-1::Core / ::Gui / ::Agent) for building etherdisk-helper.
#
# * Debian 13+ (package libpolkit-qt6-1-dev exists): apt-installs it and exits.
# * Debian 12 (only the Qt5 flavour is packaged): builds it from the upstream tarball that
#   Debian 13 (trixie)'s source package polkit-qt-1 ships:
#     1. a PRIVATE apt configuration (own sources/lists/cache under a temp dir; the system's
#        apt sources are never touched) downloads trixie's signed Sources index;
#     2. the tarball's URI and SHA256 come from that index (`apt-get source --print-uris`);
#        the archive answers 404 for the .dsc/.debian.tar.xz/.asc of this package, so only
#        polkit-qt-1_0.200.0.orig.tar.xz is fetched (apt-helper, hash-checked) and re-checked;
#     3. builds ONLY the Qt6 flavour as STATIC, position-independent libraries (CMake+Ninja),
#        so our .deb packages do not depend on a shared library in /usr/local;
#     4. upstream's CMake config does not bring the link dependencies a static library needs
#        (Qt6::DBus, PkgConfig::POLKIT_GOBJECT/POLKIT_AGENT/GLIB2/GOBJECT), so the installed
#        PolkitQt6-1Config.cmake is patched to find them itself (find_dependency + pkg-config);
#        the .pc files get the matching Requires.private (use `pkg-config --static`);
#     5. installs into $PREFIX (default /usr/local, on CMake's default search path) and
#        links + runs a tiny consumer against the installed package as a self-test.
#
# Consumer (identical for this static build and Debian 13's shared package):
#     find_package(Qt6 REQUIRED COMPONENTS Core DBus)
#     find_package(PolkitQt6-1 0.200 REQUIRED)
#     target_link_libraries(etherdisk-helper PRIVATE PolkitQt6-1::Core)
#     #include <PolkitQt1/Authority>     (headers: $PREFIX/include/polkit-qt6-1)
# With a PREFIX other than /usr/local, also pass -DCMAKE_PREFIX_PATH=$PREFIX.
#
# Environment: PREFIX=/usr/local   FORCE=1 (rebuild even if installed)
#              SKIP_APT=1 (never apt-install build dependencies; fail if one is missing)
#              POLKIT_QT_SUITE=trixie   JOBS=$(nproc)
# Idempotent: exits at once when this version (static build) is already installed.
set -euo pipefail

VERSION=0.200.0
PREFIX=${PREFIX:-/usr/local}
SUITE=${POLKIT_QT_SUITE:-trixie}
MIRROR=${POLKIT_QT_MIRROR:-http://deb.debian.org/debian}
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
TARBALL="polkit-qt-1_${VERSION}.orig.tar.xz"
CFGDIR="$PREFIX/lib/cmake/PolkitQt6-1"
MARKER="etherdisk static build"     # written into the patched PolkitQt6-1Config.cmake
STAMP="$CFGDIR/etherdisk-install-manifest.txt"   # installed only after the self-test passed
DEBPKG=libpolkit-qt6-1-dev

say() { echo "install-polkit-qt6: $*"; }
die() { echo "install-polkit-qt6: ERROR: $*" >&2; exit 1; }
is_installed() { dpkg-query -W -f='${db:Status-Abbrev}' "$1" 2>/dev/null | grep -q '^ii'; }

# ---- 0. fast exit when already present ------------------------------------------------
if [ -z "${FORCE:-}" ]; then
    if is_installed "$DEBPKG"; then
        say "distribution package $DEBPKG is installed — nothing to do"; exit 0
    fi
    if [ -f "$CFGDIR/PolkitQt6-1ConfigVersion.cmake" ] && [ -f "$PREFIX/lib/libpolkit-qt6-core-1.a" ] \
       && grep -q "PACKAGE_VERSION \"$VERSION\"" "$CFGDIR/PolkitQt6-1ConfigVersion.cmake" \
       && [ -f "$STAMP" ] && grep -q "$MARKER" "$CFGDIR/PolkitQt6-1Config.cmake" 2>/dev/null; then
        say "polkit-qt6 $VERSION (static) already installed in $PREFIX — nothing to do (FORCE=1 rebuilds)"
        exit 0
    fi
fi

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || die "not root and sudo is not installed"
    SUDO=(sudo)
fi
apt_root() {  # apt-get as root, serialised with the other users of this machine
    "${SUDO[@]}" flock /tmp/apt.lock env DEBIAN_FRONTEND=noninteractive \
        apt-get -o DPkg::Lock::Timeout=300 "$@"
}

# ---- 1. Debian 13+: the distribution has it -------------------------------------------
if [ -z "${SKIP_APT:-}" ] && [ -z "${FORCE:-}" ]; then
    cand=$(apt-cache policy "$DEBPKG" 2>/dev/null | awk '/Candidate:/ {print $2}')
    if [ -n "$cand" ] && [ "$cand" != "(none)" ]; then
        say "the distribution provides $DEBPKG $cand — installing it with apt"
        apt_root install -y -q --no-install-recommends "$DEBPKG"
        exit 0
    fi
fi

# ---- 2. build dependencies (from the running distribution) ----------------------------
DEPS=(cmake ninja-build pkgconf g++ xz-utils qt6-base-dev libglib2.0-dev
      libpolkit-gobject-1-dev libpolkit-agent-1-dev libxkbcommon-dev debian-archive-keyring)
missing=()
for p in "${DEPS[@]}"; do is_installed "$p" || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
    [ -z "${SKIP_APT:-}" ] || die "SKIP_APT=1 but build dependencies are missing: ${missing[*]}"
    say "installing build dependencies: ${missing[*]}"
    apt_root update -q
    apt_root install -y -q --no-install-recommends "${missing[@]}"
fi
[ -r "$KEYRING" ] || die "$KEYRING not found (package debian-archive-keyring)"

# ---- 3. fetch the upstream tarball via a private apt configuration --------------------
WORK=$(mktemp -d /tmp/etherdisk-polkit-qt6.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/apt/sources.list.d" "$WORK/apt/lists/partial" "$WORK/apt/cache/archives/partial" \
         "$WORK/apt/preferences.d"
cat > "$WORK/apt/sources.list.d/$SUITE-src.sources" <<EOF
Types: deb-src
URIs: $MIRROR
Suites: $SUITE
Components: main
Signed-By: $KEYRING
EOF
APTOPT=(-o "Dir::Etc::SourceList=/dev/null" -o "Dir::Etc::SourceParts=$WORK/apt/sources.list.d"
        -o "Dir::Etc::Preferences=/dev/null" -o "Dir::Etc::PreferencesParts=$WORK/apt/preferences.d"
        -o "Dir::State::Lists=$WORK/apt/lists" -o "Dir::Cache=$WORK/apt/cache"
        -o "Dir::State::status=/dev/null"
        -o "APT::Sandbox::User=$(id -un)" -o "Debug::NoLocking=1")
say "downloading the signed $SUITE Sources index (private apt config in $WORK/apt)"
apt-get "${APTOPT[@]}" -qq update || die "apt-get update of the private $SUITE deb-src list failed"

# line format: 'URI' NAME SIZE SHA256:HEX — taken from the signature-verified Sources index
line=$(apt-get "${APTOPT[@]}" -qq source --print-uris "polkit-qt-1/$SUITE" 2>/dev/null \
       | awk -v f="$TARBALL" '$2 == f' || true)
[ -n "$line" ] || die "$SUITE's Sources index does not list $TARBALL (has polkit-qt-1 moved past $VERSION?)"
uri=$(echo "$line" | awk '{gsub("\x27", "", $1); print $1}')
sha=$(echo "$line" | awk '{sub("^SHA256:", "", $4); print $4}')
[[ "$sha" =~ ^[0-9a-f]{64}$ ]] || die "no SHA256 for $TARBALL in the Sources index (got '$sha')"

say "fetching $uri"
/usr/lib/apt/apt-helper "${APTOPT[@]}" -qq download-file "$uri" "$WORK/$TARBALL" "SHA256:$sha" \
    || die "download of $TARBALL failed or its SHA256 does not match the signed Sources index"
have=$(sha256sum "$WORK/$TARBALL" | cut -d' ' -f1)
[ "$have" = "$sha" ] || die "SHA256 mismatch for $TARBALL: got $have, index says $sha"
say "SHA256 $sha verified against the signed $SUITE Sources index"
tar -C "$WORK" -xf "$WORK/$TARBALL"
SRC="$WORK/polkit-qt-1-$VERSION"
[ -f "$SRC/CMakeLists.txt" ] || die "unexpected tarball layout (no polkit-qt-1-$VERSION/CMakeLists.txt)"

# ---- 4. patch: static libraries + a config that brings their link dependencies --------
# (patched copies only; the verified tarball stays as it is)
for d in core gui agent; do
    # shellcheck disable=SC2016  # literal ${...} of CMake code
    grep -q '^add_library(\${POLKITQT-1_[A-Z]*_PCNAME} SHARED)' "$SRC/$d/CMakeLists.txt" \
        || die "$d/CMakeLists.txt no longer has the expected add_library(... SHARED) line"
    # shellcheck disable=SC2016
    sed -i 's/^\(add_library(\${POLKITQT-1_[A-Z]*_PCNAME}\) SHARED)/\1 STATIC)/' "$SRC/$d/CMakeLists.txt"
done
grep -q '^@PACKAGE_INIT@' "$SRC/PolkitQt-1Config.cmake.in" || die "PolkitQt-1Config.cmake.in changed upstream"
cat > "$WORK/deps.cmake" <<'EOF'

# --- etherdisk static build (scripts/install-polkit-qt6.sh) -------------------------------
# The libraries are static, so the link dependencies the exported targets name
# (Qt6::Core, Qt6::DBus, PkgConfig::POLKIT_GOBJECT, ::POLKIT_AGENT, ::GLIB2, ::GOBJECT)
# must exist in the consumer's scope: find them here.  PolkitQt6-1::Gui also needs
# Qt6::Widgets: a consumer of ::Gui finds Qt6 Widgets itself (kept out of here because
# it drags in Qt6Gui/OpenGL/XKB lookups that a non-GUI consumer does not need).
# This block sits at the END of the file: Qt6's own config files redefine
# set_and_check() and PACKAGE_PREFIX_DIR, which the code above relies on.
include(CMakeFindDependencyMacro)
find_dependency(Qt6 COMPONENTS Core DBus)
find_dependency(PkgConfig)
foreach(_pq6_dep "POLKIT_GOBJECT;polkit-gobject-1" "POLKIT_AGENT;polkit-agent-1"
                 "GLIB2;glib-2.0>=2.36" "GOBJECT;gobject-2.0")
  list(GET _pq6_dep 0 _pq6_prefix)
  list(GET _pq6_dep 1 _pq6_module)
  if(NOT TARGET PkgConfig::${_pq6_prefix})
    pkg_check_modules(${_pq6_prefix} QUIET IMPORTED_TARGET ${_pq6_module})
    if(NOT TARGET PkgConfig::${_pq6_prefix})
      set(${CMAKE_FIND_PACKAGE_NAME}_FOUND FALSE)
      set(${CMAKE_FIND_PACKAGE_NAME}_NOT_FOUND_MESSAGE
          "pkg-config module ${_pq6_module} not found (install libpolkit-gobject-1-dev libpolkit-agent-1-dev libglib2.0-dev)")
      return()
    endif()
  endif()
endforeach()
unset(_pq6_dep)
unset(_pq6_prefix)
unset(_pq6_module)
# ------------------------------------------------------------------------------------------
EOF
cat "$WORK/deps.cmake" >> "$SRC/PolkitQt-1Config.cmake.in"
sed -i '/^Requires:/a Requires.private: Qt@QT_MAJOR_VERSION@DBus polkit-gobject-1 glib-2.0 gobject-2.0' \
    "$SRC/polkit-qt6-core-1.pc.cmake"
sed -i '/^Requires:/a Requires.private: polkit-agent-1 gobject-2.0' "$SRC/polkit-qt6-agent-1.pc.cmake"

# ---- 5. build the Qt6 flavour only, install -------------------------------------------
say "building (static, PIC, Release) with CMake + Ninja"
cmake -S "$SRC" -B "$WORK/build" -G Ninja -Wno-dev \
      -DQT_MAJOR_VERSION=6 -DCMAKE_BUILD_TYPE=Release \
      -DBUILD_SHARED_LIBS=OFF -DCMAKE_POSITION_INDEPENDENT_CODE=ON \
      -DCMAKE_INSTALL_PREFIX="$PREFIX" -DCMAKE_INSTALL_LIBDIR=lib \
      -DBUILD_EXAMPLES=OFF -DBUILD_TEST=OFF > "$WORK/configure.log" 2>&1 \
    || { tail -n 40 "$WORK/configure.log" >&2; die "cmake configure failed"; }
cmake --build "$WORK/build" -j"${JOBS:-$(nproc)}" > "$WORK/build.log" 2>&1 \
    || { tail -n 40 "$WORK/build.log" >&2; die "build failed"; }

# Remove what an earlier (e.g. shared) install of this package left, then install.
"${SUDO[@]}" rm -rf "$CFGDIR"
"${SUDO[@]}" rm -f "$PREFIX"/lib/libpolkit-qt6-{core,gui,agent}-1.so*
"${SUDO[@]}" cmake --install "$WORK/build" > "$WORK/install.log" 2>&1 \
    || { tail -n 20 "$WORK/install.log" >&2; die "cmake --install failed"; }
grep -q "$MARKER" "$CFGDIR/PolkitQt6-1Config.cmake" || die "installed config lacks the dependency block"

# ---- 6. self-test: a consumer links PolkitQt6-1::Core statically and runs -------------
say "self-test: building a consumer against the installed package"
mkdir -p "$WORK/consumer"
cat > "$WORK/consumer/CMakeLists.txt" <<'EOF'
cmake_minimum_required(VERSION 3.16)
project(polkitqt6_consumer LANGUAGES CXX)
set(CMAKE_CXX_STANDARD 20)
find_package(Qt6 REQUIRED COMPONENTS Core DBus)
find_package(PolkitQt6-1 0.200 REQUIRED)
add_executable(consumer main.cpp)
target_link_libraries(consumer PRIVATE PolkitQt6-1::Core)
EOF
cat > "$WORK/consumer/main.cpp" <<'EOF'
#include <PolkitQt1/Subject>
#include <PolkitQt1/Identity>
#include <cstdio>
#include <unistd.h>
int main()
{
    // UnixProcessSubject/UnixUserIdentity call into libpolkit-gobject-1 + GObject: no bus needed.
    PolkitQt1::UnixProcessSubject self(getpid());
    PolkitQt1::UnixUserIdentity root(uid_t(0));
    const QString s = self.toString(), r = root.toString();
    std::printf("%s %s\n", qPrintable(s), qPrintable(r));
    return s.startsWith(QLatin1String("unix-process:")) && r == QLatin1String("unix-user:root") ? 0 : 1;
}
EOF
if ! { cmake -S "$WORK/consumer" -B "$WORK/consumer/build" -G Ninja -DCMAKE_PREFIX_PATH="$PREFIX" \
         && cmake --build "$WORK/consumer/build"; } > "$WORK/consumer.log" 2>&1; then
    tail -n 30 "$WORK/consumer.log" >&2
    die "self-test consumer failed to configure/link"
fi
if ldd "$WORK/consumer/build/consumer" | grep -q 'polkit-qt6'; then
    die "self-test consumer links a shared polkit-qt6 library; expected the static one"
fi
out=$("$WORK/consumer/build/consumer") || die "self-test consumer ran but failed: $out"
say "self-test ok ($out)"
# the stamp (cmake's list of installed files) marks a complete, tested install
"${SUDO[@]}" install -m 644 "$WORK/build/install_manifest.txt" "$STAMP"
say "installed polkit-qt6 $VERSION (static, PIC) into $PREFIX: $(cd "$PREFIX/lib" && echo libpolkit-qt6-*.a)"
