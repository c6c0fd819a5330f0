#pragma once
// Consumers of other services' events, and the auto-release timer:
//   jobs.events.v1      ProposalAccepted      -> the contract and its milestones (once per proposal)
//   payments.events.v1  EscrowFunded          -> funding_pending -> funded
//                       EscrowFundingFailed   -> funding_pending -> funding_required (reason kept)
//                       EscrowReleased        -> accepted -> paid
//                       EscrowRefunded        -> cancel_pending -> cancelled (refunded)
//                       EscrowSettled         -> disputed -> paid | refunded | split_paid
//   disputes.events.v1  DisputeOpened         -> funded | submitted | changes_requested -> disputed
//                                                (or MilestoneDisputeRefused when it is too late)
//                       DisputeWithdrawn      -> disputed -> the state before it
//   clans.events.v1     ClanCreated, ClanMemberChanged -> the read model of clans' rosters
//                       PayoutSplitLocked     -> a locked version of a clan contract's payout plan
//   timer milestone.auto_release              -> submitted -> accepted (auto_released)
//   timer milestone.funding_timeout           -> funding_pending -> funding_required
// Each handler runs inside the consumer's (or scheduler's) transaction and checks the current
// state, so replayed, late or stale events change nothing.
#include <chrono>
#include <pqxx/transaction>
#include <string>
#include <vector>

#include "app/milestone_workflow.hpp"
#include "marketplace/clans/v1/events.pb.h"
#include "marketplace/disputes/v1/events.pb.h"
#include "marketplace/jobs/v1/events.pb.h"
#include "marketplace/messaging/timers.hpp"
#include "marketplace/payments/v1/events.pb.h"
#include "marketplace/service/event_router.hpp"
#include "marketplace/service/runtime.hpp"

namespace marketplace::contracts {

inline constexpr char kJobsTopic[] = "jobs.events.v1";
inline constexpr char kPaymentsTopic[] = "payments.events.v1";
inline constexpr char kClansTopic[] = "clans.events.v1";

class EventConsumers final {
public:
    /// `review_period`: how long new contracts give the client to answer a submission.
    EventConsumers(service::Runtime& runtime, std::chrono::seconds review_period,
                   std::chrono::seconds funding_timeout = kDefaultFundingTimeout);

    /// Creates the contract of an accepted proposal unless it exists; returns whether it did.
    /// An event that can never make a contract (bad ids, amounts) throws messaging::PermanentError.
    bool OnProposalAccepted(pqxx::work& tx, const jobs::v1::ProposalAccepted& event) const;
    void OnEscrowFunded(pqxx::work& tx, const payments::v1::EscrowFunded& event) const;
    void OnEscrowFundingFailed(pqxx::work& tx, const payments::v1::EscrowFundingFailed& event) const;
    void OnEscrowReleased(pqxx::work& tx, const payments::v1::EscrowReleased& event) const;
    void OnEscrowRefunded(pqxx::work& tx, const payments::v1::EscrowRefunded& event) const;
    void OnEscrowSettled(pqxx::work& tx, const payments::v1::EscrowSettled& event) const;
    void OnDisputeOpened(pqxx::work& tx, const disputes::v1::DisputeOpened& event) const;
    void OnDisputeWithdrawn(pqxx::work& tx, const disputes::v1::DisputeWithdrawn& event) const;
    /// The clan's HEAD, at members_version 1.
    void OnClanCreated(pqxx::work& tx, const clans::v1::ClanCreated& event) const;
    /// A member's new standing, unless a later change is recorded.
    void OnClanMemberChanged(pqxx::work& tx, const clans::v1::ClanMemberChanged& event) const;
    /// A locked version of a clan contract's payout plan (recorded once per proposal and version).
    void OnPayoutSplitLocked(pqxx::work& tx, const clans::v1::PayoutSplitLocked& event) const;
    /// The auto-release timer fired for the milestone `timer.key`.
    void OnAutoRelease(pqxx::work& tx, const messaging::Timer& timer) const;
    /// The funding timer fired for the milestone `timer.key` and the attempt in its payload.
    void OnFundingTimeout(pqxx::work& tx, const messaging::Timer& timer) const;

    /// A router dispatching every event above by its type (its topics follow from the types).
    service::EventRouter Router() const;
    /// Registers the consumer and the timer with the runtime (before Start).
    void Register(service::Runtime& runtime) const;

private:
    /// Records what a clan milestone's release or settlement paid (nothing for other contracts).
    void RecordClanLegs(pqxx::work& tx, const storage::MilestoneContext& context,
                        const google::protobuf::RepeatedPtrField<payments::v1::ReleaseLeg>& legs) const;
    void RequireAmount(pqxx::work& tx, const std::string& milestone_id, const common::v1::Money& amount,
                       const char* event) const;

    service::Runtime& runtime_;
    MilestoneWorkflow workflow_;
    std::chrono::seconds review_period_;
};

}  // namespace marketplace::contracts
