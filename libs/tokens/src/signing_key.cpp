#include "marketplace/tokens/signing_key.hpp"

#include <sodium.h>

#include <stdexcept>

#include "marketplace/tokens/base64url.hpp"
#include "sodium_init.hpp"

namespace marketplace::tokens {

namespace impl {
void EnsureSodium() {
    static const int result = sodium_init();  // thread-safe static init; 1 = already initialised
    if (result < 0) throw std::runtime_error("libsodium could not be initialised");
}
}  // namespace impl

static_assert(kPublicKeyBytes == crypto_sign_PUBLICKEYBYTES);
static_assert(kSeedBytes == crypto_sign_SEEDBYTES);
static_assert(kSignatureBytes == crypto_sign_BYTES);
static_assert(64 == crypto_sign_SECRETKEYBYTES);

bool VerifySignature(const PublicKey& key, std::string_view message, std::string_view signature) {
    impl::EnsureSodium();
    if (signature.size() != kSignatureBytes) return false;
    return crypto_sign_verify_detached(reinterpret_cast<const unsigned char*>(signature.data()),
                                       reinterpret_cast<const unsigned char*>(message.data()), message.size(),
                                       key.bytes.data()) == 0;
}

std::string NewKeyId() {
    impl::EnsureSodium();
    std::string bytes(16, '\0');
    randombytes_buf(bytes.data(), bytes.size());
    return Base64UrlEncode(bytes);
}

SigningKey SigningKey::Generate(std::string kid) {
    impl::EnsureSodium();
    SigningKey key;
    key.kid_ = kid.empty() ? NewKeyId() : std::move(kid);
    if (crypto_sign_keypair(key.public_.data(), key.secret_.data()) != 0) {
        throw std::runtime_error("crypto_sign_keypair failed");
    }
    return key;
}

SigningKey SigningKey::FromSeed(std::string kid, std::string_view seed) {
    impl::EnsureSodium();
    if (kid.empty()) throw std::invalid_argument("signing key: kid must not be empty");
    if (seed.size() != kSeedBytes) throw std::invalid_argument("signing key: seed must be 32 bytes");
    SigningKey key;
    key.kid_ = std::move(kid);
    if (crypto_sign_seed_keypair(key.public_.data(), key.secret_.data(),
                                 reinterpret_cast<const unsigned char*>(seed.data())) != 0) {
        throw std::runtime_error("crypto_sign_seed_keypair failed");
    }
    return key;
}

SigningKey::SigningKey(const SigningKey& other) = default;
SigningKey& SigningKey::operator=(const SigningKey& other) = default;

SigningKey::SigningKey(SigningKey&& other) noexcept
    : kid_(std::move(other.kid_)), public_(other.public_), secret_(other.secret_) {
    sodium_memzero(other.secret_.data(), other.secret_.size());
}

SigningKey& SigningKey::operator=(SigningKey&& other) noexcept {
    if (this != &other) {
        kid_ = std::move(other.kid_);
        public_ = other.public_;
        secret_ = other.secret_;
        sodium_memzero(other.secret_.data(), other.secret_.size());
    }
    return *this;
}

SigningKey::~SigningKey() { sodium_memzero(secret_.data(), secret_.size()); }

PublicKey SigningKey::public_key() const { return PublicKey{kid_, public_}; }

std::string SigningKey::seed() const {
    std::string seed(kSeedBytes, '\0');
    crypto_sign_ed25519_sk_to_seed(reinterpret_cast<unsigned char*>(seed.data()), secret_.data());
    return seed;
}

std::string SigningKey::Sign(std::string_view message) const {
    std::string signature(kSignatureBytes, '\0');
    crypto_sign_detached(reinterpret_cast<unsigned char*>(signature.data()), nullptr,
                         reinterpret_cast<const unsigned char*>(message.data()), message.size(), secret_.data());
    return signature;
}

}  // namespace marketplace::tokens
