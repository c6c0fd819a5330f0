#pragma once
// Throttling of failed logins (per account and per source address): after `max_failures` failures
// within `window`, further attempts are refused until enough of those failures are older than the
// window. The failures themselves are rows in PostgreSQL (storage/login_failures.hpp); this is the
// rule applied to them.
#include <chrono>
#include <vector>

#include "marketplace/core/clock.hpp"

namespace marketplace::auth {

struct ThrottlePolicy {
    int max_failures = 5;
    std::chrono::seconds window{15 * 60};
};

struct ThrottleDecision {
    bool blocked = false;
    /// When blocked: how long until an attempt is allowed again (at least one second).
    std::chrono::seconds retry_after{0};
};

/// Judges one key (an account or a source) from the times of its recorded failures (any order; those
/// older than the window are ignored).
ThrottleDecision DecideThrottle(std::vector<core::Clock::TimePoint> failures, core::Clock::TimePoint now,
                                const ThrottlePolicy& policy);

}  // namespace marketplace::auth
