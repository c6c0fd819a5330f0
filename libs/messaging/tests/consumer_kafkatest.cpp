// The inbox consumer: retries, dead letters, holding a key behind its dead letter, and redrive.
#include <catch2/catch.hpp>

#include <atomic>
#include <thread>

#include <pqxx/connection>
#include <pqxx/pqxx>

#include "marketplace/messaging/consumer.hpp"
#include "marketplace/messaging/dead_letters.hpp"
#include "marketplace/messaging/relay.hpp"
#include "marketplace/testing/event_probe.hpp"
#include "marketplace/testing/process.hpp"
#include "marketplace/testing/wait.hpp"
#include "support.hpp"

using namespace marketplace;
using namespace std::chrono_literals;
using messaging::test::AppendCommitted;
using messaging::test::CreateTopic;
using messaging::test::MessagingDb;
using messaging::test::RecordingHandler;
using messaging::test::TestKafka;
using testing::RunToCompletion;

TEST_CASE("A poison event is dead-lettered with its error, other keys go on, and redrive replays its key in order",
          "[messaging][kafka]") {
    MessagingDb db("poison");
    const auto topic = testing::UniqueTopic("poison");
    CreateTopic(topic, 3);
    CreateTopic(messaging::DlqTopic(topic), 3);
    const std::string group = "poison-" + db.name();
    std::atomic<bool> accept_poison{false};
    const auto record = RecordingHandler(group);
    messaging::ConsumerOptions options;
    options.group = group;
    options.topics = {topic};
    options.redrive_poll = 100ms;
    messaging::InboxConsumer consumer(db.Config(), TestKafka(), options,
                                      [&](pqxx::work& tx, const messaging::IncomingEvent& e) {
                                          if (e.payload == "poison" && !accept_poison) {
                                              throw messaging::PermanentError("cannot decode payload of " + e.type);
                                          }
                                          record(tx, e);
                                      });
    consumer.Start();
    messaging::OutboxRelay relay(db.Config(), TestKafka(), {.service = "tests-poison"});
    relay.Start();

    AppendCommitted(db.pool(), topic, "milestone-a", {"a1", "poison", "a2"});
    AppendCommitted(db.pool(), topic, "milestone-b", {"b1", "b2", "b3"});

    REQUIRE(testing::WaitUntil(
        [&] {
            auto by_key = db.EffectsByKey(group);
            return by_key["milestone-b"].size() == 3 && consumer.metrics().held_behind_dead_letter.load() == 1;
        },
        30s));
    auto by_key = db.EffectsByKey(group);
    CHECK(by_key["milestone-a"] == std::vector<std::string>{"a1"});  // a2 waits behind the poison event
    CHECK(by_key["milestone-b"] == std::vector<std::string>{"b1", "b2", "b3"});
    CHECK(consumer.metrics().dead_lettered.load() == 1);

    testing::EventProbe dlq(TestKafka().bootstrap, {messaging::DlqTopic(topic)});
    REQUIRE(dlq.WaitForCount(1, 10s).size() == 1);
    const auto& dead = dlq.events().front();
    CHECK(dead.payload == "poison");
    CHECK(dead.key == "milestone-a");
    CHECK(dead.headers.at("dlq_error") == "cannot decode payload of marketplace.tests.v1.Happened");
    CHECK(dead.headers.at("dlq_consumer") == group);
    CHECK(dead.headers.at("dlq_original_topic") == topic);
    CHECK(dead.headers.at("ce_type") == "marketplace.tests.v1.Happened");

    // The operator's view, through the command.
    std::map<std::string, std::string> env{
        {"PG_DATABASE", db.name()}, {"PG_USER", "postgres"}, {"PG_PASSWORD", "postgres"}};
    std::string listing;
    REQUIRE(RunToCompletion({DLQ_TOOL, "--service", "tests", "list", "--consumer", group}, env, 20s, &listing) == 0);
    CHECK_THAT(listing, Catch::Contains("parked") && Catch::Contains("waiting") &&
                            Catch::Contains("cannot decode payload") && Catch::Contains("2 dead letter(s)"));

    // A redrive while the handler still fails parks it again, with the key still held.
    std::string said;
    REQUIRE(RunToCompletion({DLQ_TOOL, "--service", "tests", "redrive", "--key", "milestone-a"}, env, 20s, &said) == 0);
    CHECK_THAT(said, Catch::Contains("marked 2 event(s) for redrive"));
    pqxx::connection conn(db.conninfo());
    REQUIRE(testing::WaitUntil(
        [&] {
            const auto rows = messaging::ListDeadLetters(conn, {});
            return rows.size() == 2 && rows[0].status == "parked" && rows[0].attempts == 2 &&
                   rows[1].status == "waiting";
        },
        10s));

    // Fixed: redrive replays the poison event, then the one held behind it.
    accept_poison = true;
    REQUIRE(RunToCompletion({DLQ_TOOL, "--service", "tests", "redrive", "--all"}, env, 20s, &said) == 0);
    REQUIRE(testing::WaitUntil([&] { return db.EffectsByKey(group)["milestone-a"].size() == 3; }, 10s));
    CHECK(db.EffectsByKey(group)["milestone-a"] == std::vector<std::string>{"a1", "poison", "a2"});
    CHECK(messaging::CountOpenDeadLetters(conn, group) == 0);

    AppendCommitted(db.pool(), topic, "milestone-a", {"a3"});
    REQUIRE(testing::WaitUntil([&] { return db.EffectsByKey(group)["milestone-a"].size() == 4; }, 10s));
    CHECK(db.EffectsByKey(group)["milestone-a"].back() == "a3");
    relay.Stop();
    consumer.Stop();
}

