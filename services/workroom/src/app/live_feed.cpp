#include "app/live_feed.hpp"

#include <memory>
#include <string_view>

#include "marketplace/blob/digest.hpp"
#include "marketplace/core/config.hpp"
#include "marketplace/core/errors.hpp"
#include "marketplace/core/log.hpp"
#include "storage/room_store.hpp"

namespace marketplace::workroom {
LiveFeedOptions LiveFeedOptions::FromEnv(core::EnvReader& env) {
    LiveFeedOptions o;
    o.max_total = static_cast<int>(env.Int("STREAM_MAX_TOTAL", o.max_total, 1, 1000000));
    o.poll = env.Duration("STREAM_POLL", o.poll, std::chrono::milliseconds(100), std::chrono::minutes(10));
    o.workers = static_cast<int>(env.Int("STREAM_WORKERS", o.workers, 1, 64));
    return o;
}

// --- Subscription -------------------------------------------------------------------------------

LiveFeed::Subscription::~Subscription() { feed_->Unsubscribe(this); }

void LiveFeed::Subscription::SetRooms(const std::set<std::string>& rooms) {
    std::lock_guard lock(feed_->mu_);
    for (const auto& room : rooms_) feed_->Uncover(room, this);
    rooms_ = rooms;
    for (const auto& room : rooms_) feed_->by_room_[room].insert(this);
}

LiveFeed::Work LiveFeed::Subscription::Take(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, timeout, [&] {
        return closed_ || work_.all_dirty || work_.rooms_changed || !work_.dirty_rooms.empty() || !work_.typing.empty();
    });
    Work out = std::move(work_);
    work_ = Work{};
    return out;
}

void LiveFeed::Subscription::Signal() {
    cv_.notify_all();
    if (waker_) waker_();
}

bool LiveFeed::Subscription::closed() const {
    std::lock_guard lock(mu_);
    return closed_;
}

void LiveFeed::Subscription::MarkDirty(const std::string& room) {
    {
        std::lock_guard lock(mu_);
        work_.dirty_rooms.insert(room);
    }
    Signal();
}

void LiveFeed::Subscription::AddTyping(const std::string& room, const std::string& user) {
    {
        std::lock_guard lock(mu_);
        if (work_.typing.size() < 100) work_.typing.emplace_back(room, user);  // a slow reader drops indicators
    }
    Signal();
}

void LiveFeed::Subscription::MarkRoomsChanged() {
    {
        std::lock_guard lock(mu_);
        work_.rooms_changed = true;
    }
    Signal();
}

void LiveFeed::Subscription::MarkAllDirty() {
    {
        std::lock_guard lock(mu_);
        work_.all_dirty = true;
    }
    Signal();
}

void LiveFeed::Subscription::Close() {
    {
        std::lock_guard lock(mu_);
        closed_ = true;
    }
    Signal();
}

// --- LiveFeed -----------------------------------------------------------------------------------

LiveFeed::LiveFeed(db::PgConfig pg, LiveFeedOptions options)
    : pg_(std::move(pg)),
      options_(options),
      // Whatever was written while nobody listened: every stream re-reads, when the LISTEN is back
      // and when it is lost (streams then fall back to polling).
      listener_("workroom feed", pg_.conninfo, storage::kFeedChannel, options_.reconnect_backoff,
                {.notify = [this](const std::string& payload) { Dispatch(payload); },
                 .on_listening = [this] { WakeAll(); },
                 .on_lost = [this] { WakeAll(); }}) {}

LiveFeed::~LiveFeed() { Stop(); }

std::unique_ptr<LiveFeed::Subscription> LiveFeed::Subscribe(const std::string& user_id, std::function<void()> waker) {
    std::lock_guard lock(mu_);
    if (closed_) throw core::Unavailable("server is shutting down; reconnect with resume_after");
    if (static_cast<int>(by_user_.count(user_id)) >= options_.max_per_user) {
        throw core::ResourceExhausted("too many open workroom streams for this user (at most " +
                                      std::to_string(options_.max_per_user) + ")");
    }
    if (static_cast<int>(by_user_.size()) >= options_.max_total) {
        throw core::ResourceExhausted("too many open workroom streams; try again later",
                                      "the process holds " + std::to_string(by_user_.size()) + " streams");
    }
    std::unique_ptr<Subscription> subscription(new Subscription(this, user_id, std::move(waker)));
    by_user_.emplace(user_id, subscription.get());
    return subscription;
}

