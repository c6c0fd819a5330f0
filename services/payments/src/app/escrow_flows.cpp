#include "app/escrow_flows.hpp"

#include <google/protobuf/util/json_util.h>

#include <cstdint>
#include <set>
#include <type_traits>

#include "marketplace/core/errors.hpp"
#include "marketplace/core/ids.hpp"
#include "marketplace/core/log.hpp"
#include "marketplace/core/money.hpp"
#include "marketplace/messaging/consumer.hpp"
#include "marketplace/payments/v1/events.pb.h"
#include "marketplace/wire/values.hpp"

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

}  // namespace

EscrowFlows::EscrowFlows(service::Runtime& runtime, const PaymentsConfig& config)
    : runtime_(runtime), config_(config) {}

std::optional<storage::EscrowRecord> EscrowFlows::Find(pqxx::work& tx, const std::string& milestone_id) const {
    return escrows_.Find(tx, NormalizeId(milestone_id), false);
}

namespace {

ClanSplitInput SplitInputOf(const contracts::v1::ClanSplit& split) {
    ClanSplitInput input;
    input.clan_id = split.clan_id();
    input.leader_id = split.leader_id();
    input.split_mode = split.split_mode();
    for (const auto& s : split.shares()) input.shares.push_back({s.user_id(), s.weight()});
    return input;
}

/// The escrow's row as the decider reads it; a clan's stored plan that does not parse is kept as
/// "stored but unreadable".
Escrow ToDomain(const storage::EscrowRecord& record) {
    Escrow escrow;
    escrow.milestone_id = record.milestone_id;
    escrow.client_id = record.client_id;
    escrow.amount = record.amount;
    escrow.currency = record.currency;
    escrow.state = record.state;
    escrow.settlement_operation_id = record.settlement_operation_id;
    escrow.dispute_id = record.dispute_id;
    if (!record.clan_split_json.empty()) {
        escrow.has_clan_split = true;
        contracts::v1::ClanSplit split;
        if (google::protobuf::util::JsonStringToMessage(record.clan_split_json, &split).ok()) {
            escrow.clan_split = SplitInputOf(split);
        }
    }
    return escrow;
}

template <typename Payees>
std::vector<PayeeShare> PayeesOf(const Payees& payees) {
    std::vector<PayeeShare> out;
    for (const auto& p : payees) out.push_back({p.user_id(), p.share_bps()});
    return out;
}

storage::OperationKind OperationKindOf(const EscrowCommand& command) {
    if (std::holds_alternative<command::Release>(command)) return storage::OperationKind::kEscrowRelease;
    if (std::holds_alternative<command::Refund>(command)) return storage::OperationKind::kEscrowRefund;
    if (std::holds_alternative<command::SettleDispute>(command)) return storage::OperationKind::kDisputeSettlement;
    return storage::OperationKind::kEscrowFund;
}

/// The PayOut effect of a decision, when it has one.
const effect::PayOut* PayOutOf(const EscrowDecision& decision) {
    for (const auto& e : decision.effects) {
        if (const auto* payout = std::get_if<effect::PayOut>(&e)) return payout;
    }
    return nullptr;
}

long long LegsOfKind(const effect::PayOut& payout, std::string_view kind) {
    long long sum = 0;
    for (const auto& leg : payout.legs) {
        if (leg.kind == kind) sum += leg.amount;
    }
    return sum;
}

}  // namespace

