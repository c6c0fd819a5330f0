#include "domain/escrow.hpp"

#include <type_traits>

#include "domain/amount.hpp"
#include "domain/ledger_rules.hpp"
#include "domain/release_plan.hpp"
#include "marketplace/core/errors.hpp"
#include "marketplace/core/ids.hpp"

namespace marketplace::payments {
namespace {

bool SameShares(const std::vector<ClanMemberWeight>& a, const std::vector<ClanMemberWeight>& b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (a[i].user_id != b[i].user_id || a[i].weight != b[i].weight) return false;
    }
    return true;
}

bool SameSplit(const std::optional<ClanSplitInput>& a, const std::optional<ClanSplitInput>& b) {
    if (a.has_value() != b.has_value()) return false;
    if (!a) return true;
    return a->clan_id == b->clan_id && a->leader_id == b->leader_id && a->split_mode == b->split_mode &&
           SameShares(a->shares, b->shares);
}

EscrowDecision Refused(const std::optional<Escrow>& escrow, std::string reason) {
    EscrowDecision d;
    d.outcome = EscrowOutcome::kRefused;
    d.escrow = escrow;
    d.reason = std::move(reason);
    return d;
}

EscrowDecision Ignored(const std::optional<Escrow>& escrow) {
    EscrowDecision d;
    d.outcome = EscrowOutcome::kIgnored;
    d.escrow = escrow;
    return d;
}

/// A failure that throws core::InvalidArgument inside a decision becomes this refusal text.
struct PlanRefused {
    std::string reason;
};

ClanPlanInForce ClanPlanOf(const ClanSplitInput& split) {
    ClanPlanInForce plan;
    plan.leader_id = NormalizeId(split.leader_id);
    plan.mode = ParseClanSplitMode(split.split_mode, "clan_split.split_mode");
    for (const auto& s : split.shares) plan.shares.push_back({NormalizeId(s.user_id), s.weight});
    return plan;
}

std::vector<PayeeShare> Normalised(const std::vector<PayeeShare>& payees) {
    std::vector<PayeeShare> out;
    out.reserve(payees.size());
    for (const auto& p : payees) out.push_back({NormalizeId(p.user_id), p.share_bps});
    return out;
}

/// The fee, then each payee's part (a part of zero has no leg).
std::vector<PayoutLeg> ReleaseLegs(const ReleasePlan& plan, const std::vector<PayeeShare>& payees) {
    std::vector<PayoutLeg> legs;
    if (plan.fee > 0) legs.push_back({LegTo::kPlatformFee, "", plan.fee, "platform_fee"});
    for (std::size_t i = 0; i < payees.size(); ++i) {
        if (plan.payee_amounts[i] == 0) continue;  // a share too small to get a minor unit
        legs.push_back({LegTo::kWallet, payees[i].user_id, plan.payee_amounts[i], "payee"});
    }
    return legs;
}

/// The fee, the leader's commission, each member's part (a part of zero has no leg).
std::vector<PayoutLeg> ClanLegs(const ClanReleasePlan& plan, const ClanPlanInForce& split) {
    std::vector<PayoutLeg> legs;
    if (plan.fee > 0) legs.push_back({LegTo::kPlatformFee, "", plan.fee, "platform_fee"});
    if (plan.commission > 0) legs.push_back({LegTo::kWallet, split.leader_id, plan.commission, "leader_commission"});
    for (std::size_t i = 0; i < split.shares.size(); ++i) {
        const auto amount = plan.member_amounts[i];
        if (amount == 0) continue;
        legs.push_back({LegTo::kWallet, split.shares[i].user_id, amount, "member_share"});
    }
    return legs;
}

/// What a valid funding request asks for, or why it is declined or refused.
struct FundingRequest {
    std::string client_id;
    std::string contract_id;
    std::int64_t amount = 0;
    std::string currency;
};
using FundingCheck = std::variant<FundingRequest, EscrowDecision>;

/// The checks of a funding request that come before the wallet: the escrow that exists, the answer
/// given to the attempt, the ids and the amount.
FundingCheck CheckFunding(const EscrowLoaded& loaded, const command::Fund& e, const EscrowPolicy& policy) {
    EscrowDecision d;
    d.escrow = loaded.escrow;
    if (const auto& existing = loaded.escrow) {
        if (existing->state == EscrowState::kFunded) {
            // Funded at most once: answer again, move nothing.
            d.outcome = EscrowOutcome::kAlreadyDone;
            d.effects = {effect::RecordFundingAnswer{e.attempt, true, ""},
                         effect::AnnounceFunded{existing->amount, existing->currency, e.attempt}};
        } else {
            d.outcome = EscrowOutcome::kDeclined;
            d.reason = "the milestone's escrow was already " + std::string(EscrowStateName(existing->state));
            d.effects = {effect::RecordFundingAnswer{e.attempt, false, d.reason},
                         effect::AnnounceFundingFailed{d.reason, e.attempt}};
        }
        return d;
    }
    if (const auto& prior = loaded.prior_answer) {
        // This attempt was answered before (a failure: a success leaves an escrow): the same answer.
        d.outcome = EscrowOutcome::kAlreadyDone;
        d.reason = prior->reason;
        d.effects = {effect::AnnounceFundingFailed{prior->reason, e.attempt}};
        return d;
    }
    const auto event_id = [](const std::string& value) -> std::optional<std::string> {
        if (!core::IsUuid(value)) return std::nullopt;
        return NormalizeId(value);
    };
    const auto client = event_id(e.client_id);
    if (!client) {
        return Refused(loaded.escrow,
                       "MilestoneFundingRequested.client_id: must be a UUID, got '" + e.client_id.substr(0, 64) + "'");
    }
    const auto contract = event_id(e.contract_id);
    if (!contract) {
        return Refused(loaded.escrow, "MilestoneFundingRequested.contract_id: must be a UUID, got '" +
                                          e.contract_id.substr(0, 64) + "'");
    }
    try {
        const auto amount = ValidateAmount(e.amount, e.currency, "amount", policy.max_amount_minor);
        return FundingRequest{*client, *contract, amount.minor_units(), std::string(amount.currency().code())};
    } catch (const core::InvalidArgument& invalid) {
        d.outcome = EscrowOutcome::kDeclined;
        d.reason = invalid.caller_message();
        d.effects = {effect::RecordFundingAnswer{e.attempt, false, d.reason},
                     effect::AnnounceFundingFailed{d.reason, e.attempt}};
        return d;
    }
}

EscrowDecision DecideFund(const EscrowLoaded& loaded, const command::Fund& e, const EscrowPolicy& policy) {
    auto check = CheckFunding(loaded, e, policy);
    if (auto* decided = std::get_if<EscrowDecision>(&check)) return std::move(*decided);
    const auto& request = std::get<FundingRequest>(check);
    EscrowDecision d;
    const std::int64_t available = loaded.client_available.value_or(0);
    if (!loaded.client_available || available < request.amount) {
        d.outcome = EscrowOutcome::kDeclined;
        d.reason = InsufficientFundsText(available, request.amount, request.currency);
        d.effects = {effect::RecordFundingAnswer{e.attempt, false, d.reason},
                     effect::AnnounceFundingFailed{d.reason, e.attempt}};
        return d;
    }
    Escrow escrow;
    escrow.milestone_id = e.milestone_id;
    escrow.client_id = request.client_id;
    escrow.amount = request.amount;
    escrow.currency = request.currency;
    escrow.state = EscrowState::kFunded;
    d.outcome = EscrowOutcome::kApplied;
    d.escrow = escrow;
    d.effects = {
        effect::OpenEscrow{request.client_id, request.contract_id, request.amount, request.currency, e.attempt},
        effect::RecordFundingAnswer{e.attempt, true, ""},
        effect::AnnounceFunded{request.amount, request.currency, e.attempt}};
    return d;
}

std::string Amount(std::int64_t minor, const std::string& currency) { return std::to_string(minor) + " " + currency; }

/// A clan's division of the escrow by the plan in the event.
ClanReleasePlan PlanForClan(const ClanSplitInput& split, const Escrow& escrow, const EscrowPolicy& policy) {
    try {
        if (!core::IsUuid(split.clan_id)) throw core::InvalidArgument("clan_split.clan_id", "must be a UUID");
        return PlanClanRelease(escrow.amount, policy.platform_fee_bps, kLeaderCommissionBps, ClanPlanOf(split));
    } catch (const core::InvalidArgument& invalid) {
        throw PlanRefused{"MilestoneAccepted for milestone " + escrow.milestone_id +
                          ": clan_split: " + invalid.caller_message()};
    }
}

EscrowDecision DecideRelease(const EscrowLoaded& loaded, const command::Release& e, const EscrowPolicy& policy) {
    const std::string where = "MilestoneAccepted for milestone " + e.milestone_id;
    const auto& escrow = loaded.escrow;
    if (!escrow) return Refused(escrow, where + ": no escrow was funded");
    EscrowDecision d;
    d.escrow = escrow;
    try {
        if (escrow->state == EscrowState::kReleased) {
            // Released at most once: answer again (a clan's legs named by the same plan).
            d.outcome = EscrowOutcome::kAlreadyDone;
            d.effects = {effect::AnnounceReleased{
                escrow->settlement_operation_id,
                e.clan_split ? ClanLegKinds(PlanForClan(*e.clan_split, *escrow, policy)) : std::vector<std::string>{}}};
            return d;
        }
        if (escrow->state != EscrowState::kFunded) {
            return Refused(escrow, where + ": the escrow was " + std::string(EscrowStateName(escrow->state)));
        }
        if (!escrow->dispute_id.empty()) {
            return Refused(escrow, where + ": the escrow is locked by dispute " + escrow->dispute_id);
        }
        if (e.currency != escrow->currency || e.amount != escrow->amount) {
            return Refused(escrow, where + ": amount " + Amount(e.amount, e.currency) + " differs from the escrow's " +
                                       Amount(escrow->amount, escrow->currency));
        }
        std::vector<PayoutLeg> legs;
        std::vector<std::string> kinds;
        if (e.clan_split) {
            // One operation: the fee to a shard, the commission to the leader of the plan in force,
            // each member's part to their wallet.
            const auto plan = PlanForClan(*e.clan_split, *escrow, policy);
            legs = ClanLegs(plan, ClanPlanOf(*e.clan_split));
            kinds = ClanLegKinds(plan);
        } else {
            const auto payees = Normalised(e.payees);
            ReleasePlan plan;
            try {
                plan = PlanRelease(escrow->amount, policy.platform_fee_bps, payees);
            } catch (const core::InvalidArgument& invalid) {
                return Refused(escrow, where + ": " + invalid.caller_message());
            }
            legs = ReleaseLegs(plan, payees);
        }
        d.outcome = EscrowOutcome::kApplied;
        d.escrow->state = EscrowState::kReleased;
        d.escrow->settlement_operation_id = e.operation_id;
        d.effects = {effect::PayOut{e.operation_id, std::move(legs), EscrowState::kReleased},
                     effect::AnnounceReleased{e.operation_id, std::move(kinds)}};
        return d;
    } catch (const PlanRefused& refused) {
        return Refused(escrow, refused.reason);
    }
}

EscrowDecision DecideRefund(const EscrowLoaded& loaded, const command::Refund& e) {
    const std::string where = "MilestoneCancelled for milestone " + e.milestone_id;
    const auto& escrow = loaded.escrow;
    if (!escrow) {
        if (e.refund) return Refused(escrow, where + ": no escrow to refund");
        return Ignored(escrow);  // cancelled before funding: nothing to do
    }
    EscrowDecision d;
    d.escrow = escrow;
    switch (escrow->state) {
        case EscrowState::kRefunded:
            d.outcome = EscrowOutcome::kAlreadyDone;  // refunded at most once: answer again
            d.effects = {effect::AnnounceRefunded{}};
            return d;
        case EscrowState::kReleased:
            if (e.refund) return Refused(escrow, where + ": the escrow was released");
            return Ignored(escrow);
        case EscrowState::kSplit:
            if (e.refund) return Refused(escrow, where + ": a dispute settled it");
            return Ignored(escrow);
        case EscrowState::kFunded:
            break;
    }
    if (!escrow->dispute_id.empty()) {
        return Refused(escrow, where + ": the escrow is locked by dispute " + escrow->dispute_id);
    }
    // The escrow holds the client's money: it goes back whatever the refund flag says.
    d.outcome = EscrowOutcome::kApplied;
    d.escrow->state = EscrowState::kRefunded;
    d.escrow->settlement_operation_id = e.operation_id;
    d.effects = {effect::PayOut{e.operation_id,
                                {PayoutLeg{LegTo::kWallet, escrow->client_id, escrow->amount, "refund"}},
                                EscrowState::kRefunded},
                 effect::AnnounceRefunded{}};
    return d;
}

EscrowDecision DecideLock(const EscrowLoaded& loaded, const command::LockForDispute& e) {
    const auto& escrow = loaded.escrow;
    if (!escrow) return Refused(escrow, "MilestoneDisputed for milestone " + e.milestone_id + ": no escrow was funded");
    if (escrow->state != EscrowState::kFunded) return Ignored(escrow);  // a resolution overtook this event
    EscrowDecision d;
    d.outcome = EscrowOutcome::kApplied;
    d.escrow = escrow;
    d.escrow->dispute_id = e.dispute_id;
    d.escrow->has_clan_split = !e.clan_split_json.empty();
    d.escrow->clan_split.reset();  // read back from the stored plan when the escrow is loaded again
    d.effects = {effect::SetDisputeHold{e.dispute_id, e.clan_split_json}};
    return d;
}

EscrowDecision DecideUnlock(const EscrowLoaded& loaded, const command::UnlockFromDispute& e) {
    const auto& escrow = loaded.escrow;
    if (!escrow || escrow->dispute_id != e.dispute_id) return Ignored(escrow);  // not held by this dispute
    EscrowDecision d;
    d.outcome = EscrowOutcome::kApplied;
    d.escrow = escrow;
    d.escrow->dispute_id.clear();
    d.escrow->has_clan_split = false;
    d.escrow->clan_split.reset();
    d.effects = {effect::SetDisputeHold{"", ""}};
    return d;
}

/// The non-fee kinds of a clan's settlement of `released` by the stored plan.
std::vector<std::string> SettlementKinds(const Escrow& escrow, std::int64_t released, const EscrowPolicy& policy,
                                         const std::string& where) {
    if (!escrow.has_clan_split || released <= 0) return {};
    if (!escrow.clan_split) throw PlanRefused{where + ": the stored clan split does not parse"};
    return ClanLegKinds(
        PlanClanRelease(released, policy.platform_fee_bps, kLeaderCommissionBps, ClanPlanOf(*escrow.clan_split)));
}

EscrowDecision DecideSettle(const EscrowLoaded& loaded, const command::SettleDispute& e, const EscrowPolicy& policy) {
    const std::string where = "DisputeResolved " + e.dispute_id + " for milestone " + e.milestone_id;
    const auto& escrow = loaded.escrow;
    if (!escrow) return Refused(escrow, where + ": no escrow was funded");
    EscrowDecision d;
    d.escrow = escrow;
    try {
        if (escrow->state != EscrowState::kFunded) {
            if (escrow->settlement_operation_id == e.operation_id) {
                // Settled once: answer again.
                d.outcome = EscrowOutcome::kAlreadyDone;
                d.effects = {effect::AnnounceSettled{e.dispute_id, e.outcome, e.released,
                                                     SettlementKinds(*escrow, e.released, policy, "EscrowSettled")}};
                return d;
            }
            return Refused(escrow, where + ": the escrow was already " + std::string(EscrowStateName(escrow->state)));
        }
        if (!escrow->dispute_id.empty() && escrow->dispute_id != e.dispute_id) {
            return Refused(escrow, where + ": the escrow is locked by another dispute, " + escrow->dispute_id);
        }
        if (e.escrow_currency != escrow->currency || e.escrow_amount != escrow->amount ||
            e.released_currency != escrow->currency) {
            return Refused(escrow, where + ": escrow " + Amount(e.escrow_amount, e.escrow_currency) +
                                       " differs from the escrow's " + Amount(escrow->amount, escrow->currency));
        }
        std::vector<PayoutLeg> legs;
        std::vector<std::string> kinds;
        if (escrow->has_clan_split) {
            if (e.released < 0 || e.released > escrow->amount) {
                return Refused(escrow, where + ": released must be within 0.." + std::to_string(escrow->amount));
            }
            if (e.released > 0) {
                if (!escrow->clan_split) return Refused(escrow, where + ": the stored clan split does not parse");
                ClanPlanInForce split;
                ClanReleasePlan plan;
                try {
                    split = ClanPlanOf(*escrow->clan_split);
                    plan = PlanClanRelease(e.released, policy.platform_fee_bps, kLeaderCommissionBps, split);
                } catch (const core::InvalidArgument& invalid) {
                    return Refused(escrow, where + ": clan_split: " + invalid.caller_message());
                }
                legs = ClanLegs(plan, split);
                kinds = ClanLegKinds(plan);
            }
        } else {
            const auto payees = Normalised(e.payees);
            SettlementPlan plan;
            try {
                plan = PlanSettlement(escrow->amount, e.released, policy.platform_fee_bps, payees);
            } catch (const core::InvalidArgument& invalid) {
                return Refused(escrow, where + ": " + invalid.caller_message());
            }
            legs = ReleaseLegs(plan.release, payees);
        }
        const std::int64_t refund = escrow->amount - e.released;
        if (refund > 0) legs.push_back({LegTo::kWallet, escrow->client_id, refund, "refund"});
        const EscrowState state = e.released == escrow->amount ? EscrowState::kReleased
                                  : e.released == 0            ? EscrowState::kRefunded
                                                               : EscrowState::kSplit;
        d.outcome = EscrowOutcome::kApplied;
        d.escrow->state = state;
        d.escrow->settlement_operation_id = e.operation_id;
        d.effects = {effect::PayOut{e.operation_id, std::move(legs), state},
                     effect::AnnounceSettled{e.dispute_id, e.outcome, e.released, std::move(kinds)}};
        return d;
    } catch (const PlanRefused& refused) {
        return Refused(escrow, refused.reason);
    }
}

}  // namespace

