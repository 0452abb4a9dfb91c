// SPDX-FileCopyrightText: 2026 The Etherdisk developers
// SPDX-License-Identifier: GPL-2.0-or-later
#include "authorizer.h"

// GLib's headers name struct members "signals", which Qt defines as a keyword.
#pragma push_macro("signals")
#undef signals
#include <polkit/polkit.h>
#pragma pop_macro("signals")

#include <PolkitQt1/Authority>
#include <PolkitQt1/Subject>

#include <QTimer>

namespace Etherdisk::Helper {

// One check in flight. Owned by polkit's callback, which frees it: the
// Authorizer only points at it, and forgets it (owner = nullptr) when it is
// destroyed first.
struct Authorizer::Check
{
    Authorizer *owner = nullptr;
    Authorizer::Callback done;
    GCancellable *cancellable = nullptr;

    ~Check() { g_object_unref(cancellable); }

    static void finished(GObject *source, GAsyncResult *res, gpointer data)
    {
        const std::unique_ptr<Check> check(static_cast<Check *>(data));
        GError *error = nullptr;
        PolkitAuthorizationResult *result = polkit_authority_check_authorization_finish(
            reinterpret_cast<PolkitAuthority *>(source), res, &error);
        Result mapped = Result::No;
        QString detail;
        if (!result) {
            mapped = Result::Failed;
            detail =
                error ? QString::fromUtf8(error->message) : QStringLiteral("polkit gave no answer");
        } else if (polkit_authorization_result_get_is_authorized(result)) {
            mapped = Result::Yes;
        } else if (polkit_authorization_result_get_is_challenge(result)) {
            mapped = Result::Challenge;
        }
        if (error)
            g_error_free(error);
        if (result)
            g_object_unref(result);
        if (!check->owner)
            return; // the Authorizer is gone (and cancelled this check)
        check->owner->m_inFlight.erase(check.get());
        check->done(mapped, detail);
    }
};

Authorizer::Authorizer(QObject *parent) : QObject(parent)
{
    // polkit-qt's Authority connects to polkitd synchronously (its
    // PolkitAuthority loads its properties with a blocking call) the first
    // time it is asked for: done as soon as the event loop runs, before
    // the first call's check needs it, rather than while callers wait.
    QTimer::singleShot(0, this, [] { PolkitQt1::Authority::instance(); });
}

Authorizer::~Authorizer()
{
    for (Check *c : m_inFlight) {
        c->owner = nullptr;
        g_cancellable_cancel(c->cancellable); // its callback still runs, and frees it
    }
}

void Authorizer::check(const QString &action, const QString &busName, bool interactive,
                       Callback done, const QMap<QString, QString> &details)
{
    PolkitAuthority *authority = PolkitQt1::Authority::instance()->polkitAuthority();
    if (!authority) {
        // polkit-qt could not even reach the bus: answered from the event
        // loop like every other check.
        QTimer::singleShot(0, this, [done = std::move(done)] {
            done(Result::Failed, QStringLiteral("polkit's authority is not available"));
        });
        return;
    }
    auto *check = new Check{ this, std::move(done), g_cancellable_new() };
    m_inFlight.insert(check);
    const PolkitQt1::SystemBusNameSubject subject(busName);
    PolkitDetails *polkitDetails = polkit_details_new();
    for (auto i = details.cbegin(); i != details.cend(); ++i)
        polkit_details_insert(polkitDetails, i.key().toUtf8().constData(),
                              i.value().toUtf8().constData());
    // Subject and details are copied into the request here; the answer
    // arrives through the GLib main context that Qt's event loop runs.
    polkit_authority_check_authorization(
        authority, subject.subject(), action.toUtf8().constData(), polkitDetails,
        interactive ? POLKIT_CHECK_AUTHORIZATION_FLAGS_ALLOW_USER_INTERACTION
                    : POLKIT_CHECK_AUTHORIZATION_FLAGS_NONE,
        check->cancellable, &Check::finished, check);
    g_object_unref(polkitDetails);
}

} // namespace Etherdisk::Helper
