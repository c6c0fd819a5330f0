#include "marketplace/service/pg_listener.hpp"

#include <pqxx/pqxx>

#include "marketplace/core/log.hpp"
#include "marketplace/db/pool.hpp"

namespace marketplace::service {
namespace {

class Receiver final : public pqxx::notification_receiver {
public:
    Receiver(pqxx::connection_base& conn, const std::string& channel,
             const std::function<void(const std::string&)>& notify)
        : pqxx::notification_receiver(conn, channel), notify_(notify) {}
    void operator()(const std::string& payload, int) override {
        if (notify_) notify_(payload);
    }

private:
    const std::function<void(const std::string&)>& notify_;
};

}  // namespace

PgListener::PgListener(std::string name, std::string conninfo, std::string channel,
                       std::chrono::milliseconds reconnect_backoff, Handlers handlers)
    : name_(std::move(name)),
      conninfo_(std::move(conninfo)),
      channel_(std::move(channel)),
      reconnect_backoff_(reconnect_backoff),
      handlers_(std::move(handlers)) {}

PgListener::~PgListener() { Stop(); }

void PgListener::Start() {
    std::lock_guard lock(mu_);
    if (thread_.joinable() || stopping_) return;
    thread_ = std::thread([this] { Run(); });
}

void PgListener::Stop() {
    {
        std::lock_guard lock(mu_);
        stopping_ = true;
    }
    stop_cv_.notify_all();
    if (thread_.joinable()) thread_.join();
}

bool PgListener::listening() const {
    std::lock_guard lock(mu_);
    return listening_;
}

bool PgListener::stopping() const {
    std::lock_guard lock(mu_);
    return stopping_;
}

void PgListener::Run() {
    while (!stopping()) {
        try {
            auto conn = db::Connect(conninfo_);
            Receiver receiver(*conn, channel_, handlers_.notify);
            conn->get_notifs();  // issues the LISTEN
            {
                std::lock_guard lock(mu_);
                listening_ = true;
            }
            if (handlers_.on_listening) handlers_.on_listening();
            core::log::Info(name_ + " listening", {{"channel", channel_}});
            // Short waits, so Stop() is noticed; a lost connection throws.
            while (!stopping()) conn->await_notification(0, 200'000);
        } catch (const std::exception& e) {
            core::log::Warn(name_ + " lost its database connection; streams fall back to polling",
                            {{"error", e.what()}});
        }
        {
            std::lock_guard lock(mu_);
            listening_ = false;
        }
        if (handlers_.on_lost) handlers_.on_lost();
        std::unique_lock lock(mu_);
        stop_cv_.wait_for(lock, reconnect_backoff_, [&] { return stopping_; });
    }
}

}  // namespace marketplace::service
