#pragma once
// Signing-key seeds at rest: sealed with XSalsa20-Poly1305 (libsodium's crypto_secretbox) under the
// seed key (AUTH_SEED_KEY), so a copy of auth's database alone does not give away the keys that sign
// access tokens. Each sealed seed records which seed key sealed it (the key id: 8 bytes of a BLAKE2b
// hash of the key, hex); during a rotation of the seed key the previous key still opens what it sealed.
//
//   SeedBox box(current_key, previous_key);
//   const auto sealed = box.Seal(seed);                 // {key_id, nonce || ciphertext}
//   const auto seed = box.Open(sealed);                 // with whichever key matches sealed.key_id
#include <optional>
#include <string>
#include <string_view>

namespace marketplace::auth {

/// Seed keys are 32 raw bytes.
inline constexpr std::size_t kSeedKeyBytes = 32;

struct SealedSeed {
    std::string key_id;  // which seed key sealed it
    std::string bytes;   // 24-byte nonce, then the 48-byte box (32-byte seed + 16-byte tag)
};

class SeedBox final {
public:
    /// `previous` may be empty (no rotation under way). Throws std::invalid_argument when a key is
    /// not 32 bytes.
    SeedBox(std::string current, std::string previous = {});

    SealedSeed Seal(std::string_view seed) const;
    /// The seed, or nullopt when neither key sealed it or it was tampered with.
    std::optional<std::string> Open(const SealedSeed& sealed) const;

    const std::string& key_id() const noexcept { return current_id_; }
    /// The key id of a 32-byte seed key.
    static std::string KeyId(std::string_view key);

private:
    std::string current_;
    std::string current_id_;
    std::string previous_;
    std::string previous_id_;
};

}  // namespace marketplace::auth
