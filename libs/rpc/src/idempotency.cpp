#include "marketplace/rpc/idempotency.hpp"

#include <stdexcept>

#include <google/protobuf/descriptor.h>
#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <google/protobuf/message_lite.h>

#include <grpcpp/server_context.h>

#include "marketplace/common/v1/options.pb.h"
#include "marketplace/core/errors.hpp"
#include "marketplace/rpc/call_scope.hpp"

namespace marketplace::rpc {
namespace {

constexpr char kField[] = "idempotency-key";

std::string ToString(grpc::string_ref s) { return {s.data(), s.size()}; }

}  // namespace

void ValidateIdempotencyKey(std::string_view key) {
    if (key.empty() || key.size() > kMaxIdempotencyKeyLength) {
        throw core::InvalidArgument(kField, "must be 1 to 255 characters");
    }
    for (char c : key) {
        if (c < 0x20 || c > 0x7E) throw core::InvalidArgument(kField, "must be printable ASCII");
    }
    if (key.front() == ' ' || key.back() == ' ') {
        throw core::InvalidArgument(kField, "must not start or end with a space");
    }
}

std::optional<std::string> IdempotencyKeyFrom(const grpc::ServerContextBase& context) {
    const auto& metadata = context.client_metadata();
    const auto [first, last] = metadata.equal_range(kIdempotencyKeyMetadata);
    if (first == last) return std::nullopt;
    if (std::next(first) != last) throw core::InvalidArgument(kField, "must be given once");
    std::string key = ToString(first->second);
    ValidateIdempotencyKey(key);
    return key;
}

std::string RequireIdempotencyKey(const grpc::ServerContextBase& context) {
    auto key = IdempotencyKeyFrom(context);
    if (!key) throw core::InvalidArgument(kField, "is required");
    return *std::move(key);
}

std::optional<bool> DeclaresIdempotencyKey(std::string_view method) {
    // "/package.Service/Method" → "package.Service.Method", as the descriptor pool names it.
    if (method.size() < 4 || method.front() != '/') return std::nullopt;
    std::string name(method.substr(1));
    const auto slash = name.find('/');
    if (slash == std::string::npos) return std::nullopt;
    name[slash] = '.';
    const auto* descriptor = google::protobuf::DescriptorPool::generated_pool()->FindMethodByName(name);
    if (descriptor == nullptr) return std::nullopt;
    return descriptor->options().GetExtension(common::v1::requires_idempotency_key) ||
           descriptor->options().GetExtension(common::v1::accepts_idempotency_key);
}

IdempotentCall IdempotentCall::From(const CallScope& call) {
    if (DeclaresIdempotencyKey(call.method()) == false) {
        // A programming error, not the caller's: the proto is what tells clients (and the gateway's
        // OpenAPI document) that the method wants a key.
        throw std::logic_error(call.method() +
                               " reads an Idempotency-Key but its proto does not declare "
                               "(marketplace.common.v1.requires_idempotency_key) or accepts_idempotency_key");
    }
    IdempotentCall result;
    result.key = RequireIdempotencyKey(call.context());
    if (auto claims = call.OptionalClaims()) result.caller = std::move(claims->subject);
    result.method = call.method();
    return result;
}

std::string DeterministicBytes(const google::protobuf::MessageLite& message) {
    std::string bytes;
    {
        google::protobuf::io::StringOutputStream raw(&bytes);
        google::protobuf::io::CodedOutputStream coded(&raw);
        coded.SetSerializationDeterministic(true);
        if (!message.SerializeToCodedStream(&coded)) {
            throw std::runtime_error("cannot serialize " + message.GetTypeName());
        }
    }  // the stream trims `bytes` to what was written when it goes away
    return bytes;
}

}  // namespace marketplace::rpc
