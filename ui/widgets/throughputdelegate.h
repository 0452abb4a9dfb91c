// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
//
// ThroughputDelegate: the Read and Write cells of "My exports" with a small
// graph of the last half minute (ExportsModel::HistoryRole) behind the rate.
#pragma once

#include <QStyledItemDelegate>

namespace Etherdisk::Ui {

class ThroughputDelegate : public QStyledItemDelegate
{
    Q_OBJECT
public:
    using QStyledItemDelegate::QStyledItemDelegate;

    void paint(QPainter *painter, const QStyleOptionViewItem &option,
               const QModelIndex &index) const override;
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;
};

} // namespace Etherdisk::Ui
