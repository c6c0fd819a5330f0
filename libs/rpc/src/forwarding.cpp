#include "marketplace/rpc/forwarding.hpp"

#include <grpcpp/server_context.h>
#include <sodium.h>

#include <iterator>

namespace marketplace::rpc {
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

std::string TrimmedLower(std::string_view s) {
    const auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
    while (!s.empty() && space(s.front())) s.remove_prefix(1);
    while (!s.empty() && space(s.back())) s.remove_suffix(1);
    std::string out(s);
    for (auto& c : out) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return out;
}

// The value of metadata `key` when given exactly once; nullopt when absent or repeated.
std::optional<std::string_view> Single(const grpc::ServerContext& context, const char* key) {
    const auto range = context.client_metadata().equal_range(key);
    if (range.first == range.second || std::next(range.first) != range.second) return std::nullopt;
    return std::string_view(range.first->second.data(), range.first->second.size());
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

bool SecretsEqual(std::string_view a, std::string_view b) {
    if (sodium_init() < 0) return false;
    // Compare digests, so neither the length nor the first difference shows in the time taken.
    unsigned char da[crypto_generichash_BYTES];
    unsigned char db[crypto_generichash_BYTES];
    crypto_generichash(da, sizeof da, reinterpret_cast<const unsigned char*>(a.data()), a.size(), nullptr, 0);
    crypto_generichash(db, sizeof db, reinterpret_cast<const unsigned char*>(b.data()), b.size(), nullptr, 0);
    return sodium_memcmp(da, db, sizeof da) == 0;
}

std::string ClientAddress(std::optional<std::string_view> client_address,
                          std::optional<std::string_view> presented_secret, std::string_view grpc_peer,
                          std::string_view gateway_secret) {
    if (!gateway_secret.empty() && presented_secret && SecretsEqual(*presented_secret, gateway_secret) &&
        client_address) {
        std::string address = TrimmedLower(*client_address);
        if (LooksLikeIp(address)) return address;
    }
    return PeerHost(grpc_peer);
}

std::string ClientAddressOf(const grpc::ServerContext& context, std::string_view gateway_secret) {
    return ClientAddress(Single(context, kClientAddressMetadata), Single(context, kGatewaySecretMetadata),
                         context.peer(), gateway_secret);
}

}  // namespace marketplace::rpc
