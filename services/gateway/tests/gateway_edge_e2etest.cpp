// Edge duties through the HTTP path: tokens (with a real JWKS fetch), public routes, rate limits,
// CORS.
#include <catch2/catch.hpp>

#include "gateway_fixture.hpp"

using namespace marketplace;
using namespace marketplace::gateway;
using namespace marketplace::gateway::test;
using marketplace::testing::HttpHeaders;

TEST_CASE("Edge: bad tokens are 401 on every route, public ones included", "[gateway][e2e]") {
    GatewayFixture f;
    auto client = f.Client();
    const auto& t = f.tokens;
    const std::vector<std::pair<std::string, std::string>> bad = {
        {"expired", "Bearer " + t.Expired(kClientId, "client")},
        {"tampered", "Bearer " + t.Tampered(kClientId, "client")},
        {"alg none", "Bearer " + t.AlgNone(kClientId, "admin")},
        {"unknown kid", "Bearer " + t.UnknownKid(kClientId, "client")},
        {"wrong issuer", "Bearer " + t.WrongIssuer(kClientId, "client")},
        {"garbage", "Bearer not.a.jwt"},
        {"another scheme", "Basic dXNlcjpwYXNz"},
        {"empty bearer", "Bearer "},
    };
    for (const auto& [what, header] : bad) {
        INFO(what);
        const auto protected_route = client.Get("/v1/me/invites", {{"Authorization", header}});
        CHECK(protected_route.status == 401);
        CHECK(protected_route.Json()["code"] == "UNAUTHENTICATED");
        CHECK(client.Get("/v1/job-templates", {{"Authorization", header}}).status == 401);
        CHECK(client.Post("/v1/jobs", "{}", {{"Authorization", header}}).status == 401);
    }
    CHECK(f.jobs.calls.size() == 0);
    CHECK(client.Get("/v1/me/invites").status == 401);  // no token at all
    CHECK(client.Get("/v1/job-templates").status == 200);
    CHECK(client.Get("/v1/jobs").status == 200);  // public search
    CHECK(client.Get("/v1/me/invites", {{"Authorization", f.Bearer(kFreelancerId, "freelancer")}}).status == 200);
}

TEST_CASE("Edge: tokens are checked against auth's JWKS, refetched for a new key id", "[gateway][e2e]") {
    GatewayFixture f({.use_jwks = true});
    auto client = f.Client();
    const int fetched_at_start = f.auth.jwks_calls.load();
    CHECK(fetched_at_start >= 1);
    CHECK(client.Get("/v1/me/invites", {{"Authorization", f.Bearer(kClientId, "client")}}).status == 200);
    CHECK(client.Get("/v1/me/invites", {{"Authorization", f.Bearer(kClientId, "client")}}).status == 200);
    CHECK(f.auth.jwks_calls.load() == fetched_at_start);  // cached

    // Auth rotates to a new key: the first token with its kid makes the gateway fetch again.
    tokens::TestTokens rotated;
    f.auth.SetKeys({rotated.key().public_key(), f.tokens.key().public_key()});
    const std::string rotated_token = rotated.For(kClientId, "client");
    const auto r = client.Get("/v1/me/invites", {{"Authorization", "Bearer " + rotated_token}});
    CHECK(f.auth.jwks_calls.load() == fetched_at_start + 1);
    // The gateway let it through to the service, which (knowing only the old key in this test)
    // refused it: services check tokens themselves; the gateway is not trusted alone.
    CHECK(f.jobs.calls.Last().authorization == "Bearer " + rotated_token);
    CHECK(r.status == 401);
    // A token signed by a key auth never published is refused by the gateway, without a second fetch
    // inside the refresh interval.
    tokens::TestTokens stranger;
    const auto calls_before = f.jobs.calls.size();
    CHECK(client.Get("/v1/me/invites", {{"Authorization", "Bearer " + stranger.For(kClientId, "client")}}).status ==
          401);
    CHECK(f.jobs.calls.size() == calls_before);
    CHECK(f.auth.jwks_calls.load() == fetched_at_start + 1);
    CHECK(client.Get("/v1/me/invites", {{"Authorization", "Bearer " + f.tokens.AlgNone(kClientId, "client")}}).status ==
          401);
}

