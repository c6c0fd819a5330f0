#pragma once
// GitHub webhooks, the pure part: repository names, the X-Hub-Signature-256 check (HMAC-SHA256 of
// the raw body under the link's secret, compared in constant time), and what a delivery of the
// kept events (pull_request, check_run, check_suite, status) says, read from GitHub's JSON payload.
// No database, no RPC.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "marketplace/core/clock.hpp"

namespace marketplace::workroom {

/// The largest delivery body the workroom reads (GitHub caps payloads at 25 MB; the events kept
/// here are a few KiB).
inline constexpr std::size_t kMaxDeliveryBytes = 1024 * 1024;

/// Throws InvalidArgument("repository") unless `name` is "owner/repo": an owner of 1..39 of
/// A-Z a-z 0-9 and "-" (not starting with "-"), a repo of 1..100 of A-Z a-z 0-9 . _ - (not "." or "..").
void RequireRepositoryName(std::string_view name);

/// "sha256=" and the lowercase hex HMAC-SHA256 of `body` under `secret`: what GitHub sends.
std::string GitHubSignature(std::string_view secret, std::string_view body);

/// Whether `header` (X-Hub-Signature-256) is the signature of `body` under `secret`; the hex digits
/// are compared in constant time.
bool GitHubSignatureMatches(std::string_view secret, std::string_view body, std::string_view header);

/// A pull request as a `pull_request` delivery describes it.
struct PullRequestFacts {
    std::int64_t number = 0;
    std::string title;
    std::string state;  // open, closed, merged
    std::string author_login;
    std::string head_sha;
    std::string head_ref;
    std::string url;
};

/// A check as a `check_run`, `check_suite` or `status` delivery describes it.
struct CheckFacts {
    std::string source;  // check_run, check_suite, status
    std::string name;
    std::string state;  // pending, or the conclusion / the status's state
    std::string head_sha;
    std::string details_url;
};

/// What one delivery says. `kept` is false for events the workroom does not keep (ping, push, ...).
struct DeliveryFacts {
    bool kept = false;
    /// The payload's repository.full_name.
    std::string repository;
    /// The event's own time from the signed payload: the pull request's updated_at, the check run's
    /// completed_at (or started_at), the suite's updated_at, the status's updated_at.
    core::Clock::TimePoint event_time{};
    std::optional<PullRequestFacts> pull_request;
    std::optional<CheckFacts> check;
};

/// Reads a delivery of `event` (the X-GitHub-Event header). Throws InvalidArgument("body") when
/// the JSON is malformed or lacks a field the event needs.
DeliveryFacts ReadDelivery(std::string_view event, std::string_view body);

/// RFC 3339 as GitHub writes it ("2026-12-06T21:04:05Z", "2026-12-06T22:04:05+01:00"); nullopt
/// when it is not one.
std::optional<core::Clock::TimePoint> ParseGitHubTime(std::string_view text);

/// The checks together: "none", "pending", "failure" or "success" (see CheckResult in the proto).
std::string CombinedCheckState(const std::vector<std::string>& states);

}  // namespace marketplace::workroom
