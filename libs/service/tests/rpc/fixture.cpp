#include "fixture.hpp"

#include <pqxx/nontransaction>

#include "marketplace/core/ids.hpp"
#include "marketplace/service/database_errors.hpp"
#include "marketplace/service/idempotency_store.hpp"
#include "marketplace/testing/database.hpp"

namespace marketplace::rpctest {

db::Pool& SharedPool() {
    static db::Pool* pool = [] {
        service::InstallDatabaseErrors();  // as a service's runtime does
        auto* p = new db::Pool(testing::TestDatabase::Shared("rpc").Config(24));
        PrepareSchema(*p);
        return p;
    }();
    return *pool;
}

const service::IdempotencyStore& SharedStore() {
    static const service::IdempotencyStore store;
    return store;
}

std::string UniqueName(const std::string& prefix) { return prefix + "-" + core::RandomHex(6); }

std::int64_t StoredValue(const std::string& counter_id) {
    auto conn = SharedPool().Acquire();
    pqxx::nontransaction tx(*conn);
    const auto rows = tx.exec_params("SELECT value FROM counters WHERE counter_id = $1", counter_id);
    return rows.empty() ? 0 : rows[0][0].as<std::int64_t>();
}

rpc::ServerOptions TestServerOptions() {
    rpc::ServerOptions options;
    options.listen_address = "127.0.0.1:0";
    options.drain_timeout = std::chrono::seconds(5);
    options.handle_signals = false;
    return options;
}

TestServer::TestServer(rpc::ServerOptions options) : service(SharedPool(), SharedStore()), server(std::move(options)) {
    server.AddService(&service, v1::CounterService::service_full_name());
    port = server.Start();
    channel = ChannelTo(port);
    stub = v1::CounterService::NewStub(channel);
}

grpc::Status CallAdd(v1::CounterService::Stub& stub, const std::string& key, const std::string& counter_id,
                     std::int64_t amount, v1::AddResponse* response, grpc::ClientContext* context) {
    grpc::ClientContext own;
    grpc::ClientContext& ctx = context != nullptr ? *context : own;
    if (context == nullptr) {
        ctx.set_deadline(In(std::chrono::seconds(10)));
        if (!key.empty()) ctx.AddMetadata("idempotency-key", key);
    }
    v1::AddRequest request;
    request.set_counter_id(counter_id);
    request.set_amount(amount);
    return stub.Add(&ctx, request, response);
}

grpc::Status CallGet(v1::CounterService::Stub& stub, const std::string& counter_id, v1::GetResponse* response,
                     grpc::ClientContext* context) {
    grpc::ClientContext own;
    grpc::ClientContext& ctx = context != nullptr ? *context : own;
    if (context == nullptr) ctx.set_deadline(In(std::chrono::seconds(10)));
    v1::GetRequest request;
    request.set_counter_id(counter_id);
    return stub.Get(&ctx, request, response);
}

}  // namespace marketplace::rpctest
