// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
//
// ObjectTableModel: one row per helper object that has a given D-Bus
// interface (Export or Target), kept current by Client::Model's signals
// alone. Rows are appended in the order objects appear (sorting is the
// proxy's job); a PropertiesChanged that really changed something emits
// one dataChanged covering that row only.
#pragma once

#include <QAbstractTableModel>
#include <QHash>
#include <QStringList>

namespace Etherdisk::Client {
class Model;
}

namespace Etherdisk::Ui {

class ObjectTableModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Role {
        SortRole = Qt::UserRole + 1, // a value that sorts right (numbers as numbers)
        PathRole, // the object's D-Bus path
    };

    int rowCount(const QModelIndex &parent = {}) const override;
    QHash<int, QByteArray> roleNames() const override;

    Client::Model *clientModel() const { return m_model; }
    // The object path of a row ("" outside).
    QString pathAt(int row) const;
    // The row of an object (-1 if none).
    int rowOf(const QString &path) const;

protected:
    ObjectTableModel(Client::Model *model, const QString &interface, QObject *parent);
    // Called after a row's object changed (properties named) or was added.
    virtual void rowUpdated(const QString &path, const QStringList &properties);
    virtual void rowRemoved(const QString &path);
    // Adds the objects the model already holds (subclasses call it last in
    // their constructor).
    void populate(const QStringList &paths);

private:
    void add(const QString &path);
    void remove(const QString &path);
    void reindex(int from);

    Client::Model *m_model;
    QString m_interface;
    QStringList m_paths;
    QHash<QString, int> m_rows;
};

} // namespace Etherdisk::Ui
