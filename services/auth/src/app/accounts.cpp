#include "app/accounts.hpp"

#include <algorithm>

#include <pqxx/pqxx>

#include "app/convert.hpp"
#include "app/key_ring.hpp"
#include "domain/credentials.hpp"
#include "domain/refresh_token.hpp"
#include "marketplace/auth/v1/events.pb.h"
#include "marketplace/core/errors.hpp"
#include "marketplace/core/ids.hpp"
#include "marketplace/core/log.hpp"
#include "marketplace/db/statements.hpp"
#include "marketplace/db/transaction.hpp"
#include "marketplace/service/mutate.hpp"
#include "marketplace/tokens/roles.hpp"
#include "marketplace/wire/values.hpp"
#include "storage/login_failures.hpp"
#include "storage/sessions.hpp"
#include "storage/users.hpp"

namespace marketplace::auth {
namespace {

// Longer inputs are refused before any hashing work.
constexpr std::size_t kMaxPasswordBytes = kMaxPasswordChars * 4;

// Thrown inside a refresh transaction when a used token comes back: the transaction rolls back
// (nothing of it, not even the idempotency claim, is kept) and the family is revoked in another.
struct ReuseDetected {
    std::string family_id;
    std::string user_id;
};

void RequireRefreshToken(const std::string& token) {
    if (token.empty()) throw core::InvalidArgument("refresh_token", "is required");
    if (!IsWellFormedRefreshToken(token)) {
        throw core::InvalidArgument("refresh_token", "must be a refresh token returned by Login or Refresh");
    }
}

std::string RetryMessage(std::chrono::seconds wait) {
    return "too many failed logins; try again in " + std::to_string(wait.count()) + " seconds";
}

}  // namespace

Accounts::Accounts(service::Runtime& runtime, const KeyRing& keys, PasswordWork& passwords, AccountsOptions options)
    : runtime_(runtime), keys_(keys), passwords_(passwords), options_(std::move(options)) {}

std::optional<std::string> Accounts::CreateUser(pqxx::work& tx, const std::string& email,
                                                const std::string& password_hash, const std::string& role,
                                                const std::string& display_name) {
    storage::UserRecord user{core::NewUuidV7(), email, password_hash, role, runtime_.clock()->Now()};
    if (!storage::InsertUser(tx, user, display_name)) return std::nullopt;
    v1::UserRegistered event;
    event.set_user_id(user.user_id);
    event.set_email(email);
    event.set_role(tokens::RoleFromName(role).value_or(v1::ROLE_UNSPECIFIED));
    event.set_display_name(display_name);
    runtime_.Publish(tx, user.user_id, event);
    return user.user_id;
}

v1::RegisterResponse Accounts::Register(const rpc::IdempotentCall& call, const v1::RegisterRequest& request,
                                        const std::string& source) {
    // 1. The input, before anything else.
    const std::string email = NormalizeEmail(request.email(), "email");
    if (request.password().size() > kMaxPasswordBytes) {
        throw core::InvalidArgument("password", "must be " + std::to_string(kMinPasswordChars) + " to " +
                                                    std::to_string(kMaxPasswordChars) + " characters");
    }
    ValidatePassword(request.password(), email, "password");
    if (request.role() == v1::ROLE_ADMIN || request.role() == v1::ROLE_MEDIATOR || request.role() == v1::ROLE_EXPERT) {
        throw core::PermissionDenied("role: admins and staff cannot register themselves");
    }
    if (request.role() != v1::ROLE_CLIENT && request.role() != v1::ROLE_FREELANCER) {
        throw core::InvalidArgument("role", "must be ROLE_CLIENT or ROLE_FREELANCER");
    }
    const std::string display_name = NormalizeDisplayName(request.display_name(), "display_name");
    const std::string role(tokens::RoleName(request.role()));
    v1::RegisterRequest fingerprint = request;  // the password stays out of the idempotency store
    fingerprint.clear_password();

    // 2. The source's record of taken emails, and whether this one is free (no hashing yet).
    const auto now = runtime_.clock()->Now();
    struct Precheck {
        ThrottleDecision throttle;
        bool taken = false;
    };
    const Precheck pre = db::InTransaction(runtime_.pool(), [&](pqxx::work& tx) {
        Precheck p;
        storage::LockRegistrationKey(tx, source);
        p.throttle = DecideThrottle(storage::RecentFailures(tx, storage::ThrottleScope::kRegistrationSource, source,
                                                            now - options_.registration_throttle.window,
                                                            options_.registration_throttle.max_failures),
                                    now, options_.registration_throttle);
        p.taken = storage::FindUserByEmail(tx, email).has_value();
        return p;
    });
    if (pre.throttle.blocked) {
        core::log::Info("auth: registration throttled",
                        {{"source", source}, {"retry_after_s", pre.throttle.retry_after.count()}});
        throw core::ResourceExhausted("too many registrations of taken emails; try again in " +
                                      std::to_string(pre.throttle.retry_after.count()) + " seconds");
    }

    // 3. Hash (in a bounded slot) whether or not the email is free: a taken email costs the same time
    //    and gets the same answer (an id that belongs to no account), and its owner is told in their
    //    inbox that someone tried. Only a login with the chosen password could tell the two apart.
    const std::string password_hash = passwords_.Hash(request.password());
    const auto response = service::Mutate(runtime_, [&](pqxx::work& tx) {
        return runtime_.idempotency().Run<v1::RegisterResponse>(tx, call, fingerprint, [&] {
            auto user_id = pre.taken ? std::nullopt : CreateUser(tx, email, password_hash, role, display_name);
            if (!user_id) {
                storage::LockRegistrationKey(tx, source);
                storage::RecordFailure(tx, storage::ThrottleScope::kRegistrationSource, source, now);
                if (const auto owner = storage::FindUserByEmail(tx, email)) {
                    v1::AccountNotice notice;
                    notice.set_user_id(owner->user_id);
                    notice.set_kind(v1::ACCOUNT_NOTICE_KIND_REGISTRATION_ATTEMPT);
                    runtime_.Publish(tx, owner->user_id, notice);
                }
                user_id = core::NewUuidV7();  // no account has it
            }
            v1::RegisterResponse r;
            r.set_user_id(*user_id);
            r.set_email(email);
            r.set_role(request.role());
            return r;
        });
    });
    return response;
}

v1::Session Accounts::OpenSession(pqxx::work& tx, const storage::UserRecord& user, const std::string& family_id,
                                  core::Clock::TimePoint family_expires_at, int generation) const {
    const auto now = runtime_.clock()->Now();
    const std::string refresh = NewRefreshToken();
    const auto refresh_expires = std::min(now + options_.refresh_ttl, family_expires_at);
    storage::InsertRefreshToken(tx, RefreshTokenHash(refresh), family_id, generation, now, refresh_expires);
    const auto access = keys_.IssueAccessToken(tx, user.user_id, user.role, user.session_epoch);
    v1::Session session;
    session.set_user_id(user.user_id);
    session.set_role(tokens::RoleFromName(user.role).value_or(v1::ROLE_UNSPECIFIED));
    session.set_access_token(access.token);
    wire::ToProto(access.expires_at, session.mutable_access_token_expires_at());
    session.set_refresh_token(refresh);
    wire::ToProto(refresh_expires, session.mutable_refresh_token_expires_at());
    return session;
}

v1::LoginResponse Accounts::Login(const v1::LoginRequest& request, const std::string& source) {
    if (request.email().empty()) throw core::InvalidArgument("email", "is required");
    const std::string email = NormalizeEmail(request.email(), "email");
    if (request.password().empty()) throw core::InvalidArgument("password", "is required");
    if (request.password().size() > kMaxPasswordBytes) {
        throw core::InvalidArgument("password", "must be at most " + std::to_string(kMaxPasswordChars) + " characters");
    }
    // The argon2id slot first: when none is free the attempt is refused before it counts for anything.
    std::optional<HashingSlots::Slot> slot(passwords_.Reserve());
    const auto now = runtime_.clock()->Now();
    const std::string account_source = storage::AccountSourceKey(email, source);

    // 1. Under the (account, source) and the source's locks: refuse when either is over its limit,
    //    else record this attempt as a failure of (account, source) up front (undone on success),
    //    so concurrent guesses cannot all pass the check before any is counted. Failures from
    //    other addresses do not count here: they cannot lock the owner out. The source (many
    //    accounts behind one address, such as an office) is charged only for attempts that did
    //    fail, so concurrent good logins from it are never refused.
    struct Attempt {
        std::optional<std::chrono::seconds> blocked_for;
        std::optional<storage::UserRecord> user;
    };
    const Attempt attempt = db::InTransaction(runtime_.pool(), [&](pqxx::work& tx) {
        Attempt a;
        storage::LockThrottleKeys(tx, email, source);
        const auto by_account = DecideThrottle(
            storage::RecentFailures(tx, storage::ThrottleScope::kAccountSource, account_source,
                                    now - options_.account_throttle.window, options_.account_throttle.max_failures),
            now, options_.account_throttle);
        const auto by_source = DecideThrottle(
            storage::RecentFailures(tx, storage::ThrottleScope::kSource, source, now - options_.source_throttle.window,
                                    options_.source_throttle.max_failures),
            now, options_.source_throttle);
        if (by_account.blocked || by_source.blocked) {
            a.blocked_for = std::max(by_account.blocked ? by_account.retry_after : std::chrono::seconds(0),
                                     by_source.blocked ? by_source.retry_after : std::chrono::seconds(0));
            return a;
        }
        storage::RecordFailure(tx, storage::ThrottleScope::kAccountSource, account_source, now);
        storage::PurgeFailures(tx,
                               now - std::max({options_.account_throttle.window, options_.source_throttle.window,
                                               options_.registration_throttle.window}),
                               100);
        a.user = storage::FindUserByEmail(tx, email);
        return a;
    });
    if (attempt.blocked_for) {
        core::log::Info("auth: login throttled", {{"source", source}, {"retry_after_s", attempt.blocked_for->count()}});
        throw core::ResourceExhausted(RetryMessage(*attempt.blocked_for));
    }

    // 2. The password check, outside any transaction (argon2id takes a while by design).
    const bool ok =
        passwords_.Verify(*slot, attempt.user ? std::optional<std::string>(attempt.user->password_hash) : std::nullopt,
                          request.password());
    slot.reset();
    if (!ok) {
        db::InTransaction(runtime_.pool(), [&](pqxx::work& tx) {
            storage::LockThrottleKeys(tx, email, source);
            storage::RecordFailure(tx, storage::ThrottleScope::kSource, source, now);
        });
        throw core::Unauthenticated("invalid email or password");
    }
    // A rehash is optional work: with no free slot it waits for the next login.
    const std::optional<std::string> rehash =
        passwords_.NeedsRehash(attempt.user->password_hash) ? passwords_.TryHash(request.password()) : std::nullopt;

    // 3. Success: the attempt was no failure, the earlier failures of (account, source) are forgiven
    //    (not those from other addresses: a guesser's count is not reset by the owner's login), a
    //    session opens.
    v1::LoginResponse response;
    db::InTransaction(runtime_.pool(), [&](pqxx::work& tx) {
        storage::ClearFailures(tx, storage::ThrottleScope::kAccountSource, account_source);
        if (rehash) storage::UpdatePasswordHash(tx, attempt.user->user_id, *rehash);
        const auto family_id = core::NewUuidV7();
        const auto family_expires = now + options_.session_max_age;
        storage::InsertFamily(tx, {family_id, attempt.user->user_id, now, family_expires});
        *response.mutable_session() = OpenSession(tx, *attempt.user, family_id, family_expires, 1);
    });
    return response;
}

v1::RefreshResponse Accounts::Refresh(const rpc::IdempotentCall& call, const v1::RefreshRequest& request) {
    const std::string& token = request.refresh_token();
    RequireRefreshToken(token);
    const std::string hash = RefreshTokenHash(token);
    try {
        return db::InTransaction(runtime_.pool(), [&](pqxx::work& tx) {
            v1::RefreshResponse response;
            if (auto stored = runtime_.idempotency().Claim(tx, call, rpc::DeterministicBytes(request))) {
                // A replay hands out the stored session only while that session lives: once its
                // family is revoked (logout, reuse) or over, the replay is refused like the token.
                const auto presented = storage::LockPresentedToken(tx, hash);
                if (!presented || presented->family_revoked) {
                    throw core::Unauthenticated("the session has ended; log in again");
                }
                if (presented->family_expires_at <= runtime_.clock()->Now()) {
                    throw core::Unauthenticated("refresh token expired; log in again");
                }
                const auto plain = OpenWithToken(token, *stored);
                if (!plain || !response.ParseFromString(*plain)) {
                    throw std::runtime_error("stored Refresh response cannot be opened with its token");
                }
                return response;
            }
            const auto now = runtime_.clock()->Now();
            const auto presented = storage::LockPresentedToken(tx, hash);
            if (!presented) throw core::Unauthenticated("invalid refresh token");
            const RefreshTokenState state{presented->family_revoked, presented->family_expires_at, presented->used,
                                          presented->expires_at};
            switch (JudgeRefresh(state, now)) {
                case RefreshVerdict::kRevoked:
                    throw core::Unauthenticated("the session has ended; log in again");
                case RefreshVerdict::kExpired:
                    throw core::Unauthenticated("refresh token expired; log in again");
                case RefreshVerdict::kReuse:
                    throw ReuseDetected{presented->family_id, presented->user_id};
                case RefreshVerdict::kRotate:
                    break;
            }
            const auto user = storage::FindUserById(tx, presented->user_id);
            if (!user) throw core::Unauthenticated("invalid refresh token");
            storage::MarkTokenUsed(tx, hash, now);
            *response.mutable_session() =
                OpenSession(tx, *user, presented->family_id, presented->family_expires_at, presented->generation + 1);
            runtime_.idempotency().Complete(tx, call, SealWithToken(token, response.SerializeAsString()));
            return response;
        });
    } catch (const ReuseDetected& reuse) {
        const bool revoked = db::InTransaction(runtime_.pool(), [&](pqxx::work& tx) {
            return storage::RevokeFamily(tx, reuse.family_id, runtime_.clock()->Now(), "reuse");
        });
        core::log::Warn("auth: a used refresh token came back; the session is revoked",
                        {{"user_id", reuse.user_id}, {"family_id", reuse.family_id}, {"revoked_now", revoked}});
        throw core::Unauthenticated("refresh token already used; the session has ended, log in again");
    }
}

v1::LogoutResponse Accounts::Logout(const rpc::IdempotentCall& call, const v1::LogoutRequest& request) {
    RequireRefreshToken(request.refresh_token());
    const std::string hash = RefreshTokenHash(request.refresh_token());
    return db::InTransaction(runtime_.pool(), [&](pqxx::work& tx) {
        return runtime_.idempotency().Run<v1::LogoutResponse>(tx, call, request, [&] {
            const auto presented = storage::LockPresentedToken(tx, hash);
            if (!presented) throw core::Unauthenticated("invalid refresh token");
            storage::RevokeFamily(tx, presented->family_id, runtime_.clock()->Now(), "logout");
            return v1::LogoutResponse();
        });
    });
}

v1::SetStaffRoleResponse Accounts::SetStaffRole(const rpc::IdempotentCall& call,
                                                const v1::SetStaffRoleRequest& request) {
    core::RequireUuid(request.user_id(), "user_id");
    if (request.role() != v1::ROLE_MEDIATOR && request.role() != v1::ROLE_EXPERT) {
        throw core::InvalidArgument("role", "must be ROLE_MEDIATOR or ROLE_EXPERT");
    }
    const std::string role(tokens::RoleName(request.role()));
    return db::InTransaction(runtime_.pool(), [&](pqxx::work& tx) {
        return runtime_.idempotency().Run<v1::SetStaffRoleResponse>(tx, call, request, [&] {
            const auto user = storage::FindUserById(tx, request.user_id());
            if (!user) throw core::NotFound("user not found");
            if (user->role == tokens::kRoleAdmin) throw core::FailedPrecondition("an admin stays an admin");
            db::Exec(tx, "UPDATE users SET role = $2 WHERE user_id = $1::uuid", user->user_id, role);
            core::log::Info("auth: staff role set", {{"user_id", user->user_id}, {"role", role}});
            v1::SetStaffRoleResponse response;
            response.set_user_id(user->user_id);
            response.set_role(request.role());
            return response;
        });
    });
}

bool Accounts::SeedAdmin(const AdminSeed& seed) {
    const std::string email = NormalizeEmail(seed.email, "AUTH_ADMIN_EMAIL");
    ValidatePassword(seed.password, email, "AUTH_ADMIN_PASSWORD");
    const std::string display_name = NormalizeDisplayName(seed.display_name, "AUTH_ADMIN_DISPLAY_NAME");
    const std::string hash = passwords_.Hash(seed.password);
    // A replica that seeds it a moment earlier makes CreateUser find the email taken: nullopt.
    const std::optional<std::string> created =
        service::Mutate(runtime_, [&](pqxx::work& tx) -> std::optional<std::string> {
            if (const auto existing = storage::FindUserByEmail(tx, email)) {
                if (existing->role != tokens::kRoleAdmin) {
                    core::log::Warn("auth: AUTH_ADMIN_EMAIL belongs to a non-admin account; no admin seeded",
                                    {{"user_id", existing->user_id}});
                }
                return std::nullopt;
            }
            return CreateUser(tx, email, hash, std::string(tokens::kRoleAdmin), display_name);
        });
    if (!created) return false;
    core::log::Info("auth: seeded the admin account", {{"user_id", *created}});
    return true;
}

}  // namespace marketplace::auth
