// Gateway benchmark: one read route and one write route through the HTTP/JSON gateway (driven by wrk
// with tests/bench/gateway.lua) and the same calls made directly over gRPC by this program's load
// client, on the same services in the same run, at the same concurrency and for the same duration.
//   read:  GET /v1/wallet/balances          = payments.GetBalances as the caller
//   write: POST /v1/jobs + Idempotency-Key  = jobs.PostJob with a fresh idempotency key per request
// The read route also runs, with the same client, concurrency and duration as the direct call, against
// its baseline: balances_baseline_server, a bare gRPC server running payments' two statements of
// GetBalances on payments' database through a db::Pool of payments' size (no token, no interceptor).
// Both load generators are closed loops: `connections` requests in flight, each answered request
// followed at once by the next. Prints "name value" lines, a table of requests/s, p50, p99 and the
// gateway's overhead, the read route against its baseline, and every process's threads before, during
// and after the load; run-gateway-bench.sh adds the aims. Exits 1 when any request failed (a non-2xx
// answer, a socket error, a gRPC status other than OK).
#include <sys/resource.h>
#include <sys/time.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/message_differencer.h>

#include "bench_processes.hpp"
#include "marketplace/core/ids.hpp"
#include "marketplace/testing/http_client.hpp"
#include "marketplace/testing/process.hpp"
#include "story.hpp"

using namespace marketplace;
using namespace marketplace::e2e;
using Clock = std::chrono::steady_clock;
namespace av1 = marketplace::auth::v1;
namespace jv1 = marketplace::jobs::v1;
namespace pv1 = marketplace::payments::v1;

namespace {

// The write route's body: the HTTP body wrk sends, and (parsed into PostJobRequest) the direct call.
constexpr const char* kJobJson =
    R"({"title":"Landing page and signup flow","description":"Build a SaaS MVP with authentication, billing and an admin panel.",)"
    R"("stack":["c++","postgresql"],"budget_type":"BUDGET_TYPE_FIXED",)"
    R"("budget_min":{"minor_units":"50000","currency":"EUR"},"budget_max":{"minor_units":"500000","currency":"EUR"},)"
    R"("template_id":"saas-mvp"})";

struct Options {
    int seconds = 10;
    int warmup_seconds = 2;
    int load_threads = 2;
    std::vector<int> connections{1, 16, 64};
    int clients = 4;
    std::string wrk = "wrk";
    std::string script;
};

struct Result {
    long requests = 0;
    long failed = 0;
    double seconds = 0;
    double p50_us = 0;
    double p99_us = 0;
    std::string first_error;
    // CPU time per answered request, microseconds (see Measured).
    std::map<std::string, double> cpu_us;

