#pragma once
// The ledger's admin tools: the audit (the invariants of docs/ARCHITECTURE.md, "The ledger", recomputed from the
// transfers in one consistent snapshot), batched wallet-to-wallet transfers, and a milestone's ledger legs.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <pqxx/transaction>

#include "app/config.hpp"
#include "domain/audit.hpp"
#include "marketplace/core/money.hpp"
#include "marketplace/service/runtime.hpp"
#include "storage/ledger_store.hpp"
#include "storage/leg_history_store.hpp"

namespace marketplace::payments {

struct AuditReport {
    std::vector<Violation> violations;
    std::int64_t accounts_checked = 0;
    std::int64_t transfers_checked = 0;
    std::int64_t escrows_checked = 0;
    std::vector<std::pair<std::string, std::int64_t>> platform_fees;  // currency, sum of the shards
    bool healthy() const noexcept { return violations.empty(); }
};

struct TransferRequest {
    std::string from_user_id;
    std::string to_user_id;
    core::Money amount;
};

class LedgerAdmin final {
public:
    LedgerAdmin(service::Runtime& runtime, const PaymentsConfig& config);

    /// Reads the whole ledger in one repeatable-read, read-only transaction and checks it.
    AuditReport Audit() const;

    /// Posts the (already validated) transfers as one operation: wallets found or created, every
    /// account locked once in id order, the transfers checked in order, each balance changed once
    /// by its net delta. Throws core::FailedPrecondition naming the first transfer that would
    /// overdraw its wallet ("transfers[17]: insufficient funds ..."); nothing is written then.
    /// Returns the operation id.
    std::string CreateTransfers(pqxx::work& tx, const std::vector<TransferRequest>& transfers) const;

    /// Every ledger leg of the operations about the milestone (its escrow's funding and settlement),
    /// in posting order, read in one read-only transaction.
    std::vector<storage::LegRecord> MilestoneLegs(const std::string& milestone_id) const;

private:
    service::Runtime& runtime_;
    const PaymentsConfig& config_;
    storage::LedgerStore ledger_;
};

}  // namespace marketplace::payments