std::string_view EscrowStateName(EscrowState state) {
    switch (state) {
        case EscrowState::kFunded:
            return "funded";
        case EscrowState::kReleased:
            return "released";
        case EscrowState::kRefunded:
            return "refunded";
        case EscrowState::kSplit:
            return "split";
    }
    return "funded";
}

std::optional<EscrowState> ParseEscrowState(std::string_view name) {
    for (const auto state : kAllEscrowStates) {
        if (EscrowStateName(state) == name) return state;
    }
    return std::nullopt;
}

bool Escrow::operator==(const Escrow& other) const {
    return milestone_id == other.milestone_id && client_id == other.client_id && amount == other.amount &&
           currency == other.currency && state == other.state &&
           settlement_operation_id == other.settlement_operation_id && dispute_id == other.dispute_id &&
           has_clan_split == other.has_clan_split && SameSplit(clan_split, other.clan_split);
}

std::vector<std::string> ClanLegKinds(const ClanReleasePlan& plan) {
    std::vector<std::string> kinds;
    if (plan.commission > 0) kinds.emplace_back("leader_commission");
    for (const auto amount : plan.member_amounts) {
        if (amount > 0) kinds.emplace_back("member_share");
    }
    return kinds;
}

std::optional<AccountKey> FundingWallet(const EscrowLoaded& loaded, const command::Fund& fund,
                                        const EscrowPolicy& policy) {
    const auto check = CheckFunding(loaded, fund, policy);
    const auto* request = std::get_if<FundingRequest>(&check);
    if (!request) return std::nullopt;
    return WalletOf(request->client_id, request->currency);
}

EscrowDecision Decide(const EscrowLoaded& loaded, const EscrowCommand& command, const EscrowPolicy& policy) {
    return std::visit(
        [&](const auto& c) -> EscrowDecision {
            using C = std::decay_t<decltype(c)>;
            if constexpr (std::is_same_v<C, command::Fund>) {
                return DecideFund(loaded, c, policy);
            } else if constexpr (std::is_same_v<C, command::Release>) {
                return DecideRelease(loaded, c, policy);
            } else if constexpr (std::is_same_v<C, command::Refund>) {
                return DecideRefund(loaded, c);
            } else if constexpr (std::is_same_v<C, command::LockForDispute>) {
                return DecideLock(loaded, c);
            } else if constexpr (std::is_same_v<C, command::UnlockFromDispute>) {
                return DecideUnlock(loaded, c);
            } else {
                return DecideSettle(loaded, c, policy);
            }
        },
        command);
}

}  // namespace marketplace::payments
