#pragma once
// What clans' events (and jobs' clan applications) tell people (pure: no database). Who gets what:
//   ProposalSubmitted (jobs)   every member a clan's team plan names  clan.application_named (agree to it)
//   PayoutSplitLocked          every member named and the leader  clan.plan_locked (version 1, on hiring)
//                                                                  or clan.plan_changed (a later version)
//   PayoutPlanVersionProposed  the contract's client               clan.plan_version_proposed (to decide)
//                              every member named in it            clan.plan_version_named
//   PayoutPlanVersionRejected  its proposer                        clan.plan_version_rejected (or stale)
//   PayoutPlanNeedsVersion     the clan's current members          clan.plan_needs_version
//   ClanTaskCreated            its assignee (none: no notice)      clan.task_assigned
//   ClanTaskChanged            a new assignee                      clan.task_assigned
// An event that cannot name its subject throws core::InvalidArgument naming the field.
#include <vector>

#include "domain/notice.hpp"
#include "marketplace/clans/v1/events.pb.h"
#include "marketplace/jobs/v1/events.pb.h"

namespace marketplace::notifications {

/// Nothing for a freelancer's proposal.
std::vector<Notice> NoticesOf(const jobs::v1::ProposalSubmitted& e);
std::vector<Notice> NoticesOf(const clans::v1::PayoutSplitLocked& e);
std::vector<Notice> NoticesOf(const clans::v1::PayoutPlanVersionProposed& e);
std::vector<Notice> NoticesOf(const clans::v1::PayoutPlanVersionRejected& e);
std::vector<Notice> NoticesOf(const clans::v1::PayoutPlanNeedsVersion& e);
std::vector<Notice> NoticesOf(const clans::v1::ClanTaskCreated& e);
std::vector<Notice> NoticesOf(const clans::v1::ClanTaskChanged& e);

}  // namespace marketplace::notifications
