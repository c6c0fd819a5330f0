#include "domain/access.hpp"

#include "marketplace/core/errors.hpp"

namespace marketplace::jobs {

void RequireRole(const Caller& caller, std::string_view role, std::string_view action) {
    if (caller.role != role) {
        const std::string article =
            (!role.empty() && std::string_view("aeiou").find(role.front()) != std::string_view::npos) ? "an " : "a ";
        throw core::PermissionDenied("only " + article + std::string(role) + " can " + std::string(action));
    }
}

void RequireJobOwner(const Caller& caller, std::string_view client_id, std::string_view action) {
    if (caller.user_id != client_id) throw core::PermissionDenied("only the job's client can " + std::string(action));
}

void RequireProposalAuthor(const Caller& caller, std::string_view freelancer_id, std::string_view action) {
    if (caller.user_id != freelancer_id) {
        throw core::PermissionDenied("only the proposal's freelancer can " + std::string(action));
    }
}

}  // namespace marketplace::jobs

namespace marketplace::jobs {

bool SeesJobWithoutParticipation(const Caller& caller, bool job_open, std::string_view client_id) {
    return job_open || caller.user_id == client_id || caller.is_admin();
}

void RequireJobOwnerOrAdmin(const Caller& caller, std::string_view client_id, std::string_view action) {
    if (caller.user_id != client_id && !caller.is_admin()) {
        throw core::PermissionDenied("only the job's client can " + std::string(action));
    }
}

bool SeesProposal(const Caller& caller, std::string_view freelancer_id, std::string_view job_client_id) {
    return caller.user_id == freelancer_id || caller.user_id == job_client_id || caller.is_admin();
}

}  // namespace marketplace::jobs
