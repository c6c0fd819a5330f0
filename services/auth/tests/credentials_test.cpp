#include <catch2/catch.hpp>

#include <string>

#include "domain/credentials.hpp"
#include "marketplace/core/errors.hpp"

using namespace marketplace;

namespace {

// The field and rule of the InvalidArgument `fn` throws ("" when it does not throw).
template <typename Fn>
std::string Rejected(Fn&& fn) {
    try {
        fn();
    } catch (const core::InvalidArgument& e) {
        return e.caller_message();
    }
    return "";
}

}  // namespace

TEST_CASE("Credentials: emails are stored lower-cased", "[auth][credentials]") {
    CHECK(auth::NormalizeEmail("Ada.Lovelace+jobs@Example.COM") == "ada.lovelace+jobs@example.com");
    CHECK(auth::NormalizeEmail("a@b.io") == "a@b.io");
}

TEST_CASE("Credentials: a malformed email is refused naming the field", "[auth][credentials]") {
    for (const char* bad :
         {"", "plain", "a@b", "@example.com", "a@@example.com", "a@example..com", "a b@example.com", "a@-example.com",
          ".a@example.com", "a.@example.com", "a..b@example.com", "a@exa_mple.com", "\"a\"@example.com"}) {
        INFO(bad);
        CHECK(Rejected([&] { auth::NormalizeEmail(bad); }).rfind("email: ", 0) == 0);
    }
}

TEST_CASE("Credentials: emails are limited to 254 characters and local parts to 64", "[auth][credentials]") {
    const std::string domain =
        "@" + std::string(61, 'd') + "." + std::string(61, 'e') + "." + std::string(61, 'f') + ".com";
    const std::string local(254 - domain.size(), 'a');
    REQUIRE(local.size() <= 64);
    CHECK(auth::NormalizeEmail(local + domain).size() == 254);
    CHECK(Rejected([&] { auth::NormalizeEmail("a" + local + domain); }) == "email: must be at most 254 characters");
    CHECK_FALSE(Rejected([&] { auth::NormalizeEmail(std::string(65, 'a') + "@example.com"); }).empty());
}

TEST_CASE("Credentials: passwords must be 10 to 128 characters", "[auth][credentials]") {
    CHECK(Rejected([] { auth::ValidatePassword(std::string(9, 'x'), "a@b.io"); }) ==
          "password: must be 10 to 128 characters");
    CHECK(Rejected([] { auth::ValidatePassword(std::string(10, 'x'), "a@b.io"); }).empty());
    CHECK(Rejected([] { auth::ValidatePassword(std::string(128, 'x'), "a@b.io"); }).empty());
    CHECK(Rejected([] { auth::ValidatePassword(std::string(129, 'x'), "a@b.io"); }) ==
          "password: must be 10 to 128 characters");
    CHECK(Rejected([] { auth::ValidatePassword("", "a@b.io"); }) == "password: is required");
}

TEST_CASE("Credentials: password length counts characters, not bytes", "[auth][credentials]") {
    std::string ten_umlauts;
    for (int i = 0; i < 10; ++i) ten_umlauts += "\xC3\xBC";  // ü, two bytes each
    CHECK(Rejected([&] { auth::ValidatePassword(ten_umlauts, "a@b.io"); }).empty());
    std::string nine_umlauts = ten_umlauts.substr(2);
    CHECK_FALSE(Rejected([&] { auth::ValidatePassword(nine_umlauts, "a@b.io"); }).empty());
    CHECK(Rejected([] { auth::ValidatePassword("abcdefghi\xC3", "a@b.io"); }) == "password: must be valid UTF-8");
}

TEST_CASE("Credentials: a password may not hold control characters or be the email address", "[auth][credentials]") {
    CHECK(Rejected([] { auth::ValidatePassword("abcde\nfghijk", "a@b.io"); }) ==
          "password: must not contain control characters");
    CHECK(Rejected([] { auth::ValidatePassword("LongName@Example.com", "longname@example.com"); }) ==
          "password: must not be the email address");
}

TEST_CASE("Credentials: display names are trimmed, required and at most 100 characters", "[auth][credentials]") {
    CHECK(auth::NormalizeDisplayName("  Ada Lovelace ") == "Ada Lovelace");
    CHECK(Rejected([] { auth::NormalizeDisplayName("   "); }) == "display_name: is required");
    CHECK(Rejected([] { auth::NormalizeDisplayName(std::string(101, 'n')); }) ==
          "display_name: must be at most 100 characters");
    CHECK(Rejected([] { auth::NormalizeDisplayName("Ada\x01"); }) ==
          "display_name: must not contain control characters");
}
