// Download links: valid until their expiry by an injected clock, worthless once altered or signed elsewhere.
#include <catch2/catch.hpp>
#include <chrono>
#include <memory>

#include "marketplace/blob/digest.hpp"
#include "marketplace/blob/signed_link.hpp"
#include "marketplace/core/clock.hpp"
#include "marketplace/core/errors.hpp"

using marketplace::blob::LinkSigner;
using marketplace::blob::LinkStatus;
using marketplace::core::ManualClock;
using namespace std::chrono_literals;

namespace {
const std::string kSecret = "0123456789abcdef0123456789abcdef-test";
const ManualClock::TimePoint kStart = ManualClock::TimePoint(std::chrono::seconds(1'800'000'000));
}  // namespace

TEST_CASE("Signed link: valid until its expiry, expired from that second on", "[blob][link]") {
    auto clock = std::make_shared<ManualClock>(kStart);
    LinkSigner signer(kSecret, clock);
    const std::string token = signer.Issue("workroom/room-1/file-1", 300s, "report.pdf");

    auto check = signer.Verify(token);
    REQUIRE(check.ok());
    CHECK(check.claims.key == "workroom/room-1/file-1");
    CHECK(check.claims.filename == "report.pdf");
    CHECK(check.claims.expires_at == kStart + 300s);

    clock->Advance(299s);
    CHECK(signer.Verify(token).ok());
    clock->Advance(1s);
    check = signer.Verify(token);
    CHECK(check.status == LinkStatus::kExpired);
    CHECK(check.claims.key == "workroom/room-1/file-1");
}

TEST_CASE("Signed link: another replica with the same secret accepts it, another secret does not", "[blob][link]") {
    auto clock = std::make_shared<ManualClock>(kStart);
    const std::string token = LinkSigner(kSecret, clock).Issue("k/1", 60s);
    CHECK(LinkSigner(kSecret, clock).Verify(token).ok());
    CHECK(LinkSigner(kSecret + "-other", clock).Verify(token).status == LinkStatus::kBadSignature);
}

TEST_CASE("Signed link: a changed key or expiry breaks the signature", "[blob][link]") {
    auto clock = std::make_shared<ManualClock>(kStart);
    LinkSigner signer(kSecret, clock);
    const std::string token = signer.Issue("k/1", 60s);
    const std::string mac = token.substr(token.find('.'));
    // A payload naming another object, or a later expiry, with the original signature.
    const std::string other_key = marketplace::blob::Base64UrlEncode(std::to_string(1'800'000'060) + "\nk/2\n") + mac;
    const std::string later = marketplace::blob::Base64UrlEncode(std::to_string(1'900'000'000) + "\nk/1\n") + mac;
    CHECK(signer.Verify(other_key).status == LinkStatus::kBadSignature);
    CHECK(signer.Verify(later).status == LinkStatus::kBadSignature);

    std::string flipped = token;
    flipped[token.size() - 2] = flipped[token.size() - 2] == 'A' ? 'B' : 'A';
    CHECK(signer.Verify(flipped).status != LinkStatus::kValid);
}

TEST_CASE("Signed link: garbage is malformed, not an error", "[blob][link]") {
    LinkSigner signer(kSecret, std::make_shared<ManualClock>(kStart));
    CHECK(signer.Verify("").status == LinkStatus::kMalformed);
    CHECK(signer.Verify("no-dot").status == LinkStatus::kMalformed);
    CHECK(signer.Verify("a.b.c").status == LinkStatus::kMalformed);
    CHECK(signer.Verify("!!!.???").status == LinkStatus::kMalformed);
    CHECK(signer.Verify(std::string(5000, 'a') + ".b").status == LinkStatus::kMalformed);
}

TEST_CASE("Signed link: issuing refuses bad keys, names and lifetimes, naming the field", "[blob][link]") {
    LinkSigner signer(kSecret, std::make_shared<ManualClock>(kStart));
    auto field_of = [&](auto&& f) {
        try {
            f();
        } catch (const marketplace::core::InvalidArgument& e) {
            return e.field();
        }
        return std::string("(no error)");
    };
    CHECK(field_of([&] { signer.Issue("../etc/passwd", 60s); }) == "key");
    CHECK(field_of([&] { signer.Issue("k", 60s, "a\nb"); }) == "filename");
    CHECK(field_of([&] { signer.Issue("k", 0s); }) == "ttl");
    CHECK(field_of([&] { signer.Issue("k", std::chrono::hours(24 * 8)); }) == "ttl");
    CHECK_THROWS_AS(LinkSigner("short", std::make_shared<ManualClock>(kStart)), std::invalid_argument);
}
