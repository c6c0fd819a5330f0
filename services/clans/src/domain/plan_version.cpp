#include "domain/plan_version.hpp"

#include <map>

#include "marketplace/core/errors.hpp"

namespace marketplace::clans {
namespace {

std::string Indexed(const std::string& field, std::size_t i) { return field + "[" + std::to_string(i) + "]"; }

std::string Trimmed(const std::string& s) {
    const auto first = s.find_first_not_of(" \t\r\n");
    if (first == std::string::npos) return {};
    return s.substr(first, s.find_last_not_of(" \t\r\n") - first + 1);
}

bool HasControl(const std::string& s, bool allow_newlines) {
    for (const unsigned char c : s) {
        if (c == 0x7F || (c < 0x20 && !(allow_newlines && (c == '\n' || c == '\r' || c == '\t')))) return true;
    }
    return false;
}

std::size_t Utf8Length(const std::string& s) {
    std::size_t n = 0;
    for (const unsigned char c : s) n += (c & 0xC0) != 0x80 ? 1 : 0;
    return n;
}

}  // namespace

void RequirePlanManager(const Clan& clan, const Actor& actor) {
    const Member* me = clan.FindMember(actor.user_id);
    if (me == nullptr || !IsManager(me->role)) {
        throw core::PermissionDenied("only the clan's HEAD, CO_HEAD or ADMIN manages its payout plans");
    }
    if (clan.archived) throw core::FailedPrecondition("the clan is archived");
}

std::vector<PlanShare> ValidatePlanVersion(const Clan& clan, const Actor& actor, const VersionInForce& in_force,
                                           int base_version, const std::vector<PlanTeamInput>& team,
                                           const std::vector<PlanSplitInput>& split, const std::string& note) {
    RequirePlanManager(clan, actor);
    if (base_version != in_force.version) {
        throw core::FailedPrecondition("base_version: the plan's version in force is " +
                                       std::to_string(in_force.version) + " (the proposal saw " +
                                       std::to_string(base_version) + "): reload the plan and propose again");
    }
    if (HasControl(note, true)) throw core::InvalidArgument("note", "must not hold control characters");
    if (Utf8Length(note) > kMaxPlanNoteChars) {
        throw core::InvalidArgument("note", "must be at most " + std::to_string(kMaxPlanNoteChars) + " characters");
    }
    if (team.empty()) throw core::InvalidArgument("team", "must name at least one member");
    if (team.size() > kMaxPlanMembers) {
        throw core::InvalidArgument("team", "must name at most " + std::to_string(kMaxPlanMembers) + " members");
    }
    std::vector<PlanShare> shares;
    std::map<std::string, std::size_t> index;
    for (std::size_t i = 0; i < team.size(); ++i) {
        const std::string field = Indexed("team", i);
        const auto& in = team[i];
        if (in.user_id.empty()) throw core::InvalidArgument(field + ".user_id", "is required");
        if (clan.FindMember(in.user_id) == nullptr) {
            throw core::InvalidArgument(field + ".user_id", "is not a current member of the clan");
        }
        if (const auto seen = index.find(in.user_id); seen != index.end()) {
            throw core::InvalidArgument(field + ".user_id",
                                        "appears twice (also " + Indexed("team", seen->second) + ")");
        }
        index[in.user_id] = i;
        if (HasControl(in.role, false)) {
            throw core::InvalidArgument(field + ".role", "must be one line without control characters");
        }
        const std::string role = Trimmed(in.role);
        if (role.empty()) throw core::InvalidArgument(field + ".role", "is required");
        if (Utf8Length(role) > kMaxPlanRoleChars) {
            throw core::InvalidArgument(field + ".role",
                                        "must be at most " + std::to_string(kMaxPlanRoleChars) + " characters");
        }
        shares.push_back(PlanShare{in.user_id, role, -1});
    }
    if (split.empty()) throw core::InvalidArgument("split", "must give every member of the team a share");
    const bool fixed = in_force.split_mode == "fixed";
    std::int64_t sum = 0;
    for (std::size_t i = 0; i < split.size(); ++i) {
        const std::string field = Indexed("split", i);
        const auto at = index.find(split[i].user_id);
        if (at == index.end()) throw core::InvalidArgument(field + ".user_id", "is not in the team");
        if (shares[at->second].weight >= 0) throw core::InvalidArgument(field + ".user_id", "has a share already");
        const std::int64_t w = split[i].weight;
        if (w <= 0 || (!fixed && w > kBasisPointsWhole)) {
            throw core::InvalidArgument(field + ".weight", fixed ? "must be a positive amount in minor units"
                                                                 : "must be between 1 and 10000 basis points");
        }
        if (w > (std::int64_t{1} << 52) || sum > (std::int64_t{1} << 60)) {
            throw core::InvalidArgument(field + ".weight", "is too large");
        }
        shares[at->second].weight = w;
        sum += w;
    }
    for (std::size_t i = 0; i < shares.size(); ++i) {
        if (shares[i].weight < 0) {
            throw core::InvalidArgument(
                "split", Indexed("team", i) + " (" + shares[i].user_id + ") has no share: the split must be complete");
        }
    }
    if (!fixed && sum != kBasisPointsWhole) {
        throw core::InvalidArgument("split", "basis points must sum to 10000 (got " + std::to_string(sum) + ")");
    }
    if (fixed) {
        std::int64_t total = 0;
        for (const auto& s : in_force.shares) total += s.weight;
        if (sum != total) {
            throw core::InvalidArgument("split", "amounts must sum to the version in force's member pool, " +
                                                     std::to_string(total) + " minor units; got " +
                                                     std::to_string(sum));
        }
    }
    return shares;
}

std::vector<std::string> DepartedMembers(const Clan& clan, const std::vector<PlanShare>& shares,
                                         const std::string& leader_id) {
    std::vector<std::string> gone;
    if (!leader_id.empty() && clan.FindMember(leader_id) == nullptr) gone.push_back(leader_id);
    for (const auto& s : shares) {
        if (clan.FindMember(s.user_id) == nullptr && s.user_id != leader_id) gone.push_back(s.user_id);
    }
    return gone;
}

}  // namespace marketplace::clans
