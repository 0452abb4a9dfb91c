// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
#include "models/targetsmodel.h"

#include "models/format.h"

#include "etherdiskclient/model.h"

#include <QBrush>
#include <QColor>
#include <QPalette>

namespace Etherdisk::Ui {

TargetsModel::TargetsModel(Client::Model *model, QObject *parent)
    : ObjectTableModel(model, QLatin1String(Client::TargetInterface), parent)
{
    populate(model->targetPaths());
}

int TargetsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

const Client::TargetInfo *TargetsModel::targetAt(int row) const
{
    return clientModel()->targetInfo(pathAt(row));
}

QString TargetsModel::stateText(const QString &state)
{
    if (state == u"online")
        return tr("Online");
    if (state == u"lost")
        return tr("Lost");
    if (state == u"conflict")
        return tr("Address conflict");
    if (state == u"malformed")
        return tr("Malformed replies");
    return state;
}

namespace {

    QString pathsText(const Client::TargetInfo &t, const QString &separator)
    {
        QStringList parts;
        for (const Client::PathInfo &p : t.paths)
            parts << QStringLiteral("%1 (%2)").arg(p.interface, p.mac);
        return parts.join(separator);
    }

    quint32 payload(const Client::TargetInfo &t)
    {
        quint32 best = 0;
        for (const Client::PathInfo &p : t.paths)
            best = qMax(best, p.payload);
        return best;
    }

} // namespace

QString TargetsModel::details(const Client::TargetInfo &t)
{
    QStringList lines;
    lines << tr("Address: %1").arg(t.name())
          << tr("Capacity: %1 (%2 bytes)").arg(formatBytes(t.size)).arg(t.size)
          << tr("Model: %1").arg(t.model) << tr("Serial: %1").arg(t.serial)
          << tr("Firmware: %1").arg(t.firmware)
          << tr("Paths: %1").arg(pathsText(t, QStringLiteral(", ")))
          << tr("Payload: %1 bytes per frame").arg(payload(t))
          << tr("State: %1").arg(stateText(t.state));
    if (!t.conflictDetail.isEmpty())
        lines << tr("Conflict: %1").arg(t.conflictDetail);
    lines << tr("Attached as: %1")
                 .arg(t.attachedDevice.isEmpty() ? tr("not attached") : t.attachedDevice);
    return lines.join(QLatin1Char('\n'));
}

QVariant TargetsModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Client::TargetInfo *t = targetAt(index.row());
    if (!t)
        return {};
    if (role == PathRole)
        return t->path;
    const int column = index.column();
    switch (role) {
    case Qt::DisplayRole:
        switch (column) {
        case Address:
            return t->name();
        case Capacity:
            return formatBytes(t->size);
        case ModelName:
            return t->model;
        case Interfaces:
            return pathsText(*t, QStringLiteral(", "));
        case Payload:
            return payload(*t) ? tr("%1 B").arg(payload(*t)) : QString();
        case State:
            return stateText(t->state);
        case Device:
            return t->attachedDevice;
        }
        break;
    case SortRole:
        switch (column) {
        case Address:
            return (quint32(t->shelf) << 8) | t->slot;
        case Capacity:
            return t->size;
        case Payload:
            return payload(*t);
        default:
            return data(index, Qt::DisplayRole);
        }
    case Qt::ToolTipRole:
        if (column == State && !t->conflictDetail.isEmpty())
            return t->conflictDetail;
        if (column == Interfaces)
            return pathsText(*t, QStringLiteral("\n"));
        if (column == Capacity)
            return tr("%1 bytes").arg(t->size);
        break;
    case Qt::ForegroundRole:
        if (column == State && t->state != u"online")
            return QBrush(QColor(0xc0, 0x1c, 0x28));
        break;
    case Qt::TextAlignmentRole:
        if (column == Capacity || column == Payload)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        break;
    default:
        break;
    }
    return {};
}

QVariant TargetsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case Address:
        return tr("Address");
    case Capacity:
        return tr("Capacity");
    case ModelName:
        return tr("Model");
    case Interfaces:
        return tr("Interfaces and MACs");
    case Payload:
        return tr("Payload");
    case State:
        return tr("State");
    case Device:
        return tr("Attached as");
    }
    return {};
}

} // namespace Etherdisk::Ui
