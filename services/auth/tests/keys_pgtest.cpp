#include <catch2/catch.hpp>

#include <algorithm>

#include <pqxx/pqxx>

#include "app/key_ring.hpp"
#include "domain/seed_box.hpp"
#include "fixture.hpp"
#include "marketplace/db/transaction.hpp"
#include "marketplace/tokens/base64url.hpp"
#include "marketplace/tokens/test_tokens.hpp"
#include "marketplace/tokens/verifier.hpp"

using namespace marketplace;
using namespace marketplace::auth::testing;
using auth::v1::AuthService;
using grpc::StatusCode;

namespace {

std::vector<std::string> Kids(AuthServer& server) {
    auth::v1::GetJwksResponse jwks;
    REQUIRE(server.Call(&AuthService::Stub::GetJwks, auth::v1::GetJwksRequest(), &jwks).ok());
    std::vector<std::string> kids;
    for (const auto& key : jwks.keys()) kids.push_back(key.kid());
    return kids;
}

std::string KidOf(const std::string& token) {
    const auto header = tokens::Base64UrlDecode(token.substr(0, token.find('.')));
    REQUIRE(header);
    const auto at = header->find("\"kid\":\"");
    REQUIRE(at != std::string::npos);
    const auto start = at + 7;
    return header->substr(start, header->find('"', start) - start);
}

grpc::Status Rotate(AuthServer& server, const std::string& token, auth::v1::RotateSigningKeyResponse* response,
                    const std::string& key = Key()) {
    return server.Call(&AuthService::Stub::RotateSigningKey, auth::v1::RotateSigningKeyRequest(), response,
                       {.token = token, .idempotency_key = key});
}

// A call that needs a valid token: the caller's own profile update of its headline.
grpc::Status TouchProfile(AuthServer& server, const std::string& token, const std::string& headline = "Hello") {
    auth::v1::UpdateProfileRequest request;
    request.mutable_profile()->set_headline(headline);
    request.mutable_update_mask()->add_paths("headline");
    auth::v1::UpdateProfileResponse response;
    return server.Call(&AuthService::Stub::UpdateProfile, request, &response,
                       {.token = token, .idempotency_key = Key()});
}

}  // namespace

TEST_CASE("Keys: the JWKS lists the current Ed25519 key, which signs the access tokens", "[auth][pg][keys]") {
    AuthServer server;
    auth::v1::GetJwksResponse jwks;
    REQUIRE(server.Call(&AuthService::Stub::GetJwks, auth::v1::GetJwksRequest(), &jwks).ok());
    REQUIRE(jwks.keys_size() == 1);
    const auto& key = jwks.keys(0);
    CHECK(key.kty() == "OKP");
    CHECK(key.crv() == "Ed25519");
    CHECK(key.alg() == "EdDSA");
    CHECK(key.use() == "sig");
    CHECK(tokens::PublicKeyFromJwk(key).has_value());
    const auto session = server.LoginUser(kAdminEmail, kAdminPassword);
    CHECK(KidOf(session.access_token()) == key.kid());
}

TEST_CASE("Keys: a rotation logs nobody out: old tokens verify, new tokens use the new key", "[auth][pg][keys]") {
    AuthServer server;
    const auto email = UniqueEmail();
    server.RegisterUser(email);
    const auto before = server.LoginUser(email);
    const auto admin = server.LoginUser(kAdminEmail, kAdminPassword);
    const auto old_kid = KidOf(before.access_token());

    // Another service's verifier, which has cached the old key.
    tokens::JwksVerifierOptions options;
    options.verify.clock = server.clock;
    const tokens::JwksVerifier remote(server.channel, options);
    REQUIRE(remote.Verify(before.access_token()));

    auth::v1::RotateSigningKeyResponse rotated;
    REQUIRE(Rotate(server, admin.access_token(), &rotated).ok());
    CHECK(rotated.previous_kid() == old_kid);
    CHECK(rotated.key().kid() != old_kid);
    CHECK(Kids(server) == std::vector<std::string>{rotated.key().kid(), old_kid});

    server.clock->Advance(std::chrono::minutes(1));
    const auto after = server.LoginUser(email);
    CHECK(KidOf(after.access_token()) == rotated.key().kid());

    // Both tokens are accepted, here and by the remote verifier (which fetches the unknown kid).
    CHECK(TouchProfile(server, before.access_token()).ok());
    CHECK(TouchProfile(server, after.access_token()).ok());
    CHECK(remote.Verify(before.access_token()));
    CHECK(remote.Verify(after.access_token()));

    // The session from before the rotation refreshes into tokens of the new key.
    auth::v1::RefreshResponse refreshed;
    REQUIRE(server.Refresh(before.refresh_token(), &refreshed).ok());
    CHECK(KidOf(refreshed.session().access_token()) == rotated.key().kid());

    // The retired key has lost its private half.
    CHECK(server.Count("signing_keys", "kid = '" + old_kid + "' AND seed IS NULL AND retired_at IS NOT NULL") == 1);
    CHECK(server.Count("signing_keys", "sealed_seed IS NOT NULL") == 1);
    CHECK(server.Count("signing_keys", "seed IS NOT NULL") == 0);  // never in plaintext
}

