#pragma once
// The test-only CounterService: counters in PostgreSQL, Add made idempotent with service::IdempotencyStore,
// plus knobs and records the tests look at.
#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>

#include "marketplace/db/pool.hpp"
#include "marketplace/rpc/idempotency.hpp"
#include "marketplace/rpctest/v1/counter.grpc.pb.h"
#include "marketplace/service/idempotency_store.hpp"

namespace marketplace::rpctest {

/// Creates the counters table and applies the idempotency migrations (once per database).
void PrepareSchema(db::Pool& pool);

class CounterService final : public v1::CounterService::Service {
public:
    CounterService(db::Pool& pool, const service::IdempotencyStore& store) : pool_(pool), store_(store) {}

    grpc::Status Add(grpc::ServerContext* context, const v1::AddRequest* request, v1::AddResponse* response) override;
    grpc::Status Get(grpc::ServerContext* context, const v1::GetRequest* request, v1::GetResponse* response) override;

    /// How often Add's effect ran (a replay does not run it).
    std::atomic<int> effects{0};
    /// Add's effect sleeps this long while it holds the key (to make races and slow calls).
    std::atomic<int> add_delay_ms{0};
    /// Get sleeps this long before answering.
    std::atomic<int> get_delay_ms{0};

    /// What the last Get's handler saw in its CallScope.
    struct Seen {
        std::string method;
        std::string request_id;
        std::string trace_id;
        std::string span_id;
        std::string log_trace_id;  // core LogScope ids on the handler's thread
        std::string log_request_id;
    };
    Seen last_get() const;

private:
    db::Pool& pool_;
    const service::IdempotencyStore& store_;
    mutable std::mutex mu_;
    Seen last_get_;
};

}  // namespace marketplace::rpctest
