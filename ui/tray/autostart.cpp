// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
#include "tray/autostart.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QSaveFile>
#include <QStandardPaths>

namespace Etherdisk::Ui {

namespace Autostart {

    namespace {

        const QLatin1String FileName("org.etherdisk.Etherdisk.desktop");

        // The keys of the [Desktop Entry] group (the first group, as the
        // spec requires); localized keys are kept under their full name.
        QHash<QString, QString> readEntry(const QString &path, bool *ok)
        {
            QHash<QString, QString> keys;
            *ok = false;
            QFile file(path);
            if (!file.open(QIODevice::ReadOnly))
                return keys;
            bool inEntry = false;
            while (!file.atEnd()) {
                const QString line = QString::fromUtf8(file.readLine()).trimmed();
                if (line.isEmpty() || line.startsWith(QLatin1Char('#')))
                    continue;
                if (line.startsWith(QLatin1Char('['))) {
                    inEntry = line == u"[Desktop Entry]";
                    *ok = *ok || inEntry;
                    continue;
                }
                const qsizetype eq = line.indexOf(QLatin1Char('='));
                if (!inEntry || eq <= 0)
                    continue;
                const QString key = line.left(eq).trimmed();
                if (!keys.contains(key))
                    keys.insert(key, line.mid(eq + 1).trimmed());
            }
            return keys;
        }

        bool isTrue(const QString &value)
        {
            return value == u"true";
        }

        // Whether a list like "GNOME;KDE;" names one of the current desktops.
        bool namesCurrentDesktop(const QString &list)
        {
            const QStringList current = qEnvironmentVariable("XDG_CURRENT_DESKTOP")
                                            .split(QLatin1Char(':'), Qt::SkipEmptyParts);
            const QStringList listed = list.split(QLatin1Char(';'), Qt::SkipEmptyParts);
            for (const QString &d : current)
                if (listed.contains(d))
                    return true;
            return false;
        }

        QStringList systemDirectories()
        {
            QStringList dirs;
            const QStringList configured =
                qEnvironmentVariable("XDG_CONFIG_DIRS").split(QLatin1Char(':'), Qt::SkipEmptyParts);
            for (const QString &d : configured)
                if (QDir::isAbsolutePath(d))
                    dirs << QDir(d).filePath(QStringLiteral("autostart"));
            if (dirs.isEmpty())
                dirs << QStringLiteral("/etc/xdg/autostart");
            return dirs;
        }

        QString systemFile()
        {
            for (const QString &d : systemDirectories()) {
                const QString path = QDir(d).filePath(FileName);
                if (QFileInfo::exists(path))
                    return path;
            }
            return {};
        }

        // A value of type string as the desktop entry spec unescapes it
        // (\s \n \t \r \\; any other backslash stays as it is).
        QString unescapeString(const QString &value)
        {
            QString out;
            out.reserve(value.size());
            for (qsizetype i = 0; i < value.size(); ++i) {
                const QChar c = value.at(i);
                if (c != u'\\' || i + 1 == value.size()) {
                    out += c;
                    continue;
                }
                const QChar next = value.at(++i);
                if (next == u's')
                    out += QLatin1Char(' ');
                else if (next == u'n')
                    out += QLatin1Char('\n');
                else if (next == u't')
                    out += QLatin1Char('\t');
                else if (next == u'r')
                    out += QLatin1Char('\r');
                else if (next == u'\\')
                    out += QLatin1Char('\\');
                else
                    out.append(QLatin1Char('\\')).append(next);
            }
            return out;
        }

        // TryExec (desktop entry spec): an absolute path must be an
        // executable file, a name is looked up in $PATH; empty means no
        // TryExec (as GLib reads it).
        bool tryExecFound(const QString &value)
        {
            const QString program = unescapeString(value);
            if (program.isEmpty())
                return true;
            if (QDir::isAbsolutePath(program)) {
                const QFileInfo info(program);
                return info.isFile() && info.isExecutable();
            }
            return !QStandardPaths::findExecutable(program).isEmpty();
        }

