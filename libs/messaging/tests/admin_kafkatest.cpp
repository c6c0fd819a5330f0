// The admin API's topic listing and deletion against the local stack's Kafka cluster: what the local
// stack uses to delete the topics earlier tests and benchmarks left behind.
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

#include "marketplace/core/ids.hpp"
#include "marketplace/messaging/kafka_admin.hpp"
#include "marketplace/testing/wait.hpp"
#include "support.hpp"

using namespace marketplace;
using namespace marketplace::messaging;
using namespace std::chrono_literals;

namespace {

bool Listed(KafkaAdmin& admin, const std::string& topic) {
    const auto names = admin.Topics(10s);
    return std::find(names.begin(), names.end(), topic) != names.end();
}

}  // namespace

TEST_CASE("Kafka admin: topics are listed, and a deleted topic is gone while the others stay", "[messaging][kafka]") {
    KafkaAdmin admin(test::TestKafka());
    const std::string prefix = "admin-" + core::RandomHex(4) + ".";
    const std::string doomed = prefix + "doomed";
    const std::string kept = prefix + "kept";
    test::CreateTopic(doomed, 1);
    test::CreateTopic(kept, 1);
    // A new topic reaches each broker's metadata a moment after the controller made it, and the listing may
    // come from any broker.
    REQUIRE(testing::WaitUntil([&] { return Listed(admin, doomed) && Listed(admin, kept); }, 30s));

    // A topic that does not exist is not an error, and is not reported as deleted.
    const auto deleted = admin.DeleteTopics({doomed, prefix + "never-made"}, 30s);
    CHECK(deleted == std::vector<std::string>{doomed});
    CHECK(testing::WaitUntil([&] { return !Listed(admin, doomed); }, 30s));
    CHECK(Listed(admin, kept));

    CHECK(admin.DeleteTopics({kept}, 30s) == std::vector<std::string>{kept});
    CHECK(testing::WaitUntil([&] { return !Listed(admin, kept); }, 30s));
    CHECK(admin.DeleteTopics({}, 30s).empty());
}
