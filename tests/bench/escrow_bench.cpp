// make bench-sagas' escrow section: single escrow releases, each milestone its own operation, made
// the way the accept saga makes them and timed one by one, from several concurrent callers.
//
// What runs where: payments runs in this process (its Component on the service kit's Runtime, real
// gRPC on a loopback port, the local stack's PostgreSQL in a fresh database, its relay publishing to
// the local stack's Kafka under a topic prefix of its own). Set-up, not timed: clients deposit
// through the sandbox provider (CreateDeposit and its webhook, as in development), then every
// milestone is funded by a MilestoneFundingRequested through payments' EventRouter. Timed: each
// caller takes the next funded milestone and applies its MilestoneAccepted as payments' consumer
// applies an event, through the InboxApplier the Runtime builds from payments' EventRouter: the
// inbox row that makes a redelivery change nothing, then the handler (lock, load, decide, post the
// release's legs, update the escrow, the EscrowReleased event in the outbox), then COMMIT; callers
// that apply at the same time share one transaction (group commit, the releases' statements shared
// by EscrowFlows::ReleaseMany), each answered once it committed. Afterwards the ledger audit
// (AuditLedger as an admin) must be healthy and every escrow released once.
//
// Prints "name value" lines: escrow_releases, escrow_release_failed, escrow_releases_per_s,
// escrow_release_p50_ms / p99_ms / max_ms, escrow_callers, escrow_release_transactions (how many
// transactions the releases took), escrow_audit (healthy|BROKEN) and escrow_released_once (yes|no).
// run-sagas-bench.sh runs pgbench with as many clients in the same run.
//   --milestones N (4000)  --callers N (4)  --clients N (16)
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <grpcpp/grpcpp.h>
#include <pqxx/pqxx>

#include "component.hpp"
#include "marketplace/contracts/v1/events.pb.h"
#include "marketplace/core/clock.hpp"
#include "marketplace/core/ids.hpp"
#include "marketplace/core/log.hpp"
#include "marketplace/db/statements.hpp"
#include "marketplace/db/transaction.hpp"
#include "marketplace/messaging/kafka_config.hpp"
#include "marketplace/payments/v1/payments.grpc.pb.h"
#include "marketplace/rpc/client.hpp"
#include "marketplace/service/runtime.hpp"
#include "marketplace/testing/broker_control.hpp"
#include "marketplace/testing/database.hpp"
#include "marketplace/tokens/test_tokens.hpp"
#include "payments_migrations.hpp"

using namespace marketplace;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
namespace pv1 = marketplace::payments::v1;
namespace cv1 = marketplace::contracts::v1;

namespace {

constexpr std::int64_t kAmount = 10'000;  // 100.00 EUR per milestone

struct Milestone {
    std::string id;
    std::string contract_id;
    std::string client_id;
    std::string freelancer_id;
};

common::v1::Money Eur(std::int64_t minor) {
    common::v1::Money m;
    m.set_minor_units(minor);
    m.set_currency("EUR");
    return m;
}

double Percentile(std::vector<double> v, double p) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    return v[static_cast<std::size_t>(p * static_cast<double>(v.size() - 1))];
}

template <typename F>
void Parallel(int n, F&& f) {
    std::vector<std::thread> threads;
    for (int i = 0; i < n; ++i) threads.emplace_back([&, i] { f(i); });
    for (auto& t : threads) t.join();
}

class Bench final {
public:
    Bench() {
        service::RuntimeConfig config;
        config.name = "payments";
        config.pg = testing::TestDatabase::Shared("escrow_bench").Config(24);
        config.kafka.bootstrap = testing::BrokerControl::Bootstrap();
        config.topic_prefix = "bench-" + core::RandomHex(4) + ".";
        testing::BrokerControl().CreateTopic(config.topic_prefix + "payments.events.v1", 4);
        config.server.listen_address = "127.0.0.1:0";
        config.server.token_verifier = tokens_.verifier();
        config.server.handle_signals = false;
        config.shutdown_timeout = 10s;
        runtime_ = std::make_unique<service::Runtime>(config);
        runtime_->Migrate("payments", migrations::payments());
        payments::PaymentsConfig settings;
        settings.webhook_secret = "escrow-bench-webhook-secret-0123456789";
        settings.provider = payments::kSandboxProvider;  // development: the sandbox confirms deposits
        settings.dev_mode = true;
        payments::ComponentOptions options;
        options.consume_events = false;  // this bench hands the events to the router itself
        component_ = std::make_unique<payments::PaymentsComponent>(*runtime_, settings, options);
        // The way payments' consumer applies events (its inbox consumer name, handlers and batch
        // handlers), shared between the callers: concurrent releases commit together.
        applier_ = runtime_->Applier(component_->router());
        const int port = runtime_->Start();
        component_->UseSelfPort(port);
        rpc::ChannelOptions channel;
        channel.target = "127.0.0.1:" + std::to_string(port);
        stub_ = pv1::PaymentsService::NewStub(rpc::CreateChannel(channel));
    }

