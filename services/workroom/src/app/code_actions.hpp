#pragma once
// Code and CI use cases: link and unlink a GitHub repository (members only; the webhook's secret is
// generated here and returned once), take a GitHub delivery (signature, age, duplicate, repository,
// then the pull request or check it reports, each change a room event on the live stream), put a
// pull request under a milestone, read a milestone's pull requests, and mark a milestone submitted
// (from contracts' MilestoneSubmitted), which stores the milestone's pull requests and checks as a
// room event.
#include <chrono>
#include <string>
#include <vector>

#include <pqxx/transaction>

#include "marketplace/core/config.hpp"
#include "marketplace/service/runtime.hpp"
#include "marketplace/workroom/v1/workroom.pb.h"

namespace marketplace::workroom {

struct CodeOptions {
    /// GITHUB_DELIVERY_MAX_AGE: a delivery whose event time (from its signed payload) is older than
    /// this is refused as stale; delivery ids are remembered this long.
    std::chrono::milliseconds delivery_max_age = std::chrono::hours(1);
    /// How far ahead of the service's clock an event time may be (clock skew).
    std::chrono::milliseconds max_clock_skew = std::chrono::minutes(5);
    /// REPOSITORIES_MAX_PER_ROOM: live links per room.
    int max_links_per_room = 10;
    static CodeOptions FromEnv(core::EnvReader& env);
};

class CodeActions final {
public:
    CodeActions(service::Runtime& runtime, CodeOptions options) : runtime_(runtime), options_(options) {}

    v1::LinkRepositoryResponse Link(const std::string& user_id, const v1::LinkRepositoryRequest& request) const;
    std::vector<v1::RepositoryLink> Links(const std::string& user_id, const std::string& room_id) const;
    void Unlink(const std::string& user_id, const v1::UnlinkRepositoryRequest& request) const;

    std::vector<v1::PullRequest> PullRequests(const std::string& user_id,
                                              const v1::ListPullRequestsRequest& request) const;
    v1::PullRequest SetMilestone(const std::string& user_id, const v1::SetPullRequestMilestoneRequest& request) const;
    v1::MilestoneCode MilestoneCode(const std::string& user_id, const std::string& room_id,
                                    const std::string& milestone_id) const;

    /// The outcome: "applied", "duplicate", "outdated" or "ignored".
    std::string HandleDelivery(const v1::HandleGitHubDeliveryRequest& request) const;

    /// From contracts' MilestoneSubmitted, in the consumer's transaction: records when, and stores the
    /// milestone's pull requests as a `milestone_submitted` room event. False when the contract has no
    /// room or the milestone is not one of its.
    bool MilestoneSubmitted(pqxx::work& tx, const std::string& contract_id, const std::string& milestone_id) const;

private:
    void RequireMember(pqxx::work& tx, const std::string& room_id, const std::string& user_id) const;
    void StoreEvent(pqxx::work& tx, const std::string& room_id, v1::WorkroomEvent event) const;
    v1::MilestoneCode ReadMilestone(pqxx::work& tx, const std::string& room_id, const std::string& milestone_id) const;

    service::Runtime& runtime_;
    CodeOptions options_;
};

}  // namespace marketplace::workroom
