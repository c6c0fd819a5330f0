#include "call_interceptor.hpp"

#include <chrono>
#include <string>

#include <grpcpp/server_context.h>
#include <grpcpp/support/interceptor.h>

#include "call_state.hpp"
#include "marketplace/core/log.hpp"
#include "marketplace/metrics/metrics.hpp"
#include "marketplace/rpc/call_scope.hpp"
#include "marketplace/rpc/status.hpp"

namespace marketplace::rpc::impl {
namespace {

using grpc::experimental::InterceptionHookPoints;
namespace log = core::log;

const metrics::CounterFamily& HandledCalls() {
    static const metrics::CounterFamily family("marketplace_rpc_server_handled_total",
                                               "gRPC calls answered, by method and status code.");
    return family;
}

const metrics::HistogramFamily& CallDurations() {
    static const metrics::HistogramFamily family("marketplace_rpc_server_duration_seconds",
                                                 "Time from a gRPC call's metadata to its status, in seconds.",
                                                 metrics::LatencyBuckets());
    return family;
}

class CallInterceptor final : public grpc::experimental::Interceptor {
public:
    CallInterceptor(grpc::experimental::ServerRpcInfo* info, std::shared_ptr<ServerShared> shared)
        : context_(info->server_context()),
          method_(info->method() != nullptr ? info->method() : ""),
          infrastructure_(IsInfrastructureMethod(method_)),
          shared_(std::move(shared)),
          start_(std::chrono::steady_clock::now()) {}

    ~CallInterceptor() override {
        if (registered_) UnregisterCall(context_, state_.get());
        if (admitted_) shared_->gate.Leave();
    }

    void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
        if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_INITIAL_METADATA)) {
            OnMetadata(*methods->GetRecvInitialMetadata());
        }
        if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_INITIAL_METADATA) && state_) {
            methods->GetSendInitialMetadata()->emplace(kRequestIdMetadata, state_->request_id);
        }
        if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS)) {
            LogCall(methods->GetSendStatus());
        }
        methods->Proceed();
    }

private:
    void OnMetadata(const Metadata& metadata) {
        auto state = std::make_shared<CallState>(StateFromMetadata(metadata));
        state->method = method_;
        state->verifier = shared_->verifier;
        state->clock = shared_->clock;
        if (!infrastructure_) {
            admitted_ = shared_->gate.TryEnter();
            state->accepted = admitted_;
        }
        state_ = state;
        RegisterCall(context_, state_);
        registered_ = true;
    }

    void LogCall(const grpc::Status& status) {
        const auto elapsed = std::chrono::steady_clock::now() - start_;
        const double duration_ms = std::chrono::duration<double, std::milli>(elapsed).count();
        const auto code = status.error_code();
        if (!infrastructure_) {
            const metrics::Labels labels{{"method", method_}, {"code", std::string(StatusCodeName(code))}};
            HandledCalls().Increment(labels);
            CallDurations().Observe(labels, std::chrono::duration<double>(elapsed).count());
        }
        const auto level = infrastructure_ ? log::Level::kDebug : log::Level::kInfo;
        if (!log::Enabled(level)) return;
        log::LogScope scope(state_ ? state_->trace.trace_id : std::string(),
                            state_ ? state_->request_id : std::string());
        log::Write(level, "grpc call",
                   {{"method", method_},
                    {"grpc_code", static_cast<int>(code)},
                    {"status", StatusCodeName(code)},
                    {"duration_ms", duration_ms}});
    }

    grpc::ServerContextBase* context_;
    std::string method_;
    bool infrastructure_;
    std::shared_ptr<ServerShared> shared_;
    std::chrono::steady_clock::time_point start_;
    std::shared_ptr<const CallState> state_;
    bool registered_ = false;
    bool admitted_ = false;
};

}  // namespace

bool IsInfrastructureMethod(std::string_view method) {
    return method.rfind("/grpc.health.v1.Health/", 0) == 0 || method.rfind("/grpc.reflection.", 0) == 0;
}

grpc::experimental::Interceptor* CallInterceptorFactory::CreateServerInterceptor(
    grpc::experimental::ServerRpcInfo* info) {
    return new CallInterceptor(info, shared_);
}

}  // namespace marketplace::rpc::impl