TEST_CASE("Keys: a retired key leaves the JWKS after the retention, when its tokens have long expired",
          "[auth][pg][keys]") {
    AuthServer server;  // retention 24 h
    const auto admin = server.LoginUser(kAdminEmail, kAdminPassword);
    const auto old_kid = KidOf(admin.access_token());
    auth::v1::RotateSigningKeyResponse rotated;
    REQUIRE(Rotate(server, admin.access_token(), &rotated).ok());
    server.clock->Advance(std::chrono::hours(24) - std::chrono::minutes(1));
    CHECK(Kids(server).size() == 2);
    server.clock->Advance(std::chrono::minutes(2));
    CHECK(Kids(server) == std::vector<std::string>{rotated.key().kid()});
}

TEST_CASE("Keys: a rotation replayed with its idempotency key rotates once", "[auth][pg][keys]") {
    AuthServer server;
    const auto admin = server.LoginUser(kAdminEmail, kAdminPassword);
    const auto key = Key();
    auth::v1::RotateSigningKeyResponse first;
    auth::v1::RotateSigningKeyResponse again;
    REQUIRE(Rotate(server, admin.access_token(), &first, key).ok());
    REQUIRE(Rotate(server, admin.access_token(), &again, key).ok());
    CHECK(again.key().kid() == first.key().kid());
    CHECK(server.Count("signing_keys") == 2);
}

TEST_CASE("Keys: only admins rotate keys", "[auth][pg][keys]") {
    AuthServer server;
    const auto email = UniqueEmail();
    server.RegisterUser(email, auth::v1::ROLE_CLIENT);
    const auto client = server.LoginUser(email);
    auth::v1::RotateSigningKeyResponse response;
    CHECK(Rotate(server, client.access_token(), &response).error_code() == StatusCode::PERMISSION_DENIED);
    CHECK(Rotate(server, "", &response).error_code() == StatusCode::UNAUTHENTICATED);
    CHECK(server.Count("signing_keys") == 1);
}

TEST_CASE("Keys: forged, tampered and expired tokens are refused by the service", "[auth][pg][keys]") {
    AuthServer server;
    const auto email = UniqueEmail();
    const auto user_id = server.RegisterUser(email);
    const auto session = server.LoginUser(email);
    CHECK(TouchProfile(server, session.access_token()).ok());

    // Tokens made by someone else's key (tokens::TestTokens has its own), or bent in known ways.
    const tokens::TestTokens forger({.clock = server.clock});
    for (const auto& bad :
         {forger.For(user_id, "admin"), forger.AlgNone(user_id, "admin"), forger.UnknownKid(user_id, "client"),
          forger.Tampered(user_id, "client"), std::string("not.a.token"), session.access_token() + "x"}) {
        INFO(bad);
        CHECK(TouchProfile(server, bad).error_code() == StatusCode::UNAUTHENTICATED);
    }
    // A genuine token whose role was changed after signing.
    const auto dot1 = session.access_token().find('.');
    const auto dot2 = session.access_token().find('.', dot1 + 1);
    auto claims = *tokens::Base64UrlDecode(session.access_token().substr(dot1 + 1, dot2 - dot1 - 1));
    claims.replace(claims.find("\"client\""), 8, "\"admin\" ");
    const auto escalated = session.access_token().substr(0, dot1 + 1) + tokens::Base64UrlEncode(claims) +
                           session.access_token().substr(dot2);
    CHECK(TouchProfile(server, escalated).error_code() == StatusCode::UNAUTHENTICATED);

    // The genuine token expires after 15 minutes.
    server.clock->Advance(std::chrono::minutes(15));
    CHECK(TouchProfile(server, session.access_token()).error_code() == StatusCode::UNAUTHENTICATED);
}

namespace {

// The signing_keys rows' private halves: (plaintext seed present, sealed seed present, seed_key_id).
struct SeedRow {
    bool plaintext = false;
    bool sealed = false;
    std::string seed_key_id;
};

SeedRow CurrentSeedRow(AuthServer& server) {
    pqxx::connection conn(server.database->conninfo());
    pqxx::work tx(conn);
    const auto r = tx.exec1(
        "SELECT seed IS NOT NULL, sealed_seed IS NOT NULL, coalesce(seed_key_id, '') FROM signing_keys "
        "WHERE retired_at IS NULL");
    return {r[0].as<bool>(), r[1].as<bool>(), r[2].as<std::string>()};
}

auth::KeyRingOptions RingOptions(const std::string& key, const std::string& previous = {}) {
    auth::KeyRingOptions o;
    o.seed_key = key;
    o.seed_key_previous = previous;
    return o;
}

}  // namespace

TEST_CASE("Keys: the signing seed is stored sealed under the seed key, never in plaintext", "[auth][pg][keys]") {
    AuthServer server;
    const auto row = CurrentSeedRow(server);
    CHECK_FALSE(row.plaintext);
    CHECK(row.sealed);
    CHECK(row.seed_key_id == auth::SeedBox::KeyId(TestOptions().seed_key));
}

