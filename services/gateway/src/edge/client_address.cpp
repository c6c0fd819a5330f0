#include "edge/client_address.hpp"

#include <stdexcept>

#include <boost/asio/ip/address.hpp>

namespace marketplace::gateway {
namespace ip = boost::asio::ip;

namespace {

std::string_view Trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

bool ParseAddress(std::string_view text, ip::address& out) {
    boost::system::error_code ec;
    out = ip::make_address(std::string(Trim(text)), ec);
    if (ec) return false;
    if (out.is_v6() && out.to_v6().is_v4_mapped()) out = ip::make_address_v4(ip::v4_mapped, out.to_v6());
    return true;
}

}  // namespace

std::string CanonicalAddress(std::string_view address) {
    ip::address parsed;
    return ParseAddress(address, parsed) ? parsed.to_string() : std::string();
}

TrustedProxies TrustedProxies::Parse(const std::vector<std::string>& entries) {
    TrustedProxies t;
    for (const auto& entry : entries) {
        boost::system::error_code ec;
        const auto slash = entry.find('/');
        if (slash == std::string::npos) {
            ip::address a;
            if (!ParseAddress(entry, a)) throw std::invalid_argument("'" + entry + "' is not an address or CIDR block");
            if (a.is_v4()) {
                t.v4_.emplace_back(a.to_v4(), 32);
            } else {
                t.v6_.emplace_back(a.to_v6(), 128);
            }
            continue;
        }
        if (entry.find(':') == std::string::npos) {
            const auto net = ip::make_network_v4(entry, ec);
            if (!ec) {
                t.v4_.push_back(net.canonical());
                continue;
            }
        } else {
            const auto net = ip::make_network_v6(entry, ec);
            if (!ec) {
                t.v6_.push_back(net.canonical());
                continue;
            }
        }
        throw std::invalid_argument("'" + entry + "' is not an address or CIDR block");
    }
    return t;
}

bool TrustedProxies::Contains(std::string_view address) const {
    if (empty()) return false;
    ip::address a;
    if (!ParseAddress(address, a)) return false;
    if (a.is_v4()) {
        const ip::network_v4 host(a.to_v4(), 32);
        for (const auto& net : v4_) {
            if (host == net || host.is_subnet_of(net)) return true;
        }
        return false;
    }
    const ip::network_v6 host(a.to_v6(), 128);
    for (const auto& net : v6_) {
        if (host == net || host.is_subnet_of(net)) return true;
    }
    return false;
}

std::string ResolveClientAddress(std::string_view peer, const std::vector<std::string_view>& forwarded_for,
                                 const TrustedProxies& trusted) {
    std::string client = CanonicalAddress(peer);
    if (client.empty()) client = std::string(peer);
    if (!trusted.Contains(client)) return client;
    // Every header's entries, right-most last.
    std::vector<std::string_view> hops;
    for (const auto header : forwarded_for) {
        std::size_t start = 0;
        while (start <= header.size()) {
            auto comma = header.find(',', start);
            if (comma == std::string_view::npos) comma = header.size();
            hops.push_back(header.substr(start, comma - start));
            start = comma + 1;
        }
    }
    for (auto it = hops.rbegin(); it != hops.rend(); ++it) {
        const std::string hop = CanonicalAddress(*it);
        if (hop.empty()) break;  // forged or garbled: the last good address stands
        client = hop;
        if (!trusted.Contains(hop)) break;
    }
    return client;
}

}  // namespace marketplace::gateway
