// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
//
// Menus as a keyboard user walks them: every entry has a text (a screen
// reader says it), every menu title has a mnemonic (Alt+letter opens it
// from the menu bar, the letter opens a submenu), and no two entries of
// one menu, nor two titles of the menu bar, share a mnemonic (the letter
// would only move between them). Used by tst_notifier (English) and
// tst_translations (each language's catalogue).
#pragma once

#include <QAction>
#include <QChar>
#include <QHash>
#include <QMenu>
#include <QMenuBar>
#include <QString>
#include <QStringList>
#include <QWidget>

namespace EtherdiskTest {

// The mnemonic of a text: "&Attach" -> 'a', "연결(&A)" -> 'a', none -> null;
// "&&" is a literal ampersand.
inline QChar mnemonicOf(const QString &text)
{
    for (qsizetype i = 0; i + 1 < text.size(); ++i) {
        if (text[i] != QLatin1Char('&'))
            continue;
        if (text[i + 1] == QLatin1Char('&')) {
            ++i;
            continue;
        }
        return text[i + 1].toLower();
    }
    return {};
}

namespace MenuCheckDetail {

    // `where` is "the menu bar", "menu \"&Settings\"" and the like.
    inline void checkEntries(const QList<QAction *> &actions, const QString &where,
                             QStringList *problems)
    {
        QHash<QChar, QString> seen;
        for (const QAction *a : actions) {
            if (a->isSeparator())
                continue;
            const QString text = a->text();
            if (text.trimmed().isEmpty()) {
                *problems << QStringLiteral("%1: an entry (%2) has no text")
                                 .arg(where,
                                      a->objectName().isEmpty() ? QStringLiteral("unnamed")
                                                                : a->objectName());
                continue;
            }
            if (a->menu() && mnemonicOf(text).isNull())
                *problems << QStringLiteral("%1: the menu \"%2\" has no mnemonic").arg(where, text);
            const QChar m = mnemonicOf(text);
            if (m.isNull())
                continue;
            if (seen.contains(m))
                *problems << QStringLiteral("%1: \"%2\" and \"%3\" share the mnemonic %4")
                                 .arg(where, seen.value(m), text, QString(m));
            else
                seen.insert(m, text);
        }
    }

    inline void checkMenu(const QMenu *menu, const QString &where, QStringList *problems)
    {
        checkEntries(menu->actions(), where, problems);
        for (const QAction *a : menu->actions())
            if (a->menu())
                checkMenu(a->menu(), QStringLiteral("%1 > \"%2\"").arg(where, a->text()), problems);
    }

} // namespace MenuCheckDetail

// What is wrong with `bar` and its menus and with `menus` (menus without a
// title of their own, such as the tray icon's); empty when nothing is.
// `bar` may be null.
inline QStringList menuProblems(const QMenuBar *bar, const QList<const QMenu *> &menus = {})
{
    QStringList problems;
    if (bar) {
        MenuCheckDetail::checkEntries(bar->actions(), QStringLiteral("the menu bar"), &problems);
        for (const QAction *a : bar->actions()) {
            if (a->isSeparator())
                continue;
            if (!a->menu()) {
                problems << QStringLiteral("the menu bar: \"%1\" opens no menu").arg(a->text());
                continue;
            }
            MenuCheckDetail::checkMenu(a->menu(), QStringLiteral("\"%1\"").arg(a->text()),
                                       &problems);
        }
    }
    for (const QMenu *m : menus)
        MenuCheckDetail::checkMenu(m, QStringLiteral("context menu"), &problems);
    return problems;
}

// The same for the menu a widget with Qt::ActionsContextMenu shows (its
// actions); `where` names it in the problems.
inline QStringList contextMenuProblems(const QWidget *w, const QString &where)
{
    QStringList problems;
    MenuCheckDetail::checkEntries(w->actions(), where, &problems);
    return problems;
}

} // namespace EtherdiskTest
