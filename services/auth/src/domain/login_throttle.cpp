#include "domain/login_throttle.hpp"

#include <algorithm>

namespace marketplace::auth {

ThrottleDecision DecideThrottle(std::vector<core::Clock::TimePoint> failures, core::Clock::TimePoint now,
                                const ThrottlePolicy& policy) {
    const auto window_start = now - policy.window;
    std::erase_if(failures, [&](core::Clock::TimePoint t) { return t <= window_start; });
    const auto count = static_cast<int>(failures.size());
    if (count < policy.max_failures) return {};
    std::sort(failures.begin(), failures.end());
    // Attempts resume once only max_failures - 1 failures remain in the window: when the failure at
    // index count - max_failures leaves it.
    const auto frees_at = failures[static_cast<std::size_t>(count - policy.max_failures)] + policy.window;
    auto wait = std::chrono::ceil<std::chrono::seconds>(frees_at - now);
    if (wait < std::chrono::seconds(1)) wait = std::chrono::seconds(1);
    return {true, wait};
}

}  // namespace marketplace::auth
