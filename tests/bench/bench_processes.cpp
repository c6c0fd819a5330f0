#include "bench_processes.hpp"

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

}  // namespace

std::vector<ProcessSample> Children() {
    std::vector<ProcessSample> out;
    const double tick = static_cast<double>(::sysconf(_SC_CLK_TCK));
    const std::string self = std::to_string(::getpid());
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
        const std::string pid = entry.path().filename().string();
        if (!IsNumber(pid)) continue;
        std::ifstream in(entry.path() / "stat");
        std::string stat;
        if (!std::getline(in, stat)) continue;
        // pid (comm) state ppid ... utime(14) stime(15)
        const auto open = stat.find('(');
        const auto close = stat.rfind(')');
        if (open == std::string::npos || close == std::string::npos || close + 2 > stat.size()) continue;
        std::stringstream rest(stat.substr(close + 2));
        std::vector<std::string> fields;
        std::string field;
        while (rest >> field && fields.size() < 13) fields.push_back(field);
        // fields[0] is the state, [1] the parent; a zombie has no threads left to count
        if (fields.size() < 13 || fields[1] != self || fields[0] == "Z") continue;
        ProcessSample p;
        p.pid = static_cast<pid_t>(std::atol(pid.c_str()));
        p.name = NameOf(stat.substr(open + 1, close - open - 1));
        p.cpu_seconds = (std::atof(fields[11].c_str()) + std::atof(fields[12].c_str())) / tick;
        p.threads = ThreadsOf(entry.path());
        out.push_back(std::move(p));
    }
    return out;
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
