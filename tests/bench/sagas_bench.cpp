// Saga benchmark: full milestone lifecycles (fund -> funded -> submit -> accept -> paid) per second
// and their end-to-end latency at concurrency 1, 8 and 32, through the services running as
// processes; the dispute path (from the final decision to split_paid, and from a deadline passing to
// its default applied); then ledger transfers per second through the payments API in batches. Prints
// "name value" lines and every service process's threads before, during and after the load;
// run-sagas-bench.sh adds the pgbench baseline and the ratios.
#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "bench_processes.hpp"
#include "dispute_story.hpp"
#include "marketplace/testing/broker_control.hpp"
#include "marketplace/testing/event_probe.hpp"
#include "story.hpp"

using namespace marketplace;
using namespace marketplace::e2e;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
namespace av1 = marketplace::auth::v1;
namespace cv1 = marketplace::contracts::v1;
namespace pv1 = marketplace::payments::v1;

namespace {

double Percentile(std::vector<double> v, double p) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    return v[static_cast<std::size_t>(p * static_cast<double>(v.size() - 1))];
}

/// Each group's CPU (bench::CpuByGroup) while nothing runs, in CPU seconds per second: relays',
/// consumers' and timers' polls, the brokers' own work. Subtracted from what a load used.
std::map<std::string, double> g_idle_rate;

void MeasureIdle(std::chrono::seconds span) {
    // The stack has just made its topics and consumer groups: let the brokers settle first.
    std::this_thread::sleep_for(5s);
    const auto before = bench::CpuByGroup();
    std::this_thread::sleep_for(span);
    for (const auto& [group, now] : bench::CpuByGroup()) {
        const auto was = before.find(group);
        g_idle_rate[group] = was == before.end() ? 0.0 : (now - was->second) / static_cast<double>(span.count());
        std::printf("idle_cpu_ms_per_s_%s %.1f\n", group.c_str(), g_idle_rate[group] * 1000);
    }
}

/// Each group's CPU spent between `before` and now net of its idle rate, in ms per unit of work
/// ("lifecycles_c8_cpu_ms_contracts 4.2"), their sum, and the share of the machine's cores that all
/// of it (idle included) kept busy over `seconds`.
void PrintCpuPer(const std::string& prefix, const std::map<std::string, double>& before, std::size_t units,
                 double seconds) {
    if (units == 0 || seconds <= 0) return;
    double total = 0, busy = 0;
    for (const auto& [group, now] : bench::CpuByGroup()) {
        const auto was = before.find(group);
        const double used = now - (was == before.end() ? 0.0 : was->second);
        const auto idle = g_idle_rate.find(group);
        const double net = used - (idle == g_idle_rate.end() ? 0.0 : idle->second * seconds);
        busy += used;
        total += net;
        std::printf("%s_cpu_ms_%s %.2f\n", prefix.c_str(), group.c_str(), net * 1000 / static_cast<double>(units));
    }
    std::printf("%s_cpu_ms_total %.2f\n", prefix.c_str(), total * 1000 / static_cast<double>(units));
    const double cores = static_cast<double>(std::max(1U, std::thread::hardware_concurrency()));
    std::printf("%s_cpu_busy_share %.2f\n", prefix.c_str(), busy / (seconds * cores));
}

/// Payments' events as they reach the broker, read by one thread: a lifecycle waits here for the
/// escrow's answer (EscrowFunded, EscrowReleased) and only then polls contracts for the state that
/// answer leads to, so the benchmark's own polling covers the last hop alone, not the whole saga.
class PaymentsEvents final {
public:
    explicit PaymentsEvents(const std::string& topic)
        : probe_(testing::BrokerControl::Bootstrap(), {topic}), reader_([this] { Read(); }) {}
    ~PaymentsEvents() {
        stop_.store(true);
        reader_.join();
    }
    PaymentsEvents(const PaymentsEvents&) = delete;
    PaymentsEvents& operator=(const PaymentsEvents&) = delete;