    ~Bench() {
        applier_.reset();
        component_.reset();
        runtime_.reset();
    }

    /// A client whose wallet holds `minor` once the sandbox's webhook has arrived.
    std::string FundedClient(std::int64_t minor) {
        const std::string client = core::NewUuidV7();
        pv1::CreateDepositRequest request;
        *request.mutable_amount() = Eur(minor);
        pv1::CreateDepositResponse response;
        auto context = Context(client, "client");
        context->AddMetadata("idempotency-key", core::NewUuidV4());
        const auto status = stub_->CreateDeposit(context.get(), request, &response);
        if (!status.ok()) throw std::runtime_error("CreateDeposit: " + status.error_message());
        const auto deadline = Clock::now() + 30s;
        while (Available(client) < minor) {
            if (Clock::now() > deadline)
                throw std::runtime_error("the sandbox deposit of " + client + " never arrived");
            std::this_thread::sleep_for(20ms);
        }
        return client;
    }

    /// Applies `event` as payments' consumer does (InboxApplier::Apply): its inbox row and the handler
    /// in one transaction, shared with the events of concurrent callers (a fresh event id: each event
    /// is new). Returns once that transaction committed; throws what applying it threw.
    template <typename Message>
    void Apply(const Message& event, const std::string& key) {
        messaging::IncomingEvent in;
        in.id = core::NewUuidV4();
        in.source = "//marketplace/contracts";
        in.type = Message::descriptor()->full_name();
        in.key = key;
        in.payload = event.SerializeAsString();
        in.topic = "contracts.events.v1";
        applier_->Apply(in);
    }

    /// Transactions the callers' events were applied in.
    std::uint64_t commits() const { return applier_->commits(); }

    std::int64_t Available(const std::string& user) {
        auto lease = runtime_->pool().Acquire();
        pqxx::nontransaction q(*lease);
        const auto r = q.exec_params(
            "SELECT balance FROM accounts WHERE kind = 'wallet_available' AND owner = $1 AND currency = 'EUR'", user);
        return r.empty() ? 0 : r[0][0].as<std::int64_t>();
    }

    std::int64_t Count(const std::string& sql) {
        auto lease = runtime_->pool().Acquire();
        pqxx::nontransaction q(*lease);
        return q.exec(sql)[0][0].as<std::int64_t>();
    }

    pv1::AuditLedgerResponse Audit() {
        pv1::AuditLedgerResponse response;
        auto context = Context(core::NewUuidV7(), "admin");
        const auto status = stub_->AuditLedger(context.get(), pv1::AuditLedgerRequest(), &response);
        if (!status.ok()) throw std::runtime_error("AuditLedger: " + status.error_message());
        return response;
    }

private:
    std::unique_ptr<grpc::ClientContext> Context(const std::string& user, const std::string& role) {
        auto context = std::make_unique<grpc::ClientContext>();
        context->set_deadline(std::chrono::system_clock::now() + 30s);
        context->AddMetadata("authorization", "Bearer " + tokens_.For(user, role));
        return context;
    }

    tokens::TestTokens tokens_;
    std::unique_ptr<service::Runtime> runtime_;
    std::unique_ptr<payments::PaymentsComponent> component_;
    std::unique_ptr<pv1::PaymentsService::Stub> stub_;
    std::unique_ptr<messaging::InboxApplier> applier_;  // as payments' consumer applies events
};

int Arg(int argc, char** argv, const std::string& name, int fallback, int lo, int hi) {
    for (int i = 1; i + 1 < argc; ++i) {
        if (argv[i] == name) return std::clamp(std::atoi(argv[i + 1]), lo, hi);
    }
    return fallback;
}

}  // namespace

