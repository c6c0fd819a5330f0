#pragma once
// auth's tables in the retention job (libs/service retention.hpp): failed logins past their period, and
// sessions (refresh families with their tokens) that expired long enough ago.
#include <chrono>
#include <cstdint>

#include <pqxx/transaction>

#include "marketplace/core/clock.hpp"

namespace marketplace::auth::storage {

/// Deletes up to `batch` login failures recorded before `before`; returns how many.
std::int64_t PurgeLoginFailures(pqxx::work& tx, core::Clock::TimePoint before, int batch);
/// Deletes up to `batch` refresh families that expired before `before`, with their refresh tokens;
/// returns how many families. A live session (not yet expired) is never touched, revoked or not.
std::int64_t PurgeExpiredSessions(pqxx::work& tx, core::Clock::TimePoint before, int batch);

}  // namespace marketplace::auth::storage
