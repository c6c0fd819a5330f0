#include "domain/text.hpp"

#include "marketplace/core/errors.hpp"

namespace marketplace::auth {

std::optional<std::size_t> Utf8Length(std::string_view text) {
    std::size_t count = 0;
    for (std::size_t i = 0; i < text.size();) {
        const auto c = static_cast<unsigned char>(text[i]);
        std::size_t len = 0;
        std::uint32_t cp = 0;
        if (c < 0x80) {
            len = 1;
            cp = c;
        } else if ((c & 0xE0) == 0xC0) {
            len = 2;
            cp = c & 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            len = 3;
            cp = c & 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            len = 4;
            cp = c & 0x07;
        } else {
            return std::nullopt;
        }
        if (i + len > text.size()) return std::nullopt;
        for (std::size_t k = 1; k < len; ++k) {
            const auto cc = static_cast<unsigned char>(text[i + k]);
            if ((cc & 0xC0) != 0x80) return std::nullopt;
            cp = (cp << 6) | (cc & 0x3F);
        }
        // Overlong forms, surrogates and values past U+10FFFF are not UTF-8.
        if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10FFFF ||
            (cp >= 0xD800 && cp <= 0xDFFF)) {
            return std::nullopt;
        }
        i += len;
        ++count;
    }
    return count;
}

void RequireText(std::string_view text, std::size_t max_chars, std::string_view field, bool allow_newlines) {
    const auto length = Utf8Length(text);
    if (!length) throw core::InvalidArgument(std::string(field), "must be valid UTF-8");
    if (*length > max_chars) {
        throw core::InvalidArgument(std::string(field), "must be at most " + std::to_string(max_chars) + " characters");
    }
    for (const char ch : text) {
        const auto c = static_cast<unsigned char>(ch);
        if (c == 0x7F || (c < 0x20 && !(allow_newlines && (c == '\n' || c == '\r' || c == '\t')))) {
            throw core::InvalidArgument(std::string(field), "must not contain control characters");
        }
    }
}

std::string Trim(std::string_view text) {
    const auto is_space = [](char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
    };
    std::size_t begin = 0;
    std::size_t end = text.size();
    while (begin < end && is_space(text[begin])) ++begin;
    while (end > begin && is_space(text[end - 1])) --end;
    return std::string(text.substr(begin, end - begin));
}

std::string AsciiLower(std::string_view text) {
    std::string out(text);
    for (char& c : out) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return out;
}

}  // namespace marketplace::auth
