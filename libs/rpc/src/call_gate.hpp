#pragma once
// Admission of application calls: counts the ones in flight and, once a drain begins, admits no more.
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>

#include "marketplace/core/clock.hpp"
#include "marketplace/rpc/auth.hpp"

namespace marketplace::rpc::impl {

class CallGate final {
public:
    /// Admits a call (counting it) unless draining.
    bool TryEnter() {
        std::lock_guard lock(mu_);
        if (draining_) return false;
        ++in_flight_;
        return true;
    }
    void Leave() {
        std::lock_guard lock(mu_);
        if (--in_flight_ == 0) idle_.notify_all();
    }
    void BeginDrain() {
        std::lock_guard lock(mu_);
        draining_ = true;
    }
    /// True when every admitted call finished before `deadline`.
    bool WaitIdle(std::chrono::steady_clock::time_point deadline) {
        std::unique_lock lock(mu_);
        return idle_.wait_until(lock, deadline, [&] { return in_flight_ == 0; });
    }
    bool draining() const {
        std::lock_guard lock(mu_);
        return draining_;
    }
    std::size_t in_flight() const {
        std::lock_guard lock(mu_);
        return in_flight_;
    }

private:
    mutable std::mutex mu_;
    std::condition_variable idle_;
    bool draining_ = false;
    std::size_t in_flight_ = 0;
};

/// What every call's interceptor shares with the server.
struct ServerShared {
    CallGate gate;
    std::shared_ptr<const TokenVerifier> verifier;
    std::shared_ptr<const core::Clock> clock;
};

}  // namespace marketplace::rpc::impl
