#include "ws/ws_hub.hpp"

#include <thread>
#include <vector>

#include "http/request_error.hpp"

namespace marketplace::gateway {

struct WebSocketHub::Place::State {
    mutable std::mutex mu;
    std::size_t open = 0;
    std::map<std::string, std::size_t> per_user;
    std::map<std::uint64_t, std::weak_ptr<GoingAwayTarget>> sessions;
    std::uint64_t next_id = 1;
    bool shutting_down = false;
};

WebSocketHub::WebSocketHub(WebSocketOptions options) : options_(options), state_(std::make_shared<Place::State>()) {}

std::unique_ptr<WebSocketHub::Place> WebSocketHub::Admit(const std::string& user) {
    std::lock_guard lock(state_->mu);
    if (state_->shutting_down) {
        throw RequestError(bhttp::status::service_unavailable, "UNAVAILABLE", "the gateway is shutting down");
    }
    if (state_->open >= options_.max_connections) {
        throw RequestError(
            bhttp::status::service_unavailable, "UNAVAILABLE",
            "too many WebSockets are open (" + std::to_string(options_.max_connections) + "); try again later")
            .WithHeader(bhttp::field::retry_after, "5");
    }
    if (!user.empty()) {
        const auto it = state_->per_user.find(user);
        const std::size_t count = it == state_->per_user.end() ? 0 : it->second;
        if (count >= options_.max_per_user) {
            throw RequestError(bhttp::status::too_many_requests, "RESOURCE_EXHAUSTED",
                               "this user already has " + std::to_string(count) +
                                   " WebSockets open, the most allowed; close one first")
                .WithHeader(bhttp::field::retry_after, "5");
        }
        ++state_->per_user[user];
    }
    ++state_->open;
    return std::unique_ptr<Place>(new Place(state_, user, state_->next_id++));
}

void WebSocketHub::Shutdown() {
    std::vector<std::shared_ptr<GoingAwayTarget>> sessions;
    {
        std::lock_guard lock(state_->mu);
        state_->shutting_down = true;
        for (const auto& [id, weak] : state_->sessions) {
            if (auto session = weak.lock()) sessions.push_back(std::move(session));
        }
    }
    for (const auto& session : sessions) session->GoAway();
}

bool WebSocketHub::WaitIdle(std::chrono::milliseconds timeout) const {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (open() > 0) {
        if (std::chrono::steady_clock::now() >= deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    return true;
}

std::size_t WebSocketHub::open() const {
    std::lock_guard lock(state_->mu);
    return state_->open;
}

WebSocketHub::Place::Place(std::shared_ptr<State> state, std::string user, std::uint64_t id)
    : state_(std::move(state)), user_(std::move(user)), id_(id) {}

WebSocketHub::Place::~Place() {
    std::lock_guard lock(state_->mu);
    --state_->open;
    state_->sessions.erase(id_);
    if (user_.empty()) return;
    const auto it = state_->per_user.find(user_);
    if (it != state_->per_user.end() && --it->second == 0) state_->per_user.erase(it);
}

void WebSocketHub::Place::Attach(std::weak_ptr<GoingAwayTarget> session) {
    bool now = false;
    {
        std::lock_guard lock(state_->mu);
        state_->sessions[id_] = session;
        now = state_->shutting_down;
    }
    if (now) {
        if (auto target = session.lock()) target->GoAway();
    }
}

}  // namespace marketplace::gateway
