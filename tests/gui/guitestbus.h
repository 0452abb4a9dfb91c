// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
//
// The GUI tests' LAN: etherdisk-helper bus-activated on a private system bus
// with a real polkitd (tests/helper/start-test-bus.sh) inside namespace A
// of a veth pair; peers (vblade, etherdisk-target) serve from namespace B.
#pragma once

#include "netns.h"
#include "process.h"

#include <QDBusConnection>
#include <QDBusMessage>
#include <QTemporaryDir>

#include <memory>

namespace EtherdiskTest {

class GuiTestBus
{
public:
    GuiTestBus() = default;
    ~GuiTestBus() { stop(); }

    // Starts the LAN and the bus; "" or why not.
    QString start(const QString &tag);
    void stop();

    NetnsPair *net() const { return m_net.get(); }
    QString address() const { return m_address; }
    QDBusConnection bus() const { return m_bus; }
    // A connection of its own, as a separate client would have.
    QDBusConnection newConnection();
    QString tmpPath(const QString &name) const { return m_tmp.filePath(name); }

    QDBusMessage call(const QString &path, const QString &iface, const QString &method,
                      const QVariantList &args);
    // A sparse (or pattern, seed >= 0) image of `sectors` exported as
    // shelf.slot on A's interface through CreateExportFromImage: the
    // object path or "" with *error.
    QString exportImage(int shelf, int slot, qint64 sectors, const QVariantMap &options,
                        QString *error, int seed = -1);
    // vblade or etherdisk-target ("vblade" | "etherdisk") serving a new
    // sparse image as shelf.slot from B.
    QProcess *startPeer(const QString &kind, int shelf, int slot, qint64 sectors);
    void stopPeers() { m_processes.clear(); }
    // Stops every export and discovery request of this connection.
    void reset();
    qint64 helperPid();

private:
    std::unique_ptr<NetnsPair> m_net;
    QTemporaryDir m_tmp{ QStringLiteral("/tmp/ed-gui-XXXXXX") };
    QString m_busDir;
    QString m_address;
    QDBusConnection m_bus{ QString() };
    bool m_busUp = false;
    int m_connections = 0;
    int m_images = 0;
    ProcessSet m_processes;
};

} // namespace EtherdiskTest
