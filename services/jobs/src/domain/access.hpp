#pragma once
// Who may do what with jobs, proposals and invites. The caller comes from a verified token.
#include <string>
#include <string_view>

namespace marketplace::jobs {

inline constexpr std::string_view kRoleClient = "client";
inline constexpr std::string_view kRoleFreelancer = "freelancer";
inline constexpr std::string_view kRoleAdmin = "admin";

struct Caller {
    std::string user_id;
    std::string role;

    bool is_admin() const noexcept { return role == kRoleAdmin; }
};

/// core::PermissionDenied unless the caller has `role`: "only a client can post a job".
void RequireRole(const Caller& caller, std::string_view role, std::string_view action);

/// core::PermissionDenied unless the caller is the job's client: "only the job's client can <action>".
void RequireJobOwner(const Caller& caller, std::string_view client_id, std::string_view action);

/// core::PermissionDenied unless the caller is the proposal's freelancer.
void RequireProposalAuthor(const Caller& caller, std::string_view freelancer_id, std::string_view action);

}  // namespace marketplace::jobs

namespace marketplace::jobs {

/// Whether the caller sees a job without further checks: open jobs are visible to every signed-in
/// user, any job to its client and to admins. Others need a proposal on it or an invite to it.
bool SeesJobWithoutParticipation(const Caller& caller, bool job_open, std::string_view client_id);

/// core::PermissionDenied unless the caller is the job's client or an admin (reading a job's
/// proposals and invites).
void RequireJobOwnerOrAdmin(const Caller& caller, std::string_view client_id, std::string_view action);

/// Whether the caller may read a proposal: its freelancer, the job's client, or an admin.
bool SeesProposal(const Caller& caller, std::string_view freelancer_id, std::string_view job_client_id);

}  // namespace marketplace::jobs
