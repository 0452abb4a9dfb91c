// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
#include "models/exportsmodel.h"

#include "models/format.h"

#include "etherdiskclient/model.h"

#include <QBrush>

#include <algorithm>
#include <QColor>

namespace Etherdisk::Ui {

ExportsModel::ExportsModel(Client::Model *model, QObject *parent)
    : ObjectTableModel(model, QLatin1String(Client::ExportInterface), parent)
{
    m_clock.start();
    m_idle.setInterval(TickMs);
    connect(&m_idle, &QTimer::timeout, this, &ExportsModel::tick);
    m_idle.start();
    populate(model->exportPaths());
}

int ExportsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

const Client::ExportInfo *ExportsModel::exportAt(int row) const
{
    return clientModel()->exportInfo(pathAt(row));
}

QString ExportsModel::writeModeText(const QString &mode)
{
    if (mode == u"writeback")
        return tr("Write-back");
    if (mode == u"sync")
        return tr("Synchronous");
    if (mode == u"direct")
        return tr("Direct");
    return mode;
}

QString ExportsModel::stateText(const QString &state)
{
    if (state == u"serving")
        return tr("Serving");
    if (state == u"interface-down")
        return tr("Interface down");
    if (state == u"backing-failed")
        return tr("Disk or image failing");
    if (state == u"stopped")
        return tr("Stopped");
    return state;
}

void ExportsModel::rowUpdated(const QString &path, const QStringList &properties)
{
    const Client::ExportInfo *e = clientModel()->exportInfo(path);
    if (!e)
        return;
    const qint64 now = m_clock.elapsed();
    auto it = m_rates.find(path);
    if (it == m_rates.end()) {
        Rate r;
        r.bytesRead = e->bytesRead;
        r.bytesWritten = e->bytesWritten;
        r.sampleMs = r.changeMs = now;
        m_rates.insert(path, r);
        return;
    }
    if (!properties.contains(QStringLiteral("BytesRead"))
        && !properties.contains(QStringLiteral("BytesWritten")))
        return;
    Rate &r = *it;
    const double seconds = double(qMax<qint64>(now - r.sampleMs, 1)) / 1000.0;
    r.readRate = e->bytesRead >= r.bytesRead ? double(e->bytesRead - r.bytesRead) / seconds : 0;
    r.writeRate =
        e->bytesWritten >= r.bytesWritten ? double(e->bytesWritten - r.bytesWritten) / seconds : 0;
    r.bytesRead = e->bytesRead;
    r.bytesWritten = e->bytesWritten;
    r.sampleMs = r.changeMs = now;
}

void ExportsModel::rowRemoved(const QString &path)
{
    m_rates.remove(path);
}

void ExportsModel::tick()
{
    const qint64 now = m_clock.elapsed();
    auto push = [](QList<double> &history, double value) {
        history.append(value);
        if (history.size() > HistoryLength)
            history.removeFirst();
    };
    for (auto it = m_rates.begin(); it != m_rates.end(); ++it) {
        Rate &r = *it;
        bool changed = false;
        if (now - r.changeMs >= IdleMs) {
            r.sampleMs = now; // a quiet spell: the next change is measured from here
            changed = r.readRate != 0 || r.writeRate != 0;
            r.readRate = r.writeRate = 0;
        }
        // A graph that shows anything moves on; a flat one stays untouched.
        const bool flat = r.readRate == 0 && r.writeRate == 0
            && std::all_of(r.readHistory.cbegin(), r.readHistory.cend(),
                           [](double v) { return v == 0; })
            && std::all_of(r.writeHistory.cbegin(), r.writeHistory.cend(),
                           [](double v) { return v == 0; });
        push(r.readHistory, r.readRate);
        push(r.writeHistory, r.writeRate);
        if (changed || !flat) {
            const int row = rowOf(it.key());
            Q_EMIT dataChanged(index(row, ReadRate), index(row, WriteRate));
        }
    }
}

QVariant ExportsModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Client::ExportInfo *e = exportAt(index.row());
    if (!e)
        return {};
    if (role == PathRole)
        return e->path;
    const int column = index.column();
    const Rate rate = m_rates.value(e->path);
    if (role == HistoryRole && (column == ReadRate || column == WriteRate)) {
        QVariantList out;
        for (double v : column == ReadRate ? rate.readHistory : rate.writeHistory)
            out << v;
        return out;
    }
    switch (role) {
    case Qt::DisplayRole:
        switch (column) {
        case Address:
            return e->name();
        case Source:
            return e->source;
        case Interfaces:
            return e->interfaces.join(QStringLiteral(", "));
        case Size:
            return formatBytes(e->size);
        case WriteMode:
            return e->readOnly ? tr("Read-only") : writeModeText(e->writeMode);
        case Access:
            return e->allowedMacs.isEmpty() ? tr("Everyone")
                                            : e->allowedMacs.join(QStringLiteral(", "));
        case Clients:
            return QString::number(e->clients.size());
        case ReadRate:
            return formatRate(rate.readRate);
        case WriteRate:
            return formatRate(rate.writeRate);
        case State:
            return stateText(e->state);
        case LastError:
            return e->lastError;
        case StartAtBoot:
            return e->persistent ? tr("Yes") : tr("No");
        }
        break;
    case SortRole:
        switch (column) {
        case Address:
            return (quint32(e->shelf) << 8) | e->slot;
        case Size:
            return e->size;
        case Clients:
            return int(e->clients.size());
        case ReadRate:
            return rate.readRate;
        case WriteRate:
            return rate.writeRate;
        default:
            return data(index, Qt::DisplayRole);
        }
    case Qt::ToolTipRole:
        if (column == Clients) {
            QStringList macs;
            for (const Client::ClientInfo &c : e->clients)
                macs << c.mac;
            return macs.join(QLatin1Char('\n'));
        }
        if (column == LastError || column == Source)
            return data(index, Qt::DisplayRole);
        break;
    case Qt::ForegroundRole:
        if (column == LastError && !e->lastError.isEmpty())
            return QBrush(QColor(0xc0, 0x1c, 0x28));
        break;
    case Qt::TextAlignmentRole:
        if (column == Size || column == ReadRate || column == WriteRate || column == Clients)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        break;
    default:
        break;
    }
    return {};
}

QVariant ExportsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case Address:
        return tr("Address");
    case Source:
        return tr("Source");
    case Interfaces:
        return tr("Interfaces");
    case Size:
        return tr("Size");
    case WriteMode:
        return tr("Write mode");
    case Access:
        return tr("Access");
    case Clients:
        return tr("Clients");
    case ReadRate:
        return tr("Read");
    case WriteRate:
        return tr("Write");
    case State:
        return tr("State");
    case LastError:
        return tr("Last error");
    case StartAtBoot:
        return tr("Start at boot");
    }
    return {};
}

} // namespace Etherdisk::Ui
