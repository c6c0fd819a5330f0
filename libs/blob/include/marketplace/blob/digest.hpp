#pragma once
// SHA-256 and HMAC-SHA-256 (libsodium), hex and base64url helpers shared by the stores and the links.
#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace marketplace::blob {

using Digest = std::array<std::uint8_t, 32>;

Digest Sha256(std::string_view data);
std::string Sha256Hex(std::string_view data);
/// HMAC-SHA-256 with a key of any length.
Digest HmacSha256(std::string_view key, std::string_view message);
std::string ToHex(const Digest& digest);
std::string_view AsBytes(const Digest& digest);

/// A SHA-256 computed over pieces, for bodies that arrive in chunks.
class Sha256Stream final {
public:
    Sha256Stream();
    void Update(std::string_view data);
    /// The digest as lowercase hex; the stream is finished afterwards.
    std::string FinishHex();

private:
    alignas(16) unsigned char state_[208];
};

/// Base64url without padding (RFC 4648 §5).
std::string Base64UrlEncode(std::string_view bytes);
/// Decodes base64url without padding; false on any character outside the alphabet.
bool Base64UrlDecode(std::string_view text, std::string& out);

/// Constant-time comparison of two byte strings of equal length (false when lengths differ).
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace marketplace::blob
