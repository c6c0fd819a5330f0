#include "marketplace/db/transaction.hpp"

#include <algorithm>
#include <cstdint>
#include <pqxx/except>
#include <random>
#include <thread>

namespace marketplace::db::impl {
namespace {

constexpr const char* kSerializationFailure = "40001";
constexpr const char* kDeadlockDetected = "40P01";

std::mt19937_64& ThreadRng() {
    thread_local std::mt19937_64 rng{std::random_device{}()};
    return rng;
}

}  // namespace

bool IsRetryable(const std::exception& e) {
    // libpqxx 6 turns these SQLSTATEs into dedicated classes that do not derive from sql_error.
    if (dynamic_cast<const pqxx::serialization_failure*>(&e) != nullptr) return true;
    if (dynamic_cast<const pqxx::deadlock_detected*>(&e) != nullptr) return true;
    if (const auto* sql = dynamic_cast<const pqxx::sql_error*>(&e)) {
        const std::string& state = sql->sqlstate();
        return state == kSerializationFailure || state == kDeadlockDetected;
    }
    return false;
}

void Backoff(const TxOptions& options, int attempt) {
    const std::int64_t base = std::max<std::int64_t>(0, options.base_backoff.count());
    const std::int64_t cap = std::max<std::int64_t>(0, options.max_backoff.count());
    // base * 2^(attempt-1), capped; the shift stays small so it cannot overflow.
    const int shift = std::clamp(attempt - 1, 0, 30);
    std::int64_t ceiling = base << shift;
    if (ceiling > cap || (base != 0 && (ceiling >> shift) != base)) ceiling = cap;
    if (ceiling <= 0) return;
    // Full jitter: a uniformly random delay in [0, ceiling] ms, at microsecond resolution.
    std::uniform_int_distribution<std::int64_t> pick(0, ceiling * 1000);
    std::this_thread::sleep_for(std::chrono::microseconds(pick(ThreadRng())));
}

const char* BeginStatement(Isolation isolation) {
    switch (isolation) {
        case Isolation::kReadCommitted:
            return "SET TRANSACTION ISOLATION LEVEL READ COMMITTED";
        case Isolation::kRepeatableRead:
            return "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ";
        case Isolation::kSerializable:
            return "SET TRANSACTION ISOLATION LEVEL SERIALIZABLE";
    }
    return "SET TRANSACTION ISOLATION LEVEL READ COMMITTED";
}

}  // namespace marketplace::db::impl
