// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
#include "models/objecttablemodel.h"

#include "etherdiskclient/model.h"

namespace Etherdisk::Ui {

ObjectTableModel::ObjectTableModel(Client::Model *model, const QString &interface, QObject *parent)
    : QAbstractTableModel(parent), m_model(model), m_interface(interface)
{
    connect(model, &Client::Model::objectAdded, this,
            [this](const QString &path, const QString &iface) {
                if (iface == m_interface)
                    add(path);
            });
    connect(model, &Client::Model::objectRemoved, this,
            [this](const QString &path, const QString &iface) {
                if (iface == m_interface)
                    remove(path);
            });
    connect(model, &Client::Model::objectChanged, this,
            [this](const QString &path, const QString &iface, const QStringList &properties) {
                if (iface != m_interface)
                    return;
                const int row = rowOf(path);
                if (row < 0)
                    return;
                rowUpdated(path, properties);
                Q_EMIT dataChanged(index(row, 0), index(row, columnCount() - 1));
            });
}

void ObjectTableModel::populate(const QStringList &paths)
{
    for (const QString &path : paths)
        add(path);
}

int ObjectTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_paths.size());
}

QHash<int, QByteArray> ObjectTableModel::roleNames() const
{
    QHash<int, QByteArray> names = QAbstractTableModel::roleNames();
    names.insert(SortRole, "sort");
    names.insert(PathRole, "path");
    return names;
}

QString ObjectTableModel::pathAt(int row) const
{
    return row >= 0 && row < m_paths.size() ? m_paths.at(row) : QString();
}

int ObjectTableModel::rowOf(const QString &path) const
{
    return m_rows.value(path, -1);
}

void ObjectTableModel::rowUpdated(const QString &, const QStringList &) { }

void ObjectTableModel::rowRemoved(const QString &) { }

void ObjectTableModel::add(const QString &path)
{
    if (m_rows.contains(path))
        return;
    const int row = int(m_paths.size());
    beginInsertRows({}, row, row);
    m_paths.append(path);
    m_rows.insert(path, row);
    rowUpdated(path, {});
    endInsertRows();
}

void ObjectTableModel::remove(const QString &path)
{
    const int row = rowOf(path);
    if (row < 0)
        return;
    beginRemoveRows({}, row, row);
    m_paths.removeAt(row);
    m_rows.remove(path);
    reindex(row);
    rowRemoved(path);
    endRemoveRows();
}

void ObjectTableModel::reindex(int from)
{
    for (int i = from; i < m_paths.size(); ++i)
        m_rows[m_paths.at(i)] = i;
}

} // namespace Etherdisk::Ui
