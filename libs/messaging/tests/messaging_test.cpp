#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>

#include "marketplace/core/config.hpp"
#include "marketplace/messaging/event.hpp"
#include "marketplace/messaging/kafka_config.hpp"
#include "messaging_migrations.hpp"

using namespace marketplace;

TEST_CASE("Messaging: the schema ships as ordered migrations", "[messaging]") {
    const auto files = migrations::messaging();
    REQUIRE_FALSE(files.empty());
    CHECK(files.front().filename == "V001__outbox.sql");
    CHECK(files.front().sql.find("CREATE TABLE outbox") != std::string::npos);
    CHECK(files.front().sql.find("CREATE TABLE inbox") != std::string::npos);
    CHECK(files.front().sql.find("CREATE TABLE timers") != std::string::npos);
}

TEST_CASE("Messaging: Kafka settings come from the environment and are validated", "[messaging][config]") {
    core::EnvReader env("", [](const std::string& name) -> std::optional<std::string> {
        if (name == "KAFKA_BOOTSTRAP") return "127.0.0.1:9092";
        if (name == "KAFKA_LINGER_MS") return "5";
        if (name == "KAFKA_FETCH_WAIT_MAX_MS") return "soon";
        return std::nullopt;
    });
    const auto k = messaging::KafkaConfig::FromEnv(env);
    CHECK(k.bootstrap == "127.0.0.1:9092");
    CHECK(k.linger_ms == 5);
    CHECK_THROWS_WITH(env.Finish(), "KAFKA_FETCH_WAIT_MAX_MS: must be a whole number, got 'soon'");
}

TEST_CASE("Messaging: the dead-letter topic of a topic", "[messaging]") {
    CHECK(messaging::DlqTopic("payments.events.v1") == "payments.events.v1.dlq");
}
