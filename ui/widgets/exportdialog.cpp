// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
#include "widgets/exportdialog.h"

#include "models/format.h"
#include "widgets/localsources.h"
#include "widgets/settingsdialog.h"

#include "etherdiskclient/actions.h"
#include "etherdiskclient/model.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDBusUnixFileDescriptor>
#include <QDialogButtonBox>
#include <QFile>
#include <QFileDialog>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QRadioButton>
#include <QSpinBox>
#include <QStandardItemModel>
#include <QVBoxLayout>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

namespace Etherdisk::Ui {

ExportDialog::ExportDialog(Client::Model *model, Client::Actions *actions, QWidget *parent)
    : QDialog(parent), m_model(model), m_actions(actions), m_writeMode(new WriteModeChoice)
{
    setWindowTitle(tr("New export"));
    auto *layout = new QVBoxLayout(this);

    auto *sourceBox = new QGroupBox(tr("Source"), this);
    auto *sourceLayout = new QVBoxLayout(sourceBox);
    m_imageChoice = new QRadioButton(tr("An &image file"), sourceBox);
    m_imageChoice->setChecked(true);
    sourceLayout->addWidget(m_imageChoice);
    auto *imageRow = new QHBoxLayout;
    m_imagePath = new QLineEdit(sourceBox);
    m_imagePath->setObjectName(QStringLiteral("imagePath"));
    m_imagePath->setAccessibleName(tr("Image file"));
    m_imagePath->setPlaceholderText(tr("/path/to/disk.img"));
    auto *browse = new QPushButton(tr("&Browse…"), sourceBox);
    connect(browse, &QPushButton::clicked, this, [this] {
        const QString path = m_createImage->isChecked()
            ? QFileDialog::getSaveFileName(this, tr("New image file"))
            : QFileDialog::getOpenFileName(this, tr("Image file"));
        if (!path.isEmpty())
            m_imagePath->setText(path);
    });
    imageRow->addWidget(m_imagePath, 1);
    imageRow->addWidget(browse);
    sourceLayout->addLayout(imageRow);
    auto *createRow = new QHBoxLayout;
    m_createImage = new QCheckBox(tr("&Create it, empty (sparse), of"), sourceBox);
    m_imageSize = new QSpinBox(sourceBox);
    m_imageSize->setAccessibleName(tr("Size of the new image in MiB"));
    m_imageSize->setRange(1, 16 * 1024 * 1024);
    m_imageSize->setValue(1024);
    m_imageSize->setSuffix(tr(" MiB"));
    createRow->addWidget(m_createImage);
    createRow->addWidget(m_imageSize);
    createRow->addStretch(1);
    sourceLayout->addLayout(createRow);
    m_deviceChoice = new QRadioButton(tr("A &disk or partition"), sourceBox);
    sourceLayout->addWidget(m_deviceChoice);
    m_devices = new QComboBox(sourceBox);
    m_devices->setObjectName(QStringLiteral("devices"));
    m_devices->setAccessibleName(tr("Disk or partition"));
    sourceLayout->addWidget(m_devices);
    layout->addWidget(sourceBox);
    connect(m_imageChoice, &QRadioButton::toggled, this, &ExportDialog::updateSourceWidgets);
    connect(m_createImage, &QCheckBox::toggled, this, &ExportDialog::updateSourceWidgets);

    auto *form = new QFormLayout;
    m_interfaces = new QListWidget(this);
    m_interfaces->setObjectName(QStringLiteral("interfaces"));
    m_interfaces->setAccessibleName(tr("Interfaces to serve on"));
    m_interfaces->setMaximumHeight(110);
    auto *ifLabel = new QLabel(tr("I&nterfaces:"), this);
    ifLabel->setBuddy(m_interfaces);
    form->addRow(ifLabel, m_interfaces);
    auto *addressRow = new QHBoxLayout;
    m_shelf = new QSpinBox(this);
    m_shelf->setRange(0, 65534);
    m_shelf->setAccessibleName(tr("Shelf"));
    m_slot = new QSpinBox(this);
    m_slot->setRange(0, 254);
    m_slot->setAccessibleName(tr("Slot"));
    addressRow->addWidget(new QLabel(QStringLiteral("e"), this));
    addressRow->addWidget(m_shelf);
    addressRow->addWidget(new QLabel(QStringLiteral("."), this));
    addressRow->addWidget(m_slot);
    addressRow->addStretch(1);
    auto *addressLabel = new QLabel(tr("&Address:"), this);
    addressLabel->setBuddy(m_shelf);
    form->addRow(addressLabel, addressRow);
    m_readOnly = new QCheckBox(tr("&Read-only"), this);
    form->addRow(QString(), m_readOnly);
    m_allow = new QLineEdit(this);
    m_allow->setPlaceholderText(tr("Everyone on the LAN"));
    m_allow->setAccessibleName(tr("Access list"));
    auto *allowLabel = new QLabel(tr("Access &list (MACs):"), this);
    allowLabel->setBuddy(m_allow);
    form->addRow(allowLabel, m_allow);
    m_persistent = new QCheckBox(tr("&Start at boot"), this);
    form->addRow(QString(), m_persistent);
    layout->addLayout(form);
    *m_writeMode = makeWriteModeChoice(this);
    layout->addWidget(m_writeMode->box);

    m_error = new QLabel(this);
    m_error->setObjectName(QStringLiteral("errorLine"));
    m_error->setAccessibleName(tr("Error"));
    m_error->setWordWrap(true);
    m_error->setStyleSheet(QStringLiteral("color: #c01c28;"));
    m_error->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    m_error->hide();
    layout->addWidget(m_error);
    m_buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    m_buttons->button(QDialogButtonBox::Ok)->setText(tr("&Export"));
    connect(m_buttons, &QDialogButtonBox::accepted, this, &ExportDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &ExportDialog::reject);
    layout->addWidget(m_buttons);

    fillDevices();
    fillInterfaces();
    QSet<quint32> taken;
    for (const QString &p : m_model->targetPaths())
        if (const Client::TargetInfo *t = m_model->targetInfo(p))
            taken.insert((quint32(t->shelf) << 8) | t->slot);
    for (const QString &p : m_model->exportPaths())
        if (const Client::ExportInfo *e = m_model->exportInfo(p))
            taken.insert((quint32(e->shelf) << 8) | e->slot);
    const quint32 free = firstFreeAddress(taken);
    m_shelf->setValue(int(free >> 8));
    m_slot->setValue(int(free & 0xff));
    updateSourceWidgets();
}

ExportDialog::~ExportDialog()
{
    delete m_writeMode;
}

void ExportDialog::setWriteMode(const QString &mode)
{
    m_writeMode->setMode(mode);
}

void ExportDialog::fillDevices()
{
    QString error;
    const QList<BlockDeviceEntry> entries = listBlockDevices(&error);
    auto *items = new QStandardItemModel(m_devices);
    for (const BlockDeviceEntry &e : entries) {
        QStringList parts{ e.path, formatBytes(e.size) };
        if (!e.model.isEmpty())
            parts << e.model;
        if (!e.label.isEmpty())
            parts << tr("“%1”").arg(e.label);
        QString text = QString(e.depth * 2, QLatin1Char(' ')) + parts.join(QStringLiteral(" · "));
        if (!e.unavailable.isEmpty())
            text += tr(" — cannot be exported: %1").arg(e.unavailable);
        auto *item = new QStandardItem(text);
        item->setData(e.path, Qt::UserRole);
        item->setToolTip(e.unavailable);
        if (!e.unavailable.isEmpty())
            item->setFlags(item->flags() & ~(Qt::ItemIsEnabled | Qt::ItemIsSelectable));
        items->appendRow(item);
    }
    if (!error.isEmpty()) {
        auto *item = new QStandardItem(error);
        item->setFlags(Qt::NoItemFlags);
        items->appendRow(item);
    }
    m_devices->setModel(items);
    for (int i = 0; i < items->rowCount(); ++i)
        if (items->item(i)->isEnabled()) {
            m_devices->setCurrentIndex(i);
            break;
        }
}

void ExportDialog::fillInterfaces()
{
    bool checked = false;
    for (const InterfaceEntry &e : listInterfaces()) {
        QString link = e.operstate;
        if (e.operstate == u"up")
            link = tr("up", "link");
        else if (e.operstate == u"down")
            link = tr("down", "link");
        else if (e.operstate == u"no carrier")
            link = tr("no carrier", "link");
        auto *item = new QListWidgetItem(tr("%1 — link %2, MTU %3").arg(e.name, link).arg(e.mtu),
                                         m_interfaces);
        item->setData(Qt::UserRole, e.name);
        item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
        // The first interface that is up is the usual choice.
        const bool up = !checked && e.operstate == u"up";
        item->setCheckState(up ? Qt::Checked : Qt::Unchecked);
        checked = checked || up;
    }
}

void ExportDialog::updateSourceWidgets()
{
    const bool image = m_imageChoice->isChecked();
    m_imagePath->setEnabled(image);
    m_createImage->setEnabled(image);
    m_imageSize->setEnabled(image && m_createImage->isChecked());
    m_devices->setEnabled(!image);
}

void ExportDialog::fail(const QString &message)
{
    m_error->setText(message);
    m_error->show();
    m_buttons->setEnabled(true);
}

void ExportDialog::accept()
{
    m_error->hide();
    QStringList interfaces;
    for (int i = 0; i < m_interfaces->count(); ++i)
        if (m_interfaces->item(i)->checkState() == Qt::Checked)
            interfaces << m_interfaces->item(i)->data(Qt::UserRole).toString();
    if (interfaces.isEmpty())
        return fail(tr("Choose at least one interface to serve on."));
    QString macError;
    const QStringList allow = parseMacList(m_allow->text(), &macError);
    if (!macError.isEmpty())
        return fail(macError);
    QVariantMap options{ { QLatin1String(Client::OptionReadOnly), m_readOnly->isChecked() },
                         { QLatin1String(Client::OptionWriteMode), m_writeMode->mode() },
                         { QLatin1String(Client::OptionPersistent), m_persistent->isChecked() } };
    if (!allow.isEmpty())
        options.insert(QLatin1String(Client::OptionAllow), allow);
    const quint16 shelf = quint16(m_shelf->value());
    const quint8 slot = quint8(m_slot->value());
    auto done = [this](const Client::Error &e, const QVariant &result) {
        finished(e.isError() ? (e.message.isEmpty() ? e.name : e.message) : QString(),
                 result.toString());
    };

    m_buttons->setEnabled(false);
    if (m_deviceChoice->isChecked()) {
        const QString device = m_devices->currentData(Qt::UserRole).toString();
        if (device.isEmpty()
            || !(m_devices->model()->flags(m_devices->model()->index(m_devices->currentIndex(), 0))
                 & Qt::ItemIsEnabled))
            return fail(tr("Choose a disk or partition that can be exported."));
        m_actions->createExport(device, shelf, slot, interfaces, options, done);
        return;
    }
    const QString path = m_imagePath->text().trimmed();
    if (path.isEmpty())
        return fail(tr("Choose an image file."));
    const QByteArray native = QFile::encodeName(path);
    int fd = -1;
    if (m_createImage->isChecked()) {
        fd = ::open(native.constData(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (fd < 0)
            return fail(
                tr("Cannot create %1: %2").arg(path, QString::fromLocal8Bit(strerror(errno))));
        if (::ftruncate(fd, off_t(m_imageSize->value()) * 1024 * 1024) != 0) {
            const QString why = QString::fromLocal8Bit(strerror(errno));
            ::close(fd);
            ::unlink(native.constData());
            return fail(tr("Cannot make %1 that large: %2").arg(path, why));
        }
        m_createdFile = path;
    } else {
        fd = ::open(native.constData(), (m_readOnly->isChecked() ? O_RDONLY : O_RDWR) | O_CLOEXEC);
        if (fd < 0)
            return fail(
                tr("Cannot open %1: %2").arg(path, QString::fromLocal8Bit(strerror(errno))));
    }
    m_actions->createExportFromImage(QDBusUnixFileDescriptor(fd), shelf, slot, interfaces, options,
                                     done);
    ::close(fd); // the message holds its own copy
}

void ExportDialog::finished(const QString &error, const QString &path)
{
    if (!error.isEmpty()) {
        if (!m_createdFile.isEmpty()) {
            QFile::remove(m_createdFile);
            m_createdFile.clear();
        }
        return fail(error);
    }
    m_createdFile.clear();
    m_createdPath = path;
    m_createdName = Client::targetName(uint(m_shelf->value()), uint(m_slot->value()));
    QDialog::accept();
}

} // namespace Etherdisk::Ui
