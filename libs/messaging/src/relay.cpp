#include "marketplace/messaging/relay.hpp"

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <unordered_set>
#include <vector>

#include <pqxx/binarystring>
#include <pqxx/nontransaction>
#include <pqxx/pqxx>

#include "kafka.hpp"
#include "marketplace/core/log.hpp"
#include "marketplace/core/trace.hpp"
#include "marketplace/db/arrays.hpp"
#include "marketplace/db/statements.hpp"
#include "marketplace/messaging/event.hpp"

namespace marketplace::messaging {
namespace {

struct Row {
    std::int64_t id = 0;
    std::string event_id, topic, key, type, traceparent, time;
    int schema_version = 1;
    std::int64_t created_ms = 0;
    std::string payload;
};

struct Slot {
    bool done = false;
    RdKafka::ErrorCode err = RdKafka::ERR_NO_ERROR;
};

}  // namespace

class OutboxRelay::Impl final : public RdKafka::DeliveryReportCb {
public:
    Impl(db::PgConfig pg, KafkaConfig kafka, RelayOptions options)
        : pg_(std::move(pg)),
          kafka_(std::move(kafka)),
          options_(std::move(options)),
          lock_key_(impl::StableHash("outbox-relay:" + options_.service)),
          source_("//marketplace/" + options_.service) {}

    ~Impl() override { Stop(); }

    void Start() {
        if (thread_.joinable()) return;
        producer_ = impl::MakeProducer(kafka_, options_.service + "-relay", this);
        stop_ = false;
        thread_ = std::thread([this] { Run(); });
    }

    void Stop() {
        {
            std::lock_guard lock(mu_);
            stop_ = true;
        }
        cv_.notify_all();
        if (thread_.joinable()) thread_.join();
    }

    void Wake() {
        {
            std::lock_guard lock(mu_);
            woken_ = true;
        }
        cv_.notify_all();
    }

    bool IsLeader() const { return metrics_.leader.load(); }
    const RelayMetrics& metrics() const { return metrics_; }

    void dr_cb(RdKafka::Message& message) override {
        auto* slot = static_cast<Slot*>(message.msg_opaque());
        slot->err = message.err();
        slot->done = true;
        --pending_;
    }

private:
    void Run() {
        core::log::Info("outbox relay started", {{"service", options_.service}});
        auto backoff = std::chrono::milliseconds(100);
        while (!stopping()) {
            try {
                Step();
                backoff = std::chrono::milliseconds(100);
            } catch (const std::exception& e) {
                core::log::Error("outbox relay step failed", {{"error", e.what()}});
                LoseConnection();
                SleepFor(backoff);
                backoff = std::min(backoff * 2, std::chrono::milliseconds(2000));
            }
        }
        producer_->flush(5000);
        LoseConnection();
        core::log::Info("outbox relay stopped", {{"service", options_.service}});
    }

    void Step() {
        if (!conn_) {
            // The publish lock lives in this session: a silent reconnect would lose it while this
            // relay went on publishing next to the new holder, so a broken session must surface.
            conn_ = db::Connect(pg_.conninfo);
            // The relay's own writes only delete published rows. Losing one in a crash republishes
            // an event, which consumers absorb, so they need not wait for the WAL flush.
            pqxx::nontransaction(*conn_).exec("SET synchronous_commit = off");
        }
        if (!metrics_.leader) {
            pqxx::nontransaction q(*conn_);
            const bool got = db::Exec1(q, "SELECT pg_try_advisory_lock($1)", lock_key_)[0].as<bool>();
            if (!got) {
                SleepFor(options_.standby_poll);
                return;
            }
            metrics_.leader = true;
            core::log::Info("outbox relay holds the publish lock", {{"service", options_.service}});
        }
        MaybeUpdateAge();
        MaybePrunePublished();
        const auto rows = FetchBatch();
        if (rows.empty()) {
            IdleWait();
            return;
        }
        idle_wait_ = options_.min_idle_wait;
        Publish(rows);
    }

