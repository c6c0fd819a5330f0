#include "http/url.hpp"

#include "http/request_error.hpp"
#include "http/utf8.hpp"

namespace marketplace::gateway {
namespace {

int HexValue(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

bool IsDotSegment(std::string_view raw) {
    std::string decoded;
    if (!PercentDecode(raw, decoded)) return false;
    return decoded == "." || decoded == "..";
}

}  // namespace

bool PercentDecode(std::string_view in, std::string& out, bool plus_is_space) {
    out.clear();
    out.reserve(in.size());
    for (std::size_t i = 0; i < in.size(); ++i) {
        const char c = in[i];
        if (c == '%') {
            if (i + 2 >= in.size()) return false;
            const int hi = HexValue(in[i + 1]);
            const int lo = HexValue(in[i + 2]);
            if (hi < 0 || lo < 0) return false;
            out += static_cast<char>(hi * 16 + lo);
            i += 2;
        } else if (c == '+' && plus_is_space) {
            out += ' ';
        } else {
            out += c;
        }
    }
    return true;
}

Target SplitTarget(std::string_view target) {
    if (target.empty() || target.front() != '/') {
        throw RequestError::InvalidArgument("path", "the request target must be an absolute path");
    }
    for (const char c : target) {
        const auto u = static_cast<unsigned char>(c);
        if (u <= 0x20 || u >= 0x7F || c == '#') {
            throw RequestError::InvalidArgument("path",
                                                "the request target holds a character that must be percent-encoded");
        }
    }
    Target out;
    const auto q = target.find('?');
    out.path = target.substr(0, q);
    if (q != std::string_view::npos) out.query = target.substr(q + 1);
    for (const auto segment : SplitPath(out.path)) {
        // A verb suffix (":cancel") does not make a dot segment legal.
        const auto colon = segment.find(':');
        if (IsDotSegment(segment) || (colon != std::string_view::npos && IsDotSegment(segment.substr(0, colon)))) {
            throw RequestError::InvalidArgument("path", "'.' and '..' path segments are not allowed");
        }
    }
    return out;
}

std::vector<std::string_view> SplitPath(std::string_view path) {
    std::vector<std::string_view> segments;
    if (path.size() <= 1) return segments;
    std::size_t start = 1;
    for (;;) {
        const auto slash = path.find('/', start);
        if (slash == std::string_view::npos) {
            segments.push_back(path.substr(start));
            return segments;
        }
        segments.push_back(path.substr(start, slash - start));
        start = slash + 1;
    }
}

std::vector<std::pair<std::string, std::string>> ParseQuery(std::string_view query) {
    std::vector<std::pair<std::string, std::string>> params;
    std::size_t start = 0;
    while (start <= query.size() && !query.empty()) {
        auto amp = query.find('&', start);
        if (amp == std::string_view::npos) amp = query.size();
        const auto pair = query.substr(start, amp - start);
        start = amp + 1;
        if (pair.empty()) {
            if (amp >= query.size()) break;
            continue;
        }
        const auto eq = pair.find('=');
        const auto raw_name = pair.substr(0, eq);
        const auto raw_value = eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1);
        std::string name;
        std::string value;
        if (!PercentDecode(raw_name, name, true)) {
            throw RequestError::InvalidArgument("query", "malformed percent-encoding in a query parameter name");
        }
        if (name.empty()) throw RequestError::InvalidArgument("query", "a query parameter has no name");
        if (!IsValidUtf8(name)) throw RequestError::InvalidArgument("query", "a query parameter name is not UTF-8");
        if (!PercentDecode(raw_value, value, true)) {
            throw RequestError::InvalidArgument(name, "malformed percent-encoding in query parameter '" + name + "'");
        }
        if (!IsValidUtf8(value)) {
            throw RequestError::InvalidArgument(name, "query parameter '" + name + "' is not valid UTF-8");
        }
        params.emplace_back(std::move(name), std::move(value));
        if (amp >= query.size()) break;
    }
    return params;
}

}  // namespace marketplace::gateway
