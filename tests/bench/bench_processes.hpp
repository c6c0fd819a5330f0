#pragma once
// The processes a bench started (the services and the gateway MoneyStack runs as this program's children,
// a baseline server), read from /proc: their CPU time and their threads. The thread watch shows that a
// process serves its load on threads it reuses: it samples every child's thread count and thread ids
// while the load runs, so a thread started per request would show as a peak far above the count before
// and as thousands of thread ids never seen before.
#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace marketplace::bench {

struct ProcessSample {
    pid_t pid = 0;
    /// "payments", "gateway", ... for a service ("marketplace-pay" in /proc, whose names keep 15
    /// characters), "baseline" for the baseline server, the process's own name otherwise.
    std::string name;
    double cpu_seconds = 0;  // user + system
    int threads = 0;         // /proc/<pid>/status Threads:
};

/// The running children of this process.
std::vector<ProcessSample> Children();

/// CPU seconds (user + system) used so far, by group: each child by name (several of one name added up),
/// "bench" (this process), and, when MARKETPLACE_STATE_DIR names the local stack's state folder,
/// "postgresql" (the postmaster, the backends it has reaped and those alive now) and "kafka" (every
/// broker). Two readings around a load give each group's share of it.
std::map<std::string, double> CpuByGroup();

/// CPU seconds (user + system) one thread of this process has used so far (/proc/self/task/<tid>);
/// 0 when it is gone.
double ThreadCpuSeconds(pid_t tid);

/// The ids of a process's threads (/proc/<pid>/task); empty when it is gone.
std::set<pid_t> ThreadIds(pid_t pid);

/// Threads of every child before a load, at their peak and after it, and how many thread ids the
/// samples met that were not there before (threads started during the load and alive at a sample),
/// in all and per phase of the load.
class ThreadWatch final {
public:
    struct Phase {
        std::string label;
        int peak = 0;
        long new_ids = 0;  // not seen before this phase
    };
    struct Counts {
        int before = 0;
        int peak = 0;
        int after = 0;
        long new_ids = 0;
        std::vector<Phase> phases;
    };

    /// Every 50 ms.
    static constexpr std::chrono::milliseconds kPeriod{50};

    /// Records the children's threads now (the "before") and samples them every kPeriod until Stop().
    ThreadWatch();
    ~ThreadWatch();
    ThreadWatch(const ThreadWatch&) = delete;
    ThreadWatch& operator=(const ThreadWatch&) = delete;

    /// Ends the phase of the load that ran since the watch began or the last EndPhase ("c16", "ledger").
    void EndPhase(const std::string& label);

    /// Stops sampling and records the "after"; by process name (a name with several processes adds them up).
    std::map<std::string, Counts> Stop();

    /// Prints "threads_<when>_<name> N" lines and a table of the counts.
    static void Print(const std::map<std::string, Counts>& counts);

private:
    struct Seen {
        std::string name;
        int before = 0;
        int peak = 0;
        std::size_t initial = 0;
        std::set<pid_t> known;  // the ids there before and every id a sample met since
        int phase_peak = 0;
        long phase_new = 0;
        std::vector<Phase> phases;
    };
    void Sample();

    std::mutex mu_;
    std::map<pid_t, Seen> seen_;
    std::atomic<bool> stop_{false};
    std::thread sampler_;
};

}  // namespace marketplace::bench
