// The event bus does not trust its writers: on a cluster with TLS, SASL and ACLs (the local stack's secure
// mode, which this test starts on its own ports and state folder), each service's principal may write only
// its own topic. A forged MilestoneAccepted written by another principal is refused by the broker, so the
// payments consumer never sees it, while the owner's events flow as usual.
#include <catch2/catch.hpp>

#include <librdkafka/rdkafkacpp.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include "marketplace/core/ids.hpp"
#include "marketplace/messaging/relay.hpp"
#include "marketplace/testing/process.hpp"
#include "marketplace/testing/wait.hpp"
#include "support.hpp"

using namespace marketplace;
using namespace marketplace::messaging;
using namespace marketplace::messaging::test;
using namespace std::chrono_literals;

namespace {

bool PortFree(int port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const bool free = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    ::close(fd);
    return free;
}

/// A single-node secure cluster in its own state folder, stopped (by its recorded pid) at the end.
class SecureCluster final {
public:
    SecureCluster() {
        state_ = (std::filesystem::temp_directory_path() / ("marketplace-acl-" + core::RandomHex(4))).string();
        std::mt19937 rng(std::random_device{}());
        for (int attempt = 0; attempt < 50 && port_ == 0; ++attempt) {
            const int base = 20000 + static_cast<int>(rng() % 9000);
            if (PortFree(base) && PortFree(base + 10) && PortFree(base + 20)) port_ = base;
        }
        REQUIRE(port_ != 0);
        std::string output;
        const int status = Run("up", &output);
        INFO(output);
        REQUIRE(status == 0);
    }
    ~SecureCluster() {
        Run("down", nullptr);
        std::error_code ec;
        std::filesystem::remove_all(state_, ec);
    }

    KafkaConfig As(const std::string& principal) const {
        KafkaConfig k = TestKafka();
        k.bootstrap = "127.0.0.1:" + std::to_string(port_);
        k.security_protocol = "sasl_ssl";
        // librdkafka before 2.6.1 cannot complete SCRAM with Kafka 4 brokers (docs/KAFKA.md).
        k.sasl_mechanism = "PLAIN";
        k.sasl_username = principal;
        std::ifstream in(state_ + "/kafka/secrets/" + principal + ".password");
        std::getline(in, k.sasl_password);
        k.ssl_ca_location = state_ + "/kafka/ca.pem";
        return k;
    }

private:
    int Run(const std::string& command, std::string* output) const {
        return testing::RunToCompletion({KAFKA_CLUSTER_SCRIPT, command},
                                        {{"MARKETPLACE_STATE_DIR", state_},
                                         {"MARKETPLACE_BIN_DIR", MARKETPLACE_BUILD_DIR},
                                         {"MARKETPLACE_KAFKA_SECURE", "1"},
                                         {"MARKETPLACE_KAFKA_NODES", "1"},
                                         {"MARKETPLACE_KAFKA_PORT", std::to_string(port_)},
                                         {"MARKETPLACE_KAFKA_PARTITIONS", "2"}},
                                        180s, output);
    }

    std::string state_;
    int port_ = 0;
};

class DeliveryResult final : public RdKafka::DeliveryReportCb {
public:
    void dr_cb(RdKafka::Message& message) override {
        error = message.err();
        done = true;
    }
    std::atomic<bool> done{false};
    std::atomic<RdKafka::ErrorCode> error{RdKafka::ERR_NO_ERROR};
};

/// Produces one record as `config`'s principal with a plain librdkafka producer and returns the
/// broker's verdict from the delivery report.
RdKafka::ErrorCode ProduceOnce(const KafkaConfig& config, const std::string& topic) {
    std::string err;
    std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
    const std::map<std::string, std::string> settings{{"bootstrap.servers", config.bootstrap},
                                                      {"security.protocol", config.security_protocol},
                                                      {"sasl.mechanism", config.sasl_mechanism},
                                                      {"sasl.username", config.sasl_username},
                                                      {"sasl.password", config.sasl_password},
                                                      {"ssl.ca.location", config.ssl_ca_location},
                                                      {"message.timeout.ms", "15000"}};
    for (const auto& [k, v] : settings) REQUIRE(conf->set(k, v, err) == RdKafka::Conf::CONF_OK);
    DeliveryResult result;
    REQUIRE(conf->set("dr_cb", static_cast<RdKafka::DeliveryReportCb*>(&result), err) == RdKafka::Conf::CONF_OK);
    std::unique_ptr<RdKafka::Producer> producer(RdKafka::Producer::create(conf.get(), err));
    REQUIRE(producer);
    std::string payload = "forged";
    std::string key = "milestone-1";
    const auto code = producer->produce(topic, RdKafka::Topic::PARTITION_UA, RdKafka::Producer::RK_MSG_COPY,
                                        payload.data(), payload.size(), key.data(), key.size(), 0, nullptr);
    if (code != RdKafka::ERR_NO_ERROR) return code;
    for (int i = 0; i < 200 && !result.done; ++i) producer->poll(100);
    REQUIRE(result.done);
    return result.error.load();
}

}  // namespace

