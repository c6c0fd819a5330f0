#pragma once
// Consumers of contracts' and payments' events (the mapping is in notices.hpp):
//   contracts.events.v1  ContractCreated     -> the read model of parties and milestones, both
//                                               parties' notifications, and the notices that waited
//                                               for this contract
//                        MilestoneSubmitted, MilestoneAccepted, MilestoneRejected, MilestoneCancelled
//   payments.events.v1   EscrowFunded, EscrowFundingFailed, EscrowReleased, EscrowRefunded,
//                        PayoutCompleted
//   disputes.events.v1   DisputeStepped, DisputeDeadlineNear
//   auth.events.v1       AccountNotice       -> the account owner's notification (password reset
//                                               token, registration attempt, sessions ended)
//   workroom.events.v1   MemberMentioned
// Each runs in the consumer's transaction, after the inbox claimed the event, so a redelivered
// event writes nothing; the notifications' unique (user, event, kind) backs that up. A notice about
// a contract not known yet (its ContractCreated comes on another topic and may be handled later)
// waits in pending_notices and is written when ContractCreated arrives.
#include <string>
#include <vector>

#include <pqxx/transaction>

#include "domain/notice.hpp"
#include "marketplace/contracts/v1/events.pb.h"
#include "marketplace/payments/v1/events.pb.h"
#include "marketplace/service/event_router.hpp"
#include "marketplace/service/runtime.hpp"

namespace marketplace::notifications {

inline constexpr char kContractsTopic[] = "contracts.events.v1";
inline constexpr char kPaymentsTopic[] = "payments.events.v1";

class NotificationEvents final {
public:
    explicit NotificationEvents(service::Runtime& runtime) : runtime_(runtime) {}

    void OnContractCreated(pqxx::work& tx, const contracts::v1::ContractCreated& e, const std::string& event_id) const;
    /// Writes `notice` for its recipients now, or keeps it until its contract is known. Returns
    /// how many notifications it wrote.
    int Deliver(pqxx::work& tx, const Notice& notice, const std::string& event_id) const;

    /// A router dispatching every event above by its type; an event that cannot name its subject
    /// is a messaging::PermanentError (dead-lettered).
    service::EventRouter Router() const;
    /// Registers the consumer with the runtime (before Start).
    void Register(service::Runtime& runtime) const;

private:
    int Write(pqxx::work& tx, const Notice& notice, const std::optional<Parties>& parties,
              const std::string& event_id) const;

    service::Runtime& runtime_;
};

}  // namespace marketplace::notifications
