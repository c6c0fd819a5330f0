#pragma once
// One service the gateway routes to: a gRPC channel (libs/rpc: retries of UNAVAILABLE, keepalive)
// and generic unary and server-streaming calls on it with the callback API, so no thread waits for
// an answer. Streams have a channel of their own without the retry policy: a stream is never
// replayed by the channel (its client resumes after its cursor), and without the retry filter each
// open stream holds less memory (docs/BENCHMARKS.md, the workroom's live stream).
#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/support/status.h>

#include "marketplace/rpc/client.hpp"
#include "upstream/upstream_stream.hpp"

namespace grpc {
class Channel;
}  // namespace grpc

namespace marketplace::gateway {

struct UpstreamCall {
    std::string method_path;  // "/marketplace.jobs.v1.JobsService/GetJob"
    std::string request_bytes;
    std::chrono::system_clock::time_point deadline;
    /// Metadata to send (lower-case keys, printable ASCII values).
    std::vector<std::pair<std::string, std::string>> metadata;
};

/// Counts calls in flight over every upstream so a shutdown can wait for their callbacks.
class CallTracker final {
public:
    void Begin() noexcept { ++active_; }
    void End() noexcept { --active_; }
    std::size_t active() const noexcept { return active_.load(); }
    /// Waits until no call is in flight or `timeout` passes; returns whether none is.
    bool WaitIdle(std::chrono::milliseconds timeout) const;

private:
    std::atomic<std::size_t> active_{0};
};

/// The bytes of a received message.
std::string ToBytes(const grpc::ByteBuffer& buffer);

class Upstream final {
public:
    /// `name` is the short service name ("jobs"); `services` the full names of the gRPC services it serves.
    Upstream(std::string name, std::vector<std::string> services, rpc::ChannelOptions options,
             std::shared_ptr<CallTracker> tracker);

    /// Starts the call; `done` runs once, on a gRPC thread, when it finishes.
    void Call(UpstreamCall call, std::function<void(UpstreamResult)> done);

    /// Starts a server-streaming call (`call.deadline` may be time_point::max(): none) reporting to
    /// `observer`, which is kept until OnFinish has returned. Counted by the tracker until then.
    std::shared_ptr<UpstreamStream> OpenStream(UpstreamCall call, std::shared_ptr<StreamObserver> observer);

    /// Asks grpc.health.v1.Health/Check for the whole server; `done` gets "SERVING", "NOT_SERVING",
    /// or the failed call's code name ("UNAVAILABLE", "DEADLINE_EXCEEDED"...).
    void CheckHealth(std::chrono::milliseconds timeout, std::function<void(std::string)> done);

    const std::string& name() const noexcept { return name_; }
    const std::vector<std::string>& services() const noexcept { return services_; }
    const std::string& target() const noexcept { return options_.target; }

private:
    std::string name_;
    std::vector<std::string> services_;
    rpc::ChannelOptions options_;
    std::shared_ptr<grpc::Channel> channel_;
    grpc::GenericStub stub_;
    std::shared_ptr<grpc::Channel> stream_channel_;  // no retry policy (see above)
    grpc::GenericStub stream_stub_;
    std::shared_ptr<CallTracker> tracker_;
};

}  // namespace marketplace::gateway
