#pragma once
// Runs a unit of work in one PostgreSQL transaction, retrying it as a whole when PostgreSQL reports
// a serialization failure (40001) or a deadlock (40P01), with exponential backoff and jitter.
// The work may therefore run more than once: it must have no effects outside the transaction.
#include <chrono>
#include <string_view>
#include <type_traits>
#include <utility>

#include <pqxx/transaction>

#include "marketplace/db/pool.hpp"

namespace marketplace::db {

enum class Isolation { kReadCommitted, kRepeatableRead, kSerializable };

struct TxOptions {
    Isolation isolation = Isolation::kReadCommitted;
    int max_attempts = 8;
    std::chrono::milliseconds base_backoff{2};
    std::chrono::milliseconds max_backoff{200};
};

namespace impl {
/// True for SQLSTATE 40001 and 40P01.
bool IsRetryable(const std::exception& e);
/// Sleeps before attempt `attempt` (1-based retry count) with full jitter.
void Backoff(const TxOptions& options, int attempt);
const char* BeginStatement(Isolation isolation);
}  // namespace impl

/// Runs `work(pqxx::work&)` on `conn` and commits; returns what `work` returns.
template <typename Work>
auto InTransaction(pqxx::connection& conn, Work&& work, const TxOptions& options = {})
    -> std::invoke_result_t<Work&, pqxx::work&> {
    for (int attempt = 1;; ++attempt) {
        try {
            pqxx::work tx(conn);
            if (options.isolation != Isolation::kReadCommitted) tx.exec(impl::BeginStatement(options.isolation));
            if constexpr (std::is_void_v<std::invoke_result_t<Work&, pqxx::work&>>) {
                work(tx);
                tx.commit();
                return;
            } else {
                auto result = work(tx);
                tx.commit();
                return result;
            }
        } catch (const std::exception& e) {
            if (attempt >= options.max_attempts || !impl::IsRetryable(e)) throw;
            impl::Backoff(options, attempt);
        }
    }
}

/// The same on a connection borrowed from `pool`.
template <typename Work>
auto InTransaction(Pool& pool, Work&& work, const TxOptions& options = {}) -> std::invoke_result_t<Work&, pqxx::work&> {
    auto lease = pool.Acquire();
    return InTransaction(*lease, std::forward<Work>(work), options);
}

}  // namespace marketplace::db
