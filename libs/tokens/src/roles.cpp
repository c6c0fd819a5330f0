#include "marketplace/tokens/roles.hpp"

namespace marketplace::tokens {

bool IsKnownRole(std::string_view role) {
    return role == kRoleClient || role == kRoleFreelancer || role == kRoleAdmin || role == kRoleMediator ||
           role == kRoleExpert;
}

std::string_view RoleName(auth::v1::Role role) {
    switch (role) {
        case auth::v1::ROLE_CLIENT:
            return kRoleClient;
        case auth::v1::ROLE_FREELANCER:
            return kRoleFreelancer;
        case auth::v1::ROLE_ADMIN:
            return kRoleAdmin;
        case auth::v1::ROLE_MEDIATOR:
            return kRoleMediator;
        case auth::v1::ROLE_EXPERT:
            return kRoleExpert;
        default:
            return {};
    }
}

std::optional<auth::v1::Role> RoleFromName(std::string_view name) {
    if (name == kRoleClient) return auth::v1::ROLE_CLIENT;
    if (name == kRoleFreelancer) return auth::v1::ROLE_FREELANCER;
    if (name == kRoleAdmin) return auth::v1::ROLE_ADMIN;
    if (name == kRoleMediator) return auth::v1::ROLE_MEDIATOR;
    if (name == kRoleExpert) return auth::v1::ROLE_EXPERT;
    return std::nullopt;
}

}  // namespace marketplace::tokens
