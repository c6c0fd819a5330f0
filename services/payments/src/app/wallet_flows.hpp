#pragma once
// Wallets: deposits and payouts through the payment provider, the provider's webhook, and the
// balances a user sees.
//
//   CreateDeposit: records a pending deposit and a durable timer that submits it to the provider.
//                  No money moves until the provider confirms it through the webhook:
//                  provider clearing -> wallet, DepositCompleted.
//   CreatePayout:  wallet -> payout pending at once (guarded), a pending payout and a timer that
//                  submits it. The provider's answer posts it (pending -> provider clearing) or
//                  voids it (pending -> wallet); PayoutCompleted either way.
// A webhook is applied at most once per provider event id, and only to a pending order: a second
// notification about a settled order changes nothing.
#include <memory>
#include <string>
#include <vector>

#include <pqxx/transaction>

#include "app/config.hpp"
#include "domain/payment_provider.hpp"
#include "domain/webhook.hpp"
#include "marketplace/messaging/timers.hpp"
#include "marketplace/service/runtime.hpp"
#include "storage/escrow_store.hpp"
#include "storage/ledger_store.hpp"
#include "storage/order_store.hpp"

namespace marketplace::payments {

inline constexpr char kSubmitDepositTimer[] = "payments.provider.submit_deposit";
inline constexpr char kSubmitPayoutTimer[] = "payments.provider.submit_payout";

enum class WebhookResult { kApplied, kDuplicate, kIgnored };

/// One currency's balances of a user.
struct CurrencyBalances {
    std::string currency;
    std::int64_t available = 0;
    std::int64_t pending_payouts = 0;
    std::int64_t in_escrow = 0;
};

class WalletFlows final {
public:
    WalletFlows(service::Runtime& runtime, const PaymentsConfig& config, std::shared_ptr<PaymentProvider> provider);

    storage::ProviderOrder CreateDeposit(pqxx::work& tx, const std::string& user_id, const core::Money& amount);
    /// Throws InsufficientFunds (FAILED_PRECONDITION) when the wallet holds less than `amount`.
    storage::ProviderOrder CreatePayout(pqxx::work& tx, const std::string& user_id, const core::Money& amount);
    std::optional<storage::ProviderOrder> FindDeposit(pqxx::work& tx, const std::string& id) const;
    std::optional<storage::ProviderOrder> FindPayout(pqxx::work& tx, const std::string& id) const;

    /// Applies a verified provider notification. Throws core::NotFound for an unknown reference and
    /// core::FailedPrecondition when its amount differs from the order's (nothing is recorded, so
    /// the provider's retry meets the same answer).
    WebhookResult ApplyProviderEvent(pqxx::work& tx, const ProviderEvent& event);

    /// Timer handlers: submit a still-pending order to the provider (retried by the timer on failure).
    void SubmitDeposit(pqxx::work& tx, const messaging::Timer& timer);
    void SubmitPayout(pqxx::work& tx, const messaging::Timer& timer);

    /// Every currency the user holds money in: available, pending payouts, and what the escrows of
    /// their milestones hold, in one statement (one snapshot: `tx` may be a nontransaction).
    std::vector<CurrencyBalances> Balances(pqxx::transaction_base& tx, const std::string& user_id) const;

    PaymentProvider& provider() const noexcept { return *provider_; }

private:
    WebhookResult ApplyDeposit(pqxx::work& tx, const ProviderEvent& event);
    WebhookResult ApplyPayout(pqxx::work& tx, const ProviderEvent& event);

    service::Runtime& runtime_;
    const PaymentsConfig& config_;
    std::shared_ptr<PaymentProvider> provider_;
    storage::LedgerStore ledger_;
    storage::EscrowStore escrows_;
    storage::OrderStore deposits_{storage::OrderStore::Table::kDeposits};
    storage::OrderStore payouts_{storage::OrderStore::Table::kPayouts};
    storage::ProviderEventStore provider_events_;
};

}  // namespace marketplace::payments
