#pragma once
// What the gateway tells services about the client behind a call (docs/ARCHITECTURE.md, "The client's
// address"). The gateway resolves the client's address (the TCP peer, or X-Forwarded-For when the
// peer is a trusted proxy) and sends it as x-client-address, together with x-gateway-secret, a
// secret configured on the gateway and on the services that act on the address. A service believes
// x-client-address only when x-gateway-secret matches its own copy; otherwise the gRPC peer counts.
#include <optional>
#include <string>
#include <string_view>

namespace grpc {
class ServerContext;
}

namespace marketplace::rpc {

inline constexpr char kClientAddressMetadata[] = "x-client-address";
inline constexpr char kGatewaySecretMetadata[] = "x-gateway-secret";

/// The host of a gRPC peer string: "ipv4:10.0.0.7:5123" -> "10.0.0.7", "ipv6:[::1]:5123" -> "::1";
/// anything else (unix sockets, in-process) is returned whole.
std::string PeerHost(std::string_view grpc_peer);

/// True when both are equal, in time that does not depend on where they differ.
bool SecretsEqual(std::string_view a, std::string_view b);

/// The caller's address. `client_address` (x-client-address, the address the gateway resolved)
/// counts only when `gateway_secret` is configured (non-empty), the call presented the same secret
/// (x-gateway-secret), and the value is an IP address (returned trimmed and lower-case); otherwise
/// the gRPC peer's host does, so a caller that is not the gateway cannot pick its own address.
std::string ClientAddress(std::optional<std::string_view> client_address,
                          std::optional<std::string_view> presented_secret, std::string_view grpc_peer,
                          std::string_view gateway_secret);

/// ClientAddress() of a call, from its metadata (each header counts only when sent exactly once).
std::string ClientAddressOf(const grpc::ServerContext& context, std::string_view gateway_secret);

}  // namespace marketplace::rpc
