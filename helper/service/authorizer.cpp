// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
#include "authorizer.h"

#include <PolkitQt1/Authority>
#include <PolkitQt1/Subject>

#include <QTimer>

namespace Etherdisk::Helper {

Authorizer::Authorizer(QObject *parent) : QObject(parent)
{
    connect(PolkitQt1::Authority::instance(), &PolkitQt1::Authority::checkAuthorizationFinished,
            this, [this](PolkitQt1::Authority::Result r) { finished(int(r)); });
    m_errorWatch.setInterval(250);
    connect(&m_errorWatch, &QTimer::timeout, this, &Authorizer::watchForError);
}

void Authorizer::watchForError()
{
    if (m_busy && PolkitQt1::Authority::instance()->hasError())
        finished(int(PolkitQt1::Authority::Unknown)); // reported as Failed with the details
}

void Authorizer::check(const QString &action, const QString &busName, bool interactive,
                       Callback done, const QMap<QString, QString> &details)
{
    m_queue.push_back(Request{ action, busName, interactive, std::move(done), details });
    if (!m_busy)
        startNext();
}

void Authorizer::startNext()
{
    if (m_queue.empty()) {
        m_busy = false;
        m_errorWatch.stop();
        return;
    }
    m_busy = true;
    m_errorWatch.start();
    PolkitQt1::Authority *authority = PolkitQt1::Authority::instance();
    authority->clearError();
    const Request &r = m_queue.front();
    const PolkitQt1::SystemBusNameSubject subject(r.busName);
    authority->checkAuthorizationWithDetails(
        r.action, subject,
        r.interactive ? PolkitQt1::Authority::AllowUserInteraction : PolkitQt1::Authority::None,
        r.details);
    // A check that could not even be sent (no polkit on the bus) never
    // emits checkAuthorizationFinished: answer it here.
    if (authority->hasError())
        QTimer::singleShot(0, this, [this] { finished(int(PolkitQt1::Authority::Unknown)); });
}

void Authorizer::finished(int result)
{
    if (m_queue.empty())
        return;
    m_errorWatch.stop();
    Request r = std::move(m_queue.front());
    m_queue.pop_front();
    PolkitQt1::Authority *authority = PolkitQt1::Authority::instance();
    Result mapped = Result::No;
    QString detail;
    if (authority->hasError()) {
        mapped = Result::Failed;
        detail = authority->errorDetails();
        authority->clearError();
    } else if (result == PolkitQt1::Authority::Yes) {
        mapped = Result::Yes;
    } else if (result == PolkitQt1::Authority::Challenge) {
        mapped = Result::Challenge;
    }
    // The next check starts from the event loop, after the callback ran.
    QTimer::singleShot(0, this, &Authorizer::startNext);
    r.done(mapped, detail);
}

} // namespace Etherdisk::Helper
