#pragma once
// Small gRPC clients the tests use against a real server: health, reflection, and a counter stub.
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <grpcpp/channel.h>

namespace marketplace::rpctest {

/// A channel to 127.0.0.1:port; `max_attempts` 1 disables the channel's retries.
std::shared_ptr<grpc::Channel> ChannelTo(int port, int max_attempts = 4);

/// grpc.health.v1.Health/Check for `service` ("" = the server): "SERVING", "NOT_SERVING", or
/// "error: <code>" when the call fails.
std::string HealthStatus(const std::shared_ptr<grpc::Channel>& channel, const std::string& service = "");

/// The services listed by server reflection (grpc.reflection.v1alpha, ListServices).
std::vector<std::string> ReflectedServices(const std::shared_ptr<grpc::Channel>& channel);

/// A deadline `d` from now.
inline std::chrono::system_clock::time_point In(std::chrono::milliseconds d) {
    return std::chrono::system_clock::now() + d;
}

}  // namespace marketplace::rpctest
