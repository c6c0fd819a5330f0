// Workroom benchmark (make bench-workroom): N rooms with M WebSocket clients each, connected through
// the gateway (its own process, the marketplace-gateway binary) to the workroom's live stream, while
// messages are posted at a steady rate; every receiver measures post -> delivered. In the same run, as
// baselines: the gateway's own WebSocket round trip (a ping answered by the gateway, no service behind
// it) and PostgreSQL's rate of single-row inserts of a message row (a table shaped like `messages`).
//
// What runs where: the workroom service runs in this process (its Component on the Runtime, real
// gRPC on a loopback port, real PostgreSQL on the local stack, a fresh database), with tokens from a
// test issuer whose public key this process also serves as the JWKS the gateway fetches (the auth
// service is not started: only its key matters here). The rooms are created by handing
// ContractCreated to the workroom's own event router, as its Kafka consumer would. Posts are gRPC
// PostMessage calls to the workroom; the WebSocket clients (the tests' asynchronous client, two threads)
// and the posters share the machine with the gateway, the workroom and PostgreSQL.
//
// Parameters (environment): BENCH_ROOMS (100), BENCH_MEMBERS (20 connections per room, alternately
// as the client and the freelancer), BENCH_RATE (1000 messages/s in all), BENCH_SECONDS (10),
// BENCH_POSTERS (8 posting threads), BENCH_DRAIN_SECONDS (10, how long to wait for late deliveries),
// BENCH_PINGS (1000 WebSocket round trips), BENCH_PG_SECONDS (3). Prints "name value" lines; exits 1
// when a connection failed or a post failed.
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <future>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <grpcpp/grpcpp.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <pqxx/pqxx>

#include "bench_processes.hpp"
#include "component.hpp"
#include "marketplace/auth/v1/auth.grpc.pb.h"
#include "marketplace/contracts/v1/events.pb.h"
#include "marketplace/core/ids.hpp"
#include "marketplace/core/log.hpp"
#include "marketplace/db/transaction.hpp"
#include "marketplace/rpc/call_scope.hpp"
#include "marketplace/rpc/server.hpp"
#include "marketplace/testing/broker_control.hpp"
#include "marketplace/testing/database.hpp"
#include "marketplace/testing/process.hpp"
#include "marketplace/testing/websocket_client.hpp"
#include "marketplace/tokens/test_tokens.hpp"
#include "marketplace/tokens/verifier.hpp"
#include "workroom_migrations.hpp"

namespace {

using namespace marketplace;
using namespace std::chrono_literals;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using Steady = std::chrono::steady_clock;

int EnvInt(const char* name, int fallback, int min, int max) {
    const char* v = std::getenv(name);
    if (v == nullptr || *v == '\0') return fallback;
    const int n = std::atoi(v);
    if (n < min || n > max) {
        throw std::runtime_error(std::string(name) + ": must be " + std::to_string(min) + ".." + std::to_string(max));
    }
    return n;
}

std::int64_t NowNs() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(Steady::now().time_since_epoch()).count();
}

std::int64_t RssKiB(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("VmRSS:", 0) == 0) return std::stoll(line.substr(6));
    }
    throw std::runtime_error("no VmRSS for pid " + std::to_string(pid));
}

double Percentile(std::vector<std::int64_t>& v, double p) {
    if (v.empty()) return 0;
    const auto k = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1));
    std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
    return static_cast<double>(v[k]);
}

void Print(const std::string& name, double value) { std::printf("%s %.3f\n", name.c_str(), value); }

// The JWKS the gateway verifies tokens with: the test issuer's public key.
class JwksOnly final : public auth::v1::AuthService::Service {
public:
    explicit JwksOnly(tokens::PublicKey key) : key_(std::move(key)) {}
    grpc::Status GetJwks(grpc::ServerContext* ctx, const auth::v1::GetJwksRequest*,
                         auth::v1::GetJwksResponse* resp) override {
        return rpc::Handle(ctx, [&](rpc::CallScope&) { *resp->add_keys() = tokens::ToJwk(key_); });
    }
    // Nobody's sessions are revoked during the run.
    grpc::Status ListSessionRevocations(grpc::ServerContext* ctx, const auth::v1::ListSessionRevocationsRequest*,
                                        auth::v1::ListSessionRevocationsResponse*) override {
        return rpc::Handle(ctx, [&](rpc::CallScope&) {});
    }

private:
    tokens::PublicKey key_;
};