    double rps() const { return seconds > 0 ? static_cast<double>(requests) / seconds : 0; }
};

// --- CPU time: of the services and the gateway (this program's children, from /proc), of wrk (reaped
// children) and of this program ---

using CpuSeconds = std::map<std::string, double>;

CpuSeconds TakeCpu() {
    CpuSeconds out;
    for (const auto& p : bench::Children()) out[p.name] += p.cpu_seconds;
    rusage usage{};
    ::getrusage(RUSAGE_SELF, &usage);
    out["self"] = static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
                  static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
    ::getrusage(RUSAGE_CHILDREN, &usage);
    out["reaped"] = static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
                    static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
    return out;
}

// CPU seconds per second each process spends with no load (relays and consumers polling), measured
// over `seconds` before any load and subtracted from the phases' figures.
CpuSeconds IdleRates(int seconds) {
    const auto before = TakeCpu();
    std::this_thread::sleep_for(std::chrono::seconds(seconds));
    const auto after = TakeCpu();
    CpuSeconds rates;
    for (const auto& [name, total] : after) {
        const auto b = before.find(name);
        rates[name] = (total - (b == before.end() ? 0 : b->second)) / seconds;
    }
    return rates;
}

// Runs one measured phase and adds the CPU each side spent per answered request, net of idle:
// "gateway", the route's service, "other services" (the rest, such as consumers of its events) and
// "load" (wrk, or this program's gRPC client).
template <typename F>
Result Measured(const std::string& load_key, const std::string& service, const CpuSeconds& idle, F&& run) {
    const auto before = TakeCpu();
    const auto started = Clock::now();
    Result r = run();
    const double elapsed = std::chrono::duration<double>(Clock::now() - started).count();
    const auto after = TakeCpu();
    const double n = static_cast<double>(std::max(1L, r.requests));
    auto used = [&](const std::string& key, bool net) {
        const auto a = after.find(key);
        const auto b = before.find(key);
        double seconds = (a == after.end() ? 0 : a->second) - (b == before.end() ? 0 : b->second);
        if (net && idle.count(key) > 0) seconds = std::max(0.0, seconds - idle.at(key) * elapsed);
        return seconds * 1e6 / n;
    };
    r.cpu_us["gateway"] = used("gateway", true);
    r.cpu_us["service"] = used(service, true);
    r.cpu_us["load"] = used(load_key, false);
    double others = 0;
    for (const auto& [key, _] : after) {
        if (key != "gateway" && key != service && key != "self" && key != "reaped") others += used(key, true);
    }
    r.cpu_us["other_services"] = others;
    return r;
}

std::vector<int> ParseList(const std::string& text) {
    std::vector<int> out;
    std::stringstream in(text);
    std::string item;
    while (std::getline(in, item, ',')) {
        const int n = std::atoi(item.c_str());
        if (n < 1 || n > 10'000) throw std::invalid_argument("--connections: '" + item + "' is not 1..10000");
        out.push_back(n);
    }
    if (out.empty()) throw std::invalid_argument("--connections: empty list");
    return out;
}

Options ParseOptions(int argc, char** argv) {
    Options o;
    for (int i = 1; i < argc; ++i) {
        const std::string k = argv[i];
        if (i + 1 >= argc) throw std::invalid_argument(k + ": missing value");
        const std::string v = argv[++i];
        if (k == "--seconds") {
            o.seconds = std::clamp(std::atoi(v.c_str()), 1, 600);
        } else if (k == "--warmup") {
            o.warmup_seconds = std::clamp(std::atoi(v.c_str()), 0, 60);
        } else if (k == "--threads") {
            o.load_threads = std::clamp(std::atoi(v.c_str()), 1, 64);
        } else if (k == "--connections") {
            o.connections = ParseList(v);
        } else if (k == "--clients") {
            o.clients = std::clamp(std::atoi(v.c_str()), 1, 64);
        } else if (k == "--wrk") {
            o.wrk = v;
        } else if (k == "--script") {
            o.script = v;
        } else {
            throw std::invalid_argument("unknown option " + k);
        }
    }
    if (o.script.empty()) throw std::invalid_argument("--script: the path of gateway.lua is required");
    return o;
}

// --- the gateway's side: one plain HTTP call to check a route, and wrk for the load ---

// One request on a fresh connection (Connection: close).
testing::HttpResponse HttpCall(const std::string& host, int port, const std::string& method, const std::string& path,
                               const std::string& token, const std::string& body, const std::string& idempotency_key) {
    testing::HttpOptions options;
    options.host = host;
    options.connect_timeout = std::chrono::seconds(15);
    options.timeout = std::chrono::seconds(15);
    options.keep_alive = false;
    testing::HttpHeaders headers = {{"Authorization", "Bearer " + token}};
    if (!idempotency_key.empty()) headers.emplace_back("Idempotency-Key", idempotency_key);
    if (!body.empty()) headers.emplace_back("Content-Type", "application/json");
    return testing::HttpClient(port, options).Request(method, path, body, headers);
}

std::string Join(const std::vector<User>& users) {
    std::string out;
    for (const auto& u : users) out += (out.empty() ? "" : ",") + u.token;
    return out;
}

// "wrk_p99_us 1234" lines of gateway.lua's done().
std::map<std::string, double> WrkFigures(const std::string& output) {
    std::map<std::string, double> out;
    std::stringstream in(output);
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("wrk_", 0) != 0) continue;
        const auto space = line.find(' ');
        if (space == std::string::npos) continue;
        out[line.substr(0, space)] = std::atof(line.c_str() + space + 1);
    }
    return out;
}