        // A value of type string as the desktop entry spec escapes it.
        QString escapeString(QString value)
        {
            value.replace(QLatin1Char('\\'), QLatin1String("\\\\"));
            value.replace(QLatin1Char('\n'), QLatin1String("\\n"));
            value.replace(QLatin1Char('\t'), QLatin1String("\\t"));
            value.replace(QLatin1Char('\r'), QLatin1String("\\r"));
            return value;
        }

        bool writeFile(const QString &path, const QByteArray &content, QString *error)
        {
            const QFileInfo dir(QFileInfo(path).absolutePath());
            if (dir.exists() && !dir.isDir()) {
                *error = QCoreApplication::translate("Autostart", "%1 is not a folder")
                             .arg(QDir::toNativeSeparators(dir.filePath()));
                return false;
            }
            if (!QDir().mkpath(dir.filePath())) {
                *error = QCoreApplication::translate("Autostart", "the folder %1 cannot be created")
                             .arg(QDir::toNativeSeparators(dir.filePath()));
                return false;
            }
            QSaveFile file(path);
            if (!file.open(QIODevice::WriteOnly) || file.write(content) != content.size()
                || !file.commit()) {
                *error = QCoreApplication::translate("Autostart", "%1 cannot be written: %2")
                             .arg(QDir::toNativeSeparators(path), file.errorString());
                file.cancelWriting();
                return false;
            }
            return true;
        }

    } // namespace

    QString userDirectory()
    {
        QString base = qEnvironmentVariable("XDG_CONFIG_HOME");
        if (!QDir::isAbsolutePath(base))
            base = QDir::home().filePath(QStringLiteral(".config"));
        return QDir(base).filePath(QStringLiteral("autostart"));
    }

    QString userFile()
    {
        return QDir(userDirectory()).filePath(FileName);
    }

    QString effectiveFile()
    {
        // The user's entry overrides a system one of the same name, even a
        // broken one (the session looks no further either).
        const QString user = userFile();
        if (QFileInfo::exists(user))
            return user;
        return systemFile();
    }

    bool entryStarts(const QString &path)
    {
        bool ok = false;
        const QHash<QString, QString> keys = readEntry(path, &ok);
        if (!ok || isTrue(keys.value(QStringLiteral("Hidden"))))
            return false;
        // GNOME's own switch (gnome-session-properties writes it).
        if (keys.value(QStringLiteral("X-GNOME-Autostart-enabled")) == u"false")
            return false;
        if (keys.contains(QStringLiteral("OnlyShowIn"))
            && !namesCurrentDesktop(keys.value(QStringLiteral("OnlyShowIn"))))
            return false;
        if (namesCurrentDesktop(keys.value(QStringLiteral("NotShowIn"))))
            return false;
        // The session skips an entry whose TryExec program is not installed.
        if (keys.contains(QStringLiteral("TryExec"))
            && !tryExecFound(keys.value(QStringLiteral("TryExec"))))
            return false;
        return true;
    }

    bool isEnabled()
    {
        const QString path = effectiveFile();
        return !path.isEmpty() && entryStarts(path);
    }

    QString programFor(const QString &runningPath, const QString &foundOnPath)
    {
        const QString name = QStringLiteral("etherdisk");
        if (runningPath.isEmpty())
            return name;
        const QString running = QFileInfo(runningPath).canonicalFilePath();
        if (!foundOnPath.isEmpty() && QFileInfo(foundOnPath).canonicalFilePath() == running)
            return name;
        return running.isEmpty() ? QFileInfo(runningPath).absoluteFilePath() : running;
    }

    QString currentProgram()
    {
        return programFor(QCoreApplication::applicationFilePath(),
                          QStandardPaths::findExecutable(QStringLiteral("etherdisk")));
    }

