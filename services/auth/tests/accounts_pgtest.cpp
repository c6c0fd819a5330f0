#include <catch2/catch.hpp>

#include <pqxx/pqxx>

#include "domain/refresh_token.hpp"
#include "fixture.hpp"
#include "marketplace/auth/v1/events.pb.h"
#include "marketplace/core/ids.hpp"
#include "marketplace/db/transaction.hpp"
#include "marketplace/tokens/verifier.hpp"
#include "storage/sql.hpp"

using namespace marketplace;
using namespace marketplace::auth::testing;
using auth::v1::AuthService;
using grpc::StatusCode;

namespace {

auth::v1::RegisterRequest Registration(const std::string& email, auth::v1::Role role = auth::v1::ROLE_FREELANCER) {
    auth::v1::RegisterRequest r;
    r.set_email(email);
    r.set_password(kPassword);
    r.set_role(role);
    r.set_display_name("Grace Hopper");
    return r;
}

// Claims of an access token, checked the way every other service checks them: the JWKS over gRPC.
std::optional<rpc::Claims> VerifyWithJwks(AuthServer& server, const std::string& token) {
    tokens::JwksVerifierOptions options;
    options.verify.clock = server.clock;
    const tokens::JwksVerifier verifier(server.channel, options);
    return verifier.Verify(token);
}

}  // namespace

TEST_CASE("Auth: a freelancer registers, logs in, and the access token names them and their role", "[auth][pg]") {
    AuthServer server;
    const auto email = UniqueEmail("grace");
    auth::v1::RegisterResponse registered;
    REQUIRE(
        server.Call(&AuthService::Stub::Register, Registration(email), &registered, {.idempotency_key = Key()}).ok());
    CHECK(core::IsUuid(registered.user_id()));
    CHECK(registered.role() == auth::v1::ROLE_FREELANCER);

    const auto session = server.LoginUser(email);
    CHECK(session.user_id() == registered.user_id());
    CHECK(session.role() == auth::v1::ROLE_FREELANCER);
    const auto claims = VerifyWithJwks(server, session.access_token());
    REQUIRE(claims);
    CHECK(claims->subject == registered.user_id());
    CHECK(claims->role == "freelancer");
    const auto ttl = claims->expires_at - server.clock->Now();
    CHECK(ttl > std::chrono::minutes(14));
    CHECK(ttl <= std::chrono::minutes(15));
    CHECK(session.access_token_expires_at().seconds() ==
          std::chrono::duration_cast<std::chrono::seconds>(claims->expires_at.time_since_epoch()).count());
    CHECK(session.refresh_token().size() == 43);

    // The email is case-insensitive; the event went to the outbox with the user as key.
    server.LoginUser(email.substr(0, 1) == "g" ? "G" + email.substr(1) : email);
    const auto events = server.OutboxPayloads("UserRegistered", registered.user_id());
    REQUIRE(events.size() == 1);
    auth::v1::UserRegistered event;
    REQUIRE(event.ParseFromString(events[0]));
    CHECK(event.email() == email);
    CHECK(event.role() == auth::v1::ROLE_FREELANCER);
    CHECK(event.display_name() == "Grace Hopper");
}

TEST_CASE("Auth: registering twice with one idempotency key creates one user and answers the same", "[auth][pg]") {
    AuthServer server;
    const auto request = Registration(UniqueEmail());
    const auto key = Key();
    auth::v1::RegisterResponse first;
    auth::v1::RegisterResponse second;
    REQUIRE(server.Call(&AuthService::Stub::Register, request, &first, {.idempotency_key = key}).ok());
    REQUIRE(server.Call(&AuthService::Stub::Register, request, &second, {.idempotency_key = key}).ok());
    CHECK(first.user_id() == second.user_id());
    CHECK(server.Count("users", "role <> 'admin'") == 1);
    CHECK(server.OutboxPayloads("UserRegistered", first.user_id()).size() == 1);

    // Registering is anonymous, so a key is scoped by the request it came with: the same key for
    // another registration (another person, perhaps) is a registration of its own, never a
    // conflict with or a replay of the first one's answer.
    auth::v1::RegisterResponse other;
    const auto status =
        server.Call(&AuthService::Stub::Register, Registration(UniqueEmail()), &other, {.idempotency_key = key});
    REQUIRE(status.ok());
    CHECK(other.user_id() != first.user_id());
    CHECK(server.Count("users", "role <> 'admin'") == 2);
}

