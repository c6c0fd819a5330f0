#pragma once
// SQL for the failed-login log that throttling reads (domain/login_throttle.hpp holds the rule).
#include <cstdint>
#include <string>
#include <vector>

#include <pqxx/transaction>

#include "marketplace/core/clock.hpp"

namespace marketplace::auth::storage {

/// What a row counts against: one account from one source address (subject AccountSourceKey), one
/// source address across accounts, or one source's registrations answered "already registered".
enum class ThrottleScope { kAccountSource, kSource, kRegistrationSource };

/// The subject of an (account, source) row.
std::string AccountSourceKey(const std::string& account, const std::string& source);

/// Serializes login attempts on one account from one source, and on the source, for the rest of
/// `tx` (advisory locks, always in that order), so concurrent attempts cannot all slip under a limit.
void LockThrottleKeys(pqxx::work& tx, const std::string& account, const std::string& source);
/// Serializes registrations from one source for the rest of `tx`.
void LockRegistrationKey(pqxx::work& tx, const std::string& source);
/// The times of the newest `limit` failures of a key after `since`.
std::vector<core::Clock::TimePoint> RecentFailures(pqxx::work& tx, ThrottleScope scope, const std::string& subject,
                                                   core::Clock::TimePoint since, int limit);
/// Records a failure; returns its id.
std::int64_t RecordFailure(pqxx::work& tx, ThrottleScope scope, const std::string& subject, core::Clock::TimePoint at);
/// Forgets a key's failures (an (account, source) after a successful login).
void ClearFailures(pqxx::work& tx, ThrottleScope scope, const std::string& subject);
/// Forgets the (account, source) failures of `account` from every source (after a password reset:
/// whoever holds the reset token owns the account, and is not kept out by a guesser's failures).
void ClearAccountFailures(pqxx::work& tx, const std::string& account);
/// Deletes up to `batch` failures recorded before `before`.
void PurgeFailures(pqxx::work& tx, core::Clock::TimePoint before, int batch);

}  // namespace marketplace::auth::storage