TEST_CASE("Keys: rotating the seed key reseals every seed; the old key is accepted meanwhile, an unknown one refused",
          "[auth][pg][keys]") {
    AuthServer server;
    const auto first_email = UniqueEmail();
    server.RegisterUser(first_email);
    const auto before = server.LoginUser(first_email);
    const std::string old_key = TestOptions().seed_key;
    const std::string new_key(32, '\x21');

    // A replica started with the new key and the old one as previous reseals the seed at start.
    auth::KeyRing rotated(*server.runtime, RingOptions(new_key, old_key));
    CHECK(rotated.SealSeeds() == 1);
    CHECK(CurrentSeedRow(server).seed_key_id == auth::SeedBox::KeyId(new_key));
    CHECK(rotated.SealSeeds() == 0);  // nothing left to reseal

    // It signs with the same key as before: nobody is logged out.
    const auto token = db::InTransaction(server.runtime->pool(), [&](pqxx::work& tx) {
        return rotated.IssueAccessToken(tx, "00000000-0000-7000-8000-000000000001", "client", 0);
    });
    CHECK(KidOf(token.token) == KidOf(before.access_token()));
    CHECK(TouchProfile(server, before.access_token()).ok());
    // The replica started before the rotation keeps signing too (it opened the seed already).
    const auto second_email = UniqueEmail();
    server.RegisterUser(second_email);
    CHECK(server.LoginUser(second_email).access_token().size() > 0);

    // A replica with neither key refuses to start, naming the variables.
    auth::KeyRing lost(*server.runtime, RingOptions(std::string(32, '\x07')));
    CHECK_THROWS_WITH(lost.SealSeeds(), Catch::Contains("AUTH_SEED_KEY"));
}

TEST_CASE("Keys: a seed left in plaintext by an older version is sealed at start and its plaintext erased",
          "[auth][pg][keys]") {
    AuthServer server;
    // What the table looked like before seeds were sealed: the current key's seed in plaintext.
    const auto key = tokens::SigningKey::Generate();
    {
        pqxx::connection conn(server.database->conninfo());
        pqxx::work tx(conn);
        tx.exec("UPDATE signing_keys SET retired_at = now(), sealed_seed = NULL, seed_key_id = NULL");
        const auto pub = key.public_key();
        tx.exec_params("INSERT INTO signing_keys (kid, public_key, seed, created_at) VALUES ($1, $2, $3, now())",
                       key.kid(), pqxx::binarystring(pub.bytes.data(), pub.bytes.size()),
                       pqxx::binarystring(key.seed().data(), key.seed().size()));
        tx.commit();
    }
    REQUIRE(CurrentSeedRow(server).plaintext);
    auth::KeyRing ring(*server.runtime, RingOptions(TestOptions().seed_key));
    ring.EnsureCurrentKey();
    const auto row = CurrentSeedRow(server);
    CHECK_FALSE(row.plaintext);
    CHECK(row.sealed);
    // The sealed seed is the same key: it still signs under its kid.
    const auto token = db::InTransaction(server.runtime->pool(), [&](pqxx::work& tx) {
        return ring.IssueAccessToken(tx, "00000000-0000-7000-8000-000000000001", "client", 0);
    });
    CHECK(KidOf(token.token) == key.kid());
}

TEST_CASE("Keys: an emergency revocation removes the key from the JWKS, refuses its tokens, and a new key signs",
          "[auth][pg][keys]") {
    AuthServer server;
    const auto admin = server.LoginUser(kAdminEmail, kAdminPassword);
    const auto user_email = UniqueEmail();
    server.RegisterUser(user_email);
    const auto user = server.LoginUser(user_email);
    const std::string leaked = KidOf(user.access_token());

    auth::v1::RevokeSigningKeyRequest request;
    request.set_kid(leaked);
    auth::v1::RevokeSigningKeyResponse response;
    // Only admins.
    CHECK(server.Call(&AuthService::Stub::RevokeSigningKey, request, &response, {.token = user.access_token()})
              .error_code() == StatusCode::PERMISSION_DENIED);
    REQUIRE(
        server.Call(&AuthService::Stub::RevokeSigningKey, request, &response, {.token = admin.access_token()}).ok());
    CHECK(response.current_key().kid() != leaked);
    const auto kids = Kids(server);
    CHECK(std::find(kids.begin(), kids.end(), leaked) == kids.end());
    CHECK(TouchProfile(server, user.access_token()).error_code() == StatusCode::UNAUTHENTICATED);
    const auto again_email = UniqueEmail();
    server.RegisterUser(again_email);
    const auto again = server.LoginUser(again_email);
    CHECK(KidOf(again.access_token()) == response.current_key().kid());
    CHECK(TouchProfile(server, again.access_token()).ok());

    request.set_kid("no-such-kid");
    const auto admin2 = server.LoginUser(kAdminEmail, kAdminPassword);
    CHECK(server.Call(&AuthService::Stub::RevokeSigningKey, request, &response, {.token = admin2.access_token()})
              .error_code() == StatusCode::NOT_FOUND);
}