EscrowDecision EscrowFlows::Run(pqxx::work& tx, const std::string& milestone_id, const EscrowCommand& command) {
    escrows_.LockMilestone(tx, milestone_id);
    const auto record = escrows_.Find(tx, milestone_id, true);
    EscrowLoaded loaded;
    if (record) loaded.escrow = ToDomain(*record);
    const EscrowPolicy policy{config_.platform_fee_bps, config_.max_amount_minor};
    std::optional<std::int64_t> wallet_id;
    if (const auto* fund = std::get_if<command::Fund>(&command)) {
        if (!record) {
            if (const auto prior = escrows_.FindAnswer(tx, milestone_id, fund->attempt)) {
                loaded.prior_answer = PriorFundingAnswer{prior->funded, prior->reason};
            }
        }
        // Lock the client's wallet and read it before creating anything.
        if (const auto key = FundingWallet(loaded, *fund, policy)) {
            if (const auto wallet = ledger_.Find(tx, *key)) {
                wallet_id = wallet->id;
                loaded.client_available = ledger_.Lock(tx, {wallet->id}).at(wallet->id).balance;
            }
        }
    }
    auto decision = Decide(loaded, command, policy);
    if (decision.outcome == EscrowOutcome::kRefused) throw PermanentError(decision.reason);

    const auto now = runtime_.clock()->Now();
    const auto kind = OperationKindOf(command);
    const effect::PayOut* paid = nullptr;  // the legs posted by this decision, for its answer
    for (const auto& effect : decision.effects) {
        std::visit(
            [&](const auto& e) {
                using E = std::decay_t<decltype(e)>;
                if constexpr (std::is_same_v<E, effect::OpenEscrow>) {
                    const std::int64_t escrow_account = ledger_.EnsureAccount(tx, EscrowOf(milestone_id, e.currency));
                    const storage::Operation op{storage::OperationId(storage::OperationKind::kEscrowFund, milestone_id),
                                                storage::OperationKind::kEscrowFund, milestone_id};
                    ledger_.Post(tx, op, {Leg{wallet_id.value(), escrow_account, e.amount, e.currency}}, now);
                    storage::EscrowRecord created;
                    created.milestone_id = milestone_id;
                    created.contract_id = e.contract_id;
                    created.client_id = e.client_id;
                    created.account_id = escrow_account;
                    created.amount = e.amount;
                    created.currency = e.currency;
                    created.funded_attempt = e.attempt;
                    escrows_.Insert(tx, created, now);
                } else if constexpr (std::is_same_v<E, effect::PayOut>) {
                    // The credited accounts (the fee shard, the payees' wallets) found or created together.
                    std::vector<AccountKey> credited;
                    credited.reserve(e.legs.size());
                    for (const auto& leg : e.legs) {
                        credited.push_back(
                            leg.to == LegTo::kPlatformFee
                                ? PlatformFeeShard(ShardFor(e.operation_id, config_.fee_shards), record->currency)
                                : WalletOf(leg.user_id, record->currency));
                    }
                    const auto credit = ledger_.EnsureAccounts(tx, credited);
                    std::vector<Leg> legs;
                    legs.reserve(e.legs.size());
                    for (std::size_t i = 0; i < e.legs.size(); ++i) {
                        legs.push_back({record->account_id, credit[i], e.legs[i].amount, record->currency});
                    }
                    ledger_.Post(tx, {e.operation_id, kind, milestone_id}, legs, now);
                    escrows_.Settle(tx, milestone_id, e.settled_as, e.operation_id, now);
                    paid = &e;
                } else if constexpr (std::is_same_v<E, effect::RecordFundingAnswer>) {
                    escrows_.RecordAnswer(tx, milestone_id, e.attempt, {e.funded, e.reason}, now);
                } else if constexpr (std::is_same_v<E, effect::SetDisputeHold>) {
                    escrows_.SetDispute(tx, milestone_id, e.dispute_id, e.clan_split_json);
                } else if constexpr (std::is_same_v<E, effect::AnnounceFunded>) {
                    AnswerFunded(tx, milestone_id, e.amount, e.currency, e.attempt);
                } else if constexpr (std::is_same_v<E, effect::AnnounceFundingFailed>) {
                    AnswerFailed(tx, milestone_id, e.reason, e.attempt);
                } else if constexpr (std::is_same_v<E, effect::AnnounceReleased>) {
                    AnswerReleased(tx, *record, e.operation_id, e.kinds, paid);
                } else if constexpr (std::is_same_v<E, effect::AnnounceRefunded>) {
                    AnswerRefunded(tx, *record);
                } else if constexpr (std::is_same_v<E, effect::AnnounceSettled>) {
                    AnswerSettled(tx, *record, e);
                }
            },
            effect);
    }
    return decision;
}

void EscrowFlows::Fund(pqxx::work& tx, const contracts::v1::MilestoneFundingRequested& e) {
    const std::string milestone = EventId(e.milestone_id(), "MilestoneFundingRequested", "milestone_id");
    command::Fund fund{milestone,  e.client_id(), e.contract_id(), e.amount().minor_units(), e.amount().currency(),
                       e.attempt()};
    const auto decision = Run(tx, milestone, fund);
    if (decision.outcome == EscrowOutcome::kApplied) {
        const core::Money amount(decision.escrow->amount, core::Currency::Parse(decision.escrow->currency, "currency"));
        log::Info("escrow funded", {{"milestone_id", milestone}, {"amount", amount.ToString()}});
    }
}

