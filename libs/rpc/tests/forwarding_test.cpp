#include <catch2/catch.hpp>

#include "marketplace/rpc/forwarding.hpp"

using namespace marketplace;

TEST_CASE("Client address: the host of a gRPC peer", "[rpc][address]") {
    CHECK(rpc::PeerHost("ipv4:10.0.0.7:5123") == "10.0.0.7");
    CHECK(rpc::PeerHost("ipv6:[::1]:5123") == "::1");
    CHECK(rpc::PeerHost("ipv6:[2001:db8::2]:443") == "2001:db8::2");
    CHECK(rpc::PeerHost("unix:/tmp/sock") == "unix:/tmp/sock");
}

TEST_CASE("Client address: the gateway's forwarded address counts when it presents the secret", "[rpc][address]") {
    const std::string secret = "gateway-secret-0123456789";
    CHECK(rpc::ClientAddress("203.0.113.9", secret, "ipv4:127.0.0.1:1", secret) == "203.0.113.9");
    CHECK(rpc::ClientAddress(" 2001:DB8::1 ", secret, "ipv4:127.0.0.1:1", secret) == "2001:db8::1");
}

TEST_CASE("Client address: without the right secret, or with garbage, the peer counts", "[rpc][address]") {
    const std::string secret = "gateway-secret-0123456789";
    // Anyone else who reaches a service cannot choose the address it is throttled as.
    CHECK(rpc::ClientAddress("203.0.113.9", std::nullopt, "ipv4:10.1.1.1:99", secret) == "10.1.1.1");
    CHECK(rpc::ClientAddress("203.0.113.9", "gateway-secret-012345678", "ipv4:10.1.1.1:99", secret) == "10.1.1.1");
    CHECK(rpc::ClientAddress("203.0.113.9", "", "ipv4:10.1.1.1:99", "") == "10.1.1.1");  // no secret configured
    CHECK(rpc::ClientAddress("evil<script>", secret, "ipv4:10.1.1.1:99", secret) == "10.1.1.1");
    CHECK(rpc::ClientAddress("1.2.3.4, 5.6.7.8", secret, "ipv4:10.1.1.1:99", secret) == "10.1.1.1");
    CHECK(rpc::ClientAddress(std::nullopt, secret, "ipv4:10.1.1.1:99", secret) == "10.1.1.1");
}

TEST_CASE("Client address: secrets compare equal only when equal", "[rpc][address]") {
    CHECK(rpc::SecretsEqual("abc", "abc"));
    CHECK_FALSE(rpc::SecretsEqual("abc", "abd"));
    CHECK_FALSE(rpc::SecretsEqual("abc", "abcd"));
    CHECK_FALSE(rpc::SecretsEqual("", "a"));
}
