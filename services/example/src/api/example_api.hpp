#pragma once
// The ExampleService gRPC handlers: decode, authorize, read, encode.
#include <grpcpp/grpcpp.h>

#include "marketplace/example/v1/example.grpc.pb.h"
#include "marketplace/service/runtime.hpp"

namespace marketplace::example::api {

class ExampleApi final : public v1::ExampleService::Service {
public:
    explicit ExampleApi(service::Runtime& runtime) : runtime_(runtime) {}

    grpc::Status GetClientActivity(grpc::ServerContext* context, const v1::GetClientActivityRequest* request,
                                   v1::GetClientActivityResponse* response) override;

private:
    service::Runtime& runtime_;
};

}  // namespace marketplace::example::api
