// The server bootstrap over a real channel: health, reflection, request ids, traces, errors, drain.
#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <filesystem>
#include <future>
#include <set>
#include <thread>
#include <vector>

#include "fixture.hpp"
#include "marketplace/core/ids.hpp"
#include "marketplace/core/log.hpp"
#include "marketplace/rpc/call_scope.hpp"
#include "marketplace/rpc/client.hpp"
#include "marketplace/rpc/status.hpp"
#include "marketplace/testing/wait.hpp"
#include "stdout_capture.hpp"

using namespace marketplace;
using namespace std::chrono_literals;
using rpctest::CallAdd;
using rpctest::CallGet;
using rpctest::HealthStatus;
using rpctest::StoredValue;
using rpctest::TestServer;
using rpctest::UniqueName;

namespace {

std::string InitialMetadata(const grpc::ClientContext& context, const std::string& key) {
    const auto& metadata = context.GetServerInitialMetadata();
    auto it = metadata.find(key);
    return it == metadata.end() ? std::string() : std::string(it->second.data(), it->second.size());
}

}  // namespace

TEST_CASE("Server: health answers SERVING for the server and its registered services", "[rpc][server][pg]") {
    TestServer t;
    CHECK(HealthStatus(t.channel) == "SERVING");
    CHECK(HealthStatus(t.channel, "marketplace.rpctest.v1.CounterService") == "SERVING");
    CHECK(HealthStatus(t.channel, "marketplace.nosuch.v1.NoService") == "error: NOT_FOUND");
}

TEST_CASE("Server: reflection lists the counter service", "[rpc][server][pg]") {
    TestServer t;
    const auto services = rpctest::ReflectedServices(t.channel);
    CHECK(std::count(services.begin(), services.end(), "marketplace.rpctest.v1.CounterService") == 1);
    CHECK(std::count(services.begin(), services.end(), "grpc.health.v1.Health") == 1);
}

TEST_CASE("Server: x-request-id is echoed when given and generated when absent", "[rpc][server][pg]") {
    TestServer t;
    rpctest::v1::GetResponse response;

    grpc::ClientContext given;
    given.set_deadline(rpctest::In(5s));
    given.AddMetadata("x-request-id", "req-from-gateway-1");
    REQUIRE(CallGet(*t.stub, "c", &response, &given).ok());
    CHECK(InitialMetadata(given, "x-request-id") == "req-from-gateway-1");
    CHECK(t.service.last_get().request_id == "req-from-gateway-1");
    CHECK(t.service.last_get().log_request_id == "req-from-gateway-1");  // the handler's log lines carry it

    grpc::ClientContext absent;
    absent.set_deadline(rpctest::In(5s));
    REQUIRE(CallGet(*t.stub, "c", &response, &absent).ok());
    const auto generated = InitialMetadata(absent, "x-request-id");
    CHECK(core::IsUuid(generated));
    CHECK(t.service.last_get().request_id == generated);

    grpc::ClientContext unusable;
    unusable.set_deadline(rpctest::In(5s));
    unusable.AddMetadata("x-request-id", "has spaces in it");
    REQUIRE(CallGet(*t.stub, "c", &response, &unusable).ok());
    CHECK(core::IsUuid(InitialMetadata(unusable, "x-request-id")));
}

TEST_CASE("Server: a handler continues the caller's trace in a span of its own", "[rpc][server][pg]") {
    TestServer t;
    const auto caller = core::TraceContext::NewRoot();
    grpc::ClientContext context;
    context.set_deadline(rpctest::In(5s));
    context.AddMetadata("traceparent", caller.ToTraceparent());
    rpctest::v1::GetResponse response;
    REQUIRE(CallGet(*t.stub, "c", &response, &context).ok());
    const auto seen = t.service.last_get();
    CHECK(seen.method == "/marketplace.rpctest.v1.CounterService/Get");
    CHECK(seen.trace_id == caller.trace_id);
    CHECK(seen.log_trace_id == caller.trace_id);
    CHECK(seen.span_id.size() == 16);
    CHECK(seen.span_id != caller.span_id);

    grpc::ClientContext untraced;
    untraced.set_deadline(rpctest::In(5s));
    REQUIRE(CallGet(*t.stub, "c", &response, &untraced).ok());
    CHECK(t.service.last_get().trace_id.size() == 32);
    CHECK(t.service.last_get().trace_id != caller.trace_id);
}

