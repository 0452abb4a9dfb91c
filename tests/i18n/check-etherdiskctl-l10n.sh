#!/usr/bin/env bash
# SPDX-FileCopyrightText: 2026 The Etherdisk developers
# SPDX-License-Identifier: GPL-2.0-or-later
#
# check-etherdiskctl-l10n.sh ETHERDISKCTL [QTPATHS]
#
# The real etherdiskctl speaks the language of the locale it runs under
# (LANGUAGE, LC_ALL, LC_MESSAGES, LANG, as QLocale::system() reads them; no
# locale needs to be installed for that): German, French and Korean help
# and usage errors, Qt's own help headings too where Qt's translations are
# installed; English under C, C.UTF-8 and en_US, and when LANGUAGE puts
# English first. Option names and synopses stay as they are. Nothing here
# needs root, a network or the helper.
set -uo pipefail
ctl=${1:?usage: $0 ETHERDISKCTL [QTPATHS]}
# Where Qt's own translations are (qtbase_de.qm), as Qt itself reports it.
qtdir=$("${2:-qtpaths6}" --query QT_INSTALL_TRANSLATIONS 2>/dev/null)
fails=0
out=""
code=0

# run ENV... -- ARGS...: etherdiskctl with exactly that locale environment.
run() {
    local envs=()
    while [ "$1" != "--" ]; do envs+=("$1"); shift; done
    shift
    out=$(env -u LANGUAGE -u LC_ALL -u LC_MESSAGES -u LANG "${envs[@]}" "$ctl" "$@" 2>&1)
    code=$?
}
# expect WHAT TEXT...: every TEXT is in the last output.
expect() {
    local what=$1; shift
    local t
    for t in "$@"; do
        if ! grep -qF -- "$t" <<<"$out"; then
            echo "FAIL: $what: \"$t\" not in the output (exit $code):"
            sed 's/^/    | /' <<<"$out" | head -20
            fails=$((fails + 1))
            return
        fi
    done
    echo "ok: $what"
}
expect_not() {
    local what=$1 t=$2
    if grep -qF -- "$t" <<<"$out"; then
        echo "FAIL: $what: \"$t\" should not be in the output:"
        sed 's/^/    | /' <<<"$out" | head -20
        fails=$((fails + 1))
    else
        echo "ok: $what"
    fi
}
expect_code() {
    if [ "$code" != "$2" ]; then
        echo "FAIL: $1: exit $code, expected $2"
        fails=$((fails + 1))
    fi
}

english_help="Usage: etherdiskctl COMMAND [OPTIONS]"
english_usage="which target? e.g. etherdiskctl probe e1.2 -i eth1"

# language, main help, helper commands' help, probe without a target
check_language() {
    local lang=$1 help=$2 helper=$3 usage=$4
    run LANG="$lang" LC_ALL="$lang" -- --help
    expect "$lang: --help" "$help" "$helper" "  discover   " "  --version"
    expect_not "$lang: --help is not English" "$english_help"
    expect_code "$lang: --help" 0
    run LANG="$lang" LC_ALL="$lang" -- probe
    expect "$lang: usage error" "etherdiskctl: $usage"
    expect_code "$lang: usage error" 64
}

check_language de_DE.UTF-8 "Aufruf: etherdiskctl BEFEHL [OPTIONEN]" "Über etherdisk-helper" \
    "welches Ziel? z. B. etherdiskctl probe e1.2 -i eth1"
check_language fr_FR.UTF-8 "Utilisation : etherdiskctl COMMANDE [OPTIONS]" "Par etherdisk-helper" \
    "quelle cible ? par exemple etherdiskctl probe e1.2 -i eth1"
check_language ko_KR.UTF-8 "사용법: etherdiskctl 명령 [옵션]" "etherdisk-helper를 통하는 명령" \
    "어느 대상입니까? 예: etherdiskctl probe e1.2 -i eth1"

# A sub-command's help: translated descriptions around the unchanged
# synopsis and option names; a helper command's usage error.
run LANG=de_DE.UTF-8 -- discover --help
expect "de: discover --help" "Aufruf: etherdiskctl discover [-i IF]... [--json] [--watch]" \
    "--json" "Maschinenlesbare Ausgabe (JSON)." "--interval <S>"
run LANG=de_DE.UTF-8 -- export
expect "de: export without arguments" "DEVICE-OR-FILE fehlt" "Aufruf: etherdiskctl export DEVICE-OR-FILE"
expect_code "de: export without arguments" 64
if [ -n "$qtdir" ] && [ -f "$qtdir/qtbase_de.qm" ]; then
    run LANG=de_DE.UTF-8 -- discover --help
    expect "de: Qt's own headings (qtbase_de.qm)" "Optionen:"
else
    echo "(not checked: Qt's own German (qtbase_de.qm is not in '$qtdir'; Debian: qt6-translations-l10n))"
fi

# Which variable decides: LC_ALL over LC_MESSAGES over LANG, LANGUAGE first
# unless it prefers English.
run LANG=C.UTF-8 LC_MESSAGES=fr_FR.UTF-8 -- probe
expect "LC_MESSAGES=fr over LANG=C" "quelle cible ?"
run LANG=fr_FR.UTF-8 LC_ALL=de_DE.UTF-8 -- probe
expect "LC_ALL=de over LANG=fr" "welches Ziel?"
run LANG=de_DE.UTF-8 LANGUAGE=ko:de -- probe
expect "LANGUAGE=ko:de over LANG=de" "어느 대상입니까?"
run LANG=de_DE.UTF-8 LANGUAGE=en:de -- probe
expect "LANGUAGE=en:de: English first" "$english_usage"

# English: C, C.UTF-8, POSIX, en_US, and a language without a catalogue.
for lang in C C.UTF-8 POSIX en_US.UTF-8 sv_SE.UTF-8; do
    run LANG="$lang" LC_ALL="$lang" -- --help
    expect "$lang: --help in English" "$english_help" "Through etherdisk-helper"
    run LANG="$lang" LC_ALL="$lang" -- probe
    expect "$lang: usage error in English" "etherdiskctl: $english_usage"
done

if [ "$fails" -ne 0 ]; then
    echo "FAIL: $fails checks failed"
    exit 1
fi
echo "PASS"
