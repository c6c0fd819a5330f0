#include "upstream/upstream.hpp"

#include <thread>

#include <grpcpp/grpcpp.h>

#include "grpc/health/v1/health.grpc.pb.h"
#include "marketplace/rpc/status.hpp"

namespace marketplace::gateway {

bool CallTracker::WaitIdle(std::chrono::milliseconds timeout) const {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (active_.load() > 0) {
        if (std::chrono::steady_clock::now() >= deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    return true;
}

namespace {

rpc::ChannelOptions WithoutRetries(rpc::ChannelOptions options) {
    options.retry.max_attempts = 1;
    return options;
}

}  // namespace

Upstream::Upstream(std::string name, std::vector<std::string> services, rpc::ChannelOptions options,
                   std::shared_ptr<CallTracker> tracker)
    : name_(std::move(name)),
      services_(std::move(services)),
      options_(std::move(options)),
      channel_(rpc::CreateChannel(options_)),
      stub_(channel_),
      stream_channel_(rpc::CreateChannel(WithoutRetries(options_))),
      stream_stub_(stream_channel_),
      tracker_(std::move(tracker)) {}

namespace {

struct PendingCall {
    grpc::ClientContext context;
    grpc::ByteBuffer request;
    grpc::ByteBuffer response;
    std::function<void(UpstreamResult)> done;
    std::shared_ptr<CallTracker> tracker;
};

}  // namespace

std::string ToBytes(const grpc::ByteBuffer& buffer) {
    std::vector<grpc::Slice> slices;
    std::string out;
    if (!buffer.Dump(&slices).ok()) return out;
    out.reserve(buffer.Length());
    for (const auto& slice : slices) out.append(reinterpret_cast<const char*>(slice.begin()), slice.size());
    return out;
}

void Upstream::Call(UpstreamCall call, std::function<void(UpstreamResult)> done) {
    auto* pending = new PendingCall;
    pending->done = std::move(done);
    pending->tracker = tracker_;
    pending->context.set_deadline(call.deadline);
    for (const auto& [key, value] : call.metadata) pending->context.AddMetadata(key, value);
    grpc::Slice slice(call.request_bytes);
    pending->request = grpc::ByteBuffer(&slice, 1);
    if (tracker_) tracker_->Begin();
    stub_.UnaryCall(&pending->context, call.method_path, grpc::StubOptions(), &pending->request, &pending->response,
                    [pending](grpc::Status status) {
                        std::unique_ptr<PendingCall> owned(pending);
                        UpstreamResult result;
                        result.status = std::move(status);
                        if (result.status.ok()) {
                            result.response_bytes = ToBytes(owned->response);
                        } else {
                            result.error_field = rpc::ErrorField(owned->context);
                        }
                        auto finish = std::move(owned->done);
                        auto tracker = std::move(owned->tracker);
                        owned.reset();
                        try {
                            finish(std::move(result));
                        } catch (...) {
                            // The callback answers the client; nothing may escape into gRPC's thread.
                        }
                        finish = nullptr;  // drops what it holds (the client's connection) before End()
                        if (tracker) tracker->End();
                    });
}

void Upstream::CheckHealth(std::chrono::milliseconds timeout, std::function<void(std::string)> done) {
    struct PendingCheck {
        grpc::ClientContext context;
        grpc::health::v1::HealthCheckRequest request;
        grpc::health::v1::HealthCheckResponse response;
        std::unique_ptr<grpc::health::v1::Health::Stub> stub;
        std::function<void(std::string)> done;
        std::shared_ptr<CallTracker> tracker;
    };
    auto* pending = new PendingCheck;
    pending->stub = grpc::health::v1::Health::NewStub(channel_);
    pending->done = std::move(done);
    pending->tracker = tracker_;
    pending->context.set_deadline(std::chrono::system_clock::now() + timeout);
    if (tracker_) tracker_->Begin();
    pending->stub->async()->Check(
        &pending->context, &pending->request, &pending->response, [pending](grpc::Status status) {
            std::unique_ptr<PendingCheck> owned(pending);
            std::string outcome;
            if (!status.ok()) {
                outcome = std::string(rpc::StatusCodeName(status.error_code()));
            } else {
                outcome = grpc::health::v1::HealthCheckResponse::ServingStatus_Name(owned->response.status());
            }
            auto finish = std::move(owned->done);
            auto tracker = std::move(owned->tracker);
            owned.reset();
            try {
                finish(std::move(outcome));
            } catch (...) {
            }
            finish = nullptr;
            if (tracker) tracker->End();
        });
}

}  // namespace marketplace::gateway
