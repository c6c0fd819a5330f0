#include "counter_service.hpp"

#include <thread>

#include <pqxx/nontransaction>

#include "idempotency_migrations.hpp"
#include "marketplace/core/errors.hpp"
#include "marketplace/core/log.hpp"
#include "marketplace/db/migration_runner.hpp"
#include "marketplace/db/transaction.hpp"
#include "marketplace/rpc/call_scope.hpp"

namespace marketplace::rpctest {

void PrepareSchema(db::Pool& pool) {
    auto conn = pool.Acquire();
    db::ApplyMigrations(*conn, "idempotency", migrations::idempotency());
    pqxx::nontransaction tx(*conn);
    tx.exec("CREATE TABLE IF NOT EXISTS counters (counter_id text PRIMARY KEY, value bigint NOT NULL)");
}

grpc::Status CounterService::Add(grpc::ServerContext* context, const v1::AddRequest* request,
                                 v1::AddResponse* response) {
    return rpc::Handle(context, [&](rpc::CallScope& call) {
        const auto idempotent = rpc::IdempotentCall::From(call);
        if (request->counter_id().empty()) throw core::InvalidArgument("counter_id", "must not be empty");
        *response = db::InTransaction(pool_, [&](pqxx::work& tx) {
            return store_.Run<v1::AddResponse>(tx, idempotent, *request, [&](pqxx::work& effect_tx) {
                effects.fetch_add(1);
                if (const int delay = add_delay_ms.load(); delay > 0) {
                    std::this_thread::sleep_for(std::chrono::milliseconds(delay));
                }
                const auto row = effect_tx.exec_params1(
                    "INSERT INTO counters (counter_id, value) VALUES ($1, $2) "
                    "ON CONFLICT (counter_id) DO UPDATE SET value = counters.value + EXCLUDED.value "
                    "RETURNING value",
                    request->counter_id(), static_cast<long long>(request->amount()));
                v1::AddResponse result;
                result.set_value(row[0].as<long long>());
                return result;
            });
        });
    });
}

grpc::Status CounterService::Get(grpc::ServerContext* context, const v1::GetRequest* request,
                                 v1::GetResponse* response) {
    return rpc::Handle(context, [&](rpc::CallScope& call) {
        {
            std::lock_guard lock(mu_);
            last_get_ = Seen{call.method(),
                             call.request_id(),
                             call.trace().trace_id,
                             call.trace().span_id,
                             core::log::LogScope::CurrentTraceId(),
                             core::log::LogScope::CurrentRequestId()};
        }
        if (request->counter_id().empty()) throw core::InvalidArgument("counter_id", "must not be empty");
        if (const int delay = get_delay_ms.load(); delay > 0) {
            std::this_thread::sleep_for(std::chrono::milliseconds(delay));
        }
        auto conn = pool_.Acquire();
        pqxx::nontransaction tx(*conn);
        const auto rows = tx.exec_params("SELECT value FROM counters WHERE counter_id = $1", request->counter_id());
        response->set_value(rows.empty() ? 0 : rows[0][0].as<long long>());
    });
}

CounterService::Seen CounterService::last_get() const {
    std::lock_guard lock(mu_);
    return last_get_;
}

}  // namespace marketplace::rpctest
