#pragma once
// The source address a call comes from, for throttling per source.
#include <optional>
#include <string>
#include <string_view>

namespace marketplace::auth {

/// The host of a gRPC peer string: "ipv4:10.0.0.7:5123" -> "10.0.0.7", "ipv6:[::1]:5123" -> "::1";
/// anything else (unix sockets, in-process) is returned whole.
std::string PeerHost(std::string_view grpc_peer);

/// True when both are equal, in time that does not depend on where they differ.
bool SecretsEqual(std::string_view a, std::string_view b);

/// The address to throttle on. `client_address` (x-client-address, the address the gateway resolved)
/// counts only when `gateway_secret` is configured (non-empty), the call presented the same secret
/// (x-gateway-secret), and the value is an IP address; otherwise the gRPC peer's host does, so a
/// caller that is not the gateway cannot pick the address it is throttled as.
std::string ClientAddress(std::optional<std::string_view> client_address,
                          std::optional<std::string_view> presented_secret, std::string_view grpc_peer,
                          std::string_view gateway_secret);

}  // namespace marketplace::auth
