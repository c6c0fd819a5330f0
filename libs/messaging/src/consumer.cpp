#include "marketplace/messaging/consumer.hpp"

#include <atomic>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include <nlohmann/json.hpp>
#include <pqxx/binarystring>
#include <pqxx/nontransaction>
#include <pqxx/pqxx>

#include "kafka.hpp"
#include "marketplace/core/log.hpp"
#include "marketplace/core/trace.hpp"
#include "marketplace/db/arrays.hpp"
#include "marketplace/db/errors.hpp"
#include "marketplace/db/statements.hpp"
#include "marketplace/db/transaction.hpp"

namespace marketplace::messaging {
namespace {

using TopicPartitionKey = std::pair<std::string, std::int32_t>;

std::string HeaderOr(const IncomingEvent& e, const char* name, const std::string& fallback = {}) {
    auto it = e.headers.find(name);
    return it == e.headers.end() ? fallback : it->second;
}

IncomingEvent Decode(RdKafka::Message& msg) {
    IncomingEvent e;
    e.topic = msg.topic_name();
    e.partition = msg.partition();
    e.offset = msg.offset();
    if (msg.key() != nullptr) e.key = *msg.key();
    e.payload.assign(static_cast<const char*>(msg.payload()), msg.len());
    if (const RdKafka::Headers* h = msg.headers()) {
        for (const auto& header : h->get_all()) {
            if (header.value() == nullptr) continue;
            e.headers[header.key()] = std::string(static_cast<const char*>(header.value()), header.value_size());
        }
    }
    e.id = HeaderOr(e, headers::kId);
    e.source = HeaderOr(e, headers::kSource);
    e.type = HeaderOr(e, headers::kType);
    e.time = HeaderOr(e, headers::kTime);
    e.traceparent = HeaderOr(e, headers::kTraceparent);
    const std::string version = HeaderOr(e, headers::kSchemaVersion, "1");
    e.schema_version = std::atoi(version.c_str());
    return e;
}

/// Why an event cannot be applied whatever the handler does; empty when it is well formed.
std::string Malformed(const IncomingEvent& e) {
    if (e.id.empty()) return "missing header ce_id";
    if (e.id.size() > 256) return "header ce_id longer than 256 bytes";
    if (e.type.empty()) return "missing header ce_type";
    if (e.key.empty()) return "missing message key";
    if (e.schema_version < 1) return "header ce_schemaversion is not a positive number";
    return {};
}

}  // namespace

class InboxConsumer::Impl final : public RdKafka::RebalanceCb, public RdKafka::DeliveryReportCb {
public:
    Impl(db::PgConfig pg, KafkaConfig kafka, ConsumerOptions options, EventHandler handler)
        : pool_(pg),
          kafka_(std::move(kafka)),
          options_(std::move(options)),
          handler_(std::move(handler)),
          applier_(pool_,
                   ApplierOptions{.consumer = options_.group,
                                  .clock = options_.clock,
                                  .max_batch = options_.max_batch,
                                  .batch_handler = options_.batch_handler,
                                  .after_commit = options_.after_commit},
                   handler_),
          rng_(std::random_device{}()) {}

    ~Impl() override { Stop(); }

    void Start() {
        if (thread_.joinable()) return;
        auto conf = impl::BaseConf(kafka_, options_.group);
        impl::SetConf(*conf, "group.id", options_.group);
        impl::SetConf(*conf, "enable.auto.commit", "false");
        impl::SetConf(*conf, "enable.auto.offset.store", "false");
        impl::SetConf(*conf, "auto.offset.reset", "earliest");
        impl::SetConf(*conf, "fetch.wait.max.ms", std::to_string(kafka_.fetch_wait_max_ms));
        impl::SetConf(*conf, "session.timeout.ms", std::to_string(kafka_.session_timeout_ms));
        impl::SetConf(*conf, "heartbeat.interval.ms", std::to_string(std::max(100, kafka_.session_timeout_ms / 6)));
        impl::SetConf(*conf, "allow.auto.create.topics", "true");
        for (const auto& [k, v] : kafka_.extra) impl::SetConf(*conf, k, v);
        std::string err;
        if (conf->set("rebalance_cb", static_cast<RdKafka::RebalanceCb*>(this), err) != RdKafka::Conf::CONF_OK) {
            throw std::runtime_error("kafka consumer: " + err);
        }
        consumer_.reset(RdKafka::KafkaConsumer::create(conf.get(), err));
        if (!consumer_) throw std::runtime_error("kafka consumer: " + err);
        dlq_producer_ = impl::MakeProducer(kafka_, options_.group + "-dlq", this);
        const auto rc = consumer_->subscribe(options_.topics);
        if (rc != RdKafka::ERR_NO_ERROR) throw std::runtime_error("kafka subscribe: " + RdKafka::err2str(rc));
        stop_ = false;
        thread_ = std::thread([this] { Run(); });
    }

