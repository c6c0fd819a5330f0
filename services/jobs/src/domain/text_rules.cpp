#include "domain/text_rules.hpp"

#include <cctype>

#include "marketplace/core/errors.hpp"

namespace marketplace::jobs {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

std::string_view Trim(std::string_view s) {
    while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
    while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
    return s;
}

bool IsControl(unsigned char c) { return c < 0x20 || c == 0x7F; }

void RequireLength(std::string_view field, std::string_view value, std::size_t min_chars, std::size_t max_chars) {
    const std::size_t n = CharCount(value);
    if (n < min_chars) {
        throw core::InvalidArgument(
            std::string(field),
            min_chars <= 1 ? "is required" : "must be at least " + std::to_string(min_chars) + " characters");
    }
    if (n > max_chars) {
        throw core::InvalidArgument(std::string(field), "must be at most " + std::to_string(max_chars) + " characters");
    }
}

}  // namespace

std::size_t CharCount(std::string_view text) {
    std::size_t n = 0;
    for (const char c : text) {
        if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
    }
    return n;
}

std::string RequireLine(std::string_view field, std::string_view value, std::size_t max_chars) {
    const auto trimmed = Trim(value);
    RequireLength(field, trimmed, 1, max_chars);
    for (const char c : trimmed) {
        if (IsControl(static_cast<unsigned char>(c))) {
            throw core::InvalidArgument(std::string(field), "must not contain control characters");
        }
    }
    return std::string(trimmed);
}

std::string RequireText(std::string_view field, std::string_view value, std::size_t min_chars, std::size_t max_chars) {
    const auto trimmed = Trim(value);
    RequireLength(field, trimmed, min_chars, max_chars);
    for (const char c : trimmed) {
        const auto u = static_cast<unsigned char>(c);
        if (IsControl(u) && c != '\n' && c != '\r' && c != '\t') {
            throw core::InvalidArgument(std::string(field),
                                        "must not contain control characters other than tabs and line breaks");
        }
    }
    return std::string(trimmed);
}

std::string RequireOptionalHttpsUrl(std::string_view field, std::string_view value, std::size_t max_chars) {
    if (value.empty()) return {};
    const std::string f(field);
    if (CharCount(value) > max_chars) {
        throw core::InvalidArgument(f, "must be at most " + std::to_string(max_chars) + " characters");
    }
    for (const char c : value) {
        const auto u = static_cast<unsigned char>(c);
        if (IsControl(u) || c == ' ')
            throw core::InvalidArgument(f, "must not contain white space or control characters");
    }
    constexpr std::string_view kScheme = "https://";
    if (value.size() < kScheme.size()) throw core::InvalidArgument(f, "must be an https:// URL");
    for (std::size_t i = 0; i < kScheme.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(value[i])) != kScheme[i]) {
            throw core::InvalidArgument(f, "must be an https:// URL");
        }
    }
    const auto rest = value.substr(kScheme.size());
    const auto authority = rest.substr(0, rest.find_first_of("/?#"));
    if (authority.find('@') != std::string_view::npos) throw core::InvalidArgument(f, "must not contain credentials");
    const auto host = authority.substr(0, authority.find(':'));
    if (host.empty()) throw core::InvalidArgument(f, "must name a host");
    for (const char c : host) {
        const auto u = static_cast<unsigned char>(c);
        if (!std::isalnum(u) && c != '.' && c != '-') throw core::InvalidArgument(f, "must name a valid host");
    }
    if (host.front() == '.' || host.back() == '.' || host.front() == '-')
        throw core::InvalidArgument(f, "must name a valid host");
    if (const auto colon = authority.find(':'); colon != std::string_view::npos) {
        const auto port = authority.substr(colon + 1);
        if (port.empty() || port.size() > 5) throw core::InvalidArgument(f, "must have a valid port");
        for (const char c : port) {
            if (!std::isdigit(static_cast<unsigned char>(c))) throw core::InvalidArgument(f, "must have a valid port");
        }
    }
    return std::string(value);
}

std::string Indexed(std::string_view field, std::size_t index) {
    return std::string(field) + "[" + std::to_string(index) + "]";
}

}  // namespace marketplace::jobs
