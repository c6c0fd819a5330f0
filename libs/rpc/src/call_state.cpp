#include "call_state.hpp"

#include <array>
#include <functional>
#include <mutex>
#include <unordered_map>

#include "marketplace/core/ids.hpp"
#include "marketplace/rpc/call_scope.hpp"

namespace marketplace::rpc::impl {
namespace {

std::string_view View(grpc::string_ref s) { return {s.data(), s.size()}; }

std::string_view FirstValue(const Metadata& metadata, std::string_view key) {
    auto it = metadata.find(grpc::string_ref(key.data(), key.size()));
    return it == metadata.end() ? std::string_view{} : View(it->second);
}

// Sharded so concurrent calls rarely meet on one mutex.
class Registry final {
public:
    void Add(const grpc::ServerContextBase* context, std::shared_ptr<const CallState> state) {
        auto& shard = ShardOf(context);
        std::lock_guard lock(shard.mu);
        shard.calls[context] = std::move(state);
    }
    void Remove(const grpc::ServerContextBase* context, const CallState* state) {
        auto& shard = ShardOf(context);
        std::lock_guard lock(shard.mu);
        auto it = shard.calls.find(context);
        if (it != shard.calls.end() && it->second.get() == state) shard.calls.erase(it);
    }
    std::shared_ptr<const CallState> Find(const grpc::ServerContextBase* context) {
        auto& shard = ShardOf(context);
        std::lock_guard lock(shard.mu);
        auto it = shard.calls.find(context);
        return it == shard.calls.end() ? nullptr : it->second;
    }

private:
    struct Shard {
        std::mutex mu;
        std::unordered_map<const grpc::ServerContextBase*, std::shared_ptr<const CallState>> calls;
    };
    Shard& ShardOf(const grpc::ServerContextBase* context) {
        return shards_[std::hash<const void*>{}(context) % shards_.size()];
    }
    std::array<Shard, 16> shards_;
};

Registry& TheRegistry() {
    static Registry* registry = new Registry();  // never destroyed: calls may finish during static destruction
    return *registry;
}

}  // namespace

CallState StateFromMetadata(const Metadata& metadata) {
    CallState state;
    const auto request_id = FirstValue(metadata, kRequestIdMetadata);
    state.request_id = IsAcceptableRequestId(request_id) ? std::string(request_id) : core::NewUuidV7();
    const auto parent = core::TraceContext::Parse(FirstValue(metadata, kTraceparentMetadata));
    state.trace = parent ? parent->Child() : core::TraceContext::NewRoot();
    const auto authorization = FirstValue(metadata, kAuthorizationMetadata);
    state.had_authorization = metadata.count(grpc::string_ref(kAuthorizationMetadata)) > 0;
    if (auto token = BearerToken(authorization)) state.bearer_token = std::string(*token);
    return state;
}

void RegisterCall(const grpc::ServerContextBase* context, std::shared_ptr<const CallState> state) {
    TheRegistry().Add(context, std::move(state));
}

void UnregisterCall(const grpc::ServerContextBase* context, const CallState* state) {
    TheRegistry().Remove(context, state);
}

std::shared_ptr<const CallState> FindCall(const grpc::ServerContextBase* context) {
    return TheRegistry().Find(context);
}

}  // namespace marketplace::rpc::impl
