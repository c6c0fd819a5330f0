#include "storage/clan_store.hpp"

#include <algorithm>
#include <map>
#include <pqxx/pqxx>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "marketplace/db/statements.hpp"
#include "marketplace/db/values.hpp"

namespace marketplace::clans::storage {
namespace {

using db::MicrosOf;
using db::OptionalTime;
using db::TimeParam;

std::string SkillsJson(const std::vector<std::string>& skills) { return nlohmann::json(skills).dump(); }

std::vector<Pending> LoadPending(pqxx::work& tx, const std::string& clan_id, const char* kind) {
    std::vector<Pending> out;
    for (const auto& r :
         db::Exec(tx,
                  "SELECT user_id, invited_by, message, " + MicrosOf("created_at") +
                      " FROM clan_pending WHERE clan_id = $1 AND kind = $2 ORDER BY created_at, user_id",
                  clan_id, kind)) {
        out.push_back(Pending{r[0].as<std::string>(), r[1].as<std::string>(), r[2].as<std::string>(),
                              OptionalTime(r[3]).value_or(TimePoint{})});
    }
    return out;
}

void InsertPending(pqxx::work& tx, const std::string& clan_id, const char* kind, const Pending& p) {
    db::Exec0(tx,
              "INSERT INTO clan_pending (clan_id, kind, user_id, invited_by, message, created_at) "
              "VALUES ($1, $2, $3, $4, $5, $6::timestamptz)",
              clan_id, kind, p.user_id, p.invited_by, p.message, TimeParam(p.created_at));
}

void SyncPending(pqxx::work& tx, const std::string& clan_id, const char* kind, const std::vector<Pending>& before,
                 const std::vector<Pending>& after) {
    std::map<std::string, const Pending*> was;
    for (const auto& p : before) was[p.user_id] = &p;
    for (const auto& p : after) {
        if (was.erase(p.user_id) == 0) InsertPending(tx, clan_id, kind, p);
    }
    for (const auto& [user_id, p] : was) {
        db::Exec0(tx, "DELETE FROM clan_pending WHERE clan_id = $1 AND kind = $2 AND user_id = $3", clan_id, kind,
                  user_id);
    }
}

std::vector<std::string> ClanIds(const pqxx::result& rows) {
    std::vector<std::string> ids;
    for (const auto& r : rows) ids.push_back(r[0].as<std::string>());
    return ids;
}

}  // namespace

bool InsertClan(pqxx::work& tx, const Clan& clan) {
    const auto inserted =
        db::Exec(tx,
                 "INSERT INTO clans (id, handle, name, description, skills, members_version, created_at, updated_at) "
                 "VALUES ($1, $2, $3, $4, ARRAY(SELECT jsonb_array_elements_text($5::jsonb)), $6, $7::timestamptz, "
                 "$7::timestamptz) ON CONFLICT (handle) DO NOTHING RETURNING id",
                 clan.id, clan.handle, clan.name, clan.description, SkillsJson(clan.skills), clan.members_version,
                 TimeParam(clan.created_at));
    if (inserted.empty()) return false;
    for (const auto& m : clan.members) {
        db::Exec0(tx,
                  "INSERT INTO clan_members (clan_id, user_id, role, joined_at) VALUES ($1, $2, $3, $4::timestamptz)",
                  clan.id, m.user_id, std::string(RoleName(m.role)), TimeParam(m.joined_at));
    }
    return true;
}

std::optional<Clan> LoadClan(pqxx::work& tx, const std::string& clan_id, bool for_update) {
    const auto rows = db::Exec(tx,
                               "SELECT id::text, handle, name, description, array_to_json(skills)::text, "
                               "archived, " +
                                   MicrosOf("archived_at") + ", members_version, " + MicrosOf("created_at") +
                                   " FROM clans WHERE id = $1" + (for_update ? " FOR UPDATE" : ""),
                               clan_id);
    if (rows.empty()) return std::nullopt;
    const auto& r = rows[0];
    Clan clan;
    clan.id = r[0].as<std::string>();
    clan.handle = r[1].as<std::string>();
    clan.name = r[2].as<std::string>();
    clan.description = r[3].as<std::string>();
    clan.skills = nlohmann::json::parse(r[4].as<std::string>()).get<std::vector<std::string>>();
    clan.archived = r[5].as<bool>();
    clan.archived_at = OptionalTime(r[6]);
    clan.members_version = r[7].as<std::int64_t>();
    clan.created_at = OptionalTime(r[8]).value_or(TimePoint{});
    for (const auto& m :
         db::Exec(tx,
                  "SELECT user_id, role, " + MicrosOf("joined_at") +
                      " FROM clan_members WHERE clan_id = $1 AND left_at IS NULL "
                      "ORDER BY array_position(ARRAY['head', 'co_head', 'admin', 'member'], role), joined_at, user_id",
                  clan_id)) {
        const auto role = RoleFromName(m[1].as<std::string>());
        if (!role) throw std::runtime_error("clan " + clan_id + " has a member with an unknown role");
        clan.members.push_back(Member{m[0].as<std::string>(), *role, OptionalTime(m[2]).value_or(TimePoint{})});
    }
    clan.invitations = LoadPending(tx, clan_id, "invitation");
    clan.join_requests = LoadPending(tx, clan_id, "join_request");
    return clan;
}

void SaveClan(pqxx::work& tx, const Clan& before, const Decision& decision, TimePoint now) {
    const Clan& after = decision.clan;
    db::Exec0(tx,
              "UPDATE clans SET archived = $2, archived_at = $3::timestamptz, members_version = $4, "
              "updated_at = $5::timestamptz WHERE id = $1",
              after.id, after.archived, TimeParam(after.archived_at), after.members_version, TimeParam(now));
    std::map<std::string, const Member*> was;
    for (const auto& m : before.members) was[m.user_id] = &m;
    // Roles first demote, then promote, so the one-HEAD index holds at every statement.
    for (int pass = 0; pass < 2; ++pass) {
        for (const auto& m : after.members) {
            const auto it = was.find(m.user_id);
            if (it == was.end() || it->second->role == m.role) continue;
            if ((m.role == Role::kHead) != (pass == 1)) continue;
            db::Exec0(tx, "UPDATE clan_members SET role = $3 WHERE clan_id = $1 AND user_id = $2", after.id, m.user_id,
                      std::string(RoleName(m.role)));
        }
    }
    for (const auto& m : after.members) {
        if (was.erase(m.user_id) > 0) continue;
        // A new member, or a former one back: the row keeps the latest stint.
        db::Exec0(tx,
                  "INSERT INTO clan_members (clan_id, user_id, role, joined_at) VALUES ($1, $2, $3, $4::timestamptz) "
                  "ON CONFLICT (clan_id, user_id) DO UPDATE SET role = EXCLUDED.role, joined_at = EXCLUDED.joined_at, "
                  "left_at = NULL, left_how = NULL",
                  after.id, m.user_id, std::string(RoleName(m.role)), TimeParam(m.joined_at));
    }
    for (const auto& [user_id, m] : was) {
        const bool removed = std::any_of(decision.changes.begin(), decision.changes.end(), [&](const Change& c) {
            return c.kind == Change::Kind::kRemoved && c.user_id == user_id;
        });
        db::Exec0(
            tx, "UPDATE clan_members SET left_at = $3::timestamptz, left_how = $4 WHERE clan_id = $1 AND user_id = $2",
            after.id, user_id, TimeParam(now), removed ? "removed" : "left");
    }
    SyncPending(tx, after.id, "invitation", before.invitations, after.invitations);
    SyncPending(tx, after.id, "join_request", before.join_requests, after.join_requests);
}

std::vector<Clan> ClansOfMember(pqxx::work& tx, const std::string& user_id, int limit) {
    std::vector<Clan> out;
    for (const auto& id :
         ClanIds(db::Exec(tx,
                          "SELECT c.id::text FROM clan_members m JOIN clans c ON c.id = m.clan_id "
                          "WHERE m.user_id = $1 AND m.left_at IS NULL ORDER BY c.created_at DESC, c.id LIMIT $2",
                          user_id, limit))) {
        if (auto clan = LoadClan(tx, id, false)) out.push_back(std::move(*clan));
    }
    return out;
}

std::vector<Clan> ClansInviting(pqxx::work& tx, const std::string& user_id, int limit) {
    std::vector<Clan> out;
    for (const auto& id : ClanIds(db::Exec(tx,
                                           "SELECT c.id::text FROM clan_pending p JOIN clans c ON c.id = p.clan_id "
                                           "WHERE p.user_id = $1 AND p.kind = 'invitation' AND NOT c.archived "
                                           "ORDER BY p.created_at DESC, c.id LIMIT $2",
                                           user_id, limit))) {
        if (auto clan = LoadClan(tx, id, false)) out.push_back(std::move(*clan));
    }
    return out;
}

bool LockClanShared(pqxx::work& tx, const std::string& clan_id) {
    return !db::Exec(tx, "SELECT 1 FROM clans WHERE id::text = $1 FOR SHARE", clan_id).empty();
}

bool RecordContract(pqxx::work& tx, const std::string& contract_id, const std::string& proposal_id,
                    const std::string& clan_id, const std::string& client_id,
                    const std::vector<std::string>& milestone_ids, TimePoint now) {
    const std::optional<std::string> proposal =
        proposal_id.empty() ? std::nullopt : std::optional<std::string>(proposal_id);
    const auto inserted = db::Exec(
        tx,
        "INSERT INTO clan_contracts (contract_id, clan_id, client_id, created_at, proposal_id) VALUES ($1, $2, $3, "
        "$4::timestamptz, $5::uuid) ON CONFLICT DO NOTHING RETURNING 1",
        contract_id, clan_id, client_id, TimeParam(now), proposal);
    if (proposal) {
        db::Exec0(tx, "UPDATE payout_plans SET contract_id = $2 WHERE proposal_id = $1 AND contract_id IS NULL",
                  *proposal, contract_id);
    }
    if (inserted.empty()) return false;
    for (const auto& m : milestone_ids) {
        db::Exec0(tx,
                  "INSERT INTO clan_milestones (milestone_id, contract_id, clan_id, state, updated_at) "
                  "VALUES ($1, $2, $3, 'open', $4::timestamptz) ON CONFLICT (milestone_id) DO NOTHING",
                  m, contract_id, clan_id, TimeParam(now));
    }
    return true;
}

bool MarkMilestone(pqxx::work& tx, const std::string& milestone_id, const std::string& to, TimePoint now) {
    const std::string from = to == "funded" ? "state = 'open'" : "state <> 'closed'";
    return !db::Exec(tx,
                     "UPDATE clan_milestones SET state = $2, updated_at = $3::timestamptz "
                     "WHERE milestone_id::text = $1 AND " +
                         from + " RETURNING 1",
                     milestone_id, to, TimeParam(now))
                .empty();
}

ContractFacts FactsOf(pqxx::work& tx, const std::string& clan_id) {
    const auto r =
        db::Exec1(tx,
                  "SELECT count(DISTINCT contract_id), count(*) FILTER (WHERE state = 'funded') FROM clan_milestones "
                  "WHERE clan_id = $1 AND state <> 'closed'",
                  clan_id);
    return ContractFacts{r[0].as<std::int64_t>(), r[1].as<std::int64_t>()};
}

}  // namespace marketplace::clans::storage