TEST_CASE("Auth: the password never reaches the idempotency store", "[auth][pg]") {
    AuthServer server;
    auto request = Registration(UniqueEmail());
    const auto key = Key();
    auth::v1::RegisterResponse first;
    REQUIRE(server.Call(&AuthService::Stub::Register, request, &first, {.idempotency_key = key}).ok());
    // A replay with the same key and another password is the same registration (the fingerprint
    // leaves the password out), and the account keeps its first password.
    request.set_password("a different password");
    auth::v1::RegisterResponse replay;
    REQUIRE(server.Call(&AuthService::Stub::Register, request, &replay, {.idempotency_key = key}).ok());
    CHECK(replay.user_id() == first.user_id());
    server.LoginUser(request.email(), kPassword);
}

TEST_CASE("Auth: an email registers once; a second registration is answered alike, creates nothing, tells the owner",
          "[auth][pg]") {
    AuthServer server;
    const auto email = UniqueEmail();
    server.RegisterUser(email);
    auth::v1::RegisterResponse response;
    std::string field;
    auto again = Registration(email);
    again.set_email("  " + email);  // not trimmed: refused as malformed
    CHECK(
        server.Call(&AuthService::Stub::Register, again, &response, {.idempotency_key = Key()}, &field).error_code() ==
        StatusCode::INVALID_ARGUMENT);
    again.set_email(email);
    const auto notices = server.OutboxPayloads("AccountNotice", server.LoginUser(email).user_id()).size();
    const auto status = server.Call(&AuthService::Stub::Register, again, &response, {.idempotency_key = Key()});
    CHECK(status.ok());
    CHECK(response.email() == email);
    CHECK(response.user_id() != server.LoginUser(email).user_id());
    CHECK(server.Count("users", "role <> 'admin'") == 1);
    CHECK(server.OutboxPayloads("AccountNotice", server.LoginUser(email).user_id()).size() == notices + 1);
}

TEST_CASE("Auth: bad registration input names the field and creates nothing", "[auth][pg]") {
    AuthServer server;
    struct Case {
        std::string what;
        std::function<void(auth::v1::RegisterRequest&)> change;
        std::string field;
    };
    const std::vector<Case> cases{
        {"no email", [](auto& r) { r.clear_email(); }, "email"},
        {"malformed email", [](auto& r) { r.set_email("not-an-email"); }, "email"},
        {"long email", [](auto& r) { r.set_email(std::string(250, 'a') + "@x.io"); }, "email"},
        {"short password", [](auto& r) { r.set_password("short"); }, "password"},
        {"long password", [](auto& r) { r.set_password(std::string(129, 'p')); }, "password"},
        {"no role", [](auto& r) { r.set_role(auth::v1::ROLE_UNSPECIFIED); }, "role"},
        {"unknown role", [](auto& r) { r.set_role(static_cast<auth::v1::Role>(42)); }, "role"},
        {"no display name", [](auto& r) { r.set_display_name(" "); }, "display_name"},
        {"long display name", [](auto& r) { r.set_display_name(std::string(101, 'n')); }, "display_name"},
    };
    for (const auto& c : cases) {
        auto request = Registration(UniqueEmail());
        c.change(request);
        auth::v1::RegisterResponse response;
        std::string field;
        const auto status =
            server.Call(&AuthService::Stub::Register, request, &response, {.idempotency_key = Key()}, &field);
        INFO(c.what << ": " << status.error_message());
        CHECK(status.error_code() == StatusCode::INVALID_ARGUMENT);
        CHECK(field == c.field);
    }

    auth::v1::RegisterResponse response;
    std::string field;
    const auto no_key = server.Call(&AuthService::Stub::Register, Registration(UniqueEmail()), &response, {}, &field);
    CHECK(no_key.error_code() == StatusCode::INVALID_ARGUMENT);
    CHECK(field == "idempotency-key");

    const auto admin = server.Call(&AuthService::Stub::Register, Registration(UniqueEmail(), auth::v1::ROLE_ADMIN),
                                   &response, {.idempotency_key = Key()});
    CHECK(admin.error_code() == StatusCode::PERMISSION_DENIED);

    CHECK(server.Count("users", "role <> 'admin'") == 0);
    CHECK(server.Count("outbox", "event_type = 'marketplace.auth.v1.UserRegistered'") == 1);  // the seeded admin only
}

