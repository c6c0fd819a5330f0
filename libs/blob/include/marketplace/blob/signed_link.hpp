#pragma once
// Time-limited download links that any replica can check without a database: a token carrying the
// object's key, an expiry and a file name, with an HMAC-SHA-256 over them under a secret the issuing
// and the serving processes share. Whoever holds the token may fetch that one object until it expires;
// changing any byte of it, or waiting past the expiry, makes it worthless.
//
// Token: base64url(payload) "." base64url(HMAC-SHA-256(secret, "marketplace.blob-link.v1\n" + payload)),
// payload = "<expiry unix seconds>\n<key>\n<file name>".
#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "marketplace/core/clock.hpp"

namespace marketplace::blob {

/// The shortest secret a LinkSigner takes, in bytes.
inline constexpr std::size_t kMinLinkSecretBytes = 32;
/// Links last at most this long.
inline constexpr std::chrono::seconds kMaxLinkTtl = std::chrono::hours(24 * 7);

struct LinkClaims {
    std::string key;
    std::string filename;  // may be empty
    core::Clock::TimePoint expires_at;
};

enum class LinkStatus {
    kValid,
    kMalformed,     // not a token of this format
    kBadSignature,  // altered, or signed under another secret
    kExpired,
};

struct LinkCheck {
    LinkStatus status = LinkStatus::kMalformed;
    LinkClaims claims;  // filled when the signature holds (also when expired)
    bool ok() const { return status == LinkStatus::kValid; }
};

std::string_view LinkStatusName(LinkStatus status);

class LinkSigner final {
public:
    /// Throws std::invalid_argument when `secret` is shorter than kMinLinkSecretBytes.
    LinkSigner(std::string secret, std::shared_ptr<const core::Clock> clock);

    /// A token for `key` valid for `ttl` (1 s to kMaxLinkTtl) from the clock's now. `filename` (at most
    /// 255 printable characters, may be empty) is carried for the download's Content-Disposition.
    /// Throws core::InvalidArgument naming "key", "filename" or "ttl".
    std::string Issue(std::string_view key, std::chrono::seconds ttl, std::string_view filename = {}) const;

    /// Checks the signature first, then the expiry against the clock.
    LinkCheck Verify(std::string_view token) const;

private:
    std::string Mac(std::string_view payload) const;

    std::string secret_;
    std::shared_ptr<const core::Clock> clock_;
};

}  // namespace marketplace::blob
