#pragma once
// Reads a test's topics from the beginning without joining a consumer group (no 3 s group join on
// the dev broker), so a test can wait for the events it caused.
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace RdKafka {
class KafkaConsumer;
}

namespace marketplace::testing {

struct ProbedEvent {
    std::string topic;
    std::int32_t partition = 0;
    std::int64_t offset = 0;
    std::string key;
    std::string payload;
    std::map<std::string, std::string> headers;
};

class EventProbe final {
public:
    /// Assigns every partition of `topics` from the earliest offset.
    EventProbe(const std::string& bootstrap, const std::vector<std::string>& topics);
    ~EventProbe();
    EventProbe(const EventProbe&) = delete;
    EventProbe& operator=(const EventProbe&) = delete;

    /// Polls until `count` events in all were received or `timeout` passes; returns everything received so far.
    const std::vector<ProbedEvent>& WaitForCount(std::size_t count, std::chrono::milliseconds timeout);
    /// Polls until an event satisfies `match` or `timeout` passes; returns whether one did.
    bool WaitFor(const std::function<bool(const ProbedEvent&)>& match, std::chrono::milliseconds timeout);
    /// Polls for `duration`, collecting whatever arrives (to check that nothing more comes).
    const std::vector<ProbedEvent>& Drain(std::chrono::milliseconds duration);
    const std::vector<ProbedEvent>& events() const noexcept { return events_; }

private:
    void PollOnce(std::chrono::milliseconds wait);
    std::unique_ptr<RdKafka::KafkaConsumer> consumer_;
    std::vector<ProbedEvent> events_;
};

/// A topic name unique to this process and call, for hermetic tests ("t.<tag>.<random>").
std::string UniqueTopic(const std::string& tag);

}  // namespace marketplace::testing
