#pragma once
// StreamWorkroom on gRPC's callback API: one reactor per open stream, no thread per stream.
//
// What a stream does is unchanged (api/workroom_api.hpp): it checks the caller's token, registers
// with the LiveFeed, takes its lease, reads the caller's rooms, sends `live` with its cursor, then
// the stored events after that cursor room by room, then each new one as it commits, and the
// others' typing indicators; a room joined while open is sent whole; it ends UNAUTHENTICATED once
// its token expires or no longer verifies (checked every kTokenCheck, when the lease is renewed
// too), CANCELLED when the caller goes away, UNAVAILABLE when the feed closes (the server stops),
// RESOURCE_EXHAUSTED at start beyond a bound.
//
// How it runs:
//
// - A stream's *turn* is whatever may block: starting (the lease, the rooms: database), taking what
//   the feed marked, reading its dirty rooms' events after its cursor (the shared RoomEventCache,
//   which reads PostgreSQL when it does not hold them), the token check and lease renewal, ending
//   (the lease's release). Turns run on the StreamWorkers pool (STREAM_WORKERS threads), never on
//   gRPC's callback threads; a stream has at most one turn queued or running at a time.
// - Lease renewals (a database write every third of the lease's ttl) run on two upkeep threads of
//   their own: streams opened together renew together, and that burst must not hold the workers
//   that deliver events. A renewal that fails ends the stream with its error at the next turn.
// - A stored event's NOTIFY is first read into the shared cache by one turn of the pool (LiveFeed::
//   SetFill, RoomEventCache::Fill), then the room's streams are woken: their turns take it from
//   memory, so a database read holds one worker, not every worker serving one of the room's streams.
// - The thread that learns of new work (the LiveFeed's listener dispatching a NOTIFY, Close(),
//   OnCancel, or the pool's ticker when the token check or the poll safety net is due) only marks
//   the stream woken and, when no turn is queued, queues one. A turn appends the events it read to
//   the stream's outbox and, when no write is in flight, starts the next write.
// - OnWriteDone (gRPC's thread) starts the write of the next event in the outbox: at most one write
//   in flight per stream, as gRPC requires. A turn reads at most kStreamBatch events, and none while
//   the outbox holds kStreamBatch or more: a slow reader's outbox holds at most two batches, and
//   its stream takes no turn for events until a write completes, so it holds no thread and delays
//   no other stream; it reads on from its cursor afterwards (the shared cache or the database), so
//   nothing is skipped.
// - Ending: a turn that ends the stream (an error, the feed closed, cancelled) drops its
//   subscription and its lease first, then calls Finish once no write is in flight. The reactor is
//   freed when gRPC is done with it (OnDone) and no turn holds it.
#include <grpcpp/grpcpp.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>

#include "app/live_feed.hpp"
#include "app/stream_workers.hpp"
#include "domain/stream_cursor.hpp"
#include "marketplace/rpc/call_scope.hpp"
#include "marketplace/service/runtime.hpp"
#include "marketplace/service/stream_leases.hpp"
#include "marketplace/workroom/v1/workroom.grpc.pb.h"

namespace marketplace::workroom::api {

/// How many stored events a stream reads from one room at a time.
inline constexpr int kStreamBatch = 100;
/// How often an open stream checks that its token is still valid (expiry, revoked sessions).
inline constexpr std::chrono::milliseconds kTokenCheck{1000};

class WorkroomStream;

/// The process's open streams and what they share: the pool their turns run on, with its ticker.
class WorkroomStreams final {
public:
    WorkroomStreams(service::Runtime& runtime, LiveFeed& feed, service::StreamLeases& leases,
                    std::string gateway_secret);
    /// Stops the pool (what is queued runs first). The gRPC server is stopped before.
    ~WorkroomStreams();
    WorkroomStreams(const WorkroomStreams&) = delete;
    WorkroomStreams& operator=(const WorkroomStreams&) = delete;