TEST_CASE("Auth: a wrong password and an unknown email fail alike", "[auth][pg]") {
    AuthServer server;
    const auto email = UniqueEmail();
    server.RegisterUser(email);
    auth::v1::LoginResponse response;
    const auto wrong = server.Login(email, "wrong password!", &response);
    const auto unknown = server.Login(UniqueEmail(), kPassword, &response);
    CHECK(wrong.error_code() == StatusCode::UNAUTHENTICATED);
    CHECK(unknown.error_code() == StatusCode::UNAUTHENTICATED);
    CHECK(wrong.error_message() == unknown.error_message());

    std::string field;
    auth::v1::LoginRequest empty;
    empty.set_email(email);
    CHECK(server.Call(&AuthService::Stub::Login, empty, &response, {}, &field).error_code() ==
          StatusCode::INVALID_ARGUMENT);
    CHECK(field == "password");
}

TEST_CASE("Auth: refresh rotates the tokens; the old refresh token is spent", "[auth][pg]") {
    AuthServer server;
    const auto email = UniqueEmail();
    const auto user_id = server.RegisterUser(email, auth::v1::ROLE_CLIENT);
    const auto login = server.LoginUser(email);

    server.clock->Advance(std::chrono::minutes(5));
    auth::v1::RefreshResponse refreshed;
    REQUIRE(server.Refresh(login.refresh_token(), &refreshed).ok());
    const auto& session = refreshed.session();
    CHECK(session.refresh_token() != login.refresh_token());
    CHECK(session.access_token() != login.access_token());
    CHECK(session.user_id() == user_id);
    CHECK(session.role() == auth::v1::ROLE_CLIENT);
    const auto claims = VerifyWithJwks(server, session.access_token());
    REQUIRE(claims);
    CHECK(claims->subject == user_id);

    // The new refresh token works in turn.
    auth::v1::RefreshResponse next;
    REQUIRE(server.Refresh(session.refresh_token(), &next).ok());
    CHECK(server.Count("refresh_tokens") == 3);
    CHECK(server.Count("refresh_tokens", "used_at IS NOT NULL") == 2);
}

TEST_CASE("Auth: presenting a spent refresh token revokes the whole session", "[auth][pg]") {
    AuthServer server;
    const auto email = UniqueEmail();
    server.RegisterUser(email);
    const auto login = server.LoginUser(email);
    const auto other_session = server.LoginUser(email);  // another device

    auth::v1::RefreshResponse legit;
    REQUIRE(server.Refresh(login.refresh_token(), &legit).ok());

    auth::v1::RefreshResponse stolen;
    const auto reuse = server.Refresh(login.refresh_token(), &stolen);  // an attacker replays the old one
    CHECK(reuse.error_code() == StatusCode::UNAUTHENTICATED);

    // The legitimate holder's newest token is dead too: the family is revoked.
    auth::v1::RefreshResponse after;
    CHECK(server.Refresh(legit.session().refresh_token(), &after).error_code() == StatusCode::UNAUTHENTICATED);
    CHECK(server.Count("refresh_families", "revoked_reason = 'reuse'") == 1);

    // The other device's session is untouched.
    auth::v1::RefreshResponse other;
    CHECK(server.Refresh(other_session.refresh_token(), &other).ok());
}