void LiveFeed::Unsubscribe(Subscription* subscription) {
    std::lock_guard lock(mu_);
    for (const auto& room : subscription->rooms_) Uncover(room, subscription);
    auto [begin, end] = by_user_.equal_range(subscription->user_id_);
    for (auto it = begin; it != end; ++it) {
        if (it->second == subscription) {
            by_user_.erase(it);
            return;
        }
    }
}

void LiveFeed::Uncover(const std::string& room, Subscription* subscription) {
    auto it = by_room_.find(room);
    if (it == by_room_.end()) return;
    it->second.erase(subscription);
    if (!it->second.empty()) return;
    by_room_.erase(it);
    // Nobody here hears the room's NOTIFYs from now on: what the cache was told is no longer the
    // room's last sequence, so the next stream that covers it reads the database.
    events_.NotifiedUnknown(room);
}

void LiveFeed::Dispatch(const std::string& payload) {
    if (payload.size() < 3 || payload[1] != ':') return;
    const std::string rest = payload.substr(2);
    std::lock_guard lock(mu_);
    switch (payload[0]) {
        case 'e': {
            // "e:<room>:<sequence>:<event>", "e:<room>:<sequence>" (an event too large to ride
            // along), or "e:<room>" from a replica that does not say the sequence.
            const auto colon = rest.find(':');
            const std::string room = rest.substr(0, colon);
            const auto it = by_room_.find(room);
            if (it == by_room_.end()) break;  // no stream of this process covers it
            std::int64_t sequence = -1;
            std::string_view encoded;
            if (colon != std::string::npos) {
                const auto second = rest.find(':', colon + 1);
                try {
                    sequence =
                        std::stoll(rest.substr(colon + 1, second == std::string::npos ? second : second - colon - 1));
                } catch (const std::exception&) {
                    sequence = -1;
                }
                if (second != std::string::npos) encoded = std::string_view(rest).substr(second + 1);
            }
            if (sequence > 0 && !encoded.empty()) {
                // The event itself: into the cache, and the room's streams take it from there.
                std::string bytes;
                auto event = std::make_shared<v1::WorkroomEvent>();
                if (blob::Base64UrlDecode(encoded, bytes) && event->ParseFromString(bytes) &&
                    event->room_id() == room && event->sequence() == sequence &&
                    events_.Announced(room, std::move(event))) {
                    for (auto* s : it->second) s->MarkDirty(room);
                    break;
                }
            }
            if (sequence > 0) {
                events_.Notified(room, sequence);
                if (fill_) {
                    fill_(room);  // wakes the room's streams once its new events are in the cache
                    break;
                }
            } else {
                events_.NotifiedUnknown(room);
            }
            for (auto* s : it->second) s->MarkDirty(room);
            break;
        }
        case 't': {
            const auto colon = rest.find(':');
            if (colon == std::string::npos) return;
            const std::string room = rest.substr(0, colon);
            const auto it = by_room_.find(room);
            if (it != by_room_.end()) {
                for (auto* s : it->second) s->AddTyping(room, rest.substr(colon + 1));
            }
            break;
        }
        case 'r': {
            auto [begin, end] = by_user_.equal_range(rest);
            for (auto it = begin; it != end; ++it) it->second->MarkRoomsChanged();
            break;
        }
        default:
            break;
    }
}

void LiveFeed::WakeAll() {
    events_.Forget();  // what was announced while nobody listened is unknown
    std::lock_guard lock(mu_);
    for (auto& [user, s] : by_user_) s->MarkAllDirty();
}

void LiveFeed::WakeRoom(const std::string& room) {
    std::lock_guard lock(mu_);
    const auto it = by_room_.find(room);
    if (it == by_room_.end()) return;
    for (auto* s : it->second) s->MarkDirty(room);
}

void LiveFeed::SetFill(std::function<void(const std::string& room)> fill) {
    std::lock_guard lock(mu_);
    fill_ = std::move(fill);
}

void LiveFeed::Close() {
    std::lock_guard lock(mu_);
    if (!closed_) {
        core::log::Info("closing the open workroom streams",
                        {{"streams", static_cast<unsigned long>(by_user_.size())}});
    }
    closed_ = true;
    for (auto& [user, s] : by_user_) s->Close();
}

void LiveFeed::Start() { listener_.Start(); }

void LiveFeed::Stop() {
    Close();
    listener_.Stop();
}

int LiveFeed::open_total() const {
    std::lock_guard lock(mu_);
    return static_cast<int>(by_user_.size());
}

bool LiveFeed::listening() const { return listener_.listening(); }

}  // namespace marketplace::workroom
