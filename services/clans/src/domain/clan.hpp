#pragma once
// A clan and its membership rules as a pure decider: Decide(clan, command, actor, now) returns the
// clan after the command and the changes to tell, or throws a typed error (core/errors.hpp). No
// database, gRPC or Kafka here: the rules are unit tested on their own (tests/clan_test.cpp).
//
// Roles: HEAD (exactly one), CO_HEAD, ADMIN, MEMBER.
//   - HEAD, CO_HEAD and ADMIN ("managers") invite users and decide join requests.
//   - HEAD sets any other member's role to CO_HEAD, ADMIN or MEMBER; CO_HEAD sets ADMINs and
//     MEMBERs to ADMIN or MEMBER; nobody else changes roles, and HEAD is never set but transferred.
//   - HEAD removes anyone else; CO_HEAD removes ADMINs and MEMBERs; ADMIN removes MEMBERs.
//   - Any member but HEAD may leave; HEAD transfers headship first (and becomes CO_HEAD).
//   - Only HEAD archives, and only while the clan has no active contract and no money in escrow.
//   - Clients (by their account role) neither create nor join clans; a freelancer may belong to
//     several clans.
//   - An archived clan refuses every command.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace marketplace::clans {

using TimePoint = std::chrono::system_clock::time_point;

inline constexpr std::size_t kMaxMembers = 50;
inline constexpr std::size_t kMaxPending = 100;
inline constexpr std::size_t kMaxSkills = 20;
inline constexpr std::size_t kMaxSkillChars = 40;
inline constexpr std::size_t kMaxNameChars = 80;
inline constexpr std::size_t kMaxDescriptionChars = 2000;
inline constexpr std::size_t kMaxJoinMessageChars = 1000;

enum class Role { kHead, kCoHead, kAdmin, kMember };
std::string_view RoleName(Role role);  // "head", "co_head", "admin", "member"
std::optional<Role> RoleFromName(std::string_view name);
/// HEAD, CO_HEAD and ADMIN: invite, decide join requests, apply to jobs, manage plans and tasks.
bool IsManager(Role role);

struct Member {
    std::string user_id;
    Role role = Role::kMember;
    TimePoint joined_at{};
};

struct Pending {
    std::string user_id;
    std::string invited_by;  // empty for a join request
    std::string message;     // a join request's note
    TimePoint created_at{};
};

struct Clan {
    std::string id;
    std::string handle;
    std::string name;
    std::string description;
    std::vector<std::string> skills;
    bool archived = false;
    std::optional<TimePoint> archived_at;
    std::vector<Member> members;
    std::vector<Pending> invitations;
    std::vector<Pending> join_requests;
    std::int64_t members_version = 0;
    TimePoint created_at{};

    const Member* FindMember(std::string_view user_id) const;
    const Member& Head() const;
};

/// Who is acting: the user and the role of their account ("client", "freelancer", "admin", ...).
struct Actor {
    std::string user_id;
    std::string account_role;
};

/// What the clan's contracts hold now (the read model of contracts' and payments' events).
struct ContractFacts {
    std::int64_t active_contracts = 0;
    std::int64_t milestones_in_escrow = 0;
};

namespace command {
struct Invite {
    std::string user_id;
};
struct RespondToInvitation {
    bool accept = false;
};
struct RequestToJoin {
    std::string message;
};
struct DecideJoinRequest {
    std::string user_id;
    bool approve = false;
};
struct Leave {};
struct Remove {
    std::string user_id;
};
struct SetRole {
    std::string user_id;
    std::optional<Role> role;  // nullopt: none given
};
struct TransferHeadship {
    std::string user_id;
};
struct Archive {
    ContractFacts facts;
};
}  // namespace command

using Command =
    std::variant<command::Invite, command::RespondToInvitation, command::RequestToJoin, command::DecideJoinRequest,
                 command::Leave, command::Remove, command::SetRole, command::TransferHeadship, command::Archive>;

/// One change to tell the world (clans' events), in order.
struct Change {
    enum class Kind {
        kInvited,
        kJoinRequested,
        kJoined,
        kLeft,
        kRemoved,
        kRoleChanged,
        kBecameHead,
        kDeclinedInvitation,
        kJoinDeclined,
        kArchived,
    };
    Kind kind;
    std::string user_id;
    std::optional<Role> role;  // the role after the change; nullopt when no longer a member
};
std::string_view ChangeName(Change::Kind kind);

struct Decision {
    Clan clan;
    std::vector<Change> changes;
};

/// The input of a new clan.
struct NewClanInput {
    std::string name;
    std::string handle;
    std::string description;
    std::vector<std::string> skills;
};

/// A new clan with `creator` as HEAD, after validating the input (errors name the field). Skills are
/// trimmed and de-duplicated (case-insensitively), the handle lower-cased.
Clan CreateClan(const NewClanInput& input, const Actor& creator, const std::string& id, TimePoint now);

/// Applies `command` by `actor`. Throws core::InvalidArgument, PermissionDenied, NotFound,
/// FailedPrecondition or Conflict; never returns a decision without changes.
Decision Decide(const Clan& clan, const Command& command, const Actor& actor, TimePoint now);

}  // namespace marketplace::clans
