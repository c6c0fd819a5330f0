// clans.events.v1 into contracts' read model of clans (rosters and locked payout plans), and the
// legs of clan releases as payments reported them.
#include "events/consumers.hpp"

#include <cctype>

#include "marketplace/core/ids.hpp"
#include "marketplace/core/log.hpp"
#include "marketplace/messaging/consumer.hpp"
#include "storage/clan_store.hpp"

namespace marketplace::contracts {
namespace {

std::string Lower(std::string text) {
    for (auto& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return text;
}

std::string RequireUuid(const std::string& value, const char* event, const char* field) {
    if (!core::IsUuid(value)) {
        throw messaging::PermanentError(std::string(event) + "." + field + ": must be a UUID, got '" +
                                        value.substr(0, 64) + "'");
    }
    return Lower(value);
}

}  // namespace

void EventConsumers::OnClanCreated(pqxx::work& tx, const clans::v1::ClanCreated& e) const {
    const auto clan = RequireUuid(e.clan_id(), "ClanCreated", "clan_id");
    const auto head = RequireUuid(e.head_id(), "ClanCreated", "head_id");
    storage::RecordClanStanding(tx, clan, head, "head", "created", 1, runtime_.clock()->Now());
}

void EventConsumers::OnClanMemberChanged(pqxx::work& tx, const clans::v1::ClanMemberChanged& e) const {
    const auto clan = RequireUuid(e.clan_id(), "ClanMemberChanged", "clan_id");
    const auto user = RequireUuid(e.user_id(), "ClanMemberChanged", "user_id");
    const std::string& role = e.role();
    if (role != "head" && role != "co_head" && role != "admin" && role != "member" && !role.empty()) {
        throw messaging::PermanentError("ClanMemberChanged.role: unknown role '" + role.substr(0, 32) + "'");
    }
    if (e.members_version() < 1) throw messaging::PermanentError("ClanMemberChanged.members_version: must be >= 1");
    storage::RecordClanStanding(tx, clan, user, role, e.change(), e.members_version(), runtime_.clock()->Now());
}

void EventConsumers::OnPayoutSplitLocked(pqxx::work& tx, const clans::v1::PayoutSplitLocked& e) const {
    ClanPlanVersion plan;
    plan.clan_id = RequireUuid(e.clan_id(), "PayoutSplitLocked", "clan_id");
    const auto proposal = RequireUuid(e.proposal_id(), "PayoutSplitLocked", "proposal_id");
    plan.leader_id = RequireUuid(e.leader_id(), "PayoutSplitLocked", "leader_id");
    if (e.version() < 1) throw messaging::PermanentError("PayoutSplitLocked.version: must be >= 1");
    plan.version = e.version();
    if (e.split_mode() != "bps" && e.split_mode() != "fixed") {
        throw messaging::PermanentError("PayoutSplitLocked.split_mode: must be bps or fixed");
    }
    plan.split_mode = e.split_mode();
    if (e.shares().empty()) throw messaging::PermanentError("PayoutSplitLocked.shares: must not be empty");
    for (const auto& s : e.shares()) {
        if (s.weight() <= 0) throw messaging::PermanentError("PayoutSplitLocked.shares.weight: must be > 0");
        plan.shares.push_back({RequireUuid(s.user_id(), "PayoutSplitLocked", "shares.user_id"), s.role(), s.weight()});
    }
    if (storage::RecordPayoutPlan(tx, proposal, plan, runtime_.clock()->Now())) {
        core::log::Info(
            "clan payout plan recorded",
            {{"clan_id", plan.clan_id}, {"proposal_id", proposal}, {"version", static_cast<long>(plan.version)}});
    }
}

void EventConsumers::RecordClanLegs(pqxx::work& tx, const storage::MilestoneContext& ctx,
                                    const google::protobuf::RepeatedPtrField<payments::v1::ReleaseLeg>& legs) const {
    if (ctx.clan_id.empty()) return;
    std::vector<PaidLeg> paid;
    for (const auto& leg : legs) {
        paid.push_back({leg.kind(), core::IsUuid(leg.user_id()) ? Lower(leg.user_id()) : std::string(),
                        leg.amount().currency(), leg.amount().minor_units()});
    }
    storage::RecordClanPayouts(tx, ctx.milestone.id, ctx.milestone.contract_id, ctx.clan_id, paid,
                               runtime_.clock()->Now());
}

}  // namespace marketplace::contracts
