#include "signal_drain.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <map>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>

namespace marketplace::rpc::impl {
namespace {

std::atomic<int> g_write_fd{-1};

extern "C" void OnTerminationSignal(int) {
    const int saved_errno = errno;
    const char byte = 1;
    const int fd = g_write_fd.load();
    if (fd >= 0) {
        [[maybe_unused]] const auto n = write(fd, &byte, 1);
    }
    errno = saved_errno;
}

class SignalHub final {
public:
    int Add(std::function<void()> callback) {
        std::lock_guard lock(mu_);
        if (read_fd_ < 0) StartWatcher();
        if (!installed_) Install();
        const int id = next_id_++;
        callbacks_.emplace(id, std::move(callback));
        return id;
    }

    void Remove(int id) {
        std::lock_guard lock(mu_);
        if (callbacks_.erase(id) == 1 && callbacks_.empty() && installed_) Restore();
    }

private:
    void StartWatcher() {
        int fds[2];
        if (pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error(std::string("pipe2: ") + std::strerror(errno));
        fcntl(fds[1], F_SETFL, fcntl(fds[1], F_GETFL) | O_NONBLOCK);  // a full pipe must not block the handler
        read_fd_ = fds[0];
        g_write_fd = fds[1];
        // Runs for the life of the process (the hub is never destroyed), so it is detached.
        std::thread([this] { Watch(); }).detach();
    }

    void Watch() {
        for (;;) {
            char buffer[16];
            const auto n = read(read_fd_, buffer, sizeof buffer);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) return;
            std::lock_guard lock(mu_);
            for (auto& [id, callback] : callbacks_) callback();
            // A second signal during the drain gets the previous disposition (usually: terminate now).
            if (installed_) Restore();
        }
    }

    void Install() {
        struct sigaction action {};
        action.sa_handler = OnTerminationSignal;
        sigemptyset(&action.sa_mask);
        action.sa_flags = SA_RESTART;
        sigaction(SIGTERM, &action, &previous_term_);
        sigaction(SIGINT, &action, &previous_int_);
        installed_ = true;
    }

    void Restore() {
        sigaction(SIGTERM, &previous_term_, nullptr);
        sigaction(SIGINT, &previous_int_, nullptr);
        installed_ = false;
    }

    std::mutex mu_;
    std::map<int, std::function<void()>> callbacks_;
    int next_id_ = 1;
    int read_fd_ = -1;
    bool installed_ = false;
    struct sigaction previous_term_ {};
    struct sigaction previous_int_ {};
};

SignalHub& Hub() {
    static SignalHub* hub = new SignalHub();  // never destroyed: its watcher thread outlives main()
    return *hub;
}

}  // namespace

int AddSignalCallback(std::function<void()> on_signal) { return Hub().Add(std::move(on_signal)); }

void RemoveSignalCallback(int id) { Hub().Remove(id); }

}  // namespace marketplace::rpc::impl
