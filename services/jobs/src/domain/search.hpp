#pragma once
// Job search requests: the text query, the filters and the page, validated. Without a token a
// search sees open jobs only; with one, a job that is not open is found only by those GetJob shows
// it to: its client, admins, and freelancers with a proposal on it or an invite to it.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "domain/access.hpp"
#include "domain/job.hpp"
#include "domain/money_input.hpp"
#include "domain/page_token.hpp"

namespace marketplace::jobs {

struct SearchInput {
    std::string query;
    std::vector<std::string> stack;
    MoneyInput budget_min;
    MoneyInput budget_max;
    std::vector<JobStatus> statuses;
    std::int32_t page_size = 0;
    std::string page_token;
};

struct SearchSpec {
    std::string query;                       // trimmed; empty matches every job
    std::vector<std::string> stack_keys;     // lower-cased; a job must hold all of them
    std::string currency;                    // the budget filters' currency, or empty for any
    std::optional<std::int64_t> budget_min;  // the job's budget_max must reach it
    std::optional<std::int64_t> budget_max;  // the job's budget_min must not exceed it
    std::vector<JobStatus> statuses;         // never empty
    std::int32_t page_size = 0;
    std::optional<PageCursor> after;
    std::string fingerprint;  // of everything but the page
    /// Who searches (empty for anonymous callers): jobs that are not open are limited to those this
    /// viewer participates in, unless the viewer is an admin.
    std::string viewer_id;
    bool viewer_sees_all = false;
};

/// Validates a search. Errors: "query", "stack[i]", "budget_min", "budget_max(.currency)",
/// "page_size", "page_token"; core::Unauthenticated when an anonymous caller (`caller` empty) asks
/// for statuses other than open.
SearchSpec ValidateSearch(const SearchInput& input, const std::optional<Caller>& caller);

}  // namespace marketplace::jobs