    void Stop() {
        stop_ = true;
        if (thread_.joinable()) thread_.join();
    }

    const ConsumerMetrics& metrics() const { return metrics_; }
    bool Assigned() const { return assigned_.load(); }

    // Rebalance: eager assign/revoke. Before giving partitions up, commit what was applied.
    void rebalance_cb(RdKafka::KafkaConsumer* consumer, RdKafka::ErrorCode err,
                      std::vector<RdKafka::TopicPartition*>& partitions) override {
        if (err == RdKafka::ERR__ASSIGN_PARTITIONS) {
            consumer->assign(partitions);
            assigned_ = true;
            core::log::Info("consumer assigned partitions",
                            {{"group", options_.group}, {"count", static_cast<long long>(partitions.size())}});
        } else {
            consumer->commitSync();
            for (const auto* tp : partitions) held_.erase({tp->topic(), tp->partition()});
            consumer->unassign();
            assigned_ = false;
        }
    }

    void dr_cb(RdKafka::Message& message) override {
        auto* result = static_cast<RdKafka::ErrorCode*>(message.msg_opaque());
        *result = message.err();
    }

private:
    struct Held {
        IncomingEvent event;
        int attempts = 0;
        int outages = 0;  // failed attempts that found the database unreachable (not counted in attempts)
        std::chrono::steady_clock::time_point due;
    };

    void Run() {
        auto next_commit = std::chrono::steady_clock::now();
        auto next_redrive = next_commit;
        auto next_metrics = next_commit;
        auto pause = options_.retry_base;
        while (!stop_) {
            // The loop outlives every exception: a consumer thread that died would leave its service
            // running without consuming, which nobody would notice until sagas stall.
            try {
                Iterate(next_commit, next_redrive, next_metrics);
                pause = options_.retry_base;
            } catch (const std::exception& e) {
                core::log::Error("consumer loop failed; going on after a pause",
                                 {{"group", options_.group},
                                  {"error", e.what()},
                                  {"pause_ms", static_cast<long long>(pause.count())}});
                std::this_thread::sleep_for(pause);
                pause = std::min(pause * 2, options_.retry_max);
            } catch (...) {
                core::log::Error("consumer loop failed with a non-standard exception; going on after a pause",
                                 {{"group", options_.group}});
                std::this_thread::sleep_for(pause);
                pause = std::min(pause * 2, options_.retry_max);
            }
        }
        consumer_->commitSync();
        consumer_->close();
        dlq_producer_->flush(5000);
        core::log::Info("consumer stopped", {{"group", options_.group}});
    }

    void Iterate(std::chrono::steady_clock::time_point& next_commit,
                 std::chrono::steady_clock::time_point& next_redrive,
                 std::chrono::steady_clock::time_point& next_metrics) {
        {
            const auto now = std::chrono::steady_clock::now();
            RetryDue(now);
            if (now >= next_commit) {
                consumer_->commitAsync();
                next_commit = now + options_.commit_interval;
            }
            if (now >= next_redrive) {
                Guarded("redrive", [&] { ProcessRedrives(); });
                next_redrive = now + options_.redrive_poll;
            }
            if (now >= next_metrics) {
                Guarded("metrics", [&] { UpdateMetrics(); });
                next_metrics = now + options_.metrics_interval;
            }
            std::vector<IncomingEvent> batch;
            for (int wait_ms = 20; static_cast<int>(batch.size()) < options_.max_batch; wait_ms = 0) {
                std::unique_ptr<RdKafka::Message> msg(consumer_->consume(wait_ms));
                if (!msg || msg->err() == RdKafka::ERR__TIMED_OUT) break;
                if (msg->err() == RdKafka::ERR__PARTITION_EOF) continue;
                if (msg->err() != RdKafka::ERR_NO_ERROR) {
                    core::log::Warn("consumer error", {{"group", options_.group}, {"error", msg->errstr()}});
                    break;
                }
                batch.push_back(Decode(*msg));
            }
            dlq_producer_->poll(0);
            if (!batch.empty()) ConsumeBatch(batch);
        }
    }

