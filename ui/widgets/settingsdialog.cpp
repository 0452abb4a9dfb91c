// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
#include "widgets/settingsdialog.h"

#include "etherdiskclient/actions.h"

#include <QButtonGroup>
#include <QCheckBox>
#include <QCoreApplication>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRadioButton>
#include <QRegularExpression>
#include <QVBoxLayout>

namespace Etherdisk::Ui {

namespace {

    // The context of the write mode texts in translations/.
    struct WriteModeText
    {
        Q_DECLARE_TR_FUNCTIONS(Etherdisk::Ui::WriteModeChoice)
    };

} // namespace

WriteModeChoice makeWriteModeChoice(QWidget *parent)
{
    WriteModeChoice c;
    auto *box = new QGroupBox(WriteModeText::tr("Write mode"), parent);
    box->setAccessibleName(WriteModeText::tr("Write mode"));
    auto *layout = new QVBoxLayout(box);
    c.box = box;
    c.group = new QButtonGroup(box);
    const struct
    {
        const char *mode;
        const char *title;
        const char *line;
    } modes[] = {
        { "writeback", QT_TRANSLATE_NOOP("Etherdisk::Ui::WriteModeChoice", "Write-back (fastest)"),
          QT_TRANSLATE_NOOP("Etherdisk::Ui::WriteModeChoice",
                            "A crash or power loss of this machine can lose the last writes the "
                            "other side believes are on disk.") },
        { "sync", QT_TRANSLATE_NOOP("Etherdisk::Ui::WriteModeChoice", "Synchronous"),
          QT_TRANSLATE_NOOP("Etherdisk::Ui::WriteModeChoice",
                            "Every acknowledged write is on stable storage: a crash loses nothing "
                            "that was acknowledged.") },
        { "direct", QT_TRANSLATE_NOOP("Etherdisk::Ui::WriteModeChoice", "Direct"),
          QT_TRANSLATE_NOOP("Etherdisk::Ui::WriteModeChoice",
                            "As synchronous, bypassing this machine's page cache: a crash loses "
                            "nothing acknowledged; not for 4K-sector disks.") },
    };
    for (const auto &m : modes) {
        auto *radio = new QRadioButton(WriteModeText::tr(m.title), box);
        radio->setObjectName(QLatin1String(m.mode));
        radio->setProperty("mode", QLatin1String(m.mode));
        auto *line = new QLabel(WriteModeText::tr(m.line), box);
        line->setWordWrap(true);
        line->setIndent(24);
        line->setStyleSheet(QStringLiteral("color: palette(placeholder-text);"));
        radio->setAccessibleDescription(line->text());
        c.group->addButton(radio);
        layout->addWidget(radio);
        layout->addWidget(line);
    }
    c.setMode(QStringLiteral("writeback"));
    return c;
}

QString WriteModeChoice::mode() const
{
    return group->checkedButton() ? group->checkedButton()->property("mode").toString()
                                  : QStringLiteral("writeback");
}

void WriteModeChoice::setMode(const QString &mode)
{
    for (QAbstractButton *b : group->buttons())
        if (b->property("mode").toString() == mode)
            b->setChecked(true);
}

QStringList parseMacList(const QString &text, QString *error)
{
    static const QRegularExpression mac(QStringLiteral("^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){5}$"));
    QStringList out;
    for (const QString &part :
         text.split(QRegularExpression(QStringLiteral("[\\s,;]+")), Qt::SkipEmptyParts)) {
        if (!mac.match(part).hasMatch()) {
            *error =
                SettingsDialog::tr("“%1” is not a MAC address (like 02:ae:00:00:00:07)").arg(part);
            return {};
        }
        out << part.toLower();
    }
    return out;
}

SettingsDialog::SettingsDialog(const Client::ExportInfo &info, Client::Actions *actions,
                               QWidget *parent)
    : QDialog(parent), m_info(info), m_actions(actions)
{
    setWindowTitle(tr("Settings of %1").arg(info.name()));
    auto *layout = new QVBoxLayout(this);
    auto *form = new QFormLayout;
    form->addRow(tr("Source:"), new QLabel(info.source, this));
    m_readOnly = new QCheckBox(tr("&Read-only"), this);
    m_readOnly->setChecked(info.readOnly);
    form->addRow(QString(), m_readOnly);
    m_allow = new QLineEdit(info.allowedMacs.join(QLatin1Char(' ')), this);
    m_allow->setPlaceholderText(tr("Everyone on the LAN"));
    m_allow->setAccessibleName(tr("Access list"));
    auto *allowLabel = new QLabel(tr("&Access list (MACs):"), this);
    allowLabel->setBuddy(m_allow);
    form->addRow(allowLabel, m_allow);
    m_persistent = new QCheckBox(tr("&Start at boot"), this);
    m_persistent->setChecked(info.persistent);
    form->addRow(QString(), m_persistent);
    layout->addLayout(form);
    m_writeMode = makeWriteModeChoice(this);
    m_writeMode.setMode(info.writeMode);
    layout->addWidget(m_writeMode.box);
    m_error = new QLabel(this);
    m_error->setObjectName(QStringLiteral("errorLine"));
    m_error->setWordWrap(true);
    m_error->setStyleSheet(QStringLiteral("color: #c01c28;"));
    m_error->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    m_error->hide();
    layout->addWidget(m_error);
    m_buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    connect(m_buttons, &QDialogButtonBox::accepted, this, &SettingsDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &SettingsDialog::reject);
    layout->addWidget(m_buttons);
}

void SettingsDialog::accept()
{
    QString error;
    const QStringList allow = parseMacList(m_allow->text(), &error);
    if (!error.isEmpty()) {
        m_error->setText(error);
        m_error->show();
        return;
    }
    QVariantMap options;
    if (m_readOnly->isChecked() != m_info.readOnly)
        options.insert(QLatin1String(Client::OptionReadOnly), m_readOnly->isChecked());
    if (m_writeMode.mode() != m_info.writeMode)
        options.insert(QLatin1String(Client::OptionWriteMode), m_writeMode.mode());
    if (allow != m_info.allowedMacs)
        options.insert(QLatin1String(Client::OptionAllow), allow);
    if (m_persistent->isChecked() != m_info.persistent)
        options.insert(QLatin1String(Client::OptionPersistent), m_persistent->isChecked());
    if (options.isEmpty()) {
        QDialog::accept();
        return;
    }
    m_buttons->setEnabled(false);
    m_actions->setExportSettings(m_info.path, options,
                                 [this](const Client::Error &e, const QVariant &) {
                                     m_buttons->setEnabled(true);
                                     if (e.isError()) {
                                         m_error->setText(e.message.isEmpty() ? e.name : e.message);
                                         m_error->show();
                                         return;
                                     }
                                     QDialog::accept();
                                 });
}

} // namespace Etherdisk::Ui
