#include "marketplace/auth/roles.hpp"

namespace marketplace::auth {

bool IsKnownRole(std::string_view role) { return role == kRoleClient || role == kRoleFreelancer || role == kRoleAdmin; }

std::string_view RoleName(v1::Role role) {
    switch (role) {
        case v1::ROLE_CLIENT:
            return kRoleClient;
        case v1::ROLE_FREELANCER:
            return kRoleFreelancer;
        case v1::ROLE_ADMIN:
            return kRoleAdmin;
        default:
            return {};
    }
}

std::optional<v1::Role> RoleFromName(std::string_view name) {
    if (name == kRoleClient) return v1::ROLE_CLIENT;
    if (name == kRoleFreelancer) return v1::ROLE_FREELANCER;
    if (name == kRoleAdmin) return v1::ROLE_ADMIN;
    return std::nullopt;
}

}  // namespace marketplace::auth
