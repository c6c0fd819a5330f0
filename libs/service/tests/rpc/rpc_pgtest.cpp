// Idempotent commands over a real gRPC channel, with the key store in PostgreSQL.
#include <catch2/catch.hpp>

#include <limits>
#include <thread>
#include <vector>

#include <pqxx/transaction>

#include "fixture.hpp"
#include "marketplace/core/clock.hpp"
#include "marketplace/rpc/status.hpp"
#include "marketplace/service/idempotency_store.hpp"
#include "marketplace/testing/database.hpp"

using namespace marketplace;
using namespace std::chrono_literals;
using rpctest::CallAdd;
using rpctest::CallGet;
using rpctest::StoredValue;
using rpctest::TestServer;
using rpctest::UniqueName;

namespace {

// Accepts "token-<subject>" (valid for 5 minutes) and "stale-<subject>" (expired a minute ago):
// a real, if simple, verifier for the tests.
class PrefixVerifier final : public rpc::TokenVerifier {
public:
    std::optional<rpc::Claims> Verify(std::string_view token) const override {
        const auto now = std::chrono::system_clock::now();
        if (token.rfind("token-", 0) == 0) return rpc::Claims{std::string(token.substr(6)), "client", now + 5min};
        if (token.rfind("stale-", 0) == 0) return rpc::Claims{std::string(token.substr(6)), "client", now - 1min};
        return std::nullopt;
    }
};

/// A server that verifies PrefixVerifier's tokens (calls without one stay anonymous).
rpc::ServerOptions SignedInOptions() {
    auto options = rpctest::TestServerOptions();
    options.token_verifier = std::make_shared<PrefixVerifier>();
    return options;
}

/// Add with `key`, as the holder of `token` (anonymous when empty).
grpc::Status AddAs(TestServer& t, const std::string& token, const std::string& key, const std::string& counter,
                   std::int64_t amount, rpctest::v1::AddResponse* out) {
    grpc::ClientContext context;
    context.set_deadline(rpctest::In(std::chrono::seconds(5)));
    context.AddMetadata("idempotency-key", key);
    if (!token.empty()) context.AddMetadata("authorization", "Bearer " + token);
    return CallAdd(*t.stub, "", counter, amount, out, &context);
}

}  // namespace

TEST_CASE("Idempotent Add: a replay with the same key returns the stored response and moves the counter once",
          "[rpc][idempotency][pg]") {
    TestServer t;
    const auto counter = UniqueName("replay");
    const auto key = UniqueName("key");
    rpctest::v1::AddResponse first;
    REQUIRE(CallAdd(*t.stub, key, counter, 5, &first).ok());
    CHECK(first.value() == 5);

    rpctest::v1::AddResponse other;
    REQUIRE(CallAdd(*t.stub, UniqueName("key"), counter, 7, &other).ok());
    CHECK(other.value() == 12);

    rpctest::v1::AddResponse replay;
    REQUIRE(CallAdd(*t.stub, key, counter, 5, &replay).ok());
    CHECK(replay.value() == 5);  // the stored response, not a fresh 17
    CHECK(t.service.effects == 2);
    CHECK(StoredValue(counter) == 12);
}

TEST_CASE("Idempotent Add: a signed-in caller's key with a different request is ALREADY_EXISTS naming idempotency-key",
          "[rpc][idempotency][pg]") {
    TestServer t(SignedInOptions());
    const auto counter = UniqueName("conflict");
    const auto key = UniqueName("key");
    rpctest::v1::AddResponse response;
    REQUIRE(AddAs(t, "token-alice", key, counter, 5, &response).ok());

    const auto different_amount = AddAs(t, "token-alice", key, counter, 6, &response);
    CHECK(different_amount.error_code() == grpc::StatusCode::ALREADY_EXISTS);
    CHECK_THAT(different_amount.error_message(), Catch::Contains("idempotency-key"));

    const auto different_counter = AddAs(t, "token-alice", key, UniqueName("conflict"), 5, &response);
    CHECK(different_counter.error_code() == grpc::StatusCode::ALREADY_EXISTS);

    CHECK(t.service.effects == 1);
    CHECK(StoredValue(counter) == 5);
}

