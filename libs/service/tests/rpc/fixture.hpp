#pragma once
// A real gRPC server on 127.0.0.1 (ephemeral port) serving the CounterService over the test
// database, and the client side that calls it.
#include <cstdint>
#include <memory>
#include <string>

#include <grpcpp/channel.h>
#include <grpcpp/client_context.h>

#include "counter_service.hpp"
#include "marketplace/db/pool.hpp"
#include "marketplace/rpc/idempotency.hpp"
#include "marketplace/rpc/server.hpp"
#include "marketplace/service/idempotency_store.hpp"
#include "test_clients.hpp"

namespace marketplace::rpctest {

/// The test database's pool, with the schema in place.
db::Pool& SharedPool();
const service::IdempotencyStore& SharedStore();

/// A name no other test uses.
std::string UniqueName(const std::string& prefix);

/// A counter's value read straight from the database (0 when absent).
std::int64_t StoredValue(const std::string& counter_id);

/// Options for test servers: loopback, ephemeral port, short drain, no signals.
rpc::ServerOptions TestServerOptions();

struct TestServer {
    explicit TestServer(rpc::ServerOptions options = TestServerOptions());

    CounterService service;
    rpc::Server server;
    int port;
    std::shared_ptr<grpc::Channel> channel;
    std::unique_ptr<v1::CounterService::Stub> stub;
};

/// Calls Add with `key` (none when empty) in a fresh context with a 10 s deadline; or in `context`,
/// which the caller prepared (then `key` must be empty).
grpc::Status CallAdd(v1::CounterService::Stub& stub, const std::string& key, const std::string& counter_id,
                     std::int64_t amount, v1::AddResponse* response, grpc::ClientContext* context = nullptr);
grpc::Status CallGet(v1::CounterService::Stub& stub, const std::string& counter_id, v1::GetResponse* response,
                     grpc::ClientContext* context = nullptr);

}  // namespace marketplace::rpctest