namespace {

command::Release ReleaseOf(const contracts::v1::MilestoneAccepted& e) {
    command::Release release;
    release.milestone_id = EventId(e.milestone_id(), "MilestoneAccepted", "milestone_id");
    release.amount = e.amount().minor_units();
    release.currency = e.amount().currency();
    release.payees = PayeesOf(e.payees());
    if (e.has_clan_split()) release.clan_split = SplitInputOf(e.clan_split());
    release.operation_id = storage::OperationId(storage::OperationKind::kEscrowRelease, release.milestone_id);
    return release;
}

}  // namespace

void EscrowFlows::Release(pqxx::work& tx, const contracts::v1::MilestoneAccepted& e) {
    const auto release = ReleaseOf(e);
    const auto decision = Run(tx, release.milestone_id, release);
    LogReleased(e, decision);
}

void EscrowFlows::LogReleased(const contracts::v1::MilestoneAccepted& e, const EscrowDecision& decision) const {
    const auto* payout = PayOutOf(decision);
    if (decision.outcome != EscrowOutcome::kApplied || payout == nullptr) return;
    const std::string& milestone = decision.escrow->milestone_id;
    if (e.has_clan_split()) {
        const auto& split = e.clan_split();
        log::Info("escrow released to a clan", {{"milestone_id", milestone},
                                                {"clan_id", split.clan_id()},
                                                {"plan_version", static_cast<long long>(split.plan_version())},
                                                {"fee", LegsOfKind(*payout, "platform_fee")},
                                                {"commission", LegsOfKind(*payout, "leader_commission")},
                                                {"legs", static_cast<long long>(payout->legs.size())}});
    } else {
        log::Info("escrow released", {{"milestone_id", milestone},
                                      {"fee", LegsOfKind(*payout, "platform_fee")},
                                      {"legs", static_cast<long long>(payout->legs.size())}});
    }
}

void EscrowFlows::ReleaseMany(pqxx::work& tx, const std::vector<contracts::v1::MilestoneAccepted>& events) {
    // The releases this batch carries out together, and the events left to Release one by one: a
    // second event of a milestone already in the batch, a release that was already done (answered
    // again from the stored legs). A refusal throws: the transaction rolls back and the consumer
    // applies each event alone, so the refused one is parked and the others go through.
    struct Together {
        const contracts::v1::MilestoneAccepted* event;
        command::Release release;
        storage::EscrowRecord record;
        EscrowDecision decision;
    };
    std::vector<Together> together;
    std::vector<const contracts::v1::MilestoneAccepted*> alone;
    std::vector<std::string> milestones;
    std::set<std::string> seen;
    for (const auto& e : events) {
        auto release = ReleaseOf(e);
        if (!seen.insert(release.milestone_id).second) {
            alone.push_back(&e);
            continue;
        }
        milestones.push_back(release.milestone_id);
        together.push_back({&e, std::move(release), {}, {}});
    }
    // The escrows' rows locked FOR UPDATE serialise these releases with every other handler of their
    // milestones (each locks the row before changing anything) without the milestones' advisory
    // locks: those only matter for an escrow not created yet, and a release of a missing escrow is
    // refused here, so its event is applied again alone by Release, which waits on the lock.
    auto records = escrows_.FindForUpdate(tx, milestones);
    const EscrowPolicy policy{config_.platform_fee_bps, config_.max_amount_minor};
    std::vector<Together> paying;
    for (auto& t : together) {
        EscrowLoaded loaded;
        const auto it = records.find(t.release.milestone_id);
        if (it != records.end()) loaded.escrow = ToDomain(it->second);
        t.decision = Decide(loaded, t.release, policy);
        if (t.decision.outcome == EscrowOutcome::kRefused) throw PermanentError(t.decision.reason);
        const bool pays = t.decision.outcome == EscrowOutcome::kApplied && t.decision.effects.size() == 2 &&
                          std::holds_alternative<effect::PayOut>(t.decision.effects[0]) &&
                          std::holds_alternative<effect::AnnounceReleased>(t.decision.effects[1]);
        if (!pays) {
            alone.push_back(t.event);
            continue;
        }
        t.record = it->second;
        paying.push_back(std::move(t));
    }
    if (!paying.empty()) {
        // The credited accounts of every release found or created together, then every operation,
        // its transfers and the balances posted in one statement, and the escrows marked released.
        std::vector<AccountKey> credited;
        for (const auto& t : paying) {
            const auto& payout = std::get<effect::PayOut>(t.decision.effects[0]);
            for (const auto& leg : payout.legs) {
                credited.push_back(
                    leg.to == LegTo::kPlatformFee
                        ? PlatformFeeShard(ShardFor(payout.operation_id, config_.fee_shards), t.record.currency)
                        : WalletOf(leg.user_id, t.record.currency));
            }
        }
        const auto credit = ledger_.EnsureAccounts(tx, credited);
        std::vector<storage::Posting> postings;
        std::vector<std::string> settled, operations;
        std::size_t next = 0;
        for (const auto& t : paying) {
            const auto& payout = std::get<effect::PayOut>(t.decision.effects[0]);
            storage::Posting posting{
                {payout.operation_id, storage::OperationKind::kEscrowRelease, t.record.milestone_id}, {}};
            for (const auto& leg : payout.legs) {
                posting.legs.push_back({t.record.account_id, credit[next++], leg.amount, t.record.currency});
            }
            postings.push_back(std::move(posting));
            settled.push_back(t.record.milestone_id);
            operations.push_back(payout.operation_id);
        }
        const auto now = runtime_.clock()->Now();
        ledger_.Post(tx, postings, now);
        escrows_.Settle(tx, settled, EscrowState::kReleased, operations, now);
        // The answers, appended to the outbox in one statement.
        std::vector<payments::v1::EscrowReleased> answers;
        answers.reserve(paying.size());
        for (const auto& t : paying) {
            const auto& payout = std::get<effect::PayOut>(t.decision.effects[0]);
            const auto& announce = std::get<effect::AnnounceReleased>(t.decision.effects[1]);
            answers.push_back(ReleasedAnswer(tx, t.record, announce.operation_id, announce.kinds, &payout));
        }
        std::vector<service::Runtime::Keyed> published;
        for (std::size_t i = 0; i < paying.size(); ++i)
            published.emplace_back(paying[i].record.milestone_id, &answers[i]);
        runtime_.Publish(tx, published);
        for (const auto& t : paying) LogReleased(*t.event, t.decision);
    }
    for (const auto* e : alone) Release(tx, *e);
}

