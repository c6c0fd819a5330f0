#pragma once
// The source address a login comes from, for throttling per source.
#include <optional>
#include <string>
#include <string_view>

namespace marketplace::auth {

/// The host of a gRPC peer string: "ipv4:10.0.0.7:5123" -> "10.0.0.7", "ipv6:[::1]:5123" -> "::1";
/// anything else (unix sockets, in-process) is returned whole.
std::string PeerHost(std::string_view grpc_peer);

/// The address to throttle on. With `trust_forwarded` and an `x-forwarded-for` value, its right-most
/// entry (the one our gateway appended; entries to its left come from the client and can be forged)
/// when that is an IP address; otherwise the peer's host.
std::string ClientAddress(std::optional<std::string_view> forwarded_for, std::string_view grpc_peer,
                          bool trust_forwarded);

}  // namespace marketplace::auth
