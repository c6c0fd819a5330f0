#pragma once
// A server-streaming call to a service, seen from the gateway: what the call reports as it goes,
// and the handle that cancels it. Opened by Upstream::OpenStream.
#include <memory>
#include <string>

#include <grpcpp/support/status.h>

namespace marketplace::gateway {

struct UpstreamResult {
    grpc::Status status;
    std::string response_bytes;
    std::string error_field;  // the x-error-field trailing metadata, or empty
};

/// What a server-streaming call reports, on gRPC's threads, one report at a time and in order:
/// OnMessage for each streamed message, then OnFinish once. Nothing may be thrown.
class StreamObserver {
public:
    virtual ~StreamObserver() = default;
    /// One streamed message (serialized). True: read the next one now; false: wait for
    /// UpstreamStream::Resume (gRPC's flow control then holds the service back).
    virtual bool OnMessage(std::string bytes) = 0;
    /// The call's end: its status (OK when the service ended the stream) and x-error-field.
    virtual void OnFinish(UpstreamResult result) = 0;
};

/// A server-streaming call in progress.
class UpstreamStream {
public:
    virtual ~UpstreamStream() = default;
    /// Cancels the call: the service sees it cancelled, and OnFinish still comes (CANCELLED). Safe
    /// from any thread, any number of times, also after the call finished.
    virtual void Cancel() = 0;
    /// Reads the next message after OnMessage asked to wait; nothing otherwise. Any thread.
    virtual void Resume() = 0;
};

}  // namespace marketplace::gateway
