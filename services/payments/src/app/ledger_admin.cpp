#include "app/ledger_admin.hpp"

#include <map>

#include "marketplace/core/errors.hpp"
#include "marketplace/core/ids.hpp"
#include "marketplace/db/transaction.hpp"
#include "storage/audit_store.hpp"

namespace marketplace::payments {

LedgerAdmin::LedgerAdmin(service::Runtime& runtime, const PaymentsConfig& config)
    : runtime_(runtime), config_(config) {}

AuditReport LedgerAdmin::Audit() const {
    db::TxOptions options;
    options.isolation = db::Isolation::kRepeatableRead;
    const auto snapshot = db::InTransaction(
        runtime_.pool(),
        [](pqxx::work& tx) {
            tx.exec("SET TRANSACTION READ ONLY");
            return storage::ReadAuditSnapshot(tx);
        },
        options);
    AuditReport report;
    report.violations = FindViolations(snapshot.accounts, snapshot.escrows);
    report.accounts_checked = static_cast<std::int64_t>(snapshot.accounts.size());
    report.transfers_checked = snapshot.transfers;
    report.escrows_checked = static_cast<std::int64_t>(snapshot.escrows.size());
    report.platform_fees = snapshot.platform_fees;
    return report;
}

std::vector<storage::LegRecord> LedgerAdmin::MilestoneLegs(const std::string& milestone_id) const {
    db::TxOptions options;
    options.isolation = db::Isolation::kRepeatableRead;
    return db::InTransaction(
        runtime_.pool(),
        [&](pqxx::work& tx) {
            tx.exec("SET TRANSACTION READ ONLY");
            return storage::LegsOfReference(tx, milestone_id);
        },
        options);
}

std::string LedgerAdmin::CreateTransfers(pqxx::work& tx, const std::vector<TransferRequest>& transfers) const {
    std::map<std::string, std::vector<std::string>> owners_by_currency;
    for (const auto& t : transfers) {
        auto& owners = owners_by_currency[std::string(t.amount.currency().code())];
        owners.push_back(NormalizeId(t.from_user_id));
        owners.push_back(NormalizeId(t.to_user_id));
    }
    std::map<std::string, std::map<std::string, std::int64_t>> wallets;  // currency -> owner -> account
    for (const auto& [currency, owners] : owners_by_currency) {
        wallets[currency] = ledger_.EnsureAccounts(tx, AccountKind::kWalletAvailable, currency, owners);
    }
    std::vector<Leg> legs;
    legs.reserve(transfers.size());
    for (const auto& t : transfers) {
        const std::string currency(t.amount.currency().code());
        const auto& ids = wallets.at(currency);
        legs.push_back(
            {ids.at(NormalizeId(t.from_user_id)), ids.at(NormalizeId(t.to_user_id)), t.amount.minor_units(), currency});
    }
    const std::string batch_id = core::NewUuidV7();
    const storage::Operation op{storage::OperationId(storage::OperationKind::kTransferBatch, batch_id),
                                storage::OperationKind::kTransferBatch, batch_id};
    try {
        ledger_.Post(tx, op, legs, runtime_.clock()->Now(), "transfers");
    } catch (const InsufficientFunds& e) {
        throw core::FailedPrecondition("transfers[" + std::to_string(e.leg()) + "]: " + e.caller_message() +
                                       " in the wallet of user " + e.account().owner);
    }
    return op.id;
}

}  // namespace marketplace::payments
