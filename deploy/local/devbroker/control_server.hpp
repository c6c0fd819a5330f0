// The control port: TCP on 127.0.0.1 (ephemeral port), one command per line, one reply line per
// command. A thread per connection; at most kMaxConnections at once; lines up to kMaxLineBytes.
#pragma once

#include <atomic>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "command_handler.hpp"

namespace marketplace::devbroker {

class ControlServer final {
public:
    static constexpr std::size_t kMaxLineBytes = 4096;
    static constexpr std::size_t kMaxConnections = 64;
    static constexpr int kIdleTimeoutSeconds = 600;

    /// Binds and listens on 127.0.0.1 with an ephemeral port; throws std::runtime_error on failure.
    explicit ControlServer(CommandHandler& handler);
    ~ControlServer();
    ControlServer(const ControlServer&) = delete;
    ControlServer& operator=(const ControlServer&) = delete;

    int Port() const { return port_; }
    /// Starts accepting connections on a background thread.
    void Start();
    /// Stops accepting, disconnects every client and joins every thread. Idempotent.
    void Stop();

private:
    struct Connection final {
        int fd = -1;
        std::string peer;
        std::thread thread;
        std::atomic<bool> done{false};
    };

    void AcceptLoop();
    void Serve(Connection& connection);
    /// Joins and closes finished connections; with `all`, every connection (after shutting it down).
    void Reap(bool all);

    CommandHandler& handler_;
    int listen_fd_ = -1;
    int wake_pipe_[2] = {-1, -1};
    int port_ = 0;
    std::thread accept_thread_;
    std::mutex mutex_;
    std::list<std::unique_ptr<Connection>> connections_;
    bool stopped_ = false;
};

}  // namespace marketplace::devbroker
