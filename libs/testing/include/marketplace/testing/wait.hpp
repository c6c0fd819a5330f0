#pragma once
// Polling for tests: wait until something observable happens instead of sleeping a fixed time.
#include <algorithm>
#include <chrono>
#include <functional>
#include <thread>

namespace marketplace::testing {

/// Calls `condition` every `poll` until it returns true or `timeout` has passed; returns whether it became
/// true. The condition is checked once more at the deadline, so a slow last poll does not lose the answer.
inline bool WaitUntil(const std::function<bool()>& condition, std::chrono::milliseconds timeout,
                      std::chrono::milliseconds poll = std::chrono::milliseconds(5)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        if (condition()) return true;
        const auto now = std::chrono::steady_clock::now();
        if (now >= deadline) return false;
        const auto remaining = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now);
        std::this_thread::sleep_for(std::min(poll, remaining));
        if (std::chrono::steady_clock::now() >= deadline) return condition();
    }
}

}  // namespace marketplace::testing
