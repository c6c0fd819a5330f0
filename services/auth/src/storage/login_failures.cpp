#include "storage/login_failures.hpp"

#include <pqxx/pqxx>

#include "marketplace/db/statements.hpp"
#include "marketplace/db/values.hpp"
#include "storage/sql.hpp"

namespace marketplace::auth::storage {
namespace {

const char* ScopeText(ThrottleScope scope) {
    switch (scope) {
        case ThrottleScope::kAccountSource:
            return "account_source";
        case ThrottleScope::kSource:
            return "source";
        case ThrottleScope::kRegistrationSource:
            return "registration_source";
    }
    return "source";
}

}  // namespace

std::string AccountSourceKey(const std::string& account, const std::string& source) {
    return account + " " + source;  // a normalized email has no spaces
}

void LockThrottleKeys(pqxx::work& tx, const std::string& account, const std::string& source) {
    db::Exec(tx,
             "SELECT pg_advisory_xact_lock(hashtextextended('auth.login.account_source:' || $1, 0)), "
             "pg_advisory_xact_lock(hashtextextended('auth.login.source:' || $2, 0))",
             AccountSourceKey(account, source), source);
}

void LockRegistrationKey(pqxx::work& tx, const std::string& source) {
    db::Exec(tx, "SELECT pg_advisory_xact_lock(hashtextextended('auth.register.source:' || $1, 0))", source);
}

std::vector<core::Clock::TimePoint> RecentFailures(pqxx::work& tx, ThrottleScope scope, const std::string& subject,
                                                   core::Clock::TimePoint since, int limit) {
    const auto r = db::Exec(tx,
                            "SELECT " + db::MicrosOf("failed_at") +
                                " FROM login_failures WHERE scope = $1 AND subject = $2 AND failed_at > "
                                "$3::timestamptz ORDER BY failed_at DESC LIMIT $4",
                            ScopeText(scope), subject, db::TimeParam(since), limit);
    std::vector<core::Clock::TimePoint> out;
    for (const auto& row : r) out.push_back(db::TimeFromMicros(row[0].as<std::int64_t>()));
    return out;
}

std::int64_t RecordFailure(pqxx::work& tx, ThrottleScope scope, const std::string& subject, core::Clock::TimePoint at) {
    const auto r = db::Exec(
        tx, "INSERT INTO login_failures (scope, subject, failed_at) VALUES ($1, $2, $3::timestamptz) RETURNING id",
        ScopeText(scope), subject, db::TimeParam(at));
    return r[0][0].as<std::int64_t>();
}

void ClearFailures(pqxx::work& tx, ThrottleScope scope, const std::string& subject) {
    db::Exec(tx, "DELETE FROM login_failures WHERE scope = $1 AND subject = $2", ScopeText(scope), subject);
}

void ClearAccountFailures(pqxx::work& tx, const std::string& account) {
    db::Exec(tx, "DELETE FROM login_failures WHERE scope = 'account_source' AND left(subject, length($1)) = $1",
             AccountSourceKey(account, ""));
}

void PurgeFailures(pqxx::work& tx, core::Clock::TimePoint before, int batch) {
    db::Exec(tx,
             "DELETE FROM login_failures WHERE id IN "
             "(SELECT id FROM login_failures WHERE failed_at < $1::timestamptz ORDER BY failed_at LIMIT $2)",
             db::TimeParam(before), batch);
}

}  // namespace marketplace::auth::storage
