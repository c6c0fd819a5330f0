// Sessions as a user meets them, every service and the gateway as processes: "log out everywhere",
// a password change and a password reset (its token delivered to the notification inbox: there is
// no email) each end every session — refresh tokens at once; access tokens at the gateway, at the
// services and on the live feed within the token-state refresh interval (AUTH_TOKEN_REFRESH, 5 s);
// a registration with a taken email is answered like any other and tells the owner; a live feed
// ends when its token expires; an emergency revocation of a signing key ends its tokens everywhere.
#include <catch2/catch.hpp>

#include <chrono>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include "http_story.hpp"
#include "marketplace/testing/wait.hpp"
#include "marketplace/testing/websocket_client.hpp"
#include "money_stack.hpp"

using namespace std::chrono_literals;
using namespace marketplace::e2e::http;
using marketplace::e2e::MoneyStack;
using marketplace::testing::WebSocketClient;

namespace {

// The bound this suite allows for a revocation to reach every service: the 5 s refresh interval, one
// fetch, and room for a loaded machine.
constexpr auto kRevocationBound = 30s;

struct Session {
    std::string access_token;
    std::string refresh_token;
};

Session LoginSession(const HttpUser& u, const std::string& password) {
    const auto r = Expect(
        200, Request{"POST", "/v1/auth/login", "", json{{"email", u.email}, {"password", password}}.dump(), {}, {}});
    return {r.at("session").at("access_token").get<std::string>(),
            r.at("session").at("refresh_token").get<std::string>()};
}

int LoginStatus(const HttpUser& u, const std::string& password) {
    return Send(Request{"POST", "/v1/auth/login", "", json{{"email", u.email}, {"password", password}}.dump(), {}, {}})
        .status;
}

int RefreshStatus(const std::string& refresh_token) {
    return Send(Request{"POST", "/v1/auth/refresh", "", json{{"refresh_token", refresh_token}}.dump(), NewUuid(), {}})
        .status;
}

Response PostAs(const std::string& token, const std::string& path, const json& body) {
    return Send(Request{"POST", path, token, body.dump(), NewUuid(), {}});
}

// A call straight to the contracts service over gRPC (not through the gateway), with `token`.
grpc::StatusCode ContractsStatus(const std::string& token) {
    auto& stack = MoneyStack::Get();
    marketplace::e2e::User who{"", "", "", token};
    auto context = MoneyStack::Context(who);
    marketplace::contracts::v1::ListContractsResponse out;
    return stack.contracts().ListContracts(context.get(), {}, &out).error_code();
}

// Waits until `token` is refused both by the gateway (401) and by a service called directly.
bool RefusedEverywhere(const std::string& token) {
    return marketplace::testing::WaitUntil(
        [&] {
            return Send(Request{"GET", "/v1/notifications", token, {}, {}, {}}).status == 401 &&
                   ContractsStatus(token) == grpc::StatusCode::UNAUTHENTICATED;
        },
        kRevocationBound, 200ms);
}

bool Accepted(const std::string& token) {
    const auto gateway = Send(Request{"GET", "/v1/notifications", token, {}, {}, {}});
    const auto service = ContractsStatus(token);
    UNSCOPED_INFO("gateway: " << gateway.status << " " << gateway.body << "; contracts: " << static_cast<int>(service));
    return gateway.status == 200 && service == grpc::StatusCode::OK;
}

// The first notification of `kind` in the inbox of `token`'s user (waits up to 30 s).
std::optional<json> WaitNotification(const std::string& token, const std::string& kind) {
    std::optional<json> found;
    marketplace::testing::WaitUntil(
        [&] {
            const auto list = Get(token, "/v1/notifications?page_size=50");
            for (const auto& n : list.value("notifications", json::array())) {
                if (n.value("kind", "") == kind) {
                    found = n;
                    return true;
                }
            }
            return false;
        },
        30s, 200ms);
    return found;
}

WebSocketClient OpenFeed(const std::string& token) {
    return WebSocketClient(MoneyStack::Get().gateway_port(), "/v1/notifications:stream?after_sequence=0",
                           {{"Sec-WebSocket-Protocol", "bearer, " + token}});
}

// Reads until the server closes the feed; returns the last frame (the error body).
json LastFrameBeforeClose(WebSocketClient& feed) {
    const auto frames = feed.ReadUntilClosed(60s);
    return frames.empty() ? json::object() : json::parse(frames.back());
}

}  // namespace