void EscrowFlows::Refund(pqxx::work& tx, const contracts::v1::MilestoneCancelled& e) {
    const std::string milestone = EventId(e.milestone_id(), "MilestoneCancelled", "milestone_id");
    const auto decision = Run(
        tx, milestone,
        command::Refund{milestone, e.refund(), storage::OperationId(storage::OperationKind::kEscrowRefund, milestone)});
    if (decision.outcome != EscrowOutcome::kApplied) return;
    if (!e.refund()) {
        // The escrow held the client's money: it went back whatever the flag said.
        log::Warn("cancelled milestone without refund flag holds escrow; refunding", {{"milestone_id", milestone}});
    }
    log::Info("escrow refunded", {{"milestone_id", milestone}});
}

void EscrowFlows::LockForDispute(pqxx::work& tx, const contracts::v1::MilestoneDisputed& e) {
    const std::string milestone = EventId(e.milestone_id(), "MilestoneDisputed", "milestone_id");
    const std::string dispute = EventId(e.dispute_id(), "MilestoneDisputed", "dispute_id");
    std::string clan_split;
    if (e.has_clan_split()) google::protobuf::util::MessageToJsonString(e.clan_split(), &clan_split);
    const auto decision = Run(tx, milestone, command::LockForDispute{milestone, dispute, clan_split});
    if (decision.outcome != EscrowOutcome::kApplied) return;
    log::Info("escrow locked for a dispute", {{"milestone_id", milestone}, {"dispute_id", dispute}});
}

void EscrowFlows::UnlockFromDispute(pqxx::work& tx, const contracts::v1::MilestoneDisputeLifted& e) {
    const std::string milestone = EventId(e.milestone_id(), "MilestoneDisputeLifted", "milestone_id");
    const std::string dispute = EventId(e.dispute_id(), "MilestoneDisputeLifted", "dispute_id");
    const auto decision = Run(tx, milestone, command::UnlockFromDispute{dispute});
    if (decision.outcome != EscrowOutcome::kApplied) return;
    log::Info("escrow unlocked: the dispute was withdrawn", {{"milestone_id", milestone}, {"dispute_id", dispute}});
}

