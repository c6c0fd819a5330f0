#pragma once
// SQL for users and profiles.
#include <optional>
#include <string>

#include <pqxx/transaction>

#include "domain/profile.hpp"
#include "marketplace/core/clock.hpp"

namespace marketplace::auth::storage {

struct UserRecord {
    std::string user_id;
    std::string email;  // normalized
    std::string password_hash;
    std::string role;  // "client", "freelancer", "admin"
    core::Clock::TimePoint created_at;
    std::int64_t session_epoch = 0;  // tokens carry it; revoking every session raises it
};

/// Inserts the user and its profile (with `display_name`); false when the email is taken.
bool InsertUser(pqxx::work& tx, const UserRecord& user, const std::string& display_name);
std::optional<UserRecord> FindUserByEmail(pqxx::work& tx, const std::string& email);
std::optional<UserRecord> FindUserById(pqxx::work& tx, const std::string& user_id);
void UpdatePasswordHash(pqxx::work& tx, const std::string& user_id, const std::string& password_hash);

struct ProfileRecord {
    UserRecord user;
    ProfileData data;
    core::Clock::TimePoint updated_at;
};

/// The profile with its user; `lock` takes the profile row FOR UPDATE.
std::optional<ProfileRecord> LoadProfile(pqxx::work& tx, const std::string& user_id, bool lock = false);
void SaveProfile(pqxx::work& tx, const std::string& user_id, const ProfileData& data, core::Clock::TimePoint now);

}  // namespace marketplace::auth::storage