TEST_CASE("Sessions: log out everywhere ends every session at the gateway, at the services and on the live feed",
          "[e2e][sessions]") {
    auto& stack = MoneyStack::Get();
    auto u = RegisterUser("ROLE_CLIENT", "everywhere");
    const auto laptop = LoginSession(u, u.password);
    const auto phone = LoginSession(u, u.password);
    REQUIRE(Accepted(laptop.access_token));
    WebSocketClient feed = OpenFeed(phone.access_token);

    const auto done = PostAs(laptop.access_token, "/v1/me/sessions:revoke-all", json::object());
    INFO(Describe(Request{"POST", "/v1/me/sessions:revoke-all", "", {}, {}, {}}, done));
    REQUIRE(done.status == 200);

    // Refresh tokens end at once; access tokens within the bound, everywhere.
    CHECK(RefreshStatus(laptop.refresh_token) == 401);
    CHECK(RefreshStatus(phone.refresh_token) == 401);
    INFO(stack.Logs() << stack.GatewayLogs());
    CHECK(RefusedEverywhere(laptop.access_token));
    CHECK(RefusedEverywhere(phone.access_token));
    // The live feed ends with 4401 and says why.
    const auto last = LastFrameBeforeClose(feed);
    CHECK(feed.close_code() == 4401);
    CHECK(last.value("code", "") == "UNAUTHENTICATED");
    CHECK_THAT(last.value("message", ""), Catch::Contains("revoked"));

    // A new login works, and the owner is told.
    const auto again = LoginSession(u, u.password);
    CHECK(Accepted(again.access_token));
    CHECK(WaitNotification(again.access_token, "account.signed_out_everywhere").has_value());
}

TEST_CASE("Sessions: a password change checks the current password and ends every session", "[e2e][sessions]") {
    auto u = RegisterUser("ROLE_FREELANCER", "changer");
    const auto s = LoginSession(u, u.password);
    const std::string fresh = "a brand new passphrase 42";

    const auto wrong = PostAs(s.access_token, "/v1/me/password:change",
                              {{"current_password", "not it at all"}, {"new_password", fresh}});
    CHECK(wrong.status == 400);
    CHECK(wrong.Json().value("field", "") == "current_password");
    const auto weak =
        PostAs(s.access_token, "/v1/me/password:change", {{"current_password", u.password}, {"new_password", "short"}});
    CHECK(weak.status == 400);
    CHECK(weak.Json().value("field", "") == "new_password");
    {
        const bool accepted = Accepted(s.access_token);
        INFO(MoneyStack::Get().Logs());
        CHECK(accepted);  // refused changes end nothing
    }

    const auto ok =
        PostAs(s.access_token, "/v1/me/password:change", {{"current_password", u.password}, {"new_password", fresh}});
    INFO(ok.body);
    REQUIRE(ok.status == 200);
    CHECK(RefreshStatus(s.refresh_token) == 401);
    CHECK(RefusedEverywhere(s.access_token));
    CHECK(LoginStatus(u, u.password) == 401);
    const auto after = LoginSession(u, fresh);
    CHECK(Accepted(after.access_token));
    CHECK(WaitNotification(after.access_token, "account.password_changed").has_value());
}

TEST_CASE("Sessions: a password reset token from the inbox works once, ends every session and lifts the lockout",
          "[e2e][sessions]") {
    auto u = RegisterUser("ROLE_CLIENT", "forgetful");
    const auto signed_in = LoginSession(u, u.password);  // a device still signed in reads the inbox

    // The answer is the same for an email with an account and one without.
    const auto known = PostAs("", "/v1/auth/password-reset:request", {{"email", u.email}});
    const auto unknown = PostAs("", "/v1/auth/password-reset:request",
                                {{"email", "nobody-" + NewUuid() + "@http.e2e.marketplace.test"}});
    CHECK(known.status == 200);
    CHECK(unknown.status == 200);
    CHECK(known.body == unknown.body);

    // The owner mistypes their password until this address is locked out of the account.
    for (int i = 0; i < 5; ++i) CHECK(LoginStatus(u, "still not the password " + std::to_string(i)) == 401);
    CHECK(LoginStatus(u, u.password) == 429);

    const auto notice = WaitNotification(signed_in.access_token, "account.password_reset");
    REQUIRE(notice.has_value());
    std::smatch m;
    const std::string title = notice->value("title", "");
    REQUIRE(std::regex_search(title, m, std::regex("Reset token: ([A-Za-z0-9_-]+)")));
    const std::string reset_token = m[1];

    const std::string fresh = "remembered at last 2024";
    const auto forged = PostAs("", "/v1/auth/password-reset:complete",
                               {{"reset_token", std::string(43, 'A')}, {"new_password", fresh}});
    CHECK(forged.status == 400);
    CHECK(forged.Json().value("field", "") == "reset_token");
    const auto done =
        PostAs("", "/v1/auth/password-reset:complete", {{"reset_token", reset_token}, {"new_password", fresh}});
    INFO(done.body);
    REQUIRE(done.status == 200);
    const auto replay = PostAs("", "/v1/auth/password-reset:complete",
                               {{"reset_token", reset_token}, {"new_password", "yet another passphrase"}});
    CHECK(replay.status == 400);
    CHECK(replay.Json().value("field", "") == "reset_token");

    CHECK(RefreshStatus(signed_in.refresh_token) == 401);
    CHECK(RefusedEverywhere(signed_in.access_token));
    CHECK(LoginStatus(u, u.password) == 401);  // the lockout is lifted: a wrong password is just wrong
    CHECK(LoginStatus(u, fresh) == 200);
}

