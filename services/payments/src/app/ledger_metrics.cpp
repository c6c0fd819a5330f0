#include "app/ledger_metrics.hpp"

#include <pqxx/nontransaction>
#include <pqxx/pqxx>

#include "marketplace/service/after_commit.hpp"

namespace marketplace::payments {

void CountTransfers(const std::string& transaction_id, std::size_t transfers) {
    static const metrics::CounterFamily family("marketplace_ledger_transfers_total",
                                               "Ledger transfers written (committed).");
    service::AfterCommit(transaction_id, [transfers] { family.Increment({}, static_cast<double>(transfers)); });
}

LedgerMetrics::LedgerMetrics(db::Pool& pool, std::chrono::milliseconds cache_for)
    : pool_(pool), cache_for_(cache_for), registration_(metrics::AddCollector([this] { return Collect(); })) {}

LedgerMetrics::~LedgerMetrics() { registration_.Reset(); }

std::vector<metrics::Family> LedgerMetrics::Collect() {
    std::lock_guard lock(mu_);
    const auto now = std::chrono::steady_clock::now();
    if (now >= next_query_) {
        auto lease = pool_.Acquire();
        pqxx::nontransaction q(*lease);
        const auto rows =
            q.exec("SELECT currency, kind, sum(balance)::float8 FROM accounts GROUP BY currency, kind ORDER BY 1, 2");
        std::vector<metrics::Sample> balances;
        for (const auto& row : rows) {
            balances.push_back({{{"currency", row[0].c_str()}, {"account_kind", row[1].c_str()}}, row[2].as<double>()});
        }
        balances_ = std::move(balances);
        next_query_ = now + cache_for_;
    }
    return {{"marketplace_ledger_balance_minor",
             "Sum of the ledger accounts' balances in minor units, by currency and account kind.",
             metrics::Type::kGauge, balances_}};
}

}  // namespace marketplace::payments
