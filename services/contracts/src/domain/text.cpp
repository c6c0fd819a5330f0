#include "domain/text.hpp"

#include "marketplace/core/errors.hpp"

namespace marketplace::contracts {
namespace {

bool IsContinuationByte(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

}  // namespace

std::size_t Utf8Length(std::string_view text) {
    std::size_t n = 0;
    for (const char c : text) {
        if (!IsContinuationByte(c)) ++n;
    }
    return n;
}

void RequireMaxChars(std::string_view text, std::size_t max_chars, std::string_view field) {
    if (Utf8Length(text) > max_chars) {
        throw core::InvalidArgument(std::string(field), "must be at most " + std::to_string(max_chars) + " characters");
    }
}

bool HasNonSpace(std::string_view text) {
    for (const char c : text) {
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != '\v') return true;
    }
    return false;
}

bool IsHttpUrl(std::string_view text) {
    std::string_view rest;
    if (text.substr(0, 7) == "http://") {
        rest = text.substr(7);
    } else if (text.substr(0, 8) == "https://") {
        rest = text.substr(8);
    } else {
        return false;
    }
    for (const char c : text) {
        const auto u = static_cast<unsigned char>(c);
        if (u <= 0x20 || u == 0x7F) return false;
    }
    const auto host_end = rest.find_first_of("/?#");
    const auto authority = rest.substr(0, host_end);
    const auto at = authority.rfind('@');
    const auto host = at == std::string_view::npos ? authority : authority.substr(at + 1);
    return !host.empty() && host.front() != ':';
}

std::string TruncateChars(std::string_view text, std::size_t max_chars) {
    std::size_t chars = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (!IsContinuationByte(text[i])) {
            if (chars == max_chars) return std::string(text.substr(0, i));
            ++chars;
        }
    }
    return std::string(text);
}

}  // namespace marketplace::contracts
