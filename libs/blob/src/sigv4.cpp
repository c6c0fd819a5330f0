#include "marketplace/blob/sigv4.hpp"

#include <algorithm>
#include <cctype>
#include <ctime>
#include <map>
#include <stdexcept>

namespace marketplace::blob::sigv4 {
namespace {

constexpr char kAlgorithm[] = "AWS4-HMAC-SHA256";

std::string Lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
    return out;
}

// Trims the value and collapses runs of spaces into one, as the canonical headers require.
std::string CanonicalHeaderValue(std::string_view value) {
    std::string out;
    bool in_space = false;
    for (char c : value) {
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            in_space = true;
            continue;
        }
        if (in_space && !out.empty()) {
            out.push_back(' ');
        }
        in_space = false;
        out.push_back(c);
    }
    return out;
}

std::string FormatTime(TimePoint t, const char* format) {
    const std::time_t secs = std::chrono::system_clock::to_time_t(t);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[32];
    const std::size_t n = std::strftime(buf, sizeof buf, format, &tm);
    return {buf, n};
}

std::string Scope(std::string_view short_date, const Credentials& c) {
    return std::string(short_date) + "/" + c.region + "/" + c.service + "/aws4_request";
}

}  // namespace

std::string UriEncode(std::string_view text, bool keep_slash) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(text.size());
    for (unsigned char c : text) {
        if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~' || (keep_slash && c == '/')) {
            out.push_back(static_cast<char>(c));
        } else {
            out.push_back('%');
            out.push_back(kHex[c >> 4]);
            out.push_back(kHex[c & 0x0f]);
        }
    }
    return out;
}

std::string AmzDate(TimePoint t) { return FormatTime(t, "%Y%m%dT%H%M%SZ"); }
std::string ShortDate(TimePoint t) { return FormatTime(t, "%Y%m%d"); }

std::string CanonicalQuery(const Pairs& query) {
    std::vector<std::pair<std::string, std::string>> encoded;
    encoded.reserve(query.size());
    for (const auto& [name, value] : query) {
        encoded.emplace_back(UriEncode(name, false), UriEncode(value, false));
    }
    std::sort(encoded.begin(), encoded.end());
    std::string out;
    for (const auto& [name, value] : encoded) {
        if (!out.empty()) {
            out.push_back('&');
        }
        out += name;
        out.push_back('=');
        out += value;
    }
    return out;
}

Digest SigningKey(std::string_view secret_key, std::string_view short_date, std::string_view region,
                  std::string_view service) {
    const Digest k_date = HmacSha256("AWS4" + std::string(secret_key), short_date);
    const Digest k_region = HmacSha256(AsBytes(k_date), region);
    const Digest k_service = HmacSha256(AsBytes(k_region), service);
    return HmacSha256(AsBytes(k_service), "aws4_request");
}

Signature Sign(const Credentials& credentials, const Request& request, TimePoint t) {
    // Header names lowercased and sorted; repeated names joined by commas in the order given.
    std::map<std::string, std::string> headers;
    for (const auto& [name, value] : request.headers) {
        auto [it, inserted] = headers.emplace(Lower(name), CanonicalHeaderValue(value));
        if (!inserted) {
            it->second += "," + CanonicalHeaderValue(value);
        }
    }
    if (headers.find("host") == headers.end()) {
        throw std::invalid_argument("sigv4: the request has no host header");
    }
    Signature out;
    std::string canonical_headers;
    for (const auto& [name, value] : headers) {
        canonical_headers += name + ":" + value + "\n";
        if (!out.signed_headers.empty()) {
            out.signed_headers.push_back(';');
        }
        out.signed_headers += name;
    }
    out.canonical_request = request.method + "\n" +
                            (request.canonical_uri.empty() ? std::string("/") : request.canonical_uri) + "\n" +
                            CanonicalQuery(request.query) + "\n" + canonical_headers + "\n" + out.signed_headers +
                            "\n" + request.payload_hash;
    const std::string short_date = ShortDate(t);
    const std::string scope = Scope(short_date, credentials);
    out.string_to_sign =
        std::string(kAlgorithm) + "\n" + AmzDate(t) + "\n" + scope + "\n" + Sha256Hex(out.canonical_request);
    const Digest key = SigningKey(credentials.secret_key, short_date, credentials.region, credentials.service);
    out.signature = ToHex(HmacSha256(AsBytes(key), out.string_to_sign));
    out.authorization = std::string(kAlgorithm) + " Credential=" + credentials.access_key + "/" + scope +
                        ", SignedHeaders=" + out.signed_headers + ", Signature=" + out.signature;
    return out;
}

std::string PresignQuery(const Credentials& credentials, std::string_view method, std::string_view host,
                         std::string_view canonical_uri, TimePoint t, std::chrono::seconds expires,
                         const Pairs& extra_query) {
    if (expires < std::chrono::seconds(1) || expires > std::chrono::hours(24 * 7)) {
        throw std::invalid_argument("sigv4: a presigned URL lasts 1 s to 7 days");
    }
    Request request;
    request.method = std::string(method);
    request.canonical_uri = std::string(canonical_uri);
    request.query = extra_query;
    request.query.emplace_back("X-Amz-Algorithm", kAlgorithm);
    request.query.emplace_back("X-Amz-Credential", credentials.access_key + "/" + Scope(ShortDate(t), credentials));
    request.query.emplace_back("X-Amz-Date", AmzDate(t));
    request.query.emplace_back("X-Amz-Expires", std::to_string(expires.count()));
    request.query.emplace_back("X-Amz-SignedHeaders", "host");
    request.headers = {{"host", std::string(host)}};
    request.payload_hash = kUnsignedPayload;
    const Signature signature = Sign(credentials, request, t);
    return CanonicalQuery(request.query) + "&X-Amz-Signature=" + signature.signature;
}

}  // namespace marketplace::blob::sigv4
