#include "app/room_event_cache.hpp"

#include <algorithm>

namespace marketplace::workroom {
namespace {

// Rooms remembered at most (an entry without events is a few hundred bytes).
constexpr std::size_t kMaxRooms = 20000;

}  // namespace

std::shared_ptr<RoomEventCache::Room> RoomEventCache::Entry(const std::string& room) {
    auto& slot = rooms_[room];
    if (!slot) slot = std::make_shared<Room>();
    return slot;
}

bool RoomEventCache::Serve(const Room& r, std::int64_t after, int limit, std::vector<SharedEvent>& out) const {
    if (r.known < 0) return false;
    out.clear();
    if (after >= r.known) return true;  // nothing announced beyond what the reader has
    if (r.lo < 0 || after < r.lo) return false;
    for (const auto& event : r.events) {
        if (event->sequence() <= after) continue;
        out.push_back(event);
        if (static_cast<int>(out.size()) == limit) return true;
    }
    if (r.hi >= r.known) return true;
    out.clear();
    return false;
}

void RoomEventCache::Keep(Room& r, std::int64_t after, const std::vector<SharedEvent>& got) {
    const std::int64_t lo = after;
    const std::int64_t hi = got.empty() ? after : got.back()->sequence();
    if (r.lo < 0 || lo > r.hi || hi < r.lo) {
        if (r.lo >= 0 && hi < r.hi) return;  // an older stretch than the one held
        r.lo = lo;
        r.hi = hi;
        r.events = got;
    } else {
        std::vector<SharedEvent> merged;
        merged.reserve(r.events.size() + got.size());
        std::merge(r.events.begin(), r.events.end(), got.begin(), got.end(), std::back_inserter(merged),
                   [](const SharedEvent& a, const SharedEvent& b) { return a->sequence() < b->sequence(); });
        merged.erase(
            std::unique(merged.begin(), merged.end(),
                        [](const SharedEvent& a, const SharedEvent& b) { return a->sequence() == b->sequence(); }),
            merged.end());
        r.events = std::move(merged);
        r.lo = std::min(r.lo, lo);
        r.hi = std::max(r.hi, hi);
    }
    if (r.events.size() > options_.max_events_per_room) {
        const auto drop = r.events.size() - options_.max_events_per_room;
        r.lo = r.events[drop - 1]->sequence();
        r.events.erase(r.events.begin(), r.events.begin() + static_cast<std::ptrdiff_t>(drop));
    }
    bytes_ -= r.bytes;
    r.bytes = 0;
    for (const auto& event : r.events) r.bytes += event->ByteSizeLong();
    bytes_ += r.bytes;
}

void RoomEventCache::Evict() {
    while ((bytes_ > options_.max_bytes || rooms_.size() > kMaxRooms) && rooms_.size() > 1) {
        auto oldest = rooms_.begin();
        for (auto it = rooms_.begin(); it != rooms_.end(); ++it) {
            if (it->second->used < oldest->second->used) oldest = it;
        }
        bytes_ -= oldest->second->bytes;
        rooms_.erase(oldest);  // a reader in flight keeps its entry alive; what it reads is dropped
    }
}

std::vector<SharedEvent> RoomEventCache::After(const std::string& room, std::int64_t after, int limit,
                                               const Reader& read) {
    std::vector<SharedEvent> out;
    std::shared_ptr<Room> r;
    {
        std::lock_guard lock(mu_);
        r = Entry(room);
        r->used = ++clock_;
        if (Serve(*r, after, limit, out)) {
            ++hits_;
            return out;
        }
    }
    std::lock_guard reading(r->read_mu);
    {
        std::lock_guard lock(mu_);
        if (Serve(*r, after, limit, out)) {  // another stream read it meanwhile
            ++hits_;
            return out;
        }
    }
    for (auto& event : read(room, after, limit))
        out.push_back(std::make_shared<const v1::WorkroomEvent>(std::move(event)));
    std::lock_guard lock(mu_);
    ++reads_;
    const auto it = rooms_.find(room);
    if (it != rooms_.end() && it->second == r) {
        Keep(*r, after, out);
        Evict();
    }
    return out;
}

void RoomEventCache::Fill(const std::string& room, int limit, const Reader& read) {
    std::int64_t after = 0;
    {
        std::lock_guard lock(mu_);
        const auto it = rooms_.find(room);
        if (it == rooms_.end()) return;
        const auto& r = *it->second;
        if (r.known < 0 || (r.lo >= 0 && r.hi >= r.known)) return;
        // After the stretch held when it reaches close enough, else just the latest announced.
        after = r.lo >= 0 && r.hi < r.known && r.known - r.hi <= limit ? r.hi : r.known - 1;
    }
    After(room, after, limit, read);
}

void RoomEventCache::Notified(const std::string& room, std::int64_t sequence) {
    std::lock_guard lock(mu_);
    auto r = Entry(room);
    r->known = std::max(r->known, sequence);
    if (rooms_.size() > kMaxRooms) Evict();
}

bool RoomEventCache::Announced(const std::string& room, SharedEvent event) {
    std::lock_guard lock(mu_);
    auto r = Entry(room);
    const std::int64_t sequence = event->sequence();
    r->known = std::max(r->known, sequence);
    r->used = ++clock_;
    // Events are appended under the room's lock and announced in commit order: the event right after
    // the stretch extends it; after a gap (an announcement missed) it starts a new stretch of one,
    // and a reader behind it goes to the database.
    if (r->lo >= 0 && r->hi == sequence - 1 && !r->events.empty()) {
        // The common case, on every NOTIFY: appended, the oldest dropped past the bound, the bytes
        // counted for those two alone.
        const std::size_t size = event->ByteSizeLong();
        r->events.push_back(std::move(event));
        r->hi = sequence;
        r->bytes += size;
        bytes_ += size;
        while (r->events.size() > options_.max_events_per_room) {
            const std::size_t dropped = r->events.front()->ByteSizeLong();
            r->lo = r->events.front()->sequence();
            r->events.erase(r->events.begin());
            r->bytes -= dropped;
            bytes_ -= dropped;
        }
    } else {
        Keep(*r, sequence - 1, {std::move(event)});
    }
    Evict();
    const auto it = rooms_.find(room);
    return it != rooms_.end() && it->second == r && r->lo >= 0 && r->hi >= r->known;
}

void RoomEventCache::NotifiedUnknown(const std::string& room) {
    std::lock_guard lock(mu_);
    const auto it = rooms_.find(room);
    if (it != rooms_.end()) it->second->known = -1;
}

void RoomEventCache::Forget() {
    std::lock_guard lock(mu_);
    for (auto& [room, r] : rooms_) r->known = -1;
}

RoomEventCache::Stats RoomEventCache::stats() const {
    std::lock_guard lock(mu_);
    return {hits_, reads_, rooms_.size(), bytes_};
}

}  // namespace marketplace::workroom
