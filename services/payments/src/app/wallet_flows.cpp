#include "app/wallet_flows.hpp"

#include <map>

#include "marketplace/core/errors.hpp"
#include "marketplace/core/ids.hpp"
#include "marketplace/core/log.hpp"
#include "marketplace/payments/v1/events.pb.h"
#include "marketplace/wire/values.hpp"
#include "storage/balance_store.hpp"

namespace marketplace::payments {
namespace log = core::log;
using storage::OperationKind;

namespace {

core::Money MoneyOf(const storage::ProviderOrder& o) {
    return core::Money(o.amount, core::Currency::Parse(o.currency));
}

void RequireSameAmount(const ProviderEvent& event, const storage::ProviderOrder& order, const char* what) {
    if (event.minor_units != order.amount || event.currency != order.currency) {
        throw core::FailedPrecondition(std::string("provider event ") + event.id + " reports " +
                                       std::to_string(event.minor_units) + " " + event.currency + " for " + what + " " +
                                       order.id + " of " + std::to_string(order.amount) + " " + order.currency);
    }
}

}  // namespace

WalletFlows::WalletFlows(service::Runtime& runtime, const PaymentsConfig& config,
                         std::shared_ptr<PaymentProvider> provider)
    : runtime_(runtime), config_(config), provider_(std::move(provider)) {}

storage::ProviderOrder WalletFlows::CreateDeposit(pqxx::work& tx, const std::string& user_id,
                                                  const core::Money& amount) {
    const auto now = runtime_.clock()->Now();
    storage::ProviderOrder order;
    order.id = core::NewUuidV7();
    order.user_id = NormalizeId(user_id);
    order.amount = amount.minor_units();
    order.currency = std::string(amount.currency().code());
    order.provider = provider_->name();
    deposits_.Insert(tx, order, now);
    messaging::ScheduleTimer(tx, kSubmitDepositTimer, order.id, now);
    return *deposits_.Find(tx, order.id, false);
}

storage::ProviderOrder WalletFlows::CreatePayout(pqxx::work& tx, const std::string& user_id,
                                                 const core::Money& amount) {
    const auto now = runtime_.clock()->Now();
    const std::string user = NormalizeId(user_id);
    const std::string currency(amount.currency().code());
    const auto wallet = ledger_.Find(tx, WalletOf(user, currency));
    if (!wallet) throw core::FailedPrecondition(InsufficientFundsText(0, amount.minor_units(), currency));
    const auto pending = ledger_.EnsureAccount(tx, PendingPayoutsOf(user, currency));

    storage::ProviderOrder order;
    order.id = core::NewUuidV7();
    order.user_id = user;
    order.amount = amount.minor_units();
    order.currency = currency;
    order.provider = provider_->name();
    // Throws InsufficientFunds before writing anything when the wallet cannot cover it.
    ledger_.Post(tx, {storage::OperationId(OperationKind::kPayoutHold, order.id), OperationKind::kPayoutHold, order.id},
                 {Leg{wallet->id, pending, order.amount, currency}}, now, "amount");
    payouts_.Insert(tx, order, now);
    messaging::ScheduleTimer(tx, kSubmitPayoutTimer, order.id, now);
    return *payouts_.Find(tx, order.id, false);
}

std::optional<storage::ProviderOrder> WalletFlows::FindDeposit(pqxx::work& tx, const std::string& id) const {
    return deposits_.Find(tx, NormalizeId(id), false);
}

std::optional<storage::ProviderOrder> WalletFlows::FindPayout(pqxx::work& tx, const std::string& id) const {
    return payouts_.Find(tx, NormalizeId(id), false);
}

WebhookResult WalletFlows::ApplyProviderEvent(pqxx::work& tx, const ProviderEvent& event) {
    const std::string reference = NormalizeId(event.reference);
    if (!provider_events_.Claim(tx, event.id, std::string(ProviderEventTypeName(event.type)), reference,
                                runtime_.clock()->Now())) {
        log::Info("duplicate provider event ignored", {{"provider_event_id", event.id}});
        return WebhookResult::kDuplicate;
    }
    const auto result = event.is_deposit() ? ApplyDeposit(tx, event) : ApplyPayout(tx, event);
    if (result == WebhookResult::kIgnored) provider_events_.MarkIgnored(tx, event.id);
    return result;
}

WebhookResult WalletFlows::ApplyDeposit(pqxx::work& tx, const ProviderEvent& event) {
    const auto deposit = deposits_.Find(tx, NormalizeId(event.reference), true);
    if (!deposit) throw core::NotFound("deposit " + event.reference + " not found");
    if (deposit->status != "pending") return WebhookResult::kIgnored;
    const auto now = runtime_.clock()->Now();
    if (event.type == ProviderEventType::kDepositFailed) {
        deposits_.Settle(tx, deposit->id, "failed",
                         event.failure_reason.empty() ? "declined by the provider" : event.failure_reason, now);
        log::Info("deposit failed", {{"deposit_id", deposit->id}});
        return WebhookResult::kApplied;
    }
    RequireSameAmount(event, *deposit, "deposit");
    const std::string op_id = storage::OperationId(OperationKind::kDeposit, deposit->id);
    const auto clearing =
        ledger_.EnsureAccount(tx, ProviderClearingShard(ShardFor(op_id, config_.fee_shards), deposit->currency));
    const auto wallet = ledger_.EnsureAccount(tx, WalletOf(deposit->user_id, deposit->currency));
    ledger_.Post(tx, {op_id, OperationKind::kDeposit, deposit->id},
                 {Leg{clearing, wallet, deposit->amount, deposit->currency}}, now);
    deposits_.Settle(tx, deposit->id, "completed", "", now);

    payments::v1::DepositCompleted out;
    out.set_deposit_id(deposit->id);
    out.set_user_id(deposit->user_id);
    *out.mutable_amount() = wire::ProtoMoney(deposit->amount, deposit->currency);
    runtime_.Publish(tx, deposit->user_id, out);
    log::Info("deposit completed", {{"deposit_id", deposit->id}, {"amount", MoneyOf(*deposit).ToString()}});
    return WebhookResult::kApplied;
}

WebhookResult WalletFlows::ApplyPayout(pqxx::work& tx, const ProviderEvent& event) {
    const auto payout = payouts_.Find(tx, NormalizeId(event.reference), true);
    if (!payout) throw core::NotFound("payout " + event.reference + " not found");
    if (payout->status != "pending") return WebhookResult::kIgnored;
    RequireSameAmount(event, *payout, "payout");
    const auto now = runtime_.clock()->Now();
    const auto pending = ledger_.EnsureAccount(tx, PendingPayoutsOf(payout->user_id, payout->currency));
    const bool paid = event.type == ProviderEventType::kPayoutPaid;
    const OperationKind kind = paid ? OperationKind::kPayoutPost : OperationKind::kPayoutVoid;
    const std::string op_id = storage::OperationId(kind, payout->id);
    const auto destination =
        paid ? ledger_.EnsureAccount(tx, ProviderClearingShard(ShardFor(op_id, config_.fee_shards), payout->currency))
             : ledger_.EnsureAccount(tx, WalletOf(payout->user_id, payout->currency));
    ledger_.Post(tx, {op_id, kind, payout->id}, {Leg{pending, destination, payout->amount, payout->currency}}, now);
    payouts_.Settle(tx, payout->id, paid ? "posted" : "voided",
                    paid ? "" : (event.failure_reason.empty() ? "refused by the provider" : event.failure_reason), now);

    payments::v1::PayoutCompleted out;
    out.set_payout_id(payout->id);
    out.set_user_id(payout->user_id);
    *out.mutable_amount() = wire::ProtoMoney(payout->amount, payout->currency);
    out.set_outcome(paid ? "posted" : "voided");
    runtime_.Publish(tx, payout->user_id, out);
    log::Info(paid ? "payout posted" : "payout voided", {{"payout_id", payout->id}});
    return WebhookResult::kApplied;
}

void WalletFlows::SubmitDeposit(pqxx::work& tx, const messaging::Timer& timer) {
    const auto deposit = deposits_.Find(tx, timer.key, false);
    if (!deposit || deposit->status != "pending") return;
    provider_->SubmitDeposit({deposit->id, deposit->user_id, MoneyOf(*deposit)});
}

void WalletFlows::SubmitPayout(pqxx::work& tx, const messaging::Timer& timer) {
    const auto payout = payouts_.Find(tx, timer.key, false);
    if (!payout || payout->status != "pending") return;
    provider_->SubmitPayout({payout->id, payout->user_id, MoneyOf(*payout)});
}

std::vector<CurrencyBalances> WalletFlows::Balances(pqxx::transaction_base& tx, const std::string& user_id) const {
    std::map<std::string, CurrencyBalances> by_currency;
    for (const auto& row : storage::BalancesOf(tx, NormalizeId(user_id))) {
        auto& b = by_currency[row.currency];
        b.currency = row.currency;
        switch (row.part) {
            case storage::BalanceRow::Part::kAvailable:
                b.available += row.amount;
                break;
            case storage::BalanceRow::Part::kPendingPayouts:
                b.pending_payouts += row.amount;
                break;
            case storage::BalanceRow::Part::kInEscrow:
                b.in_escrow += row.amount;
                break;
        }
    }
    std::vector<CurrencyBalances> out;
    for (auto& [currency, b] : by_currency) out.push_back(b);
    return out;
}

}  // namespace marketplace::payments
