#include "marketplace/tokens/base64url.hpp"

#include <sodium.h>

#include "sodium_init.hpp"

namespace marketplace::tokens {

std::string Base64UrlEncode(std::string_view bytes) {
    impl::EnsureSodium();
    constexpr int kVariant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
    std::string out(sodium_base64_encoded_len(bytes.size(), kVariant), '\0');
    sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(),
                      kVariant);
    out.resize(out.size() - 1);  // the encoded length counts the terminating NUL
    return out;
}

std::optional<std::string> Base64UrlDecode(std::string_view text) {
    impl::EnsureSodium();
    if (text.size() % 4 == 1) return std::nullopt;
    for (const char c : text) {
        const bool ok =
            (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
        if (!ok) return std::nullopt;
    }
    std::string out(text.size() * 3 / 4 + 3, '\0');
    std::size_t len = 0;
    const char* end = nullptr;
    // libsodium rejects non-zero trailing bits; with b64_end given it stops at the first bad character,
    // so also require that everything was consumed.
    if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(), text.size(), nullptr,
                          &len, &end, sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0) {
        return std::nullopt;
    }
    if (end != text.data() + text.size()) return std::nullopt;
    out.resize(len);
    return out;
}

}  // namespace marketplace::tokens