    /// Until payments has published `type` ("EscrowFunded") for the milestone; throws after 30 s.
    void Await(const std::string& milestone, const std::string& type) {
        const std::string full = "marketplace.payments.v1." + type;
        std::unique_lock lock(mu_);
        if (!cv_.wait_for(lock, 30s, [&] { return seen_.count({milestone, full}) > 0; })) {
            throw std::runtime_error("payments published no " + type + " for milestone " + milestone + " within 30 s");
        }
    }

private:
    void Read() {
        std::size_t done = 0;
        while (!stop_.load()) {
            const auto& events = probe_.WaitForCount(done + 1, 50ms);
            if (events.size() == done) continue;
            {
                std::lock_guard lock(mu_);
                for (; done < events.size(); ++done) {
                    const auto type = events[done].headers.find("ce_type");
                    if (type != events[done].headers.end()) seen_.insert({events[done].key, type->second});
                }
            }
            cv_.notify_all();
        }
    }

    testing::EventProbe probe_;
    std::mutex mu_;
    std::condition_variable cv_;
    std::set<std::pair<std::string, std::string>> seen_;  // (milestone, event type)
    std::atomic<bool> stop_{false};
    std::thread reader_;
};

/// GetMilestone calls made by the lifecycles while they wait (each is a call to contracts and a
/// transaction in its database: load the benchmark adds to what it measures).
std::atomic<long> g_polls{0};

/// Polls contracts until the milestone is in `state`: after 2 ms, then at twice the last interval up
/// to 8 ms, so a slow hop costs a few calls rather than one every 2 ms. Throws after 30 s.
void AwaitState(const User& user, const std::string& milestone, cv1::MilestoneState state) {
    const auto deadline = Clock::now() + 30s;
    auto interval = 2ms;
    for (;;) {
        ++g_polls;
        const auto m = Milestone(user, milestone);
        if (m.state() == state) return;
        if (Clock::now() > deadline) {
            throw std::runtime_error("milestone " + milestone + " stayed " + cv1::MilestoneState_Name(m.state()) +
                                     ", expected " + cv1::MilestoneState_Name(state));
        }
        std::this_thread::sleep_for(interval);
        interval = std::min(interval * 2, std::chrono::milliseconds(8));
    }
}

template <typename F>
void Parallel(int n, F&& f) {
    std::vector<std::thread> threads;
    for (int i = 0; i < n; ++i) threads.emplace_back([&, i] { f(i); });
    for (auto& t : threads) t.join();
}

void Lifecycles(PaymentsEvents& payments, int concurrency, int per_worker) {
    constexpr std::int64_t kAmount = 10000;
    std::fprintf(stderr, "lifecycles: concurrency %d, setting up %d contracts of %d milestones...\n", concurrency,
                 concurrency, per_worker);
    std::vector<Deal> deals(static_cast<std::size_t>(concurrency));
    Parallel(concurrency,
             [&](int i) { deals[static_cast<std::size_t>(i)] = NewDeal(kAmount, kAmount * per_worker, per_worker); });

    std::mutex mu;
    std::vector<double> latencies;
    std::atomic<int> failures{0};
    std::fprintf(stderr, "lifecycles: running %d...\n", concurrency * per_worker);
    const auto cpu_before = bench::CpuByGroup();
    const long polls_before = g_polls.load();
    const auto start = Clock::now();
    Parallel(concurrency, [&](int i) {
        const Deal& d = deals[static_cast<std::size_t>(i)];
        for (const auto& m : d.contract.milestones()) {
            const auto t0 = Clock::now();
            try {
                Ok(Fund(d.client, m.milestone_id(), MoneyStack::NewKey()), "fund");
                payments.Await(m.milestone_id(), "EscrowFunded");
                AwaitState(d.client, m.milestone_id(), cv1::MILESTONE_STATE_FUNDED);
                Ok(Submit(d.freelancer, m.milestone_id()), "submit");
                Ok(Accept(d.client, m.milestone_id()), "accept");
                payments.Await(m.milestone_id(), "EscrowReleased");
                AwaitState(d.client, m.milestone_id(), cv1::MILESTONE_STATE_PAID);
            } catch (const std::exception& e) {
                std::fprintf(stderr, "lifecycle failed: %.300s\n", e.what());
                ++failures;
                continue;
            }
            const double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
            std::lock_guard lock(mu);
            latencies.push_back(ms);
        }
    });
    const double secs = std::chrono::duration<double>(Clock::now() - start).count();
    std::printf("lifecycles_c%d_count %zu\n", concurrency, latencies.size());
    std::printf("lifecycles_c%d_failed %d\n", concurrency, failures.load());
    std::printf("lifecycles_c%d_per_s %.1f\n", concurrency, static_cast<double>(latencies.size()) / secs);
    std::printf("lifecycles_c%d_p50_ms %.1f\n", concurrency, Percentile(latencies, 0.5));
    std::printf("lifecycles_c%d_p99_ms %.1f\n", concurrency, Percentile(latencies, 0.99));
    if (!latencies.empty()) {
        std::printf("lifecycles_c%d_polls_per_lifecycle %.1f\n", concurrency,
                    static_cast<double>(g_polls.load() - polls_before) / static_cast<double>(latencies.size()));
    }
    PrintCpuPer("lifecycles_c" + std::to_string(concurrency), cpu_before, latencies.size(), secs);
    std::fflush(stdout);
}

