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

/// The stored forms are the domain's aggregates.
using JobRecord = Job;
using ProposalRecord = Proposal;
using InviteRecord = Invite;

/// One page of rows and the cursor after its last row (none on the last page).
template <typename Row>
struct Page {
    std::vector<Row> rows;
    std::optional<PageCursor> next;
};

/// Row locks taken by the finders.
using RowLock = db::RowLock;

}  // namespace marketplace::jobs
