#include "domain/password_hasher.hpp"

#include <sodium.h>

#include <stdexcept>
#include <string>

namespace marketplace::auth {

PasswordCost PasswordCost::Minimum() {
    return {crypto_pwhash_argon2id_OPSLIMIT_MIN, crypto_pwhash_argon2id_MEMLIMIT_MIN};
}

PasswordCost PasswordCost::Interactive() {
    return {crypto_pwhash_argon2id_OPSLIMIT_INTERACTIVE, crypto_pwhash_argon2id_MEMLIMIT_INTERACTIVE};
}

void PasswordHasher::RequireValidCost(const PasswordCost& cost) {
    if (cost.opslimit < crypto_pwhash_argon2id_OPSLIMIT_MIN || cost.opslimit > crypto_pwhash_argon2id_OPSLIMIT_MAX) {
        throw std::invalid_argument("opslimit must be " + std::to_string(crypto_pwhash_argon2id_OPSLIMIT_MIN) + " to " +
                                    std::to_string(crypto_pwhash_argon2id_OPSLIMIT_MAX));
    }
    if (cost.memlimit < crypto_pwhash_argon2id_MEMLIMIT_MIN || cost.memlimit > crypto_pwhash_argon2id_MEMLIMIT_MAX) {
        throw std::invalid_argument("memlimit must be " + std::to_string(crypto_pwhash_argon2id_MEMLIMIT_MIN) + " to " +
                                    std::to_string(crypto_pwhash_argon2id_MEMLIMIT_MAX) + " bytes");
    }
}

PasswordHasher::PasswordHasher(PasswordCost cost) : cost_(cost) {
    if (sodium_init() < 0) throw std::runtime_error("libsodium could not be initialised");
    RequireValidCost(cost_);
    dummy_ = Hash("not a real password: used to equalise login timing");
}

std::string PasswordHasher::Hash(std::string_view password) const {
    char out[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str_alg(out, password.data(), password.size(), cost_.opslimit, cost_.memlimit,
                              crypto_pwhash_ALG_ARGON2ID13) != 0) {
        throw std::runtime_error("argon2id hashing failed (out of memory?)");
    }
    return std::string(out);
}

bool PasswordHasher::Verify(std::string_view encoded, std::string_view password) const {
    if (encoded.size() >= crypto_pwhash_STRBYTES) return false;
    const std::string terminated(encoded);  // libsodium wants a NUL-terminated string
    return crypto_pwhash_str_verify(terminated.c_str(), password.data(), password.size()) == 0;
}

void PasswordHasher::VerifyDummy(std::string_view password) const { (void)Verify(dummy_, password); }

bool PasswordHasher::NeedsRehash(std::string_view encoded) const {
    const std::string terminated(encoded);
    return crypto_pwhash_str_needs_rehash(terminated.c_str(), cost_.opslimit, cost_.memlimit) != 0;
}

}  // namespace marketplace::auth