TEST_CASE("Client: a prepared context passes on the current trace, request id and idempotency key",
          "[rpc][client][pg]") {
    TestServer t;
    const auto trace = core::TraceContext::NewRoot();
    core::log::LogScope log_scope(trace.trace_id, "req-outer-7");
    rpc::TraceScope trace_scope(trace);

    grpc::ClientContext add_context;
    const auto key = UniqueName("key");
    rpc::PrepareClientContext(add_context, rpctest::In(5s), key);
    rpctest::v1::AddResponse added;
    REQUIRE(CallAdd(*t.stub, "", UniqueName("prepared"), 4, &added, &add_context).ok());  // the key went along
    CHECK(added.value() == 4);

    grpc::ClientContext get_context;
    rpc::PrepareClientContext(get_context, rpc::OutgoingCall{rpctest::In(5s), {}, {}});
    rpctest::v1::GetResponse got;
    REQUIRE(CallGet(*t.stub, "c", &got, &get_context).ok());
    const auto seen = t.service.last_get();
    CHECK(seen.trace_id == trace.trace_id);
    CHECK(seen.span_id != trace.span_id);
    CHECK(seen.request_id == "req-outer-7");

    grpc::ClientContext bad;
    CHECK_THROWS_AS(rpc::PrepareClientContext(bad, rpctest::In(5s), "tab\tkey"), core::InvalidArgument);
    grpc::ClientContext no_deadline;
    CHECK_THROWS_AS(rpc::PrepareClientContext(no_deadline, rpc::OutgoingCall{}), std::invalid_argument);
}