    std::vector<Row> FetchBatch() {
        pqxx::nontransaction q(*conn_);
        const auto r =
            db::Exec(q,
                     "SELECT id, event_id::text, topic, event_key, event_type, schema_version, payload, traceparent, "
                     "to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), "
                     "(extract(epoch FROM created_at) * 1000)::bigint "
                     "FROM outbox ORDER BY id LIMIT $1",
                     options_.batch_size);
        std::vector<Row> rows;
        rows.reserve(r.size());
        for (const auto& f : r) {
            Row row;
            row.id = f[0].as<std::int64_t>();
            row.event_id = f[1].c_str();
            row.topic = f[2].c_str();
            row.key = f[3].c_str();
            row.type = f[4].c_str();
            row.schema_version = f[5].as<int>();
            const pqxx::binarystring payload(f[6]);
            row.payload.assign(payload.get(), payload.size());
            row.traceparent = f[7].c_str();
            row.time = f[8].c_str();
            row.created_ms = f[9].as<std::int64_t>();
            rows.push_back(std::move(row));
        }
        return rows;
    }

    void Publish(const std::vector<Row>& rows) {
        std::vector<Slot> slots(rows.size());
        for (std::size_t i = 0; i < rows.size(); ++i) {
            const Row& row = rows[i];
            RdKafka::Headers* h = RdKafka::Headers::create();
            const std::string traceparent =
                row.traceparent.empty() ? core::TraceContext::NewRoot().ToTraceparent() : row.traceparent;
            const std::string version = std::to_string(row.schema_version);
            h->add(headers::kSpecVersion, "1.0");
            h->add(headers::kId, row.event_id);
            h->add(headers::kSource, source_);
            h->add(headers::kType, row.type);
            h->add(headers::kTime, row.time);
            h->add(headers::kSchemaVersion, version);
            h->add(headers::kContentType, kProtobufContentType);
            h->add(headers::kTraceparent, traceparent);
            ++pending_;
            for (;;) {
                const auto err =
                    producer_->produce(row.topic, RdKafka::Topic::PARTITION_UA, RdKafka::Producer::RK_MSG_COPY,
                                       const_cast<char*>(row.payload.data()), row.payload.size(), row.key.data(),
                                       row.key.size(), row.created_ms, h, &slots[i]);
                if (err == RdKafka::ERR_NO_ERROR) break;
                if (err == RdKafka::ERR__QUEUE_FULL) {
                    producer_->poll(10);
                    continue;
                }
                delete h;
                --pending_;
                slots[i].done = true;
                slots[i].err = err;
                break;
            }
        }
        // Wait for every delivery report: the broker's acknowledgement is what lets a row go.
        const auto stop_grace = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        while (pending_.load() > 0) {
            producer_->poll(5);
            if (stopping() && std::chrono::steady_clock::now() > stop_grace) break;
        }
        if (options_.after_publish_before_record) options_.after_publish_before_record();

        // A row is recorded as published only if no earlier row with its key failed, so a retry
        // republishes the failed one and everything after it in the same order.
        std::unordered_set<std::string> failed_keys;
        std::vector<std::int64_t> published;
        published.reserve(rows.size());
        std::string first_error;
        for (std::size_t i = 0; i < rows.size(); ++i) {
            const bool ok = slots[i].done && slots[i].err == RdKafka::ERR_NO_ERROR;
            if (!ok) {
                failed_keys.insert(rows[i].key);
                if (first_error.empty()) {
                    first_error = slots[i].done ? RdKafka::err2str(slots[i].err) : "no delivery report";
                }
            } else if (!failed_keys.count(rows[i].key)) {
                published.push_back(rows[i].id);
            }
        }
        if (!published.empty()) {
            pqxx::nontransaction q(*conn_);
            // The rows leave the outbox and enter the published log in one statement.
            db::Exec(q,
                     "WITH gone AS (DELETE FROM outbox WHERE id = ANY($1::bigint[]) "
                     "RETURNING event_id, topic, event_key, event_type, traceparent, created_at) "
                     "INSERT INTO published_events (event_id, topic, event_key, event_type, traceparent, created_at, "
                     "published_at) "
                     "SELECT event_id, topic, event_key, event_type, traceparent, created_at, "
                     "COALESCE(NULLIF($2, '')::timestamptz, clock_timestamp()) FROM gone "
                     "ON CONFLICT (event_id) DO NOTHING",
                     db::IntArray(published), Now());
        }
        metrics_.published += published.size();
        metrics_.batches += 1;
        if (published.size() != rows.size()) {
            metrics_.publish_failures += rows.size() - published.size();
            core::log::Warn(
                "outbox relay: some events were not acknowledged; they will be published again",
                {{"failed", static_cast<long long>(rows.size() - published.size())}, {"error", first_error}});
            SleepFor(std::chrono::milliseconds(200));
        }
    }

