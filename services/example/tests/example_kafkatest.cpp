// The template service as a process on the local stack: it answers gRPC health, and jobs' JobPosted
// events, published through an outbox and its relay as jobs publishes them, come out of it as
// ClientActivityChanged on example.events.v1, one per job, with each client's running count.
#include <catch2/catch.hpp>

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <pqxx/pqxx>

#include "health_probe.hpp"
#include "marketplace/core/ids.hpp"
#include "marketplace/db/migration_runner.hpp"
#include "marketplace/db/pool.hpp"
#include "marketplace/example/v1/events.pb.h"
#include "marketplace/jobs/v1/events.pb.h"
#include "marketplace/messaging/outbox.hpp"
#include "marketplace/messaging/relay.hpp"
#include "marketplace/testing/broker_control.hpp"
#include "marketplace/testing/database.hpp"
#include "marketplace/testing/event_probe.hpp"
#include "marketplace/testing/process.hpp"
#include "marketplace/testing/wait.hpp"
#include "messaging_migrations.hpp"

namespace {

using namespace std::chrono_literals;
using namespace marketplace;

messaging::KafkaConfig TestKafka() {
    messaging::KafkaConfig k;
    k.bootstrap = testing::BrokerControl::Bootstrap();
    k.linger_ms = 0;
    return k;
}

// What jobs does when a job is posted: the event appended to its outbox in the transaction.
void PostJob(db::Pool& pool, const std::string& topic, const std::string& job_id, const std::string& client_id,
             const std::string& title) {
    jobs::v1::JobPosted e;
    e.set_job_id(job_id);
    e.set_client_id(client_id);
    e.set_title(title);
    auto lease = pool.Acquire();
    pqxx::work tx(*lease);
    messaging::Outbox("jobs").Append(
        tx, {.topic = topic, .key = job_id, .type = "marketplace.jobs.v1.JobPosted", .payload = e.SerializeAsString()});
    tx.commit();
}

struct Changed {
    std::string key;
    std::string type;
    std::string client_id;
    std::int64_t jobs_posted = 0;
    std::string job_id;
};

std::vector<Changed> Decode(const std::vector<testing::ProbedEvent>& events) {
    std::vector<Changed> out;
    for (const auto& e : events) {
        example::v1::ClientActivityChanged m;
        REQUIRE(m.ParseFromString(e.payload));
        const auto type = e.headers.find("ce_type");
        out.push_back({e.key, type == e.headers.end() ? "" : type->second, m.client_id(), m.jobs_posted(), m.job_id()});
    }
    return out;
}

}  // namespace

TEST_CASE("The template service answers health, counts jobs' JobPosted and publishes ClientActivityChanged",
          "[example][kafka]") {
    const std::string prefix = "example-" + core::RandomHex(4) + ".";
    const std::string jobs_topic = prefix + "jobs.events.v1";
    const std::string example_topic = prefix + "example.events.v1";
    testing::BrokerControl broker;
    broker.CreateTopic(jobs_topic, 3);
    broker.CreateTopic(example_topic, 3);

    testing::TestDatabase database("example_service");
    const int grpc_port = testing::FreePort();
    const std::string target = "127.0.0.1:" + std::to_string(grpc_port);
    auto env = database.ServiceEnv();
    env["GRPC_LISTEN"] = target;
    env["METRICS_LISTEN"] = "127.0.0.1:" + std::to_string(testing::FreePort());
    env["KAFKA_BOOTSTRAP"] = testing::BrokerControl::Bootstrap();
    env["KAFKA_TOPIC_PREFIX"] = prefix;
    // Nothing here calls with a token: auth's keys are never fetched.
    env["AUTH_GRPC_TARGET"] = "127.0.0.1:" + std::to_string(testing::FreePort());
    testing::ChildProcess service({EXAMPLE_SERVICE_BIN}, env, "/tmp/marketplace-example-" + database.name() + ".log");

    // Migrated, serving, and its API registered under the service's name.
    rpc::tools::ProbeResult health;
    const bool serving = testing::WaitUntil(
        [&] {
            REQUIRE(service.Running());
            health = rpc::tools::ProbeGrpc(target, "marketplace.example.v1.ExampleService", 1s);
            return health.healthy;
        },
        60s, 100ms);
    INFO(service.LogTail());
    REQUIRE(serving);
    CHECK(health.detail == "SERVING");
    CHECK(rpc::tools::ProbeGrpc(target, "", 1s).healthy);

    // jobs' side: its outbox and relay, on a database of its own.
    testing::TestDatabase jobs_db("example_jobs");
    {
        pqxx::connection conn(jobs_db.conninfo());
        db::ApplyMigrations(conn, "messaging", migrations::messaging());
    }
    db::Pool jobs_pool(jobs_db.Config(2));
    messaging::OutboxRelay relay(jobs_db.Config(2), TestKafka(), {.service = "jobs"});
    relay.Start();

    // A topic just created may take a moment to show in the metadata of a cluster that just started.
    std::unique_ptr<testing::EventProbe> probe;
    std::string probe_error;
    REQUIRE(testing::WaitUntil(
        [&] {
            try {
                probe = std::make_unique<testing::EventProbe>(TestKafka().bootstrap,
                                                              std::vector<std::string>{example_topic});
                return true;
            } catch (const std::exception& e) {
                probe_error = e.what();
                return false;
            }
        },
        30s, 500ms));
    const std::string alice = core::NewUuidV4();
    const std::string bob = core::NewUuidV4();
    const std::string job1 = core::NewUuidV4();
    const std::string job2 = core::NewUuidV4();
    const std::string job3 = core::NewUuidV4();
    PostJob(jobs_pool, jobs_topic, job1, alice, "A landing page");
    PostJob(jobs_pool, jobs_topic, job2, bob, "A mobile app");
    PostJob(jobs_pool, jobs_topic, job3, alice, "Its admin panel");
    relay.Wake();

    const auto& received = probe->WaitForCount(3, 60s);
    INFO(service.LogTail());
    REQUIRE(received.size() == 3);
    // Nothing more comes: each JobPosted is handled once.
    const auto changes = Decode(probe->Drain(1500ms));
    REQUIRE(changes.size() == 3);

    std::map<std::string, std::vector<std::pair<std::int64_t, std::string>>> by_client;
    for (const auto& c : changes) {
        CHECK(c.type == "marketplace.example.v1.ClientActivityChanged");
        CHECK(c.key == c.client_id);  // keyed by client: one client's counts stay in order
        by_client[c.client_id].emplace_back(c.jobs_posted, c.job_id);
    }
    // jobs keys JobPosted by job: alice's two jobs may sit on two partitions and be counted in either
    // order, so her counts are 1 then 2, for job1 and job3 one way or the other.
    REQUIRE(by_client[alice].size() == 2);
    CHECK(by_client[alice][0].first == 1);
    CHECK(by_client[alice][1].first == 2);
    CHECK(std::set<std::string>{by_client[alice][0].second, by_client[alice][1].second} ==
          std::set<std::string>{job1, job3});
    CHECK(by_client[bob] == std::vector<std::pair<std::int64_t, std::string>>{{1, job2}});

    // The count is the service's own state.
    {
        pqxx::connection conn(database.conninfo());
        pqxx::read_transaction tx(conn);
        const auto row = tx.exec_params1("SELECT jobs_posted FROM client_activity WHERE client_id = $1", alice);
        CHECK(row[0].as<std::int64_t>() == 2);
    }

    relay.Stop();
    CHECK(service.Stop() == 0);
    std::error_code ignored;
    std::filesystem::remove(service.log_path(), ignored);  // kept when a REQUIRE failed, for its tail
}
