#include "marketplace/db/arrays.hpp"

namespace marketplace::db {

std::string IntArray(const std::vector<std::int64_t>& values) {
    std::string out = "{";
    out.reserve(values.size() * 8 + 2);
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (i > 0) out += ',';
        out += std::to_string(values[i]);
    }
    out += '}';
    return out;
}

std::string TextArray(const std::vector<std::string>& values) {
    std::string out = "{";
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (i > 0) out += ',';
        out += '"';
        for (char c : values[i]) {
            if (c == '"' || c == '\\') out += '\\';
            out += c;
        }
        out += '"';
    }
    out += '}';
    return out;
}

}  // namespace marketplace::db
