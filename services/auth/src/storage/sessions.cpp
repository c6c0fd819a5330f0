#include "storage/sessions.hpp"

#include <pqxx/pqxx>

#include "marketplace/db/statements.hpp"
#include "marketplace/db/values.hpp"
#include "storage/sql.hpp"

namespace marketplace::auth::storage {

void InsertFamily(pqxx::work& tx, const FamilyRecord& family) {
    db::Exec(tx,
             "INSERT INTO refresh_families (family_id, user_id, created_at, expires_at) "
             "VALUES ($1::uuid, $2::uuid, $3::timestamptz, $4::timestamptz)",
             family.family_id, family.user_id, db::TimeParam(family.created_at), db::TimeParam(family.expires_at));
}

void InsertRefreshToken(pqxx::work& tx, const std::string& token_hash, const std::string& family_id, int generation,
                        core::Clock::TimePoint issued_at, core::Clock::TimePoint expires_at) {
    db::Exec(tx,
             "INSERT INTO refresh_tokens (token_sha256, family_id, generation, issued_at, expires_at) "
             "VALUES (decode($1, 'hex'), $2::uuid, $3, $4::timestamptz, $5::timestamptz)",
             Hex(token_hash), family_id, generation, db::TimeParam(issued_at), db::TimeParam(expires_at));
}

std::optional<PresentedToken> LockPresentedToken(pqxx::work& tx, const std::string& token_hash) {
    const auto r = db::Exec(tx,
                            "SELECT f.family_id::text, f.user_id::text, t.generation, " + db::MicrosOf("t.expires_at") +
                                ", t.used_at IS NOT NULL, " + db::MicrosOf("f.expires_at") +
                                ", f.revoked_at IS NOT NULL "
                                "FROM refresh_tokens t JOIN refresh_families f ON f.family_id = t.family_id "
                                "WHERE t.token_sha256 = decode($1, 'hex') FOR UPDATE OF f",
                            Hex(token_hash));
    if (r.empty()) return std::nullopt;
    const auto& row = r[0];
    return PresentedToken{row[0].as<std::string>(), row[1].as<std::string>(),
                          row[2].as<int>(),         db::TimeFromMicros(row[3].as<std::int64_t>()),
                          row[4].as<bool>(),        db::TimeFromMicros(row[5].as<std::int64_t>()),
                          row[6].as<bool>()};
}

void MarkTokenUsed(pqxx::work& tx, const std::string& token_hash, core::Clock::TimePoint now) {
    db::Exec(tx, "UPDATE refresh_tokens SET used_at = $2::timestamptz WHERE token_sha256 = decode($1, 'hex')",
             Hex(token_hash), db::TimeParam(now));
}

bool RevokeFamily(pqxx::work& tx, const std::string& family_id, core::Clock::TimePoint now, const std::string& reason) {
    const auto r = db::Exec(tx,
                            "UPDATE refresh_families SET revoked_at = $2::timestamptz, revoked_reason = $3 "
                            "WHERE family_id = $1::uuid AND revoked_at IS NULL RETURNING family_id",
                            family_id, db::TimeParam(now), reason);
    return !r.empty();
}

std::int64_t RevokeAllSessions(pqxx::work& tx, const std::string& user_id, core::Clock::TimePoint now,
                               const std::string& reason) {
    db::Exec(tx,
             "UPDATE refresh_families SET revoked_at = $2::timestamptz, revoked_reason = $3 "
             "WHERE user_id = $1::uuid AND revoked_at IS NULL",
             user_id, db::TimeParam(now), reason);
    const auto r = db::Exec(tx,
                            "UPDATE users SET session_epoch = session_epoch + 1, sessions_revoked_at = $2::timestamptz "
                            "WHERE user_id = $1::uuid RETURNING session_epoch",
                            user_id, db::TimeParam(now));
    if (r.empty()) throw std::runtime_error("RevokeAllSessions: no user " + user_id);
    return r[0][0].as<std::int64_t>();
}

std::vector<std::pair<std::string, std::int64_t>> RecentRevocations(pqxx::work& tx, core::Clock::TimePoint since,
                                                                    int limit) {
    const auto r =
        db::Exec(tx,
                 "SELECT user_id::text, session_epoch FROM users WHERE sessions_revoked_at > $1::timestamptz "
                 "ORDER BY sessions_revoked_at DESC LIMIT $2",
                 db::TimeParam(since), limit);
    std::vector<std::pair<std::string, std::int64_t>> out;
    for (const auto& row : r) out.emplace_back(row[0].as<std::string>(), row[1].as<std::int64_t>());
    return out;
}

void InsertPasswordReset(pqxx::work& tx, const std::string& token_hash, const std::string& user_id,
                         core::Clock::TimePoint now, core::Clock::TimePoint expires_at) {
    db::Exec(tx,
             "INSERT INTO password_resets (token_sha256, user_id, created_at, expires_at) "
             "VALUES (decode($1, 'hex'), $2::uuid, $3::timestamptz, $4::timestamptz)",
             Hex(token_hash), user_id, db::TimeParam(now), db::TimeParam(expires_at));
}

int CountPasswordResets(pqxx::work& tx, const std::string& user_id, core::Clock::TimePoint since) {
    return db::Exec1(tx,
                     "SELECT count(*) FROM password_resets WHERE user_id = $1::uuid AND created_at > $2::timestamptz",
                     user_id, db::TimeParam(since))[0]
        .as<int>();
}

std::optional<PasswordReset> LockPasswordReset(pqxx::work& tx, const std::string& token_hash) {
    const auto r = db::Exec(tx,
                            "SELECT user_id::text, " + db::MicrosOf("expires_at") +
                                ", used_at IS NOT NULL FROM password_resets "
                                "WHERE token_sha256 = decode($1, 'hex') FOR UPDATE",
                            Hex(token_hash));
    if (r.empty()) return std::nullopt;
    return PasswordReset{r[0][0].as<std::string>(), db::TimeFromMicros(r[0][1].as<std::int64_t>()), r[0][2].as<bool>()};
}

void UsePasswordResets(pqxx::work& tx, const std::string& user_id, core::Clock::TimePoint now) {
    db::Exec(tx, "UPDATE password_resets SET used_at = $2::timestamptz WHERE user_id = $1::uuid AND used_at IS NULL",
             user_id, db::TimeParam(now));
}

}  // namespace marketplace::auth::storage
