#include "api/proto_mapping.hpp"
#include "marketplace/wire/values.hpp"

namespace marketplace::payments::api {

v1::Deposit ToDeposit(const storage::ProviderOrder& o) {
    v1::Deposit d;
    d.set_deposit_id(o.id);
    d.set_user_id(o.user_id);
    *d.mutable_amount() = wire::ProtoMoney(o.amount, o.currency);
    d.set_status(o.status == "completed" ? v1::DEPOSIT_STATUS_COMPLETED
                 : o.status == "failed"  ? v1::DEPOSIT_STATUS_FAILED
                                         : v1::DEPOSIT_STATUS_PENDING);
    d.set_created_at(o.created_at);
    d.set_settled_at(o.settled_at);
    d.set_failure_reason(o.failure_reason);
    return d;
}

v1::Payout ToPayout(const storage::ProviderOrder& o) {
    v1::Payout p;
    p.set_payout_id(o.id);
    p.set_user_id(o.user_id);
    *p.mutable_amount() = wire::ProtoMoney(o.amount, o.currency);
    p.set_status(o.status == "posted"   ? v1::PAYOUT_STATUS_POSTED
                 : o.status == "voided" ? v1::PAYOUT_STATUS_VOIDED
                                        : v1::PAYOUT_STATUS_PENDING);
    p.set_created_at(o.created_at);
    p.set_settled_at(o.settled_at);
    p.set_failure_reason(o.failure_reason);
    return p;
}

v1::Escrow ToEscrow(const storage::EscrowRecord& e) {
    v1::Escrow out;
    out.set_milestone_id(e.milestone_id);
    out.set_contract_id(e.contract_id);
    out.set_client_id(e.client_id);
    *out.mutable_amount() = wire::ProtoMoney(e.amount, e.currency);
    *out.mutable_held() = wire::ProtoMoney(e.held, e.currency);
    out.set_status(e.state == EscrowState::kReleased   ? v1::ESCROW_STATUS_RELEASED
                   : e.state == EscrowState::kRefunded ? v1::ESCROW_STATUS_REFUNDED
                                                       : v1::ESCROW_STATUS_FUNDED);
    out.set_funded_at(e.funded_at);
    out.set_settled_at(e.settled_at);
    return out;
}

v1::WebhookOutcome ToOutcome(WebhookResult result) {
    switch (result) {
        case WebhookResult::kApplied:
            return v1::WEBHOOK_OUTCOME_APPLIED;
        case WebhookResult::kDuplicate:
            return v1::WEBHOOK_OUTCOME_DUPLICATE;
        case WebhookResult::kIgnored:
            return v1::WEBHOOK_OUTCOME_IGNORED;
    }
    return v1::WEBHOOK_OUTCOME_UNSPECIFIED;
}

namespace {

v1::LedgerInvariant ToInvariant(Invariant invariant) {
    switch (invariant) {
        case Invariant::kCurrencyBalanced:
            return v1::LEDGER_INVARIANT_CURRENCY_BALANCED;
        case Invariant::kGuardedNotNegative:
            return v1::LEDGER_INVARIANT_GUARDED_NOT_NEGATIVE;
        case Invariant::kBalanceMatchesTransfers:
            return v1::LEDGER_INVARIANT_BALANCE_MATCHES_TRANSFERS;
        case Invariant::kSettledEscrowZero:
            return v1::LEDGER_INVARIANT_SETTLED_ESCROW_ZERO;
        case Invariant::kEscrowSettledOnce:
            return v1::LEDGER_INVARIANT_ESCROW_SETTLED_ONCE;
        case Invariant::kFundedEscrowHoldsAmount:
            return v1::LEDGER_INVARIANT_FUNDED_ESCROW_HOLDS_AMOUNT;
    }
    return v1::LEDGER_INVARIANT_UNSPECIFIED;
}

}  // namespace

v1::AuditLedgerResponse ToAuditResponse(const AuditReport& report) {
    v1::AuditLedgerResponse out;
    out.set_healthy(report.healthy());
    for (const auto& v : report.violations) {
        auto* item = out.add_violations();
        item->set_invariant(ToInvariant(v.invariant));
        item->set_currency(v.currency);
        item->set_account_id(v.account_id);
        item->set_account_kind(v.account_kind);
        item->set_account_owner(v.account_owner);
        item->set_detail(v.detail);
    }
    out.set_accounts_checked(report.accounts_checked);
    out.set_transfers_checked(report.transfers_checked);
    out.set_escrows_checked(report.escrows_checked);
    for (const auto& [currency, total] : report.platform_fees)
        *out.add_platform_fees() = wire::ProtoMoney(total, currency);
    return out;
}

}  // namespace marketplace::payments::api