// One WebSocket client of the stream. Its handlers never run concurrently (they run on its client's
// strand), so its own samples need no lock.
struct Client {
    Client(asio::io_context& io, int port, std::string token, std::atomic<int>& live, std::atomic<long>& received,
           std::atomic<int>& failed)
        : port(port), token(std::move(token)), live(live), received(received), failed(failed) {
        // The handlers reach this Client by pointer: every Client outlives the threads running `io`.
        testing::AsyncWebSocketClient::Handlers handlers;
        handlers.on_message = [this](std::string_view text) { OnFrame(text); };
        handlers.on_pong = [this](std::optional<std::chrono::microseconds> round_trip) { OnPong(round_trip); };
        handlers.on_error = [this](const std::string& error) { Fail(error); };
        socket = testing::AsyncWebSocketClient::Create(io, std::move(handlers));
    }

    std::shared_ptr<testing::AsyncWebSocketClient> socket;
    int port;
    std::string token;
    std::atomic<int>& live;
    std::atomic<long>& received;
    std::atomic<int>& failed;
    bool is_live = false;
    std::vector<std::int64_t> latencies_us;
    // Round trips of pings (the baseline client only).
    std::vector<std::int64_t> ping_us;
    int pings_left = 0;
    int pings_lost = 0;
    std::function<void()> pings_done;

    void Start() {
        testing::WebSocketOptions options;
        options.timeout = 30s;
        socket->Open(port, "/v1/workrooms:stream", {{"Authorization", "Bearer " + token}}, options);
    }

    void Fail(const std::string& error) {
        if (failed.fetch_add(1) < 5) std::fprintf(stderr, "client: %s\n", error.c_str());
    }

    void OnFrame(std::string_view text) {
        const auto now = NowNs();
        if (!is_live && text.find("\"live\"") != std::string::npos) {
            is_live = true;
            live.fetch_add(1);
            return;
        }
        const auto at = text.find("bench ");
        if (at == std::string::npos || text.find("\"message_posted\"") == std::string::npos) return;
        const std::int64_t sent = std::atoll(std::string(text.substr(at + 6)).c_str());
        latencies_us.push_back((now - sent) / 1000);
        received.fetch_add(1);
    }

    // Pings one at a time; the gateway's WebSocket answers each with a pong. A ping not answered
    // within two seconds counts as lost, and the next one goes out.
    void Ping(int count, std::function<void()> done) {
        pings_left = count;
        pings_done = std::move(done);
        socket->Ping(2s);
    }

    void OnPong(std::optional<std::chrono::microseconds> round_trip) {
        if (pings_left <= 0) return;
        if (round_trip) {
            ping_us.push_back(round_trip->count());
        } else {
            ++pings_lost;
        }
        if (--pings_left > 0) {
            socket->Ping(2s);
        } else {
            pings_done();
        }
    }
};

}  // namespace

