// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
//
// "Start Etherdisk when I log in": the user's XDG autostart entry
// (https://specifications.freedesktop.org/autostart-spec/) and the
// start-up decision of `etherdisk --minimized`.
//
// The file is the truth: there is no setting of our own that could
// disagree with the desktop's autostart panel. The state is read from
// $XDG_CONFIG_HOME/autostart/org.etherdisk.Etherdisk.desktop (default ~/.config), or,
// where the user has none, from the first $XDG_CONFIG_DIRS/autostart
// (default /etc/xdg) that has one; an entry with Hidden=true,
// X-GNOME-Autostart-enabled=false, an OnlyShowIn/NotShowIn that
// excludes $XDG_CURRENT_DESKTOP, or a TryExec naming a program that is not
// installed (not an executable file at that absolute path, not found in
// $PATH) does not start anything and reads as off.
// Turning it on writes the user's entry atomically (QSaveFile); turning it
// off removes it, or, when a system-wide entry would start the app,
// writes a user entry with Hidden=true over it (the spec's way). Nothing
// is ever installed system-wide: starting at login is the user's choice.
#pragma once

#include <QAction>
#include <QByteArray>
#include <QString>

namespace Etherdisk::Ui {

namespace Autostart {

    // $XDG_CONFIG_HOME/autostart (an absolute XDG_CONFIG_HOME only, as the
    // base directory spec says; else ~/.config/autostart).
    QString userDirectory();
    // userDirectory()/org.etherdisk.Etherdisk.desktop.
    QString userFile();
    // The entry that decides (the user's, else the first system-wide one);
    // "" when there is none.
    QString effectiveFile();

    // Whether the desktop entry in `path` would start the app at login.
    // A file that does not exist or has no [Desktop Entry] group is off;
    // so is one whose TryExec program is missing.
    bool entryStarts(const QString &path);
    // Whether the app starts at login now (effectiveFile() and entryStarts()).
    bool isEnabled();

    // What Exec names: "etherdisk" when the running program is the one the
    // PATH finds under that name (the installed one: the entry then
    // survives upgrades and moves within the PATH, like the menu's
    // org.etherdisk.Etherdisk.desktop), else the running program's absolute path (a
    // build tree, another prefix not on the PATH: the user turned on
    // *this* program, and the name would start another one or nothing).
    QString programFor(const QString &runningPath, const QString &foundOnPath);
    // programFor() of this process.
    QString currentProgram();

    // One argument of Exec, quoted where the desktop entry spec asks
    // ("/a b/etherdisk" -> "\"/a b/etherdisk\""; % doubled), then escaped as
    // a string value.
    QString execArgument(const QString &arg);
    // The entry written for `program` (Exec=<program> --minimized).
    QByteArray entryFor(const QString &program);

    // Writes or removes the user's entry; false with *error saying what
    // failed and where (error may be null). The state is then what it was
    // before: nothing is left half written.
    bool setEnabled(bool on, QString *error, const QString &program = currentProgram());

    // --minimized starts with the tray icon alone, but only where a tray
    // is available: without one the window is the only way to the app, so
    // it is shown anyway and *notice (for stderr) says why. Returns
    // whether the window is shown at start.
    bool showWindowAtStart(bool minimized, bool trayAvailable, QString *notice);

} // namespace Autostart

// A checkable "Start Etherdisk when I log in" for menus. Its state is
// re-read from the file whenever refresh() is called (the menus call it
// before they open, so a change made in the desktop's autostart panel
// shows); toggling writes or removes the file, and a failure leaves the
// check as the file says and emits failed().
class StartAtLoginAction : public QAction
{
    Q_OBJECT
public:
    explicit StartAtLoginAction(QObject *parent = nullptr);

public Q_SLOTS:
    void refresh();

Q_SIGNALS:
    // A sentence for the user: what could not be done and why.
    void failed(const QString &message);

private:
    void toggle(bool on);
};

} // namespace Etherdisk::Ui
