#include "storage/clan_store.hpp"

#include <map>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "marketplace/db/statements.hpp"
#include "storage/pg_values.hpp"

namespace marketplace::contracts::storage {
namespace {

std::string SharesJson(const std::vector<ClanPlanShare>& shares) {
    auto out = nlohmann::json::array();
    for (const auto& s : shares) out.push_back({{"user_id", s.user_id}, {"role", s.role}, {"weight", s.weight}});
    return out.dump();
}

std::vector<ClanPlanShare> SharesFromJson(const std::string& text) {
    std::vector<ClanPlanShare> out;
    for (const auto& s : nlohmann::json::parse(text)) {
        out.push_back(
            {s.at("user_id").get<std::string>(), s.at("role").get<std::string>(), s.at("weight").get<std::int64_t>()});
    }
    return out;
}

}  // namespace

void RecordClanStanding(pqxx::work& tx, const std::string& clan_id, const std::string& user_id, const std::string& role,
                        const std::string& change, std::int64_t members_version, TimePoint now) {
    db::Exec(tx,
             "INSERT INTO clan_roster (clan_id, user_id, role, last_change, members_version, changed_at) "
             "VALUES ($1, $2, $3, $4, $5, $6::timestamptz) ON CONFLICT (clan_id, user_id) DO UPDATE SET "
             "role = excluded.role, last_change = excluded.last_change, members_version = excluded.members_version, "
             "changed_at = excluded.changed_at WHERE clan_roster.members_version <= excluded.members_version",
             clan_id, user_id, role, change, members_version, TimeParam(now));
}

std::string ClanRoleOf(pqxx::work& tx, const std::string& clan_id, const std::string& user_id) {
    if (clan_id.empty() || user_id.empty()) return "";
    const auto rows = db::Exec(
        tx, "SELECT role FROM clan_roster WHERE clan_id = $1::uuid AND user_id::text = lower($2)", clan_id, user_id);
    return rows.empty() ? std::string() : rows[0][0].as<std::string>();
}

bool RecordPayoutPlan(pqxx::work& tx, const std::string& proposal_id, const ClanPlanVersion& plan, TimePoint now) {
    const auto inserted = db::Exec(
        tx,
        "INSERT INTO clan_payout_plans (proposal_id, version, clan_id, leader_id, split_mode, shares, locked_at) "
        "VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7::timestamptz) ON CONFLICT (proposal_id, version) DO NOTHING "
        "RETURNING version",
        proposal_id, plan.version, plan.clan_id, plan.leader_id, plan.split_mode, SharesJson(plan.shares),
        TimeParam(now));
    return !inserted.empty();
}

std::vector<ClanPlanVersion> PayoutPlansOf(pqxx::work& tx, const std::string& proposal_id) {
    std::vector<ClanPlanVersion> out;
    for (const auto& r : db::Exec(tx,
                                  "SELECT clan_id, version, leader_id, split_mode, shares::text "
                                  "FROM clan_payout_plans WHERE proposal_id = $1 ORDER BY version",
                                  proposal_id)) {
        ClanPlanVersion p;
        p.clan_id = r[0].as<std::string>();
        p.version = r[1].as<std::int32_t>();
        p.leader_id = r[2].as<std::string>();
        p.split_mode = r[3].as<std::string>();
        p.shares = SharesFromJson(r[4].as<std::string>());
        out.push_back(std::move(p));
    }
    return out;
}

void SetContractClan(pqxx::work& tx, const std::string& contract_id, const std::string& clan_id) {
    db::Exec(tx, "UPDATE contracts SET clan_id = $2 WHERE id = $1", contract_id, clan_id);
}

void SetMilestonePlanVersion(pqxx::work& tx, const std::string& milestone_id, std::int32_t version) {
    db::Exec(tx, "UPDATE milestones SET clan_plan_version = $2 WHERE id = $1", milestone_id, version);
}

void RecordClanPayouts(pqxx::work& tx, const std::string& milestone_id, const std::string& contract_id,
                       const std::string& clan_id, const std::vector<PaidLeg>& legs, TimePoint now) {
    for (std::size_t i = 0; i < legs.size(); ++i) {
        const auto& leg = legs[i];
        const char* user = leg.user_id.empty() ? nullptr : leg.user_id.c_str();
        db::Exec(
            tx,
            "INSERT INTO clan_payouts (milestone_id, leg, clan_id, contract_id, kind, user_id, currency, amount_minor, "
            "paid_at) VALUES ($1, $2, $3, $4, $5, $6::uuid, $7, $8, $9::timestamptz) "
            "ON CONFLICT (milestone_id, leg) DO NOTHING",
            milestone_id, static_cast<int>(i), clan_id, contract_id, leg.kind, user, leg.currency, leg.amount,
            TimeParam(now));
    }
}

std::vector<ClanContractPayouts> ClanPayoutsOf(pqxx::work& tx, const std::string& clan_id, int limit) {
    std::vector<ClanContractPayouts> out;
    std::map<std::string, std::size_t> index;
    for (const auto& r : db::Exec(tx,
                                  "SELECT id, proposal_id, title FROM contracts WHERE clan_id = $1 "
                                  "ORDER BY created_at DESC, id DESC LIMIT $2",
                                  clan_id, limit)) {
        ClanContractPayouts c;
        c.contract_id = r[0].as<std::string>();
        c.proposal_id = r[1].as<std::string>();
        c.title = r[2].as<std::string>();
        c.plans = PayoutPlansOf(tx, c.proposal_id);
        index[c.contract_id] = out.size();
        out.push_back(std::move(c));
    }
    if (out.empty()) return out;
    std::map<std::string, std::pair<std::size_t, std::size_t>> milestone_at;  // milestone -> (contract, position)
    for (const auto& r : db::Exec(tx,
                                  "SELECT m.id, m.contract_id, m.title, m.state, m.currency, m.amount_minor, "
                                  "m.clan_plan_version FROM milestones m JOIN contracts c ON c.id = m.contract_id "
                                  "WHERE c.clan_id = $1 ORDER BY m.contract_id, m.position",
                                  clan_id)) {
        const auto at = index.find(r[1].as<std::string>());
        if (at == index.end()) continue;
        ClanContractPayouts::MilestonePayout m;
        m.milestone_id = r[0].as<std::string>();
        m.title = r[2].as<std::string>();
        m.state = r[3].as<std::string>();
        m.currency = r[4].as<std::string>();
        m.amount = r[5].as<std::int64_t>();
        if (!r[6].is_null()) m.plan_version = r[6].as<std::int32_t>();
        auto& milestones = out[at->second].milestones;
        milestone_at[m.milestone_id] = {at->second, milestones.size()};
        milestones.push_back(std::move(m));
    }
    for (const auto& r : db::Exec(tx,
                                  "SELECT milestone_id, kind, coalesce(user_id::text, ''), currency, amount_minor "
                                  "FROM clan_payouts WHERE clan_id = $1 ORDER BY milestone_id, leg",
                                  clan_id)) {
        const auto at = milestone_at.find(r[0].as<std::string>());
        if (at == milestone_at.end()) continue;
        out[at->second.first].milestones[at->second.second].legs.push_back(
            {r[1].as<std::string>(), r[2].as<std::string>(), r[3].as<std::string>(), r[4].as<std::int64_t>()});
    }
    return out;
}

}  // namespace marketplace::contracts::storage
