#include <catch2/catch.hpp>

#include <string>

#include "marketplace/tokens/base64url.hpp"

using marketplace::tokens::Base64UrlDecode;
using marketplace::tokens::Base64UrlEncode;

TEST_CASE("base64url: encodes the RFC 4648 test vectors without padding", "[auth][base64url]") {
    CHECK(Base64UrlEncode("") == "");
    CHECK(Base64UrlEncode("f") == "Zg");
    CHECK(Base64UrlEncode("fo") == "Zm8");
    CHECK(Base64UrlEncode("foo") == "Zm9v");
    CHECK(Base64UrlEncode("foob") == "Zm9vYg");
    CHECK(Base64UrlEncode("fooba") == "Zm9vYmE");
    CHECK(Base64UrlEncode("foobar") == "Zm9vYmFy");
}

TEST_CASE("base64url: uses - and _ where standard base64 uses + and /", "[auth][base64url]") {
    const std::string bytes("\xfb\xff\xbf", 3);
    CHECK(Base64UrlEncode(bytes) == "-_-_");
    CHECK(Base64UrlDecode("-_-_") == bytes);
}

TEST_CASE("base64url: every byte string survives a round trip", "[auth][base64url]") {
    std::string all;
    for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
    for (std::size_t len = 0; len <= all.size(); len += 17) {
        const std::string part = all.substr(0, len);
        const auto decoded = Base64UrlDecode(Base64UrlEncode(part));
        REQUIRE(decoded.has_value());
        CHECK(*decoded == part);
    }
}

TEST_CASE("base64url: rejects padding, foreign characters, impossible lengths and non-canonical tails",
          "[auth][base64url]") {
    CHECK_FALSE(Base64UrlDecode("Zg==").has_value());    // padding
    CHECK_FALSE(Base64UrlDecode("Zm9v+w").has_value());  // '+' belongs to standard base64
    CHECK_FALSE(Base64UrlDecode("Zm9v/w").has_value());  // '/' too
    CHECK_FALSE(Base64UrlDecode("Zm 9v").has_value());   // whitespace
    CHECK_FALSE(Base64UrlDecode("Zm9vY").has_value());   // 4n+1 characters cannot encode whole bytes
    CHECK_FALSE(Base64UrlDecode("Zh").has_value());      // "Zg" with non-zero trailing bits
    CHECK_FALSE(Base64UrlDecode(std::string("Zg\0", 3)).has_value());
    CHECK(Base64UrlDecode("").value() == "");
}
