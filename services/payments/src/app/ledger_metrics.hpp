#pragma once
// The ledger's metrics:
//   marketplace_ledger_balance_minor{currency,account_kind}  the sum of the accounts' balances, read
//       from the database at scrape time (at most every few seconds);
//   marketplace_ledger_transfers_total                       transfers written, counted once their
//       transaction committed.
#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>
#include <vector>

#include <pqxx/transaction>

#include "marketplace/db/pool.hpp"
#include "marketplace/metrics/metrics.hpp"

namespace marketplace::payments {

/// Counts `transfers` written in the transaction `transaction_id` (pg_current_xact_id()), once it commits.
void CountTransfers(const std::string& transaction_id, std::size_t transfers);

/// Serves the balance gauges while it lives.
class LedgerMetrics final {
public:
    explicit LedgerMetrics(db::Pool& pool, std::chrono::milliseconds cache_for = std::chrono::seconds(5));
    ~LedgerMetrics();
    LedgerMetrics(const LedgerMetrics&) = delete;
    LedgerMetrics& operator=(const LedgerMetrics&) = delete;

private:
    std::vector<metrics::Family> Collect();

    db::Pool& pool_;
    std::chrono::milliseconds cache_for_;
    std::mutex mu_;
    std::chrono::steady_clock::time_point next_query_{};
    std::vector<metrics::Sample> balances_;
    metrics::Registration registration_;  // last: removed before the rest goes
};

}  // namespace marketplace::payments
