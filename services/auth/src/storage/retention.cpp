#include "storage/retention.hpp"
#include "marketplace/db/statements.hpp"

namespace marketplace::auth::storage {

std::int64_t PurgeLoginFailures(pqxx::work& tx, core::Clock::TimePoint before, int batch) {
    return static_cast<std::int64_t>(db::Exec(tx,
                                              "DELETE FROM login_failures WHERE id IN (SELECT id FROM login_failures "
                                              "WHERE failed_at < $1::timestamptz LIMIT $2 FOR UPDATE SKIP LOCKED)",
                                              core::FormatRfc3339(before), static_cast<long long>(batch))
                                         .affected_rows());
}

std::int64_t PurgeExpiredSessions(pqxx::work& tx, core::Clock::TimePoint before, int batch) {
    const auto r =
        db::Exec(tx,
                 "WITH old AS (SELECT family_id FROM refresh_families WHERE expires_at < $1::timestamptz "
                 "             LIMIT $2 FOR UPDATE SKIP LOCKED), "
                 "     tokens AS (DELETE FROM refresh_tokens WHERE family_id IN (SELECT family_id FROM old)) "
                 "SELECT family_id FROM old",
                 core::FormatRfc3339(before), static_cast<long long>(batch));
    if (r.empty()) return 0;
    std::string ids = "{";
    for (std::size_t i = 0; i < r.size(); ++i) ids += (i > 0 ? "," : "") + std::string(r[i][0].c_str());
    ids += "}";
    return static_cast<std::int64_t>(
        db::Exec(tx, "DELETE FROM refresh_families WHERE family_id = ANY($1::uuid[])", ids).affected_rows());
}

}  // namespace marketplace::auth::storage