    template <typename F>
    void Guarded(const char* what, F&& f) {
        try {
            f();
        } catch (const std::exception& e) {
            core::log::Error(std::string("consumer ") + what + " failed",
                             {{"group", options_.group}, {"error", e.what()}});
        }
    }

    bool IsHeld(const IncomingEvent& event) const { return held_.count({event.topic, event.partition}) > 0; }

    /// Applies events that were waiting together in one transaction; on any failure the batch rolls
    /// back and each event gets its own attempt, so one bad event cannot hold back the others.
    void ConsumeBatch(const std::vector<IncomingEvent>& events) {
        if (events.size() > 1) {
            std::vector<const IncomingEvent*> ready;
            for (const auto& e : events) {
                // A partition waiting to retry an event takes nothing new until that event is settled.
                if (IsHeld(e)) continue;
                if (!Malformed(e).empty()) {
                    ready.clear();
                    break;
                }
                ready.push_back(&e);
            }
            if (ready.size() == events.size()) {
                std::vector<InboxOutcome> outcomes;
                try {
                    outcomes = db::InTransaction(pool_, [&](pqxx::work& tx) { return applier_.ApplyIn(tx, ready); });
                } catch (const std::exception& e) {
                    core::log::Info("batch failed; applying its events one at a time",
                                    {{"group", options_.group}, {"error", e.what()}});
                }
                if (!outcomes.empty()) {
                    if (options_.after_commit) options_.after_commit();
                    for (std::size_t i = 0; i < ready.size(); ++i) Settled(*ready[i], outcomes[i]);
                    return;
                }
            }
        }
        for (const auto& e : events) {
            if (!IsHeld(e)) Attempt(e, 1, 0);
        }
    }

    void Settled(const IncomingEvent& event, InboxOutcome outcome) {
        if (outcome == InboxOutcome::kHandled) ++metrics_.handled;
        if (outcome == InboxOutcome::kDuplicate) ++metrics_.duplicates;
        if (outcome == InboxOutcome::kHeld) ++metrics_.held_behind_dead_letter;
        if (options_.after_commit_before_offset) options_.after_commit_before_offset(event);
        Done(event);
    }

    /// One attempt at applying `event`; on a failure the partition is paused and the event held for a
    /// later attempt. Attempts that found the database unreachable are not counted against
    /// max_attempts: they are retried with capped backoff for as long as the outage lasts. Only an
    /// event that can never apply (malformed, PermanentError) or that failed max_attempts times with
    /// the database answering is dead-lettered. Never throws.
    void Attempt(const IncomingEvent& event, int attempt, int outages) {
        const std::string malformed = Malformed(event);
        if (!malformed.empty()) {
            DeadLetterOrHold(event, malformed, attempt, outages);
            return;
        }
        core::log::LogScope scope(TraceIdOf(event), event.id);
        std::string error;
        bool outage = false;
        try {
            // The applier calls after_commit once the event's transaction committed.
            Settled(event, applier_.Apply(event));
            return;
        } catch (const PermanentError& e) {
            DeadLetterOrHold(event, e.what(), attempt, outages);
            return;
        } catch (const std::exception& e) {
            error = e.what();
            outage = db::IsConnectionFailure(e);
        } catch (...) {
            error = "non-standard exception";
        }
        if (outage) {
            ++metrics_.retries;
            Hold(event, attempt - 1, outages + 1, error);
            return;
        }
        if (attempt >= options_.max_attempts) {
            DeadLetterOrHold(event, error, attempt, outages);
            return;
        }
        ++metrics_.retries;
        Hold(event, attempt, outages, error);
    }

