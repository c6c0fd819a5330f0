#include "command_handler.hpp"

#include <exception>
#include <stdexcept>
#include <vector>

#include "kafka_names.hpp"

namespace marketplace::devbroker {

namespace {
constexpr int kMaxPartitions = 1000;
constexpr int kMaxErrorCount = 100000;
constexpr int kMaxRttMs = 60000;
constexpr int kMaxBrokerId = 1000000;

constexpr const char* kCommandList =
    "ping status broker-down broker-up request-errors clear-request-errors topic-create leader rtt help";

// A failure the caller caused: reported as "error <message>".
class BadCommand final : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

std::vector<std::string> SplitWords(std::string_view line) {
    std::vector<std::string> words;
    std::size_t i = 0;
    while (i < line.size()) {
        while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) {
            ++i;
        }
        const std::size_t start = i;
        while (i < line.size() && line[i] != ' ' && line[i] != '\t') {
            ++i;
        }
        if (i > start) {
            words.emplace_back(line.substr(start, i - start));
        }
    }
    return words;
}

void ExpectArgs(const std::vector<std::string>& words, std::size_t count, const char* usage) {
    if (words.size() != count + 1) {
        throw BadCommand(std::string("usage: ") + usage);
    }
}

int IntArg(const std::string& text, const char* name, int min, int max) {
    const auto value = ParseInt(text, min, max);
    if (!value) {
        throw BadCommand(std::string(name) + ": expected an integer in [" + std::to_string(min) + ", " +
                         std::to_string(max) + "], got '" + Printable(text) + "'");
    }
    return *value;
}

std::int16_t ApiKeyArg(const std::string& text) {
    const auto key = ParseApiKey(text);
    if (!key) {
        throw BadCommand("api_key: '" + Printable(text) +
                         "' is not a Kafka api key (a number 0..127 or a name such as Produce, Fetch, Metadata, "
                         "OffsetCommit, JoinGroup, Heartbeat, InitProducerId)");
    }
    return *key;
}

std::string TopicArg(const std::string& text) {
    if (const auto problem = TopicNameProblem(text)) {
        throw BadCommand("topic: '" + Printable(text) + "' " + *problem);
    }
    return text;
}
}  // namespace

std::string Printable(std::string_view text, std::size_t max_length) {
    std::string out;
    for (const char c : text.substr(0, max_length)) {
        const auto u = static_cast<unsigned char>(c);
        out += (u >= 0x20 && u < 0x7f) ? c : '?';
    }
    if (text.size() > max_length) {
        out += "...";
    }
    return out;
}

std::string CommandHandler::Handle(std::string_view line) {
    try {
        const std::vector<std::string> words = SplitWords(line);
        if (words.empty()) {
            return "error empty command; commands: " + std::string(kCommandList);
        }
        return Dispatch(words);
    } catch (const std::exception& e) {
        return "error " + Printable(e.what(), 1000);
    } catch (...) {
        return "error internal failure";
    }
}

std::string CommandHandler::Dispatch(const std::vector<std::string>& words) {
    const std::string& command = words[0];
    if (command == "ping") {
        ExpectArgs(words, 0, "ping");
        return "ok pong";
    }
    if (command == "help") {
        return "ok commands: " + std::string(kCommandList);
    }
    if (command == "status") {
        ExpectArgs(words, 0, "status");
        return StatusReply();
    }
    if (command == "broker-down" || command == "broker-up") {
        ExpectArgs(words, 1, command == "broker-up" ? "broker-up <broker_id>" : "broker-down <broker_id>");
        const int id = IntArg(words[1], "broker_id", -1, kMaxBrokerId);
        const bool up = command == "broker-up";
        cluster_.SetBrokerUp(id, up);
        return "ok broker " + std::to_string(id) + (up ? " up" : " down");
    }
    if (command == "request-errors") {
        ExpectArgs(words, 3, "request-errors <api_key> <error_code> <count>");
        const std::int16_t key = ApiKeyArg(words[1]);
        const auto code = ParseErrorCode(words[2]);
        if (!code) {
            throw BadCommand("error_code: '" + Printable(words[2]) +
                             "' is not an error code librdkafka knows (e.g. 6, NOT_LEADER_FOR_PARTITION, "
                             "-195, _TRANSPORT)");
        }
        const int count = IntArg(words[3], "count", 1, kMaxErrorCount);
        cluster_.PushRequestErrors(key, *code, count);
        return "ok next " + std::to_string(count) + " " + DescribeApiKey(key) + " requests fail with " +
               DescribeErrorCode(*code);
    }
    if (command == "clear-request-errors") {
        ExpectArgs(words, 1, "clear-request-errors <api_key>");
        const std::int16_t key = ApiKeyArg(words[1]);
        cluster_.ClearRequestErrors(key);
        return "ok cleared " + DescribeApiKey(key);
    }
    if (command == "topic-create") {
        ExpectArgs(words, 2, "topic-create <name> <partitions>");
        const std::string topic = TopicArg(words[1]);
        const int partitions = IntArg(words[2], "partitions", 1, kMaxPartitions);
        cluster_.CreateTopic(topic, partitions);
        return "ok topic " + topic + " partitions=" + std::to_string(partitions) +
               " replication=" + std::to_string(cluster_.ReplicationFactor());
    }
    if (command == "leader") {
        ExpectArgs(words, 3, "leader <topic> <partition> <broker_id>");
        const std::string topic = TopicArg(words[1]);
        const int partition = IntArg(words[2], "partition", 0, kMaxPartitions - 1);
        const int broker = IntArg(words[3], "broker_id", -1, kMaxBrokerId);
        cluster_.SetLeader(topic, partition, broker);
        return "ok leader " + topic + "[" + std::to_string(partition) +
               "] = " + (broker == -1 ? std::string("none") : std::to_string(broker));
    }
    if (command == "rtt") {
        ExpectArgs(words, 2, "rtt <broker_id> <ms>");
        const int id = IntArg(words[1], "broker_id", -1, kMaxBrokerId);
        const int ms = IntArg(words[2], "ms", 0, kMaxRttMs);
        cluster_.SetRtt(id, ms);
        return "ok rtt broker " + std::to_string(id) + " " + std::to_string(ms) + "ms";
    }
    throw BadCommand("unknown command '" + Printable(command) + "'; commands: " + kCommandList);
}

std::string CommandHandler::StatusReply() {
    const ClusterStatus status = cluster_.Status();
    std::string reply = "ok bootstrap=" + status.bootstraps + " brokers=";
    std::string rtts;
    for (std::size_t i = 0; i < status.brokers.size(); ++i) {
        const BrokerState& broker = status.brokers[i];
        reply += (i == 0 ? "" : ",") + std::to_string(broker.id) + (broker.up ? ":up" : ":down");
        rtts += (i == 0 ? "" : ",") + std::to_string(broker.id) + ":" + std::to_string(broker.rtt_ms);
    }
    reply += " rtt_ms=" + rtts + " topics=";
    bool first = true;
    for (const auto& [name, partitions] : status.topics) {
        reply += (first ? "" : ",") + name + ":" + std::to_string(partitions);
        first = false;
    }
    if (status.topics_from_metadata) {
        reply += " topics_source=metadata";
    } else {
        reply += " topics_source=local note=" + status.metadata_note;
    }
    return reply;
}

}  // namespace marketplace::devbroker
