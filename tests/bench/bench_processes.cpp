#include "bench_processes.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace marketplace::bench {
namespace {

bool IsNumber(const std::string& s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c) != 0; });
}

// "marketplace-pay" -> "payments"; "balances_baseli" -> "baseline".
std::string NameOf(const std::string& comm) {
    static const std::map<std::string, std::string> kServices{
        {"gat", "gateway"},       {"pay", "payments"}, {"job", "jobs"},     {"aut", "auth"},  {"con", "contracts"},
        {"not", "notifications"}, {"dis", "disputes"}, {"wor", "workroom"}, {"cla", "clans"},
    };
    if (comm.rfind("marketplace-", 0) == 0) {
        const auto known = kServices.find(comm.substr(12, 3));
        if (known != kServices.end()) return known->second;
    }
    if (comm.rfind("balances_baseli", 0) == 0) return "baseline";
    return comm;
}

int ThreadsOf(const std::filesystem::path& proc) {
    std::ifstream in(proc / "status");
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("Threads:", 0) == 0) return std::atoi(line.c_str() + 8);
    }
    return 0;
}

// One process's /proc/<pid>/stat: its name and the fields after it (fields[0] is the state,
// [1] the parent, [11]/[12] utime/stime, [13]/[14] the waited-for children's cutime/cstime).
struct Stat {
    std::string comm;
    std::vector<std::string> fields;
};

bool ReadStat(const std::filesystem::path& proc, Stat& out) {
    std::ifstream in(proc / "stat");
    std::string stat;
    if (!std::getline(in, stat)) return false;
    const auto open = stat.find('(');
    const auto close = stat.rfind(')');
    if (open == std::string::npos || close == std::string::npos || close + 2 > stat.size()) return false;
    out.comm = stat.substr(open + 1, close - open - 1);
    out.fields.clear();
    std::stringstream rest(stat.substr(close + 2));
    std::string field;
    while (rest >> field && out.fields.size() < 15) out.fields.push_back(field);
    return out.fields.size() >= 15;
}

double Ticks(const Stat& s, std::size_t first, std::size_t second) {
    static const double tick = static_cast<double>(::sysconf(_SC_CLK_TCK));
    return (std::atof(s.fields[first].c_str()) + std::atof(s.fields[second].c_str())) / tick;
}

pid_t PidFromFile(const std::filesystem::path& file) {
    std::ifstream in(file);
    long pid = 0;
    in >> pid;
    return static_cast<pid_t>(pid > 0 ? pid : 0);
}

}  // namespace

std::vector<ProcessSample> Children() {
    std::vector<ProcessSample> out;
    const std::string self = std::to_string(::getpid());
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
        const std::string pid = entry.path().filename().string();
        if (!IsNumber(pid)) continue;
        Stat stat;
        // a zombie has no threads left to count
        if (!ReadStat(entry.path(), stat) || stat.fields[1] != self || stat.fields[0] == "Z") continue;
        ProcessSample p;
        p.pid = static_cast<pid_t>(std::atol(pid.c_str()));
        p.name = NameOf(stat.comm);
        p.cpu_seconds = Ticks(stat, 11, 12);
        p.threads = ThreadsOf(entry.path());
        out.push_back(std::move(p));
    }
    return out;
}

std::map<std::string, double> CpuByGroup() {
    std::map<std::string, double> out;
    for (const auto& p : Children()) out[p.name] += p.cpu_seconds;
    rusage self{};
    if (::getrusage(RUSAGE_SELF, &self) == 0) {
        const auto seconds = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
        out["bench"] = seconds(self.ru_utime) + seconds(self.ru_stime);
    }
    const char* dir = std::getenv("MARKETPLACE_STATE_DIR");
    if (dir == nullptr || *dir == '\0') return out;
    const std::filesystem::path state(dir);
    // PostgreSQL: the postmaster with the children it has reaped, and the backends alive now.
    if (const pid_t postmaster = PidFromFile(state / "pg/data/postmaster.pid"); postmaster > 0) {
        Stat stat;
        if (ReadStat("/proc/" + std::to_string(postmaster), stat)) {
            double total = Ticks(stat, 11, 12) + Ticks(stat, 13, 14);
            const std::string parent = std::to_string(postmaster);
            std::error_code ec;
            for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
                if (!IsNumber(entry.path().filename().string())) continue;
                Stat child;
                if (ReadStat(entry.path(), child) && child.fields[1] == parent) total += Ticks(child, 11, 12);
            }
            out["postgresql"] = total;
        }
    }
    // The Kafka brokers (deploy/local/kafka/cluster.sh records each node's pid).
    std::error_code ec;
    for (const auto& node : std::filesystem::directory_iterator(state / "kafka", ec)) {
        const pid_t pid = PidFromFile(node.path() / "kafka.pid");
        Stat stat;
        if (pid > 0 && ReadStat("/proc/" + std::to_string(pid), stat)) out["kafka"] += Ticks(stat, 11, 12);
    }
    return out;
}

