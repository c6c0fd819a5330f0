#include "marketplace/rpc/client.hpp"

#include <cstdio>
#include <stdexcept>

#include <grpcpp/client_context.h>
#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <grpcpp/support/channel_arguments.h>
#include <grpcpp/support/validate_service_config.h>

#include "marketplace/core/config.hpp"
#include "marketplace/core/ids.hpp"
#include "marketplace/core/log.hpp"
#include "marketplace/core/trace.hpp"
#include "marketplace/rpc/auth.hpp"
#include "marketplace/rpc/call_scope.hpp"
#include "marketplace/rpc/idempotency.hpp"

namespace marketplace::rpc {
namespace {

// A protobuf JSON Duration: seconds with up to 9 fractional digits and an "s" suffix.
std::string JsonDuration(std::chrono::milliseconds d) {
    char buffer[48];
    std::snprintf(buffer, sizeof buffer, "%lld.%03llds", static_cast<long long>(d.count() / 1000),
                  static_cast<long long>(d.count() % 1000));
    return buffer;
}

std::string JsonString(std::string_view s) {
    std::string out = "\"";
    core::log::AppendJsonEscaped(out, s);
    out += '"';
    return out;
}

}  // namespace

ChannelOptions ChannelOptions::FromEnv(core::EnvReader& env, const std::string& name,
                                       const std::string& default_target) {
    ChannelOptions o;
    const std::string p = name + "_GRPC_";
    o.target = env.String(p + "TARGET", default_target);
    o.retry.max_attempts = static_cast<int>(env.Int(p + "MAX_ATTEMPTS", o.retry.max_attempts, 1, 5));
    o.retry.initial_backoff = env.Duration(p + "INITIAL_BACKOFF", o.retry.initial_backoff, std::chrono::milliseconds(1),
                                           std::chrono::minutes(1));
    o.retry.max_backoff =
        env.Duration(p + "MAX_BACKOFF", o.retry.max_backoff, std::chrono::milliseconds(1), std::chrono::minutes(5));
    o.keepalive_time =
        env.Duration(p + "KEEPALIVE_TIME", o.keepalive_time, std::chrono::seconds(10), std::chrono::hours(2));
    o.keepalive_timeout =
        env.Duration(p + "KEEPALIVE_TIMEOUT", o.keepalive_timeout, std::chrono::seconds(1), std::chrono::minutes(5));
    o.load_balancing = env.OneOf(p + "LOAD_BALANCING", o.load_balancing, {"pick_first", "round_robin"});
    return o;
}

std::string ServiceConfigJson(const ChannelOptions& options) {
    std::string json = "{\"loadBalancingConfig\":[{" + JsonString(options.load_balancing) + ":{}}]";
    json += ",\"methodConfig\":[{\"name\":[{}],\"waitForReady\":false";
    const auto& retry = options.retry;
    if (retry.max_attempts > 1) {
        json += ",\"retryPolicy\":{\"maxAttempts\":" + std::to_string(retry.max_attempts);
        json += ",\"initialBackoff\":\"" + JsonDuration(retry.initial_backoff) + "\"";
        json += ",\"maxBackoff\":\"" + JsonDuration(retry.max_backoff) + "\"";
        json += ",\"backoffMultiplier\":" + std::to_string(retry.backoff_multiplier);
        json += ",\"retryableStatusCodes\":[";
        for (std::size_t i = 0; i < retry.retryable_status_codes.size(); ++i) {
            if (i > 0) json += ',';
            json += JsonString(retry.retryable_status_codes[i]);
        }
        json += "]}";
    }
    json += "}]";
    if (retry.max_attempts > 1) {
        json += ",\"retryThrottling\":{\"maxTokens\":" + std::to_string(options.retry_throttle_max_tokens) +
                ",\"tokenRatio\":" + std::to_string(options.retry_throttle_token_ratio) + "}";
    }
    json += "}";
    return json;
}

std::shared_ptr<grpc::Channel> CreateChannel(const ChannelOptions& options) {
    const std::string config = ServiceConfigJson(options);
    const std::string problem = grpc::experimental::ValidateServiceConfigJSON(config);
    if (!problem.empty()) {
        throw std::invalid_argument("invalid gRPC service config for " + options.target + ": " + problem);
    }
    grpc::ChannelArguments args;
    args.SetServiceConfigJSON(config);
    args.SetInt(GRPC_ARG_ENABLE_RETRIES, options.retry.max_attempts > 1 ? 1 : 0);
    // Services call each other inside one network: reconnect within 2 s of a peer coming back (gRPC's
    // default backoff grows to 120 s, so a service that started before auth could refuse every
    // token for that long after auth was up).
    args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
    args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 100);
    args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 2000);
    args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, static_cast<int>(options.keepalive_time.count()));
    args.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, static_cast<int>(options.keepalive_timeout.count()));
    args.SetInt(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, options.keepalive_without_calls ? 1 : 0);
    args.SetInt(GRPC_ARG_HTTP2_MAX_PINGS_WITHOUT_DATA, 0);
    args.SetMaxReceiveMessageSize(options.max_receive_message_bytes);
    return grpc::CreateCustomChannel(options.target, grpc::InsecureChannelCredentials(), args);
}

void PrepareClientContext(grpc::ClientContext& context, const OutgoingCall& call) {
    if (call.deadline == std::chrono::system_clock::time_point{}) {
        throw std::invalid_argument("an outgoing gRPC call needs a deadline");
    }
    context.set_deadline(call.deadline);
    core::TraceContext span;
    if (const auto* current = CurrentTrace()) {
        span = current->Child();
    } else if (auto same_trace = core::TraceContext::Parse("00-" + core::log::LogScope::CurrentTraceId() + "-" +
                                                           core::RandomHex(8) + "-01")) {
        span = *std::move(same_trace);  // a thread with log ids but no span (a consumer): keep its trace id
    } else {
        span = core::TraceContext::NewRoot();
    }
    context.AddMetadata(kTraceparentMetadata, span.ToTraceparent());
    if (const auto& request_id = core::log::LogScope::CurrentRequestId(); IsAcceptableRequestId(request_id)) {
        context.AddMetadata(kRequestIdMetadata, request_id);
    }
    if (!call.idempotency_key.empty()) {
        ValidateIdempotencyKey(call.idempotency_key);
        context.AddMetadata(kIdempotencyKeyMetadata, call.idempotency_key);
    }
    if (!call.bearer_token.empty()) {
        context.AddMetadata(kAuthorizationMetadata, std::string(kBearerPrefix) + call.bearer_token);
    }
}

void PrepareClientContext(grpc::ClientContext& context, std::chrono::system_clock::time_point deadline,
                          std::string_view idempotency_key) {
    PrepareClientContext(context, OutgoingCall{deadline, std::string(idempotency_key), {}});
}

}  // namespace marketplace::rpc