    /// Pauses the event's partition and keeps the event for another attempt after a backoff.
    void Hold(const IncomingEvent& event, int attempts, int outages, const std::string& error) {
        const auto delay = Backoff(std::max(1, attempts + outages));
        // During an outage every retry would log; the first few and then every 20th say so.
        if (outages <= 3 || outages % 20 == 0) {
            core::log::Warn("event failed; retrying its partition after a pause",
                            {{"group", options_.group},
                             {"event_id", event.id},
                             {"attempt", attempts + 1},
                             {"database_unreachable_attempts", outages},
                             {"delay_ms", static_cast<long long>(delay.count())},
                             {"error", error}});
        }
        const TopicPartitionKey tp{event.topic, event.partition};
        if (held_.count(tp) == 0) Pause(tp, true);
        held_[tp] = Held{event, attempts, outages, std::chrono::steady_clock::now() + delay};
    }

    /// Dead-letters the event and lets its offset go; when the dead letter cannot be written (the
    /// database went away meanwhile) the event is held and tried again instead.
    void DeadLetterOrHold(const IncomingEvent& event, const std::string& error, int attempt, int outages) {
        try {
            DeadLetter(event, error, attempt);
        } catch (const std::exception& e) {
            core::log::Warn("could not park an event as a dead letter; holding it for another attempt",
                            {{"group", options_.group}, {"event_id", event.id}, {"error", e.what()}});
            ++metrics_.retries;
            Hold(event, attempt - 1, outages + 1, e.what());
            return;
        }
        Done(event);
    }

    /// The inbox row's handled_at from the configured clock; "" lets the database stamp it.
    std::string HandledAt() const {
        return options_.clock ? core::FormatRfc3339(options_.clock->Now()) : std::string();
    }

    bool ClaimInbox(pqxx::work& tx, const IncomingEvent& event) {
        const auto r = db::Exec(
            tx,
            "INSERT INTO inbox (consumer, source, event_id, topic, partition, \"offset\", event_type, event_key, "
            "event_time, handled_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULLIF($9, '')::timestamptz, "
            "COALESCE(NULLIF($10, '')::timestamptz, clock_timestamp())) "
            "ON CONFLICT DO NOTHING",
            options_.group, event.source, event.id, event.topic, event.partition, event.offset, event.type, event.key,
            InboxEventTime(event), HandledAt());
        return r.affected_rows() == 1;
    }

    void LockKey(pqxx::work& tx, const std::string& key) {
        db::Exec(tx, "SELECT pg_advisory_xact_lock($1)", InboxKeyLock(options_.group, key));
    }

    /// Parks the event in dead_letters (its key now waits for a redrive) and copies it to <topic>.dlq.
    void DeadLetter(const IncomingEvent& event, const std::string& error, int attempts) {
        core::log::Error("event dead-lettered", {{"group", options_.group},
                                                 {"topic", event.topic},
                                                 {"event_id", event.id},
                                                 {"key", event.key},
                                                 {"attempts", attempts},
                                                 {"error", error}});
        IncomingEvent parked = event;
        if (parked.id.empty())
            parked.id = event.topic + "/" + std::to_string(event.partition) + "/" + std::to_string(event.offset);
        db::InTransaction(pool_, [&](pqxx::work& tx) {
            LockKey(tx, parked.key);
            const auto existing = db::Exec(
                tx, "SELECT 1 FROM dead_letters WHERE consumer = $1 AND event_id = $2 AND status <> 'resolved'",
                options_.group, parked.id);
            if (existing.empty()) InsertDeadLetter(tx, options_.group, parked, "parked", error, attempts);
        });
        ++metrics_.dead_lettered;
        PublishToDlq(event, error, attempts);
    }

    void PublishToDlq(const IncomingEvent& event, const std::string& error, int attempts) {
        RdKafka::Headers* h = RdKafka::Headers::create();
        for (const auto& [k, v] : event.headers) h->add(k, v);
        h->add(headers::kDlqError, error.substr(0, 2000));
        h->add(headers::kDlqConsumer, options_.group);
        h->add(headers::kDlqTopic, event.topic);
        h->add(headers::kDlqPartition, std::to_string(event.partition));
        h->add(headers::kDlqOffset, std::to_string(event.offset));
        h->add(headers::kDlqAttempts, std::to_string(attempts));
        RdKafka::ErrorCode result = RdKafka::ERR__IN_PROGRESS;
        const auto err =
            dlq_producer_->produce(DlqTopic(event.topic), RdKafka::Topic::PARTITION_UA, RdKafka::Producer::RK_MSG_COPY,
                                   const_cast<char*>(event.payload.data()), event.payload.size(), event.key.data(),
                                   event.key.size(), 0, h, &result);
        if (err != RdKafka::ERR_NO_ERROR) {
            delete h;
            core::log::Error("could not copy a dead letter to the DLQ topic (it stays parked in the database)",
                             {{"error", RdKafka::err2str(err)}});
            return;
        }
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
        while (result == RdKafka::ERR__IN_PROGRESS && std::chrono::steady_clock::now() < deadline)
            dlq_producer_->poll(5);
        if (result != RdKafka::ERR_NO_ERROR) {
            core::log::Error("could not copy a dead letter to the DLQ topic (it stays parked in the database)",
                             {{"error", RdKafka::err2str(result)}});
        }
    }

