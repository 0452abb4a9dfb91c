// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
#include "etherdiskclient/translations.h"

#include <QCoreApplication>
#include <QLibraryInfo>
#include <QTranslator>

#include <memory>

namespace Etherdisk::Client {

namespace {

    // Loads `name` for `language` from `dir` into a translator of the
    // application; false (and nothing installed) when there is none.
    bool install(const QLocale &language, const QString &name, const QString &dir)
    {
        auto *translator = new QTranslator(QCoreApplication::instance());
        if (translator->load(language, name, QStringLiteral("_"), dir)) {
            QCoreApplication::installTranslator(translator);
            return true;
        }
        delete translator;
        return false;
    }

} // namespace

bool installTranslations(const QLocale &locale)
{
    Q_ASSERT(QCoreApplication::instance());
    // The user's languages in order of preference, up to English, the
    // source language: LANGUAGE=en:de means English, not German.
    QList<QLocale> wanted;
    for (const QString &name : locale.uiLanguages()) {
        const QLocale language(name);
        if (language.language() == QLocale::English || language.language() == QLocale::C)
            break;
        wanted.append(language);
    }
    // English plural forms ("1 export", "2 exports") under everything else,
    // whatever the language: asked last, and only for messages with %n.
    install(QLocale(QLocale::English), QStringLiteral("etherdisk"),
            QLatin1String(TranslationsResourceDir));
    const QString qtDir = QLibraryInfo::path(QLibraryInfo::TranslationsPath);
    for (const QLocale &language : wanted) {
        auto ours = std::make_unique<QTranslator>(QCoreApplication::instance());
        if (!ours->load(language, QStringLiteral("etherdisk"), QStringLiteral("_"),
                        QLatin1String(TranslationsResourceDir)))
            continue;
        // Qt's own first: the translator installed last is asked first.
        install(language, QStringLiteral("qtbase"), qtDir);
        QCoreApplication::installTranslator(ours.release());
        return true;
    }
    // No catalogue of ours: Qt's own messages still follow the system.
    if (!wanted.isEmpty())
        install(wanted.constFirst(), QStringLiteral("qtbase"), qtDir);
    return false;
}

} // namespace Etherdisk::Client
