#pragma once
// SQL for code and CI: repository links (migrations/V021__code.sql), the delivery ids handled, pull
// requests and the checks of their commits, and when milestones were submitted.
#include <optional>
#include <string>
#include <vector>

#include <pqxx/transaction>

#include "domain/github.hpp"
#include "marketplace/core/clock.hpp"
#include "marketplace/workroom/v1/workroom.pb.h"

namespace marketplace::workroom::storage {

struct StoredLink {
    v1::RepositoryLink link;
    std::string secret;
    bool live = true;
};

/// Inserts a link; false when the room already has a live link to that repository.
bool InsertLink(pqxx::work& tx, const v1::RepositoryLink& link, const std::string& secret, core::Clock::TimePoint now);
/// The live links of a room, oldest first.
std::vector<v1::RepositoryLink> LinksOf(pqxx::work& tx, const std::string& room_id);
/// How many live links the room has.
int LiveLinkCount(pqxx::work& tx, const std::string& room_id);
/// A link by id (live or not), its row locked until commit when `for_update`.
std::optional<StoredLink> FindLink(pqxx::work& tx, const std::string& link_id, bool for_update = false);
/// Marks a live link of the room unlinked; false when there is none.
bool Unlink(pqxx::work& tx, const std::string& room_id, const std::string& link_id, core::Clock::TimePoint now);

/// Records a delivery id; false when the link has seen it already. Prunes ids received before
/// `forget_before`.
bool RecordDelivery(pqxx::work& tx, const std::string& link_id, const std::string& delivery_id,
                    core::Clock::TimePoint now, core::Clock::TimePoint forget_before);

/// Inserts or updates the pull request (link, number) unless the stored one is newer than
/// `event_time`. Returns its id when it was written, nullopt when the stored one is newer.
std::optional<std::string> UpsertPullRequest(pqxx::work& tx, const StoredLink& link, const PullRequestFacts& pr,
                                             core::Clock::TimePoint event_time, const std::string& new_id);
/// Inserts or updates a commit's check unless the stored one is newer; true when written.
bool UpsertCheck(pqxx::work& tx, const std::string& link_id, const CheckFacts& check,
                 core::Clock::TimePoint event_time);
/// The ids of the link's pull requests whose head is `head_sha`.
std::vector<std::string> PullRequestsAtHead(pqxx::work& tx, const std::string& link_id, const std::string& head_sha);

/// A pull request of the room with its checks; nullopt when there is none.
std::optional<v1::PullRequest> FindPullRequest(pqxx::work& tx, const std::string& room_id, const std::string& id);
/// The room's pull requests (only the milestone's when it is not empty), most recently updated first,
/// with their checks.
std::vector<v1::PullRequest> PullRequestsOf(pqxx::work& tx, const std::string& room_id, const std::string& milestone_id,
                                            int limit);
void SetPullRequestMilestone(pqxx::work& tx, const std::string& id, const std::string& milestone_id);

/// Sets the milestone's submitted_at; false when it is not a milestone of the room.
bool MarkSubmitted(pqxx::work& tx, const std::string& room_id, const std::string& milestone_id,
                   core::Clock::TimePoint when);
/// When the milestone was submitted, if it was.
std::optional<core::Clock::TimePoint> SubmittedAt(pqxx::work& tx, const std::string& room_id,
                                                  const std::string& milestone_id);

}  // namespace marketplace::workroom::storage
