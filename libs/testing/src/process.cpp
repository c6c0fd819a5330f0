#include "marketplace/testing/process.hpp"

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <deque>
#include <fstream>
#include <mutex>
#include <random>
#include <set>
#include <stdexcept>
#include <thread>

namespace marketplace::testing {
namespace {

pid_t Spawn(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env, int out_fd) {
    // Everything the child needs is built here, before fork: in the child of a multithreaded parent
    // only async-signal-safe calls are allowed until exec. A malloc there (setenv, a vector) can hang
    // forever on an allocator lock another thread of the parent held at the fork (seen with the
    // sanitizer's allocator: a service that never wrote its first log line).
    std::vector<std::string> environment;
    for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
        const std::string entry(*e);
        const auto eq = entry.find('=');
        if (eq != std::string::npos && env.count(entry.substr(0, eq)) > 0) continue;  // overridden below
        environment.push_back(entry);
    }
    for (const auto& [k, v] : env) environment.push_back(k + "=" + v);
    std::vector<char*> envp;
    for (auto& entry : environment) envp.push_back(entry.data());
    envp.push_back(nullptr);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    static constexpr char kExecFailed[] = "exec failed\n";

    const pid_t pid = fork();
    if (pid < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
    if (pid == 0) {
        setpgid(0, 0);  // its own process group: a Ctrl-C of the test run reaches the test only
        // If the test dies (killed, or crashed), its services get SIGTERM instead of living on.
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (getppid() == 1) _exit(126);  // the parent is already gone
        dup2(out_fd, STDOUT_FILENO);
        dup2(out_fd, STDERR_FILENO);
        execve(args[0], args.data(), envp.data());
        [[maybe_unused]] const auto written = write(STDERR_FILENO, kExecFailed, sizeof(kExecFailed) - 1);
        _exit(127);
    }
    return pid;
}

int Decode(int status) { return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status); }

}  // namespace

ChildProcess::ChildProcess(std::vector<std::string> argv, const std::map<std::string, std::string>& env,
                           std::string log_path)
    : log_path_(std::move(log_path)) {
    const int fd = open(log_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) throw std::runtime_error("cannot open " + log_path_ + ": " + std::strerror(errno));
    pid_ = Spawn(argv, env, fd);
    close(fd);
}

ChildProcess::~ChildProcess() {
    if (pid_ > 0 && status_ < 0) Stop(std::chrono::seconds(5));
}

int ChildProcess::Reap(bool wait) {
    if (status_ >= 0 || pid_ <= 0) return status_;
    int status = 0;
    const pid_t r = waitpid(pid_, &status, wait ? 0 : WNOHANG);
    if (r == pid_) status_ = Decode(status);
    return status_;
}

bool ChildProcess::Running() { return Reap(false) < 0; }

int ChildProcess::Stop(std::chrono::milliseconds grace) {
    if (!Running()) return status_;
    kill(pid_, SIGTERM);
    const auto deadline = std::chrono::steady_clock::now() + grace;
    while (std::chrono::steady_clock::now() < deadline) {
        if (!Running()) return status_;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    kill(pid_, SIGKILL);
    return Reap(true);
}

void ChildProcess::Kill() {
    if (!Running()) return;
    kill(pid_, SIGKILL);
    Reap(true);
}

std::string ChildProcess::LogTail(std::size_t lines) const {
    std::ifstream in(log_path_);
    std::deque<std::string> tail;
    std::string line;
    while (std::getline(in, line)) {
        tail.push_back(line);
        if (tail.size() > lines) tail.pop_front();
    }
    std::string out;
    for (const auto& l : tail) out += l + "\n";
    return out;
}

namespace {

// Whether nothing listens on, or holds, 127.0.0.1:port right now (a plain bind without SO_REUSEADDR
// also fails while a closed connection on that port lingers in TIME_WAIT).
bool PortFree(int port) {
    const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) throw std::runtime_error("socket failed");
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    const bool ok = bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    close(fd);
    return ok;
}

}  // namespace

int FreePort() {
    // Ports come from below the kernel's ephemeral range (32768-60999 here): a port the kernel hands
    // out for port 0 is also what it picks for the next outgoing connection, so between this call and
    // the server's bind a client socket (a Kafka or PostgreSQL connection of a service starting
    // beside it) could take it. 20000-32767 holds no ephemeral port and none of the local stack's.
    // Each port is handed out once per process, from a random start so that two test processes
    // rarely probe the same ports.
    static std::mutex mu;
    static std::set<int> handed_out;
    static std::mt19937 rng{std::random_device{}()};
    constexpr int kLow = 20000;
    constexpr int kHigh = 32767;
    std::lock_guard lock(mu);
    const int start = std::uniform_int_distribution<int>(kLow, kHigh)(rng);
    for (int i = 0; i <= kHigh - kLow; ++i) {
        const int port = kLow + (start - kLow + i) % (kHigh - kLow + 1);
        if (handed_out.count(port) > 0 || !PortFree(port)) continue;
        handed_out.insert(port);
        return port;
    }
    throw std::runtime_error("cannot find a free port in 20000-32767");
}

int RunToCompletion(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
                    std::chrono::milliseconds timeout, std::string* output) {
    int pipefd[2];
    if (pipe2(pipefd, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
    const pid_t pid = Spawn(argv, env, pipefd[1]);
    close(pipefd[1]);
    fcntl(pipefd[0], F_SETFL, O_NONBLOCK);
    std::string captured;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    int status = 0;
    int result = -1;
    auto drain = [&] {
        char buf[4096];
        ssize_t n;
        while ((n = read(pipefd[0], buf, sizeof buf)) > 0) captured.append(buf, static_cast<std::size_t>(n));
    };
    for (;;) {
        drain();
        if (waitpid(pid, &status, WNOHANG) == pid) {
            result = Decode(status);
            break;
        }
        if (std::chrono::steady_clock::now() > deadline) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    drain();
    close(pipefd[0]);
    if (output != nullptr) *output = captured;
    return result;
}

}  // namespace marketplace::testing
