#pragma once
// Retention: what every service built on the kit deletes once it is old enough, so its tables do not
// grow forever. A durable timer (kind "retention") fires every RETENTION_INTERVAL on one replica (the
// timer row is claimed with SKIP LOCKED), deletes at most RETENTION_BATCH rows per table in one
// transaction and schedules the next run (at once again while a table had more). Ages are measured
// with the service's clock, the one that stamped the rows.
//
//   table              stamped       kept for (default)  setting
//   idempotency_keys   created_at    24 h                RETENTION_IDEMPOTENCY (at least 24 h)
//   inbox              handled_at    14 d                RETENTION_INBOX (at least 1 d; keep it above the
//                                                        topics' retention: a redelivered event older than
//                                                        its inbox row would apply twice)
//   published_events   published_at  7 d                 RETENTION_PUBLISHED_EVENTS (the saga timeline's
//                                                        history)
// A service adds its own tables with Runtime::OnRetention; auth adds
//   login_failures     failed_at     24 h                RETENTION_LOGIN_FAILURES (at least 1 h, above the
//                                                        throttle windows)
//   refresh_families   expires_at    7 d after expiry    RETENTION_EXPIRED_SESSIONS (with their tokens)
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include <pqxx/transaction>

#include "marketplace/core/clock.hpp"

namespace marketplace::core {
class EnvReader;
}

namespace marketplace::service {

struct RetentionConfig {
    std::chrono::milliseconds idempotency{std::chrono::hours(24)};
    std::chrono::milliseconds inbox{std::chrono::hours(24 * 14)};
    std::chrono::milliseconds published_events{std::chrono::hours(24 * 7)};
    std::chrono::milliseconds login_failures{std::chrono::hours(24)};
    std::chrono::milliseconds expired_sessions{std::chrono::hours(24 * 7)};
    std::chrono::milliseconds interval{std::chrono::hours(1)};
    int batch = 10000;

    /// RETENTION_IDEMPOTENCY, RETENTION_INBOX, RETENTION_PUBLISHED_EVENTS, RETENTION_LOGIN_FAILURES,
    /// RETENTION_EXPIRED_SESSIONS, RETENTION_INTERVAL (durations such as 36h or 14d), RETENTION_BATCH
    /// (1..1000000).
    static RetentionConfig FromEnv(core::EnvReader& env);
};

/// A service's own purge: deletes at most `batch` rows that are old at `now`; returns how many it deleted.
using RetentionPurge = std::function<std::int64_t(pqxx::work& tx, core::Clock::TimePoint now, int batch)>;

/// Deletes, in `tx`, at most config.batch rows of each kit table older than its period at `now`, then
/// runs `extra` (name -> purge). Returns rows deleted per table.
std::map<std::string, std::int64_t> PurgeExpired(pqxx::work& tx, const RetentionConfig& config,
                                                 core::Clock::TimePoint now,
                                                 const std::map<std::string, RetentionPurge>& extra);

}  // namespace marketplace::service
