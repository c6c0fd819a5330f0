#include "domain/search.hpp"

#include <algorithm>

#include "domain/limits.hpp"
#include "domain/text_rules.hpp"
#include "marketplace/core/errors.hpp"

namespace marketplace::jobs {

SearchSpec ValidateSearch(const SearchInput& input, const std::optional<Caller>& caller) {
    SearchSpec spec;
    spec.query = RequireText("query", input.query, 0, kMaxSearchQueryChars);
    for (const auto& entry : ValidateStack("stack", input.stack)) spec.stack_keys.push_back(LowerAscii(entry));
    std::sort(spec.stack_keys.begin(), spec.stack_keys.end());

    const auto min = OptionalPositiveMoney("budget_min", input.budget_min);
    const auto max = OptionalPositiveMoney("budget_max", input.budget_max);
    if (min && max) {
        if (min->currency() != max->currency()) {
            throw core::InvalidArgument("budget_max.currency",
                                        "must equal budget_min.currency (" + std::string(min->currency().code()) + ")");
        }
        if (max->minor_units() < min->minor_units()) throw core::InvalidArgument("budget_max", "must be >= budget_min");
    }
    if (min) {
        spec.currency = std::string(min->currency().code());
        spec.budget_min = min->minor_units();
    }
    if (max) {
        spec.currency = std::string(max->currency().code());
        spec.budget_max = max->minor_units();
    }

    for (const auto status : input.statuses) {
        if (std::find(spec.statuses.begin(), spec.statuses.end(), status) == spec.statuses.end()) {
            spec.statuses.push_back(status);
        }
    }
    if (spec.statuses.empty()) spec.statuses.push_back(JobStatus::kOpen);
    std::sort(spec.statuses.begin(), spec.statuses.end());
    if (!caller && (spec.statuses.size() != 1 || spec.statuses.front() != JobStatus::kOpen)) {
        throw core::Unauthenticated("sign in to search jobs that are not open");
    }
    if (caller) {
        spec.viewer_id = caller->user_id;
        spec.viewer_sees_all = caller->is_admin();
    }

    spec.page_size = ResolvePageSize(input.page_size);
    std::vector<std::string> parts{"search", spec.query, spec.currency,
                                   spec.budget_min ? std::to_string(*spec.budget_min) : "-",
                                   spec.budget_max ? std::to_string(*spec.budget_max) : "-"};
    for (const auto& key : spec.stack_keys) parts.push_back("stack:" + key);
    for (const auto status : spec.statuses) parts.push_back("status:" + std::string(JobStatusName(status)));
    spec.fingerprint = Fingerprint(parts);
    spec.after = DecodePageToken(input.page_token, spec.fingerprint);
    return spec;
}

}  // namespace marketplace::jobs
