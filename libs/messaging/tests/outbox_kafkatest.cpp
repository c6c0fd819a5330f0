// The outbox and its relay against the real local PostgreSQL and the local Kafka cluster.
#include <catch2/catch.hpp>

#include <atomic>
#include <random>
#include <set>
#include <thread>

#include <pqxx/nontransaction>
#include <pqxx/pqxx>

#include "marketplace/core/trace.hpp"
#include "marketplace/db/transaction.hpp"
#include "marketplace/messaging/relay.hpp"
#include "marketplace/testing/broker_control.hpp"
#include "marketplace/testing/event_probe.hpp"
#include "marketplace/testing/wait.hpp"
#include "support.hpp"

using namespace marketplace;
using namespace std::chrono_literals;
using messaging::test::AppendCommitted;
using messaging::test::CreateTopic;
using messaging::test::MessagingDb;
using messaging::test::TestKafka;

namespace {

messaging::RelayOptions Relay(const std::string& service) {
    messaging::RelayOptions o;
    o.service = service;
    o.standby_poll = 200ms;
    return o;
}

std::map<std::string, std::vector<std::string>> PayloadsByKey(const std::vector<testing::ProbedEvent>& events) {
    std::map<std::string, std::vector<std::string>> out;
    for (const auto& e : events) out[e.key].push_back(e.payload);
    return out;
}

}  // namespace

TEST_CASE("Outbox: a rolled-back transaction publishes nothing and committed events arrive in per-key order",
          "[messaging][kafka]") {
    MessagingDb db("outbox_order");
    const auto topic = testing::UniqueTopic("order");
    CreateTopic(topic, 4);
    const messaging::Outbox outbox("tests");

    {
        auto lease = db.pool().Acquire();
        pqxx::work tx(*lease);
        outbox.Append(tx, {topic, "rolled-back-key", "marketplace.tests.v1.Happened", "rolled back", 1, ""});
        tx.abort();
    }
    CHECK_THROWS_WITH(db::InTransaction(db.pool(),
                                        [&](pqxx::work& tx) {
                                            outbox.Append(tx,
                                                          {topic, "rolled-back-key", "marketplace.tests.v1.Happened",
                                                           "rolled back by an error", 1, ""});
                                            throw std::runtime_error("the handler failed");
                                        }),
                      "the handler failed");

    const std::vector<std::string> keys{"milestone-a", "milestone-b", "milestone-c"};
    std::set<std::string> ids;
    for (int i = 0; i < 20; ++i) {
        for (const auto& key : keys) {
            for (const auto& id : AppendCommitted(db.pool(), topic, key, {"seq:" + std::to_string(i)})) ids.insert(id);
        }
    }
    CHECK(db.Scalar("SELECT count(*) FROM outbox") == 60);

    messaging::OutboxRelay relay(db.Config(), TestKafka(), Relay("tests-order"));
    relay.Start();
    testing::EventProbe probe(TestKafka().bootstrap, {topic});
    probe.WaitForCount(60, 30s);
    const auto& events = probe.Drain(500ms);
    REQUIRE(events.size() == 60);

    const auto by_key = PayloadsByKey(events);
    CHECK_FALSE(by_key.count("rolled-back-key"));
    for (const auto& key : keys) {
        std::vector<std::string> expected;
        for (int i = 0; i < 20; ++i) expected.push_back("seq:" + std::to_string(i));
        CHECK(by_key.at(key) == expected);
    }
    for (const auto& e : events) {
        CHECK(e.headers.at("ce_specversion") == "1.0");
        CHECK(e.headers.at("ce_source") == "//marketplace/tests-order");
        CHECK(e.headers.at("ce_type") == "marketplace.tests.v1.Happened");
        CHECK(e.headers.at("content-type") == "application/protobuf");
        CHECK(e.headers.at("ce_time").size() == 27);
        CHECK(core::TraceContext::Parse(e.headers.at("traceparent")));
        CHECK(ids.count(e.headers.at("ce_id")) == 1);
    }
    CHECK(testing::WaitUntil([&] { return db.Scalar("SELECT count(*) FROM outbox") == 0; }, 5s));
    CHECK(testing::WaitUntil([&] { return relay.metrics().published.load() == 60; }, 5s));
    CHECK(db.Scalar("SELECT count(*) FROM published_events WHERE event_type = 'marketplace.tests.v1.Happened' "
                    "AND published_at >= created_at") == 60);
    CHECK(db.Scalar("SELECT count(*) FROM published_events WHERE event_key = 'rolled-back-key'") == 0);
    relay.Stop();
}

TEST_CASE("Outbox: bad events are refused naming the field and nothing is written", "[messaging][pg]") {
    MessagingDb db("outbox_bad");
    const messaging::Outbox outbox("tests");
    auto append = [&](messaging::OutgoingEvent e) {
        db::InTransaction(db.pool(), [&](pqxx::work& tx) { outbox.Append(tx, e); });
    };
    CHECK_THROWS_WITH(append({"", "k", "t", "p", 1, ""}), "event.topic: must be 1..249 characters");
    CHECK_THROWS_WITH(append({"t", "", "t", "p", 1, ""}), "event.key: must be 1..512 bytes");
    CHECK_THROWS_WITH(append({"t", "k", "t", std::string(messaging::kMaxPayloadBytes + 1, 'x'), 1, ""}),
                      "event.payload: must be at most 921600 bytes");
    CHECK_THROWS_WITH(append({"t", "k", "t", "p", 0, ""}), "event.schema_version: must be >= 1");
    CHECK_THROWS_WITH(append({"t", "k", "t", "p", 1, "00-bad"}), "event.traceparent: must be a W3C traceparent");
    CHECK(db.Scalar("SELECT count(*) FROM outbox") == 0);
}

