#include "kafka_names.hpp"

#include <array>
#include <cctype>
#include <charconv>

namespace marketplace::devbroker {

namespace {
// Request names from the Kafka protocol guide, indexed by api key.
constexpr std::array<std::string_view, 52> kApiKeyNames = {
    "Produce",
    "Fetch",
    "ListOffsets",
    "Metadata",
    "LeaderAndIsr",
    "StopReplica",
    "UpdateMetadata",
    "ControlledShutdown",
    "OffsetCommit",
    "OffsetFetch",
    "FindCoordinator",
    "JoinGroup",
    "Heartbeat",
    "LeaveGroup",
    "SyncGroup",
    "DescribeGroups",
    "ListGroups",
    "SaslHandshake",
    "ApiVersions",
    "CreateTopics",
    "DeleteTopics",
    "DeleteRecords",
    "InitProducerId",
    "OffsetForLeaderEpoch",
    "AddPartitionsToTxn",
    "AddOffsetsToTxn",
    "EndTxn",
    "WriteTxnMarkers",
    "TxnOffsetCommit",
    "DescribeAcls",
    "CreateAcls",
    "DeleteAcls",
    "DescribeConfigs",
    "AlterConfigs",
    "AlterReplicaLogDirs",
    "DescribeLogDirs",
    "SaslAuthenticate",
    "CreatePartitions",
    "CreateDelegationToken",
    "RenewDelegationToken",
    "ExpireDelegationToken",
    "DescribeDelegationToken",
    "DeleteGroups",
    "ElectLeaders",
    "IncrementalAlterConfigs",
    "AlterPartitionReassignments",
    "ListPartitionReassignments",
    "OffsetDelete",
    "DescribeClientQuotas",
    "AlterClientQuotas",
    "DescribeUserScramCredentials",
    "AlterUserScramCredentials",
};
constexpr int kMaxApiKey = 127;

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) {
        return false;
    }
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) {
            return false;
        }
    }
    return true;
}

const rd_kafka_err_desc* FindErrorDesc(rd_kafka_resp_err_t code) {
    const rd_kafka_err_desc* descs = nullptr;
    size_t count = 0;
    rd_kafka_get_err_descs(&descs, &count);
    for (size_t i = 0; i < count; ++i) {
        if (descs[i].name != nullptr && descs[i].code == code) {
            return &descs[i];
        }
    }
    return nullptr;
}
}  // namespace

std::optional<std::string> TopicNameProblem(std::string_view name) {
    if (name.empty()) {
        return "is empty";
    }
    if (name.size() > 249) {
        return "is longer than 249 characters";
    }
    if (name == "." || name == "..") {
        return "is not allowed ('.' and '..' are reserved)";
    }
    for (const char c : name) {
        const bool ok = std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '.' || c == '_' || c == '-';
        if (!ok) {
            return "may only contain letters, digits, '.', '_' and '-'";
        }
    }
    return std::nullopt;
}

std::optional<int> ParseInt(std::string_view text, int min, int max) {
    int value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size() || value < min || value > max) {
        return std::nullopt;
    }
    return value;
}

std::optional<std::int16_t> ParseApiKey(std::string_view text) {
    if (const auto number = ParseInt(text, 0, kMaxApiKey)) {
        return static_cast<std::int16_t>(*number);
    }
    for (std::size_t i = 0; i < kApiKeyNames.size(); ++i) {
        if (EqualsIgnoreCase(text, kApiKeyNames[i])) {
            return static_cast<std::int16_t>(i);
        }
    }
    return std::nullopt;
}

std::string DescribeApiKey(std::int16_t api_key) {
    const auto index = static_cast<std::size_t>(api_key);
    const std::string name =
        (api_key >= 0 && index < kApiKeyNames.size()) ? std::string(kApiKeyNames[index]) : "ApiKey";
    return name + "(" + std::to_string(api_key) + ")";
}

std::optional<rd_kafka_resp_err_t> ParseErrorCode(std::string_view text) {
    if (const auto number = ParseInt(text, -10000, 10000)) {
        if (FindErrorDesc(static_cast<rd_kafka_resp_err_t>(*number)) != nullptr) {
            return static_cast<rd_kafka_resp_err_t>(*number);
        }
        return std::nullopt;
    }
    constexpr std::string_view kPrefix = "RD_KAFKA_RESP_ERR_";
    if (text.size() > kPrefix.size() && EqualsIgnoreCase(text.substr(0, kPrefix.size()), kPrefix)) {
        text.remove_prefix(kPrefix.size());
    }
    const rd_kafka_err_desc* descs = nullptr;
    size_t count = 0;
    rd_kafka_get_err_descs(&descs, &count);
    for (size_t i = 0; i < count; ++i) {
        if (descs[i].name != nullptr && EqualsIgnoreCase(text, descs[i].name)) {
            return descs[i].code;
        }
    }
    return std::nullopt;
}

std::string DescribeErrorCode(rd_kafka_resp_err_t code) {
    const rd_kafka_err_desc* desc = FindErrorDesc(code);
    const std::string name = desc != nullptr ? desc->name : "ERR";
    return name + "(" + std::to_string(static_cast<int>(code)) + ")";
}

}  // namespace marketplace::devbroker
