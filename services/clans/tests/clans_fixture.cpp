#include "clans_fixture.hpp"

#include "clans_migrations.hpp"
#include "marketplace/core/ids.hpp"

namespace marketplace::clans::testing {

Fixture::Fixture() : InProcessService("clans", 8, migrations::clans(), Component::Config{}) {}

Fixture& F() {
    static Fixture fixture;
    return fixture;
}

void InTx(const std::function<void(pqxx::work&)>& fn) { F().InTx(fn); }

void Deliver(const google::protobuf::Message& event) { F().Deliver(event); }

std::unique_ptr<grpc::ClientContext> Context(const std::string& user_id, const std::string& role,
                                             const std::string& key) {
    auto ctx = std::make_unique<grpc::ClientContext>();
    ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    if (!user_id.empty()) ctx->AddMetadata("authorization", "Bearer " + F().tokens.For(user_id, role));
    ctx->AddMetadata("idempotency-key", key.empty() ? core::NewUuidV4() : key);
    return ctx;
}

int OutboxCount(const std::string& type, const std::string& clan_id) {
    return F().OutboxCount("marketplace.clans.v1." + type, clan_id);
}

}  // namespace marketplace::clans::testing
