// Crashes at the worst moments, a broker outage, and bad configuration.
#include <catch2/catch.hpp>

#include <atomic>
#include <thread>

#include "marketplace/db/transaction.hpp"
#include "marketplace/messaging/consumer.hpp"
#include "marketplace/messaging/relay.hpp"
#include "marketplace/testing/broker_control.hpp"
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

namespace {

std::map<std::string, std::string> AgentEnv() {
    return {{"KAFKA_BOOTSTRAP", TestKafka().bootstrap},
            {"KAFKA_LINGER_MS", "0"},
            {"KAFKA_FETCH_WAIT_MAX_MS", "5"},
            {"MARKETPLACE_LOG_LEVEL", "warn"}};
}

messaging::ConsumerOptions Group(const std::string& group, const std::string& topic) {
    messaging::ConsumerOptions o;
    o.group = group;
    o.topics = {topic};
    return o;
}

bool AllOnce(const std::map<std::string, int>& counts) {
    for (const auto& [id, n] : counts) {
        if (n != 1) return false;
    }
    return true;
}

}  // namespace

TEST_CASE("Relay killed between publishing and recording: the events go out again and apply once",
          "[messaging][kafka][chaos]") {
    MessagingDb db("kill_relay");
    const auto topic = testing::UniqueTopic("killrelay");
    CreateTopic(topic, 4);
    std::vector<std::string> payloads;
    for (int i = 0; i < 10; ++i) payloads.push_back(std::to_string(i));
    AppendCommitted(db.pool(), topic, "milestone-1", payloads);
    AppendCommitted(db.pool(), topic, "milestone-2", payloads);

    const int status = RunToCompletion({FAULT_AGENT, "relay", db.conninfo(), "tests-killrelay"}, AgentEnv(), 60s);
    REQUIRE(status == 3);  // died after the broker acknowledged, before recording
    CHECK(db.Scalar("SELECT count(*) FROM outbox") == 20);

    testing::EventProbe probe(TestKafka().bootstrap, {topic});
    REQUIRE(probe.WaitForCount(20, 10s).size() == 20);  // the dead relay's copies

    const std::string group = "kill-relay-" + db.name();
    messaging::InboxConsumer consumer(db.Config(), TestKafka(), Group(group, topic), RecordingHandler(group));
    consumer.Start();
    messaging::OutboxRelay relay(db.Config(), TestKafka(), {.service = "tests-killrelay"});
    relay.Start();

    REQUIRE(probe.WaitForCount(40, 30s).size() == 40);  // delivered again
    std::map<std::string, int> copies;
    for (const auto& e : probe.events()) ++copies[e.headers.at("ce_id")];
    CHECK(copies.size() == 20);
    for (const auto& [id, n] : copies) CHECK(n == 2);

    REQUIRE(testing::WaitUntil([&] { return consumer.metrics().handled + consumer.metrics().duplicates >= 40; }, 30s));
    const auto counts = db.EffectCounts(group);
    CHECK(counts.size() == 20);
    CHECK(AllOnce(counts));
    CHECK(consumer.metrics().duplicates.load() == 20);
    // The relay records and deletes its rows once the broker acknowledged them, which can come after
    // the consumer has already handled the copies.
    CHECK(testing::WaitUntil([&] { return db.Scalar("SELECT count(*) FROM outbox") == 0; }, 30s));
    // Published twice, recorded once in the published log; the inbox knows what each event was.
    CHECK(db.Scalar("SELECT count(*) FROM published_events") == 20);
    CHECK(db.Scalar("SELECT count(DISTINCT event_key) FROM published_events") == 2);
    CHECK(db.Scalar("SELECT count(*) FROM inbox WHERE consumer = '" + group +
                    "' AND event_type = 'marketplace.tests.v1.Happened' AND event_key IN ('milestone-1', "
                    "'milestone-2') AND event_time IS NOT NULL AND event_time <= handled_at") == 20);
    relay.Stop();
    consumer.Stop();
}

