#include "api/workroom_stream.hpp"

#include <algorithm>
#include <pqxx/pqxx>

#include "marketplace/core/errors.hpp"
#include "marketplace/core/log.hpp"
#include "marketplace/db/transaction.hpp"
#include "marketplace/rpc/forwarding.hpp"
#include "marketplace/wire/values.hpp"
#include "storage/message_store.hpp"
#include "storage/room_store.hpp"

namespace marketplace::workroom::api {
namespace {

/// How often the ticker looks for streams whose token check or poll is due.
constexpr std::chrono::milliseconds kTick{200};
/// The threads that renew the streams' leases.
constexpr int kUpkeepThreads = 2;

// The value of metadata `key` when given exactly once; nullopt when absent or repeated.
std::optional<std::string_view> Single(const grpc::CallbackServerContext& context, const char* key) {
    const auto range = context.client_metadata().equal_range(key);
    if (range.first == range.second || std::next(range.first) != range.second) return std::nullopt;
    return std::string_view(range.first->second.data(), range.first->second.size());
}

}  // namespace

// --- WorkroomStreams ----------------------------------------------------------------------------

WorkroomStreams::WorkroomStreams(service::Runtime& runtime, LiveFeed& feed, service::StreamLeases& leases,
                                 std::string gateway_secret)
    : runtime_(runtime),
      feed_(feed),
      leases_(leases),
      gateway_secret_(std::move(gateway_secret)),
      upkeep_(kUpkeepThreads, kTick, {}),
      workers_(feed.options().workers, kTick, [this] { Tick(); }) {
    // A new event is read into the shared cache by one worker, then its room's streams are woken:
    // their turns take it from memory, and no other worker waits for that read.
    feed_.SetFill([this](const std::string& room) {
        workers_.Post([this, room] {
            try {
                feed_.events().Fill(room, kStreamBatch, [this](const std::string& r, std::int64_t after, int limit) {
                    return ReadEvents(r, after, limit);
                });
            } catch (const std::exception& e) {
                core::log::Warn("reading a room's new events failed; its streams read them themselves",
                                {{"room_id", room}, {"error", e.what()}});
            }
            feed_.WakeRoom(room);
        });
    });
}

WorkroomStreams::~WorkroomStreams() {
    feed_.SetFill({});  // the feed outlives the workers
    workers_.Stop();
    upkeep_.Stop();
}

std::vector<v1::WorkroomEvent> WorkroomStreams::ReadEvents(const std::string& room, std::int64_t after, int limit) {
    // One statement outside a transaction: the room's events commit in sequence order, so a single
    // SELECT after a sequence never skips one.
    auto connection = runtime_.pool().Acquire();
    pqxx::nontransaction read(*connection);
    return storage::EventsAfter(read, room, after, limit);
}

grpc::ServerWriteReactor<v1::WorkroomEvent>* WorkroomStreams::Open(grpc::CallbackServerContext* context,
                                                                   const v1::StreamWorkroomRequest& request) {
    auto* stream = new WorkroomStream(*this, context, request);
    {
        std::lock_guard lock(mu_);
        streams_.insert(stream);
    }
    stream->MaybeSchedule([] { return true; });  // the start
    return stream;
}

int WorkroomStreams::open() const {
    std::lock_guard lock(mu_);
    return static_cast<int>(streams_.size());
}

void WorkroomStreams::Tick() {
    const auto now = std::chrono::steady_clock::now();
    std::lock_guard lock(mu_);
    for (auto* stream : streams_) stream->Tick(now);
}

void WorkroomStreams::Forget(WorkroomStream* stream) {
    std::lock_guard lock(mu_);
    streams_.erase(stream);
}

// --- WorkroomStream -----------------------------------------------------------------------------

WorkroomStream::WorkroomStream(WorkroomStreams& hub, grpc::CallbackServerContext* context,
                               v1::StreamWorkroomRequest request)
    : hub_(hub), context_(context), request_(std::move(request)), due_(Clock::now() + kTokenCheck) {}

void WorkroomStream::Unref() {
    if (refs_.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
    hub_.Forget(this);
    delete this;
}

template <typename Condition>
void WorkroomStream::MaybeSchedule(Condition condition) {
    {
        std::lock_guard lock(mu_);
        // The condition first: it records what arrived even when a turn is already queued.
        if (!condition() || scheduled_ || status_) return;
        scheduled_ = true;
    }
    Ref();
    hub_.workers_.Post([this] { Turn(); });
}

void WorkroomStream::Wake() {
    MaybeSchedule([&] {
        woken_ = true;
        return static_cast<int>(outbox_.size()) < kStreamBatch;
    });
}

void WorkroomStream::Tick(Clock::time_point now) {
    MaybeSchedule([&] { return now >= due_; });
}

void WorkroomStream::OnCancel() {
    MaybeSchedule([&] {
        cancelled_ = true;
        return true;
    });
}

void WorkroomStream::OnWriteDone(bool ok) {
    const v1::WorkroomEvent* next = nullptr;
    bool finish = false;
    {
        std::lock_guard lock(mu_);
        writing_ = false;
        if (!ok) {
            cancelled_ = true;  // the caller is gone: nothing more can be written
            outbox_.clear();
        } else if (!outbox_.empty()) {
            outbox_.pop_front();
        }
        if (status_) {
            finish = !finished_;
            finished_ = true;
        } else if (!cancelled_) {
            next = NextWriteLocked();
        }
    }
    if (finish) {
        Finish(*status_);  // set once, never changed: safe to read outside the lock
        return;
    }
    if (next != nullptr) StartWrite(next);
    // A turn was held back by a full outbox, or the caller went away: its turn now.
    MaybeSchedule([&] { return cancelled_ || ((woken_ || more_) && static_cast<int>(outbox_.size()) < kStreamBatch); });
}

void WorkroomStream::OnDone() { Unref(); }

const v1::WorkroomEvent* WorkroomStream::NextWriteLocked() {
    if (writing_ || outbox_.empty() || status_) return nullptr;
    writing_ = true;
    return outbox_.front().get();
}

void WorkroomStream::Turn() {
    for (;;) {
        {
            std::lock_guard lock(mu_);
            woken_ = false;  // this turn takes whatever arrived until now
        }
        // One turn at a time per stream: call_state_ is this stream's alone.
        const auto status = rpc::Handle(context_, call_state_, [&](rpc::CallScope& scope) {
            if (!call_state_) call_state_ = scope.state();
            return Advance(scope);
        });
        if (!status.ok()) {
            End(status);
            break;
        }
        std::lock_guard lock(mu_);
        if ((woken_ || more_ || cancelled_) && static_cast<int>(outbox_.size()) < kStreamBatch) continue;
        scheduled_ = false;
        break;
    }
    Unref();
}

void WorkroomStream::End(grpc::Status status) {
    // The lease and the registration go first (the database, the feed's lock), as when a
    // synchronous handler returned.
    subscription_.reset();
    {
        std::lock_guard lock(lease_mu_);
        lease_.reset();
    }
    bool finish = false;
    {
        std::lock_guard lock(mu_);
        status_ = std::move(status);
        scheduled_ = false;
        if (!writing_) {
            finish = true;
            finished_ = true;
        }
        // Else OnWriteDone finishes; the event in flight stays until then.
        if (writing_) {
            outbox_.erase(std::next(outbox_.begin()), outbox_.end());
        } else {
            outbox_.clear();
        }
    }
    if (finish) Finish(*status_);
}

void WorkroomStream::RenewLease() {
    {
        std::lock_guard lock(lease_mu_);
        if (renewing_ || !lease_) return;
        renewing_ = true;
    }
    Ref();
    hub_.upkeep_.Post([this] {
        bool failed = false;
        {
            std::lock_guard lock(lease_mu_);
            renewing_ = false;
            try {
                if (lease_ && !lease_failure_) lease_->KeepAlive();  // a write only every ttl/3
            } catch (...) {
                lease_failure_ = std::current_exception();
                failed = true;
            }
        }
        if (failed) MaybeSchedule([] { return true; });
        Unref();
    });
}

template <typename Fresh>
void WorkroomStream::LoadRooms(Fresh fresh) {
    const auto rooms =
        db::InTransaction(hub_.runtime_.pool(), [&](pqxx::work& tx) { return storage::LastSequencesOf(tx, user_); });
    std::set<std::string> ids;
    for (const auto& [room, last] : rooms) {
        ids.insert(room);
        if (!cursor_.count(room)) cursor_[room] = fresh(room, last);
    }
    subscription_->SetRooms(ids);
    rooms_ = std::move(ids);
}

void WorkroomStream::Start(rpc::CallScope& scope) {
    claims_ = scope.RequireClaims();
    user_ = claims_.subject;
    const auto resume = ParseCursor(request_.resume_after(), "resume_after");
    // Registered before the first read, so nothing written from here on goes unnoticed.
    subscription_ = hub_.feed_.Subscribe(user_, [this] { Wake(); });
    // The slot that counts across replicas; the source only when the gateway vouches for it.
    const auto& secret = hub_.gateway_secret_;
    auto lease =
        hub_.leases_.Acquire(user_, secret.empty() ? std::string()
                                                   : rpc::ClientAddress(Single(*context_, rpc::kClientAddressMetadata),
                                                                        Single(*context_, rpc::kGatewaySecretMetadata),
                                                                        context_->peer(), secret));
    {
        std::lock_guard lock(lease_mu_);
        lease_ = std::move(lease);
    }
    // A room named in resume_after resumes there; another starts from its last sequence now.
    LoadRooms([&](const std::string& room, std::int64_t last) {
        const auto it = resume.find(room);
        return it == resume.end() ? last : std::min(it->second, last);
    });
    auto live = std::make_shared<v1::WorkroomEvent>();
    live->mutable_live()->set_cursor(FormatCursor(cursor_));
    wire::ToProto(hub_.runtime_.clock()->Now(), live->mutable_occurred_at());
    {
        std::lock_guard lock(mu_);
        outbox_.push_back(std::move(live));
    }
    dirty_ = rooms_;  // the catch-up after the cursor
    const auto now = Clock::now();
    check_token_at_ = now + kTokenCheck;
    poll_at_ = now + hub_.feed_.options().poll;
}

grpc::Status WorkroomStream::Advance(rpc::CallScope& scope) {
    {
        std::lock_guard lock(mu_);
        if (cancelled_) return grpc::Status::CANCELLED;
    }
    if (!started_) {
        Start(scope);
        started_ = true;
    }
    bool room_for_events = false;
    {
        std::lock_guard lock(mu_);
        room_for_events = static_cast<int>(outbox_.size()) < kStreamBatch;
    }
    if (subscription_->closed()) throw core::Unavailable("server is shutting down; resume with resume_after");
    const auto now = Clock::now();
    // The stream lives only as long as its token: it ends (UNAUTHENTICATED) once the token expires
    // or the user's sessions are revoked, checked every kTokenCheck (not on every turn: a busy
    // room wakes its streams many times a second).
    {
        std::lock_guard lock(lease_mu_);
        if (lease_failure_) std::rethrow_exception(lease_failure_);  // the renewal's error ends it
    }
    if (now >= check_token_at_) {
        scope.RequireStillValid(claims_);
        RenewLease();
        check_token_at_ = now + kTokenCheck;
    }
    std::vector<SharedEvent> out;
    if (room_for_events) {
        auto work = subscription_->Take(std::chrono::milliseconds(0));
        const bool woken = work.all_dirty || work.rooms_changed || !work.dirty_rooms.empty() || !work.typing.empty();
        if (woken) {
            poll_at_ = now + hub_.feed_.options().poll;
        } else if (now >= poll_at_) {
            work.all_dirty = true;  // the safety net
            poll_at_ = now + hub_.feed_.options().poll;
        }
        if (work.rooms_changed) {
            // A room joined since: sent whole, from its first event.
            LoadRooms([](const std::string&, std::int64_t) { return std::int64_t{0}; });
            dirty_.insert(rooms_.begin(), rooms_.end());
        }
        if (work.all_dirty) dirty_.insert(rooms_.begin(), rooms_.end());
        for (const auto& room : work.dirty_rooms) {
            if (rooms_.count(room)) dirty_.insert(room);
        }
        // A room the user left is no longer read.
        for (auto it = dirty_.begin(); it != dirty_.end();) it = rooms_.count(*it) ? std::next(it) : dirty_.erase(it);
        const RoomEventCache::Reader read_events = [this](const std::string& room, std::int64_t after, int limit) {
            return hub_.ReadEvents(room, after, limit);
        };
        for (auto it = dirty_.begin(); it != dirty_.end() && static_cast<int>(out.size()) < kStreamBatch;) {
            const auto& room = *it;
            // From the process's shared cache, or the database (ReadEvents).
            const auto batch = hub_.feed_.events().After(room, cursor_[room], kStreamBatch, read_events);
            for (const auto& event : batch) cursor_[room] = event->sequence();
            out.insert(out.end(), batch.begin(), batch.end());
            // A full batch: more are waiting in this room; it stays dirty for the next turn.
            it = static_cast<int>(batch.size()) == kStreamBatch ? std::next(it) : dirty_.erase(it);
        }
        for (const auto& [room, who] : work.typing) {
            if (who == user_ || !rooms_.count(room)) continue;
            auto event = std::make_shared<v1::WorkroomEvent>();
            event->set_room_id(room);
            event->mutable_typing()->set_user_id(who);
            wire::ToProto(hub_.runtime_.clock()->Now(), event->mutable_occurred_at());
            out.push_back(std::move(event));
        }
    }
    const v1::WorkroomEvent* next = nullptr;
    {
        std::lock_guard lock(mu_);
        for (auto& event : out) outbox_.push_back(std::move(event));
        more_ = !dirty_.empty();
        // A stream held back by a full outbox waits for its writes, not for the poll.
        due_ = room_for_events ? std::min(check_token_at_, poll_at_) : check_token_at_;
        next = NextWriteLocked();
    }
    if (next != nullptr) StartWrite(next);
    return grpc::Status::OK;
}

}  // namespace marketplace::workroom::api
