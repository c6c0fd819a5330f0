#pragma once
// The escrow side of the sagas (docs/ARCHITECTURE.md, "The sagas"), driven by contracts' events. Each handler runs in
// the consumer's transaction, serialises on the milestone, checks the escrow's state before
// moving anything, and publishes its answer in the same transaction:
//   MilestoneFundingRequested -> client wallet -> escrow, EscrowFunded; or EscrowFundingFailed
//                                (nothing moved). A funded escrow answers EscrowFunded again.
//   MilestoneAccepted         -> escrow -> platform fee + payees in one operation, EscrowReleased; with a
//                                clan_split: fee + the leader's commission + each member's part.
//   MilestoneCancelled        -> escrow -> client wallet, EscrowRefunded.
//   MilestoneDisputed         -> the escrow is locked for the dispute: no release or refund but its
//                                resolution (a MilestoneAccepted or MilestoneCancelled meanwhile is a
//                                bug elsewhere and is parked as a dead letter, not paid).
//   MilestoneDisputeLifted    -> unlocked (the dispute was withdrawn).
//   DisputeResolved           -> escrow -> fee + payees (released part) + client wallet (the rest) in
//                                one operation, EscrowSettled.
// Released or refunded at most once: the escrow's state, the operation's deterministic id
// ("escrow_release:<milestone>") with unique (operation_id, leg), and a unique settlement per
// milestone in the operations table all say so.
#include <memory>
#include <string>
#include <vector>

#include <pqxx/transaction>

#include "app/config.hpp"
#include "domain/clan_split.hpp"
#include "domain/ledger_rules.hpp"
#include "domain/release_plan.hpp"
#include "marketplace/contracts/v1/events.pb.h"
#include "marketplace/disputes/v1/events.pb.h"
#include "marketplace/service/runtime.hpp"
#include "storage/escrow_store.hpp"
#include "storage/ledger_store.hpp"

namespace marketplace::payments {

class EscrowFlows final {
public:
    EscrowFlows(service::Runtime& runtime, const PaymentsConfig& config);

    void Fund(pqxx::work& tx, const contracts::v1::MilestoneFundingRequested& event);
    void Release(pqxx::work& tx, const contracts::v1::MilestoneAccepted& event);
    void Refund(pqxx::work& tx, const contracts::v1::MilestoneCancelled& event);
    void LockForDispute(pqxx::work& tx, const contracts::v1::MilestoneDisputed& event);
    void UnlockFromDispute(pqxx::work& tx, const contracts::v1::MilestoneDisputeLifted& event);
    void SettleDispute(pqxx::work& tx, const disputes::v1::DisputeResolved& event);

    /// The escrow of a milestone (for views), nullopt when none was funded.
    std::optional<storage::EscrowRecord> Find(pqxx::work& tx, const std::string& milestone_id) const;
    const storage::EscrowStore& escrows() const noexcept { return escrows_; }

private:
    /// The legs that pay a release plan out of `escrow`: the platform fee to a fee shard, then each
    /// payee's part to their wallet (a part of zero has no leg).
    std::vector<Leg> ReleaseLegs(pqxx::work& tx, const storage::EscrowRecord& escrow, const std::string& op_id,
                                 const ReleasePlan& plan, const std::vector<PayeeShare>& payees);
    void AnswerFunded(pqxx::work& tx, const std::string& milestone_id, std::int64_t amount, const std::string& currency,
                      int attempt);
    void AnswerFailed(pqxx::work& tx, const std::string& milestone_id, const std::string& reason, int attempt);
    /// A clan's release (MilestoneAccepted with a clan_split): fee, the leader's commission and the
    /// members' parts of the plan in force in one operation.
    void ReleaseToClan(pqxx::work& tx, const contracts::v1::MilestoneAccepted& event,
                       const storage::EscrowRecord& escrow, const std::string& op_id);
    /// The legs paying `released` of a clan's disputed escrow by the plan stored when the dispute held
    /// it (the refund is the caller's).
    std::vector<Leg> ClanSettlementLegs(pqxx::work& tx, const storage::EscrowRecord& escrow, const std::string& op_id,
                                        std::int64_t released, const std::string& where);
    /// The legs out of the escrow that pay `plan`: the fee to a shard, the commission to the split's
    /// leader, each member's part to their wallet; a part of zero has no leg.
    std::vector<Leg> ClanLegs(pqxx::work& tx, const storage::EscrowRecord& escrow, const std::string& op_id,
                              const ClanReleasePlan& plan, const contracts::v1::ClanSplit& split);
    /// The clan split stored on a disputed escrow.
    contracts::v1::ClanSplit StoredClanSplit(const storage::EscrowRecord& escrow, const std::string& where) const;
    /// The clan plan's division of the escrow; a plan that can never apply is a PermanentError.
    ClanReleasePlan PlanForClan(const contracts::v1::MilestoneAccepted& event,
                                const storage::EscrowRecord& escrow) const;
    /// The kinds of a clan release's non-fee legs, in leg order ("leader_commission", "member_share").
    std::vector<std::string> ClanLegKinds(const contracts::v1::MilestoneAccepted& event,
                                          const storage::EscrowRecord& escrow) const;
    /// EscrowReleased with the operation's legs; `kinds` names the non-fee legs in order ("payee"
    /// when empty).
    void AnswerReleased(pqxx::work& tx, const storage::EscrowRecord& escrow, const std::string& operation_id,
                        const std::vector<std::string>& kinds = {});
    void AnswerRefunded(pqxx::work& tx, const storage::EscrowRecord& escrow);
    void AnswerSettled(pqxx::work& tx, const storage::EscrowRecord& escrow, const std::string& dispute_id,
                       const std::string& outcome, std::int64_t released);

    service::Runtime& runtime_;
    const PaymentsConfig& config_;
    storage::LedgerStore ledger_;
    storage::EscrowStore escrows_;
};

}  // namespace marketplace::payments