TEST_CASE("Consumer killed after its transaction and before the offset commit: no double effect",
          "[messaging][kafka][chaos]") {
    MessagingDb db("kill_consumer");
    const auto topic = testing::UniqueTopic("killconsumer");
    CreateTopic(topic, 2);
    AppendCommitted(db.pool(), topic, "contract-9", {"e1", "e2", "e3", "e4", "e5"});
    messaging::OutboxRelay relay(db.Config(), TestKafka(), {.service = "tests-killconsumer"});
    relay.Start();
    REQUIRE(testing::WaitUntil([&] { return db.Scalar("SELECT count(*) FROM outbox") == 0; }, 20s));

    const std::string group = "kill-consumer-" + db.name();
    const int status = RunToCompletion({FAULT_AGENT, "consumer", db.conninfo(), group, topic}, AgentEnv(), 60s);
    REQUIRE(status == 3);
    // Its transaction (one event, or a batch of them) committed; its offsets did not.
    const auto applied_before_crash = db.Scalar("SELECT count(*) FROM effects");
    REQUIRE(applied_before_crash >= 1);

    messaging::InboxConsumer consumer(db.Config(), TestKafka(), Group(group, topic), RecordingHandler(group));
    consumer.Start();
    REQUIRE(testing::WaitUntil(
        [&] { return static_cast<std::int64_t>(consumer.metrics().handled + consumer.metrics().duplicates) == 5; },
        40s));
    // What the dead consumer applied came again and changed nothing.
    CHECK(static_cast<std::int64_t>(consumer.metrics().duplicates.load()) == applied_before_crash);
    const auto by_key = db.EffectsByKey(group);
    CHECK(by_key.at("contract-9") == std::vector<std::string>{"e1", "e2", "e3", "e4", "e5"});
    CHECK(AllOnce(db.EffectCounts(group)));
    consumer.Stop();
    relay.Stop();
}

TEST_CASE("A broker down for 5 s loses no event and publishing resumes by itself", "[messaging][kafka][chaos]") {
    MessagingDb db("broker_down");
    const auto topic = testing::UniqueTopic("brokerdown");
    CreateTopic(topic, 6);
    const std::string group = "broker-down-" + db.name();
    messaging::InboxConsumer consumer(db.Config(), TestKafka(), Group(group, topic), RecordingHandler(group));
    consumer.Start();
    messaging::OutboxRelay relay(db.Config(), TestKafka(), {.service = "tests-brokerdown"});
    relay.Start();
    REQUIRE(testing::WaitUntil([&] { return consumer.Assigned(); }, 20s));

    testing::BrokerControl control;
    std::atomic<int> written{0};
    std::thread writer([&] {
        const auto start = std::chrono::steady_clock::now();
        int i = 0;
        while (std::chrono::steady_clock::now() - start < 8s) {
            AppendCommitted(db.pool(), topic, "milestone-" + std::to_string(i % 12), {std::to_string(i)});
            relay.Wake();
            ++i;
            written = i;
            std::this_thread::sleep_for(20ms);
        }
    });
    std::this_thread::sleep_for(1500ms);
    control.BrokerDown(1);
    std::this_thread::sleep_for(5s);
    control.BrokerUp(1);
    writer.join();

    const int total = written.load();
    INFO("events written: " << total);
    REQUIRE(
        testing::WaitUntil([&] { return db.Scalar("SELECT count(DISTINCT event_id) FROM effects") == total; }, 60s));
    CHECK(AllOnce(db.EffectCounts(group)));
    CHECK(db.Scalar("SELECT count(*) FROM outbox") == 0);
    for (const auto& [key, payloads] : db.EffectsByKey(group)) {
        for (std::size_t i = 1; i < payloads.size(); ++i) REQUIRE(std::stoi(payloads[i - 1]) < std::stoi(payloads[i]));
    }
    relay.Stop();
    consumer.Stop();
}

TEST_CASE("Malformed configuration exits with a message naming the variable", "[messaging][config]") {
    std::string output;
    int status = RunToCompletion({DLQ_TOOL, "--service", "payments", "list"}, {{"PG_PORT", "fifty"}}, 20s, &output);
    CHECK(status == 2);
    CHECK_THAT(output, Catch::Contains("configuration error: PG_PORT: must be a whole number, got 'fifty'"));

    status = RunToCompletion({FAULT_AGENT, "relay", "dbname=unused", "tests"},
                             {{"KAFKA_BOOTSTRAP", "127.0.0.1:1"}, {"KAFKA_LINGER_MS", "-3"}}, 20s, &output);
    CHECK(status == 2);
    CHECK_THAT(output, Catch::Contains("configuration error: KAFKA_LINGER_MS: must be within 0..60000, got -3"));
}
