#pragma once
// The clan half of proposals, between the wire and the domain: a clan's team plan and split from a
// SubmitProposalRequest, and a clan's application as the Proposal message shows it.
#include <vector>

#include "domain/team_plan.hpp"
#include "marketplace/jobs/v1/jobs.pb.h"
#include "storage/clan_application_store.hpp"

namespace marketplace::jobs {

std::vector<TeamMemberInput> TeamFrom(const v1::SubmitProposalRequest& request);
std::vector<SplitShareInput> SplitFrom(const v1::SubmitProposalRequest& request);
void ToProto(const ClanApplicationRecord& app, const core::Currency& currency, v1::ClanApplication* out);

}  // namespace marketplace::jobs