Result RunWrk(const Options& o, const std::string& route, int connections, int seconds,
              const std::vector<User>& users) {
    const std::string url = S().gateway_base_url();
    const int threads = std::min(o.load_threads, connections);
    const std::vector<std::string> argv{o.wrk,
                                        "-t" + std::to_string(threads),
                                        "-c" + std::to_string(connections),
                                        "-d" + std::to_string(seconds) + "s",
                                        "--timeout",
                                        "10s",
                                        "--latency",
                                        "-s",
                                        o.script,
                                        url};
    const std::map<std::string, std::string> env{{"BENCH_ROUTE", route},
                                                 {"BENCH_TOKENS", Join(users)},
                                                 {"BENCH_BODY", kJobJson},
                                                 {"BENCH_KEY_PREFIX", "bench-" + core::RandomHex(6)}};
    std::string output;
    const int status = testing::RunToCompletion(argv, env, std::chrono::seconds(seconds + 60), &output);
    if (status != 0) throw std::runtime_error("wrk exited with status " + std::to_string(status) + ":\n" + output);
    const auto figures = WrkFigures(output);
    for (const char* key :
         {"wrk_requests", "wrk_duration_us", "wrk_status_errors", "wrk_socket_errors", "wrk_p50_us", "wrk_p99_us"}) {
        if (figures.count(key) == 0) throw std::runtime_error(std::string("wrk printed no ") + key + ":\n" + output);
    }
    Result r;
    r.requests = static_cast<long>(figures.at("wrk_requests"));
    r.seconds = figures.at("wrk_duration_us") / 1e6;
    r.failed = static_cast<long>(figures.at("wrk_status_errors") + figures.at("wrk_socket_errors"));
    r.p50_us = figures.at("wrk_p50_us");
    r.p99_us = figures.at("wrk_p99_us");
    if (r.failed > 0) r.first_error = "wrk reported failures:\n" + output + S().GatewayLogs(10);
    // wrk's own report (its latency distribution), for the record.
    std::fprintf(stderr, "%s", output.c_str());
    return r;
}

// --- the direct side: the same calls over gRPC, asynchronously on a completion queue per thread ---

template <typename Response>
struct AsyncCall {
    grpc::ClientContext context;
    Response response;
    grpc::Status status;
    std::unique_ptr<grpc::ClientAsyncResponseReader<Response>> reader;
    Clock::time_point started;
};

// Starts one call of the route on `cq` with `call.context` ready (deadline, metadata).
template <typename Response>
using Starter = std::function<void(AsyncCall<Response>& call, grpc::CompletionQueue* cq, int thread, long sequence)>;

double Percentile(std::vector<double>& sorted, double p) {
    if (sorted.empty()) return 0;
    const auto rank = static_cast<std::size_t>(std::ceil(p * static_cast<double>(sorted.size())));
    return sorted[std::min(sorted.size() - 1, rank == 0 ? 0 : rank - 1)];
}

