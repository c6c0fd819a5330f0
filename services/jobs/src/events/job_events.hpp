#pragma once
// The events the jobs service publishes (proto/marketplace/jobs/v1/events.proto), built from its
// records. Published with the job id as the key, so a job's events stay in order.
#include "marketplace/jobs/v1/events.pb.h"
#include "storage/records.hpp"

namespace marketplace::jobs {

v1::JobPosted MakeJobPosted(const JobRecord& job);
v1::ProposalSubmitted MakeProposalSubmitted(const ProposalRecord& proposal);
/// The accepted proposal with the job's scope: what contracts needs to create the contract.
v1::ProposalAccepted MakeProposalAccepted(const JobRecord& job, const ProposalRecord& proposal);

}  // namespace marketplace::jobs
