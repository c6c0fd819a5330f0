#pragma once
// Password hashing with argon2id (libsodium crypto_pwhash_str). The cost is configurable:
// production uses at least libsodium's interactive limits; tests may go down to the minimum.
#include <cstddef>
#include <string>
#include <string_view>

namespace marketplace::auth {

struct PasswordCost {
    /// Passes over memory (crypto_pwhash opslimit).
    unsigned long long opslimit = 2;  // crypto_pwhash_OPSLIMIT_INTERACTIVE
    /// Memory in bytes (crypto_pwhash memlimit).
    std::size_t memlimit = 64 * 1024 * 1024;  // crypto_pwhash_MEMLIMIT_INTERACTIVE

    /// libsodium's smallest allowed cost: fast, for tests only.
    static PasswordCost Minimum();
    /// libsodium's interactive limits.
    static PasswordCost Interactive();
};

class PasswordHasher final {
public:
    /// Throws std::invalid_argument when the cost is outside libsodium's limits.
    explicit PasswordHasher(PasswordCost cost);
    /// Throws std::invalid_argument when the cost is outside libsodium's argon2id limits.
    static void RequireValidCost(const PasswordCost& cost);

    /// An encoded "$argon2id$v=19$m=...,t=...,p=1$salt$hash" string with a random salt.
    std::string Hash(std::string_view password) const;
    /// True when `password` matches `encoded`. False for a malformed or foreign hash.
    bool Verify(std::string_view encoded, std::string_view password) const;
    /// Spends the time of one Verify on a fixed hash, so an unknown email costs as long as a known one.
    void VerifyDummy(std::string_view password) const;
    /// True when `encoded` was made with another cost or algorithm (rehash after a successful login).
    bool NeedsRehash(std::string_view encoded) const;

    const PasswordCost& cost() const noexcept { return cost_; }

private:
    PasswordCost cost_;
    std::string dummy_;
};

}  // namespace marketplace::auth
