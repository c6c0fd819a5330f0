#include "marketplace/testing/event_probe.hpp"

#include <librdkafka/rdkafkacpp.h>

#include <stdexcept>

#include "marketplace/core/ids.hpp"

namespace marketplace::testing {
namespace {

void Set(RdKafka::Conf& conf, const std::string& key, const std::string& value) {
    std::string err;
    if (conf.set(key, value, err) != RdKafka::Conf::CONF_OK)
        throw std::runtime_error("kafka config " + key + ": " + err);
}

}  // namespace

EventProbe::EventProbe(const std::string& bootstrap, const std::vector<std::string>& topics) {
    std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
    Set(*conf, "bootstrap.servers", bootstrap);
    Set(*conf, "group.id", "probe-" + core::RandomHex(6));  // required by the API; never joined
    Set(*conf, "enable.auto.commit", "false");
    Set(*conf, "fetch.wait.max.ms", "5");
    Set(*conf, "allow.auto.create.topics", "true");
    std::string err;
    consumer_.reset(RdKafka::KafkaConsumer::create(conf.get(), err));
    if (!consumer_) throw std::runtime_error("event probe: " + err);

    std::vector<RdKafka::TopicPartition*> assignment;
    for (const auto& topic : topics) {
        RdKafka::Metadata* md = nullptr;
        std::unique_ptr<RdKafka::Topic> handle(RdKafka::Topic::create(consumer_.get(), topic, nullptr, err));
        int partitions = 0;
        for (int attempt = 0; attempt < 50 && partitions == 0; ++attempt) {
            if (consumer_->metadata(false, handle.get(), &md, 2000) == RdKafka::ERR_NO_ERROR && md != nullptr) {
                for (const auto* t : *md->topics()) {
                    if (t->topic() == topic && t->err() == RdKafka::ERR_NO_ERROR) {
                        partitions = static_cast<int>(t->partitions()->size());
                    }
                }
            }
            delete md;
            md = nullptr;
        }
        if (partitions == 0) throw std::runtime_error("event probe: topic " + topic + " has no partitions");
        for (int p = 0; p < partitions; ++p) {
            assignment.push_back(RdKafka::TopicPartition::create(topic, p, RdKafka::Topic::OFFSET_BEGINNING));
        }
    }
    const auto rc = consumer_->assign(assignment);
    RdKafka::TopicPartition::destroy(assignment);
    if (rc != RdKafka::ERR_NO_ERROR) throw std::runtime_error("event probe: assign: " + RdKafka::err2str(rc));
}

EventProbe::~EventProbe() {
    if (consumer_) consumer_->close();
}

void EventProbe::PollOnce(std::chrono::milliseconds wait) {
    std::unique_ptr<RdKafka::Message> msg(consumer_->consume(static_cast<int>(wait.count())));
    if (!msg || msg->err() != RdKafka::ERR_NO_ERROR) return;
    ProbedEvent e;
    e.topic = msg->topic_name();
    e.partition = msg->partition();
    e.offset = msg->offset();
    if (msg->key() != nullptr) e.key = *msg->key();
    e.payload.assign(static_cast<const char*>(msg->payload()), msg->len());
    if (const RdKafka::Headers* h = msg->headers()) {
        for (const auto& header : h->get_all()) {
            e.headers[header.key()] = std::string(static_cast<const char*>(header.value()), header.value_size());
        }
    }
    events_.push_back(std::move(e));
}

const std::vector<ProbedEvent>& EventProbe::WaitForCount(std::size_t count, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (events_.size() < count && std::chrono::steady_clock::now() < deadline)
        PollOnce(std::chrono::milliseconds(50));
    return events_;
}

bool EventProbe::WaitFor(const std::function<bool(const ProbedEvent&)>& match, std::chrono::milliseconds timeout) {
    for (const auto& e : events_) {
        if (match(e)) return true;
    }
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        const std::size_t before = events_.size();
        PollOnce(std::chrono::milliseconds(50));
        for (std::size_t i = before; i < events_.size(); ++i) {
            if (match(events_[i])) return true;
        }
    }
    return false;
}

const std::vector<ProbedEvent>& EventProbe::Drain(std::chrono::milliseconds duration) {
    const auto deadline = std::chrono::steady_clock::now() + duration;
    while (std::chrono::steady_clock::now() < deadline) PollOnce(std::chrono::milliseconds(50));
    return events_;
}

std::string UniqueTopic(const std::string& tag) { return "t." + tag + "." + core::RandomHex(5); }

}  // namespace marketplace::testing