    /// The event's offset may be committed now; a paused partition resumes.
    void Done(const IncomingEvent& event) {
        std::vector<RdKafka::TopicPartition*> offsets{
            RdKafka::TopicPartition::create(event.topic, event.partition, event.offset + 1)};
        consumer_->offsets_store(offsets);
        RdKafka::TopicPartition::destroy(offsets);
        const TopicPartitionKey tp{event.topic, event.partition};
        if (held_.erase(tp) > 0) {
            Pause(tp, false);
            // Fetching goes on right after the settled event, whatever was prefetched meanwhile.
            std::unique_ptr<RdKafka::TopicPartition> next(
                RdKafka::TopicPartition::create(event.topic, event.partition, event.offset + 1));
            consumer_->seek(*next, 0);
        }
    }

    void RetryDue(std::chrono::steady_clock::time_point now) {
        std::vector<Held> due;
        for (const auto& [tp, held] : held_) {
            if (held.due <= now) due.push_back(held);
        }
        for (const auto& held : due) Attempt(held.event, held.attempts + 1, held.outages);
    }

    void Pause(const TopicPartitionKey& tp, bool pause) {
        std::vector<RdKafka::TopicPartition*> parts{RdKafka::TopicPartition::create(tp.first, tp.second)};
        if (pause) {
            consumer_->pause(parts);
        } else {
            consumer_->resume(parts);
        }
        RdKafka::TopicPartition::destroy(parts);
    }

    std::chrono::milliseconds Backoff(int attempt) {
        auto cap = options_.retry_base * (1LL << std::min(attempt - 1, 20));
        if (cap > options_.retry_max) cap = options_.retry_max;
        std::uniform_int_distribution<long long> jitter(cap.count() / 2, std::max<long long>(cap.count(), 1));
        return std::chrono::milliseconds(jitter(rng_));
    }

    static std::string TraceIdOf(const IncomingEvent& event) {
        auto t = core::TraceContext::Parse(event.traceparent);
        return t ? t->trace_id : std::string();
    }

    /// Replays, in order, the dead letters an operator marked for redrive.
    void ProcessRedrives() {
        std::vector<std::string> keys;
        {
            auto lease = pool_.Acquire();
            pqxx::nontransaction q(*lease);
            for (const auto& row : db::Exec(
                     q,
                     "SELECT DISTINCT event_key FROM dead_letters WHERE consumer = $1 AND status = 'redrive' LIMIT 100",
                     options_.group)) {
                keys.emplace_back(row[0].c_str());
            }
        }
        for (const auto& key : keys) {
            while (!stop_ && RedriveNext(key)) {
                if (options_.after_commit) options_.after_commit();
            }
        }
    }

