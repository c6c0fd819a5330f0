#pragma once
// SQL for refresh-token families and their tokens (only token hashes are stored).
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <pqxx/transaction>

#include "marketplace/core/clock.hpp"

namespace marketplace::auth::storage {

struct FamilyRecord {
    std::string family_id;
    std::string user_id;
    core::Clock::TimePoint created_at;
    core::Clock::TimePoint expires_at;
};

void InsertFamily(pqxx::work& tx, const FamilyRecord& family);
void InsertRefreshToken(pqxx::work& tx, const std::string& token_hash, const std::string& family_id, int generation,
                        core::Clock::TimePoint issued_at, core::Clock::TimePoint expires_at);

/// A presented token with its family, the family row locked (so concurrent refreshes of one session
/// take turns).
struct PresentedToken {
    std::string family_id;
    std::string user_id;
    int generation = 0;
    core::Clock::TimePoint expires_at;
    bool used = false;
    core::Clock::TimePoint family_expires_at;
    bool family_revoked = false;
};

std::optional<PresentedToken> LockPresentedToken(pqxx::work& tx, const std::string& token_hash);
void MarkTokenUsed(pqxx::work& tx, const std::string& token_hash, core::Clock::TimePoint now);
/// Revokes the family unless it already is; returns whether this call revoked it.
bool RevokeFamily(pqxx::work& tx, const std::string& family_id, core::Clock::TimePoint now, const std::string& reason);

/// Revokes every live family of the user and raises the user's session epoch (tokens issued under a
/// lower one are revoked). Returns the new epoch.
std::int64_t RevokeAllSessions(pqxx::work& tx, const std::string& user_id, core::Clock::TimePoint now,
                               const std::string& reason);
/// Users whose sessions were revoked after `since`, with their current epoch (at most `limit`).
std::vector<std::pair<std::string, std::int64_t>> RecentRevocations(pqxx::work& tx, core::Clock::TimePoint since,
                                                                    int limit);

/// A password reset token's row.
struct PasswordReset {
    std::string user_id;
    core::Clock::TimePoint expires_at;
    bool used = false;
};
void InsertPasswordReset(pqxx::work& tx, const std::string& token_hash, const std::string& user_id,
                         core::Clock::TimePoint now, core::Clock::TimePoint expires_at);
/// How many reset tokens the user was sent after `since`.
int CountPasswordResets(pqxx::work& tx, const std::string& user_id, core::Clock::TimePoint since);
/// The reset token's row, locked; nullopt when unknown.
std::optional<PasswordReset> LockPasswordReset(pqxx::work& tx, const std::string& token_hash);
/// Marks the token used, and every other unused token of the user too (one reset ends them all).
void UsePasswordResets(pqxx::work& tx, const std::string& user_id, core::Clock::TimePoint now);

}  // namespace marketplace::auth::storage
