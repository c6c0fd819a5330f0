#include "app/live_feed.hpp"

#include <algorithm>

#include "marketplace/core/config.hpp"
#include "marketplace/core/errors.hpp"
#include "marketplace/core/log.hpp"
#include "storage/notification_store.hpp"

namespace marketplace::notifications {
namespace {

/// Calls the feed for each NOTIFY on the channel.

}  // namespace

LiveFeedOptions LiveFeedOptions::FromEnv(core::EnvReader& env) {
    LiveFeedOptions o;
    o.max_total = static_cast<int>(env.Int("STREAM_MAX_TOTAL", o.max_total, 1, 100000));
    o.poll = env.Duration("STREAM_POLL", o.poll, std::chrono::milliseconds(100), std::chrono::minutes(10));
    return o;
}

// --- Subscription -------------------------------------------------------------------------------

LiveFeed::Subscription::~Subscription() { feed_->Unsubscribe(this); }

std::uint64_t LiveFeed::Subscription::generation() const {
    std::lock_guard lock(mu_);
    return generation_;
}

void LiveFeed::Subscription::Wait(std::uint64_t seen, std::chrono::milliseconds timeout) const {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, timeout, [&] { return generation_ != seen || closed_; });
}

bool LiveFeed::Subscription::closed() const {
    std::lock_guard lock(mu_);
    return closed_;
}

void LiveFeed::Subscription::Wake() {
    {
        std::lock_guard lock(mu_);
        ++generation_;
    }
    cv_.notify_all();
}

void LiveFeed::Subscription::Close() {
    {
        std::lock_guard lock(mu_);
        closed_ = true;
    }
    cv_.notify_all();
}

// --- LiveFeed -----------------------------------------------------------------------------------

LiveFeed::LiveFeed(db::PgConfig pg, LiveFeedOptions options)
    : pg_(std::move(pg)),
      options_(options),
      // Whatever was written while nobody listened: every stream re-reads, when the LISTEN is back
      // and when it is lost (streams then fall back to polling).
      listener_("notification feed", pg_.conninfo, storage::kFeedChannel, options_.reconnect_backoff,
                {.notify = [this](const std::string& payload) { Wake(payload); },
                 .on_listening = [this] { WakeAll(); },
                 .on_lost = [this] { WakeAll(); }}) {}

LiveFeed::~LiveFeed() { Stop(); }

std::unique_ptr<LiveFeed::Subscription> LiveFeed::Subscribe(const std::string& user_id) {
    std::lock_guard lock(mu_);
    if (closed_) throw core::Unavailable("server is shutting down; reconnect with after_sequence");
    const int mine = static_cast<int>(subscriptions_.count(user_id));
    if (mine >= options_.max_per_user) {
        throw core::ResourceExhausted("too many open notification streams for this user (at most " +
                                      std::to_string(options_.max_per_user) + ")");
    }
    if (static_cast<int>(subscriptions_.size()) >= options_.max_total) {
        throw core::ResourceExhausted("too many open notification streams; try again later",
                                      "the process holds " + std::to_string(subscriptions_.size()) + " streams");
    }
    std::unique_ptr<Subscription> subscription(new Subscription(this, user_id));
    subscriptions_.emplace(user_id, subscription.get());
    return subscription;
}

void LiveFeed::Unsubscribe(Subscription* subscription) {
    std::lock_guard lock(mu_);
    auto [begin, end] = subscriptions_.equal_range(subscription->user_id_);
    for (auto it = begin; it != end; ++it) {
        if (it->second == subscription) {
            subscriptions_.erase(it);
            return;
        }
    }
}

void LiveFeed::Wake(const std::string& user_id) {
    std::lock_guard lock(mu_);
    auto [begin, end] = subscriptions_.equal_range(user_id);
    for (auto it = begin; it != end; ++it) it->second->Wake();
}

void LiveFeed::WakeAll() {
    std::lock_guard lock(mu_);
    for (auto& [user, subscription] : subscriptions_) subscription->Wake();
}

void LiveFeed::Close() {
    std::lock_guard lock(mu_);
    if (!closed_) {
        core::log::Info("closing the open notification streams",
                        {{"streams", static_cast<unsigned long>(subscriptions_.size())}});
    }
    closed_ = true;
    for (auto& [user, subscription] : subscriptions_) subscription->Close();
}

void LiveFeed::Start() { listener_.Start(); }

void LiveFeed::Stop() {
    Close();
    listener_.Stop();
}

int LiveFeed::open(const std::string& user_id) const {
    std::lock_guard lock(mu_);
    return static_cast<int>(subscriptions_.count(user_id));
}

int LiveFeed::open_total() const {
    std::lock_guard lock(mu_);
    return static_cast<int>(subscriptions_.size());
}

bool LiveFeed::listening() const { return listener_.listening(); }

}  // namespace marketplace::notifications