TEST_CASE("Kafka ACLs: a forged event written by a principal that does not own the topic is refused",
          "[messaging][kafka][security]") {
    SecureCluster cluster;
    const std::string contracts_topic = "contracts.events.v1";

    // The broker's own verdict, with a plain client. First the owner: contracts may write its topic (the
    // ACLs reach the broker's authorizer through the metadata log a moment after they are created, and
    // until then every write is refused, so wait for that one).
    RdKafka::ErrorCode verdict = RdKafka::ERR_UNKNOWN;
    for (int attempt = 0; attempt < 30 && verdict != RdKafka::ERR_NO_ERROR; ++attempt) {
        if (attempt > 0) std::this_thread::sleep_for(500ms);
        verdict = ProduceOnce(cluster.As("contracts"), contracts_topic);
    }
    REQUIRE(verdict == RdKafka::ERR_NO_ERROR);
    // Then the others, with the ACLs in force: jobs and payments may not write contracts' topic.
    CHECK(ProduceOnce(cluster.As("jobs"), contracts_topic) == RdKafka::ERR_TOPIC_AUTHORIZATION_FAILED);
    CHECK(ProduceOnce(cluster.As("payments"), contracts_topic) == RdKafka::ERR_TOPIC_AUTHORIZATION_FAILED);

    // Through the services' own code: a relay running as jobs holds a forged MilestoneAccepted for
    // contracts' topic, a relay running as contracts holds a genuine one; payments consumes the topic.
    MessagingDb forger_db("acl_forger");
    MessagingDb owner_db("acl_owner");
    MessagingDb payments_db("acl_payments");
    AppendCommitted(forger_db.pool(), contracts_topic, "milestone-forged", {"release to mallory"});
    AppendCommitted(owner_db.pool(), contracts_topic, "milestone-genuine", {"release to the freelancer"});

    ConsumerOptions options;
    options.group = "payments";
    options.topics = {contracts_topic};
    InboxConsumer consumer(payments_db.Config(), cluster.As("payments"), options, RecordingHandler("payments"));
    consumer.Start();
    OutboxRelay forger(forger_db.Config(), cluster.As("jobs"), {.service = "jobs"});
    OutboxRelay owner(owner_db.Config(), cluster.As("contracts"), {.service = "contracts"});
    forger.Start();
    owner.Start();

    REQUIRE(testing::WaitUntil([&] { return payments_db.Scalar("SELECT count(*) FROM effects") >= 1; }, 60s));
    // Long enough for the forger's relay to have tried many times.
    std::this_thread::sleep_for(5s);
    const auto effects = payments_db.EffectsByKey("payments");
    CHECK(effects.count("milestone-genuine") == 1);
    CHECK(effects.count("milestone-forged") == 0);
    CHECK(payments_db.Scalar("SELECT count(*) FROM effects") == 1);
    // The refused event was not lost either: it waits in the forger's outbox, unpublished.
    CHECK(forger_db.Scalar("SELECT count(*) FROM outbox") == 1);
    CHECK(owner_db.Scalar("SELECT count(*) FROM outbox") == 0);
    forger.Stop();
    owner.Stop();
    consumer.Stop();
}
