#include "marketplace/blob/digest.hpp"

#include <sodium.h>

#include <cstring>
#include <stdexcept>

namespace marketplace::blob {
namespace {

void EnsureSodium() {
    static const bool ok = sodium_init() >= 0;
    if (!ok) {
        throw std::runtime_error("libsodium failed to initialise");
    }
}

}  // namespace

static_assert(sizeof(crypto_hash_sha256_state) <= 208, "Sha256Stream's buffer is too small");

Digest Sha256(std::string_view data) {
    EnsureSodium();
    Digest out{};
    crypto_hash_sha256(out.data(), reinterpret_cast<const unsigned char*>(data.data()), data.size());
    return out;
}

std::string Sha256Hex(std::string_view data) { return ToHex(Sha256(data)); }

Digest HmacSha256(std::string_view key, std::string_view message) {
    EnsureSodium();
    crypto_auth_hmacsha256_state state;
    crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(key.data()), key.size());
    crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(message.data()), message.size());
    Digest out{};
    crypto_auth_hmacsha256_final(&state, out.data());
    sodium_memzero(&state, sizeof state);
    return out;
}

std::string ToHex(const Digest& digest) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    out.reserve(digest.size() * 2);
    for (std::uint8_t b : digest) {
        out.push_back(kHex[b >> 4]);
        out.push_back(kHex[b & 0x0f]);
    }
    return out;
}

std::string_view AsBytes(const Digest& digest) { return {reinterpret_cast<const char*>(digest.data()), digest.size()}; }

Sha256Stream::Sha256Stream() {
    EnsureSodium();
    crypto_hash_sha256_init(reinterpret_cast<crypto_hash_sha256_state*>(state_));
}

void Sha256Stream::Update(std::string_view data) {
    crypto_hash_sha256_update(reinterpret_cast<crypto_hash_sha256_state*>(state_),
                              reinterpret_cast<const unsigned char*>(data.data()), data.size());
}

std::string Sha256Stream::FinishHex() {
    Digest out{};
    crypto_hash_sha256_final(reinterpret_cast<crypto_hash_sha256_state*>(state_), out.data());
    return ToHex(out);
}

std::string Base64UrlEncode(std::string_view bytes) {
    EnsureSodium();
    const std::size_t cap = sodium_base64_encoded_len(bytes.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    std::string out(cap, '\0');
    sodium_bin2base64(out.data(), cap, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(),
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    out.resize(std::strlen(out.c_str()));
    return out;
}

bool Base64UrlDecode(std::string_view text, std::string& out) {
    EnsureSodium();
    out.assign(text.size(), '\0');
    std::size_t len = 0;
    const char* end = nullptr;
    if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(), text.size(), nullptr,
                          &len, &end, sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
        end != text.data() + text.size()) {
        out.clear();
        return false;
    }
    out.resize(len);
    return true;
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) {
        return false;
    }
    EnsureSodium();
    return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace marketplace::blob