    /// The reactor of a new StreamWorkroom call.
    grpc::ServerWriteReactor<v1::WorkroomEvent>* Open(grpc::CallbackServerContext* context,
                                                      const v1::StreamWorkroomRequest& request);
    /// Streams whose reactor gRPC has not released yet.
    int open() const;

private:
    friend class WorkroomStream;
    void Tick();
    void Forget(WorkroomStream* stream);
    /// A room's stored events after `after`, oldest first, at most `limit`, from the database.
    std::vector<v1::WorkroomEvent> ReadEvents(const std::string& room, std::int64_t after, int limit);

    service::Runtime& runtime_;
    LiveFeed& feed_;
    service::StreamLeases& leases_;
    std::string gateway_secret_;
    mutable std::mutex mu_;
    std::set<WorkroomStream*> streams_;  // guarded by mu_
    StreamWorkers upkeep_;               // lease renewals
    StreamWorkers workers_;              // last: stopped first
};

class WorkroomStream final : public grpc::ServerWriteReactor<v1::WorkroomEvent> {
public:
    WorkroomStream(WorkroomStreams& hub, grpc::CallbackServerContext* context, v1::StreamWorkroomRequest request);

    void OnWriteDone(bool ok) override;
    void OnCancel() override;
    void OnDone() override;

private:
    friend class WorkroomStreams;
    using Clock = std::chrono::steady_clock;

    /// Something arrived (the feed's waker): queue a turn unless one is queued or the outbox is full.
    void Wake();
    /// The ticker: queue a turn when the token check or the poll is due.
    void Tick(Clock::time_point now);
    /// Queues a turn when `condition` holds under the lock (and the stream is not ending).
    template <typename Condition>
    void MaybeSchedule(Condition condition);
    void Turn();
    /// One turn's work inside the call's scope: OK to go on, any other status ends the stream.
    grpc::Status Advance(rpc::CallScope& scope);
    void Start(rpc::CallScope& scope);
    /// Reads the caller's rooms; a room not in the cursor yet starts from `fresh(room, last)`.
    template <typename Fresh>
    void LoadRooms(Fresh fresh);
    void End(grpc::Status status);
    /// Hands the lease's renewal to the upkeep threads (one at a time per stream).
    void RenewLease();
    /// With mu_ held and no write in flight: the next event to write, or null.
    const v1::WorkroomEvent* NextWriteLocked();
    void Ref() noexcept { refs_.fetch_add(1, std::memory_order_relaxed); }
    void Unref();

    WorkroomStreams& hub_;
    grpc::CallbackServerContext* context_;
    const v1::StreamWorkroomRequest request_;
    std::atomic<int> refs_{1};  // gRPC's, until OnDone; and one per queued turn

    std::mutex mu_;
    // Guarded by mu_.
    bool scheduled_ = false;              // a turn is queued or running
    bool woken_ = false;                  // work arrived since the running turn began
    bool more_ = false;                   // rooms with more events than the last turn took
    bool writing_ = false;                // a write is in flight
    bool cancelled_ = false;              // the caller went away (OnCancel, or a write failed)
    bool finished_ = false;               // Finish was called
    std::optional<grpc::Status> status_;  // set once the stream ends
    std::deque<SharedEvent> outbox_;      // the front is in flight while writing_
    Clock::time_point due_;               // the next token check or poll

    // Only turns touch these (one turn at a time).
    bool started_ = false;
    rpc::Claims claims_;                                      // as the token said at the start
    std::shared_ptr<const rpc::impl::CallState> call_state_;  // from the first turn's scope, for the next ones
    std::string user_;
    std::unique_ptr<LiveFeed::Subscription> subscription_;
    StreamCursor cursor_;
    std::set<std::string> rooms_;
    std::set<std::string> dirty_;
    Clock::time_point check_token_at_;
    Clock::time_point poll_at_;

    std::mutex lease_mu_;
    // Guarded by lease_mu_: the turns and the upkeep threads share them.
    std::unique_ptr<service::StreamLeases::Lease> lease_;
    bool renewing_ = false;
    std::exception_ptr lease_failure_;  // a renewal failed: the next turn ends the stream with it
};

}  // namespace marketplace::workroom::api
