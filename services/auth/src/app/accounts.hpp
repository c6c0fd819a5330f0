#pragma once
// Registration, login, refresh and logout: the account and session use cases.
//
// Sessions: a login opens a refresh-token family. Refresh marks the presented token used and issues
// its successor in the same family; presenting a used token again revokes the family (a copied
// token is being replayed — whoever holds the newest one is logged out too, and must log in again).
// Logout revokes the family. Access tokens are not revocable; they expire (15 minutes by default).
//
// Throttling (services/auth/README.md, "Throttling"): failed logins count per (account, source
// address) and per source address; registrations that find the email taken count per source address.
// Every argon2id computation holds a PasswordWork slot (RESOURCE_EXHAUSTED when all are taken), and
// Register validates its input and checks that the email is free before it hashes anything.
//
// Revoking every session (ChangePassword, ResetPassword, LogoutEverywhere; sessions.cpp): every
// refresh family of the user is revoked and the user's session epoch rises; access tokens carry the
// epoch they were issued under, and ListSessionRevocations tells the services' verifiers which
// users' older tokens to refuse. Those three and RequestPasswordReset take no idempotency key (two
// carry passwords; a retry of any of them is harmless or answered plainly: "token already used").
//
// Idempotency: Register, Refresh and Logout take an idempotency key. Register's stored request
// fingerprint leaves the password out (a fast hash of a password must never be stored). Refresh's
// stored response holds fresh tokens, so it is sealed with a key derived from the presented token:
// only the holder of that token can replay it. Login takes no key (a retry opens another session).
#include <optional>
#include <string>

#include "app/password_work.hpp"
#include "config.hpp"
#include "domain/login_throttle.hpp"
#include "domain/password_hasher.hpp"
#include "marketplace/auth/v1/auth.pb.h"
#include "marketplace/rpc/idempotency.hpp"
#include "marketplace/service/runtime.hpp"

namespace marketplace::auth {

class KeyRing;

namespace storage {
struct UserRecord;
}

struct AccountsOptions {
    std::chrono::seconds access_ttl = std::chrono::minutes(15);
    std::chrono::seconds reset_ttl = std::chrono::minutes(30);
    int reset_max_per_ttl = 3;
    std::chrono::seconds refresh_ttl = std::chrono::hours(24 * 30);
    std::chrono::seconds session_max_age = std::chrono::hours(24 * 90);
    ThrottlePolicy account_throttle;
    ThrottlePolicy source_throttle{20, std::chrono::minutes(15)};
    ThrottlePolicy registration_throttle{10, std::chrono::minutes(15)};
};

class Accounts final {
public:
    Accounts(service::Runtime& runtime, const KeyRing& keys, PasswordWork& passwords, AccountsOptions options);

    /// `source` is the caller's address (rpc::ClientAddressOf, marketplace/rpc/forwarding.hpp).
    v1::RegisterResponse Register(const rpc::IdempotentCall& call, const v1::RegisterRequest& request,
                                  const std::string& source);
    /// `source` is the caller's address (rpc::ClientAddressOf, marketplace/rpc/forwarding.hpp).
    v1::LoginResponse Login(const v1::LoginRequest& request, const std::string& source);
    v1::RefreshResponse Refresh(const rpc::IdempotentCall& call, const v1::RefreshRequest& request);
    v1::LogoutResponse Logout(const rpc::IdempotentCall& call, const v1::LogoutRequest& request);
    /// SetStaffRole (the caller is an admin): the account becomes a mediator or an expert.
    v1::SetStaffRoleResponse SetStaffRole(const rpc::IdempotentCall& call, const v1::SetStaffRoleRequest& request);

    /// The caller's password, checked, becomes `new_password`; every session of the caller ends.
    v1::ChangePasswordResponse ChangePassword(const rpc::Claims& caller, const v1::ChangePasswordRequest& request,
                                              const std::string& source);
    /// Ends every session of the caller.
    v1::LogoutEverywhereResponse LogoutEverywhere(const rpc::Claims& caller);
    /// Sends a reset token to the account's inbox when the email has an account; answers the same always.
    v1::RequestPasswordResetResponse RequestPasswordReset(const v1::RequestPasswordResetRequest& request);
    /// Spends a reset token: new password, every session ends, the account's lockouts are lifted.
    v1::ResetPasswordResponse ResetPassword(const v1::ResetPasswordRequest& request);
    /// Users revoked within an access token's lifetime (and a margin), with their current epoch.
    v1::ListSessionRevocationsResponse ListSessionRevocations() const;

    /// Creates the configured admin unless its email is taken; returns whether it did.
    bool SeedAdmin(const AdminSeed& seed);

private:
    v1::Session OpenSession(pqxx::work& tx, const storage::UserRecord& user, const std::string& family_id,
                            core::Clock::TimePoint family_expires_at, int generation) const;
    /// The new user's id, or nullopt when the email is taken.
    std::optional<std::string> CreateUser(pqxx::work& tx, const std::string& email, const std::string& password_hash,
                                          const std::string& role, const std::string& display_name);

    /// Revokes every session of `user_id` and tells the owner (AccountNotice of `kind`).
    void RevokeEverySession(pqxx::work& tx, const std::string& user_id, const std::string& reason, int notice_kind);
    void CheckNewPassword(const std::string& password, const std::string& email, const char* field) const;

    service::Runtime& runtime_;
    const KeyRing& keys_;
    PasswordWork& passwords_;
    AccountsOptions options_;
};

}  // namespace marketplace::auth
