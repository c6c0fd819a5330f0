#include "app/escrow_flows.hpp"

#include <google/protobuf/util/json_util.h>
#include "domain/amount.hpp"

#include "domain/clan_split.hpp"
#include "domain/release_plan.hpp"
#include "marketplace/core/errors.hpp"
#include "marketplace/core/ids.hpp"
#include "marketplace/core/log.hpp"
#include "marketplace/messaging/consumer.hpp"
#include "marketplace/payments/v1/events.pb.h"

namespace marketplace::payments {
namespace log = core::log;
using messaging::PermanentError;

namespace {

/// A lower-cased id, or a PermanentError: an event naming no valid milestone can never apply.
std::string EventId(const std::string& value, const std::string& event, const std::string& field) {
    if (!core::IsUuid(value))
        throw PermanentError(event + "." + field + ": must be a UUID, got '" + value.substr(0, 64) + "'");
    return NormalizeId(value);
}

common::v1::Money ToMoney(std::int64_t minor_units, const std::string& currency) {
    common::v1::Money m;
    m.set_minor_units(minor_units);
    m.set_currency(currency);
    return m;
}

}  // namespace

EscrowFlows::EscrowFlows(service::Runtime& runtime, const PaymentsConfig& config)
    : runtime_(runtime), config_(config) {}

std::optional<storage::EscrowRecord> EscrowFlows::Find(pqxx::work& tx, const std::string& milestone_id) const {
    return escrows_.Find(tx, NormalizeId(milestone_id), false);
}

void EscrowFlows::Fund(pqxx::work& tx, const contracts::v1::MilestoneFundingRequested& e) {
    const std::string milestone = EventId(e.milestone_id(), "MilestoneFundingRequested", "milestone_id");
    escrows_.LockMilestone(tx, milestone);
    const auto now = runtime_.clock()->Now();

    if (const auto existing = escrows_.Find(tx, milestone, true)) {
        if (existing->state == "funded") {
            // Funded at most once: answer again, move nothing.
            escrows_.RecordAnswer(tx, milestone, e.attempt(), {true, ""}, now);
            AnswerFunded(tx, milestone, existing->amount, existing->currency, e.attempt());
        } else {
            const std::string reason = "the milestone's escrow was already " + existing->state;
            escrows_.RecordAnswer(tx, milestone, e.attempt(), {false, reason}, now);
            AnswerFailed(tx, milestone, reason, e.attempt());
        }
        return;
    }
    if (const auto prior = escrows_.FindAnswer(tx, milestone, e.attempt())) {
        // This attempt was answered before (a failure: a success leaves an escrow): the same answer.
        AnswerFailed(tx, milestone, prior->reason, e.attempt());
        return;
    }
    const auto fail = [&](const std::string& reason) {
        escrows_.RecordAnswer(tx, milestone, e.attempt(), {false, reason}, now);
        AnswerFailed(tx, milestone, reason, e.attempt());
    };
    const std::string client = EventId(e.client_id(), "MilestoneFundingRequested", "client_id");
    const std::string contract = EventId(e.contract_id(), "MilestoneFundingRequested", "contract_id");
    std::optional<core::Money> amount;
    try {
        amount = ValidateAmount(e.amount().minor_units(), e.amount().currency(), "amount", config_.max_amount_minor);
    } catch (const core::InvalidArgument& invalid) {
        fail(invalid.caller_message());
        return;
    }
    const std::string currency(amount->currency().code());

    // Lock the client's wallet and check it before creating anything.
    std::int64_t available = 0;
    const auto wallet = ledger_.Find(tx, WalletOf(client, currency));
    if (wallet) available = ledger_.Lock(tx, {wallet->id}).at(wallet->id).balance;
    if (!wallet || available < amount->minor_units()) {
        fail(InsufficientFundsText(available, amount->minor_units(), currency));
        return;
    }
    const std::int64_t escrow_account = ledger_.EnsureAccount(tx, EscrowOf(milestone, currency));
    const storage::Operation op{storage::OperationId(storage::OperationKind::kEscrowFund, milestone),
                                storage::OperationKind::kEscrowFund, milestone};
    ledger_.Post(tx, op, {Leg{wallet->id, escrow_account, amount->minor_units(), currency}}, now);

    storage::EscrowRecord record;
    record.milestone_id = milestone;
    record.contract_id = contract;
    record.client_id = client;
    record.account_id = escrow_account;
    record.amount = amount->minor_units();
    record.currency = currency;
    record.funded_attempt = e.attempt();
    escrows_.Insert(tx, record, now);
    escrows_.RecordAnswer(tx, milestone, e.attempt(), {true, ""}, now);
    AnswerFunded(tx, milestone, amount->minor_units(), currency, e.attempt());
    log::Info("escrow funded", {{"milestone_id", milestone}, {"amount", amount->ToString()}});
}

namespace {

ClanPlanInForce ClanPlanOf(const contracts::v1::ClanSplit& split) {
    ClanPlanInForce plan;
    plan.leader_id = NormalizeId(split.leader_id());
    plan.mode = ParseClanSplitMode(split.split_mode(), "clan_split.split_mode");
    for (const auto& s : split.shares()) plan.shares.push_back({NormalizeId(s.user_id()), s.weight()});
    return plan;
}

}  // namespace

ClanReleasePlan EscrowFlows::PlanForClan(const contracts::v1::MilestoneAccepted& e,
                                         const storage::EscrowRecord& escrow) const {
    try {
        if (!core::IsUuid(e.clan_split().clan_id()))
            throw core::InvalidArgument("clan_split.clan_id", "must be a UUID");
        return PlanClanRelease(escrow.amount, config_.platform_fee_bps, kLeaderCommissionBps,
                               ClanPlanOf(e.clan_split()));
    } catch (const core::InvalidArgument& invalid) {
        throw PermanentError("MilestoneAccepted for milestone " + escrow.milestone_id +
                             ": clan_split: " + invalid.caller_message());
    }
}

std::vector<std::string> EscrowFlows::ClanLegKinds(const contracts::v1::MilestoneAccepted& e,
                                                   const storage::EscrowRecord& escrow) const {
    const auto plan = PlanForClan(e, escrow);
    std::vector<std::string> kinds;
    if (plan.commission > 0) kinds.emplace_back("leader_commission");
    for (const auto amount : plan.member_amounts) {
        if (amount > 0) kinds.emplace_back("member_share");
    }
    return kinds;
}

void EscrowFlows::ReleaseToClan(pqxx::work& tx, const contracts::v1::MilestoneAccepted& e,
                                const storage::EscrowRecord& escrow, const std::string& op_id) {
    const auto plan = PlanForClan(e, escrow);
    const auto& split = e.clan_split();
    // One operation: the fee to a shard, the commission to the leader of the plan in force, each
    // member's part to their wallet; a part of zero has no leg.
    const auto legs = ClanLegs(tx, escrow, op_id, plan, split);
    const auto now = runtime_.clock()->Now();
    ledger_.Post(tx, {op_id, storage::OperationKind::kEscrowRelease, escrow.milestone_id}, legs, now);
    escrows_.Settle(tx, escrow.milestone_id, "released", op_id, now);
    AnswerReleased(tx, escrow, op_id, ClanLegKinds(e, escrow));
    log::Info("escrow released to a clan", {{"milestone_id", escrow.milestone_id},
                                            {"clan_id", split.clan_id()},
                                            {"plan_version", static_cast<long long>(split.plan_version())},
                                            {"fee", static_cast<long long>(plan.fee)},
                                            {"commission", static_cast<long long>(plan.commission)},
                                            {"legs", static_cast<long long>(legs.size())}});
}

std::vector<Leg> EscrowFlows::ReleaseLegs(pqxx::work& tx, const storage::EscrowRecord& escrow, const std::string& op_id,
                                          const ReleasePlan& plan, const std::vector<PayeeShare>& payees) {
    std::vector<Leg> legs;
    if (plan.fee > 0) {
        const auto fee_account =
            ledger_.EnsureAccount(tx, PlatformFeeShard(ShardFor(op_id, config_.fee_shards), escrow.currency));
        legs.push_back({escrow.account_id, fee_account, plan.fee, escrow.currency});
    }
    for (std::size_t i = 0; i < payees.size(); ++i) {
        if (plan.payee_amounts[i] == 0) continue;  // a share too small to get a minor unit
        const auto wallet = ledger_.EnsureAccount(tx, WalletOf(payees[i].user_id, escrow.currency));
        legs.push_back({escrow.account_id, wallet, plan.payee_amounts[i], escrow.currency});
    }
    return legs;
}

void EscrowFlows::Release(pqxx::work& tx, const contracts::v1::MilestoneAccepted& e) {
    const std::string milestone = EventId(e.milestone_id(), "MilestoneAccepted", "milestone_id");
    escrows_.LockMilestone(tx, milestone);
    const auto escrow = escrows_.Find(tx, milestone, true);
    const std::string op_id = storage::OperationId(storage::OperationKind::kEscrowRelease, milestone);
    if (!escrow) throw PermanentError("MilestoneAccepted for milestone " + milestone + ": no escrow was funded");
    if (escrow->state == "released") {
        // Released at most once: answer again (a clan's legs named by the same plan).
        AnswerReleased(tx, *escrow, escrow->settlement_operation_id,
                       e.has_clan_split() ? ClanLegKinds(e, *escrow) : std::vector<std::string>{});
        return;
    }
    if (escrow->state != "funded") {
        throw PermanentError("MilestoneAccepted for milestone " + milestone + ": the escrow was " + escrow->state);
    }
    if (!escrow->dispute_id.empty()) {
        throw PermanentError("MilestoneAccepted for milestone " + milestone + ": the escrow is locked by dispute " +
                             escrow->dispute_id);
    }
    if (e.amount().currency() != escrow->currency || e.amount().minor_units() != escrow->amount) {
        throw PermanentError("MilestoneAccepted for milestone " + milestone + ": amount " +
                             std::to_string(e.amount().minor_units()) + " " + e.amount().currency() +
                             " differs from the escrow's " + std::to_string(escrow->amount) + " " + escrow->currency);
    }
    if (e.has_clan_split()) {
        ReleaseToClan(tx, e, *escrow, op_id);
        return;
    }
    std::vector<PayeeShare> payees;
    for (const auto& p : e.payees()) payees.push_back({NormalizeId(p.user_id()), p.share_bps()});
    ReleasePlan plan;
    try {
        plan = PlanRelease(escrow->amount, config_.platform_fee_bps, payees);
    } catch (const core::InvalidArgument& invalid) {
        throw PermanentError("MilestoneAccepted for milestone " + milestone + ": " + invalid.caller_message());
    }

    std::vector<Leg> legs = ReleaseLegs(tx, *escrow, op_id, plan, payees);
    const auto now = runtime_.clock()->Now();
    ledger_.Post(tx, {op_id, storage::OperationKind::kEscrowRelease, milestone}, legs, now);
    escrows_.Settle(tx, milestone, "released", op_id, now);
    AnswerReleased(tx, *escrow, op_id);
    log::Info("escrow released", {{"milestone_id", milestone},
                                  {"fee", static_cast<long long>(plan.fee)},
                                  {"legs", static_cast<long long>(legs.size())}});
}

void EscrowFlows::Refund(pqxx::work& tx, const contracts::v1::MilestoneCancelled& e) {
    const std::string milestone = EventId(e.milestone_id(), "MilestoneCancelled", "milestone_id");
    escrows_.LockMilestone(tx, milestone);
    const auto escrow = escrows_.Find(tx, milestone, true);
    if (!escrow) {
        if (e.refund()) throw PermanentError("MilestoneCancelled for milestone " + milestone + ": no escrow to refund");
        return;  // cancelled before funding: nothing to do
    }
    if (escrow->state == "refunded") {
        AnswerRefunded(tx, *escrow);  // refunded at most once: answer again
        return;
    }
    if (escrow->state == "released") {
        if (e.refund())
            throw PermanentError("MilestoneCancelled for milestone " + milestone + ": the escrow was released");
        return;
    }
    if (escrow->state == "split") {
        if (e.refund())
            throw PermanentError("MilestoneCancelled for milestone " + milestone + ": a dispute settled it");
        return;
    }
    if (!escrow->dispute_id.empty()) {
        throw PermanentError("MilestoneCancelled for milestone " + milestone + ": the escrow is locked by dispute " +
                             escrow->dispute_id);
    }
    if (!e.refund()) {
        // The escrow holds the client's money: it goes back whatever the flag says.
        log::Warn("cancelled milestone without refund flag holds escrow; refunding", {{"milestone_id", milestone}});
    }
    const auto now = runtime_.clock()->Now();
    const std::string op_id = storage::OperationId(storage::OperationKind::kEscrowRefund, milestone);
    const auto wallet = ledger_.EnsureAccount(tx, WalletOf(escrow->client_id, escrow->currency));
    ledger_.Post(tx, {op_id, storage::OperationKind::kEscrowRefund, milestone},
                 {Leg{escrow->account_id, wallet, escrow->amount, escrow->currency}}, now);
    escrows_.Settle(tx, milestone, "refunded", op_id, now);
    AnswerRefunded(tx, *escrow);
    log::Info("escrow refunded", {{"milestone_id", milestone}});
}

void EscrowFlows::LockForDispute(pqxx::work& tx, const contracts::v1::MilestoneDisputed& e) {
    const std::string milestone = EventId(e.milestone_id(), "MilestoneDisputed", "milestone_id");
    const std::string dispute = EventId(e.dispute_id(), "MilestoneDisputed", "dispute_id");
    escrows_.LockMilestone(tx, milestone);
    const auto escrow = escrows_.Find(tx, milestone, true);
    if (!escrow) throw PermanentError("MilestoneDisputed for milestone " + milestone + ": no escrow was funded");
    if (escrow->state != "funded") return;  // settled already (a resolution overtook this event)
    std::string clan_split;
    if (e.has_clan_split()) google::protobuf::util::MessageToJsonString(e.clan_split(), &clan_split);
    escrows_.SetDispute(tx, milestone, dispute, clan_split);
    log::Info("escrow locked for a dispute", {{"milestone_id", milestone}, {"dispute_id", dispute}});
}

void EscrowFlows::UnlockFromDispute(pqxx::work& tx, const contracts::v1::MilestoneDisputeLifted& e) {
    const std::string milestone = EventId(e.milestone_id(), "MilestoneDisputeLifted", "milestone_id");
    const std::string dispute = EventId(e.dispute_id(), "MilestoneDisputeLifted", "dispute_id");
    escrows_.LockMilestone(tx, milestone);
    const auto escrow = escrows_.Find(tx, milestone, true);
    if (!escrow || escrow->dispute_id != dispute) return;  // not locked by this dispute
    escrows_.SetDispute(tx, milestone, "");
    log::Info("escrow unlocked: the dispute was withdrawn", {{"milestone_id", milestone}, {"dispute_id", dispute}});
}

void EscrowFlows::SettleDispute(pqxx::work& tx, const disputes::v1::DisputeResolved& e) {
    const std::string milestone = EventId(e.milestone_id(), "DisputeResolved", "milestone_id");
    const std::string dispute = EventId(e.dispute_id(), "DisputeResolved", "dispute_id");
    const std::string where = "DisputeResolved " + dispute + " for milestone " + milestone;
    escrows_.LockMilestone(tx, milestone);
    const auto escrow = escrows_.Find(tx, milestone, true);
    if (!escrow) throw PermanentError(where + ": no escrow was funded");
    const std::string op_id = storage::OperationId(storage::OperationKind::kDisputeSettlement, milestone);
    if (escrow->state != "funded") {
        if (escrow->settlement_operation_id == op_id) {
            AnswerSettled(tx, *escrow, dispute, e.outcome(), e.released().minor_units());  // settled once: answer again
            return;
        }
        throw PermanentError(where + ": the escrow was already " + escrow->state);
    }
    if (!escrow->dispute_id.empty() && escrow->dispute_id != dispute) {
        throw PermanentError(where + ": the escrow is locked by another dispute, " + escrow->dispute_id);
    }
    if (e.escrow().currency() != escrow->currency || e.escrow().minor_units() != escrow->amount ||
        e.released().currency() != escrow->currency) {
        throw PermanentError(where + ": escrow " + std::to_string(e.escrow().minor_units()) + " " +
                             e.escrow().currency() + " differs from the escrow's " + std::to_string(escrow->amount) +
                             " " + escrow->currency);
    }
    std::vector<Leg> legs;
    if (!escrow->clan_split_json.empty()) {
        legs = ClanSettlementLegs(tx, *escrow, op_id, e.released().minor_units(), where);
    } else {
        std::vector<PayeeShare> payees;
        for (const auto& p : e.payees()) payees.push_back({NormalizeId(p.user_id()), p.share_bps()});
        SettlementPlan plan;
        try {
            plan = PlanSettlement(escrow->amount, e.released().minor_units(), config_.platform_fee_bps, payees);
        } catch (const core::InvalidArgument& invalid) {
            throw PermanentError(where + ": " + invalid.caller_message());
        }
        legs = ReleaseLegs(tx, *escrow, op_id, plan.release, payees);
    }
    const std::int64_t refund = escrow->amount - e.released().minor_units();
    if (refund > 0) {
        const auto wallet = ledger_.EnsureAccount(tx, WalletOf(escrow->client_id, escrow->currency));
        legs.push_back({escrow->account_id, wallet, refund, escrow->currency});
    }
    const std::int64_t released = e.released().minor_units();
    const std::string state = released == escrow->amount ? "released" : released == 0 ? "refunded" : "split";
    const auto now = runtime_.clock()->Now();
    ledger_.Post(tx, {op_id, storage::OperationKind::kDisputeSettlement, milestone}, legs, now);
    escrows_.Settle(tx, milestone, state, op_id, now);
    AnswerSettled(tx, *escrow, dispute, e.outcome(), released);
    log::Info("escrow settled by a dispute", {{"milestone_id", milestone},
                                              {"dispute_id", dispute},
                                              {"released", static_cast<long long>(released)},
                                              {"refunded", static_cast<long long>(refund)},
                                              {"legs", static_cast<long long>(legs.size())}});
}

std::vector<Leg> EscrowFlows::ClanSettlementLegs(pqxx::work& tx, const storage::EscrowRecord& escrow,
                                                 const std::string& op_id, std::int64_t released,
                                                 const std::string& where) {
    if (released < 0 || released > escrow.amount) {
        throw PermanentError(where + ": released must be within 0.." + std::to_string(escrow.amount));
    }
    if (released == 0) return {};
    const auto split = StoredClanSplit(escrow, where);
    ClanReleasePlan plan;
    try {
        plan = PlanClanRelease(released, config_.platform_fee_bps, kLeaderCommissionBps, ClanPlanOf(split));
    } catch (const core::InvalidArgument& invalid) {
        throw PermanentError(where + ": clan_split: " + invalid.caller_message());
    }
    return ClanLegs(tx, escrow, op_id, plan, split);
}

std::vector<Leg> EscrowFlows::ClanLegs(pqxx::work& tx, const storage::EscrowRecord& escrow, const std::string& op_id,
                                       const ClanReleasePlan& plan, const contracts::v1::ClanSplit& split) {
    std::vector<Leg> legs;
    if (plan.fee > 0) {
        const auto fee_account =
            ledger_.EnsureAccount(tx, PlatformFeeShard(ShardFor(op_id, config_.fee_shards), escrow.currency));
        legs.push_back({escrow.account_id, fee_account, plan.fee, escrow.currency});
    }
    if (plan.commission > 0) {
        const auto wallet = ledger_.EnsureAccount(tx, WalletOf(NormalizeId(split.leader_id()), escrow.currency));
        legs.push_back({escrow.account_id, wallet, plan.commission, escrow.currency});
    }
    for (int i = 0; i < split.shares_size(); ++i) {
        const auto amount = plan.member_amounts[static_cast<std::size_t>(i)];
        if (amount == 0) continue;
        const auto wallet =
            ledger_.EnsureAccount(tx, WalletOf(NormalizeId(split.shares(i).user_id()), escrow.currency));
        legs.push_back({escrow.account_id, wallet, amount, escrow.currency});
    }
    return legs;
}

contracts::v1::ClanSplit EscrowFlows::StoredClanSplit(const storage::EscrowRecord& escrow,
                                                      const std::string& where) const {
    contracts::v1::ClanSplit split;
    if (!google::protobuf::util::JsonStringToMessage(escrow.clan_split_json, &split).ok()) {
        throw PermanentError(where + ": the stored clan split does not parse");
    }
    return split;
}

void EscrowFlows::AnswerSettled(pqxx::work& tx, const storage::EscrowRecord& escrow, const std::string& dispute_id,
                                const std::string& outcome, std::int64_t released) {
    payments::v1::EscrowSettled out;
    out.set_milestone_id(escrow.milestone_id);
    out.set_dispute_id(dispute_id);
    out.set_outcome(outcome);
    *out.mutable_amount() = ToMoney(escrow.amount, escrow.currency);
    *out.mutable_released() = ToMoney(released, escrow.currency);
    *out.mutable_refunded() = ToMoney(escrow.amount - released, escrow.currency);
    const std::string op_id = storage::OperationId(storage::OperationKind::kDisputeSettlement, escrow.milestone_id);
    // A clan's settlement: the commission and the members' parts in leg order, as the plan divided
    // the released part (recomputed: same input, same output), then the refund.
    std::vector<std::string> kinds;
    if (!escrow.clan_split_json.empty() && released > 0) {
        const auto plan = PlanClanRelease(released, config_.platform_fee_bps, kLeaderCommissionBps,
                                          ClanPlanOf(StoredClanSplit(escrow, "EscrowSettled")));
        if (plan.commission > 0) kinds.emplace_back("leader_commission");
        for (const auto amount : plan.member_amounts) {
            if (amount > 0) kinds.emplace_back("member_share");
        }
    }
    const std::int64_t refund = escrow.amount - released;
    std::size_t next_kind = 0;
    std::size_t index = 0;
    const auto transfers = ledger_.TransfersOf(tx, op_id);
    for (const auto& t : transfers) {
        auto* leg = out.add_legs();
        const bool last = ++index == transfers.size();
        if (t.credit_kind == AccountKind::kPlatformFees) {
            leg->set_kind("platform_fee");
        } else if (last && refund > 0 && t.credit_owner == escrow.client_id) {
            leg->set_kind("refund");
            leg->set_user_id(t.credit_owner);
        } else {
            leg->set_kind(next_kind < kinds.size() ? kinds[next_kind] : "payee");
            ++next_kind;
            leg->set_user_id(t.credit_owner);
        }
        *leg->mutable_amount() = ToMoney(t.amount, t.currency);
    }
    runtime_.Publish(tx, escrow.milestone_id, out);
}

void EscrowFlows::AnswerFunded(pqxx::work& tx, const std::string& milestone_id, std::int64_t amount,
                               const std::string& currency, int attempt) {
    payments::v1::EscrowFunded out;
    out.set_milestone_id(milestone_id);
    *out.mutable_amount() = ToMoney(amount, currency);
    out.set_attempt(attempt);
    runtime_.Publish(tx, milestone_id, out);
}

void EscrowFlows::AnswerFailed(pqxx::work& tx, const std::string& milestone_id, const std::string& reason,
                               int attempt) {
    payments::v1::EscrowFundingFailed out;
    out.set_milestone_id(milestone_id);
    out.set_reason(reason);
    out.set_attempt(attempt);
    runtime_.Publish(tx, milestone_id, out);
    log::Info("escrow funding failed", {{"milestone_id", milestone_id}, {"reason", reason}});
}

void EscrowFlows::AnswerReleased(pqxx::work& tx, const storage::EscrowRecord& escrow, const std::string& operation_id,
                                 const std::vector<std::string>& kinds) {
    payments::v1::EscrowReleased out;
    out.set_milestone_id(escrow.milestone_id);
    *out.mutable_amount() = ToMoney(escrow.amount, escrow.currency);
    std::size_t next_kind = 0;
    for (const auto& t : ledger_.TransfersOf(tx, operation_id)) {
        auto* leg = out.add_legs();
        if (t.credit_kind == AccountKind::kPlatformFees) {
            leg->set_kind("platform_fee");
        } else {
            leg->set_kind(next_kind < kinds.size() ? kinds[next_kind] : "payee");
            ++next_kind;
            leg->set_user_id(t.credit_owner);
        }
        *leg->mutable_amount() = ToMoney(t.amount, t.currency);
    }
    runtime_.Publish(tx, escrow.milestone_id, out);
}

void EscrowFlows::AnswerRefunded(pqxx::work& tx, const storage::EscrowRecord& escrow) {
    payments::v1::EscrowRefunded out;
    out.set_milestone_id(escrow.milestone_id);
    *out.mutable_amount() = ToMoney(escrow.amount, escrow.currency);
    runtime_.Publish(tx, escrow.milestone_id, out);
}

}  // namespace marketplace::payments
