#pragma once
// Rows of the jobs database as the service uses them. Times are microseconds since the Unix epoch
// (PostgreSQL's timestamptz resolution), taken from the injected clock.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "domain/job.hpp"
#include "domain/page_token.hpp"
#include "domain/proposal.hpp"
#include "marketplace/db/values.hpp"

namespace marketplace::jobs {

struct JobRecord {
    std::string job_id;
    std::string client_id;
    JobSpec spec;
    JobStatus status = JobStatus::kOpen;
    std::string accepted_proposal_id;  // empty unless in progress
    std::int64_t created_micros = 0;
    std::int64_t updated_micros = 0;
};

struct ProposalRecord {
    std::string proposal_id;
    std::string job_id;
    std::string freelancer_id;
    ProposalPlan plan;
    ProposalStatus status = ProposalStatus::kSubmitted;
    std::int64_t created_micros = 0;
    std::int64_t updated_micros = 0;
};

struct InviteRecord {
    std::string invite_id;
    std::string job_id;
    std::string job_title;
    std::string client_id;
    std::string freelancer_id;
    std::string message;
    std::int64_t created_micros = 0;
};

/// One page of rows and the cursor after its last row (none on the last page).
template <typename Row>
struct Page {
    std::vector<Row> rows;
    std::optional<PageCursor> next;
};

/// Row locks taken by the finders.
using RowLock = db::RowLock;

}  // namespace marketplace::jobs
