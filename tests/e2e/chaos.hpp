#pragma once
// What the fault tests share: sagas run as a client library would run them through a crash (retries with
// the same idempotency key), and the checks that every saga then ended exactly once.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "story.hpp"

namespace marketplace::e2e {

/// Retries a command with the same idempotency key while the process it reached is going away
/// (UNAVAILABLE, DEADLINE_EXCEEDED, CANCELLED, ABORTED); the key makes a retry of a command that did
/// commit return its first answer. Throws with the services' logs on any other error or after `within`.
void RetryCommand(const std::string& what, const std::function<grpc::Status()>& call,
                  std::chrono::seconds within = std::chrono::seconds(60));

/// Waits for the milestone to reach `state`, tolerating a process that has just died. The bound
/// covers a whole cluster restarting and its consumer groups rebalancing on a loaded machine under a
/// sanitizer build; a saga that finishes returns as soon as it does.
void AwaitMilestone(const User& user, const std::string& id, contracts::v1::MilestoneState state,
                    std::chrono::seconds within = std::chrono::seconds(240));

/// One bigint from a query with one text parameter, on a service's database.
std::int64_t CountRows(const std::string& conninfo, const std::string& sql, const std::string& param);
/// One bigint from a query without parameters.
std::int64_t CountRows(const std::string& conninfo, const std::string& sql);

/// Fixed-price sagas (fund → funded → submit → accept → paid), one thread per deal, started
/// `spacing` apart so that a fault lands in the middle of some of them.
class SagaRun final {
public:
    SagaRun(const std::vector<Deal>& deals, std::chrono::milliseconds spacing);
    ~SagaRun();
    SagaRun(const SagaRun&) = delete;
    SagaRun& operator=(const SagaRun&) = delete;

    int funded() const { return funded_.load(); }
    int paid() const { return paid_.load(); }
    /// Waits for every saga's thread; returns each saga's failure ("" when it finished).
    std::vector<std::string> Join();

private:
    std::atomic<int> funded_{0}, paid_{0};
    std::vector<std::string> failures_;
    std::vector<std::thread> threads_;
};

/// After every deal of `amount` was paid: each freelancer holds the amount less the 10% fee, no client
/// money is left in escrow, the ledger audit is healthy, and in the services' own records each milestone
/// was funded and released once, each saga event was published once, and the milestone went through
/// each state once. Catch assertions, so a failure names the milestone.
void CheckPaidExactlyOnce(const std::vector<Deal>& deals, std::int64_t amount);

}  // namespace marketplace::e2e
