// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
//
// The translations of the desktop app and etherdiskctl, in one place for
// both (they link this library; etherdiskctl never links Qt Widgets).
// Etherdisk's catalogue (translations/etherdisk_<lang>.ts) is compiled into
// this library as a resource under :/i18n; Qt's own messages (qtbase: the
// standard buttons, QCommandLineParser's help) come from Qt's installed
// translations where the distribution has them. English is the source
// language: without a catalogue for the locale everything stays English,
// with English plural forms from translations/etherdisk_en.ts ("1 export",
// "2 exports"; that catalogue holds the %n messages only and is installed
// under every other).
#pragma once

#include <QLocale>
#include <QString>

namespace Etherdisk::Client {

// Where the compiled-in catalogues are: ":/i18n/etherdisk_de.qm" and so on.
inline constexpr char TranslationsResourceDir[] = ":/i18n";

// Installs, into the running QCoreApplication (which must exist), the
// translators for `locale`: the default, QLocale::system(), follows
// LANGUAGE, LC_ALL, LC_MESSAGES and LANG. The translators belong to the
// application object. Returns whether Etherdisk's own catalogue was found.
bool installTranslations(const QLocale &locale = QLocale::system());

} // namespace Etherdisk::Client
