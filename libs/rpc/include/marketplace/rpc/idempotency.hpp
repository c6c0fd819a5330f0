#pragma once
// Idempotency keys on the wire (docs/ARCHITECTURE.md, "Services" (idempotency keys)): a mutating RPC carries
// `idempotency-key` metadata; these read and check it and describe the call it belongs to. Where the keys,
// request hashes and responses are stored, in the transaction that writes the effect, is the service kit's
// service::IdempotencyStore (marketplace/service/idempotency_store.hpp), so that this library, which the
// stateless gateway links too, needs no database.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace google::protobuf {
class MessageLite;
}  // namespace google::protobuf

namespace grpc {
class ServerContextBase;
}  // namespace grpc

namespace marketplace::rpc {

class CallScope;

inline constexpr char kIdempotencyKeyMetadata[] = "idempotency-key";
inline constexpr std::size_t kMaxIdempotencyKeyLength = 255;

/// Throws core::InvalidArgument("idempotency-key", rule) unless the key is 1..255 characters of
/// printable ASCII (0x20..0x7E) that neither starts nor ends with a space (proxies trim those).
void ValidateIdempotencyKey(std::string_view key);

/// The call's validated key, or nullopt when it has none. Throws InvalidArgument when it is
/// malformed or given more than once.
std::optional<std::string> IdempotencyKeyFrom(const grpc::ServerContextBase& context);
/// The call's validated key; throws InvalidArgument("idempotency-key", "is required") without one.
std::string RequireIdempotencyKey(const grpc::ServerContextBase& context);

/// Whether the method ("/package.Service/Method") is declared with the proto method option
/// (marketplace.common.v1.requires_idempotency_key) or (marketplace.common.v1.accepts_idempotency_key)
/// (proto/marketplace/common/v1/options.proto), i.e. reads a key; nullopt when the name is malformed or
/// the method is not linked into this program.
std::optional<bool> DeclaresIdempotencyKey(std::string_view method);

/// One idempotent command: keys are scoped by caller, and bound to one method and one request.
///
/// A signed-in caller's keys are scoped by the token's subject. An anonymous caller (Register,
/// Refresh, Logout: no token) has no identity a key could belong to, so its key is scoped by what
/// it asks: the scope is "anonymous:" + SHA-256 of the method and of the request's bytes (as given
/// to the store). Two anonymous callers therefore share a stored response only when they send the
/// same key with byte-identical requests to the same method; a key one of them used never blocks,
/// answers or reveals anything to another who sends something else with it. The price: for an
/// anonymous caller, the same key with another request is a new command, not ALREADY_EXISTS. (The
/// caller's forwarded address was not chosen: callers behind one NAT share it, and one client's
/// retries may come from another address.)
struct IdempotentCall {
    std::string caller;  // the token's subject; empty for anonymous callers (scoped by their request)
    std::string key;
    std::string method;  // "/package.Service/Method"

    /// From a handler's scope: caller = OptionalClaims()'s subject (or empty), key =
    /// RequireIdempotencyKey, method = call.method(). Throws std::logic_error (INTERNAL) when the
    /// method is linked here and its proto does not declare requires_idempotency_key.
    static IdempotentCall From(const CallScope& call);
};

/// Deterministic protobuf serialization (map entries in key order), the input of the request hash.
std::string DeterministicBytes(const google::protobuf::MessageLite& message);

}  // namespace marketplace::rpc
