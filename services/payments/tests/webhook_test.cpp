// Provider webhook signatures and bodies.
#include <catch2/catch.hpp>

#include "domain/webhook.hpp"
#include "marketplace/core/errors.hpp"

using namespace marketplace;
using namespace marketplace::payments;
using namespace std::chrono_literals;

namespace {

const std::string kSecret = "test-secret-0123456789";

core::Clock::TimePoint At(std::int64_t unix_seconds) {
    return core::Clock::TimePoint(std::chrono::seconds(unix_seconds));
}

ProviderEvent SampleEvent() {
    ProviderEvent e;
    e.id = "evt_1";
    e.type = ProviderEventType::kDepositSucceeded;
    e.reference = "0190aaaa-0000-7000-8000-00000000000a";
    e.minor_units = 12345;
    e.currency = "EUR";
    e.created = 1'700'000'000;
    return e;
}

}  // namespace

TEST_CASE("Webhook: HMAC-SHA256 matches the RFC 4231 test vector", "[payments][webhook]") {
    // RFC 4231, test case 2: key "Jefe", data "what do ya want for nothing?".
    CHECK(HmacSha256Hex("Jefe", "what do ya want for nothing?") ==
          "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST_CASE("Webhook: a correctly signed, fresh notification verifies", "[payments][webhook]") {
    const std::string body = EncodeProviderEvent(SampleEvent());
    const std::string header = SignWebhook(kSecret, 1'700'000'000, body);
    CHECK(header.rfind("t=1700000000,v1=", 0) == 0);
    CHECK_NOTHROW(VerifyWebhook(kSecret, header, body, At(1'700'000'000), 300s));
    CHECK_NOTHROW(VerifyWebhook(kSecret, header, body, At(1'700'000'300), 300s));
    // Several v1 entries (secret rotation): one matching is enough.
    const std::string rotated = "t=1700000000,v1=" + std::string(64, 'a') + "," + header.substr(header.find("v1="));
    CHECK_NOTHROW(VerifyWebhook(kSecret, rotated, body, At(1'700'000'000), 300s));
}

TEST_CASE("Webhook: a forged signature, another secret or a changed body is refused", "[payments][webhook]") {
    const std::string body = EncodeProviderEvent(SampleEvent());
    const std::string header = SignWebhook(kSecret, 1'700'000'000, body);
    const auto now = At(1'700'000'010);
    CHECK_THROWS_AS(VerifyWebhook("another-secret-0123456789", header, body, now, 300s), core::Unauthenticated);
    std::string tampered = body;
    tampered.replace(tampered.find("12345"), 5, "99999");
    CHECK_THROWS_AS(VerifyWebhook(kSecret, header, tampered, now, 300s), core::Unauthenticated);
    std::string flipped = header;
    flipped.back() = flipped.back() == '0' ? '1' : '0';
    CHECK_THROWS_AS(VerifyWebhook(kSecret, flipped, body, now, 300s), core::Unauthenticated);
    // Re-using a signature with another timestamp fails: the timestamp is signed too.
    const std::string moved = "t=1700000005" + header.substr(header.find(','));
    CHECK_THROWS_AS(VerifyWebhook(kSecret, moved, body, now, 300s), core::Unauthenticated);
}

TEST_CASE("Webhook: a stale or future timestamp is refused even with a valid signature", "[payments][webhook]") {
    const std::string body = EncodeProviderEvent(SampleEvent());
    const std::string header = SignWebhook(kSecret, 1'700'000'000, body);
    CHECK_THROWS_AS(VerifyWebhook(kSecret, header, body, At(1'700'000'301), 300s), core::Unauthenticated);
    CHECK_THROWS_AS(VerifyWebhook(kSecret, header, body, At(1'699'999'699), 300s), core::Unauthenticated);
}

TEST_CASE("Webhook: a malformed signature header names the field", "[payments][webhook]") {
    const std::string body = "{}";
    for (const std::string header : {"", "v1=abc", "t=abc,v1=00", "t=1700000000", "garbage"}) {
        INFO("header '" << header << "'");
        try {
            VerifyWebhook(kSecret, header, body, At(1'700'000'000), 300s);
            FAIL("accepted");
        } catch (const core::InvalidArgument& e) {
            CHECK(e.field() == "signature");
        }
    }
}

TEST_CASE("Webhook: bodies round-trip and bad ones name the field", "[payments][webhook]") {
    const auto original = SampleEvent();
    const auto decoded = DecodeProviderEvent(EncodeProviderEvent(original));
    CHECK(decoded.id == original.id);
    CHECK(decoded.type == original.type);
    CHECK(decoded.reference == original.reference);
    CHECK(decoded.minor_units == original.minor_units);
    CHECK(decoded.currency == original.currency);
    CHECK(decoded.created == original.created);

    auto field_of = [](const std::string& body) {
        try {
            DecodeProviderEvent(body);
        } catch (const core::InvalidArgument& e) {
            return e.field();
        }
        return std::string("accepted");
    };
    CHECK(field_of("not json") == "body");
    CHECK(field_of("[]") == "body");
    CHECK(field_of(R"({"type":"deposit.succeeded"})") == "body.id");
    CHECK(field_of(R"({"id":"e","type":"refund.created"})") == "body.type");
    CHECK(field_of(R"({"id":"e","type":"payout.paid","reference":"nope"})") == "body.reference");
    CHECK(field_of(R"({"id":"e","type":"payout.paid","reference":"0190aaaa-0000-7000-8000-00000000000a",)"
                   R"("amount":{"minor_units":1.5,"currency":"EUR"},"created":1})") == "body.amount.minor_units");
    CHECK(field_of(R"({"id":"e","type":"payout.paid","reference":"0190aaaa-0000-7000-8000-00000000000a",)"
                   R"("amount":{"minor_units":18446744073709551615,"currency":"EUR"},"created":1})") ==
          "body.amount.minor_units");
}
