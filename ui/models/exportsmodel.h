// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
//
// ExportsModel: the "My exports" table, one row per Export object of the
// helper, with read and write throughput computed from the byte counters.
//
// Throughput: each counter change divides the bytes added since the last
// sample by the time since it. The helper signals counters only when they
// change (coalesced), so a row whose counters have not changed for IdleMs
// falls to 0 B/s, and its sample restarts then, so that the first change
// after a quiet spell is not spread over the whole quiet time.
//
// The last HistoryLength rates (one every TickMs) are kept per row for the
// small graph behind the Read and Write cells (HistoryRole on those
// columns: a QVariantList of bytes per second, oldest first).
#pragma once

#include "models/objecttablemodel.h"

#include <QElapsedTimer>
#include <QTimer>

namespace Etherdisk::Client {
struct ExportInfo;
}

namespace Etherdisk::Ui {

class ExportsModel : public ObjectTableModel
{
    Q_OBJECT
public:
    enum Column {
        Address,
        Source,
        Interfaces,
        Size,
        WriteMode,
        Access,
        Clients,
        ReadRate,
        WriteRate,
        State,
        LastError,
        StartAtBoot,
        ColumnCount
    };
    static constexpr int IdleMs = 2000;
    static constexpr int TickMs = 500;
    static constexpr int HistoryLength = 60;
    enum { HistoryRole = PathRole + 1 };

    explicit ExportsModel(Client::Model *model, QObject *parent = nullptr);

    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

    const Client::ExportInfo *exportAt(int row) const;
    // Bytes per second, as the table shows them.
    double readRate(const QString &path) const { return m_rates.value(path).readRate; }
    double writeRate(const QString &path) const { return m_rates.value(path).writeRate; }

    static QString writeModeText(const QString &mode);
    // The Export's State (serving, interface-down, ...) as the table shows it.
    static QString stateText(const QString &state);

protected:
    void rowUpdated(const QString &path, const QStringList &properties) override;
    void rowRemoved(const QString &path) override;

private:
    struct Rate
    {
        quint64 bytesRead = 0;
        quint64 bytesWritten = 0;
        qint64 sampleMs = 0; // when the counters above were taken
        qint64 changeMs = 0; // the last time they changed
        double readRate = 0;
        double writeRate = 0;
        QList<double> readHistory;
        QList<double> writeHistory;
    };
    void tick();

    QElapsedTimer m_clock;
    QTimer m_idle;
    QHash<QString, Rate> m_rates;
};

} // namespace Etherdisk::Ui
