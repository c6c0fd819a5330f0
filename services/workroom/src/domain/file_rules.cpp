#include "domain/file_rules.hpp"

#include <algorithm>
#include <array>
#include <cctype>

#include "marketplace/core/errors.hpp"

namespace marketplace::workroom {
namespace {

bool StartsWith(std::string_view bytes, std::string_view prefix) { return bytes.substr(0, prefix.size()) == prefix; }

bool ValidUtf8(std::string_view s) {
    std::size_t i = 0;
    while (i < s.size()) {
        const auto c = static_cast<unsigned char>(s[i]);
        int extra = 0;
        std::uint32_t cp = 0;
        if (c < 0x80) {
            ++i;
            continue;
        } else if ((c & 0xE0) == 0xC0) {
            extra = 1;
            cp = c & 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            extra = 2;
            cp = c & 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            extra = 3;
            cp = c & 0x07;
        } else {
            return false;
        }
        if (i + extra >= s.size()) return false;
        for (int k = 1; k <= extra; ++k) {
            const auto cc = static_cast<unsigned char>(s[i + k]);
            if ((cc & 0xC0) != 0x80) return false;
            cp = (cp << 6) | (cc & 0x3F);
        }
        if ((extra == 1 && cp < 0x80) || (extra == 2 && cp < 0x800) || (extra == 3 && cp < 0x10000) || cp > 0x10FFFF ||
            (cp >= 0xD800 && cp <= 0xDFFF)) {
            return false;
        }
        i += extra + 1;
    }
    return true;
}

// A readable name for a sniffed or declared kind, for messages.
std::string_view Describe(std::string_view type) {
    if (type == "image/png") return "a PNG image";
    if (type == "image/jpeg") return "a JPEG image";
    if (type == "image/gif") return "a GIF image";
    if (type == "image/webp") return "a WebP image";
    if (type == "application/pdf") return "a PDF document";
    if (type == "application/zip") return "a ZIP archive (or an Office document)";
    if (type == "application/gzip") return "a gzip archive";
    if (type == "video/mp4") return "an MP4 video";
    return "text";
}

// Declared types whose bytes carry a signature: the signature kind they must sniff as.
struct MagicKind {
    std::string_view declared;
    std::string_view sniffed;
};
constexpr std::array<MagicKind, 13> kMagicKinds{{
    {"image/png", "image/png"},
    {"image/jpeg", "image/jpeg"},
    {"image/gif", "image/gif"},
    {"image/webp", "image/webp"},
    {"application/pdf", "application/pdf"},
    {"application/zip", "application/zip"},
    {"application/x-zip-compressed", "application/zip"},
    {"application/vnd.openxmlformats-officedocument.wordprocessingml.document", "application/zip"},
    {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "application/zip"},
    {"application/vnd.openxmlformats-officedocument.presentationml.presentation", "application/zip"},
    {"application/gzip", "application/gzip"},
    {"application/x-gzip", "application/gzip"},
    {"video/mp4", "video/mp4"},
}};

// Declared types that must be UTF-8 text.
constexpr std::array<std::string_view, 6> kTextKinds{
    "text/plain", "text/csv", "text/markdown", "application/json", "text/x-markdown", "text/tab-separated-values"};

}  // namespace

void RequireFilename(std::string_view filename) {
    if (filename.empty()) throw core::InvalidArgument("filename", "must not be empty");
    if (filename.size() > 255) throw core::InvalidArgument("filename", "must be at most 255 bytes");
    if (filename == "." || filename == "..") throw core::InvalidArgument("filename", "must not be '.' or '..'");
    for (char c : filename) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u == 0x7F) throw core::InvalidArgument("filename", "must not contain control characters");
        if (c == '/' || c == '\\') throw core::InvalidArgument("filename", "must not contain '/' or '\\'");
    }
    if (!ValidUtf8(filename)) throw core::InvalidArgument("filename", "must be valid UTF-8");
}

std::optional<std::string> SniffContentType(std::string_view b) {
    if (StartsWith(b, "\x89PNG\r\n\x1a\n")) return "image/png";
    if (StartsWith(b, "\xFF\xD8\xFF")) return "image/jpeg";
    if (StartsWith(b, "GIF87a") || StartsWith(b, "GIF89a")) return "image/gif";
    if (b.size() >= 12 && StartsWith(b, "RIFF") && b.substr(8, 4) == "WEBP") return "image/webp";
    if (StartsWith(b, "%PDF-")) return "application/pdf";
    if (StartsWith(b, std::string_view("PK\x03\x04", 4)) || StartsWith(b, std::string_view("PK\x05\x06", 4))) {
        return "application/zip";
    }
    if (StartsWith(b, "\x1F\x8B")) return "application/gzip";
    if (b.size() >= 12 && b.substr(4, 4) == "ftyp") return "video/mp4";
    return std::nullopt;
}

std::string BaseContentType(std::string_view declared) {
    std::string base(declared.substr(0, declared.find(';')));
    while (!base.empty() && (base.back() == ' ' || base.back() == '\t')) base.pop_back();
    std::transform(base.begin(), base.end(), base.begin(), [](unsigned char c) { return std::tolower(c); });
    return base;
}

void RequireContentMatches(std::string_view declared, std::string_view bytes) {
    if (declared.empty()) throw core::InvalidArgument("content_type", "must not be empty");
    if (declared.size() > 255) throw core::InvalidArgument("content_type", "must be at most 255 characters");
    for (char c : declared) {
        if (c < 0x20 || c > 0x7E) throw core::InvalidArgument("content_type", "must be printable ASCII");
    }
    if (bytes.empty()) throw core::InvalidArgument("data", "must not be empty");
    const std::string base = BaseContentType(declared);
    const auto sniffed = SniffContentType(bytes);
    for (const auto& kind : kMagicKinds) {
        if (base != kind.declared) continue;
        if (sniffed != kind.sniffed) {
            throw core::InvalidArgument(
                "content_type",
                "declared " + base + " but the bytes are " +
                    std::string(sniffed ? Describe(*sniffed) : "not " + std::string(Describe(kind.sniffed))));
        }
        return;
    }
    if (std::find(kTextKinds.begin(), kTextKinds.end(), base) != kTextKinds.end()) {
        if (sniffed) {
            throw core::InvalidArgument("content_type",
                                        "declared " + base + " but the bytes are " + std::string(Describe(*sniffed)));
        }
        if (bytes.find('\0') != std::string_view::npos || !ValidUtf8(bytes)) {
            throw core::InvalidArgument("content_type", "declared " + base + " but the bytes are not UTF-8 text");
        }
        return;
    }
    if (base == "application/octet-stream") return;  // any bytes; served as an attachment, never rendered
    throw core::InvalidArgument("content_type", "'" + base +
                                                    "' is not an accepted type (images, PDF, ZIP and Office documents, "
                                                    "gzip, MP4, text, CSV, Markdown, JSON, application/octet-stream)");
}

void RequireFileSize(std::int64_t size, const FileLimits& limits) {
    if (size > limits.max_file_bytes) {
        throw core::InvalidArgument(
            "data", "must be at most " + std::to_string(limits.max_file_bytes) + " bytes, got " + std::to_string(size));
    }
}

}  // namespace marketplace::workroom