/// Disputes brought to negotiation with a standing counter-offer, one contract each.
std::vector<std::pair<Deal, std::string>> Negotiating(int n) {
    constexpr std::int64_t kAmount = 10000;
    std::vector<std::pair<Deal, std::string>> out(static_cast<std::size_t>(n));
    Parallel(4, [&](int t) {
        for (int i = t; i < n; i += 4) {
            Deal d = NewDeal(kAmount, kAmount);
            FundAndSubmit(d);
            WaitState(d.client, d.milestone, cv1::MILESTONE_STATE_SUBMITTED, 5ms);
            dv1::Dispute opened;
            Ok(OpenDispute(d.freelancer, d.milestone, kAmount, &opened), "open");
            WaitStage(d.freelancer, opened.dispute_id(), dv1::STAGE_RESPONSE);
            Ok(Respond(d.client, opened.dispute_id(), dv1::ANSWER_COUNTER, 5000), "counter");
            out[static_cast<std::size_t>(i)] = {std::move(d), opened.dispute_id()};
        }
    });
    return out;
}

void DisputePath(int n) {
    std::fprintf(stderr, "disputes: %d disputes to negotiation...\n", n);
    auto disputes = Negotiating(n);
    std::fprintf(stderr, "disputes: the final decision (accepting the offer) -> split_paid, one at a time...\n");
    std::vector<double> decided;
    for (auto& [d, id] : disputes) {
        const auto t0 = Clock::now();
        Ok(AcceptOffer(d.freelancer, id, 5000), "accept the offer");
        WaitState(d.client, d.milestone, cv1::MILESTONE_STATE_SPLIT_PAID, 2ms);
        decided.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
    }
    std::printf("dispute_decision_to_split_paid_n %d\n", n);
    std::printf("dispute_decision_to_split_paid_p50_ms %.1f\n", Percentile(decided, 0.5));
    std::printf("dispute_decision_to_split_paid_p99_ms %.1f\n", Percentile(decided, 0.99));

    std::fprintf(stderr, "disputes: %d disputes waiting for their response deadline...\n", n);
    std::vector<std::pair<Deal, std::string>> waiting(static_cast<std::size_t>(n));
    Parallel(4, [&](int t) {
        for (int i = t; i < n; i += 4) {
            Deal d = NewDeal(10000, 10000);
            FundAndSubmit(d);
            WaitState(d.client, d.milestone, cv1::MILESTONE_STATE_SUBMITTED, 5ms);
            dv1::Dispute opened;
            Ok(OpenDispute(d.freelancer, d.milestone, 10000, &opened), "open");
            WaitStage(d.freelancer, opened.dispute_id(), dv1::STAGE_RESPONSE);
            waiting[static_cast<std::size_t>(i)] = {std::move(d), opened.dispute_id()};
        }
    });
    // Every deadline passes at once; each default is timed from the clock's move to the dispute
    // resolved (the services re-read the clock within 20 ms; the timer poll is 100 ms).
    const auto moved = Clock::now();
    S().AdvanceClock(std::chrono::hours(24 * 5) + std::chrono::minutes(1));  // also logs the admin in again
    std::vector<double> applied(waiting.size(), 0.0);
    std::vector<bool> done(waiting.size(), false);
    std::size_t remaining = waiting.size();
    const auto until = Clock::now() + 60s;
    while (remaining > 0 && Clock::now() < until) {
        for (std::size_t i = 0; i < waiting.size(); ++i) {
            if (done[i]) continue;
            if (GetDispute(S().Admin(), waiting[i].second).stage() == dv1::STAGE_RESOLVED) {
                applied[i] = std::chrono::duration<double, std::milli>(Clock::now() - moved).count();
                done[i] = true;
                --remaining;
            }
        }
        std::this_thread::sleep_for(2ms);
    }
    std::printf("dispute_deadline_to_default_n %d\n", n);
    std::printf("dispute_deadline_to_default_unresolved %zu\n", remaining);
    std::printf("dispute_deadline_to_default_p50_ms %.1f\n", Percentile(applied, 0.5));
    std::printf("dispute_deadline_to_default_p99_ms %.1f\n", Percentile(applied, 0.99));
    std::fflush(stdout);
}

