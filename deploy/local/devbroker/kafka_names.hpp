// Kafka protocol names the control protocol accepts: topic names, api keys, error codes.
#pragma once

#include <librdkafka/rdkafka.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace marketplace::devbroker {

/// Why `name` is not a valid Kafka topic name (1..249 of [A-Za-z0-9._-], not "." or ".."), or nullopt.
std::optional<std::string> TopicNameProblem(std::string_view name);

/// A Kafka api key given as a number (0..127) or a name such as "Produce" (case-insensitive).
std::optional<std::int16_t> ParseApiKey(std::string_view text);

/// "Produce(0)", or "ApiKey(99)" for keys without a name here.
std::string DescribeApiKey(std::int16_t api_key);

/// An error code librdkafka knows, given as a number (e.g. 6 or -195) or a name such as
/// "NOT_LEADER_FOR_PARTITION" or "_TRANSPORT" (case-insensitive; "RD_KAFKA_RESP_ERR_" prefix optional).
std::optional<rd_kafka_resp_err_t> ParseErrorCode(std::string_view text);

/// "NOT_LEADER_FOR_PARTITION(6)".
std::string DescribeErrorCode(rd_kafka_resp_err_t code);

/// Parses the whole of `text` as an int in [min, max].
std::optional<int> ParseInt(std::string_view text, int min, int max);

}  // namespace marketplace::devbroker
