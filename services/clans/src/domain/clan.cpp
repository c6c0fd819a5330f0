#include "domain/clan.hpp"

#include <algorithm>
#include <cctype>

#include "marketplace/core/errors.hpp"

namespace marketplace::clans {
namespace {

std::size_t Utf8Chars(std::string_view s) {
    return static_cast<std::size_t>(
        std::count_if(s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

std::string Trim(std::string_view s) {
    const auto first = s.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos) return {};
    const auto last = s.find_last_not_of(" \t\r\n");
    return std::string(s.substr(first, last - first + 1));
}

std::string Lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

bool ValidHandle(std::string_view h) {
    if (h.size() < 3 || h.size() > 32) return false;
    if (!std::islower(static_cast<unsigned char>(h.front()))) return false;
    if (h.back() == '-') return false;
    return std::all_of(h.begin(), h.end(), [](char c) {
        return std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) || c == '-';
    });
}

int Rank(Role r) { return static_cast<int>(r); }

void SortMembers(std::vector<Member>& members) {
    std::stable_sort(members.begin(), members.end(), [](const Member& a, const Member& b) {
        if (a.role != b.role) return Rank(a.role) < Rank(b.role);
        if (a.joined_at != b.joined_at) return a.joined_at < b.joined_at;
        return a.user_id < b.user_id;
    });
}

Member* FindMutable(Clan& clan, std::string_view user_id) {
    for (auto& m : clan.members) {
        if (m.user_id == user_id) return &m;
    }
    return nullptr;
}

bool Erase(std::vector<Pending>& list, std::string_view user_id) {
    const auto it = std::find_if(list.begin(), list.end(), [&](const Pending& p) { return p.user_id == user_id; });
    if (it == list.end()) return false;
    list.erase(it);
    return true;
}

bool Has(const std::vector<Pending>& list, std::string_view user_id) {
    return std::any_of(list.begin(), list.end(), [&](const Pending& p) { return p.user_id == user_id; });
}

void RequireUserId(const std::string& user_id, const char* field) {
    if (user_id.empty()) throw core::InvalidArgument(field, "is required: a user's id (UUID)");
}

const Member& RequireMember(const Clan& clan, const Actor& actor) {
    const Member* m = clan.FindMember(actor.user_id);
    if (m == nullptr) throw core::PermissionDenied("only a member of the clan may do this");
    return *m;
}

const Member& RequireManager(const Clan& clan, const Actor& actor) {
    const Member& m = RequireMember(clan, actor);
    if (!IsManager(m.role)) throw core::PermissionDenied("only the clan's HEAD, CO_HEAD or ADMIN may do this");
    return m;
}

void RequireRoomForMember(const Clan& clan) {
    if (clan.members.size() >= kMaxMembers) {
        throw core::FailedPrecondition("a clan has at most " + std::to_string(kMaxMembers) + " members");
    }
}

void RequireRoomForPending(const std::vector<Pending>& list, const char* what) {
    if (list.size() >= kMaxPending) {
        throw core::ResourceExhausted("a clan holds at most " + std::to_string(kMaxPending) + " pending " + what);
    }
}

void Join(Clan& clan, const std::string& user_id, TimePoint now, std::vector<Change>& changes) {
    RequireRoomForMember(clan);
    clan.members.push_back(Member{user_id, Role::kMember, now});
    changes.push_back({Change::Kind::kJoined, user_id, Role::kMember});
}

/// May `actor_role` remove a member of `target_role`?
bool Outranks(Role actor_role, Role target_role) {
    switch (actor_role) {
        case Role::kHead:
            return target_role != Role::kHead;
        case Role::kCoHead:
            return target_role == Role::kAdmin || target_role == Role::kMember;
        case Role::kAdmin:
            return target_role == Role::kMember;
        case Role::kMember:
            return false;
    }
    return false;
}

struct Decider {
    const Clan& before;
    const Actor& actor;
    TimePoint now;
    Decision out{before, {}};

    void operator()(const command::Invite& c) {
        RequireManager(before, actor);  // who asks first: an outsider learns nothing about the input
        RequireUserId(c.user_id, "user_id");
        Clan& clan = out.clan;
        if (clan.FindMember(c.user_id) != nullptr) throw core::Conflict("the user is already a member of the clan");
        if (Has(clan.invitations, c.user_id)) throw core::Conflict("the user already has a pending invitation");
        RequireRoomForMember(clan);
        if (Has(clan.join_requests, c.user_id)) {
            // They asked already: the invitation answers their request.
            Erase(clan.join_requests, c.user_id);
            Join(clan, c.user_id, now, out.changes);
            return;
        }
        RequireRoomForPending(clan.invitations, "invitations");
        clan.invitations.push_back(Pending{c.user_id, actor.user_id, "", now});
        out.changes.push_back({Change::Kind::kInvited, c.user_id, std::nullopt});
    }

    void operator()(const command::RespondToInvitation& c) {
        Clan& clan = out.clan;
        if (!Has(clan.invitations, actor.user_id)) throw core::NotFound("no pending invitation to this clan");
        Erase(clan.invitations, actor.user_id);
        if (!c.accept) {
            out.changes.push_back({Change::Kind::kDeclinedInvitation, actor.user_id, std::nullopt});
            return;
        }
        if (actor.account_role == "client") throw core::PermissionDenied("a client account cannot join a clan");
        Join(clan, actor.user_id, now, out.changes);
    }

    void operator()(const command::RequestToJoin& c) {
        if (actor.account_role != "freelancer") {
            throw core::PermissionDenied("only a freelancer account can join a clan");
        }
        if (Utf8Chars(c.message) > kMaxJoinMessageChars) {
            throw core::InvalidArgument("message",
                                        "must be at most " + std::to_string(kMaxJoinMessageChars) + " characters");
        }
        Clan& clan = out.clan;
        if (clan.FindMember(actor.user_id) != nullptr) throw core::Conflict("you are already a member of the clan");
        if (Has(clan.join_requests, actor.user_id)) throw core::Conflict("you already asked to join this clan");
        if (Has(clan.invitations, actor.user_id)) {
            throw core::FailedPrecondition("the clan invited you already: accept the invitation instead");
        }
        RequireRoomForPending(clan.join_requests, "join requests");
        clan.join_requests.push_back(Pending{actor.user_id, "", Trim(c.message), now});
        out.changes.push_back({Change::Kind::kJoinRequested, actor.user_id, std::nullopt});
    }

    void operator()(const command::DecideJoinRequest& c) {
        RequireManager(before, actor);
        RequireUserId(c.user_id, "user_id");
        Clan& clan = out.clan;
        if (!Has(clan.join_requests, c.user_id)) throw core::NotFound("no pending join request from this user");
        if (c.approve) RequireRoomForMember(clan);
        Erase(clan.join_requests, c.user_id);
        if (c.approve) {
            Join(clan, c.user_id, now, out.changes);
        } else {
            out.changes.push_back({Change::Kind::kJoinDeclined, c.user_id, std::nullopt});
        }
    }

    void operator()(const command::Leave&) {
        const Member& me = RequireMember(before, actor);
        if (me.role == Role::kHead) {
            throw core::FailedPrecondition("the HEAD cannot leave the clan: transfer headship first");
        }
        Clan& clan = out.clan;
        std::erase_if(clan.members, [&](const Member& m) { return m.user_id == actor.user_id; });
        out.changes.push_back({Change::Kind::kLeft, actor.user_id, std::nullopt});
    }

    void operator()(const command::Remove& c) {
        const Member& me = RequireManager(before, actor);
        RequireUserId(c.user_id, "user_id");
        if (c.user_id == actor.user_id) throw core::InvalidArgument("user_id", "is you: leave the clan instead");
        const Member* target = before.FindMember(c.user_id);
        if (target == nullptr) throw core::NotFound("the user is not a member of the clan");
        if (!Outranks(me.role, target->role)) {
            throw core::PermissionDenied("a " + std::string(RoleName(me.role)) + " cannot remove a " +
                                         std::string(RoleName(target->role)));
        }
        Clan& clan = out.clan;
        std::erase_if(clan.members, [&](const Member& m) { return m.user_id == c.user_id; });
        out.changes.push_back({Change::Kind::kRemoved, c.user_id, std::nullopt});
    }

    void operator()(const command::SetRole& c) {
        const Member& me = RequireMember(before, actor);
        if (me.role != Role::kHead && me.role != Role::kCoHead) {
            throw core::PermissionDenied("only the clan's HEAD or CO_HEAD changes roles");
        }
        RequireUserId(c.user_id, "user_id");
        if (!c.role) throw core::InvalidArgument("role", "is required (ROLE_CO_HEAD, ROLE_ADMIN or ROLE_MEMBER)");
        if (*c.role == Role::kHead) {
            throw core::InvalidArgument("role", "cannot be ROLE_HEAD: the HEAD transfers headship instead");
        }
        const Member* target = before.FindMember(c.user_id);
        if (target == nullptr) throw core::NotFound("the user is not a member of the clan");
        if (c.user_id == actor.user_id)
            throw core::InvalidArgument("user_id", "is you: you cannot change your own role");
        if (me.role == Role::kCoHead && (!Outranks(me.role, target->role) || *c.role == Role::kCoHead)) {
            throw core::PermissionDenied("a co_head sets only ADMINs and MEMBERs, to ADMIN or MEMBER");
        }
        if (target->role == *c.role) throw core::FailedPrecondition("the member already has this role");
        FindMutable(out.clan, c.user_id)->role = *c.role;
        out.changes.push_back({Change::Kind::kRoleChanged, c.user_id, *c.role});
    }

    void operator()(const command::TransferHeadship& c) {
        const Member& me = RequireMember(before, actor);
        if (me.role != Role::kHead) throw core::PermissionDenied("only the HEAD transfers headship");
        RequireUserId(c.user_id, "user_id");
        if (c.user_id == actor.user_id) throw core::InvalidArgument("user_id", "is you: you are the HEAD already");
        if (before.FindMember(c.user_id) == nullptr) throw core::NotFound("the user is not a member of the clan");
        FindMutable(out.clan, c.user_id)->role = Role::kHead;
        FindMutable(out.clan, actor.user_id)->role = Role::kCoHead;
        out.changes.push_back({Change::Kind::kBecameHead, c.user_id, Role::kHead});
        out.changes.push_back({Change::Kind::kRoleChanged, actor.user_id, Role::kCoHead});
    }

    void operator()(const command::Archive& c) {
        const Member& me = RequireMember(before, actor);
        if (me.role != Role::kHead) throw core::PermissionDenied("only the HEAD archives the clan");
        if (c.facts.milestones_in_escrow > 0) {
            throw core::FailedPrecondition("the clan has money in escrow on " +
                                           std::to_string(c.facts.milestones_in_escrow) + " milestone(s)");
        }
        if (c.facts.active_contracts > 0) {
            throw core::FailedPrecondition("the clan has " + std::to_string(c.facts.active_contracts) +
                                           " active contract(s): it can be archived once they end");
        }
        out.clan.archived = true;
        out.clan.archived_at = now;
        out.clan.invitations.clear();
        out.clan.join_requests.clear();
        out.changes.push_back({Change::Kind::kArchived, actor.user_id, std::nullopt});
    }
};

bool ChangesMembers(Change::Kind k) {
    switch (k) {
        case Change::Kind::kJoined:
        case Change::Kind::kLeft:
        case Change::Kind::kRemoved:
        case Change::Kind::kRoleChanged:
        case Change::Kind::kBecameHead:
            return true;
        default:
            return false;
    }
}

}  // namespace

std::string_view RoleName(Role role) {
    switch (role) {
        case Role::kHead:
            return "head";
        case Role::kCoHead:
            return "co_head";
        case Role::kAdmin:
            return "admin";
        case Role::kMember:
            return "member";
    }
    return "member";
}

std::optional<Role> RoleFromName(std::string_view name) {
    for (Role r : {Role::kHead, Role::kCoHead, Role::kAdmin, Role::kMember}) {
        if (RoleName(r) == name) return r;
    }
    return std::nullopt;
}

bool IsManager(Role role) { return role != Role::kMember; }

std::string_view ChangeName(Change::Kind kind) {
    switch (kind) {
        case Change::Kind::kInvited:
            return "invited";
        case Change::Kind::kJoinRequested:
            return "join_requested";
        case Change::Kind::kJoined:
            return "joined";
        case Change::Kind::kLeft:
            return "left";
        case Change::Kind::kRemoved:
            return "removed";
        case Change::Kind::kRoleChanged:
            return "role_changed";
        case Change::Kind::kBecameHead:
            return "became_head";
        case Change::Kind::kDeclinedInvitation:
            return "declined_invitation";
        case Change::Kind::kJoinDeclined:
            return "join_declined";
        case Change::Kind::kArchived:
            return "archived";
    }
    return "";
}

const Member* Clan::FindMember(std::string_view user_id) const {
    for (const auto& m : members) {
        if (m.user_id == user_id) return &m;
    }
    return nullptr;
}

const Member& Clan::Head() const {
    for (const auto& m : members) {
        if (m.role == Role::kHead) return m;
    }
    throw std::logic_error("clan " + id + " has no HEAD");
}

Clan CreateClan(const NewClanInput& input, const Actor& creator, const std::string& id, TimePoint now) {
    if (creator.account_role != "freelancer") throw core::PermissionDenied("only a freelancer account creates a clan");
    Clan clan;
    clan.id = id;
    clan.name = Trim(input.name);
    if (clan.name.empty()) throw core::InvalidArgument("name", "is required");
    if (Utf8Chars(clan.name) > kMaxNameChars) {
        throw core::InvalidArgument("name", "must be at most " + std::to_string(kMaxNameChars) + " characters");
    }
    clan.handle = Lower(Trim(input.handle));
    if (clan.handle.empty()) throw core::InvalidArgument("handle", "is required");
    if (!ValidHandle(clan.handle)) {
        throw core::InvalidArgument("handle",
                                    "must be 3..32 of a-z, 0-9 and '-', start with a letter and not end with '-'");
    }
    clan.description = Trim(input.description);
    if (Utf8Chars(clan.description) > kMaxDescriptionChars) {
        throw core::InvalidArgument("description",
                                    "must be at most " + std::to_string(kMaxDescriptionChars) + " characters");
    }
    if (input.skills.size() > kMaxSkills) {
        throw core::InvalidArgument("skills", "must be at most " + std::to_string(kMaxSkills));
    }
    for (std::size_t i = 0; i < input.skills.size(); ++i) {
        const std::string field = "skills[" + std::to_string(i) + "]";
        const std::string skill = Trim(input.skills[i]);
        if (skill.empty()) throw core::InvalidArgument(field, "must not be blank");
        if (Utf8Chars(skill) > kMaxSkillChars) {
            throw core::InvalidArgument(field, "must be at most " + std::to_string(kMaxSkillChars) + " characters");
        }
        const bool seen = std::any_of(clan.skills.begin(), clan.skills.end(),
                                      [&](const std::string& s) { return Lower(s) == Lower(skill); });
        if (!seen) clan.skills.push_back(skill);
    }
    clan.members.push_back(Member{creator.user_id, Role::kHead, now});
    clan.members_version = 1;
    clan.created_at = now;
    return clan;
}

Decision Decide(const Clan& clan, const Command& command, const Actor& actor, TimePoint now) {
    if (clan.archived) throw core::FailedPrecondition("the clan is archived: it takes no changes");
    Decider decider{clan, actor, now};
    std::visit(decider, command);
    Decision out = std::move(decider.out);
    if (std::any_of(out.changes.begin(), out.changes.end(), [](const Change& c) { return ChangesMembers(c.kind); })) {
        ++out.clan.members_version;
    }
    SortMembers(out.clan.members);
    return out;
}

}  // namespace marketplace::clans
