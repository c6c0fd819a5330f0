#include <catch2/catch.hpp>

#include <chrono>
#include <set>

#include "domain/refresh_token.hpp"

using namespace marketplace;
using std::chrono::hours;
using std::chrono::seconds;

namespace {
const core::Clock::TimePoint kNow{seconds(1'800'000'000)};

auth::RefreshTokenState Fresh() { return {false, kNow + hours(24 * 90), false, kNow + hours(24 * 30)}; }
}  // namespace

TEST_CASE("Refresh token: 43 base64url characters, different every time", "[auth][refresh]") {
    std::set<std::string> seen;
    for (int i = 0; i < 100; ++i) {
        const auto token = auth::NewRefreshToken();
        CHECK(token.size() == 43);
        CHECK(auth::IsWellFormedRefreshToken(token));
        seen.insert(token);
    }
    CHECK(seen.size() == 100);
    CHECK_FALSE(auth::IsWellFormedRefreshToken(""));
    CHECK_FALSE(auth::IsWellFormedRefreshToken(std::string(43, '!')));
    CHECK_FALSE(auth::IsWellFormedRefreshToken(auth::NewRefreshToken() + "A"));
}

TEST_CASE("Refresh token: only its SHA-256 is stored", "[auth][refresh]") {
    const auto token = auth::NewRefreshToken();
    const auto hash = auth::RefreshTokenHash(token);
    CHECK(hash.size() == 32);
    CHECK(hash == auth::RefreshTokenHash(token));
    CHECK(hash != auth::RefreshTokenHash(auth::NewRefreshToken()));
    // SHA-256("abc"), FIPS 180-2.
    const auto abc = auth::RefreshTokenHash("abc");
    CHECK(static_cast<unsigned char>(abc[0]) == 0xba);
    CHECK(static_cast<unsigned char>(abc[31]) == 0xad);
}

TEST_CASE("Refresh token: an unused, unexpired token of a live family rotates", "[auth][refresh]") {
    CHECK(auth::JudgeRefresh(Fresh(), kNow) == auth::RefreshVerdict::kRotate);
}

TEST_CASE("Refresh token: a used token is reuse, even once expired", "[auth][refresh]") {
    auto s = Fresh();
    s.token_used = true;
    CHECK(auth::JudgeRefresh(s, kNow) == auth::RefreshVerdict::kReuse);
    CHECK(auth::JudgeRefresh(s, kNow + hours(24 * 31)) == auth::RefreshVerdict::kReuse);
}

TEST_CASE("Refresh token: a revoked family wins over everything else", "[auth][refresh]") {
    auto s = Fresh();
    s.family_revoked = true;
    s.token_used = true;
    CHECK(auth::JudgeRefresh(s, kNow) == auth::RefreshVerdict::kRevoked);
}

TEST_CASE("Refresh token: an expired token or family is refused", "[auth][refresh]") {
    CHECK(auth::JudgeRefresh(Fresh(), kNow + hours(24 * 30)) == auth::RefreshVerdict::kExpired);
    auto s = Fresh();
    s.family_expires_at = kNow;
    CHECK(auth::JudgeRefresh(s, kNow) == auth::RefreshVerdict::kExpired);
}

TEST_CASE("Refresh token: a sealed response opens only with the token it was sealed with", "[auth][refresh]") {
    const auto token = auth::NewRefreshToken();
    const std::string secret = "access and refresh tokens";
    const auto sealed = auth::SealWithToken(token, secret);
    CHECK(sealed.find(secret) == std::string::npos);
    CHECK(auth::OpenWithToken(token, sealed) == secret);
    CHECK_FALSE(auth::OpenWithToken(auth::NewRefreshToken(), sealed).has_value());
    auto tampered = sealed;
    tampered.back() = static_cast<char>(tampered.back() ^ 1);
    CHECK_FALSE(auth::OpenWithToken(token, tampered).has_value());
    CHECK_FALSE(auth::OpenWithToken(token, "short").has_value());
}