TEST_CASE("Edge: the per-address limit answers 429 with Retry-After", "[gateway][e2e]") {
    GatewayFixture f({.configure = [](GatewayConfig& c) { c.ip_limit = {0.5, 3}; }});
    auto client = f.Client();
    for (int i = 0; i < 3; ++i) REQUIRE(client.Get("/v1/job-templates").status == 200);
    const auto limited = client.Get("/v1/job-templates");
    CHECK(limited.status == 429);
    CHECK(limited.Json()["code"] == "RESOURCE_EXHAUSTED");
    CHECK(limited.Header("retry-after") == "2");
    CHECK(f.jobs.calls.size() == 3);
    // Health probes are not limited.
    CHECK(client.Get("/healthz").status == 200);
}

TEST_CASE("Edge: the per-user limit is per token subject", "[gateway][e2e]") {
    GatewayFixture f({.configure = [](GatewayConfig& c) { c.user_limit = {0.2, 2}; }});
    auto client = f.Client();
    const HttpHeaders alice = {{"Authorization", f.Bearer(kClientId, "client")}};
    const HttpHeaders bob = {{"Authorization", f.Bearer(kFreelancerId, "freelancer")}};
    CHECK(client.Get("/v1/me/invites", alice).status == 200);
    CHECK(client.Get("/v1/me/invites", alice).status == 200);
    const auto limited = client.Get("/v1/me/invites", alice);
    CHECK(limited.status == 429);
    CHECK(limited.Header("retry-after") == "5");
    CHECK(client.Get("/v1/me/invites", bob).status == 200);
    CHECK(client.Get("/v1/job-templates").status == 200);  // anonymous calls are limited by address only
}

TEST_CASE("Edge: CORS preflights and responses follow the allow-list", "[gateway][e2e]") {
    GatewayFixture f({.configure = [](GatewayConfig& c) { c.cors.allowed_origins = {"https://app.example.com"}; }});
    auto client = f.Client();
    const auto preflight = client.Request("OPTIONS", "/v1/jobs", "",
                                          {{"Origin", "https://app.example.com"},
                                           {"Access-Control-Request-Method", "POST"},
                                           {"Access-Control-Request-Headers", "authorization,content-type"}});
    CHECK(preflight.status == 204);
    CHECK(preflight.Header("access-control-allow-origin") == "https://app.example.com");
    CHECK(preflight.Header("access-control-allow-headers").find("Authorization") != std::string::npos);
    const auto denied = client.Request(
        "OPTIONS", "/v1/jobs", "", {{"Origin", "https://evil.example.com"}, {"Access-Control-Request-Method", "POST"}});
    CHECK(denied.status == 403);
    CHECK(denied.Header("access-control-allow-origin").empty());

    const auto allowed = client.Get("/v1/job-templates", {{"Origin", "https://app.example.com"}});
    CHECK(allowed.status == 200);
    CHECK(allowed.Header("access-control-allow-origin") == "https://app.example.com");
    CHECK(allowed.Header("access-control-expose-headers").find("X-Request-Id") != std::string::npos);
    const auto other = client.Get("/v1/job-templates", {{"Origin", "https://evil.example.com"}});
    CHECK(other.status == 200);  // the browser, not the gateway, withholds it
    CHECK(other.Header("access-control-allow-origin").empty());
    // Errors carry the CORS headers too, so a browser can read them.
    const auto error = client.Get("/v1/me/invites", {{"Origin", "https://app.example.com"}});
    CHECK(error.status == 401);
    CHECK(error.Header("access-control-allow-origin") == "https://app.example.com");
}

TEST_CASE("Edge: a bad Idempotency-Key is 400 and a good one passes through", "[gateway][e2e]") {
    GatewayFixture f;
    auto client = f.Client();
    const std::string token = f.Bearer(kClientId, "client");
    const std::string body = R"({"title":"t","budget_min":{"minor_units":1}})";
    const auto bad = client.Post("/v1/jobs", body, {{"Authorization", token}, {"Idempotency-Key", "has space"}});
    CHECK(bad.status == 400);
    CHECK(bad.Json()["field"] == "Idempotency-Key");
    const auto missing = client.Post("/v1/jobs", body, {{"Authorization", token}});
    CHECK(missing.status == 400);  // the service requires it
    CHECK(missing.Json()["field"] == "idempotency-key");
    const auto ok = client.Post("/v1/jobs", body, {{"Authorization", token}, {"Idempotency-Key", "0190-abc_DEF.1"}});
    CHECK(ok.status == 200);
    CHECK(f.jobs.calls.Last().idempotency_key == "0190-abc_DEF.1");
}
