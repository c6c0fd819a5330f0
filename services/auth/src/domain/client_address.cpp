#include "domain/client_address.hpp"

#include "domain/text.hpp"

namespace marketplace::auth {
namespace {

bool LooksLikeIp(std::string_view s) {
    if (s.empty() || s.size() > 45) return false;
    bool colon = false;
    bool dot = false;
    for (const char c : s) {
        if (c == ':') {
            colon = true;
        } else if (c == '.') {
            dot = true;
        } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
            return false;
        }
    }
    return colon || dot;
}

}  // namespace

std::string PeerHost(std::string_view peer) {
    if (peer.starts_with("ipv4:")) {
        const auto rest = peer.substr(5);
        const auto colon = rest.rfind(':');
        return std::string(colon == std::string_view::npos ? rest : rest.substr(0, colon));
    }
    if (peer.starts_with("ipv6:")) {
        const auto rest = peer.substr(5);
        if (rest.starts_with("[")) {
            const auto close = rest.find(']');
            if (close != std::string_view::npos) return std::string(rest.substr(1, close - 1));
        }
        return std::string(rest);
    }
    return std::string(peer);
}

std::string ClientAddress(std::optional<std::string_view> forwarded_for, std::string_view grpc_peer,
                          bool trust_forwarded) {
    if (trust_forwarded && forwarded_for && !forwarded_for->empty()) {
        const auto comma = forwarded_for->rfind(',');
        const std::string last =
            Trim(comma == std::string_view::npos ? *forwarded_for : forwarded_for->substr(comma + 1));
        if (LooksLikeIp(last)) return AsciiLower(last);
    }
    return PeerHost(grpc_peer);
}

}  // namespace marketplace::auth