TEST_CASE("Server: an InvalidArgument thrown by a handler arrives as INVALID_ARGUMENT naming the field",
          "[rpc][server][pg]") {
    TestServer t;
    grpc::ClientContext context;
    context.set_deadline(rpctest::In(5s));
    rpctest::v1::GetResponse response;
    const auto status = CallGet(*t.stub, "", &response, &context);
    CHECK(status.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
    CHECK(status.error_message() == "counter_id: must not be empty");
    CHECK(rpc::ErrorField(context) == "counter_id");
    CHECK(core::IsUuid(InitialMetadata(context, "x-request-id")));  // errors carry the request id too
}

TEST_CASE("Server: each call writes one JSON log line with method, status, duration and ids", "[rpc][server][pg]") {
    TestServer t;
    grpc::ClientContext context;
    context.set_deadline(rpctest::In(5s));
    context.AddMetadata("x-request-id", "req-logged-1");
    rpctest::v1::GetResponse response;
    std::string output;
    {
        rpctest::StdoutCapture capture;
        REQUIRE(CallGet(*t.stub, "", &response, &context).error_code() == grpc::StatusCode::INVALID_ARGUMENT);
        output = capture.Finish();
    }
    std::string call_line;
    for (std::size_t pos = 0; pos < output.size();) {
        const auto end = output.find('\n', pos);
        const auto line = output.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
        if (line.find("\"msg\":\"grpc call\"") != std::string::npos) {
            CHECK(call_line.empty());
            call_line = line;
        }
        pos = end == std::string::npos ? output.size() : end + 1;
    }
    INFO(output);
    CHECK_THAT(call_line, Catch::Contains("\"method\":\"/marketplace.rpctest.v1.CounterService/Get\""));
    CHECK_THAT(call_line, Catch::Contains("\"status\":\"INVALID_ARGUMENT\""));
    CHECK_THAT(call_line, Catch::Contains("\"grpc_code\":3"));
    CHECK_THAT(call_line, Catch::Contains("\"duration_ms\":"));
    CHECK_THAT(call_line, Catch::Contains("\"request_id\":\"req-logged-1\""));
    CHECK_THAT(call_line, Catch::Contains("\"trace_id\":\"" + t.service.last_get().trace_id + "\""));
}

TEST_CASE("Server: a drain answers NOT_SERVING, refuses new calls and lets the call in flight finish",
          "[rpc][server][drain][pg]") {
    TestServer t;
    t.service.add_delay_ms = 1000;
    const auto counter = UniqueName("drain");
    auto slow = std::async(std::launch::async, [&] {
        rpctest::v1::AddResponse response;
        const auto status = CallAdd(*t.stub, UniqueName("key"), counter, 3, &response);
        return std::make_pair(status, response.value());
    });
    REQUIRE(testing::WaitUntil([&] { return t.server.in_flight() == 1; }, 5s));

    auto drained = std::async(std::launch::async, [&] { t.server.Drain(); });
    REQUIRE(testing::WaitUntil([&] { return t.server.draining(); }, 5s));
    CHECK(HealthStatus(t.channel) == "NOT_SERVING");
    CHECK(HealthStatus(t.channel, "marketplace.rpctest.v1.CounterService") == "NOT_SERVING");

    auto no_retry = rpctest::v1::CounterService::NewStub(rpctest::ChannelTo(t.port, 1));
    rpctest::v1::GetResponse refused_response;
    const auto refused = CallGet(*no_retry, counter, &refused_response);
    CHECK(refused.error_code() == grpc::StatusCode::UNAVAILABLE);
    CHECK_THAT(refused.error_message(), Catch::Contains("shutting down"));
    CHECK(slow.wait_for(0s) == std::future_status::timeout);  // still in flight when the new call was refused

    const auto [status, value] = slow.get();
    CHECK(status.ok());
    CHECK(value == 3);
    REQUIRE(drained.wait_for(10s) == std::future_status::ready);
    CHECK(StoredValue(counter) == 3);
    CHECK(HealthStatus(rpctest::ChannelTo(t.port, 1)).rfind("error: ", 0) == 0);  // nobody listens any more
}

TEST_CASE("Server: a drain stops waiting for a call that outlives the drain timeout", "[rpc][server][drain][pg]") {
    auto options = rpctest::TestServerOptions();
    options.drain_timeout = 200ms;
    TestServer t(options);
    t.service.get_delay_ms = 1500;  // a sync handler runs on; its caller is let go
    auto slow = std::async(std::launch::async, [&] {
        rpctest::v1::GetResponse response;
        const auto begin = std::chrono::steady_clock::now();
        const auto status = CallGet(*t.stub, "c", &response);
        return std::make_pair(status, std::chrono::steady_clock::now() - begin);
    });
    REQUIRE(testing::WaitUntil([&] { return t.server.in_flight() == 1; }, 5s));
    t.server.Drain();
    const auto [status, took] = slow.get();
    CHECK_FALSE(status.ok());
    CHECK(took < 1000ms);
}

TEST_CASE("Server: SIGTERM drains a server that handles signals", "[rpc][server][drain][pg]") {
    auto options = rpctest::TestServerOptions();
    options.handle_signals = true;
    TestServer t(options);
    REQUIRE(HealthStatus(t.channel) == "SERVING");
    auto waited = std::async(std::launch::async, [&] { t.server.Wait(); });
    CHECK(waited.wait_for(100ms) == std::future_status::timeout);
    REQUIRE(std::raise(SIGTERM) == 0);
    REQUIRE(waited.wait_for(10s) == std::future_status::ready);
    CHECK(t.server.draining());
    CHECK(HealthStatus(rpctest::ChannelTo(t.port, 1)).rfind("error: ", 0) == 0);
}

TEST_CASE("Server: a port already in use is an error, not a shared listener", "[rpc][server][pg]") {
    TestServer first;
    auto options = rpctest::TestServerOptions();
    options.listen_address = "127.0.0.1:" + std::to_string(first.port);
    rpc::Server second(options);
    CHECK_THROWS_AS(second.Start(), std::runtime_error);
    CHECK(HealthStatus(first.channel) == "SERVING");
}

namespace {

// The ids of this process's threads right now.
std::set<std::string> ThreadIds() {
    std::set<std::string> ids;
    for (const auto& entry : std::filesystem::directory_iterator("/proc/self/task")) {
        ids.insert(entry.path().filename().string());
    }
    return ids;
}

}  // namespace

TEST_CASE("Server: calls are served by a reused set of threads, not a thread per call", "[rpc][server][pg]") {
    TestServer s;
    const auto counter = UniqueName("threads");
    rpctest::v1::GetResponse first;
    REQUIRE(CallGet(*s.stub, counter, &first).ok());
    // 16 callers, 150 calls each, while the process's thread ids are sampled: a server that started a
    // thread per call (and let it end) would show hundreds of distinct ids.
    std::set<std::string> seen = ThreadIds();
    std::atomic<bool> done{false};
    std::thread sampler([&] {
        while (!done) {
            for (auto& id : ThreadIds()) seen.insert(id);
            std::this_thread::sleep_for(1ms);
        }
    });
    std::vector<std::thread> callers;
    std::atomic<int> failures{0};
    for (int c = 0; c < 16; ++c) {
        callers.emplace_back([&] {
            for (int i = 0; i < 150; ++i) {
                rpctest::v1::GetResponse got;
                if (!CallGet(*s.stub, counter, &got).ok()) ++failures;
            }
        });
    }
    for (auto& t : callers) t.join();
    done = true;
    sampler.join();
    CHECK(failures == 0);
    INFO("distinct threads seen: " << seen.size());
    // The callers (16), the sampler, gRPC's client and server threads and the pool: well under 100.
    CHECK(seen.size() < 100);
}

TEST_CASE("Server: calls beyond max_threads are refused RESOURCE_EXHAUSTED at once, not queued", "[rpc][server][pg]") {
    auto options = rpctest::TestServerOptions();
    options.max_pollers = 16;
    options.max_threads = 16;
    TestServer s(options);
    const auto counter = UniqueName("saturated");
    s.service.get_delay_ms = 500;
    // 48 calls at once, each holding its thread for 500 ms: at most 16 threads serve, and the calls
    // that find none free are answered at once instead of waiting in a queue.
    std::atomic<int> ok{0}, exhausted{0}, other{0};
    std::atomic<bool> served_one{false};
    std::atomic<int> refused_while_all_busy{0};
    std::vector<std::thread> callers;
    for (int c = 0; c < 48; ++c) {
        callers.emplace_back([&] {
            rpctest::v1::GetResponse got;
            const auto status = CallGet(*s.stub, counter, &got);
            if (status.ok()) {
                ++ok;
                served_one = true;
            } else if (status.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED) {
                ++exhausted;
                if (!served_one) ++refused_while_all_busy;
            } else {
                ++other;
            }
        });
    }
    for (auto& t : callers) t.join();
    INFO("ok " << ok << ", exhausted " << exhausted << ", other " << other);
    CHECK(other == 0);
    CHECK(ok + exhausted == 48);
    CHECK(ok >= 1);
    CHECK(exhausted >= 1);
    // Refused without waiting for a thread to come free: before any served call had finished.
    CHECK(refused_while_all_busy >= 1);
    // The server still serves once the burst is over.
    s.service.get_delay_ms = 0;
    rpctest::v1::GetResponse after;
    CHECK(CallGet(*s.stub, counter, &after).ok());
}
