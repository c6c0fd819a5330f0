#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

#include "marketplace/core/errors.hpp"
#include "marketplace/tokens/test_tokens.hpp"
#include "marketplace/tokens/verifier.hpp"

using namespace marketplace;
using std::chrono::seconds;
using tokens::Rejection;

namespace {

const core::Clock::TimePoint kStart{seconds(1'800'000'000)};

// A stand-in for the auth service's key table: what GetJwks would return, and how often it was asked.
struct KeySource {
    std::mutex mu;
    std::vector<tokens::PublicKey> keys;
    bool failing = false;
    std::atomic<int> calls{0};

    tokens::JwksVerifier::Fetcher Fetcher() {
        return [this] {
            ++calls;
            std::lock_guard lock(mu);
            if (failing) throw std::runtime_error("auth service unreachable");
            return keys;
        };
    }
    void Set(std::vector<tokens::PublicKey> k) {
        std::lock_guard lock(mu);
        keys = std::move(k);
    }
};

// Polls `condition` for up to 10 s.
template <typename Condition>
bool testing_wait(Condition condition) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < until) {
        if (condition()) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return condition();
}

tokens::JwksVerifierOptions Options(std::shared_ptr<const core::Clock> clock) {
    tokens::JwksVerifierOptions o;
    o.verify.clock = std::move(clock);
    o.min_refresh_interval = std::chrono::seconds(5);
    o.max_key_age = std::chrono::minutes(10);
    return o;
}

}  // namespace

TEST_CASE("TestTokens: its tokens verify with its verifier, and each bad token is refused for its reason",
          "[auth][verifier]") {
    tokens::TestTokens tokens;
    const auto verifier = std::dynamic_pointer_cast<const tokens::StaticKeyVerifier>(tokens.verifier());
    REQUIRE(verifier);
    const auto claims = tokens.verifier()->Verify(tokens.For("user-1", "client"));
    REQUIRE(claims);
    CHECK(claims->subject == "user-1");
    CHECK(claims->role == "client");

    CHECK(verifier->Check(tokens.Expired("user-1", "client")).rejection == Rejection::kExpired);
    CHECK(verifier->Check(tokens.Tampered("user-1", "client")).rejection == Rejection::kBadSignature);
    CHECK(verifier->Check(tokens.AlgNone("user-1", "client")).rejection == Rejection::kBadAlgorithm);
    CHECK(verifier->Check(tokens.UnknownKid("user-1", "client")).rejection == Rejection::kUnknownKey);
    CHECK(verifier->Check(tokens.WrongIssuer("user-1", "client")).rejection == Rejection::kWrongIssuer);
    CHECK_FALSE(tokens.verifier()->Verify(tokens.Tampered("user-1", "admin")).has_value());
}

TEST_CASE("TestTokens: with a shared manual clock, tokens issued after moving it are fresh", "[auth][verifier]") {
    auto clock = std::make_shared<core::ManualClock>(kStart);
    tokens::TestTokens tokens({.clock = clock});
    const auto early = tokens.For("u", "freelancer");
    clock->Advance(std::chrono::hours(24 * 14));
    CHECK_FALSE(tokens.verifier()->Verify(early).has_value());
    CHECK(tokens.verifier()->Verify(tokens.For("u", "freelancer")).has_value());
}

TEST_CASE("TestTokens: two instances do not accept each other's tokens", "[auth][verifier]") {
    tokens::TestTokens a;
    tokens::TestTokens b;
    CHECK_FALSE(b.verifier()->Verify(a.For("u", "client")).has_value());
}

TEST_CASE("StaticKeyVerifier: accepts tokens of any of its keys", "[auth][verifier]") {
    auto clock = std::make_shared<core::ManualClock>(kStart);
    const tokens::JwtIssuer one(tokens::SigningKey::Generate(), tokens::kDefaultIssuer, seconds(900), clock);
    const tokens::JwtIssuer two(tokens::SigningKey::Generate(), tokens::kDefaultIssuer, seconds(900), clock);
    const tokens::StaticKeyVerifier verifier({one.key().public_key(), two.key().public_key()}, {.clock = clock});
    CHECK(verifier.Verify(one.Issue("u", "client")));
    CHECK(verifier.Verify(two.Issue("u", "admin")));
}

TEST_CASE("JWK: a public key survives the JWK round trip; other key types are refused", "[auth][verifier]") {
    const auto key = tokens::SigningKey::Generate().public_key();
    const auto jwk = tokens::ToJwk(key);
    CHECK(jwk.kty() == "OKP");
    CHECK(jwk.crv() == "Ed25519");
    CHECK(jwk.alg() == "EdDSA");
    CHECK(jwk.use() == "sig");
    CHECK(jwk.x().size() == 43);
    CHECK(tokens::PublicKeyFromJwk(jwk) == key);

    auto rsa = jwk;
    rsa.set_kty("RSA");
    CHECK_FALSE(tokens::PublicKeyFromJwk(rsa));
    auto x448 = jwk;
    x448.set_crv("Ed448");
    CHECK_FALSE(tokens::PublicKeyFromJwk(x448));
    auto short_x = jwk;
    short_x.set_x(jwk.x().substr(0, 40));
    CHECK_FALSE(tokens::PublicKeyFromJwk(short_x));
    auto hs = jwk;
    hs.set_alg("HS256");
    CHECK_FALSE(tokens::PublicKeyFromJwk(hs));
    auto no_kid = jwk;
    no_kid.clear_kid();
    CHECK_FALSE(tokens::PublicKeyFromJwk(no_kid));
}

TEST_CASE("JwksVerifier: fetches the keys once and then verifies from its cache", "[auth][verifier]") {
    auto clock = std::make_shared<core::ManualClock>(kStart);
    const tokens::JwtIssuer issuer(tokens::SigningKey::Generate(), tokens::kDefaultIssuer, seconds(900), clock);
    KeySource source;
    source.Set({issuer.key().public_key()});
    const tokens::JwksVerifier verifier(source.Fetcher(), Options(clock));

    for (int i = 0; i < 5; ++i) CHECK(verifier.Verify(issuer.Issue("u", "client")));
    CHECK(source.calls == 1);
    CHECK(verifier.cached_kids() == std::vector<std::string>{issuer.key().kid()});
}

TEST_CASE("JwksVerifier: a token signed by a newly rotated key is accepted after one refetch", "[auth][verifier]") {
    auto clock = std::make_shared<core::ManualClock>(kStart);
    const tokens::JwtIssuer old_key(tokens::SigningKey::Generate(), tokens::kDefaultIssuer, seconds(900), clock);
    const tokens::JwtIssuer new_key(tokens::SigningKey::Generate(), tokens::kDefaultIssuer, seconds(900), clock);
    KeySource source;
    source.Set({old_key.key().public_key()});
    const tokens::JwksVerifier verifier(source.Fetcher(), Options(clock));
    REQUIRE(verifier.Verify(old_key.Issue("u", "client")));

    source.Set({new_key.key().public_key(), old_key.key().public_key()});  // the auth service rotated
    CHECK(verifier.Verify(new_key.Issue("u", "client")));                  // right away: unknown kid refetches
    CHECK(verifier.Verify(old_key.Issue("u", "client")));                  // the old key still verifies
    CHECK(source.calls == 2);
}

TEST_CASE("JwksVerifier: unknown kids refetch at most once per refresh interval", "[auth][verifier]") {
    auto clock = std::make_shared<core::ManualClock>(kStart);
    const tokens::JwtIssuer known(tokens::SigningKey::Generate(), tokens::kDefaultIssuer, seconds(900), clock);
    KeySource source;
    source.Set({known.key().public_key()});
    const tokens::JwksVerifier verifier(source.Fetcher(), Options(clock));
    REQUIRE(verifier.Verify(known.Issue("u", "client")));
    REQUIRE(source.calls == 1);

    // Forged kids from many threads at once: at most one refetch in the interval.
    std::vector<std::thread> threads;
    std::atomic<int> accepted{0};
    for (int t = 0; t < 8; ++t) {
        threads.emplace_back([&] {
            for (int i = 0; i < 20; ++i) {
                const tokens::JwtIssuer forger(tokens::SigningKey::Generate(), tokens::kDefaultIssuer, seconds(900),
                                               clock);
                if (verifier.Verify(forger.Issue("u", "admin"))) ++accepted;
                if (verifier.Verify(known.Issue("u", "client"))) ++accepted;
            }
        });
    }
    for (auto& t : threads) t.join();
    CHECK(accepted == 8 * 20);  // only the genuine ones
    CHECK(source.calls == 2);

    clock->Advance(seconds(5));
    const tokens::JwtIssuer another(tokens::SigningKey::Generate(), tokens::kDefaultIssuer, seconds(900), clock);
    CHECK(verifier.Check(another.Issue("u", "client")).rejection == Rejection::kUnknownKey);
    CHECK(source.calls == 3);
}

TEST_CASE("JwksVerifier: with the auth service down and no keys yet, verification is UNAVAILABLE, not a rejection",
          "[auth][verifier]") {
    auto clock = std::make_shared<core::ManualClock>(kStart);
    const tokens::JwtIssuer issuer(tokens::SigningKey::Generate(), tokens::kDefaultIssuer, seconds(900), clock);
    KeySource source;
    source.failing = true;
    const tokens::JwksVerifier verifier(source.Fetcher(), Options(clock));
    CHECK_FALSE(verifier.Refresh());
    CHECK_THROWS_AS(verifier.Verify(issuer.Issue("u", "client")), core::Unavailable);

    source.failing = false;
    source.Set({issuer.key().public_key()});
    clock->Advance(seconds(5));
    CHECK(verifier.Verify(issuer.Issue("u", "client")));
}

TEST_CASE("JwksVerifier: keys older than the maximum age are refetched; a failed refetch keeps them",
          "[auth][verifier]") {
    auto clock = std::make_shared<core::ManualClock>(kStart);
    const tokens::JwtIssuer issuer(tokens::SigningKey::Generate(), tokens::kDefaultIssuer, seconds(900), clock);
    KeySource source;
    source.Set({issuer.key().public_key()});
    const tokens::JwksVerifier verifier(source.Fetcher(), Options(clock));
    REQUIRE(verifier.Refresh());
    REQUIRE(source.calls == 1);

    clock->Advance(std::chrono::minutes(11));
    source.failing = true;
    CHECK(verifier.Verify(issuer.Issue("u", "client")));  // served from the cache
    CHECK(source.calls == 2);                             // and a refetch was tried
    CHECK(verifier.Verify(issuer.Issue("u", "client")));
    CHECK(source.calls == 2);  // not again within the refresh interval

    source.failing = false;
    source.Set({});  // the key was withdrawn
    clock->Advance(seconds(5));
    CHECK(verifier.Verify(issuer.Issue("u", "client")));  // this call refreshes in passing
    CHECK(source.calls == 3);
    CHECK(verifier.cached_kids().empty());
}

TEST_CASE("JwksVerifier: a token whose session epoch is below its user's listed one is refused as revoked",
          "[auth][verifier]") {
    auto clock = std::make_shared<core::ManualClock>(kStart);
    const tokens::JwtIssuer issuer(tokens::SigningKey::Generate(), tokens::kDefaultIssuer, seconds(900), clock);
    KeySource source;
    source.Set({issuer.key().public_key()});
    std::mutex mu;
    std::map<std::string, std::int64_t, std::less<>> listed;
    const tokens::JwksVerifier verifier(source.Fetcher(), Options(clock), [&] {
        std::lock_guard lock(mu);
        return listed;
    });
    const auto before = issuer.IssueToken("alice", "client", /*session_epoch=*/0).token;
    const auto bob = issuer.IssueToken("bob", "client", 0).token;
    REQUIRE(verifier.Check(before).ok());
    CHECK(verifier.Check(before).claims->session_epoch == 0);

    {
        std::lock_guard lock(mu);
        listed = {{"alice", 1}};  // alice logged out everywhere
    }
    REQUIRE(verifier.RefreshRevocations());
    CHECK(verifier.Check(before).rejection == Rejection::kRevoked);
    CHECK(verifier.Check(bob).ok());                                            // others are untouched
    CHECK(verifier.Check(issuer.IssueToken("alice", "client", 1).token).ok());  // her new sessions work
    CHECK(verifier.MinimumEpoch("alice") == 1);
}

TEST_CASE("JwksVerifier: without inline fetches, an unknown kid never waits for the fetch: try again, then known",
          "[auth][verifier]") {
    auto clock = std::make_shared<core::ManualClock>(kStart);
    const tokens::JwtIssuer old_key(tokens::SigningKey::Generate(), tokens::kDefaultIssuer, seconds(900), clock);
    const tokens::JwtIssuer new_key(tokens::SigningKey::Generate(), tokens::kDefaultIssuer, seconds(900), clock);
    std::mutex gate;  // held: the auth service hangs
    std::atomic<int> calls{0};
    std::vector<tokens::PublicKey> keys{old_key.key().public_key()};
    auto options = Options(clock);
    options.fetch_inline = false;
    options.background_refresh = std::chrono::hours(1);  // only wake-ups fetch during the test
    std::unique_lock hang(gate);
    const tokens::JwksVerifier verifier(
        [&] {
            ++calls;
            std::lock_guard lock(gate);
            return keys;
        },
        options);
    // No keys yet and the fetch hangs: the caller is told to try again, it is not made to wait.
    CHECK_THROWS_AS(verifier.Check(old_key.Issue("u", "client")), core::Unavailable);
    CHECK_THROWS_AS(verifier.Check(new_key.Issue("u", "client")), core::Unavailable);
    keys.push_back(new_key.key().public_key());
    hang.unlock();  // auth answers
    REQUIRE(testing_wait([&] { return !verifier.cached_kids().empty(); }));
    CHECK(verifier.Check(old_key.Issue("u", "client")).ok());
    CHECK(verifier.Check(new_key.Issue("u", "client")).ok());
    const int fetched = calls.load();
    CHECK(fetched >= 1);
    // A forged kid wakes one fetch per interval, and is refused without waiting.
    const tokens::JwtIssuer forged(tokens::SigningKey::Generate(), tokens::kDefaultIssuer, seconds(900), clock);
    CHECK(verifier.Check(forged.Issue("u", "client")).rejection == Rejection::kUnknownKey);  // within the interval
    clock->Advance(seconds(6));
    CHECK_THROWS_AS(verifier.Check(forged.Issue("u", "client")), core::Unavailable);
    REQUIRE(testing_wait([&] { return calls.load() > fetched; }));
    REQUIRE(testing_wait([&] {
        try {
            return verifier.Check(forged.Issue("u", "client")).rejection == Rejection::kUnknownKey;
        } catch (const core::Unavailable&) {
            return false;  // the fetch is still finishing
        }
    }));
}

TEST_CASE("JwksVerifier: an accepted token is remembered; expiry, a withdrawn key and any other text still refuse",
          "[auth][verifier]") {
    auto clock = std::make_shared<core::ManualClock>(kStart);
    const tokens::JwtIssuer issuer(tokens::SigningKey::Generate(), tokens::kDefaultIssuer, seconds(900), clock);
    KeySource source;
    source.Set({issuer.key().public_key()});
    const tokens::JwksVerifier verifier(source.Fetcher(), Options(clock));

    const auto token = issuer.IssueToken("alice", "client", 3).token;
    const auto first = verifier.Check(token);
    REQUIRE(first.ok());
    CHECK(verifier.remembered_tokens() == 1);
    const auto again = verifier.Check(token);
    REQUIRE(again.ok());
    CHECK(again.claims->subject == "alice");
    CHECK(again.claims->role == "client");
    CHECK(again.claims->session_epoch == 3);
    CHECK(again.claims->expires_at == first.claims->expires_at);
    CHECK(again.kid == issuer.key().kid());

    // The same token with its signature altered is another text: verified in full, and refused.
    auto forged = token;
    forged[forged.size() - 2] = forged[forged.size() - 2] == 'A' ? 'B' : 'A';
    CHECK(verifier.Check(forged).rejection == Rejection::kBadSignature);

    // Past its expiry (and the leeway) the remembered token is refused like any other.
    clock->Advance(seconds(900 + 31));
    CHECK(verifier.Check(token).rejection == Rejection::kExpired);
    CHECK(verifier.remembered_tokens() == 0);

    // A key withdrawn by the auth service takes its remembered tokens with it.
    const auto fresh = issuer.IssueToken("bob", "client", 0).token;
    REQUIRE(verifier.Check(fresh).ok());
    source.Set({});
    REQUIRE(verifier.Refresh());
    CHECK(verifier.Check(fresh).rejection == Rejection::kUnknownKey);
}

TEST_CASE("JwksVerifier: until the first keys arrive, a caller fetches again after a short pause, not the interval",
          "[auth][verifier]") {
    auto clock = std::make_shared<core::ManualClock>(kStart);
    const tokens::JwtIssuer issuer(tokens::SigningKey::Generate(), tokens::kDefaultIssuer, seconds(900), clock);
    KeySource source;
    source.failing = true;  // auth is still starting
    const tokens::JwksVerifier verifier(source.Fetcher(), Options(clock));
    CHECK_THROWS_AS(verifier.Verify(issuer.Issue("u", "client")), core::Unavailable);
    CHECK(source.calls == 1);
    CHECK_THROWS_AS(verifier.Verify(issuer.Issue("u", "client")), core::Unavailable);
    CHECK(source.calls == 1);  // not at once again

    source.failing = false;
    source.Set({issuer.key().public_key()});
    clock->Advance(std::chrono::milliseconds(250));  // well within the 5 s interval
    CHECK(verifier.Verify(issuer.Issue("u", "client")));
    CHECK(source.calls == 2);

    // Once keys are known, the interval holds again for unknown kids.
    const tokens::JwtIssuer other(tokens::SigningKey::Generate(), tokens::kDefaultIssuer, seconds(900), clock);
    CHECK_FALSE(verifier.Verify(other.Issue("u", "client")));
    const int after_unknown = source.calls;
    clock->Advance(std::chrono::milliseconds(250));
    CHECK_FALSE(verifier.Verify(other.Issue("u", "client")));
    CHECK(source.calls == after_unknown);
}