TEST_CASE("Auth: a refresh retried with its idempotency key returns the same tokens, without tripping reuse",
          "[auth][pg]") {
    AuthServer server;
    const auto email = UniqueEmail();
    server.RegisterUser(email);
    const auto login = server.LoginUser(email);
    const auto key = Key();
    auth::v1::RefreshResponse first;
    auth::v1::RefreshResponse retry;
    REQUIRE(server.Refresh(login.refresh_token(), &first, key).ok());
    REQUIRE(server.Refresh(login.refresh_token(), &retry, key).ok());
    CHECK(retry.session().refresh_token() == first.session().refresh_token());
    CHECK(retry.session().access_token() == first.session().access_token());
    CHECK(server.Count("refresh_families", "revoked_at IS NOT NULL") == 0);

    auth::v1::RefreshResponse next;
    CHECK(server.Refresh(first.session().refresh_token(), &next).ok());

    // The stored response holds no usable token in the clear.
    const auto stored = db::InTransaction(server.runtime->pool(), [&](pqxx::work& tx) {
        return pqxx::binarystring(
                   tx.exec_params("SELECT response FROM idempotency_keys WHERE idempotency_key = $1", key)[0][0])
            .str();
    });
    CHECK(stored.find(first.session().refresh_token()) == std::string::npos);
    CHECK(stored.find(first.session().access_token()) == std::string::npos);
}

TEST_CASE("Auth: refresh tokens and passwords are stored only as hashes", "[auth][pg]") {
    AuthServer server;
    const auto email = UniqueEmail();
    const auto user_id = server.RegisterUser(email);
    const auto login = server.LoginUser(email);
    const auto hash = auth::storage::Hex(auth::RefreshTokenHash(login.refresh_token()));
    CHECK(server.Count("refresh_tokens", "encode(token_sha256, 'hex') = '" + hash + "'") == 1);
    CHECK(server.Count("users", "user_id = '" + user_id + "' AND password_hash LIKE '$argon2id$%'") == 1);
    CHECK(server.Count("users", "password_hash LIKE '%" + std::string(kPassword) + "%'") == 0);
}

TEST_CASE("Auth: malformed refresh tokens are INVALID_ARGUMENT naming refresh_token; unknown ones UNAUTHENTICATED",
          "[auth][pg]") {
    AuthServer server;
    auth::v1::RefreshRequest request;
    auth::v1::RefreshResponse response;
    std::string field;
    CHECK(
        server.Call(&AuthService::Stub::Refresh, request, &response, {.idempotency_key = Key()}, &field).error_code() ==
        StatusCode::INVALID_ARGUMENT);
    CHECK(field == "refresh_token");
    request.set_refresh_token("abc");
    CHECK(
        server.Call(&AuthService::Stub::Refresh, request, &response, {.idempotency_key = Key()}, &field).error_code() ==
        StatusCode::INVALID_ARGUMENT);
    CHECK(field == "refresh_token");
    CHECK(server.Refresh(auth::NewRefreshToken(), &response).error_code() == StatusCode::UNAUTHENTICATED);
}

TEST_CASE("Auth: a refresh token expires after its lifetime", "[auth][pg]") {
    auto options = TestOptions();
    options.refresh_ttl = std::chrono::hours(2);
    AuthServer server(options);
    const auto email = UniqueEmail();
    server.RegisterUser(email);
    const auto login = server.LoginUser(email);
    server.clock->Advance(std::chrono::hours(2));
    auth::v1::RefreshResponse response;
    const auto status = server.Refresh(login.refresh_token(), &response);
    CHECK(status.error_code() == StatusCode::UNAUTHENTICATED);
    CHECK(status.error_message() == "refresh token expired; log in again");
}

TEST_CASE("Auth: logout ends that session only", "[auth][pg]") {
    AuthServer server;
    const auto email = UniqueEmail();
    server.RegisterUser(email);
    const auto laptop = server.LoginUser(email);
    const auto phone = server.LoginUser(email);

    auth::v1::LogoutRequest request;
    request.set_refresh_token(laptop.refresh_token());
    auth::v1::LogoutResponse response;
    const auto key = Key();
    REQUIRE(server.Call(&AuthService::Stub::Logout, request, &response, {.idempotency_key = key}).ok());
    REQUIRE(server.Call(&AuthService::Stub::Logout, request, &response, {.idempotency_key = key}).ok());  // retry
    CHECK(server.Count("refresh_families", "revoked_reason = 'logout'") == 1);

    auth::v1::RefreshResponse refreshed;
    CHECK(server.Refresh(laptop.refresh_token(), &refreshed).error_code() == StatusCode::UNAUTHENTICATED);
    CHECK(server.Refresh(phone.refresh_token(), &refreshed).ok());
}

