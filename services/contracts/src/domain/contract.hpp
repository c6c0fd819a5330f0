#pragma once
// A contract's terms (what the accepted proposal fixed), who may see and change it, and the
// contract's status derived from its signatures and milestones. Pure: no database, no RPC.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/milestone.hpp"
#include "marketplace/core/money.hpp"

namespace marketplace::contracts {

/// One milestone of the plan, as the client accepted it.
struct PlannedMilestone {
    std::string title;
    std::string description;
    core::Money amount{0, core::Currency::Parse("EUR")};
    std::optional<TimePoint> due_date;
    std::vector<std::string> definition_of_done;
};

/// What a contract is made of; the statement of work is generated from it.
struct ContractTerms {
    std::string contract_id;
    std::string proposal_id;
    std::string job_id;
    std::string client_id;
    std::string freelancer_id;
    std::string clan_id;  // set when a clan was hired (then freelancer_id is the clan's id too)
    std::string title;
    std::string scope;
    std::vector<std::string> stack;
    bool nda_required = false;
    bool ip_assignment = false;
    core::Money total{0, core::Currency::Parse("EUR")};
    std::int32_t delivery_days = 0;
    std::chrono::seconds review_period{std::chrono::hours(24 * 14)};
    std::vector<PlannedMilestone> milestones;
};

/// Limits on a plan (generous: jobs enforces its own, these guard the contract's storage).
inline constexpr std::size_t kMaxTitleChars = 200;
inline constexpr std::size_t kMaxScopeChars = 20000;
inline constexpr std::size_t kMaxMilestones = 100;
inline constexpr std::size_t kMaxMilestoneDescriptionChars = 20000;
inline constexpr std::size_t kMaxStackItems = 50;
inline constexpr std::size_t kMaxStackItemChars = 100;
inline constexpr std::size_t kMaxDefinitionOfDoneItems = 50;
inline constexpr std::size_t kMaxDefinitionOfDoneChars = 1000;

/// Throws core::InvalidArgument naming the field ("milestones[1].amount") when the terms cannot
/// make a contract: ids not UUIDs, the client also the freelancer, no milestones, a non-positive
/// amount, mixed currencies, amounts that do not sum to the total, oversized text.
void ValidateTerms(const ContractTerms& terms);

/// How the caller relates to a contract. On a clan's contract the clan's HEAD, CO_HEAD and ADMINs
/// are kFreelancer (they act for the working party) and its MEMBERs kClanMember (they read).
enum class Viewer { kClient, kFreelancer, kClanMember, kAdmin, kStranger };

/// The caller's relation to the contract of `client_id` and `freelancer_id`, from the token's
/// subject and role. A party is a party whatever its role; an admin who is not a party is kAdmin.
Viewer ViewerOf(std::string_view subject, std::string_view role, std::string_view client_id,
                std::string_view freelancer_id);

/// Throws core::NotFound("contract not found") unless the viewer may read the contract (parties, admins).
void RequireCanRead(Viewer viewer, std::string_view what = "contract");

/// The actor a viewer is for a milestone command: throws core::NotFound for a stranger (it may not
/// even know the contract exists) and core::PermissionDenied for an admin (admins read, never act);
/// whether the party may issue the command is the state machine's to say (RequiredActor). A clan's
/// MEMBER gets core::PermissionDenied: only the clan's HEAD, CO_HEAD or ADMIN acts for the clan.
Actor RequireActor(Viewer viewer, std::string_view what = "milestone");

enum class ContractStatus { kAwaitingSignatures, kActive, kCompleted };

/// Awaiting signatures until both signed; completed once every milestone is settled; else active.
ContractStatus DeriveStatus(bool fully_signed, const std::vector<MilestoneState>& milestones);

}  // namespace marketplace::contracts