    void MaybeUpdateAge() {
        const auto now = std::chrono::steady_clock::now();
        if (now < next_age_check_) return;
        next_age_check_ = now + options_.metrics_interval;
        pqxx::nontransaction q(*conn_);
        const auto r = q.exec(
            "SELECT COALESCE((extract(epoch FROM clock_timestamp() - min(created_at)) * 1000)::bigint, 0) "
            "FROM (SELECT created_at FROM outbox ORDER BY id LIMIT 1) oldest");
        metrics_.oldest_unpublished_age_ms = r[0][0].as<std::int64_t>();
    }

    /// Deletes published_events rows past their retention, a bounded number at a time.
    void MaybePrunePublished() {
        const auto now = std::chrono::steady_clock::now();
        if (now < next_prune_) return;
        next_prune_ = now + options_.prune_interval;
        pqxx::nontransaction q(*conn_);
        const auto r = db::Exec(
            q,
            "DELETE FROM published_events WHERE event_id IN (SELECT event_id FROM published_events "
            "WHERE published_at < COALESCE(NULLIF($2, '')::timestamptz, clock_timestamp()) - make_interval(secs => $1) "
            "ORDER BY published_at LIMIT 10000)",
            static_cast<double>(options_.published_retention.count()), Now());
        if (r.affected_rows() > 0) {
            core::log::Info("outbox relay pruned the published-events log",
                            {{"service", options_.service}, {"rows", static_cast<long long>(r.affected_rows())}});
        }
    }

    /// The configured clock's time; "" lets the database's clock decide.
    std::string Now() const { return options_.clock ? core::FormatRfc3339(options_.clock->Now()) : std::string(); }

    void IdleWait() {
        std::unique_lock lock(mu_);
        cv_.wait_for(lock, idle_wait_, [this] { return stop_ || woken_; });
        if (woken_) {
            woken_ = false;
            idle_wait_ = options_.min_idle_wait;
        } else {
            idle_wait_ = std::min(idle_wait_ * 2, options_.max_idle_wait);
        }
    }

    void SleepFor(std::chrono::milliseconds d) {
        std::unique_lock lock(mu_);
        cv_.wait_for(lock, d, [this] { return stop_; });
    }

    bool stopping() {
        std::lock_guard lock(mu_);
        return stop_;
    }

    void LoseConnection() {
        if (metrics_.leader) core::log::Info("outbox relay released the publish lock", {{"service", options_.service}});
        metrics_.leader = false;
        if (conn_) {
            try {
                if (conn_->is_open()) {
                    pqxx::nontransaction q(*conn_);
                    q.exec("SELECT pg_advisory_unlock_all()");
                }
            } catch (const std::exception&) {
                // The session is gone, and with it the lock.
            }
            conn_.reset();
        }
    }

    db::PgConfig pg_;
    KafkaConfig kafka_;
    RelayOptions options_;
    const long long lock_key_;
    const std::string source_;

    std::unique_ptr<RdKafka::Producer> producer_;
    std::unique_ptr<pqxx::connection> conn_;
    std::atomic<long> pending_{0};
    RelayMetrics metrics_;
    std::chrono::milliseconds idle_wait_{1};
    std::chrono::steady_clock::time_point next_age_check_{};
    std::chrono::steady_clock::time_point next_prune_{};

    std::mutex mu_;
    std::condition_variable cv_;
    bool stop_ = false;
    bool woken_ = false;
    std::thread thread_;
};

OutboxRelay::OutboxRelay(db::PgConfig pg, KafkaConfig kafka, RelayOptions options)
    : impl_(std::make_unique<Impl>(std::move(pg), std::move(kafka), std::move(options))) {}
OutboxRelay::~OutboxRelay() = default;
void OutboxRelay::Start() { impl_->Start(); }
void OutboxRelay::Stop() { impl_->Stop(); }
void OutboxRelay::Wake() { impl_->Wake(); }
bool OutboxRelay::IsLeader() const { return impl_->IsLeader(); }
const RelayMetrics& OutboxRelay::metrics() const { return impl_->metrics(); }

}  // namespace marketplace::messaging
