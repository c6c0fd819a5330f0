#pragma once
// Operator commands on a service's dead letters (used by the marketplace-dlq tool).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <pqxx/connection>

namespace marketplace::messaging {

struct DeadLetter {
    std::int64_t id = 0;
    std::string consumer;
    std::string topic;
    std::int32_t partition = 0;
    std::int64_t offset = 0;
    std::string key;
    std::string event_id;
    std::string status;
    std::string error;
    int attempts = 0;
    std::string created_at;
};

struct DeadLetterFilter {
    std::optional<std::string> consumer;
    std::optional<std::string> key;
    bool include_resolved = false;
    int limit = 100;
};

std::vector<DeadLetter> ListDeadLetters(pqxx::connection& conn, const DeadLetterFilter& filter);

/// Marks the parked events (and the events waiting behind them) of the matching keys for redrive;
/// the running consumer replays them in order. Returns how many rows were marked.
std::int64_t RequestRedrive(pqxx::connection& conn, const DeadLetterFilter& filter);

/// Counts open (not resolved) dead letters.
std::int64_t CountOpenDeadLetters(pqxx::connection& conn, const std::optional<std::string>& consumer);

}  // namespace marketplace::messaging