template <typename Response>
Result RunDirect(const Options& o, int connections, int seconds, const Starter<Response>& start) {
    const int threads = std::min(o.load_threads, connections);
    std::vector<std::vector<double>> latencies(static_cast<std::size_t>(threads));
    std::vector<long> failed(static_cast<std::size_t>(threads), 0);
    std::vector<std::string> errors(static_cast<std::size_t>(threads));
    const auto begin = Clock::now();
    const auto until = begin + std::chrono::seconds(seconds);
    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t) {
        workers.emplace_back([&, t] {
            const auto slot = static_cast<std::size_t>(t);
            latencies[slot].reserve(static_cast<std::size_t>(seconds) * 20'000 / static_cast<std::size_t>(threads));
            grpc::CompletionQueue cq;
            long sequence = 0;
            auto launch = [&] {
                auto* call = new AsyncCall<Response>;
                call->context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
                call->started = Clock::now();
                start(*call, &cq, t, ++sequence);
                call->reader->Finish(&call->response, &call->status, call);
            };
            const int mine = connections / threads + (t < connections % threads ? 1 : 0);
            for (int i = 0; i < mine; ++i) launch();
            int outstanding = mine;
            void* tag = nullptr;
            bool ok = false;
            while (outstanding > 0 && cq.Next(&tag, &ok)) {
                std::unique_ptr<AsyncCall<Response>> call(static_cast<AsyncCall<Response>*>(tag));
                --outstanding;
                const auto now = Clock::now();
                if (now <= until) {
                    if (ok && call->status.ok()) {
                        latencies[slot].push_back(
                            std::chrono::duration<double, std::micro>(now - call->started).count());
                    } else {
                        if (failed[slot]++ == 0) {
                            errors[slot] =
                                std::to_string(call->status.error_code()) + " " + call->status.error_message();
                        }
                    }
                    launch();
                    ++outstanding;
                }
            }
            cq.Shutdown();
            while (cq.Next(&tag, &ok)) {
            }
        });
    }
    for (auto& w : workers) w.join();
    Result r;
    r.seconds = std::chrono::duration<double>(until - begin).count();
    std::vector<double> all;
    for (std::size_t t = 0; t < latencies.size(); ++t) {
        all.insert(all.end(), latencies[t].begin(), latencies[t].end());
        r.failed += failed[t];
        if (r.first_error.empty() && !errors[t].empty()) r.first_error = "gRPC: " + errors[t];
    }
    r.requests = static_cast<long>(all.size());
    std::sort(all.begin(), all.end());
    r.p50_us = Percentile(all, 0.50);
    r.p99_us = Percentile(all, 0.99);
    return r;
}

// --- the routes ---

struct Route {
    std::string name;     // read, write
    std::string http;     // what wrk sends
    std::string service;  // the service that answers it
    std::function<Result(const Options&, int connections, int seconds)> direct;
};

Route ReadRoute(const std::vector<User>& users) {
    return Route{"read", "GET /v1/wallet/balances", "payments",
                 [&users](const Options& o, int connections, int seconds) {
                     Starter<pv1::GetBalancesResponse> start = [&users](auto& call, grpc::CompletionQueue* cq,
                                                                        int thread, long) {
                         const auto& user = users[static_cast<std::size_t>(thread) % users.size()];
                         call.context.AddMetadata("authorization", "Bearer " + user.token);
                         call.reader = S().payments().AsyncGetBalances(&call.context, pv1::GetBalancesRequest(), cq);
                     };
                     return RunDirect(o, connections, seconds, start);
                 }};
}

// The read route's baseline: the same call to balances_baseline_server, which takes the user from the
// request since it checks no token.
std::function<Result(const Options&, int, int)> BaselineRead(pv1::PaymentsService::Stub& baseline,
                                                             const std::vector<User>& users) {
    return [&baseline, &users](const Options& o, int connections, int seconds) {
        Starter<pv1::GetBalancesResponse> start = [&baseline, &users](auto& call, grpc::CompletionQueue* cq, int thread,
                                                                      long) {
            const auto& user = users[static_cast<std::size_t>(thread) % users.size()];
            pv1::GetBalancesRequest request;
            request.set_user_id(user.id);
            call.reader = baseline.AsyncGetBalances(&call.context, request, cq);
        };
        return RunDirect(o, connections, seconds, start);
    };
}