TEST_CASE(
    "A transient failure is retried on its partition and applies once, in order; one that never heals is "
    "dead-lettered",
    "[messaging][kafka]") {
    MessagingDb db("transient");
    const auto topic = testing::UniqueTopic("transient");
    CreateTopic(topic, 2);
    const std::string group = "transient-" + db.name();
    std::atomic<int> flaky_failures{0};
    const auto record = RecordingHandler(group);
    messaging::ConsumerOptions options;
    options.group = group;
    options.topics = {topic};
    options.max_attempts = 4;
    options.retry_base = 20ms;
    options.retry_max = 200ms;
    messaging::InboxConsumer consumer(db.Config(), TestKafka(), options,
                                      [&](pqxx::work& tx, const messaging::IncomingEvent& e) {
                                          record(tx, e);  // rolled back when we throw below
                                          if (e.payload == "flaky" && flaky_failures < 2) {
                                              ++flaky_failures;
                                              throw std::runtime_error("database hiccup");
                                          }
                                          if (e.payload == "broken") throw std::runtime_error("still broken");
                                      });
    consumer.Start();
    messaging::OutboxRelay relay(db.Config(), TestKafka(), {.service = "tests-transient"});
    relay.Start();
    AppendCommitted(db.pool(), topic, "contract-1", {"c1", "flaky", "c2", "c3"});
    AppendCommitted(db.pool(), topic, "contract-2", {"broken", "d2"});

    REQUIRE(testing::WaitUntil([&] { return db.EffectsByKey(group)["contract-1"].size() == 4; }, 30s));
    CHECK(db.EffectsByKey(group)["contract-1"] == std::vector<std::string>{"c1", "flaky", "c2", "c3"});
    CHECK(flaky_failures.load() == 2);
    REQUIRE(testing::WaitUntil([&] { return consumer.metrics().dead_lettered.load() == 1; }, 30s));
    // "broken" was retried until its 4th attempt; "flaky" healed on a retry (a failed batch may absorb one failure).
    CHECK(consumer.metrics().retries.load() >= 3 + 1);
    pqxx::connection conn(db.conninfo());
    REQUIRE(testing::WaitUntil([&] { return messaging::CountOpenDeadLetters(conn, group) == 2; }, 10s));
    const auto rows = messaging::ListDeadLetters(conn, {});
    CHECK(rows[0].error == "still broken");
    CHECK(rows[0].attempts == 4);
    CHECK(rows[1].status == "waiting");
    CHECK(db.EffectsByKey(group).count("contract-2") == 0);
    relay.Stop();
    consumer.Stop();
}

TEST_CASE("Keys and ids with quotes, backslashes, commas and braces are applied once, in order", "[messaging][kafka]") {
    MessagingDb db("oddkeys");
    const auto topic = testing::UniqueTopic("oddkeys");
    CreateTopic(topic, 2);
    const std::string group = "oddkeys-" + db.name();
    messaging::InboxConsumer consumer(db.Config(), TestKafka(), {.group = group, .topics = {topic}},
                                      RecordingHandler(group));
    consumer.Start();
    messaging::OutboxRelay relay(db.Config(), TestKafka(), {.service = "tests-oddkeys"});
    relay.Start();
    const std::vector<std::string> keys{R"(contract "7", {a,b})", R"(back\slash)", "it's", "NULL", "  spaced  "};
    for (const auto& key : keys) AppendCommitted(db.pool(), topic, key, {"1", "2", "3"});
    REQUIRE(testing::WaitUntil([&] { return consumer.metrics().handled.load() == 15; }, 30s));
    const auto by_key = db.EffectsByKey(group);
    for (const auto& key : keys) CHECK(by_key.at(key) == std::vector<std::string>{"1", "2", "3"});
    relay.Stop();
    consumer.Stop();
}
