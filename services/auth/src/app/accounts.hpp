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
    std::chrono::seconds refresh_ttl = std::chrono::hours(24 * 30);
    std::chrono::seconds session_max_age = std::chrono::hours(24 * 90);
    ThrottlePolicy account_throttle;
    ThrottlePolicy source_throttle{20, std::chrono::minutes(15)};
    ThrottlePolicy registration_throttle{10, std::chrono::minutes(15)};
};

class Accounts final {
public:
    Accounts(service::Runtime& runtime, const KeyRing& keys, PasswordWork& passwords, AccountsOptions options);

    /// `source` is the caller's address (domain/client_address.hpp).
    v1::RegisterResponse Register(const rpc::IdempotentCall& call, const v1::RegisterRequest& request,
                                  const std::string& source);
    /// `source` is the caller's address (domain/client_address.hpp).
    v1::LoginResponse Login(const v1::LoginRequest& request, const std::string& source);
    v1::RefreshResponse Refresh(const rpc::IdempotentCall& call, const v1::RefreshRequest& request);
    v1::LogoutResponse Logout(const rpc::IdempotentCall& call, const v1::LogoutRequest& request);
    /// SetStaffRole (the caller is an admin): the account becomes a mediator or an expert.
    v1::SetStaffRoleResponse SetStaffRole(const rpc::IdempotentCall& call, const v1::SetStaffRoleRequest& request);

    /// Creates the configured admin unless its email is taken; returns whether it did.
    bool SeedAdmin(const AdminSeed& seed);

private:
    v1::Session OpenSession(pqxx::work& tx, const storage::UserRecord& user, const std::string& family_id,
                            core::Clock::TimePoint family_expires_at, int generation) const;
    /// The new user's id, or nullopt when the email is taken.
    std::optional<std::string> CreateUser(pqxx::work& tx, const std::string& email, const std::string& password_hash,
                                          const std::string& role, const std::string& display_name);

    service::Runtime& runtime_;
    const KeyRing& keys_;
    PasswordWork& passwords_;
    AccountsOptions options_;
};

}  // namespace marketplace::auth
