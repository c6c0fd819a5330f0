#include "marketplace/blob/signed_link.hpp"

#include <charconv>
#include <stdexcept>

#include "marketplace/blob/blob_store.hpp"
#include "marketplace/blob/digest.hpp"
#include "marketplace/core/errors.hpp"

namespace marketplace::blob {
namespace {

constexpr char kDomain[] = "marketplace.blob-link.v1\n";
constexpr std::size_t kMaxTokenBytes = 2048;

void ValidateFilename(std::string_view filename) {
    if (filename.size() > 255) {
        throw core::InvalidArgument("filename", "must be at most 255 bytes");
    }
    for (char c : filename) {
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
            throw core::InvalidArgument("filename", "must not contain control characters");
        }
    }
}

}  // namespace

std::string_view LinkStatusName(LinkStatus status) {
    switch (status) {
        case LinkStatus::kValid:
            return "valid";
        case LinkStatus::kMalformed:
            return "malformed";
        case LinkStatus::kBadSignature:
            return "bad signature";
        case LinkStatus::kExpired:
            return "expired";
    }
    return "unknown";
}

LinkSigner::LinkSigner(std::string secret, std::shared_ptr<const core::Clock> clock)
    : secret_(std::move(secret)), clock_(std::move(clock)) {
    if (secret_.size() < kMinLinkSecretBytes) {
        throw std::invalid_argument("the download link secret must be at least 32 bytes");
    }
    if (!clock_) {
        throw std::invalid_argument("LinkSigner needs a clock");
    }
}

std::string LinkSigner::Mac(std::string_view payload) const {
    return std::string(AsBytes(HmacSha256(secret_, std::string(kDomain) + std::string(payload))));
}

std::string LinkSigner::Issue(std::string_view key, std::chrono::seconds ttl, std::string_view filename) const {
    ValidateKey(key);
    ValidateFilename(filename);
    if (ttl < std::chrono::seconds(1) || ttl > kMaxLinkTtl) {
        throw core::InvalidArgument("ttl", "must be between 1 second and 7 days");
    }
    const auto expires = std::chrono::time_point_cast<std::chrono::seconds>(clock_->Now()) + ttl;
    const std::string payload =
        std::to_string(expires.time_since_epoch().count()) + "\n" + std::string(key) + "\n" + std::string(filename);
    return Base64UrlEncode(payload) + "." + Base64UrlEncode(Mac(payload));
}

LinkCheck LinkSigner::Verify(std::string_view token) const {
    LinkCheck check;
    if (token.empty() || token.size() > kMaxTokenBytes) {
        return check;
    }
    const std::size_t dot = token.find('.');
    if (dot == std::string_view::npos || token.find('.', dot + 1) != std::string_view::npos) {
        return check;
    }
    std::string payload;
    std::string mac;
    if (!Base64UrlDecode(token.substr(0, dot), payload) || !Base64UrlDecode(token.substr(dot + 1), mac)) {
        return check;
    }
    if (!ConstantTimeEquals(mac, Mac(payload))) {
        check.status = LinkStatus::kBadSignature;
        return check;
    }
    // Signed by us: the payload has the shape Issue gave it.
    const std::size_t nl1 = payload.find('\n');
    const std::size_t nl2 = nl1 == std::string::npos ? std::string::npos : payload.find('\n', nl1 + 1);
    if (nl2 == std::string::npos) {
        return check;
    }
    std::int64_t expires_unix = 0;
    const auto [end, ec] = std::from_chars(payload.data(), payload.data() + nl1, expires_unix);
    if (ec != std::errc() || end != payload.data() + nl1) {
        return check;
    }
    check.claims.expires_at = core::Clock::TimePoint(std::chrono::seconds(expires_unix));
    check.claims.key = payload.substr(nl1 + 1, nl2 - nl1 - 1);
    check.claims.filename = payload.substr(nl2 + 1);
    check.status = clock_->Now() >= check.claims.expires_at ? LinkStatus::kExpired : LinkStatus::kValid;
    return check;
}

}  // namespace marketplace::blob
