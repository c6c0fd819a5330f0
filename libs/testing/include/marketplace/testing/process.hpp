#pragma once
// Child processes for whole-system tests: a service binary started with its own environment, its
// output in a log file, stopped by its pid (SIGTERM, then SIGKILL after a bound) or killed outright.
#include <chrono>
#include <map>
#include <string>
#include <vector>

#include <sys/types.h>

namespace marketplace::testing {

class ChildProcess final {
public:
    /// Starts `argv` with the parent's environment plus `env`, stdout and stderr appended to `log_path`.
    /// The child gets SIGTERM if the thread that started it goes away (a killed test run leaves no
    /// service behind), so start children from a thread that lives as long as they should.
    ChildProcess(std::vector<std::string> argv, const std::map<std::string, std::string>& env, std::string log_path);
    ~ChildProcess();  // stops it if still running
    ChildProcess(const ChildProcess&) = delete;
    ChildProcess& operator=(const ChildProcess&) = delete;

    pid_t pid() const noexcept { return pid_; }
    const std::string& log_path() const noexcept { return log_path_; }
    bool Running();
    /// SIGTERM, wait up to `grace`, then SIGKILL; returns the exit status (128 + signal when signalled).
    int Stop(std::chrono::milliseconds grace = std::chrono::seconds(15));
    /// SIGKILL at once (a crash), and reap.
    void Kill();
    /// The last `lines` lines of its log, for failure messages.
    std::string LogTail(std::size_t lines = 40) const;

private:
    int Reap(bool wait);
    pid_t pid_ = -1;
    int status_ = -1;
    std::string log_path_;
};

/// A TCP port on 127.0.0.1 that was free a moment ago, below the ephemeral range and never the same
/// twice in one process.
int FreePort();

/// Runs `argv` to completion (bounded by `timeout`, then killed); returns the exit status, with the
/// combined output in `output`.
int RunToCompletion(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
                    std::chrono::milliseconds timeout, std::string* output = nullptr);

}  // namespace marketplace::testing
