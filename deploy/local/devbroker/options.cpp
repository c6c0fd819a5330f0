#include "options.hpp"

#include <charconv>
#include <stdexcept>
#include <string_view>

#include "kafka_names.hpp"

namespace marketplace::devbroker {

namespace {
constexpr int kMaxBrokers = 32;
constexpr int kMaxPartitions = 1000;

int ParseBounded(std::string_view flag, std::string_view text, int min, int max) {
    int value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || value < min || value > max) {
        throw std::invalid_argument(std::string(flag) + ": must be an integer in [" + std::to_string(min) + ", " +
                                    std::to_string(max) + "], got '" + std::string(text) + "'");
    }
    return value;
}

std::vector<std::string> ParseTopicList(std::string_view text) {
    std::vector<std::string> topics;
    std::size_t start = 0;
    while (start <= text.size()) {
        const std::size_t comma = text.find(',', start);
        const std::string_view item =
            text.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
        if (!item.empty()) {
            if (const auto problem = TopicNameProblem(item)) {
                throw std::invalid_argument("--topics: '" + std::string(item) + "' " + *problem);
            }
            topics.emplace_back(item);
        }
        if (comma == std::string_view::npos) {
            break;
        }
        start = comma + 1;
    }
    return topics;
}
}  // namespace

Options ParseOptions(int argc, char** argv) {
    Options options;
    for (int i = 1; i < argc; ++i) {
        std::string_view arg = argv[i];
        if (arg == "ctl") {
            options.ctl = true;
            for (int j = i + 1; j < argc; ++j) {
                options.ctl_words.emplace_back(argv[j]);
            }
            if (options.ctl_words.empty()) {
                throw std::invalid_argument("ctl: missing command (e.g. 'devbroker ctl status')");
            }
            return options;
        }
        if (arg == "--help" || arg == "-h") {
            options.help = true;
            continue;
        }
        std::string_view value;
        bool has_inline_value = false;
        if (const auto eq = arg.find('='); arg.starts_with("--") && eq != std::string_view::npos) {
            value = arg.substr(eq + 1);
            arg = arg.substr(0, eq);
            has_inline_value = true;
        }
        const auto take_value = [&]() -> std::string_view {
            if (has_inline_value) {
                return value;
            }
            if (i + 1 >= argc) {
                throw std::invalid_argument(std::string(arg) + ": missing value");
            }
            return argv[++i];
        };
        if (arg == "--state-dir") {
            const std::string_view dir = take_value();
            if (dir.empty()) {
                throw std::invalid_argument("--state-dir: must not be empty");
            }
            options.state_dir = std::string(dir);
        } else if (arg == "--brokers") {
            options.brokers = ParseBounded(arg, take_value(), 1, kMaxBrokers);
        } else if (arg == "--partitions") {
            options.partitions = ParseBounded(arg, take_value(), 1, kMaxPartitions);
        } else if (arg == "--topics") {
            for (auto& topic : ParseTopicList(take_value())) {
                options.extra_topics.push_back(std::move(topic));
            }
        } else {
            throw std::invalid_argument("unknown argument '" + std::string(arg) + "'");
        }
    }
    return options;
}

const char* UsageText() {
    return "usage:\n"
           "  devbroker [--state-dir DIR] [--brokers N] [--partitions N] [--topics a,b,c]\n"
           "      Runs a Kafka-protocol broker for DEVELOPMENT ONLY (librdkafka's mock cluster) on\n"
           "      loopback. Production runs real Apache Kafka. Writes DIR/devbroker/bootstrap,\n"
           "      DIR/devbroker/control and DIR/devbroker/devbroker.pid. DIR defaults to\n"
           "      $MARKETPLACE_STATE_DIR, else ./.state. Defaults: 3 brokers, 6 partitions.\n"
           "  devbroker [--state-dir DIR] ctl <command...>\n"
           "      Sends one control command to the running broker and prints the reply;\n"
           "      exits 0 when the reply is 'ok ...', 1 otherwise.\n"
           "control commands:\n"
           "  ping | help | status\n"
           "  broker-down <broker_id> | broker-up <broker_id>         (-1 = every broker)\n"
           "  request-errors <api_key> <error_code> <count>          (numbers or names, e.g.\n"
           "                                                          Produce NOT_LEADER_FOR_PARTITION 3)\n"
           "  clear-request-errors <api_key>\n"
           "  topic-create <name> <partitions>\n"
           "  leader <topic> <partition> <broker_id>                 (-1 = leaderless)\n"
           "  rtt <broker_id> <ms>                                   (-1 = every broker)\n";
}

}  // namespace marketplace::devbroker