double ThreadCpuSeconds(pid_t tid) {
    Stat stat;
    return ReadStat("/proc/self/task/" + std::to_string(tid), stat) ? Ticks(stat, 11, 12) : 0;
}

std::set<pid_t> ThreadIds(pid_t pid) {
    std::set<pid_t> out;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/task", ec)) {
        const std::string tid = entry.path().filename().string();
        if (IsNumber(tid)) out.insert(static_cast<pid_t>(std::atol(tid.c_str())));
    }
    return out;
}

ThreadWatch::ThreadWatch() {
    for (const auto& p : Children()) {
        Seen s;
        s.name = p.name;
        s.before = p.threads;
        s.peak = p.threads;
        s.known = ThreadIds(p.pid);
        s.initial = s.known.size();
        seen_.emplace(p.pid, std::move(s));
    }
    sampler_ = std::thread([this] {
        while (!stop_.load()) {
            Sample();
            std::this_thread::sleep_for(kPeriod);
        }
    });
}

ThreadWatch::~ThreadWatch() {
    stop_.store(true);
    if (sampler_.joinable()) sampler_.join();
}

void ThreadWatch::Sample() {
    std::lock_guard lock(mu_);
    for (auto& [pid, s] : seen_) {
        const auto ids = ThreadIds(pid);
        s.peak = std::max(s.peak, static_cast<int>(ids.size()));
        s.phase_peak = std::max(s.phase_peak, static_cast<int>(ids.size()));
        for (const pid_t id : ids) {
            if (s.known.insert(id).second) ++s.phase_new;
        }
    }
}

void ThreadWatch::EndPhase(const std::string& label) {
    Sample();
    std::lock_guard lock(mu_);
    for (auto& [pid, s] : seen_) {
        s.phases.push_back({label, s.phase_peak, s.phase_new});
        s.phase_peak = 0;
        s.phase_new = 0;
    }
}

std::map<std::string, ThreadWatch::Counts> ThreadWatch::Stop() {
    stop_.store(true);
    if (sampler_.joinable()) sampler_.join();
    Sample();
    std::map<pid_t, int> now;
    for (const auto& p : Children()) now[p.pid] = p.threads;
    std::map<std::string, Counts> out;
    std::lock_guard lock(mu_);
    for (const auto& [pid, s] : seen_) {
        auto& c = out[s.name];
        c.before += s.before;
        c.peak += s.peak;
        c.after += now.count(pid) > 0 ? now.at(pid) : 0;
        c.new_ids += static_cast<long>(s.known.size() - s.initial);
        for (std::size_t i = 0; i < s.phases.size(); ++i) {
            if (c.phases.size() <= i) c.phases.push_back({s.phases[i].label, 0, 0});
            c.phases[i].peak += s.phases[i].peak;
            c.phases[i].new_ids += s.phases[i].new_ids;
        }
    }
    return out;
}

void ThreadWatch::Print(const std::map<std::string, Counts>& counts) {
    for (const auto& [name, c] : counts) {
        std::printf("threads_before_%s %d\n", name.c_str(), c.before);
        std::printf("threads_peak_%s %d\n", name.c_str(), c.peak);
        std::printf("threads_after_%s %d\n", name.c_str(), c.after);
        std::printf("threads_new_ids_%s %ld\n", name.c_str(), c.new_ids);
    }
    std::printf(
        "\nThreads per process: /proc/<pid>/status Threads: before and after the load; sampled every %lld ms\n"
        "while it ran, the peak and the thread ids not seen before (in all, then per phase as peak/new ids)\n",
        static_cast<long long>(kPeriod.count()));
    std::printf("%-14s %7s %7s %7s %8s", "process", "before", "after", "peak", "new ids");
    const auto& phases = counts.empty() ? std::vector<Phase>{} : counts.begin()->second.phases;
    for (const auto& p : phases) std::printf(" %13s", p.label.c_str());
    std::printf("\n");
    for (const auto& [name, c] : counts) {
        std::printf("%-14s %7d %7d %7d %8ld", name.c_str(), c.before, c.after, c.peak, c.new_ids);
        for (const auto& p : c.phases) {
            const std::string cell = std::to_string(p.peak) + "/" + std::to_string(p.new_ids);
            std::printf(" %13s", cell.c_str());
        }
        std::printf("\n");
    }
    std::fflush(stdout);
}

}  // namespace marketplace::bench
