#include <catch2/catch.hpp>

#include <chrono>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "marketplace/tokens/base64url.hpp"
#include "marketplace/tokens/jwt.hpp"
#include "marketplace/tokens/roles.hpp"
#include "marketplace/tokens/signing_key.hpp"

using namespace marketplace;
using tokens::Rejection;
using Json = nlohmann::json;
using std::chrono::seconds;

namespace {

const core::Clock::TimePoint kStart{seconds(1'800'000'000)};

struct Fixture {
    std::shared_ptr<core::ManualClock> clock = std::make_shared<core::ManualClock>(kStart);
    tokens::SigningKey key = tokens::SigningKey::Generate("key-1");
    tokens::JwtIssuer issuer{key, "marketplace-auth", seconds(900), clock};
    tokens::VerifierOptions options{.issuer = "marketplace-auth", .leeway = seconds(30), .clock = clock};

    tokens::KeyLookup Keys() const {
        return [pub = key.public_key()](std::string_view kid) -> std::optional<tokens::PublicKey> {
            if (kid == pub.kid) return pub;
            return std::nullopt;
        };
    }
    tokens::Verification Verify(const std::string& token) const { return tokens::VerifyJwt(token, Keys(), options); }

    // A token with these header and claims, signed by the fixture's key.
    std::string Signed(const Json& header, const Json& claims) const {
        return tokens::EncodeJws(key, header.dump(), claims.dump());
    }
    Json Header() const { return {{"alg", "EdDSA"}, {"typ", "JWT"}, {"kid", key.kid()}}; }
    Json Claims() const {
        const auto now = std::chrono::duration_cast<seconds>(clock->Now().time_since_epoch()).count();
        return {{"sub", "user-1"}, {"role", "client"}, {"iss", "marketplace-auth"},
                {"iat", now},      {"exp", now + 900}, {"jti", "j-1"}};
    }
};

Json DecodePart(const std::string& token, int index) {
    std::size_t start = 0;
    for (int i = 0; i < index; ++i) start = token.find('.', start) + 1;
    const auto end = token.find('.', start);
    return Json::parse(*tokens::Base64UrlDecode(token.substr(start, end - start)));
}

}  // namespace

TEST_CASE("JWT: an issued token verifies and carries subject, role and expiry", "[auth][jwt]") {
    Fixture f;
    const auto issued = f.issuer.IssueToken("0190a1b2-0000-7000-8000-000000000001", "freelancer");
    const auto v = f.Verify(issued.token);
    INFO(tokens::RejectionName(v.rejection));
    REQUIRE(v.ok());
    CHECK(v.claims->subject == "0190a1b2-0000-7000-8000-000000000001");
    CHECK(v.claims->role == "freelancer");
    CHECK(v.claims->expires_at == kStart + seconds(900));
    CHECK(issued.expires_at == kStart + seconds(900));
    CHECK(v.kid == "key-1");
}

TEST_CASE("JWT: the header says EdDSA, JWT and the key id; the claims hold sub, role, iss, iat, exp, jti",
          "[auth][jwt]") {
    Fixture f;
    const auto issued = f.issuer.IssueToken("u-7", "admin");
    const Json header = DecodePart(issued.token, 0);
    CHECK(header == Json{{"alg", "EdDSA"}, {"typ", "JWT"}, {"kid", "key-1"}});
    const Json claims = DecodePart(issued.token, 1);
    CHECK(claims["sub"] == "u-7");
    CHECK(claims["role"] == "admin");
    CHECK(claims["iss"] == "marketplace-auth");
    CHECK(claims["iat"] == 1'800'000'000);
    CHECK(claims["exp"] == 1'800'000'900);
    CHECK(claims["jti"] == issued.jti);
    CHECK(f.issuer.IssueToken("u-7", "admin").jti != issued.jti);
}

TEST_CASE("JWT: the issuer refuses an empty subject and unknown roles", "[auth][jwt]") {
    Fixture f;
    CHECK_THROWS_AS(f.issuer.Issue("", "client"), std::invalid_argument);
    CHECK_THROWS_AS(f.issuer.Issue("u", "superuser"), std::invalid_argument);
    CHECK_THROWS_AS(f.issuer.Issue("u", "Client"), std::invalid_argument);
    CHECK_THROWS_AS(tokens::JwtIssuer(f.key, "", seconds(60)), std::invalid_argument);
    CHECK_THROWS_AS(tokens::JwtIssuer(f.key, "iss", seconds(0)), std::invalid_argument);
}

TEST_CASE("JWT: a key rebuilt from its stored seed signs tokens the original public key accepts", "[auth][jwt]") {
    Fixture f;
    const auto copy = tokens::SigningKey::FromSeed("key-1", f.key.seed());
    CHECK(copy.public_key() == f.key.public_key());
    const tokens::JwtIssuer issuer(copy, "marketplace-auth", seconds(900), f.clock);
    CHECK(f.Verify(issuer.Issue("u", "client")).ok());
    CHECK_THROWS_AS(tokens::SigningKey::FromSeed("k", "short"), std::invalid_argument);
    CHECK_THROWS_AS(tokens::SigningKey::FromSeed("", f.key.seed()), std::invalid_argument);
}

TEST_CASE("JWT: expiry is judged by the injected clock with the leeway", "[auth][jwt]") {
    Fixture f;
    const auto token = f.issuer.Issue("u", "client");
    f.clock->Advance(seconds(900 + 29));
    CHECK(f.Verify(token).ok());  // within the leeway
    f.clock->Advance(seconds(1));
    CHECK(f.Verify(token).rejection == Rejection::kExpired);
    CHECK(f.Verify(f.issuer.Issue("u", "client")).ok());  // a token issued now is fine
}

TEST_CASE("JWT: a token issued in the future beyond the leeway is refused", "[auth][jwt]") {
    Fixture f;
    const auto future = f.issuer.IssueAt("u", "client", kStart + seconds(120)).token;
    CHECK(f.Verify(future).rejection == Rejection::kNotYetValid);
    const auto slightly = f.issuer.IssueAt("u", "client", kStart + seconds(20)).token;
    CHECK(f.Verify(slightly).ok());
    auto claims = f.Claims();
    claims["nbf"] = 1'800'000'000 + 3600;
    CHECK(f.Verify(f.Signed(f.Header(), claims)).rejection == Rejection::kNotYetValid);
}

TEST_CASE("JWT: alg none, HS256, a missing alg or a differently spelled EdDSA is refused", "[auth][jwt]") {
    Fixture f;
    for (const Json& alg :
         {Json("none"), Json("HS256"), Json("RS256"), Json("eddsa"), Json("EdDSA "), Json(nullptr), Json(1)}) {
        auto header = f.Header();
        header["alg"] = alg;
        INFO(alg.dump());
        CHECK(f.Verify(f.Signed(header, f.Claims())).rejection == Rejection::kBadAlgorithm);
    }
    auto no_alg = f.Header();
    no_alg.erase("alg");
    CHECK(f.Verify(f.Signed(no_alg, f.Claims())).rejection == Rejection::kBadAlgorithm);

    // The classic attack: header alg "none" and an empty signature.
    const auto none = tokens::Base64UrlEncode(Json{{"alg", "none"}, {"kid", "key-1"}}.dump()) + "." +
                      tokens::Base64UrlEncode(f.Claims().dump()) + ".";
    CHECK(f.Verify(none).rejection == Rejection::kBadAlgorithm);
}

TEST_CASE("JWT: a typ other than JWT or a crit header is refused", "[auth][jwt]") {
    Fixture f;
    auto header = f.Header();
    header["typ"] = "at+jwt";
    CHECK(f.Verify(f.Signed(header, f.Claims())).rejection == Rejection::kBadAlgorithm);
    header = f.Header();
    header["crit"] = Json::array({"exp"});
    CHECK(f.Verify(f.Signed(header, f.Claims())).rejection == Rejection::kBadAlgorithm);
    header = f.Header();
    header.erase("typ");
    CHECK(f.Verify(f.Signed(header, f.Claims())).ok());  // typ is optional
}

TEST_CASE("JWT: a missing or unknown kid is refused", "[auth][jwt]") {
    Fixture f;
    auto header = f.Header();
    header.erase("kid");
    CHECK(f.Verify(f.Signed(header, f.Claims())).rejection == Rejection::kMissingKeyId);
    header["kid"] = "";
    CHECK(f.Verify(f.Signed(header, f.Claims())).rejection == Rejection::kMissingKeyId);
    const tokens::JwtIssuer stranger(tokens::SigningKey::Generate("key-2"), "marketplace-auth", seconds(900), f.clock);
    const auto v = f.Verify(stranger.Issue("u", "client"));
    CHECK(v.rejection == Rejection::kUnknownKey);
    CHECK(v.kid == "key-2");
}

TEST_CASE("JWT: a token signed by another key under a known kid is refused", "[auth][jwt]") {
    Fixture f;
    const tokens::JwtIssuer impostor(tokens::SigningKey::Generate("key-1"), "marketplace-auth", seconds(900), f.clock);
    CHECK(f.Verify(impostor.Issue("u", "admin")).rejection == Rejection::kBadSignature);
}

TEST_CASE("JWT: changing the claims, the header or the signature after signing is detected", "[auth][jwt]") {
    Fixture f;
    const auto token = f.issuer.Issue("u", "client");
    const auto dot1 = token.find('.');
    const auto dot2 = token.find('.', dot1 + 1);
    const std::string header = token.substr(0, dot1);
    const std::string signature = token.substr(dot2 + 1);

    auto claims = f.Claims();
    claims["role"] = "admin";
    CHECK(f.Verify(header + "." + tokens::Base64UrlEncode(claims.dump()) + "." + signature).rejection ==
          Rejection::kBadSignature);

    auto other_header = f.Header();
    other_header["x"] = 1;
    CHECK(f.Verify(tokens::Base64UrlEncode(other_header.dump()) + token.substr(dot1)).rejection ==
          Rejection::kBadSignature);

    std::string sig = *tokens::Base64UrlDecode(signature);
    sig[10] = static_cast<char>(sig[10] ^ 0x01);
    CHECK(f.Verify(token.substr(0, dot2 + 1) + tokens::Base64UrlEncode(sig)).rejection == Rejection::kBadSignature);
    CHECK(f.Verify(token.substr(0, dot2 + 1) + tokens::Base64UrlEncode(sig.substr(0, 63))).rejection ==
          Rejection::kBadSignature);
}

TEST_CASE("JWT: anything but three base64url parts holding JSON objects is malformed", "[auth][jwt]") {
    Fixture f;
    const auto token = f.issuer.Issue("u", "client");
    CHECK(f.Verify("").rejection == Rejection::kMalformed);
    CHECK(f.Verify("abc").rejection == Rejection::kMalformed);
    CHECK(f.Verify("a.b").rejection == Rejection::kMalformed);
    CHECK(f.Verify(token + ".extra").rejection == Rejection::kMalformed);
    CHECK(f.Verify("." + token.substr(token.find('.'))).rejection == Rejection::kMalformed);
    CHECK(f.Verify("e30=" + token.substr(token.find('.'))).rejection == Rejection::kMalformed);  // padded
    CHECK(f.Verify("e3!" + token.substr(token.find('.'))).rejection == Rejection::kMalformed);
    CHECK(f.Verify(tokens::Base64UrlEncode("[1,2]") + token.substr(token.find('.'))).rejection ==
          Rejection::kMalformed);
    CHECK(f.Verify(tokens::Base64UrlEncode("{not json") + token.substr(token.find('.'))).rejection ==
          Rejection::kMalformed);
    CHECK(f.Verify(std::string(tokens::kMaxTokenBytes + 1, 'a')).rejection == Rejection::kMalformed);
    // Signed, but the claims are not an object.
    CHECK(f.Verify(tokens::EncodeJws(f.key, f.Header().dump(), "\"hello\"")).rejection == Rejection::kMalformed);
}

TEST_CASE("JWT: a wrong or missing issuer is refused", "[auth][jwt]") {
    Fixture f;
    auto claims = f.Claims();
    claims["iss"] = "someone-else";
    CHECK(f.Verify(f.Signed(f.Header(), claims)).rejection == Rejection::kWrongIssuer);
    claims.erase("iss");
    CHECK(f.Verify(f.Signed(f.Header(), claims)).rejection == Rejection::kWrongIssuer);
}

TEST_CASE("JWT: missing or mistyped sub, role, iat or exp are refused", "[auth][jwt]") {
    Fixture f;
    for (const char* name : {"sub", "role", "iat", "exp"}) {
        auto claims = f.Claims();
        claims.erase(name);
        INFO(name);
        CHECK(f.Verify(f.Signed(f.Header(), claims)).rejection == Rejection::kBadClaims);
    }
    auto claims = f.Claims();
    claims["exp"] = "1800000900";
    CHECK(f.Verify(f.Signed(f.Header(), claims)).rejection == Rejection::kBadClaims);
    claims = f.Claims();
    claims["exp"] = 1800000900.5;
    CHECK(f.Verify(f.Signed(f.Header(), claims)).rejection == Rejection::kBadClaims);
    claims = f.Claims();
    claims["exp"] = claims["iat"];
    CHECK(f.Verify(f.Signed(f.Header(), claims)).rejection == Rejection::kBadClaims);
    claims = f.Claims();
    claims["sub"] = "";
    CHECK(f.Verify(f.Signed(f.Header(), claims)).rejection == Rejection::kBadClaims);
    claims = f.Claims();
    claims["exp"] = 18446744073709551615ULL;
    CHECK(f.Verify(f.Signed(f.Header(), claims)).rejection == Rejection::kBadClaims);
}

TEST_CASE("JWT: only the roles client, freelancer and admin are accepted", "[auth][jwt]") {
    Fixture f;
    for (const char* role : {"client", "freelancer", "admin"}) {
        auto claims = f.Claims();
        claims["role"] = role;
        CHECK(f.Verify(f.Signed(f.Header(), claims)).ok());
    }
    for (const char* role : {"root", "Admin", ""}) {
        auto claims = f.Claims();
        claims["role"] = role;
        INFO(role);
        CHECK(f.Verify(f.Signed(f.Header(), claims)).rejection == Rejection::kUnknownRole);
    }
}

TEST_CASE("Roles: names and proto enum values map both ways", "[auth][roles]") {
    CHECK(tokens::RoleName(auth::v1::ROLE_CLIENT) == "client");
    CHECK(tokens::RoleName(auth::v1::ROLE_FREELANCER) == "freelancer");
    CHECK(tokens::RoleName(auth::v1::ROLE_ADMIN) == "admin");
    CHECK(tokens::RoleName(auth::v1::ROLE_UNSPECIFIED).empty());
    CHECK(tokens::RoleFromName("admin") == auth::v1::ROLE_ADMIN);
    CHECK_FALSE(tokens::RoleFromName("ADMIN").has_value());
}