TEST_CASE("Relay: of two relays on one database only one publishes, and the other takes over within 5 s",
          "[messaging][kafka]") {
    MessagingDb db("relay_pair");
    const auto topic = testing::UniqueTopic("pair");
    CreateTopic(topic, 4);
    auto first = std::make_unique<messaging::OutboxRelay>(db.Config(), TestKafka(), Relay("tests-pair"));
    auto second = std::make_unique<messaging::OutboxRelay>(db.Config(), TestKafka(), Relay("tests-pair"));
    first->Start();
    second->Start();
    REQUIRE(testing::WaitUntil([&] { return first->IsLeader() || second->IsLeader(); }, 5s));
    std::this_thread::sleep_for(600ms);  // several standby polls: the lock must stay with one
    REQUIRE(first->IsLeader() != second->IsLeader());
    auto& leader = first->IsLeader() ? first : second;
    auto& standby = first->IsLeader() ? second : first;

    std::vector<std::string> payloads;
    for (int i = 0; i < 50; ++i) payloads.push_back("before:" + std::to_string(i));
    AppendCommitted(db.pool(), topic, "contract-1", payloads);
    testing::EventProbe probe(TestKafka().bootstrap, {topic});
    REQUIRE(probe.WaitForCount(50, 20s).size() == 50);
    CHECK(testing::WaitUntil([&] { return leader->metrics().published.load() == 50; }, 5s));
    CHECK(standby->metrics().published.load() == 0);

    leader->Stop();
    const auto stopped_at = std::chrono::steady_clock::now();
    AppendCommitted(db.pool(), topic, "contract-1", {"after"});
    REQUIRE(probe.WaitFor([](const testing::ProbedEvent& e) { return e.payload == "after"; }, 5s));
    CHECK(std::chrono::steady_clock::now() - stopped_at < 5s);
    CHECK(standby->IsLeader());
    // The relay counts an event once it has recorded it, just after the broker acknowledged it.
    CHECK(testing::WaitUntil([&] { return standby->metrics().published.load() == 1; }, 5s));
    probe.Drain(300ms);
    CHECK(probe.events().size() == 51);
    standby->Stop();
}

TEST_CASE("Relay: events from many writers committing out of sequence order are all published", "[messaging][kafka]") {
    MessagingDb db("relay_noskip");
    const auto topic = testing::UniqueTopic("noskip");
    CreateTopic(topic, 6);
    messaging::OutboxRelay relay(db.Config(), TestKafka(), Relay("tests-noskip"));
    relay.Start();

    constexpr int kWriters = 8;
    constexpr int kPerWriter = 150;
    std::mutex ids_mu;
    std::set<std::string> ids;
    std::vector<std::thread> writers;
    const auto seed = Catch::rngSeed();
    INFO("seed " << seed);
    for (int w = 0; w < kWriters; ++w) {
        writers.emplace_back([&, w] {
            std::mt19937 rng(seed + static_cast<unsigned>(w));
            db::Pool pool(db.Config(1));
            const messaging::Outbox outbox("tests");
            for (int i = 0; i < kPerWriter; ++i) {
                const std::string key = "writer-" + std::to_string(w);
                const auto id = db::InTransaction(pool, [&](pqxx::work& tx) {
                    auto id =
                        outbox.Append(tx, {topic, key, "marketplace.tests.v1.Happened", std::to_string(i), 1, ""});
                    // Hold the transaction open after the row got its id, so later ids commit first.
                    std::this_thread::sleep_for(std::chrono::microseconds(rng() % 3000));
                    return id;
                });
                relay.Wake();
                std::lock_guard lock(ids_mu);
                ids.insert(id);
            }
        });
    }
    for (auto& t : writers) t.join();

    testing::EventProbe probe(TestKafka().bootstrap, {topic});
    probe.WaitForCount(kWriters * kPerWriter, 60s);
    const auto& events = probe.Drain(300ms);
    std::set<std::string> seen;
    for (const auto& e : events) seen.insert(e.headers.at("ce_id"));
    CHECK(seen.size() == ids.size());
    CHECK(seen == ids);
    for (const auto& [key, payloads] : PayloadsByKey(events)) {
        for (std::size_t i = 0; i < payloads.size(); ++i) REQUIRE(payloads[i] == std::to_string(i));
    }
    CHECK(testing::WaitUntil([&] { return db.Scalar("SELECT count(*) FROM outbox") == 0; }, 5s));
    relay.Stop();
}

TEST_CASE("Relay: the published-events log keeps events for its retention and no longer", "[messaging][pg]") {
    MessagingDb db("published_log");
    REQUIRE(
        db.Scalar("WITH added AS (INSERT INTO published_events (event_id, topic, event_key, event_type, created_at, "
                  "published_at) VALUES "
                  "(gen_random_uuid(), 't', 'old', 'marketplace.tests.v1.Happened', now() - interval '3 hours', "
                  "now() - interval '3 hours'), "
                  "(gen_random_uuid(), 't', 'recent', 'marketplace.tests.v1.Happened', now() - interval '10 minutes', "
                  "now() - interval '10 minutes') RETURNING 1) SELECT count(*) FROM added") == 2);
    messaging::RelayOptions options = Relay("tests-published-log");
    options.published_retention = std::chrono::hours(1);
    options.prune_interval = 100ms;
    messaging::OutboxRelay relay(db.Config(), TestKafka(), options);
    relay.Start();
    CHECK(testing::WaitUntil(
        [&] { return db.Scalar("SELECT count(*) FROM published_events WHERE event_key = 'old'") == 0; }, 10s));
    CHECK(db.Scalar("SELECT count(*) FROM published_events WHERE event_key = 'recent'") == 1);
    relay.Stop();
}
