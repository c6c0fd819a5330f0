#include "domain/credentials.hpp"

#include "domain/text.hpp"
#include "marketplace/core/errors.hpp"

namespace marketplace::auth {
namespace {

bool IsLocalChar(char c) {
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) return true;
    constexpr std::string_view kAllowed = "!#$%&'*+-/=?^_`{|}~.";
    return kAllowed.find(c) != std::string_view::npos;
}

bool IsValidDomain(std::string_view domain) {
    if (domain.empty() || domain.size() > 253 || domain.find('.') == std::string_view::npos) return false;
    std::size_t start = 0;
    while (start <= domain.size()) {
        const auto dot = domain.find('.', start);
        const auto label = domain.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
        if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') return false;
        for (const char c : label) {
            if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
        }
        if (dot == std::string_view::npos) break;
        start = dot + 1;
    }
    return true;
}

}  // namespace

std::string NormalizeEmail(std::string_view email, std::string_view field) {
    const std::string f(field);
    if (email.empty()) throw core::InvalidArgument(f, "is required");
    if (email.size() > kMaxEmailLength) {
        throw core::InvalidArgument(f, "must be at most " + std::to_string(kMaxEmailLength) + " characters");
    }
    const std::string lower = AsciiLower(email);
    const auto at = lower.find('@');
    if (at == std::string::npos || lower.find('@', at + 1) != std::string::npos) {
        throw core::InvalidArgument(f, "must be an email address like name@example.com");
    }
    const std::string_view local = std::string_view(lower).substr(0, at);
    const std::string_view domain = std::string_view(lower).substr(at + 1);
    if (local.empty() || local.size() > kMaxEmailLocalLength || local.front() == '.' || local.back() == '.' ||
        local.find("..") != std::string_view::npos) {
        throw core::InvalidArgument(f, "must be an email address like name@example.com");
    }
    for (const char c : local) {
        if (!IsLocalChar(c)) throw core::InvalidArgument(f, "must be an email address like name@example.com");
    }
    if (!IsValidDomain(domain)) throw core::InvalidArgument(f, "must be an email address like name@example.com");
    return lower;
}

void ValidatePassword(std::string_view password, std::string_view normalized_email, std::string_view field) {
    const std::string f(field);
    if (password.empty()) throw core::InvalidArgument(f, "is required");
    const auto length = Utf8Length(password);
    if (!length) throw core::InvalidArgument(f, "must be valid UTF-8");
    if (*length < kMinPasswordChars || *length > kMaxPasswordChars) {
        throw core::InvalidArgument(f, "must be " + std::to_string(kMinPasswordChars) + " to " +
                                           std::to_string(kMaxPasswordChars) + " characters");
    }
    for (const char ch : password) {
        const auto c = static_cast<unsigned char>(ch);
        if (c < 0x20 || c == 0x7F) throw core::InvalidArgument(f, "must not contain control characters");
    }
    if (!normalized_email.empty() && AsciiLower(password) == normalized_email) {
        throw core::InvalidArgument(f, "must not be the email address");
    }
}

std::string NormalizeDisplayName(std::string_view name, std::string_view field) {
    std::string trimmed = Trim(name);
    if (trimmed.empty()) throw core::InvalidArgument(std::string(field), "is required");
    RequireText(trimmed, kMaxDisplayNameChars, field);
    return trimmed;
}

}  // namespace marketplace::auth
