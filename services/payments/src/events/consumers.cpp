#include "events/consumers.hpp"

#include "marketplace/contracts/v1/events.pb.h"

namespace marketplace::payments {

void RouteContractEvents(service::EventRouter& router, EscrowFlows& flows) {
    using messaging::IncomingEvent;
    router.On<contracts::v1::MilestoneFundingRequested>([&flows](pqxx::work& tx,
                                                                 const contracts::v1::MilestoneFundingRequested& e,
                                                                 const IncomingEvent&) { flows.Fund(tx, e); });
    router.On<contracts::v1::MilestoneAccepted>([&flows](pqxx::work& tx, const contracts::v1::MilestoneAccepted& e,
                                                         const IncomingEvent&) { flows.Release(tx, e); });
    // Releases applied together (a consumer's batch, concurrent callers of an InboxApplier) share
    // their statements.
    router.OnBatch<contracts::v1::MilestoneAccepted>(
        [&flows](pqxx::work& tx, const std::vector<contracts::v1::MilestoneAccepted>& events,
                 const std::vector<const IncomingEvent*>&) { flows.ReleaseMany(tx, events); });
    router.On<contracts::v1::MilestoneCancelled>([&flows](pqxx::work& tx, const contracts::v1::MilestoneCancelled& e,
                                                          const IncomingEvent&) { flows.Refund(tx, e); });
    router.On<contracts::v1::MilestoneDisputed>([&flows](pqxx::work& tx, const contracts::v1::MilestoneDisputed& e,
                                                         const IncomingEvent&) { flows.LockForDispute(tx, e); });
    router.On<contracts::v1::MilestoneDisputeLifted>(
        [&flows](pqxx::work& tx, const contracts::v1::MilestoneDisputeLifted& e, const IncomingEvent&) {
            flows.UnlockFromDispute(tx, e);
        });
    router.On<disputes::v1::DisputeResolved>([&flows](pqxx::work& tx, const disputes::v1::DisputeResolved& e,
                                                      const IncomingEvent&) { flows.SettleDispute(tx, e); });
}

}  // namespace marketplace::payments
