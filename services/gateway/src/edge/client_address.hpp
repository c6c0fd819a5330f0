#pragma once
// Whose request it is: the client's address, which the per-address rate limit keys on and the
// gateway forwards to the services (x-client-address, marketplace/rpc/forwarding.hpp).
//
// The TCP peer is the client, unless the peer is a trusted proxy (GATEWAY_TRUSTED_PROXIES: a load
// balancer in front of the gateway). Then X-Forwarded-For is read from the right: entries that are
// themselves trusted proxies are skipped, and the first one that is not is the client. Entries to
// its left were written by the client and may be forged, so they never count. A malformed entry
// ends the walk: the last address known good (a trusted proxy) is the client. From a peer that is
// not a trusted proxy, X-Forwarded-For is ignored.
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/ip/network_v4.hpp>
#include <boost/asio/ip/network_v6.hpp>

namespace marketplace::gateway {

class TrustedProxies final {
public:
    TrustedProxies() = default;
    /// Addresses and CIDR blocks ("10.0.0.0/8", "192.0.2.7", "2001:db8::/32"). Throws
    /// std::invalid_argument naming the first entry that is neither.
    static TrustedProxies Parse(const std::vector<std::string>& entries);

    bool Contains(std::string_view address) const;
    bool empty() const noexcept { return v4_.empty() && v6_.empty(); }

private:
    std::vector<boost::asio::ip::network_v4> v4_;
    std::vector<boost::asio::ip::network_v6> v6_;
};

/// The client's address for a request from TCP peer `peer` carrying `forwarded_for` (every
/// X-Forwarded-For header's value, in order; empty when none), as described above. The result is
/// in canonical form ("2001:db8::1", IPv4-mapped IPv6 as IPv4).
std::string ResolveClientAddress(std::string_view peer, const std::vector<std::string_view>& forwarded_for,
                                 const TrustedProxies& trusted);

/// `address` in canonical form, or "" when it is not an IP address.
std::string CanonicalAddress(std::string_view address);

}  // namespace marketplace::gateway
