#pragma once
// Payout plans and proposals of new plan versions on the wire.
#include "marketplace/clans/v1/clans.pb.h"
#include "storage/plan_store.hpp"

namespace marketplace::clans::api {

void PlanToProto(const storage::PayoutPlanRecord& plan, v1::PayoutPlan* out);
void ProposalToProto(const storage::PlanProposalRecord& proposal, v1::PlanVersionProposal* out);

}  // namespace marketplace::clans::api