    QString execArgument(const QString &arg)
    {
        // The reserved characters of the spec's "Exec key" section.
        static const QString reserved = QStringLiteral(" \t\n\"'\\><~|&;$*?#()`");
        QString out = arg;
        bool quote = out.isEmpty();
        for (QChar c : arg)
            quote = quote || reserved.contains(c);
        if (quote) {
            QString quoted;
            for (QChar c : std::as_const(out)) {
                if (c == u'"' || c == u'`' || c == u'$' || c == u'\\')
                    quoted += QLatin1Char('\\');
                quoted += c;
            }
            out = QLatin1Char('"') + quoted + QLatin1Char('"');
        }
        out.replace(QLatin1Char('%'), QLatin1String("%%"));
        return escapeString(out);
    }

    QByteArray entryFor(const QString &program)
    {
        // No NoDisplay: the file is not in a menu's folder anyway, and
        // autostart panels (GNOME's among them) leave NoDisplay entries
        // out of their list, where the user should see and manage it.
        // TryExec: once the app is uninstalled, the session skips the
        // entry instead of failing at every login.
        QString text;
        text += QStringLiteral("# Written by Etherdisk (\"Start Etherdisk when I log in\").\n"
                               "# Turn it off there or in the desktop's autostart settings.\n");
        text += QStringLiteral("[Desktop Entry]\n");
        text += QStringLiteral("Type=Application\n");
        text += QStringLiteral("Name=Etherdisk\n");
        text += QStringLiteral("Comment=Network disks in the tray: tells you when an attached "
                               "disk is lost\n");
        text += QStringLiteral("Exec=%1 --minimized\n").arg(execArgument(program));
        text += QStringLiteral("TryExec=%1\n").arg(escapeString(program));
        text += QStringLiteral("Icon=etherdisk\n");
        text += QStringLiteral("Terminal=false\n");
        text += QStringLiteral("X-GNOME-Autostart-enabled=true\n");
        return text.toUtf8();
    }

    bool setEnabled(bool on, QString *errorOut, const QString &program)
    {
        QString ignored;
        QString *error = errorOut ? errorOut : &ignored;
        const QString user = userFile();
        if (on)
            return writeFile(user, entryFor(program), error);
        const QString system = systemFile();
        if (!system.isEmpty() && entryStarts(system)) {
            // Removing ours would leave the system-wide one starting us.
            return writeFile(user,
                             QByteArrayLiteral("[Desktop Entry]\n"
                                               "Type=Application\n"
                                               "Name=Etherdisk\n"
                                               "Exec=etherdisk --minimized\n"
                                               "Hidden=true\n"),
                             error);
        }
        QFile file(user);
        if (file.exists() && !file.remove()) {
            *error = QCoreApplication::translate("Autostart", "%1 cannot be removed: %2")
                         .arg(QDir::toNativeSeparators(user), file.errorString());
            return false;
        }
        return true;
    }

    bool showWindowAtStart(bool minimized, bool trayAvailable, QString *notice)
    {
        notice->clear();
        if (!minimized)
            return true;
        if (trayAvailable)
            return false;
        *notice = QCoreApplication::translate(
            "Autostart",
            "etherdisk: no system tray is available, so --minimized shows the window anyway "
            "(until a tray appears, closing it quits Etherdisk)");
        return true;
    }

} // namespace Autostart

StartAtLoginAction::StartAtLoginAction(QObject *parent)
    : QAction(tr("&Start Etherdisk when I log in"), parent)
{
    setObjectName(QStringLiteral("startAtLogin"));
    setCheckable(true);
    const QString hint = tr("Starts Etherdisk in the tray when you log in (%1)")
                             .arg(QDir::toNativeSeparators(Autostart::userFile()));
    setToolTip(hint);
    setStatusTip(hint);
    refresh();
    connect(this, &QAction::triggered, this, &StartAtLoginAction::toggle);
}

void StartAtLoginAction::refresh()
{
    setChecked(Autostart::isEnabled());
}

void StartAtLoginAction::toggle(bool on)
{
    QString error;
    const bool done = Autostart::setEnabled(on, &error);
    refresh(); // the file says what happened
    if (!done)
        Q_EMIT failed(on ? tr("Etherdisk cannot start when you log in: %1.").arg(error)
                         : tr("Etherdisk would still start when you log in: %1.").arg(error));
}

} // namespace Etherdisk::Ui
