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
//
// Each handler is the same workflow: serialise on the milestone, load the escrow, let the pure
// decider (domain/escrow.hpp) decide, then carry out its effects (ledger legs, the escrow's row,
// answers published through the outbox). A refusal is a PermanentError: the event is parked as a
// dead letter.
#include <memory>
#include <string>
#include <vector>

#include <pqxx/transaction>

#include "app/config.hpp"
#include "domain/escrow.hpp"
#include "marketplace/contracts/v1/events.pb.h"
#include "marketplace/disputes/v1/events.pb.h"
#include "marketplace/payments/v1/events.pb.h"
#include "marketplace/service/runtime.hpp"
#include "storage/escrow_store.hpp"
#include "storage/ledger_store.hpp"

namespace marketplace::payments {

class EscrowFlows final {
public:
    EscrowFlows(service::Runtime& runtime, const PaymentsConfig& config);

    void Fund(pqxx::work& tx, const contracts::v1::MilestoneFundingRequested& event);
    void Release(pqxx::work& tx, const contracts::v1::MilestoneAccepted& event);
    /// Releases several milestones in one transaction with a few statements for all of them: their
    /// escrows (locked), credited accounts, operations with transfers and balances, escrow rows and
    /// answers each in one statement. The same outcome as Release for each event in turn; a refused
    /// release throws (PermanentError) and the caller applies the events one by one.
    void ReleaseMany(pqxx::work& tx, const std::vector<contracts::v1::MilestoneAccepted>& events);
    void Refund(pqxx::work& tx, const contracts::v1::MilestoneCancelled& event);
    void LockForDispute(pqxx::work& tx, const contracts::v1::MilestoneDisputed& event);
    void UnlockFromDispute(pqxx::work& tx, const contracts::v1::MilestoneDisputeLifted& event);
    void SettleDispute(pqxx::work& tx, const disputes::v1::DisputeResolved& event);

    /// The escrow of a milestone (for views), nullopt when none was funded.
    std::optional<storage::EscrowRecord> Find(pqxx::work& tx, const std::string& milestone_id) const;
    const storage::EscrowStore& escrows() const noexcept { return escrows_; }

private:
    /// Lock the milestone, load its escrow (and for a funding request the answer to its attempt and
    /// the client's wallet), decide, carry out. Returns the decision for the caller's log lines.
    EscrowDecision Run(pqxx::work& tx, const std::string& milestone_id, const EscrowCommand& command);
    void AnswerFunded(pqxx::work& tx, const std::string& milestone_id, std::int64_t amount, const std::string& currency,
                      int attempt);
    void AnswerFailed(pqxx::work& tx, const std::string& milestone_id, const std::string& reason, int attempt);
    /// EscrowReleased: with the legs `paid` just posted, or (a replay, `paid` null) the stored ones.
    void AnswerReleased(pqxx::work& tx, const storage::EscrowRecord& escrow, const std::string& operation_id,
                        const std::vector<std::string>& kinds, const effect::PayOut* paid);
    payments::v1::EscrowReleased ReleasedAnswer(pqxx::work& tx, const storage::EscrowRecord& escrow,
                                                const std::string& operation_id, const std::vector<std::string>& kinds,
                                                const effect::PayOut* paid) const;
    void AnswerRefunded(pqxx::work& tx, const storage::EscrowRecord& escrow);
    void LogReleased(const contracts::v1::MilestoneAccepted& event, const EscrowDecision& decision) const;
    void AnswerSettled(pqxx::work& tx, const storage::EscrowRecord& escrow, const effect::AnnounceSettled& settled);

    service::Runtime& runtime_;
    const PaymentsConfig& config_;
    storage::LedgerStore ledger_;
    storage::EscrowStore escrows_;
};

}  // namespace marketplace::payments