TEST_CASE("Auth: replaying a refresh's idempotency key after the session was revoked is UNAUTHENTICATED",
          "[auth][pg]") {
    AuthServer server;
    const auto email = UniqueEmail();
    server.RegisterUser(email);
    const auto login = server.LoginUser(email);
    const auto key = Key();
    auth::v1::RefreshResponse first;
    REQUIRE(server.Refresh(login.refresh_token(), &first, key).ok());
    auth::v1::RefreshResponse replay;
    REQUIRE(server.Refresh(login.refresh_token(), &replay, key).ok());  // a retry while the session lives
    CHECK(replay.session().refresh_token() == first.session().refresh_token());

    auth::v1::LogoutRequest logout;
    logout.set_refresh_token(first.session().refresh_token());
    auth::v1::LogoutResponse logged_out;
    REQUIRE(server.Call(&AuthService::Stub::Logout, logout, &logged_out, {.idempotency_key = Key()}).ok());

    auth::v1::RefreshResponse after;
    const auto status = server.Refresh(login.refresh_token(), &after, key);
    CHECK(status.error_code() == StatusCode::UNAUTHENTICATED);
    CHECK(status.error_message() == "the session has ended; log in again");
    CHECK(after.session().access_token().empty());
}

TEST_CASE("Auth: five failed logins from one address lock that address out of the account, even for the right password",
          "[auth][pg]") {
    AuthServer server;
    const auto email = UniqueEmail();
    server.RegisterUser(email);
    auth::v1::LoginResponse response;
    for (int i = 0; i < 5; ++i) {
        const auto status = server.Login(email, "wrong password!", &response, "203.0.113.1");
        CHECK(status.error_code() == StatusCode::UNAUTHENTICATED);
        server.clock->Advance(std::chrono::minutes(1));
    }
    // Now 5 minutes after the first failure, which leaves the window in 10.
    const auto blocked = server.Login(email, kPassword, &response, "203.0.113.1");
    CHECK(blocked.error_code() == StatusCode::RESOURCE_EXHAUSTED);
    CHECK(blocked.error_message() == "too many failed logins; try again in 600 seconds");
    CHECK(server.Count("login_failures", "scope = 'account_source'") == 5);  // refused attempts are not counted

    server.clock->Advance(std::chrono::minutes(10) - std::chrono::seconds(1));
    CHECK(server.Login(email, kPassword, &response, "203.0.113.1").error_code() == StatusCode::RESOURCE_EXHAUSTED);
    server.clock->Advance(std::chrono::seconds(1));
    CHECK(server.Login(email, kPassword, &response, "203.0.113.1").ok());
}

TEST_CASE("Auth: an attacker's failed logins do not lock the owner out from another address", "[auth][pg]") {
    AuthServer server;
    const auto victim = UniqueEmail("victim");
    server.RegisterUser(victim);
    auth::v1::LoginResponse response;
    for (int i = 0; i < 5; ++i) server.Login(victim, "wrong password!", &response, "203.0.113.66");
    CHECK(server.Login(victim, "wrong password!", &response, "203.0.113.66").error_code() ==
          StatusCode::RESOURCE_EXHAUSTED);
    // The owner, elsewhere, logs in; and their login does not reset the attacker's count.
    CHECK(server.Login(victim, kPassword, &response, "192.0.2.1").ok());
    CHECK(server.Login(victim, kPassword, &response, "203.0.113.66").error_code() == StatusCode::RESOURCE_EXHAUSTED);
}

TEST_CASE("Auth: other accounts are not locked by one account's failures", "[auth][pg]") {
    AuthServer server;
    const auto victim = UniqueEmail("victim");
    const auto bystander = UniqueEmail("bystander");
    server.RegisterUser(victim);
    server.RegisterUser(bystander);
    auth::v1::LoginResponse response;
    for (int i = 0; i < 5; ++i) server.Login(victim, "wrong password!", &response, "192.0.2.1");
    CHECK(server.Login(victim, kPassword, &response, "192.0.2.1").error_code() == StatusCode::RESOURCE_EXHAUSTED);
    CHECK(server.Login(bystander, kPassword, &response, "192.0.2.1").ok());
}