int main(int argc, char** argv) {
    const int milestones = Arg(argc, argv, "--milestones", 4000, 10, 200000);
    const int callers = Arg(argc, argv, "--callers", 4, 1, 64);
    const int clients = Arg(argc, argv, "--clients", 16, 1, 256);
    core::log::Init("payments");  // MARKETPLACE_LOG_LEVEL: the script asks for warn, as per-event lines cost CPU
    try {
        Bench bench;
        const int per_client = (milestones + clients - 1) / clients;
        std::fprintf(stderr, "escrow: %d clients deposit through the sandbox...\n", clients);
        std::vector<std::string> client_ids(static_cast<std::size_t>(clients));
        Parallel(std::min(clients, 8), [&](int t) {
            for (int c = t; c < clients; c += std::min(clients, 8)) {
                client_ids[static_cast<std::size_t>(c)] = bench.FundedClient(kAmount * per_client);
            }
        });
        std::fprintf(stderr, "escrow: funding %d milestones...\n", milestones);
        std::vector<Milestone> funded(static_cast<std::size_t>(milestones));
        std::atomic<int> next{0};
        Parallel(4, [&](int) {
            for (int i = next++; i < milestones; i = next++) {
                Milestone& m = funded[static_cast<std::size_t>(i)];
                m.id = core::NewUuidV7();
                m.contract_id = core::NewUuidV7();
                m.client_id = client_ids[static_cast<std::size_t>(i % clients)];
                m.freelancer_id = core::NewUuidV7();
                cv1::MilestoneFundingRequested e;
                e.set_milestone_id(m.id);
                e.set_contract_id(m.contract_id);
                e.set_client_id(m.client_id);
                *e.mutable_amount() = Eur(kAmount);
                e.set_attempt(1);
                bench.Apply(e, m.id);
                if ((i + 1) % 1000 == 0) std::fprintf(stderr, "escrow: %d funded\n", i + 1);
            }
        });
        const auto held =
            bench.Count("SELECT count(*) FROM escrows WHERE state = 'funded'");  // every request was covered
        if (held != milestones)
            throw std::runtime_error(std::to_string(held) + " escrows funded, expected " + std::to_string(milestones));

        std::fprintf(stderr, "escrow: releasing %d milestones from %d callers...\n", milestones, callers);
        std::mutex mu;
        std::vector<double> latencies;
        latencies.reserve(static_cast<std::size_t>(milestones));
        std::atomic<int> failed{0};
        next = 0;
        const auto commits_before = bench.commits();
        const auto start = Clock::now();
        Parallel(callers, [&](int) {
            std::vector<double> mine;
            for (int i = next++; i < milestones; i = next++) {
                const Milestone& m = funded[static_cast<std::size_t>(i)];
                cv1::MilestoneAccepted e;
                e.set_milestone_id(m.id);
                e.set_contract_id(m.contract_id);
                e.set_client_id(m.client_id);
                *e.mutable_amount() = Eur(kAmount);
                auto* payee = e.add_payees();
                payee->set_user_id(m.freelancer_id);
                payee->set_share_bps(10000);
                const auto t0 = Clock::now();
                try {
                    bench.Apply(e, m.id);
                } catch (const std::exception& error) {
                    std::fprintf(stderr, "release failed: %.300s\n", error.what());
                    ++failed;
                    continue;
                }
                mine.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
            }
            std::lock_guard lock(mu);
            latencies.insert(latencies.end(), mine.begin(), mine.end());
        });
        const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
        const auto release_transactions = bench.commits() - commits_before;

        const auto audit = bench.Audit();
        const auto released = bench.Count("SELECT count(*) FROM escrows WHERE state = 'released'");
        const auto release_operations = bench.Count("SELECT count(*) FROM operations WHERE kind = 'escrow_release'");
        std::printf("escrow_callers %d\n", callers);
        std::printf("escrow_releases %zu\n", latencies.size());
        std::printf("escrow_release_failed %d\n", failed.load());
        std::printf("escrow_releases_per_s %.1f\n", static_cast<double>(latencies.size()) / seconds);
        std::printf("escrow_release_p50_ms %.2f\n", Percentile(latencies, 0.50));
        std::printf("escrow_release_p99_ms %.2f\n", Percentile(latencies, 0.99));
        std::printf("escrow_release_max_ms %.2f\n", Percentile(latencies, 1.0));
        std::printf("escrow_release_transactions %llu\n", static_cast<unsigned long long>(release_transactions));
        std::printf("escrow_audit %s\n", audit.healthy() ? "healthy" : "BROKEN");
        std::printf("escrow_released_once %s\n",
                    released == milestones && release_operations == milestones ? "yes" : "no");
        std::fflush(stdout);
        if (!audit.healthy()) {
            for (const auto& v : audit.violations()) std::fprintf(stderr, "audit: %s\n", v.ShortDebugString().c_str());
            return 1;
        }
        return failed.load() == 0 && released == milestones ? 0 : 1;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "escrow_bench: %s\n", e.what());
        return 1;
    }
}
