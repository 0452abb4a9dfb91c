// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
//
// TargetsModel: the "Network disks" table, one row per Target object the
// helper publishes (every shelf its discovery sees on the LAN).
#pragma once

#include "models/objecttablemodel.h"

namespace Etherdisk::Client {
struct TargetInfo;
}

namespace Etherdisk::Ui {

class TargetsModel : public ObjectTableModel
{
    Q_OBJECT
public:
    enum Column { Address, Capacity, ModelName, Interfaces, Payload, State, Device, ColumnCount };

    explicit TargetsModel(Client::Model *model, QObject *parent = nullptr);

    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

    const Client::TargetInfo *targetAt(int row) const;
    // The state as the user reads it ("Online", "Lost", ...).
    static QString stateText(const QString &state);
    // Everything known about a target, one fact a line (Copy details).
    static QString details(const Client::TargetInfo &target);
};

} // namespace Etherdisk::Ui
