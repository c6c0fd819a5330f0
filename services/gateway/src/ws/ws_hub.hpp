#pragma once
// Who has a WebSocket open: places are counted in all and per user (admission refuses beyond the
// limits before any upgrade), and the sessions holding them are closed together at shutdown.
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "ws/ws_options.hpp"

namespace marketplace::gateway {

/// What the hub can ask of an open session: close it because the gateway is stopping (1001).
class GoingAwayTarget {
public:
    virtual ~GoingAwayTarget() = default;
    /// Callable from any thread; the session closes as soon as it can.
    virtual void GoAway() = 0;
};

class WebSocketHub final {
public:
    class Place;

    explicit WebSocketHub(WebSocketOptions options);

    /// A place for one more WebSocket of `user` (empty for an anonymous caller: only the total
    /// applies). Throws RequestError: 503 when max_connections are open or the gateway is stopping,
    /// 429 (with Retry-After) when the user already has max_per_user open.
    std::unique_ptr<Place> Admit(const std::string& user);

    /// Refuses new places from now on and asks every attached session to go away.
    void Shutdown();
    /// Waits until no place is held or `timeout` passes; true when none is.
    bool WaitIdle(std::chrono::milliseconds timeout) const;
    /// Places held now.
    std::size_t open() const;

    /// One admitted WebSocket: counted until destroyed. It may outlive the hub.
    class Place final {
    public:
        ~Place();
        Place(const Place&) = delete;
        Place& operator=(const Place&) = delete;
        /// The session to close at shutdown (at once when the hub is already shutting down).
        void Attach(std::weak_ptr<GoingAwayTarget> session);

    private:
        friend class WebSocketHub;
        struct State;
        Place(std::shared_ptr<State> state, std::string user, std::uint64_t id);
        std::shared_ptr<State> state_;
        std::string user_;
        std::uint64_t id_;
    };

private:
    WebSocketOptions options_;
    std::shared_ptr<Place::State> state_;
};

}  // namespace marketplace::gateway
