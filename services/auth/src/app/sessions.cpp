// The account's sessions as a whole: changing and resetting the password, logging out everywhere,
// and the revocation list the services' verifiers read (accounts.hpp).
#include <pqxx/pqxx>

#include "app/accounts.hpp"
#include "domain/credentials.hpp"
#include "domain/refresh_token.hpp"
#include "marketplace/auth/v1/events.pb.h"
#include "marketplace/core/errors.hpp"
#include "marketplace/core/log.hpp"
#include "marketplace/db/statements.hpp"
#include "marketplace/db/transaction.hpp"
#include "marketplace/service/mutate.hpp"
#include "storage/login_failures.hpp"
#include "storage/sessions.hpp"
#include "storage/users.hpp"

namespace marketplace::auth {
namespace {

// How long after a revocation it stays listed beyond an access token's lifetime: covers the
// verifiers' clock leeway (30 s) with room to spare.
constexpr std::chrono::seconds kRevocationMargin{120};
// At most this many revocations are listed (the newest); far above a realistic rate per 15 minutes.
constexpr int kMaxListedRevocations = 100000;

}  // namespace

void Accounts::CheckNewPassword(const std::string& password, const std::string& email, const char* field) const {
    if (password.size() > kMaxPasswordChars * 4) {
        throw core::InvalidArgument(field, "must be " + std::to_string(kMinPasswordChars) + " to " +
                                               std::to_string(kMaxPasswordChars) + " characters");
    }
    ValidatePassword(password, email, field);
}

void Accounts::RevokeEverySession(pqxx::work& tx, const std::string& user_id, const std::string& reason,
                                  int notice_kind) {
    const auto epoch = storage::RevokeAllSessions(tx, user_id, runtime_.clock()->Now(), reason);
    v1::AccountNotice notice;
    notice.set_user_id(user_id);
    notice.set_kind(static_cast<v1::AccountNoticeKind>(notice_kind));
    runtime_.Publish(tx, user_id, notice);
    core::log::Info("auth: every session of the user revoked",
                    {{"user_id", user_id}, {"reason", reason}, {"session_epoch", epoch}});
}

v1::ChangePasswordResponse Accounts::ChangePassword(const rpc::Claims& caller, const v1::ChangePasswordRequest& request,
                                                    const std::string& source) {
    if (request.current_password().empty()) throw core::InvalidArgument("current_password", "is required");
    if (request.current_password().size() > kMaxPasswordChars * 4) {
        throw core::InvalidArgument("current_password", "does not match");
    }
    const auto user =
        db::InTransaction(runtime_.pool(), [&](pqxx::work& tx) { return storage::FindUserById(tx, caller.subject); });
    if (!user) throw core::Unauthenticated("the account no longer exists");
    CheckNewPassword(request.new_password(), user->email, "new_password");

    // The current password is checked like a login from this address: its failures count toward the
    // same (account, address) lockout, so a stolen access token cannot be used to guess it quickly.
    const auto now = runtime_.clock()->Now();
    const std::string account_source = storage::AccountSourceKey(user->email, source);
    std::optional<HashingSlots::Slot> slot(passwords_.Reserve());
    const auto blocked = db::InTransaction(runtime_.pool(), [&](pqxx::work& tx) {
        storage::LockThrottleKeys(tx, user->email, source);
        return DecideThrottle(
            storage::RecentFailures(tx, storage::ThrottleScope::kAccountSource, account_source,
                                    now - options_.account_throttle.window, options_.account_throttle.max_failures),
            now, options_.account_throttle);
    });
    if (blocked.blocked) {
        throw core::ResourceExhausted("too many failed password checks; try again in " +
                                      std::to_string(blocked.retry_after.count()) + " seconds");
    }
    const bool ok = passwords_.Verify(*slot, user->password_hash, request.current_password());
    slot.reset();
    if (!ok) {
        db::InTransaction(runtime_.pool(), [&](pqxx::work& tx) {
            storage::LockThrottleKeys(tx, user->email, source);
            storage::RecordFailure(tx, storage::ThrottleScope::kAccountSource, account_source, now);
        });
        throw core::InvalidArgument("current_password", "does not match");
    }
    const std::string hash = passwords_.Hash(request.new_password());
    service::Mutate(runtime_, [&](pqxx::work& tx) {
        storage::UpdatePasswordHash(tx, user->user_id, hash);
        RevokeEverySession(tx, user->user_id, "password_changed", v1::ACCOUNT_NOTICE_KIND_PASSWORD_CHANGED);
    });
    return {};
}

v1::LogoutEverywhereResponse Accounts::LogoutEverywhere(const rpc::Claims& caller) {
    service::Mutate(runtime_, [&](pqxx::work& tx) {
        if (!storage::FindUserById(tx, caller.subject)) throw core::Unauthenticated("the account no longer exists");
        RevokeEverySession(tx, caller.subject, "logout_everywhere", v1::ACCOUNT_NOTICE_KIND_SIGNED_OUT_EVERYWHERE);
    });
    return {};
}

v1::RequestPasswordResetResponse Accounts::RequestPasswordReset(const v1::RequestPasswordResetRequest& request) {
    if (request.email().empty()) throw core::InvalidArgument("email", "is required");
    const std::string email = NormalizeEmail(request.email(), "email");
    const auto now = runtime_.clock()->Now();
    const std::string token = NewRefreshToken();  // 32 random bytes, base64url; only its hash is stored
    service::Mutate(runtime_, [&](pqxx::work& tx) {
        const auto user = storage::FindUserByEmail(tx, email);
        if (!user) return false;
        // Requests for one account take turns, so the cap holds under concurrency.
        db::Exec(tx, "SELECT pg_advisory_xact_lock(hashtextextended('auth.password_reset:' || $1, 0))", user->user_id);
        if (storage::CountPasswordResets(tx, user->user_id, now - options_.reset_ttl) >= options_.reset_max_per_ttl) {
            core::log::Info("auth: password reset not sent: the account's cap is reached",
                            {{"user_id", user->user_id}});
            return false;
        }
        const auto expires = now + options_.reset_ttl;
        storage::InsertPasswordReset(tx, RefreshTokenHash(token), user->user_id, now, expires);
        v1::AccountNotice notice;
        notice.set_user_id(user->user_id);
        notice.set_kind(v1::ACCOUNT_NOTICE_KIND_PASSWORD_RESET);
        notice.set_reset_token(token);
        notice.set_reset_expires_at_unix(
            std::chrono::duration_cast<std::chrono::seconds>(expires.time_since_epoch()).count());
        runtime_.Publish(tx, user->user_id, notice);
        return true;
    });
    return {};  // the same answer for every email
}

v1::ResetPasswordResponse Accounts::ResetPassword(const v1::ResetPasswordRequest& request) {
    const std::string& token = request.reset_token();
    if (token.empty()) throw core::InvalidArgument("reset_token", "is required");
    if (!IsWellFormedRefreshToken(token)) {
        throw core::InvalidArgument("reset_token", "must be a token delivered by RequestPasswordReset");
    }
    const std::string hash = RefreshTokenHash(token);
    const auto invalid = [] { return core::InvalidArgument("reset_token", "is unknown, already used or expired"); };
    const auto user = db::InTransaction(runtime_.pool(), [&](pqxx::work& tx) {
        const auto reset = storage::LockPasswordReset(tx, hash);
        if (!reset || reset->used || reset->expires_at <= runtime_.clock()->Now()) throw invalid();
        auto u = storage::FindUserById(tx, reset->user_id);
        if (!u) throw invalid();
        return *u;
    });
    CheckNewPassword(request.new_password(), user.email, "new_password");
    const std::string password_hash = passwords_.Hash(request.new_password());
    service::Mutate(runtime_, [&](pqxx::work& tx) {
        const auto now = runtime_.clock()->Now();
        const auto reset = storage::LockPasswordReset(tx, hash);  // a concurrent reset may have spent it
        if (!reset || reset->used || reset->expires_at <= now) throw invalid();
        storage::UpdatePasswordHash(tx, user.user_id, password_hash);
        storage::UsePasswordResets(tx, user.user_id, now);
        storage::ClearAccountFailures(tx, user.email);
        RevokeEverySession(tx, user.user_id, "password_reset", v1::ACCOUNT_NOTICE_KIND_PASSWORD_CHANGED);
    });
    return {};
}

v1::ListSessionRevocationsResponse Accounts::ListSessionRevocations() const {
    const auto since = runtime_.clock()->Now() - options_.access_ttl - kRevocationMargin;
    return db::InTransaction(runtime_.pool(), [&](pqxx::work& tx) {
        v1::ListSessionRevocationsResponse response;
        for (const auto& [user_id, epoch] : storage::RecentRevocations(tx, since, kMaxListedRevocations)) {
            auto* r = response.add_revocations();
            r->set_user_id(user_id);
            r->set_session_epoch(epoch);
        }
        return response;
    });
}

}  // namespace marketplace::auth