TEST_CASE("Sessions: registering a taken email is answered like a free one, and the owner is told", "[e2e][sessions]") {
    auto owner = RegisterUser("ROLE_CLIENT", "owner");
    const auto copy = PostAs("", "/v1/auth/register",
                             {{"email", owner.email},
                              {"password", "somebody else's password"},
                              {"role", "ROLE_FREELANCER"},
                              {"display_name", "Impostor"}});
    INFO(copy.body);
    REQUIRE(copy.status == 200);
    CHECK(copy.Json().value("email", "") == owner.email);
    CHECK(copy.Json().value("user_id", "") != owner.id);
    CHECK(LoginStatus(owner, "somebody else's password") == 401);  // nothing changed for the owner
    CHECK(WaitNotification(owner.token, "account.registration_attempt").has_value());
}

// The clock moves forward from here on: the tests below come last.

TEST_CASE("Sessions: a password reset token expires", "[e2e][sessions][clock]") {
    auto& stack = MoneyStack::Get();
    auto u = RegisterUser("ROLE_CLIENT", "slow-reader");
    CHECK(PostAs("", "/v1/auth/password-reset:request", {{"email", u.email}}).status == 200);
    const auto notice = WaitNotification(u.token, "account.password_reset");
    REQUIRE(notice.has_value());
    std::smatch m;
    const std::string title = notice->value("title", "");
    REQUIRE(std::regex_search(title, m, std::regex("Reset token: ([A-Za-z0-9_-]+)")));
    stack.AdvanceClock(31min);  // AUTH_PASSWORD_RESET_TTL is 30 minutes
    const auto late = PostAs("", "/v1/auth/password-reset:complete",
                             {{"reset_token", std::string(m[1])}, {"new_password", "too late for this one"}});
    CHECK(late.status == 400);
    CHECK(late.Json().value("field", "") == "reset_token");
    CHECK(LoginStatus(u, u.password) == 200);
}

TEST_CASE("Sessions: a live feed ends with 4401 when its access token expires", "[e2e][sessions][clock]") {
    auto& stack = MoneyStack::Get();
    auto u = RegisterUser("ROLE_FREELANCER", "expiring");
    WebSocketClient feed = OpenFeed(u.token);
    stack.AdvanceClock(16min);  // past the 15-minute access token
    const auto last = LastFrameBeforeClose(feed);
    CHECK(feed.close_code() == 4401);
    CHECK(last.value("code", "") == "UNAUTHENTICATED");
    CHECK_THAT(last.value("message", ""), Catch::Contains("expired"));
}

TEST_CASE("Sessions: a workroom stream ends with 4401 when its access token expires", "[e2e][sessions][clock]") {
    auto& stack = MoneyStack::Get();
    auto u = RegisterUser("ROLE_FREELANCER", "expiring-room");
    WebSocketClient stream(stack.gateway_port(), "/v1/workrooms:stream",
                           {{"Sec-WebSocket-Protocol", "bearer, " + u.token}});
    REQUIRE(stream.Read(30s));  // live: the stream's first frame carries its cursor
    stack.AdvanceClock(16min);  // past the 15-minute access token
    const auto last = LastFrameBeforeClose(stream);
    CHECK(stream.close_code() == 4401);
    CHECK(last.value("code", "") == "UNAUTHENTICATED");
    CHECK_THAT(last.value("message", ""), Catch::Contains("expired"));
}

TEST_CASE("Sessions: an emergency revocation of the signing key ends its tokens everywhere; a new key takes over",
          "[e2e][sessions][keys]") {
    auto& stack = MoneyStack::Get();
    auto admin = AdminUser();
    auto u = RegisterUser("ROLE_CLIENT", "bystander");
    const auto jwks = Get("", "/v1/auth/jwks").at("keys");
    REQUIRE_FALSE(jwks.empty());
    const std::string leaked = jwks.at(0).at("kid");

    const auto revoked = PostAs(admin.token, "/v1/auth/signing-keys/" + leaked + ":revoke", json::object());
    INFO(revoked.body << stack.Logs());
    REQUIRE(revoked.status == 200);
    const std::string current = revoked.Json().at("current_key").at("kid");
    CHECK(current != leaked);
    const auto keys_after = Get("", "/v1/auth/jwks").at("keys");  // held: the loop must not outlive it
    for (const auto& key : keys_after) CHECK(key.at("kid") != leaked);

    CHECK(RefusedEverywhere(u.token));
    CHECK(RefusedEverywhere(admin.token));
    // A new login gets a token of the new key, which the gateway and the services fetch on sight.
    Login(u);
    CHECK(marketplace::testing::WaitUntil([&] { return Accepted(u.token); }, kRevocationBound, 200ms));
    stack.Relogin(stack.Admin());
}
