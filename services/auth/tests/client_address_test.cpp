#include <catch2/catch.hpp>

#include "domain/client_address.hpp"

using namespace marketplace;

TEST_CASE("Client address: the host of a gRPC peer", "[auth][address]") {
    CHECK(auth::PeerHost("ipv4:10.0.0.7:5123") == "10.0.0.7");
    CHECK(auth::PeerHost("ipv6:[::1]:5123") == "::1");
    CHECK(auth::PeerHost("ipv6:[2001:db8::2]:443") == "2001:db8::2");
    CHECK(auth::PeerHost("unix:/tmp/sock") == "unix:/tmp/sock");
}

TEST_CASE("Client address: the right-most x-forwarded-for entry, which the gateway appended", "[auth][address]") {
    CHECK(auth::ClientAddress("203.0.113.9", "ipv4:127.0.0.1:1", true) == "203.0.113.9");
    CHECK(auth::ClientAddress("1.2.3.4, 203.0.113.9", "ipv4:127.0.0.1:1", true) == "203.0.113.9");
    CHECK(auth::ClientAddress("1.2.3.4,2001:DB8::1 ", "ipv4:127.0.0.1:1", true) == "2001:db8::1");
}

TEST_CASE("Client address: without trust, or with garbage, the peer counts", "[auth][address]") {
    CHECK(auth::ClientAddress("203.0.113.9", "ipv4:10.1.1.1:99", false) == "10.1.1.1");
    CHECK(auth::ClientAddress("evil<script>", "ipv4:10.1.1.1:99", true) == "10.1.1.1");
    CHECK(auth::ClientAddress("", "ipv4:10.1.1.1:99", true) == "10.1.1.1");
    CHECK(auth::ClientAddress(std::nullopt, "ipv4:10.1.1.1:99", true) == "10.1.1.1");
}