int main(int argc, char** argv) {
    try {
        if (argc < 2) throw std::runtime_error("usage: workroom_bench GATEWAY_BIN");
        const std::string gateway_bin = argv[1];
        core::log::Init("workroom-bench");  // MARKETPLACE_LOG_LEVEL: the script asks for warn
        const int rooms = EnvInt("BENCH_ROOMS", 100, 1, 10000);
        const int members = EnvInt("BENCH_MEMBERS", 20, 2, 64);
        const int rate = EnvInt("BENCH_RATE", 1000, 1, 100000);
        const int seconds = EnvInt("BENCH_SECONDS", 10, 1, 600);
        const int posters = EnvInt("BENCH_POSTERS", 8, 1, 64);
        const int drain_seconds = EnvInt("BENCH_DRAIN_SECONDS", 10, 1, 600);
        const int pings = EnvInt("BENCH_PINGS", 1000, 1, 1000000);
        const int pg_seconds = EnvInt("BENCH_PG_SECONDS", 3, 1, 600);
        const int clients = rooms * members;

        rlimit files{};
        getrlimit(RLIMIT_NOFILE, &files);
        files.rlim_cur = files.rlim_max;
        setrlimit(RLIMIT_NOFILE, &files);

        std::printf(
            "== workroom bench: %d rooms x %d clients = %d WebSockets through the gateway, %d messages/s for "
            "%d s (%d cores shared by the gateway, the workroom, PostgreSQL and these clients)\n",
            rooms, members, clients, rate, seconds, static_cast<int>(std::thread::hardware_concurrency()));
        std::fflush(stdout);

        // --- the workroom, in this process ---
        tokens::TestTokens tokens;
        service::RuntimeConfig c;
        c.name = "workroom";
        c.pg = testing::TestDatabase::Shared("workroom_bench").Config(16);
        // The local stack's Kafka (the rooms' RoomCreated events go there; a post without mentions
        // publishes nothing); nothing measured here waits for it. Without a cluster in the stack, the
        // port MARKETPLACE_KAFKA_PORT names (9092 by default), where the producer only retries.
        try {
            c.kafka.bootstrap = testing::BrokerControl::Bootstrap();
        } catch (const std::exception&) {
            const char* kafka_port = std::getenv("MARKETPLACE_KAFKA_PORT");
            c.kafka.bootstrap =
                "127.0.0.1:" + std::string(kafka_port != nullptr && *kafka_port != '\0' ? kafka_port : "9092");
        }
        c.kafka.message_timeout_ms = 1000;
        c.kafka.extra["log_level"] = "0";
        c.server.listen_address = "127.0.0.1:0";
        c.server.drain_timeout = 2s;
        c.server.handle_signals = false;
        // The verifier every service runs (tokens::ServiceTokenVerifier: keys and revocations kept
        // current by a background refresh, accepted tokens remembered), reading the test issuer's key
        // and an empty revocation list instead of calling auth.
        {
            tokens::JwksVerifierOptions verifier;
            verifier.background_refresh = tokens::kDefaultTokenStateRefresh;
            const auto key = tokens.key().public_key();
            c.server.token_verifier = std::make_shared<tokens::JwksVerifier>(
                [key] { return std::vector<tokens::PublicKey>{key}; }, verifier,
                [] { return std::map<std::string, std::int64_t, std::less<>>{}; });
        }
        c.shutdown_timeout = 5s;
        auto runtime = std::make_unique<service::Runtime>(c);
        runtime->Migrate("workroom", migrations::workroom());
        workroom::Component::Config config;
        config.consume_events = false;
        config.feed.max_per_user = members;
        config.streams.per_user = members;  // the bound across replicas (stream leases)
        config.feed.max_total = clients + 16;
        config.feed.workers = EnvInt("STREAM_WORKERS", config.feed.workers, 1, 64);  // as the service reads it
        auto component = std::make_unique<workroom::Component>(*runtime, config);
        const int workroom_port = runtime->Start();
        const std::string workroom_target = "127.0.0.1:" + std::to_string(workroom_port);

        JwksOnly jwks(tokens.key().public_key());
        rpc::ServerOptions auth_options;
        auth_options.listen_address = "127.0.0.1:0";
        auth_options.drain_timeout = 500ms;
        rpc::Server auth_server(auth_options);
        auth_server.AddService(&jwks, "marketplace.auth.v1.AuthService");
        auth_server.Start();

        // --- rooms, through the workroom's own event router ---
        struct RoomUsers {
            std::string room_id, client, freelancer;
            // The access tokens the two parties post with, issued once: a client holds its token for
            // its lifetime, as the services' verifiers expect (they remember tokens they accepted).
            std::string client_token, freelancer_token;
        };
        std::vector<RoomUsers> room_users;
        const auto handler = component->events().Router().Handler();
        for (int r = 0; r < rooms; ++r) {
            RoomUsers u;
            u.client = "bench-client-" + core::NewUuidV4().substr(0, 8);
            u.freelancer = "bench-freelancer-" + core::NewUuidV4().substr(0, 8);
            contracts::v1::ContractCreated e;
            const auto contract_id = core::NewUuidV7();
            e.set_contract_id(contract_id);
            e.set_proposal_id(core::NewUuidV7());
            e.set_client_id(u.client);
            e.set_freelancer_id(u.freelancer);
            messaging::IncomingEvent in;
            in.id = core::NewUuidV7();
            in.type = e.GetDescriptor()->full_name();
            in.topic = "contracts.events.v1";
            in.payload = e.SerializeAsString();
            in.source = "//marketplace/bench";
            db::InTransaction(runtime->pool(), [&](pqxx::work& tx) {
                handler(tx, in);
                u.room_id =
                    tx.exec_params1("SELECT id::text FROM rooms WHERE contract_id = $1", contract_id)[0].c_str();
            });
            u.client_token = tokens.For(u.client, "client");
            u.freelancer_token = tokens.For(u.freelancer, "client");
            room_users.push_back(u);
        }
        std::printf("setup: %d rooms created\n", rooms);

        // --- the gateway, as its own process ---
        const int gateway_port = testing::FreePort();
        const auto log = (std::filesystem::temp_directory_path() /
                          ("marketplace-workroom-bench-gateway-" + std::to_string(::getpid()) + ".log"))
                             .string();
        testing::ChildProcess gateway(
            {gateway_bin},
            {{"GATEWAY_LISTEN", "127.0.0.1:" + std::to_string(gateway_port)},
             {"GATEWAY_SERVICES", "auth,workroom"},
             {"AUTH_GRPC_TARGET", "127.0.0.1:" + std::to_string(auth_server.port())},
             {"WORKROOM_GRPC_TARGET", workroom_target},
             {"GATEWAY_THREADS", std::getenv("GATEWAY_THREADS") ? std::getenv("GATEWAY_THREADS") : "2"},
             {"GATEWAY_MAX_CONNECTIONS", std::to_string(clients + 100)},
             {"GATEWAY_MAX_CONNECTIONS_PER_ADDRESS", std::to_string(clients + 100)},
             {"GATEWAY_WS_MAX_CONNECTIONS", std::to_string(clients + 100)},
             {"GATEWAY_WS_MAX_PER_USER", std::to_string(members + 1)},
             {"GATEWAY_RATE_LIMIT_IP_RPS", "0"},
             {"GATEWAY_RATE_LIMIT_USER_RPS", "0"},
             {"GATEWAY_WS_IDLE_TIMEOUT", "10m"},
             {"METRICS_LISTEN", "off"}},
            log);
        {
            asio::io_context probe;
            bool up = false;
            for (int i = 0; i < 300 && !up; ++i) {
                try {
                    tcp::socket s(probe);
                    s.connect(
                        tcp::endpoint(asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(gateway_port)));
                    up = true;
                } catch (const std::exception&) {
                    std::this_thread::sleep_for(100ms);
                }
            }
            if (!up) throw std::runtime_error("the gateway did not start:\n" + gateway.LogTail());
        }
        std::this_thread::sleep_for(500ms);

        // --- the clients ---
        asio::io_context io;
        auto work = asio::make_work_guard(io);
        std::vector<std::thread> io_threads;
        struct Joiner {
            asio::io_context& io;
            std::vector<std::thread>& threads;
            ~Joiner() {
                io.stop();
                for (auto& t : threads) {
                    if (t.joinable()) t.join();
                }
            }
        } joiner{io, io_threads};
        std::mutex client_tids_mu;
        std::vector<pid_t> client_tids;  // the clients' threads, whose CPU is the load's, not the workroom's
        for (int i = 0; i < 2; ++i) {
            io_threads.emplace_back([&] {
                {
                    std::lock_guard lock(client_tids_mu);
                    client_tids.push_back(::gettid());
                }
                io.run();
            });
        }
        std::atomic<int> live{0};
        std::atomic<long> received{0};
        std::atomic<int> failed{0};

        // Baseline first: the gateway's own WebSocket round trip, one client, nothing else connected.
        auto pinger =
            std::make_shared<Client>(io, gateway_port, tokens.For("bench-pinger", "client"), live, received, failed);
        pinger->Start();
        for (int i = 0; i < 100 && live.load() < 1; ++i) std::this_thread::sleep_for(100ms);
        if (live.load() < 1) throw std::runtime_error("the baseline client did not get `live`:\n" + gateway.LogTail());
        std::promise<void> pinged;
        pinger->Ping(pings, [&] { pinged.set_value(); });
        if (pinged.get_future().wait_for(60s) != std::future_status::ready) throw std::runtime_error("pings timed out");
        auto ping_us = pinger->ping_us;
        Print("ws_round_trip_p50_ms", Percentile(ping_us, 0.50) / 1000);
        Print("ws_round_trip_p99_ms", Percentile(ping_us, 0.99) / 1000);
        Print("ws_pings_unanswered", pinger->pings_lost);

        const auto rss_before = RssKiB(gateway.pid());
        std::vector<std::shared_ptr<Client>> all;
        all.reserve(static_cast<std::size_t>(clients));
        const auto connect_started = Steady::now();
        for (int r = 0; r < rooms; ++r) {
            for (int m = 0; m < members; ++m) {
                const auto& user = m % 2 == 0 ? room_users[static_cast<std::size_t>(r)].client
                                              : room_users[static_cast<std::size_t>(r)].freelancer;
                auto client =
                    std::make_shared<Client>(io, gateway_port, tokens.For(user, "client"), live, received, failed);
                all.push_back(client);
                client->Start();
            }
            // At most ~200 handshakes in flight.
            while (static_cast<int>(all.size()) + 1 - live.load() > 200 && failed.load() == 0) {
                std::this_thread::sleep_for(5ms);
            }
            if ((r + 1) % std::max(1, rooms / 5) == 0) {
                std::printf("connecting: %d of %d live\n", live.load() - 1, clients);
                std::fflush(stdout);
            }
        }
        while (live.load() - 1 < clients && failed.load() == 0 && Steady::now() - connect_started < 120s) {
            std::this_thread::sleep_for(20ms);
        }
        if (failed.load() > 0 || live.load() - 1 < clients) {
            throw std::runtime_error(std::to_string(live.load() - 1) + " of " + std::to_string(clients) +
                                     " clients live, " + std::to_string(failed.load()) + " failed:\n" +
                                     gateway.LogTail());
        }
        std::this_thread::sleep_for(2s);  // idle
        const auto rss_idle = RssKiB(gateway.pid());
        Print("connected_clients", clients);
        Print("connect_seconds", std::chrono::duration<double>(Steady::now() - connect_started).count() - 2);
        Print("gateway_rss_before_kib", static_cast<double>(rss_before));
        Print("gateway_rss_idle_kib", static_cast<double>(rss_idle));
        Print("gateway_kib_per_idle_connection", static_cast<double>(rss_idle - rss_before) / clients);
        std::fflush(stdout);

        // --- the steady posting ---
        std::atomic<long> next{0};
        std::atomic<long> posted{0};
        std::atomic<long> post_failed{0};
        const long total = static_cast<long>(rate) * seconds;
        // CPU of the posting and its deliveries, by who used it: read now and once the last delivery is in.
        const auto client_cpu = [&] {
            std::lock_guard lock(client_tids_mu);
            double sum = 0;
            for (const pid_t tid : client_tids) sum += bench::ThreadCpuSeconds(tid);
            return sum;
        };
        const auto cpu_before = bench::CpuByGroup();
        const double clients_cpu_before = client_cpu();
        std::mutex posters_cpu_mu;
        double posters_cpu = 0;  // each poster adds its own when it ends
        const auto start = Steady::now() + 200ms;
        std::vector<std::thread> poster_threads;
        for (int p = 0; p < posters; ++p) {
            poster_threads.emplace_back([&] {
                auto stub = workroom::v1::WorkroomService::NewStub(
                    grpc::CreateChannel(workroom_target, grpc::InsecureChannelCredentials()));
                for (;;) {
                    const long k = next.fetch_add(1);
                    // Bounded: nothing is posted after the run's last second, even when behind schedule.
                    if (k >= total || Steady::now() >= start + std::chrono::seconds(seconds)) break;
                    std::this_thread::sleep_until(start + std::chrono::nanoseconds(k * 1'000'000'000LL / rate));
                    const auto& room = room_users[static_cast<std::size_t>(k % rooms)];
                    workroom::v1::PostMessageRequest request;
                    request.set_room_id(room.room_id);
                    request.set_text("bench " + std::to_string(NowNs()));
                    workroom::v1::PostMessageResponse response;
                    grpc::ClientContext ctx;
                    ctx.set_deadline(std::chrono::system_clock::now() + 10s);
                    ctx.AddMetadata("authorization",
                                    "Bearer " + (k % 2 == 0 ? room.client_token : room.freelancer_token));
                    if (stub->PostMessage(&ctx, request, &response).ok()) {
                        posted.fetch_add(1);
                    } else if (post_failed.fetch_add(1) < 3) {
                        std::fprintf(stderr, "post failed\n");
                    }
                }
                rusage own_usage{};
                ::getrusage(RUSAGE_THREAD, &own_usage);
                const double own = static_cast<double>(own_usage.ru_utime.tv_sec + own_usage.ru_stime.tv_sec) +
                                   static_cast<double>(own_usage.ru_utime.tv_usec + own_usage.ru_stime.tv_usec) / 1e6;
                std::lock_guard lock(posters_cpu_mu);
                posters_cpu += own;
            });
        }
        for (int s = 1; s <= seconds; ++s) {
            std::this_thread::sleep_until(start + std::chrono::seconds(s));
            std::printf("t=%2ds posted %ld, delivered %ld\n", s, posted.load(), received.load());
            std::fflush(stdout);
        }
        for (auto& t : poster_threads) t.join();
        const double post_seconds =
            std::max(static_cast<double>(seconds), std::chrono::duration<double>(Steady::now() - start).count());
        const long expected = posted.load() * members;
        const auto drain_until = Steady::now() + std::chrono::seconds(drain_seconds);
        while (received.load() < expected && Steady::now() < drain_until) std::this_thread::sleep_for(20ms);
        const double delivery_seconds = std::chrono::duration<double>(Steady::now() - start).count();
        const auto cpu_after = bench::CpuByGroup();
        const double clients_cpu = client_cpu() - clients_cpu_before;

        for (auto& client : all) client->socket->Shutdown();
        pinger->socket->Shutdown();
        std::this_thread::sleep_for(300ms);
        work.reset();
        io.stop();
        for (auto& t : io_threads) t.join();
        std::vector<std::int64_t> latencies;
        for (auto& client : all)
            latencies.insert(latencies.end(), client->latencies_us.begin(), client->latencies_us.end());
        Print("messages_posted", static_cast<double>(posted.load()));
        Print("post_failures", static_cast<double>(post_failed.load()));
        Print("messages_per_second", static_cast<double>(posted.load()) / post_seconds);
        Print("deliveries_expected", static_cast<double>(expected));
        Print("deliveries_received", static_cast<double>(received.load()));
        Print("deliveries_per_second", static_cast<double>(received.load()) / delivery_seconds);
        Print("fanout_p50_ms", Percentile(latencies, 0.50) / 1000);
        Print("fanout_p99_ms", Percentile(latencies, 0.99) / 1000);
        Print("fanout_max_ms", latencies.empty()
                                   ? 0
                                   : static_cast<double>(*std::max_element(latencies.begin(), latencies.end())) / 1000);
        // CPU per message posted, from the first post to the last delivery: the workroom is this
        // process without the clients' and the posters' threads; PostgreSQL is every backend of the
        // local stack's server (MARKETPLACE_STATE_DIR), the gateway its own process.
        if (posted.load() > 0) {
            const auto used = [&](const char* group) {
                const auto a = cpu_after.find(group);
                const auto b = cpu_before.find(group);
                return a == cpu_after.end() || b == cpu_before.end() ? 0.0 : a->second - b->second;
            };
            const double per = 1000.0 / static_cast<double>(posted.load());
            const double workroom_cpu = used("bench") - clients_cpu - posters_cpu;
            Print("cpu_ms_per_message_workroom", workroom_cpu * per);
            Print("cpu_ms_per_message_gateway", used("gateway") * per);
            Print("cpu_ms_per_message_postgresql", used("postgresql") * per);
            Print("cpu_ms_per_message_clients", clients_cpu * per);
            Print("cpu_ms_per_message_posters", posters_cpu * per);
            Print("cpu_ms_per_message_all", (used("bench") + used("gateway") + used("postgresql")) * per);
        }
        std::fflush(stdout);

        // --- baseline: PostgreSQL's single-row inserts of a message row, one transaction each ---
        {
            pqxx::connection conn(testing::TestDatabase::Shared("workroom_bench").conninfo());
            pqxx::nontransaction(conn).exec(
                "CREATE TEMP TABLE bench_messages (LIKE messages INCLUDING DEFAULTS INCLUDING GENERATED "
                "INCLUDING CONSTRAINTS INCLUDING INDEXES)");
            const std::string room_id = room_users.front().room_id;
            long rows = 0;
            const auto pg_start = Steady::now();
            const auto pg_end = pg_start + std::chrono::seconds(pg_seconds);
            while (Steady::now() < pg_end) {
                pqxx::work tx(conn);
                tx.exec_params(
                    "INSERT INTO bench_messages (id, room_id, sequence, author_id, body, thread_root_id, created_at) "
                    "VALUES ($1::uuid, $2::uuid, $3, 'bench', $4, $1::uuid, now())",
                    core::NewUuidV7(), room_id, rows + 1, "bench " + std::to_string(NowNs()));
                tx.commit();
                ++rows;
            }
            Print("pg_message_inserts_per_second",
                  static_cast<double>(rows) / std::chrono::duration<double>(Steady::now() - pg_start).count());
        }

        gateway.Stop();
        auth_server.Drain();
        runtime->Stop();
        component.reset();
        return failed.load() > 0 || post_failed.load() > 0 ? 1 : 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "workroom_bench: %s\n", e.what());
        return 1;
    }
}
