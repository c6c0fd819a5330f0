#include "storage/plan_store.hpp"

#include <pqxx/pqxx>

#include <nlohmann/json.hpp>

#include "marketplace/db/statements.hpp"
#include "marketplace/db/values.hpp"

namespace marketplace::clans::storage {
namespace {

using db::MicrosOf;
using db::OptionalTime;
using db::TimeParam;

std::string SharesJson(const std::vector<PlanShareRecord>& shares) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& s : shares) out.push_back({{"user_id", s.user_id}, {"role", s.role}, {"weight", s.weight}});
    return out.dump();
}

std::vector<PlanShareRecord> SharesOf(const std::string& json) {
    std::vector<PlanShareRecord> out;
    for (const auto& s : nlohmann::json::parse(json)) {
        out.push_back(PlanShareRecord{s.at("user_id").get<std::string>(), s.at("role").get<std::string>(),
                                      s.at("weight").get<std::int64_t>()});
    }
    return out;
}

std::vector<std::string> StringsOf(const std::string& json) {
    return nlohmann::json::parse(json).get<std::vector<std::string>>();
}

const std::string kPlanColumns =
    "p.clan_id::text, p.proposal_id::text, p.version, p.leader_id, p.split_mode, p.shares::text, " +
    MicrosOf("p.locked_at") +
    ", coalesce(p.contract_id::text, ''), p.proposed_by, p.approved_by, "
    // The milestones the version applies to, as contracts decided them: those it paid by this version,
    // and for the version in force those not yet accepted (nor closed otherwise).
    "coalesce((SELECT json_agg(m.milestone_id::text ORDER BY m.milestone_id) FROM clan_milestones m "
    "LEFT JOIN milestone_plan_versions mv ON mv.milestone_id = m.milestone_id "
    "WHERE m.contract_id = p.contract_id AND (mv.version = p.version OR (mv.version IS NULL AND "
    "m.state <> 'closed' AND p.version = (SELECT max(v.version) FROM payout_plans v "
    "WHERE v.proposal_id = p.proposal_id)))), '[]')::text, "
    "p.needs_new_version, p.departed::text, "
    "p.version = (SELECT max(v.version) FROM payout_plans v WHERE v.proposal_id = p.proposal_id)";

PayoutPlanRecord PlanOf(const pqxx::row& r) {
    PayoutPlanRecord p;
    p.clan_id = r[0].as<std::string>();
    p.proposal_id = r[1].as<std::string>();
    p.version = r[2].as<int>();
    p.leader_id = r[3].as<std::string>();
    p.split_mode = r[4].as<std::string>();
    p.shares = SharesOf(r[5].as<std::string>());
    p.locked_at = OptionalTime(r[6]).value_or(TimePoint{});
    p.contract_id = r[7].as<std::string>();
    p.proposed_by = r[8].as<std::string>();
    p.approved_by = r[9].as<std::string>();
    p.applies_to = StringsOf(r[10].as<std::string>());
    p.needs_new_version = r[11].as<bool>();
    p.departed = StringsOf(r[12].as<std::string>());
    p.in_force = r[13].as<bool>();
    return p;
}

const std::string kProposalColumns =
    "id::text, clan_id::text, proposal_id::text, contract_id::text, client_id, base_version, version, "
    "proposed_by, split_mode, shares::text, note, status, decided_by, reason, " +
    MicrosOf("created_at") + ", " + MicrosOf("decided_at");

PlanProposalRecord ProposalOf(const pqxx::row& r) {
    PlanProposalRecord p;
    p.id = r[0].as<std::string>();
    p.clan_id = r[1].as<std::string>();
    p.proposal_id = r[2].as<std::string>();
    p.contract_id = r[3].as<std::string>();
    p.client_id = r[4].as<std::string>();
    p.base_version = r[5].as<int>();
    p.version = r[6].as<int>();
    p.proposed_by = r[7].as<std::string>();
    p.split_mode = r[8].as<std::string>();
    p.shares = SharesOf(r[9].as<std::string>());
    p.note = r[10].as<std::string>();
    p.status = r[11].as<std::string>();
    p.decided_by = r[12].as<std::string>();
    p.reason = r[13].as<std::string>();
    p.created_at = OptionalTime(r[14]).value_or(TimePoint{});
    p.decided_at = OptionalTime(r[15]);
    return p;
}

}  // namespace