TEST_CASE("Auth: a successful login forgives that address's earlier failures on the account", "[auth][pg]") {
    AuthServer server;
    const auto email = UniqueEmail();
    server.RegisterUser(email);
    auth::v1::LoginResponse response;
    for (int i = 0; i < 4; ++i) server.Login(email, "wrong password!", &response, "203.0.113.9");
    server.LoginUser(email, kPassword, "203.0.113.9");
    for (int i = 0; i < 4; ++i) server.Login(email, "wrong password!", &response, "203.0.113.9");
    CHECK(server.Login(email, kPassword, &response, "203.0.113.9").ok());
}

TEST_CASE("Auth: failures from one source address are throttled across accounts", "[auth][pg]") {
    auto options = TestOptions();
    options.source_throttle.max_failures = 6;
    AuthServer server(options);
    const auto target = UniqueEmail("target");
    server.RegisterUser(target);
    auth::v1::LoginResponse response;
    for (int i = 0; i < 6; ++i) {
        // A credential-stuffing run: a different account each time, so no account limit is reached.
        CHECK(server.Login(UniqueEmail("guess"), "wrong password!", &response, "198.51.100.66").error_code() ==
              StatusCode::UNAUTHENTICATED);
    }
    CHECK(server.Login(target, kPassword, &response, "198.51.100.66").error_code() == StatusCode::RESOURCE_EXHAUSTED);
    CHECK(server.Login(target, kPassword, &response, "198.51.100.67").ok());
    server.clock->Advance(std::chrono::minutes(15));
    CHECK(server.Login(target, kPassword, &response, "198.51.100.66").ok());
}

TEST_CASE("Auth: a forwarded address without the gateway's secret is ignored; the peer counts", "[auth][pg]") {
    auto options = TestOptions();
    options.source_throttle.max_failures = 3;
    AuthServer server(options);
    const auto target = UniqueEmail("target");
    server.RegisterUser(target);
    auth::v1::LoginRequest request;
    auth::v1::LoginResponse response;
    for (int i = 0; i < 3; ++i) {
        // Each claims another address, with a wrong secret: all count against the peer (loopback).
        request.set_email(UniqueEmail("guess"));
        request.set_password("wrong password!");
        const auto status =
            server.Call(&AuthService::Stub::Login, request, &response,
                        {.client_address = "203.0.113." + std::to_string(i + 1), .gateway_secret = "not-the-secret!!"});
        CHECK(status.error_code() == StatusCode::UNAUTHENTICATED);
    }
    request.set_email(target);
    request.set_password(kPassword);
    CHECK(server.Call(&AuthService::Stub::Login, request, &response, {}).error_code() ==
          StatusCode::RESOURCE_EXHAUSTED);
    CHECK(server.Login(target, kPassword, &response, "203.0.113.1").ok());  // with the secret: its own address
}

TEST_CASE("Auth: many good logins at once from one address are never throttled", "[auth][pg]") {
    auto options = TestOptions();
    options.source_throttle.max_failures = 4;  // fewer than the logins in flight below
    AuthServer server(options);
    std::vector<std::string> emails;
    for (int i = 0; i < 12; ++i) {
        emails.push_back(UniqueEmail("office"));
        server.RegisterUser(emails.back());
    }
    std::vector<std::thread> threads;
    std::atomic<int> ok{0};
    for (const auto& email : emails) {
        threads.emplace_back([&, email] {
            auth::v1::LoginResponse response;
            if (server.Login(email, kPassword, &response, "198.51.100.10").ok()) ++ok;
        });
    }
    for (auto& t : threads) t.join();
    CHECK(ok == 12);
}

TEST_CASE("Auth: concurrent wrong guesses cannot slip past the limit", "[auth][pg]") {
    AuthServer server;
    const auto email = UniqueEmail();
    server.RegisterUser(email);
    std::vector<std::thread> threads;
    std::atomic<int> unauthenticated{0};
    std::atomic<int> exhausted{0};
    for (int t = 0; t < 12; ++t) {
        threads.emplace_back([&] {
            auth::v1::LoginResponse response;
            const auto s = server.Login(email, "wrong password!", &response, "203.0.113.5");
            if (s.error_code() == StatusCode::UNAUTHENTICATED) ++unauthenticated;
            if (s.error_code() == StatusCode::RESOURCE_EXHAUSTED) ++exhausted;
        });
    }
    for (auto& t : threads) t.join();
    CHECK(unauthenticated == 5);
    CHECK(exhausted == 7);
}

