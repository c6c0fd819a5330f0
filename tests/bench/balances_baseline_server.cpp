// make bench-gateway's baseline for the read route: the least a server does to answer
// PaymentsService.GetBalances from payments' own database. A bare grpc::Server (the synchronous API with
// the services' thread settings, rpc::ServerOptions read from the same variables; no interceptor, no token
// check, no idempotency, no metrics, no logging per call) runs payments' statement of GetBalances (the
// wallet's accounts and the funded escrows in one statement, one snapshot), word for word and prepared
// as payments prepares it (db::Exec), outside a transaction as payments reads it, on a db::Pool sized
// like payments' (db::PgConfig::FromEnv, PG_POOL_SIZE).
// With no token, the user comes in the request's user_id; the answer is the client's view, as payments
// gives the bench's clients (available and in escrow, a currency holding neither left out).
// Environment: GRPC_LISTEN (host:port), BASELINE_PG_CONNINFO (payments' database), and what payments reads.
#include <pthread.h>

#include <algorithm>
#include <cctype>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>

#include <grpcpp/grpcpp.h>
#include <grpcpp/resource_quota.h>
#include <pqxx/pqxx>

#include "marketplace/core/config.hpp"
#include "marketplace/core/ids.hpp"
#include "marketplace/db/arrays.hpp"
#include "marketplace/db/pool.hpp"
#include "marketplace/db/statements.hpp"
#include "marketplace/db/transaction.hpp"
#include "marketplace/payments/v1/payments.grpc.pb.h"
#include "marketplace/rpc/server.hpp"

namespace pv1 = marketplace::payments::v1;
using namespace marketplace;

namespace {

// services/payments/src/storage/balance_store.cpp BalancesOf, as WalletFlows::Balances calls it.
constexpr const char* kBalancesOf =
    "SELECT kind, currency, balance FROM accounts WHERE owner = $1 AND kind = ANY($2::text[]) "
    "UNION ALL "
    "SELECT 'in_escrow', a.currency, sum(a.balance)::bigint FROM escrows e "
    "JOIN accounts a ON a.id = e.account_id WHERE e.client_id = $1::uuid AND e.state = 'funded' "
    "GROUP BY a.currency";

struct Balance {
    std::int64_t available = 0;
    std::int64_t pending_payouts = 0;
    std::int64_t in_escrow = 0;
};

common::v1::Money MoneyOf(std::int64_t minor, const std::string& currency) {
    common::v1::Money m;
    m.set_minor_units(minor);
    m.set_currency(currency);
    return m;
}

class BaselineBalances final : public pv1::PaymentsService::Service {
public:
    explicit BaselineBalances(db::Pool& pool) : pool_(pool) {}

    grpc::Status GetBalances(grpc::ServerContext*, const pv1::GetBalancesRequest* request,
                             pv1::GetBalancesResponse* response) override {
        if (!core::IsUuid(request->user_id())) {
            return {grpc::StatusCode::INVALID_ARGUMENT, "user_id: a user id is required (there is no token)"};
        }
        std::string user = request->user_id();
        for (auto& c : user) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        try {
            std::map<std::string, Balance> balances;
            {
                auto connection = pool_.Acquire();
                pqxx::nontransaction read(*connection);
                for (const auto& row :
                     db::Exec(read, kBalancesOf, user, db::TextArray({"wallet_available", "payout_pending"}))) {
                    auto& b = balances[row[1].c_str()];
                    const auto amount = row[2].as<std::int64_t>();
                    const std::string_view kind = row[0].c_str();
                    if (kind == "wallet_available") {
                        b.available += amount;
                    } else if (kind == "payout_pending") {
                        b.pending_payouts += amount;
                    } else {
                        b.in_escrow += amount;
                    }
                }
            }
            response->set_user_id(user);
            response->set_view(pv1::BALANCE_VIEW_CLIENT);
            for (const auto& [currency, b] : balances) {
                if (b.available == 0 && b.in_escrow == 0) continue;
                auto* item = response->add_balances();
                item->set_currency(currency);
                *item->mutable_available() = MoneyOf(b.available, currency);
                *item->mutable_in_escrow() = MoneyOf(b.in_escrow, currency);
            }
            return grpc::Status::OK;
        } catch (const std::exception& e) {
            return {grpc::StatusCode::UNAVAILABLE, e.what()};
        }
    }

private:
    db::Pool& pool_;
};

}  // namespace

int main() {
    // SIGTERM and SIGINT end it (below); blocked before gRPC starts any thread, so none of them takes one.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);
    try {
        core::EnvReader env;
        const char* conninfo = std::getenv("BASELINE_PG_CONNINFO");
        if (conninfo == nullptr || *conninfo == '\0') throw std::invalid_argument("BASELINE_PG_CONNINFO is not set");
        // Payments' pool and server settings, read the way payments reads them; its database, not the
        // defaults' (a stack's test database has its own name, user and password).
        db::PgConfig pg = db::PgConfig::FromEnv(env, "payments");
        pg.conninfo = conninfo;
        const auto options = rpc::ServerOptions::FromEnv(env, 0);
        env.Finish();
        db::Pool pool(pg);
        db::InTransaction(pool, [](pqxx::work& tx) { tx.exec("SELECT 1"); });
        BaselineBalances service(pool);

        grpc::ServerBuilder builder;
        int port = 0;
        builder.AddListeningPort(options.listen_address, grpc::InsecureServerCredentials(), &port);
        builder.RegisterService(&service);
        builder.SetMaxReceiveMessageSize(options.max_receive_message_bytes);
        builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
        // The services' thread settings (libs/rpc/src/server.cpp): with gRPC's defaults a busy synchronous
        // server would start a thread per call, and the baseline would pay for that.
        builder.SetSyncServerOption(grpc::ServerBuilder::SyncServerOption::NUM_CQS, 1);
        builder.SetSyncServerOption(grpc::ServerBuilder::SyncServerOption::MIN_POLLERS, options.min_pollers);
        builder.SetSyncServerOption(grpc::ServerBuilder::SyncServerOption::MAX_POLLERS,
                                    std::max(options.min_pollers, options.max_pollers));
        grpc::ResourceQuota quota("balances-baseline");
        quota.SetMaxThreads(options.max_threads);
        builder.SetResourceQuota(quota);
        const auto server = builder.BuildAndStart();
        if (!server || port == 0) throw std::runtime_error("cannot listen on " + options.listen_address);
        std::fprintf(stderr, "balances baseline: listening on %s, pool of %zu connections\n",
                     options.listen_address.c_str(), pg.pool_size);

        int received = 0;
        sigwait(&signals, &received);
        server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(5));
    } catch (const std::exception& e) {
        std::fprintf(stderr, "balances_baseline_server: %s\n", e.what());
        return 1;
    }
    return 0;
}