void LedgerTransfers(int seconds, int batch) {
    constexpr int kWallets = 32;
    std::fprintf(stderr, "ledger: funding %d wallets...\n", kWallets);
    std::vector<User> users(kWallets);
    Parallel(8, [&](int t) {
        for (int i = t; i < kWallets; i += 8) {
            users[static_cast<std::size_t>(i)] = S().Register(av1::ROLE_CLIENT, "ledger");
            Deposit(users[static_cast<std::size_t>(i)], 100'000'000);
        }
    });
    std::fprintf(stderr, "ledger: batches of %d transfers for %d s from 2 callers...\n", batch, seconds);
    std::atomic<long> posted{0};
    std::atomic<int> failed_calls{0};
    const auto until = Clock::now() + std::chrono::seconds(seconds);
    const auto start = Clock::now();
    Parallel(2, [&](int t) {
        std::mt19937 rng(static_cast<unsigned>(t + 1));
        while (Clock::now() < until) {
            pv1::CreateTransfersRequest req;
            for (int i = 0; i < batch; ++i) {
                const auto from = rng() % kWallets;
                auto to = rng() % kWallets;
                if (to == from) to = (to + 1) % kWallets;
                auto* tr = req.add_transfers();
                tr->set_from_user_id(users[from].id);
                tr->set_to_user_id(users[to].id);
                *tr->mutable_amount() = Eur(1 + static_cast<std::int64_t>(rng() % 100));
            }
            pv1::CreateTransfersResponse resp;
            const auto s = S().payments().CreateTransfers(MoneyStack::Context(S().Admin(), MoneyStack::NewKey()).get(),
                                                          req, &resp);
            if (s.ok()) {
                posted += resp.transfer_count();
            } else if (++failed_calls <= 3) {
                std::fprintf(stderr, "CreateTransfers: %d %s\n", s.error_code(), s.error_message().c_str());
            }
        }
    });
    const double secs = std::chrono::duration<double>(Clock::now() - start).count();
    std::printf("ledger_batch_size %d\n", batch);
    std::printf("ledger_transfers %ld\n", posted.load());
    std::printf("ledger_failed_calls %d\n", failed_calls.load());
    std::printf("ledger_transfers_per_s %.0f\n", static_cast<double>(posted.load()) / secs);
    const auto problems = LedgerViolations();
    std::printf("ledger_audit %s\n", problems.empty() ? "healthy" : "BROKEN");
    if (!problems.empty()) std::fprintf(stderr, "%s", problems.c_str());
}

}  // namespace

int main(int argc, char** argv) {
    int seconds = 10, batch = 1000;
    bool lifecycles_only = false;
    for (int i = 1; i < argc; ++i) {
        if (std::string(argv[i]) == "--lifecycles-only") lifecycles_only = true;
    }
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string k = argv[i];
        if (k == "--seconds") seconds = std::clamp(std::atoi(argv[i + 1]), 1, 600);
        if (k == "--batch") batch = std::clamp(std::atoi(argv[i + 1]), 1, 8000);
    }
    try {
        S();
        PaymentsEvents payments(S().topic_prefix() + "payments.events.v1");
        MeasureIdle(5s);
        bench::ThreadWatch threads;
        Lifecycles(payments, 1, 20);
        threads.EndPhase("lifecycle_c1");
        Lifecycles(payments, 8, 5);
        threads.EndPhase("lifecycle_c8");
        Lifecycles(payments, 32, 3);
        threads.EndPhase("lifecycle_c32");
        if (lifecycles_only) {
            bench::ThreadWatch::Print(threads.Stop());
            return 0;
        }
        DisputePath(20);
        threads.EndPhase("disputes");
        LedgerTransfers(seconds, batch);
        threads.EndPhase("ledger");
        bench::ThreadWatch::Print(threads.Stop());
    } catch (const std::exception& e) {
        std::fprintf(stderr, "sagas_bench: %s\n", e.what());
        return 1;
    }
    return 0;
}