TEST_CASE("Idempotent Add: eight concurrent calls with one key run the effect once and all get the same response",
          "[rpc][idempotency][pg]") {
    TestServer t;
    t.service.add_delay_ms = 300;  // the first holds the key while the others arrive
    const auto counter = UniqueName("race");
    const auto key = UniqueName("key");
    constexpr int kCallers = 8;
    std::vector<grpc::Status> statuses(kCallers);
    std::vector<rpctest::v1::AddResponse> responses(kCallers);
    std::vector<std::thread> threads;
    for (int i = 0; i < kCallers; ++i) {
        threads.emplace_back([&, i] { statuses[i] = CallAdd(*t.stub, key, counter, 9, &responses[i]); });
    }
    for (auto& thread : threads) thread.join();

    for (int i = 0; i < kCallers; ++i) {
        INFO("caller " << i << ": " << statuses[i].error_message());
        CHECK(statuses[i].ok());
        CHECK(responses[i].value() == 9);
    }
    CHECK(t.service.effects == 1);
    CHECK(StoredValue(counter) == 9);
}

TEST_CASE("Idempotent Add: a call without an idempotency key is INVALID_ARGUMENT naming the field",
          "[rpc][idempotency][pg]") {
    TestServer t;
    const auto counter = UniqueName("nokey");
    rpctest::v1::AddResponse response;
    grpc::ClientContext missing;
    missing.set_deadline(rpctest::In(std::chrono::seconds(5)));
    const auto status = CallAdd(*t.stub, "", counter, 1, &response, &missing);
    CHECK(status.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
    CHECK(status.error_message() == "idempotency-key: is required");
    CHECK(rpc::ErrorField(missing) == "idempotency-key");

    grpc::ClientContext too_long;
    too_long.set_deadline(rpctest::In(std::chrono::seconds(5)));
    too_long.AddMetadata("idempotency-key", std::string(256, 'k'));
    const auto long_status = CallAdd(*t.stub, "", counter, 1, &response, &too_long);
    CHECK(long_status.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
    CHECK(rpc::ErrorField(too_long) == "idempotency-key");

    CHECK(t.service.effects == 0);
    CHECK(StoredValue(counter) == 0);
}

TEST_CASE("Idempotent Add: an effect that rolls back leaves its key free for the retry", "[rpc][idempotency][pg]") {
    TestServer t(SignedInOptions());
    const auto counter = UniqueName("overflow");
    rpctest::v1::AddResponse response;
    REQUIRE(
        AddAs(t, "token-alice", UniqueName("key"), counter, std::numeric_limits<std::int64_t>::max(), &response).ok());

    const auto key = UniqueName("key");
    // bigint out of range: the transaction fails
    const auto overflow = AddAs(t, "token-alice", key, counter, 1, &response);
    CHECK(overflow.error_code() == grpc::StatusCode::INTERNAL);
    CHECK(overflow.error_message() == rpc::kInternalErrorMessage);

    // Had the key been stored despite the rollback, another request with it would now conflict.
    const auto other_counter = UniqueName("overflow");
    REQUIRE(AddAs(t, "token-alice", key, other_counter, 1, &response).ok());
    CHECK(response.value() == 1);
    CHECK(StoredValue(counter) == std::numeric_limits<std::int64_t>::max());
}

TEST_CASE("Idempotent Add: keys are scoped by the verified caller, and a bad token is UNAUTHENTICATED",
          "[rpc][idempotency][auth][pg]") {
    TestServer t(SignedInOptions());
    const auto counter = UniqueName("callers");
    const auto key = UniqueName("shared-key");
    auto add_as = [&](const std::string& token, std::int64_t amount, rpctest::v1::AddResponse* out) {
        grpc::ClientContext context;
        context.set_deadline(rpctest::In(std::chrono::seconds(5)));
        context.AddMetadata("idempotency-key", key);
        context.AddMetadata("authorization", "Bearer " + token);
        return CallAdd(*t.stub, "", counter, amount, out, &context);
    };
    rpctest::v1::AddResponse alice, bob, forged;
    REQUIRE(add_as("token-alice", 2, &alice).ok());
    REQUIRE(add_as("token-bob", 3, &bob).ok());  // the same key, another caller: not a conflict
    CHECK(alice.value() == 2);
    CHECK(bob.value() == 5);

    CHECK(add_as("forged", 4, &forged).error_code() == grpc::StatusCode::UNAUTHENTICATED);
    CHECK(add_as("stale-alice", 4, &forged).error_code() == grpc::StatusCode::UNAUTHENTICATED);
    CHECK(t.service.effects == 2);
    CHECK(StoredValue(counter) == 5);
}

TEST_CASE("Idempotency store: the purge removes keys older than the retention and nothing younger",
          "[rpc][idempotency][pg]") {
    testing::TestDatabase database("rpc_purge");
    db::Pool pool(database.Config(2));
    rpctest::PrepareSchema(pool);
    const auto start = std::chrono::system_clock::now();
    auto clock = std::make_shared<core::ManualClock>(start);
    const service::IdempotencyStore store(service::IdempotencyOptions{std::chrono::hours(24), clock});

    auto claim = [&](const std::string& key) {
        auto conn = pool.Acquire();
        pqxx::work tx(*conn);
        const rpc::IdempotentCall call{"alice", key, "/test/Purge"};
        const bool fresh = !store.Claim(tx, call, "request").has_value();
        if (fresh) store.Complete(tx, call, "response");
        tx.commit();
        return fresh;
    };
    REQUIRE(claim("old"));
    clock->Advance(std::chrono::hours(12));
    REQUIRE(claim("young"));
    CHECK_FALSE(claim("old"));  // a replay: still there

    auto conn = pool.Acquire();
    clock->Set(start + std::chrono::hours(23));
    CHECK(store.Purge(*conn) == 0);
    clock->Set(start + std::chrono::hours(25));
    CHECK(store.Purge(*conn, 1) == 1);
    CHECK(claim("old"));  // purged: the key starts afresh
    CHECK_FALSE(claim("young"));
}

TEST_CASE("Idempotent Add: anonymous callers' keys are scoped by method and request, so two callers never collide",
          "[rpc][idempotency][pg]") {
    TestServer t(SignedInOptions());
    const auto key = UniqueName("anonymous-key");
    const auto first_counter = UniqueName("anon-first");
    const auto second_counter = UniqueName("anon-second");
    rpctest::v1::AddResponse first, second, retry, signed_in;

    // Two anonymous callers pick the same key for different requests: both run, neither sees the other.
    REQUIRE(AddAs(t, "", key, first_counter, 5, &first).ok());
    const auto other = AddAs(t, "", key, second_counter, 7, &second);
    INFO(other.error_message());
    REQUIRE(other.ok());
    CHECK(first.value() == 5);
    CHECK(second.value() == 7);
    CHECK(StoredValue(first_counter) == 5);
    CHECK(StoredValue(second_counter) == 7);

    // The byte-identical retry is still a replay: the stored response, the effect not run again.
    REQUIRE(AddAs(t, "", key, first_counter, 5, &retry).ok());
    CHECK(retry.value() == 5);
    CHECK(StoredValue(first_counter) == 5);
    CHECK(t.service.effects == 2);

    // A signed-in caller with the same key and request is a caller of its own.
    REQUIRE(AddAs(t, "token-carol", key, first_counter, 5, &signed_in).ok());
    CHECK(signed_in.value() == 10);
    CHECK(t.service.effects == 3);
}

TEST_CASE("Idempotency store: an anonymous key's scope is its method and request; a signed-in key's is its caller",
          "[rpc][idempotency][pg]") {
    const rpc::IdempotentCall anonymous{"", "k", "/test/Register"};
    const auto scope = service::IdempotencyScope(anonymous, "request-a");
    CHECK(scope.rfind("anonymous:", 0) == 0);
    CHECK(service::IdempotencyScope(anonymous, "request-a") == scope);
    CHECK(service::IdempotencyScope(anonymous, "request-b") != scope);
    CHECK(service::IdempotencyScope(rpc::IdempotentCall{"", "k", "/test/Login"}, "request-a") != scope);
    CHECK(service::IdempotencyScope(rpc::IdempotentCall{"alice", "k", "/test/Register"}, "request-a") == "alice");

    // Through the store: two anonymous claims of one key with different requests are both fresh,
    // and each replays its own response.
    testing::TestDatabase database("rpc_anonymous");
    db::Pool pool(database.Config(2));
    rpctest::PrepareSchema(pool);
    const service::IdempotencyStore store;
    auto run = [&](const std::string& request, const std::string& response) -> std::string {
        auto conn = pool.Acquire();
        pqxx::work tx(*conn);
        auto stored = store.Claim(tx, anonymous, request);
        if (!stored) store.Complete(tx, anonymous, response);
        tx.commit();
        return stored ? *stored : "fresh";
    };
    CHECK(run("request-a", "answer-a") == "fresh");
    CHECK(run("request-b", "answer-b") == "fresh");
    CHECK(run("request-a", "ignored") == "answer-a");
    CHECK(run("request-b", "ignored") == "answer-b");
}
