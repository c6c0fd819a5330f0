#include <catch2/catch.hpp>

#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "edge/client_address.hpp"

using namespace marketplace::gateway;

namespace {
std::string Resolve(std::string_view peer, std::vector<std::string_view> forwarded, const TrustedProxies& trusted) {
    return ResolveClientAddress(peer, forwarded, trusted);
}
}  // namespace

TEST_CASE("Client address: with no trusted proxy the TCP peer is the client, X-Forwarded-For is ignored",
          "[gateway][unit]") {
    const TrustedProxies none;
    CHECK(Resolve("198.51.100.7", {}, none) == "198.51.100.7");
    CHECK(Resolve("198.51.100.7", {"203.0.113.9"}, none) == "198.51.100.7");
}

TEST_CASE("Client address: behind a trusted proxy, the right-most entry that is not a trusted proxy",
          "[gateway][unit]") {
    const auto trusted = TrustedProxies::Parse({"10.0.0.0/8", "192.0.2.7"});
    CHECK(Resolve("10.1.2.3", {"203.0.113.9"}, trusted) == "203.0.113.9");
    // Entries left of the client were written by the client: never believed.
    CHECK(Resolve("10.1.2.3", {"1.1.1.1, 203.0.113.9"}, trusted) == "203.0.113.9");
    // A chain of trusted proxies is skipped; several headers read as one list.
    CHECK(Resolve("10.1.2.3", {"1.1.1.1, 203.0.113.9", "192.0.2.7, 10.9.9.9"}, trusted) == "203.0.113.9");
    // Garbage ends the walk at the last good hop.
    CHECK(Resolve("10.1.2.3", {"203.0.113.9, not-an-ip"}, trusted) == "10.1.2.3");
    CHECK(Resolve("10.1.2.3", {}, trusted) == "10.1.2.3");
    // Canonical forms: IPv6 lower-cased and compressed, IPv4-mapped IPv6 as IPv4.
    CHECK(Resolve("10.1.2.3", {"2001:DB8:0::1"}, trusted) == "2001:db8::1");
    CHECK(Resolve("::ffff:198.51.100.7", {"203.0.113.9"}, trusted) == "198.51.100.7");
}

TEST_CASE("Client address: trusted proxies are addresses or CIDR blocks", "[gateway][unit]") {
    const auto trusted = TrustedProxies::Parse({"127.0.0.2", "fd00::/8"});
    CHECK(trusted.Contains("127.0.0.2"));
    CHECK_FALSE(trusted.Contains("127.0.0.3"));
    CHECK(trusted.Contains("fd12::5"));
    CHECK_FALSE(trusted.Contains("fe80::1"));
    CHECK_THROWS_AS(TrustedProxies::Parse({"10.0.0.0/33"}), std::invalid_argument);
    CHECK_THROWS_AS(TrustedProxies::Parse({"proxy.internal"}), std::invalid_argument);
}
