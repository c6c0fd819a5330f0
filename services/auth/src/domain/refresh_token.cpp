#include "domain/refresh_token.hpp"

#include <sodium.h>

#include <array>
#include <stdexcept>

#include "marketplace/tokens/base64url.hpp"

namespace marketplace::auth {
namespace {

constexpr std::string_view kSealContext = "marketplace-auth refresh-replay v1";

std::array<unsigned char, crypto_secretbox_KEYBYTES> SealKey(std::string_view token) {
    std::array<unsigned char, crypto_secretbox_KEYBYTES> key{};
    crypto_generichash(key.data(), key.size(), reinterpret_cast<const unsigned char*>(token.data()), token.size(),
                       reinterpret_cast<const unsigned char*>(kSealContext.data()), kSealContext.size());
    return key;
}

}  // namespace

std::string NewRefreshToken() {
    if (sodium_init() < 0) throw std::runtime_error("libsodium could not be initialised");
    std::string bytes(32, '\0');
    randombytes_buf(bytes.data(), bytes.size());
    return tokens::Base64UrlEncode(bytes);
}

bool IsWellFormedRefreshToken(std::string_view token) {
    if (token.size() != kRefreshTokenChars) return false;
    const auto bytes = tokens::Base64UrlDecode(token);
    return bytes && bytes->size() == 32;
}

std::string RefreshTokenHash(std::string_view token) {
    std::string hash(crypto_hash_sha256_BYTES, '\0');
    crypto_hash_sha256(reinterpret_cast<unsigned char*>(hash.data()),
                       reinterpret_cast<const unsigned char*>(token.data()), token.size());
    return hash;
}

RefreshVerdict JudgeRefresh(const RefreshTokenState& state, core::Clock::TimePoint now) {
    if (state.family_revoked) return RefreshVerdict::kRevoked;
    if (state.token_used) return RefreshVerdict::kReuse;
    if (state.token_expires_at <= now || state.family_expires_at <= now) return RefreshVerdict::kExpired;
    return RefreshVerdict::kRotate;
}

std::string SealWithToken(std::string_view presented_token, std::string_view plaintext) {
    if (sodium_init() < 0) throw std::runtime_error("libsodium could not be initialised");
    auto key = SealKey(presented_token);
    std::string out(crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + plaintext.size(), '\0');
    auto* nonce = reinterpret_cast<unsigned char*>(out.data());
    randombytes_buf(nonce, crypto_secretbox_NONCEBYTES);
    crypto_secretbox_easy(nonce + crypto_secretbox_NONCEBYTES, reinterpret_cast<const unsigned char*>(plaintext.data()),
                          plaintext.size(), nonce, key.data());
    sodium_memzero(key.data(), key.size());
    return out;
}

std::optional<std::string> OpenWithToken(std::string_view presented_token, std::string_view sealed) {
    if (sealed.size() < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES) return std::nullopt;
    auto key = SealKey(presented_token);
    const auto* nonce = reinterpret_cast<const unsigned char*>(sealed.data());
    std::string plain(sealed.size() - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES, '\0');
    const int rc =
        crypto_secretbox_open_easy(reinterpret_cast<unsigned char*>(plain.data()), nonce + crypto_secretbox_NONCEBYTES,
                                   sealed.size() - crypto_secretbox_NONCEBYTES, nonce, key.data());
    sodium_memzero(key.data(), key.size());
    if (rc != 0) return std::nullopt;
    return plain;
}

}  // namespace marketplace::auth
