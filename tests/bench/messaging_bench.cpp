// Messaging benchmark: commit -> consumer-handled latency at a steady event rate, and the most
// events per second one relay publishes. Prints "name value" lines; run-messaging-bench.sh adds the
// pgbench baseline measured on the same server in the same run and prints the ratios.
//
//   messaging_bench [--broker kafka|devbroker] [--rate 1000] [--seconds 10] [--relay-events 100000]
//
// --broker picks the local stack's real Apache Kafka cluster (the default) or the mock broker; both use
// the services' own client settings (KafkaConfig's defaults, docs/KAFKA.md) unless BENCH_* variables
// override them.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <map>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <pqxx/pqxx>

#include "marketplace/core/log.hpp"
#include "marketplace/db/migration_runner.hpp"
#include "marketplace/db/transaction.hpp"
#include "marketplace/messaging/consumer.hpp"
#include "marketplace/messaging/outbox.hpp"
#include "marketplace/messaging/relay.hpp"
#include "marketplace/testing/broker_control.hpp"
#include "marketplace/testing/database.hpp"
#include "marketplace/testing/event_probe.hpp"
#include "marketplace/testing/wait.hpp"
#include "messaging_migrations.hpp"

using namespace marketplace;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

struct Args {
    testing::BrokerKind broker = testing::BrokerKind::kKafka;
    int rate = 1000;
    int seconds = 10;
    int relay_events = 100000;
};

Args Parse(int argc, char** argv) {
    Args a;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string k = argv[i];
        const int v = std::atoi(argv[i + 1]);
        if (k == "--broker") {
            const std::string b = argv[i + 1];
            if (b != "kafka" && b != "devbroker")
                throw std::invalid_argument("--broker: kafka or devbroker, got '" + b + "'");
            a.broker = b == "kafka" ? testing::BrokerKind::kKafka : testing::BrokerKind::kDevBroker;
        } else if (k == "--rate")
            a.rate = std::clamp(v, 1, 100000);
        else if (k == "--seconds")
            a.seconds = std::clamp(v, 1, 600);
        else if (k == "--relay-events")
            a.relay_events = std::clamp(v, 1000, 5000000);
    }
    return a;
}

double Percentile(std::vector<double> v, double p) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    const auto idx = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1));
    return v[idx];
}

testing::BrokerKind g_broker = testing::BrokerKind::kKafka;

messaging::KafkaConfig Kafka() {
    messaging::KafkaConfig k;
    k.bootstrap = testing::BrokerControl(g_broker).bootstrap();
    if (g_broker == testing::BrokerKind::kDevBroker) {
        // The mock never answers a waiting fetch early: only a tiny fetch wait keeps its latency low.
        k.fetch_wait_max_ms = 1;
    }
    if (const char* v = std::getenv("BENCH_LINGER_MS")) k.linger_ms = std::atoi(v);
    if (const char* v = std::getenv("BENCH_FETCH_WAIT_MS")) k.fetch_wait_max_ms = std::atoi(v);
    // Any librdkafka property for an experiment, applied last: BENCH_KAFKA_EXTRA="acks=1,socket.nagle.disable=true".
    if (const char* v = std::getenv("BENCH_KAFKA_EXTRA")) {
        std::string rest = v;
        while (!rest.empty()) {
            const auto comma = rest.find(',');
            const std::string item = rest.substr(0, comma);
            rest = comma == std::string::npos ? "" : rest.substr(comma + 1);
            const auto eq = item.find('=');
            if (eq == std::string::npos)
                throw std::invalid_argument("BENCH_KAFKA_EXTRA: expected key=value, got '" + item + "'");
            k.extra[item.substr(0, eq)] = item.substr(eq + 1);
        }
    }
    return k;
}

double Mean(const std::vector<double>& v) {
    double sum = 0;
    for (double x : v) sum += x;
    return v.empty() ? 0 : sum / static_cast<double>(v.size());
}

