#pragma once
// Ed25519 keys (libsodium) for signing and verifying access tokens. A key has an id (`kid`), which
// tokens name in their header and JWKS lists with the public half.
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace marketplace::tokens {

inline constexpr std::size_t kPublicKeyBytes = 32;
inline constexpr std::size_t kSeedBytes = 32;
inline constexpr std::size_t kSignatureBytes = 64;

/// The public half of a signing key.
struct PublicKey {
    std::string kid;
    std::array<std::uint8_t, kPublicKeyBytes> bytes{};

    bool operator==(const PublicKey&) const = default;
};

/// True when `signature` is a valid Ed25519 signature of `message` by `key`.
bool VerifySignature(const PublicKey& key, std::string_view message, std::string_view signature);

/// A new random key id: 16 random bytes, base64url (22 characters).
std::string NewKeyId();

/// An Ed25519 key pair with its id. The secret is wiped when the object goes away.
class SigningKey final {
public:
    /// A new key pair (crypto_sign_keypair). An empty `kid` gets NewKeyId().
    static SigningKey Generate(std::string kid = {});
    /// The key pair derived from a stored 32-byte seed (see seed()). Throws std::invalid_argument
    /// when the kid is empty or the seed is not 32 bytes.
    static SigningKey FromSeed(std::string kid, std::string_view seed);

    SigningKey(const SigningKey& other);
    SigningKey& operator=(const SigningKey& other);
    SigningKey(SigningKey&& other) noexcept;
    SigningKey& operator=(SigningKey&& other) noexcept;
    ~SigningKey();

    const std::string& kid() const noexcept { return kid_; }
    PublicKey public_key() const;
    /// The 32-byte secret seed: what a key store keeps (production would keep it in a KMS).
    std::string seed() const;
    /// The 64-byte detached signature of `message`.
    std::string Sign(std::string_view message) const;

private:
    SigningKey() = default;
    std::string kid_;
    std::array<std::uint8_t, kPublicKeyBytes> public_{};
    std::array<std::uint8_t, 64> secret_{};  // libsodium's secret key: seed + public key
};

}  // namespace marketplace::tokens
