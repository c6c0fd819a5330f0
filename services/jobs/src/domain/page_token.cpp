#include "domain/page_token.hpp"

#include <charconv>
#include <cmath>
#include <cstdlib>

#include "domain/limits.hpp"
#include "marketplace/core/errors.hpp"
#include "marketplace/core/ids.hpp"

namespace marketplace::jobs {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr std::string_view kVersion = "p1";

std::string Base64UrlEncode(std::string_view in) {
    std::string out;
    std::size_t i = 0;
    for (; i + 2 < in.size(); i += 3) {
        const unsigned v = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8) |
                           static_cast<unsigned char>(in[i + 2]);
        out += kAlphabet[(v >> 18) & 63];
        out += kAlphabet[(v >> 12) & 63];
        out += kAlphabet[(v >> 6) & 63];
        out += kAlphabet[v & 63];
    }
    if (const std::size_t rest = in.size() - i; rest > 0) {
        unsigned v = static_cast<unsigned char>(in[i]) << 16;
        if (rest == 2) v |= static_cast<unsigned char>(in[i + 1]) << 8;
        out += kAlphabet[(v >> 18) & 63];
        out += kAlphabet[(v >> 12) & 63];
        if (rest == 2) out += kAlphabet[(v >> 6) & 63];
    }
    return out;
}

std::optional<std::string> Base64UrlDecode(std::string_view in) {
    if (in.size() % 4 == 1) return std::nullopt;
    std::string out;
    unsigned buffer = 0;
    int bits = 0;
    for (const char c : in) {
        const char* p = std::char_traits<char>::find(kAlphabet, 64, c);
        if (p == nullptr) return std::nullopt;
        buffer = (buffer << 6) | static_cast<unsigned>(p - kAlphabet);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out += static_cast<char>((buffer >> bits) & 0xFF);
        }
    }
    return out;
}

std::vector<std::string_view> Split(std::string_view s, char sep) {
    std::vector<std::string_view> parts;
    for (;;) {
        const auto pos = s.find(sep);
        parts.push_back(s.substr(0, pos));
        if (pos == std::string_view::npos) return parts;
        s.remove_prefix(pos + 1);
    }
}

bool IsRankText(std::string_view rank) {
    if (rank.size() > 32) return false;
    for (const char c : rank) {
        if (!((c >= '0' && c <= '9') || c == '.' || c == 'e' || c == 'E' || c == '-' || c == '+')) return false;
    }
    const std::string text(rank);
    char* end = nullptr;
    const double value = std::strtod(text.c_str(), &end);
    return end == text.c_str() + text.size() && std::isfinite(value);
}

[[noreturn]] void Malformed() { throw core::InvalidArgument("page_token", "is malformed"); }

}  // namespace

std::int32_t ResolvePageSize(std::int32_t requested) {
    if (requested == 0) return kDefaultPageSize;
    if (requested < 0 || requested > kMaxPageSize) {
        throw core::InvalidArgument("page_size", "must be between 1 and " + std::to_string(kMaxPageSize) +
                                                     " (0 means " + std::to_string(kDefaultPageSize) + ")");
    }
    return requested;
}

std::string Fingerprint(const std::vector<std::string>& parts) {
    std::uint64_t h = 14695981039346656037ULL;
    auto mix = [&h](std::string_view bytes) {
        for (const char c : bytes) {
            h ^= static_cast<unsigned char>(c);
            h *= 1099511628211ULL;
        }
    };
    for (const auto& part : parts) {
        mix(std::to_string(part.size()));
        mix(":");
        mix(part);
    }
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out(16, '0');
    for (int i = 15; i >= 0; --i, h >>= 4) out[static_cast<std::size_t>(i)] = kHex[h & 0xF];
    return out;
}

std::string EncodePageToken(const PageCursor& cursor, std::string_view fingerprint) {
    std::string raw;
    raw.append(kVersion).append("|").append(fingerprint).append("|").append(cursor.rank).append("|");
    raw.append(std::to_string(cursor.created_micros)).append("|").append(cursor.id);
    return Base64UrlEncode(raw);
}

std::optional<PageCursor> DecodePageToken(std::string_view token, std::string_view fingerprint) {
    if (token.empty()) return std::nullopt;
    if (token.size() > kMaxPageTokenChars) Malformed();
    const auto raw = Base64UrlDecode(token);
    if (!raw) Malformed();
    const auto parts = Split(*raw, '|');
    if (parts.size() != 5 || parts[0] != kVersion) Malformed();
    if (parts[1] != fingerprint) {
        throw core::InvalidArgument("page_token", "belongs to another query; repeat the query's filters or start over");
    }
    PageCursor cursor;
    if (!parts[2].empty() && !IsRankText(parts[2])) Malformed();
    cursor.rank = std::string(parts[2]);
    const auto micros = parts[3];
    const auto [ptr, ec] = std::from_chars(micros.data(), micros.data() + micros.size(), cursor.created_micros);
    if (ec != std::errc() || ptr != micros.data() + micros.size() || micros.empty()) Malformed();
    if (!core::IsUuid(parts[4])) Malformed();
    cursor.id = std::string(parts[4]);
    return cursor;
}

}  // namespace marketplace::jobs
