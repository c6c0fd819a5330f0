#include "jobs_fixture.hpp"

#include <random>

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <pqxx/pqxx>

#include "api/jobs_api.hpp"
#include "jobs_migrations.hpp"
#include "marketplace/core/ids.hpp"
#include "marketplace/service/runtime.hpp"
#include "marketplace/testing/database.hpp"

namespace marketplace::jobs::testing {

struct JobsHarness::Impl {
    std::string conninfo;
    std::unique_ptr<tokens::TestTokens> tokens;
    std::unique_ptr<service::Runtime> runtime;
    std::unique_ptr<JobsApi> api;
};

JobsHarness& JobsHarness::Get() {
    static JobsHarness harness;
    return harness;
}

JobsHarness::JobsHarness() : impl_(std::make_unique<Impl>()), clock_(std::make_shared<core::ManualClock>()) {
    auto& db = marketplace::testing::TestDatabase::Shared("jobs");
    impl_->conninfo = db.conninfo();
    impl_->tokens = std::make_unique<tokens::TestTokens>(tokens::TestTokensOptions{.clock = clock_});

    service::RuntimeConfig config;
    config.name = "jobs";
    config.pg = db.Config(8);
    // No broker on purpose: events stay in the outbox, where the tests read them. Deliveries time
    // out quickly so stopping the relay at exit does not wait for a broker that never answers.
    config.kafka.bootstrap = "127.0.0.1:1";
    config.kafka.message_timeout_ms = 1000;
    config.server.listen_address = "127.0.0.1:0";
    config.server.drain_timeout = std::chrono::milliseconds(500);
    config.server.token_verifier = impl_->tokens->verifier();
    config.shutdown_timeout = std::chrono::seconds(2);

    impl_->runtime = std::make_unique<service::Runtime>(config, clock_);
    impl_->runtime->Migrate("jobs", migrations::jobs());
    impl_->api = std::make_unique<JobsApi>(*impl_->runtime);  // no clans service: clan applications are e2e tested
    impl_->runtime->AddService(impl_->api.get(), JobsApi::kServiceName);
    const int port = impl_->runtime->Start();
    stub_ = v1::JobsService::NewStub(
        grpc::CreateChannel("127.0.0.1:" + std::to_string(port), grpc::InsecureChannelCredentials()));
}

JobsHarness::~JobsHarness() {
    stub_.reset();
    if (impl_->runtime) impl_->runtime->Stop();
}

User JobsHarness::NewClient() const {
    const auto id = core::NewUuidV7();
    return User{id, "client", impl_->tokens->For(id, "client")};
}

User JobsHarness::NewFreelancer() const {
    const auto id = core::NewUuidV7();
    return User{id, "freelancer", impl_->tokens->For(id, "freelancer")};
}

User JobsHarness::NewAdmin() const {
    const auto id = core::NewUuidV7();
    return User{id, "admin", impl_->tokens->For(id, "admin")};
}

std::vector<OutboxRow> JobsHarness::Outbox(const std::string& key) const {
    pqxx::connection conn(impl_->conninfo);
    pqxx::nontransaction tx(conn);
    std::vector<OutboxRow> rows;
    for (const auto& r : tx.exec_params("SELECT event_key, event_type, payload FROM outbox WHERE event_key = $1 "
                                        "ORDER BY id",
                                        key)) {
        const pqxx::binarystring payload(r[2]);
        rows.push_back(OutboxRow{r[0].as<std::string>(), r[1].as<std::string>(), payload.str()});
    }
    return rows;
}

long long JobsHarness::Count(const std::string& sql, const std::string& param) const {
    pqxx::connection conn(impl_->conninfo);
    pqxx::nontransaction tx(conn);
    return tx.exec_params1(sql, param)[0].as<long long>();
}

std::string Key() { return "key-" + core::NewUuidV4(); }

std::string UniqueWord() {
    static thread_local std::mt19937_64 rng(std::random_device{}());
    std::string word = "zq";
    for (int i = 0; i < 10; ++i) word += static_cast<char>('a' + rng() % 26);
    return word;
}

}  // namespace marketplace::jobs::testing
