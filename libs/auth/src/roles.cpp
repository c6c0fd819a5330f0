#include "marketplace/auth/roles.hpp"

namespace marketplace::auth {

bool IsKnownRole(std::string_view role) {
    return role == kRoleClient || role == kRoleFreelancer || role == kRoleAdmin || role == kRoleMediator ||
           role == kRoleExpert;
}

std::string_view RoleName(v1::Role role) {
    switch (role) {
        case v1::ROLE_CLIENT:
            return kRoleClient;
        case v1::ROLE_FREELANCER:
            return kRoleFreelancer;
        case v1::ROLE_ADMIN:
            return kRoleAdmin;
        case v1::ROLE_MEDIATOR:
            return kRoleMediator;
        case v1::ROLE_EXPERT:
            return kRoleExpert;
        default:
            return {};
    }
}

std::optional<v1::Role> RoleFromName(std::string_view name) {
    if (name == kRoleClient) return v1::ROLE_CLIENT;
    if (name == kRoleFreelancer) return v1::ROLE_FREELANCER;
    if (name == kRoleAdmin) return v1::ROLE_ADMIN;
    if (name == kRoleMediator) return v1::ROLE_MEDIATOR;
    if (name == kRoleExpert) return v1::ROLE_EXPERT;
    return std::nullopt;
}

}  // namespace marketplace::auth