TEST_CASE("Auth: with every argon2id slot taken, registration and login are RESOURCE_EXHAUSTED at once", "[auth][pg]") {
    auto options = TestOptions();
    options.password_max_concurrent = 1;
    AuthServer server(options);
    const auto email = UniqueEmail();
    server.RegisterUser(email);
    auto& passwords = server.app->passwords();
    REQUIRE(passwords.slots().capacity() == 1);
    {
        const auto held = passwords.Reserve();  // the one slot, as a registration in flight would hold it
        auth::v1::RegisterResponse registered;
        const auto status = server.Call(&AuthService::Stub::Register, Registration(UniqueEmail()), &registered,
                                        {.idempotency_key = Key()});
        CHECK(status.error_code() == StatusCode::RESOURCE_EXHAUSTED);
        auth::v1::LoginResponse response;
        CHECK(server.Login(email, kPassword, &response).error_code() == StatusCode::RESOURCE_EXHAUSTED);
        CHECK(passwords.slots().refused() == 2);
    }
    // Refused logins count as nothing: the right password works as soon as a slot is free.
    CHECK(server.Count("login_failures") == 0);
    server.LoginUser(email);
    CHECK(passwords.slots().max_in_flight() == 1);
}

TEST_CASE("Auth: an invalid registration is answered without hashing; a taken email costs what a free one does",
          "[auth][pg]") {
    AuthServer server;
    const auto email = UniqueEmail();
    server.RegisterUser(email);
    const auto& passwords = server.app->passwords();
    const auto hashes = passwords.hashes();
    auth::v1::RegisterResponse response;
    auto bad = Registration(UniqueEmail());
    bad.set_display_name("");
    CHECK(server.Call(&AuthService::Stub::Register, bad, &response, {.idempotency_key = Key()}).error_code() ==
          StatusCode::INVALID_ARGUMENT);
    CHECK(passwords.hashes() == hashes);
    CHECK(server.Call(&AuthService::Stub::Register, Registration(email), &response, {.idempotency_key = Key()}).ok());
    CHECK(passwords.hashes() == hashes + 1);
    server.RegisterUser(UniqueEmail());
    CHECK(passwords.hashes() == hashes + 2);
}

TEST_CASE("Auth: a source that keeps finding taken emails is throttled, others are not", "[auth][pg]") {
    auto options = TestOptions();
    options.registration_throttle.max_failures = 3;
    AuthServer server(options);
    const auto email = UniqueEmail();
    server.RegisterUser(email);
    auth::v1::RegisterResponse response;
    const auto from = [](const std::string& address) {
        return CallOptions{.idempotency_key = Key(), .client_address = address};
    };
    for (int i = 0; i < 3; ++i) {
        CHECK(server.Call(&AuthService::Stub::Register, Registration(email), &response, from("203.0.113.7")).ok());
    }
    // Probing for accounts from that address stops: taken or free, the answer is RESOURCE_EXHAUSTED.
    CHECK(server.Call(&AuthService::Stub::Register, Registration(email), &response, from("203.0.113.7")).error_code() ==
          StatusCode::RESOURCE_EXHAUSTED);
    CHECK(server.Call(&AuthService::Stub::Register, Registration(UniqueEmail()), &response, from("203.0.113.7"))
              .error_code() == StatusCode::RESOURCE_EXHAUSTED);
    CHECK(server.Call(&AuthService::Stub::Register, Registration(UniqueEmail()), &response, from("198.51.100.3")).ok());
    server.clock->Advance(std::chrono::minutes(15));
    CHECK(server.Call(&AuthService::Stub::Register, Registration(UniqueEmail()), &response, from("203.0.113.7")).ok());
}

TEST_CASE("Auth: the configured admin is seeded once and logs in as admin", "[auth][pg]") {
    AuthServer server;
    const auto session = server.LoginUser(kAdminEmail, kAdminPassword);
    CHECK(session.role() == auth::v1::ROLE_ADMIN);
    CHECK(server.app->accounts().SeedAdmin(*TestOptions().admin) == false);  // a restart seeds nothing
    CHECK(server.Count("users", "role = 'admin'") == 1);
}
