// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
#include "widgets/throughputdelegate.h"

#include "models/exportsmodel.h"

#include <QPainter>
#include <QPainterPath>

namespace Etherdisk::Ui {

void ThroughputDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option,
                               const QModelIndex &index) const
{
    const QVariantList history = index.data(ExportsModel::HistoryRole).toList();
    double peak = 0;
    for (const QVariant &v : history)
        peak = qMax(peak, v.toDouble());
    if (peak > 0 && history.size() > 1) {
        painter->save();
        const QRectF area = QRectF(option.rect).adjusted(2, 3, -2, -3);
        const double step = area.width() / double(ExportsModel::HistoryLength - 1);
        const double x0 = area.right() - step * double(history.size() - 1);
        QPainterPath path(QPointF(x0, area.bottom()));
        for (int i = 0; i < history.size(); ++i)
            path.lineTo(x0 + step * i,
                        area.bottom() - area.height() * history[i].toDouble() / peak);
        path.lineTo(area.right(), area.bottom());
        path.closeSubpath();
        QColor fill = option.palette.color(QPalette::Highlight);
        fill.setAlpha(70);
        painter->setRenderHint(QPainter::Antialiasing);
        painter->setPen(Qt::NoPen);
        painter->setBrush(fill);
        painter->drawPath(path);
        painter->restore();
    }
    QStyledItemDelegate::paint(painter, option, index);
}

QSize ThroughputDelegate::sizeHint(const QStyleOptionViewItem &option,
                                   const QModelIndex &index) const
{
    QSize size = QStyledItemDelegate::sizeHint(option, index);
    size.setWidth(qMax(size.width(), 96));
    return size;
}

} // namespace Etherdisk::Ui
