#pragma once
// The server-side interceptor behind CallScope: per call it records the call's state (request id,
// trace, token, admitted or refused) under its ServerContext, echoes x-request-id, and when the
// status is sent logs one line and counts the call (marketplace_rpc_server_handled_total and
// _duration_seconds by method and code; health and reflection calls are not counted).
#include <memory>

#include <grpcpp/support/server_interceptor.h>

#include "call_gate.hpp"

namespace marketplace::rpc::impl {

class CallInterceptorFactory final : public grpc::experimental::ServerInterceptorFactoryInterface {
public:
    explicit CallInterceptorFactory(std::shared_ptr<ServerShared> shared) : shared_(std::move(shared)) {}
    grpc::experimental::Interceptor* CreateServerInterceptor(grpc::experimental::ServerRpcInfo* info) override;

private:
    std::shared_ptr<ServerShared> shared_;
};

/// True for the infrastructure services (health, reflection): not counted, not refused, logged at debug.
bool IsInfrastructureMethod(std::string_view method);

}  // namespace marketplace::rpc::impl