void Prepare(const testing::TestDatabase& db) {
    pqxx::connection conn(db.conninfo());
    db::ApplyMigrations(conn, "messaging", migrations::messaging());
}

/// Steady load: one event per 1/rate s, each in its own transaction; latency from the writer's
/// COMMIT to the end of the consumer's transaction.
void SteadyLatency(const Args& args) {
    testing::TestDatabase db("bench_latency");
    Prepare(db);
    const std::string topic = testing::UniqueTopic("bench");
    testing::BrokerControl(g_broker).CreateTopic(topic, 6);

    std::mutex mu;
    std::map<std::string, Clock::time_point> committed;
    std::vector<double> latencies_ms;
    // When each slow event (over 25 ms) was committed, to line the tail up with the brokers' GC logs.
    std::vector<std::pair<Clock::time_point, double>> slow;
    latencies_ms.reserve(static_cast<std::size_t>(args.rate * args.seconds));
    std::vector<double> commit_ms;  // the writers' COMMIT alone, for reading the latency figures
    // commit -> first seen by a plain Kafka reader (no database): the relay and broker part alone.
    std::map<std::string, Clock::time_point> committed_for_probe;
    std::vector<double> broker_path_ms;
    std::atomic<bool> probing{true};

    messaging::ConsumerOptions co;
    co.group = "bench-" + db.name();
    co.topics = {topic};
    co.after_commit_before_offset = [&](const messaging::IncomingEvent& e) {
        const auto now = Clock::now();
        std::lock_guard lock(mu);
        auto it = committed.find(e.id);
        if (it != committed.end()) {
            const double ms = std::chrono::duration<double, std::milli>(now - it->second).count();
            latencies_ms.push_back(ms);
            if (ms > 25) slow.emplace_back(it->second, ms);
            committed.erase(it);
        }
    };
    messaging::InboxConsumer consumer(db.Config(4), Kafka(), co, [](pqxx::work&, const messaging::IncomingEvent&) {});
    consumer.Start();
    messaging::RelayOptions ro{.service = "bench"};
    if (const char* v = std::getenv("BENCH_RELAY_MAX_IDLE_MS"))
        ro.max_idle_wait = std::chrono::milliseconds(std::atoi(v));
    messaging::OutboxRelay relay(db.Config(2), Kafka(), ro);
    relay.Start();
    if (!testing::WaitUntil([&] { return consumer.Assigned() && relay.IsLeader(); }, 30s)) {
        throw std::runtime_error("consumer or relay did not start");
    }
    // Warm up the path (metadata, connections) before measuring.
    db::Pool pool(db.Config(2));
    const messaging::Outbox outbox("bench");
    for (int i = 0; i < 50; ++i) {
        db::InTransaction(pool, [&](pqxx::work& tx) {
            outbox.Append(tx, {topic, "warmup-" + std::to_string(i % 8), "marketplace.bench.v1.Warmup", "w", 1, ""});
        });
        relay.Wake();
    }
    // Then the same load as measured, unmeasured, so the brokers' JIT and caches reach their steady state
    // (a Java broker runs its first minute interpreted or half-compiled): BENCH_WARMUP_SECONDS, default 5.
    const int warmup_seconds = std::getenv("BENCH_WARMUP_SECONDS") ? std::atoi(std::getenv("BENCH_WARMUP_SECONDS")) : 5;
    std::fprintf(stderr, "warm-up: %d events/s for %d s...\n", args.rate, warmup_seconds);
    for (int i = 0; i < args.rate * warmup_seconds; ++i) {
        const auto due = Clock::now() + std::chrono::nanoseconds(1'000'000'000LL / args.rate);
        db::InTransaction(pool, [&](pqxx::work& tx) {
            outbox.Append(tx, {topic, "warmup-" + std::to_string(i % 100), "marketplace.bench.v1.Warmup", "w", 1, ""});
        });
        relay.Wake();
        std::this_thread::sleep_until(due);
    }
    std::this_thread::sleep_for(1s);
    {
        std::lock_guard lock(mu);
        latencies_ms.clear();
        slow.clear();
    }

    std::thread probe_thread([&] {
        testing::EventProbe probe(Kafka().bootstrap, {topic});
        std::size_t seen = probe.Drain(200ms).size();  // the warm-up events
        while (probing) {
            const auto& events = probe.WaitForCount(seen + 1, 50ms);
            const auto now = Clock::now();
            std::lock_guard lock(mu);
            for (; seen < events.size(); ++seen) {
                auto it = committed_for_probe.find(events[seen].headers.at("ce_id"));
                if (it == committed_for_probe.end()) continue;
                broker_path_ms.push_back(std::chrono::duration<double, std::milli>(now - it->second).count());
                committed_for_probe.erase(it);
            }
        }
    });

    // Several writer threads, as request handlers would be, together paced at `rate`.
    constexpr int kWriters = 4;
    const std::string payload(200, 'p');
    const auto total = args.rate * args.seconds;
    const auto interval = std::chrono::nanoseconds(1'000'000'000LL / args.rate);
    std::fprintf(stderr, "steady load: %d events/s for %d s from %d writers...\n", args.rate, args.seconds, kWriters);
    const auto start = Clock::now() + 10ms;
    std::vector<std::thread> writers;
    for (int w = 0; w < kWriters; ++w) {
        writers.emplace_back([&, w] {
            db::Pool pool(db.Config(1));
            for (int i = w; i < total; i += kWriters) {
                std::this_thread::sleep_until(start + interval * i);
                const std::string key = "milestone-" + std::to_string(i % 100);
                Clock::time_point before_commit;
                db::InTransaction(pool, [&](pqxx::work& tx) {
                    const auto id = outbox.Append(tx, {topic, key, "marketplace.bench.v1.Happened", payload, 1, ""});
                    // Timed from just before COMMIT (InTransaction commits when this returns), so the
                    // figure includes the commit itself.
                    std::lock_guard lock(mu);
                    before_commit = Clock::now();
                    committed[id] = before_commit;
                    committed_for_probe[id] = before_commit;
                });
                const double took = std::chrono::duration<double, std::milli>(Clock::now() - before_commit).count();
                relay.Wake();
                {
                    std::lock_guard lock(mu);
                    commit_ms.push_back(took);
                }
                if (w == 0 && (i + kWriters) % (args.rate * 2) < kWriters) {
                    std::fprintf(stderr, "  %d/%d events written\n", i + kWriters, total);
                }
            }
        });
    }
    for (auto& t : writers) t.join();
    const double wall = std::chrono::duration<double>(Clock::now() - start).count();
    testing::WaitUntil(
        [&] {
            std::lock_guard lock(mu);
            return latencies_ms.size() >= static_cast<std::size_t>(total);
        },
        60s);
    probing = false;
    probe_thread.join();
    relay.Stop();
    consumer.Stop();
    std::lock_guard lock(mu);
    std::printf("steady_rate_target %d\n", args.rate);
    std::printf("steady_rate_achieved %.0f\n", total / wall);
    std::printf("steady_events_handled %zu\n", latencies_ms.size());
    std::printf("latency_p50_ms %.3f\n", Percentile(latencies_ms, 0.50));
    std::printf("latency_p90_ms %.3f\n", Percentile(latencies_ms, 0.90));
    std::printf("latency_p99_ms %.3f\n", Percentile(latencies_ms, 0.99));
    std::printf("latency_p999_ms %.3f\n", Percentile(latencies_ms, 0.999));
    std::printf("latency_mean_ms %.3f\n", Mean(latencies_ms));
    // The tail's shape: how many events took longer than each bound.
    for (const double bound : {5.0, 10.0, 25.0, 50.0}) {
        const auto over = std::count_if(latencies_ms.begin(), latencies_ms.end(), [&](double x) { return x > bound; });
        std::printf("latency_over_%.0fms %ld\n", bound, static_cast<long>(over));
    }
    std::printf("latency_max_ms %.3f\n", Percentile(latencies_ms, 1.0));
    // The tail's time course: slow events grouped by the wall-clock 100 ms window of their commit.
    {
        const auto steady_now = Clock::now();
        const auto system_now = std::chrono::system_clock::now();
        std::map<long long, std::pair<int, double>> windows;  // window start (ms since epoch) -> count, max
        for (const auto& [at, ms] : slow) {
            const auto wall =
                system_now - std::chrono::duration_cast<std::chrono::system_clock::duration>(steady_now - at);
            const long long window =
                std::chrono::duration_cast<std::chrono::milliseconds>(wall.time_since_epoch()).count() / 100 * 100;
            auto& w = windows[window];
            ++w.first;
            w.second = std::max(w.second, ms);
        }
        std::printf("slow_events_over_25ms %zu in %zu windows of 100 ms\n", slow.size(), windows.size());
        for (const auto& [window, w] : windows) {
            const std::time_t secs = static_cast<std::time_t>(window / 1000);
            std::tm tm{};
            gmtime_r(&secs, &tm);
            std::fprintf(stderr, "  slow window %02d:%02d:%02d.%03lld UTC: %d events, max %.1f ms\n", tm.tm_hour,
                         tm.tm_min, tm.tm_sec, window % 1000, w.first, w.second);
        }
    }
    std::printf("relay_broker_p50_ms %.3f\n", Percentile(broker_path_ms, 0.50));
    std::printf("relay_broker_p99_ms %.3f\n", Percentile(broker_path_ms, 0.99));
    std::printf("writer_commit_p50_ms %.3f\n", Percentile(commit_ms, 0.50));
    std::printf("writer_commit_p99_ms %.3f\n", Percentile(commit_ms, 0.99));
}

/// Relay throughput: a full outbox drained by one relay, timed until the last row is recorded.
void RelayThroughput(const Args& args) {
    testing::TestDatabase db("bench_relay");
    Prepare(db);
    const std::string topic = testing::UniqueTopic("benchrelay");
    testing::BrokerControl(g_broker).CreateTopic(topic, 6);
    {
        pqxx::connection conn(db.conninfo());
        pqxx::work tx(conn);
        tx.exec_params(
            "INSERT INTO outbox (event_id, topic, event_key, event_type, payload) "
            "SELECT gen_random_uuid(), $1, 'milestone-' || (g % 1000), 'marketplace.bench.v1.Happened', "
            "convert_to(repeat('p', 200), 'UTF8') FROM generate_series(1, $2) g",
            topic, args.relay_events);
        tx.commit();
        pqxx::nontransaction(conn).exec("VACUUM ANALYZE outbox");
    }
    std::fprintf(stderr, "relay throughput: draining %d events...\n", args.relay_events);
    messaging::OutboxRelay relay(db.Config(2), Kafka(), {.service = "benchrelay"});
    pqxx::connection conn(db.conninfo());
    const auto start = Clock::now();
    relay.Start();
    for (;;) {
        const auto left = pqxx::nontransaction(conn).exec("SELECT count(*) FROM outbox")[0][0].as<long>();
        if (left == 0) break;
        if (Clock::now() - start > 300s) throw std::runtime_error("relay did not drain the outbox in 300 s");
        std::this_thread::sleep_for(5ms);
    }
    const double secs = std::chrono::duration<double>(Clock::now() - start).count();
    relay.Stop();
    std::printf("relay_events %d\n", args.relay_events);
    std::printf("relay_seconds %.3f\n", secs);
    std::printf("relay_events_per_s %.0f\n", args.relay_events / secs);
}

}  // namespace

int main(int argc, char** argv) {
    core::log::Init("bench", "warn");
    try {
        const Args args = Parse(argc, argv);
        g_broker = args.broker;
        SteadyLatency(args);
        RelayThroughput(args);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "messaging_bench: %s\n", e.what());
        return 1;
    }
    return 0;
}
