#pragma once
// What jobs asks the clans service about a clan when a clan applies and when its proposal is
// accepted: the current members and their roles. Asked over gRPC at that moment (with the caller's
// token) rather than kept as a read model of clans' events, so a member who joined a second ago can
// be named in a plan and one who left a second ago cannot (docs/ARCHITECTURE.md, "Clans").
#include <chrono>
#include <memory>
#include <string>

#include "domain/team_plan.hpp"
#include "marketplace/clans/v1/clans.grpc.pb.h"

namespace marketplace::jobs {

class ClansReader {
public:
    virtual ~ClansReader() = default;
    /// Throws core::NotFound for an unknown clan, core::Unavailable when clans cannot be reached.
    virtual ClanRoster Roster(const std::string& clan_id, const std::string& bearer_token) = 0;
};

/// The gRPC implementation (CLANS_GRPC_TARGET, default 127.0.0.1:7109).
class GrpcClansReader final : public ClansReader {
public:
    GrpcClansReader(std::shared_ptr<grpc::Channel> channel, std::chrono::milliseconds timeout);
    ClanRoster Roster(const std::string& clan_id, const std::string& bearer_token) override;

private:
    std::unique_ptr<clans::v1::ClansService::Stub> stub_;
    std::chrono::milliseconds timeout_;
};

}  // namespace marketplace::jobs
