#include <catch2/catch.hpp>

#include "domain/password_hasher.hpp"

using namespace marketplace;

TEST_CASE("Password: a hash verifies its password and no other", "[auth][password]") {
    const auth::PasswordHasher hasher(auth::PasswordCost::Minimum());
    const auto hash = hasher.Hash("correct horse battery");
    CHECK(hash.rfind("$argon2id$", 0) == 0);
    CHECK(hasher.Verify(hash, "correct horse battery"));
    CHECK_FALSE(hasher.Verify(hash, "correct horse batterz"));
    CHECK_FALSE(hasher.Verify(hash, ""));
    CHECK_FALSE(hasher.Verify("not a hash", "correct horse battery"));
}

TEST_CASE("Password: the same password hashes differently each time (random salt)", "[auth][password]") {
    const auth::PasswordHasher hasher(auth::PasswordCost::Minimum());
    const auto a = hasher.Hash("same password here");
    const auto b = hasher.Hash("same password here");
    CHECK(a != b);
    CHECK(hasher.Verify(a, "same password here"));
    CHECK(hasher.Verify(b, "same password here"));
}

TEST_CASE("Password: with interactive limits the cost is recorded in the hash", "[auth][password]") {
    const auth::PasswordHasher hasher(auth::PasswordCost::Interactive());
    const auto hash = hasher.Hash("interactive password");
    CHECK(hash.find("m=65536,t=2") != std::string::npos);
    CHECK(hasher.Verify(hash, "interactive password"));
    CHECK_FALSE(hasher.NeedsRehash(hash));
}

TEST_CASE("Password: a hash made with another cost needs a rehash", "[auth][password]") {
    const auth::PasswordHasher cheap(auth::PasswordCost::Minimum());
    const auth::PasswordHasher dear(auth::PasswordCost{2, 16 * 1024});
    const auto hash = cheap.Hash("migrate me please");
    CHECK(dear.Verify(hash, "migrate me please"));  // the cost travels with the hash
    CHECK(dear.NeedsRehash(hash));
    CHECK_FALSE(cheap.NeedsRehash(hash));
}

TEST_CASE("Password: costs outside libsodium's limits are refused", "[auth][password]") {
    CHECK_THROWS_AS(auth::PasswordHasher(auth::PasswordCost{0, 64 * 1024 * 1024}), std::invalid_argument);
    CHECK_THROWS_AS(auth::PasswordHasher(auth::PasswordCost{2, 1024}), std::invalid_argument);
}
