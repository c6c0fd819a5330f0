#include "app/clans_reader.hpp"

#include <grpcpp/channel.h>

#include "marketplace/core/errors.hpp"
#include "marketplace/rpc/client.hpp"

namespace marketplace::jobs {
namespace {

std::string RoleName(clans::v1::Role role) {
    switch (role) {
        case clans::v1::ROLE_HEAD:
            return "head";
        case clans::v1::ROLE_CO_HEAD:
            return "co_head";
        case clans::v1::ROLE_ADMIN:
            return "admin";
        default:
            return "member";
    }
}

}  // namespace

GrpcClansReader::GrpcClansReader(std::shared_ptr<grpc::Channel> channel, std::chrono::milliseconds timeout)
    : stub_(clans::v1::ClansService::NewStub(std::move(channel))), timeout_(timeout) {}

ClanRoster GrpcClansReader::Roster(const std::string& clan_id, const std::string& bearer_token) {
    grpc::ClientContext ctx;
    rpc::PrepareClientContext(
        ctx,
        {.deadline = std::chrono::system_clock::now() + timeout_, .idempotency_key = {}, .bearer_token = bearer_token});
    clans::v1::GetClanRequest req;
    req.set_clan_id(clan_id);
    clans::v1::GetClanResponse resp;
    const auto status = stub_->GetClan(&ctx, req, &resp);
    if (status.error_code() == grpc::StatusCode::NOT_FOUND) throw core::NotFound("clan not found");
    if (status.error_code() == grpc::StatusCode::UNAUTHENTICATED) {
        throw core::Unauthenticated("the token was refused by clans");
    }
    if (!status.ok()) throw core::Unavailable("clans could not be asked for the clan: " + status.error_message());
    ClanRoster roster;
    roster.clan_id = resp.clan().clan_id();
    roster.archived = resp.clan().status() == clans::v1::CLAN_STATUS_ARCHIVED;
    for (const auto& m : resp.clan().members()) {
        roster.roles[m.user_id()] = RoleName(m.role());
        if (m.role() == clans::v1::ROLE_HEAD) roster.head_id = m.user_id();
    }
    return roster;
}

}  // namespace marketplace::jobs