void EscrowFlows::SettleDispute(pqxx::work& tx, const disputes::v1::DisputeResolved& e) {
    const std::string milestone = EventId(e.milestone_id(), "DisputeResolved", "milestone_id");
    const std::string dispute = EventId(e.dispute_id(), "DisputeResolved", "dispute_id");
    command::SettleDispute settle;
    settle.milestone_id = milestone;
    settle.dispute_id = dispute;
    settle.outcome = e.outcome();
    settle.escrow_amount = e.escrow().minor_units();
    settle.escrow_currency = e.escrow().currency();
    settle.released = e.released().minor_units();
    settle.released_currency = e.released().currency();
    settle.payees = PayeesOf(e.payees());
    settle.operation_id = storage::OperationId(storage::OperationKind::kDisputeSettlement, milestone);
    const auto decision = Run(tx, milestone, settle);
    const auto* payout = PayOutOf(decision);
    if (decision.outcome != EscrowOutcome::kApplied || payout == nullptr) return;
    log::Info("escrow settled by a dispute", {{"milestone_id", milestone},
                                              {"dispute_id", dispute},
                                              {"released", static_cast<long long>(settle.released)},
                                              {"refunded", LegsOfKind(*payout, "refund")},
                                              {"legs", static_cast<long long>(payout->legs.size())}});
}

void EscrowFlows::AnswerSettled(pqxx::work& tx, const storage::EscrowRecord& escrow,
                                const effect::AnnounceSettled& settled) {
    payments::v1::EscrowSettled out;
    out.set_milestone_id(escrow.milestone_id);
    out.set_dispute_id(settled.dispute_id);
    out.set_outcome(settled.outcome);
    const std::int64_t released = settled.released;
    *out.mutable_amount() = wire::ProtoMoney(escrow.amount, escrow.currency);
    *out.mutable_released() = wire::ProtoMoney(released, escrow.currency);
    *out.mutable_refunded() = wire::ProtoMoney(escrow.amount - released, escrow.currency);
    const std::string op_id = storage::OperationId(storage::OperationKind::kDisputeSettlement, escrow.milestone_id);
    // A clan's settlement: the commission and the members' parts in leg order, as the plan divided
    // the released part, then the refund.
    const auto& kinds = settled.kinds;
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
        *leg->mutable_amount() = wire::ProtoMoney(t.amount, t.currency);
    }
    runtime_.Publish(tx, escrow.milestone_id, out);
}

void EscrowFlows::AnswerFunded(pqxx::work& tx, const std::string& milestone_id, std::int64_t amount,
                               const std::string& currency, int attempt) {
    payments::v1::EscrowFunded out;
    out.set_milestone_id(milestone_id);
    *out.mutable_amount() = wire::ProtoMoney(amount, currency);
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
                                 const std::vector<std::string>& kinds, const effect::PayOut* paid) {
    runtime_.Publish(tx, escrow.milestone_id, ReleasedAnswer(tx, escrow, operation_id, kinds, paid));
}

payments::v1::EscrowReleased EscrowFlows::ReleasedAnswer(pqxx::work& tx, const storage::EscrowRecord& escrow,
                                                         const std::string& operation_id,
                                                         const std::vector<std::string>& kinds,
                                                         const effect::PayOut* paid) const {
    payments::v1::EscrowReleased out;
    out.set_milestone_id(escrow.milestone_id);
    *out.mutable_amount() = wire::ProtoMoney(escrow.amount, escrow.currency);
    // The platform's fee leg, or the next payee's (named by `kinds` in leg order, else "payee").
    std::size_t next_kind = 0;
    const auto add_leg = [&](bool fee, const std::string& user_id, std::int64_t amount, const std::string& currency) {
        auto* leg = out.add_legs();
        if (fee) {
            leg->set_kind("platform_fee");
        } else {
            leg->set_kind(next_kind < kinds.size() ? kinds[next_kind] : "payee");
            ++next_kind;
            leg->set_user_id(user_id);
        }
        *leg->mutable_amount() = wire::ProtoMoney(amount, currency);
    };
    if (paid != nullptr) {
        // Released just now: the legs are those posted, in leg order (no need to read them back).
        for (const auto& posted : paid->legs) {
            const bool fee = posted.to == LegTo::kPlatformFee;
            add_leg(fee, fee ? std::string() : WalletOf(posted.user_id, escrow.currency).owner, posted.amount,
                    escrow.currency);
        }
        return out;
    }
    // Released before (a replay): the answer names the stored legs.
    for (const auto& t : ledger_.TransfersOf(tx, operation_id)) {
        add_leg(t.credit_kind == AccountKind::kPlatformFees, t.credit_owner, t.amount, t.currency);
    }
    return out;
}

void EscrowFlows::AnswerRefunded(pqxx::work& tx, const storage::EscrowRecord& escrow) {
    payments::v1::EscrowRefunded out;
    out.set_milestone_id(escrow.milestone_id);
    *out.mutable_amount() = wire::ProtoMoney(escrow.amount, escrow.currency);
    runtime_.Publish(tx, escrow.milestone_id, out);
}

}  // namespace marketplace::payments