// Starts balances_baseline_server on payments' database and waits until it answers as payments does.
std::unique_ptr<testing::ChildProcess> StartBaseline(const std::string& log_path, const User& user,
                                                     std::unique_ptr<pv1::PaymentsService::Stub>* stub) {
    const int port = testing::FreePort();
    const std::string target = "127.0.0.1:" + std::to_string(port);
    auto process = std::make_unique<testing::ChildProcess>(
        std::vector<std::string>{BALANCES_BASELINE_BIN},
        std::map<std::string, std::string>{{"GRPC_LISTEN", target},
                                           {"BASELINE_PG_CONNINFO", S().Databases().at("payments")},
                                           {"MARKETPLACE_DEV_MODE", "1"}},
        log_path);
    *stub = pv1::PaymentsService::NewStub(grpc::CreateChannel(target, grpc::InsecureChannelCredentials()));
    pv1::GetBalancesResponse expected;
    Ok(S().payments().GetBalances(MoneyStack::Context(user).get(), pv1::GetBalancesRequest(), &expected),
       "GetBalances");
    pv1::GetBalancesRequest request;
    request.set_user_id(user.id);
    const auto until = Clock::now() + std::chrono::seconds(30);
    for (;;) {
        grpc::ClientContext context;
        context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(2));
        context.set_wait_for_ready(true);
        pv1::GetBalancesResponse got;
        const auto status = (*stub)->GetBalances(&context, request, &got);
        if (status.ok()) {
            if (!google::protobuf::util::MessageDifferencer::Equals(got, expected)) {
                throw std::runtime_error("the baseline's balances differ from payments':\n" + got.DebugString() +
                                         "payments:\n" + expected.DebugString());
            }
            return process;
        }
        if (!process->Running() || Clock::now() > until) {
            throw std::runtime_error("balances_baseline_server does not answer (" + status.error_message() + "):\n" +
                                     process->LogTail());
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
}

Route WriteRoute(const std::vector<User>& users, const jv1::PostJobRequest& job) {
    return Route{"write", "POST /v1/jobs", "jobs", [&users, &job](const Options& o, int connections, int seconds) {
                     const std::string prefix = "bench-" + core::RandomHex(6) + "-";
                     Starter<jv1::PostJobResponse> start = [&users, &job, prefix](auto& call, grpc::CompletionQueue* cq,
                                                                                  int thread, long sequence) {
                         const auto& user = users[static_cast<std::size_t>(thread) % users.size()];
                         call.context.AddMetadata("authorization", "Bearer " + user.token);
                         call.context.AddMetadata("idempotency-key",
                                                  prefix + std::to_string(thread) + "-" + std::to_string(sequence));
                         call.reader = S().jobs().AsyncPostJob(&call.context, job, cq);
                     };
                     return RunDirect(o, connections, seconds, start);
                 }};
}

// Each route answers 200 with what it should, through the gateway and directly, before any load.
void CheckRoutes(const std::vector<User>& users, const jv1::PostJobRequest& job) {
    const std::string host = S().gateway_host();
    const int port = S().gateway_port();
    const auto balances = HttpCall(host, port, "GET", "/v1/wallet/balances", users[0].token, "", "");
    if (balances.status != 200 || balances.body.find("\"EUR\"") == std::string::npos) {
        throw std::runtime_error("GET /v1/wallet/balances answered " + std::to_string(balances.status) + ": " +
                                 balances.body);
    }
    const auto posted = HttpCall(host, port, "POST", "/v1/jobs", users[0].token, kJobJson, MoneyStack::NewKey());
    if (posted.status != 200 || posted.body.find("\"job_id\"") == std::string::npos) {
        throw std::runtime_error("POST /v1/jobs answered " + std::to_string(posted.status) + ": " + posted.body);
    }
    pv1::GetBalancesResponse direct_balances;
    Ok(S().payments().GetBalances(MoneyStack::Context(users[0]).get(), pv1::GetBalancesRequest(), &direct_balances),
       "GetBalances");
    if (direct_balances.balances_size() == 0) throw std::runtime_error("GetBalances returned no balance");
    jv1::PostJobResponse direct_job;
    Ok(S().jobs().PostJob(MoneyStack::Context(users[0], MoneyStack::NewKey()).get(), job, &direct_job), "PostJob");
}

void Print(const std::string& name, const Result& r) {
    std::printf("%s_requests %ld\n", name.c_str(), r.requests);
    std::printf("%s_failed %ld\n", name.c_str(), r.failed);
    std::printf("%s_rps %.0f\n", name.c_str(), r.rps());
    std::printf("%s_p50_ms %.3f\n", name.c_str(), r.p50_us / 1000);
    std::printf("%s_p99_ms %.3f\n", name.c_str(), r.p99_us / 1000);
    for (const auto& [who, us] : r.cpu_us) std::printf("%s_cpu_us_per_req_%s %.1f\n", name.c_str(), who.c_str(), us);
    std::fflush(stdout);
}

struct Row {
    std::string route;
    int connections;
    Result gateway, direct;
    bool has_baseline = false;
    Result baseline;
};

}  // namespace

