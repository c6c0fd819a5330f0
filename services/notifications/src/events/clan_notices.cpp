#include "events/clan_notices.hpp"

#include "marketplace/core/errors.hpp"

namespace marketplace::notifications {
namespace {

void RequireId(const std::string& id, const char* field) {
    if (id.empty()) throw core::InvalidArgument(field, "is required");
    if (id.size() > 64) throw core::InvalidArgument(field, "must be at most 64 characters");
}

std::string ClanName(const std::string& name) { return name.empty() ? "your clan" : Shorten(name, 80); }

/// One notice for every user in `users` (each once, empty ids skipped).
std::vector<Notice> ToEach(const std::string& kind, const std::string& title, const std::string& contract_id,
                           const std::vector<std::string>& users) {
    Notice n{kind, title, contract_id, {}, {}};
    for (const auto& u : users) {
        if (u.empty()) continue;
        const auto r = Recipient::User(u);
        bool seen = false;
        for (const auto& have : n.recipients) seen = seen || have == r;
        if (!seen) n.recipients.push_back(r);
    }
    if (n.recipients.empty()) return {};
    return {n};
}

}  // namespace

std::vector<Notice> NoticesOf(const jobs::v1::ProposalSubmitted& e) {
    if (e.clan_id().empty()) return {};
    RequireId(e.proposal_id(), "proposal_id");
    const std::vector<std::string> named(e.clan_member_ids().begin(), e.clan_member_ids().end());
    const std::string job = e.job_title().empty() ? "a job" : "\"" + Shorten(e.job_title(), 120) + "\"";
    return ToEach("clan.application_named",
                  "Your clan applied to " + job +
                      " with a plan that names you: agree to your part so the client can "
                      "hire the clan",
                  {}, named);
}

std::vector<Notice> NoticesOf(const clans::v1::PayoutSplitLocked& e) {
    RequireId(e.clan_id(), "clan_id");
    RequireId(e.proposal_id(), "proposal_id");
    std::vector<std::string> users{e.leader_id()};
    for (const auto& s : e.shares()) users.push_back(s.user_id());
    if (e.version() <= 1) {
        return ToEach("clan.plan_locked",
                      "The payout plan of " + ClanName(e.clan_name()) + " is locked: you are named in version 1",
                      e.contract_id(), users);
    }
    return ToEach("clan.plan_changed",
                  "The payout plan of " + ClanName(e.clan_name()) + " changed: version " + std::to_string(e.version()) +
                      " applies to the milestones not yet released",
                  e.contract_id(), users);
}

std::vector<Notice> NoticesOf(const clans::v1::PayoutPlanVersionProposed& e) {
    RequireId(e.client_id(), "client_id");
    RequireId(e.contract_id(), "contract_id");
    const std::string version = std::to_string(e.version());
    auto out = ToEach("clan.plan_version_proposed",
                      ClanName(e.clan_name()) + " proposes version " + version +
                          " of its payout plan on your contract: approve or reject it",
                      e.contract_id(), {e.client_id()});
    const std::vector<std::string> named(e.member_ids().begin(), e.member_ids().end());
    for (auto& n : ToEach("clan.plan_version_named",
                          "You are named in version " + version + " of a payout plan of " + ClanName(e.clan_name()) +
                              ", waiting for the client's approval",
                          e.contract_id(), named)) {
        out.push_back(std::move(n));
    }
    return out;
}

std::vector<Notice> NoticesOf(const clans::v1::PayoutPlanVersionRejected& e) {
    RequireId(e.proposed_by(), "proposed_by");
    const std::string what = e.outcome() == "stale" ? "is void: " + Shorten(e.reason(), 200)
                                                    : "was rejected by the client" +
                                                          (e.reason().empty() ? "" : ": " + Shorten(e.reason(), 200));
    return ToEach(
        "clan.plan_version_rejected",
        "Version " + std::to_string(e.version()) + " of the payout plan of " + ClanName(e.clan_name()) + " " + what, {},
        {e.proposed_by()});
}

std::vector<Notice> NoticesOf(const clans::v1::PayoutPlanNeedsVersion& e) {
    RequireId(e.departed_user_id(), "departed_user_id");
    const std::vector<std::string> members(e.member_ids().begin(), e.member_ids().end());
    return ToEach("clan.plan_needs_version",
                  "A member named in a payout plan of " + ClanName(e.clan_name()) + " " +
                      (e.how() == "removed" ? "was removed" : "left") + ": the plan needs a new version",
                  e.contract_id(), members);
}

std::vector<Notice> NoticesOf(const clans::v1::ClanTaskCreated& e) {
    RequireId(e.task_id(), "task_id");
    return ToEach("clan.task_assigned",
                  "A task of " + ClanName(e.clan_name()) + " is assigned to you: " + Shorten(e.title(), 200), {},
                  {e.assignee_id()});
}

std::vector<Notice> NoticesOf(const clans::v1::ClanTaskChanged& e) {
    RequireId(e.task_id(), "task_id");
    if (e.assignee_id() == e.previous_assignee_id()) return {};
    return ToEach("clan.task_assigned",
                  "A task of " + ClanName(e.clan_name()) + " is assigned to you: " + Shorten(e.title(), 200), {},
                  {e.assignee_id()});
}

}  // namespace marketplace::notifications
