#pragma once
// What payments consumes from contracts.events.v1: the three escrow commands of the sagas.
#include "app/escrow_flows.hpp"
#include "marketplace/service/event_router.hpp"

namespace marketplace::payments {

inline constexpr char kContractsTopic[] = "contracts.events.v1";

/// Routes MilestoneFundingRequested, MilestoneAccepted, MilestoneCancelled, MilestoneDisputed and
/// MilestoneDisputeLifted (contracts.events.v1) and DisputeResolved (disputes.events.v1) to `flows`;
/// other events of those topics are skipped.
void RouteContractEvents(service::EventRouter& router, EscrowFlows& flows);

}  // namespace marketplace::payments