int main(int argc, char** argv) {
    try {
        const Options o = ParseOptions(argc, argv);
        jv1::PostJobRequest job;
        if (const auto s = google::protobuf::util::JsonStringToMessage(kJobJson, &job); !s.ok()) {
            throw std::logic_error("the job body does not parse: " + s.ToString());
        }

        std::fprintf(stderr, "gateway bench: starting auth, jobs, contracts, payments and the gateway...\n");
        S();
        S().gateway_base_url();
        const char* gateway_threads = std::getenv("GATEWAY_THREADS");
        std::printf("cores %u\n", std::thread::hardware_concurrency());
        std::printf("gateway_threads %s\n", gateway_threads != nullptr ? gateway_threads : "2");
        std::printf("load_threads %d\n", o.load_threads);
        std::printf("seconds %d\n", o.seconds);

        std::fprintf(stderr, "gateway bench: %d clients with a deposit each...\n", o.clients);
        std::vector<User> users(static_cast<std::size_t>(o.clients));
        for (auto& u : users) {
            u = S().Register(av1::ROLE_CLIENT, "bench");
            Deposit(u, 100'000);
        }
        CheckRoutes(users, job);
        std::fprintf(stderr, "gateway bench: the read route's baseline server on payments' database...\n");
        const std::string baseline_log =
            (std::filesystem::temp_directory_path() / ("balances-baseline-" + core::RandomHex(4) + ".log")).string();
        std::unique_ptr<pv1::PaymentsService::Stub> baseline_stub;
        auto baseline = StartBaseline(baseline_log, users[0], &baseline_stub);
        const auto baseline_read = BaselineRead(*baseline_stub, users);
        std::fprintf(stderr, "gateway bench: CPU of the idle services for 3 s...\n");
        const CpuSeconds idle = IdleRates(3);
        for (const auto& [name, rate] : idle) {
            if (name != "self" && name != "reaped") std::printf("idle_cpu_cores_%s %.3f\n", name.c_str(), rate);
        }

        const std::vector<Route> routes{ReadRoute(users), WriteRoute(users, job)};
        std::vector<Row> rows;
        std::string failures;
        bench::ThreadWatch threads;
        for (const int c : o.connections) {
            for (const auto& route : routes) {
                std::fprintf(stderr, "gateway bench: %s (%s), %d connections, %d s each way...\n", route.name.c_str(),
                             route.http.c_str(), c, o.seconds);
                if (o.warmup_seconds > 0) RunWrk(o, route.name, c, o.warmup_seconds, users);
                Row row{
                    route.name,
                    c,
                    Measured("reaped", route.service, idle, [&] { return RunWrk(o, route.name, c, o.seconds, users); }),
                    {}};
                if (o.warmup_seconds > 0) route.direct(o, c, o.warmup_seconds);
                row.direct = Measured("self", route.service, idle, [&] { return route.direct(o, c, o.seconds); });
                const std::string name = route.name + "_c" + std::to_string(c);
                Print(name + "_gateway", row.gateway);
                Print(name + "_direct", row.direct);
                std::printf("%s_overhead_p50_ms %.3f\n", name.c_str(), (row.gateway.p50_us - row.direct.p50_us) / 1000);
                std::printf("%s_overhead_p99_ms %.3f\n", name.c_str(), (row.gateway.p99_us - row.direct.p99_us) / 1000);
                std::printf("%s_rps_ratio %.3f\n", name.c_str(),
                            row.direct.rps() > 0 ? row.gateway.rps() / row.direct.rps() : 0);
                if (route.name == "read") {
                    std::fprintf(stderr, "gateway bench: read baseline, %d connections, %d s...\n", c, o.seconds);
                    if (o.warmup_seconds > 0) baseline_read(o, c, o.warmup_seconds);
                    row.baseline = Measured("self", "baseline", idle, [&] { return baseline_read(o, c, o.seconds); });
                    row.has_baseline = true;
                    Print(name + "_baseline", row.baseline);
                    std::printf("%s_direct_baseline_ratio %.3f\n", name.c_str(),
                                row.baseline.rps() > 0 ? row.direct.rps() / row.baseline.rps() : 0);
                }
                for (const auto* r : {&row.gateway, &row.direct, &row.baseline}) {
                    if (r->failed > 0) {
                        failures += name +
                                    (r == &row.gateway  ? " gateway"
                                     : r == &row.direct ? " direct"
                                                        : " baseline") +
                                    ": " + std::to_string(r->failed) + " failed; " + r->first_error + "\n";
                    }
                }
                rows.push_back(std::move(row));
            }
            threads.EndPhase("c" + std::to_string(c));
        }
        const auto thread_counts = threads.Stop();

        std::printf("\n%-6s %5s | %9s %8s %8s | %10s %8s %8s | %8s %8s %11s\n", "route", "conns", "gw req/s", "gw p50",
                    "gw p99", "grpc req/s", "grpc p50", "grpc p99", "+p50", "+p99", "req/s gw/grpc");
        for (const auto& row : rows) {
            std::printf("%-6s %5d | %9.0f %8.3f %8.3f | %10.0f %8.3f %8.3f | %8.3f %8.3f %13.2f\n", row.route.c_str(),
                        row.connections, row.gateway.rps(), row.gateway.p50_us / 1000, row.gateway.p99_us / 1000,
                        row.direct.rps(), row.direct.p50_us / 1000, row.direct.p99_us / 1000,
                        (row.gateway.p50_us - row.direct.p50_us) / 1000,
                        (row.gateway.p99_us - row.direct.p99_us) / 1000,
                        row.direct.rps() > 0 ? row.gateway.rps() / row.direct.rps() : 0);
        }
        std::printf("(latencies in ms; gw = through the gateway with wrk, grpc = the same call made directly)\n");
        std::printf("\nCPU time per request, microseconds, net of the idle rates (PostgreSQL not counted: shared)\n");
        std::printf("%-6s %5s %-8s %9s %9s %9s %9s\n", "route", "conns", "path", "gateway", "service", "others",
                    "load gen");
        for (const auto& row : rows) {
            for (const auto* r : {&row.gateway, &row.direct}) {
                std::printf("%-6s %5d %-8s %9.1f %9.1f %9.1f %9.1f\n", row.route.c_str(), row.connections,
                            r == &row.gateway ? "gateway" : "direct", r->cpu_us.at("gateway"), r->cpu_us.at("service"),
                            r->cpu_us.at("other_services"), r->cpu_us.at("load"));
            }
        }
        std::printf(
            "\nThe read route against its baseline (a bare gRPC server running payments' two statements on\n"
            "payments' database, same pool size, no token, no interceptor), the same gRPC client each\n");
        std::printf("%5s | %12s %8s %8s %8s | %12s %8s %8s %8s | %15s\n", "conns", "payments/s", "p50", "p99", "cpu us",
                    "baseline/s", "p50", "p99", "cpu us", "payments/baseline");
        for (const auto& row : rows) {
            if (!row.has_baseline) continue;
            std::printf("%5d | %12.0f %8.3f %8.3f %8.1f | %12.0f %8.3f %8.3f %8.1f | %17.2f\n", row.connections,
                        row.direct.rps(), row.direct.p50_us / 1000, row.direct.p99_us / 1000,
                        row.direct.cpu_us.at("service"), row.baseline.rps(), row.baseline.p50_us / 1000,
                        row.baseline.p99_us / 1000, row.baseline.cpu_us.at("service"),
                        row.baseline.rps() > 0 ? row.direct.rps() / row.baseline.rps() : 0);
        }
        std::printf("(latencies in ms; cpu us = the server process's CPU per call, net of its idle rate)\n");
        bench::ThreadWatch::Print(thread_counts);
        std::fflush(stdout);
        baseline->Stop(std::chrono::seconds(10));
        std::filesystem::remove(baseline_log);
        if (!failures.empty()) {
            std::fprintf(stderr, "gateway bench: requests failed:\n%s", failures.c_str());
            return 1;
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "gateway_bench: %s\n", e.what());
        return 1;
    }
    return 0;
}
