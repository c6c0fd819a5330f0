#include <string>

#include "marketplace/blob/blob_store.hpp"

namespace marketplace::blob {
namespace {

bool AllowedChar(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
           c == '-';
}

}  // namespace

void ValidateKey(std::string_view key, std::string_view field) {
    const std::string name(field);
    if (key.empty()) {
        throw core::InvalidArgument(name, "must not be empty");
    }
    if (key.size() > kMaxKeyBytes) {
        throw core::InvalidArgument(name, "must be at most " + std::to_string(kMaxKeyBytes) + " bytes");
    }
    std::size_t start = 0;
    while (start <= key.size()) {
        const std::size_t slash = key.find('/', start);
        const std::size_t end = slash == std::string_view::npos ? key.size() : slash;
        const std::string_view segment = key.substr(start, end - start);
        if (segment.empty()) {
            throw core::InvalidArgument(name, "must not start or end with '/' nor contain '//'");
        }
        if (segment == "." || segment == "..") {
            throw core::InvalidArgument(name, "must not contain '.' or '..' segments");
        }
        for (char c : segment) {
            if (!AllowedChar(c)) {
                throw core::InvalidArgument(name, "may contain only letters, digits, '.', '_', '-' and '/'");
            }
        }
        if (slash == std::string_view::npos) {
            break;
        }
        start = slash + 1;
    }
}

}  // namespace marketplace::blob
