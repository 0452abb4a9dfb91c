// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
//
// ExportDialog: a new export. The source is an image file (an existing one,
// or a new sparse one of a chosen size) or a disk or partition from lsblk
// (entries that cannot be exported are disabled with the reason). The
// interfaces show link state and MTU; shelf.slot is pre-filled with an
// address no target on the LAN and no export of ours uses.
//
// Images go to CreateExportFromImage as a descriptor this process opened
// (the helper never opens a user's path); devices to CreateExport by node.
// A helper error stays in the dialog with its message; an image file the
// dialog created for an export that failed is removed again, so nothing
// is left half-done.
#pragma once

#include <QDialog>

class QCheckBox;
class QComboBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QRadioButton;
class QSpinBox;

namespace Etherdisk::Client {
class Actions;
class Model;
} // namespace Etherdisk::Client

namespace Etherdisk::Ui {

struct WriteModeChoice;

class ExportDialog : public QDialog
{
    Q_OBJECT
public:
    ExportDialog(Client::Model *model, Client::Actions *actions, QWidget *parent = nullptr);
    ~ExportDialog() override;

    // After Accepted: "e1.2" and the new object's path.
    QString createdName() const { return m_createdName; }
    QString createdPath() const { return m_createdPath; }

    // For tests.
    QRadioButton *imageChoice() const { return m_imageChoice; }
    QRadioButton *deviceChoice() const { return m_deviceChoice; }
    QLineEdit *imagePath() const { return m_imagePath; }
    QCheckBox *createImage() const { return m_createImage; }
    QSpinBox *imageSizeMiB() const { return m_imageSize; }
    QComboBox *devices() const { return m_devices; }
    QListWidget *interfaces() const { return m_interfaces; }
    QSpinBox *shelf() const { return m_shelf; }
    QSpinBox *slot() const { return m_slot; }
    QCheckBox *readOnly() const { return m_readOnly; }
    QLineEdit *accessList() const { return m_allow; }
    QCheckBox *startAtBoot() const { return m_persistent; }
    QLabel *errorLine() const { return m_error; }
    QDialogButtonBox *buttons() const { return m_buttons; }
    void setWriteMode(const QString &mode);

    void accept() override;

private:
    void fillDevices();
    void fillInterfaces();
    void updateSourceWidgets();
    void fail(const QString &message);
    void finished(const QString &error, const QString &path);

    Client::Model *m_model;
    Client::Actions *m_actions;
    QRadioButton *m_imageChoice;
    QRadioButton *m_deviceChoice;
    QLineEdit *m_imagePath;
    QCheckBox *m_createImage;
    QSpinBox *m_imageSize;
    QComboBox *m_devices;
    QListWidget *m_interfaces;
    QSpinBox *m_shelf;
    QSpinBox *m_slot;
    QCheckBox *m_readOnly;
    QLineEdit *m_allow;
    QCheckBox *m_persistent;
    WriteModeChoice *m_writeMode;
    QLabel *m_error;
    QDialogButtonBox *m_buttons;
    QString m_createdFile; // an image this dialog created for the pending call
    QString m_createdName;
    QString m_createdPath;
};

} // namespace Etherdisk::Ui
