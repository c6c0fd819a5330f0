#pragma once
// What the gateway tells services about the client behind a call (docs/ARCHITECTURE.md, "The client's
// address"). The gateway resolves the client's address (the TCP peer, or X-Forwarded-For when the
// peer is a trusted proxy) and sends it as x-client-address, together with x-gateway-secret, a
// secret configured on the gateway and on the services that act on the address. A service believes
// x-client-address only when x-gateway-secret matches its own copy; otherwise the gRPC peer counts.
namespace marketplace::rpc {

inline constexpr char kClientAddressMetadata[] = "x-client-address";
inline constexpr char kGatewaySecretMetadata[] = "x-gateway-secret";

}  // namespace marketplace::rpc
