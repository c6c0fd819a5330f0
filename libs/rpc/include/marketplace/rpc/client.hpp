#pragma once
// Channels to other services and the per-call ClientContext.
//
//   auto channel = rpc::CreateChannel(rpc::ChannelOptions::FromEnv(env, "PAYMENTS", "127.0.0.1:7104"));
//   auto stub = payments::v1::PaymentsService::NewStub(channel);
//   grpc::ClientContext ctx;
//   rpc::PrepareClientContext(ctx, {.deadline = now + 2s, .idempotency_key = key});
//   stub->CreateDeposit(&ctx, request, &response);
//
// The channel retries UNAVAILABLE (a server that is down or draining, or a lost database
// connection: nothing was done) with exponential backoff, throttled so retries cannot storm.
// Other codes are never retried by the channel.
#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace grpc {
class Channel;
class ClientContext;
}  // namespace grpc

namespace marketplace::core {
class EnvReader;
}  // namespace marketplace::core

namespace marketplace::rpc {

struct RetryPolicy {
    /// Total attempts including the first; 1 disables retries. gRPC caps it at 5.
    int max_attempts = 4;
    std::chrono::milliseconds initial_backoff{50};
    std::chrono::milliseconds max_backoff{1'000};
    double backoff_multiplier = 2.0;
    /// Canonical code names, e.g. "UNAVAILABLE".
    std::vector<std::string> retryable_status_codes{"UNAVAILABLE"};
};

struct ChannelOptions {
    /// A gRPC target: "127.0.0.1:50051", "dns:///payments:50051".
    std::string target = "127.0.0.1:50051";
    RetryPolicy retry;
    /// Retry throttling (gRPC's token bucket): retries stop while more than about half of
    /// max_tokens worth of calls have failed recently.
    int retry_throttle_max_tokens = 10;
    double retry_throttle_token_ratio = 0.1;
    /// Client keepalive pings (the server accepts one per ServerOptions::min_client_ping_interval).
    std::chrono::milliseconds keepalive_time{30'000};
    std::chrono::milliseconds keepalive_timeout{10'000};
    bool keepalive_without_calls = false;
    /// "pick_first" or "round_robin" (spreads calls over every address a DNS name resolves to).
    std::string load_balancing = "round_robin";
    int max_receive_message_bytes = 4 * 1024 * 1024;

    /// Reads <name>_GRPC_TARGET (default `default_target`), <name>_GRPC_MAX_ATTEMPTS,
    /// <name>_GRPC_INITIAL_BACKOFF, <name>_GRPC_MAX_BACKOFF, <name>_GRPC_KEEPALIVE_TIME,
    /// <name>_GRPC_KEEPALIVE_TIMEOUT, <name>_GRPC_LOAD_BALANCING.
    static ChannelOptions FromEnv(core::EnvReader& env, const std::string& name, const std::string& default_target);
};

/// The service config JSON for `options` (retry policy for every method, throttling, LB policy).
std::string ServiceConfigJson(const ChannelOptions& options);

/// An insecure channel with the service config and keepalive of `options`. Throws
/// std::invalid_argument when the options make an invalid service config.
std::shared_ptr<grpc::Channel> CreateChannel(const ChannelOptions& options);

/// What an outgoing call carries besides its message.
struct OutgoingCall {
    /// Required: every outgoing call has a deadline (std::invalid_argument otherwise).
    std::chrono::system_clock::time_point deadline;
    /// Sent as `idempotency-key` when not empty.
    std::string idempotency_key;
    /// Sent as `authorization: Bearer <token>` when not empty (e.g. CallScope::bearer_token()).
    std::string bearer_token;
};

/// Sets the deadline and the metadata: a child `traceparent` of the thread's current trace
/// (CurrentTrace(); else of the LogScope's trace id; else a new root), the LogScope's request id
/// as `x-request-id` (when set), and the idempotency key and token of `call`.
void PrepareClientContext(grpc::ClientContext& context, const OutgoingCall& call);

/// The same with only a deadline and an optional idempotency key.
void PrepareClientContext(grpc::ClientContext& context, std::chrono::system_clock::time_point deadline,
                          std::string_view idempotency_key = {});

}  // namespace marketplace::rpc