bool InsertPlan(pqxx::work& tx, const PayoutPlanRecord& plan) {
    const std::optional<std::string> contract =
        plan.contract_id.empty() ? std::nullopt : std::optional<std::string>(plan.contract_id);
    return !db::Exec(
                tx,
                "INSERT INTO payout_plans (clan_id, proposal_id, version, leader_id, split_mode, shares, locked_at, "
                "contract_id, proposed_by, approved_by) "
                "VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7::timestamptz, coalesce($8::uuid, (SELECT contract_id "
                "FROM clan_contracts WHERE proposal_id = $2::uuid)), $9, $10) "
                "ON CONFLICT DO NOTHING RETURNING 1",
                plan.clan_id, plan.proposal_id, plan.version, plan.leader_id, plan.split_mode, SharesJson(plan.shares),
                TimeParam(plan.locked_at), contract, plan.proposed_by, plan.approved_by)
                .empty();
}

std::vector<PayoutPlanRecord> ListPlans(pqxx::work& tx, const std::string& clan_id, int limit) {
    std::vector<PayoutPlanRecord> out;
    for (const auto& r : db::Exec(tx,
                                  "SELECT " + kPlanColumns +
                                      " FROM payout_plans p WHERE p.clan_id = $1 ORDER BY p.locked_at DESC, "
                                      "p.proposal_id, p.version DESC LIMIT $2",
                                  clan_id, limit)) {
        out.push_back(PlanOf(r));
    }
    return out;
}

std::optional<PayoutPlanRecord> PlanInForce(pqxx::work& tx, const std::string& clan_id,
                                            const std::string& proposal_id) {
    const auto rows = db::Exec(tx,
                               "SELECT " + kPlanColumns +
                                   " FROM payout_plans p WHERE p.clan_id::text = $1 AND p.proposal_id::text = $2 "
                                   "ORDER BY p.version DESC LIMIT 1",
                               clan_id, proposal_id);
    if (rows.empty()) return std::nullopt;
    return PlanOf(rows[0]);
}

std::vector<PayoutPlanRecord> ActivePlansNaming(pqxx::work& tx, const std::string& clan_id,
                                                const std::string& user_id) {
    std::vector<PayoutPlanRecord> out;
    for (const auto& r : db::Exec(
             tx,
             "SELECT " + kPlanColumns +
                 " FROM payout_plans p WHERE p.clan_id = $1 "
                 "AND p.version = (SELECT max(v.version) FROM payout_plans v WHERE v.proposal_id = p.proposal_id) "
                 "AND (p.leader_id = $2 OR p.shares @> jsonb_build_array(jsonb_build_object('user_id', $2::text))) "
                 "AND NOT EXISTS (SELECT 1 FROM clan_contracts c WHERE c.proposal_id = p.proposal_id "
                 "  AND NOT EXISTS (SELECT 1 FROM clan_milestones m WHERE m.contract_id = c.contract_id "
                 "    AND m.state <> 'closed')) "
                 "ORDER BY p.locked_at, p.proposal_id",
             clan_id, user_id)) {
        out.push_back(PlanOf(r));
    }
    return out;
}

void FlagPlan(pqxx::work& tx, const std::string& proposal_id, int version, const std::string& user_id) {
    db::Exec0(tx,
              "UPDATE payout_plans SET needs_new_version = true, departed = CASE WHEN departed ? $3 THEN departed "
              "ELSE departed || jsonb_build_array($3::text) END WHERE proposal_id = $1 AND version = $2",
              proposal_id, version, user_id);
}

std::optional<ContractRef> ContractOfProposal(pqxx::work& tx, const std::string& clan_id,
                                              const std::string& proposal_id) {
    const auto rows = db::Exec(
        tx,
        "SELECT contract_id::text, client_id FROM clan_contracts WHERE clan_id::text = $1 AND proposal_id::text = $2",
        clan_id, proposal_id);
    if (rows.empty()) return std::nullopt;
    return ContractRef{rows[0][0].as<std::string>(), rows[0][1].as<std::string>()};
}

