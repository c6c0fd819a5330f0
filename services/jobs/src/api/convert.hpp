#pragma once
// Between the wire (marketplace.jobs.v1) and the domain: requests become inputs the domain
// validates; records become messages.
#include <cstdint>
#include <optional>
#include <string_view>

#include "domain/job.hpp"
#include "domain/proposal.hpp"
#include "domain/templates.hpp"
#include "marketplace/common/v1/money.pb.h"
#include "marketplace/jobs/v1/jobs.pb.h"
#include "storage/records.hpp"

namespace google::protobuf {
class Timestamp;
}

namespace marketplace::jobs {

MoneyInput MoneyFrom(bool present, const common::v1::Money& money);

JobInput JobInputFrom(const v1::PostJobRequest& request);
/// The editable fields of a Job message (UpdateJob's `job`).
JobInput JobInputFrom(const v1::Job& job);
ProposalInput ProposalInputFrom(const v1::SubmitProposalRequest& request);

/// A job status from the wire; InvalidArgument(field) for UNSPECIFIED or an unknown value.
JobStatus JobStatusFrom(v1::JobStatus status, std::string_view field);
/// A status filter: nullopt for UNSPECIFIED; InvalidArgument(field) for an unknown value.
std::optional<JobStatus> JobStatusFilter(v1::JobStatus status, std::string_view field);
std::optional<ProposalStatus> ProposalStatusFilter(v1::ProposalStatus status, std::string_view field);

v1::JobStatus ToProto(JobStatus status);
v1::ProposalStatus ToProto(ProposalStatus status);
void ToProto(const JobRecord& job, v1::Job* out);
void ToProto(const ProposalRecord& proposal, v1::Proposal* out);
void ToProto(const InviteRecord& invite, v1::Invite* out);
void ToProto(const ProjectTemplate& tmpl, v1::ProjectTemplate* out);

}  // namespace marketplace::jobs