    /// Applies the oldest open dead letter of `key`; returns whether to go on with the next one.
    bool RedriveNext(const std::string& key) {
        std::int64_t row_id = 0;
        try {
            return db::InTransaction(pool_, [&](pqxx::work& tx) {
                LockKey(tx, key);
                const auto r =
                    db::Exec(tx,
                             "SELECT id, status, topic, partition, \"offset\", event_id, headers::text, payload "
                             "FROM dead_letters WHERE consumer = $1 AND event_key = $2 AND status <> 'resolved' "
                             "ORDER BY id LIMIT 1 FOR UPDATE",
                             options_.group, key);
                if (r.empty() || std::string(r[0][1].c_str()) == "parked") return false;
                row_id = r[0][0].as<std::int64_t>();
                IncomingEvent e;
                e.key = key;
                e.topic = r[0][2].c_str();
                e.partition = r[0][3].as<std::int32_t>();
                e.offset = r[0][4].as<std::int64_t>();
                e.id = r[0][5].c_str();
                const nlohmann::json stored = nlohmann::json::parse(r[0][6].c_str());
                for (auto it = stored.begin(); it != stored.end(); ++it)
                    e.headers[it.key()] = it.value().get<std::string>();
                const pqxx::binarystring payload(r[0][7]);
                e.payload.assign(payload.get(), payload.size());
                e.source = HeaderOr(e, headers::kSource);
                e.type = HeaderOr(e, headers::kType);
                e.time = HeaderOr(e, headers::kTime);
                e.traceparent = HeaderOr(e, headers::kTraceparent);
                e.schema_version = std::atoi(HeaderOr(e, headers::kSchemaVersion, "1").c_str());
                const std::string malformed = Malformed(e);
                if (!malformed.empty()) throw PermanentError(malformed);
                core::log::LogScope scope(TraceIdOf(e), e.id);
                if (ClaimInbox(tx, e)) handler_(tx, e);
                db::Exec(tx,
                         "UPDATE dead_letters SET status = 'resolved', updated_at = clock_timestamp() WHERE id = $1",
                         row_id);
                ++metrics_.redriven;
                core::log::Info("dead letter redriven", {{"group", options_.group}, {"event_id", e.id}, {"key", key}});
                return true;
            });
        } catch (const std::exception& e) {
            if (row_id == 0) throw;
            core::log::Error("redrive failed; the event stays parked",
                             {{"group", options_.group}, {"error", e.what()}});
            db::InTransaction(pool_, [&](pqxx::work& tx) {
                LockKey(tx, key);
                db::Exec(tx,
                         "UPDATE dead_letters SET status = 'parked', error = $2, attempts = attempts + 1, "
                         "updated_at = clock_timestamp() WHERE id = $1",
                         row_id, std::string(e.what()).substr(0, 2000));
                db::Exec(tx,
                         "UPDATE dead_letters SET status = 'waiting', updated_at = clock_timestamp() "
                         "WHERE consumer = $1 AND event_key = $2 AND status = 'redrive'",
                         options_.group, key);
            });
            return false;
        }
    }

    void UpdateMetrics() {
        {
            auto lease = pool_.Acquire();
            pqxx::nontransaction q(*lease);
            metrics_.dlq_depth =
                db::Exec1(q, "SELECT count(*) FROM dead_letters WHERE consumer = $1 AND status <> 'resolved'",
                          options_.group)[0]
                    .as<std::int64_t>();
        }
        std::vector<RdKafka::TopicPartition*> assignment;
        if (consumer_->assignment(assignment) != RdKafka::ERR_NO_ERROR) return;
        consumer_->position(assignment);
        for (auto* tp : assignment) {
            int64_t low = 0, high = 0;
            if (consumer_->get_watermark_offsets(tp->topic(), tp->partition(), &low, &high) == RdKafka::ERR_NO_ERROR &&
                tp->offset() >= 0) {
                metrics_.SetLag(tp->topic() + "/" + std::to_string(tp->partition()),
                                std::max<int64_t>(0, high - tp->offset()));
            }
        }
        RdKafka::TopicPartition::destroy(assignment);
    }

    db::Pool pool_;
    KafkaConfig kafka_;
    ConsumerOptions options_;
    EventHandler handler_;
    InboxApplier applier_;
    std::mt19937_64 rng_;
    std::unique_ptr<RdKafka::KafkaConsumer> consumer_;
    std::unique_ptr<RdKafka::Producer> dlq_producer_;
    std::map<TopicPartitionKey, Held> held_;
    ConsumerMetrics metrics_;
    std::atomic<bool> stop_{false};
    std::atomic<bool> assigned_{false};
    std::thread thread_;
};

InboxConsumer::InboxConsumer(db::PgConfig pg, KafkaConfig kafka, ConsumerOptions options, EventHandler handler)
    : impl_(std::make_unique<Impl>(std::move(pg), std::move(kafka), std::move(options), std::move(handler))) {}
InboxConsumer::~InboxConsumer() = default;
void InboxConsumer::Start() { impl_->Start(); }
void InboxConsumer::Stop() { impl_->Stop(); }
const ConsumerMetrics& InboxConsumer::metrics() const { return impl_->metrics(); }
bool InboxConsumer::Assigned() const { return impl_->Assigned(); }

}  // namespace marketplace::messaging