std::vector<std::string> OpenMilestones(pqxx::work& tx, const std::string& contract_id) {
    std::vector<std::string> out;
    for (const auto& r : db::Exec(tx,
                                  "SELECT m.milestone_id::text FROM clan_milestones m WHERE m.contract_id::text = "
                                  "$1 AND m.state <> 'closed' AND NOT EXISTS (SELECT 1 FROM "
                                  "milestone_plan_versions mv WHERE mv.milestone_id = m.milestone_id) "
                                  "ORDER BY m.milestone_id",
                                  contract_id)) {
        out.push_back(r[0].as<std::string>());
    }
    return out;
}

bool IsClientOf(pqxx::work& tx, const std::string& clan_id, const std::string& user_id) {
    return !db::Exec(tx, "SELECT 1 FROM clan_contracts WHERE clan_id::text = $1 AND client_id = $2 LIMIT 1", clan_id,
                     user_id)
                .empty();
}

bool InsertProposal(pqxx::work& tx, const PlanProposalRecord& p) {
    return !db::Exec(
                tx,
                "INSERT INTO plan_version_proposals (id, clan_id, proposal_id, contract_id, client_id, base_version, "
                "version, proposed_by, split_mode, shares, note, status, created_at) VALUES ($1, $2, $3, $4, $5, "
                "$6, $7, $8, $9, $10::jsonb, $11, 'pending', $12::timestamptz) ON CONFLICT DO NOTHING RETURNING 1",
                p.id, p.clan_id, p.proposal_id, p.contract_id, p.client_id, p.base_version, p.version, p.proposed_by,
                p.split_mode, SharesJson(p.shares), p.note, TimeParam(p.created_at))
                .empty();
}

std::optional<PlanProposalRecord> PendingProposal(pqxx::work& tx, const std::string& clan_id,
                                                  const std::string& proposal_id) {
    const auto rows = db::Exec(tx,
                               "SELECT " + kProposalColumns +
                                   " FROM plan_version_proposals WHERE clan_id::text = $1 AND "
                                   "proposal_id::text = $2 AND status = 'pending' FOR UPDATE",
                               clan_id, proposal_id);
    if (rows.empty()) return std::nullopt;
    return ProposalOf(rows[0]);
}

void CloseProposal(pqxx::work& tx, const std::string& id, const std::string& status, const std::string& decided_by,
                   const std::string& reason, TimePoint now) {
    db::Exec0(
        tx,
        "UPDATE plan_version_proposals SET status = $2, decided_by = $3, reason = $4, decided_at = $5::timestamptz "
        "WHERE id = $1 AND status = 'pending'",
        id, status, decided_by, reason, TimeParam(now));
}

std::vector<PlanProposalRecord> PendingProposalsNaming(pqxx::work& tx, const std::string& clan_id,
                                                       const std::string& user_id) {
    std::vector<PlanProposalRecord> out;
    for (const auto& r : db::Exec(
             tx,
             "SELECT " + kProposalColumns +
                 " FROM plan_version_proposals WHERE clan_id = $1 AND status = 'pending' AND "
                 "shares @> jsonb_build_array(jsonb_build_object('user_id', $2::text)) ORDER BY created_at FOR UPDATE",
             clan_id, user_id)) {
        out.push_back(ProposalOf(r));
    }
    return out;
}

std::vector<PlanProposalRecord> ListProposals(pqxx::work& tx, const std::string& clan_id,
                                              const std::optional<std::string>& client_id, int limit) {
    std::vector<PlanProposalRecord> out;
    for (const auto& r : db::Exec(tx,
                                  "SELECT " + kProposalColumns +
                                      " FROM plan_version_proposals WHERE clan_id = $1 AND ($2::text IS NULL "
                                      "OR client_id = $2) ORDER BY created_at DESC, id LIMIT $3",
                                  clan_id, client_id, limit)) {
        out.push_back(ProposalOf(r));
    }
    return out;
}

void RecordPlanApplied(pqxx::work& tx, const std::string& milestone_id, int version, TimePoint now) {
    db::Exec(
        tx,
        "INSERT INTO milestone_plan_versions (milestone_id, version, recorded_at) VALUES ($1, $2, $3::timestamptz) "
        "ON CONFLICT (milestone_id) DO UPDATE SET version = EXCLUDED.version, recorded_at = EXCLUDED.recorded_at",
        milestone_id, version, TimeParam(now));
}

}  // namespace marketplace::clans::storage
