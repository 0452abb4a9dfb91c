// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
//
// SettingsDialog: an export's settings that change while it serves
// (read-only, write mode, access list, start at boot) through
// Export.SetSettings. The dialog stays open with the helper's message when
// the call fails; the export then has its old settings (the helper
// applies all of them or none).
#pragma once

#include "etherdiskclient/types.h"

#include <QDialog>

class QButtonGroup;
class QCheckBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QWidget;

namespace Etherdisk::Client {
class Actions;
}

namespace Etherdisk::Ui {

// The write modes with one line each on what a crash of this machine can
// take away: a group of radio buttons in `parent`'s layout.
struct WriteModeChoice
{
    QWidget *box = nullptr;
    QButtonGroup *group = nullptr;
    QString mode() const;
    void setMode(const QString &mode);
};
WriteModeChoice makeWriteModeChoice(QWidget *parent);

// MACs separated by spaces or commas; "" with *error naming a bad one.
QStringList parseMacList(const QString &text, QString *error);

class SettingsDialog : public QDialog
{
    Q_OBJECT
public:
    SettingsDialog(const Client::ExportInfo &info, Client::Actions *actions,
                   QWidget *parent = nullptr);

    QLabel *errorLine() const { return m_error; }

    void accept() override;

private:
    Client::ExportInfo m_info;
    Client::Actions *m_actions;
    QCheckBox *m_readOnly;
    WriteModeChoice m_writeMode;
    QLineEdit *m_allow;
    QCheckBox *m_persistent;
    QLabel *m_error;
    QDialogButtonBox *m_buttons;
};

} // namespace Etherdisk::Ui
