#include "domain/seed_box.hpp"

#include <sodium.h>

#include <stdexcept>

namespace marketplace::auth {
namespace {

constexpr std::string_view kKeyIdContext = "marketplace-auth seed-key id v1";

std::string Hex(const unsigned char* data, std::size_t size) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out;
    for (std::size_t i = 0; i < size; ++i) {
        out.push_back(kDigits[data[i] >> 4]);
        out.push_back(kDigits[data[i] & 0xF]);
    }
    return out;
}

std::optional<std::string> OpenWith(const std::string& key, std::string_view bytes) {
    if (bytes.size() != crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + 32) return std::nullopt;
    std::string seed(bytes.size() - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES, '\0');
    const auto* nonce = reinterpret_cast<const unsigned char*>(bytes.data());
    const auto* box = nonce + crypto_secretbox_NONCEBYTES;
    if (crypto_secretbox_open_easy(reinterpret_cast<unsigned char*>(seed.data()), box,
                                   bytes.size() - crypto_secretbox_NONCEBYTES, nonce,
                                   reinterpret_cast<const unsigned char*>(key.data())) != 0) {
        return std::nullopt;
    }
    return seed;
}

}  // namespace

std::string SeedBox::KeyId(std::string_view key) {
    if (sodium_init() < 0) throw std::runtime_error("libsodium could not be initialised");
    unsigned char id[8];
    crypto_generichash(id, sizeof id, reinterpret_cast<const unsigned char*>(key.data()), key.size(),
                       reinterpret_cast<const unsigned char*>(kKeyIdContext.data()), kKeyIdContext.size());
    return Hex(id, sizeof id);
}

SeedBox::SeedBox(std::string current, std::string previous)
    : current_(std::move(current)), previous_(std::move(previous)) {
    if (current_.size() != kSeedKeyBytes) throw std::invalid_argument("seed key: must be 32 bytes");
    if (!previous_.empty() && previous_.size() != kSeedKeyBytes) {
        throw std::invalid_argument("previous seed key: must be 32 bytes");
    }
    current_id_ = KeyId(current_);
    if (!previous_.empty()) previous_id_ = KeyId(previous_);
}

SealedSeed SeedBox::Seal(std::string_view seed) const {
    std::string bytes(crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + seed.size(), '\0');
    auto* nonce = reinterpret_cast<unsigned char*>(bytes.data());
    randombytes_buf(nonce, crypto_secretbox_NONCEBYTES);
    crypto_secretbox_easy(nonce + crypto_secretbox_NONCEBYTES, reinterpret_cast<const unsigned char*>(seed.data()),
                          seed.size(), nonce, reinterpret_cast<const unsigned char*>(current_.data()));
    return {current_id_, std::move(bytes)};
}

std::optional<std::string> SeedBox::Open(const SealedSeed& sealed) const {
    if (sealed.key_id == current_id_) return OpenWith(current_, sealed.bytes);
    if (!previous_.empty() && sealed.key_id == previous_id_) return OpenWith(previous_, sealed.bytes);
    return std::nullopt;
}

}  // namespace marketplace::auth
