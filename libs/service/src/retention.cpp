#include "marketplace/service/retention.hpp"

#include "marketplace/core/clock.hpp"
#include "marketplace/core/config.hpp"
#include "marketplace/db/statements.hpp"

namespace marketplace::service {
namespace {

std::int64_t Delete(pqxx::work& tx, const std::string& sql, core::Clock::TimePoint cutoff, int batch) {
    return static_cast<std::int64_t>(
        db::Exec(tx, sql, core::FormatRfc3339(cutoff), static_cast<long long>(batch)).affected_rows());
}

}  // namespace

RetentionConfig RetentionConfig::FromEnv(core::EnvReader& env) {
    RetentionConfig c;
    const auto year = std::chrono::hours(24 * 366 * 10);
    c.idempotency = env.Duration("RETENTION_IDEMPOTENCY", c.idempotency, std::chrono::hours(24), year);
    c.inbox = env.Duration("RETENTION_INBOX", c.inbox, std::chrono::hours(24), year);
    c.published_events = env.Duration("RETENTION_PUBLISHED_EVENTS", c.published_events, std::chrono::minutes(1), year);
    c.login_failures = env.Duration("RETENTION_LOGIN_FAILURES", c.login_failures, std::chrono::hours(1), year);
    c.expired_sessions = env.Duration("RETENTION_EXPIRED_SESSIONS", c.expired_sessions, std::chrono::minutes(0), year);
    c.interval = env.Duration("RETENTION_INTERVAL", c.interval, std::chrono::seconds(1), std::chrono::hours(24 * 7));
    c.batch = static_cast<int>(env.Int("RETENTION_BATCH", c.batch, 1, 1000000));
    return c;
}

std::map<std::string, std::int64_t> PurgeExpired(pqxx::work& tx, const RetentionConfig& config,
                                                 core::Clock::TimePoint now,
                                                 const std::map<std::string, RetentionPurge>& extra) {
    std::map<std::string, std::int64_t> deleted;
    deleted["idempotency_keys"] = Delete(tx,
                                         "DELETE FROM idempotency_keys WHERE (caller, idempotency_key) IN ("
                                         "SELECT caller, idempotency_key FROM idempotency_keys "
                                         "WHERE created_at < $1::timestamptz LIMIT $2 FOR UPDATE SKIP LOCKED)",
                                         now - config.idempotency, config.batch);
    deleted["inbox"] = Delete(tx,
                              "DELETE FROM inbox WHERE (consumer, source, event_id) IN ("
                              "SELECT consumer, source, event_id FROM inbox "
                              "WHERE handled_at < $1::timestamptz LIMIT $2 FOR UPDATE SKIP LOCKED)",
                              now - config.inbox, config.batch);
    deleted["published_events"] = Delete(tx,
                                         "DELETE FROM published_events WHERE event_id IN ("
                                         "SELECT event_id FROM published_events "
                                         "WHERE published_at < $1::timestamptz LIMIT $2 FOR UPDATE SKIP LOCKED)",
                                         now - config.published_events, config.batch);
    for (const auto& [name, purge] : extra) deleted[name] = purge(tx, now, config.batch);
    return deleted;
}

}  // namespace marketplace::service
