// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
#include "widgets/icons.h"

#include <QPainter>
#include <QPainterPath>
#include <QPixmap>

namespace Etherdisk::Ui {

namespace {

    QPixmap canvas(int size)
    {
        QPixmap p(size, size);
        p.fill(Qt::transparent);
        return p;
    }

    QPixmap drawLock(int size)
    {
        QPixmap pixmap = canvas(size);
        QPainter p(&pixmap);
        p.setRenderHint(QPainter::Antialiasing);
        const qreal s = size;
        QPen pen(QColor(0x5e, 0x5c, 0x64), s * 0.1);
        p.setPen(pen);
        p.setBrush(Qt::NoBrush);
        p.drawArc(QRectF(s * 0.3, s * 0.1, s * 0.4, s * 0.5), 0, 180 * 16);
        p.drawLine(QPointF(s * 0.3, s * 0.35), QPointF(s * 0.3, s * 0.45));
        p.drawLine(QPointF(s * 0.7, s * 0.35), QPointF(s * 0.7, s * 0.45));
        p.setPen(Qt::NoPen);
        p.setBrush(QColor(0xe5, 0xa5, 0x0a));
        p.drawRoundedRect(QRectF(s * 0.2, s * 0.45, s * 0.6, s * 0.45), s * 0.08, s * 0.08);
        return pixmap;
    }

    QPixmap drawDisk(int size, TrayState state)
    {
        QPixmap pixmap = canvas(size);
        QPainter p(&pixmap);
        p.setRenderHint(QPainter::Antialiasing);
        const qreal s = size;
        QColor body(0x35, 0x84, 0xe4);
        if (state == TrayState::Idle)
            body = QColor(0x77, 0x76, 0x7b);
        else if (state == TrayState::Lost)
            body = QColor(0xc0, 0x1c, 0x28);
        else if (state == TrayState::Disconnected)
            body = QColor(0x9a, 0x99, 0x96);
        p.setPen(Qt::NoPen);
        p.setBrush(body);
        p.drawRoundedRect(QRectF(s * 0.1, s * 0.15, s * 0.8, s * 0.45), s * 0.08, s * 0.08);
        p.setBrush(Qt::white);
        p.drawEllipse(QRectF(s * 0.68, s * 0.32, s * 0.1, s * 0.1));
        // The network link below the disk.
        QPen pen(body.darker(130), s * 0.08);
        p.setPen(pen);
        p.drawLine(QPointF(s * 0.5, s * 0.6), QPointF(s * 0.5, s * 0.8));
        p.drawLine(QPointF(s * 0.2, s * 0.85), QPointF(s * 0.8, s * 0.85));
        if (state == TrayState::Lost) {
            p.setPen(QPen(Qt::white, s * 0.08));
            p.drawLine(QPointF(s * 0.4, s * 0.28), QPointF(s * 0.55, s * 0.47));
            p.drawLine(QPointF(s * 0.55, s * 0.28), QPointF(s * 0.4, s * 0.47));
        }
        return pixmap;
    }

} // namespace

QIcon lockIcon()
{
    QIcon themed = QIcon::fromTheme(QStringLiteral("changes-prevent"));
    if (!themed.isNull())
        return themed;
    QIcon icon;
    for (int size : { 16, 22, 32, 48 })
        icon.addPixmap(drawLock(size));
    return icon;
}

QIcon appIcon(TrayState state)
{
    QIcon icon;
    for (int size : { 16, 22, 32, 48, 64, 128 })
        icon.addPixmap(drawDisk(size, state));
    return icon;
}

} // namespace Etherdisk::Ui
